// Prepare-time validation and parameters of the quantized Add/Sub/Mul, of the unary ops
// computed through a 256-entry table, and of per-tensor QuantizeLinear/DequantizeLinear, shared by the ref kernels (ref/quant_elementwise.cpp,
// ref/quant_data.cpp, the oracles) and the x86 ones (x86/qelementwise_*.cpp), so that both
// refuse the same calls with the same messages. Defined in baseline code; like
// quant_params.h this header holds no inline code, and its structs are plain data (no
// std::vector members, whose inline copies an ISA file would otherwise emit).
#pragma once

#include <cstdint>
#include <vector>

#include "kernel.h"
#include "quant_math.h"
#include "ref/quant_params.h"

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
// An Add's parameters from its operands' per-tensor ones (A, B, Y), as prepareQuantBinary
// computes them (kernelFail on a multiplier it cannot represent); also what the int8
// Conv's fused residual Add runs on the Conv's codes and the residual's (ref/quant_linalg.cpp,
// x86/qgemm_*), so that the fused Conv gives the bytes of the Conv and Add kernels.
QuantBinaryParams quantAddParams(const KernelSignature &sig, const QuantParams &a, const QuantParams &b,
                                 const QuantParams &y);
// One code of that Add: clamp(zy + MBQM(MBQM((a - za) 2^20, ma) + MBQM((b - zb) 2^20, mb), out)).
int32_t quantAddCode(const QuantBinaryParams &p, int32_t a, int32_t b);

// The operands of a Mul against its output seen as [outer, inner] (row-major): both of the
// output's shape (rowOperand -1), or operand rowOperand (0 or 1) holds `outer` codes, one
// for each row of `inner` consecutive output elements, and the other the output's shape;
// numpy-aligned, e.g. [N, C, 1, 1] or [C, 1, 1] (N = 1) against [N, C, H, W], or a scalar.
struct QuantMulLayout {
  bool ok = false;  // false: neither layout (the x86 Mul's `accepts` refuses the call)
  int rowOperand = -1;
  int64_t outer = 0, inner = 0;
};
QuantMulLayout quantMulLayout(const KernelSignature &sig);
// quantMulLayout, kernelFail when !ok.
QuantMulLayout prepareQuantMulLayout(const KernelSignature &sig);

// The unary ops computed through a 256-entry table (Relu, Clip, LeakyRelu, Elu, Selu,
// HardSigmoid, HardSwish, Sigmoid, Tanh, Exp, Erf, Softplus, Softsign, Neg, Abs, and the
// quantized FusedElementwise: a program over one quantized input and f32 scalar
// constants): their op names, in registration order.
std::vector<const char *> quantLutOpNames();
struct QuantLutParams {
  DType xt = DType::i8, yt = DType::i8;
  // y = table[x's code bits] (the output code's bits), before Clip's bounds.
  uint8_t table[256] = {};
  // Y's parameters, and Clip's optional min (bounds[0]) and max (bounds[1]): f32 real
  // values or codes of X's dtype with their own (or X's) scale and zero point.
  float sy = 1.f;
  int32_t zy = 0, qmin = 0, qmax = 0;
  struct Bound {
    bool present = false;
    DType dtype = DType::f32;
    float scale = 1.f;
    int32_t zeroPoint = 0;
  };
  Bound bounds[2];
  int boundCount = 0;
};
// Validates a quantized table op (sig.op) and builds its table: for every input code q,
// clamp(zy + roundHalfAwayFromZero(f((q - zx) sx) / sy)) in double, f with the float
// kernels' formulas and attributes. A quantized FusedElementwise's table is instead what
// ref DequantizeLinear -> FusedElementwise (f32) -> QuantizeLinear give for q, bit for bit.
QuantLutParams prepareQuantLut(const KernelSignature &sig);
// A quantized Conv's fused table (edge-fuse-conv-table): the table a quantized
// FusedElementwise of one input would hold for the program in the Conv's attributes
// table_ops, table_args and table_params, from the Conv's own codes (Y's dtype, parameters
// `own`: conv_scale, conv_zero_point) to Y's. kernelFail on a program that reads more
// than its one input.
QuantLutParams quantConvTable(const KernelSignature &sig, const QuantParams &own, const QuantParams &y, DType yt);
// The output codes [lo, hi] Clip's bounds (inputs 1, 2, read now) leave: y = min(max(
// table[x], lo), hi) (lo > hi gives hi). [qmin, qmax] without bounds.
void quantLutCodeRange(const QuantLutParams &p, const std::vector<const TensorView *> &in, int32_t &lo,
                       int32_t &hi);

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

// A quantized Concat, validated as the ref kernel does (ref/quant_data.cpp), as the x86
// kernel runs it: per input its elements per outer index (of the dims before the axis)
// and whether it is copied or requantized; a requantized input's 256 output codes, one per
// input code byte, computed by the ref's own formula. ok is false (nothing validated) for
// more than kMaxParts inputs.
struct QuantConcatPlan {
  static constexpr int kMaxParts = 16;
  bool ok = false;
  int parts = 0;
  int64_t rowLen = 0;  // output elements per outer index
  int64_t chunk[kMaxParts] = {};
  bool copy[kMaxParts] = {};
  uint8_t table[kMaxParts][256] = {};
};
QuantConcatPlan prepareQuantConcatPlan(const KernelSignature &sig);

// A 2-D quantized MaxPool (X [N, C, H, W]), validated as the ref kernel does
// (ref/quant_pool.cpp), with its geometry: y = the largest code of each window (padding
// ignored; an all-padding window gives the dtype's lowest code), rescaled when X and Y
// have different parameters: clamp(zy + rescale(max - zx)), as the ref.
struct QuantMaxPool2dParams {
  DType t = DType::i8;
  bool same = true;
  int32_t zx = 0, zy = 0, qmin = 0, qmax = 0;
  quant::RescaleMultiplier requant;
  int64_t planes = 0, H = 0, W = 0, OH = 0, OW = 0;
  int64_t KH = 1, KW = 1, sh = 1, sw = 1, dh = 1, dw = 1, ph = 0, pw = 0;
};
QuantMaxPool2dParams prepareQuantMaxPool2d(const KernelSignature &sig);

// A quantized GlobalAveragePool for the x86 kernel (x86/qelementwise_*): the ref's
// validation and its multiplier for the one window of `count` elements per plane (count 0:
// every output is the clamped zero point).
struct QuantGlobalAveragePoolParams {
  DType t = DType::i8;
  int32_t zx = 0, zy = 0, qmin = 0, qmax = 0;
  quant::RescaleMultiplier requant;
  int64_t planes = 0, count = 0;
};
QuantGlobalAveragePoolParams prepareQuantGlobalAveragePool(const KernelSignature &sig);

}  // namespace edgec::rt::ref
