// Writing a .edgepkg from a plan FlatBuffer and a constants segment (the layout and
// checksums of package_format.h). Header-only: the compiler writes packages with it, and
// the runtime's tests build packages without the compiler.
//
// writePackage streams the file in order (header, section table, plan, padding,
// constants) through a callback, so a writer never needs the whole image in memory;
// assemblePackage builds the image as one vector (tests, small packages).
#pragma once

#include <algorithm>
#include <cstring>
#include <vector>

#include "edgec/package_format.h"

namespace edgec::pkg {

// The header and section table of a package with these sections. `constantsChecksum`
// is checksum64 of the constants segment.
struct PackagePrefix {
  static constexpr uint32_t kSections = 2;
  FileHeader header{};
  SectionEntry entries[kSections]{};
  uint64_t planOffset = 0, constOffset = 0, fileSize = 0;
};

inline PackagePrefix packagePrefix(const uint8_t *plan, uint64_t planSize, uint64_t constantsSize,
                                   uint64_t constantsChecksum) {
  PackagePrefix p;
  const uint64_t tableOffset = sizeof(FileHeader);
  p.planOffset = alignTo(tableOffset + PackagePrefix::kSections * sizeof(SectionEntry));
  p.constOffset = alignTo(p.planOffset + planSize);
  p.fileSize = p.constOffset + constantsSize;
  FileHeader &h = p.header;
  std::memcpy(h.magic, kMagic, sizeof h.magic);
  h.format_version = kFormatVersion;
  h.header_size = sizeof h;
  h.file_size = p.fileSize;
  h.section_table_offset = tableOffset;
  h.section_count = PackagePrefix::kSections;
  h.section_entry_size = sizeof(SectionEntry);
  p.entries[0] = {uint32_t(SectionKind::Plan), 0, p.planOffset, planSize, checksum64(plan, planSize)};
  p.entries[1] = {uint32_t(SectionKind::Constants), 0, p.constOffset, constantsSize, constantsChecksum};
  h.checksum = headerChecksum(reinterpret_cast<const uint8_t *>(&h), reinterpret_cast<const uint8_t *>(p.entries),
                              sizeof p.entries);
  return p;
}

// Streams a package through `write(const void *data, size_t size)` (which returns
// false on failure; so does writePackage). The constants are read twice (checksum, then
// write), never copied.
template <typename Write>
inline bool writePackage(const uint8_t *plan, uint64_t planSize, const uint8_t *constants, uint64_t constantsSize,
                         Write &&write) {
  const PackagePrefix p = packagePrefix(plan, planSize, constantsSize, checksum64(constants, constantsSize));
  static const uint8_t zeros[kAlignment] = {};
  return write(&p.header, sizeof p.header) && write(p.entries, sizeof p.entries) &&
         write(zeros, p.planOffset - sizeof p.header - sizeof p.entries) && write(plan, planSize) &&
         write(zeros, p.constOffset - p.planOffset - planSize) && write(constants, constantsSize);
}

// Streams a package whose constants come in pieces that live elsewhere (the compiler's
// IR attributes): `forEachPiece(emit)` calls emit(offset, data, size) for each piece, in
// increasing offset order, within `constantsSize`; the gaps are zeros. It is called twice
// (checksum, then write), and nothing is copied, so writing needs no memory for the weights.
template <typename Pieces, typename Write>
inline bool writePackagePieces(const uint8_t *plan, uint64_t planSize, uint64_t constantsSize, Pieces &&forEachPiece,
                               Write &&write) {
  static const uint8_t zeros[kAlignment] = {};
  Checksum64 hash;
  uint64_t at = 0;
  auto hashZeros = [&](uint64_t n) {
    for (; n > 0; n -= std::min<uint64_t>(n, kAlignment)) hash.update(zeros, std::min<uint64_t>(n, kAlignment));
  };
  forEachPiece([&](uint64_t offset, const uint8_t *data, uint64_t size) {
    hashZeros(offset - at);
    hash.update(data, size);
    at = offset + size;
    return true;
  });
  hashZeros(constantsSize - at);
  const PackagePrefix p = packagePrefix(plan, planSize, constantsSize, hash.value());
  auto writeZeros = [&](uint64_t n) {
    for (; n > 0; n -= std::min<uint64_t>(n, kAlignment))
      if (!write(zeros, std::min<uint64_t>(n, kAlignment))) return false;
    return true;
  };
  if (!(write(&p.header, sizeof p.header) && write(p.entries, sizeof p.entries) &&
        writeZeros(p.planOffset - sizeof p.header - sizeof p.entries) && write(plan, planSize) &&
        writeZeros(p.constOffset - p.planOffset - planSize)))
    return false;
  bool ok = true;
  at = 0;
  forEachPiece([&](uint64_t offset, const uint8_t *data, uint64_t size) {
    ok = ok && writeZeros(offset - at) && write(data, size);
    at = offset + size;
    return ok;
  });
  return ok && writeZeros(constantsSize - at);
}

// Builds a package image in one allocation of the file's size: `fill(uint8_t *constants)`
// writes the `constantsSize` bytes of constants in place (zeroed beforehand), then the
// checksums and the rest are added. For writers whose constants live elsewhere (the
// compiler's IR attributes), so that they are copied once, straight into the image.
template <typename Fill>
inline std::vector<uint8_t> buildPackageInPlace(const uint8_t *plan, uint64_t planSize, uint64_t constantsSize,
                                                Fill &&fill) {
  const uint64_t constOffset = packagePrefix(plan, planSize, 0, 0).constOffset;
  std::vector<uint8_t> out(constOffset + constantsSize, 0);
  fill(out.data() + constOffset);
  const PackagePrefix p = packagePrefix(plan, planSize, constantsSize, checksum64(out.data() + constOffset, constantsSize));
  std::memcpy(out.data(), &p.header, sizeof p.header);
  std::memcpy(out.data() + sizeof p.header, p.entries, sizeof p.entries);
  if (planSize) std::memcpy(out.data() + p.planOffset, plan, planSize);
  return out;
}

inline std::vector<uint8_t> assemblePackage(const std::vector<uint8_t> &plan,
                                            const std::vector<uint8_t> &constants) {
  std::vector<uint8_t> out;
  out.reserve(packagePrefix(plan.data(), 0, constants.size(), 0).constOffset + plan.size() + kAlignment +
              constants.size());
  writePackage(plan.data(), plan.size(), constants.data(), constants.size(), [&](const void *data, size_t size) {
    const uint8_t *b = static_cast<const uint8_t *>(data);
    out.insert(out.end(), b, b + size);
    return true;
  });
  return out;
}

}  // namespace edgec::pkg
