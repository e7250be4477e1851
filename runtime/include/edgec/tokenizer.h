// Text <-> token ids for language models, as llama.cpp's llama-vocab.cpp does it, from the
// vocabulary a GGUF file carries (tokenizer.ggml.*; the compiler's vocabFromGguf reads it).
// Plain C++17, no exceptions across the API: construction and decoding report errors as
// strings, encoding accepts any bytes.
//
// Two models:
//  * "llama": SentencePiece-style BPE with scores. A space is prepended to each text run
//    that starts the input or follows a special token (add_space_prefix), spaces become
//    U+2581, adjacent symbols merge while some pair is a token (highest score first), and
//    what never became a token falls back to its bytes (<0xXX> tokens).
//  * "gpt2": byte-level BPE with ranked merges. The text is split into words by the
//    pre-tokenizer regex of `pre` (llama.cpp's LLAMA3, DBRX, QWEN2, GPT4O, TEKKEN, GPT2 and
//    STARCODER families, hand-written over Unicode classes, see unicode_tables.inc and
//    pretokenize.h), each word's bytes are mapped to printable code points (GPT-2's
//    bytes_to_unicode) and merged by rank.
// In both, special tokens (control, unknown and user-defined types) are matched in the raw
// text first, longest first: control and unknown ones only when parseSpecial is set,
// user-defined ones always; a match with the lstrip / rstrip attribute drops the whitespace
// before / after it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace edgec {

// tokenizer.ggml.token_type values (llama.cpp's llama_token_type).
enum class TokenType : int32_t {
  Undefined = 0,
  Normal = 1,
  Unknown = 2,
  Control = 3,
  UserDefined = 4,  // added tokens that are not special
  Unused = 5,
  Byte = 6,  // <0xXX>
};

// Everything a Tokenizer is built from; the GGUF keys in brackets.
struct TokenizerVocab {
  std::string model;  // "llama" or "gpt2" [tokenizer.ggml.model]
  std::string pre;    // the pre-tokenizer of a gpt2 vocabulary [tokenizer.ggml.pre]
  std::vector<std::string> tokens;   // [tokenizer.ggml.tokens]
  std::vector<float> scores;         // one per token, or empty (all 0) [tokenizer.ggml.scores]
  std::vector<int32_t> types;        // TokenType per token, or empty (all normal) [.token_type]
  std::vector<std::string> merges;   // "left right", by rank (gpt2) [tokenizer.ggml.merges]
  int32_t bos = -1, eos = -1, unk = -1, pad = -1;  // -1: none [tokenizer.ggml.bos_token_id ...]
  int32_t eot = -1, eom = -1;                      // end of turn / message, when set
  bool addBos = false, addEos = false;            // [tokenizer.ggml.add_bos_token ...]
  bool addSpacePrefix = false;                    // [tokenizer.ggml.add_space_prefix]
  // Special tokens that swallow the whitespace (ASCII isspace bytes) to their left / right
  // when matched in the text: llama.cpp's LSTRIP / RSTRIP token attributes. GGUF files do
  // not carry them; llama.cpp sets them by model name (e.g. RSTRIP on Phi-3's special
  // tokens) and the compiler's vocabFromGguf derives them the same way. Ids, any order.
  // [tokenizer.edgec.lstrip, tokenizer.edgec.rstrip: edgec's own keys]
  std::vector<int32_t> lstrip, rstrip;

  // llama.cpp's defaults for a model name, before the file's keys override them: "llama":
  // bos 1, eos 2, unk 0, addBos and addSpacePrefix on; "gpt2": none, except addBos for the
  // llama3 family of `pre`. Call after setting model and pre.
  void setModelDefaults();
};

class Tokenizer {
public:
  // Validates `vocab` (a known model and pre-tokenizer, sizes of scores/types, special and
  // lstrip/rstrip ids in range, byte tokens spelled <0xXX>, merges of two known tokens, no duplicate token)
  // and builds the look-up tables. Null with one line in `error` on a problem.
  static std::unique_ptr<Tokenizer> create(TokenizerVocab vocab, std::string &error);

