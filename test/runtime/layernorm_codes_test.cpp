// LayerNormalization on codes (X quantized per tensor to 8 bits; Y 8-bit codes or f32;
// ref/layernorm_codes.h defines the arithmetic): the ref kernel against
// DequantizeLinear -> LayerNorm -> QuantizeLinear computed here in double (codes within
// one, almost all equal; f32 values within a few f32 roundings), a hand-checked row; the
// x86 kernels (x86/layernorm_q8_driver.inc, AVX2 and AVX-512) against ref bit for bit, at
// 1, 2 and 3 threads, i8 and u8 on both sides, rows with and without a tail, constant
// rows, codes at the extremes, outputs that clamp, Scale and B as constants or not,
// broadcast Scale; and the calls left to ref.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "quant_test_util.h"

namespace edgec::rt::testing {
namespace {

struct Case {
  std::vector<int64_t> shape;
  int64_t axis;
  DType xt, yt;  // yt f32: Y float
  bool bias;
  const char *what;
  int fill = 0;         // 0 random codes; 1 every code the dtype's highest (max sums); 2 rows of one code
  float ySpread = 1.f;  // < 1: Y's range narrower than the normalized values (clamps)
};

struct Inputs {
  QPtr x, yq;
  Tensor scale{DType::f32, {1}}, bias{DType::f32, {1}}, yf{DType::f32, {1}};
  float sx = 1.f;
  int32_t zx = 0;
  QP yp;
};

std::unique_ptr<Inputs> makeInputs(const Case &c, uint32_t seed, const std::vector<int64_t> &scaleShape) {
  std::mt19937 rng(seed);
  auto in = std::make_unique<Inputs>();
  const int64_t n = numelOf(c.shape);
  std::vector<int32_t> codes = randomCodes(n, c.xt, rng);
  if (c.fill == 1) std::fill(codes.begin(), codes.end(), qmax(c.xt));
  if (c.fill == 2) {
    int64_t norm = 1;
    for (size_t d = size_t(c.axis); d < c.shape.size(); ++d) norm *= c.shape[d];
    for (int64_t i = 0; i < n; ++i) codes[size_t(i)] = int32_t((i / norm) * 7 % 200) + qmin(c.xt);
  }
  in->sx = randomScale(rng);
  in->zx = std::uniform_int_distribution<int32_t>(qmin(c.xt) + 20, qmax(c.xt) - 20)(rng);
  in->x = makeQ(c.xt, c.shape, codes, {in->sx, in->zx});
  const auto sv = randomFloats(numelOf(scaleShape), seed + 1, 0.5f, 1.5f);
  const auto bv = randomFloats(numelOf(scaleShape), seed + 2, -0.5f, 0.5f);
  in->scale = Tensor::of<float>(scaleShape, sv);
  in->bias = Tensor::of<float>(scaleShape, bv);
  if (c.yt == DType::f32) {
    in->yf = Tensor(DType::f32, c.shape);
  } else {
    // |y| is at most about sqrt(norm) * 1.5 + 0.5; typical values within 4.
    const float range = 8.f * c.ySpread;
    in->yp = {range / 255.f, c.yt == DType::u8 ? 128 : 0};
    in->yq = makeOut(c.yt, c.shape, in->yp);
  }
  return in;
}

TensorView &yOf(Inputs &in) { return in.yq ? in.yq->t.view() : in.yf.view(); }

Isa run(const Case &c, Inputs &in, const std::vector<Isa> &isas, int threads, bool constant) {
  AttrList attrs;
  attrs.i("axis", c.axis).f("epsilon", 1e-5f);
  std::vector<TensorView *> inputs = {&in.x->t.view(), &in.scale.view()};
  if (c.bias) inputs.push_back(&in.bias.view());
  TensorView &y = yOf(in);
  std::memset(y.data, 0xA5, y.nbytes());
  return runKernelOnViews("LayerNormalization", inputs, y, isas, threads, &attrs, constant);
}

std::vector<uint8_t> bytesOf(const TensorView &v) {
  const uint8_t *p = v.as<uint8_t>();
  return std::vector<uint8_t>(p, p + v.nbytes());
}

// DequantizeLinear -> LayerNorm (double) [-> QuantizeLinear, half to even], here.
std::vector<double> floatPath(const Case &c, const Inputs &in, const std::vector<int64_t> &scaleShape) {
  const std::vector<int32_t> codes = in.x->codes();
  int64_t norm = 1;
  for (size_t d = size_t(c.axis); d < c.shape.size(); ++d) norm *= c.shape[d];
  const int64_t rows = int64_t(codes.size()) / norm, sn = numelOf(scaleShape);
  const auto sv = in.scale.values<float>(), bv = in.bias.values<float>();
  std::vector<double> out(codes.size());
  for (int64_t o = 0; o < rows; ++o) {
    double mean = 0, var = 0;
    for (int64_t i = 0; i < norm; ++i) mean += double(in.sx) * (codes[size_t(o * norm + i)] - in.zx);
    mean /= double(norm);
    for (int64_t i = 0; i < norm; ++i) {
      const double d = double(in.sx) * (codes[size_t(o * norm + i)] - in.zx) - mean;
      var += d * d;
    }
    var /= double(norm);
    for (int64_t i = 0; i < norm; ++i) {
      const double x = double(in.sx) * (codes[size_t(o * norm + i)] - in.zx);
      const size_t ch = size_t(i % sn);  // Scale / B hold the last sn elements of the block
      out[size_t(o * norm + i)] = (x - mean) / std::sqrt(var + double(1e-5f)) * sv[ch] + (c.bias ? bv[ch] : 0.0);
    }
  }
  return out;
}

const std::vector<Case> kCases = {
    {{128, 1, 64}, 2, DType::i8, DType::i8, true, "the transformers' rows, i8 -> i8"},
    {{37, 100}, 1, DType::u8, DType::i8, true, "u8 -> i8, 100 (vectors and a tail)"},
    {{9, 13}, 1, DType::i8, DType::u8, false, "i8 -> u8, rows shorter than a vector, no B"},
    {{3, 5, 48}, 1, DType::u8, DType::u8, true, "u8 -> u8, axis 1 (240 a row)"},
    {{7, 3, 9}, 1, DType::i8, DType::i8, true, "axis 1, 27 a row"},
    {{16, 768}, 1, DType::i8, DType::f32, true, "i8 -> f32, 768"},
    {{5, 33}, 1, DType::u8, DType::f32, false, "u8 -> f32, 33, no B"},
    {{4, 4096}, 1, DType::u8, DType::i8, true, "every code 255: the largest sums", 1},
    {{19, 64}, 1, DType::i8, DType::i8, true, "rows of one code (variance 0)", 2},
    {{24, 80}, 1, DType::i8, DType::u8, true, "a narrow Y range: outputs clamp", 0, 0.1f},
};

TEST(LayerNormCodes, RefAgainstTheFloatPath) {
  uint32_t seed = 11;
  for (const Case &c : kCases) {
    for (const bool broadcastScale : {false, true}) {
      std::vector<int64_t> scaleShape(c.shape.begin() + c.axis, c.shape.end());
      if (broadcastScale && scaleShape.size() < 2) continue;
      if (broadcastScale) scaleShape = {scaleShape.back()};
      auto in = makeInputs(c, seed += 5, scaleShape);
      EXPECT_EQ(run(c, *in, {Isa::Ref}, 1, true), Isa::Ref) << c.what;
      const std::vector<double> want = floatPath(c, *in, scaleShape);
      if (c.yt == DType::f32) {
        const std::vector<float> got = in->yf.values<float>();
        for (size_t i = 0; i < got.size(); ++i)
          ASSERT_NEAR(got[i], want[i], 4e-6 * std::max(1.0, std::fabs(want[i]))) << c.what << " at " << i;
        continue;
      }
      const std::vector<int32_t> got = in->yq->codes();
      int64_t off = 0;
      for (size_t i = 0; i < got.size(); ++i) {
        const double q = std::nearbyint(want[i] / double(in->yp.scale)) + in->yp.zp;
        const int32_t code = int32_t(std::min<double>(qmax(c.yt), std::max<double>(qmin(c.yt), q)));
        ASSERT_LE(std::abs(got[i] - code), 1) << c.what << " at " << i << " (want " << want[i] << ")";
        off += got[i] != code;
      }
      // Only values within f32 roundings of a tie between two codes may round the other way.
      EXPECT_LE(off * 1000, int64_t(got.size())) << c.what << ": " << off << " of " << got.size() << " codes differ";
    }
  }
}

TEST(LayerNormCodes, HandChecked) {
  // Codes [1, 2, 3, 4] at scale 0.5, zero point 1: x = [0, 0.5, 1, 1.5], mean 0.75,
  // variance 0.3125; Scale [1, 1, 2, 2], B [0, 0, 0, 1]; Y f32.
  const Case c = {{1, 4}, 1, DType::i8, DType::f32, true, "hand"};
  Inputs in;
  in.x = makeQ(DType::i8, {1, 4}, {1, 2, 3, 4}, {0.5f, 1});
  in.scale = Tensor::of<float>({4}, {1, 1, 2, 2});
  in.bias = Tensor::of<float>({4}, {0, 0, 0, 1});
  in.yf = Tensor(DType::f32, {1, 4});
  run(c, in, {Isa::Ref}, 1, true);
  const auto y = in.yf.values<float>();
  const double inv = 1 / std::sqrt(0.3125 + double(1e-5f));
  EXPECT_NEAR(y[0], -0.75 * inv, 1e-6);
  EXPECT_NEAR(y[1], -0.25 * inv, 1e-6);
  EXPECT_NEAR(y[2], 0.5 * inv, 1e-6);
  EXPECT_NEAR(y[3], 1.5 * inv + 1, 1e-6);
}

TEST(LayerNormCodes, X86SameBitsAsRef) {
  const std::vector<IsaLevel> levels = x86Levels(/*needVnni=*/false);
  if (levels.empty()) GTEST_SKIP() << "no AVX2/FMA";
  uint32_t seed = 101;
  int checks = 0;
  for (const Case &c : kCases) {
    for (const bool broadcastScale : {false, true}) {
      std::vector<int64_t> scaleShape(c.shape.begin() + c.axis, c.shape.end());
      // Scale and B along the block's last dim only, broadcast over its others.
      if (broadcastScale && scaleShape.size() < 2) continue;
      if (broadcastScale) scaleShape = {scaleShape.back()};
      for (const bool constant : {true, false}) {
        auto in = makeInputs(c, seed += 3, scaleShape);
        run(c, *in, {Isa::Ref}, 1, constant);
        const std::vector<uint8_t> want = bytesOf(yOf(*in));
        for (const IsaLevel &level : levels)
          for (int threads = 1; threads <= 3; ++threads) {
            EXPECT_EQ(run(c, *in, level.isas, threads, constant), level.expect) << c.what;
            EXPECT_EQ(bytesOf(yOf(*in)), want)
                << c.what << " on " << level.name << ", " << threads << " threads, constant " << constant;
            ++checks;
          }
      }
    }
  }
  RecordProperty("checks", std::to_string(checks));
}

TEST(LayerNormCodes, LeavesOtherCallsToRef) {
  if (x86Levels(false).empty()) GTEST_SKIP() << "no AVX2/FMA";
  const std::vector<Isa> all = x86Levels(false).back().isas;
  // More than 32768 elements a row (the x86 lane sums are int32).
  const Case big = {{1, 40000}, 1, DType::u8, DType::i8, true, "a 40000-element row"};
  auto in = makeInputs(big, 5, {40000});
  EXPECT_EQ(run(big, *in, all, 1, true), Isa::Ref);
  // A float LayerNorm is not a call on codes: the f32 kernels take it.
  Tensor x = Tensor::of<float>({2, 8}, randomFloats(16, 3)), s = Tensor::of<float>({8}, randomFloats(8, 4)),
         y(DType::f32, {2, 8});
  AttrList attrs;
  attrs.i("axis", 1);
  EXPECT_NE(runKernelOnViews("LayerNormalization", {&x.view(), &s.view()}, y.view(), all, 1, &attrs), Isa::Ref);
}

}  // namespace
}  // namespace edgec::rt::testing
