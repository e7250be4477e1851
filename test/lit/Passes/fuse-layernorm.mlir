// RUN: edgec-opt %s -edge-fuse-layernorm -split-input-file | FileCheck %s
//
// The decomposed LayerNorm of torch.onnx (opset <= 16) becomes edge.LayerNormalization:
//   y = Div(Sub(x, mean(x)), Sqrt(Add(mean(Sub(x, mean(x))^2), eps))) [* gamma] [+ beta]
// with the means over the trailing dims (keepdims = 1).

// Exported form: Pow(d, 2), gamma and beta.
// CHECK-LABEL: func.func @pow_affine
// CHECK-SAME: (%[[X:.+]]: tensor<2x1x4xf32>)
// CHECK-DAG: %[[G:.+]] = edge.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>
// CHECK-DAG: %[[B:.+]] = edge.constant dense<[5.000000e-01, 0.000000e+00, -5.000000e-01, 1.000000e+00]> : tensor<4xf32>
// CHECK: %[[Y:.+]] = edge.LayerNormalization %[[X]], %[[G]], %[[B]] {axis = 2 : i64, epsilon = 9.99999974E-6 : f32} : (tensor<2x1x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x1x4xf32>
// CHECK-NEXT: return %[[Y]]
// CHECK-NOT: edge.ReduceMean
func.func @pow_affine(%x: tensor<2x1x4xf32>) -> tensor<2x1x4xf32> {
  %g = edge.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %b = edge.constant dense<[0.5, 0.0, -0.5, 1.0]> : tensor<4xf32>
  %two = edge.constant dense<2.0> : tensor<f32>
  %eps = edge.constant dense<1.0e-5> : tensor<f32>
  %0 = edge.ReduceMean %x {axes = array<i64: 2>, keepdims = 1 : i64} : (tensor<2x1x4xf32>) -> tensor<2x1x1xf32>
  %1 = edge.Sub %x, %0 : (tensor<2x1x4xf32>, tensor<2x1x1xf32>) -> tensor<2x1x4xf32>
  %2 = edge.Pow %1, %two : (tensor<2x1x4xf32>, tensor<f32>) -> tensor<2x1x4xf32>
  %3 = edge.ReduceMean %2 {axes = array<i64: 2>, keepdims = 1 : i64} : (tensor<2x1x4xf32>) -> tensor<2x1x1xf32>
  %4 = edge.Add %3, %eps : (tensor<2x1x1xf32>, tensor<f32>) -> tensor<2x1x1xf32>
  %5 = edge.Sqrt %4 : tensor<2x1x1xf32>
  %6 = edge.Div %1, %5 : (tensor<2x1x4xf32>, tensor<2x1x1xf32>) -> tensor<2x1x4xf32>
  %7 = edge.Mul %6, %g : (tensor<2x1x4xf32>, tensor<4xf32>) -> tensor<2x1x4xf32>
  %8 = edge.Add %7, %b : (tensor<2x1x4xf32>, tensor<4xf32>) -> tensor<2x1x4xf32>
  return %8 : tensor<2x1x4xf32>
}

// -----

