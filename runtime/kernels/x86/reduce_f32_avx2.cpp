// x86 (AVX2) f32 ReduceSum, ReduceMean, ReduceSumSquare, ReduceMax and ReduceMin over one
// block of adjacent axes (the plan, x86_f32_plans.cpp: X is [outer, n, inner], n reduced).
// Other axis sets run ref's.
//
// Reduced axes in the middle (inner > 1: e.g. over the channels of NCHW) take 8 adjacent
// outputs as the lanes and walk the reduced elements with stride `inner` in ref's order,
// folding each lane exactly as ref: bit-identical to ref for every op. The innermost
// axes (inner = 1: LayerNorm decompositions, attention, pooling by reduction) take one
// contiguous row of n per output:
// * Sum, Mean, SumSquare: ref sums in double in index order (Mean then divides by n in
//   double, SumSquare sums double(x)²); here 16 double lanes (four 4-lane accumulators,
//   added pairwise at the end, then the tail in order). Only the order of the double sums
//   differs, so each result is ref's or one f32 rounding away unless the sum cancels
//   (test/runtime/x86_reduce_test.cpp; bound in runtime/kernels/README.md).
// * Max, Min: an 8-lane maximum/minimum (NaN skipped, as vmaxps/vminps do), bit-identical
//   to ref: a row holding a NaN (ref keeps its last NaN) or whose result is zero (ref
//   keeps the first of −0 and +0) is redone with ref's loop.
//
// Threads take whole rows, each computed the same way whoever takes it: the same bits for
// any thread count. Compiled with -mavx2 -mfma; everything but the factories stays in an
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

using x86::ReducePlanF32;

enum class Op { Sum, Mean, SumSquare, Max, Min };

inline __m256d lo4(__m256 v) { return _mm256_cvtps_pd(_mm256_castps256_ps128(v)); }
inline __m256d hi4(__m256 v) { return _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)); }

// Σ x (or Σ x² when `square`) over a row, in double.
template <bool square> double rowSum(const float *x, int64_t n) {
  auto t = [](__m256d d) { return square ? _mm256_mul_pd(d, d) : d; };
  __m256d a0 = _mm256_setzero_pd(), a1 = _mm256_setzero_pd(), a2 = _mm256_setzero_pd(), a3 = _mm256_setzero_pd();
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256 u = _mm256_loadu_ps(x + i), v = _mm256_loadu_ps(x + i + 8);
    a0 = _mm256_add_pd(a0, t(lo4(u)));
    a1 = _mm256_add_pd(a1, t(hi4(u)));
    a2 = _mm256_add_pd(a2, t(lo4(v)));
    a3 = _mm256_add_pd(a3, t(hi4(v)));
  }
  alignas(32) double d[4];
  _mm256_store_pd(d, _mm256_add_pd(_mm256_add_pd(a0, a1), _mm256_add_pd(a2, a3)));
  double s = (d[0] + d[1]) + (d[2] + d[3]);
  for (; i < n; ++i) {
    const double v = x[i];
    s += square ? v * v : v;
  }
  return s;
}

// ref's Max/Min fold: a NaN wins (and the last one sticks), else the first extreme.
template <bool max> float rowExtremeRef(const float *x, int64_t n) {
  float a = max ? -std::numeric_limits<float>::infinity() : std::numeric_limits<float>::infinity();
  for (int64_t i = 0; i < n; ++i)
    if ((max ? x[i] > a : x[i] < a) || std::isnan(x[i])) a = x[i];
  return a;
}

template <bool max> float rowExtreme(const float *x, int64_t n) {
  const float init = max ? -std::numeric_limits<float>::infinity() : std::numeric_limits<float>::infinity();
  __m256 m = _mm256_set1_ps(init), nan = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    m = max ? _mm256_max_ps(v, m) : _mm256_min_ps(v, m);  // v when it beats m, else m
    nan = _mm256_or_ps(nan, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
  }
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, m);
  bool anyNan = _mm256_movemask_ps(nan) != 0;
  float r = init;
  for (float v : lanes) r = (max ? v > r : v < r) ? v : r;
  for (; i < n; ++i) {
    anyNan |= std::isnan(x[i]);
    r = (max ? x[i] > r : x[i] < r) ? x[i] : r;
  }
  return anyNan || r == 0.f ? rowExtremeRef<max>(x, n) : r;
}

