// x86 (AVX2 + FMA) fp32 Gemm, MatMul and Conv on Eigen's GEMM.
//
// Conv picks one of three paths at prepare time:
//   * pointwise (1x1, stride 1, no pads): the input planes already are the GEMM operand;
//   * depthwise 2-D (one input channel per group, MobileNet's 3x3 convs): a direct loop
//     over output rows, vectorized along the row;
//   * everything else: im2col into scratch, then one GEMM per group.
// Validation and attribute parsing are shared with the ref kernels (ref/plans.h), which
// are the oracle for the tests.
//
// This is the only file that includes Eigen, and it is compiled with -mavx2 -mfma:
// everything here stays in an anonymous namespace, and it instantiates no std container
// code (im2col keeps its counters in scratch), so the linker cannot pick an AVX2 copy of
// a shared inline function for a baseline caller.
#include <Eigen/Core>

#include <algorithm>
#include <limits>

#include "ref/plans.h"
#include "register_kernels.h"

namespace edgec::rt {
namespace {

using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatMap = Eigen::Map<RowMajor>;
using ConstMatMap = Eigen::Map<const RowMajor>;

// y[r, c] = act(y[r, c] + bias[r]) over a rows x cols block; bias may be null.
void biasActivation(float *y, int64_t rows, int64_t cols, const float *bias,
                    const ref::Activation &act) {
  if (!bias && !act.enabled) return;
  const float lo = act.enabled ? act.lo : -std::numeric_limits<float>::infinity();
  const float hi = act.enabled ? act.hi : std::numeric_limits<float>::infinity();
  for (int64_t r = 0; r < rows; ++r) {
    const float b = bias ? bias[r] : 0.f;
    float *yr = y + r * cols;
    for (int64_t c = 0; c < cols; ++c) {
      float v = yr[c] + b;
      // Written as selects (not std::min/max) so a NaN passes through, as in the ref.
      v = v < lo ? lo : v;
      v = v > hi ? hi : v;
      yr[c] = v;
    }
  }
}

class X86Gemm final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override { p_ = ref::parseGemm(sig); }

  void run(const std::vector<const TensorView *> &in, const std::vector<TensorView *> &out,
           void *) override {
    const float *a = in[0]->as<float>();
    const float *b = in[1]->as<float>();
    MatMap y(out[0]->as<float>(), p_.M, p_.N);
    // A is stored [M, K] or [K, M], B [K, N] or [N, K]; Eigen folds the transposes and
    // alpha into its GEMM kernel.
    const ConstMatMap am(a, p_.transA ? p_.K : p_.M, p_.transA ? p_.M : p_.K);
    const ConstMatMap bm(b, p_.transB ? p_.N : p_.K, p_.transB ? p_.K : p_.N);
    if (p_.transA && p_.transB)
      y.noalias() = p_.alpha * am.transpose() * bm.transpose();
    else if (p_.transA)
      y.noalias() = p_.alpha * am.transpose() * bm;
    else if (p_.transB)
      y.noalias() = p_.alpha * am * bm.transpose();
    else
      y.noalias() = p_.alpha * am * bm;

    float *yd = out[0]->as<float>();
    if (p_.hasC) {
      const float *c = in[2]->as<float>();
      for (int64_t i = 0; i < p_.M; ++i)
        for (int64_t j = 0; j < p_.N; ++j)
          yd[i * p_.N + j] += p_.beta * c[i * p_.cRowStride + j * p_.cColStride];
    }
    biasActivation(yd, p_.M, p_.N, nullptr, p_.act);
  }

private:
  ref::GemmPlan p_;
};

class X86MatMul final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    p_ = ref::parseMatMul(sig);
    // A batch of A matrices against one shared B (e.g. [B, S, K] x [K, N]) is a single
    // taller GEMM: A's matrices are contiguous, and so are the outputs.
    fold_ = true;
    for (size_t i = 0; i < p_.aOffsets.size(); ++i)
      fold_ = fold_ && p_.bOffsets[i] == p_.bOffsets[0] &&
              p_.aOffsets[i] == static_cast<int64_t>(i) * p_.M * p_.K;
  }

  void run(const std::vector<const TensorView *> &in, const std::vector<TensorView *> &out,
           void *) override {
    const float *a = in[0]->as<float>();
    const float *b = in[1]->as<float>();
    float *y = out[0]->as<float>();
    const int64_t batches = static_cast<int64_t>(p_.aOffsets.size());
    if (batches == 0) return;
    if (fold_) {
      MatMap(y, batches * p_.M, p_.N).noalias() =
          ConstMatMap(a, batches * p_.M, p_.K) * ConstMatMap(b + p_.bOffsets[0], p_.K, p_.N);
    } else {
      for (int64_t i = 0; i < batches; ++i)
        MatMap(y + i * p_.M * p_.N, p_.M, p_.N).noalias() =
            ConstMatMap(a + p_.aOffsets[i], p_.M, p_.K) *
            ConstMatMap(b + p_.bOffsets[i], p_.K, p_.N);
    }
    biasActivation(y, batches * p_.M, p_.N, nullptr, p_.act);
  }

