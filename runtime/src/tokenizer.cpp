// The tokenizer (tokenizer.h): llama.cpp's SPM and BPE algorithms, its special-token
// partition and its detokenizer, rewritten from their documented behaviour.
#include "edgec/tokenizer.h"

#include <algorithm>
#include <cstdio>
#include <queue>

#include "pretokenize.h"
#include "unicode_text.h"

namespace edgec {

namespace {

const char kSpaceMark[] = "\xE2\x96\x81";  // U+2581, SentencePiece's space

// GPT-2's bytes_to_unicode: printable Latin-1 bytes map to themselves, the other 68 bytes
// to U+0100.. in byte order, so that every byte is a visible character of its own.
struct ByteMap {
  uint32_t toCp[256];
  int16_t toByte[512];  // code point -> byte, -1 if none (all mapped code points are < 0x144)
  ByteMap() {
    std::fill(std::begin(toByte), std::end(toByte), int16_t(-1));
    uint32_t next = 256;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
      toCp[b] = printable ? uint32_t(b) : next++;
      toByte[toCp[b]] = int16_t(b);
    }
  }
};
const ByteMap &byteMap() {
  static const ByteMap map;
  return map;
}

void replaceAll(std::string &s, std::string_view from, std::string_view to) {
  std::string out;
  out.reserve(s.size());
  size_t pos = 0;
  for (size_t hit; (hit = s.find(from, pos)) != std::string::npos; pos = hit + from.size()) {
    out.append(s, pos, hit - pos);
    out.append(to);
  }
  out.append(s, pos, std::string::npos);
  s.swap(out);
}

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// <0xXX> -> XX, or -1.
int parseByteToken(const std::string &t) {
  if (t.size() != 6 || t.compare(0, 3, "<0x") != 0 || t[5] != '>') return -1;
  const int hi = hexDigit(t[3]), lo = hexDigit(t[4]);
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

std::string quoted(const std::string &s) {
  std::string out = "'";
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += char(c);
    }
  }
  return out + "'";
}

// isspace() in the C locale, which llama.cpp's strip uses on the text's bytes: no byte of a
// multi-byte UTF-8 character (U+00A0, U+3000, ... are kept).
bool isCSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// How llama.cpp reads tokenizer.ggml.pre of a byte-level BPE vocabulary (its load(), as of
// node-llama-cpp 3.22.1's llama.cpp): the name picks a pre-type (the regexes) and the flags
// it sets by name. One row per set of names that agree on both.
using WordSplitter = std::vector<std::pair<size_t, size_t>> (*)(const std::vector<uint32_t> &);
struct BpePre {
  const char *family;  // for the error message
  std::vector<const char *> names;
  WordSplitter split;
  bool ignoreMerges, cleanSpaces, addBos;
};
std::vector<std::pair<size_t, size_t>> llama3Words(const std::vector<uint32_t> &cps) {
  return splitLlama3Words(cps, 3);
}
std::vector<std::pair<size_t, size_t>> qwen2Words(const std::vector<uint32_t> &cps) {
  return splitLlama3Words(cps, 1);
}
std::vector<std::pair<size_t, size_t>> gpt2Words(const std::vector<uint32_t> &cps) {
  return splitGpt2Words(cps, false);
}
std::vector<std::pair<size_t, size_t>> starcoderWords(const std::vector<uint32_t> &cps) {
  return splitGpt2Words(cps, true);
}
const std::vector<BpePre> &bpePres() {
  static const std::vector<BpePre> table = {
      {"llama3", {"llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2",
                  "jina-v5-nano"}, llama3Words, true, true, true},
      // DBRX and SMAUG: Llama 3's regex with the BPE defaults (merges always, no BOS).
      {"dbrx", {"dbrx", "smaug-bpe"}, llama3Words, false, true, false},
      {"qwen2", {"qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2"}, qwen2Words, false, false, false},
      {"qwen2", {"megrez"}, qwen2Words, false, true, false},
      {"gpt-4o", {"gpt-4o", "llama4", "kanana2", "talkie"}, splitGpt4oWords, false, false, false},
      {"tekken", {"tekken"}, splitTekkenWords, true, false, true},
      // jina-v1-en, jina-v2-code and roberta-bpe also set add_sep, which llama_tokenize
      // does not read (only embedding front ends do).
      {"gpt-2", {"gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0",
                 "mellum", "modern-bert", "mpt", "olmo", "jais", "exaone4", "jina-v1-en", "jina-v2-code",
                 "roberta-bpe"}, gpt2Words, false, true, false},
      {"gpt-2", {"trillion", "granite-docling"}, gpt2Words, false, false, false},
      {"starcoder", {"starcoder", "refact", "codeshell", "exaone", "minerva-7b", "mellum2"}, starcoderWords, false,
       true, false},
      {"starcoder", {"smollm", "command-r"}, starcoderWords, false, false, false},
  };
  return table;
}

