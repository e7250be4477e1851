// Ref ConvTranspose (ref/conv_transpose.cpp) on small cases computed by hand, and on a
// random 3-D case with every attribute against a direct gather over the definition (per
// output: the inputs and taps that land on it). The ONNX node suite (conformance) is the
// outside reference.
#include "kernel_test_util.h"

namespace edgec::rt::testing {
namespace {

AttrList &convTransposeAttrs(AttrList &a, std::vector<int64_t> strides, std::vector<int64_t> pads,
                             std::vector<int64_t> dilations, std::vector<int64_t> outputPadding, int64_t group = 1) {
  return a.ints("strides", strides).ints("pads", pads).ints("dilations", dilations)
      .ints("output_padding", outputPadding).i("group", group);
}

// x = [1, 2, 3], w = [1, 10]: input i adds (i, 10·i) at positions i, i + 1.
TEST(RefConvTranspose, OneDimStrideOne) {
  Tensor x = Tensor::of<float>({1, 1, 3}, {1, 2, 3});
  Tensor w = Tensor::of<float>({1, 1, 2}, {1, 10});
  Tensor y(DType::f32, {1, 1, 4});
  AttrList a;
  runKernel("ConvTranspose", {&x, &w}, {&y}, convTransposeAttrs(a, {1}, {0, 0}, {1}, {0}));
  EXPECT_EQ(y.values<float>(), (std::vector<float>{1, 12, 23, 30}));
}

// Stride 2 spreads the inputs: full output [1, 10, 2, 20, 3, 30]; output_padding 1
// appends a position no tap reaches (bias only), the begin pad 1 drops the first.
TEST(RefConvTranspose, StridePadsOutputPaddingBias) {
  Tensor x = Tensor::of<float>({1, 1, 3}, {1, 2, 3});
  Tensor w = Tensor::of<float>({1, 1, 2}, {1, 10});
  Tensor b = Tensor::of<float>({1}, {0.5f});
  Tensor y(DType::f32, {1, 1, 6});
  AttrList a;
  runKernel("ConvTranspose", {&x, &w, &b}, {&y}, convTransposeAttrs(a, {2}, {1, 0}, {1}, {1}));
  EXPECT_EQ(y.values<float>(), (std::vector<float>{10.5f, 2.5f, 20.5f, 3.5f, 30.5f, 0.5f}));
}

// Dilation 2: input i reaches i and i + 2, so the two inputs interleave.
TEST(RefConvTranspose, Dilation) {
  Tensor x = Tensor::of<float>({1, 1, 2}, {1, 2});
  Tensor w = Tensor::of<float>({1, 1, 2}, {1, 10});
  Tensor y(DType::f32, {1, 1, 4});
  AttrList a;
  runKernel("ConvTranspose", {&x, &w}, {&y}, convTransposeAttrs(a, {1}, {0, 0}, {2}, {0}));
  EXPECT_EQ(y.values<float>(), (std::vector<float>{1, 2, 10, 20}));
}

// A 2x2 input under a 2x2 kernel of ones: each output sums the inputs that overlap it.
TEST(RefConvTranspose, TwoDimOverlaps) {
  Tensor x = Tensor::of<float>({1, 1, 2, 2}, {1, 2, 3, 4});
  Tensor w = Tensor::of<float>({1, 1, 2, 2}, {1, 1, 1, 1});
  Tensor y(DType::f32, {1, 1, 3, 3});
  AttrList a;
  runKernel("ConvTranspose", {&x, &w}, {&y}, convTransposeAttrs(a, {1, 1}, {0, 0, 0, 0}, {1, 1}, {0, 0}));
  EXPECT_EQ(y.values<float>(), (std::vector<float>{1, 3, 2, 4, 10, 6, 3, 7, 4}));
}

// W is [C, M, ...]: output m sums x_c · W[c, m] over the input channels; with group 2
// each output channel sees only its group's input channel.
TEST(RefConvTranspose, ChannelsAndGroups) {
  Tensor x = Tensor::of<float>({1, 2, 1, 1}, {1, 2});
  Tensor w = Tensor::of<float>({2, 2, 1, 1}, {1, 2, 3, 4});
  Tensor y(DType::f32, {1, 2, 1, 1});
  AttrList a;
  runKernel("ConvTranspose", {&x, &w}, {&y}, convTransposeAttrs(a, {1, 1}, {0, 0, 0, 0}, {1, 1}, {0, 0}));
  EXPECT_EQ(y.values<float>(), (std::vector<float>{1 * 1 + 2 * 3, 1 * 2 + 2 * 4}));

  Tensor wg = Tensor::of<float>({2, 1, 1, 1}, {2, 3});
  Tensor yg(DType::f32, {1, 2, 1, 1});
  AttrList g;
  runKernel("ConvTranspose", {&x, &wg}, {&yg}, convTransposeAttrs(g, {1, 1}, {0, 0, 0, 0}, {1, 1}, {0, 0}, 2));
  EXPECT_EQ(yg.values<float>(), (std::vector<float>{2, 6}));
}

// The definition read per output: y[n, m, o] = bias[m] + Σ x[n, c, i]·W[c, m', k] over
// the group's channels c and every (i, k) with i·S + k·D - pad = o in each dim.
std::vector<float> gatherConvTranspose(const std::vector<float> &x, const std::vector<int64_t> &xs,
                                       const std::vector<float> &w, const std::vector<int64_t> &ws,
                                       const std::vector<float> &b, const std::vector<int64_t> &ys,
                                       const std::vector<int64_t> &s, const std::vector<int64_t> &pads,
                                       const std::vector<int64_t> &dil, int64_t group) {
  const size_t nd = xs.size() - 2;
  const int64_t cg = xs[1] / group, mg = ws[1];
  std::vector<float> y(size_t(numelOf(ys)));
  std::vector<int64_t> yi(ys.size(), 0);
  for (float &out : y) {
    const int64_t n = yi[0], m = yi[1], g = m / mg;
    double acc = b.empty() ? 0 : b[size_t(m)];
    std::vector<int64_t> xi(xs.size()), wi(ws.size());
    for (int64_t c = 0; c < cg; ++c) {
      std::vector<int64_t> k(nd, 0);
      for (int64_t t = 0; t < numelOf(std::vector<int64_t>(ws.begin() + 2, ws.end())); ++t) {
        bool ok = true;
        for (size_t d = 0; d < nd && ok; ++d) {
          const int64_t num = yi[2 + d] + pads[d] - k[d] * dil[d];
          ok = num >= 0 && num % s[d] == 0 && num / s[d] < xs[2 + d];
          xi[2 + d] = ok ? num / s[d] : 0;
          wi[2 + d] = k[d];
        }
        if (ok) {
          xi[0] = n, xi[1] = g * cg + c, wi[0] = g * cg + c, wi[1] = m % mg;
          acc += double(x[size_t(flatIndex(xi, xs))]) * w[size_t(flatIndex(wi, ws))];
        }
        for (size_t d = nd; d-- > 0;) {
          if (++k[d] < ws[2 + d]) break;
          k[d] = 0;
        }
      }
    }
    out = float(acc);
    for (size_t d = ys.size(); d-- > 0;) {
      if (++yi[d] < ys[d]) break;
      yi[d] = 0;
    }
  }
  return y;
}

// 3-D, two groups, batch 2, uneven strides, dilations, pads and output_padding; the
// same bits with 1 and 3 threads (the split is over output channels).
TEST(RefConvTranspose, RandomThreeDimMatchesGather) {
  const std::vector<int64_t> xs = {2, 4, 3, 4, 2}, ws = {4, 3, 2, 3, 2};
  const std::vector<int64_t> s = {2, 1, 3}, pads = {1, 0, 2, 0, 2, 1}, dil = {1, 2, 1}, op = {1, 0, 2};
  std::vector<int64_t> ys = {2, 6};
  for (size_t d = 0; d < 3; ++d)
    ys.push_back(s[d] * (xs[2 + d] - 1) + op[d] + dil[d] * (ws[2 + d] - 1) + 1 - pads[d] - pads[3 + d]);
  std::vector<float> xv = randomFloats(numelOf(xs), 1), wv = randomFloats(numelOf(ws), 2), bv = randomFloats(6, 3);
  Tensor x = Tensor::of<float>(xs, xv), w = Tensor::of<float>(ws, wv), b = Tensor::of<float>({6}, bv);
  Tensor y1(DType::f32, ys), y3(DType::f32, ys);
  AttrList a1, a3;
  runKernel("ConvTranspose", {&x, &w, &b}, {&y1}, convTransposeAttrs(a1, s, pads, dil, op, 2));
  runKernel("ConvTranspose", {&x, &w, &b}, {&y3}, convTransposeAttrs(a3, s, pads, dil, op, 2), {Isa::Ref}, 3);
  expectNear(y1.values<float>(), gatherConvTranspose(xv, xs, wv, ws, bv, ys, s, pads, dil, 2), 1e-5f);
  EXPECT_EQ(y1.values<float>(), y3.values<float>());
}

TEST(RefConvTranspose, RejectsBadShapes) {
  Tensor x = Tensor::of<float>({1, 2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor w = Tensor::of<float>({2, 1, 2}, {1, 1, 1, 1});
  Tensor wrongOut(DType::f32, {1, 1, 5});  // the output is [1, 1, 4]
  AttrList a;
  EXPECT_THROW(runKernel("ConvTranspose", {&x, &w}, {&wrongOut}, convTransposeAttrs(a, {1}, {0, 0}, {1}, {0})), Error);
  Tensor w3 = Tensor::of<float>({3, 1, 2}, {1, 1, 1, 1, 1, 1});  // W's dim 0 must be C = 2
  Tensor y(DType::f32, {1, 1, 4});
  AttrList b;
  EXPECT_THROW(runKernel("ConvTranspose", {&x, &w3}, {&y}, convTransposeAttrs(b, {1}, {0, 0}, {1}, {0})), Error);
  Tensor x3 = Tensor::of<float>({1, 3, 1}, {1, 2, 3});
  Tensor w31 = Tensor::of<float>({3, 1, 1}, {1, 1, 1});
  Tensor y2(DType::f32, {1, 2, 1});
  AttrList c;  // group 2 does not divide 3 channels
  EXPECT_THROW(runKernel("ConvTranspose", {&x3, &w31}, {&y2}, convTransposeAttrs(c, {1}, {0, 0}, {1}, {0}, 2)), Error);
}

}  // namespace
}  // namespace edgec::rt::testing
