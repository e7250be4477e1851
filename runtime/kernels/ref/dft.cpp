// Reference DFT (ONNX opset 17, f32): the direct O(L²) sum per signal line, with the
// twiddle factors exp(-2πi·j / L) tabled once at prepare (index f·k mod L) and sums in
// double. A reference for small transforms (spectrogram frames, tests); a large L would
// want an FFT kernel.
#include <cmath>

#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::ref {
namespace {

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
    length_ = sig.attrs.i("dft_length");
    if (length_ < 1 || (onesided && inverse_)) kernelFail(sig, "dft_length must be >= 1, onesided forward only");
    std::vector<int64_t> expect = x.shape;
    expect[size_t(axis)] = onesided ? length_ / 2 + 1 : length_;
    expect.back() = 2;
    requireShape(sig, y, expect, "output");
    complexIn_ = x.shape.back() == 2;
    outer_ = product(x.shape, 0, size_t(axis));
    inner_ = product(x.shape, size_t(axis) + 1, size_t(rank - 1));
    inLength_ = x.shape[size_t(axis)];
    outLength_ = expect[size_t(axis)];
    const double pi = std::acos(-1.0);
    cos_.resize(size_t(length_));
    sin_.resize(size_t(length_));
    for (int64_t j = 0; j < length_; ++j) {
      cos_[size_t(j)] = std::cos(2 * pi * double(j) / double(length_));
      sin_[size_t(j)] = std::sin(2 * pi * double(j) / double(length_));
    }
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const float *x = in[0]->as<float>();
    float *y = out[0]->as<float>();
    const int64_t comps = complexIn_ ? 2 : 1;
    const int64_t samples = std::min(inLength_, length_);  // the rest is zero padding
    const double sign = inverse_ ? 1.0 : -1.0, scale = inverse_ ? 1.0 / double(length_) : 1.0;
    const int64_t lines = outer_ * inner_;
    const int64_t grain = std::max<int64_t>(1, 65536 / std::max<int64_t>(1, samples * outLength_));
    ctx.parallelFor(lines, grain, [&](int64_t begin, int64_t end, int) {
      for (int64_t line = begin; line < end; ++line) {
        const int64_t o = line / inner_, i = line % inner_;
        const float *xl = x + (o * inLength_ * inner_ + i) * comps;
        float *yl = y + (o * outLength_ * inner_ + i) * 2;
        for (int64_t f = 0; f < outLength_; ++f) {
          double re = 0, im = 0;
          for (int64_t k = 0; k < samples; ++k) {
            const float *v = xl + k * inner_ * comps;
            const size_t t = size_t((f * k) % length_);
            const double c = cos_[t], s = sign * sin_[t];
            const double vr = v[0], vi = complexIn_ ? v[1] : 0.0;
            re += vr * c - vi * s;
            im += vr * s + vi * c;
          }
          yl[f * inner_ * 2] = float(re * scale);
          yl[f * inner_ * 2 + 1] = float(im * scale);
        }
      }
    });
  }

private:
  bool inverse_ = false, complexIn_ = false;
  int64_t length_ = 0, outer_ = 0, inner_ = 0, inLength_ = 0, outLength_ = 0;
  std::vector<double> cos_, sin_;
};

}  // namespace
}  // namespace edgec::rt::ref

namespace edgec::rt {
void registerRefDft(KernelRegistry &r) { r.add<ref::RefDFT>("DFT", Isa::Ref); }
}  // namespace edgec::rt
