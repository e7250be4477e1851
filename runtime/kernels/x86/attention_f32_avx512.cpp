// x86 (AVX-512F) f32 ScaledDotProductAttention: x86/attention_f32_driver.inc (the
// algorithm, its accuracy and threading) over 16-lane vectors, tails under k-masks. The
// exp is the AVX2 one's operations lane for lane; the scores and P @ V take 16 columns per
// vector, so results may differ from the AVX2 kernel's by the f32 sums' order (both within
// the bound stated against ref). Only AVX512F instructions. Compiled with the x86-avx512
// flags; everything but the factory stays in an anonymous namespace (see
// docs/architecture.md on ISA files).
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
#include "x86/vec_avx512.inc"
#include "x86/vec_math.inc"
}  // namespace math

struct V {
  using F = __m512;
  static constexpr int64_t kLanes = 16;
  static __mmask16 mask(int64_t n) { return static_cast<__mmask16>((1u << n) - 1); }  // n <= 16
  static F zero() { return _mm512_setzero_ps(); }
  static F set1(float v) { return _mm512_set1_ps(v); }
  static F load(const float *p) { return _mm512_loadu_ps(p); }
  static void store(float *p, F v) { _mm512_storeu_ps(p, v); }
  static F loadN(const float *p, int64_t n, float fill) { return _mm512_mask_loadu_ps(_mm512_set1_ps(fill), mask(n), p); }
  static void storeN(float *p, int64_t n, F v) { _mm512_mask_storeu_ps(p, mask(n), v); }
  static F bcast(const float *p) { return _mm512_set1_ps(*p); }
  static F add(F a, F b) { return _mm512_add_ps(a, b); }
  static F sub(F a, F b) { return _mm512_sub_ps(a, b); }
  static F mul(F a, F b) { return _mm512_mul_ps(a, b); }
  static F div(F a, F b) { return _mm512_div_ps(a, b); }
  static F max(F a, F b) { return _mm512_max_ps(a, b); }
  static F fma(F a, F b, F c) { return _mm512_fmadd_ps(a, b, c); }
  // Reductions as trees (a chain of 15 dependent scalar operations a row had cost a
  // fifth of the kernel's time at T = 128): the sum in another order than a running sum
  // (within the bound against ref), the maximum exact.
  static float hsum(F v) { return _mm512_reduce_add_ps(v); }
  static float hmax(F v) { return _mm512_reduce_max_ps(v); }
  // 16 codes as f32.
  static F codes(const int8_t *p) { return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i *>(p)))); }
  static F codes(const uint8_t *p) { return _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i *>(p)))); }
  // Codes i .. i + 15 of dst from x = y / scale: round half to even, clamped to [lo, hi] (the
  // dtype's range minus the zero point), NaN to 0, + zero.
  static void quantize(F x, float lo, float hi, int32_t zero, void *dst, int64_t i) {
    const __mmask16 ordered = _mm512_cmp_ps_mask(x, x, _CMP_ORD_Q);
    F r = _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    r = _mm512_maskz_mov_ps(ordered, _mm512_min_ps(_mm512_max_ps(r, _mm512_set1_ps(lo)), _mm512_set1_ps(hi)));
    const __m128i c = _mm512_cvtepi32_epi8(_mm512_add_epi32(_mm512_cvtps_epi32(r), _mm512_set1_epi32(zero)));
    _mm_storeu_si128(reinterpret_cast<__m128i *>(static_cast<char *>(dst) + i), c);  // in range: low bytes
  }
  // The Softmax kernel's e^x (x86/softmax_f32_driver.inc's expNonPositive): vec_math.inc's
  // exp (the same operations, so the same bits) of min(0, x), and 0 below -87.
  static F expNonPositive(F x) {
    const __mmask16 kept = _mm512_cmp_ps_mask(x, _mm512_set1_ps(-87.f), _CMP_NLT_UQ);  // true for NaN
    return _mm512_maskz_mov_ps(kept, math::expV(math::V::min(math::V::setzero(), x)));
  }
};

#include "x86/attention_f32_driver.inc"

}  // namespace

Kernel *newX86Avx512AttentionF32() { return new AttentionF32(); }

}  // namespace edgec::rt
