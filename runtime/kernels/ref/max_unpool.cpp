// Reference MaxUnpool: the result is zero except where MaxPool's flat indices (over the
// whole result, N and C included) put the pooled values back. Elements are only moved,
// so any element type of 1, 2, 4 or 8 bytes works; indices are i32 or i64 and checked
// on every run (they are data), an index outside the result being an Error naming the
// node. Duplicate indices: the later input element wins, as in ONNX Runtime.
#include <cstring>

#include "ref/runtime_params.h"
#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::ref {
namespace {

class RefMaxUnpool final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 2, 3);
    // ONNX's output_shape known only at run time: read on every run, it must be Y's shape.
    if (const TensorView *s = optionalInput(sig, 2)) {
      requireIntList(sig, *s, "output_shape");
      if (s->numel() != requireOutput(sig, 0).rank())
        kernelFail(sig, "output_shape has " + std::to_string(s->numel()) + " values for Y " +
                            shapeStr(requireOutput(sig, 0).shape));
      shapeInput_ = true;
      outShape_ = requireOutput(sig, 0).shape;
    }
    const TensorView &x = requireInput(sig, 0, "X");
    const TensorView &idx = requireInput(sig, 1, "I");
    const TensorView &y = requireOutput(sig, 0);
    requireSameDType(sig, x, y, "output");
    requireUnpacked(sig, x);
    requireDType(sig, idx, Types<int32_t, int64_t>{}, "MaxUnpool indices");
    if (x.rank() < 3 || y.rank() != x.rank() || y.shape[0] != x.shape[0] || y.shape[1] != x.shape[1])
      kernelFail(sig, "X " + shapeStr(x.shape) + " and Y " + shapeStr(y.shape) +
                          " must be [N, C, D...] of one rank, N and C alike");
    requireShape(sig, idx, x.shape, "I");
    elemBytes_ = dtypeSize(x.dtype);
    inCount_ = x.numel();
    outCount_ = y.numel();
    indices64_ = idx.dtype == DType::i64;
    where_ = sig.op + " node '" + sig.node + "'";
  }

  void run(const RunContext &, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    if (shapeInput_) {
      const std::vector<int64_t> shape = intValues(*in[2]);
      if (shape != outShape_) shapeMismatch(where_, valuesStr("output_shape", shape), shape, outShape_);
    }
    const uint8_t *x = static_cast<const uint8_t *>(in[0]->data);
    uint8_t *y = static_cast<uint8_t *>(out[0]->data);
    std::memset(y, 0, size_t(outCount_) * elemBytes_);  // every type's zero is all-zero bytes
    for (int64_t i = 0; i < inCount_; ++i) {
      const int64_t at = indices64_ ? in[1]->as<int64_t>()[i] : int64_t(in[1]->as<int32_t>()[i]);
      if (at < 0 || at >= outCount_)
        throw Error(where_ + ": index " + std::to_string(at) + " is outside the result's " +
                    std::to_string(outCount_) + " elements");
      std::memcpy(y + size_t(at) * elemBytes_, x + size_t(i) * elemBytes_, elemBytes_);
    }
  }

private:
  size_t elemBytes_ = 0;
  int64_t inCount_ = 0, outCount_ = 0;
  bool indices64_ = true, shapeInput_ = false;
  std::vector<int64_t> outShape_;
  std::string where_;
};

}  // namespace
}  // namespace edgec::rt::ref

namespace edgec::rt {
void registerRefMaxUnpool(KernelRegistry &r) { r.add<ref::RefMaxUnpool>("MaxUnpool", Isa::Ref); }
}  // namespace edgec::rt
