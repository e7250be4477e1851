// Prepare-time helpers of the quantized kernels: reading and validating a tensor's
// quantization parameters, deriving fixed-point multipliers, the quantized range of a
// fused activation, and the guard of the byte-moving kernels.
//
// Defined in ref/quant_params.cpp (baseline code). Like plans.h, this header holds no
// inline code, so the faster integer kernels (x86/) can include it and share one
// validation with ref.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kernel.h"
#include "quant_math.h"
#include "ref/plans.h"

namespace edgec::rt::ref {

// A per-tensor or per-axis quantized tensor's parameters: real = scale * (q - zero point).
struct QuantParams {
  DType dtype = DType::i8;
  bool perAxis = false;
  int axis = -1;                    // per-axis: the dim the scales run along
  std::vector<float> scales;        // one (per-tensor) or dim(axis) values
  std::vector<int32_t> zeroPoints;  // as many as scales; zeros when the tensor has none
  int32_t qmin = 0, qmax = 0;       // the dtype's range (i8: -128..127, u8: 0..255, ...)
};

// True if `t` carries quantization parameters (scheme other than None).
bool isQuantized(const TensorView &t);
// True if any present input or output of `sig` is quantized per tensor or per axis: the
// `accepts` predicate of the quantized ref kernels, which share the op names of the float
// ones (a Blockwise weight-only tensor goes to ref/blockwise.h's kernels instead).
bool isQuantizedCall(const KernelSignature &sig);

enum class AxisRule {
  PerTensor,  // per-axis parameters are refused
  Any,        // per-tensor, or per-axis along any dim
};
// The `count` scales of quantized tensor `t` as floats (f32 or f16 constants), each
// positive and finite; fails naming `name` otherwise.
std::vector<float> readScales(const KernelSignature &sig, const TensorView &t, int64_t count, const std::string &name);
// The parameters of quantized tensor `t` (`what` names it in errors). Fails (kernelFail)
// if `t` is not quantized, is blockwise, per-axis where `rule` refuses it or along
// another dim than `axis` (when axis >= 0), if its dtype is not one of i8 u8 i16 i32, if
// the scale or zero-point tensors have no data (they are constants), the wrong count or
// dtype, or a scale is not positive and finite.
QuantParams readQuantParams(const KernelSignature &sig, const TensorView &t, const char *what,
                            AxisRule rule, int axis = -1);
// The scale of index i along the quantized axis (per-tensor: the one scale), as double.
double scaleAt(const QuantParams &p, int64_t i);
int32_t zeroPointAt(const QuantParams &p, int64_t i);

// quantizeMultiplier(real), failing with a message naming `what` if it is invalid.
quant::QuantizedMultiplier requireMultiplier(const KernelSignature &sig, double real,
                                             const std::string &what);
// The same for rescaling small values (|v| <= maxAbs): quant::rescaleMultiplier.
quant::RescaleMultiplier requireRescale(const KernelSignature &sig, double real, int64_t maxAbs,
                                       const std::string &what);

// The output codes a fused activation leaves (Relu: [max(qmin, zy), qmax]; Clip:
// [max(qmin, zy + round(act_min / sy)), min(qmax, zy + round(act_max / sy))], rounding
// half away from zero in double; none: [qmin, qmax]). `y` is per-tensor.
struct CodeRange {
  int32_t lo = 0, hi = 0;
};
CodeRange activationRange(const Activation &act, const QuantParams &y);

// The guard of the kernels that only move elements (Copy, Transpose, Concat, Split, Slice,
// Gather, Expand, Tile, Pad) and MaxPool: they cannot requantize, so if `x` and `y` are
// both quantized, their parameters must describe the same real values: every (scale,
// zero point) of `y` must occur in `x` (a per-tensor `x` has one; a per-axis one's axis
// Transpose, Gather, Expand or a reshape may move, and Slice, Split or Tile select or
// repeat its indices, so the check compares values, not axes), and the dtypes agree.
// Otherwise fails with "requantizing in <op> is not supported". A quantized and
// a plain tensor are not compared (the compiler decides what that means).
void requireSameQuantParams(const KernelSignature &sig, const TensorView &x, const TensorView &y);

}  // namespace edgec::rt::ref
