// A Conv with a fused Sigmoid, SiLU or HardSwish epilogue (edge-fuse-epilogue) gives the
// ref kernels' bits of the unfused ops it replaces: Conv, then Sigmoid (and Mul(y,
// Sigmoid(y)) for SiLU) or HardSwish, each a ref kernel. The fusion may therefore never
// change a result on the oracle kernels; the x86 Conv's epilogues are checked against ref
// (and a double-precision naive conv) in x86_kernels_test.cpp.
#include <gtest/gtest.h>

#include "kernel_test_util.h"
#include "naive_ops.h"

namespace edgec::rt::testing {
namespace {

std::vector<float> refConv(const ConvCase &c, Tensor &x, Tensor &w, Tensor &b) {
  Tensor y(DType::f32, c.y());
  AttrList attrs;
  c.fill(attrs);
  EXPECT_EQ(runKernel("Conv", {&x, &w, &b}, {&y}, attrs), Isa::Ref);
  return y.values<float>();
}

TEST(FusedEpilogue, RefGivesTheBitsOfTheUnfusedOps) {
  uint32_t seed = 77;
  // Pointwise, 3x3 with stride and pads, depthwise; inputs wide enough that sigmoid
  // saturates and HardSwish's clamp is hit on both sides.
  const std::vector<ConvCase> shapes = {
      {{1, 8, 5, 5}, 6, 1, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}},
      {{2, 3, 9, 7}, 5, 1, {3, 3}, {2, 1}, {1, 1}, {1, 1, 1, 1}},
      {{1, 4, 6, 6}, 4, 4, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}},
  };
  for (const char *kind : {"Sigmoid", "Silu", "HardSwish"}) {
    for (ConvCase c : shapes) {
      Tensor x = Tensor::of<float>(c.x, randomFloats(numelOf(c.x), seed++, -4.f, 4.f));
      Tensor w = Tensor::of<float>(c.w(), randomFloats(numelOf(c.w()), seed++, -2.f, 2.f));
      Tensor b = Tensor::of<float>({c.outChannels}, randomFloats(c.outChannels, seed++));
      const std::vector<float> plain = refConv(c, x, w, b);
      c.activation = kind;
      const std::vector<float> fused = refConv(c, x, w, b);

      Tensor y = Tensor::of<float>(c.y(), plain), f(DType::f32, c.y());
      const std::string k = kind;
      runKernel(k == "HardSwish" ? "HardSwish" : "Sigmoid", {&y}, {&f});
      std::vector<float> unfused = f.values<float>();
      if (k == "Silu") {
        Tensor s = Tensor::of<float>(c.y(), unfused), out(DType::f32, c.y());
        runKernel("Mul", {&y, &s}, {&out});
        unfused = out.values<float>();
      }
      ASSERT_EQ(fused.size(), unfused.size());
      for (size_t i = 0; i < fused.size(); ++i)
        ASSERT_EQ(fused[i], unfused[i]) << kind << " at " << i << " of a conv on " << numelOf(c.x) << " inputs";
    }
  }
}

TEST(FusedEpilogue, ClampOnlyKernelsRejectFunctions) {
  // Gemm and MatMul take Relu/Clip epilogues only: a SiLU there is an error naming it.
  Tensor a = Tensor::of<float>({2, 3}, randomFloats(6, 1)), bm = Tensor::of<float>({3, 2}, randomFloats(6, 2));
  Tensor y(DType::f32, {2, 2});
  AttrList attrs;
  attrs.s("activation", "Silu");
  try {
    runKernel("MatMul", {&a, &bm}, {&y}, attrs);
    FAIL() << "MatMul accepted a Silu epilogue";
  } catch (const Error &e) {
    EXPECT_NE(std::string(e.what()).find("unsupported fused activation 'Silu'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace edgec::rt::testing
