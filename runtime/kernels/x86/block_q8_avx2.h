// AVX2 Q8 block quantizer for activations: ref::quantizeRowQ8's arithmetic (ref/block_q8.h),
// bit for bit, vectorized. Shared by the AVX2 int4 x int8 kernels (BlockQuantizedMatMul
// here, the GGUF Q4_0/Q4_1 x Q8 matmuls of issue 12).
//
// Include only from files compiled with -mavx2 -mfma: the functions are in an anonymous
// namespace, so no AVX2 copy can be picked by the linker for baseline code.
#pragma once

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace edgec::rt {
namespace {

// x[0, K) as Q8 blocks: codes (blocks * block bytes, a partial last block padded with
// zeros), scales and (if not null) code sums per block. Matches ref::quantizeRowQ8
// exactly: the same max (NaNs ignored as std::max ignores them), the same f32 division
// and round-half-even, the same clamp.
inline void quantizeRowQ8Avx2(const float *x, int64_t K, int64_t block, int8_t *codes, float *scales, int32_t *sums) {
  const __m256 absMask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
  const __m256 hi = _mm256_set1_ps(127.0f), lo = _mm256_set1_ps(-127.0f);
  const int64_t blocks = (K + block - 1) / block;
  for (int64_t g = 0; g < blocks; ++g) {
    const int64_t k0 = g * block, k1 = std::min(K, k0 + block);
    __m256 m = _mm256_setzero_ps();
    int64_t k = k0;
    // max(v, m) keeps m where v is NaN, as std::max(m, v) does.
    for (; k + 8 <= k1; k += 8)
      m = _mm256_max_ps(_mm256_and_ps(_mm256_loadu_ps(x + k), absMask), m);
    __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
    m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
    float maxAbs = _mm_cvtss_f32(m4);
    for (; k < k1; ++k)
      maxAbs = std::max(maxAbs, std::fabs(x[k]));
    const float s = maxAbs / 127.0f;
    scales[g] = s;
    int32_t sum = 0;
    if (s > 0) {
      const __m256 vs = _mm256_set1_ps(s);
      __m256i vsum = _mm256_setzero_si256();
      k = k0;
      for (; k + 8 <= k1; k += 8) {
        __m256 q =
            _mm256_round_ps(_mm256_div_ps(_mm256_loadu_ps(x + k), vs), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        // min(q, 127) gives 127 for a NaN q, then max(.., -127): std::fmax(-127, std::fmin(127, q)).
        q = _mm256_max_ps(_mm256_min_ps(q, hi), lo);
        const __m256i i32 = _mm256_cvtps_epi32(q);
        vsum = _mm256_add_epi32(vsum, i32);
        const __m128i i16 = _mm_packs_epi32(_mm256_castsi256_si128(i32), _mm256_extracti128_si256(i32, 1));
        _mm_storel_epi64(reinterpret_cast<__m128i *>(codes + k), _mm_packs_epi16(i16, i16));
      }
      __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(vsum), _mm256_extracti128_si256(vsum, 1));
      s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0x4E));
      s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0xB1));
      sum = _mm_cvtsi128_si32(s4);
      for (; k < k1; ++k) {
        const int8_t q = int8_t(std::fmax(-127.0f, std::fmin(127.0f, std::nearbyint(x[k] / s))));
        codes[k] = q;
        sum += q;
      }
    } else {
      std::fill(codes + k0, codes + k1, int8_t(0));
    }
    std::fill(codes + k1, codes + k0 + block, int8_t(0));
    if (sums)
      sums[g] = sum;
  }
}

} // namespace
} // namespace edgec::rt
