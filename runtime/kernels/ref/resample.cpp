// Reference DepthToSpace and SpaceToDepth (pure element moves, each one strided copy
// over a 6-D view of the output, any dtype) and Resize (separable resampling: per dim,
// each output index's input taps and weights, computed at prepare, or on every run from
// scales, sizes or roi given as run-time inputs).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "ref/cubic.h"
#include "ref/quant_params.h"
#include "ref/resample.h"
#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::ref {
namespace {

// Checks shared by both: X [N, C, H, W] and Y of X's dtype, blocksize >= 1.
int64_t prepareBlockOp(const KernelSignature &sig) {
  requireInputCount(sig, 1, 1);
  const TensorView &x = requireInput(sig, 0, "X");
  const TensorView &y = requireOutput(sig, 0);
  requireSameDType(sig, x, y, "output");
  requireSameQuantParams(sig, x, y);
  requireUnpacked(sig, x);
  if (x.rank() != 4) kernelFail(sig, "X must have rank 4 (N, C, H, W), got " + shapeStr(x.shape));
  const int64_t b = sig.attrs.i("blocksize");
  if (b < 1) kernelFail(sig, "blocksize must be >= 1, got " + std::to_string(b));
  return b;
}

// DepthToSpace: Y [N, C/b², H·b, W·b] viewed as [N, C', H, b(i), W, b(j)]; the input
// channel of (c, i, j) is (i·b + j)·C' + c (DCR) or c·b² + i·b + j (CRD).
class RefDepthToSpace final : public StridedCopyKernel {
public:
  using StridedCopyKernel::StridedCopyKernel;
  void prepare(const KernelSignature &sig) override {
    const int64_t b = prepareBlockOp(sig);
    const TensorView &x = *sig.inputs[0], &y = *sig.outputs[0];
    const std::string mode = sig.attrs.s("mode");
    if (mode != "DCR" && mode != "CRD") kernelFail(sig, "unknown mode '" + mode + "' (DCR or CRD)");
    const int64_t n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
    if (c % (b * b) != 0) kernelFail(sig, "X's channels are not a multiple of blocksize²");
    const int64_t oc = c / (b * b);
    requireShape(sig, y, {n, oc, h * b, w * b}, "output");
    const int64_t sc = h * w;  // input strides: n c*h*w, c h*w, h w, w 1
    const bool dcr = mode == "DCR";
    std::vector<int64_t> shape = {n, oc, h, b, w, b};
    std::vector<int64_t> in = {c * sc, dcr ? sc : b * b * sc, w, dcr ? b * oc * sc : b * sc, 1, dcr ? oc * sc : sc};
    loop_ = StridedLoop<2>(shape, {contiguousStrides(shape), in});
    dtype_ = x.dtype;
  }
};

// SpaceToDepth: Y [N, C·b², H/b, W/b] viewed as [N, b(i), b(j), C, H/b, W/b] reads X at
// [n, c, h·b + i, w·b + j].
class RefSpaceToDepth final : public StridedCopyKernel {
public:
  using StridedCopyKernel::StridedCopyKernel;
  void prepare(const KernelSignature &sig) override {
    const int64_t b = prepareBlockOp(sig);
    const TensorView &x = *sig.inputs[0], &y = *sig.outputs[0];
    const int64_t n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
    if (h % b != 0 || w % b != 0) kernelFail(sig, "X's height and width are not multiples of blocksize");
    requireShape(sig, y, {n, c * b * b, h / b, w / b}, "output");
    std::vector<int64_t> shape = {n, b, b, c, h / b, w / b};
    std::vector<int64_t> in = {c * h * w, w, 1, h * w, b * w, b};
    loop_ = StridedLoop<2>(shape, {contiguousStrides(shape), in});
    dtype_ = x.dtype;
  }
};

// ---- Resize ----

// The source coordinate of output index x along a dim (ONNX 1.12's reference,
// onnx/backend/test/case/node/resize.py, interpolate_1d_with_x, with its f32/f64 mix:
// roi arithmetic in f32, the rest in double). `outWidth` is the input size times the
// scale (resizeAxis), which align_corners and tf_crop_and_resize divide by.
double sourceCoordinate(const ResizeModes &m, int64_t x, int64_t in, double scale, double outWidth,
                        float roiStart, float roiEnd) {
  const std::string &c = m.coordinates;
  if (c == "align_corners") return outWidth == 1 ? 0.0 : double(x) * double(in - 1) / (outWidth - 1);
  if (c == "asymmetric") return double(x) / scale;
  if (c == "tf_crop_and_resize") {
    const float span = roiEnd - roiStart;
    const double at = outWidth == 1 ? double(span * float(in - 1) / 2.f)
                                    : double(x) * double(span) * double(in - 1) / (outWidth - 1);
    return at + double(roiStart * float(in - 1));
  }
  if (c == "pytorch_half_pixel" && outWidth == 1) return -0.5;
  return (double(x) + 0.5) / scale - 0.5;  // half_pixel, pytorch_half_pixel
}

// The taps of one output index at source coordinate xo: as the reference, the pixel
// left of xo is `base` and ratio in (0, 1] (an integral xo is ratio 1 from base xo - 1);
// nearest has 2 candidate taps (base, base + 1), linear 2, cubic 4 (base - 1 .. base + 2).
void resizeTaps(const ResizeModes &m, double xo, int64_t in, std::vector<int64_t> *index,
                std::vector<double> *weight) {
  const double fl = std::floor(xo);
  const bool integral = xo == fl;
  const int64_t base = int64_t(fl) - (integral ? 1 : 0);
  const double r = integral ? 1.0 : xo - fl;
  index->clear();
  weight->clear();
  if (m.mode == "nearest") {
    bool ceil = true;  // integral: the pixel at xo itself (base + 1)
    if (!integral) {
      const std::string &n = m.nearest;
      ceil = n == "ceil" || (n == "round_prefer_ceil" && r >= 0.5) || (n == "round_prefer_floor" && r > 0.5);
    }
    index->push_back(base + (ceil ? 1 : 0));
    weight->push_back(1.0);
  } else if (m.mode == "linear") {
    *index = {base, base + 1};
    *weight = {1 - r, r};
  } else {  // cubic: Keys' kernel at distances 1 + r, r, 1 - r, 2 - r
    double w[4];
    keysCubicWeights(r, m.cubicA, w);
    *index = {base - 1, base, base + 1, base + 2};
    *weight = {w[0], w[1], w[2], w[3]};
  }
  if (m.excludeOutside && m.mode != "nearest") {
    double sum = 0;
    for (size_t t = 0; t < index->size(); ++t) {
      if ((*index)[t] < 0 || (*index)[t] >= in) (*weight)[t] = 0;
      sum += (*weight)[t];
    }
    if (sum != 0)
      for (double &w : *weight) w /= sum;
  }
  // The reference pads the input with its edge values: a tap outside reads the edge.
  for (int64_t &i : *index) i = std::clamp<int64_t>(i, 0, in - 1);
}

// The taps of one dim: `scale` is the ratio the coordinate transform divides by, and
// `outWidth` the input size times it (align_corners and tf_crop_and_resize divide by it).
ResizeAxis resizeAxis(const ResizeModes &m, int64_t in, int64_t out, double scale, double outWidth, float roiStart,
                      float roiEnd, int64_t stride) {
  ResizeAxis a;
  a.taps = m.mode == "nearest" ? 1 : m.mode == "linear" ? 2 : 4;
  a.outside.assign(out, 0);
  std::vector<int64_t> index;
  std::vector<double> weight;
  bool oneHot = true;  // every output copies one input: one tap is enough
  for (int64_t o = 0; o < out; ++o) {
    const double xo = sourceCoordinate(m, o, in, scale, outWidth, roiStart, roiEnd);
    if (m.coordinates == "tf_crop_and_resize" && (xo < 0 || xo > double(in - 1))) a.outside[o] = 1;
    resizeTaps(m, xo, in, &index, &weight);
    int ones = 0, zeros = 0;
    for (double w : weight) {
      ones += w == 1.0;
      zeros += w == 0.0;
    }
    oneHot = oneHot && ones == 1 && zeros == a.taps - 1;
    for (int t = 0; t < a.taps; ++t) {
      a.offset.push_back(index[t] * stride);
      a.weight.push_back(weight[t]);
    }
  }
  if (oneHot && a.taps > 1) {
    std::vector<int64_t> offset;
    for (int64_t o = 0; o < out; ++o)
      for (int t = 0; t < a.taps; ++t)
        if (a.weight[o * a.taps + t] == 1.0) offset.push_back(a.offset[o * a.taps + t]);
    a.offset = std::move(offset);
    a.weight.assign(out, 1.0);
    a.taps = 1;
  }
  return a;
}

}  // namespace

