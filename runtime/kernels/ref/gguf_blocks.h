// GGUF weights to f32 (issue 12, part 3): the scalar dequantization of ggml's block
// formats, the oracle that every faster GGUF kernel is checked against.
//
// Layouts (ggml's block_q* structs, all little endian; d, m, dmin are f16):
//   q4_0  [d, qs[16]]                        x = d * (code - 8)
//   q4_1  [d, m, qs[16]]                     x = d * code + m
//   q5_0  [d, qh[4], qs[16]]                 x = d * (code - 16)
//   q5_1  [d, m, qh[4], qs[16]]              x = d * code + m
//   q8_0  [d, qs[32] int8]                   x = d * code
//   q2_k  [scales[16], qs[64], d, dmin]      x = d * sc[j] * code - dmin * mn[j]
//   q3_k  [hmask[32], qs[64], scales[12], d] x = d * (sc[j] - 32) * code, code -4..3
//   q4_k  [d, dmin, scales[12], qs[128]]     x = d * sc[j] * code - dmin * mn[j]
//   q5_k  [d, dmin, scales[12], qh[32], qs[128]]   as q4_k, 5-bit codes
//   q6_k  [ql[128], qh[64], scales[16] int8, d]    x = d * sc[j] * (code - 32)
//   iq4_nl [d, qs[16]]                       x = d * kIq4Values[code]
//   iq4_xs [d, scales_h, scales_l[4], qs[128]]     x = d * (sc[j] - 32) * kIq4Values[code]
// The 32-element formats (and each 32-element sub-block of iq4_xs) keep element j (< 16)
// in the low nibble of qs[j] and element j + 16 in its high nibble; the 5th bit of element
// i is bit i of qh read as a uint32.
// The K formats hold 256 elements; the bit positions of their sub-block scales and codes
// are spelled out in gguf_blocks.cpp.
//
// Defined in ref/gguf_blocks.cpp (baseline code); no inline code, so ISA files may
// include it (see ref/blockwise.h).
#pragma once

#include <cstdint>

#include "kernel.h"

namespace edgec::rt::ref {

// Decodes `n` elements of `type` from `blocks` (n / blockSize whole blocks, or n raw
// 2-byte values for f16 and bf16) into `out`, as ggml's dequantize_row_* computes them
// (the same f32 operations in the same order). False, writing nothing, for a type this
// does not decode (f32, integers) or an `n` that is negative or not a whole
// number of blocks.
bool dequantizeRow(DType type, const uint8_t *blocks, float *out, int64_t n);

// Whether dequantizeRow decodes `type`.
bool canDequantizeRow(DType type);

// Q3_K's 6-bit scale of sub-block i (0..15, before its offset of 32) from the block's 12
// packed scale bytes `s`: the low 4 bits in the low (i < 8) or high nibble of s[i % 8], the
// top 2 bits at bits 2 * (i / 4) of s[8 + i % 4].
int q3kScale(int i, const uint8_t *s);

// The 16 values an IQ4_NL / IQ4_XS 4-bit code stands for (ggml's kvalues_iq4nl): spaced
// more closely near zero, where trained weights cluster, than Q4_0's evenly spaced -8..7.
extern const int8_t kIq4Values[16];

// IQ4_XS's 6-bit scale of sub-block i (0..7, before its offset of 32): the low 4 bits in
// nibble i % 2 of scales_l[i / 2], the top 2 bits at bits 2 i of scales_h (both from the
// block's bytes 2..7, `s` pointing at scales_h).
int iq4xsScale(int i, const uint8_t *s);

} // namespace edgec::rt::ref
