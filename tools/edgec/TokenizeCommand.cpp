// `edgec tokenize model.gguf --text "..."`: the model's tokenizer on a text, as llama.cpp
// would tokenize it (ids and pieces, or just the ids), and `--decode 1,2,3` the other way.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "Commands.h"
#include "edgec/GgufFile.h"
#include "edgec/GgufTokenizer.h"

namespace edgec::cli {

namespace {

// A piece on one line: quotes, backslashes and control bytes escaped; bytes that do not
// form complete UTF-8 characters (a byte token, half of a character) as \xNN.
std::string quotePiece(const std::string &s) {
  std::string out = "'";
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = s[i];
    size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    bool whole = len > 0 && i + len <= s.size();
    for (size_t k = 1; whole && k < len; ++k) whole = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (len == 1 && (c == '\'' || c == '\\')) {
      out += '\\', out += char(c);
    } else if (len == 1 && c == '\n') {
      out += "\\n";
    } else if (len == 1 && c == '\t') {
      out += "\\t";
    } else if (len == 1 && c == '\r') {
      out += "\\r";
    } else if (whole && (len > 1 || (c >= 0x20 && c != 0x7f))) {
      out.append(s, i, len);
      i += len;
      continue;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
    i += 1;
  }
  return out + "'";
}

std::vector<int32_t> parseIds(const std::string &list) {
  std::vector<int32_t> ids;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) {
    while (!item.empty() && item.front() == ' ') item.erase(0, 1);
    while (!item.empty() && item.back() == ' ') item.pop_back();
    char *end = nullptr;
    const long long v = std::strtoll(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || v < INT32_MIN || v > INT32_MAX)
      throw CommandError("--decode: '" + item + "' is not a token id (expected a comma-separated list like 1,2,3)");
    ids.push_back(int32_t(v));
  }
  return ids;
}

}  // namespace

void addTokenizeCommand(CLI::App &app) {
  auto *cmd = app.add_subcommand("tokenize", "Encode a text with a GGUF model's tokenizer (as llama.cpp does), or "
                                             "decode token ids");
  struct Options {
    std::string path, text, decode;
    std::vector<std::string> textFiles;
    bool noSpecial = false, noBos = false, idsOnly = false, special = false;
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("file", o->path, "GGUF model (.gguf) with tokenizer.ggml.* metadata")->required();
  auto *text = cmd->add_option("--text", o->text, "The text to encode");
  auto *file = cmd->add_option("--text-file", o->textFiles,
                               "Encode the bytes of this file instead (repeatable: one result per file, in order)");
  auto *decode = cmd->add_option("--decode", o->decode, "Decode these comma-separated token ids (e.g. 1,2,3)");
  text->excludes(file)->excludes(decode);
  file->excludes(decode);
  cmd->add_flag("--no-special", o->noSpecial,
                "Plain text: special tokens written in it (<s>, <|im_start|>) are not parsed, and no BOS/EOS is added");
  cmd->add_flag("--no-bos", o->noBos, "Do not add the BOS (or EOS) token the vocabulary asks for");
  cmd->add_flag("--ids", o->idsOnly, "Print only the ids, comma-separated on one line (what --decode reads)");
  cmd->add_flag("--special", o->special, "--decode: print control tokens' text (<s>, <|im_end|>) instead of nothing");
  cmd->callback([o, text, file, decode] {
    if (!*text && !*file && !*decode) throw CommandError("tokenize needs --text, --text-file or --decode");
    std::string error;
    std::unique_ptr<gguf::GgufFile> gguf = gguf::GgufFile::open(o->path, error);
    if (!gguf) throw CommandError(error);
    std::unique_ptr<Tokenizer> tok = tokenizerFromGguf(*gguf, error);
    if (!tok) throw CommandError(error);

    if (*decode) {
      std::string out;
      if (!tok->decode(parseIds(o->decode), out, error, o->special)) throw CommandError("--decode: " + error);
      std::fwrite(out.data(), 1, out.size(), stdout);
      std::fputc('\n', stdout);
      return;
    }
    std::vector<std::string> inputs;
    if (*text) inputs.push_back(o->text);
    for (const std::string &path : o->textFiles) {
      std::ifstream in(path, std::ios::binary);
      if (!in) throw CommandError(path + ": cannot open");
      std::stringstream ss;
      ss << in.rdbuf();
      inputs.push_back(ss.str());
    }
    for (size_t f = 0; f < inputs.size(); ++f) {
      const std::vector<int32_t> ids = tok->encode(inputs[f], !o->noSpecial && !o->noBos, !o->noSpecial);
      if (o->idsOnly) {  // one line per input
        for (size_t i = 0; i < ids.size(); ++i) std::printf("%s%d", i ? "," : "", ids[i]);
        std::printf("\n");
        continue;
      }
      if (inputs.size() > 1) std::printf("%s# %s\n", f ? "\n" : "", o->textFiles[f].c_str());
      std::string piece;
      for (int32_t id : ids) {
        if (!tok->tokenToPiece(id, piece, /*special=*/true, error)) throw CommandError(error);
        std::printf("%6d %s\n", id, quotePiece(piece).c_str());
      }
      std::printf("%zu tokens\n", ids.size());
    }
  });
}

}  // namespace edgec::cli
