// x86 AVX2 + FMA f32 unary kernels: x86/unary_f32_driver.inc on 8-lane vectors (the ops
// and algorithms: x86/unary_f32.h, x86/vec_math.inc).
//
// Compiled with -mavx2 -mfma -ffp-contract=off; everything but the factory stays in an
// anonymous namespace (see docs/architecture.md on ISA files).
#include <immintrin.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "kernel.h"
#include "x86/unary_f32.h"

namespace edgec::rt {
namespace {

#include "x86/vec_avx2.inc"

#include "x86/vec_math.inc"
#include "x86/unary_f32_driver.inc"

}  // namespace

Kernel *newX86Avx2UnaryF32(UnaryF32Op op) { return new UnaryF32Kernel(op); }

}  // namespace edgec::rt
