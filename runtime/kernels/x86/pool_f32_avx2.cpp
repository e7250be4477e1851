// x86 (AVX2) f32 pools over NCHW: 2-D MaxPool and AveragePool (any kernel, strides,
// dilations, pads, count_include_pad, the ceil_mode output size), GlobalAveragePool and
// GlobalMaxPool. The calls are validated and planned in baseline code (x86_f32_plans.cpp,
// which runs ref's parsePool); 1-D and 3-D pools stay with ref.
//
// Bit-identical to ref (ref/pool.cpp), whatever the thread count:
// * MaxPool/AveragePool: 8 adjacent outputs of a row whose windows lie horizontally
//   inside the input are one vector; each lane visits its window's taps in ref's order
//   (kw outer, kh inner, rows outside the input skipped) with ref's operations: MaxPool
//   `m = v > m ? v : m` from -inf (vmaxps(v, m), which skips a NaN v as ref does);
//   AveragePool sums in double (two 4-lane halves) and divides by ref's count in double.
//   Outputs near the left/right edges run ref's scalar loop on the same plan.
// * GlobalAveragePool: ref's 16 partial sums in double (partial j over the elements
//   i = j (mod 16)) are four double vectors here, each a chain of its own, added pairwise
//   at the end in ref's order (four planes' last steps shared in vectors); the last
//   elements are loaded under a mask, the zeros past them leaving the sums unchanged.
// * GlobalMaxPool: an 8-lane maximum (NaN skipped, as vmaxps does); a plane with a NaN
//   (ref keeps its last NaN) or a zero maximum (ref keeps the first of -0 and +0) is
//   redone with ref's loop.
//
// Compiled with -mavx2 -mfma; everything but the factories stays in an anonymous
// namespace (see docs/architecture.md on ISA files).
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "kernel.h"
#include "register_kernels.h"
#include "x86_f32_plans.h"

namespace edgec::rt {
namespace {

using x86::GlobalPoolPlanF32;
using x86::Pool2dPlanF32;

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// Lanes j = 0..7 of x[c0 + j·s]: S = 1 and 2 spelled out, S = 0 any stride (a gather).
template <int S> inline __m256 loadStrided(const float *x, __m256i gatherIdx) {
  if constexpr (S == 1) return _mm256_loadu_ps(x);
  if constexpr (S == 2) {  // x[0..7] and x[7..14] (never past x[14]): evens of the first, odds of the second
    const __m256 lo = _mm256_loadu_ps(x), hi = _mm256_loadu_ps(x + 7);
    const __m256 sh = _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(3, 1, 2, 0));  // 0 2 8 10 | 4 6 12 14
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(sh), _MM_SHUFFLE(3, 1, 2, 0)));
  }
  return _mm256_i32gather_ps(x, gatherIdx, 4);
}

class Pool2dF32Avx2 final : public Kernel {
public:
  explicit Pool2dF32Avx2(bool max) : max_(max) {}

  void prepare(const KernelSignature &sig) override { x86::planPool2dF32(sig, &p_); }
  // MaxPool at strides 1 and 2: a row of column maxima a thread (see columnsFirst).
  size_t scratchBytes() const override {
    return columnsFirst() ? size_t(kGroup * columnFloats()) * sizeof(float) : 0;
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const float *x = in[0]->as<float>();
    float *y = out[0]->as<float>();
    const int64_t rows = p_.planes * p_.OH;
    const int64_t perRow = std::max<int64_t>(1, p_.OW * p_.kh * p_.kw);
    ctx.parallelFor(rows, std::max<int64_t>(1, 32768 / perRow), [&](int64_t lo, int64_t hi, int thread) {
      if (!columnsFirst()) {
        for (int64_t r = lo; r < hi; ++r) row(x + (r / p_.OH) * p_.H * p_.W, y + r * p_.OW, r % p_.OH);
        return;
      }
      // -inf outside the input's columns, for every row of the chunk. kGroup rows' column
      // maxima are stored before the first is read back: a read of the last stores still
      // in the store buffer, straddling two of them (the stride-2 loads start at odd
      // columns), would wait for them to be written.
      float *buf = static_cast<float *>(ctx.threadScratch(thread));
      std::fill(buf, buf + kGroup * columnFloats(), kNegInf);
      for (int64_t r0 = lo; r0 < hi; r0 += kGroup) {
        const int64_t r1 = std::min(hi, r0 + kGroup);
        for (int64_t r = r0; r < r1; ++r)
          columnMaxima(x + (r / p_.OH) * p_.H * p_.W, r % p_.OH, buf + (r - r0) * columnFloats() + p_.padL);
        for (int64_t r = r0; r < r1; ++r) rowMaxima(buf + (r - r0) * columnFloats(), y + r * p_.OW);
      }
    });
  }

private:
  static constexpr int64_t kGroup = 4;  // output rows whose column maxima are stored together
  bool columnsFirst() const { return max_ && (p_.sw == 1 || p_.sw == 2); }
  // Column maxima at input columns -padL .. (the last vector of outputs' window end + 16).
  int64_t columnFloats() const { return p_.padL + p_.sw * ((p_.OW + 7) / 8 * 8) + p_.kw * p_.dw + 16; }

