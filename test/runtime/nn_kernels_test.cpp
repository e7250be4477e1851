// Ref kernels for Conv, pooling, normalization, MatMul and Gemm against naive
// computations written from the ONNX definitions.
#include "naive_ops.h"

namespace edgec::rt::testing {
namespace {

// ---- Conv ----

std::vector<ConvCase> convCases() {
  return {
      // x, M, group, kernel, strides, dilations, pads, bias, activation
      {{1, 3, 7, 7}, 4, 1, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}},
      {{2, 4, 9, 8}, 6, 2, {3, 2}, {2, 1}, {1, 2}, {0, 1, 2, 0}, false},  // groups, asym pads
      {{1, 6, 10, 10}, 6, 6, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, true, "Relu"},  // depthwise
      {{1, 3, 8, 8}, 6, 3, {3, 3}, {1, 1}, {2, 2}, {2, 2, 2, 2}, true, "Clip", 0.f, 0.5f},
      {{1, 5, 6, 6}, 7, 1, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}},                    // pointwise
      {{2, 3, 11}, 4, 1, {4}, {3}, {2}, {2, 1}},                                     // 1-D
      {{1, 2, 5, 4, 6}, 4, 2, {2, 3, 2}, {1, 2, 2}, {2, 1, 1}, {1, 0, 1, 0, 1, 1}},  // 3-D
      {{1, 2, 3, 3}, 2, 1, {3, 3}, {1, 1}, {1, 1}, {3, 3, 3, 3}, false},  // windows all padding
  };
}

TEST(RefConv, MatchesNaiveConvolution) {
  uint32_t seed = 100;
  for (const ConvCase &c : convCases()) {
    const std::vector<float> x = randomFloats(numelOf(c.x), seed++);
    const std::vector<float> w = randomFloats(numelOf(c.w()), seed++);
    const std::vector<float> b = randomFloats(c.outChannels, seed++);
    Tensor tx = Tensor::of<float>(c.x, x), tw = Tensor::of<float>(c.w(), w);
    Tensor tb = Tensor::of<float>({c.outChannels}, b);
    Tensor y(DType::f32, c.y());
    AttrList attrs;
    c.fill(attrs);
    runKernel("Conv", {&tx, &tw, c.bias ? &tb : nullptr}, {&y}, attrs);
    expectNear(y.values<float>(), naiveConv(c, x, w, b), 1e-5f,
               "conv x" + std::to_string(c.x.size()) + " seed " + std::to_string(seed));
  }
}

TEST(RefConv, PrepareValidatesShapesAndAttributes) {
  Tensor x(DType::f32, {1, 4, 5, 5}), w(DType::f32, {6, 2, 3, 3}), y(DType::f32, {1, 6, 3, 3});
  AttrList g2;
  g2.i("group", 2);
  EXPECT_NO_THROW(runKernel("Conv", {&x, &w, nullptr}, {&y}, g2));
  AttrList g1;  // W says 2 channels per group but X has 4 with group 1
  EXPECT_THROW(runKernel("Conv", {&x, &w, nullptr}, {&y}, g1), Error);
  Tensor bad(DType::f32, {1, 6, 4, 4});
  AttrList g2b;
  g2b.i("group", 2);
  EXPECT_THROW(runKernel("Conv", {&x, &w, nullptr}, {&bad}, g2b), Error);
  Tensor bias(DType::f32, {5});
  AttrList g2c;
  g2c.i("group", 2);
  EXPECT_THROW(runKernel("Conv", {&x, &w, &bias}, {&y}, g2c), Error);
  AttrList act;
  act.i("group", 2).s("activation", "Gelu");
  EXPECT_THROW(runKernel("Conv", {&x, &w, nullptr}, {&y}, act), Error);
}

// ---- pooling ----

struct PoolCase {
  std::vector<int64_t> x;  // [N, C, H, W]
  std::vector<int64_t> kernel, strides, dilations, pads;
  bool ceil = false;
};

