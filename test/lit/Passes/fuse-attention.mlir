// RUN: edgec-opt %s -edge-fuse-attention -split-input-file | FileCheck %s
//
// MatMul(Q, K^T) -> scale -> mask -> Softmax(last axis) -> MatMul(., V) becomes one
// edge.ScaledDotProductAttention; see the pass's description for when it does not.

// nn.MultiheadAttention as torch.onnx exports it (the e2e transformer): Q / sqrt(D), K
// already transposed by a Transpose that is not a swap of the last two dims (it stays),
// no mask.
// CHECK-LABEL: func.func @mha
// CHECK: %[[KT:.+]] = edge.Transpose %{{.+}} {perm = array<i64: 1, 2, 0>}
// CHECK-NEXT: %[[Y:.+]] = edge.ScaledDotProductAttention %arg0, %[[KT]], %arg2 {key_transposed = 1 : i64, q_divide = 1 : i64, q_scale = 4.000000e+00 : f32} : (tensor<4x32x16xf32>, tensor<4x16x32xf32>, tensor<4x32x16xf32>) -> tensor<4x32x16xf32>
// CHECK-NEXT: return %[[Y]]
func.func @mha(%q: tensor<4x32x16xf32>, %k: tensor<32x4x16xf32>, %v: tensor<4x32x16xf32>) -> tensor<4x32x16xf32> {
  %c = edge.constant dense<4.000000e+00> : tensor<f32>
  %0 = edge.Div %q, %c : (tensor<4x32x16xf32>, tensor<f32>) -> tensor<4x32x16xf32>
  %1 = edge.Transpose %k {perm = array<i64: 1, 2, 0>} : (tensor<32x4x16xf32>) -> tensor<4x16x32xf32>
  %2 = edge.MatMul %0, %1 : (tensor<4x32x16xf32>, tensor<4x16x32xf32>) -> tensor<4x32x32xf32>
  %3 = edge.Softmax %2 {axis = 2 : i64} : tensor<4x32x32xf32>
  %4 = edge.MatMul %3, %v : (tensor<4x32x32xf32>, tensor<4x32x16xf32>) -> tensor<4x32x16xf32>
  return %4 : tensor<4x32x16xf32>
}

// -----

