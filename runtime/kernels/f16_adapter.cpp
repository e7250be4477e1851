#include "f16_adapter.h"

#include <algorithm>
#include <cstring>
#include <deque>

#include "edgec/package_format.h"
#include "src/model.h"
#if defined(__x86_64__)
#include "x86/f16_convert.h"
#endif

namespace edgec::rt {

bool hasF16Tensor(const KernelSignature &sig) {
  for (const TensorView *v : sig.inputs)
    if (v && v->dtype == DType::f16) return true;
  for (const TensorView *v : sig.outputs)
    if (v->dtype == DType::f16) return true;
  return false;
}

float halfBitsToFloat(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000u) << 16, exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu;
  uint32_t bits;
  if (exp == 0) {
    const float sub = float(mant) * 5.9604644775390625e-8f;  // mant * 2^-24, exact
    std::memcpy(&bits, &sub, 4);
    bits |= sign;
  } else if (exp == 31) {  // infinity, or a NaN made quiet
    bits = sign | 0x7f800000u | (mant ? 0x400000u : 0u) | (mant << 13);
  } else {
    bits = sign | ((exp + 112) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

// F. Giesen's float_to_half_fast3_rtne: exact round to nearest even without branches on
// the common path.
uint16_t floatToHalfBits(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint32_t sign = x & 0x80000000u;
  x ^= sign;
  uint16_t out;
  if (x >= 0x47800000u) {  // 65536 and above (and inf, NaN): the result is inf or NaN
    out = x > 0x7f800000u ? uint16_t(0x7e00u | ((x >> 13) & 0x3ffu)) : uint16_t(0x7c00);
  } else if (x < 0x38800000u) {  // below 2^-14: subnormal or zero, rounded by an f32 add
    float t;
    std::memcpy(&t, &x, 4);
    t += 0.5f;
    uint32_t u;
    std::memcpy(&u, &t, 4);
    out = uint16_t(u - 0x3f000000u);
  } else {
    const uint32_t odd = (x >> 13) & 1u;
    x += (uint32_t(15 - 127) << 23) + 0xfffu + odd;
    out = uint16_t(x >> 13);
  }
  return uint16_t(out | (sign >> 16));
}

void halfToFloat(const uint16_t *in, float *out, size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] = halfBitsToFloat(in[i]);
}

void floatToHalf(const float *in, uint16_t *out, size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] = floatToHalfBits(in[i]);
}

F16Convert f16ConvertFor(const std::vector<Isa> &isas) {
  auto has = [&](Isa isa) { return std::find(isas.begin(), isas.end(), isa) != isas.end(); };
  (void)has;
#if defined(__x86_64__)
  static const bool f16c = hostHasFeature("f16c");
  if (f16c && has(Isa::X86Avx512)) return {x86Avx512HalfToFloat, x86Avx512FloatToHalf};
  if (f16c && has(Isa::X86Avx2)) return {x86Avx2HalfToFloat, x86Avx2FloatToHalf};
#endif
  return {halfToFloat, floatToHalf};
}

namespace {

class F16Adapter : public Kernel {
public:
  explicit F16Adapter(std::vector<Isa> isas) : isas_(std::move(isas)) {}

  void prepare(const KernelSignature &sig) override {
    convert_ = f16ConvertFor(isas_);
    KernelSignature twin = sig;
    twin.inputs.clear();
    twin.outputs.clear();
    size_t scratch = 0;
    // The f32 twin of tensor `v` (itself unless f16); a converted slot for non-constants.
    auto twinOf = [&](const TensorView *v, bool constant, std::vector<Slot> &slots) -> const TensorView * {
      Slot slot;
      if (v && v->dtype == DType::f16) {
        views_.push_back(*v);
        TensorView &t = views_.back();
        t.dtype = DType::f32;
        slot.twin = &t;
        slot.count = size_t(v->numel());
        if (constant) {  // converted once; the f32 kernel may pack it at prepare
          constants_.emplace_back(slot.count);
          convert_.toFloat(v->as<uint16_t>(), constants_.back().data(), slot.count);
          t.data = constants_.back().data();
        } else {  // converted at run time, into scratch
          slot.convert = true;
          slot.offset = scratch;
          scratch += pkg::alignTo(slot.count * sizeof(float));
        }
      }
      slots.push_back(slot);
      return slot.twin ? slot.twin : v;
    };
    for (size_t i = 0; i < sig.inputs.size(); ++i)
      twin.inputs.push_back(
          twinOf(sig.inputs[i], i < sig.input_is_constant.size() && sig.input_is_constant[i], inputs_));
    for (const TensorView *v : sig.outputs) twin.outputs.push_back(twinOf(v, false, outputs_));
    inner_ = KernelRegistry::instance().create(twin, isas_);
    inner_->prepare(twin);
    innerScratch_ = pkg::alignTo(inner_->scratchBytes());
    buffers_ = scratch;
  }

  // The inner kernel's scratch, then (in thread 0's region) the f32 twins.
  size_t scratchBytes() const override { return innerScratch_ + buffers_; }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &inputs,
           const std::vector<TensorView *> &outputs) override {
    uint8_t *base = static_cast<uint8_t *>(ctx.threadScratch(0)) + innerScratch_;
    std::vector<const TensorView *> in(inputs);
    std::vector<TensorView *> out(outputs);
    for (size_t i = 0; i < inputs.size(); ++i) {
      const Slot &s = inputs_[i];
      if (!s.twin) continue;
      if (s.convert) {
        s.twin->data = base + s.offset;
        const uint16_t *src = inputs[i]->as<uint16_t>();
        float *dst = s.twin->as<float>();
        ctx.parallelFor(int64_t(s.count), kGrain,
                        [&](int64_t b, int64_t e, int) { convert_.toFloat(src + b, dst + b, size_t(e - b)); });
      }
      in[i] = s.twin;
    }
    for (size_t o = 0; o < outputs.size(); ++o) {
      const Slot &s = outputs_[o];
      if (!s.twin) continue;
      s.twin->data = base + s.offset;
      out[o] = s.twin;
    }
    inner_->run(ctx, in, out);
    for (size_t o = 0; o < outputs.size(); ++o) {
      const Slot &s = outputs_[o];
      if (!s.twin) continue;
      const float *src = s.twin->as<float>();
      uint16_t *dst = outputs[o]->as<uint16_t>();
      ctx.parallelFor(int64_t(s.count), kGrain,
                      [&](int64_t b, int64_t e, int) { convert_.toHalf(src + b, dst + b, size_t(e - b)); });
    }
  }

private:
  // Elements per thread at least: a conversion streams ~6 bytes per element, and below
  // 64Ki elements waking threads costs more than it saves.
  static constexpr int64_t kGrain = int64_t(1) << 16;
  struct Slot {
    TensorView *twin = nullptr;  // null: not f16, passed as it is
    bool convert = false;        // converted at run time (else a constant converted at prepare)
    size_t offset = 0, count = 0;
  };
  std::vector<Isa> isas_;
  F16Convert convert_{halfToFloat, floatToHalf};
  std::deque<TensorView> views_;  // stable addresses: the inner kernel may keep them
  std::deque<std::vector<float>> constants_;
  std::vector<Slot> inputs_, outputs_;
  std::unique_ptr<Kernel> inner_;
  size_t innerScratch_ = 0, buffers_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> makeF16Adapter(const std::vector<Isa> &isas) {
  return std::unique_ptr<Kernel>(new F16Adapter(isas));
}

}  // namespace edgec::rt
