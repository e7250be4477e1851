// RUN: edgec-opt %s -split-input-file -verify-diagnostics
//
// BitShift's verifier (EdgeOps.cpp) and its ODS element types.

func.func @bitshift_direction(%x: tensor<3xui8>) -> tensor<3xui8> {
  // expected-error @+1 {{direction must be "LEFT" or "RIGHT", got "UP"}}
  %0 = edge.BitShift %x, %x {direction = "UP"} : (tensor<3xui8>, tensor<3xui8>) -> tensor<3xui8>
  return %0 : tensor<3xui8>
}

// -----

func.func @bitshift_mixed(%x: tensor<3xui8>, %y: tensor<3xui16>) -> tensor<3xui8> {
  // expected-error @+1 {{operands and the result must have the same element type}}
  %0 = edge.BitShift %x, %y {direction = "LEFT"} : (tensor<3xui8>, tensor<3xui16>) -> tensor<3xui8>
  return %0 : tensor<3xui8>
}

// -----

func.func @bitshift_broadcast(%x: tensor<3xui8>, %y: tensor<2xui8>) -> tensor<3xui8> {
  // expected-error @+1 {{operand shapes are not broadcast-compatible: [3] vs [2]}}
  %0 = edge.BitShift %x, %y {direction = "LEFT"} : (tensor<3xui8>, tensor<2xui8>) -> tensor<3xui8>
  return %0 : tensor<3xui8>
}

// -----

func.func @bitshift_result_shape(%x: tensor<3xui8>) -> tensor<1xui8> {
  // expected-error @+1 {{result shape [1] is not the broadcast shape [3]}}
  %0 = edge.BitShift %x, %x {direction = "LEFT"} : (tensor<3xui8>, tensor<3xui8>) -> tensor<1xui8>
  return %0 : tensor<1xui8>
}

// -----

func.func @bitshift_signed(%x: tensor<3xi32>) -> tensor<3xi32> {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of 8-bit unsigned integer or 16-bit unsigned integer or 32-bit unsigned integer or 64-bit unsigned integer values}}
  %0 = edge.BitShift %x, %x {direction = "LEFT"} : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  return %0 : tensor<3xi32>
}
