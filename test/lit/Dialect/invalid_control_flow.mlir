// RUN: edgec-opt %s -split-input-file -verify-diagnostics
//
// One case per error of the control-flow ops' verifiers (ControlFlowOps.cpp).

func.func @cond_elements(%c: tensor<2xi1>, %x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{cond must have one element, got shape [2]}}
  %y = edge.If %c, %x then @id else @id : (tensor<2xi1>, tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}
func.func private @id(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// -----

func.func @missing_branch(%c: tensor<i1>, %x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{refers to @nowhere, which is not a function of the module}}
  %y = edge.If %c, %x then @id else @nowhere : (tensor<i1>, tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}
func.func private @id(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// -----

func.func @external_branch(%c: tensor<i1>, %x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{refers to @ext, which has no body}}
  %y = edge.If %c, %x then @ext else @ext : (tensor<i1>, tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}
func.func private @ext(%x: tensor<4xf32>) -> tensor<4xf32>

// -----

func.func @branch_inputs(%c: tensor<i1>, %x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{@half takes (tensor<2xf32>), expected (tensor<4xf32>)}}
  %y = edge.If %c, %x then @half else @half : (tensor<i1>, tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}
func.func private @half(%x: tensor<2xf32>) -> tensor<4xf32> {
  %c = edge.constant dense<0.0> : tensor<4xf32>
  return %c : tensor<4xf32>
}

// -----

func.func @branch_results(%c: tensor<i1>, %x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{@twice returns (tensor<4xf32>, tensor<4xf32>), expected (tensor<4xf32>)}}
  %y = edge.If %c, %x then @twice else @twice : (tensor<i1>, tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}
func.func private @twice(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  return %x, %x : tensor<4xf32>, tensor<4xf32>
}

// -----

func.func @scan_counts(%x: tensor<3x2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{num_states 1 and num_scan_inputs 1 do not fit 1 operands and 1 results}}
  %s = edge.Scan %x body @step {num_scan_inputs = 1 : i64, num_states = 1 : i64, scan_input_axes = array<i64: 0>, scan_input_directions = array<i64: 0>, scan_output_axes = array<i64>, scan_output_directions = array<i64>} : (tensor<3x2xf32>) -> tensor<2xf32>
  return %s : tensor<2xf32>
}
func.func private @step(%s: tensor<2xf32>) -> tensor<2xf32> {
  return %s : tensor<2xf32>
}

// -----

func.func @scan_axes_count(%i: tensor<2xf32>, %x: tensor<3x2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{scan_input_axes and scan_input_directions must have 1 values}}
  %s = edge.Scan %i, %x body @step {num_scan_inputs = 1 : i64, num_states = 1 : i64, scan_input_axes = array<i64>, scan_input_directions = array<i64: 0>, scan_output_axes = array<i64>, scan_output_directions = array<i64>} : (tensor<2xf32>, tensor<3x2xf32>) -> tensor<2xf32>
  return %s : tensor<2xf32>
}
func.func private @step(%s: tensor<2xf32>, %r: tensor<2xf32>) -> tensor<2xf32> {
  return %s : tensor<2xf32>
}

// -----

func.func @scan_output_axes_count(%i: tensor<2xf32>, %x: tensor<3x2xf32>) -> (tensor<2xf32>, tensor<3x2xf32>) {
  // expected-error @+1 {{scan_output_axes and scan_output_directions must have 1 values}}
  %s, %y = edge.Scan %i, %x body @step {num_scan_inputs = 1 : i64, num_states = 1 : i64, scan_input_axes = array<i64: 0>, scan_input_directions = array<i64: 0>, scan_output_axes = array<i64>, scan_output_directions = array<i64>} : (tensor<2xf32>, tensor<3x2xf32>) -> (tensor<2xf32>, tensor<3x2xf32>)
  return %s, %y : tensor<2xf32>, tensor<3x2xf32>
}
func.func private @step(%s: tensor<2xf32>, %r: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>) {
  return %s, %r : tensor<2xf32>, tensor<2xf32>
}

// -----

func.func @scan_direction(%i: tensor<2xf32>, %x: tensor<3x2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{scan directions must be 0 or 1}}
  %s = edge.Scan %i, %x body @step {num_scan_inputs = 1 : i64, num_states = 1 : i64, scan_input_axes = array<i64: 0>, scan_input_directions = array<i64: 2>, scan_output_axes = array<i64>, scan_output_directions = array<i64>} : (tensor<2xf32>, tensor<3x2xf32>) -> tensor<2xf32>
  return %s : tensor<2xf32>
}
func.func private @step(%s: tensor<2xf32>, %r: tensor<2xf32>) -> tensor<2xf32> {
  return %s : tensor<2xf32>
}

