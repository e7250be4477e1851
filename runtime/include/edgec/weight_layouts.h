// Packed weight layouts: the one place that knows how a weight stored in a kernel's
// layout (Tensor.layout in runtime/schema/edgepkg.fbs) maps to the logical row-major
// tensor. The compiler packs constant weights with pack() when it writes a package, the
// x86 kernels read the packed bytes in place (or pack() a weight that arrived row-major),
// and the runtime unpack()s a packed weight for any kernel that reads another layout
// (ref, or a future kernel of another ISA). Design: docs/architecture.md, "Weight layouts".
//
// Every layout depends only on the weight's shape and dtype, never on the ISA that reads
// them: a "host" package stays portable across AVX2, AVX-512 and EDGEC_KERNELS=ref.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace edgec::layouts {

// The values of pkg::LayoutKind.
enum class Kind : uint8_t { None = 0, I8W4 = 1, Int4Q8Tiles = 2, I8ConvW4 = 3, GgufRows16 = 4 };
const char *kindName(Kind kind);  // "none", "i8-w4", "int4-q8-tiles", "i8-conv-w4",
                                  // "gguf-rows16"

// The columns of an Int4Q8Tiles tile the compiler writes (one 512-bit vector of int32
// lanes; the 256-bit kernels read half a tile).
constexpr int64_t kInt4Tile = 16;

// A packed weight: its layout and the logical matrices it holds.
struct Desc {
  Kind kind = Kind::None;
  int64_t matrices = 1;  // I8W4: the product of the leading dims; I8ConvW4: the groups (1 for Int4Q8Tiles)
  int64_t N = 0, K = 0;  // output columns, reduction length (I8ConvW4: per group, channels x taps)
  bool kMajor = true;    // I8W4: each matrix is [K, N] (k_axis = rank - 2); false: [N, K] (I8ConvW4: false)
  bool u8 = false;       // I8W4, I8ConvW4: u8 codes (stored minus 128); false: i8
  int64_t taps = 1;      // I8ConvW4: kernel positions per channel (the product of the kernel dims)
  bool i4 = true;        // Int4Q8Tiles: i4 codes (stored ^ 8); false: u4
  int64_t block = 0;     // Int4Q8Tiles: the Blockwise block size along K (a multiple of 32); GgufRows16: the
                         // GGUF block's elements (32, or 256 for q4_k)
  int64_t tile = kInt4Tile;  // Int4Q8Tiles: columns per tile
  int64_t rowBytes = 0;      // GgufRows16: bytes of one GGUF row (K / block blocks)
  int64_t blockBytes = 0;    // GgufRows16: bytes of one GGUF block (q4_0 18, q4_1 20, q5_0 22, q5_1 24, q8_0 34,
                             // q2_k 84, q3_k 110, q4_k 144, q5_k 176, q6_k 210)
  unsigned dtype = 0;        // GgufRows16: the GGUF block type (a pkg::DType value)
};

// Describes `kind` over a tensor of `dtype` (a pkg::DType value) and `shape` with its
// parameters (`kAxis`: I8W4; `blockAxis`, `block`, `tile`: Int4Q8Tiles; `groups`:
// I8ConvW4). False, with the reason in `why`, if the layout cannot hold that tensor.
bool describe(Kind kind, unsigned dtype, const std::vector<int64_t> &shape, int64_t kAxis, int64_t blockAxis,
              int64_t block, int64_t tile, Desc &out, std::string &why, int64_t groups = 0);

// Bytes of the packed form, and of the logical (row-major) tensor.
uint64_t packedBytes(const Desc &d);
uint64_t logicalBytes(const Desc &d);
// I8W4, I8ConvW4: int32 column sums the layout comes with (matrices * N); 0 for others.
int64_t columnSumCount(const Desc &d);

// Logical bytes -> packed bytes (packedBytes(d), padding zero). I8W4 and I8ConvW4 also
// write, per matrix and column, sum_k of the signed weights into columnSums (may be null).
void pack(const Desc &d, const void *logical, void *packed, int32_t *columnSums);
// Packed bytes -> logical bytes (logicalBytes(d)): the exact inverse of pack.
void unpack(const Desc &d, const void *packed, void *logical);

// I8W4 of one matrix: [ceil(N/16)][ceil(K/4)][16][4], element (n, k) at w4Index.
// (Out of line, as everything here: the x86 kernel files, built with ISA flags, call them
// and must not emit a weak copy that baseline code could link to.)
int64_t w4MatrixBytes(int64_t N, int64_t K);
int64_t w4Index(int64_t n, int64_t k, int64_t K4);

// I8ConvW4 of one group: the I8W4 matrix [N, 4 * K4] with K4 = ceil(channels / 4) * taps,
// logical (channel c, tap t) at reduction index convW4K; every padded channel is zero.
int64_t convW4K4(int64_t channels, int64_t taps);
int64_t convW4K(int64_t c, int64_t t, int64_t taps);

