// Memory read bandwidth, STREAM-like: the LLM benchmark's yardstick for decode (a decode
// step reads every weight byte once, so weight bytes x tokens/s against this figure says
// how close a decoder is to the memory's limit). Not part of the test suite.
//
//   read_bandwidth [--threads T] [--mib M] [--repeats R]
//
// Sums an array of M MiB (default 1024: far beyond any last-level cache) of 64-bit words,
// split into T contiguous slices, one thread each (std::thread; pin the process with
// taskset for a given core set), R times (default 10) after one untimed pass that also
// faults the pages in. Prints the best pass, as STREAM does, and the median:
//   read_bandwidth threads=T mib=M best_gbs=X median_gbs=Y   (GB = 1e9 bytes)
// The loop has four independent accumulators and no stores, so g++ -O3 -march=native
// vectorizes it to one load and one add per 32 (AVX2) or 64 (AVX-512) bytes: the core is
// never the limit. Build: g++ -O3 -march=native -pthread read_bandwidth.cpp
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

uint64_t sumSlice(const uint64_t *p, size_t n) {
  uint64_t a = 0, b = 0, c = 0, d = 0;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    a += p[i];
    b += p[i + 1];
    c += p[i + 2];
    d += p[i + 3];
  }
  for (; i < n; ++i) a += p[i];
  return a + b + c + d;
}

// One pass over the array with `threads` threads; returns seconds. The sums are kept
// (sink) so that the compiler cannot drop the loads.
double pass(const uint64_t *data, size_t words, int threads, uint64_t &sink) {
  std::vector<uint64_t> sums(threads, 0);
  std::vector<std::thread> pool;
  auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < threads; ++t) {
    size_t begin = words * t / threads, end = words * (t + 1) / threads;
    pool.emplace_back([&, t, begin, end] { sums[t] = sumSlice(data + begin, end - begin); });
  }
  for (auto &th : pool) th.join();
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (uint64_t v : sums) sink += v;
  return s;
}

[[noreturn]] void usage(const char *msg) {
  std::fprintf(stderr, "read_bandwidth: %s\nusage: read_bandwidth [--threads T] [--mib M] [--repeats R]\n", msg);
  std::exit(2);
}

}  // namespace

int main(int argc, char **argv) {
  int threads = 1, repeats = 10;
  long mib = 1024;
  for (int i = 1; i < argc; i += 2) {
    if (i + 1 >= argc) usage("missing value");
    std::string key = argv[i];
    long v = std::strtol(argv[i + 1], nullptr, 10);
    if (v <= 0) usage(("bad value for " + key).c_str());
    if (key == "--threads") threads = int(v);
    else if (key == "--mib") mib = v;
    else if (key == "--repeats") repeats = int(v);
    else usage(("unknown option " + key).c_str());
  }
  size_t words = size_t(mib) * (1 << 20) / sizeof(uint64_t);
  std::vector<uint64_t> data(words);
  for (size_t i = 0; i < words; ++i) data[i] = i * 0x9E3779B97F4A7C15ull;  // not zero pages
  uint64_t sink = 0;
  pass(data.data(), words, threads, sink);  // warm-up
  std::vector<double> gbs;
  for (int r = 0; r < repeats; ++r)
    gbs.push_back(double(words * sizeof(uint64_t)) / pass(data.data(), words, threads, sink) / 1e9);
  std::sort(gbs.begin(), gbs.end());
  std::printf("read_bandwidth threads=%d mib=%ld best_gbs=%.2f median_gbs=%.2f (checksum %llu)\n", threads, mib,
              gbs.back(), gbs[gbs.size() / 2], (unsigned long long)(sink & 0xffff));
  return 0;
}
