// Reference signal-processing kernels (ONNX opset 17): DFT, STFT, MelWeightMatrix.
// DFT and STFT share one transform (transformLine): the direct O(L²) sum per signal line,
// with the twiddle factors exp(-2πi·j / L) tabled (index f·k mod L) and sums in double. A
// reference for small transforms (spectrogram frames, tests); a large L would want an FFT
// kernel.
#include <cmath>

#include "ref/runtime_params.h"
#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::ref {
namespace {

// cos and sin of 2π·j / L for j < L: the twiddle factors of an L-point transform.
struct Twiddles {
  int64_t length = 0;
  std::vector<double> cos, sin;

  void build(int64_t l) {
    if (l == length) return;
    length = l;
    const double pi = std::acos(-1.0);
    cos.resize(size_t(l));
    sin.resize(size_t(l));
    for (int64_t j = 0; j < l; ++j) {
      cos[size_t(j)] = std::cos(2 * pi * double(j) / double(l));
      sin[size_t(j)] = std::sin(2 * pi * double(j) / double(l));
    }
  }
};

// The first `outLength` frequencies of the L-point transform (L = t.length) of one line:
// the `samples` (<= L) values x[k·xStride] (re, and im at x[k·xStride + 1] when
// `complex`), each times window[k] when a window is given (in float, as the window is
// applied to the signal before the transform), the rest zero. y[f·yStride] gets (re, im)
// of frequency f; the inverse transform uses exp(+2πi·f·k / L) and divides by L.
void transformLine(const Twiddles &t, const float *x, int64_t xStride, bool complex, int64_t samples,
                   const float *window, bool inverse, float *y, int64_t yStride, int64_t outLength) {
  const double sign = inverse ? 1.0 : -1.0, scale = inverse ? 1.0 / double(t.length) : 1.0;
  for (int64_t f = 0; f < outLength; ++f) {
    double re = 0, im = 0;
    for (int64_t k = 0; k < samples; ++k) {
      const float *v = x + k * xStride;
      const size_t j = size_t((f * k) % t.length);
      const double c = t.cos[j], s = sign * t.sin[j];
      const float w = window ? window[k] : 1.f;
      const double vr = window ? double(v[0] * w) : double(v[0]);
      const double vi = complex ? (window ? double(v[1] * w) : double(v[1])) : 0.0;
      re += vr * c - vi * s;
      im += vr * s + vi * c;
    }
    y[f * yStride] = float(re * scale);
    y[f * yStride + 1] = float(im * scale);
  }
}

class RefDFT final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 1, 1);
    const TensorView &x = requireInput(sig, 0, "X");
    const TensorView &y = requireOutput(sig, 0);
    requireDType(sig, x, Types<float>{}, "DFT");
    requireDType(sig, y, Types<float>{}, "DFT");
    const int64_t rank = x.rank();
    if (rank < 3 || (x.shape.back() != 1 && x.shape.back() != 2))
      kernelFail(sig, "X must be [batch, signal..., 1 or 2], got " + shapeStr(x.shape));
    const int64_t axis = sig.attrs.i("axis");
    if (axis < 1 || axis > rank - 2) kernelFail(sig, "axis " + std::to_string(axis) + " is not a signal dim");
    inverse_ = sig.attrs.i("inverse") != 0;
    const bool onesided = sig.attrs.i("onesided") != 0;
    const int64_t length = sig.attrs.i("dft_length");
    if (length < 1 || (onesided && inverse_)) kernelFail(sig, "dft_length must be >= 1, onesided forward only");
    std::vector<int64_t> expect = x.shape;
    expect[size_t(axis)] = onesided ? length / 2 + 1 : length;
    expect.back() = 2;
    requireShape(sig, y, expect, "output");
    complexIn_ = x.shape.back() == 2;
    outer_ = product(x.shape, 0, size_t(axis));
    inner_ = product(x.shape, size_t(axis) + 1, size_t(rank - 1));
    inLength_ = x.shape[size_t(axis)];
    outLength_ = expect[size_t(axis)];
    twiddles_.build(length);
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const float *x = in[0]->as<float>();
    float *y = out[0]->as<float>();
    const int64_t comps = complexIn_ ? 2 : 1;
    const int64_t samples = std::min(inLength_, twiddles_.length);  // the rest is zero padding
    const int64_t lines = outer_ * inner_;
    const int64_t grain = std::max<int64_t>(1, 65536 / std::max<int64_t>(1, samples * outLength_));
    ctx.parallelFor(lines, grain, [&](int64_t begin, int64_t end, int) {
      for (int64_t line = begin; line < end; ++line) {
        const int64_t o = line / inner_, i = line % inner_;
        transformLine(twiddles_, x + (o * inLength_ * inner_ + i) * comps, inner_ * comps, complexIn_, samples,
                      nullptr, inverse_, y + (o * outLength_ * inner_ + i) * 2, inner_ * 2, outLength_);
      }
    });
  }

