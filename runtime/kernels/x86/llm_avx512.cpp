// x86 AVX-512 KVCacheAttention for f16, f32 and i8 caches with a head size that is a
// whole number of 16-lane vectors (Qwen2's and llama's 64 and 128): the attention of an
// LLM decode step. Validation and plans are ref/llm.cpp's; ref is the oracle; other head
// sizes stay on x86/llm_avx2.cpp.
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
// * A prefill chunk (S > 1) takes its query rows a chunk at a time (prefillChunks): the
//   chunk's query vectors of one KV head as the lanes of the score and softmax vectors,
//   each cache row widened once for all of them.
// * A decode step (one query row) over 128 cache rows or more is split in two parts of
//   rows, each with its own softmax max and sum, merged at the end (decodeSplit): two
//   threads then take a part of the rows each, whatever the count of KV heads.
// * The V loop's accumulators stay in registers by pragma (see valueSlice).
// * i8 caches (`edgec compile --kv-cache int8`): a row's codes widened like an f16 row's
//   elements; its scales as ref applies them, K's to the row's dot before the softmax's
//   scale, V's to the row's probability (RowScales). Until the thirty-ninth session they
//   ran on the AVX2 kernel: a TinyLlama step's attention at pos 1850 took 6.9 ms with
//   them against 4.5 with f16 caches, though they are half the bytes. The query is
//   quantized too (ref::quantizeQueryRow), so a score's dot is an exact integer: on AVX-512
//   VNNI a decode step takes its scores by vpdpbusd with cache rows as lanes (scoresVnni),
//   the same bits as the f32 path.
// * A sliding window (ref::AttentionPlan::window): a query row's rows are the run from
//   firstAttended(its position), so the per-row and decode paths start their row pointers
//   there; a prefill chunk masks each lane's rows below its own first one and skips the
//   tiles below the chunk's first. Rows outside a query row's window are never read.
// Each (head, row) dot runs over d in order per lane, then the same lane tree whatever
// the block; each output element is one fma chain over j in order (per part, then the
// fixed merge): every head's result is the same whatever the grouping and thread count.
// Another order than ref and the AVX2 kernel: within the tolerance
// runtime/kernels/README.md states ("LLM kernels").
//
// Compiled with -mavx512f -mavx512dq -mavx512bw -mavx512vl -mfma -mf16c; the VNNI scores
// carry target("avx512vnni") and run only when the factory is told the CPU has it.
// Everything but the factory stays in an anonymous namespace (see docs/architecture.md on
// ISA files).
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "ref/llm.h"
#include "register_kernels.h"
#include "thread_pool.h"

namespace edgec::rt {
namespace {

// The unary kernels' vector math (tanh for a soft cap), in a namespace of its own: its
// struct V is not this file's.
namespace math {
#include "x86/vec_avx512.inc"
#include "x86/vec_math.inc"
}  // namespace math

// Sixteen cached elements as f32 (f16 widened exactly, i8 codes as their values).
inline __m512 load16(const float *p) { return _mm512_loadu_ps(p); }
inline __m512 load16(const int8_t *p) {
  return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i *>(p))));
}
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

// An i8 cache's row scales (f32 [Hkv, C], inputs 4 and 5: K's applied to a row's dot,
// V's to its probability, as ref does); null for f16 and f32 caches. from(row): both
// from cache row `row` on.
struct RowScales {
  const float *k = nullptr, *v = nullptr;
  RowScales from(int64_t row) const { return k ? RowScales{k + row, v + row} : RowScales{}; }
};
// Whether a cache of T has row scales: the loops that apply them are instantiated apart,
// so the f16 and f32 paths run the code they ran before (a run-time test in the softmax
// alone made the f16 decode attention 5% slower).
template <typename T> constexpr bool kScaledRows = std::is_same_v<T, int8_t>;

class AttentionAvx512 final : public Kernel {
public:
  explicit AttentionAvx512(bool vnni) : vnni_(vnni) {}
  void prepare(const KernelSignature &sig) override {
    p_ = ref::parseAttention(sig);
    group_ = p_.Hq / p_.Hkv;
    chunkRows_ = p_.S > 1 ? chunkRowsFor(p_.S, group_) : 0;
  }
  // Per thread: the scores of up to kMaxHeads heads of one query row (C, plus 16 for the
  // softmax's whole vectors); for a decode step (S = 1), at partialOffset() after them,
  // the partial results of the row parts, used in the region every thread writes
  // (sharedRegion()).
  size_t scratchBytes() const override {
    if (chunkRows_) return chunkScratchFloats() * sizeof(float);
    return p_.S == 1 ? partialOffset() + size_t(kParts * p_.Hq * (p_.D + 2)) * sizeof(float) : scoresBytes();
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const int64_t pos = ref::attentionPosition(p_, *in[3]);
    const RowScales scales = p_.cacheType == DType::i8 ? RowScales{in[4]->as<float>(), in[5]->as<float>()} : RowScales{};
    const float *q = in[0]->as<float>();
    float *y = out[0]->as<float>();
    auto go = [&](const auto *k, const auto *v) {
      if (p_.S == 1 && pos + 1 - p_.firstAttended(pos) >= kSplitRows) decodeSplit(ctx, q, k, v, scales, y, pos);
      else if (chunkRows_) prefillChunks(ctx, q, k, v, scales, y, pos);
      else rowHeads(ctx, q, k, v, scales, y, pos);
    };
    switch (p_.cacheType) {
    case DType::f16: go(in[1]->as<uint16_t>(), in[2]->as<uint16_t>()); break;
    case DType::i8: go(in[1]->as<int8_t>(), in[2]->as<int8_t>()); break;
    default: go(in[1]->as<float>(), in[2]->as<float>()); break;
    }
  }

private:
  static constexpr int64_t kMaxHeads = 6;  // query heads a block: 6 x 4 accumulators
  static constexpr int64_t kAhead = 24;    // rows the loops prefetch ahead

  // A decode step over at least kSplitRows cache rows splits them in kParts parts (a
  // count that depends on nothing else, so the same arithmetic at any thread count).
  static constexpr int64_t kParts = 2, kSplitRows = 128;

  // Work items: a query row's heads of one KV head (ref::attentionItem's row order, so
  // that each thread's own range mixes cheap early rows with costly late ones), taken
  // as the threads run (parallelItems): on a VM whose two cores' speeds drift apart
  // call by call a static split waited for the slower one (docs/gguf-performance-log.md, twenty-eighth
  // session). A head's result does not depend on the thread or its neighbours.
  template <typename T>
  void rowHeads(const RunContext &ctx, const float *q, const T *k, const T *v, const RowScales &scales, float *y,
                int64_t pos) const {
    auto item = [&](int64_t j, float *scratch) {
      const int64_t i0 = j / p_.Hkv * p_.Hq + j % p_.Hkv * group_;
      ref::forEachHeadRun(p_, i0, i0 + group_, [&](int64_t s, int64_t h, int64_t n) {
        for (int64_t c = 0, b = blockHeads(n); c < n; c += b)
          heads(q, k, v, scales, y, pos, s, h + c, std::min(b, n - c), scratch);
      });
    };
    const int64_t items = p_.S * p_.Hkv;
    if (p_.S * p_.Hq / ref::attentionGrain(p_, pos) < 2) {  // too little to wake a thread for
      for (int64_t j = 0; j < items; ++j) item(j, static_cast<float *>(ctx.threadScratch(0)));
      return;
    }
    ctx.parallelItems(items, [&](WorkItems &mine, int thread) {
      for (int64_t j; mine.next(j);) item(j, static_cast<float *>(ctx.threadScratch(thread)));
    });
  }

