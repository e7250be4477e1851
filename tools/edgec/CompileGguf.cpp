// `edgec compile model.gguf`: a llama/qwen2/qwen3/gemma2/gemma3/phi3/granite GGUF model to a package with the
// functions prefill and decode over a KV cache (compiler/include/edgec/GgufModel.h), weights
// kept as the file stores them.
#include <cstdio>

#include "Commands.h"
#include "edgec/AtomicFile.h"
#include "edgec/GgufModel.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

namespace edgec::cli {

void GgufCompileOptions::addOptions(CLI::App &group) {
  group.add_option("--ctx", ctx,
                   "Context length: positions a session holds in its KV cache (default: the model's "
                   "context_length, at most 4096)")
      ->check(CLI::Range(int64_t(1), int64_t(1) << 20));
  group.add_option("--kv-cache", kvCache,
                   "KV cache element type: f16, f32, or int8 (symmetric, one f32 scale per position and head; "
                   "half f16's bytes, the query quantized against it as llama.cpp does against a Q8_0 cache)")
      ->check(CLI::IsMember({"f16", "f32", "int8"}))
      ->capture_default_str();
  group.add_option("--prefill-chunk", prefillChunk,
                   "Tokens per prefill call: a prompt runs in chunks of this many, and what is left in "
                   "the fewest padded rows of calls of S, S/4 (when over 16) and 8 tokens")
      ->check(CLI::Range(int64_t(1), int64_t(4096)))
      ->capture_default_str();
  group.add_option("--score-chunk", scoreChunk,
                   "Also build a function `score` of this many tokens that returns every row's logits, "
                   "which `edgec perplexity` then runs (its activations hold N x vocabulary floats, so "
                   "it is left out by default; at most --prefill-chunk)")
      ->check(CLI::Range(int64_t(0), int64_t(4096)));
  group.add_flag("--swa-full", swaFull,
                 "Sliding-window layers (Gemma 3's local ones) keep a cache of the whole context instead of a "
                 "ring of about two windows (llama.cpp's --swa-full): more memory, but a session can go back "
                 "to any earlier position (a prompt cache's or a chat's common prefix) without feeding it again");
}

void compileGguf(const std::string &path, const GgufCompileOptions &options, const Target &target,
                 const std::string &output, const std::string &dumpIr, bool quiet) {
  checkOutputFile(output);
  if (!dumpIr.empty()) checkOutputFile(dumpIr);
  Progress progress(4, quiet);
  mlir::MLIRContext context;
  DiagnosticText diagnostics(context);

  progress.step("reading " + path);
  std::string error;
  std::shared_ptr<const gguf::GgufFile> file = gguf::GgufFile::open(path, error);
  if (!file) throw CommandError(error);
  gguf::LlmBuildOptions build;
  build.contextLength = options.ctx;
  build.prefillChunk = options.prefillChunk;
  build.kvCache = options.kvCache;
  build.scoreChunk = options.scoreChunk;
  build.swaFull = options.swaFull;
  auto module = gguf::buildLlmModule(context, file, build, error);
  if (!module) throw CommandError(error.empty() ? "building the model failed:\n" + diagnostics.str() : error);
  if (mlir::failed(mlir::verify(*module))) throw CommandError("the built model is invalid:\n" + diagnostics.str());

  progress.step("optimizing for " + target.name().str());
  mlir::PassManager pm(&context);
  target.buildPipeline(pm, PipelineOptions{true});
  // Then the late pipeline, as an ONNX model's (a GGUF model has no precision passes
  // between them): its edge-fuse-elementwise makes each block's SwiGLU (Sigmoid, Mul, Mul)
  // one pass over the [tokens, ffn] activation instead of three, same bits.
  target.buildLatePipeline(pm, PipelineOptions{true});
  if (mlir::failed(pm.run(*module))) throw CommandError("optimization failed:\n" + diagnostics.str());
  if (!dumpIr.empty()) {
    std::string text;
    llvm::raw_string_ostream ir(text);
    mlir::OwningOpRef<mlir::ModuleOp> printed = module->clone();
    elideLargeMetadata(*printed);
    printed->print(ir, mlir::OpPrintingFlags().elideLargeElementsAttrs(16).elideLargeResourceString(64));
    if (!writeFileAtomically(dumpIr, std::vector<uint8_t>(text.begin(), text.end()), error)) throw CommandError(error);
  }

  progress.step("lowering to kernels and planning memory");
  if (mlir::failed(target.checkLegality(*module))) throw CommandError(diagnostics.str());
  progress.step("writing " + output);
  PackageStats stats;
  if (!target.writePackage(*module, output, &stats)) throw CommandError("lowering failed:\n" + diagnostics.str());
  progress.done();
  if (!quiet)
    std::fprintf(stderr, "wrote %s: %zu kernels, %s weights, %s arena\n", output.c_str(), stats.kernels,
                 mebibytes(stats.constantBytes).c_str(), mebibytes(stats.arenaBytes).c_str());
}

}  // namespace edgec::cli
