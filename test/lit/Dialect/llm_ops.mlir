// RUN: edgec-opt %s | edgec-opt | FileCheck %s
// RUN: edgec-opt %s -mlir-print-op-generic | edgec-opt | FileCheck %s
//
// Round trip of the decoder-LM ops of the GGUF frontend (EdgeLlmOps.td): RMSNormalization,
// RotaryEmbedding (both layouts), KVCacheAttention over f16 and f32 caches with grouped
// query heads, GgufMatMul with block, f16 and bf16 weights (with and without a bias) and
// GatherDequantize from a block-typed table.

// CHECK-LABEL: func.func @rms_norm
func.func @rms_norm(%x: tensor<2x3x64xf32>, %g: tensor<64xf32>) -> tensor<2x3x64xf32> {
  // CHECK: edge.RMSNormalization %{{.+}}, %{{.+}} {axis = 2 : i64, epsilon = 9.99999997E-7 : f32} : (tensor<2x3x64xf32>, tensor<64xf32>) -> tensor<2x3x64xf32>
  %0 = edge.RMSNormalization %x, %g {axis = 2 : i64, epsilon = 1.0e-6 : f32} : (tensor<2x3x64xf32>, tensor<64xf32>) -> tensor<2x3x64xf32>
  return %0 : tensor<2x3x64xf32>
}

// Four heads of D = 16 over an angle table of 10 positions x D/2; llama's adjacent-pair
// layout (interleaved = 1) and qwen2's halves (0), the default rotary_embedding_dim (0:
// the whole head, not printed) and the explicit head size.
// CHECK-LABEL: func.func @rope
func.func @rope(%x: tensor<1x3x64xf32>, %cos: tensor<10x8xf32>, %sin: tensor<10x8xf32>, %ids: tensor<1x3xi64>) -> (tensor<1x3x64xf32>, tensor<1x3x64xf32>) {
  // CHECK: edge.RotaryEmbedding %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} {interleaved = 1 : i64, num_heads = 4 : i64} : (tensor<1x3x64xf32>, tensor<10x8xf32>, tensor<10x8xf32>, tensor<1x3xi64>) -> tensor<1x3x64xf32>
  %0 = edge.RotaryEmbedding %x, %cos, %sin, %ids {interleaved = 1 : i64, num_heads = 4 : i64} : (tensor<1x3x64xf32>, tensor<10x8xf32>, tensor<10x8xf32>, tensor<1x3xi64>) -> tensor<1x3x64xf32>
  // CHECK: edge.RotaryEmbedding %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} {interleaved = 0 : i64, num_heads = 4 : i64, rotary_embedding_dim = 16 : i64} : (tensor<1x3x64xf32>, tensor<10x8xf32>, tensor<10x8xf32>, tensor<1x3xi64>) -> tensor<1x3x64xf32>
  %1 = edge.RotaryEmbedding %x, %cos, %sin, %ids {interleaved = 0 : i64, num_heads = 4 : i64, rotary_embedding_dim = 16 : i64} : (tensor<1x3x64xf32>, tensor<10x8xf32>, tensor<10x8xf32>, tensor<1x3xi64>) -> tensor<1x3x64xf32>
  return %0, %1 : tensor<1x3x64xf32>, tensor<1x3x64xf32>
}

// A partial rotation (Phi-4-mini's 3/4 of a head): 12 of each head's 16 values rotated,
// tables of 12/2 frequencies.
// CHECK-LABEL: func.func @rope_partial
func.func @rope_partial(%x: tensor<1x3x64xf32>, %cos: tensor<10x6xf32>, %ids: tensor<1x3xi64>) -> tensor<1x3x64xf32> {
  // CHECK: edge.RotaryEmbedding %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} {interleaved = 0 : i64, num_heads = 4 : i64, rotary_embedding_dim = 12 : i64} : (tensor<1x3x64xf32>, tensor<10x6xf32>, tensor<10x6xf32>, tensor<1x3xi64>) -> tensor<1x3x64xf32>
  %0 = edge.RotaryEmbedding %x, %cos, %cos, %ids {interleaved = 0 : i64, num_heads = 4 : i64, rotary_embedding_dim = 12 : i64} : (tensor<1x3x64xf32>, tensor<10x6xf32>, tensor<10x6xf32>, tensor<1x3xi64>) -> tensor<1x3x64xf32>
  return %0 : tensor<1x3x64xf32>
}

