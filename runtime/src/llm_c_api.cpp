// The LLM C API (edgec/llm.h) over LlmSession, Tokenizer, ChatTemplate and Sampler:
// exceptions and error strings stop here and become edgec_last_error() text.
#include "edgec/llm.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <new>
#include <string>

#include "edgec/chat_template.h"
#include "edgec/llm_session.h"
#include "edgec/sampler.h"
#include "model.h"

using edgec::rt::Error;

struct edgec_llm {
  std::unique_ptr<edgec::LlmSession> impl;
};
struct edgec_sampler {
  edgec::Sampler impl;
};

namespace edgec::capi {
void setLastError(const std::string &message);  // c_api.cpp's thread-local error
}

namespace {

template <typename F> edgec_status guard(F &&f) {
  try {
    f();
    return EDGEC_OK;
  } catch (const std::bad_alloc &) {
    edgec::capi::setLastError("out of memory");
  } catch (const std::exception &e) {
    edgec::capi::setLastError(e.what());
  }
  return EDGEC_ERROR;
}

void need(const void *p) {
  if (!p) throw Error("null argument");
}

// Copies n items to out (capacity of them) and reports n: the size protocol of llm.h.
template <typename T> void give(const T *items, size_t n, T *out, size_t capacity, size_t *count) {
  need(count);
  if (capacity && !out) throw Error("null buffer with a capacity of " + std::to_string(capacity));
  if (out) std::memcpy(out, items, std::min(n, capacity) * sizeof(T));
  *count = n;
}

void giveText(const std::string &s, char *out, size_t capacity, size_t *length) {
  give(s.data(), s.size(), out, capacity, length);
  if (out && s.size() < capacity) out[s.size()] = '\0';
}

}  // namespace

