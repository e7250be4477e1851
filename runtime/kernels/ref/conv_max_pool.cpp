// ConvMaxPool's parts (ref/conv_max_pool.h) and its ref kernel: the ref Conv then the ref
// MaxPool, C' whole in scratch, so exactly the unfused ref bits.
#include "ref/conv_max_pool.h"

#include <memory>

#include "ref/plans.h"
#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::ref {

ConvMaxPoolParts::ConvMaxPoolParts(const KernelSignature &sig) {
  requireInputCount(sig, 3, 3);
  const TensorView &x = requireInput(sig, 0, "X");
  const TensorView &w = requireInput(sig, 1, "weight");
  const TensorView &b = requireInput(sig, 2, "bias");
  const TensorView &y = requireOutput(sig, 0);
  for (const TensorView *t : {&x, &w, &b, &y}) requireDType(sig, *t, Types<float>{}, "ConvMaxPool");
  if (x.rank() != 4) kernelFail(sig, "X must be [N, C, H, W], got " + shapeStr(x.shape));
  if (w.rank() != 4) kernelFail(sig, "weight must be [M, C / group, kH, kW], got " + shapeStr(w.shape));
  requireShape(sig, b, {w.shape[0]}, "bias");
  const std::vector<int64_t> kernel = sig.attrs.ints("pool_kernel_shape", {});
  if (kernel.size() != 2) kernelFail(sig, "pool_kernel_shape must have 2 values");
  poolAttrs_.ints("kernel_shape", kernel);
  poolAttrs_.ints("strides", sig.attrs.ints("pool_strides", {1, 1}));
  poolAttrs_.ints("pads", sig.attrs.ints("pool_pads", {0, 0, 0, 0}));
  poolAttrs_.ints("dilations", sig.attrs.ints("pool_dilations", {1, 1}));

  // C' of the Conv's output size (its kernel validates the rest at prepare).
  const std::vector<int64_t> strides = spatialAttr(sig, "strides", 2, 1, 1);
  const std::vector<int64_t> dilations = spatialAttr(sig, "dilations", 2, 1, 1);
  const std::vector<int64_t> pads = spatialAttr(sig, "pads", 4, 0, 0);
  convOut_.dtype = DType::f32;
  convOut_.shape = {x.shape[0], w.shape[0], 0, 0};
  for (int d = 0; d < 2; ++d) {
    const int64_t span = (w.shape[2 + d] - 1) * dilations[d] + 1, padded = x.shape[2 + d] + pads[d] + pads[2 + d];
    if (padded < span) kernelFail(sig, "the Conv's kernel is larger than the padded input");
    convOut_.shape[2 + d] = (padded - span) / strides[d] + 1;
  }

  conv_.op = "Conv";
  pool_.op = "MaxPool";
  conv_.node = pool_.node = sig.node;
  conv_.inputs = {&x, &w, &b};
  conv_.outputs = {&convOut_};
  conv_.attrs = sig.attrs;
  pool_.inputs = {&convOut_};
  pool_.outputs = {&y};
  pool_.attrs = poolAttrs_.attrs();
  auto constant = [&](size_t i) { return i < sig.input_is_constant.size() && sig.input_is_constant[i]; };
  conv_.input_is_constant = {false, constant(1), constant(2)};
  pool_.input_is_constant = {false};
}

namespace {

class RefConvMaxPool final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    parts_ = std::make_unique<ConvMaxPoolParts>(sig);
    for (auto [part, kernel] : {std::pair{&parts_->conv(), &conv_}, {&parts_->pool(), &pool_}}) {
      *kernel = KernelRegistry::instance().create(*part, {Isa::Ref});
      (*kernel)->prepare(*part);
      if ((*kernel)->scratchBytes() != 0) kernelFail(sig, "internal: a ref part asks for scratch");
    }
  }

  size_t scratchBytes() const override { return static_cast<size_t>(parts_->convOutputFloats()) * sizeof(float); }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    TensorView c = parts_->convOutput();
    c.data = ctx.threadScratch(0);
    const RunContext one;  // the parts on this thread, without scratch
    conv_->run(one, {in[0], in[1], in[2]}, {&c});
    pool_->run(one, {&c}, {out[0]});
  }

private:
  std::unique_ptr<ConvMaxPoolParts> parts_;
  std::unique_ptr<Kernel> conv_, pool_;
};

}  // namespace
}  // namespace edgec::rt::ref

namespace edgec::rt {
void registerRefConvMaxPool(KernelRegistry &r) { r.add<ref::RefConvMaxPool>("ConvMaxPool", Isa::Ref); }
}  // namespace edgec::rt
