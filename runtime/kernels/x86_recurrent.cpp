// The x86 f32 RNN, GRU and LSTM kernel (x86_recurrent.h), baseline side: validation
// (ref's), the packed weights and the run's two phases.
//
// 1. The input projection X_t·Wᵀ + biases of every step at once: one GEMM per direction
//    over X viewed as [rows, I] (rows = S·B, either layout) and Wᵀ packed [I][gates·Hp],
//    split into fixed blocks of kProjRows rows, so the GEMM calls (and their bits) do not
//    depend on the thread count.
// 2. The recurrences, one per (direction, batch row), split over threads as ref's
//    (x86/recurrent_avx2.cpp).
//
// Compiled for the baseline ISA; it calls the ISA functions only from run, so only once
// the registry has picked this kernel for a CPU with AVX2 and FMA.
#include "x86_recurrent.h"

#include <cstring>
#include <string>
#include <vector>

#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::x86 {
namespace {

constexpr int64_t kProjRows = 64;

bool plainF32(const TensorView *v) { return v && v->dtype == DType::f32 && !v->quant; }

int cellOf(const std::string &op) { return op == "LSTM" ? 2 : op == "GRU" ? 1 : 0; }

// ONNX's default activations, repeated per direction, as the compiler joins them.
std::string defaultActivations(int cell, int64_t dirs) {
  const char *one = cell == 2 ? "Sigmoid,Tanh,Tanh" : cell == 1 ? "Sigmoid,Tanh" : "Tanh";
  std::string all = one;
  for (int64_t d = 1; d < dirs; ++d) all += std::string(",") + one;
  return all;
}

class X86Recurrent final : public Kernel {
public:
  explicit X86Recurrent(int cell) : cell_(cell) {}

  void prepare(const KernelSignature &sig) override {
    ref::checkRecurrentCall(sig);
    where_ = sig.op + " node '" + sig.node + "'";
    const TensorView &x = *sig.inputs[0];
    const std::string direction = sig.attrs.s("direction");
    p_.cell = cell_;
    p_.gates = cell_ == 2 ? 4 : cell_ == 1 ? 3 : 1;
    p_.dirs = direction == "bidirectional" ? 2 : 1;
    p_.reverse = direction == "reverse";
    p_.layout = sig.attrs.i("layout");
    p_.hidden = sig.attrs.i("hidden_size");
    p_.hiddenPadded = (p_.hidden + 7) / 8 * 8;
    p_.seq = x.shape[p_.layout ? 1 : 0];
    p_.batch = x.shape[p_.layout ? 0 : 1];
    p_.inputSize = x.shape[2];
    p_.linearBeforeReset = cell_ == 1 && sig.attrs.i("linear_before_reset") != 0;
    p_.inputForget = cell_ == 2 && sig.attrs.i("input_forget") != 0;
    const int64_t ld = p_.gates * p_.hiddenPadded;
    wT_.assign(size_t(p_.dirs * p_.inputSize * ld), 0.0f);
    rT_.assign(size_t(p_.dirs * p_.hidden * ld), 0.0f);
    bias_.assign(size_t(p_.dirs * ld), 0.0f);
    rbCand_.assign(size_t(p_.dirs * p_.hiddenPadded), 0.0f);
    peep_.assign(size_t(p_.dirs * 3 * p_.hiddenPadded), 0.0f);
    proj_.assign(size_t(p_.dirs * p_.seq * p_.batch * ld), 0.0f);
    auto constant = [&](size_t i) {
      return i < sig.inputs.size() && i < sig.input_is_constant.size() && sig.input_is_constant[i] &&
             sig.inputs[i] && sig.inputs[i]->data;
    };
    packedAtPrepare_ = constant(1) && constant(2);
    if (packedAtPrepare_) pack(sig.inputs[1]->as<float>(), sig.inputs[2]->as<float>());
  }

  size_t scratchBytes() const override { return size_t((p_.gates + 3) * p_.hiddenPadded) * sizeof(float); }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const int32_t *lens = in.size() > 4 && in[4] && in[4]->data ? in[4]->as<int32_t>() : nullptr;
    if (lens)
      for (int64_t b = 0; b < p_.batch; ++b)
        if (lens[b] < 0 || lens[b] > p_.seq)
          throw Error(where_ + ": sequence_lens[" + std::to_string(b) + "] = " + std::to_string(lens[b]) +
                      " is outside [0, " + std::to_string(p_.seq) + "]");
    auto input = [&](size_t i) -> const float * {
      return i < in.size() && in[i] && in[i]->data ? in[i]->as<float>() : nullptr;
    };
    if (!packedAtPrepare_) pack(input(1), input(2));
    packBiases(input(3), cell_ == 2 ? input(7) : nullptr);

