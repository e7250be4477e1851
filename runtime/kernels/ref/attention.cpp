// Reference ScaledDotProductAttention: per batch item, exactly the unfused ref ops'
// arithmetic in their order, so fused ref == unfused ref bit for bit
// (test/runtime/attention_test.cpp):
//   Q' = Q * q_scale (or / q_scale)          as ref Mul/Div: one f32 operation per element
//   K' = K^T * k_scale (or / k_scale)        [D, T]: the Transpose, then the Mul/Div
//   s  = Q' @ K'                             ref MatMul's gemmRef: i-p-j, f32 sums from 0
//   s  = s * scale (or / scale), s + mask    ref Mul/Div, ref Add
//   P  = softmax(s) along T                  ref Softmax: max, e = exp(x - max) in f32,
//                                            the sum in double, e * float(1 / sum)
//   Y  = P @ V                               gemmRef again
// The scores of one batch item live in scratch (S x T floats per thread).
//
// Quantized Q, K or V (per tensor, i8/u8) are first dequantized as ref DequantizeLinear
// does (float(q - zero) * scale), and a quantized result is quantized as ref
// QuantizeLinear does (round half to even of y / scale in f32, + zero, saturated; NaN to
// the zero point): the same bits as DequantizeLinear -> the f32 op -> QuantizeLinear.
#include "ref/attention.h"

#include <climits>
#include <cmath>
#include <limits>
#include <memory>
#include <string>

#include "quant_math.h"
#include "ref/quant_params.h"
#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::ref {

SdpaPlan parseSdpa(const KernelSignature &sig) {
  requireInputCount(sig, 3, 4);
  const TensorView &q = requireInput(sig, 0, "query");
  const TensorView &k = requireInput(sig, 1, "key");
  const TensorView &v = requireInput(sig, 2, "value");
  const TensorView *m = optionalInput(sig, 3);
  const TensorView &y = requireOutput(sig, 0);
  SdpaPlan p;
  auto operand = [&](const TensorView &t, const char *what, SdpaQuant &qp) {
    if (!isQuantized(t)) {
      requireDType(sig, t, Types<float>{}, "ScaledDotProductAttention");
      return;
    }
    requireDType(sig, t, Types<int8_t, uint8_t>{}, "ScaledDotProductAttention's quantized tensors");
    const QuantParams params = readQuantParams(sig, t, what, AxisRule::PerTensor);
    qp.on = true;
    qp.u8 = t.dtype == DType::u8;
    qp.scale = params.scales[0];
    qp.zero = params.zeroPoints[0];
    qp.qmin = params.qmin;
    qp.qmax = params.qmax;
  };
  operand(q, "query", p.qQuant);
  operand(k, "key", p.kQuant);
  operand(v, "value", p.vQuant);
  operand(y, "output", p.yQuant);
  if (m) requireDType(sig, *m, Types<float>{}, "ScaledDotProductAttention's mask");
  const int r = q.rank();
  if (r < 2 || k.rank() != r || v.rank() != r)
    kernelFail(sig, "query, key and value must be [B..., S, D], [B..., T, D] and [B..., T, Dv], got " +
                        shapeStr(q.shape) + ", " + shapeStr(k.shape) + " and " + shapeStr(v.shape));
  const std::vector<int64_t> batch(q.shape.begin(), q.shape.end() - 2);
  for (const TensorView *t : {&k, &v})
    if (!std::equal(batch.begin(), batch.end(), t->shape.begin()))
      kernelFail(sig, "query, key and value must have the same batch dims, got " + shapeStr(q.shape) + ", " +
                          shapeStr(k.shape) + " and " + shapeStr(v.shape));
  p.keyTransposed = sig.attrs.i("key_transposed", 0) != 0;
  p.qScale = sig.attrs.f("q_scale", 1.f);
  p.kScale = sig.attrs.f("k_scale", 1.f);
  p.scale = sig.attrs.f("scale", 1.f);
  p.qDivide = sig.attrs.i("q_divide", 0) != 0;
  p.kDivide = sig.attrs.i("k_divide", 0) != 0;
  p.scaleDivide = sig.attrs.i("scale_divide", 0) != 0;
  p.batch = product(batch);
  p.S = q.shape[r - 2];
  p.D = q.shape[r - 1];
  p.T = p.keyTransposed ? k.shape[r - 1] : k.shape[r - 2];
  const int64_t kd = p.keyTransposed ? k.shape[r - 2] : k.shape[r - 1];
  p.Dv = v.shape[r - 1];
  if (kd != p.D || v.shape[r - 2] != p.T)
    kernelFail(sig, "key " + shapeStr(k.shape) + (p.keyTransposed ? " (transposed)" : "") + " and value " +
                        shapeStr(v.shape) + " do not fit the query " + shapeStr(q.shape));
  p.integer = sig.attrs.i("integer", 0) != 0;
  if (p.integer) {
    if (!p.qQuant.on || !p.kQuant.on || !p.vQuant.on)
      kernelFail(sig, "integer = 1 needs quantized query, key and value");
    // |sum of D products of codes| and |sum of T products| stay far inside int32 (the x86
    // kernels' bounds: see x86/attention_q8_driver.inc).
    if (p.D > 4096 || p.T > 32768)
      kernelFail(sig, "integer = 1 supports head sizes up to 4096 and up to 32768 keys, got D " +
                          std::to_string(p.D) + ", T " + std::to_string(p.T));
    auto factor = [](float x, bool divide) { return divide ? 1.0 / double(x) : double(x); };
    const double c = double(p.qQuant.scale) * double(p.kQuant.scale) * factor(p.qScale, p.qDivide) *
                     factor(p.kScale, p.kDivide) * factor(p.scale, p.scaleDivide);
    if (!(c > 0.0) || !std::isfinite(float(c)) || float(c) == 0.f)
      kernelFail(sig, "integer = 1 needs a positive finite product of the scales and scale steps");
    p.intScale = float(c);
    p.intScaleLog2 = float(c * 1.4426950408889634);
    p.outFactor = p.yQuant.on ? float(double(p.vQuant.scale) / double(p.yQuant.scale)) : p.vQuant.scale;
  }
  std::vector<int64_t> scores = batch, out = batch;
  scores.insert(scores.end(), {p.S, p.T});
  out.insert(out.end(), {p.S, p.Dv});
  requireShape(sig, y, out, "output");
  if (m) {
    if (!broadcastsTo(m->shape, scores))
      kernelFail(sig, "mask " + shapeStr(m->shape) + " does not broadcast to the scores " + shapeStr(scores));
    p.hasMask = true;
    const std::vector<int64_t> st = broadcastStrides(m->shape, scores);
    p.maskRowStride = st[size_t(r - 2)];
    p.maskColStride = st[size_t(r - 1)];
    p.maskOffsets.assign(size_t(p.batch), 0);
    for (int64_t b = 0; b < p.batch; ++b) {  // b in row-major order over the batch dims
      int64_t rest = b, off = 0;
      for (int d = r - 3; d >= 0; --d) {
        off += rest % batch[size_t(d)] * st[size_t(d)];
        rest /= batch[size_t(d)];
      }
      p.maskOffsets[size_t(b)] = off;
    }
  }
  return p;
}

