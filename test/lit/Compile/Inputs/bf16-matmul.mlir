// A bf16 MatMul: valid IR, but no runtime kernel takes a bf16 MatMul (f16 ones run
// through the F16Adapter, bf16 ones do not), so `edgec compile` must refuse it rather
// than write a package `edgec run` cannot load.
func.func @main(%a: tensor<2x3xbf16> {edge.name = "a"}, %b: tensor<3x4xbf16> {edge.name = "b"})
    -> (tensor<2x4xbf16> {edge.name = "y"}) {
  %y = edge.MatMul %a, %b : (tensor<2x3xbf16>, tensor<3x4xbf16>) -> tensor<2x4xbf16> loc("mm")
  return %y : tensor<2x4xbf16>
}