std::vector<int64_t> poolOut(const PoolCase &c) {
  std::vector<int64_t> s = {c.x[0], c.x[1]};
  for (int d = 0; d < 2; ++d) {
    const int64_t room =
        c.x[2 + d] + c.pads[d] + c.pads[2 + d] - c.dilations[d] * (c.kernel[d] - 1) - 1;
    int64_t o = (c.ceil ? (room + c.strides[d] - 1) / c.strides[d] : room / c.strides[d]) + 1;
    // A ceil_mode window must start inside the input or the begin padding.
    if (c.ceil && (o - 1) * c.strides[d] >= c.x[2 + d] + c.pads[d]) --o;
    s.push_back(o);
  }
  return s;
}

void fillPool(const PoolCase &c, AttrList &attrs) {
  attrs.ints("kernel_shape", c.kernel).ints("strides", c.strides).ints("pads", c.pads);
  attrs.ints("dilations", c.dilations);
}

const std::vector<PoolCase> kPoolCases = {
    {{1, 2, 6, 6}, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}},
    {{2, 1, 5, 7}, {2, 3}, {2, 2}, {1, 1}, {0, 0, 0, 0}, true},  // ceil_mode: clipped edges
    {{1, 3, 6, 5}, {3, 2}, {1, 2}, {1, 1}, {2, 0, 1, 1}, true},  // asymmetric pads
    {{1, 1, 7, 7}, {2, 2}, {1, 2}, {2, 3}, {1, 1, 0, 1}},        // dilations (MaxPool)
};

TEST(RefPool, MaxPoolWithPadsCeilModeAndDilations) {
  uint32_t seed = 200;
  for (const PoolCase &c : kPoolCases) {
    const std::vector<float> x = randomFloats(numelOf(c.x), seed++);
    Tensor tx = Tensor::of<float>(c.x, x);
    const std::vector<int64_t> ys = poolOut(c);
    Tensor y(DType::f32, ys);
    AttrList attrs;
    fillPool(c, attrs);
    runKernel("MaxPool", {&tx}, {&y}, attrs);
    for (int64_t f = 0; f < numelOf(ys); ++f) {
      const std::vector<int64_t> o = unflatIndex(f, ys);
      float m = -std::numeric_limits<float>::infinity();
      for (int64_t kh = 0; kh < c.kernel[0]; ++kh) {
        for (int64_t kw = 0; kw < c.kernel[1]; ++kw) {
          const int64_t h = o[2] * c.strides[0] - c.pads[0] + kh * c.dilations[0];
          const int64_t w = o[3] * c.strides[1] - c.pads[1] + kw * c.dilations[1];
          if (h >= 0 && h < c.x[2] && w >= 0 && w < c.x[3])
            m = std::max(m, x[flatIndex({o[0], o[1], h, w}, c.x)]);
        }
      }
      ASSERT_EQ(y.values<float>()[f], m) << "case seed " << seed << " at " << f;
    }
  }
}

TEST(RefPool, MaxPoolInt8) {
  Tensor x = Tensor::of<int8_t>({1, 1, 2, 3}, {-128, -100, 5, -7, 127, -1});
  Tensor y(DType::i8, {1, 1, 1, 2});
  AttrList attrs;
  attrs.ints("kernel_shape", {2, 2}).ints("strides", {1, 1});
  runKernel("MaxPool", {&x}, {&y}, attrs);
  EXPECT_EQ(y.values<int8_t>(), (std::vector<int8_t>{127, 127}));
}

