// The x86 f32 Resize's baseline half (see x86_resize.h): the accepts predicate, and a
// kernel class whose prepare turns ref's plan (ref::planConstantResize, the same taps and
// weights ref computes, in the same double precision) into the tables the AVX2 rows run
// on, and whose run splits the N·C·OH output rows over threads.
//
// Bit-identical to ref (ref/resample.cpp), whatever the thread count: each output is
// ref's planar sum in double, ((wh0·ww0)·x00 + (wh0·ww1)·x01) + ((wh1·ww0)·x10 +
// (wh1·ww1)·x11) + 0.0, rounded to f32 (ref adds each term to a sum that starts at 0,
// which differs from this only in the sign of a zero, and the final + 0.0 makes every
// zero +0 in both). Where N or C has size 1 under pytorch_half_pixel, ref's plan gives
// that dim two taps of weight 0.5 on index 0 and ref takes its general loop; its sum is
// then the same value halved and doubled, exactly, so the same bits.
#include "x86_resize.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "ref/resample.h"
#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::x86 {
namespace {

bool plainF32(const TensorView *v) { return v && v->dtype == DType::f32 && !v->quant; }

// ref's plan of a call the x86 kernel takes, or false.
bool planOf(const KernelSignature &sig, ref::ResizePlan *plan) {
  if (sig.inputs.empty() || sig.outputs.size() != 1) return false;
  for (size_t i = 1; i < sig.inputs.size(); ++i)
    if (sig.inputs[i]) return false;  // run-time roi, scales or sizes
  const TensorView *x = sig.inputs[0], *y = sig.outputs[0];
  if (!plainF32(x) || !plainF32(y) || x->rank() != 4 || y->rank() != 4) return false;
  for (int d = 0; d < 4; ++d)
    if (x->shape[d] <= 0 || y->shape[d] <= 0) return false;
  if (x->shape[0] != y->shape[0] || x->shape[1] != y->shape[1]) return false;
  if (x->shape[3] > std::numeric_limits<int32_t>::max() - 8 || y->shape[3] > std::numeric_limits<int32_t>::max() - 8)
    return false;
  ref::ResizeModes m;
  m.mode = sig.attrs.s("mode", "nearest");
  m.coordinates = sig.attrs.s("coordinate_transformation_mode", "half_pixel");
  m.nearest = sig.attrs.s("nearest_mode", "round_prefer_floor");
  m.excludeOutside = sig.attrs.i("exclude_outside", 0) != 0;
  if (m.mode != "linear" && m.mode != "nearest") return false;
  if (m.coordinates != "half_pixel" && m.coordinates != "pytorch_half_pixel" && m.coordinates != "align_corners" &&
      m.coordinates != "asymmetric")
    return false;
  if (m.nearest != "round_prefer_floor" && m.nearest != "round_prefer_ceil" && m.nearest != "floor" &&
      m.nearest != "ceil")
    return false;
  if (m.excludeOutside || !sig.attrs.has("scales")) return false;
  const std::vector<float> scales = sig.attrs.floats("scales");
  if (scales.size() != 4 || scales[0] != 1.f || scales[1] != 1.f) return false;
  *plan = ref::planConstantResize(m, x->shape, y->shape, scales, {});
  // N and C: each output reads its own index (one tap of weight 1, or pytorch_half_pixel's
  // two taps of 0.5 on index 0 of a dim of size 1: see the file comment); H and W: one or
  // two taps, nothing outside the input.
  const std::vector<int64_t> strides = ref::contiguousStrides(x->shape);
  for (int d = 0; d < 4; ++d) {
    const ref::ResizeAxis &a = plan->axes[size_t(d)];
    if (a.taps > 2) return false;
    for (uint8_t o : a.outside)
      if (o) return false;
    if (d >= 2) continue;
    const double w = a.taps == 1 ? 1.0 : 0.5;
    for (int64_t o = 0; o < y->shape[d]; ++o)
      for (int t = 0; t < a.taps; ++t)
        if (a.offset[size_t(o * a.taps + t)] != o * strides[size_t(d)] || a.weight[size_t(o * a.taps + t)] != w)
          return false;
  }
  return true;
}

class ResizeF32 final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    ref::ResizePlan plan;
    if (!planOf(sig, &plan)) kernelFail(sig, "not a Resize the x86 kernel takes (acceptsResizeF32)");
    const TensorView &x = *sig.inputs[0], &y = *sig.outputs[0];
    ResizeRowsF32 &p = p_;
    planes_ = x.shape[0] * x.shape[1];
    p.H = x.shape[2], p.W = x.shape[3], p.OH = y.shape[2], p.OW = y.shape[3];
    const ref::ResizeAxis &ah = plan.axes[2], &aw = plan.axes[3];
    p.th = ah.taps;
    p.tw = aw.taps;
    p.copy = plan.copies;
    rowOffset_ = ah.offset;  // ref's offsets: index times the stride W
    rowWeight_ = ah.weight;
    p.blocks = (p.OW + 7) / 8;
    blockBase_.assign(size_t(p.blocks), -1);
    colIndex_.assign(size_t(p.blocks * p.tw * 8), 0);
    colWeight_.assign(size_t(p.blocks * p.tw * 8), 0.0);
    for (int64_t b = 0; b < p.blocks; ++b) {
      const int64_t o0 = b * 8, o1 = std::min(p.OW, o0 + 8);
      int64_t lo = p.W, hi = -1;
      for (int64_t o = o0; o < o1; ++o)
        for (int t = 0; t < p.tw; ++t) {
          lo = std::min(lo, aw.offset[size_t(o * p.tw + t)]);
          hi = std::max(hi, aw.offset[size_t(o * p.tw + t)]);
        }
      // One 8-float window of the row holds the block's taps: a load and a permute.
      const int64_t base = p.W >= 8 ? std::min(lo, p.W - 8) : -1;
      const bool window = base >= 0 && hi < base + 8;
      blockBase_[size_t(b)] = window ? int32_t(base) : -1;
      for (int64_t o = o0; o < o1; ++o)
        for (int t = 0; t < p.tw; ++t) {
          const size_t k = size_t((b * p.tw + t) * 8 + (o - o0));
          colIndex_[k] = int32_t(aw.offset[size_t(o * p.tw + t)] - (window ? base : 0));
          colWeight_[k] = aw.weight[size_t(o * p.tw + t)];
        }
    }
    p.rowOffset = rowOffset_.data();
    p.rowWeight = rowWeight_.data();
    p.blockBase = blockBase_.data();
    p.colIndex = colIndex_.data();
    p.colWeight = colWeight_.data();
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    ResizeRowsF32 p = p_;
    p.x = in[0]->as<float>();
    p.y = out[0]->as<float>();
    // Rows are independent and each computed alone: the same bits for any split. Chunks
    // of at least 32768 outputs (~15 us on one core): U-Net's x2 Upsample of 16K outputs
    // took 0.033 ms on two threads with 8192, 0.015 ms on one.
    ctx.parallelFor(planes_ * p.OH, std::max<int64_t>(1, 32768 / p.OW),
                    [&](int64_t begin, int64_t end, int) { resizeRowsF32Avx2(p, begin, end); });
  }

private:
  ResizeRowsF32 p_;
  int64_t planes_ = 0;
  std::vector<int64_t> rowOffset_;
  std::vector<double> rowWeight_, colWeight_;
  std::vector<int32_t> blockBase_, colIndex_;
};

}  // namespace

bool acceptsResizeF32(const KernelSignature &sig) {
  ref::ResizePlan plan;
  return planOf(sig, &plan);
}

Kernel *newX86Avx2ResizeF32() { return new ResizeF32(); }

}  // namespace edgec::rt::x86