// Grouped-query attention: 4 query heads over 2 cached KV heads, a prefill of 3 rows
// over f16 caches of 8 rows (updated in place from the states), and a decode row over f32
// caches with as many KV heads as query heads.
edge.state @k16 : tensor<2x8x16xf16>
edge.state @v16 : tensor<2x8x16xf16>

// CHECK-LABEL: func.func @attention
func.func @attention(%q: tensor<3x4x16xf32>, %k: tensor<2x3x16xf16>, %v: tensor<2x3x16xf16>, %pos: tensor<1xi64>, %start: tensor<3xi64>,
                     %q1: tensor<1x4x16xf32>, %kc: tensor<4x8x16xf32>, %vc: tensor<4x8x16xf32>) -> (tensor<3x4x16xf32>, tensor<1x4x16xf32>, tensor<1x4x16xf32>, tensor<1x4x16xf32>) {
  // CHECK: %[[KR:.+]] = edge.state_read @k16 : tensor<2x8x16xf16>
  // CHECK: %[[K:.+]] = edge.DynamicUpdateSlice %[[KR]]
  // CHECK: %[[VR:.+]] = edge.state_read @v16 : tensor<2x8x16xf16>
  // CHECK: %[[V:.+]] = edge.DynamicUpdateSlice %[[VR]]
  %kr = edge.state_read @k16 : tensor<2x8x16xf16>
  %ku = edge.DynamicUpdateSlice %kr, %k, %start : (tensor<2x8x16xf16>, tensor<2x3x16xf16>, tensor<3xi64>) -> tensor<2x8x16xf16>
  edge.state_write @k16, %ku : tensor<2x8x16xf16>
  %vr = edge.state_read @v16 : tensor<2x8x16xf16>
  %vu = edge.DynamicUpdateSlice %vr, %v, %start : (tensor<2x8x16xf16>, tensor<2x3x16xf16>, tensor<3xi64>) -> tensor<2x8x16xf16>
  edge.state_write @v16, %vu : tensor<2x8x16xf16>
  // CHECK: edge.KVCacheAttention %{{.+}}, %[[K]], %[[V]], %{{.+}} {scale = 2.500000e-01 : f32} : (tensor<3x4x16xf32>, tensor<2x8x16xf16>, tensor<2x8x16xf16>, tensor<1xi64>) -> tensor<3x4x16xf32>
  %0 = edge.KVCacheAttention %q, %ku, %vu, %pos {scale = 0.25 : f32} : (tensor<3x4x16xf32>, tensor<2x8x16xf16>, tensor<2x8x16xf16>, tensor<1xi64>) -> tensor<3x4x16xf32>
  // CHECK: edge.KVCacheAttention %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} {scale = 1.250000e-01 : f32} : (tensor<1x4x16xf32>, tensor<4x8x16xf32>, tensor<4x8x16xf32>, tensor<1xi64>) -> tensor<1x4x16xf32>
  %1 = edge.KVCacheAttention %q1, %kc, %vc, %pos {scale = 0.125 : f32} : (tensor<1x4x16xf32>, tensor<4x8x16xf32>, tensor<4x8x16xf32>, tensor<1xi64>) -> tensor<1x4x16xf32>
  // A sliding window (Gemma 3's local layers) is printed; window = 0, the default, is not.
  // CHECK: edge.KVCacheAttention %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} {scale = 1.250000e-01 : f32, window = 8 : i64} : (tensor<1x4x16xf32>, tensor<4x8x16xf32>, tensor<4x8x16xf32>, tensor<1xi64>) -> tensor<1x4x16xf32>
  %2 = edge.KVCacheAttention %q1, %kc, %vc, %pos {scale = 0.125 : f32, window = 8 : i64} : (tensor<1x4x16xf32>, tensor<4x8x16xf32>, tensor<4x8x16xf32>, tensor<1xi64>) -> tensor<1x4x16xf32>
  // CHECK: edge.KVCacheAttention %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} {scale = 1.250000e-01 : f32} : (tensor<1x4x16xf32>, tensor<4x8x16xf32>, tensor<4x8x16xf32>, tensor<1xi64>) -> tensor<1x4x16xf32>
  %3 = edge.KVCacheAttention %q1, %kc, %vc, %pos {scale = 0.125 : f32, window = 0 : i64} : (tensor<1x4x16xf32>, tensor<4x8x16xf32>, tensor<4x8x16xf32>, tensor<1xi64>) -> tensor<1x4x16xf32>
  return %0, %1, %2, %3 : tensor<3x4x16xf32>, tensor<1x4x16xf32>, tensor<1x4x16xf32>, tensor<1x4x16xf32>
}

