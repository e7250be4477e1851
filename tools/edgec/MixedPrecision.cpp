#include "MixedPrecision.h"

#include <unistd.h>

#include <cstdio>
#include <sstream>
#include <sys/stat.h>

#include "Commands.h"
#include "edgec/AtomicFile.h"
#include "edgec/Calibration.h"
#include "quant/CalibrationSamples.h"
#include "quant/SensitivityReport.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

namespace edgec::cli {

void MixedPrecisionOptions::addPlanOptions(CLI::App &cmd) {
  cmd.add_option("--max-size-mb", budget.maxSizeMb, "Budget: the whole package at most this many MiB")
      ->check(CLI::PositiveNumber);
  cmd.add_option("--min-sqnr-db", budget.minSqnrDb,
                 "Budget: the model's outputs within this SQNR (dB) of the fp32 model's on the samples");
  cmd.add_option("--max-latency-ms", budget.maxLatencyMs,
                 "Budget: kernel time per run at most this many milliseconds (on this machine's best kernels)")
      ->check(CLI::PositiveNumber);
  cmd.add_option("--force", force,
                 "PRECISION:REGEX: groups with an ONNX node name the regex finds get PRECISION, protected or not "
                 "(repeatable; a later one wins)")
      ->type_name("PRECISION:REGEX");
  cmd.add_option("--candidates", candidates,
                 "Precisions the analysis tries on every group (comma-separated; default: fp16, int8, int8-dynamic, "
                 "int4-g32, int4-g128)")
      ->delimiter(',');
  cmd.add_option("--max-samples", maxSamples, "Analysis runs on at most N of the --calib samples")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
}

void MixedPrecisionOptions::addReportOption(CLI::App &cmd, const std::string &help) {
  cmd.add_option("--report", reportDir, help)->type_name("DIR");
}

AutoPlanOptions MixedPrecisionOptions::check() const {
  AutoPlanOptions o;
  o.budget = budget;
  for (const std::string &f : force) {
    std::pair<std::string, std::string> parsed;
    std::string error;
    if (!parseForce(f, parsed, error)) throw CommandError(error);
    o.force.push_back(parsed);
  }
  for (const std::string &c : candidates)
    if (!isPlanPrecision(c) || c == "fp32")
      throw CommandError("--candidates: unknown precision '" + c + "' (fp16, int8, int8-dynamic, int4-g32, int4-g64, "
                         "int4-g128, int4-gN-a8)");
  if (!std::isnan(budget.minSqnrDb) && !std::isfinite(budget.minSqnrDb))
    throw CommandError("--min-sqnr-db must be a finite number of dB");
  return o;
}

void calibrateModule(mlir::ModuleOp module, const CalibrationSettings &settings, const Progress &progress, bool quiet) {
  CalibrationOptions calib;
  calib.samplesDir = settings.dir;
  try {
    calib.method = quant::parseCalibMethod(settings.method);
  } catch (const quant::CalibrationError &e) {
    throw CommandError(e.what());
  }
  calib.maxSamples = settings.samples;
  calib.threads = settings.threads;
  const bool tty = !quiet && isatty(STDERR_FILENO);
  calib.progress = [&](size_t done, size_t total) {
    if (done == 0 && total < quant::kCalibrationSampleWarningThreshold)
      std::fprintf(stderr, "\nwarning: only %zu calibration sample%s in %s; at least %zu are recommended (ranges "
                           "from few samples miss the tails, and accuracy suffers)\n",
                   total, total == 1 ? "" : "s", settings.dir.c_str(), quant::kCalibrationSampleWarningThreshold);
    if (tty) std::fprintf(stderr, "\r%s %zu/%zu samples", progress.line().c_str(), done, total);
  };
  CalibrationResult result;
  std::string error;
  if (!calibrate(module, calib, result, error)) throw CommandError("calibration failed: " + error);
  if (result.nonFinite)
    std::fprintf(stderr, "warning: %llu NaN or infinite activation values were seen during calibration and "
                         "ignored\n", static_cast<unsigned long long>(result.nonFinite));
}

MixedPlan planMixedPrecision(mlir::ModuleOp module, const CalibrationSettings &calib,
                             const MixedPrecisionOptions &options, const AutoPlanOptions &autoOptions,
                             const std::string &model, Progress &progress, bool quiet) {
  progress.step("calibrating (" + calib.method + ")");
  calibrateModule(module, calib, progress, quiet);

  progress.step("measuring each group's sensitivity");
  AnalysisOptions ao;
  ao.samplesDir = calib.dir;
  ao.maxSamples = options.maxSamples;
  if (!options.candidates.empty()) ao.precisions = options.candidates;
  ao.threads = calib.threads;
  const bool tty = !quiet && isatty(STDERR_FILENO);
  const double start = nowSeconds();
  ao.progress = [&](size_t done, size_t total) {
    if (!tty) return;
    const double elapsed = nowSeconds() - start;
    std::fprintf(stderr, "\r%s %zu/%zu trials", progress.line().c_str(), done, total);
    if (done > 0 && done < total)
      std::fprintf(stderr, ", about %.0f s left  ", elapsed / double(done) * double(total - done));
    else std::fprintf(stderr, "%22s", "");  // over the time left
    std::fflush(stderr);
  };
  MixedPlan mixed;
  std::string error;
  std::unique_ptr<SensitivityAnalyzer> analyzer = SensitivityAnalyzer::create(module, ao, error);
  if (!analyzer || !analyzer->analyze(mixed.result, error)) throw CommandError("sensitivity analysis: " + error);
  mixed.result.model = model;

  progress.step("choosing precisions for " + autoOptions.budget.describe());
  mixed.plan.calibMethod = calib.method;
  if (!chooseAutoPlan(*analyzer, mixed.result, autoOptions, mixed.chosen, mixed.plan.precisionOf, error))
    throw CommandError(error);
  if (!options.reportDir.empty())
    writeReport(options.reportDir, module, mixed.result, &mixed.chosen, mixed.plan, model);
  return mixed;
}

void writeReport(const std::string &dir, mlir::ModuleOp module, const quant::SensitivityResult &result,
                 const quant::ChosenPlan *plan, const PrecisionPlan &precisionPlan, const std::string &model) {
  if (std::error_code ec = llvm::sys::fs::create_directories(dir))
    throw CommandError("--report " + dir + ": cannot create the folder: " + ec.message());
  auto write = [&](const std::string &name, const std::string &text) {
    llvm::SmallString<256> path(dir);
    llvm::sys::path::append(path, name);
    std::string error;
    if (!writeFileAtomically(std::string(path), std::vector<uint8_t>(text.begin(), text.end()), error))
      throw CommandError(error);
  };
  std::ostringstream json, md, svg;
  quant::writeSensitivityJson(result, plan, json);
  quant::writeSensitivityMarkdown(result, plan, md);
  quant::writeSensitivitySvg(result, plan, svg);
  write("sensitivity.json", json.str());
  write("sensitivity.md", md.str());
  write("sensitivity.svg", svg.str());
  write("plan.json", planJson(module, precisionPlan, llvm::sys::path::filename(model).str()));
}

}  // namespace edgec::cli
