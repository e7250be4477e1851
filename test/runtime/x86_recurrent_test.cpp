// The x86 f32 RNN, GRU and LSTM (x86_recurrent.h: the input projection as one GEMM per
// direction, the recurrent mat-vec and the gates on AVX2) against the ref kernel: every
// cell, forward/reverse/bidirectional, layout 0 and 1, batch 1 and 3, hidden sizes 8, 32
// and 33 (a partial 8-float block), with and without biases, sequence_lens (shorter rows:
// zeros past them, the final state taken at them), initial states, LSTM peepholes and
// input_forget, GRU linear_before_reset; W and R as run-time inputs and as constants
// (packed at prepare); the same bits at 1, 2 and 3 threads; and the calls left to ref
// (clip, other activations). Skipped without AVX2/FMA.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "kernel_test_util.h"

namespace edgec::rt::testing {
namespace {

struct RecurrentCase {
  const char *op;  // RNN, GRU, LSTM
  const char *direction;
  int64_t layout, batch, hidden;
  bool bias, lens, initial, peep, option;  // option: GRU linear_before_reset, LSTM input_forget
  int64_t seq = 6;
};

struct Outputs {
  std::vector<float> y, yh, yc;
  Isa isa = Isa::Ref;
};

const char *defaultActs(const std::string &op, bool bidirectional) {
  if (op == "LSTM") return bidirectional ? "Sigmoid,Tanh,Tanh,Sigmoid,Tanh,Tanh" : "Sigmoid,Tanh,Tanh";
  if (op == "GRU") return bidirectional ? "Sigmoid,Tanh,Sigmoid,Tanh" : "Sigmoid,Tanh";
  return bidirectional ? "Tanh,Tanh" : "Tanh";
}

constexpr int64_t kInput = 10;

// Runs the case's call on the best kernel among `isas`; W and R (and B, P) marked as
// package constants when `constWeights`; `acts` replaces the default activations, a
// non-negative `clip` is set.
Outputs run(const RecurrentCase &c, const std::vector<Isa> &isas, int threads, bool constWeights,
            const char *acts = nullptr, float clip = -1.0f) {
  const int64_t kSeq = c.seq;
  const std::string op = c.op;
  const bool bidi = std::string(c.direction) == "bidirectional", lstm = op == "LSTM";
  const int64_t dirs = bidi ? 2 : 1, H = c.hidden, gates = lstm ? 4 : op == "GRU" ? 3 : 1, B = c.batch;
  const size_t nActs = size_t(dirs) * (lstm ? 3 : op == "GRU" ? 2 : 1);
  uint32_t seed = uint32_t(H * 131 + B * 17 + dirs * 7 + c.layout);
  // Weights about 1/√(I + H) as trained layers have, so that gates are not saturated.
  const float ws = 1.0f / std::sqrt(float(kInput + H));
  Tensor x = Tensor::of<float>(c.layout ? std::vector<int64_t>{B, kSeq, kInput} : std::vector<int64_t>{kSeq, B, kInput},
                               randomFloats(kSeq * B * kInput, seed++, -1.f, 1.f));
  Tensor w = Tensor::of<float>({dirs, gates * H, kInput}, randomFloats(dirs * gates * H * kInput, seed++, -ws, ws));
  Tensor r = Tensor::of<float>({dirs, gates * H, H}, randomFloats(dirs * gates * H * H, seed++, -ws, ws));
  Tensor b = Tensor::of<float>({dirs, 2 * gates * H}, randomFloats(dirs * 2 * gates * H, seed++, -0.5f, 0.5f));
  std::vector<int32_t> lensV(static_cast<size_t>(B), static_cast<int32_t>(kSeq));
  if (B > 1) lensV = {int32_t(kSeq), 2, 0};  // batch 3: a shorter row and an empty one
  Tensor lens = Tensor::of<int32_t>({B}, lensV);
  const std::vector<int64_t> state = c.layout ? std::vector<int64_t>{B, dirs, H} : std::vector<int64_t>{dirs, B, H};
  Tensor h0 = Tensor::of<float>(state, randomFloats(dirs * B * H, seed++, -1.f, 1.f));
  Tensor c0 = Tensor::of<float>(state, randomFloats(dirs * B * H, seed++, -1.f, 1.f));
  Tensor p = Tensor::of<float>({dirs, 3 * H}, randomFloats(dirs * 3 * H, seed++, -0.5f, 0.5f));
  Tensor y(DType::f32, c.layout ? std::vector<int64_t>{B, kSeq, dirs, H} : std::vector<int64_t>{kSeq, dirs, B, H});
  Tensor yh(DType::f32, state), yc(DType::f32, state);

  AttrList attrs;
  attrs.s("direction", c.direction).i("hidden_size", H).i("layout", c.layout).s("activations", acts ? acts : defaultActs(op, bidi));
  attrs.floats("activation_alpha", std::vector<float>(nActs, 0.f)).floats("activation_beta", std::vector<float>(nActs, 0.f));
  if (op == "GRU") attrs.i("linear_before_reset", c.option ? 1 : 0);
  if (lstm) attrs.i("input_forget", c.option ? 1 : 0);
  if (clip >= 0) attrs.f("clip", clip);

  std::vector<Tensor *> inputs = {&x, &w, &r, c.bias ? &b : nullptr, c.lens ? &lens : nullptr,
                                  c.initial ? &h0 : nullptr};
  if (lstm) {
    inputs.push_back(c.initial ? &c0 : nullptr);
    inputs.push_back(c.peep ? &p : nullptr);
  }
  std::vector<Tensor *> outputs = {&y, &yh};
  if (lstm) outputs.push_back(&yc);

  static const TensorView absent;
  KernelSignature sig;
  sig.op = op;
  sig.node = "test_node";
  sig.attrs = attrs.attrs();
  std::vector<const TensorView *> in;
  for (size_t i = 0; i < inputs.size(); ++i) {
    sig.inputs.push_back(inputs[i] ? &inputs[i]->view() : nullptr);
    sig.input_is_constant.push_back(constWeights && i != 0 && i != 4 && i != 5 && i != 6);
    in.push_back(inputs[i] ? &inputs[i]->view() : &absent);
  }
  std::vector<TensorView *> out;
  for (Tensor *t : outputs) {
    sig.outputs.push_back(&t->view());
    out.push_back(&t->view());
  }
  Outputs o;
  std::unique_ptr<Kernel> k = KernelRegistry::instance().create(sig, isas, &o.isa);
  k->prepare(sig);
  runPrepared(*k, in, out, threads);
  o.y = y.values<float>();
  o.yh = yh.values<float>();
  if (lstm) o.yc = yc.values<float>();
  return o;
}

std::vector<RecurrentCase> allCases() {
  std::vector<RecurrentCase> cases;
  int n = 0;
  for (const char *op : {"RNN", "GRU", "LSTM"})
    for (const char *dir : {"forward", "reverse", "bidirectional"})
      for (int64_t layout : {0, 1})
        for (int64_t batch : {1, 3})
          for (int64_t hidden : {8, 32, 33}) {
            ++n;
            cases.push_back({op, dir, layout, batch, hidden, n % 4 != 0, batch > 1 && n % 2 == 0, n % 3 != 0,
                             n % 2 == 1, n % 5 < 2});
          }
  return cases;
}

std::string describe(const RecurrentCase &c) {
  return std::string(c.op) + " " + c.direction + " layout " + std::to_string(c.layout) + " batch " +
         std::to_string(c.batch) + " hidden " + std::to_string(c.hidden) + (c.bias ? " B" : "") +
         (c.lens ? " lens" : "") + (c.initial ? " initial" : "") + (c.peep ? " P" : "") + (c.option ? " option" : "");
}

// The x86 kernel sums the products in another order than ref (the GEMM's blocking and
// fmas for X·Wᵀ, the biases added before the recurrent product, fmas in R·h) and its
// sigmoid and tanh are within a few ulp of ref's std::exp/std::tanh (README.md): a few
// f32 roundings on values of magnitude about 1 per step, carried through 6 steps by
// contracting gates. 5e-6 absolute plus 5e-6 relative bounds that with room (1.8e-7 measured on
// AVX-512 and AVX2 alike: the same AVX2 code runs at both levels); the largest
// difference measured is recorded as max_abs_diff_vs_ref.
constexpr float kAbs = 5e-6f, kRel = 5e-6f;

float compare(const std::vector<float> &got, const std::vector<float> &want, const std::string &what) {
  float worst = 0;
  EXPECT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size() && i < want.size(); ++i) {
    const float diff = std::fabs(got[i] - want[i]);
    worst = std::max(worst, diff);
    EXPECT_LE(diff, kAbs + kRel * std::fabs(want[i])) << what << " element " << i << ": " << got[i] << " vs " << want[i];
  }
  return worst;
}

TEST(RecurrentX86, MatchesRefOnEveryConfiguration) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  for (const IsaLevel &level : x86Levels(false)) {
    float worst = 0;
    for (const RecurrentCase &c : allCases()) {
      const Outputs want = run(c, {Isa::Ref}, 1, false);
      for (bool constWeights : {false, true}) {
        const std::string what = std::string(level.name) + " " + describe(c) + (constWeights ? " const" : "");
        const Outputs got = run(c, level.isas, 1, constWeights);
        EXPECT_EQ(got.isa, Isa::X86Avx2) << what;  // registered at x86-avx2 only
        worst = std::max(worst, compare(got.y, want.y, what + " Y"));
        worst = std::max(worst, compare(got.yh, want.yh, what + " Y_h"));
        worst = std::max(worst, compare(got.yc, want.yc, what + " Y_c"));
        // Rows past their length are zeros in Y exactly.
        if (c.lens)
          for (size_t i = 0; i < want.y.size(); ++i)
            if (want.y[i] == 0.0f) EXPECT_EQ(got.y[i], 0.0f) << what << " Y element " << i;
      }
    }
    char text[32];
    std::snprintf(text, sizeof text, "%.2e", double(worst));
    RecordProperty(std::string(level.name) + "_max_abs_diff_vs_ref", text);
  }
}

