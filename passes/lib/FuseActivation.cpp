// edge-fuse-activation: Conv -> Relu / Clip(const, const) becomes one Conv whose
// kernel applies the activation in its epilogue.
#include "edge/FusionRecord.h"
#include "edge/Passes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::edge {
#define GEN_PASS_DEF_FUSEACTIVATION
#include "edge/Passes.h.inc"

namespace {

// The Conv producing `v`, if it has no other user and no activation yet.
ConvOp fusableConv(Value v) {
  auto conv = v.getDefiningOp<ConvOp>();
  if (!conv || !conv->hasOneUse() || !conv.getActivation().empty()) return nullptr;
  return conv;
}

void setActivation(PatternRewriter &rewriter, ConvOp conv, StringRef kind, float lo, float hi) {
  rewriter.modifyOpInPlace(conv, [&] {
    conv.setActivation(kind);
    conv.setActMin(APFloat(lo));
    conv.setActMax(APFloat(hi));
  });
}

struct FuseRelu : OpRewritePattern<ReluOp> {
  FuseRelu(MLIRContext *ctx, bool record) : OpRewritePattern(ctx), record(record) {}
  bool record;  // edge.fused for --report-fusion
  LogicalResult matchAndRewrite(ReluOp relu, PatternRewriter &rewriter) const override {
    ConvOp conv = fusableConv(relu.getInput());
    if (!conv) return failure();
    setActivation(rewriter, conv, "Relu", 0.0f, 0.0f);
    if (record) recordFusion(conv, {conv, relu});
    rewriter.replaceOp(relu, conv.getResult());
    return success();
  }
};

struct FuseClip : OpRewritePattern<ClipOp> {
  FuseClip(MLIRContext *ctx, bool record) : OpRewritePattern(ctx), record(record) {}
  bool record;  // edge.fused for --report-fusion
  LogicalResult matchAndRewrite(ClipOp clip, PatternRewriter &rewriter) const override {
    ConvOp conv = fusableConv(clip.getInput());
    if (!conv) return failure();
    std::optional<std::array<float, 2>> bounds = clip.getConstantBounds();
    if (!bounds) return failure();
    setActivation(rewriter, conv, "Clip", (*bounds)[0], (*bounds)[1]);
    if (record) recordFusion(conv, {conv, clip});
    rewriter.replaceOp(clip, conv.getResult());
    return success();
  }
};

struct FuseActivationPass : impl::FuseActivationBase<FuseActivationPass> {
  using FuseActivationBase::FuseActivationBase;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseRelu, FuseClip>(&getContext(), recordFusion);
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

}  // namespace
}  // namespace mlir::edge
