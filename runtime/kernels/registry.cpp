#include "kernel.h"
#include "register_kernels.h"

#include <algorithm>

namespace edgec::rt {

KernelRegistry &KernelRegistry::instance() {
  static KernelRegistry *registry = [] {
    auto *r = new KernelRegistry();
    registerRefKernels(*r);
    registerX86Kernels(*r);
    return r;
  }();
  return *registry;
}

void registerX86Kernels(KernelRegistry &r) {
  auto add = [&](const char *op, Isa isa, Kernel *(*factory)()) {
    r.add(op, isa, [factory] { return std::unique_ptr<Kernel>(factory()); });
  };
  add("Gemm", Isa::X86Avx2, newX86Avx2Gemm);
  add("MatMul", Isa::X86Avx2, newX86Avx2MatMul);
  add("Conv", Isa::X86Avx2, newX86Avx2Conv);
  add("Conv", Isa::X86Avx512, newX86Avx512Conv);
}

void KernelRegistry::add(const std::string &op, Isa isa, KernelFactory factory) {
  entries_.push_back({op, isa, std::move(factory)});
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
