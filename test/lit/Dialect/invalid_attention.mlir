// RUN: edgec-opt %s -split-input-file -verify-diagnostics
//
// One case per error path of edge.ScaledDotProductAttention's verifier
// (dialects/edge/lib/FusedOps.cpp): what the kernels rely on is refused in the IR.

func.func @f16(%q: tensor<2x4x8xf16>, %k: tensor<2x5x8xf16>, %v: tensor<2x5x3xf16>) -> tensor<2x4x3xf16> {
  // expected-error @+1 {{query, key, value and result must be f32}}
  %0 = edge.ScaledDotProductAttention %q, %k, %v : (tensor<2x4x8xf16>, tensor<2x5x8xf16>, tensor<2x5x3xf16>) -> tensor<2x4x3xf16>
  return %0 : tensor<2x4x3xf16>
}

// -----

func.func @rank1(%q: tensor<8xf32>, %k: tensor<8xf32>, %v: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{query must be [B..., S, D], got [8]}}
  %0 = edge.ScaledDotProductAttention %q, %k, %v : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @batch(%q: tensor<2x4x8xf32>, %k: tensor<1x5x8xf32>, %v: tensor<2x5x3xf32>) -> tensor<2x4x3xf32> {
  // expected-error @+1 {{query, key and value must have the same batch dims}}
  %0 = edge.ScaledDotProductAttention %q, %k, %v : (tensor<2x4x8xf32>, tensor<1x5x8xf32>, tensor<2x5x3xf32>) -> tensor<2x4x3xf32>
  return %0 : tensor<2x4x3xf32>
}

// -----

func.func @head_size(%q: tensor<2x4x8xf32>, %k: tensor<2x5x8xf32>, %v: tensor<2x5x3xf32>) -> tensor<2x4x3xf32> {
  // expected-error @+1 {{key [2,5,8] ([B..., D, T]) has head size 5, the query 8}}
  %0 = edge.ScaledDotProductAttention %q, %k, %v {key_transposed = 1 : i64} : (tensor<2x4x8xf32>, tensor<2x5x8xf32>, tensor<2x5x3xf32>) -> tensor<2x4x3xf32>
  return %0 : tensor<2x4x3xf32>
}

// -----

func.func @value_rows(%q: tensor<2x4x8xf32>, %k: tensor<2x5x8xf32>, %v: tensor<2x6x3xf32>) -> tensor<2x4x3xf32> {
  // expected-error @+1 {{value [2,6,3] must have 5 rows (the key's T)}}
  %0 = edge.ScaledDotProductAttention %q, %k, %v : (tensor<2x4x8xf32>, tensor<2x5x8xf32>, tensor<2x6x3xf32>) -> tensor<2x4x3xf32>
  return %0 : tensor<2x4x3xf32>
}

// -----

func.func @mask(%q: tensor<2x4x8xf32>, %k: tensor<2x5x8xf32>, %v: tensor<2x5x3xf32>, %m: tensor<4x4xf32>) -> tensor<2x4x3xf32> {
  // expected-error @+1 {{mask [4,4] does not broadcast to the scores [2,4,5]}}
  %0 = edge.ScaledDotProductAttention %q, %k, %v mask %m : (tensor<2x4x8xf32>, tensor<2x5x8xf32>, tensor<2x5x3xf32>, tensor<4x4xf32>) -> tensor<2x4x3xf32>
  return %0 : tensor<2x4x3xf32>
}

// -----

func.func @result(%q: tensor<2x4x8xf32>, %k: tensor<2x5x8xf32>, %v: tensor<2x5x3xf32>) -> tensor<2x4x8xf32> {
  // expected-error @+1 {{result must be [2,4,3]}}
  %0 = edge.ScaledDotProductAttention %q, %k, %v : (tensor<2x4x8xf32>, tensor<2x5x8xf32>, tensor<2x5x3xf32>) -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}

// -----

func.func @flag(%q: tensor<2x4x8xf32>, %k: tensor<2x5x8xf32>, %v: tensor<2x5x3xf32>) -> tensor<2x4x3xf32> {
  // expected-error @+1 {{q_divide must be 0 or 1, got 2}}
  %0 = edge.ScaledDotProductAttention %q, %k, %v {q_divide = 2 : i64} : (tensor<2x4x8xf32>, tensor<2x5x8xf32>, tensor<2x5x3xf32>) -> tensor<2x4x3xf32>
  return %0 : tensor<2x4x3xf32>
}

