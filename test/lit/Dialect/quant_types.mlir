// RUN: edgec-opt %s | edgec-opt | FileCheck %s
// RUN: edgec-opt %s -mlir-print-op-generic | edgec-opt | FileCheck %s
//
// Quantized tensors through the edge ops: per-tensor and per-axis `!quant.uniform`
// element types, group-wise weights (edge.DequantizeBlockwise) and GGUF blocks
// (`!edge.block`). Verifiers compare storage types, so scales may differ where the
// kernel requantizes; data movement remaps a per-axis quantized dimension.

!a8 = !quant.uniform<i8:f32, 0.02:3>
!b8 = !quant.uniform<i8:f32, 0.05:-2>
!u8 = !quant.uniform<u8:f32, 0.1:128>
!u8s = !quant.uniform<u8:f32, 0.02:128>
!w0 = !quant.uniform<i8:f32:0, {0.1,0.2}>
!w1 = !quant.uniform<i8:f32:1, {0.1,0.2,0.3}>
!acc = !quant.uniform<i32:f32:0, {0.002,0.004}>

// CHECK-LABEL: func.func @parse
// CHECK-SAME: tensor<4x!quant.uniform<i8:f32, 2.000000e-02:3>>
// CHECK-SAME: tensor<2x3x!quant.uniform<i8:f32:1, {1.000000e-01,2.000000e-01,3.000000e-01}>>
func.func @parse(%a: tensor<4x!a8>, %w: tensor<2x3x!w1>) -> (tensor<4x!a8>, tensor<2x3x!w1>) {
  return %a, %w : tensor<4x!a8>, tensor<2x3x!w1>
}

// CHECK-LABEL: func.func @constants
func.func @constants() -> (tensor<2x3x!w1>, tensor<2x32x!edge.block<"q4_0">>, tensor<1x256x!edge.block<"q6_k">>) {
  // CHECK: edge.constant dense_resource<w> : tensor<2x3x!quant.uniform<i8:f32:1, {1.000000e-01,2.000000e-01,3.000000e-01}>>
  %0 = edge.constant dense_resource<w> : tensor<2x3x!w1>
  // CHECK: edge.constant dense_resource<q4> : tensor<2x32x!edge.block<"q4_0">>
  %1 = edge.constant dense_resource<q4> : tensor<2x32x!edge.block<"q4_0">>
  // CHECK: edge.constant dense_resource<q6> : tensor<1x256x!edge.block<"q6_k">>
  %2 = edge.constant dense_resource<q6> : tensor<1x256x!edge.block<"q6_k">>
  return %0, %1, %2 : tensor<2x3x!w1>, tensor<2x32x!edge.block<"q4_0">>, tensor<1x256x!edge.block<"q6_k">>
}

// Every GGUF format of the dtype table parses (block sizes 32 and 256).
// CHECK-LABEL: func.func @block_formats
// CHECK-SAME: !edge.block<"q4_0">
// CHECK-SAME: !edge.block<"q4_1">
// CHECK-SAME: !edge.block<"q5_0">
// CHECK-SAME: !edge.block<"q5_1">
// CHECK-SAME: !edge.block<"q8_0">
// CHECK-SAME: !edge.block<"q2_k">
// CHECK-SAME: !edge.block<"q3_k">
// CHECK-SAME: !edge.block<"q4_k">
// CHECK-SAME: !edge.block<"q5_k">
// CHECK-SAME: !edge.block<"q6_k">
// CHECK-SAME: !edge.block<"iq4_nl">
// CHECK-SAME: !edge.block<"iq4_xs">
func.func @block_formats(%a: tensor<32x!edge.block<"q4_0">>, %b: tensor<32x!edge.block<"q4_1">>,
                         %c: tensor<32x!edge.block<"q5_0">>, %d: tensor<32x!edge.block<"q5_1">>,
                         %e: tensor<64x!edge.block<"q8_0">>, %f: tensor<256x!edge.block<"q2_k">>,
                         %g: tensor<256x!edge.block<"q3_k">>, %h: tensor<512x!edge.block<"q4_k">>,
                         %i: tensor<256x!edge.block<"q5_k">>, %j: tensor<256x!edge.block<"q6_k">>,
                         %k: tensor<64x!edge.block<"iq4_nl">>, %l: tensor<256x!edge.block<"iq4_xs">>) {
  return
}

