// Reference QuantizeLinear, DequantizeLinear and quantized Concat.
//
// QuantizeLinear (ONNX): X f32 -> Y i8/u8/i16 (per-tensor or per-axis, Y's parameters):
//   q = saturate(roundHalfEven(x / scale) + zero_point), x / scale divided in f32; NaN -> zp.
// DequantizeLinear: X i8/u8/i16/i32 (per-tensor or per-axis) -> Y f32:
//   y = float(x - zero_point) * scale (the difference in 64 bits, one f32 multiply).
// Concat: each input whose parameters are the output's (for the indices it fills) is
// copied; a per-tensor input with other parameters is requantized,
//   y = clamp(zy + rescale(x - zx, sx / sy)) (MBQM of the value shifted left first,
//   quant::rescaleMultiplier); a per-axis one cannot be.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "ref/quant_elementwise.h"
#include "ref/quant_params.h"
#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::ref {
namespace {

using quant::QuantizedMultiplier;
using Int8Types = Types<int8_t, uint8_t>;
using QuantizeTypes = Types<int8_t, uint8_t, int16_t>;
using DequantizeTypes = Types<int8_t, uint8_t, int16_t, int32_t>;

// Elements per index of the quantized axis, and its size (per-tensor: 1 index).
struct AxisWalk {
  int64_t inner = 1, dim = 1;
};
AxisWalk axisWalk(const TensorView &t, const QuantParams &p) {
  AxisWalk w;
  if (p.perAxis) {
    w.inner = product(t.shape, size_t(p.axis) + 1);
    w.dim = t.shape[size_t(p.axis)];
  }
  return w;
}

// The validation of QuantizeLinear / DequantizeLinear (shared with the x86 kernels through
// prepare*PerTensor below); the parameters of the quantized side.
QuantParams readQuantizeLinear(const KernelSignature &sig) {
  requireInputCount(sig, 1, 1);
  const TensorView &x = requireInput(sig, 0, "X");
  const TensorView &y = requireOutput(sig, 0);
  requireDType(sig, x, Types<float>{}, "QuantizeLinear's input");
  requireDType(sig, y, QuantizeTypes{}, "QuantizeLinear's output");
  requireShape(sig, y, x.shape, "output");
  return readQuantParams(sig, y, "Y", AxisRule::Any);
}
QuantParams readDequantizeLinear(const KernelSignature &sig) {
  requireInputCount(sig, 1, 1);
  const TensorView &x = requireInput(sig, 0, "X");
  const TensorView &y = requireOutput(sig, 0);
  requireDType(sig, x, DequantizeTypes{}, "DequantizeLinear's input");
  requireDType(sig, y, Types<float>{}, "DequantizeLinear's output");
  requireShape(sig, y, x.shape, "output");
  return readQuantParams(sig, x, "X", AxisRule::Any);
}

class QuantizeLinear final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    p_ = readQuantizeLinear(sig);
    walk_ = axisWalk(*sig.outputs[0], p_);
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    dispatch(QuantizeTypes{}, p_.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const float *x = in[0]->as<float>();
      T *y = out[0]->as<T>();
      parallelRange(ctx, in[0]->numel(), [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) {
          const size_t c = p_.perAxis ? size_t(i / walk_.inner % walk_.dim) : 0;
          const int32_t zp = p_.zeroPoints[c];
          const float q = x[i] / p_.scales[c];
          if (std::isnan(q)) {
            y[i] = static_cast<T>(zp);
            continue;
          }
          const double v = quant::roundHalfEven(q) + zp;  // exact: |q| < 2^128, zp < 2^31
          y[i] = static_cast<T>(v <= p_.qmin ? p_.qmin : v >= p_.qmax ? p_.qmax : int32_t(v));
        }
      });
    });
  }

private:
  QuantParams p_;
  AxisWalk walk_;
};

class DequantizeLinear final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    p_ = readDequantizeLinear(sig);
    walk_ = axisWalk(*sig.inputs[0], p_);
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    dispatch(DequantizeTypes{}, p_.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T *x = in[0]->as<T>();
      float *y = out[0]->as<float>();
      parallelRange(ctx, in[0]->numel(), [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) {
          const size_t c = p_.perAxis ? size_t(i / walk_.inner % walk_.dim) : 0;
          y[i] = static_cast<float>(int64_t(x[i]) - p_.zeroPoints[c]) * p_.scales[c];
        }
      });
    });
  }

