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

#include "edgec/dtype_table.h"
#include "edgec/weight_layouts.h"
#include "edgepkg_generated.h"

namespace edgec::rt {

using DType = pkg::DType;

// Facts about a dtype come from the one table (edgec/dtype_table.h).
const DTypeInfo &dtypeInfo(DType t);  // throws Error for a value no dtype has
size_t dtypeSize(DType t);            // bytes per element; 0 for packed (i4/u4) and block types
const char *dtypeName(DType t);       // "f32", "q4_k", ...

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
  // Quantized tensors: the views of the scale and zero-point tensors that `quant` refers
  // to (validated at load against the scheme), or null (no zero points: all zero).
  const TensorView *scales = nullptr;
  const TensorView *zero_points = nullptr;
  // A Constant weight whose bytes are in a packed layout (edgec/weight_layouts.h; kind
  // None: row-major), and the column sums it comes with (I8W4), or null. Only a kernel
  // whose takesLayout() says so gets such a view; the session gives every other kernel
  // the weight unpacked.
  layouts::Desc layout;
  const TensorView *column_sums = nullptr;

  int rank() const { return static_cast<int>(shape.size()); }
  int64_t numel() const {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
  }
  size_t nbytes() const;  // storage bytes, packed and block types included
  template <typename T> T *as() const { return static_cast<T *>(data); }
};

// Read-only view of a kernel's attributes (FlatBuffer-backed, looked up by name).
class Attrs {
public:
  explicit Attrs(const flatbuffers::Vector<flatbuffers::Offset<pkg::Attr>> *attrs)
      : attrs_(attrs) {}
  // The compiler writes every attribute a kernel reads, ONNX defaults included. A getter
  // without a default requires the attribute; with a default, it may be absent. Either
  // way, an attribute of the wrong kind is an error (Error naming the attribute and
  // both kinds), never silently its default.
  bool has(const char *name) const { return find(name) != nullptr; }
  int64_t i(const char *name) const;
  int64_t i(const char *name, int64_t def) const;
  float f(const char *name) const;
  float f(const char *name, float def) const;
  std::vector<int64_t> ints(const char *name) const;
  std::vector<int64_t> ints(const char *name, std::vector<int64_t> def) const;
  std::vector<float> floats(const char *name) const;
  std::vector<float> floats(const char *name, std::vector<float> def) const;
  std::string s(const char *name) const;
  std::string s(const char *name, std::string def) const;

private:
  const pkg::Attr *find(const char *name) const;
  // The attribute `name` if present; throws if it is of another kind than `kind`, or
  // absent when `required`.
  const pkg::Attr *get(const char *name, pkg::AttrKind kind, bool required) const;
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

class ThreadPool;
class WorkItems;

// What a kernel gets on every run: the threads it may split its work over and its
// scratch memory, one region per thread (as ggml's ith/nth/wdata). A kernel splits work
// only over independent outputs, each computed in the same order whatever the thread
// count, so results are bit-identical for any number of threads.
struct RunContext {
  ThreadPool *pool = nullptr;  // null: everything runs on the calling thread
  int threads = 1;
  uint8_t *scratch = nullptr;  // threads * scratchStride bytes, 64-byte aligned regions
  size_t scratchStride = 0;
  // A region of scratchStride bytes for what several threads write (a conv's column
  // matrix or Winograd transforms filled by both threads), apart from every thread's own;
  // null: sharedRegion() is thread 0's region, as for one thread.
  uint8_t *sharedScratch = nullptr;

