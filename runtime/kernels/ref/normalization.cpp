// Reference Softmax, LogSoftmax, LayerNormalization and (inference) BatchNormalization,
// fp32.
// Statistics are accumulated in double: these kernels are the oracle.
#include <cmath>
#include <limits>

#include "ref/layernorm_codes.h"
#include "ref/quant_params.h"
#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::ref {
namespace {

int64_t axisAttr(const KernelSignature &sig, int rank) {
  const int64_t axis = sig.attrs.i("axis", rank - 1);
  if (axis < 0 || axis >= rank)
    kernelFail(sig,
               "axis " + std::to_string(axis) + " out of range for rank " + std::to_string(rank));
  return axis;
}

// Softmax, or LogSoftmax as x - max - log(sum(exp(x - max))): no exp can overflow and
// no log of an underflowed probability is taken.
class RefSoftmax final : public Kernel {
public:
  explicit RefSoftmax(bool log) : log_(log) {}

  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 1, 1);
    const TensorView &x = requireInput(sig, 0, "X");
    const TensorView &y = requireOutput(sig, 0);
    requireDType(sig, x, Types<float>{}, sig.op.c_str());
    requireSameDType(sig, x, y, "output");
    requireShape(sig, y, x.shape, "output");
    if (x.rank() == 0) kernelFail(sig, "X must have rank >= 1");
    const int64_t axis = axisAttr(sig, x.rank());
    outer_ = product(x.shape, 0, axis);
    n_ = x.shape[axis];
    inner_ = product(x.shape, axis + 1);
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const float *x = in[0]->as<float>();
    float *y = out[0]->as<float>();
    // Threads take whole rows (outer index), each computed as in one pass.
    const int64_t grain = std::max<int64_t>(1, kMinElementsPerThread / std::max<int64_t>(1, n_ * inner_));
    ctx.parallelFor(outer_, grain, [&](int64_t o0, int64_t o1, int) { rows(x, y, o0, o1); });
  }

private:
  void rows(const float *x, float *y, int64_t o0, int64_t o1) const {
    for (int64_t o = o0; o < o1; ++o) {
      for (int64_t i = 0; i < inner_; ++i) {
        const float *xs = x + o * n_ * inner_ + i;
        float *ys = y + o * n_ * inner_ + i;
        float mx = -std::numeric_limits<float>::infinity();
        for (int64_t k = 0; k < n_; ++k) mx = std::max(mx, xs[k * inner_]);
        double sum = 0;
        for (int64_t k = 0; k < n_; ++k) {
          const float e = std::exp(xs[k * inner_] - mx);
          if (!log_) ys[k * inner_] = e;
          sum += e;
        }
        if (log_) {
          const double shift = static_cast<double>(mx) + std::log(sum);
          for (int64_t k = 0; k < n_; ++k)
            ys[k * inner_] = static_cast<float>(static_cast<double>(xs[k * inner_]) - shift);
        } else {
          const float inv = static_cast<float>(1.0 / sum);
          for (int64_t k = 0; k < n_; ++k) ys[k * inner_] *= inv;
        }
      }
    }
  }

  bool log_;
  int64_t outer_ = 0, n_ = 0, inner_ = 0;
};

class RefLayerNormalization final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 2, 3);
    const TensorView &x = requireInput(sig, 0, "X");
    const TensorView &scale = requireInput(sig, 1, "Scale");
    const TensorView *bias = optionalInput(sig, 2);
    const TensorView &y = requireOutput(sig, 0);
    for (const TensorView *t :
         {&x, &scale, bias, &y, optionalOutput(sig, 1), optionalOutput(sig, 2)})
      if (t) requireDType(sig, *t, Types<float>{}, "LayerNormalization");
    requireShape(sig, y, x.shape, "output");
    if (x.rank() == 0) kernelFail(sig, "X must have rank >= 1");
    const int64_t axis = axisAttr(sig, x.rank());
    epsilon_ = sig.attrs.f("epsilon", 1e-5f);
    outer_ = product(x.shape, 0, axis);
    norm_ = product(x.shape, axis);

    // Scale and B broadcast over the normalized dims X.shape[axis:].
    const std::vector<int64_t> normShape(x.shape.begin() + axis, x.shape.end());
    scaleIndex_ = broadcastIndex(sig, scale, normShape, "Scale");
    if (bias) biasIndex_ = broadcastIndex(sig, *bias, normShape, "B");
    hasBias_ = bias != nullptr;

    std::vector<int64_t> statShape(x.shape.begin(), x.shape.begin() + axis);
    statShape.resize(x.shape.size(), 1);
    for (size_t i = 1; i <= 2; ++i)
      if (const TensorView *t = optionalOutput(sig, i))
        requireShape(sig, *t, statShape, i == 1 ? "Mean" : "InvStdDev");
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const float *x = in[0]->as<float>();
    const float *scale = in[1]->as<float>();
    const float *bias = hasBias_ ? in[2]->as<float>() : nullptr;
    float *y = out[0]->as<float>();
    float *meanOut = out.size() > 1 && out[1] ? out[1]->as<float>() : nullptr;
    float *invOut = out.size() > 2 && out[2] ? out[2]->as<float>() : nullptr;  // null if absent
    // Threads take whole rows.
    const int64_t grain = std::max<int64_t>(1, kMinElementsPerThread / std::max<int64_t>(1, norm_));
    ctx.parallelFor(outer_, grain, [&](int64_t o0, int64_t o1, int) {
      rows(x, scale, bias, y, meanOut, invOut, o0, o1);
    });
  }

