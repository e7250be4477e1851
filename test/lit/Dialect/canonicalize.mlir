// RUN: edgec-opt %s -canonicalize -split-input-file | FileCheck %s
//
// Folders and canonicalization patterns of the edge ops.

// CHECK-LABEL: func.func @reshape_same_type
// CHECK-SAME: (%[[X:.+]]: tensor<2x3xf32>)
// CHECK-NOT: edge.Reshape
// CHECK: return %[[X]]
func.func @reshape_same_type(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = edge.Reshape %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_chain
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[R:.+]] = edge.Reshape %[[X]] : (tensor<2x3x4xf32>) -> tensor<4x6xf32>
// CHECK-NOT: edge.Reshape
// CHECK: return %[[R]]
func.func @reshape_chain(%x: tensor<2x3x4xf32>) -> tensor<4x6xf32> {
  %0 = edge.Reshape %x : (tensor<2x3x4xf32>) -> tensor<24xf32>
  %1 = edge.Reshape %0 : (tensor<24xf32>) -> tensor<6x4xf32>
  %2 = edge.Reshape %1 : (tensor<6x4xf32>) -> tensor<4x6xf32>
  return %2 : tensor<4x6xf32>
}

// -----

// A chain that ends at the original type disappears completely.
// CHECK-LABEL: func.func @reshape_round_trip
// CHECK-SAME: (%[[X:.+]]: tensor<2x3xf32>)
// CHECK-NOT: edge.Reshape
// CHECK: return %[[X]]
func.func @reshape_round_trip(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = edge.Reshape %x : (tensor<2x3xf32>) -> tensor<6xf32>
  %1 = edge.Reshape %0 : (tensor<6xf32>) -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// -----

// The intermediate reshape has a second user: it stays, but the chain is still
// shortened.
// CHECK-LABEL: func.func @reshape_chain_shared
// CHECK-SAME: (%[[X:.+]]: tensor<2x3xf32>)
// CHECK-DAG: %[[A:.+]] = edge.Reshape %[[X]] : (tensor<2x3xf32>) -> tensor<6xf32>
// CHECK-DAG: %[[B:.+]] = edge.Reshape %[[X]] : (tensor<2x3xf32>) -> tensor<3x2xf32>
// CHECK: return %[[A]], %[[B]]
func.func @reshape_chain_shared(%x: tensor<2x3xf32>) -> (tensor<6xf32>, tensor<3x2xf32>) {
  %0 = edge.Reshape %x : (tensor<2x3xf32>) -> tensor<6xf32>
  %1 = edge.Reshape %0 : (tensor<6xf32>) -> tensor<3x2xf32>
  return %0, %1 : tensor<6xf32>, tensor<3x2xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_constant
// CHECK-NEXT: %[[C:.+]] = edge.constant dense<{{\[}}[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi64>
// CHECK-NOT: edge.Reshape
// CHECK-NEXT: return %[[C]]
func.func @reshape_constant() -> tensor<2x3xi64> {
  %c = edge.constant dense<[1, 2, 3, 4, 5, 6]> : tensor<6xi64>
  %0 = edge.Reshape %c : (tensor<6xi64>) -> tensor<2x3xi64>
  return %0 : tensor<2x3xi64>
}

// -----

// CHECK-LABEL: func.func @reshape_splat_constant
// CHECK-NEXT: %[[C:.+]] = edge.constant dense<2.500000e+00> : tensor<1x4x1xf32>
// CHECK-NOT: edge.Reshape
// CHECK-NEXT: return %[[C]]
func.func @reshape_splat_constant() -> tensor<1x4x1xf32> {
  %c = edge.constant dense<2.5> : tensor<4xf32>
  %0 = edge.Reshape %c : (tensor<4xf32>) -> tensor<1x4x1xf32>
  return %0 : tensor<1x4x1xf32>
}

// -----

// A reshaped constant that is still used as well keeps both constants.
// CHECK-LABEL: func.func @reshape_constant_shared
// CHECK-DAG: %[[A:.+]] = edge.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[B:.+]] = edge.constant dense<{{\[}}[1.000000e+00], [2.000000e+00]]> : tensor<2x1xf32>
// CHECK-NOT: edge.Reshape
// CHECK: return %[[A]], %[[B]]
func.func @reshape_constant_shared() -> (tensor<2xf32>, tensor<2x1xf32>) {
  %c = edge.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %0 = edge.Reshape %c : (tensor<2xf32>) -> tensor<2x1xf32>
  return %c, %0 : tensor<2xf32>, tensor<2x1xf32>
}

// -----

// Resource blobs (weights) are never copied by folding: the reshape stays.
// CHECK-LABEL: func.func @reshape_resource_constant
// CHECK-NEXT: %[[C:.+]] = edge.constant dense_resource<blob> : tensor<4xf32>
// CHECK-NEXT: %[[R:.+]] = edge.Reshape %[[C]] : (tensor<4xf32>) -> tensor<2x2xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_resource_constant() -> tensor<2x2xf32> {
  %c = edge.constant dense_resource<blob> : tensor<4xf32>
  %0 = edge.Reshape %c : (tensor<4xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      blob: "0x040000000000803F000000400000404000008040"
    }
  }
#-}

// -----

// CHECK-LABEL: func.func @identity_transpose
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x4xf32>)
// CHECK-NOT: edge.Transpose
// CHECK: return %[[X]]
func.func @identity_transpose(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = edge.Transpose %x {perm = array<i64: 0, 1, 2>} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// Swapping two equal dims keeps the type but is no identity.
// CHECK-LABEL: func.func @non_identity_transpose
// CHECK-SAME: (%[[X:.+]]: tensor<3x3xf32>)
// CHECK-NEXT: %[[T:.+]] = edge.Transpose %[[X]] {perm = array<i64: 1, 0>}
// CHECK-NEXT: return %[[T]]
func.func @non_identity_transpose(%x: tensor<3x3xf32>) -> tensor<3x3xf32> {
  %0 = edge.Transpose %x {perm = array<i64: 1, 0>} : (tensor<3x3xf32>) -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

// CHECK-LABEL: func.func @cast_same_type
// CHECK-SAME: (%[[X:.+]]: tensor<2x3xf32>)
// CHECK-NOT: edge.Cast
// CHECK: return %[[X]]
func.func @cast_same_type(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = edge.Cast %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @cast_other_type
// CHECK-SAME: (%[[X:.+]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[C:.+]] = edge.Cast %[[X]] : (tensor<2x3xf32>) -> tensor<2x3xi32>
// CHECK-NEXT: return %[[C]]
func.func @cast_other_type(%x: tensor<2x3xf32>) -> tensor<2x3xi32> {
  %0 = edge.Cast %x : (tensor<2x3xf32>) -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// -----

// Folds compose: the transpose and cast vanish, the reshapes collapse, and the
// unused (pure) Relu is erased.
// CHECK-LABEL: func.func @combined
// CHECK-SAME: (%[[X:.+]]: tensor<4x4xf32>)
// CHECK-NEXT: %[[R:.+]] = edge.Reshape %[[X]] : (tensor<4x4xf32>) -> tensor<2x8xf32>
// CHECK-NEXT: return %[[R]]
// CHECK-NOT: edge.
func.func @combined(%x: tensor<4x4xf32>) -> tensor<2x8xf32> {
  %0 = edge.Transpose %x {perm = array<i64: 0, 1>} : (tensor<4x4xf32>) -> tensor<4x4xf32>
  %1 = edge.Cast %0 : (tensor<4x4xf32>) -> tensor<4x4xf32>
  %2 = edge.Reshape %1 : (tensor<4x4xf32>) -> tensor<16xf32>
  %3 = edge.Relu %2 : tensor<16xf32>
  %4 = edge.Reshape %2 : (tensor<16xf32>) -> tensor<2x8xf32>
  return %4 : tensor<2x8xf32>
}

// -----

// Equal constants are deduplicated.
// CHECK-LABEL: func.func @constant_dedup
// CHECK-NEXT: %[[C:.+]] = edge.constant dense<1.000000e+00> : tensor<3xf32>
// CHECK-NEXT: %[[A:.+]] = edge.Add %[[C]], %[[C]]
// CHECK-NEXT: return %[[A]]
func.func @constant_dedup() -> tensor<3xf32> {
  %a = edge.constant dense<1.0> : tensor<3xf32>
  %b = edge.constant dense<1.0> : tensor<3xf32>
  %0 = edge.Add %a, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}
