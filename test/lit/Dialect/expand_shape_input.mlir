// RUN: edgec-opt %s | edgec-opt | FileCheck %s
// RUN: edgec-opt %s -mlir-print-op-generic | edgec-opt | FileCheck %s
//
// An Expand's target shape known only at run time is its `shape` operand (the result
// type is the compiled shape); without it the Expand prints as before.
// CHECK-LABEL: func.func @expand_shape_input
// CHECK: edge.Expand %arg0 shape(%arg1 : tensor<3xi64>) : (tensor<f32>) -> tensor<4x3x2xf32>
// CHECK: edge.Expand %arg2 shape(%arg3 : tensor<1xi64>) : (tensor<2x1xi32>) -> tensor<2x5xi32>
// CHECK: edge.Expand %arg0 : (tensor<f32>) -> tensor<2xf32>
func.func @expand_shape_input(%v: tensor<f32>, %s: tensor<3xi64>, %x: tensor<2x1xi32>, %t: tensor<1xi64>)
    -> (tensor<4x3x2xf32>, tensor<2x5xi32>, tensor<2xf32>) {
  %0 = edge.Expand %v shape(%s : tensor<3xi64>) : (tensor<f32>) -> tensor<4x3x2xf32>
  %1 = edge.Expand %x shape(%t : tensor<1xi64>) : (tensor<2x1xi32>) -> tensor<2x5xi32>
  %2 = edge.Expand %v : (tensor<f32>) -> tensor<2xf32>
  return %0, %1, %2 : tensor<4x3x2xf32>, tensor<2x5xi32>, tensor<2xf32>
}
