// A team of T threads for the streaming microbenchmarks (read_bandwidth.cpp,
// gemv_streams.cpp): the calling thread runs share 0 of a pass, T - 1 others wait,
// spinning, for the pass to be released (no sleep and wake-up inside the timed span, and
// no thread spinning on a core another one reads on); a pass is timed from the release to
// the last share's end. Header-only and standard C++ only: bench_llm.py builds
// read_bandwidth.cpp alone with g++.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <thread>
#include <vector>

class SpinTeam {
 public:
  // share(t, T): thread t's part of a pass.
  using Share = std::function<void(int t, int threads)>;

  explicit SpinTeam(int threads) : n_(threads), ends_(threads) {
    for (int t = 1; t < n_; ++t) pool_.emplace_back([this, t] { loop(t); });
  }
  ~SpinTeam() {
    job_ = nullptr;
    gen_.fetch_add(1, std::memory_order_release);
    for (auto &th : pool_) th.join();
  }
  int threads() const { return n_; }

  // Runs `share` on every thread; returns the pass's seconds.
  double pass(const Share &share) {
    job_ = &share;
    done_.store(0);
    const auto start = std::chrono::steady_clock::now();
    gen_.fetch_add(1, std::memory_order_release);
    run(0);
    while (done_.load(std::memory_order_acquire) < n_) {
    }
    return std::chrono::duration<double>(*std::max_element(ends_.begin(), ends_.end()) - start).count();
  }

 private:
  void loop(int t) {
    uint64_t seen = 0;
    for (;;) {
      uint64_t g;
      while ((g = gen_.load(std::memory_order_acquire)) == seen) {
      }
      seen = g;
      if (!job_) return;
      run(t);
    }
  }
  void run(int t) {
    (*job_)(t, n_);
    ends_[t] = std::chrono::steady_clock::now();
    done_.fetch_add(1, std::memory_order_release);
  }
  int n_;
  std::vector<std::thread> pool_;
  std::vector<std::chrono::steady_clock::time_point> ends_;
  std::atomic<uint64_t> gen_{0};
  std::atomic<int> done_{0};
  const Share *job_ = nullptr;
};
