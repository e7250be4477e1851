// RUN: edgec-opt %s -split-input-file -verify-diagnostics
//
// One case per error path of the selection ops' verifiers (SelectionOps.cpp), and the
// ODS constraints that matter.

func.func @hardmax_axis(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = edge.Hardmax %x {axis = 2 : i64} : tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @hardmax_int(%x: tensor<3xi32>) -> tensor<3xi32> {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of floating-point values}}
  %0 = edge.Hardmax %x {axis = 0 : i64} : tensor<3xi32>
  return %0 : tensor<3xi32>
}

// -----

func.func @topk_axis(%x: tensor<4xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{axis -1 is out of range for rank 1}}
  %0:2 = edge.TopK %x {axis = -1 : i64, largest = 1 : i64} : (tensor<4xf32>) -> (tensor<2xf32>, tensor<2xi64>)
  return %0#0 : tensor<2xf32>
}

// -----

func.func @topk_largest(%x: tensor<4xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{largest must be 0 or 1, got 2}}
  %0:2 = edge.TopK %x {axis = 0 : i64, largest = 2 : i64} : (tensor<4xf32>) -> (tensor<2xf32>, tensor<2xi64>)
  return %0#0 : tensor<2xf32>
}

// -----

func.func @topk_values_type(%x: tensor<4xf32>) -> tensor<2xf64> {
  // expected-error @+1 {{values must have the input's element type 'f32', got 'f64'}}
  %0:2 = edge.TopK %x {axis = 0 : i64, largest = 1 : i64} : (tensor<4xf32>) -> (tensor<2xf64>, tensor<2xi64>)
  return %0#0 : tensor<2xf64>
}

// -----

func.func @topk_indices_shape(%x: tensor<4xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{indices [3] and values [2] must have one shape}}
  %0:2 = edge.TopK %x {axis = 0 : i64, largest = 1 : i64} : (tensor<4xf32>) -> (tensor<2xf32>, tensor<3xi64>)
  return %0#0 : tensor<2xf32>
}

// -----

func.func @topk_k_too_large(%x: tensor<2x4xf32>) -> tensor<2x5xf32> {
  // expected-error @+1 {{results [2,5] must be the input's shape [2,4] with at most 4 elements along axis 1}}
  %0:2 = edge.TopK %x {axis = 1 : i64, largest = 1 : i64} : (tensor<2x4xf32>) -> (tensor<2x5xf32>, tensor<2x5xi64>)
  return %0#0 : tensor<2x5xf32>
}

// -----

func.func @topk_other_dim(%x: tensor<2x4xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{results [3,2] must be the input's shape [2,4] with at most 4 elements along axis 1}}
  %0:2 = edge.TopK %x {axis = 1 : i64, largest = 1 : i64} : (tensor<2x4xf32>) -> (tensor<3x2xf32>, tensor<3x2xi64>)
  return %0#0 : tensor<3x2xf32>
}

// -----

func.func @onehot_axis(%i: tensor<3xi64>, %v: tensor<2xf32>) -> tensor<3x4xf32> {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = edge.OneHot %i, %v {axis = 2 : i64} : (tensor<3xi64>, tensor<2xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @onehot_values_count(%i: tensor<3xi64>, %v: tensor<3xf32>) -> tensor<3x4xf32> {
  // expected-error @+1 {{values must hold two elements [off, on], got shape [3]}}
  %0 = edge.OneHot %i, %v {axis = 1 : i64} : (tensor<3xi64>, tensor<3xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @onehot_result_type(%i: tensor<3xi64>, %v: tensor<2xf32>) -> tensor<3x4xi32> {
  // expected-error @+1 {{the result must have the element type of values 'f32', got 'i32'}}
  %0 = edge.OneHot %i, %v {axis = 1 : i64} : (tensor<3xi64>, tensor<2xf32>) -> tensor<3x4xi32>
  return %0 : tensor<3x4xi32>
}

// -----

func.func @onehot_shape(%i: tensor<3xi64>, %v: tensor<2xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{result shape [4,3] must be the indices' shape [3] with the depth inserted at axis 1}}
  %0 = edge.OneHot %i, %v {axis = 1 : i64} : (tensor<3xi64>, tensor<2xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @reverse_sequence_rank(%x: tensor<4xf32>, %l: tensor<4xi64>) -> tensor<4xf32> {
  // expected-error @+1 {{input must have rank >= 2, got 1}}
  %0 = edge.ReverseSequence %x, %l {batch_axis = 0 : i64, time_axis = 1 : i64} : (tensor<4xf32>, tensor<4xi64>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @reverse_sequence_axes(%x: tensor<4x3xf32>, %l: tensor<4xi64>) -> tensor<4x3xf32> {
  // expected-error @+1 {{batch_axis and time_axis must be 0 and 1 in some order, got 0 and 0}}
  %0 = edge.ReverseSequence %x, %l {batch_axis = 0 : i64, time_axis = 0 : i64} : (tensor<4x3xf32>, tensor<4xi64>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @reverse_sequence_lens(%x: tensor<4x3xf32>, %l: tensor<4xi64>) -> tensor<4x3xf32> {
  // expected-error @+1 {{sequence_lens must have shape [3] (one per batch entry), got [4]}}
  %0 = edge.ReverseSequence %x, %l {batch_axis = 1 : i64, time_axis = 0 : i64} : (tensor<4x3xf32>, tensor<4xi64>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}
