// edge-fuse-activation: Conv -> Relu / Clip(const, const) becomes one Conv whose
// kernel applies the activation in its epilogue.
#include <limits>

#include "edge/ConstantData.h"
#include "edge/FusionRecord.h"
#include "edge/Passes.h"
#include "mlir/IR/Matchers.h"
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
    float bounds[2] = {-std::numeric_limits<float>::infinity(),
                       std::numeric_limits<float>::infinity()};
    Value operands[2] = {clip.getMin(), clip.getMax()};
    for (int i = 0; i < 2; ++i) {
      if (!operands[i]) continue;
      ElementsAttr value;
      if (!matchPattern(operands[i], m_Constant(&value))) return failure();
      // Empty for element types constantAsDoubles cannot read (f16, bf16): don't fuse
      // rather than abort in .at(0).
      std::vector<double> v = constantAsDoubles(value);
      if (v.empty()) return failure();
      bounds[i] = static_cast<float>(v[0]);
    }
    setActivation(rewriter, conv, "Clip", bounds[0], bounds[1]);
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
