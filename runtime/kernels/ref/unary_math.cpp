// Reference unary math family: the parametrized activations (LeakyRelu, Elu, Selu,
// HardSigmoid, ThresholdedRelu, Shrink), HardSwish, Softplus, Softsign, trigonometric and
// hyperbolic functions, rounding (Floor, Ceil, Round), Sign, Not and the predicates IsNaN
// and IsInf.
//
// One kernel template, instantiated once per functor of the table at the bottom: a
// functor names the dtypes it accepts and the attributes it reads, and its call
// operator is the element function, inlined into a plain loop.
#include <array>
#include <cmath>
#include <type_traits>

#include "ref/elementwise_fns.h"
#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::ref {
namespace {

// Attribute values, read once at prepare time (the compiler always writes them).
struct Params {
  float alpha = 0.f, beta = 0.f, gamma = 0.f, lambd = 0.f, bias = 0.f;
  bool detectNegative = true, detectPositive = true;
};

using FloatTypes = Types<float, double>;
using SignTypes = Types<float, double, int8_t, int16_t, int32_t, int64_t, uint8_t, uint16_t,
                        uint32_t, uint64_t>;

// Most functors: float in, same type out, no attributes.
struct FloatFn {
  using Inputs = FloatTypes;
  static constexpr bool kPredicate = false;  // true: the output is bool
  static constexpr std::array<const char *, 0> kAttrs{};
};

struct LeakyRelu : FloatFn {
  static constexpr std::array<const char *, 1> kAttrs{"alpha"};
  template <typename T> T operator()(T v, const Params &p) const {
    return fn::leakyRelu(v, p.alpha);
  }
};
struct Elu : FloatFn {
  static constexpr std::array<const char *, 1> kAttrs{"alpha"};
  // expm1: exact near 0, where exp(x) - 1 cancels.
  template <typename T> T operator()(T v, const Params &p) const {
    return fn::elu(v, p.alpha);
  }
};
struct Selu : FloatFn {
  static constexpr std::array<const char *, 2> kAttrs{"alpha", "gamma"};
  template <typename T> T operator()(T v, const Params &p) const {
    return T(p.gamma) * (v <= 0 ? T(p.alpha) * std::expm1(v) : v);
  }
};
struct HardSigmoid : FloatFn {
  static constexpr std::array<const char *, 2> kAttrs{"alpha", "beta"};
  template <typename T> T operator()(T v, const Params &p) const {
    return fn::hardSigmoid(v, p.alpha, p.beta);
  }
};
struct ThresholdedRelu : FloatFn {
  static constexpr std::array<const char *, 1> kAttrs{"alpha"};
  // Strictly greater: x == alpha gives 0 (ONNX).
  template <typename T> T operator()(T v, const Params &p) const { return v > T(p.alpha) ? v : T(0); }
};
struct Shrink : FloatFn {
  using Inputs = SignTypes;
  static constexpr std::array<const char *, 2> kAttrs{"lambd", "bias"};
  // Floats compute in their own type (one rounding, as ONNX's reference does); integers
  // in double, converted back, so an unsigned x never wraps in the comparison with -lambd.
  template <typename T> T operator()(T v, const Params &p) const {
    if constexpr (std::is_floating_point_v<T>) {
      if (v < -T(p.lambd)) return v + T(p.bias);
      return v > T(p.lambd) ? v - T(p.bias) : T(0);
    } else {
      const double x = static_cast<double>(v), lambd = p.lambd, bias = p.bias;
      if (x < -lambd) return static_cast<T>(x + bias);
      return x > lambd ? static_cast<T>(x - bias) : T(0);
    }
  }
};
struct HardSwish : FloatFn {
  // ONNX: x * HardSigmoid(x) with alpha = 1/6, beta = 0.5.
  template <typename T> T operator()(T v, const Params &) const { return hardSwishOf(v); }
};
struct Softplus : FloatFn {
  // log(1 + exp(x)) without overflow for large x.
  template <typename T> T operator()(T v, const Params &) const {
    return fn::softplus(v);
  }
};
struct Softsign : FloatFn {
  template <typename T> T operator()(T v, const Params &) const { return v / (T(1) + std::abs(v)); }
};

#define EDGEC_LIBM_FN(NAME, FN)                                                                    \
  struct NAME : FloatFn {                                                                          \
    template <typename T> T operator()(T v, const Params &) const { return std::FN(v); }          \
  };
EDGEC_LIBM_FN(Sin, sin)
EDGEC_LIBM_FN(Cos, cos)
EDGEC_LIBM_FN(Tan, tan)
EDGEC_LIBM_FN(Asin, asin)
EDGEC_LIBM_FN(Acos, acos)
EDGEC_LIBM_FN(Atan, atan)
EDGEC_LIBM_FN(Sinh, sinh)
EDGEC_LIBM_FN(Cosh, cosh)
EDGEC_LIBM_FN(Asinh, asinh)
EDGEC_LIBM_FN(Acosh, acosh)
EDGEC_LIBM_FN(Atanh, atanh)
EDGEC_LIBM_FN(Floor, floor)
EDGEC_LIBM_FN(Ceil, ceil)
// nearbyint in the default rounding mode rounds halves to even, as ONNX Round requires.
EDGEC_LIBM_FN(Round, nearbyint)
#undef EDGEC_LIBM_FN

struct Sign : FloatFn {
  using Inputs = SignTypes;
  // NaN fails both comparisons and is returned as is (numpy.sign).
  template <typename T> T operator()(T v, const Params &) const {
    return v > T(0) ? T(1) : v < T(0) ? static_cast<T>(-1) : v;
  }
};

struct Not : FloatFn {
  using Inputs = Types<Bool>;
  Bool operator()(Bool v, const Params &) const { return Bool{static_cast<uint8_t>(v.v == 0)}; }
};

struct IsNaN : FloatFn {
  static constexpr bool kPredicate = true;
  template <typename T> bool operator()(T v, const Params &) const { return std::isnan(v); }
};
struct IsInf : FloatFn {
  static constexpr bool kPredicate = true;
  static constexpr std::array<const char *, 2> kAttrs{"detect_negative", "detect_positive"};
  template <typename T> bool operator()(T v, const Params &p) const {
    return std::isinf(v) && (v > 0 ? p.detectPositive : p.detectNegative);
  }
};

template <typename Fn> class RefUnaryMath final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 1, 1);
    const TensorView &x = requireInput(sig, 0, "X");
    const TensorView &y = requireOutput(sig, 0);
    requireDType(sig, x, typename Fn::Inputs{}, sig.op.c_str());
    if constexpr (Fn::kPredicate)
      requireDType(sig, y, Types<Bool>{}, "output");
    else
      requireSameDType(sig, x, y, "output");
    requireShape(sig, y, x.shape, "output");
    for (const char *name : Fn::kAttrs)
      if (!sig.attrs.has(name)) kernelFail(sig, std::string("missing attribute '") + name + "'");
    params_.alpha = sig.attrs.f("alpha", 0.f);
    params_.beta = sig.attrs.f("beta", 0.f);
    params_.gamma = sig.attrs.f("gamma", 0.f);
    params_.lambd = sig.attrs.f("lambd", 0.f);
    params_.bias = sig.attrs.f("bias", 0.f);
    params_.detectNegative = sig.attrs.i("detect_negative", 1) != 0;
    params_.detectPositive = sig.attrs.i("detect_positive", 1) != 0;
    dtype_ = x.dtype;
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    dispatch(typename Fn::Inputs{}, dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      using Y = std::conditional_t<Fn::kPredicate, Bool, T>;
      const T *x = in[0]->as<T>();
      Y *y = out[0]->as<Y>();
      const int64_t n = in[0]->numel();
      const Fn fn;
      const Params p = params_;
      parallelRange(ctx, n, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
          if constexpr (Fn::kPredicate)
            y[i] = Bool{static_cast<uint8_t>(fn(x[i], p))};
          else
            y[i] = fn(x[i], p);
        }
      });
    });
  }

