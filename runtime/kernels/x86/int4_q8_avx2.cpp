// x86 (AVX2 + FMA) BlockQuantizedMatMul: int4 weight codes [N, K] (i4/u4, blocks along K)
// times activations quantized to int8 per block at run time; bit-exact with ref
// (ref/block_q8.cpp states the arithmetic), for any thread count. The kernel is
// x86/int4_q8_driver.inc; this file gives it the AVX2 run dot: vpmaddubsw (u8 x s8,
// pairs summed to int16; |u * q| <= 15 * 127, so a pair is at most 3810 and the eight
// steps of a 32-code run stay below 2^15), then vpmaddwd by ones to int32.
//
// Compiled with -mavx2 -mfma: everything stays in an anonymous namespace (see
// docs/architecture.md on ISA files).
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "ref/block_q8.h"
#include "register_kernels.h"
#include "x86/block_q8_avx2.h"

namespace edgec::rt {
namespace {

// 8 columns per 256-bit vector.
struct V {
  using I = __m256i;
  using F = __m256;
  static constexpr int64_t kTile = 8;
  static I loadI(const void *p) { return _mm256_loadu_si256(static_cast<const __m256i *>(p)); }
  static void storeI(void *p, I v) { _mm256_storeu_si256(static_cast<__m256i *>(p), v); }
  static F loadF(const float *p) { return _mm256_loadu_ps(p); }
  static void storeF(float *p, F v) { _mm256_storeu_ps(p, v); }
  static I zeroI() { return _mm256_setzero_si256(); }
  static F zeroF() { return _mm256_setzero_ps(); }
  static I set1_8(char v) { return _mm256_set1_epi8(v); }
  static I set1_32(int32_t v) { return _mm256_set1_epi32(v); }
  static F set1F(float v) { return _mm256_set1_ps(v); }
  static I andI(I a, I b) { return _mm256_and_si256(a, b); }
  static I srli16_4(I a) { return _mm256_srli_epi16(a, 4); }
  static I sub32(I a, I b) { return _mm256_sub_epi32(a, b); }
  static I mullo32(I a, I b) { return _mm256_mullo_epi32(a, b); }
  static F cvt(I a) { return _mm256_cvtepi32_ps(a); }
  static F mulF(F a, F b) { return _mm256_mul_ps(a, b); }
  static F fma(F a, F b, F c) { return _mm256_fmadd_ps(a, b, c); }
  // vpmaddubsw pairs summed to int16 over the run's 8 steps, then vpmaddwd by ones.
  static I runDot(I acc, const I *w, const int32_t *x) {
    I s16 = _mm256_maddubs_epi16(w[0], _mm256_set1_epi32(x[0]));
    for (int i = 1; i < 8; ++i) s16 = _mm256_add_epi16(s16, _mm256_maddubs_epi16(w[i], _mm256_set1_epi32(x[i])));
    return _mm256_add_epi32(acc, _mm256_madd_epi16(s16, _mm256_set1_epi16(1)));
  }
};

#include "x86/int4_q8_driver.inc"

} // namespace

Kernel *newX86Avx2Int4Q8MatMul() { return new Int4Q8MatMul(); }

} // namespace edgec::rt
