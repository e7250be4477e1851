// The AVX2 f32 Sigmoid and Exp (x86/unary_f32_avx2.cpp; x86_unary_math_test.cpp has the
// rest of that family and the AVX-512 level) and same-shape Mul and Add
// (x86/binary_f32_avx2.cpp; x86_binary_test.cpp has its broadcasts): Exp against
// libm's expf and a double-precision e^x, Sigmoid against a double-precision reference
// (error in ulp of the exact result, over a sweep of f32 inputs and the special values),
// Mul/Add bit-identical to ref, tails, and the same bits for any thread count. The bounds
// asserted here are the ones stated in runtime/kernels/README.md. Skipped on CPUs without
// AVX2 and FMA (and on other architectures).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "kernel_test_util.h"

namespace edgec::rt::testing {
namespace {

const std::vector<Isa> kAvx2 = {Isa::Ref, Isa::X86Avx2};

std::vector<float> unary(const char *op, const std::vector<float> &x, const std::vector<Isa> &isas,
                         int threads = 1) {
  Tensor tx = Tensor::of<float>({int64_t(x.size())}, x), ty(DType::f32, {int64_t(x.size())});
  AttrList none;
  EXPECT_EQ(runKernel(op, {&tx}, {&ty}, none, isas, threads), isas.back()) << op;
  return ty.values<float>();
}

// |y - exact| in units of the f32 spacing at the exact value (2^-149 below FLT_MIN).
double ulpError(float y, double exact) {
  if (std::isnan(exact)) return std::isnan(y) ? 0 : 1e9;
  // inf is the correctly rounded f32 of anything from FLT_MAX + half an ulp on.
  if (std::isinf(y)) return (y > 0) == (exact > 0) && std::fabs(exact) >= 0x1.ffffffp127 ? 0 : 1e9;
  if (std::isinf(exact)) return 1e9;
  const double a = std::fabs(exact);
  const double ulp = a < 0x1p-126 ? 0x1p-149 : std::ldexp(1.0, std::ilogb(a) - 23);
  return std::fabs(double(y) - exact) / ulp;
}

// Every 997th f32 bit pattern in [lo, hi] (both signs of the range as given), plus the ends.
std::vector<float> sweep(float lo, float hi) {
  std::vector<float> v;
  auto bitsOf = [](float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
  };
  auto fromBits = [](uint32_t u) {
    float f;
    std::memcpy(&f, &u, 4);
    return f;
  };
  if (lo < 0)
    for (uint32_t u = bitsOf(-0.f); u <= bitsOf(lo); u += 997) v.push_back(fromBits(u));
  if (hi > 0)
    for (uint32_t u = 0; u <= bitsOf(hi); u += 997) v.push_back(fromBits(u));
  v.push_back(lo);
  v.push_back(hi);
  return v;
}

double sigmoidExact(double x) { return x >= 0 ? 1 / (1 + std::exp(-x)) : std::exp(x) / (1 + std::exp(x)); }

TEST(UnaryKernelsX86, ExpWithinOneUlpOfLibmAndExact) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  const auto x = sweep(-110.f, 90.f);
  const auto y = unary("Exp", x, kAvx2);
  double vsLibm = 0, vsExact = 0, libmVsExact = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const float libm = std::exp(x[i]);
    const double exact = std::exp(double(x[i]));
    vsLibm = std::max(vsLibm, ulpError(y[i], double(libm)));
    vsExact = std::max(vsExact, ulpError(y[i], exact));
    libmVsExact = std::max(libmVsExact, ulpError(libm, exact));
    // Overflow, underflow and the subnormal results as libm's (within 1 ulp, same class).
    ASSERT_EQ(std::fpclassify(y[i]) == FP_INFINITE, std::fpclassify(libm) == FP_INFINITE) << x[i];
  }
  RecordProperty("inputs", std::to_string(x.size()));
  RecordProperty("max_ulp_vs_expf", std::to_string(vsLibm));
  RecordProperty("max_ulp_vs_exact", std::to_string(vsExact));
  RecordProperty("expf_max_ulp_vs_exact", std::to_string(libmVsExact));
  EXPECT_LE(vsLibm, 1.0);
  EXPECT_LE(vsExact, 1.0);
}

TEST(UnaryKernelsX86, ExpSpecialValues) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  const auto y = unary("Exp", {nan, inf, -inf, 0.f, -0.f, 89.f, -100.f, -200.f, 1000.f, 1.f}, kAvx2);
  EXPECT_TRUE(std::isnan(y[0]));
  EXPECT_EQ(y[1], inf);
  EXPECT_EQ(y[2], 0.f);
  EXPECT_EQ(y[3], 1.f);
  EXPECT_EQ(y[4], 1.f);
  EXPECT_EQ(y[5], inf);  // e^89 > FLT_MAX
  EXPECT_EQ(std::fpclassify(y[6]), FP_SUBNORMAL);
  EXPECT_LE(ulpError(y[6], std::exp(-100.0)), 1.0);
  EXPECT_EQ(y[7], 0.f);
  EXPECT_EQ(y[8], inf);
  EXPECT_LE(ulpError(y[9], std::exp(1.0)), 1.0);
}

