// Reference GridSample (ONNX opset 16, 4-D, f32): every output pixel samples the input
// at the grid's normalized (x, y). ONNX defines the op after PyTorch's grid_sample and
// its node tests hold PyTorch's results, so the arithmetic follows PyTorch's CPU kernel:
// coordinates in f32, bilinear and nearest apply the padding mode to the sample
// coordinate (clamp or reflect, then read zeros outside), bicubic applies it to each of
// its 16 integer taps, and nearest rounds halves to even (nearbyint).
#include <cmath>

#include "ref/cubic.h"
#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::ref {
namespace {

enum class Mode { Bilinear, Nearest, Bicubic };
enum class Padding { Zeros, Border, Reflection };

// [-1, 1] to pixel coordinates: the centers of the corner pixels (align_corners) or
// their outer edges.
float unnormalize(float g, int64_t size, bool alignCorners) {
  return alignCorners ? (g + 1) / 2 * float(size - 1) : ((g + 1) * float(size) - 1) / 2;
}

// Reflects x into [low, high] with low = twiceLow / 2 (the bounds are doubled so that
// half-pixel edges stay integers), as often as needed.
float reflect(float x, int64_t twiceLow, int64_t twiceHigh) {
  if (twiceLow == twiceHigh) return 0;
  const float low = float(twiceLow) / 2, span = float(twiceHigh - twiceLow) / 2;
  x = std::fabs(x - low);
  const float extra = std::fmod(x, span);
  const int flips = int(std::floor(x / span));
  return flips % 2 == 0 ? extra + low : span - extra + low;
}

float applyPadding(float x, int64_t size, Padding padding, bool alignCorners) {
  if (padding == Padding::Border) return std::min(float(size - 1), std::max(x, 0.f));
  if (padding == Padding::Reflection) {
    x = alignCorners ? reflect(x, 0, 2 * (size - 1)) : reflect(x, -1, 2 * size - 1);
    return std::min(float(size - 1), std::max(x, 0.f));
  }
  return x;
}

class RefGridSample final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 2, 2);
    const TensorView &x = requireInput(sig, 0, "X");
    const TensorView &grid = requireInput(sig, 1, "grid");
    const TensorView &y = requireOutput(sig, 0);
    for (const TensorView *t : {&x, &grid, &y}) requireDType(sig, *t, Types<float>{}, "GridSample");
    if (x.rank() != 4) kernelFail(sig, "X must be [N, C, H, W], got " + shapeStr(x.shape));
    if (grid.rank() != 4 || grid.shape[0] != x.shape[0] || grid.shape[3] != 2)
      kernelFail(sig, "grid must be [N, Ho, Wo, 2], got " + shapeStr(grid.shape));
    requireShape(sig, y, {x.shape[0], x.shape[1], grid.shape[1], grid.shape[2]}, "output");
    const std::string mode = sig.attrs.s("mode"), padding = sig.attrs.s("padding_mode");
    if (mode == "bilinear") mode_ = Mode::Bilinear;
    else if (mode == "nearest") mode_ = Mode::Nearest;
    else if (mode == "bicubic") mode_ = Mode::Bicubic;
    else kernelFail(sig, "unknown mode '" + mode + "' (bilinear, nearest or bicubic)");
    if (padding == "zeros") padding_ = Padding::Zeros;
    else if (padding == "border") padding_ = Padding::Border;
    else if (padding == "reflection") padding_ = Padding::Reflection;
    else kernelFail(sig, "unknown padding_mode '" + padding + "' (zeros, border or reflection)");
    const int64_t align = sig.attrs.i("align_corners");
    if (align != 0 && align != 1) kernelFail(sig, "align_corners must be 0 or 1");
    alignCorners_ = align == 1;
    n_ = x.shape[0], c_ = x.shape[1], h_ = x.shape[2], w_ = x.shape[3];
    outPixels_ = grid.shape[1] * grid.shape[2];
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const float *x = in[0]->as<float>(), *grid = in[1]->as<float>();
    float *y = out[0]->as<float>();
    // Each output pixel reads its grid entry once and writes all channels: the split is
    // over output pixels, each computed alone.
    const int64_t grain = std::max<int64_t>(1, 65536 / std::max<int64_t>(1, c_ * 16));
    for (int64_t n = 0; n < n_; ++n) {
      const float *xn = x + n * c_ * h_ * w_, *gn = grid + n * outPixels_ * 2;
      float *yn = y + n * c_ * outPixels_;
      ctx.parallelFor(outPixels_, grain, [&](int64_t begin, int64_t end, int) {
        for (int64_t p = begin; p < end; ++p) samplePixel(xn, gn[2 * p], gn[2 * p + 1], yn + p);
      });
    }
  }

