// The ref GatherElements, ScatterElements, GatherND and ScatterND kernels: the ONNX spec's
// examples and small hand-computed cases (negative indices, int32 indices, byte and
// 8-byte elements, add/mul reductions with duplicate indices, f16 and wrapping integer
// arithmetic), out-of-range indices failing with the op's name, and the calls the
// kernels refuse at prepare.
#include "kernel_test_util.h"

namespace edgec::rt::testing {
namespace {

// ---- GatherElements ----

TEST(GatherElements, SpecExampleAxis1) {
  Tensor x = Tensor::of<float>({2, 2}, {1, 2, 3, 4});
  Tensor idx = Tensor::of<int64_t>({2, 2}, {0, 0, 1, 0});
  Tensor y(DType::f32, {2, 2});
  AttrList attrs;
  attrs.i("axis", 1);
  runKernel("GatherElements", {&x, &idx}, {&y}, attrs);
  EXPECT_EQ(y.values<float>(), (std::vector<float>{1, 1, 4, 3}));
}

TEST(GatherElements, Axis0NegativeInt32Indices) {
  Tensor x = Tensor::of<int64_t>({3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  Tensor idx = Tensor::of<int32_t>({2, 3}, {-1, -2, 0, -2, 0, 0});
  Tensor y(DType::i64, {2, 3});
  AttrList attrs;
  attrs.i("axis", 0);
  runKernel("GatherElements", {&x, &idx}, {&y}, attrs);
  EXPECT_EQ(y.values<int64_t>(), (std::vector<int64_t>{7, 5, 3, 4, 2, 3}));
}

// Indices smaller than data off the axis (a [2, 1] window of a [3, 3] tensor), u8 elements.
TEST(GatherElements, IndicesSmallerThanData) {
  Tensor x = Tensor::of<uint8_t>({3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  Tensor idx = Tensor::of<int64_t>({2, 1}, {2, 0});
  Tensor y(DType::u8, {2, 1});
  AttrList attrs;
  attrs.i("axis", 1);
  runKernel("GatherElements", {&x, &idx}, {&y}, attrs);
  EXPECT_EQ(y.values<uint8_t>(), (std::vector<uint8_t>{3, 4}));
}

// Rank 3, the middle axis: y[i][j][k] = x[i][idx[i][j][k]][k].
TEST(GatherElements, Rank3MiddleAxis) {
  std::vector<int32_t> xv(2 * 3 * 2);
  for (size_t i = 0; i < xv.size(); ++i) xv[i] = int32_t(i);
  Tensor x = Tensor::of<int32_t>({2, 3, 2}, xv);
  Tensor idx = Tensor::of<int64_t>({2, 1, 2}, {2, 0, 1, -1});
  Tensor y(DType::i32, {2, 1, 2});
  AttrList attrs;
  attrs.i("axis", 1);
  runKernel("GatherElements", {&x, &idx}, {&y}, attrs);
  // x[0][2][0] = 4, x[0][0][1] = 1, x[1][1][0] = 8, x[1][2][1] = 11
  EXPECT_EQ(y.values<int32_t>(), (std::vector<int32_t>{4, 1, 8, 11}));
}

TEST(GatherElements, OutOfRangeIndexIsAnError) {
  for (int64_t bad : {3, -4}) {
    Tensor x = Tensor::of<float>({2, 3}, {1, 2, 3, 4, 5, 6});
    Tensor idx = Tensor::of<int64_t>({2, 1}, {0, bad});
    Tensor y(DType::f32, {2, 1});
    AttrList attrs;
    attrs.i("axis", 1);
    std::string err = errorOf([&] { runKernel("GatherElements", {&x, &idx}, {&y}, attrs); });
    EXPECT_NE(err.find("GatherElements"), std::string::npos) << err;
    EXPECT_NE(err.find("index " + std::to_string(bad) + " is out of range"), std::string::npos) << err;
  }
}

TEST(GatherElements, RefusesBadCalls) {
  Tensor x = Tensor::of<float>({2, 2}, {1, 2, 3, 4});
  Tensor idx = Tensor::of<int64_t>({2, 2}, {0, 0, 0, 0}), idx1 = Tensor::of<int64_t>({4}, {0, 0, 0, 0});
  Tensor idxf = Tensor::of<float>({2, 2}, {0, 0, 0, 0}), wide = Tensor::of<int64_t>({2, 3}, {0, 0, 0, 0, 0, 0});
  Tensor y(DType::f32, {2, 2}), yi(DType::i32, {2, 2}), y4(DType::f32, {4}), y23(DType::f32, {2, 3});
  AttrList axis1, axis2, noAxis;
  axis1.i("axis", 1);
  axis2.i("axis", 2);
  EXPECT_THROW(runKernel("GatherElements", {&x, &idx}, {&yi}, axis1), Error);     // output dtype
  EXPECT_THROW(runKernel("GatherElements", {&x, &idx1}, {&y4}, axis1), Error);    // indices rank
  EXPECT_THROW(runKernel("GatherElements", {&x, &idxf}, {&y}, axis1), Error);     // float indices
  EXPECT_THROW(runKernel("GatherElements", {&x, &idx}, {&y}, axis2), Error);      // axis out of range
  EXPECT_THROW(runKernel("GatherElements", {&x, &idx}, {&y}, noAxis), Error);     // axis missing
  AttrList axis0;
  axis0.i("axis", 0);
  // Indices wider than data off the axis.
  EXPECT_THROW(runKernel("GatherElements", {&x, &wide}, {&y23}, axis0), Error);
}

// ---- ScatterElements ----

TEST(ScatterElements, SpecExampleAxis0) {
  Tensor x = Tensor::of<float>({3, 3}, std::vector<float>(9, 0.f));
  Tensor idx = Tensor::of<int64_t>({2, 3}, {1, 0, 2, 0, 2, 1});
  Tensor u = Tensor::of<float>({2, 3}, {1.0f, 1.1f, 1.2f, 2.0f, 2.1f, 2.2f});
  Tensor y(DType::f32, {3, 3});
  AttrList attrs;
  attrs.i("axis", 0).s("reduction", "none");
  runKernel("ScatterElements", {&x, &idx, &u}, {&y}, attrs);
  EXPECT_EQ(y.values<float>(), (std::vector<float>{2.0f, 1.1f, 0, 1.0f, 0, 2.2f, 0, 2.1f, 1.2f}));
}

TEST(ScatterElements, NegativeInt32IndicesAxis1) {
  Tensor x = Tensor::of<float>({1, 5}, {1, 2, 3, 4, 5});
  Tensor idx = Tensor::of<int32_t>({1, 2}, {1, -3});
  Tensor u = Tensor::of<float>({1, 2}, {1.1f, 2.1f});
  Tensor y(DType::f32, {1, 5});
  AttrList attrs;
  attrs.i("axis", 1).s("reduction", "none");
  runKernel("ScatterElements", {&x, &idx, &u}, {&y}, attrs);
  EXPECT_EQ(y.values<float>(), (std::vector<float>{1, 1.1f, 2.1f, 4, 5}));
}

// Duplicate indices: "none" keeps the last update, add and mul accumulate in index order.
TEST(ScatterElements, DuplicateIndicesPerReduction) {
  const std::vector<std::pair<const char *, std::vector<float>>> cases = {
      {"none", {1, 2.1f, 3, 4, 5}}, {"add", {1, 2 + 1.1f + 2.1f, 3, 4, 5}}, {"mul", {1, 2 * 1.1f * 2.1f, 3, 4, 5}}};
  for (const auto &[reduction, expect] : cases) {
    Tensor x = Tensor::of<float>({1, 5}, {1, 2, 3, 4, 5});
    Tensor idx = Tensor::of<int64_t>({1, 2}, {1, 1});
    Tensor u = Tensor::of<float>({1, 2}, {1.1f, 2.1f});
    Tensor y(DType::f32, {1, 5});
    AttrList attrs;
    attrs.i("axis", 1).s("reduction", reduction);
    runKernel("ScatterElements", {&x, &idx, &u}, {&y}, attrs);
    EXPECT_EQ(y.values<float>(), expect) << reduction;
  }
}

// int8 add wraps (100 + 100 = -56), f16 mul rounds through float (1.5 * 3 = 4.5 exactly).
TEST(ScatterElements, IntegerWrapAndHalf) {
  Tensor x = Tensor::of<int8_t>({2}, {100, 7});
  Tensor idx = Tensor::of<int64_t>({1}, {0});
  Tensor u = Tensor::of<int8_t>({1}, {100});
  Tensor y(DType::i8, {2});
  AttrList add;
  add.i("axis", 0).s("reduction", "add");
  runKernel("ScatterElements", {&x, &idx, &u}, {&y}, add);
  EXPECT_EQ(y.values<int8_t>(), (std::vector<int8_t>{-56, 7}));

  Tensor h = Tensor::of<uint16_t>(DType::f16, {2}, {0x3e00 /* 1.5 */, 0x3c00 /* 1 */});
  Tensor hu = Tensor::of<uint16_t>(DType::f16, {1}, {0x4200 /* 3 */});
  Tensor hy(DType::f16, {2});
  AttrList mul;
  mul.i("axis", 0).s("reduction", "mul");
  runKernel("ScatterElements", {&h, &idx, &hu}, {&hy}, mul);
  EXPECT_EQ(hy.values<uint16_t>(), (std::vector<uint16_t>{0x4480 /* 4.5 */, 0x3c00}));
}

TEST(ScatterElements, OutOfRangeIndexIsAnError) {
  Tensor x = Tensor::of<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor idx = Tensor::of<int64_t>({1, 1}, {2});
  Tensor u = Tensor::of<float>({1, 1}, {9});
  Tensor y(DType::f32, {2, 3});
  AttrList attrs;
  attrs.i("axis", 0).s("reduction", "none");
  std::string err = errorOf([&] { runKernel("ScatterElements", {&x, &idx, &u}, {&y}, attrs); });
  EXPECT_NE(err.find("ScatterElements node 'test_node': index 2 is out of range for data dim 0 of size 2"),
            std::string::npos)
      << err;
}

TEST(ScatterElements, RefusesBadCalls) {
  Tensor x = Tensor::of<float>({2, 2}, {1, 2, 3, 4});
  Tensor idx = Tensor::of<int64_t>({1, 2}, {0, 0});
  Tensor u = Tensor::of<float>({1, 2}, {1, 2}), u3 = Tensor::of<float>({1, 3}, {1, 2, 3});
  Tensor ui = Tensor::of<int32_t>({1, 2}, {1, 2});
  Tensor y(DType::f32, {2, 2}), y12(DType::f32, {1, 2});
  Tensor b = Tensor::of<uint8_t>(DType::bool_, {2}, {0, 1}), bi = Tensor::of<int64_t>({1}, {0});
  Tensor bu = Tensor::of<uint8_t>(DType::bool_, {1}, {1}), by(DType::bool_, {2});
  AttrList none, max, add;
  none.i("axis", 0).s("reduction", "none");
  max.i("axis", 0).s("reduction", "max");
  add.i("axis", 0).s("reduction", "add");
  EXPECT_THROW(runKernel("ScatterElements", {&x, &idx, &u3}, {&y}, none), Error);   // updates shape
  EXPECT_THROW(runKernel("ScatterElements", {&x, &idx, &ui}, {&y}, none), Error);   // updates dtype
  EXPECT_THROW(runKernel("ScatterElements", {&x, &idx, &u}, {&y12}, none), Error);  // output shape
  EXPECT_THROW(runKernel("ScatterElements", {&x, &idx, &u}, {&y}, max), Error);     // reduction max
  EXPECT_THROW(runKernel("ScatterElements", {&b, &bi, &bu}, {&by}, add), Error);    // bool add
  runKernel("ScatterElements", {&b, &bi, &bu}, {&by}, none);                        // bool overwrite is fine
  EXPECT_EQ(by.values<uint8_t>(), (std::vector<uint8_t>{1, 1}));
}

// ---- GatherND ----

TEST(GatherND, SpecExamples) {
  Tensor x = Tensor::of<int32_t>({2, 2}, {0, 1, 2, 3});
  Tensor pairs = Tensor::of<int64_t>({2, 2}, {0, 0, 1, 1}), rows = Tensor::of<int64_t>({2, 1}, {1, 0});
  Tensor y1(DType::i32, {2}), y2(DType::i32, {2, 2});
  AttrList b0;
  b0.i("batch_dims", 0);
  runKernel("GatherND", {&x, &pairs}, {&y1}, b0);
  EXPECT_EQ(y1.values<int32_t>(), (std::vector<int32_t>{0, 3}));
  runKernel("GatherND", {&x, &rows}, {&y2}, b0);
  EXPECT_EQ(y2.values<int32_t>(), (std::vector<int32_t>{2, 3, 0, 1}));
}

TEST(GatherND, BatchDims1NegativeInt32Indices) {
  Tensor x = Tensor::of<float>({2, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7});
  Tensor idx = Tensor::of<int32_t>({2, 1}, {-1, 0});
  Tensor y(DType::f32, {2, 2});
  AttrList b1;
  b1.i("batch_dims", 1);
  runKernel("GatherND", {&x, &idx}, {&y}, b1);
  EXPECT_EQ(y.values<float>(), (std::vector<float>{2, 3, 4, 5}));
}

TEST(GatherND, OutOfRangeIndexIsAnError) {
  Tensor x = Tensor::of<float>({2, 3}, {0, 1, 2, 3, 4, 5});
  Tensor idx = Tensor::of<int64_t>({1, 2}, {1, -4});
  Tensor y(DType::f32, {1});
  AttrList b0;
  b0.i("batch_dims", 0);
  std::string err = errorOf([&] { runKernel("GatherND", {&x, &idx}, {&y}, b0); });
  EXPECT_NE(err.find("GatherND node 'test_node': index -4 is out of range for data dim 1 of size 3"),
            std::string::npos)
      << err;
}

TEST(GatherND, RefusesBadCalls) {
  Tensor x = Tensor::of<float>({2, 3}, {0, 1, 2, 3, 4, 5});
  Tensor idx3 = Tensor::of<int64_t>({1, 3}, {0, 0, 0}), idx = Tensor::of<int64_t>({3, 1}, {0, 0, 0});
  Tensor y1(DType::f32, {1}), y3(DType::f32, {3}), y33(DType::f32, {3, 3});
  AttrList b0, b1;
  b0.i("batch_dims", 0);
  b1.i("batch_dims", 1);
  EXPECT_THROW(runKernel("GatherND", {&x, &idx3}, {&y1}, b0), Error);  // tuples longer than data's rank
  EXPECT_THROW(runKernel("GatherND", {&x, &idx}, {&y3}, b0), Error);   // output shape ([3, 3])
  EXPECT_THROW(runKernel("GatherND", {&x, &idx}, {&y33}, b1), Error);  // batch dims differ (2 vs 3)
}

// ---- ScatterND ----

TEST(ScatterND, SpecExample1D) {
  Tensor x = Tensor::of<float>({8}, {1, 2, 3, 4, 5, 6, 7, 8});
  Tensor idx = Tensor::of<int64_t>({4, 1}, {4, 3, 1, 7});
  Tensor u = Tensor::of<float>({4}, {9, 10, 11, 12});
  Tensor y(DType::f32, {8});
  AttrList none;
  none.s("reduction", "none");
  runKernel("ScatterND", {&x, &idx, &u}, {&y}, none);
  EXPECT_EQ(y.values<float>(), (std::vector<float>{1, 11, 3, 10, 9, 6, 7, 12}));
}

// Row slices at a duplicate (negative) index: add and mul accumulate both rows.
TEST(ScatterND, SliceReductionsWithDuplicates) {
  const std::vector<std::pair<const char *, std::vector<int64_t>>> cases = {
      {"none", {1, 2, 30, 40}}, {"add", {1, 2, 43, 64}}, {"mul", {1, 2, 900, 3200}}};
  for (const auto &[reduction, expect] : cases) {
    Tensor x = Tensor::of<int64_t>({2, 2}, {1, 2, 3, 4});
    Tensor idx = Tensor::of<int32_t>({2, 1}, {1, -1});
    Tensor u = Tensor::of<int64_t>({2, 2}, {10, 20, 30, 40});
    Tensor y(DType::i64, {2, 2});
    AttrList attrs;
    attrs.s("reduction", reduction);
    runKernel("ScatterND", {&x, &idx, &u}, {&y}, attrs);
    EXPECT_EQ(y.values<int64_t>(), expect) << reduction;
  }
}

TEST(ScatterND, OutOfRangeIndexIsAnError) {
  Tensor x = Tensor::of<float>({4}, {1, 2, 3, 4});
  Tensor idx = Tensor::of<int64_t>({1, 1}, {4});
  Tensor u = Tensor::of<float>({1}, {9});
  Tensor y(DType::f32, {4});
  AttrList none;
  none.s("reduction", "none");
  std::string err = errorOf([&] { runKernel("ScatterND", {&x, &idx, &u}, {&y}, none); });
  EXPECT_NE(err.find("ScatterND node 'test_node': index 4 is out of range"), std::string::npos) << err;
}

TEST(ScatterND, RefusesBadCalls) {
  Tensor x = Tensor::of<float>({4, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  Tensor idx = Tensor::of<int64_t>({2, 1}, {0, 1});
  Tensor u = Tensor::of<float>({2}, {1, 2}), u22 = Tensor::of<float>({2, 2}, {1, 2, 3, 4});
  Tensor y(DType::f32, {4, 2});
  AttrList none, max;
  none.s("reduction", "none");
  max.s("reduction", "max");
  EXPECT_THROW(runKernel("ScatterND", {&x, &idx, &u}, {&y}, none), Error);    // updates must be [2, 2]
  EXPECT_THROW(runKernel("ScatterND", {&x, &idx, &u22}, {&y}, max), Error);   // reduction max
}

}  // namespace
}  // namespace edgec::rt::testing
