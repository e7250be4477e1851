// RUN: edgec-opt %s -split-input-file -verify-diagnostics
//
// One case per error path of the vision ops' verifiers (VisionOps.cpp).

func.func @ct_rank(%x: tensor<1x2xf32>, %w: tensor<2x1xf32>) -> tensor<1x1xf32> {
  // expected-error @+1 {{input must have rank >= 3 (N, C, spatial...)}}
  %0 = edge.ConvTranspose %x, %w {dilations = array<i64>, group = 1 : i64, output_padding = array<i64>, pads = array<i64>, strides = array<i64>} : (tensor<1x2xf32>, tensor<2x1xf32>) -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}

// -----

func.func @ct_weight_rank(%x: tensor<1x2x3xf32>, %w: tensor<2x1x2x2xf32>) -> tensor<1x1x4xf32> {
  // expected-error @+1 {{input, weight and result must have the same rank}}
  %0 = edge.ConvTranspose %x, %w {dilations = array<i64: 1>, group = 1 : i64, output_padding = array<i64: 0>, pads = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<1x2x3xf32>, tensor<2x1x2x2xf32>) -> tensor<1x1x4xf32>
  return %0 : tensor<1x1x4xf32>
}

// -----

func.func @ct_element(%x: tensor<1x2x3xf32>, %w: tensor<2x1x2xf16>) -> tensor<1x1x4xf32> {
  // expected-error @+1 {{operand element type 'f16' differs from the result's 'f32'}}
  %0 = edge.ConvTranspose %x, %w {dilations = array<i64: 1>, group = 1 : i64, output_padding = array<i64: 0>, pads = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<1x2x3xf32>, tensor<2x1x2xf16>) -> tensor<1x1x4xf32>
  return %0 : tensor<1x1x4xf32>
}

// -----

func.func @ct_group(%x: tensor<1x3x3xf32>, %w: tensor<3x1x2xf32>) -> tensor<1x2x4xf32> {
  // expected-error @+1 {{group 2 does not divide the 3 input channels}}
  %0 = edge.ConvTranspose %x, %w {dilations = array<i64: 1>, group = 2 : i64, output_padding = array<i64: 0>, pads = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<1x3x3xf32>, tensor<3x1x2xf32>) -> tensor<1x2x4xf32>
  return %0 : tensor<1x2x4xf32>
}

// -----

func.func @ct_weight_channels(%x: tensor<1x2x3xf32>, %w: tensor<3x1x2xf32>) -> tensor<1x1x4xf32> {
  // expected-error @+1 {{weight [3,1,2] must have the input's 2 channels as dim 0}}
  %0 = edge.ConvTranspose %x, %w {dilations = array<i64: 1>, group = 1 : i64, output_padding = array<i64: 0>, pads = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<1x2x3xf32>, tensor<3x1x2xf32>) -> tensor<1x1x4xf32>
  return %0 : tensor<1x1x4xf32>
}

// -----

func.func @ct_bias(%x: tensor<1x2x3xf32>, %w: tensor<2x1x2xf32>, %b: tensor<3xf32>) -> tensor<1x2x4xf32> {
  // expected-error @+1 {{bias must have shape [2]}}
  %0 = edge.ConvTranspose %x, %w, %b {dilations = array<i64: 1>, group = 2 : i64, output_padding = array<i64: 0>, pads = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<1x2x3xf32>, tensor<2x1x2xf32>, tensor<3xf32>) -> tensor<1x2x4xf32>
  return %0 : tensor<1x2x4xf32>
}

// -----

func.func @ct_strides_count(%x: tensor<1x2x3xf32>, %w: tensor<2x1x2xf32>) -> tensor<1x1x4xf32> {
  // expected-error @+1 {{strides has 2 entries, expected 1}}
  %0 = edge.ConvTranspose %x, %w {dilations = array<i64: 1>, group = 1 : i64, output_padding = array<i64: 0>, pads = array<i64: 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x3xf32>, tensor<2x1x2xf32>) -> tensor<1x1x4xf32>
  return %0 : tensor<1x1x4xf32>
}

// -----

func.func @ct_dilations_min(%x: tensor<1x2x3xf32>, %w: tensor<2x1x2xf32>) -> tensor<1x1x4xf32> {
  // expected-error @+1 {{dilations must be >= 1, got 0}}
  %0 = edge.ConvTranspose %x, %w {dilations = array<i64: 0>, group = 1 : i64, output_padding = array<i64: 0>, pads = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<1x2x3xf32>, tensor<2x1x2xf32>) -> tensor<1x1x4xf32>
  return %0 : tensor<1x1x4xf32>
}

