// Half-precision tensors for kernels that compute in f32 only (`edgec compile --precision
// fp16`): f16 storage, f32 arithmetic, as on CPUs without fp16 math.
//
// A call whose kernel refuses its f16 signature at prepare is given an F16Adapter: the
// same op prepared on f32 twins of its f16 tensors. Constant f16 inputs (weights) are
// converted once at prepare, so the f32 kernel packs them as usual; at run time each
// f16 input is converted into scratch, the f32 kernel runs, and each f16 output is
// converted back (round to nearest even). The results are the f32 kernel's on the
// f16-rounded inputs, rounded to f16 once. Kernels that handle f16 themselves (the
// byte-moving ones, Cast, Min/Max/...) never see the adapter.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "kernel.h"

namespace edgec::rt {

// Whether any tensor of `sig` is f16.
bool hasF16Tensor(const KernelSignature &sig);

// The adapter for `sig`'s op over the ISAs in `isas` (prepare() throws the f32 kernel's
// error if that one refuses too).
std::unique_ptr<Kernel> makeF16Adapter(const std::vector<Isa> &isas);

// Bit conversions (round to nearest even, overflow gives infinity). A NaN keeps its sign
// and its payload's top bits and comes out quiet: f16 -> f32 gives sign | 0x7fc00000 |
// mant << 13, f32 -> f16 sign | 0x7e00 | mant >> 13 (what F16C's vcvtph2ps/vcvtps2ph and
// ARM's fcvt do; ref/util.h's conversions agree).
float halfBitsToFloat(uint16_t h);
uint16_t floatToHalfBits(float f);
void halfToFloat(const uint16_t *in, float *out, size_t n);
void floatToHalf(const float *in, uint16_t *out, size_t n);

// Array conversions, the fastest of the ISAs in `isas` that the CPU runs (F16C on x86,
// bit-exact with the scalar ones above, which are the fallback).
struct F16Convert {
  void (*toFloat)(const uint16_t *in, float *out, size_t n);
  void (*toHalf)(const float *in, uint16_t *out, size_t n);
};
F16Convert f16ConvertFor(const std::vector<Isa> &isas);

}  // namespace edgec::rt