// A local layer's cache as a mirrored ring of R = 6 rows (12 rows a head): the step's rows
// written by KVCacheRingWrite (the cache and an i8 cache's scales), read with `ring`.
// CHECK-LABEL: func.func @ring
func.func @ring(%q: tensor<2x4x16xf32>, %k: tensor<2x12x16xf16>, %rows: tensor<2x2x16xf16>, %s: tensor<2x12xf32>,
                %srows: tensor<2x2xf32>, %pos: tensor<1xi64>) -> (tensor<2x4x16xf32>, tensor<2x12xf32>) {
  // CHECK: edge.KVCacheRingWrite %{{.+}}, %{{.+}}, %{{.+}} {ring = 6 : i64} : (tensor<2x12x16xf16>, tensor<2x2x16xf16>, tensor<1xi64>) -> tensor<2x12x16xf16>
  %0 = edge.KVCacheRingWrite %k, %rows, %pos {ring = 6 : i64} : (tensor<2x12x16xf16>, tensor<2x2x16xf16>, tensor<1xi64>) -> tensor<2x12x16xf16>
  // CHECK: edge.KVCacheRingWrite %{{.+}}, %{{.+}}, %{{.+}} {ring = 6 : i64} : (tensor<2x12xf32>, tensor<2x2xf32>, tensor<1xi64>) -> tensor<2x12xf32>
  %1 = edge.KVCacheRingWrite %s, %srows, %pos {ring = 6 : i64} : (tensor<2x12xf32>, tensor<2x2xf32>, tensor<1xi64>) -> tensor<2x12xf32>
  // CHECK: edge.KVCacheAttention %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} {ring = 6 : i64, scale = 2.500000e-01 : f32, window = 5 : i64}
  %2 = edge.KVCacheAttention %q, %0, %0, %pos {scale = 0.25 : f32, window = 5 : i64, ring = 6 : i64} : (tensor<2x4x16xf32>, tensor<2x12x16xf16>, tensor<2x12x16xf16>, tensor<1xi64>) -> tensor<2x4x16xf32>
  return %2, %1 : tensor<2x4x16xf32>, tensor<2x12xf32>
}

