// x86 AVX-512 KVCacheAttention for f16 and f32 caches with a head size that is a whole
// number of 16-lane vectors (Qwen2's and llama's 64 and 128): the attention of an LLM
// decode step. Validation and plans are ref/llm.cpp's; ref is the oracle; i8 caches and
// other head sizes stay on x86/llm_avx2.cpp.
//
// Why a second kernel: the AVX2 one ran Qwen2.5-1.5B's decode attention (12 query heads
// over 2 KV heads of 128, pos 576) at ~20 GMAC/s, 60-90 us a layer, even with the cache
// in L2: each (head, row) dot product ended in its own horizontal sum, and V was
// accumulated 16 elements at a time in tiles, reloading the accumulators per tile. Here:
// * Scores: 4 cache rows x up to 6 query heads a block, 24 zmm accumulators over d, each
//   row widened once for all heads; the 4 rows of a head are then summed across lanes
//   together (one transposing tree for 4 vectors instead of 4 trees).
// * V: per 64-element slice of d, the accumulators of up to 6 heads (4 zmm each) stay in
//   registers over all n rows, so each row slice is widened once and no accumulator goes
//   through memory; the slices of a row are distinct lines, so no line is read twice.
// * Both loops prefetch the rows kAhead ahead: the cache rows are cold in a decode step
//   (the step streams the weights between two layers' attention).
// Each (head, row) dot runs over d in order per lane, then the same lane tree whatever
// the block; each output element is one fma chain over j in order: every head's result
// is the same whatever the grouping and thread count. Another order than ref and the AVX2
// kernel: within the tolerance runtime/kernels/README.md states ("LLM kernels").
//
// Compiled with -mavx512f -mavx512dq -mavx512vl -mfma -mf16c; everything but the factory
// stays in an anonymous namespace (see docs/architecture.md on ISA files).
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

// Sixteen cached elements as f32 (f16 widened exactly).
inline __m512 load16(const float *p) { return _mm512_loadu_ps(p); }
inline __m512 load16(const uint16_t *p) {
  return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(p)));
}

// The lane sums of a, b, c, d as [sum a, sum b, sum c, sum d]. Every vector's lanes are
// summed in the same order whichever slot it takes: within each 128-bit segment
// (l0 + l2) + (l1 + l3), then (s0 + s2) + (s1 + s3) over the segments.
inline __m128 laneSums4(__m512 a, __m512 b, __m512 c, __m512 d) {
  const __m512 ab = _mm512_add_ps(_mm512_unpacklo_ps(a, b), _mm512_unpackhi_ps(a, b));  // a02 b02 a13 b13
  const __m512 cd = _mm512_add_ps(_mm512_unpacklo_ps(c, d), _mm512_unpackhi_ps(c, d));
  const __m512d abd = _mm512_castps_pd(ab), cdd = _mm512_castps_pd(cd);  // the unpacks move f32 pairs
  const __m512 s = _mm512_add_ps(_mm512_castpd_ps(_mm512_unpacklo_pd(abd, cdd)),   // a02 b02 c02 d02
                                 _mm512_castpd_ps(_mm512_unpackhi_pd(abd, cdd)));  // a13 b13 c13 d13
  const __m256 h = _mm256_add_ps(_mm512_castps512_ps256(s),
                                 _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(s), 1)));
  return _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
}

class AttentionAvx512 final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    p_ = ref::parseAttention(sig);
    group_ = p_.Hq / p_.Hkv;
  }
  // Per thread: the scores of up to kMaxHeads heads of one query row (C, plus 16 for the
  // softmax's whole vectors).
  size_t scratchBytes() const override {
    return size_t(std::min<int64_t>(group_, kMaxHeads) * scoreFloats()) * sizeof(float);
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const int64_t pos = ref::attentionPosition(p_, *in[3]);
    auto go = [&](auto *tag) {
      using T = std::remove_pointer_t<decltype(tag)>;
      const T *k = in[1]->as<T>(), *v = in[2]->as<T>();
      ctx.parallelFor(p_.S * p_.Hq, ref::attentionGrain(p_, pos), [&](int64_t i0, int64_t i1, int thread) {
        float *scratch = static_cast<float *>(ctx.threadScratch(thread));
        ref::forEachHeadRun(p_, i0, i1, [&](int64_t s, int64_t h, int64_t n) {
          for (int64_t c = 0; c < n; c += kMaxHeads)
            heads(in[0]->as<float>(), k, v, out[0]->as<float>(), pos, s, h + c, std::min(kMaxHeads, n - c), scratch);
        });
      });
    };
    if (p_.cacheType == DType::f16) go(static_cast<uint16_t *>(nullptr));
    else go(static_cast<float *>(nullptr));
  }

