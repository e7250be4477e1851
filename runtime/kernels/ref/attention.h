// ScaledDotProductAttention (the op edge-fuse-attention creates): the plan that the ref
// kernel (ref/attention.cpp) and the x86 one (x86/attention_f32_avx2.cpp) share. Plain
// data and an out-of-line parser, so the ISA file includes nothing inline from ref/.
#pragma once

#include <cstdint>
#include <vector>

#include "kernel.h"

namespace edgec::rt::ref {

// A quantized (per-tensor, i8 or u8) operand or result of the op: real = scale * (q -
// zero). `on` false: the tensor is f32.
struct SdpaQuant {
  bool on = false;
  bool u8 = false;               // else i8
  float scale = 1.f;
  int32_t zero = 0;
  int32_t qmin = 0, qmax = 0;    // the dtype's range
};

struct SdpaPlan {
  int64_t batch = 1;            // product of the batch dims B...
  int64_t S = 0, T = 0, D = 0, Dv = 0;
  bool keyTransposed = false;   // K is [B..., D, T] (else [B..., T, D])
  float qScale = 1.f, kScale = 1.f, scale = 1.f;
  bool qDivide = false, kDivide = false, scaleDivide = false;
  bool hasMask = false;
  // The integer path (attribute integer = 1; Q, K and V quantized): see
  // attention.cpp. intScale is c, the scores' factor (the operands' scales and every
  // scale step), intScaleLog2 c * log2(e); outFactor the result's factor per unit of
  // sum(e * (v - zero)) / sum(e): V's scale (f32 result) or V's scale / the result's.
  bool integer = false;
  float intScale = 0.f, intScaleLog2 = 0.f, outFactor = 0.f;
  // Quantized Q, K, V (each dequantized as ref DequantizeLinear, float(q - zero) * scale,
  // before its scale step) and result (quantized as ref QuantizeLinear): edge-fuse-attention
  // folds the DequantizeLinear / QuantizeLinear at a static INT8 attention's boundaries.
  SdpaQuant qQuant, kQuant, vQuant, yQuant;
  // Element offset of batch item b's [S, T] mask view, and its row/column strides (0
  // along broadcast dims).
  std::vector<int64_t> maskOffsets;
  int64_t maskRowStride = 0, maskColStride = 0;
  // Whether each scale step does anything: `* 1` is no step (x * 1 == x, bit for bit).
  bool qScaled() const { return qDivide || qScale != 1.f; }
  bool kScaled() const { return kDivide || kScale != 1.f; }
  bool scoresScaled() const { return scaleDivide || scale != 1.f; }
  // Out of line (attention.cpp, baseline code): no copy of std::vector's code is
  // instantiated in the ISA file that holds a plan.
  ~SdpaPlan();
};

// Validates a ScaledDotProductAttention call (inputs Q, K, V, mask?; Q, K, V and the
// result f32 or per-tensor quantized i8/u8 each, the mask f32) and plans it.
SdpaPlan parseSdpa(const KernelSignature &sig);

// The integer path's probability codes: e = round(255 * 2^t) for t = x * log2(e) <= 0
// (the exponent of a softmax numerator, in base 2), by fixed operations that the x86
// kernels repeat lane for lane: t below -9 (or NaN) taken as -9, n = t rounded to
// nearest (ties to even), f = t - n, p = ((c3 f + c2) f + c1) f + 255 (fused
// multiply-adds; 255 * 2^f within 0.03 on [-0.5, 0.5]), e = round-half-even(p * 2^n),
// at most 255. e(0) = 255; every t <= -9 gives 0 (255 * 2^-9 < 0.5).
constexpr float kSdpaExpC1 = 176.74586486816406f, kSdpaExpC2 = 61.770652770996094f,
                kSdpaExpC3 = 14.260140419006348f, kSdpaExpFloor = -9.f;
constexpr float kSdpaLog2e = 1.44269504088896341f;
int32_t sdpaExpCode(float t);
// The same, into *p (for the x86 kernel: the assignment stays in baseline code).
void parseSdpaInto(const KernelSignature &sig, SdpaPlan *p);

}  // namespace edgec::rt::ref
