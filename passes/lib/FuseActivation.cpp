// edge-fuse-activation: Conv -> Relu / Clip(const, const) becomes one Conv whose
// kernel applies the activation in its epilogue.
#include "ConvActivationPatterns.h"
#include "edge/FusionRecord.h"
#include "edge/Passes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::edge {
#define GEN_PASS_DEF_FUSEACTIVATION
#include "edge/Passes.h.inc"

namespace {

// The Conv producing `v`, if `accept` takes it, it has no other user and no activation
// yet, and it has `v`'s type.
ConvOp fusableConv(Value v, Type type, bool (*accept)(ConvOp)) {
  auto conv = v.getDefiningOp<ConvOp>();
  if (!conv || !conv->hasOneUse() || !conv.getActivation().empty() || conv.getType() != type || !accept(conv))
    return nullptr;
  return conv;
}

void fuse(PatternRewriter &rewriter, ConvOp conv, Operation *act, StringRef kind, float lo, float hi,
          bool record) {
  rewriter.modifyOpInPlace(conv, [&] {
    conv.setActivation(kind);
    conv.setActMin(APFloat(lo));
    conv.setActMax(APFloat(hi));
  });
  if (record) recordFusion(conv, {conv, act});
  rewriter.replaceOp(act, conv.getResult());
}

struct FuseRelu : OpRewritePattern<ReluOp> {
  FuseRelu(MLIRContext *ctx, bool record, bool (*accept)(ConvOp))
      : OpRewritePattern(ctx), record(record), accept(accept) {}
  bool record;  // edge.fused for --report-fusion
  bool (*accept)(ConvOp);
  LogicalResult matchAndRewrite(ReluOp relu, PatternRewriter &rewriter) const override {
    ConvOp conv = fusableConv(relu.getInput(), relu.getType(), accept);
    if (!conv) return failure();
    fuse(rewriter, conv, relu, "Relu", 0.0f, 0.0f, record);
    return success();
  }
};

struct FuseClip : OpRewritePattern<ClipOp> {
  FuseClip(MLIRContext *ctx, bool record, bool (*accept)(ConvOp))
      : OpRewritePattern(ctx), record(record), accept(accept) {}
  bool record;  // edge.fused for --report-fusion
  bool (*accept)(ConvOp);
  LogicalResult matchAndRewrite(ClipOp clip, PatternRewriter &rewriter) const override {
    ConvOp conv = fusableConv(clip.getInput(), clip.getType(), accept);
    if (!conv) return failure();
    std::optional<std::array<float, 2>> bounds = clip.getConstantBounds();
    if (!bounds) return failure();
    fuse(rewriter, conv, clip, "Clip", (*bounds)[0], (*bounds)[1], record);
    return success();
  }
};

struct FuseActivationPass : impl::FuseActivationBase<FuseActivationPass> {
  using FuseActivationBase::FuseActivationBase;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateConvActivationPatterns(patterns, recordFusion, [](ConvOp) { return true; });
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

}  // namespace

void populateConvActivationPatterns(RewritePatternSet &patterns, bool recordFusion, bool (*accept)(ConvOp)) {
  patterns.add<FuseRelu, FuseClip>(patterns.getContext(), recordFusion, accept);
}

}  // namespace mlir::edge
