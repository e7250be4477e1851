// RUN: edgec-opt %s | edgec-opt | FileCheck %s
//
// edge.FusedElementwise prints and parses back (a bias Add, then a Clip to [-1, 1]).
// CHECK-LABEL: func.func @valid
// CHECK: edge.FusedElementwise %{{.+}}, %{{.+}} {args = array<i64: 0, 1, 2, -1>, ops = ["Add", "Clip"], params = array<f32: 0.000000e+00, 0.000000e+00, -1.000000e+00, 1.000000e+00>} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
func.func @valid(%x: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = edge.FusedElementwise %x, %b {ops = ["Add", "Clip"], args = array<i64: 0, 1, 2, -1>, params = array<f32: 0.0, 0.0, -1.0, 1.0>} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}


// A quantized table: one per-tensor int8 input and result, an f32 scalar constant.
// CHECK-LABEL: func.func @table
// CHECK: edge.FusedElementwise %arg0, %{{.+}} {args = array<i64: 0, 1, 2, -1>, ops = ["Mul", "Tanh"], {{.+}}} : (tensor<4x!quant.uniform<i8:f32, 1.000000e-01>>, tensor<f32>) -> tensor<4x!quant.uniform<u8:f32, 7.812500e-03:128>>
func.func @table(%x: tensor<4x!quant.uniform<i8:f32, 0.1>>) -> tensor<4x!quant.uniform<u8:f32, 0.0078125:128>> {
  %c = edge.constant dense<0.5> : tensor<f32>
  %0 = edge.FusedElementwise %x, %c {ops = ["Mul", "Tanh"], args = array<i64: 0, 1, 2, -1>, params = array<f32: 0.0, 0.0, 0.0, 0.0>} : (tensor<4x!quant.uniform<i8:f32, 0.1>>, tensor<f32>) -> tensor<4x!quant.uniform<u8:f32, 0.0078125:128>>
  return %0 : tensor<4x!quant.uniform<u8:f32, 0.0078125:128>>
}
