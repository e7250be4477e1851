// The int8 PointwiseDepthwiseConv (edge-fuse-pointwise-depthwise on static INT8's Convs):
// the ref kernel gives the codes of the two ref quantized Convs it replaces, and the x86
// kernel (AVX2, AVX-512 VNNI; 1, 2 and 3 threads) the same codes, as every x86 int8 kernel
// gives ref's. Shapes: MobileNetV2's first expansion (112x112 then stride 2: the depthwise
// quad mode), a 56x56 stride-1 block (flat mode), a 7x7 map, a 5x5 kernel, a batch of two
// with odd channels and asymmetric pads; i8 and u8 codes, per-axis and per-tensor weights,
// weight zero points, clamps on either part.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "quant_test_util.h"

namespace edgec::rt::testing {
namespace {

struct QCase {
  std::vector<int64_t> x;  // [N, C, H, W]
  int64_t M;               // expanded channels
  int64_t k;               // the depthwise kernel is k x k
  std::vector<int64_t> strides, pads;
  DType codes, weights;  // the activations' (X, E, Y) and the weights' storage
  bool perAxis, weightZeroPoints;
  const char *pointwiseAct, *depthwiseAct;  // "", "Relu" or "Clip"
  const char *what;
};

const std::vector<QCase> kCases = {
    {{1, 16, 112, 112}, 96, 3, {2, 2}, {1, 1, 1, 1}, DType::i8, DType::i8, true, false, "Clip", "Clip",
     "MobileNetV2 features.2"},
    {{1, 24, 56, 56}, 144, 3, {1, 1}, {1, 1, 1, 1}, DType::i8, DType::i8, true, false, "Clip", "Clip",
     "MobileNetV2 features.3"},
    {{1, 40, 7, 7}, 240, 3, {1, 1}, {1, 1, 1, 1}, DType::u8, DType::i8, false, false, "Relu", "",
     "7x7 map, u8 codes, per-tensor weights"},
    {{1, 8, 20, 20}, 24, 5, {2, 2}, {2, 2, 2, 2}, DType::i8, DType::u8, true, true, "", "Clip",
     "5x5 stride 2, u8 weights with zero points"},
    {{2, 5, 9, 11}, 13, 3, {1, 1}, {1, 0, 1, 2}, DType::u8, DType::i8, true, true, "Clip", "Relu",
     "batch 2, odd channels, asymmetric pads, weight zero points"},
};

std::vector<int64_t> expandedShape(const QCase &c) { return {c.x[0], c.M, c.x[2], c.x[3]}; }
std::vector<int64_t> outShape(const QCase &c) {
  std::vector<int64_t> y = {c.x[0], c.M};
  for (int d = 0; d < 2; ++d) y.push_back((c.x[2 + d] + c.pads[d] + c.pads[2 + d] - c.k) / c.strides[d] + 1);
  return y;
}

struct Operands {
  QPtr x, w1, b1, w2, b2;
  QP e, y;  // E's and Y's parameters
};

// A Conv part's weights and int32 bias (scale: its input's times the weight's), for input
// scale sx; returns the first channel's weight scale.
float weightsAndBias(const QCase &c, std::vector<int64_t> shape, float sx, std::mt19937 &rng, QPtr *w, QPtr *b) {
  const int64_t M = shape[0];
  std::vector<float> ws(static_cast<size_t>(M));
  for (float &s : ws) s = randomScale(rng, 0.001f, 0.02f);
  if (!c.perAxis) ws.assign(size_t(M), ws[0]);
  std::vector<int32_t> zw(size_t(M), c.weights == DType::u8 ? 128 : 0);
  if (c.weightZeroPoints)
    for (int32_t &z : zw) z = qmin(c.weights) + int32_t(rng() % 256);
  const std::vector<int32_t> codes = randomCodes(numelOf(shape), c.weights, rng);
  *w = c.perAxis ? makeQAxis(c.weights, shape, codes, ws, zw, 0) : makeQ(c.weights, shape, codes, {ws[0], zw[0]});
  std::vector<float> bs(static_cast<size_t>(M));
  for (int64_t m = 0; m < M; ++m) bs[size_t(m)] = sx * ws[size_t(m)];
  std::vector<int32_t> bv(static_cast<size_t>(M));
  for (int32_t &v : bv) v = int32_t(rng() % 200001) - 100000;
  *b = c.perAxis ? makeQAxis(DType::i32, {M}, bv, bs, {}, 0)
                 : std::make_unique<QTensor>(DType::i32, std::vector<int64_t>{M}, bv, std::vector<float>{bs[0]},
                                             std::vector<int32_t>{}, -1);
  return ws[0];
}

// Output scales that spread the sums over most codes (as x86_quant_kernels_test's), zero
// points anywhere in range.
float spreadScale(float sx, float sw, int64_t K) {
  return float(sx * sw * 74.0 * 74.0 * std::sqrt(double(K)) * 3.0 / 128.0);
}

Operands makeOperands(const QCase &c, uint32_t seed) {
  std::mt19937 rng(seed);
  Operands o;
  const QP xp = {randomScale(rng), qmin(c.codes) + int32_t(rng() % 256)};
  o.x = makeQ(c.codes, c.x, randomCodes(numelOf(c.x), c.codes, rng), xp);
  const float sw1 = weightsAndBias(c, {c.M, c.x[1], 1, 1}, xp.scale, rng, &o.w1, &o.b1);
  o.e = {spreadScale(xp.scale, sw1, c.x[1]), qmin(c.codes) + int32_t(rng() % 256)};
  const float sw2 = weightsAndBias(c, {c.M, 1, c.k, c.k}, o.e.scale, rng, &o.w2, &o.b2);
  o.y = {spreadScale(o.e.scale, sw2, c.k * c.k), qmin(c.codes) + int32_t(rng() % 256)};
  return o;
}

// A clamp on codes of scale s: "Relu", or "Clip" over a range that cuts codes on both sides.
void addActivation(AttrList &a, const std::string &prefix, const std::string &act, float s) {
  if (act.empty()) return;
  a.s((prefix + "activation").c_str(), act.c_str());
  if (act == "Clip") a.f((prefix + "act_min").c_str(), -40.f * s).f((prefix + "act_max").c_str(), 60.f * s);
}
void addDepthwise(AttrList &a, const QCase &c) {
  a.i("group", c.M).ints("kernel_shape", {c.k, c.k}).ints("strides", c.strides);
  a.ints("dilations", {1, 1}).ints("pads", c.pads);
}

// The two ref Convs the pass replaces: Y's codes.
std::vector<int32_t> unfusedRef(const QCase &c, Operands &o) {
  QPtr e = makeOut(c.codes, expandedShape(c), o.e);
  AttrList a1;
  a1.i("group", 1).ints("kernel_shape", {1, 1}).ints("strides", {1, 1}).ints("dilations", {1, 1});
  a1.ints("pads", {0, 0, 0, 0});
  addActivation(a1, "", c.pointwiseAct, o.e.scale);
  runKernelOnViews("Conv", {&o.x->t.view(), &o.w1->t.view(), &o.b1->t.view()}, e->t.view(), {Isa::Ref}, 1, &a1,
                   true);
  QPtr y = makeOut(c.codes, outShape(c), o.y);
  AttrList a2;
  addDepthwise(a2, c);
  addActivation(a2, "", c.depthwiseAct, o.y.scale);
  runKernelOnViews("Conv", {&e->t.view(), &o.w2->t.view(), &o.b2->t.view()}, y->t.view(), {Isa::Ref}, 1, &a2, true);
  return y->codes();
}

AttrList fusedAttrs(const QCase &c, const Operands &o, int64_t expandedZeroPoint) {
  AttrList a;
  addDepthwise(a, c);
  addActivation(a, "pointwise_", c.pointwiseAct, o.e.scale);
  addActivation(a, "", c.depthwiseAct, o.y.scale);
  a.f("expanded_scale", o.e.scale).i("expanded_zero_point", expandedZeroPoint);
  return a;
}

std::vector<int32_t> fused(const QCase &c, Operands &o, const std::vector<Isa> &isas, int threads,
                           bool constWeights, Isa *chosen = nullptr) {
  QPtr y = makeOut(c.codes, outShape(c), o.y);
  std::fill(y->t.view().as<uint8_t>(), y->t.view().as<uint8_t>() + y->t.view().numel(), 0x5A);
  AttrList a = fusedAttrs(c, o, o.e.zp);
  const Isa isa = runKernelOnViews(
      "PointwiseDepthwiseConv",
      {&o.x->t.view(), &o.w1->t.view(), &o.b1->t.view(), &o.w2->t.view(), &o.b2->t.view()}, y->t.view(), isas,
      threads, &a, constWeights);
  if (chosen) *chosen = isa;
  return y->codes();
}

// The first differing code, or "" (a message that names the position).
std::string firstDifference(const std::vector<int32_t> &got, const std::vector<int32_t> &want) {
  if (got.size() != want.size()) return "sizes differ";
  for (size_t i = 0; i < got.size(); ++i)
    if (got[i] != want[i])
      return "code " + std::to_string(i) + ": " + std::to_string(got[i]) + " != " + std::to_string(want[i]);
  return "";
}

TEST(QuantPointwiseDepthwiseConv, RefIsTheUnfusedRefConvsCodeForCode) {
  uint32_t seed = 70;
  for (const QCase &c : kCases) {
    Operands o = makeOperands(c, seed += 10);
    const std::vector<int32_t> want = unfusedRef(c, o);
    EXPECT_EQ(firstDifference(fused(c, o, {Isa::Ref}, 1, true), want), "") << c.what;
    EXPECT_EQ(firstDifference(fused(c, o, {Isa::Ref}, 2, false), want), "") << c.what << ": run-time weights";
  }
}

// The x86 kernel runs the x86 int8 Conv's own pointwise GEMM and depthwise paths on blocks
// of channels: the unfused kernels' codes, which are ref's, at every thread count.
TEST(QuantPointwiseDepthwiseConv, X86IsRefCodeForCode) {
  const std::vector<IsaLevel> levels = x86Levels(/*needVnni=*/true);
  if (levels.empty()) GTEST_SKIP() << "no AVX2/FMA";
  uint32_t seed = 700;
  for (const QCase &c : kCases) {
    Operands o = makeOperands(c, seed += 10);
    const std::vector<int32_t> want = unfusedRef(c, o);
    for (const IsaLevel &level : levels) {
      for (int threads : {1, 2, 3}) {
        Isa isa = Isa::Ref;
        EXPECT_EQ(firstDifference(fused(c, o, level.isas, threads, true, &isa), want), "")
            << level.name << " " << c.what << ": " << threads << " threads";
        EXPECT_EQ(isa, level.expect) << level.name << " " << c.what;
      }
    }
  }
}

// Run-time weights (the x86 kernel folds them at prepare) go to ref, which a valid op never
// fails to run.
TEST(QuantPointwiseDepthwiseConv, RunTimeWeightsGoToRef) {
  const QCase &c = kCases[4];
  Operands o = makeOperands(c, 5);
  Isa isa = Isa::X86Avx2;
  const std::vector<int32_t> got = fused(c, o, {Isa::Ref, Isa::X86Avx2, Isa::X86Avx512}, 2, false, &isa);
  EXPECT_EQ(isa, Isa::Ref);
  EXPECT_EQ(firstDifference(got, unfusedRef(c, o)), "");
}

TEST(QuantPointwiseDepthwiseConv, RefusesAMissingOrOutOfRangeExpandedZeroPoint) {
  const QCase &c = kCases[4];
  Operands o = makeOperands(c, 6);
  QPtr y = makeOut(c.codes, outShape(c), o.y);
  auto error = [&](AttrList &a) {
    return errorOf([&] {
      runKernelOnViews("PointwiseDepthwiseConv",
                       {&o.x->t.view(), &o.w1->t.view(), &o.b1->t.view(), &o.w2->t.view(), &o.b2->t.view()},
                       y->t.view(), {Isa::Ref}, 1, &a, true);
    });
  };
  AttrList outOfRange = fusedAttrs(c, o, 300);
  EXPECT_NE(error(outOfRange).find("expanded_zero_point 300 is outside u8's range"), std::string::npos)
      << error(outOfRange);
  AttrList missing;
  addDepthwise(missing, c);
  EXPECT_NE(error(missing).find("expanded_scale"), std::string::npos) << error(missing);
}

}  // namespace
}  // namespace edgec::rt::testing
