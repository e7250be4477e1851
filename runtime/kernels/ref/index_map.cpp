// Reference Tile, Pad and Trilu: every output element is the input element at a
// computed index, or a fill value. They only move elements, so they dispatch on the
// element size (Pad's constant is copied as bytes of the input's dtype).
#include <cstring>

#include "ref/quant_params.h"
#include "ref/runtime_params.h"
#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::ref {
namespace {

// Tile: output dim d, of size repeats * n, is viewed as [repeats, n]; the input does not
// move along the repeat half, so one strided copy over 2 * rank dims does it. ONNX's
// repeats as input 1, read on every run, must give the output's shape.
class RefTile final : public Kernel {
public:
  explicit RefTile(StridedCopyFn copy = refStridedCopy) : copy_(copy) {}
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 1, 2);
    const TensorView &x = requireInput(sig, 0, "X");
    const TensorView &y = requireOutput(sig, 0);
    requireSameDType(sig, x, y, "output");
    requireSameQuantParams(sig, x, y);
    requireUnpacked(sig, x);
    if (y.rank() != x.rank()) kernelFail(sig, "output rank differs from the input's");
    const std::vector<int64_t> xs = contiguousStrides(x.shape), ys = contiguousStrides(y.shape);
    std::vector<int64_t> shape, outStrides, inStrides;
    for (int d = 0; d < x.rank(); ++d) {
      // An empty input dim gives an empty output dim whatever the repeats.
      const int64_t repeats = x.shape[d] == 0 ? 0 : y.shape[d] / x.shape[d];
      if (repeats * x.shape[d] != y.shape[d])
        kernelFail(sig, "output " + shapeStr(y.shape) + " does not tile " + shapeStr(x.shape));
      shape.insert(shape.end(), {repeats, x.shape[d]});
      outStrides.insert(outStrides.end(), {x.shape[d] * ys[d], ys[d]});
      inStrides.insert(inStrides.end(), {0, xs[d]});
    }
    loop_ = StridedLoop<2>(shape, {outStrides, inStrides});
    dtype_ = x.dtype;
    repeatsInput_ = optionalInput(sig, 1) != nullptr;
    if (repeatsInput_) {
      requireIntList(sig, *sig.inputs[1], "repeats");
      if (sig.inputs[1]->numel() != x.rank())
        kernelFail(sig, "repeats has " + std::to_string(sig.inputs[1]->numel()) + " values for input " +
                            shapeStr(x.shape));
      inShape_ = x.shape;
      outShape_ = y.shape;
      where_ = nodeWhere(sig);
    }
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    if (repeatsInput_) {  // the values do not move elements, only decide the shape
      const std::vector<int64_t> repeats = intValues(*in[1]);
      const std::string values = valuesStr("repeats", repeats);
      std::vector<int64_t> shape;
      for (size_t d = 0; d < repeats.size(); ++d) {
        if (repeats[d] < 0) badValues(where_, values + ": repeats must be >= 0");
        int64_t dim = 0;
        if (__builtin_mul_overflow(inShape_[d], repeats[d], &dim))
          badValues(where_, values + ": repeats " + std::to_string(repeats[d]) + " overflows dim " + std::to_string(d));
        shape.push_back(dim);
      }
      if (shape != outShape_) shapeMismatch(where_, values, shape, outShape_);
    }
    copy_(ctx, loop_, dtypeSize(dtype_), out[0]->data, in[0]->data);
  }

private:
  StridedCopyFn copy_;
  StridedLoop<2> loop_;
  bool repeatsInput_ = false;
  std::vector<int64_t> inShape_, outShape_;
  std::string where_;
  DType dtype_ = DType::f32;
};