// Weights as GGUF stores them, [N, K]: q4_0 blocks (K a multiple of 32) with and without a
// bias and a rank-3 input, f16 and bf16 with a bias, f32 without.
// CHECK-LABEL: func.func @matmul
func.func @matmul(%x: tensor<3x64xf32>, %x3: tensor<1x3x64xf32>, %b: tensor<16xf32>, %wf16: tensor<16x64xf16>, %wbf16: tensor<16x64xbf16>, %wf32: tensor<16x64xf32>)
    -> (tensor<3x16xf32>, tensor<1x3x16xf32>, tensor<3x16xf32>, tensor<3x16xf32>, tensor<3x16xf32>) {
  // CHECK: %[[W:.+]] = edge.constant dense_resource<q4> : tensor<16x64x!edge.block<"q4_0">>
  %w = edge.constant dense_resource<q4> : tensor<16x64x!edge.block<"q4_0">>
  // CHECK: edge.GgufMatMul %{{.+}}, %[[W]], %{{.+}} : (tensor<3x64xf32>, tensor<16x64x!edge.block<"q4_0">>, tensor<16xf32>) -> tensor<3x16xf32>
  %0 = edge.GgufMatMul %x, %w, %b : (tensor<3x64xf32>, tensor<16x64x!edge.block<"q4_0">>, tensor<16xf32>) -> tensor<3x16xf32>
  // CHECK: edge.GgufMatMul %{{.+}}, %[[W]] : (tensor<1x3x64xf32>, tensor<16x64x!edge.block<"q4_0">>) -> tensor<1x3x16xf32>
  %1 = edge.GgufMatMul %x3, %w : (tensor<1x3x64xf32>, tensor<16x64x!edge.block<"q4_0">>) -> tensor<1x3x16xf32>
  // CHECK: edge.GgufMatMul %{{.+}}, %{{.+}}, %{{.+}} : (tensor<3x64xf32>, tensor<16x64xf16>, tensor<16xf32>) -> tensor<3x16xf32>
  %2 = edge.GgufMatMul %x, %wf16, %b : (tensor<3x64xf32>, tensor<16x64xf16>, tensor<16xf32>) -> tensor<3x16xf32>
  // CHECK: edge.GgufMatMul %{{.+}}, %{{.+}}, %{{.+}} : (tensor<3x64xf32>, tensor<16x64xbf16>, tensor<16xf32>) -> tensor<3x16xf32>
  %3 = edge.GgufMatMul %x, %wbf16, %b : (tensor<3x64xf32>, tensor<16x64xbf16>, tensor<16xf32>) -> tensor<3x16xf32>
  // CHECK: edge.GgufMatMul %{{.+}}, %{{.+}} : (tensor<3x64xf32>, tensor<16x64xf32>) -> tensor<3x16xf32>
  %4 = edge.GgufMatMul %x, %wf32 : (tensor<3x64xf32>, tensor<16x64xf32>) -> tensor<3x16xf32>
  return %0, %1, %2, %3, %4 : tensor<3x16xf32>, tensor<1x3x16xf32>, tensor<3x16xf32>, tensor<3x16xf32>, tensor<3x16xf32>
}

// A mixture-of-experts layer's matmuls: 4 experts' q4_k weights of [16, 256], each token's
// 2 slots naming an expert; one input row per token (broadcast to its slots) or per slot.
// CHECK-LABEL: func.func @matmul_id
func.func @matmul_id(%x: tensor<3x256xf32>, %xs: tensor<3x2x256xf32>, %ids: tensor<3x2xi64>, %ids32: tensor<3x2xi32>) -> (tensor<3x2x16xf32>, tensor<3x2x16xf32>) {
  // CHECK: %[[W:.+]] = edge.constant dense_resource<exps> : tensor<4x16x256x!edge.block<"q4_k">>
  %w = edge.constant dense_resource<exps> : tensor<4x16x256x!edge.block<"q4_k">>
  // CHECK: edge.GgufMatMulId %{{.+}}, %[[W]], %{{.+}} : (tensor<3x256xf32>, tensor<4x16x256x!edge.block<"q4_k">>, tensor<3x2xi64>) -> tensor<3x2x16xf32>
  %0 = edge.GgufMatMulId %x, %w, %ids : (tensor<3x256xf32>, tensor<4x16x256x!edge.block<"q4_k">>, tensor<3x2xi64>) -> tensor<3x2x16xf32>
  // CHECK: edge.GgufMatMulId %{{.+}}, %[[W]], %{{.+}} : (tensor<3x2x256xf32>, tensor<4x16x256x!edge.block<"q4_k">>, tensor<3x2xi32>) -> tensor<3x2x16xf32>
  %1 = edge.GgufMatMulId %xs, %w, %ids32 : (tensor<3x2x256xf32>, tensor<4x16x256x!edge.block<"q4_k">>, tensor<3x2xi32>) -> tensor<3x2x16xf32>
  return %0, %1 : tensor<3x2x16xf32>, tensor<3x2x16xf32>
}

