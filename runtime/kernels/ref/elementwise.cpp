// Reference elementwise kernels: broadcasting binary arithmetic, Pow, Where, the unary
// math ops and Clip.
#include <cmath>
#include <limits>

#include "ref/elementwise_fns.h"
#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::ref {
namespace {

enum class BinaryOp { Add, Sub, Mul, Div };

class RefBinary final : public Kernel {
public:
  explicit RefBinary(BinaryOp op) : op_(op) {}

  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 2, 2);
    const TensorView &a = requireInput(sig, 0, "A");
    const TensorView &b = requireInput(sig, 1, "B");
    requireDType(sig, a, NumericTypes{}, sig.op.c_str());
    requireSameDType(sig, a, b, "B");
    requireSameDType(sig, a, requireOutput(sig, 0), "output");
    loop_ = broadcastLoop<3>(sig, {&a, &b});
    dtype_ = a.dtype;
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    dispatch(NumericTypes{}, dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T *a = in[0]->as<T>();
      const T *b = in[1]->as<T>();
      T *y = out[0]->as<T>();
      // Lambdas (not function pointers) so the per-element op is always inlined.
      parallelLoop(ctx, loop_, [&](const StridedLoop<3> &part) {
        switch (op_) {
        case BinaryOp::Add: binaryLoop(part, y, a, b, [](T u, T v) { return wrapAdd(u, v); }); break;
        case BinaryOp::Sub: binaryLoop(part, y, a, b, [](T u, T v) { return wrapSub(u, v); }); break;
        case BinaryOp::Mul: binaryLoop(part, y, a, b, [](T u, T v) { return wrapMul(u, v); }); break;
        case BinaryOp::Div: binaryLoop(part, y, a, b, [](T u, T v) { return divide(u, v); }); break;
        }
      });
    });
  }

private:
  // Integer division truncates toward zero (C semantics, as in the ONNX reference).
  template <typename T> static T divide(T a, T b) {
    if constexpr (std::is_integral_v<T>) {
      if (b == 0) throw Error("Div: integer division by zero");
      if constexpr (std::is_signed_v<T>)
        if (b == -1) return wrapSub(T(0), a);  // INT_MIN / -1 overflows
    }
    return static_cast<T>(a / b);
  }

  BinaryOp op_;
  StridedLoop<3> loop_;
  DType dtype_ = DType::f32;
};

using PowTypes = Types<float, double, int32_t, int64_t>;  // the base (and the result)
using PowExponentTypes = NumericTypes;                    // ONNX Pow-15 allows any number

// Integer base and exponent: exact repeated squaring (wrapping), no trip through double.
template <typename X, typename E> X intPow(X base, E exp) {
  if (std::is_signed_v<E> && exp < E(0)) {
    // 1 / base^|exp| truncated toward zero.
    if (base == 1) return 1;
    if (base == -1) return (exp % 2 == 0) ? 1 : -1;
    if (base == 0) throw Error("Pow: zero raised to a negative integer power");
    return 0;
  }
  X result = 1;
  while (exp > 0) {
    if (exp & 1) result = wrapMul(result, base);
    base = wrapMul(base, base);
    exp >>= 1;
  }
  return result;
}

class RefPow final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 2, 2);
    const TensorView &x = requireInput(sig, 0, "X");
    const TensorView &e = requireInput(sig, 1, "Y");
    requireDType(sig, x, PowTypes{}, "Pow base");
    requireDType(sig, e, PowExponentTypes{}, "Pow exponent");
    requireSameDType(sig, x, requireOutput(sig, 0), "output");
    loop_ = broadcastLoop<3>(sig, {&x, &e});
    xType_ = x.dtype;
    eType_ = e.dtype;
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    dispatch(PowTypes{}, xType_, [&](auto xt) {
      dispatch(PowExponentTypes{}, eType_, [&](auto et) {
        using X = typename decltype(xt)::type;
        using E = typename decltype(et)::type;
        binaryLoop(loop_, out[0]->as<X>(), in[0]->as<X>(), in[1]->as<E>(), [](X x, E e) {
          if constexpr (std::is_integral_v<X> && std::is_integral_v<E>)
            return intPow(x, e);
          else  // the result takes the base's type, as numpy's power(...).astype(X)
            return fn::powFloat(x, static_cast<double>(e));
        });
      });
    });
  }

