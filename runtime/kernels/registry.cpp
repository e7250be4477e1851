#include "kernel.h"
#include "register_kernels.h"

#include <algorithm>

namespace edgec::rt {

KernelRegistry &KernelRegistry::instance() {
  static KernelRegistry *registry = [] {
    auto *r = new KernelRegistry();
    registerRefKernels(*r);
#if defined(__x86_64__)
    registerX86Kernels(*r);  // kernels/x86/ is built only for x86-64 targets
#endif
    return r;
  }();
  return *registry;
}

#if defined(__x86_64__)
void registerX86Kernels(KernelRegistry &r) {
  auto add = [&](const char *op, Isa isa, Kernel *(*factory)(), KernelAccepts accepts) {
    r.add(op, isa, [factory] { return std::unique_ptr<Kernel>(factory()); }, accepts);
  };
  auto f32Only = [](const KernelSignature &sig) { return allOfDType(sig, DType::f32); };
  add("Gemm", Isa::X86Avx2, newX86Avx2Gemm, f32Only);
  add("MatMul", Isa::X86Avx2, newX86Avx2MatMul, f32Only);
  add("Conv", Isa::X86Avx2, newX86Avx2Conv, f32Only);
  add("Conv", Isa::X86Avx512, newX86Avx512Conv, f32Only);
}
#endif

void KernelRegistry::add(const std::string &op, Isa isa, KernelFactory factory, KernelAccepts accepts) {
  entries_.push_back({op, isa, std::move(factory), accepts});
}

bool allOfDType(const KernelSignature &sig, DType t) {
  for (const TensorView *v : sig.inputs)
    if (v && v->dtype != t) return false;
  for (const TensorView *v : sig.outputs)
    if (v->dtype != t) return false;
  return true;
}

std::unique_ptr<Kernel> KernelRegistry::create(const KernelSignature &sig, const std::vector<Isa> &available,
                                               Isa *chosen) const {
  const Entry *best = nullptr;
  bool known = false;
  for (const Entry &e : entries_) {
    if (e.op != sig.op) continue;
    known = true;
    if (std::find(available.begin(), available.end(), e.isa) == available.end()) continue;
    if (e.accepts && !e.accepts(sig)) continue;
    // The highest ISA; among equal ISAs an implementation with an `accepts` predicate (a
    // specific one, e.g. the quantized Conv) beats one without (the catch-all float
    // Conv), whatever the registration order; otherwise the first registered.
    if (!best || static_cast<int>(e.isa) > static_cast<int>(best->isa) ||
        (e.isa == best->isa && e.accepts && !best->accepts))
      best = &e;
  }
  if (!best) {
    std::string isas;
    for (Isa isa : available) isas += std::string(isas.empty() ? "" : ", ") + isaName(isa);
    kernelFail(sig, known ? "no implementation among the available ones (" + isas + ") takes this signature"
                          : "op '" + sig.op + "' is not implemented by this runtime");
  }
  if (chosen) *chosen = best->isa;
  return best->factory();
}

std::unique_ptr<Kernel> KernelRegistry::create(const std::string &op,
                                               const std::vector<Isa> &available,
                                               Isa *chosen) const {
  const Entry *best = nullptr;
  for (const Entry &e : entries_) {
    if (e.op != op) continue;
    if (std::find(available.begin(), available.end(), e.isa) == available.end()) continue;
    if (!best || static_cast<int>(e.isa) > static_cast<int>(best->isa)) best = &e;
  }
  if (!best) return nullptr;
  if (chosen) *chosen = best->isa;
  return best->factory();
}

bool KernelRegistry::has(const std::string &op) const {
  return std::any_of(entries_.begin(), entries_.end(),
                     [&](const Entry &e) { return e.op == op; });
}

std::vector<std::string> KernelRegistry::ops() const {
  std::vector<std::string> out;
  for (const Entry &e : entries_) out.push_back(e.op);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace edgec::rt