TEST(RecurrentX86, SameBitsForAnyThreadCount) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  const std::vector<Isa> isas = {Isa::Ref, Isa::X86Avx2};
  for (const RecurrentCase &c : allCases()) {
    if (c.batch == 1 && std::string(c.direction) != "bidirectional") continue;
    const Outputs one = run(c, isas, 1, true);
    for (int threads : {2, 3}) {
      const Outputs many = run(c, isas, threads, true);
      EXPECT_EQ(one.y, many.y) << describe(c) << " threads " << threads;
      EXPECT_EQ(one.yh, many.yh) << describe(c) << " threads " << threads;
      EXPECT_EQ(one.yc, many.yc) << describe(c) << " threads " << threads;
    }
  }
}

TEST(RecurrentX86, LongSequenceProjectedInBlocks) {
  // 150 steps x batch 3 = 450 rows: several 64-row GEMM blocks, the last one partial.
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  for (int64_t layout : {0, 1}) {
    RecurrentCase c{"LSTM", "bidirectional", layout, 3, 33, true, true, true, true, false, 150};
    const Outputs want = run(c, {Isa::Ref}, 1, true);
    const Outputs got = run(c, {Isa::Ref, Isa::X86Avx2}, 2, true);
    EXPECT_EQ(got.isa, Isa::X86Avx2);
    compare(got.y, want.y, describe(c) + " Y");
    compare(got.yh, want.yh, describe(c) + " Y_h");
    compare(got.yc, want.yc, describe(c) + " Y_c");
    EXPECT_EQ(got.y, run(c, {Isa::Ref, Isa::X86Avx2}, 1, true).y) << "threads";
  }
}

TEST(RecurrentX86, OtherCallsStayOnRef) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  const std::vector<Isa> isas = {Isa::Ref, Isa::X86Avx2};
  const RecurrentCase lstm{"LSTM", "forward", 0, 3, 8, true, true, true, true, false};
  EXPECT_EQ(run(lstm, isas, 1, true, nullptr, 0.5f).isa, Isa::Ref) << "clip";
  const RecurrentCase rnn{"RNN", "forward", 0, 3, 8, true, false, true, false, false};
  EXPECT_EQ(run(rnn, isas, 1, true, "Relu").isa, Isa::Ref) << "Relu";
  const RecurrentCase gru{"GRU", "forward", 1, 1, 32, true, false, true, false, true};
  EXPECT_EQ(run(gru, isas, 1, true, "HardSigmoid,Tanh").isa, Isa::Ref)
      << "HardSigmoid";
}

}  // namespace
}  // namespace edgec::rt::testing
