// x86 (AVX2 + FMA) f32 SqueezeExcitation, the op edge-fuse-squeeze-excitation makes of
// GlobalAveragePool -> 1x1 Conv -> 1x1 Conv -> gate -> Mul. One call per block:
// 1. the plane means, threads over channels: ref's defined order (x86/plane_means_avx2.inc),
//    so the same bits as ref;
// 2. both matrix products on the calling thread (a few thousand to a few hundred thousand
//    multiply-adds), vectorized over output channels with the weights transposed at
//    prepare (constants) or into scratch: each output is its bias plus the products over
//    the input channels in ref's order, fused into FMAs (one rounding each instead of
//    ref's two); the reduce Conv's epilogue and the gate, Sigmoid with the x86 Sigmoid
//    kernel's sigmoidV (x86/vec_math.inc) or HardSigmoid with ref's two roundings;
// 3. each plane times its gate, threads over channels: exact products.
// So the result is within the x86 Conv and Sigmoid kernels' tolerance of ref's, the same
// at every thread count.
//
// Compiled with -mavx2 -mfma; everything but the factory stays in an anonymous namespace
// (see docs/architecture.md on ISA files).
#include <immintrin.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "kernel.h"
#include "ref/squeeze_excitation.h"
#include "register_kernels.h"

namespace edgec::rt {
namespace {

#include "x86/vec_avx2.inc"
#include "x86/vec_math.inc"
#include "x86/activation_epilogue.inc"
#include "x86/plane_means_avx2.inc"

size_t alignFloats(int64_t n) { return (size_t(n) + 15) & ~size_t(15); }

// dst[c * rows + r] = src[r * cols + c]: a [rows, cols] matrix transposed.
void transpose(const float *src, int64_t rows, int64_t cols, float *dst) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) dst[c * rows + r] = src[r * cols + c];
}

// out[o] = bias[o] + sum over i in order of in[i] * wT[i * outs + o], for o < outs, then
// `finish` on each vector of outputs: four vectors (32 outputs) at a time, four independent
// chains; past `outs` the lanes load zeros and are not stored.
template <typename Finish>
void matVec(const float *wT, const float *bias, const float *in, int64_t ins, int64_t outs, float *out,
            Finish finish) {
  constexpr int64_t kGroup = 4 * V::kLanes;
  for (int64_t o = 0; o < outs; o += kGroup) {
    __m256i mask[4];
    VF acc[4];
    for (int k = 0; k < 4; ++k) {
      mask[k] = firstLanes8(outs - o - k * V::kLanes);
      acc[k] = _mm256_maskload_ps(bias + o + k * V::kLanes, mask[k]);
    }
    if (o + kGroup <= outs) {
      for (int64_t i = 0; i < ins; ++i) {
        const VF x = V::set1(in[i]);
        const float *w = wT + i * outs + o;
        for (int k = 0; k < 4; ++k) acc[k] = V::fma(x, V::load(w + k * V::kLanes), acc[k]);
      }
    } else {
      for (int64_t i = 0; i < ins; ++i) {
        const VF x = V::set1(in[i]);
        const float *w = wT + i * outs + o;
        for (int k = 0; k < 4; ++k) acc[k] = V::fma(x, _mm256_maskload_ps(w + k * V::kLanes, mask[k]), acc[k]);
      }
    }
    for (int k = 0; k < 4; ++k) _mm256_maskstore_ps(out + o + k * V::kLanes, mask[k], finish(acc[k]));
  }
}

class SqueezeExcitationAvx2 final : public Kernel {
public:
  ~SqueezeExcitationAvx2() override { std::free(packed_); }

  void prepare(const KernelSignature &sig) override {
    ref::parseSqueezeExcitation(sig, &p_);
    constant_ = sig.input_is_constant.size() > 3 && sig.input_is_constant[1] && sig.input_is_constant[3];
    if (!constant_) return;
    std::free(packed_);
    packed_ = static_cast<float *>(std::aligned_alloc(64, 4 * (weightFloats() + 16)));
    if (!packed_) throw Error("out of memory preparing SqueezeExcitation weights");
    transpose(sig.inputs[1]->as<float>(), p_.C1, p_.C, packed_);
    transpose(sig.inputs[3]->as<float>(), p_.C, p_.C1, packed_ + alignFloats(p_.C * p_.C1));
  }

