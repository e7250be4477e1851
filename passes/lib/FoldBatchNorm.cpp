// edge-fold-batchnorm: BatchNormalization(Conv(x, W, b)) with constant parameters
// becomes Conv(x, W', b') (see Passes.td for the formula).
#include <cmath>
#include <cstring>

#include "edge/ConstantData.h"
#include "edge/FusionRecord.h"
#include "edge/Passes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::edge {
#define GEN_PASS_DEF_FOLDBATCHNORM
#include "edge/Passes.h.inc"

namespace {

std::optional<std::vector<double>> constantValues(Value v) {
  ElementsAttr attr;
  if (!v || !matchPattern(v, m_Constant(&attr))) return std::nullopt;
  return constantAsDoubles(attr);
}

Value makeF32Constant(PatternRewriter &rewriter, Location loc, RankedTensorType type,
                      const std::vector<double> &values, StringRef name) {
  std::vector<uint8_t> bytes(values.size() * sizeof(float));
  for (size_t i = 0; i < values.size(); ++i) {
    float f = static_cast<float>(values[i]);
    std::memcpy(bytes.data() + i * sizeof f, &f, sizeof f);
  }
  return rewriter.create<ConstantOp>(loc, type, makeConstantAttr(type, bytes, name));
}

struct FoldIntoConv : OpRewritePattern<BatchNormalizationOp> {
  FoldIntoConv(MLIRContext *ctx, bool record) : OpRewritePattern(ctx), record(record) {}
  bool record;  // edge.fused for --report-fusion
  LogicalResult matchAndRewrite(BatchNormalizationOp bn, PatternRewriter &rewriter) const override {
    auto conv = bn.getInput().getDefiningOp<ConvOp>();
    if (!conv || !conv->hasOneUse() || !conv.getActivation().empty() || conv.getResidual()) return failure();
    auto weightType = cast<RankedTensorType>(conv.getWeight().getType());
    if (!weightType.getElementType().isF32()) return failure();
    auto w = constantValues(conv.getWeight());
    auto gamma = constantValues(bn.getScale()), beta = constantValues(bn.getBias());
    auto mean = constantValues(bn.getMean()), var = constantValues(bn.getVar());
    if (!w || !gamma || !beta || !mean || !var) return failure();
    int64_t channels = weightType.getDimSize(0);
    std::vector<double> bias(channels, 0.0);
    if (conv.getBias()) {
      auto b = constantValues(conv.getBias());
      if (!b) return failure();
      bias = *b;
    }
    // constantAsDoubles yields no values for element types it cannot read (f16, bf16
    // BN parameters are legal) or for a dense_resource without its blob: indexing
    // them would read out of bounds, so leave such a BN alone.
    auto sized = [](const std::vector<double> &v, int64_t n) { return int64_t(v.size()) == n; };
    if (!sized(*w, weightType.getNumElements()) || !sized(bias, channels) ||
        !sized(*gamma, channels) || !sized(*beta, channels) || !sized(*mean, channels) ||
        !sized(*var, channels))
      return failure();
    int64_t perChannel = weightType.getNumElements() / channels;
    double eps = bn.getEpsilon().convertToDouble();
    for (int64_t c = 0; c < channels; ++c) {
      double s = (*gamma)[c] / std::sqrt((*var)[c] + eps);
      for (int64_t i = 0; i < perChannel; ++i) (*w)[c * perChannel + i] *= s;
      bias[c] = (bias[c] - (*mean)[c]) * s + (*beta)[c];
    }
    Location loc = bn.getLoc();
    Value newWeight = makeF32Constant(rewriter, loc, weightType, *w, "folded_weight");
    auto biasType = RankedTensorType::get({channels}, weightType.getElementType());
    Value newBias = makeF32Constant(rewriter, loc, biasType, bias, "folded_bias");
    auto folded = rewriter.create<ConvOp>(
        conv.getLoc(), bn.getType(), conv.getInput(), newWeight, newBias, /*residual=*/Value(), conv.getStridesAttr(),
        conv.getPadsAttr(), conv.getDilationsAttr(), conv.getGroupAttr(), conv.getActivationAttr(),
        conv.getActMinAttr(), conv.getActMaxAttr(), /*conv_scale=*/nullptr, /*conv_zero_point=*/nullptr,
        /*table_ops=*/nullptr, /*table_args=*/nullptr, /*table_params=*/nullptr, /*thread_split=*/nullptr);
    if (record) recordFusion(folded, {conv, bn});
    rewriter.replaceOp(bn, folded.getResult());
    rewriter.eraseOp(conv);
    return success();
  }
};

struct FoldBatchNormPass : impl::FoldBatchNormBase<FoldBatchNormPass> {
  using FoldBatchNormBase::FoldBatchNormBase;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldIntoConv>(&getContext(), recordFusion);
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

}  // namespace
}  // namespace mlir::edge
