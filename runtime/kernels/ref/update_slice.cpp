// Reference DynamicUpdateSlice: the operand with `update` written at `starts`, the way a
// decode step writes its new keys and values into a KV cache held as state.
//
// Inputs: operand, update (same dtype and rank, no larger in any dimension), starts (i64,
// one per dimension, read at run time). Starts are clamped so that the update fits (as
// StableHLO's dynamic_update_slice), which also makes a damaged position harmless. When
// the output is the operand's own buffer (the host target plans a state update in place),
// only the update's bytes move.
#include <algorithm>
#include <cstring>
#include <string>

#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::ref {
namespace {

class RefDynamicUpdateSlice final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 3, 3);
    const TensorView &x = requireInput(sig, 0, "operand");
    const TensorView &u = requireInput(sig, 1, "update");
    const TensorView &starts = requireInput(sig, 2, "starts");
    const TensorView &y = requireOutput(sig, 0);
    requireSameDType(sig, x, u, "update");
    requireSameDType(sig, x, y, "output");
    requireUnpacked(sig, x);
    requireDType(sig, starts, Types<int64_t>{}, "starts");
    if (y.shape != x.shape) kernelFail(sig, "output shape " + shapeStr(y.shape) + " is not the operand's");
    if (u.rank() != x.rank() || starts.rank() != 1 || starts.shape[0] != x.rank())
      kernelFail(sig, "update " + shapeStr(u.shape) + " and starts " + shapeStr(starts.shape) +
                          " do not match an operand of shape " + shapeStr(x.shape));
    for (int d = 0; d < x.rank(); ++d)
      if (u.shape[d] > x.shape[d])
        kernelFail(sig, "update " + shapeStr(u.shape) + " is larger than the operand " + shapeStr(x.shape));
    // The update's elements, walked in order, go to the operand's strides from a start
    // offset known only at run time (loop operand 0: output, 1: update).
    strides_ = contiguousStrides(x.shape);
    loop_ = StridedLoop<2>(u.shape, {strides_, contiguousStrides(u.shape)});
    dims_ = x.shape;
    updateDims_ = u.shape;
    dtype_ = x.dtype;
    bytes_ = x.nbytes();
  }

  void run(const RunContext &, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const int64_t *starts = in[2]->as<int64_t>();
    if (out[0]->data != in[0]->data && bytes_) std::memcpy(out[0]->data, in[0]->data, bytes_);
    StridedLoop<2> loop = loop_;
    for (size_t d = 0; d < dims_.size(); ++d)
      loop.base[0] += std::min(std::max<int64_t>(starts[d], 0), dims_[d] - updateDims_[d]) * strides_[d];
    dispatchBySize(dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      gatherLoop(loop, out[0]->as<T>(), in[1]->as<T>());
    });
  }

private:
  StridedLoop<2> loop_;
  std::vector<int64_t> strides_, dims_, updateDims_;
  DType dtype_ = DType::f32;
  size_t bytes_ = 0;
};

// KVCacheRingWrite: cache [H, 2R, ...], rows [H, S, ...] (S <= R), pos i64 [1] -> the
// cache with row s of each head at (pos + s) mod R and (pos + s) mod R + R, the mirrored
// ring KVCacheAttention's `ring` reads (docs/architecture.md, "The KV cache is state
// updated in place"). In place (the output is the cache's buffer) only the rows move.
class RefKVCacheRingWrite final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 3, 3);
    const TensorView &c = requireInput(sig, 0, "cache");
    const TensorView &r = requireInput(sig, 1, "rows");
    const TensorView &pos = requireInput(sig, 2, "pos");
    const TensorView &y = requireOutput(sig, 0);
    requireSameDType(sig, c, r, "rows");
    requireSameDType(sig, c, y, "output");
    requireUnpacked(sig, c);
    requireDType(sig, pos, Types<int64_t>{}, "pos");
    if (pos.numel() != 1 || pos.rank() > 1) kernelFail(sig, "pos must be one i64 ([1]), got " + shapeStr(pos.shape));
    if (y.shape != c.shape) kernelFail(sig, "output shape " + shapeStr(y.shape) + " is not the cache's");
    node_ = sig.op + " node '" + sig.node + "'";
    ring_ = sig.attrs.i("ring", 0);
    if (ring_ <= 0) kernelFail(sig, "ring must be a count of rows > 0, got " + std::to_string(ring_));
    if (c.rank() < 2 || r.rank() != c.rank() || r.shape[0] != c.shape[0] ||
        !std::equal(c.shape.begin() + 2, c.shape.end(), r.shape.begin() + 2) || c.shape[1] != 2 * ring_ ||
        r.shape[1] > ring_)
      kernelFail(sig, "rows " + shapeStr(r.shape) + " do not fit a ring of " + std::to_string(ring_) + " rows in " +
                          shapeStr(c.shape) + " ([H, S <= R, ...] into [H, 2R, ...])");
    heads_ = c.shape[0];
    steps_ = r.shape[1];
    rowBytes_ = c.shape[1] ? c.nbytes() / size_t(heads_ * c.shape[1]) : 0;
    bytes_ = c.nbytes();
  }

  void run(const RunContext &, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const int64_t pos = *in[2]->as<int64_t>();
    if (pos < 0) throw Error(node_ + ": position " + std::to_string(pos) + " is negative");
    if (out[0]->data != in[0]->data && bytes_) std::memcpy(out[0]->data, in[0]->data, bytes_);
    auto *cache = static_cast<uint8_t *>(out[0]->data);
    const auto *rows = static_cast<const uint8_t *>(in[1]->data);
    for (int64_t h = 0; h < heads_; ++h)
      for (int64_t s = 0; s < steps_; ++s) {
        const int64_t slot = (pos % ring_ + s) % ring_;  // no overflow near INT64_MAX
        const uint8_t *row = rows + size_t(h * steps_ + s) * rowBytes_;
        uint8_t *head = cache + size_t(h * 2 * ring_) * rowBytes_;
        std::memcpy(head + size_t(slot) * rowBytes_, row, rowBytes_);
        std::memcpy(head + size_t(slot + ring_) * rowBytes_, row, rowBytes_);
      }
  }

private:
  int64_t ring_ = 0, heads_ = 0, steps_ = 0;
  size_t rowBytes_ = 0, bytes_ = 0;
  std::string node_;  // for run-time errors
};

}  // namespace
}  // namespace edgec::rt::ref

namespace edgec::rt {
void registerRefUpdateSlice(KernelRegistry &r) {
  r.add<ref::RefDynamicUpdateSlice>("DynamicUpdateSlice", Isa::Ref);
  r.add<ref::RefKVCacheRingWrite>("KVCacheRingWrite", Isa::Ref);
}
}  // namespace edgec::rt