const BpePre *findBpePre(const std::string &pre) {
  for (const BpePre &row : bpePres())
    for (const char *name : row.names)
      if (pre == name) return &row;
  return nullptr;
}

// "llama3 (llama3, llama-v3, ...), dbrx (...), ...": the supported names by family.
std::string supportedBpePres() {
  std::string out;
  const char *family = nullptr;
  for (const BpePre &row : bpePres()) {
    const bool same = family && std::string(family) == row.family;
    out += same ? ", " : std::string(family ? "), " : "") + row.family + " (";
    family = row.family;
    for (size_t i = 0; i < row.names.size(); ++i) out += std::string(i ? ", " : "") + row.names[i];
  }
  return out + ")";
}

// Tokens llama.cpp recognises by their text (its load(), as of node-llama-cpp 3.22.1's
// llama.cpp): each list names one role; the first token of the vocabulary with one of the
// texts takes the role when the file did not set it, and becomes a control token. The
// end-of-generation list marks every token it names (and makes it control too).
const std::vector<const char *> kEotTexts = {"<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>",
                                             "<|end_of_text|>", "<EOT>", "_<EOT>", "[EOT]",
                                             "<\xEF\xBD\x9C" "end\xE2\x96\x81" "of\xE2\x96\x81" "sentence\xEF\xBD\x9C>",
                                             "<end_of_utterance>"};
const std::vector<const char *> kEomTexts = {"<|eom_id|>"};
const std::vector<const char *> kFimPreTexts = {"<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>",
                                                "<\xEF\xBD\x9C" "fim\xE2\x96\x81" "begin\xEF\xBD\x9C>", "<PRE>",
                                                "\xE2\x96\x81<PRE>", "<|code_prefix|>", "<|prefix|>"};
const std::vector<const char *> kFimSufTexts = {"<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>",
                                                "<\xEF\xBD\x9C" "fim\xE2\x96\x81" "hole\xEF\xBD\x9C>", "<SUF>",
                                                "\xE2\x96\x81<SUF>", "<|code_suffix|>", "<|suffix|>"};
const std::vector<const char *> kFimMidTexts = {"<|fim_middle|>", "<fim-middle>", "<fim_middle>",
                                                "<\xEF\xBD\x9C" "fim\xE2\x96\x81" "end\xEF\xBD\x9C>", "<MID>",
                                                "\xE2\x96\x81<MID>", "<|code_middle|>", "<|middle|>"};
const std::vector<const char *> kFimPadTexts = {"<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"};
const std::vector<const char *> kFimRepTexts = {"<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"};
const std::vector<const char *> kFimSepTexts = {"<|file_sep|>"};
const std::vector<const char *> kEogTexts = {
    "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>", "<end_of_turn>",
    "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]", "<|end_of_text|>",
    "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>",
    "<\xEF\xBD\x9C" "end\xE2\x96\x81" "of\xE2\x96\x81" "sentence\xEF\xBD\x9C>", "[e~["};

