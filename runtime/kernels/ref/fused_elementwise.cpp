// Reference FusedElementwise: the program of edge-fuse-elementwise evaluated per block of
// output elements, each step with the element function of the single op's ref kernel
// (ref/elementwise_fns.h), so the result is the unfused ref ops' bit for bit. Also the
// prepare-time plan the x86 kernels share (ref/fused_elementwise.h).
#include "ref/fused_elementwise.h"

#include <cmath>
#include <cstring>
#include <map>
#include <sstream>

#include "ref/elementwise_fns.h"
#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::ref {

namespace {

struct OpInfo {
  FusedOp op;
  int registers;
};

const std::map<std::string, OpInfo> &opTable() {
  static const std::map<std::string, OpInfo> table = {
      {"Add", {FusedOp::Add, 2}},         {"Sub", {FusedOp::Sub, 2}},
      {"Mul", {FusedOp::Mul, 2}},         {"Div", {FusedOp::Div, 2}},
      {"Pow", {FusedOp::Pow, 1}},         {"Clip", {FusedOp::Clip, 1}},
      {"LeakyRelu", {FusedOp::LeakyRelu, 1}}, {"Elu", {FusedOp::Elu, 1}},
      {"HardSigmoid", {FusedOp::HardSigmoid, 1}}, {"Relu", {FusedOp::Relu, 1}},
      {"Sigmoid", {FusedOp::Sigmoid, 1}}, {"Tanh", {FusedOp::Tanh, 1}},
      {"Erf", {FusedOp::Erf, 1}},         {"Exp", {FusedOp::Exp, 1}},
      {"Log", {FusedOp::Log, 1}},         {"Neg", {FusedOp::Neg, 1}},
      {"Abs", {FusedOp::Abs, 1}},         {"Sqrt", {FusedOp::Sqrt, 1}},
      {"Reciprocal", {FusedOp::Reciprocal, 1}}, {"HardSwish", {FusedOp::HardSwish, 1}},
      {"Softplus", {FusedOp::Softplus, 1}},
  };
  return table;
}

}  // namespace

std::vector<FusedStep> fusedProgram(const KernelSignature &sig, int numInputs, const std::string &prefix) {
  using P = FusedElementwisePlan;
  std::vector<FusedStep> steps;
  std::vector<std::string> names;
  {
    std::stringstream ss(sig.attrs.s((prefix + "ops").c_str()));
    for (std::string name; std::getline(ss, name, ',');) names.push_back(name);
  }
  const std::vector<int64_t> args = sig.attrs.ints((prefix + "args").c_str());
  const std::vector<float> params = sig.attrs.floats((prefix + "params").c_str());
  if (names.empty() || names.size() > size_t(P::kMaxSteps))
    kernelFail(sig, "takes 1 to " + std::to_string(P::kMaxSteps) + " steps, got " + std::to_string(names.size()));
  if (args.size() != 2 * names.size() || params.size() != 2 * names.size())
    kernelFail(sig, "args and params must have 2 entries per step");
  for (size_t k = 0; k < names.size(); ++k) {
    auto it = opTable().find(names[k]);
    if (it == opTable().end()) kernelFail(sig, "step " + std::to_string(k) + ": unknown op '" + names[k] + "'");
    FusedStep s{it->second.op, int32_t(args[2 * k]), int32_t(args[2 * k + 1]), params[2 * k], params[2 * k + 1]};
    const int64_t regs = numInputs + int64_t(k);
    if (s.a < 0 || s.a >= regs || (it->second.registers == 2 ? (s.b < 0 || s.b >= regs) : s.b != -1))
      kernelFail(sig, "step " + std::to_string(k) + " (" + names[k] + ") reads registers that do not exist");
    steps.push_back(s);
  }
  return steps;
}

