// The f16 conversions the F16Adapter uses (--precision fp16), against the reference
// conversions of the ref kernels (util.h: from double, round to nearest even).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "f16_adapter.h"
#include "ref/util.h"

namespace edgec::rt {
namespace {

uint32_t bitsOf(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

TEST(F16Conversion, EveryHalfToFloatAndBack) {
  for (uint32_t h = 0; h < 65536; ++h) {
    const float f = halfBitsToFloat(uint16_t(h));
    const float ref = ref::halfToFloat(uint16_t(h));
    // NaNs too: both keep the sign and payload and set the quiet bit, so a quiet NaN
    // comes back as itself and a signaling one as its quiet twin.
    if (std::isnan(ref)) {
      ASSERT_EQ(bitsOf(f), bitsOf(ref)) << "half 0x" << std::hex << h;
      ASSERT_EQ(floatToHalfBits(f), uint16_t(h | 0x200)) << "half 0x" << std::hex << h;
      ASSERT_EQ(ref::halfFromDouble(double(f)), uint16_t(h | 0x200)) << "half 0x" << std::hex << h;
      continue;
    }
    ASSERT_EQ(bitsOf(f), bitsOf(ref)) << "half 0x" << std::hex << h;
    ASSERT_EQ(floatToHalfBits(f), uint16_t(h)) << "half 0x" << std::hex << h;
  }
}

TEST(F16Conversion, FloatToHalfRoundsToNearestEven) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<uint32_t> any;
  for (int i = 0; i < 2000000; ++i) {
    uint32_t u = any(rng);
    float f;
    std::memcpy(&f, &u, 4);
    if (std::isnan(f)) continue;
    ASSERT_EQ(floatToHalfBits(f), ref::halfFromDouble(double(f))) << "float bits 0x" << std::hex << u;
  }
  // Ties between two halves, at both ends of the range and around the subnormals.
  for (float f : {1.0f + 1.0f / 2048, 1.0f + 3.0f / 2048, 65504.0f + 8.0f, 65520.0f, 65519.996f,
                  std::ldexp(1.0f, -25), std::ldexp(3.0f, -25), std::ldexp(1.0f, -14) - std::ldexp(1.0f, -25)})
    for (float s : {f, -f}) EXPECT_EQ(floatToHalfBits(s), ref::halfFromDouble(double(s))) << s;
}

}  // namespace
}  // namespace edgec::rt