private:
  QuantParams p_;
  AxisWalk walk_;
};

// Whether input parameters px describe, for the indices the input fills (along the concat
// axis from `offset`; `len` of them), the same values as the output's py.
bool sameParams(const QuantParams &px, const QuantParams &py, int concatAxis, int64_t offset, int64_t len) {
  if (px.dtype != py.dtype) return false;
  if (!py.perAxis) {
    for (size_t k = 0; k < px.scales.size(); ++k)
      if (px.scales[k] != py.scales[0] || px.zeroPoints[k] != py.zeroPoints[0]) return false;
    return true;
  }
  if (px.perAxis && px.axis != py.axis) return false;
  const int64_t n = py.axis == concatAxis ? len : int64_t(py.scales.size());
  for (int64_t k = 0; k < n; ++k) {
    const size_t xi = px.perAxis ? size_t(k) : 0;
    const size_t yi = size_t(py.axis == concatAxis ? offset + k : k);
    if (px.scales[xi] != py.scales[yi] || px.zeroPoints[xi] != py.zeroPoints[yi]) return false;
  }
  return true;
}

class QuantConcat final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    if (sig.inputs.empty()) kernelFail(sig, "needs at least one input");
    const TensorView &y = requireOutput(sig, 0);
    requireDType(sig, y, Int8Types{}, "a quantized Concat's output");
    const int64_t axis = sig.attrs.i("axis", 0);
    if (axis < 0 || axis >= y.rank())
      kernelFail(sig, "axis " + std::to_string(axis) + " out of range for output " + shapeStr(y.shape));
    const QuantParams py = readQuantParams(sig, y, "output", AxisRule::Any);
    const int64_t inner = product(y.shape, size_t(axis) + 1);
    parts_.clear();
    starts_.assign(1, 0);
    int64_t total = 0;
    for (size_t i = 0; i < sig.inputs.size(); ++i) {
      const TensorView &x = requireInput(sig, i, "X");
      const std::string what = "input " + std::to_string(i);
      requireDType(sig, x, Int8Types{}, ("a quantized Concat's " + what).c_str());
      std::vector<int64_t> expected = y.shape;
      expected[size_t(axis)] = x.rank() == y.rank() ? x.shape[size_t(axis)] : -1;
      requireShape(sig, x, expected, what.c_str());
      const QuantParams px = readQuantParams(sig, x, what.c_str(), AxisRule::Any);
      Part part;
      part.dtype = x.dtype;
      part.copy = sameParams(px, py, int(axis), total, x.shape[size_t(axis)]);
      if (!part.copy) {
        if (px.perAxis || py.perAxis)
          kernelFail(sig, "requantizing the per-axis quantized " + what + " is not supported");
        part.zx = px.zeroPoints[0];
        part.mult = requireRescale(sig, double(px.scales[0]) / py.scales[0], 255, what + " requantization");
      }
      part.chunk = x.shape[size_t(axis)] * inner;
      parts_.push_back(part);
      total += x.shape[size_t(axis)];
      starts_.push_back(total * inner);
    }
    if (total != y.shape[size_t(axis)])
      kernelFail(sig, "inputs add up to " + std::to_string(total) + " along axis " + std::to_string(axis) +
                          ", output has " + std::to_string(y.shape[size_t(axis)]));
    rowLen_ = total * inner;
    zy_ = py.zeroPoints[0];
    lo_ = py.qmin;
    hi_ = py.qmax;
    yType_ = y.dtype;
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    if (rowLen_ == 0) return;
    auto *y = static_cast<uint8_t *>(out[0]->data);  // 1-byte elements
    parallelRange(ctx, out[0]->numel(), [&](int64_t b, int64_t e) {
      // Walk [b, e) of the output in runs that come from one input.
      for (int64_t idx = b; idx < e;) {
        const int64_t o = idx / rowLen_, r = idx % rowLen_;
        const size_t i = size_t(std::upper_bound(starts_.begin(), starts_.end(), r) - starts_.begin() - 1);
        const int64_t count = std::min(e - idx, starts_[i + 1] - r);
        const Part &part = parts_[i];
        const uint8_t *src = static_cast<const uint8_t *>(in[i]->data) + o * part.chunk + (r - starts_[i]);
        if (part.copy)
          std::memcpy(y + idx, src, size_t(count));
        else
          requantizeRun(part, src, y + idx, count);
        idx += count;
      }
    });
  }

  // The x86 kernel's plan (prepareQuantConcatPlan), after prepare: each requantized
  // input's output code for every input code byte, by requantizeRun itself.
  void fillPlan(QuantConcatPlan &plan) const {
    plan.parts = int(parts_.size());
    plan.rowLen = rowLen_;
    uint8_t codes[256];
    for (int b = 0; b < 256; ++b) codes[b] = uint8_t(b);
    for (size_t i = 0; i < parts_.size(); ++i) {
      plan.chunk[i] = parts_[i].chunk;
      plan.copy[i] = parts_[i].copy;
      if (!parts_[i].copy) requantizeRun(parts_[i], codes, plan.table[i], 256);
    }
    plan.ok = true;
  }

