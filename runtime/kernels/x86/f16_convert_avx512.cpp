// f16 <-> f32 with F16C's AVX-512 forms on 16-lane vectors (vcvtph2ps, vcvtps2ph with
// round to nearest even), 32 elements per step, the tail with masked loads and stores;
// and the x86 Cast f16 <-> f32 on them (f16_convert_cast.inc).
//
// Compiled with the x86-avx512 level's flags (F/DQ/BW/VL) and -mf16c; everything but the
// exported conversions and the Cast factory is in an anonymous namespace (see
// docs/architecture.md, "A file built with higher ISA flags").
#include <immintrin.h>

#include "kernel.h"
#include "register_kernels.h"
#include "x86/f16_convert.h"

namespace edgec::rt {
namespace {

constexpr int kRound = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;

void toFloat(const uint16_t *in, float *out, size_t n) {
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(in + i));
    const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(in + i + 16));
    _mm512_storeu_ps(out + i, _mm512_cvtph_ps(a));
    _mm512_storeu_ps(out + i + 16, _mm512_cvtph_ps(b));
  }
  for (; i < n; i += 16) {
    const __mmask16 m = n - i < 16 ? __mmask16((1u << (n - i)) - 1) : __mmask16(0xffff);
    _mm512_mask_storeu_ps(out + i, m, _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, in + i)));
  }
}

void toHalf(const float *in, uint16_t *out, size_t n) {
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m256i a = _mm512_cvtps_ph(_mm512_loadu_ps(in + i), kRound);
    const __m256i b = _mm512_cvtps_ph(_mm512_loadu_ps(in + i + 16), kRound);
    _mm256_storeu_si256(reinterpret_cast<__m256i *>(out + i), a);
    _mm256_storeu_si256(reinterpret_cast<__m256i *>(out + i + 16), b);
  }
  for (; i < n; i += 16) {
    const __mmask16 m = n - i < 16 ? __mmask16((1u << (n - i)) - 1) : __mmask16(0xffff);
    _mm256_mask_storeu_epi16(out + i, m, _mm512_cvtps_ph(_mm512_maskz_loadu_ps(m, in + i), kRound));
  }
}

#include "x86/f16_convert_cast.inc"

}  // namespace

void x86Avx512HalfToFloat(const uint16_t *in, float *out, size_t n) { toFloat(in, out, n); }
void x86Avx512FloatToHalf(const float *in, uint16_t *out, size_t n) { toHalf(in, out, n); }
Kernel *newX86Avx512CastF16() { return new CastF16(); }

}  // namespace edgec::rt
