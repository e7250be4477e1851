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
