// Reference reductions (ReduceMean, Sum, Max, Min, Prod, L1, L2, LogSum, LogSumExp,
// SumSquare), ArgMax/ArgMin and CumSum.
//
// Reduce*: one pass over the input in memory order; each element's term (x, |x|, x^2,
// exp(x - max)) is folded into the accumulator of its output position (stride 0 along
// reduced axes), then finished (mean, sqrt, log). Accumulators live in scratch, in
// double for float inputs, so the result does not depend on the axis order.
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

#include "ref/runtime_params.h"
#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::ref {
namespace {

enum class ReduceOp { Mean, Sum, Max, Min, Prod, L1, L2, LogSum, LogSumExp, SumSquare };

using ReduceTypes = Types<float, double, int32_t, int64_t>;
using FloatReduceTypes = Types<float, double>;

// Reductions whose result is only meaningful for floats (a mean, a root, a log).
bool floatOnly(ReduceOp op) {
  return op == ReduceOp::Mean || op == ReduceOp::L2 || op == ReduceOp::LogSum ||
         op == ReduceOp::LogSumExp;
}

template <typename T> using Accum = std::conditional_t<std::is_floating_point_v<T>, double, T>;

template <typename A> A identity(ReduceOp op) {
  using L = std::numeric_limits<A>;
  switch (op) {
  case ReduceOp::Max: return L::has_infinity ? -L::infinity() : L::lowest();
  case ReduceOp::Min: return L::has_infinity ? L::infinity() : L::max();
  case ReduceOp::Prod: return A(1);
  default: return A(0);
  }
}

// The term an element contributes; `shift` is LogSumExp's per-output maximum.
template <typename A> A term(ReduceOp op, A v, A shift) {
  switch (op) {
  case ReduceOp::L1: return v < A(0) ? wrapSub(A(0), v) : v;
  case ReduceOp::L2:
  case ReduceOp::SumSquare: return wrapMul(v, v);
  case ReduceOp::LogSumExp: {
    if constexpr (std::is_floating_point_v<A>) return std::exp(v - shift);
    return v;  // float only (prepare)
  }
  default: return v;
  }
}

template <typename A> A combine(ReduceOp op, A acc, A t) {
  switch (op) {
  case ReduceOp::Max: return (t > acc || isNan(t)) ? t : acc;  // a NaN wins and sticks
  case ReduceOp::Min: return (t < acc || isNan(t)) ? t : acc;
  case ReduceOp::Prod: return wrapMul(acc, t);
  default: return wrapAdd(acc, t);
  }
}

template <typename A> A finish(ReduceOp op, A acc, int64_t count, A shift) {
  if constexpr (std::is_floating_point_v<A>) {
    switch (op) {
    case ReduceOp::Mean: return acc / static_cast<A>(count);
    case ReduceOp::L2: return std::sqrt(acc);
    case ReduceOp::LogSum: return std::log(acc);
    case ReduceOp::LogSumExp: return shift + std::log(acc);
    default: return acc;
    }
  }
  return acc;
}

// Reduce*: `axes` is the attribute (sorted, normalized; empty: all dims), or ONNX's
// list as input 1, read on every run (then no attribute): negative axes count from the
// end, repeats count once, and an empty list reduces every dim or, with
// noop_with_empty_axes, copies the input; the values must give the output's shape.
class RefReduce final : public Kernel {
public:
  explicit RefReduce(ReduceOp op) : op_(op) {}

  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 1, 2);
    const TensorView &x = requireInput(sig, 0, "X");
    const TensorView &y = requireOutput(sig, 0);
    if (floatOnly(op_))
      requireDType(sig, x, FloatReduceTypes{}, sig.op.c_str());
    else
      requireDType(sig, x, ReduceTypes{}, sig.op.c_str());
    requireSameDType(sig, x, y, "output");
    inShape_ = x.shape;
    outShape_ = y.shape;
    keepdims_ = sig.attrs.i("keepdims", 1) != 0;
    outCount_ = y.numel();
    dtype_ = x.dtype;
    axesInput_ = optionalInput(sig, 1) != nullptr;
    if (axesInput_) {
      if (sig.attrs.has("axes")) kernelFail(sig, "axes are given both as an attribute and as an input");
      requireIntList(sig, *sig.inputs[1], "axes");
      noopWithEmptyAxes_ = sig.attrs.i("noop_with_empty_axes", 0) != 0;
      where_ = nodeWhere(sig);
      return;
    }

