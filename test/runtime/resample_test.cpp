// Ref kernels of the spatial resampling ops (ref/resample.cpp) on small cases whose
// answers can be read off by hand; the ONNX node suite (conformance) is the outside
// reference for the rest.
#include <limits>
#include <numeric>

#include "kernel_test_util.h"

namespace edgec::rt::testing {
namespace {

std::vector<float> iota(int64_t n) {
  std::vector<float> v(n);
  std::iota(v.begin(), v.end(), 0.f);
  return v;
}

// 8 channels of one pixel, 0..7, into 2 channels of 2x2 tiles (blocksize 2).
TEST(RefResample, DepthToSpaceModes) {
  Tensor x = Tensor::of<float>({1, 8, 1, 1}, iota(8));
  Tensor dcr(DType::f32, {1, 2, 2, 2}), crd(DType::f32, {1, 2, 2, 2});
  AttrList dcrAttrs, crdAttrs;
  dcrAttrs.i("blocksize", 2).s("mode", "DCR");
  crdAttrs.i("blocksize", 2).s("mode", "CRD");
  runKernel("DepthToSpace", {&x}, {&dcr}, dcrAttrs);
  runKernel("DepthToSpace", {&x}, {&crd}, crdAttrs);
  // DCR: tile offset (i, j) of output channel c is input channel (2i + j)·2 + c.
  EXPECT_EQ(dcr.values<float>(), (std::vector<float>{0, 2, 4, 6, 1, 3, 5, 7}));
  // CRD: input channel 4c + 2i + j, i.e. each group of 4 channels is one tile.
  EXPECT_EQ(crd.values<float>(), (std::vector<float>{0, 1, 2, 3, 4, 5, 6, 7}));
}

// A 2x4 image: each 2x2 tile's pixels go to channels (i, j) = 00, 01, 10, 11, and
// DepthToSpace (DCR) puts them back.
TEST(RefResample, SpaceToDepthInvertsDepthToSpaceDcr) {
  Tensor x = Tensor::of<int16_t>({1, 1, 2, 4}, {0, 1, 2, 3, 4, 5, 6, 7});
  Tensor s(DType::i16, {1, 4, 1, 2}), back(DType::i16, {1, 1, 2, 4});
  AttrList b2, dcr;
  b2.i("blocksize", 2);
  dcr.i("blocksize", 2).s("mode", "DCR");
  runKernel("SpaceToDepth", {&x}, {&s}, b2);
  EXPECT_EQ(s.values<int16_t>(), (std::vector<int16_t>{0, 2, 1, 3, 4, 6, 5, 7}));
  runKernel("DepthToSpace", {&s}, {&back}, dcr);
  EXPECT_EQ(back.values<int16_t>(), x.values<int16_t>());
}

TEST(RefResample, BlockOpsRejectBadShapes) {
  Tensor x = Tensor::of<float>({1, 6, 1, 1}, iota(6));
  Tensor y(DType::f32, {1, 1, 2, 2});
  AttrList dcr, b2;
  dcr.i("blocksize", 2).s("mode", "DCR");
  b2.i("blocksize", 2);
  EXPECT_THROW(runKernel("DepthToSpace", {&x}, {&y}, dcr), Error);  // 6 channels, blocksize² 4
  Tensor odd = Tensor::of<float>({1, 1, 3, 2}, iota(6));
  Tensor s(DType::f32, {1, 4, 1, 1});
  EXPECT_THROW(runKernel("SpaceToDepth", {&odd}, {&s}, b2), Error);  // height 3
  AttrList bad;
  bad.i("blocksize", 2).s("mode", "RCD");
  Tensor x8 = Tensor::of<float>({1, 8, 1, 1}, iota(8));
  Tensor y8(DType::f32, {1, 2, 2, 2});
  EXPECT_THROW(runKernel("DepthToSpace", {&x8}, {&y8}, bad), Error);
}

// Resize's attributes as the compiler writes them (every one, ONNX defaults filled in).
AttrList &resizeAttrs(AttrList &a, const char *mode, const char *coordinates, std::vector<float> scales,
                      const char *nearest = "round_prefer_floor", std::vector<float> roi = {},
                      float extrapolation = 0.f, float cubicA = -0.75f, int64_t excludeOutside = 0) {
  return a.s("mode", mode)
      .s("coordinate_transformation_mode", coordinates)
      .s("nearest_mode", nearest)
      .f("cubic_coeff_a", cubicA)
      .i("exclude_outside", excludeOutside)
      .f("extrapolation_value", extrapolation)
      .floats("scales", scales)
      .floats("roi", roi);
}

// Nearest, half_pixel, scale 2: output x reads (x + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75,
// 1.25 rounded (prefer floor, clamped): 0, 0, 1, 1 -- every pixel becomes a 2x2 block.
TEST(RefResample, NearestUpsampleReplicatesPixels) {
  Tensor x = Tensor::of<int32_t>({1, 1, 2, 2}, {1, 2, 3, 4});
  Tensor y(DType::i32, {1, 1, 4, 4});
  AttrList a;
  runKernel("Resize", {&x}, {&y}, resizeAttrs(a, "nearest", "half_pixel", {1, 1, 2, 2}));
  EXPECT_EQ(y.values<int32_t>(), (std::vector<int32_t>{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}));
}

// Asymmetric, scale 2: output x reads x / 2, so odd x fall halfway and nearest_mode
// decides (a source past the end reads the last element).
TEST(RefResample, NearestModesDecideTies) {
  Tensor x = Tensor::of<int8_t>({3}, {10, 20, 30});
  auto run = [&](const char *nearest) {
    Tensor y(DType::i8, {6});
    AttrList a;
    runKernel("Resize", {&x}, {&y}, resizeAttrs(a, "nearest", "asymmetric", {2}, nearest));
    return y.values<int8_t>();
  };
  EXPECT_EQ(run("round_prefer_floor"), (std::vector<int8_t>{10, 10, 20, 20, 30, 30}));
  EXPECT_EQ(run("floor"), (std::vector<int8_t>{10, 10, 20, 20, 30, 30}));
  EXPECT_EQ(run("round_prefer_ceil"), (std::vector<int8_t>{10, 20, 20, 30, 30, 30}));
  EXPECT_EQ(run("ceil"), (std::vector<int8_t>{10, 20, 20, 30, 30, 30}));
}

TEST(RefResample, LinearCoordinateModes) {
  Tensor x = Tensor::of<float>({2}, {0, 10});
  // align_corners: 5 points from 0 to 10, the ends on the input's ends.
  Tensor corners(DType::f32, {5});
  AttrList a;
  runKernel("Resize", {&x}, {&corners}, resizeAttrs(a, "linear", "align_corners", {2.5f}));
  EXPECT_EQ(corners.values<float>(), (std::vector<float>{0, 2.5f, 5, 7.5f, 10}));
  // half_pixel, scale 2: sources -0.25, 0.25, 0.75, 1.25; the outer two are clamped to
  // the edges.
  Tensor half(DType::f32, {4});
  AttrList b;
  runKernel("Resize", {&x}, {&half}, resizeAttrs(b, "linear", "half_pixel", {2}));
  EXPECT_EQ(half.values<float>(), (std::vector<float>{0, 2.5f, 7.5f, 10}));
}

// Bilinear with align_corners: the corners stay, the rest are means of their neighbours.
TEST(RefResample, BilinearAlignCorners) {
  Tensor x = Tensor::of<float>({2, 2}, {0, 10, 20, 30});
  Tensor y(DType::f32, {3, 3});
  AttrList a;
  runKernel("Resize", {&x}, {&y}, resizeAttrs(a, "linear", "align_corners", {1.5f, 1.5f}));
  EXPECT_EQ(y.values<float>(), (std::vector<float>{0, 5, 10, 10, 15, 20, 20, 25, 30}));
}

// An image resize (the last two dims resampled, the others copied) takes a planar loop;
// it must give the bits of the general per-element recursion, which a layout with the
// copied dim last takes: [C, H, W] against the same data as [H, W, C], for linear and
// cubic, up and down.
TEST(RefResample, PlanarLoopGivesTheGeneralBits) {
  const int64_t C = 3, H = 5, W = 7;
  const std::vector<float> chw = randomFloats(C * H * W, 11, -4.f, 4.f);
  std::vector<float> hwc(chw.size());
  for (int64_t c = 0; c < C; ++c)
    for (int64_t i = 0; i < H * W; ++i) hwc[i * C + c] = chw[c * H * W + i];
  struct Case {
    const char *mode, *coordinates;
    float sh, sw;
  };
  for (const Case &k : {Case{"linear", "half_pixel", 1.8f, 2.f}, Case{"linear", "align_corners", 0.6f, 1.5f},
                        Case{"cubic", "pytorch_half_pixel", 2.f, 0.58f}, Case{"linear", "asymmetric", 3.f, 1.f}}) {
    const int64_t OH = int64_t(std::floor(H * k.sh)), OW = int64_t(std::floor(W * k.sw));
    Tensor planarIn = Tensor::of<float>({C, H, W}, chw), planarOut(DType::f32, {C, OH, OW});
    Tensor generalIn = Tensor::of<float>({H, W, C}, hwc), generalOut(DType::f32, {OH, OW, C});
    AttrList a, b;
    runKernel("Resize", {&planarIn}, {&planarOut}, resizeAttrs(a, k.mode, k.coordinates, {1.f, k.sh, k.sw}));
    runKernel("Resize", {&generalIn}, {&generalOut}, resizeAttrs(b, k.mode, k.coordinates, {k.sh, k.sw, 1.f}));
    const std::vector<float> p = planarOut.values<float>(), g = generalOut.values<float>();
    for (int64_t c = 0; c < C; ++c)
      for (int64_t i = 0; i < OH * OW; ++i)
        ASSERT_EQ(p[c * OH * OW + i], g[i * C + c]) << k.mode << " " << k.coordinates << " channel " << c << " at " << i;
  }
}

// Keys' cubic kernel: its weights sum to 1 (a constant stays constant, edges included),
// and with a = -0.5 it reproduces linear functions wherever all 4 taps are inside.
TEST(RefResample, CubicKeepsConstantsAndRamps) {
  Tensor c = Tensor::of<float>({4}, {3, 3, 3, 3});
  Tensor cy(DType::f32, {8});
  AttrList a;
  runKernel("Resize", {&c}, {&cy}, resizeAttrs(a, "cubic", "half_pixel", {2}));
  for (float v : cy.values<float>()) EXPECT_NEAR(v, 3.f, 1e-6);

  Tensor ramp = Tensor::of<float>({8}, iota(8));
  Tensor ry(DType::f32, {16});
  AttrList b;
  runKernel("Resize", {&ramp}, {&ry}, resizeAttrs(b, "cubic", "asymmetric", {2}, "round_prefer_floor", {}, 0.f, -0.5f));
  std::vector<float> r = ry.values<float>();
  for (int i = 2; i <= 12; ++i) EXPECT_NEAR(r[i], i / 2.f, 1e-6) << i;  // sources 1 .. 6
}

// tf_crop_and_resize: 3 outputs over roi [0.25, 0.75] of 5 inputs are sources 1, 2, 3;
// over [0.5, 1.5] they are 2, 4 and 6, past the end: extrapolation_value.
TEST(RefResample, TfCropAndResize) {
  Tensor x = Tensor::of<float>({5}, {0, 10, 20, 30, 40});
  Tensor inside(DType::f32, {3}), past(DType::f32, {3});
  AttrList a, b;
  runKernel("Resize", {&x}, {&inside},
            resizeAttrs(a, "linear", "tf_crop_and_resize", {0.6f}, "round_prefer_floor", {0.25f, 0.75f}, -1.f));
  EXPECT_EQ(inside.values<float>(), (std::vector<float>{10, 20, 30}));
  runKernel("Resize", {&x}, {&past},
            resizeAttrs(b, "linear", "tf_crop_and_resize", {0.6f}, "round_prefer_floor", {0.5f, 1.5f}, -1.f));
  EXPECT_EQ(past.values<float>(), (std::vector<float>{20, 40, -1}));
}

TEST(RefResample, ResizeRejectsWhatItCannotDo) {
  Tensor x = Tensor::of<int32_t>({2}, {1, 2});
  Tensor y(DType::i32, {3});
  AttrList linear;
  // Linear weights on integers: the kernel computes in f32/f64 only (a fractional tap).
  EXPECT_THROW(runKernel("Resize", {&x}, {&y}, resizeAttrs(linear, "linear", "align_corners", {1.5f})), Error);
  AttrList badMode, badScales;
  EXPECT_THROW(runKernel("Resize", {&x}, {&y}, resizeAttrs(badMode, "area", "half_pixel", {1.5f})), Error);
  EXPECT_THROW(runKernel("Resize", {&x}, {&y}, resizeAttrs(badScales, "nearest", "half_pixel", {1.5f, 1.f})), Error);
}

// ---- Resize with run-time parameters (inputs 1 roi, 2 scales, 3 sizes) ----

// Resize's attributes without scales and roi: those come as inputs.
AttrList &runtimeResizeAttrs(AttrList &a, const char *mode, const char *coordinates, float extrapolation = 0.f) {
  return a.s("mode", mode)
      .s("coordinate_transformation_mode", coordinates)
      .s("nearest_mode", "round_prefer_floor")
      .f("cubic_coeff_a", -0.75f)
      .i("exclude_outside", 0)
      .f("extrapolation_value", extrapolation);
}

// One prepared Resize run several times, as a session runs a package: the run-time
// inputs may change between runs. `inputs` are X, roi, scales, sizes (null: absent).
struct PreparedResize {
  PreparedResize(AttrList &attrs, std::vector<Tensor *> inputs, Tensor &y) : inputs_(std::move(inputs)), y_(y) {
    sig_.op = "Resize";
    sig_.node = "up";
    sig_.attrs = attrs.attrs();
    for (Tensor *t : inputs_) {
      sig_.inputs.push_back(t ? &t->view() : nullptr);
      sig_.input_is_constant.push_back(false);
    }
    sig_.outputs = {&y.view()};
    kernel_ = KernelRegistry::instance().create(sig_, {Isa::Ref});
    kernel_->prepare(sig_);
  }
  void run() {
    static const TensorView absent;
    std::vector<const TensorView *> in;
    for (Tensor *t : inputs_) in.push_back(t ? &t->view() : &absent);
    runPrepared(*kernel_, in, {&y_.view()});
  }
  // The message of the error run() throws ("" when it does not).
  std::string runError() {
    try {
      run();
    } catch (const Error &e) {
      return e.what();
    }
    return "";
  }
  std::vector<Tensor *> inputs_;
  Tensor &y_;
  KernelSignature sig_;
  std::unique_ptr<Kernel> kernel_;
};

void expectNear(const std::vector<float> &got, const std::vector<float> &want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-5f) << "at " << i;
}

// Linear, half_pixel, [0, 4] to 4 outputs. Scale 2: sources (o + 0.5) / 2 - 0.5 =
// -0.25, 0.25, 0.75, 1.25, clamped to the input: 0, 1, 3, 4. Scale 2.2 gives the same
// shape (floor(2 * 2.2) = 4) but other sources, (o + 0.5) / 2.2 - 0.5 = -0.27, 0.18,
// 0.64, 1.09: 0, 4 · 0.1818, 4 · 0.6364, 4. Then values that are no shape or no scale.
TEST(RefResample, ResizeReadsScalesAtRunTime) {
  Tensor x = Tensor::of<float>({2}, {0, 4});
  Tensor scales = Tensor::of<float>({1}, {2.f});
  Tensor y(DType::f32, {4});
  AttrList a;
  PreparedResize resize(runtimeResizeAttrs(a, "linear", "half_pixel"), {&x, nullptr, &scales}, y);
  resize.run();
  expectNear(y.values<float>(), {0, 1, 3, 4});
  scales.view().as<float>()[0] = 2.2f;
  resize.run();
  expectNear(y.values<float>(), {0, 4 * (1.5f / 2.2f - 0.5f), 4 * (2.5f / 2.2f - 0.5f), 4});
  scales.view().as<float>()[0] = 3.f;
  EXPECT_EQ(resize.runError(),
            "Resize node 'up': scales [3] give shape [6] but the package was compiled for [4]; shapes are fixed at "
            "compile time (freeze the input with edgec compile --bind NAME=FILE.npy)");
  scales.view().as<float>()[0] = 0.f;
  EXPECT_EQ(resize.runError(), "Resize node 'up': scales [0]: scale 0 must be finite and > 0");
  scales.view().as<float>()[0] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_NE(resize.runError().find("must be finite and > 0"), std::string::npos);
}

// Sizes: the scale is the exact ratio out / in (4 / 2 = 2: the first case above), and the
// sizes must be the compiled shape. Nearest copies any dtype: a 2x2 image to 4x4 blocks.
TEST(RefResample, ResizeReadsSizesAtRunTime) {
  Tensor x = Tensor::of<float>({2}, {0, 4});
  Tensor sizes = Tensor::of<int64_t>({1}, {4});
  Tensor y(DType::f32, {4});
  AttrList a;
  PreparedResize resize(runtimeResizeAttrs(a, "linear", "half_pixel"), {&x, nullptr, nullptr, &sizes}, y);
  resize.run();
  expectNear(y.values<float>(), {0, 1, 3, 4});
  sizes.view().as<int64_t>()[0] = 5;
  EXPECT_EQ(resize.runError(),
            "Resize node 'up': sizes [5] give shape [5] but the package was compiled for [4]; shapes are fixed at "
            "compile time (freeze the input with edgec compile --bind NAME=FILE.npy)");
  sizes.view().as<int64_t>()[0] = -4;
  EXPECT_EQ(resize.runError(), "Resize node 'up': sizes [-4]: size 0 is negative (sizes must be >= 0)");

  Tensor xi = Tensor::of<int32_t>({1, 1, 2, 2}, {1, 2, 3, 4});
  Tensor sizes4 = Tensor::of<int64_t>({4}, {1, 1, 4, 4});
  Tensor yi(DType::i32, {1, 1, 4, 4});
  AttrList n;
  PreparedResize nearest(runtimeResizeAttrs(n, "nearest", "half_pixel"), {&xi, nullptr, nullptr, &sizes4}, yi);
  nearest.run();
  EXPECT_EQ(yi.values<int32_t>(), (std::vector<int32_t>{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}));
}

// tf_crop_and_resize with a run-time roi (and the scales attribute 1): [0, 10, 20] to 3
// outputs at sources o · span · 2 / 2 + start · 2. roi [0, 1]: 0, 1, 2; roi [0.5, 1]: 1,
// 1.5, 2; roi [0, 2]: 0, 2, 4 (past the input: extrapolation_value -1).
TEST(RefResample, ResizeReadsRoiAtRunTime) {
  Tensor x = Tensor::of<float>({3}, {0, 10, 20});
  Tensor roi = Tensor::of<double>({2}, {0, 1});  // roi may be f64
  Tensor y(DType::f32, {3});
  AttrList a;
  runtimeResizeAttrs(a, "linear", "tf_crop_and_resize", -1.f).floats("scales", {1.f});
  PreparedResize resize(a, {&x, &roi}, y);
  resize.run();
  expectNear(y.values<float>(), {0, 10, 20});
  roi.view().as<double>()[0] = 0.5;
  resize.run();
  expectNear(y.values<float>(), {10, 15, 20});
  roi.view().as<double>()[0] = 0;
  roi.view().as<double>()[1] = 2;
  resize.run();
  expectNear(y.values<float>(), {0, 20, -1});
  roi.view().as<double>()[1] = std::numeric_limits<double>::infinity();
  EXPECT_EQ(resize.runError(), "Resize node 'up': roi [0, inf]: roi values must be finite");
}

// What prepare refuses in the run-time forms: a parameter of the wrong length or dtype,
// given twice, or scales and sizes together.
TEST(RefResample, ResizeRejectsBadRuntimeInputs) {
  Tensor x = Tensor::of<float>({2}, {0, 4});
  Tensor y(DType::f32, {4});
  Tensor two = Tensor::of<float>({2}, {2, 2}), f64 = Tensor::of<double>({1}, {2});
  Tensor scales = Tensor::of<float>({1}, {2}), sizes = Tensor::of<int64_t>({1}, {4});
  AttrList a, b, c, d, e;
  EXPECT_THROW(runKernel("Resize", {&x, nullptr, &two}, {&y}, runtimeResizeAttrs(a, "linear", "half_pixel")), Error);
  EXPECT_THROW(runKernel("Resize", {&x, nullptr, &f64}, {&y}, runtimeResizeAttrs(b, "linear", "half_pixel")), Error);
  runtimeResizeAttrs(c, "linear", "half_pixel").floats("scales", {2.f});
  EXPECT_THROW(runKernel("Resize", {&x, nullptr, &scales}, {&y}, c), Error);
  EXPECT_THROW(runKernel("Resize", {&x, nullptr, &scales, &sizes}, {&y}, runtimeResizeAttrs(d, "linear", "half_pixel")),
               Error);
  Tensor roi = Tensor::of<float>({2}, {0, 1});  // roi is for tf_crop_and_resize only
  EXPECT_THROW(runKernel("Resize", {&x, &roi, &scales}, {&y}, runtimeResizeAttrs(e, "linear", "half_pixel")), Error);
}

}  // namespace
}  // namespace edgec::rt::testing
