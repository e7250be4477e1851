// Prepare-time plans of the compute-heavy kernels (Gemm, MatMul, Conv), shared by the ref
// implementation and the faster ISA-specific ones so both validate a call identically.
//
// The parse functions are defined in ref/linalg.cpp and ref/conv.cpp (compiled for the
// baseline ISA). Keep this header free of inline code: it is also included by files
// compiled with other ISA flags.
#pragma once

#include <cstdint>
#include <vector>

#include "kernel.h"

namespace edgec::rt::ref {

// A fused activation epilogue: Relu and Clip are both a clamp, "none" is (-inf, +inf).
struct Activation {
  bool enabled = false;
  float lo = 0.f;
  float hi = 0.f;
};
// Reads the `activation`, `act_min`, `act_max` attributes.
Activation parseActivation(const KernelSignature &sig);

struct GemmPlan {
  int64_t M = 0, N = 0, K = 0;
  bool transA = false, transB = false;
  float alpha = 1.f, beta = 1.f;
  bool hasC = false;
  int64_t cRowStride = 0, cColStride = 0;  // C broadcast over [M, N] (0 on broadcast dims)
  Activation act;
};
// Inputs A, B, C?; output Y [M, N].
GemmPlan parseGemm(const KernelSignature &sig);

struct MatMulPlan {
  int64_t M = 0, N = 0, K = 0;
  // Element offsets of the A and B matrices for each output matrix (batch broadcast).
  std::vector<int64_t> aOffsets, bOffsets;
  Activation act;
};
// Inputs A, B (numpy matmul semantics, 1-D operands promoted); output Y.
MatMulPlan parseMatMul(const KernelSignature &sig);

struct ConvPlan {
  int64_t batch = 0, inChannels = 0, outChannels = 0, group = 1;
  std::vector<int64_t> inSpatial, outSpatial, kernel, strides, dilations, padsBegin;
  int64_t inSize = 1, outSize = 1, kernelSize = 1;  // products of the spatial dims
  bool hasBias = false;
  Activation act;
};
// Inputs X [N, C, D...], W [M, C/group, k...], B? [M]; output Y [N, M, O...].
ConvPlan parseConv(const KernelSignature &sig);

}  // namespace edgec::rt::ref
