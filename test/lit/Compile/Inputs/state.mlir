// Two functions over persistent state: a running sum that starts at [1, 2, 3, 4], and
// a 3x2 ring buffer written at a row given as an input (updated in place).
module {
  edge.state @acc : tensor<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  edge.state @ring : tensor<3x2xf32>

  func.func @accumulate(%x: tensor<4xf32> {edge.name = "x"}) -> (tensor<4xf32> {edge.name = "sum"}) {
    %s = edge.state_read @acc : tensor<4xf32>
    %n = edge.Add %s, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    edge.state_write @acc, %n : tensor<4xf32>
    return %n : tensor<4xf32>
  }

  func.func @write(%item: tensor<1x2xf32> {edge.name = "item"}, %pos: tensor<2xi64> {edge.name = "pos"})
      -> (tensor<3x2xf32> {edge.name = "ring_out"}) {
    %r = edge.state_read @ring : tensor<3x2xf32>
    %u = edge.DynamicUpdateSlice %r, %item, %pos : (tensor<3x2xf32>, tensor<1x2xf32>, tensor<2xi64>) -> tensor<3x2xf32>
    edge.state_write @ring, %u : tensor<3x2xf32>
    return %u : tensor<3x2xf32>
  }
}
