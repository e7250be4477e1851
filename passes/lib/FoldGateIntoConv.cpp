// edge-fold-gate-into-conv: Conv(x * g) with a per-channel gate g and a 1x1 Conv becomes
// Conv(x) with weights W * g (see Passes.td for what is matched and why).
#include "ConvFusionUtils.h"
#include "edge/FusionRecord.h"
#include "edge/Passes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::edge {
#define GEN_PASS_DEF_FOLDGATEINTOCONV
#include "edge/Passes.h.inc"

namespace {

struct FoldChannelGate : OpRewritePattern<ConvOp> {
  FoldChannelGate(MLIRContext *ctx, bool record) : OpRewritePattern(ctx), record(record) {}
  bool record;

  LogicalResult matchAndRewrite(ConvOp conv, PatternRewriter &rewriter) const override {
    auto mul = conv.getInput().getDefiningOp<MulOp>();
    if (!mul || !mul->hasOneUse() || conv.getResidual() || !conv.getWeight().getDefiningOp<ConstantOp>())
      return failure();
    for (Value v : conv->getOperands())
      if (!isStaticF32(v)) return failure();
    // A 1x1 Conv of group 1: unit strides and dilations, no pads.
    ArrayRef<int64_t> w = cast<RankedTensorType>(conv.getWeight().getType()).getShape();
    if (w.size() != 4 || w[2] != 1 || w[3] != 1 || conv.getGroup() != 1 || !allEqual(conv.getStrides(), 1) ||
        !allEqual(conv.getDilations(), 1) || !allEqual(conv.getPads(), 0))
      return failure();
    for (int i = 0; i < 2; ++i) {
      Value x = mul->getOperand(i), g = mul->getOperand(1 - i);
      if (!isStaticF32(g) || x.getType() != mul.getType()) continue;
      // One image (the gate is per image; the weights are the Conv's for all of them) and
      // one gate value per channel: g [1, C, 1, 1] against x [1, C, H, W].
      ArrayRef<int64_t> xs = cast<RankedTensorType>(x.getType()).getShape();
      ArrayRef<int64_t> gs = cast<RankedTensorType>(g.getType()).getShape();
      if (xs.size() != 4 || gs.size() != 4 || xs[0] != 1 || gs[0] != 1 || gs[1] != xs[1] || gs[2] != 1 ||
          gs[3] != 1)
        continue;
      // Worth it where scaling the map costs more than scaling the weights: H W >= M
      // (EfficientNet's 7x7 blocks, M 192-320, keep their Mul).
      if (xs[2] * xs[3] < w[0]) continue;
      Value scaled = rewriter.create<MulOp>(conv.getLoc(), conv.getWeight().getType(), conv.getWeight(), g);
      rewriter.modifyOpInPlace(conv, [&] {
        conv.getInputMutable().assign(x);
        conv.getWeightMutable().assign(scaled);
        if (record) recordFusion(conv, {conv, mul});
      });
      rewriter.eraseOp(mul);
      return success();
    }
    return failure();
  }
};

struct FoldGateIntoConvPass : impl::FoldGateIntoConvBase<FoldGateIntoConvPass> {
  using FoldGateIntoConvBase::FoldGateIntoConvBase;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldChannelGate>(&getContext(), recordFusion);
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

}  // namespace
}  // namespace mlir::edge
