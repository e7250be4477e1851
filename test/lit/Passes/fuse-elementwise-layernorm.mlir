// RUN: edgec-opt %s -edge-fuse-elementwise -split-input-file | FileCheck %s
//
// edge-fuse-elementwise's LayerNorm fold: DequantizeLinear -> LayerNormalization
// [-> QuantizeLinear] becomes a LayerNormalization on the codes.

// Static INT8's post-norm block: the residual Add's codes -> DQ -> LayerNorm -> Q. One
// LayerNorm from codes to the QuantizeLinear's codes; the DQ and the Q are gone.
// CHECK-LABEL: func.func @codes_to_codes
// CHECK-SAME: (%[[X:.+]]: tensor<128x1x64x!quant.uniform<i8:f32, 3.600000e-02:2>>, %[[S:.+]]: tensor<64xf32>, %[[B:.+]]: tensor<64xf32>)
// CHECK-NEXT: %[[Y:.+]] = edge.LayerNormalization %[[X]], %[[S]], %[[B]] {axis = 2 : i64, epsilon = 9.99999974E-6 : f32} : (tensor<128x1x64x!quant.uniform<i8:f32, 3.600000e-02:2>>, tensor<64xf32>, tensor<64xf32>) -> tensor<128x1x64x!quant.uniform<i8:f32, 3.200000e-02:6>>
// CHECK-NEXT: return %[[Y]]
func.func @codes_to_codes(%x: tensor<128x1x64x!quant.uniform<i8:f32, 0.036:2>>, %s: tensor<64xf32>, %b: tensor<64xf32>)
    -> tensor<128x1x64x!quant.uniform<i8:f32, 0.032:6>> {
  %0 = edge.DequantizeLinear %x : (tensor<128x1x64x!quant.uniform<i8:f32, 0.036:2>>) -> tensor<128x1x64xf32>
  %1 = edge.LayerNormalization %0, %s, %b {axis = 2 : i64, epsilon = 9.99999974E-6 : f32} : (tensor<128x1x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<128x1x64xf32>
  %2 = edge.QuantizeLinear %1 : (tensor<128x1x64xf32>) -> tensor<128x1x64x!quant.uniform<i8:f32, 0.032:6>>
  return %2 : tensor<128x1x64x!quant.uniform<i8:f32, 0.032:6>>
}

// -----

// The GPT decoder's pre-norm block: LayerNorm -> Reshape (a Gemm's rows) -> Q. The
// LayerNorm writes u8 codes in its own shape, a Reshape on the codes gives the Q's.
// CHECK-LABEL: func.func @through_reshape
// CHECK-SAME: (%[[X:.+]]: tensor<8x1x16x!quant.uniform<i8:f32, 5.000000e-02:-3>>, %[[S:.+]]: tensor<16xf32>)
// CHECK-NEXT: %[[Y:.+]] = edge.LayerNormalization %[[X]], %[[S]] {{.+}} -> tensor<8x1x16x!quant.uniform<u8:f32, 2.000000e-02:128>>
// CHECK-NEXT: %[[R:.+]] = edge.Reshape %[[Y]] : (tensor<8x1x16x!quant.uniform<u8:f32, 2.000000e-02:128>>) -> tensor<8x16x!quant.uniform<u8:f32, 2.000000e-02:128>>
// CHECK-NEXT: return %[[R]]
func.func @through_reshape(%x: tensor<8x1x16x!quant.uniform<i8:f32, 0.05:-3>>, %s: tensor<16xf32>)
    -> tensor<8x16x!quant.uniform<u8:f32, 0.02:128>> {
  %0 = edge.DequantizeLinear %x : (tensor<8x1x16x!quant.uniform<i8:f32, 0.05:-3>>) -> tensor<8x1x16xf32>
  %1 = edge.LayerNormalization %0, %s {axis = 2 : i64, epsilon = 1.0e-5 : f32} : (tensor<8x1x16xf32>, tensor<16xf32>) -> tensor<8x1x16xf32>
  %2 = edge.Reshape %1 : (tensor<8x1x16xf32>) -> tensor<8x16xf32>
  %3 = edge.QuantizeLinear %2 : (tensor<8x16xf32>) -> tensor<8x16x!quant.uniform<u8:f32, 0.02:128>>
  return %3 : tensor<8x16x!quant.uniform<u8:f32, 0.02:128>>
}

// -----

// The encoder's last LayerNorm: its result is the model's f32 output. It reads the codes
// and still writes f32. The DequantizeLinear's other user keeps it.
// CHECK-LABEL: func.func @codes_to_f32
// CHECK-SAME: (%[[X:.+]]: tensor<4x16x!quant.uniform<u8:f32, 4.000000e-02:120>>, %[[S:.+]]: tensor<16xf32>, %[[B:.+]]: tensor<16xf32>)
// CHECK-NEXT: %[[D:.+]] = edge.DequantizeLinear %[[X]]
// CHECK-NEXT: %[[Y:.+]] = edge.LayerNormalization %[[X]], %[[S]], %[[B]] {{.+}} : (tensor<4x16x!quant.uniform<u8:f32, 4.000000e-02:120>>, tensor<16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
// CHECK-NEXT: return %[[Y]], %[[D]]
func.func @codes_to_f32(%x: tensor<4x16x!quant.uniform<u8:f32, 0.04:120>>, %s: tensor<16xf32>, %b: tensor<16xf32>)
    -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  %0 = edge.DequantizeLinear %x : (tensor<4x16x!quant.uniform<u8:f32, 0.04:120>>) -> tensor<4x16xf32>
  %1 = edge.LayerNormalization %0, %s, %b {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<4x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  return %1, %0 : tensor<4x16xf32>, tensor<4x16xf32>
}

// -----

// A QuantizeLinear that is not the result's only user: the LayerNorm reads the codes,
// writes f32, and the QuantizeLinear stays.
// CHECK-LABEL: func.func @two_users
// CHECK: %[[Y:.+]] = edge.LayerNormalization %{{.+}} : (tensor<4x16x!quant.uniform<i8:f32, 4.000000e-02>>, tensor<16xf32>) -> tensor<4x16xf32>
// CHECK-NEXT: %[[Q:.+]] = edge.QuantizeLinear %[[Y]]
// CHECK-NEXT: return %[[Q]], %[[Y]]
func.func @two_users(%x: tensor<4x16x!quant.uniform<i8:f32, 0.04>>, %s: tensor<16xf32>)
    -> (tensor<4x16x!quant.uniform<i8:f32, 0.03>>, tensor<4x16xf32>) {
  %0 = edge.DequantizeLinear %x : (tensor<4x16x!quant.uniform<i8:f32, 0.04>>) -> tensor<4x16xf32>
  %1 = edge.LayerNormalization %0, %s {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  %2 = edge.QuantizeLinear %1 : (tensor<4x16xf32>) -> tensor<4x16x!quant.uniform<i8:f32, 0.03>>
  return %2, %1 : tensor<4x16x!quant.uniform<i8:f32, 0.03>>, tensor<4x16xf32>
}

// -----

// Must not fire: Mean / InvStdDev results (the integer kernel writes Y only).
// CHECK-LABEL: func.func @with_stats
// CHECK: edge.DequantizeLinear
// CHECK-NEXT: edge.LayerNormalization %{{.+}} : (tensor<4x16xf32>, tensor<16xf32>) -> (tensor<4x16xf32>, tensor<4x1xf32>)
// CHECK-NEXT: edge.QuantizeLinear
func.func @with_stats(%x: tensor<4x16x!quant.uniform<i8:f32, 0.04>>, %s: tensor<16xf32>)
    -> (tensor<4x16x!quant.uniform<i8:f32, 0.03>>, tensor<4x1xf32>) {
  %0 = edge.DequantizeLinear %x : (tensor<4x16x!quant.uniform<i8:f32, 0.04>>) -> tensor<4x16xf32>
  %1, %2 = edge.LayerNormalization %0, %s {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<4x16xf32>, tensor<16xf32>) -> (tensor<4x16xf32>, tensor<4x1xf32>)
  %3 = edge.QuantizeLinear %1 : (tensor<4x16xf32>) -> tensor<4x16x!quant.uniform<i8:f32, 0.03>>
  return %3, %2 : tensor<4x16x!quant.uniform<i8:f32, 0.03>>, tensor<4x1xf32>
}

// -----

// Must not fire: a per-axis DequantizeLinear (the statistics need one scale), and a float
// producer (no codes to read); the QuantizeLinear after each stays.
// CHECK-LABEL: func.func @not_codes
// CHECK: edge.DequantizeLinear
// CHECK-NEXT: edge.LayerNormalization %{{.+}} : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
// CHECK-NEXT: edge.QuantizeLinear
// CHECK-NEXT: edge.Relu
// CHECK-NEXT: edge.LayerNormalization %{{.+}} : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
// CHECK-NEXT: edge.QuantizeLinear
func.func @not_codes(%x: tensor<2x4x!quant.uniform<i8:f32:1, {0.1, 0.2, 0.3, 0.4}>>, %f: tensor<2x4xf32>, %s: tensor<4xf32>)
    -> (tensor<2x4x!quant.uniform<i8:f32, 0.03>>, tensor<2x4x!quant.uniform<i8:f32, 0.03>>) {
  %0 = edge.DequantizeLinear %x : (tensor<2x4x!quant.uniform<i8:f32:1, {0.1, 0.2, 0.3, 0.4}>>) -> tensor<2x4xf32>
  %1 = edge.LayerNormalization %0, %s {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %2 = edge.QuantizeLinear %1 : (tensor<2x4xf32>) -> tensor<2x4x!quant.uniform<i8:f32, 0.03>>
  %3 = edge.Relu %f : tensor<2x4xf32>
  %4 = edge.LayerNormalization %3, %s {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %5 = edge.QuantizeLinear %4 : (tensor<2x4xf32>) -> tensor<2x4x!quant.uniform<i8:f32, 0.03>>
  return %2, %5 : tensor<2x4x!quant.uniform<i8:f32, 0.03>>, tensor<2x4x!quant.uniform<i8:f32, 0.03>>
}
