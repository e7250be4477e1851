// RUN: edgec-opt %s -split-input-file -verify-diagnostics
//
// One case per error path of the decoder-LM ops' verifiers (dialects/edge/lib/LlmOps.cpp)
// and of their ODS operand constraints (EdgeLlmOps.td): what the kernels rely on is
// refused in the IR, so a package built from verified IR needs no checks at run time.

//===----------------------------------------------------------------------===//
// RMSNormalization
//===----------------------------------------------------------------------===//

func.func @rms_rank0(%x: tensor<f32>, %g: tensor<1xf32>) -> tensor<f32> {
  // expected-error @+1 {{'edge.RMSNormalization' op input must have rank >= 1}}
  %0 = edge.RMSNormalization %x, %g {axis = 0 : i64, epsilon = 1.0e-5 : f32} : (tensor<f32>, tensor<1xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @rms_axis(%x: tensor<3x64xf32>, %g: tensor<3xf32>) -> tensor<3x64xf32> {
  // expected-error @+1 {{only the last axis is supported, got axis 0 for rank 2}}
  %0 = edge.RMSNormalization %x, %g {axis = 0 : i64, epsilon = 1.0e-5 : f32} : (tensor<3x64xf32>, tensor<3xf32>) -> tensor<3x64xf32>
  return %0 : tensor<3x64xf32>
}

// -----

func.func @rms_f16(%x: tensor<3x64xf16>, %g: tensor<64xf16>) -> tensor<3x64xf16> {
  // expected-error @+1 {{input, scale and result must be f32}}
  %0 = edge.RMSNormalization %x, %g {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<3x64xf16>, tensor<64xf16>) -> tensor<3x64xf16>
  return %0 : tensor<3x64xf16>
}

// -----

func.func @rms_scale_shape(%x: tensor<3x64xf32>, %g: tensor<32xf32>) -> tensor<3x64xf32> {
  // expected-error @+1 {{scale must be [64], got [32]}}
  %0 = edge.RMSNormalization %x, %g {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<3x64xf32>, tensor<32xf32>) -> tensor<3x64xf32>
  return %0 : tensor<3x64xf32>
}

// -----

func.func @rms_result_shape(%x: tensor<3x64xf32>, %g: tensor<64xf32>) -> tensor<1x64xf32> {
  // expected-error @+1 {{result shape must equal the input's [3,64]}}
  %0 = edge.RMSNormalization %x, %g {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<3x64xf32>, tensor<64xf32>) -> tensor<1x64xf32>
  return %0 : tensor<1x64xf32>
}

// -----

// Blocks are weights, never activations.
func.func @rms_block_input(%x: tensor<3x64x!edge.block<"q8_0">>, %g: tensor<64xf32>) -> tensor<3x64xf32> {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of floating-point values}}
  %0 = edge.RMSNormalization %x, %g {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<3x64x!edge.block<"q8_0">>, tensor<64xf32>) -> tensor<3x64xf32>
  return %0 : tensor<3x64xf32>
}

//===----------------------------------------------------------------------===//
// RotaryEmbedding
//===----------------------------------------------------------------------===//

// -----

func.func @rope_rank(%x: tensor<3x64xf32>, %c: tensor<10x8xf32>, %ids: tensor<1x3xi64>) -> tensor<3x64xf32> {
  // expected-error @+1 {{input must be [B, S, num_heads * D], got [3,64]}}
  %0 = edge.RotaryEmbedding %x, %c, %c, %ids {interleaved = 1 : i64, num_heads = 4 : i64} : (tensor<3x64xf32>, tensor<10x8xf32>, tensor<10x8xf32>, tensor<1x3xi64>) -> tensor<3x64xf32>
  return %0 : tensor<3x64xf32>
}

// -----

func.func @rope_f16_cache(%x: tensor<1x3x64xf32>, %c: tensor<10x8xf16>, %ids: tensor<1x3xi64>) -> tensor<1x3x64xf32> {
  // expected-error @+1 {{input, caches and result must be f32}}
  %0 = edge.RotaryEmbedding %x, %c, %c, %ids {interleaved = 1 : i64, num_heads = 4 : i64} : (tensor<1x3x64xf32>, tensor<10x8xf16>, tensor<10x8xf16>, tensor<1x3xi64>) -> tensor<1x3x64xf32>
  return %0 : tensor<1x3x64xf32>
}

// -----

func.func @rope_heads_divide(%x: tensor<1x3x64xf32>, %c: tensor<10x8xf32>, %ids: tensor<1x3xi64>) -> tensor<1x3x64xf32> {
  // expected-error @+1 {{num_heads 3 does not divide 64}}
  %0 = edge.RotaryEmbedding %x, %c, %c, %ids {interleaved = 1 : i64, num_heads = 3 : i64} : (tensor<1x3x64xf32>, tensor<10x8xf32>, tensor<10x8xf32>, tensor<1x3xi64>) -> tensor<1x3x64xf32>
  return %0 : tensor<1x3x64xf32>
}

// -----

// No division by zero heads.
func.func @rope_heads_zero(%x: tensor<1x3x64xf32>, %c: tensor<10x8xf32>, %ids: tensor<1x3xi64>) -> tensor<1x3x64xf32> {
  // expected-error @+1 {{num_heads 0 does not divide 64}}
  %0 = edge.RotaryEmbedding %x, %c, %c, %ids {interleaved = 1 : i64, num_heads = 0 : i64} : (tensor<1x3x64xf32>, tensor<10x8xf32>, tensor<10x8xf32>, tensor<1x3xi64>) -> tensor<1x3x64xf32>
  return %0 : tensor<1x3x64xf32>
}

