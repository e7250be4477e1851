// Helpers of the passes that fuse float Convs into larger ops or fold into them
// (edge-fuse-squeeze-excitation, edge-fuse-pointwise-depthwise, edge-fold-gate-into-conv),
// and of edge-plan-thread-split.
#pragma once

#include "edge/EdgeDialect.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::edge {

// A ranked tensor of static shape with f32 elements.
inline bool isStaticF32(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && t.hasStaticShape() && t.getElementType().isF32();
}

// Whether every value is `want` (a Conv's strides, dilations or pads).
inline bool allEqual(ArrayRef<int64_t> values, int64_t want) {
  return llvm::all_of(values, [want](int64_t v) { return v == want; });
}

inline ArrayRef<int64_t> weightShape(ConvOp conv) {
  return cast<RankedTensorType>(conv.getWeight().getType()).getShape();
}

// A 2-D 1x1 Conv over every position: group 1, unit strides and dilations, no pads.
inline bool isPointwiseConv(ConvOp conv) {
  ArrayRef<int64_t> w = weightShape(conv);
  return w.size() == 4 && w[2] == 1 && w[3] == 1 && conv.getGroup() == 1 && allEqual(conv.getStrides(), 1) &&
         allEqual(conv.getDilations(), 1) && allEqual(conv.getPads(), 0);
}

// A 2-D depthwise Conv: one input channel per group, one output channel per group (so, by
// the verifier, group = its input's channels).
inline bool isDepthwiseConv(ConvOp conv) {
  ArrayRef<int64_t> w = weightShape(conv);
  return w.size() == 4 && w[1] == 1 && w[0] == conv.getGroup();
}

// The Conv's bias, or a zero [M] constant: ref's Conv starts an output without a bias at
// +0.0, which is what adding a zero bias gives too.
inline Value biasOf(ConvOp conv, PatternRewriter &rewriter) {
  if (conv.getBias()) return conv.getBias();
  const int64_t m = cast<RankedTensorType>(conv.getWeight().getType()).getShape()[0];
  auto type = RankedTensorType::get({m}, rewriter.getF32Type());
  return rewriter.create<ConstantOp>(conv.getLoc(), type, DenseElementsAttr::get(type, 0.0f));
}

}  // namespace mlir::edge