TEST(RefPool, AveragePoolCountIncludePad) {
  uint32_t seed = 300;
  for (const PoolCase &c : kPoolCases) {
    if (c.dilations != std::vector<int64_t>{1, 1}) continue;
    for (int includePad : {0, 1}) {
      const std::vector<float> x = randomFloats(numelOf(c.x), seed++);
      Tensor tx = Tensor::of<float>(c.x, x);
      const std::vector<int64_t> ys = poolOut(c);
      Tensor y(DType::f32, ys);
      AttrList attrs;
      attrs.i("count_include_pad", includePad);
      attrs.ints("kernel_shape", c.kernel).ints("strides", c.strides).ints("pads", c.pads);
      runKernel("AveragePool", {&tx}, {&y}, attrs);
      for (int64_t f = 0; f < numelOf(ys); ++f) {
        const std::vector<int64_t> o = unflatIndex(f, ys);
        // The window [start, start + k) is clipped to the padded input [-pad, in + pad_end)
        // for the divisor (count_include_pad) and to the input for the sum.
        int64_t lo[2], hi[2], padLo[2], padHi[2];
        for (int d = 0; d < 2; ++d) {
          const int64_t start = o[2 + d] * c.strides[d] - c.pads[d];
          padLo[d] = start;
          padHi[d] = std::min(start + c.kernel[d], c.x[2 + d] + c.pads[2 + d]);
          lo[d] = std::max<int64_t>(start, 0);
          hi[d] = std::min(start + c.kernel[d], c.x[2 + d]);
        }
        double sum = 0;
        for (int64_t h = lo[0]; h < hi[0]; ++h)
          for (int64_t w = lo[1]; w < hi[1]; ++w) sum += x[flatIndex({o[0], o[1], h, w}, c.x)];
        const double count = includePad ? double(padHi[0] - padLo[0]) * (padHi[1] - padLo[1])
                                        : double(hi[0] - lo[0]) * (hi[1] - lo[1]);
        ASSERT_NEAR(y.values<float>()[f], sum / count, 1e-6)
            << "include_pad " << includePad << " at " << f;
      }
    }
  }
}

TEST(RefPool, GlobalAveragePool) {
  const std::vector<float> x = randomFloats(2 * 3 * 4 * 5, 400);
  Tensor tx = Tensor::of<float>({2, 3, 4, 5}, x);
  Tensor y(DType::f32, {2, 3, 1, 1});
  runKernel("GlobalAveragePool", {&tx}, {&y});
  for (int p = 0; p < 6; ++p) {
    double s = 0;
    for (int i = 0; i < 20; ++i) s += x[p * 20 + i];
    EXPECT_NEAR(y.values<float>()[p], s / 20, 1e-6);
  }
  Tensor bad(DType::f32, {2, 3});
  EXPECT_THROW(runKernel("GlobalAveragePool", {&tx}, {&bad}), Error);
}

TEST(RefPool, PrepareRejectsInconsistentOutput) {
  Tensor x(DType::f32, {1, 1, 6, 6}), y(DType::f32, {1, 1, 5, 5});
  AttrList attrs;
  attrs.ints("kernel_shape", {2, 2}).ints("strides", {2, 2});
  EXPECT_THROW(runKernel("MaxPool", {&x}, {&y}, attrs), Error);
}

// ---- normalization ----

TEST(RefNormalization, SoftmaxAlongMiddleAxis) {
  std::vector<float> x = randomFloats(24, 500, -3.f, 3.f);
  x[5] = 1000.f;  // large inputs must not overflow
  Tensor tx = Tensor::of<float>({2, 3, 4}, x);
  Tensor y(DType::f32, {2, 3, 4});
  AttrList attrs;
  attrs.i("axis", 1);
  runKernel("Softmax", {&tx}, {&y}, attrs);
  for (int n = 0; n < 2; ++n) {
    for (int k = 0; k < 4; ++k) {
      double mx = -1e30, sum = 0;
      for (int c = 0; c < 3; ++c) mx = std::max(mx, double(x[n * 12 + c * 4 + k]));
      for (int c = 0; c < 3; ++c) sum += std::exp(x[n * 12 + c * 4 + k] - mx);
      for (int c = 0; c < 3; ++c)
        EXPECT_NEAR(y.values<float>()[n * 12 + c * 4 + k],
                    std::exp(x[n * 12 + c * 4 + k] - mx) / sum, 1e-6);
    }
  }
}

