// Reference data movement: Copy, Transpose, Concat, Split, Slice, Gather, Expand and Cast.
// Except for Cast these only move elements, so they dispatch on the element size.
#include <cmath>
#include <cstring>
#include <limits>

#include "ref/quant_params.h"
#include "ref/runtime_params.h"
#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::ref {
namespace {

// Reshape, Flatten, Squeeze, Unsqueeze and Identity: the bytes do not change.
class RefCopy final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 1, 1);
    const TensorView &x = requireInput(sig, 0, "X");
    const TensorView &y = requireOutput(sig, 0);
    requireSameDType(sig, x, y, "output");
    requireSameQuantParams(sig, x, y);
    if (x.numel() != y.numel())
      kernelFail(sig, "cannot copy " + shapeStr(x.shape) + " into " + shapeStr(y.shape));
    bytes_ = x.nbytes();  // packed and block types included: the bytes do not change
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    if (in[0]->data != out[0]->data && bytes_ > 0) std::memcpy(out[0]->data, in[0]->data, bytes_);
  }

private:
  size_t bytes_ = 0;
};

class RefTranspose final : public StridedCopyKernel {
public:
  using StridedCopyKernel::StridedCopyKernel;
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 1, 1);
    const TensorView &x = requireInput(sig, 0, "X");
    const TensorView &y = requireOutput(sig, 0);
    requireSameDType(sig, x, y, "output");
    requireSameQuantParams(sig, x, y);
    requireUnpacked(sig, x);
    const int rank = x.rank();
    std::vector<int64_t> perm(rank);
    for (int i = 0; i < rank; ++i) perm[i] = rank - 1 - i;  // ONNX default: reverse
    perm = sig.attrs.ints("perm", perm);
    std::vector<bool> seen(rank, false);
    if (static_cast<int>(perm.size()) != rank)
      kernelFail(sig, "perm " + shapeStr(perm) + " does not match rank " + std::to_string(rank));
    for (int64_t p : perm) {
      if (p < 0 || p >= rank || seen[p])
        kernelFail(sig, "perm " + shapeStr(perm) + " is not a permutation");
      seen[p] = true;
    }
    const std::vector<int64_t> inStrides = contiguousStrides(x.shape);
    std::vector<int64_t> expected(rank), strides(rank);
    for (int i = 0; i < rank; ++i) {
      expected[i] = x.shape[perm[i]];
      strides[i] = inStrides[perm[i]];
    }
    requireShape(sig, y, expected, "output");
    loop_ = StridedLoop<2>(y.shape, {contiguousStrides(y.shape), strides});
    dtype_ = x.dtype;
  }
};

class RefConcat final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    if (sig.inputs.empty()) kernelFail(sig, "needs at least one input");
    const TensorView &y = requireOutput(sig, 0);
    requireUnpacked(sig, y);
    const int64_t axis = sig.attrs.i("axis", 0);
    if (axis < 0 || axis >= y.rank())
      kernelFail(sig,
                 "axis " + std::to_string(axis) + " out of range for output " + shapeStr(y.shape));
    const int64_t inner = product(y.shape, axis + 1) * static_cast<int64_t>(dtypeSize(y.dtype));
    int64_t total = 0;
    chunks_.clear();
    for (size_t i = 0; i < sig.inputs.size(); ++i) {
      const TensorView &x = requireInput(sig, i, "X");
      requireSameDType(sig, y, x, "input");
      requireSameQuantParams(sig, x, y);
      std::vector<int64_t> expected = y.shape;
      expected[axis] = x.rank() == y.rank() ? x.shape[axis] : -1;
      requireShape(sig, x, expected, "input");
      chunks_.push_back(static_cast<size_t>(x.shape[axis] * inner));
      total += x.shape[axis];
    }
    if (total != y.shape[axis])
      kernelFail(sig, "inputs add up to " + std::to_string(total) + " along axis " +
                          std::to_string(axis) + ", output has " + std::to_string(y.shape[axis]));
    outer_ = product(y.shape, 0, axis);
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    auto *y = static_cast<uint8_t *>(out[0]->data);
    for (int64_t o = 0; o < outer_; ++o) {
      for (size_t i = 0; i < in.size(); ++i) {
        if (chunks_[i] == 0) continue;
        std::memcpy(y, static_cast<const uint8_t *>(in[i]->data) + o * chunks_[i], chunks_[i]);
        y += chunks_[i];
      }
    }
  }

