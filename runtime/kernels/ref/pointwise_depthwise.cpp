// PointwiseDepthwiseConv's parts (ref/pointwise_depthwise.h) and its ref kernel: the two
// ref Convs one after the other, E whole in scratch, so exactly the unfused ref bits.
#include "ref/pointwise_depthwise.h"

#include <memory>

#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::ref {

PointwiseDepthwiseParts::PointwiseDepthwiseParts(const KernelSignature &sig) {
  requireInputCount(sig, 5, 5);
  const TensorView &x = requireInput(sig, 0, "X");
  const TensorView &w1 = requireInput(sig, 1, "pointwise weight");
  const TensorView &b1 = requireInput(sig, 2, "pointwise bias");
  const TensorView &w2 = requireInput(sig, 3, "depthwise weight");
  const TensorView &b2 = requireInput(sig, 4, "depthwise bias");
  const TensorView &y = requireOutput(sig, 0);
  for (const TensorView *t : {&x, &w1, &b1, &w2, &b2, &y})
    requireDType(sig, *t, Types<float>{}, "PointwiseDepthwiseConv");
  if (x.rank() != 4) kernelFail(sig, "X must be [N, C, H, W], got " + shapeStr(x.shape));
  inChannels_ = x.shape[1];
  if (w1.rank() != 4 || w1.shape[1] != inChannels_ || w1.shape[2] != 1 || w1.shape[3] != 1)
    kernelFail(sig, "pointwise weight must be [M, " + std::to_string(inChannels_) + ", 1, 1], got " +
                        shapeStr(w1.shape));
  const int64_t M = w1.shape[0];
  requireShape(sig, b1, {M}, "pointwise bias");
  if (w2.rank() != 4 || w2.shape[0] != M || w2.shape[1] != 1)
    kernelFail(sig, "depthwise weight must be [" + std::to_string(M) + ", 1, kH, kW], got " + shapeStr(w2.shape));
  requireShape(sig, b2, {M}, "depthwise bias");
  if (sig.attrs.i("group", 1) != M)
    kernelFail(sig, "group must be " + std::to_string(M) + " (depthwise), got " + std::to_string(sig.attrs.i("group", 1)));

  const std::string act = sig.attrs.s("pointwise_activation", "");
  if (!act.empty()) pointwiseAttrs_.s("activation", act.c_str());
  for (const char *bound : {"act_min", "act_max"})
    if (const std::string name = std::string("pointwise_") + bound; sig.attrs.has(name.c_str()))
      pointwiseAttrs_.f(bound, sig.attrs.f(name.c_str()));
  expanded_.dtype = DType::f32;
  expanded_.shape = {x.shape[0], M, x.shape[2], x.shape[3]};
  outPlane_ = y.rank() == 4 ? y.shape[2] * y.shape[3] : 0;

  pointwise_.op = depthwise_.op = "Conv";
  pointwise_.node = depthwise_.node = sig.node;
  pointwise_.inputs = {&x, &w1, &b1};
  pointwise_.outputs = {&expanded_};
  pointwise_.attrs = pointwiseAttrs_.attrs();
  depthwise_.inputs = {&expanded_, &w2, &b2};
  depthwise_.outputs = {&y};
  depthwise_.attrs = sig.attrs;
  auto constant = [&](size_t i) { return i < sig.input_is_constant.size() && sig.input_is_constant[i]; };
  pointwise_.input_is_constant = {false, constant(1), constant(2)};
  depthwise_.input_is_constant = {false, constant(3), constant(4)};
}

namespace {

class RefPointwiseDepthwise final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    parts_ = std::make_unique<PointwiseDepthwiseParts>(sig);
    for (auto [part, kernel] : {std::pair{&parts_->pointwise(), &pointwise_}, {&parts_->depthwise(), &depthwise_}}) {
      *kernel = KernelRegistry::instance().create(*part, {Isa::Ref});
      (*kernel)->prepare(*part);
      if ((*kernel)->scratchBytes() != 0) kernelFail(sig, "internal: the ref Conv asks for scratch");
    }
  }

  size_t scratchBytes() const override {
    return static_cast<size_t>(parts_->batch() * parts_->channels() * parts_->plane()) * sizeof(float);
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    TensorView e = *parts_->pointwise().outputs[0];
    e.data = ctx.threadScratch(0);
    const RunContext one;  // the parts on this thread, without scratch
    pointwise_->run(one, {in[0], in[1], in[2]}, {&e});
    depthwise_->run(one, {&e, in[3], in[4]}, {out[0]});
  }

private:
  std::unique_ptr<PointwiseDepthwiseParts> parts_;
  std::unique_ptr<Kernel> pointwise_, depthwise_;
};

}  // namespace
}  // namespace edgec::rt::ref

namespace edgec::rt {
void registerRefPointwiseDepthwise(KernelRegistry &r) {
  r.add<ref::RefPointwiseDepthwise>("PointwiseDepthwiseConv", Isa::Ref);
}
}  // namespace edgec::rt
