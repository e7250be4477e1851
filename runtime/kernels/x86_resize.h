// The x86 f32 Resize for the common CNN cases (issue 8): a baseline kernel class
// (x86_resize.cpp) that takes ref's Resize plan (ref/resample.h: the taps and weights of
// every output row and column, ref's own arithmetic) and turns the last two dims' into
// tables, and an ISA function (x86/resize_f32_avx2.cpp) that runs output rows on them.
//
// Taken (acceptsResizeF32): f32, 4-D NCHW, only H and W resized (N and C scale 1),
// mode linear or nearest, coordinate_transformation_mode half_pixel, pytorch_half_pixel,
// align_corners or asymmetric (any nearest_mode), constant scales (attributes, no roi,
// scales or sizes input), no exclude_outside. Everything else stays on ref.
//
// Plain declarations only: this header is included by ISA and baseline files alike (see
// docs/architecture.md on ISA files).
#pragma once

#include <cstdint>

#include "kernel.h"

namespace edgec::rt::x86 {

// The tables of one Resize as the ISA code sees them. Output columns come in blocks of
// 8; a block's taps are read either from one 8-float window of the source row starting
// at column blockBase[b] (indices relative to it, a permute), or, where blockBase[b] is
// -1, by a gather (absolute indices). Lanes past OW have index 0 (of the window, or of
// the row) and weight 0, and are never stored.
struct ResizeRowsF32 {
  const float *x = nullptr;
  float *y = nullptr;
  int64_t H = 0, W = 0, OH = 0, OW = 0;
  int th = 1, tw = 1;              // taps per output row and per output column: 1 or 2
  bool copy = false;               // one tap each and no arithmetic (ref copies the elements)
  const int64_t *rowOffset = nullptr;  // [OH][th]: source row times W
  const double *rowWeight = nullptr;   // [OH][th]
  int64_t blocks = 0;                  // ceil(OW / 8)
  const int32_t *blockBase = nullptr;  // [blocks]
  const int32_t *colIndex = nullptr;   // [blocks][tw][8]
  const double *colWeight = nullptr;   // [blocks][tw][8]
};

// Whether the x86 Resize takes the call (above).
bool acceptsResizeF32(const KernelSignature &sig);
// Baseline factory (x86_resize.cpp), registered at x86-avx2 by registry.cpp.
Kernel *newX86Avx2ResizeF32();
// ISA code (x86/resize_f32_avx2.cpp): output rows [begin, end) of the N·C·OH rows.
void resizeRowsF32Avx2(const ResizeRowsF32 &p, int64_t begin, int64_t end);

}  // namespace edgec::rt::x86
