// Weight-only group-wise (blockwise) quantization: f32 activations times a weight stored
// as i4/u4 codes (two per byte, low nibble first) with one f32/f16 scale and optional zero
// point per group of `block_size` elements along the reduction dim (QuantInfo scheme
// Blockwise). The contract is in runtime/kernels/README.md ("Weight-only blockwise").
//
// Defined in ref/blockwise.cpp (baseline code). Like plans.h this header holds no inline
// code, so the x86 kernels can include it and share one validation with ref.
#pragma once

#include <cstdint>
#include <vector>

#include "kernel.h"
#include "ref/plans.h"

namespace edgec::rt::ref {

// True if `t` carries Blockwise quantization parameters.
bool isBlockwise(const TensorView &t);
// The `accepts` predicate of the blockwise MatMul/Gemm/Conv: input 1 (the weight) is a
// blockwise i4/u4/i8/u8 tensor and every other present input and the output are f32.
bool isBlockwiseWeightCall(const KernelSignature &sig);
// The `accepts` predicate of the blockwise DequantizeLinear: its input is blockwise.
bool isBlockwiseInputCall(const KernelSignature &sig);

// A blockwise tensor's parameters, validated at prepare: real(i) = s[b] * (q(i) - z[b])
// with b the block of element i (its index along `axis` divided by blockSize).
struct BlockwiseParams {
  DType dtype = DType::i4;
  int axis = 0;
  int64_t blockSize = 0, blocks = 0;  // blocks = ceil(dim(axis) / blockSize)
  int64_t outer = 1, dim = 0, inner = 1;  // the tensor as [outer, dim(axis), inner]
  std::vector<float> scales;       // [outer, blocks, inner] (the scales tensor's layout)
  std::vector<int32_t> zeroPoints;  // likewise; all zero when the tensor has none
};
// Fails (kernelFail naming `what`) unless `t` is blockwise i4/u4/i8/u8 with constant
// scales (f32 or f16, positive and finite) and zero points of its dtype; `axis` >= 0
// requires that axis.
BlockwiseParams readBlockwise(const KernelSignature &sig, const TensorView &t, const char *what, int axis = -1);
// The stored code of element i (i4 sign-extended).
int32_t blockwiseCode(DType dtype, const void *data, int64_t i);
// All of `t`'s real values, as DequantizeLinear computes them: float(q - z) * s.
void dequantizeBlockwise(const BlockwiseParams &p, const void *data, float *out);

// y[M, N] = A[M, K] x W[K, N] with a blockwise weight whose groups run along K, and the
// float Gemm's epilogue (alpha, beta * C, fused activation).
struct BlockwiseGemmPlan {
  int64_t M = 0, K = 0, N = 0;
  bool transA = false;
  // W is stored [K, N] (MatMul B, Gemm B: groups along axis 0), or [N, K] (Gemm B with
  // transB: groups along axis 1). Element (k, n) is code k*N + n, or n*K + k.
  bool nMajor = false;
  float alpha = 1.f, beta = 1.f;
  bool hasC = false;
  int64_t cRowStride = 0, cColStride = 0;
  Activation act;
  BlockwiseParams w;  // scales/zero points [groups, N], or [N, groups] when nMajor
  // Per (group, column) in the same layout: s and s * z (the x86 kernels' form).
  std::vector<float> scaleZero;  // empty when every zero point is 0
};
// MatMul: A [..., M, K] (rank >= 1; leading dims flattened into M: B is shared), B [K, N]
// blockwise along 0, Y [..., M, N].
BlockwiseGemmPlan parseBlockwiseMatMul(const KernelSignature &sig);
// Gemm: A [M, K] or [K, M] (transA), B [K, N] along 0 or [N, K] along 1 (transB), C?.
BlockwiseGemmPlan parseBlockwiseGemm(const KernelSignature &sig);
// y = alpha * y + beta * C, then the activation, on rows [rowBegin, rowEnd) of y [M, N].
void blockwiseEpilogue(const BlockwiseGemmPlan &p, const float *c, float *y, int64_t rowBegin, int64_t rowEnd);

}  // namespace edgec::rt::ref
