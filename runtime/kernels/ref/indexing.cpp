// Reference GatherElements, ScatterElements, GatherND and ScatterND: elements (or slices)
// addressed by run-time indices. Every index is checked against its dim before it is used
// (negative ones count from the end), and one out of range fails the call with an Error
// naming the op and node: the indices are data, so no check at compile time can catch it.
// Gathers and plain scatters only move elements (dispatch on the element size); add and
// mul reductions compute in the element's type (f16 through float, integers wrapping).
// All run on one thread: a scatter's updates land in index order (the last of duplicate
// indices wins, or they accumulate in that order).
#include <cstring>

#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::ref {
namespace {

using IndexTypes = Types<int32_t, int64_t>;
// Elements add and mul reductions compute with (not bool).
using ReducibleTypes =
    Types<float, Half, double, int8_t, uint8_t, int16_t, uint16_t, int32_t, uint32_t, int64_t, uint64_t>;

enum class Reduction { None, Add, Mul };

// Resolves an index into [0, dim), or throws naming the op, its node and the dim.
class IndexChecker {
public:
  void prepare(const KernelSignature &sig) { where_ = sig.op + " node '" + sig.node + "'"; }
  template <typename I> int64_t operator()(I raw, int64_t dim, int64_t dataDim) const {
    int64_t i = static_cast<int64_t>(raw);
    if (i < 0) i += dim;
    if (i < 0 || i >= dim)
      throw Error(where_ + ": index " + std::to_string(raw) + " is out of range for data dim " +
                  std::to_string(dataDim) + " of size " + std::to_string(dim));
    return i;
  }

private:
  std::string where_;
};

// Data, indices and (for scatters) updates: dtypes every kernel here requires.
void requireIndexingDTypes(const KernelSignature &sig, const TensorView &data, const TensorView &idx,
                           const TensorView &y) {
  requireSameDType(sig, data, y, "output");
  requireUnpacked(sig, data);
  if (data.quant || y.quant) kernelFail(sig, "quantized tensors are not supported");
  requireDType(sig, idx, IndexTypes{}, "indices");
}

Reduction reductionOf(const KernelSignature &sig, DType dtype) {
  const std::string r = sig.attrs.s("reduction", "none");
  if (r == "none") return Reduction::None;
  if (r != "add" && r != "mul") kernelFail(sig, "unsupported reduction '" + r + "' (none, add or mul)");
  if (!isOneOf(ReducibleTypes{}, dtype))
    kernelFail(sig, "reduction '" + r + "' is not supported for " + dtypeName(dtype) + " elements");
  return r == "add" ? Reduction::Add : Reduction::Mul;
}

// dst = dst (+ or *) src for `n` elements of dtype `dtype`, or a copy for Reduction::None.
void combine(Reduction red, DType dtype, uint8_t *dst, const uint8_t *src, int64_t n) {
  if (red == Reduction::None) {
    std::memcpy(dst, src, static_cast<size_t>(n) * dtypeSize(dtype));
    return;
  }
  dispatch(ReducibleTypes{}, dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    using A = Arith<T>;
    T *d = reinterpret_cast<T *>(dst);
    const T *s = reinterpret_cast<const T *>(src);
    for (int64_t e = 0; e < n; ++e) {
      auto a = A::load(d[e]), b = A::load(s[e]);
      d[e] = A::store(red == Reduction::Add ? wrapAdd(a, b) : wrapMul(a, b));
    }
  });
}

// GatherElements and ScatterElements walk the positions of `indices` (rank r, the same
// as data's); position p addresses data at p with p[axis] replaced by the index there.
class ElementsWalk {
public:
  void prepare(const KernelSignature &sig, const TensorView &data, const TensorView &idx) {
    if (data.rank() < 1) kernelFail(sig, "data must have rank >= 1");
    if (idx.rank() != data.rank())
      kernelFail(sig, "indices " + shapeStr(idx.shape) + " must have the rank of data " + shapeStr(data.shape));
    axis_ = sig.attrs.i("axis");
    if (axis_ < 0 || axis_ >= data.rank())
      kernelFail(sig, "axis " + std::to_string(axis_) + " out of range for " + shapeStr(data.shape));
    for (int d = 0; d < data.rank(); ++d)
      if (d != axis_ && idx.shape[d] > data.shape[d])
        kernelFail(sig, "indices " + shapeStr(idx.shape) + " exceed data " + shapeStr(data.shape) + " in dim " +
                            std::to_string(d));
    shape_ = idx.shape;
    strides_ = contiguousStrides(data.shape);
    axisDim_ = data.shape[axis_];
    count_ = idx.numel();
    check_.prepare(sig);
  }

