// Reading and writing NumPy .npy files (format 1.0/2.0, C order, little-endian), the
// exchange format of `edgec run`. Errors name the file and the problem.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "edgec/runtime.h"

namespace edgec {

struct NpyArray {
  edgec_dtype dtype = EDGEC_F32;
  std::vector<int64_t> shape;
  std::vector<uint8_t> data;
};

// Throws std::runtime_error with a message naming `path`.
NpyArray readNpy(const std::string &path);
// The same from memory (an entry of an .npz): the buffer must hold exactly one array, and
// errors name `name`.
NpyArray parseNpy(const uint8_t *data, size_t size, const std::string &name);
// Writes to a temporary file beside `path` and renames it into place when complete.
void writeNpy(const std::string &path, const NpyArray &array);

const char *npyDescr(edgec_dtype dtype);  // "<f4", ... ; nullptr if not representable
size_t dtypeBytes(edgec_dtype dtype);
const char *dtypeName(edgec_dtype dtype);  // "float32", ...

}  // namespace edgec