// A GGUF constant with its blob (at the end of the file): 2 rows of one q8_0 block,
// 34 bytes each (an f16 scale, 32 int8 codes).
// CHECK-LABEL: func.func @block_blob
// CHECK: edge.constant dense_resource<q8_blob> : tensor<2x32x!edge.block<"q8_0">>
func.func @block_blob() -> tensor<2x32x!edge.block<"q8_0">> {
  %0 = edge.constant dense_resource<q8_blob> : tensor<2x32x!edge.block<"q8_0">>
  return %0 : tensor<2x32x!edge.block<"q8_0">>
}

// CHECK-LABEL: func.func @elementwise
func.func @elementwise(%a: tensor<2x3x!a8>, %b: tensor<3x!b8>, %lo: tensor<f32>, %hi: tensor<f32>)
    -> (tensor<2x3x!b8>, tensor<2x3x!a8>, tensor<2x3x!a8>) {
  // Operands with different scales; the result has its own.
  // CHECK: edge.Add %{{.+}}, %{{.+}} : (tensor<2x3x!quant.uniform<i8:f32, 2.000000e-02:3>>, tensor<3x!quant.uniform<i8:f32, 5.000000e-02:-2>>) -> tensor<2x3x!quant.uniform<i8:f32, 5.000000e-02:-2>>
  %0 = edge.Add %a, %b : (tensor<2x3x!a8>, tensor<3x!b8>) -> tensor<2x3x!b8>
  // CHECK: edge.Mul %{{.+}}, %{{.+}} : (tensor<2x3x!quant.uniform<i8:f32, 5.000000e-02:-2>>, tensor<2x3x!quant.uniform<i8:f32, 2.000000e-02:3>>) -> tensor<2x3x!quant.uniform<i8:f32, 5.000000e-02:-2>>
  %1 = edge.Mul %0, %a : (tensor<2x3x!b8>, tensor<2x3x!a8>) -> tensor<2x3x!b8>
  // CHECK: edge.Relu %{{.+}} : tensor<2x3x!quant.uniform<i8:f32, 2.000000e-02:3>>{{$}}
  %2 = edge.Relu %a : tensor<2x3x!a8>
  // A quantized Sigmoid's result has the fixed output range of int8 kernels.
  // CHECK: edge.Sigmoid %{{.+}} : tensor<2x3x!quant.uniform<i8:f32, 2.000000e-02:3>> -> tensor<2x3x!quant.uniform<i8:f32, 3.906250e-03:-128>>
  %3 = edge.Sigmoid %2 : tensor<2x3x!a8> -> tensor<2x3x!quant.uniform<i8:f32, 0.00390625:-128>>
  // Clip bounds are real values (the expressed type).
  // CHECK: edge.Clip %{{.+}} min %{{.+}} max %{{.+}} : (tensor<2x3x!quant.uniform<i8:f32, 2.000000e-02:3>>, tensor<f32>, tensor<f32>) -> tensor<2x3x!quant.uniform<i8:f32, 2.000000e-02:3>>
  %4 = edge.Clip %a min %lo max %hi : (tensor<2x3x!a8>, tensor<f32>, tensor<f32>) -> tensor<2x3x!a8>
  // CHECK: edge.Softmax %{{.+}} {axis = 1 : i64} : tensor<2x3x!quant.uniform<i8:f32, 2.000000e-02:3>>{{$}}
  %5 = edge.Softmax %a {axis = 1 : i64} : tensor<2x3x!a8>
  return %1, %4, %5 : tensor<2x3x!b8>, tensor<2x3x!a8>, tensor<2x3x!a8>
}

