// RUN: edgec-opt %s | edgec-opt | FileCheck %s
//
// Shape parameters given as run-time operands round-trip (their custom syntax names each
// operand, since the optional ones may be absent).

// CHECK-LABEL: func.func @slice
func.func @slice(%x: tensor<4x10xf32>, %s: tensor<2xi32>, %e: tensor<2xi32>, %st: tensor<2xi64>) -> tensor<2x3xf32> {
  // CHECK: edge.Slice %{{.+}} starts %{{.+}} ends %{{.+}} steps %{{.+}} : (tensor<4x10xf32>, tensor<2xi32>, tensor<2xi32>, tensor<2xi64>) -> tensor<2x3xf32>
  %0 = edge.Slice %x starts %s ends %e steps %st : (tensor<4x10xf32>, tensor<2xi32>, tensor<2xi32>, tensor<2xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @reduce_sum
func.func @reduce_sum(%x: tensor<2x3xf32>, %a: tensor<0xi32>) -> tensor<2x3xf32> {
  // CHECK: edge.ReduceSum %{{.+}} axes %{{.+}} : tensor<0xi32> {keepdims = 1 : i64, noop_with_empty_axes = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %0 = edge.ReduceSum %x axes %a : tensor<0xi32> {keepdims = 1 : i64, noop_with_empty_axes = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @pad
func.func @pad(%x: tensor<2x3xf32>, %v: tensor<f32>, %p: tensor<2xi32>, %a: tensor<1xi64>) -> tensor<2x5xf32> {
  // CHECK: edge.Pad %{{.+}}, %{{.+}} pads %{{.+}} axes %{{.+}} {mode = "constant"} : (tensor<2x3xf32>, tensor<f32>, tensor<2xi32>, tensor<1xi64>) -> tensor<2x5xf32>
  %0 = edge.Pad %x, %v pads %p axes %a {mode = "constant"} : (tensor<2x3xf32>, tensor<f32>, tensor<2xi32>, tensor<1xi64>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// CHECK-LABEL: func.func @tile_split
func.func @tile_split(%x: tensor<2x3xf32>, %r: tensor<2xi64>, %s: tensor<2xi32>) -> (tensor<4x3xf32>, tensor<2x1xf32>, tensor<2x2xf32>) {
  // CHECK: edge.Tile %{{.+}} repeats %{{.+}} : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<4x3xf32>
  %0 = edge.Tile %x repeats %r : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<4x3xf32>
  // CHECK: edge.Split %{{.+}} split %{{.+}} {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2xi32>) -> (tensor<2x1xf32>, tensor<2x2xf32>)
  %1:2 = edge.Split %x split %s {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2xi32>) -> (tensor<2x1xf32>, tensor<2x2xf32>)
  return %0, %1#0, %1#1 : tensor<4x3xf32>, tensor<2x1xf32>, tensor<2x2xf32>
}

// CHECK-LABEL: func.func @topk_onehot
func.func @topk_onehot(%x: tensor<3x4xf32>, %k: tensor<i32>, %i: tensor<3xi64>, %v: tensor<2xf32>, %d: tensor<1xi64>) -> (tensor<3x2xf32>, tensor<3x10xf32>) {
  // CHECK: edge.TopK %{{.+}} k %{{.+}} {axis = 1 : i64, largest = 0 : i64} : (tensor<3x4xf32>, tensor<i32>) -> (tensor<3x2xf32>, tensor<3x2xi64>)
  %0:2 = edge.TopK %x k %k {axis = 1 : i64, largest = 0 : i64} : (tensor<3x4xf32>, tensor<i32>) -> (tensor<3x2xf32>, tensor<3x2xi64>)
  // CHECK: edge.OneHot %{{.+}}, %{{.+}} depth %{{.+}} {axis = 1 : i64} : (tensor<3xi64>, tensor<2xf32>, tensor<1xi64>) -> tensor<3x10xf32>
  %1 = edge.OneHot %i, %v depth %d {axis = 1 : i64} : (tensor<3xi64>, tensor<2xf32>, tensor<1xi64>) -> tensor<3x10xf32>
  return %0#0, %1 : tensor<3x2xf32>, tensor<3x10xf32>
}

// CHECK-LABEL: func.func @max_unpool
func.func @max_unpool(%x: tensor<1x1x2x2xf32>, %i: tensor<1x1x2x2xi64>, %s: tensor<4xi64>) -> tensor<1x1x5x5xf32> {
  // CHECK: edge.MaxUnpool %{{.+}}, %{{.+}} output_shape %{{.+}} : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>, tensor<4xi64>) -> tensor<1x1x5x5xf32>
  %0 = edge.MaxUnpool %x, %i output_shape %s : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>, tensor<4xi64>) -> tensor<1x1x5x5xf32>
  return %0 : tensor<1x1x5x5xf32>
}
