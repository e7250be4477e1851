// The F16C conversions (x86/f16_convert_*.cpp) that the F16Adapter and the x86 Cast use,
// bit-exact against the ref conversions (ref/util.h) at every x86 level this CPU has:
// all 65536 halfs to f32, and f32 inputs at every tie between two halfs, around the
// subnormals, at overflow, infinities and NaNs of both signs with assorted payloads.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "f16_adapter.h"
#include "kernel_test_util.h"
#include "ref/util.h"

namespace edgec::rt::testing {
namespace {

uint32_t bitsOf(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
float floatOf(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

// The levels that have F16C too (every AVX2 CPU does, but the level does not require it).
std::vector<IsaLevel> f16cLevels() {
#if defined(__x86_64__)
  if (__builtin_cpu_supports("f16c")) return x86Levels(false);
#endif
  return {};
}

// f32 inputs whose f16 rounding is delicate, plus 1M random bit patterns.
std::vector<float> hardFloats() {
  std::vector<float> v;
  for (uint32_t h = 0; h < 0x7c00; ++h) {
    const float lo = ref::halfToFloat(uint16_t(h)), hi = ref::halfToFloat(uint16_t(h + 1));
    const float tie = lo + (hi - lo) / 2;  // exact: a half has 11 significant bits
    for (float f : {lo, tie, std::nextafter(tie, 0.f), std::nextafter(tie, 1e30f)}) v.push_back(f);
  }
  // The largest half 65504, the tie with "65536" (65520, rounds to inf), just below it.
  for (float f : {65504.f, 65519.996f, 65520.f, 65536.f, 1e10f, 3.4e38f, INFINITY, 1e-30f, 1e-45f,
                  std::ldexp(1.f, -25), std::ldexp(1.f, -24), std::ldexp(3.f, -25), std::ldexp(1.f, -14),
                  std::ldexp(1.f, -14) - std::ldexp(1.f, -25), std::ldexp(1.f, -26)})
    v.push_back(f);
  // NaNs: quiet and signaling, payload in the top, middle and low bits (the low 13 are
  // dropped).
  for (uint32_t payload : {0x400000u, 0x000001u, 0x001fffu, 0x002000u, 0x3fffffu, 0x7fffffu, 0x155555u, 0x200000u})
    v.push_back(floatOf(0x7f800000u | payload));
  std::mt19937 rng(11);
  std::uniform_int_distribution<uint32_t> any;
  for (int i = 0; i < 1000000; ++i) v.push_back(floatOf(any(rng)));
  const size_t n = v.size();
  for (size_t i = 0; i < n; ++i) v.push_back(-v[i]);
  return v;
}

TEST(X86F16Convert, EveryHalfToFloatBitExact) {
  std::vector<uint16_t> halfs(65536);
  for (uint32_t h = 0; h < 65536; ++h) halfs[h] = uint16_t(h);
  for (const IsaLevel &level : f16cLevels()) {
    const F16Convert c = f16ConvertFor(level.isas);
    ASSERT_NE(c.toFloat, &halfToFloat) << level.name;
    std::vector<float> out(halfs.size());
    c.toFloat(halfs.data(), out.data(), halfs.size());
    for (uint32_t h = 0; h < 65536; ++h) {
      ASSERT_EQ(bitsOf(out[h]), bitsOf(ref::halfToFloat(uint16_t(h)))) << level.name << " half 0x" << std::hex << h;
      ASSERT_EQ(bitsOf(out[h]), bitsOf(halfBitsToFloat(uint16_t(h)))) << level.name << " half 0x" << std::hex << h;
    }
  }
}

TEST(X86F16Convert, FloatToHalfBitExact) {
  const std::vector<float> in = hardFloats();
  for (const IsaLevel &level : f16cLevels()) {
    const F16Convert c = f16ConvertFor(level.isas);
    std::vector<uint16_t> out(in.size());
    c.toHalf(in.data(), out.data(), in.size());
    for (size_t i = 0; i < in.size(); ++i) {
      ASSERT_EQ(out[i], ref::halfFromDouble(double(in[i])))
          << level.name << " float bits 0x" << std::hex << bitsOf(in[i]);
      ASSERT_EQ(out[i], floatToHalfBits(in[i])) << level.name << " float bits 0x" << std::hex << bitsOf(in[i]);
    }
  }
}

// Every length up to three vectors and every start offset within one: the tails convert
// exactly the elements asked for, and nothing around them.
TEST(X86F16Convert, TailsTouchOnlyTheirElements) {
  for (const IsaLevel &level : f16cLevels()) {
    const F16Convert c = f16ConvertFor(level.isas);
    for (size_t offset = 0; offset < 16; ++offset)
      for (size_t n = 0; n <= 100; ++n) {
        std::vector<uint16_t> h(n + 64, 0x7bff);
        std::vector<float> f(n + 64, -7.f);
        for (size_t i = 0; i < n; ++i) h[offset + i] = uint16_t(0x3c00 + i), f[offset + i] = float(i) + 0.25f;
        std::vector<float> f2(n + 64, 99.f);
        std::vector<uint16_t> h2(n + 64, 0x1234);
        c.toFloat(h.data() + offset, f2.data() + offset, n);
        c.toHalf(f.data() + offset, h2.data() + offset, n);
        for (size_t i = 0; i < n + 64; ++i) {
          const bool inside = i >= offset && i < offset + n;
          ASSERT_EQ(bitsOf(f2[i]), bitsOf(inside ? ref::halfToFloat(h[i]) : 99.f)) << level.name << " " << n;
          ASSERT_EQ(h2[i], inside ? ref::halfFromDouble(f[i]) : 0x1234) << level.name << " " << n;
        }
      }
  }
}

// The x86 Cast is chosen at each level and gives the ref Cast's bits, on one thread and
// split over three (a tensor large enough to be split).
TEST(X86F16Convert, CastMatchesRef) {
  const std::vector<float> all = hardFloats();
  const std::vector<float> floats(all.begin(), all.begin() + 300001);
  std::vector<uint16_t> halfs(300001);
  for (size_t i = 0; i < halfs.size(); ++i) halfs[i] = uint16_t(i * 7919u);
  const int64_t n = int64_t(halfs.size());
  Tensor xf = Tensor::of<float>(DType::f32, {n}, floats), xh = Tensor::of<uint16_t>(DType::f16, {n}, halfs);
  Tensor refH(DType::f16, {n}), refF(DType::f32, {n});
  AttrList none;
  EXPECT_EQ(runKernel("Cast", {&xf}, {&refH}, none, {Isa::Ref}), Isa::Ref);
  EXPECT_EQ(runKernel("Cast", {&xh}, {&refF}, none, {Isa::Ref}), Isa::Ref);
  for (const IsaLevel &level : f16cLevels())
    for (int threads : {1, 3}) {
      Tensor h(DType::f16, {n}), f(DType::f32, {n});
      EXPECT_EQ(runKernel("Cast", {&xf}, {&h}, none, level.isas, threads), level.expect) << level.name;
      EXPECT_EQ(runKernel("Cast", {&xh}, {&f}, none, level.isas, threads), level.expect) << level.name;
      ASSERT_EQ(h.values<uint16_t>(), refH.values<uint16_t>()) << level.name << " threads " << threads;
      const std::vector<float> got = f.values<float>(), want = refF.values<float>();
      for (size_t i = 0; i < got.size(); ++i)
        ASSERT_EQ(bitsOf(got[i]), bitsOf(want[i])) << level.name << " threads " << threads << " at " << i;
    }
}

// Other casts (f32 -> i32, f16 -> f16 ...) stay with ref.
TEST(X86F16Convert, OtherCastsGoToRef) {
  Tensor x = Tensor::of<float>(DType::f32, {3}, std::vector<float>{1.5f, -2.5f, 7.f});
  Tensor y(DType::i32, {3});
  AttrList none;
  for (const IsaLevel &level : f16cLevels())
    EXPECT_EQ(runKernel("Cast", {&x}, {&y}, none, level.isas), Isa::Ref) << level.name;
}

}  // namespace
}  // namespace edgec::rt::testing
