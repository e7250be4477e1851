// edge-fuse-pointwise-depthwise: a 1x1 Conv and the depthwise Conv that reads its result
// become one edge.PointwiseDepthwiseConv (see Passes.td for what is matched and why).
#include "ConvFusionUtils.h"
#include "edge/FusionRecord.h"
#include "edge/Passes.h"
#include "mlir/Dialect/Quant/QuantTypes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::edge {
#define GEN_PASS_DEF_FUSEPOINTWISEDEPTHWISE
#include "edge/Passes.h.inc"

namespace {

bool isConstant(Value v) { return v && v.getDefiningOp<ConstantOp>(); }

// The type of a per-tensor quantized 8-bit tensor value, or null.
quant::UniformQuantizedType perTensor8(Value v) {
  auto q = dyn_cast<quant::UniformQuantizedType>(cast<RankedTensorType>(v.getType()).getElementType());
  return q && q.getStorageTypeIntegralWidth() == 8 ? q : nullptr;
}

// A Conv with constant weights and bias (or none), no residual and no fused table, whose
// operands and result are static f32 tensors, or (static INT8) quantized: input and
// result per tensor to 8 bits, with a bias.
bool isPlainConv(ConvOp conv, bool quantized) {
  if (conv.getResidual() || conv.getTableOps() || !isConstant(conv.getWeight()) ||
      (conv.getBias() && !isConstant(conv.getBias())))
    return false;
  if (quantized)
    return conv.getBias() && perTensor8(conv.getInput()) && perTensor8(conv.getOutput()) &&
           cast<RankedTensorType>(conv.getType()).hasStaticShape();
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
    if (!pointwise || !pointwise->hasOneUse()) return failure();
    // Both float, or both quantized with e of the result's storage and expressed types
    // (the fused op's e: expanded_scale and expanded_zero_point).
    quant::UniformQuantizedType e = perTensor8(pointwise.getOutput()), y = perTensor8(depthwise.getOutput());
    const bool quantized = e && y;
    if (!isPlainConv(pointwise, quantized) || !isPlainConv(depthwise, quantized)) return failure();
    if (quantized && (e.getStorageType() != y.getStorageType() || e.getExpressedType() != y.getExpressedType() ||
                      e.getStorageTypeMin() != y.getStorageTypeMin() || e.getStorageTypeMax() != y.getStorageTypeMax()))
      return failure();
    // The 1x1 Conv over every position, then a depthwise Conv (one channel per group, so
    // group = e's channels) with a kernel larger than 1x1 (a 1x1 one is a per-channel
    // scale: nothing to keep in cache for).
    if (!isPointwiseConv(pointwise) || !isDepthwiseConv(depthwise)) return failure();
    ArrayRef<int64_t> w2 = weightShape(depthwise);
    if (w2[2] * w2[3] == 1) return failure();
    const int64_t elementBytes = quantized ? 1 : 4;
    if (cast<RankedTensorType>(pointwise.getType()).getNumElements() * elementBytes < minBytes) return failure();

    FloatAttr expandedScale;
    IntegerAttr expandedZeroPoint;
    if (quantized) {
      expandedScale = rewriter.getF32FloatAttr(static_cast<float>(e.getScale()));
      expandedZeroPoint = rewriter.getI64IntegerAttr(e.getZeroPoint());
    }
    auto fused = rewriter.create<PointwiseDepthwiseConvOp>(
        depthwise.getLoc(), depthwise.getType(), pointwise.getInput(), pointwise.getWeight(),
        biasOf(pointwise, rewriter), depthwise.getWeight(), biasOf(depthwise, rewriter),
        pointwise.getActivationAttr(), pointwise.getActMinAttr(), pointwise.getActMaxAttr(),
        depthwise.getStridesAttr(), depthwise.getPadsAttr(), depthwise.getDilationsAttr(), depthwise.getGroupAttr(),
        depthwise.getActivationAttr(), depthwise.getActMinAttr(), depthwise.getActMaxAttr(), expandedScale,
        expandedZeroPoint);
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
