// Reference N-d MaxPool, AveragePool, GlobalAveragePool and GlobalMaxPool.
//
// The compiler gives the output shape, which already encodes ceil_mode: a ceil_mode
// window may reach past the padded input and is clipped to it. Each window's input
// offsets are enumerated once at prepare time, so `run` is a plain gather-reduce.
#include <cmath>
#include <limits>

#include "ref/plans.h"
#include "ref/quant_params.h"
#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::ref {

PoolWindows parsePool(const KernelSignature &sig) {
  requireInputCount(sig, 1, 1);
  const TensorView &x = requireInput(sig, 0, "X");
  const TensorView &y = requireOutput(sig, 0);
  if (sig.outputs.size() > 1 && sig.outputs[1])
    kernelFail(sig, "the Indices output is not supported");
  requireSameDType(sig, x, y, "output");
  if (x.rank() < 3) kernelFail(sig, "X must be [N, C, D...], got " + shapeStr(x.shape));
  const size_t nd = static_cast<size_t>(x.rank() - 2);

  const std::vector<int64_t> kernel = sig.attrs.ints("kernel_shape");
  const std::vector<int64_t> strides = sig.attrs.ints("strides", std::vector<int64_t>(nd, 1));
  const std::vector<int64_t> dilations = sig.attrs.ints("dilations", std::vector<int64_t>(nd, 1));
  const std::vector<int64_t> pads = sig.attrs.ints("pads", std::vector<int64_t>(2 * nd, 0));
  if (kernel.size() != nd || strides.size() != nd || dilations.size() != nd ||
      pads.size() != 2 * nd)
    kernelFail(sig, "kernel_shape/strides/dilations/pads do not match " + std::to_string(nd) +
                        " spatial dims");
  for (size_t d = 0; d < nd; ++d)
    if (kernel[d] < 1 || strides[d] < 1 || dilations[d] < 1 || pads[d] < 0 || pads[nd + d] < 0)
      kernelFail(sig, "invalid kernel_shape/strides/dilations/pads");

  // Output extents: between the floor_mode and ceil_mode sizes (the compiler drops a
  // ceil_mode window that would start in the end padding).
  if (y.rank() != x.rank() || y.shape[0] != x.shape[0] || y.shape[1] != x.shape[1])
    kernelFail(sig, "output " + shapeStr(y.shape) + " does not match X " + shapeStr(x.shape));
  for (size_t d = 0; d < nd; ++d) {
    const int64_t span = dilations[d] * (kernel[d] - 1) + 1;
    const int64_t room = x.shape[2 + d] + pads[d] + pads[nd + d] - span;
    const int64_t out = y.shape[2 + d];
    if (room < 0 || out < room / strides[d] + 1 || out > (room + strides[d] - 1) / strides[d] + 1)
      kernelFail(sig, "output " + shapeStr(y.shape) + " does not match X " + shapeStr(x.shape) +
                          " pooled with kernel " + shapeStr(kernel));
  }

  PoolWindows w;
  w.planes = x.shape[0] * x.shape[1];
  w.inSize = product(x.shape, 2);
  w.outSize = product(y.shape, 2);
  const std::vector<int64_t> inStrides = contiguousStrides({x.shape.begin() + 2, x.shape.end()});
  std::vector<int64_t> pos(nd, 0);
  std::vector<int64_t> window, next;
  w.begin.push_back(0);
  for (int64_t o = 0; o < w.outSize; ++o) {
    window.assign(1, 0);
    int64_t padded = 1;
    for (size_t d = 0; d < nd; ++d) {
      next.clear();
      int64_t inPads = 0;
      for (int64_t k = 0; k < kernel[d]; ++k) {
        const int64_t c = pos[d] * strides[d] - pads[d] + k * dilations[d];
        if (c >= -pads[d] && c < x.shape[2 + d] + pads[nd + d]) ++inPads;
        if (c < 0 || c >= x.shape[2 + d]) continue;
        for (int64_t base : window) next.push_back(base + c * inStrides[d]);
      }
      window.swap(next);
      padded *= inPads;
    }
    w.offsets.insert(w.offsets.end(), window.begin(), window.end());
    w.begin.push_back(static_cast<int64_t>(w.offsets.size()));
    w.padded.push_back(padded);
    for (size_t d = nd; d-- > 0;) {
      if (++pos[d] < y.shape[2 + d]) break;
      pos[d] = 0;
    }
  }
  return w;
}

float planeMean(const float *x, int64_t n) {
  // 16 partial sums in double, partial j over the elements i = j (mod 16) in order, then
  // added pairwise (j + 8, + 4, + 2, + 1): an order the x86 kernels keep with independent
  // vector chains (ONNX leaves it open; in double it rarely differs from a sequential
  // sum, and never by more than a sequential sum's error).
  double partial[16] = {};
  for (int64_t i = 0; i < n; ++i) partial[i % 16] += x[i];
  for (int w = 8; w >= 1; w /= 2)
    for (int j = 0; j < w; ++j) partial[j] += partial[j + w];
  return static_cast<float>(partial[0] / static_cast<double>(n));
}

