// Reference quantized Conv, MatMul and Gemm (int8/uint8 operands, int32 accumulation,
// TFLite fixed-point requantization: quant_math.h).
//
// acc = sum (x - zx)(w - zw[c]) + bias[c] in int32 (two's-complement wrap-around, as the
// SIMD kernels' int32 lanes; no overflow is possible while K * 255 * 255 + |bias| < 2^31,
// K <= 33025 for a zero bias), then y = clamp(zy + MBQM(acc, M[c], shift[c]), lo, hi) with
// (M, shift) = quantizeMultiplier(sx * sw[c] / sy) per output channel / column, computed
// in double at prepare, and [lo, hi] the output range narrowed by the fused activation.
// Padding contributes nothing (a padded x equals zx). Shapes and attributes are parsed by
// the float kernels' plans (ref/plans.h) on an f32 twin of the call, so both validate alike.
#include <algorithm>
#include <cmath>
#include <iterator>

#include "ref/plans.h"
#include "ref/quant_linalg.h"
#include "ref/quant_params.h"
#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::ref {
namespace {

using quant::QuantizedMultiplier;
using Int8Types = Types<int8_t, uint8_t>;

// The call with every operand viewed as an unquantized f32 tensor of the same shape.
class FloatTwin {
public:
  explicit FloatTwin(const KernelSignature &sig) {
    views_.reserve(sig.inputs.size() + sig.outputs.size());
    sig_.op = sig.op;
    sig_.node = sig.node;
    sig_.attrs = sig.attrs;
    sig_.input_is_constant = sig.input_is_constant;
    auto twin = [&](const TensorView *v) -> TensorView * {
      if (!v) return nullptr;
      TensorView t;
      t.shape = v->shape;
      t.dtype = DType::f32;
      views_.push_back(t);
      return &views_.back();
    };
    for (const TensorView *v : sig.inputs) sig_.inputs.push_back(twin(v));
    for (const TensorView *v : sig.outputs) sig_.outputs.push_back(twin(v));
  }
  const KernelSignature &sig() const { return sig_; }

private:
  std::vector<TensorView> views_;
  KernelSignature sig_;
};

// Wraps a 64-bit sum to int32 as int32 arithmetic would.
inline int32_t wrap32(int64_t v) { return static_cast<int32_t>(static_cast<uint32_t>(v)); }

// Per output channel (or column) c of `count`: the weight zero point and the multiplier.
struct ChannelRequant {
  std::vector<int32_t> zw;
  std::vector<QuantizedMultiplier> mult;
};
ChannelRequant channelRequant(const KernelSignature &sig, const QuantParams &x, const QuantParams &w,
                              const QuantParams &y, int64_t count) {
  ChannelRequant r;
  for (int64_t c = 0; c < count; ++c) {
    r.zw.push_back(zeroPointAt(w, c));
    r.mult.push_back(requireMultiplier(sig, scaleAt(x, 0) * scaleAt(w, c) / scaleAt(y, 0),
                                       "output channel " + std::to_string(c)));
  }
  return r;
}

// A quantized bias/C: i32, zero points 0, scale sx * sw[c] (relative 1e-6) for every
// channel c, whose index in the bias's own parameters is biasIndex(c).
template <typename IndexFn>
void checkBias(const KernelSignature &sig, const QuantParams &b, const QuantParams &x,
               const QuantParams &w, int64_t count, IndexFn biasIndex, const char *what) {
  for (int32_t z : b.zeroPoints)
    if (z != 0)
      kernelFail(sig, std::string(what) + " zero point " + std::to_string(z) + " must be 0");
  for (int64_t c = 0; c < count; ++c) {
    const double expected = scaleAt(x, 0) * scaleAt(w, c);
    const double actual = scaleAt(b, biasIndex(c));
    if (std::fabs(actual - expected) > 1e-6 * expected)
      kernelFail(sig, std::string(what) + " scale " + std::to_string(actual) + " at channel " +
                          std::to_string(c) + " must be the input's times the weight's (" +
                          std::to_string(expected) + ")");
  }
}

// The parameters of a call whose channels (or columns) are `count`.
QuantLinalgParams params(const KernelSignature &sig, const QuantParams &x, const QuantParams &w,
                         const QuantParams &y, int64_t count, const Activation &act) {
  QuantLinalgParams q;
  q.xt = x.dtype;
  q.wt = w.dtype;
  q.yt = y.dtype;
  q.zx = zeroPointAt(x, 0);
  q.zy = zeroPointAt(y, 0);
  const ChannelRequant ch = channelRequant(sig, x, w, y, count);
  q.zw = ch.zw;
  q.mult = ch.mult;
  q.range = activationRange(act, y);
  return q;
}

template <typename Fn> void dispatch3(DType a, DType b, DType c, Fn &&fn) {
  dispatch(Int8Types{}, a, [&](auto ta) {
    dispatch(Int8Types{}, b, [&](auto tb) {
      dispatch(Int8Types{}, c, [&](auto tc) { fn(ta, tb, tc); });
    });
  });
}

class QuantConv final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    const QuantLinalgParams q = prepareQuantConv(sig, &p_);
    zx_ = q.zx;
    zy_ = q.zy;
    ch_ = {q.zw, q.mult};
    range_ = q.range;
    types_ = {q.xt, q.wt, q.yt};
    residual_ = q.residual;
    add_ = q.add;
    table_ = q.table;
    std::copy(std::begin(q.codes), std::end(q.codes), codes_);

