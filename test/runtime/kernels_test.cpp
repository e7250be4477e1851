// Ref kernels for elementwise ops, data movement and reductions, each checked against a
// small computation written independently here (or against facts of the spec / IEEE).
#include <limits>

#include "kernel_test_util.h"

namespace edgec::rt::testing {
namespace {

const float kNaN = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();

TEST(KernelRegistry, HasEveryOpOfTheContract) {
  const char *ops[] = {"Add",
                       "Sub",
                       "Mul",
                       "Div",
                       "Pow",
                       "Where",
                       "Relu",
                       "Sigmoid",
                       "Tanh",
                       "Sqrt",
                       "Erf",
                       "Exp",
                       "Log",
                       "Neg",
                       "Abs",
                       "Reciprocal",
                       "Clip",
                       "Softmax",
                       "LayerNormalization",
                       "BatchNormalization",
                       "MatMul",
                       "Gemm",
                       "Conv",
                       "MaxPool",
                       "AveragePool",
                       "GlobalAveragePool",
                       "Copy",
                       "Transpose",
                       "Concat",
                       "Slice",
                       "Gather",
                       "Expand",
                       "Cast",
                       "ReduceMean",
                       "ReduceSum",
                       "ReduceMax",
                       "ReduceMin"};
  for (const char *op : ops) {
    Isa isa = Isa::X86Avx2;
    EXPECT_NE(KernelRegistry::instance().create(op, {Isa::Ref}, &isa), nullptr) << op;
    EXPECT_EQ(isa, Isa::Ref) << op;
  }
}

// ---- binary arithmetic ----

TEST(RefElementwise, AddBroadcastsLikeNumpy) {
  // [2,1,3] + [4,1] -> [2,4,3]
  std::vector<float> a = randomFloats(6, 1), b = randomFloats(4, 2);
  Tensor ta = Tensor::of<float>({2, 1, 3}, a), tb = Tensor::of<float>({4, 1}, b);
  Tensor y(DType::f32, {2, 4, 3});
  runKernel("Add", {&ta, &tb}, {&y});
  std::vector<float> expected;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 4; ++j)
      for (int k = 0; k < 3; ++k) expected.push_back(a[i * 3 + k] + b[j]);
  EXPECT_EQ(y.values<float>(), expected);
}

TEST(RefElementwise, SubMulDivWithScalarAndRowBroadcast) {
  std::vector<float> a = randomFloats(12, 3), row = randomFloats(4, 4, 0.5f, 2.f);
  Tensor ta = Tensor::of<float>({3, 4}, a), tr = Tensor::of<float>({4}, row);
  Tensor ts = Tensor::of<float>({}, std::vector<float>{2.5f});
  for (const char *op : {"Sub", "Mul", "Div"}) {
    Tensor y1(DType::f32, {3, 4}), y2(DType::f32, {3, 4});
    runKernel(op, {&ta, &tr}, {&y1});
    runKernel(op, {&ts, &ta}, {&y2});  // scalar on the left
    for (int i = 0; i < 12; ++i) {
      const float r = row[i % 4];
      const std::string o = op;
      const float e1 = o == "Sub" ? a[i] - r : o == "Mul" ? a[i] * r : a[i] / r;
      const float e2 = o == "Sub" ? 2.5f - a[i] : o == "Mul" ? 2.5f * a[i] : 2.5f / a[i];
      EXPECT_EQ(y1.values<float>()[i], e1) << op;
      EXPECT_EQ(y2.values<float>()[i], e2) << op;
    }
  }
}

TEST(RefElementwise, IntegerArithmeticWrapsAndDivTruncatesTowardZero) {
  Tensor a = Tensor::of<int8_t>({4}, {100, -100, 7, -7});
  Tensor b = Tensor::of<int8_t>({4}, {100, -100, -2, 2});
  Tensor add(DType::i8, {4}), div(DType::i8, {4});
  runKernel("Add", {&a, &b}, {&add});
  runKernel("Div", {&a, &b}, {&div});
  // 200 and -200 wrap modulo 256.
  EXPECT_EQ(add.values<int8_t>(), (std::vector<int8_t>{-56, 56, 5, -5}));
  EXPECT_EQ(div.values<int8_t>(), (std::vector<int8_t>{1, 1, -3, -3}));

  Tensor big = Tensor::of<int64_t>({2}, {std::numeric_limits<int64_t>::min(), 9});
  Tensor m1 = Tensor::of<int64_t>({2}, {-1, -4});
  Tensor q(DType::i64, {2});
  runKernel("Div", {&big, &m1}, {&q});
  EXPECT_EQ(q.values<int64_t>(), (std::vector<int64_t>{std::numeric_limits<int64_t>::min(), -2}));

  Tensor u = Tensor::of<uint16_t>({1}, {65535}), u2 = Tensor::of<uint16_t>({1}, {65535});
  Tensor prod(DType::u16, {1});
  runKernel("Mul", {&u, &u2}, {&prod});
  EXPECT_EQ(prod.values<uint16_t>()[0], static_cast<uint16_t>(65535u * 65535u));
}

TEST(RefElementwise, IntegerDivisionByZeroIsAnError) {
  Tensor a = Tensor::of<int32_t>({2}, {1, 2}), b = Tensor::of<int32_t>({2}, {1, 0});
  Tensor y(DType::i32, {2});
  EXPECT_THROW(runKernel("Div", {&a, &b}, {&y}), Error);
}

TEST(RefElementwise, PrepareRejectsBadShapesAndDtypes) {
  Tensor a(DType::f32, {2, 3}), b(DType::f32, {4}), c(DType::i32, {2, 3});
  Tensor y(DType::f32, {2, 3}), wrong(DType::f32, {3, 2});
  EXPECT_THROW(runKernel("Add", {&a, &b}, {&y}), Error);      // does not broadcast
  EXPECT_THROW(runKernel("Add", {&a, &c}, {&y}), Error);      // mixed dtypes
  EXPECT_THROW(runKernel("Add", {&a, &a}, {&wrong}), Error);  // wrong output shape
  Tensor h(DType::f16, {2}), hy(DType::f16, {2});
  EXPECT_THROW(runKernel("Mul", {&h, &h}, {&hy}), Error);  // f16 arithmetic not in contract
  try {
    runKernel("Add", {&a, &b}, {&y});
  } catch (const Error &e) {
    EXPECT_NE(std::string(e.what()).find("test_node"), std::string::npos) << e.what();
  }
}

TEST(RefElementwise, PowMixesBaseAndExponentTypes) {
  Tensor xf = Tensor::of<float>({3}, {2.f, 9.f, -2.f});
  Tensor ei = Tensor::of<int64_t>({3}, {3, 0, 2});
  Tensor yf(DType::f32, {3});
  runKernel("Pow", {&xf, &ei}, {&yf});
  EXPECT_EQ(yf.values<float>(), (std::vector<float>{8.f, 1.f, 4.f}));

  Tensor ef = Tensor::of<float>({}, std::vector<float>{0.5f});
  Tensor ysq(DType::f32, {3});
  runKernel("Pow", {&xf, &ef}, {&ysq});
  EXPECT_FLOAT_EQ(ysq.values<float>()[0], std::sqrt(2.f));
  EXPECT_FLOAT_EQ(ysq.values<float>()[1], 3.f);
  EXPECT_TRUE(std::isnan(ysq.values<float>()[2]));

  // Integer base: the result keeps the base's type (2^40 needs int64, 3^-1 truncates to 0).
  Tensor xi = Tensor::of<int64_t>({4}, {2, 3, -1, 7});
  Tensor ei32 = Tensor::of<int32_t>({4}, {40, -1, -3, 2});
  Tensor yi(DType::i64, {4});
  runKernel("Pow", {&xi, &ei32}, {&yi});
  EXPECT_EQ(yi.values<int64_t>(), (std::vector<int64_t>{int64_t{1} << 40, 0, -1, 49}));

  Tensor xi32 = Tensor::of<int32_t>({2}, {4, 10});
  Tensor half = Tensor::of<double>({2}, {0.5, 0.5});
  Tensor yi32(DType::i32, {2});
  runKernel("Pow", {&xi32, &half}, {&yi32});
  EXPECT_EQ(yi32.values<int32_t>(), (std::vector<int32_t>{2, 3}));  // sqrt(10) truncated
}

TEST(RefElementwise, WhereBroadcastsAllThreeInputs) {
  Tensor c = Tensor::of<uint8_t>(DType::bool_, {2, 1}, {1, 0});
  Tensor x = Tensor::of<int64_t>({1, 3}, {1, 2, 3});
  Tensor y = Tensor::of<int64_t>({}, std::vector<int64_t>{-9});
  Tensor z(DType::i64, {2, 3});
  runKernel("Where", {&c, &x, &y}, {&z});
  EXPECT_EQ(z.values<int64_t>(), (std::vector<int64_t>{1, 2, 3, -9, -9, -9}));

  Tensor xh = Tensor::of<uint16_t>(DType::f16, {3}, {0x3c00, 0x4000, 0x4200});
  Tensor yh = Tensor::of<uint16_t>(DType::f16, {3}, {0, 0, 0});
  Tensor ch = Tensor::of<uint8_t>(DType::bool_, {3}, {1, 0, 1});
  Tensor zh(DType::f16, {3});
  runKernel("Where", {&ch, &xh, &yh}, {&zh});
  EXPECT_EQ(zh.values<uint16_t>(), (std::vector<uint16_t>{0x3c00, 0, 0x4200}));
}

// ---- unary ----

TEST(RefElementwise, UnaryFloatOpsMatchLibm) {
  const std::vector<float> x = {-3.5f, -1.f, -0.25f, 0.f, 0.3f, 1.f, 2.5f, 80.f, -100.f};
  struct Case {
    const char *op;
    double (*f)(double);
  };
  const Case cases[] = {
      {"Sigmoid", [](double v) { return 1.0 / (1.0 + std::exp(-v)); }},
      {"Tanh", [](double v) { return std::tanh(v); }},
      {"Erf", [](double v) { return std::erf(v); }},
      {"Exp", [](double v) { return std::exp(v); }},
      {"Neg", [](double v) { return -v; }},
      {"Abs", [](double v) { return std::fabs(v); }},
      {"Relu", [](double v) { return v > 0 ? v : 0.0; }},
      {"Reciprocal", [](double v) { return 1.0 / v; }},
  };
  Tensor tx = Tensor::of<float>({3, 3}, x);
  for (const Case &c : cases) {
    Tensor y(DType::f32, {3, 3});
    runKernel(c.op, {&tx}, {&y});
    std::vector<float> expected;
    for (float v : x) expected.push_back(static_cast<float>(c.f(v)));
    for (size_t i = 0; i < x.size(); ++i) {
      const float e = expected[i], a = y.values<float>()[i];
      if (std::isinf(e))
        EXPECT_EQ(a, e) << c.op << "(" << x[i] << ")";
      else
        EXPECT_NEAR(a, e, 2e-6f * std::max(1.f, std::fabs(e))) << c.op << "(" << x[i] << ")";
    }
  }
  // Sqrt and Log on positive inputs; out of domain gives NaN / -inf as in IEEE.
  Tensor pos = Tensor::of<float>({4}, {0.f, 0.5f, 4.f, -1.f});
  Tensor ys(DType::f32, {4}), yl(DType::f32, {4});
  runKernel("Sqrt", {&pos}, {&ys});
  runKernel("Log", {&pos}, {&yl});
  EXPECT_EQ(ys.values<float>()[2], 2.f);
  EXPECT_TRUE(std::isnan(ys.values<float>()[3]));
  EXPECT_EQ(yl.values<float>()[0], -kInf);
  EXPECT_FLOAT_EQ(yl.values<float>()[1], std::log(0.5f));
}

TEST(RefElementwise, ReluKeepsNaNAndIntegerUnaryWraps) {
  Tensor x = Tensor::of<float>({3}, {kNaN, -kInf, kInf});
  Tensor y(DType::f32, {3});
  runKernel("Relu", {&x}, {&y});
  EXPECT_TRUE(std::isnan(y.values<float>()[0]));
  EXPECT_EQ(y.values<float>()[1], 0.f);
  EXPECT_EQ(y.values<float>()[2], kInf);

  Tensor xi = Tensor::of<int8_t>({3}, {-128, -5, 7});
  Tensor neg(DType::i8, {3}), abs(DType::i8, {3}), relu(DType::i8, {3});
  runKernel("Neg", {&xi}, {&neg});
  runKernel("Abs", {&xi}, {&abs});
  runKernel("Relu", {&xi}, {&relu});
  EXPECT_EQ(neg.values<int8_t>(), (std::vector<int8_t>{-128, 5, -7}));
  EXPECT_EQ(abs.values<int8_t>(), (std::vector<int8_t>{-128, 5, 7}));
  EXPECT_EQ(relu.values<int8_t>(), (std::vector<int8_t>{0, 0, 7}));

  Tensor xi32(DType::i32, {3}), yi32(DType::i32, {3});
  EXPECT_THROW(runKernel("Exp", {&xi32}, {&yi32}), Error);  // Exp is f32 only
}

TEST(RefElementwise, ClipWithOptionalBounds) {
  const std::vector<float> x = {-5.f, -1.f, 0.5f, 3.f, 10.f, kNaN, -kInf};
  Tensor tx = Tensor::of<float>({7}, x);
  Tensor lo = Tensor::of<float>({}, std::vector<float>{-1.5f});
  Tensor hi = Tensor::of<float>({1}, {6.f});
  auto clip = [&](Tensor *l, Tensor *h) {
    Tensor y(DType::f32, {7});
    runKernel("Clip", {&tx, l, h}, {&y});
    return y.values<float>();
  };
  for (auto [l, h] : {std::pair<Tensor *, Tensor *>{&lo, &hi},
                      {&lo, nullptr},
                      {nullptr, &hi},
                      {nullptr, nullptr}}) {
    const std::vector<float> y = clip(l, h);
    for (size_t i = 0; i < x.size(); ++i) {
      if (std::isnan(x[i])) {
        EXPECT_TRUE(std::isnan(y[i]));
        continue;
      }
      float e = x[i];
      if (l) e = std::max(e, -1.5f);
      if (h) e = std::min(e, 6.f);
      EXPECT_EQ(y[i], e) << i;
    }
  }
  // min > max: every element becomes max (ONNX).
  Tensor hiLow = Tensor::of<float>({}, std::vector<float>{-2.f});
  for (float v : clip(&lo, &hiLow))
    if (!std::isnan(v)) {
      EXPECT_EQ(v, -2.f);
    }

  Tensor xu = Tensor::of<uint8_t>({4}, {0, 10, 200, 255});
  Tensor lu = Tensor::of<uint8_t>({}, std::vector<uint8_t>{5});
  Tensor hu = Tensor::of<uint8_t>({}, std::vector<uint8_t>{250});
  Tensor yu(DType::u8, {4});
  runKernel("Clip", {&xu, &lu, &hu}, {&yu});
  EXPECT_EQ(yu.values<uint8_t>(), (std::vector<uint8_t>{5, 10, 200, 250}));
  Tensor vec = Tensor::of<uint8_t>({2}, {1, 2});
  EXPECT_THROW(runKernel("Clip", {&xu, &vec, nullptr}, {&yu}), Error);  // bounds are scalars
}

// ---- data movement ----

TEST(RefDataMovement, CopyMovesBytesBetweenShapes) {
  std::vector<int16_t> v = {1, 2, 3, 4, 5, 6};
  Tensor x = Tensor::of<int16_t>({2, 3}, v), y(DType::i16, {3, 1, 2});
  runKernel("Copy", {&x}, {&y});
  EXPECT_EQ(y.values<int16_t>(), v);
  Tensor bad(DType::i16, {5});
  EXPECT_THROW(runKernel("Copy", {&x}, {&bad}), Error);
}

TEST(RefDataMovement, TransposeMatchesIndexPermutation) {
  const std::vector<int64_t> shape = {2, 3, 4, 5}, perm = {2, 0, 3, 1};
  std::vector<int32_t> v(120);
  for (int i = 0; i < 120; ++i) v[i] = i * 7 - 3;
  Tensor x = Tensor::of<int32_t>(shape, v);
  std::vector<int64_t> outShape;
  for (int64_t p : perm) outShape.push_back(shape[p]);
  Tensor y(DType::i32, outShape);
  AttrList attrs;
  attrs.ints("perm", perm);
  runKernel("Transpose", {&x}, {&y}, attrs);
  for (int64_t f = 0; f < 120; ++f) {
    const std::vector<int64_t> o = unflatIndex(f, outShape);
    std::vector<int64_t> i(4);
    for (int d = 0; d < 4; ++d) i[perm[d]] = o[d];
    ASSERT_EQ(y.values<int32_t>()[f], v[flatIndex(i, shape)]) << f;
  }
  // Default perm reverses the dims.
  Tensor y2(DType::i32, {5, 4, 3, 2});
  runKernel("Transpose", {&x}, {&y2});
  EXPECT_EQ(y2.values<int32_t>()[1], v[flatIndex({1, 0, 0, 0}, shape)]);
}

TEST(RefDataMovement, ConcatAlongMiddleAxis) {
  std::vector<float> a = randomFloats(2 * 1 * 3, 5), b = randomFloats(2 * 2 * 3, 6);
  Tensor ta = Tensor::of<float>({2, 1, 3}, a), tb = Tensor::of<float>({2, 2, 3}, b);
  Tensor te(DType::f32, {2, 0, 3});
  Tensor y(DType::f32, {2, 4, 3});
  AttrList attrs;
  attrs.i("axis", 1);
  runKernel("Concat", {&ta, &te, &tb, &ta}, {&y}, attrs);
  std::vector<float> expected;
  for (int n = 0; n < 2; ++n) {
    for (int k = 0; k < 3; ++k) expected.push_back(a[n * 3 + k]);
    for (int j = 0; j < 6; ++j) expected.push_back(b[n * 6 + j]);
    for (int k = 0; k < 3; ++k) expected.push_back(a[n * 3 + k]);
  }
  EXPECT_EQ(y.values<float>(), expected);
  Tensor wrong(DType::f32, {2, 5, 3});
  AttrList attrs2;
  attrs2.i("axis", 1);
  EXPECT_THROW(runKernel("Concat", {&ta, &tb}, {&wrong}, attrs2), Error);
}

TEST(RefDataMovement, SliceWithNegativeSteps) {
  // x[::-2, 1:4] over a [5, 6] tensor: rows 4, 2, 0; columns 1..3.
  std::vector<float> v(30);
  for (int i = 0; i < 30; ++i) v[i] = static_cast<float>(i);
  Tensor x = Tensor::of<float>({5, 6}, v);
  Tensor y(DType::f32, {3, 3});
  AttrList attrs;
  attrs.ints("starts", {4, 1}).ints("steps", {-2, 1});
  runKernel("Slice", {&x}, {&y}, attrs);
  std::vector<float> expected;
  for (int r = 4; r >= 0; r -= 2)
    for (int c = 1; c < 4; ++c) expected.push_back(v[r * 6 + c]);
  EXPECT_EQ(y.values<float>(), expected);

  // Reverse the columns entirely, with a step of -1.
  Tensor y2(DType::f32, {5, 6});
  AttrList rev;
  rev.ints("starts", {0, 5}).ints("steps", {1, -1});
  runKernel("Slice", {&x}, {&y2}, rev);
  EXPECT_EQ(y2.values<float>()[0], 5.f);
  EXPECT_EQ(y2.values<float>()[29], 24.f);

  // A slice that would read outside the input is rejected.
  Tensor y3(DType::f32, {3, 3});
  AttrList bad;
  bad.ints("starts", {1, 1}).ints("steps", {2, 1});
  EXPECT_THROW(runKernel("Slice", {&x}, {&y3}, bad), Error);
}

TEST(RefDataMovement, GatherWithNegativeIndices) {
  // data [3, 4], indices [2, 2] on axis 1 -> [3, 2, 2]
  std::vector<int64_t> data(12);
  for (int i = 0; i < 12; ++i) data[i] = 100 + i;
  const std::vector<int32_t> idx = {0, -1, 2, -4};
  Tensor d = Tensor::of<int64_t>({3, 4}, data), ti = Tensor::of<int32_t>({2, 2}, idx);
  Tensor y(DType::i64, {3, 2, 2});
  AttrList attrs;
  attrs.i("axis", 1);
  runKernel("Gather", {&d, &ti}, {&y}, attrs);
  std::vector<int64_t> expected;
  for (int r = 0; r < 3; ++r)
    for (int32_t i : idx) expected.push_back(data[r * 4 + (i < 0 ? i + 4 : i)]);
  EXPECT_EQ(y.values<int64_t>(), expected);

  // Axis 0 with scalar i64 indices drops the axis.
  Tensor s = Tensor::of<int64_t>({}, std::vector<int64_t>{-2});
  Tensor row(DType::i64, {4});
  AttrList axis0;
  axis0.i("axis", 0);
  runKernel("Gather", {&d, &s}, {&row}, axis0);
  EXPECT_EQ(row.values<int64_t>(), (std::vector<int64_t>{104, 105, 106, 107}));

  Tensor oob = Tensor::of<int64_t>({1}, {4});
  Tensor y1(DType::i64, {1, 4});
  AttrList axis0b;
  axis0b.i("axis", 0);
  EXPECT_THROW(runKernel("Gather", {&d, &oob}, {&y1}, axis0b), Error);
}

TEST(RefDataMovement, ExpandBroadcastsToOutputShape) {
  Tensor x = Tensor::of<uint8_t>({3, 1}, {1, 2, 3});
  Tensor y(DType::u8, {2, 3, 4});
  runKernel("Expand", {&x}, {&y});
  std::vector<uint8_t> expected;
  for (int n = 0; n < 2; ++n)
    for (uint8_t r = 1; r <= 3; ++r)
      for (int k = 0; k < 4; ++k) expected.push_back(r);
  EXPECT_EQ(y.values<uint8_t>(), expected);
  Tensor bad(DType::u8, {2, 4, 4});
  EXPECT_THROW(runKernel("Expand", {&x}, {&bad}), Error);
}

// ---- Cast ----

uint16_t castToHalf(float v) {
  Tensor x = Tensor::of<float>({1}, {v}), y(DType::f16, {1});
  runKernel("Cast", {&x}, {&y});
  return y.values<uint16_t>()[0];
}

TEST(RefCast, FloatToHalfRoundsToNearestEven) {
  // IEEE binary16 encodings.
  EXPECT_EQ(castToHalf(1.f), 0x3c00);
  EXPECT_EQ(castToHalf(-2.f), 0xc000);
  EXPECT_EQ(castToHalf(0.f), 0x0000);
  EXPECT_EQ(castToHalf(-0.f), 0x8000);
  EXPECT_EQ(castToHalf(65504.f), 0x7bff);  // largest finite
  EXPECT_EQ(castToHalf(65519.f), 0x7bff);  // below the halfway point
  EXPECT_EQ(castToHalf(65520.f), 0x7c00);  // halfway rounds to inf
  EXPECT_EQ(castToHalf(kInf), 0x7c00);
  EXPECT_EQ(castToHalf(-kInf), 0xfc00);
  EXPECT_EQ(castToHalf(std::ldexp(1.f, -14)), 0x0400);        // smallest normal
  EXPECT_EQ(castToHalf(std::ldexp(1.f, -24)), 0x0001);        // smallest subnormal
  EXPECT_EQ(castToHalf(std::ldexp(1.f, -25)), 0x0000);        // tie -> even (0)
  EXPECT_EQ(castToHalf(std::ldexp(3.f, -25)), 0x0002);        // tie -> even (2)
  EXPECT_EQ(castToHalf(1.f + std::ldexp(1.f, -11)), 0x3c00);  // tie -> even
  EXPECT_EQ(castToHalf(1.f + std::ldexp(3.f, -11)), 0x3c02);  // tie -> even
  EXPECT_EQ(castToHalf(1.f + std::ldexp(1.f, -11) + std::ldexp(1.f, -20)), 0x3c01);
  EXPECT_EQ(castToHalf(std::ldexp(1023.f, -24) + std::ldexp(1.f, -25)), 0x0400);  // to normal
  EXPECT_EQ(castToHalf(kNaN) & 0x7c00, 0x7c00);
  EXPECT_NE(castToHalf(kNaN) & 0x03ff, 0);
}

TEST(RefCast, HalfRoundTripsThroughFloatAndDouble) {
  // Every non-NaN half survives f16 -> f32 -> f16 and f16 -> f64 -> f16.
  std::vector<uint16_t> all;
  for (uint32_t h = 0; h < 65536; ++h)
    if ((h & 0x7c00) != 0x7c00 || (h & 0x3ff) == 0) all.push_back(static_cast<uint16_t>(h));
  const int64_t n = static_cast<int64_t>(all.size());
  Tensor h = Tensor::of<uint16_t>(DType::f16, {n}, all);
  for (DType wide : {DType::f32, DType::f64}) {
    Tensor w(wide, {n}), back(DType::f16, {n});
    runKernel("Cast", {&h}, {&w});
    runKernel("Cast", {&w}, {&back});
    EXPECT_EQ(back.values<uint16_t>(), all) << dtypeName(wide);
  }
  // And half -> float gives the value the encoding denotes.
  Tensor some = Tensor::of<uint16_t>(DType::f16, {5}, {0x3c00, 0xc100, 0x0001, 0x7bff, 0xfc00});
  Tensor f(DType::f32, {5});
  runKernel("Cast", {&some}, {&f});
  EXPECT_EQ(f.values<float>(),
            (std::vector<float>{1.f, -2.5f, std::ldexp(1.f, -24), 65504.f, -kInf}));
}

TEST(RefCast, DoubleToHalfRoundsOnce) {
  // Just above a tie: going through float would drop the 2^-40 and round down to even.
  const double v = 1.0 + std::ldexp(1.0, -11) + std::ldexp(1.0, -40);
  Tensor x = Tensor::of<double>({1}, {v}), y(DType::f16, {1});
  runKernel("Cast", {&x}, {&y});
  EXPECT_EQ(y.values<uint16_t>()[0], 0x3c01);
}

TEST(RefCast, NumericConversions) {
  Tensor f = Tensor::of<float>({6}, {-2.7f, 2.7f, 0.f, 300.f, -0.5f, 1e-3f});
  Tensor i32(DType::i32, {6}), u8(DType::u8, {6}), b(DType::bool_, {6}), i8(DType::i8, {6});
  runKernel("Cast", {&f}, {&i32});
  runKernel("Cast", {&f}, {&b});
  EXPECT_EQ(i32.values<int32_t>(), (std::vector<int32_t>{-2, 2, 0, 300, 0, 0}));  // truncation
  EXPECT_EQ(b.values<uint8_t>(), (std::vector<uint8_t>{1, 1, 0, 1, 1, 1}));
  runKernel("Cast", {&i32}, {&i8});
  EXPECT_EQ(i8.values<int8_t>(), (std::vector<int8_t>{-2, 2, 0, 44, 0, 0}));  // 300 mod 256

  Tensor big = Tensor::of<int64_t>({3}, {(int64_t{1} << 40) + 1, -1, 16777217});
  Tensor d(DType::f64, {3}), fl(DType::f32, {3}), u64(DType::u64, {3});
  runKernel("Cast", {&big}, {&d});
  runKernel("Cast", {&big}, {&fl});
  runKernel("Cast", {&big}, {&u64});
  EXPECT_EQ(d.values<double>()[0], std::ldexp(1.0, 40) + 1);
  EXPECT_EQ(fl.values<float>()[2], 16777216.f);  // nearest float
  EXPECT_EQ(u64.values<uint64_t>()[1], std::numeric_limits<uint64_t>::max());

  Tensor bools = Tensor::of<uint8_t>(DType::bool_, {3}, {0, 1, 1});
  Tensor bf(DType::f32, {3}), bh(DType::f16, {3});
  runKernel("Cast", {&bools}, {&bf});
  runKernel("Cast", {&bools}, {&bh});
  EXPECT_EQ(bf.values<float>(), (std::vector<float>{0.f, 1.f, 1.f}));
  EXPECT_EQ(bh.values<uint16_t>(), (std::vector<uint16_t>{0, 0x3c00, 0x3c00}));

  Tensor nan = Tensor::of<float>({1}, {kNaN}), nb(DType::bool_, {1});
  runKernel("Cast", {&nan}, {&nb});
  EXPECT_EQ(nb.values<uint8_t>()[0], 1);  // NaN != 0
}

// ---- reductions ----

// Naive reduction over `axes` of a [2, 3, 4] tensor, keepdims layout.
std::vector<double> naiveReduce(const std::vector<float> &x, const std::vector<int64_t> &axes,
                                const std::string &op) {
  const std::vector<int64_t> shape = {2, 3, 4};
  std::vector<int64_t> outShape = shape;
  for (int64_t a : axes) outShape[a] = 1;
  std::vector<std::vector<double>> groups(numelOf(outShape));
  for (int64_t f = 0; f < 24; ++f) {
    std::vector<int64_t> idx = unflatIndex(f, shape);
    for (int64_t a : axes) idx[a] = 0;
    groups[flatIndex(idx, outShape)].push_back(x[f]);
  }
  std::vector<double> out;
  for (const auto &g : groups) {
    double acc = op == "ReduceMax" ? -1e300 : op == "ReduceMin" ? 1e300 : 0;
    for (double v : g)
      acc = op == "ReduceMax" ? std::max(acc, v) : op == "ReduceMin" ? std::min(acc, v) : acc + v;
    out.push_back(op == "ReduceMean" ? acc / static_cast<double>(g.size()) : acc);
  }
  return out;
}

TEST(RefReduce, FloatReductionsOverAxisSets) {
  const std::vector<float> x = randomFloats(24, 7);
  Tensor tx = Tensor::of<float>({2, 3, 4}, x);
  const std::vector<std::vector<int64_t>> axisSets = {{0}, {1}, {2}, {0, 2}, {1, 2}, {}};
  for (const char *op : {"ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin"}) {
    for (const auto &axes : axisSets) {
      const std::vector<int64_t> all = {0, 1, 2};
      const std::vector<int64_t> &eff = axes.empty() ? all : axes;
      std::vector<int64_t> keep = {2, 3, 4}, drop;
      for (int64_t a : eff) keep[a] = 1;
      for (int d = 0; d < 3; ++d)
        if (std::find(eff.begin(), eff.end(), d) == eff.end()) drop.push_back(keep[d]);
      const std::vector<double> expected = naiveReduce(x, eff, op);
      for (const auto &shape : {keep, drop}) {  // keepdims = 1 and 0
        Tensor y(DType::f32, shape);
        AttrList attrs;
        if (!axes.empty()) attrs.ints("axes", axes);
        runKernel(op, {&tx}, {&y}, attrs);
        for (size_t i = 0; i < expected.size(); ++i)
          EXPECT_NEAR(y.values<float>()[i], expected[i], 1e-6) << op << " axes " << eff.size();
      }
    }
  }
}

TEST(RefReduce, IntegerReductionsAndNaN) {
  Tensor x = Tensor::of<int32_t>({2, 3}, {5, -1, 7, 2, 9, -4});
  Tensor sum(DType::i32, {3}), mx(DType::i32, {2, 1}), mn(DType::i32, {});
  AttrList a0, a1, none;
  a0.ints("axes", {0});
  a1.ints("axes", {1});
  runKernel("ReduceSum", {&x}, {&sum}, a0);
  runKernel("ReduceMax", {&x}, {&mx}, a1);
  runKernel("ReduceMin", {&x}, {&mn}, none);
  EXPECT_EQ(sum.values<int32_t>(), (std::vector<int32_t>{7, 8, 3}));
  EXPECT_EQ(mx.values<int32_t>(), (std::vector<int32_t>{7, 9}));
  EXPECT_EQ(mn.values<int32_t>()[0], -4);

  Tensor xi(DType::i32, {2, 3}), mean(DType::i32, {});
  EXPECT_THROW(runKernel("ReduceMean", {&xi}, {&mean}), Error);  // Mean is f32 only

  Tensor f = Tensor::of<float>({3}, {1.f, kNaN, 3.f}), fm(DType::f32, {1});
  runKernel("ReduceMax", {&f}, {&fm});
  EXPECT_TRUE(std::isnan(fm.values<float>()[0]));  // NaN propagates like numpy

  Tensor wrong(DType::f32, {2});
  EXPECT_THROW(runKernel("ReduceSum", {&f}, {&wrong}), Error);
}

}  // namespace
}  // namespace edgec::rt::testing
