#include "thread_pool.h"

#include <algorithm>
#include <cstdlib>

namespace edgec::rt {

namespace {
// Spin iterations before sleeping (a few tens of microseconds).
constexpr int kSpins = 4000;

inline void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}
}  // namespace

ThreadPool::ThreadPool(int threads)
    : own_(new TaskState[threads > 1 ? threads : 1]), ranges_(new WorkItems::Range[threads > 1 ? threads : 1]) {
  for (int t = 1; t < threads; ++t) workers_.emplace_back([this, t] { work(t); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (std::thread &w : workers_) w.join();
}

namespace {
uint64_t generationOf(uint64_t job, int shift) { return job >> shift; }
}  // namespace

void ThreadPool::runTask(const std::function<void(int64_t, int)> &task, int64_t index, int thread) {
  try {
    task(index, thread);
  } catch (...) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!error_) error_ = std::current_exception();
  }
}

// Claims and runs tasks until none are left; remembers the first exception.
void ThreadPool::drain(int thread) {
  for (int64_t i = next_.fetch_add(1); i < count_; i = next_.fetch_add(1)) {
    runTask(*task_, i, thread);
    if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard<std::mutex> lock(mutex_);  // the caller may be about to sleep
      finished_.notify_one();
    }
  }
}

// A worker's own task of a run of one task a thread, unless the caller took it first.
// A successful claim means the run has not ended (it ends only when this task is done),
// so ownTask_ is still this run's.
void ThreadPool::runOwnTask(int thread, uint64_t generation, int64_t count) {
  if (thread >= count) return;
  std::atomic<uint64_t> &state = own_[thread].state;
  uint64_t seen = state.load(std::memory_order_relaxed);
  if ((seen >> 2) >= generation ||
      !state.compare_exchange_strong(seen, generation << 2 | kClaimed, std::memory_order_acq_rel))
    return;
  runTask(*ownTask_, thread, thread);
  state.store(generation << 2 | kDone, std::memory_order_release);
}

void ThreadPool::work(int thread) {
  uint64_t seen = 0;  // the generation of the last run this worker looked at
  for (;;) {
    uint64_t job = job_.load(std::memory_order_acquire);
    for (int i = 0; i < kSpins && generationOf(job, kGenerationShift) == seen; ++i) {
      cpuRelax();
      job = job_.load(std::memory_order_acquire);
    }
    if (generationOf(job, kGenerationShift) == seen) {
      // Nothing new: sleep. sleepers_ is raised before job_ is checked again under the
      // lock, and the caller reads sleepers_ after publishing job_ (both seq_cst), so
      // either the caller notifies or this worker sees the new run.
      std::unique_lock<std::mutex> lock(mutex_);
      sleepers_.fetch_add(1, std::memory_order_seq_cst);
      wake_.wait(lock, [&] {
        return stop_ || generationOf(job_.load(std::memory_order_seq_cst), kGenerationShift) != seen;
      });
      sleepers_.fetch_sub(1, std::memory_order_relaxed);
      if (stop_) return;
      job = job_.load(std::memory_order_acquire);
    }
    seen = generationOf(job, kGenerationShift);
    if (job & kOwnTasks) {
      runOwnTask(thread, seen, static_cast<int64_t>(job & kCountMask));
      continue;
    }
    {
      // Registering under the lock, and only in the run still published: the caller
      // rewrites a run's fields only under the lock and only while no worker is
      // registered.
      std::lock_guard<std::mutex> lock(mutex_);
      if (stop_) return;
      if (job_.load(std::memory_order_relaxed) != job) continue;
      active_.fetch_add(1, std::memory_order_relaxed);
    }
    drain(thread);
    active_.fetch_sub(1, std::memory_order_release);
  }
}

void ThreadPool::runOwnTasks(int64_t count, const std::function<void(int64_t, int)> &task) {
  ownTask_ = &task;
  const uint64_t generation = ++generation_;
  job_.store(generation << kGenerationShift | kOwnTasks | static_cast<uint64_t>(count), std::memory_order_seq_cst);
  if (sleepers_.load(std::memory_order_seq_cst) > 0) {
    { std::lock_guard<std::mutex> lock(mutex_); }
    wake_.notify_all();
  }
  runTask(task, 0, 0);
  // Tasks whose workers have not claimed them yet: the caller's.
  for (int64_t t = 1; t < count; ++t) {
    std::atomic<uint64_t> &state = own_[t].state;
    uint64_t seen = state.load(std::memory_order_acquire);
    if ((seen >> 2) < generation &&
        state.compare_exchange_strong(seen, generation << 2 | kClaimed, std::memory_order_acq_rel)) {
      runTask(task, t, 0);
      state.store(generation << 2 | kDone, std::memory_order_release);
    }
  }
  for (int64_t t = 1; t < count; ++t) {
    const uint64_t done = generation << 2 | kDone;
    for (int i = 0; own_[t].state.load(std::memory_order_acquire) != done; ++i) {
      if (i < kSpins)
        cpuRelax();
      else
        std::this_thread::yield();
    }
  }
  std::exception_ptr error;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    std::swap(error, error_);
  }
  if (error) std::rethrow_exception(error);
}

