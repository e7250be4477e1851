// Does the q4_k GgufRows16 GEMV read faster from DRAM when one core takes several demand
// streams a 64-byte line apart, as read_bandwidth's s4 does (41-44 GB/s one core, against
// ~30 for one stream or any prefetching loop, and for the GEMV's step)? A falsification
// microbenchmark (docs/gguf-performance-log.md, thirteenth session), not part of the test suite; built
// only on request (`ninja edgec_gemv_streams_bench`), run by hand, pinned with taskset:
//
//   edgec_gemv_streams_bench [--K 1536] [--mib 256] [--threads T] [--repeats R] [--huge] [--ahead D]
//                            [--variants a,b,...] [--list]
//
// The buffer (M MiB of anonymous memory, 4 KB pages unless --huge: the VM's DAMON pages
// file pages out, docs/gguf-performance-log.md "End of the twelfth session") is one q4_k weight [N, K] in
// the GgufRows16 layout (16-row groups, a group's 2304-byte blocks in K order: 4 header
// lines, then 32 lines of codes), random codes, valid f16 scales. T threads (std::thread,
// the calling one included) each take a contiguous share of the groups; a pass's time runs
// from their release to the last one's end; the variants' passes are interleaved (pass r of
// every variant, then r + 1) so that a noisy moment of the host falls on all alike.
// GB/s = buffer bytes / pass time, best and median of R passes.
//
// Variants (S = 2, 3, 4 streams; pf: a prefetcht1 of each line two groups ahead in its
// own stream, as the kernel's Pf::InStep, else none):
//   step-loop, step-instep, step-none   the kernel itself (x86/gguf_matmul_driver.inc,
//                 rows16Groups<1, Pf::...> over Q4KRows16Step<GFNI>): one stream, a block
//                 at a time; step-loop is what the decode step runs at K <= 2048.
//   kernel        gemvQ4KRows16<GFNI>, what the decode step runs: the lockstep of
//                 rows16Lockstep on 3 or 4 streams with this CPU's prefetch
//                 (rows16Prefetch; EDGEC_X86_ROWS16_PREFETCH overrides), the tail groups as
//                 step-*; a thread's share of the groups is the same share of its items.
//   step-bS       rows16Groups<S, Pf::None>: S groups, a 2304-byte block of each in turn
//                 (the streams of the ninth to twelfth sessions).
//   sum-gS[-pf]   plain reduction (vpaddq), S streams = S row groups (each its contiguous
//                 share of the thread's groups, MBs apart), one line of each in turn
//                 (read_bandwidth's sS over the same bytes). sum-g1: one stream.
//   sum-kS[-pf]   plain reduction, S streams = S K-ranges of the same group (blocks
//                 s * blocks / S ..., a group / S bytes apart), one line of each in turn.
//   dp-gS, and-gS plain reduction's streams with part of the step's arithmetic a line:
//                 two vpdpbusd against constants (dp), or the step's vpandd +
//                 vgf2p8affineqb + two vpdpbusd (and); no broadcasts, scales or floats.
//   q4k-gS[-pf]   the kernel's arithmetic (the same vpandd / vgf2p8affineqb / vpdpbusd,
//                 scales, mins and float steps, bit for bit the step's result) on S row
//                 groups in lockstep: block b of the S groups, their 36 lines taken line
//                 index by line index, one line of each group in turn; the activation's
//                 codes are shared (the same block b).
//   *-touch       instead of the prefetch, a demand load (cmpb) of each line D bytes
//                 ahead in its stream (--ahead D, default 4096); *-pft0: prefetcht0 D ahead.
//   q4k-kS[-pf]   the same arithmetic on S K-ranges of one group (timing only: a float
//                 accumulator a range, summed at the end, so not ref's order; the
//                 activation's codes differ a stream).
// Prints `variant=NAME best_gbs=X median_gbs=Y` a line, and a checksum of the outputs.
#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <sys/mman.h>

