// Decoder-only language models from GGUF (issue 12): the hyper-parameters of a `llama`,
// `qwen2`, `qwen3` or `gemma3` file and the edge module that runs it, with two entry points
// over a KV cache kept as persistent state:
//
//   prefill(tokens: i32[S], pos: i64[1], last: i64[1]) -> logits: f32[1, V]
//       S tokens (a prompt chunk, padded at the end) at positions pos .. pos+S-1; the
//       logits of row `last` (the chunk's last real token).
//   decode(token: i32[1], pos: i64[1]) -> logits: f32[1, V]
//   score(tokens: i32[N], pos: i64[1]) -> logits: f32[N, V]     (with scoreChunk N > 0)
//       N tokens like a prefill chunk, every row's logits (`edgec perplexity`).
//
// Weights stay as the file stores them (GgufMatMul, GatherDequantize read f32, f16, bf16
// and ggml's block formats); their bytes are the file's, mapped, not copied. The module
// carries `edge.metadata` (what `edgec generate` needs: context length, chunk size, vocabulary
// and the tokenizer) for the host target to put into the package. Design:
// docs/architecture.md ("LLM packages").
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "edgec/GgufFile.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace edgec::gguf {

struct LlmHyperParams {
  std::string arch;  // "llama", "qwen2", "qwen3", "qwen3moe", "gemma2", "gemma3", "phi3" or "granite"
  int64_t layers = 0, embedding = 0, ffn = 0, heads = 0, kvHeads = 0, headDim = 0, vocab = 0;
  int64_t contextLength = 0;  // <arch>.context_length (the trained context)
  // rope.dimension_count: RoPE rotates the first ropeDims values of each head and keeps the
  // rest (Phi-4-mini: 96 of 128); headDim where the key is absent.
  int64_t ropeDims = 0;
  float rmsEpsilon = 1e-5f, ropeBase = 10000.0f, ropeScale = 1.0f;  // ropeScale: positions are divided by it
  // RoPE's cos and sin are multiplied by it (llama.cpp's rope.scaling.attn_factor, which
  // Phi-3's LongRoPE files carry: sqrt(1 + ln(context / original) / ln(original))).
  float ropeAttnFactor = 1.0f;
  // phi3's LongRoPE (rope_factors_long.weight and rope_factors_short.weight present): the
  // per-frequency divisors are the long ones where the compiled context exceeds
  // ropeOriginalContext (rope.scaling.original_context_length, default context_length),
  // else the short ones (llama.cpp's get_rope_factors).
  bool longRope = false;
  int64_t ropeOriginalContext = 0;
  bool neoxRope = false;        // qwen2, qwen3: rotate (i, i + D/2); llama: adjacent pairs
  bool tiedOutput = false;      // no output.weight: the head reuses token_embd.weight
  bool attentionBias = false;   // qwen2: biases on q, k and v
  // phi3: q, k and v in one matrix (attn_qkv.weight, their rows stacked; some files keep
  // three), and the FFN's gate and up in one (ffn_up.weight: the gate's rows, then up's)
  bool fusedQkv = false, fusedGateUp = false;
  // qwen3, gemma3: each head's q and k RMS-normalized (attn_q_norm, attn_k_norm) before RoPE
  bool qkNorm = false;
  // gemma2, gemma3 (llama.cpp's llm_build_gemma2_iswa, llm_build_gemma3_iswa): the
  // embedding times sqrt(embedding); the attention's and the FFN's outputs RMS-normalized
  // (post_attention_norm, post_ffw_norm) before their residual adds; a GELU (tanh form)
  // gated FFN instead of SwiGLU.
  bool gemma = false;
  // 1 / sqrt(headDim), Gemma 2 and 3 27B's 1 / sqrt(embedding / heads): the scores' scale
  // (gemma: the queries', as llama.cpp applies it)
  float attentionScale = 0.f;
  // Local layers (gemma3: all but every sixth, gemma2: every other from layer 0: l %
  // swaPattern < swaPattern - 1) attend to the slidingWindow most recent positions only,
  // with RoPE base localRopeBase and scale localRopeScale; 0: every layer is global.
  int64_t slidingWindow = 0, swaPattern = 6;
  float localRopeBase = 10000.0f, localRopeScale = 1.0f;
  bool isLocalLayer(int64_t layer) const { return slidingWindow > 0 && layer % swaPattern < swaPattern - 1; }
  // gemma2's soft caps, c tanh(x / c): of the attention scores (attn_logit_softcapping) and
  // of the logits (final_logit_softcapping); 0: none.
  float attentionSoftcap = 0.f, finalSoftcap = 0.f;
  // granite (llama.cpp's llm_build_granite): the embedding times embeddingScale, each
  // branch's output (attention, FFN) times residualScale before its residual add, the
  // logits divided by logitScale; 0: none.
  float embeddingScale = 0.f, residualScale = 0.f, logitScale = 0.f;
  // Mixture of experts (llama.cpp's build_moe_ffn; llama's Mixtral files, qwen3moe): each
  // block's FFN is `experts` SwiGLU FFNs of expertFfn rows (ffn_gate_exps, ffn_up_exps,
  // ffn_down_exps) of which each token runs the expertsUsed that its router
  // (ffn_gate_inp: softmax over the experts) ranks highest, their outputs summed weighted
  // by the router's probabilities renormalized over the chosen ones. 0: a dense FFN.
  int64_t experts = 0, expertsUsed = 0, expertFfn = 0;
};

// Reads and checks the hyper-parameters and that every tensor the graph needs is present
// with the shape and a weight type the kernels read. False with a one-line `error`
// naming the file and the key or tensor.
bool readLlmHyperParams(const GgufFile &file, LlmHyperParams &hp, std::string &error);

struct LlmBuildOptions {
  int64_t contextLength = 0;  // 0: the file's context_length, capped at 4096
  int64_t prefillChunk = 256;  // S: tokens per prefill call (and S / 4 and 8 for shorter pieces)
  std::string kvCache = "f16";  // "f16", "f32" or "int8"
  // N > 0: also a function `score` of N tokens returning every row's logits (its arena
  // holds N x V floats, so it is built only when asked for); 0: none.
  int64_t scoreChunk = 0;
  // Sliding-window layers' caches hold every position instead of a mirrored ring of
  // window + 2 prefillChunk - 1 positions (docs/architecture.md, "The KV cache").
  bool swaFull = false;
};

// The module of `file` (see above). `file` is shared with the weight blobs, so the
// mapping lives as long as the module's constants. Null with `error` set on failure.
mlir::OwningOpRef<mlir::ModuleOp> buildLlmModule(mlir::MLIRContext &context, std::shared_ptr<const GgufFile> file,
                                                 const LlmBuildOptions &options, std::string &error);

}  // namespace edgec::gguf
