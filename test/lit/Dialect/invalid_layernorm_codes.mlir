// RUN: edgec-opt %s -split-input-file -verify-diagnostics
//
// LayerNormalization on codes (a quantized input): the verifier's error paths, and the
// forms it accepts (8-bit codes or f32 out).

!qi8 = !quant.uniform<i8:f32, 0.05:3>
!qu8 = !quant.uniform<u8:f32, 0.03:128>

func.func @accepted(%x: tensor<2x4x!qi8>, %xu: tensor<2x4x!qu8>, %s: tensor<4xf32>, %b: tensor<4xf32>)
    -> (tensor<2x4x!qu8>, tensor<2x4xf32>) {
  %0 = edge.LayerNormalization %x, %s, %b {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x4x!qi8>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4x!qu8>
  %1 = edge.LayerNormalization %xu, %s {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x4x!qu8>, tensor<4xf32>) -> tensor<2x4xf32>
  return %0, %1 : tensor<2x4x!qu8>, tensor<2x4xf32>
}

// -----

func.func @codes_with_stats(%x: tensor<2x4x!quant.uniform<i8:f32, 0.05:3>>, %s: tensor<4xf32>) -> tensor<2x1xf32> {
  // expected-error @+1 {{on a quantized input: one result (Y), no Mean/InvStdDev}}
  %y, %m = edge.LayerNormalization %x, %s {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x4x!quant.uniform<i8:f32, 0.05:3>>, tensor<4xf32>) -> (tensor<2x4xf32>, tensor<2x1xf32>)
  return %m : tensor<2x1xf32>
}

// -----

func.func @quantized_y_of_float(%x: tensor<2x4xf32>, %s: tensor<4xf32>) -> tensor<2x4x!quant.uniform<i8:f32, 0.05:3>> {
  // expected-error @+1 {{a quantized Y needs a quantized input}}
  %0 = edge.LayerNormalization %x, %s {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4x!quant.uniform<i8:f32, 0.05:3>>
  return %0 : tensor<2x4x!quant.uniform<i8:f32, 0.05:3>>
}

// -----

func.func @wide_codes(%x: tensor<2x4x!quant.uniform<i16:f32, 0.05>>, %s: tensor<4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{a quantized input must be per-tensor 8-bit with f32 expressed type}}
  %0 = edge.LayerNormalization %x, %s {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x4x!quant.uniform<i16:f32, 0.05>>, tensor<4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @per_axis_codes(%x: tensor<2x4x!quant.uniform<i8:f32:1, {0.1, 0.2, 0.3, 0.4}>>, %s: tensor<4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{a quantized input must be per-tensor 8-bit with f32 expressed type}}
  %0 = edge.LayerNormalization %x, %s {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x4x!quant.uniform<i8:f32:1, {0.1, 0.2, 0.3, 0.4}>>, tensor<4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @f16_y(%x: tensor<2x4x!quant.uniform<i8:f32, 0.05:3>>, %s: tensor<4xf32>) -> tensor<2x4xf16> {
  // expected-error @+1 {{on a quantized input: Y must be f32 or per-tensor 8-bit}}
  %0 = edge.LayerNormalization %x, %s {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x4x!quant.uniform<i8:f32, 0.05:3>>, tensor<4xf32>) -> tensor<2x4xf16>
  return %0 : tensor<2x4xf16>
}

// -----

func.func @y_shape(%x: tensor<2x4x!quant.uniform<i8:f32, 0.05:3>>, %s: tensor<4xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{Y must have the input's shape}}
  %0 = edge.LayerNormalization %x, %s {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x4x!quant.uniform<i8:f32, 0.05:3>>, tensor<4xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @f16_scale(%x: tensor<2x4x!quant.uniform<i8:f32, 0.05:3>>, %s: tensor<4xf16>) -> tensor<2x4xf32> {
  // expected-error @+1 {{scale and bias must be f32 on a quantized input}}
  %0 = edge.LayerNormalization %x, %s {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x4x!quant.uniform<i8:f32, 0.05:3>>, tensor<4xf16>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}
