// The ONNX frontend: an .onnx (binary) or .onnxtxt (ONNX textual syntax) file becomes
// an edge-dialect module with one func.func @main.
//
// Steps (all through the ONNX library): parse, resolve external data with path
// containment, onnx::checker, version conversion to opset 17, shape inference with data
// propagation, then a check that every op is supported (all problems listed at once),
// then the import itself. Initializers become edge.constant ops holding resource blobs.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace edgec {

inline constexpr int kCanonicalOpset = 17;

// A graph input frozen into a constant (`edgec compile --bind NAME=FILE.npy`).
struct BoundInput {
  std::string source;  // where the value came from, for messages ("shape.npy")
  std::string dtype;   // numpy's name: "float32", "int64", "bool", ...
  std::vector<int64_t> shape;
  std::vector<uint8_t> data;  // little-endian, C order
};

struct ImportOptions {
  // Replace the declared shape of graph inputs (e.g. a symbolic batch dim).
  std::map<std::string, std::vector<int64_t>> inputShapes;
  // Graph inputs that become initializers before anything else (Reshape's shape, Slice's
  // starts, Trilu's k given as inputs): the model then compiles with static shapes.
  std::map<std::string, BoundInput> boundInputs;
};

// On failure returns null and sets `error` to one message naming the file and problem.
mlir::OwningOpRef<mlir::ModuleOp> importOnnxFile(mlir::MLIRContext &context,
                                                 const std::string &path,
                                                 const ImportOptions &options,
                                                 std::string &error);

// Same, for a serialized binary ModelProto (`name` is used in messages; external data
// is resolved relative to `baseDir`).
mlir::OwningOpRef<mlir::ModuleOp> importOnnxBytes(mlir::MLIRContext &context,
                                                  const std::string &bytes,
                                                  const std::string &name,
                                                  const std::string &baseDir,
                                                  const ImportOptions &options,
                                                  std::string &error);

// The ONNX op types the frontend can import (for `edgec --help` and reports).
std::vector<std::string> supportedOnnxOps();

}  // namespace edgec
