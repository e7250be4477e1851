// Reference broadcasting arithmetic beyond the four basic ops: the variadic Min, Max,
// Sum and Mean, PRelu, Mod and BitShift; and Range, which generates an arithmetic sequence.
//
// f16 operands compute in float and round once per operation (Arith in util.h), as
// numpy's float16 ufuncs do.
#include <cmath>
#include <sstream>
#include <string>
#include <type_traits>

#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::ref {
namespace {

using MinMaxTypes = Types<float, Half, double, int8_t, uint8_t, int16_t, uint16_t, int32_t,
                          uint32_t, int64_t, uint64_t>;
using SumTypes = Types<float, Half, double>;

// ---- variadic: y = f(...f(f(x0, x1), x2)..., xn), then `finish` ----

// NaN propagates through Min and Max (numpy.minimum / maximum).
struct Min {
  using Inputs = MinMaxTypes;
  template <typename A> A operator()(A a, A b) const {
    return isNan(a) ? a : (isNan(b) || b < a) ? b : a;
  }
};
struct Max {
  using Inputs = MinMaxTypes;
  template <typename A> A operator()(A a, A b) const {
    return isNan(a) ? a : (isNan(b) || b > a) ? b : a;
  }
};
struct Sum {
  using Inputs = SumTypes;
  template <typename A> A operator()(A a, A b) const { return a + b; }
};
struct Mean : Sum {};

template <typename Fn> class RefVariadic final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    if (sig.inputs.empty()) kernelFail(sig, "needs at least one input");
    const TensorView &y = requireOutput(sig, 0);
    requireDType(sig, y, typename Fn::Inputs{}, sig.op.c_str());
    std::vector<int64_t> expected;
    rest_.clear();
    for (size_t i = 0; i < sig.inputs.size(); ++i) {
      const TensorView &x = requireInput(sig, i, "X");
      requireSameDType(sig, y, x, "input");
      std::vector<int64_t> next;
      if (!broadcastShapes(expected, x.shape, &next))
        kernelFail(sig, "input shapes do not broadcast: " + shapeStr(expected) + " and " +
                            shapeStr(x.shape));
      expected = next;
      const std::vector<int64_t> ys = contiguousStrides(y.shape);
      if (i == 0)  // operands: the output, input 0
        first_ = StridedLoop<2>(y.shape, {ys, broadcastStrides(x.shape, y.shape)});
      else  // operands: the output, the running result (the output itself), input i
        rest_.emplace_back(y.shape, std::array<std::vector<int64_t>, 3>{
                                        ys, ys, broadcastStrides(x.shape, y.shape)});
    }
    requireShape(sig, y, expected, "output");
    dtype_ = y.dtype;
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    dispatch(typename Fn::Inputs{}, dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      using A = Arith<T>;
      T *y = out[0]->as<T>();
      const Fn fn;
      // y = x0 broadcast, then fold each further input in.
      gatherLoop(first_, y, in[0]->as<T>());
      for (size_t i = 1; i < in.size(); ++i)
        binaryLoop(rest_[i - 1], y, y, in[i]->as<T>(),
                   [fn](T a, T b) { return A::store(fn(A::load(a), A::load(b))); });
      if constexpr (std::is_same_v<Fn, Mean>) {
        const int64_t n = out[0]->numel();
        const auto count = static_cast<typename A::type>(in.size());
        for (int64_t i = 0; i < n; ++i) y[i] = A::store(A::load(y[i]) / count);
      }
    });
  }

private:
  StridedLoop<2> first_;
  std::vector<StridedLoop<3>> rest_;
  DType dtype_ = DType::f32;
};

// ---- PRelu ----

using PReluTypes = Types<float, Half, double, int32_t, int64_t, uint32_t, uint64_t>;