// A run of bytes being merged (SPM and BPE both start from the text's UTF-8 characters):
// the neighbours in a doubly linked list (-1: none) and the bytes it covers.
struct Symbol {
  int prev, next;
  size_t start, n;
};

// One symbol per UTF-8 character of `text` (a truncated last character: its bytes).
std::vector<Symbol> utf8Symbols(std::string_view text) {
  std::vector<Symbol> syms;
  for (size_t off = 0; off < text.size();) {
    const size_t len = std::min(unicode::utf8Length(uint8_t(text[off])), text.size() - off);
    const int idx = int(syms.size());
    syms.push_back({idx - 1, off + len == text.size() ? -1 : idx + 1, off, len});
    off += len;
  }
  return syms;
}

}  // namespace

void TokenizerVocab::setModelDefaults() {
  if (model == "llama") {
    bos = 1, eos = 2, unk = 0, pad = -1;
    addBos = true, addEos = false, addSpacePrefix = true;
  } else {
    bos = eos = unk = pad = -1;
    const BpePre *p = findBpePre(pre);
    addBos = p && p->addBos, addEos = false, addSpacePrefix = false;
  }
}

struct Tokenizer::Fragment {
  int32_t token;          // >= 0: a special token
  std::string_view text;  // else raw text
};

std::unique_ptr<Tokenizer> Tokenizer::create(TokenizerVocab vocab, std::string &error) {
  std::unique_ptr<Tokenizer> t(new Tokenizer());
  t->vocab_ = std::move(vocab);
  TokenizerVocab &v = t->vocab_;
  const size_t n = v.tokens.size();
  if (v.model == "llama") {
    t->spm_ = true;
  } else if (v.model == "gpt2") {
    const BpePre *p = findBpePre(v.pre);
    if (!p) {
      error = "tokenizer: pre-tokenizer '" + v.pre + "' is not supported (supported, by family: " +
              supportedBpePres() + ")";
      return nullptr;
    }
    t->splitWords_ = p->split, t->ignoreMerges_ = p->ignoreMerges, t->cleanSpaces_ = p->cleanSpaces;
  } else {
    error = "tokenizer: model '" + v.model + "' is not supported (supported: llama, gpt2)";
    return nullptr;
  }
  if (n == 0) {
    error = "tokenizer: the vocabulary has no tokens";
    return nullptr;
  }
  if (n > size_t(INT32_MAX)) {
    error = "tokenizer: " + std::to_string(n) + " tokens is more than token ids can address";
    return nullptr;
  }
  if (!v.scores.empty() && v.scores.size() != n) {
    error = "tokenizer: " + std::to_string(v.scores.size()) + " scores for " + std::to_string(n) + " tokens";
    return nullptr;
  }
  if (!v.types.empty() && v.types.size() != n) {
    error = "tokenizer: " + std::to_string(v.types.size()) + " token types for " + std::to_string(n) + " tokens";
    return nullptr;
  }
  for (size_t i = 0; i < v.types.size(); ++i) {
    if (v.types[i] < 0 || v.types[i] > int32_t(TokenType::Byte)) {
      error = "tokenizer: token " + std::to_string(i) + " has type " + std::to_string(v.types[i]) +
              ", not one of 0..6";
      return nullptr;
    }
  }
  for (auto [name, id] : {std::pair<const char *, int32_t &>{"bos", v.bos}, {"eos", v.eos}, {"unk", v.unk},
                          {"pad", v.pad}, {"eot", v.eot}, {"eom", v.eom}}) {
    if (id < -1 || (id >= 0 && size_t(id) >= n)) {
      error = "tokenizer: " + std::string(name) + " token id " + std::to_string(id) + " is outside the vocabulary (" +
              std::to_string(n) + " tokens)";
      return nullptr;
    }
  }
  for (auto [name, ids] : {std::pair<const char *, const std::vector<int32_t> &>{"lstrip", v.lstrip},
                           {"rstrip", v.rstrip}}) {
    for (int32_t id : ids) {
      if (id < 0 || size_t(id) >= n) {
        error = "tokenizer: " + std::string(name) + " token id " + std::to_string(id) +
                " is outside the vocabulary (" + std::to_string(n) + " tokens)";
        return nullptr;
      }
    }
  }
  if (v.addBos && v.bos < 0) {
    error = "tokenizer: add_bos_token is set but there is no BOS token";
    return nullptr;
  }
  if (v.addEos && v.eos < 0) {
    error = "tokenizer: add_eos_token is set but there is no EOS token";
    return nullptr;
  }

  // Token texts: an empty one gets llama.cpp's placeholder; a duplicate is an error (llama.cpp
  // asserts on it), as the id of that text would be ambiguous.
  size_t slots = 16;
  while (slots < 2 * n) slots *= 2;
  t->slots_.assign(slots, -1);
  for (size_t i = 0; i < n; ++i) {
    std::string &text = v.tokens[i];
    if (text.empty()) text = "[EMPTY_" + std::to_string(i) + "]";
    const int32_t other = t->insertText(int32_t(i));
    if (other >= 0) {
      error = "tokenizer: token " + std::to_string(i) + " " + quoted(text) + " duplicates token " +
              std::to_string(other);
      return nullptr;
    }
  }
  if (v.types.empty()) v.types.assign(n, int32_t(TokenType::Normal));
  std::fill(std::begin(t->byteIds_), std::end(t->byteIds_), -1);
  for (size_t i = 0; i < n; ++i) {
    if (v.types[i] != int32_t(TokenType::Byte)) continue;
    const int b = parseByteToken(v.tokens[i]);
    if (b < 0) {
      error = "tokenizer: token " + std::to_string(i) + " " + quoted(v.tokens[i]) +
              " has type byte but is not spelled <0xXX>";
      return nullptr;
    }
    if (t->byteIds_[b] < 0) t->byteIds_[b] = int32_t(i);
  }

  // Merges: "left right", split at the first space after the first byte (llama.cpp's rule).
  // The first occurrence of a pair keeps its rank.
  if (!t->spm_) {
    t->ranks_.reserve(v.merges.size());
    for (size_t r = 0; r < v.merges.size(); ++r) {
      const std::string_view m = v.merges[r];
      const size_t sp = m.size() > 1 ? m.find(' ', 1) : std::string::npos;
      if (sp == std::string::npos) {
        error = "tokenizer: merge " + std::to_string(r) + " " + quoted(v.merges[r]) +
                " is not two tokens separated by a space";
        return nullptr;
      }
      const int32_t left = t->find(m.substr(0, sp)), right = t->find(m.substr(sp + 1));
      if (left < 0 || right < 0) {
        error = "tokenizer: merge " + std::to_string(r) + " " + quoted(v.merges[r]) + " names " +
                quoted(std::string(left < 0 ? m.substr(0, sp) : m.substr(sp + 1))) + ", which is not a token";
        return nullptr;
      }
      t->ranks_.push_back({uint64_t(uint32_t(left)) << 32 | uint32_t(right), int32_t(r)});
    }
    // Sorted by key, then rank: the first occurrence of a pair is the one found.
    std::sort(t->ranks_.begin(), t->ranks_.end());
  }

  // Roles found by text, then end of generation (see kEotTexts).
  auto makeControl = [&](int32_t id) { v.types[id] = int32_t(TokenType::Control); };
  auto byText = [&](const std::vector<const char *> &texts) {
    int32_t best = -1;  // the lowest id among the texts (llama.cpp takes a hash-order first)
    for (const char *text : texts) {
      const int32_t id = t->find(text);
      if (id >= 0 && (best < 0 || id < best)) best = id;
    }
    return best;
  };
  int32_t fimPad = -1, fimRep = -1, fimSep = -1;
  for (auto [role, texts] : {std::pair<int32_t *, const std::vector<const char *> *>{&v.eot, &kEotTexts},
                             {&v.eom, &kEomTexts}, {nullptr, &kFimPreTexts}, {nullptr, &kFimSufTexts},
                             {nullptr, &kFimMidTexts}, {&fimPad, &kFimPadTexts}, {&fimRep, &kFimRepTexts},
                             {&fimSep, &kFimSepTexts}}) {
    if (role && *role >= 0) continue;
    const int32_t id = byText(*texts);
    if (id < 0) continue;
    if (role) *role = id;
    makeControl(id);
  }
  t->isEog_.assign(n, 0);
  for (const char *text : kEogTexts) {
    const int32_t id = t->find(text);
    if (id < 0) continue;
    t->isEog_[id] = 1;
    makeControl(id);
  }
  for (int32_t id : {v.eos, v.eot, v.eom, fimPad, fimRep, fimSep})
    if (id >= 0) t->isEog_[id] = 1;
  for (size_t i = 0; i < n; ++i)
    if (t->isEog_[i]) t->eog_.push_back(int32_t(i));

  // Special tokens, longest text first (ties by id, so the order never depends on the sort).
  for (size_t i = 0; i < n; ++i) {
    const TokenType ty = TokenType(v.types[i]);
    if (ty == TokenType::Control || ty == TokenType::UserDefined || ty == TokenType::Unknown)
      t->special_.push_back(int32_t(i));
  }
  std::stable_sort(t->special_.begin(), t->special_.end(), [&](int32_t a, int32_t b) {
    return v.tokens[a].size() > v.tokens[b].size();
  });
  if (!v.lstrip.empty() || !v.rstrip.empty()) {
    t->strip_.assign(n, 0);
    for (int32_t id : v.lstrip) t->strip_[id] |= kStripLeft;
    for (int32_t id : v.rstrip) t->strip_[id] |= kStripRight;
  }
  return t;
}