// Pad: per dim, a table maps each output index to its input index (-1: the constant).
// reflect mirrors without repeating the border (period 2 * (n - 1), numpy's "reflect");
// edge repeats the border; negative pads crop, which the same tables express. The pads
// are the attribute (begins then ends, one per dim), or ONNX's pads and axes? as inputs
// 2 and 3, read on every run (then no attribute): they must give the output's shape.
class RefPad final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 1, 4);
    const TensorView &x = requireInput(sig, 0, "X");
    const TensorView &y = requireOutput(sig, 0);
    requireSameDType(sig, x, y, "output");
    requireSameQuantParams(sig, x, y);
    requireUnpacked(sig, x);
    mode_ = sig.attrs.s("mode", "");
    if (mode_ != "constant" && mode_ != "reflect" && mode_ != "edge")
      kernelFail(sig, "unknown mode '" + mode_ + "'");
    if (const TensorView *v = optionalInput(sig, 1)) {
      requireSameDType(sig, x, *v, "constant_value");
      if (v->numel() != 1) kernelFail(sig, "constant_value must be a single value");
    }
    const int rank = x.rank();
    if (y.rank() != rank) kernelFail(sig, "output " + shapeStr(y.shape) + " and input " + shapeStr(x.shape) + " differ in rank");
    inShape_ = x.shape;
    outShape_ = y.shape;
    dtype_ = x.dtype;
    padsInput_ = sig.inputs.size() > 2;
    if (padsInput_) {
      if (sig.attrs.has("pads")) kernelFail(sig, "pads are given both as an attribute and as an input");
      const TensorView &pads = requireInput(sig, 2, "pads");
      requireIntList(sig, pads, "pads");
      int64_t axes = rank;
      if (const TensorView *a = optionalInput(sig, 3)) {
        requireIntList(sig, *a, "axes");
        axes = a->numel();
      }
      if (pads.numel() != 2 * axes)
        kernelFail(sig, "pads has " + std::to_string(pads.numel()) + " values, expected " +
                            std::to_string(2 * axes) + " (a begin and an end per padded axis)");
      where_ = nodeWhere(sig);
      return;
    }
    const std::vector<int64_t> pads = sig.attrs.ints("pads");
    if (static_cast<int>(pads.size()) != 2 * rank)
      kernelFail(sig, "pads " + shapeStr(pads) + " do not match input " + shapeStr(x.shape));
    if (padded(pads) != y.shape) kernelFail(sig, "output " + shapeStr(y.shape) + " does not match pads " + shapeStr(pads));
    for (int d = 0; d < rank; ++d)
      if (mode_ != "constant" && x.shape[d] == 0 && y.shape[d] > 0)
        kernelFail(sig, mode_ + " mode cannot pad an empty dim");
    src_ = tables(pads);
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const std::vector<std::vector<int64_t>> src = padsInput_ ? runtimeTables(in) : src_;
    const std::vector<int64_t> inStrides = contiguousStrides(inShape_);
    dispatchBySize(dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T *x = in[0]->as<T>();
      T *y = out[0]->as<T>();
      T fill{};  // zero bits: 0 of every dtype
      if (in.size() > 1 && in[1]->data) std::memcpy(&fill, in[1]->data, sizeof(T));
      const int rank = static_cast<int>(outShape_.size());
      if (rank == 0) {
        y[0] = x[0];
        return;
      }
      for (int64_t d : outShape_)
        if (d == 0) return;
      // Odometer over all dims but the last; the last is a row mapped through its table.
      std::vector<int64_t> idx(rank, 0);
      const std::vector<int64_t> &lastSrc = src[rank - 1];
      const int64_t rowLen = outShape_[rank - 1];
      while (true) {
        int64_t base = 0;
        bool filled = false;
        for (int d = 0; d < rank - 1; ++d) {
          const int64_t s = src[d][idx[d]];
          if (s < 0) filled = true;
          base += s * inStrides[d];
        }
        for (int64_t o = 0; o < rowLen; ++o)
          y[o] = (filled || lastSrc[o] < 0) ? fill : x[base + lastSrc[o]];
        y += rowLen;
        int d = rank - 2;
        for (; d >= 0; --d) {
          if (++idx[d] < outShape_[d]) break;
          idx[d] = 0;
        }
        if (d < 0) return;
      }
    });
  }

