// INT4 x INT8: activations quantized to int8 per block at run time (GGUF's Q8_0/Q8_1
// design), dotted with group-wise int4 weight codes (Q4_0/Q4_1). The pieces here are the
// oracle every ISA must match bit for bit, and are shared by BlockQuantizedMatMul
// (`--precision int4-gN-a8`) and the GGUF matmuls (issue 12). Contract:
// runtime/kernels/README.md ("INT4 x INT8"); design: docs/architecture.md.
//
// Defined in ref/block_q8.cpp (baseline code); no inline code, so the x86 kernels can
// include it (see ref/blockwise.h).
#pragma once

#include <cstdint>
#include <vector>

#include "kernel.h"

namespace edgec::rt::ref {

// One row of K activations as Q8 blocks of `block` elements (the last may be partial):
//   s[g]    = max|x| over block g / 127 (f32; 0 for an all-zero block),
//   q[k]    = s > 0 ? clamp(round_half_even(x[k] / s[g]), -127, 127) : 0   (f32 division),
//   sum[g]  = sum of q over block g (Q8_1's `s`, kept in integers: it turns an unsigned
//             or zero-pointed weight code into a signed dot product).
// `codes` holds blocks * block bytes: a partial last block is padded with zeros, so a
// kernel may read whole blocks. `sums` may be null.
void quantizeRowQ8(const float *x, int64_t K, int64_t block, int8_t *codes, float *scales, int32_t *sums);

// A validated BlockQuantizedMatMul call: input [..., K] f32, weight [N, K] i4/u4 with
// Blockwise QuantInfo along axis 1 (block = the `block_size` attribute), bias [N] f32?,
// output [..., N] f32.
struct BlockQ8Plan {
  int64_t rows = 0, K = 0, N = 0, block = 0, blocks = 0;
  DType dtype = DType::i4;
  bool hasBias = false;
  std::vector<float> scales;       // [N, blocks]
  std::vector<int32_t> zeroPoints; // [N, blocks]; all zero when the weight has none
};
// Validates the call (Error naming the node otherwise) and returns its plan.
BlockQ8Plan prepareBlockQ8MatMul(const KernelSignature &sig);

// The exact int32 dot of block g of weight row n (codes [N, K], two per byte, low nibble
// first) with Q8 codes `q` of that block: sum_k (w[n, k] - zero_point[n, g]) * q[k].
int32_t dotInt4Q8Block(const BlockQ8Plan &p, const uint8_t *codes, int64_t n, int64_t g, const int8_t *q);

// The x86 kernels' per-block column tables ([blocks, nPad], nPad >= N; padding columns
// 0): the weight scales, and the zero points plus `offset` (8 for i4 codes made
// unsigned). Built here, in baseline code, so that no ISA file instantiates vector code
// a baseline file also uses (test/lit/Runtime/isa-isolation.test).
void blockQ8ColumnTables(const BlockQ8Plan &p, int64_t nPad, int32_t offset, std::vector<float> &scales,
                         std::vector<int32_t> &zeroPoints);

// The x86 kernels' weight layout (tiles of 16 columns x 4-bit codes, stored so in the
// package by the compiler) is the Int4Q8Tiles layout of edgec/weight_layouts.h.

// Whether the x86 kernels take this call (i4/u4 weight [N, K], K even, blocked along axis
// 1 in multiples of 32 elements; prepare validates the rest as ref does).
bool isInt4Q8Call(const KernelSignature &sig);

} // namespace edgec::rt::ref
