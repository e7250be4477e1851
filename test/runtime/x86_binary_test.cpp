// The AVX2 f32 broadcasting binary ops (x86/binary_f32_avx2.cpp): Add, Sub, Mul, Div,
// Max, Min against ref, bit for bit, over every broadcast pattern the plan produces (same
// shape, scalar on either side, per-channel, row, column, both sides broadcast, general),
// run lengths with and without a tail, at 1 and 2 threads; Max/Min with NaNs and signed
// zeros; and the calls the accepts predicate must leave to ref. Skipped without AVX2/FMA.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "kernel_test_util.h"
#include "x86_timing_util.h"

namespace edgec::rt::testing {
namespace {

const std::vector<Isa> kAvx2 = {Isa::Ref, Isa::X86Avx2};

std::vector<int64_t> broadcastOf(const std::vector<int64_t> &a, const std::vector<int64_t> &b) {
  const size_t r = std::max(a.size(), b.size());
  std::vector<int64_t> y(r);
  for (size_t i = 0; i < r; ++i) {
    const int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
    const int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
    y[i] = da == 1 ? db : da;
  }
  return y;
}

// Runs `op` on (a, b) with the given ISAs and threads; returns the output and the ISA.
std::vector<float> binary(const char *op, const std::vector<int64_t> &sa, const std::vector<float> &va,
                          const std::vector<int64_t> &sb, const std::vector<float> &vb,
                          const std::vector<Isa> &isas, int threads, Isa *chosen = nullptr) {
  Tensor a = Tensor::of<float>(sa, va), b = Tensor::of<float>(sb, vb);
  Tensor y(DType::f32, broadcastOf(sa, sb));
  AttrList none;
  const Isa isa = runKernel(op, {&a, &b}, {&y}, none, isas, threads);
  if (chosen) *chosen = isa;
  return y.values<float>();
}

struct Case {
  std::vector<int64_t> a, b;
  const char *what;
};

const std::vector<Case> kCases = {
    {{37}, {37}, "same shape, 4 runs + tail"},
    {{2, 3, 40, 41}, {2, 3, 40, 41}, "same shape, over threads"},
    {{3, 5, 7}, {}, "scalar b (rank 0)"},
    {{1}, {4, 5, 6}, "scalar a"},
    {{2, 16, 9, 9}, {2, 16, 1, 1}, "per-channel SE [N,C,1,1]"},
    {{1, 32, 56, 56}, {1, 32, 1, 1}, "per-channel, over threads"},
    {{8, 1, 1}, {8, 13, 11}, "per-channel on a"},
    {{1, 24, 7, 7}, {24, 1, 1}, "per-channel bias [C,1,1]"},
    {{6, 100}, {100}, "row broadcast [D]"},
    {{300, 257}, {1, 257}, "row broadcast, over threads"},
    {{5}, {9, 5}, "row broadcast on a, short rows"},
    {{12, 33}, {12, 1}, "column [M,1]"},
    {{7, 1}, {1, 19}, "outer product"},
    {{2, 1, 3, 1, 5}, {1, 4, 1, 6, 5}, "general"},
    {{3, 1, 8}, {3, 4, 1}, "general, alternating"},
    {{1, 1, 1}, {1}, "single element"},
    {{4, 0, 3}, {3}, "empty"},
};

TEST(BinaryKernelsX86, EveryPatternBitIdenticalToRef) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  uint32_t seed = 1;
  for (const char *op : {"Add", "Sub", "Mul", "Div", "Max", "Min"}) {
    for (const Case &c : kCases) {
      const auto va = randomFloats(numelOf(c.a), seed++, -2.f, 2.f);
      auto vb = randomFloats(numelOf(c.b), seed++, -2.f, 2.f);
      const auto want = binary(op, c.a, va, c.b, vb, {Isa::Ref}, 1);
      for (int threads : {1, 2}) {
        Isa isa = Isa::Ref;
        const auto got = binary(op, c.a, va, c.b, vb, kAvx2, threads, &isa);
        EXPECT_EQ(isa, Isa::X86Avx2) << op << " " << c.what;
        EXPECT_TRUE(sameBits(got, want)) << op << " " << c.what << " threads " << threads;
      }
    }
  }
}

TEST(BinaryKernelsX86, SpecialValuesAsRef) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  // Every pair of these values, a's NaN with another payload than b's.
  float nanA;
  const uint32_t payload = 0x7fc00123;
  std::memcpy(&nanA, &payload, 4);
  const std::vector<float> vals = {nanA, nan, inf, -inf, 0.f, -0.f, 1.f, -1.f, 3.5f, 1e-40f};
  std::vector<float> va, vb;
  for (float x : vals)
    for (float z : vals) va.push_back(x), vb.push_back(z);
  const std::vector<int64_t> s = {int64_t(va.size())};
  for (const char *op : {"Add", "Sub", "Mul", "Div", "Max", "Min"}) {
    const auto want = binary(op, s, va, s, vb, {Isa::Ref}, 1);
    const auto got = binary(op, s, va, s, vb, kAvx2, 1);
    for (size_t i = 0; i < va.size(); ++i) {
      if (std::isnan(want[i])) {
        EXPECT_TRUE(std::isnan(got[i])) << op << "(" << va[i] << ", " << vb[i] << ")";
        continue;
      }
      uint32_t g, w;
      std::memcpy(&g, &got[i], 4);
      std::memcpy(&w, &want[i], 4);
      EXPECT_EQ(g, w) << op << "(" << va[i] << ", " << vb[i] << ")";
    }
  }
  // Max/Min: ref's NaN rule keeps the payload of the NaN that wins (a's when both are).
  const auto mx = binary("Max", s, va, s, vb, kAvx2, 1), mxRef = binary("Max", s, va, s, vb, {Isa::Ref}, 1);
  const auto mn = binary("Min", s, va, s, vb, kAvx2, 1), mnRef = binary("Min", s, va, s, vb, {Isa::Ref}, 1);
  EXPECT_TRUE(sameBits(mx, mxRef));
  EXPECT_TRUE(sameBits(mn, mnRef));
  // Hand-checked: max(-0, +0) keeps a's -0; max(1, NaN) is NaN; min(NaN, 1) is NaN.
  const auto h = binary("Max", {3}, {-0.f, 1.f, nan}, {3}, {0.f, nan, 1.f}, kAvx2, 1);
  EXPECT_TRUE(std::signbit(h[0]) && h[0] == 0.f);
  EXPECT_TRUE(std::isnan(h[1]));
  EXPECT_TRUE(std::isnan(h[2]));
}

