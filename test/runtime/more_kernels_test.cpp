// Ref kernels of the unary math family, comparisons and logic, the variadic and other
// broadcasting ops, and the reductions and data movement added with them: the cases the
// ONNX node suite does not pin down (ties, signs, NaN, f16, overflow, crops, zero sizes).
#include <limits>

#include "kernel_test_util.h"

namespace edgec::rt::testing {
namespace {

const float kNaN = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();

// f16 bit patterns of a few exact values.
constexpr uint16_t kHalfOne = 0x3c00, kHalfTwo = 0x4000, kHalfMinusThree = 0xc200,
                   kHalfHalf = 0x3800;

TEST(KernelRegistry, HasEveryAddedOp) {
  const char *ops[] = {"LeakyRelu", "Elu", "Selu", "HardSigmoid", "HardSwish", "Softplus",
                       "Softsign", "Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh",
                       "Asinh", "Acosh", "Atanh", "Floor", "Ceil", "Round", "Sign", "Not",
                       "IsNaN", "IsInf", "Equal", "Less", "Greater", "LessOrEqual",
                       "GreaterOrEqual", "And", "Or", "Xor", "Min", "Max", "Sum", "Mean",
                       "PRelu", "Mod", "Range", "GlobalMaxPool", "LogSoftmax", "ReduceProd",
                       "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp",
                       "ReduceSumSquare", "ArgMax", "ArgMin", "CumSum", "Split", "Tile", "Pad",
                       "Trilu"};
  for (const char *op : ops)
    EXPECT_NE(KernelRegistry::instance().create(op, {Isa::Ref}), nullptr) << op;
}

// ---- unary math ----

TEST(RefUnaryMath, RoundHalvesToEvenAndSignKeepsNaN) {
  Tensor x = Tensor::of<float>({8}, {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 2.4f, kNaN, -0.f});
  Tensor r(DType::f32, {8}), s(DType::f32, {8});
  runKernel("Round", {&x}, {&r});
  runKernel("Sign", {&x}, {&s});
  std::vector<float> rv = r.values<float>(), sv = s.values<float>();
  EXPECT_EQ(std::vector<float>(rv.begin(), rv.begin() + 6),
            (std::vector<float>{0.f, 2.f, 2.f, -0.f, -2.f, 2.f}));
  EXPECT_TRUE(std::isnan(rv[6]));
  EXPECT_EQ(std::vector<float>(sv.begin(), sv.begin() + 6),
            (std::vector<float>{1.f, 1.f, 1.f, -1.f, -1.f, 1.f}));
  EXPECT_TRUE(std::isnan(sv[6]));
  EXPECT_EQ(sv[7], 0.f);

  Tensor u = Tensor::of<uint8_t>({3}, {0, 1, 255}), us(DType::u8, {3});
  runKernel("Sign", {&u}, {&us});
  EXPECT_EQ(us.values<uint8_t>(), (std::vector<uint8_t>{0, 1, 1}));
  Tensor i = Tensor::of<int64_t>({3}, {-7, 0, 9}), is(DType::i64, {3});
  runKernel("Sign", {&i}, {&is});
  EXPECT_EQ(is.values<int64_t>(), (std::vector<int64_t>{-1, 0, 1}));
}

TEST(RefUnaryMath, ActivationsUseTheirAttributes) {
  Tensor x = Tensor::of<float>({5}, {-2.f, -0.5f, 0.f, 1.f, 100.f});
  Tensor y(DType::f32, {5});
  AttrList leaky;
  leaky.f("alpha", 0.1f);
  runKernel("LeakyRelu", {&x}, {&y}, leaky);
  EXPECT_EQ(y.values<float>(), (std::vector<float>{-0.2f, -0.05f, 0.f, 1.f, 100.f}));

  AttrList hs;
  hs.f("alpha", 0.5f).f("beta", 0.6f);
  runKernel("HardSigmoid", {&x}, {&y}, hs);
  expectNear(y.values<float>(), {0.f, 0.35f, 0.6f, 1.f, 1.f}, 1e-6f);

  AttrList selu;
  selu.f("alpha", 2.f).f("gamma", 3.f);
  runKernel("Selu", {&x}, {&y}, selu);
  expectNear(y.values<float>(),
             {3.f * 2.f * std::expm1(-2.f), 3.f * 2.f * std::expm1(-0.5f), 0.f, 3.f, 300.f}, 1e-6f);

  // Softplus does not overflow for large inputs; HardSwish is x * relu6(x + 3) / 6.
  runKernel("Softplus", {&x}, {&y});
  EXPECT_FLOAT_EQ(y.values<float>()[4], 100.f);
  EXPECT_FLOAT_EQ(y.values<float>()[2], std::log(2.f));
  runKernel("HardSwish", {&x}, {&y});
  expectNear(y.values<float>(), {-2.f / 6.f, -0.5f * 2.5f / 6.f, 0.f, 4.f / 6.f, 100.f}, 1e-6f);

  // A missing attribute is a prepare error, not a silent default.
  AttrList none;
  EXPECT_THROW(runKernel("Elu", {&x}, {&y}, none), Error);
}

TEST(RefUnaryMath, PredicatesAndNot) {
  Tensor x = Tensor::of<float>({4}, {kInf, -kInf, kNaN, 1.f});
  Tensor y(DType::bool_, {4});
  runKernel("IsNaN", {&x}, {&y});
  EXPECT_EQ(y.values<uint8_t>(), (std::vector<uint8_t>{0, 0, 1, 0}));
  AttrList positiveOnly;
  positiveOnly.i("detect_negative", 0).i("detect_positive", 1);
  runKernel("IsInf", {&x}, {&y}, positiveOnly);
  EXPECT_EQ(y.values<uint8_t>(), (std::vector<uint8_t>{1, 0, 0, 0}));

  Tensor b = Tensor::of<uint8_t>(DType::bool_, {3}, {1, 0, 1}), nb(DType::bool_, {3});
  runKernel("Not", {&b}, {&nb});
  EXPECT_EQ(nb.values<uint8_t>(), (std::vector<uint8_t>{0, 1, 0}));
  Tensor i(DType::i32, {3}), iy(DType::i32, {3});
  EXPECT_THROW(runKernel("Sin", {&i}, {&iy}), Error);  // floats only
}

// ---- comparisons and logic ----

TEST(RefLogic, ComparisonsBroadcastAndHandleNaNAndHalf) {
  Tensor a = Tensor::of<float>({2, 2}, {1.f, kNaN, 3.f, 2.f});
  Tensor b = Tensor::of<float>({2}, {2.f, 2.f});
  Tensor y(DType::bool_, {2, 2});
  runKernel("Less", {&a, &b}, {&y});
  EXPECT_EQ(y.values<uint8_t>(), (std::vector<uint8_t>{1, 0, 0, 0}));
  runKernel("GreaterOrEqual", {&a, &b}, {&y});
  EXPECT_EQ(y.values<uint8_t>(), (std::vector<uint8_t>{0, 0, 1, 1}));

  // f16 compares by value, not by bit pattern (-3 < 1 although 0xc200 > 0x3c00).
  Tensor h = Tensor::of<uint16_t>(DType::f16, {2}, {kHalfMinusThree, kHalfTwo});
  Tensor one = Tensor::of<uint16_t>(DType::f16, {}, {kHalfOne});
  Tensor hy(DType::bool_, {2});
  runKernel("Less", {&h, &one}, {&hy});
  EXPECT_EQ(hy.values<uint8_t>(), (std::vector<uint8_t>{1, 0}));

  Tensor p = Tensor::of<uint8_t>(DType::bool_, {2, 1}, {1, 0});
  Tensor q = Tensor::of<uint8_t>(DType::bool_, {2}, {1, 0});
  Tensor r(DType::bool_, {2, 2});
  runKernel("Xor", {&p, &q}, {&r});
  EXPECT_EQ(r.values<uint8_t>(), (std::vector<uint8_t>{0, 1, 1, 0}));
  runKernel("Equal", {&p, &q}, {&r});
  EXPECT_EQ(r.values<uint8_t>(), (std::vector<uint8_t>{1, 0, 0, 1}));
  Tensor wrong(DType::f32, {2, 2});
  EXPECT_THROW(runKernel("And", {&a, &a}, {&r}), Error);     // bool only
  EXPECT_THROW(runKernel("Less", {&a, &b}, {&wrong}), Error);  // result must be bool
}

// ---- variadic, PRelu, Mod, Range ----

TEST(RefArith, VariadicBroadcastsAllInputsAndPropagatesNaN) {
  Tensor a = Tensor::of<float>({2, 1}, {1.f, kNaN}), b = Tensor::of<float>({3}, {0.f, 5.f, 2.f});
  Tensor c = Tensor::of<float>({}, {3.f});
  Tensor y(DType::f32, {2, 3});
  runKernel("Max", {&a, &b, &c}, {&y});
  std::vector<float> mx = y.values<float>();
  EXPECT_EQ(std::vector<float>(mx.begin(), mx.begin() + 3), (std::vector<float>{3.f, 5.f, 3.f}));
  for (int i = 3; i < 6; ++i) EXPECT_TRUE(std::isnan(mx[i]));
  Tensor m(DType::f32, {3});
  runKernel("Mean", {&b, &c}, {&m});
  EXPECT_EQ(m.values<float>(), (std::vector<float>{1.5f, 4.f, 2.5f}));

  Tensor h1 = Tensor::of<uint16_t>(DType::f16, {2}, {kHalfMinusThree, kHalfOne});
  Tensor h2 = Tensor::of<uint16_t>(DType::f16, {2}, {kHalfTwo, kHalfHalf});
  Tensor hy(DType::f16, {2});
  runKernel("Min", {&h1, &h2}, {&hy});
  EXPECT_EQ(hy.values<uint16_t>(), (std::vector<uint16_t>{kHalfMinusThree, kHalfHalf}));

  Tensor u = Tensor::of<uint64_t>({2}, {std::numeric_limits<uint64_t>::max(), 1});
  Tensor u0 = Tensor::of<uint64_t>({2}, {0, 2}), uy(DType::u64, {2});
  runKernel("Max", {&u, &u0}, {&uy});
  EXPECT_EQ(uy.values<uint64_t>(),
            (std::vector<uint64_t>{std::numeric_limits<uint64_t>::max(), 2}));
}

TEST(RefArith, PReluSlopePerChannel) {
  Tensor x = Tensor::of<float>({2, 2}, {-1.f, -2.f, 3.f, -4.f});
  Tensor s = Tensor::of<float>({2}, {0.5f, 0.25f});
  Tensor y(DType::f32, {2, 2});
  runKernel("PRelu", {&x, &s}, {&y});
  EXPECT_EQ(y.values<float>(), (std::vector<float>{-0.5f, -0.5f, 3.f, -1.f}));
}

TEST(RefArith, ModSignFollowsDivisorOrDividend) {
  Tensor a = Tensor::of<int32_t>({5}, {-4, 7, -7, 5, std::numeric_limits<int32_t>::min()});
  Tensor b = Tensor::of<int32_t>({5}, {3, -3, -3, 0, -1});
  Tensor y(DType::i32, {5});
  AttrList python, c;
  python.i("fmod", 0);
  c.i("fmod", 1);
  EXPECT_THROW(runKernel("Mod", {&a, &b}, {&y}, python), Error);  // 5 % 0
  Tensor a4 = Tensor::of<int32_t>({4}, {-4, 7, -7, std::numeric_limits<int32_t>::min()});
  Tensor b4 = Tensor::of<int32_t>({4}, {3, -3, -3, -1});
  Tensor y4(DType::i32, {4});
  runKernel("Mod", {&a4, &b4}, {&y4}, python);
  EXPECT_EQ(y4.values<int32_t>(), (std::vector<int32_t>{2, -2, -1, 0}));
  runKernel("Mod", {&a4, &b4}, {&y4}, c);
  EXPECT_EQ(y4.values<int32_t>(), (std::vector<int32_t>{-1, 1, -1, 0}));

  Tensor f = Tensor::of<float>({2}, {-4.5f, 7.f}), g = Tensor::of<float>({2}, {2.f, -3.f});
  Tensor fy(DType::f32, {2});
  runKernel("Mod", {&f, &g}, {&fy}, c);
  EXPECT_EQ(fy.values<float>(), (std::vector<float>{-0.5f, 1.f}));
  EXPECT_THROW(runKernel("Mod", {&f, &g}, {&fy}, python), Error);  // float needs fmod = 1
}

TEST(RefArith, RangeFillsTheStaticLength) {
  Tensor start = Tensor::of<int32_t>({}, {10}), limit = Tensor::of<int32_t>({}, {4});
  Tensor delta = Tensor::of<int32_t>({}, {-3});
  Tensor y(DType::i32, {2});
  runKernel("Range", {&start, &limit, &delta}, {&y});
  EXPECT_EQ(y.values<int32_t>(), (std::vector<int32_t>{10, 7}));
}

// ---- reductions ----

TEST(RefReduce, NewReductionsOverOneAxis) {
  // [2, 3] over axis 1.
  Tensor x = Tensor::of<float>({2, 3}, {1.f, -2.f, 3.f, 0.5f, 2.f, 4.f});
  Tensor y(DType::f32, {2});
  AttrList axis1;
  axis1.ints("axes", {1}).i("keepdims", 0);
  const std::pair<const char *, std::vector<float>> cases[] = {
      {"ReduceProd", {-6.f, 4.f}},
      {"ReduceL1", {6.f, 6.5f}},
      {"ReduceL2", {std::sqrt(14.f), std::sqrt(20.25f)}},
      {"ReduceSumSquare", {14.f, 20.25f}},
      {"ReduceLogSum", {std::log(2.f), std::log(6.5f)}},
      {"ReduceLogSumExp",
       {std::log(std::exp(1.f) + std::exp(-2.f) + std::exp(3.f)),
        std::log(std::exp(0.5f) + std::exp(2.f) + std::exp(4.f))}}};
  for (const auto &[op, expected] : cases) {
    runKernel(op, {&x}, {&y}, axis1);
    expectNear(y.values<float>(), expected, 1e-6f, op);
  }
}

TEST(RefReduce, LogSumExpDoesNotOverflow) {
  Tensor x = Tensor::of<double>({3}, {1000.0, 1000.0, -kInf});
  Tensor y(DType::f64, {});
  AttrList all;
  all.ints("axes", {}).i("keepdims", 0);
  runKernel("ReduceLogSumExp", {&x}, {&y}, all);
  EXPECT_NEAR(y.values<double>()[0], 1000.0 + std::log(2.0), 1e-9);
  Tensor ninf = Tensor::of<double>({2}, {-kInf, -kInf});
  runKernel("ReduceLogSumExp", {&ninf}, {&y}, all);
  EXPECT_EQ(y.values<double>()[0], -kInf);
}

TEST(RefReduce, ArgMaxTiesAndNaN) {
  Tensor x = Tensor::of<float>({2, 4}, {1.f, 3.f, 3.f, 0.f, 2.f, kNaN, 5.f, kNaN});
  Tensor y(DType::i64, {2});
  AttrList first, last;
  first.i("axis", 1).i("keepdims", 0).i("select_last_index", 0);
  last.i("axis", 1).i("keepdims", 0).i("select_last_index", 1);
  runKernel("ArgMax", {&x}, {&y}, first);
  EXPECT_EQ(y.values<int64_t>(), (std::vector<int64_t>{1, 1}));  // the first NaN wins
  runKernel("ArgMax", {&x}, {&y}, last);
  EXPECT_EQ(y.values<int64_t>()[0], 2);
  Tensor z(DType::i64, {2, 1});
  runKernel("ArgMin", {&x}, {&z}, first);  // keepdims from the output shape
  EXPECT_EQ(z.values<int64_t>(), (std::vector<int64_t>{3, 1}));
}

TEST(RefReduce, CumSumExclusiveReverse) {
  Tensor x = Tensor::of<int64_t>({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor y(DType::i64, {2, 3});
  AttrList plain, both, axis0;
  plain.i("axis", 1).i("exclusive", 0).i("reverse", 0);
  both.i("axis", 1).i("exclusive", 1).i("reverse", 1);
  axis0.i("axis", 0).i("exclusive", 0).i("reverse", 0);
  runKernel("CumSum", {&x}, {&y}, plain);
  EXPECT_EQ(y.values<int64_t>(), (std::vector<int64_t>{1, 3, 6, 4, 9, 15}));
  runKernel("CumSum", {&x}, {&y}, both);
  EXPECT_EQ(y.values<int64_t>(), (std::vector<int64_t>{5, 3, 0, 11, 6, 0}));
  runKernel("CumSum", {&x}, {&y}, axis0);
  EXPECT_EQ(y.values<int64_t>(), (std::vector<int64_t>{1, 2, 3, 5, 7, 9}));
}

TEST(RefNormalization, LogSoftmaxOfLargeNumbers) {
  Tensor x = Tensor::of<float>({1, 3}, {10000.f, 10001.f, 10002.f});
  Tensor y(DType::f32, {1, 3});
  AttrList axis;
  axis.i("axis", 1);
  runKernel("LogSoftmax", {&x}, {&y}, axis);
  const float lse = std::log(std::exp(-2.f) + std::exp(-1.f) + 1.f);
  expectNear(y.values<float>(), {-2.f - lse, -1.f - lse, -lse}, 1e-6f);
}

TEST(RefPool, GlobalMaxPoolPerPlane) {
  Tensor x = Tensor::of<float>({1, 2, 2, 2}, {1.f, -3.f, 7.f, 2.f, -1.f, -2.f, -5.f, -0.5f});
  Tensor y(DType::f32, {1, 2, 1, 1});
  runKernel("GlobalMaxPool", {&x}, {&y});
  EXPECT_EQ(y.values<float>(), (std::vector<float>{7.f, -0.5f}));
}

// ---- data movement ----

TEST(RefIndexMap, PadModesAndCrop) {
  // [2, 3] = [[1, 2, 3], [4, 5, 6]], pads: dim 1 gets 2 before and 1 after.
  Tensor x = Tensor::of<int32_t>({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor y(DType::i32, {2, 6});
  AttrList reflect, edge, constant;
  reflect.s("mode", "reflect").ints("pads", {0, 2, 0, 1});
  edge.s("mode", "edge").ints("pads", {0, 2, 0, 1});
  constant.s("mode", "constant").ints("pads", {0, 2, 0, 1});
  runKernel("Pad", {&x}, {&y}, reflect);
  EXPECT_EQ(y.values<int32_t>(), (std::vector<int32_t>{3, 2, 1, 2, 3, 2, 6, 5, 4, 5, 6, 5}));
  runKernel("Pad", {&x}, {&y}, edge);
  EXPECT_EQ(y.values<int32_t>(), (std::vector<int32_t>{1, 1, 1, 2, 3, 3, 4, 4, 4, 5, 6, 6}));
  Tensor v = Tensor::of<int32_t>({}, {9});
  runKernel("Pad", {&x, &v}, {&y}, constant);
  EXPECT_EQ(y.values<int32_t>(), (std::vector<int32_t>{9, 9, 1, 2, 3, 9, 9, 9, 4, 5, 6, 9}));
  runKernel("Pad", {&x, nullptr}, {&y}, constant);  // absent value: zero
  EXPECT_EQ(y.values<int32_t>(), (std::vector<int32_t>{0, 0, 1, 2, 3, 0, 0, 0, 4, 5, 6, 0}));

  // Reflect beyond the dim mirrors again (period 2 * (n - 1)); negative pads crop.
  Tensor wide(DType::i32, {1, 8});
  AttrList far;
  far.s("mode", "reflect").ints("pads", {-1, 3, 0, 2});
  runKernel("Pad", {&x}, {&wide}, far);
  EXPECT_EQ(wide.values<int32_t>(), (std::vector<int32_t>{5, 6, 5, 4, 5, 6, 5, 4}));
}

TEST(RefIndexMap, TileAndTrilu) {
  Tensor x = Tensor::of<int16_t>({2, 2}, {1, 2, 3, 4});
  Tensor t(DType::i16, {2, 6});
  runKernel("Tile", {&x}, {&t});
  EXPECT_EQ(t.values<int16_t>(), (std::vector<int16_t>{1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4}));
  Tensor bad(DType::i16, {2, 5});
  EXPECT_THROW(runKernel("Tile", {&x}, {&bad}), Error);

  Tensor m = Tensor::of<float>({3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  Tensor y(DType::f32, {3, 3});
  AttrList upper1, lowerMinus1;
  upper1.i("k", 1).i("upper", 1);
  lowerMinus1.i("k", -1).i("upper", 0);
  runKernel("Trilu", {&m}, {&y}, upper1);
  EXPECT_EQ(y.values<float>(), (std::vector<float>{0, 2, 3, 0, 0, 6, 0, 0, 0}));
  runKernel("Trilu", {&m}, {&y}, lowerMinus1);
  EXPECT_EQ(y.values<float>(), (std::vector<float>{0, 0, 0, 4, 0, 0, 7, 8, 0}));
}

// Trilu's k and CumSum's axis as run-time inputs: one kernel, prepared once, reads the
// value on every run (a graph input may change between runs).
TEST(RefIndexMap, TriluReadsKAtRunTime) {
  Tensor m = Tensor::of<float>({3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  Tensor k = Tensor::of<int64_t>({1}, {1});
  Tensor y(DType::f32, {3, 3});
  AttrList lower;
  lower.i("upper", 0);
  KernelSignature sig;
  sig.op = "Trilu";
  sig.node = "test_node";
  sig.attrs = lower.attrs();
  sig.inputs = {&m.view(), &k.view()};
  sig.input_is_constant = {false, false};
  sig.outputs = {&y.view()};
  std::unique_ptr<Kernel> kernel = KernelRegistry::instance().create(sig, {Isa::Ref});
  kernel->prepare(sig);
  runPrepared(*kernel, {&m.view(), &k.view()}, {&y.view()});
  EXPECT_EQ(y.values<float>(), (std::vector<float>{1, 2, 0, 4, 5, 6, 7, 8, 9}));
  k.view().as<int64_t>()[0] = -5;  // past the matrix: nothing is kept
  runPrepared(*kernel, {&m.view(), &k.view()}, {&y.view()});
  EXPECT_EQ(y.values<float>(), (std::vector<float>(9, 0.f)));

  Tensor k32 = Tensor::of<int32_t>({}, {-1});  // a 0-d int32 k, upper by default
  runKernel("Trilu", {&m, &k32}, {&y});
  EXPECT_EQ(y.values<float>(), (std::vector<float>{1, 2, 3, 4, 5, 6, 0, 8, 9}));

  Tensor two = Tensor::of<int64_t>({2}, {0, 1});
  EXPECT_THROW(runKernel("Trilu", {&m, &two}, {&y}), Error);  // k must be one value
  Tensor kf = Tensor::of<float>({1}, {1.f});
  EXPECT_THROW(runKernel("Trilu", {&m, &kf}, {&y}), Error);
  AttrList both;
  both.i("k", 1);
  EXPECT_THROW(runKernel("Trilu", {&m, &k32}, {&y}, both), Error);
}

TEST(RefReduce, CumSumReadsAxisAtRunTime) {
  Tensor x = Tensor::of<int32_t>({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor axis = Tensor::of<int64_t>({}, {1});
  Tensor y(DType::i32, {2, 3});
  AttrList none;
  KernelSignature sig;
  sig.op = "CumSum";
  sig.node = "cs_node";
  sig.attrs = none.attrs();
  sig.inputs = {&x.view(), &axis.view()};
  sig.input_is_constant = {false, false};
  sig.outputs = {&y.view()};
  std::unique_ptr<Kernel> kernel = KernelRegistry::instance().create(sig, {Isa::Ref});
  kernel->prepare(sig);
  runPrepared(*kernel, {&x.view(), &axis.view()}, {&y.view()});
  EXPECT_EQ(y.values<int32_t>(), (std::vector<int32_t>{1, 3, 6, 4, 9, 15}));
  axis.view().as<int64_t>()[0] = -2;  // negative: counted from the end, here axis 0
  runPrepared(*kernel, {&x.view(), &axis.view()}, {&y.view()});
  EXPECT_EQ(y.values<int32_t>(), (std::vector<int32_t>{1, 2, 3, 5, 7, 9}));
  for (int64_t bad : {int64_t(2), int64_t(-3), int64_t(1) << 40}) {
    axis.view().as<int64_t>()[0] = bad;
    try {
      runPrepared(*kernel, {&x.view(), &axis.view()}, {&y.view()});
      ADD_FAILURE() << "axis " << bad << " was accepted";
    } catch (const Error &e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("CumSum node 'cs_node'"), std::string::npos) << what;
      EXPECT_NE(what.find("axis " + std::to_string(bad) + " is out of range"), std::string::npos) << what;
    }
  }

  Tensor axis32 = Tensor::of<int32_t>({1}, {0});
  AttrList exclusive;
  exclusive.i("exclusive", 1);
  runKernel("CumSum", {&x, &axis32}, {&y}, exclusive);
  EXPECT_EQ(y.values<int32_t>(), (std::vector<int32_t>{0, 0, 0, 1, 2, 3}));
  AttrList both;
  both.i("axis", 0);
  EXPECT_THROW(runKernel("CumSum", {&x, &axis32}, {&y}, both), Error);
}

TEST(RefDataMovement, SplitIntoUnequalAndEmptyParts) {
  Tensor x = Tensor::of<float>({2, 4}, {0, 1, 2, 3, 4, 5, 6, 7});
  Tensor a(DType::f32, {2, 1}), b(DType::f32, {2, 0}), c(DType::f32, {2, 3});
  AttrList axis1;
  axis1.i("axis", 1);
  runKernel("Split", {&x}, {&a, &b, &c}, axis1);
  EXPECT_EQ(a.values<float>(), (std::vector<float>{0, 4}));
  EXPECT_EQ(c.values<float>(), (std::vector<float>{1, 2, 3, 5, 6, 7}));
  Tensor d(DType::f32, {2, 2});
  EXPECT_THROW(runKernel("Split", {&x}, {&a, &d}, axis1), Error);  // 1 + 2 != 4
}

}  // namespace
}  // namespace edgec::rt::testing
