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

// The unary kernels' vector math, in a namespace of its own: its struct V is not this
// file's.
namespace math {
#include "x86/vec_avx2.inc"
#include "x86/vec_math.inc"
}  // namespace math

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
  // Reductions as trees (a chain of 7 dependent scalar operations a row): the sum in
  // another order than a running sum (within the bound against ref), the maximum exact.
  static float hsum(F v) {
    __m128 x = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    x = _mm_add_ps(x, _mm_movehl_ps(x, x));
    return _mm_cvtss_f32(_mm_add_ss(x, _mm_movehdup_ps(x)));
  }
  static float hmax(F v) {
    __m128 x = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    x = _mm_max_ps(x, _mm_movehl_ps(x, x));
    return _mm_cvtss_f32(_mm_max_ss(x, _mm_movehdup_ps(x)));
  }
  // 8 codes as f32.
  static F codes(const int8_t *p) { return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i *>(p)))); }
  static F codes(const uint8_t *p) { return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i *>(p)))); }
  // Codes i .. i + 7 of dst from x = y / scale: round half to even, clamped to [lo, hi] (the
  // dtype's range minus the zero point), NaN to 0, + zero.
  static void quantize(F x, float lo, float hi, int32_t zero, void *dst, int64_t i) {
    const F ordered = _mm256_cmp_ps(x, x, _CMP_ORD_Q);
    F r = _mm256_round_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    r = _mm256_and_ps(ordered, _mm256_min_ps(_mm256_max_ps(r, _mm256_set1_ps(lo)), _mm256_set1_ps(hi)));
    const __m256i c = _mm256_add_epi32(_mm256_cvtps_epi32(r), _mm256_set1_epi32(zero));
    // The low byte of each 32-bit lane (in range), lanes 0-3 and 4-7 gathered.
    const __m256i bytes = _mm256_shuffle_epi8(c, _mm256_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                                                  0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1));
    const __m256i packed = _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 4, 1, 1, 1, 1, 1, 1));
    _mm_storel_epi64(reinterpret_cast<__m128i *>(static_cast<char *>(dst) + i), _mm256_castsi256_si128(packed));
  }
  // The Softmax kernel's e^x (x86/softmax_f32_driver.inc's expNonPositive): vec_math.inc's
  // exp (the same operations, so the same bits) of min(0, x), and 0 below -87.
  static F expNonPositive(F x) {
    const F gone = _mm256_cmp_ps(x, _mm256_set1_ps(-87.f), _CMP_LT_OQ);  // false for NaN
    return _mm256_andnot_ps(gone, math::expV(math::V::min(math::V::setzero(), x)));
  }
};

#include "x86/attention_f32_driver.inc"

}  // namespace

Kernel *newX86Avx2AttentionF32() { return new AttentionF32(); }

}  // namespace edgec::rt
