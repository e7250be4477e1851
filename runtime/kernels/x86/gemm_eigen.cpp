// x86 (AVX2 + FMA) fp32 GEMM on Eigen for the input projection of the x86 RNN/GRU/LSTM
// (x86_recurrent.h). The Gemm and MatMul kernels have their own register-tiled GEMM
// (x86/gemm_f32_driver.inc).
//
// This is the only file that includes Eigen, and it is compiled with -mavx2 -mfma:
// everything here stays in an anonymous namespace, and it instantiates no std container
// code, so the linker cannot pick an AVX2 copy of a shared inline function for a baseline
// caller.
#include <Eigen/Core>

#include "x86_recurrent.h"  // x86Avx2GemmF32

namespace edgec::rt {
namespace {

using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

}  // namespace

// C = A·B, row-major with leading dimensions.
void x86Avx2GemmF32(const float *a, int64_t lda, const float *b, int64_t ldb, float *c, int64_t ldc, int64_t M,
                    int64_t K, int64_t N) {
  using Stride = Eigen::OuterStride<>;
  const Eigen::Map<const RowMajor, 0, Stride> am(a, M, K, Stride(lda));
  const Eigen::Map<const RowMajor, 0, Stride> bm(b, K, N, Stride(ldb));
  Eigen::Map<RowMajor, 0, Stride> cm(c, M, N, Stride(ldc));
  cm.noalias() = am * bm;
}

}  // namespace edgec::rt
