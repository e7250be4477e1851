#include "edgec/AtomicFile.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>


namespace edgec {

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

AtomicFileWriter::AtomicFileWriter(std::string path)
    : path_(std::move(path)), tmp_(path_ + ".tmp." + std::to_string(::getpid())) {
  fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) error_ = path_ + ": cannot write: " + std::strerror(errno);
}

AtomicFileWriter::~AtomicFileWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) std::remove(tmp_.c_str());
}

bool AtomicFileWriter::write(const void *data, size_t size) {
  if (!ok() || fd_ < 0) return false;
  const char *p = static_cast<const char *>(data);
  while (size > 0) {
    ssize_t n = ::write(fd_, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      error_ = path_ + ": write failed: " + std::strerror(errno);
      return false;
    }
    p += n;
    size -= size_t(n);
  }
  return true;
}

bool AtomicFileWriter::close() {
  if (!ok()) return false;
  if (fd_ >= 0 && ::close(fd_) != 0) error_ = path_ + ": cannot complete the write: " + std::strerror(errno);
  fd_ = -1;
  return ok();
}

bool AtomicFileWriter::commit() {
  if (!close()) return false;
  if (std::rename(tmp_.c_str(), path_.c_str()) != 0) {
    error_ = path_ + ": cannot complete the write: " + std::strerror(errno);
    return false;
  }
  committed_ = true;
  return true;
}

}  // namespace edgec