// -----

func.func @rope_odd_head(%x: tensor<1x3x12xf32>, %c: tensor<10x1xf32>, %ids: tensor<1x3xi64>) -> tensor<1x3x12xf32> {
  // expected-error @+1 {{head size 3 must be even}}
  %0 = edge.RotaryEmbedding %x, %c, %c, %ids {interleaved = 1 : i64, num_heads = 4 : i64} : (tensor<1x3x12xf32>, tensor<10x1xf32>, tensor<10x1xf32>, tensor<1x3xi64>) -> tensor<1x3x12xf32>
  return %0 : tensor<1x3x12xf32>
}

// -----

func.func @rope_partial_too_wide(%x: tensor<1x3x64xf32>, %c: tensor<10x8xf32>, %ids: tensor<1x3xi64>) -> tensor<1x3x64xf32> {
  // expected-error @+1 {{rotary_embedding_dim must be 0 or even and at most the head size 16, got 18}}
  %0 = edge.RotaryEmbedding %x, %c, %c, %ids {interleaved = 1 : i64, num_heads = 4 : i64, rotary_embedding_dim = 18 : i64} : (tensor<1x3x64xf32>, tensor<10x8xf32>, tensor<10x8xf32>, tensor<1x3xi64>) -> tensor<1x3x64xf32>
  return %0 : tensor<1x3x64xf32>
}

// -----

func.func @rope_partial_odd(%x: tensor<1x3x64xf32>, %c: tensor<10x8xf32>, %ids: tensor<1x3xi64>) -> tensor<1x3x64xf32> {
  // expected-error @+1 {{rotary_embedding_dim must be 0 or even and at most the head size 16, got 7}}
  %0 = edge.RotaryEmbedding %x, %c, %c, %ids {interleaved = 0 : i64, num_heads = 4 : i64, rotary_embedding_dim = 7 : i64} : (tensor<1x3x64xf32>, tensor<10x8xf32>, tensor<10x8xf32>, tensor<1x3xi64>) -> tensor<1x3x64xf32>
  return %0 : tensor<1x3x64xf32>
}

// -----

// A partial rotation's tables hold R/2 frequencies, not D/2.
func.func @rope_partial_table(%x: tensor<1x3x64xf32>, %c: tensor<10x8xf32>, %ids: tensor<1x3xi64>) -> tensor<1x3x64xf32> {
  // expected-error @+1 {{cos_cache and sin_cache must both be [P, 6], got [10,8] and [10,8]}}
  %0 = edge.RotaryEmbedding %x, %c, %c, %ids {interleaved = 0 : i64, num_heads = 4 : i64, rotary_embedding_dim = 12 : i64} : (tensor<1x3x64xf32>, tensor<10x8xf32>, tensor<10x8xf32>, tensor<1x3xi64>) -> tensor<1x3x64xf32>
  return %0 : tensor<1x3x64xf32>
}

// -----

func.func @rope_interleaved(%x: tensor<1x3x64xf32>, %c: tensor<10x8xf32>, %ids: tensor<1x3xi64>) -> tensor<1x3x64xf32> {
  // expected-error @+1 {{interleaved must be 0 or 1, got 2}}
  %0 = edge.RotaryEmbedding %x, %c, %c, %ids {interleaved = 2 : i64, num_heads = 4 : i64} : (tensor<1x3x64xf32>, tensor<10x8xf32>, tensor<10x8xf32>, tensor<1x3xi64>) -> tensor<1x3x64xf32>
  return %0 : tensor<1x3x64xf32>
}

// -----

// The tables are [P, D/2]: one angle per pair, not per element.
func.func @rope_table_width(%x: tensor<1x3x64xf32>, %c: tensor<10x16xf32>, %ids: tensor<1x3xi64>) -> tensor<1x3x64xf32> {
  // expected-error @+1 {{cos_cache and sin_cache must both be [P, 8], got [10,16] and [10,16]}}
  %0 = edge.RotaryEmbedding %x, %c, %c, %ids {interleaved = 1 : i64, num_heads = 4 : i64} : (tensor<1x3x64xf32>, tensor<10x16xf32>, tensor<10x16xf32>, tensor<1x3xi64>) -> tensor<1x3x64xf32>
  return %0 : tensor<1x3x64xf32>
}

// -----

func.func @rope_tables_differ(%x: tensor<1x3x64xf32>, %c: tensor<10x8xf32>, %s: tensor<9x8xf32>, %ids: tensor<1x3xi64>) -> tensor<1x3x64xf32> {
  // expected-error @+1 {{cos_cache and sin_cache must both be [P, 8], got [10,8] and [9,8]}}
  %0 = edge.RotaryEmbedding %x, %c, %s, %ids {interleaved = 0 : i64, num_heads = 4 : i64} : (tensor<1x3x64xf32>, tensor<10x8xf32>, tensor<9x8xf32>, tensor<1x3xi64>) -> tensor<1x3x64xf32>
  return %0 : tensor<1x3x64xf32>
}

// -----

func.func @rope_table_rank(%x: tensor<1x3x64xf32>, %c: tensor<80xf32>, %ids: tensor<1x3xi64>) -> tensor<1x3x64xf32> {
  // expected-error @+1 {{cos_cache and sin_cache must both be [P, 8], got [80] and [80]}}
  %0 = edge.RotaryEmbedding %x, %c, %c, %ids {interleaved = 0 : i64, num_heads = 4 : i64} : (tensor<1x3x64xf32>, tensor<80xf32>, tensor<80xf32>, tensor<1x3xi64>) -> tensor<1x3x64xf32>
  return %0 : tensor<1x3x64xf32>
}

