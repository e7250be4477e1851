// Reference quantized elementwise kernels (int8/uint8, per-tensor): Add and Sub with
// TFLite's int8 Add algorithm, Mul, and the unary ops through a 256-entry table built at
// prepare (which makes every ISA's version bit-identical by construction).
#include <cmath>

#include "ref/fused_elementwise.h"
#include "ref/quant_elementwise.h"
#include "ref/quant_params.h"
#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::ref {
namespace {

using quant::QuantizedMultiplier;
using Int8Types = Types<int8_t, uint8_t>;

template <typename Fn> void dispatch3(DType a, DType b, DType c, Fn &&fn) {
  dispatch(Int8Types{}, a, [&](auto ta) {
    dispatch(Int8Types{}, b, [&](auto tb) {
      dispatch(Int8Types{}, c, [&](auto tc) { fn(ta, tb, tc); });
    });
  });
}

// ---- Add, Sub, Mul ----

enum class QuantBinaryOp { Add, Sub, Mul };

// Add/Sub (TFLite's int8 Add): both inputs are brought to a common scale 2 * max(sa, sb)
// with 20 bits of headroom, a' = MBQM((a - za) * 2^20, sa / (2 max)), likewise b', then
// y = clamp(zy + MBQM(a' +- b', 2 max / (2^20 sy))).
// Mul: y = clamp(zy + MBQM((a - za)(b - zb), sa sb / sy)).
class QuantBinary final : public Kernel {
public:
  explicit QuantBinary(QuantBinaryOp op) : op_(op) {}

  void prepare(const KernelSignature &sig) override {
    const QuantBinaryParams p = prepareQuantBinary(sig);
    p_ = p;
    loop_ = broadcastLoop<3>(sig, {sig.inputs[0], sig.inputs[1]});
    za_ = p.za;
    zb_ = p.zb;
    zy_ = p.zy;
    lo_ = p.lo;
    hi_ = p.hi;
    ma_ = p.ma;
    mb_ = p.mb;
    out_ = p.out;
    types_ = {p.at, p.bt, p.yt};
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
      const int32_t za = za_, zb = zb_, zy = zy_, lo = lo_, hi = hi_;
      const QuantizedMultiplier ma = ma_, mb = mb_, mo = out_;
      parallelLoop(ctx, loop_, [&](const StridedLoop<3> &part) {
        switch (op_) {
        case QuantBinaryOp::Add:
        case QuantBinaryOp::Sub: {
          const bool sub = op_ == QuantBinaryOp::Sub;
          if (!sub) {
            binaryLoop(part, y, a, b, [&](A u, B v) { return static_cast<Y>(quantAddCode(p_, u, v)); });
            break;
          }
          binaryLoop(part, y, a, b, [&](A u, B v) {
            const int32_t su = quant::multiplyByQuantizedMultiplier((int32_t(u) - za) * (1 << kLeftShift), ma);
            const int32_t sv = quant::multiplyByQuantizedMultiplier((int32_t(v) - zb) * (1 << kLeftShift), mb);
            return static_cast<Y>(quant::requantize(sub ? su - sv : su + sv, mo, zy, lo, hi));
          });
          break;
        }
        case QuantBinaryOp::Mul:
          binaryLoop(part, y, a, b, [&](A u, B v) {
            return static_cast<Y>(quant::requantize((int32_t(u) - za) * (int32_t(v) - zb), mo, zy, lo, hi));
          });
          break;
        }
      });
    });
  }

private:
  static constexpr int kLeftShift = QuantBinaryParams::kLeftShift;
  QuantBinaryOp op_;
  QuantBinaryParams p_;
  StridedLoop<3> loop_;
  int32_t za_ = 0, zb_ = 0, zy_ = 0, lo_ = 0, hi_ = 0;
  QuantizedMultiplier ma_, mb_, out_;
  std::array<DType, 3> types_{};
};

// ---- unary ops through a table ----

enum class LutOp {
  Relu, Clip, LeakyRelu, Elu, Selu, HardSigmoid, HardSwish, Sigmoid, Tanh, Exp, Erf, Softplus,
  Softsign, Neg, Abs
};

