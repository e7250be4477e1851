// Reference SqueezeExcitation: per batch item, exactly the unfused ref ops' arithmetic:
// GlobalAveragePool's mean, the reduce and expand Convs' sums from the bias over the
// input channels in order (ref/conv.cpp on a 1x1 map), their epilogues, the gate
// (Sigmoid, or HardSigmoid's product and sum), then Mul.
#include "ref/squeeze_excitation.h"

#include <vector>

#include "ref/elementwise_fns.h"
#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::ref {

void parseSqueezeExcitation(const KernelSignature &sig, SqueezeExcitationPlan *p) {
  requireInputCount(sig, 5, 5);
  const TensorView &x = requireInput(sig, 0, "X");
  const TensorView &w1 = requireInput(sig, 1, "reduce weight");
  const TensorView &b1 = requireInput(sig, 2, "reduce bias");
  const TensorView &w2 = requireInput(sig, 3, "expand weight");
  const TensorView &b2 = requireInput(sig, 4, "expand bias");
  const TensorView &y = requireOutput(sig, 0);
  for (const TensorView *t : {&x, &w1, &b1, &w2, &b2, &y}) requireDType(sig, *t, Types<float>{}, "SqueezeExcitation");
  if (x.rank() < 3) kernelFail(sig, "X must be [N, C, D...], got " + shapeStr(x.shape));
  p->N = x.shape[0];
  p->C = x.shape[1];
  p->plane = product(x.shape, 2);
  if (w1.rank() != x.rank() || w1.shape[1] != p->C || product(w1.shape, 2) != 1)
    kernelFail(sig, "reduce weight must be [C1, " + std::to_string(p->C) + ", 1...], got " + shapeStr(w1.shape));
  p->C1 = w1.shape[0];
  std::vector<int64_t> expand(x.shape.size(), 1);
  expand[0] = p->C;
  expand[1] = p->C1;
  requireShape(sig, w2, expand, "expand weight");
  requireShape(sig, b1, {p->C1}, "reduce bias");
  requireShape(sig, b2, {p->C}, "expand bias");
  requireShape(sig, y, x.shape, "output");
  p->act = parseActivation(sig, true);
  const std::string gate = sig.attrs.s("gate", "Sigmoid");
  if (gate != "Sigmoid" && gate != "HardSigmoid") kernelFail(sig, "unsupported gate '" + gate + "'");
  p->hardSigmoidGate = gate == "HardSigmoid";
  p->gateAlpha = sig.attrs.f("gate_alpha", 0.2f);
  p->gateBeta = sig.attrs.f("gate_beta", 0.5f);
}

namespace {

class RefSqueezeExcitation final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override { parseSqueezeExcitation(sig, &p_); }

  void run(const RunContext &, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const float *x = in[0]->as<float>(), *w1 = in[1]->as<float>(), *b1 = in[2]->as<float>();
    const float *w2 = in[3]->as<float>(), *b2 = in[4]->as<float>();
    float *y = out[0]->as<float>();
    const int64_t C = p_.C, C1 = p_.C1, P = p_.plane;
    std::vector<float> mean(static_cast<size_t>(C)), hidden(static_cast<size_t>(C1));
    for (int64_t n = 0; n < p_.N; ++n) {
      const float *xn = x + n * C * P;
      float *yn = y + n * C * P;
      for (int64_t c = 0; c < C; ++c) mean[size_t(c)] = planeMean(xn + c * P, P);
      for (int64_t j = 0; j < C1; ++j) {
        float acc = b1[j];
        for (int64_t c = 0; c < C; ++c) acc += mean[size_t(c)] * w1[j * C + c];
        hidden[size_t(j)] = p_.act.enabled ? activate(acc, p_.act) : acc;
      }
      for (int64_t c = 0; c < C; ++c) {
        float acc = b2[c];
        for (int64_t j = 0; j < C1; ++j) acc += hidden[size_t(j)] * w2[c * C1 + j];
        const float s = p_.hardSigmoidGate ? fn::hardSigmoid(acc, p_.gateAlpha, p_.gateBeta) : sigmoidOf(acc);
        for (int64_t i = 0; i < P; ++i) yn[c * P + i] = xn[c * P + i] * s;
      }
    }
  }

private:
  SqueezeExcitationPlan p_;
};

}  // namespace
}  // namespace edgec::rt::ref

namespace edgec::rt {
void registerRefSqueezeExcitation(KernelRegistry &r) {
  r.add<ref::RefSqueezeExcitation>("SqueezeExcitation", Isa::Ref);
}
}  // namespace edgec::rt