// -----

func.func @rope_position_ids(%x: tensor<1x3x64xf32>, %c: tensor<10x8xf32>, %ids: tensor<3xi64>) -> tensor<1x3x64xf32> {
  // expected-error @+1 {{position_ids must be [1,3], got [3]}}
  %0 = edge.RotaryEmbedding %x, %c, %c, %ids {interleaved = 1 : i64, num_heads = 4 : i64} : (tensor<1x3x64xf32>, tensor<10x8xf32>, tensor<10x8xf32>, tensor<3xi64>) -> tensor<1x3x64xf32>
  return %0 : tensor<1x3x64xf32>
}

// -----

func.func @rope_position_type(%x: tensor<1x3x64xf32>, %c: tensor<10x8xf32>, %ids: tensor<1x3xi32>) -> tensor<1x3x64xf32> {
  // expected-error @+1 {{operand #3 must be statically shaped tensor of 64-bit signless integer values}}
  %0 = edge.RotaryEmbedding %x, %c, %c, %ids {interleaved = 1 : i64, num_heads = 4 : i64} : (tensor<1x3x64xf32>, tensor<10x8xf32>, tensor<10x8xf32>, tensor<1x3xi32>) -> tensor<1x3x64xf32>
  return %0 : tensor<1x3x64xf32>
}

// -----

func.func @rope_result_shape(%x: tensor<1x3x64xf32>, %c: tensor<10x8xf32>, %ids: tensor<1x3xi64>) -> tensor<3x64xf32> {
  // expected-error @+1 {{result shape must equal the input's [1,3,64]}}
  %0 = edge.RotaryEmbedding %x, %c, %c, %ids {interleaved = 1 : i64, num_heads = 4 : i64} : (tensor<1x3x64xf32>, tensor<10x8xf32>, tensor<10x8xf32>, tensor<1x3xi64>) -> tensor<3x64xf32>
  return %0 : tensor<3x64xf32>
}

//===----------------------------------------------------------------------===//
// KVCacheAttention
//===----------------------------------------------------------------------===//

// -----

func.func @attn_query_rank(%q: tensor<3x64xf32>, %k: tensor<2x8x16xf16>, %pos: tensor<1xi64>) -> tensor<3x64xf32> {
  // expected-error @+1 {{query must be [S, Hq, D], got [3,64]}}
  %0 = edge.KVCacheAttention %q, %k, %k, %pos {scale = 0.25 : f32} : (tensor<3x64xf32>, tensor<2x8x16xf16>, tensor<2x8x16xf16>, tensor<1xi64>) -> tensor<3x64xf32>
  return %0 : tensor<3x64xf32>
}

// -----

func.func @attn_cache_rank(%q: tensor<3x4x16xf32>, %k: tensor<8x32xf16>, %pos: tensor<1xi64>) -> tensor<3x4x16xf32> {
  // expected-error @+1 {{key and value caches must both be [Hkv, C, D], got [8,32] and [8,32]}}
  %0 = edge.KVCacheAttention %q, %k, %k, %pos {scale = 0.25 : f32} : (tensor<3x4x16xf32>, tensor<8x32xf16>, tensor<8x32xf16>, tensor<1xi64>) -> tensor<3x4x16xf32>
  return %0 : tensor<3x4x16xf32>
}

// -----

func.func @attn_caches_differ(%q: tensor<3x4x16xf32>, %k: tensor<2x8x16xf16>, %v: tensor<2x9x16xf16>, %pos: tensor<1xi64>) -> tensor<3x4x16xf32> {
  // expected-error @+1 {{key and value caches must both be [Hkv, C, D], got [2,8,16] and [2,9,16]}}
  %0 = edge.KVCacheAttention %q, %k, %v, %pos {scale = 0.25 : f32} : (tensor<3x4x16xf32>, tensor<2x8x16xf16>, tensor<2x9x16xf16>, tensor<1xi64>) -> tensor<3x4x16xf32>
  return %0 : tensor<3x4x16xf32>
}

// -----

func.func @attn_f16_query(%q: tensor<3x4x16xf16>, %k: tensor<2x8x16xf16>, %pos: tensor<1xi64>) -> tensor<3x4x16xf16> {
  // expected-error @+1 {{query and result must be f32}}
  %0 = edge.KVCacheAttention %q, %k, %k, %pos {scale = 0.25 : f32} : (tensor<3x4x16xf16>, tensor<2x8x16xf16>, tensor<2x8x16xf16>, tensor<1xi64>) -> tensor<3x4x16xf16>
  return %0 : tensor<3x4x16xf16>
}

// -----

func.func @attn_mixed_caches(%q: tensor<3x4x16xf32>, %k: tensor<2x8x16xf16>, %v: tensor<2x8x16xf32>, %pos: tensor<1xi64>) -> tensor<3x4x16xf32> {
  // expected-error @+1 {{caches must both be f16, both f32 or both i8}}
  %0 = edge.KVCacheAttention %q, %k, %v, %pos {scale = 0.25 : f32} : (tensor<3x4x16xf32>, tensor<2x8x16xf16>, tensor<2x8x16xf32>, tensor<1xi64>) -> tensor<3x4x16xf32>
  return %0 : tensor<3x4x16xf32>
}

