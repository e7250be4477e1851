// RUN: edgec-opt %s -split-input-file -verify-diagnostics
//
// One case per error of the integer-output quantization ops' verifiers.

func.func @matmul_inner(%a: tensor<2x3xui8>, %b: tensor<4x2xi8>, %z: tensor<ui8>, %w: tensor<i8>) -> tensor<2x2xi32> {
  // expected-error @+1 {{inner dimensions differ: a [2,3], b [4,2]}}
  %0 = edge.MatMulInteger %a, %b, %z, %w : (tensor<2x3xui8>, tensor<4x2xi8>, tensor<ui8>, tensor<i8>) -> tensor<2x2xi32>
  return %0 : tensor<2x2xi32>
}

// -----

func.func @matmul_result(%a: tensor<2x3xui8>, %b: tensor<3x2xi8>, %z: tensor<ui8>, %w: tensor<i8>) -> tensor<2x3xi32> {
  // expected-error @+1 {{result shape [2,3] should be [2,2]}}
  %0 = edge.MatMulInteger %a, %b, %z, %w : (tensor<2x3xui8>, tensor<3x2xi8>, tensor<ui8>, tensor<i8>) -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// -----

func.func @matmul_batch(%a: tensor<2x2x3xui8>, %b: tensor<3x3x2xi8>, %z: tensor<ui8>, %w: tensor<i8>) -> tensor<3x2x2xi32> {
  // expected-error @+1 {{batch dimensions do not broadcast}}
  %0 = edge.MatMulInteger %a, %b, %z, %w : (tensor<2x2x3xui8>, tensor<3x3x2xi8>, tensor<ui8>, tensor<i8>) -> tensor<3x2x2xi32>
  return %0 : tensor<3x2x2xi32>
}

// -----

func.func @matmul_zero_point_type(%a: tensor<2x3xui8>, %b: tensor<3x2xi8>, %z: tensor<i8>, %w: tensor<i8>) -> tensor<2x2xi32> {
  // expected-error @+1 {{a_zero_point must have its operand's element type 'ui8', got 'i8'}}
  %0 = edge.MatMulInteger %a, %b, %z, %w : (tensor<2x3xui8>, tensor<3x2xi8>, tensor<i8>, tensor<i8>) -> tensor<2x2xi32>
  return %0 : tensor<2x2xi32>
}

// -----

func.func @matmul_zero_point_rows(%a: tensor<2x3xui8>, %b: tensor<3x2xi8>, %z: tensor<3xui8>, %w: tensor<i8>) -> tensor<2x2xi32> {
  // expected-error @+1 {{a_zero_point must have one value or 2 (one per row of a), got shape [3]}}
  %0 = edge.MatMulInteger %a, %b, %z, %w : (tensor<2x3xui8>, tensor<3x2xi8>, tensor<3xui8>, tensor<i8>) -> tensor<2x2xi32>
  return %0 : tensor<2x2xi32>
}

// -----

func.func @matmul_zero_point_columns(%a: tensor<2x3xui8>, %b: tensor<3x2xi8>, %z: tensor<ui8>, %w: tensor<3xi8>) -> tensor<2x2xi32> {
  // expected-error @+1 {{b_zero_point must have one value or 2 (one per column of b), got shape [3]}}
  %0 = edge.MatMulInteger %a, %b, %z, %w : (tensor<2x3xui8>, tensor<3x2xi8>, tensor<ui8>, tensor<3xi8>) -> tensor<2x2xi32>
  return %0 : tensor<2x2xi32>
}

// -----

func.func @matmul_float(%a: tensor<2x3xf32>, %b: tensor<3x2xi8>, %z: tensor<ui8>, %w: tensor<i8>) -> tensor<2x2xi32> {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of 8-bit signless integer or 8-bit unsigned integer values}}
  %0 = edge.MatMulInteger %a, %b, %z, %w : (tensor<2x3xf32>, tensor<3x2xi8>, tensor<ui8>, tensor<i8>) -> tensor<2x2xi32>
  return %0 : tensor<2x2xi32>
}