  int64_t scoreFloats() const { return (p_.C + 15) / 16 * 16 + 16; }
  // Per head of a block: its scores, then (i8 caches) its query's codes.
  int64_t headFloats() const { return scoreFloats() + p_.D; }
  // Then, for the VNNI scores, the block's query codes as bytes, D a head.
  size_t scoresBytes() const {
    const int64_t heads = std::min<int64_t>(group_, kMaxHeads);
    return size_t(heads * headFloats()) * sizeof(float) + size_t(heads * p_.D);
  }
  int8_t *codeBytes(float *scratch) const {
    return reinterpret_cast<int8_t *>(scratch + std::min<int64_t>(group_, kMaxHeads) * headFloats());
  }
  // Heads a block when n heads share a KV head: kMaxHeads, the last block the rest; for the
  // VNNI scores as even as blocks of at most kMaxHeads go (7 as 4 + 3, not 6 + 1: they
  // transpose each 16 cache rows once a block, and a block of 1 then cost as much as one
  // of 6; f16 caches ran 0-4% slower in 4 + 3 or 4 + 4 than in 6 + 1 or 6 + 2).
  int64_t blockHeads(int64_t n) const {
    if (!(p_.cacheType == DType::i8 && vnni_)) return kMaxHeads;
    const int64_t blocks = (n + kMaxHeads - 1) / kMaxHeads;
    return (n + blocks - 1) / blocks;
  }