// -----

func.func @attn_bf16_caches(%q: tensor<3x4x16xf32>, %k: tensor<2x8x16xbf16>, %pos: tensor<1xi64>) -> tensor<3x4x16xf32> {
  // expected-error @+1 {{operand #1 must be statically shaped tensor of 16-bit float or 32-bit float or 8-bit signless integer values}}
  %0 = edge.KVCacheAttention %q, %k, %k, %pos {scale = 0.25 : f32} : (tensor<3x4x16xf32>, tensor<2x8x16xbf16>, tensor<2x8x16xbf16>, tensor<1xi64>) -> tensor<3x4x16xf32>
  return %0 : tensor<3x4x16xf32>
}

// -----

func.func @attn_head_size(%q: tensor<3x4x8xf32>, %k: tensor<2x8x16xf16>, %pos: tensor<1xi64>) -> tensor<3x4x8xf32> {
  // expected-error @+1 {{query head size 8 differs from the cache's 16}}
  %0 = edge.KVCacheAttention %q, %k, %k, %pos {scale = 0.25 : f32} : (tensor<3x4x8xf32>, tensor<2x8x16xf16>, tensor<2x8x16xf16>, tensor<1xi64>) -> tensor<3x4x8xf32>
  return %0 : tensor<3x4x8xf32>
}

// -----

func.func @attn_groups(%q: tensor<3x3x16xf32>, %k: tensor<2x8x16xf16>, %pos: tensor<1xi64>) -> tensor<3x3x16xf32> {
  // expected-error @+1 {{query heads 3 must be a multiple of the cache's 2}}
  %0 = edge.KVCacheAttention %q, %k, %k, %pos {scale = 0.25 : f32} : (tensor<3x3x16xf32>, tensor<2x8x16xf16>, tensor<2x8x16xf16>, tensor<1xi64>) -> tensor<3x3x16xf32>
  return %0 : tensor<3x3x16xf32>
}

// -----

// No division by a cache of zero heads.
func.func @attn_zero_kv_heads(%q: tensor<3x4x16xf32>, %k: tensor<0x8x16xf16>, %pos: tensor<1xi64>) -> tensor<3x4x16xf32> {
  // expected-error @+1 {{query heads 4 must be a multiple of the cache's 0}}
  %0 = edge.KVCacheAttention %q, %k, %k, %pos {scale = 0.25 : f32} : (tensor<3x4x16xf32>, tensor<0x8x16xf16>, tensor<0x8x16xf16>, tensor<1xi64>) -> tensor<3x4x16xf32>
  return %0 : tensor<3x4x16xf32>
}

// -----

func.func @attn_pos_shape(%q: tensor<3x4x16xf32>, %k: tensor<2x8x16xf16>, %pos: tensor<3xi64>) -> tensor<3x4x16xf32> {
  // expected-error @+1 {{pos must be i64 [1]}}
  %0 = edge.KVCacheAttention %q, %k, %k, %pos {scale = 0.25 : f32} : (tensor<3x4x16xf32>, tensor<2x8x16xf16>, tensor<2x8x16xf16>, tensor<3xi64>) -> tensor<3x4x16xf32>
  return %0 : tensor<3x4x16xf32>
}

// -----

func.func @attn_pos_type(%q: tensor<3x4x16xf32>, %k: tensor<2x8x16xf16>, %pos: tensor<1xi32>) -> tensor<3x4x16xf32> {
  // expected-error @+1 {{operand #3 must be statically shaped tensor of 64-bit signless integer values}}
  %0 = edge.KVCacheAttention %q, %k, %k, %pos {scale = 0.25 : f32} : (tensor<3x4x16xf32>, tensor<2x8x16xf16>, tensor<2x8x16xf16>, tensor<1xi32>) -> tensor<3x4x16xf32>
  return %0 : tensor<3x4x16xf32>
}

// -----

func.func @attn_cache_too_short(%q: tensor<4x4x16xf32>, %k: tensor<2x3x16xf16>, %pos: tensor<1xi64>) -> tensor<4x4x16xf32> {
  // expected-error @+1 {{4 queries do not fit a cache of 3 rows}}
  %0 = edge.KVCacheAttention %q, %k, %k, %pos {scale = 0.25 : f32} : (tensor<4x4x16xf32>, tensor<2x3x16xf16>, tensor<2x3x16xf16>, tensor<1xi64>) -> tensor<4x4x16xf32>
  return %0 : tensor<4x4x16xf32>
}

// -----

func.func @attn_result_shape(%q: tensor<3x4x16xf32>, %k: tensor<2x8x16xf16>, %pos: tensor<1xi64>) -> tensor<3x64xf32> {
  // expected-error @+1 {{result shape must equal the query's [3,4,16]}}
  %0 = edge.KVCacheAttention %q, %k, %k, %pos {scale = 0.25 : f32} : (tensor<3x4x16xf32>, tensor<2x8x16xf16>, tensor<2x8x16xf16>, tensor<1xi64>) -> tensor<3x64xf32>
  return %0 : tensor<3x64xf32>
}

// -----

