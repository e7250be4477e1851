// Reference Hardmax, TopK, OneHot and ReverseSequence: ops that select along one axis. Each views its
// tensor as [outer, n, inner] around that axis (n: the axis' size), takes k and depth
// from the output shapes (the compiler resolved them), and runs on one thread: a line
// is short and these ops are rare in inference graphs.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <type_traits>

#include "ref/runtime_params.h"
#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::ref {
namespace {

// [outer, n, inner] around `axis` of `shape`.
struct Lines {
  int64_t outer = 0, n = 0, inner = 0;
};
Lines linesAround(const std::vector<int64_t> &shape, int64_t axis) {
  return {product(shape, 0, axis), shape[axis], product(shape, axis + 1)};
}

int64_t checkedAxis(const KernelSignature &sig, int64_t rank) {
  const int64_t axis = sig.attrs.i("axis", -1);
  if (axis < 0 || axis >= rank)
    kernelFail(sig, "axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  return axis;
}

using FloatTypes = Types<float, double>;

class RefHardmax final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 1, 1);
    const TensorView &x = requireInput(sig, 0, "input");
    const TensorView &y = requireOutput(sig, 0);
    requireDType(sig, x, FloatTypes{}, "Hardmax");
    requireSameDType(sig, x, y, "output");
    requireShape(sig, y, x.shape, "output");
    lines_ = linesAround(x.shape, checkedAxis(sig, x.rank()));
    dtype_ = x.dtype;
  }

  void run(const RunContext &, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    dispatch(FloatTypes{}, dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T *x = in[0]->as<T>();
      T *y = out[0]->as<T>();
      const Lines l = lines_;
      std::fill(y, y + l.outer * l.n * l.inner, T(0));
      for (int64_t o = 0; o < l.outer; ++o)
        for (int64_t i = 0; i < l.inner; ++i) {
          const int64_t base = o * l.n * l.inner + i;
          // The first maximum wins; the first NaN is the maximum (numpy.argmax).
          int64_t best = 0;
          for (int64_t k = 1; k < l.n && !std::isnan(x[base + best * l.inner]); ++k) {
            const T c = x[base + k * l.inner];
            if (std::isnan(c) || c > x[base + best * l.inner]) best = k;
          }
          if (l.n > 0) y[base + best * l.inner] = T(1);
        }
    });
  }

private:
  Lines lines_;
  DType dtype_ = DType::f32;
};

// a ranks above b: larger (or smaller) first, a NaN above every number.
template <typename T> bool ranksAbove(T a, T b, bool largest) {
  if (isNan(a)) return !isNan(b) && largest;
  if (isNan(b)) return !largest;
  return largest ? a > b : a < b;
}

// TopK: k is the outputs' size along the axis; ONNX's K as input 1, read on every run,
// must be that size.
class RefTopK final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 1, 2);
    if ((kInput_ = optionalInput(sig, 1) != nullptr)) {
      requireScalarInt(sig, *sig.inputs[1], "K");
      where_ = nodeWhere(sig);
    }
    const TensorView &x = requireInput(sig, 0, "X");
    const TensorView &values = requireOutput(sig, 0), &indices = requireOutput(sig, 1);
    requireDType(sig, x, NumericTypes{}, "TopK");
    requireSameDType(sig, x, values, "values");
    requireDType(sig, indices, Types<int64_t>{}, "indices");
    const int64_t axis = checkedAxis(sig, x.rank());
    lines_ = linesAround(x.shape, axis);
    k_ = values.rank() == x.rank() ? values.shape[axis] : -1;
    std::vector<int64_t> expected = x.shape;
    expected[axis] = k_;
    if (k_ < 0 || k_ > lines_.n) kernelFail(sig, "values " + shapeStr(values.shape) + " do not fit input " + shapeStr(x.shape));
    requireShape(sig, values, expected, "values");
    requireShape(sig, indices, expected, "indices");
    largest_ = sig.attrs.i("largest", 1) != 0;
    dtype_ = x.dtype;
  }

  // One line's candidate positions, sorted in place.
  size_t scratchBytes() const override { return size_t(lines_.n) * sizeof(int64_t); }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    if (kInput_) {
      const int64_t k = scalarInt(*in[1]);
      if (k < 0) badValues(where_, valuesStr("K", {k}) + ": K must be >= 0");
      if (k != k_) shapeMismatch(where_, valuesStr("K", {k}), {k}, {k_}, "a size along the axis of");
    }
    dispatch(NumericTypes{}, dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T *x = in[0]->as<T>();
      T *values = out[0]->as<T>();
      int64_t *indices = out[1]->as<int64_t>();
      const Lines l = lines_;
      const int64_t k = k_;
      const bool largest = largest_;
      int64_t *order = reinterpret_cast<int64_t *>(ctx.scratch);
      for (int64_t o = 0; o < l.outer; ++o)
        for (int64_t i = 0; i < l.inner; ++i) {
          const T *xs = x + o * l.n * l.inner + i;
          for (int64_t j = 0; j < l.n; ++j) order[j] = j;
          // Ties keep the lower index first (ONNX): the position breaks them.
          std::partial_sort(order, order + k, order + l.n, [&](int64_t a, int64_t b) {
            const T va = xs[a * l.inner], vb = xs[b * l.inner];
            if (ranksAbove(va, vb, largest)) return true;
            if (ranksAbove(vb, va, largest)) return false;
            return a < b;
          });
          const int64_t outBase = o * k * l.inner + i;
          for (int64_t j = 0; j < k; ++j) {
            values[outBase + j * l.inner] = xs[order[j] * l.inner];
            indices[outBase + j * l.inner] = order[j];
          }
        }
    });
  }