private:
  bool inverse_ = false, complexIn_ = false;
  int64_t outer_ = 0, inner_ = 0, inLength_ = 0, outLength_ = 0;
  Twiddles twiddles_;
};

// STFT: signal [B, N, 1 or 2], frame_step?, window? [W], frame_length? → [B, frames,
// bins, 2]. frame_step and frame_length are attributes, or one-element inputs read on
// every run and checked to give the output's frames and bins (ONNX's reference:
// frames = 1 + (N - L) / step; frame t is the W samples from t·step, zero past N, times
// the window, transformed over L points).
class RefSTFT final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 1, 4);
    const TensorView &x = requireInput(sig, 0, "signal");
    const TensorView &y = requireOutput(sig, 0);
    requireDType(sig, x, Types<float>{}, "STFT");
    requireDType(sig, y, Types<float>{}, "STFT");
    if (x.rank() != 3 || (x.shape[2] != 1 && x.shape[2] != 2))
      kernelFail(sig, "signal must be [batch, length, 1 or 2], got " + shapeStr(x.shape));
    if (y.rank() != 4 || y.shape[0] != x.shape[0] || y.shape[3] != 2 || y.shape[1] < 1 || y.shape[2] < 1)
      kernelFail(sig, "output must be [" + std::to_string(x.shape[0]) + ", frames >= 1, bins >= 1, 2], got " +
                          shapeStr(y.shape));
    where_ = nodeWhere(sig);
    compiled_ = y.shape;
    batch_ = x.shape[0];
    signalLength_ = x.shape[1];
    complexIn_ = x.shape[2] == 2;
    onesided_ = sig.attrs.i("onesided") != 0;
    stepInput_ = optionalInput(sig, 1) != nullptr;
    lengthInput_ = optionalInput(sig, 3) != nullptr;
    if (stepInput_ == sig.attrs.has("frame_step") || lengthInput_ == sig.attrs.has("frame_length"))
      kernelFail(sig, "frame_step and frame_length must each be an attribute or an input, not both or neither");
    if (stepInput_) requireScalarInt(sig, *sig.inputs[1], "frame_step");
    if (lengthInput_) requireScalarInt(sig, *sig.inputs[3], "frame_length");
    step_ = sig.attrs.i("frame_step", 0);
    length_ = sig.attrs.i("frame_length", 0);
    if (const TensorView *w = optionalInput(sig, 2)) {
      requireDType(sig, *w, Types<float>{}, "STFT window");
      if (w->rank() != 1 || w->shape[0] < 1) kernelFail(sig, "window must be [W >= 1], got " + shapeStr(w->shape));
      windowLength_ = w->shape[0];
    }
    // Constant parameters are checked once, here.
    if (!stepInput_ && !lengthInput_) check(step_, length_);
    if (!lengthInput_) twiddles_.build(length_);
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const int64_t step = stepInput_ ? scalarInt(*in[1]) : step_;
    const int64_t length = lengthInput_ ? scalarInt(*in[3]) : length_;
    if (stepInput_ || lengthInput_) check(step, length);
    twiddles_.build(length);
    const float *x = in[0]->as<float>();
    const float *window = in.size() > 2 && in[2]->data ? in[2]->as<float>() : nullptr;
    float *y = out[0]->as<float>();
    const int64_t comps = complexIn_ ? 2 : 1, frames = compiled_[1], bins = compiled_[2];
    const int64_t frameSamples = window ? windowLength_ : length;  // no window: L ones
    const int64_t grain = std::max<int64_t>(1, 65536 / std::max<int64_t>(1, frameSamples * bins));
    ctx.parallelFor(batch_ * frames, grain, [&](int64_t begin, int64_t end, int) {
      for (int64_t line = begin; line < end; ++line) {
        const int64_t b = line / frames, start = (line % frames) * step;
        // The frame's samples past the signal's end are zeros, and the transform cuts the
        // frame to L samples.
        const int64_t samples = std::min({frameSamples, signalLength_ - start, length});
        transformLine(twiddles_, x + (b * signalLength_ + start) * comps, comps, complexIn_, samples, window, false,
                      y + line * bins * 2, 2, bins);
      }
    });
  }

