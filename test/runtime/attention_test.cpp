// ScaledDotProductAttention (the op edge-fuse-attention creates): the ref kernel gives the
// bits of the unfused ref ops it replaces (Mul/Div, Transpose, MatMul, Mul/Div, Add,
// Softmax, MatMul, run one by one through the registry), and the x86 kernel stays within
// the bound runtime/kernels/README.md states of ref, with the same bits at 1, 2 and 3
// threads: S != T, head sizes that are not a multiple of the vector width, K as [T, D]
// and as [D, T], every scale step form, masks of several broadcast shapes, causal masks
// and rows masked entirely (NaN in both, as the unfused Softmax gives). Quantized Q, K, V
// and result (static INT8's attention, per tensor, i8/u8, in any mix with f32): ref gives
// the bits of ref DequantizeLinear -> the f32 op -> ref QuantizeLinear, x86 codes within one
// of ref's.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "kernel_test_util.h"
#include "ref/attention.h"
#include "quant_test_util.h"
#include "x86_timing_util.h"

namespace edgec::rt::testing {
namespace {

struct Case {
  std::vector<int64_t> batch;
  int64_t S, T, D, Dv;
  bool keyTransposed;
  float qScale, kScale, scale;
  bool qDivide, kDivide, scaleDivide;
  std::vector<int64_t> mask;  // empty: no mask
  enum { Random, Causal, DeadRows, Window } maskKind;
  const char *what;
};

const float kInvSqrt = 1.f / std::sqrt(20.f);
const float kSqrtScale = std::sqrt(kInvSqrt);

const std::vector<Case> kCases = {
    {{4}, 32, 32, 16, 16, true, 4.f, 1.f, 1.f, true, false, false, {}, Case::Random, "transformer (Div Q, K^T given)"},
    {{4}, 32, 32, 16, 16, true, 4.f, 1.f, 1.f, true, false, false, {1, 32, 32}, Case::Causal, "gpt (Div Q, causal)"},
    {{1, 2}, 8, 12, 20, 24, false, kSqrtScale, kSqrtScale, 1.f, false, false, false, {}, Case::Random,
     "sdpa (sqrt scales on Q and K)"},
    {{1, 2}, 8, 12, 20, 24, false, kSqrtScale, kSqrtScale, 1.f, false, false, false, {2, 1, 12}, Case::Random,
     "sdpa, padding mask per head"},
    {{2, 3}, 7, 13, 9, 5, false, 1.f, 1.f, 3.f, false, false, true, {13}, Case::Random, "scores / 3, mask [T]"},
    {{2, 3}, 33, 17, 67, 19, true, 1.f, 0.5f, 0.125f, false, true, false, {2, 3, 33, 17}, Case::Random,
     "full mask, K / 0.5, scores * 0.125"},
    {{3}, 40, 40, 8, 8, false, 1.f, 1.f, 0.35355f, false, false, false, {40, 40}, Case::DeadRows,
     "rows masked entirely"},
    {{}, 5, 70, 3, 33, false, 1.f, 1.f, 1.f, false, false, false, {5, 1}, Case::Random, "no batch, mask [S, 1]"},
    {{2}, 1, 129, 64, 64, true, 0.125f, 1.f, 1.f, false, false, false, {1}, Case::Random, "one query row, T 129"},
    {{1}, 100, 1, 16, 16, false, 1.f, 1.f, 1.f, false, false, false, {}, Case::Random, "T = 1"},
    {{2}, 40, 40, 16, 16, true, 4.f, 1.f, 1.f, true, false, false, {40, 40}, Case::Causal, "causal, T 40 (padded)"},
    {{2}, 64, 64, 16, 16, true, 4.f, 1.f, 1.f, true, false, false, {64, 64}, Case::Window,
     "causal window of 20 keys (whole vectors of -inf before and after the row's keys)"},
};

// The x86 integer kernel splits over threads only from batch * S * T * (D + Dv) = 2^20
// (kSplitWork), which none of kCases reaches: the GPT decoder's heads at seq 128, for
// IntegerX86IsRefBitForBit at 2 and 3 threads.
const Case kSplitCase = {{4}, 128, 128, 16, 16, true, 4.f, 1.f, 1.f, true, false, false, {1, 128, 128}, Case::Causal,
                         "gpt heads at seq 128 (split over threads)"};

std::vector<int64_t> cat(std::vector<int64_t> a, std::initializer_list<int64_t> b) {
  a.insert(a.end(), b);
  return a;
}

struct Inputs {
  std::vector<float> q, k, v, m;
};

Inputs makeInputs(const Case &c, uint32_t seed) {
  Inputs in;
  const int64_t B = numelOf(c.batch);
  in.q = randomFloats(B * c.S * c.D, seed, -2.f, 2.f);
  in.k = randomFloats(B * c.T * c.D, seed + 1, -2.f, 2.f);
  in.v = randomFloats(B * c.T * c.Dv, seed + 2);
  if (!c.mask.empty()) {
    in.m = randomFloats(numelOf(c.mask), seed + 3, -3.f, 1.f);
    const float ninf = -std::numeric_limits<float>::infinity();
    const int64_t cols = c.mask.back(), rows = c.mask.size() >= 2 ? c.mask[c.mask.size() - 2] : 1;
    for (size_t i = 0; i < in.m.size(); ++i) {
      const int64_t col = int64_t(i) % cols, row = int64_t(i) / cols % rows;
      if (c.maskKind == Case::Causal) in.m[i] = col > row ? ninf : 0.f;
      if (c.maskKind == Case::DeadRows && (row % 7 == 3 || col % 5 == 1)) in.m[i] = ninf;
      if (c.maskKind == Case::Window && (col > row || col + 20 <= row)) in.m[i] = ninf;
    }
  }
  return in;
}

AttrList attention(const Case &c) {
  AttrList a;
  a.i("key_transposed", c.keyTransposed).f("q_scale", c.qScale).i("q_divide", c.qDivide);
  a.f("k_scale", c.kScale).i("k_divide", c.kDivide).f("scale", c.scale).i("scale_divide", c.scaleDivide);
  return a;
}

std::vector<float> fused(const Case &c, const Inputs &in, const std::vector<Isa> &isas, int threads,
                         Isa *chosen = nullptr) {
  const int64_t T = c.T, D = c.D;
  Tensor q = Tensor::of<float>(cat(c.batch, {c.S, D}), in.q);
  Tensor k = Tensor::of<float>(c.keyTransposed ? cat(c.batch, {D, T}) : cat(c.batch, {T, D}), in.k);
  Tensor v = Tensor::of<float>(cat(c.batch, {T, c.Dv}), in.v);
  Tensor m = Tensor::of<float>(c.mask.empty() ? std::vector<int64_t>{1} : c.mask, c.mask.empty() ? std::vector<float>{0.f} : in.m);
  Tensor y(DType::f32, cat(c.batch, {c.S, c.Dv}));
  AttrList attrs = attention(c);
  const Isa isa = runKernel("ScaledDotProductAttention", {&q, &k, &v, c.mask.empty() ? nullptr : &m}, {&y}, attrs,
                            isas, threads);
  if (chosen) *chosen = isa;
  return y.values<float>();
}

// The chain the pass replaces, op by op on the ref kernels.
std::vector<float> unfusedRef(const Case &c, const Inputs &in) {
  const int64_t T = c.T, D = c.D;
  const int r = int(c.batch.size()) + 2;
  auto step = [](Tensor &x, float factor, bool divide) {
    Tensor f = Tensor::of<float>({}, std::vector<float>{factor});
    Tensor y(DType::f32, x.shape());
    runKernel(divide ? "Div" : "Mul", {&x, &f}, {&y});
    return y;
  };
  Tensor q = Tensor::of<float>(cat(c.batch, {c.S, D}), in.q);
  if (c.qScale != 1.f || c.qDivide) q = step(q, c.qScale, c.qDivide);
  Tensor kt(DType::f32, cat(c.batch, {D, T}));
  if (c.keyTransposed) {
    kt = Tensor::of<float>(cat(c.batch, {D, T}), in.k);
  } else {
    Tensor k = Tensor::of<float>(cat(c.batch, {T, D}), in.k);
    std::vector<int64_t> perm;
    for (int i = 0; i < r; ++i) perm.push_back(i);
    std::swap(perm[size_t(r - 1)], perm[size_t(r - 2)]);
    AttrList p;
    p.ints("perm", perm);
    runKernel("Transpose", {&k}, {&kt}, p);
  }
  if (c.kScale != 1.f || c.kDivide) kt = step(kt, c.kScale, c.kDivide);
  Tensor s(DType::f32, cat(c.batch, {c.S, T}));
  runKernel("MatMul", {&q, &kt}, {&s});
  if (c.scale != 1.f || c.scaleDivide) s = step(s, c.scale, c.scaleDivide);
  if (!c.mask.empty()) {
    Tensor m = Tensor::of<float>(c.mask, in.m);
    Tensor sum(DType::f32, s.shape());
    runKernel("Add", {&s, &m}, {&sum});
    s = std::move(sum);
  }
  Tensor p(DType::f32, s.shape());
  AttrList axis;
  axis.i("axis", r - 1);
  runKernel("Softmax", {&s}, {&p}, axis);
  Tensor v = Tensor::of<float>(cat(c.batch, {T, c.Dv}), in.v);
  Tensor y(DType::f32, cat(c.batch, {c.S, c.Dv}));
  runKernel("MatMul", {&p, &v}, {&y});
  return y.values<float>();
}

TEST(Attention, RefIsTheUnfusedRefOpsBitForBit) {
  uint32_t seed = 10;
  for (const Case &c : kCases) {
    const Inputs in = makeInputs(c, seed += 10);
    const std::vector<float> want = unfusedRef(c, in);
    EXPECT_TRUE(sameBits(fused(c, in, {Isa::Ref}, 1), want)) << c.what;
    EXPECT_TRUE(sameBits(fused(c, in, {Isa::Ref}, 3), want)) << c.what << ": 3 threads";
    if (c.maskKind == Case::DeadRows) {
      int64_t nans = 0;
      for (float x : want) nans += std::isnan(x);
      EXPECT_GT(nans, 0) << "a row masked entirely is NaN in the unfused ops too";
    }
  }
}

// The bound runtime/kernels/README.md states: |x86 - ref| <= 1e-5 (1 + |ref|) per element,
// NaN exactly where ref has NaN.
TEST(Attention, X86WithinBoundOfRefAndThreadIndependent) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  for (const IsaLevel &level : x86Levels(false)) {
    uint32_t seed = 500;
    double worst = 0;
    for (const Case &c : kCases) {
      const Inputs in = makeInputs(c, seed += 10);
      const std::vector<float> want = fused(c, in, {Isa::Ref}, 1);
      Isa isa = Isa::Ref;
      const std::vector<float> got = fused(c, in, level.isas, 1, &isa);
      EXPECT_EQ(isa, level.expect) << c.what;
      for (int threads : {2, 3})
        EXPECT_TRUE(sameBits(fused(c, in, level.isas, threads), got)) << level.name << " " << c.what << ": " << threads;
      ASSERT_EQ(got.size(), want.size());
      for (size_t i = 0; i < got.size(); ++i) {
        if (std::isnan(want[i]) || std::isnan(got[i])) {
          EXPECT_TRUE(std::isnan(want[i]) && std::isnan(got[i])) << level.name << " " << c.what << " at " << i;
          continue;
        }
        const double err = std::fabs(double(got[i]) - want[i]) / (1.0 + std::fabs(want[i]));
        worst = std::max(worst, err);
        EXPECT_LE(err, 1e-5) << level.name << " " << c.what << " at " << i << ": " << got[i] << " vs " << want[i];
      }
    }
    RecordProperty(std::string(level.name) + "_max_err_vs_ref", std::to_string(worst));
    std::printf("%s attention vs ref: max |diff| / (1 + |ref|) = %.3g\n", level.name, worst);
  }
}

// Quantized operands: which of Q, K, V and the result are quantized, and to what (f32:
// not quantized).
struct QuantMix {
  DType q, k, v, y;
  const char *what;
};
const std::vector<QuantMix> kMixes = {
    {DType::i8, DType::i8, DType::i8, DType::i8, "all i8"},
    {DType::u8, DType::u8, DType::u8, DType::u8, "all u8"},
    {DType::i8, DType::f32, DType::u8, DType::i8, "Q i8, K f32, V u8, Y i8"},
    {DType::f32, DType::f32, DType::f32, DType::u8, "f32 in, Y u8"},
    {DType::i8, DType::u8, DType::i8, DType::f32, "quantized in, Y f32"},
};

// One operand: codes with parameters (quantized) or their dequantized values (f32).
struct Operand {
  QPtr q;
  Tensor f{DType::f32, {1}};
  TensorView &view() { return q ? q->t.view() : f.view(); }
};

Operand makeOperand(DType t, std::vector<int64_t> shape, float scale, std::mt19937 &rng) {
  Operand o;
  const std::vector<int32_t> codes = randomCodes(numelOf(shape), DType::i8, rng);
  if (t == DType::f32) {
    std::vector<float> x;
    for (int32_t c : codes) x.push_back(float(c) * scale);
    o.f = Tensor::of<float>(shape, x);
    return o;
  }
  const int32_t zp = t == DType::u8 ? 128 + int32_t(rng() % 9) - 4 : int32_t(rng() % 9) - 4;
  std::vector<int32_t> shifted;
  for (int32_t c : codes) shifted.push_back(std::clamp(c + zp, qmin(t), qmax(t)));
  o.q = makeQ(t, shape, shifted, {scale, zp});
  return o;
}

// The fused op on the operands; the result's codes (quantized) or f32 bits as int32.
std::vector<int32_t> fusedQ(const Case &c, Operand &q, Operand &k, Operand &v, Tensor &m, Operand &y,
                            const std::vector<Isa> &isas, int threads, Isa *chosen = nullptr) {
  AttrList attrs = attention(c);
  std::vector<TensorView *> in = {&q.view(), &k.view(), &v.view()};
  if (!c.mask.empty()) in.push_back(&m.view());
  const Isa isa = runKernelOnViews("ScaledDotProductAttention", in, y.view(), isas, threads, &attrs);
  if (chosen) *chosen = isa;
  if (y.q) return y.q->codes();
  std::vector<int32_t> bits(size_t(y.f.view().numel()));
  std::memcpy(bits.data(), y.f.view().data, bits.size() * sizeof(float));
  return bits;
}

// ref DequantizeLinear of a quantized operand (else its f32 values).
Tensor dequantized(Operand &o) {
  if (!o.q) return Tensor::of<float>(o.f.shape(), o.f.values<float>());
  Tensor out(DType::f32, o.q->t.shape());
  runKernelOnViews("DequantizeLinear", {&o.q->t.view()}, out.view(), {Isa::Ref}, 1);
  return out;
}

struct QuantInputs {
  Operand q, k, v, y;
  Tensor m{DType::f32, {1}};
};

QuantInputs makeQuantInputs(const Case &c, const QuantMix &mix, uint32_t seed) {
  std::mt19937 rng(seed);
  const int64_t T = c.T, D = c.D;
  QuantInputs in;
  in.q = makeOperand(mix.q, cat(c.batch, {c.S, D}), 0.02f, rng);
  in.k = makeOperand(mix.k, c.keyTransposed ? cat(c.batch, {D, T}) : cat(c.batch, {T, D}), 0.015f, rng);
  in.v = makeOperand(mix.v, cat(c.batch, {T, c.Dv}), 0.01f, rng);
  const Inputs f = makeInputs(c, seed);
  in.m = Tensor::of<float>(c.mask.empty() ? std::vector<int64_t>{1} : c.mask, c.mask.empty() ? std::vector<float>{0.f} : f.m);
  const std::vector<int64_t> out = cat(c.batch, {c.S, c.Dv});
  if (mix.y == DType::f32) in.y.f = Tensor(DType::f32, out);
  else in.y.q = makeOut(mix.y, out, {0.0075f, mix.y == DType::u8 ? 131 : -3});
  return in;
}

TEST(Attention, QuantizedRefIsDequantizeAttentionQuantize) {
  uint32_t seed = 900;
  for (const QuantMix &mix : kMixes)
    for (const Case &c : kCases) {
      QuantInputs in = makeQuantInputs(c, mix, seed += 10);
      const std::vector<int32_t> got = fusedQ(c, in.q, in.k, in.v, in.m, in.y, {Isa::Ref}, 1);
      EXPECT_EQ(fusedQ(c, in.q, in.k, in.v, in.m, in.y, {Isa::Ref}, 3), got) << mix.what << ", " << c.what;
      // The chain the fold replaces: ref DequantizeLinear, the f32 op, ref QuantizeLinear.
      Tensor q = dequantized(in.q), k = dequantized(in.k), v = dequantized(in.v);
      Tensor yf(DType::f32, cat(c.batch, {c.S, c.Dv}));
      AttrList attrs = attention(c);
      std::vector<Tensor *> fin = {&q, &k, &v};
      if (!c.mask.empty()) fin.push_back(&in.m);
      runKernel("ScaledDotProductAttention", fin, {&yf}, attrs);
      std::vector<int32_t> want;
      if (in.y.q) {
        QPtr yq = makeOut(mix.y, yf.shape(), {in.y.q->scale(), in.y.q->zp()});
        runKernelOnViews("QuantizeLinear", {&yf.view()}, yq->t.view(), {Isa::Ref}, 1);
        want = yq->codes();
      } else {
        want.resize(size_t(yf.view().numel()));
        std::memcpy(want.data(), yf.view().data, want.size() * sizeof(float));
      }
      EXPECT_EQ(got, want) << mix.what << ", " << c.what;
    }
}

// x86 against ref: a quantized result's codes at most one apart (the f32 values within the
// bound above, rounded), the f32 result within the bound; the same bits at 1-3 threads.
TEST(Attention, QuantizedX86WithinOneCodeOfRef) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  for (const IsaLevel &level : x86Levels(false)) {
    uint32_t seed = 1700;
    int64_t differing = 0, total = 0;
    for (const QuantMix &mix : kMixes)
      for (const Case &c : kCases) {
        QuantInputs in = makeQuantInputs(c, mix, seed += 10);
        const std::vector<int32_t> want = fusedQ(c, in.q, in.k, in.v, in.m, in.y, {Isa::Ref}, 1);
        Isa isa = Isa::Ref;
        const std::vector<int32_t> got = fusedQ(c, in.q, in.k, in.v, in.m, in.y, level.isas, 1, &isa);
        EXPECT_EQ(isa, level.expect) << mix.what << ", " << c.what;
        for (int threads : {2, 3})
          EXPECT_EQ(fusedQ(c, in.q, in.k, in.v, in.m, in.y, level.isas, threads), got)
              << level.name << " " << mix.what << ", " << c.what << ": " << threads;
        ASSERT_EQ(got.size(), want.size());
        for (size_t i = 0; i < got.size(); ++i) {
          if (in.y.q) {
            EXPECT_LE(std::abs(got[i] - want[i]), 1) << level.name << " " << mix.what << ", " << c.what << " at " << i;
            differing += got[i] != want[i];
            ++total;
            continue;
          }
          float g, w;
          std::memcpy(&g, &got[i], 4);
          std::memcpy(&w, &want[i], 4);
          if (std::isnan(w) || std::isnan(g)) {
            EXPECT_TRUE(std::isnan(w) && std::isnan(g)) << level.name << " " << mix.what << ", " << c.what << " at " << i;
            continue;
          }
          EXPECT_LE(std::fabs(double(g) - w) / (1.0 + std::fabs(w)), 1e-5) << level.name << " " << mix.what << ", " << c.what;
        }
      }
    std::printf("%s quantized attention vs ref: %lld of %lld codes one apart\n", level.name, (long long)differing,
                (long long)total);
  }
}

