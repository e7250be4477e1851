// Reference comparisons (Equal, Less, Greater, LessOrEqual, GreaterOrEqual) and logic
// (And, Or, Xor): two broadcasting operands of one dtype, a bool result.
//
// One kernel template instantiated per functor; f16 compares through float and bool
// through bool (Arith in util.h), so every functor is written once on plain values.
#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::ref {
namespace {

// Every dtype a comparison accepts (bool only for Equal; numbers for all).
using CompareTypes = Types<float, Half, double, int8_t, uint8_t, int16_t, uint16_t, int32_t,
                           uint32_t, int64_t, uint64_t, Bool>;

struct CompareFn {
  using Inputs = CompareTypes;
};
struct LogicFn {
  using Inputs = Types<Bool>;
};

// NaN compares false (IEEE), except for != which Equal does not have.
struct Equal : CompareFn {
  template <typename T> bool operator()(T a, T b) const { return a == b; }
};
struct Less : CompareFn {
  template <typename T> bool operator()(T a, T b) const { return a < b; }
};
struct Greater : CompareFn {
  template <typename T> bool operator()(T a, T b) const { return a > b; }
};
struct LessOrEqual : CompareFn {
  template <typename T> bool operator()(T a, T b) const { return a <= b; }
};
struct GreaterOrEqual : CompareFn {
  template <typename T> bool operator()(T a, T b) const { return a >= b; }
};
struct And : LogicFn {
  bool operator()(bool a, bool b) const { return a && b; }
};
struct Or : LogicFn {
  bool operator()(bool a, bool b) const { return a || b; }
};
struct Xor : LogicFn {
  bool operator()(bool a, bool b) const { return a != b; }
};

template <typename Fn> class RefPredicate final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 2, 2);
    const TensorView &a = requireInput(sig, 0, "A");
    const TensorView &b = requireInput(sig, 1, "B");
    requireDType(sig, a, typename Fn::Inputs{}, sig.op.c_str());
    requireSameDType(sig, a, b, "B");
    requireDType(sig, requireOutput(sig, 0), Types<Bool>{}, "output");
    loop_ = broadcastLoop<3>(sig, {&a, &b});
    dtype_ = a.dtype;
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    dispatch(typename Fn::Inputs{}, dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const Fn fn;
      binaryLoop(loop_, out[0]->as<Bool>(), in[0]->as<T>(), in[1]->as<T>(), [fn](T a, T b) {
        return Bool{static_cast<uint8_t>(fn(Arith<T>::load(a), Arith<T>::load(b)))};
      });
    });
  }

private:
  StridedLoop<3> loop_;
  DType dtype_ = DType::f32;
};

template <typename Fn> void add(KernelRegistry &r, const char *name) {
  r.add<RefPredicate<Fn>>(name, Isa::Ref);
}

}  // namespace
}  // namespace edgec::rt::ref

namespace edgec::rt {

void registerRefLogic(KernelRegistry &r) {
  using namespace ref;
  add<Equal>(r, "Equal");
  add<Less>(r, "Less");
  add<Greater>(r, "Greater");
  add<LessOrEqual>(r, "LessOrEqual");
  add<GreaterOrEqual>(r, "GreaterOrEqual");
  add<And>(r, "And");
  add<Or>(r, "Or");
  add<Xor>(r, "Xor");
}

}  // namespace edgec::rt