  // addSpecial: BOS / EOS as the vocabulary asks (addBos, addEos). parseSpecial: control
  // tokens written in the text (e.g. "<s>", "<|im_start|>") become their ids; otherwise
  // they are tokenized as plain text. Invalid UTF-8 is accepted (as llama.cpp does: a
  // "llama" vocabulary encodes the bytes, a "gpt2" one reads each bad byte as U+FFFD).
  std::vector<int32_t> encode(std::string_view text, bool addSpecial, bool parseSpecial) const;

  // The bytes of one token (possibly part of a UTF-8 character): the text with U+2581 as
  // space ("llama") or GPT-2's byte mapping undone ("gpt2"), a byte token's byte; control
  // and unknown tokens give their text when `special`, else nothing. False with `error`
  // for an id outside [0, size()).
  bool tokenToPiece(int32_t id, std::string &out, bool special, std::string &error) const;

  // The text of a sequence (llama_detokenize without removing BOS/EOS): the pieces joined;
  // for "llama" the first piece loses one leading space (the prefix encode added); for the
  // gpt2 vocabularies whose llama.cpp pre-tokenizer cleans spaces (llama3 and default), " ?",
  // " !", " .", " ," and the contractions lose their space.
  bool decode(const std::vector<int32_t> &ids, std::string &out, std::string &error,
              bool special = false) const;

  // End of generation: EOS, EOT, EOM, and the control tokens llama.cpp treats so by their
  // text ("<|im_end|>", "<|eot_id|>", "<|endoftext|>", ...).
  bool isEog(int32_t id) const;
  const std::vector<int32_t> &eogIds() const { return eog_; }

  size_t size() const { return vocab_.tokens.size(); }
  const TokenizerVocab &vocab() const { return vocab_; }
  TokenType type(int32_t id) const;
  // The id of an exact token text, or -1.
  int32_t find(std::string_view text) const;

private:
  Tokenizer() = default;
  struct Fragment;
  std::vector<Fragment> splitSpecial(std::string_view text, bool parseSpecial) const;
  void encodeSpm(const std::string &text, std::vector<int32_t> &out) const;
  void encodeBpe(std::string_view text, std::vector<int32_t> &out) const;
  void bpeWord(const std::string &word, std::vector<int32_t> &out) const;
  int32_t byteToken(uint8_t byte) const;
  int mergeRank(int32_t left, int32_t right) const;

  TokenizerVocab vocab_;
  bool spm_ = false;
  // gpt2: the pre-tokenizer of `pre` ([begin, end) code-point ranges of the words).
  std::vector<std::pair<size_t, size_t>> (*splitWords_)(const std::vector<uint32_t> &) = nullptr;
  bool ignoreMerges_ = false;  // llama3, tekken: a word that is a token is taken whole
  bool cleanSpaces_ = false;
  // Token text -> id: open addressing over vocab_.tokens (ids, -1 empty), a power of two
  // at least twice the vocabulary; cheaper to build than a node-based map of 150k entries.
  std::vector<int32_t> slots_;
  // (left id << 32 | right id, merge rank), sorted by key.
  std::vector<std::pair<uint64_t, int32_t>> ranks_;
  int32_t insertText(int32_t id);  // -1, or the id already holding that text
  std::vector<int32_t> special_;  // control / user-defined / unknown ids, longest text first
  enum : uint8_t { kStripLeft = 1, kStripRight = 2 };
  std::vector<uint8_t> strip_;  // per token, from vocab_.lstrip / rstrip; empty when none
  std::vector<int32_t> eog_;
  std::vector<uint8_t> isEog_;
  int32_t byteIds_[256];  // "llama": the <0xXX> token of each byte, or -1
};

// Turns a stream of token ids into complete UTF-8 text for printing as tokens arrive: a
// character split across tokens is held back until its last byte comes. Bytes that cannot
// start or continue a valid character are passed through as they are.
class TokenStreamDecoder {
public:
  explicit TokenStreamDecoder(const Tokenizer &tokenizer, bool special = false)
      : tokenizer_(tokenizer), special_(special) {}
  // The text that became complete with `id`; false with `error` for an invalid id.
  bool push(int32_t id, std::string &text, std::string &error);
  // Whatever is still held (an incomplete character at the end of the stream).
  std::string finish();

private:
  const Tokenizer &tokenizer_;
  bool special_;
  std::string pending_;
};

}  // namespace edgec
