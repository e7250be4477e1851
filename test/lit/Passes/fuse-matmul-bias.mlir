// RUN: edgec-opt %s -edge-fuse-matmul-bias -split-input-file | FileCheck %s
// RUN: edgec-opt %s -edge-fuse-matmul-bias=record-fusion -split-input-file | FileCheck %s --check-prefix=RECORD
// RUN: edgec-opt %s -edge-fuse-matmul-bias=skip-kept-float -split-input-file | FileCheck %s --check-prefix=SKIP
//
// A Linear layer, Add(MatMul(x, W), b) with a constant bias b [N], becomes one Gemm with
// b as C; see the pass's description for when it does not.

// Rank 2, either operand order of the Add.
// CHECK-LABEL: func.func @linear_2d
// CHECK-NEXT: %[[B:.+]] = edge.constant
// CHECK-NEXT: %[[Y:.+]] = edge.Gemm %arg0, %arg1, %[[B]] : (tensor<5x3xf32>, tensor<3x4xf32>, tensor<4xf32>) -> tensor<5x4xf32>
// CHECK-NEXT: %[[Z:.+]] = edge.Gemm %[[Y]], %arg2, %[[B]] : (tensor<5x4xf32>, tensor<4x4xf32>, tensor<4xf32>) -> tensor<5x4xf32>
// CHECK-NEXT: return %[[Z]]
// RECORD-LABEL: func.func @linear_2d
// RECORD: edge.Gemm {{.+}} {edge.fused = ["fc1", "fc1_bias"]}
func.func @linear_2d(%x: tensor<5x3xf32>, %w: tensor<3x4xf32>, %w2: tensor<4x4xf32>) -> tensor<5x4xf32> {
  %b = edge.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %0 = edge.MatMul %x, %w : (tensor<5x3xf32>, tensor<3x4xf32>) -> tensor<5x4xf32> loc("fc1")
  %1 = edge.Add %0, %b : (tensor<5x4xf32>, tensor<4xf32>) -> tensor<5x4xf32> loc("fc1_bias")
  %2 = edge.MatMul %1, %w2 : (tensor<5x4xf32>, tensor<4x4xf32>) -> tensor<5x4xf32>
  %3 = edge.Add %b, %2 : (tensor<4xf32>, tensor<5x4xf32>) -> tensor<5x4xf32>
  return %3 : tensor<5x4xf32>
}

// -----

// Rank 3 ([S, B, E], the transformers' sequence-first layout): the rows flattened into
// the Gemm and its result reshaped back.
// CHECK-LABEL: func.func @linear_3d
// CHECK: %[[R:.+]] = edge.Reshape %arg0 : (tensor<6x2x8xf32>) -> tensor<12x8xf32>
// CHECK-NEXT: %[[G:.+]] = edge.Gemm %[[R]], %arg1, %{{.+}} : (tensor<12x8xf32>, tensor<8x3xf32>, tensor<3xf32>) -> tensor<12x3xf32>
// CHECK-NEXT: %[[Y:.+]] = edge.Reshape %[[G]] : (tensor<12x3xf32>) -> tensor<6x2x3xf32>
// CHECK-NEXT: return %[[Y]]
func.func @linear_3d(%x: tensor<6x2x8xf32>, %w: tensor<8x3xf32>) -> tensor<6x2x3xf32> {
  %b = edge.constant dense<[0.5, -1.0, 2.0]> : tensor<3xf32>
  %0 = edge.MatMul %x, %w : (tensor<6x2x8xf32>, tensor<8x3xf32>) -> tensor<6x2x3xf32>
  %1 = edge.Add %0, %b : (tensor<6x2x3xf32>, tensor<3xf32>) -> tensor<6x2x3xf32>
  return %1 : tensor<6x2x3xf32>
}

// -----

