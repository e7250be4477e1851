// The edgec subcommands. Each file adds one subcommand to the CLI11 app; its callback
// throws CommandError (one clear line) on failure and main() turns that into exit 1.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "RunCommand.h"
#include "edgec/Target.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

namespace edgec::cli {


void addImportCommand(CLI::App &app);
void addCompileCommand(CLI::App &app);
void addAnalyzeCommand(CLI::App &app);
void addInspectCommand(CLI::App &app);
void addGenerateCommand(CLI::App &app);  // GenerateCommand.cpp: generate and bench (LLM packages)
void addBenchCommand(CLI::App &app);
void addPerplexityCommand(CLI::App &app);  // PerplexityCommand.cpp
void addTokenizeCommand(CLI::App &app);  // TokenizeCommand.cpp
void addOpsCommand(CLI::App &app);       // OpsCommand.cpp
void addTargetsCommand(CLI::App &app);  // in CompileCommand.cpp; needs registerBuiltinTargets() first

// `edgec inspect` on a GGUF file (InspectGguf.cpp): chosen by the .gguf extension or the
// "GGUF" magic.
bool isGgufFile(const std::string &path);
void inspectGguf(const std::string &path, bool listTensors, bool allMetadata);

// `edgec compile model.gguf` (CompileGguf.cpp): the options of GGUF models and the
// compile itself (read, build the prefill/decode module, optimize, write).
struct GgufCompileOptions {
  int64_t ctx = 0, prefillChunk = 256, scoreChunk = 0;
  bool swaFull = false;  // --swa-full
  std::string kvCache = "f16";
  void addOptions(CLI::App &group);
};

void compileGguf(const std::string &path, const GgufCompileOptions &options, const Target &target,
                 const std::string &output, const std::string &dumpIr, bool quiet);

// Shared by import and compile.
struct ModelInput {
  std::string path;
  std::vector<std::string> inputShapes;  // NAME=D0xD1x...
  std::vector<std::string> binds;        // NAME=FILE.npy
  std::vector<std::string> dimBounds;    // NAME=N: a dynamic dim and its upper bound
  // Set by the compiler for the second, smaller instance of a dynamic model: each named
  // dim's size instead of its bound.
  std::map<std::string, int64_t> dimSizes;
  bool dataDependentProbe = false;  // ImportOptions::dataDependentProbe
  void addOptions(CLI::App &cmd);
  // The named dynamic dims and their bounds (--dim-bound), checked.
  std::map<std::string, int64_t> bounds() const;
};

// Loads .onnx / .onnxtxt through the ONNX frontend, or parses edge-dialect .mlir.
mlir::OwningOpRef<mlir::ModuleOp> loadModel(mlir::MLIRContext &context, const ModelInput &input);

// A GGUF model's edge.metadata carries its vocabulary (tokens, scores, merges: 100k+
// entries): for printing, arrays of more than 16 become a placeholder, as large constants
// do (ImportCommand.cpp). Changes the module: print a clone if it is still to be compiled.
void elideLargeMetadata(mlir::ModuleOp module);

// Throws CommandError unless `path` can name an output file: not empty, not a directory,
// in a folder that exists and is writable. Called before any work so that a bad -o fails
// at once and leaves nothing behind.
void checkOutputFile(const std::string &path);

// Progress on stderr for long steps ("[2/4] optimizing ... 0.12 s").
class Progress {
public:
  Progress(int steps, bool quiet) : steps_(steps), quiet_(quiet) {}
  ~Progress();  // a step still open (an error unwound past it) ends its line with "failed"
  void step(const std::string &what);
  void done();
  // The open step's line ("[3/6] calibrating (minmax) ..."), for counters that redraw it
  // on a terminal.
  std::string line() const;

private:
  int steps_, current_ = 0;
  bool quiet_;
  std::string what_;
  double start_ = 0;
};

// Collects the context's diagnostics while it lives, as "location: message" lines (the
// location left out when unknown), for the error a failed step throws.
class DiagnosticText {
public:
  explicit DiagnosticText(mlir::MLIRContext &context);
  std::string str() const { return text_; }

private:
  std::string text_;
  mlir::ScopedDiagnosticHandler handler_;
};

}  // namespace edgec::cli
