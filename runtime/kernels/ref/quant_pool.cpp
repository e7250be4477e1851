// Reference quantized pools (int8/uint8, per-tensor; X and Y of one dtype), split over the
// N * C planes.
//
// MaxPool, GlobalMaxPool: the largest code of each window (padding ignored); when X and Y
// have different parameters it is requantized, y = clamp(zy + rescale(max - zx, sx / sy)),
// which is monotone, so that equals the maximum of the requantized codes. A window with
// no input element (all padding) gives the dtype's lowest code, as the float MaxPool.
// AveragePool, GlobalAveragePool: acc = sum (x - zx) over the window's input elements,
// y = clamp(zy + rescale(acc, sx / (sy * count))), count = the window's input elements, or
// with count_include_pad also its explicit padding (whose x is zx: it adds 0 to acc); one
// multiplier per distinct count, derived at prepare. A window with count 0 gives zy.
#include <map>
// rescale is MBQM of the value shifted left first (quant::rescaleMultiplier: one
// rounding of nearly the exact product, as TFLite's Add), not of the bare sum.

#include "ref/plans.h"
#include "ref/quant_params.h"
#include "ref/quant_elementwise.h"
#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::ref {
namespace {

using quant::QuantizedMultiplier;
using Int8Types = Types<int8_t, uint8_t>;

// Planes of at least ~64K input elements per thread.
int64_t planeGrain(int64_t elementsPerPlane) {
  return std::max<int64_t>(1, kMinElementsPerThread / std::max<int64_t>(1, elementsPerPlane));
}

struct PoolQuant {
  QuantParams x, y;
  bool same = false;  // identical parameters: codes are copied
  quant::RescaleMultiplier requant;
};
PoolQuant poolQuant(const KernelSignature &sig) {
  const TensorView &x = requireInput(sig, 0, "X");
  const TensorView &y = requireOutput(sig, 0);
  const std::string what = "a quantized " + sig.op + "'s ";
  requireDType(sig, x, Int8Types{}, (what + "input").c_str());
  requireSameDType(sig, x, y, "output");
  PoolQuant q;
  q.x = readQuantParams(sig, x, "X", AxisRule::PerTensor);
  q.y = readQuantParams(sig, y, "Y", AxisRule::PerTensor);
  q.same = q.x.scales[0] == q.y.scales[0] && q.x.zeroPoints[0] == q.y.zeroPoints[0];
  q.requant = requireRescale(sig, double(q.x.scales[0]) / q.y.scales[0], 255, "requantization");
  return q;
}

// Windows of a global pool: one per plane, every element.
PoolWindows globalWindows(const KernelSignature &sig) {
  requireInputCount(sig, 1, 1);
  const TensorView &x = requireInput(sig, 0, "X");
  const TensorView &y = requireOutput(sig, 0);
  if (x.rank() < 3) kernelFail(sig, "X must be [N, C, D...], got " + shapeStr(x.shape));
  std::vector<int64_t> expected(x.shape.size(), 1);
  expected[0] = x.shape[0];
  expected[1] = x.shape[1];
  requireShape(sig, y, expected, "output");
  PoolWindows w;
  w.planes = x.shape[0] * x.shape[1];
  w.inSize = product(x.shape, 2);
  w.outSize = 1;
  w.begin = {0, w.inSize};
  w.offsets.resize(size_t(w.inSize));
  for (int64_t i = 0; i < w.inSize; ++i) w.offsets[size_t(i)] = i;
  w.padded = {w.inSize};
  return w;
}

class QuantMaxPool final : public Kernel {
public:
  explicit QuantMaxPool(bool global) : global_(global) {}

  void prepare(const KernelSignature &sig) override {
    w_ = global_ ? globalWindows(sig) : parsePool(sig);
    q_ = poolQuant(sig);
    dtype_ = sig.inputs[0]->dtype;
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    dispatch(Int8Types{}, dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T *x = in[0]->as<T>();
      T *y = out[0]->as<T>();
      ctx.parallelFor(w_.planes, planeGrain(w_.inSize), [&](int64_t begin, int64_t end, int) {
        for (int64_t pl = begin; pl < end; ++pl) {
          const T *xp = x + pl * w_.inSize;
          T *yp = y + pl * w_.outSize;
          for (int64_t o = 0; o < w_.outSize; ++o) {
            if (w_.begin[o] == w_.begin[o + 1]) {
              yp[o] = std::numeric_limits<T>::lowest();
              continue;
            }
            T m = std::numeric_limits<T>::lowest();
            for (int64_t i = w_.begin[o]; i < w_.begin[o + 1]; ++i) m = std::max(m, xp[w_.offsets[i]]);
            yp[o] = q_.same ? m
                            : static_cast<T>(quant::rescale(int32_t(m) - q_.x.zeroPoints[0], q_.requant,
                                                               q_.y.zeroPoints[0], q_.y.qmin, q_.y.qmax));
          }
        }
      });
    });
  }

private:
  bool global_;
  PoolWindows w_;
  PoolQuant q_;
  DType dtype_ = DType::i8;
};

class QuantAveragePool final : public Kernel {
public:
  explicit QuantAveragePool(bool global) : global_(global) {}