private:
  Lines lines_;
  int64_t k_ = 0;
  bool largest_ = true, kInput_ = false;
  std::string where_;
  DType dtype_ = DType::f32;
};

// OneHot: inputs indices, values [off, on] and, known only at run time, ONNX's depth
// (read on every run, a float truncated; it must be the output's size along the axis).
class RefOneHot final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 2, 3);
    if (const TensorView *d = optionalInput(sig, 2)) {
      requireDType(sig, *d, NumericTypes{}, "depth");
      if (d->numel() != 1) kernelFail(sig, "depth must have one element, got " + shapeStr(d->shape));
      depthType_ = d->dtype;
      depthInput_ = true;
      where_ = nodeWhere(sig);
    }
    const TensorView &indices = requireInput(sig, 0, "indices");
    const TensorView &values = requireInput(sig, 1, "values");
    const TensorView &y = requireOutput(sig, 0);
    requireDType(sig, indices, NumericTypes{}, "indices");
    requireSameDType(sig, values, y, "output");
    requireUnpacked(sig, y);
    if (values.numel() != 2) kernelFail(sig, "values must hold two elements [off, on], got " + shapeStr(values.shape));
    // The output is indices' shape with the depth inserted at `axis`.
    const int64_t axis = checkedAxis(sig, y.rank());
    std::vector<int64_t> expected = y.shape;
    expected.erase(expected.begin() + axis);
    requireShape(sig, indices, expected, "indices");
    outer_ = product(y.shape, 0, axis);
    depth_ = y.shape[axis];
    inner_ = product(y.shape, axis + 1);
    indexType_ = indices.dtype;
    valueType_ = y.dtype;
  }

  void run(const RunContext &, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    if (depthInput_) {
      double raw = 0;
      dispatch(NumericTypes{}, depthType_, [&](auto tag) {
        using D = typename decltype(tag)::type;
        raw = static_cast<double>(in[2]->as<D>()[0]);
      });
      if (!(raw >= 1 && raw < 9.2e18))  // NaN too
        badValues(where_, "depth " + std::to_string(raw) + ": depth must be >= 1");
      const int64_t depth = static_cast<int64_t>(raw);  // truncated, as ONNX's reference
      if (depth != depth_) shapeMismatch(where_, valuesStr("depth", {depth}), {depth}, {depth_}, "a size along the axis of");
    }
    dispatch(NumericTypes{}, indexType_, [&](auto itag) {
      using I = typename decltype(itag)::type;
      dispatchBySize(valueType_, [&](auto vtag) {
        using V = typename decltype(vtag)::type;
        const I *idx = in[0]->as<I>();
        const V off = in[1]->as<V>()[0], on = in[1]->as<V>()[1];
        V *y = out[0]->as<V>();
        const int64_t depth = depth_, inner = inner_;
        std::fill(y, y + outer_ * depth * inner, off);
        for (int64_t o = 0; o < outer_; ++o)
          for (int64_t i = 0; i < inner; ++i) {
            const std::optional<int64_t> hot = position(idx[o * inner + i], depth);
            if (hot) y[(o * depth + *hot) * inner + i] = on;
          }
      });
    });
  }