// CHECK-LABEL: func.func @contractions
func.func @contractions(%x: tensor<1x3x5x5x!u8s>, %w: tensor<2x3x3x3x!w0>, %bias: tensor<2x!acc>,
                        %a: tensor<4x2x!a8>, %m: tensor<2x3x!w1>, %bt: tensor<2x2x!w0>)
    -> (tensor<1x2x3x3x!b8>, tensor<4x3x!b8>, tensor<4x2x!b8>) {
  // u8 activations, i8 weights per output channel, i32 bias (as ONNX QLinearConv) whose
  // scales are the input's times the weight's: 0.02 * {0.1, 0.2}.
  // CHECK: edge.Conv %{{.+}}, %{{.+}}, %{{.+}} {{.+}} : (tensor<1x3x5x5x!quant.uniform<u8:f32, 2.000000e-02:128>>, tensor<2x3x3x3x!quant.uniform<i8:f32:0, {1.000000e-01,2.000000e-01}>>, tensor<2x!quant.uniform<i32:f32:0, {2.000000e-03,4.000000e-03}>>) -> tensor<1x2x3x3x!quant.uniform<i8:f32, 5.000000e-02:-2>>
  %0 = edge.Conv %x, %w, %bias {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x3x5x5x!u8s>, tensor<2x3x3x3x!w0>, tensor<2x!acc>) -> tensor<1x2x3x3x!b8>
  // B per-axis along its columns.
  // CHECK: edge.MatMul %{{.+}}, %{{.+}} : (tensor<4x2x!quant.uniform<i8:f32, 2.000000e-02:3>>, tensor<2x3x!quant.uniform<i8:f32:1, {1.000000e-01,2.000000e-01,3.000000e-01}>>) -> tensor<4x3x!quant.uniform<i8:f32, 5.000000e-02:-2>>
  %1 = edge.MatMul %a, %m : (tensor<4x2x!a8>, tensor<2x3x!w1>) -> tensor<4x3x!b8>
  // transB: B's output channels are its dim 0.
  // CHECK: edge.Gemm %{{.+}}, %{{.+}}, %{{.+}} {transB = 1 : i64} : (tensor<4x2x!quant.uniform<i8:f32, 2.000000e-02:3>>, tensor<2x2x!quant.uniform<i8:f32:0, {1.000000e-01,2.000000e-01}>>, tensor<2x!quant.uniform<i32:f32:0, {2.000000e-03,4.000000e-03}>>) -> tensor<4x2x!quant.uniform<i8:f32, 5.000000e-02:-2>>
  %2 = edge.Gemm %a, %bt, %bias {transB = 1 : i64} : (tensor<4x2x!a8>, tensor<2x2x!w0>, tensor<2x!acc>) -> tensor<4x2x!b8>
  return %0, %1, %2 : tensor<1x2x3x3x!b8>, tensor<4x3x!b8>, tensor<4x2x!b8>
}

// A per-tensor bias with a per-tensor weight: 0.02 * 0.05 = 0.001.
// CHECK-LABEL: func.func @per_tensor_bias
func.func @per_tensor_bias(%a: tensor<4x2x!a8>, %b: tensor<2x3x!b8>, %c: tensor<3x!quant.uniform<i32:f32, 0.001>>)
    -> tensor<4x3x!a8> {
  // CHECK: edge.Gemm %{{.+}}, %{{.+}}, %{{.+}} : (tensor<4x2x!quant.uniform<i8:f32, 2.000000e-02:3>>, tensor<2x3x!quant.uniform<i8:f32, 5.000000e-02:-2>>, tensor<3x!quant.uniform<i32:f32, 1.000000e-03>>) -> tensor<4x3x!quant.uniform<i8:f32, 2.000000e-02:3>>
  %0 = edge.Gemm %a, %b, %c : (tensor<4x2x!a8>, tensor<2x3x!b8>, tensor<3x!quant.uniform<i32:f32, 0.001>>) -> tensor<4x3x!a8>
  return %0 : tensor<4x3x!a8>
}

// LeakyRelu, HardSigmoid and HardSwish as Relu: storage types compared, the result may
// have its own scale (printed only when it differs).
// CHECK-LABEL: func.func @activations
func.func @activations(%a: tensor<2x3x!a8>) -> (tensor<2x3x!a8>, tensor<2x3x!b8>, tensor<2x3x!b8>) {
  // CHECK: edge.LeakyRelu %{{.+}} {alpha = 1.000000e-01 : f32} : tensor<2x3x!quant.uniform<i8:f32, 2.000000e-02:3>>{{$}}
  %0 = edge.LeakyRelu %a {alpha = 0.1 : f32} : tensor<2x3x!a8>
  // CHECK: edge.HardSigmoid %{{.+}} {alpha = 2.000000e-01 : f32, beta = 5.000000e-01 : f32} : tensor<2x3x!quant.uniform<i8:f32, 2.000000e-02:3>> -> tensor<2x3x!quant.uniform<i8:f32, 5.000000e-02:-2>>
  %1 = edge.HardSigmoid %0 {alpha = 0.2 : f32, beta = 0.5 : f32} : tensor<2x3x!a8> -> tensor<2x3x!b8>
  // CHECK: edge.HardSwish %{{.+}} : tensor<2x3x!quant.uniform<i8:f32, 2.000000e-02:3>> -> tensor<2x3x!quant.uniform<i8:f32, 5.000000e-02:-2>>
  %2 = edge.HardSwish %a : tensor<2x3x!a8> -> tensor<2x3x!b8>
  return %0, %1, %2 : tensor<2x3x!a8>, tensor<2x3x!b8>, tensor<2x3x!b8>
}

