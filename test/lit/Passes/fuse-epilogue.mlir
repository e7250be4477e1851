// RUN: edgec-opt %s -edge-fuse-epilogue -split-input-file | FileCheck %s
//
// Sigmoid, SiLU and HardSwish after an f32 Conv become its fused epilogue; see the
// pass's description for when they do not.

// SiLU (EfficientNet): Mul(y, Sigmoid(y)) in either operand order.
// CHECK-LABEL: func.func @silu
// CHECK-NEXT: %[[Y:.+]] = edge.Conv %{{.+}}, %{{.+}}, %{{.+}} {activation = "Silu", {{.+}}} : (tensor<1x3x4x4xf32>, tensor<2x3x3x3xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
// CHECK-NEXT: %[[Z:.+]] = edge.Conv %[[Y]], %{{.+}} {activation = "Silu", {{.+}}}
// CHECK-NEXT: return %[[Z]]
func.func @silu(%x: tensor<1x3x4x4xf32>, %w: tensor<2x3x3x3xf32>, %b: tensor<2xf32>, %w2: tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32> {
  %0 = edge.Conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x3x4x4xf32>, tensor<2x3x3x3xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %1 = edge.Sigmoid %0 : tensor<1x2x4x4xf32>
  %2 = edge.Mul %0, %1 : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %3 = edge.Conv %2, %w2 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  %4 = edge.Sigmoid %3 : tensor<1x2x4x4xf32>
  %5 = edge.Mul %4, %3 : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %5 : tensor<1x2x4x4xf32>
}

// -----

// Sigmoid alone; HardSwish as the op and as x * HardSigmoid(x; 1/6, 1/2) (opset < 14).
// CHECK-LABEL: func.func @sigmoid_hardswish
// CHECK-NEXT: edge.Conv {{.+}} {activation = "Sigmoid"
// CHECK-NEXT: edge.Conv {{.+}} {activation = "HardSwish"
// CHECK-NEXT: edge.Conv {{.+}} {activation = "HardSwish"
// CHECK-NEXT: return
func.func @sigmoid_hardswish(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x3x3xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  %1 = edge.Sigmoid %0 : tensor<1x2x4x4xf32>
  %2 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  %3 = edge.HardSwish %2 : tensor<1x2x4x4xf32>
  %4 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  %5 = edge.HardSigmoid %4 {alpha = 0.166666672 : f32, beta = 5.000000e-01 : f32} : tensor<1x2x4x4xf32>
  %6 = edge.Mul %4, %5 : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %1, %3, %6 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// -----

// Not fused: the Conv's result has another user; the gate has another user; the Mul
// multiplies by the sigmoid of something else; the Conv already has an epilogue; a
// HardSigmoid that is not HardSwish's.
// CHECK-LABEL: func.func @not_fused
// CHECK-NOT: activation = "Silu"
// CHECK-NOT: activation = "HardSwish"
// CHECK-NOT: activation = "Sigmoid"
// CHECK: return
func.func @not_fused(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x3x3xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  %1 = edge.Sigmoid %0 : tensor<1x2x4x4xf32>
  %2 = edge.Mul %0, %1 : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %3 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  %4 = edge.Sigmoid %3 : tensor<1x2x4x4xf32>
  %5 = edge.Mul %3, %4 : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %6 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  %7 = edge.Sigmoid %x : tensor<1x2x4x4xf32>
  %8 = edge.Mul %6, %7 : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %9 = edge.Conv %x, %w {activation = "Relu", dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  %10 = edge.Sigmoid %9 : tensor<1x2x4x4xf32>
  %11 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  %12 = edge.HardSigmoid %11 {alpha = 2.000000e-01 : f32, beta = 5.000000e-01 : f32} : tensor<1x2x4x4xf32>
  %13 = edge.Mul %11, %12 : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %0, %2, %4, %5, %8, %13 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// -----

// Not fused: a broadcasting Mul (squeeze-excitation's channel gate).
// CHECK-LABEL: func.func @broadcast
// CHECK-NOT: activation
func.func @broadcast(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>, %g: tensor<1x2x1x1xf32>) -> tensor<1x2x4x4xf32> {
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %1 = edge.Sigmoid %g : tensor<1x2x1x1xf32>
  %2 = edge.Mul %0, %1 : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %2 : tensor<1x2x4x4xf32>
}

// -----

// With record-fusion (edgec compile --report-fusion), the Conv names the ONNX nodes it
// absorbed, its own first, after those an earlier pass recorded.
// RUN: edgec-opt %s -split-input-file -edge-fuse-epilogue=record-fusion=true | FileCheck %s --check-prefix=RECORD
// CHECK-LABEL: func.func @recorded
// RECORD-LABEL: func.func @recorded
// RECORD: edge.Conv {{.+}}activation = "Silu"{{.+}}edge.fused = ["conv", "bn", "gate", "silu"]
func.func @recorded(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> {
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, edge.fused = ["conv", "bn"], group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> loc("conv")
  %1 = edge.Sigmoid %0 : tensor<1x2x4x4xf32> loc("gate")
  %2 = edge.Mul %0, %1 : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("silu")
  return %2 : tensor<1x2x4x4xf32>
}