private:
  int64_t outer_ = 0;
  std::vector<size_t> chunks_;  // bytes each input contributes per outer index
};

// The inverse of Concat: each output takes its chunk of every outer slice. The outputs'
// sizes along the axis are the split; ONNX's split as input 1, read on every run, must
// be them.
class RefSplit final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 1, 2);
    const TensorView &x = requireInput(sig, 0, "X");
    requireUnpacked(sig, x);
    if (sig.outputs.empty()) kernelFail(sig, "needs at least one output");
    splitInput_ = optionalInput(sig, 1) != nullptr;
    if (splitInput_) {
      requireIntList(sig, *sig.inputs[1], "split");
      if (sig.inputs[1]->numel() != static_cast<int64_t>(sig.outputs.size()))
        kernelFail(sig, "split has " + std::to_string(sig.inputs[1]->numel()) + " values for " +
                            std::to_string(sig.outputs.size()) + " outputs");
      where_ = nodeWhere(sig);
    }
    const int64_t axis = sig.attrs.i("axis", 0);
    if (axis < 0 || axis >= x.rank())
      kernelFail(sig,
                 "axis " + std::to_string(axis) + " out of range for input " + shapeStr(x.shape));
    const int64_t inner = product(x.shape, axis + 1) * static_cast<int64_t>(dtypeSize(x.dtype));
    int64_t total = 0;
    chunks_.clear();
    for (size_t i = 0; i < sig.outputs.size(); ++i) {
      const TensorView &y = requireOutput(sig, i);
      requireSameDType(sig, x, y, "output");
      requireSameQuantParams(sig, x, y);
      std::vector<int64_t> expected = x.shape;
      expected[axis] = y.rank() == x.rank() ? y.shape[axis] : -1;
      requireShape(sig, y, expected, "output");
      chunks_.push_back(static_cast<size_t>(y.shape[axis] * inner));
      total += y.shape[axis];
    }
    if (total != x.shape[axis])
      kernelFail(sig, "outputs add up to " + std::to_string(total) + " along axis " +
                          std::to_string(axis) + ", input has " + std::to_string(x.shape[axis]));
    outer_ = product(x.shape, 0, axis);
    for (size_t i = 0; i < sig.outputs.size(); ++i) sizes_.push_back(sig.outputs[i]->shape[axis]);
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    if (splitInput_) {
      const std::vector<int64_t> split = intValues(*in[1]);
      for (int64_t s : split)
        if (s < 0) badValues(where_, valuesStr("split", split) + ": sizes must be >= 0");
      if (split != sizes_) shapeMismatch(where_, valuesStr("split", split), split, sizes_, "sizes");
    }
    const auto *x = static_cast<const uint8_t *>(in[0]->data);
    for (int64_t o = 0; o < outer_; ++o) {
      for (size_t i = 0; i < out.size(); ++i) {
        if (chunks_[i] == 0) continue;
        std::memcpy(static_cast<uint8_t *>(out[i]->data) + o * chunks_[i], x, chunks_[i]);
        x += chunks_[i];
      }
    }
  }

private:
  int64_t outer_ = 0;
  std::vector<size_t> chunks_;  // bytes each output takes per outer index
  std::vector<int64_t> sizes_;  // each output's size along the axis
  bool splitInput_ = false;
  std::string where_;
};

