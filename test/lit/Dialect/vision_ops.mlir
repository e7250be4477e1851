// RUN: edgec-opt %s | edgec-opt | FileCheck %s
// RUN: edgec-opt %s -mlir-print-op-generic | edgec-opt | FileCheck %s
//
// The vision ops (EdgeVisionOps.td) round-trip with their resolved attributes.

// CHECK-LABEL: func.func @conv_transpose
// CHECK: edge.ConvTranspose %arg0, %arg1, %arg2 {dilations = array<i64: 1, 1>, group = 1 : i64, output_padding = array<i64: 1, 1>, pads = array<i64: 0, 1, 1, 0>, strides = array<i64: 2, 2>} : (tensor<1x2x3x3xf32>, tensor<2x4x3x3xf32>, tensor<4xf32>) -> tensor<1x4x7x7xf32>
// CHECK: edge.ConvTranspose %arg3, %arg4 {dilations = array<i64: 2>, group = 2 : i64, output_padding = array<i64: 0>, pads = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<1x4x5xf32>, tensor<4x3x2xf32>) -> tensor<1x6x7xf32>
func.func @conv_transpose(%x: tensor<1x2x3x3xf32>, %w: tensor<2x4x3x3xf32>, %b: tensor<4xf32>,
                          %x1: tensor<1x4x5xf32>, %w1: tensor<4x3x2xf32>) -> (tensor<1x4x7x7xf32>, tensor<1x6x7xf32>) {
  %0 = edge.ConvTranspose %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, output_padding = array<i64: 1, 1>, pads = array<i64: 0, 1, 1, 0>, strides = array<i64: 2, 2>} : (tensor<1x2x3x3xf32>, tensor<2x4x3x3xf32>, tensor<4xf32>) -> tensor<1x4x7x7xf32>
  %1 = edge.ConvTranspose %x1, %w1 {dilations = array<i64: 2>, group = 2 : i64, output_padding = array<i64: 0>, pads = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<1x4x5xf32>, tensor<4x3x2xf32>) -> tensor<1x6x7xf32>
  return %0, %1 : tensor<1x4x7x7xf32>, tensor<1x6x7xf32>
}

// CHECK-LABEL: func.func @sampling_and_pooling
// CHECK: edge.GridSample %arg0, %arg1 {align_corners = 0 : i64, mode = "bicubic", padding_mode = "reflection"} : (tensor<1x3x4x5xf32>, tensor<1x2x6x2xf32>) -> tensor<1x3x2x6xf32>
// CHECK: edge.RoiAlign %arg0, %arg2, %arg3 {coordinate_transformation_mode = "output_half_pixel", mode = "max", output_height = 2 : i64, output_width = 3 : i64, sampling_ratio = 2 : i64, spatial_scale = 5.000000e-01 : f32} : (tensor<1x3x4x5xf32>, tensor<7x4xf32>, tensor<7xi64>) -> tensor<7x3x2x3xf32>
// CHECK: edge.MaxUnpool %arg4, %arg5 : (tensor<1x3x2x2xi32>, tensor<1x3x2x2xi64>) -> tensor<1x3x5x4xi32>
func.func @sampling_and_pooling(%x: tensor<1x3x4x5xf32>, %grid: tensor<1x2x6x2xf32>, %rois: tensor<7x4xf32>,
                                %idx: tensor<7xi64>, %p: tensor<1x3x2x2xi32>, %pi: tensor<1x3x2x2xi64>)
    -> (tensor<1x3x2x6xf32>, tensor<7x3x2x3xf32>, tensor<1x3x5x4xi32>) {
  %0 = edge.GridSample %x, %grid {align_corners = 0 : i64, mode = "bicubic", padding_mode = "reflection"} : (tensor<1x3x4x5xf32>, tensor<1x2x6x2xf32>) -> tensor<1x3x2x6xf32>
  %1 = edge.RoiAlign %x, %rois, %idx {coordinate_transformation_mode = "output_half_pixel", mode = "max", output_height = 2 : i64, output_width = 3 : i64, sampling_ratio = 2 : i64, spatial_scale = 0.5 : f32} : (tensor<1x3x4x5xf32>, tensor<7x4xf32>, tensor<7xi64>) -> tensor<7x3x2x3xf32>
  %2 = edge.MaxUnpool %p, %pi : (tensor<1x3x2x2xi32>, tensor<1x3x2x2xi64>) -> tensor<1x3x5x4xi32>
  return %0, %1, %2 : tensor<1x3x2x6xf32>, tensor<7x3x2x3xf32>, tensor<1x3x5x4xi32>
}

// CHECK-LABEL: func.func @normalizations
// CHECK: edge.InstanceNormalization %arg0, %arg1, %arg2 {epsilon = 9.99999974E-6 : f32} : (tensor<2x3x4x5xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4x5xf32>
// CHECK: edge.LRN %arg0 {alpha = 9.99999974E-5 : f32, beta = 7.500000e-01 : f32, bias = 1.000000e+00 : f32, size = 3 : i64} : (tensor<2x3x4x5xf32>) -> tensor<2x3x4x5xf32>
func.func @normalizations(%x: tensor<2x3x4x5xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>)
    -> (tensor<2x3x4x5xf32>, tensor<2x3x4x5xf32>) {
  %0 = edge.InstanceNormalization %x, %s, %b {epsilon = 1.0e-5 : f32} : (tensor<2x3x4x5xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4x5xf32>
  %1 = edge.LRN %x {alpha = 1.0e-4 : f32, beta = 0.75 : f32, bias = 1.0 : f32, size = 3 : i64} : (tensor<2x3x4x5xf32>) -> tensor<2x3x4x5xf32>
  return %0, %1 : tensor<2x3x4x5xf32>, tensor<2x3x4x5xf32>
}
