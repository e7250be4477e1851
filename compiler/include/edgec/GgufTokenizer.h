// The tokenizer vocabulary of a GGUF file (its tokenizer.ggml.* keys) as the runtime's
// TokenizerVocab, with llama.cpp's defaults for the keys a file leaves out. See
// runtime/include/edgec/tokenizer.h for what is done with it and docs/gguf.md.
#pragma once

#include <memory>
#include <string>

#include "edgec/GgufFile.h"
#include "edgec/tokenizer.h"

namespace edgec {

// False with one line in `error` (naming the file and the key) when the tokenizer keys are
// missing, of the wrong type, or inconsistent (scores or token types not one per token, an
// id that does not fit). Does not check what Tokenizer::create checks. Also sets
// vocab.lstrip / rstrip as llama.cpp sets its per-token attributes by model name
// (general.name, tokenizer.ggml.pre, general.architecture; e.g. RSTRIP on the special
// tokens of a Phi-3 model).
bool vocabFromGguf(const gguf::GgufFile &file, TokenizerVocab &vocab, std::string &error);

// vocabFromGguf, then Tokenizer::create; the error names the file either way.
std::unique_ptr<Tokenizer> tokenizerFromGguf(const gguf::GgufFile &file, std::string &error);

}  // namespace edgec