    std::vector<int64_t> axes = sig.attrs.ints("axes", {});  // absent or empty: all axes
    if (axes.empty())
      for (int d = 0; d < x.rank(); ++d) axes.push_back(d);
    std::vector<bool> reduced(x.rank(), false);
    for (size_t i = 0; i < axes.size(); ++i) {
      if (axes[i] < 0 || axes[i] >= x.rank() || (i > 0 && axes[i] <= axes[i - 1]))
        kernelFail(sig, "axes " + shapeStr(axes) + " must be sorted, unique and in [0, " +
                            std::to_string(x.rank()) + ")");
      reduced[axes[i]] = true;
    }

    // The output keeps the reduced axes as 1 (keepdims) or drops them.
    std::vector<int64_t> kept, dropped;
    for (int d = 0; d < x.rank(); ++d) {
      kept.push_back(reduced[d] ? 1 : x.shape[d]);
      if (!reduced[d]) dropped.push_back(x.shape[d]);
    }
    if (y.shape != kept && y.shape != dropped)
      kernelFail(sig, "output " + shapeStr(y.shape) + " is neither " + shapeStr(kept) + " nor " +
                          shapeStr(dropped));
    plan_ = planFor(reduced);
  }

  // One accumulator per output, and for LogSumExp one maximum per output.
  size_t scratchBytes() const override {
    return static_cast<size_t>(outCount_) * 8 * (op_ == ReduceOp::LogSumExp ? 2 : 1);
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    Plan plan = plan_;
    if (axesInput_) {
      std::optional<Plan> p = runtimePlan(*in[1]);
      if (!p) {  // an empty list with noop_with_empty_axes: the input as it is
        std::memcpy(out[0]->data, in[0]->data, static_cast<size_t>(in[0]->numel()) * dtypeSize(dtype_));
        return;
      }
      plan = *p;
    }
    dispatch(ReduceTypes{}, dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      using A = Accum<T>;
      const T *x = in[0]->as<T>();
      T *y = out[0]->as<T>();
      A *acc = static_cast<A *>(ctx.threadScratch(0));
      A *shift = op_ == ReduceOp::LogSumExp ? acc + outCount_ : nullptr;
      if (shift) {
        // exp(x - max) cannot overflow; an infinite max (or none) shifts by 0 instead.
        fold<T, A>(ReduceOp::Max, x, shift, nullptr, plan.loop, ctx);
        for (int64_t i = 0; i < outCount_; ++i)
          if (!std::isfinite(static_cast<double>(shift[i]))) shift[i] = A(0);
      }
      fold<T, A>(op_, x, acc, shift, plan.loop, ctx);
      for (int64_t i = 0; i < outCount_; ++i)
        y[i] = static_cast<T>(finish<A>(op_, acc[i], plan.reduceCount, shift ? shift[i] : A(0)));
    });
  }

