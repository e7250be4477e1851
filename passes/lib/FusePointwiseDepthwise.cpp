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
    auto e = cast<RankedTensorType>(pointwise.getType());
    ArrayRef<int64_t> w1 = cast<RankedTensorType>(pointwise.getWeight().getType()).getShape();
    ArrayRef<int64_t> w2 = cast<RankedTensorType>(depthwise.getWeight().getType()).getShape();
    if (e.getRank() != 4 || w1.size() != 4 || w2.size() != 4) return failure();
    // The 1x1 Conv: group 1, unit strides and dilations, no pads.
    if (pointwise.getGroup() != 1 || w1[2] != 1 || w1[3] != 1 || !allEqual(pointwise.getStrides(), 1) ||
        !allEqual(pointwise.getDilations(), 1) || !allEqual(pointwise.getPads(), 0))
      return failure();
    // The depthwise Conv: one input channel per group, a kernel larger than 1x1 (a 1x1
    // one is a per-channel scale: nothing to keep in cache for).
    const int64_t M = e.getShape()[1];
    if (depthwise.getGroup() != M || w2[0] != M || w2[1] != 1 || w2[2] * w2[3] == 1) return failure();
    if (e.getNumElements() * 4 < minBytes) return failure();

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
