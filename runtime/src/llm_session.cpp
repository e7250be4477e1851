// LlmSession: a package's prefill/decode functions driven over its KV cache, and its
// tokenizer read from the package metadata (the GGUF keys tokenizer.ggml.*, as the
// compiler copied them).
#include "edgec/llm_session.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>

#include "model.h"

namespace edgec {

namespace {

const pkg::Metadata *findKey(const pkg::Package &plan, const char *key) {
  return plan.metadata() ? plan.metadata()->LookupByKey(key) : nullptr;
}

int64_t intKey(const pkg::Package &plan, const char *key, int64_t fallback) {
  const pkg::Metadata *m = findKey(plan, key);
  return m && m->kind() == pkg::MetadataKind::Int ? m->i() : fallback;
}

std::string stringKey(const pkg::Package &plan, const char *key) {
  const pkg::Metadata *m = findKey(plan, key);
  return m && m->kind() == pkg::MetadataKind::String && m->s() ? m->s()->str() : std::string();
}

// The tokenizer a package holds: the vocabulary the compiler read and checked, every key
// written explicitly (LlmBuilder's llmAttributes), so nothing is defaulted here;
// Tokenizer::create validates it again.
bool vocabFromPackage(const pkg::Package &plan, TokenizerVocab &vocab, std::string &error) {
  vocab.model = stringKey(plan, "tokenizer.ggml.model");
  const pkg::Metadata *tokens = findKey(plan, "tokenizer.ggml.tokens");
  if (vocab.model.empty() || !tokens || !tokens->strings()) {
    error = "the package has no tokenizer (tokenizer.ggml.model and .tokens)";
    return false;
  }
  vocab.pre = stringKey(plan, "tokenizer.ggml.pre");
  for (const auto *s : *tokens->strings()) vocab.tokens.push_back(s->str());
  if (const pkg::Metadata *m = findKey(plan, "tokenizer.ggml.scores"); m && m->floats())
    vocab.scores.assign(m->floats()->begin(), m->floats()->end());
  if (const pkg::Metadata *m = findKey(plan, "tokenizer.ggml.token_type"); m && m->ints())
    for (int64_t t : *m->ints()) vocab.types.push_back(int32_t(t));
  if (const pkg::Metadata *m = findKey(plan, "tokenizer.ggml.merges"); m && m->strings())
    for (const auto *s : *m->strings()) vocab.merges.push_back(s->str());
  auto id = [&](const char *key) { return int32_t(intKey(plan, key, -1)); };
  vocab.bos = id("tokenizer.ggml.bos_token_id");
  vocab.eos = id("tokenizer.ggml.eos_token_id");
  vocab.unk = id("tokenizer.ggml.unknown_token_id");
  vocab.pad = id("tokenizer.ggml.padding_token_id");
  vocab.eot = id("tokenizer.ggml.eot_token_id");
  vocab.eom = id("tokenizer.ggml.eom_token_id");
  auto flag = [&](const char *key) {
    const pkg::Metadata *m = findKey(plan, key);
    return m && m->kind() == pkg::MetadataKind::Bool && m->b();
  };
  vocab.addBos = flag("tokenizer.ggml.add_bos_token");
  vocab.addEos = flag("tokenizer.ggml.add_eos_token");
  vocab.addSpacePrefix = flag("tokenizer.ggml.add_space_prefix");
  // llama.cpp's per-token strip attributes, which the compiler derived (absent: none).
  for (auto [key, ids] : {std::pair<const char *, std::vector<int32_t> &>{"tokenizer.edgec.lstrip", vocab.lstrip},
                          {"tokenizer.edgec.rstrip", vocab.rstrip}})
    if (const pkg::Metadata *m = findKey(plan, key); m && m->ints())
      for (int64_t id : *m->ints()) ids.push_back(id >= 0 && id <= INT32_MAX ? int32_t(id) : -1);  // create rejects -1
  return true;
}

}  // namespace

struct LlmSession::Impl {
  std::unique_ptr<rt::LoadedModel> model;
  std::unique_ptr<rt::Session> session;
  std::unique_ptr<Tokenizer> tokenizer;
  LlmInfo info;
  int prefill = -1, prefillMid = -1, prefillShort = -1, decode = -1, score = -1;
  int64_t midChunk = 0, shortChunk = 0, scoreChunk = 0;  // tokens of prefill_mid, prefill_short, score (0: none)
  // The first call for n < prefillChunk tokens (plan()): its bucket's tokens.
  std::vector<int64_t> firstCall;

