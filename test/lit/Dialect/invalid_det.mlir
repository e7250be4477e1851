// RUN: edgec-opt %s -split-input-file -verify-diagnostics
//
// Det's verifier (EdgeOps.cpp): square matrices in, the batch dims out, one element type.

func.func @det_not_square(%x: tensor<2x3xf32>) -> tensor<f32> {
  // expected-error @+1 {{input must be square matrices [*, M, M], got [2,3]}}
  %0 = edge.Det %x : (tensor<2x3xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @det_rank1(%x: tensor<4xf32>) -> tensor<f32> {
  // expected-error @+1 {{input must be square matrices [*, M, M], got [4]}}
  %0 = edge.Det %x : (tensor<4xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @det_result_type(%x: tensor<2x2xf32>) -> tensor<f64> {
  // expected-error @+1 {{result must have the input's element type}}
  %0 = edge.Det %x : (tensor<2x2xf32>) -> tensor<f64>
  return %0 : tensor<f64>
}

// -----

func.func @det_result_shape(%x: tensor<3x2x2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{result shape should be [3]}}
  %0 = edge.Det %x : (tensor<3x2x2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}
