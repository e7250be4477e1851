// The core of the AVX2 exponentials of x86/llm_avx2.cpp (attention scores; the f32 Exp,
// Sigmoid and friends use x86/vec_math.inc, the same operations written for 8 or 16
// lanes): x = n ln2 + r with |r| <= ln2 / 2 (ln2 split into a part exact in 10 bits and
// the rest, so n * ln2_hi is exact) and e^r by its Taylor polynomial to degree 7
// (truncation below 6e-9 relative). Each caller clamps x
// first and scales by 2^n its own way (one step for the scores' range, two for the full
// one).
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

// e^x over all of f32 (x86/elementwise_f32_avx2.cpp's Exp; the algorithm and its error
// bound are in runtime/kernels/README.md): x clamped to [-110, 90], 2^n applied as two
// normal factors so that a subnormal result is rounded once.
inline __m256 expAvx2(__m256 x) {
  const __m256 xc = _mm256_min_ps(_mm256_set1_ps(90.f), _mm256_max_ps(_mm256_set1_ps(-110.f), x));  // NaN kept: min/max return their second operand
  __m256 n;
  const __m256 p = expReducedAvx2(xc, n);
  // n in [-159, 130]: n1 = floor(n / 2) and n2 = n - n1 in [-80, 65], 2^n1 and 2^n2
  // normal. (A NaN lane gives garbage exponent bits, but p is NaN there.)
  const __m256i ni = _mm256_cvtps_epi32(n);
  const __m256i n1 = _mm256_srai_epi32(ni, 1), n2 = _mm256_sub_epi32(ni, n1);
  const __m256i bias = _mm256_set1_epi32(127);
  const __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, bias), 23));
  const __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, bias), 23));
  return _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
}

// 1 / (1 + e^-x), as ref's Sigmoid splits it: e = e^(-|x|) never overflows.
inline __m256 sigmoidAvx2(__m256 x) {
  const __m256 sign = _mm256_set1_ps(-0.f);
  const __m256 e = expAvx2(_mm256_or_ps(x, sign));  // e^(-|x|)
  const __m256 one = _mm256_set1_ps(1.f);
  const __m256 num = _mm256_blendv_ps(one, e, x);  // x's sign bit (-0 too: 1/2 either way)
  return _mm256_div_ps(num, _mm256_add_ps(one, e));
}

}  // namespace
}  // namespace edgec::rt