private:
  // The hot position of one index in [0, depth), or none: float indices truncate toward
  // zero, negative ones count from the end, out-of-range ones (and NaN) are all off.
  template <typename I> static std::optional<int64_t> position(I raw, int64_t depth) {
    double v = static_cast<double>(raw);
    if constexpr (std::is_floating_point_v<I>) {
      if (std::isnan(raw)) return std::nullopt;
      v = std::trunc(v);
    }
    if (v < -double(depth) || v >= double(depth)) return std::nullopt;
    const int64_t i = static_cast<int64_t>(v);
    return i < 0 ? i + depth : i;
  }

  int64_t outer_ = 0, depth_ = 0, inner_ = 0;
  DType indexType_ = DType::i64, valueType_ = DType::f32, depthType_ = DType::i64;
  bool depthInput_ = false;
  std::string where_;
};

// [batch, time, inner] or [time, batch, inner]: each entry's first sequence_lens[b]
// steps reversed, the rest copied; the lengths are read (and checked) on every run.
class RefReverseSequence final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 2, 2);
    const TensorView &x = requireInput(sig, 0, "input");
    const TensorView &lens = requireInput(sig, 1, "sequence_lens");
    const TensorView &y = requireOutput(sig, 0);
    requireSameDType(sig, x, y, "output");
    requireUnpacked(sig, x);
    requireShape(sig, y, x.shape, "output");
    requireDType(sig, lens, Types<int64_t>{}, "sequence_lens");
    if (x.rank() < 2) kernelFail(sig, "input must have rank >= 2, got " + shapeStr(x.shape));
    batchFirst_ = sig.attrs.i("batch_axis", 1) == 0;
    if (sig.attrs.i("time_axis", 0) != (batchFirst_ ? 1 : 0))
      kernelFail(sig, "batch_axis and time_axis must be 0 and 1 in some order");
    batch_ = x.shape[batchFirst_ ? 0 : 1];
    time_ = x.shape[batchFirst_ ? 1 : 0];
    requireShape(sig, lens, {batch_}, "sequence_lens");
    rowBytes_ = size_t(product(x.shape, 2)) * dtypeSize(x.dtype);
    where_ = sig.op + " node '" + sig.node + "'";
  }

  void run(const RunContext &, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const auto *x = static_cast<const uint8_t *>(in[0]->data);
    const int64_t *lens = in[1]->as<int64_t>();
    auto *y = static_cast<uint8_t *>(out[0]->data);
    auto row = [&](int64_t b, int64_t t) {
      return size_t(batchFirst_ ? b * time_ + t : t * batch_ + b) * rowBytes_;
    };
    for (int64_t b = 0; b < batch_; ++b) {
      const int64_t len = lens[b];
      if (len < 0 || len > time_)
        throw Error(where_ + ": sequence_lens[" + std::to_string(b) + "] = " + std::to_string(len) +
                    " is outside [0, " + std::to_string(time_) + "]");
      for (int64_t t = 0; t < time_; ++t)
        std::memcpy(y + row(b, t), x + row(b, t < len ? len - 1 - t : t), rowBytes_);
    }
  }

private:
  bool batchFirst_ = false;
  int64_t batch_ = 0, time_ = 0;
  size_t rowBytes_ = 0;
  std::string where_;
};

}  // namespace
}  // namespace edgec::rt::ref

namespace edgec::rt {

void registerRefSelection(KernelRegistry &r) {
  r.add<ref::RefHardmax>("Hardmax", Isa::Ref);
  r.add<ref::RefTopK>("TopK", Isa::Ref);
  r.add<ref::RefOneHot>("OneHot", Isa::Ref);
  r.add<ref::RefReverseSequence>("ReverseSequence", Isa::Ref);
}

}  // namespace edgec::rt