private:
  static constexpr int64_t kMaxHeads = 6;  // query heads a block: 6 x 4 accumulators
  static constexpr int64_t kAhead = 24;    // rows the loops prefetch ahead

  int64_t scoreFloats() const { return (p_.C + 15) / 16 * 16 + 16; }

  template <typename T> static void prefetch(const T *at, int64_t bytes) {
    for (int64_t b = 0; b < bytes; b += 64) _mm_prefetch(reinterpret_cast<const char *>(at) + b, _MM_HINT_T0);
  }
  template <typename T> static void prefetchL2(const T *at, int64_t bytes) {
    for (int64_t b = 0; b < bytes; b += 64) _mm_prefetch(reinterpret_cast<const char *>(at) + b, _MM_HINT_T1);
  }

  // scores[h][j .. j + 4) = q_h . k_{j..j+4} for NH heads.
  template <int NH, typename T>
  void scoreBlock4(const float *const *q, const T *kj, int64_t stride, float *const *scores, int64_t j) const {
    __m512 a[NH][4];
    for (int h = 0; h < NH; ++h)
      for (int r = 0; r < 4; ++r) a[h][r] = _mm512_setzero_ps();
    for (int64_t d = 0; d < p_.D; d += 16) {
      __m512 kv[4];
      for (int r = 0; r < 4; ++r) kv[r] = load16(kj + r * stride + d);
      for (int h = 0; h < NH; ++h) {
        const __m512 qv = _mm512_loadu_ps(q[h] + d);
        for (int r = 0; r < 4; ++r) a[h][r] = _mm512_fmadd_ps(qv, kv[r], a[h][r]);
      }
    }
    for (int h = 0; h < NH; ++h) _mm_storeu_ps(scores[h] + j, laneSums4(a[h][0], a[h][1], a[h][2], a[h][3]));
  }
  // One row (the last n % 4): the same chains and the same lane order as in a block.
  template <int NH, typename T>
  void scoreRow(const float *const *q, const T *kj, float *const *scores, int64_t j) const {
    __m512 a[NH];
    for (int h = 0; h < NH; ++h) a[h] = _mm512_setzero_ps();
    for (int64_t d = 0; d < p_.D; d += 16) {
      const __m512 kv = load16(kj + d);
      for (int h = 0; h < NH; ++h) a[h] = _mm512_fmadd_ps(_mm512_loadu_ps(q[h] + d), kv, a[h]);
    }
    const __m512 z = _mm512_setzero_ps();
    for (int h = 0; h < NH; ++h) scores[h][j] = _mm_cvtss_f32(laneSums4(a[h], z, z, z));
  }

  // The scores of all n rows; meanwhile V's rows are fetched into L2 (one KV head's K and
  // V rows take 2 n D elements: 295 KB for Qwen2.5-1.5B at pos 576), where the V loop
  // then finds them instead of waiting on memory row after row.
  template <int NH, typename T>
  void scoresAll(const float *const *q, const T *kh, const T *vh, int64_t n, float *const *scores) const {
    const int64_t stride = p_.Hkv * p_.D, rowBytes = p_.D * int64_t(sizeof(T));
    for (int64_t j = 0; j < std::min(n, kAhead); ++j) prefetch(kh + j * stride, rowBytes);
    int64_t j = 0;
    for (; j + 4 <= n; j += 4) {
      for (int64_t r = j + kAhead; r < std::min(n, j + kAhead + 4); ++r) {
        prefetch(kh + r * stride, rowBytes);
        prefetchL2(vh + r * stride, rowBytes);
      }
      if (j < kAhead)
        for (int64_t r = j; r < j + 4; ++r) prefetchL2(vh + r * stride, rowBytes);
      scoreBlock4<NH>(q, kh + j * stride, stride, scores, j);
    }
    for (; j < n; ++j) scoreRow<NH>(q, kh + j * stride, scores, j);
  }

  // y_h[d0 .. d0 + 16W) = (sum_j e_hj v_j[d0 ..]) * inv_h, j in order, for NH heads.
  template <int NH, int W, typename T>
  void valueSlice(float *const *scores, const float *inv, const T *vh, int64_t n, int64_t d0, float *const *y) const {
    const int64_t stride = p_.Hkv * p_.D, sliceBytes = 16 * W * int64_t(sizeof(T));
    __m512 a[NH][W];
    for (int h = 0; h < NH; ++h)
      for (int w = 0; w < W; ++w) a[h][w] = _mm512_setzero_ps();
    for (int64_t j = 0; j < std::min(n, kAhead); ++j) prefetch(vh + j * stride + d0, sliceBytes);
    for (int64_t j = 0; j < n; ++j) {
      if (j + kAhead < n) prefetch(vh + (j + kAhead) * stride + d0, sliceBytes);
      const T *vj = vh + j * stride + d0;
      __m512 vv[W];
      for (int w = 0; w < W; ++w) vv[w] = load16(vj + 16 * w);
      for (int h = 0; h < NH; ++h) {
        const __m512 p = _mm512_set1_ps(scores[h][j]);
        for (int w = 0; w < W; ++w) a[h][w] = _mm512_fmadd_ps(p, vv[w], a[h][w]);
      }
    }
    for (int h = 0; h < NH; ++h) {
      const __m512 vinv = _mm512_set1_ps(inv[h]);
      for (int w = 0; w < W; ++w) _mm512_storeu_ps(y[h] + d0 + 16 * w, _mm512_mul_ps(a[h][w], vinv));
    }
  }

  template <int NH, typename T>
  void valuesAll(float *const *scores, const float *inv, const T *vh, int64_t n, float *const *y) const {
    int64_t d = 0;
    for (; d + 64 <= p_.D; d += 64) valueSlice<NH, 4>(scores, inv, vh, n, d, y);
    switch ((p_.D - d) / 16) {
    case 3: valueSlice<NH, 3>(scores, inv, vh, n, d, y); break;
    case 2: valueSlice<NH, 2>(scores, inv, vh, n, d, y); break;
    case 1: valueSlice<NH, 1>(scores, inv, vh, n, d, y); break;
    default: break;
    }
  }

  // Query row s, heads h0 .. h0 + count - 1 (count <= kMaxHeads, one KV head):
  // y = softmax(scale * q . K[0..n)) . V[0..n), n = pos + s + 1.
  template <typename T>
  void heads(const float *q, const T *k, const T *v, float *y, int64_t pos, int64_t s, int64_t h0, int64_t count,
             float *scratch) const {
    const int64_t D = p_.D, kvh = h0 / group_, n = pos + s + 1;
    const T *kh = k + kvh * D, *vh = v + kvh * D;
    float *scores[kMaxHeads], *yh[kMaxHeads], inv[kMaxHeads];
    const float *qs[kMaxHeads];
    for (int64_t c = 0; c < count; ++c) {
      scores[c] = scratch + c * scoreFloats();
      qs[c] = q + (s * p_.Hq + h0 + c) * D;
      yh[c] = y + (s * p_.Hq + h0 + c) * D;
    }
    dispatch(count, [&](auto nh) { scoresAll<decltype(nh)::value>(qs, kh, vh, n, scores); });

    // Softmax per head over whole 8-lane vectors: the padding (-inf) takes part in the max
    // and gives e = 0.
    const int64_t n8 = (n + 7) / 8 * 8;
    const __m256 vscale = _mm256_set1_ps(p_.scale);
    for (int64_t c = 0; c < count; ++c) {
      float *sc = scores[c];
      for (int64_t t = n; t < n8; ++t) sc[t] = -std::numeric_limits<float>::infinity();
      __m256 vmax = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
      for (int64_t t = 0; t < n8; t += 8) {
        const __m256 x = _mm256_mul_ps(_mm256_loadu_ps(sc + t), vscale);
        _mm256_storeu_ps(sc + t, x);
        vmax = _mm256_max_ps(vmax, x);
      }
      const __m256 mx = _mm256_set1_ps(hmax(vmax));
      __m256 vsum = _mm256_setzero_ps();
      for (int64_t t = 0; t < n8; t += 8) {
        const __m256 e = expNonPositive(_mm256_sub_ps(_mm256_loadu_ps(sc + t), mx));
        _mm256_storeu_ps(sc + t, e);
        vsum = _mm256_add_ps(vsum, e);
      }
      inv[c] = 1.0f / hsum(vsum);
    }
    dispatch(count, [&](auto nh) { valuesAll<decltype(nh)::value>(scores, inv, vh, n, yh); });
  }

  // fn(std::integral_constant<int, count>) for count in 1 .. kMaxHeads.
  template <typename Fn> static void dispatch(int64_t count, Fn &&fn) {
    switch (count) {
    case 1: fn(std::integral_constant<int, 1>()); break;
    case 2: fn(std::integral_constant<int, 2>()); break;
    case 3: fn(std::integral_constant<int, 3>()); break;
    case 4: fn(std::integral_constant<int, 4>()); break;
    case 5: fn(std::integral_constant<int, 5>()); break;
    default: fn(std::integral_constant<int, 6>()); break;
    }
  }

  ref::AttentionPlan p_;
  int64_t group_ = 1;
};

}  // namespace

Kernel *newX86Avx512KVCacheAttention() { return new AttentionAvx512(); }

}  // namespace edgec::rt
