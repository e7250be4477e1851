#include "kernel.h"

#include <algorithm>
#include <cstring>

namespace edgec::rt {

Error::~Error() = default;
Kernel::~Kernel() = default;
size_t Kernel::scratchBytes() const { return 0; }

size_t dtypeSize(DType t) {
  switch (t) {
  case DType::f32: case DType::i32: case DType::u32: return 4;
  case DType::f16: case DType::bf16: case DType::i16: case DType::u16: return 2;
  case DType::f64: case DType::i64: case DType::u64: return 8;
  case DType::i8: case DType::u8: case DType::bool_: case DType::i4: return 1;
  }
  return 0;
}

const char *dtypeName(DType t) {
  const char *name = pkg::EnumNameDType(t);
  return (name && *name) ? name : "unknown";
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

int64_t Attrs::i(const char *name, int64_t def) const {
  const pkg::Attr *a = find(name);
  return a ? a->i() : def;
}

float Attrs::f(const char *name, float def) const {
  const pkg::Attr *a = find(name);
  return a ? a->f() : def;
}

std::vector<int64_t> Attrs::ints(const char *name, std::vector<int64_t> def) const {
  const pkg::Attr *a = find(name);
  if (!a || !a->ints()) return def;
  return std::vector<int64_t>(a->ints()->begin(), a->ints()->end());
}

std::vector<float> Attrs::floats(const char *name, std::vector<float> def) const {
  const pkg::Attr *a = find(name);
  if (!a || !a->floats()) return def;
  return std::vector<float>(a->floats()->begin(), a->floats()->end());
}

std::string Attrs::s(const char *name, std::string def) const {
  const pkg::Attr *a = find(name);
  if (!a || !a->s()) return def;
  return a->s()->str();
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