// `scale` and `outWidth` per dim (resizeAxis), roi starts then ends (empty: none).
ResizePlan planResize(const ResizeModes &m, const std::vector<int64_t> &in, const std::vector<int64_t> &out,
                      const std::vector<double> &scale, const std::vector<double> &outWidth,
                      const std::vector<float> &roi) {
  const int rank = int(in.size());
  const std::vector<int64_t> strides = contiguousStrides(in);
  ResizePlan p;
  for (int d = 0; d < rank; ++d) {
    p.axes.push_back(resizeAxis(m, in[d], out[d], scale[d], outWidth[d], roi.empty() ? 0.f : roi[d],
                                roi.empty() ? 1.f : roi[rank + d], strides[d]));
    p.copies = p.copies && p.axes.back().taps == 1;
  }
  // The common image resize (N, C copied, H and W resampled, nothing outside the input)
  // takes the planar loop: the same arithmetic as sample()'s recursion, without it.
  p.planar = !p.copies && rank >= 2;
  for (int d = 0; d < rank; ++d) {
    p.planar = p.planar && (d >= rank - 2 || p.axes[d].taps == 1);
    for (uint8_t o : p.axes[d].outside) p.planar = p.planar && !o;
  }
  return p;
}

ResizePlan planConstantResize(const ResizeModes &m, const std::vector<int64_t> &in, const std::vector<int64_t> &out,
                              const std::vector<float> &scales, const std::vector<float> &roi) {
  const int rank = int(in.size());
  std::vector<double> scale(rank), width(rank);
  for (int d = 0; d < rank; ++d) {
    const bool fromSizes = in[d] > 0 && float(out[d]) / float(in[d]) == scales[d];
    scale[d] = fromSizes ? double(out[d]) / double(in[d]) : double(scales[d]);
    width[d] = fromSizes ? double(out[d]) : double(float(in[d]) * scales[d]);
  }
  return planResize(m, in, out, scale, width, roi);
}