  // For every n < prefillChunk, the first call of the cheapest cover of n tokens by the
  // buckets (prefill, prefill_mid, prefill_short), a call costing its rows plus kCallRows:
  // each call streams every weight once, which costs about what 8 rows of compute do
  // (Qwen2.5-1.5B shapes: a decode step against a prefill row, at 1 and 2 threads). Only
  // a cover's last call is partly padding. E.g. with 256, 64 and 8: 300 tokens run as
  // 256 + 64, 130 as 64 + 64 + 8, 20 as 8 + 8 + 8.
  void plan() {
    constexpr int64_t kCallRows = 8;
    const int64_t S = info.prefillChunk;
    std::vector<int64_t> cost(size_t(S), 0);
    firstCall.assign(size_t(S), S);
    for (int64_t n = 1; n < S; ++n) {
      cost[size_t(n)] = std::numeric_limits<int64_t>::max();
      for (const int64_t b : {S, midChunk, shortChunk}) {
        if (b <= 0) continue;
        const int64_t c = b + kCallRows + (n > b ? cost[size_t(n - b)] : 0);
        if (c < cost[size_t(n)]) cost[size_t(n)] = c, firstCall[size_t(n)] = b;
      }
    }
  }
  int64_t position = 0;
  std::vector<int32_t> chunk;  // prefill's padded tokens
  // Gemma 3's local layers' window (llm.sliding_window, with their rings of info.kvRing
  // positions) and one past the last position any call wrote (padding rows included): a
  // ring keeps positions written - kvRing .. written - 1 only, which bounds truncate.
  int64_t window = 0, written = 0;
  void wrote(int64_t end) { written = std::max(written, end); }

  // What a saved state holds of each state tensor (saveState): a KV cache or its scales,
  // [heads, rows, ...] with the positions on axis 1, as its first `position` rows of every
  // head; any other state tensor whole (heads 1, every byte one row's). The used rows
  // rather than the region: a 300-token prompt's file is its rows, not the context's.
  struct StatePart {
    uint64_t offset = 0;  // into the state region
    uint64_t heads = 1, headBytes = 0, rowBytes = 0;
    bool positional = false;
    uint64_t bytes(int64_t rows) const { return heads * (positional ? uint64_t(rows) * rowBytes : headBytes); }
  };
  std::vector<StatePart> stateParts;
  void planStateParts() {
    const auto &tensors = *model->plan().tensors();
    for (uint32_t i = 0; i < tensors.size(); ++i) {
      const pkg::Tensor *t = tensors[i];
      if (t->storage() != pkg::Storage::State || t->size() == 0) continue;
      const std::vector<int64_t> &shape = model->shape(int32_t(i));
      StatePart part;
      part.offset = t->offset();
      part.headBytes = t->size();
      if (shape.size() >= 2 && shape[0] > 0 && shape[1] >= info.contextLength &&
          t->size() % uint64_t(shape[0] * shape[1]) == 0) {
        part.positional = true;
        part.heads = uint64_t(shape[0]);
        part.headBytes = t->size() / part.heads;
        part.rowBytes = part.headBytes / uint64_t(shape[1]);
      }
      stateParts.push_back(part);
    }
    // One part per region (tensors sharing their bytes are saved once), in region order.
    std::sort(stateParts.begin(), stateParts.end(),
              [](const StatePart &a, const StatePart &b) { return a.offset < b.offset; });
    stateParts.erase(std::unique(stateParts.begin(), stateParts.end(),
                                 [](const StatePart &a, const StatePart &b) { return a.offset == b.offset; }),
                     stateParts.end());
  }
  uint64_t savedStateBytes(int64_t rows) const {
    uint64_t n = 0;
    for (const StatePart &part : stateParts) n += part.bytes(rows);
    return n;
  }
  // Calls io(bytes, n) for each saved span of the state, in the file's order; false as
  // soon as one returns false.
  template <typename Io> bool forEachSavedSpan(int64_t rows, Io &&io) const {
    uint8_t *state = session->stateData();
    for (const StatePart &part : stateParts)
      for (uint64_t h = 0; h < part.heads; ++h) {
        const uint64_t n = part.positional ? uint64_t(rows) * part.rowBytes : part.headBytes;
        if (n && !io(state + part.offset + h * part.headBytes, n)) return false;
      }
    return true;
  }