    const int64_t H = p_.hidden, Hp = p_.hiddenPadded, ld = p_.gates * Hp, I = p_.inputSize;
    const int64_t rows = p_.seq * p_.batch, blocks = (rows + kProjRows - 1) / kProjRows;
    const float *x = input(0);
    ctx.parallelFor(p_.dirs * blocks, 1, [&](int64_t begin, int64_t end, int) {
      for (int64_t item = begin; item < end; ++item) {
        const int64_t d = item / blocks, r0 = item % blocks * kProjRows, n = std::min(kProjRows, rows - r0);
        float *proj = proj_.data() + (d * rows + r0) * ld;
        x86Avx2GemmF32(x + r0 * I, I, wT_.data() + d * I * ld, ld, proj, ld, n, I, ld);
        const float *bias = bias_.data() + d * ld;
        for (int64_t r = 0; r < n; ++r)
          for (int64_t g = 0; g < ld; ++g) proj[r * ld + g] += bias[g];
      }
    });

    RecurrentStepsF32 base;
    base.h0 = input(5);
    base.c0 = cell_ == 2 ? input(6) : nullptr;
    base.y = out[0]->as<float>();
    base.yh = out.size() > 1 && out[1] && out[1]->data ? out[1]->as<float>() : nullptr;
    base.yc = out.size() > 2 && out[2] && out[2]->data ? out[2]->as<float>() : nullptr;
    const bool peep = cell_ == 2 && input(7);
    ctx.parallelFor(p_.dirs * p_.batch, 1, [&](int64_t begin, int64_t end, int thread) {
      auto *scratch = static_cast<float *>(ctx.threadScratch(thread));
      for (int64_t item = begin; item < end; ++item) {
        const int64_t d = item / p_.batch, b = item % p_.batch;
        RecurrentStepsF32 s = base;
        s.proj = proj_.data() + d * rows * ld;
        s.rT = rT_.data() + d * H * ld;
        s.rbCand = p_.linearBeforeReset ? rbCand_.data() + d * Hp : nullptr;
        s.peep = peep ? peep_.data() + d * 3 * Hp : nullptr;
        recurrentStepsAvx2(p_, s, d, b, lens ? lens[b] : p_.seq, scratch);
      }
    });
  }

private:
  // Wᵀ [dirs][I][gates·Hp] and Rᵀ [dirs][H][gates·Hp], gate g's unit j in column g·Hp + j
  // (the padding columns stay 0).
  void pack(const float *w, const float *r) {
    const int64_t H = p_.hidden, Hp = p_.hiddenPadded, ld = p_.gates * Hp, I = p_.inputSize;
    for (int64_t d = 0; d < p_.dirs; ++d)
      for (int64_t g = 0; g < p_.gates; ++g)
        for (int64_t j = 0; j < H; ++j) {
          const int64_t row = d * p_.gates * H + g * H + j, col = g * Hp + j;
          for (int64_t k = 0; k < I; ++k) wT_[size_t((d * I + k) * ld + col)] = w[row * I + k];
          for (int64_t k = 0; k < H; ++k) rT_[size_t((d * H + k) * ld + col)] = r[row * H + k];
        }
  }

  // Wb + Rb per gate column (GRU with linear_before_reset: the candidate gate's Rb apart,
  // as it is multiplied by r), and the peepholes, padded as the gates.
  void packBiases(const float *bias, const float *peep) {
    const int64_t H = p_.hidden, Hp = p_.hiddenPadded, ld = p_.gates * Hp, gh = p_.gates * H;
    for (int64_t d = 0; d < p_.dirs; ++d) {
      for (int64_t g = 0; g < p_.gates; ++g)
        for (int64_t j = 0; j < H; ++j) {
          const float *wb = bias ? bias + d * 2 * gh : nullptr, *rb = wb ? wb + gh : nullptr;
          const bool rbApart = p_.linearBeforeReset && g == 2;
          bias_[size_t(d * ld + g * Hp + j)] = wb ? wb[g * H + j] + (rbApart ? 0.0f : rb[g * H + j]) : 0.0f;
          if (rbApart) rbCand_[size_t(d * Hp + j)] = rb ? rb[g * H + j] : 0.0f;
        }
      if (peep)
        for (int64_t g = 0; g < 3; ++g)
          for (int64_t j = 0; j < H; ++j) peep_[size_t((d * 3 + g) * Hp + j)] = peep[d * 3 * H + g * H + j];
    }
  }

  int cell_;
  std::string where_;
  RecurrentPlanF32 p_;
  bool packedAtPrepare_ = false;
  std::vector<float> wT_, rT_, bias_, rbCand_, peep_, proj_;
};

}  // namespace

bool acceptsRecurrentF32(const KernelSignature &sig) {
  try {
    for (size_t i = 0; i < sig.inputs.size(); ++i)
      if (i != 4 && sig.inputs[i] && !plainF32(sig.inputs[i])) return false;
    for (const TensorView *t : sig.outputs)
      if (!plainF32(t)) return false;
    if (sig.inputs.empty() || !sig.inputs[0] || sig.attrs.has("clip")) return false;
    const int cell = cellOf(sig.op);
    const int64_t dirs = sig.attrs.s("direction") == "bidirectional" ? 2 : 1;
    if (sig.attrs.s("activations") != defaultActivations(cell, dirs)) return false;
    ref::checkRecurrentCall(sig);
  } catch (const Error &) {
    return false;
  }
  return true;
}

Kernel *newX86Avx2RecurrentF32(int cell) { return new X86Recurrent(cell); }

}  // namespace edgec::rt::x86
