// A session: every function's kernels prepared once over its own arena, the state block
// shared by all functions, a thread pool and per-thread scratch; then runs.
#include <chrono>
#include <cstdlib>
#include <cstring>

#include <sys/mman.h>

#include "edgec/package_format.h"
#include "f16_adapter.h"
#include "model.h"
#include "thread_pool.h"

namespace edgec::rt {

namespace {
uint8_t *alignedAlloc(size_t bytes) {
  if (bytes == 0) return nullptr;
  void *p = std::aligned_alloc(pkg::kAlignment, pkg::alignTo(bytes));
  if (!p) throw Error("out of memory allocating " + std::to_string(bytes) + " bytes");
  std::memset(p, 0, bytes);
  return static_cast<uint8_t *>(p);
}

// The state block (an LLM's KV caches: 29 MiB for Qwen2.5-1.5B's shapes at a context of
// 1024) on 2 MiB pages where the kernel allows them (THP "madvise" or "always"): a decode
// step's attention streams every layer's cache rows, and on 4 KiB pages each 295 KB run
// of one layer's K or V crosses 72 pages. Decode attention at pos 576 on one thread:
// 1.26-1.27 ms a step on 4 KiB pages, 1.14-1.18 on 2 MiB ones (docs/gguf-performance-log.md, eighteenth
// session). The advice comes before the first touch (the memset), so the pages are
// huge from their first fault. Arenas stay on 4 KiB pages: MobileNetV2 and ResNet-18 on
// huge ones were faster at one thread and slower at two, both within the noise.
uint8_t *stateAlloc(size_t bytes) {
  constexpr size_t kHugePage = size_t(2) << 20;
  if (bytes < kHugePage) return alignedAlloc(bytes);
  const size_t size = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  void *p = std::aligned_alloc(kHugePage, size);
  if (!p) throw Error("out of memory allocating " + std::to_string(bytes) + " bytes");
  (void)::madvise(p, size, MADV_HUGEPAGE);  // advice only: fine where THP is off
  std::memset(p, 0, bytes);
  return static_cast<uint8_t *>(p);
}

constexpr int kMaxThreads = 256;
}  // namespace

Session::Session(const LoadedModel &model, SessionOptions options) : model_(model) {
  model.verifyConstants();  // once per model, if it was loaded without verifying them
  if (options.threads < 0 || options.threads > kMaxThreads)
    throw Error("a session can use 1 to " + std::to_string(kMaxThreads) + " threads, not " +
                std::to_string(options.threads));
  threads_ = options.threads ? options.threads : defaultThreadCount();
  const std::vector<Isa> isas = options.isas.empty() ? model.isas() : options.isas;
  const pkg::Package &p = model.plan();
  const auto &tensors = *p.tensors();
  selected_ = model.defaultFunction();
  functions_.resize(size_t(model.numFunctions()));
  for (size_t f = 0; f < functions_.size(); ++f)
    functions_[f].arena.reset(alignedAlloc(model.function(int(f)).arena_size()));
  state_.reset(stateAlloc(p.state_size()));

  views_.resize(tensors.size());
  for (uint32_t i = 0; i < tensors.size(); ++i) {
    const pkg::Tensor *t = tensors[i];
    TensorView &v = views_[i];
    v.dtype = t->dtype();
    v.shape = model.shape(i);
    v.quant = t->quant();
    v.layout = model.layout(int32_t(i));
    if (t->storage() == pkg::Storage::Constant)
      v.data = const_cast<uint8_t *>(model.constants() + t->offset());
    else if (t->storage() == pkg::Storage::State)
      v.data = state_.get() + t->offset();
    else if (model.arenaOwner(int32_t(i)) >= 0)
      v.data = functions_[size_t(model.arenaOwner(int32_t(i)))].arena.get() + t->offset();
  }
  for (TensorView &v : views_)  // quantization parameters, by index (checked at load)
    if (v.quant && v.quant->scheme() != pkg::QuantScheme::None) {
      v.scales = &views_[size_t(v.quant->scales_tensor())];
      if (v.quant->zero_points_tensor() >= 0) v.zero_points = &views_[size_t(v.quant->zero_points_tensor())];
    }
  for (uint32_t i = 0; i < tensors.size(); ++i)  // packed weights' column sums (checked at load)
    if (views_[i].layout.kind != layouts::Kind::None && tensors[i]->layout()->column_sums() >= 0)
      views_[i].column_sums = &views_[size_t(tensors[i]->layout()->column_sums())];
  unpacked_.resize(tensors.size());
  resetState();

  isas_ = isas;
  size_t scratchBytes = 0;
  for (size_t f = 0; f < functions_.size(); ++f) {
    for (const pkg::Kernel *k : *model.function(int(f)).kernels()) {
      Call call;
      call.op = k->op()->str();
      call.node = k->name() ? k->name()->str() : "";
      KernelSignature &sig = call.sig;
      sig.op = call.op;
      sig.node = call.node;
      sig.attrs = Attrs(k->attrs());
      if (k->inputs())
        for (int32_t r : *k->inputs()) {
          const TensorView *v = r < 0 ? nullptr : &views_[r];
          sig.inputs.push_back(v);
          sig.input_is_constant.push_back(r >= 0 && tensors[r]->storage() == pkg::Storage::Constant);
          call.inputs.push_back(v ? v : &absent_);
          call.inputTensors.push_back(r);
        }
      if (k->outputs())
        for (int32_t r : *k->outputs()) {
          sig.outputs.push_back(&views_[r]);
          call.outputs.push_back(&views_[r]);
          call.outputTensors.push_back(r);
        }
      prepareCall(call);
      scratchBytes = std::max(scratchBytes, call.kernel->scratchBytes());
      functions_[f].calls.push_back(std::move(call));
    }
    if (model.dynamic()) planShapeSteps(functions_[f], int(f));
  }
  scratchStride_ = pkg::alignTo(scratchBytes);
  scratch_.reset(alignedAlloc(scratchStride_ * size_t(scratchRegions())));
  if (threads_ > 1) pool_ = std::make_unique<ThreadPool>(threads_);
}

// Picks and prepares the call's kernel for its signature's current shapes.
void Session::prepareCall(Call &call) {
  const KernelSignature &sig = call.sig;
  for (size_t i = 0; i < call.inputTensors.size(); ++i)  // as stored, for the registry's choice
    if (call.inputTensors[i] >= 0) call.sig.inputs[i] = call.inputs[i] = &views_[size_t(call.inputTensors[i])];
  call.kernel = KernelRegistry::instance().create(sig, isas_, &call.isa);
  if (auto *controlFlow = dynamic_cast<ControlFlowKernel *>(call.kernel.get())) controlFlow->bind(this);
  try {
    bindLayoutInputs(call, *call.kernel);
    try {
      call.kernel->prepare(sig);
    } catch (const Error &) {
      // A kernel that computes in f32 only takes f16 tensors through the adapter.
      if (!hasF16Tensor(sig)) throw;
      call.kernel = makeF16Adapter(isas_);
      bindLayoutInputs(call, *call.kernel);
      call.kernel->prepare(sig);
    }
  } catch (const Error &e) {
    // Kernels name their node; attribute and table errors may not.
    const std::string what = e.what(), prefix = sig.op + " node '";
    if (what.compare(0, prefix.size(), prefix) == 0) throw;
    kernelFail(sig, what);
  }
  call.preparedShapes.clear();
  for (const TensorView *v : sig.inputs) call.preparedShapes.push_back(v ? v->shape : std::vector<int64_t>{});
}

void Session::bindLayoutInputs(Call &call, const Kernel &kernel) {
  for (size_t i = 0; i < call.inputTensors.size(); ++i) {
    const int32_t t = call.inputTensors[i];
    if (t < 0 || views_[size_t(t)].layout.kind == layouts::Kind::None) continue;
    call.sig.inputs[i] = &views_[size_t(t)];
    if (!kernel.takesLayout(call.sig, i)) call.sig.inputs[i] = unpackedView(t);
    call.inputs[i] = call.sig.inputs[i];
  }
}

const TensorView *Session::unpackedView(int32_t tensor) {
  std::unique_ptr<Unpacked> &u = unpacked_[size_t(tensor)];
  if (!u) {
    const TensorView &packed = views_[size_t(tensor)];
    u = std::make_unique<Unpacked>();
    u->bytes.reset(alignedAlloc(size_t(layouts::logicalBytes(packed.layout))));
    layouts::unpack(packed.layout, packed.data, u->bytes.get());
    u->view = packed;
    u->view.data = u->bytes.get();
    u->view.layout = layouts::Desc{};
    u->view.column_sums = nullptr;
  }
  return &u->view;
}

Session::~Session() { pool_.reset(); }  // workers stop before the memory they used goes

void Session::selectFunction(int index) {
  if (index < 0 || index >= int(functions_.size()))
    throw Error("function index " + std::to_string(index) + " is out of range");
  selected_ = index;
}

void Session::resetState() {
  const auto &tensors = *model_.plan().tensors();
  for (uint32_t i = 0; i < tensors.size(); ++i) {
    const pkg::Tensor *t = tensors[i];
    if (t->storage() != pkg::Storage::State || t->size() == 0) continue;
    if (t->initializer() >= 0)
      std::memcpy(views_[i].data, views_[size_t(t->initializer())].data, t->size());
    else
      std::memset(views_[i].data, 0, t->size());
  }
}

void Session::setInput(int32_t index, const void *data, size_t bytes) {
  const pkg::Function &f = model_.function(selected_);
  const auto *inputs = f.inputs();
  if (!inputs || index < 0 || uint32_t(index) >= inputs->size())
    throw Error("input index " + std::to_string(index) + " is out of range for function '" + f.name()->str() + "'");
  TensorView &v = views_[inputs->Get(index)];
  if (bytes != v.nbytes())
    throw Error("input '" + model_.plan().tensors()->Get(inputs->Get(index))->name()->str() + "' expects " +
                std::to_string(v.nbytes()) + " bytes, got " + std::to_string(bytes));
  if (bytes) std::memcpy(v.data, data, bytes);  // an empty input may have no storage at all
}

void Session::run() {
  Function &function = functions_[size_t(selected_)];
  if (function.shapesStale && !function.valueShapes) resolveShapes();
  RunContext ctx;
  ctx.pool = pool_.get();
  ctx.threads = threads_;
  if (function.valueShapes) return runResolvingShapes(ctx);
  ctx.scratch = scratch_.get();
  ctx.scratchStride = scratchStride_;
  ctx.sharedScratch = sharedScratch();
  std::vector<Call> &calls = functions_[size_t(selected_)].calls;
  if (!profiling_ && !observer_) {
    for (Call &c : calls) c.kernel->run(ctx, c.inputs, c.outputs);
    return;
  }
  for (size_t i = 0; i < calls.size(); ++i) {
    Call &c = calls[i];
    auto start = std::chrono::steady_clock::now();
    c.kernel->run(ctx, c.inputs, c.outputs);
    if (profiling_) {
      c.totalMs += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      ++c.runs;
    }
    if (observer_) observer_(c, i);
  }
}

int Session::findFunction(const std::string &name) const { return model_.findFunction(name); }

std::vector<TensorView *> Session::functionInputs(int function) {
  std::vector<TensorView *> views;
  if (const auto *inputs = model_.function(function).inputs())
    for (int32_t t : *inputs) views.push_back(&views_[size_t(t)]);
  return views;
}

std::vector<TensorView *> Session::functionOutputs(int function) {
  std::vector<TensorView *> views;
  if (const auto *outputs = model_.function(function).outputs())
    for (int32_t t : *outputs) views.push_back(&views_[size_t(t)]);
  return views;
}

void Session::callFunction(int function, const RunContext &ctx) {
  // With dynamic shapes the caller set the inputs' sizes; the callee's follow.
  if (model_.dynamic()) return runFunctionResolving(functions_[size_t(function)], ctx, false);
  for (Call &c : functions_[size_t(function)].calls) c.kernel->run(ctx, c.inputs, c.outputs);
}

void Session::setProfiling(bool enabled) {
  profiling_ = enabled;
  for (Function &f : functions_)
    for (Call &c : f.calls) c.totalMs = 0, c.runs = 0;
}

TensorView &Session::output(int32_t index) {
  const pkg::Function &f = model_.function(selected_);
  const auto *outputs = f.outputs();
  if (!outputs || index < 0 || uint32_t(index) >= outputs->size())
    throw Error("output index " + std::to_string(index) + " is out of range for function '" + f.name()->str() + "'");
  return views_[outputs->Get(index)];
}

}  // namespace edgec::rt
