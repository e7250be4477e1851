// Reference InstanceNormalization (each (n, c) plane normalized over its spatial
// elements) and LRN (each element divided by a power of its neighbouring channels'
// squares), f32. Sums are in double: a plane may hold millions of elements.
#include <cmath>

#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::ref {
namespace {

// X [N, C, D...] and Y of X's shape, f32.
void prepareChannelOp(const KernelSignature &sig, const char *op) {
  const TensorView &x = requireInput(sig, 0, "X");
  const TensorView &y = requireOutput(sig, 0);
  requireDType(sig, x, Types<float>{}, op);
  requireDType(sig, y, Types<float>{}, op);
  if (x.rank() < 3) kernelFail(sig, "X must be [N, C, D...], got " + shapeStr(x.shape));
  requireShape(sig, y, x.shape, "output");
}

class RefInstanceNormalization final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 3, 3);
    prepareChannelOp(sig, "InstanceNormalization");
    const TensorView &x = *sig.inputs[0];
    for (size_t i = 1; i < 3; ++i) {
      const TensorView &p = requireInput(sig, i, i == 1 ? "scale" : "B");
      requireDType(sig, p, Types<float>{}, "InstanceNormalization");
      requireShape(sig, p, {x.shape[1]}, i == 1 ? "scale" : "B");
    }
    epsilon_ = sig.attrs.f("epsilon");
    planes_ = x.shape[0] * x.shape[1];
    channels_ = x.shape[1];
    size_ = product(x.shape, 2);
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const float *x = in[0]->as<float>(), *scale = in[1]->as<float>(), *bias = in[2]->as<float>();
    float *y = out[0]->as<float>();
    const int64_t grain = std::max<int64_t>(1, 65536 / std::max<int64_t>(1, size_));
    ctx.parallelFor(planes_, grain, [&](int64_t begin, int64_t end, int) {
      for (int64_t p = begin; p < end; ++p) {
        const float *xp = x + p * size_;
        float *yp = y + p * size_;
        double sum = 0;
        for (int64_t i = 0; i < size_; ++i) sum += xp[i];
        const double mean = sum / double(size_);
        double squares = 0;
        for (int64_t i = 0; i < size_; ++i) squares += (xp[i] - mean) * (xp[i] - mean);
        const double var = squares / double(size_);
        const int64_t c = p % channels_;
        const double k = double(scale[c]) / std::sqrt(var + double(epsilon_));
        for (int64_t i = 0; i < size_; ++i) yp[i] = float((xp[i] - mean) * k + bias[c]);
      }
    });
  }

private:
  float epsilon_ = 0;
  int64_t planes_ = 0, channels_ = 0, size_ = 0;
};

// LRN: y = x / (bias + alpha / size · Σ x²)^beta over channels c - floor((size - 1) / 2)
// .. c + ceil((size - 1) / 2), clipped to the existing channels.
class RefLRN final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 1, 1);
    prepareChannelOp(sig, "LRN");
    const TensorView &x = *sig.inputs[0];
    alpha_ = sig.attrs.f("alpha");
    beta_ = sig.attrs.f("beta");
    bias_ = sig.attrs.f("bias");
    const int64_t size = sig.attrs.i("size");
    if (size < 1) kernelFail(sig, "size must be >= 1, got " + std::to_string(size));
    before_ = (size - 1) / 2;
    after_ = size - 1 - before_;
    scale_ = double(alpha_) / double(size);
    batch_ = x.shape[0];
    channels_ = x.shape[1];
    inner_ = product(x.shape, 2);
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const float *x = in[0]->as<float>();
    float *y = out[0]->as<float>();
    // Each (n, c) plane is one output unit; it reads its neighbours' planes.
    const int64_t window = before_ + after_ + 1;
    const int64_t grain = std::max<int64_t>(1, 65536 / std::max<int64_t>(1, inner_ * window));
    ctx.parallelFor(batch_ * channels_, grain, [&](int64_t begin, int64_t end, int) {
      for (int64_t p = begin; p < end; ++p) {
        const int64_t n = p / channels_, c = p % channels_;
        const int64_t lo = std::max<int64_t>(0, c - before_), hi = std::min<int64_t>(channels_ - 1, c + after_);
        const float *xn = x + n * channels_ * inner_;
        for (int64_t i = 0; i < inner_; ++i) {
          double squares = 0;
          for (int64_t k = lo; k <= hi; ++k) squares += double(xn[k * inner_ + i]) * xn[k * inner_ + i];
          const double v = xn[c * inner_ + i];
          y[p * inner_ + i] = float(v / std::pow(double(bias_) + scale_ * squares, double(beta_)));
        }
      }
    });
  }

private:
  float alpha_ = 0, beta_ = 0, bias_ = 0;
  double scale_ = 0;
  int64_t before_ = 0, after_ = 0, batch_ = 0, channels_ = 0, inner_ = 0;
};

}  // namespace
}  // namespace edgec::rt::ref

namespace edgec::rt {
void registerRefChannelNorm(KernelRegistry &r) {
  r.add<ref::RefInstanceNormalization>("InstanceNormalization", Isa::Ref);
  r.add<ref::RefLRN>("LRN", Isa::Ref);
}
}  // namespace edgec::rt