    taps_.init(p_);
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    dispatch3(types_[0], types_[1], types_[2], [&](auto tx, auto tw, auto ty) {
      using X = typename decltype(tx)::type;
      using W = typename decltype(tw)::type;
      using Y = typename decltype(ty)::type;
      const X *x = in[0]->as<X>();
      const W *w = in[1]->as<W>();
      const int32_t *bias = p_.hasBias ? in[2]->as<int32_t>() : nullptr;
      Y *y = out[0]->as<Y>();
      // A fused residual Add: its operand's codes, as int8 or uint8 (q_.add.bt).
      const void *res = residual_ ? in[3]->data : nullptr;
      auto residualCode = [&](int64_t at) {
        return add_.bt == DType::i8 ? int32_t(static_cast<const int8_t *>(res)[at])
                                    : int32_t(static_cast<const uint8_t *>(res)[at]);
      };
      const int64_t cg = p_.inChannels / p_.group, mg = p_.outChannels / p_.group;
      const int64_t work = std::max<int64_t>(1, p_.outSize * cg * p_.kernelSize);
      // Split over (image, output channel) planes; each plane is computed alike on any thread.
      ctx.parallelFor(p_.batch * p_.outChannels, std::max<int64_t>(1, kMinElementsPerThread / work),
                      [&](int64_t begin, int64_t end, int) {
        std::vector<int64_t> taps(p_.kernelSize), pos(p_.kernel.size());
        for (int64_t n = begin / p_.outChannels; n * p_.outChannels < end; ++n) {
          const int64_t mb = std::max(begin - n * p_.outChannels, int64_t(0));
          const int64_t me = std::min(end - n * p_.outChannels, p_.outChannels);
          const X *xn = x + n * p_.inChannels * p_.inSize;
          Y *yn = y + n * p_.outChannels * p_.outSize;
          std::fill(pos.begin(), pos.end(), 0);
          for (int64_t o = 0; o < p_.outSize; ++o) {
            taps_.compute(p_, pos, taps);
            for (int64_t m = mb; m < me; ++m) {
              const int64_t g = m / mg;
              const int32_t zw = ch_.zw[size_t(m)];
              int64_t acc = bias ? bias[m] : 0;
              for (int64_t c = 0; c < cg; ++c) {
                const X *xc = xn + (g * cg + c) * p_.inSize;
                const W *wc = w + (m * cg + c) * p_.kernelSize;
                for (int64_t t = 0; t < p_.kernelSize; ++t)
                  if (taps[t] >= 0)
                    acc += (int32_t(xc[taps[t]]) - zx_) * (int32_t(wc[t]) - zw);
              }
              int32_t code = quant::requantize(wrap32(acc), ch_.mult[size_t(m)], zy_, range_.lo, range_.hi);
              // The quantized Add of the Conv's code and the residual's.
              if (res) code = quantAddCode(add_, code, residualCode((n * p_.outChannels + m) * p_.outSize + o));
              // A fused table: the code's bits index it, its byte is Y's code.
              if (table_) code = int32_t(static_cast<Y>(codes_[uint8_t(code)]));
              yn[m * p_.outSize + o] = static_cast<Y>(code);
            }
            for (size_t d = pos.size(); d-- > 0;) {
              if (++pos[d] < p_.outSpatial[d]) break;
              pos[d] = 0;
            }
          }
        }
      });
    });
  }

