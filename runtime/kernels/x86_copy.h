// The x86 mover of the kernels that only move elements (Transpose, Slice, Expand, Tile,
// DepthToSpace, SpaceToDepth: ref/util.h StridedCopyKernel). registry.cpp registers those
// kernels at the x86-avx2 level with it; their prepare is ref's, so the calls they take
// and the errors they give are ref's, and the bytes they write are too.
//
// How it moves (x86_copy.cpp, baseline code): contiguous runs as block copies; a run
// that reads the input with a stride, when another dim reads it contiguously, as tiled
// 2-D transposes over those two dims (32-bit elements with AVX2 8x8 register transposes,
// x86/transpose_avx2.cpp); a broadcast run as a fill; copies of 64 KiB and more split over
// the run context's threads along the outermost dim.
#pragma once

#include <cstddef>

#include "register_kernels.h"

namespace edgec::rt::x86 {

void stridedCopy(const RunContext &ctx, const ref::StridedLoop<2> &loop, size_t elementBytes, void *out,
                 const void *in);

}  // namespace edgec::rt::x86
