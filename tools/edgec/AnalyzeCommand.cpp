// `edgec analyze`: per-group sensitivity to quantization, measured on the kernels that
// ship, with a report folder and the plan chosen for a budget.
#include <cmath>
#include <cstdio>
#include <iostream>

#include "Commands.h"
#include "KeepFloatOptions.h"
#include "MixedPrecision.h"
#include "edgec/Target.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "quant/SensitivityReport.h"
#include "llvm/Support/raw_ostream.h"

namespace edgec::cli {

namespace {
// Without a budget, analyze shows the smallest plan within this SQNR.
constexpr double kDefaultMinSqnrDb = 30;
}  // namespace

void addAnalyzeCommand(CLI::App &app) {
  auto *cmd = app.add_subcommand(
      "analyze", "Measure how sensitive each layer is to quantization and choose a precision per layer");
  struct Options {
    ModelInput input;
    CalibrationSettings calib;
    MixedPrecisionOptions mixed;
    KeepFloatOptions keepFloat;
    std::string target = "host", format = "table";
    size_t rows = 20;
    bool quiet = false;
  };
  auto opts = std::make_shared<Options>();
  opts->input.addOptions(*cmd);
  cmd->add_option("--calib", opts->calib.dir,
                  "Folder of samples (.npy for one input, .npz keyed by input name): calibration for the int8 "
                  "candidates, and the inputs every trial runs")
      ->required();
  cmd->add_option("--calib-method", opts->calib.method, "Calibration method for int8 ranges (as edgec compile)")
      ->capture_default_str();
  cmd->add_option("--calib-samples", opts->calib.samples, "Calibrate on at most N samples (default: all)");
  cmd->add_option("--threads", opts->calib.threads, "Runtime threads per run (default: one per core)")
      ->check(CLI::Range(1, 256));
  opts->mixed.addPlanOptions(*cmd);
  opts->mixed.addReportOption(*cmd, "Write sensitivity.json, sensitivity.md, sensitivity.svg and plan.json here");
  opts->keepFloat.addOptions(*cmd);
  cmd->add_option("--format", opts->format, "What to print on stdout: table (the most sensitive groups) or none")
      ->check(CLI::IsMember({"table", "none"}))
      ->capture_default_str();
  cmd->add_option("--rows", opts->rows, "Rows of the table")->capture_default_str();
  cmd->add_flag("-q,--quiet", opts->quiet, "No progress output");
  cmd->callback([opts] {
    const Target *target = lookupTarget(opts->target);
    AutoPlanOptions autoOptions = opts->mixed.check();
    if (!autoOptions.budget.any()) autoOptions.budget.minSqnrDb = kDefaultMinSqnrDb;
    opts->keepFloat.check("analyze");
    Progress progress(5, opts->quiet);
    mlir::MLIRContext context;
    DiagnosticText diagnostics(context);
    progress.step("importing " + opts->input.path);
    auto module = loadModel(context, opts->input);
    progress.step("optimizing");
    mlir::PassManager pm(&context);
    target->buildPipeline(pm, PipelineOptions{});
    if (mlir::failed(pm.run(*module))) throw CommandError("optimization failed:\n" + diagnostics.str());
    opts->keepFloat.apply(*module, opts->quiet);
    const MixedPlan mixed =
        planMixedPrecision(*module, opts->calib, opts->mixed, autoOptions, opts->input.path, progress, opts->quiet);
    progress.done();
    const quant::SensitivityResult &result = mixed.result;
    if (opts->format == "table") quant::printSensitivityTable(result, &mixed.chosen, opts->rows, std::cout);
    if (!opts->quiet) {
      std::fprintf(stderr, "analyzed %zu groups x %zu precisions on %zu samples in %.1f s", result.groups.size(),
                   result.precisions.size(), result.samples, result.seconds);
      if (!opts->mixed.reportDir.empty()) std::fprintf(stderr, "; report in %s", opts->mixed.reportDir.c_str());
      std::fprintf(stderr, "\n");
    }
  });
}

}  // namespace edgec::cli
