// RUN: edgec-opt %s --edge-host-pipeline | FileCheck %s
// RUN: edgec-opt %s --edge-host-pipeline | FileCheck %s --check-prefix=ALL
//
// The graph optimizations of `edgec compile --target host` on a small CNN block:
// conv -> BN -> Relu -> depthwise conv -> BN -> Clip(0, 6) -> flatten.
// Both BNs fold into their convs (s = gamma / sqrt(var + eps), eps = 1 here so the
// numbers are exact), both activations fuse, and the reshape chain and the no-op
// Cast collapse.

// CHECK-LABEL: func.func @block
// CHECK-SAME: (%[[X:.+]]: tensor<1x1x4x4xf32>) -> tensor<1x18xf32>
//
// conv1: s = [4 / sqrt(3 + 1), 1.5 / sqrt(8 + 1)] = [2, 0.5]; W' = [1, 2] * s = [2, 1];
// b' = (b - mean) * s + beta = [(0 - 1) * 2 + 0.5, (1 - 0) * 0.5 - 1] = [-1.5, -0.5]
// CHECK-DAG: %[[W1:.+]] = edge.constant dense<{{\[}}{{\[}}{{\[}}[2.000000e+00]]], {{\[}}{{\[}}[1.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[B1:.+]] = edge.constant dense<[-1.500000e+00, -5.000000e-01]> : tensor<2xf32>
//
// conv2 (depthwise 2x2, no bias): s = [8 / sqrt(15 + 1), 0.5 / sqrt(0 + 1)] = [2, 0.5];
// W' = [[1, 2, 3, 4] * 2, [8, 6, 4, 2] * 0.5]; b' = -mean * s + beta = [-2 * 2 + 0, -4 * 0.5 + 1]
// CHECK-DAG: %[[W2:.+]] = edge.constant dense<{{\[}}{{\[}}{{\[}}[2.000000e+00, 4.000000e+00], [6.000000e+00, 8.000000e+00]]], {{\[}}{{\[}}[4.000000e+00, 3.000000e+00], [2.000000e+00, 1.000000e+00]]]]> : tensor<2x1x2x2xf32>
// CHECK-DAG: %[[B2:.+]] = edge.constant dense<[-4.000000e+00, -1.000000e+00]> : tensor<2xf32>
//
// CHECK: %[[C1:.+]] = edge.Conv %[[X]], %[[W1]], %[[B1]] {activation = "Relu", dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
// CHECK: %[[C2:.+]] = edge.Conv %[[C1]], %[[W2]], %[[B2]] {act_max = 6.000000e+00 : f32, activation = "Clip", dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x1x2x2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
// CHECK: %[[R:.+]] = edge.Reshape %[[C2]] : (tensor<1x2x3x3xf32>) -> tensor<1x18xf32>
// CHECK: return %[[R]]

// Nothing else survives: the old weights and bias, the BN parameters and the Clip
// bounds are dead and erased.
// ALL-LABEL: func.func @block
// ALL-COUNT-4: edge.constant
// ALL-NEXT: edge.Conv
// ALL-NEXT: edge.Conv
// ALL-NEXT: edge.Reshape
// ALL-NEXT: return
// ALL-NEXT: }
func.func @block(%x: tensor<1x1x4x4xf32>) -> tensor<1x18xf32> {
  %w1 = edge.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %b1 = edge.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %g1 = edge.constant dense<[4.0, 1.5]> : tensor<2xf32>
  %be1 = edge.constant dense<[0.5, -1.0]> : tensor<2xf32>
  %m1 = edge.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %v1 = edge.constant dense<[3.0, 8.0]> : tensor<2xf32>
  %0 = edge.Conv %x, %w1, %b1 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %1 = edge.BatchNormalization %0, %g1, %be1, %m1, %v1 {epsilon = 1.0 : f32}
      : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %2 = edge.Relu %1 : tensor<1x2x4x4xf32>

  %w2 = edge.constant dense<[[[[1.0, 2.0], [3.0, 4.0]]], [[[8.0, 6.0], [4.0, 2.0]]]]> : tensor<2x1x2x2xf32>
  %g2 = edge.constant dense<[8.0, 0.5]> : tensor<2xf32>
  %be2 = edge.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %m2 = edge.constant dense<[2.0, 4.0]> : tensor<2xf32>
  %v2 = edge.constant dense<[15.0, 0.0]> : tensor<2xf32>
  %3 = edge.Conv %2, %w2 {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x2x4x4xf32>, tensor<2x1x2x2xf32>) -> tensor<1x2x3x3xf32>
  %4 = edge.BatchNormalization %3, %g2, %be2, %m2, %v2 {epsilon = 1.0 : f32}
      : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %lo = edge.constant dense<0.0> : tensor<f32>
  %hi = edge.constant dense<6.0> : tensor<f32>
  %5 = edge.Clip %4 min %lo max %hi : (tensor<1x2x3x3xf32>, tensor<f32>, tensor<f32>) -> tensor<1x2x3x3xf32>

  // Flatten written as a chain (as an importer may produce it).
  %6 = edge.Reshape %5 : (tensor<1x2x3x3xf32>) -> tensor<18xf32>
  %7 = edge.Reshape %6 : (tensor<18xf32>) -> tensor<1x18xf32>
  %8 = edge.Cast %7 : (tensor<1x18xf32>) -> tensor<1x18xf32>
  return %8 : tensor<1x18xf32>
}