// -----

func.func @scan_axis_range(%i: tensor<2xf32>, %x: tensor<3x2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{scan input axis 2 is out of range for rank 2}}
  %s = edge.Scan %i, %x body @step {num_scan_inputs = 1 : i64, num_states = 1 : i64, scan_input_axes = array<i64: 2>, scan_input_directions = array<i64: 0>, scan_output_axes = array<i64>, scan_output_directions = array<i64>} : (tensor<2xf32>, tensor<3x2xf32>) -> tensor<2xf32>
  return %s : tensor<2xf32>
}
func.func private @step(%s: tensor<2xf32>, %r: tensor<2xf32>) -> tensor<2xf32> {
  return %s : tensor<2xf32>
}

// -----

func.func @scan_lengths(%i: tensor<2xf32>, %x: tensor<3x2xf32>, %z: tensor<4x2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{scan inputs must have one length along their axes, got 3 and 4}}
  %s = edge.Scan %i, %x, %z body @step {num_scan_inputs = 2 : i64, num_states = 1 : i64, scan_input_axes = array<i64: 0, 0>, scan_input_directions = array<i64: 0, 0>, scan_output_axes = array<i64>, scan_output_directions = array<i64>} : (tensor<2xf32>, tensor<3x2xf32>, tensor<4x2xf32>) -> tensor<2xf32>
  return %s : tensor<2xf32>
}
func.func private @step(%s: tensor<2xf32>, %r: tensor<2xf32>, %q: tensor<2xf32>) -> tensor<2xf32> {
  return %s : tensor<2xf32>
}

// -----

func.func @scan_state_type(%i: tensor<2xf32>, %x: tensor<3x2xf32>) -> tensor<2xf16> {
  // expected-error @+1 {{final state 0 must have its initial value's type 'tensor<2xf32>'}}
  %s = edge.Scan %i, %x body @step {num_scan_inputs = 1 : i64, num_states = 1 : i64, scan_input_axes = array<i64: 0>, scan_input_directions = array<i64: 0>, scan_output_axes = array<i64>, scan_output_directions = array<i64>} : (tensor<2xf32>, tensor<3x2xf32>) -> tensor<2xf16>
  return %s : tensor<2xf16>
}
func.func private @step(%s: tensor<2xf32>, %r: tensor<2xf32>) -> tensor<2xf16> {
  %c = edge.constant dense<0.0> : tensor<2xf16>
  return %c : tensor<2xf16>
}

// -----

func.func @scan_output_length(%i: tensor<2xf32>, %x: tensor<3x2xf32>) -> (tensor<2xf32>, tensor<4x2xf32>) {
  // expected-error @+1 {{scan output 0 must have the scan length 3 along axis 0, got shape [4,2]}}
  %s, %y = edge.Scan %i, %x body @step {num_scan_inputs = 1 : i64, num_states = 1 : i64, scan_input_axes = array<i64: 0>, scan_input_directions = array<i64: 0>, scan_output_axes = array<i64: 0>, scan_output_directions = array<i64: 0>} : (tensor<2xf32>, tensor<3x2xf32>) -> (tensor<2xf32>, tensor<4x2xf32>)
  return %s, %y : tensor<2xf32>, tensor<4x2xf32>
}
func.func private @step(%s: tensor<2xf32>, %r: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>) {
  return %s, %r : tensor<2xf32>, tensor<2xf32>
}

// -----

func.func @scan_body_args(%i: tensor<2xf32>, %x: tensor<3x2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{@step takes (tensor<2xf32>, tensor<3x2xf32>), expected (tensor<2xf32>, tensor<2xf32>)}}
  %s = edge.Scan %i, %x body @step {num_scan_inputs = 1 : i64, num_states = 1 : i64, scan_input_axes = array<i64: 0>, scan_input_directions = array<i64: 0>, scan_output_axes = array<i64>, scan_output_directions = array<i64>} : (tensor<2xf32>, tensor<3x2xf32>) -> tensor<2xf32>
  return %s : tensor<2xf32>
}
func.func private @step(%s: tensor<2xf32>, %r: tensor<3x2xf32>) -> tensor<2xf32> {
  return %s : tensor<2xf32>
}
