// x86 (AVX-512) integer LayerNormalization (X quantized per tensor to 8 bits, Y 8-bit
// codes or f32): x86/layernorm_q8_driver.inc over 16 lanes. The same bits as ref and as
// the AVX2 kernel. Compiled with the x86-avx512 flags and without FP contraction;
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

#include "x86/vec_i32f32_avx512.inc"

struct V : VecI32F32 {
  static I loadCodes(const char *p, bool u8) {
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
    return u8 ? _mm512_cvtepu8_epi32(b) : _mm512_cvtepi8_epi32(b);
  }
  static I loadCodes16(const char *p, bool u8) {
    const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(p));
    return u8 ? _mm512_cvtepu8_epi16(b) : _mm512_cvtepi8_epi16(b);
  }
  static I madd16(I a, I b) { return _mm512_madd_epi16(a, b); }
  static void storeCodes(char *p, I v, bool u8) {
    const __m128i b = u8 ? _mm512_cvtusepi32_epi8(v) : _mm512_cvtsepi32_epi8(v);
    _mm_storeu_si128(reinterpret_cast<__m128i *>(p), b);
  }
  using D = __m512d;
  static constexpr int64_t kDLanes = 8;
  static D set1D(double x) { return _mm512_set1_pd(x); }
  static D loadD(const double *p) { return _mm512_loadu_pd(p); }
  static D addD(D a, D b) { return _mm512_add_pd(a, b); }
  static D mulD(D a, D b) { return _mm512_mul_pd(a, b); }
  static D divD(D a, D b) { return _mm512_div_pd(a, b); }
  static D sqrtD(D a) { return _mm512_sqrt_pd(a); }
  static void storeR(float *p, D d) { _mm256_storeu_ps(p, _mm512_cvtpd_ps(d)); }
};

#include "layernorm_q8_driver.inc"

}  // namespace

Kernel *newX86Avx512LayerNormQ8() { return new LayerNormQ8(); }

}  // namespace edgec::rt
