// Assembling a .edgepkg image from a plan FlatBuffer and a constants segment (the
// layout of package_format.h). Header-only: the compiler writes packages with it, and
// the runtime's tests build packages without the compiler.
#pragma once

#include <cstring>
#include <vector>

#include "edgec/package_format.h"

namespace edgec::pkg {

inline std::vector<uint8_t> assemblePackage(const std::vector<uint8_t> &plan,
                                            const std::vector<uint8_t> &constants) {
  constexpr uint32_t kSections = 2;
  uint64_t tableOffset = sizeof(FileHeader);
  uint64_t planOffset = alignTo(tableOffset + kSections * sizeof(SectionEntry));
  uint64_t constOffset = alignTo(planOffset + plan.size());
  uint64_t fileSize = constOffset + constants.size();

  std::vector<uint8_t> out(fileSize, 0);
  FileHeader h{};
  std::memcpy(h.magic, kMagic, sizeof h.magic);
  h.format_version = kFormatVersion;
  h.header_size = sizeof h;
  h.file_size = fileSize;
  h.section_table_offset = tableOffset;
  h.section_count = kSections;
  h.section_entry_size = sizeof(SectionEntry);
  std::memcpy(out.data(), &h, sizeof h);

  SectionEntry entries[kSections] = {
      {uint32_t(SectionKind::Plan), 0, planOffset, plan.size(), 0},
      {uint32_t(SectionKind::Constants), 0, constOffset, constants.size(), 0},
  };
  std::memcpy(out.data() + tableOffset, entries, sizeof entries);
  std::memcpy(out.data() + planOffset, plan.data(), plan.size());
  if (!constants.empty()) std::memcpy(out.data() + constOffset, constants.data(), constants.size());
  updateChecksum(out);
  return out;
}

}  // namespace edgec::pkg
