// Ops and types the host target cannot run, for host-legality.test (line numbers matter).
module {
  func.func private @helper(%a: tensor<4xf32>) -> tensor<?xf32>

  func.func @main(%x: tensor<4xf32> {edge.name = "x"}, %c: tensor<4xcomplex<f32>> {edge.name = "c"}, %q: tensor<4xi2> {edge.name = "q"})
      -> (tensor<?xf32> {edge.name = "y"}, tensor<4xcomplex<f32>> {edge.name = "z"}, tensor<?xf32> {edge.name = "y2"}, tensor<4xi2> {edge.name = "q2"}) {
    %0 = func.call @helper(%x) : (tensor<4xf32>) -> tensor<?xf32>
    %1 = func.call @helper(%x) : (tensor<4xf32>) -> tensor<?xf32>
    %2 = "edge.Relu"(%c) : (tensor<4xcomplex<f32>>) -> tensor<4xcomplex<f32>>
    %3 = "edge.Relu"(%q) : (tensor<4xi2>) -> tensor<4xi2>
    return %0, %2, %1, %3 : tensor<?xf32>, tensor<4xcomplex<f32>>, tensor<?xf32>, tensor<4xi2>
  }
}
