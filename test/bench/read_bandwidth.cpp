// Memory read bandwidth, STREAM-like: the LLM benchmark's yardstick for decode (a decode
// step reads every weight byte once, so weight bytes x tokens/s against this figure says
// how close a decoder is to the memory's limit). Not part of the test suite.
//
//   read_bandwidth [--threads T] [--mib M] [--repeats R] [--variants a,b,...] [--list] [--all]
//
// The figure is the best a streaming read reaches on this machine, so it runs several
// loops (the "variants", below) over the same data and reports the best one by name, as
// STREAM reports the best pass. Why several: on Zen 5 the plain summing loop alone read
// 10-20% less than the decode GEMVs themselves (docs/gguf-performance-log.md, eighth
// session), because what one core streams depends on how many lines it keeps in flight
// (the hardware prefetchers, software prefetches, 4 KB page boundaries), so one loop is a
// floor, not the machine's read bandwidth.
//
// Each variant reads an array of M MiB (default 256: 8x the 32 MiB L3) of which each of
// T threads (std::thread; pin the process with taskset for a given core set) takes one
// contiguous slice, R times (default 10) after one untimed pass that faults the pages in.
// The variants' passes are interleaved (pass r of every variant, then pass r+1), so that
// a noisy moment of a shared host falls on all of them alike. A pass's time runs from the
// moment the threads, already started and waiting, are released to the moment the last
// one ends (thread start-up is not timed). Two arrays of M MiB are allocated: one with 4
// KB pages (madvise MADV_NOHUGEPAGE) and one with 2 MB pages (MADV_HUGEPAGE; the share
// of it the kernel actually backed by huge pages, from /proc/self/smaps, is printed).
//
// Variants (every one reads every byte of the slice exactly once, sums it into a
// checksum that is printed, so that no load can be dropped; name suffix -4k or -2m for
// the page size):
//   sum64       the original loop: 64-bit words into 4 scalar accumulators, which g++
//               -O3 -march=native vectorizes (one load and one add per 64 bytes).
//   zmmN        64-byte vector loads (GCC vector type: one zmm on AVX-512, two ymm on
//               AVX2), N = 1, 2, 4, 8 independent accumulators.
//   nt          zmm4 with non-temporal loads (vmovntdqa); on ordinary write-back memory
//               the CPU may treat it as a plain load.
//   pfL-D       zmm4 plus one software prefetch per 64-byte line, D bytes ahead of the
//               load; L = t0 (prefetcht0, into L1), t1 (prefetcht1, into L2; what the
//               GgufRows16 GEMVs do), nta (prefetchnta).
//   sS          S interleaved streams: the slice split in S parts, one line of each per
//               step (what a GEMV over S separate rows does), S = 4, 8.
//   sS-pft1-D   the same with a prefetcht1 D bytes ahead in each stream.
//
// Prints one line per variant, `variant=NAME best_gbs=X median_gbs=Y`, then the summary
// line the LLM benchmark reads (GB = 1e9 bytes):
//   read_bandwidth threads=T mib=M best_gbs=X best_variant=NAME median_gbs=Y sum64_best_gbs=Z ...
// where best_gbs/best_variant is the best pass of any variant, median_gbs that variant's
// median, and sum64_best_gbs the original loop's best on 4 KB pages (the figure of the
// sessions before 30 Nov 2026 09:00 UTC, to compare with). --list names the variants;
// --variants runs only those named (each with its page suffix; default: all).
// Build: g++ -O3 -march=native -pthread read_bandwidth.cpp
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <sys/mman.h>
#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "spin_team.h"