// The cache is f16, f32 or i8, never GGUF blocks.
func.func @attn_block_cache(%q: tensor<3x4x32xf32>, %k: tensor<2x8x32x!edge.block<"q8_0">>, %pos: tensor<1xi64>) -> tensor<3x4x32xf32> {
  // expected-error @+1 {{operand #1 must be statically shaped tensor of 16-bit float or 32-bit float or 8-bit signless integer values}}
  %0 = edge.KVCacheAttention %q, %k, %k, %pos {scale = 0.25 : f32} : (tensor<3x4x32xf32>, tensor<2x8x32x!edge.block<"q8_0">>, tensor<2x8x32x!edge.block<"q8_0">>, tensor<1xi64>) -> tensor<3x4x32xf32>
  return %0 : tensor<3x4x32xf32>
}

// -----

// A sliding window counts positions: 0 is none, a negative count is refused.
func.func @attn_negative_window(%q: tensor<3x4x16xf32>, %k: tensor<2x8x16xf16>, %pos: tensor<1xi64>) -> tensor<3x4x16xf32> {
  // expected-error @+1 {{window must be 0 (no window) or a count of positions > 0, got -1}}
  %0 = edge.KVCacheAttention %q, %k, %k, %pos {scale = 0.25 : f32, window = -1 : i64} : (tensor<3x4x16xf32>, tensor<2x8x16xf16>, tensor<2x8x16xf16>, tensor<1xi64>) -> tensor<3x4x16xf32>
  return %0 : tensor<3x4x16xf32>
}

// -----

// A soft cap is 0 (none) or a finite positive cap.
func.func @attn_negative_softcap(%q: tensor<3x4x16xf32>, %k: tensor<2x8x16xf16>, %pos: tensor<1xi64>) -> tensor<3x4x16xf32> {
  // expected-error @+1 {{softcap must be 0 (none) or a finite cap > 0, got -5}}
  %0 = edge.KVCacheAttention %q, %k, %k, %pos {scale = 0.25 : f32, softcap = -5.0 : f32} : (tensor<3x4x16xf32>, tensor<2x8x16xf16>, tensor<2x8x16xf16>, tensor<1xi64>) -> tensor<3x4x16xf32>
  return %0 : tensor<3x4x16xf32>
}

// -----

// A mirrored ring needs a window, caches of 2R rows, and room for a call's window.
func.func @attn_ring_without_window(%q: tensor<3x4x16xf32>, %k: tensor<2x8x16xf16>, %pos: tensor<1xi64>) -> tensor<3x4x16xf32> {
  // expected-error @+1 {{a ring cache needs a window}}
  %0 = edge.KVCacheAttention %q, %k, %k, %pos {scale = 0.25 : f32, ring = 4 : i64} : (tensor<3x4x16xf32>, tensor<2x8x16xf16>, tensor<2x8x16xf16>, tensor<1xi64>) -> tensor<3x4x16xf32>
  return %0 : tensor<3x4x16xf32>
}

// -----

func.func @attn_ring_rows(%q: tensor<1x4x16xf32>, %k: tensor<2x8x16xf16>, %pos: tensor<1xi64>) -> tensor<1x4x16xf32> {
  // expected-error @+1 {{a ring of 5 rows is a cache of 10 rows, got 8}}
  %0 = edge.KVCacheAttention %q, %k, %k, %pos {scale = 0.25 : f32, window = 2 : i64, ring = 5 : i64} : (tensor<1x4x16xf32>, tensor<2x8x16xf16>, tensor<2x8x16xf16>, tensor<1xi64>) -> tensor<1x4x16xf32>
  return %0 : tensor<1x4x16xf32>
}

// -----

func.func @attn_ring_too_small(%q: tensor<3x4x16xf32>, %k: tensor<2x8x16xf16>, %pos: tensor<1xi64>) -> tensor<3x4x16xf32> {
  // expected-error @+1 {{a ring of 4 rows cannot hold 3 queries' window of 3 (needs S + window - 1 <= ring)}}
  %0 = edge.KVCacheAttention %q, %k, %k, %pos {scale = 0.25 : f32, window = 3 : i64, ring = 4 : i64} : (tensor<3x4x16xf32>, tensor<2x8x16xf16>, tensor<2x8x16xf16>, tensor<1xi64>) -> tensor<3x4x16xf32>
  return %0 : tensor<3x4x16xf32>
}

// -----

func.func @ring_write_rows(%k: tensor<2x8x16xf16>, %rows: tensor<2x5x16xf16>, %pos: tensor<1xi64>) -> tensor<2x8x16xf16> {
  // expected-error @+1 {{5 rows do not fit a ring of 4}}
  %0 = edge.KVCacheRingWrite %k, %rows, %pos {ring = 4 : i64} : (tensor<2x8x16xf16>, tensor<2x5x16xf16>, tensor<1xi64>) -> tensor<2x8x16xf16>
  return %0 : tensor<2x8x16xf16>
}

// -----

func.func @ring_write_heads(%k: tensor<2x8x16xf16>, %rows: tensor<1x2x16xf16>, %pos: tensor<1xi64>) -> tensor<2x8x16xf16> {
  // expected-error @+1 {{rows [1,2,16] do not match a cache [2,8,16] ([H, S, ...] against [H, 2R, ...])}}
  %0 = edge.KVCacheRingWrite %k, %rows, %pos {ring = 4 : i64} : (tensor<2x8x16xf16>, tensor<1x2x16xf16>, tensor<1xi64>) -> tensor<2x8x16xf16>
  return %0 : tensor<2x8x16xf16>
}

// -----

func.func @ring_write_size(%k: tensor<2x9x16xf16>, %rows: tensor<2x2x16xf16>, %pos: tensor<1xi64>) -> tensor<2x9x16xf16> {
  // expected-error @+1 {{a ring of 4 rows is a cache of 8 rows, got 9}}
  %0 = edge.KVCacheRingWrite %k, %rows, %pos {ring = 4 : i64} : (tensor<2x9x16xf16>, tensor<2x2x16xf16>, tensor<1xi64>) -> tensor<2x9x16xf16>
  return %0 : tensor<2x9x16xf16>
}

