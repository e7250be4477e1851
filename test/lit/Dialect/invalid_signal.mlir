// RUN: edgec-opt %s -split-input-file -verify-diagnostics
//
// One case per error path of the DFT, STFT and MelWeightMatrix verifiers (SignalOps.cpp).

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

// -----
// STFT (SignalOps.cpp).

func.func @stft_signal(%x: tensor<4x1xf32>) -> tensor<1x3x3x2xf32> {
  // expected-error @+1 {{signal must be [batch, length, 1 or 2], got [4,1]}}
  %0 = edge.STFT %x {frame_step = 2 : i64, frame_length = 4 : i64, onesided = 1 : i64} : tensor<4x1xf32> -> tensor<1x3x3x2xf32>
  return %0 : tensor<1x3x3x2xf32>
}

// -----

func.func @stft_element(%x: tensor<1x8x1xf32>) -> tensor<1x3x3x2xf64> {
  // expected-error @+1 {{result element type must match the signal's}}
  %0 = edge.STFT %x {frame_step = 2 : i64, frame_length = 4 : i64, onesided = 1 : i64} : tensor<1x8x1xf32> -> tensor<1x3x3x2xf64>
  return %0 : tensor<1x3x3x2xf64>
}

// -----

func.func @stft_result_rank(%x: tensor<1x8x1xf32>) -> tensor<1x3x3xf32> {
  // expected-error @+1 {{result must be [1, frames, bins, 2], got [1,3,3]}}
  %0 = edge.STFT %x {frame_step = 2 : i64, frame_length = 4 : i64, onesided = 1 : i64} : tensor<1x8x1xf32> -> tensor<1x3x3xf32>
  return %0 : tensor<1x3x3xf32>
}

// -----

func.func @stft_no_step(%x: tensor<1x8x1xf32>) -> tensor<1x3x3x2xf32> {
  // expected-error @+1 {{frame_step must be given either as an attribute or as an operand}}
  %0 = edge.STFT %x {frame_length = 4 : i64, onesided = 1 : i64} : tensor<1x8x1xf32> -> tensor<1x3x3x2xf32>
  return %0 : tensor<1x3x3x2xf32>
}

// -----

func.func @stft_length_twice(%x: tensor<1x8x1xf32>, %l: tensor<i64>) -> tensor<1x3x3x2xf32> {
  // expected-error @+1 {{frame_length must be given either as an attribute or as an operand}}
  %0 = edge.STFT %x length %l : tensor<i64> {frame_step = 2 : i64, frame_length = 4 : i64, onesided = 1 : i64} : tensor<1x8x1xf32> -> tensor<1x3x3x2xf32>
  return %0 : tensor<1x3x3x2xf32>
}

// -----

func.func @stft_step_elements(%x: tensor<1x8x1xf32>, %s: tensor<2xi64>) -> tensor<1x3x3x2xf32> {
  // expected-error @+1 {{frame_step and frame_length operands must have one element, got [2]}}
  %0 = edge.STFT %x step %s : tensor<2xi64> {frame_length = 4 : i64, onesided = 1 : i64} : tensor<1x8x1xf32> -> tensor<1x3x3x2xf32>
  return %0 : tensor<1x3x3x2xf32>
}

// -----

func.func @stft_window_rank(%x: tensor<1x8x1xf32>, %w: tensor<2x2xf32>) -> tensor<1x3x3x2xf32> {
  // expected-error @+1 {{window must be [window_length >= 1], got [2,2]}}
  %0 = edge.STFT %x window %w : tensor<2x2xf32> {frame_step = 2 : i64, frame_length = 4 : i64, onesided = 1 : i64} : tensor<1x8x1xf32> -> tensor<1x3x3x2xf32>
  return %0 : tensor<1x3x3x2xf32>
}

// -----

func.func @stft_window_element(%x: tensor<1x8x1xf32>, %w: tensor<4xf64>) -> tensor<1x3x3x2xf32> {
  // expected-error @+1 {{window element type must match the signal's}}
  %0 = edge.STFT %x window %w : tensor<4xf64> {frame_step = 2 : i64, frame_length = 4 : i64, onesided = 1 : i64} : tensor<1x8x1xf32> -> tensor<1x3x3x2xf32>
  return %0 : tensor<1x3x3x2xf32>
}

// -----

