// Writing the .edgepkg container (runtime/include/edgec/package_format.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace edgec {

// Header + section table + PLAN + CONSTANTS, with the checksum filled in.
std::vector<uint8_t> assemblePackage(const std::vector<uint8_t> &plan, const std::vector<uint8_t> &constants);

// Writes `bytes` to a temporary file beside `path` and renames it into place, so a
// failure never leaves a partial file. Returns false and sets `error` on failure.
bool writeFileAtomically(const std::string &path, const std::vector<uint8_t> &bytes, std::string &error);

}  // namespace edgec
