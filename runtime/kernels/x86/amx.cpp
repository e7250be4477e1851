// AMX availability (x86/amx.h): CPUID, XCR0 and Linux's per-process permission for the
// tile data state (without it the first tile instruction faults).
#include "x86/amx.h"

#include <cpuid.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>

namespace edgec::rt::x86 {
namespace {

constexpr int kXfeatureTileData = 18;       // XFEATURE_XTILEDATA
constexpr long kArchGetXcompPerm = 0x1022;  // ARCH_GET_XCOMP_PERM
constexpr long kArchReqXcompPerm = 0x1023;  // ARCH_REQ_XCOMP_PERM

bool cpuAndOsHaveAmx() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
  const bool tile = d & (1u << 24), int8 = d & (1u << 25);
  if (!tile || !int8) return false;
  __get_cpuid(1, &a, &b, &c, &d);
  if (!(c & (1u << 27))) return false;  // OSXSAVE: XGETBV is available
  unsigned lo = 0, hi = 0;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (lo & (3u << 17)) == (3u << 17);  // XTILECFG and XTILEDATA enabled by the OS
}

bool permitted() {
#if defined(__linux__)
  unsigned long granted = 0;
  if (syscall(SYS_arch_prctl, kArchGetXcompPerm, &granted) == 0 && (granted & (1ul << kXfeatureTileData)))
    return true;
  return syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureTileData) == 0;
#else
  return false;
#endif
}

}  // namespace

bool amxUsable() {
  static const bool usable = cpuAndOsHaveAmx() && permitted();
  return usable && !std::getenv("EDGEC_X86_NO_AMX");
}

}  // namespace edgec::rt::x86