private:
  Params params_;
  DType dtype_ = DType::f32;
};

template <typename Fn> void add(KernelRegistry &r, const char *name) {
  r.add<RefUnaryMath<Fn>>(name, Isa::Ref);
}

}  // namespace
}  // namespace edgec::rt::ref

namespace edgec::rt {

void registerRefUnaryMath(KernelRegistry &r) {
  using namespace ref;
  add<LeakyRelu>(r, "LeakyRelu");
  add<Elu>(r, "Elu");
  add<Selu>(r, "Selu");
  add<HardSigmoid>(r, "HardSigmoid");
  add<ThresholdedRelu>(r, "ThresholdedRelu");
  add<Shrink>(r, "Shrink");
  add<HardSwish>(r, "HardSwish");
  add<Softplus>(r, "Softplus");
  add<Softsign>(r, "Softsign");
  add<Sin>(r, "Sin");
  add<Cos>(r, "Cos");
  add<Tan>(r, "Tan");
  add<Asin>(r, "Asin");
  add<Acos>(r, "Acos");
  add<Atan>(r, "Atan");
  add<Sinh>(r, "Sinh");
  add<Cosh>(r, "Cosh");
  add<Asinh>(r, "Asinh");
  add<Acosh>(r, "Acosh");
  add<Atanh>(r, "Atanh");
  add<Floor>(r, "Floor");
  add<Ceil>(r, "Ceil");
  add<Round>(r, "Round");
  add<Sign>(r, "Sign");
  add<Not>(r, "Not");
  add<IsNaN>(r, "IsNaN");
  add<IsInf>(r, "IsInf");
}

}  // namespace edgec::rt