private:
  // The values must be usable and give the compiled frames and bins.
  void check(int64_t step, int64_t length) const {
    if (step < 1) badValues(where_, "frame_step must be >= 1, got " + std::to_string(step));
    if (length < 1 || length > signalLength_)
      badValues(where_, "frame_length must be in [1, " + std::to_string(signalLength_) + "] (the signal length), got " +
                            std::to_string(length));
    const std::vector<int64_t> implied = {batch_, 1 + (signalLength_ - length) / step,
                                          onesided_ ? length / 2 + 1 : length, 2};
    if (implied != compiled_)
      shapeMismatch(where_, valuesStr("frame_step, frame_length", {step, length}), implied, compiled_);
  }

  std::string where_;
  std::vector<int64_t> compiled_;
  int64_t batch_ = 0, signalLength_ = 0, windowLength_ = 0, step_ = 0, length_ = 0;
  bool complexIn_ = false, onesided_ = true, stepInput_ = false, lengthInput_ = false;
  Twiddles twiddles_;
};

// numpy's floor division of doubles (npy_divmod), which the reference's `//` is: the
// quotient of a - fmod(a, b), rounded to the nearest integer, not floor(a / b).
double floorDivide(double a, double b) {
  const double mod = std::fmod(a, b);
  double div = (a - mod) / b;
  if (mod != 0 && ((b < 0) != (mod < 0))) div -= 1.0;
  if (div == 0) return std::copysign(0.0, a / b);
  double floordiv = std::floor(div);
  if (div - floordiv > 0.5) floordiv += 1.0;
  return floordiv;
}

