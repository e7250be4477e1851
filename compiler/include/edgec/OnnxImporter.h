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
  // Replace the declared shape of graph inputs (e.g. a symbolic batch dim). A dim of -1
  // is a dynamic dim named in `inputDimNames`.
  std::map<std::string, std::vector<int64_t>> inputShapes;
  std::map<std::string, std::vector<std::string>> inputDimNames;  // per dim; "" = fixed
  // The size to compile each named dynamic dim at (--dim-bound, or the compiler's second,
  // smaller instance of a dynamic model): for the names in `inputDimNames` and for the
  // model's own dim_params. The module then records which input dims were which names
  // (`edge.input_dims`: input name -> one name per dim, "" for a fixed dim).
  std::map<std::string, int64_t> dimValues;
  // Graph inputs that become initializers before anything else (Reshape's shape, Slice's
  // starts, Trilu's k given as inputs): the model then compiles with static shapes.
  std::map<std::string, BoundInput> boundInputs;
  // The compiler's probe compile of a model with data-dependent sizes (NonZero, ...):
  // each such size one less than its capacity (DataDependentSizes.cpp). The module of a
  // model with such ops has the unit attribute `edge.data_dependent`.
  bool dataDependentProbe = false;
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

// How the frontend handles one ONNX operator (`edgec ops`, docs/onnx_ops.md).
struct OnnxOpSupport {
  std::string domain;  // "" for the default domain (ai.onnx)
  std::string op;
  // The operator's versions (each schema's since_version) up to kCanonicalOpset: a model of
  // any opset from the first on is converted to kCanonicalOpset before import. Empty for a
  // domain without schemas in this ONNX build.
  std::vector<int> versions;
  // "import": an importer of its own; "function": no importer, but ONNX defines the
  // operator as a function of other operators, whose body replaces the node (it imports
  // when the body's operators do); "none": not supported.
  std::string how;
  bool deprecated = false;  // ONNX marks the schema deprecated at kCanonicalOpset
};

// Every operator of the default domain that ONNX defines up to kCanonicalOpset, and every
// operator of another domain that the frontend imports; sorted by domain, then name.
std::vector<OnnxOpSupport> onnxOpSupport();

}  // namespace edgec
