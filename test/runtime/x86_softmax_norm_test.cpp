// The x86 f32 Softmax/LogSoftmax (x86/softmax_f32_driver.inc at AVX2 and, where the CPU
// has it, AVX-512) and the AVX2 LayerNormalization
// (x86/layernorm_f32_avx2.cpp) against ref: rows along the last axis (with and without a
// tail) and along an inner axis (lanes across the inner positions), -inf and NaN entries,
// LayerNormalization with and without B, Mean/InvStdDev outputs and a large mean; the
// same bits at 1 and 2 threads; and the calls left to ref. The bounds asserted are the
// ones runtime/kernels/README.md states. Skipped without AVX2/FMA.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "kernel_test_util.h"
#include "x86_timing_util.h"

namespace edgec::rt::testing {
namespace {

const std::vector<Isa> kAvx2 = {Isa::Ref, Isa::X86Avx2};

// Distance in representable f32 values (0 for equal bits or two NaNs).
int64_t ulpDiff(float a, float b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b) ? 0 : int64_t(1) << 40;
  auto ordered = [](float f) {
    int32_t i;
    std::memcpy(&i, &f, 4);
    return i < 0 ? -int64_t(i & 0x7fffffff) : int64_t(i);
  };
  return std::llabs(ordered(a) - ordered(b));
}

std::vector<float> softmax(const char *op, const std::vector<int64_t> &shape, const std::vector<float> &xv, int64_t axis,
                           const std::vector<Isa> &isas, int threads, Isa *chosen = nullptr) {
  Tensor x = Tensor::of<float>(shape, xv), y(DType::f32, shape);
  AttrList attrs;
  attrs.i("axis", axis);
  const Isa isa = runKernel(op, {&x}, {&y}, attrs, isas, threads);
  if (chosen) *chosen = isa;
  return y.values<float>();
}

struct SoftmaxCase {
  std::vector<int64_t> shape;
  int64_t axis;
  float range;
  const char *what;
};

const std::vector<SoftmaxCase> kSoftmaxCases = {
    {{5, 37}, 1, 4.f, "rows with a tail"},
    {{3, 1000}, 1, 30.f, "long rows, wide range"},
    {{2, 4, 64, 64}, 3, 8.f, "attention scores, over threads"},
    {{2, 16, 8, 8}, 1, 4.f, "over channels (inner 64)"},
    {{2, 5, 3, 7}, 1, 4.f, "inner 21 (a partial lane block)"},
    {{13, 3}, 0, 4.f, "axis 0, inner 3"},
    {{4, 1}, 1, 4.f, "n = 1"},
    {{2, 3, 200}, 2, 120.f, "terms into the subnormals"},
    {{3, 37, 20}, 1, 4.f, "inner 20 (16 + 4 lanes)"},
};

TEST(SoftmaxNormX86, SoftmaxWithinThreeUlpOfRef) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  for (const IsaLevel &level : x86Levels(false)) {
    int64_t worst = 0;
    uint32_t seed = 1;
    for (const SoftmaxCase &c : kSoftmaxCases) {
      const auto xv = randomFloats(numelOf(c.shape), seed++, -c.range, c.range);
      const auto want = softmax("Softmax", c.shape, xv, c.axis, {Isa::Ref}, 1);
      Isa isa = Isa::Ref;
      const auto got = softmax("Softmax", c.shape, xv, c.axis, level.isas, 1, &isa);
      EXPECT_EQ(isa, level.expect) << c.what;
      EXPECT_EQ(got, softmax("Softmax", c.shape, xv, c.axis, level.isas, 2)) << level.name << " " << c.what << ": threads";
      int64_t w = 0;
      for (size_t i = 0; i < got.size(); ++i) w = std::max(w, ulpDiff(got[i], want[i]));
      EXPECT_LE(w, 3) << level.name << " " << c.what;
      worst = std::max(worst, w);
    }
    RecordProperty(std::string(level.name) + "_max_ulp_vs_ref", std::to_string(worst));
  }
}

// LogSoftmax: x − (max + log Σ): the sum's rounding moves every output by the same
// absolute amount, so the bound is absolute near 0 and in ulp elsewhere.
TEST(SoftmaxNormX86, LogSoftmaxWithinTwoUlpOrTwoE7OfRef) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  for (const IsaLevel &level : x86Levels(false)) {
    double worstAbs = 0;
    int64_t worstUlp = 0;
    uint32_t seed = 100;
    for (const SoftmaxCase &c : kSoftmaxCases) {
      const auto xv = randomFloats(numelOf(c.shape), seed++, -c.range, c.range);
      const auto want = softmax("LogSoftmax", c.shape, xv, c.axis, {Isa::Ref}, 1);
      Isa isa = Isa::Ref;
      const auto got = softmax("LogSoftmax", c.shape, xv, c.axis, level.isas, 1, &isa);
      EXPECT_EQ(isa, level.expect) << c.what;
      EXPECT_EQ(got, softmax("LogSoftmax", c.shape, xv, c.axis, level.isas, 2)) << level.name << " " << c.what << ": threads";
      for (size_t i = 0; i < got.size(); ++i) {
        const int64_t u = ulpDiff(got[i], want[i]);
        const double a = std::fabs(double(got[i]) - double(want[i]));
        EXPECT_TRUE(u <= 2 || a <= 2e-7) << level.name << " " << c.what << " at " << i << ": " << got[i] << " vs " << want[i];
        if (a > 2e-7) worstUlp = std::max(worstUlp, u);
        if (u > 2) worstAbs = std::max(worstAbs, a);
      }
    }
    RecordProperty(std::string(level.name) + "_max_ulp_beyond_2e-7", std::to_string(worstUlp));
    RecordProperty(std::string(level.name) + "_max_abs_beyond_2ulp", std::to_string(worstAbs));
  }
}

