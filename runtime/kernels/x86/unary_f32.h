// The x86 f32 unary kernels of x86/unary_f32_avx2.cpp and x86/unary_f32_avx512.cpp (one
// kernel class, x86/unary_f32_driver.inc, on the vector math of x86/vec_math.inc), and
// what baseline code needs to register and prepare them (x86_unary_f32.cpp).
//
// Everything here is plain declarations: this header is included by ISA files and by
// baseline files alike, so it must define no inline function (see docs/architecture.md
// on ISA files).
#pragma once

namespace edgec::rt {
class Kernel;
class KernelRegistry;
struct KernelSignature;

enum class UnaryF32Op {
  // Transcendental (x86/vec_math.inc's cores).
  Exp, Sigmoid, Tanh, Erf, Log, Softplus, Elu, Selu,
  // ref's own IEEE operations, compares and roundings per element: the same bits as ref.
  Relu, LeakyRelu, HardSigmoid, HardSwish, Clip, Sqrt, Neg, Abs, Reciprocal,
  Softsign, ThresholdedRelu, Floor, Ceil, Round, Sign,
};

// The attributes an op reads (LeakyRelu, Elu, ThresholdedRelu: alpha; Selu: alpha, gamma;
// HardSigmoid: alpha, beta), as ref reads them.
struct UnaryF32Params {
  float alpha = 0.f, beta = 0.f, gamma = 0.f;
};

// Validates `sig` as ref's kernel for the op does (same messages) and reads its
// attributes. Baseline code (x86_unary_f32.cpp): the ISA kernels' prepare calls it.
UnaryF32Params prepareUnaryF32(const KernelSignature &sig, UnaryF32Op op);

// Factories (ISA files); registry.cpp calls registerX86UnaryF32 from baseline code.
Kernel *newX86Avx2UnaryF32(UnaryF32Op op);
Kernel *newX86Avx512UnaryF32(UnaryF32Op op);
void registerX86UnaryF32(KernelRegistry &r);

}  // namespace edgec::rt
