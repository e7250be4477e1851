// Internal: a loaded package (mapped file + validated plan) and a session over it.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "edgepkg_generated.h"
#include "control_flow.h"
#include "edgec/weight_layouts.h"
#include "kernel.h"

namespace edgec::rt {

// How a package file is held in memory (edgec_residency in the C API).
enum class Residency { Mapped = 0, Locked = 1, Copied = 2 };

// The package image: a file mmapped read-only (constants are used in place), or bytes
// the compiler built in memory.
class PackageImage {
public:
  // Maps the file (Mapped, Locked) or reads it into anonymous memory (Copied); throws
  // Error naming the file.
  explicit PackageImage(const std::string &path, Residency residency = Residency::Mapped);
  explicit PackageImage(std::vector<uint8_t> bytes);
  PackageImage(const uint8_t *data, size_t size);  // borrowed: the caller keeps it alive
  ~PackageImage();
  PackageImage(const PackageImage &) = delete;
  PackageImage &operator=(const PackageImage &) = delete;
  const uint8_t *data() const { return data_; }
  size_t size() const { return size_; }

private:
  const uint8_t *data_ = nullptr;
  size_t size_ = 0;
  bool mapped_ = false;
  std::vector<uint8_t> owned_;
};

struct LoadOptions {
  // true: the CONSTANTS section checksum is verified at load (reads every weight page);
  // false: not at load, but by the first Session (or verifyConstants()) before any
  // kernel reads a constant. The header, section table and PLAN are always verified.
  bool verifyConstants = true;
  // The writer vouches for the constants (the compiler checking a package it just
  // wrote): they are never hashed, so checking reads no weight page.
  bool constantsTrusted = false;
  // Where the file's bytes live (ignored for packages built in memory).
  Residency residency = Residency::Mapped;
};

class LoadedModel {
public:
  // Maps and validates `path`; throws Error naming the file and the problem.
  explicit LoadedModel(const std::string &path, LoadOptions options = {});
  // Validates a package built in memory (`name` stands for the file in messages).
  LoadedModel(std::vector<uint8_t> image, const std::string &name, LoadOptions options = {});
  // Validates bytes the caller keeps alive as long as the model (no copy).
  LoadedModel(const uint8_t *data, size_t size, const std::string &name, LoadOptions options = {});
  LoadedModel(LoadedModel &&) = default;

  // Verifies the CONSTANTS section checksum once (later calls return at once, or throw
  // the same error again); thread-safe. Sessions call it before preparing kernels.
  void verifyConstants() const;
  bool constantsVerified() const;

  const pkg::Package &plan() const { return *plan_; }
  // Tells packages apart: the checksums of the plan and of the constants, which the file
  // records and load verifies (a saved session state belongs to one package).
  uint64_t fingerprint() const { return plan_checksum_ * 0x9e3779b97f4a7c15ull ^ constants_checksum_; }
  int numFunctions() const { return static_cast<int>(plan_->functions()->size()); }
  const pkg::Function &function(int index) const { return *plan_->functions()->Get(index); }
  // "main" if the package has it, else its first function.
  int defaultFunction() const { return default_function_; }
  // The index of the function `name`; throws Error listing the functions if none has it.
  int findFunction(const std::string &name) const;
  const pkg::Function &main() const { return function(default_function_); }
  // The function whose arena holds tensor `t`, or -1 for Constant and State tensors.
  int arenaOwner(int32_t tensor) const { return arena_owner_[tensor]; }
  const uint8_t *constants() const { return constants_; }
  uint64_t constantsSize() const { return constants_size_; }
  const std::vector<Isa> &isas() const { return isas_; }
  const std::vector<int64_t> &shape(int32_t tensor) const { return shapes_[tensor]; }
  // Dynamic shapes: whether the package has them; per tensor, per dim, -1 fixed, -2
  // computed at run time, k >= 0 dim symbol k (empty: all fixed). See Tensor in edgepkg.fbs.
  bool dynamic() const { return dynamic_; }
  const std::vector<int32_t> &dimSymbols(int32_t tensor) const { return dim_symbols_[size_t(tensor)]; }
  // A Constant weight stored in a packed layout (checked at load); kind None otherwise.
  layouts::Desc layout(int32_t tensor) const {
    return size_t(tensor) < layouts_.size() ? layouts_[size_t(tensor)] : layouts::Desc{};
  }

private:
  void validateContainer();
  void validatePlan();
  [[noreturn]] void fail(const std::string &what) const;

