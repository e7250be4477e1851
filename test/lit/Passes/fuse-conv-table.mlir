// RUN: edgec-opt %s -edge-fuse-conv-table -split-input-file | FileCheck %s
// RUN: edgec-opt %s "-edge-fuse-conv-table=record-fusion" -split-input-file | FileCheck %s --check-prefix=RECORD
//
// A quantized FusedElementwise table over an int8 Conv's codes (static INT8's SiLU, as
// edge-fuse-elementwise leaves it) becomes the Conv's table_ops / table_args /
// table_params; the Conv keeps its own code parameters as conv_scale / conv_zero_point
// and takes the table's result type.

// CHECK-LABEL: func.func @silu
// CHECK-NEXT: %[[C:.+]] = edge.Conv %{{[^ ]+}}, %{{[^ ]+}}, %{{[^ ]+}} {conv_scale = 7.500000e-01 : f32, conv_zero_point = 5 : i64, {{.*}}table_args = array<i64: 0, -1, 0, 1>, table_ops = ["Sigmoid", "Mul"], table_params = array<f32: 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00>} : ({{.+}}) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 2.500000e-01:-100>>
// CHECK-NEXT: return %[[C]]
// RECORD-LABEL: func.func @silu
// RECORD: edge.Conv {{.*}}edge.fused = ["qconv", "qsilu"]
func.func @silu(%x: tensor<1x1x3x3x!quant.uniform<i8:f32, 5.000000e-01:-3>>, %w: tensor<2x1x2x2x!quant.uniform<i8:f32:0, {2.500000e-01,1.250000e-01}>>, %b: tensor<2x!quant.uniform<i32:f32:0, {1.250000e-01,6.250000e-02}>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 2.500000e-01:-100>> {
  %0 = edge.Conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x3x3x!quant.uniform<i8:f32, 5.000000e-01:-3>>, tensor<2x1x2x2x!quant.uniform<i8:f32:0, {2.500000e-01,1.250000e-01}>>, tensor<2x!quant.uniform<i32:f32:0, {1.250000e-01,6.250000e-02}>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 7.500000e-01:5>> loc("qconv")
  %1 = edge.FusedElementwise %0 {args = array<i64: 0, -1, 0, 1>, ops = ["Sigmoid", "Mul"], params = array<f32: 0.0, 0.0, 0.0, 0.0>} : (tensor<1x2x2x2x!quant.uniform<i8:f32, 7.500000e-01:5>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 2.500000e-01:-100>> loc("qsilu")
  return %1 : tensor<1x2x2x2x!quant.uniform<i8:f32, 2.500000e-01:-100>>
}

// -----

// Not fused: the Conv's codes have another user; the table reads a constant besides the
// codes; the Conv has a residual (its Add's codes are not the Conv's); the table changes
// the storage type (the Conv's own codes are of its result's); an f32 program.
// CHECK-LABEL: func.func @not_fused
// CHECK-COUNT-4: edge.FusedElementwise
// CHECK-NOT: table_ops
func.func @not_fused(%x: tensor<1x1x3x3x!quant.uniform<i8:f32, 5.000000e-01:-3>>, %w: tensor<2x1x2x2x!quant.uniform<i8:f32:0, {2.500000e-01,1.250000e-01}>>, %r: tensor<1x2x2x2x!quant.uniform<i8:f32, 5.000000e-01:-10>>, %f: tensor<1x2x2x2xf32>) -> (tensor<1x2x2x2x!quant.uniform<i8:f32, 2.500000e-01:-100>>, tensor<1x2x2x2x!quant.uniform<i8:f32, 7.500000e-01:5>>, tensor<1x2x2x2x!quant.uniform<i8:f32, 2.500000e-01:-100>>, tensor<1x2x2x2x!quant.uniform<i8:f32, 2.500000e-01:-100>>, tensor<1x2x2x2x!quant.uniform<u8:f32, 2.500000e-01:28>>, tensor<1x2x2x2xf32>) {
  %0 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x3x3x!quant.uniform<i8:f32, 5.000000e-01:-3>>, tensor<2x1x2x2x!quant.uniform<i8:f32:0, {2.500000e-01,1.250000e-01}>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 7.500000e-01:5>>
  %1 = edge.FusedElementwise %0 {args = array<i64: 0, -1, 0, 1>, ops = ["Sigmoid", "Mul"], params = array<f32: 0.0, 0.0, 0.0, 0.0>} : (tensor<1x2x2x2x!quant.uniform<i8:f32, 7.500000e-01:5>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 2.500000e-01:-100>>
  %2 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x3x3x!quant.uniform<i8:f32, 5.000000e-01:-3>>, tensor<2x1x2x2x!quant.uniform<i8:f32:0, {2.500000e-01,1.250000e-01}>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 7.500000e-01:5>>
  %c = edge.constant dense<2.0> : tensor<f32>
  %3 = edge.FusedElementwise %2, %c {args = array<i64: 0, 1, 2, -1>, ops = ["Mul", "Sigmoid"], params = array<f32: 0.0, 0.0, 0.0, 0.0>} : (tensor<1x2x2x2x!quant.uniform<i8:f32, 7.500000e-01:5>>, tensor<f32>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 2.500000e-01:-100>>
  %4 = edge.Conv %x, %w residual(%r) {conv_scale = 7.500000e-01 : f32, conv_zero_point = 5 : i64, dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x3x3x!quant.uniform<i8:f32, 5.000000e-01:-3>>, tensor<2x1x2x2x!quant.uniform<i8:f32:0, {2.500000e-01,1.250000e-01}>>, tensor<1x2x2x2x!quant.uniform<i8:f32, 5.000000e-01:-10>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 7.500000e-01:5>>
  %5 = edge.FusedElementwise %4 {args = array<i64: 0, -1, 0, 1>, ops = ["Sigmoid", "Mul"], params = array<f32: 0.0, 0.0, 0.0, 0.0>} : (tensor<1x2x2x2x!quant.uniform<i8:f32, 7.500000e-01:5>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 2.500000e-01:-100>>
  %6 = edge.Conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x3x3x!quant.uniform<i8:f32, 5.000000e-01:-3>>, tensor<2x1x2x2x!quant.uniform<i8:f32:0, {2.500000e-01,1.250000e-01}>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 7.500000e-01:5>>
  %7 = edge.FusedElementwise %6 {args = array<i64: 0, -1, 0, 1>, ops = ["Sigmoid", "Mul"], params = array<f32: 0.0, 0.0, 0.0, 0.0>} : (tensor<1x2x2x2x!quant.uniform<i8:f32, 7.500000e-01:5>>) -> tensor<1x2x2x2x!quant.uniform<u8:f32, 2.500000e-01:28>>
  %8 = edge.FusedElementwise %f {args = array<i64: 0, -1, 0, 1>, ops = ["Sigmoid", "Mul"], params = array<f32: 0.0, 0.0, 0.0, 0.0>} : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  return %1, %0, %3, %5, %7, %8 : tensor<1x2x2x2x!quant.uniform<i8:f32, 2.500000e-01:-100>>, tensor<1x2x2x2x!quant.uniform<i8:f32, 7.500000e-01:5>>, tensor<1x2x2x2x!quant.uniform<i8:f32, 2.500000e-01:-100>>, tensor<1x2x2x2x!quant.uniform<i8:f32, 2.500000e-01:-100>>, tensor<1x2x2x2x!quant.uniform<u8:f32, 2.500000e-01:28>>, tensor<1x2x2x2xf32>
}