private:
  StridedLoop<3> loop_;
  DType xType_ = DType::f32, eType_ = DType::f32;
};

class RefWhere final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 3, 3);
    const TensorView &c = requireInput(sig, 0, "condition");
    const TensorView &x = requireInput(sig, 1, "X");
    const TensorView &y = requireInput(sig, 2, "Y");
    requireDType(sig, c, Types<Bool>{}, "Where condition");
    requireSameDType(sig, x, y, "Y");
    requireSameDType(sig, x, requireOutput(sig, 0), "output");
    requireUnpacked(sig, x);
    loop_ = broadcastLoop<4>(sig, {&c, &x, &y});
    dtype_ = x.dtype;
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    dispatchBySize(dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const uint8_t *c = in[0]->as<uint8_t>();
      const T *x = in[1]->as<T>();
      const T *y = in[2]->as<T>();
      T *z = out[0]->as<T>();
      loop_.forEachRun(
          [&](const std::array<int64_t, 4> &off, int64_t n, const std::array<int64_t, 4> &step) {
            for (int64_t i = 0; i < n; ++i)
              z[off[0] + i * step[0]] =
                  c[off[1] + i * step[1]] ? x[off[2] + i * step[2]] : y[off[3] + i * step[3]];
          });
    });
  }

private:
  StridedLoop<4> loop_;
  DType dtype_ = DType::f32;
};

enum class UnaryOp { Relu, Sigmoid, Tanh, Sqrt, Erf, Exp, Log, Neg, Abs, Reciprocal };

template <typename T> void unaryLoop(UnaryOp op, const T *x, T *y, int64_t n) {
  auto map = [&](auto f) {
    for (int64_t i = 0; i < n; ++i) y[i] = f(x[i]);
  };
  if constexpr (std::is_integral_v<T>) {
    switch (op) {
    case UnaryOp::Relu: return map([](T v) { return v < 0 ? T(0) : v; });
    case UnaryOp::Neg: return map([](T v) { return wrapSub(T(0), v); });
    case UnaryOp::Abs: return map([](T v) { return v < 0 ? wrapSub(T(0), v) : v; });
    default: return;  // rejected by prepare
    }
  } else {
    switch (op) {
    // ref/elementwise_fns.h: the functions the fused kernel's steps use too.
    case UnaryOp::Relu: return map([](T v) { return fn::relu(v); });  // keeps NaN
    case UnaryOp::Sigmoid: return map([](T v) { return sigmoidOf(v); });
    case UnaryOp::Tanh: return map([](T v) { return fn::tanh(v); });
    case UnaryOp::Sqrt: return map([](T v) { return fn::sqrt(v); });
    case UnaryOp::Erf: return map([](T v) { return fn::erf(v); });
    case UnaryOp::Exp: return map([](T v) { return fn::exp(v); });
    case UnaryOp::Log: return map([](T v) { return fn::log(v); });
    case UnaryOp::Neg: return map([](T v) { return fn::neg(v); });
    case UnaryOp::Abs: return map([](T v) { return fn::abs(v); });
    case UnaryOp::Reciprocal: return map([](T v) { return fn::reciprocal(v); });
    }
  }
}

using UnaryIntTypes = Types<float, int8_t, int32_t, int64_t>;