// The integer path (integer = 1): Q, K and V quantized; the result quantized or f32.
const std::vector<QuantMix> kIntegerMixes = {
    {DType::i8, DType::i8, DType::i8, DType::i8, "all i8"},
    {DType::u8, DType::u8, DType::u8, DType::u8, "all u8"},
    {DType::u8, DType::i8, DType::u8, DType::i8, "Q u8, K i8, V u8, Y i8"},
    {DType::i8, DType::u8, DType::i8, DType::f32, "quantized in, Y f32"},
};

std::vector<int32_t> integerQ(const Case &c, QuantInputs &in, const std::vector<Isa> &isas, int threads,
                              Isa *chosen = nullptr) {
  Case ci = c;
  AttrList attrs = attention(ci);
  attrs.i("integer", 1);
  std::vector<TensorView *> inputs = {&in.q.view(), &in.k.view(), &in.v.view()};
  if (!c.mask.empty()) inputs.push_back(&in.m.view());
  const Isa isa = runKernelOnViews("ScaledDotProductAttention", inputs, in.y.view(), isas, threads, &attrs);
  if (chosen) *chosen = isa;
  if (in.y.q) return in.y.q->codes();
  std::vector<int32_t> bits(size_t(in.y.f.view().numel()));
  std::memcpy(bits.data(), in.y.f.view().data, bits.size() * sizeof(float));
  return bits;
}