TokenType Tokenizer::type(int32_t id) const {
  return id >= 0 && size_t(id) < size() ? TokenType(vocab_.types[id]) : TokenType::Undefined;
}

int32_t Tokenizer::insertText(int32_t id) {
  const size_t mask = slots_.size() - 1;
  for (size_t s = std::hash<std::string_view>()(vocab_.tokens[id]) & mask;; s = (s + 1) & mask) {
    if (slots_[s] < 0) {
      slots_[s] = id;
      return -1;
    }
    if (vocab_.tokens[slots_[s]] == vocab_.tokens[id]) return slots_[s];
  }
}

int32_t Tokenizer::find(std::string_view text) const {
  const size_t mask = slots_.size() - 1;
  for (size_t s = std::hash<std::string_view>()(text) & mask;; s = (s + 1) & mask) {
    if (slots_[s] < 0) return -1;
    if (vocab_.tokens[slots_[s]] == text) return slots_[s];
  }
}

bool Tokenizer::isEog(int32_t id) const { return id >= 0 && size_t(id) < size() && isEog_[id]; }

int Tokenizer::mergeRank(int32_t left, int32_t right) const {
  if (left < 0 || right < 0) return -1;
  const uint64_t key = uint64_t(uint32_t(left)) << 32 | uint32_t(right);
  auto it = std::lower_bound(ranks_.begin(), ranks_.end(), std::pair<uint64_t, int32_t>(key, INT32_MIN));
  return it == ranks_.end() || it->first != key ? -1 : it->second;
}