SdpaPlan::~SdpaPlan() = default;

void parseSdpaInto(const KernelSignature &sig, SdpaPlan *p) { *p = parseSdpa(sig); }

int32_t sdpaExpCode(float t) {
  t = t >= kSdpaExpFloor ? t : kSdpaExpFloor;  // NaN too
  const float n = std::nearbyint(t);          // ties to even (the default rounding mode)
  const float f = t - n;
  const float p = std::fma(std::fma(std::fma(kSdpaExpC3, f, kSdpaExpC2), f, kSdpaExpC1), f, 255.f);
  const int32_t e = static_cast<int32_t>(std::nearbyint(std::ldexp(p, static_cast<int>(n))));
  return e < 255 ? e : 255;
}

namespace {

// ref MatMul's gemmRef (ref/linalg.cpp) for contiguous operands: y[M, N] = a[M, K] b[K, N],
// i-p-j order, each row's sums from 0.
void gemmRows(int64_t M, int64_t N, int64_t K, const float *a, const float *b, float *y) {
  for (int64_t i = 0; i < M; ++i) {
    float *yr = y + i * N;
    std::fill(yr, yr + N, 0.f);
    for (int64_t p = 0; p < K; ++p) {
      const float av = a[i * K + p];
      const float *br = b + p * N;
      for (int64_t j = 0; j < N; ++j) yr[j] += av * br[j];
    }
  }
}

inline float scaleStep(float x, float c, bool divide) { return divide ? x / c : x * c; }

// n elements of tensor `t` from element `offset` as f32: a quantized tensor
// dequantized into `buf` (ref DequantizeLinear), an f32 one in place.
const float *floats(const TensorView &t, const SdpaQuant &qp, int64_t offset, int64_t n, float *buf) {
  if (!qp.on) return t.as<float>() + offset;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t c = qp.u8 ? int64_t(t.as<uint8_t>()[offset + i]) : int64_t(t.as<int8_t>()[offset + i]);
    buf[i] = static_cast<float>(c - qp.zero) * qp.scale;
  }
  return buf;
}

