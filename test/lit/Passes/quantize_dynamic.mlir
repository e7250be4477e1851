// RUN: edgec-opt %s -edge-quantize-dynamic | FileCheck %s
//
// INT8 dynamic: a Gemm x @ W^T + b with a constant weight becomes DynamicQuantizedMatMul
// with the weight transposed to [K, N] and quantized per column (N): W rows (N = 2) are
// {1, -0.5, 0.25} and {0.5, 0.125, -0.0625}: scales {1, 0.5} / 127, codes
// {127, -63.5 -> -64, 31.75 -> 32} and {127, 31.75 -> 32, -15.875 -> -16}, stored [K, N].
// CHECK-LABEL: func.func @gemm
// CHECK: %[[W:.+]] = edge.constant dense_resource<{{.+}}> : tensor<3x2x!quant.uniform<i8:f32:1, {0.0078740157{{[0-9]*}},0.0039370078{{[0-9]*}}}>>
// CHECK: %[[Y:.+]] = edge.DynamicQuantizedMatMul %arg0, %[[W]], %{{.+}} : (tensor<4x3xf32>, tensor<3x2x!quant.uniform<i8:f32:1, {{.+}}>>, tensor<2xf32>) -> tensor<4x2xf32>
// CHECK-NOT: edge.Gemm
// CHECK: return %[[Y]]
func.func @gemm(%x: tensor<4x3xf32>) -> tensor<4x2xf32> {
  %w = edge.constant dense<[[1.0, -0.5, 0.25], [0.5, 0.125, -0.0625]]> : tensor<2x3xf32>
  %b = edge.constant dense<[0.1, -0.2]> : tensor<2xf32>
  %y = edge.Gemm %x, %w, %b {alpha = 1.0 : f32, beta = 1.0 : f32, transA = 0 : i64, transB = 1 : i64}
      : (tensor<4x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}

// A MatMul of two activations, and a Gemm with alpha != 1, stay float.
// CHECK-LABEL: func.func @stays_float
// CHECK: edge.MatMul
// CHECK: edge.Gemm
// CHECK-NOT: edge.DynamicQuantizedMatMul
func.func @stays_float(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  %m = edge.MatMul %a, %b : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %w = edge.constant dense<1.0> : tensor<3x4xf32>
  %g = edge.Gemm %a, %w {alpha = 2.0 : f32, beta = 1.0 : f32, transA = 0 : i64, transB = 0 : i64}
      : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %m, %g : tensor<2x4xf32>, tensor<2x4xf32>
}

// The weight blob: codes in [K, N] order: 127, 127, -64, 32, 32, -16.
// CHECK: "0x080000007F7FC02020F0"
