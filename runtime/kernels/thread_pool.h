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
//
// Runs of at most one task a thread (every parallelFor) hand task t to thread t: the
// caller publishes the run in one atomic word, each worker claims its own task in its own
// cache line and marks it done there, and the caller, after its task 0, takes any task
// whose worker has not claimed it yet (asleep, or not scheduled), so a missing worker
// never holds a run up. That is a few cache lines between the cores a run, where claiming
// tasks from shared counters under a mutex moved about fifteen: 2.2-2.8 us a hand-off on
// this VM's far cores against 0.8-0.9 for a bare flag each way (docs/quantization.md), and
// a CNN runs ~50-100 parallel kernels. Task t also stays on the same core from kernel to
// kernel, with the data it wrote. Runs of more tasks than threads (no kernel's since the
// GGUF GEMVs' chunks became one range a thread, docs/gguf.md sixteenth session) claim
// them from shared counters.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
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
  void runOwnTasks(int64_t count, const std::function<void(int64_t, int)> &task);
  void runOwnTask(int thread, uint64_t generation, int64_t count);
  void runTask(const std::function<void(int64_t, int)> &task, int64_t index, int thread);

  // The published run: generation << kGenerationShift, plus kOwnTasks | count for a run
  // of one task a thread. Only the caller writes it; workers wait for its generation to
  // change.
  static constexpr int kGenerationShift = 20;
  static constexpr uint64_t kOwnTasks = uint64_t(1) << 19, kCountMask = kOwnTasks - 1;
  // A task's state in a run of one task a thread: generation << 2 | kClaimed or kDone.
  static constexpr uint64_t kClaimed = 1, kDone = 2;
  struct alignas(64) TaskState {
    std::atomic<uint64_t> state{0};
  };

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_, finished_;
  alignas(64) std::atomic<uint64_t> job_{0};
  uint64_t generation_ = 0;  // the caller's count of runs
  // A run of one task a thread: its task (read by a worker only after it claimed its
  // own, so before the run can end) and each thread's task state, a cache line each.
  const std::function<void(int64_t, int)> *ownTask_ = nullptr;
  std::unique_ptr<TaskState[]> own_;
  // A run of more tasks, written under mutex_ while no worker is registered in it
  // (active_ is 0), then published in job_.
  const std::function<void(int64_t, int)> *task_ = nullptr;
  int64_t count_ = 0;
  alignas(64) std::atomic<int64_t> next_{0};  // the next task index to claim
  std::atomic<int64_t> remaining_{0};         // tasks not finished yet
  std::atomic<int> active_{0};                // workers registered in the current run (under mutex_)
  std::atomic<int> sleepers_{0};              // workers waiting on wake_
  bool stop_ = false;
  std::exception_ptr error_;  // under mutex_
};

// The number of threads a session uses when the caller does not say: the CPU's cores.
int defaultThreadCount();

}  // namespace edgec::rt
