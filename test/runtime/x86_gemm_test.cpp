// The x86 f32 Gemm and MatMul (x86/gemm_f32_driver.inc) at each x86 level the CPU has,
// against the ref kernels and a double-precision naive product: tile tails in M, N and K
// (M = 1, K = 1, K = 0, sizes that are no multiple of the 6x16 / 8x48 tiles), several K
// blocks (K > 256), row and column blocks (M > 96, N > 768), transposes, alpha and beta, C
// broadcast along rows, columns or both, fused Relu/Clip, batches folded into one GEMM or
// not ([B, M, K] x [K, N], [B, M, K] x [B, K, N], broadcast batches, 1-D operands), with B
// a package constant (packed at prepare) or not (packed per run, or read in place when
// M = 1). Bound: |x86 - expected| <= 1e-4 · max(1, |expected|) against both (products of
// values in [-1, 1], K up to 1030). Every case also runs at 2 and 3 threads and must give
// the 1-thread bits.
#include <cstring>

#include "naive_ops.h"

namespace edgec::rt::testing {
namespace {

constexpr float kRtol = 1e-4f;

// Prepares `op` among `isas` with B (and C) constant or not, runs it at `threads` threads
// (scratch filled with NaNs, twice so a run cannot rely on what the last one left).
std::vector<float> runGemmKernel(const std::string &op, const std::vector<Tensor *> &inputs,
                                 const std::vector<int64_t> &yShape, AttrList &attrs, const std::vector<Isa> &isas,
                                 bool constB, int threads, Isa *chosen) {
  static const TensorView absent;
  Tensor y(DType::f32, yShape);
  KernelSignature sig;
  sig.op = op;
  sig.node = "test_node";
  sig.attrs = attrs.attrs();
  std::vector<const TensorView *> in;
  for (size_t i = 0; i < inputs.size(); ++i) {
    sig.inputs.push_back(inputs[i] ? &inputs[i]->view() : nullptr);
    sig.input_is_constant.push_back(constB && i >= 1);
    in.push_back(inputs[i] ? &inputs[i]->view() : &absent);
  }
  sig.outputs = {&y.view()};
  std::unique_ptr<Kernel> k = KernelRegistry::instance().create(sig, isas, chosen);
  k->prepare(sig);
  for (int r = 0; r < 2; ++r) runPrepared(*k, in, {&y.view()}, threads);
  return y.values<float>();
}

// Runs the x86 kernel of every level (B constant and not, 1, 2 and 3 threads) and checks
// it against `ref` and `naive`.
void checkLevels(const std::string &op, const std::vector<Tensor *> &inputs, const std::vector<int64_t> &yShape,
                 AttrList &attrs, const std::vector<float> &ref, const std::vector<float> &naive,
                 const std::string &what) {
  for (const IsaLevel &level : x86Levels(false)) {
    for (bool constB : {false, true}) {
      const std::string name = what + " " + level.name + (constB ? " const B" : " B at run time");
      Isa chosen = Isa::Ref;
      const std::vector<float> y1 = runGemmKernel(op, inputs, yShape, attrs, level.isas, constB, 1, &chosen);
      EXPECT_EQ(chosen, level.expect) << name;
      expectNear(y1, ref, kRtol, name + " vs ref");
      expectNear(y1, naive, kRtol, name + " vs naive");
      for (int threads : {2, 3})
        EXPECT_TRUE(sameBits(runGemmKernel(op, inputs, yShape, attrs, level.isas, constB, threads, &chosen), y1))
            << name << ": " << threads << " threads differ from 1";
    }
  }
}

float clampAct(float v, const std::string &act, float lo, float hi) {
  if (act == "Relu") return v < 0.f ? 0.f : v;
  if (act == "Clip") return v < lo ? lo : v > hi ? hi : v;
  return v;
}

class X86Gemm : public ::testing::Test {
protected:
  void SetUp() override {
    if (x86Levels(false).empty()) GTEST_SKIP() << "CPU lacks AVX2/FMA";
  }
};

TEST_F(X86Gemm, MatchesRefAndNaive) {
  struct Case {
    int64_t M, N, K;
    bool transA, transB;
    float alpha, beta;
    std::vector<int64_t> c;  // {-1}: no C
    const char *act;
  };
  const Case cases[] = {
      {1, 1000, 1280, false, true, 1.f, 1.f, {1000}, ""},  // a classifier head: one row
      {1, 37, 19, true, false, 0.5f, 1.f, {1, 37}, "Relu"},
      {1, 9, 4, false, false, 1.f, 2.f, {1}, "Clip"},
      {1, 50, 37, false, true, 0.7f, 0.5f, {1, 50}, ""},   // one row, B transposed: dot products
      {17, 23, 31, true, false, 0.7f, 1.3f, {17, 1}, "Relu"},
      {8, 5, 12, true, true, 1.f, -2.f, {}, ""},
      {33, 65, 20, false, false, 1.f, 0.f, {33, 65}, "Clip"},
      {6, 6, 6, false, true, 2.f, 1.f, {-1}, ""},
      {2, 49, 7, false, false, 1.f, 1.f, {49}, "Relu"},     // rows below both tiles
      {7, 17, 1, false, true, -1.f, 1.f, {7, 17}, ""},      // K = 1
      {5, 3, 0, false, false, 1.f, 0.5f, {5, 3}, "Relu"},   // K = 0: beta·C only
      {9, 97, 300, false, false, 1.f, 1.f, {97}, "Clip"},   // two K blocks
      {100, 53, 513, true, true, 0.25f, 1.f, {100, 1}, ""},  // three K blocks, two row blocks
      {130, 800, 70, false, true, 1.f, -1.f, {130, 800}, "Relu"},  // two column blocks
      {13, 96, 64, false, false, 1.f, 1.f, {1, 96}, ""},    // whole tiles at both widths
  };
  uint32_t seed = 7000;
  for (const Case &g : cases) {
    const bool hasC = g.c != std::vector<int64_t>{-1};
    const std::vector<float> a = randomFloats(g.M * g.K, seed++), b = randomFloats(g.K * g.N, seed++);
    const std::vector<float> c = hasC ? randomFloats(numelOf(g.c), seed++) : std::vector<float>{};
    Tensor ta = Tensor::of<float>(g.transA ? std::vector<int64_t>{g.K, g.M} : std::vector<int64_t>{g.M, g.K}, a);
    Tensor tb = Tensor::of<float>(g.transB ? std::vector<int64_t>{g.N, g.K} : std::vector<int64_t>{g.K, g.N}, b);
    Tensor tc = Tensor::of<float>(hasC ? g.c : std::vector<int64_t>{0}, c);
    AttrList attrs;
    attrs.i("transA", g.transA).i("transB", g.transB).f("alpha", g.alpha).f("beta", g.beta);
    if (*g.act) attrs.s("activation", g.act);
    if (std::string(g.act) == "Clip") attrs.f("act_min", -1.f).f("act_max", 1.5f);
    const std::vector<Tensor *> inputs = {&ta, &tb, hasC ? &tc : nullptr};

    Tensor yRef(DType::f32, {g.M, g.N});
    runKernel("Gemm", inputs, {&yRef}, attrs);
    // The naive product in double: C broadcast as numpy does.
    std::vector<float> naive(size_t(g.M * g.N));
    const std::vector<int64_t> cs = hasC ? g.c : std::vector<int64_t>{};
    for (int64_t i = 0; i < g.M; ++i)
      for (int64_t j = 0; j < g.N; ++j) {
        double s = 0;
        for (int64_t k = 0; k < g.K; ++k)
          s += double(a[g.transA ? k * g.M + i : i * g.K + k]) * b[g.transB ? j * g.K + k : k * g.N + j];
        s *= g.alpha;
        if (hasC && g.beta != 0.f) {
          int64_t ci = 0;
          if (cs.size() == 2) ci = (cs[0] == 1 ? 0 : i) * cs[1] + (cs[1] == 1 ? 0 : j);
          if (cs.size() == 1) ci = cs[0] == 1 ? 0 : j;
          s += double(g.beta) * c[ci];
        }
        naive[i * g.N + j] = clampAct(float(s), g.act, -1.f, 1.5f);
      }
    checkLevels("Gemm", inputs, {g.M, g.N}, attrs, yRef.values<float>(), naive,
                "Gemm " + std::to_string(g.M) + "x" + std::to_string(g.N) + "x" + std::to_string(g.K));
  }
}

TEST_F(X86Gemm, MatMulMatchesRefAndNaive) {
  struct Case {
    std::vector<int64_t> a, b;
    const char *act;
  };
  const Case cases[] = {
      {{64, 96}, {96, 48}, ""},
      {{2, 3, 17, 9}, {9, 5}, "Relu"},           // a batch of A against one B: one taller GEMM
      {{37, 1, 40}, {40, 70}, "Relu"},           // ... of single rows (sequence-first)
      {{2, 1, 7, 9}, {3, 9, 4}, ""},             // broadcast batches
      {{9}, {4, 9, 6}, ""},                      // 1-D A: one row per batch
      {{5, 9}, {9}, "Clip"},                     // 1-D B: one column
      {{13}, {13}, ""},
      {{1, 1, 8}, {3, 8, 1}, ""},
      {{4, 33, 65}, {4, 65, 31}, ""},            // a batch of B matrices
      {{3, 1, 300}, {3, 300, 70}, "Relu"},       // one row per batch, two K blocks
      {{2, 128, 64}, {2, 64, 128}, ""},          // attention scores
      {{2, 4, 128, 32}, {2, 4, 32, 128}, "Clip"},
      {{97, 1}, {1, 50}, ""},                    // K = 1
      {{200, 520}, {520, 1000}, "Relu"},         // row, column and K blocks at once
      {{3, 40, 1030}, {1030, 7}, ""},            // folded, five K blocks, one narrow panel
  };
  uint32_t seed = 8000;
  for (const Case &m : cases) {
    const std::vector<float> a = randomFloats(numelOf(m.a), seed++), b = randomFloats(numelOf(m.b), seed++);
    std::vector<int64_t> ys;
    std::vector<float> naive = naiveMatMul(m.a, a, m.b, b, &ys);
    for (float &v : naive) v = clampAct(v, m.act, -1.f, 1.5f);
    Tensor ta = Tensor::of<float>(m.a, a), tb = Tensor::of<float>(m.b, b);
    AttrList attrs;
    if (*m.act) attrs.s("activation", m.act);
    if (std::string(m.act) == "Clip") attrs.f("act_min", -1.f).f("act_max", 1.5f);
    Tensor yRef(DType::f32, ys);
    runKernel("MatMul", {&ta, &tb}, {&yRef}, attrs);
    std::string name = "MatMul";
    for (int64_t d : m.a) name += " " + std::to_string(d);
    name += " x";
    for (int64_t d : m.b) name += " " + std::to_string(d);
    checkLevels("MatMul", {&ta, &tb}, ys, attrs, yRef.values<float>(), naive, name);
  }
}

// A NaN or an infinity in A reaches exactly the outputs of its row, as in ref (the clamp
// keeps NaN); beta = 0 ignores an infinite C.
TEST_F(X86Gemm, NonFiniteValues) {
  const int64_t M = 10, N = 20, K = 300;
  std::vector<float> a = randomFloats(M * K, 1), b = randomFloats(K * N, 2), c(size_t(M * N), 0.f);
  a[3 * K + 290] = std::numeric_limits<float>::quiet_NaN();
  a[5 * K + 7] = std::numeric_limits<float>::infinity();
  c[0] = std::numeric_limits<float>::infinity();
  Tensor ta = Tensor::of<float>({M, K}, a), tb = Tensor::of<float>({K, N}, b), tc = Tensor::of<float>({M, N}, c);
  AttrList attrs;
  attrs.i("transA", 0).i("transB", 0).f("alpha", 1.f).f("beta", 0.f).s("activation", "Relu");
  Tensor yRef(DType::f32, {M, N});
  runKernel("Gemm", {&ta, &tb, &tc}, {&yRef}, attrs);
  const std::vector<float> ref = yRef.values<float>();
  for (const IsaLevel &level : x86Levels(false))
    for (bool constB : {false, true}) {
      Isa chosen;
      const std::vector<float> y = runGemmKernel("Gemm", {&ta, &tb, &tc}, {M, N}, attrs, level.isas, constB, 1, &chosen);
      for (int64_t i = 0; i < M * N; ++i) {
        if (std::isnan(ref[i]))
          EXPECT_TRUE(std::isnan(y[i])) << level.name << " at " << i;
        else if (std::isinf(ref[i]))
          EXPECT_EQ(y[i], ref[i]) << level.name << " at " << i;
        else
          EXPECT_NEAR(y[i], ref[i], kRtol * std::max(1.f, std::fabs(ref[i]))) << level.name << " at " << i;
      }
      EXPECT_TRUE(std::isnan(y[3 * N]));
      EXPECT_FALSE(std::isinf(y[0]));
    }
}

}  // namespace
}  // namespace edgec::rt::testing
