// RUN: edgec-opt %s -split-input-file -verify-diagnostics
//
// One case per error of the element-indexing ops' verifiers (IndexingOps.cpp) and their
// ODS constraints.

func.func @gather_elements_rank0(%x: tensor<f32>, %i: tensor<i64>) -> tensor<f32> {
  // expected-error @+1 {{data must have rank >= 1}}
  %0 = edge.GatherElements %x, %i {axis = 0 : i64} : (tensor<f32>, tensor<i64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @gather_elements_indices_rank(%x: tensor<3x4xf32>, %i: tensor<3xi64>) -> tensor<3xf32> {
  // expected-error @+1 {{indices must have data's rank 2, got shape [3]}}
  %0 = edge.GatherElements %x, %i {axis = 0 : i64} : (tensor<3x4xf32>, tensor<3xi64>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @gather_elements_axis(%x: tensor<3x4xf32>, %i: tensor<3x4xi64>) -> tensor<3x4xf32> {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = edge.GatherElements %x, %i {axis = 2 : i64} : (tensor<3x4xf32>, tensor<3x4xi64>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @gather_elements_wide_indices(%x: tensor<3x4xf32>, %i: tensor<3x5xi64>) -> tensor<3x5xf32> {
  // expected-error @+1 {{indices [3,5] exceed data [3,4] in dim 1}}
  %0 = edge.GatherElements %x, %i {axis = 0 : i64} : (tensor<3x4xf32>, tensor<3x5xi64>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// -----

func.func @gather_elements_result_shape(%x: tensor<3x4xf32>, %i: tensor<5x4xi64>) -> tensor<3x4xf32> {
  // expected-error @+1 {{result shape [3,4] must be the indices' [5,4]}}
  %0 = edge.GatherElements %x, %i {axis = 0 : i64} : (tensor<3x4xf32>, tensor<5x4xi64>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @gather_elements_result_type(%x: tensor<3x4xf32>, %i: tensor<3x4xi64>) -> tensor<3x4xf16> {
  // expected-error @+1 {{result element type 'f16' must be data's 'f32'}}
  %0 = edge.GatherElements %x, %i {axis = 0 : i64} : (tensor<3x4xf32>, tensor<3x4xi64>) -> tensor<3x4xf16>
  return %0 : tensor<3x4xf16>
}

// -----

func.func @gather_elements_float_indices(%x: tensor<3x4xf32>, %i: tensor<3x4xf32>) -> tensor<3x4xf32> {
  // expected-error @+1 {{operand #1 must be statically shaped tensor of 32-bit signless integer or 64-bit signless integer values}}
  %0 = edge.GatherElements %x, %i {axis = 0 : i64} : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @gather_elements_quantized(%x: tensor<3x4x!quant.uniform<i8:f32, 0.5>>, %i: tensor<3x4xi64>) -> tensor<3x4x!quant.uniform<i8:f32, 0.5>> {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of}}
  %0 = edge.GatherElements %x, %i {axis = 0 : i64} : (tensor<3x4x!quant.uniform<i8:f32, 0.5>>, tensor<3x4xi64>) -> tensor<3x4x!quant.uniform<i8:f32, 0.5>>
  return %0 : tensor<3x4x!quant.uniform<i8:f32, 0.5>>
}

// -----

func.func @scatter_elements_updates_shape(%x: tensor<3x4xf32>, %i: tensor<2x4xi64>, %u: tensor<2x3xf32>) -> tensor<3x4xf32> {
  // expected-error @+1 {{updates [2,3] must have the indices' shape [2,4]}}
  %0 = edge.ScatterElements %x, %i, %u {axis = 0 : i64, reduction = "none"} : (tensor<3x4xf32>, tensor<2x4xi64>, tensor<2x3xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @scatter_elements_result_type(%x: tensor<3x4xf32>, %i: tensor<2x4xi64>, %u: tensor<2x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{result type 'tensor<2x4xf32>' must be data's 'tensor<3x4xf32>'}}
  %0 = edge.ScatterElements %x, %i, %u {axis = 0 : i64, reduction = "none"} : (tensor<3x4xf32>, tensor<2x4xi64>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @scatter_elements_updates_type(%x: tensor<3x4xf32>, %i: tensor<2x4xi64>, %u: tensor<2x4xf16>) -> tensor<3x4xf32> {
  // expected-error @+1 {{updates must have data's element type 'f32', got 'f16'}}
  %0 = edge.ScatterElements %x, %i, %u {axis = 0 : i64, reduction = "none"} : (tensor<3x4xf32>, tensor<2x4xi64>, tensor<2x4xf16>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @scatter_elements_bool_add(%x: tensor<3x4xi1>, %i: tensor<2x4xi64>, %u: tensor<2x4xi1>) -> tensor<3x4xi1> {
  // expected-error @+1 {{reduction 'add' is not defined for bool elements}}
  %0 = edge.ScatterElements %x, %i, %u {axis = 0 : i64, reduction = "add"} : (tensor<3x4xi1>, tensor<2x4xi64>, tensor<2x4xi1>) -> tensor<3x4xi1>
  return %0 : tensor<3x4xi1>
}

// -----

func.func @scatter_elements_reduction_max(%x: tensor<3x4xf32>, %i: tensor<2x4xi64>, %u: tensor<2x4xf32>) -> tensor<3x4xf32> {
  // expected-error @+1 {{attribute 'reduction' failed to satisfy constraint: string attribute "none", "add" or "mul"}}
  %0 = edge.ScatterElements %x, %i, %u {axis = 0 : i64, reduction = "max"} : (tensor<3x4xf32>, tensor<2x4xi64>, tensor<2x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @scatter_elements_axis(%x: tensor<3x4xf32>, %i: tensor<2x4xi64>, %u: tensor<2x4xf32>) -> tensor<3x4xf32> {
  // expected-error @+1 {{axis -1 is out of range for rank 2}}
  %0 = edge.ScatterElements %x, %i, %u {axis = -1 : i64, reduction = "none"} : (tensor<3x4xf32>, tensor<2x4xi64>, tensor<2x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @gather_nd_rank0(%x: tensor<f32>, %i: tensor<1xi64>) -> tensor<f32> {
  // expected-error @+1 {{data and indices must have rank >= 1}}
  %0 = edge.GatherND %x, %i {batch_dims = 0 : i64} : (tensor<f32>, tensor<1xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @gather_nd_batch_dims(%x: tensor<2x3xf32>, %i: tensor<2x1xi64>) -> tensor<2xf32> {
  // expected-error @+1 {{batch_dims 2 must be in [0, min(rank(data), rank(indices)))}}
  %0 = edge.GatherND %x, %i {batch_dims = 2 : i64} : (tensor<2x3xf32>, tensor<2x1xi64>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @gather_nd_batch_mismatch(%x: tensor<2x3xf32>, %i: tensor<3x1xi64>) -> tensor<3xf32> {
  // expected-error @+1 {{batch dim 0 differs: data [2,3], indices [3,1]}}
  %0 = edge.GatherND %x, %i {batch_dims = 1 : i64} : (tensor<2x3xf32>, tensor<3x1xi64>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @gather_nd_tuple_size(%x: tensor<2x3xf32>, %i: tensor<2x2xi64>) -> tensor<2xf32> {
  // expected-error @+1 {{the last dim of indices [2,2] must be in [1, 1] (data rank 2 less batch_dims)}}
  %0 = edge.GatherND %x, %i {batch_dims = 1 : i64} : (tensor<2x3xf32>, tensor<2x2xi64>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @gather_nd_result_shape(%x: tensor<2x3x4xf32>, %i: tensor<5x1xi64>) -> tensor<5x4xf32> {
  // expected-error @+1 {{result shape [5,4] should be [5,3,4]}}
  %0 = edge.GatherND %x, %i {batch_dims = 0 : i64} : (tensor<2x3x4xf32>, tensor<5x1xi64>) -> tensor<5x4xf32>
  return %0 : tensor<5x4xf32>
}

// -----

func.func @gather_nd_result_type(%x: tensor<2x3xf32>, %i: tensor<5x2xi64>) -> tensor<5xi32> {
  // expected-error @+1 {{result element type 'i32' must be data's 'f32'}}
  %0 = edge.GatherND %x, %i {batch_dims = 0 : i64} : (tensor<2x3xf32>, tensor<5x2xi64>) -> tensor<5xi32>
  return %0 : tensor<5xi32>
}

// -----

func.func @scatter_nd_rank0(%x: tensor<4xf32>, %i: tensor<i64>, %u: tensor<f32>) -> tensor<4xf32> {
  // expected-error @+1 {{data and indices must have rank >= 1}}
  %0 = edge.ScatterND %x, %i, %u {reduction = "none"} : (tensor<4xf32>, tensor<i64>, tensor<f32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @scatter_nd_tuple_size(%x: tensor<4xf32>, %i: tensor<2x2xi64>, %u: tensor<2xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{the last dim of indices [2,2] must be in [1, 1] (data rank 1)}}
  %0 = edge.ScatterND %x, %i, %u {reduction = "none"} : (tensor<4xf32>, tensor<2x2xi64>, tensor<2xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @scatter_nd_updates_shape(%x: tensor<4x3xf32>, %i: tensor<2x1xi64>, %u: tensor<2xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{updates shape [2] should be [2,3]}}
  %0 = edge.ScatterND %x, %i, %u {reduction = "none"} : (tensor<4x3xf32>, tensor<2x1xi64>, tensor<2xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @scatter_nd_bool_mul(%x: tensor<4xi1>, %i: tensor<2x1xi64>, %u: tensor<2xi1>) -> tensor<4xi1> {
  // expected-error @+1 {{reduction 'mul' is not defined for bool elements}}
  %0 = edge.ScatterND %x, %i, %u {reduction = "mul"} : (tensor<4xi1>, tensor<2x1xi64>, tensor<2xi1>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}