private:
  // The shape that `pads` (begins then ends, one per dim) give the input.
  std::vector<int64_t> padded(const std::vector<int64_t> &pads) const {
    const size_t rank = inShape_.size();
    std::vector<int64_t> shape(rank);
    for (size_t d = 0; d < rank; ++d) shape[d] = inShape_[d] + pads[d] + pads[rank + d];
    return shape;
  }

  // Per dim, the input index of each output index (-1: the constant).
  std::vector<std::vector<int64_t>> tables(const std::vector<int64_t> &pads) const {
    const int rank = static_cast<int>(inShape_.size());
    std::vector<std::vector<int64_t>> src(rank);
    for (int d = 0; d < rank; ++d) {
      const int64_t n = inShape_[d];
      for (int64_t o = 0; o < outShape_[d]; ++o) {
        const int64_t i = o - pads[d];
        int64_t s = i;
        if (mode_ == "constant") {
          s = (i >= 0 && i < n) ? i : -1;
        } else if (mode_ == "edge") {
          s = std::clamp<int64_t>(i, 0, n - 1);
        } else if (n == 1) {
          s = 0;
        } else {
          const int64_t period = 2 * (n - 1);
          const int64_t m = ((i % period) + period) % period;
          s = m < n ? m : period - m;
        }
        src[d].push_back(s);
      }
    }
    return src;
  }

  // ONNX's pads (and axes) of this run as one begin and one end per dim, checked.
  std::vector<std::vector<int64_t>> runtimeTables(const std::vector<const TensorView *> &in) const {
    const int64_t rank = static_cast<int64_t>(inShape_.size());
    const std::vector<int64_t> given = intValues(*in[2]);
    const bool hasAxes = in.size() > 3 && in[3]->data;
    std::vector<int64_t> axes;
    if (hasAxes) axes = intValues(*in[3]);
    else for (int64_t d = 0; d < rank; ++d) axes.push_back(d);
    std::string values = valuesStr("pads", given);
    if (hasAxes) values += " " + valuesStr("axes", axes);
    std::vector<int64_t> pads(2 * rank, 0);
    std::vector<bool> seen(rank, false);
    const size_t count = axes.size();
    for (size_t i = 0; i < count; ++i) {
      if (axes[i] < -rank || axes[i] >= rank)
        badValues(where_, values + ": axis " + std::to_string(axes[i]) + " is out of range for " +
                              shapeStr(inShape_));
      const int64_t a = axes[i] < 0 ? axes[i] + rank : axes[i];
      if (seen[a]) badValues(where_, values + ": axis " + std::to_string(a) + " is padded twice");
      seen[a] = true;
      pads[a] = given[i];
      pads[rank + a] = given[count + i];
    }
    std::vector<int64_t> shape = padded(pads);
    for (int64_t d = 0; d < rank; ++d)
      if (shape[d] < 0) badValues(where_, values + ": dim " + std::to_string(d) + " is cropped below zero");
    if (shape != outShape_) shapeMismatch(where_, values, shape, outShape_);
    for (int64_t d = 0; d < rank; ++d)
      if (mode_ != "constant" && inShape_[d] == 0 && shape[d] > 0)
        badValues(where_, values + ": " + mode_ + " mode cannot pad the empty dim " + std::to_string(d));
    return tables(pads);
  }

  std::vector<std::vector<int64_t>> src_;  // per dim: input index of each output index
  std::vector<int64_t> inShape_, outShape_;
  std::string mode_, where_;
  bool padsInput_ = false;
  DType dtype_ = DType::f32;
};

// Trilu: over the last two dims [rows, cols], keep (i, j) where j - i >= k (upper) or
// j - i <= k (lower); the rest is zero. k is the attribute, or the optional second
// input read on every run (any value is meaningful: past the matrix, all or nothing).
class RefTrilu final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 1, 2);
    kInput_ = optionalInput(sig, 1) != nullptr;
    if (kInput_) {
      if (sig.attrs.has("k")) kernelFail(sig, "k is given both as an attribute and as an input");
      requireScalarInt(sig, *sig.inputs[1], "k");
    }
    const TensorView &x = requireInput(sig, 0, "X");
    const TensorView &y = requireOutput(sig, 0);
    requireSameDType(sig, x, y, "output");
    requireShape(sig, y, x.shape, "output");
    requireUnpacked(sig, x);
    if (x.rank() < 2) kernelFail(sig, "X must have rank >= 2, got " + shapeStr(x.shape));
    k_ = sig.attrs.i("k", 0);
    upper_ = sig.attrs.i("upper", 1) != 0;
    rows_ = x.shape[x.rank() - 2];
    cols_ = x.shape[x.rank() - 1];
    batch_ = product(x.shape, 0, x.rank() - 2);
    dtype_ = x.dtype;
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const int64_t k = kInput_ ? scalarInt(*in[1]) : k_;
    dispatchBySize(dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T *x = in[0]->as<T>();
      T *y = out[0]->as<T>();
      for (int64_t b = 0; b < batch_; ++b) {
        for (int64_t i = 0; i < rows_; ++i) {
          for (int64_t j = 0; j < cols_; ++j) {
            const int64_t at = (b * rows_ + i) * cols_ + j;
            const bool keep = upper_ ? j - i >= k : j - i <= k;
            y[at] = keep ? x[at] : T{};
          }
        }
      }
    });
  }

private:
  int64_t k_ = 0, rows_ = 0, cols_ = 0, batch_ = 0;
  bool upper_ = true, kInput_ = false;
  DType dtype_ = DType::f32;
};

}  // namespace
}  // namespace edgec::rt::ref

namespace edgec::rt {

void registerStridedCopyIndexMap(KernelRegistry &r, Isa isa, ref::StridedCopyFn copy) {
  r.add("Tile", isa, [copy] { return std::unique_ptr<Kernel>(new ref::RefTile(copy)); });
}

void registerRefIndexMap(KernelRegistry &r) {
  registerStridedCopyIndexMap(r, Isa::Ref, ref::refStridedCopy);
  r.add<ref::RefPad>("Pad", Isa::Ref);
  r.add<ref::RefTrilu>("Trilu", Isa::Ref);
}

}  // namespace edgec::rt
