// Dynamic shapes in the runtime: the per-op shape functions, a session over a package
// with a dynamic dim (input shapes chosen per run, a reshape's rule, kernels prepared
// again), and the loader's checks of the dynamic fields.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "edgec/package_builder.h"
#include "edgepkg_generated.h"
#include "kernel_test_util.h"
#include "model.h"
#include "shape_inference.h"
#include "shape_test_util.h"

namespace {

using namespace edgec;
using namespace edgec::rt;
using edgec::rt::testing::AttrList;

// ---- shape functions -------------------------------------------------------------

std::vector<Shape> shapes(const std::string &op, std::vector<Shape> inputs, std::vector<Shape> compiled,
                          AttrList *attrs = nullptr) {
  return edgec::rt::testing::inferShapesFor(op, std::move(inputs), std::move(compiled), attrs);
}

std::string shapeError(const std::string &op, std::vector<Shape> inputs, std::vector<Shape> compiled,
                       AttrList *attrs = nullptr) {
  try {
    shapes(op, inputs, compiled, attrs);
  } catch (const Error &e) {
    return e.what();
  }
  return "";
}

TEST(ShapeFunctions, ConvAndPoolsFollowTheirWindows) {
  AttrList conv;
  conv.ints("strides", {2, 1}).ints("pads", {1, 0, 1, 0}).ints("dilations", {1, 2});
  // H: (17 + 2 - 3) / 2 + 1 = 9; W: (10 - 5) / 1 + 1 = 6 (dilated 3-tap kernel spans 5).
  EXPECT_EQ(shapes("Conv", {{2, 3, 17, 10}, {8, 3, 3, 3}}, {{4, 8, 16, 30}}, &conv)[0], (Shape{2, 8, 9, 6}));
  AttrList pool;
  pool.ints("kernel_shape", {2, 2}).ints("strides", {2, 2});
  EXPECT_EQ(shapes("MaxPool", {{1, 4, 9, 7}}, {{1, 4, 16, 16}}, &pool)[0], (Shape{1, 4, 4, 3}));
  EXPECT_EQ(shapes("GlobalAveragePool", {{3, 4, 9, 7}}, {{4, 4, 1, 1}})[0], (Shape{3, 4, 1, 1}));
  EXPECT_NE(shapeError("MaxPool", {{1, 4, 1, 7}}, {{1, 4, 16, 16}}, &pool).find("smaller than the window"),
            std::string::npos);
}

TEST(ShapeFunctions, MatMulGemmAndBroadcasting) {
  EXPECT_EQ(shapes("MatMul", {{5, 1, 7, 3}, {4, 3, 2}}, {{8, 4, 9, 2}})[0], (Shape{5, 4, 7, 2}));
  EXPECT_EQ(shapes("MatMul", {{3}, {2, 3, 6}}, {{2, 6}})[0], (Shape{2, 6}));
  AttrList t;
  t.i("transA", 1).i("transB", 1);
  EXPECT_EQ(shapes("Gemm", {{3, 5}, {7, 3}}, {{9, 7}}, &t)[0], (Shape{5, 7}));
  EXPECT_EQ(shapes("Add", {{5, 1, 4}, {3, 1}}, {{8, 3, 4}})[0], (Shape{5, 3, 4}));
  EXPECT_EQ(shapes("Where", {{1, 4}, {6, 1}, {4}}, {{8, 4}})[0], (Shape{6, 4}));
  EXPECT_NE(shapeError("Add", {{5, 4}, {3, 4}}, {{8, 4}}).find("do not broadcast"), std::string::npos);
  EXPECT_NE(shapeError("MatMul", {{5, 4}, {3, 4}}, {{8, 4}}).find("do not multiply"), std::string::npos);
}

TEST(ShapeFunctions, DataMovementAndReductions) {
  AttrList perm;
  perm.ints("perm", {2, 0, 1});
  EXPECT_EQ(shapes("Transpose", {{2, 3, 4}}, {{4, 8, 3}}, &perm)[0], (Shape{4, 2, 3}));
  AttrList axis1;
  axis1.i("axis", 1);
  EXPECT_EQ(shapes("Concat", {{2, 3}, {2, 5}}, {{2, 16}}, &axis1)[0], (Shape{2, 8}));
  AttrList gather;
  gather.i("axis", 1);
  EXPECT_EQ(shapes("Gather", {{2, 9, 4}, {3, 5}}, {{2, 3, 5, 4}}, &gather)[0], (Shape{2, 3, 5, 4}));
  AttrList axes;
  axes.ints("axes", {1});
  EXPECT_EQ(shapes("ReduceMean", {{2, 7, 4}}, {{2, 1, 4}}, &axes)[0], (Shape{2, 1, 4}));  // keepdims
  EXPECT_EQ(shapes("ReduceMean", {{2, 7, 4}}, {{2, 4}}, &axes)[0], (Shape{2, 4}));
  AttrList ln;
  ln.i("axis", -1);
  const auto norm = shapes("LayerNormalization", {{3, 5, 8}, {8}}, {{6, 5, 8}, {6, 5, 1}}, &ln);
  EXPECT_EQ(norm[1], (Shape{3, 5, 1}));
  // Slice ends at the compiled bound (to the end of the axis) clamp to the run's dim.
  AttrList slice;
  slice.ints("starts", {0, 1}).ints("ends", {32, 3}).ints("steps", {1, 1});
  EXPECT_EQ(shapes("Slice", {{20, 4}}, {{32, 2}}, &slice)[0], (Shape{20, 2}));
  EXPECT_NE(shapeError("ScatterND", {{20, 4}, {2, 1}, {2, 4}}, {{32, 4}}).find("cannot compute its output shapes"),
            std::string::npos);
}

TEST(ShapeFunctions, TilePadAndGathers) {
  AttrList repeats;
  repeats.ints("repeats", {2, 1, 3});
  EXPECT_EQ(shapes("Tile", {{5, 4, 1}}, {{16, 4, 3}}, &repeats)[0], (Shape{10, 4, 3}));
  AttrList pads;
  pads.ints("pads", {0, 1, 2, 0, 3, -1});  // begins, then ends (a negative one crops)
  EXPECT_EQ(shapes("Pad", {{5, 4, 6}}, {{8, 8, 8}}, &pads)[0], (Shape{5, 8, 7}));
  // Run-time repeats and pads (with axes) are read from their values.
  TensorView x, reps, padValues, axes, out;
  int64_t r[2] = {3, 2}, p[4] = {1, 2, 0, 4}, a[2] = {-1, 0};
  x.shape = {5, 4};
  reps.dtype = padValues.dtype = axes.dtype = DType::i64;
  reps.shape = axes.shape = {2};
  padValues.shape = {4};
  reps.data = r, padValues.data = p, axes.data = a;
  out.shape = {32, 32};
  KernelSignature tile;
  tile.op = "Tile";
  tile.node = "t";
  tile.inputs = {&x, &reps};
  tile.outputs = {&out};
  EXPECT_TRUE(shapeNeedsValues(tile));
  EXPECT_EQ(inferOutputShapes(tile)[0], (Shape{15, 8}));
  KernelSignature pad;
  pad.op = "Pad";
  pad.node = "p";
  pad.inputs = {&x, nullptr, &padValues, &axes};
  pad.outputs = {&out};
  EXPECT_TRUE(shapeNeedsValues(pad));
  EXPECT_EQ(inferOutputShapes(pad)[0], (Shape{11, 5}));  // axis 0: 2 + 4 more, axis -1: 1 + 0
  AttrList batch0;
  batch0.i("batch_dims", 0);
  EXPECT_EQ(shapes("GatherND", {{3, 4, 5}, {7, 2}}, {{12, 5}}, &batch0)[0], (Shape{7, 5}));
  EXPECT_NE(shapeError("GatherND", {{3, 4}, {7, 3}}, {{12}}, &batch0).find("do not fit"), std::string::npos);
  AttrList axis0;
  axis0.i("axis", 0);
  EXPECT_EQ(shapes("GatherElements", {{3, 4}, {6, 4}}, {{8, 4}}, &axis0)[0], (Shape{6, 4}));
}

TEST(ShapeFunctions, FixedSizesAlongAnAxisAndRecurrentLayers) {
  AttrList axis1;
  axis1.i("axis", 1);
  // Split keeps its sizes along the axis; the other dims follow the input.
  const auto parts = shapes("Split", {{5, 6}}, {{8, 2}, {8, 4}}, &axis1);
  EXPECT_EQ(parts[0], (Shape{5, 2}));
  EXPECT_EQ(parts[1], (Shape{5, 4}));
  EXPECT_NE(shapeError("Split", {{5, 7}}, {{8, 2}, {8, 4}}, &axis1).find("a dynamic axis splits into equal parts only"),
            std::string::npos);
  // Equal parts (ONNX's Split without sizes) divide the run's length.
  const auto halves = shapes("Split", {{5, 6}}, {{8, 8}, {8, 8}}, &axis1);
  EXPECT_EQ(halves[1], (Shape{5, 3}));
  EXPECT_NE(shapeError("Split", {{5, 7}}, {{8, 8}, {8, 8}}, &axis1).find("the split axis has size 7"), std::string::npos);
  EXPECT_EQ(shapes("TopK", {{3, 9}}, {{8, 2}, {8, 2}}, &axis1)[1], (Shape{3, 2}));
  EXPECT_EQ(shapes("OneHot", {{3, 5}}, {{8, 10, 9}}, &axis1)[0], (Shape{3, 10, 5}));
  AttrList lstm;
  lstm.i("layout", 1).i("hidden_size", 32).s("direction", "bidirectional");
  const auto y = shapes("LSTM", {{2, 7, 16}, {2, 128, 16}, {2, 128, 32}}, {{2, 12, 2, 32}, {2, 2, 32}, {2, 2, 32}}, &lstm);
  EXPECT_EQ(y[0], (Shape{2, 7, 2, 32}));
  EXPECT_EQ(y[2], (Shape{2, 2, 32}));
  AttrList gru;
  gru.i("layout", 0).i("hidden_size", 8).s("direction", "forward");
  EXPECT_EQ(shapes("GRU", {{5, 3, 4}, {1, 24, 4}, {1, 24, 8}}, {{12, 1, 4, 8}, {1, 4, 8}}, &gru)[0], (Shape{5, 1, 3, 8}));
}

TEST(ShapeFunctions, ValueDependentShapesReadTheirInputs) {
  // Range: ceil((limit - start) / delta) from the values; Expand to a run-time target;
  // Slice with run-time starts and ends.
  TensorView start, limit, delta, x, target, starts, ends, y;
  int64_t s0 = 2, l0 = 11, d0 = 3;
  start.dtype = limit.dtype = delta.dtype = DType::i64;
  start.data = &s0, limit.data = &l0, delta.data = &d0;
  y.shape = {16};
  KernelSignature range;
  range.op = "Range";
  range.node = "r";
  range.inputs = {&start, &limit, &delta};
  range.outputs = {&y};
  EXPECT_TRUE(shapeNeedsValues(range));
  EXPECT_EQ(inferOutputShapes(range)[0], (Shape{3}));
  x.shape = {3, 1};
  int64_t to[3] = {2, 3, 5};
  target.dtype = DType::i64;
  target.shape = {3};
  target.data = to;
  TensorView out;
  out.shape = {8, 8, 8};
  KernelSignature expand;
  expand.op = "Expand";
  expand.node = "e";
  expand.inputs = {&x, &target};
  expand.outputs = {&out};
  EXPECT_EQ(inferOutputShapes(expand)[0], (Shape{2, 3, 5}));
  expand.inputs = {&x};  // a constant target: broadcast dims keep the compiled size
  EXPECT_EQ(inferOutputShapes(expand)[0], (Shape{8, 3, 8}));
  int64_t st[2] = {1, -3}, en[2] = {100, -1};
  starts.dtype = ends.dtype = DType::i64;
  starts.shape = ends.shape = {2};
  starts.data = st, ends.data = en;
  TensorView data, sliced;
  data.shape = {5, 7};
  sliced.shape = {9, 9};
  KernelSignature slice;
  slice.op = "Slice";
  slice.node = "s";
  slice.inputs = {&data, &starts, &ends};
  slice.outputs = {&sliced};
  EXPECT_EQ(inferOutputShapes(slice)[0], (Shape{4, 2}));
}

// ---- a session with a dynamic dim ----------------------------------------------------

// main(x: f32[n <= 6, 4]) -> z:  s = Add(x, bias[4]); v = reshape(s) to [2n, 2] (a view:
// rule {-1, 2}); z = Relu(v). Mutators change the plan before it is packed.
std::vector<uint8_t> dynamicPackage(const std::function<void(pkg::PackageT &)> &mutate = nullptr) {
  pkg::PackageT p;
  p.producer = "test";
  p.target = "host";
  p.required_features = {kDynamicShapesFeature};
  auto tensor = [&](const char *name, pkg::DType t, Shape shape, pkg::Storage storage, uint64_t offset,
                    uint64_t size) {
    auto x = std::make_unique<pkg::TensorT>();
    x->name = name;
    x->dtype = t;
    x->shape = shape;
    x->storage = storage;
    x->offset = offset;
    x->size = size;
    p.tensors.push_back(std::move(x));
    return p.tensors.back().get();
  };
  tensor("x", pkg::DType::f32, {6, 4}, pkg::Storage::Arena, 0, 96)->dim_symbols = {0, -1};
  tensor("bias", pkg::DType::f32, {4}, pkg::Storage::Constant, 0, 16);
  tensor("s", pkg::DType::f32, {6, 4}, pkg::Storage::Arena, 128, 96)->dim_symbols = {-2, -1};
  pkg::TensorT *v = tensor("v", pkg::DType::f32, {12, 2}, pkg::Storage::Arena, 128, 96);
  v->dim_symbols = {-2, -1};
  v->view_of = 2;
  v->view_shape = {-1, 2};
  tensor("z", pkg::DType::f32, {12, 2}, pkg::Storage::Arena, 256, 96)->dim_symbols = {-2, -1};
  auto symbol = std::make_unique<pkg::DimSymbolT>();
  symbol->name = "n";
  symbol->bound = 6;
  p.dim_symbols.push_back(std::move(symbol));
  auto kernel = [](const char *op, std::vector<int32_t> in, std::vector<int32_t> out) {
    auto k = std::make_unique<pkg::KernelT>();
    k->op = op;
    k->name = op;
    k->inputs = in;
    k->outputs = out;
    return k;
  };
  auto f = std::make_unique<pkg::FunctionT>();
  f->name = "main";
  f->inputs = {0};
  f->outputs = {4};
  f->kernels.push_back(kernel("Add", {0, 1}, {2}));
  f->kernels.push_back(kernel("Relu", {3}, {4}));
  f->arena_size = 384;
  p.functions.push_back(std::move(f));
  p.arena_size = 384;
  if (mutate) mutate(p);
  flatbuffers::FlatBufferBuilder fbb;
  pkg::FinishPackageBuffer(fbb, pkg::Package::Pack(fbb, &p));
  std::vector<uint8_t> plan(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  std::vector<uint8_t> constants(16);
  const float bias[4] = {1, -10, 0.5f, -0.5f};
  std::memcpy(constants.data(), bias, sizeof bias);
  return pkg::assemblePackage(plan, constants);
}

std::vector<float> runAt(Session &s, int64_t n) {
  std::vector<float> x(size_t(n) * 4);
  for (size_t i = 0; i < x.size(); ++i) x[i] = float(i);
  s.setInputShape(0, {n, 4});
  s.setInput(0, x.data(), x.size() * sizeof(float));
  s.run();
  const TensorView &z = s.output(0);
  EXPECT_EQ(z.shape, (Shape{2 * n, 2}));
  const float *f = z.as<float>();
  return std::vector<float>(f, f + z.numel());
}

TEST(DynamicSession, OutputsFollowTheInputShapeAcrossRuns) {
  const std::vector<uint8_t> bytes = dynamicPackage();
  LoadedModel model(bytes.data(), bytes.size(), "dynamic");
  ASSERT_TRUE(model.dynamic());
  SessionOptions options;
  options.threads = 1;
  Session s(model, options);
  const float bias[4] = {1, -10, 0.5f, -0.5f};
  for (int64_t n : {3, 6, 1, 3}) {
    const std::vector<float> z = runAt(s, n);
    ASSERT_EQ(z.size(), size_t(n) * 4) << "n = " << n;
    for (size_t i = 0; i < z.size(); ++i) EXPECT_EQ(z[i], std::max(0.f, float(i) + bias[i % 4])) << "n = " << n;
  }
}

TEST(DynamicSession, InputShapesOutsideTheBoundsAreClearErrors) {
  const std::vector<uint8_t> bytes = dynamicPackage();
  LoadedModel model(bytes.data(), bytes.size(), "dynamic");
  Session s(model);
  auto error = [&](Shape shape) {
    try {
      s.setInputShape(0, shape);
    } catch (const Error &e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(error({7, 4}), "input 'x' dim 0 ('n') is 7, outside 1..6, the range the package was compiled for "
                           "(edgec compile --dim-bound)");
  EXPECT_EQ(error({0, 4}).find("is 0, outside 1..6"), std::string("input 'x' dim 0 ('n') ").size());
  EXPECT_EQ(error({3, 5}), "input 'x' expects shape [6,4] in its fixed dims, not [3,5]");
  EXPECT_EQ(error({3}), "input 'x' has rank 2, not 1");
  EXPECT_EQ(error({2, 4}), "");
  std::vector<float> x(12);
  EXPECT_THROW(s.setInput(0, x.data(), 4 * 4 * sizeof(float)), Error);  // the data follows the shape
}

TEST(DynamicSession, LoaderChecksTheDynamicFields) {
  auto loadError = [](const std::function<void(pkg::PackageT &)> &mutate) {
    const std::vector<uint8_t> bytes = dynamicPackage(mutate);
    try {
      LoadedModel model(bytes.data(), bytes.size(), "p");
    } catch (const Error &e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(loadError(nullptr), "");
  auto has = [](const std::string &error, const char *what) {
    return error.find(what) != std::string::npos ? ::testing::AssertionSuccess()
                                                  : ::testing::AssertionFailure() << error;
  };
  EXPECT_TRUE(has(loadError([](pkg::PackageT &p) { p.required_features.clear(); }),
                  "has dynamic dims, but the package does not require 'dynamic-shapes'"));
  EXPECT_TRUE(has(loadError([](pkg::PackageT &p) { p.tensors[0]->dim_symbols = {0}; }),
                  "tensor 'x' has dim symbols of another rank than its shape"));
  EXPECT_TRUE(has(loadError([](pkg::PackageT &p) { p.tensors[0]->dim_symbols = {1, -1}; }),
                  "tensor 'x' refers to a dim symbol that does not exist"));
  EXPECT_TRUE(has(loadError([](pkg::PackageT &p) { p.dim_symbols[0]->bound = 5; }),
                  "tensor 'x' dim 0 is not its symbol's bound"));
  EXPECT_TRUE(has(loadError([](pkg::PackageT &p) { p.tensors[3]->view_shape = {-1, -1}; }),
                  "tensor 'v' has a view rule with two inferred dims"));
  EXPECT_TRUE(has(loadError([](pkg::PackageT &p) { p.tensors[3]->view_shape = {-5, 2}; }),
                  "tensor 'v' has a view rule that names a dim its source lacks"));
  EXPECT_TRUE(has(loadError([](pkg::PackageT &p) { p.tensors[3]->view_of = 1; }),
                  "tensor 'v' is a view of a tensor that cannot hold it"));
  EXPECT_TRUE(has(loadError([](pkg::PackageT &p) { p.tensors[1]->dim_symbols = {-2}; }),
                  "tensor 'bias' has a dynamic dim but is not in the arena"));
}

TEST(DynamicSession, AScalarViewHasAnEmptyRule) {
  // The object API packs an empty view rule as an absent one: a scalar's, not an error.
  const std::vector<uint8_t> bytes = dynamicPackage([](pkg::PackageT &p) {
    auto scalar = std::make_unique<pkg::TensorT>();
    scalar->name = "one";
    scalar->dtype = pkg::DType::f32;
    scalar->storage = pkg::Storage::Constant;
    scalar->size = 4;
    p.tensors.push_back(std::move(scalar));
    auto view = std::make_unique<pkg::TensorT>();
    view->name = "one_view";
    view->dtype = pkg::DType::f32;
    view->storage = pkg::Storage::Constant;
    view->size = 4;
    view->view_of = int32_t(p.tensors.size()) - 1;
    p.tensors.push_back(std::move(view));
  });
  EXPECT_NO_THROW(LoadedModel(bytes.data(), bytes.size(), "scalar view"));
}

// A kernel of an op that has no shape function (registered for this test only).
class CopyWithoutShapeFunction : public Kernel {
public:
  void prepare(const KernelSignature &) override {}
  void run(const RunContext &, const std::vector<const TensorView *> &in, const std::vector<TensorView *> &out) override {
    std::memcpy(out[0]->data, in[0]->data, in[0]->nbytes());
  }
};

TEST(DynamicSession, AnOpWithoutAShapeFunctionFailsWhenItsShapesChange) {
  KernelRegistry::instance().add<CopyWithoutShapeFunction>("TestOnlyCopy", Isa::Ref);
  const std::vector<uint8_t> bytes =
      dynamicPackage([](pkg::PackageT &p) { p.functions[0]->kernels[1]->op = "TestOnlyCopy"; });
  LoadedModel model(bytes.data(), bytes.size(), "dynamic");
  SessionOptions options;
  options.isas = {Isa::Ref};
  Session s(model, options);  // prepared at the bounds
  s.setInputShape(0, {3, 4});
  try {
    s.run();
    FAIL() << "no error";
  } catch (const Error &e) {
    EXPECT_NE(std::string(e.what()).find("TestOnlyCopy cannot compute its output shapes from them yet"), std::string::npos)
        << e.what();
  }
}

}  // namespace
