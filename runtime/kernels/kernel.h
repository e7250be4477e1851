// The kernel ABI: one interface, several ISA implementations (ref, x86, arm).
//
// A kernel family is named by its op ("Conv", "Add"). For each call in the plan the
// runtime asks the registry for the best implementation the CPU supports, calls
// `prepare` once at load time with the static shapes and attributes (parse attributes,
// validate, pre-compute, report scratch needs), then `run` on every inference.
// `ref` kernels are the portable oracle; every other implementation is tested against
// them (bit-exact for integer kernels, within a stated tolerance for float ones).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "edgepkg_generated.h"

namespace edgec::rt {

using DType = pkg::DType;

size_t dtypeSize(DType t);        // bytes per element (i4: 1, see packedBytes)
const char *dtypeName(DType t);

// Thrown by kernels and the loader; the C API turns it into an error string.
struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
  ~Error() override;  // out of line: see Kernel
};

struct TensorView {
  void *data = nullptr;
  DType dtype = DType::f32;
  std::vector<int64_t> shape;
  const pkg::QuantInfo *quant = nullptr;  // null for plain tensors

  int rank() const { return static_cast<int>(shape.size()); }
  int64_t numel() const {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
  }
  size_t nbytes() const { return static_cast<size_t>(numel()) * dtypeSize(dtype); }
  template <typename T> T *as() const { return static_cast<T *>(data); }
};

// Read-only view of a kernel's attributes (FlatBuffer-backed, looked up by name).
class Attrs {
public:
  explicit Attrs(const flatbuffers::Vector<flatbuffers::Offset<pkg::Attr>> *attrs)
      : attrs_(attrs) {}
  bool has(const char *name) const { return find(name) != nullptr; }
  int64_t i(const char *name, int64_t def) const;
  float f(const char *name, float def) const;
  std::vector<int64_t> ints(const char *name, std::vector<int64_t> def = {}) const;
  std::vector<float> floats(const char *name, std::vector<float> def = {}) const;
  std::string s(const char *name, std::string def = "") const;

private:
  const pkg::Attr *find(const char *name) const;
  const flatbuffers::Vector<flatbuffers::Offset<pkg::Attr>> *attrs_;
};

// What a kernel sees at prepare time: shapes and types only, no data (except for
// constant inputs, whose data is available so kernels can pre-pack weights).
struct KernelSignature {
  std::string op;
  std::string node;  // source node name, for messages
  std::vector<const TensorView *> inputs;   // null entry = absent optional input
  std::vector<const TensorView *> outputs;
  std::vector<bool> input_is_constant;
  Attrs attrs{nullptr};
};

class Kernel {
public:
  // Out of line (kernel.cpp), like Error's destructor and scratchBytes: the vtables and
  // every shared inline function are then emitted only in baseline code, never as a
  // weak copy from an ISA file (x86/) that the linker might pick for every caller.
  virtual ~Kernel();
  // Validate shapes/attrs, precompute. Throw Error with a clear message on failure.
  virtual void prepare(const KernelSignature &sig) = 0;
  // Bytes of scratch memory `run` needs (valid after prepare).
  virtual size_t scratchBytes() const;
  // Inputs/outputs are in the order of the plan; absent optional inputs have data == null.
  virtual void run(const std::vector<const TensorView *> &inputs,
                   const std::vector<TensorView *> &outputs, void *scratch) = 0;
};

// Ordered: among the implementations of an op that the CPU can run, the highest wins. Each
// x86 level implies the ones below it.
enum class Isa : int { Ref = 0, X86Avx2 = 1, X86Avx512 = 2, ArmNeon = 3 };
const char *isaName(Isa isa);

using KernelFactory = std::function<std::unique_ptr<Kernel>()>;

// All kernel implementations. Each family file exposes a `register...` function that
// `KernelRegistry::instance()` calls explicitly (no static-initializer tricks, which a
// static library link would silently drop). Lookups prefer the highest ISA available.
class KernelRegistry {
public:
  static KernelRegistry &instance();
  void add(const std::string &op, Isa isa, KernelFactory factory);
  template <typename K> void add(const std::string &op, Isa isa) {
    add(op, isa, [] { return std::unique_ptr<Kernel>(new K()); });
  }
  // Best implementation for `op` among ISAs in `available`; null if unknown op.
  std::unique_ptr<Kernel> create(const std::string &op, const std::vector<Isa> &available,
                                 Isa *chosen = nullptr) const;
  bool has(const std::string &op) const;
  std::vector<std::string> ops() const;

private:
  struct Entry {
    std::string op;
    Isa isa;
    KernelFactory factory;
  };
  std::vector<Entry> entries_;
};

// Helpers shared by kernel implementations.
std::vector<int64_t> broadcastStrides(const std::vector<int64_t> &shape,
                                      const std::vector<int64_t> &outShape);
[[noreturn]] void kernelFail(const KernelSignature &sig, const std::string &what);

}  // namespace edgec::rt
