// ISA features of the running CPU, through cpuinfo (x86 and ARM alike).
#include <cpuinfo.h>

#include <cstdlib>

#include "model.h"

namespace edgec::rt {

namespace {
bool initialized() {
  static bool ok = cpuinfo_initialize();
  return ok;
}
}  // namespace

bool hostHasFeature(const std::string &f) {
  if (!initialized()) return false;
#if CPUINFO_ARCH_X86 || CPUINFO_ARCH_X86_64
  if (f == "avx2") return cpuinfo_has_x86_avx2();
  if (f == "fma") return cpuinfo_has_x86_fma3();
  if (f == "f16c") return cpuinfo_has_x86_f16c();
  if (f == "avx512f") return cpuinfo_has_x86_avx512f();
  if (f == "avx512vnni") return cpuinfo_has_x86_avx512vnni();
#endif
#if CPUINFO_ARCH_ARM64
  if (f == "neon") return cpuinfo_has_arm_neon();
  if (f == "dotprod") return cpuinfo_has_arm_neon_dot();
  if (f == "fp16") return cpuinfo_has_arm_neon_fp16_arith();
#endif
  return false;
}

std::vector<Isa> hostIsas() {
  std::vector<Isa> isas = {Isa::Ref};
  // EDGEC_KERNELS=ref runs the portable oracle kernels only (tests and debugging).
  if (const char *only = std::getenv("EDGEC_KERNELS"); only && std::string(only) == "ref") return isas;
  if (hostHasFeature("avx2") && hostHasFeature("fma")) isas.push_back(Isa::X86Avx2);
  if (hostHasFeature("neon")) isas.push_back(Isa::ArmNeon);
  return isas;
}

}  // namespace edgec::rt
