// edge-fuse-attention: MatMul(Q, K^T) -> scale -> mask -> Softmax -> MatMul(., V) becomes
// one edge.ScaledDotProductAttention (see Passes.td for the chain matched). Runs after
// the precision passes, on the f32 attention that ships; then folds the
// DequantizeLinear / QuantizeLinear that static INT8 leaves at its boundaries.
#include <cmath>
#include <optional>

#include "edge/FusionRecord.h"
#include "edge/Passes.h"
#include "mlir/Dialect/Quant/QuantTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::edge {
#define GEN_PASS_DEF_FUSEATTENTION
#include "edge/Passes.h.inc"

namespace {

RankedTensorType rankedF32(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && t.hasStaticShape() && t.getElementType().isF32() ? t : RankedTensorType();
}

// The value of a constant f32 tensor of one element (a scalar or [1, ...]).
std::optional<float> scalarConstant(Value v) {
  DenseElementsAttr attr;
  auto type = rankedF32(v);
  if (!type || type.getNumElements() != 1 || !matchPattern(v, m_Constant(&attr))) return std::nullopt;
  return *attr.getValues<float>().begin();
}

// One exporter's scale step: `x * c`, `c * x` or `x / c` with c a constant f32 scalar
// that does not broadcast x (the result has x's type).
struct ScaleStep {
  Operation *op = nullptr;  // the Mul or Div; null: no step
  Value input;              // x
  float factor = 1.f;
  bool divide = false;
};

ScaleStep matchScale(Value v) {
  ScaleStep s;
  Operation *op = v.getDefiningOp();
  if (!op || !isa<MulOp, DivOp>(op)) return s;
  const bool div = isa<DivOp>(op);
  for (int i = 0; i < (div ? 1 : 2); ++i) {
    Value x = op->getOperand(i);
    std::optional<float> c = scalarConstant(op->getOperand(1 - i));
    if (!c || x.getType() != v.getType() || !std::isfinite(*c) || *c == 0.f) continue;
    return ScaleStep{op, x, *c, div};
  }
  return s;
}

// A Transpose that swaps the last two dims and keeps the others in place.
bool isLastTwoSwap(TransposeOp t) {
  ArrayRef<int64_t> perm = t.getPerm();
  const int64_t r = static_cast<int64_t>(perm.size());
  if (r < 2) return false;
  for (int64_t i = 0; i < r - 2; ++i)
    if (perm[i] != i) return false;
  return perm[r - 2] == r - 1 && perm[r - 1] == r - 2;
}

// The chain, matched from the second MatMul backwards:
//   out    = MatMul(P, V)
//   P      = Softmax(x, axis = last)
//   x      = Add(s, mask) or Add(mask, s)                  (optional)
//   s      = Mul(s0, c) / Mul(c, s0) / Div(s0, c)           (optional)
//   s0     = MatMul(Q', K')
//   Q'     = Mul(Q, c) / Mul(c, Q) / Div(Q, c)             (optional)
//   K'     = Mul(Kt, c) / Mul(c, Kt) / Div(Kt, c)          (optional)
//   Kt     = Transpose(K, last two dims swapped)            (optional: else K' = [.., D, T])
struct FuseScaledDotProductAttention : OpRewritePattern<MatMulOp> {
  FuseScaledDotProductAttention(MLIRContext *ctx, bool record) : OpRewritePattern(ctx), record(record) {}
  bool record;  // edge.fused for --report-fusion