// Slice: the compiler's normalized (start, step) per dim, or ONNX's starts, ends, axes?
// and steps? as inputs 1-4, read on every run (then no attributes): the values choose
// what is read, and must give the compiled output shape.
class RefSlice final : public Kernel {
public:
  explicit RefSlice(StridedCopyFn copy = refStridedCopy) : copy_(copy) {}
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 1, 5);
    const TensorView &x = requireInput(sig, 0, "X");
    const TensorView &y = requireOutput(sig, 0);
    requireSameDType(sig, x, y, "output");
    requireSameQuantParams(sig, x, y);
    requireUnpacked(sig, x);
    if (y.rank() != x.rank()) kernelFail(sig, "output rank differs from the input's " + shapeStr(x.shape));
    dtype_ = x.dtype;
    runtime_ = sig.inputs.size() > 1;
    if (runtime_) {
      if (sig.attrs.has("starts") || sig.attrs.has("steps"))
        kernelFail(sig, "starts/steps are given both as attributes and as inputs");
      const char *names[] = {"starts", "ends", "axes", "steps"};
      const int64_t count = requireInput(sig, 1, "starts").numel();
      requireInput(sig, 2, "ends");
      for (size_t i = 1; i < sig.inputs.size(); ++i) {
        if (!sig.inputs[i]) continue;
        requireIntList(sig, *sig.inputs[i], names[i - 1]);
        if (sig.inputs[i]->numel() != count)
          kernelFail(sig, std::string(names[i - 1]) + " has " + std::to_string(sig.inputs[i]->numel()) +
                              " values, starts " + std::to_string(count));
      }
      inShape_ = x.shape;
      outShape_ = y.shape;
      where_ = nodeWhere(sig);
      return;
    }
    const std::vector<int64_t> starts = sig.attrs.ints("starts");
    const std::vector<int64_t> steps = sig.attrs.ints("steps", std::vector<int64_t>(x.rank(), 1));
    if (static_cast<int>(starts.size()) != x.rank() || static_cast<int>(steps.size()) != x.rank())
      kernelFail(sig, "starts/steps/output must have one entry per axis of " + shapeStr(x.shape));
    const std::vector<int64_t> inStrides = contiguousStrides(x.shape);
    std::vector<int64_t> strides(x.rank());
    int64_t base = 0;
    for (int d = 0; d < x.rank(); ++d) {
      const int64_t last = starts[d] + (y.shape[d] - 1) * steps[d];
      if (steps[d] == 0 || (y.shape[d] > 0 && (starts[d] < 0 || starts[d] >= x.shape[d] ||
                                               last < 0 || last >= x.shape[d])))
        kernelFail(sig, "slice of axis " + std::to_string(d) + " (start " +
                            std::to_string(starts[d]) + ", step " + std::to_string(steps[d]) +
                            ", " + std::to_string(y.shape[d]) + " elements) leaves " +
                            shapeStr(x.shape));
      base += starts[d] * inStrides[d];
      strides[d] = steps[d] * inStrides[d];
    }
    loop_ = StridedLoop<2>(y.shape, {contiguousStrides(y.shape), strides});
    loop_.base = {0, base};
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    if (runtime_) copy_(ctx, runtimeLoop(in), dtypeSize(dtype_), out[0]->data, in[0]->data);
    else copy_(ctx, loop_, dtypeSize(dtype_), out[0]->data, in[0]->data);
  }

