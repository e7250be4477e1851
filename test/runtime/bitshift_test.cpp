// Ref BitShift (ref/arith.cpp) on hand-computed cases: both directions, every unsigned
// width, broadcasting, bits shifted out of a narrow type, and amounts of the bit width or
// more (0).
#include "kernel_test_util.h"

namespace edgec::rt::testing {
namespace {

AttrList direction(const char *d) {
  AttrList a;
  a.s("direction", d);
  return a;
}

TEST(RefBitShift, LeftAndRightUint8) {
  Tensor x = Tensor::of<uint8_t>({4}, {16, 4, 1, 0x81});
  Tensor y = Tensor::of<uint8_t>({4}, {1, 2, 3, 1});
  Tensor z(DType::u8, {4});
  AttrList left = direction("LEFT");
  runKernel("BitShift", {&x, &y}, {&z}, left);
  // 0x81 << 1 drops the high bit: 0x02.
  EXPECT_EQ(z.values<uint8_t>(), (std::vector<uint8_t>{32, 16, 8, 0x02}));
  AttrList right = direction("RIGHT");
  runKernel("BitShift", {&x, &y}, {&z}, right);
  EXPECT_EQ(z.values<uint8_t>(), (std::vector<uint8_t>{8, 1, 0, 0x40}));
}

TEST(RefBitShift, AmountsOfTheWidthOrMoreGiveZero) {
  Tensor x = Tensor::of<uint32_t>({3}, {0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu});
  Tensor y = Tensor::of<uint32_t>({3}, {31, 32, 200});
  Tensor z(DType::u32, {3});
  AttrList left = direction("LEFT");
  runKernel("BitShift", {&x, &y}, {&z}, left);
  EXPECT_EQ(z.values<uint32_t>(), (std::vector<uint32_t>{0x80000000u, 0, 0}));
  AttrList right = direction("RIGHT");
  runKernel("BitShift", {&x, &y}, {&z}, right);
  EXPECT_EQ(z.values<uint32_t>(), (std::vector<uint32_t>{1, 0, 0}));

  Tensor x64 = Tensor::of<uint64_t>({2}, {1, 1});
  Tensor y64 = Tensor::of<uint64_t>({2}, {63, 64});
  Tensor z64(DType::u64, {2});
  runKernel("BitShift", {&x64, &y64}, {&z64}, left);
  EXPECT_EQ(z64.values<uint64_t>(), (std::vector<uint64_t>{uint64_t(1) << 63, 0}));
}

TEST(RefBitShift, BroadcastsUint16) {
  // [2, 3] shifted right by a [3] row of amounts.
  Tensor x = Tensor::of<uint16_t>({2, 3}, {0x8000, 0x8000, 0x8000, 12, 12, 12});
  Tensor y = Tensor::of<uint16_t>({3}, {0, 1, 15});
  Tensor z(DType::u16, {2, 3});
  AttrList right = direction("RIGHT");
  runKernel("BitShift", {&x, &y}, {&z}, right);
  EXPECT_EQ(z.values<uint16_t>(), (std::vector<uint16_t>{0x8000, 0x4000, 1, 12, 6, 0}));
}

TEST(RefBitShift, RejectsBadDirectionAndSignedTypes) {
  Tensor x = Tensor::of<uint8_t>({1}, {1}), y = Tensor::of<uint8_t>({1}, {1}), z(DType::u8, {1});
  AttrList up = direction("UP");
  EXPECT_ANY_THROW(runKernel("BitShift", {&x, &y}, {&z}, up));
  Tensor xs = Tensor::of<int32_t>({1}, {1}), ys = Tensor::of<int32_t>({1}, {1}), zs(DType::i32, {1});
  AttrList left = direction("LEFT");
  EXPECT_ANY_THROW(runKernel("BitShift", {&xs, &ys}, {&zs}, left));
}

}  // namespace
}  // namespace edgec::rt::testing
