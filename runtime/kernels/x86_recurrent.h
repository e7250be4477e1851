// The x86 f32 RNN, GRU and LSTM (issue 8): a baseline kernel class (x86_recurrent.cpp)
// that validates the call as ref does, packs W and R (once at prepare when they are
// constants, else on every run) and drives two ISA functions: the input projection of
// all steps as one GEMM per direction (the x86 Gemm's, x86/gemm_f32_avx2.cpp) and the steps of one
// (direction, batch row) recurrence (x86/recurrent_avx2.cpp: the R·h mat-vec and the
// gate activations on x86/vec_math.inc's sigmoid and tanh).
//
// Plain declarations only: this header is included by ISA and baseline files alike (see
// docs/architecture.md on ISA files).
#pragma once

#include <cstdint>

#include "kernel.h"

namespace edgec::rt {

namespace ref {
// ref's prepare checks of an RNN/GRU/LSTM call (sig.op names the cell): throws the ref
// kernel's Error for a call ref would refuse. Defined in ref/recurrent.cpp.
void checkRecurrentCall(const KernelSignature &sig);
}  // namespace ref

namespace x86 {

// One recurrence as the ISA code sees it. Gate blocks are padded to Hp = H rounded up to
// 8 floats (zeros past H), so every vector is whole: a gate row of pre-activations is
// gates·Hp floats, gate g's unit j at g·Hp + j.
struct RecurrentPlanF32 {
  int cell = 0;  // 0 RNN, 1 GRU, 2 LSTM
  int gates = 1;
  int64_t dirs = 1, layout = 0, hidden = 0, hiddenPadded = 0, seq = 0, batch = 0, inputSize = 0;
  bool reverse = false, linearBeforeReset = false, inputForget = false;
};

// One direction's packed operands and the run's inputs and outputs (null where absent).
struct RecurrentStepsF32 {
  const float *proj = nullptr;   // [rows][gates·Hp]: X·Wᵀ + biases, row (t, b) as X's
  const float *rT = nullptr;     // [H][gates·Hp]: R transposed (row k: column k of R)
  const float *rbCand = nullptr; // GRU with linear_before_reset: Rb of the candidate gate [Hp]
  const float *peep = nullptr;   // LSTM: [3][Hp] (i, o, f), or null
  const float *h0 = nullptr, *c0 = nullptr;
  float *y = nullptr, *yh = nullptr, *yc = nullptr;
};

// Whether the x86 kernel takes the call: what ref accepts, f32, no clip, and the default
// activations (RNN Tanh; GRU Sigmoid, Tanh; LSTM Sigmoid, Tanh, Tanh, per direction).
bool acceptsRecurrentF32(const KernelSignature &sig);

// Baseline factories (x86_recurrent.cpp), registered at x86-avx2 by registry.cpp.
Kernel *newX86Avx2RecurrentF32(int cell);

// ISA code (x86/recurrent_avx2.cpp). Runs direction d over batch row b for `len` steps;
// `scratch` holds (gates + 3)·Hp floats.
void recurrentStepsAvx2(const RecurrentPlanF32 &p, const RecurrentStepsF32 &s, int64_t d, int64_t b, int64_t len,
                        float *scratch);

}  // namespace x86

// C[M, N] = A[M, K] · B[K, N], row-major with leading dimensions lda, ldb, ldc, on the
// calling thread, with the AVX2 Gemm/MatMul kernels' tiles (x86/gemm_f32_avx2.cpp; B read
// in place).
void x86Avx2GemmF32(const float *a, int64_t lda, const float *b, int64_t ldb, float *c, int64_t ldc, int64_t M,
                    int64_t K, int64_t N);

}  // namespace edgec::rt