namespace {

typedef long long v8q __attribute__((vector_size(64), aligned(64)));
constexpr size_t kLine = 64;

uint64_t fold(v8q v) {
  uint64_t s = 0;
  for (int i = 0; i < 8; ++i) s += uint64_t(v[i]);
  return s;
}

uint64_t sum64(const char *base, size_t bytes) {
  const uint64_t *p = reinterpret_cast<const uint64_t *>(base);
  size_t n = bytes / 8;
  uint64_t a = 0, b = 0, c = 0, d = 0;
  for (size_t i = 0; i + 4 <= n; i += 4) {
    a += p[i];
    b += p[i + 1];
    c += p[i + 2];
    d += p[i + 3];
  }
  return a + b + c + d;
}

// N accumulators, one 64-byte load each per step of N lines. Slices are multiples of 8
// lines (the main() rounds them), so no tail.
template <int N>
uint64_t zmm(const char *base, size_t bytes) {
  const v8q *p = reinterpret_cast<const v8q *>(base);
  size_t n = bytes / kLine;
  v8q acc[N] = {};
  for (size_t i = 0; i < n; i += N)
    for (int k = 0; k < N; ++k) acc[k] += p[i + k];
  v8q s = acc[0];
  for (int k = 1; k < N; ++k) s += acc[k];
  return fold(s);
}

uint64_t ntLoads(const char *base, size_t bytes) {
#if defined(__AVX512F__)
  __m512i a = _mm512_setzero_si512(), b = a, c = a, d = a;
  for (size_t o = 0; o < bytes; o += 4 * kLine) {
    a = _mm512_add_epi64(a, _mm512_stream_load_si512((void *)(base + o)));
    b = _mm512_add_epi64(b, _mm512_stream_load_si512((void *)(base + o + 64)));
    c = _mm512_add_epi64(c, _mm512_stream_load_si512((void *)(base + o + 128)));
    d = _mm512_add_epi64(d, _mm512_stream_load_si512((void *)(base + o + 192)));
  }
  __m512i s = _mm512_add_epi64(_mm512_add_epi64(a, b), _mm512_add_epi64(c, d));
  alignas(64) uint64_t l[8];
  _mm512_store_si512(l, s);
  return l[0] + l[1] + l[2] + l[3] + l[4] + l[5] + l[6] + l[7];
#elif defined(__AVX2__)
  __m256i a = _mm256_setzero_si256(), b = a, c = a, d = a;
  for (size_t o = 0; o < bytes; o += 2 * kLine) {
    a = _mm256_add_epi64(a, _mm256_stream_load_si256((const __m256i *)(base + o)));
    b = _mm256_add_epi64(b, _mm256_stream_load_si256((const __m256i *)(base + o + 32)));
    c = _mm256_add_epi64(c, _mm256_stream_load_si256((const __m256i *)(base + o + 64)));
    d = _mm256_add_epi64(d, _mm256_stream_load_si256((const __m256i *)(base + o + 96)));
  }
  __m256i s = _mm256_add_epi64(_mm256_add_epi64(a, b), _mm256_add_epi64(c, d));
  alignas(32) uint64_t l[4];
  _mm256_store_si256((__m256i *)l, s);
  return l[0] + l[1] + l[2] + l[3];
#else
  return zmm<4>(base, bytes);
#endif
}

// zmm4 with a prefetch of each line `dist` bytes ahead (Loc: __builtin_prefetch's
// locality, 3 = t0, 2 = t1, 0 = nta). Prefetches past the slice's end are harmless hints
// (within the array they touch a neighbour's lines; the last thread's run past the end
// of the mapping, which a prefetch never faults on).
template <int Loc>
uint64_t prefetched(const char *base, size_t bytes, size_t dist) {
  const v8q *p = reinterpret_cast<const v8q *>(base);
  size_t n = bytes / kLine;
  v8q a = {}, b = {}, c = {}, d = {};
  for (size_t i = 0; i < n; i += 4) {
    const char *q = base + i * kLine + dist;
    __builtin_prefetch(q, 0, Loc);
    __builtin_prefetch(q + 64, 0, Loc);
    __builtin_prefetch(q + 128, 0, Loc);
    __builtin_prefetch(q + 192, 0, Loc);
    a += p[i];
    b += p[i + 1];
    c += p[i + 2];
    d += p[i + 3];
  }
  return fold(a + b + c + d);
}

// S interleaved streams, one line of each per step; with dist > 0 a prefetcht1 of each
// stream's line dist bytes ahead.
template <int S>
uint64_t streams(const char *base, size_t bytes, size_t dist) {
  size_t part = bytes / S;  // a multiple of 64: slices are multiples of 8 lines x S
  const v8q *p[S];
  for (int k = 0; k < S; ++k) p[k] = reinterpret_cast<const v8q *>(base + k * part);
  v8q acc[4] = {};
  size_t n = part / kLine;
  for (size_t i = 0; i < n; ++i) {
    if (dist)
      for (int k = 0; k < S; ++k) __builtin_prefetch(reinterpret_cast<const char *>(p[k] + i) + dist, 0, 2);
    for (int k = 0; k < S; ++k) acc[k & 3] += p[k][i];
  }
  return fold(acc[0] + acc[1] + acc[2] + acc[3]);
}

struct Variant {
  std::string name;
  std::function<uint64_t(const char *, size_t)> read;
};

std::vector<Variant> loopVariants() {
  std::vector<Variant> v;
  v.push_back({"sum64", sum64});
  v.push_back({"zmm1", zmm<1>});
  v.push_back({"zmm2", zmm<2>});
  v.push_back({"zmm4", zmm<4>});
  v.push_back({"zmm8", zmm<8>});
  v.push_back({"nt", ntLoads});
  for (size_t d : {256, 1024, 4096})
    v.push_back({"pft0-" + std::to_string(d), [d](const char *b, size_t n) { return prefetched<3>(b, n, d); }});
  for (size_t d : {1024, 4096, 16384, 65536})
    v.push_back({"pft1-" + std::to_string(d), [d](const char *b, size_t n) { return prefetched<2>(b, n, d); }});
  v.push_back({"pfnta-1024", [](const char *b, size_t n) { return prefetched<0>(b, n, 1024); }});
  v.push_back({"s4", [](const char *b, size_t n) { return streams<4>(b, n, 0); }});
  v.push_back({"s8", [](const char *b, size_t n) { return streams<8>(b, n, 0); }});
  v.push_back({"s4-pft1-4096", [](const char *b, size_t n) { return streams<4>(b, n, 4096); }});
  v.push_back({"s8-pft1-4096", [](const char *b, size_t n) { return streams<8>(b, n, 4096); }});
  return v;
}

char *allocate(size_t bytes, bool huge) {
  const size_t align = size_t(2) << 20;
  size_t rounded = (bytes + align - 1) / align * align;
  char *p = static_cast<char *>(std::aligned_alloc(align, rounded));
  if (!p) {
    std::fprintf(stderr, "read_bandwidth: cannot allocate %zu bytes\n", rounded);
    std::exit(1);
  }
#ifdef MADV_HUGEPAGE
  madvise(p, rounded, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
#endif
  uint64_t *w = reinterpret_cast<uint64_t *>(p);
  for (size_t i = 0; i < rounded / 8; ++i) {  // not zero pages, and a checksum with low bits
    uint64_t x = i * 0x9E3779B97F4A7C15ull;
    w[i] = x ^ (x >> 29);
  }
  return p;
}

// kB of AnonHugePages in the mapping that holds p (0 if unknown).
long hugeKb(const void *p) {
  FILE *f = std::fopen("/proc/self/smaps", "r");
  if (!f) return 0;
  char line[512];
  bool in = false;
  long kb = 0;
  uintptr_t a = reinterpret_cast<uintptr_t>(p);
  while (std::fgets(line, sizeof line, f)) {
    unsigned long lo, hi;
    if (std::sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && std::strchr(line, '-') < std::strchr(line, ' ')) {
      in = a >= lo && a < hi;
      continue;
    }
    long v;
    if (in && std::sscanf(line, "AnonHugePages: %ld kB", &v) == 1) kb += v;
  }
  std::fclose(f);
  return kb;
}

// A pass over [base, base + bytes): thread t of T reads slice t, whole multiples of 64
// lines so that every loop's step divides them; the reads' sums go to `sink`. Returns
// seconds (SpinTeam's timing).
double readPass(SpinTeam &team, const Variant *v, const char *base, size_t bytes, uint64_t &sink) {
  std::atomic<uint64_t> sums{0};
  const double seconds = team.pass([&](int t, int n) {
    const size_t unit = 64 * kLine, units = bytes / unit;
    const size_t begin = units * t / n * unit, end = units * (t + 1) / n * unit;
    sums.fetch_add(v->read(base + begin, end - begin), std::memory_order_relaxed);
  });
  sink += sums.load();
  return seconds;
}

[[noreturn]] void usage(const char *msg) {
  std::fprintf(stderr,
               "read_bandwidth: %s\nusage: read_bandwidth [--threads T] [--mib M] [--repeats R] "
               "[--variants a-4k,b-2m,...] [--list]\n",
               msg);
  std::exit(2);
}

}  // namespace

int main(int argc, char **argv) {
  int threads = 1, repeats = 10;
  long mib = 256;
  std::string only;
  bool list = false;
  for (int i = 1; i < argc; ++i) {
    std::string key = argv[i];
    if (key == "--list") {
      list = true;
      continue;
    }
    if (i + 1 >= argc) usage("missing value");
    std::string val = argv[++i];
    if (key == "--variants") {
      only = "," + val + ",";
      continue;
    }
    long v = std::strtol(val.c_str(), nullptr, 10);
    if (v <= 0) usage(("bad value for " + key).c_str());
    if (key == "--threads") threads = int(v);
    else if (key == "--mib") mib = v;
    else if (key == "--repeats") repeats = int(v);
    else usage(("unknown option " + key).c_str());
  }
  struct Run {
    std::string name;
    const Variant *v;
    bool huge;
    std::vector<double> gbs;
  };
  std::vector<Variant> loops = loopVariants();
  std::vector<Run> runs;
  for (bool huge : {false, true})
    for (const Variant &v : loops) {
      std::string name = v.name + (huge ? "-2m" : "-4k");
      if (only.empty() || only.find("," + name + ",") != std::string::npos) runs.push_back({name, &v, huge, {}});
    }
  if (list) {
    for (const Run &r : runs) std::printf("%s\n", r.name.c_str());
    return 0;
  }
  if (runs.empty()) usage("no variant selected (see --list)");
  size_t bytes = size_t(mib) << 20;
  bool needSmall = false, needHuge = false;
  for (const Run &r : runs) (r.huge ? needHuge : needSmall) = true;
  char *small = needSmall ? allocate(bytes, false) : nullptr;
  char *huge = needHuge ? allocate(bytes, true) : nullptr;
  if (huge)
    std::printf("2m array: %ld of %ld MiB in huge pages\n", hugeKb(huge) / 1024, mib);
  SpinTeam team(threads);
  uint64_t sink = 0;
  for (Run &r : runs) readPass(team, r.v, r.huge ? huge : small, bytes, sink);  // warm-up
  for (int i = 0; i < repeats; ++i)
    for (Run &r : runs) r.gbs.push_back(double(bytes) / readPass(team, r.v, r.huge ? huge : small, bytes, sink) / 1e9);
  const Run *best = nullptr;
  double sum64Best = 0;
  for (Run &r : runs) {
    std::sort(r.gbs.begin(), r.gbs.end());
    std::printf("variant=%s best_gbs=%.2f median_gbs=%.2f\n", r.name.c_str(), r.gbs.back(), r.gbs[r.gbs.size() / 2]);
    if (!best || r.gbs.back() > best->gbs.back()) best = &r;
    if (r.name == "sum64-4k") sum64Best = r.gbs.back();
  }
  std::printf("read_bandwidth threads=%d mib=%ld best_gbs=%.2f best_variant=%s median_gbs=%.2f sum64_best_gbs=%.2f "
              "(checksum %llu)\n",
              threads, mib, best->gbs.back(), best->name.c_str(), best->gbs[best->gbs.size() / 2], sum64Best,
              (unsigned long long)(sink & 0xffffff));
  std::free(small);
  std::free(huge);
  return 0;
}