  void validateFunctions();
  void validateDynamicShapes();
  void validateQuant(uint32_t index, const std::string &name);
  uint64_t validateLayout(uint32_t index, const std::string &name);

  std::string path_;
  std::unique_ptr<PackageImage> file_;
  const pkg::Package *plan_ = nullptr;
  int default_function_ = 0;
  std::vector<int> arena_owner_;
  const uint8_t *constants_ = nullptr;
  uint64_t constants_size_ = 0;
  uint64_t constants_checksum_ = 0;
  uint64_t plan_checksum_ = 0;
  struct ConstantsCheck {
    std::mutex mutex;
    bool done = false;
    std::string error;  // non-empty: the section is corrupt
  };
  std::unique_ptr<ConstantsCheck> constants_check_ = std::make_unique<ConstantsCheck>();
  std::vector<Isa> isas_;
  std::vector<std::vector<int64_t>> shapes_;
  std::vector<std::vector<int32_t>> dim_symbols_;
  std::vector<layouts::Desc> layouts_;  // per tensor (may be shorter: no layout)
  bool dynamic_ = false;
};

// The feature a package with dynamic dims requires: runtimes before them reject it.
inline constexpr const char *kDynamicShapesFeature = "dynamic-shapes";
// The feature a package with packed weight layouts requires (Tensor.layout).
inline constexpr const char *kWeightLayoutsFeature = "weight-layouts";
// The feature a package with a windowed KVCacheAttention requires (its `window`
// attribute, which a runtime from before it would ignore).
inline constexpr const char *kAttentionWindowFeature = "attention-window";
// The feature a package with a soft-capped KVCacheAttention requires (`softcap`, Gemma 2).
inline constexpr const char *kAttentionSoftcapFeature = "attention-softcap";

class ThreadPool;

struct SessionOptions {
  int threads = 0;          // 0: one per core (defaultThreadCount)
  std::vector<Isa> isas;    // empty: the best this CPU runs (EDGEC_KERNELS caps it)
};

// One function's prepared kernels and its arena.
struct Call {
  std::unique_ptr<Kernel> kernel;
  KernelSignature sig;  // views of the session's tensors; their shapes follow the run's
  // Dynamic shapes: the input shapes `kernel` was prepared for, and kernels prepared for
  // other shapes, kept so that alternating between a few shapes re-prepares nothing.
  std::vector<std::vector<int64_t>> preparedShapes;
  std::vector<std::pair<std::vector<std::vector<int64_t>>, std::unique_ptr<Kernel>>> prepared;
  bool shapesReadValues = false;  // its output shapes depend on its inputs' values (Range, ...)
  // Its output sizes come from its run (NonZero, ...): resolved at their capacity, which
  // the kernel is prepared for, and set by the kernel when it runs.
  bool dataDependent = false;
  std::vector<const TensorView *> inputs;
  std::vector<TensorView *> outputs;
  std::vector<int32_t> outputTensors;  // package tensor indices of `outputs`
  std::vector<int32_t> inputTensors;   // package tensor indices of `inputs` (-1: absent)
  std::string op, node;
  Isa isa = Isa::Ref;
  double totalMs = 0;  // profiling
  int64_t runs = 0;
};

// Also the FunctionCaller of its control-flow kernels (If, Scan): they call functions of
// the same package, prepared here like any other.
class Session : public FunctionCaller {
public:
  // Prepares every kernel of every function and sets the state to its initial value;
  // throws Error naming the node whose kernel cannot be prepared.
  explicit Session(const LoadedModel &model, SessionOptions options = {});
  ~Session() override;

