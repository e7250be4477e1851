// RUN: edgec-opt %s -split-input-file -verify-diagnostics
//
// One case per error of the recurrent layers' verifier (RecurrentOps.cpp).

func.func @direction(%x: tensor<5x2x3xf32>, %w: tensor<1x4x3xf32>, %r: tensor<1x4x4xf32>) {
  // expected-error @+1 {{direction must be forward, reverse or bidirectional, got 'sideways'}}
  %y, %yh = edge.RNN %x, %w, %r {activation_alpha = array<f32: 0.0>, activation_beta = array<f32: 0.0>, activations = ["Tanh"], direction = "sideways", hidden_size = 4 : i64, layout = 0 : i64} : (tensor<5x2x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>)
  return
}

// -----

func.func @layout(%x: tensor<5x2x3xf32>, %w: tensor<1x4x3xf32>, %r: tensor<1x4x4xf32>) {
  // expected-error @+1 {{layout must be 0 or 1, got 2}}
  %y, %yh = edge.RNN %x, %w, %r {activation_alpha = array<f32: 0.0>, activation_beta = array<f32: 0.0>, activations = ["Tanh"], direction = "forward", hidden_size = 4 : i64, layout = 2 : i64} : (tensor<5x2x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>)
  return
}

// -----

func.func @hidden_size(%x: tensor<5x2x3xf32>, %w: tensor<1x0x3xf32>, %r: tensor<1x0x0xf32>) {
  // expected-error @+1 {{hidden_size must be positive, got 0}}
  %y, %yh = edge.RNN %x, %w, %r {activation_alpha = array<f32: 0.0>, activation_beta = array<f32: 0.0>, activations = ["Tanh"], direction = "forward", hidden_size = 0 : i64, layout = 0 : i64} : (tensor<5x2x3xf32>, tensor<1x0x3xf32>, tensor<1x0x0xf32>) -> (tensor<5x1x2x0xf32>, tensor<1x2x0xf32>)
  return
}

// -----

func.func @x_rank(%x: tensor<5x3xf32>, %w: tensor<1x4x3xf32>, %r: tensor<1x4x4xf32>) {
  // expected-error @+1 {{X must have rank 3, got shape [5,3]}}
  %y, %yh = edge.RNN %x, %w, %r {activation_alpha = array<f32: 0.0>, activation_beta = array<f32: 0.0>, activations = ["Tanh"], direction = "forward", hidden_size = 4 : i64, layout = 0 : i64} : (tensor<5x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>)
  return
}

// -----

func.func @element_type(%x: tensor<5x2x3xf32>, %w: tensor<1x4x3xf16>, %r: tensor<1x4x4xf32>) {
  // expected-error @+1 {{weights, bias, initial states and peepholes must have X's element type 'f32'}}
  %y, %yh = edge.RNN %x, %w, %r {activation_alpha = array<f32: 0.0>, activation_beta = array<f32: 0.0>, activations = ["Tanh"], direction = "forward", hidden_size = 4 : i64, layout = 0 : i64} : (tensor<5x2x3xf32>, tensor<1x4x3xf16>, tensor<1x4x4xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>)
  return
}

// -----

func.func @result_type(%x: tensor<5x2x3xf32>, %w: tensor<1x4x3xf32>, %r: tensor<1x4x4xf32>) {
  // expected-error @+1 {{results must have X's element type 'f32'}}
  %y, %yh = edge.RNN %x, %w, %r {activation_alpha = array<f32: 0.0>, activation_beta = array<f32: 0.0>, activations = ["Tanh"], direction = "forward", hidden_size = 4 : i64, layout = 0 : i64} : (tensor<5x2x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32>) -> (tensor<5x1x2x4xf16>, tensor<1x2x4xf32>)
  return
}

// -----

