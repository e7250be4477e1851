// RUN: edgec-opt %s -split-input-file --edge-quantize-weights="group-size=4 min-elements=0 int8-activations=1" | FileCheck %s
// RUN: edgec-opt %s -split-input-file --edge-quantize-weights="group-size=4 min-elements=0 int8-activations=1 asymmetric=1" | FileCheck %s --check-prefix=ASYM
//
// int8-activations (`--precision int4-gN-a8`): a MatMul or plain Gemm becomes
// edge.BlockQuantizedMatMul over a DequantizeBlockwise of its weight stored [N, K], groups
// along axis 1; the activations are quantized per group at run time by the kernel.
// Codes by hand (symmetric: scale = max|w| / 7 per group; two codes per byte, low nibble
// first; the blobs print an alignment word 08000000 before the bytes).

// MatMul B [K = 8, N = 2] is transposed to [N, K]:
//   row 0 (column 0 of B): [0.7, -0.3, 0.1, 0 | -1.4, 0.2, 0.4, 0] -> scales 0.1, 0.2 -> codes 7 -3 1 0 | -7 1 2 0
//   row 1 (column 1 of B): [1.4, 0.6, -0.2, 0 | 0, 0, 0, 0]        -> scales 0.2, 1   -> codes 7 3 -1 0 | 0 0 0 0
//   -> bytes D7 01 19 02 37 0F 00 00; scales [[0.1, 0.2], [0.2, 1]].
// Two MatMuls share the weight: one DequantizeBlockwise.
// CHECK-LABEL: func.func @matmul
// CHECK: %[[C:.+]] = edge.constant dense_resource<[[BLOB:.+]]> : tensor<2x8xi4>
// CHECK: %[[S:.+]] = edge.constant dense<{{\[\[}}1.000000e-01, 2.000000e-01], [2.000000e-01, 1.000000e+00]]> : tensor<2x2xf32>
// CHECK: %[[W:.+]] = edge.DequantizeBlockwise %[[C]], %[[S]] {axis = 1 : i64, block_size = 4 : i64} : (tensor<2x8xi4>, tensor<2x2xf32>) -> tensor<2x8xf32>
// CHECK: edge.BlockQuantizedMatMul %arg0, %[[W]] {block_size = 4 : i64} : (tensor<1x8xf32>, tensor<2x8xf32>) -> tensor<1x2xf32>
// CHECK: edge.BlockQuantizedMatMul %arg1, %[[W]] {block_size = 4 : i64} : (tensor<1x3x8xf32>, tensor<2x8xf32>) -> tensor<1x3x2xf32>
// CHECK-NOT: edge.DequantizeBlockwise
// CHECK-NOT: edge.MatMul
// CHECK: [[BLOB]]: "0x08000000D7011902370F0000"
func.func @matmul(%x: tensor<1x8xf32>, %z: tensor<1x3x8xf32>) -> (tensor<1x2xf32>, tensor<1x3x2xf32>) {
  %w = edge.constant dense<[[0.7, 1.4], [-0.3, 0.6], [0.1, -0.2], [0.0, 0.0], [-1.4, 0.0], [0.2, 0.0], [0.4, 0.0], [0.0, 0.0]]> : tensor<8x2xf32>
  %y = edge.MatMul %x, %w : (tensor<1x8xf32>, tensor<8x2xf32>) -> tensor<1x2xf32>
  %v = edge.MatMul %z, %w : (tensor<1x3x8xf32>, tensor<8x2xf32>) -> tensor<1x3x2xf32>
  return %y, %v : tensor<1x2xf32>, tensor<1x3x2xf32>
}

// -----

