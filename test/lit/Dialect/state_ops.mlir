// RUN: edgec-opt %s | edgec-opt | FileCheck %s
// RUN: edgec-opt %s -mlir-print-op-generic | edgec-opt | FileCheck %s
//
// Round trip of the state ops: declarations with and without an initial value, reads,
// writes and an in-place style update of a state through DynamicUpdateSlice.

// CHECK: edge.state @acc : tensor<4xf32> = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>
// CHECK: edge.state @cache : tensor<2x8x4xf16>
edge.state @acc : tensor<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
edge.state @cache : tensor<2x8x4xf16>

// CHECK-LABEL: func.func @step
func.func @step(%x: tensor<4xf32>, %kv: tensor<2x1x4xf16>, %pos: tensor<3xi64>) -> tensor<4xf32> {
  // CHECK: %[[S:.+]] = edge.state_read @acc : tensor<4xf32>
  %s = edge.state_read @acc : tensor<4xf32>
  // CHECK: %[[N:.+]] = edge.Add %[[S]]
  %n = edge.Add %s, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  // CHECK: edge.state_write @acc, %[[N]] : tensor<4xf32>
  edge.state_write @acc, %n : tensor<4xf32>
  // CHECK: %[[C:.+]] = edge.state_read @cache : tensor<2x8x4xf16>
  %c = edge.state_read @cache : tensor<2x8x4xf16>
  // CHECK: %[[U:.+]] = edge.DynamicUpdateSlice %[[C]], %{{.+}}, %{{.+}} : (tensor<2x8x4xf16>, tensor<2x1x4xf16>, tensor<3xi64>) -> tensor<2x8x4xf16>
  %u = edge.DynamicUpdateSlice %c, %kv, %pos : (tensor<2x8x4xf16>, tensor<2x1x4xf16>, tensor<3xi64>) -> tensor<2x8x4xf16>
  // CHECK: edge.state_write @cache, %[[U]]
  edge.state_write @cache, %u : tensor<2x8x4xf16>
  return %n : tensor<4xf32>
}
