// RUN: edgec-opt %s -split-input-file -verify-diagnostics
//
// One case per error path of the TfIdfVectorizer verifier (TextOps.cpp).

func.func @rank(%x: tensor<1x2x3xi32>) -> tensor<1x2x1xf32> {
  // expected-error @+1 {{input must be [C] or [N, C], got [1,2,3]}}
  %0 = edge.TfIdfVectorizer %x {max_gram_length = 1 : i64, max_skip_count = 0 : i64, min_gram_length = 1 : i64, mode = "TF", ngram_counts = array<i64: 0>, ngram_indexes = array<i64: 0>, pool_int64s = array<i64: 7>, weights = array<f32>} : (tensor<1x2x3xi32>) -> tensor<1x2x1xf32>
  return %0 : tensor<1x2x1xf32>
}

// -----

func.func @mode(%x: tensor<3xi32>) -> tensor<1xf32> {
  // expected-error @+1 {{mode must be TF, IDF or TFIDF, got 'BM25'}}
  %0 = edge.TfIdfVectorizer %x {max_gram_length = 1 : i64, max_skip_count = 0 : i64, min_gram_length = 1 : i64, mode = "BM25", ngram_counts = array<i64: 0>, ngram_indexes = array<i64: 0>, pool_int64s = array<i64: 7>, weights = array<f32>} : (tensor<3xi32>) -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

func.func @gram_lengths(%x: tensor<3xi32>) -> tensor<1xf32> {
  // expected-error @+1 {{gram lengths must satisfy 1 <= min_gram_length <= max_gram_length, got 2 and 1}}
  %0 = edge.TfIdfVectorizer %x {max_gram_length = 1 : i64, max_skip_count = 0 : i64, min_gram_length = 2 : i64, mode = "TF", ngram_counts = array<i64: 0>, ngram_indexes = array<i64: 0>, pool_int64s = array<i64: 7>, weights = array<f32>} : (tensor<3xi32>) -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

func.func @skip(%x: tensor<3xi32>) -> tensor<1xf32> {
  // expected-error @+1 {{max_skip_count must be >= 0}}
  %0 = edge.TfIdfVectorizer %x {max_gram_length = 1 : i64, max_skip_count = -1 : i64, min_gram_length = 1 : i64, mode = "TF", ngram_counts = array<i64: 0>, ngram_indexes = array<i64: 0>, pool_int64s = array<i64: 7>, weights = array<f32>} : (tensor<3xi32>) -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

func.func @counts(%x: tensor<3xi32>) -> tensor<1xf32> {
  // expected-error @+1 {{ngram_counts must be non-decreasing starts within the pool of 1 items, got 2 for 1-grams}}
  %0 = edge.TfIdfVectorizer %x {max_gram_length = 1 : i64, max_skip_count = 0 : i64, min_gram_length = 1 : i64, mode = "TF", ngram_counts = array<i64: 2>, ngram_indexes = array<i64: 0>, pool_int64s = array<i64: 7>, weights = array<f32>} : (tensor<3xi32>) -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

func.func @whole_ngrams(%x: tensor<3xi32>) -> tensor<2xf32> {
  // expected-error @+1 {{the pool's 3 items of 2-grams are not whole 2-grams}}
  %0 = edge.TfIdfVectorizer %x {max_gram_length = 2 : i64, max_skip_count = 0 : i64, min_gram_length = 1 : i64, mode = "TF", ngram_counts = array<i64: 0, 1>, ngram_indexes = array<i64: 0, 1>, pool_int64s = array<i64: 7, 1, 2, 3>, weights = array<f32>} : (tensor<3xi32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @indexes_count(%x: tensor<3xi32>) -> tensor<1xf32> {
  // expected-error @+1 {{ngram_indexes must have one entry per n-gram of the pool (2), got 1}}
  %0 = edge.TfIdfVectorizer %x {max_gram_length = 1 : i64, max_skip_count = 0 : i64, min_gram_length = 1 : i64, mode = "TF", ngram_counts = array<i64: 0>, ngram_indexes = array<i64: 0>, pool_int64s = array<i64: 7, 8>, weights = array<f32>} : (tensor<3xi32>) -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

func.func @indexes_negative(%x: tensor<3xi32>) -> tensor<1xf32> {
  // expected-error @+1 {{ngram_indexes must be >= 0, got -1}}
  %0 = edge.TfIdfVectorizer %x {max_gram_length = 1 : i64, max_skip_count = 0 : i64, min_gram_length = 1 : i64, mode = "TF", ngram_counts = array<i64: 0>, ngram_indexes = array<i64: -1>, pool_int64s = array<i64: 7>, weights = array<f32>} : (tensor<3xi32>) -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

func.func @weights(%x: tensor<3xi32>) -> tensor<1xf32> {
  // expected-error @+1 {{weights must be empty or have one entry per n-gram and output column, got 2}}
  %0 = edge.TfIdfVectorizer %x {max_gram_length = 1 : i64, max_skip_count = 0 : i64, min_gram_length = 1 : i64, mode = "IDF", ngram_counts = array<i64: 0>, ngram_indexes = array<i64: 0>, pool_int64s = array<i64: 7>, weights = array<f32: 1.0, 2.0>} : (tensor<3xi32>) -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

func.func @result(%x: tensor<2x3xi32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{result shape [2,2] should be [2,1]}}
  %0 = edge.TfIdfVectorizer %x {max_gram_length = 1 : i64, max_skip_count = 0 : i64, min_gram_length = 1 : i64, mode = "TF", ngram_counts = array<i64: 0>, ngram_indexes = array<i64: 0>, pool_int64s = array<i64: 7>, weights = array<f32>} : (tensor<2x3xi32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}
