// Where the host placed two CPUs right now: the model benchmark's check beside every
// multi-thread figure. Not part of the test suite.
//
//   core_placement [--cpus A,B] [--ms M]
//
// On a virtual machine the guest's CPU list says nothing about this: the host may put two
// vCPUs on sibling hyperthreads of one core, on cores far apart (across sockets or mesh
// clusters), or on near ones, and move them again seconds later. It matters to every
// multi-threaded engine, most to the ones whose threads hand data to each other between
// kernels: on this benchmark's VM MobileNetV2 at two threads ran 2.7 ms with a cache line
// crossing between the vCPUs in ~110 ns (round trip) and 4.4 ms with it at ~300 ns, the
// same binary minutes apart. Two measurements, each about M ms (default 100):
//  * FMA throughput (16 independent vfmadd chains) on A alone, then on A and B at once:
//    siblings keep ~0.5 of the single-thread rate each, separate cores ~1.0;
//  * the round trip of one cache line between A and B (two threads ping-ponging a flag).
// And with --l2 (alone, or before the rest):
//  * each CPU's read rate from a 512 KiB buffer (half of a Zen 4/5 core's L2), run on A
//    alone, then on B alone. A CPU whose hyperthread sibling another guest keeps busy shares
//    its L1 and L2 with it: on this benchmark's VM one vCPU read 96-100 GB/s while the other
//    read 135-143, and int8 MobileNetV2 ran 2.55-2.62 ms on the first against 1.82-1.89 on
//    the second (fp32: 4.49-4.55 against 4.12-4.16; the FMA rate above was the same on
//    both). The model benchmark runs each one-thread round on its second CPU when that one
//    reads over 10% faster than the first.
// Prints
//   core_placement l2_gbs=RA,RB   (with --l2)
//   core_placement cpus=A,B alone_gflops=X together_gflops=Y ratio=Y/X round_trip_ns=R state=S
// with S "shared" (ratio below 0.75: hyperthread siblings, or B busy with another job),
// "far" (round trip above 200 ns) or "near", or "contended" when a wait on the other
// thread did not end within a few seconds (both CPUs held by other spinning work: two
// benchmarks probing at once under SCHED_FIFO once deadlocked each other for ten minutes
// before every wait yielded). Build: g++ -O2 -march=native -pthread core_placement.cpp
#include <immintrin.h>
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

#if defined(__AVX512F__)
using Vec = __m512;
constexpr int kLanes = 16;
inline Vec splat(float x) { return _mm512_set1_ps(x); }
inline Vec fma(Vec a, Vec b, Vec c) { return _mm512_fmadd_ps(a, b, c); }
inline float lane0(Vec v) { return _mm512_cvtss_f32(v); }
#elif defined(__FMA__)
using Vec = __m256;
constexpr int kLanes = 8;
inline Vec splat(float x) { return _mm256_set1_ps(x); }
inline Vec fma(Vec a, Vec b, Vec c) { return _mm256_fmadd_ps(a, b, c); }
inline float lane0(Vec v) { return _mm256_cvtss_f32(v); }
#else
#error "core_placement needs FMA (build with -march=native on an x86 CPU with FMA)"
#endif

constexpr int kChains = 16;  // more independent chains than FMA latency x ports: throughput-bound
constexpr long kBatch = 1 << 16;

// Runs FMA batches until `ms` have passed; returns GFLOP/s.
double fmaRate(double ms) {
  Vec acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = splat(0.001f * i);
  const Vec b = splat(0.9999f), c = splat(0.0001f);
  long batches = 0;
  const auto start = Clock::now();
  double elapsed = 0;
  do {
    for (long k = 0; k < kBatch; ++k) {
#pragma GCC unroll 16
      for (int i = 0; i < kChains; ++i) acc[i] = fma(acc[i], b, c);
    }
    ++batches;
    elapsed = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  } while (elapsed < ms);
  float sink = 0;
  for (int i = 0; i < kChains; ++i) sink += lane0(acc[i]);
  if (sink == 12345.f) std::puts("");  // keeps the chains alive
  return 2.0 * kLanes * kChains * kBatch * batches / (elapsed * 1e6);
}

// Read GB/s from a 512 KiB buffer (L2-resident after the first pass), 64-byte loads summed
// into four accumulators, over passes for about `ms` milliseconds: the median pass.
double l2Rate(double ms) {
  constexpr size_t kBytes = size_t(512) << 10, kWords = kBytes / sizeof(uint64_t);
  std::vector<uint64_t> buf(kWords);
  for (size_t i = 0; i < kWords; ++i) buf[i] = i * 0x9E3779B97F4A7C15ull;
  std::vector<double> passes;
  uint64_t sink = 0;
  const auto start = Clock::now();
  do {
    const auto t0 = Clock::now();
    uint64_t a = 0, b = 0, c = 0, d = 0;
    for (size_t i = 0; i < kWords; i += 8) {  // the compiler vectorizes this into zmm adds
      a += buf[i] + buf[i + 4];
      b += buf[i + 1] + buf[i + 5];
      c += buf[i + 2] + buf[i + 6];
      d += buf[i + 3] + buf[i + 7];
    }
    sink += a ^ b ^ c ^ d;
    passes.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
  } while (std::chrono::duration<double, std::milli>(Clock::now() - start).count() < ms);
  if (sink == 12345) std::puts("");  // keeps the sums alive
  std::sort(passes.begin(), passes.end());
  return kBytes / passes[passes.size() / 2] / 1e9;
}

