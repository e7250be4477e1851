// The AVX2 f32 reductions over adjacent axes (x86/reduce_f32_avx2.cpp): innermost axes,
// ReduceSum, Mean, SumSquare against ref within the stated bound (one f32 rounding, or
// 1e-15 of Σ|x| when the sum cancels) and ReduceMax/Min bit for bit (NaNs and signed
// zeros included), over rows with and without tails, keepdims both ways, size-1 dims
// among the axes, all axes; axes in the middle, every op bit for bit; the same bits at 1
// and 2 threads; and the axis sets left to ref. Skipped without AVX2.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "kernel_test_util.h"
#include "x86_timing_util.h"

namespace edgec::rt::testing {
namespace {

const std::vector<Isa> kAvx2 = {Isa::Ref, Isa::X86Avx2};

struct ReduceCase {
  std::vector<int64_t> x, axes;
  bool keepdims;
  const char *what;
};

std::vector<int64_t> outShape(const ReduceCase &c) {
  std::vector<int64_t> y;
  for (size_t d = 0; d < c.x.size(); ++d) {
    const bool r = c.axes.empty() || std::find(c.axes.begin(), c.axes.end(), int64_t(d)) != c.axes.end();
    if (!r) y.push_back(c.x[d]);
    else if (c.keepdims) y.push_back(1);
  }
  return y;
}

std::vector<float> reduce(const char *op, const ReduceCase &c, const std::vector<float> &xv, const std::vector<Isa> &isas,
                          int threads, Isa *chosen = nullptr) {
  Tensor x = Tensor::of<float>(c.x, xv), y(DType::f32, outShape(c));
  AttrList attrs;
  attrs.ints("axes", c.axes);
  const Isa isa = runKernel(op, {&x}, {&y}, attrs, isas, threads);
  if (chosen) *chosen = isa;
  return y.values<float>();
}

const std::vector<ReduceCase> kCases = {
    {{4, 768}, {1}, true, "LayerNorm mean"},
    {{3, 5, 37}, {2}, false, "rows with a tail"},
    {{2, 3, 4, 5}, {2, 3}, true, "two trailing axes"},
    {{6, 7, 1}, {1, 2}, true, "a size-1 dim among the axes"},
    {{5, 1, 9}, {2}, true, "a size-1 kept dim"},
    {{2, 9, 11}, {}, false, "all axes"},
    {{3, 5}, {1}, true, "rows shorter than a vector"},
    {{512, 300}, {1}, false, "over threads"},
};

TEST(ReduceKernelsX86, SumsWithinOneRoundingOfRef) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  uint32_t seed = 3;
  for (const char *op : {"ReduceSum", "ReduceMean", "ReduceSumSquare"}) {
    for (const ReduceCase &c : kCases) {
      for (float offset : {0.f, 100.f}) {  // cancelling sums, and not
        const auto xv = randomFloats(numelOf(c.x), seed++, offset - 1.f, offset + 1.f);
        const auto want = reduce(op, c, xv, {Isa::Ref}, 1);
        Isa isa = Isa::Ref;
        const auto got = reduce(op, c, xv, kAvx2, 1, &isa);
        EXPECT_EQ(isa, Isa::X86Avx2) << op << " " << c.what;
        EXPECT_EQ(got, reduce(op, c, xv, kAvx2, 2)) << op << " " << c.what << ": threads";
        ASSERT_EQ(got.size(), want.size());
        // Σ|x| (or Σx²) of the row, for the cancellation bound.
        const int64_t n = numelOf(c.x) / int64_t(want.size());
        for (size_t o = 0; o < got.size(); ++o) {
          double mag = 0;
          for (int64_t i = 0; i < n; ++i) mag += std::fabs(double(xv[o * n + i])) * (std::string(op) == "ReduceSumSquare" ? std::fabs(xv[o * n + i]) : 1.0);
          const double oneRounding = std::fabs(double(want[o])) * 0x1p-23;
          EXPECT_LE(std::fabs(double(got[o]) - double(want[o])), std::max(oneRounding, 1e-15 * mag))
              << op << " " << c.what << " at " << o;
        }
      }
    }
  }
}

TEST(ReduceKernelsX86, MaxMinBitIdenticalToRef) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  uint32_t seed = 50;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (const char *op : {"ReduceMax", "ReduceMin"}) {
    for (const ReduceCase &c : kCases) {
      auto xv = randomFloats(numelOf(c.x), seed++, -5.f, 5.f);
      if (xv.size() > 40) xv[3] = nan, xv[30] = -0.f, xv[31] = 0.f;
      const auto want = reduce(op, c, xv, {Isa::Ref}, 1);
      for (int threads : {1, 2}) {
        const auto got = reduce(op, c, xv, kAvx2, threads);
        ASSERT_EQ(got.size(), want.size());
        EXPECT_EQ(std::memcmp(got.data(), want.data(), got.size() * 4), 0) << op << " " << c.what;
      }
    }
  }
  // Rows (of 20) whose extreme is a zero of either sign first, or which hold NaNs.
  std::vector<float> xv;
  for (int r = 0; r < 4; ++r)
    for (int i = 0; i < 20; ++i) {
      float v = r % 2 == 0 ? -1.f - i : 1.f + i;
      if (r == 0) v = i == 2 ? -0.f : i == 12 ? 0.f : v;
      if (r == 1) v = i == 2 ? 0.f : i == 12 ? -0.f : v;
      if (r == 2) v = i == 9 ? nan : v;
      xv.push_back(v);
    }
  const ReduceCase z = {{4, 20}, {1}, false, "zeros"};
  EXPECT_EQ(reduce("ReduceMax", z, xv, kAvx2, 1)[0], 0.f);
  EXPECT_TRUE(std::signbit(reduce("ReduceMax", z, xv, kAvx2, 1)[0]));
  EXPECT_FALSE(std::signbit(reduce("ReduceMin", z, xv, kAvx2, 1)[1]));
  EXPECT_TRUE(std::isnan(reduce("ReduceMin", z, xv, kAvx2, 1)[2]));
  for (const char *op : {"ReduceMax", "ReduceMin"}) {
    const auto want = reduce(op, z, xv, {Isa::Ref}, 1), got = reduce(op, z, xv, kAvx2, 1);
    EXPECT_EQ(std::memcmp(got.data(), want.data(), got.size() * 4), 0) << op;
  }
}