func.func @gru_w_gates(%x: tensor<5x2x3xf32>, %w: tensor<1x4x3xf32>, %r: tensor<1x12x4xf32>) {
  // expected-error @+1 {{W must have shape [1,12,3], got [1,4,3]}}
  %y, %yh = edge.GRU %x, %w, %r {activation_alpha = array<f32: 0.0, 0.0>, activation_beta = array<f32: 0.0, 0.0>, activations = ["Sigmoid", "Tanh"], direction = "forward", hidden_size = 4 : i64, layout = 0 : i64, linear_before_reset = 0 : i64} : (tensor<5x2x3xf32>, tensor<1x4x3xf32>, tensor<1x12x4xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>)
  return
}

// -----

func.func @r_shape(%x: tensor<5x2x3xf32>, %w: tensor<1x4x3xf32>, %r: tensor<1x4x3xf32>) {
  // expected-error @+1 {{R must have shape [1,4,4], got [1,4,3]}}
  %y, %yh = edge.RNN %x, %w, %r {activation_alpha = array<f32: 0.0>, activation_beta = array<f32: 0.0>, activations = ["Tanh"], direction = "forward", hidden_size = 4 : i64, layout = 0 : i64} : (tensor<5x2x3xf32>, tensor<1x4x3xf32>, tensor<1x4x3xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>)
  return
}

// -----

func.func @bias_shape(%x: tensor<5x2x3xf32>, %w: tensor<1x4x3xf32>, %r: tensor<1x4x4xf32>, %b: tensor<1x4xf32>) {
  // expected-error @+1 {{B must have shape [1,8], got [1,4]}}
  %y, %yh = edge.RNN %x, %w, %r bias %b {activation_alpha = array<f32: 0.0>, activation_beta = array<f32: 0.0>, activations = ["Tanh"], direction = "forward", hidden_size = 4 : i64, layout = 0 : i64} : (tensor<5x2x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32>, tensor<1x4xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>)
  return
}

// -----

func.func @lens_shape(%x: tensor<5x2x3xf32>, %w: tensor<1x4x3xf32>, %r: tensor<1x4x4xf32>, %l: tensor<5xi32>) {
  // expected-error @+1 {{sequence_lens must have shape [2], got [5]}}
  %y, %yh = edge.RNN %x, %w, %r lens %l {activation_alpha = array<f32: 0.0>, activation_beta = array<f32: 0.0>, activations = ["Tanh"], direction = "forward", hidden_size = 4 : i64, layout = 0 : i64} : (tensor<5x2x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32>, tensor<5xi32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>)
  return
}

// -----

func.func @initial_h_layout(%x: tensor<2x5x3xf32>, %w: tensor<1x4x3xf32>, %r: tensor<1x4x4xf32>, %h: tensor<1x2x4xf32>) {
  // expected-error @+1 {{initial_h must have shape [2,1,4], got [1,2,4]}}
  %y, %yh = edge.RNN %x, %w, %r init %h {activation_alpha = array<f32: 0.0>, activation_beta = array<f32: 0.0>, activations = ["Tanh"], direction = "forward", hidden_size = 4 : i64, layout = 1 : i64} : (tensor<2x5x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32>, tensor<1x2x4xf32>) -> (tensor<2x5x1x4xf32>, tensor<2x1x4xf32>)
  return
}

// -----

func.func @initial_c(%x: tensor<5x2x3xf32>, %w: tensor<1x16x3xf32>, %r: tensor<1x16x4xf32>, %c: tensor<1x1x4xf32>) {
  // expected-error @+1 {{initial_c must have shape [1,2,4], got [1,1,4]}}
  %y, %yh, %yc = edge.LSTM %x, %w, %r init_c %c {activation_alpha = array<f32: 0.0, 0.0, 0.0>, activation_beta = array<f32: 0.0, 0.0, 0.0>, activations = ["Sigmoid", "Tanh", "Tanh"], direction = "forward", hidden_size = 4 : i64, input_forget = 0 : i64, layout = 0 : i64} : (tensor<5x2x3xf32>, tensor<1x16x3xf32>, tensor<1x16x4xf32>, tensor<1x1x4xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>)
  return
}

