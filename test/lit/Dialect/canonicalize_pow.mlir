// RUN: edgec-opt %s -canonicalize -split-input-file | FileCheck %s

// x^2 with a float or integer splat exponent becomes x*x (bit-exact for floats).
// CHECK-LABEL: func.func @square_f32
// CHECK-SAME: (%[[X:.+]]: tensor<2x3xf32>)
// CHECK-NOT: edge.Pow
// CHECK: %[[Y:.+]] = edge.Mul %[[X]], %[[X]] : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: return %[[Y]]
func.func @square_f32(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %two = edge.constant dense<2.0> : tensor<f32>
  %y = edge.Pow %x, %two : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @square_int_exponent
// CHECK: edge.Mul %[[X:.+]], %[[X]]
// CHECK-NOT: edge.Pow
func.func @square_int_exponent(%x: tensor<4xf32>) -> tensor<4xf32> {
  %two = edge.constant dense<2> : tensor<1xi64>
  %y = edge.Pow %x, %two : (tensor<4xf32>, tensor<1xi64>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// Other exponents, non-splat exponents, integer bases and exponents that broadcast the
// result beyond x's shape stay Pow.
// CHECK-LABEL: func.func @not_a_square
// CHECK-COUNT-4: edge.Pow
// CHECK-NOT: edge.Mul
func.func @not_a_square(%x: tensor<3xf32>, %i: tensor<3xi64>, %s: tensor<f32>) -> (tensor<3xf32>, tensor<3xf32>, tensor<3xi64>, tensor<3xf32>) {
  %three = edge.constant dense<3.0> : tensor<f32>
  %a = edge.Pow %x, %three : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
  %mixed = edge.constant dense<[2.0, 2.0, 3.0]> : tensor<3xf32>
  %b = edge.Pow %x, %mixed : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %itwo = edge.constant dense<2> : tensor<i64>
  %c = edge.Pow %i, %itwo : (tensor<3xi64>, tensor<i64>) -> tensor<3xi64>
  %two = edge.constant dense<2.0> : tensor<3xf32>
  %d = edge.Pow %s, %two : (tensor<f32>, tensor<3xf32>) -> tensor<3xf32>
  return %a, %b, %c, %d : tensor<3xf32>, tensor<3xf32>, tensor<3xi64>, tensor<3xf32>
}
