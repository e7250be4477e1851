// Integer LayerNormalization (X quantized per tensor to 8 bits; Y per-tensor 8-bit codes
// or f32): the plan and the arithmetic that the ref kernel (ref/normalization.cpp)
// defines and the x86 ones (x86/layernorm_q8_driver.inc) repeat lane for lane. Plain
// data and out-of-line functions, so the ISA files include nothing inline from ref/.
//
// The bits (runtime/kernels/README.md, "Integer LayerNormalization"): per row of n codes
// c, S1 = Σc and S2 = Σc² exactly (int64); the row factor, in double,
//   var = (n S2 − S1²) · sx² / n²,  r = f32(sx / (n · sqrt(var + ε)))
// (x − mean = sx (n c − S1) / n, whatever X's zero point); per element d = n c − S1
// (int32), t = f32(d) · r, then with the channel's g and b (f32, each operation rounded
// on its own): codes: v = t · g + b, where g = γ / sy and b = β / sy + zy (f32 at
// prepare), clamped to Y's range (NaN to its lowest code) and rounded half to even;
// f32: y = t · γ + β (β = 0 without B).
#pragma once

#include <cstdint>
#include <vector>

#include "kernel.h"

namespace edgec::rt::ref {

struct LayerNormCodesPlan {
  int64_t outer = 0, norm = 0;
  bool xU8 = false;          // X's codes u8 (else i8)
  bool yCodes = false;       // Y quantized (else f32)
  bool yU8 = false;          // Y's codes u8 (else i8)
  float lo = 0.f, hi = 0.f;  // Y's code range
  double sx = 1.0, epsilon = 1e-5;
  float sy = 1.f, zy = 0.f;  // Y's scale and zero point (codes)
  bool hasBias = false;
  // Index into Scale / B for each element of the normalized block (their broadcast).
  std::vector<int64_t> scaleIndex, biasIndex;
  // Per element of the normalized block: g and b (see the top of the file). Filled at
  // prepare when Scale and B are constants (`channelsReady`), else by fillChannels.
  std::vector<float> g, b;
  bool channelsReady = false;
  ~LayerNormCodesPlan();  // out of line: no std::vector code instantiated in an ISA file
};

// Validates a LayerNormalization call on codes (X per-tensor i8/u8; Scale, B f32; one
// output Y, per-tensor i8/u8 or f32, of X's shape) and plans it.
void parseLayerNormCodesInto(const KernelSignature &sig, LayerNormCodesPlan *p);
// g and b from Scale and B (run time, when they are not constants).
void fillLayerNormCodesChannels(LayerNormCodesPlan *p, const float *scale, const float *bias);
// The row factor r from S1 and S2.
float layerNormCodesFactor(const LayerNormCodesPlan &p, int64_t s1, int64_t s2);
// One element: the code (Y quantized) or the value (Y f32) from d = n c − S1.
int32_t layerNormCode(const LayerNormCodesPlan &p, int32_t d, float r, int64_t i);
float layerNormValue(const LayerNormCodesPlan &p, int32_t d, float r, int64_t i);
// Whether a LayerNormalization call is one on codes (its X is quantized).
bool isLayerNormCodesCall(const KernelSignature &sig);

}  // namespace edgec::rt::ref
