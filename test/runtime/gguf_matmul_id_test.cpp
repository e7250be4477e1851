// GgufMatMulId (gguf_matmul_id.cpp): each (token, slot) row of the result is GgufMatMul of
// its input row and the chosen expert's slab, bit for bit, at every ISA level and thread
// count, whether an expert gets one row (a decode step, run in place) or many (gathered:
// the GEMM path); ids out of range are an error naming the node.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "gguf_matmul_test_util.h"

namespace edgec::rt::testing {
namespace {

// Expert e's [N, K] weight, copied out of the [E, N, K] tensor.
Tensor expertSlab(Tensor &w, int64_t e) {
  const int64_t N = w.shape()[1], K = w.shape()[2];
  Tensor slab(w.view().dtype, {N, K});
  const size_t bytes = slab.view().nbytes();
  std::memcpy(slab.view().data, static_cast<const uint8_t *>(w.view().data) + size_t(e) * bytes, bytes);
  return slab;
}

// The expected result: one ref GgufMatMul call per (token, slot) row.
std::vector<float> expected(Tensor &x, Tensor &w, const std::vector<int32_t> &ids, int64_t T, int64_t S) {
  const int64_t N = w.shape()[1], K = w.shape()[2];
  const bool perSlot = x.shape().size() == 3;
  std::vector<float> out(size_t(T * S * N));
  for (int64_t r = 0; r < T * S; ++r) {
    Tensor slab = expertSlab(w, ids[size_t(r)]);
    Tensor row(DType::f32, {1, K});
    std::memcpy(row.view().data, x.view().as<float>() + (perSlot ? r : r / S) * K, size_t(K) * sizeof(float));
    const std::vector<float> y = runGguf(row, slab, nullptr, {Isa::Ref}, 1);
    std::copy(y.begin(), y.end(), out.begin() + r * N);
  }
  return out;
}

std::vector<float> runMatMulId(Tensor &x, Tensor &w, Tensor &ids, const std::vector<Isa> &isas, int threads,
                               Isa *chosen) {
  Tensor y(DType::f32, {ids.shape()[0], ids.shape()[1], w.shape()[1]});
  AttrList none;
  *chosen = runKernel("GgufMatMulId", {&x, &w, &ids}, {&y}, none, isas, threads);
  return y.values<float>();
}

struct Case {
  int64_t E, N, T, S;
  bool perSlot;
  const char *what;
  bool oneExpert = false;  // every slot chooses expert 1
};

TEST(GgufMatMulId, EveryRowIsItsExpertsGgufMatMulAtEveryIsaAndThreadCount) {
  const Case cases[] = {
      {4, 48, 1, 2, false, "a decode step: one row per expert, in place"},
      {3, 32, 1, 3, true, "a decode step with a row per slot"},
      {4, 40, 21, 2, false, "a prefill chunk: gathered rows, some experts on the GEMM path"},
      {5, 16, 7, 3, true, "rows per slot, an expert chosen twice by one token"},
      {3, 16, 5, 3, false, "one expert in every slot: more rows than tokens, several calls", true},
  };
  std::vector<IsaLevel> levels = x86Levels(/*needVnni=*/true);
  levels.insert(levels.begin(), IsaLevel{{Isa::Ref}, Isa::Ref, "ref"});
  uint32_t seed = 1;
  for (DType t : ggufMatMulTypes())
    for (const Case &c : cases) {
      const int64_t K = dtypeInfo(t).blockSize > 32 ? 512 : 64;
      Tensor w(t, {c.E, c.N, K});
      {  // E random [N, K] weights one after another
        Tensor all = randomGgufWeight(t, c.E * c.N, K, seed++);
        std::memcpy(w.view().data, all.view().data, w.view().nbytes());
      }
      Tensor x = ggufActivations(c.perSlot ? std::vector<int64_t>{c.T, c.S, K} : std::vector<int64_t>{c.T, K}, seed++);
      std::vector<int32_t> idv(size_t(c.T * c.S));
      for (size_t i = 0; i < idv.size(); ++i) idv[i] = int32_t((i * 7 + i / 3) % size_t(c.E));
      if (c.S == 3) idv[4] = idv[3];  // token 1 chooses one expert in two slots
      if (c.oneExpert) std::fill(idv.begin(), idv.end(), 1);
      Tensor ids = Tensor::of<int32_t>({c.T, c.S}, idv);
      const std::vector<float> want = expected(x, w, idv, c.T, c.S);
      for (const IsaLevel &level : levels)
        for (int threads : {1, 2}) {
          Isa chosen = Isa::Ref;
          const std::vector<float> got = runMatMulId(x, w, ids, level.isas, threads, &chosen);
          EXPECT_EQ(chosen, level.expect) << level.name;
          ASSERT_EQ(got.size(), want.size());
          for (size_t i = 0; i < got.size(); ++i)
            ASSERT_EQ(std::memcmp(&got[i], &want[i], sizeof(float)), 0)
                << dtypeName(t) << ", " << c.what << ", " << level.name << ", " << threads << " threads, element " << i
                << ": " << got[i] << " vs " << want[i];
        }
    }
}

// Experts stored as GgufRows16 ([E, N, K], N whole groups): the AVX-512 kernel reads each
// slab in place (takesLayout) with the bits of the GGUF rows; ref and AVX2 do not take it
// (the session gives them the GGUF rows back); experts whose N is not whole groups are
// not a layout.
TEST(GgufMatMulId, ExpertsInTheRows16LayoutReadInPlace) {
  const int64_t E = 3, N = 32, T = 6, S = 2;
  uint32_t seed = 40;
  for (DType t : {DType::q4_0, DType::q8_0, DType::q4_k, DType::q6_k, DType::iq4_xs}) {
    const int64_t K = dtypeInfo(t).blockSize > 32 ? 512 : 128;
    Tensor w(t, {E, N, K});
    {
      Tensor all = randomGgufWeight(t, E * N, K, seed++);
      std::memcpy(w.view().data, all.view().data, w.view().nbytes());
    }
    for (const std::vector<int64_t> &xShape : {std::vector<int64_t>{1, K}, std::vector<int64_t>{T, K}}) {
      const int64_t tokens = xShape[0];
      Tensor x = ggufActivations(xShape, seed++);
      std::vector<int32_t> idv(size_t(tokens * S));
      for (size_t i = 0; i < idv.size(); ++i) idv[i] = int32_t((i * 5 + 1) % size_t(E));
      Tensor ids = Tensor::of<int32_t>({tokens, S}, idv);
      const std::vector<float> want = expected(x, w, idv, tokens, S);
      layouts::Desc d;
      std::string why;
      ASSERT_TRUE(layouts::describe(layouts::Kind::GgufRows16, unsigned(t), {E, N, K}, -1, -1, 0, 0, d, why)) << why;
      std::vector<uint8_t> packed(size_t(layouts::packedBytes(d)));
      layouts::pack(d, w.view().data, packed.data(), nullptr);
      TensorView stored = w.view();
      stored.data = packed.data();
      stored.layout = d;
      Tensor y(DType::f32, {tokens, S, N});
      std::vector<TensorView *> inputs = {&x.view(), &stored, &ids.view()};
      const KernelSignature sig = viewSignature("GgufMatMulId", inputs, y.view(), nullptr, true);
      std::vector<IsaLevel> levels = x86Levels(/*needVnni=*/true);
      levels.insert(levels.begin(), IsaLevel{{Isa::Ref}, Isa::Ref, "ref"});
      for (const IsaLevel &level : levels) {
        std::unique_ptr<Kernel> k = KernelRegistry::instance().create(sig, level.isas, nullptr);
        if (level.expect != Isa::X86Avx512) {
          EXPECT_FALSE(k->takesLayout(sig, 1)) << level.name;
          continue;
        }
        ASSERT_TRUE(k->takesLayout(sig, 1)) << dtypeName(t);
        k->prepare(sig);
        for (int threads : {1, 2}) {
          std::memset(y.view().data, 0x5A, y.view().nbytes());
          runPrepared(*k, std::vector<const TensorView *>(sig.inputs.begin(), sig.inputs.end()), {&y.view()}, threads);
          const std::vector<float> got = y.values<float>();
          for (size_t i = 0; i < got.size(); ++i)
            ASSERT_EQ(std::memcmp(&got[i], &want[i], sizeof(float)), 0)
                << dtypeName(t) << ", " << tokens << " tokens, " << threads << " threads, element " << i;
        }
      }
    }
  }
  layouts::Desc d;
  std::string why;
  EXPECT_FALSE(layouts::describe(layouts::Kind::GgufRows16, unsigned(DType::q8_0), {4, 24, 64}, -1, -1, 0, 0, d, why));
  EXPECT_EQ(why, "layout gguf-rows16 needs experts [E, N, K] with N a multiple of 16");
}

TEST(GgufMatMulId, Int64IdsAndAnExpertOutOfRange) {
  Tensor w = randomGgufWeight(DType::q8_0, 2 * 16, 64, 3);
  Tensor w3(DType::q8_0, {2, 16, 64});
  std::memcpy(w3.view().data, w.view().data, w3.view().nbytes());
  Tensor x = ggufActivations({2, 64}, 4);
  Tensor ids64 = Tensor::of<int64_t>({2, 2}, {1, 0, 0, 1});
  Isa chosen;
  const std::vector<float> got = runMatMulId(x, w3, ids64, {Isa::Ref}, 1, &chosen);
  EXPECT_EQ(got, expected(x, w3, {1, 0, 0, 1}, 2, 2));
  Tensor bad = Tensor::of<int64_t>({2, 2}, {1, 0, 2, 1});
  try {
    runMatMulId(x, w3, bad, {Isa::Ref}, 1, &chosen);
    FAIL() << "expected an error";
  } catch (const Error &e) {
    EXPECT_NE(std::string(e.what()).find("ids[1, 0] = 2 is not an expert (the weight has 2)"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace edgec::rt::testing
