// RUN: edgec-opt %s | edgec-opt | FileCheck %s
// RUN: edgec-opt %s -mlir-print-op-generic | edgec-opt | FileCheck %s
//
// Round trip of every edge op: parse, print (custom or generic form), re-parse, print.

// CHECK-LABEL: func.func @constant
func.func @constant() -> (tensor<2xf32>, tensor<i64>, tensor<2x2xi1>, tensor<3xf32>, tensor<4xui8>) {
  // CHECK: edge.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
  %0 = edge.constant dense<[1.0, 2.0]> : tensor<2xf32>
  // CHECK: edge.constant dense<7> : tensor<i64>
  %1 = edge.constant dense<7> : tensor<i64>
  // CHECK: edge.constant dense<{{\[}}[true, false], [false, true]]> : tensor<2x2xi1>
  %2 = edge.constant dense<[[true, false], [false, true]]> : tensor<2x2xi1>
  // CHECK: edge.constant dense_resource<weights> : tensor<3xf32>
  %3 = edge.constant dense_resource<weights> : tensor<3xf32>
  // CHECK: edge.constant dense<[0, 1, 254, 255]> : tensor<4xui8>
  %4 = edge.constant dense<[0, 1, 254, 255]> : tensor<4xui8>
  return %0, %1, %2, %3, %4 : tensor<2xf32>, tensor<i64>, tensor<2x2xi1>, tensor<3xf32>, tensor<4xui8>
}

