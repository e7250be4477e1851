/* edgec LLM C API: run a language-model package (`edgec compile model.gguf`) from C, as
 * `edgec generate` does: its tokenizer, its chat format, prefill and decode over the KV
 * cache the session keeps, and llama.cpp's sampler. For applications that embed the
 * runtime (an Android app through JNI, an iOS app from Swift) and any language with a C
 * FFI. A thin layer over the C++ classes LlmSession, Tokenizer, ChatTemplate and Sampler
 * (edgec/llm_session.h, ...); errors as in edgec/runtime.h: EDGEC_OK or EDGEC_ERROR, then
 * edgec_last_error() says why. Example: test/runtime/llm_c_api_generate.c.
 *
 * Sizes: a function that writes a variable amount (ids, text) takes the caller's buffer
 * and its capacity, always returns the full amount in *count / *length, and writes at
 * most capacity items: a call with capacity 0 asks the size. Text is UTF-8, not
 * NUL-terminated unless room is left for it (length < capacity: then it is). */
#ifndef EDGEC_LLM_H
#define EDGEC_LLM_H

#include "edgec/runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct edgec_llm edgec_llm;         /* a loaded LLM package and its KV cache */
typedef struct edgec_sampler edgec_sampler; /* picks the next token from logits */

typedef struct edgec_llm_options {
  int32_t num_threads;       /* 0: one per core */
  edgec_residency residency; /* where the weights live; default COPIED (the fastest decode) */
} edgec_llm_options;

/* Fills the defaults: num_threads 0, residency EDGEC_RESIDENCY_COPIED. */
void edgec_llm_options_init(edgec_llm_options *options);

/* Loads the package at path (options NULL: the defaults). Fails, naming the file, when it
 * is not an LLM package (no prefill/decode functions, no llm.* metadata, no tokenizer). */
edgec_status edgec_llm_open(const char *path, const edgec_llm_options *options, edgec_llm **out);
void edgec_llm_free(edgec_llm *llm);

int32_t edgec_llm_vocab_size(const edgec_llm *llm);
int64_t edgec_llm_context_length(const edgec_llm *llm); /* positions the KV cache holds */
int32_t edgec_llm_num_threads(const edgec_llm *llm);
int64_t edgec_llm_position(const edgec_llm *llm);       /* tokens the cache holds */
void edgec_llm_reset(edgec_llm *llm);                    /* empties the cache */
/* Keeps the cache's first `position` tokens (at most edgec_llm_position()): the next feed
 * runs there, as if only they had been fed. Returns the tokens kept: `position`, or 0
 * (the cache emptied: feed from the start) when the package's sliding-window rings
 * (Gemma 3's local layers) no longer hold the window before it. */
int64_t edgec_llm_truncate(edgec_llm *llm, int64_t position);

/* The session's state to a file and back, so that a prompt fed once need not be fed again
 * (what `edgec generate --prompt-cache` does; the files are the same). save: the tokens
 * the cache holds (ids, count == edgec_llm_position()) and the KV cache's rows of those
 * positions, written to a temporary file renamed over path when complete. load: restores them, sets *count to the
 * tokens saved and copies them into ids (capacity: edgec_llm_context_length() always
 * suffices); then feed what follows the saved tokens that begin your prompt, after
 * edgec_llm_truncate to their number. Fails naming the file when it is not a saved state,
 * is cut short or was saved from another package (the cache is then empty). */
edgec_status edgec_llm_save_state(const edgec_llm *llm, const char *path, const int32_t *ids, size_t count);
edgec_status edgec_llm_load_state(edgec_llm *llm, const char *path, int32_t *ids, size_t capacity, size_t *count);

/* Tokenizing flags. */
enum {
  EDGEC_TOKENIZE_ADD_SPECIAL = 1,   /* BOS (EOS) as the vocabulary asks */
  EDGEC_TOKENIZE_PARSE_SPECIAL = 2, /* control tokens written in the text ("<|im_start|>") become their ids */
  /* Text from edgec_llm_apply_chat_template: special tokens parsed, and BOS as the
   * vocabulary asks unless the text begins with it (formats that write it themselves). */
  EDGEC_TOKENIZE_CHAT = 4
};