namespace {

// "[1, 1, 2, 3]": how run-time errors quote the values a run was given.
template <typename T> std::string valueList(const std::vector<T> &v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    char buf[32];
    if constexpr (std::is_floating_point_v<T>) std::snprintf(buf, sizeof buf, "%g", double(v[i]));
    else std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v[i]));
    s += (i ? ", " : "") + std::string(buf);
  }
  return s + "]";
}

// A float parameter input (scales: f32; roi: f32 or f64) as f32 values.
std::vector<float> floatValues(const TensorView &t) {
  std::vector<float> v(size_t(t.numel()));
  for (size_t i = 0; i < v.size(); ++i) v[i] = t.dtype == DType::f64 ? float(t.as<double>()[i]) : t.as<float>()[i];
  return v;
}

// Resize: every output element is a weighted sum over the product of its dims' taps
// (separable resampling), accumulated in double; nearest (and any resize whose taps are
// all one-hot) copies elements of any dtype. Scales and roi are attributes (the plan is
// made at prepare), or inputs 1 (roi), 2 (scales) or 3 (sizes), ONNX's positions, read
// on every run: their values drive the plan as ONNX's would, and must imply the
// compiled output shape.
class RefResize final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 1, 4);
    const TensorView &x = requireInput(sig, 0, "X");
    const TensorView &y = requireOutput(sig, 0);
    requireSameDType(sig, x, y, "output");
    requireSameQuantParams(sig, x, y);
    requireUnpacked(sig, x);
    const int rank = x.rank();
    if (rank < 1 || y.rank() != rank) kernelFail(sig, "X and Y must have the same rank >= 1");
    m_.mode = sig.attrs.s("mode");
    m_.coordinates = sig.attrs.s("coordinate_transformation_mode");
    m_.nearest = sig.attrs.s("nearest_mode");
    m_.cubicA = sig.attrs.f("cubic_coeff_a");
    m_.excludeOutside = sig.attrs.i("exclude_outside") != 0;
    if (m_.mode != "nearest" && m_.mode != "linear" && m_.mode != "cubic")
      kernelFail(sig, "unknown mode '" + m_.mode + "'");
    static const char *kCoordinates[] = {"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric",
                                         "tf_crop_and_resize"};
    if (std::find(std::begin(kCoordinates), std::end(kCoordinates), m_.coordinates) == std::end(kCoordinates))
      kernelFail(sig, "unknown coordinate_transformation_mode '" + m_.coordinates + "'");
    static const char *kNearest[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
    if (std::find(std::begin(kNearest), std::end(kNearest), m_.nearest) == std::end(kNearest))
      kernelFail(sig, "unknown nearest_mode '" + m_.nearest + "'");
    crop_ = m_.coordinates == "tf_crop_and_resize";
    for (int d = 0; d < rank; ++d)
      if (x.shape[d] == 0 && y.shape[d] != 0) kernelFail(sig, "cannot resize an empty dim to a non-empty one");
    inShape_ = x.shape;
    outShape_ = y.shape;
    dtype_ = x.dtype;
    where_ = sig.op + " node '" + sig.node + "'";
    // Run-time parameters: one value per dim (roi: two), of the dtype the compiler allows.
    auto parameter = [&](size_t i, const char *what, const char *attr, int64_t count, bool ok) {
      const TensorView *t = optionalInput(sig, i);
      if (!t) return false;
      if (sig.attrs.has(attr)) kernelFail(sig, std::string(what) + " is given both as an attribute and as an input");
      if (!ok) kernelFail(sig, std::string("unsupported dtype ") + dtypeName(t->dtype) + " for " + what);
      if (t->rank() != 1 || t->shape[0] != count)
        kernelFail(sig, std::string(what) + " must have shape [" + std::to_string(count) + "], got " +
                            shapeStr(t->shape));
      return true;
    };
    const TensorView *roiIn = optionalInput(sig, 1), *scalesIn = optionalInput(sig, 2), *sizesIn = optionalInput(sig, 3);
    roiInput_ = parameter(1, "roi", "roi", 2 * rank, roiIn && (roiIn->dtype == DType::f32 || roiIn->dtype == DType::f64));
    scalesInput_ = parameter(2, "scales", "scales", rank, scalesIn && scalesIn->dtype == DType::f32);
    sizesInput_ = parameter(3, "sizes", "scales", rank, sizesIn && sizesIn->dtype == DType::i64);
    if (scalesInput_ && sizesInput_) kernelFail(sig, "takes scales or sizes as an input, not both");
    if (roiInput_ && !crop_) kernelFail(sig, "a roi input is for tf_crop_and_resize only");
    std::vector<float> scales, roi;
    if (!scalesInput_ && !sizesInput_) {
      scales = sig.attrs.floats("scales");
      if (int(scales.size()) != rank) kernelFail(sig, "expects one scale per dim");
    }
    if (!roiInput_) {
      roi = sig.attrs.floats("roi", {});
      if (crop_ && int(roi.size()) != 2 * rank)
        kernelFail(sig, "tf_crop_and_resize expects 2 roi values per dim (starts, then ends)");
    }
    // Linear or cubic resampling of integers: refused here, whatever the taps turn out to
    // be at run time (the attribute form could tell the one-hot case apart at prepare).
    const bool floatType = dtype_ == DType::f32 || dtype_ == DType::f64;
    if (crop_ && x.quant) kernelFail(sig, "tf_crop_and_resize of a quantized tensor is not supported");
    if (!floatType && m_.mode != "nearest" && (scalesInput_ || sizesInput_ || roiInput_))
      kernelFail(sig, std::string("linear and cubic resizing take f32 or f64, got ") + dtypeName(dtype_));
    if (!scalesInput_ && !sizesInput_ && !roiInput_) {
      plan_ = planConstantResize(m_, x.shape, y.shape, scales, roi);
      if (!plan_.copies && !floatType)
        kernelFail(sig, std::string("linear and cubic resizing take f32 or f64, got ") + dtypeName(dtype_));
    } else {
      scales_ = scales;
      roi_ = roi;
    }
    // extrapolation_value in X's dtype (bytes), for the outputs tf_crop_and_resize puts
    // outside the input.
    const float extrapolation = sig.attrs.f("extrapolation_value");
    fill_ = 0;
    dispatch(CastTypes{}, dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T v = Arith<T>::store(static_cast<typename Arith<T>::type>(extrapolation));
      std::memcpy(&fill_, &v, sizeof(T));
    });
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    if (scalesInput_ || sizesInput_ || roiInput_) {
      const ResizePlan p = runtimePlan(in);
      execute(ctx, p, in, out);
    } else {
      execute(ctx, plan_, in, out);
    }
  }

