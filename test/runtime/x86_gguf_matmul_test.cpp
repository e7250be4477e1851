// GgufMatMul on x86 (x86/gguf_matmul_driver.inc: AVX2, and AVX-512 VNNI where the CPU
// has it) bit-identical with ref for every weight type, at 1, 2 and 3 threads, on GEMV
// (one row) and GEMM shapes, N not a multiple of the 8-row group, K not a multiple of the
// float kernels' 32 lanes, with and without bias, and activations with outliers, exact
// ties and all-zero blocks. From 4 activation rows AVX-512 runs the panel GEMM (panels of
// 32 columns in two vectors of 16, 6 or 4 rows a pass): its cases have N below 16, between
// 16 and 32 and beyond a panel, and row counts that leave every row tail. Every GGUF
// block type in the GgufRows16 layout: the same bits on every path.
#include <gtest/gtest.h>

#include <cstdlib>
#include <utility>

#include "gguf_matmul_test_util.h"
#include "edgec/weight_layouts.h"
#include "ref/gguf_matmul.h"

namespace edgec::rt::testing {
namespace {

// The x86 kernel runs a GEMV call that reads under 256 KiB of weight on one thread
// (kSoloBytes in x86/gguf_matmul_driver.inc), and nearly every weight here is smaller: so
// that the thread counts below still split the groups into chunks, the kernels these tests
// prepare split every call (Rows16StreamShares also runs one solo at 2 threads).
const bool kSplitAll = [] { return setenv("EDGEC_X86_GEMV_SPLIT_ALL", "1", 1) == 0; }();

// The GGUF block types the GgufRows16 layout holds.
const DType kRows16Types[] = {DType::q4_0, DType::q4_1, DType::q5_0, DType::q5_1, DType::q8_0, DType::q2_k,
                              DType::q3_k, DType::q4_k, DType::q5_k, DType::q6_k, DType::iq4_nl, DType::iq4_xs};

// A block's bytes of codes and integer scales, [first, end): the f16 fields (d, m or dmin)
// lie outside, first for q4_0/q5_0/q8_0 (2 bytes) and q4_1/q5_1/q4_k/q5_k (4), last for
// q2_k (80 on), q3_k (108 on) and q6_k (208 on).
std::pair<size_t, size_t> codeBytes(DType t) {
  const size_t bytes = dtypeInfo(t).blockBytes;
  switch (t) {
    case DType::q2_k: return {0, 80};
    case DType::q3_k: return {0, 108};
    case DType::q6_k: return {0, 208};
    case DType::q4_0: case DType::q5_0: case DType::q8_0: case DType::iq4_nl: case DType::iq4_xs: return {2, bytes};
    default: return {4, bytes};
  }
}

bool cpuHasF16c() {
  return __builtin_cpu_supports("f16c");
}

struct Case {
  std::vector<int64_t> x;  // [..., K]; K is a multiple of 256 for the K formats
  int64_t N;
  bool bias;
};

std::string name(DType t, const Case &c) {
  std::string s = std::string(dtypeName(t)) + " x";
  for (int64_t d : c.x) s += " " + std::to_string(d);
  return s + " N " + std::to_string(c.N) + (c.bias ? " bias" : "");
}

const Case kCases[] = {
    {{1, 512}, 19, true},     // GEMV, a partial group
    {{1, 256}, 8, false},     // GEMV, one group
    {{5, 768}, 13, true},     // GEMM, a partial row chunk
    {{2, 4, 256}, 24, false}, // GEMM, batch dims
    {{1, 1024}, 41, false},   // GEMV, outliers in most blocks
    {{6, 256}, 9, false},     // GEMM, row chunks of 4 and 2
    {{7, 4608}, 17, true},    // GEMM, chunks of 4 and 3; rows over 4 KB for q8_0/q5_k/q6_k (L2 prefetch)
    {{13, 512}, 50, true},    // panel GEMM: passes of 6 + 6 + 1 (4 x 3 + 1), a second panel of 18 columns
    {{4, 1024}, 16, false},   // panel GEMM: one vector of 16 columns, the second empty
    {{2, 5, 256}, 37, true},  // panel GEMM: 10 rows (6 + 4, 4 + 4 + 2), 5 columns in the second panel
    {{9, 768}, 70, false},    // panel GEMM: 3 panels, the last of 6 columns; rows 6 + 3, 4 + 4 + 1
};

// f32/f16/bf16 only: K not a multiple of 32 (a tail through zero padding), or below it.
const Case kFloatCases[] = {{{1, 45}, 9, true}, {{3, 7}, 5, false}, {{2, 100}, 17, true}};

// Runs a prepared GgufMatMul at each thread count over a poisoned output and requires
// `want`'s bits element by element; `what` names the case in the failure message.
void expectPreparedBits(Kernel &k, const KernelSignature &sig, Tensor &y, const std::vector<float> &want,
                        std::initializer_list<int> threadCounts, const std::string &what) {
  for (int threads : threadCounts) {
    std::memset(y.view().data, 0x5A, y.view().nbytes());
    runPrepared(k, std::vector<const TensorView *>(sig.inputs.begin(), sig.inputs.end()), {&y.view()}, threads);
    const std::vector<float> got = y.values<float>();
    for (size_t i = 0; i < got.size(); ++i)
      ASSERT_EQ(std::memcmp(&got[i], &want[i], sizeof(float)), 0)
          << what << ", " << threads << " threads, element " << i << ": " << got[i] << " vs ref " << want[i];
  }
}

void expectBitExact(DType t, const Case &c, uint32_t seed) {
  const int64_t K = c.x.back();
  Tensor w = randomGgufWeight(t, c.N, K, seed);
  Tensor x = ggufActivations(c.x, seed + 1);
  Tensor bias = Tensor::of<float>({c.N}, randomFloats(c.N, seed + 2));
  Tensor *b = c.bias ? &bias : nullptr;
  const std::vector<float> want = runGguf(x, w, b, {Isa::Ref}, 1);
  for (const IsaLevel &level : x86Levels(/*needVnni=*/true))
    for (int threads : {1, 2, 3}) {
      Isa chosen = Isa::Ref;
      const std::vector<float> got = runGguf(x, w, b, level.isas, threads, &chosen);
      EXPECT_EQ(chosen, level.expect) << level.name << " " << name(t, c);
      ASSERT_EQ(got.size(), want.size());
      for (size_t i = 0; i < got.size(); ++i)
        ASSERT_EQ(std::memcmp(&got[i], &want[i], sizeof(float)), 0)
            << level.name << " " << name(t, c) << ", " << threads << " threads, element " << i << ": " << got[i]
            << " vs ref " << want[i];
    }
}

TEST(GgufMatMulX86, BitExactWithRefAtAnyThreadCount) {
  if (!cpuHasAvx2() || !cpuHasF16c()) GTEST_SKIP() << "no AVX2 with F16C";
  uint32_t seed = 100;
  for (DType t : ggufMatMulTypes())
    for (const Case &c : kCases) expectBitExact(t, c, seed += 3);
  for (DType t : {DType::f32, DType::f16, DType::bf16})
    for (const Case &c : kFloatCases) expectBitExact(t, c, seed += 3);
}

TEST(GgufMatMulX86, GemvOddBlocksAndGroupTails) {
  if (!cpuHasAvx2() || !cpuHasF16c()) GTEST_SKIP() << "no AVX2 with F16C";
  // One activation row with the 32-element formats: block counts odd and even (AVX-512's
  // q4_0 GEMV takes two blocks a step, an odd last one alone) and N below, at and
  // between its 16-row groups; rows over 4 KB (K 8992: the L2 prefetch).
  const Case cases[] = {
      {{1, 32}, 5, true},     // one block, a partial group
      {{1, 96}, 16, false},   // three blocks, one whole group
      {{1, 160}, 33, true},   // five blocks, two groups and a row
      {{1, 2272}, 47, false}, // 71 blocks, the last group of 15
      {{1, 8992}, 17, true},  // 281 blocks, rows of 5058 bytes for q4_0
  };
  uint32_t seed = 900;
  for (DType t : {DType::q4_0, DType::q4_1, DType::q5_0, DType::q5_1, DType::q8_0, DType::iq4_nl})
    for (const Case &c : cases) expectBitExact(t, c, seed += 3);
}

TEST(GgufMatMulX86, GemvQ4KGroupsAndBlocks) {
  if (!cpuHasAvx2() || !cpuHasF16c()) GTEST_SKIP() << "no AVX2 with F16C";
  // One activation row with q4_k (AVX-512: FmtQ4KZ, 8 rows a step, two rows' heads a
  // 128-bit lane each): N at, below and between the 8-row groups, one to 35 blocks (rows
  // of 5040 bytes: the L2 prefetch), at 1-3 threads (expectBitExact).
  const Case cases[] = {
      {{1, 256}, 1, true},    // one row: every other lane repeats it
      {{1, 256}, 7, false},   // a partial group
      {{1, 2304}, 9, true},   // nine blocks, a group and a row
      {{1, 768}, 64, false},  // eight whole groups
      {{1, 8960}, 20, true},  // 35 blocks (ffn_down's K), the last group of 4
  };
  uint32_t seed = 1300;
  for (const Case &c : cases) expectBitExact(DType::q4_k, c, seed += 3);
}

// Where the CPU has GFNI the q4_0 and q4_k GEMVs take their nibbles by vgf2p8affineqb (and
// the GgufRows16 q5_k and q6_k GEMVs their high bits: Rows16LayoutReadInPlace);
// EDGEC_X86_NO_GFNI (read at prepare) gives the shift-and-mask forms, also bit-exact.
TEST(GgufMatMulX86, GemvWithoutGfni) {
  if (!cpuHasAvx2() || !cpuHasF16c()) GTEST_SKIP() << "no AVX2 with F16C";
  struct NoGfni {  // unset again however the test ends
    NoGfni() { setenv("EDGEC_X86_NO_GFNI", "1", 1); }
    ~NoGfni() { unsetenv("EDGEC_X86_NO_GFNI"); }
  } noGfni;
  const Case cases[] = {{{1, 512}, 19, true}, {{1, 2304}, 33, false}, {{1, 8960}, 17, true}};
  uint32_t seed = 1400;
  for (DType t : {DType::q4_0, DType::q4_k})
    for (const Case &c : cases) expectBitExact(t, c, seed += 3);
}

// The GgufRows16 layout (edgec/weight_layouts.h) of a GGUF block weight [N, K]: every
// full group of 16 rows keeps its GGUF bytes, 16 blocks' bytes a block, the last N % 16
// rows as in GGUF. Within a group's block, row r's fields: q4_0 (288 bytes) d at 2 r, its
// 16 qs in slot s with 4 (s % 4) + s / 4 = r at 32 + 16 s; q4_1 (320) d at 2 r, m at 32
// + 2 r, qs at 64 + 16 s; q5_0 (352) d at 2 r, qh bytes 0-1 at 32 + 2 s and 2-3 at 64 +
// 2 s, qs at 96 + 16 s; q5_1 (384) d, m, then qh as q5_0's from 64, qs at 128 + 16 s;
// q8_0 (544) d at 2 r,
// qs bytes 4t..4t+3 at 32 + 64 t + 4 r; q4_k (2304) d at 2 r, dmin at 32 + 2 r, scale
// byte i at 64 + 16 i + r, qs bytes 4t..4t+3 at 256 + 64 t + 4 r; q5_k (2816) q4_k's d,
// dmin and scales, then from 256 vectors of 64 bytes: qh vector k (bytes 4k..4k+3 at 4 r)
// at 2k, qs vector k at 2k + 1 (k < 8), qs vectors 8.. at 16..; q6_k
// (3360) scale byte i at 16 i + r, then from 256 per half h of 24 vectors of 64 bytes:
// qh vector 8h + k (bytes 4u..4u+3 at 4 r) at 2k, ql vector 16h + k at 2k + 1 (k < 8),
// ql vectors 16h + 8.. at 16..; d at 3328 + 2 r; q2_k (1344) scale byte i at 16 i + r, qs
// bytes 4t..4t+3 at 256 + 64 t + 4 r, d at 1280 + 2 r, dmin at 1312 + 2 r; q3_k (1760)
// scale byte i at 16 i + r, then from 192 vectors of 64 bytes: hmask vector k at 2k, qs
// vector k at 2k + 1 (k < 8), qs vectors 8.. at 16..; d at 1728 + 2 r; iq4_nl (288) d at
// 2 r, qs bytes 4t..4t+3 at 32 + 64 t + 4 r; iq4_xs (2176) d at 2 r, scales_h at 32 + 2 r,
// scales_l byte i at 64 + 16 i + r, qs bytes 4t..4t+3 at 128 + 64 t + 4 r. Checked byte by
// byte against that description (not the layout's own code), and unpack inverts it.
TEST(GgufMatMulX86, Rows16LayoutPlacesEveryByteAndRoundTrips) {
  uint32_t seed = 2000;
  for (DType t : kRows16Types) {
    const int64_t QK = dtypeInfo(t).blockSize, BB = int64_t(dtypeInfo(t).blockBytes);
    for (int64_t N : {1, 15, 16, 17, 37, 48})
      for (int64_t K : {QK, 3 * QK, int64_t(1536)}) {
        Tensor w = randomGgufWeight(t, N, K, seed++);
        const int64_t R = K / QK * BB, bytes = N * R;
        layouts::Desc d;
        std::string why;
        ASSERT_TRUE(layouts::describe(layouts::Kind::GgufRows16, unsigned(t), {N, K}, -1, -1, 0, 0, d, why)) << why;
        ASSERT_EQ(layouts::packedBytes(d), uint64_t(bytes));
        ASSERT_EQ(layouts::logicalBytes(d), uint64_t(bytes));
        const auto *src = static_cast<const uint8_t *>(w.view().data);
        std::vector<uint8_t> packed(size_t(bytes), 0xEE), back(size_t(bytes), 0xEE), expect(size_t(bytes), 0);
        layouts::pack(d, src, packed.data(), nullptr);
        for (int64_t n = 0; n < N; ++n)
          for (int64_t b = 0; b < K / QK; ++b) {
            const uint8_t *blk = src + n * R + b * BB;
            const int64_t g = n / 16, r = n % 16;
            if (16 * (g + 1) > N) {
              std::memcpy(&expect[size_t(n * R + b * BB)], blk, size_t(BB));
              continue;
            }
            uint8_t *at = &expect[size_t(16 * g * R + 16 * BB * b)];
            if (t == DType::q6_k) {
              for (int64_t i = 0; i < 16; ++i) at[16 * i + r] = blk[192 + i];
              for (int64_t q = 0; q < 64; ++q) {  // qh vector u = q / 4: half u / 8, k = u % 8
                const int64_t u = q / 4, vec = 24 * (u / 8) + 2 * (u % 8);
                at[256 + 64 * vec + 4 * r + q % 4] = blk[128 + q];
              }
              for (int64_t q = 0; q < 128; ++q) {  // ql vector u = q / 4: half u / 16, k = u % 16
                const int64_t u = q / 4, k = u % 16, vec = 24 * (u / 16) + (k < 8 ? 2 * k + 1 : 16 + (k - 8));
                at[256 + 64 * vec + 4 * r + q % 4] = blk[q];
              }
              std::memcpy(at + 3328 + 2 * r, blk + 208, 2);
              continue;
            }
            if (t == DType::q2_k) {  // [scales[16], qs[64], d, dmin]
              for (int64_t i = 0; i < 16; ++i) at[16 * i + r] = blk[i];
              for (int64_t q = 0; q < 64; ++q) at[256 + 64 * (q / 4) + 4 * r + q % 4] = blk[16 + q];
              std::memcpy(at + 1280 + 2 * r, blk + 80, 2);
              std::memcpy(at + 1312 + 2 * r, blk + 82, 2);
              continue;
            }
            if (t == DType::q3_k) {  // [hmask[32], qs[64], scales[12], d]
              for (int64_t i = 0; i < 12; ++i) at[16 * i + r] = blk[96 + i];
              for (int64_t q = 0; q < 32; ++q) at[192 + 64 * 2 * (q / 4) + 4 * r + q % 4] = blk[q];
              for (int64_t q = 0; q < 64; ++q) {
                const int64_t u = q / 4, vec = u < 8 ? 2 * u + 1 : u + 8;
                at[192 + 64 * vec + 4 * r + q % 4] = blk[32 + q];
              }
              std::memcpy(at + 1728 + 2 * r, blk + 108, 2);
              continue;
            }
            if (t == DType::iq4_xs) {  // [d, scales_h, scales_l[4], qs[128]]
              std::memcpy(at + 2 * r, blk, 2);
              std::memcpy(at + 32 + 2 * r, blk + 2, 2);
              for (int64_t i = 0; i < 4; ++i) at[64 + 16 * i + r] = blk[4 + i];
              for (int64_t q = 0; q < 128; ++q) at[128 + 64 * (q / 4) + 4 * r + q % 4] = blk[8 + q];
              continue;
            }
            std::memcpy(at + 2 * r, blk, 2);
            if (t == DType::iq4_nl) {  // [d, qs[16]]
              for (int64_t q = 0; q < 16; ++q) at[32 + 64 * (q / 4) + 4 * r + q % 4] = blk[2 + q];
              continue;
            }
            if (t == DType::q4_0 || t == DType::q4_1 || t == DType::q5_0 || t == DType::q5_1) {
              int64_t slot = 0;
              while (4 * (slot % 4) + slot / 4 != r) ++slot;
              const bool min = t == DType::q4_1 || t == DType::q5_1, fifth = t == DType::q5_0 || t == DType::q5_1;
              const int64_t qh = min ? 64 : 32, qs = 32 + (min ? 32 : 0) + (fifth ? 64 : 0);
              if (min) std::memcpy(at + 32 + 2 * r, blk + 2, 2);
              if (fifth) {
                std::memcpy(at + qh + 2 * slot, blk + (min ? 4 : 2), 2);
                std::memcpy(at + qh + 32 + 2 * slot, blk + (min ? 6 : 4), 2);
              }
              std::memcpy(at + qs + 16 * slot, blk + BB - 16, 16);
            } else if (t == DType::q8_0) {
              for (int64_t q = 0; q < 32; ++q) at[32 + 64 * (q / 4) + 4 * r + q % 4] = blk[2 + q];
            } else {
              const bool q5 = t == DType::q5_k;
              std::memcpy(at + 32 + 2 * r, blk + 2, 2);
              for (int64_t i = 0; i < 12; ++i) at[64 + 16 * i + r] = blk[4 + i];
              for (int64_t q = 0; q < 32 && q5; ++q) at[256 + 64 * 2 * (q / 4) + 4 * r + q % 4] = blk[16 + q];
              for (int64_t q = 0; q < 128; ++q) {  // q5_k's qs vector u = q / 4 after qh vector u (u < 8)
                const int64_t u = q / 4, vec = !q5 ? u : u < 8 ? 2 * u + 1 : u + 8;
                at[256 + 64 * vec + 4 * r + q % 4] = blk[(q5 ? 48 : 16) + q];
              }
            }
          }
        ASSERT_EQ(packed, expect) << dtypeName(t) << " N " << N << " K " << K;
        layouts::unpack(d, packed.data(), back.data());
        ASSERT_EQ(std::memcmp(back.data(), src, size_t(bytes)), 0) << dtypeName(t) << " N " << N << " K " << K;
        // One row's block put back together, as the GEMM's panels read it.
        for (int64_t n = 0; n < N; n += 7) {
          std::vector<uint8_t> one(static_cast<size_t>(BB), 0);
          const int64_t b = (n / 7) % (K / QK);
          layouts::ggufRows16Block(d, packed.data(), n, b, one.data());
          ASSERT_EQ(std::memcmp(one.data(), src + n * R + b * BB, size_t(BB)), 0) << dtypeName(t) << " row " << n;
        }
      }
  }
  layouts::Desc d;
  std::string why;
  EXPECT_FALSE(layouts::describe(layouts::Kind::GgufRows16, unsigned(DType::f16), {16, 256}, -1, -1, 0, 0, d, why));
  EXPECT_EQ(why, "layout gguf-rows16 holds q4_0, q4_1, q5_0, q5_1, q8_0, q2_k, q3_k, q4_k, q5_k, q6_k, iq4_nl or iq4_xs "
                 "weights");
  EXPECT_FALSE(layouts::describe(layouts::Kind::GgufRows16, unsigned(DType::q4_0), {2, 2, 16, 32}, -1, -1, 0, 0, d, why));
  EXPECT_EQ(why, "layout gguf-rows16 needs a weight [N, K] with K a multiple of 32");
  EXPECT_FALSE(layouts::describe(layouts::Kind::GgufRows16, unsigned(DType::q4_k), {16, 32}, -1, -1, 0, 0, d, why));
  EXPECT_EQ(why, "layout gguf-rows16 needs a weight [N, K] with K a multiple of 256");
  EXPECT_FALSE(layouts::describe(layouts::Kind::GgufRows16, unsigned(DType::q6_k), {16, 128}, -1, -1, 0, 0, d, why));
  EXPECT_EQ(why, "layout gguf-rows16 needs a weight [N, K] with K a multiple of 256");
}

// The AVX-512 kernel reads every GGUF block weight stored as GgufRows16 in place on
// every path (the 16-row GEMV, 2-3 rows through it, the panel GEMM from 4 rows) with
// ref's bits on the GGUF weight, at 1-3 threads, with and without GFNI; N with and without
// a last partial group (kept as GGUF rows), one to 281 blocks (rows over 4 KB: the L2
// prefetch; several GEMM chunks; q4_0 and q8_0 rows over 4 KB, whose 37 full groups leave
// one past the lockstep's three streams for the 4-stream GEMV; 599 rows: several panels
// a thread). The AVX2 kernel does not take the layout (the session gives it the GGUF
// rows), nor does ref.
struct Rows16Case {
  int64_t rows, K, N;
  bool bias;
};

// A `t` weight of the case's shape packed as GgufRows16: every AVX-512 level's kernel
// (with and without GFNI, with each of the lockstep's prefetches) at each thread count
// gives ref's bits.
void expectRows16Bits(DType t, const Rows16Case &c, uint32_t &seed, std::initializer_list<int> threadCounts) {
  Tensor w = randomGgufWeight(t, c.N, c.K, seed++);
  Tensor x = ggufActivations({c.rows, c.K}, seed++);
  Tensor bias = Tensor::of<float>({c.N}, randomFloats(c.N, seed++));
  Tensor y(DType::f32, {c.rows, c.N});
  std::vector<TensorView *> inputs = {&x.view(), &w.view()};
  if (c.bias) inputs.push_back(&bias.view());
  const std::string what = std::string(dtypeName(t)) + " rows " + std::to_string(c.rows) + " K " +
                           std::to_string(c.K) + " N " + std::to_string(c.N);
  ASSERT_EQ(runKernelOnViews("GgufMatMul", inputs, y.view(), {Isa::Ref}, 1, nullptr, true), Isa::Ref);
  const std::vector<float> want = y.values<float>();
  layouts::Desc d;
  std::string why;
  ASSERT_TRUE(layouts::describe(layouts::Kind::GgufRows16, unsigned(t), {c.N, c.K}, -1, -1, 0, 0, d, why));
  std::vector<uint8_t> packed(size_t(layouts::packedBytes(d)));
  layouts::pack(d, w.view().data, packed.data(), nullptr);
  TensorView stored = w.view();
  stored.data = packed.data();
  stored.layout = d;
  inputs[1] = &stored;
  const KernelSignature refSig = viewSignature("GgufMatMul", inputs, y.view(), nullptr, true);
  EXPECT_FALSE(KernelRegistry::instance().create(refSig, {Isa::Ref}, nullptr)->takesLayout(refSig, 1));
  for (const IsaLevel &level : x86Levels(/*needVnni=*/true)) {
    const KernelSignature sig = viewSignature("GgufMatMul", inputs, y.view(), nullptr, true);
    Isa chosen = Isa::Ref;
    std::unique_ptr<Kernel> probe = KernelRegistry::instance().create(sig, level.isas, &chosen);
    ASSERT_EQ(chosen, level.expect);
    if (level.expect != Isa::X86Avx512) {
      EXPECT_FALSE(probe->takesLayout(sig, 1)) << level.name;
      continue;
    }
    ASSERT_TRUE(probe->takesLayout(sig, 1)) << what;
    // With GFNI (where the CPU has it) and without; then with each of the lockstep's
    // software prefetches and so with 3 and 4 streams (the CPU picks one by default:
    // rows16Prefetch).
    const struct {
      const char *env, *value, *name;
    } variants[] = {{nullptr, nullptr, ""},
                    {"EDGEC_X86_NO_GFNI", "1", " without GFNI"},
                    {"EDGEC_X86_ROWS16_PREFETCH", "l1", " prefetching into L1"},
                    {"EDGEC_X86_ROWS16_PREFETCH", "l2", " prefetching into L2"},
                    {"EDGEC_X86_ROWS16_PREFETCH", "none", " without the prefetch"},
                    {"EDGEC_X86_NO_AMX", "1", " without AMX"}};
    for (const auto &v : variants) {
      if (v.env) setenv(v.env, v.value, 1);
      std::unique_ptr<Kernel> k = KernelRegistry::instance().create(sig, level.isas, &chosen);
      k->prepare(sig);
      if (v.env) unsetenv(v.env);
      ASSERT_NO_FATAL_FAILURE(expectPreparedBits(*k, sig, y, want, threadCounts, what + v.name));
    }
  }
}

TEST(GgufMatMulX86, Rows16LayoutReadInPlace) {
  if (!cpuHasAvx2() || !cpuHasF16c()) GTEST_SKIP() << "no AVX2 with F16C";
  const std::vector<Rows16Case> cases32 = {
      {1, 32, 16, true},    {1, 96, 37, false},  {1, 1536, 48, true}, {1, 8992, 33, false}, {2, 256, 35, true},
      {3, 512, 16, false},  {4, 8992, 40, true}, {5, 768, 50, false}, {13, 512, 70, true},  {6, 160, 17, false},
      {1, 8992, 599, true}, {3, 8992, 150, false},
      // 16 rows and more, N whole groups: q4_0 and q8_0 take the AMX tile GEMM where the
      // CPU has AMX (tiles of 16 rows, the last one partial; chunks of 64 blocks); the
      // other types the panel GEMM.
      {16, 512, 48, true},  {19, 8992, 32, false}, {37, 2080, 64, true}, {64, 96, 16, false},
      {18, 512, 160, true},  // 10 groups: items of 8 groups and 2 at one thread
  };
  const std::vector<Rows16Case> cases256 = {
      {1, 256, 16, true},   {1, 768, 37, false}, {1, 1536, 48, true}, {1, 8960, 33, false}, {2, 256, 35, true},
      {3, 512, 16, false},  {4, 8960, 40, true}, {5, 768, 50, false}, {13, 512, 70, true},  {6, 256, 17, false},
      {1, 8960, 599, true}, {3, 8960, 150, false},
      // 16 rows and more, N whole groups: q4_k takes the AMX tile GEMM where the CPU has
      // AMX (chunks of 8 blocks).
      {16, 512, 48, true},  {19, 8960, 32, false}, {37, 2304, 64, true}, {18, 512, 160, true},
  };
  uint32_t seed = 2100;
  for (DType t : kRows16Types)
    for (const Rows16Case &c : dtypeInfo(t).blockSize == 32 ? cases32 : cases256)
      ASSERT_NO_FATAL_FAILURE(expectRows16Bits(t, c, seed, {1, 2, 3}));
}

// The GgufRows16 GEMVs read 3 groups at once in lockstep (stream s: the s-th third of the
// whole groups, an item one group of each, the threads taking items as they run; q4_k
// since the thirteenth session, q4_0 and q8_0 since the fourteenth, the other types since
// the thirty-fourth), the last
// (groups % 3) one at a time: every group count from 1 to 14, with and without the last
// N % 16 rows, at 1-4 threads (every share and remainder), each output against ref's
// bits. A stream given another's groups, or a group left out or taken twice, fails here
// (the output is poisoned before each run).
TEST(GgufMatMulX86, Rows16StreamShares) {
  if (!cpuHasAvx2() || !cpuHasF16c()) GTEST_SKIP() << "no AVX2 with F16C";
  uint32_t seed = 2600;
  for (DType t : kRows16Types) {
    for (int64_t groups = 1; groups <= 14; ++groups)
      for (int64_t tail : {0, 7})
        ASSERT_NO_FATAL_FAILURE(expectRows16Bits(t, {1, 512, 16 * groups + tail, groups % 2 == 0}, seed, {1, 2, 3, 4}));
    // A chunk the size of a decode step's (several groups a stream), rows 1 and 2; rows of
    // K 8960 (over 4 KB: q4_0 and q8_0's remaining groups take rows16Groups<4, Pf::None>,
    // q4_k's Pf::InStep).
    ASSERT_NO_FATAL_FAILURE(expectRows16Bits(t, {1, 1536, 16 * 40 + 3, true}, seed, {1, 2, 3}));
    ASSERT_NO_FATAL_FAILURE(expectRows16Bits(t, {2, 768, 16 * 23, false}, seed, {1, 2}));
    ASSERT_NO_FATAL_FAILURE(expectRows16Bits(t, {1, 8960, 16 * 8 + 5, true}, seed, {1, 2, 3}));
  }
  // Without EDGEC_X86_GEMV_SPLIT_ALL: a small weight on one thread of two (the same bits).
  ASSERT_TRUE(kSplitAll);
  unsetenv("EDGEC_X86_GEMV_SPLIT_ALL");
  expectRows16Bits(DType::q4_k, {1, 512, 16 * 14 + 7, true}, seed, {2});
  setenv("EDGEC_X86_GEMV_SPLIT_ALL", "1", 1);
}

TEST(GgufMatMulX86, ExtremeCodesAndScales) {
  if (!cpuHasAvx2() || !cpuHasF16c()) GTEST_SKIP() << "no AVX2 with F16C";
  // Every code byte 0xFF or 0x80 (q8_0's -128 and -1, the largest q4/q5/q6 codes, q6_k's
  // scale -128 and -1, q2_k's codes 3 with scale and min 15, q3_k's codes 3 with scale 31,
  // iq4's codes 15 (113) with iq4_xs's scale 31), or 0x00 (q3_k's codes -4 with scale -32,
  // iq4's codes 0 (-127) with iq4_xs's scale -32) against activations of +-127 codes: the
  // int16 steps must not saturate and the offsets must come out exact.
  for (DType t : ggufMatMulTypes()) {
    if (t == DType::f32 || t == DType::f16 || t == DType::bf16) continue;
    for (uint8_t fill : {uint8_t(0xFF), uint8_t(0x80), uint8_t(0x00)}) {
      Tensor w = randomGgufWeight(t, 9, 512, 7);
      const DTypeInfo &info = dtypeInfo(t);
      auto *p = static_cast<uint8_t *>(w.view().data);
      for (size_t b = 0; b < w.view().nbytes() / info.blockBytes; ++b) {
        uint8_t *blk = p + b * info.blockBytes;
        // Keep the f16 fields, saturate the rest.
        const auto [skip, end] = codeBytes(t);
        std::memset(blk + skip, fill, end - skip);
      }
      for (int64_t rows : {1, 2, 7}) {  // GEMV, the group path and the panel GEMM
      Tensor x(DType::f32, {rows, 512});
      for (int64_t i = 0; i < rows * 512; ++i) x.view().as<float>()[i] = (i % 3 == 0) ? -127.f : 127.f;
      const std::vector<float> want = runGguf(x, w, nullptr, {Isa::Ref}, 1);
      for (const IsaLevel &level : x86Levels(true)) {
        const std::vector<float> got = runGguf(x, w, nullptr, level.isas, 2);
        ASSERT_EQ(got.size(), want.size());
        for (size_t i = 0; i < got.size(); ++i)
          ASSERT_EQ(std::memcmp(&got[i], &want[i], sizeof(float)), 0)
              << level.name << " " << dtypeName(t) << " fill " << int(fill) << " element " << i << ": " << got[i]
              << " vs ref " << want[i];
      }
      }
    }
  }
}

// ExtremeCodesAndScales for the GgufRows16 GEMVs (1 and 2 activation rows, 1 and 2
// threads): their 16-row steps' largest integer sums (q4_k: codes 15, scales and mins 63;
// q5_0, q5_1, q5_k: codes 31; q6_k: codes 63, scales -1 or -128; q8_0: codes -1 or -128; activations
// all +127, or mixed) must stay within int32 and exact
// (a step that scales its sums, as the twelfth session's q4_k variant kept the high
// nibbles in place at 16x the code, must not overflow).
TEST(GgufMatMulX86, Rows16ExtremeCodesAndScales) {
  if (!cpuHasAvx2() || !cpuHasF16c()) GTEST_SKIP() << "no AVX2 with F16C";
  for (DType t : kRows16Types) {
    const int64_t K = dtypeInfo(t).blockSize == 32 ? 512 : 768;
    // 35: two full groups and 3 GGUF rows; 32: whole groups (q4_0, q8_0 and q4_k with 17
    // rows: the AMX tile GEMM where the CPU has AMX).
    for (int64_t N : {35, 32})
    for (uint8_t fill : {uint8_t(0xFF), uint8_t(0x80), uint8_t(0x00)}) {
      Tensor w = randomGgufWeight(t, N, K, 11);
      const DTypeInfo &info = dtypeInfo(t);
      auto *p = static_cast<uint8_t *>(w.view().data);
      // Keep the f16 fields, saturate the rest.
      const auto [skip, end] = codeBytes(t);
      for (size_t b = 0; b < w.view().nbytes() / info.blockBytes; ++b)
        std::memset(p + b * info.blockBytes + skip, fill, end - skip);
      layouts::Desc d;
      std::string why;
      ASSERT_TRUE(layouts::describe(layouts::Kind::GgufRows16, unsigned(t), {N, K}, -1, -1, 0, 0, d, why));
      std::vector<uint8_t> packed(size_t(layouts::packedBytes(d)));
      layouts::pack(d, w.view().data, packed.data(), nullptr);
      for (int64_t rows : {1, 2, 17})
        for (bool mixed : {false, true}) {
          Tensor x(DType::f32, {rows, K});
          for (int64_t i = 0; i < rows * K; ++i) x.view().as<float>()[i] = mixed && i % 3 == 0 ? -127.f : 127.f;
          Tensor y(DType::f32, {rows, N});
          std::vector<TensorView *> inputs = {&x.view(), &w.view()};
          ASSERT_EQ(runKernelOnViews("GgufMatMul", inputs, y.view(), {Isa::Ref}, 1, nullptr, true), Isa::Ref);
          const std::vector<float> want = y.values<float>();
          TensorView stored = w.view();
          stored.data = packed.data();
          stored.layout = d;
          inputs[1] = &stored;
          for (const IsaLevel &level : x86Levels(/*needVnni=*/true)) {
            if (level.expect != Isa::X86Avx512) continue;  // only AVX-512 reads the layout
            const KernelSignature sig = viewSignature("GgufMatMul", inputs, y.view(), nullptr, true);
            Isa chosen = Isa::Ref;
            std::unique_ptr<Kernel> k = KernelRegistry::instance().create(sig, level.isas, &chosen);
            ASSERT_EQ(chosen, Isa::X86Avx512);
            ASSERT_TRUE(k->takesLayout(sig, 1));
            k->prepare(sig);
            ASSERT_NO_FATAL_FAILURE(expectPreparedBits(*k, sig, y, want, {1, 2},
                                                       std::string(dtypeName(t)) + " N " + std::to_string(N) + " fill " + std::to_string(fill) +
                                                           (mixed ? " mixed" : " +127") + " rows " +
                                                           std::to_string(rows)));
          }
        }
    }
  }
}

TEST(GgufMatMulX86, OtherWeightTypesReachRefAndItsError) {
  if (!cpuHasAvx2() || !cpuHasF16c()) GTEST_SKIP() << "no AVX2 with F16C";
  Tensor x = ggufActivations({1, 256}, 1);
  Tensor i16(DType::i16, {4, 256});
  for (const IsaLevel &level : x86Levels(true)) {
    try {
      runGguf(x, i16, nullptr, level.isas, 1);
      FAIL() << level.name << ": expected an error";
    } catch (const Error &e) {
      EXPECT_NE(std::string(e.what()).find("GgufMatMul node 'test_node': weight B has dtype i16"), std::string::npos)
          << e.what();
    }
  }
}

TEST(GgufMatMulX86, TiesRoundAsRef) {
  if (!cpuHasAvx2() || !cpuHasF16c()) GTEST_SKIP() << "no AVX2 with F16C";
  // Every block's largest element is +-127 (Q8_0/Q8_1 scale 1; Q8_K iscale -+1) and the
  // others are halves, which every quantizer rounds to even. A vector
  // quantizer that rounds another way changes the integer dots, and so the outputs.
  for (DType t : ggufMatMulTypes()) {
    if (t == DType::f32 || t == DType::f16 || t == DType::bf16) continue;
    Tensor w = randomGgufWeight(t, 10, 512, 31);
    Tensor x(DType::f32, {9, 512});  // the panel GEMM from 4 rows
    float *xv = x.view().as<float>();
    for (int64_t i = 0; i < 9 * 512; ++i)
      xv[i] = i % 32 == 0 ? (i % 64 == 0 ? 127.f : -127.f) : float((i * 7) % 51 - 25) + 0.5f;
    const std::vector<float> want = runGguf(x, w, nullptr, {Isa::Ref}, 1);
    for (const IsaLevel &level : x86Levels(true)) {
      const std::vector<float> got = runGguf(x, w, nullptr, level.isas, 2);
      for (size_t i = 0; i < got.size(); ++i)
        ASSERT_EQ(std::memcmp(&got[i], &want[i], sizeof(float)), 0)
            << level.name << " " << dtypeName(t) << " element " << i << ": " << got[i] << " vs ref " << want[i];
    }
  }
}

TEST(GgufMatMulX86, FloatActivationTiesRoundAsRef) {
  if (!cpuHasAvx2() || !cpuHasF16c()) GTEST_SKIP() << "no AVX2 with F16C";
  // Halfway cases for f16 (1 + odd * 2^-11) and bf16 (1 + odd * 2^-8), both signs, some
  // scaled to f16 subnormals: both roundings go to even; K = 203 has a tail.
  Tensor x(DType::f32, {2, 203});
  float *xv = x.view().as<float>();
  for (int64_t i = 0; i < 2 * 203; ++i) {
    const float odd = float(2 * (i % 100) + 1);
    float v = i % 2 ? 1.f + odd * std::ldexp(1.f, -8) : 1.f + odd * std::ldexp(1.f, -11);
    if (i % 3 == 0) v = -v;
    if (i % 7 == 0) v *= std::ldexp(1.f, -20);
    xv[i] = v;
  }
  for (DType t : {DType::f16, DType::bf16}) {
    Tensor w = randomGgufWeight(t, 9, 203, 41);
    const std::vector<float> want = runGguf(x, w, nullptr, {Isa::Ref}, 1);
    for (const IsaLevel &level : x86Levels(true)) {
      const std::vector<float> got = runGguf(x, w, nullptr, level.isas, 1);
      for (size_t i = 0; i < got.size(); ++i)
        ASSERT_EQ(std::memcmp(&got[i], &want[i], sizeof(float)), 0)
            << level.name << " " << dtypeName(t) << " element " << i << ": " << got[i] << " vs ref " << want[i];
    }
  }
}

TEST(GgufMatMulX86, NaNActivationsQuantizeAsRef) {
  if (!cpuHasAvx2() || !cpuHasF16c()) GTEST_SKIP() << "no AVX2 with F16C";
  // A NaN is ignored by the block maxima and quantizes to 127 (Q8_0/Q8_1/Q8_K), so the
  // outputs stay finite and must match ref's bits; a block of NaNs only has scale 0.
  for (DType t : ggufMatMulTypes()) {
    if (t == DType::f32 || t == DType::f16 || t == DType::bf16) continue;
    Tensor w = randomGgufWeight(t, 11, 512, 21);
    Tensor x = ggufActivations({5, 512}, 22);  // the panel GEMM from 4 rows
    float *xv = x.view().as<float>();
    for (int64_t i = 0; i < 5 * 512; i += 37) xv[i] = NAN;
    for (int64_t i = 768; i < 800; ++i) xv[i] = NAN;
    const std::vector<float> want = runGguf(x, w, nullptr, {Isa::Ref}, 1);
    for (const IsaLevel &level : x86Levels(true)) {
      const std::vector<float> got = runGguf(x, w, nullptr, level.isas, 1);
      for (size_t i = 0; i < got.size(); ++i)
        ASSERT_EQ(std::memcmp(&got[i], &want[i], sizeof(float)), 0)
            << level.name << " " << dtypeName(t) << " element " << i << ": " << got[i] << " vs ref " << want[i];
    }
  }
}

}  // namespace
}  // namespace edgec::rt::testing
