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

inline __m256i runDot(__m256i acc, const __m256i *w, const int32_t *x) {
  __m256i s16 = _mm256_maddubs_epi16(w[0], _mm256_set1_epi32(x[0]));
  for (int i = 1; i < 8; ++i) s16 = _mm256_add_epi16(s16, _mm256_maddubs_epi16(w[i], _mm256_set1_epi32(x[i])));
  return _mm256_add_epi32(acc, _mm256_madd_epi16(s16, _mm256_set1_epi16(1)));
}

#include "x86/int4_q8_driver.inc"

} // namespace

Kernel *newX86Avx2Int4Q8MatMul() { return new Int4Q8MatMul(); }

} // namespace edgec::rt
