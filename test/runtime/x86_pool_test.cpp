// The AVX2 f32 pools (x86/pool_f32_avx2.cpp): 2-D MaxPool and AveragePool over kernel
// sizes, strides 1, 2 and 3 (the contiguous, deinterleaving and gather loads), dilations,
// symmetric and asymmetric pads, windows entirely in the padding, the ceil_mode output
// size and count_include_pad both ways; GlobalAveragePool and GlobalMaxPool over plane
// counts that exercise the 8-, 4- and 1-plane paths, NaNs and signed zeros. Each against
// ref bit for bit, at 1 and 2 threads; and the calls left to ref. Skipped without AVX2.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "kernel_test_util.h"
#include "x86_timing_util.h"

namespace edgec::rt::testing {
namespace {

const std::vector<Isa> kAvx2 = {Isa::Ref, Isa::X86Avx2};

// Same bits, or both NaN (0/0 of an all-padding window).
::testing::AssertionResult sameFloats(const std::vector<float> &got, const std::vector<float> &want) {
  if (got.size() != want.size()) return ::testing::AssertionFailure() << "sizes differ";
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(got[i]) && std::isnan(want[i])) continue;
    if (std::memcmp(&got[i], &want[i], 4) != 0)
      return ::testing::AssertionFailure() << "at " << i << ": " << got[i] << " vs ref " << want[i];
  }
  return ::testing::AssertionSuccess();
}

// Random values with a few NaNs and signed zeros mixed in.
std::vector<float> poolInput(int64_t n, uint32_t seed, bool specials) {
  std::vector<float> v = randomFloats(n, seed, -3.f, 3.f);
  if (specials)
    for (int64_t i = 0; i < n; i += 37) v[size_t(i)] = (i / 37) % 3 == 0 ? std::numeric_limits<float>::quiet_NaN() : (i / 37) % 3 == 1 ? -0.f : 0.f;
  return v;
}

struct PoolCase {
  std::vector<int64_t> x;
  std::vector<int64_t> kernel, strides, dilations, pads;
  bool ceil;
  const char *what;
};

int64_t outSize(int64_t in, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t pe, bool ceil) {
  const int64_t room = in + pb + pe - (d * (k - 1) + 1);
  int64_t out = (ceil ? (room + s - 1) / s : room / s) + 1;
  if (ceil && (out - 1) * s >= in + pb) --out;  // the last window must start inside
  return out;
}

std::vector<float> pool(const char *op, const PoolCase &c, const std::vector<float> &xv, int64_t countPad,
                        const std::vector<Isa> &isas, int threads, Isa *chosen = nullptr) {
  std::vector<int64_t> ys = {c.x[0], c.x[1]};
  const size_t nd = c.x.size() - 2;
  for (size_t d = 0; d < nd; ++d)
    ys.push_back(outSize(c.x[2 + d], c.kernel[d], c.strides[d], c.dilations[d], c.pads[d], c.pads[nd + d], c.ceil));
  Tensor x = Tensor::of<float>(c.x, xv), y(DType::f32, ys);
  AttrList attrs;
  attrs.ints("kernel_shape", c.kernel).ints("strides", c.strides).ints("dilations", c.dilations).ints("pads", c.pads);
  if (std::string(op) == "AveragePool") attrs.i("count_include_pad", countPad);
  const Isa isa = runKernel(op, {&x}, {&y}, attrs, isas, threads);
  if (chosen) *chosen = isa;
  return y.values<float>();
}

const std::vector<PoolCase> kPoolCases = {
    {{2, 3, 17, 19}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, false, "3x3 s1 p1"},
    {{1, 4, 32, 33}, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, false, "3x3 s2 p1 (ResNet stem)"},
    {{1, 2, 24, 40}, {2, 2}, {2, 2}, {1, 1}, {0, 0, 0, 0}, false, "2x2 s2"},
    {{1, 3, 23, 29}, {3, 3}, {2, 2}, {1, 1}, {0, 0, 0, 0}, true, "3x3 s2 ceil_mode"},
    {{1, 2, 20, 50}, {3, 3}, {3, 3}, {1, 1}, {1, 1, 1, 1}, false, "3x3 s3 (gather)"},
    {{1, 2, 21, 30}, {3, 3}, {1, 1}, {2, 2}, {2, 2, 2, 2}, false, "3x3 dilation 2"},
    {{2, 2, 19, 27}, {5, 4}, {2, 1}, {1, 2}, {1, 2, 0, 3}, true, "5x4 asymmetric pads, mixed strides"},
    {{1, 3, 9, 40}, {1, 7}, {1, 2}, {1, 1}, {0, 3, 0, 3}, false, "1x7 wide"},
    {{1, 2, 6, 30}, {1, 1}, {1, 1}, {1, 1}, {1, 1, 1, 1}, false, "1x1 with pads: windows in padding"},
    {{1, 2, 5, 5}, {5, 5}, {1, 1}, {1, 1}, {0, 0, 0, 0}, false, "whole plane"},
    {{1, 64, 56, 56}, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, false, "over threads"},
};

