// RUN: edgec-opt %s -edge-fuse-rmsnorm -edge-convert-to-f16 | FileCheck %s
//
// --precision fp16 after edge-fuse-rmsnorm: the RMSNormalization's kernels are f32 only,
// so it stays f32 between casts while the ops around it become f16.
// CHECK-LABEL: func.func @rmsnorm_f16
// CHECK: %[[H:.+]] = edge.Relu %{{.+}} : tensor<2x4xf16>
// CHECK: %[[X:.+]] = edge.Cast %[[H]] {{.*}}: (tensor<2x4xf16>) -> tensor<2x4xf32>
// CHECK: %[[N:.+]] = edge.RMSNormalization %[[X]], %{{.+}} {{.+}} : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
// CHECK: edge.Cast %[[N]] {{.*}}: (tensor<2x4xf32>) -> tensor<2x4xf16>
func.func @rmsnorm_f16(%in: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %w = edge.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %two = edge.constant dense<2.0> : tensor<f32>
  %eps = edge.constant dense<1.0e-6> : tensor<f32>
  %x = edge.Relu %in : tensor<2x4xf32>
  %0 = edge.Pow %x, %two : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  %1 = edge.ReduceMean %0 {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x4xf32>) -> tensor<2x1xf32>
  %2 = edge.Add %1, %eps : (tensor<2x1xf32>, tensor<f32>) -> tensor<2x1xf32>
  %3 = edge.Sqrt %2 : tensor<2x1xf32>
  %4 = edge.Div %x, %3 : (tensor<2x4xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
  %5 = edge.Mul %4, %w : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %6 = edge.Relu %5 : tensor<2x4xf32>
  return %6 : tensor<2x4xf32>
}
