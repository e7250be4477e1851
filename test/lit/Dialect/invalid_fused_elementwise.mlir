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
  // expected-error @+1 {{operand #0 must be variadic of statically shaped tensor of 32-bit float values}}
  %0 = edge.FusedElementwise %x {ops = ["Relu"], args = array<i64: 0, -1>, params = array<f32: 0.0, 0.0>} : (tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}