private:
  ConvPlan p_;
  int32_t zx_ = 0, zy_ = 0;
  ChannelRequant ch_;
  CodeRange range_;
  std::array<DType, 3> types_{};
  bool residual_ = false;
  QuantBinaryParams add_;
  bool table_ = false;
  uint8_t codes_[256] = {};
  ConvTaps taps_;
};

// One output row: y[j] = requant(sum_p (a[p * aStep] - za)(b(p, j) - zb[j]) + c(j)), with
// b(p, j) = b[p * bRow + j * bCol] and c(j) = c[j * cCol] (null: no C).
template <typename A, typename B, typename Y>
void quantRow(int64_t N, int64_t K, const A *a, int64_t aStep, int32_t za, const B *b, int64_t bRow,
              int64_t bCol, const int32_t *c, int64_t cCol, const ChannelRequant &ch, int32_t zy,
              CodeRange range, std::vector<int64_t> &acc, Y *y) {
  acc.assign(size_t(N), 0);
  for (int64_t p = 0; p < K; ++p) {
    const int32_t av = int32_t(a[p * aStep]) - za;
    const B *br = b + p * bRow;
    for (int64_t j = 0; j < N; ++j) acc[size_t(j)] += av * (int32_t(br[j * bCol]) - ch.zw[size_t(j)]);
  }
  for (int64_t j = 0; j < N; ++j) {
    const int64_t v = acc[size_t(j)] + (c ? c[j * cCol] : 0);
    y[j] = static_cast<Y>(quant::requantize(wrap32(v), ch.mult[size_t(j)], zy, range.lo, range.hi));
  }
}

// Rows of work per thread: at least ~64K multiply-adds each.
int64_t rowGrain(int64_t N, int64_t K) {
  return std::max<int64_t>(1, kMinElementsPerThread / std::max<int64_t>(1, N * K));
}

class QuantMatMul final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    const QuantLinalgParams q = prepareQuantMatMul(sig, &p_);
    za_ = q.zx;
    zy_ = q.zy;
    ch_ = {q.zw, q.mult};
    range_ = q.range;
    types_ = {q.xt, q.wt, q.yt};
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    dispatch3(types_[0], types_[1], types_[2], [&](auto ta, auto tb, auto ty) {
      using A = typename decltype(ta)::type;
      using B = typename decltype(tb)::type;
      using Y = typename decltype(ty)::type;
      const A *a = in[0]->as<A>();
      const B *b = in[1]->as<B>();
      Y *y = out[0]->as<Y>();
      const int64_t rows = static_cast<int64_t>(p_.aOffsets.size()) * p_.M;
      ctx.parallelFor(rows, rowGrain(p_.N, p_.K), [&](int64_t begin, int64_t end, int) {
        std::vector<int64_t> acc;
        for (int64_t r = begin; r < end; ++r) {
          const size_t mat = size_t(r / p_.M);
          const int64_t i = r % p_.M;
          quantRow(p_.N, p_.K, a + p_.aOffsets[mat] + i * p_.K, 1, za_, b + p_.bOffsets[mat], p_.N, 1,
                   nullptr, 0, ch_, zy_, range_, acc, y + r * p_.N);
        }
      });
    });
  }

private:
  MatMulPlan p_;
  int32_t za_ = 0, zy_ = 0;
  ChannelRequant ch_;
  CodeRange range_;
  std::array<DType, 3> types_{};
};

