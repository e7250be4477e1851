// Importers of ONNX's text-feature ops (EdgeTextOps.td): TfIdfVectorizer over integer
// tokens. String tokens are refused: a string graph input as any string tensor (its
// element type is unsupported), a pool_strings attribute here.
#include "GraphImporter.h"

namespace edgec::onnx_frontend {

// TfIdfVectorizer (opset 9): every attribute but pool_* and weights is required by ONNX;
// weights default to none (counts weighed by 1).
void GraphImporter::importTfIdfVectorizer(const onnx::NodeProto &n) {
  if (attr(n, "pool_strings"))
    throw ImportError(where(n) + ": string tokens (pool_strings) are not supported: edgec has no string tensors");
  Value x = input(n, 0);
  auto xt = cast<RankedTensorType>(x.getType());
  auto elem = dyn_cast<IntegerType>(xt.getElementType());
  if (!elem || !elem.isSignless() || (elem.getWidth() != 32 && elem.getWidth() != 64))
    throw ImportError(where(n) + ": the input must be int32 or int64 tokens");
  if (xt.getRank() != 1 && xt.getRank() != 2) throw ImportError(where(n) + ": the input must be [C] or [N, C]");
  for (const char *key : {"mode", "min_gram_length", "max_gram_length", "max_skip_count", "ngram_counts",
                          "ngram_indexes", "pool_int64s"})
    if (!attr(n, key)) throw ImportError(where(n) + ": the attribute " + key + " is required");
  const std::string mode = attrString(n, "mode", "");
  requireOneOf(where(n), "mode", mode, {"TF", "IDF", "TFIDF"});
  std::vector<int64_t> indexes = attrInts(n, "ngram_indexes", {});
  int64_t columns = 0;
  for (int64_t c : indexes) columns = std::max(columns, c + 1);
  SmallVector<int64_t> shape(xt.getShape().drop_back());
  shape.push_back(columns);
  std::vector<float> weights;
  if (auto *w = attr(n, "weights")) weights.assign(w->floats().begin(), w->floats().end());
  define(n, 0, builder_.create<TfIdfVectorizerOp>(
                   loc(n), RankedTensorType::get(shape, builder_.getF32Type()), x, builder_.getStringAttr(mode),
                   builder_.getI64IntegerAttr(attrInt(n, "min_gram_length", 0)),
                   builder_.getI64IntegerAttr(attrInt(n, "max_gram_length", 0)),
                   builder_.getI64IntegerAttr(attrInt(n, "max_skip_count", 0)),
                   builder_.getDenseI64ArrayAttr(attrInts(n, "ngram_counts", {})),
                   builder_.getDenseI64ArrayAttr(indexes), builder_.getDenseI64ArrayAttr(attrInts(n, "pool_int64s", {})),
                   builder_.getDenseF32ArrayAttr(weights)));
}

void GraphImporter::addTextImporters(ImporterTable &table) {
  table["TfIdfVectorizer"] = &GraphImporter::importTfIdfVectorizer;
}

}  // namespace edgec::onnx_frontend
