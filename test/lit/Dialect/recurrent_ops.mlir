// RUN: edgec-opt %s | edgec-opt | FileCheck %s
// RUN: edgec-opt %s -mlir-print-op-generic | edgec-opt | FileCheck %s
//
// ONNX's recurrent layers (EdgeRecurrentOps.td): optional operands anywhere (bias,
// sequence_lens, initial states, peepholes), every activation resolved with its alpha
// and beta, and both layouts.

// CHECK-LABEL: func.func @rnn_minimal
// CHECK: edge.RNN %arg0, %arg1, %arg2 {activation_alpha = array<f32: 0.000000e+00>, activation_beta = array<f32: 0.000000e+00>, activations = ["Tanh"], direction = "forward", hidden_size = 4 : i64, layout = 0 : i64}
// CHECK-SAME: (tensor<5x2x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>)
func.func @rnn_minimal(%x: tensor<5x2x3xf32>, %w: tensor<1x4x3xf32>, %r: tensor<1x4x4xf32>) -> tensor<1x2x4xf32> {
  %y, %yh = edge.RNN %x, %w, %r {activation_alpha = array<f32: 0.0>, activation_beta = array<f32: 0.0>, activations = ["Tanh"], direction = "forward", hidden_size = 4 : i64, layout = 0 : i64} : (tensor<5x2x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>)
  return %yh : tensor<1x2x4xf32>
}

// CHECK-LABEL: func.func @gru_lens_batch_first
// CHECK: edge.GRU %arg0, %arg1, %arg2 bias %arg3 lens %arg4 {activation_alpha = array<f32: 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00>, activation_beta = array<f32: 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00>, activations = ["Sigmoid", "Tanh", "Sigmoid", "Tanh"], clip = 5.000000e+00 : f32, direction = "bidirectional", hidden_size = 4 : i64, layout = 1 : i64, linear_before_reset = 1 : i64}
// CHECK-SAME: (tensor<2x5x3xf32>, tensor<2x12x3xf32>, tensor<2x12x4xf32>, tensor<2x24xf32>, tensor<2xi32>) -> (tensor<2x5x2x4xf32>, tensor<2x2x4xf32>)
func.func @gru_lens_batch_first(%x: tensor<2x5x3xf32>, %w: tensor<2x12x3xf32>, %r: tensor<2x12x4xf32>, %b: tensor<2x24xf32>, %lens: tensor<2xi32>) -> tensor<2x5x2x4xf32> {
  %y, %yh = edge.GRU %x, %w, %r bias %b lens %lens {activation_alpha = array<f32: 0.0, 0.0, 0.0, 0.0>, activation_beta = array<f32: 0.0, 0.0, 0.0, 0.0>, activations = ["Sigmoid", "Tanh", "Sigmoid", "Tanh"], clip = 5.0 : f32, direction = "bidirectional", hidden_size = 4 : i64, layout = 1 : i64, linear_before_reset = 1 : i64} : (tensor<2x5x3xf32>, tensor<2x12x3xf32>, tensor<2x12x4xf32>, tensor<2x24xf32>, tensor<2xi32>) -> (tensor<2x5x2x4xf32>, tensor<2x2x4xf32>)
  return %y : tensor<2x5x2x4xf32>
}

// CHECK-LABEL: func.func @lstm_states_peepholes
// CHECK: edge.LSTM %arg0, %arg1, %arg2 init %arg3 init_c %arg4 peepholes %arg5 {activation_alpha = array<f32: 1.000000e-01, 0.000000e+00, 0.000000e+00>, activation_beta = array<f32: 0.000000e+00, 0.000000e+00, 0.000000e+00>, activations = ["LeakyRelu", "Tanh", "Tanh"], direction = "reverse", hidden_size = 2 : i64, input_forget = 0 : i64, layout = 0 : i64}
// CHECK-SAME: (tensor<3x1x2xf32>, tensor<1x8x2xf32>, tensor<1x8x2xf32>, tensor<1x1x2xf32>, tensor<1x1x2xf32>, tensor<1x6xf32>) -> (tensor<3x1x1x2xf32>, tensor<1x1x2xf32>, tensor<1x1x2xf32>)
func.func @lstm_states_peepholes(%x: tensor<3x1x2xf32>, %w: tensor<1x8x2xf32>, %r: tensor<1x8x2xf32>, %h0: tensor<1x1x2xf32>, %c0: tensor<1x1x2xf32>, %p: tensor<1x6xf32>) -> tensor<1x1x2xf32> {
  %y, %yh, %yc = edge.LSTM %x, %w, %r init %h0 init_c %c0 peepholes %p {activation_alpha = array<f32: 0.1, 0.0, 0.0>, activation_beta = array<f32: 0.0, 0.0, 0.0>, activations = ["LeakyRelu", "Tanh", "Tanh"], direction = "reverse", hidden_size = 2 : i64, input_forget = 0 : i64, layout = 0 : i64} : (tensor<3x1x2xf32>, tensor<1x8x2xf32>, tensor<1x8x2xf32>, tensor<1x1x2xf32>, tensor<1x1x2xf32>, tensor<1x6xf32>) -> (tensor<3x1x1x2xf32>, tensor<1x1x2xf32>, tensor<1x1x2xf32>)
  return %yc : tensor<1x1x2xf32>
}