private:
  struct Plan {
    StridedLoop<2> loop;  // over the input; the output's strides are 0 along reduced dims
    int64_t reduceCount = 1;
  };

  Plan planFor(const std::vector<bool> &reduced) const {
    std::vector<int64_t> kept;
    for (size_t d = 0; d < inShape_.size(); ++d) kept.push_back(reduced[d] ? 1 : inShape_[d]);
    std::vector<int64_t> outStrides = contiguousStrides(kept);
    Plan p;
    for (size_t d = 0; d < inShape_.size(); ++d)
      if (reduced[d]) {
        outStrides[d] = 0;
        p.reduceCount *= inShape_[d];
      }
    p.loop = StridedLoop<2>(inShape_, {outStrides, contiguousStrides(inShape_)});
    return p;
  }

  // The plan for a run's axes; none for an empty list with noop_with_empty_axes.
  std::optional<Plan> runtimePlan(const TensorView &axesInput) const {
    const std::vector<int64_t> axes = intValues(axesInput);
    const int64_t rank = static_cast<int64_t>(inShape_.size());
    const std::string values = valuesStr("axes", axes);
    std::vector<bool> reduced(rank, axes.empty());
    for (int64_t a : axes) {
      if (a < -rank || a >= rank)
        badValues(where_, values + ": axis " + std::to_string(a) + " is out of range for " + shapeStr(inShape_) +
                              " (valid: -" + std::to_string(rank) + " to " + std::to_string(rank - 1) + ")");
      reduced[a < 0 ? a + rank : a] = true;
    }
    if (axes.empty() && noopWithEmptyAxes_) {
      if (inShape_ != outShape_) shapeMismatch(where_, values + " (no reduction)", inShape_, outShape_);
      return std::nullopt;
    }
    std::vector<int64_t> shape;
    for (int64_t d = 0; d < rank; ++d)
      if (!reduced[d] || keepdims_) shape.push_back(reduced[d] ? 1 : inShape_[d]);
    if (shape != outShape_) shapeMismatch(where_, values, shape, outShape_);
    return planFor(reduced);
  }

  // acc[out] = combine over the elements of out of term(x); shift may be null.
  // Threads split the loop's outermost dimension when it is kept (not reduced): each
  // output is then folded by one thread, over its elements in the usual order, so the
  // result does not depend on the thread count. A reduced outermost dimension stays on
  // one thread.
  template <typename T, typename A>
  void fold(ReduceOp op, const T *x, A *acc, const A *shift, const StridedLoop<2> &loop, const RunContext &ctx) {
    std::fill(acc, acc + outCount_, identity<A>(op));
    const bool outerKept = !loop.shape.empty() && loop.strides[0][0] != 0;
    if (!outerKept) {
      foldPart<T, A>(op, x, acc, shift, loop);
      return;
    }
    parallelLoop(ctx, loop, [&](const StridedLoop<2> &part) { foldPart<T, A>(op, x, acc, shift, part); });
  }

  template <typename T, typename A>
  void foldPart(ReduceOp op, const T *x, A *acc, const A *shift, const StridedLoop<2> &loop) const {
    loop.forEachRun(
        [&](const std::array<int64_t, 2> &off, int64_t n, const std::array<int64_t, 2> &step) {
          if (step[0] == 0) {  // a run along a reduced axis: fold it locally first
            const A s = shift ? shift[off[0]] : A(0);
            A a = acc[off[0]];
            for (int64_t i = 0; i < n; ++i)
              a = combine<A>(op, a, term<A>(op, static_cast<A>(x[off[1] + i * step[1]]), s));
            acc[off[0]] = a;
          } else {
            for (int64_t i = 0; i < n; ++i) {
              const int64_t o = off[0] + i * step[0];
              A &a = acc[o];
              a = combine<A>(op, a, term<A>(op, static_cast<A>(x[off[1] + i * step[1]]),
                                             shift ? shift[o] : A(0)));
            }
          }
        });
  }

  ReduceOp op_;
  Plan plan_;  // the attribute's axes
  std::vector<int64_t> inShape_, outShape_;
  int64_t outCount_ = 0;
  bool keepdims_ = true, axesInput_ = false, noopWithEmptyAxes_ = false;
  std::string where_;
  DType dtype_ = DType::f32;
};

// Input viewed as [outer, n, inner] around the one axis that ArgMax/ArgMin and CumSum
// work along.
struct AxisView {
  int64_t outer = 0, n = 0, inner = 0;
};

AxisView axisView(const std::vector<int64_t> &shape, int64_t axis) {
  return {product(shape, 0, axis), shape[axis], product(shape, axis + 1)};
}

AxisView axisView(const KernelSignature &sig, const TensorView &x) {
  const int64_t axis = sig.attrs.i("axis", -1);
  if (axis < 0 || axis >= x.rank())
    kernelFail(sig, "axis " + std::to_string(axis) + " is out of range for " + shapeStr(x.shape));
  return axisView(x.shape, axis);
}

class RefArgReduce final : public Kernel {
public:
  explicit RefArgReduce(bool max) : max_(max) {}

  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 1, 1);
    const TensorView &x = requireInput(sig, 0, "X");
    const TensorView &y = requireOutput(sig, 0);
    requireDType(sig, x, NumericTypes{}, sig.op.c_str());
    requireDType(sig, y, Types<int64_t>{}, "output");
    view_ = axisView(sig, x);
    if (view_.n == 0) kernelFail(sig, "cannot take an index along an empty axis");
    std::vector<int64_t> kept = x.shape, dropped = x.shape;
    const int64_t axis = sig.attrs.i("axis", -1);
    kept[axis] = 1;
    dropped.erase(dropped.begin() + axis);
    if (y.shape != kept && y.shape != dropped)
      kernelFail(sig, "output " + shapeStr(y.shape) + " is neither " + shapeStr(kept) + " nor " +
                          shapeStr(dropped));
    selectLast_ = sig.attrs.i("select_last_index", 0) != 0;
    dtype_ = x.dtype;
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    dispatch(NumericTypes{}, dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T *x = in[0]->as<T>();
      int64_t *y = out[0]->as<int64_t>();
      const AxisView v = view_;
      for (int64_t o = 0; o < v.outer; ++o) {
        for (int64_t i = 0; i < v.inner; ++i) {
          const T *xs = x + o * v.n * v.inner + i;
          int64_t best = 0;
          for (int64_t k = 1; k < v.n; ++k) {
            const T c = xs[k * v.inner], b = xs[best * v.inner];
            if (isNan(b)) break;  // the first NaN is the extreme (numpy.argmax)
            const bool better = isNan(c) || (max_ ? c > b : c < b) || (selectLast_ && c == b);
            if (better) best = k;
          }
          y[o * v.inner + i] = best;
        }
      }
    });
  }