  void *threadScratch(int thread) const;
  // Where a kernel puts the part of its scratch that every thread writes or reads, laid
  // out as it would be in thread 0's region (the same offsets, within scratchBytes()).
  // Not thread 0's own region when the session has threads: on two far cores a store to
  // a line the other core wrote last waits for it to come over, so data both threads
  // write in one kernel would slow thread 0's own buffers in the next (ResNet-18's
  // layer1.0 conv1: ~70 us at two threads, docs/performance.md, twelfth session).
  void *sharedRegion() const;
  // Splits [0, n) into at most `threads` contiguous chunks of at least `grain` items
  // (fewer when n is small) and runs fn(begin, end, thread) for each, on the pool; returns
  // when all are done. `thread` indexes threadScratch. The first exception is rethrown.
  void parallelFor(int64_t n, int64_t grain,
                   const std::function<void(int64_t begin, int64_t end, int thread)> &fn) const;
  // Items [0, n) over the threads, balanced as they run: fn(items, thread) once a thread,
  // which takes items one at a time with items.next (thread_pool.h: its own contiguous
  // share, as parallelFor would split them, then the last items of a thread still busy).
  // For kernels whose items cost about the same but whose threads may not run at the
  // same speed (another process on one core) or cannot get equal shares. An item's
  // results must not depend on the thread that takes it or on what that thread took
  // before (state carried between items, such as a packed panel, is a cache to check).
  // `starts` (threads + 1 bounds, from 0 to n, in order): the threads' own ranges, where
  // the even split of the item indices is not the one wanted.
  void parallelItems(int64_t n, const std::function<void(WorkItems &items, int thread)> &fn,
                     const int64_t *starts = nullptr) const;
};

class Kernel {
public:
  // Out of line (kernel.cpp), like Error's destructor and scratchBytes: the vtables and
  // every shared inline function are then emitted only in baseline code, never as a
  // weak copy from an ISA file (x86/) that the linker might pick for every caller.
  virtual ~Kernel();
  // Validate shapes/attrs, precompute. Throw Error with a clear message on failure.
  virtual void prepare(const KernelSignature &sig) = 0;
  // Bytes of scratch memory `run` needs per thread (valid after prepare).
  virtual size_t scratchBytes() const;
  // Whether prepare and run read input `index` (sig.inputs[index]->layout is not None)
  // in its stored packed layout. False (the default): the session passes the weight
  // unpacked to row-major, as if the package stored it so.
  virtual bool takesLayout(const KernelSignature &sig, size_t index) const;
  // Inputs/outputs are in the order of the plan; absent optional inputs have data == null.
  // Ops whose output sizes depend on the input values (NonZero, Compress, Unique,
  // NonMaxSuppression; shapeIsDataDependent in shape_inference.h) are prepared with each
  // output at its capacity; run writes the actual results densely (row-major for the
  // actual shape) at the start of the buffer, sets outputs[i]->shape to the actual shape
  // (a dim may be 0), and never writes beyond the prepared capacity: a result that would
  // exceed it throws Error naming the node.
  virtual void run(const RunContext &ctx, const std::vector<const TensorView *> &inputs,
                   const std::vector<TensorView *> &outputs) = 0;
};

// Ordered: among the implementations of an op that the CPU can run, the highest wins. Each
// x86 level implies the ones below it.
enum class Isa : int { Ref = 0, X86Avx2 = 1, X86Avx512 = 2, ArmNeon = 3 };
const char *isaName(Isa isa);

using KernelFactory = std::function<std::unique_ptr<Kernel>()>;
// Whether an implementation handles a call: its dtypes and the attributes that matter.
// Checked before prepare; an implementation without one takes every call of its op.
using KernelAccepts = bool (*)(const KernelSignature &sig);

// All kernel implementations, keyed by signature. Each family file exposes a
// `register...` function that `KernelRegistry::instance()` calls explicitly (no
// static-initializer tricks, which a static library link would silently drop).
//
// A call gets the highest-ISA implementation of its op that the CPU runs and that accepts
// its signature (e.g. the x86 Conv takes f32 only, so an int8 Conv goes to ref); `ref`
// implements every op for every dtype its contract lists and is the fallback, whose
// prepare() says clearly what it does not support.
class KernelRegistry {
public:
  static KernelRegistry &instance();
  void add(const std::string &op, Isa isa, KernelFactory factory, KernelAccepts accepts = nullptr);
  template <typename K> void add(const std::string &op, Isa isa) {
    add(op, isa, [] { return std::unique_ptr<Kernel>(new K()); });
  }
  // The best implementation for `sig` among ISAs in `available`; throws Error naming the
  // node if none (an op this runtime does not know, or no ISA available implements it).
  std::unique_ptr<Kernel> create(const KernelSignature &sig, const std::vector<Isa> &available,
                                 Isa *chosen = nullptr) const;
  // By op name only (for code that builds its own signature later): the highest ISA.
  std::unique_ptr<Kernel> create(const std::string &op, const std::vector<Isa> &available,
                                 Isa *chosen = nullptr) const;
  bool has(const std::string &op) const;
  std::vector<std::string> ops() const;

private:
  struct Entry {
    std::string op;
    Isa isa;
    KernelFactory factory;
    KernelAccepts accepts;
  };
  std::vector<Entry> entries_;
};

// True if every present input and every output of `sig` has dtype `t`.
bool allOfDType(const KernelSignature &sig, DType t);

// Helpers shared by kernel implementations.
std::vector<int64_t> broadcastStrides(const std::vector<int64_t> &shape,
                                      const std::vector<int64_t> &outShape);
[[noreturn]] void kernelFail(const KernelSignature &sig, const std::string &what);

}  // namespace edgec::rt