// Spins until done() holds or the deadline passes (returns false then). After a few
// thousand empty spins each wait yields the CPU: under SCHED_FIFO a spinner is never
// preempted by another of its priority, so two probes (or a probe and a real-time
// benchmark) spinning on the same CPUs would otherwise wait on each other for ever.
template <typename Done> bool spinUntil(Done done, Clock::time_point deadline) {
  for (int spins = 0; !done();) {
    if (++spins < 4096) continue;
    spins = 0;
    if (Clock::now() > deadline) return false;
    sched_yield();
  }
  return true;
}

bool pinTo(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

// Median round trip in ns of a cache line between the calling thread (on cpuA) and a
// thread on cpuB, over batches of ping-pongs for about `ms` milliseconds; -1 when the
// other thread stopped answering until `deadline`.
double roundTripNs(int cpuA, int cpuB, double ms, Clock::time_point deadline) {
  alignas(64) static std::atomic<int64_t> flag{0};
  constexpr int64_t kBatch = 20000;
  std::atomic<bool> stop{false};
  flag.store(0);
  std::thread echo([&] {
    pinTo(cpuB);
    for (int64_t seen = 0; !stop.load(std::memory_order_relaxed);) {
      int64_t v = 0;
      spinUntil([&] { return stop.load(std::memory_order_relaxed) || ((v = flag.load(std::memory_order_acquire)) != seen && (v & 1)); },
                Clock::time_point::max());
      if (v != seen && (v & 1)) {
        flag.store(v + 1, std::memory_order_release);
        seen = v + 1;
      }
    }
  });
  pinTo(cpuA);
  std::vector<double> batches;
  const auto start = Clock::now();
  int64_t v = 0;
  bool answered = true;
  do {
    const auto t0 = Clock::now();
    for (int64_t i = 0; i < kBatch && answered; ++i) {
      flag.store(++v, std::memory_order_release);
      answered = spinUntil([&] { return flag.load(std::memory_order_acquire) == v + 1; }, deadline);
      ++v;
    }
    batches.push_back(std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / kBatch);
  } while (answered && std::chrono::duration<double, std::milli>(Clock::now() - start).count() < ms);
  stop = true;
  echo.join();
  if (!answered) return -1;
  std::sort(batches.begin(), batches.end());
  return batches[batches.size() / 2];
}

[[noreturn]] void usage(const char *msg) {
  std::fprintf(stderr, "core_placement: %s\nusage: core_placement [--cpus A,B] [--ms M] [--l2 [--l2-only]]\n", msg);
  std::exit(2);
}

}  // namespace

int main(int argc, char **argv) {
  int cpuA = 0, cpuB = 1;
  double ms = 100;
  bool l2 = false, l2Only = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--cpus") && i + 1 < argc) {
      if (std::sscanf(argv[++i], "%d,%d", &cpuA, &cpuB) != 2 || cpuA < 0 || cpuB < 0 || cpuA == cpuB)
        usage("--cpus takes two different CPU numbers, e.g. 0,1");
    } else if (!std::strcmp(argv[i], "--l2")) {
      l2 = true;
    } else if (!std::strcmp(argv[i], "--l2-only")) {
      l2 = l2Only = true;
    } else if (!std::strcmp(argv[i], "--ms") && i + 1 < argc) {
      ms = std::atof(argv[++i]);
      if (!(ms > 0)) usage("--ms takes a positive number of milliseconds");
    } else {
      usage((std::string("unknown argument ") + argv[i]).c_str());
    }
  }
  if (l2) {
    double rate[2] = {0, 0};
    for (int k = 0; k < 2; ++k) {
      std::thread t([&] {
        if (!pinTo(k == 0 ? cpuA : cpuB)) return;
        l2Rate(ms / 4);  // warm-up: the buffer's pages and the clock settle
        rate[k] = l2Rate(ms);
      });
      t.join();
    }
    if (rate[0] == 0 || rate[1] == 0) usage("cannot run on the given CPUs (see taskset / the CPU list)");
    std::printf("core_placement l2_gbs=%.1f,%.1f\n", rate[0], rate[1]);
    if (l2Only) return 0;
  }
  double alone = 0;
  std::thread solo([&] {
    if (!pinTo(cpuA)) return;
    fmaRate(ms / 4);  // warm-up: frequency and page faults settle
    alone = fmaRate(ms);
  });
  solo.join();
  if (alone == 0) usage("cannot run on the given CPUs (see taskset / the CPU list)");
  // Every wait on the other thread gives up after this; the probe then says "contended".
  const auto deadline = Clock::now() + std::chrono::milliseconds(int64_t(3000 + 10 * ms));
  std::atomic<int> ready{0};
  std::atomic<bool> pinned{true}, met{true};
  double rateA = 0, rateB = 0;
  auto both = [&](int cpu, double &rate) {
    if (!pinTo(cpu)) pinned = false;
    ready.fetch_add(1);
    if (!spinUntil([&] { return ready.load() >= 2; }, deadline)) met = false;
    rate = fmaRate(ms);
  };
  std::thread a(both, cpuA, std::ref(rateA)), b(both, cpuB, std::ref(rateB));
  a.join();
  b.join();
  if (!pinned) usage("cannot run on the given CPUs (see taskset / the CPU list)");
  const double together = std::min(rateA, rateB);
  const double ratio = together / alone;
  const double roundTrip = met ? roundTripNs(cpuA, cpuB, ms / 2, deadline) : -1;
  const char *state = roundTrip < 0 ? "contended" : ratio < 0.75 ? "shared" : roundTrip > 200 ? "far" : "near";
  std::printf("core_placement cpus=%d,%d alone_gflops=%.1f together_gflops=%.1f ratio=%.2f round_trip_ns=%.0f "
              "state=%s\n",
              cpuA, cpuB, alone, together, ratio, roundTrip, state);
  return 0;
}
