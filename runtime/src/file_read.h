// Reading a package file into the process's own memory (the weights' "copied" residency),
// with several threads. Internal to the runtime (package.cpp); its own file so that tests
// can read with a chosen thread count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace edgec::rt {

// The threads reading `size` bytes use: one per CPU this process may run on (its
// affinity, as taskset sets it), at most kMaxLoadThreads, and no more than one per
// kLoadBytesPerThread bytes, so that a small package is read by the calling thread alone.
constexpr int kMaxLoadThreads = 8;
constexpr size_t kLoadBytesPerThread = size_t(32) << 20;
int loadThreads(size_t size);

// Bytes [0, size) of `fd` read into fresh anonymous memory, left read-only: reclaimers of
// file pages (the page cache's LRU, DAMON's pageout of non-anonymous pages) never take
// this copy back, so the weights are not read from disk again in the middle of a run;
// huge pages where the kernel allows them, as the large weight streams of an LLM's decode
// then read fewer TLB entries. `threads` threads each read one contiguous share (whole
// 2 MiB pages of the address space, but at the ends). Null with `error` set on failure
// (the memory freed).
uint8_t *readIntoAnonymousMemory(int fd, size_t size, int threads, std::string &error);

}  // namespace edgec::rt
