// x86 (AVX-512) f32 Softmax and LogSoftmax: x86/softmax_f32_driver.inc (the algorithm,
// its accuracy and threading) over 16-lane vectors, tails under k-masks; the f64 sums
// over two 8-lane halves. The exp is the AVX2 one's operations lane for lane; the sums
// run over twice the lanes, so results may differ from the AVX2 kernel's by the sums'
// rounding (both within the bounds stated against ref). Only AVX512F instructions.
// Compiled with the x86-avx512 flags; everything but the factories stays in an
// anonymous namespace (see docs/architecture.md on ISA files).
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "kernel.h"
#include "register_kernels.h"
#include "x86_f32_plans.h"

namespace edgec::rt {
namespace {

struct V {
  using F = __m512;
  using D = __m512d;
  using I = __m512i;
  static constexpr int64_t kLanes = 16;
  static __mmask16 mask(int64_t n) { return static_cast<__mmask16>((1u << n) - 1); }  // n < 16
  static F load(const float *p) { return _mm512_loadu_ps(p); }
  static void store(float *p, F v) { _mm512_storeu_ps(p, v); }
  static F loadN(const float *p, int64_t n, float fill) { return _mm512_mask_loadu_ps(_mm512_set1_ps(fill), mask(n), p); }
  static void storeN(float *p, int64_t n, F v) { _mm512_mask_storeu_ps(p, mask(n), v); }
  static F zeroFrom(int64_t n, F v) { return _mm512_maskz_mov_ps(mask(n), v); }
  static F set1(float v) { return _mm512_set1_ps(v); }
  static F sub(F a, F b) { return _mm512_sub_ps(a, b); }
  static F mul(F a, F b) { return _mm512_mul_ps(a, b); }
  static F max(F a, F b) { return _mm512_max_ps(a, b); }
  static F min(F a, F b) { return _mm512_min_ps(a, b); }
  static F round(F a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static F fma(F a, F b, F c) { return _mm512_fmadd_ps(a, b, c); }
  static F fnma(F a, F b, F c) { return _mm512_fnmadd_ps(a, b, c); }
  static I cvtI(F a) { return _mm512_cvtps_epi32(a); }
  static I srai1(I a) { return _mm512_srai_epi32(a, 1); }
  static I subI(I a, I b) { return _mm512_sub_epi32(a, b); }
  static I addI(I a, I b) { return _mm512_add_epi32(a, b); }
  static I seti(int32_t v) { return _mm512_set1_epi32(v); }
  static I slli23(I a) { return _mm512_slli_epi32(a, 23); }
  static F castF(I a) { return _mm512_castsi512_ps(a); }
  static D lo(F v) { return _mm512_cvtps_pd(_mm512_castps512_ps256(v)); }
  static D hi(F v) {
    return _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
  }
  static D addD(D a, D b) { return _mm512_add_pd(a, b); }
  static D subD(D a, D b) { return _mm512_sub_pd(a, b); }
  static D divD(D a, D b) { return _mm512_div_pd(a, b); }
  static D set1D(double v) { return _mm512_set1_pd(v); }
  static D zeroD() { return _mm512_setzero_pd(); }
  static F fromD(D l, D h) {
    return _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castps_pd(_mm512_castps256_ps512(_mm512_cvtpd_ps(l))),
                                               _mm256_castps_pd(_mm512_cvtpd_ps(h)), 1));
  }
  static void storeD(double *p, D v) { _mm512_storeu_pd(p, v); }
  static D loadD(const double *p) { return _mm512_loadu_pd(p); }
};

#include "x86/softmax_f32_driver.inc"

}  // namespace

Kernel *newX86Avx512SoftmaxF32() { return new SoftmaxF32(false); }
Kernel *newX86Avx512LogSoftmaxF32() { return new SoftmaxF32(true); }

}  // namespace edgec::rt
