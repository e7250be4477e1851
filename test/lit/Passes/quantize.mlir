// RUN: edgec-opt %s -edge-quantize | FileCheck %s
// RUN: edgec-opt %s -edge-quantize-pipeline | FileCheck %s --check-prefix=FOLD
//
// Calibration ranges -> QDQ pairs -> integer ops. Expected parameters, by hand:
//   input  [-1, 3]: scale 4 / 255 = 0.0156863, zero point round(-128 + 1 / scale) = -64
//   Gemm   [0.5, 6] -> [0, 6]: scale 6 / 255 = 0.0235294, zero point -128
//   weight columns (transB = 0: axis 1) max|w| = {1, 0.5}: scales {1, 0.5} / 127,
//          codes {1, 0.5; -0.5, 0.25} / scale = {127, 127; -63.5 -> -64, 63.5 -> 64}

// CHECK-LABEL: func.func @gemm
// CHECK: %[[XQ:.+]] = edge.QuantizeLinear %arg0 : (tensor<1x2xf32>) -> tensor<1x2x!quant.uniform<i8:f32, 0.015686274{{[0-9]*}}:-64>>
// CHECK: %[[XD:.+]] = edge.DequantizeLinear %[[XQ]]
// CHECK: %[[WQ:.+]] = edge.constant dense_resource<{{.+}}> : tensor<2x2x!quant.uniform<i8:f32:1, {0.0078740157{{[0-9]*}},0.0039370078{{[0-9]*}}}>>
// CHECK: %[[WD:.+]] = edge.DequantizeLinear %[[WQ]]
// CHECK: %[[G:.+]] = edge.Gemm %[[XD]], %[[WD]], %{{.+}}
// CHECK: %[[GQ:.+]] = edge.QuantizeLinear %[[G]] : (tensor<1x2xf32>) -> tensor<1x2x!quant.uniform<i8:f32, 0.023529411{{[0-9]*}}:-128>>
// CHECK: %[[GD:.+]] = edge.DequantizeLinear %[[GQ]]
// CHECK: %[[S:.+]] = edge.Softmax %[[GD]]
// CHECK-NOT: edge.QuantizeLinear
// CHECK-NOT: edge.calib_range
// CHECK: return %[[S]]

