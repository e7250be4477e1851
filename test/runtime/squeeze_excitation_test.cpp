// SqueezeExcitation (the op edge-fuse-squeeze-excitation creates): the ref kernel gives the
// bits of the unfused ref ops it replaces (GlobalAveragePool, Conv, Conv, HardSigmoid when
// it is the gate, Mul; run one by one through the registry), and the x86 kernel stays
// within the bound runtime/kernels/README.md states of ref, with the same bits at 1, 2 and
// 3 threads and with constant (prepared) or run-time weights: EfficientNet's and
// MobileNetV3's blocks, every reduce activation, channel counts that are not a multiple
// of the vector width, batches, a 1-D map and a 1x1 map.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "kernel_test_util.h"

namespace edgec::rt::testing {
namespace {

struct Case {
  std::vector<int64_t> x;  // [N, C, D...]
  int64_t C1;
  const char *activation;  // the reduce Conv's
  bool hardSigmoid;        // gate: HardSigmoid (MobileNetV3's 1/6, 1/2), else Sigmoid
  const char *what;
};

const std::vector<Case> kCases = {
    {{1, 96, 14, 14}, 4, "Silu", false, "EfficientNet (SiLU, Sigmoid)"},
    {{1, 1152, 7, 7}, 48, "Silu", false, "EfficientNet's widest"},
    {{1, 72, 28, 28}, 24, "Relu", true, "MobileNetV3 (Relu, HardSigmoid)"},
    {{2, 37, 5, 9}, 9, "", true, "batch 2, odd channels, no activation"},
    {{1, 20, 6, 6}, 5, "Clip", false, "Clip"},
    {{1, 19, 4, 4}, 33, "Sigmoid", true, "Sigmoid, C1 > C"},
    {{1, 40, 3, 3}, 8, "HardSwish", false, "HardSwish"},
    {{3, 24, 50}, 6, "Relu", false, "1-D map"},
    {{1, 64, 1, 1}, 16, "Silu", false, "1x1 map"},
};

std::vector<int64_t> pooled(const Case &c) {
  std::vector<int64_t> s(c.x.size(), 1);
  s[0] = c.x[0];
  s[1] = c.x[1];
  return s;
}
std::vector<int64_t> weightShape(const Case &c, int64_t m, int64_t k) {
  std::vector<int64_t> s(c.x.size(), 1);
  s[0] = m;
  s[1] = k;
  return s;
}

struct Inputs {
  Tensor x, w1, b1, w2, b2;
};

Inputs makeInputs(const Case &c, uint32_t seed) {
  const int64_t C = c.x[1];
  // Plane means near 0 (inputs in [-1, 1]) and weights that put the reduce outputs on
  // both sides of each activation's bends and the gate over its whole range.
  return {Tensor::of<float>(c.x, randomFloats(numelOf(c.x), seed, -1.f, 1.5f)),
          Tensor::of<float>(weightShape(c, c.C1, C), randomFloats(c.C1 * C, seed + 1, -2.f, 2.f)),
          Tensor::of<float>({c.C1}, randomFloats(c.C1, seed + 2, -0.5f, 0.5f)),
          Tensor::of<float>(weightShape(c, C, c.C1), randomFloats(C * c.C1, seed + 3, -3.f, 3.f)),
          Tensor::of<float>({C}, randomFloats(C, seed + 4, -1.f, 1.f))};
}

// A Conv epilogue's attributes, as edge-fuse-activation and edge-fuse-epilogue write them.
void addActivation(AttrList &a, const char *activation) {
  if (*activation) a.s("activation", activation);
  if (std::string(activation) == "Relu") a.f("act_min", 0.f).f("act_max", 3.4e38f);
  if (std::string(activation) == "Clip") a.f("act_min", -0.25f).f("act_max", 0.75f);
}

AttrList attrs(const Case &c) {
  AttrList a;
  addActivation(a, c.activation);
  a.s("gate", c.hardSigmoid ? "HardSigmoid" : "Sigmoid");
  if (c.hardSigmoid) a.f("gate_alpha", float(1.0 / 6.0)).f("gate_beta", 0.5f);
  return a;
}

std::vector<float> fused(const Case &c, Inputs &in, const std::vector<Isa> &isas, int threads, bool constWeights,
                         Isa *chosen = nullptr) {
  Tensor y(DType::f32, c.x);
  AttrList a = attrs(c);
  const Isa isa = runKernelOnViews("SqueezeExcitation", {&in.x.view(), &in.w1.view(), &in.b1.view(), &in.w2.view(),
                                                         &in.b2.view()},
                                   y.view(), isas, threads, &a, constWeights);
  if (chosen) *chosen = isa;
  return y.values<float>();
}

// The chain the pass replaces, op by op on the ref kernels.
std::vector<float> unfusedRef(const Case &c, Inputs &in) {
  const int64_t C = c.x[1];
  const size_t nd = c.x.size() - 2;
  Tensor m(DType::f32, pooled(c));
  runKernel("GlobalAveragePool", {&in.x}, {&m});
  auto conv = [&](Tensor &x, Tensor &w, Tensor &b, int64_t outChannels, const char *activation) {
    std::vector<int64_t> shape = pooled(c);
    shape[1] = outChannels;
    Tensor y(DType::f32, shape);
    AttrList a;
    a.i("group", 1).ints("kernel_shape", std::vector<int64_t>(nd, 1)).ints("strides", std::vector<int64_t>(nd, 1));
    a.ints("pads", std::vector<int64_t>(2 * nd, 0)).ints("dilations", std::vector<int64_t>(nd, 1));
    addActivation(a, activation);
    runKernel("Conv", {&x, &w, &b}, {&y}, a);
    return y;
  };
  Tensor h = conv(m, in.w1, in.b1, c.C1, c.activation);
  Tensor s = conv(h, in.w2, in.b2, C, c.hardSigmoid ? "" : "Sigmoid");
  if (c.hardSigmoid) {
    Tensor g(DType::f32, s.shape());
    AttrList a;
    a.f("alpha", float(1.0 / 6.0)).f("beta", 0.5f);
    runKernel("HardSigmoid", {&s}, {&g}, a);
    s = std::move(g);
  }
  Tensor y(DType::f32, c.x);
  runKernel("Mul", {&in.x, &s}, {&y});
  return y.values<float>();
}

TEST(SqueezeExcitation, RefIsTheUnfusedRefOpsBitForBit) {
  uint32_t seed = 10;
  for (const Case &c : kCases) {
    Inputs in = makeInputs(c, seed += 10);
    const std::vector<float> want = unfusedRef(c, in);
    EXPECT_TRUE(sameBits(fused(c, in, {Isa::Ref}, 1, false), want)) << c.what;
    EXPECT_TRUE(sameBits(fused(c, in, {Isa::Ref}, 2, true), want)) << c.what << ": 2 threads, constant weights";
  }
}

// The bound runtime/kernels/README.md states: |x86 - ref| <= 5e-5 (1 + |ref|) per element
// (fmas against ref's products and sums over up to 1152 channels: ~2e-5 relative in a gate).
TEST(SqueezeExcitation, X86WithinBoundOfRefAndThreadIndependent) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  for (const IsaLevel &level : x86Levels(false)) {
    uint32_t seed = 500;
    double worst = 0;
    for (const Case &c : kCases) {
      Inputs in = makeInputs(c, seed += 10);
      const std::vector<float> want = fused(c, in, {Isa::Ref}, 1, false);
      Isa isa = Isa::Ref;
      const std::vector<float> got = fused(c, in, level.isas, 1, true, &isa);
      EXPECT_EQ(isa, Isa::X86Avx2) << c.what;  // one AVX2 kernel serves both levels
      EXPECT_TRUE(sameBits(fused(c, in, level.isas, 1, false), got)) << level.name << " " << c.what << ": run-time weights";
      for (int threads : {2, 3})
        EXPECT_TRUE(sameBits(fused(c, in, level.isas, threads, true), got)) << level.name << " " << c.what << ": " << threads;
      ASSERT_EQ(got.size(), want.size());
      for (size_t i = 0; i < got.size(); ++i) {
        const double err = std::fabs(double(got[i]) - want[i]) / (1.0 + std::fabs(want[i]));
        worst = std::max(worst, err);
        EXPECT_LE(err, 5e-5) << level.name << " " << c.what << " at " << i << ": " << got[i] << " vs " << want[i];
      }
    }
    std::printf("%s squeeze-excitation vs ref: max |diff| / (1 + |ref|) = %.3g\n", level.name, worst);
  }
}

TEST(SqueezeExcitation, RefusesMismatchedShapesAndUnknownGates) {
  const Case c = kCases[3];
  Inputs in = makeInputs(c, 1);
  Tensor y(DType::f32, c.x);
  Tensor w1Wrong = Tensor::of<float>({c.C1, c.x[1] + 1, 1, 1}, randomFloats(c.C1 * (c.x[1] + 1), 3));
  AttrList a = attrs(c);
  const std::string e1 = errorOf([&] { runKernel("SqueezeExcitation", {&in.x, &w1Wrong, &in.b1, &in.w2, &in.b2}, {&y}, a); });
  EXPECT_NE(e1.find("reduce weight must be [C1, 37, 1...]"), std::string::npos) << e1;
  Tensor b2Wrong = Tensor::of<float>({5}, randomFloats(5, 4));
  AttrList a2 = attrs(c);
  const std::string e2 = errorOf([&] { runKernel("SqueezeExcitation", {&in.x, &in.w1, &in.b1, &in.w2, &b2Wrong}, {&y}, a2); });
  EXPECT_NE(e2.find("expand bias"), std::string::npos) << e2;
  AttrList a3;
  a3.s("gate", "Tanh");
  const std::string e3 = errorOf([&] { runKernel("SqueezeExcitation", {&in.x, &in.w1, &in.b1, &in.w2, &in.b2}, {&y}, a3); });
  EXPECT_NE(e3.find("unsupported gate 'Tanh'"), std::string::npos) << e3;
}

}  // namespace
}  // namespace edgec::rt::testing
