// Packing and unpacking of the packed weight layouts (edgec/weight_layouts.h). Baseline
// code: the compiler, the loader, the session and the x86 kernels' fallback call it.
#include "edgec/weight_layouts.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "edgec/dtype_table.h"
#include "edgepkg_generated.h"

namespace edgec::layouts {

static_assert(uint8_t(Kind::I8W4) == uint8_t(pkg::LayoutKind::I8W4) &&
                  uint8_t(Kind::Int4Q8Tiles) == uint8_t(pkg::LayoutKind::Int4Q8Tiles) &&
                  uint8_t(Kind::I8ConvW4) == uint8_t(pkg::LayoutKind::I8ConvW4),
              "Kind mirrors pkg::LayoutKind");
static_assert(uint8_t(Kind::GgufRows16) == uint8_t(pkg::LayoutKind::GgufRows16), "Kind mirrors pkg::LayoutKind");

namespace {
int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

// GgufRows16: calls fn(from, to, len) for each run of row r's block in a full group: its
// `len` GGUF bytes from offset `from` of the block lie at offset `to` of the group's block
// (weight_layouts.h gives the places).
template <typename Fn> void forEachRows16Run(const Desc &d, int64_t r, Fn fn) {
  switch (pkg::DType(d.dtype)) {
  case pkg::DType::q4_0:
    fn(0, 2 * r, 2);
    fn(2, 32 + 16 * (4 * (r % 4) + r / 4), 16);  // the slot: a 4 x 4 transpose, its own inverse
    break;
  case pkg::DType::q4_1:  // d, m, then q4_0's qs slots
  case pkg::DType::q5_0:  // d, qh bits 0-15 and 16-31 in slot order, then the qs slots
  case pkg::DType::q5_1: {  // d, m, qh as q5_0's, then the qs slots
    const bool min = pkg::DType(d.dtype) != pkg::DType::q5_0, fifth = pkg::DType(d.dtype) != pkg::DType::q4_1;
    const int64_t slot = 4 * (r % 4) + r / 4, qhAt = min ? 64 : 32, qsAt = qhAt + (fifth ? 64 : 0);
    fn(0, 2 * r, 2);
    if (min) fn(2, 32 + 2 * r, 2);
    if (fifth) {
      fn(min ? 4 : 2, qhAt + 2 * slot, 2);
      fn(min ? 6 : 4, qhAt + 32 + 2 * slot, 2);
    }
    fn(d.blockBytes - 16, qsAt + 16 * slot, 16);
    break;
  }
  case pkg::DType::q8_0:
    fn(0, 2 * r, 2);
    for (int64_t t = 0; t < 8; ++t) fn(2 + 4 * t, 32 + 64 * t + 4 * r, 4);
    break;
  case pkg::DType::q4_k:
    fn(0, 2 * r, 2);
    fn(2, 32 + 2 * r, 2);
    for (int64_t i = 0; i < 12; ++i) fn(4 + i, 64 + 16 * i + r, 1);
    for (int64_t t = 0; t < 32; ++t) fn(16 + 4 * t, 256 + 64 * t + 4 * r, 4);
    break;
  case pkg::DType::q5_k:  // q4_k's header, then qh and qs in the GEMV's reading order
    fn(0, 2 * r, 2);
    fn(2, 32 + 2 * r, 2);
    for (int64_t i = 0; i < 12; ++i) fn(4 + i, 64 + 16 * i + r, 1);
    for (int64_t u = 0; u < 8; ++u) fn(16 + 4 * u, q5kRows16QhAt(u) + 4 * r, 4);
    for (int64_t t = 0; t < 32; ++t) fn(48 + 4 * t, q5kRows16QsAt(t) + 4 * r, 4);
    break;
  case pkg::DType::q6_k:  // scales, qh and ql in the GEMV's reading order, then d
    for (int64_t i = 0; i < 16; ++i) fn(192 + i, 16 * i + r, 1);
    for (int64_t u = 0; u < 16; ++u) fn(128 + 4 * u, q6kRows16QhAt(u) + 4 * r, 4);
    for (int64_t t = 0; t < 32; ++t) fn(4 * t, q6kRows16QlAt(t) + 4 * r, 4);
    fn(208, 3328 + 2 * r, 2);
    break;
  case pkg::DType::q2_k:  // scales, qs, then d and dmin
    for (int64_t i = 0; i < 16; ++i) fn(i, 16 * i + r, 1);
    for (int64_t t = 0; t < 16; ++t) fn(16 + 4 * t, 256 + 64 * t + 4 * r, 4);
    fn(80, 1280 + 2 * r, 2);
    fn(82, 1312 + 2 * r, 2);
    break;
  case pkg::DType::q3_k:  // scales, hmask and qs in the GEMV's reading order, then d
    for (int64_t i = 0; i < 12; ++i) fn(96 + i, 16 * i + r, 1);
    for (int64_t u = 0; u < 8; ++u) fn(4 * u, q3kRows16HmAt(u) + 4 * r, 4);
    for (int64_t t = 0; t < 16; ++t) fn(32 + 4 * t, q3kRows16QsAt(t) + 4 * r, 4);
    fn(108, 1728 + 2 * r, 2);
    break;
  case pkg::DType::iq4_nl:  // d, then q8_0's row lanes of qs
    fn(0, 2 * r, 2);
    for (int64_t t = 0; t < 4; ++t) fn(2 + 4 * t, 32 + 64 * t + 4 * r, 4);
    break;
  case pkg::DType::iq4_xs:  // d, scales_h, the scales_l bytes side by side, qs row lanes
    fn(0, 2 * r, 2);
    fn(2, 32 + 2 * r, 2);
    for (int64_t i = 0; i < 4; ++i) fn(4 + i, 64 + 16 * i + r, 1);
    for (int64_t t = 0; t < 32; ++t) fn(8 + 4 * t, 128 + 64 * t + 4 * r, 4);
    break;
  default: break;  // describe takes no other type
  }
}

// GgufRows16: GGUF bytes to the layout (toPacked), or back: the same bytes moved.
// Each row's runs are listed once and copied with a fixed-size memcpy per length (inlined)
// instead of a library call per run: a q6_k block is 65 runs.
void ggufRows16(const Desc &d, const uint8_t *src, uint8_t *dst, bool toPacked) {
  const int64_t full = d.N / kGgufRows16 * kGgufRows16, blocks = d.K / d.block;
  struct Run {
    int64_t from, to, len;
  };
  std::vector<Run> runs[kGgufRows16];
  for (int64_t r = 0; r < kGgufRows16; ++r)
    forEachRows16Run(d, r, [&](int64_t from, int64_t to, int64_t len) { runs[r].push_back({from, to, len}); });
  for (int64_t n = 0; n < full; ++n) {
    const int64_t g = n / kGgufRows16, r = n % kGgufRows16;
    for (int64_t b = 0; b < blocks; ++b) {
      const int64_t at = n * d.rowBytes + b * d.blockBytes, group = (g * kGgufRows16 * blocks + b * kGgufRows16) * d.blockBytes;
      for (const Run &run : runs[r]) {
        uint8_t *to = toPacked ? dst + group + run.to : dst + at + run.from;
        const uint8_t *from = toPacked ? src + at + run.from : src + group + run.to;
        switch (run.len) {
          case 1: *to = *from; break;
          case 2: std::memcpy(to, from, 2); break;
          case 4: std::memcpy(to, from, 4); break;
          case 16: std::memcpy(to, from, 16); break;
          default: std::memcpy(to, from, size_t(run.len)); break;
        }
      }
    }
  }
  // The last N % 16 rows: as in GGUF.
  std::memcpy(dst + full * d.rowBytes, src + full * d.rowBytes, size_t((d.N - full) * d.rowBytes));
}

// I8W4, I8ConvW4: element (n, k) of matrix m in the logical bytes (I8ConvW4: matrix =
// group, n its output channel, k = c taps + t).
int64_t logicalIndex(const Desc &d, int64_t m, int64_t n, int64_t k) {
  return m * d.N * d.K + (d.kMajor ? k * d.N + n : n * d.K + k);
}

// I8W4, I8ConvW4: the W4 matrix's K4 and bytes, and where element (n, k) of one matrix lies.
struct W4Geometry {
  int64_t K4 = 0, matBytes = 0, taps = 0;
  bool conv = false;
  explicit W4Geometry(const Desc &d) : conv(d.kind == Kind::I8ConvW4) {
    taps = d.taps;
    K4 = conv ? (d.K / d.taps + 3) / 4 * d.taps : (d.K + 3) / 4;
    matBytes = w4MatrixBytes(d.N, 4 * K4);
  }
  int64_t at(int64_t n, int64_t k) const {
    return conv ? w4Index(n, convW4K(k / taps, k % taps, taps), K4) : w4Index(n, k, K4);
  }
};

// Int4Q8Tiles: calls fn(byte index, n, k) for every packed byte, whose low nibble is
// code (n, k) and high nibble code (n, k + 4) (n >= N or k >= K: padding).
template <typename Fn> void forEachTileByte(const Desc &d, Fn fn) {
  const int64_t tiles = ceilDiv(d.N, d.tile), blocks = ceilDiv(d.K, d.block), runs = d.block / 32;
  int64_t at = 0;
  for (int64_t t = 0; t < tiles; ++t)
    for (int64_t g = 0; g < blocks; ++g)
      for (int64_t s = 0; s < runs; ++s)
        for (int64_t j = 0; j < 4; ++j)
          for (int64_t b = 0; b < 4 * d.tile; ++b)
            fn(at++, t * d.tile + b / 4, g * d.block + s * 32 + 8 * j + b % 4);
}
}  // namespace

void ggufRows16Block(const Desc &d, const uint8_t *packed, int64_t n, int64_t b, uint8_t *block) {
  const int64_t g = n / kGgufRows16, r = n % kGgufRows16;
  if ((g + 1) * kGgufRows16 > d.N) {
    std::memcpy(block, packed + n * d.rowBytes + b * d.blockBytes, size_t(d.blockBytes));
    return;
  }
  const uint8_t *group = packed + g * kGgufRows16 * d.rowBytes + b * kGgufRows16 * d.blockBytes;
  forEachRows16Run(d, r, [&](int64_t from, int64_t to, int64_t len) { std::memcpy(block + from, group + to, size_t(len)); });
}

int64_t w4MatrixBytes(int64_t N, int64_t K) { return ceilDiv(N, 16) * ceilDiv(K, 4) * 64; }
int64_t w4Index(int64_t n, int64_t k, int64_t K4) { return ((n / 16) * K4 + k / 4) * 64 + (n % 16) * 4 + k % 4; }
int64_t convW4K4(int64_t channels, int64_t taps) { return ceilDiv(channels, 4) * taps; }
int64_t convW4K(int64_t c, int64_t t, int64_t taps) { return ((c / 4) * taps + t) * 4 + c % 4; }

const char *kindName(Kind kind) {
  switch (kind) {
  case Kind::GgufRows16: return "gguf-rows16";
  case Kind::None: return "none";
  case Kind::I8W4: return "i8-w4";
  case Kind::Int4Q8Tiles: return "int4-q8-tiles";
  case Kind::I8ConvW4: return "i8-conv-w4";
  }
  return "unknown";
}

bool describe(Kind kind, unsigned dtype, const std::vector<int64_t> &shape, int64_t kAxis, int64_t blockAxis,
              int64_t block, int64_t tile, Desc &out, std::string &why, int64_t groups) {
  const auto dt = pkg::DType(dtype);
  const int64_t rank = int64_t(shape.size());
  Desc d;
  d.kind = kind;
  switch (kind) {
  case Kind::I8W4: {
    if (dt != pkg::DType::i8 && dt != pkg::DType::u8) return why = "layout i8-w4 holds i8 or u8 weights", false;
    if (rank < 2) return why = "layout i8-w4 needs a weight of rank 2 or more", false;
    if (kAxis != rank - 2 && kAxis != rank - 1) return why = "layout i8-w4 has a k_axis that is not one of the last two", false;
    d.kMajor = kAxis == rank - 2;
    d.u8 = dt == pkg::DType::u8;
    d.K = shape[size_t(kAxis)];
    d.N = shape[size_t(d.kMajor ? rank - 1 : rank - 2)];
    for (int64_t i = 0; i < rank - 2; ++i) d.matrices *= shape[size_t(i)];
    break;
  }
  case Kind::Int4Q8Tiles:
    if (dt != pkg::DType::i4 && dt != pkg::DType::u4) return why = "layout int4-q8-tiles holds i4 or u4 weights", false;
    if (rank != 2 || blockAxis != 1) return why = "layout int4-q8-tiles needs a weight [N, K] blocked along axis 1", false;
    if (block <= 0 || block % 32 != 0) return why = "layout int4-q8-tiles needs a block size that is a multiple of 32", false;
    if (tile != kInt4Tile) return why = "layout int4-q8-tiles has tiles of " + std::to_string(tile) + " columns, not 16", false;
    if (shape[1] % 2 != 0) return why = "layout int4-q8-tiles needs an even K", false;
    d.i4 = dt == pkg::DType::i4;
    d.N = shape[0];
    d.K = shape[1];
    d.block = block;
    d.tile = tile;
    break;
  case Kind::I8ConvW4: {
    if (dt != pkg::DType::i8 && dt != pkg::DType::u8) return why = "layout i8-conv-w4 holds i8 or u8 weights", false;
    if (rank < 3) return why = "layout i8-conv-w4 needs a Conv weight [M, C/groups, k...] of rank 3 or more", false;
    if (groups < 1 || shape[0] % groups != 0)
      return why = "layout i8-conv-w4 has " + std::to_string(groups) + " groups, which do not divide its " +
                   std::to_string(shape[0]) + " output channels", false;
    d.kMajor = false;
    d.u8 = dt == pkg::DType::u8;
    d.matrices = groups;
    d.N = shape[0] / groups;
    for (int64_t i = 2; i < rank; ++i) d.taps *= shape[size_t(i)];
    if (d.taps <= 0) return why = "layout i8-conv-w4 needs a kernel of at least one position", false;
    d.K = shape[1] * d.taps;
    break;
  }
  case Kind::GgufRows16: {
    const bool kQuant = dt == pkg::DType::q2_k || dt == pkg::DType::q3_k || dt == pkg::DType::q4_k ||
                        dt == pkg::DType::q5_k || dt == pkg::DType::q6_k || dt == pkg::DType::iq4_xs;
    if (dt != pkg::DType::q4_0 && dt != pkg::DType::q4_1 && dt != pkg::DType::q5_0 && dt != pkg::DType::q5_1 &&
        dt != pkg::DType::q8_0 && dt != pkg::DType::iq4_nl && !kQuant)
      return why = "layout gguf-rows16 holds q4_0, q4_1, q5_0, q5_1, q8_0, q2_k, q3_k, q4_k, q5_k, q6_k, iq4_nl or "
                   "iq4_xs weights",
             false;
    // Block size and bytes from the one dtype table (edgec/dtype_table.h).
    const DTypeInfo &info = *dtypeInfo(unsigned(dt));
    const int64_t blockSize = info.blockSize;
    // [E, N, K] (GgufMatMulId's experts, N a multiple of 16) is E N rows, each expert's
    // groups its own: expert e's rows are the layout of its [N, K], at e N rowBytes.
    if ((rank != 2 && rank != 3) || shape.back() % blockSize != 0)
      return why = "layout gguf-rows16 needs a weight [N, K] with K a multiple of " + std::to_string(blockSize), false;
    if (rank == 3 && shape[1] % kGgufRows16 != 0)
      return why = "layout gguf-rows16 needs experts [E, N, K] with N a multiple of 16", false;
    d.N = rank == 3 ? shape[0] * shape[1] : shape[0];
    d.K = shape.back();
    d.dtype = unsigned(dt);
    d.block = blockSize;
    d.blockBytes = info.blockBytes;
    d.rowBytes = d.K / blockSize * d.blockBytes;
    break;
  }
  default: return why = "unknown weight layout " + std::to_string(int(kind)), false;
  }
  out = d;
  return true;
}

uint64_t packedBytes(const Desc &d) {
  switch (d.kind) {
  case Kind::I8W4:
  case Kind::I8ConvW4: return uint64_t(d.matrices) * uint64_t(W4Geometry(d).matBytes);
  case Kind::Int4Q8Tiles:
    return uint64_t(ceilDiv(d.N, d.tile) * d.tile) * uint64_t(ceilDiv(d.K, d.block) * d.block) / 2;
  default: return logicalBytes(d);
  }
}

uint64_t logicalBytes(const Desc &d) {
  if (d.kind == Kind::GgufRows16) return uint64_t(d.N) * uint64_t(d.rowBytes);
  const uint64_t n = uint64_t(d.matrices) * uint64_t(d.N) * uint64_t(d.K);
  return d.kind == Kind::Int4Q8Tiles ? (n + 1) / 2 : n;
}

int64_t columnSumCount(const Desc &d) {
  return d.kind == Kind::I8W4 || d.kind == Kind::I8ConvW4 ? d.matrices * d.N : 0;
}

void pack(const Desc &d, const void *logical, void *packed, int32_t *columnSums) {
  const auto *src = static_cast<const uint8_t *>(logical);
  auto *dst = static_cast<uint8_t *>(packed);
  if (d.kind == Kind::GgufRows16) return ggufRows16(d, src, dst, true);
  std::memset(dst, 0, size_t(packedBytes(d)));
  if (d.kind == Kind::I8W4 || d.kind == Kind::I8ConvW4) {
    const W4Geometry geo(d);
    std::vector<int32_t> sums(size_t(d.N));  // |sum| <= 128 K
    for (int64_t m = 0; m < d.matrices; ++m) {
      std::fill(sums.begin(), sums.end(), 0);
      uint8_t *out = dst + m * geo.matBytes;
      auto put = [&](int64_t n, int64_t k) {
        const uint8_t byte = src[logicalIndex(d, m, n, k)];
        const int32_t v = d.u8 ? int32_t(byte) - 128 : int32_t(int8_t(byte));
        out[geo.at(n, k)] = uint8_t(int8_t(v));
        sums[size_t(n)] += v;
      };
      // Along the logical rows (contiguous reads).
      if (d.kMajor)
        for (int64_t k = 0; k < d.K; ++k)
          for (int64_t n = 0; n < d.N; ++n) put(n, k);
      else
        for (int64_t n = 0; n < d.N; ++n)
          for (int64_t k = 0; k < d.K; ++k) put(n, k);
      if (columnSums) std::copy(sums.begin(), sums.end(), columnSums + m * d.N);
    }
  } else if (d.kind == Kind::Int4Q8Tiles) {
    const uint8_t flip = d.i4 ? 8 : 0;
    auto code = [&](int64_t n, int64_t k) -> uint8_t {
      if (n >= d.N || k >= d.K) return 0;
      const int64_t i = n * d.K + k;
      return uint8_t(((src[i >> 1] >> ((i & 1) * 4)) & 0xF) ^ flip);
    };
    forEachTileByte(d, [&](int64_t at, int64_t n, int64_t k) { dst[at] = uint8_t(code(n, k) | (code(n, k + 4) << 4)); });
  } else {
    std::memcpy(dst, src, size_t(logicalBytes(d)));
  }
}

void unpack(const Desc &d, const void *packed, void *logical) {
  const auto *src = static_cast<const uint8_t *>(packed);
  auto *dst = static_cast<uint8_t *>(logical);
  if (d.kind == Kind::GgufRows16) return ggufRows16(d, src, dst, false);
  if (d.kind == Kind::I8W4 || d.kind == Kind::I8ConvW4) {
    const W4Geometry geo(d);
    for (int64_t m = 0; m < d.matrices; ++m) {
      auto get = [&](int64_t n, int64_t k) {
        const int32_t v = int8_t(src[m * geo.matBytes + geo.at(n, k)]);
        dst[logicalIndex(d, m, n, k)] = uint8_t(d.u8 ? v + 128 : v);
      };
      if (d.kMajor)  // along the logical rows (contiguous writes)
        for (int64_t k = 0; k < d.K; ++k)
          for (int64_t n = 0; n < d.N; ++n) get(n, k);
      else
        for (int64_t n = 0; n < d.N; ++n)
          for (int64_t k = 0; k < d.K; ++k) get(n, k);
    }
  } else if (d.kind == Kind::Int4Q8Tiles) {
    std::memset(dst, 0, size_t(logicalBytes(d)));
    const uint8_t flip = d.i4 ? 8 : 0;
    auto put = [&](int64_t n, int64_t k, uint8_t u) {
      if (n >= d.N || k >= d.K) return;
      const int64_t i = n * d.K + k;
      dst[i >> 1] = uint8_t(dst[i >> 1] | (((u ^ flip) & 0xF) << ((i & 1) * 4)));
    };
    forEachTileByte(d, [&](int64_t at, int64_t n, int64_t k) {
      put(n, k, src[at] & 0xF);
      put(n, k + 4, src[at] >> 4);
    });
  } else {
    std::memcpy(dst, src, size_t(logicalBytes(d)));
  }
}

}  // namespace edgec::layouts