  void prepare(const KernelSignature &sig) override {
    w_ = global_ ? globalWindows(sig) : parsePool(sig);
    q_ = poolQuant(sig);
    dtype_ = sig.inputs[0]->dtype;
    const bool countPads = !global_ && sig.attrs.i("count_include_pad", 0) != 0;
    // One multiplier per distinct count; windowMult_[o] indexes them.
    std::map<int64_t, size_t> byCount;
    mults_.clear();
    windowMult_.assign(size_t(w_.outSize), -1);
    // The pre-shift of every multiplier allows for the largest window's sum.
    int64_t maxTaps = 0;
    for (int64_t o = 0; o < w_.outSize; ++o) maxTaps = std::max(maxTaps, w_.begin[o + 1] - w_.begin[o]);
    for (int64_t o = 0; o < w_.outSize; ++o) {
      const int64_t taps = w_.begin[o + 1] - w_.begin[o];
      const int64_t count = countPads ? w_.padded[size_t(o)] : taps;
      if (taps * int64_t(255) > INT32_MAX)
        kernelFail(sig, "a window of " + std::to_string(taps) + " elements could overflow the int32 sum");
      if (count == 0) continue;
      auto it = byCount.find(count);
      if (it == byCount.end()) {
        it = byCount.emplace(count, mults_.size()).first;
        mults_.push_back(requireRescale(sig, double(q_.x.scales[0]) / (double(q_.y.scales[0]) * double(count)),
                                        maxTaps * 255, "window of " + std::to_string(count)));
      }
      windowMult_[size_t(o)] = int64_t(it->second);
    }
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    dispatch(Int8Types{}, dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T *x = in[0]->as<T>();
      T *y = out[0]->as<T>();
      const int32_t zx = q_.x.zeroPoints[0], zy = q_.y.zeroPoints[0];
      ctx.parallelFor(w_.planes, planeGrain(w_.inSize), [&](int64_t begin, int64_t end, int) {
        for (int64_t pl = begin; pl < end; ++pl) {
          const T *xp = x + pl * w_.inSize;
          T *yp = y + pl * w_.outSize;
          for (int64_t o = 0; o < w_.outSize; ++o) {
            const int64_t mi = windowMult_[size_t(o)];
            if (mi < 0) {
              yp[o] = static_cast<T>(quant::clampToRange(zy, q_.y.qmin, q_.y.qmax));
              continue;
            }
            int32_t acc = 0;
            for (int64_t i = w_.begin[o]; i < w_.begin[o + 1]; ++i) acc += int32_t(xp[w_.offsets[i]]) - zx;
            yp[o] = static_cast<T>(quant::rescale(acc, mults_[size_t(mi)], zy, q_.y.qmin, q_.y.qmax));
          }
        }
      });
    });
  }

private:
  bool global_;
  PoolWindows w_;
  PoolQuant q_;
  DType dtype_ = DType::i8;
  std::vector<quant::RescaleMultiplier> mults_;
  std::vector<int64_t> windowMult_;  // per window: index into mults_, -1 for a count of 0
};

}  // namespace

QuantMaxPool2dParams prepareQuantMaxPool2d(const KernelSignature &sig) {
  parsePool(sig);  // the ref's validation and messages
  const PoolQuant q = poolQuant(sig);
  const TensorView &x = *sig.inputs[0], &y = *sig.outputs[0];
  if (x.rank() != 4) kernelFail(sig, "X must be [N, C, H, W], got " + shapeStr(x.shape));
  QuantMaxPool2dParams p;
  p.t = x.dtype;
  p.same = q.same;
  p.zx = q.x.zeroPoints[0];
  p.zy = q.y.zeroPoints[0];
  p.qmin = q.y.qmin;
  p.qmax = q.y.qmax;
  p.requant = q.requant;
  p.planes = x.shape[0] * x.shape[1];
  p.H = x.shape[2], p.W = x.shape[3], p.OH = y.shape[2], p.OW = y.shape[3];
  const std::vector<int64_t> k = sig.attrs.ints("kernel_shape");
  const std::vector<int64_t> s = sig.attrs.ints("strides", {1, 1});
  const std::vector<int64_t> d = sig.attrs.ints("dilations", {1, 1});
  const std::vector<int64_t> pads = sig.attrs.ints("pads", {0, 0, 0, 0});
  p.KH = k[0], p.KW = k[1], p.sh = s[0], p.sw = s[1], p.dh = d[0], p.dw = d[1], p.ph = pads[0], p.pw = pads[1];
  return p;
}

QuantGlobalAveragePoolParams prepareQuantGlobalAveragePool(const KernelSignature &sig) {
  const PoolWindows w = globalWindows(sig);
  const PoolQuant q = poolQuant(sig);
  QuantGlobalAveragePoolParams p;
  p.t = sig.inputs[0]->dtype;
  p.zx = q.x.zeroPoints[0];
  p.zy = q.y.zeroPoints[0];
  p.qmin = q.y.qmin;
  p.qmax = q.y.qmax;
  p.planes = w.planes;
  p.count = w.inSize;
  // QuantAveragePool's checks and multiplier for its one window size.
  if (p.count * int64_t(255) > INT32_MAX)
    kernelFail(sig, "a window of " + std::to_string(p.count) + " elements could overflow the int32 sum");
  if (p.count > 0)
    p.requant = requireRescale(sig, double(q.x.scales[0]) / (double(q.y.scales[0]) * double(p.count)),
                               p.count * 255, "window of " + std::to_string(p.count));
  return p;
}

}  // namespace edgec::rt::ref

namespace edgec::rt {

void registerRefQuantPool(KernelRegistry &r) {
  using namespace ref;
  auto add = [&](const char *op, auto make) {
    r.add(op, Isa::Ref, [make] { return std::unique_ptr<Kernel>(make()); }, isQuantizedCall);
  };
  add("MaxPool", [] { return new QuantMaxPool(false); });
  add("GlobalMaxPool", [] { return new QuantMaxPool(true); });
  add("AveragePool", [] { return new QuantAveragePool(false); });
  add("GlobalAveragePool", [] { return new QuantAveragePool(true); });
}

}  // namespace edgec::rt