private:
  // ONNX's rules: negative starts/ends count from the end, then clamp to the dim ([0,
  // dim] forwards, [0, dim - 1] and [-1, dim - 1] backwards).
  StridedLoop<2> runtimeLoop(const std::vector<const TensorView *> &in) const {
    const int64_t rank = static_cast<int64_t>(inShape_.size());
    const std::vector<int64_t> starts = intValues(*in[1]), ends = intValues(*in[2]);
    const bool hasAxes = in.size() > 3 && in[3]->data, hasSteps = in.size() > 4 && in[4]->data;
    std::vector<int64_t> axes, steps(starts.size(), 1);
    if (hasAxes) axes = intValues(*in[3]);
    else for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
    if (hasSteps) steps = intValues(*in[4]);
    std::string values = valuesStr("starts", starts) + " " + valuesStr("ends", ends);
    if (hasAxes) values += " " + valuesStr("axes", axes);
    if (hasSteps) values += " " + valuesStr("steps", steps);

    std::vector<int64_t> shape = inShape_, first(rank, 0), step(rank, 1);
    std::vector<bool> seen(rank, false);
    for (size_t i = 0; i < starts.size(); ++i) {
      if (axes[i] < -rank || axes[i] >= rank)
        badValues(where_, values + ": axis " + std::to_string(axes[i]) + " is out of range for " +
                              shapeStr(inShape_));
      const int64_t a = axes[i] < 0 ? axes[i] + rank : axes[i], dim = inShape_[a], st = steps[i];
      if (seen[a]) badValues(where_, values + ": axis " + std::to_string(a) + " is sliced twice");
      seen[a] = true;
      if (st == 0) badValues(where_, values + ": steps must be non-zero");
      const SliceRange range = sliceRange(starts[i], ends[i], st, dim);
      shape[a] = range.count;
      first[a] = range.first;
      step[a] = shape[a] > 1 ? st : 1;  // a stride is only taken between selected elements
    }
    if (shape != outShape_) shapeMismatch(where_, values, shape, outShape_);
    const std::vector<int64_t> inStrides = contiguousStrides(inShape_);
    std::vector<int64_t> strides(rank);
    int64_t base = 0;
    for (int64_t d = 0; d < rank; ++d) {
      if (shape[d] > 0) base += first[d] * inStrides[d];
      strides[d] = step[d] * inStrides[d];
    }
    StridedLoop<2> loop(outShape_, {contiguousStrides(outShape_), strides});
    loop.base = {0, base};
    return loop;
  }

  StridedCopyFn copy_;
  StridedLoop<2> loop_;
  bool runtime_ = false;
  std::vector<int64_t> inShape_, outShape_;
  std::string where_;
  DType dtype_ = DType::f32;
};

class RefGather final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 2, 2);
    const TensorView &x = requireInput(sig, 0, "data");
    const TensorView &idx = requireInput(sig, 1, "indices");
    const TensorView &y = requireOutput(sig, 0);
    requireSameDType(sig, x, y, "output");
    requireSameQuantParams(sig, x, y);
    requireUnpacked(sig, x);
    requireDType(sig, idx, Types<int32_t, int64_t>{}, "Gather indices");
    if (x.rank() < 1) kernelFail(sig, "data must have rank >= 1");
    const int64_t axis = sig.attrs.i("axis", 0);
    if (axis < 0 || axis >= x.rank())
      kernelFail(sig, "axis " + std::to_string(axis) + " out of range for " + shapeStr(x.shape));
    std::vector<int64_t> expected(x.shape.begin(), x.shape.begin() + axis);
    expected.insert(expected.end(), idx.shape.begin(), idx.shape.end());
    expected.insert(expected.end(), x.shape.begin() + axis + 1, x.shape.end());
    requireShape(sig, y, expected, "output");
    outer_ = product(x.shape, 0, axis);
    axisDim_ = x.shape[axis];
    count_ = idx.numel();
    chunk_ = static_cast<size_t>(product(x.shape, axis + 1)) * dtypeSize(x.dtype);
    indexType_ = idx.dtype;
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    dispatch(Types<int32_t, int64_t>{}, indexType_, [&](auto tag) {
      using I = typename decltype(tag)::type;
      const auto *x = static_cast<const uint8_t *>(in[0]->data);
      const I *idx = in[1]->as<I>();
      auto *y = static_cast<uint8_t *>(out[0]->data);
      for (int64_t o = 0; o < outer_; ++o) {
        for (int64_t j = 0; j < count_; ++j) {
          int64_t i = idx[j];
          if (i < 0) i += axisDim_;
          if (i < 0 || i >= axisDim_)
            throw Error("Gather: index " + std::to_string(idx[j]) + " out of range for a dim of " +
                        std::to_string(axisDim_));
          std::memcpy(y, x + (o * axisDim_ + i) * chunk_, chunk_);
          y += chunk_;
        }
      }
    });
  }