// The probability codes against round(255 * 2^t) in double (std::exp2): at most one apart,
// 255 at 0, 0 from -9 down and for NaN, never increasing as t falls.
TEST(Attention, IntegerExpCodesAreRoundedPowersOfTwo) {
  int32_t last = 255;
  int64_t apart = 0;
  for (int i = 0; i <= 200000; ++i) {
    const float t = -10.f * float(i) / 200000.f;
    const int32_t e = ref::sdpaExpCode(t);
    const double want = std::nearbyint(255.0 * std::exp2(double(t)));
    EXPECT_LE(std::fabs(e - want), 1.0) << t;
    apart += e != int32_t(want);
    EXPECT_LE(e, last) << t;
    last = e;
  }
  EXPECT_EQ(ref::sdpaExpCode(0.f), 255);
  EXPECT_EQ(ref::sdpaExpCode(-9.f), 0);
  EXPECT_EQ(ref::sdpaExpCode(-std::numeric_limits<float>::infinity()), 0);
  EXPECT_EQ(ref::sdpaExpCode(std::numeric_limits<float>::quiet_NaN()), 0);
  std::printf("integer attention exp codes: %lld of 200001 one apart from round(255 * 2^t)\n", (long long)apart);
}

// ref's integer path against the attention of the dequantized operands computed in double
// (softmax of the exact scores, P @ V): the error is the probabilities' 8 bits (each e
// within half a code of 255 e^x / e^max) and, for a quantized result, its rounding.
TEST(Attention, IntegerRefNearDoubleAttention) {
  uint32_t seed = 2300;
  double worstF = 0, worstCodes = 0;
  for (const QuantMix &mix : kIntegerMixes)
    for (const Case &c : kCases) {
      QuantInputs in = makeQuantInputs(c, mix, seed += 10);
      const std::vector<int32_t> got = integerQ(c, in, {Isa::Ref}, 1);
      EXPECT_EQ(integerQ(c, in, {Isa::Ref}, 3), got) << mix.what << ", " << c.what;
      Tensor q = dequantized(in.q), k = dequantized(in.k), v = dequantized(in.v);
      const std::vector<float> qv = q.values<float>(), kv = k.values<float>(), vv = v.values<float>();
      const std::vector<float> mv = in.m.values<float>();
      auto factor = [](float x, bool divide) { return divide ? 1.0 / x : double(x); };
      const double cs = factor(c.qScale, c.qDivide) * factor(c.kScale, c.kDivide) * factor(c.scale, c.scaleDivide);
      const int64_t B = numelOf(c.batch), S = c.S, T = c.T, D = c.D, Dv = c.Dv;
      // The mask broadcast to [B, S, T] (numpy rules, trailing dims aligned).
      const std::vector<int64_t> full = cat(c.batch, {S, T});
      std::vector<int64_t> mshape(full.size() - c.mask.size(), 1);
      mshape.insert(mshape.end(), c.mask.begin(), c.mask.end());
      double vmax = 0, caseF = 0, caseCodes = 0;
      for (float x : vv) vmax = std::max(vmax, std::fabs(double(x)));
      for (int64_t b = 0; b < B; ++b)
        for (int64_t i = 0; i < S; ++i) {
          std::vector<double> x(static_cast<size_t>(T));
          double mx = -INFINITY;
          for (int64_t j = 0; j < T; ++j) {
            double sc = 0;
            for (int64_t d = 0; d < D; ++d)
              sc += double(qv[size_t((b * S + i) * D + d)]) *
                    kv[size_t(c.keyTransposed ? (b * D + d) * T + j : (b * T + j) * D + d)];
            sc *= cs;
            if (!c.mask.empty()) {
              const int64_t idx[3] = {b, i, j};
              int64_t flat = 0, rest = b;
              // Index of [b..., i, j] in the mask: batch dims from b (row-major), then i, j.
              std::vector<int64_t> pos(full.size());
              for (int d = int(c.batch.size()) - 1; d >= 0; --d) {
                pos[size_t(d)] = rest % c.batch[size_t(d)];
                rest /= c.batch[size_t(d)];
              }
              pos[full.size() - 2] = idx[1];
              pos[full.size() - 1] = idx[2];
              for (size_t d = 0; d < full.size(); ++d) flat = flat * mshape[d] + (mshape[d] == 1 ? 0 : pos[d]);
              sc += mv[size_t(flat)];
            }
            x[size_t(j)] = sc;
            mx = std::max(mx, sc);
          }
          double sum = 0;
          for (double &e : x) sum += e = std::exp(e - mx);
          for (int64_t col = 0; col < Dv; ++col) {
            double want = 0;
            for (int64_t j = 0; j < T; ++j) want += x[size_t(j)] / sum * vv[size_t((b * T + j) * Dv + col)];
            const size_t at = size_t((b * S + i) * Dv + col);
            if (std::isnan(want) || mx == -INFINITY) {
              if (!in.y.q) {
                float g;
                std::memcpy(&g, &got[at], 4);
                EXPECT_TRUE(std::isnan(g)) << mix.what << ", " << c.what;
              }
              continue;
            }
            if (in.y.q) {
              const double wantCode = std::clamp(want / in.y.q->scale() + in.y.q->zp(), double(qmin(mix.y)),
                                                 double(qmax(mix.y)));
              const double codes = std::fabs(wantCode - got[at]);
              caseCodes = std::max(caseCodes, codes);
            } else {
              float g;
              std::memcpy(&g, &got[at], 4);
              const double err = std::fabs(g - want) / vmax;
              caseF = std::max(caseF, err);
            }
          }
        }
      EXPECT_LE(caseCodes, 3.0) << mix.what << ", " << c.what;
      EXPECT_LE(caseF, 0.03) << mix.what << ", " << c.what;
      worstF = std::max(worstF, caseF);
      worstCodes = std::max(worstCodes, caseCodes);
    }
  std::printf("integer attention vs double: f32 result max |diff| / max|v| %.4f, codes max %.2f apart\n", worstF,
              worstCodes);
}