// Min, Max, Sum and Mean: each operand with its own scale, as Add's.
// CHECK-LABEL: func.func @variadic
func.func @variadic(%a: tensor<2x3x!a8>, %b: tensor<3x!b8>) -> (tensor<2x3x!a8>, tensor<2x3x!b8>, tensor<2x3x!b8>, tensor<2x3x!a8>) {
  // CHECK: edge.Min %{{.+}}, %{{.+}} : (tensor<2x3x!quant.uniform<i8:f32, 2.000000e-02:3>>, tensor<3x!quant.uniform<i8:f32, 5.000000e-02:-2>>) -> tensor<2x3x!quant.uniform<i8:f32, 2.000000e-02:3>>
  %0 = edge.Min %a, %b : (tensor<2x3x!a8>, tensor<3x!b8>) -> tensor<2x3x!a8>
  // CHECK: edge.Max %{{.+}}, %{{.+}} : (tensor<3x!quant.uniform<i8:f32, 5.000000e-02:-2>>, tensor<2x3x!quant.uniform<i8:f32, 2.000000e-02:3>>) -> tensor<2x3x!quant.uniform<i8:f32, 5.000000e-02:-2>>
  %1 = edge.Max %b, %a : (tensor<3x!b8>, tensor<2x3x!a8>) -> tensor<2x3x!b8>
  // CHECK: edge.Sum %{{.+}}, %{{.+}}, %{{.+}} : (tensor<2x3x!quant.uniform<i8:f32, 2.000000e-02:3>>, tensor<3x!quant.uniform<i8:f32, 5.000000e-02:-2>>, tensor<2x3x!quant.uniform<i8:f32, 2.000000e-02:3>>) -> tensor<2x3x!quant.uniform<i8:f32, 5.000000e-02:-2>>
  %2 = edge.Sum %a, %b, %0 : (tensor<2x3x!a8>, tensor<3x!b8>, tensor<2x3x!a8>) -> tensor<2x3x!b8>
  // CHECK: edge.Mean %{{.+}} : (tensor<2x3x!quant.uniform<i8:f32, 2.000000e-02:3>>) -> tensor<2x3x!quant.uniform<i8:f32, 2.000000e-02:3>>
  %3 = edge.Mean %a : (tensor<2x3x!a8>) -> tensor<2x3x!a8>
  return %0, %1, %2, %3 : tensor<2x3x!a8>, tensor<2x3x!b8>, tensor<2x3x!b8>, tensor<2x3x!a8>
}