// The GPT decoder: Div on Q, Mul of the scores by 1 (no step), a constant causal mask.
// CHECK-LABEL: func.func @causal
// CHECK: %[[M:.+]] = edge.constant dense<{{.+}}> : tensor<1x4x4xf32>
// CHECK: %[[Y:.+]] = edge.ScaledDotProductAttention %arg0, %{{.+}}, %arg2 mask %[[M]] {key_transposed = 1 : i64, q_divide = 1 : i64, q_scale = 4.000000e+00 : f32}
// CHECK-NOT: edge.Softmax
// CHECK: return %[[Y]]
func.func @causal(%q: tensor<2x4x16xf32>, %k: tensor<4x2x16xf32>, %v: tensor<2x4x16xf32>) -> tensor<2x4x16xf32> {
  %mask = edge.constant dense<[[[0.0, 0xFF800000, 0xFF800000, 0xFF800000], [0.0, 0.0, 0xFF800000, 0xFF800000], [0.0, 0.0, 0.0, 0xFF800000], [0.0, 0.0, 0.0, 0.0]]]> : tensor<1x4x4xf32>
  %c = edge.constant dense<4.000000e+00> : tensor<f32>
  %one = edge.constant dense<1.000000e+00> : tensor<f32>
  %0 = edge.Div %q, %c : (tensor<2x4x16xf32>, tensor<f32>) -> tensor<2x4x16xf32>
  %1 = edge.Transpose %k {perm = array<i64: 1, 2, 0>} : (tensor<4x2x16xf32>) -> tensor<2x16x4xf32>
  %2 = edge.MatMul %0, %1 : (tensor<2x4x16xf32>, tensor<2x16x4xf32>) -> tensor<2x4x4xf32>
  %3 = edge.Mul %2, %one : (tensor<2x4x4xf32>, tensor<f32>) -> tensor<2x4x4xf32>
  %4 = edge.Add %3, %mask : (tensor<2x4x4xf32>, tensor<1x4x4xf32>) -> tensor<2x4x4xf32>
  %5 = edge.Softmax %4 {axis = 2 : i64} : tensor<2x4x4xf32>
  %6 = edge.MatMul %5, %v : (tensor<2x4x4xf32>, tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
  return %6 : tensor<2x4x16xf32>
}

// -----

// torch's F.scaled_dot_product_attention symbolic: Q and K^T each times sqrt(1/sqrt(D)),
// the Transpose of K (last two dims) absorbed, an input mask (the mask first in the Add),
// a Where's result as a mask.
// CHECK-LABEL: func.func @sdpa
// CHECK: %[[Y:.+]] = edge.ScaledDotProductAttention %arg0, %arg1, %arg2 mask %arg3 {k_scale = 0.472870797 : f32, q_scale = 0.472870797 : f32} : (tensor<1x2x8x20xf32>, tensor<1x2x12x20xf32>, tensor<1x2x12x24xf32>, tensor<2x1x12xf32>) -> tensor<1x2x8x24xf32>
// CHECK: %[[W:.+]] = edge.Where
// CHECK-NEXT: %[[Z:.+]] = edge.ScaledDotProductAttention %arg0, %arg1, %arg2 mask %[[W]] {k_scale = 0.472870797 : f32, q_scale = 0.472870797 : f32}
// CHECK-NEXT: return %[[Y]], %[[Z]]
func.func @sdpa(%q: tensor<1x2x8x20xf32>, %k: tensor<1x2x12x20xf32>, %v: tensor<1x2x12x24xf32>, %m: tensor<2x1x12xf32>, %b: tensor<8x12xi1>) -> (tensor<1x2x8x24xf32>, tensor<1x2x8x24xf32>) {
  %0 = edge.Transpose %k {perm = array<i64: 0, 1, 3, 2>} : (tensor<1x2x12x20xf32>) -> tensor<1x2x20x12xf32>
  %1 = edge.constant dense<0.472870797> : tensor<f32>
  %2 = edge.Mul %q, %1 : (tensor<1x2x8x20xf32>, tensor<f32>) -> tensor<1x2x8x20xf32>
  %3 = edge.Mul %0, %1 : (tensor<1x2x20x12xf32>, tensor<f32>) -> tensor<1x2x20x12xf32>
  %4 = edge.MatMul %2, %3 : (tensor<1x2x8x20xf32>, tensor<1x2x20x12xf32>) -> tensor<1x2x8x12xf32>
  %5 = edge.Add %m, %4 : (tensor<2x1x12xf32>, tensor<1x2x8x12xf32>) -> tensor<1x2x8x12xf32>
  %6 = edge.Softmax %5 {axis = 3 : i64} : tensor<1x2x8x12xf32>
  %7 = edge.MatMul %6, %v : (tensor<1x2x8x12xf32>, tensor<1x2x12x24xf32>) -> tensor<1x2x8x24xf32>
  %zero = edge.constant dense<0.000000e+00> : tensor<f32>
  %ninf = edge.constant dense<0xFF800000> : tensor<f32>
  %w = edge.Where %b, %zero, %ninf : (tensor<8x12xi1>, tensor<f32>, tensor<f32>) -> tensor<8x12xf32>
  %10 = edge.Transpose %k {perm = array<i64: 0, 1, 3, 2>} : (tensor<1x2x12x20xf32>) -> tensor<1x2x20x12xf32>
  %11 = edge.Mul %q, %1 : (tensor<1x2x8x20xf32>, tensor<f32>) -> tensor<1x2x8x20xf32>
  %12 = edge.Mul %10, %1 : (tensor<1x2x20x12xf32>, tensor<f32>) -> tensor<1x2x20x12xf32>
  %13 = edge.MatMul %11, %12 : (tensor<1x2x8x20xf32>, tensor<1x2x20x12xf32>) -> tensor<1x2x8x12xf32>
  %14 = edge.Add %13, %w : (tensor<1x2x8x12xf32>, tensor<8x12xf32>) -> tensor<1x2x8x12xf32>
  %15 = edge.Softmax %14 {axis = 3 : i64} : tensor<1x2x8x12xf32>
  %16 = edge.MatMul %15, %v : (tensor<1x2x8x12xf32>, tensor<1x2x12x24xf32>) -> tensor<1x2x8x24xf32>
  return %7, %16 : tensor<1x2x8x24xf32>, tensor<1x2x8x24xf32>
}

// -----

// Scores divided by a constant, no Q/K scale, K^T an argument.
// CHECK-LABEL: func.func @scores_div
// CHECK-NEXT: edge.ScaledDotProductAttention %arg0, %arg1, %arg2 {key_transposed = 1 : i64, scale = 3.000000e+00 : f32, scale_divide = 1 : i64}
// CHECK-NEXT: return
func.func @scores_div(%q: tensor<3x5x7xf32>, %kt: tensor<3x7x6xf32>, %v: tensor<3x6x2xf32>) -> tensor<3x5x2xf32> {
  %c = edge.constant dense<3.000000e+00> : tensor<f32>
  %0 = edge.MatMul %q, %kt : (tensor<3x5x7xf32>, tensor<3x7x6xf32>) -> tensor<3x5x6xf32>
  %1 = edge.Div %0, %c : (tensor<3x5x6xf32>, tensor<f32>) -> tensor<3x5x6xf32>
  %2 = edge.Softmax %1 {axis = 2 : i64} : tensor<3x5x6xf32>
  %3 = edge.MatMul %2, %v : (tensor<3x5x6xf32>, tensor<3x6x2xf32>) -> tensor<3x5x2xf32>
  return %3 : tensor<3x5x2xf32>
}

// -----

// Not fused: Softmax on another axis; the probabilities have another user (returned);
// the scores have another user; the scale is not a constant.
// CHECK-LABEL: func.func @not_fused
// CHECK-NOT: edge.ScaledDotProductAttention
// CHECK: return
func.func @not_fused(%q: tensor<3x5x7xf32>, %kt: tensor<3x7x5xf32>, %v: tensor<3x5x2xf32>, %s: tensor<f32>) -> (tensor<3x5x2xf32>, tensor<3x5x2xf32>, tensor<3x5x5xf32>, tensor<3x5x2xf32>, tensor<3x5x5xf32>, tensor<3x5x2xf32>) {
  %0 = edge.MatMul %q, %kt : (tensor<3x5x7xf32>, tensor<3x7x5xf32>) -> tensor<3x5x5xf32>
  %1 = edge.Softmax %0 {axis = 1 : i64} : tensor<3x5x5xf32>
  %2 = edge.MatMul %1, %v : (tensor<3x5x5xf32>, tensor<3x5x2xf32>) -> tensor<3x5x2xf32>
  %3 = edge.MatMul %q, %kt : (tensor<3x5x7xf32>, tensor<3x7x5xf32>) -> tensor<3x5x5xf32>
  %4 = edge.Softmax %3 {axis = 2 : i64} : tensor<3x5x5xf32>
  %5 = edge.MatMul %4, %v : (tensor<3x5x5xf32>, tensor<3x5x2xf32>) -> tensor<3x5x2xf32>
  %6 = edge.MatMul %q, %kt : (tensor<3x5x7xf32>, tensor<3x7x5xf32>) -> tensor<3x5x5xf32>
  %7 = edge.Softmax %6 {axis = 2 : i64} : tensor<3x5x5xf32>
  %8 = edge.MatMul %7, %v : (tensor<3x5x5xf32>, tensor<3x5x2xf32>) -> tensor<3x5x2xf32>
  %9 = edge.MatMul %q, %kt : (tensor<3x5x7xf32>, tensor<3x7x5xf32>) -> tensor<3x5x5xf32>
  %10 = edge.Mul %9, %s : (tensor<3x5x5xf32>, tensor<f32>) -> tensor<3x5x5xf32>
  %11 = edge.Softmax %10 {axis = 2 : i64} : tensor<3x5x5xf32>
  %12 = edge.MatMul %11, %v : (tensor<3x5x5xf32>, tensor<3x5x2xf32>) -> tensor<3x5x2xf32>
  return %2, %5, %4, %8, %6, %12 : tensor<3x5x2xf32>, tensor<3x5x2xf32>, tensor<3x5x5xf32>, tensor<3x5x2xf32>, tensor<3x5x5xf32>, tensor<3x5x2xf32>
}

// -----

// Not fused: int8 (the MatMuls and the Softmax on quantized tensors, as edge-fold-qdq
// leaves them); MatMul's batch broadcast (K shared by all heads); a mask that broadcasts
// the scores to a larger shape.
// CHECK-LABEL: func.func @not_fused_types
// CHECK-NOT: edge.ScaledDotProductAttention
// CHECK: return
func.func @not_fused_types(%q: tensor<2x4x8x!quant.uniform<i8:f32, 0.1>>, %kt: tensor<2x8x4x!quant.uniform<i8:f32, 0.1>>, %v: tensor<2x4x8x!quant.uniform<i8:f32, 0.1>>,
                           %fq: tensor<2x4x8xf32>, %fkt: tensor<1x8x4xf32>, %fv: tensor<2x4x8xf32>, %big: tensor<3x2x4x4xf32>, %fv3: tensor<3x2x4x8xf32>)
    -> (tensor<2x4x8x!quant.uniform<i8:f32, 0.1>>, tensor<2x4x8xf32>, tensor<3x2x4x8xf32>) {
  %0 = edge.MatMul %q, %kt : (tensor<2x4x8x!quant.uniform<i8:f32, 0.1>>, tensor<2x8x4x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x4x4x!quant.uniform<i8:f32, 0.2>>
  %1 = edge.Softmax %0 {axis = 2 : i64} : tensor<2x4x4x!quant.uniform<i8:f32, 0.2>> -> tensor<2x4x4x!quant.uniform<i8:f32, 0.00390625:-128>>
  %2 = edge.MatMul %1, %v : (tensor<2x4x4x!quant.uniform<i8:f32, 0.00390625:-128>>, tensor<2x4x8x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x4x8x!quant.uniform<i8:f32, 0.1>>
  %3 = edge.MatMul %fq, %fkt : (tensor<2x4x8xf32>, tensor<1x8x4xf32>) -> tensor<2x4x4xf32>
  %4 = edge.Softmax %3 {axis = 2 : i64} : tensor<2x4x4xf32>
  %5 = edge.MatMul %4, %fv : (tensor<2x4x4xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %6 = edge.MatMul %fq, %fkt : (tensor<2x4x8xf32>, tensor<1x8x4xf32>) -> tensor<2x4x4xf32>
  %7 = edge.Add %6, %big : (tensor<2x4x4xf32>, tensor<3x2x4x4xf32>) -> tensor<3x2x4x4xf32>
  %8 = edge.Softmax %7 {axis = 3 : i64} : tensor<3x2x4x4xf32>
  %9 = edge.MatMul %8, %fv3 : (tensor<3x2x4x4xf32>, tensor<3x2x4x8xf32>) -> tensor<3x2x4x8xf32>
  return %2, %5, %9 : tensor<2x4x8x!quant.uniform<i8:f32, 0.1>>, tensor<2x4x8xf32>, tensor<3x2x4x8xf32>
}

// -----

// Static INT8's attention (the e2e transformer's layer, 2 heads of 4): the QKV Gemm's
// codes dequantized, the heads' Reshape / Slice / Transpose on f32, the attention, the
// Transpose / Reshape back and a QuantizeLinear. The movers run on the codes and the
// attention takes and gives codes: no DequantizeLinear or QuantizeLinear is left; with
// Q, K and V all codes it computes on them (integer = 1).
// CHECK-LABEL: func.func @int8_boundaries
// CHECK-NOT: edge.DequantizeLinear
// CHECK: %[[R:.+]] = edge.Reshape %arg0 : (tensor<4x24x!quant.uniform<i8:f32, 5.000000e-02:-3>>) -> tensor<4x1x24x!quant.uniform<i8:f32, 5.000000e-02:-3>>
// CHECK-NEXT: %[[QS:.+]] = edge.Slice %[[R]] {ends = array<i64: 4, 1, 8>, starts = array<i64: 0, 0, 0>, steps = array<i64: 1, 1, 1>} : (tensor<4x1x24x!quant.uniform<i8:f32, 5.000000e-02:-3>>) -> tensor<4x1x8x!quant.uniform<i8:f32, 5.000000e-02:-3>>
// CHECK-NEXT: %[[KS:.+]] = edge.Slice %[[R]] {ends = array<i64: 4, 1, 16>, starts = array<i64: 0, 0, 8>, steps = array<i64: 1, 1, 1>}
// CHECK-NEXT: %[[VS:.+]] = edge.Slice %[[R]] {ends = array<i64: 4, 1, 24>, starts = array<i64: 0, 0, 16>, steps = array<i64: 1, 1, 1>}
// CHECK-NEXT: %[[QR:.+]] = edge.Reshape %[[QS]] : (tensor<4x1x8x!quant.uniform<i8:f32, 5.000000e-02:-3>>) -> tensor<4x2x4x!quant.uniform<i8:f32, 5.000000e-02:-3>>
// CHECK-NEXT: %[[Q:.+]] = edge.Transpose %[[QR]] {perm = array<i64: 1, 0, 2>} : (tensor<4x2x4x!quant.uniform<i8:f32, 5.000000e-02:-3>>) -> tensor<2x4x4x!quant.uniform<i8:f32, 5.000000e-02:-3>>
// CHECK-NEXT: %[[KR:.+]] = edge.Reshape %[[KS]]
// CHECK-NEXT: %[[K:.+]] = edge.Transpose %[[KR]] {perm = array<i64: 1, 2, 0>} : (tensor<4x2x4x!quant.uniform<i8:f32, 5.000000e-02:-3>>) -> tensor<2x4x4x!quant.uniform<i8:f32, 5.000000e-02:-3>>
// CHECK-NEXT: %[[VR:.+]] = edge.Reshape %[[VS]]
// CHECK-NEXT: %[[V:.+]] = edge.Transpose %[[VR]] {perm = array<i64: 1, 0, 2>}
// CHECK-NEXT: %[[Y:.+]] = edge.ScaledDotProductAttention %[[Q]], %[[K]], %[[V]] {integer = 1 : i64, key_transposed = 1 : i64, q_divide = 1 : i64, q_scale = 2.000000e+00 : f32} : (tensor<2x4x4x!quant.uniform<i8:f32, 5.000000e-02:-3>>, tensor<2x4x4x!quant.uniform<i8:f32, 5.000000e-02:-3>>, tensor<2x4x4x!quant.uniform<i8:f32, 5.000000e-02:-3>>) -> tensor<2x4x4x!quant.uniform<i8:f32, 2.000000e-02:1>>
// CHECK-NEXT: %[[YT:.+]] = edge.Transpose %[[Y]] {perm = array<i64: 1, 0, 2>} : (tensor<2x4x4x!quant.uniform<i8:f32, 2.000000e-02:1>>) -> tensor<4x2x4x!quant.uniform<i8:f32, 2.000000e-02:1>>
// CHECK-NEXT: %[[YR:.+]] = edge.Reshape %[[YT]] : (tensor<4x2x4x!quant.uniform<i8:f32, 2.000000e-02:1>>) -> tensor<4x8x!quant.uniform<i8:f32, 2.000000e-02:1>>
// CHECK-NEXT: return %[[YR]]
func.func @int8_boundaries(%x: tensor<4x24x!quant.uniform<i8:f32, 0.05:-3>>) -> tensor<4x8x!quant.uniform<i8:f32, 0.02:1>> {
  %c = edge.constant dense<2.000000e+00> : tensor<f32>
  %0 = edge.DequantizeLinear %x : (tensor<4x24x!quant.uniform<i8:f32, 0.05:-3>>) -> tensor<4x24xf32>
  %1 = edge.Reshape %0 : (tensor<4x24xf32>) -> tensor<4x1x24xf32>
  %2 = edge.Slice %1 {ends = array<i64: 4, 1, 8>, starts = array<i64: 0, 0, 0>, steps = array<i64: 1, 1, 1>} : (tensor<4x1x24xf32>) -> tensor<4x1x8xf32>
  %3 = edge.Slice %1 {ends = array<i64: 4, 1, 16>, starts = array<i64: 0, 0, 8>, steps = array<i64: 1, 1, 1>} : (tensor<4x1x24xf32>) -> tensor<4x1x8xf32>
  %4 = edge.Slice %1 {ends = array<i64: 4, 1, 24>, starts = array<i64: 0, 0, 16>, steps = array<i64: 1, 1, 1>} : (tensor<4x1x24xf32>) -> tensor<4x1x8xf32>
  %5 = edge.Reshape %2 : (tensor<4x1x8xf32>) -> tensor<4x2x4xf32>
  %6 = edge.Transpose %5 {perm = array<i64: 1, 0, 2>} : (tensor<4x2x4xf32>) -> tensor<2x4x4xf32>
  %7 = edge.Reshape %3 : (tensor<4x1x8xf32>) -> tensor<4x2x4xf32>
  %8 = edge.Transpose %7 {perm = array<i64: 1, 2, 0>} : (tensor<4x2x4xf32>) -> tensor<2x4x4xf32>
  %9 = edge.Reshape %4 : (tensor<4x1x8xf32>) -> tensor<4x2x4xf32>
  %10 = edge.Transpose %9 {perm = array<i64: 1, 0, 2>} : (tensor<4x2x4xf32>) -> tensor<2x4x4xf32>
  %11 = edge.Div %6, %c : (tensor<2x4x4xf32>, tensor<f32>) -> tensor<2x4x4xf32>
  %12 = edge.MatMul %11, %8 : (tensor<2x4x4xf32>, tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %13 = edge.Softmax %12 {axis = 2 : i64} : tensor<2x4x4xf32>
  %14 = edge.MatMul %13, %10 : (tensor<2x4x4xf32>, tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %15 = edge.Transpose %14 {perm = array<i64: 1, 0, 2>} : (tensor<2x4x4xf32>) -> tensor<4x2x4xf32>
  %16 = edge.Reshape %15 : (tensor<4x2x4xf32>) -> tensor<4x8xf32>
  %17 = edge.QuantizeLinear %16 : (tensor<4x8xf32>) -> tensor<4x8x!quant.uniform<i8:f32, 0.02:1>>
  return %17 : tensor<4x8x!quant.uniform<i8:f32, 0.02:1>>
}

// -----

// Folded only where the values are not read as f32 elsewhere: V's DequantizeLinear also
// feeds a returned f32 value (it stays for it, V's movers run on the codes anyway); the
// result is returned as f32 too (it stays f32, and so does its QuantizeLinear); K is an
// f32 argument.
// CHECK-LABEL: func.func @partly_quantized
// CHECK: %[[DQ:.+]] = edge.DequantizeLinear %arg0
// CHECK-NEXT: %[[Q:.+]] = edge.Transpose %arg0 {perm = array<i64: 1, 0, 2>} : (tensor<4x2x4x!quant.uniform<u8:f32, 5.000000e-02:128>>) -> tensor<2x4x4x!quant.uniform<u8:f32, 5.000000e-02:128>>
// CHECK-NEXT: %[[Y:.+]] = edge.ScaledDotProductAttention %[[Q]], %arg1, %[[Q]] {key_transposed = 1 : i64} : (tensor<2x4x4x!quant.uniform<u8:f32, 5.000000e-02:128>>, tensor<2x4x4xf32>, tensor<2x4x4x!quant.uniform<u8:f32, 5.000000e-02:128>>) -> tensor<2x4x4xf32>
// CHECK-NEXT: %[[QY:.+]] = edge.QuantizeLinear %[[Y]]
// CHECK-NEXT: return %[[QY]], %[[Y]], %[[DQ]]
func.func @partly_quantized(%x: tensor<4x2x4x!quant.uniform<u8:f32, 0.05:128>>, %k: tensor<2x4x4xf32>)
    -> (tensor<2x4x4x!quant.uniform<i8:f32, 0.02>>, tensor<2x4x4xf32>, tensor<4x2x4xf32>) {
  %0 = edge.DequantizeLinear %x : (tensor<4x2x4x!quant.uniform<u8:f32, 0.05:128>>) -> tensor<4x2x4xf32>
  %1 = edge.Transpose %0 {perm = array<i64: 1, 0, 2>} : (tensor<4x2x4xf32>) -> tensor<2x4x4xf32>
  %2 = edge.MatMul %1, %k : (tensor<2x4x4xf32>, tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %3 = edge.Softmax %2 {axis = 2 : i64} : tensor<2x4x4xf32>
  %4 = edge.MatMul %3, %1 : (tensor<2x4x4xf32>, tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %5 = edge.QuantizeLinear %4 : (tensor<2x4x4xf32>) -> tensor<2x4x4x!quant.uniform<i8:f32, 0.02>>
  return %5, %4, %0 : tensor<2x4x4x!quant.uniform<i8:f32, 0.02>>, tensor<2x4x4xf32>, tensor<4x2x4xf32>
}
