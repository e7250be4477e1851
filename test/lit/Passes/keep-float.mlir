// RUN: edgec-opt %s -edge-mark-keep-float="patterns=^fc2$" 2>&1 | FileCheck %s --check-prefix=MARK
// RUN: edgec-opt %s -edge-mark-keep-float="ends=1" 2>&1 | FileCheck %s --check-prefix=ENDS
// RUN: edgec-opt %s -edge-mark-keep-float="patterns=nothing_like_this,fc1" 2>&1 | FileCheck %s --check-prefix=NOMATCH
// RUN: not edgec-opt %s -edge-mark-keep-float="patterns=*fc" 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: edgec-opt %s -edge-mark-keep-float="patterns=^fc2$" -edge-quantize-pipeline 2>/dev/null | FileCheck %s --check-prefix=INT8
// RUN: edgec-opt %s -edge-mark-keep-float="ends=1" -edge-quantize-pipeline 2>/dev/null | FileCheck %s --check-prefix=INT8ENDS
// RUN: edgec-opt %s -edge-mark-keep-float="patterns=^fc2$" -edge-convert-to-f16 2>/dev/null | FileCheck %s --check-prefix=F16
// RUN: edgec-opt %s -edge-mark-keep-float="ends=1" -edge-convert-to-f16 2>/dev/null | FileCheck %s --check-prefix=F16ENDS
//
// --keep-float / --keep-float-ends: ops whose location name matches (or the first and
// last Conv/Gemm/MatMul) get edge.keep_float, and every quantization pass leaves them in
// f32 with explicit quantize/dequantize (casts for fp16) where they meet quantized ops.
// Three Gemms fc1 -> fc2 -> fc3 with calibration ranges, each 4x4.

// MARK: remark: 1 op(s) kept float
// MARK: edge.Gemm
// MARK-NOT: keep_float
// MARK: edge.Relu
// MARK: edge.Gemm {{.+}}edge.keep_float
// MARK-NOT: keep_float
// MARK: return

// ENDS: remark: 2 op(s) kept float
// ENDS: edge.Gemm {{.+}}edge.keep_float
// ENDS: edge.Relu
// ENDS-NOT: keep_float
// ENDS: edge.Relu
// ENDS: edge.Gemm {{.+}}edge.keep_float

// NOMATCH: warning: --keep-float 'nothing_like_this' matches no node name
// NOMATCH: remark: 1 op(s) kept float

// BAD: error: --keep-float '*fc' is not a valid regular expression (ECMAScript)

// Static int8: fc1 and fc3 become integer Gemms (fc1 with relu1's parameters, zero point
// -128, which leaves relu1 the identity on codes: it goes); fc2 computes in f32 on fc1's
// dequantized output, its weight stays f32, and relu2, which reads only fc2's float
// result, stays float too: its result is quantized for fc3.
// INT8-LABEL: func.func @three
// INT8: %[[G1:.+]] = edge.Gemm {{.+}} -> tensor<1x4x!quant.uniform<i8:f32, {{.+}}:-128>>
// INT8-NOT: edge.Relu %[[G1]]
// INT8: %[[D1:.+]] = edge.DequantizeLinear %[[G1]]
// INT8: %[[G2:.+]] = edge.Gemm %[[D1]], {{.+}}edge.keep_float{{.+}} : (tensor<1x4xf32>, tensor<4x4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
// INT8: %[[R2:.+]] = edge.Relu %[[G2]] : tensor<1x4xf32>
// INT8: %[[Q2:.+]] = edge.QuantizeLinear %[[R2]] {{.+}} -> tensor<1x4x!quant.uniform<i8:f32
// INT8: edge.Gemm %[[Q2]], {{.+}} -> tensor<1x4x!quant.uniform<i8:f32
// INT8: edge.DequantizeLinear
// INT8: return

// With the ends kept: the input goes to fc1 as f32, fc2 is the only integer Gemm.
// INT8ENDS-LABEL: func.func @three
// INT8ENDS: %[[G1:.+]] = edge.Gemm %arg0, {{.+}}edge.keep_float{{.+}} -> tensor<1x4xf32>
// INT8ENDS: edge.QuantizeLinear
// INT8ENDS: edge.Gemm {{.+}} -> tensor<1x4x!quant.uniform<i8:f32
// INT8ENDS: %[[D:.+]] = edge.DequantizeLinear
// INT8ENDS: edge.Gemm %[[D]], {{.+}}edge.keep_float{{.+}} -> tensor<1x4xf32>
// INT8ENDS-NOT: edge.QuantizeLinear
// INT8ENDS: return

