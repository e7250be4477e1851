// Calibration samples for `edgec compile --calib DIR`: the model inputs of each
// calibration run, read from the .npy / .npz files of a folder. Plain C++17 (no MLIR).
//
// Rules (what docs/cli.md tells the user):
//  * The files of DIR whose names end in `.npy` or `.npz` (lower case), in byte order of
//    their names; one sample per file or a batch of samples (see below). Subfolders and
//    other files (a README, `.DS_Store`, `.NPY`) are ignored; symlinks are followed.
//  * `.npy` files only when the model has exactly one input; otherwise an error that names
//    the inputs and suggests `.npz`.
//  * An `.npz` holds one array per model input, keyed by the input's name (np.savez(f,
//    **{name: array}); numpy stores `name.npy`, and either spelling is accepted). A missing
//    input is an error naming the file and the input; a key that is no input is an error
//    naming the key and the inputs (a typo is the likely cause).
//  * Each array's dtype must equal the input's. Its shape, for an input of shape S (rank r):
//      - S itself: one sample;
//      - rank r with the dims after the first equal to S's and dim 0 a multiple k of S[0]
//        (S[0] > 0): k samples, split along axis 0;
//      - rank r + 1 ending in S: dim 0 samples (a stack of samples);
//    anything else is an error naming the file, the input and both shapes. A batch of zero
//    samples is an error too. Within one .npz every input must give the same count.
//  * An empty, missing or unreadable folder, a folder without .npy/.npz files, an
//    unreadable or damaged file: one error naming the path and the problem.
// Every error is a CalibrationError; its message starts with the path concerned.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "edgec/runtime.h"
#include "quant/CalibrationError.h"

namespace edgec::quant {

// One model input as the calibration data must provide it (static shape).
struct ModelInputSpec {
  std::string name;
  edgec_dtype dtype = EDGEC_F32;
  std::vector<int64_t> shape;
};

// The inputs of one calibration run: bytes per input name, each exactly the input's size
// (C order, little-endian, as the runtime takes them).
struct CalibrationSample {
  std::string source;  // "DIR/a.npz", or "DIR/a.npz[3]" for the 4th sample of a batch
  std::map<std::string, std::vector<uint8_t>> inputs;
};

// Below this many samples the CLI warns loudly: ranges from fewer runs miss the tails that
// minmax and percentile are made of, and entropy/mse histograms are sparse. (TensorRT and
// ONNX Runtime suggest hundreds; 32 is the floor, not a target.)
constexpr size_t kCalibrationSampleWarningThreshold = 32;

// The samples of a folder. open() reads and checks every file once (so that bad data
// fails before a long calibration starts) and keeps only the list; forEach() reads the
// files again one at a time, so that memory holds one file's samples, not the whole set.
class CalibrationSamples {
public:
  // maxSamples > 0 keeps only the first maxSamples samples (files after them are not
  // read). Throws CalibrationError.
  static CalibrationSamples open(const std::string &dir, const std::vector<ModelInputSpec> &inputs,
                                 size_t maxSamples = 0);

  size_t size() const { return count_; }
  // The files in order with how many samples each gives (after maxSamples: a file may give
  // fewer than it holds, and files past the limit are not listed).
  const std::vector<std::pair<std::string, size_t>> &files() const { return files_; }

  // Calls fn(i, sample) for i = 0 .. size()-1 in order. Throws CalibrationError if a file
  // changed since open() and is no longer valid.
  void forEach(const std::function<void(size_t, const CalibrationSample &)> &fn) const;
  // Every sample at once (tests, small sets).
  std::vector<CalibrationSample> loadAll() const;

private:
  std::vector<ModelInputSpec> inputs_;
  std::vector<std::pair<std::string, size_t>> files_;
  size_t count_ = 0;
};

// The samples of one .npy / .npz file (exposed for tests and for `edgec run`-like tools).
std::vector<CalibrationSample> readCalibrationFile(const std::string &path,
                                                   const std::vector<ModelInputSpec> &inputs);

}  // namespace edgec::quant
