// edge-fuse-pointwise-depthwise: a 1x1 Conv and the depthwise Conv that reads its result
// become one edge.PointwiseDepthwiseConv (see Passes.td for what is matched and why).
#include "ConvFusionUtils.h"
#include "edge/FusionRecord.h"
#include "edge/Passes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::edge {
#define GEN_PASS_DEF_FUSEPOINTWISEDEPTHWISE
#include "edge/Passes.h.inc"

namespace {

bool isConstant(Value v) { return v && v.getDefiningOp<ConstantOp>(); }

// A float Conv whose operands and result are static f32, with constant weights and bias
// (or none) and no residual.
bool isPlainF32Conv(ConvOp conv) {
  if (conv.getResidual() || !isConstant(conv.getWeight()) || (conv.getBias() && !isConstant(conv.getBias())))
    return false;
  for (Value v : conv->getOperands())
    if (!isStaticF32(v)) return false;
  return isStaticF32(conv.getOutput());
}

struct FusePointwiseDepthwisePair : OpRewritePattern<ConvOp> {
  FusePointwiseDepthwisePair(MLIRContext *ctx, bool record, int64_t minBytes)
      : OpRewritePattern(ctx), record(record), minBytes(minBytes) {}
  bool record;
  int64_t minBytes;

  LogicalResult matchAndRewrite(ConvOp depthwise, PatternRewriter &rewriter) const override {
    auto pointwise = depthwise.getInput().getDefiningOp<ConvOp>();
    if (!pointwise || !pointwise->hasOneUse() || !isPlainF32Conv(pointwise) || !isPlainF32Conv(depthwise))
      return failure();
    // The 1x1 Conv over every position, then a depthwise Conv (one channel per group, so
    // group = e's channels) with a kernel larger than 1x1 (a 1x1 one is a per-channel
    // scale: nothing to keep in cache for).
    if (!isPointwiseConv(pointwise) || !isDepthwiseConv(depthwise)) return failure();
    ArrayRef<int64_t> w2 = weightShape(depthwise);
    if (w2[2] * w2[3] == 1) return failure();
    if (cast<RankedTensorType>(pointwise.getType()).getNumElements() * 4 < minBytes) return failure();

    auto fused = rewriter.create<PointwiseDepthwiseConvOp>(
        depthwise.getLoc(), depthwise.getType(), pointwise.getInput(), pointwise.getWeight(),
        biasOf(pointwise, rewriter), depthwise.getWeight(), biasOf(depthwise, rewriter),
        pointwise.getActivationAttr(), pointwise.getActMinAttr(), pointwise.getActMaxAttr(),
        depthwise.getStridesAttr(), depthwise.getPadsAttr(), depthwise.getDilationsAttr(), depthwise.getGroupAttr(),
        depthwise.getActivationAttr(), depthwise.getActMinAttr(), depthwise.getActMaxAttr());
    if (record) recordFusion(fused, {pointwise, depthwise});
    rewriter.replaceOp(depthwise, fused.getResult());
    rewriter.eraseOp(pointwise);
    return success();
  }
};

struct FusePointwiseDepthwisePass : impl::FusePointwiseDepthwiseBase<FusePointwiseDepthwisePass> {
  using FusePointwiseDepthwiseBase::FusePointwiseDepthwiseBase;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FusePointwiseDepthwisePair>(&getContext(), recordFusion, minBytes);
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

}  // namespace
}  // namespace mlir::edge