private:
  void rows(const float *x, const float *scale, const float *bias, float *y, float *meanOut, float *invOut,
            int64_t o0, int64_t o1) const {
    for (int64_t o = o0; o < o1; ++o) {
      const float *xr = x + o * norm_;
      float *yr = y + o * norm_;
      double mean = 0;
      for (int64_t i = 0; i < norm_; ++i) mean += xr[i];
      mean /= static_cast<double>(norm_);
      double var = 0;
      for (int64_t i = 0; i < norm_; ++i) var += (xr[i] - mean) * (xr[i] - mean);
      var /= static_cast<double>(norm_);
      const double inv = 1.0 / std::sqrt(var + epsilon_);
      for (int64_t i = 0; i < norm_; ++i) {
        double v = (xr[i] - mean) * inv * scale[scaleIndex_[i]];
        if (bias) v += bias[biasIndex_[i]];
        yr[i] = static_cast<float>(v);
      }
      if (meanOut) meanOut[o] = static_cast<float>(mean);
      if (invOut) invOut[o] = static_cast<float>(inv);
    }
  }

  // Index into `t` for each element of the normalized block.
  static std::vector<int64_t> broadcastIndex(const KernelSignature &sig, const TensorView &t,
                                             const std::vector<int64_t> &normShape,
                                             const char *what) {
    if (!broadcastsTo(t.shape, normShape))
      kernelFail(sig, std::string(what) + " " + shapeStr(t.shape) +
                          " does not broadcast to the normalized shape " + shapeStr(normShape));
    std::vector<int64_t> index;
    StridedLoop<1> loop(normShape, {broadcastStrides(t.shape, normShape)});
    loop.forEachRun(
        [&](const std::array<int64_t, 1> &off, int64_t n, const std::array<int64_t, 1> &step) {
          for (int64_t i = 0; i < n; ++i) index.push_back(off[0] + i * step[0]);
        });
    return index;
  }

  int64_t outer_ = 0, norm_ = 0;
  float epsilon_ = 1e-5f;
  std::vector<int64_t> scaleIndex_, biasIndex_;
  bool hasBias_ = false;
};

// Index into `t` for each element of the normalized block (Scale / B broadcast to it).
std::vector<int64_t> normBroadcastIndex(const KernelSignature &sig, const TensorView &t,
                                        const std::vector<int64_t> &normShape, const char *what) {
  if (!broadcastsTo(t.shape, normShape))
    kernelFail(sig, std::string(what) + " " + shapeStr(t.shape) + " does not broadcast to the normalized shape " +
                        shapeStr(normShape));
  std::vector<int64_t> index;
  StridedLoop<1> loop(normShape, {broadcastStrides(t.shape, normShape)});
  loop.forEachRun([&](const std::array<int64_t, 1> &off, int64_t n, const std::array<int64_t, 1> &step) {
    for (int64_t i = 0; i < n; ++i) index.push_back(off[0] + i * step[0]);
  });
  return index;
}

