// ConvMaxPool (the op for edge-fuse-conv-max-pool): the ref kernel gives the bits of
// the ref Conv and ref MaxPool it replaces, and the x86 kernel those of the x86 Conv and
// x86 MaxPool (AVX2 and AVX-512, 1, 2 and 3 threads: the threads split the pooled rows and
// each computes the Conv rows its windows read, those two threads share included):
// ResNet-18's stem (the indirect path on AVX-512), a ceil_mode pool size, odd sizes with a
// batch of two and asymmetric pads, pool strides 1 and (3, 2) (rows no window reads), a
// dilated pool window, and calls the fused rows do not take (a pool stride of 3 along W,
// a group-2 Conv, a Sigmoid activation, run-time weights), which run as the unfused
// kernels.
#include <gtest/gtest.h>

#include <cmath>

#include "kernel_test_util.h"

namespace edgec::rt::testing {
namespace {

struct Case {
  std::vector<int64_t> x;  // [N, C, H, W]
  int64_t M, k, group;     // the Conv: M output channels, k x k kernel
  std::vector<int64_t> strides, pads;
  const char *act;
  std::vector<int64_t> poolKernel, poolStrides, poolPads, poolDilations;
  bool ceil;  // the pool's ceil_mode output size
  const char *what;
};

const std::vector<Case> kCases = {
    {{1, 3, 224, 224}, 64, 7, 1, {2, 2}, {3, 3, 3, 3}, "Relu", {3, 3}, {2, 2}, {1, 1, 1, 1}, {1, 1}, false,
     "ResNet-18 stem"},
    {{1, 4, 92, 92}, 32, 3, 1, {1, 1}, {1, 1, 1, 1}, "Relu", {3, 3}, {2, 2}, {0, 0, 0, 0}, {1, 1}, true,
     "ceil_mode 92 -> 46"},
    {{2, 5, 33, 47}, 16, 3, 1, {1, 1}, {1, 0, 2, 1}, "Clip", {2, 2}, {2, 2}, {0, 0, 0, 0}, {1, 1}, false,
     "batch 2, odd sizes, asymmetric pads, 2x2 pool"},
    {{1, 3, 64, 64}, 32, 7, 1, {2, 2}, {3, 3, 3, 3}, "", {3, 3}, {1, 1}, {1, 1, 1, 1}, {1, 1}, false,
     "pool stride 1, no activation"},
    {{1, 3, 40, 48}, 16, 3, 1, {1, 1}, {1, 1, 1, 1}, "Relu", {2, 2}, {3, 2}, {0, 0, 1, 0}, {1, 1}, true,
     "pool strides 3, 2: rows no window reads"},
    {{1, 3, 40, 48}, 16, 3, 1, {1, 1}, {1, 1, 1, 1}, "Relu", {3, 3}, {2, 2}, {2, 2, 2, 2}, {2, 2}, false,
     "dilated pool"},
    {{1, 4, 20, 20}, 8, 3, 1, {1, 1}, {1, 1, 1, 1}, "Relu", {3, 3}, {3, 3}, {0, 0, 0, 0}, {1, 1}, false,
     "pool stride 3 (the unfused kernels)"},
    {{1, 4, 20, 20}, 8, 3, 2, {1, 1}, {1, 1, 1, 1}, "Relu", {3, 3}, {2, 2}, {1, 1, 1, 1}, {1, 1}, false,
     "group 2 (the unfused kernels)"},
    {{1, 4, 20, 20}, 8, 3, 1, {1, 1}, {1, 1, 1, 1}, "Sigmoid", {3, 3}, {2, 2}, {1, 1, 1, 1}, {1, 1}, false,
     "Sigmoid (the unfused kernels)"},
};

int64_t window(int64_t size, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t pe, bool ceil) {
  const int64_t avail = size + pb + pe - (d * (k - 1) + 1);
  return (ceil ? (avail + s - 1) / s : avail / s) + 1;
}

std::vector<int64_t> convShape(const Case &c) {
  std::vector<int64_t> y = {c.x[0], c.M};
  for (int d = 0; d < 2; ++d) y.push_back(window(c.x[2 + d], c.k, c.strides[d], 1, c.pads[d], c.pads[2 + d], false));
  return y;
}

std::vector<int64_t> outShape(const Case &c) {
  const std::vector<int64_t> v = convShape(c);
  std::vector<int64_t> y = {c.x[0], c.M};
  for (int d = 0; d < 2; ++d)
    y.push_back(window(v[2 + d], c.poolKernel[d], c.poolStrides[d], c.poolDilations[d], c.poolPads[d],
                       c.poolPads[2 + d], c.ceil));
  return y;
}

void addConv(AttrList &a, const Case &c) {
  a.i("group", c.group).ints("kernel_shape", {c.k, c.k}).ints("strides", c.strides);
  a.ints("dilations", {1, 1}).ints("pads", c.pads);
  const std::string act = c.act;
  if (!act.empty()) a.s("activation", c.act);
  if (act == "Relu") a.f("act_min", 0.f).f("act_max", 3.4e38f);
  if (act == "Clip") a.f("act_min", 0.f).f("act_max", 0.5f);
}

struct Inputs {
  Tensor x, w, b;
};

Inputs makeInputs(const Case &c, uint32_t seed) {
  const int64_t K = c.x[1] / c.group * c.k * c.k;
  return {Tensor::of<float>(c.x, randomFloats(numelOf(c.x), seed, -1.f, 1.f)),
          Tensor::of<float>({c.M, c.x[1] / c.group, c.k, c.k}, randomFloats(c.M * K, seed + 1, -0.5f, 0.5f)),
          Tensor::of<float>({c.M}, randomFloats(c.M, seed + 2, -0.5f, 0.5f))};
}

std::vector<float> fused(const Case &c, Inputs &in, const std::vector<Isa> &isas, int threads, bool constWeights,
                         Isa *chosen = nullptr) {
  Tensor y(DType::f32, outShape(c));
  AttrList a;
  addConv(a, c);
  a.ints("pool_kernel_shape", c.poolKernel).ints("pool_strides", c.poolStrides).ints("pool_pads", c.poolPads);
  a.ints("pool_dilations", c.poolDilations);
  const Isa isa =
      runKernelOnViews("ConvMaxPool", {&in.x.view(), &in.w.view(), &in.b.view()}, y.view(), isas, threads, &a, constWeights);
  if (chosen) *chosen = isa;
  return y.values<float>();
}

// The Conv and the MaxPool the pass replaces, on the best kernels among `isas`, the
// Conv's weights constant (as in a package).
std::vector<float> unfused(const Case &c, Inputs &in, const std::vector<Isa> &isas, int threads) {
  Tensor v(DType::f32, convShape(c));
  AttrList a1;
  addConv(a1, c);
  runKernelOnViews("Conv", {&in.x.view(), &in.w.view(), &in.b.view()}, v.view(), isas, threads, &a1, true);
  Tensor y(DType::f32, outShape(c));
  AttrList a2;
  a2.ints("kernel_shape", c.poolKernel).ints("strides", c.poolStrides).ints("pads", c.poolPads);
  a2.ints("dilations", c.poolDilations);
  runKernelOnViews("MaxPool", {&v.view()}, y.view(), isas, threads, &a2);
  return y.values<float>();
}

TEST(ConvMaxPool, RefIsTheUnfusedRefKernelsBitForBit) {
  uint32_t seed = 10;
  for (const Case &c : kCases) {
    if (numelOf(c.x) > 100000) continue;  // the stem: the ref Conv takes seconds
    Inputs in = makeInputs(c, seed += 10);
    const std::vector<float> want = unfused(c, in, {Isa::Ref}, 1);
    EXPECT_TRUE(sameBits(fused(c, in, {Isa::Ref}, 1, true), want)) << c.what;
    EXPECT_TRUE(sameBits(fused(c, in, {Isa::Ref}, 2, false), want)) << c.what << ": 2 threads, run-time weights";
  }
}

// The x86 kernel runs the x86 Conv's rows and the x86 MaxPool's rows: the unfused x86 bits
// at every thread count, and so within the x86 Conv's tolerance of ref (1e-4 relative,
// test/runtime/x86_kernels_test.cpp; here the worst is printed).
TEST(ConvMaxPool, X86IsTheUnfusedX86KernelsBitForBit) {
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
      EXPECT_TRUE(sameBits(fused(c, in, level.isas, 2, false), want))
          << level.name << " " << c.what << ": run-time weights (the unfused kernels)";
      if (numelOf(c.x) > 100000) continue;  // the stem: the ref Conv takes seconds
      const std::vector<float> ref = unfused(c, in, {Isa::Ref}, 1);
      float scale = 1.f;
      for (float v : ref) scale = std::max(scale, std::fabs(v));
      for (size_t i = 0; i < ref.size(); ++i) worst = std::max(worst, std::fabs(double(want[i]) - ref[i]) / scale);
      expectNear(want, ref, 1e-4f, std::string(level.name) + " " + c.what, scale);
    }
    std::printf("%s conv-max-pool vs ref: max |diff| / max |ref| = %.3g\n", level.name, worst);
  }
}