private:
  // Input value at integer (ix, iy) of plane `plane`, 0 outside.
  float at(const float *plane, int64_t ix, int64_t iy) const {
    return ix >= 0 && ix < w_ && iy >= 0 && iy < h_ ? plane[iy * w_ + ix] : 0.f;
  }

  // Writes all channels of one output pixel (stride outPixels_ between channels).
  void samplePixel(const float *xn, float gx, float gy, float *y) const {
    const int64_t plane = h_ * w_;
    float ix = unnormalize(gx, w_, alignCorners_), iy = unnormalize(gy, h_, alignCorners_);
    if (mode_ == Mode::Bicubic) {
      const float fx = std::floor(ix), fy = std::floor(iy);
      float wx[4], wy[4];
      keysCubicWeights(ix - fx, -0.75f, wx);
      keysCubicWeights(iy - fy, -0.75f, wy);
      int64_t tx[4], ty[4];  // the taps' coordinates after padding (-1: outside, reads 0)
      for (int t = 0; t < 4; ++t) {
        tx[t] = tapIndex(fx - 1 + float(t), w_);
        ty[t] = tapIndex(fy - 1 + float(t), h_);
      }
      for (int64_t c = 0; c < c_; ++c) {
        const float *xc = xn + c * plane;
        float acc = 0;
        for (int j = 0; j < 4; ++j) {
          float row = 0;
          for (int i = 0; i < 4; ++i) row += (tx[i] >= 0 && ty[j] >= 0 ? xc[ty[j] * w_ + tx[i]] : 0.f) * wx[i];
          acc += row * wy[j];
        }
        y[c * outPixels_] = acc;
      }
      return;
    }
    ix = applyPadding(ix, w_, padding_, alignCorners_);
    iy = applyPadding(iy, h_, padding_, alignCorners_);
    if (mode_ == Mode::Nearest) {
      const int64_t nx = int64_t(std::nearbyint(ix)), ny = int64_t(std::nearbyint(iy));
      for (int64_t c = 0; c < c_; ++c) y[c * outPixels_] = at(xn + c * plane, nx, ny);
      return;
    }
    const float x0 = std::floor(ix), y0 = std::floor(iy);
    const int64_t ix0 = int64_t(x0), iy0 = int64_t(y0);
    const float rx = ix - x0, ry = iy - y0;
    const float wNW = (1 - rx) * (1 - ry), wNE = rx * (1 - ry), wSW = (1 - rx) * ry, wSE = rx * ry;
    for (int64_t c = 0; c < c_; ++c) {
      const float *xc = xn + c * plane;
      y[c * outPixels_] = at(xc, ix0, iy0) * wNW + at(xc, ix0 + 1, iy0) * wNE + at(xc, ix0, iy0 + 1) * wSW +
                          at(xc, ix0 + 1, iy0 + 1) * wSE;
    }
  }

  // A bicubic tap's integer coordinate with the padding mode applied, or -1 outside.
  int64_t tapIndex(float t, int64_t size) const {
    const float p = applyPadding(t, size, padding_, alignCorners_);
    const int64_t i = int64_t(p);
    return p >= 0 && i < size ? i : -1;
  }

  Mode mode_ = Mode::Bilinear;
  Padding padding_ = Padding::Zeros;
  bool alignCorners_ = false;
  int64_t n_ = 0, c_ = 0, h_ = 0, w_ = 0, outPixels_ = 0;
};

}  // namespace
}  // namespace edgec::rt::ref

namespace edgec::rt {
void registerRefGridSample(KernelRegistry &r) { r.add<ref::RefGridSample>("GridSample", Isa::Ref); }
}  // namespace edgec::rt
