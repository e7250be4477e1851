// RUN: edgec-opt %s | edgec-opt | FileCheck %s
// RUN: edgec-opt %s -mlir-print-op-generic | edgec-opt | FileCheck %s
//
// Round trip of the unary math family, comparisons and logic, the variadic and other
// broadcasting ops, and the pooling, reduction and data movement ops added with them.

// CHECK-LABEL: func.func @activations
// CHECK-SAME: (%[[X:.+]]: tensor<2x3xf32>)
func.func @activations(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // CHECK: %[[A:.+]] = edge.LeakyRelu %[[X]] {alpha = 0.00999999977 : f32} : tensor<2x3xf32>
  %0 = edge.LeakyRelu %x {alpha = 0.01 : f32} : tensor<2x3xf32>
  // CHECK: %[[B:.+]] = edge.Elu %[[A]] {alpha = 1.000000e+00 : f32} : tensor<2x3xf32>
  %1 = edge.Elu %0 {alpha = 1.0 : f32} : tensor<2x3xf32>
  // CHECK: %[[C:.+]] = edge.Selu %[[B]] {alpha = 1.67326319 : f32, gamma = 1.05070102 : f32} : tensor<2x3xf32>
  %2 = edge.Selu %1 {alpha = 1.67326319 : f32, gamma = 1.05070102 : f32} : tensor<2x3xf32>
  // CHECK: %[[D:.+]] = edge.HardSigmoid %[[C]] {alpha = 2.000000e-01 : f32, beta = 5.000000e-01 : f32} : tensor<2x3xf32>
  %3 = edge.HardSigmoid %2 {alpha = 0.2 : f32, beta = 0.5 : f32} : tensor<2x3xf32>
  // CHECK: %[[E:.+]] = edge.HardSwish %[[D]] : tensor<2x3xf32>
  %4 = edge.HardSwish %3 : tensor<2x3xf32>
  // CHECK: %[[F:.+]] = edge.Softplus %[[E]] : tensor<2x3xf32>
  %5 = edge.Softplus %4 : tensor<2x3xf32>
  // CHECK: %[[G:.+]] = edge.Softsign %[[F]] : tensor<2x3xf32>
  %6 = edge.Softsign %5 : tensor<2x3xf32>
  // CHECK: return %[[G]]
  return %6 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @math
func.func @math(%x: tensor<4xf64>) -> tensor<4xf64> {
  // CHECK: edge.Sin %{{.+}} : tensor<4xf64>
  %0 = edge.Sin %x : tensor<4xf64>
  // CHECK: edge.Cos
  %1 = edge.Cos %0 : tensor<4xf64>
  // CHECK: edge.Tan
  %2 = edge.Tan %1 : tensor<4xf64>
  // CHECK: edge.Asin
  %3 = edge.Asin %2 : tensor<4xf64>
  // CHECK: edge.Acos
  %4 = edge.Acos %3 : tensor<4xf64>
  // CHECK: edge.Atan
  %5 = edge.Atan %4 : tensor<4xf64>
  // CHECK: edge.Sinh
  %6 = edge.Sinh %5 : tensor<4xf64>
  // CHECK: edge.Cosh
  %7 = edge.Cosh %6 : tensor<4xf64>
  // CHECK: edge.Asinh
  %8 = edge.Asinh %7 : tensor<4xf64>
  // CHECK: edge.Acosh
  %9 = edge.Acosh %8 : tensor<4xf64>
  // CHECK: edge.Atanh
  %10 = edge.Atanh %9 : tensor<4xf64>
  // CHECK: edge.Floor
  %11 = edge.Floor %10 : tensor<4xf64>
  // CHECK: edge.Ceil
  %12 = edge.Ceil %11 : tensor<4xf64>
  // CHECK: edge.Round
  %13 = edge.Round %12 : tensor<4xf64>
  // CHECK: edge.Sign %{{.+}} : tensor<4xf64>
  %14 = edge.Sign %13 : tensor<4xf64>
  return %14 : tensor<4xf64>
}

// CHECK-LABEL: func.func @sign_not_predicates
func.func @sign_not_predicates(%i: tensor<3xi32>, %b: tensor<2x2xi1>, %f: tensor<5xf32>)
    -> (tensor<3xi32>, tensor<2x2xi1>, tensor<5xi1>, tensor<5xi1>) {
  // CHECK: edge.Sign %{{.+}} : tensor<3xi32>
  %0 = edge.Sign %i : tensor<3xi32>
  // CHECK: edge.Not %{{.+}} : tensor<2x2xi1>
  %1 = edge.Not %b : tensor<2x2xi1>
  // CHECK: edge.IsNaN %{{.+}} : (tensor<5xf32>) -> tensor<5xi1>
  %2 = edge.IsNaN %f : (tensor<5xf32>) -> tensor<5xi1>
  // CHECK: edge.IsInf %{{.+}} {detect_negative = 0 : i64, detect_positive = 1 : i64} : (tensor<5xf32>) -> tensor<5xi1>
  %3 = edge.IsInf %f {detect_negative = 0 : i64, detect_positive = 1 : i64} : (tensor<5xf32>) -> tensor<5xi1>
  return %0, %1, %2, %3 : tensor<3xi32>, tensor<2x2xi1>, tensor<5xi1>, tensor<5xi1>
}

// CHECK-LABEL: func.func @compare_logic
// CHECK-SAME: (%[[A:.+]]: tensor<2x3xf32>, %[[B:.+]]: tensor<3xf32>, %[[P:.+]]: tensor<2x1xi1>, %[[Q:.+]]: tensor<3xi1>)
func.func @compare_logic(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %p: tensor<2x1xi1>, %q: tensor<3xi1>) -> tensor<2x3xi1> {
  // CHECK: %[[EQ:.+]] = edge.Equal %[[A]], %[[B]] : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %0 = edge.Equal %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  // CHECK: edge.Less %[[A]], %[[B]] : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %1 = edge.Less %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  // CHECK: edge.Greater %[[B]], %[[A]] : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xi1>
  %2 = edge.Greater %b, %a : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xi1>
  // CHECK: edge.LessOrEqual
  %3 = edge.LessOrEqual %a, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xi1>
  // CHECK: edge.GreaterOrEqual
  %4 = edge.GreaterOrEqual %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  // CHECK: edge.And %[[P]], %[[Q]] : (tensor<2x1xi1>, tensor<3xi1>) -> tensor<2x3xi1>
  %5 = edge.And %p, %q : (tensor<2x1xi1>, tensor<3xi1>) -> tensor<2x3xi1>
  // CHECK: edge.Or
  %6 = edge.Or %0, %1 : (tensor<2x3xi1>, tensor<2x3xi1>) -> tensor<2x3xi1>
  // CHECK: edge.Xor
  %7 = edge.Xor %6, %5 : (tensor<2x3xi1>, tensor<2x3xi1>) -> tensor<2x3xi1>
  %8 = edge.And %7, %2 : (tensor<2x3xi1>, tensor<2x3xi1>) -> tensor<2x3xi1>
  %9 = edge.Or %8, %3 : (tensor<2x3xi1>, tensor<2x3xi1>) -> tensor<2x3xi1>
  %10 = edge.Or %9, %4 : (tensor<2x3xi1>, tensor<2x3xi1>) -> tensor<2x3xi1>
  return %10 : tensor<2x3xi1>
}

// CHECK-LABEL: func.func @equal_bool_and_ints
func.func @equal_bool_and_ints(%p: tensor<3xi1>, %i: tensor<3xui8>) -> (tensor<3xi1>, tensor<3xi1>) {
  // CHECK: edge.Equal %{{.+}}, %{{.+}} : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>
  %0 = edge.Equal %p, %p : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>
  // CHECK: edge.Less %{{.+}}, %{{.+}} : (tensor<3xui8>, tensor<3xui8>) -> tensor<3xi1>
  %1 = edge.Less %i, %i : (tensor<3xui8>, tensor<3xui8>) -> tensor<3xi1>
  return %0, %1 : tensor<3xi1>, tensor<3xi1>
}

// CHECK-LABEL: func.func @variadic
// CHECK-SAME: (%[[A:.+]]: tensor<2x3xf32>, %[[B:.+]]: tensor<3xf32>, %[[C:.+]]: tensor<2x1xf32>, %[[I:.+]]: tensor<4xi64>)
func.func @variadic(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %c: tensor<2x1xf32>, %i: tensor<4xi64>)
    -> (tensor<2x3xf32>, tensor<3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<4xi64>) {
  // CHECK: edge.Min %[[A]], %[[B]], %[[C]] : (tensor<2x3xf32>, tensor<3xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
  %0 = edge.Min %a, %b, %c : (tensor<2x3xf32>, tensor<3xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
  // CHECK: edge.Max %[[B]] : (tensor<3xf32>) -> tensor<3xf32>
  %1 = edge.Max %b : (tensor<3xf32>) -> tensor<3xf32>
  // CHECK: edge.Sum %[[A]], %[[B]] : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %2 = edge.Sum %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: edge.Mean %[[C]], %[[B]] : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %3 = edge.Mean %c, %b : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: edge.Max %[[I]], %[[I]] : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  %4 = edge.Max %i, %i : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  return %0, %1, %2, %3, %4 : tensor<2x3xf32>, tensor<3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<4xi64>
}

// CHECK-LABEL: func.func @prelu_mod_range
func.func @prelu_mod_range(%x: tensor<1x3x4xf32>, %s: tensor<3x1xf32>, %a: tensor<6xi32>, %b: tensor<i32>,
                           %f: tensor<6xf16>, %start: tensor<i64>, %limit: tensor<i64>, %delta: tensor<i64>)
    -> (tensor<1x3x4xf32>, tensor<6xi32>, tensor<6xf16>, tensor<5xi64>) {
  // CHECK: edge.PRelu %{{.+}}, %{{.+}} : (tensor<1x3x4xf32>, tensor<3x1xf32>) -> tensor<1x3x4xf32>
  %0 = edge.PRelu %x, %s : (tensor<1x3x4xf32>, tensor<3x1xf32>) -> tensor<1x3x4xf32>
  // CHECK: edge.Mod %{{.+}}, %{{.+}} {fmod = 0 : i64} : (tensor<6xi32>, tensor<i32>) -> tensor<6xi32>
  %1 = edge.Mod %a, %b {fmod = 0 : i64} : (tensor<6xi32>, tensor<i32>) -> tensor<6xi32>
  // CHECK: edge.Mod %{{.+}}, %{{.+}} {fmod = 1 : i64} : (tensor<6xf16>, tensor<6xf16>) -> tensor<6xf16>
  %2 = edge.Mod %f, %f {fmod = 1 : i64} : (tensor<6xf16>, tensor<6xf16>) -> tensor<6xf16>
  // CHECK: edge.Range %{{.+}}, %{{.+}}, %{{.+}} : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<5xi64>
  %3 = edge.Range %start, %limit, %delta : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<5xi64>
  return %0, %1, %2, %3 : tensor<1x3x4xf32>, tensor<6xi32>, tensor<6xf16>, tensor<5xi64>
}

// CHECK-LABEL: func.func @pool_softmax
func.func @pool_softmax(%x: tensor<1x3x5x5xf32>, %y: tensor<2x5xf32>) -> (tensor<1x3x1x1xf32>, tensor<2x5xf32>) {
  // CHECK: edge.GlobalMaxPool %{{.+}} : (tensor<1x3x5x5xf32>) -> tensor<1x3x1x1xf32>
  %0 = edge.GlobalMaxPool %x : (tensor<1x3x5x5xf32>) -> tensor<1x3x1x1xf32>
  // CHECK: edge.LogSoftmax %{{.+}} {axis = 1 : i64} : tensor<2x5xf32>
  %1 = edge.LogSoftmax %y {axis = 1 : i64} : tensor<2x5xf32>
  return %0, %1 : tensor<1x3x1x1xf32>, tensor<2x5xf32>
}

// CHECK-LABEL: func.func @reductions
func.func @reductions(%x: tensor<2x3x4xf32>, %i: tensor<2x3xi64>)
    -> (tensor<2x1x4xf32>, tensor<2x4xf32>, tensor<f32>, tensor<1x1x1xf32>, tensor<2x3xf32>, tensor<3x4xf32>, tensor<2x1xi64>) {
  // CHECK: edge.ReduceProd %{{.+}} {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  %0 = edge.ReduceProd %x {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  // CHECK: edge.ReduceL1 %{{.+}} {axes = array<i64: 1>, keepdims = 0 : i64} : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
  %1 = edge.ReduceL1 %x {axes = array<i64: 1>, keepdims = 0 : i64} : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
  // CHECK: edge.ReduceL2 %{{.+}} {axes = array<i64>, keepdims = 0 : i64} : (tensor<2x3x4xf32>) -> tensor<f32>
  %2 = edge.ReduceL2 %x {axes = array<i64>, keepdims = 0 : i64} : (tensor<2x3x4xf32>) -> tensor<f32>
  // CHECK: edge.ReduceLogSum %{{.+}} {axes = array<i64>, keepdims = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<1x1x1xf32>
  %3 = edge.ReduceLogSum %x {axes = array<i64>, keepdims = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<1x1x1xf32>
  // CHECK: edge.ReduceLogSumExp %{{.+}} {axes = array<i64: 2>, keepdims = 0 : i64} : (tensor<2x3x4xf32>) -> tensor<2x3xf32>
  %4 = edge.ReduceLogSumExp %x {axes = array<i64: 2>, keepdims = 0 : i64} : (tensor<2x3x4xf32>) -> tensor<2x3xf32>
  // CHECK: edge.ReduceSumSquare %{{.+}} {axes = array<i64: 0>, keepdims = 0 : i64} : (tensor<2x3x4xf32>) -> tensor<3x4xf32>
  %5 = edge.ReduceSumSquare %x {axes = array<i64: 0>, keepdims = 0 : i64} : (tensor<2x3x4xf32>) -> tensor<3x4xf32>
  // CHECK: edge.ReduceProd %{{.+}} {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x3xi64>) -> tensor<2x1xi64>
  %6 = edge.ReduceProd %i {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x3xi64>) -> tensor<2x1xi64>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<2x1x4xf32>, tensor<2x4xf32>, tensor<f32>, tensor<1x1x1xf32>, tensor<2x3xf32>, tensor<3x4xf32>, tensor<2x1xi64>
}

// CHECK-LABEL: func.func @arg_reduce_cumsum
func.func @arg_reduce_cumsum(%x: tensor<2x3x4xf32>, %d: tensor<5xf64>)
    -> (tensor<2x4xi64>, tensor<2x3x1xi64>, tensor<5xf64>) {
  // CHECK: edge.ArgMax %{{.+}} {axis = 1 : i64, keepdims = 0 : i64, select_last_index = 0 : i64} : (tensor<2x3x4xf32>) -> tensor<2x4xi64>
  %0 = edge.ArgMax %x {axis = 1 : i64, keepdims = 0 : i64, select_last_index = 0 : i64} : (tensor<2x3x4xf32>) -> tensor<2x4xi64>
  // CHECK: edge.ArgMin %{{.+}} {axis = 2 : i64, keepdims = 1 : i64, select_last_index = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2x3x1xi64>
  %1 = edge.ArgMin %x {axis = 2 : i64, keepdims = 1 : i64, select_last_index = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2x3x1xi64>
  // CHECK: edge.CumSum %{{.+}} {axis = 0 : i64, exclusive = 1 : i64, reverse = 0 : i64} : tensor<5xf64>
  %2 = edge.CumSum %d {axis = 0 : i64, exclusive = 1 : i64, reverse = 0 : i64} : tensor<5xf64>
  return %0, %1, %2 : tensor<2x4xi64>, tensor<2x3x1xi64>, tensor<5xf64>
}

// CHECK-LABEL: func.func @split
// CHECK-SAME: (%[[X:.+]]: tensor<2x6xf32>)
func.func @split(%x: tensor<2x6xf32>) -> (tensor<2x2xf32>, tensor<2x0xf32>, tensor<2x4xf32>, tensor<1x6xf32>) {
  // CHECK: %[[S:.+]]:3 = edge.Split %[[X]] {axis = 1 : i64} : (tensor<2x6xf32>) -> (tensor<2x2xf32>, tensor<2x0xf32>, tensor<2x4xf32>)
  %0:3 = edge.Split %x {axis = 1 : i64} : (tensor<2x6xf32>) -> (tensor<2x2xf32>, tensor<2x0xf32>, tensor<2x4xf32>)
  // CHECK: %[[T:.+]]:2 = edge.Split %[[X]] {axis = 0 : i64} : (tensor<2x6xf32>) -> (tensor<1x6xf32>, tensor<1x6xf32>)
  %1:2 = edge.Split %x {axis = 0 : i64} : (tensor<2x6xf32>) -> (tensor<1x6xf32>, tensor<1x6xf32>)
  // CHECK: return %[[S]]#0, %[[S]]#1, %[[S]]#2, %[[T]]#1
  return %0#0, %0#1, %0#2, %1#1 : tensor<2x2xf32>, tensor<2x0xf32>, tensor<2x4xf32>, tensor<1x6xf32>
}

// Trilu's k and CumSum's axis as run-time operands (graph inputs), instead of attributes.
// CHECK-LABEL: func.func @runtime_parameters
func.func @runtime_parameters(%m: tensor<3x4xf32>, %k: tensor<i64>, %d: tensor<2x5xf64>, %a: tensor<1xi32>)
    -> (tensor<3x4xf32>, tensor<2x5xf64>) {
  // CHECK: edge.Trilu %{{.+}}, %{{.+}} : tensor<i64> {upper = 0 : i64} : tensor<3x4xf32>
  %0 = edge.Trilu %m, %k : tensor<i64> {upper = 0 : i64} : tensor<3x4xf32>
  // CHECK: edge.CumSum %{{.+}}, %{{.+}} : tensor<1xi32> {exclusive = 1 : i64, reverse = 0 : i64} : tensor<2x5xf64>
  %1 = edge.CumSum %d, %a : tensor<1xi32> {exclusive = 1 : i64, reverse = 0 : i64} : tensor<2x5xf64>
  return %0, %1 : tensor<3x4xf32>, tensor<2x5xf64>
}

// CHECK-LABEL: func.func @tile_pad_trilu
func.func @tile_pad_trilu(%x: tensor<2x3xi32>, %v: tensor<i32>, %m: tensor<3x4x5xi64>)
    -> (tensor<4x9xi32>, tensor<2x0xi32>, tensor<4x8xi32>, tensor<3x7xi32>, tensor<2x2xi32>, tensor<3x4x5xi64>) {
  // CHECK: edge.Tile %{{.+}} {repeats = array<i64: 2, 3>} : (tensor<2x3xi32>) -> tensor<4x9xi32>
  %0 = edge.Tile %x {repeats = array<i64: 2, 3>} : (tensor<2x3xi32>) -> tensor<4x9xi32>
  // CHECK: edge.Tile %{{.+}} {repeats = array<i64: 1, 0>} : (tensor<2x3xi32>) -> tensor<2x0xi32>
  %1 = edge.Tile %x {repeats = array<i64: 1, 0>} : (tensor<2x3xi32>) -> tensor<2x0xi32>
  // CHECK: edge.Pad %{{.+}}, %{{.+}} {mode = "constant", pads = array<i64: 1, 2, 1, 3>} : (tensor<2x3xi32>, tensor<i32>) -> tensor<4x8xi32>
  %2 = edge.Pad %x, %v {mode = "constant", pads = array<i64: 1, 2, 1, 3>} : (tensor<2x3xi32>, tensor<i32>) -> tensor<4x8xi32>
  // CHECK: edge.Pad %{{.+}} {mode = "reflect", pads = array<i64: 0, 2, 1, 2>} : (tensor<2x3xi32>) -> tensor<3x7xi32>
  %3 = edge.Pad %x {mode = "reflect", pads = array<i64: 0, 2, 1, 2>} : (tensor<2x3xi32>) -> tensor<3x7xi32>
  // CHECK: edge.Pad %{{.+}} {mode = "edge", pads = array<i64: 0, 0, 0, -1>} : (tensor<2x3xi32>) -> tensor<2x2xi32>
  %4 = edge.Pad %x {mode = "edge", pads = array<i64: 0, 0, 0, -1>} : (tensor<2x3xi32>) -> tensor<2x2xi32>
  // CHECK: edge.Trilu %{{.+}} {k = -1 : i64, upper = 0 : i64} : tensor<3x4x5xi64>
  %5 = edge.Trilu %m {k = -1 : i64, upper = 0 : i64} : tensor<3x4x5xi64>
  return %0, %1, %2, %3, %4, %5 : tensor<4x9xi32>, tensor<2x0xi32>, tensor<4x8xi32>, tensor<3x7xi32>, tensor<2x2xi32>, tensor<3x4x5xi64>
}