// The real function, in double, with the float kernels' formulas (ref/elementwise.cpp,
// ref/unary_math.cpp). Clip is the identity here: its bounds clamp the codes at run time.
double lutFunction(LutOp op, double v, double alpha, double beta, double gamma) {
  switch (op) {
  case LutOp::Relu: return v > 0 ? v : 0.0;
  case LutOp::Clip: return v;
  case LutOp::LeakyRelu: return v < 0 ? alpha * v : v;
  case LutOp::Elu: return v < 0 ? alpha * std::expm1(v) : v;
  case LutOp::Selu: return gamma * (v <= 0 ? alpha * std::expm1(v) : v);
  case LutOp::HardSigmoid: return std::min(1.0, std::max(0.0, alpha * v + beta));
  case LutOp::HardSwish: return v * std::min(1.0, std::max(0.0, v * (1.0 / 6.0) + 0.5));
  case LutOp::Sigmoid: return 1.0 / (1.0 + std::exp(-v));
  case LutOp::Tanh: return std::tanh(v);
  case LutOp::Exp: return std::exp(v);
  case LutOp::Erf: return std::erf(v);
  case LutOp::Softplus: return v > 0 ? v + std::log1p(std::exp(-v)) : std::log1p(std::exp(v));
  case LutOp::Softsign: return v / (1.0 + std::fabs(v));
  case LutOp::Neg: return -v;
  case LutOp::Abs: return std::fabs(v);
  }
  return v;
}

// Runs prepareQuantLut's table: y = table[x], then Clip's run-time bounds (quantLutCodeRange)
// clamp the code.
class QuantLut final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override { p_ = prepareQuantLut(sig); }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    int32_t lo = 0, hi = 0;
    quantLutCodeRange(p_, in, lo, hi);
    dispatch(Int8Types{}, p_.xt, [&](auto tx) {
      dispatch(Int8Types{}, p_.yt, [&](auto ty) {
        using X = typename decltype(tx)::type;
        using Y = typename decltype(ty)::type;
        const X *x = in[0]->as<X>();
        Y *y = out[0]->as<Y>();
        const uint8_t *table = p_.table;
        parallelRange(ctx, in[0]->numel(), [&](int64_t b, int64_t e) {
          for (int64_t i = b; i < e; ++i) {
            const int32_t v = static_cast<Y>(table[uint8_t(x[i])]);
            // min(max(v, lo), hi): lo > hi gives hi everywhere, as ONNX Clip.
            y[i] = static_cast<Y>(std::min(std::max(v, lo), hi));
          }
        });
      });
    });
  }

private:
  QuantLutParams p_;
};

// The table ops: ONNX name, function, required attributes.
struct LutEntry {
  const char *name;
  LutOp op;
  const char *attrs[2];
};
const LutEntry kLutOps[] = {
    {"Relu", LutOp::Relu, {}},
    {"Clip", LutOp::Clip, {}},
    {"LeakyRelu", LutOp::LeakyRelu, {"alpha"}},
    {"Elu", LutOp::Elu, {"alpha"}},
    {"Selu", LutOp::Selu, {"alpha", "gamma"}},
    {"HardSigmoid", LutOp::HardSigmoid, {"alpha", "beta"}},
    {"HardSwish", LutOp::HardSwish, {}},
    {"Sigmoid", LutOp::Sigmoid, {}},
    {"Tanh", LutOp::Tanh, {}},
    {"Exp", LutOp::Exp, {}},
    {"Erf", LutOp::Erf, {}},
    {"Softplus", LutOp::Softplus, {}},
    {"Softsign", LutOp::Softsign, {}},
    {"Neg", LutOp::Neg, {}},
    {"Abs", LutOp::Abs, {}},
};

}  // namespace

// For every input code q (parameters px, dtype xt) what ref DequantizeLinear, the f32
// program (registers 1.. the scalars) and ref QuantizeLinear to py (dtype yt) give: x =
// f32(q - zx) * sx, the ref kernel's f32 steps, then f32 y / sy, round half to even,
// saturate, NaN -> zy.
static QuantLutParams programTable(const std::vector<FusedStep> &steps, int numInputs, const float *scalars,
                                   const QuantParams &px, const QuantParams &py, DType xt, DType yt) {
  float real[256], out[256];
  const int32_t n = px.qmax - px.qmin + 1;
  for (int32_t q = px.qmin; q <= px.qmax; ++q)
    real[q - px.qmin] = static_cast<float>(int64_t(q) - px.zeroPoints[0]) * px.scales[0];
  evalFusedProgram(steps, numInputs, real, scalars, out, n);
  QuantLutParams p;
  for (int32_t q = px.qmin; q <= px.qmax; ++q) {
    const float t = out[q - px.qmin] / py.scales[0];
    int32_t code = py.zeroPoints[0];
    if (!std::isnan(t)) {
      const double v = quant::roundHalfEven(t) + py.zeroPoints[0];
      code = v <= py.qmin ? py.qmin : v >= py.qmax ? py.qmax : int32_t(v);
    }
    p.table[uint8_t(q)] = uint8_t(code);
  }
  p.sy = py.scales[0];
  p.zy = py.zeroPoints[0];
  p.qmin = py.qmin;
  p.qmax = py.qmax;
  p.boundCount = 0;
  p.xt = xt;
  p.yt = yt;
  return p;
}

