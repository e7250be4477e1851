#include "kernel.h"
#include "thread_pool.h"

#include <algorithm>
#include <cstring>

namespace edgec::rt {

Error::~Error() = default;
Kernel::~Kernel() = default;
size_t Kernel::scratchBytes() const { return 0; }
bool Kernel::takesLayout(const KernelSignature &, size_t) const { return false; }

const DTypeInfo &dtypeInfo(DType t) {
  const DTypeInfo *info = edgec::dtypeInfo(static_cast<unsigned>(t));
  if (!info) throw Error("unknown element type #" + std::to_string(static_cast<unsigned>(t)));
  return *info;
}

size_t dtypeSize(DType t) {
  const DTypeInfo *info = edgec::dtypeInfo(static_cast<unsigned>(t));
  return info ? info->elementBytes() : 0;
}

const char *dtypeName(DType t) {
  const DTypeInfo *info = edgec::dtypeInfo(static_cast<unsigned>(t));
  return info ? info->name : "unknown";
}

size_t TensorView::nbytes() const {
  uint64_t bytes = 0;
  std::string why;
  if (!tensorStorageBytes(dtypeInfo(dtype), shape.data(), shape.size(), &bytes, &why))
    throw Error(std::string("a ") + dtypeName(dtype) + " tensor of this shape is impossible: " + why);
  return static_cast<size_t>(bytes);
}

const char *isaName(Isa isa) {
  switch (isa) {
  case Isa::Ref: return "ref";
  case Isa::X86Avx2: return "x86-avx2";
  case Isa::X86Avx512: return "x86-avx512";
  case Isa::ArmNeon: return "arm-neon";
  }
  return "unknown";
}

const pkg::Attr *Attrs::find(const char *name) const {
  if (!attrs_) return nullptr;
  return attrs_->LookupByKey(name);
}

const pkg::Attr *Attrs::get(const char *name, pkg::AttrKind kind, bool required) const {
  const pkg::Attr *a = find(name);
  if (!a) {
    if (required) throw Error(std::string("attribute '") + name + "' is missing");
    return nullptr;
  }
  if (a->kind() != kind)
    throw Error(std::string("attribute '") + name + "' is " + pkg::EnumNameAttrKind(a->kind()) + ", expected " +
                pkg::EnumNameAttrKind(kind));
  return a;
}

int64_t Attrs::i(const char *name) const { return get(name, pkg::AttrKind::Int, true)->i(); }
int64_t Attrs::i(const char *name, int64_t def) const {
  const pkg::Attr *a = get(name, pkg::AttrKind::Int, false);
  return a ? a->i() : def;
}

float Attrs::f(const char *name) const { return get(name, pkg::AttrKind::Float, true)->f(); }
float Attrs::f(const char *name, float def) const {
  const pkg::Attr *a = get(name, pkg::AttrKind::Float, false);
  return a ? a->f() : def;
}

namespace {
template <typename T, typename V> std::vector<T> toVector(const V *v) {
  return v ? std::vector<T>(v->begin(), v->end()) : std::vector<T>();
}
}  // namespace

std::vector<int64_t> Attrs::ints(const char *name) const {
  return toVector<int64_t>(get(name, pkg::AttrKind::Ints, true)->ints());
}
std::vector<int64_t> Attrs::ints(const char *name, std::vector<int64_t> def) const {
  const pkg::Attr *a = get(name, pkg::AttrKind::Ints, false);
  return a ? toVector<int64_t>(a->ints()) : def;
}

std::vector<float> Attrs::floats(const char *name) const {
  return toVector<float>(get(name, pkg::AttrKind::Floats, true)->floats());
}
std::vector<float> Attrs::floats(const char *name, std::vector<float> def) const {
  const pkg::Attr *a = get(name, pkg::AttrKind::Floats, false);
  return a ? toVector<float>(a->floats()) : def;
}

std::string Attrs::s(const char *name) const {
  const pkg::Attr *a = get(name, pkg::AttrKind::String, true);
  return a->s() ? a->s()->str() : "";
}
std::string Attrs::s(const char *name, std::string def) const {
  const pkg::Attr *a = get(name, pkg::AttrKind::String, false);
  return a ? (a->s() ? a->s()->str() : "") : def;
}

void *RunContext::threadScratch(int thread) const { return scratch ? scratch + thread * scratchStride : nullptr; }
void *RunContext::sharedRegion() const { return sharedScratch ? sharedScratch : threadScratch(0); }

void RunContext::parallelFor(int64_t n, int64_t grain,
                             const std::function<void(int64_t, int64_t, int)> &fn) const {
  if (n <= 0) return;
  const int64_t chunks = std::min<int64_t>(threads, std::max<int64_t>(1, n / std::max<int64_t>(grain, 1)));
  if (!pool || chunks <= 1) {
    fn(0, n, 0);
    return;
  }
  pool->run(chunks, [&](int64_t chunk, int thread) { fn(n * chunk / chunks, n * (chunk + 1) / chunks, thread); });
}

void RunContext::parallelItems(int64_t n, const std::function<void(WorkItems &, int)> &fn,
                               const int64_t *starts) const {
  if (n <= 0) return;
  if (!pool || threads <= 1 || n == 1) {
    WorkItems all(0, n);
    fn(all, 0);
    return;
  }
  pool->runItems(n, threads, fn, starts);
}

std::vector<int64_t> broadcastStrides(const std::vector<int64_t> &shape,
                                      const std::vector<int64_t> &outShape) {
  // Element strides of `shape` aligned to `outShape` (numpy rules); 0 on broadcast dims.
  std::vector<int64_t> strides(outShape.size(), 0);
  int64_t stride = 1;
  int offset = static_cast<int>(outShape.size()) - static_cast<int>(shape.size());
  for (int i = static_cast<int>(shape.size()) - 1; i >= 0; --i) {
    strides[i + offset] = shape[i] == 1 ? 0 : stride;
    stride *= shape[i];
  }
  return strides;
}

void kernelFail(const KernelSignature &sig, const std::string &what) {
  throw Error(sig.op + " node '" + sig.node + "': " + what);
}

}  // namespace edgec::rt
