// edge-fuse-layernorm: the decomposed LayerNormalization that torch.onnx (opset <= 16)
// exports becomes one edge.LayerNormalization (see Passes.td for the pattern matched).
#include "edge/FusionRecord.h"
#include "edge/Passes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace mlir::edge {
#define GEN_PASS_DEF_FUSELAYERNORM
#include "edge/Passes.h.inc"

namespace {

RankedTensorType rankedF32(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && t.hasStaticShape() && t.getElementType().isF32() ? t : RankedTensorType();
}

// The operand of a binary op that is not `v` (the op must use `v` on one side).
template <typename Op>
Value otherOperand(Op op, Value v) {
  return op.getLhs() == v ? op.getRhs() : op.getLhs();
}

// The sole user of `v`, when it is an `Op` (any operand position).
template <typename Op>
Op soleUser(Value v) {
  if (!v.hasOneUse()) return Op();
  return dyn_cast<Op>(*v.getUsers().begin());
}

// ReduceMean over the trailing `count` dims of a rank-`rank` input with keepdims = 1.
bool isTrailingMean(ReduceMeanOp op, int64_t rank, int64_t count) {
  // Axes known only at run time (an axes_input operand) cannot be proved trailing.
  if (op.getKeepdims() != 1 || !op.getAxes()) return false;
  ArrayRef<int64_t> axes = *op.getAxes();
  if (static_cast<int64_t>(axes.size()) != count || count < 1 || count > rank) return false;
  for (int64_t i = 0; i < count; ++i)
    if (axes[i] != rank - count + i) return false;
  return true;
}

// A constant splat 2 (Pow's exponent may be a float or an integer tensor).
bool isTwo(Value v) {
  DenseElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)) || !attr.isSplat()) return false;
  if (isa<FloatType>(attr.getElementType()))
    return attr.getSplatValue<APFloat>().convertToDouble() == 2.0;
  if (isa<IntegerType>(attr.getElementType())) return attr.getSplatValue<APInt>() == 2;
  return false;
}

// A constant f32 whose broadcast over `normalized` is exactly `normalized` (what the
// LayerNormalization verifier and kernel accept for Scale and B).
bool isAffineParam(Value v, ArrayRef<int64_t> normalized) {
  auto type = rankedF32(v);
  if (!type || !matchPattern(v, m_Constant())) return false;
  auto b = broadcastShapes(normalized, type.getShape());
  return succeeded(b) && ArrayRef<int64_t>(*b) == normalized;
}

// The matched chain, from the Div outwards:
//   mean = ReduceMean(x, trailing axes, keepdims = 1)
//   d    = Sub(x, mean)                  (the numerator's and the variance's Sub may be
//                                         two identical ops before CSE)
//   var  = ReduceMean(Mul(d, d), same axes, keepdims = 1)
//   y    = Div(d, Sqrt(Add(var, eps)))   eps: constant f32 scalar
//   [y = Mul(y, gamma)] [y = Add(y, beta)] gamma, beta: constants over the normalized dims
struct FuseDecomposedLayerNorm : OpRewritePattern<DivOp> {
  FuseDecomposedLayerNorm(MLIRContext *ctx, bool record) : OpRewritePattern(ctx), record(record) {}
  bool record;  // edge.fused for --report-fusion

