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
// GGUF GEMVs' chunks became one range a thread, docs/gguf-performance-log.md sixteenth session) claim
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

// The items of a run of ThreadPool::runItems (RunContext::parallelItems) that one task
// takes, one at a time: first its own contiguous range front to back, as a static split
// would hand it out, then, once that is empty, the back half of the range of whichever
// thread has the most left (taken over as its own range, which may in turn lose its back
// half to another thread). A thread slowed by another process on its core, or given the
// larger share of a split that cannot be even, hands its last items to the one that is
// done, while on equal cores each thread keeps its own range and the data it wrote.
// Each range is one atomic word in its own cache line, so the owner's claims stay on its
// core; only a steal moves a line between cores.
class WorkItems {
public:
  // A range this task alone takes, with no other threads to balance against.
  WorkItems(int64_t begin, int64_t end) : front_(begin), end_(end) {}
  // The next item, true; false when every item of the run has been claimed (those still
  // running finish before the run returns).
  bool next(int64_t &item);

private:
  friend class ThreadPool;
  struct alignas(64) Range {
    std::atomic<uint64_t> bounds{0};  // tag << 48 | front << 24 | end
  };
  static constexpr int kBits = 24;
  static constexpr uint64_t kMask = (uint64_t(1) << kBits) - 1;
  WorkItems(Range *ranges, int count, int self, uint64_t tag) : ranges_(ranges), count_(count), self_(self), tag_(tag) {}
  bool steal(int64_t &item);

  Range *ranges_ = nullptr;  // null: [front_, end_) is this task's alone
  int count_ = 0, self_ = 0;
  uint64_t tag_ = 0;  // this run's, in the top 16 bits of a range word
  int64_t front_ = 0, end_ = 0;
};

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
  // Runs `tasks` tasks (at most size()), each fn(items, thread) taking items of [0, count)
  // from a WorkItems: task t's own range is [count t / tasks, count (t + 1) / tasks), or
  // [starts[t], starts[t + 1]) where `starts` (tasks + 1 bounds from 0 to count, in order)
  // is given, and it takes the others' last items once its own are done. Every item is
  // taken once. From kMaxItems items (2^24, more than a range word holds) each task takes
  // its own range only.
  static constexpr int64_t kMaxItems = int64_t(1) << 24;
  void runItems(int64_t count, int tasks, const std::function<void(WorkItems &items, int thread)> &fn,
                const int64_t *starts = nullptr);

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
  // runItems: each task's range, and the caller's count of such runs (the words' tag).
  std::unique_ptr<WorkItems::Range[]> ranges_;
  uint64_t itemRuns_ = 0;
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