// -----

func.func @ct_pads_negative(%x: tensor<1x2x3xf32>, %w: tensor<2x1x2xf32>) -> tensor<1x1x4xf32> {
  // expected-error @+1 {{pads must be >= 0, got -1}}
  %0 = edge.ConvTranspose %x, %w {dilations = array<i64: 1>, group = 1 : i64, output_padding = array<i64: 0>, pads = array<i64: -1, 1>, strides = array<i64: 1>} : (tensor<1x2x3xf32>, tensor<2x1x2xf32>) -> tensor<1x1x4xf32>
  return %0 : tensor<1x1x4xf32>
}

// -----

func.func @ct_output_padding_count(%x: tensor<1x2x3xf32>, %w: tensor<2x1x2xf32>) -> tensor<1x1x4xf32> {
  // expected-error @+1 {{output_padding has 0 entries, expected 1}}
  %0 = edge.ConvTranspose %x, %w {dilations = array<i64: 1>, group = 1 : i64, output_padding = array<i64>, pads = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<1x2x3xf32>, tensor<2x1x2xf32>) -> tensor<1x1x4xf32>
  return %0 : tensor<1x1x4xf32>
}

// -----

func.func @ct_no_output(%x: tensor<1x2x3xf32>, %w: tensor<2x1x2xf32>) -> tensor<1x1x1xf32> {
  // expected-error @+1 {{pads [2,2] leave no output along spatial dim 0}}
  %0 = edge.ConvTranspose %x, %w {dilations = array<i64: 1>, group = 1 : i64, output_padding = array<i64: 0>, pads = array<i64: 2, 2>, strides = array<i64: 1>} : (tensor<1x2x3xf32>, tensor<2x1x2xf32>) -> tensor<1x1x1xf32>
  return %0 : tensor<1x1x1xf32>
}

// -----

func.func @ct_result_shape(%x: tensor<1x2x3xf32>, %w: tensor<2x1x2xf32>) -> tensor<1x1x5xf32> {
  // expected-error @+1 {{result shape [1,1,5] should be [1,1,7]}}
  %0 = edge.ConvTranspose %x, %w {dilations = array<i64: 1>, group = 1 : i64, output_padding = array<i64: 1>, pads = array<i64: 0, 0>, strides = array<i64: 2>} : (tensor<1x2x3xf32>, tensor<2x1x2xf32>) -> tensor<1x1x5xf32>
  return %0 : tensor<1x1x5xf32>
}

// -----

func.func @gs_rank(%a0: tensor<1x3x4xf32>, %a1: tensor<1x2x6x2xf32>) -> tensor<1x3x2x6xf32> {
  // expected-error @+1 {{input must have rank 4 (N, C, H, W)}}
  %0 = edge.GridSample %a0, %a1 {align_corners = 0 : i64, mode = "bilinear", padding_mode = "zeros"} : (tensor<1x3x4xf32>, tensor<1x2x6x2xf32>) -> tensor<1x3x2x6xf32>
  return %0 : tensor<1x3x2x6xf32>
}

// -----

func.func @gs_grid(%a0: tensor<1x3x4x5xf32>, %a1: tensor<1x2x6x3xf32>) -> tensor<1x3x2x6xf32> {
  // expected-error @+1 {{grid [1,2,6,3] must be [1, Ho, Wo, 2]}}
  %0 = edge.GridSample %a0, %a1 {align_corners = 0 : i64, mode = "bilinear", padding_mode = "zeros"} : (tensor<1x3x4x5xf32>, tensor<1x2x6x3xf32>) -> tensor<1x3x2x6xf32>
  return %0 : tensor<1x3x2x6xf32>
}

// -----

func.func @gs_element(%a0: tensor<1x3x4x5xf32>, %a1: tensor<1x2x6x2xf16>) -> tensor<1x3x2x6xf32> {
  // expected-error @+1 {{operand element type 'f16' differs from the result's 'f32'}}
  %0 = edge.GridSample %a0, %a1 {align_corners = 0 : i64, mode = "bilinear", padding_mode = "zeros"} : (tensor<1x3x4x5xf32>, tensor<1x2x6x2xf16>) -> tensor<1x3x2x6xf32>
  return %0 : tensor<1x3x2x6xf32>
}

// -----

