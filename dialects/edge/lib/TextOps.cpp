// Verifier of the text-feature ops (EdgeTextOps.td): TfIdfVectorizer. It checks what the
// ref kernel (runtime/kernels/ref/tfidf.cpp) relies on: a pool that splits into whole
// n-grams, one column index per n-gram, weights for every column.
#include "edge/EdgeDialect.h"

#include "VerifyUtils.h"

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::detail;

LogicalResult TfIdfVectorizerOp::verify() {
  ArrayRef<int64_t> x = shapeOf(getInput()), y = shapeOf(getOutput());
  if (x.size() != 1 && x.size() != 2) return emitOpError() << "input must be [C] or [N, C], got " << shapeStr(x);
  StringRef mode = getMode();
  if (mode != "TF" && mode != "IDF" && mode != "TFIDF")
    return emitOpError() << "mode must be TF, IDF or TFIDF, got '" << mode << "'";
  // I64Attr getters return uint64_t: read the signed values.
  const int64_t minLength = getMinGramLengthAttr().getInt(), maxLength = getMaxGramLengthAttr().getInt();
  if (minLength < 1 || maxLength < minLength)
    return emitOpError() << "gram lengths must satisfy 1 <= min_gram_length <= max_gram_length, got " << minLength
                         << " and " << maxLength;
  if (getMaxSkipCountAttr().getInt() < 0) return emitOpError("max_skip_count must be >= 0");
  ArrayRef<int64_t> counts = getNgramCounts(), indexes = getNgramIndexes();
  const int64_t pool = getPoolInt64s().size();
  int64_t ngrams = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    const int64_t begin = counts[i], end = i + 1 < counts.size() ? counts[i + 1] : pool;
    if (begin < 0 || begin > end || end > pool)
      return emitOpError() << "ngram_counts must be non-decreasing starts within the pool of " << pool
                           << " items, got " << begin << " for " << i + 1 << "-grams";
    if ((end - begin) % int64_t(i + 1) != 0)
      return emitOpError() << "the pool's " << end - begin << " items of " << i + 1 << "-grams are not whole "
                           << i + 1 << "-grams";
    ngrams += (end - begin) / int64_t(i + 1);
  }
  if (int64_t(indexes.size()) != ngrams)
    return emitOpError() << "ngram_indexes must have one entry per n-gram of the pool (" << ngrams << "), got "
                         << indexes.size();
  int64_t columns = 0;
  for (int64_t c : indexes) {
    if (c < 0) return emitOpError() << "ngram_indexes must be >= 0, got " << c;
    columns = std::max(columns, c + 1);
  }
  ArrayRef<float> weights = getWeights();
  if (!weights.empty() && (int64_t(weights.size()) != ngrams || int64_t(weights.size()) < columns))
    return emitOpError() << "weights must be empty or have one entry per n-gram and output column, got "
                         << weights.size();
  SmallVector<int64_t> expect(x.begin(), x.end() - 1);
  expect.push_back(columns);
  if (y != ArrayRef<int64_t>(expect))
    return emitOpError() << "result shape " << shapeStr(y) << " should be " << shapeStr(expect);
  return success();
}
