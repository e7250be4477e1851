// Prepare-time validation and parameters of the quantized Conv, MatMul and Gemm, shared by
// the ref kernels (ref/quant_linalg.cpp, the oracle) and the faster x86 int8 kernels
// (x86/qgemm_*.cpp), so that both accept and refuse exactly the same calls with the same
// messages. Defined in ref/quant_linalg.cpp (baseline code); no inline code here.
#pragma once

#include <cstdint>
#include <vector>

#include "kernel.h"
#include "quant_math.h"
#include "ref/plans.h"
#include "ref/quant_elementwise.h"
#include "ref/quant_params.h"

namespace edgec::rt::ref {

// What a quantized Conv/MatMul/Gemm needs beyond its float plan: acc = sum (x - zx)(w -
// zw[c]) + bias[c], y = clamp(zy + MBQM(acc, mult[c]), range) for output channel (Conv)
// or column (MatMul, Gemm) c.
struct QuantLinalgParams {
  DType xt = DType::u8, wt = DType::i8, yt = DType::u8;  // input (X, A), weight (W, B), output
  int32_t zx = 0, zy = 0;
  CodeRange range;
  std::vector<int32_t> zw;                       // per channel / column
  std::vector<quant::QuantizedMultiplier> mult;  // per channel / column
  // A Conv with a fused residual Add (input 3, edge-fuse-conv-residual): zy, range and
  // mult give the convolution's own codes (attributes conv_scale, conv_zero_point, of Y's
  // dtype), and Y = quantAddCode(add, code, residual code) (ref/quant_elementwise.h).
  bool residual = false;
  QuantBinaryParams add;
  // A Conv with a fused table (edge-fuse-conv-table: the quantized FusedElementwise after
  // it, e.g. SiLU): zy, range and mult give the convolution's own codes as with a
  // residual, and Y = table[code's bits] (quantConvTable in ref/quant_elementwise.h), the
  // bytes of the Conv and table kernels.
  bool table = false;
  uint8_t codes[256] = {};
};

// Validate the call as the ref kernels do (kernelFail on anything they refuse) and fill the
// float plan (shapes and attributes, parsed on an f32 twin of the call) and the parameters.
QuantLinalgParams prepareQuantConv(const KernelSignature &sig, ConvPlan *plan);
QuantLinalgParams prepareQuantMatMul(const KernelSignature &sig, MatMulPlan *plan);
QuantLinalgParams prepareQuantGemm(const KernelSignature &sig, GemmPlan *plan);

}  // namespace edgec::rt::ref