// -----

func.func @peepholes(%x: tensor<5x2x3xf32>, %w: tensor<1x16x3xf32>, %r: tensor<1x16x4xf32>, %p: tensor<1x16xf32>) {
  // expected-error @+1 {{P must have shape [1,12], got [1,16]}}
  %y, %yh, %yc = edge.LSTM %x, %w, %r peepholes %p {activation_alpha = array<f32: 0.0, 0.0, 0.0>, activation_beta = array<f32: 0.0, 0.0, 0.0>, activations = ["Sigmoid", "Tanh", "Tanh"], direction = "forward", hidden_size = 4 : i64, input_forget = 0 : i64, layout = 0 : i64} : (tensor<5x2x3xf32>, tensor<1x16x3xf32>, tensor<1x16x4xf32>, tensor<1x16xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>)
  return
}

// -----

func.func @y_shape(%x: tensor<5x2x3xf32>, %w: tensor<1x4x3xf32>, %r: tensor<1x4x4xf32>) {
  // expected-error @+1 {{Y must have shape [5,1,2,4], got [5,2,4]}}
  %y, %yh = edge.RNN %x, %w, %r {activation_alpha = array<f32: 0.0>, activation_beta = array<f32: 0.0>, activations = ["Tanh"], direction = "forward", hidden_size = 4 : i64, layout = 0 : i64} : (tensor<5x2x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32>) -> (tensor<5x2x4xf32>, tensor<1x2x4xf32>)
  return
}

// -----

func.func @final_state_shape(%x: tensor<5x2x3xf32>, %w: tensor<1x4x3xf32>, %r: tensor<1x4x4xf32>) {
  // expected-error @+1 {{the final state must have shape [1,2,4], got [2,4]}}
  %y, %yh = edge.RNN %x, %w, %r {activation_alpha = array<f32: 0.0>, activation_beta = array<f32: 0.0>, activations = ["Tanh"], direction = "forward", hidden_size = 4 : i64, layout = 0 : i64} : (tensor<5x2x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32>) -> (tensor<5x1x2x4xf32>, tensor<2x4xf32>)
  return
}

// -----

func.func @activation_count(%x: tensor<5x2x3xf32>, %w: tensor<2x4x3xf32>, %r: tensor<2x4x4xf32>) {
  // expected-error @+1 {{activations must name 2 functions (1 per direction), got 1}}
  %y, %yh = edge.RNN %x, %w, %r {activation_alpha = array<f32: 0.0>, activation_beta = array<f32: 0.0>, activations = ["Tanh"], direction = "bidirectional", hidden_size = 4 : i64, layout = 0 : i64} : (tensor<5x2x3xf32>, tensor<2x4x3xf32>, tensor<2x4x4xf32>) -> (tensor<5x2x2x4xf32>, tensor<2x2x4xf32>)
  return
}

// -----

func.func @activation_name(%x: tensor<5x2x3xf32>, %w: tensor<1x4x3xf32>, %r: tensor<1x4x4xf32>) {
  // expected-error @+1 {{unknown activation 'Swish'}}
  %y, %yh = edge.RNN %x, %w, %r {activation_alpha = array<f32: 0.0>, activation_beta = array<f32: 0.0>, activations = ["Swish"], direction = "forward", hidden_size = 4 : i64, layout = 0 : i64} : (tensor<5x2x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>)
  return
}

// -----

func.func @alpha_count(%x: tensor<5x2x3xf32>, %w: tensor<1x4x3xf32>, %r: tensor<1x4x4xf32>) {
  // expected-error @+1 {{activation_alpha and activation_beta must have one value per activation (1)}}
  %y, %yh = edge.RNN %x, %w, %r {activation_alpha = array<f32>, activation_beta = array<f32: 0.0>, activations = ["Tanh"], direction = "forward", hidden_size = 4 : i64, layout = 0 : i64} : (tensor<5x2x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>)
  return
}
