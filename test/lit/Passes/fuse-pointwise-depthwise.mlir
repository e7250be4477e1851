// RUN: edgec-opt %s -split-input-file -edge-fuse-pointwise-depthwise=min-bytes=0 | FileCheck %s
// RUN: edgec-opt %s -split-input-file -edge-fuse-pointwise-depthwise="min-bytes=0 record-fusion=true" | FileCheck %s --check-prefix=RECORD
// RUN: edgec-opt %s -split-input-file -edge-fuse-pointwise-depthwise | FileCheck %s --check-prefix=DEFAULT
//
// A 1x1 Conv and the depthwise Conv reading its result become one PointwiseDepthwiseConv
// (the expansion and depthwise convs of an inverted-residual block). min-bytes=0 lets
// these small tensors fuse; at the default (1 MiB of expanded tensor) only the last case,
// MobileNetV2's first expansion at 112x112, does. See the pass's description for when it
// does not fuse.

// MobileNetV2's block: both Convs with ReLU6 (Clip 0..6), the depthwise one stride 2.
// CHECK-LABEL: func.func @mobilenet_v2
// CHECK-DAG: %[[W1:.+]] = edge.constant dense<5.000000e-01> : tensor<24x4x1x1xf32>
// CHECK-DAG: %[[B1:.+]] = edge.constant dense<1.000000e-01> : tensor<24xf32>
// CHECK-DAG: %[[W2:.+]] = edge.constant dense<2.500000e-01> : tensor<24x1x3x3xf32>
// CHECK-DAG: %[[B2:.+]] = edge.constant dense<-1.000000e-01> : tensor<24xf32>
// CHECK: %[[Y:.+]] = edge.PointwiseDepthwiseConv %arg0, %[[W1]], %[[B1]], %[[W2]], %[[B2]] {act_max = 6.000000e+00 : f32, activation = "Clip", dilations = array<i64: 1, 1>, group = 24 : i64, pads = array<i64: 1, 1, 1, 1>, pointwise_act_max = 6.000000e+00 : f32, pointwise_activation = "Clip", strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>, tensor<24x4x1x1xf32>, tensor<24xf32>, tensor<24x1x3x3xf32>, tensor<24xf32>) -> tensor<1x24x4x4xf32>
// CHECK-NOT: edge.Conv
// CHECK: return %[[Y]]
// RECORD-LABEL: func.func @mobilenet_v2
// RECORD: edge.PointwiseDepthwiseConv {{.+}}edge.fused = ["expand", "dw"]
// DEFAULT-LABEL: func.func @mobilenet_v2
// DEFAULT-NOT: edge.PointwiseDepthwiseConv
// DEFAULT: return
func.func @mobilenet_v2(%x: tensor<1x4x8x8xf32>) -> tensor<1x24x4x4xf32> {
  %w1 = edge.constant dense<0.5> : tensor<24x4x1x1xf32>
  %b1 = edge.constant dense<0.1> : tensor<24xf32>
  %w2 = edge.constant dense<0.25> : tensor<24x1x3x3xf32>
  %b2 = edge.constant dense<-0.1> : tensor<24xf32>
  %0 = edge.Conv %x, %w1, %b1 {act_max = 6.0 : f32, act_min = 0.0 : f32, activation = "Clip", dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<24x4x1x1xf32>, tensor<24xf32>) -> tensor<1x24x8x8xf32> loc("expand")
  %1 = edge.Conv %0, %w2, %b2 {act_max = 6.0 : f32, act_min = 0.0 : f32, activation = "Clip", dilations = array<i64: 1, 1>, group = 24 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x24x8x8xf32>, tensor<24x1x3x3xf32>, tensor<24xf32>) -> tensor<1x24x4x4xf32> loc("dw")
  return %1 : tensor<1x24x4x4xf32>
}

// -----