// LayerNormalization on codes (ref/layernorm_codes.h defines the arithmetic): integer
// statistics of each row's codes, then one f32 scale and one f32 multiply-add (two
// roundings) per element.
class RefLayerNormCodes final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override { parseLayerNormCodesInto(sig, &p_); }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    if (!p_.channelsReady) fillLayerNormCodesChannels(&p_, in[1]->as<float>(), p_.hasBias ? in[2]->as<float>() : nullptr);
    const char *x = static_cast<const char *>(in[0]->data);
    char *y = static_cast<char *>(out[0]->data);
    const int64_t n = p_.norm;
    const int64_t grain = std::max<int64_t>(1, kMinElementsPerThread / std::max<int64_t>(1, n));
    ctx.parallelFor(p_.outer, grain, [&](int64_t o0, int64_t o1, int) {
      std::vector<int32_t> c(static_cast<size_t>(n));
      for (int64_t o = o0; o < o1; ++o) {
        int64_t s1 = 0, s2 = 0;
        for (int64_t i = 0; i < n; ++i) {
          const int64_t at = o * n + i;
          c[i] = p_.xU8 ? int32_t(reinterpret_cast<const uint8_t *>(x)[at]) : int32_t(reinterpret_cast<const int8_t *>(x)[at]);
          s1 += c[i];
          s2 += int64_t(c[i]) * c[i];
        }
        const float r = layerNormCodesFactor(p_, s1, s2);
        for (int64_t i = 0; i < n; ++i) {
          const int32_t d = int32_t(n * c[i] - s1);
          const int64_t at = o * n + i;
          if (!p_.yCodes) reinterpret_cast<float *>(y)[at] = layerNormValue(p_, d, r, i);
          else if (p_.yU8) reinterpret_cast<uint8_t *>(y)[at] = uint8_t(layerNormCode(p_, d, r, i));
          else reinterpret_cast<int8_t *>(y)[at] = int8_t(layerNormCode(p_, d, r, i));
        }
      }
    });
  }

private:
  LayerNormCodesPlan p_;
};

class RefBatchNormalization final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 5, 5);
    const TensorView &x = requireInput(sig, 0, "X");
    const TensorView &y = requireOutput(sig, 0);
    if (sig.attrs.i("training_mode", 0) != 0 || (sig.outputs.size() > 1 && sig.outputs[1]))
      kernelFail(sig, "only inference mode (one output) is supported");
    requireDType(sig, x, Types<float>{}, "BatchNormalization");
    requireSameDType(sig, x, y, "output");
    requireShape(sig, y, x.shape, "output");
    if (x.rank() < 2) kernelFail(sig, "X must be [N, C, ...], got " + shapeStr(x.shape));
    const char *names[] = {"scale", "B", "mean", "var"};
    for (size_t i = 1; i < 5; ++i) {
      const TensorView &t = requireInput(sig, i, names[i - 1]);
      requireSameDType(sig, x, t, names[i - 1]);
      requireShape(sig, t, {x.shape[1]}, names[i - 1]);
    }
    epsilon_ = sig.attrs.f("epsilon", 1e-5f);
    batch_ = x.shape[0];
    channels_ = x.shape[1];
    inner_ = product(x.shape, 2);
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const float *x = in[0]->as<float>();
    const float *scale = in[1]->as<float>(), *bias = in[2]->as<float>();
    const float *mean = in[3]->as<float>(), *var = in[4]->as<float>();
    float *y = out[0]->as<float>();
    for (int64_t c = 0; c < channels_; ++c) {
      // y = (x - mean) / sqrt(var + eps) * scale + B, folded into y = x * a + b.
      const double a = scale[c] / std::sqrt(static_cast<double>(var[c]) + epsilon_);
      const double b = bias[c] - mean[c] * a;
      for (int64_t n = 0; n < batch_; ++n) {
        const int64_t base = (n * channels_ + c) * inner_;
        for (int64_t i = 0; i < inner_; ++i) y[base + i] = static_cast<float>(x[base + i] * a + b);
      }
    }
  }

private:
  float epsilon_ = 1e-5f;
  int64_t batch_ = 0, channels_ = 0, inner_ = 0;
};

}  // namespace

LayerNormCodesPlan::~LayerNormCodesPlan() = default;

bool isLayerNormCodesCall(const KernelSignature &sig) {
  return !sig.inputs.empty() && sig.inputs[0] && isQuantized(*sig.inputs[0]);
}

// The largest normalized block: n c − S1 stays within int32 (|n c − S1| <= 255 n).
constexpr int64_t kMaxCodesNorm = int64_t(1) << 22;

