// A DequantizeBlockwise of constants feeding a MatMul (folded: the kernel reads the packed
// codes) and returned as an output (a standalone DequantizeLinear kernel on the same
// blockwise tensor), for blockwise-lowering.test. Codes and scales as in
// test/lit/Passes/quantize-weights.mlir: the weight is
// [[0.7, 1.4], [-0.3, 0.6], [0.1, -0.2], [0, 0], [-1.4, 0], [0.2, 0], [0.4, 0], [0, 0]].
module {
  func.func @main(%x: tensor<1x8xf32> {edge.name = "x"}) -> (tensor<1x2xf32> {edge.name = "y"}, tensor<8x2xf32> {edge.name = "w"}) {
    %c = edge.constant dense<[[7, 7], [-3, 3], [1, -1], [0, 0], [-7, 0], [1, 0], [2, 0], [0, 0]]> : tensor<8x2xi4>
    %s = edge.constant dense<[[0.1, 0.2], [0.2, 1.0]]> : tensor<2x2xf32>
    %w = edge.DequantizeBlockwise %c, %s {axis = 0 : i64, block_size = 4 : i64} : (tensor<8x2xi4>, tensor<2x2xf32>) -> tensor<8x2xf32>
    %y = edge.MatMul %x, %w : (tensor<1x8xf32>, tensor<8x2xf32>) -> tensor<1x2xf32>
    return %y, %w : tensor<1x2xf32>, tensor<8x2xf32>
  }
}