TEST(PoolKernelsX86, MaxAndAveragePoolBitIdenticalToRef) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  uint32_t seed = 11;
  for (const PoolCase &c : kPoolCases) {
    for (bool specials : {false, true}) {
      const auto xv = poolInput(numelOf(c.x), seed++, specials);
      for (const char *op : {"MaxPool", "AveragePool"}) {
        for (int64_t countPad : {0, 1}) {
          if (std::string(op) == "MaxPool" && countPad) continue;
          const auto want = pool(op, c, xv, countPad, {Isa::Ref}, 1);
          for (int threads : {1, 2}) {
            Isa isa = Isa::Ref;
            const auto got = pool(op, c, xv, countPad, kAvx2, threads, &isa);
            EXPECT_EQ(isa, Isa::X86Avx2) << op << " " << c.what;
            EXPECT_TRUE(sameFloats(got, want)) << op << " " << c.what << " count_include_pad " << countPad
                                               << " specials " << specials << " threads " << threads;
          }
        }
      }
    }
  }
}

TEST(PoolKernelsX86, MaxPoolSignedZeroTiesAsRef) {
  // Ref keeps the first maximum in its kw-outer, kh-inner order, so of a +0 and a -0 in one
  // window the one in the earlier column (or, in one column, the upper row) wins; a kernel
  // taking rows first would keep the other. Windows with both orders, at strides 1 and 2.
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  for (int64_t s : {1, 2}) {
    const PoolCase c{{1, 1, 8, 20}, {3, 3}, {s, s}, {1, 1}, {1, 1, 1, 1}, false, "signed zeros"};
    std::vector<float> xv(160, -1.f);
    auto at = [&](int r, int col) -> float & { return xv[size_t(r * 20 + col)]; };
    at(1, 6) = 0.f, at(2, 5) = -0.f;    // -0 first (column 5)
    at(1, 10) = -0.f, at(2, 9) = 0.f;   // +0 first (column 9)
    at(5, 14) = 0.f, at(6, 14) = -0.f;  // one column: the upper row's +0 first
    const auto want = pool("MaxPool", c, xv, 0, {Isa::Ref}, 1);
    int negZeros = 0, posZeros = 0;
    for (float v : want) (v == 0.f ? (std::signbit(v) ? negZeros : posZeros) : negZeros) += v == 0.f;
    ASSERT_GT(negZeros, 0);
    ASSERT_GT(posZeros, 0);
    for (int threads : {1, 2}) EXPECT_TRUE(sameFloats(pool("MaxPool", c, xv, 0, kAvx2, threads), want)) << "stride " << s;
  }
}

TEST(PoolKernelsX86, HandComputed) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  // 2x2 stride 2 over a 2 x 4 plane, then 3x3 stride 1 pad 1 averages at a corner.
  const PoolCase c = {{1, 1, 2, 4}, {2, 2}, {2, 2}, {1, 1}, {0, 0, 0, 0}, false, "hand"};
  const std::vector<float> xv = {1, 2, 3, 4, 5, 6, 7, -8};
  EXPECT_EQ(pool("MaxPool", c, xv, 0, kAvx2, 1), (std::vector<float>{6, 7}));
  EXPECT_EQ(pool("AveragePool", c, xv, 0, kAvx2, 1), (std::vector<float>{3.5f, 1.5f}));
  const PoolCase p = {{1, 1, 2, 2}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, false, "pads"};
  EXPECT_EQ(pool("AveragePool", p, {1, 2, 3, 6}, 0, kAvx2, 1), (std::vector<float>{3, 3, 3, 3}));
  EXPECT_EQ(pool("AveragePool", p, {1, 2, 3, 6}, 1, kAvx2, 1), (std::vector<float>{4.f / 3, 4.f / 3, 4.f / 3, 4.f / 3}));
}