// EfficientNet's: SiLU after both (edge-fuse-epilogue's "Silu"), a 5x5 depthwise Conv
// with pads 2, no biases (each becomes a zero constant).
// CHECK-LABEL: func.func @efficientnet
// CHECK-DAG: %[[Z:.+]] = edge.constant dense<0.000000e+00> : tensor<16xf32>
// CHECK: edge.PointwiseDepthwiseConv %arg0, %{{.+}}, %[[Z]], %{{.+}}, %[[Z]] {activation = "Silu", dilations = array<i64: 1, 1>, group = 16 : i64, pads = array<i64: 2, 2, 2, 2>, pointwise_activation = "Silu", strides = array<i64: 1, 1>} : (tensor<2x8x6x6xf32>, tensor<16x8x1x1xf32>, tensor<16xf32>, tensor<16x1x5x5xf32>, tensor<16xf32>) -> tensor<2x16x6x6xf32>
// CHECK-NOT: edge.Conv
func.func @efficientnet(%x: tensor<2x8x6x6xf32>) -> tensor<2x16x6x6xf32> {
  %w1 = edge.constant dense<0.5> : tensor<16x8x1x1xf32>
  %w2 = edge.constant dense<0.25> : tensor<16x1x5x5xf32>
  %0 = edge.Conv %x, %w1 {activation = "Silu", dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<2x8x6x6xf32>, tensor<16x8x1x1xf32>) -> tensor<2x16x6x6xf32>
  %1 = edge.Conv %0, %w2 {activation = "Silu", dilations = array<i64: 1, 1>, group = 16 : i64, pads = array<i64: 2, 2, 2, 2>, strides = array<i64: 1, 1>} : (tensor<2x16x6x6xf32>, tensor<16x1x5x5xf32>) -> tensor<2x16x6x6xf32>
  return %1 : tensor<2x16x6x6xf32>
}

// -----

// Not fused: the expanded tensor has another user (it would have to be written whole).
// CHECK-LABEL: func.func @expanded_used_twice
// CHECK-NOT: edge.PointwiseDepthwiseConv
// CHECK: return
func.func @expanded_used_twice(%x: tensor<1x4x8x8xf32>) -> (tensor<1x8x8x8xf32>, tensor<1x8x8x8xf32>) {
  %w1 = edge.constant dense<0.5> : tensor<8x4x1x1xf32>
  %w2 = edge.constant dense<0.25> : tensor<8x1x3x3xf32>
  %0 = edge.Conv %x, %w1 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x1x1xf32>) -> tensor<1x8x8x8xf32>
  %1 = edge.Conv %0, %w2 {dilations = array<i64: 1, 1>, group = 8 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x8x8x8xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x8x8xf32>
  return %0, %1 : tensor<1x8x8x8xf32>, tensor<1x8x8x8xf32>
}

// -----

// Not fused: the first Conv is 3x3 (not pointwise), or strided.
// CHECK-LABEL: func.func @first_not_pointwise
// CHECK-NOT: edge.PointwiseDepthwiseConv
// CHECK: return
func.func @first_not_pointwise(%x: tensor<1x4x8x8xf32>) -> (tensor<1x8x8x8xf32>, tensor<1x8x4x4xf32>) {
  %w1 = edge.constant dense<0.5> : tensor<8x4x3x3xf32>
  %w1b = edge.constant dense<0.5> : tensor<8x4x1x1xf32>
  %w2 = edge.constant dense<0.25> : tensor<8x1x3x3xf32>
  %0 = edge.Conv %x, %w1 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x8x8xf32>
  %1 = edge.Conv %0, %w2 {dilations = array<i64: 1, 1>, group = 8 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x8x8x8xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x8x8xf32>
  %2 = edge.Conv %x, %w1b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>, tensor<8x4x1x1xf32>) -> tensor<1x8x4x4xf32>
  %3 = edge.Conv %2, %w2 {dilations = array<i64: 1, 1>, group = 8 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x8x4x4xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x4x4xf32>
  return %1, %3 : tensor<1x8x8x8xf32>, tensor<1x8x4x4xf32>
}

// -----

// Not fused: the second Conv is not depthwise (group 1; group 4 with two channels each).
// CHECK-LABEL: func.func @second_not_depthwise
// CHECK-NOT: edge.PointwiseDepthwiseConv
// CHECK: return
func.func @second_not_depthwise(%x: tensor<1x4x8x8xf32>) -> (tensor<1x8x8x8xf32>, tensor<1x8x8x8xf32>) {
  %w1 = edge.constant dense<0.5> : tensor<8x4x1x1xf32>
  %w2 = edge.constant dense<0.25> : tensor<8x8x3x3xf32>
  %w3 = edge.constant dense<0.25> : tensor<8x2x3x3xf32>
  %0 = edge.Conv %x, %w1 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x1x1xf32>) -> tensor<1x8x8x8xf32>
  %1 = edge.Conv %0, %w2 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x8x8x8xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x8x8xf32>
  %2 = edge.Conv %x, %w1 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x1x1xf32>) -> tensor<1x8x8x8xf32>
  %3 = edge.Conv %2, %w3 {dilations = array<i64: 1, 1>, group = 4 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x8x8x8xf32>, tensor<8x2x3x3xf32>) -> tensor<1x8x8x8xf32>
  return %1, %3 : tensor<1x8x8x8xf32>, tensor<1x8x8x8xf32>
}

