// RUN: edgec-opt %s | edgec-opt | FileCheck %s
// RUN: edgec-opt %s -mlir-print-op-generic | edgec-opt | FileCheck %s
//
// DFT, STFT and MelWeightMatrix (EdgeSignalOps.td) round-trip with their resolved
// attributes and run-time operands.

// CHECK-LABEL: func.func @dft
// CHECK: edge.DFT %arg0 {axis = 1 : i64, dft_length = 8 : i64, inverse = 0 : i64, onesided = 1 : i64} : (tensor<2x6x3x1xf32>) -> tensor<2x5x3x2xf32>
// CHECK: edge.DFT %arg1 {axis = 2 : i64, dft_length = 3 : i64, inverse = 1 : i64, onesided = 0 : i64} : (tensor<2x6x3x2xf32>) -> tensor<2x6x3x2xf32>
func.func @dft(%x: tensor<2x6x3x1xf32>, %c: tensor<2x6x3x2xf32>) -> (tensor<2x5x3x2xf32>, tensor<2x6x3x2xf32>) {
  %0 = edge.DFT %x {axis = 1 : i64, dft_length = 8 : i64, inverse = 0 : i64, onesided = 1 : i64} : (tensor<2x6x3x1xf32>) -> tensor<2x5x3x2xf32>
  %1 = edge.DFT %c {axis = 2 : i64, dft_length = 3 : i64, inverse = 1 : i64, onesided = 0 : i64} : (tensor<2x6x3x2xf32>) -> tensor<2x6x3x2xf32>
  return %0, %1 : tensor<2x5x3x2xf32>, tensor<2x6x3x2xf32>
}

// STFT with attributes, and with run-time frame_step / frame_length and a window;
// MelWeightMatrix with its five scalar operands.
// CHECK-LABEL: func.func @stft_mel
// CHECK: edge.STFT %arg0 {frame_length = 4 : i64, frame_step = 2 : i64, onesided = 1 : i64} : tensor<1x8x1xf32> -> tensor<1x3x3x2xf32>
// CHECK: edge.STFT %arg0 step %arg1 : tensor<i64> window %arg2 : tensor<4xf32> length %arg3 : tensor<i32> {onesided = 0 : i64} : tensor<1x8x1xf32> -> tensor<1x3x4x2xf32>
// CHECK: edge.MelWeightMatrix %arg3, %arg3, %arg3, %arg4, %arg4 : (tensor<i32>, tensor<i32>, tensor<i32>, tensor<f32>, tensor<f32>) -> tensor<9x8xf32>
func.func @stft_mel(%x: tensor<1x8x1xf32>, %s: tensor<i64>, %w: tensor<4xf32>, %l: tensor<i32>, %f: tensor<f32>)
    -> (tensor<1x3x3x2xf32>, tensor<1x3x4x2xf32>, tensor<9x8xf32>) {
  %0 = edge.STFT %x {frame_step = 2 : i64, frame_length = 4 : i64, onesided = 1 : i64} : tensor<1x8x1xf32> -> tensor<1x3x3x2xf32>
  %1 = edge.STFT %x step %s : tensor<i64> window %w : tensor<4xf32> length %l : tensor<i32> {onesided = 0 : i64} : tensor<1x8x1xf32> -> tensor<1x3x4x2xf32>
  %2 = edge.MelWeightMatrix %l, %l, %l, %f, %f : (tensor<i32>, tensor<i32>, tensor<i32>, tensor<f32>, tensor<f32>) -> tensor<9x8xf32>
  return %0, %1, %2 : tensor<1x3x3x2xf32>, tensor<1x3x4x2xf32>, tensor<9x8xf32>
}