  // Runs `calls` (the function calls of feed() or score()); then the cache holds `count`
  // more tokens and `logits` points at the last call's output. False with the error a
  // kernel threw.
  template <typename Calls> bool run(size_t count, const float *&logits, std::string &error, Calls &&calls) {
    try {
      calls();
    } catch (const std::exception &e) {
      error = e.what();
      return false;
    }
    position += int64_t(count);
    logits = static_cast<const float *>(session->output(0).data);
    return true;
  }
};

LlmSession::LlmSession(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LlmSession::~LlmSession() = default;

std::unique_ptr<LlmSession> LlmSession::open(const std::string &path, int threads, std::string &error,
                                             edgec_residency residency) {
  auto impl = std::make_unique<Impl>();
  try {
    rt::LoadOptions load;
    load.residency = static_cast<rt::Residency>(residency);
    impl->model = std::make_unique<rt::LoadedModel>(path, load);
    const pkg::Package &plan = impl->model->plan();
    LlmInfo &info = impl->info;
    info.architecture = stringKey(plan, "llm.architecture");
    info.contextLength = intKey(plan, "llm.context_length", 0);
    info.prefillChunk = intKey(plan, "llm.prefill_chunk", 0);
    info.vocabSize = intKey(plan, "llm.vocab_size", 0);
    info.kvCache = stringKey(plan, "llm.kv_cache");
    info.chatTemplate = stringKey(plan, "tokenizer.chat_template");
    info.kvRing = intKey(plan, "llm.kv_ring", 0);
    impl->window = intKey(plan, "llm.sliding_window", 0);
    if (info.kvRing < 0 || (info.kvRing > 0 && (impl->window <= 0 || impl->window > info.kvRing)))
      throw rt::Error("llm.kv_ring needs an llm.sliding_window of at most its rows");
    if (info.architecture.empty() || info.contextLength <= 0 || info.prefillChunk <= 0 || info.vocabSize <= 0)
      throw rt::Error("not an LLM package (no llm.* metadata; compile a .gguf model with edgec compile)");
    for (int f = 0; f < impl->model->numFunctions(); ++f) {
      const std::string name = impl->model->function(f).name()->str();
      if (name == "prefill") impl->prefill = f;
      if (name == "prefill_mid") impl->prefillMid = f;
      if (name == "prefill_short") impl->prefillShort = f;
      if (name == "decode") impl->decode = f;
      if (name == "score") impl->score = f;
    }
    if (impl->prefill < 0 || impl->decode < 0)
      throw rt::Error("an LLM package needs the functions prefill and decode");
    // The signatures LlmSession feeds (GgufModel.h): prefill(tokens[S], pos[1], last[1]),
    // decode(token[1], pos[1]), both -> logits[1, V].
    auto check = [&](int f, size_t inputs, int64_t tokens, int64_t rows = 1) {
      const pkg::Function &fn = impl->model->function(f);
      bool ok = fn.inputs()->size() == inputs && fn.outputs()->size() == 1 &&
                impl->model->shape(fn.inputs()->Get(0)) == std::vector<int64_t>{tokens} &&
                impl->model->shape(fn.outputs()->Get(0)) == std::vector<int64_t>{rows, info.vocabSize};
      if (!ok) throw rt::Error("function " + fn.name()->str() + " does not have the LLM signature");
    };
    check(impl->prefill, 3, info.prefillChunk);
    impl->shortChunk = intKey(plan, "llm.prefill_short", 0);
    if (impl->shortChunk > 0) {
      if (impl->prefillShort < 0 || impl->shortChunk >= info.prefillChunk)
        throw rt::Error("llm.prefill_short needs a function prefill_short shorter than prefill");
      check(impl->prefillShort, 3, impl->shortChunk);
    }
    impl->midChunk = intKey(plan, "llm.prefill_mid", 0);
    if (impl->midChunk > 0) {
      if (impl->prefillMid < 0 || impl->midChunk >= info.prefillChunk || impl->midChunk <= impl->shortChunk)
        throw rt::Error("llm.prefill_mid needs a function prefill_mid between prefill_short and prefill");
      check(impl->prefillMid, 3, impl->midChunk);
    }
    impl->plan();
    check(impl->decode, 2, 1);
    // score(tokens[N], pos[1]) -> logits[N, V]; its padding rows, like prefill's, need
    // N <= the prefill chunk (the cache's spare rows).
    impl->scoreChunk = intKey(plan, "llm.score_chunk", 0);
    if (impl->scoreChunk > 0) {
      if (impl->score < 0 || impl->scoreChunk > info.prefillChunk)
        throw rt::Error("llm.score_chunk needs a function score of at most the prefill chunk's tokens");
      check(impl->score, 2, impl->scoreChunk, impl->scoreChunk);
    }
    info.weightBytes = impl->model->constantsSize();
    info.stateBytes = plan.state_size();
    for (int f = 0; f < impl->model->numFunctions(); ++f) info.arenaBytes += impl->model->function(f).arena_size();
    TokenizerVocab vocab;
    std::string why;
    if (!vocabFromPackage(plan, vocab, why) || !(impl->tokenizer = Tokenizer::create(std::move(vocab), why)))
      throw rt::Error(why);
    rt::SessionOptions options;
    options.threads = threads;
    impl->session = std::make_unique<rt::Session>(*impl->model, options);
    impl->planStateParts();
  } catch (const std::exception &e) {
    error = path + ": " + e.what();
    return nullptr;
  }
  return std::unique_ptr<LlmSession>(new LlmSession(std::move(impl)));
}

const LlmInfo &LlmSession::info() const { return impl_->info; }

std::vector<int64_t> LlmSession::prefillCalls(size_t count) const {
  const Impl &s = *impl_;
  if (count == 1) return {1};
  std::vector<int64_t> calls;
  for (size_t left = count; left > 0;) {
    const int64_t S = left >= size_t(s.info.prefillChunk) ? s.info.prefillChunk : s.firstCall[left];
    calls.push_back(S);
    left -= std::min(size_t(S), left);
  }
  return calls;
}
const Tokenizer &LlmSession::tokenizer() const { return *impl_->tokenizer; }
int LlmSession::threads() const { return impl_->session->threads(); }
int64_t LlmSession::position() const { return impl_->position; }

void LlmSession::reset() {
  impl_->session->resetState();
  impl_->position = 0;
  impl_->written = 0;
}

int64_t LlmSession::truncate(int64_t position) {
  Impl &s = *impl_;
  // Rows from `position` on stay in the cache but no later row reads them before it
  // overwrites them (attention reads the rows before its own position).
  position = std::clamp<int64_t>(position, 0, s.position);
  // The next query, at `position`, reads the window before it; a ring has kept it only if
  // no later position has been written over it.
  const int64_t ring = s.info.kvRing;
  if (ring > 0 && std::max<int64_t>(0, position - s.window + 1) < s.written - ring) {
    reset();
    return 0;
  }
  s.position = position;
  return position;
}

namespace {

// A saved session state (saveState): this header, the tokens (int32), then the state's
// used rows (Impl::StatePart, in the region's order).
struct SavedStateHeader {
  char magic[8];           // kSavedStateMagic
  uint64_t fingerprint;    // the package's (LoadedModel::fingerprint)
  uint64_t stateBytes;     // the state region's size
  int64_t position;        // tokens the cache holds
  uint64_t savedBytes;     // the state's bytes that follow the tokens
};
constexpr char kSavedStateMagic[8] = {'E', 'D', 'G', 'E', 'C', 'K', 'V', '2'};
// The first format (the whole region after the tokens), which this runtime no longer reads.
constexpr char kOldSavedStateMagic[8] = {'E', 'D', 'G', 'E', 'C', 'K', 'V', '1'};

}  // namespace

bool LlmSession::saveState(const std::string &path, const std::vector<int32_t> &tokens, std::string &error) const {
  const Impl &s = *impl_;
  if (int64_t(tokens.size()) != s.position) {
    error = path + ": " + std::to_string(tokens.size()) + " tokens given for a cache of " +
            std::to_string(s.position);
    return false;
  }
  SavedStateHeader h{};
  std::memcpy(h.magic, kSavedStateMagic, sizeof h.magic);
  h.fingerprint = s.model->fingerprint();
  h.stateBytes = s.session->stateBytes();
  h.position = s.position;
  h.savedBytes = s.savedStateBytes(s.position);
  // All or nothing: a temporary file beside `path`, renamed over it when complete.
  const std::string tmp = path + ".tmp-" + std::to_string(getpid());
  FILE *f = std::fopen(tmp.c_str(), "wb");
  bool ok = f && std::fwrite(&h, sizeof h, 1, f) == 1 &&
            (tokens.empty() || std::fwrite(tokens.data(), sizeof(int32_t), tokens.size(), f) == tokens.size()) &&
            s.forEachSavedSpan(s.position, [&](const uint8_t *bytes, uint64_t n) {
              return std::fwrite(bytes, 1, n, f) == n;
            });
  const int err = errno;
  if (f && std::fclose(f) != 0) ok = false;
  if (ok && std::rename(tmp.c_str(), path.c_str()) != 0) ok = false;
  if (!ok) {
    std::remove(tmp.c_str());
    error = path + ": cannot write the session state: " + std::strerror(errno ? errno : err);
  }
  return ok;
}

bool LlmSession::loadState(const std::string &path, std::vector<int32_t> &tokens, std::string &error) {
  Impl &s = *impl_;
  std::unique_ptr<FILE, int (*)(FILE *)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) {
    error = path + ": cannot open: " + std::strerror(errno);
    return false;
  }
  SavedStateHeader h{};
  const bool whole = std::fread(&h, sizeof h, 1, f.get()) == 1;
  if (whole && std::memcmp(h.magic, kOldSavedStateMagic, sizeof h.magic) == 0) {
    error = path + ": saved by an older edgec (the whole cache, a format no longer read)";
    return false;
  }
  if (!whole || std::memcmp(h.magic, kSavedStateMagic, sizeof h.magic) != 0) {
    error = path + ": not a saved edgec session state";
    return false;
  }
  if (h.fingerprint != s.model->fingerprint() || h.stateBytes != s.session->stateBytes()) {
    error = path + ": saved from another package";
    return false;
  }
  if (h.position < 0 || h.position > s.info.contextLength || h.savedBytes != s.savedStateBytes(h.position)) {
    error = path + ": a position of " + std::to_string(h.position) + " outside the context, or a damaged header";
    return false;
  }
  std::vector<int32_t> saved(size_t(h.position));
  // Only the rows before the position come back; the later ones are never read before
  // they are written again (truncate).
  if (std::fread(saved.data(), sizeof(int32_t), saved.size(), f.get()) != saved.size() ||
      !s.forEachSavedSpan(h.position,
                          [&](uint8_t *bytes, uint64_t n) { return std::fread(bytes, 1, n, f.get()) == n; })) {
    reset();  // a part of the state may have been read over the cache
    error = path + ": cut short (the file is incomplete)";
    return false;
  }
  s.position = h.position;
  // Where the saved session's last call ended is not in the file: as far as a padded
  // prefill call could have written.
  s.written = h.position + s.info.prefillChunk - 1;
  tokens = std::move(saved);
  return true;
}

namespace {

// Why `tokens` cannot run at `position` (empty, past the context, an id outside the
// vocabulary), or "".
std::string tokensProblem(const std::vector<int32_t> &tokens, int64_t position, const LlmInfo &info) {
  if (tokens.empty()) return "no tokens to run";
  if (position + int64_t(tokens.size()) > info.contextLength)
    return std::to_string(tokens.size()) + " more tokens at position " + std::to_string(position) +
           " do not fit the context of " + std::to_string(info.contextLength) +
           " positions (compile with a larger --ctx)";
  for (int32_t t : tokens)
    if (t < 0 || t >= info.vocabSize)
      return "token id " + std::to_string(t) + " is outside the vocabulary of " + std::to_string(info.vocabSize);
  return "";
}

}  // namespace

int64_t LlmSession::scoreChunk() const { return impl_->scoreChunk; }

bool LlmSession::score(const std::vector<int32_t> &tokens, const float *&logits, std::string &error) {
  Impl &s = *impl_;
  if (s.score < 0) {
    error = "the package has no score function (compile the model with --score-chunk N)";
    return false;
  }
  if (int64_t(tokens.size()) > s.scoreChunk) {
    error = std::to_string(tokens.size()) + " tokens for a score function of " + std::to_string(s.scoreChunk);
    return false;
  }
  if (!(error = tokensProblem(tokens, s.position, s.info)).empty()) return false;
  return s.run(tokens.size(), logits, error, [&] {
    // Padded with the last token as prefill's last call is (see feed()).
    s.chunk.assign(tokens.begin(), tokens.end());
    s.chunk.resize(size_t(s.scoreChunk), s.chunk.back());
    int64_t pos = s.position;
    s.wrote(pos + s.scoreChunk);
    s.session->selectFunction(s.score);
    s.session->setInput(0, s.chunk.data(), s.chunk.size() * sizeof(int32_t));
    s.session->setInput(1, &pos, sizeof pos);
    s.session->run();
  });
}

bool LlmSession::feed(const std::vector<int32_t> &tokens, const float *&logits, std::string &error) {
  Impl &s = *impl_;
  if (!(error = tokensProblem(tokens, s.position, s.info)).empty()) return false;
  return s.run(tokens.size(), logits, error, [&] {
    if (tokens.size() == 1) {
      int64_t pos = s.position;
      s.wrote(pos + 1);
      s.session->selectFunction(s.decode);
      s.session->setInput(0, tokens.data(), sizeof(int32_t));
      s.session->setInput(1, &pos, sizeof pos);
      s.session->run();
    } else {
      // The calls of prefillCalls(); the last is padded with its final token (the padding
      // rows land in cache rows past the context's end or are overwritten by the next
      // tokens, and causal attention never lets a real row see them).
      size_t begin = 0;
      for (const int64_t call : prefillCalls(tokens.size())) {
        const size_t S = size_t(call), n = std::min(S, tokens.size() - begin);
        s.session->selectFunction(call == s.info.prefillChunk ? s.prefill
                                  : call == s.midChunk         ? s.prefillMid
                                                               : s.prefillShort);
        s.chunk.assign(tokens.begin() + long(begin), tokens.begin() + long(begin + n));
        s.chunk.resize(S, s.chunk.back());
        int64_t pos = s.position + int64_t(begin), last = int64_t(n) - 1;
        s.wrote(pos + int64_t(S));
        s.session->setInput(0, s.chunk.data(), S * sizeof(int32_t));
        s.session->setInput(1, &pos, sizeof pos);
        s.session->setInput(2, &last, sizeof last);
        s.session->run();
        begin += n;
      }
    }
  });
}

}  // namespace edgec
