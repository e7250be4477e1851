// RUN: edgec-opt %s -edge-fuse-conv-residual=int8 -split-input-file | FileCheck %s
// RUN: edgec-opt %s "-edge-fuse-conv-residual=record-fusion int8" -split-input-file | FileCheck %s --check-prefix=RECORD
// Without int8 (the pipeline's default) the quantized Adds stay:
// RUN: edgec-opt %s -edge-fuse-conv-residual -split-input-file | FileCheck %s --check-prefix=DEFAULT
//
// A residual Add after an f32 Conv (and a Relu or Clip after the Add) becomes the Conv's
// residual operand and activation; see the pass's description for when it does not.

// ResNet's basic block: Relu(Add(conv2(...), x)), the Add's operands either way round.
// CHECK-LABEL: func.func @resnet_block
// CHECK-SAME: (%[[X:.+]]: tensor<1x2x4x4xf32>,
// CHECK-NEXT: %[[A:.+]] = edge.Conv %[[X]], %{{.+}}, %{{.+}} {activation = "Relu",
// CHECK-NEXT: %[[B:.+]] = edge.Conv %[[A]], %{{.+}}, %{{.+}} residual(%[[X]]) {activation = "Relu", {{.+}}} : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>, tensor<2xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
// CHECK-NEXT: %[[C:.+]] = edge.Conv %[[B]], %{{.+}} residual(%[[B]]) {act_max = 6.000000e+00 : f32, activation = "Clip", {{.+}}} : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
// CHECK-NEXT: return %[[C]]
// RECORD-LABEL: func.func @resnet_block
// RECORD: residual(%{{.+}}) {activation = "Relu", {{.+}}edge.fused = ["conv2", "add", "relu2"]
func.func @resnet_block(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x3x3xf32>, %b: tensor<2xf32>) -> tensor<1x2x4x4xf32> {
  %0 = edge.Conv %x, %w, %b {activation = "Relu", dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32> loc("conv1")
  %1 = edge.Conv %0, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32> loc("conv2")
  %2 = edge.Add %1, %x : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("add")
  %3 = edge.Relu %2 : tensor<1x2x4x4xf32> loc("relu2")
  // No bias; the residual first; a ReLU6 (Clip 0..6) after it.
  %4 = edge.Conv %3, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  %5 = edge.Add %3, %4 : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %lo = edge.constant dense<0.0> : tensor<f32>
  %hi = edge.constant dense<6.0> : tensor<f32>
  %6 = edge.Clip %5 min %lo max %hi : (tensor<1x2x4x4xf32>, tensor<f32>, tensor<f32>) -> tensor<1x2x4x4xf32>
  return %6 : tensor<1x2x4x4xf32>
}

// -----

// A downsampling block: Add(main, shortcut) where both are Convs. The later Conv takes
// the earlier one's result as its residual, whichever operand it is.
// CHECK-LABEL: func.func @two_convs
// CHECK-NEXT: %[[S:.+]] = edge.Conv %{{.+}}, %{{.+}} {dilations
// CHECK-NEXT: %[[M:.+]] = edge.Conv %{{.+}}, %{{.+}} residual(%[[S]])
// CHECK-NEXT: return %[[M]]
func.func @two_convs(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x3x3xf32>, %w1: tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> {
  %shortcut = edge.Conv %x, %w1 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %main = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  %0 = edge.Add %main, %shortcut : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

// The residual is computed after the Conv (here a Sigmoid of the input, after it in the
// block): the Conv moves down to the Add.
// CHECK-LABEL: func.func @residual_after_conv
// CHECK-NEXT: %[[R:.+]] = edge.Sigmoid
// CHECK-NEXT: %[[C:.+]] = edge.Conv %{{.+}}, %{{.+}} residual(%[[R]])
// CHECK-NEXT: return %[[C]]
func.func @residual_after_conv(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32> {
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  %1 = edge.Sigmoid %x : tensor<1x2x4x4xf32>
  %2 = edge.Add %0, %1 : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %2 : tensor<1x2x4x4xf32>
}

// -----

// Not fused: the Conv's result has another user; the Conv already has an activation
// (Add(Relu(conv), r) is not Relu(conv + r)); the Add broadcasts; a Relu after a fused
// Add that has another user stays apart.
// CHECK-LABEL: func.func @not_fused
// CHECK-NEXT: edge.Conv %{{[^ ]+}}, %{{[^ ]+}} {dilations
// CHECK-NEXT: edge.Add
// CHECK-NEXT: edge.Conv %{{[^ ]+}}, %{{[^ ]+}} {activation = "Relu"
// CHECK-NEXT: edge.Add
// CHECK-NEXT: edge.Conv %{{[^ ]+}}, %{{[^ ]+}} {dilations
// CHECK-NEXT: edge.Add
// CHECK-NEXT: %[[F:.+]] = edge.Conv %{{[^ ]+}}, %{{[^ ]+}} residual(%{{.+}}) {dilations
// CHECK-NEXT: edge.Relu %[[F]]
// CHECK-NEXT: return
func.func @not_fused(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x3x3xf32>, %r: tensor<1x2x1x1xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  %1 = edge.Add %0, %x : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %2 = edge.Conv %x, %w {activation = "Relu", dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  %3 = edge.Add %2, %x : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %4 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  %5 = edge.Add %4, %r : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %6 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  %7 = edge.Add %6, %x : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %8 = edge.Relu %7 : tensor<1x2x4x4xf32>
  return %0, %1, %3, %5, %7, %8 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// -----

// An int8 Conv's quantized Add (static INT8, ResNet's join once edge-quantize gave the
// Add its Relu's parameters): the Conv takes the residual and the Add's result type, and
// keeps its own result parameters as conv_scale / conv_zero_point; either operand order.
// A Relu after it is not absorbed (on codes it is not the Conv's clamp).
// DEFAULT-LABEL: func.func @quantized(
// DEFAULT: edge.Conv
// DEFAULT-NOT: residual
// DEFAULT: edge.Add
// DEFAULT: edge.Conv
// DEFAULT-NOT: residual
// DEFAULT: edge.Add
// DEFAULT: edge.Relu
// CHECK-LABEL: func.func @quantized
// CHECK-SAME: %[[R:[^:]+]]: tensor<1x2x2x2x!quant.uniform<i8:f32, 5.000000e-01:-10>>, %[[U:[^:]+]]: tensor<1x2x2x2x!quant.uniform<i8:f32, 2.5
// CHECK-NEXT: %[[A:.+]] = edge.Conv %{{[^ ]+}}, %{{[^ ]+}} residual(%[[R]]) {conv_scale = 7.500000e-01 : f32, conv_zero_point = 5 : i64, {{.+}}} : (tensor<1x1x3x3x!quant.uniform<i8:f32, 5.000000e-01:-3>>, tensor<2x1x2x2x!quant.uniform<i8:f32:0, {2.500000e-01,1.250000e-01}>>, tensor<1x2x2x2x!quant.uniform<i8:f32, 5.000000e-01:-10>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 1.000000e+00:-128>>
// CHECK-NEXT: %[[B:.+]] = edge.Conv %{{[^ ]+}}, %{{[^ ]+}} residual(%[[U]]) {conv_scale = 7.500000e-01 : f32, conv_zero_point = 5 : i64, {{.+}}} : (tensor<1x1x3x3x!quant.uniform<i8:f32, 5.000000e-01:-3>>, tensor<2x1x2x2x!quant.uniform<i8:f32:0, {2.500000e-01,1.250000e-01}>>, tensor<1x2x2x2x!quant.uniform<i8:f32, 2.500000e-01:3>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 1.000000e+00:-128>>
// CHECK-NEXT: %[[C:.+]] = edge.Relu %[[B]]
// CHECK-NEXT: return %[[A]], %[[C]]
// RECORD-LABEL: func.func @quantized
// RECORD: residual(%{{.+}}) {conv_scale = 7.500000e-01 : f32, {{.+}}edge.fused = ["qconv", "qadd"]
func.func @quantized(%x: tensor<1x1x3x3x!quant.uniform<i8:f32, 5.000000e-01:-3>>, %w: tensor<2x1x2x2x!quant.uniform<i8:f32:0, {2.500000e-01,1.250000e-01}>>, %r: tensor<1x2x2x2x!quant.uniform<i8:f32, 5.000000e-01:-10>>, %u: tensor<1x2x2x2x!quant.uniform<i8:f32, 2.500000e-01:3>>) -> (tensor<1x2x2x2x!quant.uniform<i8:f32, 1.000000e+00:-128>>, tensor<1x2x2x2x!quant.uniform<i8:f32, 1.000000e+00:-128>>) {
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x3x3x!quant.uniform<i8:f32, 5.000000e-01:-3>>, tensor<2x1x2x2x!quant.uniform<i8:f32:0, {2.500000e-01,1.250000e-01}>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 7.500000e-01:5>> loc("qconv")
  %1 = edge.Add %0, %r : (tensor<1x2x2x2x!quant.uniform<i8:f32, 7.500000e-01:5>>, tensor<1x2x2x2x!quant.uniform<i8:f32, 5.000000e-01:-10>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 1.000000e+00:-128>> loc("qadd")
  %2 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x3x3x!quant.uniform<i8:f32, 5.000000e-01:-3>>, tensor<2x1x2x2x!quant.uniform<i8:f32:0, {2.500000e-01,1.250000e-01}>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 7.500000e-01:5>>
  %3 = edge.Add %u, %2 : (tensor<1x2x2x2x!quant.uniform<i8:f32, 2.500000e-01:3>>, tensor<1x2x2x2x!quant.uniform<i8:f32, 7.500000e-01:5>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 1.000000e+00:-128>>
  %4 = edge.Relu %3 : tensor<1x2x2x2x!quant.uniform<i8:f32, 1.000000e+00:-128>>
  return %1, %4 : tensor<1x2x2x2x!quant.uniform<i8:f32, 1.000000e+00:-128>>, tensor<1x2x2x2x!quant.uniform<i8:f32, 1.000000e+00:-128>>
}

// -----

// Not fused, quantized: the Conv's result has another user; the residual broadcasts;
// the residual is quantized per axis (the int8 Add kernels take per-tensor operands);
// the Conv already has an activation.
// CHECK-LABEL: func.func @quantized_not_fused
// CHECK-NOT: residual(
// CHECK-COUNT-4: edge.Add
// CHECK-NOT: residual(
func.func @quantized_not_fused(%x: tensor<1x1x3x3x!quant.uniform<i8:f32, 5.000000e-01:-3>>, %w: tensor<2x1x2x2x!quant.uniform<i8:f32:0, {2.500000e-01,1.250000e-01}>>, %r: tensor<1x2x2x2x!quant.uniform<i8:f32, 5.000000e-01:-10>>, %b: tensor<1x2x1x1x!quant.uniform<i8:f32, 5.000000e-01:-10>>, %a: tensor<1x2x2x2x!quant.uniform<i8:f32:1, {5.000000e-01,2.500000e-01}>>) -> (tensor<1x2x2x2x!quant.uniform<i8:f32, 1.000000e+00:-128>>, tensor<1x2x2x2x!quant.uniform<i8:f32, 7.500000e-01:5>>, tensor<1x2x2x2x!quant.uniform<i8:f32, 1.000000e+00:-128>>, tensor<1x2x2x2x!quant.uniform<i8:f32, 1.000000e+00:-128>>, tensor<1x2x2x2x!quant.uniform<i8:f32, 1.000000e+00:-128>>) {
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x3x3x!quant.uniform<i8:f32, 5.000000e-01:-3>>, tensor<2x1x2x2x!quant.uniform<i8:f32:0, {2.500000e-01,1.250000e-01}>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 7.500000e-01:5>>
  %1 = edge.Add %0, %r : (tensor<1x2x2x2x!quant.uniform<i8:f32, 7.500000e-01:5>>, tensor<1x2x2x2x!quant.uniform<i8:f32, 5.000000e-01:-10>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 1.000000e+00:-128>>
  %2 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x3x3x!quant.uniform<i8:f32, 5.000000e-01:-3>>, tensor<2x1x2x2x!quant.uniform<i8:f32:0, {2.500000e-01,1.250000e-01}>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 7.500000e-01:5>>
  %3 = edge.Add %2, %b : (tensor<1x2x2x2x!quant.uniform<i8:f32, 7.500000e-01:5>>, tensor<1x2x1x1x!quant.uniform<i8:f32, 5.000000e-01:-10>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 1.000000e+00:-128>>
  %4 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x3x3x!quant.uniform<i8:f32, 5.000000e-01:-3>>, tensor<2x1x2x2x!quant.uniform<i8:f32:0, {2.500000e-01,1.250000e-01}>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 7.500000e-01:5>>
  %5 = edge.Add %4, %a : (tensor<1x2x2x2x!quant.uniform<i8:f32, 7.500000e-01:5>>, tensor<1x2x2x2x!quant.uniform<i8:f32:1, {5.000000e-01,2.500000e-01}>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 1.000000e+00:-128>>
  %6 = edge.Conv %x, %w {activation = "Relu", dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x3x3x!quant.uniform<i8:f32, 5.000000e-01:-3>>, tensor<2x1x2x2x!quant.uniform<i8:f32:0, {2.500000e-01,1.250000e-01}>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 7.500000e-01:5>>
  %7 = edge.Add %6, %r : (tensor<1x2x2x2x!quant.uniform<i8:f32, 7.500000e-01:5>>, tensor<1x2x2x2x!quant.uniform<i8:f32, 5.000000e-01:-10>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 1.000000e+00:-128>>
  return %1, %0, %3, %5, %7 : tensor<1x2x2x2x!quant.uniform<i8:f32, 1.000000e+00:-128>>, tensor<1x2x2x2x!quant.uniform<i8:f32, 7.500000e-01:5>>, tensor<1x2x2x2x!quant.uniform<i8:f32, 1.000000e+00:-128>>, tensor<1x2x2x2x!quant.uniform<i8:f32, 1.000000e+00:-128>>, tensor<1x2x2x2x!quant.uniform<i8:f32, 1.000000e+00:-128>>
}
