// x86 (AVX2 + FMA + F16C) RMSNormalization and KVCacheAttention, the two LLM kernels that
// run once per layer and token with the most arithmetic after the matmuls. Validation and
// plans are ref/llm.cpp's (baseline code); ref is the oracle.
//
// * RMSNormalization: the squares in f32 as ref, summed in double over 4 + 4 lanes (ref
//   sums them in index order), the factor from ref::rmsFactorFromSum, then (x * f) * w as
//   ref. Only the order of a double sum of f32 squares differs, so the factor agrees with
//   ref's to within one f32 rounding and is usually identical.
// * KVCacheAttention: per (query row, head), dot products of q with four cache rows at a
//   time (8-lane FMA; f16 rows widened with vcvtph2ps, i8 with vpmovsxbd), softmax with a
//   vector exp (exp below), then acc += p_j * v_j over the valid rows, y = acc / sum.
//   Agrees with ref within the tolerance stated in runtime/kernels/README.md.
//
// Compiled with -mavx2 -mfma -mf16c; everything but the factories stays in an anonymous
// namespace (see docs/architecture.md on ISA files).
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "ref/llm.h"
#include "register_kernels.h"

namespace edgec::rt {
namespace {

inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

inline double hsum(__m256d v) {
  __m128d s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
  return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}

inline float hmax(__m256 v) {
  __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  m = _mm_max_ss(m, _mm_movehdup_ps(m));
  return _mm_cvtss_f32(m);
}

// ---- RMSNormalization ----

class RmsNormAvx2 final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override { p_ = ref::parseRmsNorm(sig); }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const float *x = in[0]->as<float>();
    const float *w = in[1]->as<float>();
    float *y = out[0]->as<float>();
    const int64_t E = p_.E;
    const int64_t grain = std::max<int64_t>(1, (int64_t(1) << 16) / std::max<int64_t>(1, E));
    ctx.parallelFor(p_.rows, grain, [&](int64_t r0, int64_t r1, int) {
      for (int64_t r = r0; r < r1; ++r) row(x + r * E, w, y + r * E);
    });
  }

private:
  void row(const float *x, const float *w, float *y) const {
    const int64_t E = p_.E;
    __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
    int64_t i = 0;
    for (; i + 8 <= E; i += 8) {
      const __m256 v = _mm256_loadu_ps(x + i);
      const __m256 sq = _mm256_mul_ps(v, v);  // in f32, as ref
      s0 = _mm256_add_pd(s0, _mm256_cvtps_pd(_mm256_castps256_ps128(sq)));
      s1 = _mm256_add_pd(s1, _mm256_cvtps_pd(_mm256_extractf128_ps(sq, 1)));
    }
    double sum = hsum(_mm256_add_pd(s0, s1));
    for (; i < E; ++i) sum += static_cast<double>(x[i] * x[i]);
    const float f = ref::rmsFactorFromSum(sum, E, p_.epsilon);
    const __m256 vf = _mm256_set1_ps(f);
    i = 0;
    for (; i + 8 <= E; i += 8)
      _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_mul_ps(_mm256_loadu_ps(x + i), vf), _mm256_loadu_ps(w + i)));
    for (; i < E; ++i) y[i] = (x[i] * f) * w[i];  // two products: nothing to contract
  }

  ref::RmsNormPlan p_;
};

// ---- KVCacheAttention ----

// e^x for x <= 0 (scores minus their maximum), NaN kept, x < -87 (below f32's normal
// range, where e^x < 2^-125 cannot move a sum that holds e^0 = 1) gives 0. x = n ln2 + r
// with |r| <= ln2 / 2 (ln2 split in a part exact in 10 bits and the rest, so n * ln2_hi
// is exact), e^r by its Taylor polynomial to degree 7 (truncation below 6e-9 relative),
// times 2^n built in the exponent bits.
inline __m256 expNonPositive(__m256 x) {
  const __m256 lo = _mm256_set1_ps(-87.f);
  const __m256 xc = _mm256_max_ps(lo, x);  // NaN x: max returns its second operand, x
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(xc, _mm256_set1_ps(1.44269504088896341f)),
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
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.f));
  const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  __m256 res = _mm256_mul_ps(p, _mm256_castsi256_ps(e));
  res = _mm256_andnot_ps(_mm256_cmp_ps(x, lo, _CMP_LT_OQ), res);          // x < -87: 0
  return _mm256_blendv_ps(res, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));      // NaN: NaN
}

// Eight cached elements as f32 (f16 widened exactly, i8 codes as their values).
inline __m256 load8(const float *p) { return _mm256_loadu_ps(p); }
inline __m256 load8(const uint16_t *p) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i *>(p)));
}
inline __m256 load8(const int8_t *p) {
  return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i *>(p))));
}
inline float load1(const float *p) { return *p; }
inline float load1(const uint16_t *p) { return _cvtsh_ss(*p); }
inline float load1(const int8_t *p) { return static_cast<float>(*p); }

