// Ref TfIdfVectorizer (ref/tfidf.cpp) on cases small enough to count by hand, following
// ONNX's reference implementation (op_tfidf_vectorizer.py); the ONNX node suite
// (conformance) is the outside reference for its own seven cases.
#include "kernel_test_util.h"

namespace edgec::rt::testing {
namespace {

AttrList &tfidfAttrs(AttrList &a, const char *mode, int64_t minLength, int64_t maxLength, int64_t maxSkip,
                     const std::vector<int64_t> &counts, const std::vector<int64_t> &indexes,
                     const std::vector<int64_t> &pool) {
  return a.s("mode", mode)
      .i("min_gram_length", minLength)
      .i("max_gram_length", maxLength)
      .i("max_skip_count", maxSkip)
      .ints("ngram_counts", counts)
      .ints("ngram_indexes", indexes)
      .ints("pool_int64s", pool);
}

// Pool: unigrams 1 (column 2) and 2 (column 0), bigram (1, 2) (column 1). Row 0 of
// [1, 2, 2, 1, 2] holds 1 twice, 2 three times and (1, 2) twice; row 1 none of them.
// Weights are per output column.
std::vector<float> modes(const char *mode, const std::vector<float> &weights) {
  Tensor x = Tensor::of<int64_t>({2, 5}, {1, 2, 2, 1, 2, 3, 3, 3, 3, 3});
  Tensor y(DType::f32, {2, 3});
  AttrList a;
  tfidfAttrs(a, mode, 1, 2, 0, {0, 2}, {2, 0, 1}, {1, 2, 1, 2});
  if (!weights.empty()) a.floats("weights", weights);
  runKernel("TfIdfVectorizer", {&x}, {&y}, a);
  return y.values<float>();
}

TEST(RefTfIdfVectorizer, Modes) {
  expectNear(modes("TF", {}), {3, 2, 2, 0, 0, 0}, 0.f);
  expectNear(modes("IDF", {}), {1, 1, 1, 0, 0, 0}, 0.f);
  expectNear(modes("IDF", {0.5f, 2.f, 4.f}), {0.5f, 2, 4, 0, 0, 0}, 0.f);
  expectNear(modes("TFIDF", {}), {3, 2, 2, 0, 0, 0}, 0.f);
  expectNear(modes("TFIDF", {0.5f, 2.f, 4.f}), {1.5f, 4, 8, 0, 0, 0}, 0.f);
}

// Unigrams outside [min_gram_length, max_gram_length] are numbered but not counted:
// bigram (5, 6) is column 1, trigram (5, 6, 7) column 2, unigram 5 (column 0) never
// counts. In [5, 6, 7, 5, 0, 6, 0, 8], adjacent items give (5, 6) and (5, 6, 7) from
// position 0; with max_skip_count 1, items two apart also give (5, 6) from position 3
// (positions 3, 5; position 7 holds 8, not 7).
TEST(RefTfIdfVectorizer, SkipsAndExcludedSizes) {
  for (int64_t skip : {0, 1}) {
    Tensor x = Tensor::of<int32_t>({8}, {5, 6, 7, 5, 0, 6, 0, 8});
    Tensor y(DType::f32, {3});
    AttrList a;
    tfidfAttrs(a, "TF", 2, 3, skip, {0, 1, 3}, {0, 1, 2}, {5, 5, 6, 5, 6, 7});
    runKernel("TfIdfVectorizer", {&x}, {&y}, a);
    expectNear(y.values<float>(), skip == 0 ? std::vector<float>{0, 1, 1} : std::vector<float>{0, 2, 1}, 0.f);
  }
}

// ONNX's example test_tfidfvectorizer_tf_uniandbigrams_skip5, whose expected output the
// ONNX suite gives.
TEST(RefTfIdfVectorizer, OnnxUniAndBigramsSkip5) {
  Tensor x = Tensor::of<int32_t>({12}, {1, 1, 3, 3, 3, 7, 8, 6, 7, 5, 6, 8});
  Tensor y(DType::f32, {7});
  AttrList a;
  tfidfAttrs(a, "TF", 1, 2, 5, {0, 4}, {0, 1, 2, 3, 4, 5, 6}, {2, 3, 5, 4, 5, 6, 7, 8, 6, 7});
  runKernel("TfIdfVectorizer", {&x}, {&y}, a);
  expectNear(y.values<float>(), {0, 3, 1, 0, 1, 3, 1}, 0.f);
}

TEST(RefTfIdfVectorizer, RejectsIndexesThatDoNotMatchThePool) {
  Tensor x = Tensor::of<int32_t>({3}, {1, 2, 3});
  Tensor y(DType::f32, {2});
  AttrList a;
  tfidfAttrs(a, "TF", 1, 2, 0, {0, 2}, {0, 1}, {1, 2, 1, 2});  // 3 n-grams, 2 indexes
  EXPECT_THROW(runKernel("TfIdfVectorizer", {&x}, {&y}, a), Error);
}

}  // namespace
}  // namespace edgec::rt::testing