// Not fused: the product has another user; the bias is not a constant; the bias broadcasts
// along another dim ([5, 1]); it widens the result ([5, 1] + [4]); a batched weight; f16.
// CHECK-LABEL: func.func @not_fused
// CHECK-NOT: edge.Gemm
// CHECK: return
func.func @not_fused(%x: tensor<5x3xf32>, %w: tensor<3x4xf32>, %bias: tensor<4xf32>, %y: tensor<2x5x3xf32>,
                     %wb: tensor<2x3x4xf32>, %h: tensor<5x3xf16>, %wh: tensor<3x4xf16>, %w1: tensor<3x1xf32>)
    -> (tensor<5x4xf32>, tensor<5x4xf32>, tensor<5x4xf32>, tensor<5x4xf32>, tensor<5x4xf32>, tensor<2x5x4xf32>, tensor<5x4xf16>) {
  %b = edge.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %col = edge.constant dense<[[1.0], [2.0], [3.0], [4.0], [5.0]]> : tensor<5x1xf32>
  %bh = edge.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf16>
  %0 = edge.MatMul %x, %w : (tensor<5x3xf32>, tensor<3x4xf32>) -> tensor<5x4xf32>
  %1 = edge.Add %0, %b : (tensor<5x4xf32>, tensor<4xf32>) -> tensor<5x4xf32>
  %2 = edge.MatMul %x, %w : (tensor<5x3xf32>, tensor<3x4xf32>) -> tensor<5x4xf32>
  %3 = edge.Add %2, %bias : (tensor<5x4xf32>, tensor<4xf32>) -> tensor<5x4xf32>
  %4 = edge.MatMul %x, %w : (tensor<5x3xf32>, tensor<3x4xf32>) -> tensor<5x4xf32>
  %5 = edge.Add %4, %col : (tensor<5x4xf32>, tensor<5x1xf32>) -> tensor<5x4xf32>
  %6 = edge.MatMul %x, %w1 : (tensor<5x3xf32>, tensor<3x1xf32>) -> tensor<5x1xf32>
  %8 = edge.Add %6, %b : (tensor<5x1xf32>, tensor<4xf32>) -> tensor<5x4xf32>
  %9 = edge.MatMul %y, %wb : (tensor<2x5x3xf32>, tensor<2x3x4xf32>) -> tensor<2x5x4xf32>
  %10 = edge.Add %9, %b : (tensor<2x5x4xf32>, tensor<4xf32>) -> tensor<2x5x4xf32>
  %11 = edge.MatMul %h, %wh : (tensor<5x3xf16>, tensor<3x4xf16>) -> tensor<5x4xf16>
  %12 = edge.Add %11, %bh : (tensor<5x4xf16>, tensor<4xf16>) -> tensor<5x4xf16>
  return %0, %1, %3, %5, %8, %10, %12 : tensor<5x4xf32>, tensor<5x4xf32>, tensor<5x4xf32>, tensor<5x4xf32>, tensor<5x4xf32>, tensor<2x5x4xf32>, tensor<5x4xf16>
}

// -----

// Not fused in a model compiled for dynamic dims (the importer's edge.input_dims): its
// probe compile has static types, but the flattened rows would be a reshape the runtime
// cannot recompute at another size.
// CHECK-LABEL: func.func @dynamic_model
// CHECK-NOT: edge.Gemm
// CHECK: return
module attributes {edge.input_dims = {x = ["batch", 2, 8]}} {
  func.func @dynamic_model(%x: tensor<6x2x8xf32>, %w: tensor<8x3xf32>) -> tensor<6x2x3xf32> {
    %b = edge.constant dense<[0.5, -1.0, 2.0]> : tensor<3xf32>
    %0 = edge.MatMul %x, %w : (tensor<6x2x8xf32>, tensor<8x3xf32>) -> tensor<6x2x3xf32>
    %1 = edge.Add %0, %b : (tensor<6x2x3xf32>, tensor<3xf32>) -> tensor<6x2x3xf32>
    return %1 : tensor<6x2x3xf32>
  }
}

// -----

// Ops marked edge.keep_float: fused as any others by default (the late run); with
// skip-kept-float (the int8 pipelines' early run) left alone, marks and all. Without
// marks, the early run's Gemm takes the Add's calibration range.
// CHECK-LABEL: func.func @kept_float
// CHECK-COUNT-3: edge.Gemm
// SKIP-LABEL: func.func @kept_float
// SKIP: edge.MatMul {{.+}} {edge.keep_float}
// SKIP: edge.Add
// SKIP: edge.MatMul
// SKIP: edge.Add {{.+}} {edge.keep_float}
// SKIP: edge.Gemm %arg0, %arg1, %{{.+}} {edge.calib_range = array<f32: -1.000000e+00, 2.000000e+00>}
// SKIP-NOT: edge.Add
func.func @kept_float(%x: tensor<5x3xf32>, %w: tensor<3x4xf32>) -> (tensor<5x4xf32>, tensor<5x4xf32>, tensor<5x4xf32>) {
  %b = edge.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %0 = edge.MatMul %x, %w {edge.keep_float} : (tensor<5x3xf32>, tensor<3x4xf32>) -> tensor<5x4xf32>
  %1 = edge.Add %0, %b : (tensor<5x4xf32>, tensor<4xf32>) -> tensor<5x4xf32>
  %2 = edge.MatMul %x, %w : (tensor<5x3xf32>, tensor<3x4xf32>) -> tensor<5x4xf32>
  %3 = edge.Add %2, %b {edge.keep_float} : (tensor<5x4xf32>, tensor<4xf32>) -> tensor<5x4xf32>
  %4 = edge.MatMul %x, %w {edge.calib_range = array<f32: -3.0, 3.0>} : (tensor<5x3xf32>, tensor<3x4xf32>) -> tensor<5x4xf32>
  %5 = edge.Add %4, %b {edge.calib_range = array<f32: -1.0, 2.0>} : (tensor<5x4xf32>, tensor<4xf32>) -> tensor<5x4xf32>
  return %1, %3, %5 : tensor<5x4xf32>, tensor<5x4xf32>, tensor<5x4xf32>
}