inline __m256i tailMask(int64_t n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// Outputs i0 .. i0 + w − 1 (w <= 8) of an [n, inner] block, one lane each, the reduced
// axis walked with stride `inner` in ref's order: each lane folds its elements exactly as
// ref does (the same double sums; Max/Min as `t > acc || isnan(t) ? t : acc`), so the
// results are ref's bits.
void columns(Op op, const float *x, float *y, int64_t n, int64_t inner, int64_t w) {
  const __m256i tm = tailMask(w);
  auto load = [&](const float *p) { return w == 8 ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, tm); };
  auto store = [&](float *p, __m256 v) { w == 8 ? _mm256_storeu_ps(p, v) : _mm256_maskstore_ps(p, tm, v); };
  if (op == Op::Max || op == Op::Min) {
    const float init = op == Op::Max ? -std::numeric_limits<float>::infinity() : std::numeric_limits<float>::infinity();
    __m256 a = _mm256_set1_ps(init);
    for (int64_t k = 0; k < n; ++k) {
      const __m256 t = load(x + k * inner);
      const __m256 beats = op == Op::Max ? _mm256_cmp_ps(t, a, _CMP_GT_OQ) : _mm256_cmp_ps(t, a, _CMP_LT_OQ);
      a = _mm256_blendv_ps(a, t, _mm256_or_ps(beats, _mm256_cmp_ps(t, t, _CMP_UNORD_Q)));
    }
    store(y, a);
    return;
  }
  __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
  for (int64_t k = 0; k < n; ++k) {
    const __m256 t = load(x + k * inner);
    __m256d d0 = lo4(t), d1 = hi4(t);
    if (op == Op::SumSquare) d0 = _mm256_mul_pd(d0, d0), d1 = _mm256_mul_pd(d1, d1);
    s0 = _mm256_add_pd(s0, d0);
    s1 = _mm256_add_pd(s1, d1);
  }
  if (op == Op::Mean) {
    const __m256d c = _mm256_set1_pd(static_cast<double>(n));
    s0 = _mm256_div_pd(s0, c);
    s1 = _mm256_div_pd(s1, c);
  }
  store(y, _mm256_set_m128(_mm256_cvtpd_ps(s1), _mm256_cvtpd_ps(s0)));
}

class ReduceF32Avx2 final : public Kernel {
public:
  explicit ReduceF32Avx2(Op op) : op_(op) {}

  void prepare(const KernelSignature &sig) override { x86::planReduceF32(sig, &p_); }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const float *x = in[0]->as<float>();
    float *y = out[0]->as<float>();
    const int64_t n = p_.n, inner = p_.inner;
    if (inner > 1) {  // items: (outer, block of 8 outputs)
      const int64_t blocks = (inner + 7) / 8;
      ctx.parallelFor(p_.outer * blocks, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, n)), [&](int64_t lo, int64_t hi, int) {
        for (int64_t it = lo; it < hi; ++it) {
          const int64_t o = it / blocks, i0 = (it % blocks) * 8;
          columns(op_, x + o * n * inner + i0, y + o * inner + i0, n, inner, std::min<int64_t>(8, inner - i0));
        }
      });
      return;
    }
    ctx.parallelFor(p_.outer, std::max<int64_t>(1, 32768 / std::max<int64_t>(1, n)), [&](int64_t lo, int64_t hi, int) {
      for (int64_t o = lo; o < hi; ++o) {
        const float *r = x + o * n;
        switch (op_) {
        case Op::Sum: y[o] = static_cast<float>(rowSum<false>(r, n)); break;
        case Op::Mean: y[o] = static_cast<float>(rowSum<false>(r, n) / static_cast<double>(n)); break;
        case Op::SumSquare: y[o] = static_cast<float>(rowSum<true>(r, n)); break;
        case Op::Max: y[o] = rowExtreme<true>(r, n); break;
        case Op::Min: y[o] = rowExtreme<false>(r, n); break;
        }
      }
    });
  }

private:
  Op op_;
  ReducePlanF32 p_;
};

}  // namespace

Kernel *newX86Avx2ReduceSumF32() { return new ReduceF32Avx2(Op::Sum); }
Kernel *newX86Avx2ReduceMeanF32() { return new ReduceF32Avx2(Op::Mean); }
Kernel *newX86Avx2ReduceSumSquareF32() { return new ReduceF32Avx2(Op::SumSquare); }
Kernel *newX86Avx2ReduceMaxF32() { return new ReduceF32Avx2(Op::Max); }
Kernel *newX86Avx2ReduceMinF32() { return new ReduceF32Avx2(Op::Min); }

}  // namespace edgec::rt