private:
  bool max_;
  bool selectLast_ = false;
  AxisView view_;
  DType dtype_ = DType::f32;
};

using CumSumTypes = Types<float, double, int32_t, int64_t, uint32_t, uint64_t>;

// Accumulates in the element type, as numpy.cumsum does. The axis is the (normalized)
// attribute, or the optional second input: ONNX's axis in [-rank, rank), read and
// checked on every run, since a graph input can carry any value.
class RefCumSum final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 1, 2);
    const TensorView &x = requireInput(sig, 0, "X");
    const TensorView &y = requireOutput(sig, 0);
    requireDType(sig, x, CumSumTypes{}, "CumSum");
    requireSameDType(sig, x, y, "output");
    requireShape(sig, y, x.shape, "output");
    axisInput_ = optionalInput(sig, 1) != nullptr;
    if (axisInput_) {
      if (sig.attrs.has("axis")) kernelFail(sig, "axis is given both as an attribute and as an input");
      requireScalarInt(sig, *sig.inputs[1], "axis");
      if (x.rank() == 0) kernelFail(sig, "X must have rank >= 1 to take an axis");
      where_ = sig.op + " node '" + sig.node + "'";
      shape_ = x.shape;
    } else {
      view_ = axisView(sig, x);
    }
    exclusive_ = sig.attrs.i("exclusive", 0) != 0;
    reverse_ = sig.attrs.i("reverse", 0) != 0;
    dtype_ = x.dtype;
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    AxisView v = view_;
    if (axisInput_) {
      const int64_t rank = int64_t(shape_.size()), axis = scalarInt(*in[1]);
      if (axis < -rank || axis >= rank)
        throw Error(where_ + ": axis " + std::to_string(axis) + " is out of range for " + shapeStr(shape_) +
                    " (valid: -" + std::to_string(rank) + " to " + std::to_string(rank - 1) + ")");
      v = axisView(shape_, axis < 0 ? axis + rank : axis);
    }
    dispatch(CumSumTypes{}, dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T *x = in[0]->as<T>();
      T *y = out[0]->as<T>();
      for (int64_t o = 0; o < v.outer; ++o) {
        for (int64_t i = 0; i < v.inner; ++i) {
          const int64_t base = o * v.n * v.inner + i;
          T acc = 0;
          for (int64_t j = 0; j < v.n; ++j) {
            const int64_t at = base + (reverse_ ? v.n - 1 - j : j) * v.inner;
            const T sum = wrapAdd(acc, x[at]);
            y[at] = exclusive_ ? acc : sum;
            acc = sum;
          }
        }
      }
    });
  }

private:
  AxisView view_;
  bool exclusive_ = false, reverse_ = false, axisInput_ = false;
  std::vector<int64_t> shape_;  // with axisInput_: the view is made per run
  std::string where_;
  DType dtype_ = DType::f32;
};

}  // namespace
}  // namespace edgec::rt::ref

namespace edgec::rt {

void registerRefReduce(KernelRegistry &r) {
  using ref::ReduceOp;
  const std::pair<const char *, ReduceOp> ops[] = {
      {"ReduceMean", ReduceOp::Mean},          {"ReduceSum", ReduceOp::Sum},
      {"ReduceMax", ReduceOp::Max},            {"ReduceMin", ReduceOp::Min},
      {"ReduceProd", ReduceOp::Prod},          {"ReduceL1", ReduceOp::L1},
      {"ReduceL2", ReduceOp::L2},              {"ReduceLogSum", ReduceOp::LogSum},
      {"ReduceLogSumExp", ReduceOp::LogSumExp}, {"ReduceSumSquare", ReduceOp::SumSquare}};
  for (const auto &[name, op] : ops)
    r.add(name, Isa::Ref, [op = op] { return std::unique_ptr<Kernel>(new ref::RefReduce(op)); });
  r.add("ArgMax", Isa::Ref, [] { return std::unique_ptr<Kernel>(new ref::RefArgReduce(true)); });
  r.add("ArgMin", Isa::Ref, [] { return std::unique_ptr<Kernel>(new ref::RefArgReduce(false)); });
  r.add<ref::RefCumSum>("CumSum", Isa::Ref);
}

}  // namespace edgec::rt
