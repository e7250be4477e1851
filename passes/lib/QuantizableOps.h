// Which edge ops compute on quantized values, shared by edge-quantize (which puts
// quantize/dequantize pairs around them) and edge-fold-qdq (which folds the pairs into
// the op). The list is the ref integer kernels' (runtime/kernels/README.md).
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

#include "edge/EdgeDialect.h"
#include "edge/QuantTypes.h"

namespace mlir::edge {

enum class FoldKind {
  None,          // stays float (Softmax, the norms, ...)
  Requantizing,  // has an integer kernel that may give its result a scale of its own
  Passthrough,   // moves values: its result keeps its input's parameters
};

inline FoldKind foldKind(Operation *op) {
  if (isa<ConvOp, MatMulOp, GemmOp, AddOp, SubOp, MulOp, ConcatOp, AveragePoolOp, GlobalAveragePoolOp, ReluOp,
          LeakyReluOp, SigmoidOp, TanhOp, HardSigmoidOp, HardSwishOp, EluOp, ExpOp, ErfOp, SoftplusOp, NegOp, AbsOp>(op))
    return FoldKind::Requantizing;
  // Max pools requantize too, but their range is their input's: keeping its parameters
  // saves the rescale.
  if (isa<ReshapeOp, TransposeOp, SliceOp, GatherOp, ExpandOp, TileOp, MaxPoolOp, GlobalMaxPoolOp>(op))
    return FoldKind::Passthrough;
  return FoldKind::None;
}

// A location named `<name of op's location><suffix>` (a package tensor takes its name from
// it), or `loc` itself when it has no name.
inline Location derivedLoc(Location loc, StringRef suffix) {
  if (auto name = dyn_cast<NameLoc>(loc)) return NameLoc::get(StringAttr::get(loc.getContext(), name.getName().str() + suffix.str()));
  return loc;
}

// Symmetric int8 per-channel quantization of row-major `real` of `shape` along `axis`, as
// static and dynamic INT8 quantize weights: scale max|w| / 127 per index of `axis` (1 for
// an all-zero channel), codes round half to even, clamped to [-127, 127]. `params` gets the
// scales, zero points 0 and the axis.
inline std::vector<int8_t> quantizeSymmetricInt8(ArrayRef<double> real, ArrayRef<int64_t> shape, int64_t axis,
                                                 UniformParams &params) {
  const int64_t channels = shape[size_t(axis)];
  int64_t inner = 1;
  for (int64_t d : shape.drop_front(axis + 1)) inner *= d;
  auto channelOf = [&](size_t i) { return size_t((int64_t(i) / inner) % channels); };
  std::vector<double> maxAbs(static_cast<size_t>(channels), 0.0);
  for (size_t i = 0; i < real.size(); ++i) maxAbs[channelOf(i)] = std::max(maxAbs[channelOf(i)], std::fabs(real[i]));
  params = UniformParams();
  params.axis = axis;
  for (double m : maxAbs) params.scales.push_back(m > 0 ? m / 127.0 : 1.0);
  params.zeroPoints.assign(static_cast<size_t>(channels), 0);
  std::vector<int8_t> codes(real.size());
  for (size_t i = 0; i < real.size(); ++i)
    codes[i] = int8_t(std::clamp(std::nearbyint(real[i] / params.scales[channelOf(i)]), -127.0, 127.0));
  return codes;
}

}  // namespace mlir::edge
