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
  if (f == "avx512dq") return cpuinfo_has_x86_avx512dq();
  if (f == "avx512bw") return cpuinfo_has_x86_avx512bw();
  if (f == "avx512vl") return cpuinfo_has_x86_avx512vl();
  if (f == "avx512vnni") return cpuinfo_has_x86_avx512vnni();
  if (f == "avx512vbmi") return cpuinfo_has_x86_avx512vbmi();
#endif
#if CPUINFO_ARCH_ARM64
  if (f == "neon") return cpuinfo_has_arm_neon();
  if (f == "dotprod") return cpuinfo_has_arm_neon_dot();
  if (f == "fp16") return cpuinfo_has_arm_neon_fp16_arith();
#endif
  return false;
}

namespace {
bool isX86(Isa isa) { return isa == Isa::X86Avx2 || isa == Isa::X86Avx512; }

// The level EDGEC_KERNELS names: "ref", "avx2", "avx512", "neon" (or the full names that
// --profile prints, "x86-avx2"...); "best" or unset for no cap (returns false).
bool kernelCap(Isa *cap) {
  const char *env = std::getenv("EDGEC_KERNELS");
  const std::string v = env ? env : "";
  if (v.empty() || v == "best") return false;
  for (Isa isa : {Isa::Ref, Isa::X86Avx2, Isa::X86Avx512, Isa::ArmNeon}) {
    const std::string name = isaName(isa);
    if (v == name || v == name.substr(name.find('-') + 1)) {
      *cap = isa;
      return true;
    }
  }
  throw Error("EDGEC_KERNELS='" + v + "' is not one of best, ref, avx2, avx512, neon");
}
}  // namespace

std::vector<Isa> hostIsas() {
  std::vector<Isa> isas = {Isa::Ref};
  if (hostHasFeature("avx2") && hostHasFeature("fma")) {
    isas.push_back(Isa::X86Avx2);
    // The AVX-512 kernels use F plus the DQ/BW/VL extensions (every AVX-512 CPU since
    // Skylake-SP has all four); cpuinfo also checks that the OS saves the zmm state.
    if (hostHasFeature("avx512f") && hostHasFeature("avx512dq") && hostHasFeature("avx512bw") &&
        hostHasFeature("avx512vl"))
      isas.push_back(Isa::X86Avx512);
  }
  // On aarch64 cpuinfo answers "neon", "dotprod", "fp16" (packages may require them), but
  // there are no arm-neon kernels yet: ArmNeon joins the list with kernels/arm/, and until
  // then an ARM CPU runs the ref kernels.
  // EDGEC_KERNELS caps the level (tests compare each one against the ref oracle, and
  // EDGEC_KERNELS=ref runs the oracle alone): the portable kernels stay, and of the
  // others those of the named level's family at or below it.
  Isa cap = Isa::Ref;
  if (!kernelCap(&cap)) return isas;
  std::vector<Isa> kept = {Isa::Ref};
  for (Isa isa : isas) {
    const bool sameFamily = cap != Isa::Ref && isa != Isa::Ref && isX86(isa) == isX86(cap);
    if (sameFamily && static_cast<int>(isa) <= static_cast<int>(cap)) kept.push_back(isa);
  }
  return kept;
}

}  // namespace edgec::rt
