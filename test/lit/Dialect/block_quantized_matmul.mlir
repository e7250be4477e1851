// RUN: edgec-opt %s | edgec-opt | FileCheck %s
// RUN: edgec-opt %s -mlir-print-op-generic | edgec-opt | FileCheck %s
//
// edge.BlockQuantizedMatMul (INT4 x INT8, `--precision int4-gN-a8`): f32 activations,
// quantized to int8 per block of `block_size` at run time, times a group-wise int4
// weight [N, K] given as a DequantizeBlockwise along K with the same block size.

// CHECK-LABEL: func.func @symmetric
func.func @symmetric(%x: tensor<3x64xf32>, %w: tensor<16x64xi4>, %s: tensor<16x2xf32>, %b: tensor<16xf32>) -> (tensor<3x16xf32>, tensor<3x16xf32>) {
  // CHECK: %[[W:.+]] = edge.DequantizeBlockwise %{{.+}}, %{{.+}} {axis = 1 : i64, block_size = 32 : i64} : (tensor<16x64xi4>, tensor<16x2xf32>) -> tensor<16x64xf32>
  %w32 = edge.DequantizeBlockwise %w, %s {axis = 1 : i64, block_size = 32 : i64} : (tensor<16x64xi4>, tensor<16x2xf32>) -> tensor<16x64xf32>
  // CHECK: edge.BlockQuantizedMatMul %{{.+}}, %[[W]], %{{.+}} {block_size = 32 : i64} : (tensor<3x64xf32>, tensor<16x64xf32>, tensor<16xf32>) -> tensor<3x16xf32>
  %0 = edge.BlockQuantizedMatMul %x, %w32, %b {block_size = 32 : i64} : (tensor<3x64xf32>, tensor<16x64xf32>, tensor<16xf32>) -> tensor<3x16xf32>
  // CHECK: edge.BlockQuantizedMatMul %{{.+}}, %[[W]] {block_size = 32 : i64} : (tensor<3x64xf32>, tensor<16x64xf32>) -> tensor<3x16xf32>
  %1 = edge.BlockQuantizedMatMul %x, %w32 {block_size = 32 : i64} : (tensor<3x64xf32>, tensor<16x64xf32>) -> tensor<3x16xf32>
  return %0, %1 : tensor<3x16xf32>, tensor<3x16xf32>
}

// Asymmetric codes with zero points, a rank-3 input (tokens) and K = 80: a partial last
// block of 16.
// CHECK-LABEL: func.func @asymmetric
func.func @asymmetric(%x: tensor<1x5x80xf32>, %w: tensor<8x80xui4>, %s: tensor<8x3xf32>, %z: tensor<8x3xui4>) -> tensor<1x5x8xf32> {
  // CHECK: %[[W:.+]] = edge.DequantizeBlockwise %{{.+}}, %{{.+}}, %{{.+}} {axis = 1 : i64, block_size = 32 : i64}
  %w32 = edge.DequantizeBlockwise %w, %s, %z {axis = 1 : i64, block_size = 32 : i64} : (tensor<8x80xui4>, tensor<8x3xf32>, tensor<8x3xui4>) -> tensor<8x80xf32>
  // CHECK: edge.BlockQuantizedMatMul %{{.+}}, %[[W]] {block_size = 32 : i64} : (tensor<1x5x80xf32>, tensor<8x80xf32>) -> tensor<1x5x8xf32>
  %0 = edge.BlockQuantizedMatMul %x, %w32 {block_size = 32 : i64} : (tensor<1x5x80xf32>, tensor<8x80xf32>) -> tensor<1x5x8xf32>
  return %0 : tensor<1x5x8xf32>
}
