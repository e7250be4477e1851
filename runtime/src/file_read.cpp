// Why several threads read a package in: most of a large read into fresh anonymous memory
// is the kernel clearing each new page on its first touch (clear_page in a profile of
// `edgec run` on an LLM package), and on a VM the host backing that page too, both on the
// thread that touches it. Threads touching disjoint shares do that work on their own
// cores. Reading Qwen2.5-1.5B's Q4_0 package (869 MB) into 2 MiB pages on a 2-vCPU VM,
// alternated (docs/gguf-performance-log.md, twenty-ninth session): 0.36-0.47 s with one thread and
// 0.21-0.28 with two when the memory was touched just before, 3.3-3.8 s and 1.9-2.0 s
// after 12 idle seconds (the host had taken the freed pages back).
#include "file_read.h"

#include <sched.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace edgec::rt {

namespace {

std::string mebibytes(size_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MiB", double(bytes) / (1024.0 * 1024.0));
  return text;
}

// [begin, end) of fd into dst + begin; an empty string, or why not.
std::string readRange(int fd, uint8_t *dst, size_t begin, size_t end) {
  for (size_t done = begin; done < end;) {
    const ssize_t n = ::pread(fd, dst + done, std::min<size_t>(end - done, size_t(1) << 30), off_t(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::string("cannot read: ") + std::strerror(errno);
    if (n == 0) return "the file shrank while being read";
    done += size_t(n);
  }
  return {};
}

}  // namespace

int loadThreads(size_t size) {
  cpu_set_t set;
  int cpus = 1;
  if (::sched_getaffinity(0, sizeof set, &set) == 0) cpus = std::max(1, CPU_COUNT(&set));
  const size_t bySize = std::max<size_t>(1, size / kLoadBytesPerThread);
  return int(std::min<size_t>({size_t(cpus), size_t(kMaxLoadThreads), bySize}));
}

uint8_t *readIntoAnonymousMemory(int fd, size_t size, int threads, std::string &error) {
  void *p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    error = "cannot allocate " + mebibytes(size) + " to read it into: " + std::strerror(errno);
    return nullptr;
  }
  auto *bytes = static_cast<uint8_t *>(p);
  (void)::madvise(p, size, MADV_HUGEPAGE);  // advice only: fine where THP is off
  // Share t: [bound(t), bound(t + 1)), its ends on 2 MiB boundaries of the address space,
  // so that no huge page is touched by two threads (whether or not the kernel started the
  // mapping on one).
  constexpr uintptr_t kHugePage = uintptr_t(2) << 20;
  const size_t count = size_t(std::max(1, threads));
  const uintptr_t base = reinterpret_cast<uintptr_t>(bytes);
  auto bound = [&](size_t t) -> size_t {
    if (t == 0 || t == count) return t == 0 ? 0 : size;
    const uintptr_t at = (base + size * t / count) & ~(kHugePage - 1);
    return at <= base ? 0 : std::min<size_t>(size, at - base);
  };
  std::vector<std::string> errors(count);
  std::vector<std::thread> readers;
  for (size_t t = 1; t < count; ++t) {
    try {
      readers.emplace_back([&, t] { errors[t] = readRange(fd, bytes, bound(t), bound(t + 1)); });
    } catch (const std::system_error &) {  // no thread to be had: the caller reads the share
      errors[t] = readRange(fd, bytes, bound(t), bound(t + 1));
    }
  }
  errors[0] = readRange(fd, bytes, 0, bound(1));
  for (std::thread &r : readers) r.join();
  for (const std::string &e : errors)
    if (!e.empty()) {
      error = e;
      ::munmap(p, size);
      return nullptr;
    }
  (void)::mprotect(p, size, PROT_READ);  // constants are read-only, as in a mapping
  return bytes;
}

}  // namespace edgec::rt
