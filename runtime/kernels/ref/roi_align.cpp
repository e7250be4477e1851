// Reference RoiAlign (ONNX opset 16, f32; batch indices i32/i64). Each region of
// interest is split into output_height x output_width bins; each bin averages (or takes
// the maximum of) bilinear samples on a regular grid inside it. The sampling follows ONNX
// Runtime's kernel, which ONNX's node tests and reference agree with: f32 arithmetic, a
// sample more than one pixel outside the input counts as 0, one less than a pixel
// outside is clamped to the border, and "max" takes the maximum over each sample's four
// weighted corner values (not over interpolated samples).
#include <algorithm>
#include <cmath>

#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::ref {
namespace {

// One bilinear sample: four input offsets within a plane and their weights.
struct Sample {
  int64_t pos[4] = {0, 0, 0, 0};
  float w[4] = {0, 0, 0, 0};
};

Sample bilinearSample(float y, float x, int64_t height, int64_t width) {
  Sample s;
  if (y < -1.f || y > float(height) || x < -1.f || x > float(width)) return s;  // outside: weights 0
  y = std::max(y, 0.f);
  x = std::max(x, 0.f);
  int64_t yLow = int64_t(y), xLow = int64_t(x), yHigh, xHigh;
  if (yLow >= height - 1) {
    yHigh = yLow = height - 1;
    y = float(yLow);
  } else {
    yHigh = yLow + 1;
  }
  if (xLow >= width - 1) {
    xHigh = xLow = width - 1;
    x = float(xLow);
  } else {
    xHigh = xLow + 1;
  }
  const float ly = y - float(yLow), lx = x - float(xLow), hy = 1 - ly, hx = 1 - lx;
  s.pos[0] = yLow * width + xLow;
  s.pos[1] = yLow * width + xHigh;
  s.pos[2] = yHigh * width + xLow;
  s.pos[3] = yHigh * width + xHigh;
  s.w[0] = hy * hx;
  s.w[1] = hy * lx;
  s.w[2] = ly * hx;
  s.w[3] = ly * lx;
  return s;
}

class RefRoiAlign final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 3, 3);
    const TensorView &x = requireInput(sig, 0, "X");
    const TensorView &rois = requireInput(sig, 1, "rois");
    const TensorView &idx = requireInput(sig, 2, "batch_indices");
    const TensorView &y = requireOutput(sig, 0);
    for (const TensorView *t : {&x, &rois, &y}) requireDType(sig, *t, Types<float>{}, "RoiAlign");
    requireDType(sig, idx, Types<int32_t, int64_t>{}, "RoiAlign batch_indices");
    if (x.rank() != 4) kernelFail(sig, "X must be [N, C, H, W], got " + shapeStr(x.shape));
    if (rois.rank() != 2 || rois.shape[1] != 4) kernelFail(sig, "rois must be [R, 4], got " + shapeStr(rois.shape));
    requireShape(sig, idx, {rois.shape[0]}, "batch_indices");
    const std::string mode = sig.attrs.s("mode"), coordinates = sig.attrs.s("coordinate_transformation_mode");
    if (mode != "avg" && mode != "max") kernelFail(sig, "unknown mode '" + mode + "' (avg or max)");
    if (coordinates != "half_pixel" && coordinates != "output_half_pixel")
      kernelFail(sig, "unknown coordinate_transformation_mode '" + coordinates + "' (half_pixel or output_half_pixel)");
    max_ = mode == "max";
    halfPixel_ = coordinates == "half_pixel";
    outH_ = sig.attrs.i("output_height");
    outW_ = sig.attrs.i("output_width");
    samplingRatio_ = sig.attrs.i("sampling_ratio");
    spatialScale_ = sig.attrs.f("spatial_scale");
    if (outH_ < 1 || outW_ < 1 || samplingRatio_ < 0)
      kernelFail(sig, "output_height and output_width must be >= 1 and sampling_ratio >= 0");
    requireShape(sig, y, {rois.shape[0], x.shape[1], outH_, outW_}, "output");
    n_ = x.shape[0], c_ = x.shape[1], h_ = x.shape[2], w_ = x.shape[3];
    rois_ = rois.shape[0];
    indices64_ = idx.dtype == DType::i64;
    node_ = sig.node;
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const float *x = in[0]->as<float>(), *rois = in[1]->as<float>();
    float *y = out[0]->as<float>();
    for (int64_t r = 0; r < rois_; ++r) {
      const int64_t b = indices64_ ? in[2]->as<int64_t>()[r] : int64_t(in[2]->as<int32_t>()[r]);
      if (b < 0 || b >= n_)
        throw Error("RoiAlign node '" + node_ + "': batch index " + std::to_string(b) + " of roi " + std::to_string(r) +
                    " is outside [0, " + std::to_string(n_) + ")");
    }
    // One roi's samples are shared by its channels; rois are independent outputs.
    ctx.parallelFor(rois_, 1, [&](int64_t begin, int64_t end, int) {
      std::vector<Sample> samples;
      for (int64_t r = begin; r < end; ++r) {
        const int64_t b = indices64_ ? in[2]->as<int64_t>()[r] : int64_t(in[2]->as<int32_t>()[r]);
        roi(rois + 4 * r, x + b * c_ * h_ * w_, y + r * c_ * outH_ * outW_, samples);
      }
    });
  }

