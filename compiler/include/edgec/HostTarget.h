// The host target: lowers an optimized edge module to a kernel plan (tensors with
// static shapes, arena offsets from a static memory plan, constants in an aligned
// segment) and serializes it as an .edgepkg.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mlir/IR/BuiltinOps.h"

namespace edgec {

struct PackageStats {
  size_t kernels = 0, tensors = 0;
  uint64_t arenaBytes = 0, constantBytes = 0, naiveArenaBytes = 0;
};

// Returns the package bytes; on failure emits an error on the offending op and
// returns an empty vector.
std::vector<uint8_t> buildHostPackage(mlir::ModuleOp module, PackageStats *stats = nullptr);

}  // namespace edgec