#include "ref/gguf_matmul.h"
#include "spin_team.h"
#include "register_kernels.h"
#include "thread_pool.h"

namespace edgec::rt {
namespace {

// As x86/gguf_matmul_avx512.cpp defines it before including the driver.
struct V {
  static constexpr int kFloatRows = 4;
  static constexpr int32_t kS8Offset = 128;
  static __m256i dotU8S8(__m256i acc, __m256i u, __m256i s) { return _mm256_dpbusd_epi32(acc, u, s); }
  static __m256i dotS8S8(__m256i acc, __m256i w, __m256i s) {
    return _mm256_dpbusd_epi32(acc, _mm256_xor_si256(w, _mm256_set1_epi8(char(0x80))), s);
  }
  static __m256i dotI16(__m256i acc, __m256i a, __m256i b) { return _mm256_dpwssd_epi32(acc, a, b); }
};

#include "x86/gguf_matmul_driver.inc"

constexpr int64_t kLines = kBlockZK / 64;  // 36 a block: 4 header lines, 32 of codes

// kPf: 0 none; 1 prefetcht1 two groups ahead (the kernel's Pf::InStep); 2 a demand
// "touch" gAhead bytes ahead (cmpb $0 against the line: a load whose result nothing
// waits on, so only the load queue and the ROB hold it, no vector scheduler entry);
// 3 prefetcht0 gAhead bytes ahead.
int64_t gAhead = 4096;
template <int kPf> inline void pfLine(const uint8_t *p) {
  if constexpr (kPf == 1) asm volatile("prefetcht1 %0" : : "m"(*p));
  if constexpr (kPf == 2) asm volatile("cmpb $0, %0" : : "m"(*p) : "cc");
  if constexpr (kPf == 3) asm volatile("prefetcht0 %0" : : "m"(*p));
}

// Plain reduction over S streams' blocks (stream s: the block at blk[s]), one line of
// each in turn, every line of the block.
// kWork: 0, a vpaddq a line; 1, two vpdpbusd against a constant (the step's least
// arithmetic a line); 2, the step's vpandd + vgf2p8affineqb + two vpdpbusd against
// constants (no broadcasts, scales or floats).
template <int S, int kPf, int kWork = 0>
inline void sumBlocks(const uint8_t *const *blk, int64_t pfAhead, Z *acc) {
  const Z mask = _mm512_set1_epi8(0x0F), down4 = _mm512_set1_epi64(0x1020408000000000LL);
  const Z c1 = _mm512_set1_epi32(0x01020304), c2 = _mm512_set1_epi32(0x05060708);
#pragma GCC unroll 36
  for (int64_t l = 0; l < kLines; ++l)
#pragma GCC unroll 4
    for (int s = 0; s < S; ++s) {
      if constexpr (kPf != 0) pfLine<kPf>(blk[s] + pfAhead + 64 * l);
      const Z raw = _mm512_loadu_si512(blk[s] + 64 * l);
      if constexpr (kWork == 0) {
        acc[s & 3] = _mm512_add_epi64(acc[s & 3], raw);
      } else if constexpr (kWork == 1) {
        acc[s & 3] = _mm512_dpbusd_epi32(acc[s & 3], raw, c1);
        acc[(s + 2) & 3] = _mm512_dpbusd_epi32(acc[(s + 2) & 3], raw, c2);
      } else {
        Z hi;
        asm("vgf2p8affineqb $0, %[a], %[x], %[r]" : [r] "=v"(hi) : [x] "v"(raw), [a] "v"(down4));
        acc[s & 3] = _mm512_dpbusd_epi32(acc[s & 3], _mm512_and_si512(raw, mask), c1);
        acc[(s + 2) & 3] = _mm512_dpbusd_epi32(acc[(s + 2) & 3], hi, c2);
      }
    }
}

// The step's arithmetic on S blocks at once (blk[s], against activation block ab[s]),
// their lines taken in lockstep: the header's 3 scale lines of each, then chunk c's 8
// code lines of each in turn; a chunk's two sub-block dots are weighted by their scales
// at the chunk's end (int32, exact: the same isum as the step's), the floats at the end
// as the step. kShared: every stream's activation block is ab[0] (row groups).
template <int S, int kPf, bool kShared, bool kGfni>
inline void q4kBlocks(const ref::GgufActRow &a, const int32_t *pairSums, const uint8_t *const *blk, const int64_t *ab,
                      int64_t pfAhead, ZF *acc) {
  const Z mask = _mm512_set1_epi8(0x0F);
  const Z down4 = _mm512_set1_epi64(0x1020408000000000LL);
  Z sc[S][2], isum[S], msum[S];
#pragma GCC unroll 4
  for (int s = 0; s < S; ++s) {
    if constexpr (kPf != 0)
      for (int l = 0; l < 4; ++l) pfLine<kPf>(blk[s] + pfAhead + 64 * l);
    Z mn[2];
    q4kRows16ScalesMins(blk[s], sc[s], mn);
    const int32_t *ps = pairSums + 8 * ab[kShared ? 0 : s];
    msum[s] = _mm512_setzero_si512();
#pragma GCC unroll 8
    for (int j = 0; j < 8; ++j)
      msum[s] = _mm512_add_epi32(
          msum[s], _mm512_madd_epi16(_mm512_cvtepu8_epi32(q4kLane(mn[j / 4], j % 4)), _mm512_set1_epi32(ps[j])));
    isum[s] = _mm512_setzero_si512();
  }
#pragma GCC unroll 4
  for (int c = 0; c < 4; ++c) {
    Z dlo[S], dhi[S];
#pragma GCC unroll 4
    for (int s = 0; s < S; ++s) dlo[s] = dhi[s] = _mm512_setzero_si512();
#pragma GCC unroll 8
    for (int t = 0; t < 8; ++t)
#pragma GCC unroll 4
      for (int s = 0; s < S; ++s) {
        const int64_t off = 256 + 64 * (8 * c + t);
        if constexpr (kPf != 0) pfLine<kPf>(blk[s] + pfAhead + off);
        const Z raw = _mm512_loadu_si512(blk[s] + off);
        const Z lo = _mm512_and_si512(raw, mask);
        Z hi;
        if constexpr (kGfni)
          asm("vgf2p8affineqb $0, %[a], %[x], %[r]" : [r] "=v"(hi) : [x] "v"(raw), [a] "v"(down4));
        else
          hi = _mm512_and_si512(_mm512_srli_epi16(raw, 4), mask);
        const int8_t *q = a.qs + 256 * ab[kShared ? 0 : s];
        int32_t clo, chi;
        std::memcpy(&clo, q + 64 * c + 4 * t, 4);
        std::memcpy(&chi, q + 64 * c + 32 + 4 * t, 4);
        dlo[s] = _mm512_dpbusd_epi32(dlo[s], lo, _mm512_set1_epi32(clo));
        dhi[s] = _mm512_dpbusd_epi32(dhi[s], hi, _mm512_set1_epi32(chi));
      }
#pragma GCC unroll 4
    for (int s = 0; s < S; ++s) {
      const int j = 2 * c;
      isum[s] = _mm512_add_epi32(isum[s], _mm512_mullo_epi32(dlo[s], _mm512_cvtepu8_epi32(q4kLane(sc[s][j / 4], j % 4))));
      isum[s] = _mm512_add_epi32(
          isum[s], _mm512_mullo_epi32(dhi[s], _mm512_cvtepu8_epi32(q4kLane(sc[s][(j + 1) / 4], (j + 1) % 4))));
    }
  }
#pragma GCC unroll 4
  for (int s = 0; s < S; ++s) {
    const ZF dx = _mm512_set1_ps(a.d[ab[kShared ? 0 : s]]);
    const ZF dw = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(blk[s])));
    const ZF dmin = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(blk[s] + 32)));
    acc[s] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum[s]), _mm512_mul_ps(dw, dx), acc[s]);
    acc[s] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(_mm512_setzero_si512(), msum[s])),
                             _mm512_mul_ps(dmin, dx), acc[s]);
  }
}