TEST(SoftmaxNormX86, SoftmaxSpecialValuesAsRef) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  // Rows of 10: one -inf entry, all -inf, a NaN, a +inf, one dominant value.
  std::vector<float> xv = {1, 2, -inf, 3, 4, 5, 6, 7, 8, 9};
  for (int i = 0; i < 10; ++i) xv.push_back(-inf);
  for (int i = 0; i < 10; ++i) xv.push_back(i == 4 ? nan : float(i));
  for (int i = 0; i < 10; ++i) xv.push_back(i == 7 ? inf : float(i));
  for (int i = 0; i < 10; ++i) xv.push_back(i == 0 ? 100.f : 0.f);
  for (const IsaLevel &level : x86Levels(false))
    for (const char *op : {"Softmax", "LogSoftmax"})
      for (int64_t axis : {1, 0}) {
        const std::vector<int64_t> shape = axis == 1 ? std::vector<int64_t>{5, 10} : std::vector<int64_t>{10, 5};
        const auto want = softmax(op, shape, xv, axis, {Isa::Ref}, 1);
        const auto got = softmax(op, shape, xv, axis, level.isas, 1);
        for (size_t i = 0; i < got.size(); ++i)
          EXPECT_LE(ulpDiff(got[i], want[i]), 3) << level.name << " " << op << " axis " << axis << " at " << i;
      }
  const auto s = softmax("Softmax", {5, 10}, xv, 1, kAvx2, 1);
  EXPECT_EQ(s[2], 0.f);                                  // e^-inf
  EXPECT_TRUE(std::isnan(s[10]) && std::isnan(s[24]));   // all -inf; a NaN in the row
  EXPECT_EQ(s[40], 1.f);                                 // e^-100 vanishes next to 1
  EXPECT_NEAR(softmax("Softmax", {1, 2}, {0.f, std::log(3.f)}, 1, kAvx2, 1)[1], 0.75f, 1e-7f);
}

struct NormCase {
  std::vector<int64_t> x;
  int64_t axis;
  std::vector<int64_t> scale;  // B too, when withBias
  bool withBias;
  float offset;
  const char *what;
};

std::vector<float> layerNorm(const NormCase &c, const std::vector<float> &xv, const std::vector<float> &sv,
                             const std::vector<float> &bv, const std::vector<Isa> &isas, int threads,
                             std::vector<float> *stats = nullptr, Isa *chosen = nullptr) {
  Tensor x = Tensor::of<float>(c.x, xv), s = Tensor::of<float>(c.scale, sv), b = Tensor::of<float>(c.scale, bv);
  Tensor y(DType::f32, c.x);
  std::vector<int64_t> statShape(c.x.begin(), c.x.begin() + c.axis);
  statShape.resize(c.x.size(), 1);
  Tensor mean(DType::f32, statShape), inv(DType::f32, statShape);
  AttrList attrs;
  attrs.i("axis", c.axis).f("epsilon", 1e-5f);
  std::vector<Tensor *> in = {&x, &s};
  if (c.withBias) in.push_back(&b);
  std::vector<Tensor *> out = {&y};
  if (stats) out.push_back(&mean), out.push_back(&inv);
  const Isa isa = runKernel("LayerNormalization", in, out, attrs, isas, threads);
  if (chosen) *chosen = isa;
  if (stats) {
    *stats = mean.values<float>();
    const auto i = inv.values<float>();
    stats->insert(stats->end(), i.begin(), i.end());
  }
  return y.values<float>();
}

