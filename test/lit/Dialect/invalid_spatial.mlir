// RUN: edgec-opt %s -split-input-file -verify-diagnostics
//
// One case per error path of the spatial resampling ops' verifiers (SpatialOps.cpp).

func.func @d2s_rank(%x: tensor<8x2x3xf32>) -> tensor<2x4x6xf32> {
  // expected-error @+1 {{input and result must have rank 4 (N, C, H, W)}}
  %0 = edge.DepthToSpace %x {blocksize = 2 : i64, mode = "DCR"} : (tensor<8x2x3xf32>) -> tensor<2x4x6xf32>
  return %0 : tensor<2x4x6xf32>
}

// -----

func.func @d2s_blocksize(%x: tensor<1x8x2x3xf32>) -> tensor<1x8x2x3xf32> {
  // expected-error @+1 {{blocksize must be >= 1, got 0}}
  %0 = edge.DepthToSpace %x {blocksize = 0 : i64, mode = "DCR"} : (tensor<1x8x2x3xf32>) -> tensor<1x8x2x3xf32>
  return %0 : tensor<1x8x2x3xf32>
}

// -----

func.func @d2s_element_type(%x: tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf16> {
  // expected-error @+1 {{result element type 'f16' differs from the input's 'f32'}}
  %0 = edge.DepthToSpace %x {blocksize = 2 : i64, mode = "DCR"} : (tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf16>
  return %0 : tensor<1x2x4x6xf16>
}

// -----

func.func @d2s_per_axis(%x: tensor<1x8x2x3x!quant.uniform<i8:f32:0, {0.5}>>)
    -> tensor<1x2x4x6x!quant.uniform<i8:f32:0, {0.5}>> {
  // expected-error @+1 {{per-axis quantized tensors are not supported}}
  %0 = edge.DepthToSpace %x {blocksize = 2 : i64, mode = "DCR"} : (tensor<1x8x2x3x!quant.uniform<i8:f32:0, {0.5}>>) -> tensor<1x2x4x6x!quant.uniform<i8:f32:0, {0.5}>>
  return %0 : tensor<1x2x4x6x!quant.uniform<i8:f32:0, {0.5}>>
}

// -----

func.func @d2s_mode(%x: tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32> {
  // expected-error @+1 {{unknown mode 'RCD' (DCR or CRD)}}
  %0 = edge.DepthToSpace %x {blocksize = 2 : i64, mode = "RCD"} : (tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32>
  return %0 : tensor<1x2x4x6xf32>
}

// -----

func.func @d2s_channels(%x: tensor<1x6x2x3xf32>) -> tensor<1x1x4x6xf32> {
  // expected-error @+1 {{input channels 6 are not a multiple of blocksize² 4}}
  %0 = edge.DepthToSpace %x {blocksize = 2 : i64, mode = "CRD"} : (tensor<1x6x2x3xf32>) -> tensor<1x1x4x6xf32>
  return %0 : tensor<1x1x4x6xf32>
}

// -----

func.func @d2s_result(%x: tensor<1x8x2x3xf32>) -> tensor<1x2x6x4xf32> {
  // expected-error @+1 {{result shape [1,2,6,4] should be [1,2,4,6]}}
  %0 = edge.DepthToSpace %x {blocksize = 2 : i64, mode = "DCR"} : (tensor<1x8x2x3xf32>) -> tensor<1x2x6x4xf32>
  return %0 : tensor<1x2x6x4xf32>
}

// -----

func.func @s2d_spatial(%x: tensor<1x1x3x4xf32>) -> tensor<1x4x1x2xf32> {
  // expected-error @+1 {{input height and width 3x4 are not multiples of blocksize 2}}
  %0 = edge.SpaceToDepth %x {blocksize = 2 : i64} : (tensor<1x1x3x4xf32>) -> tensor<1x4x1x2xf32>
  return %0 : tensor<1x4x1x2xf32>
}

// -----

func.func @s2d_result(%x: tensor<1x1x2x4xf32>) -> tensor<1x4x2x1xf32> {
  // expected-error @+1 {{result shape [1,4,2,1] should be [1,4,1,2]}}
  %0 = edge.SpaceToDepth %x {blocksize = 2 : i64} : (tensor<1x1x2x4xf32>) -> tensor<1x4x2x1xf32>
  return %0 : tensor<1x4x2x1xf32>
}

// -----

func.func @resize_rank(%x: tensor<2x3xf32>) -> tensor<12xf32> {
  // expected-error @+1 {{input and result must have the same rank >= 1}}
  %0 = edge.Resize %x {mode = "nearest", coordinate_transformation_mode = "half_pixel", nearest_mode = "round_prefer_floor", cubic_coeff_a = -0.75 : f32, exclude_outside = 0 : i64, extrapolation_value = 0.0 : f32, scales = array<f32: 1.0, 2.0>, roi = array<f32>} : (tensor<2x3xf32>) -> tensor<12xf32>
  return %0 : tensor<12xf32>
}

// -----

func.func @resize_element_type(%x: tensor<2x3xf32>) -> tensor<2x6xf64> {
  // expected-error @+1 {{result element type 'f64' differs from the input's 'f32'}}
  %0 = edge.Resize %x {mode = "nearest", coordinate_transformation_mode = "half_pixel", nearest_mode = "round_prefer_floor", cubic_coeff_a = -0.75 : f32, exclude_outside = 0 : i64, extrapolation_value = 0.0 : f32, scales = array<f32: 1.0, 2.0>, roi = array<f32>} : (tensor<2x3xf32>) -> tensor<2x6xf64>
  return %0 : tensor<2x6xf64>
}

// -----

func.func @resize_mode(%x: tensor<2x3xf32>) -> tensor<2x6xf32> {
  // expected-error @+1 {{unknown mode 'area' (nearest, linear or cubic)}}
  %0 = edge.Resize %x {mode = "area", coordinate_transformation_mode = "half_pixel", nearest_mode = "round_prefer_floor", cubic_coeff_a = -0.75 : f32, exclude_outside = 0 : i64, extrapolation_value = 0.0 : f32, scales = array<f32: 1.0, 2.0>, roi = array<f32>} : (tensor<2x3xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @resize_coordinates(%x: tensor<2x3xf32>) -> tensor<2x6xf32> {
  // expected-error @+1 {{unknown coordinate_transformation_mode 'tf_half_pixel_for_nn'}}
  %0 = edge.Resize %x {mode = "nearest", coordinate_transformation_mode = "tf_half_pixel_for_nn", nearest_mode = "round_prefer_floor", cubic_coeff_a = -0.75 : f32, exclude_outside = 0 : i64, extrapolation_value = 0.0 : f32, scales = array<f32: 1.0, 2.0>, roi = array<f32>} : (tensor<2x3xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @resize_nearest_mode(%x: tensor<2x3xf32>) -> tensor<2x6xf32> {
  // expected-error @+1 {{unknown nearest_mode 'round'}}
  %0 = edge.Resize %x {mode = "nearest", coordinate_transformation_mode = "half_pixel", nearest_mode = "round", cubic_coeff_a = -0.75 : f32, exclude_outside = 0 : i64, extrapolation_value = 0.0 : f32, scales = array<f32: 1.0, 2.0>, roi = array<f32>} : (tensor<2x3xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @resize_exclude_outside(%x: tensor<2x3xf32>) -> tensor<2x6xf32> {
  // expected-error @+1 {{exclude_outside must be 0 or 1}}
  %0 = edge.Resize %x {mode = "nearest", coordinate_transformation_mode = "half_pixel", nearest_mode = "round_prefer_floor", cubic_coeff_a = -0.75 : f32, exclude_outside = 2 : i64, extrapolation_value = 0.0 : f32, scales = array<f32: 1.0, 2.0>, roi = array<f32>} : (tensor<2x3xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @resize_linear_int(%x: tensor<2x3xi32>) -> tensor<2x6xi32> {
  // expected-error @+1 {{linear resizing takes f32 or f64 tensors, got 'i32'}}
  %0 = edge.Resize %x {mode = "linear", coordinate_transformation_mode = "half_pixel", nearest_mode = "round_prefer_floor", cubic_coeff_a = -0.75 : f32, exclude_outside = 0 : i64, extrapolation_value = 0.0 : f32, scales = array<f32: 1.0, 2.0>, roi = array<f32>} : (tensor<2x3xi32>) -> tensor<2x6xi32>
  return %0 : tensor<2x6xi32>
}

// -----

func.func @resize_crop_quantized(%x: tensor<2x3x!quant.uniform<i8:f32, 0.5>>) -> tensor<2x6x!quant.uniform<i8:f32, 0.5>> {
  // expected-error @+1 {{tf_crop_and_resize of a quantized tensor is not supported}}
  %0 = edge.Resize %x {mode = "nearest", coordinate_transformation_mode = "tf_crop_and_resize", nearest_mode = "round_prefer_floor", cubic_coeff_a = -0.75 : f32, exclude_outside = 0 : i64, extrapolation_value = 0.0 : f32, scales = array<f32: 1.0, 2.0>, roi = array<f32: 0.0, 0.0, 1.0, 1.0>} : (tensor<2x3x!quant.uniform<i8:f32, 0.5>>) -> tensor<2x6x!quant.uniform<i8:f32, 0.5>>
  return %0 : tensor<2x6x!quant.uniform<i8:f32, 0.5>>
}

// -----

func.func @resize_scales_count(%x: tensor<2x3xf32>) -> tensor<2x6xf32> {
  // expected-error @+1 {{expects 2 scales, got 3}}
  %0 = edge.Resize %x {mode = "nearest", coordinate_transformation_mode = "half_pixel", nearest_mode = "round_prefer_floor", cubic_coeff_a = -0.75 : f32, exclude_outside = 0 : i64, extrapolation_value = 0.0 : f32, scales = array<f32: 1.0, 1.0, 2.0>, roi = array<f32>} : (tensor<2x3xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @resize_roi_count(%x: tensor<2x3xf32>) -> tensor<2x6xf32> {
  // expected-error @+1 {{expects 4 roi values (starts then ends, tf_crop_and_resize only), got 2}}
  %0 = edge.Resize %x {mode = "nearest", coordinate_transformation_mode = "tf_crop_and_resize", nearest_mode = "round_prefer_floor", cubic_coeff_a = -0.75 : f32, exclude_outside = 0 : i64, extrapolation_value = 0.0 : f32, scales = array<f32: 1.0, 2.0>, roi = array<f32: 0.0, 1.0>} : (tensor<2x3xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @resize_roi_unused(%x: tensor<2x3xf32>) -> tensor<2x6xf32> {
  // expected-error @+1 {{expects 0 roi values (starts then ends, tf_crop_and_resize only), got 4}}
  %0 = edge.Resize %x {mode = "nearest", coordinate_transformation_mode = "half_pixel", nearest_mode = "round_prefer_floor", cubic_coeff_a = -0.75 : f32, exclude_outside = 0 : i64, extrapolation_value = 0.0 : f32, scales = array<f32: 1.0, 2.0>, roi = array<f32: 0.0, 0.0, 1.0, 1.0>} : (tensor<2x3xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @resize_scale_zero(%x: tensor<2x3xf32>) -> tensor<2x0xf32> {
  // expected-error @+1 {{scale 1 must be finite and > 0, got 0}}
  %0 = edge.Resize %x {mode = "nearest", coordinate_transformation_mode = "half_pixel", nearest_mode = "round_prefer_floor", cubic_coeff_a = -0.75 : f32, exclude_outside = 0 : i64, extrapolation_value = 0.0 : f32, scales = array<f32: 1.0, 0.0>, roi = array<f32>} : (tensor<2x3xf32>) -> tensor<2x0xf32>
  return %0 : tensor<2x0xf32>
}

// -----

func.func @resize_result(%x: tensor<2x3xf32>) -> tensor<2x7xf32> {
  // expected-error @+1 {{result dim 1 is 7, but input dim 3 at scale 2.000000e+00 gives 6}}
  %0 = edge.Resize %x {mode = "nearest", coordinate_transformation_mode = "half_pixel", nearest_mode = "round_prefer_floor", cubic_coeff_a = -0.75 : f32, exclude_outside = 0 : i64, extrapolation_value = 0.0 : f32, scales = array<f32: 1.0, 2.0>, roi = array<f32>} : (tensor<2x3xf32>) -> tensor<2x7xf32>
  return %0 : tensor<2x7xf32>
}

// -----

func.func @resize_no_scales(%x: tensor<2x3xf32>) -> tensor<2x6xf32> {
  // expected-error @+1 {{needs scales: the attribute, scales_input or sizes_input}}
  %0 = edge.Resize %x {mode = "nearest", coordinate_transformation_mode = "half_pixel", nearest_mode = "round_prefer_floor", cubic_coeff_a = -0.75 : f32, exclude_outside = 0 : i64, extrapolation_value = 0.0 : f32, roi = array<f32>} : (tensor<2x3xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @resize_scales_twice(%x: tensor<2x3xf32>, %s: tensor<2xf32>) -> tensor<2x6xf32> {
  // expected-error @+1 {{takes one of scales, scales_input and sizes_input, got 2}}
  %0 = edge.Resize %x scales(%s : tensor<2xf32>) {mode = "nearest", coordinate_transformation_mode = "half_pixel", nearest_mode = "round_prefer_floor", cubic_coeff_a = -0.75 : f32, exclude_outside = 0 : i64, extrapolation_value = 0.0 : f32, scales = array<f32: 1.0, 2.0>, roi = array<f32>} : (tensor<2x3xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @resize_roi_twice(%x: tensor<2x3xf32>, %r: tensor<4xf32>) -> tensor<2x6xf32> {
  // expected-error @+1 {{roi is given both as an attribute and as an operand}}
  %0 = edge.Resize %x roi(%r : tensor<4xf32>) {mode = "linear", coordinate_transformation_mode = "tf_crop_and_resize", nearest_mode = "round_prefer_floor", cubic_coeff_a = -0.75 : f32, exclude_outside = 0 : i64, extrapolation_value = 0.0 : f32, scales = array<f32: 1.0, 2.0>, roi = array<f32: 0.0, 0.0, 1.0, 1.0>} : (tensor<2x3xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @resize_roi_not_crop(%x: tensor<2x3xf32>, %r: tensor<4xf32>) -> tensor<2x6xf32> {
  // expected-error @+1 {{roi_input is for tf_crop_and_resize only}}
  %0 = edge.Resize %x roi(%r : tensor<4xf32>) {mode = "nearest", coordinate_transformation_mode = "half_pixel", nearest_mode = "round_prefer_floor", cubic_coeff_a = -0.75 : f32, exclude_outside = 0 : i64, extrapolation_value = 0.0 : f32, scales = array<f32: 1.0, 2.0>} : (tensor<2x3xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @resize_scales_input_shape(%x: tensor<2x3xf32>, %s: tensor<3xf32>) -> tensor<2x6xf32> {
  // expected-error @+1 {{scales_input must have shape [2], got 'tensor<3xf32>'}}
  %0 = edge.Resize %x scales(%s : tensor<3xf32>) {mode = "nearest", coordinate_transformation_mode = "half_pixel", nearest_mode = "round_prefer_floor", cubic_coeff_a = -0.75 : f32, exclude_outside = 0 : i64, extrapolation_value = 0.0 : f32, roi = array<f32>} : (tensor<2x3xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @resize_sizes_input_shape(%x: tensor<2x3xf32>, %s: tensor<1x2xi64>) -> tensor<2x6xf32> {
  // expected-error @+1 {{sizes_input must have shape [2], got 'tensor<1x2xi64>'}}
  %0 = edge.Resize %x sizes(%s : tensor<1x2xi64>) {mode = "nearest", coordinate_transformation_mode = "half_pixel", nearest_mode = "round_prefer_floor", cubic_coeff_a = -0.75 : f32, exclude_outside = 0 : i64, extrapolation_value = 0.0 : f32, roi = array<f32>} : (tensor<2x3xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @resize_roi_input_shape(%x: tensor<2x3xf32>, %r: tensor<2xf32>, %s: tensor<2xi64>) -> tensor<2x6xf32> {
  // expected-error @+1 {{roi_input must have shape [4], got 'tensor<2xf32>'}}
  %0 = edge.Resize %x roi(%r : tensor<2xf32>) sizes(%s : tensor<2xi64>) {mode = "linear", coordinate_transformation_mode = "tf_crop_and_resize", nearest_mode = "round_prefer_floor", cubic_coeff_a = -0.75 : f32, exclude_outside = 0 : i64, extrapolation_value = 0.0 : f32} : (tensor<2x3xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @resize_sizes_input_type(%x: tensor<2x3xf32>, %s: tensor<2xi32>) -> tensor<2x6xf32> {
  // expected-error @+1 {{operand #1 must be tensor of 64-bit signless integer values}}
  %0 = edge.Resize %x sizes(%s : tensor<2xi32>) {mode = "nearest", coordinate_transformation_mode = "half_pixel", nearest_mode = "round_prefer_floor", cubic_coeff_a = -0.75 : f32, exclude_outside = 0 : i64, extrapolation_value = 0.0 : f32, roi = array<f32>} : (tensor<2x3xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}
