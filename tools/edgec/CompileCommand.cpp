// `edgec compile`: model -> optimized edge IR -> target package (.edgepkg), through the
// Target interface; and `edgec targets`, which lists the registered targets.
#include "Commands.h"
#include "edgec/AtomicFile.h"
#include "edgec/Pipelines.h"
#include "edgec/Target.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

namespace edgec::cli {

namespace {
std::string humanBytes(uint64_t bytes) {
  char buf[32];
  if (bytes < 1024 * 1024) std::snprintf(buf, sizeof buf, "%.1f KiB", bytes / 1024.0);
  else std::snprintf(buf, sizeof buf, "%.1f MiB", bytes / (1024.0 * 1024.0));
  return buf;
}
}  // namespace

void addCompileCommand(CLI::App &app) {
  auto *cmd = app.add_subcommand("compile", "Compile a model into a deployable .edgepkg package");
  struct Options {
    ModelInput input;
    std::string target = "host";
    std::string output;
    std::string dumpIr;
    bool noFuse = false, quiet = false;
  };
  auto opts = std::make_shared<Options>();
  opts->input.addOptions(*cmd);
  std::string targetHelp = "Target to compile for; registered:";
  for (const Target *t : registeredTargets()) targetHelp += "\n  " + t->name().str() + ": " + t->description().str();
  // Checked in the callback rather than by CLI11, so an unknown name gets one line that
  // lists the registered targets.
  cmd->add_option("--target", opts->target, targetHelp)->capture_default_str();
  cmd->add_option("-o,--output", opts->output, "Output package (.edgepkg)")->required();
  cmd->add_flag("--no-fuse", opts->noFuse, "Skip the fusion passes (conv+batchnorm, conv+activation, layernorm)");
  cmd->add_option("--dump-ir", opts->dumpIr, "Also write the optimized edge IR (constants elided) to this file");
  cmd->add_flag("-q,--quiet", opts->quiet, "No progress output");
  cmd->callback([opts] {
    // Fail before a long compile, and before --dump-ir writes anything.
    const Target *target = lookupTarget(opts->target);
    if (!target)
      throw CommandError("unknown target '" + opts->target + "' (registered targets: " + registeredTargetNames() + ")");
    checkOutputFile(opts->output);
    if (!opts->dumpIr.empty()) checkOutputFile(opts->dumpIr);
    Progress progress(4, opts->quiet);
    mlir::MLIRContext context;
    std::string diag;
    llvm::raw_string_ostream os(diag);
    mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
      if (!mlir::isa<mlir::UnknownLoc>(d.getLocation())) os << d.getLocation() << ": ";
      os << d << "\n";
      return mlir::success();
    });

    progress.step("importing " + opts->input.path);
    auto module = loadModel(context, opts->input);

    progress.step("optimizing for " + opts->target);
    mlir::PassManager pm(&context);
    target->buildPipeline(pm, PipelineOptions{!opts->noFuse});
    if (mlir::failed(pm.run(*module))) throw CommandError("optimization failed:\n" + os.str());
    if (!opts->dumpIr.empty()) {
      std::string text;
      llvm::raw_string_ostream ir(text);
      module->print(ir, mlir::OpPrintingFlags().elideLargeElementsAttrs(16).elideLargeResourceString(64));
      std::string error;
      if (!writeFileAtomically(opts->dumpIr, std::vector<uint8_t>(text.begin(), text.end()), error))
        throw CommandError(error);
    }

    progress.step("lowering to kernels and planning memory");
    if (mlir::failed(target->checkLegality(*module))) throw CommandError(os.str());

    // Lowering and writing are one step for a target that streams its weights.
    progress.step("writing " + opts->output);
    PackageStats stats;
    if (!target->writePackage(*module, opts->output, &stats)) throw CommandError("lowering failed:\n" + os.str());
    progress.done();
    if (!opts->quiet)
      std::fprintf(stderr, "wrote %s: %zu kernels, %s constants, %s arena (%s without reuse)\n", opts->output.c_str(),
                   stats.kernels, humanBytes(stats.constantBytes).c_str(), humanBytes(stats.arenaBytes).c_str(),
                   humanBytes(stats.naiveArenaBytes).c_str());
  });
}

void addTargetsCommand(CLI::App &app) {
  auto *cmd = app.add_subcommand("targets", "List the targets `edgec compile --target` accepts");
  cmd->callback([] {
    for (const Target *t : registeredTargets())
      std::printf("%-10s %s\n", t->name().str().c_str(), t->description().str().c_str());
  });
}

}  // namespace edgec::cli
