// x86 (AVX2 + FMA + F16C) RMSNormalization and KVCacheAttention, the two LLM kernels that
// run once per layer and token with the most arithmetic after the matmuls. Validation and
// plans are ref/llm.cpp's (baseline code); ref is the oracle.
//
// * RMSNormalization: the squares in f32 as ref, summed in double over 4 + 4 lanes (ref
//   sums them in index order), the factor from ref::rmsFactorFromSum, then (x * f) * w as
//   ref. Only the order of a double sum of f32 squares differs, so the factor agrees with
//   ref's to within one f32 rounding and is usually identical.
// * KVCacheAttention: per (query row, head), dot products of q with the cache rows it
//   attends (the causal rule, and the sliding window if any; 8-lane FMA; f16 rows
//   widened with vcvtph2ps, i8 with vpmovsxbd), softmax with a vector exp (exp below),
//   then acc += p_j * v_j, y = acc / sum. The query heads of a thread's chunk that share
//   a KV head (grouped-query attention) go together, so each cached row is read and
//   widened once for all of them; each head's arithmetic is the same as alone, so the
//   grouping (and the thread count) changes no result.
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
#include "x86/exp_avx2.h"
#include "x86/lanes_avx2.h"
#include "register_kernels.h"

namespace edgec::rt {
namespace {

// The unary kernels' vector math (tanh for a soft cap), in a namespace of its own: its
// struct V is not this file's.
namespace math {
#include "x86/vec_avx2.inc"
#include "x86/vec_math.inc"
}  // namespace math

inline double hsum(__m256d v) {
  __m128d s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
  return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
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

// Dot products of NH query heads with NR consecutive cache rows of D, each (head,
// row) pair its own 8-lane FMA chain over d, summed across lanes, then the tail of D that
// is not a whole vector with one fmaf per element. Every pair is computed the same way
// whatever NH and NR, so how heads and rows are blocked changes no result.
template <int NH, int NR, typename T>
inline void dotBlock(const float *const *q, const T *k, int64_t D, float (*out)[4]) {
  const int64_t D8 = D / 8 * 8;
  __m256 a[NH][NR];
  for (int h = 0; h < NH; ++h)
    for (int r = 0; r < NR; ++r) a[h][r] = _mm256_setzero_ps();
  for (int64_t d = 0; d < D8; d += 8) {
    __m256 kv[NR];
    for (int r = 0; r < NR; ++r) kv[r] = load8(k + r * D + d);
    for (int h = 0; h < NH; ++h) {
      const __m256 qv = _mm256_loadu_ps(q[h] + d);
      for (int r = 0; r < NR; ++r) a[h][r] = _mm256_fmadd_ps(qv, kv[r], a[h][r]);
    }
  }
  for (int h = 0; h < NH; ++h)
    for (int r = 0; r < NR; ++r) {
      float dot = hsum(a[h][r]);
      for (int64_t d = D8; d < D; ++d) dot = std::fmaf(q[h][d], load1(k + r * D + d), dot);
      out[h][r] = dot;
    }
}

class AttentionAvx2 final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    p_ = ref::parseAttention(sig);
    group_ = p_.Hq / p_.Hkv;
  }
  // Per thread and query head of a group: the accumulator (D, rounded up to whole
  // vectors) and the scores of one query row (C, plus a vector of -inf padding so the
  // softmax runs on whole vectors).
  size_t scratchBytes() const override {
    return size_t(std::min<int64_t>(group_, kMaxHeads) * headFloats()) * sizeof(float);
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const int64_t pos = ref::attentionPosition(p_, *in[3]);
    const bool i8 = p_.cacheType == DType::i8;
    const float *ks = i8 ? in[4]->as<float>() : nullptr, *vs = i8 ? in[5]->as<float>() : nullptr;
    auto go = [&](auto *tag) {
      using T = std::remove_pointer_t<decltype(tag)>;
      const T *k = in[1]->as<T>(), *v = in[2]->as<T>();
      ctx.parallelFor(p_.S * p_.Hq, ref::attentionGrain(p_, pos), [&](int64_t i0, int64_t i1, int thread) {
        float *scratch = static_cast<float *>(ctx.threadScratch(thread));
        ref::forEachHeadRun(p_, i0, i1, [&](int64_t s, int64_t h, int64_t n) {
          heads(in[0]->as<float>(), k, v, ks, vs, out[0]->as<float>(), pos, s, h, n, scratch);
        });
      });
    };
    if (p_.cacheType == DType::f32) go(static_cast<float *>(nullptr));
    else if (p_.cacheType == DType::f16) go(static_cast<uint16_t *>(nullptr));
    else go(static_cast<int8_t *>(nullptr));
  }

private:
  static constexpr int64_t kMaxHeads = 64;      // query heads handled together, at most
  static constexpr int64_t kTile = 32;          // V rows per tile of the accumulation
  static constexpr int64_t kPrefetchRows = 16;  // how far ahead the score loop fetches K rows