std::vector<float> globalPool(const char *op, const std::vector<int64_t> &xs, const std::vector<float> &xv,
                              const std::vector<Isa> &isas, int threads, Isa *chosen = nullptr) {
  std::vector<int64_t> ys(xs.size(), 1);
  ys[0] = xs[0];
  ys[1] = xs[1];
  Tensor x = Tensor::of<float>(xs, xv), y(DType::f32, ys);
  AttrList none;
  const Isa isa = runKernel(op, {&x}, {&y}, none, isas, threads);
  if (chosen) *chosen = isa;
  return y.values<float>();
}

// GlobalAveragePool's order of addition is defined (ref/pool.cpp): 16 partial sums in
// double (partial j over the elements i = j mod 16), added pairwise (j + 8, + 4, + 2, + 1).
// Planes mixing +-1e20 with small values give other results in any other order; ref and
// the x86 kernel must both give this order's, at plane sizes with every tail length.
TEST(PoolKernelsX86, GlobalAveragePoolSumsInTheDefinedOrder) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  for (int64_t n : {1, 5, 16, 17, 31, 49, 50, 196, 3136}) {
    const int64_t planes = 6;  // four planes at a time, then two
    std::vector<float> x(static_cast<size_t>(planes * n));
    for (size_t i = 0; i < x.size(); ++i)
      x[i] = i % 7 == 0 ? 1e20f : i % 7 == 3 ? -1e20f : float(i % 13) * 0.37f - 2.f;
    std::vector<float> want(static_cast<size_t>(planes));
    for (int64_t p = 0; p < planes; ++p) {
      double partial[16] = {};
      for (int64_t i = 0; i < n; ++i) partial[i % 16] += x[size_t(p * n + i)];
      for (int w = 8; w >= 1; w /= 2)
        for (int j = 0; j < w; ++j) partial[j] += partial[j + w];
      want[size_t(p)] = float(partial[0] / double(n));
    }
    const std::vector<int64_t> shape = {1, planes, n};
    EXPECT_TRUE(sameFloats(globalPool("GlobalAveragePool", shape, x, {Isa::Ref}, 1), want)) << "ref, n " << n;
    Isa isa = Isa::Ref;
    EXPECT_TRUE(sameFloats(globalPool("GlobalAveragePool", shape, x, kAvx2, 2, &isa), want)) << "x86, n " << n;
    EXPECT_EQ(isa, Isa::X86Avx2);
  }
}

TEST(PoolKernelsX86, GlobalPoolsBitIdenticalToRef) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  const std::vector<std::vector<int64_t>> shapes = {{2, 13, 7, 7}, {1, 12, 5, 5}, {1, 3, 1, 1}, {2, 5, 3},
                                                    {1, 9, 4, 4, 3}, {1, 96, 56, 56}, {1, 1280, 7, 7}, {1, 8, 1, 13}};
  uint32_t seed = 5;
  for (const auto &s : shapes) {
    for (bool specials : {false, true}) {
      const auto xv = poolInput(numelOf(s), seed++, specials);
      for (const char *op : {"GlobalAveragePool", "GlobalMaxPool"}) {
        const auto want = globalPool(op, s, xv, {Isa::Ref}, 1);
        for (int threads : {1, 2}) {
          Isa isa = Isa::Ref;
          const auto got = globalPool(op, s, xv, kAvx2, threads, &isa);
          EXPECT_EQ(isa, Isa::X86Avx2) << op;
          EXPECT_TRUE(sameFloats(got, want)) << op << " " << ::testing::PrintToString(s) << " specials " << specials
                                             << " threads " << threads;
        }
      }
    }
  }
  // GlobalMaxPool's ties and NaNs exactly as ref: planes of zeros (-0 first, then +0
  // first), of negatives, with a NaN; bits compared, NaN payloads included.
  float nan2;
  const uint32_t bits = 0x7fc00042;
  std::memcpy(&nan2, &bits, 4);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> xv;
  for (int pl = 0; pl < 4; ++pl)
    for (int i = 0; i < 20; ++i) {
      float v = -1.f - float(i);
      if (pl == 0) v = i == 3 ? -0.f : i == 11 ? 0.f : v;
      if (pl == 1) v = i == 3 ? 0.f : i == 11 ? -0.f : v;
      if (pl == 3) v = i == 2 ? nan : i == 17 ? nan2 : v;
      xv.push_back(v);
    }
  const auto want = globalPool("GlobalMaxPool", {1, 4, 20}, xv, {Isa::Ref}, 1);
  const auto got = globalPool("GlobalMaxPool", {1, 4, 20}, xv, kAvx2, 1);
  EXPECT_EQ(std::memcmp(got.data(), want.data(), got.size() * 4), 0);
  EXPECT_TRUE(std::signbit(got[0]) && !std::signbit(got[1]));
  EXPECT_EQ(got[2], -1.f);
  EXPECT_TRUE(std::isnan(got[3]));
}

