// edge-fuse-rmsnorm: the decomposed RMSNorm that exporters emit for LlamaRMSNorm-style
// modules becomes one edge.RMSNormalization (see Passes.td for the pattern matched).
#include <cmath>

#include "edge/FusionRecord.h"
#include "edge/Passes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace mlir::edge {
#define GEN_PASS_DEF_FUSERMSNORM
#include "edge/Passes.h.inc"

namespace {

RankedTensorType rankedF32(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && t.hasStaticShape() && t.getElementType().isF32() ? t : RankedTensorType();
}

// A constant splat equal to `value` (an integer Pow exponent counts).
bool isSplat(Value v, double value) {
  DenseElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)) || !attr.isSplat()) return false;
  if (isa<FloatType>(attr.getElementType())) return attr.getSplatValue<APFloat>().convertToDouble() == value;
  if (isa<IntegerType>(attr.getElementType())) return double(attr.getSplatValue<APInt>().getSExtValue()) == value;
  return false;
}

// The operand of a two-operand op that is not `v`, or null if `v` is not an operand.
Value other(Operation *op, Value v) {
  if (op->getNumOperands() != 2) return nullptr;
  if (op->getOperand(0) == v) return op->getOperand(1);
  if (op->getOperand(1) == v) return op->getOperand(0);
  return nullptr;
}

// The matched chain, from the normalizing op outwards:
//   s   = Pow(x, 2) or Mul(x, x)
//   m   = ReduceMean(s, axes = [rank - 1], keepdims = 1)
//   r   = Sqrt(Add(m, eps))                   eps: constant f32 scalar
//   y   = Mul(x, Div(1, r)) or Mul(x, Reciprocal(r)) or Div(x, r)
//   [y  = Mul(y, weight)]                     weight: f32 constant broadcasting to [E]
struct FuseDecomposedRMSNorm : RewritePattern {
  FuseDecomposedRMSNorm(MLIRContext *ctx, bool record)
      : RewritePattern(MatchAnyOpTypeTag(), 1, ctx), record(record) {}
  bool record;

  LogicalResult matchAndRewrite(Operation *norm, PatternRewriter &rewriter) const override {
    if (!isa<MulOp, DivOp>(norm)) return failure();
    SmallVector<Operation *, 10> chain{norm};
    // The 1 / sqrt(...) factor and x.
    Value x;
    SqrtOp sqrt;
    if (auto div = dyn_cast<DivOp>(norm)) {
      if (!(sqrt = div.getRhs().getDefiningOp<SqrtOp>())) return failure();
      x = div.getLhs();
    } else {
      for (int i = 0; i < 2 && !sqrt; ++i) {
        Operation *inv = norm->getOperand(1 - i).getDefiningOp();
        if (!inv) continue;
        Value r;
        if (auto recip = dyn_cast<ReciprocalOp>(inv)) r = recip.getInput();
        else if (auto d = dyn_cast<DivOp>(inv); d && isSplat(d.getLhs(), 1.0)) r = d.getRhs();
        if (!r || !(sqrt = r.getDefiningOp<SqrtOp>())) continue;
        x = norm->getOperand(i);
        chain.push_back(inv);
      }
      if (!sqrt) return failure();
    }
    auto xType = rankedF32(x);
    if (!xType || xType.getRank() < 1 || norm->getResult(0).getType() != xType) return failure();
    const int64_t rank = xType.getRank(), E = xType.getShape().back();

    auto addEps = sqrt.getInput().getDefiningOp<AddOp>();
    if (!addEps) return failure();
    ReduceMeanOp mean;
    Value epsValue;
    for (int i = 0; i < 2 && !mean; ++i)
      if ((mean = addEps->getOperand(i).getDefiningOp<ReduceMeanOp>())) epsValue = addEps->getOperand(1 - i);
    if (!mean || addEps.getType() != mean.getType()) return failure();
    DenseElementsAttr epsAttr;
    auto epsType = rankedF32(epsValue);
    if (!epsType || epsType.getNumElements() != 1 || !matchPattern(epsValue, m_Constant(&epsAttr))) return failure();
    const float eps = *epsAttr.getValues<float>().begin();
    if (!(eps >= 0.f) || !std::isfinite(eps)) return failure();  // what the kernels accept
    if (mean.getKeepdims() != 1 || !mean.getAxes() || *mean.getAxes() != ArrayRef<int64_t>{rank - 1})
      return failure();
    Operation *square = mean.getInput().getDefiningOp();
    if (!square || square->getResult(0).getType() != xType) return failure();
    if (auto mul = dyn_cast<MulOp>(square)) {
      if (mul.getLhs() != x || mul.getRhs() != x) return failure();
    } else if (auto pow = dyn_cast<PowOp>(square)) {
      if (pow.getLhs() != x || !isSplat(pow.getRhs(), 2.0)) return failure();
    } else {
      return failure();
    }
    chain.append({square, mean.getOperation(), addEps.getOperation(), sqrt.getOperation()});

    // Optional weight: the sole user Mul(y, w), w a constant broadcasting to [E].
    Operation *last = norm;
    Value weight;
    if (norm->hasOneUse()) {
      Operation *user = *norm->getUsers().begin();
      Value w = isa<MulOp>(user) ? other(user, norm->getResult(0)) : Value();
      auto wType = w ? rankedF32(w) : RankedTensorType();
      if (wType && w != norm->getResult(0) && user->getResult(0).getType() == xType &&
          matchPattern(w, m_Constant()) && wType.getNumElements() == E && wType.getRank() <= rank &&
          (wType.getRank() == 0 ? E == 1 : wType.getShape().back() == E)) {
        weight = w;
        last = user;
        chain.push_back(user);
      }
    }

    // No intermediate may be seen outside the chain; `last` is replaced.
    llvm::SmallPtrSet<Operation *, 10> inChain(chain.begin(), chain.end());
    for (Operation *op : chain) {
      if (op == last) continue;
      for (Operation *user : op->getResult(0).getUsers())
        if (!inChain.contains(user)) return failure();
    }

    Location loc = last->getLoc();
    auto scaleType = RankedTensorType::get({E}, rewriter.getF32Type());
    if (!weight) {
      weight = rewriter.create<ConstantOp>(loc, scaleType, DenseElementsAttr::get(scaleType, 1.0f));
    } else if (cast<RankedTensorType>(weight.getType()) != scaleType) {
      weight = rewriter.create<ReshapeOp>(loc, scaleType, weight);
    }
    auto rms = rewriter.create<RMSNormalizationOp>(loc, xType, x, weight, rewriter.getI64IntegerAttr(rank - 1),
                                                   rewriter.getF32FloatAttr(eps));
    if (record) {
      SmallVector<Operation *> parts(chain.begin(), chain.end());
      llvm::sort(parts, [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
      recordFusion(rms, parts);
    }
    rewriter.replaceOp(last, rms.getResult());
    // The rest of the chain, users before producers.
    bool progress = true;
    while (progress) {
      progress = false;
      for (Operation *&op : chain) {
        if (!op || op == last || !op->use_empty()) continue;
        rewriter.eraseOp(op);
        op = nullptr;
        progress = true;
      }
    }
    return success();
  }
};

struct FuseRMSNormPass : impl::FuseRMSNormBase<FuseRMSNormPass> {
  using FuseRMSNormBase::FuseRMSNormBase;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseDecomposedRMSNorm>(&getContext(), recordFusion);
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

}  // namespace
}  // namespace mlir::edge