func.func @gs_mode(%a0: tensor<1x3x4x5xf32>, %a1: tensor<1x2x6x2xf32>) -> tensor<1x3x2x6xf32> {
  // expected-error @+1 {{unknown mode 'area' (bilinear, nearest or bicubic)}}
  %0 = edge.GridSample %a0, %a1 {align_corners = 0 : i64, mode = "area", padding_mode = "zeros"} : (tensor<1x3x4x5xf32>, tensor<1x2x6x2xf32>) -> tensor<1x3x2x6xf32>
  return %0 : tensor<1x3x2x6xf32>
}

// -----

func.func @gs_padding(%a0: tensor<1x3x4x5xf32>, %a1: tensor<1x2x6x2xf32>) -> tensor<1x3x2x6xf32> {
  // expected-error @+1 {{unknown padding_mode 'wrap' (zeros, border or reflection)}}
  %0 = edge.GridSample %a0, %a1 {align_corners = 0 : i64, mode = "bilinear", padding_mode = "wrap"} : (tensor<1x3x4x5xf32>, tensor<1x2x6x2xf32>) -> tensor<1x3x2x6xf32>
  return %0 : tensor<1x3x2x6xf32>
}

// -----

func.func @gs_align(%a0: tensor<1x3x4x5xf32>, %a1: tensor<1x2x6x2xf32>) -> tensor<1x3x2x6xf32> {
  // expected-error @+1 {{align_corners must be 0 or 1}}
  %0 = edge.GridSample %a0, %a1 {align_corners = 2 : i64, mode = "bilinear", padding_mode = "zeros"} : (tensor<1x3x4x5xf32>, tensor<1x2x6x2xf32>) -> tensor<1x3x2x6xf32>
  return %0 : tensor<1x3x2x6xf32>
}

// -----

func.func @gs_result(%a0: tensor<1x3x4x5xf32>, %a1: tensor<1x2x6x2xf32>) -> tensor<1x3x6x2xf32> {
  // expected-error @+1 {{result shape [1,3,6,2] should be [1,3,2,6]}}
  %0 = edge.GridSample %a0, %a1 {align_corners = 0 : i64, mode = "bilinear", padding_mode = "zeros"} : (tensor<1x3x4x5xf32>, tensor<1x2x6x2xf32>) -> tensor<1x3x6x2xf32>
  return %0 : tensor<1x3x6x2xf32>
}

// -----

