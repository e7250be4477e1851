// Reference N-d Conv (fp32, groups, strides, dilations, explicit pads, fused activation),
// plus the plan parsing shared with the x86 version.
#include <cstdlib>

#include "ref/plans.h"
#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::ref {

void ConvTaps::init(const ConvPlan &p) {
  const size_t nd = p.kernel.size();
  kernelCoords.assign(size_t(p.kernelSize) * nd, 0);
  std::vector<int64_t> k(nd, 0);
  for (int64_t t = 0; t < p.kernelSize; ++t) {
    for (size_t d = 0; d < nd; ++d) kernelCoords[size_t(t) * nd + d] = k[d];
    for (size_t d = nd; d-- > 0;) {
      if (++k[d] < p.kernel[d]) break;
      k[d] = 0;
    }
  }
  inStrides = contiguousStrides(p.inSpatial);
}

void ConvTaps::compute(const ConvPlan &p, const std::vector<int64_t> &pos, std::vector<int64_t> &taps) const {
  const size_t nd = pos.size();
  for (int64_t t = 0; t < p.kernelSize; ++t) {
    int64_t off = 0;
    for (size_t d = 0; d < nd && off >= 0; ++d) {
      const int64_t c = pos[d] * p.strides[d] - p.padsBegin[d] + kernelCoords[size_t(t) * nd + d] * p.dilations[d];
      off = (c < 0 || c >= p.inSpatial[d]) ? -1 : off + c * inStrides[d];
    }
    taps[size_t(t)] = off;
  }
}

std::vector<int64_t> spatialAttr(const KernelSignature &sig, const char *name, size_t n,
                                 int64_t def, int64_t minValue) {
  std::vector<int64_t> v = sig.attrs.ints(name, std::vector<int64_t>(n, def));
  if (v.size() != n)
    kernelFail(sig, std::string(name) + " has " + std::to_string(v.size()) + " entries, expected " +
                        std::to_string(n));
  for (int64_t x : v)
    if (x < minValue) kernelFail(sig, std::string(name) + " has invalid value " + shapeStr(v));
  return v;
}

ConvOperands requireConvOperands(const KernelSignature &sig, const char *op, size_t maxInputs) {
  requireInputCount(sig, 2, maxInputs);
  ConvOperands o{requireInput(sig, 0, "X"), requireInput(sig, 1, "W"), optionalInput(sig, 2), requireOutput(sig, 0)};
  for (const TensorView *t : {&o.x, &o.w, o.b, &o.y})
    if (t) requireDType(sig, *t, Types<float>{}, op);
  if (o.x.rank() < 3) kernelFail(sig, "X must be [N, C, D...], got " + shapeStr(o.x.shape));
  if (o.w.rank() != o.x.rank())
    kernelFail(sig, "W " + shapeStr(o.w.shape) + " does not match the rank of X " + shapeStr(o.x.shape));
  return o;
}