// A quantized FusedElementwise (edge-fuse-elementwise's fold of DequantizeLinear ->
// FusedElementwise -> QuantizeLinear): input 0 and Y per-tensor i8/u8, the other inputs
// f32 constants of one element; the table holds what the three ops give (programTable).
static QuantLutParams prepareQuantFusedTable(const KernelSignature &sig) {
  const TensorView &x = requireInput(sig, 0, "X");
  const TensorView &y = requireOutput(sig, 0);
  if (sig.inputs.size() > size_t(FusedElementwisePlan::kMaxInputs))
    kernelFail(sig, "takes 1 to " + std::to_string(FusedElementwisePlan::kMaxInputs) + " inputs");
  requireDType(sig, x, Int8Types{}, "a quantized FusedElementwise's input 0");
  requireDType(sig, y, Int8Types{}, "a quantized FusedElementwise's output");
  requireShape(sig, y, x.shape, "output");
  std::vector<float> scalars;
  for (size_t i = 1; i < sig.inputs.size(); ++i) {
    const TensorView &c = requireInput(sig, i, "X");
    const bool constant = i < sig.input_is_constant.size() && sig.input_is_constant[i] && c.data;
    if (c.dtype != DType::f32 || c.numel() != 1 || !constant)
      kernelFail(sig, "a quantized FusedElementwise's input " + std::to_string(i) +
                          " must be an f32 constant of one element");
    scalars.push_back(*c.as<float>());
  }
  const std::vector<FusedStep> steps = fusedProgram(sig, int(sig.inputs.size()));
  const QuantParams px = readQuantParams(sig, x, "X", AxisRule::PerTensor);
  const QuantParams py = readQuantParams(sig, y, "Y", AxisRule::PerTensor);
  return programTable(steps, int(sig.inputs.size()), scalars.data(), px, py, x.dtype, y.dtype);
}

QuantLutParams quantConvTable(const KernelSignature &sig, const QuantParams &own, const QuantParams &y, DType yt) {
  // One register, the Conv's code: fusedProgram refuses a step that reads any other input.
  const std::vector<FusedStep> steps = fusedProgram(sig, 1, "table_");
  return programTable(steps, 1, nullptr, own, y, yt, yt);
}

std::vector<const char *> quantLutOpNames() {
  std::vector<const char *> names;
  for (const LutEntry &e : kLutOps) names.push_back(e.name);
  names.push_back("FusedElementwise");  // the quantized table (prepareQuantFusedTable)
  return names;
}