// -----

// Not fused: a 1x1 depthwise kernel (a per-channel scale).
// CHECK-LABEL: func.func @depthwise_1x1
// CHECK-NOT: edge.PointwiseDepthwiseConv
// CHECK: return
func.func @depthwise_1x1(%x: tensor<1x4x8x8xf32>) -> tensor<1x8x8x8xf32> {
  %w1 = edge.constant dense<0.5> : tensor<8x4x1x1xf32>
  %w2 = edge.constant dense<0.25> : tensor<8x1x1x1xf32>
  %0 = edge.Conv %x, %w1 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x1x1xf32>) -> tensor<1x8x8x8xf32>
  %1 = edge.Conv %0, %w2 {dilations = array<i64: 1, 1>, group = 8 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x8x8x8xf32>, tensor<8x1x1x1xf32>) -> tensor<1x8x8x8xf32>
  return %1 : tensor<1x8x8x8xf32>
}

// -----

// Not fused: run-time weights (the x86 kernel packs them at prepare), and a depthwise
// Conv that took a residual Add (edge-fuse-conv-residual).
// CHECK-LABEL: func.func @runtime_weights_or_residual
// CHECK-NOT: edge.PointwiseDepthwiseConv
// CHECK: return
func.func @runtime_weights_or_residual(%x: tensor<1x4x8x8xf32>, %w1: tensor<8x4x1x1xf32>, %r: tensor<1x8x8x8xf32>) -> (tensor<1x8x8x8xf32>, tensor<1x8x8x8xf32>) {
  %w1c = edge.constant dense<0.5> : tensor<8x4x1x1xf32>
  %w2 = edge.constant dense<0.25> : tensor<8x1x3x3xf32>
  %0 = edge.Conv %x, %w1 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x1x1xf32>) -> tensor<1x8x8x8xf32>
  %1 = edge.Conv %0, %w2 {dilations = array<i64: 1, 1>, group = 8 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x8x8x8xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x8x8xf32>
  %2 = edge.Conv %x, %w1c {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x1x1xf32>) -> tensor<1x8x8x8xf32>
  %3 = edge.Conv %2, %w2 residual(%r) {dilations = array<i64: 1, 1>, group = 8 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x8x8x8xf32>, tensor<8x1x3x3xf32>, tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32>
  return %1, %3 : tensor<1x8x8x8xf32>, tensor<1x8x8x8xf32>
}

// -----

// MobileNetV2's first expansion: 16 -> 96 channels at 112x112, 4.8 MB, over the default
// min-bytes: fused by the host pipeline's pass as it is.
// DEFAULT-LABEL: func.func @large
// DEFAULT: edge.PointwiseDepthwiseConv
// DEFAULT-NOT: edge.Conv
func.func @large(%x: tensor<1x16x112x112xf32>) -> tensor<1x96x56x56xf32> {
  %w1 = edge.constant dense<0.5> : tensor<96x16x1x1xf32>
  %w2 = edge.constant dense<0.25> : tensor<96x1x3x3xf32>
  %0 = edge.Conv %x, %w1 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x16x112x112xf32>, tensor<96x16x1x1xf32>) -> tensor<1x96x112x112xf32>
  %1 = edge.Conv %0, %w2 {dilations = array<i64: 1, 1>, group = 96 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x96x112x112xf32>, tensor<96x1x3x3xf32>) -> tensor<1x96x56x56xf32>
  return %1 : tensor<1x96x56x56xf32>
}