// Streams = S row groups: groups g0 .. g1 - 1, stream s its contiguous share (as
// rows16Groups<S>), the last (g1 - g0) % S groups one stream at the end.
template <int S, int kPf, bool kSum, bool kGfni, int kWork = 0>
void rowGroups(const ref::GgufMatMulPlan &p, const uint8_t *w, const ref::GgufActRow &a, const int32_t *pairSums,
               float *y, int64_t g0, int64_t g1) {
  const int64_t groupBytes = kGroupZ * p.rowBytes, per = (g1 - g0) / S, pfAhead = kPf == 1 ? 2 * groupBytes : gAhead;
  for (int64_t i = 0; i < per; ++i) {
    ZF acc[S];
    Z sacc[4] = {_mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512()};
    const uint8_t *gw[S];
    for (int s = 0; s < S; ++s) {
      acc[s] = _mm512_setzero_ps();
      gw[s] = w + (g0 + s * per + i) * groupBytes;
    }
    for (int64_t b = 0; b < p.blocks; ++b) {
      const uint8_t *blk[S];
      for (int s = 0; s < S; ++s) blk[s] = gw[s] + b * kBlockZK;
      if constexpr (kSum) {
        sumBlocks<S, kPf, kWork>(blk, pfAhead, sacc);
      } else {
        const int64_t ab[1] = {b};
        q4kBlocks<S, kPf, true, kGfni>(a, pairSums, blk, ab, pfAhead, acc);
      }
    }
    for (int s = 0; s < S; ++s) {
      if constexpr (kSum)
        acc[s] = _mm512_castsi512_ps(_mm512_add_epi64(_mm512_add_epi64(sacc[0], sacc[1]), _mm512_add_epi64(sacc[2], sacc[3])));
      _mm512_storeu_ps(y + (g0 + s * per + i) * kGroupZ, acc[s]);
    }
  }
  if constexpr (S > 1)
    if (g0 + S * per < g1) rowGroups<1, kPf, kSum, kGfni, kWork>(p, w, a, pairSums, y, g0 + S * per, g1);
}

