// The AVX2 RMSNormalization and KVCacheAttention (x86/llm_avx2.cpp) and the AVX-512
// KVCacheAttention (x86/llm_avx512.cpp) against ref and the double-precision references
// of llm_test_util.h, with the tolerances stated in runtime/kernels/README.md ("LLM
// kernels"), and bit-identical results for any thread count. Skipped on CPUs without
// AVX2, FMA and F16C (the AVX-512 cases also without AVX-512), and on other architectures.
#include <gtest/gtest.h>

#include <tuple>

#include "llm_test_util.h"
#include "register_kernels.h"

namespace edgec::rt::testing {
namespace {

bool hasLlmAvx2() {
#if defined(__x86_64__)
  return cpuHasAvx2() && __builtin_cpu_supports("f16c");
#else
  return false;
#endif
}

const std::vector<Isa> kAvx2 = {Isa::Ref, Isa::X86Avx2};

std::vector<float> rmsNorm(const std::vector<int64_t> &shape, const std::vector<float> &x,
                           const std::vector<float> &w, const std::vector<Isa> &isas, int threads = 1) {
  Tensor tx = Tensor::of<float>(shape, x), tw = Tensor::of<float>({shape.back()}, w), ty(DType::f32, shape);
  AttrList a;
  a.i("axis", int64_t(shape.size()) - 1).f("epsilon", 1e-6f);
  EXPECT_EQ(runKernel("RMSNormalization", {&tx, &tw}, {&ty}, a, isas, threads), isas.back());
  return ty.values<float>();
}

TEST(LlmKernelsX86, RmsNormAgreesWithRef) {
  if (!hasLlmAvx2()) GTEST_SKIP() << "no AVX2/FMA/F16C";
  int64_t differ = 0, total = 0;
  for (int64_t E : {1, 7, 8, 9, 64, 896, 1000, 4096}) {
    const int64_t rows = 9;
    const auto x = randomFloats(rows * E, uint32_t(E), -4.f, 4.f), w = randomFloats(E, 3, 0.5f, 2.f);
    const auto fast = rmsNorm({rows, E}, x, w, kAvx2), slow = rmsNorm({rows, E}, x, w, {Isa::Ref});
    const auto exact = naiveRmsNorm(x, w, 1e-6f);
    // Only the order of the double sum differs: the factor is ref's or one f32 rounding
    // away, so each output is within 2 ulp (2^-22 relative) of ref's.
    for (size_t i = 0; i < fast.size(); ++i) {
      ASSERT_NEAR(fast[i], slow[i], std::ldexp(std::fabs(slow[i]), -22)) << E << " " << i;
      ASSERT_NEAR(fast[i], exact[i], 5e-7 * std::fabs(exact[i]) + 1e-30) << E << " " << i;
      differ += fast[i] != slow[i];
    }
    total += int64_t(fast.size());
  }
  RecordProperty("differing_from_ref", std::to_string(differ) + " of " + std::to_string(total));
}

TEST(LlmKernelsX86, RmsNormSameBitsForAnyThreadCount) {
  if (!hasLlmAvx2()) GTEST_SKIP() << "no AVX2/FMA/F16C";
  const int64_t rows = 4096, E = 40;
  const auto x = randomFloats(rows * E, 4), w = randomFloats(E, 5);
  EXPECT_TRUE(sameBits(rmsNorm({rows, E}, x, w, kAvx2, 1), rmsNorm({rows, E}, x, w, kAvx2, 4)));
}

struct AttnCall {
  int64_t S, Hq, Hkv, D, C, pos;
  float scale;
  int64_t window = 0;  // the sliding window attribute, left out when 0
  int64_t ring = 0;    // the mirrored ring attribute, likewise
  float softcap = 0.f;  // the soft cap attribute (Gemma 2), likewise
};

// The first cache row query row 0 of c attends (with a window the rows before it hold NaN
// in the tests' caches: a kernel that reads them shows it).
int64_t firstRowOf(const AttnCall &c) { return c.window > 0 ? std::max<int64_t>(0, c.pos - c.window + 1) : 0; }

std::vector<float> attention(const AttnCall &c, const std::vector<float> &q, KvCache &kv,
                             const std::vector<Isa> &isas, int threads = 1) {
  Tensor tq = Tensor::of<float>({c.S, c.Hq, c.D}, q), ty(DType::f32, {c.S, c.Hq, c.D});
  Tensor tp = Tensor::of<int64_t>({1}, {c.pos});
  AttrList a;
  a.f("scale", c.scale);
  if (c.window) a.i("window", c.window);
  if (c.ring) a.i("ring", c.ring);
  if (c.softcap != 0.f) a.f("softcap", c.softcap);
  std::vector<Tensor *> in = {&tq, &kv.k, &kv.v, &tp};
  if (kv.i8) in.insert(in.end(), {&kv.kScale, &kv.vScale});
  EXPECT_EQ(runKernel("KVCacheAttention", in, {&ty}, a, isas, threads), isas.back());
  return ty.values<float>();
}

// One call on the best kernel of `isas` against ref and the double-precision evaluation.
// The dot products and the softmax sum run in another order than ref's and exp is a
// polynomial (a few ulp): with |score| <= ~8 and |v| <= 1 every output is within 1e-6 of
// ref's, and both within 2e-6 of the exact result.
void expectAgreesWithRefAndDouble(const AttnCall &c, DType dt, const std::vector<Isa> &isas, double refTol = 1e-6,
                                  double exactTol = 2e-6) {
  KvCache kv = makeKvCache(dt, c.C, c.Hkv, c.D, c.pos + c.S, uint32_t(c.D + c.pos), firstRowOf(c));
  const auto q = randomFloats(c.S * c.Hq * c.D, uint32_t(c.C), -2.f, 2.f);
  const std::string what = std::string(dtypeName(dt)) + " S=" + std::to_string(c.S) + " D=" + std::to_string(c.D) +
                           " pos=" + std::to_string(c.pos) + " window=" + std::to_string(c.window) + " on " +
                           isaName(isas.back());
  const auto fast = attention(c, q, kv, isas), slow = attention(c, q, kv, {Isa::Ref});
  expectClose(fast, std::vector<double>(slow.begin(), slow.end()), refTol, what + " vs ref");
  expectClose(fast,
              naiveAttention(q, kv.kReal, kv.vReal, c.S, c.Hq, c.Hkv, c.D, c.pos, c.scale, kv.i8, c.window, c.softcap),
              exactTol, what + " vs double");
}

TEST(LlmKernelsX86, AttentionAgreesWithRefAndDouble) {
  if (!hasLlmAvx2()) GTEST_SKIP() << "no AVX2/FMA/F16C";
  const AttnCall calls[] = {
      {1, 14, 2, 64, 512, 300, 0.125f},  // qwen2-0.5B decode step
      {7, 8, 8, 128, 64, 0, 0.0884f},    // prefill from 0, no grouping
      {5, 6, 3, 20, 40, 11, 0.2236f},    // head size with a tail (20 = 2 * 8 + 4)
      {3, 6, 2, 24, 80, 40, 0.2041f},    // V in a 16-element pair and one 8-element vector, 2 tiles of rows
      {2, 4, 1, 3, 9, 6, 0.577f},        // head size below one vector
  };
  for (DType dt : {DType::f32, DType::f16, DType::i8})
    for (const AttnCall &c : calls) expectAgreesWithRefAndDouble(c, dt, kAvx2);
}

TEST(LlmKernelsX86, AttentionSoftmaxOfLargeScores) {
  // Scores far apart (tens): the max subtraction and the exp's underflow to 0 must hold.
  if (!hasLlmAvx2()) GTEST_SKIP() << "no AVX2/FMA/F16C";
  const AttnCall c{3, 4, 2, 64, 100, 60, 4.f};
  KvCache kv = makeKvCache(DType::f32, c.C, c.Hkv, c.D, c.pos + c.S, 7);
  const auto q = randomFloats(c.S * c.Hq * c.D, 8, -3.f, 3.f);
  const auto fast = attention(c, q, kv, kAvx2);
  // |score| up to several hundred; relative score errors of 1e-7 move weights by ~1e-4.
  expectClose(fast, naiveAttention(q, kv.kReal, kv.vReal, c.S, c.Hq, c.Hkv, c.D, c.pos, c.scale), 5e-4, "large");
}

TEST(LlmKernelsX86, AttentionSameBitsForAnyThreadCount) {
  if (!hasLlmAvx2()) GTEST_SKIP() << "no AVX2/FMA/F16C";
  const AttnCall c{9, 8, 2, 64, 128, 50, 0.125f};
  KvCache kv = makeKvCache(DType::f16, c.C, c.Hkv, c.D, c.pos + c.S, 9);
  const auto q = randomFloats(c.S * c.Hq * c.D, 10);
  const auto one = attention(c, q, kv, kAvx2, 1);
  EXPECT_TRUE(sameBits(one, attention(c, q, kv, kAvx2, 3)));
  EXPECT_TRUE(sameBits(one, attention(c, q, kv, kAvx2, 8)));
}

TEST(LlmKernelsX86, AttentionHeadGroupingChangesNoBits) {
  // Query heads sharing a KV head are computed together within a thread's chunk: one
  // thread groups all 6 of a KV head, 24 threads compute every (row, head) alone, 5 split
  // groups at chunk edges. Each head must come out the same.
  if (!hasLlmAvx2()) GTEST_SKIP() << "no AVX2/FMA/F16C";
  for (DType dt : {DType::f32, DType::f16, DType::i8}) {
    const AttnCall c{2, 12, 2, 20, 4000, 3000, 0.2236f};  // long enough to wake a thread per item
    KvCache kv = makeKvCache(dt, c.C, c.Hkv, c.D, c.pos + c.S, 13);
    const auto q = randomFloats(c.S * c.Hq * c.D, 14);
    const auto grouped = attention(c, q, kv, kAvx2, 1);
    EXPECT_TRUE(sameBits(grouped, attention(c, q, kv, kAvx2, 24))) << dtypeName(dt);
    EXPECT_TRUE(sameBits(grouped, attention(c, q, kv, kAvx2, 5))) << dtypeName(dt);
  }
}

// A sliding window (Gemma 3's local layers): each query row reads only its window's rows
// (the rows before the first query row's window are NaN), decode and prefill, windows
// cutting every row's rows, some, or none.
TEST(LlmKernelsX86, AttentionWindowAgreesWithRefAndDouble) {
  if (!hasLlmAvx2()) GTEST_SKIP() << "no AVX2/FMA/F16C";
  const AttnCall calls[] = {
      {1, 14, 2, 64, 512, 300, 0.125f, 100},  // decode, 100 of 301 rows
      {1, 4, 1, 256, 600, 520, 0.0625f, 512}, // Gemma 3 1B's local layers: 4 heads of 256 on 1, window 512
      {1, 8, 2, 20, 64, 40, 0.2236f, 41},     // = pos + 1: every row
      {7, 8, 8, 128, 64, 0, 0.0884f, 3},      // prefill from 0: the first rows inside the window
      {5, 6, 3, 20, 40, 11, 0.2236f, 4},      // prefill, a head size with a tail
      {3, 6, 2, 24, 80, 40, 0.2041f, 33},     // 2 tiles of V rows (32) and one row
      {6, 4, 2, 16, 40, 10, 0.25f, 13},       // cuts the last query rows' rows only
      {2, 4, 1, 3, 9, 6, 0.577f, 1},          // a window of one row, head size below one vector
  };
  for (DType dt : {DType::f32, DType::f16, DType::i8})
    for (const AttnCall &c : calls) expectAgreesWithRefAndDouble(c, dt, kAvx2);
}

TEST(LlmKernelsX86, AttentionWindowSameBitsForAnyThreadCount) {
  if (!hasLlmAvx2()) GTEST_SKIP() << "no AVX2/FMA/F16C";
  for (DType dt : {DType::f32, DType::f16, DType::i8}) {
    const AttnCall c{3, 12, 2, 20, 4000, 3000, 0.2236f, 700};
    KvCache kv = makeKvCache(dt, c.C, c.Hkv, c.D, c.pos + c.S, 15, firstRowOf(c));
    const auto q = randomFloats(c.S * c.Hq * c.D, 16);
    const auto one = attention(c, q, kv, kAvx2, 1);
    for (int threads : {2, 5, 24}) EXPECT_TRUE(sameBits(one, attention(c, q, kv, kAvx2, threads))) << threads;
  }
}

// ---- The AVX-512 KVCacheAttention (x86/llm_avx512.cpp): f16, f32 and i8 caches, head
// sizes of whole 16-lane vectors; other sizes stay on the AVX2 kernel. ----

bool hasLlmAvx512() {
#if defined(__x86_64__)
  return hasLlmAvx2() && !x86Levels(false).empty() && x86Levels(false).back().expect == Isa::X86Avx512;
#else
  return false;
#endif
}

const std::vector<Isa> kAvx512 = {Isa::Ref, Isa::X86Avx2, Isa::X86Avx512};

TEST(LlmKernelsX86, Avx512AttentionAgreesWithRefAndDouble) {
  if (!hasLlmAvx512()) GTEST_SKIP() << "no AVX-512/F16C";
  const AttnCall calls[] = {
      {1, 12, 2, 128, 1024, 576, 0.0884f},  // Qwen2.5-1.5B decode at the benchmark's position: 144 blocks of 4 rows and 1
      {1, 14, 2, 64, 512, 300, 0.125f},     // qwen2-0.5B decode: 7 heads a KV head, a block of 6 and one of 1
      {1, 16, 8, 128, 1024, 576, 0.0884f},  // Qwen3-1.7B decode: 2 heads a KV head, V rows in one slice of 8 vectors
      {2, 4, 2, 192, 300, 200, 0.0722f},    // D = 192, 2 heads a KV head: V slices of 8 and 4 vectors
      {7, 8, 8, 128, 64, 0, 0.0884f},       // prefill from 0, no grouping
      {5, 6, 3, 80, 40, 11, 0.1118f},       // D = 64 + 16: V slices of 4 vectors and of 1
      {3, 10, 2, 48, 80, 40, 0.1443f},      // D = 48: a V slice of 3 vectors; 5 heads a KV head
      {2, 4, 1, 32, 9, 6, 0.1768f},         // D = 32: a slice of 2; fewer rows than a block
      {2, 4, 2, 16, 9, 2, 0.25f},           // one vector a row
      {9, 6, 3, 80, 200, 90, 0.1118f},      // a prefill of 91 to 99 rows (S > 1: never split)
      {3, 10, 2, 48, 300, 200, 0.1443f},    // 201 to 203 rows, a V slice of 3
  };
  for (DType dt : {DType::f32, DType::f16, DType::i8})
    for (const AttnCall &c : calls) expectAgreesWithRefAndDouble(c, dt, kAvx512);
}

TEST(LlmKernelsX86, Avx512AttentionSoftmaxOfLargeScores) {
  if (!hasLlmAvx512()) GTEST_SKIP() << "no AVX-512/F16C";
  const AttnCall c{3, 4, 2, 64, 100, 60, 4.f};
  KvCache kv = makeKvCache(DType::f16, c.C, c.Hkv, c.D, c.pos + c.S, 7);
  const auto q = randomFloats(c.S * c.Hq * c.D, 8, -3.f, 3.f);
  expectClose(attention(c, q, kv, kAvx512), naiveAttention(q, kv.kReal, kv.vReal, c.S, c.Hq, c.Hkv, c.D, c.pos, c.scale),
              5e-4, "large");
}

TEST(LlmKernelsX86, Avx512AttentionSameBitsForAnyThreadCountAndGrouping) {
  // One thread takes all heads of a KV head in blocks of 6 (7 = 6 + 1 here); 28 threads
  // compute every (row, head) alone; 5 split the groups at chunk edges. With heads of 128
  // a block of 1 or 2 heads takes V in slices of 8 vectors, one of 3-6 heads in slices of 4.
  if (!hasLlmAvx512()) GTEST_SKIP() << "no AVX-512/F16C";
  for (DType dt : {DType::f32, DType::f16, DType::i8})
    for (int64_t D : {64, 128}) {
      const AttnCall c{2, 14, 2, D, 4000, 3000, 0.125f};  // long enough to wake a thread per item
      KvCache kv = makeKvCache(dt, c.C, c.Hkv, c.D, c.pos + c.S, 13);
      const auto q = randomFloats(c.S * c.Hq * c.D, 14);
      const auto grouped = attention(c, q, kv, kAvx512, 1);
      EXPECT_TRUE(sameBits(grouped, attention(c, q, kv, kAvx512, 28))) << dtypeName(dt) << " D " << D;
      EXPECT_TRUE(sameBits(grouped, attention(c, q, kv, kAvx512, 5))) << dtypeName(dt) << " D " << D;
    }
}

// A prefill chunk (S > 1) takes its query rows a chunk at a time, the chunk's query
// vectors of one KV head as vector lanes, with the softmax online over tiles of 48 cache
// rows (x86/llm_avx512.cpp, prefillChunks): chunks whose vectors fill 1 to 4 vectors of
// 16 lanes or leave lanes empty, several chunks and a last short one, one tile and
// hundreds, a short last tile and rows past a query row's own position inside a tile,
// head sizes with V slices of 4, 3, 2 and 1 vectors.
TEST(LlmKernelsX86, Avx512PrefillChunksAgreeWithRefAndDouble) {
  if (!hasLlmAvx512()) GTEST_SKIP() << "no AVX-512/F16C";
  const AttnCall calls[] = {
      {64, 12, 2, 128, 1024, 200, 0.0884f},  // Qwen2.5-1.5B: 10 rows a chunk (60 of 64 lanes), 7 chunks
      {40, 14, 2, 64, 300, 0, 0.125f},       // qwen2-0.5B from position 0: 9 rows (63 lanes) a chunk
      {70, 4, 4, 32, 200, 47, 0.1768f},      // no grouping: 64 rows a chunk and a chunk of 6 (16 lanes)
      {11, 8, 2, 80, 100, 48, 0.1118f},      // 4 heads a KV head: 11 rows (44 lanes); V slices of 4 and 1
      {5, 6, 3, 48, 120, 95, 0.1443f},       // 2 heads a KV head, 10 lanes; a V slice of 3
      {3, 40, 1, 16, 60, 1, 0.25f},          // 40 heads on one KV head: a chunk of 1 row (48 lanes)
      {6, 12, 2, 32, 40000, 9000, 0.1768f},  // 188 tiles of 48 cache rows
  };
  for (DType dt : {DType::f32, DType::f16, DType::i8})
    for (const AttnCall &c : calls) expectAgreesWithRefAndDouble(c, dt, kAvx512);
}

TEST(LlmKernelsX86, Avx512PrefillRowsSameBitsWhateverTheChunkAndThreads) {
  // A query row's result depends on its own row alone: the rows of one call of 50 are
  // the same bits as those rows computed in calls of 32, 16 and 2 rows (as a prompt
  // split into the prefill buckets is), and at 1, 2 and 5 threads.
  if (!hasLlmAvx512()) GTEST_SKIP() << "no AVX-512/F16C";
  for (DType dt : {DType::f32, DType::f16, DType::i8}) {
    const int64_t Hq = 12, Hkv = 2, D = 64, C = 400, pos = 123, S = 50;
    KvCache kv = makeKvCache(dt, C, Hkv, D, pos + S, 41);
    const auto q = randomFloats(S * Hq * D, 42);
    const AttnCall whole{S, Hq, Hkv, D, C, pos, 0.125f};
    const auto all = attention(whole, q, kv, kAvx512, 1);
    for (int threads : {2, 5}) EXPECT_TRUE(sameBits(all, attention(whole, q, kv, kAvx512, threads))) << threads;
    std::vector<float> pieces;
    int64_t s0 = 0;
    for (int64_t n : {32, 16, 2}) {
      const AttnCall part{n, Hq, Hkv, D, C, pos + s0, 0.125f};
      const std::vector<float> qs(q.begin() + s0 * Hq * D, q.begin() + (s0 + n) * Hq * D);
      const auto y = attention(part, qs, kv, kAvx512, 2);
      pieces.insert(pieces.end(), y.begin(), y.end());
      s0 += n;
    }
    EXPECT_TRUE(sameBits(all, pieces)) << dtypeName(dt);
  }
}

// A decode step (S = 1) over at least 128 cache rows is split in two parts of rows, each
// with its own max and sum, merged at the end (x86/llm_avx512.cpp, decodeSplit); below
// 128 rows it is not. Positions around the threshold and parts not multiples of the
// 4-row blocks or the 8-lane softmax vectors; head sizes with V slices of 4, 3, 2 and 1
// vectors; 1 to 7 query heads a KV head.
TEST(LlmKernelsX86, Avx512DecodeSplitAgreesWithRefAndDouble) {
  if (!hasLlmAvx512()) GTEST_SKIP() << "no AVX-512/F16C";
  const AttnCall calls[] = {
      {1, 12, 2, 128, 1024, 126, 0.0884f},  // 127 rows: not split
      {1, 12, 2, 128, 1024, 127, 0.0884f},  // 128 rows: parts of 64 and 64
      {1, 12, 2, 128, 1024, 130, 0.0884f},  // parts of 64 and 67
      {1, 12, 2, 128, 1024, 1000, 0.0884f}, // parts of 500 and 501
      {1, 14, 2, 64, 700, 641, 0.125f},     // 7 heads a KV head: blocks of 6 and 1
      {1, 6, 3, 80, 300, 199, 0.1118f},     // V slices of 4 and 1 vectors
      {1, 10, 2, 48, 300, 260, 0.1443f},    // a V slice of 3
      {1, 4, 4, 32, 200, 150, 0.1768f},     // no grouping, a slice of 2
      {1, 2, 1, 16, 300, 290, 0.25f},       // one vector a row
  };
  for (DType dt : {DType::f32, DType::f16, DType::i8})
    for (const AttnCall &c : calls) expectAgreesWithRefAndDouble(c, dt, kAvx512);
}

TEST(LlmKernelsX86, Avx512DecodeSplitMergesPartsOfVeryDifferentScores) {
  // Scores of several hundred: the max lies in one part, whose weight is 1, and the
  // other part's exp(m_p - max) underflows or nearly; q scaled so that either part may
  // hold it (three seeds).
  if (!hasLlmAvx512()) GTEST_SKIP() << "no AVX-512/F16C";
  for (uint32_t seed : {21u, 22u, 23u}) {
    const AttnCall c{1, 4, 2, 64, 400, 300, 4.f};
    KvCache kv = makeKvCache(DType::f16, c.C, c.Hkv, c.D, c.pos + c.S, seed);
    const auto q = randomFloats(c.S * c.Hq * c.D, seed + 100, -3.f, 3.f);
    expectClose(attention(c, q, kv, kAvx512),
                naiveAttention(q, kv.kReal, kv.vReal, c.S, c.Hq, c.Hkv, c.D, c.pos, c.scale), 5e-4, "large");
  }
}

TEST(LlmKernelsX86, Avx512DecodeSplitSameBitsForAnyThreadCount) {
  // The parts are fixed by the position alone: one thread computes both parts of every
  // KV head, two take a part each, three split the four (part, KV head) items 1 / 1 / 2,
  // eight leave threads idle. Below the threshold the unsplit path, the same check.
  if (!hasLlmAvx512()) GTEST_SKIP() << "no AVX-512/F16C";
  for (DType dt : {DType::f32, DType::f16, DType::i8})
    for (int64_t pos : {int64_t(100), int64_t(611), int64_t(3001)}) {
      const AttnCall c{1, 14, 2, 128, 4000, pos, 0.0884f};
      KvCache kv = makeKvCache(dt, c.C, c.Hkv, c.D, c.pos + c.S, 31);
      const auto q = randomFloats(c.S * c.Hq * c.D, 32);
      const auto one = attention(c, q, kv, kAvx512, 1);
      for (int threads : {2, 3, 8})
        EXPECT_TRUE(sameBits(one, attention(c, q, kv, kAvx512, threads)))
            << dtypeName(dt) << " pos " << pos << ", " << threads << " threads";
    }
}

// Which kernel a call runs on: i8 caches at the AVX-512 level (`--kv-cache int8`, since
// the thirty-ninth session), a head size of 24 (not whole 16-lane vectors) on AVX2.
TEST(LlmKernelsX86, Avx512AttentionTakesI8AndLeavesOddHeadSizesToAvx2) {
  if (!hasLlmAvx512()) GTEST_SKIP() << "no AVX-512/F16C";
  for (auto [dt, D, isa] : {std::tuple{DType::i8, int64_t(64), Isa::X86Avx512},
                            std::tuple{DType::f16, int64_t(64), Isa::X86Avx512},
                            std::tuple{DType::f16, int64_t(24), Isa::X86Avx2}}) {
    const AttnCall c{1, 4, 2, D, 16, 5, 0.2f};
    KvCache kv = makeKvCache(dt, c.C, c.Hkv, c.D, c.pos + c.S, 3);
    Tensor tq = Tensor::of<float>({c.S, c.Hq, c.D}, randomFloats(c.S * c.Hq * c.D, 4)), ty(DType::f32, {c.S, c.Hq, c.D});
    Tensor tp = Tensor::of<int64_t>({1}, {c.pos});
    AttrList a;
    a.f("scale", c.scale);
    std::vector<Tensor *> in = {&tq, &kv.k, &kv.v, &tp};
    if (kv.i8) in.insert(in.end(), {&kv.kScale, &kv.vScale});
    EXPECT_EQ(runKernel("KVCacheAttention", in, {&ty}, a, kAvx512, 1), isa) << dtypeName(dt) << " D=" << D;
  }
}

// The AVX-512 kernel on an i8 cache with and without its VNNI scores, at 1 and 2
// threads: the same bits (each dot an exact integer).
void expectVnniSameBitsAsF32Path(const AttnCall &c) {
  KvCache kv = makeKvCache(DType::i8, c.C, c.Hkv, c.D, c.pos + c.S, uint32_t(c.D + c.pos), firstRowOf(c));
  Tensor tq = Tensor::of<float>({c.S, c.Hq, c.D}, randomFloats(c.S * c.Hq * c.D, uint32_t(c.C), -2.f, 2.f));
  Tensor tp = Tensor::of<int64_t>({1}, {c.pos});
  AttrList a;
  a.f("scale", c.scale);
  if (c.window) a.i("window", c.window);
  const std::string what = "S " + std::to_string(c.S) + " Hq " + std::to_string(c.Hq) + " Hkv " +
                           std::to_string(c.Hkv) + " D=" + std::to_string(c.D) + " pos " + std::to_string(c.pos) +
                           " window " + std::to_string(c.window);
  std::vector<float> y[2];
  for (int vnni = 0; vnni < 2; ++vnni)
    for (int threads : {1, 2}) {
      Tensor ty(DType::f32, {c.S, c.Hq, c.D});
      const std::vector<TensorView *> in = {&tq.view(),  &kv.k.view(),      &kv.v.view(),
                                            &tp.view(), &kv.kScale.view(), &kv.vScale.view()};
      std::unique_ptr<Kernel> k(newX86Avx512KVCacheAttention(vnni != 0));
      k->prepare(viewSignature("KVCacheAttention", in, ty.view(), &a));
      runPrepared(*k, std::vector<const TensorView *>(in.begin(), in.end()), {&ty.view()}, threads);
      const auto got = ty.values<float>();
      if (threads == 1) y[vnni] = got;
      else EXPECT_TRUE(sameBits(y[vnni], got)) << what << " vnni " << vnni << ", 2 threads";
    }
  EXPECT_TRUE(sameBits(y[0], y[1])) << what;
}

// An i8 cache's scores on AVX-512 VNNI, decode and prefill (vpdpbusd on the query's and
// the cache's codes) against the same kernel's f32 path, which CPUs with AVX-512 and
// without VNNI run: the same bits (each dot an exact integer). Decode steps split and
// not, every count of heads a block (1-7), heads of 16-256 codes, the last 1-15 rows of
// 16; prefill chunks (query vectors as lanes, Q^T in 4-code groups) filling 1-4 vectors
// of 16 lanes or leaving lanes empty, one tile of 48 cache rows or many, a short last
// tile. Rows past pos + S hold NaN scales and codes that a wrong read would show.
TEST(LlmKernelsX86, Avx512I8VnniScoresSameBitsAsF32Path) {
  if (!hasLlmAvx512()) GTEST_SKIP() << "no AVX-512/F16C";
  if (!__builtin_cpu_supports("avx512vnni")) GTEST_SKIP() << "no AVX-512 VNNI";
  const AttnCall calls[] = {
      {1, 14, 2, 64, 700, 641, 0.125f},     // qwen2-0.5B: 7 heads a KV head (6 + 1), split
      {1, 32, 4, 64, 400, 100, 0.125f},     // TinyLlama: 8 heads (6 + 2), not split, 101 rows
      {1, 12, 2, 128, 1024, 577, 0.0884f},  // Qwen2.5-1.5B: 6 heads, 578 rows (2 past a block)
      {1, 8, 2, 48, 300, 258, 0.1443f},     // 4 heads: one quad; 3 rows past a block
      {1, 3, 3, 16, 60, 40, 0.25f},         // no grouping, one chunk
      {1, 10, 2, 128, 40, 2, 0.0884f},      // 5 heads, 3 rows
      {1, 2, 1, 256, 300, 200, 0.0625f},    // heads of 256
      {4, 14, 2, 64, 300, 100, 0.125f},     // prefill: 4 rows of 7 vectors, 28 of 32 lanes
      {64, 12, 2, 128, 1024, 200, 0.0884f}, // 10 rows a chunk (60 of 64 lanes), 7 chunks
      {70, 4, 4, 32, 200, 47, 0.1768f},     // no grouping: 64 rows a chunk and a chunk of 6
      {11, 8, 2, 80, 100, 48, 0.1118f},     // 44 lanes, heads of 80 (a 64-code and a 16-code column)
      {5, 6, 3, 48, 120, 95, 0.1443f},      // 10 lanes, heads of 48
      {3, 40, 1, 16, 60, 1, 0.25f},         // 40 heads on one KV head: 48 lanes, heads of 16
      {6, 12, 2, 256, 2000, 1500, 0.0625f}, // heads of 256, 32 tiles
  };
  for (const AttnCall &c : calls) expectVnniSameBitsAsF32Path(c);
}

// ---- A sliding window on the AVX-512 kernel: the decode paths start a query row's rows at
// its window's first (decodeSplit splits the window's rows: split or not by their count),
// a prefill chunk masks each lane below its own first row and starts at the tile holding
// the chunk's lowest. The rows before the first query row's window are NaN. ----

// Mirrored rings (`ring`, a local layer's cache of 2R rows written by KVCacheRingWrite):
// the same bits as a cache of every position on the AVX2 and AVX-512 kernels (i8 by VNNI
// where the CPU has it), at positions before, at and past each round of the ring: decode
// steps (split when the window has >= 128 rows), prefill chunks, 1 and 2 threads.
TEST(LlmKernelsX86, AttentionOverARingEqualsTheWholeCache) {
  if (!hasLlmAvx2()) GTEST_SKIP() << "no AVX2/FMA/F16C";
  struct Case {
    int64_t Hq, Hkv, D, W, chunk;
  };
  const Case cases[] = {{4, 1, 256, 140, 16},  // Gemma 3 1B's heads; a decode split
                        {8, 2, 64, 20, 7}};
  std::vector<std::vector<Isa>> levels = {kAvx2};
  if (hasLlmAvx512()) levels.push_back(kAvx512);
  for (const auto &isas : levels)
    for (DType dt : {DType::f32, DType::f16, DType::i8})
      for (const Case &k : cases) {
        const int64_t R = k.W + 2 * k.chunk - 1, C = 3 * R + k.chunk;
        KvCache full = makeKvCache(dt, C, k.Hkv, k.D, C, uint32_t(k.D + R));
        for (int64_t S : {int64_t(1), k.chunk})
          for (int64_t pos : {int64_t(0), k.W - 1, k.W + 1, R - S, R - 1, R, 2 * R - S + 1, 2 * R + 3, 3 * R - S}) {
            if (pos < 0) continue;
            AttnCall c{S, k.Hq, k.Hkv, k.D, C, pos, 1.f / std::sqrt(float(k.D)), k.W};
            const auto q = randomFloats(S * k.Hq * k.D, uint32_t(pos + 7), -2.f, 2.f);
            KvCache ring = ringOf(full, R, pos + S, k.chunk);
            AttnCall rc = c;
            rc.C = 2 * R;
            rc.ring = R;
            const auto want = attention(c, q, full, isas);
            for (int threads : {1, 2})
              ASSERT_TRUE(sameBits(attention(rc, q, ring, isas, threads), want))
                  << dtypeName(dt) << " D=" << k.D << " S=" << S << " pos=" << pos << " threads " << threads
                  << " on " << isaName(isas.back());
          }
      }
}

// Soft-capped scores (Gemma 2): each path's scores go through the vector tanh (a few ulp
// from ref's std::tanh) before the softmax: the decode rows unsplit and split, prefill
// chunks (f32 and VNNI scores), a window, on AVX2 and AVX-512. A cap of 2 bends scores of
// a few units (ignoring it is off by far more than the tolerances); 50 is Gemma 2's, here
// over scores of tens (a peaked softmax, where the tanh's last-ulp differences from ref
// move outputs by up to ~3e-6: the tolerances 1e-5 and 2e-5).
TEST(LlmKernelsX86, AttentionSoftcapAgreesWithRefAndDouble) {
  if (!hasLlmAvx2()) GTEST_SKIP() << "no AVX2/FMA/F16C";
  const AttnCall calls[] = {
      {1, 8, 4, 256, 700, 90, 0.0625f, 0, 0, 2.f},      // Gemma 2 2B's heads: 8 of 256 on 4, unsplit
      {1, 8, 4, 256, 700, 600, 1.f, 0, 0, 50.f},        // queries pre-scaled, Gemma 2's cap: split
      {1, 8, 4, 256, 700, 600, 0.0625f, 300, 0, 2.f},   // a window (Gemma 2's local layers): split
      {40, 8, 4, 128, 300, 100, 0.0884f, 0, 0, 2.f},    // prefill chunks
      {40, 8, 4, 128, 300, 100, 0.0884f, 64, 0, 2.f},   // prefill chunks with a window
      {5, 6, 3, 20, 40, 11, 0.2236f, 0, 0, 2.f},        // a head size with a tail (AVX2 only)
  };
  for (const std::vector<Isa> &isas : {kAvx2, kAvx512}) {
    if (isas.back() == Isa::X86Avx512 && !hasLlmAvx512()) continue;
    for (DType dt : {DType::f32, DType::f16, DType::i8})
      for (const AttnCall &c : calls) {
        if (isas.back() == Isa::X86Avx512 && c.D % 16) continue;  // AVX2's (odd head sizes)
        expectAgreesWithRefAndDouble(c, dt, isas, 1e-5, 2e-5);
        KvCache kv = makeKvCache(dt, c.C, c.Hkv, c.D, c.pos + c.S, 77, firstRowOf(c));
        const auto q = randomFloats(c.S * c.Hq * c.D, 78, -2.f, 2.f);
        AttnCall uncapped = c;
        uncapped.softcap = 0.f;
        const auto capped = attention(c, q, kv, isas), plain = attention(uncapped, q, kv, isas);
        if (c.softcap < 10.f) EXPECT_FALSE(sameBits(capped, plain)) << "cap " << c.softcap;
      }
  }
}

TEST(LlmKernelsX86, Avx512WindowAgreesWithRefAndDouble) {
  if (!hasLlmAvx512()) GTEST_SKIP() << "no AVX-512/F16C";
  const AttnCall calls[] = {
      // Decode steps.
      {1, 4, 1, 256, 1100, 1000, 0.0625f, 512},  // Gemma 3 1B's local layers: split, 512 of 1001 rows
      {1, 8, 4, 256, 700, 600, 0.0625f, 1024},   // Gemma 3 4B's shape, a window past the rows: split
      {1, 12, 2, 128, 1024, 576, 0.0884f, 577},  // = pos + 1: every row, split
      {1, 16, 8, 128, 1024, 576, 0.0884f, 300},  // 2 heads a KV head, heads of 128, split
      {1, 8, 2, 128, 400, 300, 0.0884f, 128},    // 128 rows: split in 64 and 64
      {1, 8, 2, 128, 400, 300, 0.0884f, 127},    // 127 rows: not split
      {1, 6, 3, 80, 300, 199, 0.1118f, 130},     // parts of 64 and 66, V slices of 4 and 1
      {1, 14, 2, 64, 700, 641, 0.125f, 100},     // 7 heads a KV head, not split
      {1, 4, 1, 64, 300, 250, 0.125f, 5},        // a block of 4 rows and one
      {1, 4, 2, 16, 9, 2, 0.25f, 2},             // one vector a row, few rows
      // Prefill chunks.
      {64, 4, 1, 256, 1100, 600, 0.0625f, 512},  // Gemma 3 1B: 16 rows a chunk, the tiles from the 2nd
      {64, 12, 2, 128, 1024, 200, 0.0884f, 100}, // 10 rows a chunk, each lane its own first row
      {40, 14, 2, 64, 300, 0, 0.125f, 16},       // from 0, a window below S: inside a chunk and a tile
      {70, 4, 4, 32, 200, 47, 0.1768f, 48},      // a window of one tile, 64 rows a chunk and 6
      {11, 8, 2, 80, 100, 48, 0.1118f, 50},      // first rows in a tile's middle
      {5, 6, 3, 48, 120, 95, 0.1443f, 1},        // each row its own
      {6, 12, 2, 32, 40000, 9000, 0.1768f, 4096},// 85 tiles skipped of 188
      {3, 80, 1, 16, 60, 30, 0.25f, 7},          // 80 heads a KV head: no chunks (rowHeads)
  };
  for (DType dt : {DType::f32, DType::f16, DType::i8})
    for (const AttnCall &c : calls) expectAgreesWithRefAndDouble(c, dt, kAvx512);
}

TEST(LlmKernelsX86, Avx512WindowSameBitsForAnyThreadCountAndChunking) {
  if (!hasLlmAvx512()) GTEST_SKIP() << "no AVX-512/F16C";
  for (DType dt : {DType::f32, DType::f16, DType::i8}) {
    // Decode steps, split (the window's rows or all rows) and not.
    for (auto [pos, window] : {std::pair<int64_t, int64_t>{611, 100}, {611, 300}, {3001, 1000}, {3001, 5000}}) {
      const AttnCall c{1, 14, 2, 128, 4000, pos, 0.0884f, window};
      KvCache kv = makeKvCache(dt, c.C, c.Hkv, c.D, c.pos + c.S, 31, firstRowOf(c));
      const auto q = randomFloats(c.S * c.Hq * c.D, 32);
      const auto one = attention(c, q, kv, kAvx512, 1);
      for (int threads : {2, 3, 8})
        EXPECT_TRUE(sameBits(one, attention(c, q, kv, kAvx512, threads)))
            << dtypeName(dt) << " pos " << pos << " window " << window << ", " << threads << " threads";
    }
    // A prefill's rows: one call of 50 against calls of 32, 16 and 2 (other chunks, other
    // first tiles) and other thread counts.
    for (int64_t window : {7, 60, 200}) {
      const int64_t Hq = 8, Hkv = 2, D = 64, C = 400, pos = 123, S = 50;
      const AttnCall whole{S, Hq, Hkv, D, C, pos, 0.125f, window};
      KvCache kv = makeKvCache(dt, C, Hkv, D, pos + S, 41, firstRowOf(whole));
      const auto q = randomFloats(S * Hq * D, 42);
      const auto all = attention(whole, q, kv, kAvx512, 1);
      for (int threads : {2, 5}) EXPECT_TRUE(sameBits(all, attention(whole, q, kv, kAvx512, threads))) << threads;
      std::vector<float> pieces;
      int64_t s0 = 0;
      for (int64_t n : {32, 16, 2}) {
        const AttnCall part{n, Hq, Hkv, D, C, pos + s0, 0.125f, window};
        const std::vector<float> qs(q.begin() + s0 * Hq * D, q.begin() + (s0 + n) * Hq * D);
        const auto y = attention(part, qs, kv, kAvx512, 2);
        pieces.insert(pieces.end(), y.begin(), y.end());
        s0 += n;
      }
      EXPECT_TRUE(sameBits(all, pieces)) << dtypeName(dt) << " window " << window;
    }
  }
}

TEST(LlmKernelsX86, Avx512I8VnniWindowSameBitsAsF32Path) {
  if (!hasLlmAvx512()) GTEST_SKIP() << "no AVX-512/F16C";
  if (!__builtin_cpu_supports("avx512vnni")) GTEST_SKIP() << "no AVX-512 VNNI";
  const AttnCall calls[] = {
      {1, 4, 1, 256, 1100, 1000, 0.0625f, 512},  // Gemma 3 1B: split
      {1, 12, 2, 128, 1024, 577, 0.0884f, 100},  // not split, 100 rows (4 past a block of 16)
      {1, 14, 2, 64, 700, 641, 0.125f, 300},     // split, 7 heads a KV head
      {64, 4, 1, 256, 1100, 600, 0.0625f, 512},  // prefill chunks of 16 rows
      {40, 14, 2, 64, 300, 0, 0.125f, 16},       // from 0, a window below S
      {11, 8, 2, 80, 100, 48, 0.1118f, 50},      // first rows in a tile's middle, heads of 80
      {6, 12, 2, 256, 2000, 1500, 0.0625f, 700}, // heads of 256, tiles skipped
  };
  for (const AttnCall &c : calls) expectVnniSameBitsAsF32Path(c);
}

}  // namespace
}  // namespace edgec::rt::testing