TEST(BinaryKernelsX86, HandComputed) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  // [2, 3, 1, 1] channel scale on [2, 3, 1, 2]... as [N, C, H, W] * [N, C, 1, 1].
  const auto y = binary("Mul", {2, 3, 1, 2}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, {2, 3, 1, 1},
                        {1, 10, 100, -1, -2, -3}, kAvx2, 1);
  EXPECT_EQ(y, (std::vector<float>{1, 2, 30, 40, 500, 600, -7, -8, -18, -20, -33, -36}));
  const auto d = binary("Sub", {2, 2}, {1, 2, 3, 4}, {2}, {10, 20}, kAvx2, 1);
  EXPECT_EQ(d, (std::vector<float>{-9, -18, -7, -16}));
}

TEST(BinaryKernelsX86, LeavesOtherCallsToRef) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  AttrList none;
  {  // f64
    Tensor a = Tensor::of<double>({4}, {1, 2, 3, 4}), b = Tensor::of<double>({4}, {1, 1, 1, 1});
    Tensor y(DType::f64, {4});
    EXPECT_EQ(runKernel("Add", {&a, &b}, {&y}, none, kAvx2), Isa::Ref);
    EXPECT_EQ(y.values<double>(), (std::vector<double>{2, 3, 4, 5}));
  }
  {  // int32
    Tensor a = Tensor::of<int32_t>({2}, {7, -7}), b = Tensor::of<int32_t>({1}, {2});
    Tensor y(DType::i32, {2});
    EXPECT_EQ(runKernel("Div", {&a, &b}, {&y}, none, kAvx2), Isa::Ref);
    EXPECT_EQ(y.values<int32_t>(), (std::vector<int32_t>{3, -3}));
  }
  {  // Max of three inputs, and of one
    Tensor a = Tensor::of<float>({2}, {1, 5}), b = Tensor::of<float>({2}, {3, 2}), c = Tensor::of<float>({1}, {4});
    Tensor y(DType::f32, {2});
    EXPECT_EQ(runKernel("Max", {&a, &b, &c}, {&y}, none, kAvx2), Isa::Ref);
    EXPECT_EQ(y.values<float>(), (std::vector<float>{4, 5}));
    EXPECT_EQ(runKernel("Min", {&a}, {&y}, none, kAvx2), Isa::Ref);
    EXPECT_EQ(y.values<float>(), (std::vector<float>{1, 5}));
  }
  {  // more than 8 dims left after merging: ref
    const std::vector<int64_t> sa = {2, 1, 2, 1, 2, 1, 2, 1, 2, 1}, sb = {1, 2, 1, 2, 1, 2, 1, 2, 1, 2};
    Tensor a = Tensor::of<float>(sa, randomFloats(32, 3)), b = Tensor::of<float>(sb, randomFloats(32, 4));
    Tensor y(DType::f32, broadcastOf(sa, sb));
    EXPECT_EQ(runKernel("Add", {&a, &b}, {&y}, none, kAvx2), Isa::Ref);
  }
  {  // an output shape the inputs do not broadcast to: ref, which names the problem
    Tensor a = Tensor::of<float>({3}, {1, 2, 3}), b = Tensor::of<float>({2}, {1, 2});
    Tensor y(DType::f32, {3});
    const std::string err = errorOf([&] { runKernel("Add", {&a, &b}, {&y}, none, kAvx2); });
    EXPECT_NE(err.find("do not broadcast"), std::string::npos) << err;
  }
}

