// RUN: edgec-opt %s -edge-fuse-epilogue -edge-fuse-squeeze-excitation -split-input-file | FileCheck %s
// RUN: edgec-opt %s -split-input-file -edge-fuse-epilogue=record-fusion=true -edge-fuse-squeeze-excitation=record-fusion=true | FileCheck %s --check-prefix=RECORD
//
// GlobalAveragePool -> 1x1 Conv -> 1x1 Conv -> gate -> Mul by the pooled tensor becomes one
// SqueezeExcitation; edge-fuse-epilogue first gives the Convs their SiLU and Sigmoid, as in
// the host pipeline. See the pass's description for when it does not fuse.

// EfficientNet's block as torch.onnx writes it: SiLU after the reduce Conv, Sigmoid after
// the expand Conv, then Mul(x, gate).
// CHECK-LABEL: func.func @efficientnet
// CHECK-NEXT: %[[Y:.+]] = edge.SqueezeExcitation %arg0, %arg1, %arg2, %arg3, %arg4 {activation = "Silu"} : (tensor<1x8x5x5xf32>, tensor<2x8x1x1xf32>, tensor<2xf32>, tensor<8x2x1x1xf32>, tensor<8xf32>) -> tensor<1x8x5x5xf32>
// CHECK-NEXT: return %[[Y]]
// RECORD-LABEL: func.func @efficientnet
// RECORD: edge.SqueezeExcitation {{.+}}edge.fused = ["pool", "fc1", "act", "silu", "fc2", "gate", "scale"]
func.func @efficientnet(%x: tensor<1x8x5x5xf32>, %w1: tensor<2x8x1x1xf32>, %b1: tensor<2xf32>, %w2: tensor<8x2x1x1xf32>, %b2: tensor<8xf32>) -> tensor<1x8x5x5xf32> {
  %0 = edge.GlobalAveragePool %x : (tensor<1x8x5x5xf32>) -> tensor<1x8x1x1xf32> loc("pool")
  %1 = edge.Conv %0, %w1, %b1 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x8x1x1xf32>, tensor<2x8x1x1xf32>, tensor<2xf32>) -> tensor<1x2x1x1xf32> loc("fc1")
  %2 = edge.Sigmoid %1 : tensor<1x2x1x1xf32> loc("act")
  %3 = edge.Mul %1, %2 : (tensor<1x2x1x1xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x1x1xf32> loc("silu")
  %4 = edge.Conv %3, %w2, %b2 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x1x1xf32>, tensor<8x2x1x1xf32>, tensor<8xf32>) -> tensor<1x8x1x1xf32> loc("fc2")
  %5 = edge.Sigmoid %4 : tensor<1x8x1x1xf32> loc("gate")
  %6 = edge.Mul %x, %5 : (tensor<1x8x5x5xf32>, tensor<1x8x1x1xf32>) -> tensor<1x8x5x5xf32> loc("scale")
  return %6 : tensor<1x8x5x5xf32>
}

// -----

// MobileNetV3's: Relu (already the reduce Conv's clamp, edge-fuse-activation), no biases,
// HardSigmoid with its own constants as the gate, Mul(gate, x); a missing bias becomes
// zeros. (Attributes at their defaults, act_min 0 and gate_beta 0.5, are not printed.)
// CHECK-LABEL: func.func @mobilenet_v3
// CHECK-DAG: %[[Z2:.+]] = edge.constant dense<0.000000e+00> : tensor<2xf32>
// CHECK-DAG: %[[Z8:.+]] = edge.constant dense<0.000000e+00> : tensor<8xf32>
// CHECK: %[[Y:.+]] = edge.SqueezeExcitation %arg0, %arg1, %[[Z2]], %arg2, %[[Z8]] {act_max = 3.40282347E+38 : f32, activation = "Relu", gate = "HardSigmoid", gate_alpha = 0.166666672 : f32} : (tensor<2x8x3x3xf32>, tensor<2x8x1x1xf32>, tensor<2xf32>, tensor<8x2x1x1xf32>, tensor<8xf32>) -> tensor<2x8x3x3xf32>
// CHECK-NEXT: return %[[Y]]
func.func @mobilenet_v3(%x: tensor<2x8x3x3xf32>, %w1: tensor<2x8x1x1xf32>, %w2: tensor<8x2x1x1xf32>) -> tensor<2x8x3x3xf32> {
  %0 = edge.GlobalAveragePool %x : (tensor<2x8x3x3xf32>) -> tensor<2x8x1x1xf32>
  %1 = edge.Conv %0, %w1 {act_max = 3.40282347E+38 : f32, act_min = 0.000000e+00 : f32, activation = "Relu", dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<2x8x1x1xf32>, tensor<2x8x1x1xf32>) -> tensor<2x2x1x1xf32>
  %2 = edge.Conv %1, %w2 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<2x2x1x1xf32>, tensor<8x2x1x1xf32>) -> tensor<2x8x1x1xf32>
  %3 = edge.HardSigmoid %2 {alpha = 0.166666672 : f32, beta = 5.000000e-01 : f32} : tensor<2x8x1x1xf32>
  %4 = edge.Mul %3, %x : (tensor<2x8x1x1xf32>, tensor<2x8x3x3xf32>) -> tensor<2x8x3x3xf32>
  return %4 : tensor<2x8x3x3xf32>
}

