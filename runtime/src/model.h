// Internal: a loaded package (mapped file + validated plan) and a session over it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "edgepkg_generated.h"
#include "kernel.h"

namespace edgec::rt {

// The file image, mmapped read-only (constants are used in place).
class MappedFile {
public:
  explicit MappedFile(const std::string &path);  // throws Error
  ~MappedFile();
  MappedFile(const MappedFile &) = delete;
  MappedFile &operator=(const MappedFile &) = delete;
  const uint8_t *data() const { return data_; }
  size_t size() const { return size_; }

private:
  const uint8_t *data_ = nullptr;
  size_t size_ = 0;
};

class LoadedModel {
public:
  // Maps and validates `path`; throws Error naming the file and the problem.
  explicit LoadedModel(const std::string &path);

  const pkg::Package &plan() const { return *plan_; }
  const pkg::Function &main() const { return *main_; }
  const uint8_t *constants() const { return constants_; }
  uint64_t constantsSize() const { return constants_size_; }
  const std::vector<Isa> &isas() const { return isas_; }
  const std::vector<int64_t> &shape(int32_t tensor) const { return shapes_[tensor]; }

private:
  void validateContainer();
  void validatePlan();
  [[noreturn]] void fail(const std::string &what) const;

  std::string path_;
  std::unique_ptr<MappedFile> file_;
  const pkg::Package *plan_ = nullptr;
  const pkg::Function *main_ = nullptr;
  const uint8_t *constants_ = nullptr;
  uint64_t constants_size_ = 0;
  std::vector<Isa> isas_;
  std::vector<std::vector<int64_t>> shapes_;
};

class Session {
public:
  explicit Session(const LoadedModel &model);  // prepares every kernel; throws Error
  ~Session();
  void setInput(int32_t index, const void *data, size_t bytes);
  void run();
  TensorView &output(int32_t index);

  struct Call {
    std::unique_ptr<Kernel> kernel;
    std::vector<const TensorView *> inputs;
    std::vector<TensorView *> outputs;
    std::string op, node;
    Isa isa = Isa::Ref;
    double totalMs = 0;  // profiling
    int64_t runs = 0;
  };
  void setProfiling(bool enabled);
  const std::vector<Call> &calls() const { return calls_; }

private:
  const LoadedModel &model_;
  uint8_t *arena_ = nullptr;
  uint8_t *scratch_ = nullptr;
  std::vector<TensorView> views_;
  std::vector<Call> calls_;
  TensorView absent_;
  bool profiling_ = false;
};

std::vector<Isa> hostIsas();                    // ISAs this CPU can run
bool hostHasFeature(const std::string &feature);  // "avx2", "fma", "neon", ...

}  // namespace edgec::rt