// Splits the text at special tokens, longest first; each is searched in the raw pieces the
// longer ones left (llama.cpp's tokenizer_st_partition). A token with lstrip / rstrip trims
// the whitespace off the end of the piece before it / the start of the piece after it, only
// within the raw piece it was found in (what an earlier token split off stays), and a piece
// trimmed to nothing disappears.
std::vector<Tokenizer::Fragment> Tokenizer::splitSpecial(std::string_view text, bool parseSpecial) const {
  std::vector<Fragment> frags;
  if (!text.empty()) frags.push_back({-1, text});
  for (int32_t id : special_) {
    const TokenType ty = TokenType(vocab_.types[id]);
    if (!parseSpecial && (ty == TokenType::Control || ty == TokenType::Unknown)) continue;
    const std::string &st = vocab_.tokens[id];
    const uint8_t strip = strip_.empty() ? 0 : strip_[id];
    std::vector<Fragment> next;
    next.reserve(frags.size());
    for (const Fragment &f : frags) {
      if (f.token >= 0) {
        next.push_back(f);
        continue;
      }
      std::string_view rest = f.text;
      for (size_t hit; (hit = rest.find(st)) != std::string_view::npos;) {
        std::string_view left = rest.substr(0, hit);
        if (strip & kStripLeft)
          while (!left.empty() && isCSpace(left.back())) left.remove_suffix(1);
        if (!left.empty()) next.push_back({-1, left});
        next.push_back({id, {}});
        rest.remove_prefix(hit + st.size());
        if (strip & kStripRight)
          while (!rest.empty() && isCSpace(rest.front())) rest.remove_prefix(1);
      }
      if (!rest.empty()) next.push_back({-1, rest});
    }
    frags.swap(next);
  }
  return frags;
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool addSpecial, bool parseSpecial) const {
  std::vector<int32_t> out;
  if (addSpecial && vocab_.addBos) out.push_back(vocab_.bos);
  bool prevSpecial = true;  // SPM: a space is prepended to the first text and after a special token
  for (const Fragment &f : splitSpecial(text, parseSpecial)) {
    if (f.token >= 0) {
      out.push_back(f.token);
      prevSpecial = true;
      continue;
    }
    if (spm_) {
      std::string s = vocab_.addSpacePrefix && prevSpecial ? " " : "";
      s.append(f.text);
      replaceAll(s, " ", kSpaceMark);
      encodeSpm(s, out);
    } else {
      encodeBpe(f.text, out);
    }
    prevSpecial = false;
  }
  if (addSpecial && vocab_.addEos) out.push_back(vocab_.eos);
  return out;
}

