// An f16 MatMul: the ref MatMul computes in f32 only, so it runs through the runtime's
// F16Adapter (f16 storage, f32 arithmetic, one rounding of the result).
func.func @main(%a: tensor<2x3xf16> {edge.name = "a"}, %b: tensor<3x4xf16> {edge.name = "b"})
    -> (tensor<2x4xf16> {edge.name = "y"}) {
  %y = edge.MatMul %a, %b : (tensor<2x3xf16>, tensor<3x4xf16>) -> tensor<2x4xf16> loc("mm")
  return %y : tensor<2x4xf16>
}