// ReduceMax/ReduceMin keep the input's scale or have their own, ReduceSum/ReduceMean
// have their own; a per-axis input reduced along another dim keeps its scales, with
// the quantized dimension moved past the dropped dims.
// CHECK-LABEL: func.func @reductions
func.func @reductions(%a: tensor<2x3x!a8>, %w: tensor<4x3x2x!w1>)
    -> (tensor<2x!a8>, tensor<1x3x!b8>, tensor<2x1x!b8>, tensor<!b8>, tensor<3x!quant.uniform<i8:f32:0, {0.1,0.2,0.3}>>, tensor<1x3x1x!w1>) {
  // CHECK: edge.ReduceMax %{{.+}} {axes = array<i64: 1>, keepdims = 0 : i64} : (tensor<2x3x!quant.uniform<i8:f32, 2.000000e-02:3>>) -> tensor<2x!quant.uniform<i8:f32, 2.000000e-02:3>>
  %0 = edge.ReduceMax %a {axes = array<i64: 1>, keepdims = 0 : i64} : (tensor<2x3x!a8>) -> tensor<2x!a8>
  // CHECK: edge.ReduceMin %{{.+}} {axes = array<i64: 0>, keepdims = 1 : i64} : (tensor<2x3x!quant.uniform<i8:f32, 2.000000e-02:3>>) -> tensor<1x3x!quant.uniform<i8:f32, 5.000000e-02:-2>>
  %1 = edge.ReduceMin %a {axes = array<i64: 0>, keepdims = 1 : i64} : (tensor<2x3x!a8>) -> tensor<1x3x!b8>
  // CHECK: edge.ReduceMean %{{.+}} {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x3x!quant.uniform<i8:f32, 2.000000e-02:3>>) -> tensor<2x1x!quant.uniform<i8:f32, 5.000000e-02:-2>>
  %2 = edge.ReduceMean %a {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x3x!a8>) -> tensor<2x1x!b8>
  // CHECK: edge.ReduceSum %{{.+}} {axes = array<i64>, keepdims = 0 : i64} : (tensor<2x3x!quant.uniform<i8:f32, 2.000000e-02:3>>) -> tensor<!quant.uniform<i8:f32, 5.000000e-02:-2>>
  %3 = edge.ReduceSum %a {axes = array<i64>, keepdims = 0 : i64} : (tensor<2x3x!a8>) -> tensor<!b8>
  // CHECK: edge.ReduceMax %{{.+}} {axes = array<i64: 0, 2>, keepdims = 0 : i64} : (tensor<4x3x2x!quant.uniform<i8:f32:1, {1.000000e-01,2.000000e-01,3.000000e-01}>>) -> tensor<3x!quant.uniform<i8:f32:0, {1.000000e-01,2.000000e-01,3.000000e-01}>>
  %4 = edge.ReduceMax %w {axes = array<i64: 0, 2>, keepdims = 0 : i64} : (tensor<4x3x2x!w1>) -> tensor<3x!quant.uniform<i8:f32:0, {0.1,0.2,0.3}>>
  // CHECK: edge.ReduceMean %{{.+}} {axes = array<i64: 0, 2>, keepdims = 1 : i64} : (tensor<4x3x2x!quant.uniform<i8:f32:1, {1.000000e-01,2.000000e-01,3.000000e-01}>>) -> tensor<1x3x1x!quant.uniform<i8:f32:1, {1.000000e-01,2.000000e-01,3.000000e-01}>>
  %5 = edge.ReduceMean %w {axes = array<i64: 0, 2>, keepdims = 1 : i64} : (tensor<4x3x2x!w1>) -> tensor<1x3x1x!w1>
  return %0, %1, %2, %3, %4, %5 : tensor<2x!a8>, tensor<1x3x!b8>, tensor<2x1x!b8>, tensor<!b8>, tensor<3x!quant.uniform<i8:f32:0, {0.1,0.2,0.3}>>, tensor<1x3x1x!w1>
}

// CHECK-LABEL: func.func @pools
func.func @pools(%x: tensor<1x2x4x4x!a8>) -> (tensor<1x2x2x2x!a8>, tensor<1x2x2x2x!b8>, tensor<1x2x1x1x!b8>, tensor<1x2x1x1x!a8>) {
  // CHECK: edge.MaxPool %{{.+}} {{.+}} : (tensor<1x2x4x4x!quant.uniform<i8:f32, 2.000000e-02:3>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 2.000000e-02:3>>
  %0 = edge.MaxPool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x4x4x!a8>) -> tensor<1x2x2x2x!a8>
  // CHECK: edge.AveragePool %{{.+}} {{.+}} : (tensor<1x2x4x4x!quant.uniform<i8:f32, 2.000000e-02:3>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 5.000000e-02:-2>>
  %1 = edge.AveragePool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x4x4x!a8>) -> tensor<1x2x2x2x!b8>
  // CHECK: edge.GlobalAveragePool %{{.+}} : (tensor<1x2x4x4x!quant.uniform<i8:f32, 2.000000e-02:3>>) -> tensor<1x2x1x1x!quant.uniform<i8:f32, 5.000000e-02:-2>>
  %2 = edge.GlobalAveragePool %x : (tensor<1x2x4x4x!a8>) -> tensor<1x2x1x1x!b8>
  // CHECK: edge.GlobalMaxPool %{{.+}} : (tensor<1x2x4x4x!quant.uniform<i8:f32, 2.000000e-02:3>>) -> tensor<1x2x1x1x!quant.uniform<i8:f32, 2.000000e-02:3>>
  %3 = edge.GlobalMaxPool %x : (tensor<1x2x4x4x!a8>) -> tensor<1x2x1x1x!a8>
  return %0, %1, %2, %3 : tensor<1x2x2x2x!a8>, tensor<1x2x2x2x!b8>, tensor<1x2x1x1x!b8>, tensor<1x2x1x1x!a8>
}

