// GgufMatMul: y = A x B^T (+ C) with B a GGUF weight [N, K] kept as stored (f32, f16,
// bf16, q4_0, q4_1, q5_0, q5_1, q8_0, q2_k, q3_k, q4_k, q5_k, q6_k, iq4_nl, iq4_xs; row n is
// GGUF row n). As in ggml's CPU backend, each row of A is first converted to the weight
// format's vec_dot partner (its activation format), then every block is dotted in exact
// integers:
//
//   weight                activation  (the arithmetic of ggml's quantize_row_* on x86)
//   q4_0 q5_0 q8_0 iq4_nl Q8_0: blocks of 32, d = f16(amax / 127), q = rint(x * 127 / amax)
//   q4_1 q5_1             Q8_1: as Q8_0 plus s = f16(sum q * amax / 127)
//   q2_k .. q6_k iq4_xs   Q8_K: blocks of 256, f32 d, nearest-even codes, int16 sums per 16
//   f16 / bf16 / f32      x rounded to f16 / bf16 (nearest even) / kept
//
// Q8_0/Q8_1 follow ggml's x86 (AVX2/AVX-512) quantize_row_q8_0/_1, which llama.cpp runs on
// x86 and which round to nearest even with the multiplier 127 / amax; ggml's portable
// quantize_row_q8_0_ref (roundf(x * (1 / d))) can differ from it at ties and by an ulp of
// the multiplier. Q8_K is quantize_row_q8_K_ref, which ggml's x86 build also runs.
// The float accumulation order is ours and fixed (gguf_matmul.cpp states it), so the
// x86 kernels give the same bits as ref at any thread count. Contract:
// runtime/kernels/README.md ("GGUF matmul").
//
// Defined in ref/gguf_matmul.cpp (baseline code); no inline code, so the x86 kernels can
// include it (see ref/blockwise.h).
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernel.h"

namespace edgec::rt::ref {

// ---- Activation quantizers (one row of K elements; K a multiple of the block) ----

// Q8_0 (ggml's x86 quantize_row_q8_0): per block of 32, amax = max |x| (NaNs ignored),
// id = amax ? 127 / amax : 0, q = nearest_even(x * id) (clamped to [-127, 127], which no
// finite x reaches beyond; NaN gives 127), d = f16(d32) widened, d32 = amax / 127.
// `sums` (the block's sum of q) may be null.
void quantizeRowQ8_0(const float *x, int64_t K, int8_t *qs, float *d, int32_t *sums);

// Q8_1 (ggml's x86 quantize_row_q8_1): Q8_0's codes and d, plus s = f16(float(sum q) * d32).
void quantizeRowQ8_1(const float *x, int64_t K, int8_t *qs, float *d, float *s, int32_t *sums);

// Q8_K (quantize_row_q8_K_ref): per block of 256, `max` is the first element of largest
// magnitude (NaNs ignored); all zero: d = 0 and zero codes. Otherwise iscale = -127 / max,
// q = min(127, nearest_even(iscale * x)) (NaN gives 127), d = 1 / iscale (f32, negative
// when max is positive), bsums[j] = sum of the 16 codes of group j.
void quantizeRowQ8_K(const float *x, int64_t K, int8_t *qs, float *d, int16_t *bsums);

// f16 / bf16 activations: x rounded to nearest even (ggml's FP32_TO_FP16 / FP32_TO_BF16),
// stored widened to f32. bf16 turns a NaN into a quiet NaN of the same sign.
void roundRowF16(const float *x, int64_t K, float *out);
void roundRowBf16(const float *x, int64_t K, float *out);

// ---- The call ----

enum class GgufAct { F32, F16, BF16, Q8_0, Q8_1, Q8_K };

// A validated GgufMatMul call: A [..., K] f32, B [N, K] of a supported dtype, C [N] f32?,
// Y [..., N] f32.
struct GgufMatMulPlan {
  int64_t rows = 0, K = 0, N = 0;
  DType wtype = DType::f32;
  GgufAct act = GgufAct::F32;
  int64_t blockSize = 1;  // weight elements per block (1 for f32/f16/bf16)
  int64_t blocks = 0;     // weight blocks per row (K / blockSize)
  int64_t rowBytes = 0;   // bytes of one weight row
  bool hasBias = false;
  // One quantized activation row (GgufActRow's arrays, 64-byte aligned each).
  size_t qsOff = 0, dOff = 0, sOff = 0, sumsOff = 0, bsumsOff = 0, fOff = 0, actBytes = 0;
};

// Whether GgufMatMul takes a weight of `t`.
bool isGgufMatMulWeight(DType t);
// Validates the call (an Error naming the node otherwise) and returns its plan.
GgufMatMulPlan prepareGgufMatMul(const KernelSignature &sig);

// One activation row in its format, as views into plan.actBytes bytes (64-byte aligned):
// Q8_*: qs [K], d [K / 32 or K / 256], s [K / 32] (Q8_1), sums [K / 32] (Q8_0, Q8_1),
// bsums [K / 16] (Q8_K); F32/F16/BF16: f [K].
struct GgufActRow {
  int8_t *qs;
  float *d, *s;
  int32_t *sums;
  int16_t *bsums;
  float *f;
};
GgufActRow ggufActRow(const GgufMatMulPlan &p, uint8_t *base);
// Converts x [K] into its activation format at `base`.
void quantizeGgufActivation(const GgufMatMulPlan &p, const float *x, uint8_t *base);

// The f32/f16/bf16 weights' order (ref and x86 alike): 32 partial sums, element k added
// to lane k % 32 with one fma (products of two f16 or two bf16 values are exact in f32),
// then halved pairwise: lane l += lane l + w for w = 16, 8, 4, 2, 1; lane 0 is the dot.
float reduceLanes32(float *lanes);

// One output of ref (the oracle): weight row `w` (rowBytes bytes) against activation row
// `a`, before the bias.
float ggufDotRow(const GgufMatMulPlan &p, const uint8_t *w, const GgufActRow &a);

}  // namespace edgec::rt::ref