// Streams = S K-ranges of each group (p.blocks % S == 0): stream s reads blocks
// s * blocks / S ...; one float accumulator a stream, summed at the group's end.
template <int S, int kPf, bool kSum, bool kGfni>
void kRanges(const ref::GgufMatMulPlan &p, const uint8_t *w, const ref::GgufActRow &a, const int32_t *pairSums,
             float *y, int64_t g0, int64_t g1) {
  const int64_t groupBytes = kGroupZ * p.rowBytes, bps = p.blocks / S, pfAhead = kPf == 1 ? 2 * groupBytes : gAhead;
  for (int64_t g = g0; g < g1; ++g) {
    ZF acc[S];
    Z sacc[4] = {_mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512()};
    for (int s = 0; s < S; ++s) acc[s] = _mm512_setzero_ps();
    const uint8_t *gw = w + g * groupBytes;
    for (int64_t bb = 0; bb < bps; ++bb) {
      const uint8_t *blk[S];
      int64_t ab[S];
      for (int s = 0; s < S; ++s) {
        ab[s] = s * bps + bb;
        blk[s] = gw + ab[s] * kBlockZK;
      }
      if constexpr (kSum)
        sumBlocks<S, kPf>(blk, pfAhead, sacc);
      else
        q4kBlocks<S, kPf, false, kGfni>(a, pairSums, blk, ab, pfAhead, acc);
    }
    ZF out = acc[0];
    for (int s = 1; s < S; ++s) out = _mm512_add_ps(out, acc[s]);
    if constexpr (kSum)
      out = _mm512_castsi512_ps(_mm512_add_epi64(_mm512_add_epi64(sacc[0], sacc[1]), _mm512_add_epi64(sacc[2], sacc[3])));
    _mm512_storeu_ps(y + g * kGroupZ, out);
  }
}