int32_t Tokenizer::byteToken(uint8_t byte) const {
  if (byteIds_[byte] >= 0) return byteIds_[byte];
  char hex[8];
  std::snprintf(hex, sizeof hex, "<0x%02X>", byte);
  int32_t id = find(hex);
  if (id < 0) id = find(std::string(1, char(byte)));
  return id;
}

// SentencePiece BPE: start from UTF-8 characters; repeatedly join the adjacent pair whose
// concatenation is the token with the highest score (leftmost on ties); then each piece is
// its token or its bytes.
void Tokenizer::encodeSpm(const std::string &text, std::vector<int32_t> &out) const {
  struct Bigram {
    int left, right;
    float score;
    size_t size;
  };
  auto lower = [](const Bigram &a, const Bigram &b) {  // priority: higher score, then smaller left
    return a.score < b.score || (a.score == b.score && a.left > b.left);
  };
  std::vector<Symbol> syms = utf8Symbols(text);
  std::priority_queue<Bigram, std::vector<Bigram>, decltype(lower)> queue(lower);
  auto tryAdd = [&](int l, int r) {
    if (l < 0 || r < 0) return;
    std::string piece = text.substr(syms[l].start, syms[l].n + syms[r].n);
    const int32_t id = find(piece);
    if (id < 0) return;
    queue.push({l, r, vocab_.scores.empty() ? 0.0f : vocab_.scores[id], piece.size()});
  };
  for (int i = 1; i < int(syms.size()); ++i) tryAdd(i - 1, i);
  while (!queue.empty()) {
    const Bigram b = queue.top();
    queue.pop();
    Symbol &l = syms[b.left], &r = syms[b.right];
    if (l.n == 0 || r.n == 0 || l.n + r.n != b.size) continue;  // stale
    l.n += r.n;
    r.n = 0;
    l.next = r.next;
    if (r.next >= 0) syms[r.next].prev = b.left;
    tryAdd(l.prev, b.left);
    tryAdd(b.left, l.next);
  }
  // Every joined piece is a token (a pair is only queued when it is one), so a final piece
  // that is not a token is a single character the vocabulary lacks: its bytes, as <0xXX>
  // tokens (llama.cpp's resegment reduces to this), or <unk> where those are missing.
  for (int i = syms.empty() ? -1 : 0; i != -1; i = syms[i].next) {
    const int32_t id = find(std::string_view(text).substr(syms[i].start, syms[i].n));
    if (id >= 0) {
      out.push_back(id);
      continue;
    }
    for (size_t j = 0; j < syms[i].n; ++j) {
      const int32_t b = byteToken(uint8_t(text[syms[i].start + j]));
      if (b >= 0 || vocab_.unk >= 0) out.push_back(b >= 0 ? b : vocab_.unk);
    }
  }
}

