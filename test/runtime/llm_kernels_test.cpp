// The ref LLM kernels (ref/llm.h): RMSNormalization, RotaryEmbedding and KVCacheAttention
// against the double-precision naive loops of llm_test_util.h, hand-worked values, the
// causal rule (a prefill of S rows equals S decode steps, bit for bit), cache rows past
// the valid prefix never read, results independent of the thread count, and the errors
// (prepare: shapes, dtypes, attributes; run: positions) naming the node.
#include <gtest/gtest.h>

#include <functional>

#include "llm_test_util.h"
#include "ref/llm.h"

namespace edgec::rt::testing {
namespace {

// ---- RMSNormalization ----

std::vector<float> rmsNorm(const std::vector<int64_t> &shape, const std::vector<float> &x,
                           const std::vector<float> &scale, float eps, int threads = 1,
                           const std::vector<Isa> &isas = {Isa::Ref}) {
  Tensor tx = Tensor::of<float>(shape, x), ts = Tensor::of<float>({shape.back()}, scale), ty(DType::f32, shape);
  AttrList a;
  a.i("axis", int64_t(shape.size()) - 1).f("epsilon", eps);
  runKernel("RMSNormalization", {&tx, &ts}, {&ty}, a, isas, threads);
  return ty.values<float>();
}

TEST(LlmKernels, RmsNormMatchesDoubleReference) {
  for (int64_t E : {1, 7, 64, 67, 896}) {
    const std::vector<int64_t> shape = {3, 2, E};
    const auto x = randomFloats(6 * E, 1 + uint32_t(E), -3.f, 3.f), w = randomFloats(E, 2, 0.5f, 1.5f);
    const auto y = rmsNorm(shape, x, w, 1e-6f);
    // Each output is a few f32 roundings of the exact value: 4 ulp with margin.
    const auto ref = naiveRmsNorm(x, w, 1e-6f);
    for (size_t i = 0; i < y.size(); ++i) ASSERT_NEAR(y[i], ref[i], 5e-7 * std::fabs(ref[i]) + 1e-30) << E << " " << i;
  }
  // A hand-worked row: x = [3, 4], mean of squares 12.5, eps 0: y = x / sqrt(12.5) * w.
  const auto y = rmsNorm({1, 2}, {3.f, 4.f}, {1.f, 2.f}, 0.f);
  EXPECT_FLOAT_EQ(y[0], float(3 / std::sqrt(12.5)));
  EXPECT_FLOAT_EQ(y[1], float(8 / std::sqrt(12.5)));
  // eps keeps an all-zero row finite.
  EXPECT_EQ(rmsNorm({1, 4}, {0, 0, 0, 0}, {1, 1, 1, 1}, 1e-5f), std::vector<float>(4, 0.f));
}

TEST(LlmKernels, RmsNormSameBitsForAnyThreadCount) {
  const int64_t rows = 4096, E = 48;  // enough rows to be split over threads
  const auto x = randomFloats(rows * E, 3), w = randomFloats(E, 4);
  const auto one = rmsNorm({rows, E}, x, w, 1e-5f, 1);
  EXPECT_TRUE(sameBits(one, rmsNorm({rows, E}, x, w, 1e-5f, 3)));
  EXPECT_TRUE(sameBits(one, rmsNorm({rows, E}, x, w, 1e-5f, 4)));
}

TEST(LlmKernels, RmsNormRefusesOtherAxesAndShapes) {
  Tensor x(DType::f32, {2, 8}), w(DType::f32, {8}), y(DType::f32, {2, 8}), w2(DType::f32, {2, 8});
  AttrList axis0;
  axis0.i("axis", 0).f("epsilon", 1e-5f);
  const std::string e = errorOf([&] { runKernel("RMSNormalization", {&x, &w}, {&y}, axis0); });
  EXPECT_NE(e.find("node 'test_node'"), std::string::npos) << e;
  EXPECT_NE(e.find("last axis"), std::string::npos) << e;
  AttrList ok;
  ok.i("axis", 1).f("epsilon", 1e-5f);
  EXPECT_NE(errorOf([&] { runKernel("RMSNormalization", {&x, &w2}, {&y}, ok); }).find("Scale has shape [2,8]"),
            std::string::npos);
  Tensor xi(DType::i32, {2, 8});
  EXPECT_NE(errorOf([&] { runKernel("RMSNormalization", {&xi, &w}, {&y}, ok); }).find("unsupported dtype i32"),
            std::string::npos);
}

// ---- RotaryEmbedding ----

struct RotaryCall {
  int64_t B = 2, S = 3, H = 2, D = 8, R = 0, P = 16;
  bool interleaved = false;
};

std::vector<float> rotary(const RotaryCall &c, const std::vector<float> &x, const std::vector<int64_t> &ids,
                          const std::vector<float> &cosC, const std::vector<float> &sinC, int threads = 1) {
  const int64_t R = c.R ? c.R : c.D;
  Tensor tx = Tensor::of<float>({c.B, c.S, c.H * c.D}, x), ty(DType::f32, {c.B, c.S, c.H * c.D});
  Tensor tc = Tensor::of<float>({c.P, R / 2}, cosC), ts = Tensor::of<float>({c.P, R / 2}, sinC);
  Tensor ti = Tensor::of<int64_t>({c.B, c.S}, ids);
  AttrList a;
  a.i("interleaved", c.interleaved).i("num_heads", c.H).i("rotary_embedding_dim", c.R);
  runKernel("RotaryEmbedding", {&tx, &tc, &ts, &ti}, {&ty}, a, {Isa::Ref}, threads);
  return ty.values<float>();
}

TEST(LlmKernels, RotaryRotatesTheRightPairs) {
  // One head of 4, position 1 with angles (a, b): x = e0 goes to (cos a, sin a) on
  // elements (0, 1) when interleaved (llama), on (0, 2) otherwise (NeoX, qwen2).
  RotaryCall c{1, 1, 1, 4, 0, 2, true};
  const float a = 0.5f, b = 0.25f;
  const std::vector<float> cosC = {1, 1, std::cos(a), std::cos(b)}, sinC = {0, 0, std::sin(a), std::sin(b)};
  EXPECT_EQ(rotary(c, {1, 0, 0, 0}, {1}, cosC, sinC), (std::vector<float>{std::cos(a), std::sin(a), 0, 0}));
  EXPECT_EQ(rotary(c, {0, 0, 0, 1}, {1}, cosC, sinC), (std::vector<float>{0, 0, -std::sin(b), std::cos(b)}));
  c.interleaved = false;
  EXPECT_EQ(rotary(c, {1, 0, 0, 0}, {1}, cosC, sinC), (std::vector<float>{std::cos(a), 0, std::sin(a), 0}));
  EXPECT_EQ(rotary(c, {0, 0, 0, 1}, {1}, cosC, sinC), (std::vector<float>{0, -std::sin(b), 0, std::cos(b)}));
  // Position 0 (angle 0) is the identity.
  EXPECT_EQ(rotary(c, {1, 2, 3, 4}, {0}, cosC, sinC), (std::vector<float>{1, 2, 3, 4}));
}

TEST(LlmKernels, RotaryMatchesDoubleReference) {
  for (bool interleaved : {false, true})
    for (int64_t R : {0, 4}) {  // whole heads, and a partial rotary dim (the rest copied)
      RotaryCall c;
      c.interleaved = interleaved;
      c.R = R;
      const int64_t rot = R ? R : c.D;
      std::vector<float> cosC, sinC;
      ropeCaches(c.P, rot / 2, 10000.0, cosC, sinC);
      const auto x = randomFloats(c.B * c.S * c.H * c.D, 7);
      const std::vector<int64_t> ids = {0, 1, 2, 9, 10, 15};
      const auto y = rotary(c, x, ids, cosC, sinC);
      // Two products and a sum in f32: within 2 ulp of the result's inputs' magnitude.
      expectClose(y, naiveRotary(x, c.B * c.S, c.H, c.D, rot, interleaved, cosC, sinC, ids), 4e-7,
                  interleaved ? "interleaved" : "neox");
      if (R)
        for (int64_t i = 0; i < int64_t(y.size()); ++i)
          if (i % c.D >= R) {
            ASSERT_EQ(y[i], x[i]) << i;
          }
    }
}

TEST(LlmKernels, RotarySameBitsForAnyThreadCount) {
  RotaryCall c{4, 512, 4, 32, 0, 600, false};  // 2048 rows of 128: split over threads
  std::vector<float> cosC, sinC;
  ropeCaches(c.P, c.D / 2, 10000.0, cosC, sinC);
  const auto x = randomFloats(c.B * c.S * c.H * c.D, 8);
  std::vector<int64_t> ids(size_t(c.B * c.S));
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = int64_t(i * 7 % 600);
  EXPECT_TRUE(sameBits(rotary(c, x, ids, cosC, sinC, 1), rotary(c, x, ids, cosC, sinC, 4)));
}

TEST(LlmKernels, RotaryErrorsNameTheNodeAndPosition) {
  RotaryCall c{1, 2, 2, 4, 0, 3, false};
  const std::vector<float> x(16, 1.f), cs(6, 1.f);
  std::string e = errorOf([&] { rotary(c, x, {0, 3}, cs, cs); });
  EXPECT_NE(e.find("RotaryEmbedding node 'test_node'"), std::string::npos) << e;
  EXPECT_NE(e.find("position_ids[0, 1] = 3"), std::string::npos) << e;
  EXPECT_NE(errorOf([&] { rotary(c, x, {-1, 0}, cs, cs); }).find("= -1"), std::string::npos);
  Tensor tx(DType::f32, {1, 2, 8}), ty(DType::f32, {1, 2, 8}), tc(DType::f32, {3, 2}), ti(DType::i64, {1, 2});
  AttrList three;
  three.i("interleaved", 0).i("num_heads", 3).i("rotary_embedding_dim", 0);
  e = errorOf([&] { runKernel("RotaryEmbedding", {&tx, &tc, &tc, &ti}, {&ty}, three); });
  EXPECT_NE(e.find("num_heads 3"), std::string::npos) << e;
  AttrList two;
  two.i("interleaved", 0).i("num_heads", 2).i("rotary_embedding_dim", 0);
  e = errorOf([&] { runKernel("RotaryEmbedding", {&tx, &tc, &tc, nullptr}, {&ty}, two); });
  EXPECT_NE(e.find("position_ids is required"), std::string::npos) << e;
  Tensor tcBad(DType::f32, {3, 4});
  e = errorOf([&] { runKernel("RotaryEmbedding", {&tx, &tcBad, &tcBad, &ti}, {&ty}, two); });
  EXPECT_NE(e.find("cos_cache must be [P, 2]"), std::string::npos) << e;
}

// ---- KVCacheAttention ----

TEST(LlmKernels, WidenHalfRowIsExactForEveryCode) {
  // The f16 caches' branch-free widening against ref's conversion: all 65536 codes
  // (zeros, subnormals, normals, infinities, NaNs), bit for bit.
  std::vector<uint16_t> codes(65536);
  for (size_t i = 0; i < codes.size(); ++i) codes[i] = uint16_t(i);
  std::vector<float> got(codes.size());
  ref::widenHalfRow(codes.data(), got.data(), int64_t(codes.size()));
  for (size_t i = 0; i < codes.size(); ++i) {
    const float want = ref::halfToFloat(codes[i]);
    ASSERT_EQ(std::memcmp(&got[i], &want, 4), 0) << "code 0x" << std::hex << i;
  }
}

struct AttnCall {
  int64_t S = 3, Hq = 4, Hkv = 2, D = 16, C = 12, pos = 5;
  float scale = 0.25f;
  int64_t window = 0;  // the attribute, left out when 0 (as the package writer leaves the default)
  int64_t ring = 0;    // likewise
  float softcap = 0.f;  // likewise
};

Tensor posTensor(int64_t pos) { return Tensor::of<int64_t>({1}, {pos}); }

std::vector<float> attention(const AttnCall &c, const std::vector<float> &q, KvCache &kv, int threads = 1,
                             const std::vector<Isa> &isas = {Isa::Ref}, Isa *chosen = nullptr) {
  Tensor tq = Tensor::of<float>({c.S, c.Hq, c.D}, q), ty(DType::f32, {c.S, c.Hq, c.D}), tp = posTensor(c.pos);
  AttrList a;
  a.f("scale", c.scale);
  if (c.window) a.i("window", c.window);
  if (c.ring) a.i("ring", c.ring);
  if (c.softcap != 0.f) a.f("softcap", c.softcap);
  std::vector<Tensor *> in = {&tq, &kv.k, &kv.v, &tp};
  if (kv.i8) in.insert(in.end(), {&kv.kScale, &kv.vScale});
  const Isa got = runKernel("KVCacheAttention", in, {&ty}, a, isas, threads);
  if (chosen) *chosen = got;
  return ty.values<float>();
}

TEST(LlmKernels, AttentionMatchesDoubleReference) {
  for (DType dt : {DType::f32, DType::f16, DType::i8})
    for (int64_t S : {3, 4}) {  // odd and even: threads take rows 0, S-1, 1, S-2, ...
      AttnCall c;
      c.S = S;
      KvCache kv = makeKvCache(dt, c.C, c.Hkv, c.D, c.pos + c.S, 11);
      const auto q = randomFloats(c.S * c.Hq * c.D, 12, -2.f, 2.f);
      const auto y = attention(c, q, kv);  // rows past pos + S - 1 are NaN: never read
      // Scores of |s| <= 8 in f32 (dot of 16): each output within 2e-6 of the exact value
      // (values of |v| <= 1).
      expectClose(y, naiveAttention(q, kv.kReal, kv.vReal, c.S, c.Hq, c.Hkv, c.D, c.pos, c.scale, kv.i8), 2e-6,
                  dtypeName(dt));
    }
}

TEST(LlmKernels, AttentionSingleRowIsItsValue) {
  // pos 0, S 1: one visible row, softmax weight 1: y = v_0 for every query head sharing it.
  AttnCall c{1, 4, 2, 8, 4, 0, 1.f};
  KvCache kv = makeKvCache(DType::f32, c.C, c.Hkv, c.D, 1, 5);
  const auto y = attention(c, randomFloats(c.Hq * c.D, 6), kv);
  for (int64_t h = 0; h < c.Hq; ++h)
    for (int64_t d = 0; d < c.D; ++d) ASSERT_EQ(y[h * c.D + d], float(kv.vReal[(h / 2) * c.C * c.D + d])) << h << " " << d;
}

// Each row s of the prefill call c: the same bits as a decode step at pos + s.
void expectPrefillEqualsDecodeSteps(const AttnCall &c, const std::vector<float> &q, KvCache &kv) {
  const auto all = attention(c, q, kv);
  for (int64_t s = 0; s < c.S; ++s) {
    AttnCall step = c;
    step.S = 1;
    step.pos = c.pos + s;
    const std::vector<float> qs(q.begin() + s * c.Hq * c.D, q.begin() + (s + 1) * c.Hq * c.D);
    const std::vector<float> part(all.begin() + s * c.Hq * c.D, all.begin() + (s + 1) * c.Hq * c.D);
    EXPECT_TRUE(sameBits(attention(step, qs, kv), part)) << "window " << c.window << " row " << s;
  }
}

TEST(LlmKernels, AttentionPrefillEqualsDecodeSteps) {
  // Row s of a prefill at pos sees rows 0 .. pos + s: the same as a decode step at pos + s.
  AttnCall c{5, 6, 3, 16, 20, 4, 0.25f};
  KvCache kv = makeKvCache(DType::f16, c.C, c.Hkv, c.D, c.pos + c.S, 21);
  expectPrefillEqualsDecodeSteps(c, randomFloats(c.S * c.Hq * c.D, 22), kv);
}

TEST(LlmKernels, AttentionSameBitsForAnyThreadCount) {
  AttnCall c{7, 8, 2, 32, 1200, 1100, 0.2f};  // long enough to wake a thread per item
  KvCache kv = makeKvCache(DType::f32, c.C, c.Hkv, c.D, c.pos + c.S, 31);
  const auto q = randomFloats(c.S * c.Hq * c.D, 32);
  const auto one = attention(c, q, kv, 1);
  EXPECT_TRUE(sameBits(one, attention(c, q, kv, 3)));
  EXPECT_TRUE(sameBits(one, attention(c, q, kv, 8)));
}

// ---- The sliding window (attribute `window`, Gemma 3's local layers): query row s attends
// rows max(0, pos + s - W + 1) .. pos + s. The cache rows below the first query row's
// window hold NaN, so a kernel that reads them (ignores the window) fails. ----

// The first cache row the first query row of c attends, by the rule's own arithmetic.
int64_t firstRowOf(const AttnCall &c) { return c.window > 0 ? std::max<int64_t>(0, c.pos - c.window + 1) : 0; }

TEST(LlmKernels, AttentionWindowMatchesDoubleReference) {
  // Windows smaller than, equal to and larger than pos + S (the rows the last query row
  // sees); decode and prefill; 1, 2 and 4 query heads a KV head.
  const AttnCall calls[] = {
      {1, 4, 2, 16, 40, 20, 0.25f, 1},   // one row: the query's own
      {1, 4, 2, 16, 40, 20, 0.25f, 4},   // rows 17 .. 20
      {1, 4, 1, 16, 40, 20, 0.25f, 21},  // = pos + 1: every row, as without a window
      {1, 4, 4, 16, 40, 20, 0.25f, 30},  // larger than the rows
      {5, 4, 2, 16, 40, 10, 0.25f, 1},   // prefill: each row its own
      {5, 4, 1, 16, 40, 10, 0.25f, 3},   // rows s + 8 .. s + 10
      {5, 8, 2, 16, 40, 10, 0.25f, 15},  // = pos + S: cuts no query row's rows
      {5, 4, 2, 16, 40, 10, 0.25f, 12},  // cuts the rows of query rows 2 .. 4 only
      {6, 4, 2, 16, 40, 0, 0.25f, 4},    // from position 0: the first rows inside the window
      {4, 4, 2, 24, 40, 30, 0.2f, 100},  // larger than the cache
  };
  for (DType dt : {DType::f32, DType::f16, DType::i8})
    for (const AttnCall &c : calls) {
      KvCache kv = makeKvCache(dt, c.C, c.Hkv, c.D, c.pos + c.S, 51, firstRowOf(c));
      const auto q = randomFloats(c.S * c.Hq * c.D, 52, -2.f, 2.f);
      const std::string what = std::string(dtypeName(dt)) + " S=" + std::to_string(c.S) +
                               " pos=" + std::to_string(c.pos) + " window=" + std::to_string(c.window);
      const auto y = attention(c, q, kv);
      expectClose(y, naiveAttention(q, kv.kReal, kv.vReal, c.S, c.Hq, c.Hkv, c.D, c.pos, c.scale, kv.i8, c.window),
                  2e-6, what);
      // The window takes effect whenever it cuts a row's rows: then the result is not the
      // unwindowed one (computed on a cache without NaN rows).
      if (c.window < c.pos + c.S) {
        KvCache full = makeKvCache(dt, c.C, c.Hkv, c.D, c.pos + c.S, 51);
        AttnCall none = c;
        none.window = 0;
        EXPECT_FALSE(sameBits(y, attention(none, q, full))) << what;
      }
    }
}

// ---- Soft-capped scores (attribute `softcap`, Gemma 2): softcap tanh(x / softcap) of each
// scaled score x before the softmax. ----
TEST(LlmKernels, AttentionSoftcapMatchesDoubleReference) {
  // A cap of 2 against scores of a few units bends every score (a kernel that ignored it is
  // far off); Gemma 2's 50 with its queries pre-scaled (scale 1) against large scores; with
  // a window (Gemma 2's local layers).
  AttnCall calls[] = {{1, 4, 2, 16, 40, 20, 0.5f}, {5, 4, 1, 16, 40, 10, 0.5f}, {3, 8, 4, 32, 60, 40, 1.f},
                      {4, 4, 2, 16, 40, 20, 0.5f, 6}};
  const float caps[] = {2.f, 2.f, 50.f, 2.f};
  for (DType dt : {DType::f32, DType::f16, DType::i8})
    for (size_t i = 0; i < std::size(calls); ++i) {
      AttnCall c = calls[i];
      c.softcap = caps[i];
      KvCache kv = makeKvCache(dt, c.C, c.Hkv, c.D, c.pos + c.S, 61, firstRowOf(c));
      const auto q = randomFloats(c.S * c.Hq * c.D, 62, -4.f, 4.f);
      const std::string what = std::string(dtypeName(dt)) + " S=" + std::to_string(c.S) + " cap " +
                               std::to_string(c.softcap);
      const auto y = attention(c, q, kv);
      expectClose(y,
                  naiveAttention(q, kv.kReal, kv.vReal, c.S, c.Hq, c.Hkv, c.D, c.pos, c.scale, kv.i8, c.window,
                                 c.softcap),
                  4e-6, what);
      AttnCall uncapped = c;
      uncapped.softcap = 0.f;
      const auto plain = attention(uncapped, q, kv);
      float most = 0.f;
      for (size_t e = 0; e < y.size(); ++e) most = std::max(most, std::fabs(y[e] - plain[e]));
      EXPECT_GT(most, 1e-3f) << what << ": the cap changes the result";
    }
}

TEST(LlmKernels, AttentionRefusesABadSoftcap) {
  AttnCall c{1, 4, 2, 8, 8, 3, 1.f};
  KvCache kv = makeKvCache(DType::f32, c.C, c.Hkv, c.D, c.pos + c.S, 63);
  for (float bad : {-1.f, std::numeric_limits<float>::infinity()}) {
    c.softcap = bad;
    const std::string e = errorOf([&] { attention(c, randomFloats(c.Hq * c.D, 64), kv); });
    EXPECT_NE(e.find("KVCacheAttention node 'test_node'"), std::string::npos) << e;
    EXPECT_NE(e.find("softcap must be 0 (none) or a finite cap > 0"), std::string::npos) << e;
  }
}

TEST(LlmKernels, AttentionWindowOfOneIsTheRowsOwnValue) {
  // window = 1: query row s sees only cache row pos + s, softmax weight 1: y = v_{pos+s}.
  AttnCall c{4, 4, 2, 8, 16, 6, 1.f, 1};
  KvCache kv = makeKvCache(DType::f32, c.C, c.Hkv, c.D, c.pos + c.S, 53, c.pos);
  const auto y = attention(c, randomFloats(c.S * c.Hq * c.D, 54), kv);
  for (int64_t s = 0; s < c.S; ++s)
    for (int64_t h = 0; h < c.Hq; ++h)
      for (int64_t d = 0; d < c.D; ++d)
        ASSERT_EQ(y[(s * c.Hq + h) * c.D + d], float(kv.vReal[((h / 2) * c.C + c.pos + s) * c.D + d]))
            << s << " " << h << " " << d;
}

TEST(LlmKernels, AttentionWindowPrefillEqualsDecodeSteps) {
  // Row s of a windowed prefill: the same bits as a decode step at pos + s, same window.
  for (int64_t window : {2, 5, 9}) {
    AttnCall c{6, 6, 3, 16, 20, 4, 0.25f, window};
    KvCache kv = makeKvCache(DType::f16, c.C, c.Hkv, c.D, c.pos + c.S, 55, firstRowOf(c));
    expectPrefillEqualsDecodeSteps(c, randomFloats(c.S * c.Hq * c.D, 56), kv);
  }
}

TEST(LlmKernels, AttentionWindowSameBitsForAnyThreadCount) {
  AttnCall c{7, 8, 2, 32, 1200, 1100, 0.2f, 300};
  KvCache kv = makeKvCache(DType::f32, c.C, c.Hkv, c.D, c.pos + c.S, 57, firstRowOf(c));
  const auto q = randomFloats(c.S * c.Hq * c.D, 58);
  const auto one = attention(c, q, kv, 1);
  EXPECT_TRUE(sameBits(one, attention(c, q, kv, 3)));
  EXPECT_TRUE(sameBits(one, attention(c, q, kv, 8)));
}

// ---- Mirrored rings (attribute `ring`: a local layer's cache of 2R rows, written by
// KVCacheRingWrite): a call reads the same positions as from a cache of every position,
// so the same bits, at every position of three rounds of the ring. ----

TEST(LlmKernels, AttentionOverARingEqualsTheWholeCache) {
  const int64_t W = 5, chunk = 3, R = W + 2 * chunk - 1;  // the compiler's ring for that window and chunk
  for (DType dt : {DType::f32, DType::f16, DType::i8}) {
    KvCache full = makeKvCache(dt, 80, 2, 16, 80, 61);
    for (int64_t S : {int64_t(1), chunk})
      for (int64_t pos = 0; pos + S <= 3 * R + 4; ++pos) {
        AttnCall c{S, 4, 2, 16, 80, pos, 0.25f, W};
        const auto q = randomFloats(S * c.Hq * c.D, uint32_t(62 + pos));
        KvCache ring = ringOf(full, R, pos + S, chunk);
        AttnCall rc = c;
        rc.C = 2 * R;
        rc.ring = R;
        ASSERT_TRUE(sameBits(attention(rc, q, ring), attention(c, q, full)))
            << dtypeName(dt) << " S=" << S << " pos=" << pos;
      }
  }
}

TEST(LlmKernels, RingWriteMirrorsEachPosition) {
  // Position t's row at t mod R and t mod R + R, whatever call wrote it.
  const int64_t R = 7, H = 2, D = 3;
  KvCache full = makeKvCache(DType::f32, 40, H, D, 40, 63);
  KvCache ring = ringOf(full, R, 23, 4);
  const float *f = full.k.view().as<float>(), *r = ring.k.view().as<float>();
  for (int64_t h = 0; h < H; ++h)
    for (int64_t t = 23 - R; t < 23; ++t)
      for (int64_t copy : {t % R, t % R + R})
        for (int64_t d = 0; d < D; ++d)
          ASSERT_EQ(r[(h * 2 * R + copy) * D + d], f[(h * 40 + t) * D + d]) << h << " " << t << " " << copy;
}

TEST(LlmKernels, RingErrorsNameTheProblem) {
  AttrList a;
  a.i("ring", 4);
  Tensor cache(DType::f32, {2, 8, 3}), rows(DType::f32, {2, 5, 3}), odd(DType::f32, {2, 7, 3}),
      pos = Tensor::of<int64_t>({1}, {0}), neg = Tensor::of<int64_t>({1}, {-1}), ok(DType::f32, {2, 4, 3});
  std::string e = errorOf([&] { runKernel("KVCacheRingWrite", {&cache, &rows, &pos}, {&cache}, a); });
  EXPECT_NE(e.find("rows [2,5,3] do not fit a ring of 4 rows in [2,8,3]"), std::string::npos) << e;
  e = errorOf([&] { runKernel("KVCacheRingWrite", {&odd, &ok, &pos}, {&odd}, a); });
  EXPECT_NE(e.find("do not fit a ring of 4 rows in [2,7,3]"), std::string::npos) << e;
  e = errorOf([&] { runKernel("KVCacheRingWrite", {&cache, &ok, &neg}, {&cache}, a); });
  EXPECT_NE(e.find("KVCacheRingWrite node 'test_node': position -1 is negative"), std::string::npos) << e;
  // Attention: a ring needs a window, caches of 2R rows and S + window - 1 <= R.
  KvCache kv = makeKvCache(DType::f32, 8, 2, 16, 8, 64);
  const auto q = randomFloats(3 * 4 * 16, 65);
  AttnCall c{3, 4, 2, 16, 8, 0, 0.25f, 0, 4};
  e = errorOf([&] { attention(c, q, kv); });
  EXPECT_NE(e.find("a ring of 4 rows needs a window"), std::string::npos) << e;
  c.window = 3;  // 3 + 3 - 1 > 4
  e = errorOf([&] { attention(c, q, kv); });
  EXPECT_NE(e.find("S + window - 1 <= ring (S 3, window 3, cache rows 8)"), std::string::npos) << e;
}

TEST(LlmKernels, AttentionRefusesANegativeWindow) {
  AttnCall c{1, 4, 2, 8, 8, 3, 1.f, -2};
  KvCache kv = makeKvCache(DType::f32, c.C, c.Hkv, c.D, c.pos + c.S, 59);
  const std::string e = errorOf([&] { attention(c, randomFloats(c.Hq * c.D, 60), kv); });
  EXPECT_NE(e.find("KVCacheAttention node 'test_node'"), std::string::npos) << e;
  EXPECT_NE(e.find("window must be 0 (no window) or > 0, got -2"), std::string::npos) << e;
}

TEST(LlmKernels, AttentionPositionErrorsNameNodePositionAndCache) {
  AttnCall c{3, 2, 1, 8, 10, 8, 1.f};  // rows up to 8 + 2 = 10: one past the cache
  KvCache kv = makeKvCache(DType::f32, c.C, c.Hkv, c.D, c.C, 41);
  const auto q = randomFloats(c.S * c.Hq * c.D, 42);
  std::string e = errorOf([&] { attention(c, q, kv); });
  EXPECT_NE(e.find("KVCacheAttention node 'test_node'"), std::string::npos) << e;
  EXPECT_NE(e.find("position 8 with 3 query rows"), std::string::npos) << e;
  EXPECT_NE(e.find("the cache holds 10 rows"), std::string::npos) << e;
  c.pos = 7;  // the last position that fits
  EXPECT_EQ(errorOf([&] { attention(c, q, kv); }), "");
  c.pos = -1;
  EXPECT_NE(errorOf([&] { attention(c, q, kv); }).find("position -1"), std::string::npos);
  c.pos = std::numeric_limits<int64_t>::max();  // no overflow in the check
  EXPECT_NE(errorOf([&] { attention(c, q, kv); }).find("the cache holds 10 rows"), std::string::npos);
}

TEST(LlmKernels, AttentionRefusesBadSignatures) {
  AttrList a;
  a.f("scale", 1.f);
  Tensor q(DType::f32, {1, 3, 8}), y(DType::f32, {1, 3, 8}), p = posTensor(0);
  Tensor k(DType::f32, {2, 4, 8}), v(DType::f32, {2, 4, 8}), vh(DType::f16, {2, 4, 8});
  auto fails = [&](std::vector<Tensor *> in, Tensor &out, const char *what) {
    const std::string e = errorOf([&] { runKernel("KVCacheAttention", in, {&out}, a); });
    EXPECT_NE(e.find("node 'test_node'"), std::string::npos) << e;
    EXPECT_NE(e.find(what), std::string::npos) << e;
  };
  fails({&q, &k, &v, &p}, y, "query heads 3 are not a multiple of KV heads 2");
  fails({&q, &k, &vh, &p}, y, "V cache: dtype f16 differs from f32");
  Tensor q2(DType::f32, {1, 2, 4}), y2(DType::f32, {1, 2, 4});
  fails({&q2, &k, &v, &p}, y2, "head size 8 differs from Q's 4");
  Tensor q4(DType::f32, {1, 4, 8}), y4(DType::f32, {1, 4, 8}), k8(DType::i8, {2, 4, 8}), v8(DType::i8, {2, 4, 8});
  fails({&q4, &k8, &v8, &p}, y4, "i8 caches need K scales and V scales");
  Tensor ks(DType::f32, {2, 4});
  fails({&q4, &k, &v, &p, &ks, &ks}, y4, "cache scales are only for i8 caches");
  Tensor pi(DType::i32, {1});
  fails({&q4, &k, &v, &pi}, y4, "unsupported dtype i32 for pos");
  Tensor ku(DType::u8, {2, 4, 8});
  fails({&q4, &ku, &ku, &p}, y4, "unsupported dtype u8 for the K cache");
  // Heads past 1024 would let an i8 dot (the query's codes too) outgrow f32's integers.
  Tensor qw(DType::f32, {1, 2, 1040}), yw(DType::f32, {1, 2, 1040}), kw(DType::i8, {2, 4, 1040});
  fails({&qw, &kw, &kw, &p, &ks, &ks}, yw, "i8 caches take heads of up to 1024 elements");
}

}  // namespace
// ---- DynamicQuantizeRows (an int8 KV cache's step) ----

// Each row: scale = max|x| / 127, codes = round-half-even(x / scale) in [-127, 127],
// computed here in double from the definition; an all-zero row has scale 0 and codes 0.
TEST(LlmKernels, QuantizeRowsMatchesTheDefinition) {
  const int64_t rows = 37, D = 24;
  auto x = randomFloats(rows * D, 11, -4.f, 4.f);
  for (int64_t d = 0; d < D; ++d) x[size_t(5 * D + d)] = 0.f;  // an all-zero row
  x[size_t(7 * D)] = -9.f;                                      // a row whose max is negative
  for (int threads : {1, 3}) {
    Tensor tx = Tensor::of<float>({rows / 37, 37, D}, x), ty(DType::i8, {1, rows, D}), ts(DType::f32, {1, rows});
    AttrList none;
    runKernel("DynamicQuantizeRows", {&tx}, {&ty, &ts}, none, {Isa::Ref}, threads);
    const auto codes = ty.values<int8_t>();
    const auto scales = ts.values<float>();
    for (int64_t r = 0; r < rows; ++r) {
      float amax = 0.f;
      for (int64_t d = 0; d < D; ++d) amax = std::max(amax, std::fabs(x[size_t(r * D + d)]));
      const float scale = amax / 127.f;
      ASSERT_EQ(scales[size_t(r)], scale) << r;
      for (int64_t d = 0; d < D; ++d) {
        const double q = scale > 0 ? std::nearbyint(double(x[size_t(r * D + d)] / scale)) : 0.0;
        ASSERT_EQ(codes[size_t(r * D + d)], int8_t(std::max(-127.0, std::min(127.0, q)))) << r << " " << d;
      }
    }
    EXPECT_EQ(codes[size_t(7 * D)], -127);
    EXPECT_EQ(scales[5], 0.f);
  }
}

TEST(LlmKernels, QuantizeRowsRefusesBadShapes) {
  Tensor x(DType::f32, {3, 8}), y(DType::i8, {3, 8}), s(DType::f32, {8}), yf(DType::f32, {3, 8}), s3(DType::f32, {3});
  AttrList none;
  EXPECT_NE(errorOf([&] { runKernel("DynamicQuantizeRows", {&x}, {&y, &s}, none); }).find("scales"),
            std::string::npos);
  EXPECT_NE(errorOf([&] { runKernel("DynamicQuantizeRows", {&x}, {&yf, &s3}, none); }).find("node 'test_node'"),
            std::string::npos);
}

}  // namespace edgec::rt::testing