private:
  ref::MatMulPlan p_;
  bool fold_ = false;
};

class X86Conv final : public Kernel {
public:
  void prepare(const KernelSignature &sig) override {
    p_ = ref::parseConv(sig);
    cg_ = p_.inChannels / p_.group;
    mg_ = p_.outChannels / p_.group;
    const size_t nd = p_.kernel.size();
    bool unitStrides = true, noPads = true;
    for (size_t d = 0; d < nd; ++d) {
      unitStrides = unitStrides && p_.strides[d] == 1;
      noPads = noPads && p_.padsBegin[d] == 0;
    }
    if (p_.kernelSize == 1 && unitStrides && noPads && p_.outSize == p_.inSize)
      path_ = Path::Pointwise;
    else if (cg_ == 1 && nd == 2)
      path_ = Path::Depthwise2D;
    else
      path_ = Path::Im2col;
  }

  // im2col: its two index counters (nd int64 each), then the column matrix.
  size_t scratchBytes() const override {
    if (path_ != Path::Im2col) return 0;
    return 2 * p_.kernel.size() * sizeof(int64_t) +
           static_cast<size_t>(cg_ * p_.kernelSize * p_.outSize) * sizeof(float);
  }

  void run(const std::vector<const TensorView *> &in, const std::vector<TensorView *> &out,
           void *scratch) override {
    const float *x = in[0]->as<float>();
    const float *w = in[1]->as<float>();
    const float *bias = p_.hasBias ? in[2]->as<float>() : nullptr;
    float *y = out[0]->as<float>();
    const int64_t wRow = cg_ * p_.kernelSize;  // weights of one output channel
    for (int64_t n = 0; n < p_.batch; ++n) {
      for (int64_t g = 0; g < p_.group; ++g) {
        const float *xg = x + (n * p_.inChannels + g * cg_) * p_.inSize;
        const float *wg = w + g * mg_ * wRow;
        float *yg = y + (n * p_.outChannels + g * mg_) * p_.outSize;
        const float *bg = bias ? bias + g * mg_ : nullptr;
        MatMap ym(yg, mg_, p_.outSize);
        switch (path_) {
        case Path::Pointwise:
          ym.noalias() = ConstMatMap(wg, mg_, cg_) * ConstMatMap(xg, cg_, p_.inSize);
          biasActivation(yg, mg_, p_.outSize, bg, p_.act);
          break;
        case Path::Im2col: {
          auto *counters = static_cast<int64_t *>(scratch);
          auto *col = reinterpret_cast<float *>(counters + 2 * p_.kernel.size());
          im2col(xg, col, counters);
          ym.noalias() = ConstMatMap(wg, mg_, wRow) * ConstMatMap(col, wRow, p_.outSize);
          biasActivation(yg, mg_, p_.outSize, bg, p_.act);
          break;
        }
        case Path::Depthwise2D:
          for (int64_t m = 0; m < mg_; ++m)
            depthwise2D(xg, wg + m * p_.kernelSize, bg ? bg[m] : 0.f, yg + m * p_.outSize);
          biasActivation(yg, mg_, p_.outSize, nullptr, p_.act);
          break;
        }
      }
    }
  }

private:
  enum class Path { Pointwise, Depthwise2D, Im2col };

  // The range [lo, hi) of output indices o with 0 <= o * stride + offset < in.
  static void validRange(int64_t offset, int64_t stride, int64_t in, int64_t out, int64_t *lo,
                         int64_t *hi) {
    *lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
    *hi = in - 1 - offset < 0 ? 0 : std::min(out, (in - 1 - offset) / stride + 1);
    *lo = std::min(*lo, *hi);
  }

  // y[o] += w * x[o * stride + offset] for o in [lo, hi); a positive Stride fixes the
  // stride at compile time.
  template <int Stride>
  static void axpyStrided(float *y, const float *x, int64_t offset, float w, int64_t lo, int64_t hi,
                          int64_t stride) {
    const int64_t s = Stride > 0 ? Stride : stride;
    for (int64_t o = lo; o < hi; ++o) y[o] += w * x[o * s + offset];
  }