class RefScaledDotProductAttention final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override { p_ = parseSdpa(sig); }

  // Q' [S, D], K [T, D] (dequantized, when quantized), K'^T [D, T], scores [S, T], V [T,
  // Dv] (dequantized) and Y [S, Dv] (before quantizing).
  size_t scratchBytes() const override {
    return size_t(p_.S * p_.D + p_.T * p_.D + p_.D * p_.T + p_.S * p_.T + p_.T * p_.Dv + p_.S * p_.Dv) *
           sizeof(float);
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const float *mask = p_.hasMask ? in[3]->as<float>() : nullptr;
    // Batch items are independent and each is computed the same way on any thread.
    ctx.parallelFor(p_.batch, 1, [&](int64_t b0, int64_t b1, int thread) {
      float *scratch = static_cast<float *>(ctx.threadScratch(thread));
      for (int64_t b = b0; b < b1; ++b) item(b, *in[0], *in[1], *in[2], mask, *out[0], scratch);
    });
  }

private:
  void item(int64_t b, const TensorView &qt, const TensorView &kt_, const TensorView &vt, const float *mask,
            TensorView &yt, float *scratch) const {
    const int64_t S = p_.S, T = p_.T, D = p_.D, Dv = p_.Dv;
    float *qs = scratch, *kd = qs + S * D, *kt = kd + T * D, *s = kt + D * T, *vd = s + S * T, *yd = vd + T * Dv;
    const float *qb = floats(qt, p_.qQuant, b * S * D, S * D, qs);
    const float *kb = floats(kt_, p_.kQuant, b * T * D, T * D, kd);
    if (p_.qScaled()) {
      for (int64_t i = 0; i < S * D; ++i) qs[i] = scaleStep(qb[i], p_.qScale, p_.qDivide);
      qb = qs;
    }
    for (int64_t d = 0; d < D; ++d)
      for (int64_t t = 0; t < T; ++t) {
        const float x = p_.keyTransposed ? kb[d * T + t] : kb[t * D + d];
        kt[d * T + t] = p_.kScaled() ? scaleStep(x, p_.kScale, p_.kDivide) : x;
      }
    gemmRows(S, T, D, qb, kt, s);
    for (int64_t i = 0; i < S; ++i) {
      float *row = s + i * T;
      if (p_.scoresScaled())
        for (int64_t t = 0; t < T; ++t) row[t] = scaleStep(row[t], p_.scale, p_.scaleDivide);
      if (mask) {
        const float *mr = mask + p_.maskOffsets[size_t(b)] + i * p_.maskRowStride;
        for (int64_t t = 0; t < T; ++t) row[t] = row[t] + mr[t * p_.maskColStride];
      }
      // ref Softmax (ref/normalization.cpp), one row.
      float mx = -std::numeric_limits<float>::infinity();
      for (int64_t t = 0; t < T; ++t) mx = std::max(mx, row[t]);
      double sum = 0;
      for (int64_t t = 0; t < T; ++t) {
        const float e = std::exp(row[t] - mx);
        row[t] = e;
        sum += e;
      }
      const float inv = static_cast<float>(1.0 / sum);
      for (int64_t t = 0; t < T; ++t) row[t] *= inv;
    }
    const float *vb = floats(vt, p_.vQuant, b * T * Dv, T * Dv, vd);
    if (!p_.yQuant.on) {
      gemmRows(S, Dv, T, s, vb, yt.as<float>() + b * S * Dv);
      return;
    }
    gemmRows(S, Dv, T, s, vb, yd);
    const SdpaQuant &o = p_.yQuant;
    for (int64_t i = 0; i < S * Dv; ++i) {  // ref QuantizeLinear
      const float x = yd[i] / o.scale;
      int32_t c = o.zero;
      if (!std::isnan(x)) {
        const double r = quant::roundHalfEven(x) + o.zero;
        c = r <= o.qmin ? o.qmin : r >= o.qmax ? o.qmax : int32_t(r);
      }
      if (o.u8) yt.as<uint8_t>()[b * S * Dv + i] = static_cast<uint8_t>(c);
      else yt.as<int8_t>()[b * S * Dv + i] = static_cast<int8_t>(c);
    }
  }

  SdpaPlan p_;
};

