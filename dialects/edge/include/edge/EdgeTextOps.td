#ifndef EDGE_TEXT_OPS_TD
#define EDGE_TEXT_OPS_TD

// ONNX's text-feature ops: TfIdfVectorizer over integer tokens (ONNX's string tokens are
// not supported: edgec has no string tensors). Included by EdgeOps.td; verifier in
// TextOps.cpp, ref kernel in runtime/kernels/ref/tfidf.cpp.

def Edge_TfIdfVectorizerOp : Edge_Op<"TfIdfVectorizer", [Pure]> {
  let summary = "ONNX TfIdfVectorizer (opset 9): n-gram counts of integer tokens";
  let description = [{
    Input [C] or [N, C] of int32/int64 tokens; result f32 [S] or [N, S] with S =
    max(ngram_indexes) + 1. The pool holds the n-grams of each size n (those of size n
    start at ngram_counts[n - 1] in `pool_int64s`); n-gram number k (counted over all
    sizes) is counted in column ngram_indexes[k]. Of each row, every n-gram of a size in
    [min_gram_length, max_gram_length] whose consecutive items are `skip` + 1 tokens
    apart, for skip in [0, max_skip_count], is counted (unigrams once), as ONNX's
    reference implementation. `mode` weighs the counts: TF the counts, IDF weights[col]
    (or 1) where the count is not 0, TFIDF weights[col] (or 1) times the count;
    `weights` is empty or has one entry per ngram_indexes entry.
  }];
  let arguments = (ins StaticShapeTensorOf<[I32, I64]>:$input, StrAttr:$mode, I64Attr:$min_gram_length,
                   I64Attr:$max_gram_length, I64Attr:$max_skip_count, DenseI64ArrayAttr:$ngram_counts,
                   DenseI64ArrayAttr:$ngram_indexes, DenseI64ArrayAttr:$pool_int64s, DenseF32ArrayAttr:$weights);
  let results = (outs StaticShapeTensorOf<[F32]>:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

#endif // EDGE_TEXT_OPS_TD