ConvPlan parseConv(const KernelSignature &sig, bool functions) {
  const auto [x, w, b, y] = requireConvOperands(sig, "Conv", functions ? 4 : 3);

  ConvPlan p;
  const size_t nd = static_cast<size_t>(x.rank() - 2);
  p.batch = x.shape[0];
  p.inChannels = x.shape[1];
  p.outChannels = w.shape[0];
  p.group = sig.attrs.i("group", 1);
  if (p.group < 1 || p.inChannels % p.group != 0 || p.outChannels % p.group != 0)
    kernelFail(sig, "group " + std::to_string(p.group) + " does not divide the " +
                        std::to_string(p.inChannels) + " input and " +
                        std::to_string(p.outChannels) + " output channels");
  if (w.shape[1] != p.inChannels / p.group)
    kernelFail(sig, "W " + shapeStr(w.shape) + " expects " + std::to_string(w.shape[1]) +
                        " channels per group, X has " + std::to_string(p.inChannels / p.group));
  p.inSpatial.assign(x.shape.begin() + 2, x.shape.end());
  p.kernel.assign(w.shape.begin() + 2, w.shape.end());
  if (sig.attrs.has("kernel_shape") && sig.attrs.ints("kernel_shape") != p.kernel)
    kernelFail(sig, "kernel_shape " + shapeStr(sig.attrs.ints("kernel_shape")) +
                        " differs from the weights " + shapeStr(w.shape));
  p.strides = spatialAttr(sig, "strides", nd, 1, 1);
  p.dilations = spatialAttr(sig, "dilations", nd, 1, 1);
  const std::vector<int64_t> pads = spatialAttr(sig, "pads", 2 * nd, 0, 0);
  p.padsBegin.assign(pads.begin(), pads.begin() + nd);

  std::vector<int64_t> expected = {p.batch, p.outChannels};
  for (size_t d = 0; d < nd; ++d) {
    const int64_t span = p.dilations[d] * (p.kernel[d] - 1) + 1;
    const int64_t padded = p.inSpatial[d] + pads[d] + pads[nd + d];
    if (padded < span)
      kernelFail(sig, "kernel " + shapeStr(p.kernel) + " larger than the padded input " +
                          shapeStr(x.shape));
    expected.push_back((padded - span) / p.strides[d] + 1);
  }
  requireShape(sig, y, expected, "output");
  p.outSpatial.assign(expected.begin() + 2, expected.end());
  if (b) requireShape(sig, *b, {p.outChannels}, "bias");
  p.hasBias = b != nullptr;
  if (const TensorView *r = functions ? optionalInput(sig, 3) : nullptr) {
    requireDType(sig, *r, Types<float>{}, "Conv");
    requireShape(sig, *r, expected, "residual");
    p.hasResidual = true;
  }
  p.inSize = product(p.inSpatial);
  p.outSize = product(p.outSpatial);
  p.kernelSize = product(p.kernel);
  p.act = parseActivation(sig, functions);
  p.splitChannels = sig.attrs.s("thread_split", "") == "channels" && !std::getenv("EDGEC_NO_THREAD_SPLIT");
  return p;
}

namespace {

class RefConv final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    p_ = parseConv(sig, true);
    taps_.init(p_);
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const float *x = in[0]->as<float>();
    const float *w = in[1]->as<float>();
    const float *bias = p_.hasBias ? in[2]->as<float>() : nullptr;
    const float *residual = p_.hasResidual ? in[3]->as<float>() : nullptr;
    float *y = out[0]->as<float>();
    const size_t nd = p_.kernel.size();
    const int64_t cg = p_.inChannels / p_.group, mg = p_.outChannels / p_.group;
    std::vector<int64_t> taps(p_.kernelSize);  // input offset per tap, -1 in the padding
    std::vector<int64_t> pos(nd);

    for (int64_t n = 0; n < p_.batch; ++n) {
      for (int64_t g = 0; g < p_.group; ++g) {
        const float *xg = x + (n * p_.inChannels + g * cg) * p_.inSize;
        const float *wg = w + g * mg * cg * p_.kernelSize;
        std::fill(pos.begin(), pos.end(), 0);
        for (int64_t o = 0; o < p_.outSize; ++o) {
          taps_.compute(p_, pos, taps);
          for (int64_t m = 0; m < mg; ++m) {
            float acc = bias ? bias[g * mg + m] : 0.f;
            for (int64_t c = 0; c < cg; ++c) {
              const float *xc = xg + c * p_.inSize;
              const float *wc = wg + (m * cg + c) * p_.kernelSize;
              for (int64_t t = 0; t < p_.kernelSize; ++t)
                if (taps[t] >= 0) acc += xc[taps[t]] * wc[t];
            }
            const int64_t at = (n * p_.outChannels + g * mg + m) * p_.outSize + o;
            // The residual is added to the rounded conv result, as the unfused Add does.
            if (residual) acc += residual[at];
            y[at] = p_.act.enabled ? activate(acc, p_.act) : acc;
          }
          for (size_t d = nd; d-- > 0;) {
            if (++pos[d] < p_.outSpatial[d]) break;
            pos[d] = 0;
          }
        }
      }
    }
  }

private:
  ConvPlan p_;
  ConvTaps taps_;
};

}  // namespace
}  // namespace edgec::rt::ref

namespace edgec::rt {

void registerRefConv(KernelRegistry &r) { r.add<ref::RefConv>("Conv", Isa::Ref); }

}  // namespace edgec::rt