// MelWeightMatrix: num_mel_bins, dft_length, sample_rate (int32/int64 scalars),
// lower_edge_hertz, upper_edge_hertz (f32/f64 scalars) → [dft_length / 2 + 1,
// num_mel_bins], f32 or f64. Computed on every run from the values, as ONNX's reference
// (whose arithmetic is double: numpy promotes the f32 scalars): num_mel_bins + 2 edges
// evenly spaced in mel, each as the spectrogram bin floor((dft_length + 1)·hz /
// sample_rate), a triangle per mel bin.
class RefMelWeightMatrix final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 5, 5);
    const char *names[] = {"num_mel_bins", "dft_length", "sample_rate", "lower_edge_hertz", "upper_edge_hertz"};
    for (size_t i = 0; i < 5; ++i) {
      const TensorView &t = requireInput(sig, i, names[i]);
      if (i < 3) requireScalarInt(sig, t, names[i]);
      else if ((t.dtype != DType::f32 && t.dtype != DType::f64) || t.numel() != 1)
        kernelFail(sig, std::string(names[i]) + " must be one float or double, got " + dtypeName(t.dtype) + " " +
                            shapeStr(t.shape));
    }
    const TensorView &y = requireOutput(sig, 0);
    requireDType(sig, y, Types<float, double>{}, "MelWeightMatrix output");
    if (y.rank() != 2) kernelFail(sig, "output must be [dft_length / 2 + 1, num_mel_bins], got " + shapeStr(y.shape));
    compiled_ = y.shape;
    where_ = nodeWhere(sig);
  }

  void run(const RunContext &, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const int64_t mels = scalarInt(*in[0]), dftLength = scalarInt(*in[1]), sampleRate = scalarInt(*in[2]);
    auto real = [](const TensorView &t) { return t.dtype == DType::f32 ? double(*t.as<float>()) : *t.as<double>(); };
    const double lower = real(*in[3]), upper = real(*in[4]);
    if (mels < 1 || dftLength < 1 || sampleRate < 1)
      badValues(where_, valuesStr("num_mel_bins, dft_length, sample_rate", {mels, dftLength, sampleRate}) +
                            " must all be >= 1");
    const std::vector<int64_t> implied = {dftLength / 2 + 1, mels};
    if (implied != compiled_)
      shapeMismatch(where_, valuesStr("dft_length, num_mel_bins", {dftLength, mels}), implied, compiled_);
    const int64_t spectrogramBins = implied[0];
    // The reference's edges, in its order of operations.
    const double lowMel = 2595 * std::log10(1 + lower / 700), highMel = 2595 * std::log10(1 + upper / 700);
    const double melStep = (highMel - lowMel) / double(mels + 2);
    std::vector<int64_t> edges(size_t(mels + 2));
    for (int64_t i = 0; i < mels + 2; ++i) {
      const double hz = 700 * (std::pow(10.0, (double(i) * melStep + lowMel) / 2595) - 1);
      const double bin = floorDivide(double(dftLength + 1) * hz, double(sampleRate));
      if (!(bin >= 0 && bin < double(spectrogramBins)))
        badValues(where_, "mel edge " + std::to_string(i) + " (" + std::to_string(hz) + " Hz) falls outside the " +
                              std::to_string(spectrogramBins) + " spectrogram bins (lower_edge_hertz " +
                              std::to_string(lower) + ", upper_edge_hertz " + std::to_string(upper) + ")");
      edges[size_t(i)] = int64_t(bin);
    }
    std::vector<double> w(size_t(spectrogramBins * mels), 0.0);
    for (int64_t i = 0; i < mels; ++i) {
      const int64_t left = edges[size_t(i)], center = edges[size_t(i + 1)], right = edges[size_t(i + 2)];
      if (center == left) w[size_t(center * mels + i)] = 1;
      for (int64_t j = left; center != left && j <= center; ++j)
        w[size_t(j * mels + i)] = double(j - left) / double(center - left);
      for (int64_t j = center; j < right; ++j) w[size_t(j * mels + i)] = double(right - j) / double(right - center);
    }
    if (out[0]->dtype == DType::f32)
      for (size_t i = 0; i < w.size(); ++i) out[0]->as<float>()[i] = float(w[i]);
    else
      std::copy(w.begin(), w.end(), out[0]->as<double>());
  }

private:
  std::string where_;
  std::vector<int64_t> compiled_;
};

}  // namespace
}  // namespace edgec::rt::ref

namespace edgec::rt {
void registerRefDft(KernelRegistry &r) {
  r.add<ref::RefDFT>("DFT", Isa::Ref);
  r.add<ref::RefSTFT>("STFT", Isa::Ref);
  r.add<ref::RefMelWeightMatrix>("MelWeightMatrix", Isa::Ref);
}
}  // namespace edgec::rt
