// `edgec import`: the edge IR of a model, as readable MLIR text.
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "Commands.h"
#include "edgec/GgufModel.h"
#include "edge/EdgeDialect.h"
#include "edgec/OnnxImporter.h"
#include "edgec/AtomicFile.h"
#include "edgec/npy.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/QuantOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/SourceMgr.h"

namespace edgec::cli {

void Progress::step(const std::string &what) {
  double now = nowSeconds();
  if (!quiet_) {
    if (current_ > 0) std::fprintf(stderr, " %.2f s\n", now - start_);
    std::fprintf(stderr, "[%d/%d] %s ...", ++current_, steps_, what.c_str());
    std::fflush(stderr);
  }
  what_ = what;
  start_ = now;
}

DiagnosticText::DiagnosticText(mlir::MLIRContext &context)
    : handler_(&context, [this](mlir::Diagnostic &d) {
        llvm::raw_string_ostream os(text_);
        if (!mlir::isa<mlir::UnknownLoc>(d.getLocation())) os << d.getLocation() << ": ";
        os << d << "\n";
        return mlir::success();
      }) {}

std::string Progress::line() const {
  return "[" + std::to_string(current_) + "/" + std::to_string(steps_) + "] " + what_ + " ...";
}

Progress::~Progress() {
  if (!quiet_ && current_ > 0) std::fprintf(stderr, " failed\n");
}

void Progress::done() {
  if (!quiet_ && current_ > 0) std::fprintf(stderr, " %.2f s\n", nowSeconds() - start_);
  current_ = 0;
}

void ModelInput::addOptions(CLI::App &cmd) {
  cmd.add_option("model", path,
                 "Model file: .onnx, .onnxtxt (ONNX textual syntax), .mlir (edge dialect) or .gguf (a language "
                 "model: docs/gguf.md)")
      ->required();
  cmd.add_option("--input-shape", inputShapes,
                 "Fix a graph input's shape, e.g. --input-shape input=1x3x224x224 (repeatable); needed when the "
                 "model has dynamic dims. A dim may stay dynamic: a name (input=1x3xHxW) or ? (named INPUT.D, "
                 "e.g. input.2), with its bound from --dim-bound");
  cmd.add_option("--dim-bound", dimBounds,
                 "Keep a dynamic dim dynamic, up to a bound, e.g. --dim-bound seq=128 (repeatable): a dim_param "
                 "of the model's inputs or a name from --input-shape. The package runs any size from 1 to the "
                 "bound (its memory is planned for the bound); see docs/cli.md \"Dynamic shapes\"");
  cmd.add_option("--bind", binds,
                 "Freeze a graph input into a constant with the value in a .npy file, e.g. --bind "
                 "shape=shape.npy (repeatable): for inputs that decide shapes or are parameters "
                 "(Reshape's shape, Slice's starts, Resize's scales); the input leaves the package");
}

void checkOutputFile(const std::string &path) {
  if (path.empty()) throw CommandError("the output path is empty");
  struct stat st;
  if (path.back() == '/' || (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)))
    throw CommandError(path + ": is a directory; the output must be a file name");
  size_t slash = path.find_last_of('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  if (::stat(dir.c_str(), &st) != 0)
    throw CommandError(path + ": cannot write: " +
                       (errno == ENOENT ? "the folder '" + dir + "' does not exist"
                                        : "'" + dir + "': " + std::strerror(errno)));
  if (!S_ISDIR(st.st_mode)) throw CommandError(path + ": cannot write: '" + dir + "' is not a directory");
  if (::access(dir.c_str(), W_OK) != 0)
    throw CommandError(path + ": cannot write: the folder '" + dir + "' is not writable");
}

namespace {
bool isDimName(const std::string &s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.')) return false;
  return true;
}

// "1x3xHx?" -> dims (-1 for a dynamic one) and names ("" for a fixed dim; "?" becomes
// INPUT.D). Items are split on 'x', so a dim name cannot contain an x.
std::vector<int64_t> parseDims(const std::string &input, const std::string &text, const std::string &spec,
                               std::vector<std::string> &names) {
  std::vector<int64_t> dims;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('x', start);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(start, end - start);
    if (item == "?") item = input + "." + std::to_string(dims.size());
    if (isDimName(item)) {
      names.push_back(item);
      dims.push_back(-1);
    } else if (!item.empty() && item.find_first_not_of("0123456789") == std::string::npos && item.size() < 16) {
      names.push_back("");
      dims.push_back(std::stoll(item));
    } else {
      throw CommandError("--input-shape '" + spec + "': dims are non-negative integers, names or ?, separated by 'x'");
    }
    start = end + 1;
  }
  return dims;
}
}  // namespace

std::map<std::string, int64_t> ModelInput::bounds() const {
  std::map<std::string, int64_t> out;
  for (const std::string &spec : dimBounds) {
    const size_t eq = spec.find('=');
    const std::string name = eq == std::string::npos ? "" : spec.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : spec.substr(eq + 1);
    if (name.empty() || value.empty() || value.size() > 12 || value.find_first_not_of("0123456789") != std::string::npos ||
        std::stoll(value) < 1)
      throw CommandError("--dim-bound '" + spec + "': expected NAME=N with N >= 1");
    if (out.count(name)) throw CommandError("--dim-bound names '" + name + "' twice");
    out[name] = std::stoll(value);
  }
  return out;
}