// Indicative timings (one thread, ref vs x86-avx2) of the CNN shapes: a ResNet-18 residual
// Add, an EfficientNet-B0 squeeze-excitation Mul, a bias row Add and a scalar Div.
TEST(BinaryKernelsX86, DISABLED_Speed) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  const Case cases[] = {{{1, 64, 56, 56}, {1, 64, 56, 56}, "Add"},
                        {{1, 96, 112, 112}, {1, 96, 1, 1}, "Mul"},
                        {{1, 240, 28, 28}, {1, 240, 1, 1}, "Mul"},
                        {{196, 768}, {768}, "Add"},
                        {{1, 32, 112, 112}, {}, "Div"},
                        {{1, 32, 112, 112}, {1, 32, 112, 112}, "Max"},
                        {{1, 1152, 7, 7}, {1, 1152, 1, 1}, "Mul"},
                        {{512, 1}, {1, 512}, "Sub"}};
  for (const Case &c : cases) {
    Tensor a = Tensor::of<float>(c.a, randomFloats(numelOf(c.a), 1)), b = Tensor::of<float>(c.b, randomFloats(numelOf(c.b), 2));
    Tensor y(DType::f32, broadcastOf(c.a, c.b));
    AttrList none;
    const double r = medianMicros(c.what, {&a, &b}, y, none, {Isa::Ref});
    const double v = medianMicros(c.what, {&a, &b}, y, none, kAvx2);
    std::printf("%s %s x %s: ref %.1f us, avx2 %.1f us (%.2fx)\n", c.what, ::testing::PrintToString(c.a).c_str(),
                ::testing::PrintToString(c.b).c_str(), r, v, r / v);
  }
}

}  // namespace
}  // namespace edgec::rt::testing