using Fn = std::function<void(int64_t g0, int64_t g1)>;
struct Variant {
  std::string name;
  Fn run;
  std::vector<double> gbs;
};

// A pass of `fn` over the groups, thread t of T taking share t; returns seconds.
double gemvPass(SpinTeam &team, const Fn &fn, int64_t groups) {
  return team.pass([&](int t, int n) { fn(groups * t / n, groups * (t + 1) / n); });
}

[[noreturn]] void usage(const char *msg) {
  std::fprintf(stderr,
               "edgec_gemv_streams_bench: %s\nusage: edgec_gemv_streams_bench [--K 1536] [--mib 256] [--threads T] "
               "[--repeats R] [--huge] [--ahead D] [--variants a,b,...] [--list]\n",
               msg);
  std::exit(2);
}

template <bool kGfni>
std::vector<Variant> variants(const ref::GgufMatMulPlan &p, const uint8_t *w, const ref::GgufActRow &a,
                              const int32_t *ps, float *y) {
  std::vector<Variant> v;
  const Q4KRows16Step<kGfni> step{a, ps};
  auto add = [&](std::string name, Fn f) { v.push_back({std::move(name), std::move(f), {}}); };
  add("step-loop", [=, &p](int64_t g0, int64_t g1) { rows16Groups<1, Pf::Loop>(step, p, w, nullptr, y, g0, g1); });
  add("step-instep", [=, &p](int64_t g0, int64_t g1) { rows16Groups<1, Pf::InStep>(step, p, w, nullptr, y, g0, g1); });
  add("step-none", [=, &p](int64_t g0, int64_t g1) { rows16Groups<1, Pf::None>(step, p, w, nullptr, y, g0, g1); });
  // The kernel takes items (Rows16Items: item i is group i of each of its S streams, the
  // tail last), not groups.
  const Rows16Items items(p.N, rows16Prefetch());
  const int64_t groups = p.N / kGroupZ;
  add("kernel", [=, &p, &a](int64_t g0, int64_t g1) {
    gemvQ4KRows16<kGfni>(p, w, a, ps, nullptr, y, items, g0 * items.count() / groups, g1 * items.count() / groups);
  });
  add("step-b2", [=, &p](int64_t g0, int64_t g1) { rows16Groups<2, Pf::None>(step, p, w, nullptr, y, g0, g1); });
  add("step-b4", [=, &p](int64_t g0, int64_t g1) { rows16Groups<4, Pf::None>(step, p, w, nullptr, y, g0, g1); });
#define EDGEC_ADD_G(S, PF, SUM, NAME) \
  add(NAME, [=, &p, &a](int64_t g0, int64_t g1) { rowGroups<S, PF, SUM, kGfni>(p, w, a, ps, y, g0, g1); })
#define EDGEC_ADD_K(S, PF, SUM, NAME)                                                                 \
  if (p.blocks % S == 0)                                                                              \
  add(NAME, [=, &p, &a](int64_t g0, int64_t g1) { kRanges<S, PF, SUM, kGfni>(p, w, a, ps, y, g0, g1); })
  EDGEC_ADD_G(1, 0, true, "sum-g1");
  EDGEC_ADD_G(1, 1, true, "sum-g1-pf");
  EDGEC_ADD_G(2, 0, true, "sum-g2");
  EDGEC_ADD_G(3, 0, true, "sum-g3");
  EDGEC_ADD_G(4, 0, true, "sum-g4");
  EDGEC_ADD_G(2, 1, true, "sum-g2-pf");
  EDGEC_ADD_G(4, 1, true, "sum-g4-pf");
#define EDGEC_ADD_W(S, PF, W, NAME) \
  add(NAME, [=, &p, &a](int64_t g0, int64_t g1) { rowGroups<S, PF, true, kGfni, W>(p, w, a, ps, y, g0, g1); })
  EDGEC_ADD_W(1, 0, 1, "dp-g1");
  EDGEC_ADD_W(3, 0, 1, "dp-g3");
  EDGEC_ADD_W(1, 0, 2, "and-g1");
  EDGEC_ADD_W(3, 0, 2, "and-g3");
  EDGEC_ADD_W(1, 2, 1, "dp-g1-touch");
  EDGEC_ADD_W(3, 2, 1, "dp-g3-touch");
  EDGEC_ADD_W(1, 2, 0, "sum-g1-touch");
#undef EDGEC_ADD_W
  EDGEC_ADD_K(2, 0, true, "sum-k2");
  EDGEC_ADD_K(3, 0, true, "sum-k3");
  EDGEC_ADD_K(4, 0, true, "sum-k4");
  EDGEC_ADD_K(2, 1, true, "sum-k2-pf");
  EDGEC_ADD_G(1, 0, false, "q4k-g1");
  EDGEC_ADD_G(1, 1, false, "q4k-g1-pf");
  EDGEC_ADD_G(2, 0, false, "q4k-g2");
  EDGEC_ADD_G(3, 0, false, "q4k-g3");
  EDGEC_ADD_G(4, 0, false, "q4k-g4");
  EDGEC_ADD_G(2, 1, false, "q4k-g2-pf");
  EDGEC_ADD_G(3, 1, false, "q4k-g3-pf");
  EDGEC_ADD_G(4, 1, false, "q4k-g4-pf");
  EDGEC_ADD_G(1, 2, false, "q4k-g1-touch");
  EDGEC_ADD_G(3, 2, false, "q4k-g3-touch");
  EDGEC_ADD_G(1, 3, false, "q4k-g1-pft0");
  EDGEC_ADD_G(2, 3, false, "q4k-g2-pft0");
  EDGEC_ADD_G(3, 3, false, "q4k-g3-pft0");
  EDGEC_ADD_G(4, 3, false, "q4k-g4-pft0");
  EDGEC_ADD_G(3, 3, true, "sum-g3-pft0");
  EDGEC_ADD_K(2, 0, false, "q4k-k2");
  EDGEC_ADD_K(3, 0, false, "q4k-k3");
  EDGEC_ADD_K(4, 0, false, "q4k-k4");
  EDGEC_ADD_K(2, 1, false, "q4k-k2-pf");
  EDGEC_ADD_K(3, 1, false, "q4k-k3-pf");
#undef EDGEC_ADD_G
#undef EDGEC_ADD_K
  return v;
}