// Gemm with transB (B [N = 1, K = 8], as torch exports Linear) and a bias: the weight is
// already [N, K]. Asymmetric:
//   group 0: [0, 1.5]: scale 0.1, zero point 0,  codes 0 15 3 6
//   group 1: [-1.5, 0]: scale 0.1, zero point 15, codes 10 5 0 13
//   -> bytes F0 63 5A D0; zero points 0, 15 -> byte F0.
// A Gemm with alpha != 1 is not x @ B: it keeps the weight-only form (groups along K = axis 0).
// A Conv always does.
// CHECK-LABEL: func.func @gemm
// CHECK: %[[W:.+]] = edge.DequantizeBlockwise %{{.+}}, %{{.+}} {axis = 1 : i64, block_size = 4 : i64} : (tensor<1x8xi4>, tensor<1x2xf32>) -> tensor<1x8xf32>
// CHECK: edge.BlockQuantizedMatMul %arg0, %[[W]], %{{.+}} {block_size = 4 : i64} : (tensor<1x8xf32>, tensor<1x8xf32>, tensor<1xf32>) -> tensor<1x1xf32>
// CHECK: %[[V:.+]] = edge.DequantizeBlockwise %{{.+}}, %{{.+}} {axis = 0 : i64, block_size = 4 : i64} : (tensor<8x2xi4>, tensor<2x2xf32>) -> tensor<8x2xf32>
// CHECK: edge.Gemm %arg0, %[[V]] {alpha = 2.000000e+00 : f32
// CHECK: %[[K:.+]] = edge.DequantizeBlockwise %{{.+}}, %{{.+}} {axis = 1 : i64, block_size = 4 : i64} : (tensor<1x8x1x1xi4>, tensor<1x2x1x1xf32>) -> tensor<1x8x1x1xf32>
// CHECK: edge.Conv %arg1, %[[K]]
// ASYM-LABEL: func.func @gemm
// ASYM: %[[C:.+]] = edge.constant dense_resource<[[BLOB:.+]]> : tensor<1x8xui4>
// ASYM: %[[S:.+]] = edge.constant dense<1.000000e-01> : tensor<1x2xf32>
// ASYM: %[[Z:.+]] = edge.constant dense_resource<[[ZBLOB:.+]]> : tensor<1x2xui4>
// ASYM: %[[W:.+]] = edge.DequantizeBlockwise %[[C]], %[[S]], %[[Z]] {axis = 1 : i64, block_size = 4 : i64} : (tensor<1x8xui4>, tensor<1x2xf32>, tensor<1x2xui4>) -> tensor<1x8xf32>
// ASYM: edge.BlockQuantizedMatMul %arg0, %[[W]], %{{.+}} {block_size = 4 : i64}
// ASYM: [[BLOB]]: "0x08000000F0635AD0"
// ASYM: [[ZBLOB]]: "0x08000000F0"
func.func @gemm(%x: tensor<1x8xf32>, %c: tensor<1x8x2x2xf32>) -> (tensor<1x1xf32>, tensor<1x2xf32>, tensor<1x1x2x2xf32>) {
  %w = edge.constant dense<[[0.0, 1.5, 0.3, 0.6, -0.5, -1.0, -1.5, -0.2]]> : tensor<1x8xf32>
  %b = edge.constant dense<0.5> : tensor<1xf32>
  %y = edge.Gemm %x, %w, %b {alpha = 1.0 : f32, beta = 1.0 : f32, transA = 0 : i64, transB = 1 : i64} : (tensor<1x8xf32>, tensor<1x8xf32>, tensor<1xf32>) -> tensor<1x1xf32>
  %v = edge.constant dense<0.25> : tensor<8x2xf32>
  %z = edge.Gemm %x, %v {alpha = 2.0 : f32, beta = 1.0 : f32, transA = 0 : i64, transB = 0 : i64} : (tensor<1x8xf32>, tensor<8x2xf32>) -> tensor<1x2xf32>
  %k = edge.constant dense<0.5> : tensor<1x8x1x1xf32>
  %o = edge.Conv %c, %k {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x8x2x2xf32>, tensor<1x8x1x1xf32>) -> tensor<1x1x2x2xf32>
  return %y, %z, %o : tensor<1x1xf32>, tensor<1x2xf32>, tensor<1x1x2x2xf32>
}