// After canonicalization: Mul(d, d); operands of the commutative Add/Mul swapped.
// CHECK-LABEL: func.func @mul_affine_commuted
// CHECK-SAME: (%[[X:.+]]: tensor<3x8xf32>)
// CHECK-DAG: %[[G:.+]] = edge.constant dense<2.000000e+00> : tensor<8xf32>
// CHECK-DAG: %[[B:.+]] = edge.constant dense<1.000000e+00> : tensor<8xf32>
// CHECK: %[[Y:.+]] = edge.LayerNormalization %[[X]], %[[G]], %[[B]] {axis = 1 : i64, epsilon = 1.000000e-03 : f32} : (tensor<3x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<3x8xf32>
// CHECK-NEXT: return %[[Y]]
func.func @mul_affine_commuted(%x: tensor<3x8xf32>) -> tensor<3x8xf32> {
  %g = edge.constant dense<2.0> : tensor<8xf32>
  %b = edge.constant dense<1.0> : tensor<8xf32>
  %eps = edge.constant dense<1.0e-3> : tensor<1xf32>
  %0 = edge.ReduceMean %x {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<3x8xf32>) -> tensor<3x1xf32>
  %1 = edge.Sub %x, %0 : (tensor<3x8xf32>, tensor<3x1xf32>) -> tensor<3x8xf32>
  %2 = edge.Mul %1, %1 : (tensor<3x8xf32>, tensor<3x8xf32>) -> tensor<3x8xf32>
  %3 = edge.ReduceMean %2 {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<3x8xf32>) -> tensor<3x1xf32>
  %4 = edge.Add %eps, %3 : (tensor<1xf32>, tensor<3x1xf32>) -> tensor<3x1xf32>
  %5 = edge.Sqrt %4 : tensor<3x1xf32>
  %6 = edge.Div %1, %5 : (tensor<3x8xf32>, tensor<3x1xf32>) -> tensor<3x8xf32>
  %7 = edge.Mul %g, %6 : (tensor<8xf32>, tensor<3x8xf32>) -> tensor<3x8xf32>
  %8 = edge.Add %b, %7 : (tensor<8xf32>, tensor<3x8xf32>) -> tensor<3x8xf32>
  return %8 : tensor<3x8xf32>
}

// -----

// No gamma, no beta (elementwise_affine=False): a splat-1 scale, no bias.
// CHECK-LABEL: func.func @no_affine
// CHECK-SAME: (%[[X:.+]]: tensor<2x5xf32>)
// CHECK: %[[ONE:.+]] = edge.constant dense<1.000000e+00> : tensor<5xf32>
// CHECK: %[[Y:.+]] = edge.LayerNormalization %[[X]], %[[ONE]] {axis = 1 : i64, epsilon = 9.99999974E-6 : f32} : (tensor<2x5xf32>, tensor<5xf32>) -> tensor<2x5xf32>
// CHECK-NEXT: return %[[Y]]
func.func @no_affine(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %eps = edge.constant dense<1.0e-5> : tensor<f32>
  %0 = edge.ReduceMean %x {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x5xf32>) -> tensor<2x1xf32>
  %1 = edge.Sub %x, %0 : (tensor<2x5xf32>, tensor<2x1xf32>) -> tensor<2x5xf32>
  %2 = edge.Mul %1, %1 : (tensor<2x5xf32>, tensor<2x5xf32>) -> tensor<2x5xf32>
  %3 = edge.ReduceMean %2 {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x5xf32>) -> tensor<2x1xf32>
  %4 = edge.Add %3, %eps : (tensor<2x1xf32>, tensor<f32>) -> tensor<2x1xf32>
  %5 = edge.Sqrt %4 : tensor<2x1xf32>
  %6 = edge.Div %1, %5 : (tensor<2x5xf32>, tensor<2x1xf32>) -> tensor<2x5xf32>
  return %6 : tensor<2x5xf32>
}

// -----