// x86 (AVX2 and AVX-512 VNNI) against ref: the same bits, at 1-3 threads.
TEST(Attention, IntegerX86IsRefBitForBit) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  for (const IsaLevel &level : x86Levels(true)) {
    uint32_t seed = 3100;
    std::vector<Case> cases = kCases;
    cases.push_back(kSplitCase);
    for (const QuantMix &mix : kIntegerMixes)
      for (const Case &c : cases) {
        QuantInputs in = makeQuantInputs(c, mix, seed += 10);
        const std::vector<int32_t> want = integerQ(c, in, {Isa::Ref}, 1);
        Isa isa = Isa::Ref;
        EXPECT_EQ(integerQ(c, in, level.isas, 1, &isa), want) << level.name << " " << mix.what << ", " << c.what;
        EXPECT_EQ(isa, level.expect) << mix.what << ", " << c.what;
        for (int threads : {2, 3})
          EXPECT_EQ(integerQ(c, in, level.isas, threads), want)
              << level.name << " " << mix.what << ", " << c.what << ": " << threads;
      }
  }
}

TEST(Attention, IntegerRefusesFloatOperands) {
  Case c = kCases[0];
  QuantInputs in = makeQuantInputs(c, kMixes[2], 78);  // K f32
  EXPECT_THROW(integerQ(c, in, {Isa::Ref}, 1), Error);
}

