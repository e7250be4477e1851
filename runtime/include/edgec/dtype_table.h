// The one element-type table of edgec. Every layer that needs a fact about an element
// type (its name, bits, sub-byte packing, block size and bytes per block, its numpy
// spelling, its GGUF type id) reads it here: the dialect, the frontends, the host target,
// the package builder, the loader, the kernels, `.npy` I/O and the C API. A dtype added
// later is one row here plus its enum value in runtime/schema/edgepkg.fbs and
// runtime/include/edgec/runtime.h (a gtest checks that the three agree).
//
// Plain C++17 and header-only: the runtime (no MLIR) and the compiler both include it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace edgec {

enum class DTypeKind : uint8_t { Float, SignedInt, UnsignedInt, Bool, Block };

struct DTypeInfo {
  uint8_t code;          // the value of pkg::DType and edgec_dtype
  const char *name;      // how users and messages spell it: "f32", "i4", "q4_k"
  const char *npyDescr;  // numpy's descr ("<f4"), null where numpy has no such type
  const char *npyName;   // numpy's name ("float32"), null likewise
  DTypeKind kind;
  uint8_t bits;          // bits per element; for block types, 0 (see blockBytes)
  uint16_t blockSize;    // elements per block; 1 for every non-block type
  uint16_t blockBytes;   // bytes per block; 0 for non-block types
  int8_t ggmlType;       // the type id in GGUF files (ggml_type), -1 if none

  bool isBlock() const { return kind == DTypeKind::Block; }
  bool isSubByte() const { return kind != DTypeKind::Block && bits < 8; }
  bool isFloat() const { return kind == DTypeKind::Float; }
  bool isInteger() const { return kind == DTypeKind::SignedInt || kind == DTypeKind::UnsignedInt; }
  // Bytes of one element for byte-addressable types; 0 for packed and block types.
  size_t elementBytes() const { return isBlock() || bits < 8 ? 0 : bits / 8; }
};

// Sub-byte types pack the flattened tensor two values per byte, low nibble first (as ONNX
// int4). Block types (GGUF) store each row of the innermost dimension as whole blocks, as
// ggml does; the block layouts are documented in docs/architecture.md.
inline constexpr DTypeInfo kDTypeTable[] = {
    // code name      npy    npy name     kind                    bits blk bytes ggml
    {0, "f32", "<f4", "float32", DTypeKind::Float, 32, 1, 0, 0},
    {1, "f16", "<f2", "float16", DTypeKind::Float, 16, 1, 0, 1},
    {2, "bf16", nullptr, nullptr, DTypeKind::Float, 16, 1, 0, 30},
    {3, "f64", "<f8", "float64", DTypeKind::Float, 64, 1, 0, 28},
    {4, "i8", "|i1", "int8", DTypeKind::SignedInt, 8, 1, 0, 24},
    {5, "u8", "|u1", "uint8", DTypeKind::UnsignedInt, 8, 1, 0, -1},
    {6, "i16", "<i2", "int16", DTypeKind::SignedInt, 16, 1, 0, 25},
    {7, "u16", "<u2", "uint16", DTypeKind::UnsignedInt, 16, 1, 0, -1},
    {8, "i32", "<i4", "int32", DTypeKind::SignedInt, 32, 1, 0, 26},
    {9, "u32", "<u4", "uint32", DTypeKind::UnsignedInt, 32, 1, 0, -1},
    {10, "i64", "<i8", "int64", DTypeKind::SignedInt, 64, 1, 0, 27},
    {11, "u64", "<u8", "uint64", DTypeKind::UnsignedInt, 64, 1, 0, -1},
    {12, "bool", "|b1", "bool", DTypeKind::Bool, 8, 1, 0, -1},
    {13, "i4", nullptr, nullptr, DTypeKind::SignedInt, 4, 1, 0, -1},
    {14, "u4", nullptr, nullptr, DTypeKind::UnsignedInt, 4, 1, 0, -1},
    // GGUF blocks (ggml's block_q* structs): d/m are f16 scales, qs/qh the packed codes.
    {32, "q4_0", nullptr, nullptr, DTypeKind::Block, 0, 32, 18, 2},    // d, qs[16]
    {33, "q4_1", nullptr, nullptr, DTypeKind::Block, 0, 32, 20, 3},    // d, m, qs[16]
    {34, "q5_0", nullptr, nullptr, DTypeKind::Block, 0, 32, 22, 6},    // d, qh[4], qs[16]
    {35, "q5_1", nullptr, nullptr, DTypeKind::Block, 0, 32, 24, 7},    // d, m, qh[4], qs[16]
    {36, "q8_0", nullptr, nullptr, DTypeKind::Block, 0, 32, 34, 8},    // d, qs[32]
    {37, "q2_k", nullptr, nullptr, DTypeKind::Block, 0, 256, 84, 10},  // scales[16], qs[64], d, dmin
    {38, "q3_k", nullptr, nullptr, DTypeKind::Block, 0, 256, 110, 11}, // hmask[32], qs[64], scales[12], d
    {39, "q4_k", nullptr, nullptr, DTypeKind::Block, 0, 256, 144, 12}, // d, dmin, scales[12], qs[128]
    {40, "q5_k", nullptr, nullptr, DTypeKind::Block, 0, 256, 176, 13}, // d, dmin, scales[12], qh[32], qs[128]
    {41, "q6_k", nullptr, nullptr, DTypeKind::Block, 0, 256, 210, 14}, // ql[128], qh[64], scales[16], d
    {42, "iq4_nl", nullptr, nullptr, DTypeKind::Block, 0, 32, 18, 20},  // d, qs[16] (codes index kIq4Values)
    {43, "iq4_xs", nullptr, nullptr, DTypeKind::Block, 0, 256, 136, 23},// d, scales_h, scales_l[4], qs[128]
};

