#include "kernel.h"
#include "register_kernels.h"
#include "ref/block_q8.h"
#include "ref/blockwise.h"
#include "ref/gguf_matmul.h"
#include "ref/quant_elementwise.h"
#include "ref/quant_params.h"
#include "src/model.h"
#if defined(__x86_64__)
#include "x86/unary_f32.h"  // registerX86UnaryF32
#include "x86/fused_elementwise.h"  // registerX86FusedElementwise
#include "x86_recurrent.h"
#include "x86_resize.h"
#include "x86_f32_plans.h"
#include "x86_copy.h"
#endif

#include <algorithm>

namespace edgec::rt {

KernelRegistry &KernelRegistry::instance() {
  static KernelRegistry *registry = [] {
    auto *r = new KernelRegistry();
    registerRefKernels(*r);
#if defined(__x86_64__)
    registerX86Kernels(*r);  // kernels/x86/ is built only for x86-64 targets
#endif
    return r;
  }();
  return *registry;
}

#if defined(__x86_64__)
namespace {
// The x86 int8 Conv/MatMul/Gemm take quantized calls whose input, weight and output are
// u8/i8 (their prepare validates the rest as ref does), except a Gemm whose C varies along
// rows, which goes to ref.
bool acceptsInt8Linalg(const KernelSignature &sig) {
  auto int8 = [](const TensorView *v) { return v && (v->dtype == DType::i8 || v->dtype == DType::u8); };
  if (!ref::isQuantizedCall(sig) || sig.inputs.size() < 2 || sig.outputs.size() != 1 || !int8(sig.inputs[0]) ||
      !int8(sig.inputs[1]) || !int8(sig.outputs[0]))
    return false;
  const TensorView *c = sig.op == "Gemm" && sig.inputs.size() > 2 ? sig.inputs[2] : nullptr;
  return !(c && c->rank() == 2 && c->shape[0] != 1);
}
// The AVX-512 ones use vpdpbusd: the x86-avx512 level (F/DQ/BW/VL) plus AVX512_VNNI. A
// CPU with AVX-512 but no VNNI (Skylake-SP) runs the AVX2 ones.
bool acceptsInt8LinalgVnni(const KernelSignature &sig) {
  static const bool vnni = hostHasFeature("avx512vnni");
  return vnni && acceptsInt8Linalg(sig);
}
bool isInt8(const TensorView *v) { return v && (v->dtype == DType::i8 || v->dtype == DType::u8); }
bool perTensor(const TensorView *v) { return v->quant && v->quant->scheme() == pkg::QuantScheme::PerTensor; }
// Integer ScaledDotProductAttention (integer = 1): Q, K and V per-tensor i8/u8, the result
// that or f32, the mask f32 (the kernel's prepare validates the rest as ref does).
bool acceptsIntegerAttention(const KernelSignature &sig) {
  if (sig.attrs.i("integer", 0) == 0 || sig.inputs.size() < 3) return false;
  for (size_t i = 0; i < 3; ++i)
    if (!isInt8(sig.inputs[i]) || !sig.inputs[i]->quant || !perTensor(sig.inputs[i])) return false;
  const TensorView *y = sig.outputs.empty() ? nullptr : sig.outputs[0];
  if (!y || !(isInt8(y) ? y->quant && perTensor(y) : y->dtype == DType::f32 && !ref::isQuantized(*y))) return false;
  return sig.inputs.size() < 4 || !sig.inputs[3] || sig.inputs[3]->dtype == DType::f32;
}
bool acceptsIntegerAttentionVnni(const KernelSignature &sig) {
  static const bool vnni = hostHasFeature("avx512vnni");
  return vnni && acceptsIntegerAttention(sig);
}
// LayerNormalization on codes (x86/layernorm_q8_driver.inc): X per-tensor i8/u8, one
// output Y per-tensor i8/u8 or f32, at most 32768 elements normalized (int32 lane sums);
// the kernel's prepare validates the rest as ref does.
bool acceptsLayerNormQ8(const KernelSignature &sig) {
  if (sig.inputs.empty() || !isInt8(sig.inputs[0]) || !sig.inputs[0]->quant || !perTensor(sig.inputs[0])) return false;
  if (sig.outputs.size() != 1 || !sig.outputs[0]) return false;
  const TensorView *y = sig.outputs[0];
  if (!(isInt8(y) ? y->quant && perTensor(y) : y->dtype == DType::f32 && !ref::isQuantized(*y))) return false;
  const int64_t rank = int64_t(sig.inputs[0]->shape.size());
  const int64_t axis = sig.attrs.i("axis", rank - 1);
  if (axis < 0 || axis >= rank) return false;
  int64_t norm = 1;
  for (int64_t d = axis; d < rank; ++d) norm *= sig.inputs[0]->shape[size_t(d)];
  return norm <= 32768;
}
// The x86 quantized Add/Sub (x86/qelementwise_*.cpp): i8/u8 operands of the output's shape
// (a broadcast goes to ref); their prepare validates the rest as ref does.
bool acceptsQuantAddSub(const KernelSignature &sig) {
  if (!ref::isQuantizedCall(sig) || sig.inputs.size() != 2 || sig.outputs.size() != 1) return false;
  const TensorView *y = sig.outputs[0];
  for (const TensorView *v : {sig.inputs[0], sig.inputs[1], y})
    if (!isInt8(v) || v->shape != y->shape) return false;
  return true;
}
// The x86 quantized Mul: i8/u8 operands of the output's shape, or one of them constant
// along rows (ref::quantMulLayout: [N, C, 1, 1] against [N, C, H, W]); other broadcasts go
// to ref.
bool acceptsQuantMul(const KernelSignature &sig) {
  if (!ref::isQuantizedCall(sig) || sig.inputs.size() != 2 || sig.outputs.size() != 1) return false;
  for (const TensorView *v : {sig.inputs[0], sig.inputs[1], sig.outputs[0]})
    if (!isInt8(v)) return false;
  return ref::quantMulLayout(sig).ok;
}
// The x86 table ops (Relu, Sigmoid, ...): an i8/u8 input and output (prepare validates the
// rest as ref does). The AVX-512 lookup is vpermt2b: AVX512_VBMI too.
bool acceptsQuantLut(const KernelSignature &sig) {
  return ref::isQuantizedCall(sig) && !sig.inputs.empty() && isInt8(sig.inputs[0]) && sig.outputs.size() == 1 &&
         isInt8(sig.outputs[0]);
}
bool acceptsQuantLutVbmi(const KernelSignature &sig) {
  static const bool vbmi = hostHasFeature("avx512vbmi");
  return vbmi && acceptsQuantLut(sig);
}
// Quantized Concat (x86/qelementwise_*.cpp): i8/u8 inputs and output, at most
// ref::QuantConcatPlan::kMaxParts inputs; prepare validates the rest as ref does.
bool acceptsQuantConcat(const KernelSignature &sig) {
  if (!ref::isQuantizedCall(sig) || sig.inputs.empty() || sig.outputs.size() != 1 || !isInt8(sig.outputs[0]) ||
      sig.inputs.size() > size_t(ref::QuantConcatPlan::kMaxParts))
    return false;
  for (const TensorView *v : sig.inputs)
    if (!isInt8(v)) return false;
  return true;
}
// 2-D quantized MaxPool (x86/qelementwise_*.cpp): i8/u8 [N, C, H, W], per-tensor, one output.
bool acceptsQuantMaxPool2d(const KernelSignature &sig) {
  return ref::isQuantizedCall(sig) && sig.inputs.size() == 1 && sig.outputs.size() == 1 && sig.outputs[0] &&
         isInt8(sig.inputs[0]) && sig.inputs[0]->rank() == 4 && perTensor(sig.inputs[0]) && perTensor(sig.outputs[0]);
}
// Quantized GlobalAveragePool (x86/qelementwise_*.cpp): i8/u8 [N, C, D...], per-tensor.
bool acceptsQuantGlobalPool(const KernelSignature &sig) {
  return ref::isQuantizedCall(sig) && sig.inputs.size() == 1 && sig.outputs.size() == 1 && sig.outputs[0] &&
         isInt8(sig.inputs[0]) && sig.inputs[0]->rank() >= 3 && perTensor(sig.inputs[0]) && perTensor(sig.outputs[0]);
}
// Per-tensor QuantizeLinear f32 -> i8/u8 and DequantizeLinear i8/u8 -> f32.
bool acceptsQuantizeLinear(const KernelSignature &sig) {
  return sig.inputs.size() == 1 && sig.outputs.size() == 1 && sig.inputs[0] && sig.inputs[0]->dtype == DType::f32 &&
         isInt8(sig.outputs[0]) && perTensor(sig.outputs[0]);
}
bool acceptsDequantizeLinear(const KernelSignature &sig) {
  return sig.inputs.size() == 1 && sig.outputs.size() == 1 && isInt8(sig.inputs[0]) && perTensor(sig.inputs[0]) &&
         sig.outputs[0]->dtype == DType::f32;
}
// DynamicQuantizedMatMul: f32 input and output, an i8 weight, an f32 bias if any (prepare
// validates the rest as ref does); the AVX-512 one needs VNNI too.
bool acceptsDynamicQuant(const KernelSignature &sig) {
  const auto is = [](const TensorView *v, DType t) { return v && v->dtype == t; };
  return sig.inputs.size() >= 2 && sig.inputs.size() <= 3 && sig.outputs.size() == 1 && is(sig.inputs[0], DType::f32) &&
         is(sig.inputs[1], DType::i8) && is(sig.outputs[0], DType::f32) &&
         (sig.inputs.size() < 3 || !sig.inputs[2] || is(sig.inputs[2], DType::f32));
}
bool acceptsDynamicQuantVnni(const KernelSignature &sig) {
  static const bool vnni = hostHasFeature("avx512vnni");
  return vnni && acceptsDynamicQuant(sig);
}
// Cast f16 -> f32 or f32 -> f16 (x86/f16_convert_*.cpp): F16C, which every AVX2 CPU has
// but the x86 levels do not require.
bool acceptsCastF16(const KernelSignature &sig) {
  static const bool f16c = hostHasFeature("f16c");
  if (!f16c || sig.inputs.size() != 1 || !sig.inputs[0] || sig.outputs.size() != 1) return false;
  const DType from = sig.inputs[0]->dtype, to = sig.outputs[0]->dtype;
  return (from == DType::f16 && to == DType::f32) || (from == DType::f32 && to == DType::f16);
}
// BlockQuantizedMatMul at the AVX-512 level: vpdpbusd (AVX512_VNNI).
bool acceptsInt4Q8Vnni(const KernelSignature &sig) {
  static const bool vnni = hostHasFeature("avx512vnni");
  return vnni && ref::isInt4Q8Call(sig);
}
// GgufMatMul: a weight type it takes (prepare validates the rest as ref does), on a CPU
// with F16C (the weights' f16 scales); the AVX-512 one needs AVX512_VNNI too.
bool acceptsGgufMatMul(const KernelSignature &sig) {
  static const bool f16c = hostHasFeature("f16c");
  return f16c && sig.inputs.size() >= 2 && sig.inputs[1] && ref::isGgufMatMulWeight(sig.inputs[1]->dtype);
}
bool acceptsGgufMatMulVnni(const KernelSignature &sig) {
  static const bool vnni = hostHasFeature("avx512vnni");
  return vnni && acceptsGgufMatMul(sig);
}
// RMSNormalization and KVCacheAttention (x86/llm_avx2.cpp, built with -mf16c for f16 KV
// caches): every call ref takes (prepare validates it as ref does), on a CPU with F16C.
bool acceptsLlmAvx2(const KernelSignature &) {
  static const bool f16c = hostHasFeature("f16c");
  return f16c;
}
// KVCacheAttention at the AVX-512 level (x86/llm_avx512.cpp): f16, f32 or i8 caches and a
// head size of whole 16-lane vectors; other head sizes take the AVX2 kernel.
bool acceptsKvAttentionAvx512(const KernelSignature &sig) {
  static const bool f16c = hostHasFeature("f16c");
  if (!f16c || sig.inputs.size() < 3 || !sig.inputs[0] || !sig.inputs[1]) return false;
  const TensorView &q = *sig.inputs[0];
  const DType cache = sig.inputs[1]->dtype;
  return (cache == DType::f16 || cache == DType::f32 || cache == DType::i8) && q.shape.size() == 3 && q.shape[2] > 0 &&
         q.shape[2] % 16 == 0;
}
}  // namespace

void registerX86Kernels(KernelRegistry &r) {
  auto add = [&](const char *op, Isa isa, Kernel *(*factory)(), KernelAccepts accepts) {
    r.add(op, isa, [factory] { return std::unique_ptr<Kernel>(factory()); }, accepts);
  };
  auto f32Only = [](const KernelSignature &sig) { return allOfDType(sig, DType::f32); };
  // f32 unary activations and math at x86-avx2 and x86-avx512 (x86_unary_f32.cpp).
  registerX86UnaryF32(r);
  registerX86FusedElementwise(r);  // x86_fused_elementwise.cpp
  // Transpose, Slice, Expand, Tile, DepthToSpace, SpaceToDepth: ref's kernels with the
  // x86 mover (x86_copy.h), every dtype.
  registerStridedCopyDataMovement(r, Isa::X86Avx2, x86::stridedCopy);
  registerStridedCopyIndexMap(r, Isa::X86Avx2, x86::stridedCopy);
  registerStridedCopyResample(r, Isa::X86Avx2, x86::stridedCopy);
  add("Gemm", Isa::X86Avx2, newX86Avx2Gemm, f32Only);
  add("MatMul", Isa::X86Avx2, newX86Avx2MatMul, f32Only);
  add("Gemm", Isa::X86Avx512, newX86Avx512Gemm, f32Only);
  add("MatMul", Isa::X86Avx512, newX86Avx512MatMul, f32Only);
  add("Conv", Isa::X86Avx2, newX86Avx2Conv, f32Only);
  add("Conv", Isa::X86Avx512, newX86Avx512Conv, f32Only);
  add("ConvTranspose", Isa::X86Avx2, newX86Avx2ConvTranspose, x86::acceptsConvTransposeF32);
  add("ConvTranspose", Isa::X86Avx512, newX86Avx512ConvTranspose, x86::acceptsConvTransposeF32);
  // int8 Conv/MatMul/Gemm (x86/qgemm_*.cpp): see acceptsInt8Linalg.
  add("Conv", Isa::X86Avx2, newX86Avx2QuantConv, acceptsInt8Linalg);
  add("MatMul", Isa::X86Avx2, newX86Avx2QuantMatMul, acceptsInt8Linalg);
  add("Gemm", Isa::X86Avx2, newX86Avx2QuantGemm, acceptsInt8Linalg);
  add("Conv", Isa::X86Avx512, newX86Avx512QuantConv, acceptsInt8LinalgVnni);
  add("MatMul", Isa::X86Avx512, newX86Avx512QuantMatMul, acceptsInt8LinalgVnni);
  add("Gemm", Isa::X86Avx512, newX86Avx512QuantGemm, acceptsInt8LinalgVnni);
  // Quantized Add/Sub, QuantizeLinear, DequantizeLinear (x86/qelementwise_*.cpp).
  for (const char *op : {"Add", "Sub"}) {
    add(op, Isa::X86Avx2, newX86Avx2QuantAddSub, acceptsQuantAddSub);
    add(op, Isa::X86Avx512, newX86Avx512QuantAddSub, acceptsQuantAddSub);
  }
  add("Mul", Isa::X86Avx2, newX86Avx2QuantMul, acceptsQuantMul);
  add("Mul", Isa::X86Avx512, newX86Avx512QuantMul, acceptsQuantMul);
  for (const char *op : ref::quantLutOpNames()) {
    add(op, Isa::X86Avx2, newX86Avx2QuantLut, acceptsQuantLut);
    add(op, Isa::X86Avx512, newX86Avx512QuantLut, acceptsQuantLutVbmi);
  }
  add("Concat", Isa::X86Avx2, newX86Avx2QuantConcat, acceptsQuantConcat);
  add("Concat", Isa::X86Avx512, newX86Avx512QuantConcat, acceptsQuantConcat);
  add("MaxPool", Isa::X86Avx2, newX86Avx2QuantMaxPool, acceptsQuantMaxPool2d);
  add("MaxPool", Isa::X86Avx512, newX86Avx512QuantMaxPool, acceptsQuantMaxPool2d);
  add("GlobalAveragePool", Isa::X86Avx2, newX86Avx2QuantGlobalAveragePool, acceptsQuantGlobalPool);
  add("GlobalAveragePool", Isa::X86Avx512, newX86Avx512QuantGlobalAveragePool, acceptsQuantGlobalPool);
  add("QuantizeLinear", Isa::X86Avx2, newX86Avx2QuantizeLinear, acceptsQuantizeLinear);
  add("QuantizeLinear", Isa::X86Avx512, newX86Avx512QuantizeLinear, acceptsQuantizeLinear);
  add("DequantizeLinear", Isa::X86Avx2, newX86Avx2DequantizeLinear, acceptsDequantizeLinear);
  add("DequantizeLinear", Isa::X86Avx512, newX86Avx512DequantizeLinear, acceptsDequantizeLinear);
  add("DynamicQuantizedMatMul", Isa::X86Avx2, newX86Avx2DynamicQuantMatMul, acceptsDynamicQuant);
  add("DynamicQuantizedMatMul", Isa::X86Avx512, newX86Avx512DynamicQuantMatMul, acceptsDynamicQuantVnni);
  add("Cast", Isa::X86Avx2, newX86Avx2CastF16, acceptsCastF16);
  add("Cast", Isa::X86Avx512, newX86Avx512CastF16, acceptsCastF16);
  // Weight-only blockwise (int4 group-wise) weights: see ref/blockwise.h.
  add("MatMul", Isa::X86Avx2, newX86Avx2Int4MatMul, acceptsX86Int4);
  add("Gemm", Isa::X86Avx2, newX86Avx2Int4Gemm, acceptsX86Int4);
  add("Conv", Isa::X86Avx2, newBlockwiseConvAvx2, ref::isBlockwiseWeightCall);
  add("Conv", Isa::X86Avx512, newBlockwiseConvAvx512, ref::isBlockwiseWeightCall);
  add("BlockQuantizedMatMul", Isa::X86Avx2, newX86Avx2Int4Q8MatMul, ref::isInt4Q8Call);
  add("BlockQuantizedMatMul", Isa::X86Avx512, newX86Avx512Int4Q8MatMul, acceptsInt4Q8Vnni);
  add("GgufMatMul", Isa::X86Avx2, newX86Avx2GgufMatMul, acceptsGgufMatMul);
  add("GgufMatMul", Isa::X86Avx512, newX86Avx512GgufMatMul, acceptsGgufMatMulVnni);
  registerGgufMatMulId(r, Isa::X86Avx2, acceptsGgufMatMul);
  registerGgufMatMulId(r, Isa::X86Avx512, acceptsGgufMatMulVnni);
  add("RMSNormalization", Isa::X86Avx2, newX86Avx2RmsNorm, acceptsLlmAvx2);
  add("KVCacheAttention", Isa::X86Avx2, newX86Avx2KVCacheAttention, acceptsLlmAvx2);
  add("KVCacheAttention", Isa::X86Avx512,
      []() -> Kernel * {
        static const bool vnni = hostHasFeature("avx512vnni");
        return newX86Avx512KVCacheAttention(vnni);
      },
      acceptsKvAttentionAvx512);
  // Q, K, V and the result each f32 or per-tensor i8/u8 (static INT8's attention, its
  // quantize/dequantize folded in), the mask f32.
  auto acceptsAttention = [](const KernelSignature &sig) {
    if (sig.attrs.i("integer", 0) != 0) return false;  // the integer kernels below
    for (size_t i = 0; i < sig.inputs.size() + sig.outputs.size(); ++i) {
      const TensorView *t = i < sig.inputs.size() ? sig.inputs[i] : sig.outputs[i - sig.inputs.size()];
      if (!t) continue;
      if (t->dtype == DType::f32 && !ref::isQuantized(*t)) continue;
      const bool isMask = i == 3 && i < sig.inputs.size();
      const bool quantOk = !isMask && (t->dtype == DType::i8 || t->dtype == DType::u8) && t->quant &&
                           t->quant->scheme() == pkg::QuantScheme::PerTensor;
      if (!quantOk) return false;
    }
    return true;
  };
  add("ScaledDotProductAttention", Isa::X86Avx2, newX86Avx2AttentionQ8, acceptsIntegerAttention);
  add("ScaledDotProductAttention", Isa::X86Avx512, newX86Avx512AttentionQ8, acceptsIntegerAttentionVnni);
  add("ScaledDotProductAttention", Isa::X86Avx2, newX86Avx2AttentionF32, acceptsAttention);
  add("ScaledDotProductAttention", Isa::X86Avx512, newX86Avx512AttentionF32, acceptsAttention);
  add("SqueezeExcitation", Isa::X86Avx2, newX86Avx2SqueezeExcitation, f32Only);
  // PointwiseDepthwiseConv packs its pointwise weights at prepare (constants only), and its
  // depthwise part must take the x86 Conv's depthwise path, which a 1x1 kernel does not
  // (the Conv runs that as per-group GEMMs); other calls go to ref.
  auto pointwiseDepthwise = [](const KernelSignature &sig) {
    const TensorView *w2 = sig.inputs.size() > 3 ? sig.inputs[3] : nullptr;
    return allOfDType(sig, DType::f32) && sig.input_is_constant.size() > 1 && sig.input_is_constant[1] && w2 &&
           w2->rank() == 4 && w2->shape[2] * w2->shape[3] > 1;
  };
  add("PointwiseDepthwiseConv", Isa::X86Avx2, newX86Avx2PointwiseDepthwise, pointwiseDepthwise);
  add("PointwiseDepthwiseConv", Isa::X86Avx512, newX86Avx512PointwiseDepthwise, pointwiseDepthwise);
  add("Add", Isa::X86Avx2, newX86Avx2AddF32, x86::acceptsBinaryF32);
  add("Sub", Isa::X86Avx2, newX86Avx2SubF32, x86::acceptsBinaryF32);
  add("Mul", Isa::X86Avx2, newX86Avx2MulF32, x86::acceptsBinaryF32);
  add("Div", Isa::X86Avx2, newX86Avx2DivF32, x86::acceptsBinaryF32);
  add("Max", Isa::X86Avx2, newX86Avx2MaxF32, x86::acceptsBinaryF32);
  add("Min", Isa::X86Avx2, newX86Avx2MinF32, x86::acceptsBinaryF32);
  add("MaxPool", Isa::X86Avx2, newX86Avx2MaxPoolF32, x86::acceptsPool2dF32);
  add("AveragePool", Isa::X86Avx2, newX86Avx2AveragePoolF32, x86::acceptsPool2dF32);
  add("GlobalMaxPool", Isa::X86Avx2, newX86Avx2GlobalMaxPoolF32, x86::acceptsGlobalPoolF32);
  add("GlobalAveragePool", Isa::X86Avx2, newX86Avx2GlobalAveragePoolF32, x86::acceptsGlobalPoolF32);
  add("Softmax", Isa::X86Avx2, newX86Avx2SoftmaxF32, x86::acceptsSoftmaxF32);
  add("LogSoftmax", Isa::X86Avx2, newX86Avx2LogSoftmaxF32, x86::acceptsSoftmaxF32);
  add("Softmax", Isa::X86Avx512, newX86Avx512SoftmaxF32, x86::acceptsSoftmaxF32);
  add("LogSoftmax", Isa::X86Avx512, newX86Avx512LogSoftmaxF32, x86::acceptsSoftmaxF32);
  add("LayerNormalization", Isa::X86Avx2, newX86Avx2LayerNormF32, x86::acceptsLayerNormF32);
  add("LayerNormalization", Isa::X86Avx2, newX86Avx2LayerNormQ8, acceptsLayerNormQ8);
  add("LayerNormalization", Isa::X86Avx512, newX86Avx512LayerNormQ8, acceptsLayerNormQ8);
  add("ReduceSum", Isa::X86Avx2, newX86Avx2ReduceSumF32, x86::acceptsReduceF32);
  add("ReduceMean", Isa::X86Avx2, newX86Avx2ReduceMeanF32, x86::acceptsReduceF32);
  add("ReduceSumSquare", Isa::X86Avx2, newX86Avx2ReduceSumSquareF32, x86::acceptsReduceF32);
  add("ReduceMax", Isa::X86Avx2, newX86Avx2ReduceMaxF32, x86::acceptsReduceF32);
  add("ReduceMin", Isa::X86Avx2, newX86Avx2ReduceMinF32, x86::acceptsReduceF32);
  // f32 Resize: 4-D, H and W only, linear/nearest, constant scales (x86_resize.h).
  add("Resize", Isa::X86Avx2, x86::newX86Avx2ResizeF32, x86::acceptsResizeF32);
  // f32 RNN/GRU/LSTM with the default activations and no clip (x86_recurrent.h).
  for (const auto &[op, cell] : {std::pair<const char *, int>{"RNN", 0}, {"GRU", 1}, {"LSTM", 2}})
    r.add(op, Isa::X86Avx2, [cell = cell] { return std::unique_ptr<Kernel>(x86::newX86Avx2RecurrentF32(cell)); },
          x86::acceptsRecurrentF32);
}
#endif

void KernelRegistry::add(const std::string &op, Isa isa, KernelFactory factory, KernelAccepts accepts) {
  entries_.push_back({op, isa, std::move(factory), accepts});
}

bool allOfDType(const KernelSignature &sig, DType t) {
  for (const TensorView *v : sig.inputs)
    if (v && v->dtype != t) return false;
  for (const TensorView *v : sig.outputs)
    if (v->dtype != t) return false;
  return true;
}

std::unique_ptr<Kernel> KernelRegistry::create(const KernelSignature &sig, const std::vector<Isa> &available,
                                               Isa *chosen) const {
  const Entry *best = nullptr;
  bool known = false;
  for (const Entry &e : entries_) {
    if (e.op != sig.op) continue;
    known = true;
    if (std::find(available.begin(), available.end(), e.isa) == available.end()) continue;
    if (e.accepts && !e.accepts(sig)) continue;
    // The highest ISA; among equal ISAs an implementation with an `accepts` predicate (a
    // specific one, e.g. the quantized Conv) beats one without (the catch-all float
    // Conv), whatever the registration order; otherwise the first registered.
    if (!best || static_cast<int>(e.isa) > static_cast<int>(best->isa) ||
        (e.isa == best->isa && e.accepts && !best->accepts))
      best = &e;
  }
  if (!best) {
    std::string isas;
    for (Isa isa : available) isas += std::string(isas.empty() ? "" : ", ") + isaName(isa);
    kernelFail(sig, known ? "no implementation among the available ones (" + isas + ") takes this signature"
                          : "op '" + sig.op + "' is not implemented by this runtime");
  }
  if (chosen) *chosen = best->isa;
  return best->factory();
}

std::unique_ptr<Kernel> KernelRegistry::create(const std::string &op,
                                               const std::vector<Isa> &available,
                                               Isa *chosen) const {
  const Entry *best = nullptr;
  for (const Entry &e : entries_) {
    if (e.op != op) continue;
    if (std::find(available.begin(), available.end(), e.isa) == available.end()) continue;
    if (!best || static_cast<int>(e.isa) > static_cast<int>(best->isa)) best = &e;
  }
  if (!best) return nullptr;
  if (chosen) *chosen = best->isa;
  return best->factory();
}

bool KernelRegistry::has(const std::string &op) const {
  return std::any_of(entries_.begin(), entries_.end(),
                     [&](const Entry &e) { return e.op == op; });
}

std::vector<std::string> KernelRegistry::ops() const {
  std::vector<std::string> out;
  for (const Entry &e : entries_) out.push_back(e.op);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace edgec::rt
