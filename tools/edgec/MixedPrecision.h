// What `edgec analyze` and `edgec compile --precision auto | --precision-plan` share:
// the budget and --force options, calibration and sensitivity analysis with a progress
// bar, and writing the report folder.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "Commands.h"
#include "edgec/AutoPlan.h"
#include "edgec/PrecisionPlan.h"
#include "edgec/SensitivityAnalysis.h"
#include "mlir/IR/BuiltinOps.h"
#include "quant/Sensitivity.h"

namespace edgec::cli {

struct MixedPrecisionOptions {
  PlanBudget budget;
  std::vector<std::string> force;       // PRECISION:REGEX
  std::vector<std::string> candidates;  // precisions analysis tries
  size_t maxSamples = 32;               // analysis samples (calibration uses --calib-samples)
  std::string reportDir;

  // --max-size-mb, --min-sqnr-db, --max-latency-ms, --force, --candidates, --max-samples.
  void addPlanOptions(CLI::App &cmd);
  void addReportOption(CLI::App &cmd, const std::string &help);
  // Throws CommandError before any work on a bad --force or candidate.
  AutoPlanOptions check() const;
};

struct CalibrationSettings {
  std::string dir, method = "minmax";
  size_t samples = 0;
  int threads = 0;
};

// Records calibration ranges on `module` (the step compile's --precision int8 runs),
// redrawing `progress`'s open line with a sample count on a terminal, and warns. Throws
// CommandError.
void calibrateModule(mlir::ModuleOp module, const CalibrationSettings &calib, const Progress &progress, bool quiet);

// What `--precision auto` and `edgec analyze` compute: the measurements and the plan.
struct MixedPlan {
  quant::SensitivityResult result;
  quant::ChosenPlan chosen;
  PrecisionPlan plan;
};

// Calibrates `module`, measures every group on the first options.maxSamples samples of
// `calib.dir` and chooses a plan for `autoOptions`, as three progress steps (on a
// terminal the open line counts samples, then trials with the time left), then writes
// the report folder if options.reportDir is set. Throws CommandError, also when no plan
// meets the budget.
MixedPlan planMixedPrecision(mlir::ModuleOp module, const CalibrationSettings &calib,
                             const MixedPrecisionOptions &options, const AutoPlanOptions &autoOptions,
                             const std::string &model, Progress &progress, bool quiet);

// Writes DIR/sensitivity.json, .md, .svg and plan.json (each atomically; the folder is
// created if needed). Throws CommandError.
void writeReport(const std::string &dir, mlir::ModuleOp module, const quant::SensitivityResult &result,
                 const quant::ChosenPlan *plan, const PrecisionPlan &precisionPlan, const std::string &model);

}  // namespace edgec::cli
