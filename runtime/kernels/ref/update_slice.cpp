// Reference DynamicUpdateSlice: the operand with `update` written at `starts`, the way a
// decode step writes its new keys and values into a KV cache held as state.
//
// Inputs: operand, update (same dtype and rank, no larger in any dimension), starts (i64,
// one per dimension, read at run time). Starts are clamped so that the update fits (as
// StableHLO's dynamic_update_slice), which also makes a damaged position harmless. When
// the output is the operand's own buffer (the host target plans a state update in place),
// only the update's bytes move.
#include <cstring>

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
    elem_ = dtypeSize(x.dtype);
    bytes_ = x.nbytes();
  }

  void run(const RunContext &, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const TensorView &x = *in[0], &u = *in[1];
    const int64_t *starts = in[2]->as<int64_t>();
    uint8_t *y = out[0]->as<uint8_t>();
    if (y != x.data && bytes_) std::memcpy(y, x.data, bytes_);
    const int rank = x.rank();
    if (u.numel() == 0) return;
    std::vector<int64_t> start(rank), strides = contiguousStrides(x.shape);
    for (int d = 0; d < rank; ++d) start[d] = std::min(std::max<int64_t>(starts[d], 0), x.shape[d] - u.shape[d]);
    // Rows of the update's innermost dimension, walked with an odometer.
    const int64_t inner = rank ? u.shape[rank - 1] : 1;
    const size_t rowBytes = static_cast<size_t>(inner) * elem_;
    std::vector<int64_t> idx(rank, 0);
    const uint8_t *src = u.as<uint8_t>();
    for (int64_t row = 0, rows = u.numel() / inner; row < rows; ++row, src += rowBytes) {
      int64_t offset = 0;
      for (int d = 0; d < rank; ++d) offset += (start[d] + idx[d]) * strides[d];
      std::memcpy(y + offset * int64_t(elem_), src, rowBytes);
      for (int d = rank - 2; d >= 0; --d) {
        if (++idx[d] < u.shape[d]) break;
        idx[d] = 0;
      }
    }
  }

private:
  size_t elem_ = 0, bytes_ = 0;
};

}  // namespace
}  // namespace edgec::rt::ref

namespace edgec::rt {
void registerRefUpdateSlice(KernelRegistry &r) {
  r.add<ref::RefDynamicUpdateSlice>("DynamicUpdateSlice", Isa::Ref);
}
}  // namespace edgec::rt