//===----------------------------------------------------------------------===//
// GgufMatMul
//===----------------------------------------------------------------------===//

// -----

func.func @matmul_rank0(%x: tensor<f32>, %w: tensor<16x32xf16>) -> tensor<f32> {
  // expected-error @+1 {{'edge.GgufMatMul' op input must have rank >= 1}}
  %0 = edge.GgufMatMul %x, %w : (tensor<f32>, tensor<16x32xf16>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @matmul_weight_rank(%x: tensor<3x32xf32>) -> tensor<3x16xf32> {
  %w = edge.constant dense_resource<w> : tensor<16x1x32x!edge.block<"q8_0">>
  // expected-error @+1 {{weight must be [N, K], got [16,1,32]}}
  %0 = edge.GgufMatMul %x, %w : (tensor<3x32xf32>, tensor<16x1x32x!edge.block<"q8_0">>) -> tensor<3x16xf32>
  return %0 : tensor<3x16xf32>
}

// -----

func.func @matmul_f16_input(%x: tensor<3x32xf16>, %w: tensor<16x32xf16>) -> tensor<3x16xf16> {
  // expected-error @+1 {{input and result must be f32}}
  %0 = edge.GgufMatMul %x, %w : (tensor<3x32xf16>, tensor<16x32xf16>) -> tensor<3x16xf16>
  return %0 : tensor<3x16xf16>
}

// -----

func.func @matmul_k(%x: tensor<3x32xf32>) -> tensor<3x16xf32> {
  %w = edge.constant dense_resource<w> : tensor<16x64x!edge.block<"q4_0">>
  // expected-error @+1 {{weight rows have 64 elements, the input 32}}
  %0 = edge.GgufMatMul %x, %w : (tensor<3x32xf32>, tensor<16x64x!edge.block<"q4_0">>) -> tensor<3x16xf32>
  return %0 : tensor<3x16xf32>
}

// -----

func.func @matmul_bias_shape(%x: tensor<3x32xf32>, %w: tensor<16x32xbf16>, %b: tensor<32xf32>) -> tensor<3x16xf32> {
  // expected-error @+1 {{bias must be f32 [16]}}
  %0 = edge.GgufMatMul %x, %w, %b : (tensor<3x32xf32>, tensor<16x32xbf16>, tensor<32xf32>) -> tensor<3x16xf32>
  return %0 : tensor<3x16xf32>
}

// -----

func.func @matmul_bias_f16(%x: tensor<3x32xf32>, %w: tensor<16x32xf16>, %b: tensor<16xf16>) -> tensor<3x16xf32> {
  // expected-error @+1 {{bias must be f32 [16]}}
  %0 = edge.GgufMatMul %x, %w, %b : (tensor<3x32xf32>, tensor<16x32xf16>, tensor<16xf16>) -> tensor<3x16xf32>
  return %0 : tensor<3x16xf32>
}

// -----

func.func @matmul_result_shape(%x: tensor<1x3x32xf32>, %w: tensor<16x32xf32>) -> tensor<3x16xf32> {
  // expected-error @+1 {{result must be [1,3,16]}}
  %0 = edge.GgufMatMul %x, %w : (tensor<1x3x32xf32>, tensor<16x32xf32>) -> tensor<3x16xf32>
  return %0 : tensor<3x16xf32>
}

// -----

// The weight is as GGUF stores it: f32, f16, bf16 or blocks, not int8 codes or
// !quant.uniform values.
func.func @matmul_int8_weight(%x: tensor<3x32xf32>, %w: tensor<16x32xi8>) -> tensor<3x16xf32> {
  // expected-error @+1 {{operand #1 must be statically shaped tensor of 32-bit float or 16-bit float or bfloat16 type or Opaque GGUF block element type (q4_0, q8_0, q4_k, ...) values}}
  %0 = edge.GgufMatMul %x, %w : (tensor<3x32xf32>, tensor<16x32xi8>) -> tensor<3x16xf32>
  return %0 : tensor<3x16xf32>
}

// -----

func.func @matmul_quant_weight(%x: tensor<3x2xf32>, %w: tensor<16x2x!quant.uniform<i8:f32, 0.1>>) -> tensor<3x16xf32> {
  // expected-error @+1 {{operand #1 must be statically shaped tensor of 32-bit float or 16-bit float or bfloat16 type or Opaque GGUF block element type (q4_0, q8_0, q4_k, ...) values}}
  %0 = edge.GgufMatMul %x, %w : (tensor<3x2xf32>, tensor<16x2x!quant.uniform<i8:f32, 0.1>>) -> tensor<3x16xf32>
  return %0 : tensor<3x16xf32>
}

// -----

// Activations are never blocks (the kernel quantizes them itself).
func.func @matmul_block_input(%x: tensor<3x32x!edge.block<"q8_0">>, %w: tensor<16x32xf32>) -> tensor<3x16xf32> {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of floating-point values}}
  %0 = edge.GgufMatMul %x, %w : (tensor<3x32x!edge.block<"q8_0">>, tensor<16x32xf32>) -> tensor<3x16xf32>
  return %0 : tensor<3x16xf32>
}

// -----