// A NaN out of the Conv (a NaN input) reaches the pool as in the unfused kernels: the
// x86 MaxPool skips a NaN that is not a window's first tap, whatever block it lies in.
TEST(ConvMaxPool, X86NaNsAsTheUnfusedKernels) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  const Case &c = kCases[3];
  for (const IsaLevel &level : x86Levels(false)) {
    Inputs in = makeInputs(c, 77);
    float *x = in.x.view().as<float>();
    for (int64_t i = 0; i < numelOf(c.x); i += 997) x[i] = std::nanf("");
    const std::vector<float> want = unfused(c, in, level.isas, 1);
    for (int threads : {1, 2, 3})
      EXPECT_TRUE(sameBits(fused(c, in, level.isas, threads, true), want)) << level.name << " " << threads << " threads";
  }
}

// Where the fused rows apply, C' is never whole in scratch: the x86 kernel asks for two
// blocks of Conv rows a thread (ResNet-18's stem: 2 x 7 of 112 rows), not for C' (3.2 MB)
// as the unfused kernels' path does (a pool stride of 3 along W).
TEST(ConvMaxPool, X86FusedRowsKeepConvOutputOutOfScratch) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  for (const IsaLevel &level : x86Levels(false))
    for (const auto &[c, fusedRows] : {std::pair<Case, bool>{kCases[0], true}, {kCases[6], false}}) {
      Inputs in = makeInputs(c, 5);
      Tensor y(DType::f32, outShape(c));
      AttrList a;
      addConv(a, c);
      a.ints("pool_kernel_shape", c.poolKernel).ints("pool_strides", c.poolStrides).ints("pool_pads", c.poolPads);
      a.ints("pool_dilations", c.poolDilations);
      const KernelSignature sig = viewSignature("ConvMaxPool", {&in.x.view(), &in.w.view(), &in.b.view()}, y.view(), &a, true);
      std::unique_ptr<Kernel> k = KernelRegistry::instance().create(sig, level.isas);
      k->prepare(sig);
      const size_t convBytes = size_t(numelOf(convShape(c))) * sizeof(float);
      EXPECT_EQ(k->scratchBytes() < convBytes, fusedRows)
          << level.name << " " << c.what << ": " << k->scratchBytes() << " bytes of scratch, C' " << convBytes;
    }
}

TEST(ConvMaxPool, RefusesMismatchedShapes) {
  const Case &c = kCases[2];
  Inputs in = makeInputs(c, 1);
  Tensor y(DType::f32, outShape(c));
  AttrList a;
  addConv(a, c);
  a.ints("pool_kernel_shape", {2}).ints("pool_strides", c.poolStrides);
  EXPECT_NE(errorOf([&] { runKernel("ConvMaxPool", {&in.x, &in.w, &in.b}, {&y}, a); }).find("pool_kernel_shape must have 2 values"),
            std::string::npos);
  AttrList ok;
  addConv(ok, c);
  ok.ints("pool_kernel_shape", c.poolKernel).ints("pool_strides", c.poolStrides);
  Tensor b = Tensor::of<float>({c.M + 1}, randomFloats(c.M + 1, 2));
  EXPECT_NE(errorOf([&] { runKernel("ConvMaxPool", {&in.x, &in.w, &b}, {&y}, ok); }).find("bias"), std::string::npos);
}

}  // namespace
}  // namespace edgec::rt::testing
