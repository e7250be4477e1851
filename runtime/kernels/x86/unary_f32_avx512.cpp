// x86 AVX-512 f32 unary kernels: x86/unary_f32_driver.inc on 16-lane vectors (the ops
// and algorithms: x86/unary_f32.h, x86/vec_math.inc). The same operations per lane as
// the AVX2 kernels, so the same bits; only AVX512F instructions
// (float bitwise operations through the integer ones, which need no AVX512DQ).
//
// Compiled with -mavx512f -mavx512dq -mavx512bw -mavx512vl -mfma -ffp-contract=off;
// everything but the factory stays in an anonymous namespace (see docs/architecture.md on
// ISA files).
#include <immintrin.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "kernel.h"
#include "x86/unary_f32.h"

namespace edgec::rt {
namespace {

#include "x86/vec_avx512.inc"

#include "x86/vec_math.inc"
#include "x86/unary_f32_driver.inc"

}  // namespace

Kernel *newX86Avx512UnaryF32(UnaryF32Op op) { return new UnaryF32Kernel(op); }

}  // namespace edgec::rt