  LogicalResult matchAndRewrite(MatMulOp pv, PatternRewriter &rewriter) const override {
    SmallVector<Operation *, 10> chain{pv.getOperation()};  // every op the fusion replaces
    auto outType = rankedF32(pv.getResult());
    auto softmax = pv.getA().getDefiningOp<SoftmaxOp>();
    if (!outType || !softmax || !rankedF32(pv.getB())) return failure();
    auto scoresType = rankedF32(softmax.getResult());
    if (!scoresType || scoresType.getRank() < 2 || static_cast<int64_t>(softmax.getAxis()) != scoresType.getRank() - 1)
      return failure();
    chain.push_back(softmax);

    // Optional mask: either operand of an Add whose other operand is the scaled scores.
    Value x = softmax.getInput(), mask;
    if (auto add = x.getDefiningOp<AddOp>(); add && add.getType() == scoresType) {
      for (int i = 0; i < 2 && !mask; ++i) {
        Value s = add->getOperand(i), m = add->getOperand(1 - i);
        ScaleStep step = matchScale(s);
        if (s.getType() != scoresType || !rankedF32(m) || !(step.op ? step.input : s).getDefiningOp<MatMulOp>())
          continue;
        if (cast<RankedTensorType>(m.getType()).getRank() > scoresType.getRank()) continue;
        x = s;
        mask = m;
        chain.push_back(add);
      }
    }

    // Optional scale of the scores, then the scores' MatMul.
    ScaleStep sScale = matchScale(x);
    if (sScale.op) {
      x = sScale.input;
      chain.push_back(sScale.op);
    }
    auto qk = x.getDefiningOp<MatMulOp>();
    if (!qk || qk.getType() != scoresType) return failure();
    chain.push_back(qk);

    Value q = qk.getA(), k = qk.getB();
    ScaleStep qScale = matchScale(q), kScale = matchScale(k);
    if (qScale.op) {
      q = qScale.input;
      chain.push_back(qScale.op);
    }
    if (kScale.op) {
      k = kScale.input;
      chain.push_back(kScale.op);
    }
    bool keyTransposed = true;
    if (auto t = k.getDefiningOp<TransposeOp>(); t && isLastTwoSwap(t)) {
      k = t.getInput();
      keyTransposed = false;
      chain.push_back(t);
    }
    auto qType = rankedF32(q), kType = rankedF32(k);
    auto vType = rankedF32(pv.getB());
    if (!qType || !kType || !vType) return failure();
    // The op's operand contract: no batch broadcast, no 1-D operands (the MatMul and Add
    // verifiers already checked the rest: D and T agree, the mask broadcasts to the scores).
    const int64_t r = scoresType.getRank();
    if (qType.getRank() != r || kType.getRank() != r || vType.getRank() != r) return failure();
    ArrayRef<int64_t> batch = scoresType.getShape().drop_back(2);
    if (qType.getShape().drop_back(2) != batch || kType.getShape().drop_back(2) != batch ||
        vType.getShape().drop_back(2) != batch)
      return failure();

    // Every intermediate has its one user in the chain; the root (pv) is replaced.
    for (Operation *op : chain)
      if (op != pv && !op->getResult(0).hasOneUse()) return failure();

    auto fused = rewriter.create<ScaledDotProductAttentionOp>(
        pv.getLoc(), TypeRange{outType}, q, k, pv.getB(), mask, rewriter.getI64IntegerAttr(keyTransposed),
        rewriter.getF32FloatAttr(qScale.factor), rewriter.getI64IntegerAttr(qScale.divide),
        rewriter.getF32FloatAttr(kScale.factor), rewriter.getI64IntegerAttr(kScale.divide),
        rewriter.getF32FloatAttr(sScale.factor), rewriter.getI64IntegerAttr(sScale.divide));
    if (record) {
      SmallVector<Operation *> parts(chain.begin(), chain.end());
      llvm::sort(parts, [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
      recordFusion(fused, parts);
    }
    rewriter.replaceOp(pv, fused.getOutput());
    // The chain minus the root, users before producers (the order it was matched in).
    for (Operation *op : llvm::drop_begin(chain)) rewriter.eraseOp(op);
    return success();
  }
};

// Static INT8 keeps attention float between the int8 projections: the QKV Gemm's
// DequantizeLinear, then the heads' Reshape / Slice / Transpose on f32, the op, the
// Transpose / Reshape back on f32 and a QuantizeLinear before the output projection.
// DequantizeLinear and QuantizeLinear per tensor commute with ops that only move
// elements, so the movers run on the codes instead (a quarter of the bytes) and the op
// takes the codes and gives codes (its kernels dequantize and quantize as those two ops:
// the same values).

// A per-tensor 8-bit quantized element type with f32 expressed values.
quant::UniformQuantizedType perTensor8(Type t) {
  auto q = dyn_cast<quant::UniformQuantizedType>(getElementTypeOrSelf(t));
  return q && q.getStorageTypeIntegralWidth() == 8 && q.getExpressedType().isF32() ? q : nullptr;
}

// An op that only moves the elements of its one operand (Reshape, Transpose, a Slice with
// constant attributes), from and to f32.
bool isF32Mover(Operation *op) {
  return op && isa<ReshapeOp, TransposeOp, SliceOp>(op) && op->getNumOperands() == 1 && op->getNumResults() == 1 &&
         getElementTypeOrSelf(op->getOperand(0).getType()).isF32() &&
         getElementTypeOrSelf(op->getResult(0).getType()).isF32();
}

// `mover` rebuilt at the builder's point on `codes` (its element type for the result);
// null when the op's verifier refuses it (then nothing is left behind).
Operation *moverOnCodes(OpBuilder &b, Operation *mover, Value codes) {
  Operation *c = b.clone(*mover);
  c->setOperand(0, codes);
  c->getResult(0).setType(cast<RankedTensorType>(mover->getResult(0).getType()).clone(getElementTypeOrSelf(codes.getType())));
  ScopedDiagnosticHandler quiet(mover->getContext(), [](Diagnostic &) { return success(); });
  if (failed(verify(c))) {
    c->erase();
    return nullptr;
  }
  return c;
}

// `replaced` gets the f32 movers and DequantizeLinear that an operand no longer reads.
void foldQuantBoundaries(ScaledDotProductAttentionOp op, DenseMap<Operation *, Value> &onCodes,
                         llvm::SetVector<Operation *> &replaced) {
  // Inputs: Q, K, V each from a per-tensor DequantizeLinear through movers.
  for (unsigned i = 0; i < 3; ++i) {
    SmallVector<Operation *> movers;  // from the op upwards
    Value x = op->getOperand(i);
    while (isF32Mover(x.getDefiningOp())) {
      movers.push_back(x.getDefiningOp());
      x = x.getDefiningOp()->getOperand(0);
    }
    auto dq = x.getDefiningOp<DequantizeLinearOp>();
    if (!dq || !perTensor8(dq.getInput().getType())) continue;
    Value codes = dq.getInput();
    bool ok = true;
    for (Operation *m : llvm::reverse(movers)) {
      if (Value done = onCodes.lookup(m)) {  // a mover shared by Q, K and V (the QKV Reshape)
        codes = done;
        continue;
      }
      OpBuilder b(m);
      Operation *c = moverOnCodes(b, m, codes);
      if (!c) {
        ok = false;
        break;
      }
      codes = onCodes[m] = c->getResult(0);
    }
    if (!ok) continue;
    op->setOperand(i, codes);
    replaced.insert(movers.begin(), movers.end());
    replaced.insert(dq);
  }
  // The result: movers, each its producer's one user, then a per-tensor QuantizeLinear.
  SmallVector<Operation *> movers;
  Value y = op.getOutput();
  while (y.hasOneUse() && isF32Mover(*y.getUsers().begin())) {
    movers.push_back(*y.getUsers().begin());
    y = movers.back()->getResult(0);
  }
  if (!y.hasOneUse()) return;
  auto q = dyn_cast<QuantizeLinearOp>(*y.getUsers().begin());
  if (!q || !perTensor8(q.getType())) return;
  Type codesType = getElementTypeOrSelf(q.getType());
  auto floatType = cast<RankedTensorType>(op.getOutput().getType());
  op.getOutput().setType(floatType.clone(codesType));
  ScopedDiagnosticHandler quiet(op->getContext(), [](Diagnostic &) { return success(); });
  SmallVector<Operation *> clones;
  Value codes = op.getOutput();
  for (Operation *m : movers) {
    OpBuilder b(m);
    Operation *c = moverOnCodes(b, m, codes);
    if (!c) {  // undo: the op's result f32 again, the clones gone
      for (Operation *d : llvm::reverse(clones)) d->erase();
      op.getOutput().setType(floatType);
      return;
    }
    clones.push_back(c);
    codes = c->getResult(0);
  }
  q.replaceAllUsesWith(codes);
  q->erase();
  for (Operation *m : llvm::reverse(movers)) m->erase();
}

// An attention whose Q, K and V are all codes now computes on them (integer = 1: integer
// scores and products, 8-bit probabilities), where the verifier allows it.
void setInteger(ScaledDotProductAttentionOp op) {
  for (Value x : {op.getQuery(), op.getKey(), op.getValue()})
    if (!perTensor8(x.getType())) return;
  op.setInteger(1);
  ScopedDiagnosticHandler quiet(op->getContext(), [](Diagnostic &) { return success(); });
  if (failed(verify(op))) op.setInteger(0);
}

struct FuseAttentionPass : impl::FuseAttentionBase<FuseAttentionPass> {
  using FuseAttentionBase::FuseAttentionBase;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseScaledDotProductAttention>(&getContext(), recordFusion);
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
    SmallVector<ScaledDotProductAttentionOp> ops;
    getOperation().walk([&](ScaledDotProductAttentionOp op) { ops.push_back(op); });
    DenseMap<Operation *, Value> onCodes;
    llvm::SetVector<Operation *> replaced;
    for (ScaledDotProductAttentionOp op : ops) {
      foldQuantBoundaries(op, onCodes, replaced);
      if (integer) setInteger(op);
    }
    // The f32 movers and DequantizeLinear that nothing reads any more (users first).
    for (bool erased = true; erased;) {
      erased = false;
      for (Operation *o : replaced.takeVector()) {
        if (o->use_empty()) {
          o->erase();
          erased = true;
        } else {
          replaced.insert(o);
        }
      }
    }
  }
};

}  // namespace
}  // namespace mlir::edge
