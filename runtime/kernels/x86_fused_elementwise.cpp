// Registration of the x86 FusedElementwise kernels (x86/fused_elementwise.h). Baseline
// code, outside x86/ (see x86_unary_f32.cpp): it runs on every CPU.
#include "x86/fused_elementwise.h"

#include "kernel.h"

namespace edgec::rt {
namespace {

// f32 everywhere (the plan, ref::planFusedElementwise, checks the rest as ref does).
bool acceptsFusedElementwise(const KernelSignature &sig) {
  if (sig.outputs.size() != 1 || !sig.outputs[0] || sig.outputs[0]->dtype != DType::f32) return false;
  for (const TensorView *t : sig.inputs)
    if (!t || t->dtype != DType::f32) return false;
  return !sig.inputs.empty();
}

}  // namespace

void registerX86FusedElementwise(KernelRegistry &r) {
  r.add("FusedElementwise", Isa::X86Avx2, [] { return std::unique_ptr<Kernel>(newX86Avx2FusedElementwise()); },
        acceptsFusedElementwise);
  r.add("FusedElementwise", Isa::X86Avx512, [] { return std::unique_ptr<Kernel>(newX86Avx512FusedElementwise()); },
        acceptsFusedElementwise);
}

}  // namespace edgec::rt