// A token embedding lookup: q6_k rows of 256 (one super-block each), indices of any rank
// and i32 or i64; a f16 table.
// CHECK-LABEL: func.func @embedding
func.func @embedding(%ids: tensor<5xi32>, %ids2: tensor<2x3xi64>, %t16: tensor<10x8xf16>) -> (tensor<5x256xf32>, tensor<2x3x256xf32>, tensor<5x8xf32>) {
  // CHECK: %[[T:.+]] = edge.constant dense_resource<embd> : tensor<10x256x!edge.block<"q6_k">>
  %t = edge.constant dense_resource<embd> : tensor<10x256x!edge.block<"q6_k">>
  // CHECK: edge.GatherDequantize %[[T]], %{{.+}} : (tensor<10x256x!edge.block<"q6_k">>, tensor<5xi32>) -> tensor<5x256xf32>
  %0 = edge.GatherDequantize %t, %ids : (tensor<10x256x!edge.block<"q6_k">>, tensor<5xi32>) -> tensor<5x256xf32>
  // CHECK: edge.GatherDequantize %[[T]], %{{.+}} : (tensor<10x256x!edge.block<"q6_k">>, tensor<2x3xi64>) -> tensor<2x3x256xf32>
  %1 = edge.GatherDequantize %t, %ids2 : (tensor<10x256x!edge.block<"q6_k">>, tensor<2x3xi64>) -> tensor<2x3x256xf32>
  // CHECK: edge.GatherDequantize %{{.+}}, %{{.+}} : (tensor<10x8xf16>, tensor<5xi32>) -> tensor<5x8xf32>
  %2 = edge.GatherDequantize %t16, %ids : (tensor<10x8xf16>, tensor<5xi32>) -> tensor<5x8xf32>
  return %0, %1, %2 : tensor<5x256xf32>, tensor<2x3x256xf32>, tensor<5x8xf32>
}

// An int8 cache: a step's rows quantized per row and head, codes and scales written into
// their states, attention reading both.
// CHECK-LABEL: func.func @int8_cache
func.func @int8_cache(%q: tensor<2x4x16xf32>, %k: tensor<2x2x16xf32>, %pos: tensor<1xi64>, %start3: tensor<3xi64>,
                      %start2: tensor<2xi64>, %kc: tensor<2x8x16xi8>, %ks: tensor<2x8xf32>) -> tensor<2x4x16xf32> {
  // CHECK: %{{.+}}, %{{.+}} = edge.DynamicQuantizeRows %{{.+}} : (tensor<2x2x16xf32>) -> (tensor<2x2x16xi8>, tensor<2x2xf32>)
  %codes, %scales = edge.DynamicQuantizeRows %k : (tensor<2x2x16xf32>) -> (tensor<2x2x16xi8>, tensor<2x2xf32>)
  %kc2 = edge.DynamicUpdateSlice %kc, %codes, %start3 : (tensor<2x8x16xi8>, tensor<2x2x16xi8>, tensor<3xi64>) -> tensor<2x8x16xi8>
  %ks2 = edge.DynamicUpdateSlice %ks, %scales, %start2 : (tensor<2x8xf32>, tensor<2x2xf32>, tensor<2xi64>) -> tensor<2x8xf32>
  // CHECK: edge.KVCacheAttention %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} scales %{{.+}}, %{{.+}} {scale = 2.500000e-01 : f32} : (tensor<2x4x16xf32>, tensor<2x8x16xi8>, tensor<2x8x16xi8>, tensor<1xi64>, tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x4x16xf32>
  %0 = edge.KVCacheAttention %q, %kc2, %kc2, %pos scales %ks2, %ks2 {scale = 0.25 : f32} : (tensor<2x4x16xf32>, tensor<2x8x16xi8>, tensor<2x8x16xi8>, tensor<1xi64>, tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x4x16xf32>
  return %0 : tensor<2x4x16xf32>
}