  // Prefetch `rows` consecutive cache rows of D elements.
  template <typename T> static void prefetchRows(const T *at, int64_t rows, int64_t D) {
    const int64_t bytes = D * int64_t(sizeof(T));
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t b = 0; b < bytes; b += 64)
        _mm_prefetch(reinterpret_cast<const char *>(at + r * D) + b, _MM_HINT_T0);
  }

  // acc[c][d .. d + 8W) += scores[c][j] * v_j[d .. d + 8W) for j in [j0, j1), j in order,
  // for the m (1-4) heads from c = 0; registers hold the accumulators over the rows.
  template <int W, int M, typename T>
  static void accTileM(float *const *acc, float *const *scores, const T *vh, int64_t D, int64_t j0, int64_t j1,
                       int64_t d) {
    __m256 a[M][W];
    for (int c = 0; c < M; ++c)
      for (int w = 0; w < W; ++w) a[c][w] = _mm256_loadu_ps(acc[c] + d + 8 * w);
    for (int64_t j = j0; j < j1; ++j) {
      const T *vj = vh + j * D + d;
      __m256 vv[W];
      for (int w = 0; w < W; ++w) vv[w] = load8(vj + 8 * w);
      for (int c = 0; c < M; ++c) {
        const __m256 p = _mm256_set1_ps(scores[c][j]);
        for (int w = 0; w < W; ++w) a[c][w] = _mm256_fmadd_ps(p, vv[w], a[c][w]);
      }
    }
    for (int c = 0; c < M; ++c)
      for (int w = 0; w < W; ++w) _mm256_storeu_ps(acc[c] + d + 8 * w, a[c][w]);
  }
  template <int W, typename T>
  static void accTile(float *const *acc, float *const *scores, int m, const T *vh, int64_t D, int64_t j0,
                      int64_t j1, int64_t d) {
    switch (m) {
    case 1: accTileM<W, 1>(acc, scores, vh, D, j0, j1, d); break;
    case 2: accTileM<W, 2>(acc, scores, vh, D, j0, j1, d); break;
    case 3: accTileM<W, 3>(acc, scores, vh, D, j0, j1, d); break;
    default: accTileM<W, 4>(acc, scores, vh, D, j0, j1, d); break;
    }
  }

  int64_t accFloats() const { return (p_.D + 7) / 8 * 8; }
  // The accumulator, the scores and (i8 caches) the query's codes.
  int64_t headFloats() const { return 2 * accFloats() + p_.C + 8; }

  // Scores of `count` heads (h0.., at most 4) with cache rows [j, j + NR).
  template <int NR, typename T>
  void scoreRows(const float *const *q, int count, const T *k, int64_t j, float *const *scores) const {
    float dots[4][4];
    const T *kj = k + j * p_.D;
    switch (count) {
    case 1: dotBlock<1, NR>(q, kj, p_.D, dots); break;
    case 2: dotBlock<2, NR>(q, kj, p_.D, dots); break;
    case 3: dotBlock<3, NR>(q, kj, p_.D, dots); break;
    default: dotBlock<4, NR>(q, kj, p_.D, dots); break;
    }
    for (int h = 0; h < count; ++h)
      for (int r = 0; r < NR; ++r) scores[h][j + r] = dots[h][r];
  }