// -----

func.func @conv_rank(%x: tensor<1x4xui8>, %w: tensor<6x4xui8>, %z: tensor<ui8>) -> tensor<1x6xi32> {
  // expected-error @+1 {{input, weight and result must have the same rank >= 3}}
  %0 = edge.ConvInteger %x, %w, %z, %z {strides = array<i64>, pads = array<i64>, dilations = array<i64>, group = 1 : i64} : (tensor<1x4xui8>, tensor<6x4xui8>, tensor<ui8>, tensor<ui8>) -> tensor<1x6xi32>
  return %0 : tensor<1x6xi32>
}

// -----

func.func @conv_attrs(%x: tensor<1x4x5x5xui8>, %w: tensor<6x4x3x3xui8>, %z: tensor<ui8>) -> tensor<1x6x3x3xi32> {
  // expected-error @+1 {{expects 2 strides and dilations and 4 pads}}
  %0 = edge.ConvInteger %x, %w, %z, %z {strides = array<i64: 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x4x5x5xui8>, tensor<6x4x3x3xui8>, tensor<ui8>, tensor<ui8>) -> tensor<1x6x3x3xi32>
  return %0 : tensor<1x6x3x3xi32>
}

// -----

func.func @conv_strides(%x: tensor<1x4x5x5xui8>, %w: tensor<6x4x3x3xui8>, %z: tensor<ui8>) -> tensor<1x6x3x3xi32> {
  // expected-error @+1 {{strides and dilations must be >= 1 and pads >= 0}}
  %0 = edge.ConvInteger %x, %w, %z, %z {strides = array<i64: 0, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x4x5x5xui8>, tensor<6x4x3x3xui8>, tensor<ui8>, tensor<ui8>) -> tensor<1x6x3x3xi32>
  return %0 : tensor<1x6x3x3xi32>
}

// -----

func.func @conv_group(%x: tensor<1x4x5x5xui8>, %w: tensor<6x2x3x3xui8>, %z: tensor<ui8>) -> tensor<1x6x3x3xi32> {
  // expected-error @+1 {{group 3 must divide input channels 4 and output channels 6}}
  %0 = edge.ConvInteger %x, %w, %z, %z {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 3 : i64} : (tensor<1x4x5x5xui8>, tensor<6x2x3x3xui8>, tensor<ui8>, tensor<ui8>) -> tensor<1x6x3x3xi32>
  return %0 : tensor<1x6x3x3xi32>
}

// -----

func.func @conv_channels(%x: tensor<1x4x5x5xui8>, %w: tensor<6x2x3x3xui8>, %z: tensor<ui8>) -> tensor<1x6x3x3xi32> {
  // expected-error @+1 {{weight has 2 input channels per group, expected 4}}
  %0 = edge.ConvInteger %x, %w, %z, %z {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x4x5x5xui8>, tensor<6x2x3x3xui8>, tensor<ui8>, tensor<ui8>) -> tensor<1x6x3x3xi32>
  return %0 : tensor<1x6x3x3xi32>
}

// -----

func.func @conv_result_channels(%x: tensor<1x4x5x5xui8>, %w: tensor<6x4x3x3xui8>, %z: tensor<ui8>) -> tensor<1x4x3x3xi32> {
  // expected-error @+1 {{result must have shape [N, M, ...]}}
  %0 = edge.ConvInteger %x, %w, %z, %z {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x4x5x5xui8>, tensor<6x4x3x3xui8>, tensor<ui8>, tensor<ui8>) -> tensor<1x4x3x3xi32>
  return %0 : tensor<1x4x3x3xi32>
}

// -----

