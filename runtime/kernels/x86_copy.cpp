// The x86 mover (x86_copy.h). Baseline code: block copies, fills and index arithmetic;
// the only ISA code it calls is the AVX2 32-bit and byte transposes (x86/transpose_avx2.cpp), and
// only the x86-avx2 level registers it.
#include "x86_copy.h"

#include <algorithm>
#include <cstring>

#include "ref/util.h"
#include "x86/transpose.h"

namespace edgec::rt::x86 {
namespace {

using Loop = ref::StridedLoop<2>;

// Copies of at least this many bytes per thread are split over the run's threads (a
// copy moves several GB/s; waking a thread costs microseconds).
constexpr int64_t kMinBytesPerThread = 64 * 1024;

// The loop's dims other than `skipA` and `skipB` (-1: none), outermost first.
struct OuterDims {
  std::vector<int64_t> shape, outStride, inStride;
  OuterDims(const Loop &loop, int skipA, int skipB) {
    for (int d = 0; d < static_cast<int>(loop.shape.size()); ++d) {
      if (d == skipA || d == skipB) continue;
      shape.push_back(loop.shape[d]);
      outStride.push_back(loop.strides[0][d]);
      inStride.push_back(loop.strides[1][d]);
    }
  }
  // fn(outOffset, inOffset) for every index of these dims, from the loop's base.
  template <typename Fn> void forEach(const Loop &loop, Fn &&fn) const {
    const int n = static_cast<int>(shape.size());
    if (n <= 2) {  // plain loops (an attention head mover's 16-byte rows: [S, H, D] <-> [H, S, D])
      const int64_t A = n == 2 ? shape[0] : 1, B = n >= 1 ? shape[n - 1] : 1;
      const int64_t oa = n == 2 ? outStride[0] : 0, ia = n == 2 ? inStride[0] : 0;
      const int64_t ob = n >= 1 ? outStride[n - 1] : 0, ib = n >= 1 ? inStride[n - 1] : 0;
      for (int64_t a = 0; a < A; ++a)
        for (int64_t b = 0, o = loop.base[0] + a * oa, i = loop.base[1] + a * ia; b < B; ++b, o += ob, i += ib)
          fn(o, i);
      return;
    }
    std::vector<int64_t> idx(n, 0);
    int64_t o = loop.base[0], i = loop.base[1];
    while (true) {
      fn(o, i);
      int d = n - 1;
      for (; d >= 0; --d) {
        o += outStride[d];
        i += inStride[d];
        if (++idx[d] < shape[d]) break;
        o -= outStride[d] * shape[d];
        i -= inStride[d] * shape[d];
        idx[d] = 0;
      }
      if (d < 0) return;
    }
  }
};

// dst[a * dstStep + b] = src[a + b * srcStep] in square blocks, so that both sides stay
// in cache lines already loaded.
template <typename T> void transposeBlocked(const T *src, int64_t srcStep, T *dst, int64_t dstStep, int64_t A, int64_t B) {
  if constexpr (sizeof(T) == 4) {
    transpose32Avx2(src, srcStep, dst, dstStep, A, B);
  } else if constexpr (sizeof(T) == 1) {
    transpose8Avx2(src, srcStep, dst, dstStep, A, B);
  } else {
    constexpr int64_t kBlock = 16;
    for (int64_t a0 = 0; a0 < A; a0 += kBlock)
      for (int64_t b0 = 0; b0 < B; b0 += kBlock) {
        const int64_t aEnd = std::min(A, a0 + kBlock), bEnd = std::min(B, b0 + kBlock);
        for (int64_t a = a0; a < aEnd; ++a)
          for (int64_t b = b0; b < bEnd; ++b) dst[a * dstStep + b] = src[a + b * srcStep];
      }
  }
}

template <typename T> void copySerial(const Loop &loop, T *out, const T *in) {
  const int rank = static_cast<int>(loop.shape.size());
  if (rank == 0) {
    out[loop.base[0]] = in[loop.base[1]];
    return;
  }
  for (int64_t d : loop.shape)
    if (d == 0) return;
  const int inner = rank - 1;
  const int64_t n = loop.shape[inner], outStep = loop.strides[0][inner], inStep = loop.strides[1][inner];
  if (outStep == 1 && inStep == 1) {
    const size_t bytes = static_cast<size_t>(n) * sizeof(T);
    if (bytes == 16) {  // an int8 attention head's row: one inlined 16-byte move, no memcpy call
      OuterDims(loop, inner, -1).forEach(loop, [&](int64_t o, int64_t i) { std::memcpy(out + o, in + i, 16); });
      return;
    }
    OuterDims(loop, inner, -1).forEach(loop, [&](int64_t o, int64_t i) { std::memcpy(out + o, in + i, bytes); });
    return;
  }
  if (outStep == 1 && inStep == 0) {  // Expand/Tile: one input element along the run
    OuterDims(loop, inner, -1).forEach(loop, [&](int64_t o, int64_t i) { std::fill(out + o, out + o + n, in[i]); });
    return;
  }
  // The output runs along `inner`, the input along dim j: 2-D transposes over (j, inner).
  int j = -1;
  for (int d = 0; d < inner && outStep == 1; ++d)
    if (loop.strides[1][d] == 1) j = d;
  if (j >= 0) {
    const int64_t A = loop.shape[j], dstStep = loop.strides[0][j];
    OuterDims(loop, j, inner).forEach(loop, [&](int64_t o, int64_t i) {
      transposeBlocked(in + i, inStep, out + o, dstStep, A, n);
    });
    return;
  }
  OuterDims(loop, inner, -1).forEach(loop, [&](int64_t o, int64_t i) {
    for (int64_t k = 0; k < n; ++k) out[o + k * outStep] = in[i + k * inStep];
  });
}

void copyPart(const Loop &loop, size_t elementBytes, void *out, const void *in) {
  switch (elementBytes) {
  case 1: return copySerial(loop, static_cast<uint8_t *>(out), static_cast<const uint8_t *>(in));
  case 2: return copySerial(loop, static_cast<uint16_t *>(out), static_cast<const uint16_t *>(in));
  case 4: return copySerial(loop, static_cast<uint32_t *>(out), static_cast<const uint32_t *>(in));
  case 8: return copySerial(loop, static_cast<uint64_t *>(out), static_cast<const uint64_t *>(in));
  }
}

}  // namespace

void stridedCopy(const RunContext &ctx, const Loop &loop, size_t elementBytes, void *out, const void *in) {
  int64_t numel = 1;
  for (int64_t d : loop.shape) numel *= d;
  const int64_t bytes = numel * static_cast<int64_t>(elementBytes);
  if (ctx.threads <= 1 || loop.shape.empty() || bytes < 2 * kMinBytesPerThread) {
    copyPart(loop, elementBytes, out, in);
    return;
  }
  // Each part moves its own output elements: the bytes do not depend on the split.
  const int64_t partBytes = bytes / loop.shape[0];
  const int64_t grain = std::max<int64_t>(1, kMinBytesPerThread / std::max<int64_t>(partBytes, 1));
  ctx.parallelFor(loop.shape[0], grain,
                  [&](int64_t begin, int64_t end, int) { copyPart(loop.slice(begin, end), elementBytes, out, in); });
}

}  // namespace edgec::rt::x86