  // MaxPool, columns first: cm[c] = the maximum of input column c over output row oh's
  // window rows (in kh order; -inf outside the input, as the caller filled it), then
  // y[ow] = the maximum of cm over the window's columns (in kw order). Ref visits kw
  // outer, kh inner and keeps the first maximum it meets (v > m; vmaxps(v, m) keeps m on
  // a tie and on a NaN v): the first maximum of the first column holding it, which is
  // what the two steps keep too, +0/-0 ties included; a -inf column changes no maximum.
  // So the same bits, with each input element loaded once per output row instead of once
  // per tap (ResNet's 3x3 stride-2 stem pool: 9 strided loads of two vectors and two
  // shuffles each per 8 outputs, where now 3 rows of plain loads and 3 strided loads).
  void columnMaxima(const float *x, int64_t oh, float *cm) const {
    const Pool2dPlanF32 &p = p_;
    const int64_t ih0 = oh * p.sh - p.padT;
    const float *rows[x86::Pool2dPlanF32::kMaxKernelH];
    int64_t nkh = 0;
    for (int64_t k = 0; k < p.kh; ++k) {
      const int64_t c = ih0 + k * p.dh;
      if (c >= 0 && c < p.H) rows[nkh++] = x + c * p.W;
    }
    int64_t c = 0;
    for (; c + 8 <= p.W; c += 8) {
      __m256 m = _mm256_set1_ps(kNegInf);
      for (int64_t i = 0; i < nkh; ++i) m = _mm256_max_ps(_mm256_loadu_ps(rows[i] + c), m);
      _mm256_storeu_ps(cm + c, m);
    }
    for (; c < p.W; ++c) {
      float m = kNegInf;
      for (int64_t i = 0; i < nkh; ++i) m = rows[i][c] > m ? rows[i][c] : m;
      cm[c] = m;
    }
  }
  // y = the maxima over the windows' columns of the row of column maxima at `base`
  // (input column -padL on).
  void rowMaxima(const float *base, float *y) const {
    const Pool2dPlanF32 &p = p_;
    const __m256i unused = _mm256_setzero_si256();
    for (int64_t ow = 0; ow < p.OW; ow += 8) {
      __m256 m = _mm256_set1_ps(kNegInf);
      const float *q = base + ow * p.sw;
      for (int64_t k = 0; k < p.kw; ++k)
        m = _mm256_max_ps(p.sw == 1 ? loadStrided<1>(q + k * p.dw, unused) : loadStrided<2>(q + k * p.dw, unused), m);
      if (ow + 8 <= p.OW) {
        _mm256_storeu_ps(y + ow, m);
      } else {
        alignas(32) float last[8];
        _mm256_store_ps(last, m);
        std::copy(last, last + (p.OW - ow), y + ow);
      }
    }
  }
  // Output row oh of one plane.
  void row(const float *x, float *y, int64_t oh) const {
    const Pool2dPlanF32 &p = p_;
    // The taps' rows inside the input, and (count_include_pad) inside the padded input.
    const int64_t ih0 = oh * p.sh - p.padT;
    int64_t kh[x86::Pool2dPlanF32::kMaxKernelH];  // the plan refuses taller kernels
    int64_t nkh = 0, padH = 0;
    for (int64_t k = 0; k < p.kh; ++k) {
      const int64_t c = ih0 + k * p.dh;
      if (c >= -p.padT && c < p.H + p.padB) ++padH;
      if (c >= 0 && c < p.H) kh[nkh++] = c * p.W;
    }
    // Outputs whose window columns all lie inside the input: [owA, owB).
    const int64_t span = (p.kw - 1) * p.dw;
    const int64_t owA = std::min(p.OW, (p.padL + p.sw - 1) / p.sw);
    const int64_t lastNum = p.W - 1 - span + p.padL;  // ow·sw <= lastNum
    const int64_t owB = lastNum < 0 ? owA : std::max(owA, std::min(p.OW, lastNum / p.sw + 1));
    int64_t ow = 0;
    for (; ow < owA; ++ow) y[ow] = scalar(x, ow, kh, nkh, padH);
    if (p.sw == 1)
      ow = vectors<1>(x, y, ow, owB, kh, nkh, padH);
    else if (p.sw == 2)
      ow = vectors<2>(x, y, ow, owB, kh, nkh, padH);
    else
      ow = vectors<0>(x, y, ow, owB, kh, nkh, padH);
    for (; ow < p.OW; ++ow) y[ow] = scalar(x, ow, kh, nkh, padH);
  }

