// Prepare-time validation and parameters of the quantized Add/Sub/Mul and of per-tensor
// QuantizeLinear/DequantizeLinear, shared by the ref kernels (ref/quant_elementwise.cpp,
// ref/quant_data.cpp, the oracles) and the x86 ones (x86/qelementwise_*.cpp), so that both
// refuse the same calls with the same messages. Defined in baseline code; like
// quant_params.h this header holds no inline code, and its structs are plain data (no
// std::vector members, whose inline copies an ISA file would otherwise emit).
#pragma once

#include <cstdint>

#include "kernel.h"
#include "quant_math.h"

namespace edgec::rt::ref {

// Add/Sub (TFLite's int8 Add): a' = MBQM((a - za) * 2^20, ma), b' likewise with mb,
// y = clamp(zy + MBQM(a' +- b', out), lo, hi). Mul: y = clamp(zy + MBQM((a - za)(b - zb), out)).
struct QuantBinaryParams {
  static constexpr int kLeftShift = 20;  // TFLite's int8 Add headroom
  DType at = DType::i8, bt = DType::i8, yt = DType::i8;
  int32_t za = 0, zb = 0, zy = 0, lo = 0, hi = 0;
  quant::QuantizedMultiplier ma, mb, out;  // ma, mb: Add/Sub only
};
// Validates a quantized Add, Sub or Mul (sig.op) as the ref kernel does: two i8/u8 inputs
// and an i8/u8 output, all per-tensor, representable multipliers. Shapes are checked only
// with `sameShape` (the x86 Add/Sub: both operands of the output's shape).
QuantBinaryParams prepareQuantBinary(const KernelSignature &sig, bool sameShape = false);

// A per-tensor QuantizeLinear's output or DequantizeLinear's input.
struct QuantTensorParams {
  DType dtype = DType::i8;
  float scale = 1.f;
  int32_t zeroPoint = 0, qmin = 0, qmax = 0;
};
// Validates QuantizeLinear / DequantizeLinear as the ref kernels do and returns the
// parameters of the quantized side, which must be per-tensor and i8/u8 (kernelFail
// otherwise: the x86 kernels' `accepts` takes only those). The ISA files call these and
// build no std::string themselves (its constructor from a literal is a weak template).
QuantTensorParams prepareQuantizeLinearPerTensor(const KernelSignature &sig);
QuantTensorParams prepareDequantizeLinearPerTensor(const KernelSignature &sig);

}  // namespace edgec::rt::ref
