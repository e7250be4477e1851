// RUN: edgec-opt %s | edgec-opt | FileCheck %s
//
// BitShift round-trips with its direction; unsigned operands broadcast.

// CHECK-LABEL: func.func @shifts
func.func @shifts(%x: tensor<2x3xui8>, %y: tensor<3xui8>, %a: tensor<4xui64>)
    -> (tensor<2x3xui8>, tensor<4xui64>) {
  // CHECK: edge.BitShift %{{.+}}, %{{.+}} {direction = "LEFT"} : (tensor<2x3xui8>, tensor<3xui8>) -> tensor<2x3xui8>
  %0 = edge.BitShift %x, %y {direction = "LEFT"} : (tensor<2x3xui8>, tensor<3xui8>) -> tensor<2x3xui8>
  // CHECK: edge.BitShift %{{.+}}, %{{.+}} {direction = "RIGHT"} : (tensor<4xui64>, tensor<4xui64>) -> tensor<4xui64>
  %1 = edge.BitShift %a, %a {direction = "RIGHT"} : (tensor<4xui64>, tensor<4xui64>) -> tensor<4xui64>
  return %0, %1 : tensor<2x3xui8>, tensor<4xui64>
}
