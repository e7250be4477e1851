// RUN: edgec-opt %s | edgec-opt | FileCheck %s
// RUN: edgec-opt %s -mlir-print-op-generic | edgec-opt | FileCheck %s
//
// The vision ops (EdgeVisionOps.td) round-trip with their resolved attributes.

// CHECK-LABEL: func.func @conv_transpose
// CHECK: edge.ConvTranspose %arg0, %arg1, %arg2 {dilations = array<i64: 1, 1>, group = 1 : i64, output_padding = array<i64: 1, 1>, pads = array<i64: 0, 1, 1, 0>, strides = array<i64: 2, 2>} : (tensor<1x2x3x3xf32>, tensor<2x4x3x3xf32>, tensor<4xf32>) -> tensor<1x4x7x7xf32>
// CHECK: edge.ConvTranspose %arg3, %arg4 {dilations = array<i64: 2>, group = 2 : i64, output_padding = array<i64: 0>, pads = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<1x4x5xf32>, tensor<4x3x2xf32>) -> tensor<1x6x7xf32>
func.func @conv_transpose(%x: tensor<1x2x3x3xf32>, %w: tensor<2x4x3x3xf32>, %b: tensor<4xf32>,
                          %x1: tensor<1x4x5xf32>, %w1: tensor<4x3x2xf32>) -> (tensor<1x4x7x7xf32>, tensor<1x6x7xf32>) {
  %0 = edge.ConvTranspose %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, output_padding = array<i64: 1, 1>, pads = array<i64: 0, 1, 1, 0>, strides = array<i64: 2, 2>} : (tensor<1x2x3x3xf32>, tensor<2x4x3x3xf32>, tensor<4xf32>) -> tensor<1x4x7x7xf32>
  %1 = edge.ConvTranspose %x1, %w1 {dilations = array<i64: 2>, group = 2 : i64, output_padding = array<i64: 0>, pads = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<1x4x5xf32>, tensor<4x3x2xf32>) -> tensor<1x6x7xf32>
  return %0, %1 : tensor<1x4x7x7xf32>, tensor<1x6x7xf32>
}