// -----

func.func @zero_scale(%q: tensor<2x4x8xf32>, %k: tensor<2x5x8xf32>, %v: tensor<2x5x3xf32>) -> tensor<2x4x3xf32> {
  // expected-error @+1 {{scale must be finite and nonzero}}
  %0 = edge.ScaledDotProductAttention %q, %k, %v {scale = 0.0 : f32} : (tensor<2x4x8xf32>, tensor<2x5x8xf32>, tensor<2x5x3xf32>) -> tensor<2x4x3xf32>
  return %0 : tensor<2x4x3xf32>
}

// -----

// Quantized operands are per tensor and 8-bit (static INT8's folded attention).
func.func @quant_i16(%q: tensor<2x4x8x!quant.uniform<i16:f32, 0.01>>, %k: tensor<2x5x8xf32>, %v: tensor<2x5x3xf32>) -> tensor<2x4x3xf32> {
  // expected-error @+1 {{query, key, value and result must be f32 or quantized per tensor to 8 bits (f32 expressed), got '!quant.uniform<i16:f32, 1.000000e-02>'}}
  %0 = edge.ScaledDotProductAttention %q, %k, %v : (tensor<2x4x8x!quant.uniform<i16:f32, 0.01>>, tensor<2x5x8xf32>, tensor<2x5x3xf32>) -> tensor<2x4x3xf32>
  return %0 : tensor<2x4x3xf32>
}

// -----

func.func @quant_per_axis(%q: tensor<2x4x8xf32>, %k: tensor<2x5x8xf32>, %v: tensor<2x5x3xf32>) -> tensor<2x4x3x!quant.uniform<i8:f32:2, {0.01, 0.02, 0.03}>> {
  // expected-error @+1 {{query, key, value and result must be f32 or quantized per tensor to 8 bits}}
  %0 = edge.ScaledDotProductAttention %q, %k, %v : (tensor<2x4x8xf32>, tensor<2x5x8xf32>, tensor<2x5x3xf32>) -> tensor<2x4x3x!quant.uniform<i8:f32:2, {0.01, 0.02, 0.03}>>
  return %0 : tensor<2x4x3x!quant.uniform<i8:f32:2, {0.01, 0.02, 0.03}>>
}

// -----

func.func @integer_float(%q: tensor<2x4x8x!quant.uniform<i8:f32, 0.1>>, %k: tensor<2x5x8xf32>, %v: tensor<2x5x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x4x3xf32> {
  // expected-error @+1 {{integer = 1 needs quantized query, key and value}}
  %0 = edge.ScaledDotProductAttention %q, %k, %v {integer = 1 : i64} : (tensor<2x4x8x!quant.uniform<i8:f32, 0.1>>, tensor<2x5x8xf32>, tensor<2x5x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x4x3xf32>
  return %0 : tensor<2x4x3xf32>
}

// -----

func.func @integer_negative(%q: tensor<2x4x8x!quant.uniform<i8:f32, 0.1>>, %k: tensor<2x5x8x!quant.uniform<i8:f32, 0.1>>, %v: tensor<2x5x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x4x3xf32> {
  // expected-error @+1 {{integer = 1 needs a positive product of q_scale, k_scale and scale}}
  %0 = edge.ScaledDotProductAttention %q, %k, %v {integer = 1 : i64, scale = -1.0 : f32} : (tensor<2x4x8x!quant.uniform<i8:f32, 0.1>>, tensor<2x5x8x!quant.uniform<i8:f32, 0.1>>, tensor<2x5x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x4x3xf32>
  return %0 : tensor<2x4x3xf32>
}

// -----

func.func @integer_flag(%q: tensor<2x4x8x!quant.uniform<i8:f32, 0.1>>, %k: tensor<2x5x8x!quant.uniform<i8:f32, 0.1>>, %v: tensor<2x5x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x4x3xf32> {
  // expected-error @+1 {{integer must be 0 or 1, got 2}}
  %0 = edge.ScaledDotProductAttention %q, %k, %v {integer = 2 : i64} : (tensor<2x4x8x!quant.uniform<i8:f32, 0.1>>, tensor<2x5x8x!quant.uniform<i8:f32, 0.1>>, tensor<2x5x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x4x3xf32>
  return %0 : tensor<2x4x3xf32>
}
