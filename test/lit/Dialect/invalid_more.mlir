// RUN: edgec-opt %s -split-input-file -verify-diagnostics
//
// One case per error path of the verifiers (and a few ODS constraints) of the ops in
// ops_more.mlir.

func.func @sin_int(%x: tensor<3xi32>) -> tensor<3xi32> {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of floating-point values}}
  %0 = edge.Sin %x : tensor<3xi32>
  return %0 : tensor<3xi32>
}

// -----

func.func @not_float(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of 1-bit signless integer values}}
  %0 = edge.Not %x : tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @sign_bool(%x: tensor<3xi1>) -> tensor<3xi1> {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of floating-point or 8-bit signless integer}}
  %0 = edge.Sign %x : tensor<3xi1>
  return %0 : tensor<3xi1>
}

// -----

func.func @leaky_relu_no_alpha(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{requires attribute 'alpha'}}
  %0 = edge.LeakyRelu %x : tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @hard_sigmoid_int_alpha(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{attribute 'alpha' failed to satisfy constraint: 32-bit float attribute}}
  %0 = edge.HardSigmoid %x {alpha = 1 : i64, beta = 0.5 : f32} : tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @isnan_result_float(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{result #0 must be statically shaped tensor of 1-bit signless integer values}}
  %0 = edge.IsNaN %x : (tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @isnan_shape(%x: tensor<3xf32>) -> tensor<4xi1> {
  // expected-error @+1 {{failed to verify that all of {input, output} have same shape}}
  %0 = edge.IsNaN %x : (tensor<3xf32>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

func.func @isinf_flag(%x: tensor<3xf32>) -> tensor<3xi1> {
  // expected-error @+1 {{detect_negative must be 0 or 1, got 2}}
  %0 = edge.IsInf %x {detect_negative = 2 : i64, detect_positive = 1 : i64} : (tensor<3xf32>) -> tensor<3xi1>
  return %0 : tensor<3xi1>
}

// -----

func.func @equal_types(%a: tensor<3xf32>, %b: tensor<3xi32>) -> tensor<3xi1> {
  // expected-error @+1 {{operand element types differ: 'f32' vs 'i32'}}
  %0 = edge.Equal %a, %b : (tensor<3xf32>, tensor<3xi32>) -> tensor<3xi1>
  return %0 : tensor<3xi1>
}

// -----

func.func @less_broadcast(%a: tensor<3xf32>, %b: tensor<4xf32>) -> tensor<4xi1> {
  // expected-error @+1 {{operand shapes are not broadcast-compatible: [3] vs [4]}}
  %0 = edge.Less %a, %b : (tensor<3xf32>, tensor<4xf32>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

func.func @greater_result_shape(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<3xi1> {
  // expected-error @+1 {{result shape [3] is not the broadcast shape [2,3]}}
  %0 = edge.Greater %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<3xi1>
  return %0 : tensor<3xi1>
}

// -----

func.func @compare_result_float(%a: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{result #0 must be statically shaped tensor of 1-bit signless integer values}}
  %0 = edge.LessOrEqual %a, %a : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @less_bool(%a: tensor<3xi1>) -> tensor<3xi1> {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of floating-point or 8-bit signless integer}}
  %0 = edge.Less %a, %a : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>
  return %0 : tensor<3xi1>
}

// -----

func.func @and_float(%a: tensor<3xf32>) -> tensor<3xi1> {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of 1-bit signless integer values}}
  %0 = edge.And %a, %a : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xi1>
  return %0 : tensor<3xi1>
}

// -----

func.func @min_no_operands() -> tensor<3xf32> {
  // expected-error @+1 {{needs at least one operand}}
  %0 = edge.Min : () -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @max_element_types(%a: tensor<3xf32>, %b: tensor<3xf16>) -> tensor<3xf32> {
  // expected-error @+1 {{operands and the result must have the same element type}}
  %0 = edge.Max %a, %b : (tensor<3xf32>, tensor<3xf16>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @sum_broadcast(%a: tensor<2x3xf32>, %b: tensor<2xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{operand shapes are not broadcast-compatible: [2,3] vs [2]}}
  %0 = edge.Sum %a, %b : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @mean_result_shape(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{result shape [3] is not the broadcast shape [2,3]}}
  %0 = edge.Mean %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @sum_int(%a: tensor<3xi32>) -> tensor<3xi32> {
  // expected-error @+1 {{operand #0 must be variadic of statically shaped tensor of floating-point or quant.uniform values}}
  %0 = edge.Sum %a : (tensor<3xi32>) -> tensor<3xi32>
  return %0 : tensor<3xi32>
}

// -----

func.func @prelu_result(%x: tensor<3xf32>, %s: tensor<1xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{result type must match the input type}}
  %0 = edge.PRelu %x, %s : (tensor<3xf32>, tensor<1xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @prelu_slope_type(%x: tensor<3xf32>, %s: tensor<1xf64>) -> tensor<3xf32> {
  // expected-error @+1 {{slope must have the input's element type}}
  %0 = edge.PRelu %x, %s : (tensor<3xf32>, tensor<1xf64>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @prelu_slope_shape(%x: tensor<3xf32>, %s: tensor<2x3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{slope shape [2,3] does not broadcast to the input shape [3]}}
  %0 = edge.PRelu %x, %s : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @mod_types(%a: tensor<3xi32>, %b: tensor<3xi64>) -> tensor<3xi32> {
  // expected-error @+1 {{operands and the result must have the same element type}}
  %0 = edge.Mod %a, %b {fmod = 0 : i64} : (tensor<3xi32>, tensor<3xi64>) -> tensor<3xi32>
  return %0 : tensor<3xi32>
}

// -----

func.func @mod_flag(%a: tensor<3xi32>) -> tensor<3xi32> {
  // expected-error @+1 {{fmod must be 0 or 1, got 2}}
  %0 = edge.Mod %a, %a {fmod = 2 : i64} : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  return %0 : tensor<3xi32>
}

// -----

func.func @mod_float_fmod0(%a: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{float operands need fmod = 1}}
  %0 = edge.Mod %a, %a {fmod = 0 : i64} : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @mod_broadcast(%a: tensor<3xi32>, %b: tensor<2xi32>) -> tensor<3xi32> {
  // expected-error @+1 {{operand shapes are not broadcast-compatible: [3] vs [2]}}
  %0 = edge.Mod %a, %b {fmod = 0 : i64} : (tensor<3xi32>, tensor<2xi32>) -> tensor<3xi32>
  return %0 : tensor<3xi32>
}

// -----

func.func @range_operand_shape(%s: tensor<1xf32>, %l: tensor<f32>) -> tensor<4xf32> {
  // expected-error @+1 {{start, limit and delta must be scalars of the result's element type}}
  %0 = edge.Range %s, %l, %l : (tensor<1xf32>, tensor<f32>, tensor<f32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @range_operand_type(%s: tensor<i32>, %l: tensor<i64>) -> tensor<4xi64> {
  // expected-error @+1 {{start, limit and delta must be scalars of the result's element type}}
  %0 = edge.Range %s, %l, %l : (tensor<i32>, tensor<i64>, tensor<i64>) -> tensor<4xi64>
  return %0 : tensor<4xi64>
}

// -----

func.func @range_result_rank(%s: tensor<i64>) -> tensor<2x2xi64> {
  // expected-error @+1 {{result must have rank 1}}
  %0 = edge.Range %s, %s, %s : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<2x2xi64>
  return %0 : tensor<2x2xi64>
}

// -----

func.func @global_max_pool_shape(%x: tensor<1x3x5x5xf32>) -> tensor<1x3x5x1xf32> {
  // expected-error @+1 {{result must be [N, C, 1, ...] for an [N, C, ...] input}}
  %0 = edge.GlobalMaxPool %x : (tensor<1x3x5x5xf32>) -> tensor<1x3x5x1xf32>
  return %0 : tensor<1x3x5x1xf32>
}

// -----

func.func @global_max_pool_type(%x: tensor<1x3x5x5xf32>) -> tensor<1x3x1x1xf16> {
  // expected-error @+1 {{result element type must match the input}}
  %0 = edge.GlobalMaxPool %x : (tensor<1x3x5x5xf32>) -> tensor<1x3x1x1xf16>
  return %0 : tensor<1x3x1x1xf16>
}

// -----

func.func @log_softmax_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = edge.LogSoftmax %x {axis = 2 : i64} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @split_axis(%x: tensor<2x6xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0:2 = edge.Split %x {axis = 2 : i64} : (tensor<2x6xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>)
  return
}

// -----

func.func @split_no_results(%x: tensor<2x6xf32>) {
  // expected-error @+1 {{needs at least one result}}
  edge.Split %x {axis = 1 : i64} : (tensor<2x6xf32>) -> ()
  return
}

// -----

func.func @split_rank(%x: tensor<2x6xf32>) {
  // expected-error @+1 {{results must have the input's rank and element type}}
  %0:2 = edge.Split %x {axis = 1 : i64} : (tensor<2x6xf32>) -> (tensor<2x3xf32>, tensor<6xf32>)
  return
}

// -----

func.func @split_other_dim(%x: tensor<2x6xf32>) {
  // expected-error @+1 {{result shape [1,3] differs from the input [2,6] outside axis 1}}
  %0:2 = edge.Split %x {axis = 1 : i64} : (tensor<2x6xf32>) -> (tensor<2x3xf32>, tensor<1x3xf32>)
  return
}

// -----

func.func @split_sum(%x: tensor<2x6xf32>) {
  // expected-error @+1 {{results sum to 5 along axis 1, input has 6}}
  %0:2 = edge.Split %x {axis = 1 : i64} : (tensor<2x6xf32>) -> (tensor<2x3xf32>, tensor<2x2xf32>)
  return
}

// -----

func.func @tile_rank(%x: tensor<2x3xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{repeats, input and result must have the same rank}}
  %0 = edge.Tile %x {repeats = array<i64: 2>} : (tensor<2x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @tile_negative(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{repeats must be >= 0}}
  %0 = edge.Tile %x {repeats = array<i64: -1, 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @tile_result(%x: tensor<2x3xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{result dim 1 is 3, expected 6}}
  %0 = edge.Tile %x {repeats = array<i64: 2, 2>} : (tensor<2x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @tile_type(%x: tensor<2x3xf32>) -> tensor<2x3xf64> {
  // expected-error @+1 {{tile cannot change the element type}}
  %0 = edge.Tile %x {repeats = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<2x3xf64>
  return %0 : tensor<2x3xf64>
}

// -----

func.func @pad_mode(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{unknown mode 'wrap' (constant, reflect or edge)}}
  %0 = edge.Pad %x {mode = "wrap", pads = array<i64: 0, 0, 0, 0>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @pad_count(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{expects 4 pads (begins, then ends) and a rank-2 result}}
  %0 = edge.Pad %x {mode = "constant", pads = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @pad_crop(%x: tensor<2x3xf32>) -> tensor<0x3xf32> {
  // expected-error @+1 {{pads crop dim 0 below zero}}
  %0 = edge.Pad %x {mode = "constant", pads = array<i64: -2, 0, -1, 0>} : (tensor<2x3xf32>) -> tensor<0x3xf32>
  return %0 : tensor<0x3xf32>
}

// -----

func.func @pad_result(%x: tensor<2x3xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{result dim 1 is 4, expected 3}}
  %0 = edge.Pad %x {mode = "constant", pads = array<i64: 1, 0, 1, 0>} : (tensor<2x3xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @pad_reflect_empty(%x: tensor<0x3xf32>) -> tensor<1x3xf32> {
  // expected-error @+1 {{reflect mode cannot pad the empty dim 0}}
  %0 = edge.Pad %x {mode = "reflect", pads = array<i64: 1, 0, 0, 0>} : (tensor<0x3xf32>) -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}

// -----

func.func @pad_type(%x: tensor<2x3xf32>) -> tensor<2x3xi32> {
  // expected-error @+1 {{pad cannot change the element type}}
  %0 = edge.Pad %x {mode = "edge", pads = array<i64: 0, 0, 0, 0>} : (tensor<2x3xf32>) -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// -----

func.func @pad_value_mode(%x: tensor<2x3xf32>, %v: tensor<f32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{constant_value is only used in constant mode}}
  %0 = edge.Pad %x, %v {mode = "edge", pads = array<i64: 0, 0, 0, 0>} : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @pad_value_shape(%x: tensor<2x3xf32>, %v: tensor<2xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{constant_value must be one element of the input's element type}}
  %0 = edge.Pad %x, %v {mode = "constant", pads = array<i64: 0, 0, 0, 0>} : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @trilu_rank(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{input must have rank >= 2}}
  %0 = edge.Trilu %x {k = 0 : i64, upper = 1 : i64} : tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @trilu_upper(%x: tensor<3x3xf32>) -> tensor<3x3xf32> {
  // expected-error @+1 {{upper must be 0 or 1, got 2}}
  %0 = edge.Trilu %x {k = 0 : i64, upper = 2 : i64} : tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

func.func @reduce_prod_shape(%x: tensor<2x3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{result shape should be [2]}}
  %0 = edge.ReduceProd %x {axes = array<i64: 1>, keepdims = 0 : i64} : (tensor<2x3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @reduce_logsumexp_axes(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{axes must be sorted and unique}}
  %0 = edge.ReduceLogSumExp %x {axes = array<i64: 1, 1>, keepdims = 0 : i64} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @argmax_axis(%x: tensor<2x3xf32>) -> tensor<2xi64> {
  // expected-error @+1 {{axis -1 is out of range for rank 2}}
  %0 = edge.ArgMax %x {axis = -1 : i64, keepdims = 0 : i64, select_last_index = 0 : i64} : (tensor<2x3xf32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

func.func @argmax_keepdims(%x: tensor<2x3xf32>) -> tensor<2xi64> {
  // expected-error @+1 {{keepdims must be 0 or 1, got 2}}
  %0 = edge.ArgMax %x {axis = 1 : i64, keepdims = 2 : i64, select_last_index = 0 : i64} : (tensor<2x3xf32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

func.func @argmin_select_last(%x: tensor<2x3xf32>) -> tensor<2xi64> {
  // expected-error @+1 {{select_last_index must be 0 or 1, got 3}}
  %0 = edge.ArgMin %x {axis = 1 : i64, keepdims = 0 : i64, select_last_index = 3 : i64} : (tensor<2x3xf32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

func.func @argmin_empty_axis(%x: tensor<2x0xf32>) -> tensor<2xi64> {
  // expected-error @+1 {{cannot take an index along the empty axis 1}}
  %0 = edge.ArgMin %x {axis = 1 : i64, keepdims = 0 : i64, select_last_index = 0 : i64} : (tensor<2x0xf32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

func.func @argmax_shape(%x: tensor<2x3xf32>) -> tensor<2xi64> {
  // expected-error @+1 {{result shape should be [2,1]}}
  %0 = edge.ArgMax %x {axis = 1 : i64, keepdims = 1 : i64, select_last_index = 0 : i64} : (tensor<2x3xf32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

func.func @argmax_result_type(%x: tensor<2x3xf32>) -> tensor<2xi32> {
  // expected-error @+1 {{result #0 must be statically shaped tensor of 64-bit signless integer values}}
  %0 = edge.ArgMax %x {axis = 1 : i64, keepdims = 0 : i64, select_last_index = 0 : i64} : (tensor<2x3xf32>) -> tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

func.func @cumsum_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = edge.CumSum %x {axis = 2 : i64, exclusive = 0 : i64, reverse = 0 : i64} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @cumsum_exclusive(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{exclusive must be 0 or 1, got 2}}
  %0 = edge.CumSum %x {axis = 1 : i64, exclusive = 2 : i64, reverse = 0 : i64} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @cumsum_reverse(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{reverse must be 0 or 1, got -1}}
  %0 = edge.CumSum %x {axis = 1 : i64, exclusive = 0 : i64, reverse = -1 : i64} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @trilu_k_twice(%x: tensor<3x3xf32>, %k: tensor<i64>) -> tensor<3x3xf32> {
  // expected-error @+1 {{k is given both as an attribute and as an operand}}
  %0 = edge.Trilu %x, %k : tensor<i64> {k = 1 : i64, upper = 1 : i64} : tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

func.func @trilu_k_not_scalar(%x: tensor<3x3xf32>, %k: tensor<2xi64>) -> tensor<3x3xf32> {
  // expected-error @+1 {{k_input must have one element, got 'tensor<2xi64>'}}
  %0 = edge.Trilu %x, %k : tensor<2xi64> {upper = 1 : i64} : tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

func.func @trilu_k_float(%x: tensor<3x3xf32>, %k: tensor<f32>) -> tensor<3x3xf32> {
  // expected-error @+1 {{operand #1 must be tensor of 32-bit signless integer or 64-bit signless integer values}}
  %0 = edge.Trilu %x, %k : tensor<f32> {upper = 1 : i64} : tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

func.func @cumsum_axis_twice(%x: tensor<2x3xf32>, %a: tensor<i64>) -> tensor<2x3xf32> {
  // expected-error @+1 {{axis is given both as an attribute and as an operand}}
  %0 = edge.CumSum %x, %a : tensor<i64> {axis = 1 : i64, exclusive = 0 : i64, reverse = 0 : i64} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @cumsum_no_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{needs an axis attribute or an axis_input operand}}
  %0 = edge.CumSum %x {exclusive = 0 : i64, reverse = 0 : i64} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @cumsum_axis_not_scalar(%x: tensor<2x3xf32>, %a: tensor<1x2xi32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{axis_input must have one element, got 'tensor<1x2xi32>'}}
  %0 = edge.CumSum %x, %a : tensor<1x2xi32> {exclusive = 0 : i64, reverse = 0 : i64} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