// CHECK-LABEL: func.func @binary
// CHECK-SAME: (%[[A:.+]]: tensor<2x3xf32>, %[[B:.+]]: tensor<3xf32>, %[[E:.+]]: tensor<1xi32>)
func.func @binary(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %e: tensor<1xi32>) -> tensor<2x3xf32> {
  // CHECK: %[[ADD:.+]] = edge.Add %[[A]], %[[B]] : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %0 = edge.Add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: %[[SUB:.+]] = edge.Sub %[[ADD]], %[[B]] : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = edge.Sub %0, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: %[[MUL:.+]] = edge.Mul %[[SUB]], %[[A]] : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = edge.Mul %1, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: %[[DIV:.+]] = edge.Div %[[B]], %[[MUL]] : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %3 = edge.Div %b, %2 : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: %[[POW:.+]] = edge.Pow %[[DIV]], %[[E]] : (tensor<2x3xf32>, tensor<1xi32>) -> tensor<2x3xf32>
  %4 = edge.Pow %3, %e : (tensor<2x3xf32>, tensor<1xi32>) -> tensor<2x3xf32>
  // CHECK: return %[[POW]]
  return %4 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @binary_scalar_int
func.func @binary_scalar_int(%a: tensor<i64>, %b: tensor<4xi64>) -> tensor<4xi64> {
  // CHECK: edge.Add %{{.+}}, %{{.+}} : (tensor<i64>, tensor<4xi64>) -> tensor<4xi64>
  %0 = edge.Add %a, %b : (tensor<i64>, tensor<4xi64>) -> tensor<4xi64>
  return %0 : tensor<4xi64>
}

// CHECK-LABEL: func.func @where
// CHECK-SAME: (%[[C:.+]]: tensor<2x1xi1>, %[[X:.+]]: tensor<3xf32>, %[[Y:.+]]: tensor<f32>)
func.func @where(%c: tensor<2x1xi1>, %x: tensor<3xf32>, %y: tensor<f32>) -> tensor<2x3xf32> {
  // CHECK: edge.Where %[[C]], %[[X]], %[[Y]] : (tensor<2x1xi1>, tensor<3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %0 = edge.Where %c, %x, %y : (tensor<2x1xi1>, tensor<3xf32>, tensor<f32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @unary
// CHECK-SAME: (%[[X:.+]]: tensor<2x3xf32>)
func.func @unary(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // CHECK: %[[R0:.+]] = edge.Relu %[[X]] : tensor<2x3xf32>
  %0 = edge.Relu %x : tensor<2x3xf32>
  // CHECK: %[[R1:.+]] = edge.Sigmoid %[[R0]] : tensor<2x3xf32>
  %1 = edge.Sigmoid %0 : tensor<2x3xf32>
  // CHECK: %[[R2:.+]] = edge.Tanh %[[R1]] : tensor<2x3xf32>
  %2 = edge.Tanh %1 : tensor<2x3xf32>
  // CHECK: %[[R3:.+]] = edge.Sqrt %[[R2]] : tensor<2x3xf32>
  %3 = edge.Sqrt %2 : tensor<2x3xf32>
  // CHECK: %[[R4:.+]] = edge.Erf %[[R3]] : tensor<2x3xf32>
  %4 = edge.Erf %3 : tensor<2x3xf32>
  // CHECK: %[[R5:.+]] = edge.Exp %[[R4]] : tensor<2x3xf32>
  %5 = edge.Exp %4 : tensor<2x3xf32>
  // CHECK: %[[R6:.+]] = edge.Log %[[R5]] : tensor<2x3xf32>
  %6 = edge.Log %5 : tensor<2x3xf32>
  // CHECK: %[[R7:.+]] = edge.Neg %[[R6]] : tensor<2x3xf32>
  %7 = edge.Neg %6 : tensor<2x3xf32>
  // CHECK: %[[R8:.+]] = edge.Abs %[[R7]] : tensor<2x3xf32>
  %8 = edge.Abs %7 : tensor<2x3xf32>
  // CHECK: %[[R9:.+]] = edge.Reciprocal %[[R8]] : tensor<2x3xf32>
  %9 = edge.Reciprocal %8 : tensor<2x3xf32>
  // CHECK: return %[[R9]]
  return %9 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @clip
// CHECK-SAME: (%[[X:.+]]: tensor<4xf32>, %[[LO:.+]]: tensor<f32>, %[[HI:.+]]: tensor<1xf32>)
func.func @clip(%x: tensor<4xf32>, %lo: tensor<f32>, %hi: tensor<1xf32>) -> tensor<4xf32> {
  // CHECK: %[[C0:.+]] = edge.Clip %[[X]] min %[[LO]] max %[[HI]] : (tensor<4xf32>, tensor<f32>, tensor<1xf32>) -> tensor<4xf32>
  %0 = edge.Clip %x min %lo max %hi : (tensor<4xf32>, tensor<f32>, tensor<1xf32>) -> tensor<4xf32>
  // CHECK: %[[C1:.+]] = edge.Clip %[[C0]] min %[[LO]] : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %1 = edge.Clip %0 min %lo : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  // CHECK: %[[C2:.+]] = edge.Clip %[[C1]] max %[[HI]] : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  %2 = edge.Clip %1 max %hi : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  // CHECK: %[[C3:.+]] = edge.Clip %[[C2]] : (tensor<4xf32>) -> tensor<4xf32>
  %3 = edge.Clip %2 : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: return %[[C3]]
  return %3 : tensor<4xf32>
}

// CHECK-LABEL: func.func @softmax
func.func @softmax(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  // CHECK: edge.Softmax %{{.+}} {axis = 1 : i64} : tensor<2x5xf32>
  %0 = edge.Softmax %x {axis = 1 : i64} : tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// CHECK-LABEL: func.func @layer_norm
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x4xf32>, %[[S:.+]]: tensor<4xf32>, %[[B:.+]]: tensor<3x4xf32>)
func.func @layer_norm(%x: tensor<2x3x4xf32>, %s: tensor<4xf32>, %b: tensor<3x4xf32>)
    -> (tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x1x1xf32>, tensor<2x1x1xf32>) {
  // CHECK: %[[Y0:.+]] = edge.LayerNormalization %[[X]], %[[S]] {axis = 2 : i64, epsilon = 9.99999974E-6 : f32} : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  %0 = edge.LayerNormalization %x, %s {axis = 2 : i64, epsilon = 1.0e-5 : f32}
      : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  // CHECK: %[[Y1:.+]]:3 = edge.LayerNormalization %[[X]], %[[S]], %[[B]] {axis = 1 : i64, epsilon = 1.000000e-03 : f32} : (tensor<2x3x4xf32>, tensor<4xf32>, tensor<3x4xf32>) -> (tensor<2x3x4xf32>, tensor<2x1x1xf32>, tensor<2x1x1xf32>)
  %1:3 = edge.LayerNormalization %x, %s, %b {axis = 1 : i64, epsilon = 1.0e-3 : f32}
      : (tensor<2x3x4xf32>, tensor<4xf32>, tensor<3x4xf32>) -> (tensor<2x3x4xf32>, tensor<2x1x1xf32>, tensor<2x1x1xf32>)
  // CHECK: return %[[Y0]], %[[Y1]]#0, %[[Y1]]#1, %[[Y1]]#2
  return %0, %1#0, %1#1, %1#2 : tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x1x1xf32>, tensor<2x1x1xf32>
}

// CHECK-LABEL: func.func @batch_norm
func.func @batch_norm(%x: tensor<1x3x4x4xf32>, %p: tensor<3xf32>) -> tensor<1x3x4x4xf32> {
  // CHECK: edge.BatchNormalization %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} {epsilon = 9.99999974E-6 : f32} : (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
  %0 = edge.BatchNormalization %x, %p, %p, %p, %p {epsilon = 1.0e-5 : f32}
      : (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

// CHECK-LABEL: func.func @matmul
func.func @matmul(%a: tensor<2x1x3x4xf32>, %b: tensor<5x4x6xf32>, %v: tensor<4xf32>, %w: tensor<6xf32>)
    -> (tensor<2x5x3x6xf32>, tensor<2x1x3xf32>, tensor<5x4xf32>, tensor<f32>) {
  // CHECK: edge.MatMul %{{.+}}, %{{.+}} : (tensor<2x1x3x4xf32>, tensor<5x4x6xf32>) -> tensor<2x5x3x6xf32>
  %0 = edge.MatMul %a, %b : (tensor<2x1x3x4xf32>, tensor<5x4x6xf32>) -> tensor<2x5x3x6xf32>
  // CHECK: edge.MatMul %{{.+}}, %{{.+}} : (tensor<2x1x3x4xf32>, tensor<4xf32>) -> tensor<2x1x3xf32>
  %1 = edge.MatMul %a, %v : (tensor<2x1x3x4xf32>, tensor<4xf32>) -> tensor<2x1x3xf32>
  // CHECK: edge.MatMul %{{.+}}, %{{.+}} : (tensor<5x4x6xf32>, tensor<6xf32>) -> tensor<5x4xf32>
  %2 = edge.MatMul %b, %w : (tensor<5x4x6xf32>, tensor<6xf32>) -> tensor<5x4xf32>
  // CHECK: edge.MatMul %{{.+}}, %{{.+}} : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  %3 = edge.MatMul %v, %v : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  return %0, %1, %2, %3 : tensor<2x5x3x6xf32>, tensor<2x1x3xf32>, tensor<5x4xf32>, tensor<f32>
}

// CHECK-LABEL: func.func @gemm
func.func @gemm(%a: tensor<4x2xf32>, %b: tensor<3x4xf32>, %c: tensor<3xf32>, %d: tensor<2x4xf32>)
    -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  // CHECK: edge.Gemm %{{.+}}, %{{.+}}, %{{.+}} {alpha = 5.000000e-01 : f32, beta = 2.000000e+00 : f32, transA = 1 : i64, transB = 1 : i64} : (tensor<4x2xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %0 = edge.Gemm %a, %b, %c {alpha = 0.5 : f32, beta = 2.0 : f32, transA = 1 : i64, transB = 1 : i64}
      : (tensor<4x2xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // Default-valued attributes are not printed.
  // CHECK: edge.Gemm %{{.+}}, %{{.+}} {transB = 1 : i64} : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  %1 = edge.Gemm %d, %b {transB = 1 : i64} : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<2x3xf32>
}

// CHECK-LABEL: func.func @conv
// CHECK-SAME: (%[[X:.+]]: tensor<1x4x8x8xf32>, %[[W:.+]]: tensor<6x2x3x3xf32>, %[[B:.+]]: tensor<6xf32>, %[[X1:.+]]: tensor<2x3x10xf32>, %[[W1:.+]]: tensor<5x3x3xf32>)
func.func @conv(%x: tensor<1x4x8x8xf32>, %w: tensor<6x2x3x3xf32>, %b: tensor<6xf32>,
                %x1: tensor<2x3x10xf32>, %w1: tensor<5x3x3xf32>)
    -> (tensor<1x6x4x4xf32>, tensor<1x6x6x6xf32>, tensor<2x5x3xf32>) {
  // CHECK: edge.Conv %[[X]], %[[W]], %[[B]] {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>) -> tensor<1x6x4x4xf32>
  %0 = edge.Conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
      : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>) -> tensor<1x6x4x4xf32>
  // CHECK: edge.Conv %[[X]], %[[W]] {act_max = 6.000000e+00 : f32, activation = "Clip", dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32>
  %1 = edge.Conv %x, %w {act_min = 0.0 : f32, act_max = 6.0 : f32, activation = "Clip", dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32>
  // 1-D, dilated, asymmetric pads: (10 + 0 + 1 - 5) / 3 + 1 = 3.
  // CHECK: edge.Conv %[[X1]], %[[W1]] {activation = "Relu", dilations = array<i64: 2>, group = 1 : i64, pads = array<i64: 0, 1>, strides = array<i64: 3>} : (tensor<2x3x10xf32>, tensor<5x3x3xf32>) -> tensor<2x5x3xf32>
  %2 = edge.Conv %x1, %w1 {activation = "Relu", dilations = array<i64: 2>, group = 1 : i64, pads = array<i64: 0, 1>, strides = array<i64: 3>}
      : (tensor<2x3x10xf32>, tensor<5x3x3xf32>) -> tensor<2x5x3xf32>
  return %0, %1, %2 : tensor<1x6x4x4xf32>, tensor<1x6x6x6xf32>, tensor<2x5x3xf32>
}

// CHECK-LABEL: func.func @pools
func.func @pools(%x: tensor<1x3x7x7xf32>, %q: tensor<1x3x7x7xi8>)
    -> (tensor<1x3x3x3xf32>, tensor<1x3x4x4xi8>, tensor<1x3x7x7xf32>, tensor<1x3x1x1xf32>) {
  // CHECK: edge.MaxPool %{{.+}} {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x3x7x7xf32>) -> tensor<1x3x3x3xf32>
  %0 = edge.MaxPool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>}
      : (tensor<1x3x7x7xf32>) -> tensor<1x3x3x3xf32>
  // ceil_mode: (7 - 2) / 2 rounded up + 1 = 4.
  // CHECK: edge.MaxPool %{{.+}} {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x3x7x7xi8>) -> tensor<1x3x4x4xi8>
  %1 = edge.MaxPool %q {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>}
      : (tensor<1x3x7x7xi8>) -> tensor<1x3x4x4xi8>
  // CHECK: edge.AveragePool %{{.+}} {count_include_pad = 1 : i64, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x3x7x7xf32>) -> tensor<1x3x7x7xf32>
  %2 = edge.AveragePool %x {count_include_pad = 1 : i64, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
      : (tensor<1x3x7x7xf32>) -> tensor<1x3x7x7xf32>
  // CHECK: edge.GlobalAveragePool %{{.+}} : (tensor<1x3x7x7xf32>) -> tensor<1x3x1x1xf32>
  %3 = edge.GlobalAveragePool %x : (tensor<1x3x7x7xf32>) -> tensor<1x3x1x1xf32>
  return %0, %1, %2, %3 : tensor<1x3x3x3xf32>, tensor<1x3x4x4xi8>, tensor<1x3x7x7xf32>, tensor<1x3x1x1xf32>
}

// CHECK-LABEL: func.func @average_pool_default
func.func @average_pool_default(%x: tensor<1x3x7x7xf32>) -> tensor<1x3x3x3xf32> {
  // CHECK: edge.AveragePool %{{.+}} {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x3x7x7xf32>) -> tensor<1x3x3x3xf32>
  %0 = edge.AveragePool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>}
      : (tensor<1x3x7x7xf32>) -> tensor<1x3x3x3xf32>
  return %0 : tensor<1x3x3x3xf32>
}

// CHECK-LABEL: func.func @reshape
func.func @reshape(%x: tensor<2x3x4xf32>) -> tensor<6x4xf32> {
  // CHECK: edge.Reshape %{{.+}} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  %0 = edge.Reshape %x : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// CHECK-LABEL: func.func @transpose
func.func @transpose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  // CHECK: edge.Transpose %{{.+}} {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  %0 = edge.Transpose %x {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  return %0 : tensor<4x2x3xf32>
}

// CHECK-LABEL: func.func @concat
// CHECK-SAME: (%[[A:.+]]: tensor<2x3xf32>, %[[B:.+]]: tensor<2x1xf32>)
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<2x1xf32>) -> (tensor<2x7xf32>, tensor<2x3xf32>) {
  // CHECK: edge.Concat %[[A]], %[[B]], %[[A]] {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x1xf32>, tensor<2x3xf32>) -> tensor<2x7xf32>
  %0 = edge.Concat %a, %b, %a {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x1xf32>, tensor<2x3xf32>) -> tensor<2x7xf32>
  // CHECK: edge.Concat %[[A]] {axis = 0 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = edge.Concat %a {axis = 0 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0, %1 : tensor<2x7xf32>, tensor<2x3xf32>
}

// CHECK-LABEL: func.func @slice
func.func @slice(%x: tensor<5x6xf32>) -> (tensor<2x3xf32>, tensor<5x0xf32>) {
  // Rows 1, 3; columns 5, 3, 1 (backwards).
  // CHECK: edge.Slice %{{.+}} {ends = array<i64: 5, -1>, starts = array<i64: 1, 5>, steps = array<i64: 2, -2>} : (tensor<5x6xf32>) -> tensor<2x3xf32>
  %0 = edge.Slice %x {starts = array<i64: 1, 5>, ends = array<i64: 5, -1>, steps = array<i64: 2, -2>}
      : (tensor<5x6xf32>) -> tensor<2x3xf32>
  // An empty slice.
  // CHECK: edge.Slice %{{.+}} {ends = array<i64: 5, 2>, starts = array<i64: 0, 2>, steps = array<i64: 1, 1>} : (tensor<5x6xf32>) -> tensor<5x0xf32>
  %1 = edge.Slice %x {starts = array<i64: 0, 2>, ends = array<i64: 5, 2>, steps = array<i64: 1, 1>}
      : (tensor<5x6xf32>) -> tensor<5x0xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<5x0xf32>
}

// CHECK-LABEL: func.func @gather
func.func @gather(%data: tensor<5x4x3xf32>, %i: tensor<2x7xi64>, %j: tensor<i32>)
    -> (tensor<5x2x7x3xf32>, tensor<4x3xf32>) {
  // CHECK: edge.Gather %{{.+}}, %{{.+}} {axis = 1 : i64} : (tensor<5x4x3xf32>, tensor<2x7xi64>) -> tensor<5x2x7x3xf32>
  %0 = edge.Gather %data, %i {axis = 1 : i64} : (tensor<5x4x3xf32>, tensor<2x7xi64>) -> tensor<5x2x7x3xf32>
  // CHECK: edge.Gather %{{.+}}, %{{.+}} {axis = 0 : i64} : (tensor<5x4x3xf32>, tensor<i32>) -> tensor<4x3xf32>
  %1 = edge.Gather %data, %j {axis = 0 : i64} : (tensor<5x4x3xf32>, tensor<i32>) -> tensor<4x3xf32>
  return %0, %1 : tensor<5x2x7x3xf32>, tensor<4x3xf32>
}

// CHECK-LABEL: func.func @expand
func.func @expand(%x: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  // CHECK: edge.Expand %{{.+}} : (tensor<3x1xf32>) -> tensor<2x3x4xf32>
  %0 = edge.Expand %x : (tensor<3x1xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// CHECK-LABEL: func.func @cast
func.func @cast(%x: tensor<2x3xf32>) -> tensor<2x3xi64> {
  // CHECK: %[[H:.+]] = edge.Cast %{{.+}} : (tensor<2x3xf32>) -> tensor<2x3xf16>
  %0 = edge.Cast %x : (tensor<2x3xf32>) -> tensor<2x3xf16>
  // CHECK: edge.Cast %[[H]] : (tensor<2x3xf16>) -> tensor<2x3xi64>
  %1 = edge.Cast %0 : (tensor<2x3xf16>) -> tensor<2x3xi64>
  return %1 : tensor<2x3xi64>
}

// CHECK-LABEL: func.func @reductions
func.func @reductions(%x: tensor<2x3x4xf32>)
    -> (tensor<2x1x1xf32>, tensor<3xf32>, tensor<f32>, tensor<1x1x1xf32>) {
  // CHECK: edge.ReduceMean %{{.+}} {axes = array<i64: 1, 2>, keepdims = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2x1x1xf32>
  %0 = edge.ReduceMean %x {axes = array<i64: 1, 2>, keepdims = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2x1x1xf32>
  // CHECK: edge.ReduceSum %{{.+}} {axes = array<i64: 0, 2>, keepdims = 0 : i64} : (tensor<2x3x4xf32>) -> tensor<3xf32>
  %1 = edge.ReduceSum %x {axes = array<i64: 0, 2>, keepdims = 0 : i64} : (tensor<2x3x4xf32>) -> tensor<3xf32>
  // Empty axes reduce all dims.
  // CHECK: edge.ReduceMax %{{.+}} {axes = array<i64>, keepdims = 0 : i64} : (tensor<2x3x4xf32>) -> tensor<f32>
  %2 = edge.ReduceMax %x {axes = array<i64>, keepdims = 0 : i64} : (tensor<2x3x4xf32>) -> tensor<f32>
  // CHECK: edge.ReduceMin %{{.+}} {axes = array<i64>, keepdims = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<1x1x1xf32>
  %3 = edge.ReduceMin %x {axes = array<i64>, keepdims = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<1x1x1xf32>
  return %0, %1, %2, %3 : tensor<2x1x1xf32>, tensor<3xf32>, tensor<f32>, tensor<1x1x1xf32>
}

{-#
  dialect_resources: {
    builtin: {
      weights: "0x040000000000803F0000004000004040"
    }
  }
#-}
