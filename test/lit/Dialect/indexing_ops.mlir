// RUN: edgec-opt %s | edgec-opt | FileCheck %s
// RUN: edgec-opt %s -mlir-print-op-generic | edgec-opt | FileCheck %s
//
// ONNX's element-indexing ops (EdgeIndexingOps.td): indices are i32 or i64 operands, axes
// are normalized, scatters carry their reduction.

// CHECK-LABEL: func.func @gather_elements
// CHECK: edge.GatherElements %arg0, %arg1 {axis = 1 : i64} : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
// CHECK: edge.GatherElements %arg0, %arg2 {axis = 0 : i64} : (tensor<3x4xf32>, tensor<5x1xi32>) -> tensor<5x1xf32>
func.func @gather_elements(%x: tensor<3x4xf32>, %i: tensor<3x2xi64>, %j: tensor<5x1xi32>) -> (tensor<3x2xf32>, tensor<5x1xf32>) {
  %0 = edge.GatherElements %x, %i {axis = 1 : i64} : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
  %1 = edge.GatherElements %x, %j {axis = 0 : i64} : (tensor<3x4xf32>, tensor<5x1xi32>) -> tensor<5x1xf32>
  return %0, %1 : tensor<3x2xf32>, tensor<5x1xf32>
}

// CHECK-LABEL: func.func @scatter_elements
// CHECK: edge.ScatterElements %arg0, %arg1, %arg2 {axis = 1 : i64, reduction = "none"} : (tensor<1x5xi1>, tensor<1x2xi64>, tensor<1x2xi1>) -> tensor<1x5xi1>
// CHECK: edge.ScatterElements %arg3, %arg1, %arg4 {axis = 0 : i64, reduction = "mul"} : (tensor<2x5xf16>, tensor<1x2xi64>, tensor<1x2xf16>) -> tensor<2x5xf16>
func.func @scatter_elements(%x: tensor<1x5xi1>, %i: tensor<1x2xi64>, %u: tensor<1x2xi1>, %h: tensor<2x5xf16>,
                            %v: tensor<1x2xf16>) -> (tensor<1x5xi1>, tensor<2x5xf16>) {
  %0 = edge.ScatterElements %x, %i, %u {axis = 1 : i64, reduction = "none"} : (tensor<1x5xi1>, tensor<1x2xi64>, tensor<1x2xi1>) -> tensor<1x5xi1>
  %1 = edge.ScatterElements %h, %i, %v {axis = 0 : i64, reduction = "mul"} : (tensor<2x5xf16>, tensor<1x2xi64>, tensor<1x2xf16>) -> tensor<2x5xf16>
  return %0, %1 : tensor<1x5xi1>, tensor<2x5xf16>
}

// CHECK-LABEL: func.func @gather_nd
// CHECK: edge.GatherND %arg0, %arg1 {batch_dims = 0 : i64} : (tensor<2x3x4xi32>, tensor<5x2xi64>) -> tensor<5x4xi32>
// CHECK: edge.GatherND %arg0, %arg2 {batch_dims = 1 : i64} : (tensor<2x3x4xi32>, tensor<2x1x2xi32>) -> tensor<2x1xi32>
func.func @gather_nd(%x: tensor<2x3x4xi32>, %i: tensor<5x2xi64>, %j: tensor<2x1x2xi32>) -> (tensor<5x4xi32>, tensor<2x1xi32>) {
  %0 = edge.GatherND %x, %i {batch_dims = 0 : i64} : (tensor<2x3x4xi32>, tensor<5x2xi64>) -> tensor<5x4xi32>
  %1 = edge.GatherND %x, %j {batch_dims = 1 : i64} : (tensor<2x3x4xi32>, tensor<2x1x2xi32>) -> tensor<2x1xi32>
  return %0, %1 : tensor<5x4xi32>, tensor<2x1xi32>
}

// CHECK-LABEL: func.func @scatter_nd
// CHECK: edge.ScatterND %arg0, %arg1, %arg2 {reduction = "add"} : (tensor<4x4x4xf32>, tensor<2x1xi64>, tensor<2x4x4xf32>) -> tensor<4x4x4xf32>
func.func @scatter_nd(%x: tensor<4x4x4xf32>, %i: tensor<2x1xi64>, %u: tensor<2x4x4xf32>) -> tensor<4x4x4xf32> {
  %0 = edge.ScatterND %x, %i, %u {reduction = "add"} : (tensor<4x4x4xf32>, tensor<2x1xi64>, tensor<2x4x4xf32>) -> tensor<4x4x4xf32>
  return %0 : tensor<4x4x4xf32>
}
