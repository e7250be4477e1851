// Ref kernels of ThresholdedRelu and Shrink (ref/unary_math.cpp) on hand-computed cases:
// the boundaries (x equal to alpha or to +-lambd), the defaults the compiler writes, and
// Shrink on integers (signed and unsigned).
#include "kernel_test_util.h"

namespace edgec::rt::testing {
namespace {

TEST(RefThresholdedRelu, KeepsOnlyValuesAboveAlpha) {
  Tensor x = Tensor::of<float>({6}, {-3.f, 0.f, 1.f, 2.f, 2.5f, 7.f});
  Tensor y(DType::f32, {6});
  AttrList a;
  a.f("alpha", 2.f);
  runKernel("ThresholdedRelu", {&x}, {&y}, a);
  // x == alpha is not above it: 0.
  EXPECT_EQ(y.values<float>(), (std::vector<float>{0.f, 0.f, 0.f, 0.f, 2.5f, 7.f}));

  Tensor xd = Tensor::of<double>({3}, {-1.0, 0.5, 1.5}), yd(DType::f64, {3});
  AttrList half;
  half.f("alpha", 0.25f);
  runKernel("ThresholdedRelu", {&xd}, {&yd}, half);
  EXPECT_EQ(yd.values<double>(), (std::vector<double>{0.0, 0.5, 1.5}));
}

TEST(RefShrink, HardAndSoft) {
  Tensor x = Tensor::of<float>({7}, {-3.f, -1.5f, -1.f, 0.f, 1.f, 1.5f, 3.f});
  Tensor y(DType::f32, {7});
  AttrList hard;  // bias 0: values inside [-lambd, lambd] become 0, others stay.
  hard.f("lambd", 1.5f).f("bias", 0.f);
  runKernel("Shrink", {&x}, {&y}, hard);
  EXPECT_EQ(y.values<float>(), (std::vector<float>{-3.f, 0.f, 0.f, 0.f, 0.f, 0.f, 3.f}));

  AttrList soft;  // bias = lambd: soft thresholding.
  soft.f("lambd", 1.5f).f("bias", 1.5f);
  runKernel("Shrink", {&x}, {&y}, soft);
  EXPECT_EQ(y.values<float>(), (std::vector<float>{-1.5f, 0.f, 0.f, 0.f, 0.f, 0.f, 1.5f}));
}

TEST(RefShrink, Integers) {
  Tensor x = Tensor::of<int32_t>({5}, {-5, -1, 0, 1, 5});
  Tensor y(DType::i32, {5});
  AttrList a;
  a.f("lambd", 1.f).f("bias", 2.f);
  runKernel("Shrink", {&x}, {&y}, a);
  EXPECT_EQ(y.values<int32_t>(), (std::vector<int32_t>{-3, 0, 0, 0, 3}));

  // Unsigned: nothing is below -lambd, so only x > lambd shifts down.
  Tensor u = Tensor::of<uint8_t>({4}, {0, 1, 2, 200});
  Tensor uy(DType::u8, {4});
  runKernel("Shrink", {&u}, {&uy}, a);
  EXPECT_EQ(uy.values<uint8_t>(), (std::vector<uint8_t>{0, 0, 0, 198}));
}

TEST(RefShrink, MissingAttributeFailsPrepare) {
  Tensor x = Tensor::of<float>({1}, {1.f}), y(DType::f32, {1});
  AttrList onlyLambd;
  onlyLambd.f("lambd", 0.5f);
  EXPECT_ANY_THROW(runKernel("Shrink", {&x}, {&y}, onlyLambd));
}

}  // namespace
}  // namespace edgec::rt::testing
