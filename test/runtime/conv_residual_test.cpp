// A Conv with a fused residual Add (edge-fuse-conv-residual): activation(conv + B + R)
// gives the bits of the unfused ops it replaces, Conv, Add and the activation, each run
// by the kernels of the same level (ref, and every x86 level this CPU has), on every
// path of the x86 Conv and at 1 and 2 threads. The fusion may therefore never change a
// result; the x86 Conv itself is checked against ref in x86_kernels_test.cpp.
#include <gtest/gtest.h>

#include "kernel_test_util.h"
#include "naive_ops.h"

namespace edgec::rt::testing {
namespace {

struct Level {
  std::vector<Isa> isas;
  Isa conv;  // the Conv kernel the level must pick
  const char *name;
};

std::vector<Level> levels() {
  std::vector<Level> out = {{{Isa::Ref}, Isa::Ref, "ref"}};
  for (const IsaLevel &l : x86Levels(false)) out.push_back({l.isas, l.expect, l.name});
  return out;
}

// Conv(x, w, b?, r?) with c's activation, weights constant as in a package.
std::vector<float> conv(const ConvCase &c, Tensor &x, Tensor &w, Tensor *b, Tensor *r, const Level &level,
                        int threads) {
  AttrList attrs;
  c.fill(attrs);
  Tensor y(DType::f32, c.y());
  std::vector<TensorView *> in = {&x.view(), &w.view(), b ? &b->view() : nullptr};
  if (r) in.push_back(&r->view());
  EXPECT_EQ(runKernelOnViews("Conv", in, y.view(), level.isas, threads, &attrs, /*constWeights=*/true), level.conv)
      << level.name;
  return y.values<float>();
}

// `op`(inputs) on the level's kernels.
std::vector<float> run(const std::string &op, std::vector<Tensor *> inputs, const std::vector<int64_t> &shape,
                       const Level &level, int threads) {
  Tensor y(DType::f32, shape);
  AttrList none;
  runKernel(op, inputs, {&y}, none, level.isas, threads);
  return y.values<float>();
}

// The unfused graph: Conv without activation, Add, then the activation as its own op.
std::vector<float> unfused(ConvCase c, Tensor &x, Tensor &w, Tensor *b, Tensor &r, const Level &level, int threads) {
  const std::string act = c.activation;
  c.activation = "";
  Tensor sum = Tensor::of<float>(c.y(), conv(c, x, w, b, nullptr, level, threads));
  sum = Tensor::of<float>(c.y(), run("Add", {&sum, &r}, c.y(), level, threads));
  if (act.empty()) return sum.values<float>();
  if (act == "Relu") return run("Relu", {&sum}, c.y(), level, threads);
  if (act == "Clip") {
    Tensor lo = Tensor::of<float>({}, {c.actMin}), hi = Tensor::of<float>({}, {c.actMax});
    return run("Clip", {&sum, &lo, &hi}, c.y(), level, threads);
  }
  // Silu: x * Sigmoid(x)
  Tensor gate = Tensor::of<float>(c.y(), run("Sigmoid", {&sum}, c.y(), level, threads));
  return run("Mul", {&sum, &gate}, c.y(), level, threads);
}

TEST(ConvResidual, GivesTheBitsOfTheUnfusedOpsOnEveryPath) {
  // The x86 Conv's paths: pointwise (split by columns, and by output channels when a
  // late 7x7 map has fewer column runs than threads), im2col with stride 2, depthwise
  // in row bands and channel-blocked (7x7 maps), Winograd (3x3 stride 1: in phases, and
  // in two bands of tile rows whose last tile row is partial; F(2x2) on 7x7), no bias.
  const std::vector<ConvCase> shapes = {
      {{1, 24, 14, 14}, 16, 1, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}},
      {{1, 40, 7, 7}, 36, 1, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}},
      {{1, 3, 29, 27}, 8, 1, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}},
      {{1, 6, 20, 70}, 6, 6, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}},
      {{2, 40, 7, 7}, 40, 40, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}},
      {{1, 16, 24, 24}, 20, 1, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}},
      {{1, 17, 21, 27}, 19, 1, {3, 3}, {1, 1}, {1, 1}, {3, 0, 2, 4}, /*bias=*/false},
      {{1, 16, 62, 46}, 16, 1, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}},
      // im2col in one block of 2304 taps; the direct path split over its taps (runSplitK:
      // 3x3 stride 2, 1152 taps, two panels), the residual after the halves' sum
      {{1, 256, 5, 5}, 52, 1, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}},
      {{1, 128, 9, 9}, 128, 1, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}},
      // Winograd F(2x2, 3x3) on a 7x7 map (ResNet's layer 4), the residual per channel
      {{1, 64, 7, 7}, 64, 1, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}},
  };
  uint32_t seed = 500;
  for (const Level &level : levels()) {
    for (ConvCase c : shapes) {
      for (const char *act : {"", "Relu", "Clip", "Silu"}) {
        c.activation = act;
        c.actMin = -0.25f;
        c.actMax = 0.5f;
        Tensor x = Tensor::of<float>(c.x, randomFloats(numelOf(c.x), seed++, -2.f, 2.f));
        Tensor w = Tensor::of<float>(c.w(), randomFloats(numelOf(c.w()), seed++, -1.f, 1.f));
        Tensor b = Tensor::of<float>({c.outChannels}, randomFloats(c.outChannels, seed++));
        Tensor r = Tensor::of<float>(c.y(), randomFloats(numelOf(c.y()), seed++, -2.f, 2.f));
        Tensor *bias = c.bias ? &b : nullptr;
        for (int threads : {1, 2}) {
          const std::vector<float> fused = conv(c, x, w, bias, &r, level, threads);
          const std::vector<float> expected = unfused(c, x, w, bias, r, level, threads);
          ASSERT_EQ(fused.size(), expected.size());
          for (size_t i = 0; i < fused.size(); ++i)
            ASSERT_EQ(fused[i], expected[i]) << level.name << ", activation '" << act << "', " << threads
                                             << " threads, conv on " << numelOf(c.x) << " inputs, output " << i;
        }
      }
    }
  }
}

TEST(ConvResidual, AResidualOfAnotherShapeIsAnErrorNamingIt) {
  ConvCase c{{1, 4, 6, 6}, 4, 1, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}};
  Tensor x = Tensor::of<float>(c.x, randomFloats(numelOf(c.x), 1));
  Tensor w = Tensor::of<float>(c.w(), randomFloats(numelOf(c.w()), 2));
  Tensor r = Tensor::of<float>({1, 4, 1, 1}, randomFloats(4, 3));
  for (const Level &level : levels()) {
    try {
      conv(c, x, w, nullptr, &r, level, 1);
      FAIL() << level.name << " accepted a [1, 4, 1, 1] residual for a [1, 4, 6, 6] output";
    } catch (const Error &e) {
      EXPECT_NE(std::string(e.what()).find("residual"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace edgec::rt::testing
