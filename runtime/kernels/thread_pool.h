// A small fixed-size thread pool for kernels (see RunContext in kernel.h).
//
// Our own rather than pthreadpool: kernels need the index of the thread a task runs on
// (to use that thread's scratch region), which Debian 12's pthreadpool (2021) exposes
// only for some of its parallelize variants; and this is ~150 lines with no dependency
// to ship, build for aarch64 or keep in sync. The calling thread takes part in every run,
// so a pool of N threads starts N - 1 workers.
//
// A model runs dozens of parallel kernels back to back, so waking workers through a
// condition variable for each (tens of microseconds) would eat the gain on small layers.
// Workers and the caller therefore spin briefly on atomics before they sleep, as
// OpenMP runtimes and XNNPACK's pthreadpool do.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace edgec::rt {

class ThreadPool {
public:
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }
  // Runs task(i, thread) for every i in [0, count), spread over the pool's threads (the
  // caller is thread 0); returns when all are done. The first exception is rethrown here.
  // One run at a time: a session runs its kernels one after another.
  void run(int64_t count, const std::function<void(int64_t index, int thread)> &task);

private:
  void work(int thread);
  void drain(int thread);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_, finished_;
  // The current run, written under mutex_ while no worker is registered in it (active_
  // is 0), then published by incrementing generation_.
  const std::function<void(int64_t, int)> *task_ = nullptr;
  int64_t count_ = 0;
  std::atomic<int64_t> next_{0};       // the next task index to claim
  std::atomic<int64_t> remaining_{0};  // tasks not finished yet
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> active_{0};  // workers registered in the current run (under mutex_)
  int sleepers_ = 0;            // workers waiting on wake_ (under mutex_)
  bool stop_ = false;
  std::exception_ptr error_;
};

// The number of threads a session uses when the caller does not say: the CPU's cores.
int defaultThreadCount();

}  // namespace edgec::rt
