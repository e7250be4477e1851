// RUN: edgec-opt %s -split-input-file -verify-diagnostics
//
// One case per error path of every edge verifier, plus the ODS constraints.

//===----------------------------------------------------------------------===//
// ODS type constraints
//===----------------------------------------------------------------------===//

func.func @dynamic_shape(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of any type but !edge.block values}}
  %0 = edge.Relu %x : tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

func.func @unranked(%x: tensor<*xf32>, %y: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of any type but !edge.block values}}
  %0 = edge.Add %x, %y : (tensor<*xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @dynamic_result(%x: tensor<2x3xf32>) -> tensor<?xf32> {
  // expected-error @+1 {{result #0 must be statically shaped tensor of any type but !edge.block values}}
  %0 = edge.Reshape %x : (tensor<2x3xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @integer_softmax(%x: tensor<2x3xi32>) -> tensor<2x3xi32> {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of floating-point or quant.uniform values}}
  %0 = edge.Softmax %x {axis = 1 : i64} : tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// -----

func.func @where_condition_not_bool(%c: tensor<3xi8>, %x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of 1-bit signless integer values}}
  %0 = edge.Where %c, %x, %x : (tensor<3xi8>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @gather_float_indices(%d: tensor<3xf32>, %i: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{operand #1 must be statically shaped tensor of 32-bit signless integer or 64-bit signless integer values}}
  %0 = edge.Gather %d, %i {axis = 0 : i64} : (tensor<3xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @unary_type_change(%x: tensor<3xf32>) -> tensor<3xf16> {
  // expected-error @+1 {{result element type 'f16' must match the input's 'f32'}}
  %0 = "edge.Relu"(%x) : (tensor<3xf32>) -> tensor<3xf16>
  return %0 : tensor<3xf16>
}

// -----

func.func @missing_attribute(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{requires attribute 'axis'}}
  %0 = edge.Softmax %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

//===----------------------------------------------------------------------===//
// constant
//===----------------------------------------------------------------------===//

// -----

func.func @constant_type_mismatch() -> tensor<3xf32> {
  // expected-error @+1 {{failed to verify that all of {value, output} have same type}}
  %0 = "edge.constant"() <{value = dense<[1.0, 2.0]> : tensor<2xf32>}> : () -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @constant_element_type_mismatch() -> tensor<2xf16> {
  // expected-error @+1 {{failed to verify that all of {value, output} have same type}}
  %0 = "edge.constant"() <{value = dense<[1.0, 2.0]> : tensor<2xf32>}> : () -> tensor<2xf16>
  return %0 : tensor<2xf16>
}

// -----

func.func @constant_not_elements() -> tensor<f32> {
  // expected-error @+1 {{Invalid attribute `value` in property conversion: 1.000000e+00 : f32}}
  %0 = "edge.constant"() <{value = 1.0 : f32}> : () -> tensor<f32>
  return %0 : tensor<f32>
}

//===----------------------------------------------------------------------===//
// Binary elementwise
//===----------------------------------------------------------------------===//

// -----

func.func @add_element_types(%a: tensor<3xf32>, %b: tensor<3xf16>) -> tensor<3xf32> {
  // expected-error @+1 {{operand element types differ: 'f32' vs 'f16'}}
  %0 = edge.Add %a, %b : (tensor<3xf32>, tensor<3xf16>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @mul_result_element_type(%a: tensor<3xf32>) -> tensor<3xf16> {
  // expected-error @+1 {{result element type must match the first operand}}
  %0 = edge.Mul %a, %a : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf16>
  return %0 : tensor<3xf16>
}

// -----

func.func @pow_result_element_type(%a: tensor<3xf32>, %e: tensor<3xi32>) -> tensor<3xi32> {
  // Pow's exponent may differ, but the result follows the base.
  // expected-error @+1 {{result element type must match the first operand}}
  %0 = edge.Pow %a, %e : (tensor<3xf32>, tensor<3xi32>) -> tensor<3xi32>
  return %0 : tensor<3xi32>
}

// -----

func.func @sub_not_broadcastable(%a: tensor<2x3xf32>, %b: tensor<4xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{operand shapes are not broadcast-compatible: [2,3] vs [4]}}
  %0 = edge.Sub %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @div_wrong_result_shape(%a: tensor<2x1xf32>, %b: tensor<3xf32>) -> tensor<2x1xf32> {
  // expected-error @+1 {{result shape [2,1] is not the broadcast shape [2,3]}}
  %0 = edge.Div %a, %b : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

//===----------------------------------------------------------------------===//
// Where
//===----------------------------------------------------------------------===//

// -----

func.func @where_element_types(%c: tensor<3xi1>, %x: tensor<3xf32>, %y: tensor<3xi32>) -> tensor<3xf32> {
  // expected-error @+1 {{X, Y and the result must have the same element type}}
  %0 = edge.Where %c, %x, %y : (tensor<3xi1>, tensor<3xf32>, tensor<3xi32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @where_result_element_type(%c: tensor<3xi1>, %x: tensor<3xf32>) -> tensor<3xf16> {
  // expected-error @+1 {{X, Y and the result must have the same element type}}
  %0 = edge.Where %c, %x, %x : (tensor<3xi1>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf16>
  return %0 : tensor<3xf16>
}

// -----

func.func @where_not_broadcastable(%c: tensor<2xi1>, %x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{operand shapes are not broadcast-compatible: [2] vs [3]}}
  %0 = edge.Where %c, %x, %x : (tensor<2xi1>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @where_result_shape(%c: tensor<2x1xi1>, %x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{result shape [3] is not the broadcast shape [2,3]}}
  %0 = edge.Where %c, %x, %x : (tensor<2x1xi1>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

//===----------------------------------------------------------------------===//
// Clip
//===----------------------------------------------------------------------===//

// -----

func.func @clip_result_type(%x: tensor<4xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{result type must match the input type}}
  %0 = edge.Clip %x : (tensor<4xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

func.func @clip_bound_not_scalar(%x: tensor<4xf32>, %lo: tensor<2xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{min and max must be scalars (one element)}}
  %0 = edge.Clip %x min %lo : (tensor<4xf32>, tensor<2xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @clip_bound_element_type(%x: tensor<4xf32>, %hi: tensor<f16>) -> tensor<4xf32> {
  // expected-error @+1 {{min and max must have the input's element type}}
  %0 = edge.Clip %x max %hi : (tensor<4xf32>, tensor<f16>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

//===----------------------------------------------------------------------===//
// Softmax
//===----------------------------------------------------------------------===//

// -----

func.func @softmax_axis_too_big(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{axis 2 is out of range for rank 2 (axes must be normalized to [0, rank))}}
  %0 = edge.Softmax %x {axis = 2 : i64} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @softmax_axis_negative(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{axis -1 is out of range for rank 2}}
  %0 = edge.Softmax %x {axis = -1 : i64} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @softmax_scalar(%x: tensor<f32>) -> tensor<f32> {
  // A rank-0 tensor has no axis.
  // expected-error @+1 {{axis 0 is out of range for rank 0}}
  %0 = edge.Softmax %x {axis = 0 : i64} : tensor<f32>
  return %0 : tensor<f32>
}

//===----------------------------------------------------------------------===//
// LayerNormalization
//===----------------------------------------------------------------------===//

// -----

func.func @layer_norm_axis(%x: tensor<2x4xf32>, %s: tensor<4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = edge.LayerNormalization %x, %s {axis = 2 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @layer_norm_scale_shape(%x: tensor<2x4xf32>, %s: tensor<3xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{scale/bias shape [3] does not broadcast to the normalized shape [4]}}
  %0 = edge.LayerNormalization %x, %s {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x4xf32>, tensor<3xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @layer_norm_scale_too_big(%x: tensor<2x4xf32>, %s: tensor<2x4xf32>) -> tensor<2x4xf32> {
  // Broadcast-compatible, but the broadcast would grow the normalized shape.
  // expected-error @+1 {{scale/bias shape [2,4] does not broadcast to the normalized shape [4]}}
  %0 = edge.LayerNormalization %x, %s {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @layer_norm_bias_shape(%x: tensor<2x4xf32>, %s: tensor<4xf32>, %b: tensor<2xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{scale/bias shape [2] does not broadcast to the normalized shape [4]}}
  %0 = edge.LayerNormalization %x, %s, %b {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x4xf32>, tensor<4xf32>, tensor<2xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @layer_norm_scale_element_type(%x: tensor<2x4xf32>, %s: tensor<4xf16>) -> tensor<2x4xf32> {
  // expected-error @+1 {{scale and bias must have the input's element type}}
  %0 = edge.LayerNormalization %x, %s {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x4xf32>, tensor<4xf16>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @layer_norm_no_results(%x: tensor<2x4xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{expects 1 to 3 results (Y, Mean, InvStdDev)}}
  edge.LayerNormalization %x, %s {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x4xf32>, tensor<4xf32>) -> ()
  return
}

// -----

func.func @layer_norm_four_results(%x: tensor<2x4xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{expects 1 to 3 results (Y, Mean, InvStdDev)}}
  %0:4 = edge.LayerNormalization %x, %s {axis = 1 : i64, epsilon = 1.0e-5 : f32}
      : (tensor<2x4xf32>, tensor<4xf32>) -> (tensor<2x4xf32>, tensor<2x1xf32>, tensor<2x1xf32>, tensor<2x1xf32>)
  return
}

// -----

func.func @layer_norm_y_type(%x: tensor<2x4xf32>, %s: tensor<4xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{Y must have the input type}}
  %0 = edge.LayerNormalization %x, %s {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @layer_norm_stat_shape(%x: tensor<2x3x4xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{Mean/InvStdDev must have shape [2,3,1]}}
  %0:2 = edge.LayerNormalization %x, %s {axis = 2 : i64, epsilon = 1.0e-5 : f32}
      : (tensor<2x3x4xf32>, tensor<4xf32>) -> (tensor<2x3x4xf32>, tensor<2x3xf32>)
  return
}

//===----------------------------------------------------------------------===//
// BatchNormalization
//===----------------------------------------------------------------------===//

// -----

func.func @batch_norm_rank(%x: tensor<4xf32>, %p: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{input must have rank >= 2 (N, C, ...)}}
  %0 = edge.BatchNormalization %x, %p, %p, %p, %p {epsilon = 1.0e-5 : f32}
      : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @batch_norm_param_shape(%x: tensor<1x3x2x2xf32>, %p: tensor<3xf32>, %v: tensor<1x3xf32>) -> tensor<1x3x2x2xf32> {
  // expected-error @+1 {{scale, bias, mean and var must have shape [3]}}
  %0 = edge.BatchNormalization %x, %p, %p, %p, %v {epsilon = 1.0e-5 : f32}
      : (tensor<1x3x2x2xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<1x3xf32>) -> tensor<1x3x2x2xf32>
  return %0 : tensor<1x3x2x2xf32>
}

// -----

func.func @batch_norm_param_channels(%x: tensor<1x3x2x2xf32>, %p: tensor<3xf32>, %m: tensor<4xf32>) -> tensor<1x3x2x2xf32> {
  // expected-error @+1 {{scale, bias, mean and var must have shape [3]}}
  %0 = edge.BatchNormalization %x, %p, %p, %m, %p {epsilon = 1.0e-5 : f32}
      : (tensor<1x3x2x2xf32>, tensor<3xf32>, tensor<3xf32>, tensor<4xf32>, tensor<3xf32>) -> tensor<1x3x2x2xf32>
  return %0 : tensor<1x3x2x2xf32>
}

// -----

func.func @batch_norm_result_type(%x: tensor<1x3x2x2xf32>, %p: tensor<3xf32>) -> tensor<1x3x2x2xf16> {
  // expected-error @+1 {{result type must match the input type}}
  %0 = edge.BatchNormalization %x, %p, %p, %p, %p {epsilon = 1.0e-5 : f32}
      : (tensor<1x3x2x2xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x2x2xf16>
  return %0 : tensor<1x3x2x2xf16>
}

//===----------------------------------------------------------------------===//
// MatMul
//===----------------------------------------------------------------------===//

// -----

func.func @matmul_scalar(%a: tensor<f32>, %b: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{operands must have rank >= 1}}
  %0 = edge.MatMul %a, %b : (tensor<f32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @matmul_element_types(%a: tensor<2x3xf32>, %b: tensor<3x4xf16>) -> tensor<2x4xf32> {
  // expected-error @+1 {{A, B and the result must have the same element type}}
  %0 = edge.MatMul %a, %b : (tensor<2x3xf32>, tensor<3x4xf16>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @matmul_contracting(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<2x5xf32> {
  // expected-error @+1 {{contracting dims differ: 3 vs 4}}
  %0 = edge.MatMul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

func.func @matmul_batch(%a: tensor<2x2x3xf32>, %b: tensor<3x3x4xf32>) -> tensor<2x2x4xf32> {
  // expected-error @+1 {{batch dims are not broadcast-compatible}}
  %0 = edge.MatMul %a, %b : (tensor<2x2x3xf32>, tensor<3x3x4xf32>) -> tensor<2x2x4xf32>
  return %0 : tensor<2x2x4xf32>
}

// -----

func.func @matmul_result_shape(%a: tensor<2x3xf32>, %v: tensor<3xf32>) -> tensor<2x1xf32> {
  // A 1-D B is promoted to a column and the column dim removed again.
  // expected-error @+1 {{result shape [2,1] should be [2]}}
  %0 = edge.MatMul %a, %v : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

//===----------------------------------------------------------------------===//
// Gemm
//===----------------------------------------------------------------------===//

// -----

func.func @gemm_not_matrices(%a: tensor<1x2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{A and B must be matrices}}
  %0 = edge.Gemm %a, %b : (tensor<1x2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @gemm_element_types(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %c: tensor<4xf16>) -> tensor<2x4xf32> {
  // expected-error @+1 {{A, B, C and the result must have the same element type}}
  %0 = edge.Gemm %a, %b, %c : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<4xf16>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @gemm_contracting(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x3xf32> {
  // transB makes B [4, 3]: K is 3 vs 4.
  // expected-error @+1 {{contracting dims differ: 3 vs 4}}
  %0 = edge.Gemm %a, %b {transB = 1 : i64} : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @gemm_result_shape(%a: tensor<3x2xf32>, %b: tensor<3x4xf32>) -> tensor<3x4xf32> {
  // expected-error @+1 {{result shape should be [2,4]}}
  %0 = edge.Gemm %a, %b {transA = 1 : i64} : (tensor<3x2xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @gemm_c_shape(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %c: tensor<2xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{C must broadcast to [M, N]}}
  %0 = edge.Gemm %a, %b, %c : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<2xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @gemm_c_too_big(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %c: tensor<3x2x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{C must broadcast to [M, N]}}
  %0 = edge.Gemm %a, %b, %c : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<3x2x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

//===----------------------------------------------------------------------===//
// Conv
//===----------------------------------------------------------------------===//

// -----

func.func @conv_rank(%x: tensor<1x3xf32>, %w: tensor<4x3xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{input, weight and result must have the same rank >= 3 (N, C, spatial...)}}
  %0 = edge.Conv %x, %w {dilations = array<i64>, group = 1 : i64, pads = array<i64>, strides = array<i64>}
      : (tensor<1x3xf32>, tensor<4x3xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @conv_weight_rank(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{input, weight and result must have the same rank >= 3 (N, C, spatial...)}}
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_element_types(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf16>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{input, weight, bias and result must have the same element type}}
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf16>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_bias_element_type(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf16>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{input, weight, bias and result must have the same element type}}
  %0 = edge.Conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf16>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_residual_shape(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %r: tensor<1x4x1x1xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{residual must have the result's type 'tensor<1x4x6x6xf32>', got 'tensor<1x4x1x1xf32>'}}
  %0 = edge.Conv %x, %w residual(%r) {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_residual_quantized(%x: tensor<1x1x3x3x!quant.uniform<i8:f32, 5.000000e-01:-3>>, %w: tensor<2x1x2x2x!quant.uniform<i8:f32:0, {2.500000e-01,1.250000e-01}>>, %r: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 7.500000e-01:5>> {
  // expected-error @+1 {{residual must have the result's type}}
  %0 = edge.Conv %x, %w residual(%r) {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x1x3x3x!quant.uniform<i8:f32, 5.000000e-01:-3>>, tensor<2x1x2x2x!quant.uniform<i8:f32:0, {2.500000e-01,1.250000e-01}>>, tensor<1x2x2x2xf32>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 7.500000e-01:5>>
  return %0 : tensor<1x2x2x2x!quant.uniform<i8:f32, 7.500000e-01:5>>
}

// -----

func.func @conv_strides_size(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{expects 2 strides and dilations and 4 pads for 2 spatial dims}}
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1>}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_pads_size(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{expects 2 strides and dilations and 4 pads for 2 spatial dims}}
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_dilations_size(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{expects 2 strides and dilations and 4 pads for 2 spatial dims}}
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_stride_zero(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{strides and dilations must be >= 1}}
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 0>}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_dilation_zero(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{strides and dilations must be >= 1}}
  %0 = edge.Conv %x, %w {dilations = array<i64: 0, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_negative_pad(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{pads must be >= 0}}
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, -1, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_group_zero(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{group 0 must divide input channels 4 and output channels 4}}
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 0 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_group_input_channels(%x: tensor<1x3x8x8xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{group 2 must divide input channels 3 and output channels 4}}
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x3x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_group_output_channels(%x: tensor<1x4x8x8xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x6x6xf32> {
  // expected-error @+1 {{group 2 must divide input channels 4 and output channels 3}}
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x4x8x8xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x6x6xf32>
  return %0 : tensor<1x3x6x6xf32>
}

// -----

func.func @conv_weight_channels(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{weight has 4 input channels per group, expected 2}}
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_result_batch(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<2x4x6x6xf32> {
  // expected-error @+1 {{result must have shape [N, M, ...]}}
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<2x4x6x6xf32>
  return %0 : tensor<2x4x6x6xf32>
}

// -----

func.func @conv_result_channels(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x3x6x6xf32> {
  // expected-error @+1 {{result must have shape [N, M, ...]}}
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x3x6x6xf32>
  return %0 : tensor<1x3x6x6xf32>
}

// -----

func.func @conv_bias_shape(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{bias must have shape [4]}}
  %0 = edge.Conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_activation(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{unknown fused activation 'Gelu'}}
  %0 = edge.Conv %x, %w {activation = "Gelu", dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_thread_split(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x1x1xf32>) -> tensor<1x4x8x8xf32> {
  // expected-error @+1 {{unknown thread_split 'rows' (expected "channels")}}
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, thread_split = "rows"}
      : (tensor<1x3x8x8xf32>, tensor<4x3x1x1xf32>) -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

func.func @conv_output_dim(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x5xf32> {
  // expected-error @+1 {{result spatial dim 1 is 5, expected 6}}
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x5xf32>
  return %0 : tensor<1x4x6x5xf32>
}

// -----

func.func @conv_output_dim_strided(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x2x2xf32> {
  // (8 - 3) / 2 + 1 = 3 rounding down, 4 rounding up.
  // expected-error @+1 {{result spatial dim 0 is 2, expected 3 or 4}}
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x2x2xf32>
  return %0 : tensor<1x4x2x2xf32>
}

// -----

func.func @conv_window_too_big(%x: tensor<1x3x2x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x1x6xf32> {
  // expected-error @+1 {{window does not fit spatial dim 0 of size 2}}
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x3x2x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x1x6xf32>
  return %0 : tensor<1x4x1x6xf32>
}

// -----

func.func @conv_empty_kernel(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x0x3xf32>) -> tensor<1x4x9x6xf32> {
  // expected-error @+1 {{kernel size 0 in spatial dim 0 must be >= 1}}
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x3x8x8xf32>, tensor<4x3x0x3xf32>) -> tensor<1x4x9x6xf32>
  return %0 : tensor<1x4x9x6xf32>
}

//===----------------------------------------------------------------------===//
// MaxPool / AveragePool
//===----------------------------------------------------------------------===//

// -----

func.func @pool_rank(%x: tensor<1x3xf32>) -> tensor<1x3xf32> {
  // expected-error @+1 {{input and result must have the same rank >= 3 (N, C, spatial...)}}
  %0 = edge.MaxPool %x {dilations = array<i64>, kernel_shape = array<i64>, pads = array<i64>, strides = array<i64>}
      : (tensor<1x3xf32>) -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}

// -----

func.func @pool_result_rank(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x4xf32> {
  // expected-error @+1 {{input and result must have the same rank >= 3 (N, C, spatial...)}}
  %0 = edge.AveragePool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x3x4x4xf32>) -> tensor<1x3x4xf32>
  return %0 : tensor<1x3x4xf32>
}

// -----

func.func @pool_kernel_shape_size(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x2x2xf32> {
  // expected-error @+1 {{kernel_shape must have 2 entries}}
  %0 = edge.MaxPool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x3x4x4xf32>) -> tensor<1x3x2x2xf32>
  return %0 : tensor<1x3x2x2xf32>
}

// -----

func.func @pool_attr_sizes(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x2x2xf32> {
  // expected-error @+1 {{expects 2 strides and dilations and 4 pads for 2 spatial dims}}
  %0 = edge.MaxPool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1, 1>}
      : (tensor<1x3x4x4xf32>) -> tensor<1x3x2x2xf32>
  return %0 : tensor<1x3x2x2xf32>
}

// -----

func.func @pool_stride_zero(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x2x2xf32> {
  // expected-error @+1 {{strides and dilations must be >= 1}}
  %0 = edge.AveragePool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 0, 1>}
      : (tensor<1x3x4x4xf32>) -> tensor<1x3x2x2xf32>
  return %0 : tensor<1x3x2x2xf32>
}

// -----

func.func @pool_negative_pad(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x2x2xf32> {
  // expected-error @+1 {{pads must be >= 0}}
  %0 = edge.MaxPool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 0, -1, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x3x4x4xf32>) -> tensor<1x3x2x2xf32>
  return %0 : tensor<1x3x2x2xf32>
}

// -----

func.func @pool_keeps_channels(%x: tensor<1x3x4x4xf32>) -> tensor<1x4x2x2xf32> {
  // expected-error @+1 {{result must keep N and C}}
  %0 = edge.MaxPool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x3x4x4xf32>) -> tensor<1x4x2x2xf32>
  return %0 : tensor<1x4x2x2xf32>
}

// -----

func.func @pool_output_dim(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x2x3xf32> {
  // expected-error @+1 {{result spatial dim 1 is 3, expected 2}}
  %0 = edge.AveragePool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x3x4x4xf32>) -> tensor<1x3x2x3xf32>
  return %0 : tensor<1x3x2x3xf32>
}

// -----

func.func @pool_window_too_big(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x1x1xf32> {
  // Dilation 2 spreads the 3-wide kernel over 5 elements.
  // expected-error @+1 {{window does not fit spatial dim 0 of size 4}}
  %0 = edge.MaxPool %x {dilations = array<i64: 2, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x3x4x4xf32>) -> tensor<1x3x1x1xf32>
  return %0 : tensor<1x3x1x1xf32>
}

// -----

func.func @pool_empty_kernel(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x5x4xf32> {
  // expected-error @+1 {{kernel size 0 in spatial dim 0 must be >= 1}}
  %0 = edge.MaxPool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 0, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x3x4x4xf32>) -> tensor<1x3x5x4xf32>
  return %0 : tensor<1x3x5x4xf32>
}

// -----

func.func @pool_negative_kernel(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32> {
  // expected-error @+1 {{kernel size -1 in spatial dim 1 must be >= 1}}
  %0 = edge.AveragePool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 1, -1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

//===----------------------------------------------------------------------===//
// GlobalAveragePool
//===----------------------------------------------------------------------===//

// -----

func.func @global_pool_rank(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{result must be [N, C, 1, ...] for an [N, C, ...] input}}
  %0 = edge.GlobalAveragePool %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @global_pool_result(%x: tensor<2x3x4x4xf32>) -> tensor<2x3x1x2xf32> {
  // expected-error @+1 {{result must be [N, C, 1, ...] for an [N, C, ...] input}}
  %0 = edge.GlobalAveragePool %x : (tensor<2x3x4x4xf32>) -> tensor<2x3x1x2xf32>
  return %0 : tensor<2x3x1x2xf32>
}

// -----

func.func @global_pool_channels(%x: tensor<2x3x4x4xf32>) -> tensor<2x1x1x1xf32> {
  // expected-error @+1 {{result must be [N, C, 1, ...] for an [N, C, ...] input}}
  %0 = edge.GlobalAveragePool %x : (tensor<2x3x4x4xf32>) -> tensor<2x1x1x1xf32>
  return %0 : tensor<2x1x1x1xf32>
}

//===----------------------------------------------------------------------===//
// Reshape
//===----------------------------------------------------------------------===//

// -----

func.func @reshape_element_type(%x: tensor<2x3xf32>) -> tensor<6xi32> {
  // expected-error @+1 {{reshape cannot change the element type}}
  %0 = edge.Reshape %x : (tensor<2x3xf32>) -> tensor<6xi32>
  return %0 : tensor<6xi32>
}

// -----

func.func @reshape_count(%x: tensor<2x3xf32>) -> tensor<7xf32> {
  // expected-error @+1 {{cannot reshape [2,3] to [7]: element counts differ}}
  %0 = edge.Reshape %x : (tensor<2x3xf32>) -> tensor<7xf32>
  return %0 : tensor<7xf32>
}

//===----------------------------------------------------------------------===//
// Transpose
//===----------------------------------------------------------------------===//

// -----

func.func @transpose_perm_rank(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{perm, input and result must have the same rank}}
  %0 = edge.Transpose %x {perm = array<i64: 1, 0, 2>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @transpose_result_rank(%x: tensor<2x3xf32>) -> tensor<6xf32> {
  // expected-error @+1 {{perm, input and result must have the same rank}}
  %0 = edge.Transpose %x {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

func.func @transpose_perm_duplicate(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{perm must be a permutation of [0, rank)}}
  %0 = edge.Transpose %x {perm = array<i64: 0, 0>} : (tensor<2x2xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

func.func @transpose_perm_range(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{perm must be a permutation of [0, rank)}}
  %0 = edge.Transpose %x {perm = array<i64: 0, 2>} : (tensor<2x2xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

func.func @transpose_result_dim(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{result dim 0 must be input dim 1}}
  %0 = edge.Transpose %x {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @transpose_element_type(%x: tensor<2x3xf32>) -> tensor<3x2xf16> {
  // expected-error @+1 {{transpose cannot change the element type}}
  %0 = edge.Transpose %x {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf16>
  return %0 : tensor<3x2xf16>
}

//===----------------------------------------------------------------------===//
// Concat
//===----------------------------------------------------------------------===//

// -----

func.func @concat_no_inputs() -> tensor<2xf32> {
  // expected-error @+1 {{needs at least one input}}
  %0 = edge.Concat {axis = 0 : i64} : () -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @concat_scalars(%a: tensor<f32>) -> tensor<f32> {
  // Used to crash: verifyAxis accepted axis 0 for rank 0 and the verifier indexed
  // the empty shape.
  // expected-error @+1 {{cannot concatenate rank-0 tensors}}
  %0 = edge.Concat %a, %a {axis = 0 : i64} : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @concat_axis(%a: tensor<2x3xf32>) -> tensor<2x6xf32> {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = edge.Concat %a, %a {axis = 2 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @concat_input_rank(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x6xf32> {
  // expected-error @+1 {{inputs must have the result's rank and element type}}
  %0 = edge.Concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @concat_element_type(%a: tensor<2x3xf32>, %b: tensor<2x3xf16>) -> tensor<2x6xf32> {
  // expected-error @+1 {{inputs must have the result's rank and element type}}
  %0 = edge.Concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x3xf16>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @concat_other_dims(%a: tensor<2x3xf32>, %b: tensor<4x3xf32>) -> tensor<2x6xf32> {
  // expected-error @+1 {{input shape [4,3] differs from the result [2,6] outside axis 1}}
  %0 = edge.Concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @concat_sum(%a: tensor<2x3xf32>) -> tensor<2x7xf32> {
  // expected-error @+1 {{inputs sum to 6 along axis 1, result has 7}}
  %0 = edge.Concat %a, %a {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x7xf32>
  return %0 : tensor<2x7xf32>
}

//===----------------------------------------------------------------------===//
// Slice
//===----------------------------------------------------------------------===//

// -----

func.func @slice_entries(%x: tensor<4x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{starts, ends, steps and the result need one entry per input dim}}
  %0 = edge.Slice %x {starts = array<i64: 0>, ends = array<i64: 2, 4>, steps = array<i64: 1, 1>} : (tensor<4x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @slice_result_rank(%x: tensor<4x4xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{starts, ends, steps and the result need one entry per input dim}}
  %0 = edge.Slice %x {starts = array<i64: 0, 0>, ends = array<i64: 2, 4>, steps = array<i64: 1, 1>} : (tensor<4x4xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @slice_zero_step(%x: tensor<4x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{steps must be non-zero}}
  %0 = edge.Slice %x {starts = array<i64: 0, 0>, ends = array<i64: 2, 4>, steps = array<i64: 1, 0>} : (tensor<4x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @slice_start_negative(%x: tensor<4x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{start -1 is outside dim 0 of size 4}}
  %0 = edge.Slice %x {starts = array<i64: -1, 0>, ends = array<i64: 1, 4>, steps = array<i64: 1, 1>} : (tensor<4x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @slice_start_past_end(%x: tensor<4x4xf32>) -> tensor<4x2xf32> {
  // expected-error @+1 {{start 5 is outside dim 1 of size 4}}
  %0 = edge.Slice %x {starts = array<i64: 0, 5>, ends = array<i64: 4, 3>, steps = array<i64: 1, -1>} : (tensor<4x4xf32>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

func.func @slice_end_past_dim(%x: tensor<4x4xf32>) -> tensor<6x4xf32> {
  // Used to verify: the slice read rows 4 and 5 of a 4-row input.
  // expected-error @+1 {{end 6 is outside dim 0 of size 4 (normalized ends lie in [0, dim], or [-1, dim-1] for negative steps)}}
  %0 = edge.Slice %x {starts = array<i64: 0, 0>, ends = array<i64: 6, 4>, steps = array<i64: 1, 1>} : (tensor<4x4xf32>) -> tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// -----

func.func @slice_end_below_minus_one(%x: tensor<4x4xf32>) -> tensor<4x3xf32> {
  // Backwards from 1 to -5 by -2 selects 1, -1, -3.
  // expected-error @+1 {{end -5 is outside dim 1 of size 4}}
  %0 = edge.Slice %x {starts = array<i64: 0, 1>, ends = array<i64: 4, -5>, steps = array<i64: 1, -2>} : (tensor<4x4xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @slice_result_dim(%x: tensor<4x4xf32>) -> tensor<3x4xf32> {
  // expected-error @+1 {{result dim 0 is 3, the slice selects 2}}
  %0 = edge.Slice %x {starts = array<i64: 0, 0>, ends = array<i64: 4, 4>, steps = array<i64: 2, 1>} : (tensor<4x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @slice_element_type(%x: tensor<4x4xf32>) -> tensor<2x4xf16> {
  // expected-error @+1 {{slice cannot change the element type}}
  %0 = edge.Slice %x {starts = array<i64: 0, 0>, ends = array<i64: 2, 4>, steps = array<i64: 1, 1>} : (tensor<4x4xf32>) -> tensor<2x4xf16>
  return %0 : tensor<2x4xf16>
}

//===----------------------------------------------------------------------===//
// Gather
//===----------------------------------------------------------------------===//

// -----

func.func @gather_scalar_data(%d: tensor<f32>, %i: tensor<2xi64>) -> tensor<2xf32> {
  // expected-error @+1 {{data must have rank >= 1}}
  %0 = edge.Gather %d, %i {axis = 0 : i64} : (tensor<f32>, tensor<2xi64>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @gather_axis(%d: tensor<3x4xf32>, %i: tensor<2xi64>) -> tensor<3x2xf32> {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = edge.Gather %d, %i {axis = 2 : i64} : (tensor<3x4xf32>, tensor<2xi64>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @gather_result_shape(%d: tensor<3x4xf32>, %i: tensor<2xi64>) -> tensor<2x4xf32> {
  // expected-error @+1 {{result shape should be [3,2]}}
  %0 = edge.Gather %d, %i {axis = 1 : i64} : (tensor<3x4xf32>, tensor<2xi64>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @gather_element_type(%d: tensor<3x4xf32>, %i: tensor<2xi32>) -> tensor<2x4xf16> {
  // expected-error @+1 {{gather cannot change the element type}}
  %0 = edge.Gather %d, %i {axis = 0 : i64} : (tensor<3x4xf32>, tensor<2xi32>) -> tensor<2x4xf16>
  return %0 : tensor<2x4xf16>
}

//===----------------------------------------------------------------------===//
// Expand
//===----------------------------------------------------------------------===//

// -----

func.func @expand_element_type(%x: tensor<3x1xf32>) -> tensor<3x4xi32> {
  // expected-error @+1 {{expand cannot change the element type}}
  %0 = edge.Expand %x : (tensor<3x1xf32>) -> tensor<3x4xi32>
  return %0 : tensor<3x4xi32>
}

// -----

func.func @expand_incompatible(%x: tensor<3x2xf32>) -> tensor<3x4xf32> {
  // expected-error @+1 {{cannot broadcast [3,2] to [3,4]}}
  %0 = edge.Expand %x : (tensor<3x2xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @expand_shrinks(%x: tensor<3x4xf32>) -> tensor<1x4xf32> {
  // Broadcast-compatible, but Expand cannot make a dim smaller.
  // expected-error @+1 {{cannot broadcast [3,4] to [1,4]}}
  %0 = edge.Expand %x : (tensor<3x4xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @expand_lower_rank(%x: tensor<2x3x4xf32>) -> tensor<3x4xf32> {
  // expected-error @+1 {{cannot broadcast [2,3,4] to [3,4]}}
  %0 = edge.Expand %x : (tensor<2x3x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

//===----------------------------------------------------------------------===//
// Cast
//===----------------------------------------------------------------------===//

// -----

func.func @cast_shape(%x: tensor<2x3xf32>) -> tensor<3x2xi32> {
  // expected-error @+1 {{cast cannot change the shape}}
  %0 = edge.Cast %x : (tensor<2x3xf32>) -> tensor<3x2xi32>
  return %0 : tensor<3x2xi32>
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

// -----

func.func @reduce_axis_range(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{reduced axis 2 is out of range for rank 2}}
  %0 = edge.ReduceMean %x {axes = array<i64: 2>, keepdims = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @reduce_axis_negative(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{reduced axis -1 is out of range for rank 2}}
  %0 = edge.ReduceSum %x {axes = array<i64: -1>, keepdims = 0 : i64} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @reduce_scalar_axis(%x: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{reduced axis 0 is out of range for rank 0}}
  %0 = edge.ReduceSum %x {axes = array<i64: 0>, keepdims = 0 : i64} : (tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @reduce_axes_unsorted(%x: tensor<2x3xf32>) -> tensor<1x1xf32> {
  // expected-error @+1 {{axes must be sorted and unique}}
  %0 = edge.ReduceMax %x {axes = array<i64: 1, 0>, keepdims = 1 : i64} : (tensor<2x3xf32>) -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}

// -----

func.func @reduce_axes_duplicate(%x: tensor<2x3xf32>) -> tensor<2x1xf32> {
  // expected-error @+1 {{axes must be sorted and unique}}
  %0 = edge.ReduceMin %x {axes = array<i64: 1, 1>, keepdims = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

func.func @reduce_keepdims_shape(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{result shape should be [2,1]}}
  %0 = edge.ReduceMean %x {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @reduce_all_shape(%x: tensor<2x3xf32>) -> tensor<1xf32> {
  // Empty axes reduce every dim.
  // expected-error @+1 {{result shape should be []}}
  %0 = edge.ReduceSum %x {axes = array<i64>, keepdims = 0 : i64} : (tensor<2x3xf32>) -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

func.func @reduce_element_type(%x: tensor<2x3xf32>) -> tensor<2xf64> {
  // expected-error @+1 {{reduction cannot change the element type}}
  %0 = edge.ReduceMax %x {axes = array<i64: 1>, keepdims = 0 : i64} : (tensor<2x3xf32>) -> tensor<2xf64>
  return %0 : tensor<2xf64>
}

// -----

func.func @shape_range(%x: tensor<2x3xf32>) -> tensor<2xi64> {
  // expected-error @+1 {{start 1 and end 3 must satisfy 0 <= start <= end <= rank 2}}
  %s = edge.Shape %x {start = 1 : i64, end = 3 : i64} : (tensor<2x3xf32>) -> tensor<2xi64>
  return %s : tensor<2xi64>
}

// -----

func.func @shape_count(%x: tensor<2x3xf32>) -> tensor<1xi64> {
  // expected-error @+1 {{result must have end - start = 2 elements}}
  %s = edge.Shape %x {start = 0 : i64, end = 2 : i64} : (tensor<2x3xf32>) -> tensor<1xi64>
  return %s : tensor<1xi64>
}
