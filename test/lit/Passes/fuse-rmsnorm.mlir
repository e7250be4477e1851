// RUN: edgec-opt %s -edge-fuse-rmsnorm -split-input-file | FileCheck %s
//
// The decomposed RMSNorm of LlamaRMSNorm-style modules becomes edge.RMSNormalization:
//   y = x * (1 / Sqrt(Add(ReduceMean(x^2, last axis), eps))) [* weight]

// torch.onnx's export (opset 17): Pow(x, 2), Div(1, Sqrt(.)), Mul(x, .), Mul(weight, .).
// CHECK-LABEL: func.func @torch_export
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x4xf32>)
// CHECK: %[[W:.+]] = edge.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>
// CHECK: %[[Y:.+]] = edge.RMSNormalization %[[X]], %[[W]] {axis = 2 : i64, epsilon = 9.99999997E-7 : f32} : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
// CHECK-NEXT: return %[[Y]]
// CHECK-NOT: edge.ReduceMean
func.func @torch_export(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %w = edge.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %two = edge.constant dense<2.0> : tensor<f32>
  %eps = edge.constant dense<1.0e-6> : tensor<f32>
  %one = edge.constant dense<1.0> : tensor<f32>
  %0 = edge.Pow %x, %two : (tensor<2x3x4xf32>, tensor<f32>) -> tensor<2x3x4xf32>
  %1 = edge.ReduceMean %0 {axes = array<i64: 2>, keepdims = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2x3x1xf32>
  %2 = edge.Add %1, %eps : (tensor<2x3x1xf32>, tensor<f32>) -> tensor<2x3x1xf32>
  %3 = edge.Sqrt %2 : tensor<2x3x1xf32>
  %4 = edge.Div %one, %3 : (tensor<f32>, tensor<2x3x1xf32>) -> tensor<2x3x1xf32>
  %5 = edge.Mul %x, %4 : (tensor<2x3x4xf32>, tensor<2x3x1xf32>) -> tensor<2x3x4xf32>
  %6 = edge.Mul %w, %5 : (tensor<4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %6 : tensor<2x3x4xf32>
}

// -----

// Mul(x, x), Reciprocal, the factor first in the Mul, eps first in the Add, a weight
// [1, E] (reshaped to [E], which folds into the constant); rank 2.
// CHECK-LABEL: func.func @reciprocal_variant
// CHECK-SAME: (%[[X:.+]]: tensor<3x8xf32>)
// CHECK: %[[W:.+]] = edge.constant dense<5.000000e-01> : tensor<8xf32>
// CHECK: %[[Y:.+]] = edge.RMSNormalization %[[X]], %[[W]] {axis = 1 : i64, epsilon = 9.99999974E-6 : f32} : (tensor<3x8xf32>, tensor<8xf32>) -> tensor<3x8xf32>
// CHECK-NEXT: return %[[Y]]
func.func @reciprocal_variant(%x: tensor<3x8xf32>) -> tensor<3x8xf32> {
  %w = edge.constant dense<0.5> : tensor<1x8xf32>
  %eps = edge.constant dense<1.0e-5> : tensor<1xf32>
  %0 = edge.Mul %x, %x : (tensor<3x8xf32>, tensor<3x8xf32>) -> tensor<3x8xf32>
  %1 = edge.ReduceMean %0 {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<3x8xf32>) -> tensor<3x1xf32>
  %2 = edge.Add %eps, %1 : (tensor<1xf32>, tensor<3x1xf32>) -> tensor<3x1xf32>
  %3 = edge.Sqrt %2 : tensor<3x1xf32>
  %4 = edge.Reciprocal %3 : tensor<3x1xf32>
  %5 = edge.Mul %4, %x : (tensor<3x1xf32>, tensor<3x8xf32>) -> tensor<3x8xf32>
  %6 = edge.Mul %5, %w : (tensor<3x8xf32>, tensor<1x8xf32>) -> tensor<3x8xf32>
  return %6 : tensor<3x8xf32>
}

// -----

// Div(x, Sqrt(.)) without a weight: a splat-1 scale; rank 1.
// CHECK-LABEL: func.func @div_no_weight
// CHECK-SAME: (%[[X:.+]]: tensor<6xf32>)
// CHECK: %[[ONE:.+]] = edge.constant dense<1.000000e+00> : tensor<6xf32>
// CHECK: %[[Y:.+]] = edge.RMSNormalization %[[X]], %[[ONE]] {axis = 0 : i64, epsilon = 1.000000e-03 : f32}
// CHECK-NEXT: return %[[Y]]
func.func @div_no_weight(%x: tensor<6xf32>) -> tensor<6xf32> {
  %two = edge.constant dense<2> : tensor<i64>
  %eps = edge.constant dense<1.0e-3> : tensor<f32>
  %0 = edge.Pow %x, %two : (tensor<6xf32>, tensor<i64>) -> tensor<6xf32>
  %1 = edge.ReduceMean %0 {axes = array<i64: 0>, keepdims = 1 : i64} : (tensor<6xf32>) -> tensor<1xf32>
  %2 = edge.Add %1, %eps : (tensor<1xf32>, tensor<f32>) -> tensor<1xf32>
  %3 = edge.Sqrt %2 : tensor<1xf32>
  %4 = edge.Div %x, %3 : (tensor<6xf32>, tensor<1xf32>) -> tensor<6xf32>
  return %4 : tensor<6xf32>
}

// -----

// A weight that is not a constant broadcasting along the last dim only stays a Mul
// after the fused op (here a per-row [3, 1] scale).
// CHECK-LABEL: func.func @weight_not_last_dim
// CHECK: %[[N:.+]] = edge.RMSNormalization
// CHECK-NEXT: %[[Y:.+]] = edge.Mul %[[N]], %{{.+}} : (tensor<3x8xf32>, tensor<3x1xf32>) -> tensor<3x8xf32>
// CHECK-NEXT: return %[[Y]]
func.func @weight_not_last_dim(%x: tensor<3x8xf32>) -> tensor<3x8xf32> {
  %w = edge.constant dense<[[1.0], [2.0], [3.0]]> : tensor<3x1xf32>
  %eps = edge.constant dense<1.0e-5> : tensor<f32>
  %0 = edge.Mul %x, %x : (tensor<3x8xf32>, tensor<3x8xf32>) -> tensor<3x8xf32>
  %1 = edge.ReduceMean %0 {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<3x8xf32>) -> tensor<3x1xf32>
  %2 = edge.Add %1, %eps : (tensor<3x1xf32>, tensor<f32>) -> tensor<3x1xf32>
  %3 = edge.Sqrt %2 : tensor<3x1xf32>
  %4 = edge.Div %x, %3 : (tensor<3x8xf32>, tensor<3x1xf32>) -> tensor<3x8xf32>
  %5 = edge.Mul %4, %w : (tensor<3x8xf32>, tensor<3x1xf32>) -> tensor<3x8xf32>
  return %5 : tensor<3x8xf32>
}

// -----

// Not fused: the mean square has another user; the mean is over another axis than the
// last; the square is of another value than the one normalized; an f16 tensor; Pow(x, 3).
// CHECK-LABEL: func.func @not_fused
// CHECK-NOT: edge.RMSNormalization
// CHECK: return
func.func @not_fused(%x: tensor<3x8xf32>, %z: tensor<3x8xf32>, %h: tensor<3x8xf16>)
    -> (tensor<3x8xf32>, tensor<3x1xf32>, tensor<3x8xf32>, tensor<3x8xf32>, tensor<3x8xf16>, tensor<3x8xf32>) {
  %eps = edge.constant dense<1.0e-5> : tensor<f32>
  %three = edge.constant dense<3.0> : tensor<f32>
  // another user of the mean
  %0 = edge.Mul %x, %x : (tensor<3x8xf32>, tensor<3x8xf32>) -> tensor<3x8xf32>
  %1 = edge.ReduceMean %0 {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<3x8xf32>) -> tensor<3x1xf32>
  %2 = edge.Add %1, %eps : (tensor<3x1xf32>, tensor<f32>) -> tensor<3x1xf32>
  %3 = edge.Sqrt %2 : tensor<3x1xf32>
  %4 = edge.Div %x, %3 : (tensor<3x8xf32>, tensor<3x1xf32>) -> tensor<3x8xf32>
  // mean over axis 0
  %10 = edge.Mul %x, %x : (tensor<3x8xf32>, tensor<3x8xf32>) -> tensor<3x8xf32>
  %11 = edge.ReduceMean %10 {axes = array<i64: 0>, keepdims = 1 : i64} : (tensor<3x8xf32>) -> tensor<1x8xf32>
  %12 = edge.Add %11, %eps : (tensor<1x8xf32>, tensor<f32>) -> tensor<1x8xf32>
  %13 = edge.Sqrt %12 : tensor<1x8xf32>
  %14 = edge.Div %x, %13 : (tensor<3x8xf32>, tensor<1x8xf32>) -> tensor<3x8xf32>
  // the square of z normalizes x
  %20 = edge.Mul %z, %z : (tensor<3x8xf32>, tensor<3x8xf32>) -> tensor<3x8xf32>
  %21 = edge.ReduceMean %20 {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<3x8xf32>) -> tensor<3x1xf32>
  %22 = edge.Add %21, %eps : (tensor<3x1xf32>, tensor<f32>) -> tensor<3x1xf32>
  %23 = edge.Sqrt %22 : tensor<3x1xf32>
  %24 = edge.Div %x, %23 : (tensor<3x8xf32>, tensor<3x1xf32>) -> tensor<3x8xf32>
  // f16
  %epsh = edge.constant dense<1.0e-3> : tensor<f16>
  %30 = edge.Mul %h, %h : (tensor<3x8xf16>, tensor<3x8xf16>) -> tensor<3x8xf16>
  %31 = edge.ReduceMean %30 {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<3x8xf16>) -> tensor<3x1xf16>
  %32 = edge.Add %31, %epsh : (tensor<3x1xf16>, tensor<f16>) -> tensor<3x1xf16>
  %33 = edge.Sqrt %32 : tensor<3x1xf16>
  %34 = edge.Div %h, %33 : (tensor<3x8xf16>, tensor<3x1xf16>) -> tensor<3x8xf16>
  // Pow(x, 3)
  %40 = edge.Pow %x, %three : (tensor<3x8xf32>, tensor<f32>) -> tensor<3x8xf32>
  %41 = edge.ReduceMean %40 {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<3x8xf32>) -> tensor<3x1xf32>
  %42 = edge.Add %41, %eps : (tensor<3x1xf32>, tensor<f32>) -> tensor<3x1xf32>
  %43 = edge.Sqrt %42 : tensor<3x1xf32>
  %44 = edge.Div %x, %43 : (tensor<3x8xf32>, tensor<3x1xf32>) -> tensor<3x8xf32>
  return %4, %1, %14, %24, %34, %44 : tensor<3x8xf32>, tensor<3x1xf32>, tensor<3x8xf32>, tensor<3x8xf32>, tensor<3x8xf16>, tensor<3x8xf32>
}

// -----

// With record-fusion, the fused op names the ONNX nodes it came from, in source order.
// RUN: edgec-opt %s -split-input-file -edge-fuse-rmsnorm=record-fusion=true | FileCheck %s --check-prefix=RECORD
// CHECK-LABEL: func.func @recorded
// RECORD-LABEL: func.func @recorded
// RECORD: edge.RMSNormalization {{.+}}edge.fused = ["/n/Pow", "/n/ReduceMean", "/n/Add", "/n/Sqrt", "/n/Div", "/n/Mul", "/n/Mul_1"]
func.func @recorded(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %w = edge.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %two = edge.constant dense<2.0> : tensor<f32>
  %eps = edge.constant dense<1.0e-6> : tensor<f32>
  %one = edge.constant dense<1.0> : tensor<f32>
  %0 = edge.Pow %x, %two : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32> loc("/n/Pow")
  %1 = edge.ReduceMean %0 {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x4xf32>) -> tensor<2x1xf32> loc("/n/ReduceMean")
  %2 = edge.Add %1, %eps : (tensor<2x1xf32>, tensor<f32>) -> tensor<2x1xf32> loc("/n/Add")
  %3 = edge.Sqrt %2 : tensor<2x1xf32> loc("/n/Sqrt")
  %4 = edge.Div %one, %3 : (tensor<f32>, tensor<2x1xf32>) -> tensor<2x1xf32> loc("/n/Div")
  %5 = edge.Mul %x, %4 : (tensor<2x4xf32>, tensor<2x1xf32>) -> tensor<2x4xf32> loc("/n/Mul")
  %6 = edge.Mul %w, %5 : (tensor<4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32> loc("/n/Mul_1")
  return %6 : tensor<2x4xf32>
}
