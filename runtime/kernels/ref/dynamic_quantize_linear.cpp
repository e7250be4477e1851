// Reference DynamicQuantizeLinear (ONNX, uint8): the scale and zero point of x's range
// (widened to contain 0), then x quantized with them, as ONNX Runtime computes it:
//   lo = min(min(x), 0), hi = max(max(x), 0)                    (NaNs skipped)
//   scale = (hi - lo) / 255 in f32, or 1 when hi == lo           (ORT; the spec divides by 0)
//   zp = round_half_even(clamp(0 - lo / scale, 0, 255))          (f32)
//   y = clamp(round_half_even(x / scale) + zp, 0, 255)           (x / scale in f32; NaN -> zp)
// One thread: the min/max pass and the quantize pass are memory-bound and small in the
// models that use it (ORT's dynamic quantization of a MatMul's activations).
#include <cmath>

#include "quant_math.h"
#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::ref {
namespace {

class DynamicQuantizeLinear final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 1, 1);
    const TensorView &x = requireInput(sig, 0, "x");
    requireDType(sig, x, Types<float>{}, "DynamicQuantizeLinear's input");
    if (sig.outputs.size() != 3) kernelFail(sig, "expected 3 outputs (y, y_scale, y_zero_point)");
    const TensorView &y = requireOutput(sig, 0), &scale = requireOutput(sig, 1), &zp = requireOutput(sig, 2);
    requireDType(sig, y, Types<uint8_t>{}, "y");
    requireDType(sig, scale, Types<float>{}, "y_scale");
    requireDType(sig, zp, Types<uint8_t>{}, "y_zero_point");
    requireShape(sig, y, x.shape, "y");
    requireShape(sig, scale, {}, "y_scale");
    requireShape(sig, zp, {}, "y_zero_point");
  }

  void run(const RunContext &, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const float *x = in[0]->as<float>();
    const int64_t n = in[0]->numel();
    float lo = 0.f, hi = 0.f;
    for (int64_t i = 0; i < n; ++i) {  // comparisons with NaN are false: NaNs are skipped
      if (x[i] < lo) lo = x[i];
      if (x[i] > hi) hi = x[i];
    }
    const float scale = hi == lo ? 1.f : (hi - lo) / 255.f;
    const float zpFloat = 0.f - lo / scale;
    const uint8_t zp = uint8_t(quant::roundHalfEven(std::min(255.f, std::max(0.f, zpFloat))));
    uint8_t *y = out[0]->as<uint8_t>();
    for (int64_t i = 0; i < n; ++i) {
      const float q = x[i] / scale;
      if (std::isnan(q)) {
        y[i] = zp;
        continue;
      }
      const double v = quant::roundHalfEven(q) + zp;
      y[i] = uint8_t(v <= 0 ? 0 : v >= 255 ? 255 : int32_t(v));
    }
    *out[1]->as<float>() = scale;
    *out[2]->as<uint8_t>() = zp;
  }
};

}  // namespace
}  // namespace edgec::rt::ref

namespace edgec::rt {

void registerRefDynamicQuantizeLinear(KernelRegistry &r) {
  r.add<ref::DynamicQuantizeLinear>("DynamicQuantizeLinear", Isa::Ref);
}

}  // namespace edgec::rt
