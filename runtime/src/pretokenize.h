// The pre-tokenizer of byte-level BPE vocabularies: splits text (as code points) into the
// words BPE merges within. One hand-written matcher for the regex that Llama 3 and Qwen2
// share (as in their tokenizer.json, and llama.cpp's LLAMA3 / QWEN2 pre-types):
//   (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,K}| ?[^\s\p{L}\p{N}]+[\r\n]*
//   |\s*[\r\n]+|\s+(?!\S)|\s+
// with K = 3 (Llama 3) or 1 (Qwen2). Alternatives are tried in order at each position, the
// first that matches wins (leftmost-first, like the regex engines that define them).
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace edgec {

// [begin, end) code-point ranges covering `cps` in order.
std::vector<std::pair<size_t, size_t>> splitLlama3Words(const std::vector<uint32_t> &cps, int maxDigits);

}  // namespace edgec
