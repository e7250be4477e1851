#ifndef EDGE_LLM_OPS_TD
#define EDGE_LLM_OPS_TD

// Ops of decoder-only language models (the GGUF frontend, issue 12). RMSNormalization
// and RotaryEmbedding keep ONNX opset 23's spelling (a subset of their forms);
// KVCacheAttention, GgufMatMul and GatherDequantize are edgec's own: ONNX has no op that
// attends over a persistent cache in place, or that reads ggml's block formats.
// Contracts of the kernels: runtime/kernels/README.md ("LLM kernels", "GGUF matmul").

// A weight as a GGUF file stores it: f32, f16, bf16 or one of ggml's block formats.
def Edge_GgufWeightTensor : StaticShapeTensorOf<[F32, F16, BF16, Edge_BlockType]>;

def Edge_RMSNormalizationOp : Edge_Op<"RMSNormalization", [Pure]> {
  let summary = "Root-mean-square normalization over the last dim (ONNX opset 23)";
  let description = [{
    `y = x / sqrt(mean(x^2) + epsilon) * scale` over the last dimension; `scale` is
    `[E]`. Only `axis = rank - 1` (every decoder uses it).
  }];
  let arguments = (ins Edge_FloatTensor:$input, Edge_FloatTensor:$scale, I64Attr:$axis, F32Attr:$epsilon);
  let results = (outs Edge_FloatTensor:$output);
  let assemblyFormat = "$input `,` $scale attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Edge_RotaryEmbeddingOp : Edge_Op<"RotaryEmbedding", [Pure]> {
  let summary = "Rotary position embedding (ONNX opset 23, 3-D input form)";
  let description = [{
    `input` is `[B, S, num_heads * D]`; each head's D values are rotated by the angle
    table row of the token's position: `cos_cache`/`sin_cache` are `[P, D/2]`,
    `position_ids` i64 `[B, S]`. `interleaved = 1` rotates adjacent pairs (2i, 2i+1)
    (ggml's normal mode, llama); `0` rotates (i, i + D/2) (GPT-NeoX mode, qwen2).
    `rotary_embedding_dim` R > 0 rotates only the first R values of each head (R even,
    at most D; the caches are then `[P, R/2]` and the pairs (i, i + R/2) in NeoX mode) and
    passes the rest through (Phi-4-mini's 96 of 128); 0 (the default) rotates all D.
  }];
  let arguments = (ins Edge_FloatTensor:$input, Edge_FloatTensor:$cos_cache, Edge_FloatTensor:$sin_cache,
                   StaticShapeTensorOf<[I64]>:$position_ids, I64Attr:$num_heads, I64Attr:$interleaved,
                   DefaultValuedAttr<I64Attr, "0">:$rotary_embedding_dim);
  let results = (outs Edge_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $cos_cache `,` $sin_cache `,` $position_ids attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Edge_KVCacheAttentionOp : Edge_Op<"KVCacheAttention", [Pure, AttrSizedOperandSegments]> {
  let summary = "Causal grouped-query attention of new queries over a KV cache";
  let description = [{
    `query` is `[S, Hq, D]`, the caches `[Hkv, C, D]` (per KV head one row per position,
    so that a head's rows are one contiguous run: f16, f32, or i8 with
    `key_scales`/`value_scales` f32 `[Hkv, C]`, one symmetric scale per cached row and
    head), `pos` i64 `[1]` the position of query row 0. Query row s, head h attends
    the cache rows 0 .. pos + s of kv head `h / (Hq / Hkv)`, scores scaled by `scale`;
    rows past pos + s are never read. The result is `[S, Hq, D]`. The cache operands are
    normally the in-place updated states (edge.DynamicUpdateSlice of a state read written
    back), so the kernel sees this step's keys and values too.
    `window` W > 0 is a sliding window (Gemma 3's local layers): query row s attends only
    the W most recent rows, max(0, pos + s - W + 1) .. pos + s (llama.cpp's standard SWA
    mask: a key at p0 is masked for a query at p1 when p1 - p0 >= W), and rows before
    them are never read either; 0 (the default, not printed) is no window.
    `ring` R > 0 (with a window; 0, the default, is none): the caches are a mirrored
    ring of C = 2R rows, position t's row at t mod R and again at t mod R + R (as
    edge.KVCacheRingWrite writes them), which needs S + W - 1 <= R. The rows a call
    reads, max(0, pos - W + 1) .. pos + S - 1, then lie contiguous from row
    max(0, pos - W + 1) mod R whatever pos is, so a local layer's cache holds about two
    windows instead of the context, and positions are not bounded by C.
    `softcap` c > 0 caps each scaled score x at c * tanh(x / c) before the softmax
    (Gemma 2's attention logit soft-capping, computed as llama.cpp does: x times 1 / c,
    tanh, times c); 0, the default, leaves the scores as they are.
  }];
  let arguments = (ins Edge_FloatTensor:$query, StaticShapeTensorOf<[F16, F32, I8]>:$key_cache,
                   StaticShapeTensorOf<[F16, F32, I8]>:$value_cache, StaticShapeTensorOf<[I64]>:$pos,
                   Optional<Edge_FloatTensor>:$key_scales, Optional<Edge_FloatTensor>:$value_scales, F32Attr:$scale,
                   DefaultValuedAttr<I64Attr, "0">:$window, DefaultValuedAttr<I64Attr, "0">:$ring,
                   DefaultValuedAttr<F32Attr, "0.0f">:$softcap);
  let results = (outs Edge_FloatTensor:$output);
  let assemblyFormat = [{
    $query `,` $key_cache `,` $value_cache `,` $pos (`scales` $key_scales^ `,` $value_scales)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Edge_KVCacheRingWriteOp : Edge_Op<"KVCacheRingWrite", [Pure]> {
  let summary = "A mirrored KV cache ring with a step's rows written at their positions";
  let description = [{
    `cache` is `[H, 2R, ...]` (R = `ring`: a KV cache `[Hkv, 2R, D]` or an i8 cache's
    scales `[Hkv, 2R]`), `rows` `[H, S, ...]` with S <= R the step's rows of positions
    pos .. pos + S - 1 (`pos` i64 `[1]`, >= 0). The result is the cache with row s of
    each head written at (pos + s) mod R and at (pos + s) mod R + R: the mirrored ring
    edge.KVCacheAttention reads with its `ring` attribute. Like edge.DynamicUpdateSlice,
    the host target writes it in place into a state read and written back.
  }];
  let arguments = (ins StaticShapeTensorOf<[F16, F32, I8]>:$cache, StaticShapeTensorOf<[F16, F32, I8]>:$rows,
                   StaticShapeTensorOf<[I64]>:$pos, I64Attr:$ring);
  let results = (outs StaticShapeTensorOf<[F16, F32, I8]>:$output);
  let assemblyFormat = [{
    $cache `,` $rows `,` $pos attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Edge_DynamicQuantizeRowsOp : Edge_Op<"DynamicQuantizeRows", [Pure]> {
  let summary = "Rows quantized to int8 at run time, symmetric, one f32 scale per row";
  let description = [{
    For each row (the last dim) of `input`: `scale = max|x| / 127`, codes
    `round_half_even(x / scale)` clamped to [-127, 127] (an all-zero row: scale 0, codes
    0), as `ref::quantizeRowQ8` with one block per row. `scales` has the input's shape
    without its last dim. How an int8 KV cache takes a step's keys and values.
  }];
  let arguments = (ins Edge_FloatTensor:$input);
  let results = (outs StaticShapeTensorOf<[I8]>:$output, Edge_FloatTensor:$scales);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Edge_GgufMatMulOp : Edge_Op<"GgufMatMul", [Pure]> {
  let summary = "x @ transpose(w) (+ bias) with w as a GGUF file stores it";
  let description = [{
    `w` is `[N, K]`: f32, f16, bf16 or a `!edge.block` format (one GGUF row per output,
    K = the tensor's ne0). As ggml does, the kernel rounds each activation row to the
    format's partner (Q8_0, Q8_1 or Q8_K blocks; f16 or bf16 for those weights) and
    computes the block dots in integers. `x` is `[..., K]` f32, `bias` optional f32
    `[N]`, the result `[..., N]` f32.
  }];
  let arguments = (ins Edge_FloatTensor:$input, Edge_GgufWeightTensor:$weight, Optional<Edge_FloatTensor>:$bias);
  let results = (outs Edge_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Edge_GgufMatMulIdOp : Edge_Op<"GgufMatMulId", [Pure]> {
  let summary = "Each token's rows times the weights of the experts it chose (ggml's mul_mat_id)";
  let description = [{
    A mixture-of-experts layer's matmul. `weight` is `[E, N, K]`: E experts' `[N, K]`
    GgufMatMul weights one after another, as a GGUF file stores `ffn_*_exps` tensors.
    `ids` `[T, S]` (i32 or i64, each in [0, E)) names the expert of each token's S slots.
    `input` is `[T, K]` (a token's one row for all its slots) or `[T, S, K]` (a row per
    slot); the result `[T, S, N]` f32, row (t, s) = GgufMatMul of that row and expert
    ids[t, s]'s weight, with its arithmetic (activations in the format's vec_dot type).
  }];
  let arguments = (ins Edge_FloatTensor:$input, Edge_GgufWeightTensor:$weight, StaticShapeTensorOf<[I32, I64]>:$ids);
  let results = (outs Edge_FloatTensor:$output);
  let assemblyFormat = "$input `,` $weight `,` $ids attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Edge_GatherDequantizeOp : Edge_Op<"GatherDequantize", [Pure]> {
  let summary = "Rows of a (GGUF) table, decoded to f32: a token embedding lookup";
  let description = [{
    `data` is `[V, E]` (f32, f16, bf16 or a `!edge.block` format), `indices` i32/i64 of
    any shape with values in [0, V); the result is `indices.shape + [E]` f32.
  }];
  let arguments = (ins Edge_GgufWeightTensor:$data, StaticShapeTensorOf<[I32, I64]>:$indices);
  let results = (outs Edge_FloatTensor:$output);
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

#endif // EDGE_LLM_OPS_TD
