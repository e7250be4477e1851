// RUN: edgec-opt %s | edgec-opt | FileCheck %s
// RUN: edgec-opt %s -mlir-print-op-generic | edgec-opt | FileCheck %s
//
// The spatial resampling ops (EdgeSpatialOps.td) round-trip with their resolved
// attributes.

// CHECK-LABEL: func.func @block_ops
// CHECK: edge.DepthToSpace %arg0 {blocksize = 2 : i64, mode = "DCR"} : (tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32>
// CHECK: edge.DepthToSpace %arg0 {blocksize = 2 : i64, mode = "CRD"} : (tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32>
// CHECK: edge.SpaceToDepth %arg1 {blocksize = 3 : i64} : (tensor<2x1x3x6xui8>) -> tensor<2x9x1x2xui8>
func.func @block_ops(%x: tensor<1x8x2x3xf32>, %y: tensor<2x1x3x6xui8>)
    -> (tensor<1x2x4x6xf32>, tensor<1x2x4x6xf32>, tensor<2x9x1x2xui8>) {
  %0 = edge.DepthToSpace %x {blocksize = 2 : i64, mode = "DCR"} : (tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32>
  %1 = edge.DepthToSpace %x {blocksize = 2 : i64, mode = "CRD"} : (tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32>
  %2 = edge.SpaceToDepth %y {blocksize = 3 : i64} : (tensor<2x1x3x6xui8>) -> tensor<2x9x1x2xui8>
  return %0, %1, %2 : tensor<1x2x4x6xf32>, tensor<1x2x4x6xf32>, tensor<2x9x1x2xui8>
}

// CHECK-LABEL: func.func @resize
// CHECK: edge.Resize %arg0 {coordinate_transformation_mode = "half_pixel", cubic_coeff_a = -7.500000e-01 : f32, exclude_outside = 0 : i64, extrapolation_value = 0.000000e+00 : f32, mode = "nearest", nearest_mode = "round_prefer_floor", roi = array<f32>, scales = array<f32: 1.000000e+00, 1.000000e+00, 2.000000e+00, 3.000000e+00>} : (tensor<1x1x2x2xi8>) -> tensor<1x1x4x6xi8>
// CHECK: edge.Resize %arg1 {coordinate_transformation_mode = "align_corners", cubic_coeff_a = -5.000000e-01 : f32, exclude_outside = 1 : i64, extrapolation_value = 0.000000e+00 : f32, mode = "cubic", nearest_mode = "round_prefer_floor", roi = array<f32>, scales = array<f32: 1.000000e+00, 1.000000e+00, 6.000000e-01, 6.000000e-01>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32>
// CHECK: edge.Resize %arg2 {coordinate_transformation_mode = "tf_crop_and_resize", cubic_coeff_a = -7.500000e-01 : f32, exclude_outside = 0 : i64, extrapolation_value = 1.000000e+01 : f32, mode = "linear", nearest_mode = "round_prefer_floor", roi = array<f32: 4.000000e-01, 6.000000e-01, 6.000000e-01, 8.000000e-01>, scales = array<f32: 0.428571433, 1.18181813>} : (tensor<7x11xf32>) -> tensor<3x13xf32>
func.func @resize(%x: tensor<1x1x2x2xi8>, %y: tensor<1x1x4x4xf32>, %z: tensor<7x11xf32>)
    -> (tensor<1x1x4x6xi8>, tensor<1x1x2x2xf32>, tensor<3x13xf32>) {
  %0 = edge.Resize %x {mode = "nearest", coordinate_transformation_mode = "half_pixel", nearest_mode = "round_prefer_floor",
                       cubic_coeff_a = -0.75 : f32, exclude_outside = 0 : i64, extrapolation_value = 0.0 : f32,
                       scales = array<f32: 1.0, 1.0, 2.0, 3.0>, roi = array<f32>} : (tensor<1x1x2x2xi8>) -> tensor<1x1x4x6xi8>
  // floor(4 * 0.6) = 2: a given scale.
  %1 = edge.Resize %y {mode = "cubic", coordinate_transformation_mode = "align_corners", nearest_mode = "round_prefer_floor",
                       cubic_coeff_a = -0.5 : f32, exclude_outside = 1 : i64, extrapolation_value = 0.0 : f32,
                       scales = array<f32: 1.0, 1.0, 0.6, 0.6>, roi = array<f32>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32>
  // ONNX sizes 3 and 13 as the f32 ratios 3 / 7 and 13 / 11 (floor(11 * 13 / 11) is 12
  // in f32: the result dim is the size that gave the ratio).
  %2 = edge.Resize %z {mode = "linear", coordinate_transformation_mode = "tf_crop_and_resize", nearest_mode = "round_prefer_floor",
                       cubic_coeff_a = -0.75 : f32, exclude_outside = 0 : i64, extrapolation_value = 10.0 : f32,
                       scales = array<f32: 0.428571433, 1.18181813>, roi = array<f32: 0.4, 0.6, 0.6, 0.8>} : (tensor<7x11xf32>) -> tensor<3x13xf32>
  return %0, %1, %2 : tensor<1x1x4x6xi8>, tensor<1x1x2x2xf32>, tensor<3x13xf32>
}

// Run-time parameters are operands at their keywords, in place of their attributes.
// CHECK-LABEL: func.func @resize_runtime
// CHECK: edge.Resize %arg0 scales(%arg1 : tensor<2xf32>) {coordinate_transformation_mode = "half_pixel", cubic_coeff_a = -7.500000e-01 : f32, exclude_outside = 0 : i64, extrapolation_value = 0.000000e+00 : f32, mode = "linear", nearest_mode = "round_prefer_floor", roi = array<f32>} : (tensor<7x11xf32>) -> tensor<3x13xf32>
// CHECK: edge.Resize %arg0 roi(%arg3 : tensor<4xf64>) sizes(%arg2 : tensor<2xi64>) {coordinate_transformation_mode = "tf_crop_and_resize", cubic_coeff_a = -7.500000e-01 : f32, exclude_outside = 0 : i64, extrapolation_value = 1.000000e+01 : f32, mode = "linear", nearest_mode = "round_prefer_floor"} : (tensor<7x11xf32>) -> tensor<3x13xf32>
func.func @resize_runtime(%z: tensor<7x11xf32>, %scales: tensor<2xf32>, %sizes: tensor<2xi64>, %roi: tensor<4xf64>)
    -> (tensor<3x13xf32>, tensor<3x13xf32>) {
  %0 = edge.Resize %z scales(%scales : tensor<2xf32>) {mode = "linear", coordinate_transformation_mode = "half_pixel",
                       nearest_mode = "round_prefer_floor", cubic_coeff_a = -0.75 : f32, exclude_outside = 0 : i64,
                       extrapolation_value = 0.0 : f32, roi = array<f32>} : (tensor<7x11xf32>) -> tensor<3x13xf32>
  %1 = edge.Resize %z roi(%roi : tensor<4xf64>) sizes(%sizes : tensor<2xi64>) {mode = "linear",
                       coordinate_transformation_mode = "tf_crop_and_resize", nearest_mode = "round_prefer_floor",
                       cubic_coeff_a = -0.75 : f32, exclude_outside = 0 : i64, extrapolation_value = 10.0 : f32}
                       : (tensor<7x11xf32>) -> tensor<3x13xf32>
  return %0, %1 : tensor<3x13xf32>, tensor<3x13xf32>
}
