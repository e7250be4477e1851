// RUN: edgec-opt %s -split-input-file -verify-diagnostics
//
// One case per error path of edge.BlockQuantizedMatMul's verifier.

func.func @k_mismatch(%x: tensor<1x32xf32>, %w: tensor<16x64xi4>, %s: tensor<16x2xf32>) -> tensor<1x16xf32> {
  %w32 = edge.DequantizeBlockwise %w, %s {axis = 1 : i64, block_size = 32 : i64} : (tensor<16x64xi4>, tensor<16x2xf32>) -> tensor<16x64xf32>
  // expected-error @+1 {{input's last dim 32 must be the weight's K 64 (the weight is [N, K])}}
  %0 = edge.BlockQuantizedMatMul %x, %w32 {block_size = 32 : i64} : (tensor<1x32xf32>, tensor<16x64xf32>) -> tensor<1x16xf32>
  return %0 : tensor<1x16xf32>
}

// -----

func.func @result_shape(%x: tensor<2x64xf32>, %w: tensor<16x64xi4>, %s: tensor<16x2xf32>) -> tensor<2x8xf32> {
  %w32 = edge.DequantizeBlockwise %w, %s {axis = 1 : i64, block_size = 32 : i64} : (tensor<16x64xi4>, tensor<16x2xf32>) -> tensor<16x64xf32>
  // expected-error @+1 {{result shape [2,8] should be [2,16]}}
  %0 = edge.BlockQuantizedMatMul %x, %w32 {block_size = 32 : i64} : (tensor<2x64xf32>, tensor<16x64xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @bias_shape(%x: tensor<1x64xf32>, %w: tensor<16x64xi4>, %s: tensor<16x2xf32>, %b: tensor<8xf32>) -> tensor<1x16xf32> {
  %w32 = edge.DequantizeBlockwise %w, %s {axis = 1 : i64, block_size = 32 : i64} : (tensor<16x64xi4>, tensor<16x2xf32>) -> tensor<16x64xf32>
  // expected-error @+1 {{bias must be f32 [16]}}
  %0 = edge.BlockQuantizedMatMul %x, %w32, %b {block_size = 32 : i64} : (tensor<1x64xf32>, tensor<16x64xf32>, tensor<8xf32>) -> tensor<1x16xf32>
  return %0 : tensor<1x16xf32>
}

// -----

func.func @float_weight(%x: tensor<1x64xf32>, %w: tensor<16x64xf32>) -> tensor<1x16xf32> {
  // expected-error @+1 {{weight must be the result of edge.DequantizeBlockwise}}
  %0 = edge.BlockQuantizedMatMul %x, %w {block_size = 32 : i64} : (tensor<1x64xf32>, tensor<16x64xf32>) -> tensor<1x16xf32>
  return %0 : tensor<1x16xf32>
}

// -----

func.func @block_size_differs(%x: tensor<1x64xf32>, %w: tensor<16x64xi4>, %s: tensor<16x2xf32>) -> tensor<1x16xf32> {
  %w32 = edge.DequantizeBlockwise %w, %s {axis = 1 : i64, block_size = 32 : i64} : (tensor<16x64xi4>, tensor<16x2xf32>) -> tensor<16x64xf32>
  // expected-error @+1 {{weight must be blocked along K (axis 1) with block_size 64, got axis 1 block_size 32}}
  %0 = edge.BlockQuantizedMatMul %x, %w32 {block_size = 64 : i64} : (tensor<1x64xf32>, tensor<16x64xf32>) -> tensor<1x16xf32>
  return %0 : tensor<1x16xf32>
}

// -----

func.func @blocked_along_n(%x: tensor<1x64xf32>, %w: tensor<64x64xi4>, %s: tensor<2x64xf32>) -> tensor<1x64xf32> {
  %w32 = edge.DequantizeBlockwise %w, %s {axis = 0 : i64, block_size = 32 : i64} : (tensor<64x64xi4>, tensor<2x64xf32>) -> tensor<64x64xf32>
  // expected-error @+1 {{weight must be blocked along K (axis 1) with block_size 32, got axis 0 block_size 32}}
  %0 = edge.BlockQuantizedMatMul %x, %w32 {block_size = 32 : i64} : (tensor<1x64xf32>, tensor<64x64xf32>) -> tensor<1x64xf32>
  return %0 : tensor<1x64xf32>
}

// -----

func.func @int8_codes(%x: tensor<1x64xf32>, %w: tensor<16x64xi8>, %s: tensor<16x2xf32>) -> tensor<1x16xf32> {
  %w32 = edge.DequantizeBlockwise %w, %s {axis = 1 : i64, block_size = 32 : i64} : (tensor<16x64xi8>, tensor<16x2xf32>) -> tensor<16x64xf32>
  // expected-error @+1 {{weight codes must be i4 or ui4, got 'i8'}}
  %0 = edge.BlockQuantizedMatMul %x, %w32 {block_size = 32 : i64} : (tensor<1x64xf32>, tensor<16x64xf32>) -> tensor<1x16xf32>
  return %0 : tensor<1x16xf32>
}

// -----

func.func @block_size_zero(%x: tensor<1x64xf32>, %w: tensor<16x64xf32>) -> tensor<1x16xf32> {
  // expected-error @+1 {{block_size must be >= 1, got 0}}
  %0 = edge.BlockQuantizedMatMul %x, %w {block_size = 0 : i64} : (tensor<1x64xf32>, tensor<16x64xf32>) -> tensor<1x16xf32>
  return %0 : tensor<1x16xf32>
}