void ThreadPool::run(int64_t count, const std::function<void(int64_t, int)> &task) {
  if (count <= 0) return;
  if (workers_.empty() || count == 1) {
    for (int64_t i = 0; i < count; ++i) task(i, 0);
    return;
  }
  if (count <= size()) return runOwnTasks(count, task);
  {
    // Workers still registered in the previous run (they found nothing left to claim)
    // leave before this run's fields change.
    std::unique_lock<std::mutex> lock(mutex_);
    while (active_.load(std::memory_order_acquire) != 0) {
      lock.unlock();
      cpuRelax();
      lock.lock();
    }
    task_ = &task;
    count_ = count;
    error_ = nullptr;
    next_.store(0, std::memory_order_relaxed);
    remaining_.store(count, std::memory_order_relaxed);
    job_.store(++generation_ << kGenerationShift, std::memory_order_seq_cst);
  }
  if (sleepers_.load(std::memory_order_seq_cst) > 0) wake_.notify_all();
  drain(0);
  for (int i = 0; i < kSpins && remaining_.load(std::memory_order_acquire) != 0; ++i) cpuRelax();
  std::exception_ptr error;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    finished_.wait(lock, [&] { return remaining_.load(std::memory_order_acquire) == 0; });
    std::swap(error, error_);  // taken, so that no later run rethrows it
  }
  if (error) std::rethrow_exception(error);
}

namespace {
uint64_t packRange(uint64_t tag, int64_t front, int64_t end) {
  return tag << 48 | static_cast<uint64_t>(front) << 24 | static_cast<uint64_t>(end);
}
}  // namespace

// Claims are relaxed: an item's uniqueness needs only the read-modify-write's atomicity,
// and what the items write is published by the run's end (runOwnTasks), as for run().
bool WorkItems::next(int64_t &item) {
  if (!ranges_) {
    if (front_ >= end_) return false;
    item = front_++;
    return true;
  }
  std::atomic<uint64_t> &own = ranges_[self_].bounds;
  uint64_t v = own.load(std::memory_order_relaxed);
  for (;;) {
    const auto front = static_cast<int64_t>((v >> kBits) & kMask), end = static_cast<int64_t>(v & kMask);
    if (front >= end) return steal(item);
    if (own.compare_exchange_weak(v, v + (uint64_t(1) << kBits), std::memory_order_relaxed)) {
      item = front;
      return true;
    }
  }
}

// The back half (the larger half of an odd count) of the range with the most items left:
// its first item now, the rest as this task's range. A range whose word carries another
// run's tag is a task that has not started yet (its owner sets it first thing) or a word
// left from an earlier run: skipped.
bool WorkItems::steal(int64_t &item) {
  for (;;) {
    int victim = -1;
    uint64_t seen = 0;
    int64_t most = 0;
    for (int t = 0; t < count_; ++t) {
      const uint64_t v = ranges_[t].bounds.load(std::memory_order_relaxed);
      const int64_t left = static_cast<int64_t>(v & kMask) - static_cast<int64_t>((v >> kBits) & kMask);
      if (t != self_ && (v >> 48) == tag_ && left > most) victim = t, seen = v, most = left;
    }
    if (victim < 0) return false;
    const auto front = static_cast<int64_t>((seen >> kBits) & kMask), end = static_cast<int64_t>(seen & kMask);
    const int64_t first = end - (most + 1) / 2;
    if (!ranges_[victim].bounds.compare_exchange_strong(seen, packRange(tag_, front, first), std::memory_order_relaxed))
      continue;  // the owner claimed, or another thief stole, in between: look again
    // This task's word is empty and carries this run's tag, so no thief writes it.
    ranges_[self_].bounds.store(packRange(tag_, first + 1, end), std::memory_order_relaxed);
    item = first;
    return true;
  }
}

void ThreadPool::runItems(int64_t count, int tasks, const std::function<void(WorkItems &, int)> &fn,
                          const int64_t *starts) {
  if (count <= 0) return;
  const int T = starts ? tasks : static_cast<int>(std::min<int64_t>(std::max(tasks, 1), std::min<int64_t>(size(), count)));
  auto begin = [&](int64_t t) { return starts ? starts[t] : count * t / T; };
  // EDGEC_STATIC_SPLIT=1: each task takes its own range only (no range word can hold
  // kMaxItems or more items): to measure what the balancing gains.
  static const bool staticSplit = std::getenv("EDGEC_STATIC_SPLIT") != nullptr;
  if (T == 1 || T > size() || count >= kMaxItems || staticSplit) {
    run(T, [&](int64_t t, int thread) {
      WorkItems own(begin(t), begin(t + 1));
      fn(own, thread);
    });
    return;
  }
  const uint64_t tag = ++itemRuns_ % 0xffff + 1;  // never 0, the words' initial tag
  WorkItems::Range *ranges = ranges_.get();
  try {
    run(T, [&](int64_t t, int thread) {
      ranges[t].bounds.store(packRange(tag, begin(t), begin(t + 1)), std::memory_order_relaxed);
      WorkItems items(ranges, T, static_cast<int>(t), tag);
      fn(items, thread);
    });
  } catch (...) {
    // Items a failed task left in its range: cleared, so that no later run whose tag
    // comes round to this one's could take them.
    for (int t = 0; t < T; ++t) ranges[t].bounds.store(0, std::memory_order_relaxed);
    throw;
  }
}

int defaultThreadCount() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

}  // namespace edgec::rt
