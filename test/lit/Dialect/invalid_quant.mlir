// RUN: edgec-opt %s -split-input-file -verify-diagnostics
//
// One case per error path that quantized types add to the edge verifiers: the
// well-formedness of per-axis and block-typed tensors, storage-type comparisons,
// per-axis remapping in data movement, and the quantization ops.

//===----------------------------------------------------------------------===//
// Element types that the tensor shape must agree with (every edge op)
//===----------------------------------------------------------------------===//

func.func @per_axis_dim_out_of_range(%x: tensor<3x!quant.uniform<i8:f32:1, {0.1,0.2,0.3}>>) -> tensor<3x!quant.uniform<i8:f32:1, {0.1,0.2,0.3}>> {
  // expected-error @+1 {{operand #0: per-axis quantized dimension 1 is out of range for rank 1}}
  %0 = edge.Relu %x : tensor<3x!quant.uniform<i8:f32:1, {0.1,0.2,0.3}>>
  return %0 : tensor<3x!quant.uniform<i8:f32:1, {0.1,0.2,0.3}>>
}

// -----

func.func @per_axis_scale_count(%x: tensor<2x4x!quant.uniform<i8:f32:1, {0.1,0.2,0.3}>>) -> tensor<2x4x!quant.uniform<i8:f32:1, {0.1,0.2,0.3}>> {
  // expected-error @+1 {{operand #0 has 3 scales for its per-axis quantized dimension 1 of size 4}}
  %0 = edge.Relu %x : tensor<2x4x!quant.uniform<i8:f32:1, {0.1,0.2,0.3}>>
  return %0 : tensor<2x4x!quant.uniform<i8:f32:1, {0.1,0.2,0.3}>>
}

// -----

func.func @partial_block() -> tensor<4x40x!edge.block<"q4_0">> {
  // expected-error @+1 {{result #0: q4_0 stores whole blocks of 32 elements, but the innermost dimension is 40}}
  %0 = edge.constant dense_resource<w> : tensor<4x40x!edge.block<"q4_0">>
  return %0 : tensor<4x40x!edge.block<"q4_0">>
}

// -----

// expected-error @+1 {{unknown block format "q4_2" (expected one of q4_0 q4_1 q5_0 q5_1 q8_0 q2_k q3_k q4_k q5_k q6_k iq4_nl iq4_xs)}}
func.func @unknown_block(%x: tensor<32x!edge.block<"q4_2">>) {
  return
}

// -----

// Blocks are opaque: only constants (and the weight-only ops GGUF will add) hold them.
func.func @block_in_math(%x: tensor<32x!edge.block<"q8_0">>) -> tensor<32x!edge.block<"q8_0">> {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of any type but !edge.block values}}
  %0 = edge.Relu %x : tensor<32x!edge.block<"q8_0">>
  return %0 : tensor<32x!edge.block<"q8_0">>
}

//===----------------------------------------------------------------------===//
// Storage types, not whole types
//===----------------------------------------------------------------------===//

// -----

func.func @add_float_and_quantized(%a: tensor<3x!quant.uniform<i8:f32, 0.1>>, %b: tensor<3xf32>) -> tensor<3x!quant.uniform<i8:f32, 0.1>> {
  // expected-error @+1 {{operand element types differ: '!quant.uniform<i8:f32, 1.000000e-01>' vs 'f32' (quantized and non-quantized values do not mix)}}
  %0 = edge.Add %a, %b : (tensor<3x!quant.uniform<i8:f32, 0.1>>, tensor<3xf32>) -> tensor<3x!quant.uniform<i8:f32, 0.1>>
  return %0 : tensor<3x!quant.uniform<i8:f32, 0.1>>
}

// -----

func.func @add_storage_differs(%a: tensor<3x!quant.uniform<i8:f32, 0.1>>, %b: tensor<3x!quant.uniform<u8:f32, 0.1:128>>) -> tensor<3x!quant.uniform<i8:f32, 0.1>> {
  // expected-error @+1 {{operand element types differ: '!quant.uniform<i8:f32, 1.000000e-01>' vs '!quant.uniform<u8:f32, 1.000000e-01:128>' (storage types differ: i8 vs ui8)}}
  %0 = edge.Add %a, %b : (tensor<3x!quant.uniform<i8:f32, 0.1>>, tensor<3x!quant.uniform<u8:f32, 0.1:128>>) -> tensor<3x!quant.uniform<i8:f32, 0.1>>
  return %0 : tensor<3x!quant.uniform<i8:f32, 0.1>>
}

// -----

func.func @mul_expressed_differs(%a: tensor<3x!quant.uniform<i8:f32, 0.1>>, %b: tensor<3x!quant.uniform<i8:f16, 0.1>>) -> tensor<3x!quant.uniform<i8:f32, 0.1>> {
  // expected-error @+1 {{operand element types differ: '!quant.uniform<i8:f32, 1.000000e-01>' vs '!quant.uniform<i8:f16, 1.000000e-01>' (expressed types differ: f32 vs f16)}}
  %0 = edge.Mul %a, %b : (tensor<3x!quant.uniform<i8:f32, 0.1>>, tensor<3x!quant.uniform<i8:f16, 0.1>>) -> tensor<3x!quant.uniform<i8:f32, 0.1>>
  return %0 : tensor<3x!quant.uniform<i8:f32, 0.1>>
}

// -----

