// `edgec inspect model.gguf`: what a GGUF file holds: version, architecture and its
// hyper-parameters, general.*, a tokenizer summary, other metadata, and the tensors by
// type (each tensor with --tensors). Arrays are summarised unless --metadata is given.
// The output depends only on the file: keys sorted within each group, tensors in file order.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

#include "Commands.h"
#include "edgec/GgufFile.h"

namespace edgec::cli {

namespace {

using gguf::ArrayValue;
using gguf::GgufFile;
using gguf::Value;
using gguf::ValueType;

// Strings quoted, with control bytes, quotes and backslashes escaped (UTF-8 kept), so a
// token such as "\n" or a chat template stays on one line.
std::string quote(llvm::StringRef s, size_t maxBytes) {
  std::string out = "\"";
  size_t n = std::min(s.size(), maxBytes);
  for (size_t i = 0; i < n; ++i) {
    const unsigned char c = s[i];
    if (c == '"' || c == '\\') out += '\\', out += char(c);
    else if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else
      out += char(c);
  }
  out += "\"";
  if (n < s.size()) out += "... (" + std::to_string(s.size()) + " bytes)";
  return out;
}

// The shortest decimal that reads back as the same value (as float for f32), so that
// 1e-5f prints as 1e-05 and not 9.99999975e-06.
std::string number(double v, bool isF32) {
  char buf[40];
  for (int precision = 6; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    const double back = std::strtod(buf, nullptr);
    if (isF32 ? float(back) == float(v) : back == v) break;
  }
  return buf;
}

std::string scalar(const Value &v, size_t maxString) {
  if (const llvm::StringRef *s = v.asString()) return quote(*s, maxString);
  if (const bool *b = std::get_if<bool>(&v.data)) return *b ? "true" : "false";
  if (const uint64_t *u = std::get_if<uint64_t>(&v.data)) return std::to_string(*u);
  if (const int64_t *i = std::get_if<int64_t>(&v.data)) return std::to_string(*i);
  if (const double *d = std::get_if<double>(&v.data)) return number(*d, v.type == ValueType::F32);
  return "?";
}

std::string arrayType(const ArrayValue &a) {
  return "array of " + std::to_string(a.size()) + " " + gguf::valueTypeName(a.elementType);
}

// Default: arrays as "array of N type", strings cut at 80 bytes. Full (--metadata): every
// item, every byte.
std::string valueText(const Value &v, bool full) {
  const ArrayValue *a = v.asArray();
  if (!a) return scalar(v, full ? std::string::npos : 80);
  if (!full) return "[" + arrayType(*a) + "]";
  std::string out = "[";
  for (size_t i = 0; i < a->size(); ++i) out += (i ? ", " : "") + valueText(a->at(i), true);
  return out + "]";
}

void printKeys(const char *title, std::vector<const gguf::KeyValue *> keys, bool full) {
  if (keys.empty()) return;
  std::sort(keys.begin(), keys.end(), [](auto *x, auto *y) { return x->key < y->key; });
  std::printf("%s:\n", title);
  for (const gguf::KeyValue *kv : keys)
    std::printf("  %-40s %s\n", kv->key.str().c_str(), valueText(kv->value, full).c_str());
}

// tokenizer.ggml.*: the model, the vocabulary and merges as counts, and the special token
// ids with their strings; the remaining tokenizer keys as other metadata.
void printTokenizer(const GgufFile &f, std::vector<const gguf::KeyValue *> &rest) {
  const Value *model = f.find("tokenizer.ggml.model");
  const Value *tokens = f.find("tokenizer.ggml.tokens");
  const ArrayValue *vocab = tokens ? tokens->asArray() : nullptr;
  if (vocab && vocab->elementType != ValueType::String) vocab = nullptr;
  if (!model && !tokens) return;
  std::printf("tokenizer:\n");
  if (model) std::printf("  %-12s %s\n", "model", valueText(*model, false).c_str());
  if (vocab) std::printf("  %-12s %zu tokens\n", "vocabulary", vocab->size());
  else if (tokens) std::printf("  %-12s tokenizer.ggml.tokens is a %s, not an array of str\n", "vocabulary",
                               tokens->asArray() ? arrayType(*tokens->asArray()).c_str()
                                                 : gguf::valueTypeName(tokens->type));
  if (const Value *merges = f.find("tokenizer.ggml.merges"))
    std::printf("  %-12s %s\n", "merges",
                merges->asArray() ? std::to_string(merges->asArray()->size()).c_str() : "(not an array)");
  const char *special[] = {"bos", "eos", "unknown", "padding", "separator"};
  for (const char *name : special) {
    const std::string key = std::string("tokenizer.ggml.") + name + "_token_id";
    const Value *id = f.find(key);
    if (!id) continue;
    uint64_t index;
    std::string text = valueText(*id, false);
    if (id->asU64(index) && vocab && index < vocab->size())
      text += " " + quote(vocab->strings[size_t(index)], 80);
    else if (vocab)
      text += " (not a token of the vocabulary)";
    std::printf("  %-12s %s\n", name, text.c_str());
  }
  rest.erase(std::remove_if(rest.begin(), rest.end(), [](const gguf::KeyValue *kv) {
    llvm::StringRef k = kv->key;
    return k == "tokenizer.ggml.model" || k == "tokenizer.ggml.tokens" || k == "tokenizer.ggml.merges" ||
           (k.starts_with("tokenizer.ggml.") && k.ends_with("_token_id"));
  }), rest.end());
}

void printTensorTable(const GgufFile &f) {
  std::printf("tensors (shape in ggml order [ne0, ne1, ...]: ne0 is the innermost, contiguous dimension):\n");
  std::printf("  %-32s %-5s %-24s %12s %12s\n", "name", "type", "shape", "bytes", "offset");
  for (const gguf::TensorInfo &t : f.tensors()) {
    std::string shape = "[";
    for (uint32_t i = 0; i < t.nDims; ++i) shape += (i ? ", " : "") + std::to_string(t.ne[i]);
    shape += "]";
    std::printf("  %-32s %-5s %-24s %12llu %12llu\n", t.name.str().c_str(), t.dtype->name, shape.c_str(),
                (unsigned long long)t.bytes, (unsigned long long)t.offset);
  }
}

void printTotals(const GgufFile &f) {
  std::map<std::string, std::pair<uint64_t, uint64_t>> byType;  // name -> tensors, bytes
  uint64_t bytes = 0, params = 0;
  for (const gguf::TensorInfo &t : f.tensors()) {
    auto &[count, typeBytes] = byType[t.dtype->name];
    ++count;
    typeBytes += t.bytes;
    bytes += t.bytes;
    params += t.numel;
  }
  std::printf("tensor data:\n");
  for (const auto &[name, v] : byType)
    std::printf("  %-6s %5llu tensors %14llu bytes\n", name.c_str(), (unsigned long long)v.first,
                (unsigned long long)v.second);
  std::printf("  %-6s %5zu tensors %14llu bytes (%.2f MiB), %llu parameters\n", "total", f.tensors().size(),
              (unsigned long long)bytes, double(bytes) / (1024.0 * 1024.0), (unsigned long long)params);
}

}  // namespace

bool isGgufFile(const std::string &path) {
  if (llvm::StringRef(path).ends_with_insensitive(".gguf")) return true;
  char magic[4] = {};
  FILE *file = std::fopen(path.c_str(), "rb");
  if (!file) return false;
  const size_t n = std::fread(magic, 1, 4, file);
  std::fclose(file);
  return n == 4 && std::memcmp(magic, "GGUF", 4) == 0;
}

void inspectGguf(const std::string &path, bool listTensors, bool allMetadata) {
  std::string error;
  std::unique_ptr<GgufFile> f = GgufFile::open(path, error);
  if (!f) throw CommandError(error);
  std::printf("gguf:         %s\n", path.c_str());
  std::printf("version:      %u\n", f->version());
  std::printf("architecture: %s\n", f->arch().str().c_str());
  std::printf("alignment:    %llu%s; tensor data from byte %llu of %llu\n", (unsigned long long)f->alignment(),
              f->find("general.alignment") ? "" : " (the default)", (unsigned long long)f->dataOffset(),
              (unsigned long long)f->fileSize());
  if (allMetadata) {
    // Every key in file order, arrays and strings in full.
    std::printf("metadata (%zu keys):\n", f->metadata().size());
    for (const gguf::KeyValue &kv : f->metadata())
      std::printf("  %-40s %s %s\n", kv.key.str().c_str(),
                  kv.value.asArray() ? arrayType(*kv.value.asArray()).c_str() : gguf::valueTypeName(kv.value.type),
                  valueText(kv.value, true).c_str());
  } else {
    std::vector<const gguf::KeyValue *> general, hyper, tokenizer, other;
    const std::string archPrefix = f->arch().str() + ".";
    for (const gguf::KeyValue &kv : f->metadata()) {
      if (kv.key == "general.architecture" || kv.key == "general.alignment") continue;
      if (kv.key.starts_with("general.")) general.push_back(&kv);
      else if (kv.key.starts_with(archPrefix)) hyper.push_back(&kv);
      else if (kv.key.starts_with("tokenizer.")) tokenizer.push_back(&kv);
      else other.push_back(&kv);
    }
    printKeys("general", general, false);
    printKeys(("hyper-parameters (" + archPrefix + "*)").c_str(), hyper, false);
    printTokenizer(*f, tokenizer);
    printKeys(tokenizer.size() == 1 ? "other tokenizer key" : "other tokenizer keys", tokenizer, false);
    printKeys("other metadata", other, false);
  }
  if (listTensors) printTensorTable(*f);
  printTotals(*f);
}

}  // namespace edgec::cli
