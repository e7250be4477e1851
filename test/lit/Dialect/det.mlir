// RUN: edgec-opt %s | edgec-opt | FileCheck %s
//
// Det round-trips: [*, M, M] -> [*].

// CHECK-LABEL: func.func @det
func.func @det(%x: tensor<3x2x2xf32>, %m: tensor<4x4xf64>) -> (tensor<3xf32>, tensor<f64>) {
  // CHECK: edge.Det %{{.+}} : (tensor<3x2x2xf32>) -> tensor<3xf32>
  %0 = edge.Det %x : (tensor<3x2x2xf32>) -> tensor<3xf32>
  // CHECK: edge.Det %{{.+}} : (tensor<4x4xf64>) -> tensor<f64>
  %1 = edge.Det %m : (tensor<4x4xf64>) -> tensor<f64>
  return %0, %1 : tensor<3xf32>, tensor<f64>
}