void Tokenizer::encodeBpe(std::string_view text, std::vector<int32_t> &out) const {
  const std::vector<uint32_t> cps = unicode::decodeUtf8(text);
  const ByteMap &bm = byteMap();
  for (auto [b, e] : splitWords_(cps)) {
    std::string utf8, word;
    for (size_t i = b; i < e; ++i) unicode::appendUtf8(utf8, cps[i]);
    for (unsigned char c : utf8) unicode::appendUtf8(word, bm.toCp[c]);
    bpeWord(word, out);
  }
}

// Byte-level BPE within one word: start from its characters; repeatedly apply the merge of
// lowest rank among adjacent pairs (leftmost on ties); each final piece is its token, or
// else the tokens of its single bytes where those exist.
void Tokenizer::bpeWord(const std::string &word, std::vector<int32_t> &out) const {
  if (ignoreMerges_) {
    const int32_t id = find(word);
    if (id >= 0) {
      out.push_back(id);
      return;
    }
  }
  struct Bigram {
    int left, right, rank;
    std::string text;
  };
  auto lower = [](const Bigram &a, const Bigram &b) {  // priority: lower rank, then smaller left
    return a.rank > b.rank || (a.rank == b.rank && a.left > b.left);
  };
  std::vector<Symbol> syms = utf8Symbols(word);
  std::priority_queue<Bigram, std::vector<Bigram>, decltype(lower)> queue(lower);
  auto tryAdd = [&](int l, int r) {
    if (l < 0 || r < 0) return;
    const int rank = mergeRank(find(std::string_view(word).substr(syms[l].start, syms[l].n)),
                               find(std::string_view(word).substr(syms[r].start, syms[r].n)));
    if (rank < 0) return;
    queue.push({l, r, rank, word.substr(syms[l].start, syms[l].n + syms[r].n)});
  };
  for (int i = 1; i < int(syms.size()); ++i) tryAdd(i - 1, i);
  while (!queue.empty()) {
    const Bigram b = queue.top();
    queue.pop();
    Symbol &l = syms[b.left], &r = syms[b.right];
    if (l.n == 0 || r.n == 0 || l.n + r.n != b.text.size() ||
        word.compare(l.start, l.n + r.n, b.text) != 0 || l.next != b.right)
      continue;  // stale
    l.n += r.n;
    r.n = 0;
    l.next = r.next;
    if (r.next >= 0) syms[r.next].prev = b.left;
    tryAdd(l.prev, b.left);
    tryAdd(b.left, l.next);
  }
  for (const Symbol &s : syms) {
    if (s.n == 0) continue;
    const int32_t id = find(std::string_view(word).substr(s.start, s.n));
    if (id >= 0) {
      out.push_back(id);
      continue;
    }
    for (size_t j = 0; j < s.n; ++j) {  // as llama.cpp: single bytes that are tokens, others dropped
      const int32_t b = find(std::string_view(word).substr(s.start + j, 1));
      if (b >= 0) out.push_back(b);
    }
  }
}

