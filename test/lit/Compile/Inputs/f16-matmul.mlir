// An f16 MatMul: valid IR, but no runtime kernel takes f16 MatMul, so `edgec compile`
// must refuse it rather than write a package `edgec run` cannot load.
func.func @main(%a: tensor<2x3xf16> {edge.name = "a"}, %b: tensor<3x4xf16> {edge.name = "b"})
    -> (tensor<2x4xf16> {edge.name = "y"}) {
  %y = edge.MatMul %a, %b : (tensor<2x3xf16>, tensor<3x4xf16>) -> tensor<2x4xf16> loc("mm")
  return %y : tensor<2x4xf16>
}