void elideLargeMetadata(mlir::ModuleOp module) {
  auto dict = module->getAttrOfType<mlir::DictionaryAttr>("edge.metadata");
  if (!dict) return;
  mlir::Builder b(module.getContext());
  llvm::SmallVector<mlir::NamedAttribute> entries;
  for (mlir::NamedAttribute entry : dict) {
    int64_t n = -1;
    if (auto array = llvm::dyn_cast<mlir::ArrayAttr>(entry.getValue())) n = array.size();
    if (auto array = llvm::dyn_cast<mlir::DenseArrayAttr>(entry.getValue())) n = array.getSize();
    entries.push_back(n > 16 ? b.getNamedAttr(entry.getName(), b.getStringAttr("<" + std::to_string(n) +
                                                                                " elements elided>"))
                             : entry);
  }
  module->setAttr("edge.metadata", b.getDictionaryAttr(entries));
}

mlir::OwningOpRef<mlir::ModuleOp> loadModel(mlir::MLIRContext &context, const ModelInput &input) {
  context.loadDialect<mlir::edge::EdgeDialect, mlir::func::FuncDialect,
                      mlir::quant::QuantizationDialect>();
  const std::string &path = input.path;
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    throw CommandError(path + ": is a directory, not a model file");
  if (path.size() > 5 && path.compare(path.size() - 5, 5, ".mlir") == 0) {
    if (!input.binds.empty()) throw CommandError("--bind applies to ONNX models, not to edge IR (.mlir)");
    std::string diag;
    llvm::raw_string_ostream os(diag);
    llvm::SourceMgr sourceMgr;
    mlir::SourceMgrDiagnosticHandler handler(sourceMgr, &context, os);
    auto module = mlir::parseSourceFile<mlir::ModuleOp>(path, sourceMgr, &context);
    if (!module) throw CommandError(path + ": cannot parse edge IR:\n" + os.str());
    return module;
  }
  if (isGgufFile(path)) {  // the prefill/decode module with the default context and chunk
    if (!input.inputShapes.empty()) throw CommandError("--input-shape does not apply to a GGUF model");
    if (!input.binds.empty()) throw CommandError("--bind does not apply to a GGUF model");
    std::string error;
    std::shared_ptr<const gguf::GgufFile> file = gguf::GgufFile::open(path, error);
    auto module = file ? gguf::buildLlmModule(context, file, gguf::LlmBuildOptions{}, error) : nullptr;
    if (!module) throw CommandError(error);
    return module;
  }
  ImportOptions options;
  for (const std::string &spec : input.inputShapes) {
    size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0)
      throw CommandError("--input-shape '" + spec + "': expected NAME=D0xD1x...");
    const std::string name = spec.substr(0, eq);
    std::vector<std::string> names;
    options.inputShapes[name] = parseDims(name, spec.substr(eq + 1), spec, names);
    options.inputDimNames[name] = names;
  }
  options.dimValues = input.bounds();
  for (const auto &[name, size] : input.dimSizes) options.dimValues[name] = size;
  options.dataDependentProbe = input.dataDependentProbe;
  for (const std::string &spec : input.binds) {
    size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
      throw CommandError("--bind '" + spec + "': expected NAME=FILE.npy");
    const std::string name = spec.substr(0, eq), file = spec.substr(eq + 1);
    if (options.boundInputs.count(name)) throw CommandError("--bind names input '" + name + "' twice");
    NpyArray array;
    try {
      array = readNpy(file);
    } catch (const std::exception &e) {
      throw CommandError(std::string("--bind ") + name + ": " + e.what());
    }
    options.boundInputs[name] = BoundInput{file, dtypeName(array.dtype), array.shape, std::move(array.data)};
  }
  std::string error, diag;
  llvm::raw_string_ostream os(diag);
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
    os << d.getLocation() << ": " << d << "\n";
    return mlir::success();
  });
  auto module = importOnnxFile(context, path, options, error);
  if (!module) throw CommandError(error + (diag.empty() ? "" : "\n" + os.str()));
  return module;
}

void addImportCommand(CLI::App &app) {
  auto *cmd = app.add_subcommand("import", "Import a model and print its edge IR (MLIR text)");
  struct Options {
    ModelInput input;
    std::string output = "-";
    bool keepConstants = false;
  };
  auto opts = std::make_shared<Options>();
  opts->input.addOptions(*cmd);
  cmd->add_option("-o,--output", opts->output, "Output .mlir file ('-' = stdout)");
  cmd->add_flag("--keep-constants", opts->keepConstants,
                "Print weights in full (by default large constants are elided, so the output is "
                "readable but cannot be parsed back)");
  cmd->callback([opts] {
    if (opts->output != "-") checkOutputFile(opts->output);
    mlir::MLIRContext context;
    auto module = loadModel(context, opts->input);
    mlir::OpPrintingFlags flags;
    if (!opts->keepConstants) {
      flags.elideLargeElementsAttrs(16).elideLargeResourceString(64);
      elideLargeMetadata(*module);
    }
    std::string text;
    llvm::raw_string_ostream os(text);
    module->print(os, flags);
    os.flush();
    if (opts->output == "-") {
      llvm::outs() << text;
      return;
    }
    std::string error;
    if (!writeFileAtomically(opts->output, std::vector<uint8_t>(text.begin(), text.end()), error))
      throw CommandError(error);
  });
}

}  // namespace edgec::cli