private:
  // The plan for this run's roi, scales or sizes inputs, after checking their values
  // and the shape they imply.
  ResizePlan runtimePlan(const std::vector<const TensorView *> &in) const {
    const int rank = int(inShape_.size());
    std::vector<double> scale(rank), width(rank);
    std::vector<int64_t> implied(rank);
    std::string given;
    if (sizesInput_) {
      const TensorView &t = *in[3];
      std::vector<int64_t> sizes(t.as<int64_t>(), t.as<int64_t>() + rank);
      given = "sizes " + valueList(sizes);
      for (int d = 0; d < rank; ++d) {
        if (sizes[d] < 0)
          throw Error(where_ + ": " + given + ": size " + std::to_string(d) + " is negative (sizes must be >= 0)");
        // As the reference: the scale is the exact ratio, the output width the size.
        implied[d] = sizes[d];
        scale[d] = inShape_[d] == 0 ? 1.0 : double(sizes[d]) / double(inShape_[d]);
        width[d] = double(sizes[d]);
      }
    } else {
      std::vector<float> scales = scalesInput_ ? floatValues(*in[2]) : scales_;
      given = "scales " + valueList(scales);
      for (int d = 0; d < rank; ++d) {
        const float s = scales[d];
        if (!(s > 0) || std::isinf(s))
          throw Error(where_ + ": " + given + ": scale " + std::to_string(d) + " must be finite and > 0");
        // ONNX shape inference's floor(in * scale) in f32; the given scale drives the
        // coordinate transform (half_pixel divides by it).
        implied[d] = int64_t(std::floor(float(inShape_[d]) * s));
        scale[d] = double(s);
        width[d] = double(float(inShape_[d]) * s);
      }
    }
    if (implied != outShape_)
      throw Error(where_ + ": " + given + " give shape " + shapeStr(implied) + " but the package was compiled for " +
                  shapeStr(outShape_) +
                  "; shapes are fixed at compile time (freeze the input with edgec compile --bind NAME=FILE.npy)");
    std::vector<float> roi = roiInput_ ? floatValues(*in[1]) : roi_;
    for (float v : roi)
      if (!std::isfinite(v)) throw Error(where_ + ": roi " + valueList(roi) + ": roi values must be finite");
    return planResize(m_, inShape_, outShape_, scale, width, roi);
  }

  void execute(const RunContext &ctx, const ResizePlan &p, const std::vector<const TensorView *> &in,
               const std::vector<TensorView *> &out) const {
    const int64_t cols = outShape_.back();
    const int64_t rows = cols == 0 ? 0 : out[0]->numel() / cols;
    if (p.copies) {
      dispatchBySize(dtype_, [&](auto tag) {
        using T = typename decltype(tag)::type;
        T fill;
        std::memcpy(&fill, &fill_, sizeof(T));
        forRows(ctx, p, rows, [&](int64_t row, int64_t base, bool outside) {
          const T *x = in[0]->as<T>();
          T *y = out[0]->as<T>() + row * cols;
          const ResizeAxis &last = p.axes.back();
          for (int64_t o = 0; o < cols; ++o) y[o] = outside || last.outside[o] ? fill : x[base + last.offset[o]];
        });
      });
      return;
    }
    if (p.planar && dtype_ == DType::f32) planar<float>(ctx, p, rows, cols, in[0]->as<float>(), out[0]->as<float>());
    else if (p.planar) planar<double>(ctx, p, rows, cols, in[0]->as<double>(), out[0]->as<double>());
    else if (dtype_ == DType::f32) weighted<float>(ctx, p, rows, cols, in[0]->as<float>(), out[0]->as<float>());
    else weighted<double>(ctx, p, rows, cols, in[0]->as<double>(), out[0]->as<double>());
  }

  // fn(row, base, outside) per output row (all dims but the last), split over threads:
  // `base` is the input offset of the row's one-tap dims (copies only) and `outside`
  // whether any of its dims' sources lies outside the input.
  template <typename Fn> void forRows(const RunContext &ctx, const ResizePlan &p, int64_t rows, Fn &&fn) const {
    const int rank = int(p.axes.size());
    parallelRange(ctx, rows, [&](int64_t begin, int64_t end) {
      for (int64_t row = begin; row < end; ++row) {
        int64_t rest = row, base = 0;
        bool outside = false;
        for (int d = rank - 2; d >= 0; --d) {
          const int64_t o = rest % outShape_[d];
          rest /= outShape_[d];
          outside = outside || p.axes[d].outside[o];
          base += p.axes[d].offset[o * p.axes[d].taps];
        }
        fn(row, base, outside);
      }
    });
  }

  template <typename T>
  void weighted(const RunContext &ctx, const ResizePlan &p, int64_t rows, int64_t cols, const T *x, T *y) const {
    const int rank = int(p.axes.size());
    const T fill = [&] {
      T v;
      std::memcpy(&v, &fill_, sizeof(T));
      return v;
    }();
    parallelRange(ctx, rows, [&](int64_t begin, int64_t end) {
      std::vector<int64_t> idx(rank);
      for (int64_t row = begin; row < end; ++row) {
        int64_t rest = row;
        bool outside = false;
        for (int d = rank - 2; d >= 0; --d) {
          idx[d] = rest % outShape_[d];
          rest /= outShape_[d];
          outside = outside || p.axes[d].outside[idx[d]];
        }
        for (int64_t o = 0; o < cols; ++o) {
          idx[rank - 1] = o;
          y[row * cols + o] = outside || p.axes.back().outside[o] ? fill : T(sample(p, x, idx, 0, 0, 1.0));
        }
      }
    });
  }

  // planar: rows over the last two dims' taps, with sample()'s operations in its order
  // (so the same bits): the leading dims' one tap has weight 1 and adds to a sum of 0,
  // which only turns a -0 into +0; an H tap's weight is then 1 * wy exactly.
  template <typename T>
  void planar(const RunContext &ctx, const ResizePlan &p, int64_t rows, int64_t cols, const T *x, T *y) const {
    const int rank = int(p.axes.size());
    const ResizeAxis &ah = p.axes[rank - 2], &aw = p.axes[rank - 1];
    const int64_t outH = outShape_[rank - 2];
    parallelRange(ctx, rows, [&](int64_t begin, int64_t end) {
      for (int64_t row = begin; row < end; ++row) {
        const int64_t oh = row % outH;
        int64_t rest = row / outH, base = 0;
        for (int d = rank - 3; d >= 0; --d) {
          base += p.axes[d].offset[rest % outShape_[d]];
          rest /= outShape_[d];
        }
        for (int64_t ow = 0; ow < cols; ++ow) {
          double sum = 0;
          for (int th = 0; th < ah.taps; ++th) {
            const int64_t kh = oh * ah.taps + th;
            const double wh = 1.0 * ah.weight[kh];
            const T *xr = x + base + ah.offset[kh];
            double inner = 0;
            for (int tw = 0; tw < aw.taps; ++tw) {
              const int64_t kw = ow * aw.taps + tw;
              inner += (wh * aw.weight[kw]) * double(xr[aw.offset[kw]]);
            }
            sum += inner;
          }
          y[row * cols + ow] = T(rank > 2 ? 0.0 + sum : sum);
        }
      }
    });
  }

  // The weighted sum over the taps of dims d.. of output index `idx`, from input offset
  // `offset` with weight `w` so far.
  template <typename T>
  double sample(const ResizePlan &p, const T *x, const std::vector<int64_t> &idx, int d, int64_t offset,
                double w) const {
    if (d == int(p.axes.size())) return w * double(x[offset]);
    const ResizeAxis &a = p.axes[d];
    double sum = 0;
    for (int t = 0; t < a.taps; ++t) {
      const int64_t k = idx[d] * a.taps + t;
      sum += sample(p, x, idx, d + 1, offset + a.offset[k], w * a.weight[k]);
    }
    return sum;
  }

  ResizeModes m_;
  ResizePlan plan_;                       // the attribute form's, made at prepare
  std::vector<float> scales_, roi_;       // attributes a run-time plan combines with inputs
  std::vector<int64_t> inShape_, outShape_;
  std::string where_;
  DType dtype_ = DType::f32;
  bool crop_ = false, roiInput_ = false, scalesInput_ = false, sizesInput_ = false;
  uint64_t fill_ = 0;
};

}  // namespace
}  // namespace edgec::rt::ref

namespace edgec::rt {

void registerStridedCopyResample(KernelRegistry &r, Isa isa, ref::StridedCopyFn copy) {
  r.add("DepthToSpace", isa, [copy] { return std::unique_ptr<Kernel>(new ref::RefDepthToSpace(copy)); });
  r.add("SpaceToDepth", isa, [copy] { return std::unique_ptr<Kernel>(new ref::RefSpaceToDepth(copy)); });
}

void registerRefResample(KernelRegistry &r) {
  registerStridedCopyResample(r, Isa::Ref, ref::refStridedCopy);
  r.add<ref::RefResize>("Resize", Isa::Ref);
}

}  // namespace edgec::rt