class QuantGemm final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    const QuantLinalgParams q = prepareQuantGemm(sig, &p_);
    hasC_ = p_.hasC;
    za_ = q.zx;
    zy_ = q.zy;
    ch_ = {q.zw, q.mult};
    range_ = q.range;
    types_ = {q.xt, q.wt, q.yt};
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    dispatch3(types_[0], types_[1], types_[2], [&](auto ta, auto tb, auto ty) {
      using A = typename decltype(ta)::type;
      using B = typename decltype(tb)::type;
      using Y = typename decltype(ty)::type;
      const A *a = in[0]->as<A>();
      const B *b = in[1]->as<B>();
      const int32_t *c = hasC_ ? in[2]->as<int32_t>() : nullptr;
      Y *y = out[0]->as<Y>();
      // A is [M, K] or [K, M]; B is [K, N] or [N, K].
      const int64_t aRow = p_.transA ? 1 : p_.K, aCol = p_.transA ? p_.M : 1;
      const int64_t bRow = p_.transB ? 1 : p_.N, bCol = p_.transB ? p_.K : 1;
      ctx.parallelFor(p_.M, rowGrain(p_.N, p_.K), [&](int64_t begin, int64_t end, int) {
        std::vector<int64_t> acc;
        for (int64_t i = begin; i < end; ++i)
          quantRow(p_.N, p_.K, a + i * aRow, aCol, za_, b, bRow, bCol, c ? c + i * p_.cRowStride : nullptr,
                   p_.cColStride, ch_, zy_, range_, acc, y + i * p_.N);
      });
    });
  }

private:
  GemmPlan p_;
  bool hasC_ = false;
  int32_t za_ = 0, zy_ = 0;
  ChannelRequant ch_;
  CodeRange range_;
  std::array<DType, 3> types_{};
};

}  // namespace

QuantLinalgParams prepareQuantConv(const KernelSignature &sig, ConvPlan *plan) {
  const FloatTwin twin(sig);
  // A fourth input is a fused residual Add's operand (parseConv checks its shape).
  const TensorView *r = optionalInput(sig, 3);
  *plan = parseConv(twin.sig(), /*functions=*/r != nullptr);
  const TensorView &x = *sig.inputs[0], &w = *sig.inputs[1], &y = *sig.outputs[0];
  const TensorView *b = optionalInput(sig, 2);
  requireDType(sig, x, Int8Types{}, "a quantized Conv's input");
  requireDType(sig, w, Int8Types{}, "a quantized Conv's weight");
  requireDType(sig, y, Int8Types{}, "a quantized Conv's output");
  const QuantParams px = readQuantParams(sig, x, "X", AxisRule::PerTensor);
  const QuantParams pw = readQuantParams(sig, w, "W", AxisRule::Any, 0);
  const QuantParams py = readQuantParams(sig, y, "Y", AxisRule::PerTensor);
  if (b) {
    requireDType(sig, *b, Types<int32_t>{}, "a quantized Conv's bias");
    const QuantParams pb = readQuantParams(sig, *b, "B", AxisRule::Any, 0);
    checkBias(sig, pb, px, pw, plan->outChannels, [](int64_t c) { return c; }, "bias");
  }
  const bool table = sig.attrs.has("table_ops");
  if (!r && !table) return params(sig, px, pw, py, plan->outChannels, plan->act);
  // The convolution's own codes: Y's dtype, conv_scale and conv_zero_point; then the Add
  // or the table.
  if (r && table) kernelFail(sig, "a quantized Conv takes a residual or a table, not both");
  if (plan->act.enabled)
    kernelFail(sig, std::string("a quantized Conv with a ") + (r ? "residual" : "table") + " takes no activation");
  QuantParams pc = py;
  pc.scales = {sig.attrs.f("conv_scale")};
  pc.zeroPoints = {static_cast<int32_t>(sig.attrs.i("conv_zero_point"))};
  if (!(pc.scales[0] > 0) || !std::isfinite(pc.scales[0]))
    kernelFail(sig, "conv_scale " + std::to_string(pc.scales[0]) + " must be positive and finite");
  if (sig.attrs.i("conv_zero_point") < pc.qmin || sig.attrs.i("conv_zero_point") > pc.qmax)
    kernelFail(sig, "conv_zero_point " + std::to_string(sig.attrs.i("conv_zero_point")) + " is outside Y's range");
  QuantLinalgParams q = params(sig, px, pw, pc, plan->outChannels, plan->act);
  if (table) {
    q.table = true;
    const QuantLutParams t = quantConvTable(sig, pc, py, y.dtype);
    std::copy(std::begin(t.table), std::end(t.table), q.codes);
    return q;
  }
  requireDType(sig, *r, Int8Types{}, "a quantized Conv's residual");
  const QuantParams pr = readQuantParams(sig, *r, "the residual", AxisRule::PerTensor);
  q.residual = true;
  q.add = quantAddParams(sig, pc, pr, py);
  return q;
}

