// The core of the AVX2 exponentials of x86/llm_avx2.cpp and llm_avx512.cpp (attention
// scores; the f32 Exp, Sigmoid and friends use x86/vec_math.inc, the same operations
// written for 8 or 16 lanes): x = n ln2 + r with |r| <= ln2 / 2 (ln2 split into a part
// exact in 10 bits and the rest, so n * ln2_hi is exact) and e^r by its Taylor polynomial
// to degree 7 (truncation below 6e-9 relative). Each caller clamps x first and scales by
// 2^n its own way (one step for the scores' range, two for the full one).
//
// Include only from files compiled with -mavx2 -mfma: the functions are in an anonymous
// namespace, so no AVX2 copy can be picked by the linker for baseline code.
#pragma once

#include <immintrin.h>

namespace edgec::rt {
namespace {

// e^r for the clamped `xc`, with `n` (= round(xc / ln2)) returned for the caller's 2^n.
inline __m256 expReducedAvx2(__m256 xc, __m256 &n) {
  n = _mm256_round_ps(_mm256_mul_ps(xc, _mm256_set1_ps(1.44269504088896341f)),
                      _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), xc);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440054690583e-4f), r);
  __m256 p = _mm256_set1_ps(1.f / 5040.f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.f / 720.f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.f / 120.f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.f / 24.f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.f / 6.f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.f));
  return _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.f));
}

// e^x for x <= 0 (attention scores minus their maximum: x86/llm_avx2.cpp and
// llm_avx512.cpp), NaN kept, x < -87 (below f32's normal range, where e^x < 2^-125 cannot
// move a sum that holds e^0 = 1) gives 0: e^r above times 2^n built in the exponent bits.
inline __m256 expNonPositive(__m256 x) {
  const __m256 lo = _mm256_set1_ps(-87.f);
  const __m256 xc = _mm256_max_ps(lo, x);  // NaN x: max returns its second operand, x
  __m256 n;
  const __m256 p = expReducedAvx2(xc, n);
  const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  __m256 res = _mm256_mul_ps(p, _mm256_castsi256_ps(e));
  res = _mm256_andnot_ps(_mm256_cmp_ps(x, lo, _CMP_LT_OQ), res);          // x < -87: 0
  return _mm256_blendv_ps(res, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));      // NaN: NaN
}

}  // namespace
}  // namespace edgec::rt