class RefUnary final : public Kernel {
public:
  explicit RefUnary(UnaryOp op) : op_(op) {}

  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 1, 1);
    const TensorView &x = requireInput(sig, 0, "X");
    const TensorView &y = requireOutput(sig, 0);
    const bool intsToo = op_ == UnaryOp::Relu || op_ == UnaryOp::Neg || op_ == UnaryOp::Abs;
    if (intsToo)
      requireDType(sig, x, UnaryIntTypes{}, sig.op.c_str());
    else
      requireDType(sig, x, Types<float>{}, sig.op.c_str());
    requireSameDType(sig, x, y, "output");
    requireShape(sig, y, x.shape, "output");
    dtype_ = x.dtype;
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    dispatch(UnaryIntTypes{}, dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T *x = in[0]->as<T>();
      T *y = out[0]->as<T>();
      parallelRange(ctx, in[0]->numel(), [&](int64_t b, int64_t e) { unaryLoop<T>(op_, x + b, y + b, e - b); });
    });
  }

private:
  UnaryOp op_;
  DType dtype_ = DType::f32;
};

using ClipTypes = Types<float, int8_t, uint8_t, int32_t, int64_t>;

class RefClip final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 1, 3);
    const TensorView &x = requireInput(sig, 0, "X");
    const TensorView &y = requireOutput(sig, 0);
    requireDType(sig, x, ClipTypes{}, "Clip");
    requireSameDType(sig, x, y, "output");
    requireShape(sig, y, x.shape, "output");
    for (size_t i = 1; i <= 2; ++i) {
      if (const TensorView *t = optionalInput(sig, i)) {
        requireSameDType(sig, x, *t, i == 1 ? "min" : "max");
        if (t->numel() != 1) kernelFail(sig, "min and max must be scalars");
      }
    }
    dtype_ = x.dtype;
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    dispatch(ClipTypes{}, dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      using L = std::numeric_limits<T>;
      const TensorView *minT = in.size() > 1 ? in[1] : nullptr;
      const TensorView *maxT = in.size() > 2 ? in[2] : nullptr;
      // Absent bounds: the type's extremes (infinities for float, so +-inf pass through).
      const T lo =
          minT && minT->data ? *minT->as<T>() : (L::has_infinity ? -L::infinity() : L::lowest());
      const T hi =
          maxT && maxT->data ? *maxT->as<T>() : (L::has_infinity ? L::infinity() : L::max());
      const T *x = in[0]->as<T>();
      T *y = out[0]->as<T>();
      const int64_t n = in[0]->numel();
      // min(max(x, lo), hi): lo > hi gives hi everywhere, as in ONNX; NaN stays NaN.
      parallelRange(ctx, n, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) y[i] = fn::clip(x[i], lo, hi);
      });
    });
  }

private:
  DType dtype_ = DType::f32;
};

}  // namespace
}  // namespace edgec::rt::ref

namespace edgec::rt {

void registerRefElementwise(KernelRegistry &r) {
  using namespace ref;
  const std::pair<const char *, BinaryOp> binary[] = {{"Add", BinaryOp::Add},
                                                      {"Sub", BinaryOp::Sub},
                                                      {"Mul", BinaryOp::Mul},
                                                      {"Div", BinaryOp::Div}};
  for (const auto &[name, op] : binary)
    r.add(name, Isa::Ref, [op = op] { return std::unique_ptr<Kernel>(new RefBinary(op)); });
  const std::pair<const char *, UnaryOp> unary[] = {
      {"Relu", UnaryOp::Relu}, {"Sigmoid", UnaryOp::Sigmoid},
      {"Tanh", UnaryOp::Tanh}, {"Sqrt", UnaryOp::Sqrt},
      {"Erf", UnaryOp::Erf},   {"Exp", UnaryOp::Exp},
      {"Log", UnaryOp::Log},   {"Neg", UnaryOp::Neg},
      {"Abs", UnaryOp::Abs},   {"Reciprocal", UnaryOp::Reciprocal}};
  for (const auto &[name, op] : unary)
    r.add(name, Isa::Ref, [op = op] { return std::unique_ptr<Kernel>(new RefUnary(op)); });
  r.add<RefPow>("Pow", Isa::Ref);
  r.add<RefWhere>("Where", Isa::Ref);
  r.add<RefClip>("Clip", Isa::Ref);
}

}  // namespace edgec::rt
