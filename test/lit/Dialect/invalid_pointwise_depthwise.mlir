// RUN: edgec-opt %s -split-input-file -verify-diagnostics
//
// One case per error path of edge.PointwiseDepthwiseConv's verifier (FusedOps.cpp).

func.func @ok(%x: tensor<1x4x8x8xf32>, %w1: tensor<8x4x1x1xf32>, %b1: tensor<8xf32>, %w2: tensor<8x1x3x3xf32>, %b2: tensor<8xf32>) -> tensor<1x8x4x4xf32> {
  %0 = edge.PointwiseDepthwiseConv %x, %w1, %b1, %w2, %b2 {pointwise_activation = "Silu", activation = "Clip", act_max = 6.0 : f32, dilations = array<i64: 1, 1>, group = 8 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>, tensor<8x4x1x1xf32>, tensor<8xf32>, tensor<8x1x3x3xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
  return %0 : tensor<1x8x4x4xf32>
}

// -----

func.func @not_f32(%x: tensor<1x4x8x8xf16>, %w1: tensor<8x4x1x1xf32>, %b1: tensor<8xf32>, %w2: tensor<8x1x3x3xf32>, %b2: tensor<8xf32>) -> tensor<1x8x8x8xf32> {
  // expected-error @+1 {{operands must be f32, or all quantized}}
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

// Quantized (static INT8): e's parameters are expanded_scale / expanded_zero_point, and the
// biases' scales are each part's input scale times its weight's.

// -----

func.func @ok_quantized(%x: tensor<1x4x8x8x!quant.uniform<i8:f32, 2.000000e-02:-128>>, %w1: tensor<8x4x1x1x!quant.uniform<i8:f32, 1.000000e-02>>, %b1: tensor<8x!quant.uniform<i32:f32, 2.000000e-04>>, %w2: tensor<8x1x3x3x!quant.uniform<i8:f32, 1.000000e-01>>, %b2: tensor<8x!quant.uniform<i32:f32, 5.000000e-03>>) -> tensor<1x8x4x4x!quant.uniform<i8:f32, 4.000000e-02:-128>> {
  %0 = edge.PointwiseDepthwiseConv %x, %w1, %b1, %w2, %b2 {dilations = array<i64: 1, 1>, group = 8 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>, activation = "Clip", act_max = 6.0 : f32, pointwise_activation = "Clip", pointwise_act_max = 6.0 : f32, expanded_scale = 5.000000e-02 : f32, expanded_zero_point = -128 : i64} : (tensor<1x4x8x8x!quant.uniform<i8:f32, 2.000000e-02:-128>>, tensor<8x4x1x1x!quant.uniform<i8:f32, 1.000000e-02>>, tensor<8x!quant.uniform<i32:f32, 2.000000e-04>>, tensor<8x1x3x3x!quant.uniform<i8:f32, 1.000000e-01>>, tensor<8x!quant.uniform<i32:f32, 5.000000e-03>>) -> tensor<1x8x4x4x!quant.uniform<i8:f32, 4.000000e-02:-128>>
  return %0 : tensor<1x8x4x4x!quant.uniform<i8:f32, 4.000000e-02:-128>>
}

// -----

func.func @quantized_without_e(%x: tensor<1x4x8x8x!quant.uniform<i8:f32, 2.000000e-02:-128>>, %w1: tensor<8x4x1x1x!quant.uniform<i8:f32, 1.000000e-02>>, %b1: tensor<8x!quant.uniform<i32:f32, 2.000000e-04>>, %w2: tensor<8x1x3x3x!quant.uniform<i8:f32, 1.000000e-01>>, %b2: tensor<8x!quant.uniform<i32:f32, 5.000000e-03>>) -> tensor<1x8x4x4x!quant.uniform<i8:f32, 4.000000e-02:-128>> {
  // expected-error @+1 {{a quantized op needs expanded_scale and expanded_zero_point}}
  %0 = edge.PointwiseDepthwiseConv %x, %w1, %b1, %w2, %b2 {dilations = array<i64: 1, 1>, group = 8 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x4x8x8x!quant.uniform<i8:f32, 2.000000e-02:-128>>, tensor<8x4x1x1x!quant.uniform<i8:f32, 1.000000e-02>>, tensor<8x!quant.uniform<i32:f32, 2.000000e-04>>, tensor<8x1x3x3x!quant.uniform<i8:f32, 1.000000e-01>>, tensor<8x!quant.uniform<i32:f32, 5.000000e-03>>) -> tensor<1x8x4x4x!quant.uniform<i8:f32, 4.000000e-02:-128>>
  return %0 : tensor<1x8x4x4x!quant.uniform<i8:f32, 4.000000e-02:-128>>
}

// -----

func.func @quantized_e_zero_point(%x: tensor<1x4x8x8x!quant.uniform<i8:f32, 2.000000e-02:-128>>, %w1: tensor<8x4x1x1x!quant.uniform<i8:f32, 1.000000e-02>>, %b1: tensor<8x!quant.uniform<i32:f32, 2.000000e-04>>, %w2: tensor<8x1x3x3x!quant.uniform<i8:f32, 1.000000e-01>>, %b2: tensor<8x!quant.uniform<i32:f32, 5.000000e-03>>) -> tensor<1x8x4x4x!quant.uniform<i8:f32, 4.000000e-02:-128>> {
  // expected-error @+1 {{expanded_zero_point 200 is outside the result's storage range}}
  %0 = edge.PointwiseDepthwiseConv %x, %w1, %b1, %w2, %b2 {dilations = array<i64: 1, 1>, group = 8 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>, expanded_scale = 5.000000e-02 : f32, expanded_zero_point = 200 : i64} : (tensor<1x4x8x8x!quant.uniform<i8:f32, 2.000000e-02:-128>>, tensor<8x4x1x1x!quant.uniform<i8:f32, 1.000000e-02>>, tensor<8x!quant.uniform<i32:f32, 2.000000e-04>>, tensor<8x1x3x3x!quant.uniform<i8:f32, 1.000000e-01>>, tensor<8x!quant.uniform<i32:f32, 5.000000e-03>>) -> tensor<1x8x4x4x!quant.uniform<i8:f32, 4.000000e-02:-128>>
  return %0 : tensor<1x8x4x4x!quant.uniform<i8:f32, 4.000000e-02:-128>>
}

// -----

func.func @quantized_depthwise_bias_scale(%x: tensor<1x4x8x8x!quant.uniform<i8:f32, 2.000000e-02:-128>>, %w1: tensor<8x4x1x1x!quant.uniform<i8:f32, 1.000000e-02>>, %b1: tensor<8x!quant.uniform<i32:f32, 2.000000e-04>>, %w2: tensor<8x1x3x3x!quant.uniform<i8:f32, 1.000000e-01>>, %b2: tensor<8x!quant.uniform<i32:f32, 5.000000e-03>>) -> tensor<1x8x4x4x!quant.uniform<i8:f32, 4.000000e-02:-128>> {
  // expected-error @+1 {{quantized depthwise_bias scale 5.000000e-03 must be the e scale times the depthwise_weight scale (8.000000e-02 * 1.000000e-01}}
  %0 = edge.PointwiseDepthwiseConv %x, %w1, %b1, %w2, %b2 {dilations = array<i64: 1, 1>, group = 8 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>, expanded_scale = 8.000000e-02 : f32, expanded_zero_point = 0 : i64} : (tensor<1x4x8x8x!quant.uniform<i8:f32, 2.000000e-02:-128>>, tensor<8x4x1x1x!quant.uniform<i8:f32, 1.000000e-02>>, tensor<8x!quant.uniform<i32:f32, 2.000000e-04>>, tensor<8x1x3x3x!quant.uniform<i8:f32, 1.000000e-01>>, tensor<8x!quant.uniform<i32:f32, 5.000000e-03>>) -> tensor<1x8x4x4x!quant.uniform<i8:f32, 4.000000e-02:-128>>
  return %0 : tensor<1x8x4x4x!quant.uniform<i8:f32, 4.000000e-02:-128>>
}

// -----

func.func @quantized_silu(%x: tensor<1x4x8x8x!quant.uniform<i8:f32, 2.000000e-02:-128>>, %w1: tensor<8x4x1x1x!quant.uniform<i8:f32, 1.000000e-02>>, %b1: tensor<8x!quant.uniform<i32:f32, 2.000000e-04>>, %w2: tensor<8x1x3x3x!quant.uniform<i8:f32, 1.000000e-01>>, %b2: tensor<8x!quant.uniform<i32:f32, 5.000000e-03>>) -> tensor<1x8x4x4x!quant.uniform<i8:f32, 4.000000e-02:-128>> {
  // expected-error @+1 {{a quantized op's activations are clamps}}
  %0 = edge.PointwiseDepthwiseConv %x, %w1, %b1, %w2, %b2 {dilations = array<i64: 1, 1>, group = 8 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>, activation = "Silu", expanded_scale = 5.000000e-02 : f32, expanded_zero_point = -128 : i64} : (tensor<1x4x8x8x!quant.uniform<i8:f32, 2.000000e-02:-128>>, tensor<8x4x1x1x!quant.uniform<i8:f32, 1.000000e-02>>, tensor<8x!quant.uniform<i32:f32, 2.000000e-04>>, tensor<8x1x3x3x!quant.uniform<i8:f32, 1.000000e-01>>, tensor<8x!quant.uniform<i32:f32, 5.000000e-03>>) -> tensor<1x8x4x4x!quant.uniform<i8:f32, 4.000000e-02:-128>>
  return %0 : tensor<1x8x4x4x!quant.uniform<i8:f32, 4.000000e-02:-128>>
}

// -----

func.func @quantized_float_input(%x: tensor<1x4x8x8xf32>, %w1: tensor<8x4x1x1x!quant.uniform<i8:f32, 1.000000e-02>>, %b1: tensor<8x!quant.uniform<i32:f32, 2.000000e-04>>, %w2: tensor<8x1x3x3x!quant.uniform<i8:f32, 1.000000e-01>>, %b2: tensor<8x!quant.uniform<i32:f32, 5.000000e-03>>) -> tensor<1x8x4x4x!quant.uniform<i8:f32, 4.000000e-02:-128>> {
  // expected-error @+1 {{input, pointwise_weight, pointwise_bias and e must all be quantized or all be non-quantized}}
  %0 = edge.PointwiseDepthwiseConv %x, %w1, %b1, %w2, %b2 {dilations = array<i64: 1, 1>, group = 8 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>, expanded_scale = 5.000000e-02 : f32, expanded_zero_point = -128 : i64} : (tensor<1x4x8x8xf32>, tensor<8x4x1x1x!quant.uniform<i8:f32, 1.000000e-02>>, tensor<8x!quant.uniform<i32:f32, 2.000000e-04>>, tensor<8x1x3x3x!quant.uniform<i8:f32, 1.000000e-01>>, tensor<8x!quant.uniform<i32:f32, 5.000000e-03>>) -> tensor<1x8x4x4x!quant.uniform<i8:f32, 4.000000e-02:-128>>
  return %0 : tensor<1x8x4x4x!quant.uniform<i8:f32, 4.000000e-02:-128>>
}

// -----

func.func @float_with_e(%x: tensor<1x4x8x8xf32>, %w1: tensor<8x4x1x1xf32>, %b1: tensor<8xf32>, %w2: tensor<8x1x3x3xf32>, %b2: tensor<8xf32>) -> tensor<1x8x4x4xf32> {
  // expected-error @+1 {{expanded_scale and expanded_zero_point are for a quantized op}}
  %0 = edge.PointwiseDepthwiseConv %x, %w1, %b1, %w2, %b2 {dilations = array<i64: 1, 1>, group = 8 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>, expanded_scale = 5.000000e-02 : f32, expanded_zero_point = 0 : i64} : (tensor<1x4x8x8xf32>, tensor<8x4x1x1xf32>, tensor<8xf32>, tensor<8x1x3x3xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
  return %0 : tensor<1x8x4x4xf32>
}