TEST(Attention, RefusesPerAxisAndWideQuantizedOperands) {
  Case c = kCases[0];
  QuantInputs in = makeQuantInputs(c, kMixes[0], 77);
  // A per-axis Q.
  QPtr qa = makeQAxis(DType::i8, in.q.q->t.shape(), in.q.q->codes(), std::vector<float>(16, 0.02f),
                      std::vector<int32_t>(16, 0), 2);
  Operand pa;
  pa.q = std::move(qa);
  EXPECT_THROW(fusedQ(c, pa, in.k, in.v, in.m, in.y, {Isa::Ref}, 1), Error);
  // An i16 result.
  Operand wide;
  wide.q = makeOut(DType::i16, in.y.q->t.shape(), {0.001f, 0});
  EXPECT_THROW(fusedQ(c, in.q, in.k, in.v, in.m, wide, {Isa::Ref}, 1), Error);
}

TEST(Attention, RefusesMismatchedShapes) {
  Tensor q(DType::f32, {2, 4, 8}), k(DType::f32, {2, 5, 7}), v(DType::f32, {2, 5, 3}), y(DType::f32, {2, 4, 3});
  AttrList attrs;
  EXPECT_THROW(runKernel("ScaledDotProductAttention", {&q, &k, &v}, {&y}, attrs), Error);
  Tensor k2(DType::f32, {2, 5, 8}), m(DType::f32, {3, 4, 5});
  AttrList attrs2;
  EXPECT_THROW(runKernel("ScaledDotProductAttention", {&q, &k2, &v, &m}, {&y}, attrs2), Error);
}

}  // namespace
}  // namespace edgec::rt::testing

