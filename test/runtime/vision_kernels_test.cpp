// Ref kernels of the vision ops other than ConvTranspose (GridSample, InstanceNormalization,
// LRN, RoiAlign, MaxUnpool) on small cases whose answers are worked out by hand in the
// comments; the ONNX node suite (conformance) is the outside reference for the rest.
#include <numeric>

#include "kernel_test_util.h"

namespace edgec::rt::testing {
namespace {

AttrList &gridAttrs(AttrList &a, const char *mode, const char *padding, int64_t alignCorners) {
  return a.s("mode", mode).s("padding_mode", padding).i("align_corners", alignCorners);
}

std::vector<float> gridSample(const Tensor &x, const std::vector<float> &grid, const char *mode, const char *padding,
                              int64_t align) {
  const int64_t points = int64_t(grid.size() / 2);
  Tensor g = Tensor::of<float>({1, 1, points, 2}, grid);
  Tensor y(DType::f32, {1, x.shape()[1], 1, points});
  AttrList a;
  runKernel("GridSample", {const_cast<Tensor *>(&x), &g}, {&y}, gridAttrs(a, mode, padding, align));
  return y.values<float>();
}

// align_corners = 1: -1 and 1 are the corner pixels' centers, 0 the image center.
TEST(RefGridSample, BilinearAlignCorners) {
  Tensor x = Tensor::of<float>({1, 1, 2, 2}, {1, 2, 3, 4});
  EXPECT_EQ(gridSample(x, {-1, -1, 1, 1, 0, 0, 1, -1}, "bilinear", "zeros", 1),
            (std::vector<float>{1, 4, 2.5f, 2}));
}

// align_corners = 0: (-1, -1) is the outer corner, pixel coordinate (-0.5, -0.5). Zeros
// padding blends in three zero pixels (1 · 0.25); border clamps to pixel (0, 0); reflection
// mirrors -0.5 at the edge -0.5 onto itself, then clamps to 0.
TEST(RefGridSample, PaddingModesAtTheCorner) {
  Tensor x = Tensor::of<float>({1, 1, 2, 2}, {1, 2, 3, 4});
  EXPECT_EQ(gridSample(x, {-1, -1}, "bilinear", "zeros", 0), (std::vector<float>{0.25f}));
  EXPECT_EQ(gridSample(x, {-1, -1}, "bilinear", "border", 0), (std::vector<float>{1}));
  EXPECT_EQ(gridSample(x, {-1, -1}, "bilinear", "reflection", 0), (std::vector<float>{1}));
}

// A 1x4 row, align_corners = 0: x = ((g + 1)·4 - 1) / 2 gives 0.5, 1.5, 2.5 for g = -0.5,
// 0, 0.5; nearest rounds halves to even: pixels 0, 2, 2.
TEST(RefGridSample, NearestRoundsHalvesToEven) {
  Tensor x = Tensor::of<float>({1, 1, 1, 4}, {10, 20, 30, 40});
  EXPECT_EQ(gridSample(x, {-0.5f, 0, 0, 0, 0.5f, 0}, "nearest", "zeros", 0), (std::vector<float>{10, 30, 30}));
}

// Bicubic, align_corners = 1 on a 1x4 row: g = -0.5 is x = 0.75, taps -1..2 with Keys'
// weights (a = -0.75) at r = 0.75: -0.03515625, 0.26171875, 0.87890625, -0.10546875. The
// tap at -1 reads 0 (zeros), pixel 0 (border) or pixel 1 (reflection about pixel 0).
TEST(RefGridSample, BicubicTapsAndPadding) {
  Tensor x = Tensor::of<float>({1, 1, 1, 4}, {1, 2, 4, 8});
  const float inner = 0.26171875f * 1 + 0.87890625f * 2 - 0.10546875f * 4;
  expectNear(gridSample(x, {-0.5f, 0}, "bicubic", "zeros", 1), {inner}, 1e-6f);
  expectNear(gridSample(x, {-0.5f, 0}, "bicubic", "border", 1), {inner - 0.03515625f * 1}, 1e-6f);
  expectNear(gridSample(x, {-0.5f, 0}, "bicubic", "reflection", 1), {inner - 0.03515625f * 2}, 1e-6f);
}

TEST(RefGridSample, RejectsBadGridAndModes) {
  Tensor x = Tensor::of<float>({1, 1, 2, 2}, {1, 2, 3, 4});
  Tensor g3 = Tensor::of<float>({1, 1, 1, 3}, {0, 0, 0});  // (x, y) pairs needed
  Tensor y(DType::f32, {1, 1, 1, 1});
  AttrList a, b;
  EXPECT_THROW(runKernel("GridSample", {&x, &g3}, {&y}, gridAttrs(a, "bilinear", "zeros", 0)), Error);
  Tensor g = Tensor::of<float>({1, 1, 1, 2}, {0, 0});
  EXPECT_THROW(runKernel("GridSample", {&x, &g}, {&y}, gridAttrs(b, "area", "zeros", 0)), Error);
}

// Channel 0 [1, 3]: mean 2, variance 1, so [-1, 1], times scale 2 plus bias 1. Channel 1
// [4, 8]: mean 6, variance 4, so [-1, 1] times 0.5. With epsilon 3, channel 0's variance
// becomes 4: [-0.5, 0.5].
TEST(RefInstanceNormalization, PerChannelStatistics) {
  Tensor x = Tensor::of<float>({1, 2, 2}, {1, 3, 4, 8});
  Tensor scale = Tensor::of<float>({2}, {2, 0.5f}), bias = Tensor::of<float>({2}, {1, 0});
  Tensor y(DType::f32, {1, 2, 2});
  AttrList a;
  a.f("epsilon", 0);
  runKernel("InstanceNormalization", {&x, &scale, &bias}, {&y}, a);
  EXPECT_EQ(y.values<float>(), (std::vector<float>{-1, 3, -0.5f, 0.5f}));
  Tensor x1 = Tensor::of<float>({1, 1, 2}, {1, 3});
  Tensor one = Tensor::of<float>({1}, {1}), zero = Tensor::of<float>({1}, {0});
  Tensor y1(DType::f32, {1, 1, 2});
  AttrList e;
  e.f("epsilon", 3);
  runKernel("InstanceNormalization", {&x1, &one, &zero}, {&y1}, e);
  EXPECT_EQ(y1.values<float>(), (std::vector<float>{-0.5f, 0.5f}));
}

// Channels [1, 2, 3], size 2 (window c .. c + 1), alpha 2, beta 1, bias 1: the squares
// 1 + 4, 4 + 9 and 9 give 1 / 6, 2 / 14 and 3 / 10.
TEST(RefLRN, WindowOverChannels) {
  Tensor x = Tensor::of<float>({1, 3, 1, 1}, {1, 2, 3});
  Tensor y(DType::f32, {1, 3, 1, 1});
  AttrList a;
  a.f("alpha", 2).f("beta", 1).f("bias", 1).i("size", 2);
  runKernel("LRN", {&x}, {&y}, a);
  expectNear(y.values<float>(), {1.f / 6, 2.f / 14, 3.f / 10}, 1e-6f);
}

AttrList &roiAttrs(AttrList &a, const char *mode, int64_t h, int64_t w, int64_t ratio, const char *coordinates) {
  return a.s("mode", mode).i("output_height", h).i("output_width", w).i("sampling_ratio", ratio)
      .f("spatial_scale", 1.f).s("coordinate_transformation_mode", coordinates);
}

// X = x + 4y on a 4x4 image is linear, so a bin's average of bilinear samples is the
// value at its center. output_half_pixel: roi (0, 0)-(2, 2), bins of 1, centers 0.5 and
// 1.5: 2.5, 3.5, 6.5, 7.5. half_pixel shifts the roi by -0.5: roi (1, 1)-(3, 3) has
// centers 1 and 2: 5, 6, 9, 10.
TEST(RefRoiAlign, AverageOfLinearImage) {
  std::vector<float> xv(16);
  std::iota(xv.begin(), xv.end(), 0.f);
  Tensor x = Tensor::of<float>({1, 1, 4, 4}, xv);
  Tensor rois = Tensor::of<float>({2, 4}, {0, 0, 2, 2, 1, 1, 3, 3});
  Tensor idx = Tensor::of<int64_t>({2}, {0, 0});
  Tensor out(DType::f32, {2, 1, 2, 2}), half(DType::f32, {2, 1, 2, 2});
  AttrList a, b;
  runKernel("RoiAlign", {&x, &rois, &idx}, {&out}, roiAttrs(a, "avg", 2, 2, 2, "output_half_pixel"));
  const std::vector<float> first = out.values<float>();
  expectNear(std::vector<float>(first.begin(), first.begin() + 4), {2.5f, 3.5f, 6.5f, 7.5f}, 1e-6f);
  runKernel("RoiAlign", {&x, &rois, &idx}, {&half}, roiAttrs(b, "avg", 2, 2, 2, "half_pixel"));
  const std::vector<float> second = half.values<float>();
  expectNear(std::vector<float>(second.begin() + 4, second.end()), {5, 6, 9, 10}, 1e-6f);
}

// "max" (as ONNX Runtime): one sample at (0.5, 0.5) has corners 0, 1, 4, 5 with weight
// 0.25 each; the maximum weighted corner is 1.25 (the average mode gives 2.5).
TEST(RefRoiAlign, MaxOfWeightedCorners) {
  std::vector<float> xv(16);
  std::iota(xv.begin(), xv.end(), 0.f);
  Tensor x = Tensor::of<float>({1, 1, 4, 4}, xv);
  Tensor rois = Tensor::of<float>({1, 4}, {0, 0, 1, 1});
  Tensor idx = Tensor::of<int32_t>({1}, {0});
  Tensor ymax(DType::f32, {1, 1, 1, 1}), yavg(DType::f32, {1, 1, 1, 1});
  AttrList a, b;
  runKernel("RoiAlign", {&x, &rois, &idx}, {&ymax}, roiAttrs(a, "max", 1, 1, 1, "output_half_pixel"));
  runKernel("RoiAlign", {&x, &rois, &idx}, {&yavg}, roiAttrs(b, "avg", 1, 1, 1, "output_half_pixel"));
  EXPECT_EQ(ymax.values<float>(), (std::vector<float>{1.25f}));
  EXPECT_EQ(yavg.values<float>(), (std::vector<float>{2.5f}));
}

TEST(RefRoiAlign, BatchIndexOutOfRangeIsAnError) {
  Tensor x = Tensor::of<float>({1, 1, 2, 2}, {1, 2, 3, 4});
  Tensor rois = Tensor::of<float>({1, 4}, {0, 0, 1, 1});
  Tensor idx = Tensor::of<int64_t>({1}, {1});
  Tensor y(DType::f32, {1, 1, 1, 1});
  AttrList a;
  EXPECT_THROW(runKernel("RoiAlign", {&x, &rois, &idx}, {&y}, roiAttrs(a, "avg", 1, 1, 0, "half_pixel")), Error);
}

// MaxPool 2x2 / 2 of a 4x4 image picked flat positions 5, 7, 13, 15; MaxUnpool puts the
// values back there, zeros elsewhere (any element type: here int16).
TEST(RefMaxUnpool, ScattersToFlatIndices) {
  Tensor x = Tensor::of<int16_t>({1, 1, 2, 2}, {1, 2, 3, 4});
  Tensor idx = Tensor::of<int64_t>({1, 1, 2, 2}, {5, 7, 13, 15});
  Tensor y(DType::i16, {1, 1, 4, 4});
  runKernel("MaxUnpool", {&x, &idx}, {&y});
  EXPECT_EQ(y.values<int16_t>(), (std::vector<int16_t>{0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4}));
}

TEST(RefMaxUnpool, IndexOutsideTheResultIsAnError) {
  Tensor x = Tensor::of<float>({1, 1, 1, 2}, {1, 2});
  Tensor idx = Tensor::of<int32_t>({1, 1, 1, 2}, {0, 4});
  Tensor y(DType::f32, {1, 1, 2, 2});
  EXPECT_THROW(runKernel("MaxUnpool", {&x, &idx}, {&y}), Error);
}

}  // namespace
}  // namespace edgec::rt::testing