// CHECK-LABEL: func.func @data_movement
func.func @data_movement(%a: tensor<2x3x!a8>, %b: tensor<2x1x!b8>, %w: tensor<2x3x!w1>, %i: tensor<4xi64>, %pad: tensor<f32>)
    -> (tensor<2x4x!b8>, tensor<3x2x!quant.uniform<i8:f32:0, {0.1,0.2,0.3}>>,
        tensor<2x1x3x!quant.uniform<i8:f32:2, {0.1,0.2,0.3}>>, tensor<6x!a8>,
        tensor<2x2x!quant.uniform<i8:f32:1, {0.3,0.1}>>, tensor<4x3x!w1>, tensor<3x5x!a8>,
        tensor<1x3x!w1>, tensor<2x2x3x!quant.uniform<i8:f32:2, {0.1,0.2,0.3}>>) {
  // Concat requantizes: the inputs' scales may differ from the result's.
  // CHECK: edge.Concat %{{.+}}, %{{.+}} {axis = 1 : i64} : (tensor<2x3x!quant.uniform<i8:f32, 2.000000e-02:3>>, tensor<2x1x!quant.uniform<i8:f32, 5.000000e-02:-2>>) -> tensor<2x4x!quant.uniform<i8:f32, 5.000000e-02:-2>>
  %0 = edge.Concat %a, %b {axis = 1 : i64} : (tensor<2x3x!a8>, tensor<2x1x!b8>) -> tensor<2x4x!b8>
  // The per-axis dimension 1 moves to 0.
  // CHECK: edge.Transpose %{{.+}} {perm = array<i64: 1, 0>} : (tensor<2x3x!quant.uniform<i8:f32:1, {1.000000e-01,2.000000e-01,3.000000e-01}>>) -> tensor<3x2x!quant.uniform<i8:f32:0, {1.000000e-01,2.000000e-01,3.000000e-01}>>
  %1 = edge.Transpose %w {perm = array<i64: 1, 0>} : (tensor<2x3x!w1>) -> tensor<3x2x!quant.uniform<i8:f32:0, {0.1,0.2,0.3}>>
  // Unsqueeze in front of the quantized dimension: 1 becomes 2.
  // CHECK: edge.Reshape %{{.+}} : (tensor<2x3x!quant.uniform<i8:f32:1, {1.000000e-01,2.000000e-01,3.000000e-01}>>) -> tensor<2x1x3x!quant.uniform<i8:f32:2, {1.000000e-01,2.000000e-01,3.000000e-01}>>
  %2 = edge.Reshape %w : (tensor<2x3x!w1>) -> tensor<2x1x3x!quant.uniform<i8:f32:2, {0.1,0.2,0.3}>>
  // A per-tensor value reshapes freely.
  // CHECK: edge.Reshape %{{.+}} : (tensor<2x3x!quant.uniform<i8:f32, 2.000000e-02:3>>) -> tensor<6x!quant.uniform<i8:f32, 2.000000e-02:3>>
  %3 = edge.Reshape %a : (tensor<2x3x!a8>) -> tensor<6x!a8>
  // Slicing the quantized dimension keeps the selected indices' scales (2, then 0).
  // CHECK: edge.Slice %{{.+}} {{.+}} : (tensor<2x3x!quant.uniform<i8:f32:1, {1.000000e-01,2.000000e-01,3.000000e-01}>>) -> tensor<2x2x!quant.uniform<i8:f32:1, {3.000000e-01,1.000000e-01}>>
  %4 = edge.Slice %w {starts = array<i64: 0, 2>, ends = array<i64: 2, -1>, steps = array<i64: 1, -2>} : (tensor<2x3x!w1>) -> tensor<2x2x!quant.uniform<i8:f32:1, {0.3,0.1}>>
  // Gathering rows (not the quantized dimension).
  // CHECK: edge.Gather %{{.+}}, %{{.+}} {axis = 0 : i64} : (tensor<2x3x!quant.uniform<i8:f32:1, {1.000000e-01,2.000000e-01,3.000000e-01}>>, tensor<4xi64>) -> tensor<4x3x!quant.uniform<i8:f32:1, {1.000000e-01,2.000000e-01,3.000000e-01}>>
  %5 = edge.Gather %w, %i {axis = 0 : i64} : (tensor<2x3x!w1>, tensor<4xi64>) -> tensor<4x3x!w1>
  // The pad value is a real number.
  // CHECK: edge.Pad %{{.+}}, %{{.+}} {{.+}} : (tensor<2x3x!quant.uniform<i8:f32, 2.000000e-02:3>>, tensor<f32>) -> tensor<3x5x!quant.uniform<i8:f32, 2.000000e-02:3>>
  %6 = edge.Pad %a, %pad {mode = "constant", pads = array<i64: 0, 1, 1, 1>} : (tensor<2x3x!a8>, tensor<f32>) -> tensor<3x5x!a8>
  // Splitting another dimension keeps all scales.
  // CHECK: edge.Split %{{.+}} {axis = 0 : i64} : (tensor<2x3x!quant.uniform<i8:f32:1, {1.000000e-01,2.000000e-01,3.000000e-01}>>) -> (tensor<1x3x!quant.uniform<i8:f32:1, {1.000000e-01,2.000000e-01,3.000000e-01}>>, tensor<1x3x!quant.uniform<i8:f32:1, {1.000000e-01,2.000000e-01,3.000000e-01}>>)
  %7:2 = edge.Split %w {axis = 0 : i64} : (tensor<2x3x!w1>) -> (tensor<1x3x!w1>, tensor<1x3x!w1>)
  // Splitting the quantized dimension splits its scales.
  // CHECK: edge.Split %{{.+}} {axis = 1 : i64} : (tensor<2x3x!quant.uniform<i8:f32:1, {1.000000e-01,2.000000e-01,3.000000e-01}>>) -> (tensor<2x1x!quant.uniform<i8:f32:1, {1.000000e-01}>>, tensor<2x2x!quant.uniform<i8:f32:1, {2.000000e-01,3.000000e-01}>>)
  %8:2 = edge.Split %w {axis = 1 : i64} : (tensor<2x3x!w1>) -> (tensor<2x1x!quant.uniform<i8:f32:1, {0.1}>>, tensor<2x2x!quant.uniform<i8:f32:1, {0.2,0.3}>>)
  // A new leading dim shifts the quantized dimension.
  // CHECK: edge.Expand %{{.+}} : (tensor<2x3x!quant.uniform<i8:f32:1, {1.000000e-01,2.000000e-01,3.000000e-01}>>) -> tensor<2x2x3x!quant.uniform<i8:f32:2, {1.000000e-01,2.000000e-01,3.000000e-01}>>
  %9 = edge.Expand %w : (tensor<2x3x!w1>) -> tensor<2x2x3x!quant.uniform<i8:f32:2, {0.1,0.2,0.3}>>
  return %0, %1, %2, %3, %4, %5, %6, %7#0, %9 : tensor<2x4x!b8>, tensor<3x2x!quant.uniform<i8:f32:0, {0.1,0.2,0.3}>>,
        tensor<2x1x3x!quant.uniform<i8:f32:2, {0.1,0.2,0.3}>>, tensor<6x!a8>,
        tensor<2x2x!quant.uniform<i8:f32:1, {0.3,0.1}>>, tensor<4x3x!w1>, tensor<3x5x!a8>,
        tensor<1x3x!w1>, tensor<2x2x3x!quant.uniform<i8:f32:2, {0.1,0.2,0.3}>>
}