FusedElementwisePlan planFusedElementwise(const KernelSignature &sig) {
  using P = FusedElementwisePlan;
  const TensorView &y = requireOutput(sig, 0);
  if (sig.outputs.size() != 1) kernelFail(sig, "FusedElementwise has one output");
  if (sig.inputs.empty() || sig.inputs.size() > size_t(P::kMaxInputs))
    kernelFail(sig, "takes 1 to " + std::to_string(P::kMaxInputs) + " inputs, got " + std::to_string(sig.inputs.size()));
  requireDType(sig, y, Types<float>{}, "FusedElementwise output");
  P p;
  p.numInputs = int(sig.inputs.size());
  for (size_t i = 0; i < sig.inputs.size(); ++i) {
    const TensorView &x = requireInput(sig, i, "X");
    requireDType(sig, x, Types<float>{}, "FusedElementwise input");
    if (!broadcastsTo(x.shape, y.shape))
      kernelFail(sig, "input " + std::to_string(i) + " " + shapeStr(x.shape) + " does not broadcast to the output " +
                          shapeStr(y.shape));
  }
  p.steps = fusedProgram(sig, p.numInputs);
  // Dims: size-1 output dims dropped, neighbours merged where every input's strides allow.
  const size_t rank = y.shape.size();
  std::vector<std::array<int64_t, P::kMaxInputs>> full(rank);
  for (int i = 0; i < p.numInputs; ++i) {
    const std::vector<int64_t> s = broadcastStrides(sig.inputs[size_t(i)]->shape, y.shape);
    for (size_t d = 0; d < rank; ++d) full[d][size_t(i)] = s[d];
  }
  p.numel = y.numel();
  for (size_t d = 0; d < rank; ++d) {
    if (y.shape[d] == 1) continue;
    if (!p.shape.empty()) {
      const int64_t inner = y.shape[d];
      bool merge = true;
      for (int i = 0; i < p.numInputs; ++i)
        merge = merge && p.strides.back()[size_t(i)] == full[d][size_t(i)] * inner;
      if (merge) {
        p.shape.back() *= inner;
        p.strides.back() = full[d];
        continue;
      }
    }
    p.shape.push_back(y.shape[d]);
    p.strides.push_back(full[d]);
  }
  if (p.shape.empty()) {  // a single element
    p.shape.push_back(1);
    p.strides.push_back({});
  }
  for (int i = 0; i < p.numInputs; ++i)
    if (p.strides.back()[size_t(i)] > 1) kernelFail(sig, "input " + std::to_string(i) + " is not dense");
  return p;
}

void forEachFusedRun(const FusedElementwisePlan &p, int64_t lo, int64_t hi, void (*fn)(void *, const FusedRun &),
                     void *ctx) {
  const int r = int(p.shape.size()) - 1;
  const int64_t inner = p.shape[size_t(r)];
  std::array<int64_t, 8> idx{};
  static_assert(FusedElementwisePlan::kMaxInputs == 8);
  int64_t outer = lo / inner, j = lo % inner;
  FusedRun run{lo, 0, {}};
  for (int d = r - 1; d >= 0; --d) {
    idx[size_t(d)] = outer % p.shape[size_t(d)];
    outer /= p.shape[size_t(d)];
    for (int i = 0; i < p.numInputs; ++i) run.off[size_t(i)] += idx[size_t(d)] * p.strides[size_t(d)][size_t(i)];
  }
  std::array<int64_t, FusedElementwisePlan::kMaxInputs> base = run.off;
  while (run.pos < hi) {
    run.n = std::min(inner - j, hi - run.pos);
    for (int i = 0; i < p.numInputs; ++i) run.off[size_t(i)] = base[size_t(i)] + j * p.strides[size_t(r)][size_t(i)];
    fn(ctx, run);
    run.pos += run.n;
    j = 0;
    for (int d = r - 1; d >= 0; --d) {  // next outer index
      for (int i = 0; i < p.numInputs; ++i) base[size_t(i)] += p.strides[size_t(d)][size_t(i)];
      if (++idx[size_t(d)] < p.shape[size_t(d)]) break;
      for (int i = 0; i < p.numInputs; ++i) base[size_t(i)] -= p.strides[size_t(d)][size_t(i)] * p.shape[size_t(d)];
      idx[size_t(d)] = 0;
    }
  }
}