func.func @stft_onesided(%x: tensor<1x8x1xf32>) -> tensor<1x3x3x2xf32> {
  // expected-error @+1 {{onesided must be 0 or 1}}
  %0 = edge.STFT %x {frame_step = 2 : i64, frame_length = 4 : i64, onesided = 2 : i64} : tensor<1x8x1xf32> -> tensor<1x3x3x2xf32>
  return %0 : tensor<1x3x3x2xf32>
}

// -----

func.func @stft_empty(%x: tensor<1x8x1xf32>, %s: tensor<i64>) -> tensor<1x0x3x2xf32> {
  // expected-error @+1 {{result must have at least one frame and one bin, got [1,0,3,2]}}
  %0 = edge.STFT %x step %s : tensor<i64> {frame_length = 4 : i64, onesided = 1 : i64} : tensor<1x8x1xf32> -> tensor<1x0x3x2xf32>
  return %0 : tensor<1x0x3x2xf32>
}

// -----

func.func @stft_step(%x: tensor<1x8x1xf32>) -> tensor<1x3x3x2xf32> {
  // expected-error @+1 {{frame_step must be >= 1, got 0}}
  %0 = edge.STFT %x {frame_step = 0 : i64, frame_length = 4 : i64, onesided = 1 : i64} : tensor<1x8x1xf32> -> tensor<1x3x3x2xf32>
  return %0 : tensor<1x3x3x2xf32>
}

// -----

func.func @stft_length(%x: tensor<1x8x1xf32>) -> tensor<1x1x5x2xf32> {
  // expected-error @+1 {{frame_length must be in [1, 8] (the signal length), got 9}}
  %0 = edge.STFT %x {frame_step = 2 : i64, frame_length = 9 : i64, onesided = 1 : i64} : tensor<1x8x1xf32> -> tensor<1x1x5x2xf32>
  return %0 : tensor<1x1x5x2xf32>
}

// -----

func.func @stft_bins(%x: tensor<1x8x1xf32>, %s: tensor<i64>) -> tensor<1x3x4x2xf32> {
  // expected-error @+1 {{result has 4 bins, frame_length 4 gives 3}}
  %0 = edge.STFT %x step %s : tensor<i64> {frame_length = 4 : i64, onesided = 1 : i64} : tensor<1x8x1xf32> -> tensor<1x3x4x2xf32>
  return %0 : tensor<1x3x4x2xf32>
}

// -----

func.func @stft_frames(%x: tensor<1x8x1xf32>) -> tensor<1x2x3x2xf32> {
  // expected-error @+1 {{result has 2 frames, frame_step 2 and frame_length 4 give 3}}
  %0 = edge.STFT %x {frame_step = 2 : i64, frame_length = 4 : i64, onesided = 1 : i64} : tensor<1x8x1xf32> -> tensor<1x2x3x2xf32>
  return %0 : tensor<1x2x3x2xf32>
}

// -----
// MelWeightMatrix (SignalOps.cpp).

func.func @mel_scalar(%n: tensor<2xi32>, %d: tensor<i32>, %r: tensor<i32>, %lo: tensor<f32>, %hi: tensor<f32>) -> tensor<9x8xf32> {
  // expected-error @+1 {{every operand must be a scalar (one element), got [2]}}
  %0 = edge.MelWeightMatrix %n, %d, %r, %lo, %hi : (tensor<2xi32>, tensor<i32>, tensor<i32>, tensor<f32>, tensor<f32>) -> tensor<9x8xf32>
  return %0 : tensor<9x8xf32>
}

// -----

func.func @mel_edges(%n: tensor<i32>, %d: tensor<i32>, %r: tensor<i32>, %lo: tensor<f32>, %hi: tensor<f64>) -> tensor<9x8xf32> {
  // expected-error @+1 {{lower_edge_hertz and upper_edge_hertz must have the same element type}}
  %0 = edge.MelWeightMatrix %n, %d, %r, %lo, %hi : (tensor<i32>, tensor<i32>, tensor<i32>, tensor<f32>, tensor<f64>) -> tensor<9x8xf32>
  return %0 : tensor<9x8xf32>
}

// -----

func.func @mel_result(%n: tensor<i32>, %d: tensor<i32>, %r: tensor<i32>, %lo: tensor<f32>, %hi: tensor<f32>) -> tensor<9xf32> {
  // expected-error @+1 {{result must be [dft_length / 2 + 1, num_mel_bins], got [9]}}
  %0 = edge.MelWeightMatrix %n, %d, %r, %lo, %hi : (tensor<i32>, tensor<i32>, tensor<i32>, tensor<f32>, tensor<f32>) -> tensor<9xf32>
  return %0 : tensor<9xf32>
}
