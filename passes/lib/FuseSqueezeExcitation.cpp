// edge-fuse-squeeze-excitation: GlobalAveragePool -> 1x1 Conv -> 1x1 Conv -> gate -> Mul
// by the pooled tensor becomes one edge.SqueezeExcitation (see Passes.td for the chain
// matched). Runs after edge-fuse-epilogue, so the Convs carry their activations.
#include "ConvFusionUtils.h"
#include "edge/FusionRecord.h"
#include "edge/Passes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::edge {
#define GEN_PASS_DEF_FUSESQUEEZEEXCITATION
#include "edge/Passes.h.inc"

namespace {

// An f32 Conv on `input` with one use that is a 1x1 matrix product of a [N, C, 1...] map:
// group 1, a bias or none, weights [M, C, 1...], unit strides and dilations, no pads.
ConvOp pointwiseConv(Value v, Value input) {
  auto conv = v.getDefiningOp<ConvOp>();
  if (!conv || conv.getInput() != input || !conv->hasOneUse() || conv.getGroup() != 1) return nullptr;
  for (Value operand : conv->getOperands())
    if (!isStaticF32(operand)) return nullptr;
  if (!isStaticF32(conv.getOutput())) return nullptr;
  auto w = cast<RankedTensorType>(conv.getWeight().getType()).getShape();
  if (!allEqual(w.drop_front(2), 1) || !allEqual(conv.getStrides(), 1) || !allEqual(conv.getDilations(), 1) ||
      !llvm::all_of(conv.getPads(), [](int64_t p) { return p == 0; }))
    return nullptr;
  return conv;
}

struct FuseSqueezeExcitationBlock : OpRewritePattern<MulOp> {
  FuseSqueezeExcitationBlock(MLIRContext *ctx, bool record) : OpRewritePattern(ctx), record(record) {}
  bool record;

  LogicalResult matchAndRewrite(MulOp mul, PatternRewriter &rewriter) const override {
    for (int i = 0; i < 2; ++i) {
      Value x = mul->getOperand(i), gateValue = mul->getOperand(1 - i);
      if (!isStaticF32(x) || mul.getType() != x.getType() || cast<RankedTensorType>(x.getType()).getRank() < 3)
        continue;
      // The gate: a Conv with a fused Sigmoid, or a HardSigmoid of a Conv.
      Operation *gateOp = gateValue.getDefiningOp();
      if (!gateOp || !gateOp->hasOneUse()) continue;
      StringRef gate;
      float alpha = 0.2f, beta = 0.5f;
      Value expandValue = gateValue;
      if (auto hs = dyn_cast<HardSigmoidOp>(gateOp)) {
        gate = "HardSigmoid";
        alpha = hs.getAlpha().convertToFloat();
        beta = hs.getBeta().convertToFloat();
        expandValue = hs.getInput();
        if (!isStaticF32(expandValue) || hs.getType() != expandValue.getType()) continue;
      } else if (auto conv = dyn_cast<ConvOp>(gateOp); conv && conv.getActivation() == "Sigmoid") {
        gate = "Sigmoid";
      } else {
        continue;
      }
      // The chain from x: pool, reduce, expand.
      ConvOp expand = expandValue.getDefiningOp<ConvOp>();
      if (!expand) continue;
      ConvOp reduce = expand.getInput().getDefiningOp<ConvOp>();
      if (!reduce) continue;
      auto pool = reduce.getInput().getDefiningOp<GlobalAveragePoolOp>();
      if (!pool || pool.getInput() != x || !pool->hasOneUse() || !isStaticF32(pool.getOutput())) continue;
      if (!pointwiseConv(reduce.getOutput(), pool.getOutput()) || !pointwiseConv(expand.getOutput(), reduce.getOutput()))
        continue;
      // The expand Conv's activation is the gate's Sigmoid or none (HardSigmoid after it).
      if (expand.getActivation() != (gate == "Sigmoid" ? "Sigmoid" : "")) continue;
      // One gate per channel of x: expand gives [N, C, 1...], which broadcasts over x.
      auto xShape = cast<RankedTensorType>(x.getType()).getShape();
      auto sShape = cast<RankedTensorType>(expandValue.getType()).getShape();
      if (sShape.size() != xShape.size() || sShape[0] != xShape[0] || sShape[1] != xShape[1] ||
          !allEqual(sShape.drop_front(2), 1))
        continue;

      Location loc = mul.getLoc();
      auto fused = rewriter.create<SqueezeExcitationOp>(
          loc, mul.getType(), x, reduce.getWeight(), biasOf(reduce, rewriter), expand.getWeight(),
          biasOf(expand, rewriter), reduce.getActivationAttr(), reduce.getActMinAttr(), reduce.getActMaxAttr(),
          rewriter.getStringAttr(gate), rewriter.getF32FloatAttr(alpha), rewriter.getF32FloatAttr(beta));
      SmallVector<Operation *> parts{pool, reduce, expand};
      if (gateOp != expand.getOperation()) parts.push_back(gateOp);
      parts.push_back(mul);
      if (record) recordFusion(fused, parts);
      rewriter.replaceOp(mul, fused.getResult());
      for (auto it = parts.rbegin() + 1; it != parts.rend(); ++it) rewriter.eraseOp(*it);
      return success();
    }
    return failure();
  }
};

struct FuseSqueezeExcitationPass : impl::FuseSqueezeExcitationBase<FuseSqueezeExcitationPass> {
  using FuseSqueezeExcitationBase::FuseSqueezeExcitationBase;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseSqueezeExcitationBlock>(&getContext(), recordFusion);
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

}  // namespace
}  // namespace mlir::edge
