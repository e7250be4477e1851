// The pre-tokenizer of byte-level BPE vocabularies: splits text (as code points) into the
// words BPE merges within. One hand-written matcher for the regex that Llama 3 and Qwen2
// share (as in their tokenizer.json, and llama.cpp's LLAMA3 / QWEN2 pre-types):
//   (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,K}| ?[^\s\p{L}\p{N}]+[\r\n]*
//   |\s*[\r\n]+|\s+(?!\S)|\s+
// with K = 3 (Llama 3) or 1 (Qwen2). Alternatives are tried in order at each position, the
// first that matches wins (leftmost-first, like the regex engines that define them).
// Further matchers reproduce llama.cpp's GPT4O and TEKKEN pre-types (splitGpt4oWords,
// splitTekkenWords) and its GPT2 and STARCODER ones (splitGpt2Words).
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace edgec {

// [begin, end) code-point ranges covering `cps` in order.
std::vector<std::pair<size_t, size_t>> splitLlama3Words(const std::vector<uint32_t> &cps, int maxDigits);

// llama.cpp's GPT4O pre-type, which it runs through std::regex (ECMAScript: ordered
// alternation, greedy backtracking quantifiers) on a text where every non-ASCII letter is
// the same byte:
//   [^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))*((?=[\p{L}])([^A-Z]))+
//     (?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?
//   |[^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))+((?=[\p{L}])([^A-Z]))*(?:'[sS]|...|'[dD])?
//   |\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
// So an "upper" letter is any letter but a-z and a "lower" one any letter but A-Z: a
// non-ASCII letter is both, and "ÉCOLE" splits as "É", "COLE" (HF's tokenizers, which
// know the cases, keep it whole).
std::vector<std::pair<size_t, size_t>> splitGpt4oWords(const std::vector<uint32_t> &cps);

// llama.cpp's TEKKEN pre-type (Mistral Nemo, Ministral, Mistral Small 3): GPT4O's regex, read
// the same way, without the contractions after the letters and with single digits:
//   [^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))*((?=[\p{L}])([^A-Z]))+
//   |[^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))+((?=[\p{L}])([^A-Z]))*
//   |\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
std::vector<std::pair<size_t, size_t>> splitTekkenWords(const std::vector<uint32_t> &cps);

// The classic GPT-2 regex (llama.cpp's GPT2 pre-type: GPT-2, OLMo, MPT, ...):
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)
// as llama.cpp's hand-written splitter for it runs (contractions lower case only; a space
// run before a word leaves its last space to the word). With digitsAlone, llama.cpp's
// STARCODER pre-type (SmolLM, StarCoder, Granite 3, Command R, ...): \p{N} first, so every
// number character is a word of its own and the GPT-2 regex splits the text between them.
std::vector<std::pair<size_t, size_t>> splitGpt2Words(const std::vector<uint32_t> &cps, bool digitsAlone);

}  // namespace edgec