TEST(SoftmaxNormX86, LayerNormWithinOneUlpOfRef) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  const std::vector<NormCase> cases = {
      {{4, 768}, 1, {768}, true, 0.f, "transformer rows"},
      {{2, 3, 5, 7}, 1, {3, 5, 7}, false, 0.f, "three dims, no B"},
      {{6, 5, 13}, 2, {13}, true, 1000.f, "short rows with a tail, mean 1000"},
      {{3, 4}, 0, {3, 4}, true, 0.f, "axis 0: one row"},
      {{64, 384}, 1, {384}, true, -3.f, "over threads"},
  };
  int64_t worst = 0;
  uint32_t seed = 7;
  for (const NormCase &c : cases) {
    const auto xv = randomFloats(numelOf(c.x), seed++, c.offset - 2.f, c.offset + 2.f);
    const auto sv = randomFloats(numelOf(c.scale), seed++, 0.5f, 1.5f), bv = randomFloats(numelOf(c.scale), seed++);
    std::vector<float> statsRef, stats, stats2;
    const auto want = layerNorm(c, xv, sv, bv, {Isa::Ref}, 1, &statsRef);
    Isa isa = Isa::Ref;
    const auto got = layerNorm(c, xv, sv, bv, kAvx2, 1, &stats, &isa);
    EXPECT_EQ(isa, Isa::X86Avx2) << c.what;
    EXPECT_EQ(got, layerNorm(c, xv, sv, bv, kAvx2, 2, &stats2)) << c.what << ": threads";
    EXPECT_EQ(stats, stats2) << c.what;
    int64_t w = 0;
    for (size_t i = 0; i < got.size(); ++i) w = std::max(w, ulpDiff(got[i], want[i]));
    for (size_t i = 0; i < stats.size(); ++i) w = std::max(w, ulpDiff(stats[i], statsRef[i]));
    EXPECT_LE(w, 1) << c.what;
    worst = std::max(worst, w);
    // Without the statistics outputs: the same Y.
    EXPECT_EQ(layerNorm(c, xv, sv, bv, kAvx2, 1), got) << c.what;
  }
  RecordProperty("max_ulp_vs_ref", std::to_string(worst));
  // Hand-computed: [1, 2, 3, 4] normalizes to (x − 2.5) / sqrt(1.25 + ε).
  const NormCase h = {{1, 4}, 1, {4}, true, 0.f, "hand"};
  const auto y = layerNorm(h, {1, 2, 3, 4}, {1, 1, 2, 2}, {0, 0, 0, 1}, kAvx2, 1);
  const double inv = 1 / std::sqrt(1.25 + double(1e-5f));
  EXPECT_FLOAT_EQ(y[0], float(-1.5 * inv));
  EXPECT_FLOAT_EQ(y[3], float(3 * inv + 1));
}

TEST(SoftmaxNormX86, LeavesOtherCallsToRef) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  // Scale broadcast inside the normalized block ([1, 7] against [5, 7]): ref.
  const NormCase c = {{2, 5, 7}, 1, {1, 7}, true, 0.f, "broadcast Scale"};
  Isa isa = Isa::X86Avx2;
  layerNorm(c, randomFloats(70, 1), randomFloats(7, 2), randomFloats(7, 3), kAvx2, 1, nullptr, &isa);
  EXPECT_EQ(isa, Isa::Ref);
  // An axis out of range: ref's message.
  const std::string err = errorOf([&] { softmax("Softmax", {2, 3}, randomFloats(6, 1), 2, kAvx2, 1); });
  EXPECT_NE(err.find("out of range"), std::string::npos) << err;
}

TEST(SoftmaxNormX86, DISABLED_Speed) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  auto time = [](const char *op, const std::vector<int64_t> &shape, AttrList &attrs, const std::vector<int64_t> &scale) {
    Tensor x = Tensor::of<float>(shape, randomFloats(numelOf(shape), 1, -4.f, 4.f)), y(DType::f32, shape);
    Tensor s = Tensor::of<float>(scale, randomFloats(numelOf(scale), 2)), b = Tensor::of<float>(scale, randomFloats(numelOf(scale), 3));
    std::vector<Tensor *> in = {&x};
    if (!scale.empty()) in.push_back(&s), in.push_back(&b);
    const double r = medianMicros(op, in, y, attrs, {Isa::Ref});
    const double v = medianMicros(op, in, y, attrs, kAvx2);
    std::printf("%s %s: ref %.1f us, avx2 %.1f us (%.2fx)\n", op, ::testing::PrintToString(shape).c_str(), r, v, r / v);
  };
  AttrList last;
  last.i("axis", 3);
  time("Softmax", {1, 12, 128, 128}, last, {});
  time("LogSoftmax", {1, 12, 128, 128}, last, {});
  AttrList chan;
  chan.i("axis", 1);
  time("Softmax", {1, 64, 56, 56}, chan, {});
  for (const IsaLevel &level : x86Levels(false)) {  // AVX2 against AVX-512
    Tensor x = Tensor::of<float>({1, 12, 128, 128}, randomFloats(12 * 128 * 128, 1, -4.f, 4.f)), y(DType::f32, {1, 12, 128, 128});
    std::printf("Softmax [1,12,128,128] at %s: %.1f us\n", level.name, medianMicros("Softmax", {&x}, y, last, level.isas));
  }
  AttrList ln;
  ln.i("axis", 1).f("epsilon", 1e-5f);
  time("LayerNormalization", {197, 768}, ln, {768});
}

}  // namespace
}  // namespace edgec::rt::testing
