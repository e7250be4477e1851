// RUN: edgec-opt %s -edge-fold-qdq | FileCheck %s
//
// DequantizeLinear -> op -> QuantizeLinear becomes one integer op; what cannot fold stays
// float. The bias codes below were computed by hand: bias / (input scale x weight scale),
// rounded half to even.

!x8 = !quant.uniform<i8:f32, 0.5:-3>
!w8 = !quant.uniform<i8:f32:0, {0.25, 0.125}>
!y8 = !quant.uniform<i8:f32, 0.75:5>

// A Conv with a per-channel int8 weight and a float bias: the bias becomes int32 with
// scales 0.5 x {0.25, 0.125} = {0.125, 0.0625}: 1.0 / 0.125 = 8, -0.40625 / 0.0625 = -6.5 -> -6.
// CHECK-LABEL: func.func @conv
// CHECK-NOT: edge.DequantizeLinear
// CHECK: %[[Y:.+]] = edge.Conv %{{.+}}, %{{.+}}, %{{.+}} {{.+}} : (tensor<1x1x3x3x!quant.uniform<i8:f32, 5.000000e-01:-3>>, tensor<2x1x2x2x!quant.uniform<i8:f32:0, {2.500000e-01,1.250000e-01}>>, tensor<2x!quant.uniform<i32:f32:0, {1.250000e-01,6.250000e-02}>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 7.500000e-01:5>>
// CHECK-NOT: edge.QuantizeLinear
// CHECK: return %[[Y]]
func.func @conv(%x: tensor<1x1x3x3xf32>) -> tensor<1x2x2x2x!y8> {
  %xq = edge.QuantizeLinear %x : (tensor<1x1x3x3xf32>) -> tensor<1x1x3x3x!x8>
  %xd = edge.DequantizeLinear %xq : (tensor<1x1x3x3x!x8>) -> tensor<1x1x3x3xf32>
  %wq = edge.constant dense_resource<w> : tensor<2x1x2x2x!w8>
  %wd = edge.DequantizeLinear %wq : (tensor<2x1x2x2x!w8>) -> tensor<2x1x2x2xf32>
  %b = edge.constant dense<[1.0, -0.40625]> : tensor<2xf32>
  %c = edge.Conv %xd, %wd, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64, activation = "Relu"}
      : (tensor<1x1x3x3xf32>, tensor<2x1x2x2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %y = edge.QuantizeLinear %c : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2x!y8>
  return %y : tensor<1x2x2x2x!y8>
}

// A chain: Add of two dequantized values, then a Reshape that keeps the parameters;
// Softmax has no integer kernel and stays float between a DequantizeLinear and a
// QuantizeLinear.
// CHECK-LABEL: func.func @chain
// CHECK: %[[A:.+]] = edge.QuantizeLinear %arg0
// CHECK: %[[B:.+]] = edge.QuantizeLinear %arg1
// CHECK: %[[S:.+]] = edge.Add %[[A]], %[[B]] : (tensor<2x4x!quant.uniform<i8:f32, 5.000000e-01:-3>>, tensor<2x4x!quant.uniform<i8:f32, 7.500000e-01:5>>) -> tensor<2x4x!quant.uniform<i8:f32, 5.000000e-01:-3>>
// CHECK: %[[R:.+]] = edge.Reshape %[[S]] : (tensor<2x4x!quant.uniform<i8:f32, 5.000000e-01:-3>>) -> tensor<4x2x!quant.uniform<i8:f32, 5.000000e-01:-3>>
// CHECK: %[[D:.+]] = edge.DequantizeLinear %[[R]]
// CHECK: %[[M:.+]] = edge.Softmax %[[D]]
// CHECK: edge.QuantizeLinear %[[M]]
func.func @chain(%a: tensor<2x4xf32>, %b: tensor<2x4xf32>) -> tensor<4x2x!y8> {
  %aq = edge.QuantizeLinear %a : (tensor<2x4xf32>) -> tensor<2x4x!x8>
  %ad = edge.DequantizeLinear %aq : (tensor<2x4x!x8>) -> tensor<2x4xf32>
  %bq = edge.QuantizeLinear %b : (tensor<2x4xf32>) -> tensor<2x4x!y8>
  %bd = edge.DequantizeLinear %bq : (tensor<2x4x!y8>) -> tensor<2x4xf32>
  %s = edge.Add %ad, %bd : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %sq = edge.QuantizeLinear %s : (tensor<2x4xf32>) -> tensor<2x4x!x8>
  %sd = edge.DequantizeLinear %sq : (tensor<2x4x!x8>) -> tensor<2x4xf32>
  %r = edge.Reshape %sd : (tensor<2x4xf32>) -> tensor<4x2xf32>
  %rq = edge.QuantizeLinear %r : (tensor<4x2xf32>) -> tensor<4x2x!x8>
  %rd = edge.DequantizeLinear %rq : (tensor<4x2x!x8>) -> tensor<4x2xf32>
  %m = edge.Softmax %rd {axis = 1 : i64} : tensor<4x2xf32> -> tensor<4x2xf32>
  %mq = edge.QuantizeLinear %m : (tensor<4x2xf32>) -> tensor<4x2x!y8>
  return %mq : tensor<4x2x!y8>
}