func.func @add_float_result(%a: tensor<3x!quant.uniform<i8:f32, 0.1>>) -> tensor<3xf32> {
  // expected-error @+1 {{result element type must match the first operand (quantized and non-quantized values do not mix)}}
  %0 = edge.Add %a, %a : (tensor<3x!quant.uniform<i8:f32, 0.1>>, tensor<3x!quant.uniform<i8:f32, 0.1>>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @sigmoid_dequantizes(%a: tensor<3x!quant.uniform<i8:f32, 0.1>>) -> tensor<3xf32> {
  // expected-error @+1 {{result element type 'f32' must match the input's '!quant.uniform<i8:f32, 1.000000e-01>' (quantized and non-quantized values do not mix)}}
  %0 = edge.Sigmoid %a : tensor<3x!quant.uniform<i8:f32, 0.1>> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @softmax_storage(%a: tensor<3x!quant.uniform<i8:f32, 0.1>>) -> tensor<3x!quant.uniform<u8:f32, 0.00390625>> {
  // expected-error @+1 {{result element type '!quant.uniform<u8:f32, 3.906250e-03>' must match the input's '!quant.uniform<i8:f32, 1.000000e-01>' (storage types differ: i8 vs ui8)}}
  %0 = edge.Softmax %a {axis = 0 : i64} : tensor<3x!quant.uniform<i8:f32, 0.1>> -> tensor<3x!quant.uniform<u8:f32, 0.00390625>>
  return %0 : tensor<3x!quant.uniform<u8:f32, 0.00390625>>
}

// -----

func.func @clip_quantized_bounds(%a: tensor<3x!quant.uniform<i8:f32, 0.1>>, %lo: tensor<i8>) -> tensor<3x!quant.uniform<i8:f32, 0.1>> {
  // expected-error @+1 {{min and max must have the input's element type (the expressed type of a quantized input)}}
  %0 = edge.Clip %a min %lo : (tensor<3x!quant.uniform<i8:f32, 0.1>>, tensor<i8>) -> tensor<3x!quant.uniform<i8:f32, 0.1>>
  return %0 : tensor<3x!quant.uniform<i8:f32, 0.1>>
}

//===----------------------------------------------------------------------===//
// Conv, MatMul, Gemm
//===----------------------------------------------------------------------===//

// -----

func.func @matmul_mixed(%a: tensor<2x4x!quant.uniform<i8:f32, 0.1>>, %b: tensor<4x3xf32>) -> tensor<2x3x!quant.uniform<i8:f32, 0.1>> {
  // expected-error @+1 {{A, B and the result must all be quantized or all be non-quantized}}
  %0 = edge.MatMul %a, %b : (tensor<2x4x!quant.uniform<i8:f32, 0.1>>, tensor<4x3xf32>) -> tensor<2x3x!quant.uniform<i8:f32, 0.1>>
  return %0 : tensor<2x3x!quant.uniform<i8:f32, 0.1>>
}

// -----

func.func @matmul_per_axis_activation(%a: tensor<2x4x!quant.uniform<i8:f32:0, {0.1,0.2}>>, %b: tensor<4x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x3x!quant.uniform<i8:f32, 0.1>> {
  // expected-error @+1 {{A must be quantized per-tensor, not per-axis}}
  %0 = edge.MatMul %a, %b : (tensor<2x4x!quant.uniform<i8:f32:0, {0.1,0.2}>>, tensor<4x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x3x!quant.uniform<i8:f32, 0.1>>
  return %0 : tensor<2x3x!quant.uniform<i8:f32, 0.1>>
}

// -----

// Gemm with transB = 0: B's output channels are its dim 1, not 0.
func.func @gemm_weight_axis(%a: tensor<2x2x!quant.uniform<i8:f32, 0.1>>, %b: tensor<2x3x!quant.uniform<i8:f32:0, {0.1,0.2}>>) -> tensor<2x3x!quant.uniform<i8:f32, 0.1>> {
  // expected-error @+1 {{B must be quantized per-tensor or per-axis along its output-channel dim 1, not dim 0}}
  %0 = edge.Gemm %a, %b : (tensor<2x2x!quant.uniform<i8:f32, 0.1>>, tensor<2x3x!quant.uniform<i8:f32:0, {0.1,0.2}>>) -> tensor<2x3x!quant.uniform<i8:f32, 0.1>>
  return %0 : tensor<2x3x!quant.uniform<i8:f32, 0.1>>
}

// -----

func.func @conv_bias_storage(%x: tensor<1x1x3x3x!quant.uniform<u8:f32, 0.1:128>>, %w: tensor<2x1x3x3x!quant.uniform<i8:f32, 0.1>>, %b: tensor<2x!quant.uniform<i8:f32, 0.01>>) -> tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>> {
  // expected-error @+1 {{quantized bias must have 32-bit storage (its scale is the input's times the weight's), got 'i8'}}
  %0 = edge.Conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x1x3x3x!quant.uniform<u8:f32, 0.1:128>>, tensor<2x1x3x3x!quant.uniform<i8:f32, 0.1>>, tensor<2x!quant.uniform<i8:f32, 0.01>>) -> tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>>
  return %0 : tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>>
}

//===----------------------------------------------------------------------===//
// Pools
//===----------------------------------------------------------------------===//

// -----

func.func @maxpool_dequantizes(%x: tensor<1x1x2x2x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x1x1x1xf32> {
  // expected-error @+1 {{result element type must match the input (quantized and non-quantized values do not mix)}}
  %0 = edge.MaxPool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x1x2x2x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x1x1x1xf32>
  return %0 : tensor<1x1x1x1xf32>
}

// -----

func.func @global_pool_storage(%x: tensor<1x1x2x2x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x1x1x1x!quant.uniform<u8:f32, 0.1>> {
  // expected-error @+1 {{result element type must match the input (storage types differ: i8 vs ui8)}}
  %0 = edge.GlobalAveragePool %x : (tensor<1x1x2x2x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x1x1x1x!quant.uniform<u8:f32, 0.1>>
  return %0 : tensor<1x1x1x1x!quant.uniform<u8:f32, 0.1>>
}

//===----------------------------------------------------------------------===//
// Data movement: a per-axis quantized dimension moves with its data
//===----------------------------------------------------------------------===//

// -----

func.func @concat_mixed(%a: tensor<2x!quant.uniform<i8:f32, 0.1>>, %b: tensor<2xf32>) -> tensor<4x!quant.uniform<i8:f32, 0.1>> {
  // expected-error @+1 {{inputs must have the result's rank and element type (quantized and non-quantized values do not mix)}}
  %0 = edge.Concat %a, %b {axis = 0 : i64} : (tensor<2x!quant.uniform<i8:f32, 0.1>>, tensor<2xf32>) -> tensor<4x!quant.uniform<i8:f32, 0.1>>
  return %0 : tensor<4x!quant.uniform<i8:f32, 0.1>>
}

// -----

func.func @transpose_keeps_axis(%w: tensor<2x3x!quant.uniform<i8:f32:1, {0.1,0.2,0.3}>>) -> tensor<3x2x!quant.uniform<i8:f32:1, {0.1,0.2}>> {
  // expected-error @+1 {{result element type should be '!quant.uniform<i8:f32:0, {1.000000e-01,2.000000e-01,3.000000e-01}>': perm moves the per-axis quantized dimension 1 to dimension 0}}
  %0 = edge.Transpose %w {perm = array<i64: 1, 0>} : (tensor<2x3x!quant.uniform<i8:f32:1, {0.1,0.2,0.3}>>) -> tensor<3x2x!quant.uniform<i8:f32:1, {0.1,0.2}>>
  return %0 : tensor<3x2x!quant.uniform<i8:f32:1, {0.1,0.2}>>
}

// -----

func.func @reshape_splits_axis(%w: tensor<4x6x!quant.uniform<i8:f32:1, {1.0,2.0,3.0,4.0,5.0,6.0}>>) -> tensor<6x4x!quant.uniform<i8:f32:0, {1.0,2.0,3.0,4.0,5.0,6.0}>> {
  // expected-error @+1 {{reshape would split the per-axis quantized dimension 1 (size 6) of [4,6]: [6,4] has no dim of that size after the same leading elements}}
  %0 = edge.Reshape %w : (tensor<4x6x!quant.uniform<i8:f32:1, {1.0,2.0,3.0,4.0,5.0,6.0}>>) -> tensor<6x4x!quant.uniform<i8:f32:0, {1.0,2.0,3.0,4.0,5.0,6.0}>>
  return %0 : tensor<6x4x!quant.uniform<i8:f32:0, {1.0,2.0,3.0,4.0,5.0,6.0}>>
}

// -----

func.func @reshape_keeps_axis(%w: tensor<2x3x!quant.uniform<i8:f32:1, {0.1,0.2,0.3}>>) -> tensor<1x2x3x!quant.uniform<i8:f32:1, {0.1,0.2}>> {
  // expected-error @+1 {{result element type should be '!quant.uniform<i8:f32:2, {1.000000e-01,2.000000e-01,3.000000e-01}>': the per-axis quantized dimension 1 becomes dimension 2}}
  %0 = edge.Reshape %w : (tensor<2x3x!quant.uniform<i8:f32:1, {0.1,0.2,0.3}>>) -> tensor<1x2x3x!quant.uniform<i8:f32:1, {0.1,0.2}>>
  return %0 : tensor<1x2x3x!quant.uniform<i8:f32:1, {0.1,0.2}>>
}

// -----

func.func @slice_scales(%w: tensor<2x3x!quant.uniform<i8:f32:1, {0.1,0.2,0.3}>>) -> tensor<2x2x!quant.uniform<i8:f32:1, {0.1,0.2}>> {
  // expected-error @+1 {{result element type should be '!quant.uniform<i8:f32:1, {2.000000e-01,3.000000e-01}>': the scales of the indices sliced from the per-axis quantized dimension 1}}
  %0 = edge.Slice %w {starts = array<i64: 0, 1>, ends = array<i64: 2, 3>, steps = array<i64: 1, 1>} : (tensor<2x3x!quant.uniform<i8:f32:1, {0.1,0.2,0.3}>>) -> tensor<2x2x!quant.uniform<i8:f32:1, {0.1,0.2}>>
  return %0 : tensor<2x2x!quant.uniform<i8:f32:1, {0.1,0.2}>>
}

// -----

func.func @split_scales(%w: tensor<2x3x!quant.uniform<i8:f32:1, {0.1,0.2,0.3}>>) -> tensor<2x2x!quant.uniform<i8:f32:1, {0.1,0.2}>> {
  // expected-error @+1 {{results must have the input's rank and element type (with the scales of their part of the per-axis quantized dimension)}}
  %0:2 = edge.Split %w {axis = 1 : i64} : (tensor<2x3x!quant.uniform<i8:f32:1, {0.1,0.2,0.3}>>) -> (tensor<2x1x!quant.uniform<i8:f32:1, {0.1}>>, tensor<2x2x!quant.uniform<i8:f32:1, {0.1,0.2}>>)
  return %0#1 : tensor<2x2x!quant.uniform<i8:f32:1, {0.1,0.2}>>
}

// -----

func.func @gather_quantized_axis(%w: tensor<2x3x!quant.uniform<i8:f32:0, {0.1,0.2}>>, %i: tensor<2xi64>) -> tensor<2x3x!quant.uniform<i8:f32:0, {0.1,0.2}>> {
  // expected-error @+1 {{cannot gather along the per-axis quantized dimension 0 (the result's scales would depend on the indices)}}
  %0 = edge.Gather %w, %i {axis = 0 : i64} : (tensor<2x3x!quant.uniform<i8:f32:0, {0.1,0.2}>>, tensor<2xi64>) -> tensor<2x3x!quant.uniform<i8:f32:0, {0.1,0.2}>>
  return %0 : tensor<2x3x!quant.uniform<i8:f32:0, {0.1,0.2}>>
}

// -----

// Indices of rank 2 shift the quantized dimension 1 to 2.
func.func @gather_moves_axis(%w: tensor<4x3x!quant.uniform<i8:f32:1, {0.1,0.2,0.3}>>, %i: tensor<3x2xi64>) -> tensor<3x2x3x!quant.uniform<i8:f32:1, {0.1,0.2}>> {
  // expected-error @+1 {{gather cannot change the element type (the per-axis quantized dimension moves)}}
  %0 = edge.Gather %w, %i {axis = 0 : i64} : (tensor<4x3x!quant.uniform<i8:f32:1, {0.1,0.2,0.3}>>, tensor<3x2xi64>) -> tensor<3x2x3x!quant.uniform<i8:f32:1, {0.1,0.2}>>
  return %0 : tensor<3x2x3x!quant.uniform<i8:f32:1, {0.1,0.2}>>
}

// -----

func.func @pad_quantized_axis(%w: tensor<2x3x!quant.uniform<i8:f32:1, {0.1,0.2,0.3}>>) -> tensor<2x4x!quant.uniform<i8:f32:1, {0.1,0.2,0.3,0.4}>> {
  // expected-error @+1 {{cannot pad the per-axis quantized dimension 1 (new indices would have no scale)}}
  %0 = edge.Pad %w {mode = "constant", pads = array<i64: 0, 0, 0, 1>} : (tensor<2x3x!quant.uniform<i8:f32:1, {0.1,0.2,0.3}>>) -> tensor<2x4x!quant.uniform<i8:f32:1, {0.1,0.2,0.3,0.4}>>
  return %0 : tensor<2x4x!quant.uniform<i8:f32:1, {0.1,0.2,0.3,0.4}>>
}

// -----

func.func @pad_value_type(%a: tensor<2x!quant.uniform<i8:f32, 0.1>>, %v: tensor<i8>) -> tensor<3x!quant.uniform<i8:f32, 0.1>> {
  // expected-error @+1 {{constant_value must be one element of the input's element type (the expressed type of a quantized input)}}
  %0 = edge.Pad %a, %v {mode = "constant", pads = array<i64: 1, 0>} : (tensor<2x!quant.uniform<i8:f32, 0.1>>, tensor<i8>) -> tensor<3x!quant.uniform<i8:f32, 0.1>>
  return %0 : tensor<3x!quant.uniform<i8:f32, 0.1>>
}

// -----

func.func @expand_moves_axis(%w: tensor<2x3x!quant.uniform<i8:f32:1, {0.1,0.2,0.3}>>) -> tensor<2x2x3x!quant.uniform<i8:f32:1, {0.1,0.2}>> {
  // expected-error @+1 {{expand cannot change the element type}}
  %0 = edge.Expand %w : (tensor<2x3x!quant.uniform<i8:f32:1, {0.1,0.2,0.3}>>) -> tensor<2x2x3x!quant.uniform<i8:f32:1, {0.1,0.2}>>
  return %0 : tensor<2x2x3x!quant.uniform<i8:f32:1, {0.1,0.2}>>
}

// -----

func.func @cast_to_quantized(%x: tensor<3xf32>) -> tensor<3x!quant.uniform<i8:f32, 0.1>> {
  // expected-error @+1 {{cast cannot convert to or from a quantized type (QuantizeLinear and DequantizeLinear do)}}
  %0 = edge.Cast %x : (tensor<3xf32>) -> tensor<3x!quant.uniform<i8:f32, 0.1>>
  return %0 : tensor<3x!quant.uniform<i8:f32, 0.1>>
}

//===----------------------------------------------------------------------===//
// QuantizeLinear, DequantizeLinear
//===----------------------------------------------------------------------===//

// -----

func.func @quantize_expressed(%x: tensor<3xf16>) -> tensor<3x!quant.uniform<i8:f32, 0.1>> {
  // expected-error @+1 {{input element type 'f16' must be the result's expressed type 'f32'}}
  %0 = edge.QuantizeLinear %x : (tensor<3xf16>) -> tensor<3x!quant.uniform<i8:f32, 0.1>>
  return %0 : tensor<3x!quant.uniform<i8:f32, 0.1>>
}

// -----

func.func @quantize_to_int(%x: tensor<3xf32>) -> tensor<3xi8> {
  // expected-error @+1 {{result #0 must be statically shaped tensor of quant.uniform values}}
  %0 = edge.QuantizeLinear %x : (tensor<3xf32>) -> tensor<3xi8>
  return %0 : tensor<3xi8>
}

// -----

func.func @dequantize_expressed(%q: tensor<3x!quant.uniform<i8:f32, 0.1>>) -> tensor<3xf16> {
  // expected-error @+1 {{result element type 'f16' must be the input's expressed type 'f32'}}
  %0 = edge.DequantizeLinear %q : (tensor<3x!quant.uniform<i8:f32, 0.1>>) -> tensor<3xf16>
  return %0 : tensor<3xf16>
}

//===----------------------------------------------------------------------===//
// DequantizeBlockwise
//===----------------------------------------------------------------------===//

// -----

func.func @blockwise_axis(%w: tensor<8x64xi4>, %s: tensor<8x2xf32>) -> tensor<8x64xf32> {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = edge.DequantizeBlockwise %w, %s {axis = 2 : i64, block_size = 32 : i64} : (tensor<8x64xi4>, tensor<8x2xf32>) -> tensor<8x64xf32>
  return %0 : tensor<8x64xf32>
}

// -----

func.func @blockwise_block_size(%w: tensor<8x64xi4>, %s: tensor<8x2xf32>) -> tensor<8x64xf32> {
  // expected-error @+1 {{block_size must be >= 1, got 0}}
  %0 = edge.DequantizeBlockwise %w, %s {axis = 1 : i64, block_size = 0 : i64} : (tensor<8x64xi4>, tensor<8x2xf32>) -> tensor<8x64xf32>
  return %0 : tensor<8x64xf32>
}

// -----

func.func @blockwise_result_shape(%w: tensor<8x64xi4>, %s: tensor<8x2xf32>) -> tensor<64x8xf32> {
  // expected-error @+1 {{result shape [64,8] must be the weight shape [8,64]}}
  %0 = edge.DequantizeBlockwise %w, %s {axis = 1 : i64, block_size = 32 : i64} : (tensor<8x64xi4>, tensor<8x2xf32>) -> tensor<64x8xf32>
  return %0 : tensor<64x8xf32>
}

// -----

func.func @blockwise_result_type(%w: tensor<8x64xi4>, %s: tensor<8x2xf32>) -> tensor<8x64xf16> {
  // expected-error @+1 {{result element type 'f16' must be the scales' element type 'f32'}}
  %0 = edge.DequantizeBlockwise %w, %s {axis = 1 : i64, block_size = 32 : i64} : (tensor<8x64xi4>, tensor<8x2xf32>) -> tensor<8x64xf16>
  return %0 : tensor<8x64xf16>
}

// -----

// 65 elements in blocks of 32 need 3 scales (the last block is partial).
func.func @blockwise_scales_shape(%w: tensor<8x65xi4>, %s: tensor<8x2xf32>) -> tensor<8x65xf32> {
  // expected-error @+1 {{scales shape [8,2] should be [8,3] (the weight shape with dim 1 divided by block_size 32, rounded up)}}
  %0 = edge.DequantizeBlockwise %w, %s {axis = 1 : i64, block_size = 32 : i64} : (tensor<8x65xi4>, tensor<8x2xf32>) -> tensor<8x65xf32>
  return %0 : tensor<8x65xf32>
}

// -----

func.func @blockwise_zero_point_shape(%w: tensor<8x64xui4>, %s: tensor<8x2xf32>, %z: tensor<8x1xui4>) -> tensor<8x64xf32> {
  // expected-error @+1 {{zero_points shape [8,1] must be the scales shape [8,2]}}
  %0 = edge.DequantizeBlockwise %w, %s, %z {axis = 1 : i64, block_size = 32 : i64} : (tensor<8x64xui4>, tensor<8x2xf32>, tensor<8x1xui4>) -> tensor<8x64xf32>
  return %0 : tensor<8x64xf32>
}

// -----

func.func @blockwise_zero_point_type(%w: tensor<8x64xui4>, %s: tensor<8x2xf32>, %z: tensor<8x2xi4>) -> tensor<8x64xf32> {
  // expected-error @+1 {{zero_points element type 'i4' must be the weight's 'ui4'}}
  %0 = edge.DequantizeBlockwise %w, %s, %z {axis = 1 : i64, block_size = 32 : i64} : (tensor<8x64xui4>, tensor<8x2xf32>, tensor<8x2xi4>) -> tensor<8x64xf32>
  return %0 : tensor<8x64xf32>
}

// -----

func.func @blockwise_weight_type(%w: tensor<8x64xi32>, %s: tensor<8x2xf32>) -> tensor<8x64xf32> {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of 4-bit signless integer or 4-bit unsigned integer or 8-bit signless integer or 8-bit unsigned integer values}}
  %0 = edge.DequantizeBlockwise %w, %s {axis = 1 : i64, block_size = 32 : i64} : (tensor<8x64xi32>, tensor<8x2xf32>) -> tensor<8x64xf32>
  return %0 : tensor<8x64xf32>
}

//===----------------------------------------------------------------------===//
// LeakyRelu, HardSigmoid, HardSwish (as Relu)
//===----------------------------------------------------------------------===//

// -----

func.func @leaky_relu_dequantizes(%x: tensor<3x!quant.uniform<i8:f32, 0.1>>) -> tensor<3xf32> {
  // expected-error @+1 {{result element type 'f32' must match the input's '!quant.uniform<i8:f32, 1.000000e-01>' (quantized and non-quantized values do not mix)}}
  %0 = edge.LeakyRelu %x {alpha = 0.1 : f32} : tensor<3x!quant.uniform<i8:f32, 0.1>> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @hard_sigmoid_storage(%x: tensor<3x!quant.uniform<i8:f32, 0.1>>) -> tensor<3x!quant.uniform<u8:f32, 0.1>> {
  // expected-error @+1 {{(storage types differ: i8 vs ui8)}}
  %0 = edge.HardSigmoid %x {alpha = 0.2 : f32, beta = 0.5 : f32} : tensor<3x!quant.uniform<i8:f32, 0.1>> -> tensor<3x!quant.uniform<u8:f32, 0.1>>
  return %0 : tensor<3x!quant.uniform<u8:f32, 0.1>>
}

// -----

func.func @hard_swish_quantizes(%x: tensor<3xf32>) -> tensor<3x!quant.uniform<i8:f32, 0.1>> {
  // expected-error @+1 {{(quantized and non-quantized values do not mix)}}
  %0 = edge.HardSwish %x : tensor<3xf32> -> tensor<3x!quant.uniform<i8:f32, 0.1>>
  return %0 : tensor<3x!quant.uniform<i8:f32, 0.1>>
}

//===----------------------------------------------------------------------===//
// Min, Max, Sum, Mean
//===----------------------------------------------------------------------===//

// -----

func.func @sum_mixed(%a: tensor<3x!quant.uniform<i8:f32, 0.1>>, %b: tensor<3xf32>) -> tensor<3x!quant.uniform<i8:f32, 0.1>> {
  // expected-error @+1 {{operands and the result must have the same element type (operand 1: 'f32' vs '!quant.uniform<i8:f32, 1.000000e-01>', quantized and non-quantized values do not mix)}}
  %0 = edge.Sum %a, %b : (tensor<3x!quant.uniform<i8:f32, 0.1>>, tensor<3xf32>) -> tensor<3x!quant.uniform<i8:f32, 0.1>>
  return %0 : tensor<3x!quant.uniform<i8:f32, 0.1>>
}

// -----

func.func @max_storage(%a: tensor<3x!quant.uniform<i8:f32, 0.1>>, %b: tensor<3x!quant.uniform<u8:f32, 0.1:128>>) -> tensor<3x!quant.uniform<i8:f32, 0.1>> {
  // expected-error @+1 {{storage types differ: ui8 vs i8)}}
  %0 = edge.Max %a, %b : (tensor<3x!quant.uniform<i8:f32, 0.1>>, tensor<3x!quant.uniform<u8:f32, 0.1:128>>) -> tensor<3x!quant.uniform<i8:f32, 0.1>>
  return %0 : tensor<3x!quant.uniform<i8:f32, 0.1>>
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

// -----

func.func @reduce_prod_quantized(%x: tensor<2x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x!quant.uniform<i8:f32, 0.1>> {
  // expected-error @+1 {{has no quantized kernel: only ReduceMax, ReduceMin, ReduceSum and ReduceMean take quantized types}}
  %0 = edge.ReduceProd %x {axes = array<i64: 1>, keepdims = 0 : i64} : (tensor<2x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x!quant.uniform<i8:f32, 0.1>>
  return %0 : tensor<2x!quant.uniform<i8:f32, 0.1>>
}

// -----

func.func @reduce_sum_dequantizes(%x: tensor<2x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<2xf32> {
  // expected-error @+1 {{result element type 'f32' must match the input's '!quant.uniform<i8:f32, 1.000000e-01>' (quantized and non-quantized values do not mix)}}
  %0 = edge.ReduceSum %x {axes = array<i64: 1>, keepdims = 0 : i64} : (tensor<2x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @reduce_mean_storage(%x: tensor<2x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x!quant.uniform<u8:f32, 0.1>> {
  // expected-error @+1 {{(storage types differ: i8 vs ui8)}}
  %0 = edge.ReduceMean %x {axes = array<i64: 1>, keepdims = 0 : i64} : (tensor<2x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x!quant.uniform<u8:f32, 0.1>>
  return %0 : tensor<2x!quant.uniform<u8:f32, 0.1>>
}

// -----

func.func @reduce_along_quantized_axis(%w: tensor<2x3x!quant.uniform<i8:f32:1, {0.1,0.2,0.3}>>) -> tensor<2x!quant.uniform<i8:f32, 0.1>> {
  // expected-error @+1 {{cannot reduce along the per-axis quantized dimension 1: the result would mix scales}}
  %0 = edge.ReduceMax %w {axes = array<i64: 1>, keepdims = 0 : i64} : (tensor<2x3x!quant.uniform<i8:f32:1, {0.1,0.2,0.3}>>) -> tensor<2x!quant.uniform<i8:f32, 0.1>>
  return %0 : tensor<2x!quant.uniform<i8:f32, 0.1>>
}

// -----

func.func @reduce_all_per_axis(%w: tensor<2x3x!quant.uniform<i8:f32:1, {0.1,0.2,0.3}>>) -> tensor<!quant.uniform<i8:f32, 0.1>> {
  // expected-error @+1 {{cannot reduce along the per-axis quantized dimension 1: the result would mix scales}}
  %0 = edge.ReduceSum %w {axes = array<i64>, keepdims = 0 : i64} : (tensor<2x3x!quant.uniform<i8:f32:1, {0.1,0.2,0.3}>>) -> tensor<!quant.uniform<i8:f32, 0.1>>
  return %0 : tensor<!quant.uniform<i8:f32, 0.1>>
}

// -----

func.func @reduce_keeps_axis(%w: tensor<2x3x4x!quant.uniform<i8:f32:1, {0.1,0.2,0.3}>>) -> tensor<3x4x!quant.uniform<i8:f32:1, {0.1,0.2,0.3,0.4}>> {
  // expected-error @+1 {{result must be quantized along dim 0: the per-axis quantized dimension 1 of the input moves there, not dim 1}}
  %0 = edge.ReduceMin %w {axes = array<i64: 0>, keepdims = 0 : i64} : (tensor<2x3x4x!quant.uniform<i8:f32:1, {0.1,0.2,0.3}>>) -> tensor<3x4x!quant.uniform<i8:f32:1, {0.1,0.2,0.3,0.4}>>
  return %0 : tensor<3x4x!quant.uniform<i8:f32:1, {0.1,0.2,0.3,0.4}>>
}

// -----

func.func @reduce_per_tensor_to_per_axis(%x: tensor<2x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<3x!quant.uniform<i8:f32:0, {0.1,0.2,0.3}>> {
  // expected-error @+1 {{a per-tensor quantized input cannot give a per-axis quantized result}}
  %0 = edge.ReduceMax %x {axes = array<i64: 0>, keepdims = 0 : i64} : (tensor<2x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<3x!quant.uniform<i8:f32:0, {0.1,0.2,0.3}>>
  return %0 : tensor<3x!quant.uniform<i8:f32:0, {0.1,0.2,0.3}>>
}

//===----------------------------------------------------------------------===//
// Quantized bias: scale = input scale x weight scale, one expressed type
//===----------------------------------------------------------------------===//

// -----

func.func @matmul_expressed_types(%a: tensor<2x4x!quant.uniform<i8:f32, 0.1>>, %b: tensor<4x3x!quant.uniform<i8:f16, 0.1>>) -> tensor<2x3x!quant.uniform<i8:f32, 0.1>> {
  // expected-error @+1 {{quantized A and B must have the same expressed type, got 'f32' vs 'f16'}}
  %0 = edge.MatMul %a, %b : (tensor<2x4x!quant.uniform<i8:f32, 0.1>>, tensor<4x3x!quant.uniform<i8:f16, 0.1>>) -> tensor<2x3x!quant.uniform<i8:f32, 0.1>>
  return %0 : tensor<2x3x!quant.uniform<i8:f32, 0.1>>
}

// -----

func.func @gemm_bias_scale(%a: tensor<2x2x!quant.uniform<i8:f32, 0.1>>, %b: tensor<2x3x!quant.uniform<i8:f32, 0.5>>, %c: tensor<3x!quant.uniform<i32:f32, 0.01>>) -> tensor<2x3x!quant.uniform<i8:f32, 0.1>> {
  // expected-error @+1 {{quantized C scale 1.000000e-02 must be the A scale times the B scale (1.000000e-01 * 5.000000e-01 = 5.000000e-02)}}
  %0 = edge.Gemm %a, %b, %c : (tensor<2x2x!quant.uniform<i8:f32, 0.1>>, tensor<2x3x!quant.uniform<i8:f32, 0.5>>, tensor<3x!quant.uniform<i32:f32, 0.01>>) -> tensor<2x3x!quant.uniform<i8:f32, 0.1>>
  return %0 : tensor<2x3x!quant.uniform<i8:f32, 0.1>>
}

// -----

// Per output channel: channel 1's bias scale should be 0.1 * 0.2.
func.func @conv_bias_scale_per_channel(%x: tensor<1x1x3x3x!quant.uniform<u8:f32, 0.1:128>>, %w: tensor<2x1x3x3x!quant.uniform<i8:f32:0, {0.1,0.2}>>, %b: tensor<2x!quant.uniform<i32:f32:0, {0.01,0.03}>>) -> tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>> {
  // expected-error @+1 {{quantized bias scale 3.000000e-02 must be the input scale times the weight scale (1.000000e-01 * 2.000000e-01 = 2.000000e-02) at output channel 1}}
  %0 = edge.Conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x1x3x3x!quant.uniform<u8:f32, 0.1:128>>, tensor<2x1x3x3x!quant.uniform<i8:f32:0, {0.1,0.2}>>, tensor<2x!quant.uniform<i32:f32:0, {0.01,0.03}>>) -> tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>>
  return %0 : tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>>
}

// -----

// A per-tensor bias cannot match a per-axis weight with different channel scales.
func.func @conv_bias_per_tensor_vs_per_axis(%x: tensor<1x1x3x3x!quant.uniform<u8:f32, 0.1:128>>, %w: tensor<2x1x3x3x!quant.uniform<i8:f32:0, {0.1,0.2}>>, %b: tensor<2x!quant.uniform<i32:f32, 0.01>>) -> tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>> {
  // expected-error @+1 {{at output channel 1}}
  %0 = edge.Conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x1x3x3x!quant.uniform<u8:f32, 0.1:128>>, tensor<2x1x3x3x!quant.uniform<i8:f32:0, {0.1,0.2}>>, tensor<2x!quant.uniform<i32:f32, 0.01>>) -> tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>>
  return %0 : tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>>
}

// -----

func.func @conv_bias_expressed_type(%x: tensor<1x1x3x3x!quant.uniform<u8:f32, 0.1:128>>, %w: tensor<2x1x3x3x!quant.uniform<i8:f32, 0.1>>, %b: tensor<2x!quant.uniform<i32:f16, 0.01>>) -> tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>> {
  // expected-error @+1 {{quantized input and bias must have the same expressed type, got 'f32' vs 'f16'}}
  %0 = edge.Conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x1x3x3x!quant.uniform<u8:f32, 0.1:128>>, tensor<2x1x3x3x!quant.uniform<i8:f32, 0.1>>, tensor<2x!quant.uniform<i32:f16, 0.01>>) -> tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>>
  return %0 : tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>>
}

// -----

// C quantized along M, not along the output channels N.
func.func @gemm_bias_axis(%a: tensor<2x2x!quant.uniform<i8:f32, 0.1>>, %b: tensor<2x3x!quant.uniform<i8:f32:1, {0.1,0.2,0.3}>>, %c: tensor<2x3x!quant.uniform<i32:f32:0, {0.01,0.02}>>) -> tensor<2x3x!quant.uniform<i8:f32, 0.1>> {
  // expected-error @+1 {{quantized C must be quantized per-tensor or per-axis along its last dim 1 (the output channels), not dim 0}}
  %0 = edge.Gemm %a, %b, %c : (tensor<2x2x!quant.uniform<i8:f32, 0.1>>, tensor<2x3x!quant.uniform<i8:f32:1, {0.1,0.2,0.3}>>, tensor<2x3x!quant.uniform<i32:f32:0, {0.01,0.02}>>) -> tensor<2x3x!quant.uniform<i8:f32, 0.1>>
  return %0 : tensor<2x3x!quant.uniform<i8:f32, 0.1>>
}

// -----

// DynamicQuantizedMatMul: the weight is [K, N] quantized along N, symmetric.
func.func @dynamic_axis(%x: tensor<2x3xf32>, %w: tensor<3x4x!quant.uniform<i8:f32:0, {0.1,0.2,0.3}>>) -> tensor<2x4xf32> {
  // expected-error @+1 {{a per-axis weight must be quantized along N (dim 1)}}
  %0 = edge.DynamicQuantizedMatMul %x, %w : (tensor<2x3xf32>, tensor<3x4x!quant.uniform<i8:f32:0, {0.1,0.2,0.3}>>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @dynamic_zero_point(%x: tensor<2x3xf32>, %w: tensor<3x4x!quant.uniform<i8:f32, 0.1:3>>) -> tensor<2x4xf32> {
  // expected-error @+1 {{the weight must be symmetric (zero point 0)}}
  %0 = edge.DynamicQuantizedMatMul %x, %w : (tensor<2x3xf32>, tensor<3x4x!quant.uniform<i8:f32, 0.1:3>>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @dynamic_k(%x: tensor<2x5xf32>, %w: tensor<3x4x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x4xf32> {
  // expected-error @+1 {{input's last dim 5 must be the weight's K 3}}
  %0 = edge.DynamicQuantizedMatMul %x, %w : (tensor<2x5xf32>, tensor<3x4x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// The integer Conv kernels apply an epilogue as a clamp of the output codes.
func.func @conv_quantized_silu(%x: tensor<1x1x3x3x!quant.uniform<u8:f32, 0.1:128>>, %w: tensor<2x1x3x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>> {
  // expected-error @+1 {{a quantized Conv takes only a Relu or Clip epilogue, not 'Silu'}}
  %0 = edge.Conv %x, %w {activation = "Silu", dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x1x3x3x!quant.uniform<u8:f32, 0.1:128>>, tensor<2x1x3x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>>
  return %0 : tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>>
}

// -----

// A quantized Conv's fused residual Add (edge-fuse-conv-residual): the Conv's own code
// parameters come with a residual, both of them, with a residual of the result's shape,
// a zero point in the result's storage range, and no activation (the Add's parameters).
func.func @conv_scale_without_residual(%x: tensor<1x1x3x3x!quant.uniform<u8:f32, 0.1:128>>, %w: tensor<2x1x3x3x!quant.uniform<i8:f32, 0.1>>, %r: tensor<1x2x1x1x!quant.uniform<i8:f32, 0.3>>) -> tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>> {
  // expected-error @+1 {{conv_scale and conv_zero_point need a residual}}
  %0 = edge.Conv %x, %w {conv_scale = 0.5 : f32, conv_zero_point = 0 : i64, dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x1x3x3x!quant.uniform<u8:f32, 0.1:128>>, tensor<2x1x3x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>>
  return %0 : tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>>
}

// -----

func.func @conv_residual_one_param(%x: tensor<1x1x3x3x!quant.uniform<u8:f32, 0.1:128>>, %w: tensor<2x1x3x3x!quant.uniform<i8:f32, 0.1>>, %r: tensor<1x2x1x1x!quant.uniform<i8:f32, 0.3>>) -> tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>> {
  // expected-error @+1 {{a quantized residual or table needs both conv_scale and conv_zero_point}}
  %0 = edge.Conv %x, %w residual(%r) {conv_scale = 0.5 : f32, dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x1x3x3x!quant.uniform<u8:f32, 0.1:128>>, tensor<2x1x3x3x!quant.uniform<i8:f32, 0.1>>, tensor<1x2x1x1x!quant.uniform<i8:f32, 0.3>>) -> tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>>
  return %0 : tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>>
}

// -----

func.func @conv_residual_no_params(%x: tensor<1x1x3x3x!quant.uniform<u8:f32, 0.1:128>>, %w: tensor<2x1x3x3x!quant.uniform<i8:f32, 0.1>>, %r: tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>>) -> tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>> {
  // expected-error @+1 {{a quantized Conv's residual needs conv_scale and conv_zero_point}}
  %0 = edge.Conv %x, %w residual(%r) {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x1x3x3x!quant.uniform<u8:f32, 0.1:128>>, tensor<2x1x3x3x!quant.uniform<i8:f32, 0.1>>, tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>>) -> tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>>
  return %0 : tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>>
}

// -----

func.func @conv_residual_shape(%x: tensor<1x1x3x3x!quant.uniform<u8:f32, 0.1:128>>, %w: tensor<2x1x3x3x!quant.uniform<i8:f32, 0.1>>, %r: tensor<1x1x1x1x!quant.uniform<i8:f32, 0.3>>) -> tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>> {
  // expected-error @+1 {{the residual must have the result's shape}}
  %0 = edge.Conv %x, %w residual(%r) {conv_scale = 0.5 : f32, conv_zero_point = 128 : i64, dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x1x3x3x!quant.uniform<u8:f32, 0.1:128>>, tensor<2x1x3x3x!quant.uniform<i8:f32, 0.1>>, tensor<1x1x1x1x!quant.uniform<i8:f32, 0.3>>) -> tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>>
  return %0 : tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>>
}

// -----

func.func @conv_residual_zero_point(%x: tensor<1x1x3x3x!quant.uniform<u8:f32, 0.1:128>>, %w: tensor<2x1x3x3x!quant.uniform<i8:f32, 0.1>>, %r: tensor<1x2x1x1x!quant.uniform<i8:f32, 0.3>>) -> tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>> {
  // expected-error @+1 {{conv_zero_point 300 is outside the result's storage range}}
  %0 = edge.Conv %x, %w residual(%r) {conv_scale = 0.5 : f32, conv_zero_point = 300 : i64, dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x1x3x3x!quant.uniform<u8:f32, 0.1:128>>, tensor<2x1x3x3x!quant.uniform<i8:f32, 0.1>>, tensor<1x2x1x1x!quant.uniform<i8:f32, 0.3>>) -> tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>>
  return %0 : tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>>
}

// -----

func.func @conv_residual_activation(%x: tensor<1x1x3x3x!quant.uniform<u8:f32, 0.1:128>>, %w: tensor<2x1x3x3x!quant.uniform<i8:f32, 0.1>>, %r: tensor<1x2x1x1x!quant.uniform<i8:f32, 0.3>>) -> tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>> {
  // expected-error @+1 {{a quantized Conv with a residual takes no activation}}
  %0 = edge.Conv %x, %w residual(%r) {activation = "Relu", conv_scale = 0.5 : f32, conv_zero_point = 128 : i64, dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x1x3x3x!quant.uniform<u8:f32, 0.1:128>>, tensor<2x1x3x3x!quant.uniform<i8:f32, 0.1>>, tensor<1x2x1x1x!quant.uniform<i8:f32, 0.3>>) -> tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>>
  return %0 : tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>>
}

// -----

// A quantized Conv's fused table (edge-fuse-conv-table): all three program attributes,
// the Conv's own code parameters, a program over its one register (the Conv's code), no
// residual and no activation.
func.func @conv_table_partial(%x: tensor<1x1x3x3x!quant.uniform<u8:f32, 0.1:128>>, %w: tensor<2x1x3x3x!quant.uniform<i8:f32, 0.1>>, %r: tensor<1x2x1x1x!quant.uniform<u8:f32, 0.3:128>>) -> tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>> {
  // expected-error @+1 {{table_ops, table_args and table_params go together}}
  %0 = edge.Conv %x, %w {table_ops = ["Sigmoid"], table_args = array<i64: 0, -1>, conv_scale = 0.5 : f32, conv_zero_point = 128 : i64, dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x1x3x3x!quant.uniform<u8:f32, 0.1:128>>, tensor<2x1x3x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>>
  return %0 : tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>>
}

// -----

func.func @conv_table_no_params(%x: tensor<1x1x3x3x!quant.uniform<u8:f32, 0.1:128>>, %w: tensor<2x1x3x3x!quant.uniform<i8:f32, 0.1>>, %r: tensor<1x2x1x1x!quant.uniform<u8:f32, 0.3:128>>) -> tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>> {
  // expected-error @+1 {{a table needs conv_scale and conv_zero_point}}
  %0 = edge.Conv %x, %w {table_args = array<i64: 0, -1, 0, 1>, table_ops = ["Sigmoid", "Mul"], table_params = array<f32: 0.0, 0.0, 0.0, 0.0>, dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x1x3x3x!quant.uniform<u8:f32, 0.1:128>>, tensor<2x1x3x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>>
  return %0 : tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>>
}

// -----

func.func @conv_table_and_residual(%x: tensor<1x1x3x3x!quant.uniform<u8:f32, 0.1:128>>, %w: tensor<2x1x3x3x!quant.uniform<i8:f32, 0.1>>, %r: tensor<1x2x1x1x!quant.uniform<u8:f32, 0.3:128>>) -> tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>> {
  // expected-error @+1 {{takes a residual or a table, not both}}
  %0 = edge.Conv %x, %w residual(%r) {table_args = array<i64: 0, -1, 0, 1>, table_ops = ["Sigmoid", "Mul"], table_params = array<f32: 0.0, 0.0, 0.0, 0.0>, conv_scale = 0.5 : f32, conv_zero_point = 128 : i64, dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x1x3x3x!quant.uniform<u8:f32, 0.1:128>>, tensor<2x1x3x3x!quant.uniform<i8:f32, 0.1>>, tensor<1x2x1x1x!quant.uniform<u8:f32, 0.3:128>>) -> tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>>
  return %0 : tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>>
}

// -----

func.func @conv_table_activation(%x: tensor<1x1x3x3x!quant.uniform<u8:f32, 0.1:128>>, %w: tensor<2x1x3x3x!quant.uniform<i8:f32, 0.1>>, %r: tensor<1x2x1x1x!quant.uniform<u8:f32, 0.3:128>>) -> tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>> {
  // expected-error @+1 {{a quantized Conv with a table takes no activation}}
  %0 = edge.Conv %x, %w {table_args = array<i64: 0, -1, 0, 1>, table_ops = ["Sigmoid", "Mul"], table_params = array<f32: 0.0, 0.0, 0.0, 0.0>, activation = "Relu", conv_scale = 0.5 : f32, conv_zero_point = 128 : i64, dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x1x3x3x!quant.uniform<u8:f32, 0.1:128>>, tensor<2x1x3x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>>
  return %0 : tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>>
}

// -----

func.func @conv_table_register(%x: tensor<1x1x3x3x!quant.uniform<u8:f32, 0.1:128>>, %w: tensor<2x1x3x3x!quant.uniform<i8:f32, 0.1>>, %r: tensor<1x2x1x1x!quant.uniform<u8:f32, 0.3:128>>) -> tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>> {
  // expected-error @+1 {{step 1 (Mul) reads register 2, not an input or an earlier step's (0..1)}}
  %0 = edge.Conv %x, %w {table_args = array<i64: 0, -1, 0, 2>, table_ops = ["Sigmoid", "Mul"], table_params = array<f32: 0.0, 0.0, 0.0, 0.0>, conv_scale = 0.5 : f32, conv_zero_point = 128 : i64, dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x1x3x3x!quant.uniform<u8:f32, 0.1:128>>, tensor<2x1x3x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>>
  return %0 : tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>>
}

// -----

func.func @conv_table_unknown_op(%x: tensor<1x1x3x3x!quant.uniform<u8:f32, 0.1:128>>, %w: tensor<2x1x3x3x!quant.uniform<i8:f32, 0.1>>, %r: tensor<1x2x1x1x!quant.uniform<u8:f32, 0.3:128>>) -> tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>> {
  // expected-error @+1 {{step 0: unknown op 'Gelu'}}
  %0 = edge.Conv %x, %w {table_args = array<i64: 0, -1>, table_ops = ["Gelu"], table_params = array<f32: 0.0, 0.0>, conv_scale = 0.5 : f32, conv_zero_point = 128 : i64, dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x1x3x3x!quant.uniform<u8:f32, 0.1:128>>, tensor<2x1x3x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>>
  return %0 : tensor<1x2x1x1x!quant.uniform<u8:f32, 0.2:128>>
}

// -----

func.func @conv_table_wide(%x: tensor<1x1x3x3x!quant.uniform<u8:f32, 0.1:128>>, %w: tensor<2x1x3x3x!quant.uniform<i8:f32, 0.1>>, %r: tensor<1x2x1x1x!quant.uniform<u8:f32, 0.3:128>>) -> tensor<1x2x1x1x!quant.uniform<i16:f32, 0.2>> {
  // expected-error @+1 {{a quantized table needs a per-tensor 8-bit result}}
  %0 = edge.Conv %x, %w {table_args = array<i64: 0, -1, 0, 1>, table_ops = ["Sigmoid", "Mul"], table_params = array<f32: 0.0, 0.0, 0.0, 0.0>, conv_scale = 0.5 : f32, conv_zero_point = 128 : i64, dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x1x3x3x!quant.uniform<u8:f32, 0.1:128>>, tensor<2x1x3x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x2x1x1x!quant.uniform<i16:f32, 0.2>>
  return %0 : tensor<1x2x1x1x!quant.uniform<i16:f32, 0.2>>
}
