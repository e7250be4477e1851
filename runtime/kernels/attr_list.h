// A kernel's attributes built in memory, as the compiler writes them into a package: a
// sorted FlatBuffer vector of pkg::Attr behind the same Attrs view. For kernel tests and
// for fused kernels that prepare the kernels of their parts with their own attributes
// (ref/pointwise_depthwise.cpp). Baseline code only: the x86 ISA files must not
// instantiate its flatbuffers templates (see x86/conv_common.inc).
#pragma once

#include <vector>

#include "kernel.h"

namespace edgec::rt {

// Attributes as the compiler writes them: a sorted FlatBuffer vector of pkg::Attr.
class AttrList {
public:
  AttrList &i(const char *name, int64_t v) {
    attrs_.push_back(pkg::CreateAttrDirect(fbb_, name, pkg::AttrKind::Int, v));
    return *this;
  }
  AttrList &f(const char *name, float v) {
    attrs_.push_back(pkg::CreateAttrDirect(fbb_, name, pkg::AttrKind::Float, 0, v));
    return *this;
  }
  AttrList &ints(const char *name, const std::vector<int64_t> &v) {
    attrs_.push_back(pkg::CreateAttrDirect(fbb_, name, pkg::AttrKind::Ints, 0, 0.f, &v));
    return *this;
  }
  AttrList &floats(const char *name, const std::vector<float> &v) {
    attrs_.push_back(pkg::CreateAttrDirect(fbb_, name, pkg::AttrKind::Floats, 0, 0.f, nullptr, &v));
    return *this;
  }
  AttrList &s(const char *name, const char *v) {
    attrs_.push_back(
        pkg::CreateAttrDirect(fbb_, name, pkg::AttrKind::String, 0, 0.f, nullptr, nullptr, v));
    return *this;
  }
  // Finishes the buffer (once); the returned view lives as long as this list.
  Attrs attrs() {
    if (!finished_) {
      auto vec = fbb_.CreateVectorOfSortedTables(&attrs_);
      fbb_.Finish(pkg::CreateKernel(fbb_, 0, 0, 0, 0, vec));
      finished_ = true;
    }
    return Attrs(flatbuffers::GetRoot<pkg::Kernel>(fbb_.GetBufferPointer())->attrs());
  }

private:
  flatbuffers::FlatBufferBuilder fbb_;
  std::vector<flatbuffers::Offset<pkg::Attr>> attrs_;
  bool finished_ = false;
};

}  // namespace edgec::rt
