// RUN: edgec-opt %s -split-input-file -verify-diagnostics
//
// One case per error path of edge.SqueezeExcitation's verifier (FusedOps.cpp).

func.func @ok(%x: tensor<1x8x5x5xf32>, %w1: tensor<2x8x1x1xf32>, %b1: tensor<2xf32>, %w2: tensor<8x2x1x1xf32>, %b2: tensor<8xf32>) -> tensor<1x8x5x5xf32> {
  %0 = edge.SqueezeExcitation %x, %w1, %b1, %w2, %b2 {activation = "Relu", gate = "HardSigmoid"} : (tensor<1x8x5x5xf32>, tensor<2x8x1x1xf32>, tensor<2xf32>, tensor<8x2x1x1xf32>, tensor<8xf32>) -> tensor<1x8x5x5xf32>
  return %0 : tensor<1x8x5x5xf32>
}

// -----

func.func @not_f32(%x: tensor<1x8x5x5xf16>, %w1: tensor<2x8x1x1xf32>, %b1: tensor<2xf32>, %w2: tensor<8x2x1x1xf32>, %b2: tensor<8xf32>) -> tensor<1x8x5x5xf16> {
  // expected-error @+1 {{operands must be f32}}
  %0 = edge.SqueezeExcitation %x, %w1, %b1, %w2, %b2 : (tensor<1x8x5x5xf16>, tensor<2x8x1x1xf32>, tensor<2xf32>, tensor<8x2x1x1xf32>, tensor<8xf32>) -> tensor<1x8x5x5xf16>
  return %0 : tensor<1x8x5x5xf16>
}

// -----

func.func @result_type(%x: tensor<1x8x5x5xf32>, %w1: tensor<2x8x1x1xf32>, %b1: tensor<2xf32>, %w2: tensor<8x2x1x1xf32>, %b2: tensor<8xf32>) -> tensor<1x8x1x1xf32> {
  // expected-error @+1 {{result must have the input's type}}
  %0 = edge.SqueezeExcitation %x, %w1, %b1, %w2, %b2 : (tensor<1x8x5x5xf32>, tensor<2x8x1x1xf32>, tensor<2xf32>, tensor<8x2x1x1xf32>, tensor<8xf32>) -> tensor<1x8x1x1xf32>
  return %0 : tensor<1x8x1x1xf32>
}

// -----

func.func @rank(%x: tensor<8x5xf32>, %w1: tensor<2x8xf32>, %b1: tensor<2xf32>, %w2: tensor<8x2xf32>, %b2: tensor<8xf32>) -> tensor<8x5xf32> {
  // expected-error @+1 {{input must be [N, C, D...], got [8,5]}}
  %0 = edge.SqueezeExcitation %x, %w1, %b1, %w2, %b2 : (tensor<8x5xf32>, tensor<2x8xf32>, tensor<2xf32>, tensor<8x2xf32>, tensor<8xf32>) -> tensor<8x5xf32>
  return %0 : tensor<8x5xf32>
}

// -----

func.func @reduce_weight(%x: tensor<1x8x5x5xf32>, %w1: tensor<2x8x3x3xf32>, %b1: tensor<2xf32>, %w2: tensor<8x2x1x1xf32>, %b2: tensor<8xf32>) -> tensor<1x8x5x5xf32> {
  // expected-error @+1 {{reduce_weight must be [C1, 8, 1...] (rank 4), got [2,8,3,3]}}
  %0 = edge.SqueezeExcitation %x, %w1, %b1, %w2, %b2 : (tensor<1x8x5x5xf32>, tensor<2x8x3x3xf32>, tensor<2xf32>, tensor<8x2x1x1xf32>, tensor<8xf32>) -> tensor<1x8x5x5xf32>
  return %0 : tensor<1x8x5x5xf32>
}

// -----

func.func @expand_weight(%x: tensor<1x8x5x5xf32>, %w1: tensor<2x8x1x1xf32>, %b1: tensor<2xf32>, %w2: tensor<8x3x1x1xf32>, %b2: tensor<8xf32>) -> tensor<1x8x5x5xf32> {
  // expected-error @+1 {{expand_weight must be [8, 2, 1...], got [8,3,1,1]}}
  %0 = edge.SqueezeExcitation %x, %w1, %b1, %w2, %b2 : (tensor<1x8x5x5xf32>, tensor<2x8x1x1xf32>, tensor<2xf32>, tensor<8x3x1x1xf32>, tensor<8xf32>) -> tensor<1x8x5x5xf32>
  return %0 : tensor<1x8x5x5xf32>
}

// -----

func.func @reduce_bias(%x: tensor<1x8x5x5xf32>, %w1: tensor<2x8x1x1xf32>, %b1: tensor<8xf32>, %w2: tensor<8x2x1x1xf32>, %b2: tensor<8xf32>) -> tensor<1x8x5x5xf32> {
  // expected-error @+1 {{reduce_bias must be [2], got [8]}}
  %0 = edge.SqueezeExcitation %x, %w1, %b1, %w2, %b2 : (tensor<1x8x5x5xf32>, tensor<2x8x1x1xf32>, tensor<8xf32>, tensor<8x2x1x1xf32>, tensor<8xf32>) -> tensor<1x8x5x5xf32>
  return %0 : tensor<1x8x5x5xf32>
}

// -----

func.func @expand_bias(%x: tensor<1x8x5x5xf32>, %w1: tensor<2x8x1x1xf32>, %b1: tensor<2xf32>, %w2: tensor<8x2x1x1xf32>, %b2: tensor<2xf32>) -> tensor<1x8x5x5xf32> {
  // expected-error @+1 {{expand_bias must be [8], got [2]}}
  %0 = edge.SqueezeExcitation %x, %w1, %b1, %w2, %b2 : (tensor<1x8x5x5xf32>, tensor<2x8x1x1xf32>, tensor<2xf32>, tensor<8x2x1x1xf32>, tensor<2xf32>) -> tensor<1x8x5x5xf32>
  return %0 : tensor<1x8x5x5xf32>
}

// -----

func.func @activation(%x: tensor<1x8x5x5xf32>, %w1: tensor<2x8x1x1xf32>, %b1: tensor<2xf32>, %w2: tensor<8x2x1x1xf32>, %b2: tensor<8xf32>) -> tensor<1x8x5x5xf32> {
  // expected-error @+1 {{activation must be "", Relu, Clip, Sigmoid, Silu or HardSwish, got 'Tanh'}}
  %0 = edge.SqueezeExcitation %x, %w1, %b1, %w2, %b2 {activation = "Tanh"} : (tensor<1x8x5x5xf32>, tensor<2x8x1x1xf32>, tensor<2xf32>, tensor<8x2x1x1xf32>, tensor<8xf32>) -> tensor<1x8x5x5xf32>
  return %0 : tensor<1x8x5x5xf32>
}

// -----

func.func @gate(%x: tensor<1x8x5x5xf32>, %w1: tensor<2x8x1x1xf32>, %b1: tensor<2xf32>, %w2: tensor<8x2x1x1xf32>, %b2: tensor<8xf32>) -> tensor<1x8x5x5xf32> {
  // expected-error @+1 {{gate must be Sigmoid or HardSigmoid, got 'Relu'}}
  %0 = edge.SqueezeExcitation %x, %w1, %b1, %w2, %b2 {gate = "Relu"} : (tensor<1x8x5x5xf32>, tensor<2x8x1x1xf32>, tensor<2xf32>, tensor<8x2x1x1xf32>, tensor<8xf32>) -> tensor<1x8x5x5xf32>
  return %0 : tensor<1x8x5x5xf32>
}
