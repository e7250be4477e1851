// The quantized Add over runs of codes, for the int8 Conv's fused residual Add
// (x86/qgemm_driver.inc, edge-fuse-conv-residual): the x86 Add kernel's own vector loop
// (addVec in x86/qelementwise_*.cpp), a run's tail through one zero-padded block of that
// loop, so that every code has the bits of the Add kernel and of ref (quantAddCode). One
// per ISA file, to be called only on a CPU with that level.
#pragma once

#include <cstdint>

#include "ref/quant_elementwise.h"

namespace edgec::rt::x86 {

class QuantAddRuns {
public:
  virtual ~QuantAddRuns() = default;
  // y[i] = Add(a[i], b[i]) for i < n, with the dtypes of the parameters (at, bt, yt);
  // y may be a.
  virtual void run(const void *a, const void *b, void *y, int64_t n) const = 0;
};

// The Add of `p` (quantAddParams) at each level; the caller deletes it.
QuantAddRuns *newQuantAddRunsAvx2(const ref::QuantBinaryParams &p);
QuantAddRuns *newQuantAddRunsAvx512(const ref::QuantBinaryParams &p);

// y[i] = table[y[i]] for i < n, in place: the int8 Conv's fused table (edge-fuse-conv-
// table) on the codes it just stored, by the x86 table kernel's lookup (AVX-512: four
// vpermt2b tables where the CPU has AVX512_VBMI, else as AVX2: byte by byte).
void lookupCodesAvx2(const uint8_t *table, uint8_t *y, int64_t n);
void lookupCodesAvx512(const uint8_t *table, uint8_t *y, int64_t n);

}  // namespace edgec::rt::x86
