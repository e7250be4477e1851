// LLM decoder kernels (issue 12): RMSNormalization, RotaryEmbedding, KVCacheAttention and
// GatherDequantize. The contracts are in runtime/kernels/README.md ("LLM kernels"); the
// prepare-time plans here are shared by the ref kernels (ref/llm.cpp,
// ref/gather_dequantize.cpp, the oracle) and the faster ones (x86/llm_avx2.cpp) so that
// every implementation validates a call identically.
//
// Defined in ref/llm.cpp (baseline code). Like plans.h this header holds no inline code,
// so ISA files may include it.
#pragma once

#include <cstdint>
#include <string>

#include "kernel.h"

namespace edgec::rt::ref {

// RMSNormalization (ONNX opset 23, normalized over the last axis only):
// X f32 [..., E], Scale f32 [E] -> Y f32 [..., E].
struct RmsNormPlan {
  int64_t rows = 0, E = 0;
  float epsilon = 0.f;
};
RmsNormPlan parseRmsNorm(const KernelSignature &sig);
// The row's factor 1 / sqrt(mean(x^2) + eps) as ggml computes it: each square in f32,
// summed in double in index order, the mean rounded to f32, then 1.0f / sqrtf(mean + eps).
// The x86 kernel sums in another order and calls rmsFactorFromSum with its own sum.
float rmsFactor(const float *x, int64_t E, float epsilon);
float rmsFactorFromSum(double sumOfSquares, int64_t E, float epsilon);

// RotaryEmbedding (ONNX opset 23, the 3-D form with position_ids): X f32 [B, S, H*D],
// cos_cache and sin_cache f32 [P, R/2], position_ids i64 [B, S] -> Y like X. R is
// rotary_embedding_dim (0: D); the first R elements of each head are rotated, the others
// copied.
struct RotaryPlan {
  int64_t batch = 0, seq = 0, heads = 0, headDim = 0, rotaryDim = 0, positions = 0;
  bool interleaved = false;
  std::string node;  // for run-time errors
};
RotaryPlan parseRotary(const KernelSignature &sig);

// KVCacheAttention (edgec's op): Q f32 [S, Hq, D], Kc and Vc [Hkv, C, D] (both f32, both
// f16, or both i8 with K scales and V scales f32 [Hkv, C] as inputs 4 and 5), pos i64 [1]
// -> Y f32 [S, Hq, D]. Query row s attends cache rows firstAttended(pos + s) .. pos + s
// of its KV head, which lie contiguous: KV head h's row j at (h C + j) D
// (docs/architecture.md, "The KV cache").
struct AttentionPlan {
  int64_t S = 0, Hq = 0, Hkv = 0, D = 0, C = 0;
  float scale = 0.f;
  // The sliding window (attribute `window`, Gemma 3's local layers): a query at position
  // p attends the `window` most recent positions, p - window + 1 .. p (llama.cpp's
  // standard SWA mask); 0: no window, positions 0 .. p.
  int64_t window = 0;
  // The first cache row a query at `position` attends (and reads): every kernel's rule.
  int64_t firstAttended(int64_t position) const { return window > 0 && position >= window ? position - window + 1 : 0; }
  // The mirrored ring (attribute `ring`, R > 0, with a window): C = 2R rows, position t's
  // row at t mod R and t mod R + R, so a call at `pos` finds positions firstAttended(pos)
  // .. pos + S - 1 contiguous from row firstAttended(pos) - ringShift(pos); 0: rows by
  // position.
  int64_t ring = 0;
  int64_t ringShift(int64_t pos) const { return ring > 0 ? firstAttended(pos) / ring * ring : 0; }
  // For a call at `pos`: KV head kvh's position 0 as a row index of the caches (times D:
  // its element offset) and of the scales, so that position j is row firstRow + j: the
  // layout every kernel reads (it reads only positions firstAttended(pos) ..).
  int64_t firstRow(int64_t kvh, int64_t pos) const { return kvh * C - ringShift(pos); }
  // Attention logit soft-capping (attribute `softcap`, Gemma 2): a scaled score x becomes
  // softcap * tanh(x * (1 / softcap)) before the softmax, llama.cpp's order of operations;
  // 0: none. Every kernel applies it to a score before the softmax's max.
  float softcap = 0.f;
  DType cacheType = DType::f32;  // f32, f16 or i8 (then the scale inputs are present)
  std::string node;
};
AttentionPlan parseAttention(const KernelSignature &sig);
// A scaled score soft-capped as the plan says (ref's: std::tanh; the x86 kernels' vector
// tanh is within a few ulp of it).
float softcapScore(const AttentionPlan &p, float x);
// With i8 caches the query is quantized too, as llama.cpp quantizes it against a Q8_0 K
// cache: each query head's row of D quantized like a cached row (DynamicQuantizeRows, one
// block of D: scale max|q| / 127, codes round-half-even in [-127, 127]) and a score is
// ((the codes' dot) * q scale * K row scale) * scale, the products left to right. The dot
// of two rows of codes is an integer below 2^24 for D <= kMaxI8HeadSize, exact in f32
// whatever the order of its sums: integer (VNNI) and float kernels give the same bits.
constexpr int64_t kMaxI8HeadSize = 1024;
// Query row q (D <= kMaxI8HeadSize elements) quantized so: its codes written as floats to
// codes[0 .. D); returns its scale.
float quantizeQueryRow(const float *q, int64_t D, float *codes);

// n f16 values (bits) widened to f32, exactly as ref::halfToFloat (NaNs come out quiet):
// a loop without branches that compilers vectorize, for the f16 caches of the portable
// KVCacheAttention (the kernel ARM runs).
void widenHalfRow(const uint16_t *in, float *out, int64_t n);

// The (query row, head) of work item i in [0, S * Hq): rows in the order 0, S-1, 1, S-2,
// ..., so that the contiguous chunks parallelFor hands to threads mix cheap early rows
// with costly late ones (row s reads pos + s + 1 cache rows, or the window's). Each item is computed on
// its own, so the order changes no result.
void attentionItem(const AttentionPlan &p, int64_t i, int64_t *s, int64_t *h);
// The items [i0, i1) of a thread's chunk as runs: fn(s, h, n) for query row s and its n
// consecutive heads from h that share a KV head (grouped-query attention), so that a
// kernel reads (and widens) each cached row once for all of them. Each head's result must
// not depend on the run it is in: runs end at chunk edges, which move with the thread count.
template <typename Fn> void forEachHeadRun(const AttentionPlan &p, int64_t i0, int64_t i1, Fn &&fn) {
  const int64_t group = p.Hq / p.Hkv;
  for (int64_t i = i0; i < i1;) {
    int64_t s, h, n = 1;
    attentionItem(p, i, &s, &h);
    while (i + n < i1 && (h + n) % group != 0) ++n;
    fn(s, h, n);
    i += n;
  }
}
// Work items per thread at least: a thread is woken for some 64Ki multiply-adds (an item
// does about 2 (pos + S / 2) D, with a window at most 2 window D), not for a short
// context's few heads.
int64_t attentionGrain(const AttentionPlan &p, int64_t pos);
// The position read at run time from `pos` (one i64); throws Error naming the node, the
// position and the cache length unless 0 <= pos and pos + S - 1 < C.
int64_t attentionPosition(const AttentionPlan &p, const TensorView &pos);

}  // namespace edgec::rt::ref