/* text (length bytes) -> ids. */
edgec_status edgec_llm_tokenize(const edgec_llm *llm, const char *text, size_t length, int flags, int32_t *ids,
                                size_t capacity, size_t *count);
/* One token's bytes (possibly part of a UTF-8 character: join a reply's pieces before
 * printing a character split across tokens); special: control tokens give their text. */
edgec_status edgec_llm_token_piece(const edgec_llm *llm, int32_t id, int special, char *text, size_t capacity,
                                   size_t *length);
/* 1 if id ends generation (EOS, end of turn, ...), else 0. */
int edgec_llm_is_end_of_generation(const edgec_llm *llm, int32_t id);

/* Runs ids at positions position() .. position() + count - 1 and sets *logits to the last
 * one's (vocab_size floats, valid until the next feed or reset). Fails when they do not fit
 * the context or an id is outside the vocabulary. */
edgec_status edgec_llm_feed(edgec_llm *llm, const int32_t *ids, size_t count, const float **logits);

/* Every position's logits instead of the last's, for scoring a text (perplexity, the
 * log-probabilities of candidate answers): runs ids (1 .. edgec_llm_score_chunk() of them)
 * at positions position() .. as edgec_llm_feed does and sets *logits to count x vocab_size
 * floats, row by row (valid until the next call). Needs a package compiled with
 * `edgec compile --score-chunk N` (its function `score`); fails as edgec_llm_feed does, and
 * when the package has none or count exceeds it. */
edgec_status edgec_llm_score(edgec_llm *llm, const int32_t *ids, size_t count, const float **logits);
int64_t edgec_llm_score_chunk(const edgec_llm *llm); /* tokens a score call takes; 0: none */

typedef struct edgec_chat_message {
  const char *role; /* "system", "user" or "assistant" */
  const char *content;
} edgec_chat_message;

/* open_assistant's flags: EDGEC_CHAT_OPEN opens the assistant's turn at the end (1, as
 * any nonzero value without the other flag did); EDGEC_CHAT_NO_THINKING with it writes the
 * opened turn with thinking off, as Qwen3's template does for enable_thinking=false (an
 * empty <think></think> block; `edgec generate --no-think`), an error for a format
 * without that switch. */
enum { EDGEC_CHAT_OPEN = 1, EDGEC_CHAT_NO_THINKING = 2 };

/* The conversation as prompt text in a chat format: format NULL for the model's (from its
 * tokenizer.chat_template), or a name ("chatml", "qwen3", "llama3", "llama3.1", "llama2", "mistral",
 * "mistral-v1", "zephyr", "gemma"); the assistant's turn opened at the end when open_assistant
 * (flags above). Fails when the model's template is of no known format, or the messages do
 * not fit it (docs/gguf.md, "Chat"). */
edgec_status edgec_llm_apply_chat_template(const edgec_llm *llm, const char *format,
                                           const edgec_chat_message *messages, size_t count, int open_assistant,
                                           char *text, size_t capacity, size_t *length);

typedef struct edgec_sampler_params {
  float temperature;    /* <= 0: greedy */
  int32_t top_k;        /* <= 0: all */
  float top_p;          /* >= 1: all */
  float min_p;          /* <= 0: all */
  float repeat_penalty; /* 1: off */
  int32_t repeat_last_n;
  uint64_t seed;
} edgec_sampler_params;

/* llama.cpp's defaults: temperature 0.8, top_k 40, top_p 0.95, min_p 0.05, repeat_penalty
 * 1 (off), repeat_last_n 64, seed 0. */
void edgec_sampler_params_init(edgec_sampler_params *params);
/* Fails with the problem when a value is unusable (temperature not finite, top_p outside
 * [0, 1], ...). */
edgec_status edgec_sampler_create(const edgec_sampler_params *params, edgec_sampler **out);
void edgec_sampler_free(edgec_sampler *sampler);
/* The next token for logits (vocab_size of them); does not record it. -1 for a null
 * argument. */
int32_t edgec_sampler_sample(edgec_sampler *sampler, const float *logits, size_t vocab_size);
/* Records a token used (prompt tokens too), for the repetition penalty. */
void edgec_sampler_accept(edgec_sampler *sampler, int32_t id);

#ifdef __cplusplus
}
#endif

#endif /* EDGEC_LLM_H */