// A block-typed weight holds whole blocks along K (the generic check of every edge op).
func.func @matmul_partial_block(%x: tensor<3x40xf32>, %w: tensor<16x40x!edge.block<"q4_0">>) -> tensor<3x16xf32> {
  // expected-error @+1 {{q4_0 stores whole blocks of 32 elements, but the innermost dimension is 40}}
  %0 = edge.GgufMatMul %x, %w : (tensor<3x40xf32>, tensor<16x40x!edge.block<"q4_0">>) -> tensor<3x16xf32>
  return %0 : tensor<3x16xf32>
}

//===----------------------------------------------------------------------===//
// GgufMatMulId
//===----------------------------------------------------------------------===//

// -----

func.func @matmul_id_weight_rank(%x: tensor<3x64xf32>, %w: tensor<16x64xf32>, %ids: tensor<3x2xi32>) -> tensor<3x2x16xf32> {
  // expected-error @+1 {{weight must be [E, N, K], got [16,64]}}
  %0 = edge.GgufMatMulId %x, %w, %ids : (tensor<3x64xf32>, tensor<16x64xf32>, tensor<3x2xi32>) -> tensor<3x2x16xf32>
  return %0 : tensor<3x2x16xf32>
}

// -----

func.func @matmul_id_tokens(%x: tensor<4x64xf32>, %w: tensor<4x16x64xf16>, %ids: tensor<3x2xi32>) -> tensor<3x2x16xf32> {
  // expected-error @+1 {{input must be [T, K] or [T, S, K] with ids [T, S] = [3,2], got [4,64]}}
  %0 = edge.GgufMatMulId %x, %w, %ids : (tensor<4x64xf32>, tensor<4x16x64xf16>, tensor<3x2xi32>) -> tensor<3x2x16xf32>
  return %0 : tensor<3x2x16xf32>
}

// -----

func.func @matmul_id_slots(%x: tensor<3x1x64xf32>, %w: tensor<4x16x64xf16>, %ids: tensor<3x2xi32>) -> tensor<3x2x16xf32> {
  // expected-error @+1 {{input must be [T, K] or [T, S, K] with ids [T, S] = [3,2], got [3,1,64]}}
  %0 = edge.GgufMatMulId %x, %w, %ids : (tensor<3x1x64xf32>, tensor<4x16x64xf16>, tensor<3x2xi32>) -> tensor<3x2x16xf32>
  return %0 : tensor<3x2x16xf32>
}

// -----

func.func @matmul_id_k(%x: tensor<3x32xf32>, %w: tensor<4x16x64xf16>, %ids: tensor<3x2xi32>) -> tensor<3x2x16xf32> {
  // expected-error @+1 {{weight rows have 64 elements, the input 32}}
  %0 = edge.GgufMatMulId %x, %w, %ids : (tensor<3x32xf32>, tensor<4x16x64xf16>, tensor<3x2xi32>) -> tensor<3x2x16xf32>
  return %0 : tensor<3x2x16xf32>
}

// -----

func.func @matmul_id_result(%x: tensor<3x64xf32>, %w: tensor<4x16x64xf16>, %ids: tensor<3x2xi32>) -> tensor<3x16xf32> {
  // expected-error @+1 {{result must be [3,2,16]}}
  %0 = edge.GgufMatMulId %x, %w, %ids : (tensor<3x64xf32>, tensor<4x16x64xf16>, tensor<3x2xi32>) -> tensor<3x16xf32>
  return %0 : tensor<3x16xf32>
}

// -----

func.func @matmul_id_ids_rank(%x: tensor<3x64xf32>, %w: tensor<4x16x64xf16>, %ids: tensor<6xi32>) -> tensor<3x2x16xf32> {
  // expected-error @+1 {{ids must be [T, S], got [6]}}
  %0 = edge.GgufMatMulId %x, %w, %ids : (tensor<3x64xf32>, tensor<4x16x64xf16>, tensor<6xi32>) -> tensor<3x2x16xf32>
  return %0 : tensor<3x2x16xf32>
}

//===----------------------------------------------------------------------===//
// GatherDequantize
//===----------------------------------------------------------------------===//

// -----

func.func @gather_data_rank(%ids: tensor<5xi32>) -> tensor<5x256xf32> {
  %t = edge.constant dense_resource<t> : tensor<2x10x256x!edge.block<"q6_k">>
  // expected-error @+1 {{data must be [V, E], got [2,10,256]}}
  %0 = edge.GatherDequantize %t, %ids : (tensor<2x10x256x!edge.block<"q6_k">>, tensor<5xi32>) -> tensor<5x256xf32>
  return %0 : tensor<5x256xf32>
}

// -----

func.func @gather_f16_result(%t: tensor<10x8xf16>, %ids: tensor<5xi32>) -> tensor<5x8xf16> {
  // expected-error @+1 {{result must be f32}}
  %0 = edge.GatherDequantize %t, %ids : (tensor<10x8xf16>, tensor<5xi32>) -> tensor<5x8xf16>
  return %0 : tensor<5x8xf16>
}

// -----

func.func @gather_result_shape(%ids: tensor<2x3xi64>) -> tensor<6x256xf32> {
  %t = edge.constant dense_resource<t> : tensor<10x256x!edge.block<"q6_k">>
  // expected-error @+1 {{result must be [2,3,256]}}
  %0 = edge.GatherDequantize %t, %ids : (tensor<10x256x!edge.block<"q6_k">>, tensor<2x3xi64>) -> tensor<6x256xf32>
  return %0 : tensor<6x256xf32>
}

// -----

