// One registration function per kernel family file; registry.cpp calls the two roots.
#pragma once

namespace edgec::rt {
class KernelRegistry;

// ref/ (portable C++, the oracle)
void registerRefElementwise(KernelRegistry &r);
void registerRefLinalg(KernelRegistry &r);
void registerRefConv(KernelRegistry &r);
void registerRefPool(KernelRegistry &r);
void registerRefNormalization(KernelRegistry &r);
void registerRefDataMovement(KernelRegistry &r);
void registerRefReduce(KernelRegistry &r);
void registerRefUnaryMath(KernelRegistry &r);
void registerRefLogic(KernelRegistry &r);
void registerRefArith(KernelRegistry &r);
void registerRefIndexMap(KernelRegistry &r);

inline void registerRefKernels(KernelRegistry &r) {
  registerRefElementwise(r);
  registerRefLinalg(r);
  registerRefConv(r);
  registerRefPool(r);
  registerRefNormalization(r);
  registerRefDataMovement(r);
  registerRefReduce(r);
  registerRefUnaryMath(r);
  registerRefLogic(r);
  registerRefArith(r);
  registerRefIndexMap(r);
}

// x86/ (compiled with -mavx2 -mfma; only registered when the CPU has them)
void registerX86Gemm(KernelRegistry &r);
void registerX86Conv(KernelRegistry &r);

inline void registerX86Kernels(KernelRegistry &r) {
  registerX86Gemm(r);
  registerX86Conv(r);
}

}  // namespace edgec::rt
