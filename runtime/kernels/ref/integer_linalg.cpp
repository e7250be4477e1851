// Reference MatMulInteger and ConvInteger (ONNX): int8/uint8 operands minus their zero
// points, products summed in int32 with two's-complement wrap-around (as int32 SIMD
// lanes would; no overflow is possible while K * 255 * 255 < 2^31, K <= 33025). The
// results are exact integers, so these kernels are the whole definition: no faster ISA
// version exists yet (ONNX Runtime's dynamic quantization is the only producer, and
// edgec's own int8-dynamic uses DynamicQuantizedMatMul).
//
// Zero points are tensors read at run time (DynamicQuantizeLinear computes a's): one
// value, or one per row of A / column of B (MatMulInteger), one per output channel of W
// (ConvInteger). Shapes and attributes are parsed by the float kernels' plans on an f32
// twin of the call, so both validate alike.
#include "ref/plans.h"
#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::ref {
namespace {

using Int8Types = Types<int8_t, uint8_t>;

// The call's first `inputs` inputs and its outputs viewed as f32 tensors of the same shapes.
class FloatTwin {
public:
  FloatTwin(const KernelSignature &sig, size_t inputs) {
    views_.reserve(inputs + sig.outputs.size());
    twin_.op = sig.op;
    twin_.node = sig.node;
    twin_.attrs = sig.attrs;
    auto add = [&](const TensorView *v) {
      TensorView t;
      t.shape = v->shape;
      views_.push_back(t);
      return &views_.back();
    };
    for (size_t i = 0; i < inputs; ++i) twin_.inputs.push_back(add(&requireInput(sig, i, "operand")));
    for (const TensorView *v : sig.outputs) twin_.outputs.push_back(add(v));
    twin_.input_is_constant.assign(inputs, false);
  }
  const KernelSignature &sig() const { return twin_; }

private:
  std::vector<TensorView> views_;
  KernelSignature twin_;
};

// Checks a zero point (operand `index`, of operand `of`'s dtype; one value, or `count`
// values when count >= 0) and returns how many values it has.
int64_t checkZeroPoint(const KernelSignature &sig, size_t index, size_t of, int64_t count, const char *what) {
  const TensorView &zp = requireInput(sig, index, what);
  requireSameDType(sig, requireInput(sig, of, "operand"), zp, what);
  if (zp.numel() == 1) return 1;
  if (count >= 0 && zp.shape == std::vector<int64_t>{count}) return count;
  kernelFail(sig, std::string(what) + " has shape " + shapeStr(zp.shape) + ", expected one value" +
                      (count >= 0 ? " or [" + std::to_string(count) + "]" : std::string()));
}

// The zero points as int32, `count` values (a single value repeated).
template <typename T> void readZeroPoints(const TensorView &zp, int64_t count, std::vector<int32_t> &out) {
  const T *z = zp.as<T>();
  out.resize(size_t(count));
  for (int64_t i = 0; i < count; ++i) out[size_t(i)] = int32_t(z[zp.numel() == 1 ? 0 : i]);
}

inline int32_t wrap32(int64_t v) { return static_cast<int32_t>(static_cast<uint32_t>(v)); }

template <typename Fn> void dispatch2(DType a, DType b, Fn &&fn) {
  dispatch(Int8Types{}, a, [&](auto ta) { dispatch(Int8Types{}, b, [&](auto tb) { fn(ta, tb); }); });
}

class MatMulInteger final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 4, 4);
    for (size_t i = 0; i < 4; ++i) requireDType(sig, requireInput(sig, i, "operand"), Int8Types{}, "MatMulInteger");
    requireDType(sig, requireOutput(sig, 0), Types<int32_t>{}, "MatMulInteger's output");
    p_ = parseMatMul(FloatTwin(sig, 2).sig());
    const bool aMatrix = sig.inputs[0]->rank() > 1, bMatrix = sig.inputs[1]->rank() > 1;
    checkZeroPoint(sig, 2, 0, aMatrix ? p_.M : -1, "a_zero_point");
    checkZeroPoint(sig, 3, 1, bMatrix ? p_.N : -1, "b_zero_point");
    types_ = {sig.inputs[0]->dtype, sig.inputs[1]->dtype};
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    dispatch2(types_[0], types_[1], [&](auto ta, auto tb) {
      using A = typename decltype(ta)::type;
      using B = typename decltype(tb)::type;
      std::vector<int32_t> za, zb;
      readZeroPoints<A>(*in[2], p_.M, za);
      readZeroPoints<B>(*in[3], p_.N, zb);
      const A *a = in[0]->as<A>();
      const B *b = in[1]->as<B>();
      int32_t *y = out[0]->as<int32_t>();
      const int64_t rows = static_cast<int64_t>(p_.aOffsets.size()) * p_.M;
      const int64_t grain = std::max<int64_t>(1, kMinElementsPerThread / std::max<int64_t>(1, p_.N * p_.K));
      ctx.parallelFor(rows, grain, [&](int64_t begin, int64_t end, int) {
        std::vector<int64_t> acc(size_t(p_.N));
        for (int64_t r = begin; r < end; ++r) {
          const size_t mat = size_t(r / p_.M);
          const int64_t i = r % p_.M;
          const A *ar = a + p_.aOffsets[mat] + i * p_.K;
          const B *bm = b + p_.bOffsets[mat];
          std::fill(acc.begin(), acc.end(), 0);
          for (int64_t k = 0; k < p_.K; ++k) {
            const int32_t av = int32_t(ar[k]) - za[size_t(i)];
            for (int64_t j = 0; j < p_.N; ++j) acc[size_t(j)] += av * (int32_t(bm[k * p_.N + j]) - zb[size_t(j)]);
          }
          for (int64_t j = 0; j < p_.N; ++j) y[r * p_.N + j] = wrap32(acc[size_t(j)]);
        }
      });
    });
  }

