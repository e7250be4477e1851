// RUN: edgec-opt %s -split-input-file -verify-diagnostics
//
// One case per verifier error of the run-time operand form of shape parameters (Slice's
// starts/ends/axes/steps, ...): the values are read by the kernel, so the verifier checks
// only what is known without them.

func.func @slice_both_forms(%x: tensor<4x4xf32>, %s: tensor<1xi64>, %e: tensor<1xi64>) -> tensor<2x4xf32> {
  // expected-error @+1 {{starts, ends and steps are given both as attributes and as operands}}
  %0 = edge.Slice %x starts %s ends %e {starts = array<i64: 0, 0>, ends = array<i64: 2, 4>, steps = array<i64: 1, 1>} : (tensor<4x4xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @slice_no_ends(%x: tensor<4x4xf32>, %s: tensor<1xi64>) -> tensor<2x4xf32> {
  // expected-error @+1 {{run-time slice parameters need both starts_input and ends_input}}
  %0 = edge.Slice %x starts %s : (tensor<4x4xf32>, tensor<1xi64>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @slice_param_rank(%x: tensor<4x4xf32>, %s: tensor<1x1xi64>, %e: tensor<1x1xi64>) -> tensor<2x4xf32> {
  // expected-error @+1 {{starts_input must be a list of integers (rank 0 or 1), got 'tensor<1x1xi64>'}}
  %0 = edge.Slice %x starts %s ends %e : (tensor<4x4xf32>, tensor<1x1xi64>, tensor<1x1xi64>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @slice_param_count(%x: tensor<4x4xf32>, %s: tensor<1xi64>, %e: tensor<2xi64>) -> tensor<2x4xf32> {
  // expected-error @+1 {{ends_input has 2 elements, starts_input 1}}
  %0 = edge.Slice %x starts %s ends %e : (tensor<4x4xf32>, tensor<1xi64>, tensor<2xi64>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @slice_param_dtype(%x: tensor<4x4xf32>, %s: tensor<1xf32>, %e: tensor<1xi64>) -> tensor<2x4xf32> {
  // expected-error @+1 {{operand #1 must be statically shaped tensor of 32-bit signless integer or 64-bit signless integer values}}
  %0 = edge.Slice %x starts %s ends %e : (tensor<4x4xf32>, tensor<1xf32>, tensor<1xi64>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @slice_runtime_rank(%x: tensor<4x4xf32>, %s: tensor<1xi64>, %e: tensor<1xi64>) -> tensor<8xf32> {
  // expected-error @+1 {{the result must have the input's rank}}
  %0 = edge.Slice %x starts %s ends %e : (tensor<4x4xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @slice_runtime_element(%x: tensor<4x4xf32>, %s: tensor<1xi64>, %e: tensor<1xi64>) -> tensor<2x4xf16> {
  // expected-error @+1 {{slice cannot change the element type (with run-time starts, not even a per-axis quantized one's scales)}}
  %0 = edge.Slice %x starts %s ends %e : (tensor<4x4xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<2x4xf16>
  return %0 : tensor<2x4xf16>
}

// -----

func.func @slice_no_parameters(%x: tensor<4x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{needs starts, ends and steps attributes (or starts_input and ends_input operands)}}
  %0 = edge.Slice %x {starts = array<i64: 0, 0>, ends = array<i64: 2, 4>} : (tensor<4x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}
