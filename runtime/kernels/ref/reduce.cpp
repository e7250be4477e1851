// Reference ReduceMean, ReduceSum, ReduceMax and ReduceMin.
//
// One pass over the input in memory order; each element is folded into the accumulator
// of its output position (stride 0 along reduced axes). Accumulators live in scratch,
// in double for float inputs, so the sum does not depend on the axis order.
#include <cmath>
#include <limits>

#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::ref {
namespace {

enum class ReduceOp { Mean, Sum, Max, Min };

template <typename T> using Accum = std::conditional_t<std::is_floating_point_v<T>, double, T>;

template <typename A> A identity(ReduceOp op) {
  using L = std::numeric_limits<A>;
  switch (op) {
  case ReduceOp::Max: return L::has_infinity ? -L::infinity() : L::lowest();
  case ReduceOp::Min: return L::has_infinity ? L::infinity() : L::max();
  default: return A(0);
  }
}

template <typename A> bool isNan(A v) {
  if constexpr (std::is_floating_point_v<A>) return std::isnan(v);
  return false;
}

template <typename A> A combine(ReduceOp op, A acc, A v) {
  switch (op) {
  case ReduceOp::Max: return (v > acc || isNan(v)) ? v : acc;  // a NaN wins and sticks
  case ReduceOp::Min: return (v < acc || isNan(v)) ? v : acc;
  default: return wrapAdd(acc, v);
  }
}

class RefReduce final : public Kernel {
public:
  explicit RefReduce(ReduceOp op) : op_(op) {}

  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 1, 1);
    const TensorView &x = requireInput(sig, 0, "X");
    const TensorView &y = requireOutput(sig, 0);
    if (op_ == ReduceOp::Mean)
      requireDType(sig, x, Types<float>{}, sig.op.c_str());
    else
      requireDType(sig, x, Types<float, int32_t, int64_t>{}, sig.op.c_str());
    requireSameDType(sig, x, y, "output");

    std::vector<int64_t> axes = sig.attrs.ints("axes");
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

    std::vector<int64_t> outStrides = contiguousStrides(kept);
    for (int d = 0; d < x.rank(); ++d)
      if (reduced[d]) outStrides[d] = 0;
    loop_ = StridedLoop<2>(x.shape, {outStrides, contiguousStrides(x.shape)});
    outCount_ = product(kept);
    reduceCount_ = 1;
    for (int64_t a : axes) reduceCount_ *= x.shape[a];
    dtype_ = x.dtype;
  }

  size_t scratchBytes() const override { return static_cast<size_t>(outCount_) * 8; }

  void run(const std::vector<const TensorView *> &in, const std::vector<TensorView *> &out,
           void *scratch) override {
    dispatch(Types<float, int32_t, int64_t>{}, dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      using A = Accum<T>;
      const T *x = in[0]->as<T>();
      T *y = out[0]->as<T>();
      A *acc = static_cast<A *>(scratch);
      std::fill(acc, acc + outCount_, identity<A>(op_));
      loop_.forEachRun(
          [&](const std::array<int64_t, 2> &off, int64_t n, const std::array<int64_t, 2> &step) {
            if (step[0] == 0) {  // a run along a reduced axis: fold it locally first
              A a = acc[off[0]];
              for (int64_t i = 0; i < n; ++i) a = combine<A>(op_, a, x[off[1] + i * step[1]]);
              acc[off[0]] = a;
            } else {
              for (int64_t i = 0; i < n; ++i) {
                A &a = acc[off[0] + i * step[0]];
                a = combine<A>(op_, a, x[off[1] + i * step[1]]);
              }
            }
          });
      for (int64_t i = 0; i < outCount_; ++i)
        y[i] =
            static_cast<T>(op_ == ReduceOp::Mean ? acc[i] / static_cast<A>(reduceCount_) : acc[i]);
    });
  }

private:
  ReduceOp op_;
  StridedLoop<2> loop_;
  int64_t outCount_ = 0, reduceCount_ = 1;
  DType dtype_ = DType::f32;
};

}  // namespace
}  // namespace edgec::rt::ref

namespace edgec::rt {

void registerRefReduce(KernelRegistry &r) {
  using ref::ReduceOp;
  const std::pair<const char *, ReduceOp> ops[] = {{"ReduceMean", ReduceOp::Mean},
                                                   {"ReduceSum", ReduceOp::Sum},
                                                   {"ReduceMax", ReduceOp::Max},
                                                   {"ReduceMin", ReduceOp::Min}};
  for (const auto &[name, op] : ops)
    r.add(name, Isa::Ref, [op = op] { return std::unique_ptr<Kernel>(new ref::RefReduce(op)); });
}

}  // namespace edgec::rt