private:
  int64_t outer_ = 0, axisDim_ = 0, count_ = 0;
  size_t chunk_ = 0;  // bytes per gathered slice
  DType indexType_ = DType::i64;
};

// The compiler turned ONNX's target-shape input into the output's shape; a shape known
// only at run time is the optional input 1 (i64 list), read on every run: X broadcast
// with it (ONNX's rule: a 1 on either side takes the other's size) must give the
// compiled shape.
class RefExpand final : public Kernel {
public:
  explicit RefExpand(StridedCopyFn copy = refStridedCopy) : copy_(copy) {}
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 1, 2);
    if (const TensorView *shape = optionalInput(sig, 1)) {
      if (shape->dtype != DType::i64) kernelFail(sig, std::string("shape must be int64, got ") + dtypeName(shape->dtype));
      if (shape->rank() != 1 || shape->shape[0] > int64_t(requireOutput(sig, 0).rank()))
        kernelFail(sig, "shape must be a list of at most the output's rank values, got " + shapeStr(shape->shape));
      shapeInput_ = true;
      where_ = sig.op + " node '" + sig.node + "'";
    }
    const TensorView &x = requireInput(sig, 0, "X");
    const TensorView &y = requireOutput(sig, 0);
    requireSameDType(sig, x, y, "output");
    requireSameQuantParams(sig, x, y);
    requireUnpacked(sig, x);
    if (!broadcastsTo(x.shape, y.shape))
      kernelFail(sig, "X " + shapeStr(x.shape) + " does not broadcast to " + shapeStr(y.shape));
    loop_ =
        StridedLoop<2>(y.shape, {contiguousStrides(y.shape), broadcastStrides(x.shape, y.shape)});
    dtype_ = x.dtype;
    inShape_ = x.shape;
    outShape_ = y.shape;
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    if (shapeInput_) checkShape(*in[1]);
    copy_(ctx, loop_, dtypeSize(dtype_), out[0]->data, in[0]->data);
  }

private:
  // The run's shape values against the compiled output shape.
  void checkShape(const TensorView &t) const {
    const std::vector<int64_t> shape(t.as<int64_t>(), t.as<int64_t>() + t.numel());
    std::string given = "shape [";
    for (size_t i = 0; i < shape.size(); ++i) given += (i ? ", " : "") + std::to_string(shape[i]);
    given += "]";
    for (int64_t d : shape)
      if (d < 0) throw Error(where_ + ": " + given + ": dims must be >= 0");
    // Right-aligned bidirectional broadcast of X's shape and the values.
    const size_t rank = std::max(shape.size(), inShape_.size());
    std::vector<int64_t> implied(rank);
    for (size_t i = 0; i < rank; ++i) {
      const int64_t a = i + inShape_.size() >= rank ? inShape_[i + inShape_.size() - rank] : 1;
      const int64_t b = i + shape.size() >= rank ? shape[i + shape.size() - rank] : 1;
      if (a != b && a != 1 && b != 1)
        throw Error(where_ + ": " + given + " does not broadcast with X " + shapeStr(inShape_));
      implied[i] = a == 1 ? b : a;
    }
    if (implied != outShape_)
      throw Error(where_ + ": " + given + " give shape " + shapeStr(implied) + " but the package was compiled for " +
                  shapeStr(outShape_) +
                  "; shapes are fixed at compile time (freeze the input with edgec compile --bind NAME=FILE.npy)");
  }

  StridedCopyFn copy_;
  StridedLoop<2> loop_;
  DType dtype_ = DType::f32;
  bool shapeInput_ = false;
  std::string where_;
  std::vector<int64_t> inShape_, outShape_;
};

// ---- Cast ----