// Gamma only (bias=False), normalizing the two trailing dims: axis = 1, gamma [3, 4].
// CHECK-LABEL: func.func @gamma_only_two_dims
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x4xf32>)
// CHECK: %[[G:.+]] = edge.constant dense<5.000000e-01> : tensor<3x4xf32>
// CHECK: %[[Y:.+]] = edge.LayerNormalization %[[X]], %[[G]] {axis = 1 : i64, epsilon = 9.99999974E-6 : f32} : (tensor<2x3x4xf32>, tensor<3x4xf32>) -> tensor<2x3x4xf32>
// CHECK-NEXT: return %[[Y]]
func.func @gamma_only_two_dims(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %g = edge.constant dense<0.5> : tensor<3x4xf32>
  %eps = edge.constant dense<1.0e-5> : tensor<f32>
  %0 = edge.ReduceMean %x {axes = array<i64: 1, 2>, keepdims = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2x1x1xf32>
  %1 = edge.Sub %x, %0 : (tensor<2x3x4xf32>, tensor<2x1x1xf32>) -> tensor<2x3x4xf32>
  %2 = edge.Mul %1, %1 : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %3 = edge.ReduceMean %2 {axes = array<i64: 1, 2>, keepdims = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2x1x1xf32>
  %4 = edge.Add %3, %eps : (tensor<2x1x1xf32>, tensor<f32>) -> tensor<2x1x1xf32>
  %5 = edge.Sqrt %4 : tensor<2x1x1xf32>
  %6 = edge.Div %1, %5 : (tensor<2x3x4xf32>, tensor<2x1x1xf32>) -> tensor<2x3x4xf32>
  %7 = edge.Mul %6, %g : (tensor<2x3x4xf32>, tensor<3x4xf32>) -> tensor<2x3x4xf32>
  return %7 : tensor<2x3x4xf32>
}

// -----

// Before CSE the variance may use its own copies of Sub(x, mean) and of the mean.
// CHECK-LABEL: func.func @duplicated_sub
// CHECK-SAME: (%[[X:.+]]: tensor<2x4xf32>)
// CHECK: %[[B:.+]] = edge.constant dense<2.500000e-01> : tensor<4xf32>
// CHECK: %[[ONE:.+]] = edge.constant dense<1.000000e+00> : tensor<4xf32>
// CHECK: %[[Y:.+]] = edge.LayerNormalization %[[X]], %[[ONE]], %[[B]] {axis = 1 : i64, epsilon = 9.99999974E-6 : f32}
// CHECK-NEXT: return %[[Y]]
func.func @duplicated_sub(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %b = edge.constant dense<0.25> : tensor<4xf32>
  %two = edge.constant dense<2> : tensor<i64>
  %eps = edge.constant dense<1.0e-5> : tensor<f32>
  %m0 = edge.ReduceMean %x {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x4xf32>) -> tensor<2x1xf32>
  %m1 = edge.ReduceMean %x {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x4xf32>) -> tensor<2x1xf32>
  %d0 = edge.Sub %x, %m0 : (tensor<2x4xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
  %d1 = edge.Sub %x, %m1 : (tensor<2x4xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
  %2 = edge.Pow %d1, %two : (tensor<2x4xf32>, tensor<i64>) -> tensor<2x4xf32>
  %3 = edge.ReduceMean %2 {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x4xf32>) -> tensor<2x1xf32>
  %4 = edge.Add %3, %eps : (tensor<2x1xf32>, tensor<f32>) -> tensor<2x1xf32>
  %5 = edge.Sqrt %4 : tensor<2x1xf32>
  %6 = edge.Div %d0, %5 : (tensor<2x4xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
  %7 = edge.Add %6, %b : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %7 : tensor<2x4xf32>
}

// -----

// A non-constant gamma stays outside: the LayerNorm fuses without it, the Mul and
// the Add after it remain.
// CHECK-LABEL: func.func @non_constant_gamma
// CHECK-SAME: (%[[X:.+]]: tensor<2x4xf32>, %[[G:.+]]: tensor<4xf32>)
// CHECK: %[[Y:.+]] = edge.LayerNormalization %[[X]], %{{.+}} {axis = 1 : i64
// CHECK: %[[M:.+]] = edge.Mul %[[Y]], %[[G]]
// CHECK: %[[A:.+]] = edge.Add %[[M]],
// CHECK: return %[[A]]
func.func @non_constant_gamma(%x: tensor<2x4xf32>, %g: tensor<4xf32>) -> tensor<2x4xf32> {
  %b = edge.constant dense<0.25> : tensor<4xf32>
  %eps = edge.constant dense<1.0e-5> : tensor<f32>
  %0 = edge.ReduceMean %x {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x4xf32>) -> tensor<2x1xf32>
  %1 = edge.Sub %x, %0 : (tensor<2x4xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
  %2 = edge.Mul %1, %1 : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %3 = edge.ReduceMean %2 {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x4xf32>) -> tensor<2x1xf32>
  %4 = edge.Add %3, %eps : (tensor<2x1xf32>, tensor<f32>) -> tensor<2x1xf32>
  %5 = edge.Sqrt %4 : tensor<2x1xf32>
  %6 = edge.Div %1, %5 : (tensor<2x4xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
  %7 = edge.Mul %6, %g : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %8 = edge.Add %7, %b : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %8 : tensor<2x4xf32>
}

// -----

// A gamma with more dims than the normalized shape is not a LayerNorm scale: only
// the unscaled part fuses.
// CHECK-LABEL: func.func @gamma_wider_than_normalized
// CHECK: %[[Y:.+]] = edge.LayerNormalization
// CHECK: edge.Mul %[[Y]],
func.func @gamma_wider_than_normalized(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %g = edge.constant dense<3.0> : tensor<2x4xf32>
  %eps = edge.constant dense<1.0e-5> : tensor<f32>
  %0 = edge.ReduceMean %x {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x4xf32>) -> tensor<2x1xf32>
  %1 = edge.Sub %x, %0 : (tensor<2x4xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
  %2 = edge.Mul %1, %1 : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %3 = edge.ReduceMean %2 {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x4xf32>) -> tensor<2x1xf32>
  %4 = edge.Add %3, %eps : (tensor<2x1xf32>, tensor<f32>) -> tensor<2x1xf32>
  %5 = edge.Sqrt %4 : tensor<2x1xf32>
  %6 = edge.Div %1, %5 : (tensor<2x4xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
  %7 = edge.Mul %6, %g : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return %7 : tensor<2x4xf32>
}

// -----

// Negative: the variance reduces other axes than the mean.
// CHECK-LABEL: func.func @mismatched_axes
// CHECK-NOT: edge.LayerNormalization
// CHECK: edge.Div
func.func @mismatched_axes(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %eps = edge.constant dense<1.0e-5> : tensor<f32>
  %0 = edge.ReduceMean %x {axes = array<i64: 2>, keepdims = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2x3x1xf32>
  %1 = edge.Sub %x, %0 : (tensor<2x3x4xf32>, tensor<2x3x1xf32>) -> tensor<2x3x4xf32>
  %2 = edge.Mul %1, %1 : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %3 = edge.ReduceMean %2 {axes = array<i64: 1, 2>, keepdims = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2x1x1xf32>
  %4 = edge.Add %3, %eps : (tensor<2x1x1xf32>, tensor<f32>) -> tensor<2x1x1xf32>
  %5 = edge.Sqrt %4 : tensor<2x1x1xf32>
  %6 = edge.Div %1, %5 : (tensor<2x3x4xf32>, tensor<2x1x1xf32>) -> tensor<2x3x4xf32>
  return %6 : tensor<2x3x4xf32>
}

// -----

// Negative: normalizing a leading dim is not a LayerNormalization (axis covers the
// dims from it to the end).
// CHECK-LABEL: func.func @non_trailing_axes
// CHECK-NOT: edge.LayerNormalization
// CHECK: edge.Div
func.func @non_trailing_axes(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %eps = edge.constant dense<1.0e-5> : tensor<f32>
  %0 = edge.ReduceMean %x {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  %1 = edge.Sub %x, %0 : (tensor<2x3x4xf32>, tensor<2x1x4xf32>) -> tensor<2x3x4xf32>
  %2 = edge.Mul %1, %1 : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %3 = edge.ReduceMean %2 {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  %4 = edge.Add %3, %eps : (tensor<2x1x4xf32>, tensor<f32>) -> tensor<2x1x4xf32>
  %5 = edge.Sqrt %4 : tensor<2x1x4xf32>
  %6 = edge.Div %1, %5 : (tensor<2x3x4xf32>, tensor<2x1x4xf32>) -> tensor<2x3x4xf32>
  return %6 : tensor<2x3x4xf32>
}

// -----

// Negative: an intermediate (the centered x, the variance) has a user outside the
// pattern, which must still see it.
// CHECK-LABEL: func.func @intermediate_second_user
// CHECK-NOT: edge.LayerNormalization
// CHECK: %[[D:.+]] = edge.Sub
// CHECK: %[[V:.+]] = edge.ReduceMean
// CHECK: edge.Div %[[D]],
// CHECK-LABEL: func.func @variance_second_user
// CHECK-NOT: edge.LayerNormalization
// CHECK: edge.Div
func.func @intermediate_second_user(%x: tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  %eps = edge.constant dense<1.0e-5> : tensor<f32>
  %0 = edge.ReduceMean %x {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x4xf32>) -> tensor<2x1xf32>
  %1 = edge.Sub %x, %0 : (tensor<2x4xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
  %2 = edge.Mul %1, %1 : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %3 = edge.ReduceMean %2 {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x4xf32>) -> tensor<2x1xf32>
  %4 = edge.Add %3, %eps : (tensor<2x1xf32>, tensor<f32>) -> tensor<2x1xf32>
  %5 = edge.Sqrt %4 : tensor<2x1xf32>
  %6 = edge.Div %1, %5 : (tensor<2x4xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
  return %6, %1 : tensor<2x4xf32>, tensor<2x4xf32>
}
func.func @variance_second_user(%x: tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<2x1xf32>) {
  %eps = edge.constant dense<1.0e-5> : tensor<f32>
  %0 = edge.ReduceMean %x {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x4xf32>) -> tensor<2x1xf32>
  %1 = edge.Sub %x, %0 : (tensor<2x4xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
  %2 = edge.Mul %1, %1 : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %3 = edge.ReduceMean %2 {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x4xf32>) -> tensor<2x1xf32>
  %4 = edge.Add %3, %eps : (tensor<2x1xf32>, tensor<f32>) -> tensor<2x1xf32>
  %5 = edge.Sqrt %4 : tensor<2x1xf32>
  %6 = edge.Div %1, %5 : (tensor<2x4xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
  return %6, %3 : tensor<2x4xf32>, tensor<2x1xf32>
}

// -----

// Negative: eps is not a constant (it would have to become an attribute).
// CHECK-LABEL: func.func @non_constant_eps
// CHECK-NOT: edge.LayerNormalization
// CHECK: edge.Div
func.func @non_constant_eps(%x: tensor<2x4xf32>, %eps: tensor<f32>) -> tensor<2x4xf32> {
  %0 = edge.ReduceMean %x {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x4xf32>) -> tensor<2x1xf32>
  %1 = edge.Sub %x, %0 : (tensor<2x4xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
  %2 = edge.Mul %1, %1 : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %3 = edge.ReduceMean %2 {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x4xf32>) -> tensor<2x1xf32>
  %4 = edge.Add %3, %eps : (tensor<2x1xf32>, tensor<f32>) -> tensor<2x1xf32>
  %5 = edge.Sqrt %4 : tensor<2x1xf32>
  %6 = edge.Div %1, %5 : (tensor<2x4xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
  return %6 : tensor<2x4xf32>
}

// -----

// Negative: a per-row eps tensor is not a scalar.
// CHECK-LABEL: func.func @non_scalar_eps
// CHECK-NOT: edge.LayerNormalization
// CHECK: edge.Div
func.func @non_scalar_eps(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %eps = edge.constant dense<[[1.0e-5], [1.0e-3]]> : tensor<2x1xf32>
  %0 = edge.ReduceMean %x {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x4xf32>) -> tensor<2x1xf32>
  %1 = edge.Sub %x, %0 : (tensor<2x4xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
  %2 = edge.Mul %1, %1 : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %3 = edge.ReduceMean %2 {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x4xf32>) -> tensor<2x1xf32>
  %4 = edge.Add %3, %eps : (tensor<2x1xf32>, tensor<2x1xf32>) -> tensor<2x1xf32>
  %5 = edge.Sqrt %4 : tensor<2x1xf32>
  %6 = edge.Div %1, %5 : (tensor<2x4xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
  return %6 : tensor<2x4xf32>
}

// -----

// Negative: Pow with an exponent other than 2 is not a variance.
// CHECK-LABEL: func.func @pow_three
// CHECK-NOT: edge.LayerNormalization
// CHECK: edge.Pow
func.func @pow_three(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %three = edge.constant dense<3.0> : tensor<f32>
  %eps = edge.constant dense<1.0e-5> : tensor<f32>
  %0 = edge.ReduceMean %x {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x4xf32>) -> tensor<2x1xf32>
  %1 = edge.Sub %x, %0 : (tensor<2x4xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
  %2 = edge.Pow %1, %three : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  %3 = edge.ReduceMean %2 {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x4xf32>) -> tensor<2x1xf32>
  %4 = edge.Add %3, %eps : (tensor<2x1xf32>, tensor<f32>) -> tensor<2x1xf32>
  %5 = edge.Sqrt %4 : tensor<2x1xf32>
  %6 = edge.Div %1, %5 : (tensor<2x4xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
  return %6 : tensor<2x4xf32>
}
