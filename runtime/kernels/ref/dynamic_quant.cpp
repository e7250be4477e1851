// DynamicQuantizedMatMul (INT8 dynamic, `--precision int8-dynamic`): f32 rows quantized to
// int8 at run time, each with its own symmetric scale, times an int8 weight [K, N]
// (per-tensor or per-column scales, zero point 0), int32 accumulation, f32 result:
//   s_r = max|x_r| / 127 (0 for an all-zero row), q = clamp(roundHalfEven(x / s_r), -127, 127),
//   y[r, n] = float(acc[r, n]) * (s_r * sw[n]) + bias[n].
// The scale product is formed in f32 (s_r * sw[n]), then one f32 multiply and one add, so
// any ISA that follows these steps gets the same bits.
#include <cmath>
#include <vector>

#include "dynamic_quant.h"
#include "kernel.h"
#include "quant_params.h"
#include "register_kernels.h"
#include "util.h"

namespace edgec::rt::ref {

DynamicQuantPlan prepareDynamicQuantMatMul(const KernelSignature &sig) {
  if (sig.inputs.size() < 2 || sig.outputs.size() != 1 || !sig.inputs[0] || !sig.inputs[1])
    kernelFail(sig, "expects input, weight[, bias] and one output");
  const TensorView &x = *sig.inputs[0], &w = *sig.inputs[1], &y = *sig.outputs[0];
  if (x.dtype != DType::f32 || y.dtype != DType::f32) kernelFail(sig, "input and output must be f32");
  if (w.dtype != DType::i8 || w.rank() != 2) kernelFail(sig, "the weight must be an i8 [K, N] tensor");
  const QuantParams wp = readQuantParams(sig, w, "weight", AxisRule::Any, 1);
  for (int32_t z : wp.zeroPoints)
    if (z != 0) kernelFail(sig, "the weight must be symmetric (zero point 0)");
  DynamicQuantPlan p;
  p.K = w.shape[0];
  p.N = w.shape[1];
  if (x.rank() < 1 || x.shape.back() != p.K) kernelFail(sig, "the input's last dim must be the weight's K");
  p.rows = x.numel() / p.K;
  if (y.numel() != p.rows * p.N) kernelFail(sig, "the output must hold rows x N values");
  p.scales.resize(size_t(p.N));
  for (int64_t n = 0; n < p.N; ++n) p.scales[size_t(n)] = float(scaleAt(wp, n));
  p.hasBias = sig.inputs.size() > 2 && sig.inputs[2];
  if (p.hasBias && (sig.inputs[2]->dtype != DType::f32 || sig.inputs[2]->numel() != p.N))
    kernelFail(sig, "the bias must be f32 [N]");
  return p;
}

namespace {

class DynamicQuantizedMatMul : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    DynamicQuantPlan p = prepareDynamicQuantMatMul(sig);
    K_ = p.K;
    N_ = p.N;
    rows_ = p.rows;
    hasBias_ = p.hasBias;
    scales_ = std::move(p.scales);
  }

  size_t scratchBytes() const override { return size_t(K_) + size_t(N_) * sizeof(int32_t); }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const float *x = in[0]->as<float>();
    const int8_t *w = in[1]->as<int8_t>();
    const float *bias = hasBias_ ? in[2]->as<float>() : nullptr;
    float *y = out[0]->as<float>();
    const int64_t grain = std::max<int64_t>(1, kMinElementsPerThread / std::max<int64_t>(1, K_ * N_));
    ctx.parallelFor(rows_, grain, [&](int64_t begin, int64_t end, int thread) {
      auto *scratch = static_cast<uint8_t *>(ctx.threadScratch(thread));
      int32_t *acc = reinterpret_cast<int32_t *>(scratch);
      int8_t *q = reinterpret_cast<int8_t *>(scratch + size_t(N_) * sizeof(int32_t));
      for (int64_t r = begin; r < end; ++r) {
        const float *xr = x + r * K_;
        float maxAbs = 0;
        for (int64_t k = 0; k < K_; ++k) maxAbs = std::max(maxAbs, std::fabs(xr[k]));
        const float s = maxAbs / 127.0f;
        for (int64_t k = 0; k < K_; ++k)
          q[k] = s > 0 ? int8_t(std::fmax(-127.0f, std::fmin(127.0f, std::nearbyint(xr[k] / s)))) : int8_t(0);
        std::fill(acc, acc + N_, 0);
        for (int64_t k = 0; k < K_; ++k) {
          const int32_t qk = q[k];
          const int8_t *wk = w + k * N_;
          for (int64_t n = 0; n < N_; ++n) acc[n] += qk * int32_t(wk[n]);
        }
        float *yr = y + r * N_;
        for (int64_t n = 0; n < N_; ++n) {
          const float v = float(acc[n]) * (s * scales_[size_t(n)]);
          yr[n] = bias ? v + bias[n] : v;
        }
      }
    });
  }

private:
  int64_t K_ = 0, N_ = 0, rows_ = 0;
  std::vector<float> scales_;
  bool hasBias_ = false;
};

}  // namespace
}  // namespace edgec::rt::ref

namespace edgec::rt {
void registerRefDynamicQuant(KernelRegistry &r) { r.add<ref::DynamicQuantizedMatMul>("DynamicQuantizedMatMul", Isa::Ref); }
}  // namespace edgec::rt