// Float to integer: truncation toward zero. Out-of-range values are undefined in ONNX;
// here NaN gives 0, values inside int64 wrap to the target width (what numpy does on
// x86) and values beyond saturate.
template <typename D, typename S> D floatToInt(S s) {
  if (std::isnan(s)) return 0;
  const double t = std::trunc(static_cast<double>(s));
  constexpr double two63 = 9223372036854775808.0;
  if (t >= -two63 && t < two63) return static_cast<D>(static_cast<int64_t>(t));
  if (std::is_same_v<D, uint64_t> && t >= two63 && t < 2 * two63)
    return static_cast<D>(static_cast<uint64_t>(t));
  return t < 0 ? std::numeric_limits<D>::lowest() : std::numeric_limits<D>::max();
}

template <typename D, typename S> D castValue(S s) {
  if constexpr (std::is_same_v<S, Half>) {
    return castValue<D>(halfToFloat(s.bits));
  } else if constexpr (std::is_same_v<S, Bool>) {
    return castValue<D>(static_cast<uint8_t>(s.v != 0));
  } else if constexpr (std::is_same_v<D, Half>) {
    return Half{halfFromDouble(static_cast<double>(s))};
  } else if constexpr (std::is_same_v<D, Bool>) {
    return Bool{static_cast<uint8_t>(s != S(0))};
  } else if constexpr (std::is_integral_v<D> && std::is_floating_point_v<S>) {
    return floatToInt<D>(s);
  } else {
    return static_cast<D>(s);
  }
}

class RefCast final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 1, 1);
    const TensorView &x = requireInput(sig, 0, "X");
    const TensorView &y = requireOutput(sig, 0);
    requireDType(sig, x, CastTypes{}, "Cast input");
    requireDType(sig, y, CastTypes{}, "Cast output");
    requireShape(sig, y, x.shape, "output");
    from_ = x.dtype;
    to_ = y.dtype;
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    dispatch(CastTypes{}, from_, [&](auto st) {
      dispatch(CastTypes{}, to_, [&](auto dt) {
        using S = typename decltype(st)::type;
        using D = typename decltype(dt)::type;
        const S *x = in[0]->as<S>();
        D *y = out[0]->as<D>();
        const int64_t n = in[0]->numel();
        for (int64_t i = 0; i < n; ++i) y[i] = castValue<D>(x[i]);
      });
    });
  }

private:
  DType from_ = DType::f32, to_ = DType::f32;
};

}  // namespace

void refStridedCopy(const RunContext &, const StridedLoop<2> &loop, size_t elementBytes, void *out, const void *in) {
  auto as = [&](auto tag) {
    using T = typename decltype(tag)::type;
    gatherLoop(loop, static_cast<T *>(out), static_cast<const T *>(in));
  };
  switch (elementBytes) {
  case 1: return as(Tag<uint8_t>{});
  case 2: return as(Tag<uint16_t>{});
  case 4: return as(Tag<uint32_t>{});
  case 8: return as(Tag<uint64_t>{});
  }
}

}  // namespace edgec::rt::ref

namespace edgec::rt {

void registerStridedCopyDataMovement(KernelRegistry &r, Isa isa, ref::StridedCopyFn copy) {
  r.add("Transpose", isa, [copy] { return std::unique_ptr<Kernel>(new ref::RefTranspose(copy)); });
  r.add("Slice", isa, [copy] { return std::unique_ptr<Kernel>(new ref::RefSlice(copy)); });
  r.add("Expand", isa, [copy] { return std::unique_ptr<Kernel>(new ref::RefExpand(copy)); });
}

void registerRefDataMovement(KernelRegistry &r) {
  r.add<ref::RefCopy>("Copy", Isa::Ref);
  r.add<ref::RefConcat>("Concat", Isa::Ref);
  r.add<ref::RefSplit>("Split", Isa::Ref);
  r.add<ref::RefGather>("Gather", Isa::Ref);
  r.add<ref::RefCast>("Cast", Isa::Ref);
  registerStridedCopyDataMovement(r, Isa::Ref, ref::refStridedCopy);
}

}  // namespace edgec::rt