// CHECK-LABEL: func.func @quantize
func.func @quantize(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  // CHECK: edge.QuantizeLinear %{{.+}} : (tensor<2x3xf32>) -> tensor<2x3x!quant.uniform<i8:f32, 2.000000e-02:3>>
  %0 = edge.QuantizeLinear %x : (tensor<2x3xf32>) -> tensor<2x3x!a8>
  // CHECK: edge.DequantizeLinear %{{.+}} : (tensor<2x3x!quant.uniform<i8:f32, 2.000000e-02:3>>) -> tensor<2x3xf32>
  %1 = edge.DequantizeLinear %0 : (tensor<2x3x!a8>) -> tensor<2x3xf32>
  // CHECK: edge.QuantizeLinear %{{.+}} : (tensor<2x3xf32>) -> tensor<2x3x!quant.uniform<i8:f32:1, {1.000000e-01,2.000000e-01,3.000000e-01}>>
  %2 = edge.QuantizeLinear %x : (tensor<2x3xf32>) -> tensor<2x3x!w1>
  // CHECK: edge.DequantizeLinear %{{.+}} : (tensor<2x3x!quant.uniform<i8:f32:1, {1.000000e-01,2.000000e-01,3.000000e-01}>>) -> tensor<2x3xf32>
  %3 = edge.DequantizeLinear %2 : (tensor<2x3x!w1>) -> tensor<2x3xf32>
  return %1, %3 : tensor<2x3xf32>, tensor<2x3xf32>
}