func.func @gather_float_indices(%t: tensor<10x8xf32>, %ids: tensor<5xf32>) -> tensor<5x8xf32> {
  // expected-error @+1 {{operand #1 must be statically shaped tensor of 32-bit signless integer or 64-bit signless integer values}}
  %0 = edge.GatherDequantize %t, %ids : (tensor<10x8xf32>, tensor<5xf32>) -> tensor<5x8xf32>
  return %0 : tensor<5x8xf32>
}

// -----

func.func @gather_int8_table(%t: tensor<10x8xi8>, %ids: tensor<5xi32>) -> tensor<5x8xf32> {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of 32-bit float or 16-bit float or bfloat16 type or Opaque GGUF block element type (q4_0, q8_0, q4_k, ...) values}}
  %0 = edge.GatherDequantize %t, %ids : (tensor<10x8xi8>, tensor<5xi32>) -> tensor<5x8xf32>
  return %0 : tensor<5x8xf32>
}

//===----------------------------------------------------------------------===//
// Block-typed values stay out of the other ops
//===----------------------------------------------------------------------===//

// -----

func.func @add_blocks(%a: tensor<2x32x!edge.block<"q4_0">>) -> tensor<2x32x!edge.block<"q4_0">> {
  // expected-error @+1 {{'edge.Add' op operand #0 must be statically shaped tensor of any type but !edge.block values}}
  %0 = edge.Add %a, %a : (tensor<2x32x!edge.block<"q4_0">>, tensor<2x32x!edge.block<"q4_0">>) -> tensor<2x32x!edge.block<"q4_0">>
  return %0 : tensor<2x32x!edge.block<"q4_0">>
}

// -----

func.func @reshape_blocks(%a: tensor<2x256x!edge.block<"q6_k">>) -> tensor<512x!edge.block<"q6_k">> {
  // expected-error @+1 {{'edge.Reshape' op operand #0 must be statically shaped tensor of any type but !edge.block values}}
  %0 = edge.Reshape %a : (tensor<2x256x!edge.block<"q6_k">>) -> tensor<512x!edge.block<"q6_k">>
  return %0 : tensor<512x!edge.block<"q6_k">>
}

// -----

// A KV cache state cannot be declared in a block format.
// expected-error @+1 {{'edge.state' op attribute 'type' failed to satisfy constraint}}
edge.state @cache : tensor<2x8x32x!edge.block<"q8_0">>

// -----

// An i8 cache needs its scales, f32 [Hkv, C], one per cached row and head.
func.func @attn_i8_without_scales(%q: tensor<3x4x16xf32>, %k: tensor<2x8x16xi8>, %pos: tensor<1xi64>) -> tensor<3x4x16xf32> {
  // expected-error @+1 {{i8 caches need key and value scales, f32 [2,8]}}
  %0 = edge.KVCacheAttention %q, %k, %k, %pos {scale = 0.25 : f32} : (tensor<3x4x16xf32>, tensor<2x8x16xi8>, tensor<2x8x16xi8>, tensor<1xi64>) -> tensor<3x4x16xf32>
  return %0 : tensor<3x4x16xf32>
}

// -----

func.func @attn_i8_scales_shape(%q: tensor<3x4x16xf32>, %k: tensor<2x8x16xi8>, %pos: tensor<1xi64>, %s: tensor<8xf32>) -> tensor<3x4x16xf32> {
  // expected-error @+1 {{i8 caches need key and value scales, f32 [2,8]}}
  %0 = edge.KVCacheAttention %q, %k, %k, %pos scales %s, %s {scale = 0.25 : f32} : (tensor<3x4x16xf32>, tensor<2x8x16xi8>, tensor<2x8x16xi8>, tensor<1xi64>, tensor<8xf32>, tensor<8xf32>) -> tensor<3x4x16xf32>
  return %0 : tensor<3x4x16xf32>
}

// -----

func.func @attn_f16_with_scales(%q: tensor<3x4x16xf32>, %k: tensor<2x8x16xf16>, %pos: tensor<1xi64>, %s: tensor<2x8xf32>) -> tensor<3x4x16xf32> {
  // expected-error @+1 {{scales are only for i8 caches}}
  %0 = edge.KVCacheAttention %q, %k, %k, %pos scales %s, %s {scale = 0.25 : f32} : (tensor<3x4x16xf32>, tensor<2x8x16xf16>, tensor<2x8x16xf16>, tensor<1xi64>, tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<3x4x16xf32>
  return %0 : tensor<3x4x16xf32>
}

// -----

//===----------------------------------------------------------------------===//
// DynamicQuantizeRows
//===----------------------------------------------------------------------===//

func.func @quant_rows_scales(%x: tensor<3x2x16xf32>) -> tensor<3x2x16xi8> {
  // expected-error @+1 {{scales must be [3,2] (one per row)}}
  %0:2 = edge.DynamicQuantizeRows %x : (tensor<3x2x16xf32>) -> (tensor<3x2x16xi8>, tensor<3xf32>)
  return %0#0 : tensor<3x2x16xi8>
}

// -----

func.func @quant_rows_shape(%x: tensor<3x2x16xf32>) -> tensor<3x2x8xi8> {
  // expected-error @+1 {{result shape must equal the input's [3,2,16]}}
  %0:2 = edge.DynamicQuantizeRows %x : (tensor<3x2x16xf32>) -> (tensor<3x2x8xi8>, tensor<3x2xf32>)
  return %0#0 : tensor<3x2x8xi8>
}