  // Inputs, run, outputs and profiles apply to the selected function (initially the
  // model's default function).
  void selectFunction(int index);
  int selectedFunction() const { return selected_; }
  void setInput(int32_t index, const void *data, size_t bytes);
  // Dynamic shapes: the shape of input `index` for the next runs (its fixed dims as
  // compiled, each dynamic dim from 1 to its bound). Set it before the input's data.
  void setInputShape(int32_t index, const std::vector<int64_t> &shape);
  // Computes every tensor's shape for the inputs' shapes and re-prepares the kernels
  // whose shapes changed; run() does it when an input shape changed. Throws Error naming
  // the node or tensor whose shape does not fit.
  void resolveShapes();
  void run();
  TensorView &output(int32_t index);
  // Every State tensor back to its initial value.
  void resetState();
  // The State tensors' memory, one region (what a saved session state copies).
  uint8_t *stateData() { return state_.get(); }
  size_t stateBytes() const { return model_.plan().state_size(); }
  int threads() const { return threads_; }

  // Called after every kernel call with the call and its index in the function; the
  // call's outputs hold what it wrote. For calibration and debugging; slows runs down.
  using Observer = std::function<void(const Call &call, size_t index)>;
  void setObserver(Observer observer) { observer_ = std::move(observer); }

  void setProfiling(bool enabled);

  // FunctionCaller. A called function's kernels are neither profiled nor observed.
  int findFunction(const std::string &name) const override;
  std::vector<TensorView *> functionInputs(int function) override;
  std::vector<TensorView *> functionOutputs(int function) override;
  void callFunction(int function, const RunContext &ctx) override;
  bool dynamicShapes() const override { return model_.dynamic(); }
  void setFunctionInputShape(int function, size_t index, const std::vector<int64_t> &shape) override;
  const std::vector<Call> &calls() const { return functions_[selected_].calls; }
  // Any tensor of the package, with its shape for the last resolved input shapes.
  const TensorView &tensor(int32_t index) const { return views_[size_t(index)]; }

private:
  // Memory from std::aligned_alloc, freed also when the constructor throws.
  struct Free {
    void operator()(uint8_t *p) const { std::free(p); }
  };
  using Buffer = std::unique_ptr<uint8_t, Free>;
  struct Function {
    std::vector<Call> calls;
    Buffer arena;
    // Dynamic shapes: the order in which shapes are computed, kernel calls (>= 0) and
    // views (-1 - tensor), and whether the input shapes changed since.
    std::vector<int64_t> shapeSteps;
    bool shapesStale = false;
    bool valueShapes = false;  // some call's shapes depend on values: resolved while running
  };
  void prepareCall(Call &call);
  // The call's inputs for `kernel`: a weight stored in a packed layout as stored if the
  // kernel takes that layout, else its row-major copy (unpackedView).
  void bindLayoutInputs(Call &call, const Kernel &kernel);
  const TensorView *unpackedView(int32_t tensor);
  void planShapeSteps(Function &function, int index);
  void resolveView(int32_t tensor);
  void resolveCall(Call &call);
  void checkSymbols();
  void growScratch(size_t bytes);
  // One scratch region per thread, and with threads one more for what they share
  // (RunContext::sharedRegion).
  int scratchRegions() const { return threads_ > 1 ? threads_ + 1 : 1; }
  uint8_t *sharedScratch() const { return threads_ > 1 ? scratch_.get() + size_t(threads_) * scratchStride_ : nullptr; }
  void runResolvingShapes(const RunContext &ctx);
  // Runs `function`'s calls in order, each call's shapes resolved right before it runs.
  void runFunctionResolving(Function &function, const RunContext &ctx, bool observe);
  const LoadedModel &model_;
  std::vector<Function> functions_;
  int selected_ = 0;
  Buffer state_;
  Buffer scratch_;
  size_t scratchStride_ = 0;
  int threads_ = 1;
  std::unique_ptr<ThreadPool> pool_;
  std::vector<TensorView> views_;
  std::vector<Isa> isas_;
  TensorView absent_;
  // Row-major copies of packed weights, made for the kernels that do not take their
  // layout (ref, say), once per tensor; addresses stay put.
  struct Unpacked {
    Buffer bytes;
    TensorView view;
  };
  std::vector<std::unique_ptr<Unpacked>> unpacked_;  // by tensor index (null: none yet)
  bool profiling_ = false;
  Observer observer_;
};

std::vector<Isa> hostIsas();                    // ISAs this CPU can run
bool hostHasFeature(const std::string &feature);  // "avx2", "fma", "neon", ...

}  // namespace edgec::rt
