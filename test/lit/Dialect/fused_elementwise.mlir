// RUN: edgec-opt %s | edgec-opt | FileCheck %s
//
// edge.FusedElementwise prints and parses back (a bias Add, then a Clip to [-1, 1]).
// CHECK-LABEL: func.func @valid
// CHECK: edge.FusedElementwise %{{.+}}, %{{.+}} {args = array<i64: 0, 1, 2, -1>, ops = ["Add", "Clip"], params = array<f32: 0.000000e+00, 0.000000e+00, -1.000000e+00, 1.000000e+00>} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
func.func @valid(%x: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = edge.FusedElementwise %x, %b {ops = ["Add", "Clip"], args = array<i64: 0, 1, 2, -1>, params = array<f32: 0.0, 0.0, -1.0, 1.0>} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

