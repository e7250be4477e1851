// Writing files the way every edgec output is written: all or nothing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace edgec {

// Writes `bytes` to a temporary file beside `path` and renames it into place, so a
// failure never leaves a partial file. Returns false and sets `error` on failure.
bool writeFileAtomically(const std::string &path, const std::vector<uint8_t> &bytes, std::string &error);

// The same, streamed: write() pieces to a temporary file beside `path`, then commit()
// renames it into place. A writer destroyed without a successful commit removes the
// temporary file. Errors name `path`.
class AtomicFileWriter {
public:
  explicit AtomicFileWriter(std::string path);
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter &) = delete;
  AtomicFileWriter &operator=(const AtomicFileWriter &) = delete;
  bool ok() const { return error_.empty(); }
  const std::string &error() const { return error_; }
  const std::string &tempPath() const { return tmp_; }
  bool write(const void *data, size_t size);
  // Closes the temporary file (its contents complete); the file can be read before commit.
  bool close();
  bool commit();

private:
  std::string path_, tmp_, error_;
  int fd_ = -1;
  bool committed_ = false;
};

}  // namespace edgec