TEST(RefNormalization, LayerNormalizationWithStatistics) {
  const std::vector<float> x = randomFloats(2 * 3 * 4, 501), scale = randomFloats(12, 502);
  const std::vector<float> bias = randomFloats(4, 503);  // broadcast over [3, 4]
  Tensor tx = Tensor::of<float>({2, 3, 4}, x), ts = Tensor::of<float>({3, 4}, scale);
  Tensor tb = Tensor::of<float>({4}, bias);
  Tensor y(DType::f32, {2, 3, 4}), mean(DType::f32, {2, 1, 1}), inv(DType::f32, {2, 1, 1});
  AttrList attrs;
  attrs.i("axis", 1).f("epsilon", 1e-3f);
  runKernel("LayerNormalization", {&tx, &ts, &tb}, {&y, &mean, &inv}, attrs);
  for (int n = 0; n < 2; ++n) {
    double m = 0, v = 0;
    for (int i = 0; i < 12; ++i) m += x[n * 12 + i];
    m /= 12;
    for (int i = 0; i < 12; ++i) v += (x[n * 12 + i] - m) * (x[n * 12 + i] - m);
    v /= 12;
    const double is = 1 / std::sqrt(v + 1e-3);
    EXPECT_NEAR(mean.values<float>()[n], m, 1e-6);
    EXPECT_NEAR(inv.values<float>()[n], is, 1e-5);
    for (int i = 0; i < 12; ++i)
      EXPECT_NEAR(y.values<float>()[n * 12 + i], (x[n * 12 + i] - m) * is * scale[i] + bias[i % 4],
                  1e-5);
  }
  // Without B and without the optional outputs.
  Tensor y2(DType::f32, {2, 3, 4});
  AttrList attrs2;
  attrs2.i("axis", 1).f("epsilon", 1e-3f);
  runKernel("LayerNormalization", {&tx, &ts, nullptr}, {&y2, nullptr, nullptr}, attrs2);
  for (int i = 0; i < 24; ++i)
    EXPECT_NEAR(y2.values<float>()[i], y.values<float>()[i] - bias[i % 4], 1e-5);
}

TEST(RefNormalization, BatchNormalizationInference) {
  const std::vector<float> x = randomFloats(2 * 3 * 5, 504);
  const std::vector<float> s = randomFloats(3, 505), b = randomFloats(3, 506);
  const std::vector<float> m = randomFloats(3, 507), v = randomFloats(3, 508, 0.1f, 2.f);
  Tensor tx = Tensor::of<float>({2, 3, 5}, x), ts = Tensor::of<float>({3}, s);
  Tensor tb = Tensor::of<float>({3}, b), tm = Tensor::of<float>({3}, m),
         tv = Tensor::of<float>({3}, v);
  Tensor y(DType::f32, {2, 3, 5});
  AttrList attrs;
  attrs.f("epsilon", 1e-2f);
  runKernel("BatchNormalization", {&tx, &ts, &tb, &tm, &tv}, {&y}, attrs);
  for (int i = 0; i < 30; ++i) {
    const int c = (i / 5) % 3;
    EXPECT_NEAR(y.values<float>()[i], (x[i] - m[c]) / std::sqrt(v[c] + 1e-2) * s[c] + b[c], 1e-5);
  }
  Tensor wrong(DType::f32, {2});
  EXPECT_THROW(runKernel("BatchNormalization", {&tx, &wrong, &tb, &tm, &tv}, {&y}, attrs), Error);
}

// ---- MatMul / Gemm ----

struct MatMulCase {
  std::vector<int64_t> a, b;
};

const std::vector<MatMulCase> kMatMulCases = {
    {{3, 4}, {4, 5}},          {{4}, {4, 5}},       {{3, 4}, {4}},    {{4}, {4}},
    {{2, 1, 3, 4}, {3, 4, 5}}, {{2, 3, 4}, {4, 6}}, {{5}, {2, 5, 3}}, {{1, 7, 1}, {2, 1, 2}},
};

