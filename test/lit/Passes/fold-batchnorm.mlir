// RUN: edgec-opt %s -edge-fold-batchnorm -split-input-file | FileCheck %s
//
// BN(conv(x, W, b)) -> conv(x, W * s, (b - mean) * s + beta), s = gamma / sqrt(var + eps).
// The expected numbers were computed independently (Python, float64, rounded to f32).

// s = [4 / sqrt(3 + 1), 0.5 / sqrt(0 + 1)] = [2, 0.5]
// W' = [[1, 2, 3, 4] * 2, [-1, 0.5, 0.25, -2] * 0.5]
// b' = [(1.5 - 0.5) * 2 + 1, (-1 - 2) * 0.5 - 1] = [3, -2.5]
// CHECK-LABEL: func.func @fold_with_bias
// CHECK-SAME: (%[[X:.+]]: tensor<1x1x3x3xf32>)
// CHECK-DAG: %[[W:.+]] = edge.constant dense<{{\[}}{{\[}}{{\[}}[2.000000e+00, 4.000000e+00], [6.000000e+00, 8.000000e+00]]], {{\[}}{{\[}}[-5.000000e-01, 2.500000e-01], [1.250000e-01, -1.000000e+00]]]]> : tensor<2x1x2x2xf32>
// CHECK-DAG: %[[B:.+]] = edge.constant dense<[3.000000e+00, -2.500000e+00]> : tensor<2xf32>
// CHECK: %[[Y:.+]] = edge.Conv %[[X]], %[[W]], %[[B]] {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x3x3xf32>, tensor<2x1x2x2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
// CHECK-NOT: edge.BatchNormalization
// CHECK: return %[[Y]]
func.func @fold_with_bias(%x: tensor<1x1x3x3xf32>) -> tensor<1x2x2x2xf32> {
  %w = edge.constant dense<[[[[1.0, 2.0], [3.0, 4.0]]], [[[-1.0, 0.5], [0.25, -2.0]]]]> : tensor<2x1x2x2xf32>
  %b = edge.constant dense<[1.5, -1.0]> : tensor<2xf32>
  %gamma = edge.constant dense<[4.0, 0.5]> : tensor<2xf32>
  %beta = edge.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %mean = edge.constant dense<[0.5, 2.0]> : tensor<2xf32>
  %var = edge.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %0 = edge.Conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x1x3x3xf32>, tensor<2x1x2x2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %1 = edge.BatchNormalization %0, %gamma, %beta, %mean, %var {epsilon = 1.0 : f32}
      : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %1 : tensor<1x2x2x2xf32>
}

// -----

// No conv bias (b = 0), eps = 1e-5 (f32 9.99999974e-6), inexact scales:
// s = [1 / sqrt(0.5 + eps), 0.5 / sqrt(2 + eps), 2 / sqrt(4 + eps)]
// W' = [1, -2, 0.5] * s = [1.41419947, -0.707105041, 0.499999374]
// b' = -mean * s + beta  = [-1.31419945, 0.553552508, -0.549999714]
// CHECK-LABEL: func.func @fold_without_bias
// CHECK-SAME: (%[[X:.+]]: tensor<1x1x3x3xf32>)
// CHECK-DAG: %[[W:.+]] = edge.constant dense<{{\[}}{{\[}}{{\[}}[1.41419947]]], {{\[}}{{\[}}[-0.707105041]]], {{\[}}{{\[}}[0.499999374]]]]> : tensor<3x1x1x1xf32>
// CHECK-DAG: %[[B:.+]] = edge.constant dense<[-1.31419945, 0.553552508, -0.549999714]> : tensor<3xf32>
// CHECK: %[[Y:.+]] = edge.Conv %[[X]], %[[W]], %[[B]]
// CHECK-NOT: edge.BatchNormalization
// CHECK: return %[[Y]]
func.func @fold_without_bias(%x: tensor<1x1x3x3xf32>) -> tensor<1x3x3x3xf32> {
  %w = edge.constant dense<[[[[1.0]]], [[[-2.0]]], [[[0.5]]]]> : tensor<3x1x1x1xf32>
  %gamma = edge.constant dense<[1.0, 0.5, 2.0]> : tensor<3xf32>
  %beta = edge.constant dense<[0.1, 0.2, -0.3]> : tensor<3xf32>
  %mean = edge.constant dense<[1.0, -1.0, 0.25]> : tensor<3xf32>
  %var = edge.constant dense<[0.5, 2.0, 4.0]> : tensor<3xf32>
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x1x3x3xf32>, tensor<3x1x1x1xf32>) -> tensor<1x3x3x3xf32>
  %1 = edge.BatchNormalization %0, %gamma, %beta, %mean, %var {epsilon = 1.0e-5 : f32}
      : (tensor<1x3x3x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x3x3xf32>
  return %1 : tensor<1x3x3x3xf32>
}

