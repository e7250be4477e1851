// RUN: edgec-opt %s -edge-fuse-activation -split-input-file | FileCheck %s
//
// Relu(Conv) and Clip(Conv, const, const) become the Conv's fused epilogue.

// CHECK-LABEL: func.func @relu
// CHECK-SAME: (%[[X:.+]]: tensor<1x3x4x4xf32>, %[[W:.+]]: tensor<2x3x3x3xf32>, %[[B:.+]]: tensor<2xf32>)
// CHECK-NEXT: %[[Y:.+]] = edge.Conv %[[X]], %[[W]], %[[B]] {activation = "Relu", dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x4x4xf32>, tensor<2x3x3x3xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
// CHECK-NOT: edge.Relu
// CHECK-NEXT: return %[[Y]]
func.func @relu(%x: tensor<1x3x4x4xf32>, %w: tensor<2x3x3x3xf32>, %b: tensor<2xf32>) -> tensor<1x2x2x2xf32> {
  %0 = edge.Conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
      : (tensor<1x3x4x4xf32>, tensor<2x3x3x3xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %1 = edge.Relu %0 : tensor<1x2x2x2xf32>
  return %1 : tensor<1x2x2x2xf32>
}

// -----

// ReLU6 (MobileNet). act_min = 0 is the default and is not printed.
// CHECK-LABEL: func.func @relu6
// CHECK-SAME: (%[[X:.+]]: tensor<1x1x3x3xf32>, %[[W:.+]]: tensor<1x1x1x1xf32>)
// CHECK: %[[Y:.+]] = edge.Conv %[[X]], %[[W]] {act_max = 6.000000e+00 : f32, activation = "Clip", dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
// CHECK-NOT: edge.Clip
// CHECK: return %[[Y]]
func.func @relu6(%x: tensor<1x1x3x3xf32>, %w: tensor<1x1x1x1xf32>) -> tensor<1x1x3x3xf32> {
  %lo = edge.constant dense<0.0> : tensor<f32>
  %hi = edge.constant dense<6.0> : tensor<f32>
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x1x3x3xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x3x3xf32>
  %1 = edge.Clip %0 min %lo max %hi : (tensor<1x1x3x3xf32>, tensor<f32>, tensor<f32>) -> tensor<1x1x3x3xf32>
  return %1 : tensor<1x1x3x3xf32>
}

// -----

// CHECK-LABEL: func.func @clip_both_bounds
// CHECK: %[[Y:.+]] = edge.Conv {{.*}}{act_max = 2.500000e-01 : f32, act_min = -1.500000e+00 : f32, activation = "Clip"
// CHECK-NOT: edge.Clip
// CHECK: return %[[Y]]
func.func @clip_both_bounds(%x: tensor<1x1x3x3xf32>, %w: tensor<1x1x1x1xf32>) -> tensor<1x1x3x3xf32> {
  %lo = edge.constant dense<-1.5> : tensor<1xf32>
  %hi = edge.constant dense<0.25> : tensor<1xf32>
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x1x3x3xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x3x3xf32>
  %1 = edge.Clip %0 min %lo max %hi : (tensor<1x1x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x3x3xf32>
  return %1 : tensor<1x1x3x3xf32>
}

// -----

// An absent bound does not clamp: it becomes an infinity.
// CHECK-LABEL: func.func @clip_max_only
// CHECK: edge.Conv {{.*}}{act_max = 6.000000e+00 : f32, act_min = 0xFF800000 : f32, activation = "Clip"
// CHECK-NOT: edge.Clip
func.func @clip_max_only(%x: tensor<1x1x3x3xf32>, %w: tensor<1x1x1x1xf32>) -> tensor<1x1x3x3xf32> {
  %hi = edge.constant dense<6.0> : tensor<f32>
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x1x3x3xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x3x3xf32>
  %1 = edge.Clip %0 max %hi : (tensor<1x1x3x3xf32>, tensor<f32>) -> tensor<1x1x3x3xf32>
  return %1 : tensor<1x1x3x3xf32>
}

// -----

// CHECK-LABEL: func.func @clip_min_only
// CHECK: edge.Conv {{.*}}{act_max = 0x7F800000 : f32, act_min = -1.000000e+00 : f32, activation = "Clip"
// CHECK-NOT: edge.Clip
func.func @clip_min_only(%x: tensor<1x1x3x3xf32>, %w: tensor<1x1x1x1xf32>) -> tensor<1x1x3x3xf32> {
  %lo = edge.constant dense<-1.0> : tensor<f32>
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x1x3x3xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x3x3xf32>
  %1 = edge.Clip %0 min %lo : (tensor<1x1x3x3xf32>, tensor<f32>) -> tensor<1x1x3x3xf32>
  return %1 : tensor<1x1x3x3xf32>
}

// -----

// f64 bounds on an f64 conv are read exactly.
// CHECK-LABEL: func.func @clip_f64
// CHECK: edge.Conv {{.*}}{act_max = 1.000000e+00 : f32, act_min = -1.000000e+00 : f32, activation = "Clip"
// CHECK-NOT: edge.Clip
func.func @clip_f64(%x: tensor<1x1x3x3xf64>, %w: tensor<1x1x1x1xf64>) -> tensor<1x1x3x3xf64> {
  %lo = edge.constant dense<-1.0> : tensor<f64>
  %hi = edge.constant dense<1.0> : tensor<f64>
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x1x3x3xf64>, tensor<1x1x1x1xf64>) -> tensor<1x1x3x3xf64>
  %1 = edge.Clip %0 min %lo max %hi : (tensor<1x1x3x3xf64>, tensor<f64>, tensor<f64>) -> tensor<1x1x3x3xf64>
  return %1 : tensor<1x1x3x3xf64>
}

// -----

// The conv result has a second user, which must keep seeing the unactivated values.
// CHECK-LABEL: func.func @relu_conv_has_second_user
// CHECK: %[[C:.+]] = edge.Conv
// CHECK-NOT: activation
// CHECK-SAME: -> tensor<1x1x3x3xf32>
// CHECK: %[[R:.+]] = edge.Relu %[[C]]
// CHECK: return %[[C]], %[[R]]
func.func @relu_conv_has_second_user(%x: tensor<1x1x3x3xf32>, %w: tensor<1x1x1x1xf32>) -> (tensor<1x1x3x3xf32>, tensor<1x1x3x3xf32>) {
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x1x3x3xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x3x3xf32>
  %1 = edge.Relu %0 : tensor<1x1x3x3xf32>
  return %0, %1 : tensor<1x1x3x3xf32>, tensor<1x1x3x3xf32>
}

// -----

// Two activations of one conv: neither fuses.
// CHECK-LABEL: func.func @clip_conv_has_second_user
// CHECK: %[[C:.+]] = edge.Conv
// CHECK-NOT: activation
// CHECK-SAME: -> tensor<1x1x3x3xf32>
// CHECK-DAG: edge.Clip %[[C]] min
// CHECK-DAG: edge.Relu %[[C]]
func.func @clip_conv_has_second_user(%x: tensor<1x1x3x3xf32>, %w: tensor<1x1x1x1xf32>) -> (tensor<1x1x3x3xf32>, tensor<1x1x3x3xf32>) {
  %lo = edge.constant dense<0.0> : tensor<f32>
  %hi = edge.constant dense<6.0> : tensor<f32>
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x1x3x3xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x3x3xf32>
  %1 = edge.Clip %0 min %lo max %hi : (tensor<1x1x3x3xf32>, tensor<f32>, tensor<f32>) -> tensor<1x1x3x3xf32>
  %2 = edge.Relu %0 : tensor<1x1x3x3xf32>
  return %1, %2 : tensor<1x1x3x3xf32>, tensor<1x1x3x3xf32>
}

// -----

// Bounds known only at run time cannot be baked into the kernel.
// CHECK-LABEL: func.func @clip_non_constant_bounds
// CHECK-SAME: (%[[X:.+]]: tensor<1x1x3x3xf32>, %[[W:.+]]: tensor<1x1x1x1xf32>, %[[LO:.+]]: tensor<f32>)
// CHECK: %[[C:.+]] = edge.Conv
// CHECK-NOT: activation
// CHECK-SAME: -> tensor<1x1x3x3xf32>
// CHECK: edge.Clip %[[C]] min %[[LO]] max
func.func @clip_non_constant_bounds(%x: tensor<1x1x3x3xf32>, %w: tensor<1x1x1x1xf32>, %lo: tensor<f32>) -> tensor<1x1x3x3xf32> {
  %hi = edge.constant dense<6.0> : tensor<f32>
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x1x3x3xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x3x3xf32>
  %1 = edge.Clip %0 min %lo max %hi : (tensor<1x1x3x3xf32>, tensor<f32>, tensor<f32>) -> tensor<1x1x3x3xf32>
  return %1 : tensor<1x1x3x3xf32>
}

// -----

// CHECK-LABEL: func.func @clip_non_constant_max
// CHECK-SAME: %[[HI:[^:]+]]: tensor<f32>)
// CHECK: %[[C:.+]] = edge.Conv
// CHECK-NOT: activation
// CHECK-SAME: -> tensor<1x1x3x3xf32>
// CHECK: edge.Clip %[[C]] max %[[HI]]
func.func @clip_non_constant_max(%x: tensor<1x1x3x3xf32>, %w: tensor<1x1x1x1xf32>, %hi: tensor<f32>) -> tensor<1x1x3x3xf32> {
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x1x3x3xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x3x3xf32>
  %1 = edge.Clip %0 max %hi : (tensor<1x1x3x3xf32>, tensor<f32>) -> tensor<1x1x3x3xf32>
  return %1 : tensor<1x1x3x3xf32>
}

// -----

// A conv that already carries an activation takes no second one: Relu fuses, the
// Clip after it stays.
// CHECK-LABEL: func.func @conv_already_activated
// CHECK: %[[C:.+]] = edge.Conv {{.*}}activation = "Relu"
// CHECK-NOT: edge.Relu
// CHECK: %[[Y:.+]] = edge.Clip %[[C]] min
// CHECK: return %[[Y]]
func.func @conv_already_activated(%x: tensor<1x1x3x3xf32>, %w: tensor<1x1x1x1xf32>) -> tensor<1x1x3x3xf32> {
  %lo = edge.constant dense<0.0> : tensor<f32>
  %hi = edge.constant dense<6.0> : tensor<f32>
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x1x3x3xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x3x3xf32>
  %1 = edge.Relu %0 : tensor<1x1x3x3xf32>
  %2 = edge.Clip %1 min %lo max %hi : (tensor<1x1x3x3xf32>, tensor<f32>, tensor<f32>) -> tensor<1x1x3x3xf32>
  return %2 : tensor<1x1x3x3xf32>
}

// -----

// CHECK-LABEL: func.func @relu_after_clip_conv
// CHECK: %[[C:.+]] = edge.Conv {{.*}}activation = "Clip"
// CHECK: %[[Y:.+]] = edge.Relu %[[C]]
// CHECK: return %[[Y]]
func.func @relu_after_clip_conv(%x: tensor<1x1x3x3xf32>, %w: tensor<1x1x1x1xf32>) -> tensor<1x1x3x3xf32> {
  %0 = edge.Conv %x, %w {act_min = -1.0 : f32, act_max = 1.0 : f32, activation = "Clip", dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x1x3x3xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x3x3xf32>
  %1 = edge.Relu %0 : tensor<1x1x3x3xf32>
  return %1 : tensor<1x1x3x3xf32>
}

// -----

// Only convs have an epilogue.
// CHECK-LABEL: func.func @relu_not_after_conv
// CHECK: %[[M:.+]] = edge.MatMul
// CHECK: edge.Relu %[[M]]
func.func @relu_not_after_conv(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0 = edge.MatMul %a, %b : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %1 = edge.Relu %0 : tensor<2x4xf32>
  return %1 : tensor<2x4xf32>
}

// -----

// f16 bounds cannot be read as doubles. This used to abort (vector::at on an
// empty vector); now the Clip is left alone.
// CHECK-LABEL: func.func @clip_f16_bounds
// CHECK: %[[C:.+]] = edge.Conv
// CHECK-NOT: activation
// CHECK-SAME: -> tensor<1x1x3x3xf16>
// CHECK: edge.Clip %[[C]] min
func.func @clip_f16_bounds(%x: tensor<1x1x3x3xf16>, %w: tensor<1x1x1x1xf16>) -> tensor<1x1x3x3xf16> {
  %lo = edge.constant dense<0.0> : tensor<f16>
  %hi = edge.constant dense<6.0> : tensor<f16>
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x1x3x3xf16>, tensor<1x1x1x1xf16>) -> tensor<1x1x3x3xf16>
  %1 = edge.Clip %0 min %lo max %hi : (tensor<1x1x3x3xf16>, tensor<f16>, tensor<f16>) -> tensor<1x1x3x3xf16>
  return %1 : tensor<1x1x3x3xf16>
}