  // Outputs [ow, owB) (windows inside the input horizontally) 16, then 8, at a time (two
  // vectors in flight: each lane's chain of maxima or double sums is latency bound);
  // returns where the vectors stopped. Stride S as loadStrided.
  template <int S>
  int64_t vectors(const float *x, float *y, int64_t ow, int64_t owB, const int64_t *kh, int64_t nkh,
                  int64_t padH) const {
    const Pool2dPlanF32 &p = p_;
    const __m256i gidx = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),
                                            _mm256_set1_epi32(static_cast<int>(p.sw)));
    const int64_t step = 8 * p.sw;  // input columns between two vectors of outputs
    const int64_t first = ow;
    if (max_) {
      for (; ow + 16 <= owB; ow += 16) {  // two independent chains
        const float *base = x + ow * p.sw - p.padL;
        __m256 m0 = _mm256_set1_ps(kNegInf), m1 = m0;
        for (int64_t k = 0; k < p.kw; ++k)
          for (int64_t i = 0; i < nkh; ++i) {
            const float *q = base + kh[i] + k * p.dw;
            m0 = _mm256_max_ps(loadStrided<S>(q, gidx), m0);
            m1 = _mm256_max_ps(loadStrided<S>(q + step, gidx), m1);
          }
        _mm256_storeu_ps(y + ow, m0);
        _mm256_storeu_ps(y + ow + 8, m1);
      }
      auto eight = [&](int64_t o) {
        const float *base = x + o * p.sw - p.padL;
        __m256 m = _mm256_set1_ps(kNegInf);
        for (int64_t k = 0; k < p.kw; ++k)
          for (int64_t i = 0; i < nkh; ++i) m = _mm256_max_ps(loadStrided<S>(base + kh[i] + k * p.dw, gidx), m);
        _mm256_storeu_ps(y + o, m);
      };
      for (; ow + 8 <= owB; ow += 8) eight(ow);
      // The rest as the last 8, overlapping outputs already stored (with the same values).
      if (ow < owB && owB - 8 >= first) eight(owB - 8), ow = owB;
      return ow;
    }
    const __m256d n = _mm256_set1_pd(double(p.countIncludePad ? padH * p.kw : nkh * p.kw));
    for (; ow + 16 <= owB; ow += 16) {  // four independent chains
      const float *base = x + ow * p.sw - p.padL;
      __m256d s0 = _mm256_setzero_pd(), s1 = s0, s2 = s0, s3 = s0;
      for (int64_t k = 0; k < p.kw; ++k)
        for (int64_t i = 0; i < nkh; ++i) {
          const float *q = base + kh[i] + k * p.dw;
          const __m256 v = loadStrided<S>(q, gidx), u = loadStrided<S>(q + step, gidx);
          s0 = _mm256_add_pd(s0, _mm256_cvtps_pd(_mm256_castps256_ps128(v)));
          s1 = _mm256_add_pd(s1, _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
          s2 = _mm256_add_pd(s2, _mm256_cvtps_pd(_mm256_castps256_ps128(u)));
          s3 = _mm256_add_pd(s3, _mm256_cvtps_pd(_mm256_extractf128_ps(u, 1)));
        }
      _mm256_storeu_ps(y + ow, _mm256_set_m128(_mm256_cvtpd_ps(_mm256_div_pd(s1, n)), _mm256_cvtpd_ps(_mm256_div_pd(s0, n))));
      _mm256_storeu_ps(y + ow + 8, _mm256_set_m128(_mm256_cvtpd_ps(_mm256_div_pd(s3, n)), _mm256_cvtpd_ps(_mm256_div_pd(s2, n))));
    }
    auto eight = [&](int64_t o) {
      const float *base = x + o * p.sw - p.padL;
      __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
      for (int64_t k = 0; k < p.kw; ++k)
        for (int64_t i = 0; i < nkh; ++i) {
          const __m256 v = loadStrided<S>(base + kh[i] + k * p.dw, gidx);
          s0 = _mm256_add_pd(s0, _mm256_cvtps_pd(_mm256_castps256_ps128(v)));
          s1 = _mm256_add_pd(s1, _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
        }
      const __m128 lo = _mm256_cvtpd_ps(_mm256_div_pd(s0, n)), hi = _mm256_cvtpd_ps(_mm256_div_pd(s1, n));
      _mm256_storeu_ps(y + o, _mm256_set_m128(hi, lo));
    };
    for (; ow + 8 <= owB; ow += 8) eight(ow);
    if (ow < owB && owB - 8 >= first) eight(owB - 8), ow = owB;  // overlapping, as above
    return ow;
  }

  // One output as ref computes it.
  float scalar(const float *x, int64_t ow, const int64_t *kh, int64_t nkh, int64_t padH) const {
    const Pool2dPlanF32 &p = p_;
    const int64_t iw0 = ow * p.sw - p.padL;
    float m = kNegInf;
    double sum = 0;
    int64_t padW = 0, nkw = 0;
    for (int64_t k = 0; k < p.kw; ++k) {
      const int64_t c = iw0 + k * p.dw;
      if (c >= -p.padL && c < p.W + p.padR) ++padW;
      if (c < 0 || c >= p.W) continue;
      ++nkw;
      for (int64_t i = 0; i < nkh; ++i) {
        const float v = x[kh[i] + c];
        if (v > m) m = v;
        sum += v;
      }
    }
    if (max_) return m;
    const int64_t count = p.countIncludePad ? padH * padW : nkh * nkw;
    return static_cast<float>(sum / static_cast<double>(count));
  }

  bool max_;
  Pool2dPlanF32 p_;
};

