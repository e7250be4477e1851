// RUN: edgec-opt %s -split-input-file -verify-diagnostics
//
// One case per error of the state ops and DynamicUpdateSlice.

// expected-error @+1 {{initial value of type 'tensor<3xf32>' does not match the state's type 'tensor<4xf32>'}}
edge.state @acc : tensor<4xf32> = dense<[1.0, 2.0, 3.0]> : tensor<3xf32>

// -----

func.func @f() -> tensor<4xf32> {
  // expected-error @+1 {{refers to @nope, which is not an edge.state of the module}}
  %s = edge.state_read @nope : tensor<4xf32>
  return %s : tensor<4xf32>
}

// -----

edge.state @acc : tensor<4xf32>
func.func @f() -> tensor<2xf32> {
  // expected-error @+1 {{uses @acc as 'tensor<2xf32>', but the state is 'tensor<4xf32>'}}
  %s = edge.state_read @acc : tensor<2xf32>
  return %s : tensor<2xf32>
}

// -----

edge.state @acc : tensor<4xf32>
func.func @f(%x: tensor<4xi32>) {
  // expected-error @+1 {{uses @acc as 'tensor<4xi32>', but the state is 'tensor<4xf32>'}}
  edge.state_write @acc, %x : tensor<4xi32>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{expects parent op 'builtin.module'}}
  edge.state @inner : tensor<4xf32>
  return
}

// -----

func.func @f(%a: tensor<3x2xf32>, %u: tensor<1x2xf32>, %p: tensor<2xi64>) -> tensor<3x3xf32> {
  // expected-error @+1 {{result type 'tensor<3x3xf32>' must be the operand's, 'tensor<3x2xf32>'}}
  %r = edge.DynamicUpdateSlice %a, %u, %p : (tensor<3x2xf32>, tensor<1x2xf32>, tensor<2xi64>) -> tensor<3x3xf32>
  return %r : tensor<3x3xf32>
}

// -----

func.func @f(%a: tensor<3x2xf32>, %u: tensor<1x2xf16>, %p: tensor<2xi64>) -> tensor<3x2xf32> {
  // expected-error @+1 {{update element type 'f16' differs from the operand's 'f32'}}
  %r = edge.DynamicUpdateSlice %a, %u, %p : (tensor<3x2xf32>, tensor<1x2xf16>, tensor<2xi64>) -> tensor<3x2xf32>
  return %r : tensor<3x2xf32>
}

// -----

func.func @f(%a: tensor<3x2xf32>, %u: tensor<2xf32>, %p: tensor<2xi64>) -> tensor<3x2xf32> {
  // expected-error @+1 {{update has rank 1, the operand 2}}
  %r = edge.DynamicUpdateSlice %a, %u, %p : (tensor<3x2xf32>, tensor<2xf32>, tensor<2xi64>) -> tensor<3x2xf32>
  return %r : tensor<3x2xf32>
}

// -----

func.func @f(%a: tensor<3x2xf32>, %u: tensor<1x2xf32>, %p: tensor<3xi64>) -> tensor<3x2xf32> {
  // expected-error @+1 {{starts must be tensor<2xi64> (one index per dimension)}}
  %r = edge.DynamicUpdateSlice %a, %u, %p : (tensor<3x2xf32>, tensor<1x2xf32>, tensor<3xi64>) -> tensor<3x2xf32>
  return %r : tensor<3x2xf32>
}

// -----

func.func @f(%a: tensor<3x2xf32>, %u: tensor<1x4xf32>, %p: tensor<2xi64>) -> tensor<3x2xf32> {
  // expected-error @+1 {{update dimension 1 (4) is larger than the operand's (2)}}
  %r = edge.DynamicUpdateSlice %a, %u, %p : (tensor<3x2xf32>, tensor<1x4xf32>, tensor<2xi64>) -> tensor<3x2xf32>
  return %r : tensor<3x2xf32>
}