QuantLinalgParams prepareQuantMatMul(const KernelSignature &sig, MatMulPlan *plan) {
  const FloatTwin twin(sig);
  *plan = parseMatMul(twin.sig());
  const TensorView &a = *sig.inputs[0], &b = *sig.inputs[1], &y = *sig.outputs[0];
  requireDType(sig, a, Int8Types{}, "a quantized MatMul's A");
  requireDType(sig, b, Int8Types{}, "a quantized MatMul's B");
  requireDType(sig, y, Int8Types{}, "a quantized MatMul's output");
  const QuantParams pa = readQuantParams(sig, a, "A", AxisRule::PerTensor);
  // Per column of the product: along B's last dim (a 1-D B has no column dim).
  const QuantParams pb = readQuantParams(sig, b, "B", b.rank() >= 2 ? AxisRule::Any : AxisRule::PerTensor,
                                         b.rank() - 1);
  const QuantParams py = readQuantParams(sig, y, "Y", AxisRule::PerTensor);
  return params(sig, pa, pb, py, plan->N, plan->act);
}

QuantLinalgParams prepareQuantGemm(const KernelSignature &sig, GemmPlan *plan) {
  const FloatTwin twin(sig);
  *plan = parseGemm(twin.sig());
  const GemmPlan &p = *plan;
  const TensorView &a = *sig.inputs[0], &b = *sig.inputs[1], &y = *sig.outputs[0];
  const TensorView *c = optionalInput(sig, 2);
  if (p.alpha != 1.f)
    kernelFail(sig, "a quantized Gemm needs alpha = 1, got " + std::to_string(p.alpha) +
                        " (fold it into the output scale)");
  if (c && p.beta != 1.f)
    kernelFail(sig, "a quantized Gemm needs beta = 1, got " + std::to_string(p.beta) +
                        " (fold it into C's scale)");
  requireDType(sig, a, Int8Types{}, "a quantized Gemm's A");
  requireDType(sig, b, Int8Types{}, "a quantized Gemm's B");
  requireDType(sig, y, Int8Types{}, "a quantized Gemm's output");
  const QuantParams pa = readQuantParams(sig, a, "A", AxisRule::PerTensor);
  const QuantParams pb = readQuantParams(sig, b, "B", AxisRule::Any, p.transB ? 0 : 1);
  const QuantParams py = readQuantParams(sig, y, "Y", AxisRule::PerTensor);
  if (c) {
    requireDType(sig, *c, Types<int32_t>{}, "a quantized Gemm's C");
    const QuantParams pc = readQuantParams(sig, *c, "C", AxisRule::Any, c->rank() - 1);
    const bool alongN = pc.perAxis && c->shape.back() == p.N;
    checkBias(sig, pc, pa, pb, p.N, [&](int64_t j) { return alongN ? j : 0; }, "C");
  }
  return params(sig, pa, pb, py, p.N, p.act);
}

}  // namespace edgec::rt::ref

namespace edgec::rt {

void registerRefQuantLinalg(KernelRegistry &r) {
  r.add("Conv", Isa::Ref, [] { return std::unique_ptr<Kernel>(new ref::QuantConv()); }, ref::isQuantizedCall);
  r.add("MatMul", Isa::Ref, [] { return std::unique_ptr<Kernel>(new ref::QuantMatMul()); }, ref::isQuantizedCall);
  r.add("Gemm", Isa::Ref, [] { return std::unique_ptr<Kernel>(new ref::QuantGemm()); }, ref::isQuantizedCall);
}

}  // namespace edgec::rt