// Reduced axes in the middle or first: lanes across the inner outputs, each folded in
// ref's order, so every op gives ref's bits.
TEST(ReduceKernelsX86, MiddleAxesBitIdenticalToRef) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  const std::vector<ReduceCase> cases = {
      {{2, 3, 4}, {1}, true, "middle, inner 4"},
      {{3, 20}, {0}, false, "first axis, inner 20 (8 + 8 + 4)"},
      {{2, 16, 7, 7}, {1}, true, "over the channels of NCHW"},
      {{2, 5, 3, 7}, {1, 2}, false, "two middle axes"},
      {{1, 64, 56, 56}, {1}, true, "over threads"},
      {{4, 1, 6, 9}, {1, 2}, true, "a size-1 dim in the block"},
  };
  uint32_t seed = 70;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (const char *op : {"ReduceSum", "ReduceMean", "ReduceSumSquare", "ReduceMax", "ReduceMin"}) {
    for (const ReduceCase &c : cases) {
      auto xv = randomFloats(numelOf(c.x), seed++, -3.f, 3.f);
      if (xv.size() > 40) xv[5] = nan, xv[17] = -0.f, xv[33] = 0.f;
      const auto want = reduce(op, c, xv, {Isa::Ref}, 1);
      for (int threads : {1, 2}) {
        Isa isa = Isa::Ref;
        const auto got = reduce(op, c, xv, kAvx2, threads, &isa);
        EXPECT_EQ(isa, Isa::X86Avx2) << op << " " << c.what;
        ASSERT_EQ(got.size(), want.size());
        EXPECT_EQ(std::memcmp(got.data(), want.data(), got.size() * 4), 0) << op << " " << c.what << " threads " << threads;
      }
    }
  }
}