  size_t scratchBytes() const override {
    const size_t vectors = alignFloats(p_.C) * 2 + alignFloats(p_.C1);
    return 4 * (vectors + (constant_ ? 0 : weightFloats()));
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const float *x = in[0]->as<float>(), *b1 = in[2]->as<float>(), *b2 = in[4]->as<float>();
    float *y = out[0]->as<float>();
    const int64_t C = p_.C, C1 = p_.C1, P = p_.plane;
    float *mean = static_cast<float *>(ctx.threadScratch(0));
    float *hidden = mean + alignFloats(C), *gate = hidden + alignFloats(C1);
    const float *w1T = packed_, *w2T = packed_ ? packed_ + alignFloats(C * C1) : nullptr;
    if (!constant_) {
      float *t = gate + alignFloats(C);
      transpose(in[1]->as<float>(), C1, C, t);
      transpose(in[3]->as<float>(), C, C1, t + alignFloats(C * C1));
      w1T = t;
      w2T = t + alignFloats(C * C1);
    }
    const ref::Activation act = p_.act;
    const VF lo = V::set1(act.lo), hi = V::set1(act.hi);
    const VF alpha = V::set1(p_.gateAlpha), beta = V::set1(p_.gateBeta), one = V::set1(1.f);
    const int64_t grain = std::max<int64_t>(1, 32768 / std::max<int64_t>(P, 1));
    for (int64_t n = 0; n < p_.N; ++n) {
      const float *xn = x + n * C * P;
      float *yn = y + n * C * P;
      ctx.parallelFor(C, grain, [&](int64_t c0, int64_t c1, int) {
        int64_t c = c0;
        for (; c + 4 <= c1; c += 4) planeMeans<4>(xn + c * P, P, mean + c);
        for (; c < c1; ++c) planeMeans<1>(xn + c * P, P, mean + c);
      });
      matVec(w1T, b1, mean, C, C1, hidden, [&](VF v) {
        if (!act.enabled) return v;
        // ref's std::min(std::max(v, lo), hi): vmaxps/vminps return their second operand
        // (v) for a NaN, as std::max/min do for a NaN first operand.
        if (act.kind == ref::ActKind::Clamp) return V::min(hi, V::max(lo, v));
        return functionEpilogue(v, act.kind);
      });
      const bool hard = p_.hardSigmoidGate;
      matVec(w2T, b2, hidden, C1, C, gate, [&](VF v) {
        if (!hard) return sigmoidV(v);
        // ref's min(1, max(0, alpha * v + beta)), two roundings; a NaN gives 0 as there.
        const VF t = V::add(V::mul(alpha, v), beta);
        return V::min(V::max(t, V::setzero()), one);
      });
      ctx.parallelFor(C, grain, [&](int64_t c0, int64_t c1, int) {
        for (int64_t c = c0; c < c1; ++c) {
          const float *xc = xn + c * P;
          float *yc = yn + c * P;
          const VF s = V::set1(gate[c]);
          int64_t i = 0;
          for (; i + V::kLanes <= P; i += V::kLanes) V::store(yc + i, V::mul(V::load(xc + i), s));
          for (; i < P; ++i) yc[i] = xc[i] * gate[c];
        }
      });
    }
  }

private:
  size_t weightFloats() const { return 2 * alignFloats(p_.C * p_.C1); }

  ref::SqueezeExcitationPlan p_;
  bool constant_ = false;
  float *packed_ = nullptr;  // W1 transposed [C][C1], then W2 transposed [C1][C]
};

}  // namespace

Kernel *newX86Avx2SqueezeExcitation() { return new SqueezeExcitationAvx2(); }

}  // namespace edgec::rt
