// The AVX2 f32 Resize (x86/resize_f32_avx2.cpp, x86_resize.cpp): 4-D NCHW resizes of H
// and W, linear and nearest, under half_pixel, pytorch_half_pixel, align_corners and
// asymmetric (and every nearest_mode), up and down, by 2 and by non-integer scales
// (given as scales, and as sizes: the f32 ratio out / in), odd and tiny sizes (rows
// narrower than the 8-float window: the gather path), batch 2, N or C of size 1 (under
// pytorch_half_pixel ref gives those dims two taps and takes its general loop), one dim
// only, and over threads. The kernel computes ref's double sums term by term in ref's
// order, so each case must give ref's bits (signed zeros included), at 1 and 3 threads.
// Calls it leaves to ref: cubic, C resized, run-time scales, exclude_outside,
// tf_crop_and_resize, rank 3, f64. Skipped without AVX2.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>

#include "kernel_test_util.h"
#include "x86_timing_util.h"

namespace edgec::rt::testing {
namespace {

const std::vector<Isa> kAvx2 = {Isa::Ref, Isa::X86Avx2};

AttrList &resizeAttrs(AttrList &a, const std::string &mode, const std::string &coordinates,
                      const std::vector<float> &scales, const std::string &nearest = "round_prefer_floor",
                      int64_t excludeOutside = 0, const std::vector<float> &roi = {}) {
  return a.s("mode", mode.c_str())
      .s("coordinate_transformation_mode", coordinates.c_str())
      .s("nearest_mode", nearest.c_str())
      .f("cubic_coeff_a", -0.75f)
      .i("exclude_outside", excludeOutside)
      .f("extrapolation_value", 0.f)
      .floats("scales", scales)
      .floats("roi", roi);
}

// Random values with signed zeros mixed in.
std::vector<float> resizeInput(int64_t n, uint32_t seed) {
  std::vector<float> v = randomFloats(n, seed, -3.f, 3.f);
  for (int64_t i = 0; i < n; i += 13) v[size_t(i)] = (i / 13) % 2 ? -0.f : 0.f;
  return v;
}

::testing::AssertionResult sameBits(const std::vector<float> &got, const std::vector<float> &want) {
  if (got.size() != want.size()) return ::testing::AssertionFailure() << "sizes differ";
  for (size_t i = 0; i < got.size(); ++i)
    if (std::memcmp(&got[i], &want[i], 4) != 0)
      return ::testing::AssertionFailure() << "at " << i << ": " << got[i] << " vs ref " << want[i];
  return ::testing::AssertionSuccess();
}

struct ResizeCase {
  std::vector<int64_t> x;
  int64_t oh, ow;  // > 0: sizes (scale = f32 out / in); 0: out = floor(in · scale)
  float sh, sw;
  const char *what;
};

const std::vector<ResizeCase> kCases = {
    {{1, 16, 16, 16}, 0, 0, 2.f, 2.f, "U-Net's Upsample x2"},
    {{2, 3, 7, 9}, 0, 0, 2.f, 2.f, "x2, odd sizes, batch 2"},
    {{1, 2, 10, 13}, 0, 0, 1.7f, 1.7f, "x1.7"},
    {{2, 3, 21, 30}, 0, 0, 0.6f, 0.6f, "x0.6 down"},
    {{1, 2, 21, 30}, 8, 11, 0, 0, "sizes 21x30 -> 8x11"},
    {{1, 1, 5, 3}, 9, 7, 0, 0, "sizes 5x3 -> 9x7, N = C = 1"},
    {{1, 2, 1, 1}, 3, 5, 0, 0, "from 1x1"},
    {{1, 2, 4, 6}, 1, 1, 0, 0, "to 1x1"},
    {{1, 3, 12, 40}, 0, 0, 0.5f, 0.5f, "x0.5 down"},
    {{1, 2, 6, 10}, 0, 0, 2.f, 1.f, "H only"},
    {{2, 2, 6, 10}, 0, 0, 1.f, 3.f, "W only, x3"},
    {{1, 1, 3, 50}, 0, 0, 1.25f, 2.5f, "x1.25 x2.5, long rows"},
    {{2, 8, 33, 47}, 0, 0, 2.f, 2.f, "over threads"},
};

struct Modes {
  const char *mode, *nearest;
};
const Modes kModes[] = {{"linear", "round_prefer_floor"}, {"nearest", "round_prefer_floor"},
                        {"nearest", "round_prefer_ceil"}, {"nearest", "floor"}, {"nearest", "ceil"}};
const char *const kCoordinates[] = {"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric"};

std::vector<float> resize(const ResizeCase &c, const Modes &m, const char *coordinates, const std::vector<float> &xv,
                          const std::vector<Isa> &isas, int threads, Isa *chosen) {
  const int64_t h = c.x[2], w = c.x[3];
  const int64_t oh = c.oh ? c.oh : int64_t(std::floor(float(h) * c.sh));
  const int64_t ow = c.ow ? c.ow : int64_t(std::floor(float(w) * c.sw));
  const float sh = c.oh ? float(oh) / float(h) : c.sh, sw = c.ow ? float(ow) / float(w) : c.sw;
  Tensor x = Tensor::of<float>(c.x, xv), y(DType::f32, {c.x[0], c.x[1], oh, ow});
  AttrList attrs;
  resizeAttrs(attrs, m.mode, coordinates, {1.f, 1.f, sh, sw}, m.nearest);
  *chosen = runKernel("Resize", {&x}, {&y}, attrs, isas, threads);
  return y.values<float>();
}

TEST(ResizeX86, MatchesRefBitForBit) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  uint32_t seed = 1;
  for (const ResizeCase &c : kCases) {
    const std::vector<float> xv = resizeInput(c.x[0] * c.x[1] * c.x[2] * c.x[3], seed++);
    for (const Modes &m : kModes)
      for (const char *coordinates : kCoordinates) {
        SCOPED_TRACE(std::string(c.what) + ", " + m.mode + " " + m.nearest + ", " + coordinates);
        Isa chosen;
        const std::vector<float> want = resize(c, m, coordinates, xv, {Isa::Ref}, 1, &chosen);
        for (int threads : {1, 3}) {
          const std::vector<float> got = resize(c, m, coordinates, xv, kAvx2, threads, &chosen);
          EXPECT_EQ(chosen, Isa::X86Avx2);
          EXPECT_TRUE(sameBits(got, want)) << threads << " threads";
        }
      }
  }
}

// The calls the x86 kernel leaves to ref.
TEST(ResizeX86, OtherCallsStayOnRef) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  const std::vector<float> xv = resizeInput(2 * 4 * 4, 7);
  auto chosenFor = [&](const std::string &mode, const std::string &coordinates, std::vector<int64_t> ys,
                       std::vector<float> scales, int64_t excludeOutside = 0) {
    Tensor x = Tensor::of<float>({1, 2, 4, 4}, xv), y(DType::f32, ys);
    AttrList attrs;
    resizeAttrs(attrs, mode, coordinates, scales, "round_prefer_floor", excludeOutside);
    return runKernel("Resize", {&x}, {&y}, attrs, kAvx2);
  };
  EXPECT_EQ(chosenFor("linear", "half_pixel", {1, 2, 8, 8}, {1, 1, 2, 2}), Isa::X86Avx2);
  EXPECT_EQ(chosenFor("cubic", "half_pixel", {1, 2, 8, 8}, {1, 1, 2, 2}), Isa::Ref);
  EXPECT_EQ(chosenFor("linear", "half_pixel", {1, 4, 8, 8}, {1, 2, 2, 2}), Isa::Ref);  // C resized
  EXPECT_EQ(chosenFor("nearest", "asymmetric", {1, 4, 4, 4}, {1, 2, 1, 1}), Isa::Ref);
  EXPECT_EQ(chosenFor("linear", "half_pixel", {1, 2, 8, 8}, {1, 1, 2, 2}, 1), Isa::Ref);  // exclude_outside
  {
    Tensor x = Tensor::of<float>({1, 2, 4, 4}, xv), y(DType::f32, {1, 2, 8, 8});
    AttrList attrs;
    resizeAttrs(attrs, "linear", "tf_crop_and_resize", {1, 1, 2, 2}, "round_prefer_floor", 0, {0, 0, 0, 0, 1, 1, 1, 1});
    EXPECT_EQ(runKernel("Resize", {&x}, {&y}, attrs, kAvx2), Isa::Ref);
  }
  {  // scales as a run-time input
    Tensor x = Tensor::of<float>({1, 2, 4, 4}, xv), y(DType::f32, {1, 2, 8, 8});
    Tensor scales = Tensor::of<float>({4}, {1, 1, 2, 2});
    AttrList attrs;
    attrs.s("mode", "linear").s("coordinate_transformation_mode", "half_pixel").s("nearest_mode", "floor");
    attrs.f("cubic_coeff_a", -0.75f).i("exclude_outside", 0).f("extrapolation_value", 0.f);
    EXPECT_EQ(runKernel("Resize", {&x, nullptr, &scales, nullptr}, {&y}, attrs, kAvx2), Isa::Ref);
  }
  {  // rank 3
    Tensor x = Tensor::of<float>({2, 4, 4}, xv), y(DType::f32, {2, 8, 8});
    AttrList attrs;
    resizeAttrs(attrs, "linear", "half_pixel", {1, 2, 2});
    EXPECT_EQ(runKernel("Resize", {&x}, {&y}, attrs, kAvx2), Isa::Ref);
  }
  {  // f64
    std::vector<double> dv(xv.begin(), xv.end());
    Tensor x = Tensor::of<double>({1, 2, 4, 4}, dv), y(DType::f64, {1, 2, 8, 8});
    AttrList attrs;
    resizeAttrs(attrs, "linear", "half_pixel", {1, 1, 2, 2});
    EXPECT_EQ(runKernel("Resize", {&x}, {&y}, attrs, kAvx2), Isa::Ref);
  }
}

// Indicative timing on U-Net's Upsample ([1, 16, 16, 16] -> x2 bilinear), one thread.
TEST(ResizeX86, DISABLED_Speed) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  for (const char *coordinates : {"half_pixel", "pytorch_half_pixel"}) {
    Tensor x = Tensor::of<float>({1, 16, 16, 16}, resizeInput(16 * 16 * 16, 3)), y(DType::f32, {1, 16, 32, 32});
    AttrList attrs;
    resizeAttrs(attrs, "linear", coordinates, {1, 1, 2, 2});
    const double ref = medianMicros("Resize", {&x}, y, attrs, {Isa::Ref}, 51);
    const double avx2 = medianMicros("Resize", {&x}, y, attrs, kAvx2, 51);
    std::printf("Resize %s [1,16,16,16] x2 linear: ref %.1f us, avx2 %.1f us (%.1fx)\n", coordinates, ref, avx2,
                ref / avx2);
  }
}

}  // namespace
}  // namespace edgec::rt::testing
