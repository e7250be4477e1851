// Calibration for static quantization: runs the optimized float model on the user's
// samples, on the runtime's kernels (the ones that ship, through ModelRunner), and
// records each activation's quantization range in the IR as
// `edge.calib_range = array<f32: lo, hi>` (on the op producing it, or on a function
// argument), which edge-quantize reads.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "mlir/IR/BuiltinOps.h"
#include "quant/RangeEstimator.h"

namespace edgec {

struct CalibrationOptions {
  std::string samplesDir;           // .npy / .npz files (quant/CalibrationSamples.h)
  quant::CalibConfig method;        // minmax, percentile, entropy, mse
  size_t maxSamples = 0;            // 0: all
  int threads = 0;                  // 0: one per core
  // Called before the first sample (done = 0) and after each one.
  std::function<void(size_t done, size_t total)> progress;
};

struct CalibrationResult {
  size_t samples = 0;         // runs made
  size_t rangedValues = 0;    // IR values given a range
  uint64_t nonFinite = 0;     // NaN/Inf activations seen (ignored by the ranges)
};

// Records ranges on `module` (after the target's pipeline, before quantization). On
// failure returns false with `error` set: bad samples (naming the file and the problem),
// or a model the runtime cannot run.
bool calibrate(mlir::ModuleOp module, const CalibrationOptions &options, CalibrationResult &result,
               std::string &error);

}  // namespace edgec
