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
// The same, into *p (for the x86 kernel: the assignment stays in baseline code).
void parseSdpaInto(const KernelSignature &sig, SdpaPlan *p);

}  // namespace edgec::rt::ref