class RefPRelu final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 2, 2);
    const TensorView &x = requireInput(sig, 0, "X");
    const TensorView &slope = requireInput(sig, 1, "slope");
    requireDType(sig, x, PReluTypes{}, "PRelu");
    requireSameDType(sig, x, slope, "slope");
    requireSameDType(sig, x, requireOutput(sig, 0), "output");
    if (!broadcastsTo(slope.shape, x.shape))
      kernelFail(sig, "slope " + shapeStr(slope.shape) + " does not broadcast to X " +
                          shapeStr(x.shape));
    loop_ = broadcastLoop<3>(sig, {&x, &slope});
    dtype_ = x.dtype;
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    dispatch(PReluTypes{}, dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      using A = Arith<T>;
      binaryLoop(loop_, out[0]->as<T>(), in[0]->as<T>(), in[1]->as<T>(), [](T xs, T ss) {
        const auto x = A::load(xs);
        return x < 0 ? A::store(wrapMul(A::load(ss), x)) : xs;
      });
    });
  }

private:
  StridedLoop<3> loop_;
  DType dtype_ = DType::f32;
};

// ---- Mod ----

using ModTypes = MinMaxTypes;

// fmod = 0: the result takes the divisor's sign (Python's %); fmod = 1: the dividend's
// (C's fmod / %). Integer division by zero is an error, as in Div.
template <typename A> A modulo(A a, A b, bool fmod) {
  if constexpr (std::is_floating_point_v<A>) {
    return std::fmod(a, b);  // fmod = 0 on floats is rejected by prepare
  } else {
    if (b == 0) throw Error("Mod: integer division by zero");
    if constexpr (std::is_signed_v<A>) {
      if (b == -1) return 0;  // INT_MIN % -1 overflows
      const A r = static_cast<A>(a % b);
      return (!fmod && r != 0 && ((r < 0) != (b < 0))) ? static_cast<A>(r + b) : r;
    } else {
      return static_cast<A>(a % b);
    }
  }
}

class RefMod final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 2, 2);
    const TensorView &a = requireInput(sig, 0, "A");
    const TensorView &b = requireInput(sig, 1, "B");
    requireDType(sig, a, ModTypes{}, "Mod");
    requireSameDType(sig, a, b, "B");
    requireSameDType(sig, a, requireOutput(sig, 0), "output");
    fmod_ = sig.attrs.i("fmod", 0) != 0;
    const bool isFloat = a.dtype == DType::f32 || a.dtype == DType::f64 || a.dtype == DType::f16;
    if (isFloat && !fmod_) kernelFail(sig, "floating-point Mod needs fmod = 1");
    loop_ = broadcastLoop<3>(sig, {&a, &b});
    dtype_ = a.dtype;
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    dispatch(ModTypes{}, dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      using A = Arith<T>;
      const bool fmod = fmod_;
      binaryLoop(loop_, out[0]->as<T>(), in[0]->as<T>(), in[1]->as<T>(), [fmod](T a, T b) {
        return A::store(modulo(A::load(a), A::load(b), fmod));
      });
    });
  }

private:
  StridedLoop<3> loop_;
  bool fmod_ = false;
  DType dtype_ = DType::f32;
};

// ---- BitShift ----

using ShiftTypes = Types<uint8_t, uint16_t, uint32_t, uint64_t>;

// x shifted by `amount` bits; an amount of the bit width or more shifts every bit out and
// gives 0 (ONNX does not say; C++ leaves it undefined and x86 takes it modulo the width).
template <typename T> T shiftBits(T x, T amount, bool left) {
  if (amount >= T(sizeof(T) * 8)) return T(0);
  // Promoted to at least unsigned int, then cut back to T (a uint8_t shifted left drops
  // its high bits, as in ONNX's numpy reference).
  using U = std::common_type_t<T, unsigned>;
  return static_cast<T>(left ? U(x) << amount : U(x) >> amount);
}

class RefBitShift final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 2, 2);
    const TensorView &a = requireInput(sig, 0, "X");
    const TensorView &b = requireInput(sig, 1, "Y");
    requireDType(sig, a, ShiftTypes{}, "BitShift");
    requireSameDType(sig, a, b, "Y");
    requireSameDType(sig, a, requireOutput(sig, 0), "output");
    const std::string direction = sig.attrs.s("direction");
    if (direction != "LEFT" && direction != "RIGHT")
      kernelFail(sig, "direction must be LEFT or RIGHT, got '" + direction + "'");
    left_ = direction == "LEFT";
    loop_ = broadcastLoop<3>(sig, {&a, &b});
    dtype_ = a.dtype;
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    dispatch(ShiftTypes{}, dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const bool left = left_;
      binaryLoop(loop_, out[0]->as<T>(), in[0]->as<T>(), in[1]->as<T>(),
                 [left](T x, T amount) { return shiftBits(x, amount, left); });
    });
  }