void parseLayerNormCodesInto(const KernelSignature &sig, LayerNormCodesPlan *p) {
  requireInputCount(sig, 2, 3);
  const TensorView &x = requireInput(sig, 0, "X");
  const TensorView &scale = requireInput(sig, 1, "Scale");
  const TensorView *bias = optionalInput(sig, 2);
  const TensorView &y = requireOutput(sig, 0);
  if (optionalOutput(sig, 1) || optionalOutput(sig, 2))
    kernelFail(sig, "on a quantized X: one output (Y), no Mean/InvStdDev");
  const QuantParams xq = readQuantParams(sig, x, "X", AxisRule::PerTensor);
  if (xq.dtype != DType::i8 && xq.dtype != DType::u8) kernelFail(sig, "a quantized X must be i8 or u8");
  requireDType(sig, scale, Types<float>{}, "LayerNormalization Scale");
  if (bias) requireDType(sig, *bias, Types<float>{}, "LayerNormalization B");
  requireShape(sig, y, x.shape, "output");
  p->yCodes = isQuantized(y);
  if (p->yCodes) {
    const QuantParams yq = readQuantParams(sig, y, "Y", AxisRule::PerTensor);
    if (yq.dtype != DType::i8 && yq.dtype != DType::u8) kernelFail(sig, "a quantized Y must be i8 or u8");
    p->yU8 = yq.dtype == DType::u8;
    p->lo = float(yq.qmin);
    p->hi = float(yq.qmax);
    p->sy = yq.scales[0];
    p->zy = float(yq.zeroPoints[0]);
  } else {
    requireDType(sig, y, Types<float>{}, "LayerNormalization Y");
  }
  if (x.rank() == 0) kernelFail(sig, "X must have rank >= 1");
  const int64_t axis = axisAttr(sig, x.rank());
  p->xU8 = xq.dtype == DType::u8;
  p->sx = double(xq.scales[0]);
  p->epsilon = double(sig.attrs.f("epsilon", 1e-5f));
  p->outer = product(x.shape, 0, axis);
  p->norm = product(x.shape, axis);
  if (p->norm > kMaxCodesNorm)
    kernelFail(sig, "a quantized LayerNormalization normalizes at most 2^22 elements, got " + std::to_string(p->norm));
  const std::vector<int64_t> normShape(x.shape.begin() + axis, x.shape.end());
  p->scaleIndex = normBroadcastIndex(sig, scale, normShape, "Scale");
  p->hasBias = bias != nullptr;
  if (bias) p->biasIndex = normBroadcastIndex(sig, *bias, normShape, "B");
  auto constant = [&](size_t i) {
    return i < sig.input_is_constant.size() && sig.input_is_constant[i] && sig.inputs[i]->data;
  };
  p->channelsReady = false;
  p->g.assign(size_t(p->norm), 0.f);
  p->b.assign(size_t(p->norm), 0.f);
  if (constant(1) && (!bias || constant(2))) {
    fillLayerNormCodesChannels(p, scale.as<float>(), bias ? bias->as<float>() : nullptr);
    p->channelsReady = true;
  }
}

void fillLayerNormCodesChannels(LayerNormCodesPlan *p, const float *scale, const float *bias) {
  for (int64_t i = 0; i < p->norm; ++i) {
    const float gamma = scale[p->scaleIndex[size_t(i)]], beta = bias ? bias[p->biasIndex[size_t(i)]] : 0.f;
    if (p->yCodes) {
      p->g[size_t(i)] = gamma / p->sy;
      p->b[size_t(i)] = beta / p->sy + p->zy;
    } else {
      p->g[size_t(i)] = gamma;
      p->b[size_t(i)] = beta;
    }
  }
}

float layerNormCodesFactor(const LayerNormCodesPlan &p, int64_t s1, int64_t s2) {
  const double n = double(p.norm);
  const double var = double(p.norm * s2 - s1 * s1) * (p.sx * p.sx) / (n * n);
  return float(p.sx / (n * std::sqrt(var + p.epsilon)));
}

int32_t layerNormCode(const LayerNormCodesPlan &p, int32_t d, float r, int64_t i) {
  const float t = float(d) * r;
  float v = t * p.g[size_t(i)];
  v = v + p.b[size_t(i)];
  v = v > p.lo ? v : p.lo;  // as maxps(v, lo): NaN gives lo
  v = v < p.hi ? v : p.hi;
  return int32_t(std::nearbyint(v));
}

float layerNormValue(const LayerNormCodesPlan &p, int32_t d, float r, int64_t i) {
  const float t = float(d) * r;
  const float v = t * p.g[size_t(i)];
  return v + p.b[size_t(i)];
}

}  // namespace edgec::rt::ref

namespace edgec::rt {

void registerRefNormalization(KernelRegistry &r) {
  r.add("Softmax", Isa::Ref, [] { return std::unique_ptr<Kernel>(new ref::RefSoftmax(false)); });
  r.add("LogSoftmax", Isa::Ref, [] { return std::unique_ptr<Kernel>(new ref::RefSoftmax(true)); });
  r.add<ref::RefLayerNormalization>("LayerNormalization", Isa::Ref);
  r.add("LayerNormalization", Isa::Ref, [] { return std::unique_ptr<Kernel>(new ref::RefLayerNormCodes()); },
        ref::isLayerNormCodesCall);
  r.add<ref::RefBatchNormalization>("BatchNormalization", Isa::Ref);
}

}  // namespace edgec::rt
