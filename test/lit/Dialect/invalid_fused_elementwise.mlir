// RUN: edgec-opt %s -split-input-file -verify-diagnostics
//
// One case per error path of edge.FusedElementwise's verifier.

func.func @unknown_op(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{step 0: unknown op 'Softmax'}}
  %0 = edge.FusedElementwise %x {ops = ["Softmax"], args = array<i64: 0, -1>, params = array<f32: 0.0, 0.0>} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @later_register(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{step 0 (Add) reads register 1, not an input or an earlier step's (0..0)}}
  %0 = edge.FusedElementwise %x {ops = ["Add", "Relu"], args = array<i64: 0, 1, 1, -1>, params = array<f32: 0.0, 0.0, 0.0, 0.0>} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @unary_with_two(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{step 0 (Pow) reads 1 register(s); arg 1 must be -1, got 0}}
  %0 = edge.FusedElementwise %x {ops = ["Pow"], args = array<i64: 0, 0>, params = array<f32: 2.0, 0.0>} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @counts(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{args and params must have 2 entries per step (2), got 2 and 1}}
  %0 = edge.FusedElementwise %x {ops = ["Relu"], args = array<i64: 0, -1>, params = array<f32: 0.0>} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @not_broadcasting(%x: tensor<3x2xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{input 0 [3,2] does not broadcast to the result [2,3]}}
  %0 = edge.FusedElementwise %x {ops = ["Relu"], args = array<i64: 0, -1>, params = array<f32: 0.0, 0.0>} : (tensor<3x2xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @no_steps(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{takes 1 to 24 steps, got 0}}
  %0 = edge.FusedElementwise %x {ops = [], args = array<i64>, params = array<f32>} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @integer(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{takes f32 tensors (or a quantized table), got 'tensor<4xi32>'}}
  %0 = edge.FusedElementwise %x {ops = ["Relu"], args = array<i64: 0, -1>, params = array<f32: 0.0, 0.0>} : (tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// A quantized FusedElementwise (a table): input 0 and the result per-tensor 8-bit, the
// other inputs f32 constants of one element.
func.func @table_result_float(%x: tensor<4x!quant.uniform<i8:f32, 0.1>>) -> tensor<4xf32> {
  // expected-error @+1 {{a quantized FusedElementwise takes a per-tensor 8-bit input 0 and result, got 'tensor<4xf32>'}}
  %0 = edge.FusedElementwise %x {ops = ["Relu"], args = array<i64: 0, -1>, params = array<f32: 0.0, 0.0>} : (tensor<4x!quant.uniform<i8:f32, 0.1>>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @table_per_axis(%x: tensor<2x!quant.uniform<i8:f32:0, {0.1, 0.2}>>) -> tensor<2x!quant.uniform<i8:f32, 0.1>> {
  // expected-error @+1 {{a quantized FusedElementwise takes a per-tensor 8-bit input 0 and result, got 'tensor<2x!quant.uniform<i8:f32:0, {1.000000e-01,2.000000e-01}>>'}}
  %0 = edge.FusedElementwise %x {ops = ["Relu"], args = array<i64: 0, -1>, params = array<f32: 0.0, 0.0>} : (tensor<2x!quant.uniform<i8:f32:0, {0.1, 0.2}>>) -> tensor<2x!quant.uniform<i8:f32, 0.1>>
  return %0 : tensor<2x!quant.uniform<i8:f32, 0.1>>
}

// -----

func.func @table_activation(%x: tensor<4x!quant.uniform<i8:f32, 0.1>>, %c: tensor<f32>) -> tensor<4x!quant.uniform<i8:f32, 0.1>> {
  // expected-error @+1 {{a quantized FusedElementwise's inputs after the first must be f32 constants of one element, got 'tensor<f32>'}}
  %0 = edge.FusedElementwise %x, %c {ops = ["Add"], args = array<i64: 0, 1>, params = array<f32: 0.0, 0.0>} : (tensor<4x!quant.uniform<i8:f32, 0.1>>, tensor<f32>) -> tensor<4x!quant.uniform<i8:f32, 0.1>>
  return %0 : tensor<4x!quant.uniform<i8:f32, 0.1>>
}