func.func @in_rank(%a0: tensor<2x3xf32>, %a1: tensor<3xf32>, %a2: tensor<3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{input must have rank >= 3 (N, C, spatial...)}}
  %0 = edge.InstanceNormalization %a0, %a1, %a2 {epsilon = 1.0e-5 : f32} : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @in_element(%a0: tensor<2x3x4xf32>, %a1: tensor<3xf16>, %a2: tensor<3xf32>) -> tensor<2x3x4xf32> {
  // expected-error @+1 {{operand element type 'f16' differs from the result's 'f32'}}
  %0 = edge.InstanceNormalization %a0, %a1, %a2 {epsilon = 1.0e-5 : f32} : (tensor<2x3x4xf32>, tensor<3xf16>, tensor<3xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

func.func @in_scale(%a0: tensor<2x3x4xf32>, %a1: tensor<3xf32>, %a2: tensor<4xf32>) -> tensor<2x3x4xf32> {
  // expected-error @+1 {{scale and bias must have shape [3]}}
  %0 = edge.InstanceNormalization %a0, %a1, %a2 {epsilon = 1.0e-5 : f32} : (tensor<2x3x4xf32>, tensor<3xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

func.func @in_result(%a0: tensor<2x3x4xf32>, %a1: tensor<3xf32>, %a2: tensor<3xf32>) -> tensor<2x3x5xf32> {
  // expected-error @+1 {{result type must match the input type}}
  %0 = edge.InstanceNormalization %a0, %a1, %a2 {epsilon = 1.0e-5 : f32} : (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// -----

func.func @in_epsilon(%a0: tensor<2x3x4xf32>, %a1: tensor<3xf32>, %a2: tensor<3xf32>) -> tensor<2x3x4xf32> {
  // expected-error @+1 {{epsilon must be >= 0}}
  %0 = edge.InstanceNormalization %a0, %a1, %a2 {epsilon = -1.0 : f32} : (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

func.func @lrn_rank(%a0: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{input must have rank >= 3 (N, C, spatial...)}}
  %0 = edge.LRN %a0 {alpha = 1.0e-4 : f32, beta = 0.75 : f32, bias = 1.0 : f32, size = 3 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @lrn_result(%a0: tensor<2x3x4xf32>) -> tensor<2x3x4xf64> {
  // expected-error @+1 {{result type must match the input type}}
  %0 = edge.LRN %a0 {alpha = 1.0e-4 : f32, beta = 0.75 : f32, bias = 1.0 : f32, size = 3 : i64} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf64>
  return %0 : tensor<2x3x4xf64>
}

// -----

func.func @lrn_size(%a0: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  // expected-error @+1 {{size must be >= 1, got 0}}
  %0 = edge.LRN %a0 {alpha = 1.0e-4 : f32, beta = 0.75 : f32, bias = 1.0 : f32, size = 0 : i64} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

func.func @roi_rank(%a0: tensor<1x3x4xf32>, %a1: tensor<2x4xf32>, %a2: tensor<2xi64>) -> tensor<2x3x1x1xf32> {
  // expected-error @+1 {{input must have rank 4 (N, C, H, W)}}
  %0 = edge.RoiAlign %a0, %a1, %a2 {coordinate_transformation_mode = "half_pixel", mode = "avg", output_height = 1 : i64, output_width = 1 : i64, sampling_ratio = 0 : i64, spatial_scale = 1.0 : f32} : (tensor<1x3x4xf32>, tensor<2x4xf32>, tensor<2xi64>) -> tensor<2x3x1x1xf32>
  return %0 : tensor<2x3x1x1xf32>
}

// -----

func.func @roi_rois(%a0: tensor<1x3x4x4xf32>, %a1: tensor<2x5xf32>, %a2: tensor<2xi64>) -> tensor<2x3x1x1xf32> {
  // expected-error @+1 {{rois [2,5] must be [R, 4]}}
  %0 = edge.RoiAlign %a0, %a1, %a2 {coordinate_transformation_mode = "half_pixel", mode = "avg", output_height = 1 : i64, output_width = 1 : i64, sampling_ratio = 0 : i64, spatial_scale = 1.0 : f32} : (tensor<1x3x4x4xf32>, tensor<2x5xf32>, tensor<2xi64>) -> tensor<2x3x1x1xf32>
  return %0 : tensor<2x3x1x1xf32>
}

// -----

func.func @roi_indices(%a0: tensor<1x3x4x4xf32>, %a1: tensor<2x4xf32>, %a2: tensor<3xi64>) -> tensor<2x3x1x1xf32> {
  // expected-error @+1 {{batch_indices [3] must be [2]}}
  %0 = edge.RoiAlign %a0, %a1, %a2 {coordinate_transformation_mode = "half_pixel", mode = "avg", output_height = 1 : i64, output_width = 1 : i64, sampling_ratio = 0 : i64, spatial_scale = 1.0 : f32} : (tensor<1x3x4x4xf32>, tensor<2x4xf32>, tensor<3xi64>) -> tensor<2x3x1x1xf32>
  return %0 : tensor<2x3x1x1xf32>
}

// -----

func.func @roi_element(%a0: tensor<1x3x4x4xf32>, %a1: tensor<2x4xf64>, %a2: tensor<2xi64>) -> tensor<2x3x1x1xf32> {
  // expected-error @+1 {{input, rois and result must have one element type}}
  %0 = edge.RoiAlign %a0, %a1, %a2 {coordinate_transformation_mode = "half_pixel", mode = "avg", output_height = 1 : i64, output_width = 1 : i64, sampling_ratio = 0 : i64, spatial_scale = 1.0 : f32} : (tensor<1x3x4x4xf32>, tensor<2x4xf64>, tensor<2xi64>) -> tensor<2x3x1x1xf32>
  return %0 : tensor<2x3x1x1xf32>
}

// -----

func.func @roi_mode(%a0: tensor<1x3x4x4xf32>, %a1: tensor<2x4xf32>, %a2: tensor<2xi64>) -> tensor<2x3x1x1xf32> {
  // expected-error @+1 {{unknown mode 'sum' (avg or max)}}
  %0 = edge.RoiAlign %a0, %a1, %a2 {coordinate_transformation_mode = "half_pixel", mode = "sum", output_height = 1 : i64, output_width = 1 : i64, sampling_ratio = 0 : i64, spatial_scale = 1.0 : f32} : (tensor<1x3x4x4xf32>, tensor<2x4xf32>, tensor<2xi64>) -> tensor<2x3x1x1xf32>
  return %0 : tensor<2x3x1x1xf32>
}

// -----

func.func @roi_coordinates(%a0: tensor<1x3x4x4xf32>, %a1: tensor<2x4xf32>, %a2: tensor<2xi64>) -> tensor<2x3x1x1xf32> {
  // expected-error @+1 {{unknown coordinate_transformation_mode 'asymmetric' (half_pixel or output_half_pixel)}}
  %0 = edge.RoiAlign %a0, %a1, %a2 {coordinate_transformation_mode = "asymmetric", mode = "avg", output_height = 1 : i64, output_width = 1 : i64, sampling_ratio = 0 : i64, spatial_scale = 1.0 : f32} : (tensor<1x3x4x4xf32>, tensor<2x4xf32>, tensor<2xi64>) -> tensor<2x3x1x1xf32>
  return %0 : tensor<2x3x1x1xf32>
}

// -----

func.func @roi_output_size(%a0: tensor<1x3x4x4xf32>, %a1: tensor<2x4xf32>, %a2: tensor<2xi64>) -> tensor<2x3x0x1xf32> {
  // expected-error @+1 {{output_height and output_width must be >= 1}}
  %0 = edge.RoiAlign %a0, %a1, %a2 {coordinate_transformation_mode = "half_pixel", mode = "avg", output_height = 0 : i64, output_width = 1 : i64, sampling_ratio = 0 : i64, spatial_scale = 1.0 : f32} : (tensor<1x3x4x4xf32>, tensor<2x4xf32>, tensor<2xi64>) -> tensor<2x3x0x1xf32>
  return %0 : tensor<2x3x0x1xf32>
}

// -----

func.func @roi_ratio(%a0: tensor<1x3x4x4xf32>, %a1: tensor<2x4xf32>, %a2: tensor<2xi64>) -> tensor<2x3x1x1xf32> {
  // expected-error @+1 {{sampling_ratio must be >= 0}}
  %0 = edge.RoiAlign %a0, %a1, %a2 {coordinate_transformation_mode = "half_pixel", mode = "avg", output_height = 1 : i64, output_width = 1 : i64, sampling_ratio = -1 : i64, spatial_scale = 1.0 : f32} : (tensor<1x3x4x4xf32>, tensor<2x4xf32>, tensor<2xi64>) -> tensor<2x3x1x1xf32>
  return %0 : tensor<2x3x1x1xf32>
}

// -----

func.func @roi_result(%a0: tensor<1x3x4x4xf32>, %a1: tensor<2x4xf32>, %a2: tensor<2xi64>) -> tensor<2x3x2x1xf32> {
  // expected-error @+1 {{result shape [2,3,2,1] should be [2,3,1,1]}}
  %0 = edge.RoiAlign %a0, %a1, %a2 {coordinate_transformation_mode = "half_pixel", mode = "avg", output_height = 1 : i64, output_width = 1 : i64, sampling_ratio = 0 : i64, spatial_scale = 1.0 : f32} : (tensor<1x3x4x4xf32>, tensor<2x4xf32>, tensor<2xi64>) -> tensor<2x3x2x1xf32>
  return %0 : tensor<2x3x2x1xf32>
}

// -----

func.func @unpool_rank(%a0: tensor<1x3x2x2xf32>, %a1: tensor<1x3x2x2xi64>) -> tensor<1x3x4xf32> {
  // expected-error @+1 {{input and result must have the same rank >= 3 (N, C, spatial...)}}
  %0 = edge.MaxUnpool %a0, %a1 : (tensor<1x3x2x2xf32>, tensor<1x3x2x2xi64>) -> tensor<1x3x4xf32>
  return %0 : tensor<1x3x4xf32>
}

// -----

func.func @unpool_indices(%a0: tensor<1x3x2x2xf32>, %a1: tensor<1x3x2x1xi64>) -> tensor<1x3x4x4xf32> {
  // expected-error @+1 {{indices must have the input's shape}}
  %0 = edge.MaxUnpool %a0, %a1 : (tensor<1x3x2x2xf32>, tensor<1x3x2x1xi64>) -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

// -----

func.func @unpool_element(%a0: tensor<1x3x2x2xf32>, %a1: tensor<1x3x2x2xi64>) -> tensor<1x3x4x4xi32> {
  // expected-error @+1 {{result element type must match the input's}}
  %0 = edge.MaxUnpool %a0, %a1 : (tensor<1x3x2x2xf32>, tensor<1x3x2x2xi64>) -> tensor<1x3x4x4xi32>
  return %0 : tensor<1x3x4x4xi32>
}

// -----

func.func @unpool_channels(%a0: tensor<1x3x2x2xf32>, %a1: tensor<1x3x2x2xi64>) -> tensor<1x2x4x4xf32> {
  // expected-error @+1 {{result N and C must be the input's}}
  %0 = edge.MaxUnpool %a0, %a1 : (tensor<1x3x2x2xf32>, tensor<1x3x2x2xi64>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}