func.func @conv_window(%x: tensor<1x4x2x2xui8>, %w: tensor<6x4x3x3xui8>, %z: tensor<ui8>) -> tensor<1x6x1x1xi32> {
  // expected-error @+1 {{window does not fit spatial dim 0 of size 2}}
  %0 = edge.ConvInteger %x, %w, %z, %z {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x4x2x2xui8>, tensor<6x4x3x3xui8>, tensor<ui8>, tensor<ui8>) -> tensor<1x6x1x1xi32>
  return %0 : tensor<1x6x1x1xi32>
}

// -----

func.func @conv_spatial(%x: tensor<1x4x5x5xui8>, %w: tensor<6x4x3x3xui8>, %z: tensor<ui8>) -> tensor<1x6x4x3xi32> {
  // expected-error @+1 {{result spatial dim 0 is 4, expected 3}}
  %0 = edge.ConvInteger %x, %w, %z, %z {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x4x5x5xui8>, tensor<6x4x3x3xui8>, tensor<ui8>, tensor<ui8>) -> tensor<1x6x4x3xi32>
  return %0 : tensor<1x6x4x3xi32>
}

// -----

func.func @conv_input_zero_point(%x: tensor<1x4x5x5xui8>, %w: tensor<6x4x3x3xui8>, %z: tensor<4xui8>, %wz: tensor<ui8>) -> tensor<1x6x3x3xi32> {
  // expected-error @+1 {{input_zero_point must have one value, got shape [4]}}
  %0 = edge.ConvInteger %x, %w, %z, %wz {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x4x5x5xui8>, tensor<6x4x3x3xui8>, tensor<4xui8>, tensor<ui8>) -> tensor<1x6x3x3xi32>
  return %0 : tensor<1x6x3x3xi32>
}

// -----

func.func @conv_weight_zero_point(%x: tensor<1x4x5x5xui8>, %w: tensor<6x4x3x3xi8>, %z: tensor<ui8>, %wz: tensor<4xi8>) -> tensor<1x6x3x3xi32> {
  // expected-error @+1 {{weight_zero_point must have one value or 6 (one per output channel), got shape [4]}}
  %0 = edge.ConvInteger %x, %w, %z, %wz {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x4x5x5xui8>, tensor<6x4x3x3xi8>, tensor<ui8>, tensor<4xi8>) -> tensor<1x6x3x3xi32>
  return %0 : tensor<1x6x3x3xi32>
}

// -----

func.func @dql_shape(%x: tensor<2x8xf32>) -> (tensor<16xui8>, tensor<f32>, tensor<ui8>) {
  // expected-error @+1 {{result shape [16] must be the input's [2,8]}}
  %y, %s, %z = edge.DynamicQuantizeLinear %x : (tensor<2x8xf32>) -> (tensor<16xui8>, tensor<f32>, tensor<ui8>)
  return %y, %s, %z : tensor<16xui8>, tensor<f32>, tensor<ui8>
}

// -----

func.func @dql_scale_rank(%x: tensor<2x8xf32>) -> (tensor<2x8xui8>, tensor<1xf32>, tensor<ui8>) {
  // expected-error @+1 {{scale and zero point must be rank-0 tensors}}
  %y, %s, %z = edge.DynamicQuantizeLinear %x : (tensor<2x8xf32>) -> (tensor<2x8xui8>, tensor<1xf32>, tensor<ui8>)
  return %y, %s, %z : tensor<2x8xui8>, tensor<1xf32>, tensor<ui8>
}

// -----

func.func @dql_int8(%x: tensor<2x8xf32>) -> (tensor<2x8xi8>, tensor<f32>, tensor<ui8>) {
  // expected-error @+1 {{result #0 must be statically shaped tensor of 8-bit unsigned integer values}}
  %y, %s, %z = edge.DynamicQuantizeLinear %x : (tensor<2x8xf32>) -> (tensor<2x8xi8>, tensor<f32>, tensor<ui8>)
  return %y, %s, %z : tensor<2x8xi8>, tensor<f32>, tensor<ui8>
}