class AttentionAvx2 final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override { p_ = ref::parseAttention(sig); }
  // Per thread: the accumulator (D, rounded up to whole vectors), then the scores of one
  // query row (C, plus a vector of -inf padding so the softmax runs on whole vectors).
  size_t scratchBytes() const override { return size_t(accFloats() + p_.C + 8) * sizeof(float); }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const int64_t pos = ref::attentionPosition(p_, *in[3]);
    const bool i8 = p_.cacheType == DType::i8;
    const float *ks = i8 ? in[4]->as<float>() : nullptr, *vs = i8 ? in[5]->as<float>() : nullptr;
    auto go = [&](auto *tag) {
      using T = std::remove_pointer_t<decltype(tag)>;
      const T *k = in[1]->as<T>(), *v = in[2]->as<T>();
      ctx.parallelFor(p_.S * p_.Hq, 1, [&](int64_t i0, int64_t i1, int thread) {
        float *acc = static_cast<float *>(ctx.threadScratch(thread));
        for (int64_t i = i0; i < i1; ++i) {
          int64_t s, h;
          ref::attentionItem(p_, i, &s, &h);
          head(in[0]->as<float>(), k, v, ks, vs, out[0]->as<float>(), pos, s, h, acc);
        }
      });
    };
    if (p_.cacheType == DType::f32) go(static_cast<float *>(nullptr));
    else if (p_.cacheType == DType::f16) go(static_cast<uint16_t *>(nullptr));
    else go(static_cast<int8_t *>(nullptr));
  }

private:
  int64_t accFloats() const { return (p_.D + 7) / 8 * 8; }

  template <typename T>
  void head(const float *q, const T *k, const T *v, const float *ks, const float *vs, float *y, int64_t pos,
            int64_t s, int64_t h, float *acc) const {
    const int64_t D = p_.D, D8 = D / 8 * 8, rowStride = p_.Hkv * D, kvh = h / (p_.Hq / p_.Hkv);
    const int64_t n = pos + s + 1;
    const float *qh = q + (s * p_.Hq + h) * D;
    float *scores = acc + accFloats();
    const T *kh = k + kvh * D, *vh = v + kvh * D;
    const float *ksh = ks ? ks + kvh : nullptr, *vsh = vs ? vs + kvh : nullptr;

    // Scores, four rows at a time (four independent FMA chains).
    int64_t j = 0;
    for (; j + 4 <= n; j += 4) {
      const T *k0 = kh + j * rowStride, *k1 = k0 + rowStride, *k2 = k1 + rowStride, *k3 = k2 + rowStride;
      __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
      for (int64_t d = 0; d < D8; d += 8) {
        const __m256 qv = _mm256_loadu_ps(qh + d);
        a0 = _mm256_fmadd_ps(qv, load8(k0 + d), a0);
        a1 = _mm256_fmadd_ps(qv, load8(k1 + d), a1);
        a2 = _mm256_fmadd_ps(qv, load8(k2 + d), a2);
        a3 = _mm256_fmadd_ps(qv, load8(k3 + d), a3);
      }
      float dot[4] = {hsum(a0), hsum(a1), hsum(a2), hsum(a3)};
      for (int64_t d = D8; d < D; ++d) {
        dot[0] += qh[d] * load1(k0 + d);
        dot[1] += qh[d] * load1(k1 + d);
        dot[2] += qh[d] * load1(k2 + d);
        dot[3] += qh[d] * load1(k3 + d);
      }
      for (int r = 0; r < 4; ++r) scores[j + r] = (ksh ? dot[r] * ksh[(j + r) * p_.Hkv] : dot[r]) * p_.scale;
    }
    for (; j < n; ++j) {
      const T *kj = kh + j * rowStride;
      __m256 a = _mm256_setzero_ps();
      for (int64_t d = 0; d < D8; d += 8) a = _mm256_fmadd_ps(_mm256_loadu_ps(qh + d), load8(kj + d), a);
      float dot = hsum(a);
      for (int64_t d = D8; d < D; ++d) dot += qh[d] * load1(kj + d);
      scores[j] = (ksh ? dot * ksh[j * p_.Hkv] : dot) * p_.scale;
    }

    // Softmax over whole vectors: the padding (-inf) takes part in the max and gives e = 0.
    const int64_t n8 = (n + 7) / 8 * 8;
    for (int64_t t = n; t < n8; ++t) scores[t] = -std::numeric_limits<float>::infinity();
    __m256 vmax = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
    for (int64_t t = 0; t < n8; t += 8) vmax = _mm256_max_ps(vmax, _mm256_loadu_ps(scores + t));
    const __m256 mx = _mm256_set1_ps(hmax(vmax));
    __m256 vsum = _mm256_setzero_ps();
    for (int64_t t = 0; t < n8; t += 8) {
      const __m256 e = expNonPositive(_mm256_sub_ps(_mm256_loadu_ps(scores + t), mx));
      _mm256_storeu_ps(scores + t, e);
      vsum = _mm256_add_ps(vsum, e);
    }
    const float inv = 1.0f / hsum(vsum);

    // acc = sum_j p_j * v_j, row by row in j order.
    for (int64_t d = 0; d < accFloats(); ++d) acc[d] = 0.f;
    for (j = 0; j < n; ++j) {
      const T *vj = vh + j * rowStride;
      const float pj = vsh ? scores[j] * vsh[j * p_.Hkv] : scores[j];
      const __m256 pv = _mm256_set1_ps(pj);
      for (int64_t d = 0; d < D8; d += 8)
        _mm256_storeu_ps(acc + d, _mm256_fmadd_ps(pv, load8(vj + d), _mm256_loadu_ps(acc + d)));
      for (int64_t d = D8; d < D; ++d) acc[d] += pj * load1(vj + d);
    }
    float *yh = y + (s * p_.Hq + h) * D;
    const __m256 vinv = _mm256_set1_ps(inv);
    for (int64_t d = 0; d < D8; d += 8) _mm256_storeu_ps(yh + d, _mm256_mul_ps(_mm256_loadu_ps(acc + d), vinv));
    for (int64_t d = D8; d < D; ++d) yh[d] = acc[d] * inv;
  }

  ref::AttentionPlan p_;
};

}  // namespace

Kernel *newX86Avx2RmsNorm() { return new RmsNormAvx2(); }
Kernel *newX86Avx2KVCacheAttention() { return new AttentionAvx2(); }

}  // namespace edgec::rt