// A Reshape whose QuantizeLinear has other parameters than its input would need a
// rescale: it stays float. Q(DQ(x)) to x's own type is x.
// CHECK-LABEL: func.func @no_fold
// CHECK: %[[Q:.+]] = edge.QuantizeLinear %arg0
// CHECK: %[[D:.+]] = edge.DequantizeLinear %[[Q]]
// CHECK: %[[R:.+]] = edge.Reshape %[[D]]
// CHECK: %[[Y:.+]] = edge.QuantizeLinear %[[R]] : (tensor<4x2xf32>) -> tensor<4x2x!quant.uniform<i8:f32, 7.500000e-01:5>>
// CHECK: return %[[Y]], %[[Q]]
func.func @no_fold(%a: tensor<2x4xf32>) -> (tensor<4x2x!y8>, tensor<2x4x!x8>) {
  %aq = edge.QuantizeLinear %a : (tensor<2x4xf32>) -> tensor<2x4x!x8>
  %ad = edge.DequantizeLinear %aq : (tensor<2x4x!x8>) -> tensor<2x4xf32>
  %r = edge.Reshape %ad : (tensor<2x4xf32>) -> tensor<4x2xf32>
  %rq = edge.QuantizeLinear %r : (tensor<4x2xf32>) -> tensor<4x2x!y8>
  %again = edge.QuantizeLinear %ad : (tensor<2x4xf32>) -> tensor<2x4x!x8>
  return %rq, %again : tensor<4x2x!y8>, tensor<2x4x!x8>
}

// A dequantized weight that no integer op takes (the MatMul's input is float) becomes a
// float constant: codes {2, -4; 8, 1} x the per-row (axis 0) scales {0.25, 0.125}
// = {0.5, -1; 1, 0.125}.
// CHECK-LABEL: func.func @float_weight
// CHECK: %[[W:.+]] = edge.constant dense<{{\[}}[5.000000e-01, -1.000000e+00], [1.000000e+00, 1.250000e-01]]> : tensor<2x2xf32>
// CHECK: edge.MatMul %arg0, %[[W]]
func.func @float_weight(%a: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %wq = edge.constant dense_resource<w2> : tensor<2x2x!w8>
  %wd = edge.DequantizeLinear %wq : (tensor<2x2x!w8>) -> tensor<2x2xf32>
  %y = edge.MatMul %a, %wd : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// A Relu from and to one type whose zero point is its lowest code (i8 -128, u8 0) is the
// identity on codes and goes; a zero point above the lowest code, or two types, keep it (a
// table op).
!r8 = !quant.uniform<i8:f32, 0.5:-128>
!ru8 = !quant.uniform<u8:f32, 0.25:0>
!z8 = !quant.uniform<i8:f32, 0.5:-100>
// CHECK-LABEL: func.func @relu_identity
// CHECK-NOT: edge.Relu
// CHECK: return %arg0, %arg1
func.func @relu_identity(%a: tensor<4x!r8>, %b: tensor<4x!ru8>) -> (tensor<4x!r8>, tensor<4x!ru8>) {
  %ad = edge.DequantizeLinear %a : (tensor<4x!r8>) -> tensor<4xf32>
  %ar = edge.Relu %ad : tensor<4xf32> -> tensor<4xf32>
  %aq = edge.QuantizeLinear %ar : (tensor<4xf32>) -> tensor<4x!r8>
  %bd = edge.DequantizeLinear %b : (tensor<4x!ru8>) -> tensor<4xf32>
  %br = edge.Relu %bd : tensor<4xf32> -> tensor<4xf32>
  %bq = edge.QuantizeLinear %br : (tensor<4xf32>) -> tensor<4x!ru8>
  return %aq, %bq : tensor<4x!r8>, tensor<4x!ru8>
}

// CHECK-LABEL: func.func @relu_kept
// CHECK: %[[Z:.+]] = edge.Relu %arg0 : tensor<4x!quant.uniform<i8:f32, 5.000000e-01:-100>>{{$}}
// CHECK: %[[R:.+]] = edge.Relu %arg1 : tensor<4x!quant.uniform<i8:f32, 5.000000e-01:-128>> -> tensor<4x!quant.uniform<i8:f32, 2.500000e-01:-128>>
// CHECK: return %[[Z]], %[[R]]
func.func @relu_kept(%a: tensor<4x!z8>, %b: tensor<4x!r8>) -> (tensor<4x!z8>, tensor<4x!quant.uniform<i8:f32, 0.25:-128>>) {
  %ad = edge.DequantizeLinear %a : (tensor<4x!z8>) -> tensor<4xf32>
  %ar = edge.Relu %ad : tensor<4xf32> -> tensor<4xf32>
  %aq = edge.QuantizeLinear %ar : (tensor<4xf32>) -> tensor<4x!z8>
  %bd = edge.DequantizeLinear %b : (tensor<4x!r8>) -> tensor<4xf32>
  %br = edge.Relu %bd : tensor<4xf32> -> tensor<4xf32>
  %bq = edge.QuantizeLinear %br : (tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32, 0.25:-128>>
  return %aq, %bq : tensor<4x!z8>, tensor<4x!quant.uniform<i8:f32, 0.25:-128>>
}

// The int32 bias blob: alignment 8, then 8 and -6 little-endian.
// CHECK: "0x0800000008000000FAFFFFFF"
{-#
  dialect_resources: {
    builtin: {
      w: "0x0400000001020304FFFEFDFC",
      w2: "0x0400000002FC0801"
    }
  }
#-}
