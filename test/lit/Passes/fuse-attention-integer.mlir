// RUN: edgec-opt %s -edge-fuse-attention -split-input-file | FileCheck %s
// RUN: edgec-opt %s -edge-fuse-attention=integer=false -split-input-file | FileCheck %s --check-prefix=FLOAT
//
// edge-fuse-attention sets integer = 1 on an attention whose query, key and value all
// take codes after the quantize/dequantize fold (option integer, default on); not with
// the option off, nor where the verifier refuses it (a negative product of the scale
// steps).

// CHECK-LABEL: func.func @codes
// CHECK: edge.ScaledDotProductAttention %{{.+}}, %{{.+}}, %{{.+}} mask %arg3 {integer = 1 : i64, key_transposed = 1 : i64, q_divide = 1 : i64, q_scale = 4.000000e+00 : f32}
// FLOAT-LABEL: func.func @codes
// FLOAT: edge.ScaledDotProductAttention %{{.+}}, %{{.+}}, %{{.+}} mask %arg3 {key_transposed = 1 : i64, q_divide = 1 : i64, q_scale = 4.000000e+00 : f32}
func.func @codes(%q: tensor<2x4x8x!quant.uniform<i8:f32, 0.05:-3>>, %kt: tensor<2x8x4x!quant.uniform<u8:f32, 0.04:120>>,
                 %v: tensor<2x4x8x!quant.uniform<i8:f32, 0.03>>, %m: tensor<1x4x4xf32>) -> tensor<2x4x8x!quant.uniform<i8:f32, 0.02:1>> {
  %c = edge.constant dense<4.000000e+00> : tensor<f32>
  %0 = edge.DequantizeLinear %q : (tensor<2x4x8x!quant.uniform<i8:f32, 0.05:-3>>) -> tensor<2x4x8xf32>
  %1 = edge.DequantizeLinear %kt : (tensor<2x8x4x!quant.uniform<u8:f32, 0.04:120>>) -> tensor<2x8x4xf32>
  %2 = edge.DequantizeLinear %v : (tensor<2x4x8x!quant.uniform<i8:f32, 0.03>>) -> tensor<2x4x8xf32>
  %3 = edge.Div %0, %c : (tensor<2x4x8xf32>, tensor<f32>) -> tensor<2x4x8xf32>
  %4 = edge.MatMul %3, %1 : (tensor<2x4x8xf32>, tensor<2x8x4xf32>) -> tensor<2x4x4xf32>
  %5 = edge.Add %4, %m : (tensor<2x4x4xf32>, tensor<1x4x4xf32>) -> tensor<2x4x4xf32>
  %6 = edge.Softmax %5 {axis = 2 : i64} : tensor<2x4x4xf32>
  %7 = edge.MatMul %6, %2 : (tensor<2x4x4xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %8 = edge.QuantizeLinear %7 : (tensor<2x4x8xf32>) -> tensor<2x4x8x!quant.uniform<i8:f32, 0.02:1>>
  return %8 : tensor<2x4x8x!quant.uniform<i8:f32, 0.02:1>>
}

// -----

// Scores times -0.5: the integer path's row maximum is the softmax's only for a positive
// factor, so the attention stays on the f32 arithmetic.
// CHECK-LABEL: func.func @negative_scale
// CHECK: edge.ScaledDotProductAttention %arg0, %arg1, %arg2 {key_transposed = 1 : i64, scale = -5.000000e-01 : f32}
func.func @negative_scale(%q: tensor<2x4x8x!quant.uniform<i8:f32, 0.05:-3>>, %kt: tensor<2x8x4x!quant.uniform<i8:f32, 0.04>>,
                          %v: tensor<2x4x8x!quant.uniform<i8:f32, 0.03>>) -> tensor<2x4x8xf32> {
  %c = edge.constant dense<-5.000000e-01> : tensor<f32>
  %0 = edge.DequantizeLinear %q : (tensor<2x4x8x!quant.uniform<i8:f32, 0.05:-3>>) -> tensor<2x4x8xf32>
  %1 = edge.DequantizeLinear %kt : (tensor<2x8x4x!quant.uniform<i8:f32, 0.04>>) -> tensor<2x8x4xf32>
  %2 = edge.DequantizeLinear %v : (tensor<2x4x8x!quant.uniform<i8:f32, 0.03>>) -> tensor<2x4x8xf32>
  %3 = edge.MatMul %0, %1 : (tensor<2x4x8xf32>, tensor<2x8x4xf32>) -> tensor<2x4x4xf32>
  %4 = edge.Mul %3, %c : (tensor<2x4x4xf32>, tensor<f32>) -> tensor<2x4x4xf32>
  %5 = edge.Softmax %4 {axis = 2 : i64} : tensor<2x4x4xf32>
  %6 = edge.MatMul %5, %2 : (tensor<2x4x4xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %6 : tensor<2x4x8xf32>
}
