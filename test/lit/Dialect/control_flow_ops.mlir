// RUN: edgec-opt %s | edgec-opt | FileCheck %s
// RUN: edgec-opt %s -mlir-print-op-generic | edgec-opt | FileCheck %s
//
// ONNX's If and Scan (EdgeControlFlowOps.td): bodies are private functions of the
// module, called with every value they read.

// CHECK-LABEL: func.func @if_captures
// CHECK: edge.If %arg0, %arg1 then @then else @else : (tensor<i1>, tensor<4xf32>) -> tensor<4xf32>
func.func @if_captures(%c: tensor<i1>, %x: tensor<4xf32>) -> tensor<4xf32> {
  %y = edge.If %c, %x then @then else @else : (tensor<i1>, tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}
func.func private @then(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = edge.Relu %x : tensor<4xf32>
  return %y : tensor<4xf32>
}
func.func private @else(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// CHECK-LABEL: func.func @if_no_inputs
// CHECK: edge.If %arg0 then @five else @six : (tensor<1xi1>) -> tensor<2xi64>
func.func @if_no_inputs(%c: tensor<1xi1>) -> tensor<2xi64> {
  %y = edge.If %c then @five else @six : (tensor<1xi1>) -> tensor<2xi64>
  return %y : tensor<2xi64>
}
func.func private @five() -> tensor<2xi64> {
  %c = edge.constant dense<5> : tensor<2xi64>
  return %c : tensor<2xi64>
}
func.func private @six() -> tensor<2xi64> {
  %c = edge.constant dense<6> : tensor<2xi64>
  return %c : tensor<2xi64>
}

// A running sum over the rows of %x (axis 0) with each partial sum stacked along axis 1.
// CHECK-LABEL: func.func @scan_sum
// CHECK: edge.Scan %arg0, %arg1 body @sum_step {num_scan_inputs = 1 : i64, num_states = 1 : i64, scan_input_axes = array<i64: 0>, scan_input_directions = array<i64: 0>, scan_output_axes = array<i64: 1>, scan_output_directions = array<i64: 1>} : (tensor<2xf32>, tensor<3x2xf32>) -> (tensor<2xf32>, tensor<2x3xf32>)
func.func @scan_sum(%init: tensor<2xf32>, %x: tensor<3x2xf32>) -> (tensor<2xf32>, tensor<2x3xf32>) {
  %s, %ys = edge.Scan %init, %x body @sum_step {num_scan_inputs = 1 : i64, num_states = 1 : i64, scan_input_axes = array<i64: 0>, scan_input_directions = array<i64: 0>, scan_output_axes = array<i64: 1>, scan_output_directions = array<i64: 1>} : (tensor<2xf32>, tensor<3x2xf32>) -> (tensor<2xf32>, tensor<2x3xf32>)
  return %s, %ys : tensor<2xf32>, tensor<2x3xf32>
}
func.func private @sum_step(%s: tensor<2xf32>, %row: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>) {
  %n = edge.Add %s, %row : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %n, %n : tensor<2xf32>, tensor<2xf32>
}
