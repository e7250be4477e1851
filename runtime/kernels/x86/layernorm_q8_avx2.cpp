// x86 (AVX2) integer LayerNormalization (X quantized per tensor to 8 bits, Y 8-bit codes
// or f32): x86/layernorm_q8_driver.inc over 8 lanes. The same bits as ref and as the
// AVX-512 kernel. Compiled with the x86-avx2 flags and without FP contraction;
// everything but the factory stays in an anonymous namespace (see docs/architecture.md
// on ISA files).
#include <immintrin.h>

#include <algorithm>
#include <cstdint>

#include "kernel.h"
#include "ref/layernorm_codes.h"
#include "register_kernels.h"

namespace edgec::rt {
namespace {

#include "x86/vec_i32f32_avx2.inc"

struct V : VecI32F32 {
  static I loadCodes(const char *p, bool u8) {
    const __m128i b = _mm_loadl_epi64(reinterpret_cast<const __m128i *>(p));
    return u8 ? _mm256_cvtepu8_epi32(b) : _mm256_cvtepi8_epi32(b);
  }
  static I loadCodes16(const char *p, bool u8) {
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
    return u8 ? _mm256_cvtepu8_epi16(b) : _mm256_cvtepi8_epi16(b);
  }
  static I madd16(I a, I b) { return _mm256_madd_epi16(a, b); }
  static void storeCodes(char *p, I v, bool u8) {
    const __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    const __m128i b = u8 ? _mm_packus_epi16(w, w) : _mm_packs_epi16(w, w);
    _mm_storel_epi64(reinterpret_cast<__m128i *>(p), b);
  }
  using D = __m256d;
  static constexpr int64_t kDLanes = 4;
  static D set1D(double x) { return _mm256_set1_pd(x); }
  static D loadD(const double *p) { return _mm256_loadu_pd(p); }
  static D addD(D a, D b) { return _mm256_add_pd(a, b); }
  static D mulD(D a, D b) { return _mm256_mul_pd(a, b); }
  static D divD(D a, D b) { return _mm256_div_pd(a, b); }
  static D sqrtD(D a) { return _mm256_sqrt_pd(a); }
  static void storeR(float *p, D d) { _mm_storeu_ps(p, _mm256_cvtpd_ps(d)); }
};

#include "layernorm_q8_driver.inc"

}  // namespace

Kernel *newX86Avx2LayerNormQ8() { return new LayerNormQ8(); }

}  // namespace edgec::rt
