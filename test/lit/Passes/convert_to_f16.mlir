// RUN: edgec-opt %s -edge-convert-to-f16 | FileCheck %s
//
// f32 inside the function becomes f16 (constants rounded to nearest even: 0.1 is
// 0x2E66 = 0.0999755859375, 65520 is past the largest half and becomes infinity); the
// function still takes and returns f32, through a Cast at each end.
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[X:.+]]: tensor<1x4xf32> {edge.name = "x"}) -> (tensor<1x3xf32> {edge.name = "y"})
// CHECK: %[[XH:.+]] = edge.Cast %[[X]] : (tensor<1x4xf32>) -> tensor<1x4xf16>
// CHECK: %[[W:.+]] = edge.constant dense<{{\[}}[1.000000e+00, 5.000000e-01, -2.000000e+00, 9.997550e-02], [0.000000e+00, 1.000000e+00, 3.000000e+00, -1.000000e+00], [1.999510e-01, 1.999510e-01, 1.999510e-01, 0x7C00]]> : tensor<3x4xf16>
// CHECK: %[[G:.+]] = edge.Gemm %[[XH]], %[[W]] {{.+}} : (tensor<1x4xf16>, tensor<3x4xf16>) -> tensor<1x3xf16>
// CHECK: %[[R:.+]] = edge.Relu %[[G]] : tensor<1x3xf16>
// CHECK: %[[Y:.+]] = edge.Cast %[[R]] : (tensor<1x3xf16>) -> tensor<1x3xf32>
// CHECK: return %[[Y]]
func.func @main(%x: tensor<1x4xf32> {edge.name = "x"}) -> (tensor<1x3xf32> {edge.name = "y"}) {
  %w = edge.constant dense<[[1.0, 0.5, -2.0, 0.1], [0.0, 1.0, 3.0, -1.0], [0.2, 0.2, 0.2, 65520.0]]> : tensor<3x4xf32>
  %g = edge.Gemm %x, %w {alpha = 1.0 : f32, beta = 1.0 : f32, transA = 0 : i64, transB = 1 : i64} : (tensor<1x4xf32>, tensor<3x4xf32>) -> tensor<1x3xf32>
  %r = edge.Relu %g : tensor<1x3xf32>
  return %r : tensor<1x3xf32>
}

// Integer tensors are left alone.
// CHECK-LABEL: func.func @ints
// CHECK: edge.Gather %{{.+}}, %arg1 {{.+}} : (tensor<4x2xf16>, tensor<3xi64>) -> tensor<3x2xf16>
func.func @ints(%x: tensor<4x2xf32>, %i: tensor<3xi64>) -> tensor<3x2xf32> {
  %g = edge.Gather %x, %i {axis = 0 : i64} : (tensor<4x2xf32>, tensor<3xi64>) -> tensor<3x2xf32>
  return %g : tensor<3x2xf32>
}

// Resize's run-time scales and roi are parameters: an input feeding them stays f32, and a
// computed one is cast back to f32 in front of the Resize (the image itself is f16).
// CHECK-LABEL: func.func @resize_parameters
// CHECK-SAME: (%[[X:[^:]+]]: tensor<1x1x2x2xf32>, %[[S:[^:]+]]: tensor<4xf32>, %[[R:[^:]+]]: tensor<8xf32>)
// CHECK: %[[XH:.+]] = edge.Cast %[[X]] : (tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf16>
// CHECK: %[[RH:.+]] = edge.Cast %[[R]] : (tensor<8xf32>) -> tensor<8xf16>
// CHECK: %[[N:.+]] = edge.Neg %[[RH]] : tensor<8xf16>
// CHECK: %[[NF:.+]] = edge.Cast %[[N]] : (tensor<8xf16>) -> tensor<8xf32>
// CHECK: edge.Resize %[[XH]] roi(%[[NF]] : tensor<8xf32>) scales(%[[S]] : tensor<4xf32>) {{.+}} : (tensor<1x1x2x2xf16>) -> tensor<1x1x4x4xf16>
func.func @resize_parameters(%x: tensor<1x1x2x2xf32>, %s: tensor<4xf32>, %r: tensor<8xf32>) -> tensor<1x1x4x4xf32> {
  %n = edge.Neg %r : tensor<8xf32>
  %y = edge.Resize %x roi(%n : tensor<8xf32>) scales(%s : tensor<4xf32>) {mode = "nearest", coordinate_transformation_mode = "tf_crop_and_resize", nearest_mode = "round_prefer_floor", cubic_coeff_a = -0.75 : f32, exclude_outside = 0 : i64, extrapolation_value = 0.0 : f32} : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  return %y : tensor<1x1x4x4xf32>
}
