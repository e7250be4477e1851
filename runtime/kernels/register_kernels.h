// One registration function per kernel family file; registry.cpp calls the two roots.
#pragma once

#include <cstddef>
#include <cstdint>

namespace edgec::rt {
class Kernel;
class KernelRegistry;
struct KernelSignature;
struct RunContext;
enum class Isa : int;
namespace ref {
template <size_t N> struct StridedLoop;
using StridedCopyFn = void (*)(const RunContext &ctx, const StridedLoop<2> &loop, size_t elementBytes, void *out,
                               const void *in);
}  // namespace ref

// The kernels that only move elements along one strided loop, registered at `isa` with a
// mover (ref/util.h StridedCopyFn): ref's, and x86's (x86_copy.h) with the same prepare.
void registerStridedCopyDataMovement(KernelRegistry &r, Isa isa, ref::StridedCopyFn copy);  // Transpose, Slice, Expand
void registerStridedCopyIndexMap(KernelRegistry &r, Isa isa, ref::StridedCopyFn copy);      // Tile
void registerStridedCopyResample(KernelRegistry &r, Isa isa, ref::StridedCopyFn copy);  // DepthToSpace, SpaceToDepth

// ref/ (portable C++, the oracle)
void registerRefElementwise(KernelRegistry &r);
void registerRefLinalg(KernelRegistry &r);
void registerRefConv(KernelRegistry &r);
void registerRefPool(KernelRegistry &r);
void registerRefNormalization(KernelRegistry &r);
void registerRefDataMovement(KernelRegistry &r);
void registerRefReduce(KernelRegistry &r);
void registerRefUnaryMath(KernelRegistry &r);
// Hardmax, TopK, OneHot, ReverseSequence (ref/selection.cpp).
void registerRefSelection(KernelRegistry &r);
void registerRefLogic(KernelRegistry &r);
void registerRefArith(KernelRegistry &r);
void registerRefIndexMap(KernelRegistry &r);
// DepthToSpace, SpaceToDepth, Resize (ref/resample.cpp).
void registerRefResample(KernelRegistry &r);
void registerRefUpdateSlice(KernelRegistry &r);
// GatherElements, ScatterElements, GatherND, ScatterND (ref/indexing.cpp).
void registerRefIndexing(KernelRegistry &r);
// ConvTranspose (ref/conv_transpose.cpp).
void registerRefConvTranspose(KernelRegistry &r);
void registerRefGridSample(KernelRegistry &r);    // ref/grid_sample.cpp
void registerRefChannelNorm(KernelRegistry &r);   // InstanceNormalization, LRN (ref/channel_norm.cpp)
void registerRefRoiAlign(KernelRegistry &r);      // ref/roi_align.cpp
void registerRefMaxUnpool(KernelRegistry &r);     // ref/max_unpool.cpp
void registerRefDft(KernelRegistry &r);           // DFT, STFT, MelWeightMatrix (ref/dft.cpp)
void registerRefTfIdf(KernelRegistry &r);         // TfIdfVectorizer (ref/tfidf.cpp)
void registerRefShape(KernelRegistry &r);         // Shape, in dynamic packages (ref/shape_of.cpp)
void registerRefRecurrent(KernelRegistry &r);  // RNN, GRU, LSTM
// NonZero, Compress, Unique, NonMaxSuppression: output sizes that depend on the input
// values, written within the planned capacity (ref/data_dependent.cpp).
void registerRefDataDependent(KernelRegistry &r);
// FusedElementwise, edge-fuse-elementwise's op (ref/fused_elementwise.cpp)
void registerRefFusedElementwise(KernelRegistry &r);
void registerControlFlowKernels(KernelRegistry &r);  // If, Scan (control_flow.h)
// Quantized (int8/uint8) kernels, under the float ops' names with accepts =
// isQuantizedCall (ref/quant_params.h): among equal ISAs the registry prefers them.
void registerRefQuantLinalg(KernelRegistry &r);       // Conv, MatMul, Gemm
void registerRefQuantElementwise(KernelRegistry &r);  // Add, Sub, Mul, table-driven unary ops
void registerRefQuantPool(KernelRegistry &r);         // MaxPool, AveragePool, global pools
void registerRefQuantData(KernelRegistry &r);         // QuantizeLinear, DequantizeLinear, Concat
void registerRefDynamicQuant(KernelRegistry &r);      // DynamicQuantizedMatMul (INT8 dynamic)
// ONNX's integer-output ops (ONNX Runtime's dynamic quantization): ref only.
void registerRefIntegerLinalg(KernelRegistry &r);          // MatMulInteger, ConvInteger
void registerRefDynamicQuantizeLinear(KernelRegistry &r);  // DynamicQuantizeLinear
// Weight-only blockwise (i4/u4 group-wise) MatMul, Gemm, Conv and DequantizeLinear, with
// accepts = isBlockwiseWeightCall / isBlockwiseInputCall (ref/blockwise.h).
void registerRefBlockwise(KernelRegistry &r);
// BlockQuantizedMatMul (INT4 x INT8: activations int8 per block at run time; ref/block_q8.h).
void registerRefBlockQ8(KernelRegistry &r);
// GgufMatMul (GGUF weights kept as stored, activations in their vec_dot format; ref/gguf_matmul.h).
void registerRefGgufMatMul(KernelRegistry &r);
// GgufMatMulId at `isa` (gguf_matmul_id.cpp: one GgufMatMul call per expert, run by the
// best GgufMatMul kernel of the ISAs up to `isa`), taking the calls `accepts` takes.
void registerGgufMatMulId(KernelRegistry &r, Isa isa, bool (*accepts)(const KernelSignature &));
// LLM decoder kernels (ref/llm.h): RMSNormalization, RotaryEmbedding, KVCacheAttention;
// GatherDequantize (ref/gather_dequantize.cpp, embedding rows of any GGUF type).
void registerRefLlm(KernelRegistry &r);
void registerRefGatherDequantize(KernelRegistry &r);
// ScaledDotProductAttention, the op edge-fuse-attention creates (ref/attention.h).
void registerRefAttention(KernelRegistry &r);
// SqueezeExcitation, the op edge-fuse-squeeze-excitation creates (ref/squeeze_excitation.h).
void registerRefSqueezeExcitation(KernelRegistry &r);
// PointwiseDepthwiseConv, the op edge-fuse-pointwise-depthwise creates (ref/pointwise_depthwise.h).
void registerRefPointwiseDepthwise(KernelRegistry &r);

inline void registerRefKernels(KernelRegistry &r) {
  registerRefElementwise(r);
  registerRefLinalg(r);
  registerRefConv(r);
  registerRefPool(r);
  registerRefNormalization(r);
  registerRefDataMovement(r);
  registerRefReduce(r);
  registerRefUnaryMath(r);
  registerRefSelection(r);
  registerRefLogic(r);
  registerRefArith(r);
  registerRefIndexMap(r);
  registerRefResample(r);
  registerRefUpdateSlice(r);
  registerRefIndexing(r);
  registerRefConvTranspose(r);
  registerRefGridSample(r);
  registerRefChannelNorm(r);
  registerRefRoiAlign(r);
  registerRefMaxUnpool(r);
  registerRefDft(r);
  registerRefTfIdf(r);
  registerRefShape(r);
  registerRefRecurrent(r);
  registerRefDataDependent(r);
  registerRefFusedElementwise(r);
  registerControlFlowKernels(r);
  registerRefQuantLinalg(r);
  registerRefQuantElementwise(r);
  registerRefQuantPool(r);
  registerRefQuantData(r);
  registerRefDynamicQuant(r);
  registerRefIntegerLinalg(r);
  registerRefDynamicQuantizeLinear(r);
  registerRefBlockwise(r);
  registerRefBlockQ8(r);
  registerRefGgufMatMul(r);
  registerRefLlm(r);
  registerRefGatherDequantize(r);
  registerRefAttention(r);
  registerRefSqueezeExcitation(r);
  registerRefPointwiseDepthwise(r);
}

// x86/ files are compiled for their ISA (-mavx2 -mfma, or -mavx512f and friends) and
// export only factories, which registry.cpp registers from baseline code: registration
// runs on every CPU, and ISA code must not run until the registry has picked one of
// its kernels for a CPU that has the ISA (see hostIsas).
// f32 Gemm and MatMul (x86/gemm_f32_driver.inc).
Kernel *newX86Avx2Gemm();
Kernel *newX86Avx2MatMul();
Kernel *newX86Avx512Gemm();
Kernel *newX86Avx512MatMul();
Kernel *newX86Avx2Conv();
Kernel *newX86Avx512Conv();
// f32 PointwiseDepthwiseConv (x86_pointwise_depthwise.cpp) on the two x86 Conv kernels' parts.
Kernel *newX86Avx2PointwiseDepthwise();
Kernel *newX86Avx512PointwiseDepthwise();
// f32 ConvTranspose, 1-D and 2-D, on the Conv GEMM (x86/conv_transpose_driver.inc; accepts
// x86::acceptsConvTransposeF32).
Kernel *newX86Avx2ConvTranspose();
Kernel *newX86Avx512ConvTranspose();
// int8 Conv, MatMul, Gemm (x86/qgemm_*.cpp); the AVX-512 ones need AVX512_VNNI too.
Kernel *newX86Avx2QuantConv();
Kernel *newX86Avx2QuantMatMul();
Kernel *newX86Avx2QuantGemm();
Kernel *newX86Avx512QuantConv();
Kernel *newX86Avx512QuantMatMul();
Kernel *newX86Avx512QuantGemm();
// DynamicQuantizedMatMul (f32 rows quantized at run time, int8 weight; x86/qgemm_*.cpp).
Kernel *newX86Avx2DynamicQuantMatMul();
Kernel *newX86Avx512DynamicQuantMatMul();
// Quantized Add/Sub (same-shape operands), per-tensor QuantizeLinear and DequantizeLinear
// (x86/qelementwise_*.cpp).
Kernel *newX86Avx2QuantAddSub();
Kernel *newX86Avx2QuantizeLinear();
Kernel *newX86Avx2DequantizeLinear();
Kernel *newX86Avx512QuantAddSub();
Kernel *newX86Avx512QuantizeLinear();
Kernel *newX86Avx512DequantizeLinear();
// Quantized Mul (same-shape operands or one constant along rows, ref::quantMulLayout) and
// the 256-entry table ops (ref::prepareQuantLut; the AVX-512 one needs AVX512_VBMI too).
Kernel *newX86Avx2QuantMul();
Kernel *newX86Avx2QuantLut();
Kernel *newX86Avx2QuantConcat();
Kernel *newX86Avx512QuantMul();
Kernel *newX86Avx512QuantLut();
Kernel *newX86Avx512QuantConcat();
Kernel *newX86Avx2QuantMaxPool();  // 2-D MaxPool
Kernel *newX86Avx512QuantMaxPool();
Kernel *newX86Avx2QuantGlobalAveragePool();  // GlobalAveragePool
Kernel *newX86Avx512QuantGlobalAveragePool();
// Blockwise-weight kernels: int4 MatMul/Gemm (x86/int4_avx2.cpp) and the Conv that
// dequantizes its weight at prepare and runs the float Conv of its level (baseline code,
// ref/blockwise.cpp).
Kernel *newX86Avx2Int4MatMul();
Kernel *newX86Avx2Int4Gemm();
Kernel *newBlockwiseConvAvx2();
Kernel *newBlockwiseConvAvx512();
// BlockQuantizedMatMul, int4 x int8 (x86/int4_q8_avx2.cpp, x86/int4_q8_avx512.cpp: needs
// AVX512_VNNI too; accepts = ref::isInt4Q8Call).
Kernel *newX86Avx2Int4Q8MatMul();
Kernel *newX86Avx512Int4Q8MatMul();
// GgufMatMul (x86/gguf_matmul_avx2.cpp, x86/gguf_matmul_avx512.cpp: needs AVX512_VNNI too;
// both need F16C).
Kernel *newX86Avx2GgufMatMul();
Kernel *newX86Avx512GgufMatMul();
// Cast f16 -> f32 and f32 -> f16 with F16C (x86/f16_convert_*.cpp; needs the f16c flag).
Kernel *newX86Avx2CastF16();
Kernel *newX86Avx512CastF16();
// RMSNormalization and KVCacheAttention (x86/llm_avx2.cpp; built with -mf16c: the
// registry checks the f16c flag).
Kernel *newX86Avx2RmsNorm();
Kernel *newX86Avx2KVCacheAttention();
Kernel *newX86Avx512KVCacheAttention(bool vnni);  // vnni: AVX-512 VNNI i8 scores
// f32 broadcasting Add, Sub, Mul, Div, Max, Min (x86/binary_f32_avx2.cpp; accepts =
// x86::acceptsBinaryF32, x86_f32_plans.h).
Kernel *newX86Avx2AddF32();
Kernel *newX86Avx2SubF32();
Kernel *newX86Avx2MulF32();
Kernel *newX86Avx2DivF32();
Kernel *newX86Avx2MaxF32();
Kernel *newX86Avx2MinF32();
// f32 2-D MaxPool/AveragePool and the global pools (x86/pool_f32_avx2.cpp; accepts =
// x86::acceptsPool2dF32 / acceptsGlobalPoolF32, x86_f32_plans.h).
Kernel *newX86Avx2MaxPoolF32();
Kernel *newX86Avx2AveragePoolF32();
Kernel *newX86Avx2GlobalMaxPoolF32();
Kernel *newX86Avx2GlobalAveragePoolF32();
// f32 Softmax/LogSoftmax (x86/softmax_f32_avx2.cpp) and LayerNormalization
// (x86/layernorm_f32_avx2.cpp); accepts x86::acceptsSoftmaxF32 / acceptsLayerNormF32.
Kernel *newX86Avx2SoftmaxF32();
Kernel *newX86Avx2LogSoftmaxF32();
Kernel *newX86Avx512SoftmaxF32();  // x86/softmax_f32_avx512.cpp
Kernel *newX86Avx512LogSoftmaxF32();
Kernel *newX86Avx2LayerNormF32();
// LayerNormalization on codes (X per-tensor i8/u8, Y i8/u8 or f32; x86/layernorm_q8_driver.inc
// at AVX2 and AVX-512; the same bits as ref/layernorm_codes.h's arithmetic).
Kernel *newX86Avx2LayerNormQ8();
Kernel *newX86Avx512LayerNormQ8();
// f32 ReduceSum/Mean/SumSquare/Max/Min over the innermost axes (x86/reduce_f32_avx2.cpp;
// accepts x86::acceptsReduceF32).
Kernel *newX86Avx2ReduceSumF32();
Kernel *newX86Avx2ReduceMeanF32();
Kernel *newX86Avx2ReduceSumSquareF32();
Kernel *newX86Avx2ReduceMaxF32();
Kernel *newX86Avx2ReduceMinF32();
// f32 ScaledDotProductAttention (x86/attention_f32_driver.inc at AVX2 and AVX-512; every
// f32 call).
Kernel *newX86Avx2AttentionF32();
Kernel *newX86Avx512AttentionF32();
// Integer ScaledDotProductAttention (integer = 1; x86/attention_q8_driver.inc; the same
// bits as ref at both levels; the AVX-512 one needs VNNI).
Kernel *newX86Avx2AttentionQ8();
Kernel *newX86Avx512AttentionQ8();
// f32 SqueezeExcitation (x86/squeeze_excitation_avx2.cpp; every f32 call).
Kernel *newX86Avx2SqueezeExcitation();
// Whether the AVX2 int4 kernels take a blockwise call (ref/blockwise.cpp, baseline).
bool acceptsX86Int4(const KernelSignature &sig);
void registerX86Kernels(KernelRegistry &r);  // in registry.cpp

}  // namespace edgec::rt
