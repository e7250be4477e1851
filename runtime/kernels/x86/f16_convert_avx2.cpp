// f16 <-> f32 with F16C on 8-lane vectors (vcvtph2ps, vcvtps2ph with round to nearest
// even), 16 elements per step, the tail through a zero-padded stack buffer so that it
// goes through the same instruction; and the x86 Cast f16 <-> f32 on them
// (f16_convert_cast.inc).
//
// Compiled with -mavx2 -mfma -mf16c; everything but the exported conversions and the Cast
// factory is in an anonymous namespace (see docs/architecture.md, "A file built with
// higher ISA flags").
#include <immintrin.h>

#include <cstring>

#include "kernel.h"
#include "register_kernels.h"
#include "x86/f16_convert.h"

namespace edgec::rt {
namespace {

constexpr int kRound = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;

void toFloat(const uint16_t *in, float *out, size_t n) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i *>(in + i));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i *>(in + i + 8));
    _mm256_storeu_ps(out + i, _mm256_cvtph_ps(a));
    _mm256_storeu_ps(out + i + 8, _mm256_cvtph_ps(b));
  }
  for (; i < n; i += 8) {
    const size_t m = n - i < 8 ? n - i : 8;
    alignas(16) uint16_t h[8] = {};
    alignas(32) float f[8];
    std::memcpy(h, in + i, m * sizeof(uint16_t));
    _mm256_store_ps(f, _mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i *>(h))));
    std::memcpy(out + i, f, m * sizeof(float));
  }
}

void toHalf(const float *in, uint16_t *out, size_t n) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m128i a = _mm256_cvtps_ph(_mm256_loadu_ps(in + i), kRound);
    const __m128i b = _mm256_cvtps_ph(_mm256_loadu_ps(in + i + 8), kRound);
    _mm_storeu_si128(reinterpret_cast<__m128i *>(out + i), a);
    _mm_storeu_si128(reinterpret_cast<__m128i *>(out + i + 8), b);
  }
  for (; i < n; i += 8) {
    const size_t m = n - i < 8 ? n - i : 8;
    alignas(32) float f[8] = {};
    alignas(16) uint16_t h[8];
    std::memcpy(f, in + i, m * sizeof(float));
    _mm_store_si128(reinterpret_cast<__m128i *>(h), _mm256_cvtps_ph(_mm256_load_ps(f), kRound));
    std::memcpy(out + i, h, m * sizeof(uint16_t));
  }
}

#include "x86/f16_convert_cast.inc"

}  // namespace

void x86Avx2HalfToFloat(const uint16_t *in, float *out, size_t n) { toFloat(in, out, n); }
void x86Avx2FloatToHalf(const float *in, uint16_t *out, size_t n) { toHalf(in, out, n); }
Kernel *newX86Avx2CastF16() { return new CastF16(); }

}  // namespace edgec::rt
