// RUN: edgec-opt %s -split-input-file --edge-quantize-weights="group-size=4 min-elements=0" | FileCheck %s
// RUN: edgec-opt %s -split-input-file --edge-quantize-weights="group-size=4 min-elements=0 asymmetric=1" | FileCheck %s --check-prefix=ASYM
// RUN: edgec-opt %s -split-input-file --edge-quantize-weights | FileCheck %s --check-prefix=DEFAULT
//
// Weight-only INT4: constant MatMul/Gemm/Conv weights become DequantizeBlockwise of packed
// codes, in groups along the reduction dim. Codes and scales by hand (symmetric: scale =
// max|w| / 7 per group, codes in [-7, 7]; two codes per byte, low nibble first; the
// blobs print an alignment word 08000000 before the bytes).
//
// With the default min-elements (1024) every weight here is too small: nothing changes.
// DEFAULT-NOT: edge.DequantizeBlockwise

// MatMul B [K = 8, N = 2], groups of 4 along K (axis 0):
//   column 0: [0.7, -0.3, 0.1, 0 | -1.4, 0.2, 0.4, 0] -> scales 0.1, 0.2 -> codes 7 -3 1 0 | -7 1 2 0
//   column 1: [1.4, 0.6, -0.2, 0 | 0, 0, 0, 0]        -> scales 0.2, 1   -> codes 7 3 -1 0 | 0 0 0 0
//   row-major pairs (c0, c1): (7,7) (-3,3) (1,-1) (0,0) (-7,0) (1,0) (2,0) (0,0)
//   -> bytes 77 3D F1 00 09 01 02 00. Two MatMuls share the weight: one DequantizeBlockwise.
// CHECK-LABEL: func.func @matmul
// CHECK: %[[C:.+]] = edge.constant dense_resource<[[BLOB:.+]]> : tensor<8x2xi4>
// CHECK: %[[S:.+]] = edge.constant dense<{{\[\[}}1.000000e-01, 2.000000e-01], [2.000000e-01, 1.000000e+00]]> : tensor<2x2xf32>
// CHECK: %[[W:.+]] = edge.DequantizeBlockwise %[[C]], %[[S]] {axis = 0 : i64, block_size = 4 : i64} : (tensor<8x2xi4>, tensor<2x2xf32>) -> tensor<8x2xf32>
// CHECK: edge.MatMul %arg0, %[[W]]
// CHECK: edge.MatMul %arg1, %[[W]]
// CHECK-NOT: edge.DequantizeBlockwise
// CHECK: [[BLOB]]: "0x08000000773DF10009010200"
func.func @matmul(%x: tensor<1x8xf32>, %z: tensor<3x8xf32>) -> (tensor<1x2xf32>, tensor<3x2xf32>) {
  %w = edge.constant dense<[[0.7, 1.4], [-0.3, 0.6], [0.1, -0.2], [0.0, 0.0], [-1.4, 0.0], [0.2, 0.0], [0.4, 0.0], [0.0, 0.0]]> : tensor<8x2xf32>
  %y = edge.MatMul %x, %w : (tensor<1x8xf32>, tensor<8x2xf32>) -> tensor<1x2xf32>
  %v = edge.MatMul %z, %w : (tensor<3x8xf32>, tensor<8x2xf32>) -> tensor<3x2xf32>
  return %y, %v : tensor<1x2xf32>, tensor<3x2xf32>
}

// -----

