// Prepare-time plans of the compute-heavy kernels (Gemm, MatMul, Conv, the pools), shared
// by the float and integer ref implementations and the faster ISA-specific ones so all
// validate a call identically.
//
// The parse functions are defined in ref/linalg.cpp, ref/conv.cpp and ref/pool.cpp (compiled for the
// baseline ISA). Keep this header free of inline code: it is also included by files
// compiled with other ISA flags.
#pragma once

#include <cstdint>
#include <vector>

#include "kernel.h"

namespace edgec::rt::ref {

// A fused activation epilogue: Relu and Clip are both a clamp, "none" is (-inf, +inf).
// A fused epilogue: a clamp to [lo, hi] (Relu, Clip), or a function that only float Conv
// kernels apply (edge-fuse-epilogue): Sigmoid, SiLU = x * sigmoid(x), HardSwish.
enum class ActKind { Clamp, Sigmoid, Silu, HardSwish };
struct Activation {
  bool enabled = false;
  ActKind kind = ActKind::Clamp;
  float lo = 0.f;
  float hi = 0.f;
};
// Reads the `activation`, `act_min`, `act_max` attributes. Only clamps unless
// `functions` (the float Conv kernels): any other kind is an error naming the node.
Activation parseActivation(const KernelSignature &sig, bool functions = false);

struct GemmPlan {
  int64_t M = 0, N = 0, K = 0;
  bool transA = false, transB = false;
  float alpha = 1.f, beta = 1.f;
  bool hasC = false;
  int64_t cRowStride = 0, cColStride = 0;  // C broadcast over [M, N] (0 on broadcast dims)
  Activation act;
};
// Inputs A, B, C?; output Y [M, N]. B's dtype is checked (f32) unless `floatB` is false:
// a weight-only Gemm's B holds packed codes (ref/blockwise.h).
GemmPlan parseGemm(const KernelSignature &sig, bool floatB = true);

struct MatMulPlan {
  int64_t M = 0, N = 0, K = 0;
  // Element offsets of the A and B matrices for each output matrix (batch broadcast).
  std::vector<int64_t> aOffsets, bOffsets;
  Activation act;
};
// Inputs A, B (numpy matmul semantics, 1-D operands promoted); output Y.
MatMulPlan parseMatMul(const KernelSignature &sig);

struct ConvPlan {
  int64_t batch = 0, inChannels = 0, outChannels = 0, group = 1;
  std::vector<int64_t> inSpatial, outSpatial, kernel, strides, dilations, padsBegin;
  int64_t inSize = 1, outSize = 1, kernelSize = 1;  // products of the spatial dims
  bool hasBias = false;
  bool hasResidual = false;  // Y = act(conv + B + R), edge-fuse-conv-residual
  Activation act;
  // The compiler's thread_split is "channels" (edge-plan-thread-split: an expansion that
  // depthwise convs read), and EDGEC_NO_THREAD_SPLIT does not ask the kernels to ignore it
  // (to measure their own split on the same package). A schedule: the bits are the same.
  bool splitChannels = false;
};
// Inputs X [N, C, D...], W [M, C/group, k...], B? [M], R? (Y's shape); output Y [N, M, O...].
// `functions`: the float Conv kernels, which also apply Sigmoid, SiLU and HardSwish
// epilogues (parseActivation) and take a residual R.
ConvPlan parseConv(const KernelSignature &sig, bool functions = false);

// The operands Conv and ConvTranspose share, checked: inputs X [N, C, D...], W of X's
// rank, optional B, output Y, all f32 (`op` names the kernel in the dtype error); up to
// `maxInputs` inputs.
struct ConvOperands {
  const TensorView &x, &w;
  const TensorView *b;
  const TensorView &y;
};
ConvOperands requireConvOperands(const KernelSignature &sig, const char *op, size_t maxInputs = 3);
// A spatial attribute of `n` values (each `def` when absent), none below `minValue`.
std::vector<int64_t> spatialAttr(const KernelSignature &sig, const char *name, size_t n, int64_t def,
                                 int64_t minValue);

// Where each kernel tap of a conv reads its input, for the ref kernels' direct loops:
// the taps' spatial coordinates decoded once (init), then per output position the input
// offsets (inside one channel plane) of every tap, -1 for a tap in the padding.
struct ConvTaps {
  std::vector<int64_t> kernelCoords;  // [kernelSize][nd]
  std::vector<int64_t> inStrides;     // of the input's spatial dims
  void init(const ConvPlan &p);
  void compute(const ConvPlan &p, const std::vector<int64_t> &pos, std::vector<int64_t> &taps) const;
};

// The windows of MaxPool/AveragePool (attributes kernel_shape, strides, dilations, pads;
// the output shape encodes ceil_mode), enumerated once per output position.
struct PoolWindows {
  int64_t planes = 0;  // N * C
  int64_t inSize = 0, outSize = 0;
  std::vector<int64_t> begin;    // windows in CSR form: offsets[begin[o] .. begin[o + 1])
  std::vector<int64_t> offsets;  // input offsets (inside one plane) of valid taps
  std::vector<int64_t> padded;   // per window: taps inside input + explicit pads
};
// Input X [N, C, D...], output Y of X's dtype; validates attributes and shapes.
PoolWindows parsePool(const KernelSignature &sig);
// GlobalAveragePool's mean of one plane of n floats, in its defined order (ref/pool.cpp):
// SqueezeExcitation's ref kernel pools with it too.
float planeMean(const float *x, int64_t n);

}  // namespace edgec::rt::ref