  // An i8 cache's query row q quantized as ref::quantizeQueryRow does (the same f32
  // operations: max|q| ignoring NaN, scale = max / 127, round-half-even(q / scale) clamped
  // to [-127, 127], NaN to 127), vectorized: a decode step quantizes every head's row per
  // part and block. The codes as floats to codes[0 .. D) and as bytes to bytes[0 .. D);
  // returns the scale; *bias = 128 x the codes' sum (the VNNI scores' offset).
  float quantizeQuery(const float *q, float *codes, int8_t *bytes, int32_t *bias) const {
    const int64_t D = p_.D;
    const __m512 absMask = _mm512_castsi512_ps(_mm512_set1_epi32(0x7fffffff));
    __m512 mx = _mm512_setzero_ps();
    for (int64_t d = 0; d < D; d += 16)  // max_ps returns its second operand for a NaN
      mx = _mm512_max_ps(_mm512_and_ps(_mm512_loadu_ps(q + d), absMask), mx);
    const float scale = _mm512_reduce_max_ps(mx) / 127.0f;
    __m512i sum = _mm512_setzero_si512();
    for (int64_t d = 0; d < D; d += 16) {
      __m512i c = _mm512_setzero_si512();
      if (scale > 0) {
        const __m512 r = _mm512_roundscale_ps(_mm512_div_ps(_mm512_loadu_ps(q + d), _mm512_set1_ps(scale)),
                                              _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        // min_ps(NaN, 127) is 127, as fmin(127, NaN) in ref.
        c = _mm512_cvtps_epi32(_mm512_max_ps(_mm512_min_ps(r, _mm512_set1_ps(127.f)), _mm512_set1_ps(-127.f)));
      }
      _mm512_storeu_ps(codes + d, _mm512_cvtepi32_ps(c));
      _mm_storeu_si128(reinterpret_cast<__m128i *>(bytes + d), _mm512_cvtepi32_epi8(c));
      sum = _mm512_add_epi32(sum, c);
    }
    *bias = 128 * _mm512_reduce_add_epi32(sum);
    return scale;
  }
  // quantizeQuery for the query rows qs[0 .. count) of an i8 cache's decode block: head
  // c's codes after its scores (qs[c] then points at them), its bytes at bytes + c D.
  template <typename T>
  void quantizeQueries(const float **qs, float *const *scores, int64_t count, float *qScale, int8_t *bytes,
                       int32_t *bias) const {
    if constexpr (kScaledRows<T>)
      for (int64_t c = 0; c < count; ++c) {
        float *codes = scores[c] + scoreFloats();
        qScale[c] = quantizeQuery(qs[c], codes, bytes + c * p_.D, bias + c);
        qs[c] = codes;
      }
  }
  size_t partialOffset() const { return (scoresBytes() + 63) / 64 * 64; }

  template <typename T> static void prefetch(const T *at, int64_t bytes) {
    for (int64_t b = 0; b < bytes; b += 64) _mm_prefetch(reinterpret_cast<const char *>(at) + b, _MM_HINT_T0);
  }
  template <typename T> static void prefetchL2(const T *at, int64_t bytes) {
    for (int64_t b = 0; b < bytes; b += 64) _mm_prefetch(reinterpret_cast<const char *>(at) + b, _MM_HINT_T1);
  }

  // scores[h][j .. j + 4) = q_h . k_{j..j+4} for NH heads.
  template <int NH, typename T>
  void scoreBlock4(const float *const *q, const T *kj, float *const *scores, int64_t j) const {
    __m512 a[NH][4];
    for (int h = 0; h < NH; ++h)
      for (int r = 0; r < 4; ++r) a[h][r] = _mm512_setzero_ps();
    for (int64_t d = 0; d < p_.D; d += 16) {
      __m512 kv[4];
      for (int r = 0; r < 4; ++r) kv[r] = load16(kj + r * p_.D + d);
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
  // Rows up to `valid` (>= n) may be prefetched: a part's loop fetches the next part's
  // first rows.
  template <int NH, typename T>
  void scoresAll(const float *const *q, const T *kh, const T *vh, int64_t n, int64_t valid, float *const *scores) const {
    const int64_t D = p_.D, rowBytes = D * int64_t(sizeof(T));
    for (int64_t j = 0; j < std::min(n, kAhead); ++j) prefetch(kh + j * D, rowBytes);
    int64_t j = 0;
    for (; j + 4 <= n; j += 4) {
      for (int64_t r = j + kAhead; r < std::min(valid, j + kAhead + 4); ++r) {
        prefetch(kh + r * D, rowBytes);
        prefetchL2(vh + r * D, rowBytes);
      }
      if (j < kAhead)
        for (int64_t r = j; r < j + 4; ++r) prefetchL2(vh + r * D, rowBytes);
      scoreBlock4<NH>(q, kh + j * D, scores, j);
    }
    for (; j < n; ++j) scoreRow<NH>(q, kh + j * D, scores, j);
  }

  // ---- An i8 cache's decode scores on AVX-512 VNNI: the same bits as scoresAll's. ----
  // The query's codes (quantizeQueries) and the cache's are integers, so each dot is an
  // exact integer (ref::kMaxI8HeadSize) that vpdpbusd, 64 byte products an instruction,
  // gives as scoresAll's f32 fmas do, 16 products an instruction after widening. The lanes
  // are cache rows, as in the prefill's scores: 16 rows' codes transposed by 4-byte groups
  // (vector i lane L: row L's codes 4 i .. 4 i + 3), each group times the head's 4 codes
  // broadcast, so a head's 16 dots accumulate in one vector with no sums across lanes; the
  // transpose (64 shuffles for 64 columns of 16 rows) serves every head of the block. A
  // row's dot with heads of 64 lying in one vector instead needed a 16-lane sum per (head,
  // row), as much work as the products. vpdpbusd multiplies unsigned by signed bytes:
  // the cache's codes go as k + 128 (bits flipped by 0x80) and bias = 128 x the sum of the
  // query's codes comes off each dot.

  // Codes p[0 .. 64) as unsigned bytes (each + 128: bits flipped by 0x80), the 4-byte
  // groups past `cols` zeros.
  static __m512 flippedCodes(const int8_t *p, __mmask16 cols) {
    return _mm512_castsi512_ps(
        _mm512_maskz_xor_epi32(cols, _mm512_maskz_loadu_epi32(cols, p), _mm512_set1_epi8(char(0x80))));
  }

  // The 16 x 16 transpose of 32-bit lanes: t[i] lane L = r[L] lane i (r is overwritten).
  static void transpose16(__m512 *r, __m512 *t) {
    for (int i = 0; i < 8; ++i) {  // rows 2i, 2i+1 interleaved by 32 bits
      t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
      t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    for (int i = 0; i < 4; ++i)  // r[4i + c]: rows 4i .. 4i + 3, elements c, c + 4, c + 8, c + 12 by 128-bit lane
      for (int c = 0; c < 2; ++c) {
        const __m512d a = _mm512_castps_pd(t[4 * i + c]), b = _mm512_castps_pd(t[4 * i + 2 + c]);
        r[4 * i + 2 * c] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, b));
        r[4 * i + 2 * c + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, b));
      }
    for (int c = 0; c < 4; ++c) {  // element c + 4 L: lane L of r[c], r[4 + c], r[8 + c], r[12 + c]
      const __m512 v0 = _mm512_shuffle_f32x4(r[c], r[4 + c], 0x88), v1 = _mm512_shuffle_f32x4(r[c], r[4 + c], 0xDD);
      const __m512 w0 = _mm512_shuffle_f32x4(r[8 + c], r[12 + c], 0x88),
                   w1 = _mm512_shuffle_f32x4(r[8 + c], r[12 + c], 0xDD);
      t[c] = _mm512_shuffle_f32x4(v0, w0, 0x88);
      t[c + 4] = _mm512_shuffle_f32x4(v1, w1, 0x88);
      t[c + 8] = _mm512_shuffle_f32x4(v0, w0, 0xDD);
      t[c + 12] = _mm512_shuffle_f32x4(v1, w1, 0xDD);
    }
  }

  // scores[h][j .. j + rows) for NH heads (codes at bytes + h D, offsets bias[h]) and the
  // `rows` (1-16) cache rows from kj.
  template <int NH>
  __attribute__((target("avx512vnni"))) void scoreRowsVnni(const int8_t *bytes, const int32_t *bias, const int8_t *kj,
                                                           int64_t rows, float *const *scores, int64_t j) const {
    const int64_t D = p_.D;
    __m512i a[NH];
    for (int h = 0; h < NH; ++h) a[h] = _mm512_setzero_si512();
    for (int64_t d0 = 0; d0 < D; d0 += 64) {
      // Columns d0 .. d0 + 64 of the rows (past D or past `rows`: zeros, flipped or not,
      // which add nothing or land in lanes never stored).
      const int64_t groups = std::min<int64_t>(16, (D - d0) / 4);
      const __mmask16 cols = __mmask16(groups == 16 ? 0xFFFF : (1u << groups) - 1);
      __m512 r[16], t[16];
      for (int i = 0; i < 16; ++i) r[i] = i < rows ? flippedCodes(kj + i * D + d0, cols) : _mm512_setzero_ps();
      transpose16(r, t);
      for (int64_t i = 0; i < groups; ++i)
        for (int h = 0; h < NH; ++h) {
          int32_t q4;
          std::memcpy(&q4, bytes + h * D + d0 + 4 * i, 4);
          a[h] = _mm512_dpbusd_epi32(a[h], _mm512_castps_si512(t[i]), _mm512_set1_epi32(q4));
        }
    }
    const __mmask16 in = __mmask16(rows == 16 ? 0xFFFF : (1u << rows) - 1);
    for (int h = 0; h < NH; ++h)
      _mm512_mask_storeu_ps(scores[h] + j, in, _mm512_cvtepi32_ps(_mm512_sub_epi32(a[h], _mm512_set1_epi32(bias[h]))));
  }

  // scoresAll's scores (and prefetches) for an i8 cache by scoreRowsVnni.
  template <int NH>
  void scoresVnni(const int8_t *bytes, const int32_t *bias, const int8_t *kh, const int8_t *vh, int64_t n,
                  int64_t valid, float *const *scores) const {
    const int64_t D = p_.D, ahead = std::max<int64_t>(kAhead, 4096 / D);
    for (int64_t j = 0; j < std::min(n, ahead); ++j) prefetch(kh + j * D, D);
    for (int64_t j = 0; j < n; j += 16) {
      for (int64_t r = j + ahead; r < std::min(valid, j + ahead + 16); ++r) {
        prefetch(kh + r * D, D);
        prefetchL2(vh + r * D, D);
      }
      if (j < ahead)
        for (int64_t r = j; r < std::min(n, j + 16); ++r) prefetchL2(vh + r * D, D);
      scoreRowsVnni<NH>(bytes, bias, kh + j * D, std::min<int64_t>(16, n - j), scores, j);
    }
  }

  // y_h[d0 .. d0 + 16W) = (sum_j e_hj v_j[d0 ..]) * inv_h, j in order, for NH heads.
  // The loops over h and w are unrolled by pragma: left to GCC 12, every copy of this
  // function kept a[][] on the stack, each fma a load and a store, a store-to-load chain
  // per accumulator and row (a decode step's attention 22% slower; docs/
  // gguf-performance-log.md, thirty-sixth session).
  template <int NH, int W, typename T>
  void valueSlice(float *const *scores, const float *inv, const T *vh, int64_t n, int64_t d0, float *const *y) const {
    const int64_t D = p_.D, sliceBytes = 16 * W * int64_t(sizeof(T));
    __m512 a[NH][W];
#pragma GCC unroll 8
    for (int h = 0; h < NH; ++h)
#pragma GCC unroll 8
      for (int w = 0; w < W; ++w) a[h][w] = _mm512_setzero_ps();
    for (int64_t j = 0; j < std::min(n, kAhead); ++j) prefetch(vh + j * D + d0, sliceBytes);
    for (int64_t j = 0; j < n; ++j) {
      if (j + kAhead < n) prefetch(vh + (j + kAhead) * D + d0, sliceBytes);
      const T *vj = vh + j * D + d0;
      __m512 vv[W];
#pragma GCC unroll 8
      for (int w = 0; w < W; ++w) vv[w] = load16(vj + 16 * w);
#pragma GCC unroll 8
      for (int h = 0; h < NH; ++h) {
        const __m512 p = _mm512_set1_ps(scores[h][j]);
#pragma GCC unroll 8
        for (int w = 0; w < W; ++w) a[h][w] = _mm512_fmadd_ps(p, vv[w], a[h][w]);
      }
    }
#pragma GCC unroll 8
    for (int h = 0; h < NH; ++h) {
      const __m512 vinv = _mm512_set1_ps(inv[h]);
#pragma GCC unroll 8
      for (int w = 0; w < W; ++w) _mm512_storeu_ps(y[h] + d0 + 16 * w, _mm512_mul_ps(a[h][w], vinv));
    }
  }

  // Slices of 128 elements for 1 or 2 heads (16 accumulators at most), else of 64: with
  // two heads a KV head (Qwen3-1.7B's 16 over 8 heads of 128) two passes over every row's
  // halves, each a stream of 128 bytes in 256, waited on memory; whole rows read as one
  // stream took a step's attention at pos 576 from 146 to 121 us a layer (forty-third
  // session). The same chains, so the same bits.
  template <int NH, typename T>
  void valuesAll(float *const *scores, const float *inv, const T *vh, int64_t n, float *const *y) const {
    int64_t d = 0;
    if constexpr (NH <= 2)
      for (; d + 128 <= p_.D; d += 128) valueSlice<NH, 8>(scores, inv, vh, n, d, y);
    for (; d + 64 <= p_.D; d += 64) valueSlice<NH, 4>(scores, inv, vh, n, d, y);
    switch ((p_.D - d) / 16) {
    case 3: valueSlice<NH, 3>(scores, inv, vh, n, d, y); break;
    case 2: valueSlice<NH, 2>(scores, inv, vh, n, d, y); break;
    case 1: valueSlice<NH, 1>(scores, inv, vh, n, d, y); break;
    default: break;
    }
  }

  // Query row s, heads h0 .. h0 + count - 1 (count <= kMaxHeads, one KV head):
  // y = softmax(scale * q . K[0..n)) . V[0..n) over the n = pos + s + 1 - j0 rows it
  // attends from j0 = firstAttended(pos + s) (0 without a window), where kh, vh and rs start.
  template <typename T>
  void heads(const float *q, const T *k, const T *v, const RowScales &scales, float *y, int64_t pos, int64_t s,
             int64_t h0, int64_t count, float *scratch) const {
    const int64_t D = p_.D, kvh = h0 / group_, j0 = p_.firstAttended(pos + s), n = pos + s + 1 - j0;
    const T *kh = k + (p_.firstRow(kvh, pos) + j0) * D, *vh = v + (p_.firstRow(kvh, pos) + j0) * D;
    const RowScales rs = scales.from(p_.firstRow(kvh, pos) + j0);
    float *scores[kMaxHeads], *yh[kMaxHeads], inv[kMaxHeads], qScale[kMaxHeads] = {};
    int32_t bias[kMaxHeads] = {};
    const float *qs[kMaxHeads];
    for (int64_t c = 0; c < count; ++c) {
      scores[c] = scratch + c * headFloats();
      qs[c] = q + (s * p_.Hq + h0 + c) * D;
      yh[c] = y + (s * p_.Hq + h0 + c) * D;
    }
    quantizeQueries<T>(qs, scores, count, qScale, codeBytes(scratch), bias);
    dispatch(count, [&](auto nh) {
      if constexpr (kScaledRows<T>)
        if (vnni_) return scoresVnni<decltype(nh)::value>(codeBytes(scratch), bias, kh, vh, n, n, scores);
      scoresAll<decltype(nh)::value>(qs, kh, vh, n, n, scores);
    });

    for (int64_t c = 0; c < count; ++c) {
      float mx;
      inv[c] = 1.0f / softmax<kScaledRows<T>>(scores[c], n, rs, qScale[c], &mx);
    }
    dispatch(count, [&](auto nh) { valuesAll<decltype(nh)::value>(scores, inv, vh, n, yh); });
  }

  // ref::softcapScore on 16 scores (p_.softcap > 0): cap * tanh(x * (1 / cap)).
  __m512 softcapped(__m512 x) const {
    return _mm512_mul_ps(_mm512_set1_ps(p_.softcap),
                         math::tanhV(_mm512_mul_ps(x, _mm512_set1_ps(1.0f / p_.softcap))));
  }
  __m512 capIfSet(__m512 x) const { return p_.softcap > 0.f ? softcapped(x) : x; }

  // sc[0 .. n) = exp(scale * sc - m) with m = max(scale * sc), returned in *mx; returns
  // their sum. Over whole 16-lane vectors: the padding (-inf) takes part in the max and
  // gives e = 0. (On 8 lanes, with expNonPositive, this was a sixth of a decode step's
  // attention for heads of 64.) An i8 cache's scales (rows 0 .. n of rs) and the query's
  // qScale: x = ((sc * qScale) * k scale) * scale, and the e stored for the V loop times
  // the row's V scale (the sum is of the e alone), as ref; the scales are read under a
  // mask, never past row n.
  template <bool kScaled>
  float softmax(float *sc, int64_t n, const RowScales &rs, float qScale, float *mx) const {
    const int64_t n16 = (n + 15) / 16 * 16;
    const __m512 vscale = _mm512_set1_ps(p_.scale);
    auto rowsAt = [n](int64_t t) { return n - t >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (n - t)) - 1); };
    for (int64_t t = n; t < n16; ++t) sc[t] = -std::numeric_limits<float>::infinity();
    __m512 vmax = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
    for (int64_t t = 0; t < n16; t += 16) {
      __m512 x = _mm512_loadu_ps(sc + t);
      if constexpr (kScaled) {
        const __mmask16 in = rowsAt(t);
        x = _mm512_mask_mul_ps(x, in, _mm512_mul_ps(x, _mm512_set1_ps(qScale)), _mm512_maskz_loadu_ps(in, rs.k + t));
      }
      x = _mm512_mul_ps(x, vscale);
      if (p_.softcap > 0.f) x = _mm512_mask_mov_ps(x, rowsAt(t), softcapped(x));  // the padding stays -inf
      _mm512_storeu_ps(sc + t, x);
      vmax = _mm512_max_ps(vmax, x);
    }
    *mx = _mm512_reduce_max_ps(vmax);
    const __m512 m = _mm512_set1_ps(*mx);
    __m512 vsum = _mm512_setzero_ps();
    for (int64_t t = 0; t < n16; t += 16) {
      const __m512 e = exp16(_mm512_sub_ps(_mm512_loadu_ps(sc + t), m));
      _mm512_storeu_ps(sc + t, kScaled ? _mm512_mul_ps(e, _mm512_maskz_loadu_ps(rowsAt(t), rs.v + t)) : e);
      vsum = _mm512_add_ps(vsum, e);
    }
    return _mm512_reduce_add_ps(vsum);
  }

  // A decode step (one query row) over n = pos + 1 - j0 >= kSplitRows cache rows from
  // j0 = firstAttended(pos) (0 without a window), split by rows, flash-decoding style:
  // part p of rows [r_p, r_p+1) (the halves of the n rows, the first a whole number of
  // 4-row blocks) gives per query head its max m_p, its sum s_p of exp(score - m_p) and
  // acc_p = sum_j exp(score_j - m_p) v_j, unnormalized; then
  // y = (w_0 acc_0 + w_1 acc_1) / (w_0 s_0 + w_1 s_1), w_p = exp(m_p - max(m_0, m_1)).
  // Why rows and not KV heads: when the caches were [C, Hkv, D] one KV head's rows were
  // 256 of every 512 bytes (Qwen2.5-1.5B), and a core streaming them pulled in nearly all
  // the lines, so two threads split by KV head each paid for almost the whole cache
  // (docs/gguf-performance-log.md, fourteenth session). The caches are now [Hkv, C, D],
  // but a split by rows still gives two threads equal work for any count of KV heads
  // (1, 3, 5, ...). The parts are items (part, KV head), part-major, so two threads take
  // a part each; every item is computed the same way whatever thread runs it, and the
  // caller merges in a fixed order: the same bits for any thread count. Partials go to
  // the shared region (each written by one thread, read by the caller after the join).
  template <typename T>
  void decodeSplit(const RunContext &ctx, const float *q, const T *k, const T *v, const RowScales &scales, float *y,
                   int64_t pos) const {
    const int64_t j0 = p_.firstAttended(pos), n = pos + 1 - j0, half = n / 2 / 4 * 4, D = p_.D, Hq = p_.Hq;
    float *acc = reinterpret_cast<float *>(static_cast<uint8_t *>(ctx.sharedRegion()) + partialOffset());
    float *ms = acc + kParts * Hq * D;  // [part][head] (max, sum)
    ctx.parallelFor(kParts * p_.Hkv, 1, [&](int64_t i0, int64_t i1, int thread) {
      float *scratch = static_cast<float *>(ctx.threadScratch(thread));
      // The chunk's items KV head by KV head, its parts in order within each: one thread
      // with every item then reads each head's rows from j0 to pos as one stream (the
      // prefetches of part 0 run on into part 1), as the unsplit kernel did.
      for (int64_t kvh = 0; kvh < p_.Hkv; ++kvh)
        for (int64_t part = 0; part < kParts; ++part) {
          const int64_t i = part * p_.Hkv + kvh;
          if (i < i0 || i >= i1) continue;
          const int64_t r0 = j0 + (part == 0 ? 0 : half), r1 = part == 0 ? j0 + half : pos + 1;
          for (int64_t c = 0, b = blockHeads(group_); c < group_; c += b) {
            const int64_t h0 = kvh * group_ + c;
            partialHeads(q, k, v, scales, pos, r0, r1, h0, std::min(b, group_ - c), scratch,
                         acc + (part * Hq + h0) * D, ms + (part * Hq + h0) * 2);
          }
        }
    });
    for (int64_t h = 0; h < Hq; ++h) {
      const float m0 = ms[h * 2], s0 = ms[h * 2 + 1], m1 = ms[(Hq + h) * 2], s1 = ms[(Hq + h) * 2 + 1];
      const float mx = std::max(m0, m1), w0 = std::exp(m0 - mx), w1 = std::exp(m1 - mx);
      const __m512 vw0 = _mm512_set1_ps(w0), vw1 = _mm512_set1_ps(w1), vinv = _mm512_set1_ps(1.0f / (w0 * s0 + w1 * s1));
      const float *a0 = acc + h * D, *a1 = acc + (Hq + h) * D;
      for (int64_t d = 0; d < D; d += 16) {
        const __m512 t = _mm512_fmadd_ps(_mm512_loadu_ps(a1 + d), vw1, _mm512_mul_ps(_mm512_loadu_ps(a0 + d), vw0));
        _mm512_storeu_ps(y + h * D + d, _mm512_mul_ps(t, vinv));
      }
    }
  }

  // Heads h0 .. h0 + count - 1 (one KV head) of the decode row at `pos` over its positions
  // [r0, r1) (rows up to pos's may be prefetched): acc[c * D ..] = sum_j exp(score_j - m) v_j and
  // ms[2c], ms[2c + 1] = m, the sum of exp.
  template <typename T>
  void partialHeads(const float *q, const T *k, const T *v, const RowScales &scales, int64_t pos, int64_t r0,
                    int64_t r1, int64_t h0, int64_t count, float *scratch, float *acc, float *ms) const {
    const int64_t D = p_.D, kvh = h0 / group_, n = r1 - r0, rows = pos + 1;
    const T *kh = k + (p_.firstRow(kvh, pos) + r0) * D, *vh = v + (p_.firstRow(kvh, pos) + r0) * D;
    const RowScales rs = scales.from(p_.firstRow(kvh, pos) + r0);
    float *scores[kMaxHeads], *out[kMaxHeads], one[kMaxHeads], qScale[kMaxHeads] = {};
    int32_t bias[kMaxHeads] = {};
    const float *qs[kMaxHeads];
    for (int64_t c = 0; c < count; ++c) {
      scores[c] = scratch + c * headFloats();
      qs[c] = q + (h0 + c) * D;
      out[c] = acc + c * D;
      one[c] = 1.0f;
    }
    quantizeQueries<T>(qs, scores, count, qScale, codeBytes(scratch), bias);
    dispatch(count, [&](auto nh) {
      if constexpr (kScaledRows<T>)
        if (vnni_) return scoresVnni<decltype(nh)::value>(codeBytes(scratch), bias, kh, vh, n, rows - r0, scores);
      scoresAll<decltype(nh)::value>(qs, kh, vh, n, rows - r0, scores);
    });
    for (int64_t c = 0; c < count; ++c)
      ms[2 * c + 1] = softmax<kScaledRows<T>>(scores[c], n, rs, qScale[c], &ms[2 * c]);
    dispatch(count, [&](auto nh) { valuesAll<decltype(nh)::value>(scores, one, vh, n, out); });
  }

  // A prefill chunk (S > 1), query rows taken chunkRows_ at a time. Why not the per-row
  // path above: it widens every cached row once per query row and ends each (head, row)
  // dot in a horizontal sum, which held a 256-row prefill chunk of Qwen2.5-1.5B at ~31
  // GMAC/s, a third of the FMA peak (edgec_attention_bench --rows 256). Here an item is
  // one KV head and up to chunkRows_ query rows: their M = rows x group query vectors are
  // laid out transposed once (Q^T [D][Mp], Mp = M rounded up to 16 lanes, the rest
  // zeros), and the cache rows go by in tiles of kTile, each widened to f32 once for all
  // of them:
  // * scores S^T[j][m] = (q_m . k_j) * scale: a vector holds 16 query vectors, a k
  //   element is broadcast; one fma chain over d in order per (m, j), no horizontal sums;
  // * the softmax down each column, 16 query vectors a vector, online over the tiles
  //   (flash attention): the running max m_m over the rows j < n_m = pos + s_m + 1 so
  //   far, the tile's e = exp(x - m_m) (0 past n_m, and with a window below the lane's
  //   first row lo_m) and their sum over j in order, the earlier sum and y scaled by
  //   a = exp(m_old - m_new) (exactly 1 while the max holds);
  // * y_m = a y_m + sum_j e_jm v_j, per 64-element slice of d with the accumulators of up
  //   to 6 query vectors in registers over the tile's rows (an fma chain over j in order),
  //   through y between tiles; after the last, times 1 / sum.
  // Only a tile of scores is kept, so a KV head's cache rows, which every chunk of the
  // item's thread reads again, stay in L2 (scores over the whole cache, 0.8 MB a thread
  // at 4096 positions, had pushed them out). A query vector's result depends on its own
  // row alone (masked entries add exact zeros, a tile past its rows scales by exactly 1,
  // the tiles lie at multiples of kTile from cache row 0): the same bits whatever the
  // chunking, the prefill bucket and the thread count. With a window the tiles start at
  // the one holding the chunk's lowest first row, whose rows below it are neither read
  // nor scored (zeros); a lane's tiles before its own first row leave it as a padding
  // lane is (max -inf, sum 0, y 0: its first tile with rows scales them by exactly 0),
  // so the same bits again.
  static constexpr int64_t kTile = 48;        // cache rows a tile: 24, 12, 8 or 6 a score block
  static constexpr int64_t kMaxVectors = 64;  // query vectors a chunk

  // Query rows a chunk (0: the per-row path, for more than kMaxVectors heads a KV head).
  static int64_t chunkRowsFor(int64_t S, int64_t group) {
    return group > kMaxVectors ? 0 : std::max<int64_t>(1, std::min(S, kMaxVectors / group));
  }
  // Q^T, one tile of cache rows, its scores, then per query vector the running max (at
  // the end 1 / sum), the sum, the tile's rescale factor, n, its first row lo and (i8
  // caches) its query's scale; then 16 query vectors' codes (as floats, then as bytes) on
  // their way into Q^T.
  size_t chunkScratchFloats() const {
    const int64_t Mp = (chunkRows_ * group_ + 15) / 16 * 16;
    return size_t(p_.D * Mp + kTile * p_.D + kTile * Mp + 6 * Mp + 16 * p_.D + 4 * p_.D);
  }

  template <typename T>
  void prefillChunks(const RunContext &ctx, const float *q, const T *k, const T *v, const RowScales &scales, float *y,
                     int64_t pos) const {
    const int64_t chunks = (p_.S + chunkRows_ - 1) / chunkRows_, items = chunks * p_.Hkv;
    // Item i: KV head i / chunks (a thread's own range reads few heads' rows, which its L2
    // then keeps), chunks in the order 0, the last, 1, the one before the last, ... so that
    // each range mixes cheap early rows with costly late ones.
    auto item = [&](int64_t i, float *scratch) {
      const int64_t j = i % chunks, c = j % 2 == 0 ? j / 2 : chunks - 1 - j / 2, s0 = c * chunkRows_;
      chunk(q, k, v, scales, y, pos, i / chunks, s0, std::min(chunkRows_, p_.S - s0), scratch);
    };
    if (items < 2 || p_.S * p_.Hq / ref::attentionGrain(p_, pos) < 2) {
      for (int64_t i = 0; i < items; ++i) item(i, static_cast<float *>(ctx.threadScratch(0)));
      return;
    }
    ctx.parallelItems(items, [&](WorkItems &mine, int thread) {
      for (int64_t i; mine.next(i);) item(i, static_cast<float *>(ctx.threadScratch(thread)));
    });
  }

  // Cache rows [from, valid) of one KV head as f32 rows of D; zeros before and to kTile.
  template <typename T> void widenTile(const T *rows, int64_t from, int64_t valid, float *tile) const {
    std::fill(tile, tile + from * p_.D, 0.f);
    for (int64_t r = from; r < valid; ++r)
      for (int64_t d = 0; d < p_.D; d += 16) _mm512_storeu_ps(tile + r * p_.D + d, load16(rows + r * p_.D + d));
    std::fill(tile + valid * p_.D, tile + kTile * p_.D, 0.f);
  }

  // st[j][16 MV lanes] = (Q^T column . tile row j) * scale for the tile's kTile rows; with
  // an i8 cache's K scales ks (its rows [from, valid)) and the query vectors' scales qsc,
  // ((... * qsc[m]) * ks[j]) * scale, as ref.
  template <int MV, bool kScaled>
  void scoreTile(const float *qt, int64_t Mp, const float *tile, const float *ks, const float *qsc, int64_t from,
                 int64_t valid, float *st) const {
    constexpr int JB = 24 / MV;
    const __m512 scale = _mm512_set1_ps(p_.scale);
    for (int64_t jb = 0; jb < kTile; jb += JB) {
      __m512 a[JB][MV];
      for (int j = 0; j < JB; ++j)
        for (int i = 0; i < MV; ++i) a[j][i] = _mm512_setzero_ps();
      const float *kr = tile + jb * p_.D;
      for (int64_t d = 0; d < p_.D; ++d) {
        __m512 qv[MV];
        for (int i = 0; i < MV; ++i) qv[i] = _mm512_loadu_ps(qt + d * Mp + 16 * i);
        for (int j = 0; j < JB; ++j) {
          const __m512 kv = _mm512_set1_ps(kr[j * p_.D + d]);
          for (int i = 0; i < MV; ++i) a[j][i] = _mm512_fmadd_ps(kv, qv[i], a[j][i]);
        }
      }
      for (int j = 0; j < JB; ++j) {
        const __m512 kscale = _mm512_set1_ps(kScaled && jb + j >= from && jb + j < valid ? ks[jb + j] : 1.f);
        for (int i = 0; i < MV; ++i) {
          __m512 x = a[j][i];
          if constexpr (kScaled) x = _mm512_mul_ps(_mm512_mul_ps(x, _mm512_loadu_ps(qsc + 16 * i)), kscale);
          _mm512_storeu_ps(st + (jb + j) * Mp + 16 * i, capIfSet(_mm512_mul_ps(x, scale)));
        }
      }
    }
  }

  // y_h[d ..] = rescale[h] y_h[d ..] + sum_{from <= j < valid} pt[j][h] v_j[d ..] for NH
  // query vectors, per slice of 16 W elements (rescale null: the first tile, y_h taken as
  // 0); on the last tile times inv[h]. With an i8 cache's V scales vs: pt[j][h] * vs[j], as
  // ref. The rows below `from` (a window's) have pt 0 for every lane: left out, they would
  // have added exact zeros.
  template <int NH, int W, bool kScaled>
  void valueSliceTile(const float *pt, int64_t Mp, const float *tile, const float *vs, int64_t from, int64_t valid,
                      int64_t d0, const float *rescale, const float *inv, float *const *y) const {
    __m512 a[NH][W];
    for (int h = 0; h < NH; ++h) {
      const __m512 r = _mm512_set1_ps(rescale ? rescale[h] : 0.f);
      for (int w = 0; w < W; ++w)
        a[h][w] = rescale ? _mm512_mul_ps(_mm512_loadu_ps(y[h] + d0 + 16 * w), r) : _mm512_setzero_ps();
    }
    for (int64_t j = from; j < valid; ++j) {
      __m512 vv[W];
      for (int w = 0; w < W; ++w) vv[w] = _mm512_loadu_ps(tile + j * p_.D + d0 + 16 * w);
      for (int h = 0; h < NH; ++h) {
        const __m512 e = _mm512_set1_ps(kScaled ? pt[j * Mp + h] * vs[j] : pt[j * Mp + h]);
        for (int w = 0; w < W; ++w) a[h][w] = _mm512_fmadd_ps(e, vv[w], a[h][w]);
      }
    }
    for (int h = 0; h < NH; ++h) {
      const __m512 f = _mm512_set1_ps(inv ? inv[h] : 1.f);
      for (int w = 0; w < W; ++w)
        _mm512_storeu_ps(y[h] + d0 + 16 * w, inv ? _mm512_mul_ps(a[h][w], f) : a[h][w]);
    }
  }
  template <int NH, bool kScaled>
  void valueTile(const float *pt, int64_t Mp, const float *tile, const float *vs, int64_t from, int64_t valid,
                 const float *rescale, const float *inv, float *const *y) const {
    int64_t d = 0;
    for (; d + 64 <= p_.D; d += 64) valueSliceTile<NH, 4, kScaled>(pt, Mp, tile, vs, from, valid, d, rescale, inv, y);
    switch ((p_.D - d) / 16) {
    case 3: valueSliceTile<NH, 3, kScaled>(pt, Mp, tile, vs, from, valid, d, rescale, inv, y); break;
    case 2: valueSliceTile<NH, 2, kScaled>(pt, Mp, tile, vs, from, valid, d, rescale, inv, y); break;
    case 1: valueSliceTile<NH, 1, kScaled>(pt, Mp, tile, vs, from, valid, d, rescale, inv, y); break;
    default: break;
    }
  }

  // e^x for x <= 0 on 16 lanes: expNonPositive's reduction and polynomial (exp_avx2.h)
  // with 2^n applied by vscalefps, exact as its exponent bits are, so the same bits for
  // -87 <= x <= 0; x < -87 (and NaN) gives 0.
  static __m512 exp16(__m512 x) {
    const __m512 lo = _mm512_set1_ps(-87.f), xc = _mm512_max_ps(lo, x);
    const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(xc, _mm512_set1_ps(1.44269504088896341f)),
                                          _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), xc);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440054690583e-4f), r);
    __m512 p = _mm512_set1_ps(1.f / 5040.f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.f / 720.f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.f / 120.f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.f / 24.f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.f / 6.f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.f));
    return _mm512_maskz_scalef_ps(_mm512_cmp_ps_mask(x, lo, _CMP_GE_OQ), p, n);
  }

  // Q^T[d][m0 .. m0 + 16) = q_m[d] for the query vectors at q[0 .. count) (the others 0),
  // by 16 x 16 transposes in registers.
  void transposeQueries(const float *const *q, int64_t count, float *qt, int64_t Mp) const {
    for (int64_t d0 = 0; d0 < p_.D; d0 += 16) {
      __m512 r[16], t[16];
      for (int i = 0; i < 16; ++i) r[i] = i < count ? _mm512_loadu_ps(q[i] + d0) : _mm512_setzero_ps();
      transpose16(r, t);
      for (int i = 0; i < 16; ++i) _mm512_storeu_ps(qt + (d0 + i) * Mp, t[i]);
    }
  }

  // ---- An i8 cache's prefill scores on AVX-512 VNNI: the same bits as scoreTile's. ----
  // As the decode's (scoresVnni) with the roles swapped: the lanes are 16 query vectors,
  // as in scoreTile, Q^T by 4-byte groups (group g's vector lane L: vector L's codes 4 g ..
  // 4 g + 3, plus 128: the unsigned operand), times a cache row's 4 codes broadcast, and
  // 128 x the row's code sum off each dot. A cache row is read as its bytes, not widened.

  // Q^T's bytes for query vectors m0 .. m0 + count - 1 (codes at bytes + c D): group g's
  // vector for them at qtb + (g Mp / 16 + m0 / 16) 64; absent vectors' lanes 0.
  void transposeQueryBytes(const int8_t *bytes, int64_t count, int8_t *qtb, int64_t Mp, int64_t m0) const {
    for (int64_t d0 = 0; d0 < p_.D; d0 += 64) {
      const int64_t groups = std::min<int64_t>(16, (p_.D - d0) / 4);
      const __mmask16 cols = __mmask16(groups == 16 ? 0xFFFF : (1u << groups) - 1);
      __m512 r[16], t[16];
      for (int i = 0; i < 16; ++i) r[i] = i < count ? flippedCodes(bytes + i * p_.D + d0, cols) : _mm512_setzero_ps();
      transpose16(r, t);
      for (int64_t i = 0; i < groups; ++i)
        _mm512_storeu_ps(reinterpret_cast<float *>(qtb + ((d0 / 4 + i) * (Mp / 16) + m0 / 16) * 64), t[i]);
    }
  }

  // scoreTile for an i8 cache on VNNI: st[j][16 MV lanes] = (((Q^T column . row j) * qsc[m])
  // * ks[j]) * scale for the tile's rows (from kRows; those outside [from, valid) read as zeros).
  template <int MV>
  __attribute__((target("avx512vnni"))) void scoreTileVnni(const int8_t *qtb, int64_t Mp, const int8_t *kRows,
                                                           const float *ks, const float *qsc, int64_t from,
                                                           int64_t valid, float *st) const {
    constexpr int JB = 24 / MV;
    static const int8_t zeros[ref::kMaxI8HeadSize] = {};
    const int64_t D = p_.D, vecs = Mp / 16;
    const __m512 scale = _mm512_set1_ps(p_.scale);
    for (int64_t jb = 0; jb < kTile; jb += JB) {
      const int8_t *row[JB];
      __m512i a[JB][MV], bias[JB];
      for (int j = 0; j < JB; ++j) {
        const bool in = jb + j >= from && jb + j < valid;
        row[j] = in ? kRows + (jb + j) * D : zeros;
        __m512i sum = _mm512_setzero_si512();  // the row's code sum, by 4-code groups
        for (int64_t d0 = 0; d0 < D; d0 += 64) {
          const __mmask64 cols = D - d0 >= 64 ? ~__mmask64(0) : (__mmask64(1) << (D - d0)) - 1;
          sum = _mm512_dpbusd_epi32(sum, _mm512_set1_epi8(1), _mm512_maskz_loadu_epi8(cols, row[j] + d0));
        }
        bias[j] = _mm512_set1_epi32(128 * _mm512_reduce_add_epi32(sum));
        for (int i = 0; i < MV; ++i) a[j][i] = _mm512_setzero_si512();
      }
      for (int64_t g = 0; g < D / 4; ++g) {
        __m512i qv[MV];
        for (int i = 0; i < MV; ++i) qv[i] = _mm512_loadu_si512(qtb + (g * vecs + i) * 64);
        for (int j = 0; j < JB; ++j) {
          int32_t k4;
          std::memcpy(&k4, row[j] + 4 * g, 4);
          const __m512i kb = _mm512_set1_epi32(k4);
          for (int i = 0; i < MV; ++i) a[j][i] = _mm512_dpbusd_epi32(a[j][i], qv[i], kb);
        }
      }
      for (int j = 0; j < JB; ++j) {
        const __m512 kscale = _mm512_set1_ps(jb + j >= from && jb + j < valid ? ks[jb + j] : 1.f);
        for (int i = 0; i < MV; ++i) {
          const __m512 x = _mm512_cvtepi32_ps(_mm512_sub_epi32(a[j][i], bias[j]));
          const __m512 xs = _mm512_mul_ps(_mm512_mul_ps(x, _mm512_loadu_ps(qsc + 16 * i)), kscale);
          _mm512_storeu_ps(st + (jb + j) * Mp + 16 * i, capIfSet(_mm512_mul_ps(xs, scale)));
        }
      }
    }
  }

  // One tile of the online softmax down the columns of st ([kTile][Mp], MV vectors of 16
  // query vectors a row; cache rows j0 ..): per query vector m, over the tile's rows
  // lo[m] <= j0 + j < n[m], the new max mx[m] = max(mx[m], x), st = e^(x - mx[m]) (0 for
  // the other rows), rescale[m] = e^(old mx[m] - mx[m]) and sum[m] = rescale[m] sum[m] +
  // the tile's e summed in order. A lane without rows yet (a padding lane, n = 0, or a
  // tile below its window) keeps -inf and gives zeros; a padding lane is never read.
  template <int MV> static void softmaxTile(float *st, int64_t Mp, const int32_t *n, const int32_t *lo, int64_t j0,
                                            float *mx, float *sum, float *rescale) {
    for (int i = 0; i < MV; ++i) {
      const __m512i nv = _mm512_loadu_si512(n + 16 * i), lv = _mm512_loadu_si512(lo + 16 * i);
      auto rowIn = [&](int64_t j) {  // lo <= j0 + j < n
        const __m512i jv = _mm512_set1_epi32(int32_t(j0 + j));
        return _mm512_mask_cmpgt_epi32_mask(_mm512_cmple_epi32_mask(lv, jv), nv, jv);
      };
      __m512 tileMax = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
      for (int64_t j = 0; j < kTile; ++j)
        tileMax = _mm512_mask_max_ps(tileMax, rowIn(j), tileMax, _mm512_loadu_ps(st + j * Mp + 16 * i));
      const __m512 old = _mm512_loadu_ps(mx + 16 * i), m = _mm512_max_ps(old, tileMax);
      __m512 s = _mm512_setzero_ps();
      for (int64_t j = 0; j < kTile; ++j) {
        const __mmask16 in = rowIn(j);
        const __m512 e = _mm512_maskz_mov_ps(in, exp16(_mm512_sub_ps(_mm512_loadu_ps(st + j * Mp + 16 * i), m)));
        _mm512_storeu_ps(st + j * Mp + 16 * i, e);
        s = _mm512_add_ps(s, e);
      }
      const __m512 r = exp16(_mm512_sub_ps(old, m));  // -inf - finite: 0; equal: exactly 1
      _mm512_storeu_ps(mx + 16 * i, m);
      _mm512_storeu_ps(rescale + 16 * i, r);
      _mm512_storeu_ps(sum + 16 * i, _mm512_add_ps(_mm512_mul_ps(_mm512_loadu_ps(sum + 16 * i), r), s));
    }
  }

  // KV head kvh against query rows s0 .. s0 + rows - 1 (see above).
  template <typename T>
  void chunk(const float *q, const T *k, const T *v, const RowScales &scales, float *y, int64_t pos, int64_t kvh,
             int64_t s0, int64_t rows, float *scratch) const {
    const int64_t D = p_.D, M = rows * group_, Mp = (M + 15) / 16 * 16;
    const int64_t nMax = pos + s0 + rows, tiles = (nMax + kTile - 1) / kTile;
    // The chunk's lowest first row (its first query row's; 0 without a window) and its tile.
    const int64_t lowest = p_.firstAttended(pos + s0), t0 = lowest / kTile;
    float *qt = scratch, *tile = qt + D * Mp, *st = tile + kTile * D, *mx = st + kTile * Mp, *sum = mx + Mp;
    float *rescale = sum + Mp;
    int32_t *n = reinterpret_cast<int32_t *>(rescale + Mp), *lo = n + Mp;
    float *qScale = reinterpret_cast<float *>(lo + Mp), *codes = qScale + Mp;
    int8_t *bytes = reinterpret_cast<int8_t *>(codes + 16 * D);
    constexpr bool kScaled = kScaledRows<T>;
    const bool vnni = kScaled && vnni_;  // then qt holds Q^T's bytes (transposeQueryBytes)
    auto vectorAt = [&](int64_t m) { return (s0 + m / group_) * p_.Hq + kvh * group_ + m % group_; };
    for (int64_t m0 = 0; m0 < Mp; m0 += 16) {
      const float *qs[16];
      const int64_t count = std::min<int64_t>(16, M - m0);
      for (int64_t c = 0; c < count; ++c) {
        qs[c] = q + vectorAt(m0 + c) * D;
        if constexpr (kScaled) {  // i8: the query's codes (ref::quantizeQueryRow)
          int32_t unused;
          qScale[m0 + c] = quantizeQuery(qs[c], codes + c * D, bytes + c * D, &unused);
          qs[c] = codes + c * D;
        }
      }
      for (int64_t c = count; c < 16; ++c) qScale[m0 + c] = 0.f;
      if (vnni) transposeQueryBytes(bytes, count, reinterpret_cast<int8_t *>(qt), Mp, m0);
      else transposeQueries(qs, count, qt + m0, Mp);
    }
    for (int64_t m = 0; m < Mp; ++m) {
      n[m] = m < M ? int32_t(pos + s0 + m / group_ + 1) : 0;
      lo[m] = m < M ? int32_t(p_.firstAttended(pos + s0 + m / group_)) : 0;
      mx[m] = -std::numeric_limits<float>::infinity();
      sum[m] = 0.f;
    }

    // Position j's row is firstRow + j (a ring's shift makes that base lie before the
    // cache, but only positions from `lowest` on are read).
    const T *kh = k + p_.firstRow(kvh, pos) * D, *vh = v + p_.firstRow(kvh, pos) * D;
    const RowScales rs = scales.from(p_.firstRow(kvh, pos));
    float *ys[kMaxHeads];
    for (int64_t t = t0; t < tiles; ++t) {
      // The tile's rows [from, valid): from > 0 only in the first tile of a window.
      const int64_t j0 = t * kTile, valid = std::min(kTile, nMax - j0), from = std::max<int64_t>(0, lowest - j0);
      const RowScales ts = rs.from(j0);
      if (!vnni) widenTile(kh + j0 * D, from, valid, tile);  // the VNNI scores read the rows' bytes
      auto scoresAndSoftmax = [&](auto mvTag) {
        constexpr int MV = decltype(mvTag)::value;
        if constexpr (kScaled)
          if (vnni)
            scoreTileVnni<MV>(reinterpret_cast<const int8_t *>(qt), Mp, kh + j0 * D, ts.k, qScale, from, valid, st);
        if (!vnni) scoreTile<MV, kScaled>(qt, Mp, tile, ts.k, qScale, from, valid, st);
        softmaxTile<MV>(st, Mp, n, lo, j0, mx, sum, rescale);
      };
      switch (Mp / 16) {
      case 1: scoresAndSoftmax(std::integral_constant<int, 1>()); break;
      case 2: scoresAndSoftmax(std::integral_constant<int, 2>()); break;
      case 3: scoresAndSoftmax(std::integral_constant<int, 3>()); break;
      default: scoresAndSoftmax(std::integral_constant<int, 4>()); break;
      }
      const bool last = t + 1 == tiles;
      if (last)  // mx is done with: 1 / sum in its place
        for (int64_t m = 0; m < M; ++m) mx[m] = 1.0f / sum[m];
      widenTile(vh + j0 * D, from, valid, tile);
      for (int64_t m0 = 0; m0 < M; m0 += kMaxHeads) {
        const int64_t count = std::min(kMaxHeads, M - m0);
        for (int64_t c = 0; c < count; ++c) ys[c] = y + vectorAt(m0 + c) * D;
        dispatch(count, [&](auto nh) {
          valueTile<decltype(nh)::value, kScaled>(st + m0, Mp, tile, ts.v, from, valid,
                                                  t == t0 ? nullptr : rescale + m0, last ? mx + m0 : nullptr, ys);
        });
      }
    }
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
  int64_t chunkRows_ = 0;  // query rows a prefill chunk (S > 1); 0: the per-row path
  bool vnni_ = false;      // AVX-512 VNNI: an i8 cache's decode scores by vpdpbusd
};

}  // namespace

Kernel *newX86Avx512KVCacheAttention(bool vnni) { return new AttentionAvx512(vnni); }

}  // namespace edgec::rt
