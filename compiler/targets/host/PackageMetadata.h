// Package.metadata from the module's `edge.metadata` dictionary (see PackageMetadata.cpp).
#pragma once

#include "edgepkg_generated.h"
#include "mlir/IR/BuiltinOps.h"

namespace edgec {

// Leaves `out` null when the module has no metadata; an error on a value of a kind the
// schema has no field for.
mlir::LogicalResult buildPackageMetadata(
    mlir::ModuleOp module, flatbuffers::FlatBufferBuilder &fbb,
    flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<pkg::Metadata>>> &out);

}  // namespace edgec
