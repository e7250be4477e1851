// The .edgepkg container: a fixed header, a section table and 64-byte aligned sections.
// Shared by the compiler (writer) and the runtime (reader). Little-endian throughout.
//
//   offset 0     FileHeader (64 bytes)
//   offset 64    SectionEntry[section_count] (32 bytes each)
//   ...          sections, each starting on a 64-byte boundary:
//                  PLAN       the FlatBuffer of runtime/schema/edgepkg.fbs
//                  CONSTANTS  weights; every constant tensor 64-byte aligned inside it
//
// Checksums (XXH3-64, seed 0), so that any flipped byte is detected before it is trusted,
// without having to read every weight page at load:
//   * FileHeader::checksum covers the header (its checksum field read as zero) and the
//     section table;
//   * SectionEntry::checksum covers that section's bytes [offset, offset + size);
//   * the bytes between sections (alignment padding, < 64 each) must be zero.
// The loader always verifies the header, the table and the PLAN section; CONSTANTS is
// verified at load by default, or lazily (before the first session's kernels read it).
// Format 2 had FNV-1a 64: one byte per multiply chain, 0.9-1.0 GB/s, so verifying an
// LLM's weights took most of its load (1.7 s of a 1.6 GB package); XXH3 reads tens of
// GB/s (docs/architecture.md, "Package load cost").
#pragma once

#include <cstddef>
#include <algorithm>
#include <cstdint>
#include <cstring>

// xxHash (Debian's libxxhash-dev) as inline code: nothing to link, in the runtime's
// native and cross builds alike.
#define XXH_INLINE_ALL
#include <xxhash.h>

namespace edgec::pkg {

inline constexpr char kMagic[8] = {'E', 'D', 'G', 'E', 'P', 'K', 'G', '\0'};
// 2: per-section checksums; 3: XXH3-64 for FNV-1a 64; 4: KVCacheAttention's caches
// [Hkv, C, D] (a version-3 LLM package's [C, Hkv, D] states would be misread); 5: the
// GgufRows16 q5_k and q6_k blocks' qh and code vectors in reading order
// (layouts::q5kRows16QsAt, q6kRows16QlAt).
inline constexpr uint32_t kFormatVersion = 5;
inline constexpr uint64_t kAlignment = 64;

enum class SectionKind : uint32_t {
  Plan = 1,
  Constants = 2,
  // Reserved for later targets: SpirV = 3, NpuPartition = 4.
};

struct FileHeader {
  char magic[8];
  uint32_t format_version;
  uint32_t header_size;      // sizeof(FileHeader)
  uint64_t file_size;
  uint64_t checksum;         // XXH3-64 of the header (this field as zero) + section table
  uint64_t section_table_offset;
  uint32_t section_count;
  uint32_t section_entry_size;  // sizeof(SectionEntry)
  uint8_t reserved[16];
};
static_assert(sizeof(FileHeader) == 64, "FileHeader must be 64 bytes");

struct SectionEntry {
  uint32_t kind;   // SectionKind
  uint32_t flags;  // reserved, 0
  uint64_t offset;
  uint64_t size;
  uint64_t checksum;  // XXH3-64 of the section's bytes
};
static_assert(sizeof(SectionEntry) == 32, "SectionEntry must be 32 bytes");

inline constexpr size_t kChecksumOffset = offsetof(FileHeader, checksum);

// XXH3-64 (seed 0) of [data, data + size).
inline uint64_t checksum64(const void *data, size_t size) { return XXH3_64bits(data, size); }

// The same checksum computed piecewise, for writers that stream a section.
class Checksum64 {
public:
  Checksum64() { XXH3_64bits_reset(&state_); }
  Checksum64(const Checksum64 &) = delete;
  Checksum64 &operator=(const Checksum64 &) = delete;
  void update(const void *data, size_t size) { XXH3_64bits_update(&state_, data, size); }
  uint64_t value() const { return XXH3_64bits_digest(&state_); }

private:
  XXH3_state_t state_;
};

// The header checksum: the 64-byte header with its checksum field read as zero, then
// the section table (`table`, `tableBytes` bytes).
inline uint64_t headerChecksum(const uint8_t *header, const uint8_t *table, size_t tableBytes) {
  static const uint8_t zeros[8] = {};
  Checksum64 h;
  h.update(header, kChecksumOffset);
  h.update(zeros, 8);
  h.update(header + kChecksumOffset + 8, sizeof(FileHeader) - kChecksumOffset - 8);
  h.update(table, tableBytes);
  return h.value();
}

// Recomputes and stores every section checksum and then the header checksum of a
// package image (for tests that mutate an image behind valid checksums). Entries or
// tables that lie outside the image are left alone.
template <typename Bytes> inline void updateChecksum(Bytes &image) {
  const uint64_t size = image.size();
  if (size < sizeof(FileHeader)) return;
  FileHeader h;
  std::memcpy(&h, image.data(), sizeof h);
  const uint64_t count = std::min<uint64_t>(h.section_count, 64);
  if (h.section_table_offset > size || count * sizeof(SectionEntry) > size - h.section_table_offset) return;
  for (uint64_t i = 0; i < count; ++i) {
    uint8_t *at = image.data() + h.section_table_offset + i * sizeof(SectionEntry);
    SectionEntry e;
    std::memcpy(&e, at, sizeof e);
    if (e.offset > size || e.size > size - e.offset) continue;
    e.checksum = checksum64(image.data() + e.offset, e.size);
    std::memcpy(at, &e, sizeof e);
  }
  const uint64_t checksum = headerChecksum(image.data(), image.data() + h.section_table_offset,
                                           size_t(h.section_count) * sizeof(SectionEntry) <= size - h.section_table_offset
                                               ? size_t(h.section_count) * sizeof(SectionEntry)
                                               : size_t(count * sizeof(SectionEntry)));
  for (size_t i = 0; i < 8; ++i) image[kChecksumOffset + i] = uint8_t(checksum >> (8 * i));
}

inline constexpr uint64_t alignTo(uint64_t v, uint64_t a = kAlignment) {
  return (v + a - 1) / a * a;
}

}  // namespace edgec::pkg
