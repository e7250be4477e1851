// x86 (AVX2 + FMA) f32 ScaledDotProductAttention: x86/attention_f32_driver.inc (the
// algorithm, its accuracy and threading) over 8-lane vectors, tails through vmaskmov.
// Compiled with the x86-avx2 flags; everything but the factory stays in an anonymous
// namespace (see docs/architecture.md on ISA files).
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "kernel.h"
#include "ref/attention.h"
#include "register_kernels.h"

namespace edgec::rt {
namespace {

struct V {
  using F = __m256;
  static constexpr int64_t kLanes = 8;
  static __m256i mask(int64_t n) {  // lanes < n (n in [0, 8])
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static F zero() { return _mm256_setzero_ps(); }
  static F set1(float v) { return _mm256_set1_ps(v); }
  static F load(const float *p) { return _mm256_loadu_ps(p); }
  static void store(float *p, F v) { _mm256_storeu_ps(p, v); }
  static F loadN(const float *p, int64_t n, float fill) {
    const __m256i m = mask(n);
    return _mm256_blendv_ps(_mm256_set1_ps(fill), _mm256_maskload_ps(p, m), _mm256_castsi256_ps(m));
  }
  static void storeN(float *p, int64_t n, F v) { _mm256_maskstore_ps(p, mask(n), v); }
  static F bcast(const float *p) { return _mm256_broadcast_ss(p); }
  static F add(F a, F b) { return _mm256_add_ps(a, b); }
  static F sub(F a, F b) { return _mm256_sub_ps(a, b); }
  static F mul(F a, F b) { return _mm256_mul_ps(a, b); }
  static F div(F a, F b) { return _mm256_div_ps(a, b); }
  static F max(F a, F b) { return _mm256_max_ps(a, b); }
  static F fma(F a, F b, F c) { return _mm256_fmadd_ps(a, b, c); }
  static float hsum(F v) {
    alignas(32) float l[8];
    _mm256_store_ps(l, v);
    float s = 0;
    for (float x : l) s += x;
    return s;
  }
  static float hmax(F v) {
    alignas(32) float l[8];
    _mm256_store_ps(l, v);
    float m = l[0];
    for (int i = 1; i < 8; ++i) m = std::max(m, l[i]);
    return m;
  }
  // The Softmax kernel's e^x (x86/softmax_f32_driver.inc's expNonPositive), 0 below -87.
  static F expNonPositive(F x) {
    const F gone = _mm256_cmp_ps(x, _mm256_set1_ps(-87.f), _CMP_LT_OQ);  // false for NaN
    const F xc = _mm256_min_ps(_mm256_set1_ps(0.f), _mm256_max_ps(_mm256_set1_ps(-87.f), x));
    const F n = _mm256_round_ps(_mm256_mul_ps(xc, _mm256_set1_ps(1.44269504088896341f)),
                                _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    F r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), xc);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440054690583e-4f), r);
    F p = _mm256_set1_ps(1.f / 5040.f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.f / 720.f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.f / 120.f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.f / 24.f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.f / 6.f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.f));
    const __m256i ni = _mm256_cvtps_epi32(n);
    const __m256i n1 = _mm256_srai_epi32(ni, 1), n2 = _mm256_sub_epi32(ni, n1);
    const __m256i bias = _mm256_set1_epi32(127);
    const F s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, bias), 23));
    const F s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, bias), 23));
    return _mm256_andnot_ps(gone, _mm256_mul_ps(_mm256_mul_ps(p, s1), s2));
  }
};

#include "x86/attention_f32_driver.inc"

}  // namespace

Kernel *newX86Avx2AttentionF32() { return new AttentionF32(); }

}  // namespace edgec::rt
