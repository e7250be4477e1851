// RUN: edgec-opt %s -split-input-file -verify-diagnostics
//
// The error paths of an Expand's run-time shape operand and constant target (EdgeOps.cpp,
// ExpandOp::verify).

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

// -----

// A constant target (`shape`) must be the one that gives the result.
func.func @wrong_constant_target(%x: tensor<3x1xf32>) -> tensor<3x4xf32> {
  // expected-error @+1 {{shape [3,5] must be the constant target that broadcasts [3,1] to [3,4], and only without shape_input}}
  %0 = edge.Expand %x {shape = array<i64: 3, 5>} : (tensor<3x1xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}
