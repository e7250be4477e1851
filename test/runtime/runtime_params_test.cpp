// Shape parameters read at run time (Slice's starts/ends/axes/steps, ...): a kernel
// prepared once uses the values of every run, fails a run whose values imply another
// shape than the compiled one (naming the node, the values and both shapes), and fails
// clearly on values the op cannot use.
#include "kernel_test_util.h"

namespace edgec::rt::testing {
namespace {

// A kernel prepared for `inputs` (null: absent) -> `outputs`, as a session prepares it.
struct Prepared {
  std::unique_ptr<Kernel> kernel;
  std::vector<const TensorView *> in;
  std::vector<TensorView *> out;

  Prepared(const std::string &op, const std::vector<Tensor *> &inputs, const std::vector<Tensor *> &outputs,
           AttrList &attrs) {
    static const TensorView absent;
    KernelSignature sig;
    sig.op = op;
    sig.node = "n1";
    sig.attrs = attrs.attrs();
    for (Tensor *t : inputs) {
      sig.inputs.push_back(t ? &t->view() : nullptr);
      sig.input_is_constant.push_back(false);
      in.push_back(t ? &t->view() : &absent);
    }
    for (Tensor *t : outputs) {
      sig.outputs.push_back(&t->view());
      out.push_back(&t->view());
    }
    kernel = KernelRegistry::instance().create(sig, {Isa::Ref});
    kernel->prepare(sig);
  }
  void run() { runPrepared(*kernel, in, out); }
  // The message of the Error a run throws ("" if it does not).
  std::string runError() {
    try {
      run();
    } catch (const Error &e) {
      return e.what();
    }
    return "";
  }
};

std::vector<float> iota(int64_t n) {
  std::vector<float> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = float(i);
  return v;
}

#define EXPECT_CONTAINS(text, part) EXPECT_NE((text).find(part), std::string::npos) << (text)

// ---- Slice ----

TEST(RuntimeParams, SliceReadsStartsOnEveryRun) {
  Tensor x = Tensor::of<float>({3, 4}, iota(12));
  Tensor starts = Tensor::of<int64_t>({2}, {0, 1}), ends = Tensor::of<int64_t>({2}, {2, 4});
  Tensor y(DType::f32, {2, 3});
  AttrList none;
  Prepared slice("Slice", {&x, &starts, &ends}, {&y}, none);
  slice.run();
  EXPECT_EQ(y.values<float>(), (std::vector<float>{1, 2, 3, 5, 6, 7}));
  // Same shape, other elements: rows 1-2, columns 0-2 (negative ends count from the end).
  starts.view().as<int64_t>()[0] = 1;
  starts.view().as<int64_t>()[1] = -4;
  ends.view().as<int64_t>()[0] = 100;  // clamped to the dim
  ends.view().as<int64_t>()[1] = -1;
  slice.run();
  EXPECT_EQ(y.values<float>(), (std::vector<float>{4, 5, 6, 8, 9, 10}));
}

TEST(RuntimeParams, SliceAxesAndNegativeSteps) {
  Tensor x = Tensor::of<float>({3, 4}, iota(12));
  Tensor starts = Tensor::of<int32_t>({2}, {-1, 2}), ends = Tensor::of<int32_t>({2}, {-100, 0});
  Tensor axes = Tensor::of<int32_t>({2}, {1, -2}), steps = Tensor::of<int32_t>({2}, {-2, -1});
  Tensor y(DType::f32, {2, 2});
  AttrList none;
  // Axis 1 from 3 down by 2 (3, 1); axis 0 from 2 down to 1 (2, 1).
  Prepared slice("Slice", {&x, &starts, &ends, &axes, &steps}, {&y}, none);
  slice.run();
  EXPECT_EQ(y.values<float>(), (std::vector<float>{11, 9, 7, 5}));
  // Steps without axes: the first dims.
  Tensor starts2 = Tensor::of<int64_t>({1}, {0}), ends2 = Tensor::of<int64_t>({1}, {3});
  Tensor steps2 = Tensor::of<int64_t>({1}, {2});
  Tensor z(DType::f32, {2, 4});
  Prepared stepped("Slice", {&x, &starts2, &ends2, nullptr, &steps2}, {&z}, none);
  stepped.run();
  EXPECT_EQ(z.values<float>(), (std::vector<float>{0, 1, 2, 3, 8, 9, 10, 11}));
}

TEST(RuntimeParams, SliceShapeMismatchNamesNodeValuesAndShapes) {
  Tensor x = Tensor::of<float>({3, 3}, iota(9));
  Tensor starts = Tensor::of<int64_t>({2}, {0, 0}), ends = Tensor::of<int64_t>({2}, {3, 3});
  Tensor y(DType::f32, {3, 3});
  AttrList none;
  Prepared slice("Slice", {&x, &starts, &ends}, {&y}, none);
  slice.run();
  EXPECT_EQ(y.values<float>(), iota(9));
  starts.view().as<int64_t>()[1] = 1;
  EXPECT_EQ(slice.runError(), "Slice node 'n1': starts [0, 1] ends [3, 3] give shape [3,2] but the package was "
                              "compiled for [3,3]; shapes are fixed at compile time (freeze the input with edgec "
                              "compile --bind NAME=FILE.npy)");
}

TEST(RuntimeParams, SliceBadValuesAreErrors) {
  Tensor x = Tensor::of<float>({3, 3}, iota(9));
  Tensor starts = Tensor::of<int64_t>({1}, {0}), ends = Tensor::of<int64_t>({1}, {3});
  Tensor axes = Tensor::of<int64_t>({1}, {0}), steps = Tensor::of<int64_t>({1}, {1});
  Tensor y(DType::f32, {3, 3});
  AttrList none;
  Prepared slice("Slice", {&x, &starts, &ends, &axes, &steps}, {&y}, none);
  steps.view().as<int64_t>()[0] = 0;
  std::string what = slice.runError();
  EXPECT_CONTAINS(what, "Slice node 'n1': starts [0] ends [3] axes [0] steps [0]: steps must be non-zero");
  steps.view().as<int64_t>()[0] = 1;
  axes.view().as<int64_t>()[0] = 2;
  what = slice.runError();
  EXPECT_CONTAINS(what, "axis 2 is out of range for [3,3]");
  axes.view().as<int64_t>()[0] = -3;
  EXPECT_CONTAINS(slice.runError(), "axis -3 is out of range");
  // A wrong element count or dtype is refused at prepare.
  Tensor two = Tensor::of<int64_t>({2}, {0, 0}), f = Tensor::of<float>({1}, {0.f});
  EXPECT_THROW(Prepared("Slice", {&x, &starts, &two}, {&y}, none), Error);
  EXPECT_THROW(Prepared("Slice", {&x, &f, &ends}, {&y}, none), Error);
  // Repeated axes.
  Tensor s2 = Tensor::of<int64_t>({2}, {0, 0}), e2 = Tensor::of<int64_t>({2}, {3, 3});
  Tensor a2 = Tensor::of<int64_t>({2}, {1, -1});
  Prepared twice("Slice", {&x, &s2, &e2, &a2}, {&y}, none);
  EXPECT_CONTAINS(twice.runError(), "axis 1 is sliced twice");
}

// ---- ReduceSum's axes ----

TEST(RuntimeParams, ReduceSumReadsAxesOnEveryRun) {
  Tensor x = Tensor::of<float>({2, 3}, iota(6));
  Tensor axes = Tensor::of<int64_t>({1}, {1});
  Tensor y(DType::f32, {2, 1});
  AttrList keep;
  keep.i("keepdims", 1);
  keep.i("noop_with_empty_axes", 0);
  Prepared sum("ReduceSum", {&x, &axes}, {&y}, keep);
  sum.run();
  EXPECT_EQ(y.values<float>(), (std::vector<float>{3, 12}));
  axes.view().as<int64_t>()[0] = -1;  // the same axis, counted from the end
  sum.run();
  EXPECT_EQ(y.values<float>(), (std::vector<float>{3, 12}));

  // Square input: axis 0 and axis 1 give the same shape, different sums.
  Tensor m = Tensor::of<int32_t>({2, 2}, {1, 2, 3, 4});
  Tensor a32 = Tensor::of<int32_t>({1}, {0});
  Tensor r(DType::i32, {2});
  AttrList drop;
  drop.i("keepdims", 0);
  Prepared dropped("ReduceSum", {&m, &a32}, {&r}, drop);
  dropped.run();
  EXPECT_EQ(r.values<int32_t>(), (std::vector<int32_t>{4, 6}));
  a32.view().as<int32_t>()[0] = 1;
  dropped.run();
  EXPECT_EQ(r.values<int32_t>(), (std::vector<int32_t>{3, 7}));
}

TEST(RuntimeParams, ReduceSumEmptyAxes) {
  Tensor x = Tensor::of<float>({2, 2}, {1, 2, 3, 4});
  Tensor none(DType::i64, {0});
  Tensor all(DType::f32, {1, 1}), same(DType::f32, {2, 2});
  AttrList reduceAll;
  reduceAll.i("keepdims", 1);
  Prepared sum("ReduceSum", {&x, &none}, {&all}, reduceAll);
  sum.run();
  EXPECT_EQ(all.values<float>(), (std::vector<float>{10}));
  AttrList noop;
  noop.i("keepdims", 1);
  noop.i("noop_with_empty_axes", 1);
  Prepared copy("ReduceSum", {&x, &none}, {&same}, noop);
  copy.run();
  EXPECT_EQ(same.values<float>(), (std::vector<float>{1, 2, 3, 4}));
}

TEST(RuntimeParams, ReduceSumShapeMismatchAndBadAxis) {
  Tensor x = Tensor::of<float>({2, 3}, iota(6));
  Tensor axes = Tensor::of<int64_t>({1}, {1});
  Tensor y(DType::f32, {2, 1});
  AttrList keep;
  keep.i("keepdims", 1);
  Prepared sum("ReduceSum", {&x, &axes}, {&y}, keep);
  axes.view().as<int64_t>()[0] = 0;
  EXPECT_EQ(sum.runError(), "ReduceSum node 'n1': axes [0] give shape [1,3] but the package was compiled for "
                            "[2,1]; shapes are fixed at compile time (freeze the input with edgec compile --bind "
                            "NAME=FILE.npy)");
  axes.view().as<int64_t>()[0] = 2;
  EXPECT_EQ(sum.runError(), "ReduceSum node 'n1': axes [2]: axis 2 is out of range for [2,3] (valid: -2 to 1)");
  Tensor f = Tensor::of<float>({1}, {1.f});
  EXPECT_THROW(Prepared("ReduceSum", {&x, &f}, {&y}, keep), Error);
  AttrList both;
  both.i("keepdims", 1);
  both.ints("axes", {1});
  EXPECT_THROW(Prepared("ReduceSum", {&x, &axes}, {&y}, both), Error);
}

// ---- Pad's pads ----

TEST(RuntimeParams, PadReadsPadsOnEveryRun) {
  Tensor x = Tensor::of<float>({2, 2}, {1, 2, 3, 4});
  Tensor pads = Tensor::of<int64_t>({4}, {0, 1, 0, 0});  // one column before
  Tensor v = Tensor::of<float>({}, {9});
  Tensor y(DType::f32, {2, 3});
  AttrList constant;
  constant.s("mode", "constant");
  Prepared pad("Pad", {&x, &v, &pads}, {&y}, constant);
  pad.run();
  EXPECT_EQ(y.values<float>(), (std::vector<float>{9, 1, 2, 9, 3, 4}));
  pads.view().as<int64_t>()[1] = 0;  // the same shape, the column after
  pads.view().as<int64_t>()[3] = 1;
  pad.run();
  EXPECT_EQ(y.values<float>(), (std::vector<float>{1, 2, 9, 3, 4, 9}));

  // Axes: pads for axis -2 only, in reflect mode; a negative pad crops.
  Tensor p2 = Tensor::of<int32_t>({2}, {1, -1}), axes = Tensor::of<int32_t>({1}, {-2});
  Tensor z(DType::f32, {2, 2});
  AttrList reflect;
  reflect.s("mode", "reflect");
  Prepared mirrored("Pad", {&x, nullptr, &p2, &axes}, {&z}, reflect);
  mirrored.run();
  EXPECT_EQ(z.values<float>(), (std::vector<float>{3, 4, 1, 2}));
}

TEST(RuntimeParams, PadShapeMismatchAndBadValues) {
  Tensor x = Tensor::of<float>({2, 2}, {1, 2, 3, 4});
  Tensor pads = Tensor::of<int64_t>({4}, {0, 1, 0, 0});
  Tensor y(DType::f32, {2, 3});
  AttrList edge;
  edge.s("mode", "edge");
  Prepared pad("Pad", {&x, nullptr, &pads}, {&y}, edge);
  pad.run();
  EXPECT_EQ(y.values<float>(), (std::vector<float>{1, 1, 2, 3, 3, 4}));
  pads.view().as<int64_t>()[0] = 1;
  EXPECT_EQ(pad.runError(), "Pad node 'n1': pads [1, 1, 0, 0] give shape [3,3] but the package was compiled for "
                            "[2,3]; shapes are fixed at compile time (freeze the input with edgec compile --bind "
                            "NAME=FILE.npy)");
  pads.view().as<int64_t>()[0] = -3;
  EXPECT_CONTAINS(pad.runError(), "pads [-3, 1, 0, 0]: dim 0 is cropped below zero");
  Tensor p2 = Tensor::of<int64_t>({2}, {0, 1}), axes = Tensor::of<int64_t>({1}, {2});
  Prepared axed("Pad", {&x, nullptr, &p2, &axes}, {&y}, edge);
  EXPECT_CONTAINS(axed.runError(), "Pad node 'n1': pads [0, 1] axes [2]: axis 2 is out of range for [2,2]");
  // A wrong count (4 pads for one axis) is refused at prepare.
  EXPECT_THROW(Prepared("Pad", {&x, nullptr, &pads, &axes}, {&y}, edge), Error);
  AttrList both;
  both.s("mode", "edge");
  both.ints("pads", {0, 1, 0, 0});
  EXPECT_THROW(Prepared("Pad", {&x, nullptr, &pads}, {&y}, both), Error);
}

// ---- Tile's repeats, Split's sizes ----

TEST(RuntimeParams, TileChecksRepeatsOnEveryRun) {
  Tensor x = Tensor::of<float>({1, 2}, {1, 2});
  Tensor repeats = Tensor::of<int64_t>({2}, {2, 1});
  Tensor y(DType::f32, {2, 2});
  AttrList none;
  Prepared tile("Tile", {&x, &repeats}, {&y}, none);
  tile.run();
  EXPECT_EQ(y.values<float>(), (std::vector<float>{1, 2, 1, 2}));
  repeats.view().as<int64_t>()[0] = 1;
  repeats.view().as<int64_t>()[1] = 2;
  EXPECT_EQ(tile.runError(), "Tile node 'n1': repeats [1, 2] give shape [1,4] but the package was compiled for "
                             "[2,2]; shapes are fixed at compile time (freeze the input with edgec compile --bind "
                             "NAME=FILE.npy)");
  repeats.view().as<int64_t>()[0] = -2;
  EXPECT_CONTAINS(tile.runError(), "Tile node 'n1': repeats [-2, 2]: repeats must be >= 0");
  Tensor three = Tensor::of<int64_t>({3}, {1, 1, 1});
  EXPECT_THROW(Prepared("Tile", {&x, &three}, {&y}, none), Error);
}

TEST(RuntimeParams, SplitChecksSizesOnEveryRun) {
  Tensor x = Tensor::of<float>({4}, {1, 2, 3, 4});
  Tensor split = Tensor::of<int64_t>({2}, {1, 3});
  Tensor a(DType::f32, {1}), b(DType::f32, {3});
  AttrList axis0;
  axis0.i("axis", 0);
  Prepared parts("Split", {&x, &split}, {&a, &b}, axis0);
  parts.run();
  EXPECT_EQ(a.values<float>(), (std::vector<float>{1}));
  EXPECT_EQ(b.values<float>(), (std::vector<float>{2, 3, 4}));
  split.view().as<int64_t>()[0] = 2;
  split.view().as<int64_t>()[1] = 2;
  EXPECT_EQ(parts.runError(), "Split node 'n1': split [2, 2] give sizes [2,2] but the package was compiled for "
                              "[1,3]; shapes are fixed at compile time (freeze the input with edgec compile --bind "
                              "NAME=FILE.npy)");
  split.view().as<int64_t>()[0] = -1;
  split.view().as<int64_t>()[1] = 5;
  EXPECT_CONTAINS(parts.runError(), "Split node 'n1': split [-1, 5]: sizes must be >= 0");
  Tensor three = Tensor::of<int64_t>({3}, {1, 1, 2});
  EXPECT_THROW(Prepared("Split", {&x, &three}, {&a, &b}, axis0), Error);
}

// ---- TopK's K, OneHot's depth ----

TEST(RuntimeParams, TopKChecksKOnEveryRun) {
  Tensor x = Tensor::of<float>({1, 4}, {3, 1, 4, 2});
  Tensor k = Tensor::of<int64_t>({1}, {2});
  Tensor values(DType::f32, {1, 2}), indices(DType::i64, {1, 2});
  AttrList attrs;
  attrs.i("axis", 1);
  attrs.i("largest", 1);
  Prepared topk("TopK", {&x, &k}, {&values, &indices}, attrs);
  topk.run();
  EXPECT_EQ(values.values<float>(), (std::vector<float>{4, 3}));
  EXPECT_EQ(indices.values<int64_t>(), (std::vector<int64_t>{2, 0}));
  k.view().as<int64_t>()[0] = 3;
  EXPECT_EQ(topk.runError(), "TopK node 'n1': K [3] give a size along the axis of [3] but the package was compiled "
                             "for [2]; shapes are fixed at compile time (freeze the input with edgec compile --bind "
                             "NAME=FILE.npy)");
  k.view().as<int64_t>()[0] = -1;
  EXPECT_CONTAINS(topk.runError(), "TopK node 'n1': K [-1]: K must be >= 0");
  Tensor two = Tensor::of<int64_t>({2}, {2, 2});
  EXPECT_THROW(Prepared("TopK", {&x, &two}, {&values, &indices}, attrs), Error);
}

TEST(RuntimeParams, OneHotChecksDepthOnEveryRun) {
  Tensor idx = Tensor::of<int64_t>({2}, {1, -1});
  Tensor onOff = Tensor::of<float>({2}, {0, 5});
  Tensor depth = Tensor::of<float>({}, {3.7f});  // truncated to 3
  Tensor y(DType::f32, {2, 3});
  AttrList attrs;
  attrs.i("axis", 1);
  Prepared hot("OneHot", {&idx, &onOff, &depth}, {&y}, attrs);
  hot.run();
  EXPECT_EQ(y.values<float>(), (std::vector<float>{0, 5, 0, 0, 0, 5}));
  depth.view().as<float>()[0] = 4;
  EXPECT_CONTAINS(hot.runError(), "OneHot node 'n1': depth [4] give a size along the axis of [4] but the package "
                                  "was compiled for [3]");
  depth.view().as<float>()[0] = 0;
  EXPECT_CONTAINS(hot.runError(), "depth must be >= 1");
  depth.view().as<float>()[0] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_CONTAINS(hot.runError(), "depth must be >= 1");
}

// ---- MaxUnpool's output_shape ----

TEST(RuntimeParams, MaxUnpoolChecksOutputShapeOnEveryRun) {
  Tensor x = Tensor::of<float>({1, 1, 1, 2}, {7, 8});
  Tensor idx = Tensor::of<int64_t>({1, 1, 1, 2}, {0, 4});
  Tensor shape = Tensor::of<int64_t>({4}, {1, 1, 1, 5});
  Tensor y(DType::f32, {1, 1, 1, 5});
  AttrList none;
  Prepared unpool("MaxUnpool", {&x, &idx, &shape}, {&y}, none);
  unpool.run();
  EXPECT_EQ(y.values<float>(), (std::vector<float>{7, 0, 0, 0, 8}));
  shape.view().as<int64_t>()[3] = 6;
  EXPECT_EQ(unpool.runError(), "MaxUnpool node 'n1': output_shape [1, 1, 1, 6] give shape [1,1,1,6] but the package "
                               "was compiled for [1,1,1,5]; shapes are fixed at compile time (freeze the input with "
                               "edgec compile --bind NAME=FILE.npy)");
  Tensor three = Tensor::of<int64_t>({3}, {1, 1, 5});
  EXPECT_THROW(Prepared("MaxUnpool", {&x, &idx, &three}, {&y}, none), Error);
}

}  // namespace
}  // namespace edgec::rt::testing