TEST(PoolKernelsX86, LeavesOtherCallsToRef) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  // 1-D and 3-D pools.
  const PoolCase one = {{1, 2, 17}, {3}, {2}, {1}, {1, 1}, false, "1-D"};
  const PoolCase three = {{1, 2, 5, 6, 7}, {2, 2, 2}, {1, 2, 2}, {1, 1, 1}, {0, 0, 0, 1, 1, 1}, false, "3-D"};
  for (const PoolCase *c : {&one, &three}) {
    const auto xv = poolInput(numelOf(c->x), 3, false);
    Isa isa = Isa::X86Avx2;
    pool("MaxPool", *c, xv, 0, kAvx2, 1, &isa);
    EXPECT_EQ(isa, Isa::Ref) << c->what;
    pool("AveragePool", *c, xv, 1, kAvx2, 1, &isa);
    EXPECT_EQ(isa, Isa::Ref) << c->what;
  }
  // The Indices output: ref, which says it does not support it.
  Tensor x = Tensor::of<float>({1, 1, 4, 4}, randomFloats(16, 1)), y(DType::f32, {1, 1, 2, 2}), idx(DType::i64, {1, 1, 2, 2});
  AttrList attrs;
  attrs.ints("kernel_shape", {2, 2}).ints("strides", {2, 2});
  const std::string err = errorOf([&] { runKernel("MaxPool", {&x}, {&y, &idx}, attrs, kAvx2); });
  EXPECT_NE(err.find("Indices"), std::string::npos) << err;
  // A kernel taller than 64 rows.
  const PoolCase tall = {{1, 1, 70, 9}, {65, 2}, {1, 1}, {1, 1}, {0, 0, 0, 0}, false, "tall"};
  Isa isa = Isa::X86Avx2;
  pool("AveragePool", tall, poolInput(70 * 9, 4, false), 0, kAvx2, 1, &isa);
  EXPECT_EQ(isa, Isa::Ref);
  // An output shape that does not match: ref's message.
  Tensor bad(DType::f32, {1, 1, 3, 3});
  AttrList a2;
  a2.ints("kernel_shape", {2, 2}).ints("strides", {2, 2});
  const std::string e2 = errorOf([&] { runKernel("MaxPool", {&x}, {&bad}, a2, kAvx2); });
  EXPECT_NE(e2.find("does not match"), std::string::npos) << e2;
}

// Indicative timings (one thread, ref vs x86-avx2): ResNet-18's stem MaxPool, an
// AveragePool, EfficientNet-B0's squeeze-excitation and MobileNetV2's final global pools.
TEST(PoolKernelsX86, DISABLED_Speed) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  auto time = [](const char *op, const std::vector<int64_t> &xs, const std::vector<int64_t> &ys, AttrList &attrs) {
    Tensor x = Tensor::of<float>(xs, randomFloats(numelOf(xs), 1)), y(DType::f32, ys);
    const double r = medianMicros(op, {&x}, y, attrs, {Isa::Ref});
    const double v = medianMicros(op, {&x}, y, attrs, kAvx2);
    std::printf("%s %s: ref %.1f us, avx2 %.1f us (%.2fx)\n", op, ::testing::PrintToString(xs).c_str(), r, v, r / v);
  };
  AttrList stem;
  stem.ints("kernel_shape", {3, 3}).ints("strides", {2, 2}).ints("dilations", {1, 1}).ints("pads", {1, 1, 1, 1});
  time("MaxPool", {1, 64, 112, 112}, {1, 64, 56, 56}, stem);
  AttrList avg;
  avg.ints("kernel_shape", {3, 3}).ints("strides", {1, 1}).ints("dilations", {1, 1}).ints("pads", {1, 1, 1, 1}).i("count_include_pad", 0);
  time("AveragePool", {1, 64, 56, 56}, {1, 64, 56, 56}, avg);
  AttrList none;
  time("GlobalAveragePool", {1, 96, 112, 112}, {1, 96, 1, 1}, none);
  time("GlobalAveragePool", {1, 1280, 7, 7}, {1, 1280, 1, 1}, none);
  time("GlobalMaxPool", {1, 512, 14, 14}, {1, 512, 1, 1}, none);
}

}  // namespace
}  // namespace edgec::rt::testing