private:
  struct Part {
    DType dtype = DType::i8;
    bool copy = true;
    int32_t zx = 0;
    quant::RescaleMultiplier mult;
    int64_t chunk = 0;  // elements per outer index
  };

  void requantizeRun(const Part &part, const uint8_t *src, uint8_t *dst, int64_t n) const {
    dispatch(Int8Types{}, part.dtype, [&](auto tx) {
      dispatch(Int8Types{}, yType_, [&](auto ty) {
        using X = typename decltype(tx)::type;
        using Y = typename decltype(ty)::type;
        const X *x = reinterpret_cast<const X *>(src);
        Y *y = reinterpret_cast<Y *>(dst);
        for (int64_t k = 0; k < n; ++k)
          y[k] = static_cast<Y>(quant::rescale(int32_t(x[k]) - part.zx, part.mult, zy_, lo_, hi_));
      });
    });
  }

  std::vector<Part> parts_;
  std::vector<int64_t> starts_;  // per input: its first element in an output row; then the row length
  int64_t rowLen_ = 0;
  int32_t zy_ = 0, lo_ = 0, hi_ = 0;
  DType yType_ = DType::i8;
};

QuantTensorParams perTensor(const KernelSignature &sig, const QuantParams &p) {
  if (p.perAxis) kernelFail(sig, "this implementation takes per-tensor parameters only");
  if (p.dtype != DType::i8 && p.dtype != DType::u8) kernelFail(sig, "this implementation takes i8 and u8 only");
  QuantTensorParams t;
  t.dtype = p.dtype;
  t.scale = p.scales[0];
  t.zeroPoint = p.zeroPoints[0];
  t.qmin = p.qmin;
  t.qmax = p.qmax;
  return t;
}

}  // namespace

QuantConcatPlan prepareQuantConcatPlan(const KernelSignature &sig) {
  QuantConcatPlan plan;
  if (sig.inputs.size() > size_t(QuantConcatPlan::kMaxParts)) return plan;
  QuantConcat k;
  k.prepare(sig);
  k.fillPlan(plan);
  return plan;
}

QuantTensorParams prepareQuantizeLinearPerTensor(const KernelSignature &sig) {
  return perTensor(sig, readQuantizeLinear(sig));
}
QuantTensorParams prepareDequantizeLinearPerTensor(const KernelSignature &sig) {
  return perTensor(sig, readDequantizeLinear(sig));
}

}  // namespace edgec::rt::ref

namespace edgec::rt {

void registerRefQuantData(KernelRegistry &r) {
  using namespace ref;
  // QuantizeLinear and DequantizeLinear have no float twin: without `accepts`, so that a
  // call without quantization parameters reaches prepare and gets a clear error.
  r.add<QuantizeLinear>("QuantizeLinear", Isa::Ref);
  r.add<DequantizeLinear>("DequantizeLinear", Isa::Ref);
  r.add("Concat", Isa::Ref, [] { return std::unique_ptr<Kernel>(new QuantConcat()); }, isQuantizedCall);
}

}  // namespace edgec::rt