// The row of `code`, or null for a value no dtype has (a damaged package, a newer format).
inline const DTypeInfo *dtypeInfo(unsigned code) {
  for (const DTypeInfo &d : kDTypeTable)
    if (d.code == code) return &d;
  return nullptr;
}

inline const DTypeInfo *dtypeInfoByName(std::string_view name) {
  for (const DTypeInfo &d : kDTypeTable)
    if (name == d.name) return &d;
  return nullptr;
}

inline const DTypeInfo *dtypeInfoByGgmlType(int ggmlType) {
  for (const DTypeInfo &d : kDTypeTable)
    if (ggmlType >= 0 && d.ggmlType == ggmlType) return &d;
  return nullptr;
}

// Bytes that a tensor of `shape` takes in memory and in a package. False (with the reason
// in `why`) when no tensor of that type can have that shape: a block type whose innermost
// dimension is not a whole number of blocks, a negative dimension, or a size past 2^62.
inline bool tensorStorageBytes(const DTypeInfo &d, const int64_t *shape, size_t rank, uint64_t *bytes,
                               std::string *why = nullptr) {
  constexpr uint64_t kLimit = uint64_t(1) << 62;
  auto failWith = [&](std::string what) {
    if (why) *why = std::move(what);
    return false;
  };
  uint64_t numel = 1;
  for (size_t i = 0; i < rank; ++i) {
    if (shape[i] < 0) return failWith("a negative dimension");
    if (shape[i] && numel > kLimit / uint64_t(shape[i])) return failWith("more than 2^62 elements");
    numel *= uint64_t(shape[i]);
  }
  if (d.isBlock()) {
    const int64_t inner = rank ? shape[rank - 1] : 1;
    if (inner % d.blockSize != 0)
      return failWith(std::string(d.name) + " stores whole blocks of " + std::to_string(d.blockSize) +
                      " elements, but the innermost dimension is " + std::to_string(inner));
    *bytes = numel / d.blockSize * d.blockBytes;
    return true;
  }
  if (d.bits < 8) {
    *bytes = (numel * d.bits + 7) / 8;
    return true;
  }
  if (numel > kLimit / (d.bits / 8)) return failWith("more than 2^62 bytes");
  *bytes = numel * (d.bits / 8);
  return true;
}

}  // namespace edgec
