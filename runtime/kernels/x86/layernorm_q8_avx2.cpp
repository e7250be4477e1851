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

struct V {
  using I = __m256i;
  using F = __m256;
  static constexpr int64_t kLanes = 8;
  static I loadCodes(const char *p, bool u8) {
    const __m128i b = _mm_loadl_epi64(reinterpret_cast<const __m128i *>(p));
    return u8 ? _mm256_cvtepu8_epi32(b) : _mm256_cvtepi8_epi32(b);
  }
  static I loadCodes16(const char *p, bool u8) {
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
    return u8 ? _mm256_cvtepu8_epi16(b) : _mm256_cvtepi8_epi16(b);
  }
  static I madd16(I a, I b) { return _mm256_madd_epi16(a, b); }
  static F subF(F a, F b) { return _mm256_sub_ps(a, b); }
  static I zeroI() { return _mm256_setzero_si256(); }
  static I set1I(int32_t v) { return _mm256_set1_epi32(v); }
  static I addI(I a, I b) { return _mm256_add_epi32(a, b); }
  static I subI(I a, I b) { return _mm256_sub_epi32(a, b); }
  static I mulloI(I a, I b) { return _mm256_mullo_epi32(a, b); }
  static int32_t hsumI(I v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
    return _mm_cvtsi128_si32(s);
  }
  static F cvtF(I v) { return _mm256_cvtepi32_ps(v); }
  static I cvtI(F v) { return _mm256_cvtps_epi32(v); }  // nearest even (MXCSR default)
  static F loadF(const float *p) { return _mm256_loadu_ps(p); }
  static void storeF(float *p, F v) { _mm256_storeu_ps(p, v); }
  static F set1F(float v) { return _mm256_set1_ps(v); }
  static F addF(F a, F b) { return _mm256_add_ps(a, b); }
  static F mulF(F a, F b) { return _mm256_mul_ps(a, b); }
  static F maxF(F a, F b) { return _mm256_max_ps(a, b); }
  static F minF(F a, F b) { return _mm256_min_ps(a, b); }
  static void storeCodes(char *p, I v, bool u8) {
    const __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    const __m128i b = u8 ? _mm_packus_epi16(w, w) : _mm_packs_epi16(w, w);
    _mm_storel_epi64(reinterpret_cast<__m128i *>(p), b);
  }
};

#include "layernorm_q8_driver.inc"

}  // namespace

Kernel *newX86Avx2LayerNormQ8() { return new LayerNormQ8(); }

}  // namespace edgec::rt
