// x86 (AVX2 + FMA) f32 Softmax and LogSoftmax along one axis (opset 13: X viewed as
// [outer, n, inner], n along the axis), ref's stable formulation (ref/normalization.cpp):
// m = max over the axis (NaN skipped), e = e^(x − m), sum in double; Softmax y = e ·
// float(1 / sum), LogSoftmax y = float(x − (m + log(sum))) in double.
//
// * inner = 1 (the last axis, attention and classifier heads): each row is contiguous;
//   8 lanes along it, the sum in two 4-lane double accumulators, a masked tail.
// * inner > 1 (e.g. over channels of NCHW): 8 adjacent inner positions are the lanes and
//   the axis is walked with stride `inner`; each lane is one softmax.
// e^x is x86/exp_avx2.h's core (within 1 ulp of expf) with the two-step 2^n scaling of
// the Exp kernel, so subnormal terms are kept. The sums differ from ref's in order only.
// Measured against ref (test/runtime/x86_softmax_norm_test.cpp): Softmax within 3 ulp,
// LogSoftmax within 2 ulp or 2e-7 absolute (runtime/kernels/README.md).
//
// A row (or lane) is computed the same way whichever thread takes it: the same bits for
// any thread count. Compiled with -mavx2 -mfma; everything but the factories stays in an
// anonymous namespace (see docs/architecture.md on ISA files).
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "kernel.h"
#include "register_kernels.h"
#include "x86/exp_avx2.h"
#include "x86_f32_plans.h"

namespace edgec::rt {
namespace {

using x86::SoftmaxPlanF32;

// e^x for x <= 0 (x − max), NaN kept: x clamped to [−110, 0], then 2^n as two normal
// powers of two (n in [−159, 0]) so that a subnormal result is rounded once.
inline __m256 expNonPositive(__m256 x) {
  const __m256 xc = _mm256_min_ps(_mm256_set1_ps(0.f), _mm256_max_ps(_mm256_set1_ps(-110.f), x));
  __m256 n;
  const __m256 p = expReducedAvx2(xc, n);
  const __m256i ni = _mm256_cvtps_epi32(n);
  const __m256i n1 = _mm256_srai_epi32(ni, 1), n2 = _mm256_sub_epi32(ni, n1);
  const __m256i bias = _mm256_set1_epi32(127);
  const __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, bias), 23));
  const __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, bias), 23));
  return _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
}

inline __m256i tailMask(int64_t n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

inline __m256d addHalves(__m256d acc, __m256 v) {
  return _mm256_add_pd(_mm256_add_pd(acc, _mm256_cvtps_pd(_mm256_castps256_ps128(v))),
                       _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
}

inline double hsum(__m256d v) {
  alignas(32) double d[4];
  _mm256_store_pd(d, v);
  return (d[0] + d[1]) + (d[2] + d[3]);
}

// y = float(double(x) − shift) for 8 lanes, shift per lane (two 4-lane halves).
inline __m256 subShift(__m256 x, __m256d shiftLo, __m256d shiftHi) {
  const __m128 lo = _mm256_cvtpd_ps(_mm256_sub_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(x)), shiftLo));
  const __m128 hi = _mm256_cvtpd_ps(_mm256_sub_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(x, 1)), shiftHi));
  return _mm256_set_m128(hi, lo);
}

// One contiguous row of n.
void row(const float *x, float *y, int64_t n, bool log) {
  const __m256 ninf = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
  __m256 m = ninf;
  int64_t k = 0;
  for (; k + 8 <= n; k += 8) m = _mm256_max_ps(_mm256_loadu_ps(x + k), m);
  const int64_t tail = n - k;
  const __m256i tm = tailMask(tail);
  if (tail) m = _mm256_max_ps(_mm256_blendv_ps(ninf, _mm256_maskload_ps(x + k, tm), _mm256_castsi256_ps(tm)), m);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, m);
  float mx = lanes[0];
  for (int i = 1; i < 8; ++i) mx = std::max(mx, lanes[i]);
  const __m256 vm = _mm256_set1_ps(mx);
  __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
  for (k = 0; k + 16 <= n; k += 16) {  // two accumulators: two dependency chains
    const __m256 e0 = expNonPositive(_mm256_sub_ps(_mm256_loadu_ps(x + k), vm));
    const __m256 e1 = expNonPositive(_mm256_sub_ps(_mm256_loadu_ps(x + k + 8), vm));
    if (!log) _mm256_storeu_ps(y + k, e0), _mm256_storeu_ps(y + k + 8, e1);
    s0 = addHalves(s0, e0);
    s1 = addHalves(s1, e1);
  }
  if (k + 8 <= n) {
    const __m256 e = expNonPositive(_mm256_sub_ps(_mm256_loadu_ps(x + k), vm));
    if (!log) _mm256_storeu_ps(y + k, e);
    s0 = addHalves(s0, e);
    k += 8;
  }
  if (tail) {
    const __m256 e = _mm256_and_ps(expNonPositive(_mm256_sub_ps(_mm256_maskload_ps(x + k, tm), vm)), _mm256_castsi256_ps(tm));
    if (!log) _mm256_maskstore_ps(y + k, tm, e);
    s0 = addHalves(s0, e);
  }
  const double sum = hsum(_mm256_add_pd(s0, s1));
  if (log) {
    const __m256d shift = _mm256_set1_pd(static_cast<double>(mx) + std::log(sum));
    for (k = 0; k + 8 <= n; k += 8) _mm256_storeu_ps(y + k, subShift(_mm256_loadu_ps(x + k), shift, shift));
    if (tail) _mm256_maskstore_ps(y + k, tm, subShift(_mm256_maskload_ps(x + k, tm), shift, shift));
  } else {
    const __m256 inv = _mm256_set1_ps(static_cast<float>(1.0 / sum));
    for (k = 0; k + 8 <= n; k += 8) _mm256_storeu_ps(y + k, _mm256_mul_ps(_mm256_loadu_ps(y + k), inv));
    if (tail) _mm256_maskstore_ps(y + k, tm, _mm256_mul_ps(_mm256_maskload_ps(y + k, tm), inv));
  }
}

