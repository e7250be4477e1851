// `edgec inspect`: what a package holds and needs.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>

#include "Commands.h"
#include "edgec/chat_template.h"
#include "edgec/npy.h"
#include "edgec/runtime.hpp"
#include "model.h"

namespace edgec::cli {

namespace {

const char *storageName(pkg::Storage s) {
  switch (s) {
  case pkg::Storage::Constant: return "const";
  case pkg::Storage::State: return "state";
  default: return "arena";
  }
}

std::string fmt(const char *format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// "int8 per-tensor scale 0.0147 zero point -3", "int8 per-axis 0: 16 scales 0.0021..0.0043",
// "int4 blockwise axis 1, groups of 32: 2048 scales"; "" for a plain tensor.
std::string quantDescription(const rt::LoadedModel &model, uint32_t index) {
  const pkg::Tensor &t = *model.plan().tensors()->Get(index);
  const pkg::QuantInfo *q = t.quant();
  if (!q || q->scheme() == pkg::QuantScheme::None) return "";
  const pkg::Tensor &scales = *model.plan().tensors()->Get(uint32_t(q->scales_tensor()));
  const size_t n = size_t(scales.size() / (scales.dtype() == pkg::DType::f32 ? 4 : 2));
  auto scaleAt = [&](size_t i) {
    const uint8_t *p = model.constants() + scales.offset();
    if (scales.dtype() == pkg::DType::f32) {
      float f;
      std::memcpy(&f, p + 4 * i, 4);
      return double(f);
    }
    return std::nan("");  // f16 scales: shown as a count only
  };
  auto zeroPointAt = [&](size_t i) -> int64_t {
    if (q->zero_points_tensor() < 0) return 0;
    const pkg::Tensor &z = *model.plan().tensors()->Get(uint32_t(q->zero_points_tensor()));
    const uint8_t *p = model.constants() + z.offset();
    switch (z.dtype()) {
    case pkg::DType::i8: return int8_t(p[i]);
    case pkg::DType::u8: return p[i];
    case pkg::DType::i32: {
      int32_t v;
      std::memcpy(&v, p + 4 * i, 4);
      return v;
    }
    default: return 0;
    }
  };
  std::string out;
  if (q->scheme() == pkg::QuantScheme::PerTensor) {
    out = "per-tensor scale " + fmt("%.6g", scaleAt(0));
    if (zeroPointAt(0)) out += " zero point " + std::to_string(zeroPointAt(0));
    return out;
  }
  double lo = scaleAt(0), hi = lo;
  for (size_t i = 1; i < n; ++i) lo = std::min(lo, scaleAt(i)), hi = std::max(hi, scaleAt(i));
  out = q->scheme() == pkg::QuantScheme::PerAxis ? "per-axis " + std::to_string(q->axis()) + ": "
                                                 : "blockwise axis " + std::to_string(q->axis()) + ", groups of " +
                                                       std::to_string(q->block_size()) + ": ";
  out += std::to_string(n) + " scales " + fmt("%.4g", lo) + ".." + fmt("%.4g", hi);
  if (q->zero_points_tensor() >= 0) out += ", with zero points";
  return out;
}

// "layout i8-w4 (k axis 0, column sums in #12)", "layout int4-q8-tiles of 16 columns",
// "layout i8-conv-w4 (1 group, column sums in #40)":
// how a weight the compiler packed is stored (docs/architecture.md, "Weight layouts");
// "" for a row-major tensor.
std::string layoutDescription(const rt::LoadedModel &model, uint32_t index) {
  const layouts::Desc d = model.layout(int32_t(index));
  if (d.kind == layouts::Kind::None) return "";
  std::string out = std::string("layout ") + layouts::kindName(d.kind);
  const pkg::WeightLayout &l = *model.plan().tensors()->Get(index)->layout();
  if (d.kind == layouts::Kind::I8W4)
    out += " (k axis " + std::to_string(l.k_axis()) + ", column sums in #" + std::to_string(l.column_sums()) + ")";
  else if (d.kind == layouts::Kind::Int4Q8Tiles)
    out += " of " + std::to_string(d.tile) + " columns";
  else if (d.kind == layouts::Kind::I8ConvW4)
    out += " (" + std::to_string(d.matrices) + (d.matrices == 1 ? " group" : " groups") + ", column sums in #" +
           std::to_string(l.column_sums()) + ")";
  return out;
}

// Constant bytes by dtype, quantized or not: what the weights are stored as.
// An LLM package (edgec compile model.gguf): what its metadata says (Package.metadata;
// docs/gguf.md), so a user sees the context, the prefill buckets and the tokenizer.
// " (lower bound N bytes in this kernel order: 1.02x)" for the function with the largest
// arena, or "" for a package written before the bound was recorded.
std::string arenaBoundNote(const rt::LoadedModel &model) {
  uint64_t arena = 0, bound = 0;
  for (int f = 0; f < model.numFunctions(); ++f) {
    const pkg::Function &fn = model.function(f);
    if (fn.arena_size() >= arena) arena = fn.arena_size(), bound = fn.arena_lower_bound();
  }
  if (bound == 0) return "";
  char text[96];
  std::snprintf(text, sizeof text, " (lower bound %llu in this kernel order: %.2fx)", (unsigned long long)bound,
                double(arena) / double(bound));
  return text;
}

void printLlmSummary(const rt::LoadedModel &model) {
  const auto *metadata = model.plan().metadata();
  if (!metadata) return;
  auto find = [&](const char *key) { return metadata->LookupByKey(key); };
  auto text = [&](const char *key) -> std::string {
    const pkg::Metadata *m = find(key);
    return m && m->kind() == pkg::MetadataKind::String && m->s() ? m->s()->str() : "?";
  };
  auto number = [&](const char *key) -> long long {
    const pkg::Metadata *m = find(key);
    return m && m->kind() == pkg::MetadataKind::Int ? (long long)m->i() : -1;
  };
  if (!find("llm.architecture")) return;
  std::printf("llm:       %s, context %lld positions, KV cache %s, prefill chunk %lld", text("llm.architecture").c_str(),
              number("llm.context_length"), text("llm.kv_cache").c_str(), number("llm.prefill_chunk"));
  if (number("llm.prefill_mid") > 0 && number("llm.prefill_short") > 0)
    std::printf(" (and %lld and %lld for shorter pieces)", number("llm.prefill_mid"), number("llm.prefill_short"));
  else if (number("llm.prefill_short") > 0)
    std::printf(" (and %lld for short prompts)", number("llm.prefill_short"));
  if (number("llm.score_chunk") > 0) std::printf(", score calls of %lld", number("llm.score_chunk"));
  std::printf(", vocabulary %lld\n", number("llm.vocab_size"));
  if (number("llm.expert_count") > 0)
    std::printf("           mixture of experts: %lld of %lld experts a token in every block\n",
                number("llm.expert_used_count"), number("llm.expert_count"));
  if (number("llm.kv_ring") > 0)
    std::printf("           sliding window of %lld positions; local layers' caches: rings of %lld rows\n",
                number("llm.sliding_window"), number("llm.kv_ring"));
  const pkg::Metadata *tokens = find("tokenizer.ggml.tokens");
  const pkg::Metadata *merges = find("tokenizer.ggml.merges");
  std::printf("tokenizer: %s", text("tokenizer.ggml.model").c_str());
  if (find("tokenizer.ggml.pre") && text("tokenizer.ggml.pre") != "") std::printf(" (pre %s)", text("tokenizer.ggml.pre").c_str());
  std::printf(", %u tokens", tokens && tokens->strings() ? tokens->strings()->size() : 0u);
  if (merges && merges->strings() && merges->strings()->size()) std::printf(", %u merges", merges->strings()->size());
  std::printf(", bos %lld, eos %lld\n", number("tokenizer.ggml.bos_token_id"), number("tokenizer.ggml.eos_token_id"));
  // The chat format `edgec generate --chat` would use, from the model's template.
  std::string error;
  const std::string jinja = find("tokenizer.chat_template") ? text("tokenizer.chat_template") : std::string();
  if (jinja.empty()) {
    std::printf("chat:      no chat template (generate --chat needs --chat-template)\n");
  } else if (std::unique_ptr<ChatTemplate> chat = ChatTemplate::fromJinja(jinja, error)) {
    std::printf("chat:      %s", chat->name());
    if (!chat->defaultSystem().empty()) std::printf(" (default system message \"%s\")", chat->defaultSystem().c_str());
    std::printf(", from the model's template (%zu characters)\n", jinja.size());
  } else {
    std::printf("chat:      %s\n", error.c_str());
  }
}

void printPrecisionSummary(const rt::LoadedModel &model) {
  std::map<std::string, std::pair<uint64_t, int>> bytes;  // "int8 quantized" -> bytes, tensors
  const auto &tensors = *model.plan().tensors();
  std::vector<bool> isParam(tensors.size(), false);
  for (const pkg::Tensor *t : tensors)
    if (t->quant() && t->quant()->scheme() != pkg::QuantScheme::None) {
      isParam[size_t(t->quant()->scales_tensor())] = true;
      if (t->quant()->zero_points_tensor() >= 0) isParam[size_t(t->quant()->zero_points_tensor())] = true;
    }
  std::vector<bool> isSums(tensors.size(), false);
  for (const pkg::Tensor *t : tensors)
    if (t->layout() && t->layout()->column_sums() >= 0) isSums[size_t(t->layout()->column_sums())] = true;
  for (uint32_t i = 0; i < tensors.size(); ++i) {
    const pkg::Tensor &t = *tensors[i];
    if (t.storage() != pkg::Storage::Constant) continue;
    std::string key = dtypeName(static_cast<edgec_dtype>(t.dtype()));
    if (isParam[i]) key = "quantization parameters";
    else if (isSums[i]) key = "layout column sums";
    else if (t.quant() && t.quant()->scheme() != pkg::QuantScheme::None) key += " quantized";
    bytes[key].first += t.size();
    bytes[key].second += 1;
  }
  std::string line;
  for (const auto &[key, v] : bytes)
    line += (line.empty() ? "" : ", ") + key + " " + std::to_string(v.first) + " B (" + std::to_string(v.second) + ")";
  std::printf("weights:   %s\n", line.empty() ? "none" : line.c_str());
}

// Per output tensor of an int8 Conv with a fused residual Add (edge-fuse-conv-residual) or
// table (edge-fuse-conv-table): "residual Add of" or "table (Sigmoid,Mul) of" "the Conv's
// per-tensor scale S zero point Z", the parameters of the Conv's own codes (its kernel
// attributes conv_scale, conv_zero_point), which no tensor holds; the tensor itself has
// the Add's or the table's.
std::map<int32_t, std::string> fusedConvDescriptions(const rt::LoadedModel &model) {
  std::map<int32_t, std::string> out;
  if (!model.plan().functions()) return out;
  for (const pkg::Function *f : *model.plan().functions()) {
    if (!f->kernels()) continue;
    for (const pkg::Kernel *k : *f->kernels()) {
      const pkg::Attr *scale = k->attrs() ? k->attrs()->LookupByKey("conv_scale") : nullptr;
      const pkg::Attr *zp = k->attrs() ? k->attrs()->LookupByKey("conv_zero_point") : nullptr;
      if (!scale || !zp || !k->outputs() || k->outputs()->size() != 1) continue;
      const pkg::Attr *ops = k->attrs()->LookupByKey("table_ops");
      const std::string what = ops && ops->s() ? "table (" + ops->s()->str() + ")" : "residual Add";
      char buf[96];
      std::snprintf(buf, sizeof buf, " of the Conv's per-tensor scale %g zero point %lld", scale->f(),
                    static_cast<long long>(zp->i()));
      out[k->outputs()->Get(0)] = what + buf;
    }
  }
  return out;
}

void printTensors(const rt::LoadedModel &model) {
  const auto &tensors = *model.plan().tensors();
  const std::map<int32_t, std::string> fusedConvs = fusedConvDescriptions(model);
  std::printf("tensors:\n");
  for (uint32_t i = 0; i < tensors.size(); ++i) {
    const pkg::Tensor &t = *tensors[i];
    std::string shape;
    for (int64_t d : model.shape(int32_t(i))) shape += (shape.empty() ? "" : "x") + std::to_string(d);
    std::string about = quantDescription(model, i);
    const std::string layout = layoutDescription(model, i);
    if (!layout.empty()) about += (about.empty() ? "" : "; ") + layout;
    if (auto r = fusedConvs.find(int32_t(i)); r != fusedConvs.end()) about += "; " + r->second;
    std::printf("  %4u %-28s %-6s %-8s [%s] %s\n", i, t.name() ? t.name()->c_str() : "", storageName(t.storage()),
                dtypeName(static_cast<edgec_dtype>(t.dtype())), shape.c_str(), about.c_str());
  }
}

}  // namespace

void addInspectCommand(CLI::App &app) {
  auto *cmd = app.add_subcommand(
      "inspect", "Show a package's inputs, outputs, target, features and sizes, or a GGUF model's metadata and tensors");
  auto path = std::make_shared<std::string>();
  cmd->add_option("file", *path, "Compiled package (.edgepkg) or GGUF model (.gguf)")->required();
  auto verify = std::make_shared<bool>(false);
  cmd->add_flag("--verify", *verify,
                "Also verify the constants section checksum (reads every weight page; `edgec run` always does)");
  auto tensors = std::make_shared<bool>(false);
  cmd->add_flag("--tensors", *tensors,
                "List every tensor: storage, dtype, shape and, for quantized ones, the scheme and parameters "
                "(GGUF: type, shape, bytes and offset)");
  auto metadata = std::make_shared<bool>(false);
  cmd->add_flag("--metadata", *metadata, "GGUF: print every metadata key in full, arrays included");
  cmd->callback([path, verify, tensors, metadata] {
    if (isGgufFile(*path)) {
      if (*verify) throw CommandError("--verify checks a package's checksums; a GGUF file has none");
      inspectGguf(*path, *tensors, *metadata);
      return;
    }
    if (*metadata) throw CommandError("--metadata applies to GGUF files; " + *path + " is not one");
    // Loading validates the header, section table and plan (checksums included); the
    // constants' checksum only with --verify, so inspecting a multi-GiB package does not
    // read its weights.
    Model model(*path, *verify);
    const edgec_model *m = model.get();
    std::printf("package:   %s\n", path->c_str());
    std::printf("producer:  %s\n", edgec_model_producer(m));
    std::printf("target:    %s\n", edgec_model_target(m));
    std::string features;
    for (int32_t i = 0; i < edgec_model_num_required_features(m); ++i)
      features += (i ? ", " : "") + std::string(edgec_model_required_feature(m, i));
    std::printf("requires:  %s\n", features.empty() ? "(no CPU features beyond the target baseline)" : features.c_str());
    std::printf("kernels:   %d\n", edgec_model_num_kernels(m));
    std::printf("constants: %zu bytes\n", edgec_model_constant_bytes(m));
    // The internal view of the same file for what the C API does not describe: each
    // tensor's storage and quantization, the arena's lower bound. Constants are read
    // only for the scales, and not verified again (with --verify the load above did).
    rt::LoadOptions options;
    options.verifyConstants = false;
    const rt::LoadedModel loaded(*path, options);
    std::printf("arena:     %zu bytes%s\n", edgec_model_arena_bytes(m), arenaBoundNote(loaded).c_str());
    if (edgec_model_state_bytes(m)) std::printf("state:     %zu bytes\n", edgec_model_state_bytes(m));
    printLlmSummary(loaded);
    printPrecisionSummary(loaded);
    if (*tensors) printTensors(loaded);
    if (const auto *symbols = loaded.plan().dim_symbols(); symbols && symbols->size()) {
      std::string line;
      for (const pkg::DimSymbol *sym : *symbols)
        line += (line.empty() ? "" : ", ") + sym->name()->str() + " 1.." + std::to_string(sym->bound());
      std::printf("dynamic:   %s (memory planned for the bounds)\n", line.c_str());
    }
    // A dynamic dim shows as NAME<=BOUND on inputs, ?<=BOUND where it follows them.
    auto print = [&](const std::string &indent, const char *title, const std::vector<TensorInfo> &infos, int32_t f,
                     bool inputs) {
      std::printf("%s%s:\n", indent.c_str(), title);
      const pkg::Function &fn = loaded.function(f);
      for (size_t k = 0; k < infos.size(); ++k) {
        const TensorInfo &t = infos[k];
        const auto *refs = inputs ? fn.inputs() : fn.outputs();
        const std::vector<int32_t> &symbols = loaded.dimSymbols(refs->Get(uint32_t(k)));
        std::string shape;
        for (size_t i = 0; i < t.shape.size(); ++i) {
          const int32_t sym = i < symbols.size() ? symbols[i] : -1;
          const std::string bound = std::to_string(t.shape[i]);
          shape += (i ? "x" : "") + (sym == -1   ? bound
                                     : sym == -2 ? "?<=" + bound
                                                 : loaded.plan().dim_symbols()->Get(uint32_t(sym))->name()->str() + "<=" + bound);
        }
        std::printf("%s  %-24s %-8s [%s]\n", indent.c_str(), t.name.c_str(), dtypeName(t.dtype), shape.c_str());
      }
    };
    const std::vector<std::string> functions = model.functions();
    if (functions.size() == 1) {
      const int32_t f = model.defaultFunction();
      print("", "inputs", model.inputs(), f, true);
      print("", "outputs", model.outputs(), f, false);
      return;
    }
    for (size_t f = 0; f < functions.size(); ++f) {
      std::printf("function %s:\n", functions[f].c_str());
      print("  ", "inputs", model.inputs(int32_t(f)), int32_t(f), true);
      print("  ", "outputs", model.outputs(int32_t(f)), int32_t(f), false);
    }
  });
}

}  // namespace edgec::cli
