// Writing files the way every edgec output is written: all or nothing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace edgec {

// Writes `bytes` to a temporary file beside `path` and renames it into place, so a
// failure never leaves a partial file. Returns false and sets `error` on failure.
bool writeFileAtomically(const std::string &path, const std::vector<uint8_t> &bytes, std::string &error);

}  // namespace edgec
