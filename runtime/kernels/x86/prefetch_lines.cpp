#include "x86/prefetch_lines.h"

namespace edgec::rt::x86 {

void prefetchForRead(const void *p, int64_t bytes) {
  const char *c = static_cast<const char *>(p);
  for (int64_t k = 0; k < bytes; k += 64) __builtin_prefetch(c + k, 0, 3);
}

void prefetchForWrite(const void *p, int64_t bytes) {
  const char *c = static_cast<const char *>(p);
  // By its encoding: GCC emits PREFETCHW for __builtin_prefetch(p, 1) only with -mprfchw.
  for (int64_t k = 0; k < bytes; k += 64) asm volatile("prefetchw %0" : : "m"(c[k]));
}

}  // namespace edgec::rt::x86
