// Registration and prepare-time checks of the x86 f32 unary kernels (x86/unary_f32.h).
// Baseline code, so outside x86/ (test/lit/Runtime/isa-isolation.test takes every object
// there for an ISA one): it runs on every CPU, and the attribute reading and the checks
// (inline helpers of ref/util.h) must not be compiled into an ISA file.
#include "x86/unary_f32.h"

#include <cmath>

#include "kernel.h"
#include "ref/util.h"

namespace edgec::rt {
namespace {

struct Entry {
  const char *name;
  UnaryF32Op op;
};

const Entry kEntries[] = {
    {"Exp", UnaryF32Op::Exp},
    {"Sigmoid", UnaryF32Op::Sigmoid},
    {"Tanh", UnaryF32Op::Tanh},
    {"Erf", UnaryF32Op::Erf},
    {"Log", UnaryF32Op::Log},
    {"Softplus", UnaryF32Op::Softplus},
    {"Elu", UnaryF32Op::Elu},
    {"Selu", UnaryF32Op::Selu},
    {"Relu", UnaryF32Op::Relu},
    {"LeakyRelu", UnaryF32Op::LeakyRelu},
    {"HardSigmoid", UnaryF32Op::HardSigmoid},
    {"HardSwish", UnaryF32Op::HardSwish},
    {"Clip", UnaryF32Op::Clip},
    {"Sqrt", UnaryF32Op::Sqrt},
    {"Neg", UnaryF32Op::Neg},
    {"Abs", UnaryF32Op::Abs},
    {"Reciprocal", UnaryF32Op::Reciprocal},
    {"Softsign", UnaryF32Op::Softsign},
    {"ThresholdedRelu", UnaryF32Op::ThresholdedRelu},
    {"Floor", UnaryF32Op::Floor},
    {"Ceil", UnaryF32Op::Ceil},
    {"Round", UnaryF32Op::Round},
    {"Sign", UnaryF32Op::Sign},
};

bool f32Like(const TensorView *v, const TensorView &y) { return v && v->dtype == DType::f32 && v->shape == y.shape; }

// One f32 input of the output's shape (anything else, e.g. f64 Elu, an int Relu or Sign,
// is ref's).
bool acceptsUnary(const KernelSignature &sig) {
  return sig.inputs.size() == 1 && sig.outputs.size() == 1 && sig.outputs[0] &&
         sig.outputs[0]->dtype == DType::f32 && f32Like(sig.inputs[0], *sig.outputs[0]);
}

// Clip: X f32 of the output's shape, min and max absent or f32 scalars (read on every
// run, as ref does).
bool acceptsClip(const KernelSignature &sig) {
  if (sig.inputs.empty() || sig.inputs.size() > 3 || sig.outputs.size() != 1 || !sig.outputs[0] ||
      sig.outputs[0]->dtype != DType::f32 || !f32Like(sig.inputs[0], *sig.outputs[0]))
    return false;
  for (size_t i = 1; i < sig.inputs.size(); ++i)
    if (sig.inputs[i] && (sig.inputs[i]->dtype != DType::f32 || sig.inputs[i]->numel() != 1)) return false;
  return true;
}

}  // namespace

UnaryF32Params prepareUnaryF32(const KernelSignature &sig, UnaryF32Op op) {
  using namespace ref;
  requireInputCount(sig, 1, op == UnaryF32Op::Clip ? 3 : 1);
  const TensorView &x = requireInput(sig, 0, "X");
  const TensorView &y = requireOutput(sig, 0);
  if (x.dtype != DType::f32 || y.dtype != DType::f32)
    kernelFail(sig, "the x86 f32 kernel takes f32 tensors only");
  requireShape(sig, y, x.shape, "output");
  for (size_t i = 1; i < sig.inputs.size(); ++i)
    if (const TensorView *t = optionalInput(sig, i)) {
      requireSameDType(sig, x, *t, i == 1 ? "min" : "max");
      if (t->numel() != 1) kernelFail(sig, "min and max must be scalars");
    }
  // The attributes ref's functors require (ref/unary_math.cpp): the compiler always
  // writes them.
  auto need = [&](const char *name) {
    if (!sig.attrs.has(name)) kernelFail(sig, std::string("missing attribute '") + name + "'");
    return sig.attrs.f(name, 0.f);
  };
  UnaryF32Params p;
  switch (op) {
  case UnaryF32Op::LeakyRelu:
  case UnaryF32Op::ThresholdedRelu:
  case UnaryF32Op::Elu: p.alpha = need("alpha"); break;
  case UnaryF32Op::Selu:
    p.alpha = need("alpha");
    p.gamma = need("gamma");
    break;
  case UnaryF32Op::HardSigmoid:
    p.alpha = need("alpha");
    p.beta = need("beta");
    break;
  default: break;
  }
  return p;
}

void registerX86UnaryF32(KernelRegistry &r) {
  for (const Entry &e : kEntries) {
    const UnaryF32Op op = e.op;
    const KernelAccepts accepts = op == UnaryF32Op::Clip ? acceptsClip : acceptsUnary;
    r.add(e.name, Isa::X86Avx2, [op] { return std::unique_ptr<Kernel>(newX86Avx2UnaryF32(op)); }, accepts);
    r.add(e.name, Isa::X86Avx512, [op] { return std::unique_ptr<Kernel>(newX86Avx512UnaryF32(op)); }, accepts);
  }
}

}  // namespace edgec::rt
