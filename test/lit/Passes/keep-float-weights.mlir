// RUN: edgec-opt %s -edge-mark-keep-float="patterns=^mm2$" -edge-quantize-dynamic 2>/dev/null | FileCheck %s --check-prefix=DYN
// RUN: edgec-opt %s -edge-mark-keep-float="patterns=^mm2$" --edge-quantize-weights="group-size=4 min-elements=0" 2>/dev/null | FileCheck %s --check-prefix=INT4
// RUN: edgec-opt %s -edge-mark-keep-float="ends=1" --edge-quantize-weights="group-size=4 min-elements=0" 2>/dev/null | FileCheck %s --check-prefix=INT4ENDS
//
// --keep-float under int8-dynamic and weight-only int4: a kept MatMul keeps its f32
// weight (activations are f32 there already, so no boundary op is needed).

// DYN-LABEL: func.func @three
// DYN: edge.DynamicQuantizedMatMul
// DYN: edge.MatMul {{.+}}edge.keep_float{{.+}} : (tensor<1x8xf32>, tensor<8x8xf32>) -> tensor<1x8xf32>
// DYN: edge.DynamicQuantizedMatMul
// DYN: return

// INT4-LABEL: func.func @three
// INT4: edge.DequantizeBlockwise
// INT4: edge.MatMul
// INT4: edge.MatMul {{.+}}edge.keep_float{{.+}} : (tensor<1x8xf32>, tensor<8x8xf32>) -> tensor<1x8xf32>
// INT4: edge.DequantizeBlockwise
// INT4: edge.MatMul
// INT4: return

// INT4ENDS-LABEL: func.func @three
// INT4ENDS-NOT: edge.DequantizeBlockwise
// INT4ENDS: edge.MatMul {{.+}}edge.keep_float
// INT4ENDS: edge.DequantizeBlockwise
// INT4ENDS-NOT: edge.DequantizeBlockwise
// INT4ENDS: edge.MatMul {{.+}}edge.keep_float
// INT4ENDS: return
func.func @three(%x: tensor<1x8xf32>) -> tensor<1x8xf32> {
  %w1 = edge.constant dense<0.5> : tensor<8x8xf32> loc("mm1.w")
  %m1 = edge.MatMul %x, %w1 : (tensor<1x8xf32>, tensor<8x8xf32>) -> tensor<1x8xf32> loc("mm1")
  %w2 = edge.constant dense<0.25> : tensor<8x8xf32> loc("mm2.w")
  %m2 = edge.MatMul %m1, %w2 : (tensor<1x8xf32>, tensor<8x8xf32>) -> tensor<1x8xf32> loc("mm2")
  %w3 = edge.constant dense<-0.5> : tensor<8x8xf32> loc("mm3.w")
  %m3 = edge.MatMul %m2, %w3 : (tensor<1x8xf32>, tensor<8x8xf32>) -> tensor<1x8xf32> loc("mm3")
  return %m3 : tensor<1x8xf32>
}