  // fn(j, offset): the j-th index position and the data element it addresses.
  template <typename I, typename Fn> void forEach(const I *idx, Fn &&fn) const {
    const int rank = static_cast<int>(shape_.size());
    std::vector<int64_t> pos(rank, 0);
    int64_t base = 0;  // offset of pos in data, without the axis term
    for (int64_t j = 0; j < count_; ++j) {
      fn(j, base + check_(idx[j], axisDim_, axis_) * strides_[axis_]);
      for (int d = rank - 1; d >= 0; --d) {
        const int64_t step = d == axis_ ? 0 : strides_[d];
        base += step;
        if (++pos[d] < shape_[d]) break;
        base -= step * shape_[d];
        pos[d] = 0;
      }
    }
  }

private:
  std::vector<int64_t> shape_, strides_;
  int64_t axis_ = 0, axisDim_ = 0, count_ = 0;
  IndexChecker check_;
};

class RefGatherElements final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 2, 2);
    const TensorView &x = requireInput(sig, 0, "data");
    const TensorView &idx = requireInput(sig, 1, "indices");
    const TensorView &y = requireOutput(sig, 0);
    requireIndexingDTypes(sig, x, idx, y);
    walk_.prepare(sig, x, idx);
    requireShape(sig, y, idx.shape, "output");
    dtype_ = x.dtype;
    indexType_ = idx.dtype;
  }

  void run(const RunContext &, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    dispatchBySize(dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T *x = in[0]->as<T>();
      T *y = out[0]->as<T>();
      dispatch(IndexTypes{}, indexType_, [&](auto itag) {
        using I = typename decltype(itag)::type;
        walk_.forEach(in[1]->as<I>(), [&](int64_t j, int64_t at) { y[j] = x[at]; });
      });
    });
  }

private:
  ElementsWalk walk_;
  DType dtype_ = DType::f32, indexType_ = DType::i64;
};

class RefScatterElements final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 3, 3);
    const TensorView &x = requireInput(sig, 0, "data");
    const TensorView &idx = requireInput(sig, 1, "indices");
    const TensorView &upd = requireInput(sig, 2, "updates");
    const TensorView &y = requireOutput(sig, 0);
    requireIndexingDTypes(sig, x, idx, y);
    requireSameDType(sig, x, upd, "updates");
    walk_.prepare(sig, x, idx);
    requireShape(sig, upd, idx.shape, "updates");
    requireShape(sig, y, x.shape, "output");
    reduction_ = reductionOf(sig, x.dtype);
    dtype_ = x.dtype;
    indexType_ = idx.dtype;
    bytes_ = x.nbytes();
  }

  void run(const RunContext &, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    auto *y = static_cast<uint8_t *>(out[0]->data);
    const auto *upd = static_cast<const uint8_t *>(in[2]->data);
    if (in[0]->data != y && bytes_ > 0) std::memcpy(y, in[0]->data, bytes_);
    const size_t size = dtypeSize(dtype_);
    dispatch(IndexTypes{}, indexType_, [&](auto itag) {
      using I = typename decltype(itag)::type;
      walk_.forEach(in[1]->as<I>(),
                    [&](int64_t j, int64_t at) { combine(reduction_, dtype_, y + at * size, upd + j * size, 1); });
    });
  }

private:
  ElementsWalk walk_;
  Reduction reduction_ = Reduction::None;
  DType dtype_ = DType::f32, indexType_ = DType::i64;
  size_t bytes_ = 0;
};

// GatherND and ScatterND: `indices` is [batch..., tuples..., k]; each k-tuple addresses a
// slice of data's dims [b, b + k) within its batch (b = batch_dims, 0 for ScatterND).
class TupleWalk {
public:
  void prepare(const KernelSignature &sig, const TensorView &data, const TensorView &idx, int64_t batchDims) {
    if (data.rank() < 1 || idx.rank() < 1) kernelFail(sig, "data and indices must have rank >= 1");
    const int64_t r = data.rank(), q = idx.rank();
    if (batchDims < 0 || batchDims >= std::min(r, q))
      kernelFail(sig, "batch_dims " + std::to_string(batchDims) + " out of range for data " + shapeStr(data.shape) +
                          " and indices " + shapeStr(idx.shape));
    for (int64_t d = 0; d < batchDims; ++d)
      if (data.shape[d] != idx.shape[d])
        kernelFail(sig, "batch dims of data " + shapeStr(data.shape) + " and indices " + shapeStr(idx.shape) +
                            " differ");
    k_ = idx.shape[q - 1];
    if (k_ < 1 || k_ > r - batchDims)
      kernelFail(sig, "the last dim of indices " + shapeStr(idx.shape) + " must be in [1, " +
                          std::to_string(r - batchDims) + "]");
    batchDims_ = batchDims;
    batches_ = product(data.shape, 0, batchDims);
    tuplesPerBatch_ = product(idx.shape, batchDims, q - 1);
    slice_ = product(data.shape, batchDims + k_);
    batchStride_ = product(data.shape, batchDims);
    const std::vector<int64_t> strides = contiguousStrides(data.shape);
    dims_.assign(data.shape.begin() + batchDims, data.shape.begin() + batchDims + k_);
    strides_.assign(strides.begin() + batchDims, strides.begin() + batchDims + k_);
    check_.prepare(sig);
  }