bool Tokenizer::tokenToPiece(int32_t id, std::string &out, bool special, std::string &error) const {
  out.clear();
  if (id < 0 || size_t(id) >= size()) {
    error = "token id " + std::to_string(id) + " is outside the vocabulary (0.." + std::to_string(size() - 1) + ")";
    return false;
  }
  const std::string &text = vocab_.tokens[id];
  switch (TokenType(vocab_.types[id])) {
  case TokenType::Control:
  case TokenType::Unknown:
    if (special) out = text;
    return true;
  case TokenType::UserDefined:
    out = text;
    return true;
  case TokenType::Byte:
    out.assign(1, char(parseByteToken(text)));
    return true;
  case TokenType::Normal:
    break;
  default:  // unused and undefined tokens print nothing, as in llama.cpp
    return true;
  }
  if (spm_) {
    out = text;
    replaceAll(out, kSpaceMark, " ");
    return true;
  }
  // Undo the byte mapping; a code point outside it is kept as llama.cpp shows it.
  const ByteMap &bm = byteMap();
  for (uint32_t cp : unicode::decodeUtf8(text)) {
    if (cp < 512 && bm.toByte[cp] >= 0) {
      out += char(bm.toByte[cp]);
    } else {
      std::string utf8;
      unicode::appendUtf8(utf8, cp);
      out += "[UNK_BYTE_0x";
      for (unsigned char c : utf8) {
        char buf[4];
        std::snprintf(buf, sizeof buf, "%02x", c);
        out += buf;
      }
      out += text + "]";
    }
  }
  return true;
}

bool Tokenizer::decode(const std::vector<int32_t> &ids, std::string &out, std::string &error, bool special) const {
  out.clear();
  std::string piece;
  bool stripSpace = vocab_.addSpacePrefix;  // the space encode put before the first text
  for (int32_t id : ids) {
    if (!tokenToPiece(id, piece, special, error)) return false;
    if (stripSpace && !piece.empty() && piece[0] == ' ') piece.erase(0, 1);
    stripSpace = false;
    out += piece;
  }
  if (!cleanSpaces_ || out.empty()) return true;
  // llama.cpp's clean-up, in its three passes: " ?", " !", " .", " ," lose the space; a lone
  // apostrophe between spaces loses both; " 's", " 'm", " 're", " 've" lose the space.
  std::string s;
  s += out[0];
  for (size_t i = 1; i < out.size(); ++i) {
    const char x = out[i];
    if (out[i - 1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ',')) s.pop_back();
    s += x;
  }
  std::string s2;
  s2 += s[0];
  for (size_t i = 1; i < s.size(); ++i) {
    const char x = s[i];
    if (x == '\'' && i + 1 < s.size() && s[i - 1] == ' ' && s[i + 1] == ' ') {
      s2.pop_back();
      s2 += x;
      ++i;  // and the space after it
      continue;
    }
    s2 += x;
  }
  std::string s3;
  s3 += s2[0];
  for (size_t i = 1; i < s2.size(); ++i) {
    const char x = s2[i];
    if (s2[i - 1] == ' ' && x == '\'' && i + 1 < s2.size()) {
      const char x1 = s2[i + 1];
      const bool drop = x1 == 's' || x1 == 'm' ||
                        (i + 2 < s2.size() && ((x1 == 'r' && s2[i + 2] == 'e') || (x1 == 'v' && s2[i + 2] == 'e')));
      if (drop) s3.pop_back();
    }
    s3 += x;
  }
  out.swap(s3);
  return true;
}

bool TokenStreamDecoder::push(int32_t id, std::string &text, std::string &error) {
  std::string piece;
  if (!tokenizer_.tokenToPiece(id, piece, special_, error)) return false;
  pending_ += piece;
  const size_t n = unicode::completeUtf8Prefix(pending_);
  text = pending_.substr(0, n);
  pending_.erase(0, n);
  return true;
}

std::string TokenStreamDecoder::finish() {
  std::string rest;
  rest.swap(pending_);
  return rest;
}

}  // namespace edgec
