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

// -----

func.func @reduce_both_forms(%x: tensor<2x3xf32>, %a: tensor<1xi64>) -> tensor<2x1xf32> {
  // expected-error @+1 {{axes are given both as an attribute and as an operand}}
  %0 = edge.ReduceSum %x axes %a : tensor<1xi64> {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

func.func @reduce_axes_rank(%x: tensor<2x3xf32>, %a: tensor<1x1xi64>) -> tensor<2x1xf32> {
  // expected-error @+1 {{axes_input must be a list of integers (rank 0 or 1), got 'tensor<1x1xi64>'}}
  %0 = edge.ReduceSum %x axes %a : tensor<1x1xi64> {keepdims = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

func.func @reduce_noop_flag(%x: tensor<2x3xf32>, %a: tensor<1xi64>) -> tensor<2x1xf32> {
  // expected-error @+1 {{noop_with_empty_axes must be 0 or 1, got 2}}
  %0 = edge.ReduceSum %x axes %a : tensor<1xi64> {keepdims = 1 : i64, noop_with_empty_axes = 2 : i64} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

func.func @reduce_keepdims_rank(%x: tensor<2x3xf32>, %a: tensor<1xi64>) -> tensor<2xf32> {
  // expected-error @+1 {{result rank 1 cannot come from a rank-2 input with keepdims}}
  %0 = edge.ReduceSum %x axes %a : tensor<1xi64> {keepdims = 1 : i64} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @reduce_runtime_element(%x: tensor<2x3xf32>, %a: tensor<1xi64>) -> tensor<2x1xf64> {
  // expected-error @+1 {{with run-time axes, the result must have the input's element type}}
  %0 = edge.ReduceSum %x axes %a : tensor<1xi64> {keepdims = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x1xf64>
  return %0 : tensor<2x1xf64>
}

// -----

func.func @reduce_no_axes(%x: tensor<2x3xf32>) -> tensor<1x1xf32> {
  // expected-error @+1 {{needs an axes attribute or an axes_input operand}}
  %0 = edge.ReduceSum %x {keepdims = 1 : i64} : (tensor<2x3xf32>) -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}

// -----

func.func @reduce_noop_without_operand(%x: tensor<2x3xf32>) -> tensor<1x1xf32> {
  // expected-error @+1 {{noop_with_empty_axes is only used with an axes_input operand}}
  %0 = edge.ReduceSum %x {axes = array<i64>, keepdims = 1 : i64, noop_with_empty_axes = 1 : i64} : (tensor<2x3xf32>) -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}

// -----

func.func @pad_both_forms(%x: tensor<2x3xf32>, %p: tensor<4xi64>) -> tensor<3x6xf32> {
  // expected-error @+1 {{pads are given both as an attribute and as an operand}}
  %0 = edge.Pad %x pads %p {mode = "constant", pads = array<i64: 0, 1, 1, 2>} : (tensor<2x3xf32>, tensor<4xi64>) -> tensor<3x6xf32>
  return %0 : tensor<3x6xf32>
}

// -----

func.func @pad_axes_without_pads(%x: tensor<2x3xf32>, %a: tensor<1xi64>) -> tensor<2x5xf32> {
  // expected-error @+1 {{axes_input needs pads_input}}
  %0 = edge.Pad %x axes %a {mode = "constant"} : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

func.func @pad_pads_rank(%x: tensor<2x3xf32>, %p: tensor<2x2xi64>) -> tensor<3x6xf32> {
  // expected-error @+1 {{pads_input must be a list of integers (rank 0 or 1), got 'tensor<2x2xi64>'}}
  %0 = edge.Pad %x pads %p {mode = "constant"} : (tensor<2x3xf32>, tensor<2x2xi64>) -> tensor<3x6xf32>
  return %0 : tensor<3x6xf32>
}

// -----

func.func @pad_axes_rank(%x: tensor<2x3xf32>, %p: tensor<2xi64>, %a: tensor<1x1xi64>) -> tensor<2x5xf32> {
  // expected-error @+1 {{axes_input must be a list of integers (rank 0 or 1), got 'tensor<1x1xi64>'}}
  %0 = edge.Pad %x pads %p axes %a {mode = "constant"} : (tensor<2x3xf32>, tensor<2xi64>, tensor<1x1xi64>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

func.func @pad_pads_count(%x: tensor<2x3xf32>, %p: tensor<2xi64>) -> tensor<3x6xf32> {
  // expected-error @+1 {{pads_input has 2 elements, expected 4 (a begin and an end per padded axis)}}
  %0 = edge.Pad %x pads %p {mode = "constant"} : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<3x6xf32>
  return %0 : tensor<3x6xf32>
}

// -----

func.func @pad_runtime_rank(%x: tensor<2x3xf32>, %p: tensor<4xi64>) -> tensor<18xf32> {
  // expected-error @+1 {{the result must have the input's rank}}
  %0 = edge.Pad %x pads %p {mode = "constant"} : (tensor<2x3xf32>, tensor<4xi64>) -> tensor<18xf32>
  return %0 : tensor<18xf32>
}

// -----

func.func @pad_runtime_per_axis(%x: tensor<2x3x!quant.uniform<i8:f32:1, {0.5, 0.25, 0.125}>>, %p: tensor<4xi64>) -> tensor<3x3x!quant.uniform<i8:f32:1, {0.5, 0.25, 0.125}>> {
  // expected-error @+1 {{run-time pads cannot pad a per-axis quantized input (new indices would have no scale)}}
  %0 = edge.Pad %x pads %p {mode = "constant"} : (tensor<2x3x!quant.uniform<i8:f32:1, {0.5, 0.25, 0.125}>>, tensor<4xi64>) -> tensor<3x3x!quant.uniform<i8:f32:1, {0.5, 0.25, 0.125}>>
  return %0 : tensor<3x3x!quant.uniform<i8:f32:1, {0.5, 0.25, 0.125}>>
}

// -----

func.func @pad_no_pads(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{needs a pads attribute or a pads_input operand}}
  %0 = edge.Pad %x {mode = "constant"} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @tile_both_forms(%x: tensor<2x3xf32>, %r: tensor<2xi64>) -> tensor<4x3xf32> {
  // expected-error @+1 {{repeats are given both as an attribute and as an operand}}
  %0 = edge.Tile %x repeats %r {repeats = array<i64: 2, 1>} : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @tile_repeats_rank(%x: tensor<2x3xf32>, %r: tensor<1x2xi64>) -> tensor<4x3xf32> {
  // expected-error @+1 {{repeats_input must be a list of integers (rank 0 or 1), got 'tensor<1x2xi64>'}}
  %0 = edge.Tile %x repeats %r : (tensor<2x3xf32>, tensor<1x2xi64>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @tile_repeats_count(%x: tensor<2x3xf32>, %r: tensor<3xi64>) -> tensor<4x3xf32> {
  // expected-error @+1 {{repeats_input, input and result must have the same rank}}
  %0 = edge.Tile %x repeats %r : (tensor<2x3xf32>, tensor<3xi64>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @tile_not_multiple(%x: tensor<2x3xf32>, %r: tensor<2xi64>) -> tensor<4x4xf32> {
  // expected-error @+1 {{result dim 1 (4) is no multiple of the input's 3}}
  %0 = edge.Tile %x repeats %r : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @tile_runtime_element(%x: tensor<2x3xf32>, %r: tensor<2xi64>) -> tensor<4x3xf16> {
  // expected-error @+1 {{tile cannot change the element type}}
  %0 = edge.Tile %x repeats %r : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<4x3xf16>
  return %0 : tensor<4x3xf16>
}

// -----

func.func @tile_no_repeats(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{needs a repeats attribute or a repeats_input operand}}
  %0 = edge.Tile %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @split_sizes_rank(%x: tensor<2x3xf32>, %s: tensor<1x2xi64>) -> (tensor<2x1xf32>, tensor<2x2xf32>) {
  // expected-error @+1 {{split_input must be a list of integers (rank 0 or 1), got 'tensor<1x2xi64>'}}
  %0:2 = edge.Split %x split %s {axis = 1 : i64} : (tensor<2x3xf32>, tensor<1x2xi64>) -> (tensor<2x1xf32>, tensor<2x2xf32>)
  return %0#0, %0#1 : tensor<2x1xf32>, tensor<2x2xf32>
}

// -----

func.func @split_sizes_count(%x: tensor<2x3xf32>, %s: tensor<3xi64>) -> (tensor<2x1xf32>, tensor<2x2xf32>) {
  // expected-error @+1 {{split_input has 3 elements for 2 results}}
  %0:2 = edge.Split %x split %s {axis = 1 : i64} : (tensor<2x3xf32>, tensor<3xi64>) -> (tensor<2x1xf32>, tensor<2x2xf32>)
  return %0#0, %0#1 : tensor<2x1xf32>, tensor<2x2xf32>
}

// -----

func.func @topk_k_count(%x: tensor<3x4xf32>, %k: tensor<2xi64>) -> tensor<3x2xf32> {
  // expected-error @+1 {{k_input must have one element, got 'tensor<2xi64>'}}
  %0:2 = edge.TopK %x k %k {axis = 1 : i64, largest = 1 : i64} : (tensor<3x4xf32>, tensor<2xi64>) -> (tensor<3x2xf32>, tensor<3x2xi64>)
  return %0#0 : tensor<3x2xf32>
}

// -----

func.func @onehot_depth_count(%i: tensor<3xi64>, %v: tensor<2xf32>, %d: tensor<2xf32>) -> tensor<3x10xf32> {
  // expected-error @+1 {{depth_input must have one element, got 'tensor<2xf32>'}}
  %0 = edge.OneHot %i, %v depth %d {axis = 1 : i64} : (tensor<3xi64>, tensor<2xf32>, tensor<2xf32>) -> tensor<3x10xf32>
  return %0 : tensor<3x10xf32>
}

// -----

func.func @max_unpool_output_shape_count(%x: tensor<1x1x2x2xf32>, %i: tensor<1x1x2x2xi64>, %s: tensor<3xi64>) -> tensor<1x1x5x5xf32> {
  // expected-error @+1 {{output_shape_input must hold one value per result dim (4), got 'tensor<3xi64>'}}
  %0 = edge.MaxUnpool %x, %i output_shape %s : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>, tensor<3xi64>) -> tensor<1x1x5x5xf32>
  return %0 : tensor<1x1x5x5xf32>
}
