// Per-group sensitivity, measured on the kernels that ship (`edgec analyze`, `edgec
// compile --precision auto`).
//
// The model is imported, optimized and calibrated ONCE. Each trial then quantizes one
// group to one precision on a copy of that module (the same passes `edgec compile` runs,
// edgec/PrecisionPlan.h), lowers it to a package in memory and runs it on the runtime's
// best kernels over the analysis samples (ModelRunner): the error it reports is the error
// a package compiled with that plan gives under `edgec run`, not a simulation. The
// kernels themselves are precompiled in the runtime, so a trial costs an MLIR pass run,
// an in-memory lowering, kernel preparation and the sample runs; nothing is code-generated.
//
// Error is always the whole model's outputs against the fp32 model's on the same samples
// (quant::OutputError). Bytes are exact (the package's constants). Latency is kernel time
// from the runtime's profiler: a group's calls at fp32, and at a precision the change in
// the whole run's kernel time over the calls the trial changed (the group and the
// conversions at its boundary).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "edgec/PrecisionPlan.h"
#include "mlir/IR/BuiltinOps.h"
#include "quant/Sensitivity.h"

namespace edgec {

struct AnalysisOptions {
  // The samples every trial runs: the first maxSamples (0: all) of a calibration folder
  // (.npy / .npz, quant/CalibrationSamples.h), checked against the model's inputs.
  std::string samplesDir;
  size_t maxSamples = 0;
  // Candidates, tried on every group they change. "int8" needs calibration ranges on the module.
  std::vector<std::string> precisions = {"fp16", "int8", "int8-dynamic", "int4-g32", "int4-g128"};
  int threads = 0;  // runtime threads per run (0: one per core)
  // Called as trials finish (done of total), for a progress bar.
  std::function<void(size_t done, size_t total)> progress;
};

class SensitivityAnalyzer {
public:
  // `module`: optimized (after the target's pipeline), with ranges if "int8" is a
  // candidate; ops marked edge.keep_float are not analyzed. Loads the samples and runs
  // the fp32 baseline on them. Null with `error` when the samples are bad, the model
  // cannot run or it has nothing to analyze.
  static std::unique_ptr<SensitivityAnalyzer> create(mlir::ModuleOp module, const AnalysisOptions &options,
                                                     std::string &error);
  ~SensitivityAnalyzer();

  // Every group at every candidate precision. Fails only if a trial cannot be lowered or run.
  bool analyze(quant::SensitivityResult &result, std::string &error);

  // The figures of a whole plan (plan op name -> precision; absent: fp32) measured the
  // same way: error against fp32, package size, kernel time per run.
  bool measure(const std::map<std::string, std::string> &precisionOf, quant::OutputError &error,
               quant::PlanFigures &figures, std::string &message);

  const std::vector<PlanOp> &ops() const;

private:
  struct Impl;
  explicit SensitivityAnalyzer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace edgec