#include "x86/plane_means_avx2.inc"

// ref's GlobalMaxPool of one plane: a NaN wins (the last one), else the first maximum.
float planeMaxRef(const float *x, int64_t n) {
  float m = kNegInf;
  for (int64_t i = 0; i < n; ++i)
    if (x[i] > m || std::isnan(x[i])) m = x[i];
  return m;
}

float planeMax(const float *x, int64_t n) {
  __m256 m = _mm256_set1_ps(kNegInf), nan = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    m = _mm256_max_ps(v, m);
    nan = _mm256_or_ps(nan, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
  }
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, m);
  float r = kNegInf;
  bool anyNan = _mm256_movemask_ps(nan) != 0;
  for (float v : lanes) r = v > r ? v : r;
  for (; i < n; ++i) {
    anyNan |= std::isnan(x[i]);
    r = x[i] > r ? x[i] : r;
  }
  return anyNan || r == 0.f ? planeMaxRef(x, n) : r;
}

class GlobalPoolF32Avx2 final : public Kernel {
public:
  explicit GlobalPoolF32Avx2(bool max) : max_(max) {}

  void prepare(const KernelSignature &sig) override { x86::planGlobalPoolF32(sig, &p_); }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const float *x = in[0]->as<float>();
    float *y = out[0]->as<float>();
    const int64_t n = p_.size;
    ctx.parallelFor(p_.planes, std::max<int64_t>(1, 32768 / std::max<int64_t>(n, 1)), [&](int64_t lo, int64_t hi, int) {
      if (max_) {
        for (int64_t pl = lo; pl < hi; ++pl) y[pl] = planeMax(x + pl * n, n);
      } else {
        int64_t pl = lo;
        for (; pl + 4 <= hi; pl += 4) planeMeans<4>(x + pl * n, n, y + pl);
        for (; pl < hi; ++pl) planeMeans<1>(x + pl * n, n, y + pl);
      }
    });
  }

private:
  bool max_;
  GlobalPoolPlanF32 p_;
};

}  // namespace

Kernel *newX86Avx2MaxPoolF32() { return new Pool2dF32Avx2(true); }
Kernel *newX86Avx2AveragePoolF32() { return new Pool2dF32Avx2(false); }
Kernel *newX86Avx2GlobalMaxPoolF32() { return new GlobalPoolF32Avx2(true); }
Kernel *newX86Avx2GlobalAveragePoolF32() { return new GlobalPoolF32Avx2(false); }

}  // namespace edgec::rt
