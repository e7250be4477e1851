#include "thread_pool.h"

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

ThreadPool::ThreadPool(int threads) {
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

// Claims and runs tasks until none are left; remembers the first exception.
void ThreadPool::drain(int thread) {
  for (int64_t i = next_.fetch_add(1); i < count_; i = next_.fetch_add(1)) {
    try {
      (*task_)(i, thread);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!error_) error_ = std::current_exception();
    }
    if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard<std::mutex> lock(mutex_);  // the caller may be about to sleep
      finished_.notify_one();
    }
  }
}

void ThreadPool::work(int thread) {
  uint64_t seen = 0;
  for (;;) {
    for (int i = 0; i < kSpins && generation_.load(std::memory_order_relaxed) == seen; ++i) cpuRelax();
    {
      // Registering under the lock: the caller rewrites a run's fields only under the
      // lock and only while no worker is registered.
      std::unique_lock<std::mutex> lock(mutex_);
      if (!stop_ && generation_.load(std::memory_order_relaxed) == seen) {
        ++sleepers_;
        wake_.wait(lock, [&] { return stop_ || generation_.load(std::memory_order_relaxed) != seen; });
        --sleepers_;
      }
      if (stop_) return;
      seen = generation_.load(std::memory_order_relaxed);
      active_.fetch_add(1, std::memory_order_relaxed);
    }
    drain(thread);
    active_.fetch_sub(1, std::memory_order_release);
  }
}

void ThreadPool::run(int64_t count, const std::function<void(int64_t, int)> &task) {
  if (count <= 0) return;
  if (workers_.empty() || count == 1) {
    for (int64_t i = 0; i < count; ++i) task(i, 0);
    return;
  }
  bool notify = false;
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
    generation_.fetch_add(1, std::memory_order_release);
    notify = sleepers_ > 0;
  }
  if (notify) wake_.notify_all();
  drain(0);
  for (int i = 0; i < kSpins && remaining_.load(std::memory_order_acquire) != 0; ++i) cpuRelax();
  std::unique_lock<std::mutex> lock(mutex_);
  finished_.wait(lock, [&] { return remaining_.load(std::memory_order_acquire) == 0; });
  if (error_) std::rethrow_exception(error_);
}

int defaultThreadCount() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

}  // namespace edgec::rt