  // The shape of what a tuple addresses, after the tuples: indices.shape[:-1] + slice dims.
  static std::vector<int64_t> slicesShape(const TensorView &data, const TensorView &idx, int64_t k,
                                          int64_t batchDims) {
    std::vector<int64_t> s(idx.shape.begin(), idx.shape.end() - 1);
    s.insert(s.end(), data.shape.begin() + batchDims + k, data.shape.end());
    return s;
  }
  int64_t k() const { return k_; }
  int64_t slice() const { return slice_; }

  // fn(t, offset): the t-th tuple (over all batches) and the data offset of its slice.
  template <typename I, typename Fn> void forEach(const I *idx, Fn &&fn) const {
    for (int64_t b = 0; b < batches_; ++b) {
      for (int64_t t = 0; t < tuplesPerBatch_; ++t) {
        const int64_t tuple = b * tuplesPerBatch_ + t;
        int64_t off = b * batchStride_;
        for (int64_t j = 0; j < k_; ++j) off += check_(idx[tuple * k_ + j], dims_[j], batchDims_ + j) * strides_[j];
        fn(tuple, off);
      }
    }
  }

private:
  int64_t k_ = 1, batchDims_ = 0, batches_ = 1, tuplesPerBatch_ = 0, slice_ = 1, batchStride_ = 0;
  std::vector<int64_t> dims_, strides_;  // of the data dims a tuple addresses
  IndexChecker check_;
};

class RefGatherND final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 2, 2);
    const TensorView &x = requireInput(sig, 0, "data");
    const TensorView &idx = requireInput(sig, 1, "indices");
    const TensorView &y = requireOutput(sig, 0);
    requireIndexingDTypes(sig, x, idx, y);
    const int64_t batchDims = sig.attrs.i("batch_dims", 0);
    walk_.prepare(sig, x, idx, batchDims);
    requireShape(sig, y, TupleWalk::slicesShape(x, idx, walk_.k(), batchDims), "output");
    sliceBytes_ = static_cast<size_t>(walk_.slice()) * dtypeSize(x.dtype);
    size_ = dtypeSize(x.dtype);
    indexType_ = idx.dtype;
  }

  void run(const RunContext &, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const auto *x = static_cast<const uint8_t *>(in[0]->data);
    auto *y = static_cast<uint8_t *>(out[0]->data);
    dispatch(IndexTypes{}, indexType_, [&](auto itag) {
      using I = typename decltype(itag)::type;
      walk_.forEach(in[1]->as<I>(), [&](int64_t t, int64_t at) {
        if (sliceBytes_ > 0) std::memcpy(y + t * sliceBytes_, x + at * size_, sliceBytes_);
      });
    });
  }

private:
  TupleWalk walk_;
  size_t sliceBytes_ = 0, size_ = 0;
  DType indexType_ = DType::i64;
};

class RefScatterND final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 3, 3);
    const TensorView &x = requireInput(sig, 0, "data");
    const TensorView &idx = requireInput(sig, 1, "indices");
    const TensorView &upd = requireInput(sig, 2, "updates");
    const TensorView &y = requireOutput(sig, 0);
    requireIndexingDTypes(sig, x, idx, y);
    requireSameDType(sig, x, upd, "updates");
    walk_.prepare(sig, x, idx, 0);
    requireShape(sig, upd, TupleWalk::slicesShape(x, idx, walk_.k(), 0), "updates");
    requireShape(sig, y, x.shape, "output");
    reduction_ = reductionOf(sig, x.dtype);
    dtype_ = x.dtype;
    indexType_ = idx.dtype;
    bytes_ = x.nbytes();
  }

  void run(const RunContext &, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    auto *y = static_cast<uint8_t *>(out[0]->data);
    const auto *upd = static_cast<const uint8_t *>(in[2]->data);
    if (in[0]->data != y && bytes_ > 0) std::memcpy(y, in[0]->data, bytes_);
    const size_t size = dtypeSize(dtype_);
    const int64_t slice = walk_.slice();
    dispatch(IndexTypes{}, indexType_, [&](auto itag) {
      using I = typename decltype(itag)::type;
      walk_.forEach(in[1]->as<I>(), [&](int64_t t, int64_t at) {
        combine(reduction_, dtype_, y + at * size, upd + t * slice * size, slice);
      });
    });
  }

private:
  TupleWalk walk_;
  Reduction reduction_ = Reduction::None;
  DType dtype_ = DType::f32, indexType_ = DType::i64;
  size_t bytes_ = 0;
};

}  // namespace
}  // namespace edgec::rt::ref

namespace edgec::rt {
void registerRefIndexing(KernelRegistry &r) {
  r.add<ref::RefGatherElements>("GatherElements", Isa::Ref);
  r.add<ref::RefScatterElements>("ScatterElements", Isa::Ref);
  r.add<ref::RefGatherND>("GatherND", Isa::Ref);
  r.add<ref::RefScatterND>("ScatterND", Isa::Ref);
}
}  // namespace edgec::rt