// Lanes i0 .. i0 + w − 1 (w <= 8) of an [n, inner] block: one softmax per lane.
void columns(const float *x, float *y, int64_t n, int64_t inner, int64_t w, bool log) {
  const __m256i tm = tailMask(w);
  auto load = [&](const float *p) { return w == 8 ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, tm); };
  auto store = [&](float *p, __m256 v) { w == 8 ? _mm256_storeu_ps(p, v) : _mm256_maskstore_ps(p, tm, v); };
  __m256 m = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
  for (int64_t k = 0; k < n; ++k) m = _mm256_max_ps(load(x + k * inner), m);
  __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
  for (int64_t k = 0; k < n; ++k) {
    const __m256 e = expNonPositive(_mm256_sub_ps(load(x + k * inner), m));
    if (!log) store(y + k * inner, e);
    s0 = _mm256_add_pd(s0, _mm256_cvtps_pd(_mm256_castps256_ps128(e)));
    s1 = _mm256_add_pd(s1, _mm256_cvtps_pd(_mm256_extractf128_ps(e, 1)));
  }
  if (log) {
    alignas(32) double sums[8];
    alignas(32) float mx[8];
    _mm256_store_pd(sums, s0);
    _mm256_store_pd(sums + 4, s1);
    _mm256_store_ps(mx, m);
    for (int i = 0; i < 8; ++i) sums[i] = static_cast<double>(mx[i]) + std::log(sums[i]);
    const __m256d lo = _mm256_load_pd(sums), hi = _mm256_load_pd(sums + 4);
    for (int64_t k = 0; k < n; ++k) store(y + k * inner, subShift(load(x + k * inner), lo, hi));
  } else {
    const __m256d one = _mm256_set1_pd(1.0);
    const __m256 inv = _mm256_set_m128(_mm256_cvtpd_ps(_mm256_div_pd(one, s1)), _mm256_cvtpd_ps(_mm256_div_pd(one, s0)));
    for (int64_t k = 0; k < n; ++k) store(y + k * inner, _mm256_mul_ps(load(y + k * inner), inv));
  }
}

class SoftmaxF32Avx2 final : public Kernel {
public:
  explicit SoftmaxF32Avx2(bool log) : log_(log) {}

  void prepare(const KernelSignature &sig) override { x86::planSoftmaxF32(sig, &p_); }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const float *x = in[0]->as<float>();
    float *y = out[0]->as<float>();
    const int64_t n = p_.n, inner = p_.inner;
    if (n == 0 || inner == 0 || p_.outer == 0) return;
    if (inner == 1) {
      ctx.parallelFor(p_.outer, std::max<int64_t>(1, 16384 / n), [&](int64_t lo, int64_t hi, int) {
        for (int64_t o = lo; o < hi; ++o) row(x + o * n, y + o * n, n, log_);
      });
      return;
    }
    const int64_t blocks = (inner + 7) / 8;  // items: (outer, block of 8 lanes)
    ctx.parallelFor(p_.outer * blocks, std::max<int64_t>(1, 16384 / (8 * n)), [&](int64_t lo, int64_t hi, int) {
      for (int64_t it = lo; it < hi; ++it) {
        const int64_t o = it / blocks, i0 = (it % blocks) * 8;
        const int64_t off = o * n * inner + i0;
        columns(x + off, y + off, n, inner, std::min<int64_t>(8, inner - i0), log_);
      }
    });
  }

private:
  bool log_;
  SoftmaxPlanF32 p_;
};

}  // namespace

Kernel *newX86Avx2SoftmaxF32() { return new SoftmaxF32Avx2(false); }
Kernel *newX86Avx2LogSoftmaxF32() { return new SoftmaxF32Avx2(true); }

}  // namespace edgec::rt