// Conv W [M = 1, C = 8, 1, 1]: groups of 4 input channels (axis 1), the same values as
// the MatMul's column 0: codes 7 -3 1 0 | -7 1 2 0 -> bytes D7 01 19 02, scales [1, 2, 1, 1].
// A depthwise conv (one input channel per group: fewer than 8 along the reduction dim)
// and a MatMul with a non-constant B stay f32.
// CHECK-LABEL: func.func @conv
// CHECK: %[[C:.+]] = edge.constant dense_resource<[[BLOB:.+]]> : tensor<1x8x1x1xi4>
// CHECK: %[[S:.+]] = edge.constant dense<{{\[\[\[\[}}1.000000e-01]], {{\[\[}}2.000000e-01]]]]> : tensor<1x2x1x1xf32>
// CHECK: %[[W:.+]] = edge.DequantizeBlockwise %[[C]], %[[S]] {axis = 1 : i64, block_size = 4 : i64}
// CHECK: edge.Conv %arg0, %[[W]]
// CHECK-NOT: edge.DequantizeBlockwise
// CHECK: edge.Conv %{{.+}}, %{{.+}} {{.+}} : (tensor<1x4x3x3xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x3x3xf32>
// CHECK: edge.MatMul %arg2, %arg3 :
// CHECK: [[BLOB]]: "0x08000000D7011902"
func.func @conv(%x: tensor<1x8x2x2xf32>, %d: tensor<1x4x3x3xf32>, %a: tensor<2x8xf32>, %b: tensor<8x2xf32>) -> (tensor<1x1x2x2xf32>, tensor<1x4x3x3xf32>, tensor<2x2xf32>) {
  %w = edge.constant dense<[[[[0.7]], [[-0.3]], [[0.1]], [[0.0]], [[-1.4]], [[0.2]], [[0.4]], [[0.0]]]]> : tensor<1x8x1x1xf32>
  %y = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x8x2x2xf32>, tensor<1x8x1x1xf32>) -> tensor<1x1x2x2xf32>
  %dw = edge.constant dense<0.5> : tensor<4x1x3x3xf32>
  %e = edge.Conv %d, %dw {dilations = array<i64: 1, 1>, group = 4 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x4x3x3xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x3x3xf32>
  %m = edge.MatMul %a, %b : (tensor<2x8xf32>, tensor<8x2xf32>) -> tensor<2x2xf32>
  return %y, %e, %m : tensor<1x1x2x2xf32>, tensor<1x4x3x3xf32>, tensor<2x2xf32>
}

// -----

// Gemm with transB: B [N = 1, K = 8], groups along axis 1. Symmetric:
//   [0, 1.5, 0.3, 0.6 | -0.5, -1, -1.5, -0.2] -> scales 1.5/7, 1.5/7.
// Asymmetric (ui4, zero point per group; range widened to contain 0):
//   group 0: [0, 1.5]: scale 0.1, zero point 0,  codes 0 15 3 6
//   group 1: [-1.5, 0]: scale 0.1, zero point 15, codes 10 5 0 13
//   -> bytes F0 63 5A D0; zero points 0, 15 -> byte F0.
// A Gemm with transB = 0 and K = 10 has a partial last group: 3 scales per column.
// CHECK-LABEL: func.func @gemm
// CHECK: edge.DequantizeBlockwise %{{.+}}, %{{.+}} {axis = 1 : i64, block_size = 4 : i64} : (tensor<1x8xi4>, tensor<1x2xf32>) -> tensor<1x8xf32>
// CHECK: edge.DequantizeBlockwise %{{.+}}, %{{.+}} {axis = 0 : i64, block_size = 4 : i64} : (tensor<10x2xi4>, tensor<3x2xf32>) -> tensor<10x2xf32>
// ASYM-LABEL: func.func @gemm
// ASYM: %[[C:.+]] = edge.constant dense_resource<[[BLOB:.+]]> : tensor<1x8xui4>
// ASYM: %[[S:.+]] = edge.constant dense<1.000000e-01> : tensor<1x2xf32>
// ASYM: %[[Z:.+]] = edge.constant dense_resource<[[ZBLOB:.+]]> : tensor<1x2xui4>
// ASYM: edge.DequantizeBlockwise %[[C]], %[[S]], %[[Z]] {axis = 1 : i64, block_size = 4 : i64} : (tensor<1x8xui4>, tensor<1x2xf32>, tensor<1x2xui4>) -> tensor<1x8xf32>
// ASYM: [[BLOB]]: "0x08000000F0635AD0"
// ASYM: [[ZBLOB]]: "0x08000000F0"
func.func @gemm(%x: tensor<1x8xf32>, %u: tensor<1x10xf32>) -> (tensor<1x1xf32>, tensor<1x2xf32>) {
  %w = edge.constant dense<[[0.0, 1.5, 0.3, 0.6, -0.5, -1.0, -1.5, -0.2]]> : tensor<1x8xf32>
  %y = edge.Gemm %x, %w {alpha = 1.0 : f32, beta = 1.0 : f32, transA = 0 : i64, transB = 1 : i64} : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x1xf32>
  %v = edge.constant dense<0.25> : tensor<10x2xf32>
  %z = edge.Gemm %u, %v {alpha = 1.0 : f32, beta = 1.0 : f32, transA = 0 : i64, transB = 0 : i64} : (tensor<1x10xf32>, tensor<10x2xf32>) -> tensor<1x2xf32>
  return %y, %z : tensor<1x1xf32>, tensor<1x2xf32>
}
