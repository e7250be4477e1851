// Ref DFT (ref/dft.cpp) on transforms small enough to write down; the ONNX node suite
// (conformance) is the outside reference for the rest.
#include "kernel_test_util.h"

namespace edgec::rt::testing {
namespace {

AttrList &dftAttrs(AttrList &a, int64_t axis, int64_t inverse, int64_t onesided, int64_t length) {
  return a.i("axis", axis).i("inverse", inverse).i("onesided", onesided).i("dft_length", length);
}

// A unit impulse at k = 1 of a length-4 real signal: y[f] = exp(-2πi·f / 4) = 1, -i, -1, i.
// The inverse (complex input) gives the impulse back.
TEST(RefDFT, ImpulseForwardAndInverse) {
  Tensor x = Tensor::of<float>({1, 4, 1}, {0, 1, 0, 0});
  Tensor y(DType::f32, {1, 4, 2});
  AttrList a;
  runKernel("DFT", {&x}, {&y}, dftAttrs(a, 1, 0, 0, 4));
  expectNear(y.values<float>(), {1, 0, 0, -1, -1, 0, 0, 1}, 1e-6f);
  Tensor back(DType::f32, {1, 4, 2});
  AttrList b;
  runKernel("DFT", {&y}, {&back}, dftAttrs(b, 1, 1, 0, 4));
  expectNear(back.values<float>(), {0, 0, 1, 0, 0, 0, 0, 0}, 1e-6f);
}

// Onesided keeps frequencies 0 .. L/2; dft_length 6 zero-pads [1, 1, 1, 1]. With
// w = exp(-iπ/3): y[0] = 4, y[1] = 1 + w + w² + w³ = -i·√3, y[2] = 1 + w² + w⁴ + w⁶ = 1,
// y[3] = 1 - 1 + 1 - 1 = 0.
TEST(RefDFT, OnesidedWithZeroPadding) {
  Tensor x = Tensor::of<float>({1, 4, 1}, {1, 1, 1, 1});
  Tensor y(DType::f32, {1, 4, 2});
  AttrList a;
  runKernel("DFT", {&x}, {&y}, dftAttrs(a, 1, 0, 1, 6));
  expectNear(y.values<float>(), {4, 0, 0, -std::sqrt(3.f), 1, 0, 0, 0}, 1e-5f);
}

// Along axis 2 of [1, 2, 2, 1]: each row [a, b] becomes [a + b, a - b].
TEST(RefDFT, InnerAxis) {
  Tensor x = Tensor::of<float>({1, 2, 2, 1}, {1, 2, 5, 3});
  Tensor y(DType::f32, {1, 2, 2, 2});
  AttrList a;
  runKernel("DFT", {&x}, {&y}, dftAttrs(a, 2, 0, 0, 2));
  expectNear(y.values<float>(), {3, 0, -1, 0, 8, 0, 2, 0}, 1e-6f);
}

TEST(RefDFT, RejectsBadShapes) {
  Tensor x = Tensor::of<float>({1, 4, 3}, std::vector<float>(12, 0.f));  // last dim 3
  Tensor y(DType::f32, {1, 4, 2});
  AttrList a;
  EXPECT_THROW(runKernel("DFT", {&x}, {&y}, dftAttrs(a, 1, 0, 0, 4)), Error);
}

}  // namespace
}  // namespace edgec::rt::testing