// For every input code q: y = clamp(zy + roundHalfAwayFromZero(f((q - zx) sx) / sy)), all
// in double. Clip's optional min/max (scalars: f32 real values, or of X's dtype, then
// codes of their own quantization or else of X's) are read at run time and clamp the
// table's codes: rounding is monotone, so that equals quantizing min(max(x, lo), hi).
QuantLutParams prepareQuantLut(const KernelSignature &sig) {
  if (sig.op == "FusedElementwise") return prepareQuantFusedTable(sig);
  const LutEntry *entry = nullptr;
  for (const LutEntry &e : kLutOps)
    if (sig.op == e.name) entry = &e;
  if (!entry) kernelFail(sig, "not a quantized table op");
  const LutOp op = entry->op;
  requireInputCount(sig, 1, op == LutOp::Clip ? 3 : 1);
  const TensorView &x = requireInput(sig, 0, "X");
  const TensorView &y = requireOutput(sig, 0);
  const std::string what = "a quantized " + sig.op + "'s ";
  requireDType(sig, x, Int8Types{}, (what + "input").c_str());
  requireDType(sig, y, Int8Types{}, (what + "output").c_str());
  requireShape(sig, y, x.shape, "output");
  for (const char *name : entry->attrs)
    if (name && !sig.attrs.has(name)) kernelFail(sig, std::string("missing attribute '") + name + "'");
  const double alpha = sig.attrs.f("alpha", 0.f), beta = sig.attrs.f("beta", 0.f);
  const double gamma = sig.attrs.f("gamma", 0.f);
  const QuantParams px = readQuantParams(sig, x, "X", AxisRule::PerTensor);
  const QuantParams py = readQuantParams(sig, y, "Y", AxisRule::PerTensor);
  QuantLutParams p;
  const double sx = px.scales[0], sy = py.scales[0];
  for (int32_t q = px.qmin; q <= px.qmax; ++q) {
    const double v = lutFunction(op, (q - px.zeroPoints[0]) * sx, alpha, beta, gamma);
    p.table[uint8_t(q)] = uint8_t(quant::quantizeRealHalfAway(v, sy, py.zeroPoints[0], py.qmin, py.qmax));
  }
  p.sy = py.scales[0];
  p.zy = py.zeroPoints[0];
  p.qmin = py.qmin;
  p.qmax = py.qmax;
  p.boundCount = int(sig.inputs.size()) - 1;
  for (size_t i = 1; i < sig.inputs.size(); ++i) {
    QuantLutParams::Bound &bound = p.bounds[i - 1];
    if (const TensorView *t = sig.inputs[i]) {
      if (t->numel() != 1) kernelFail(sig, "min and max must be scalars");
      if (t->dtype != DType::f32 && t->dtype != x.dtype)
        kernelFail(sig, std::string("min and max of a quantized Clip must be f32 (real values) or ") +
                            dtypeName(x.dtype) + " (codes), not " + dtypeName(t->dtype));
      bound.present = true;
      bound.dtype = t->dtype;
      const QuantParams bp = t->dtype == DType::f32 ? px
                             : isQuantized(*t)     ? readQuantParams(sig, *t, i == 1 ? "min" : "max", AxisRule::PerTensor)
                                                   : px;
      bound.scale = bp.scales[0];
      bound.zeroPoint = bp.zeroPoints[0];
    }
  }
  p.xt = x.dtype;
  p.yt = y.dtype;
  return p;
}

void quantLutCodeRange(const QuantLutParams &p, const std::vector<const TensorView *> &in, int32_t &lo,
                       int32_t &hi) {
  lo = p.qmin;
  hi = p.qmax;
  for (int i = 0; i < p.boundCount; ++i) {
    const QuantLutParams::Bound &b = p.bounds[i];
    const TensorView *t = size_t(i) + 1 < in.size() ? in[size_t(i) + 1] : nullptr;
    if (!b.present || !t || !t->data) continue;
    double real;
    if (b.dtype == DType::f32) {
      real = *t->as<float>();
    } else {
      const int32_t q = b.dtype == DType::i8 ? int32_t(*t->as<int8_t>()) : int32_t(*t->as<uint8_t>());
      real = (q - b.zeroPoint) * double(b.scale);
    }
    if (std::isnan(real)) continue;  // a NaN bound clamps nothing, as in the float Clip
    const int32_t code = quant::quantizeRealHalfAway(real, p.sy, p.zy, p.qmin, p.qmax);
    if (i == 0) lo = code; else hi = code;
  }
}

QuantMulLayout quantMulLayout(const KernelSignature &sig) {
  QuantMulLayout l;
  if (sig.inputs.size() != 2 || sig.outputs.size() != 1 || !sig.inputs[0] || !sig.inputs[1] || !sig.outputs[0])
    return l;
  const std::vector<int64_t> &y = sig.outputs[0]->shape;
  const size_t rank = y.size();
  // Operand dim d right-aligned against y (1 where it has no such dim).
  auto dim = [&](const std::vector<int64_t> &s, size_t d) { return d + s.size() < rank ? 1 : s[d + s.size() - rank]; };
  auto full = [&](const std::vector<int64_t> &s) {
    if (s.size() > rank) return false;
    for (size_t d = 0; d < rank; ++d)
      if (dim(s, d) != y[d]) return false;
    return true;
  };
  // The k with s = y[0..k) followed by 1s, or -1.
  auto row = [&](const std::vector<int64_t> &s) -> int {
    if (s.size() > rank) return -1;
    size_t k = rank;
    while (k > 0 && dim(s, k - 1) == 1) --k;
    for (size_t d = 0; d < k; ++d)
      if (dim(s, d) != y[d]) return -1;
    return int(k);
  };
  const std::vector<int64_t> &a = sig.inputs[0]->shape, &b = sig.inputs[1]->shape;
  int k = -1;
  if (full(a) && full(b)) {
    l.rowOperand = -1;
    k = int(rank);
  } else if (full(a) && (k = row(b)) >= 0) {
    l.rowOperand = 1;
  } else if (full(b) && (k = row(a)) >= 0) {
    l.rowOperand = 0;
  } else {
    return l;
  }
  l.outer = 1;
  l.inner = 1;
  for (size_t d = 0; d < rank; ++d) (int(d) < k ? l.outer : l.inner) *= y[d];
  l.ok = true;
  return l;
}