private:
  MatMulPlan p_;
  std::array<DType, 2> types_{};
};

class ConvInteger final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 4, 4);
    for (size_t i = 0; i < 4; ++i) requireDType(sig, requireInput(sig, i, "operand"), Int8Types{}, "ConvInteger");
    requireDType(sig, requireOutput(sig, 0), Types<int32_t>{}, "ConvInteger's output");
    p_ = parseConv(FloatTwin(sig, 2).sig());
    checkZeroPoint(sig, 2, 0, -1, "x_zero_point");
    checkZeroPoint(sig, 3, 1, p_.outChannels, "w_zero_point");
    types_ = {sig.inputs[0]->dtype, sig.inputs[1]->dtype};
    taps_.init(p_);
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    dispatch2(types_[0], types_[1], [&](auto tx, auto tw) {
      using X = typename decltype(tx)::type;
      using W = typename decltype(tw)::type;
      std::vector<int32_t> zx, zw;
      readZeroPoints<X>(*in[2], 1, zx);
      readZeroPoints<W>(*in[3], p_.outChannels, zw);
      const X *x = in[0]->as<X>();
      const W *w = in[1]->as<W>();
      int32_t *y = out[0]->as<int32_t>();
      const int64_t cg = p_.inChannels / p_.group, mg = p_.outChannels / p_.group;
      const int64_t work = std::max<int64_t>(1, p_.outSize * cg * p_.kernelSize);
      // Split over (image, output channel) planes.
      ctx.parallelFor(p_.batch * p_.outChannels, std::max<int64_t>(1, kMinElementsPerThread / work),
                      [&](int64_t begin, int64_t end, int) {
        std::vector<int64_t> taps(size_t(p_.kernelSize)), pos(p_.kernel.size());
        for (int64_t plane = begin; plane < end; ++plane) {
          const int64_t n = plane / p_.outChannels, m = plane % p_.outChannels, g = m / mg;
          const X *xn = x + n * p_.inChannels * p_.inSize;
          int32_t *ym = y + plane * p_.outSize;
          std::fill(pos.begin(), pos.end(), 0);
          for (int64_t o = 0; o < p_.outSize; ++o) {
            taps_.compute(p_, pos, taps);
            int64_t acc = 0;
            for (int64_t c = 0; c < cg; ++c) {
              const X *xc = xn + (g * cg + c) * p_.inSize;
              const W *wc = w + (m * cg + c) * p_.kernelSize;
              for (int64_t t = 0; t < p_.kernelSize; ++t)  // a padded tap is zx: it adds 0
                if (taps[size_t(t)] >= 0)
                  acc += (int32_t(xc[taps[size_t(t)]]) - zx[0]) * (int32_t(wc[t]) - zw[size_t(m)]);
            }
            ym[o] = wrap32(acc);
            for (size_t d = pos.size(); d-- > 0;) {
              if (++pos[d] < p_.outSpatial[d]) break;
              pos[d] = 0;
            }
          }
        }
      });
    });
  }

private:
  ConvPlan p_;
  std::array<DType, 2> types_{};
  ConvTaps taps_;
};

}  // namespace
}  // namespace edgec::rt::ref

namespace edgec::rt {

void registerRefIntegerLinalg(KernelRegistry &r) {
  r.add<ref::MatMulInteger>("MatMulInteger", Isa::Ref);
  r.add<ref::ConvInteger>("ConvInteger", Isa::Ref);
}

}  // namespace edgec::rt