TEST(ReduceKernelsX86, HandComputed) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  const ReduceCase c = {{2, 3}, {1}, true, "hand"};
  const std::vector<float> xv = {1, 2, 3, -4, 5, 6};
  EXPECT_EQ(reduce("ReduceSum", c, xv, kAvx2, 1), (std::vector<float>{6, 7}));
  EXPECT_EQ(reduce("ReduceMean", c, xv, kAvx2, 1), (std::vector<float>{2, 7.f / 3}));
  EXPECT_EQ(reduce("ReduceSumSquare", c, xv, kAvx2, 1), (std::vector<float>{14, 77}));
  EXPECT_EQ(reduce("ReduceMax", c, xv, kAvx2, 1), (std::vector<float>{3, 6}));
  EXPECT_EQ(reduce("ReduceMin", c, xv, kAvx2, 1), (std::vector<float>{1, -4}));
}

TEST(ReduceKernelsX86, LeavesOtherCallsToRef) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  // Reduced axes that are not adjacent.
  for (const ReduceCase &c : {ReduceCase{{2, 3, 4}, {0, 2}, true, "first and last"},
                              ReduceCase{{2, 3, 4, 5}, {1, 3}, false, "two apart"}}) {
    const auto xv = randomFloats(numelOf(c.x), 1);
    Isa isa = Isa::X86Avx2;
    const auto got = reduce("ReduceSum", c, xv, kAvx2, 1, &isa);
    EXPECT_EQ(isa, Isa::Ref) << c.what;
  }
  // Other reductions and dtypes are ref's.
  const ReduceCase c = {{2, 8}, {1}, true, "prod"};
  Isa isa = Isa::X86Avx2;
  reduce("ReduceProd", c, randomFloats(16, 2), kAvx2, 1, &isa);
  EXPECT_EQ(isa, Isa::Ref);
  Tensor x = Tensor::of<int32_t>({2, 2}, {1, 2, 3, 4}), y(DType::i32, {2, 1});
  AttrList attrs;
  attrs.ints("axes", {1});
  EXPECT_EQ(runKernel("ReduceSum", {&x}, {&y}, attrs, kAvx2), Isa::Ref);
  EXPECT_EQ(y.values<int32_t>(), (std::vector<int32_t>{3, 7}));
  // Unsorted axes: ref's message.
  const ReduceCase bad = {{2, 3, 4}, {2, 1}, true, "unsorted"};
  const std::string err = errorOf([&] { reduce("ReduceMean", bad, randomFloats(24, 3), kAvx2, 1); });
  EXPECT_NE(err.find("sorted"), std::string::npos) << err;
}

TEST(ReduceKernelsX86, DISABLED_Speed) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  for (const char *op : {"ReduceMean", "ReduceSumSquare", "ReduceMax"}) {  // innermost
    Tensor x = Tensor::of<float>({197, 768}, randomFloats(197 * 768, 1)), y(DType::f32, {197, 1});
    AttrList attrs;
    attrs.ints("axes", {1});
    const double r = medianMicros(op, {&x}, y, attrs, {Isa::Ref});
    const double v = medianMicros(op, {&x}, y, attrs, kAvx2);
    std::printf("%s [197, 768] over the last axis: ref %.1f us, avx2 %.1f us (%.2fx)\n", op, r, v, r / v);
  }
  Tensor x = Tensor::of<float>({1, 64, 56, 56}, randomFloats(64 * 56 * 56, 1)), y(DType::f32, {1, 1, 56, 56});
  AttrList attrs;
  attrs.ints("axes", {1});
  const double r = medianMicros("ReduceMean", {&x}, y, attrs, {Isa::Ref}), v = medianMicros("ReduceMean", {&x}, y, attrs, kAvx2);
  std::printf("ReduceMean [1, 64, 56, 56] over the channels: ref %.1f us, avx2 %.1f us (%.2fx)\n", r, v, r / v);
}

}  // namespace
}  // namespace edgec::rt::testing
