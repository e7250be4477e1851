// Reference Tile, Pad and Trilu: every output element is the input element at a
// computed index, or a fill value. They only move elements, so they dispatch on the
// element size (Pad's constant is copied as bytes of the input's dtype).
#include <cstring>

#include "ref/quant_params.h"
#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::ref {
namespace {

// Tile: output dim d, of size repeats * n, is viewed as [repeats, n]; the input does not
// move along the repeat half, so one strided copy over 2 * rank dims does it.
class RefTile final : public StridedCopyKernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 1, 1);
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
  }
};

// Pad: per dim, a table maps each output index to its input index (-1: the constant).
// reflect mirrors without repeating the border (period 2 * (n - 1), numpy's "reflect");
// edge repeats the border; negative pads crop, which the same tables express.
class RefPad final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 1, 2);
    const TensorView &x = requireInput(sig, 0, "X");
    const TensorView &y = requireOutput(sig, 0);
    requireSameDType(sig, x, y, "output");
    requireSameQuantParams(sig, x, y);
    requireUnpacked(sig, x);
    const std::string mode = sig.attrs.s("mode", "");
    if (mode != "constant" && mode != "reflect" && mode != "edge")
      kernelFail(sig, "unknown mode '" + mode + "'");
    if (const TensorView *v = optionalInput(sig, 1)) {
      requireSameDType(sig, x, *v, "constant_value");
      if (v->numel() != 1) kernelFail(sig, "constant_value must be a single value");
    }
    const std::vector<int64_t> pads = sig.attrs.ints("pads");
    const int rank = x.rank();
    if (static_cast<int>(pads.size()) != 2 * rank || y.rank() != rank)
      kernelFail(sig, "pads " + shapeStr(pads) + " do not match input " + shapeStr(x.shape));
    src_.assign(rank, {});
    for (int d = 0; d < rank; ++d) {
      const int64_t n = x.shape[d];
      if (y.shape[d] != n + pads[d] + pads[rank + d])
        kernelFail(sig, "output " + shapeStr(y.shape) + " does not match pads " + shapeStr(pads));
      if (mode != "constant" && n == 0 && y.shape[d] > 0)
        kernelFail(sig, mode + " mode cannot pad an empty dim");
      for (int64_t o = 0; o < y.shape[d]; ++o) {
        const int64_t i = o - pads[d];
        int64_t s = i;
        if (mode == "constant") {
          s = (i >= 0 && i < n) ? i : -1;
        } else if (mode == "edge") {
          s = std::clamp<int64_t>(i, 0, n - 1);
        } else if (n == 1) {
          s = 0;
        } else {
          const int64_t period = 2 * (n - 1);
          const int64_t m = ((i % period) + period) % period;
          s = m < n ? m : period - m;
        }
        src_[d].push_back(s);
      }
    }
    inStrides_ = contiguousStrides(x.shape);
    outShape_ = y.shape;
    dtype_ = x.dtype;
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
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
      const std::vector<int64_t> &lastSrc = src_[rank - 1];
      const int64_t rowLen = outShape_[rank - 1];
      while (true) {
        int64_t base = 0;
        bool filled = false;
        for (int d = 0; d < rank - 1; ++d) {
          const int64_t s = src_[d][idx[d]];
          if (s < 0) filled = true;
          base += s * inStrides_[d];
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
  std::vector<std::vector<int64_t>> src_;  // per dim: input index of each output index
  std::vector<int64_t> inStrides_, outShape_;
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

void registerRefIndexMap(KernelRegistry &r) {
  r.add<ref::RefTile>("Tile", Isa::Ref);
  r.add<ref::RefPad>("Pad", Isa::Ref);
  r.add<ref::RefTrilu>("Trilu", Isa::Ref);
}

}  // namespace edgec::rt
