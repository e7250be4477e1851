// Ref kernels whose output sizes depend on the input values (ref/data_dependent.cpp):
// NonZero, Compress, Unique and NonMaxSuppression, on the ONNX node tests' examples and on
// the edges of the contract: outputs given at their capacity, run writing the actual
// results at the start and setting the actual shapes (empty results with a 0 dim, the
// capacity reached exactly, a result over a smaller planned capacity refused), and the
// shapes prepare refuses. Also their capacity shape functions.
#include <limits>
#include <optional>

#include "kernel_test_util.h"
#include "shape_inference.h"
#include "shape_test_util.h"

namespace edgec::rt::testing {
namespace {

const float kNaN = std::numeric_limits<float>::quiet_NaN();

Tensor boolTensor(Shape shape, const std::vector<uint8_t> &values) {
  return Tensor::of<uint8_t>(DType::bool_, std::move(shape), values);
}

// ---- NonZero -----------------------------------------------------------------------

TEST(DataDependentNonZero, OnnxExample) {
  // ONNX's test_nonzero_example: [[1, 0], [1, 1]] -> [[0, 1, 1], [0, 0, 1]].
  Tensor x = boolTensor({2, 2}, {1, 0, 1, 1});
  Tensor y(DType::i64, {2, 4});  // capacity numel(X) = 4
  runKernel("NonZero", {&x}, {&y});
  EXPECT_EQ(y.shape(), (Shape{2, 3}));
  EXPECT_EQ(y.values<int64_t>(), (std::vector<int64_t>{0, 1, 1, 0, 0, 1}));
}

TEST(DataDependentNonZero, FloatsIntegersAndHalvesInRowMajorOrder) {
  // -0 is zero, NaN is not.
  Tensor xf = Tensor::of<float>({5}, {0.f, -0.f, kNaN, 2.5f, 0.f});
  Tensor yf(DType::i64, {1, 5});
  runKernel("NonZero", {&xf}, {&yf});
  EXPECT_EQ(yf.shape(), (Shape{1, 2}));
  EXPECT_EQ(yf.values<int64_t>(), (std::vector<int64_t>{2, 3}));

  // [2, 2, 3]: nonzero at (0,0,2), (0,1,0), (1,1,1), (1,1,2).
  Tensor xi = Tensor::of<int32_t>({2, 2, 3}, {0, 0, 7, -1, 0, 0, 0, 0, 0, 0, 3, 4});
  Tensor yi(DType::i64, {3, 12});
  runKernel("NonZero", {&xi}, {&yi});
  EXPECT_EQ(yi.shape(), (Shape{3, 4}));
  EXPECT_EQ(yi.values<int64_t>(), (std::vector<int64_t>{0, 0, 1, 1, 0, 1, 1, 1, 2, 0, 1, 2}));

  // f16 bits: 0x8000 is -0, 0x3c00 is 1.
  Tensor xh = Tensor::of<uint16_t>(DType::f16, {3}, {0x8000, 0x3c00, 0x0000});
  Tensor yh(DType::i64, {1, 3});
  runKernel("NonZero", {&xh}, {&yh});
  EXPECT_EQ(yh.values<int64_t>(), (std::vector<int64_t>{1}));
}

TEST(DataDependentNonZero, EmptyResultsAndCapacityReachedExactly) {
  Tensor zeros = Tensor::of<int64_t>({2, 3}, {0, 0, 0, 0, 0, 0});
  Tensor y(DType::i64, {2, 6});
  runKernel("NonZero", {&zeros}, {&y});
  EXPECT_EQ(y.shape(), (Shape{2, 0}));

  Tensor empty(DType::f32, {0, 3});
  Tensor ye(DType::i64, {2, 0});
  runKernel("NonZero", {&empty}, {&ye});
  EXPECT_EQ(ye.shape(), (Shape{2, 0}));

  Tensor all = Tensor::of<uint8_t>({2, 2}, {1, 2, 3, 4});
  Tensor ya(DType::i64, {2, 4});
  runKernel("NonZero", {&all}, {&ya});
  EXPECT_EQ(ya.shape(), (Shape{2, 4}));
  EXPECT_EQ(ya.values<int64_t>(), (std::vector<int64_t>{0, 0, 1, 1, 0, 1, 0, 1}));
}

TEST(DataDependentNonZero, RefusesScalarsAndResultsOverThePlannedCapacity) {
  Tensor scalar = Tensor::of<float>({}, {1.f});
  Tensor y(DType::i64, {0, 1});
  const std::string scalarError = errorOf([&] { runKernel("NonZero", {&scalar}, {&y}); });
  EXPECT_NE(scalarError.find("test_node"), std::string::npos) << scalarError;
  EXPECT_NE(scalarError.find("rank 0"), std::string::npos) << scalarError;

  Tensor x = Tensor::of<int32_t>({4}, {1, 1, 1, 0});
  Tensor small(DType::i64, {1, 2});  // a capacity the compiler planned below numel
  const std::string over = errorOf([&] { runKernel("NonZero", {&x}, {&small}); });
  EXPECT_NE(over.find("NonZero node 'test_node'"), std::string::npos) << over;
  EXPECT_NE(over.find("3 nonzero elements exceed the capacity of 2"), std::string::npos) << over;
}

TEST(DataDependentNonZero, EachRunOfOnePreparedKernelSetsItsOwnShape) {
  // Prepared once at capacity; the runs leave the output's shape at their own results,
  // and a later run does not depend on what an earlier one left there.
  Tensor x = Tensor::of<float>({2, 2}, {1, 0, 0, 0});
  Tensor y(DType::i64, {2, 4});
  KernelSignature sig;
  sig.op = "NonZero";
  sig.node = "test_node";
  sig.inputs = {&x.view()};
  sig.input_is_constant = {false};
  sig.outputs = {&y.view()};
  std::unique_ptr<Kernel> k = KernelRegistry::instance().create(sig, {Isa::Ref});
  k->prepare(sig);
  runPrepared(*k, {&x.view()}, {&y.view()});
  EXPECT_EQ(y.shape(), (Shape{2, 1}));
  EXPECT_EQ(y.values<int64_t>(), (std::vector<int64_t>{0, 0}));
  const std::vector<float> all = {3, 4, 5, 6};
  std::memcpy(x.view().data, all.data(), sizeof(float) * all.size());
  runPrepared(*k, {&x.view()}, {&y.view()});
  EXPECT_EQ(y.shape(), (Shape{2, 4}));
  EXPECT_EQ(y.values<int64_t>(), (std::vector<int64_t>{0, 0, 1, 1, 0, 1, 0, 1}));
  std::memset(x.view().data, 0, sizeof(float) * 4);
  runPrepared(*k, {&x.view()}, {&y.view()});
  EXPECT_EQ(y.shape(), (Shape{2, 0}));
}

// ---- Compress ----------------------------------------------------------------------

TEST(DataDependentCompress, OnnxExamplesAlongEitherAxis) {
  // test_compress_0: [[1, 2], [3, 4], [5, 6]], condition [0, 1, 1], axis 0.
  Tensor x = Tensor::of<float>({3, 2}, {1, 2, 3, 4, 5, 6});
  Tensor cond0 = boolTensor({3}, {0, 1, 1});
  Tensor y0(DType::f32, {3, 2});
  AttrList axis0;
  axis0.i("axis", 0);
  runKernel("Compress", {&x, &cond0}, {&y0}, axis0);
  EXPECT_EQ(y0.shape(), (Shape{2, 2}));
  EXPECT_EQ(y0.values<float>(), (std::vector<float>{3, 4, 5, 6}));

  // test_compress_1: condition [0, 1], axis 1 -> [[2], [4], [6]].
  Tensor cond1 = boolTensor({2}, {0, 1});
  Tensor y1(DType::f32, {3, 2});
  AttrList axis1;
  axis1.i("axis", 1);
  runKernel("Compress", {&x, &cond1}, {&y1}, axis1);
  EXPECT_EQ(y1.shape(), (Shape{3, 1}));
  EXPECT_EQ(y1.values<float>(), (std::vector<float>{2, 4, 6}));

  // A shorter condition: the slices past it count as false ([0, 1] along axis 0 of 3).
  Tensor y2(DType::f32, {3, 2});
  runKernel("Compress", {&x, &cond1}, {&y2}, axis0);
  EXPECT_EQ(y2.shape(), (Shape{1, 2}));
  EXPECT_EQ(y2.values<float>(), (std::vector<float>{3, 4}));
}

TEST(DataDependentCompress, MiddleAxisOfInt64EmptyAndFullSelections) {
  // [2, 3, 2] along axis 1 with [1, 0, 1]: slices 0 and 2 of each outer block.
  Tensor x = Tensor::of<int64_t>({2, 3, 2}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  Tensor cond = boolTensor({3}, {1, 0, 1});
  Tensor y(DType::i64, {2, 3, 2});
  AttrList axis1;
  axis1.i("axis", 1);
  runKernel("Compress", {&x, &cond}, {&y}, axis1);
  EXPECT_EQ(y.shape(), (Shape{2, 2, 2}));
  EXPECT_EQ(y.values<int64_t>(), (std::vector<int64_t>{0, 1, 4, 5, 6, 7, 10, 11}));

  Tensor none = boolTensor({3}, {0, 0, 0});
  Tensor yn(DType::i64, {2, 3, 2});
  runKernel("Compress", {&x, &none}, {&yn}, axis1);
  EXPECT_EQ(yn.shape(), (Shape{2, 0, 2}));

  Tensor all = boolTensor({3}, {1, 1, 1});  // the capacity, exactly
  Tensor ya(DType::i64, {2, 3, 2});
  runKernel("Compress", {&x, &all}, {&ya}, axis1);
  EXPECT_EQ(ya.shape(), (Shape{2, 3, 2}));
  EXPECT_EQ(ya.values<int64_t>(), x.values<int64_t>());

  // An empty input (a 0 dim off the axis) and an empty condition.
  Tensor empty(DType::f32, {0, 3});
  Tensor ye(DType::f32, {0, 3});
  runKernel("Compress", {&empty, &cond}, {&ye}, axis1);
  EXPECT_EQ(ye.shape(), (Shape{0, 2}));
  Tensor noCond(DType::bool_, {0});
  Tensor yc(DType::i64, {2, 3, 2});
  runKernel("Compress", {&x, &noCond}, {&yc}, axis1);
  EXPECT_EQ(yc.shape(), (Shape{2, 0, 2}));
}

TEST(DataDependentCompress, RefusesALongerConditionAndResultsOverTheCapacity) {
  Tensor x = Tensor::of<float>({3, 2}, {1, 2, 3, 4, 5, 6});
  Tensor cond = boolTensor({4}, {1, 0, 1, 1});
  Tensor y(DType::f32, {3, 2});
  AttrList axis0;
  axis0.i("axis", 0);
  const std::string longer = errorOf([&] { runKernel("Compress", {&x, &cond}, {&y}, axis0); });
  EXPECT_NE(longer.find("Compress node 'test_node'"), std::string::npos) << longer;
  EXPECT_NE(longer.find("length 4"), std::string::npos) << longer;
  EXPECT_NE(longer.find("input's 3"), std::string::npos) << longer;

  Tensor all = boolTensor({3}, {1, 1, 1});
  Tensor small(DType::f32, {2, 2});
  const std::string over = errorOf([&] { runKernel("Compress", {&x, &all}, {&small}, axis0); });
  EXPECT_NE(over.find("3 selected slices exceed the capacity of 2"), std::string::npos) << over;
}

// ---- Unique ------------------------------------------------------------------------

struct UniqueResult {
  Tensor y, indices, inverse, counts;
};

// Outputs at capacity: [numel] without an axis, X's shape / [X.shape[axis]] with one.
template <typename T>
UniqueResult runUnique(const Shape &shape, const std::vector<T> &x, int64_t sorted, std::optional<int64_t> axis,
                       std::optional<int64_t> capacity = std::nullopt) {
  Tensor input = Tensor::of<T>(shape, x);
  const int64_t n = axis ? shape[size_t(*axis)] : numelOf(shape);
  const int64_t cap = capacity ? *capacity : n;
  Shape yShape = {cap};
  if (axis) {
    yShape = shape;
    yShape[size_t(*axis)] = cap;
  }
  UniqueResult r{Tensor(dtypeFor<T>(), yShape), Tensor(DType::i64, {cap}), Tensor(DType::i64, {n}),
                 Tensor(DType::i64, {cap})};
  AttrList attrs;
  attrs.i("sorted", sorted);
  if (axis) attrs.i("axis", *axis);
  runKernel("Unique", {&input}, {&r.y, &r.indices, &r.inverse, &r.counts}, attrs);
  return r;
}

TEST(DataDependentUnique, OnnxNotSortedWithoutAxis) {
  // test_unique_not_sorted_without_axis: [2, 1, 1, 3, 4, 3].
  UniqueResult r = runUnique<float>({6}, {2, 1, 1, 3, 4, 3}, 0, std::nullopt);
  EXPECT_EQ(r.y.shape(), (Shape{4}));
  EXPECT_EQ(r.y.values<float>(), (std::vector<float>{2, 1, 3, 4}));
  EXPECT_EQ(r.indices.values<int64_t>(), (std::vector<int64_t>{0, 1, 3, 4}));
  EXPECT_EQ(r.inverse.values<int64_t>(), (std::vector<int64_t>{0, 1, 1, 2, 3, 2}));
  EXPECT_EQ(r.counts.values<int64_t>(), (std::vector<int64_t>{1, 2, 2, 1}));
}

TEST(DataDependentUnique, OnnxSortedWithoutAxis) {
  // test_unique_sorted_without_axis: the same X, sorted.
  UniqueResult r = runUnique<float>({6}, {2, 1, 1, 3, 4, 3}, 1, std::nullopt);
  EXPECT_EQ(r.y.values<float>(), (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(r.indices.values<int64_t>(), (std::vector<int64_t>{1, 0, 3, 4}));
  EXPECT_EQ(r.inverse.values<int64_t>(), (std::vector<int64_t>{1, 0, 0, 2, 3, 2}));
  EXPECT_EQ(r.counts.values<int64_t>(), (std::vector<int64_t>{2, 1, 2, 1}));

  // The spec's example 2: [[1, 3], [2, 3]] flattened, as int32.
  UniqueResult i = runUnique<int32_t>({2, 2}, {1, 3, 2, 3}, 1, std::nullopt);
  EXPECT_EQ(i.y.shape(), (Shape{3}));
  EXPECT_EQ(i.y.values<int32_t>(), (std::vector<int32_t>{1, 2, 3}));
  EXPECT_EQ(i.indices.values<int64_t>(), (std::vector<int64_t>{0, 2, 1}));
  EXPECT_EQ(i.inverse.values<int64_t>(), (std::vector<int64_t>{0, 2, 1, 2}));
  EXPECT_EQ(i.counts.values<int64_t>(), (std::vector<int64_t>{1, 1, 2}));
}

TEST(DataDependentUnique, OnnxSortedWithAxis) {
  // test_unique_sorted_with_axis: rows of [[1, 0, 0], [1, 0, 0], [2, 3, 4]].
  UniqueResult r = runUnique<float>({3, 3}, {1, 0, 0, 1, 0, 0, 2, 3, 4}, 1, 0);
  EXPECT_EQ(r.y.shape(), (Shape{2, 3}));
  EXPECT_EQ(r.y.values<float>(), (std::vector<float>{1, 0, 0, 2, 3, 4}));
  EXPECT_EQ(r.indices.values<int64_t>(), (std::vector<int64_t>{0, 2}));
  EXPECT_EQ(r.inverse.values<int64_t>(), (std::vector<int64_t>{0, 0, 1}));
  EXPECT_EQ(r.counts.values<int64_t>(), (std::vector<int64_t>{2, 1}));

  // test_unique_sorted_with_negative_axis (axis -1, normalized to 1): the columns of
  // [[1, 0, 0], [1, 0, 0], [2, 3, 3]] are (1, 1, 2), (0, 0, 3), (0, 0, 3).
  UniqueResult c = runUnique<float>({3, 3}, {1, 0, 0, 1, 0, 0, 2, 3, 3}, 1, 1);
  EXPECT_EQ(c.y.shape(), (Shape{3, 2}));
  EXPECT_EQ(c.y.values<float>(), (std::vector<float>{0, 1, 0, 1, 3, 2}));
  EXPECT_EQ(c.indices.values<int64_t>(), (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(c.inverse.values<int64_t>(), (std::vector<int64_t>{1, 0, 0}));
  EXPECT_EQ(c.counts.values<int64_t>(), (std::vector<int64_t>{2, 1}));
}

TEST(DataDependentUnique, OnnxSortedWithAxisOnA3dInput) {
  // test_unique_sorted_with_axis_3d: [2, 4, 2] along axis 1; slices A = [[1, 1], [1, 1]],
  // [[0, 1], [0, 1]], [[2, 1], [2, 1]], [[0, 1], [0, 1]].
  const std::vector<float> x = {1, 1, 0, 1, 2, 1, 0, 1, 1, 1, 0, 1, 2, 1, 0, 1};
  UniqueResult r = runUnique<float>({2, 4, 2}, x, 1, 1);
  EXPECT_EQ(r.y.shape(), (Shape{2, 3, 2}));
  EXPECT_EQ(r.y.values<float>(), (std::vector<float>{0, 1, 1, 1, 2, 1, 0, 1, 1, 1, 2, 1}));
  EXPECT_EQ(r.indices.values<int64_t>(), (std::vector<int64_t>{1, 0, 2}));
  EXPECT_EQ(r.inverse.values<int64_t>(), (std::vector<int64_t>{1, 0, 2, 0}));
  EXPECT_EQ(r.counts.values<int64_t>(), (std::vector<int64_t>{2, 1, 1}));

  // Unsorted: the order of first occurrence (A0, A1, A2).
  UniqueResult u = runUnique<float>({2, 4, 2}, x, 0, 1);
  EXPECT_EQ(u.y.shape(), (Shape{2, 3, 2}));
  EXPECT_EQ(u.y.values<float>(), (std::vector<float>{1, 1, 0, 1, 2, 1, 1, 1, 0, 1, 2, 1}));
  EXPECT_EQ(u.indices.values<int64_t>(), (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(u.inverse.values<int64_t>(), (std::vector<int64_t>{0, 1, 2, 1}));
  EXPECT_EQ(u.counts.values<int64_t>(), (std::vector<int64_t>{1, 2, 1}));

  // Along the last axis, slices compare lexicographically in row-major order: the
  // columns (0, 1, 5, 0), (0, 0, 9, 9), (0, 1, 5, 0) of a [2, 2, 3] int8 input.
  UniqueResult last = runUnique<int8_t>({2, 2, 3}, {0, 0, 0, 1, 0, 1, 5, 9, 5, 0, 9, 0}, 1, 2);
  EXPECT_EQ(last.y.shape(), (Shape{2, 2, 2}));
  EXPECT_EQ(last.y.values<int8_t>(), (std::vector<int8_t>{0, 0, 0, 1, 9, 5, 9, 0}));
  EXPECT_EQ(last.indices.values<int64_t>(), (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(last.inverse.values<int64_t>(), (std::vector<int64_t>{1, 0, 1}));
  EXPECT_EQ(last.counts.values<int64_t>(), (std::vector<int64_t>{1, 2}));
}

TEST(DataDependentUnique, NaNsMergeAndSortLastAndZerosAreEqual) {
  // numpy.unique (equal_nan): one NaN, last; -0 and 0 are one value, the first seen.
  UniqueResult r = runUnique<float>({6}, {kNaN, 1.f, -0.f, kNaN, 0.f, -2.f}, 1, std::nullopt);
  ASSERT_EQ(r.y.shape(), (Shape{4}));
  const std::vector<float> y = r.y.values<float>();
  EXPECT_EQ(y[0], -2.f);
  EXPECT_TRUE(y[1] == 0.f && std::signbit(y[1]));
  EXPECT_EQ(y[2], 1.f);
  EXPECT_TRUE(std::isnan(y[3]));
  EXPECT_EQ(r.indices.values<int64_t>(), (std::vector<int64_t>{5, 2, 1, 0}));
  EXPECT_EQ(r.inverse.values<int64_t>(), (std::vector<int64_t>{3, 2, 1, 3, 1, 0}));
  EXPECT_EQ(r.counts.values<int64_t>(), (std::vector<int64_t>{1, 2, 1, 2}));
}

TEST(DataDependentUnique, BoolsHalvesAndUnsigned) {
  UniqueResult b = runUnique<uint8_t>({5}, {1, 0, 1, 1, 0}, 1, std::nullopt);  // u8; then the same as bool
  EXPECT_EQ(b.y.values<uint8_t>(), (std::vector<uint8_t>{0, 1}));
  Tensor bools = boolTensor({5}, {1, 0, 1, 1, 0});
  Tensor y(DType::bool_, {5}), indices(DType::i64, {5}), inverse(DType::i64, {5}), counts(DType::i64, {5});
  AttrList unsorted;
  unsorted.i("sorted", 0);
  runKernel("Unique", {&bools}, {&y, &indices, &inverse, &counts}, unsorted);
  EXPECT_EQ(y.values<uint8_t>(), (std::vector<uint8_t>{1, 0}));
  EXPECT_EQ(indices.values<int64_t>(), (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(inverse.values<int64_t>(), (std::vector<int64_t>{0, 1, 0, 0, 1}));
  EXPECT_EQ(counts.values<int64_t>(), (std::vector<int64_t>{3, 2}));

  // f16 bits: -1 (0xbc00), 2 (0x4000), -1, 0.5 (0x3800): sorted -1, 0.5, 2.
  Tensor halves = Tensor::of<uint16_t>(DType::f16, {4}, {0xbc00, 0x4000, 0xbc00, 0x3800});
  Tensor yh(DType::f16, {4}), ih(DType::i64, {4}), vh(DType::i64, {4}), ch(DType::i64, {4});
  AttrList sorted;
  sorted.i("sorted", 1);
  runKernel("Unique", {&halves}, {&yh, &ih, &vh, &ch}, sorted);
  EXPECT_EQ(yh.values<uint16_t>(), (std::vector<uint16_t>{0xbc00, 0x3800, 0x4000}));
  EXPECT_EQ(ih.values<int64_t>(), (std::vector<int64_t>{0, 3, 1}));
  EXPECT_EQ(vh.values<int64_t>(), (std::vector<int64_t>{0, 2, 0, 1}));
  EXPECT_EQ(ch.values<int64_t>(), (std::vector<int64_t>{2, 1, 1}));
}

TEST(DataDependentUnique, EmptyInputsCapacityReachedAndExceeded) {
  UniqueResult e = runUnique<float>({0, 4}, {}, 1, std::nullopt);
  EXPECT_EQ(e.y.shape(), (Shape{0}));
  EXPECT_EQ(e.indices.shape(), (Shape{0}));
  EXPECT_EQ(e.inverse.shape(), (Shape{0}));
  EXPECT_EQ(e.counts.shape(), (Shape{0}));

  // Slices of no elements are all equal: one of them.
  UniqueResult s = runUnique<float>({3, 0}, {}, 1, 0);
  EXPECT_EQ(s.y.shape(), (Shape{1, 0}));
  EXPECT_EQ(s.indices.values<int64_t>(), (std::vector<int64_t>{0}));
  EXPECT_EQ(s.inverse.values<int64_t>(), (std::vector<int64_t>{0, 0, 0}));
  EXPECT_EQ(s.counts.values<int64_t>(), (std::vector<int64_t>{3}));

  UniqueResult all = runUnique<int64_t>({4}, {7, -1, 3, 0}, 0, std::nullopt);  // u = numel
  EXPECT_EQ(all.y.values<int64_t>(), (std::vector<int64_t>{7, -1, 3, 0}));
  EXPECT_EQ(all.counts.values<int64_t>(), (std::vector<int64_t>{1, 1, 1, 1}));

  const std::string over = errorOf([] { runUnique<int64_t>({4}, {7, -1, 3, 7}, 1, std::nullopt, 2); });
  EXPECT_NE(over.find("Unique node 'test_node'"), std::string::npos) << over;
  EXPECT_NE(over.find("3 unique values exceed the capacity of 2"), std::string::npos) << over;
}

// ---- NonMaxSuppression -------------------------------------------------------------

// The boxes of most of ONNX's NMS node tests: three overlapping at x 0..1, two at 10..11
// and one alone at 100..101 ([y1, x1, y2, x2]), with scores .9 .75 .6 .95 .5 .3.
const std::vector<float> kBoxes = {0, 0,  1, 1,  0, 0.1f,  1, 1.1f,  0, -0.1f, 1, 0.9f,
                                   0, 10, 1, 11, 0, 10.1f, 1, 11.1f, 0, 100,   1, 101};
const std::vector<float> kScores = {0.9f, 0.75f, 0.6f, 0.95f, 0.5f, 0.3f};

struct NmsInputs {
  Shape boxesShape;
  std::vector<float> boxes;
  Shape scoresShape;
  std::vector<float> scores;
  std::optional<int64_t> maxOutput = 3;
  std::optional<float> iou = 0.5f;
  std::optional<float> scoreThreshold = 0.f;
  int64_t centerPointBox = 0;
  std::optional<int64_t> capacity;  // default B * C * N
};

Tensor runNms(const NmsInputs &c) {
  Tensor boxes = Tensor::of<float>(c.boxesShape, c.boxes);
  Tensor scores = Tensor::of<float>(c.scoresShape, c.scores);
  Tensor maxOut = Tensor::of<int64_t>({1}, {c.maxOutput.value_or(0)});
  Tensor iou = Tensor::of<float>({1}, {c.iou.value_or(0.f)});
  Tensor score = Tensor::of<float>({1}, {c.scoreThreshold.value_or(0.f)});
  const int64_t cap = c.capacity ? *c.capacity : c.scoresShape[0] * c.scoresShape[1] * c.scoresShape[2];
  Tensor y(DType::i64, {cap, 3});
  AttrList attrs;
  attrs.i("center_point_box", c.centerPointBox);
  runKernel("NonMaxSuppression",
            {&boxes, &scores, c.maxOutput ? &maxOut : nullptr, c.iou ? &iou : nullptr,
             c.scoreThreshold ? &score : nullptr},
            {&y}, attrs);
  return y;
}

void expectSelected(const Tensor &y, const std::vector<int64_t> &rows) {
  EXPECT_EQ(y.shape(), (Shape{int64_t(rows.size() / 3), 3}));
  EXPECT_EQ(y.values<int64_t>(), rows);
}

TEST(DataDependentNms, OnnxSuppressByIouAndScores) {
  expectSelected(runNms({{1, 6, 4}, kBoxes, {1, 1, 6}, kScores}), {0, 0, 3, 0, 0, 0, 0, 0, 5});
  NmsInputs scores{{1, 6, 4}, kBoxes, {1, 1, 6}, kScores};
  scores.scoreThreshold = 0.4f;  // test_nonmaxsuppression_suppress_by_IOU_and_scores
  expectSelected(runNms(scores), {0, 0, 3, 0, 0, 0});
}

TEST(DataDependentNms, OnnxFlippedCoordinatesAndCenterPointBoxes) {
  const std::vector<float> flipped = {1, 1,  0, 0,  0, 0.1f,  1, 1.1f,  0, 0.9f, 1, -0.1f,
                                      0, 10, 1, 11, 1, 10.1f, 0, 11.1f, 1, 101,  0, 100};
  expectSelected(runNms({{1, 6, 4}, flipped, {1, 1, 6}, kScores}), {0, 0, 3, 0, 0, 0, 0, 0, 5});

  const std::vector<float> centers = {0.5f, 0.5f,  1, 1, 0.5f, 0.6f,  1, 1, 0.5f, 0.4f,   1, 1,
                                      0.5f, 10.5f, 1, 1, 0.5f, 10.6f, 1, 1, 0.5f, 100.5f, 1, 1};
  NmsInputs center{{1, 6, 4}, centers, {1, 1, 6}, kScores};
  center.centerPointBox = 1;  // test_nonmaxsuppression_center_point_box_format
  expectSelected(runNms(center), {0, 0, 3, 0, 0, 0, 0, 0, 5});
}

TEST(DataDependentNms, OnnxLimitOutputSizeTwoClassesAndTwoBatches) {
  NmsInputs limit{{1, 6, 4}, kBoxes, {1, 1, 6}, kScores};
  limit.maxOutput = 2;  // test_nonmaxsuppression_limit_output_size
  expectSelected(runNms(limit), {0, 0, 3, 0, 0, 0});

  std::vector<float> twoClassScores = kScores;
  twoClassScores.insert(twoClassScores.end(), kScores.begin(), kScores.end());
  NmsInputs classes{{1, 6, 4}, kBoxes, {1, 2, 6}, twoClassScores};
  classes.maxOutput = 2;  // test_nonmaxsuppression_two_classes
  expectSelected(runNms(classes), {0, 0, 3, 0, 0, 0, 0, 1, 3, 0, 1, 0});

  std::vector<float> twoBatchBoxes = kBoxes;
  twoBatchBoxes.insert(twoBatchBoxes.end(), kBoxes.begin(), kBoxes.end());
  NmsInputs batches{{2, 6, 4}, twoBatchBoxes, {2, 1, 6}, twoClassScores};
  batches.maxOutput = 2;  // test_nonmaxsuppression_two_batches
  expectSelected(runNms(batches), {0, 0, 3, 0, 0, 0, 1, 0, 3, 1, 0, 0});
}

TEST(DataDependentNms, OnnxSingleAndIdenticalBoxes) {
  // test_nonmaxsuppression_single_box: the capacity (1 row) reached exactly.
  expectSelected(runNms({{1, 1, 4}, {0, 0, 1, 1}, {1, 1, 1}, {0.9f}}), {0, 0, 0});

  // test_nonmaxsuppression_identical_boxes: ten equal boxes and scores; the lowest index.
  std::vector<float> same;
  for (int i = 0; i < 10; ++i) same.insert(same.end(), {0, 0, 1, 1});
  expectSelected(runNms({{1, 10, 4}, same, {1, 1, 10}, std::vector<float>(10, 0.9f)}), {0, 0, 0});
}

TEST(DataDependentNms, AbsentInputsEmptyResultsAndTheCapacity) {
  // No max_output_boxes_per_class (or 0, or negative): nothing selected.
  NmsInputs absent{{1, 6, 4}, kBoxes, {1, 1, 6}, kScores};
  absent.maxOutput = std::nullopt;
  absent.iou = std::nullopt;
  absent.scoreThreshold = std::nullopt;
  expectSelected(runNms(absent), {});
  NmsInputs negative{{1, 6, 4}, kBoxes, {1, 1, 6}, kScores};
  negative.maxOutput = -4;
  expectSelected(runNms(negative), {});

  // A score threshold above every score.
  NmsInputs high{{1, 6, 4}, kBoxes, {1, 1, 6}, kScores};
  high.scoreThreshold = 0.96f;
  expectSelected(runNms(high), {});

  // No iou_threshold (0): any overlap suppresses; no score threshold: every box is a
  // candidate, negative scores too. Box 0 suppresses 1 and 2, box 3 suppresses 4.
  NmsInputs noThresholds{{1, 6, 4}, kBoxes, {1, 1, 6}, {0.9f, 0.75f, 0.6f, 0.95f, 0.5f, -3.f}};
  noThresholds.maxOutput = 10;
  noThresholds.iou = std::nullopt;
  noThresholds.scoreThreshold = std::nullopt;
  expectSelected(runNms(noThresholds), {0, 0, 3, 0, 0, 0, 0, 0, 5});

  // Boxes far apart in two classes: every box of every class, B * C * N rows exactly;
  // equal scores keep the lower index first.
  NmsInputs apart{{1, 3, 4}, {0, 0, 1, 1, 0, 5, 1, 6, 0, 10, 1, 11}, {1, 2, 3}, {0.5f, 0.7f, 0.5f, 0.2f, 0.1f, 0.3f}};
  apart.maxOutput = 3;
  expectSelected(runNms(apart), {0, 0, 1, 0, 0, 0, 0, 0, 2, 0, 1, 2, 0, 1, 0, 0, 1, 1});

  // No boxes at all.
  expectSelected(runNms({{1, 0, 4}, {}, {1, 2, 0}, {}}), {});

  // A capacity the compiler planned below what the values select.
  apart.capacity = 4;
  const std::string over = errorOf([&] { runNms(apart); });
  EXPECT_NE(over.find("NonMaxSuppression node 'test_node'"), std::string::npos) << over;
  EXPECT_NE(over.find("exceed the capacity of 4"), std::string::npos) << over;
}

TEST(DataDependentNms, PrepareRefusesBadShapes) {
  Tensor boxes(DType::f32, {1, 6, 4}), scores(DType::f32, {1, 1, 5}), y(DType::i64, {6, 3});
  AttrList none;
  const std::string mismatch = errorOf([&] { runKernel("NonMaxSuppression", {&boxes, &scores}, {&y}, none); });
  EXPECT_NE(mismatch.find("NonMaxSuppression node 'test_node': scores must be"), std::string::npos) << mismatch;

  Tensor flat(DType::f32, {6, 4}), okScores(DType::f32, {1, 1, 6});
  const std::string rank = errorOf([&] { runKernel("NonMaxSuppression", {&flat, &okScores}, {&y}, none); });
  EXPECT_NE(rank.find("boxes must be [num_batches, num_boxes, 4]"), std::string::npos) << rank;

  Tensor twoMax(DType::i64, {2});
  const std::string scalar =
      errorOf([&] { runKernel("NonMaxSuppression", {&boxes, &okScores, &twoMax}, {&y}, none); });
  EXPECT_NE(scalar.find("max_output_boxes_per_class must hold one value"), std::string::npos) << scalar;
}

// ---- capacity shape functions ------------------------------------------------------------

std::vector<Shape> capacities(const std::string &op, std::vector<Shape> inputs, std::vector<Shape> compiled,
                              AttrList *attrs = nullptr) {
  return edgec::rt::testing::inferShapesFor(op, std::move(inputs), std::move(compiled), attrs);
}

TEST(ShapeFunctions, DataDependentOpsGiveTheirCapacities) {
  for (const char *op : {"NonZero", "Compress", "Unique", "NonMaxSuppression"}) {
    EXPECT_TRUE(shapeIsDataDependent(op)) << op;
    EXPECT_TRUE(hasShapeFunction(op)) << op;
  }
  EXPECT_FALSE(shapeIsDataDependent("Add"));
  EXPECT_FALSE(shapeIsDataDependent("Range"));

  EXPECT_EQ(capacities("NonZero", {{2, 3, 4}}, {{3, 1}})[0], (Shape{3, 24}));
  EXPECT_NE(errorOf([] { capacities("NonZero", {Shape{}}, {{0, 1}}); }).find("rank 0"), std::string::npos);

  AttrList axis1;
  axis1.i("axis", 1);
  EXPECT_EQ(capacities("Compress", {{2, 5, 3}, {4}}, {{1, 1, 1}}, &axis1)[0], (Shape{2, 5, 3}));
  EXPECT_NE(errorOf([&] { capacities("Compress", {{2, 5, 3}, {6}}, {{1, 1, 1}}, &axis1); }).find("Compress node 'n'"),
            std::string::npos);

  AttrList flat;
  flat.i("sorted", 1);
  EXPECT_EQ(capacities("Unique", {{2, 3}}, {{1}, {1}, {1}, {1}}, &flat),
            (std::vector<Shape>{{6}, {6}, {6}, {6}}));
  AttrList withAxis;
  withAxis.i("sorted", 0).i("axis", 1);
  EXPECT_EQ(capacities("Unique", {{2, 4, 2}}, {{1, 1, 1}, {1}, {1}, {1}}, &withAxis),
            (std::vector<Shape>{{2, 4, 2}, {4}, {4}, {4}}));

  EXPECT_EQ(capacities("NonMaxSuppression", {{2, 6, 4}, {2, 3, 6}, {1}, {1}, {1}}, {{1, 3}})[0], (Shape{36, 3}));
  EXPECT_NE(errorOf([] { capacities("NonMaxSuppression", {{2, 6, 4}, {1, 3, 6}}, {{1, 3}}); })
                .find("are not [B, N, 4] and [B, C, N]"),
            std::string::npos);
}

}  // namespace
}  // namespace edgec::rt::testing