// GgufRows16 (a GGUF block type [N, K]: q4_0, q4_1, q5_0, q5_1, q8_0, q2_k, q3_k, q4_k,
// q5_k, q6_k, iq4_nl, iq4_xs):
// rows 16 g to 16 g + 15 (every full group of 16) occupy their GGUF bytes, 16 blockBytes
// per block b in block order, each type's
// fields gathered so that the x86 GEMV reads a group's block as whole vectors; the last
// N % 16 rows stay as in GGUF. Within a group's block, for row r (0-15):
//   q4_0 (288): d at 2 r; qs (16 bytes) at 32 + 16 s, slot s = 4 (r % 4) + r / 4 (the
//               lanes the GEMV's reduction leaves in row order);
//   q4_1 (320): d at 2 r, m at 32 + 2 r; qs at 64 + 16 s (s: q4_0's slot);
//   q5_0 (352): d at 2 r; qh bytes 0-1 at 32 + 2 s, bytes 2-3 at 64 + 2 s (a qs vector's
//               fifth bits: one 64-bit mask for its low nibbles, one for its high ones);
//               qs at 96 + 16 s;
//   q5_1 (384): d at 2 r, m at 32 + 2 r; qh as q5_0's from 64; qs at 128 + 16 s;
//   q8_0 (544): d at 2 r; qs bytes 4 t .. 4 t + 3 at 32 + 64 t + 4 r (t < 8: one
//               vpdpbusd operand per t, lane r = row r);
//   q4_k (2304): d at 2 r, dmin at 32 + 2 r; scale byte i (of 12) at 64 + 16 i + r (each
//               byte of the 16 rows side by side: the 6-bit unpack runs on whole
//               vectors); qs bytes 4 t .. 4 t + 3 at 256 + 64 t + 4 r (t < 32);
//   q5_k (2816): q4_k's d, dmin and scale bytes; qh bytes 4 u .. 4 u + 3 at
//               q5kRows16QhAt(u) + 4 r (u < 8); qs bytes 4 t .. 4 t + 3 at
//               q5kRows16QsAt(t) + 4 r (t < 32);
//   q6_k (3360): scale byte i (of 16) at 16 i + r; qh bytes 4 u .. 4 u + 3 at
//               q6kRows16QhAt(u) + 4 r (u < 16); ql bytes 4 t .. 4 t + 3 at
//               q6kRows16QlAt(t) + 4 r (t < 32); d at 3328 + 2 r (last, so that a block
//               that starts on a line keeps its vectors on lines);
//   q2_k (1344): scale byte i (of 16) at 16 i + r; qs bytes 4 t .. 4 t + 3 at
//               256 + 64 t + 4 r (t < 16); d at 1280 + 2 r, dmin at 1312 + 2 r;
//   q3_k (1760): scale byte i (of 12) at 16 i + r; hmask bytes 4 u .. 4 u + 3 at
//               q3kRows16HmAt(u) + 4 r (u < 8); qs bytes 4 t .. 4 t + 3 at
//               q3kRows16QsAt(t) + 4 r (t < 16); d at 1728 + 2 r;
//   iq4_nl (288): d at 2 r; qs bytes 4 t .. 4 t + 3 at 32 + 64 t + 4 r (t < 4: q8_0's row
//               lanes, each vector's low nibbles codes 4 t .., its high ones 16 + 4 t ..);
//   iq4_xs (2176): d at 2 r, scales_h at 32 + 2 r, scales_l byte i (of 4) at 64 + 16 i + r;
//               qs bytes 4 t .. 4 t + 3 at 128 + 64 t + 4 r (t < 32; sub-block t / 4).
constexpr int64_t kGgufRows16 = 16;
// q5_k's and q6_k's qh and code vectors from 256 on, in the order the GEMV reads them.
// Read in file order, a group's block is one sequential stream for the hardware
// prefetchers (as all qh, then all codes, it was two interleaved ones: the Zen 4 VM's
// TinyLlama decode step at one thread, Q6_K 47 -> 32 ms, Q5_K 31 -> 26;
// docs/gguf-performance-log.md, thirty-eighth session). static: each kernel file (built
// with its own ISA flags) keeps its own copy.
// q5_k: qh vector k then qs vector k for k < 8 (qs vectors k, 8 + k, 16 + k and 24 + k
// take their fifth bits from qh vector k), then qs vectors 8 .. 31.
static constexpr int64_t q5kRows16QhAt(int64_t u) { return 256 + 64 * 2 * u; }
static constexpr int64_t q5kRows16QsAt(int64_t t) { return 256 + 64 * (t < 8 ? 2 * t + 1 : t + 8); }
// q6_k: per half h of the block, qh vector 8h + k then ql vector 16h + k for k < 8 (ql
// vectors 16h + k and 16h + k + 8 take their top bits from qh vector 8h + k), then ql
// vectors 16h + 8 .. 16h + 15.
static constexpr int64_t q6kRows16QhAt(int64_t u) { return 256 + 64 * (24 * (u / 8) + 2 * (u % 8)); }
static constexpr int64_t q6kRows16QlAt(int64_t t) {
  return 256 + 64 * (24 * (t / 16) + (t % 16 < 8 ? 2 * (t % 16) + 1 : t % 16 + 8));
}
// q3_k: hmask vector k then qs vector k for k < 8 (qs vectors k and k + 8, the block's two
// halves, take their third bits from hmask vector k), then qs vectors 8 .. 15.
static constexpr int64_t q3kRows16HmAt(int64_t u) { return 192 + 64 * 2 * u; }
static constexpr int64_t q3kRows16QsAt(int64_t t) { return 192 + 64 * (t < 8 ? 2 * t + 1 : t + 8); }
// Copies row n's block b as GGUF holds it (blockBytes bytes) out of the packed tensor.
void ggufRows16Block(const Desc &d, const uint8_t *packed, int64_t n, int64_t b, uint8_t *block);

}  // namespace edgec::layouts