QuantMulLayout prepareQuantMulLayout(const KernelSignature &sig) {
  const QuantMulLayout l = quantMulLayout(sig);
  if (!l.ok)
    kernelFail(sig, "this implementation takes operands of the output's shape, or one of them constant "
                    "along the innermost dims (e.g. [N, C, 1, 1] against [N, C, H, W]) only");
  return l;
}

QuantBinaryParams prepareQuantBinary(const KernelSignature &sig, bool sameShape) {
  requireInputCount(sig, 2, 2);
  const TensorView &a = requireInput(sig, 0, "A");
  const TensorView &b = requireInput(sig, 1, "B");
  const TensorView &y = requireOutput(sig, 0);
  const std::string what = "a quantized " + sig.op + "'s ";
  requireDType(sig, a, Int8Types{}, (what + "A").c_str());
  requireDType(sig, b, Int8Types{}, (what + "B").c_str());
  requireDType(sig, y, Int8Types{}, (what + "output").c_str());
  const QuantParams pa = readQuantParams(sig, a, "A", AxisRule::PerTensor);
  const QuantParams pb = readQuantParams(sig, b, "B", AxisRule::PerTensor);
  const QuantParams py = readQuantParams(sig, y, "Y", AxisRule::PerTensor);
  QuantBinaryParams p;
  if (sig.op == "Mul") {
    p.za = pa.zeroPoints[0];
    p.zb = pb.zeroPoints[0];
    p.zy = py.zeroPoints[0];
    p.lo = py.qmin;
    p.hi = py.qmax;
    p.out = requireMultiplier(sig, double(pa.scales[0]) * pb.scales[0] / py.scales[0], "output");
  } else {
    p = quantAddParams(sig, pa, pb, py);
  }
  if (sameShape && (a.shape != y.shape || b.shape != y.shape))
    kernelFail(sig, "this implementation takes operands of the output's shape only");
  p.at = a.dtype;
  p.bt = b.dtype;
  p.yt = y.dtype;
  return p;
}

QuantBinaryParams quantAddParams(const KernelSignature &sig, const QuantParams &a, const QuantParams &b,
                                 const QuantParams &y) {
  QuantBinaryParams p;
  p.za = a.zeroPoints[0];
  p.zb = b.zeroPoints[0];
  p.zy = y.zeroPoints[0];
  p.lo = y.qmin;
  p.hi = y.qmax;
  const double sa = a.scales[0], sb = b.scales[0], sy = y.scales[0];
  const double twiceMax = 2 * std::max(sa, sb);
  p.ma = requireMultiplier(sig, sa / twiceMax, "A");
  p.mb = requireMultiplier(sig, sb / twiceMax, "B");
  p.out = requireMultiplier(sig, twiceMax / (double(1 << QuantBinaryParams::kLeftShift) * sy), "output");
  p.at = a.dtype;
  p.bt = b.dtype;
  p.yt = y.dtype;
  return p;
}

int32_t quantAddCode(const QuantBinaryParams &p, int32_t a, int32_t b) {
  constexpr int32_t kShift = int32_t(1) << QuantBinaryParams::kLeftShift;
  const int32_t sa = quant::multiplyByQuantizedMultiplier((a - p.za) * kShift, p.ma);
  const int32_t sb = quant::multiplyByQuantizedMultiplier((b - p.zb) * kShift, p.mb);
  return quant::requantize(sa + sb, p.out, p.zy, p.lo, p.hi);
}

}  // namespace edgec::rt::ref

namespace edgec::rt {

void registerRefQuantElementwise(KernelRegistry &r) {
  using namespace ref;
  const std::pair<const char *, QuantBinaryOp> binary[] = {
      {"Add", QuantBinaryOp::Add}, {"Sub", QuantBinaryOp::Sub}, {"Mul", QuantBinaryOp::Mul}};
  for (const auto &[name, op] : binary)
    r.add(name, Isa::Ref, [op = op] { return std::unique_ptr<Kernel>(new QuantBinary(op)); },
          isQuantizedCall);
  for (const char *name : quantLutOpNames())
    r.add(name, Isa::Ref, [] { return std::unique_ptr<Kernel>(new QuantLut()); }, isQuantizedCall);
}

}  // namespace edgec::rt
