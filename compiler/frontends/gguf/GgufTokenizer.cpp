#include "edgec/GgufTokenizer.h"

#include <algorithm>
#include <cstring>
#include <initializer_list>

namespace edgec {

namespace {

using gguf::ArrayValue;
using gguf::ValueType;

std::string where(const gguf::GgufFile &file, const char *key) { return file.path() + ": " + key; }

// An optional key: absent -> true and `out` untouched; present with another type -> false.
bool optionalU32(const gguf::GgufFile &file, const char *key, int32_t &out, std::string &error) {
  if (!file.find(key)) return true;
  uint32_t v = 0;
  if (!file.getU32(key, v, error)) return false;
  if (v > uint32_t(INT32_MAX)) {
    error = where(file, key) + " = " + std::to_string(v) + " is not a token id";
    return false;
  }
  out = int32_t(v);
  return true;
}

bool optionalBool(const gguf::GgufFile &file, const char *key, bool &out, std::string &error) {
  return !file.find(key) || file.getBool(key, out, error);
}

bool stringArray(const gguf::GgufFile &file, const char *key, std::vector<std::string> &out, std::string &error) {
  const ArrayValue *a = nullptr;
  if (!file.getArray(key, a, error)) return false;
  if (a->elementType != ValueType::String) {
    error = where(file, key) + " is an array of " + gguf::valueTypeName(a->elementType) + ", expected str";
    return false;
  }
  out.reserve(a->size());
  for (llvm::StringRef s : a->strings) out.push_back(s.str());
  return true;
}

bool optionalString(const gguf::GgufFile &file, const char *key, std::string &out, std::string &error) {
  llvm::StringRef s;
  if (!file.find(key)) return true;
  if (!file.getString(key, s, error)) return false;
  out = s.str();
  return true;
}

bool containsAny(llvm::StringRef s, std::initializer_list<const char *> parts) {
  for (const char *p : parts)
    if (s.contains(p)) return true;
  return false;
}

// llama.cpp's per-token LSTRIP / RSTRIP attributes ("Handle per token attributes" at the
// end of llama_vocab's load): the file has none, so llama.cpp sets them by name, from
// general.name (lowercased), tokenizer.ggml.pre and general.architecture, the first rule
// that matches. Written into vocab.lstrip / vocab.rstrip for Tokenizer to apply.
bool stripAttributes(const gguf::GgufFile &file, TokenizerVocab &vocab, std::string &error) {
  std::string name;
  if (!optionalString(file, "general.name", name, error)) return false;
  const llvm::StringRef arch = file.arch();
  for (char &c : name)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');  // std::tolower in the C locale
  auto idOf = [&](const char *text) {
    auto it = std::find(vocab.tokens.begin(), vocab.tokens.end(), text);
    return it == vocab.tokens.end() ? -1 : int32_t(it - vocab.tokens.begin());
  };

  if (containsAny(vocab.pre, {"jina-v2-de", "jina-v2-es", "jina-v2-code"}) ||
      containsAny(arch, {"nomic-bert-moe", "jina-bert-v3"})) {
    if (const int32_t mask = idOf("<mask>"); mask >= 0) vocab.lstrip.push_back(mask);  // llama.cpp warns if none
  } else if (containsAny(name, {"phi-3", "phi3"})) {
    // Every special token (control, user-defined, unknown) as Tokenizer::create settles the
    // types (it makes some tokens control by their text, as llama.cpp does before this
    // step), so build one to ask. If that fails, the caller's Tokenizer::create reports why.
    std::string why;
    std::unique_ptr<Tokenizer> t = Tokenizer::create(vocab, why);
    if (!t) return true;
    std::vector<uint8_t> rstrip(vocab.tokens.size(), 0);
    for (size_t id = 0; id < rstrip.size(); ++id) {
      const TokenType ty = t->type(int32_t(id));
      rstrip[id] = ty == TokenType::Control || ty == TokenType::UserDefined || ty == TokenType::Unknown;
    }
    // llama.cpp looks these up with token_to_id.at(): without one of them it cannot load
    // the model at all.
    for (auto [text, on] : {std::pair<const char *, bool>{"</s>", true}, {"<unk>", false}, {"<s>", false},
                            {"<|endoftext|>", false}}) {
      const int32_t id = t->find(text);
      if (id < 0) {
        error = where(file, "general.name") + " names a Phi-3 model, but the vocabulary has no '" + text +
                "' token (llama.cpp cannot load such a model)";
        return false;
      }
      rstrip[id] = on;
    }
    for (size_t id = 0; id < rstrip.size(); ++id)
      if (rstrip[id]) vocab.rstrip.push_back(int32_t(id));
  } else if (containsAny(name, {"modern-bert"})) {
    if (const int32_t mask = idOf("[MASK]"); mask >= 0) vocab.lstrip.push_back(mask);
  }
  return true;
}

}  // namespace

bool vocabFromGguf(const gguf::GgufFile &file, TokenizerVocab &vocab, std::string &error) {
  vocab = TokenizerVocab();
  const char *modelKey = "tokenizer.ggml.model";
  if (!file.find(modelKey)) {
    error = where(file, modelKey) + " is missing: the file has no tokenizer";
    return false;
  }
  llvm::StringRef model;
  if (!file.getString(modelKey, model, error)) return false;
  if (model != "llama" && model != "gpt2") {
    error = where(file, modelKey) + " is '" + model.str() + "', not a supported tokenizer (llama, gpt2)";
    return false;
  }
  vocab.model = model.str();
  if (file.find("tokenizer.ggml.pre")) {
    llvm::StringRef pre;
    if (!file.getString("tokenizer.ggml.pre", pre, error)) return false;
    vocab.pre = pre.str();
  } else if (vocab.model == "gpt2") {
    error = where(file, "tokenizer.ggml.pre") + " is missing: a gpt2 tokenizer needs its pre-tokenizer";
    return false;
  }
  vocab.setModelDefaults();

  if (!stringArray(file, "tokenizer.ggml.tokens", vocab.tokens, error)) return false;
  const size_t n = vocab.tokens.size();
  // A default id the vocabulary is too small for is dropped, as llama.cpp does.
  for (int32_t *id : {&vocab.bos, &vocab.eos, &vocab.unk})
    if (*id >= 0 && size_t(*id) >= n) *id = -1;
  if (vocab.bos < 0) vocab.addBos = false;

  if (const gguf::Value *v = file.find("tokenizer.ggml.scores")) {
    const ArrayValue *a = v->asArray();
    if (!a || (a->elementType != ValueType::F32 && a->elementType != ValueType::I32)) {
      error = where(file, "tokenizer.ggml.scores") + " must be an array of f32 (or i32)";
      return false;
    }
    if (a->size() != n) {
      error = where(file, "tokenizer.ggml.scores") + " has " + std::to_string(a->size()) + " entries for " +
              std::to_string(n) + " tokens";
      return false;
    }
    vocab.scores.resize(n);
    for (size_t i = 0; i < n; ++i) {
      if (a->elementType == ValueType::F32) {
        std::memcpy(&vocab.scores[i], a->raw + 4 * i, 4);
      } else {
        int32_t s;
        std::memcpy(&s, a->raw + 4 * i, 4);
        vocab.scores[i] = float(s);
      }
    }
  }
  if (const gguf::Value *v = file.find("tokenizer.ggml.token_type")) {
    const ArrayValue *a = v->asArray();
    if (!a || a->elementType != ValueType::I32) {
      error = where(file, "tokenizer.ggml.token_type") + " must be an array of i32";
      return false;
    }
    if (a->size() != n) {
      error = where(file, "tokenizer.ggml.token_type") + " has " + std::to_string(a->size()) + " entries for " +
              std::to_string(n) + " tokens";
      return false;
    }
    vocab.types.resize(n);
    std::memcpy(vocab.types.data(), a->raw, 4 * n);
  }
  if (file.find("tokenizer.ggml.merges")) {
    if (!stringArray(file, "tokenizer.ggml.merges", vocab.merges, error)) return false;
  } else if (vocab.model == "gpt2") {
    error = where(file, "tokenizer.ggml.merges") + " is missing: a gpt2 tokenizer needs its merges";
    return false;
  }

  return optionalU32(file, "tokenizer.ggml.bos_token_id", vocab.bos, error) &&
         optionalU32(file, "tokenizer.ggml.eos_token_id", vocab.eos, error) &&
         optionalU32(file, "tokenizer.ggml.unknown_token_id", vocab.unk, error) &&
         optionalU32(file, "tokenizer.ggml.padding_token_id", vocab.pad, error) &&
         optionalU32(file, "tokenizer.ggml.eot_token_id", vocab.eot, error) &&
         optionalU32(file, "tokenizer.ggml.eom_token_id", vocab.eom, error) &&
         optionalBool(file, "tokenizer.ggml.add_bos_token", vocab.addBos, error) &&
         optionalBool(file, "tokenizer.ggml.add_eos_token", vocab.addEos, error) &&
         optionalBool(file, "tokenizer.ggml.add_space_prefix", vocab.addSpacePrefix, error) &&
         stripAttributes(file, vocab, error);
}

std::unique_ptr<Tokenizer> tokenizerFromGguf(const gguf::GgufFile &file, std::string &error) {
  TokenizerVocab vocab;
  if (!vocabFromGguf(file, vocab, error)) return nullptr;
  std::unique_ptr<Tokenizer> t = Tokenizer::create(std::move(vocab), error);
  if (!t) error = file.path() + ": " + error;
  return t;
}

}  // namespace edgec