int benchMain(int argc, char **argv) {
  int64_t K = 1536, mib = 256;
  int threads = 1, repeats = 8;
  bool huge = false, list = false;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    const std::string key = argv[i];
    if (key == "--list") { list = true; continue; }
    if (key == "--huge") { huge = true; continue; }
    if (i + 1 >= argc) usage("missing value");
    const std::string val = argv[++i];
    if (key == "--variants") { only = "," + val + ","; continue; }
    const long n = std::strtol(val.c_str(), nullptr, 10);
    if (n <= 0) usage(("bad value for " + key).c_str());
    if (key == "--K") K = n;
    else if (key == "--mib") mib = n;
    else if (key == "--threads") threads = int(n);
    else if (key == "--repeats") repeats = int(n);
    else if (key == "--ahead") gAhead = n;
    else usage(("unknown option " + key).c_str());
  }
  if (K % 256) usage("K must be a multiple of 256");
  ref::GgufMatMulPlan p;
  p.rows = 1;
  p.K = K;
  p.wtype = DType::q4_k;
  p.blockSize = 256;
  p.blocks = K / 256;
  p.rowBytes = p.blocks * 144;
  const int64_t groupBytes = kGroupZ * p.rowBytes, groups = (mib << 20) / groupBytes;
  p.N = groups * kGroupZ;
  const size_t bytes = size_t(groups * groupBytes), huge2m = size_t(2) << 20,
               mapBytes = (bytes + size_t(gAhead) + 64 + huge2m - 1) / huge2m * huge2m;  // the touches' reach
  auto *w = static_cast<uint8_t *>(mmap(nullptr, mapBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  if (w == MAP_FAILED) usage("cannot map the buffer");
  madvise(w, mapBytes, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
  std::mt19937_64 rng(1);
  for (size_t i = 0; i < bytes / 8; ++i) {
    const uint64_t x = rng();
    std::memcpy(w + 8 * i, &x, 8);
  }
  for (int64_t blk = 0; blk < int64_t(bytes) / kBlockZK; ++blk)  // the 32 f16 d and dmin: 0x2000
    for (int i = 0; i < 32; ++i) {
      w[blk * kBlockZK + 2 * i] = 0x00;
      w[blk * kBlockZK + 2 * i + 1] = 0x20;
    }
  std::vector<int8_t> qs(static_cast<size_t>(K));
  std::vector<float> d(static_cast<size_t>(p.blocks), 0.01f);
  std::vector<int32_t> ps(static_cast<size_t>(8 * p.blocks));
  for (auto &q : qs) q = int8_t(int(rng() % 255) - 127);
  for (auto &x : ps) x = int32_t(rng() % 2000) - 1000;
  ref::GgufActRow a{qs.data(), d.data(), nullptr, nullptr, nullptr, nullptr};
  std::vector<float> y(static_cast<size_t>(p.N));
  const bool gfni = __builtin_cpu_supports("gfni");
  std::vector<Variant> all = gfni ? variants<true>(p, w, a, ps.data(), y.data())
                                  : variants<false>(p, w, a, ps.data(), y.data());
  std::vector<Variant> runs;
  for (auto &v : all)
    if (only.empty() || only.find("," + v.name + ",") != std::string::npos) runs.push_back(std::move(v));
  if (list) {
    for (auto &v : runs) std::printf("%s\n", v.name.c_str());
    return 0;
  }
  if (runs.empty()) usage("no variant selected (see --list)");
  std::printf("q4_k GgufRows16 [%lld, %lld]: %.1f MiB, %lld groups of %lld bytes, %s pages, %d thread(s), gfni %d\n",
              (long long)p.N, (long long)K, double(bytes) / (1 << 20), (long long)groups, (long long)groupBytes,
              huge ? "2 MB" : "4 KB", threads, int(gfni));
  SpinTeam team(threads);
  double check = 0;
  for (auto &v : runs) gemvPass(team, v.run, groups);  // warm-up
  for (int r = 0; r < repeats; ++r)
    for (auto &v : runs) v.gbs.push_back(double(bytes) / gemvPass(team, v.run, groups) / 1e9);
  // The step's variants and q4k-g* compute the same outputs (the same bits): a cheap
  // sanity check that the lockstep arithmetic is the step's.
  std::vector<float> refY;
  for (auto &v : runs) {
    std::sort(v.gbs.begin(), v.gbs.end());
    std::string same;
    if (v.name.rfind("step-", 0) == 0 || v.name.rfind("q4k-g", 0) == 0 || v.name == "kernel") {
      gemvPass(team, v.run, groups);
      if (refY.empty()) refY = y;
      same = std::memcmp(refY.data(), y.data(), y.size() * sizeof(float)) == 0 ? " same_bits=1" : " same_bits=0";
    }
    for (float f : y) check += double(f);
    std::printf("variant=%s best_gbs=%.2f median_gbs=%.2f%s\n", v.name.c_str(), v.gbs.back(), v.gbs[v.gbs.size() / 2],
                same.c_str());
  }
  std::printf("(checksum %g)\n", check);
  munmap(w, mapBytes);
  return 0;
}

}  // namespace
}  // namespace edgec::rt

int main(int argc, char **argv) { return edgec::rt::benchMain(argc, argv); }
