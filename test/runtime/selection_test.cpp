// Ref kernels of Hardmax, TopK, OneHot and ReverseSequence (ref/selection.cpp) on
// hand-computed cases: ties (first maximum, lower index first), NaN, inner axes,
// smallest, negative and out-of-range one-hot indices, float indices, both layouts and
// bad lengths of ReverseSequence.
#include <limits>

#include "kernel_test_util.h"

namespace edgec::rt::testing {
namespace {

const float kNaN = std::numeric_limits<float>::quiet_NaN();

TEST(RefHardmax, FirstMaximumAlongInnerAndOuterAxes) {
  // [2, 3]; row 0 has a tie (3 at 0 and 2): the first wins.
  Tensor x = Tensor::of<float>({2, 3}, {3.f, 1.f, 3.f, -1.f, -0.5f, -2.f});
  Tensor y(DType::f32, {2, 3});
  AttrList last;
  last.i("axis", 1);
  runKernel("Hardmax", {&x}, {&y}, last);
  EXPECT_EQ(y.values<float>(), (std::vector<float>{1, 0, 0, 0, 1, 0}));

  AttrList first;
  first.i("axis", 0);
  runKernel("Hardmax", {&x}, {&y}, first);
  EXPECT_EQ(y.values<float>(), (std::vector<float>{1, 1, 1, 0, 0, 0}));
}

TEST(RefHardmax, NaNIsTheMaximumAndDoubleWorks) {
  Tensor x = Tensor::of<float>({4}, {1.f, kNaN, 5.f, kNaN});
  Tensor y(DType::f32, {4});
  AttrList a;
  a.i("axis", 0);
  runKernel("Hardmax", {&x}, {&y}, a);
  EXPECT_EQ(y.values<float>(), (std::vector<float>{0, 1, 0, 0}));

  Tensor xd = Tensor::of<double>({1, 2, 2}, {1.0, 4.0, 2.0, 3.0});
  Tensor yd(DType::f64, {1, 2, 2});
  AttrList mid;
  mid.i("axis", 1);  // lines of two along the middle axis: (1, 2) and (4, 3)
  runKernel("Hardmax", {&xd}, {&yd}, mid);
  EXPECT_EQ(yd.values<double>(), (std::vector<double>{0, 1, 1, 0}));
}

TEST(RefTopK, LargestWithTiesKeepsLowerIndexFirst) {
  Tensor x = Tensor::of<float>({2, 4}, {1.f, 3.f, 3.f, 2.f, 0.f, -1.f, 5.f, 5.f});
  Tensor v(DType::f32, {2, 3}), i(DType::i64, {2, 3});
  AttrList a;
  a.i("axis", 1).i("largest", 1);
  runKernel("TopK", {&x}, {&v, &i}, a);
  EXPECT_EQ(v.values<float>(), (std::vector<float>{3, 3, 2, 5, 5, 0}));
  EXPECT_EQ(i.values<int64_t>(), (std::vector<int64_t>{1, 2, 3, 2, 3, 0}));
}

TEST(RefTopK, SmallestAlongTheOuterAxis) {
  // [3, 2], k = 2 along axis 0: column 0 is (4, 1, 1), column 1 is (7, 8, 6).
  Tensor x = Tensor::of<int32_t>({3, 2}, {4, 7, 1, 8, 1, 6});
  Tensor v(DType::i32, {2, 2}), i(DType::i64, {2, 2});
  AttrList a;
  a.i("axis", 0).i("largest", 0);
  runKernel("TopK", {&x}, {&v, &i}, a);
  EXPECT_EQ(v.values<int32_t>(), (std::vector<int32_t>{1, 6, 1, 7}));
  EXPECT_EQ(i.values<int64_t>(), (std::vector<int64_t>{1, 2, 2, 0}));
}

TEST(RefTopK, NaNRanksAboveEveryNumber) {
  Tensor x = Tensor::of<float>({4}, {2.f, kNaN, 9.f, -1.f});
  Tensor v(DType::f32, {2}), i(DType::i64, {2});
  AttrList largest;
  largest.i("axis", 0).i("largest", 1);
  runKernel("TopK", {&x}, {&v, &i}, largest);
  EXPECT_TRUE(std::isnan(v.values<float>()[0]));
  EXPECT_EQ(i.values<int64_t>(), (std::vector<int64_t>{1, 2}));
  AttrList smallest;
  smallest.i("axis", 0).i("largest", 0);
  runKernel("TopK", {&x}, {&v, &i}, smallest);
  EXPECT_EQ(v.values<float>(), (std::vector<float>{-1, 2}));
  EXPECT_EQ(i.values<int64_t>(), (std::vector<int64_t>{3, 0}));
}

TEST(RefTopK, KLargerThanTheAxisFailsPrepare) {
  Tensor x = Tensor::of<float>({2}, {1.f, 2.f});
  Tensor v(DType::f32, {3}), i(DType::i64, {3});
  AttrList a;
  a.i("axis", 0).i("largest", 1);
  EXPECT_ANY_THROW(runKernel("TopK", {&x}, {&v, &i}, a));
}

TEST(RefOneHot, NegativeAndOutOfRangeIndices) {
  // depth 4 along the last axis; -1 is 3, 4 and -5 are out of range (all off).
  Tensor idx = Tensor::of<int64_t>({4}, {0, -1, 4, -5});
  Tensor values = Tensor::of<float>({2}, {-1.f, 7.f});
  Tensor y(DType::f32, {4, 4});
  AttrList a;
  a.i("axis", 1);
  runKernel("OneHot", {&idx, &values}, {&y}, a);
  EXPECT_EQ(y.values<float>(), (std::vector<float>{7, -1, -1, -1, -1, -1, -1, 7,  //
                                                   -1, -1, -1, -1, -1, -1, -1, -1}));
}

TEST(RefOneHot, FloatIndicesTruncateAndAxisZero) {
  // Indices [2] of floats, depth 3 inserted first: output [3, 2]; 1.9 is 1, -0.5 is 0.
  Tensor idx = Tensor::of<float>({2}, {1.9f, -0.5f});
  Tensor values = Tensor::of<int32_t>({2}, {0, 1});
  Tensor y(DType::i32, {3, 2});
  AttrList a;
  a.i("axis", 0);
  runKernel("OneHot", {&idx, &values}, {&y}, a);
  EXPECT_EQ(y.values<int32_t>(), (std::vector<int32_t>{0, 1, 1, 0, 0, 0}));
}

TEST(RefOneHot, ValuesMustHoldTwoElements) {
  Tensor idx = Tensor::of<int64_t>({1}, {0});
  Tensor values = Tensor::of<float>({3}, {0.f, 1.f, 2.f});
  Tensor y(DType::f32, {1, 2});
  AttrList a;
  a.i("axis", 1);
  EXPECT_ANY_THROW(runKernel("OneHot", {&idx, &values}, {&y}, a));
}

TEST(RefReverseSequence, BatchFirstAndTimeFirst) {
  // [batch 2, time 3, 2]: entry 0 reverses its first 3 steps, entry 1 its first 2.
  Tensor x = Tensor::of<float>({2, 3, 2}, {0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15});
  Tensor lens = Tensor::of<int64_t>({2}, {3, 2});
  Tensor y(DType::f32, {2, 3, 2});
  AttrList batchFirst;
  batchFirst.i("batch_axis", 0).i("time_axis", 1);
  runKernel("ReverseSequence", {&x, &lens}, {&y}, batchFirst);
  EXPECT_EQ(y.values<float>(), (std::vector<float>{4, 5, 2, 3, 0, 1, 12, 13, 10, 11, 14, 15}));

  // [time 3, batch 2]: column b holds entry b's steps; lengths 1 (unchanged) and 3.
  Tensor xt = Tensor::of<int32_t>({3, 2}, {0, 10, 1, 11, 2, 12});
  Tensor lt = Tensor::of<int64_t>({2}, {1, 3});
  Tensor yt(DType::i32, {3, 2});
  AttrList timeFirst;
  timeFirst.i("batch_axis", 1).i("time_axis", 0);
  runKernel("ReverseSequence", {&xt, &lt}, {&yt}, timeFirst);
  EXPECT_EQ(yt.values<int32_t>(), (std::vector<int32_t>{0, 12, 1, 11, 2, 10}));
}

TEST(RefReverseSequence, LengthOutOfRangeFailsTheRun) {
  Tensor x = Tensor::of<float>({2, 2}, {0, 1, 2, 3});
  Tensor y(DType::f32, {2, 2});
  AttrList a;
  a.i("batch_axis", 0).i("time_axis", 1);
  Tensor tooLong = Tensor::of<int64_t>({2}, {1, 3});
  EXPECT_ANY_THROW(runKernel("ReverseSequence", {&x, &tooLong}, {&y}, a));
  Tensor negative = Tensor::of<int64_t>({2}, {-1, 0});
  EXPECT_ANY_THROW(runKernel("ReverseSequence", {&x, &negative}, {&y}, a));
}

}  // namespace
}  // namespace edgec::rt::testing
