// RUN: edgec-opt %s | edgec-opt | FileCheck %s
// RUN: edgec-opt %s -mlir-print-op-generic | edgec-opt | FileCheck %s
//
// DFT (EdgeSignalOps.td) round-trips with its resolved attributes.

// CHECK-LABEL: func.func @dft
// CHECK: edge.DFT %arg0 {axis = 1 : i64, dft_length = 8 : i64, inverse = 0 : i64, onesided = 1 : i64} : (tensor<2x6x3x1xf32>) -> tensor<2x5x3x2xf32>
// CHECK: edge.DFT %arg1 {axis = 2 : i64, dft_length = 3 : i64, inverse = 1 : i64, onesided = 0 : i64} : (tensor<2x6x3x2xf32>) -> tensor<2x6x3x2xf32>
func.func @dft(%x: tensor<2x6x3x1xf32>, %c: tensor<2x6x3x2xf32>) -> (tensor<2x5x3x2xf32>, tensor<2x6x3x2xf32>) {
  %0 = edge.DFT %x {axis = 1 : i64, dft_length = 8 : i64, inverse = 0 : i64, onesided = 1 : i64} : (tensor<2x6x3x1xf32>) -> tensor<2x5x3x2xf32>
  %1 = edge.DFT %c {axis = 2 : i64, dft_length = 3 : i64, inverse = 1 : i64, onesided = 0 : i64} : (tensor<2x6x3x2xf32>) -> tensor<2x6x3x2xf32>
  return %0, %1 : tensor<2x5x3x2xf32>, tensor<2x6x3x2xf32>
}
