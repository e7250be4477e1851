// The x86 FusedElementwise kernels (x86/fused_elementwise_avx2.cpp and _avx512.cpp: one
// kernel class, x86/fused_elementwise_driver.inc, on the vector math of x86/vec_math.inc)
// and their registration (x86_fused_elementwise.cpp, baseline code).
//
// Plain declarations: included by ISA files and baseline files alike.
#pragma once

namespace edgec::rt {
class Kernel;
class KernelRegistry;

Kernel *newX86Avx2FusedElementwise();
Kernel *newX86Avx512FusedElementwise();
void registerX86FusedElementwise(KernelRegistry &r);

}  // namespace edgec::rt
