// RUN: edgec-opt %s -split-input-file -verify-diagnostics
//
// One case per error path of the DFT verifier (SignalOps.cpp).

func.func @dft_rank(%x: tensor<4x1xf32>) -> tensor<4x2xf32> {
  // expected-error @+1 {{input and result must have the same rank >= 3 (batch, signal..., 1 or 2)}}
  %0 = edge.DFT %x {axis = 1 : i64, dft_length = 4 : i64, inverse = 0 : i64, onesided = 0 : i64} : (tensor<4x1xf32>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

func.func @dft_last_dim(%x: tensor<1x4x3xf32>) -> tensor<1x4x2xf32> {
  // expected-error @+1 {{the input's last dim must be 1 (real) or 2 (complex), got 3}}
  %0 = edge.DFT %x {axis = 1 : i64, dft_length = 4 : i64, inverse = 0 : i64, onesided = 0 : i64} : (tensor<1x4x3xf32>) -> tensor<1x4x2xf32>
  return %0 : tensor<1x4x2xf32>
}

// -----

func.func @dft_element(%x: tensor<1x4x1xf32>) -> tensor<1x4x2xf64> {
  // expected-error @+1 {{result element type must match the input's}}
  %0 = edge.DFT %x {axis = 1 : i64, dft_length = 4 : i64, inverse = 0 : i64, onesided = 0 : i64} : (tensor<1x4x1xf32>) -> tensor<1x4x2xf64>
  return %0 : tensor<1x4x2xf64>
}

// -----

func.func @dft_axis(%x: tensor<1x4x1xf32>) -> tensor<1x4x2xf32> {
  // expected-error @+1 {{axis 2 must be a signal dim, in [1, 1]}}
  %0 = edge.DFT %x {axis = 2 : i64, dft_length = 4 : i64, inverse = 0 : i64, onesided = 0 : i64} : (tensor<1x4x1xf32>) -> tensor<1x4x2xf32>
  return %0 : tensor<1x4x2xf32>
}

// -----

func.func @dft_inverse(%x: tensor<1x4x1xf32>) -> tensor<1x4x2xf32> {
  // expected-error @+1 {{inverse must be 0 or 1}}
  %0 = edge.DFT %x {axis = 1 : i64, dft_length = 4 : i64, inverse = 2 : i64, onesided = 0 : i64} : (tensor<1x4x1xf32>) -> tensor<1x4x2xf32>
  return %0 : tensor<1x4x2xf32>
}

// -----

func.func @dft_onesided(%x: tensor<1x4x1xf32>) -> tensor<1x4x2xf32> {
  // expected-error @+1 {{onesided must be 0 or 1}}
  %0 = edge.DFT %x {axis = 1 : i64, dft_length = 4 : i64, inverse = 0 : i64, onesided = 3 : i64} : (tensor<1x4x1xf32>) -> tensor<1x4x2xf32>
  return %0 : tensor<1x4x2xf32>
}

// -----

func.func @dft_onesided_inverse(%x: tensor<1x4x2xf32>) -> tensor<1x3x2xf32> {
  // expected-error @+1 {{onesided is for the forward transform only}}
  %0 = edge.DFT %x {axis = 1 : i64, dft_length = 4 : i64, inverse = 1 : i64, onesided = 1 : i64} : (tensor<1x4x2xf32>) -> tensor<1x3x2xf32>
  return %0 : tensor<1x3x2xf32>
}

// -----

func.func @dft_length(%x: tensor<1x4x1xf32>) -> tensor<1x4x2xf32> {
  // expected-error @+1 {{dft_length must be >= 1, got 0}}
  %0 = edge.DFT %x {axis = 1 : i64, dft_length = 0 : i64, inverse = 0 : i64, onesided = 0 : i64} : (tensor<1x4x1xf32>) -> tensor<1x4x2xf32>
  return %0 : tensor<1x4x2xf32>
}

// -----

func.func @dft_result(%x: tensor<1x4x1xf32>) -> tensor<1x4x2xf32> {
  // expected-error @+1 {{result shape [1,4,2] should be [1,3,2]}}
  %0 = edge.DFT %x {axis = 1 : i64, dft_length = 4 : i64, inverse = 0 : i64, onesided = 1 : i64} : (tensor<1x4x1xf32>) -> tensor<1x4x2xf32>
  return %0 : tensor<1x4x2xf32>
}
