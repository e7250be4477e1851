// FusedElementwise (edge-fuse-elementwise, dialect op edge.FusedElementwise): the plan
// that prepare makes of a call, shared by the ref kernel (ref/fused_elementwise.cpp) and
// the x86 kernels (x86/fused_elementwise_*.cpp). Contract: runtime/kernels/README.md,
// "FusedElementwise".
//
// Plain declarations (no inline functions): included by ISA files too.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace edgec::rt {
struct KernelSignature;
}

namespace edgec::rt::ref {

enum class FusedOp : int32_t {
  // Two registers.
  Add, Sub, Mul, Div,
  // One register (Pow: the exponent is p0; Clip: p0, p1 the bounds; LeakyRelu, Elu:
  // p0 = alpha; HardSigmoid: p0 = alpha, p1 = beta).
  Pow, Clip, LeakyRelu, Elu, HardSigmoid,
  Relu, Sigmoid, Tanh, Erf, Exp, Log, Neg, Abs, Sqrt, Reciprocal, HardSwish, Softplus,
};

struct FusedStep {
  FusedOp op;
  int32_t a, b;  // registers read (b = -1 for one-register ops)
  float p0, p1;
};

struct FusedElementwisePlan {
  static constexpr int kMaxInputs = 8, kMaxSteps = 24;
  // Elements per block: every step runs over a block before the next (registers are
  // blocks), a multiple of every ISA's lanes.
  static constexpr int64_t kBlock = 64;
  int numInputs = 0;
  std::vector<FusedStep> steps;
  // The output as dims with size-1 dims dropped and mergeable neighbours merged (at
  // least one dim); `strides[d][i]`: input i's element stride along dim d, 0 where it
  // broadcasts. Along the last dim every stride is 0 or 1 (inputs are dense).
  std::vector<int64_t> shape;
  std::vector<std::array<int64_t, kMaxInputs>> strides;
  int64_t numel = 0;
};

// Validates the call (f32 inputs broadcasting to the f32 output; ops, args and params
// as the dialect's verifier checks them) and plans it; throws naming the node.
FusedElementwisePlan planFusedElementwise(const KernelSignature &sig);

// The program of a call with `numInputs` inputs (ops, args and params validated as
// planFusedElementwise does); throws naming the node. `prefix` names the attributes
// (a quantized Conv's fused table: table_ops, table_args, table_params).
std::vector<FusedStep> fusedProgram(const KernelSignature &sig, int numInputs, const std::string &prefix = "");
// y[t] = the program on input 0 = x[t] and input i >= 1 = scalars[i - 1], t in [0, n):
// the ref kernel's f32 steps (the quantized FusedElementwise's table,
// ref/quant_elementwise.cpp).
void evalFusedProgram(const std::vector<FusedStep> &steps, int numInputs, const float *x, const float *scalars,
                      float *y, int64_t n);

// One run of output elements [pos, pos + n) within one last-dim row: off[i] is input i's
// element offset at pos (its stride along the run is the plan's last-dim stride).
struct FusedRun {
  int64_t pos, n;
  std::array<int64_t, FusedElementwisePlan::kMaxInputs> off;
};
// Calls fn(ctx, run) for the runs of output elements [lo, hi), in order.
void forEachFusedRun(const FusedElementwisePlan &p, int64_t lo, int64_t hi, void (*fn)(void *, const FusedRun &),
                     void *ctx);

}  // namespace edgec::rt::ref
