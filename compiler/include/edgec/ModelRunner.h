// Whole-model execution inside the compiler: an optimized edge module (after the host
// pipeline) is built into a package in memory and run on the runtime's best kernels,
// the ones that ship, with an observer that sees every tensor each kernel writes.
// Calibration and sensitivity analysis measure error with it.
//
// The runtime stays free of MLIR: this is the only place the two meet at run time, and
// it talks to the runtime through its internal C++ API (runtime/src/model.h), hidden
// behind a pimpl so users of this header need no runtime include paths.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "edgepkg_generated.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

namespace edgec {

// One tensor a kernel call just wrote. Valid only during the observer call: the data
// lives in the session's arena, which later calls reuse.
struct ObservedTensor {
  llvm::StringRef tensor;  // the package tensor's name (the producing ONNX node's, or the graph output's)
  llvm::StringRef node;    // the source node of the kernel call
  llvm::StringRef op;      // the kernel family ("Conv", "Add", ...)
  pkg::DType dtype;
  mlir::Type elementType;  // dtype as an MLIR element type (null for block-quantized dtypes)
  llvm::ArrayRef<int64_t> shape;
  const void *data;
  size_t bytes;
  size_t call;  // index of the kernel call in the function
  mlir::Value value;  // the IR value this tensor holds (null for one the lowering made, e.g. a copy)
};

// A graph input or output of the package.
struct RunnerTensorInfo {
  std::string name;
  pkg::DType dtype;
  std::vector<int64_t> shape;
  size_t bytes;
};

struct ModelRunnerOptions {
  int threads = 0;  // 0: one per core (the runtime's default)
};

class ModelRunner {
public:
  // Builds the host package of `module` in memory, validates it as the runtime loads
  // files, and prepares every kernel on the best ISA of this CPU (EDGEC_KERNELS caps it).
  // On failure returns null and sets `error`; lowering errors are also emitted as
  // diagnostics on the module's ops.
  static std::unique_ptr<ModelRunner> create(mlir::ModuleOp module, const ModelRunnerOptions &options,
                                             std::string &error);
  ~ModelRunner();

  const std::vector<RunnerTensorInfo> &inputs() const;
  const std::vector<RunnerTensorInfo> &outputs() const;
  int threads() const;
  size_t numKernelCalls() const;
  // The in-memory package's size and the bytes of its constants (weights), as
  // `edgec compile` would write them.
  uint64_t packageBytes() const;
  uint64_t constantBytes() const;

  // Called after every kernel call, once per tensor it wrote. Replaces any earlier one;
  // an empty function turns observation off.
  using Observer = std::function<void(const ObservedTensor &)>;
  void setObserver(Observer observer);

  // Binds every graph input by name and runs once. Fails, with `error` naming the input
  // and nothing run, if an input is missing, the model has no input of a given name, or
  // a size differs from the input's (dtype x shape).
  bool run(const std::map<std::string, llvm::ArrayRef<uint8_t>> &inputs, std::string &error);

  // Output `index`'s bytes after the last successful run.
  llvm::ArrayRef<uint8_t> output(size_t index) const;

  // Kernel timing, as `edgec run --profile` measures it. Turning it on (or off) clears
  // the counts; callTimes() sums every run since, per kernel call in program order.
  struct CallTime {
    std::string node, op;
    double totalMs = 0;
    int64_t runs = 0;
    mlir::Operation *operation = nullptr;  // the IR op whose result the call writes (null for one the lowering made)
  };
  void setProfiling(bool enabled);
  std::vector<CallTime> callTimes() const;

private:
  struct Impl;
  explicit ModelRunner(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// An observer that accumulates each float tensor's min and max (f32 and f64; other
// dtypes are skipped) over any number of runs. NaN and infinities are counted, not
// folded into the range.
class TensorRangeRecorder {
public:
  struct Range {
    std::string tensor, node, op;
    double min = 0, max = 0;  // over the finite values seen; meaningless while finite == 0
    uint64_t finite = 0, nonFinite = 0;
  };

  void record(const ObservedTensor &tensor);
  ModelRunner::Observer observer() {
    return [this](const ObservedTensor &t) { record(t); };
  }
  // In the order the tensors were first written (kernel order).
  const std::vector<Range> &ranges() const { return ranges_; }
  const Range *find(llvm::StringRef tensor) const;

private:
  std::vector<Range> ranges_;
  std::map<std::string, size_t> index_;
};

}  // namespace edgec
