// RUN: edgec-opt %s -edge-fold-gate-into-conv -split-input-file | FileCheck %s
// RUN: edgec-opt %s -edge-fold-gate-into-conv=record-fusion=true -split-input-file | FileCheck %s --check-prefix=RECORD
//
// A per-channel gate x * g read by a 1x1 Conv scales the Conv's weights instead of the map:
// Conv(Mul(x, g), W, b) -> Conv(x, Mul(W, g), b). See the pass's description for when it
// does not fold.

// EfficientNet's block end: the gate (a Conv with a fused Sigmoid on the pooled map)
// scales x, and the projection Conv reads the product. 5x5 = 25 >= M = 4: folded. (The
// canonicalizer the greedy driver runs puts Mul's constant operand second.)
// CHECK-LABEL: func.func @efficientnet_projection
// CHECK-DAG: %[[W:.+]] = edge.constant dense<5.000000e-01> : tensor<4x8x1x1xf32>
// CHECK-DAG: %[[G:.+]] = edge.Conv %{{.+}} {activation = "Sigmoid"
// CHECK: %[[WG:.+]] = edge.Mul %[[G]], %[[W]] : (tensor<1x8x1x1xf32>, tensor<4x8x1x1xf32>) -> tensor<4x8x1x1xf32>
// CHECK: %[[Y:.+]] = edge.Conv %arg0, %[[WG]], %{{.+}} {{.+}} : (tensor<1x8x5x5xf32>, tensor<4x8x1x1xf32>, tensor<4xf32>) -> tensor<1x4x5x5xf32>
// CHECK-NOT: edge.Mul
// CHECK: return %[[Y]]
// RECORD-LABEL: func.func @efficientnet_projection
// RECORD: edge.Conv %arg0, {{.+}}edge.fused = ["project", "scale"]
func.func @efficientnet_projection(%x: tensor<1x8x5x5xf32>, %w2: tensor<8x8x1x1xf32>) -> tensor<1x4x5x5xf32> {
  %p = edge.GlobalAveragePool %x : (tensor<1x8x5x5xf32>) -> tensor<1x8x1x1xf32>
  %g = edge.Conv %p, %w2 {activation = "Sigmoid", dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x8x1x1xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x1x1xf32>
  %s = edge.Mul %x, %g : (tensor<1x8x5x5xf32>, tensor<1x8x1x1xf32>) -> tensor<1x8x5x5xf32> loc("scale")
  %w = edge.constant dense<5.000000e-01> : tensor<4x8x1x1xf32>
  %b = edge.constant dense<1.000000e+00> : tensor<4xf32>
  %y = edge.Conv %s, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x8x5x5xf32>, tensor<4x8x1x1xf32>, tensor<4xf32>) -> tensor<1x4x5x5xf32> loc("project")
  return %y : tensor<1x4x5x5xf32>
}

// -----

// The gate as the Mul's first operand, and a Conv without a bias: folded the same way.
// CHECK-LABEL: func.func @gate_first
// CHECK: %[[WG:.+]] = edge.Mul %arg1, %{{.+}} : (tensor<1x3x1x1xf32>, tensor<2x3x1x1xf32>) -> tensor<2x3x1x1xf32>
// CHECK-NEXT: edge.Conv %arg0, %[[WG]] {{.+}} : (tensor<1x3x4x4xf32>, tensor<2x3x1x1xf32>) -> tensor<1x2x4x4xf32>
func.func @gate_first(%x: tensor<1x3x4x4xf32>, %g: tensor<1x3x1x1xf32>) -> tensor<1x2x4x4xf32> {
  %s = edge.Mul %g, %x : (tensor<1x3x1x1xf32>, tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  %w = edge.constant dense<2.000000e+00> : tensor<2x3x1x1xf32>
  %y = edge.Conv %s, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x4x4xf32>, tensor<2x3x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// -----

// Must not fold: a map smaller than the weights (H W = 4 < M = 8: scaling the map is
// cheaper), two images (one gate each, one set of weights), the product read twice, a
// 3x3 Conv, run-time weights, a gate that is not per channel, a strided 1x1 Conv.
// CHECK-LABEL: func.func @not_folded
// CHECK-COUNT-7: edge.Mul %arg
// CHECK-NOT: edge.Mul
func.func @not_folded(%x: tensor<1x3x2x2xf32>, %g: tensor<1x3x1x1xf32>, %x2: tensor<2x3x4x4xf32>, %g2: tensor<2x3x1x1xf32>,
                      %x4: tensor<1x3x4x4xf32>, %wr: tensor<2x3x1x1xf32>, %gm: tensor<1x3x4x4xf32>)
    -> (tensor<1x8x2x2xf32>, tensor<2x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x3x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x2x2xf32>, tensor<1x2x4x4xf32>) {
  %w8 = edge.constant dense<1.000000e+00> : tensor<8x3x1x1xf32>
  %w = edge.constant dense<1.000000e+00> : tensor<2x3x1x1xf32>
  %w3 = edge.constant dense<1.000000e+00> : tensor<2x3x3x3xf32>
  %s0 = edge.Mul %x, %g : (tensor<1x3x2x2xf32>, tensor<1x3x1x1xf32>) -> tensor<1x3x2x2xf32>
  %y0 = edge.Conv %s0, %w8 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x2x2xf32>, tensor<8x3x1x1xf32>) -> tensor<1x8x2x2xf32>
  %s1 = edge.Mul %x2, %g2 : (tensor<2x3x4x4xf32>, tensor<2x3x1x1xf32>) -> tensor<2x3x4x4xf32>
  %y1 = edge.Conv %s1, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<2x3x4x4xf32>, tensor<2x3x1x1xf32>) -> tensor<2x2x4x4xf32>
  %s2 = edge.Mul %x4, %g : (tensor<1x3x4x4xf32>, tensor<1x3x1x1xf32>) -> tensor<1x3x4x4xf32>
  %y2 = edge.Conv %s2, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x4x4xf32>, tensor<2x3x1x1xf32>) -> tensor<1x2x4x4xf32>
  %s3 = edge.Mul %x4, %g : (tensor<1x3x4x4xf32>, tensor<1x3x1x1xf32>) -> tensor<1x3x4x4xf32>
  %y3 = edge.Conv %s3, %w3 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x3x4x4xf32>, tensor<2x3x3x3xf32>) -> tensor<1x2x4x4xf32>
  %s4 = edge.Mul %x4, %g : (tensor<1x3x4x4xf32>, tensor<1x3x1x1xf32>) -> tensor<1x3x4x4xf32>
  %y4 = edge.Conv %s4, %wr {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x4x4xf32>, tensor<2x3x1x1xf32>) -> tensor<1x2x4x4xf32>
  %s5 = edge.Mul %x4, %gm : (tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  %y5 = edge.Conv %s5, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x4x4xf32>, tensor<2x3x1x1xf32>) -> tensor<1x2x4x4xf32>
  %s6 = edge.Mul %x4, %g : (tensor<1x3x4x4xf32>, tensor<1x3x1x1xf32>) -> tensor<1x3x4x4xf32>
  %y6 = edge.Conv %s6, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x3x4x4xf32>, tensor<2x3x1x1xf32>) -> tensor<1x2x2x2xf32>
  return %y0, %y1, %y2, %s2, %y4, %y5, %y6, %y3 : tensor<1x8x2x2xf32>, tensor<2x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x3x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x2x2xf32>, tensor<1x2x4x4xf32>
}
