// Running an LLM package (edgec compile model.gguf): its tokenizer, and the prefill and
// decode functions over the KV cache kept as the session's state. The runtime part of
// `edgec generate` and `edgec bench`, usable by any application that links the runtime
// (no MLIR, no LLVM). Package contract: docs/architecture.md ("LLM packages").
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "edgec/runtime.h"
#include "edgec/tokenizer.h"

namespace edgec {

struct LlmInfo {
  std::string architecture;   // llm.architecture ("llama", "qwen2", "qwen3", "gemma3")
  int64_t contextLength = 0;  // positions the KV cache holds
  int64_t prefillChunk = 0;   // tokens per prefill call
  int64_t vocabSize = 0;
  std::string kvCache;        // "f16", "f32" or "int8"
  std::string chatTemplate;   // the model's Jinja chat template (tokenizer.chat_template), or ""
  uint64_t weightBytes = 0;   // the package's constants
  uint64_t stateBytes = 0;    // the KV cache
  int64_t kvRing = 0;         // llm.kv_ring: the sliding-window layers' caches as rings of this many positions, or 0
  uint64_t arenaBytes = 0;    // activations of all the functions together
};

class LlmSession {
public:
  // Loads the package at `path` and prepares a session with `threads` threads (0: one per
  // core). Null with one line in `error` naming the file when it cannot be loaded or is
  // not an LLM package (no prefill/decode functions of the expected form, no llm.*
  // metadata, no tokenizer). `residency`: where the weights live (runtime.h). The default,
  // COPIED, reads them into anonymous huge pages: decode streams every weight byte a token,
  // and that copy decodes up to 2x faster than the file's 4 KB pages (docs/gguf.md), at
  // the cost of reading the whole file at load; MAPPED loads at once, LOCKED also keeps the
  // mapping's pages from being dropped.
  static std::unique_ptr<LlmSession> open(const std::string &path, int threads, std::string &error,
                                          edgec_residency residency = EDGEC_RESIDENCY_COPIED);
  ~LlmSession();

  const LlmInfo &info() const;
  const Tokenizer &tokenizer() const;
  int threads() const;

  // Runs `tokens` at positions position() .. position() + n - 1 (decode for one token,
  // prefill chunks otherwise) and returns the logits of the last one (vocabSize floats,
  // valid until the next call). False with `error` when they do not fit the context, a
  // token id is outside the vocabulary, or a kernel fails.
  bool feed(const std::vector<int32_t> &tokens, const float *&logits, std::string &error);
  // The calls feed() makes for `count` tokens, as their sizes in tokens: {1} (decode) for
  // one token, else prefill chunks while a whole one is left, then the package's smaller
  // buckets that pad fewest rows (the last call padded).
  std::vector<int64_t> prefillCalls(size_t count) const;
  // Every row's logits instead of the last's, for scoring a text (`edgec perplexity`):
  // runs `tokens` (1 .. scoreChunk() of them) at positions position() .. through the
  // package's `score` function (`edgec compile --score-chunk N`) and returns their logits,
  // [tokens.size(), vocabSize] (valid until the next call); false with `error` as feed(),
  // or when the package has no such function (scoreChunk() 0) or there are too many tokens.
  bool score(const std::vector<int32_t> &tokens, const float *&logits, std::string &error);
  int64_t scoreChunk() const;  // the score function's tokens, 0 without one
  // The next position: how many tokens the cache holds.
  int64_t position() const;
  // Empties the cache (positions restart at 0).
  void reset();
  // Forgets every position from `position` on (at most position()): the next tokens run
  // there, as if only the first `position` had been fed. For reusing a cache's prefix.
  // Returns the position kept: `position`, or 0 (the cache emptied) when the package's
  // sliding-window rings (Gemma 3's local layers) have written later positions over the
  // window before it; they reach back at least a prefill chunk before the last one's
  // start (compiled with --swa-full, every position).
  int64_t truncate(int64_t position);

  // A session's state to a file and back, so that a prompt fed once need not be fed again
  // (`edgec generate --prompt-cache`): saveState writes the position, `tokens` (what the
  // cache holds, position() of them) and the KV cache's rows of those positions (the file
  // grows with the tokens, not the context), to a temporary file renamed over `path` when
  // complete; loadState restores them into this session and returns the tokens. False
  // with one line in `error` naming the file: unreadable, not a saved state (or one saved
  // by an older edgec), cut short, or saved from another package (the same file, compiled
  // otherwise).
  bool saveState(const std::string &path, const std::vector<int32_t> &tokens, std::string &error) const;
  bool loadState(const std::string &path, std::vector<int32_t> &tokens, std::string &error);

private:
  struct Impl;
  explicit LlmSession(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace edgec