private:
  void roi(const float *box, const float *xb, float *yr, std::vector<Sample> &samples) const {
    const float offset = halfPixel_ ? 0.5f : 0.f;
    const float startW = box[0] * spatialScale_ - offset, startH = box[1] * spatialScale_ - offset;
    const float endW = box[2] * spatialScale_ - offset, endH = box[3] * spatialScale_ - offset;
    float roiW = endW - startW, roiH = endH - startH;
    if (!halfPixel_) {  // opset 10's behaviour: every roi at least 1x1
      roiW = std::max(roiW, 1.f);
      roiH = std::max(roiH, 1.f);
    }
    const float binH = roiH / float(outH_), binW = roiW / float(outW_);
    const int64_t gridH = samplingRatio_ > 0 ? samplingRatio_ : int64_t(std::ceil(roiH / float(outH_)));
    const int64_t gridW = samplingRatio_ > 0 ? samplingRatio_ : int64_t(std::ceil(roiW / float(outW_)));
    const float count = float(std::max<int64_t>(gridH * gridW, 1));
    samples.clear();
    for (int64_t ph = 0; ph < outH_; ++ph)
      for (int64_t pw = 0; pw < outW_; ++pw)
        for (int64_t iy = 0; iy < gridH; ++iy) {
          const float yy = startH + float(ph) * binH + (float(iy) + .5f) * binH / float(gridH);
          for (int64_t ix = 0; ix < gridW; ++ix) {
            const float xx = startW + float(pw) * binW + (float(ix) + .5f) * binW / float(gridW);
            samples.push_back(bilinearSample(yy, xx, h_, w_));
          }
        }
    const int64_t perBin = gridH * gridW;
    for (int64_t c = 0; c < c_; ++c) {
      const float *plane = xb + c * h_ * w_;
      float *yc = yr + c * outH_ * outW_;
      for (int64_t bin = 0; bin < outH_ * outW_; ++bin) {
        const Sample *s = samples.data() + bin * perBin;
        float v = 0;
        if (max_) {
          bool first = true;
          for (int64_t k = 0; k < perBin; ++k)
            for (int q = 0; q < 4; ++q) {
              const float term = s[k].w[q] * plane[s[k].pos[q]];
              v = first ? term : std::max(v, term);
              first = false;
            }
        } else {
          for (int64_t k = 0; k < perBin; ++k)
            v += s[k].w[0] * plane[s[k].pos[0]] + s[k].w[1] * plane[s[k].pos[1]] + s[k].w[2] * plane[s[k].pos[2]] +
                 s[k].w[3] * plane[s[k].pos[3]];
          v /= count;
        }
        yc[bin] = v;
      }
    }
  }

  bool max_ = false, halfPixel_ = true, indices64_ = true;
  int64_t outH_ = 1, outW_ = 1, samplingRatio_ = 0, n_ = 0, c_ = 0, h_ = 0, w_ = 0, rois_ = 0;
  float spatialScale_ = 1;
  std::string node_;
};

}  // namespace
}  // namespace edgec::rt::ref

namespace edgec::rt {
void registerRefRoiAlign(KernelRegistry &r) { r.add<ref::RefRoiAlign>("RoiAlign", Isa::Ref); }
}  // namespace edgec::rt