private:
  StridedLoop<3> loop_;
  bool left_ = true;
  DType dtype_ = DType::u8;
};

// ---- Range ----

using RangeTypes = Types<float, double, int16_t, int32_t, int64_t>;

// The compiler fixed the length (the output's static size), from constant start, limit
// and delta or from the model's declared shapes; the kernel generates start + i * delta,
// as the ONNX reference does. When any of the three is a run-time value, every run
// checks that the values give the compiled length (ONNX's max(ceil((limit - start) /
// delta), 0), as its shape inference computes it) and fails naming the node otherwise.
class RefRange final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 3, 3);
    const TensorView &y = requireOutput(sig, 0);
    requireDType(sig, y, RangeTypes{}, "Range");
    if (y.rank() != 1) kernelFail(sig, "output must have rank 1, got " + shapeStr(y.shape));
    for (size_t i = 0; i < 3; ++i) {
      const TensorView &t = requireInput(sig, i, i == 0 ? "start" : i == 1 ? "limit" : "delta");
      requireSameDType(sig, y, t, "start/limit/delta");
      if (t.numel() != 1) kernelFail(sig, "start, limit and delta must be scalars");
    }
    // Constants were checked when the compiler sized the output.
    check_ = false;
    for (size_t i = 0; i < 3; ++i) check_ = check_ || i >= sig.input_is_constant.size() || !sig.input_is_constant[i];
    where_ = sig.op + " node '" + sig.node + "'";
    dtype_ = y.dtype;
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    dispatch(RangeTypes{}, dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T start = *in[0]->as<T>(), limit = *in[1]->as<T>(), delta = *in[2]->as<T>();
      T *y = out[0]->as<T>();
      const int64_t n = out[0]->numel();
      if (check_) checkLength<T>(start, limit, delta, n);
      for (int64_t i = 0; i < n; ++i) y[i] = wrapAdd(start, wrapMul(static_cast<T>(i), delta));
    });
  }

private:
  template <typename T> void checkLength(T start, T limit, T delta, int64_t compiled) const {
    auto str = [](T v) {
      std::ostringstream os;
      os << +v;
      return os.str();
    };
    const std::string given = "start " + str(start) + ", limit " + str(limit) + ", delta " + str(delta);
    if (delta == T(0)) throw Error(where_ + ": " + given + ": delta must not be 0");
    // ONNX 1.12's shape inference: the difference in T, the division in double.
    const double count = std::ceil(1.0 * double(wrapSub(limit, start)) / double(delta));
    if (!std::isfinite(count)) throw Error(where_ + ": " + given + ": the length is not finite");
    const int64_t length = count <= 0 ? 0 : count >= 9.2e18 ? INT64_MAX : int64_t(count);
    if (length != compiled)
      throw Error(where_ + ": " + given + " give shape [" + std::to_string(length) +
                  "] but the package was compiled for [" + std::to_string(compiled) +
                  "]; shapes are fixed at compile time (freeze the input with edgec compile --bind NAME=FILE.npy)");
  }

  std::string where_;
  bool check_ = false;
  DType dtype_ = DType::f32;
};

}  // namespace
}  // namespace edgec::rt::ref

namespace edgec::rt {

void registerRefArith(KernelRegistry &r) {
  using namespace ref;
  r.add<RefVariadic<Min>>("Min", Isa::Ref);
  r.add<RefVariadic<Max>>("Max", Isa::Ref);
  r.add<RefVariadic<Sum>>("Sum", Isa::Ref);
  r.add<RefVariadic<Mean>>("Mean", Isa::Ref);
  r.add<RefPRelu>("PRelu", Isa::Ref);
  r.add<RefMod>("Mod", Isa::Ref);
  r.add<RefBitShift>("BitShift", Isa::Ref);
  r.add<RefRange>("Range", Isa::Ref);
}

}  // namespace edgec::rt
