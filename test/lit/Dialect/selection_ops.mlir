// RUN: edgec-opt %s | edgec-opt | FileCheck %s
//
// Hardmax, TopK and OneHot round-trip; TopK's k and OneHot's depth live in the result
// types.

// CHECK-LABEL: func.func @selection
func.func @selection(%x: tensor<3x4xf32>, %i: tensor<2x2xi64>, %v: tensor<2xf32>)
    -> (tensor<3x4xf32>, tensor<3x2xf32>, tensor<3x2xi64>, tensor<2x5x2xf32>) {
  // CHECK: edge.Hardmax %{{.+}} {axis = 1 : i64} : tensor<3x4xf32>
  %0 = edge.Hardmax %x {axis = 1 : i64} : tensor<3x4xf32>
  // CHECK: edge.TopK %{{.+}} {axis = 1 : i64, largest = 0 : i64} : (tensor<3x4xf32>) -> (tensor<3x2xf32>, tensor<3x2xi64>)
  %1:2 = edge.TopK %x {axis = 1 : i64, largest = 0 : i64} : (tensor<3x4xf32>) -> (tensor<3x2xf32>, tensor<3x2xi64>)
  // CHECK: edge.OneHot %{{.+}}, %{{.+}} {axis = 1 : i64} : (tensor<2x2xi64>, tensor<2xf32>) -> tensor<2x5x2xf32>
  %2 = edge.OneHot %i, %v {axis = 1 : i64} : (tensor<2x2xi64>, tensor<2xf32>) -> tensor<2x5x2xf32>
  return %0, %1#0, %1#1, %2 : tensor<3x4xf32>, tensor<3x2xf32>, tensor<3x2xi64>, tensor<2x5x2xf32>
}

// CHECK-LABEL: func.func @reverse_sequence
func.func @reverse_sequence(%x: tensor<4x3x2xi8>, %lens: tensor<3xi64>) -> tensor<4x3x2xi8> {
  // CHECK: edge.ReverseSequence %{{.+}}, %{{.+}} {batch_axis = 1 : i64, time_axis = 0 : i64} : (tensor<4x3x2xi8>, tensor<3xi64>) -> tensor<4x3x2xi8>
  %0 = edge.ReverseSequence %x, %lens {batch_axis = 1 : i64, time_axis = 0 : i64} : (tensor<4x3x2xi8>, tensor<3xi64>) -> tensor<4x3x2xi8>
  return %0 : tensor<4x3x2xi8>
}