// fp16: fc2 reads fc1's Relu cast back to f32, keeps its f32 weight, and its result is
// cast to f16 for the next Relu.
// F16-LABEL: func.func @three
// F16: %[[R1:.+]] = edge.Relu {{.+}} : tensor<1x4xf16>
// F16: %[[C:.+]] = edge.Cast %[[R1]] : (tensor<1x4xf16>) -> tensor<1x4xf32>
// F16: %[[G2:.+]] = edge.Gemm %[[C]], %{{.+}}, %{{.+}} {{.+}}edge.keep_float{{.+}} : (tensor<1x4xf32>, tensor<4x4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
// F16: %[[H:.+]] = edge.Cast %[[G2]] : (tensor<1x4xf32>) -> tensor<1x4xf16>
// F16: edge.Relu %[[H]] {{.*}}: tensor<1x4xf16>
// F16: return

// With both ends kept, the input goes straight to fc1 (no Cast of it), and fc3's f32
// result is returned as it is.
// F16ENDS-LABEL: func.func @three
// F16ENDS-NOT: edge.Cast %arg0
// F16ENDS: %[[G1:.+]] = edge.Gemm %arg0, {{.+}}edge.keep_float{{.+}} -> tensor<1x4xf32>
// F16ENDS: edge.Cast %[[G1]] : (tensor<1x4xf32>) -> tensor<1x4xf16>
// F16ENDS: %[[G3:.+]] = edge.Gemm {{.+}}edge.keep_float{{.+}} -> tensor<1x4xf32>
// F16ENDS-NOT: edge.Cast
// F16ENDS: return %[[G3]]
func.func @three(%x: tensor<1x4xf32> {edge.calib_range = array<f32: -1.0, 1.0>}) -> tensor<1x4xf32> {
  %w1 = edge.constant dense<[[1.0, 0.5, -0.5, 0.25], [0.5, 0.125, -0.0625, 1.0], [0.3, -0.2, 0.1, 0.4], [-1.0, 0.5, 0.75, 0.2]]> : tensor<4x4xf32> loc("fc1.w")
  %b1 = edge.constant dense<[0.1, -0.2, 0.3, 0.0]> : tensor<4xf32> loc("fc1.b")
  %g1 = edge.Gemm %x, %w1, %b1 {alpha = 1.0 : f32, beta = 1.0 : f32, transA = 0 : i64, transB = 1 : i64, edge.calib_range = array<f32: -2.0, 2.0>}
      : (tensor<1x4xf32>, tensor<4x4xf32>, tensor<4xf32>) -> tensor<1x4xf32> loc("fc1")
  %r1 = edge.Relu %g1 {edge.calib_range = array<f32: 0.0, 2.0>} : tensor<1x4xf32> loc("relu1")
  %w2 = edge.constant dense<[[0.5, 0.5, -0.5, 0.25], [0.5, 0.25, -0.0625, 1.0], [0.3, -0.2, 0.1, 0.4], [-1.0, 0.5, 0.75, 0.2]]> : tensor<4x4xf32> loc("fc2.w")
  %b2 = edge.constant dense<[0.1, -0.2, 0.3, 0.0]> : tensor<4xf32> loc("fc2.b")
  %g2 = edge.Gemm %r1, %w2, %b2 {alpha = 1.0 : f32, beta = 1.0 : f32, transA = 0 : i64, transB = 1 : i64, edge.calib_range = array<f32: -3.0, 3.0>}
      : (tensor<1x4xf32>, tensor<4x4xf32>, tensor<4xf32>) -> tensor<1x4xf32> loc("fc2")
  %r2 = edge.Relu %g2 {edge.calib_range = array<f32: 0.0, 3.0>} : tensor<1x4xf32> loc("relu2")
  %w3 = edge.constant dense<[[0.25, 0.5, -0.5, 0.25], [0.5, 0.125, -0.5, 1.0], [0.3, -0.2, 0.1, 0.4], [-1.0, 0.5, 0.75, 0.2]]> : tensor<4x4xf32> loc("fc3.w")
  %b3 = edge.constant dense<[0.1, -0.2, 0.3, 0.0]> : tensor<4xf32> loc("fc3.b")
  %g3 = edge.Gemm %r2, %w3, %b3 {alpha = 1.0 : f32, beta = 1.0 : f32, transA = 0 : i64, transB = 1 : i64, edge.calib_range = array<f32: -4.0, 4.0>}
      : (tensor<1x4xf32>, tensor<4x4xf32>, tensor<4xf32>) -> tensor<1x4xf32> loc("fc3")
  return %g3 : tensor<1x4xf32>
}
