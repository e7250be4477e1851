// RUN: edgec-opt %s -split-input-file -verify-diagnostics
//
// ThresholdedRelu and Shrink have no hand-written verifier: ODS checks their element
// types (ThresholdedRelu floats, Shrink numbers), the shared type of operand and result,
// and that every attribute is present and f32.

func.func @thresholded_relu_int(%x: tensor<3xi32>) -> tensor<3xi32> {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of floating-point values}}
  %0 = edge.ThresholdedRelu %x {alpha = 1.0 : f32} : tensor<3xi32>
  return %0 : tensor<3xi32>
}

// -----

func.func @thresholded_relu_no_alpha(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{requires attribute 'alpha'}}
  %0 = edge.ThresholdedRelu %x : tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @shrink_bool(%x: tensor<3xi1>) -> tensor<3xi1> {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of floating-point or 8-bit signless integer}}
  %0 = edge.Shrink %x {lambd = 0.5 : f32, bias = 0.0 : f32} : tensor<3xi1>
  return %0 : tensor<3xi1>
}

// -----

func.func @shrink_no_bias(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{requires attribute 'bias'}}
  %0 = edge.Shrink %x {lambd = 0.5 : f32} : tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @shrink_f64_lambd(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{attribute 'lambd' failed to satisfy constraint: 32-bit float attribute}}
  %0 = edge.Shrink %x {lambd = 0.5 : f64, bias = 0.0 : f32} : tensor<3xf32>
  return %0 : tensor<3xf32>
}
