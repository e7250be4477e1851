// x86 (AVX2 + FMA) f32 Softmax and LogSoftmax: x86/softmax_f32_driver.inc (the
// algorithm, its accuracy and threading) over 8-lane vectors; the f64 sums over two
// 4-lane halves. Compiled with -mavx2 -mfma; everything but the factories stays in an
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
  using F = __m256;
  using D = __m256d;
  using I = __m256i;
  static constexpr int64_t kLanes = 8;
  static I mask(int64_t n) {  // lanes [0, n)
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static F load(const float *p) { return _mm256_loadu_ps(p); }
  static void store(float *p, F v) { _mm256_storeu_ps(p, v); }
  static F loadN(const float *p, int64_t n, float fill) {
    const I m = mask(n);
    return _mm256_blendv_ps(_mm256_set1_ps(fill), _mm256_maskload_ps(p, m), _mm256_castsi256_ps(m));
  }
  static void storeN(float *p, int64_t n, F v) { _mm256_maskstore_ps(p, mask(n), v); }
  static F zeroFrom(int64_t n, F v) { return _mm256_and_ps(v, _mm256_castsi256_ps(mask(n))); }
  static F set1(float v) { return _mm256_set1_ps(v); }
  static F sub(F a, F b) { return _mm256_sub_ps(a, b); }
  static F mul(F a, F b) { return _mm256_mul_ps(a, b); }
  static F max(F a, F b) { return _mm256_max_ps(a, b); }
  static F min(F a, F b) { return _mm256_min_ps(a, b); }
  static F round(F a) { return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static F fma(F a, F b, F c) { return _mm256_fmadd_ps(a, b, c); }
  static F fnma(F a, F b, F c) { return _mm256_fnmadd_ps(a, b, c); }
  static I cvtI(F a) { return _mm256_cvtps_epi32(a); }
  static I srai1(I a) { return _mm256_srai_epi32(a, 1); }
  static I subI(I a, I b) { return _mm256_sub_epi32(a, b); }
  static I addI(I a, I b) { return _mm256_add_epi32(a, b); }
  static I seti(int32_t v) { return _mm256_set1_epi32(v); }
  static I slli23(I a) { return _mm256_slli_epi32(a, 23); }
  static F castF(I a) { return _mm256_castsi256_ps(a); }
  static D lo(F v) { return _mm256_cvtps_pd(_mm256_castps256_ps128(v)); }
  static D hi(F v) { return _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)); }
  static D addD(D a, D b) { return _mm256_add_pd(a, b); }
  static D subD(D a, D b) { return _mm256_sub_pd(a, b); }
  static D divD(D a, D b) { return _mm256_div_pd(a, b); }
  static D set1D(double v) { return _mm256_set1_pd(v); }
  static D zeroD() { return _mm256_setzero_pd(); }
  static F fromD(D l, D h) { return _mm256_set_m128(_mm256_cvtpd_ps(h), _mm256_cvtpd_ps(l)); }
  static void storeD(double *p, D v) { _mm256_storeu_pd(p, v); }
  static D loadD(const double *p) { return _mm256_loadu_pd(p); }
};

#include "x86/softmax_f32_driver.inc"

}  // namespace

Kernel *newX86Avx2SoftmaxF32() { return new SoftmaxF32(false); }
Kernel *newX86Avx2LogSoftmaxF32() { return new SoftmaxF32(true); }

}  // namespace edgec::rt
