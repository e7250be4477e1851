// The .edgepkg container: a fixed header, a section table and 64-byte aligned sections.
// Shared by the compiler (writer) and the runtime (reader). Little-endian throughout.
//
//   offset 0     FileHeader (64 bytes)
//   offset 64    SectionEntry[section_count] (32 bytes each)
//   ...          sections, each starting on a 64-byte boundary:
//                  PLAN       the FlatBuffer of runtime/schema/edgepkg.fbs
//                  CONSTANTS  weights; every constant tensor 64-byte aligned inside it
//
// The checksum is FNV-1a 64 over the whole file with the checksum field read as zero,
// so any single flipped byte anywhere is detected before anything else is trusted.
#pragma once

#include <cstddef>
#include <cstdint>

namespace edgec::pkg {

inline constexpr char kMagic[8] = {'E', 'D', 'G', 'E', 'P', 'K', 'G', '\0'};
inline constexpr uint32_t kFormatVersion = 1;
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
  uint64_t checksum;         // FNV-1a 64, see above
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
  uint64_t reserved;
};
static_assert(sizeof(SectionEntry) == 32, "SectionEntry must be 32 bytes");

inline constexpr size_t kChecksumOffset = offsetof(FileHeader, checksum);

// FNV-1a 64 over [data, data+size), continuing from `hash`.
inline uint64_t fnv1a64(const uint8_t *data, size_t size,
                        uint64_t hash = 0xcbf29ce484222325ull) {
  for (size_t i = 0; i < size; ++i) {
    hash ^= data[i];
    hash *= 0x100000001b3ull;
  }
  return hash;
}

// Checksum of a whole package image, treating the checksum field as zero.
inline uint64_t packageChecksum(const uint8_t *data, size_t size) {
  static const uint8_t zeros[8] = {};
  uint64_t h = fnv1a64(data, kChecksumOffset);
  h = fnv1a64(zeros, 8, h);
  return fnv1a64(data + kChecksumOffset + 8, size - kChecksumOffset - 8, h);
}

// Recomputes and stores the checksum of a complete package image.
template <typename Bytes> inline void updateChecksum(Bytes &image) {
  uint64_t checksum = packageChecksum(image.data(), image.size());
  for (size_t i = 0; i < 8; ++i) image[kChecksumOffset + i] = uint8_t(checksum >> (8 * i));
}

inline constexpr uint64_t alignTo(uint64_t v, uint64_t a = kAlignment) {
  return (v + a - 1) / a * a;
}

}  // namespace edgec::pkg
