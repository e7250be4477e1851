// RUN: edgec-opt %s -split-input-file -verify-diagnostics
//
// The error paths of an Expand's run-time shape operand (EdgeOps.cpp, ExpandOp::verify).

func.func @too_many_values(%v: tensor<f32>, %s: tensor<3xi64>) -> tensor<4x3xf32> {
  // expected-error @+1 {{shape_input must be a list of at most 2 values (the result's rank), got 'tensor<3xi64>'}}
  %0 = edge.Expand %v shape(%s : tensor<3xi64>) : (tensor<f32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @not_a_list(%v: tensor<f32>, %s: tensor<1x2xi64>) -> tensor<4x3xf32> {
  // expected-error @+1 {{shape_input must be a list of at most 2 values (the result's rank), got 'tensor<1x2xi64>'}}
  %0 = edge.Expand %v shape(%s : tensor<1x2xi64>) : (tensor<f32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @not_int64(%v: tensor<f32>, %s: tensor<2xi32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{operand #1 must be tensor of 64-bit signless integer values}}
  %0 = edge.Expand %v shape(%s : tensor<2xi32>) : (tensor<f32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}
