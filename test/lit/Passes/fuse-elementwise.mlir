// RUN: edgec-opt %s -edge-fuse-elementwise -split-input-file | FileCheck %s
//
// Chains (and small DAGs) of f32 elementwise ops whose intermediates nothing else reads
// become one edge.FusedElementwise: registers 0..N-1 are its inputs, step k writes
// register N + k; see the pass's description for when ops stay apart.

// torch's GELU export after a bias Add: Add(bias), Div(x, sqrt 2), Erf, Add(1),
// Mul(x, .), Mul(., 0.5). x (the bias Add's result) is read twice inside the group, so
// the Add joins; the bias [8] and the scalars broadcast.
// CHECK-LABEL: func.func @gelu_bias
// CHECK-SAME: (%[[M:.+]]: tensor<4x8xf32>)
// CHECK-DAG: %[[B:.+]] = edge.constant dense<5.000000e-01> : tensor<8xf32>
// CHECK-DAG: %[[S:.+]] = edge.constant dense<1.41421354> : tensor<f32>
// CHECK-DAG: %[[ONE:.+]] = edge.constant dense<1.000000e+00> : tensor<f32>
// CHECK-DAG: %[[HALF:.+]] = edge.constant dense<5.000000e-01> : tensor<f32>
// CHECK: %[[Y:.+]] = edge.FusedElementwise %[[M]], %[[B]], %[[S]], %[[ONE]], %[[HALF]] {args = array<i64: 0, 1, 5, 2, 6, -1, 7, 3, 5, 8, 9, 4>, ops = ["Add", "Div", "Erf", "Add", "Mul", "Mul"], params = array<f32: 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00>} : (tensor<4x8xf32>, tensor<8xf32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<4x8xf32>
// CHECK-NEXT: return %[[Y]]
func.func @gelu_bias(%m: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %b = edge.constant dense<0.5> : tensor<8xf32>
  %s = edge.constant dense<1.41421354> : tensor<f32>
  %one = edge.constant dense<1.0> : tensor<f32>
  %half = edge.constant dense<0.5> : tensor<f32>
  %x = edge.Add %m, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %0 = edge.Div %x, %s : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %1 = edge.Erf %0 : tensor<4x8xf32>
  %2 = edge.Add %1, %one : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %3 = edge.Mul %x, %2 : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %4 = edge.Mul %3, %half : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  return %4 : tensor<4x8xf32>
}

// -----

// SiLU (x * sigmoid(x)) and a residual Add + Relu: two inputs of the result's shape.
// CHECK-LABEL: func.func @silu_residual
// CHECK-SAME: (%[[X:.+]]: tensor<2x3xf32>, %[[R:.+]]: tensor<2x3xf32>)
// CHECK: %[[Y:.+]] = edge.FusedElementwise %[[X]], %[[R]] {args = array<i64: 0, -1, 0, 2, 3, 1, 4, -1>, ops = ["Sigmoid", "Mul", "Add", "Relu"], {{.+}}} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: return %[[Y]]
func.func @silu_residual(%x: tensor<2x3xf32>, %r: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = edge.Sigmoid %x : tensor<2x3xf32>
  %1 = edge.Mul %x, %0 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = edge.Add %1, %r : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %3 = edge.Relu %2 : tensor<2x3xf32>
  return %3 : tensor<2x3xf32>
}

// -----