namespace {

class RefMaxPool final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireDType(sig, requireInput(sig, 0, "X"), Types<float, int8_t, uint8_t>{}, "MaxPool");
    w_ = parsePool(sig);
    // Quantized calls with their own output parameters go to the quantized MaxPool.
    requireSameQuantParams(sig, *sig.inputs[0], *sig.outputs[0]);
    dtype_ = sig.inputs[0]->dtype;
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    dispatch(Types<float, int8_t, uint8_t>{}, dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      // A window entirely in the padding (possible only with odd explicit pads) has no
      // maximum; it yields the lowest value, as if the pads held -inf.
      const T none = std::numeric_limits<T>::has_infinity ? -std::numeric_limits<T>::infinity()
                                                          : std::numeric_limits<T>::lowest();
      const T *x = in[0]->as<T>();
      T *y = out[0]->as<T>();
      for (int64_t pl = 0; pl < w_.planes; ++pl, x += w_.inSize, y += w_.outSize) {
        for (int64_t o = 0; o < w_.outSize; ++o) {
          T m = none;
          for (int64_t i = w_.begin[o]; i < w_.begin[o + 1]; ++i) {
            const T v = x[w_.offsets[i]];
            if (v > m) m = v;  // skips NaN, like the ONNX reference (NaN marks pads there)
          }
          y[o] = m;
        }
      }
    });
  }

private:
  PoolWindows w_;
  DType dtype_ = DType::f32;
};

class RefAveragePool final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireDType(sig, requireInput(sig, 0, "X"), Types<float>{}, "AveragePool");
    w_ = parsePool(sig);
    countPads_ = sig.attrs.i("count_include_pad", 0) != 0;
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const float *x = in[0]->as<float>();
    float *y = out[0]->as<float>();
    for (int64_t pl = 0; pl < w_.planes; ++pl, x += w_.inSize, y += w_.outSize) {
      for (int64_t o = 0; o < w_.outSize; ++o) {
        double sum = 0;
        for (int64_t i = w_.begin[o]; i < w_.begin[o + 1]; ++i) sum += x[w_.offsets[i]];
        const int64_t count = countPads_ ? w_.padded[o] : w_.begin[o + 1] - w_.begin[o];
        y[o] = static_cast<float>(sum / static_cast<double>(count));
      }
    }
  }

private:
  PoolWindows w_;
  bool countPads_ = false;
};

// GlobalAveragePool (mean) or GlobalMaxPool (maximum; a NaN wins, as in MaxPool's
// numpy reference) over each [N, C] plane.
class RefGlobalPool final : public Kernel {
public:
  explicit RefGlobalPool(bool max) : max_(max) {}

  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 1, 1);
    const TensorView &x = requireInput(sig, 0, "X");
    const TensorView &y = requireOutput(sig, 0);
    requireDType(sig, x, Types<float>{}, sig.op.c_str());
    requireSameDType(sig, x, y, "output");
    if (x.rank() < 3) kernelFail(sig, "X must be [N, C, D...], got " + shapeStr(x.shape));
    std::vector<int64_t> expected(x.shape.size(), 1);
    expected[0] = x.shape[0];
    expected[1] = x.shape[1];
    requireShape(sig, y, expected, "output");
    planes_ = x.shape[0] * x.shape[1];
    size_ = product(x.shape, 2);
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const float *x = in[0]->as<float>();
    float *y = out[0]->as<float>();
    for (int64_t pl = 0; pl < planes_; ++pl) {
      const float *xs = x + pl * size_;
      if (max_) {
        float m = -std::numeric_limits<float>::infinity();
        for (int64_t i = 0; i < size_; ++i)
          if (xs[i] > m || std::isnan(xs[i])) m = xs[i];
        y[pl] = m;
      } else {
        y[pl] = planeMean(xs, size_);
      }
    }
  }

private:
  bool max_;
  int64_t planes_ = 0, size_ = 0;
};

}  // namespace
}  // namespace edgec::rt::ref

namespace edgec::rt {

void registerRefPool(KernelRegistry &r) {
  r.add<ref::RefMaxPool>("MaxPool", Isa::Ref);
  r.add<ref::RefAveragePool>("AveragePool", Isa::Ref);
  r.add("GlobalAveragePool", Isa::Ref,
        [] { return std::unique_ptr<Kernel>(new ref::RefGlobalPool(false)); });
  r.add("GlobalMaxPool", Isa::Ref,
        [] { return std::unique_ptr<Kernel>(new ref::RefGlobalPool(true)); });
}

}  // namespace edgec::rt