// The integer path (integer = 1; the x86 kernels give the same bits, x86/attention_q8_driver.inc):
//   s_j  = sum_d (q_d - zq)(k_jd - zk)         exact integers
//   d_j  = s_j - max_j s_j                      <= 0 (invariant to a constant added to a row)
//   t_j  = float(d_j) * intScaleLog2            no mask
//   u_j  = float(d_j) * intScale + mask_j       with a mask, then t_j = (u_j - max_j u_j) * log2(e)
//   e_j  = sdpaExpCode(t_j)                     0..255, 255 at the row's maximum
//   y_c  = float(sum_j e_j (v_jc - zv)) * (outFactor / float(sum_j e_j))
// then a quantized result: round half to even, + zero, saturated (NaN: the zero point). The
// probabilities are e_j / sum e: the max 255, the others to 1/255 of it; a row whose e are
// all 0 (masked entirely) gives NaN (f32) or the zero point, as the float path.
class RefIntegerAttention final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override { p_ = parseSdpa(sig); }

  size_t scratchBytes() const override { return size_t(p_.T) * (sizeof(int64_t) + sizeof(float) + sizeof(int32_t)); }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const float *mask = p_.hasMask ? in[3]->as<float>() : nullptr;
    ctx.parallelFor(p_.batch * p_.S, 1, [&](int64_t r0, int64_t r1, int thread) {
      char *scratch = static_cast<char *>(ctx.threadScratch(thread));
      for (int64_t r = r0; r < r1; ++r) row(r / p_.S, r % p_.S, *in[0], *in[1], *in[2], mask, *out[0], scratch);
    });
  }

private:
  static int32_t code(const TensorView &t, const SdpaQuant &qp, int64_t i) {
    return (qp.u8 ? int32_t(t.as<uint8_t>()[i]) : int32_t(t.as<int8_t>()[i])) - qp.zero;
  }

  void row(int64_t b, int64_t i, const TensorView &qt, const TensorView &kt, const TensorView &vt, const float *mask,
           TensorView &yt, char *scratch) const {
    const int64_t T = p_.T, D = p_.D, Dv = p_.Dv;
    int64_t *s = reinterpret_cast<int64_t *>(scratch);
    float *u = reinterpret_cast<float *>(s + T);
    int32_t *e = reinterpret_cast<int32_t *>(u + T);
    int64_t mx = INT64_MIN;
    for (int64_t j = 0; j < T; ++j) {
      int64_t acc = 0;
      for (int64_t d = 0; d < D; ++d) {
        const int64_t ki = p_.keyTransposed ? (b * D + d) * T + j : (b * T + j) * D + d;
        acc += int64_t(code(qt, p_.qQuant, (b * p_.S + i) * D + d)) * code(kt, p_.kQuant, ki);
      }
      s[j] = acc;
      mx = std::max(mx, acc);
    }
    int64_t sum = 0;
    if (mask) {
      const float *mr = mask + p_.maskOffsets[size_t(b)] + i * p_.maskRowStride;
      float umax = -std::numeric_limits<float>::infinity();
      for (int64_t j = 0; j < T; ++j) {
        u[j] = static_cast<float>(int32_t(s[j] - mx)) * p_.intScale + mr[j * p_.maskColStride];
        if (u[j] > umax) umax = u[j];  // NaN never taken
      }
      for (int64_t j = 0; j < T; ++j) sum += e[j] = sdpaExpCode((u[j] - umax) * kSdpaLog2e);
    } else {
      for (int64_t j = 0; j < T; ++j) sum += e[j] = sdpaExpCode(static_cast<float>(int32_t(s[j] - mx)) * p_.intScaleLog2);
    }
    const float r = p_.outFactor / static_cast<float>(sum);
    const SdpaQuant &o = p_.yQuant;
    for (int64_t c = 0; c < Dv; ++c) {
      int64_t acc = 0;
      for (int64_t j = 0; j < T; ++j) acc += int64_t(e[j]) * code(vt, p_.vQuant, (b * T + j) * Dv + c);
      const float y = static_cast<float>(int32_t(acc)) * r;
      const int64_t at = (b * p_.S + i) * Dv + c;
      if (!o.on) {
        yt.as<float>()[at] = y;
        continue;
      }
      int32_t q = o.zero;
      if (!std::isnan(y)) {
        const double rq = quant::roundHalfEven(y) + o.zero;
        q = rq <= o.qmin ? o.qmin : rq >= o.qmax ? o.qmax : int32_t(rq);
      }
      if (o.u8) yt.as<uint8_t>()[at] = static_cast<uint8_t>(q);
      else yt.as<int8_t>()[at] = static_cast<int8_t>(q);
    }
  }

  SdpaPlan p_;
};

// The quantized and f32 paths in one op: integer = 1 runs the integer kernel.
class RefSdpaDispatch final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    if (sig.attrs.i("integer", 0) != 0) impl_ = std::make_unique<RefIntegerAttention>();
    else impl_ = std::make_unique<RefScaledDotProductAttention>();
    impl_->prepare(sig);
  }
  size_t scratchBytes() const override { return impl_->scratchBytes(); }
  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    impl_->run(ctx, in, out);
  }

private:
  std::unique_ptr<Kernel> impl_;
};

}  // namespace
}  // namespace edgec::rt::ref

namespace edgec::rt {
void registerRefAttention(KernelRegistry &r) {
  r.add<ref::RefSdpaDispatch>("ScaledDotProductAttention", Isa::Ref);
}
}  // namespace edgec::rt
