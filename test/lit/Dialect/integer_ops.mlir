// RUN: edgec-opt %s | edgec-opt | FileCheck %s
// RUN: edgec-opt %s -mlir-print-op-generic | edgec-opt | FileCheck %s
//
// ONNX's integer-output quantization ops (EdgeIntegerOps.td): zero points are tensor
// operands of the operand's type, results are int32 (or uint8 codes with a run-time
// scale and zero point).

// CHECK-LABEL: func.func @matmul_integer
// CHECK: edge.MatMulInteger %arg0, %arg1, %arg2, %arg3 : (tensor<2x3x5xui8>, tensor<5x4xi8>, tensor<3xui8>, tensor<4xi8>) -> tensor<2x3x4xi32>
// CHECK: edge.MatMulInteger %arg1, %arg4, %arg5, %arg5 : (tensor<5x4xi8>, tensor<4xi8>, tensor<i8>, tensor<i8>) -> tensor<5xi32>
func.func @matmul_integer(%a: tensor<2x3x5xui8>, %b: tensor<5x4xi8>, %az: tensor<3xui8>, %bz: tensor<4xi8>,
                          %v: tensor<4xi8>, %z: tensor<i8>) -> (tensor<2x3x4xi32>, tensor<5xi32>) {
  %0 = edge.MatMulInteger %a, %b, %az, %bz : (tensor<2x3x5xui8>, tensor<5x4xi8>, tensor<3xui8>, tensor<4xi8>) -> tensor<2x3x4xi32>
  %1 = edge.MatMulInteger %b, %v, %z, %z : (tensor<5x4xi8>, tensor<4xi8>, tensor<i8>, tensor<i8>) -> tensor<5xi32>
  return %0, %1 : tensor<2x3x4xi32>, tensor<5xi32>
}

// CHECK-LABEL: func.func @conv_integer
// CHECK: edge.ConvInteger %arg0, %arg1, %arg2, %arg3 {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x4x5x5xui8>, tensor<6x2x3x3xui8>, tensor<ui8>, tensor<6xui8>) -> tensor<1x6x3x3xi32>
func.func @conv_integer(%x: tensor<1x4x5x5xui8>, %w: tensor<6x2x3x3xui8>, %xz: tensor<ui8>, %wz: tensor<6xui8>) -> tensor<1x6x3x3xi32> {
  %0 = edge.ConvInteger %x, %w, %xz, %wz {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 2 : i64} : (tensor<1x4x5x5xui8>, tensor<6x2x3x3xui8>, tensor<ui8>, tensor<6xui8>) -> tensor<1x6x3x3xi32>
  return %0 : tensor<1x6x3x3xi32>
}

// CHECK-LABEL: func.func @dynamic_quantize_linear
// CHECK: edge.DynamicQuantizeLinear %arg0 : (tensor<2x8xf32>) -> (tensor<2x8xui8>, tensor<f32>, tensor<ui8>)
func.func @dynamic_quantize_linear(%x: tensor<2x8xf32>) -> (tensor<2x8xui8>, tensor<f32>, tensor<ui8>) {
  %y, %s, %z = edge.DynamicQuantizeLinear %x : (tensor<2x8xf32>) -> (tensor<2x8xui8>, tensor<f32>, tensor<ui8>)
  return %y, %s, %z : tensor<2x8xui8>, tensor<f32>, tensor<ui8>
}
