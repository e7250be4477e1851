// 2-D transposes for the x86 mover (x86_copy.h). ISA code: call only on a CPU with AVX2.
#pragma once

#include <cstdint>

namespace edgec::rt::x86 {

// dst[a * dstStep + b] = src[a + b * srcStep] for a < A, b < B: 32-bit elements, the input
// contiguous along a, the output along b.
void transpose32Avx2(const uint32_t *src, int64_t srcStep, uint32_t *dst, int64_t dstStep, int64_t A, int64_t B);
// The same for bytes (int8 tensors: static INT8's attention heads), in 16x16 blocks.
void transpose8Avx2(const uint8_t *src, int64_t srcStep, uint8_t *dst, int64_t dstStep, int64_t A, int64_t B);

}  // namespace edgec::rt::x86
