// PointwiseDepthwiseConv (the op edge-fuse-pointwise-depthwise creates): the ref kernel
// gives the bits of the two ref Convs it replaces, and the x86 kernel those of the two x86
// Convs (AVX2 and AVX-512, 1, 2 and 3 threads), within the x86 Conv's tolerance of ref:
// MobileNetV2's and EfficientNet-B0's blocks (the 112x112 expansion, 3x3 and 5x5, strides
// 1 and 2, ReLU6 and SiLU), a 7x7 map (the channel-blocked depthwise path), and odd
// channel counts, batches, asymmetric pads, dilation and every activation.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "kernel_test_util.h"

namespace edgec::rt::testing {
namespace {

struct Case {
  std::vector<int64_t> x;  // [N, C, H, W]
  int64_t M;               // expanded channels
  int64_t k;               // the depthwise kernel is k x k
  std::vector<int64_t> strides, dilations, pads;
  const char *pointwiseAct, *depthwiseAct;
  const char *what;
};

const std::vector<Case> kCases = {
    {{1, 16, 112, 112}, 96, 3, {2, 2}, {1, 1}, {1, 1, 1, 1}, "Clip", "Clip", "MobileNetV2 features.2"},
    {{1, 24, 56, 56}, 144, 3, {1, 1}, {1, 1}, {1, 1, 1, 1}, "Clip", "Clip", "MobileNetV2 features.3"},
    {{1, 24, 56, 56}, 144, 5, {2, 2}, {1, 1}, {2, 2, 2, 2}, "Silu", "Silu", "EfficientNet-B0 features.3.0"},
    {{1, 40, 28, 28}, 240, 5, {1, 1}, {1, 1}, {2, 2, 2, 2}, "Silu", "Silu", "EfficientNet-B0 features.3.1"},
    {{1, 40, 7, 7}, 240, 3, {1, 1}, {1, 1}, {1, 1, 1, 1}, "Relu", "HardSwish", "7x7 map (channel-blocked)"},
    {{2, 5, 9, 11}, 13, 3, {1, 1}, {1, 1}, {1, 0, 1, 2}, "", "", "batch 2, odd channels, asymmetric pads"},
    {{1, 8, 10, 10}, 20, 3, {1, 1}, {2, 2}, {2, 2, 2, 2}, "HardSwish", "Sigmoid", "dilation 2"},
    {{1, 8, 12, 9}, 24, 3, {2, 1}, {1, 1}, {1, 1, 1, 1}, "Sigmoid", "Relu", "strides 2, 1"},
};

std::vector<int64_t> outShape(const Case &c) {
  std::vector<int64_t> y = {c.x[0], c.M};
  for (int d = 0; d < 2; ++d) {
    const int64_t span = c.dilations[d] * (c.k - 1) + 1;
    y.push_back((c.x[2 + d] + c.pads[d] + c.pads[2 + d] - span) / c.strides[d] + 1);
  }
  return y;
}

void addActivation(AttrList &a, const char *prefix, const char *activation) {
  const std::string p = prefix, act = activation;
  if (!act.empty()) a.s((p + "activation").c_str(), activation);
  if (act == "Relu") a.f((p + "act_min").c_str(), 0.f).f((p + "act_max").c_str(), 3.4e38f);
  if (act == "Clip") a.f((p + "act_min").c_str(), 0.f).f((p + "act_max").c_str(), 6.f);
}

// The depthwise Conv's attributes, as edge.Conv carries them.
void addDepthwise(AttrList &a, const Case &c) {
  a.i("group", c.M).ints("kernel_shape", {c.k, c.k}).ints("strides", c.strides);
  a.ints("dilations", c.dilations).ints("pads", c.pads);
}

struct Inputs {
  Tensor x, w1, b1, w2, b2;
};

Inputs makeInputs(const Case &c, uint32_t seed) {
  const int64_t C = c.x[1];
  // Inputs and weights that put the expanded values on both sides of ReLU6's bounds.
  return {Tensor::of<float>(c.x, randomFloats(numelOf(c.x), seed, -1.f, 1.f)),
          Tensor::of<float>({c.M, C, 1, 1}, randomFloats(c.M * C, seed + 1, -2.f, 2.f)),
          Tensor::of<float>({c.M}, randomFloats(c.M, seed + 2, -0.5f, 1.f)),
          Tensor::of<float>({c.M, 1, c.k, c.k}, randomFloats(c.M * c.k * c.k, seed + 3, -1.f, 1.f)),
          Tensor::of<float>({c.M}, randomFloats(c.M, seed + 4, -0.5f, 0.5f))};
}

std::vector<float> fused(const Case &c, Inputs &in, const std::vector<Isa> &isas, int threads, bool constWeights,
                         Isa *chosen = nullptr) {
  Tensor y(DType::f32, outShape(c));
  AttrList a;
  addDepthwise(a, c);
  addActivation(a, "pointwise_", c.pointwiseAct);
  addActivation(a, "", c.depthwiseAct);
  const Isa isa = runKernelOnViews("PointwiseDepthwiseConv",
                                   {&in.x.view(), &in.w1.view(), &in.b1.view(), &in.w2.view(), &in.b2.view()},
                                   y.view(), isas, threads, &a, constWeights);
  if (chosen) *chosen = isa;
  return y.values<float>();
}

// The two Convs the pass replaces, one after the other, on the best kernel among `isas`
// with constant weights (as in a package).
std::vector<float> unfused(const Case &c, Inputs &in, const std::vector<Isa> &isas, int threads) {
  Tensor e(DType::f32, {c.x[0], c.M, c.x[2], c.x[3]});
  AttrList a1;
  a1.i("group", 1).ints("kernel_shape", {1, 1}).ints("strides", {1, 1}).ints("dilations", {1, 1});
  a1.ints("pads", {0, 0, 0, 0});
  addActivation(a1, "", c.pointwiseAct);
  runKernelOnViews("Conv", {&in.x.view(), &in.w1.view(), &in.b1.view()}, e.view(), isas, threads, &a1, true);
  Tensor y(DType::f32, outShape(c));
  AttrList a2;
  addDepthwise(a2, c);
  addActivation(a2, "", c.depthwiseAct);
  runKernelOnViews("Conv", {&e.view(), &in.w2.view(), &in.b2.view()}, y.view(), isas, threads, &a2, true);
  return y.values<float>();
}

TEST(PointwiseDepthwiseConv, RefIsTheUnfusedRefConvsBitForBit) {
  uint32_t seed = 10;
  for (const Case &c : kCases) {
    Inputs in = makeInputs(c, seed += 10);
    const std::vector<float> want = unfused(c, in, {Isa::Ref}, 1);
    EXPECT_TRUE(sameBits(fused(c, in, {Isa::Ref}, 1, true), want)) << c.what;
    EXPECT_TRUE(sameBits(fused(c, in, {Isa::Ref}, 2, false), want)) << c.what << ": 2 threads, run-time weights";
  }
}

// The x86 kernel runs the x86 Conv kernel's own paths on blocks of channels: the unfused
// x86 bits at every thread count, and so within the x86 Conv's tolerance of ref (1e-4
// relative, test/runtime/x86_kernels_test.cpp; here the worst is printed).
TEST(PointwiseDepthwiseConv, X86IsTheUnfusedX86ConvsBitForBit) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  for (const IsaLevel &level : x86Levels(false)) {
    uint32_t seed = 500;
    double worst = 0;
    for (const Case &c : kCases) {
      Inputs in = makeInputs(c, seed += 10);
      const std::vector<float> want = unfused(c, in, level.isas, 1);
      for (int threads : {1, 2, 3}) {
        Isa isa = Isa::Ref;
        EXPECT_TRUE(sameBits(fused(c, in, level.isas, threads, true, &isa), want))
            << level.name << " " << c.what << ": " << threads << " threads";
        EXPECT_EQ(isa, level.expect) << c.what;
      }
      const std::vector<float> ref = unfused(c, in, {Isa::Ref}, 1);
      float scale = 1.f;
      for (float v : ref) scale = std::max(scale, std::fabs(v));
      for (size_t i = 0; i < ref.size(); ++i) worst = std::max(worst, std::fabs(double(want[i]) - ref[i]) / scale);
      expectNear(want, ref, 1e-4f, std::string(level.name) + " " + c.what, scale);
    }
    std::printf("%s pointwise-depthwise vs ref: max |diff| / max |ref| = %.3g\n", level.name, worst);
  }
}

// Run-time pointwise weights (the x86 kernel packs them at prepare) and a 1x1 depthwise
// kernel (which the x86 Conv runs as per-group GEMMs, not on its depthwise path): ref
// takes the call, which a valid op never fails to run.
TEST(PointwiseDepthwiseConv, RunTimeWeightsAnd1x1DepthwiseGoToRef) {
  const Case c1x1 = {{1, 4, 6, 6}, 8, 1, {1, 1}, {1, 1}, {0, 0, 0, 0}, "Relu", "", "1x1 depthwise"};
  for (const auto &[c, constWeights] : {std::pair<Case, bool>{kCases[5], false}, {c1x1, true}}) {
    Inputs in = makeInputs(c, 3);
    Isa isa = Isa::X86Avx2;
    const std::vector<float> got = fused(c, in, {Isa::Ref, Isa::X86Avx2, Isa::X86Avx512}, 1, constWeights, &isa);
    EXPECT_EQ(isa, Isa::Ref) << c.what;
    EXPECT_TRUE(sameBits(got, unfused(c, in, {Isa::Ref}, 1))) << c.what;
  }
}

TEST(PointwiseDepthwiseConv, RefusesMismatchedShapesAndGroups) {
  const Case &c = kCases[5];
  Inputs in = makeInputs(c, 1);
  Tensor y(DType::f32, outShape(c));
  auto error = [&](Tensor &w1, Tensor &w2, int64_t group) {
    AttrList a;
    addDepthwise(a, c);
    AttrList g;
    g.i("group", group).ints("strides", c.strides).ints("dilations", c.dilations).ints("pads", c.pads);
    return errorOf([&] {
      runKernel("PointwiseDepthwiseConv", {&in.x, &w1, &in.b1, &w2, &in.b2}, {&y}, group == c.M ? a : g);
    });
  };
  Tensor w1Wrong = Tensor::of<float>({c.M, c.x[1], 3, 3}, randomFloats(c.M * c.x[1] * 9, 3));
  EXPECT_NE(error(w1Wrong, in.w2, c.M).find("pointwise weight must be [M, 5, 1, 1], got [13,5,3,3]"), std::string::npos)
      << error(w1Wrong, in.w2, c.M);
  Tensor w2Wrong = Tensor::of<float>({c.M, 2, 3, 3}, randomFloats(c.M * 18, 4));
  EXPECT_NE(error(in.w1, w2Wrong, c.M).find("depthwise weight must be [13, 1, kH, kW]"), std::string::npos);
  EXPECT_NE(error(in.w1, in.w2, 1).find("group must be 13 (depthwise), got 1"), std::string::npos);
}

}  // namespace
}  // namespace edgec::rt::testing