namespace {

// dst[t] = f(src...) for t in [0, n): one step over a block.
void evalStep(const FusedStep &s, const float *a, const float *b, float *dst, int64_t n) {
  auto map1 = [&](auto f) {
    for (int64_t t = 0; t < n; ++t) dst[t] = f(a[t]);
  };
  auto map2 = [&](auto f) {
    for (int64_t t = 0; t < n; ++t) dst[t] = f(a[t], b[t]);
  };
  const float p0 = s.p0, p1 = s.p1;
  switch (s.op) {
  // ref/elementwise.cpp's RefBinary on f32: one IEEE operation.
  case FusedOp::Add: return map2([](float u, float v) { return u + v; });
  case FusedOp::Sub: return map2([](float u, float v) { return u - v; });
  case FusedOp::Mul: return map2([](float u, float v) { return u * v; });
  case FusedOp::Div: return map2([](float u, float v) { return u / v; });
  case FusedOp::Pow: return map1([p0](float v) { return fn::powFloat(v, double(p0)); });
  case FusedOp::Clip: return map1([p0, p1](float v) { return fn::clip(v, p0, p1); });
  case FusedOp::LeakyRelu: return map1([p0](float v) { return fn::leakyRelu(v, p0); });
  case FusedOp::Elu: return map1([p0](float v) { return fn::elu(v, p0); });
  case FusedOp::HardSigmoid: return map1([p0, p1](float v) { return fn::hardSigmoid(v, p0, p1); });
  case FusedOp::Relu: return map1([](float v) { return fn::relu(v); });
  case FusedOp::Sigmoid: return map1([](float v) { return sigmoidOf(v); });
  case FusedOp::Tanh: return map1([](float v) { return fn::tanh(v); });
  case FusedOp::Erf: return map1([](float v) { return fn::erf(v); });
  case FusedOp::Exp: return map1([](float v) { return fn::exp(v); });
  case FusedOp::Log: return map1([](float v) { return fn::log(v); });
  case FusedOp::Neg: return map1([](float v) { return fn::neg(v); });
  case FusedOp::Abs: return map1([](float v) { return fn::abs(v); });
  case FusedOp::Sqrt: return map1([](float v) { return fn::sqrt(v); });
  case FusedOp::Reciprocal: return map1([](float v) { return fn::reciprocal(v); });
  case FusedOp::HardSwish: return map1([](float v) { return hardSwishOf(v); });
  case FusedOp::Softplus: return map1([](float v) { return fn::softplus(v); });
  }
}

struct Eval {
  const FusedElementwisePlan *p;
  const float *in[FusedElementwisePlan::kMaxInputs];
  float *y;
};

// One run, block by block: registers are blocks (an input of stride 1 read in place, a
// broadcast one filled), every step writes its block, the last one into the output. An
// output over an input of its shape (the in-place memory plan) is safe: each step reads
// an index before writing it, and the inputs are read before the last step writes.
void evalRun(void *ctx, const FusedRun &run) {
  const Eval &e = *static_cast<const Eval *>(ctx);
  const FusedElementwisePlan &p = *e.p;
  constexpr int64_t B = FusedElementwisePlan::kBlock;
  constexpr int kRegs = FusedElementwisePlan::kMaxInputs + FusedElementwisePlan::kMaxSteps;
  alignas(64) float buf[kRegs][B];
  const float *reg[kRegs];
  const size_t last = p.steps.size() - 1;
  for (int64_t t0 = 0; t0 < run.n; t0 += B) {
    const int64_t n = std::min(B, run.n - t0);
    for (int i = 0; i < p.numInputs; ++i) {
      const float *src = e.in[i] + run.off[size_t(i)];
      if (p.strides.back()[size_t(i)] == 1) {
        reg[i] = src + t0;
      } else {
        std::fill(buf[i], buf[i] + n, *src);
        reg[i] = buf[i];
      }
    }
    for (size_t k = 0; k < p.steps.size(); ++k) {
      const FusedStep &s = p.steps[k];
      const size_t r = size_t(p.numInputs) + k;
      float *dst = k == last ? e.y + run.pos + t0 : buf[r];
      evalStep(s, reg[s.a], s.b >= 0 ? reg[s.b] : nullptr, dst, n);
      reg[r] = dst;
    }
  }
}

}  // namespace

void evalFusedProgram(const std::vector<FusedStep> &steps, int numInputs, const float *x, const float *scalars,
                      float *y, int64_t n) {
  constexpr int64_t B = FusedElementwisePlan::kBlock;
  constexpr int kRegs = FusedElementwisePlan::kMaxInputs + FusedElementwisePlan::kMaxSteps;
  alignas(64) float buf[kRegs][B];
  const float *reg[kRegs];
  for (int64_t t0 = 0; t0 < n; t0 += B) {
    const int64_t m = std::min(B, n - t0);
    reg[0] = x + t0;
    for (int i = 1; i < numInputs; ++i) {
      std::fill(buf[i], buf[i] + m, scalars[i - 1]);
      reg[i] = buf[i];
    }
    for (size_t k = 0; k < steps.size(); ++k) {
      const FusedStep &s = steps[k];
      const size_t r = size_t(numInputs) + k;
      float *dst = k + 1 == steps.size() ? y + t0 : buf[r];
      evalStep(s, reg[s.a], s.b >= 0 ? reg[s.b] : nullptr, dst, m);
      reg[r] = dst;
    }
  }
}

namespace {

class RefFusedElementwise final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override { p_ = planFusedElementwise(sig); }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    Eval e{&p_, {}, out[0]->as<float>()};
    for (int i = 0; i < p_.numInputs; ++i) e.in[i] = in[size_t(i)]->as<float>();
    parallelRange(ctx, p_.numel, [&](int64_t b, int64_t end) { forEachFusedRun(p_, b, end, evalRun, &e); });
  }

private:
  FusedElementwisePlan p_;
};

}  // namespace
}  // namespace edgec::rt::ref

namespace edgec::rt {

void registerRefFusedElementwise(KernelRegistry &r) { r.add<ref::RefFusedElementwise>("FusedElementwise", Isa::Ref); }

}  // namespace edgec::rt
