// RUN: edgec-opt %s -edge-fold-matmul-transpose -split-input-file | FileCheck %s
// RUN: edgec-opt %s -edge-fold-matmul-transpose=record-fusion -edge-fuse-matmul-bias=record-fusion -split-input-file | FileCheck %s --check-prefix=BIAS
//
// A 2-D f32 MatMul whose operand is a Transpose becomes a Gemm that reads it transposed;
// see the pass's description for when it does not.

// x @ w.T, xt.T @ w, and both.
// CHECK-LABEL: func.func @transposed
// CHECK: %[[Y:.+]] = edge.Gemm %arg0, %arg1 {transB = 1 : i64} : (tensor<5x3xf32>, tensor<4x3xf32>) -> tensor<5x4xf32>
// CHECK-NEXT: %[[B:.+]] = edge.Add %[[Y]]
// CHECK-NEXT: %[[Z:.+]] = edge.Gemm %arg2, %arg3 {transA = 1 : i64} : (tensor<3x5xf32>, tensor<3x4xf32>) -> tensor<5x4xf32>
// CHECK-NEXT: %[[W:.+]] = edge.Gemm %arg2, %arg1 {transA = 1 : i64, transB = 1 : i64} : (tensor<3x5xf32>, tensor<4x3xf32>) -> tensor<5x4xf32>
// CHECK-NEXT: return %[[B]], %[[Z]], %[[W]]
// A bias Add after it then becomes the Gemm's C (edge-fuse-matmul-bias).
// BIAS-LABEL: func.func @transposed
// BIAS: edge.Gemm %arg0, %arg1, %{{.+}} {edge.fused = ["wT", "fc", "fc_bias"], transB = 1 : i64}
func.func @transposed(%x: tensor<5x3xf32>, %w: tensor<4x3xf32>, %xt: tensor<3x5xf32>, %v: tensor<3x4xf32>)
    -> (tensor<5x4xf32>, tensor<5x4xf32>, tensor<5x4xf32>) {
  %b = edge.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %wt = edge.Transpose %w {perm = array<i64: 1, 0>} : (tensor<4x3xf32>) -> tensor<3x4xf32> loc("wT")
  %0 = edge.MatMul %x, %wt : (tensor<5x3xf32>, tensor<3x4xf32>) -> tensor<5x4xf32> loc("fc")
  %1 = edge.Add %0, %b : (tensor<5x4xf32>, tensor<4xf32>) -> tensor<5x4xf32> loc("fc_bias")
  %t = edge.Transpose %xt {perm = array<i64: 1, 0>} : (tensor<3x5xf32>) -> tensor<5x3xf32>
  %2 = edge.MatMul %t, %v : (tensor<5x3xf32>, tensor<3x4xf32>) -> tensor<5x4xf32>
  %wt2 = edge.Transpose %w {perm = array<i64: 1, 0>} : (tensor<4x3xf32>) -> tensor<3x4xf32>
  %3 = edge.MatMul %t, %wt2 : (tensor<5x3xf32>, tensor<3x4xf32>) -> tensor<5x4xf32>
  return %1, %2, %3 : tensor<5x4xf32>, tensor<5x4xf32>, tensor<5x4xf32>
}

// -----

// Not folded: a batched MatMul (Gemm is 2-D), f16.
// CHECK-LABEL: func.func @not_folded
// CHECK-NOT: edge.Gemm
// CHECK: return
func.func @not_folded(%x: tensor<2x5x3xf32>, %w: tensor<2x4x3xf32>, %h: tensor<5x3xf16>, %wh: tensor<4x3xf16>)
    -> (tensor<2x5x4xf32>, tensor<5x4xf16>) {
  %wt = edge.Transpose %w {perm = array<i64: 0, 2, 1>} : (tensor<2x4x3xf32>) -> tensor<2x3x4xf32>
  %0 = edge.MatMul %x, %wt : (tensor<2x5x3xf32>, tensor<2x3x4xf32>) -> tensor<2x5x4xf32>
  %wht = edge.Transpose %wh {perm = array<i64: 1, 0>} : (tensor<4x3xf16>) -> tensor<3x4xf16>
  %1 = edge.MatMul %h, %wht : (tensor<5x3xf16>, tensor<3x4xf16>) -> tensor<5x4xf16>
  return %0, %1 : tensor<2x5x4xf32>, tensor<5x4xf16>
}