  // Query row s, heads h0 .. h0 + count - 1 (one KV head): y = softmax(scale * q . K[0..n))
  // . V[0..n) over the n rows it attends from j0 = firstAttended(pos + s) (all pos + s + 1
  // without a window; kh, vh and the scales start at j0), each head exactly as if alone.
  template <typename T>
  void heads(const float *q, const T *k, const T *v, const float *ks, const float *vs, float *y, int64_t pos,
             int64_t s, int64_t h0, int64_t count, float *scratch) const {
    const int64_t D = p_.D, D8 = D / 8 * 8, kvh = h0 / group_, j0 = p_.firstAttended(pos + s), n = pos + s + 1 - j0;
    const int64_t r0 = p_.firstRow(kvh, pos) + j0;  // position j0's row
    const T *kh = k + r0 * D, *vh = v + r0 * D;
    const float *ksh = ks ? ks + r0 : nullptr, *vsh = vs ? vs + r0 : nullptr;
    if (count > kMaxHeads) {  // a larger group goes in parts, one after the other
      heads(q, k, v, ks, vs, y, pos, s, h0, kMaxHeads, scratch);
      heads(q, k, v, ks, vs, y, pos, s, h0 + kMaxHeads, count - kMaxHeads, scratch);
      return;
    }
    float *acc[kMaxHeads], *scores[kMaxHeads], inv[kMaxHeads], qScale[kMaxHeads];
    const float *qs[kMaxHeads];
    for (int64_t c = 0; c < count; ++c) {
      acc[c] = scratch + c * headFloats();
      scores[c] = acc[c] + accFloats();
      qs[c] = q + (s * p_.Hq + h0 + c) * D;
      if (ksh) {  // i8: the query's codes (ref::quantizeQueryRow), dotted exactly
        float *codes = scores[c] + p_.C + 8;
        qScale[c] = ref::quantizeQueryRow(qs[c], D, codes);
        qs[c] = codes;
      }
    }

    // Scores: rows in blocks (4 rows for one head, 2 for several: independent FMA chains),
    // heads in blocks of 4 inside, so a block of rows stays in L1 for every head.
    const int64_t nr = count == 1 ? 4 : 2;
    int64_t j = 0;
    prefetchRows(kh, std::min(n, kPrefetchRows), D);
    for (; j + nr <= n; j += nr) {
      // The cache rows are cold (a decode step streams the weights through the caches
      // between layers): without a prefetch kPrefetchRows ahead the loop waited on memory
      // latency, row after row (measured when a head's rows lay Hkv D elements apart).
      if (j + kPrefetchRows < n) prefetchRows(kh + (j + kPrefetchRows) * D, nr, D);
      for (int64_t c = 0; c < count; c += 4) {
        const int m = int(std::min<int64_t>(4, count - c));
        if (nr == 4) scoreRows<4>(qs + c, m, kh, j, scores + c);
        else scoreRows<2>(qs + c, m, kh, j, scores + c);
      }
    }
    for (; j < n; ++j)
      for (int64_t c = 0; c < count; c += 4) scoreRows<1>(qs + c, int(std::min<int64_t>(4, count - c)), kh, j, scores + c);
    for (int64_t c = 0; c < count; ++c)
      for (j = 0; j < n; ++j) scores[c][j] = (ksh ? scores[c][j] * qScale[c] * ksh[j] : scores[c][j]) * p_.scale;
    if (p_.softcap > 0.f) {  // ref::softcapScore by 8 lanes (the lanes past n are set below)
      const __m256 cap = _mm256_set1_ps(p_.softcap), inverse = _mm256_set1_ps(1.0f / p_.softcap);
      for (int64_t c = 0; c < count; ++c)
        for (j = 0; j < n; j += 8)
          _mm256_storeu_ps(scores[c] + j,
                           _mm256_mul_ps(cap, math::tanhV(_mm256_mul_ps(_mm256_loadu_ps(scores[c] + j), inverse))));
    }

    // Softmax per head over whole vectors: the padding (-inf) takes part in the max and
    // gives e = 0. V's first tile is fetched meanwhile.
    prefetchRows(vh, std::min(n, kTile), D);
    const int64_t n8 = (n + 7) / 8 * 8;
    for (int64_t c = 0; c < count; ++c) {
      float *sc = scores[c];
      for (int64_t t = n; t < n8; ++t) sc[t] = -std::numeric_limits<float>::infinity();
      __m256 vmax = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
      for (int64_t t = 0; t < n8; t += 8) vmax = _mm256_max_ps(vmax, _mm256_loadu_ps(sc + t));
      const __m256 mx = _mm256_set1_ps(hmax(vmax));
      __m256 vsum = _mm256_setzero_ps();
      for (int64_t t = 0; t < n8; t += 8) {
        const __m256 e = expNonPositive(_mm256_sub_ps(_mm256_loadu_ps(sc + t), mx));
        _mm256_storeu_ps(sc + t, e);
        vsum = _mm256_add_ps(vsum, e);
      }
      inv[c] = 1.0f / hsum(vsum);
      if (vsh)  // i8: the row's V scale joins the probability
        for (j = 0; j < n; ++j) sc[j] *= vsh[j];
      for (int64_t d = 0; d < accFloats(); ++d) acc[c][d] = 0.f;
    }

    // acc_c = sum_j p_cj * v_j, rows in j order for every element (one fma chain per
    // element, as before any tiling). Tiles of kTile rows (in L1 once read); within a
    // tile, 16 elements of up to 4 heads stay in registers over the tile's rows (each row
    // loaded and widened once per head block and element pair), so the accumulators go
    // through memory once per tile, not once per row; the next tile is prefetched.
    for (int64_t j0 = 0; j0 < n; j0 += kTile) {
      const int64_t j1 = std::min(n, j0 + kTile);
      if (j1 < n) prefetchRows(vh + j1 * D, std::min(kTile, n - j1), D);
      int64_t d = 0;
      for (; d + 16 <= D8; d += 16)
        for (int64_t c = 0; c < count; c += 4)
          accTile<2>(acc + c, scores + c, int(std::min<int64_t>(4, count - c)), vh, D, j0, j1, d);
      for (; d < D8; d += 8)
        for (int64_t c = 0; c < count; c += 4)
          accTile<1>(acc + c, scores + c, int(std::min<int64_t>(4, count - c)), vh, D, j0, j1, d);
      for (; d < D; ++d)
        for (j = j0; j < j1; ++j) {
          const float vd = load1(vh + j * D + d);
          for (int64_t c = 0; c < count; ++c) acc[c][d] = std::fmaf(scores[c][j], vd, acc[c][d]);
        }
    }
    for (int64_t c = 0; c < count; ++c) {
      float *yh = y + (s * p_.Hq + h0 + c) * D;
      const __m256 vinv = _mm256_set1_ps(inv[c]);
      for (int64_t d = 0; d < D8; d += 8) _mm256_storeu_ps(yh + d, _mm256_mul_ps(_mm256_loadu_ps(acc[c] + d), vinv));
      for (int64_t d = D8; d < D; ++d) yh[d] = acc[c][d] * inv[c];
    }
  }

  ref::AttentionPlan p_;
  int64_t group_ = 1;
};

}  // namespace

Kernel *newX86Avx2RmsNorm() { return new RmsNormAvx2(); }
Kernel *newX86Avx2KVCacheAttention() { return new AttentionAvx2(); }

}  // namespace edgec::rt
