#include "edgec/PackageWriter.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "edgec/package_format.h"

namespace edgec {

std::vector<uint8_t> assemblePackage(const std::vector<uint8_t> &plan, const std::vector<uint8_t> &constants) {
  constexpr uint32_t kSections = 2;
  uint64_t tableOffset = sizeof(pkg::FileHeader);
  uint64_t planOffset = pkg::alignTo(tableOffset + kSections * sizeof(pkg::SectionEntry));
  uint64_t constOffset = pkg::alignTo(planOffset + plan.size());
  uint64_t fileSize = constOffset + constants.size();

  std::vector<uint8_t> out(fileSize, 0);
  pkg::FileHeader h{};
  std::memcpy(h.magic, pkg::kMagic, sizeof h.magic);
  h.format_version = pkg::kFormatVersion;
  h.header_size = sizeof h;
  h.file_size = fileSize;
  h.section_table_offset = tableOffset;
  h.section_count = kSections;
  h.section_entry_size = sizeof(pkg::SectionEntry);
  std::memcpy(out.data(), &h, sizeof h);

  pkg::SectionEntry entries[kSections] = {
      {uint32_t(pkg::SectionKind::Plan), 0, planOffset, plan.size(), 0},
      {uint32_t(pkg::SectionKind::Constants), 0, constOffset, constants.size(), 0},
  };
  std::memcpy(out.data() + tableOffset, entries, sizeof entries);
  std::memcpy(out.data() + planOffset, plan.data(), plan.size());
  if (!constants.empty()) std::memcpy(out.data() + constOffset, constants.data(), constants.size());

  uint64_t checksum = pkg::packageChecksum(out.data(), out.size());
  std::memcpy(out.data() + pkg::kChecksumOffset, &checksum, sizeof checksum);
  return out;
}

bool writeFileAtomically(const std::string &path, const std::vector<uint8_t> &bytes, std::string &error) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    error = path + ": cannot write: " + std::strerror(errno);
    return false;
  }
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      error = path + ": write failed: " + std::strerror(errno);
      ::close(fd);
      std::remove(tmp.c_str());
      return false;
    }
    done += size_t(n);
  }
  if (::close(fd) != 0 || std::rename(tmp.c_str(), path.c_str()) != 0) {
    error = path + ": cannot complete the write: " + std::strerror(errno);
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

}  // namespace edgec