  LogicalResult matchAndRewrite(DivOp div, PatternRewriter &rewriter) const override {
    SmallVector<Operation *, 12> chain;  // every op the fusion erases
    auto numer = div.getLhs().getDefiningOp<SubOp>();
    auto sqrt = div.getRhs().getDefiningOp<SqrtOp>();
    if (!numer || !sqrt) return failure();
    Value x = numer.getLhs();
    auto xType = rankedF32(x);
    if (!xType || numer.getType() != xType || div.getType() != xType) return failure();
    auto mean = numer.getRhs().getDefiningOp<ReduceMeanOp>();
    if (!mean || mean.getInput() != x) return failure();
    int64_t rank = xType.getRank();
    if (!mean.getAxes()) return failure();
    int64_t count = static_cast<int64_t>(mean.getAxes()->size());
    if (!isTrailingMean(mean, rank, count)) return failure();
    int64_t axis = rank - count;

    // Sqrt(Add(var, eps)) with eps a constant scalar that does not broadcast var.
    auto addEps = sqrt.getInput().getDefiningOp<AddOp>();
    if (!addEps) return failure();
    auto varMean = addEps.getLhs().getDefiningOp<ReduceMeanOp>();
    Value epsValue = addEps.getRhs();
    if (!varMean) {
      varMean = addEps.getRhs().getDefiningOp<ReduceMeanOp>();
      epsValue = addEps.getLhs();
    }
    if (!varMean || addEps.getType() != varMean.getType()) return failure();
    DenseElementsAttr epsAttr;
    auto epsType = rankedF32(epsValue);
    if (!epsType || epsType.getNumElements() != 1 || !matchPattern(epsValue, m_Constant(&epsAttr)))
      return failure();
    float eps = *epsAttr.getValues<float>().begin();

    // var = ReduceMean(Mul(d, d) or Pow(d, 2)) over the same axes, d = Sub(x, mean).
    if (varMean.getAxes() != mean.getAxes() || varMean.getKeepdims() != 1) return failure();
    Operation *square = varMean.getInput().getDefiningOp();
    if (!square || square->getNumResults() != 1 || square->getResult(0).getType() != xType)
      return failure();
    Value varDiff;
    if (auto mul = dyn_cast<MulOp>(square)) {
      if (mul.getLhs() != mul.getRhs()) return failure();
      varDiff = mul.getLhs();
    } else if (auto pow = dyn_cast<PowOp>(square)) {
      if (!isTwo(pow.getRhs())) return failure();
      varDiff = pow.getLhs();
    } else {
      return failure();
    }
    // The variance's Sub (and its ReduceMean) may be separate copies of the numerator's
    // before CSE; they must compute the same thing from the same x.
    auto varSub = varDiff.getDefiningOp<SubOp>();
    if (!varSub || varSub.getLhs() != x || varSub.getType() != xType) return failure();
    auto varSubMean = varSub.getRhs().getDefiningOp<ReduceMeanOp>();
    if (!varSubMean || varSubMean.getInput() != x || varSubMean.getAxes() != mean.getAxes() ||
        varSubMean.getKeepdims() != 1)
      return failure();

    chain.append({mean.getOperation(), numer, square, varMean, addEps, sqrt, div});
    if (varSub != numer) chain.push_back(varSub);
    if (varSubMean != mean) chain.push_back(varSubMean);

    // Optional affine tail: Mul(y, gamma), then Add(., beta), each the sole user.
    ArrayRef<int64_t> normalized = xType.getShape().drop_front(axis);
    Operation *last = div;
    Value gamma, beta;
    if (auto mul = soleUser<MulOp>(div.getResult())) {
      Value g = otherOperand(mul, div.getResult());
      if (g != div.getResult() && mul.getType() == xType && isAffineParam(g, normalized)) {
        gamma = g;
        last = mul;
        chain.push_back(mul);
      }
    }
    if (auto add = soleUser<AddOp>(last->getResult(0))) {
      Value b = otherOperand(add, last->getResult(0));
      if (b != last->getResult(0) && add.getType() == xType && isAffineParam(b, normalized)) {
        beta = b;
        last = add;
        chain.push_back(add);
      }
    }

    // No intermediate may be seen by anything outside the chain; `last` is replaced.
    llvm::SmallPtrSet<Operation *, 12> inChain(chain.begin(), chain.end());
    for (Operation *op : chain) {
      if (op == last) continue;
      for (Operation *user : op->getResult(0).getUsers())
        if (!inChain.contains(user)) return failure();
    }

    Location loc = last->getLoc();
    if (!gamma) {
      auto type = RankedTensorType::get(normalized, rewriter.getF32Type());
      gamma = rewriter.create<ConstantOp>(loc, type, DenseElementsAttr::get(type, 1.0f));
    }
    auto ln = rewriter.create<LayerNormalizationOp>(
        loc, TypeRange{xType}, x, gamma, beta, rewriter.getI64IntegerAttr(axis),
        rewriter.getF32FloatAttr(eps));
    if (record) {
      SmallVector<Operation *> parts(chain.begin(), chain.end());
      llvm::sort(parts, [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
      recordFusion(ln, parts);
    }
    // Replace `last`, then erase the rest of the chain, users before producers.
    SmallVector<Operation *> order;
    for (Operation *op : chain)
      if (op != last) order.push_back(op);
    rewriter.replaceOp(last, ln.getOutputs()[0]);
    bool progress = true;
    while (progress) {
      progress = false;
      for (Operation *&op : order) {
        if (!op || !op->use_empty()) continue;
        rewriter.eraseOp(op);
        op = nullptr;
        progress = true;
      }
    }
    return success();
  }
};

struct FuseLayerNormPass : impl::FuseLayerNormBase<FuseLayerNormPass> {
  using FuseLayerNormBase::FuseLayerNormBase;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseDecomposedLayerNorm>(&getContext(), recordFusion);
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

}  // namespace
}  // namespace mlir::edge
