// The x86 f32 ConvTranspose (x86/conv_transpose_driver.inc, AVX2 and AVX-512) against the
// ref kernel, the oracle (itself checked against a direct gather over ONNX's definition in
// conv_transpose_test.cpp and against ONNX's node tests): 1-D and 2-D, strides 1, 2 and 3,
// dilations, symmetric and asymmetric pads, output_padding, groups, batch 2, with and
// without bias, 1x1, 2x2, 3x3, 4x4 and non-square kernels, odd sizes, constant (packed at
// prepare) and run-time weights; at 1, 2 and 3 threads, bit-identical across thread
// counts. Calls it does not take (3-D) go to ref. Skipped without AVX2.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "kernel_test_util.h"

namespace edgec::rt::testing {
namespace {

struct CtCase {
  std::vector<int64_t> x;  // [N, C, spatial...]
  int64_t outPerGroup, group;
  std::vector<int64_t> kernel, strides, dilations, pads, outputPadding;
  bool bias;
  const char *what;
};

std::vector<int64_t> outShape(const CtCase &c) {
  const size_t nd = c.x.size() - 2;
  std::vector<int64_t> y = {c.x[0], c.outPerGroup * c.group};
  for (size_t d = 0; d < nd; ++d)
    y.push_back(c.strides[d] * (c.x[2 + d] - 1) + c.outputPadding[d] + c.dilations[d] * (c.kernel[d] - 1) + 1 -
                c.pads[d] - c.pads[nd + d]);
  return y;
}

struct CtData {
  Tensor x, w, b;
};

CtData makeData(const CtCase &c, uint32_t seed) {
  std::vector<int64_t> ws = {c.x[1], c.outPerGroup};
  ws.insert(ws.end(), c.kernel.begin(), c.kernel.end());
  CtData d{Tensor::of<float>(c.x, randomFloats(numelOf(c.x), seed)),
           Tensor::of<float>(ws, randomFloats(numelOf(ws), seed + 1)),
           Tensor::of<float>({c.outPerGroup * c.group}, randomFloats(c.outPerGroup * c.group, seed + 2))};
  return d;
}

std::vector<float> convTranspose(const CtCase &c, CtData &d, const std::vector<Isa> &isas, int threads,
                                 bool constWeights, Isa *chosen) {
  Tensor y(DType::f32, outShape(c));
  AttrList a;
  a.ints("strides", c.strides).ints("pads", c.pads).ints("dilations", c.dilations)
      .ints("output_padding", c.outputPadding).i("group", c.group);
  std::vector<TensorView *> in = {&d.x.view(), &d.w.view()};
  if (c.bias) in.push_back(&d.b.view());
  *chosen = runKernelOnViews("ConvTranspose", in, y.view(), isas, threads, &a, constWeights);
  return y.values<float>();
}

const std::vector<CtCase> kCases = {
    {{1, 8, 7, 9}, 6, 1, {2, 2}, {2, 2}, {1, 1}, {0, 0, 0, 0}, {0, 0}, true, "2x2 s2 (U-Net up)"},
    {{2, 16, 8, 8}, 8, 1, {2, 2}, {2, 2}, {1, 1}, {0, 0, 0, 0}, {0, 0}, false, "2x2 s2 batch 2, no bias"},
    {{1, 5, 9, 11}, 7, 1, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, {0, 0}, true, "3x3 s1 p1"},
    {{1, 6, 10, 7}, 5, 1, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, {1, 1}, true, "3x3 s2 p1 output_padding 1"},
    {{2, 4, 6, 13}, 3, 1, {4, 4}, {2, 2}, {1, 1}, {1, 1, 1, 1}, {0, 0}, true, "4x4 s2 p1 (DCGAN)"},
    {{1, 3, 5, 8}, 4, 1, {3, 3}, {3, 3}, {1, 1}, {0, 2, 1, 0}, {2, 1}, true, "3x3 s3, asymmetric pads, output_padding"},
    {{1, 4, 7, 6}, 5, 1, {3, 2}, {1, 2}, {2, 3}, {2, 0, 1, 3}, {0, 1}, false, "3x2 dilations 2x3, mixed strides"},
    {{1, 6, 9, 10}, 2, 3, {3, 3}, {2, 1}, {1, 1}, {1, 1, 1, 1}, {1, 0}, true, "groups 3"},
    {{2, 4, 5, 5}, 1, 4, {3, 3}, {2, 2}, {1, 1}, {0, 0, 0, 0}, {0, 0}, true, "depthwise (group = C), batch 2"},
    {{1, 12, 11, 13}, 9, 1, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}, {0, 0}, true, "1x1 s1"},
    {{1, 7, 6, 5}, 10, 1, {1, 1}, {2, 3}, {1, 1}, {0, 1, 0, 1}, {1, 2}, false, "1x1 s2x3 with pads"},
    {{1, 3, 4, 4}, 2, 1, {5, 5}, {1, 1}, {1, 1}, {2, 3, 3, 2}, {0, 0}, true, "large asymmetric pads crop the edges"},
    {{1, 1, 1, 1}, 1, 1, {3, 3}, {1, 1}, {1, 1}, {0, 0, 0, 0}, {0, 0}, true, "one input pixel"},
    {{2, 6, 17}, 4, 2, {5}, {3}, {2}, {2, 3}, {1}, true, "1-D groups, s3, dilation 2"},
    {{1, 64, 16, 16}, 32, 1, {2, 2}, {2, 2}, {1, 1}, {0, 0, 0, 0}, {0, 0}, true, "over threads, 2x2 s2"},
    {{1, 32, 20, 20}, 48, 1, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, {1, 1}, true, "over threads, 3x3 s2"},
};

// The ref kernel forms each column as Σ_c w·x in order with separate multiplies and adds;
// the GEMM fuses them (FMA) over the same order, so a column differs from ref's by the
// roundings of its partial sums, each at most 2^-24 of a partial sum bounded by
// Σ|w·x| ≤ cg (inputs and weights in [-1, 1]); col2im then adds kk columns in ref's
// order. So the tolerance is 1e-5 of the larger of cg·kk and the largest |output| (the
// scale those sums live at); the cases here differ by at most 4e-8 of it.
::testing::AssertionResult close(const std::vector<float> &got, const std::vector<float> &want, double scale) {
  if (got.size() != want.size()) return ::testing::AssertionFailure() << "sizes differ";
  const double tol = 1e-5 * scale;
  for (size_t i = 0; i < got.size(); ++i)
    if (!(std::fabs(double(got[i]) - double(want[i])) <= tol))
      return ::testing::AssertionFailure() << "at " << i << ": " << got[i] << " vs ref " << want[i] << " (tol "
                                           << tol << ")";
  return ::testing::AssertionSuccess();
}

TEST(ConvTransposeX86, MatchesRefAndThreadCounts) {
  const std::vector<IsaLevel> levels = x86Levels(false);
  if (levels.empty()) GTEST_SKIP() << "no AVX2/FMA";
  uint32_t seed = 5;
  for (const CtCase &c : kCases) {
    CtData d = makeData(c, seed);
    seed += 3;
    Isa isa = Isa::Ref;
    const std::vector<float> want = convTranspose(c, d, {Isa::Ref}, 1, false, &isa);
    double scale = 1.0;
    for (float v : want) scale = std::max(scale, double(std::fabs(v)));
    const int64_t cg = c.x[1] / c.group;
    int64_t kk = 1;
    for (int64_t k : c.kernel) kk *= k;
    scale = std::max(scale, double(cg * kk));
    for (const IsaLevel &level : levels) {
      for (bool constWeights : {false, true}) {
        const std::vector<float> one = convTranspose(c, d, level.isas, 1, constWeights, &isa);
        EXPECT_EQ(isa, level.expect) << c.what << " " << level.name;
        EXPECT_TRUE(close(one, want, scale)) << c.what << " " << level.name << " const " << constWeights;
        for (int threads : {2, 3}) {
          const std::vector<float> many = convTranspose(c, d, level.isas, threads, constWeights, &isa);
          EXPECT_EQ(0, std::memcmp(one.data(), many.data(), one.size() * sizeof(float)))
              << c.what << " " << level.name << " const " << constWeights << " threads " << threads;
        }
      }
    }
  }
}

// A small case by hand (the 2-D overlaps of conv_transpose_test.cpp): a 2x2 input under
// a 2x2 kernel of ones, each output the sum of the inputs over it, plus the bias.
TEST(ConvTransposeX86, HandComputed) {
  const std::vector<IsaLevel> levels = x86Levels(false);
  if (levels.empty()) GTEST_SKIP() << "no AVX2/FMA";
  for (const IsaLevel &level : levels) {
    Tensor x = Tensor::of<float>({1, 1, 2, 2}, {1, 2, 3, 4});
    Tensor w = Tensor::of<float>({1, 1, 2, 2}, {1, 1, 1, 1});
    Tensor b = Tensor::of<float>({1}, {0.5f});
    Tensor y(DType::f32, {1, 1, 3, 3});
    AttrList a;
    a.ints("strides", {1, 1}).ints("pads", {0, 0, 0, 0}).ints("dilations", {1, 1}).ints("output_padding", {0, 0});
    EXPECT_EQ(runKernel("ConvTranspose", {&x, &w, &b}, {&y}, a, level.isas), level.expect);
    EXPECT_EQ(y.values<float>(), (std::vector<float>{1.5f, 3.5f, 2.5f, 4.5f, 10.5f, 6.5f, 3.5f, 7.5f, 4.5f}))
        << level.name;
  }
}

// 3-D is not taken: ref runs it.
TEST(ConvTransposeX86, ThreeDimGoesToRef) {
  const std::vector<IsaLevel> levels = x86Levels(false);
  if (levels.empty()) GTEST_SKIP() << "no AVX2/FMA";
  Tensor x = Tensor::of<float>({1, 2, 3, 3, 3}, randomFloats(54, 1));
  Tensor w = Tensor::of<float>({2, 1, 2, 2, 2}, randomFloats(16, 2));
  Tensor y(DType::f32, {1, 1, 4, 4, 4});
  AttrList a;
  EXPECT_EQ(runKernel("ConvTranspose", {&x, &w}, {&y}, a, levels.back().isas), Isa::Ref);
}

}  // namespace
}  // namespace edgec::rt::testing