// Constants become params: Pow's exponent (an integer here), Clip's bounds (an absent
// max is +inf), LeakyRelu's alpha, HardSigmoid's alpha and beta. A per-channel scale
// [C, 1, 1] broadcasts.
// CHECK-LABEL: func.func @params
// CHECK-SAME: (%[[X:.+]]: tensor<1x2x3x3xf32>, %[[C:.+]]: tensor<2x1x1xf32>)
// CHECK: edge.FusedElementwise %[[X]], %[[C]] {args = array<i64: 0, 1, 2, -1, 3, -1, 4, -1, 5, -1>, ops = ["Mul", "Pow", "Clip", "LeakyRelu", "HardSigmoid"], params = array<f32: 0.000000e+00, 0.000000e+00, 3.000000e+00, 0.000000e+00, -1.000000e+00, 0x7F800000, 1.000000e-01, 0.000000e+00, 2.000000e-01, 5.000000e-01>} : (tensor<1x2x3x3xf32>, tensor<2x1x1xf32>) -> tensor<1x2x3x3xf32>
// CHECK-NEXT: return
func.func @params(%x: tensor<1x2x3x3xf32>, %c: tensor<2x1x1xf32>) -> tensor<1x2x3x3xf32> {
  %three = edge.constant dense<3> : tensor<i64>
  %lo = edge.constant dense<-1.0> : tensor<f32>
  %0 = edge.Mul %x, %c : (tensor<1x2x3x3xf32>, tensor<2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %1 = edge.Pow %0, %three : (tensor<1x2x3x3xf32>, tensor<i64>) -> tensor<1x2x3x3xf32>
  %2 = edge.Clip %1 min %lo : (tensor<1x2x3x3xf32>, tensor<f32>) -> tensor<1x2x3x3xf32>
  %3 = edge.LeakyRelu %2 {alpha = 0.1 : f32} : tensor<1x2x3x3xf32>
  %4 = edge.HardSigmoid %3 {alpha = 0.2 : f32, beta = 0.5 : f32} : tensor<1x2x3x3xf32>
  return %4 : tensor<1x2x3x3xf32>
}

// -----

// Not fused: an intermediate with another user (the Sigmoid is also returned) splits
// the chain into the Mul alone and the Sigmoid alone; a single op is left as it is.
// CHECK-LABEL: func.func @other_user
// CHECK-NOT: FusedElementwise
// CHECK: edge.Sigmoid
// CHECK-NEXT: edge.Mul
// CHECK-NEXT: return
func.func @other_user(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %0 = edge.Sigmoid %x : tensor<2x3xf32>
  %1 = edge.Mul %x, %0 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// Partly fused: the Tanh's result is also returned, so the ops up to it (Neg, Exp,
// Tanh) are one group and the ops after it (Add, Relu) another.
// CHECK-LABEL: func.func @split
// CHECK-SAME: (%[[X:.+]]: tensor<4xf32>, %[[Y:.+]]: tensor<4xf32>)
// CHECK: %[[A:.+]] = edge.FusedElementwise %[[X]] {{{.+}}ops = ["Neg", "Exp", "Tanh"]{{.+}}} : (tensor<4xf32>) -> tensor<4xf32>
// CHECK: %[[B:.+]] = edge.FusedElementwise %[[A]], %[[Y]] {{{.+}}ops = ["Add", "Relu"]{{.+}}} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK: return %[[A]], %[[B]]
func.func @split(%x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = edge.Neg %x : tensor<4xf32>
  %1 = edge.Exp %0 : tensor<4xf32>
  %2 = edge.Tanh %1 : tensor<4xf32>
  %3 = edge.Add %2, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %4 = edge.Relu %3 : tensor<4xf32>
  return %2, %4 : tensor<4xf32>, tensor<4xf32>
}

// -----

// Not fused: an op that broadcasts a smaller intermediate up (the Sigmoid of a [3]
// vector feeds a [2, 3] Mul: it stays its own op, the Mul has no partner); integer
// ops; a Pow with a run-time exponent; a Clip with a run-time bound.
// CHECK-LABEL: func.func @not_fusable
// CHECK-NOT: FusedElementwise
// CHECK: return
func.func @not_fusable(%v: tensor<3xf32>, %x: tensor<2x3xf32>, %i: tensor<2x3xi32>, %e: tensor<f32>)
    -> (tensor<2x3xf32>, tensor<2x3xi32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %0 = edge.Sigmoid %v : tensor<3xf32>
  %1 = edge.Mul %x, %0 : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %2 = edge.Add %i, %i : (tensor<2x3xi32>, tensor<2x3xi32>) -> tensor<2x3xi32>
  %3 = edge.Relu %2 : tensor<2x3xi32>
  %4 = edge.Pow %x, %e : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %5 = edge.Relu %4 : tensor<2x3xf32>
  %6 = edge.Clip %x min %e : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %7 = edge.Exp %6 : tensor<2x3xf32>
  return %1, %3, %5, %7 : tensor<2x3xf32>, tensor<2x3xi32>, tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// Not fused: quantized ops (a static-INT8 Add + Relu pair runs on integer kernels).
// CHECK-LABEL: func.func @quantized
// CHECK-NOT: FusedElementwise
// CHECK: return
func.func @quantized(%a: tensor<4x!quant.uniform<i8:f32, 0.1:3>>, %b: tensor<4x!quant.uniform<i8:f32, 0.1:3>>) -> tensor<4x!quant.uniform<i8:f32, 0.2:-1>> {
  %0 = edge.Add %a, %b : (tensor<4x!quant.uniform<i8:f32, 0.1:3>>, tensor<4x!quant.uniform<i8:f32, 0.1:3>>) -> tensor<4x!quant.uniform<i8:f32, 0.2:-1>>
  %1 = edge.Relu %0 : tensor<4x!quant.uniform<i8:f32, 0.2:-1>>
  return %1 : tensor<4x!quant.uniform<i8:f32, 0.2:-1>>
}

// -----

// With record-fusion (edgec compile --report-fusion), the fused op names the ONNX nodes
// it came from, in source order.
// RUN: edgec-opt %s -split-input-file -edge-fuse-elementwise=record-fusion=true | FileCheck %s --check-prefix=RECORD
// CHECK-LABEL: func.func @recorded
// RECORD-LABEL: func.func @recorded
// RECORD: edge.FusedElementwise {{.+}}edge.fused = ["/fc1/Add", "/act/Div", "/act/Erf"]
func.func @recorded(%x: tensor<2x3xf32>, %b: tensor<3xf32>, %s: tensor<f32>) -> tensor<2x3xf32> {
  %0 = edge.Add %x, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32> loc("/fc1/Add")
  %1 = edge.Div %0, %s : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32> loc("/act/Div")
  %2 = edge.Erf %1 : tensor<2x3xf32> loc("/act/Erf")
  return %2 : tensor<2x3xf32>
}

// -----

// Static INT8's GELU: DequantizeLinear -> the fused program -> QuantizeLinear, a function
// of one per-tensor int8 value and f32 scalars, becomes a quantized FusedElementwise (a
// 256-entry table) on the codes; x is read twice inside, as register 0.
// CHECK-LABEL: func.func @gelu_table
// CHECK-SAME: (%[[X:.+]]: tensor<4x8x!quant.uniform<i8:f32, 2.000000e-02:3>>)
// CHECK-NOT: edge.DequantizeLinear
// CHECK: %[[Y:.+]] = edge.FusedElementwise %[[X]], %{{.+}}, %{{.+}}, %{{.+}} {args = array<i64: 0, 1, 4, -1, 5, 2, 0, 6, 7, 3>, ops = ["Div", "Erf", "Add", "Mul", "Mul"], {{.+}}} : (tensor<4x8x!quant.uniform<i8:f32, 2.000000e-02:3>>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<4x8x!quant.uniform<i8:f32, 1.000000e-02:-100>>
// CHECK-NOT: edge.QuantizeLinear
// CHECK-NEXT: return %[[Y]]
func.func @gelu_table(%q: tensor<4x8x!quant.uniform<i8:f32, 0.02:3>>) -> tensor<4x8x!quant.uniform<i8:f32, 0.01:-100>> {
  %s = edge.constant dense<1.41421354> : tensor<f32>
  %one = edge.constant dense<1.0> : tensor<f32>
  %half = edge.constant dense<0.5> : tensor<f32>
  %x = edge.DequantizeLinear %q : (tensor<4x8x!quant.uniform<i8:f32, 0.02:3>>) -> tensor<4x8xf32>
  %0 = edge.Div %x, %s : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %1 = edge.Erf %0 : tensor<4x8xf32>
  %2 = edge.Add %1, %one : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %3 = edge.Mul %x, %2 : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %4 = edge.Mul %3, %half : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %y = edge.QuantizeLinear %4 : (tensor<4x8xf32>) -> tensor<4x8x!quant.uniform<i8:f32, 0.01:-100>>
  return %y : tensor<4x8x!quant.uniform<i8:f32, 0.01:-100>>
}

// -----

// The quantized value need not be the first input: here the scalar is, and the table's
// registers 0 and 1 trade places. Not folded: a program of two activations, a per-row
// constant ([8]), a result with another user than its QuantizeLinear.
// CHECK-LABEL: func.func @tables
// CHECK-SAME: (%[[X:.+]]: tensor<4x8x!quant.uniform<i8:f32, 2.000000e-02>>, %[[Z:.+]]: tensor<4x8xf32>)
// CHECK: edge.FusedElementwise %[[X]], %{{.+}} {args = array<i64: 1, 0, 2, -1>, ops = ["Sub", "Sigmoid"], {{.+}}} : (tensor<4x8x!quant.uniform<i8:f32, 2.000000e-02>>, tensor<f32>) -> tensor<4x8x!quant.uniform<i8:f32, 3.906250e-03:-128>>
// CHECK: edge.FusedElementwise {{.+}} : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK: edge.FusedElementwise {{.+}} : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
// CHECK: edge.FusedElementwise {{.+}} : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
func.func @tables(%q: tensor<4x8x!quant.uniform<i8:f32, 0.02>>, %z: tensor<4x8xf32>)
    -> (tensor<4x8x!quant.uniform<i8:f32, 0.00390625:-128>>, tensor<4x8x!quant.uniform<i8:f32, 0.00390625:-128>>,
        tensor<4x8x!quant.uniform<i8:f32, 0.00390625:-128>>, tensor<4x8x!quant.uniform<i8:f32, 0.00390625:-128>>, tensor<4x8xf32>) {
  %c = edge.constant dense<1.0> : tensor<f32>
  %row = edge.constant dense<1.0> : tensor<8xf32>
  %x = edge.DequantizeLinear %q : (tensor<4x8x!quant.uniform<i8:f32, 0.02>>) -> tensor<4x8xf32>
  %0 = edge.Sub %c, %x : (tensor<f32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %1 = edge.Sigmoid %0 : tensor<4x8xf32>
  %y0 = edge.QuantizeLinear %1 : (tensor<4x8xf32>) -> tensor<4x8x!quant.uniform<i8:f32, 0.00390625:-128>>
  %2 = edge.Sub %z, %x : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %3 = edge.Sigmoid %2 : tensor<4x8xf32>
  %y1 = edge.QuantizeLinear %3 : (tensor<4x8xf32>) -> tensor<4x8x!quant.uniform<i8:f32, 0.00390625:-128>>
  %4 = edge.Sub %x, %row : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %5 = edge.Sigmoid %4 : tensor<4x8xf32>
  %y2 = edge.QuantizeLinear %5 : (tensor<4x8xf32>) -> tensor<4x8x!quant.uniform<i8:f32, 0.00390625:-128>>
  %6 = edge.Mul %x, %c : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %7 = edge.Sigmoid %6 : tensor<4x8xf32>
  %y3 = edge.QuantizeLinear %7 : (tensor<4x8xf32>) -> tensor<4x8x!quant.uniform<i8:f32, 0.00390625:-128>>
  return %y0, %y1, %y2, %y3, %7 : tensor<4x8x!quant.uniform<i8:f32, 0.00390625:-128>>, tensor<4x8x!quant.uniform<i8:f32, 0.00390625:-128>>,
         tensor<4x8x!quant.uniform<i8:f32, 0.00390625:-128>>, tensor<4x8x!quant.uniform<i8:f32, 0.00390625:-128>>, tensor<4x8xf32>
}

// -----

// Through Reshapes (a Gemm's flattened rows and back): the table runs in the
// QuantizeLinear's shape, here the DequantizeLinear's too, so no Reshape is left.
// CHECK-LABEL: func.func @gelu_table_reshaped
// CHECK-NEXT: edge.constant
// CHECK-NEXT: %[[Y:.+]] = edge.FusedElementwise %arg0, %{{.+}} {{.+}} : (tensor<4x8x!quant.uniform<i8:f32, 2.000000e-02:3>>, tensor<f32>) -> tensor<4x8x!quant.uniform<i8:f32, 1.000000e-02:-100>>
// CHECK-NEXT: return %[[Y]]
func.func @gelu_table_reshaped(%q: tensor<4x8x!quant.uniform<i8:f32, 0.02:3>>) -> tensor<4x8x!quant.uniform<i8:f32, 0.01:-100>> {
  %half = edge.constant dense<0.5> : tensor<f32>
  %x = edge.DequantizeLinear %q : (tensor<4x8x!quant.uniform<i8:f32, 0.02:3>>) -> tensor<4x8xf32>
  %r = edge.Reshape %x : (tensor<4x8xf32>) -> tensor<4x1x8xf32>
  %0 = edge.Mul %r, %half : (tensor<4x1x8xf32>, tensor<f32>) -> tensor<4x1x8xf32>
  %1 = edge.Tanh %0 : tensor<4x1x8xf32>
  %b = edge.Reshape %1 : (tensor<4x1x8xf32>) -> tensor<4x8xf32>
  %y = edge.QuantizeLinear %b : (tensor<4x8xf32>) -> tensor<4x8x!quant.uniform<i8:f32, 0.01:-100>>
  return %y : tensor<4x8x!quant.uniform<i8:f32, 0.01:-100>>
}