// Group-wise weights: scales (and zero points) are tensors with the weight's shape,
// dim `axis` divided by block_size and rounded up (the last block of 80 is partial).
// CHECK-LABEL: func.func @blockwise
func.func @blockwise(%w4: tensor<8x80xi4>, %s: tensor<8x3xf16>, %u4: tensor<8x80xui4>, %z: tensor<8x3xui4>,
                     %w8: tensor<64x16xi8>, %s8: tensor<2x16xf32>, %x: tensor<2x64xf32>) -> (tensor<8x80xf16>, tensor<8x80xf16>, tensor<2x16xf32>) {
  // CHECK: edge.DequantizeBlockwise %{{.+}}, %{{.+}} {axis = 1 : i64, block_size = 32 : i64} : (tensor<8x80xi4>, tensor<8x3xf16>) -> tensor<8x80xf16>
  %0 = edge.DequantizeBlockwise %w4, %s {axis = 1 : i64, block_size = 32 : i64} : (tensor<8x80xi4>, tensor<8x3xf16>) -> tensor<8x80xf16>
  // CHECK: edge.DequantizeBlockwise %{{.+}}, %{{.+}}, %{{.+}} {axis = 1 : i64, block_size = 32 : i64} : (tensor<8x80xui4>, tensor<8x3xf16>, tensor<8x3xui4>) -> tensor<8x80xf16>
  %1 = edge.DequantizeBlockwise %u4, %s, %z {axis = 1 : i64, block_size = 32 : i64} : (tensor<8x80xui4>, tensor<8x3xf16>, tensor<8x3xui4>) -> tensor<8x80xf16>
  // A MatMulNBits-style weight: K = 64 in blocks of 32 along axis 0, consumed by MatMul.
  // CHECK: %[[W:.+]] = edge.DequantizeBlockwise %{{.+}}, %{{.+}} {axis = 0 : i64, block_size = 32 : i64} : (tensor<64x16xi8>, tensor<2x16xf32>) -> tensor<64x16xf32>
  // CHECK: edge.MatMul %{{.+}}, %[[W]] : (tensor<2x64xf32>, tensor<64x16xf32>) -> tensor<2x16xf32>
  %2 = edge.DequantizeBlockwise %w8, %s8 {axis = 0 : i64, block_size = 32 : i64} : (tensor<64x16xi8>, tensor<2x16xf32>) -> tensor<64x16xf32>
  %3 = edge.MatMul %x, %2 : (tensor<2x64xf32>, tensor<64x16xf32>) -> tensor<2x16xf32>
  return %0, %1, %3 : tensor<8x80xf16>, tensor<8x80xf16>, tensor<2x16xf32>
}

// CHECK: q8_blob: "0x04000000003C0101010101010101010101010101010101010101010101010101010101010101003C0101010101010101010101010101010101010101010101010101010101010101"
{-#
  dialect_resources: {
    builtin: {
      q8_blob: "0x04000000003C0101010101010101010101010101010101010101010101010101010101010101003C0101010101010101010101010101010101010101010101010101010101010101"
    }
  }
#-}