TEST(RefLinalg, MatMulBroadcastsBatchesAndVectors) {
  uint32_t seed = 600;
  for (const MatMulCase &c : kMatMulCases) {
    const std::vector<float> a = randomFloats(numelOf(c.a), seed++),
                             b = randomFloats(numelOf(c.b), seed++);
    std::vector<int64_t> ys;
    const std::vector<float> expected = naiveMatMul(c.a, a, c.b, b, &ys);
    Tensor ta = Tensor::of<float>(c.a, a), tb = Tensor::of<float>(c.b, b), y(DType::f32, ys);
    runKernel("MatMul", {&ta, &tb}, {&y});
    expectNear(y.values<float>(), expected, 1e-5f, "matmul seed " + std::to_string(seed));
  }
  Tensor a(DType::f32, {3, 4}), b(DType::f32, {5, 6}), y(DType::f32, {3, 6});
  EXPECT_THROW(runKernel("MatMul", {&a, &b}, {&y}), Error);
}

struct GemmCase {
  int64_t M, N, K;
  bool transA, transB;
  float alpha, beta;
  std::vector<int64_t> c;  // shape of C; {-1} = no C
};

const std::vector<GemmCase> kGemmCases = {
    {3, 5, 4, false, false, 1.f, 1.f, {3, 5}}, {3, 5, 4, true, false, 0.5f, 2.f, {5}},
    {3, 5, 4, false, true, 1.f, -1.f, {3, 1}}, {3, 5, 4, true, true, 2.f, 0.5f, {}},
    {1, 7, 9, false, true, 1.f, 1.f, {1, 7}},  {6, 2, 3, false, false, 1.f, 1.f, {-1}},
};

TEST(RefLinalg, GemmTransposesAndBroadcastsC) {
  uint32_t seed = 700;
  for (const GemmCase &g : kGemmCases) {
    const bool hasC = g.c != std::vector<int64_t>{-1};
    const std::vector<float> a = randomFloats(g.M * g.K, seed++),
                             b = randomFloats(g.K * g.N, seed++);
    const std::vector<float> c = hasC ? randomFloats(numelOf(g.c), seed++) : std::vector<float>{};
    Tensor ta = Tensor::of<float>(
        g.transA ? std::vector<int64_t>{g.K, g.M} : std::vector<int64_t>{g.M, g.K}, a);
    Tensor tb = Tensor::of<float>(
        g.transB ? std::vector<int64_t>{g.N, g.K} : std::vector<int64_t>{g.K, g.N}, b);
    Tensor tc =
        Tensor::of<float>(hasC ? g.c : std::vector<int64_t>{}, hasC ? c : std::vector<float>{0.f});
    Tensor y(DType::f32, {g.M, g.N});
    AttrList attrs;
    attrs.i("transA", g.transA).i("transB", g.transB).f("alpha", g.alpha).f("beta", g.beta);
    runKernel("Gemm", {&ta, &tb, hasC ? &tc : nullptr}, {&y}, attrs);
    expectNear(y.values<float>(),
               naiveGemm(g.M, g.N, g.K, g.transA, g.transB, g.alpha, g.beta, a, b, g.c, c), 1e-5f,
               "gemm seed " + std::to_string(seed));
  }
}

TEST(RefLinalg, GemmFusedActivationAndValidation) {
  const std::vector<float> a = randomFloats(12, 800), b = randomFloats(12, 801);
  Tensor ta = Tensor::of<float>({3, 4}, a), tb = Tensor::of<float>({4, 3}, b);
  Tensor y(DType::f32, {3, 3});
  AttrList attrs;
  attrs.s("activation", "Clip").f("act_min", -0.1f).f("act_max", 0.2f);
  runKernel("Gemm", {&ta, &tb, nullptr}, {&y}, attrs);
  const std::vector<float> plain = naiveGemm(3, 3, 4, false, false, 1.f, 1.f, a, b, {}, {});
  for (int i = 0; i < 9; ++i)
    EXPECT_NEAR(y.values<float>()[i], std::min(std::max(plain[i], -0.1f), 0.2f), 1e-6);
  Tensor badC(DType::f32, {2, 3});
  AttrList none;
  EXPECT_THROW(runKernel("Gemm", {&ta, &tb, &badC}, {&y}, none), Error);
}

}  // namespace
}  // namespace edgec::rt::testing