// FOLD-LABEL: func.func @gemm
// FOLD: %[[XQ:.+]] = edge.QuantizeLinear %arg0
// FOLD: %[[G:.+]] = edge.Gemm %[[XQ]], %{{.+}}, %{{.+}} {{.+}} -> tensor<1x2x!quant.uniform<i8:f32, 0.023529411{{[0-9]*}}:-128>>
// FOLD: %[[GD:.+]] = edge.DequantizeLinear %[[G]]
// FOLD: edge.Softmax %[[GD]]
func.func @gemm(%x: tensor<1x2xf32> {edge.calib_range = array<f32: -1.0, 3.0>}) -> tensor<1x2xf32> {
  %w = edge.constant dense<[[1.0, 0.5], [-0.5, 0.25]]> : tensor<2x2xf32>
  %b = edge.constant dense<[0.1, -0.2]> : tensor<2xf32>
  %g = edge.Gemm %x, %w, %b {alpha = 1.0 : f32, beta = 1.0 : f32, transA = 0 : i64, transB = 0 : i64, edge.calib_range = array<f32: 0.5, 6.0>}
      : (tensor<1x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  %s = edge.Softmax %g {axis = 1 : i64, edge.calib_range = array<f32: 0.0, 1.0>} : tensor<1x2xf32> -> tensor<1x2xf32>
  return %s : tensor<1x2xf32>
}

// Between two float ops nothing is quantized; an op whose result has no range stays
// float with its float weight.
// CHECK-LABEL: func.func @float_only
// CHECK-NOT: edge.QuantizeLinear
// CHECK: edge.Log
// CHECK-NOT: edge.QuantizeLinear
// CHECK: %[[W:.+]] = edge.constant dense<2.000000e+00> : tensor<1x1x1x1xf32>
// CHECK: edge.Conv %{{.+}}, %[[W]]
func.func @float_only(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %s = edge.Softmax %x {axis = 1 : i64, edge.calib_range = array<f32: 0.0, 1.0>} : tensor<1x1x2x2xf32> -> tensor<1x1x2x2xf32>
  %l = edge.Log %s {edge.calib_range = array<f32: -3.0, 0.0>} : tensor<1x1x2x2xf32>
  %w = edge.constant dense<[[[[2.0]]]]> : tensor<1x1x1x1xf32>
  %c = edge.Conv %l, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32>
  return %c : tensor<1x1x2x2xf32>
}

// Attention under static int8: the projection Gemm is integer; the MatMuls of two
// activations (Q K^T, P V), the K transpose, the scale, the mask Add and Softmax stay
// float (no pairs between them), so edge-fuse-attention can make them one float op; the output
// projection reads a quantized input again. An Add whose inputs are all float (a graph
// input and a constant) stays float too: quantizing it would cost more than it saves.
// CHECK-LABEL: func.func @attention
// CHECK: %[[A:.+]] = edge.Add %arg0, %{{.+}} : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
// CHECK: %[[AQ:.+]] = edge.QuantizeLinear %[[A]]
// CHECK: %[[AD:.+]] = edge.DequantizeLinear %[[AQ]]
// CHECK: %[[P:.+]] = edge.Gemm %[[AD]]
// CHECK: %[[PQ:.+]] = edge.QuantizeLinear %[[P]]
// CHECK: %[[PD:.+]] = edge.DequantizeLinear %[[PQ]]
// CHECK-NEXT: %[[T:.+]] = edge.Transpose %[[PD]] {{.+}} -> tensor<8x4xf32>
// CHECK-NEXT: %[[S:.+]] = edge.MatMul %[[PD]], %[[T]] : (tensor<4x8xf32>, tensor<8x4xf32>) -> tensor<4x4xf32>
// CHECK-NOT: edge.QuantizeLinear
// CHECK: %[[SC:.+]] = edge.Div %[[S]]
// CHECK-NOT: edge.QuantizeLinear
// CHECK: %[[M:.+]] = edge.Add %[[SC]], %{{.+}} : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
// CHECK-NEXT: %[[SM:.+]] = edge.Softmax %[[M]]
// CHECK-NEXT: %[[C:.+]] = edge.MatMul %[[SM]], %[[PD]] : (tensor<4x4xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT: %[[CQ:.+]] = edge.QuantizeLinear %[[C]]
// CHECK-NEXT: %[[CD:.+]] = edge.DequantizeLinear %[[CQ]]
// CHECK: edge.Gemm %[[CD]]

// FOLD-LABEL: func.func @attention
// FOLD: edge.Gemm {{.+}} -> tensor<4x8x!quant.uniform<i8:f32
// FOLD: edge.MatMul {{.+}} : (tensor<4x8xf32>, tensor<8x4xf32>) -> tensor<4x4xf32>
// FOLD: edge.MatMul {{.+}} : (tensor<4x4xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
// FOLD: edge.Gemm {{.+}} -> tensor<4x8x!quant.uniform<i8:f32
func.func @attention(%x: tensor<4x8xf32> {edge.calib_range = array<f32: -1.0, 1.0>}) -> tensor<4x8xf32> {
  %shift = edge.constant dense<0.5> : tensor<8xf32>
  %a = edge.Add %x, %shift {edge.calib_range = array<f32: -0.5, 1.5>} : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %w = edge.constant dense<0.25> : tensor<8x8xf32>
  %b = edge.constant dense<0.0> : tensor<8xf32>
  %p = edge.Gemm %a, %w, %b {alpha = 1.0 : f32, beta = 1.0 : f32, transA = 0 : i64, transB = 0 : i64, edge.calib_range = array<f32: -2.0, 2.0>}
      : (tensor<4x8xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %t = edge.Transpose %p {perm = array<i64: 1, 0>, edge.calib_range = array<f32: -2.0, 2.0>} : (tensor<4x8xf32>) -> tensor<8x4xf32>
  %s = edge.MatMul %p, %t {edge.calib_range = array<f32: -32.0, 32.0>} : (tensor<4x8xf32>, tensor<8x4xf32>) -> tensor<4x4xf32>
  %k = edge.constant dense<2.0> : tensor<f32>
  %sc = edge.Div %s, %k {edge.calib_range = array<f32: -16.0, 16.0>} : (tensor<4x4xf32>, tensor<f32>) -> tensor<4x4xf32>
  %mask = edge.constant dense<0.0> : tensor<4x4xf32>
  %m = edge.Add %sc, %mask {edge.calib_range = array<f32: -16.0, 16.0>} : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %sm = edge.Softmax %m {axis = 1 : i64, edge.calib_range = array<f32: 0.0, 1.0>} : tensor<4x4xf32> -> tensor<4x4xf32>
  %c = edge.MatMul %sm, %p {edge.calib_range = array<f32: -2.0, 2.0>} : (tensor<4x4xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %o = edge.Gemm %c, %w, %b {alpha = 1.0 : f32, beta = 1.0 : f32, transA = 0 : i64, transB = 0 : i64, edge.calib_range = array<f32: -4.0, 4.0>}
      : (tensor<4x8xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %o : tensor<4x8xf32>
}

// A GELU between two integer Gemms (x * 0.5 * (1 + erf(x / sqrt 2)), as torch exports
// it): a function of one activation with f32 scalar constants, so it stays float as a
// whole, with pairs at its input and its result only (no int8 Mul of x and 1 + erf between
// more pairs); edge-fuse-elementwise then makes it one table op.
// CHECK-LABEL: func.func @gelu
// CHECK: %[[G:.+]] = edge.Gemm
// CHECK-NEXT: %[[GQ:.+]] = edge.QuantizeLinear %[[G]]
// CHECK-NEXT: %[[GD:.+]] = edge.DequantizeLinear %[[GQ]]
// CHECK-NOT: edge.QuantizeLinear
// CHECK: %[[D:.+]] = edge.Div %[[GD]]
// CHECK-NEXT: %[[E:.+]] = edge.Erf %[[D]]
// CHECK-NEXT: %[[A:.+]] = edge.Add %[[E]]
// CHECK-NEXT: %[[M:.+]] = edge.Mul %[[GD]], %[[A]] : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
// CHECK-NEXT: %[[H:.+]] = edge.Mul %[[M]]
// CHECK-NEXT: %[[HQ:.+]] = edge.QuantizeLinear %[[H]]
// CHECK-NEXT: %[[HD:.+]] = edge.DequantizeLinear %[[HQ]]
// CHECK: edge.Gemm %[[HD]]

// FOLD-LABEL: func.func @gelu
// FOLD: edge.Gemm {{.+}} -> tensor<2x4x!quant.uniform<i8:f32
// FOLD: edge.DequantizeLinear
// FOLD-NOT: edge.QuantizeLinear
// FOLD: edge.Mul {{.+}} : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
// FOLD-NEXT: edge.QuantizeLinear
// FOLD-NEXT: edge.Gemm {{.+}} -> tensor<2x4x!quant.uniform<i8:f32
func.func @gelu(%x: tensor<2x4xf32> {edge.calib_range = array<f32: -1.0, 1.0>}) -> tensor<2x4xf32> {
  %w = edge.constant dense<0.25> : tensor<4x4xf32>
  %b = edge.constant dense<0.0> : tensor<4xf32>
  %g = edge.Gemm %x, %w, %b {alpha = 1.0 : f32, beta = 1.0 : f32, transA = 0 : i64, transB = 0 : i64, edge.calib_range = array<f32: -1.0, 1.0>}
      : (tensor<2x4xf32>, tensor<4x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %sqrt2 = edge.constant dense<1.41421354> : tensor<f32>
  %one = edge.constant dense<1.0> : tensor<f32>
  %half = edge.constant dense<0.5> : tensor<f32>
  %d = edge.Div %g, %sqrt2 {edge.calib_range = array<f32: -0.7, 0.7>} : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  %e = edge.Erf %d {edge.calib_range = array<f32: -0.7, 0.7>} : tensor<2x4xf32>
  %a = edge.Add %e, %one {edge.calib_range = array<f32: 0.3, 1.7>} : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  %m = edge.Mul %g, %a {edge.calib_range = array<f32: -0.3, 1.7>} : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %h = edge.Mul %m, %half {edge.calib_range = array<f32: -0.15, 0.85>} : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  %o = edge.Gemm %h, %w, %b {alpha = 1.0 : f32, beta = 1.0 : f32, transA = 0 : i64, transB = 0 : i64, edge.calib_range = array<f32: -1.0, 1.0>}
      : (tensor<2x4xf32>, tensor<4x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %o : tensor<2x4xf32>
}

// The quantize pipeline first fuses a Linear's MatMul and bias Add into one Gemm, which
// takes the Add's range: the bias becomes the int8 Gemm's int32 bias (no float Add
// between a DequantizeLinear and a QuantizeLinear). Rank 3 ([S, 1, d]): the rows
// flattened by a Reshape, which passes the int8 values through.
// FOLD-LABEL: func.func @linear_bias
// FOLD: %[[R:.+]] = edge.Reshape %arg0 : (tensor<3x1x4xf32>) -> tensor<3x4xf32>
// FOLD-NEXT: %[[XQ:.+]] = edge.QuantizeLinear %[[R]] {{.+}} -> tensor<3x4x!quant.uniform<i8:f32, 0.0078431372{{[0-9]*}}>>
// FOLD-NEXT: %[[G:.+]] = edge.Gemm %[[XQ]], %{{.+}}, %{{.+}} : (tensor<3x4x!quant.uniform<i8:f32, {{.+}}>>, tensor<4x2x!quant.uniform<i8:f32:1, {{.+}}>>, tensor<2x!quant.uniform<i32:f32:0, {{.+}}>>) -> tensor<3x2x!quant.uniform<i8:f32, 0.023529411{{[0-9]*}}:-128>>
// FOLD-NEXT: %[[GD:.+]] = edge.DequantizeLinear %[[G]]
// FOLD-NEXT: edge.Reshape %[[GD]] : (tensor<3x2xf32>) -> tensor<3x1x2xf32>
// FOLD-NOT: edge.Add
func.func @linear_bias(%x: tensor<3x1x4xf32> {edge.calib_range = array<f32: -1.0, 1.0>}) -> tensor<3x1x2xf32> {
  %w = edge.constant dense<[[1.0, 0.5], [-0.5, 0.25], [0.5, 0.5], [0.25, -1.0]]> : tensor<4x2xf32>
  %b = edge.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %m = edge.MatMul %x, %w {edge.calib_range = array<f32: -2.0, 2.0>} : (tensor<3x1x4xf32>, tensor<4x2xf32>) -> tensor<3x1x2xf32>
  %y = edge.Add %m, %b {edge.calib_range = array<f32: 0.0, 6.0>} : (tensor<3x1x2xf32>, tensor<2xf32>) -> tensor<3x1x2xf32>
  %s = edge.Softmax %y {axis = 2 : i64, edge.calib_range = array<f32: 0.0, 1.0>} : tensor<3x1x2xf32> -> tensor<3x1x2xf32>
  return %s : tensor<3x1x2xf32>
}

// @gemm's weight codes, in the resources after the functions: 127, 127, -64, 64.
// FOLD: "0x080000007F7FC040"
