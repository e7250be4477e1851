// A session: one activation arena, the kernels of `main` prepared once, then run.
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "edgec/package_format.h"
#include "model.h"

namespace edgec::rt {

namespace {
uint8_t *alignedAlloc(size_t bytes) {
  if (bytes == 0) return nullptr;
  void *p = std::aligned_alloc(pkg::kAlignment, pkg::alignTo(bytes));
  if (!p) throw Error("out of memory allocating " + std::to_string(bytes) + " bytes");
  std::memset(p, 0, bytes);
  return static_cast<uint8_t *>(p);
}
}  // namespace

Session::Session(const LoadedModel &model) : model_(model) {
  const pkg::Package &p = model.plan();
  arena_ = alignedAlloc(p.arena_size());
  const auto &tensors = *p.tensors();
  views_.resize(tensors.size());
  for (uint32_t i = 0; i < tensors.size(); ++i) {
    const pkg::Tensor *t = tensors[i];
    TensorView &v = views_[i];
    v.dtype = t->dtype();
    v.shape = model.shape(i);
    v.quant = t->quant();
    if (t->storage() == pkg::Storage::Constant)
      v.data = const_cast<uint8_t *>(model.constants() + t->offset());
    else if (t->storage() == pkg::Storage::Arena)
      v.data = arena_ + t->offset();
    else
      throw Error("state tensors are not supported by this runtime yet");
  }

  size_t scratchBytes = 0;
  for (const pkg::Kernel *k : *model.main().kernels()) {
    Call call;
    call.op = k->op()->str();
    call.node = k->name() ? k->name()->str() : "";
    KernelSignature sig;
    sig.op = call.op;
    sig.node = call.node;
    sig.attrs = Attrs(k->attrs());
    if (k->inputs())
      for (int32_t r : *k->inputs()) {
        const TensorView *v = r < 0 ? nullptr : &views_[r];
        sig.inputs.push_back(v);
        sig.input_is_constant.push_back(r >= 0 && tensors[r]->storage() == pkg::Storage::Constant);
        call.inputs.push_back(v ? v : &absent_);
      }
    if (k->outputs())
      for (int32_t r : *k->outputs()) {
        sig.outputs.push_back(&views_[r]);
        call.outputs.push_back(&views_[r]);
      }
    call.kernel = KernelRegistry::instance().create(call.op, model.isas(), &call.isa);
    if (!call.kernel) throw Error("no kernel for op '" + call.op + "' on this CPU");
    call.kernel->prepare(sig);
    scratchBytes = std::max(scratchBytes, call.kernel->scratchBytes());
    calls_.push_back(std::move(call));
  }
  scratch_ = alignedAlloc(scratchBytes);
}

Session::~Session() {
  std::free(arena_);
  std::free(scratch_);
}

void Session::setInput(int32_t index, const void *data, size_t bytes) {
  const auto *inputs = model_.main().inputs();
  if (!inputs || index < 0 || uint32_t(index) >= inputs->size())
    throw Error("input index " + std::to_string(index) + " is out of range");
  TensorView &v = views_[inputs->Get(index)];
  if (bytes != v.nbytes())
    throw Error("input '" + model_.plan().tensors()->Get(inputs->Get(index))->name()->str() + "' expects " +
                std::to_string(v.nbytes()) + " bytes, got " + std::to_string(bytes));
  if (bytes) std::memcpy(v.data, data, bytes);  // an empty input may have no storage at all
}

void Session::run() {
  if (!profiling_) {
    for (Call &c : calls_) c.kernel->run(c.inputs, c.outputs, scratch_);
    return;
  }
  for (Call &c : calls_) {
    auto start = std::chrono::steady_clock::now();
    c.kernel->run(c.inputs, c.outputs, scratch_);
    c.totalMs += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    ++c.runs;
  }
}

void Session::setProfiling(bool enabled) {
  profiling_ = enabled;
  for (Call &c : calls_) c.totalMs = 0, c.runs = 0;
}

TensorView &Session::output(int32_t index) {
  const auto *outputs = model_.main().outputs();
  if (!outputs || index < 0 || uint32_t(index) >= outputs->size())
    throw Error("output index " + std::to_string(index) + " is out of range");
  return views_[outputs->Get(index)];
}

}  // namespace edgec::rt
