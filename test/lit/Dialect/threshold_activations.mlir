// RUN: edgec-opt %s | edgec-opt | FileCheck %s
//
// ThresholdedRelu and Shrink round-trip with their f32 attributes (the frontend always
// writes them, with ONNX's defaults when the node omits them).

// CHECK-LABEL: func.func @thresholds
func.func @thresholds(%x: tensor<2x3xf32>, %i: tensor<4xi32>, %u: tensor<4xui8>)
    -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<4xi32>, tensor<4xui8>) {
  // CHECK: edge.ThresholdedRelu %{{.+}} {alpha = 2.000000e+00 : f32} : tensor<2x3xf32>
  %0 = edge.ThresholdedRelu %x {alpha = 2.0 : f32} : tensor<2x3xf32>
  // CHECK: edge.Shrink %{{.+}} {bias = 1.500000e+00 : f32, lambd = 5.000000e-01 : f32} : tensor<2x3xf32>
  %1 = edge.Shrink %x {lambd = 0.5 : f32, bias = 1.5 : f32} : tensor<2x3xf32>
  // CHECK: edge.Shrink %{{.+}} : tensor<4xi32>
  %2 = edge.Shrink %i {lambd = 1.0 : f32, bias = 1.0 : f32} : tensor<4xi32>
  // CHECK: edge.Shrink %{{.+}} : tensor<4xui8>
  %3 = edge.Shrink %u {lambd = 1.0 : f32, bias = 1.0 : f32} : tensor<4xui8>
  return %0, %1, %2, %3 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<4xi32>, tensor<4xui8>
}
