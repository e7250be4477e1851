// Shape: the dims its input has on this run (start .. end), as int64. Only models with
// dynamic dims keep it as a kernel (the compiler folds it otherwise), so that the sizes a
// model computes from a dynamic dim (a Range's limit, a mask's shape) follow the run.
#include "ref/util.h"

namespace edgec::rt::ref {

class RefShape final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 1, 1);
    const TensorView &x = requireInput(sig, 0, "input");
    const TensorView &y = requireOutput(sig, 0);
    if (y.dtype != DType::i64 || y.rank() != 1) kernelFail(sig, "the output must be a 1-D int64 tensor");
    start_ = sig.attrs.i("start");
    end_ = sig.attrs.i("end");
    if (start_ < 0 || start_ > end_ || end_ > x.rank() || y.shape[0] != end_ - start_)
      kernelFail(sig, "start " + std::to_string(start_) + " and end " + std::to_string(end_) +
                          " do not fit the input " + shapeStr(x.shape) + " and output " + shapeStr(y.shape));
  }
  void run(const RunContext &, const std::vector<const TensorView *> &in, const std::vector<TensorView *> &out) override {
    int64_t *y = out[0]->as<int64_t>();
    for (int64_t d = start_; d < end_; ++d) y[d - start_] = in[0]->shape[size_t(d)];
  }

private:
  int64_t start_ = 0, end_ = 0;
};
}  // namespace edgec::rt::ref

namespace edgec::rt {
void registerRefShape(KernelRegistry &r) { r.add<ref::RefShape>("Shape", Isa::Ref); }
}  // namespace edgec::rt
