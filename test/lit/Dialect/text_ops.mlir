// RUN: edgec-opt %s | edgec-opt | FileCheck %s
// RUN: edgec-opt %s -mlir-print-op-generic | edgec-opt | FileCheck %s
//
// TfIdfVectorizer (EdgeTextOps.td) round-trips with its attributes.

// CHECK-LABEL: func.func @tfidf
// CHECK: edge.TfIdfVectorizer %arg0 {max_gram_length = 2 : i64, max_skip_count = 1 : i64, min_gram_length = 1 : i64, mode = "TFIDF", ngram_counts = array<i64: 0, 2>, ngram_indexes = array<i64: 2, 0, 1>, pool_int64s = array<i64: 1, 2, 1, 2>, weights = array<f32: 5.000000e-01, 2.000000e+00, 4.000000e+00>} : (tensor<2x5xi64>) -> tensor<2x3xf32>
func.func @tfidf(%x: tensor<2x5xi64>) -> tensor<2x3xf32> {
  %0 = edge.TfIdfVectorizer %x {max_gram_length = 2 : i64, max_skip_count = 1 : i64, min_gram_length = 1 : i64, mode = "TFIDF", ngram_counts = array<i64: 0, 2>, ngram_indexes = array<i64: 2, 0, 1>, pool_int64s = array<i64: 1, 2, 1, 2>, weights = array<f32: 0.5, 2.0, 4.0>} : (tensor<2x5xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
