// x86 AVX-512 FusedElementwise: x86/fused_elementwise_driver.inc on 16-lane vectors
// (the vector math: x86/vec_math.inc, as the unary kernels of x86/unary_f32_avx512.cpp; the same
// operations per lane as the AVX2 kernel, so the same bits).
//
// Compiled with -mavx512f -mavx512dq -mavx512bw -mavx512vl -mfma -ffp-contract=off; everything but the factory stays in an
// anonymous namespace (see docs/architecture.md on ISA files).
#include <immintrin.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "kernel.h"
#include "ref/fused_elementwise.h"
#include "x86/fused_elementwise.h"

namespace edgec::rt {
namespace {

#include "x86/vec_avx512.inc"

#include "x86/vec_math.inc"
#include "x86/fused_elementwise_driver.inc"

}  // namespace

Kernel *newX86Avx512FusedElementwise() { return new FusedElementwiseKernel(); }

}  // namespace edgec::rt
