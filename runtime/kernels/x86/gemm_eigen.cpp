// x86 (AVX2 + FMA) fp32 Gemm and MatMul on Eigen's GEMM (Conv has its own kernels in
// conv_avx2.cpp). Validation and attribute parsing are shared with the ref kernels
// (ref/plans.h), which are the oracle for the tests.
//
// This is the only file that includes Eigen, and it is compiled with -mavx2 -mfma:
// everything here stays in an anonymous namespace, and it instantiates no std container
// code, so the linker cannot pick an AVX2 copy of a shared inline function for a baseline
// caller.
#include <Eigen/Core>

#include <algorithm>
#include <limits>

#include "ref/plans.h"
#include "register_kernels.h"
#include "x86_recurrent.h"  // x86Avx2GemmF32

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

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const float *a = in[0]->as<float>();
    const float *b = in[1]->as<float>();
    float *yd = out[0]->as<float>();
    // A is stored [M, K] or [K, M], B [K, N] or [N, K]; Eigen folds the transposes and
    // alpha into its GEMM kernel.
    const ConstMatMap am(a, p_.transA ? p_.K : p_.M, p_.transA ? p_.M : p_.K);
    const ConstMatMap bm(b, p_.transB ? p_.N : p_.K, p_.transB ? p_.K : p_.N);
    if (p_.M == 1) {
      // A single row (a classifier head) is a matrix-vector product; as a GEMM, Eigen
      // would first copy all of B into its packed layout. [1, K] and [K, 1] are the same
      // memory, so transA does not matter. Threads take runs of output columns.
      const Eigen::Map<const Eigen::RowVectorXf> av(a, p_.K);
      ctx.parallelFor(p_.N, columnGrain(), [&](int64_t c0, int64_t c1, int) {
        Eigen::Map<Eigen::RowVectorXf> yv(yd + c0, c1 - c0);
        if (p_.transB)
          yv.noalias() = p_.alpha * av * bm.middleRows(c0, c1 - c0).transpose();
        else
          yv.noalias() = p_.alpha * av * bm.middleCols(c0, c1 - c0);
        epilogue(in, yd, 0, 1, c0, c1);
      });
      return;
    }
    // Threads take blocks of output rows.
    ctx.parallelFor(p_.M, rowGrain(), [&](int64_t r0, int64_t r1, int) {
      MatMap y(yd + r0 * p_.N, r1 - r0, p_.N);
      const int64_t rows = r1 - r0;
      if (p_.transA && p_.transB)
        y.noalias() = p_.alpha * am.middleCols(r0, rows).transpose() * bm.transpose();
      else if (p_.transA)
        y.noalias() = p_.alpha * am.middleCols(r0, rows).transpose() * bm;
      else if (p_.transB)
        y.noalias() = p_.alpha * am.middleRows(r0, rows) * bm.transpose();
      else
        y.noalias() = p_.alpha * am.middleRows(r0, rows) * bm;
      epilogue(in, yd, r0, r1, 0, p_.N);
    });
  }

private:
  // At least ~64K multiply-adds per thread, so small layers stay on one thread.
  int64_t rowGrain() const { return std::max<int64_t>(1, (int64_t(1) << 16) / std::max<int64_t>(1, p_.N * p_.K)); }
  int64_t columnGrain() const { return std::max<int64_t>(16, (int64_t(1) << 16) / std::max<int64_t>(1, p_.K)); }

  // y += beta * C, then the activation, over rows [r0, r1) x columns [c0, c1).
  void epilogue(const std::vector<const TensorView *> &in, float *yd, int64_t r0, int64_t r1, int64_t c0,
                int64_t c1) const {
    if (p_.hasC) {
      const float *c = in[2]->as<float>();
      for (int64_t i = r0; i < r1; ++i)
        for (int64_t j = c0; j < c1; ++j) yd[i * p_.N + j] += p_.beta * c[i * p_.cRowStride + j * p_.cColStride];
    }
    for (int64_t i = r0; i < r1; ++i) biasActivation(yd + i * p_.N + c0, 1, c1 - c0, nullptr, p_.act);
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

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const float *a = in[0]->as<float>();
    const float *b = in[1]->as<float>();
    float *y = out[0]->as<float>();
    const int64_t batches = static_cast<int64_t>(p_.aOffsets.size());
    if (batches == 0) return;
    const int64_t work = std::max<int64_t>(1, p_.N * p_.K);
    if (fold_) {
      // Threads take blocks of rows of the folded GEMM.
      const int64_t rows = batches * p_.M;
      ctx.parallelFor(rows, std::max<int64_t>(1, (int64_t(1) << 16) / work), [&](int64_t r0, int64_t r1, int) {
        MatMap(y + r0 * p_.N, r1 - r0, p_.N).noalias() =
            ConstMatMap(a + r0 * p_.K, r1 - r0, p_.K) * ConstMatMap(b + p_.bOffsets[0], p_.K, p_.N);
        biasActivation(y + r0 * p_.N, r1 - r0, p_.N, nullptr, p_.act);
      });
      return;
    }
    // Threads take whole matrices of the batch.
    ctx.parallelFor(batches, std::max<int64_t>(1, (int64_t(1) << 16) / (work * std::max<int64_t>(1, p_.M))),
                    [&](int64_t i0, int64_t i1, int) {
                      for (int64_t i = i0; i < i1; ++i) {
                        MatMap(y + i * p_.M * p_.N, p_.M, p_.N).noalias() =
                            ConstMatMap(a + p_.aOffsets[i], p_.M, p_.K) *
                            ConstMatMap(b + p_.bOffsets[i], p_.K, p_.N);
                        biasActivation(y + i * p_.M * p_.N, p_.M, p_.N, nullptr, p_.act);
                      }
                    });
  }

private:
  ref::MatMulPlan p_;
  bool fold_ = false;
};

}  // namespace

Kernel *newX86Avx2Gemm() { return new X86Gemm(); }

// The GEMM of the kernels above for other ISA-side callers (the x86 recurrent kernels'
// input projection, x86_recurrent.h): C = A·B, row-major with leading dimensions.
void x86Avx2GemmF32(const float *a, int64_t lda, const float *b, int64_t ldb, float *c, int64_t ldc, int64_t M,
                    int64_t K, int64_t N) {
  using Stride = Eigen::OuterStride<>;
  const Eigen::Map<const RowMajor, 0, Stride> am(a, M, K, Stride(lda));
  const Eigen::Map<const RowMajor, 0, Stride> bm(b, K, N, Stride(ldb));
  Eigen::Map<RowMajor, 0, Stride> cm(c, M, N, Stride(ldc));
  cm.noalias() = am * bm;
}
Kernel *newX86Avx2MatMul() { return new X86MatMul(); }

}  // namespace edgec::rt