namespace edgec::rt::testing {
namespace {

// Indicative (run with --gtest_also_run_disabled_tests): the fused x86 kernel (the CPU's
// best level, and AVX2) against the
// unfused x86 Div, MatMul, Add, Softmax, MatMul of the GPT decoder's heads at sequence 128
// (4 heads, D 16, causal mask) and of the transformer's without a mask; one thread,
// median of 201 runs each.
TEST(Attention, DISABLED_Speed) {
  if (!cpuHasAvx2()) GTEST_SKIP() << "no AVX2/FMA";
  const std::vector<Isa> x86 = {Isa::Ref, Isa::X86Avx2, Isa::X86Avx512};
  for (bool masked : {true, false}) {
    const int64_t H = 4, S = 128, D = 16;
    Tensor q = Tensor::of<float>({H, S, D}, randomFloats(H * S * D, 1)), kt = Tensor::of<float>({H, D, S}, randomFloats(H * S * D, 2));
    Tensor v = Tensor::of<float>({H, S, D}, randomFloats(H * S * D, 3));
    std::vector<float> mv(size_t(S * S));
    for (int64_t i = 0; i < S; ++i)
      for (int64_t j = 0; j < S; ++j) mv[size_t(i * S + j)] = j > i ? -std::numeric_limits<float>::infinity() : 0.f;
    Tensor m = Tensor::of<float>({1, S, S}, mv), c = Tensor::of<float>({}, std::vector<float>{4.f});
    Tensor y(DType::f32, {H, S, D}), qs(DType::f32, {H, S, D}), s(DType::f32, {H, S, S}), sm(DType::f32, {H, S, S}),
        p(DType::f32, {H, S, S});
    AttrList fusedAttrs, none, axis;
    fusedAttrs.i("key_transposed", 1).f("q_scale", 4.f).i("q_divide", 1);
    axis.i("axis", 2);
    std::vector<Tensor *> fin = {&q, &kt, &v};
    if (masked) fin.push_back(&m);
    const double fused = medianMicros("ScaledDotProductAttention", fin, y, fusedAttrs, x86, 201);
    const double fused2 = medianMicros("ScaledDotProductAttention", fin, y, fusedAttrs, {Isa::Ref, Isa::X86Avx2}, 201);
    double unfused = medianMicros("Div", {&q, &c}, qs, none, x86, 201) + medianMicros("MatMul", {&qs, &kt}, s, none, x86, 201);
    if (masked) unfused += medianMicros("Add", {&s, &m}, sm, none, x86, 201);
    unfused += medianMicros("Softmax", {masked ? &sm : &s}, p, axis, x86, 201) + medianMicros("MatMul", {&p, &v}, y, none, x86, 201);
    std::printf("attention [4, 128, 16] %s: fused %.1f us (x86-avx2 %.1f us), unfused %.1f us\n",
                masked ? "causal" : "no mask", fused, fused2, unfused);
  }
}

}  // namespace
}  // namespace edgec::rt::testing