// -----

// Depthwise (group = C): weight dim 0 is still the output channel; strides, pads,
// dilations and group carry over.
// s = [3 / sqrt(8 + 1), 1 / sqrt(15 + 1)] = [1, 0.25]
// b' = [(1 - 1) * 1 + 0, (1 + 1) * 0.25 + 0.5] = [0, 1]
// CHECK-LABEL: func.func @fold_depthwise
// CHECK-DAG: %[[W:.+]] = edge.constant dense<{{\[}}{{\[}}{{\[}}[1.000000e+00, -1.000000e+00]]], {{\[}}{{\[}}[5.000000e-01, 1.000000e+00]]]]> : tensor<2x1x1x2xf32>
// CHECK-DAG: %[[B:.+]] = edge.constant dense<[0.000000e+00, 1.000000e+00]> : tensor<2xf32>
// CHECK: edge.Conv %{{.+}}, %[[W]], %[[B]] {dilations = array<i64: 1, 2>, group = 2 : i64, pads = array<i64: 0, 1, 0, 1>, strides = array<i64: 1, 2>} : (tensor<1x2x3x4xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>) -> tensor<1x2x3x2xf32>
// CHECK-NOT: edge.BatchNormalization
func.func @fold_depthwise(%x: tensor<1x2x3x4xf32>) -> tensor<1x2x3x2xf32> {
  %w = edge.constant dense<[[[[1.0, -1.0]]], [[[2.0, 4.0]]]]> : tensor<2x1x1x2xf32>
  %b = edge.constant dense<1.0> : tensor<2xf32>
  %gamma = edge.constant dense<[3.0, 1.0]> : tensor<2xf32>
  %beta = edge.constant dense<[0.0, 0.5]> : tensor<2xf32>
  %mean = edge.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %var = edge.constant dense<[8.0, 15.0]> : tensor<2xf32>
  %0 = edge.Conv %x, %w, %b {dilations = array<i64: 1, 2>, group = 2 : i64, pads = array<i64: 0, 1, 0, 1>, strides = array<i64: 1, 2>}
      : (tensor<1x2x3x4xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>) -> tensor<1x2x3x2xf32>
  %1 = edge.BatchNormalization %0, %gamma, %beta, %mean, %var {epsilon = 1.0 : f32}
      : (tensor<1x2x3x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x2xf32>
  return %1 : tensor<1x2x3x2xf32>
}

// -----

// A folded weight above the inline limit (16 elements) becomes a resource blob;
// s = 4 / sqrt(3 + 1) = 2, so all 36 weights become 0.5 * 2 = 1.0 (0x3F800000 little-
// endian: 0000803F, after the 4-byte alignment header 08000000) and the bias (0 - 1) * 2 + 0 = -2.
// CHECK-LABEL: func.func @fold_large_weight
// CHECK-DAG: %[[W:.+]] = edge.constant dense_resource<[[NAME:folded_weight[_0-9]*]]> : tensor<4x1x3x3xf32>
// CHECK-DAG: %[[B:.+]] = edge.constant dense<-2.000000e+00> : tensor<4xf32>
// CHECK: edge.Conv %{{.+}}, %[[W]], %[[B]]
// CHECK-NOT: edge.BatchNormalization
// CHECK: [[NAME]]: "0x080000000000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F"
func.func @fold_large_weight(%x: tensor<1x1x3x3xf32>) -> tensor<1x4x1x1xf32> {
  %w = edge.constant dense<0.5> : tensor<4x1x3x3xf32>
  %gamma = edge.constant dense<4.0> : tensor<4xf32>
  %beta = edge.constant dense<0.0> : tensor<4xf32>
  %mean = edge.constant dense<1.0> : tensor<4xf32>
  %var = edge.constant dense<3.0> : tensor<4xf32>
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x1x3x3xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x1x1xf32>
  %1 = edge.BatchNormalization %0, %gamma, %beta, %mean, %var {epsilon = 1.0 : f32}
      : (tensor<1x4x1x1xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x1x1xf32>
  return %1 : tensor<1x4x1x1xf32>
}

// -----

// Two conv + BN pairs in a row both fold.
// CHECK-LABEL: func.func @fold_chain
// CHECK-SAME: (%[[X:.+]]: tensor<1x1x2x2xf32>)
// CHECK: %[[Y0:.+]] = edge.Conv %[[X]], %{{.+}}, %{{.+}} {{.*}}-> tensor<1x1x2x2xf32>
// CHECK: %[[Y1:.+]] = edge.Conv %[[Y0]], %{{.+}}, %{{.+}} {{.*}}-> tensor<1x1x2x2xf32>
// CHECK-NOT: edge.BatchNormalization
// CHECK: return %[[Y1]]
func.func @fold_chain(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %w = edge.constant dense<2.0> : tensor<1x1x1x1xf32>
  %p = edge.constant dense<1.0> : tensor<1xf32>
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32>
  %1 = edge.BatchNormalization %0, %p, %p, %p, %p {epsilon = 0.0 : f32}
      : (tensor<1x1x2x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
  %2 = edge.Conv %1, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32>
  %3 = edge.BatchNormalization %2, %p, %p, %p, %p {epsilon = 0.0 : f32}
      : (tensor<1x1x2x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
  return %3 : tensor<1x1x2x2xf32>
}

// -----

// The conv result has a second user: folding would change what it sees.
// CHECK-LABEL: func.func @conv_has_second_user
// CHECK-SAME: (%[[X:.+]]: tensor<1x1x2x2xf32>)
// CHECK: %[[W:.+]] = edge.constant dense<2.000000e+00> : tensor<1x1x1x1xf32>
// CHECK: %[[C:.+]] = edge.Conv %[[X]], %[[W]] {{.*}}: (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32>
// CHECK: %[[BN:.+]] = edge.BatchNormalization %[[C]],
// CHECK: return %[[C]], %[[BN]]
func.func @conv_has_second_user(%x: tensor<1x1x2x2xf32>) -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) {
  %w = edge.constant dense<2.0> : tensor<1x1x1x1xf32>
  %p = edge.constant dense<3.0> : tensor<1xf32>
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32>
  %1 = edge.BatchNormalization %0, %p, %p, %p, %p {epsilon = 1.0e-5 : f32}
      : (tensor<1x1x2x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
  return %0, %1 : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>
}

// -----

// BN after a fused activation is BN(Relu(conv)): not foldable.
// CHECK-LABEL: func.func @conv_with_activation
// CHECK: %[[C:.+]] = edge.Conv {{.*}}activation = "Relu"
// CHECK: edge.BatchNormalization %[[C]],
func.func @conv_with_activation(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %w = edge.constant dense<2.0> : tensor<1x1x1x1xf32>
  %p = edge.constant dense<3.0> : tensor<1xf32>
  %0 = edge.Conv %x, %w {activation = "Relu", dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32>
  %1 = edge.BatchNormalization %0, %p, %p, %p, %p {epsilon = 1.0e-5 : f32}
      : (tensor<1x1x2x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
  return %1 : tensor<1x1x2x2xf32>
}

// -----

// BN parameters that are not constants.
// CHECK-LABEL: func.func @non_constant_bn_params
// CHECK: %[[C:.+]] = edge.Conv
// CHECK: edge.BatchNormalization %[[C]],
func.func @non_constant_bn_params(%x: tensor<1x1x2x2xf32>, %mean: tensor<1xf32>) -> tensor<1x1x2x2xf32> {
  %w = edge.constant dense<2.0> : tensor<1x1x1x1xf32>
  %p = edge.constant dense<3.0> : tensor<1xf32>
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32>
  %1 = edge.BatchNormalization %0, %p, %p, %mean, %p {epsilon = 1.0e-5 : f32}
      : (tensor<1x1x2x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
  return %1 : tensor<1x1x2x2xf32>
}

// -----

// Conv weight and bias that are not constants.
// CHECK-LABEL: func.func @non_constant_conv_params
// CHECK: %[[C0:.+]] = edge.Conv %{{.+}}, %{{.+}} {
// CHECK: edge.BatchNormalization %[[C0]],
// CHECK: %[[C1:.+]] = edge.Conv %{{.+}}, %{{.+}}, %{{.+}} {
// CHECK: edge.BatchNormalization %[[C1]],
func.func @non_constant_conv_params(%x: tensor<1x1x2x2xf32>, %w: tensor<1x1x1x1xf32>, %b: tensor<1xf32>)
    -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) {
  %cw = edge.constant dense<2.0> : tensor<1x1x1x1xf32>
  %p = edge.constant dense<3.0> : tensor<1xf32>
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32>
  %1 = edge.BatchNormalization %0, %p, %p, %p, %p {epsilon = 1.0e-5 : f32}
      : (tensor<1x1x2x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
  %2 = edge.Conv %x, %cw, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
  %3 = edge.BatchNormalization %2, %p, %p, %p, %p {epsilon = 1.0e-5 : f32}
      : (tensor<1x1x2x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
  return %1, %3 : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>
}

// -----

// BN whose input is not a conv.
// CHECK-LABEL: func.func @not_after_conv
// CHECK: edge.BatchNormalization
func.func @not_after_conv(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %p = edge.constant dense<3.0> : tensor<1xf32>
  %0 = edge.BatchNormalization %x, %p, %p, %p, %p {epsilon = 1.0e-5 : f32}
      : (tensor<1x1x2x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}

// -----

// f16 BN parameters (legal: ONNX lets them differ from X) cannot be read as doubles.
// This used to read past the end of an empty vector; now the BN is left alone.
// CHECK-LABEL: func.func @f16_bn_params
// CHECK: %[[C:.+]] = edge.Conv
// CHECK: edge.BatchNormalization %[[C]],
func.func @f16_bn_params(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = edge.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %p = edge.constant dense<[1.0, 1.0]> : tensor<2xf16>
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x2x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32>
  %1 = edge.BatchNormalization %0, %p, %p, %p, %p {epsilon = 0.0 : f32}
      : (tensor<1x2x3x3xf32>, tensor<2xf16>, tensor<2xf16>, tensor<2xf16>, tensor<2xf16>) -> tensor<1x2x3x3xf32>
  return %1 : tensor<1x2x3x3xf32>
}

// -----

// Only f32 convs are folded.
// CHECK-LABEL: func.func @f16_conv
// CHECK: %[[C:.+]] = edge.Conv
// CHECK: edge.BatchNormalization %[[C]],
func.func @f16_conv(%x: tensor<1x1x2x2xf16>) -> tensor<1x1x2x2xf16> {
  %w = edge.constant dense<2.0> : tensor<1x1x1x1xf16>
  %p = edge.constant dense<3.0> : tensor<1xf16>
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x1x2x2xf16>, tensor<1x1x1x1xf16>) -> tensor<1x1x2x2xf16>
  %1 = edge.BatchNormalization %0, %p, %p, %p, %p {epsilon = 1.0e-5 : f32}
      : (tensor<1x1x2x2xf16>, tensor<1xf16>, tensor<1xf16>, tensor<1xf16>, tensor<1xf16>) -> tensor<1x1x2x2xf16>
  return %1 : tensor<1x1x2x2xf16>
}

// -----

// A dense_resource weight whose blob is missing (never loaded) is not folded.
// CHECK-LABEL: func.func @missing_blob
// CHECK: %[[C:.+]] = edge.Conv
// CHECK: edge.BatchNormalization %[[C]],
func.func @missing_blob(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %w = edge.constant dense_resource<nowhere> : tensor<1x1x1x1xf32>
  %p = edge.constant dense<3.0> : tensor<1xf32>
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32>
  %1 = edge.BatchNormalization %0, %p, %p, %p, %p {epsilon = 1.0e-5 : f32}
      : (tensor<1x1x2x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
  return %1 : tensor<1x1x2x2xf32>
}
