// RUN: edgec-opt %s -split-input-file -verify-diagnostics
//
// One case per error path of edge.PointwiseDepthwiseConv's verifier (FusedOps.cpp).

func.func @ok(%x: tensor<1x4x8x8xf32>, %w1: tensor<8x4x1x1xf32>, %b1: tensor<8xf32>, %w2: tensor<8x1x3x3xf32>, %b2: tensor<8xf32>) -> tensor<1x8x4x4xf32> {
  %0 = edge.PointwiseDepthwiseConv %x, %w1, %b1, %w2, %b2 {pointwise_activation = "Silu", activation = "Clip", act_max = 6.0 : f32, dilations = array<i64: 1, 1>, group = 8 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>, tensor<8x4x1x1xf32>, tensor<8xf32>, tensor<8x1x3x3xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
  return %0 : tensor<1x8x4x4xf32>
}

// -----

func.func @not_f32(%x: tensor<1x4x8x8xf16>, %w1: tensor<8x4x1x1xf32>, %b1: tensor<8xf32>, %w2: tensor<8x1x3x3xf32>, %b2: tensor<8xf32>) -> tensor<1x8x8x8xf32> {
  // expected-error @+1 {{operands must be f32 with static shapes}}
  %0 = edge.PointwiseDepthwiseConv %x, %w1, %b1, %w2, %b2 {dilations = array<i64: 1, 1>, group = 8 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf16>, tensor<8x4x1x1xf32>, tensor<8xf32>, tensor<8x1x3x3xf32>, tensor<8xf32>) -> tensor<1x8x8x8xf32>
  return %0 : tensor<1x8x8x8xf32>
}

// -----

func.func @pointwise_weight(%x: tensor<1x4x8x8xf32>, %w1: tensor<8x4x3x3xf32>, %b1: tensor<8xf32>, %w2: tensor<8x1x3x3xf32>, %b2: tensor<8xf32>) -> tensor<1x8x8x8xf32> {
  // expected-error @+1 {{pointwise_weight must be [M, 4, 1, 1], got [8,4,3,3]}}
  %0 = edge.PointwiseDepthwiseConv %x, %w1, %b1, %w2, %b2 {dilations = array<i64: 1, 1>, group = 8 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, tensor<8xf32>, tensor<8x1x3x3xf32>, tensor<8xf32>) -> tensor<1x8x8x8xf32>
  return %0 : tensor<1x8x8x8xf32>
}

// -----

func.func @depthwise_weight(%x: tensor<1x4x8x8xf32>, %w1: tensor<8x4x1x1xf32>, %b1: tensor<8xf32>, %w2: tensor<8x2x3x3xf32>, %b2: tensor<8xf32>) -> tensor<1x8x8x8xf32> {
  // expected-error @+1 {{depthwise_weight must be [8, 1, kH, kW], got [8,2,3,3]}}
  %0 = edge.PointwiseDepthwiseConv %x, %w1, %b1, %w2, %b2 {dilations = array<i64: 1, 1>, group = 8 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x1x1xf32>, tensor<8xf32>, tensor<8x2x3x3xf32>, tensor<8xf32>) -> tensor<1x8x8x8xf32>
  return %0 : tensor<1x8x8x8xf32>
}

// -----

func.func @group(%x: tensor<1x4x8x8xf32>, %w1: tensor<8x4x1x1xf32>, %b1: tensor<8xf32>, %w2: tensor<8x1x3x3xf32>, %b2: tensor<8xf32>) -> tensor<1x8x8x8xf32> {
  // expected-error @+1 {{group must be 8 (depthwise), got 1}}
  %0 = edge.PointwiseDepthwiseConv %x, %w1, %b1, %w2, %b2 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x1x1xf32>, tensor<8xf32>, tensor<8x1x3x3xf32>, tensor<8xf32>) -> tensor<1x8x8x8xf32>
  return %0 : tensor<1x8x8x8xf32>
}

// -----

func.func @bias(%x: tensor<1x4x8x8xf32>, %w1: tensor<8x4x1x1xf32>, %b1: tensor<4xf32>, %w2: tensor<8x1x3x3xf32>, %b2: tensor<8xf32>) -> tensor<1x8x8x8xf32> {
  // expected-error @+1 {{biases must be [8], got [4]}}
  %0 = edge.PointwiseDepthwiseConv %x, %w1, %b1, %w2, %b2 {dilations = array<i64: 1, 1>, group = 8 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x1x1xf32>, tensor<4xf32>, tensor<8x1x3x3xf32>, tensor<8xf32>) -> tensor<1x8x8x8xf32>
  return %0 : tensor<1x8x8x8xf32>
}

// -----

func.func @result_shape(%x: tensor<1x4x8x8xf32>, %w1: tensor<8x4x1x1xf32>, %b1: tensor<8xf32>, %w2: tensor<8x1x3x3xf32>, %b2: tensor<8xf32>) -> tensor<1x8x8x8xf32> {
  // expected-error @+1 {{result must be [1,8,4,4], got [1,8,8,8]}}
  %0 = edge.PointwiseDepthwiseConv %x, %w1, %b1, %w2, %b2 {dilations = array<i64: 1, 1>, group = 8 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>, tensor<8x4x1x1xf32>, tensor<8xf32>, tensor<8x1x3x3xf32>, tensor<8xf32>) -> tensor<1x8x8x8xf32>
  return %0 : tensor<1x8x8x8xf32>
}

// -----

func.func @strides(%x: tensor<1x4x8x8xf32>, %w1: tensor<8x4x1x1xf32>, %b1: tensor<8xf32>, %w2: tensor<8x1x3x3xf32>, %b2: tensor<8xf32>) -> tensor<1x8x8x8xf32> {
  // expected-error @+1 {{strides and dilations need 2 values and pads 4}}
  %0 = edge.PointwiseDepthwiseConv %x, %w1, %b1, %w2, %b2 {dilations = array<i64: 1, 1>, group = 8 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x1x1xf32>, tensor<8xf32>, tensor<8x1x3x3xf32>, tensor<8xf32>) -> tensor<1x8x8x8xf32>
  return %0 : tensor<1x8x8x8xf32>
}

// -----

func.func @activation(%x: tensor<1x4x8x8xf32>, %w1: tensor<8x4x1x1xf32>, %b1: tensor<8xf32>, %w2: tensor<8x1x3x3xf32>, %b2: tensor<8xf32>) -> tensor<1x8x8x8xf32> {
  // expected-error @+1 {{activations must be "", Relu, Clip, Sigmoid, Silu or HardSwish, got 'Tanh'}}
  %0 = edge.PointwiseDepthwiseConv %x, %w1, %b1, %w2, %b2 {pointwise_activation = "Tanh", dilations = array<i64: 1, 1>, group = 8 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x1x1xf32>, tensor<8xf32>, tensor<8x1x3x3xf32>, tensor<8xf32>) -> tensor<1x8x8x8xf32>
  return %0 : tensor<1x8x8x8xf32>
}
