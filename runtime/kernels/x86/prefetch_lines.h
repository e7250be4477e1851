// Prefetching a kernel's next item ahead of time, for kernels split between threads: an
// item's input lines were often written by the other core (the kernel before split its
// work differently) and its output lines last written by whichever kernel used those
// arena bytes, so each line is a cross-core transfer (0.5-8 us on far vCPUs) that one
// item at a time left exposed (docs/quantization.md and docs/performance.md, ninth and
// tenth sessions). Baseline code: callable from any x86 kernel.
#pragma once

#include <cstdint>

namespace edgec::rt::x86 {

// prefetcht0 of every 64th byte of [p, p + bytes).
void prefetchForRead(const void *p, int64_t bytes);
// PREFETCHW (the line's ownership, for a store) of every 64th byte of [p, p + bytes); a
// no-op on CPUs without it (Intel before Broadwell).
void prefetchForWrite(const void *p, int64_t bytes);

}  // namespace edgec::rt::x86
