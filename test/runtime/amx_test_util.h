// The x86 int8 tests run each case with AMX tiles allowed and not (x86 tests only).
#pragma once

#include <cstdlib>
#include <vector>

#include "kernel_test_util.h"
#include "x86/amx.h"

namespace edgec::rt::testing {

// Where the CPU and OS allow AMX, the AVX-512 int8 MatMul/Gemm, DynamicQuantizedMatMul and
// Conv products that fit the tiles run on them (x86/qgemm_amx.inc); EDGEC_X86_NO_AMX, read
// at prepare, keeps them on the VNNI tiles. The modes to run at `level`: true = AMX allowed
// (both at AVX-512 on such a CPU; at AVX2 there is nothing to switch).
inline std::vector<bool> amxModes(const IsaLevel &level) {
  ::unsetenv("EDGEC_X86_NO_AMX");
  return level.expect == Isa::X86Avx512 && x86::amxUsable() ? std::vector<bool>{true, false}
                                                             : std::vector<bool>{false};
}
inline void allowAmx(bool on) {
  if (on) ::unsetenv("EDGEC_X86_NO_AMX");
  else ::setenv("EDGEC_X86_NO_AMX", "1", 1);
}

}  // namespace edgec::rt::testing