TEST(UnaryKernelsX86, SigmoidWithinTwoAndAHalfUlpOfExact) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  const auto x = sweep(-110.f, 20.f);
  const auto y = unary("Sigmoid", x, kAvx2);
  const auto r = unary("Sigmoid", x, {Isa::Ref});
  double maxUlp = 0, refUlp = 0;
  int64_t subnormal = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double exact = sigmoidExact(double(x[i]));
    maxUlp = std::max(maxUlp, ulpError(y[i], exact));
    refUlp = std::max(refUlp, ulpError(r[i], exact));
    subnormal += std::fpclassify(y[i]) == FP_SUBNORMAL;
  }
  RecordProperty("inputs", std::to_string(x.size()));
  RecordProperty("max_ulp_vs_exact", std::to_string(maxUlp));
  RecordProperty("ref_max_ulp_vs_exact", std::to_string(refUlp));
  EXPECT_GT(subnormal, 0);  // the sweep reaches the subnormal results
  EXPECT_LE(maxUlp, 2.5);
}

TEST(UnaryKernelsX86, SigmoidSpecialValues) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> x = {nan, -nan, inf, -inf, 0.f, -0.f, 100.f, 17.f, -120.f, -95.f, -88.f, -1e-30f, 3e38f};
  const auto y = unary("Sigmoid", x, kAvx2);
  EXPECT_TRUE(std::isnan(y[0]));
  EXPECT_TRUE(std::isnan(y[1]));
  EXPECT_EQ(y[2], 1.f);
  EXPECT_EQ(y[3], 0.f);
  EXPECT_EQ(y[4], 0.5f);
  EXPECT_EQ(y[5], 0.5f);
  EXPECT_EQ(y[6], 1.f);  // saturates
  EXPECT_EQ(y[7], 1.f);  // 1 - 4e-8 rounds to 1
  EXPECT_EQ(y[8], 0.f);  // e^-120 is below the smallest subnormal
  EXPECT_EQ(std::fpclassify(y[9]), FP_SUBNORMAL);
  EXPECT_LE(ulpError(y[9], sigmoidExact(-95.0)), 1.0);
  EXPECT_LE(ulpError(y[10], sigmoidExact(-88.0)), 2.0);
  EXPECT_EQ(y[11], 0.5f);
  EXPECT_EQ(y[12], 1.f);
}

// Every element goes through the same 8-lane code: a short call's elements are bit-equal
// to the same elements of a long one (tails), whatever the thread count.
TEST(UnaryKernelsX86, TailsAndThreadCountsGiveSameBits) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  const int64_t n = (1 << 18) + 5;
  const auto x = randomFloats(n, 11, -30.f, 30.f);
  for (const char *op : {"Sigmoid", "Exp"}) {
    const auto y1 = unary(op, x, kAvx2, 1);
    EXPECT_EQ(y1, unary(op, x, kAvx2, 3)) << op;
    EXPECT_EQ(y1, unary(op, x, kAvx2, 4)) << op;
    for (int64_t len : {1, 3, 7, 8, 9, 15, 17, 1001}) {
      const std::vector<float> part(x.begin(), x.begin() + len);
      const auto yp = unary(op, part, kAvx2);
      EXPECT_TRUE(std::equal(yp.begin(), yp.end(), y1.begin())) << op << " n=" << len;
    }
  }
}

std::vector<float> binary(const char *op, const std::vector<int64_t> &sa, const std::vector<float> &a,
                          const std::vector<int64_t> &sb, const std::vector<float> &b, const std::vector<int64_t> &sy,
                          const std::vector<Isa> &isas, Isa expect, int threads = 1) {
  Tensor ta = Tensor::of<float>(sa, a), tb = Tensor::of<float>(sb, b), ty(DType::f32, sy);
  AttrList none;
  EXPECT_EQ(runKernel(op, {&ta, &tb}, {&ty}, none, isas, threads), expect) << op;
  return ty.values<float>();
}

TEST(UnaryKernelsX86, MulAddSameShapeBitIdenticalToRef) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  for (const char *op : {"Mul", "Add"}) {
    for (int64_t n : {1, 7, 8, 13, 1000, (1 << 17) + 3}) {
      const auto a = randomFloats(n, 5, -1e3f, 1e3f), b = randomFloats(n, 6, -1e3f, 1e3f);
      const std::vector<int64_t> s = {n};
      const auto ref = binary(op, s, a, s, b, s, {Isa::Ref}, Isa::Ref);
      EXPECT_EQ(binary(op, s, a, s, b, s, kAvx2, Isa::X86Avx2), ref) << op << " n=" << n;
      EXPECT_EQ(binary(op, s, a, s, b, s, kAvx2, Isa::X86Avx2, 3), ref) << op << " n=" << n;
    }
    // Special values: IEEE results (inf * 0 = NaN, inf - inf = NaN) as ref.
    const float inf = std::numeric_limits<float>::infinity();
    const std::vector<float> a = {inf, -inf, 0.f, -0.f, 1e-45f, 3e38f, 2.f}, b = {0.f, inf, -0.f, -0.f, 0.5f, 3e38f, -2.f};
    const auto y = binary(op, {7}, a, {7}, b, {7}, kAvx2, Isa::X86Avx2);
    const auto r = binary(op, {7}, a, {7}, b, {7}, {Isa::Ref}, Isa::Ref);
    for (size_t i = 0; i < y.size(); ++i) {
      uint32_t u, v;
      std::memcpy(&u, &y[i], 4);
      std::memcpy(&v, &r[i], 4);
      EXPECT_TRUE(u == v || (std::isnan(y[i]) && std::isnan(r[i]))) << op << " " << i;
    }
    // Broadcasts too (x86/binary_f32_avx2.cpp; every pattern in x86_binary_test.cpp).
    binary(op, {2, 3}, randomFloats(6, 1), {3}, randomFloats(3, 2), {2, 3}, kAvx2, Isa::X86Avx2);
  }
}

}  // namespace
}  // namespace edgec::rt::testing
