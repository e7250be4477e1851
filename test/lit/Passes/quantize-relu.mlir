// RUN: edgec-opt %s -edge-quantize | FileCheck %s
// RUN: edgec-opt %s -edge-quantize-pipeline | FileCheck %s --check-prefix=FOLD
//
// An op whose only user is a Relu takes the Relu's parameters when their zero point is the
// lowest code (as ONNX Runtime's quantizer removes such an activation): the op's
// requantization then clamps at real 0, and the Relu, from and to that one type, is the
// identity on codes, which edge-fold-qdq removes. Parameters, by hand:
//   x     [-1, 3]: scale 4 / 255 = 0.0156863, zero point round(-128 + 1 / scale) = -64
//   Gemm  [-2, 4]: scale 6 / 255 = 0.0235294, zero point round(-128 + 2 / scale) = -43
//   Add   [-3, 5]: scale 8 / 255 = 0.0313725, zero point round(-128 + 3 / scale) = -32
//   Relu  [0, 5]:  scale 5 / 255 = 0.0196078, zero point -128 (the lowest i8 code)

// The Add takes the Relu's type; after folding, no Relu is left.
// CHECK-LABEL: func.func @add_relu
// CHECK: %[[A:.+]] = edge.Add %{{.+}}, %{{.+}} : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
// CHECK: %[[AQ:.+]] = edge.QuantizeLinear %[[A]] : (tensor<1x2xf32>) -> tensor<1x2x!quant.uniform<i8:f32, 0.019607843{{[0-9]*}}:-128>>
// CHECK: %[[AD:.+]] = edge.DequantizeLinear %[[AQ]]
// CHECK: %[[R:.+]] = edge.Relu %[[AD]]
// CHECK: edge.QuantizeLinear %[[R]] : (tensor<1x2xf32>) -> tensor<1x2x!quant.uniform<i8:f32, 0.019607843{{[0-9]*}}:-128>>
// FOLD-LABEL: func.func @add_relu
// FOLD: %[[XQ:.+]] = edge.QuantizeLinear %arg0
// FOLD: %[[G:.+]] = edge.Gemm %[[XQ]], %{{.+}}, %{{.+}} {{.+}} -> tensor<1x2x!quant.uniform<i8:f32, 0.023529411{{[0-9]*}}:-43>>
// FOLD: %[[A:.+]] = edge.Add %[[G]], %[[XQ]] : ({{.+}}) -> tensor<1x2x!quant.uniform<i8:f32, 0.019607843{{[0-9]*}}:-128>>
// FOLD-NOT: edge.Relu
// FOLD: %[[D:.+]] = edge.DequantizeLinear %[[A]]
// FOLD-NOT: edge.Relu
// FOLD: return %[[D]]
func.func @add_relu(%x: tensor<1x2xf32> {edge.calib_range = array<f32: -1.0, 3.0>}) -> tensor<1x2xf32> {
  %w = edge.constant dense<[[1.0, 0.5], [-0.5, 0.25]]> : tensor<2x2xf32>
  %b = edge.constant dense<[0.1, -0.2]> : tensor<2xf32>
  %g = edge.Gemm %x, %w, %b {alpha = 1.0 : f32, beta = 1.0 : f32, transA = 0 : i64, transB = 0 : i64, edge.calib_range = array<f32: -2.0, 4.0>}
      : (tensor<1x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  %a = edge.Add %g, %x {edge.calib_range = array<f32: -3.0, 5.0>} : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  %r = edge.Relu %a {edge.calib_range = array<f32: 0.0, 5.0>} : tensor<1x2xf32> -> tensor<1x2xf32>
  return %r : tensor<1x2xf32>
}

// The Add's result is read by the Relu and by something else (here the return): the Add
// keeps its own parameters, and the Relu stays (a table op from the Add's type to its own).
// FOLD-LABEL: func.func @add_relu_shared
// FOLD: %[[A:.+]] = edge.Add {{.+}} -> tensor<1x2x!quant.uniform<i8:f32, 0.031372549{{[0-9]*}}:-32>>
// FOLD: %[[R:.+]] = edge.Relu %[[A]] : tensor<1x2x!quant.uniform<i8:f32, 0.031372549{{[0-9]*}}:-32>> -> tensor<1x2x!quant.uniform<i8:f32, 0.019607843{{[0-9]*}}:-128>>
func.func @add_relu_shared(%x: tensor<1x2xf32> {edge.calib_range = array<f32: -1.0, 3.0>}) -> (tensor<1x2xf32>, tensor<1x2xf32>) {
  %w = edge.constant dense<[[1.0, 0.5], [-0.5, 0.25]]> : tensor<2x2xf32>
  %b = edge.constant dense<[0.1, -0.2]> : tensor<2xf32>
  %g = edge.Gemm %x, %w, %b {alpha = 1.0 : f32, beta = 1.0 : f32, transA = 0 : i64, transB = 0 : i64, edge.calib_range = array<f32: -2.0, 4.0>}
      : (tensor<1x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  %a = edge.Add %g, %x {edge.calib_range = array<f32: -3.0, 5.0>} : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  %r = edge.Relu %a {edge.calib_range = array<f32: 0.0, 5.0>} : tensor<1x2xf32> -> tensor<1x2xf32>
  return %r, %a : tensor<1x2xf32>, tensor<1x2xf32>
}

// A Relu range reaching below 0 (not what calibration records for a Relu, but a range
// may say so) gives a zero point above the lowest code, -128 + 0.5 / (5.5 / 255) = -104.8
// -> -105: the Relu is not the Add's clamp, so the Add keeps its own parameters.
// FOLD-LABEL: func.func @relu_zero_point
// FOLD: %[[A:.+]] = edge.Add {{.+}} -> tensor<1x2x!quant.uniform<i8:f32, 0.031372549{{[0-9]*}}:-32>>
// FOLD: %[[R:.+]] = edge.Relu %[[A]] : tensor<{{.+}}> -> tensor<1x2x!quant.uniform<i8:f32, 0.021568627{{[0-9]*}}:-105>>
func.func @relu_zero_point(%x: tensor<1x2xf32> {edge.calib_range = array<f32: -1.0, 3.0>}) -> tensor<1x2xf32> {
  %w = edge.constant dense<[[1.0, 0.5], [-0.5, 0.25]]> : tensor<2x2xf32>
  %b = edge.constant dense<[0.1, -0.2]> : tensor<2xf32>
  %g = edge.Gemm %x, %w, %b {alpha = 1.0 : f32, beta = 1.0 : f32, transA = 0 : i64, transB = 0 : i64, edge.calib_range = array<f32: -2.0, 4.0>}
      : (tensor<1x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  %a = edge.Add %g, %x {edge.calib_range = array<f32: -3.0, 5.0>} : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  %r = edge.Relu %a {edge.calib_range = array<f32: -0.5, 5.0>} : tensor<1x2xf32> -> tensor<1x2xf32>
  return %r : tensor<1x2xf32>
}

// A Relu kept float (--keep-float) is not folded into anything: the Add keeps its own
// parameters.
// FOLD-LABEL: func.func @relu_kept_float
// FOLD: %[[A:.+]] = edge.Add {{.+}} -> tensor<1x2x!quant.uniform<i8:f32, 0.031372549{{[0-9]*}}:-32>>
// FOLD: %[[D:.+]] = edge.DequantizeLinear %[[A]]
// FOLD: edge.Relu %[[D]] {edge.keep_float} : tensor<1x2xf32>
func.func @relu_kept_float(%x: tensor<1x2xf32> {edge.calib_range = array<f32: -1.0, 3.0>}) -> tensor<1x2xf32> {
  %w = edge.constant dense<[[1.0, 0.5], [-0.5, 0.25]]> : tensor<2x2xf32>
  %b = edge.constant dense<[0.1, -0.2]> : tensor<2xf32>
  %g = edge.Gemm %x, %w, %b {alpha = 1.0 : f32, beta = 1.0 : f32, transA = 0 : i64, transB = 0 : i64, edge.calib_range = array<f32: -2.0, 4.0>}
      : (tensor<1x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  %a = edge.Add %g, %x {edge.calib_range = array<f32: -3.0, 5.0>} : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  %r = edge.Relu %a {edge.keep_float, edge.calib_range = array<f32: 0.0, 5.0>} : tensor<1x2xf32> -> tensor<1x2xf32>
  return %r : tensor<1x2xf32>
}
