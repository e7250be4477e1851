// Prepare-time plans and accepts predicates of the x86 f32 kernels for the ops CNNs and
// transformers spend time in outside the matmuls: broadcasting binary arithmetic, the
// pools, Softmax/LogSoftmax, LayerNormalization and the innermost reductions.
//
// Defined in x86_f32_plans.cpp, which is compiled for the baseline ISA (and so lives
// outside x86/, whose objects test/lit/Runtime/isa-isolation.test treats as ISA code): the plans are
// computed (and calls validated) with ref's helpers there, and handed to the ISA files
// as plain structs with fixed arrays, so no std::vector or other template code is
// instantiated in an ISA file (test/lit/Runtime/isa-isolation.test). Keep this header
// free of inline code.
#pragma once

#include <cstdint>

#include "kernel.h"

namespace edgec::rt::x86 {

// A binary broadcast as ref's strided loop sees it: the output's dims of size > 1, with
// adjacent dims merged wherever every operand is contiguous across them, so the common
// cases become (outer, inner) runs: same shape [n], scalar [n] with b's step 0,
// per-channel [N*C, H*W] with b's inner step 0, row broadcast [M, D] with b's outer step 0.
struct BinaryPlanF32 {
  static constexpr int kMaxRank = 8;
  int rank = 0;  // 0: a single element
  int64_t shape[kMaxRank] = {};
  int64_t strideA[kMaxRank] = {}, strideB[kMaxRank] = {};  // element strides, 0 where broadcast
  int64_t numel = 1;
};
// Whether the x86 binary kernels take the call: Add, Sub, Mul, Div, Max, Min with two
// f32 inputs (none quantized) broadcasting to the f32 output, and at most kMaxRank dims
// after merging. Fills `plan` when given.
bool planBinaryF32(const KernelSignature &sig, BinaryPlanF32 *plan);
bool acceptsBinaryF32(const KernelSignature &sig);

// A 2-D MaxPool/AveragePool over NCHW f32 (pads and the ceil_mode output size as ref's
// parsePool checks them).
struct Pool2dPlanF32 {
  static constexpr int64_t kMaxKernelH = 64;  // the kernel's rows are listed on its stack
  int64_t planes = 0, H = 0, W = 0, OH = 0, OW = 0;
  int64_t kh = 1, kw = 1, sh = 1, sw = 1, dh = 1, dw = 1;
  int64_t padT = 0, padL = 0, padB = 0, padR = 0;
  bool countIncludePad = false;
};
// Throws (ref's message) for a call ref would refuse; the accepts predicate returns false
// for those and for everything but 4-D f32 without an Indices output and with at most
// kMaxKernelH kernel rows.
void planPool2dF32(const KernelSignature &sig, Pool2dPlanF32 *plan);
bool acceptsPool2dF32(const KernelSignature &sig);

// GlobalAveragePool / GlobalMaxPool over f32 [N, C, D...]: planes of `size` elements.
struct GlobalPoolPlanF32 {
  int64_t planes = 0, size = 0;
};
void planGlobalPoolF32(const KernelSignature &sig, GlobalPoolPlanF32 *plan);
bool acceptsGlobalPoolF32(const KernelSignature &sig);

// Softmax / LogSoftmax over f32 X viewed as [outer, n, inner] (n along the axis).
struct SoftmaxPlanF32 {
  int64_t outer = 0, n = 0, inner = 0;
};
void planSoftmaxF32(const KernelSignature &sig, SoftmaxPlanF32 *plan);  // throws as ref
bool acceptsSoftmaxF32(const KernelSignature &sig);

// LayerNormalization over f32 X viewed as [outer, norm], with Scale and B (if present)
// holding `norm` values each (their shape the normalized dims', leading 1s allowed: other
// broadcasts go to ref); Mean and InvStdDev outputs optional.
struct LayerNormPlanF32 {
  int64_t outer = 0, norm = 0;
  float epsilon = 1e-5f;
  bool hasBias = false;
};
void planLayerNormF32(const KernelSignature &sig, LayerNormPlanF32 *plan);  // throws as ref
bool acceptsLayerNormF32(const KernelSignature &sig);

// ReduceMean/Sum/SumSquare/Max/Min over f32 X whose reduced axes (dims of size 1 aside)
// are adjacent: X viewed as [outer, n, inner] (n the reduced elements), one output per
// (outer, inner) position; inner = 1 when the reduced axes are the innermost.
struct ReducePlanF32 {
  int64_t outer = 0, n = 0, inner = 1;
};
void planReduceF32(const KernelSignature &sig, ReducePlanF32 *plan);  // throws as ref
bool acceptsReduceF32(const KernelSignature &sig);

// ConvTranspose over f32 X [N, C, H, W] (or [N, C, W], taken as H = 1), W [C, M/group,
// kh, kw], B? [M] → Y [N, M, OH, OW], with ref's checks (pads begin/end, output_padding
// only through Y's shape).
struct ConvTransposePlanF32 {
  int64_t batch = 0, inChannels = 0, outChannels = 0, group = 1;
  int64_t H = 1, W = 1, OH = 1, OW = 1, kh = 1, kw = 1;
  int64_t sh = 1, sw = 1, dh = 1, dw = 1, padT = 0, padL = 0;
  bool hasBias = false;
};
void planConvTransposeF32(const KernelSignature &sig, ConvTransposePlanF32 *plan);  // throws as ref
// 1-D and 2-D f32 calls (no quantized tensors, no empty dims) that ref would take.
bool acceptsConvTransposeF32(const KernelSignature &sig);

}  // namespace edgec::rt::x86