  // One output plane of a single-input-channel conv: bias, then per kernel tap a
  // multiply-add of a shifted input row into the output row.
  void depthwise2D(const float *x, const float *w, float bias, float *y) const {
    const int64_t H = p_.inSpatial[0], W = p_.inSpatial[1];
    const int64_t OH = p_.outSpatial[0], OW = p_.outSpatial[1];
    const int64_t KH = p_.kernel[0], KW = p_.kernel[1];
    const int64_t sh = p_.strides[0], sw = p_.strides[1];
    const int64_t dh = p_.dilations[0], dw = p_.dilations[1];
    const int64_t ph = p_.padsBegin[0], pw = p_.padsBegin[1];
    std::fill(y, y + OH * OW, bias);
    for (int64_t oh = 0; oh < OH; ++oh) {
      float *yr = y + oh * OW;
      for (int64_t kh = 0; kh < KH; ++kh) {
        const int64_t ih = oh * sh - ph + kh * dh;
        if (ih < 0 || ih >= H) continue;
        const float *xr = x + ih * W;
        for (int64_t kw = 0; kw < KW; ++kw) {
          const float wv = w[kh * KW + kw];
          const int64_t offset = kw * dw - pw;
          int64_t lo, hi;
          validRange(offset, sw, W, OW, &lo, &hi);
          // Constant strides let the compiler vectorize with shuffles instead of gathers.
          if (sw == 1)
            axpyStrided<1>(yr, xr, offset, wv, lo, hi, 1);
          else if (sw == 2)
            axpyStrided<2>(yr, xr, offset, wv, lo, hi, 2);
          else
            axpyStrided<0>(yr, xr, offset, wv, lo, hi, sw);
        }
      }
    }
  }

  // col[(c, tap), o] = x[c, o * stride - pad + tap * dilation], 0 in the padding. The
  // last spatial dim is the inner loop; the leading ones are walked with an odometer.
  void im2col(const float *x, float *col, int64_t *counters) const {
    const size_t nd = p_.kernel.size();
    const int64_t inLast = p_.inSpatial[nd - 1], outLast = p_.outSpatial[nd - 1];
    const int64_t sLast = p_.strides[nd - 1];
    const int64_t outRows = p_.outSize / outLast;  // positions over the leading dims
    int64_t *tap = counters, *pos = counters + nd;
    for (int64_t c = 0; c < cg_; ++c) {
      std::fill(tap, tap + nd, 0);
      for (int64_t t = 0; t < p_.kernelSize; ++t) {
        const int64_t offset = tap[nd - 1] * p_.dilations[nd - 1] - p_.padsBegin[nd - 1];
        int64_t lo, hi;
        validRange(offset, sLast, inLast, outLast, &lo, &hi);
        std::fill(pos, pos + nd, 0);
        for (int64_t r = 0; r < outRows; ++r, col += outLast) {
          // Input offset of the leading coordinates, or -1 if they fall in the padding.
          int64_t base = c;
          for (size_t d = 0; d + 1 < nd && base >= 0; ++d) {
            const int64_t i = pos[d] * p_.strides[d] - p_.padsBegin[d] + tap[d] * p_.dilations[d];
            base = (i < 0 || i >= p_.inSpatial[d]) ? -1 : base * p_.inSpatial[d] + i;
          }
          if (base < 0) {
            std::fill(col, col + outLast, 0.f);
          } else {
            const float *xr = x + base * inLast;
            std::fill(col, col + lo, 0.f);
            for (int64_t o = lo; o < hi; ++o) col[o] = xr[o * sLast + offset];
            std::fill(col + hi, col + outLast, 0.f);
          }
          for (size_t d = nd - 1; d-- > 0;) {
            if (++pos[d] < p_.outSpatial[d]) break;
            pos[d] = 0;
          }
        }
        for (size_t d = nd; d-- > 0;) {
          if (++tap[d] < p_.kernel[d]) break;
          tap[d] = 0;
        }
      }
    }
  }

  ref::ConvPlan p_;
  int64_t cg_ = 0, mg_ = 0;
  Path path_ = Path::Im2col;
};

}  // namespace

void registerX86Gemm(KernelRegistry &r) {
  r.add<X86Gemm>("Gemm", Isa::X86Avx2);
  r.add<X86MatMul>("MatMul", Isa::X86Avx2);
  r.add<X86Conv>("Conv", Isa::X86Avx2);
}

}  // namespace edgec::rt