// -----

// Not fused: the pooled map has another user; the Mul scales another tensor than the
// pooled one; the gate is a Relu, not a Sigmoid; the expand Conv is 3x3 (pads 1);
// the expand Conv has a Sigmoid epilogue and then also a HardSigmoid.
// CHECK-LABEL: func.func @not_fused
// CHECK-NOT: edge.SqueezeExcitation
// CHECK: return
func.func @not_fused(%x: tensor<1x8x5x5xf32>, %other: tensor<1x8x5x5xf32>, %w1: tensor<2x8x1x1xf32>, %w2: tensor<8x2x1x1xf32>, %w3: tensor<8x2x3x3xf32>) -> (tensor<1x8x5x5xf32>, tensor<1x8x1x1xf32>, tensor<1x8x5x5xf32>, tensor<1x8x5x5xf32>, tensor<1x8x5x5xf32>, tensor<1x8x5x5xf32>) {
  %0 = edge.GlobalAveragePool %x : (tensor<1x8x5x5xf32>) -> tensor<1x8x1x1xf32>
  %1 = edge.Conv %0, %w1 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x8x1x1xf32>, tensor<2x8x1x1xf32>) -> tensor<1x2x1x1xf32>
  %2 = edge.Conv %1, %w2 {activation = "Sigmoid", dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x1x1xf32>, tensor<8x2x1x1xf32>) -> tensor<1x8x1x1xf32>
  %3 = edge.Mul %x, %2 : (tensor<1x8x5x5xf32>, tensor<1x8x1x1xf32>) -> tensor<1x8x5x5xf32>

  %10 = edge.GlobalAveragePool %x : (tensor<1x8x5x5xf32>) -> tensor<1x8x1x1xf32>
  %11 = edge.Conv %10, %w1 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x8x1x1xf32>, tensor<2x8x1x1xf32>) -> tensor<1x2x1x1xf32>
  %12 = edge.Conv %11, %w2 {activation = "Sigmoid", dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x1x1xf32>, tensor<8x2x1x1xf32>) -> tensor<1x8x1x1xf32>
  %13 = edge.Mul %other, %12 : (tensor<1x8x5x5xf32>, tensor<1x8x1x1xf32>) -> tensor<1x8x5x5xf32>

  %20 = edge.GlobalAveragePool %x : (tensor<1x8x5x5xf32>) -> tensor<1x8x1x1xf32>
  %21 = edge.Conv %20, %w1 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x8x1x1xf32>, tensor<2x8x1x1xf32>) -> tensor<1x2x1x1xf32>
  %22 = edge.Conv %21, %w2 {activation = "Relu", dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x1x1xf32>, tensor<8x2x1x1xf32>) -> tensor<1x8x1x1xf32>
  %23 = edge.Mul %x, %22 : (tensor<1x8x5x5xf32>, tensor<1x8x1x1xf32>) -> tensor<1x8x5x5xf32>

  %30 = edge.GlobalAveragePool %x : (tensor<1x8x5x5xf32>) -> tensor<1x8x1x1xf32>
  %31 = edge.Conv %30, %w1 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x8x1x1xf32>, tensor<2x8x1x1xf32>) -> tensor<1x2x1x1xf32>
  %32 = edge.Conv %31, %w3 {activation = "Sigmoid", dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x2x1x1xf32>, tensor<8x2x3x3xf32>) -> tensor<1x8x1x1xf32>
  %33 = edge.Mul %x, %32 : (tensor<1x8x5x5xf32>, tensor<1x8x1x1xf32>) -> tensor<1x8x5x5xf32>

  %40 = edge.GlobalAveragePool %x : (tensor<1x8x5x5xf32>) -> tensor<1x8x1x1xf32>
  %41 = edge.Conv %40, %w1 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x8x1x1xf32>, tensor<2x8x1x1xf32>) -> tensor<1x2x1x1xf32>
  %42 = edge.Conv %41, %w2 {activation = "Sigmoid", dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x1x1xf32>, tensor<8x2x1x1xf32>) -> tensor<1x8x1x1xf32>
  %43 = edge.HardSigmoid %42 {alpha = 0.2 : f32, beta = 5.000000e-01 : f32} : tensor<1x8x1x1xf32>
  %44 = edge.Mul %x, %43 : (tensor<1x8x5x5xf32>, tensor<1x8x1x1xf32>) -> tensor<1x8x5x5xf32>
  return %3, %0, %13, %23, %33, %44 : tensor<1x8x5x5xf32>, tensor<1x8x1x1xf32>, tensor<1x8x5x5xf32>, tensor<1x8x5x5xf32>, tensor<1x8x5x5xf32>, tensor<1x8x5x5xf32>
}
