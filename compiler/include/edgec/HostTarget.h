// The host target: lowers an optimized edge module to a kernel plan (tensors with
// static shapes, arena offsets from a static memory plan, constants in an aligned
// segment) and serializes it as an .edgepkg that runs on the CPU running the runtime.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "edgec/Target.h"
#include "mlir/IR/BuiltinOps.h"

namespace edgec {

// The `host` Target (registered by registerBuiltinTargets()).
std::unique_ptr<Target> createHostTarget();

// Returns the package bytes; on failure emits an error on the offending op and
// returns an empty vector. (The host Target's buildPackage.) `tensorValues`, if given,
// receives the IR value of each package tensor (null for those the lowering made).
std::vector<uint8_t> buildHostPackage(mlir::ModuleOp module, PackageStats *stats = nullptr,
                                      std::vector<mlir::Value> *tensorValues = nullptr);

// Streams the package to `path` (a temporary file, checked by the runtime, then renamed
// into place), holding no second copy of the weights; false, with an error emitted on the
// module, on failure (nothing is left at `path`).
bool writeHostPackage(mlir::ModuleOp module, const std::string &path, PackageStats *stats = nullptr);

// The same check on a package file.
mlir::LogicalResult checkRuntimeAcceptsFile(mlir::ModuleOp module, const std::string &path);

// Loads `package` with the runtime and prepares every kernel (ref kernels, one thread);
// an error on `module` names the node the runtime would refuse.
mlir::LogicalResult checkRuntimeAccepts(mlir::ModuleOp module, const std::vector<uint8_t> &package);

// Target::buildDynamicPackage for the host (DynamicShapes.cpp).
std::vector<uint8_t> buildHostDynamicPackage(mlir::ModuleOp atBounds, mlir::ModuleOp smaller, const DynamicDims &dims,
                                             PackageStats *stats, std::string &error);

// Every op and element type in `module` that the host target cannot run, in one error.
mlir::LogicalResult checkHostLegality(mlir::ModuleOp module);

}  // namespace edgec
