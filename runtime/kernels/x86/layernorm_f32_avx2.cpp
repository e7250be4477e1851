// x86 (AVX2) f32 LayerNormalization over the trailing dims from `axis` (X viewed as
// [outer, norm]), with ref's arithmetic (ref/normalization.cpp), all in double: mean =
// Σx / norm, var = Σ(x − mean)² / norm, inv = 1 / sqrt(var + ε), y = float((x − mean) ·
// inv · Scale + B); Mean and InvStdDev rounded to f32. Only the two sums differ from ref's:
// 8 double lanes (two 4-lane accumulators) instead of one running sum, so mean and inv
// differ by a few double ulp at most, and each output is ref's or one f32 rounding away
// (test/runtime/x86_softmax_norm_test.cpp). Built with -ffp-contract=off so that the
// products and sums round as ref's do (no fused multiply-add).
//
// Scale and B must hold the normalized block's `norm` values (the plan, x86_f32_plans.cpp,
// sends other broadcasts to ref). Threads take whole rows: the same bits for any thread
// count. Compiled with -mavx2 -mfma; everything but the factory stays in an anonymous
// namespace (see docs/architecture.md on ISA files).
#include <immintrin.h>

#include <algorithm>
#include <cmath>

#include "kernel.h"
#include "register_kernels.h"
#include "x86_f32_plans.h"

namespace edgec::rt {
namespace {

using x86::LayerNormPlanF32;

inline __m256i tailMask(int64_t n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
inline __m256d lo4(__m256 v) { return _mm256_cvtps_pd(_mm256_castps256_ps128(v)); }
inline __m256d hi4(__m256 v) { return _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)); }
inline double hsum(__m256d v) {
  alignas(32) double d[4];
  _mm256_store_pd(d, v);
  return (d[0] + d[1]) + (d[2] + d[3]);
}

class LayerNormF32Avx2 final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override { x86::planLayerNormF32(sig, &p_); }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const float *x = in[0]->as<float>();
    const float *scale = in[1]->as<float>();
    const float *bias = p_.hasBias ? in[2]->as<float>() : nullptr;
    float *y = out[0]->as<float>();
    float *meanOut = out.size() > 1 && out[1] ? out[1]->as<float>() : nullptr;
    float *invOut = out.size() > 2 && out[2] ? out[2]->as<float>() : nullptr;
    const int64_t n = p_.norm;
    ctx.parallelFor(p_.outer, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, n)), [&](int64_t lo, int64_t hi, int) {
      for (int64_t o = lo; o < hi; ++o) {
        double mean, inv;
        row(x + o * n, scale, bias, y + o * n, n, mean, inv);
        if (meanOut) meanOut[o] = static_cast<float>(mean);
        if (invOut) invOut[o] = static_cast<float>(inv);
      }
    });
  }

private:
  void row(const float *x, const float *scale, const float *bias, float *y, int64_t n, double &mean,
           double &inv) const {
    const int64_t full = n / 8 * 8;
    const __m256i tm = tailMask(n - full);
    auto load = [&](const float *p, int64_t k) { return k < full ? _mm256_loadu_ps(p + k) : _mm256_maskload_ps(p + k, tm); };
    __m256d a0 = _mm256_setzero_pd(), a1 = _mm256_setzero_pd();
    for (int64_t k = 0; k < n; k += 8) {  // masked lanes load 0
      const __m256 v = load(x, k);
      a0 = _mm256_add_pd(a0, lo4(v));
      a1 = _mm256_add_pd(a1, hi4(v));
    }
    mean = hsum(_mm256_add_pd(a0, a1)) / static_cast<double>(n);
    const __m256d m = _mm256_set1_pd(mean);
    const __m256d mask0 = _mm256_castsi256_pd(_mm256_cvtepi32_epi64(_mm256_castsi256_si128(tm)));
    const __m256d mask1 = _mm256_castsi256_pd(_mm256_cvtepi32_epi64(_mm256_extracti128_si256(tm, 1)));
    a0 = _mm256_setzero_pd(), a1 = _mm256_setzero_pd();
    for (int64_t k = 0; k < n; k += 8) {
      const __m256 v = load(x, k);
      __m256d d0 = _mm256_sub_pd(lo4(v), m), d1 = _mm256_sub_pd(hi4(v), m);
      if (k >= full) d0 = _mm256_and_pd(d0, mask0), d1 = _mm256_and_pd(d1, mask1);  // the tail's padding lanes
      a0 = _mm256_add_pd(a0, _mm256_mul_pd(d0, d0));
      a1 = _mm256_add_pd(a1, _mm256_mul_pd(d1, d1));
    }
    const double var = hsum(_mm256_add_pd(a0, a1)) / static_cast<double>(n);
    inv = 1.0 / std::sqrt(var + p_.epsilon);
    const __m256d vi = _mm256_set1_pd(inv);
    for (int64_t k = 0; k < n; k += 8) {
      const __m256 v = load(x, k), s = load(scale, k);
      __m256d r0 = _mm256_mul_pd(_mm256_mul_pd(_mm256_sub_pd(lo4(v), m), vi), lo4(s));
      __m256d r1 = _mm256_mul_pd(_mm256_mul_pd(_mm256_sub_pd(hi4(v), m), vi), hi4(s));
      if (bias) {
        const __m256 b = load(bias, k);
        r0 = _mm256_add_pd(r0, lo4(b));
        r1 = _mm256_add_pd(r1, hi4(b));
      }
      const __m256 r = _mm256_set_m128(_mm256_cvtpd_ps(r1), _mm256_cvtpd_ps(r0));
      if (k < full)
        _mm256_storeu_ps(y + k, r);
      else
        _mm256_maskstore_ps(y + k, tm, r);
    }
  }

  LayerNormPlanF32 p_;
};

}  // namespace

Kernel *newX86Avx2LayerNormF32() { return new LayerNormF32Avx2(); }

}  // namespace edgec::rt