extern "C" {

void edgec_llm_options_init(edgec_llm_options *options) {
  if (!options) return;
  options->num_threads = 0;
  options->residency = EDGEC_RESIDENCY_COPIED;
}

edgec_status edgec_llm_open(const char *path, const edgec_llm_options *options, edgec_llm **out) {
  return guard([&] {
    need(path);
    need(out);
    *out = nullptr;
    edgec_llm_options o;
    edgec_llm_options_init(&o);
    if (options) o = *options;
    if (o.num_threads < 0) throw Error("num_threads must be 0 (one per core) or more, not " + std::to_string(o.num_threads));
    if (o.residency != EDGEC_RESIDENCY_MAPPED && o.residency != EDGEC_RESIDENCY_LOCKED &&
        o.residency != EDGEC_RESIDENCY_COPIED)
      throw Error("unknown residency " + std::to_string(int(o.residency)));
    std::string error;
    std::unique_ptr<edgec::LlmSession> s = edgec::LlmSession::open(path, o.num_threads, error, o.residency);
    if (!s) throw Error(error);
    *out = new edgec_llm{std::move(s)};
  });
}

void edgec_llm_free(edgec_llm *llm) { delete llm; }

int32_t edgec_llm_vocab_size(const edgec_llm *llm) { return llm ? int32_t(llm->impl->info().vocabSize) : 0; }
int64_t edgec_llm_context_length(const edgec_llm *llm) { return llm ? llm->impl->info().contextLength : 0; }
int32_t edgec_llm_num_threads(const edgec_llm *llm) { return llm ? llm->impl->threads() : 0; }
int64_t edgec_llm_position(const edgec_llm *llm) { return llm ? llm->impl->position() : 0; }
void edgec_llm_reset(edgec_llm *llm) {
  if (llm) llm->impl->reset();
}

int64_t edgec_llm_truncate(edgec_llm *llm, int64_t position) {
  return llm ? llm->impl->truncate(position) : 0;
}

edgec_status edgec_llm_save_state(const edgec_llm *llm, const char *path, const int32_t *ids, size_t count) {
  return guard([&] {
    need(llm);
    need(path);
    if (count) need(ids);
    std::string error;
    if (!llm->impl->saveState(path, std::vector<int32_t>(ids, ids + count), error)) throw Error(error);
  });
}

edgec_status edgec_llm_load_state(edgec_llm *llm, const char *path, int32_t *ids, size_t capacity, size_t *count) {
  return guard([&] {
    need(llm);
    need(path);
    need(count);
    std::vector<int32_t> saved;
    std::string error;
    if (!llm->impl->loadState(path, saved, error)) {
      llm->impl->reset();
      throw Error(error);
    }
    if (saved.size() > capacity || (!ids && !saved.empty())) {
      llm->impl->reset();
      throw Error(std::string(path) + ": " + std::to_string(saved.size()) + " tokens saved, room for " +
                  std::to_string(capacity));
    }
    std::copy(saved.begin(), saved.end(), ids);
    *count = saved.size();
  });
}

edgec_status edgec_llm_tokenize(const edgec_llm *llm, const char *text, size_t length, int flags, int32_t *ids,
                                size_t capacity, size_t *count) {
  return guard([&] {
    need(llm);
    if (length) need(text);
    const int known = EDGEC_TOKENIZE_ADD_SPECIAL | EDGEC_TOKENIZE_PARSE_SPECIAL | EDGEC_TOKENIZE_CHAT;
    if (flags & ~known) throw Error("unknown tokenize flags " + std::to_string(flags & ~known));
    if ((flags & EDGEC_TOKENIZE_CHAT) && (flags & ~EDGEC_TOKENIZE_CHAT))
      throw Error("EDGEC_TOKENIZE_CHAT decides BOS and special tokens itself: give it alone");
    const std::string_view view(length ? text : "", length);
    const edgec::Tokenizer &t = llm->impl->tokenizer();
    const std::vector<int32_t> out =
        (flags & EDGEC_TOKENIZE_CHAT)
            ? edgec::ChatTemplate::encode(t, view)
            : t.encode(view, flags & EDGEC_TOKENIZE_ADD_SPECIAL, flags & EDGEC_TOKENIZE_PARSE_SPECIAL);
    give(out.data(), out.size(), ids, capacity, count);
  });
}

edgec_status edgec_llm_token_piece(const edgec_llm *llm, int32_t id, int special, char *text, size_t capacity,
                                   size_t *length) {
  return guard([&] {
    need(llm);
    std::string piece, error;
    if (!llm->impl->tokenizer().tokenToPiece(id, piece, special != 0, error)) throw Error(error);
    giveText(piece, text, capacity, length);
  });
}

int edgec_llm_is_end_of_generation(const edgec_llm *llm, int32_t id) {
  return llm && id >= 0 && size_t(id) < llm->impl->tokenizer().size() && llm->impl->tokenizer().isEog(id);
}

edgec_status edgec_llm_feed(edgec_llm *llm, const int32_t *ids, size_t count, const float **logits) {
  return guard([&] {
    need(llm);
    need(logits);
    if (count == 0) throw Error("no tokens to feed");
    need(ids);
    std::string error;
    if (!llm->impl->feed(std::vector<int32_t>(ids, ids + count), *logits, error)) throw Error(error);
  });
}

edgec_status edgec_llm_score(edgec_llm *llm, const int32_t *ids, size_t count, const float **logits) {
  return guard([&] {
    need(llm);
    need(logits);
    if (count == 0) throw Error("no tokens to score");
    need(ids);
    std::string error;
    if (!llm->impl->score(std::vector<int32_t>(ids, ids + count), *logits, error)) throw Error(error);
  });
}

int64_t edgec_llm_score_chunk(const edgec_llm *llm) { return llm ? llm->impl->scoreChunk() : 0; }

edgec_status edgec_llm_apply_chat_template(const edgec_llm *llm, const char *format,
                                           const edgec_chat_message *messages, size_t count, int open_assistant,
                                           char *text, size_t capacity, size_t *length) {
  return guard([&] {
    need(llm);
    if (count) need(messages);
    std::string error;
    std::unique_ptr<edgec::ChatTemplate> chat = format ? edgec::ChatTemplate::byName(format, error)
                                                       : edgec::ChatTemplate::fromJinja(llm->impl->info().chatTemplate, error);
    if (!chat) throw Error(error);
    if ((open_assistant & EDGEC_CHAT_NO_THINKING) && !chat->setThinking(false))
      throw Error(std::string("EDGEC_CHAT_NO_THINKING: the chat format ") + chat->name() + " has no thinking switch");
    std::vector<edgec::ChatMessage> m;
    for (size_t i = 0; i < count; ++i) {
      if (!messages[i].role || !messages[i].content)
        throw Error("message " + std::to_string(i + 1) + " has a null role or content");
      m.push_back({messages[i].role, messages[i].content});
    }
    const edgec::Tokenizer &t = llm->impl->tokenizer();
    std::string out;
    if (!chat->apply(m, (open_assistant & ~EDGEC_CHAT_NO_THINKING) != 0, edgec::ChatTemplate::bosText(t),
                     edgec::ChatTemplate::eosText(t), out,
                     error))
      throw Error(error);
    giveText(out, text, capacity, length);
  });
}

void edgec_sampler_params_init(edgec_sampler_params *params) {
  if (!params) return;
  const edgec::SamplerParams d;
  params->temperature = d.temperature;
  params->top_k = d.topK;
  params->top_p = d.topP;
  params->min_p = d.minP;
  params->repeat_penalty = d.repeatPenalty;
  params->repeat_last_n = d.repeatLastN;
  params->seed = d.seed;
}

edgec_status edgec_sampler_create(const edgec_sampler_params *params, edgec_sampler **out) {
  return guard([&] {
    need(params);
    need(out);
    *out = nullptr;
    edgec::SamplerParams p;
    p.temperature = params->temperature;
    p.topK = params->top_k;
    p.topP = params->top_p;
    p.minP = params->min_p;
    p.repeatPenalty = params->repeat_penalty;
    p.repeatLastN = params->repeat_last_n;
    p.seed = params->seed;
    if (std::string why = p.validate(); !why.empty()) throw Error(why);
    *out = new edgec_sampler{edgec::Sampler(p)};
  });
}

void edgec_sampler_free(edgec_sampler *sampler) { delete sampler; }

int32_t edgec_sampler_sample(edgec_sampler *sampler, const float *logits, size_t vocab_size) {
  return sampler && logits && vocab_size ? sampler->impl.sample(logits, vocab_size) : -1;
}

void edgec_sampler_accept(edgec_sampler *sampler, int32_t id) {
  if (sampler) sampler->impl.accept(id);
}

}  // extern "C"
