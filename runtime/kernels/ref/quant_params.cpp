// Quantization parameters of kernel operands (see ref/quant_params.h).
#include "ref/quant_params.h"

#include <cmath>
#include <cstdio>
#include <limits>

#include "ref/util.h"

namespace edgec::rt::ref {

bool isQuantized(const TensorView &t) {
  return t.quant && t.quant->scheme() != pkg::QuantScheme::None;
}

bool isQuantizedCall(const KernelSignature &sig) {
  // A blockwise (weight-only) tensor does not make a call integer: f32 activations times
  // a group-wise weight go to the blockwise kernels (ref/blockwise.h).
  auto integer = [](const TensorView *v) {
    return v && isQuantized(*v) && v->quant->scheme() != pkg::QuantScheme::Blockwise;
  };
  for (const TensorView *v : sig.inputs)
    if (integer(v)) return true;
  for (const TensorView *v : sig.outputs)
    if (integer(v)) return true;
  return false;
}

namespace {

bool rangeOf(DType t, int32_t *lo, int32_t *hi) {
  switch (t) {
  case DType::i8: *lo = INT8_MIN, *hi = INT8_MAX; return true;
  case DType::u8: *lo = 0, *hi = UINT8_MAX; return true;
  case DType::i16: *lo = INT16_MIN, *hi = INT16_MAX; return true;
  case DType::i32: *lo = INT32_MIN, *hi = INT32_MAX; return true;
  default: return false;
  }
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

}  // namespace

std::vector<float> readScales(const KernelSignature &sig, const TensorView &t, int64_t count, const std::string &name) {
  const TensorView *s = t.scales;
  if (!s || !s->data) kernelFail(sig, name + ": the scales are missing (they must be a constant)");
  if (s->numel() != count)
    kernelFail(sig, name + " has " + std::to_string(s->numel()) + " scales, expected " + std::to_string(count));
  std::vector<float> scales(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    float v;
    if (s->dtype == DType::f32)
      v = s->as<float>()[i];
    else if (s->dtype == DType::f16)
      v = halfToFloat(s->as<uint16_t>()[i]);
    else
      kernelFail(sig, name + ": scales must be f32 or f16, not " + dtypeName(s->dtype));
    if (!(v > 0.f && v <= std::numeric_limits<float>::max()))
      kernelFail(sig, name + ": scale " + number(v) + " must be positive and finite");
    scales[size_t(i)] = v;
  }
  return scales;
}

QuantParams readQuantParams(const KernelSignature &sig, const TensorView &t, const char *what,
                            AxisRule rule, int axis) {
  const std::string name = std::string(what) + " (" + dtypeName(t.dtype) + " " + shapeStr(t.shape) + ")";
  if (!isQuantized(t)) kernelFail(sig, name + " must be quantized");
  QuantParams p;
  p.dtype = t.dtype;
  if (!rangeOf(t.dtype, &p.qmin, &p.qmax))
    kernelFail(sig, name + ": quantized " + dtypeName(t.dtype) + " is not supported (i8, u8, i16 or i32)");
  const pkg::QuantInfo &q = *t.quant;
  int64_t count = 1;
  if (q.scheme() == pkg::QuantScheme::PerAxis) {
    if (rule == AxisRule::PerTensor)
      kernelFail(sig, name + " must be quantized per tensor, not per axis " + std::to_string(q.axis()));
    if (q.axis() < 0 || q.axis() >= t.rank())
      kernelFail(sig, name + ": axis " + std::to_string(q.axis()) + " is out of range");
    if (axis >= 0 && q.axis() != axis)
      kernelFail(sig, name + " must be quantized per tensor or along axis " + std::to_string(axis) +
                          ", not axis " + std::to_string(q.axis()));
    p.perAxis = true;
    p.axis = q.axis();
    count = t.shape[size_t(p.axis)];
  } else if (q.scheme() != pkg::QuantScheme::PerTensor) {
    kernelFail(sig, name + ": only per-tensor and per-axis quantization are supported here");
  }
  p.scales = readScales(sig, t, count, name);
  p.zeroPoints.assign(size_t(count), 0);
  if (const TensorView *z = t.zero_points) {
    if (!z->data) kernelFail(sig, name + ": the zero points are missing (they must be a constant)");
    if (z->dtype != t.dtype)
      kernelFail(sig, name + ": zero points must be " + dtypeName(t.dtype) + ", not " + dtypeName(z->dtype));
    if (z->numel() != count)
      kernelFail(sig, name + " has " + std::to_string(z->numel()) + " zero points, expected " +
                          std::to_string(count));
    for (int64_t i = 0; i < count; ++i) {
      switch (t.dtype) {
      case DType::i8: p.zeroPoints[size_t(i)] = z->as<int8_t>()[i]; break;
      case DType::u8: p.zeroPoints[size_t(i)] = z->as<uint8_t>()[i]; break;
      case DType::i16: p.zeroPoints[size_t(i)] = z->as<int16_t>()[i]; break;
      default: p.zeroPoints[size_t(i)] = z->as<int32_t>()[i]; break;
      }
    }
  }
  return p;
}

double scaleAt(const QuantParams &p, int64_t i) { return p.scales[p.perAxis ? size_t(i) : 0]; }
int32_t zeroPointAt(const QuantParams &p, int64_t i) { return p.zeroPoints[p.perAxis ? size_t(i) : 0]; }

quant::QuantizedMultiplier requireMultiplier(const KernelSignature &sig, double real,
                                             const std::string &what) {
  const quant::QuantizedMultiplier m = quant::quantizeMultiplier(real);
  if (!m.valid)
    kernelFail(sig, "the " + what + " multiplier " + number(real) +
                        " cannot be represented (it must be finite, >= 0 and below 2^30)");
  return m;
}

quant::RescaleMultiplier requireRescale(const KernelSignature &sig, double real, int64_t maxAbs,
                                       const std::string &what) {
  requireMultiplier(sig, real, what);  // the same limits on the real multiplier
  return quant::rescaleMultiplier(real, maxAbs);
}

CodeRange activationRange(const Activation &act, const QuantParams &y) {
  CodeRange r{y.qmin, y.qmax};
  if (!act.enabled) return r;
  const double sy = scaleAt(y, 0);
  const int32_t zy = zeroPointAt(y, 0);
  // NaN bounds clamp nothing (as std::max/min with NaN second in the float kernels).
  if (!std::isnan(act.lo)) r.lo = std::max(r.lo, quant::quantizeRealHalfAway(act.lo, sy, zy, y.qmin, y.qmax));
  if (!std::isnan(act.hi)) r.hi = std::min(r.hi, quant::quantizeRealHalfAway(act.hi, sy, zy, y.qmin, y.qmax));
  return r;
}

void requireSameQuantParams(const KernelSignature &sig, const TensorView &x, const TensorView &y) {
  if (!isQuantized(x) || !isQuantized(y)) return;
  auto fail = [&](const std::string &why) {
    kernelFail(sig, "requantizing in " + sig.op + " is not supported (" + why +
                        "): the input and output quantization parameters must be the same");
  };
  const QuantParams px = readQuantParams(sig, x, "input", AxisRule::Any);
  const QuantParams py = readQuantParams(sig, y, "output", AxisRule::Any);
  if (px.dtype != py.dtype) fail("dtypes differ");
  for (size_t i = 0; i < py.scales.size(); ++i) {
    bool found = false;
    for (size_t j = 0; j < px.scales.size() && !found; ++j)
      found = px.scales[j] == py.scales[i] && px.zeroPoints[j] == py.zeroPoints[i];
    if (!found)
      fail("output scale " + number(py.scales[i]) + " zero point " + std::to_string(py.zeroPoints[i]) +
           " is not one of the input's");
  }
}

}  // namespace edgec::rt::ref
