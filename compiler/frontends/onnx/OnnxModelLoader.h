// Loading an ONNX model through the ONNX library and getting it ready for import:
// parse, external data (with path containment), checker, version conversion, shape
// inference. Throws LoadError with a message that names the file and the problem.
#pragma once

#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "edgec/OnnxImporter.h"
#include "onnx/onnx_pb.h"

namespace edgec::onnx_frontend {

struct LoadError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Parses `bytes` as binary ModelProto, or as ONNX textual syntax when `textual`.
onnx::ModelProto parseModel(const std::string &bytes, bool textual, const std::string &name);
// A binary model straight from its file (no copy of the file's bytes in memory).
onnx::ModelProto parseModelFile(const std::string &path);

// Reads every initializer stored as external data into raw_data. Locations must be
// relative, without "..", and must resolve (following symlinks) inside `baseDir`.
void loadExternalData(onnx::ModelProto &model, const std::string &baseDir, const std::string &name);

// Turns each bound graph input into an initializer holding its value. Throws LoadError
// naming the input when the model has no such input or the value's element type or
// shape differs from the declared one.
void bindInputs(onnx::ModelProto &model, const std::map<std::string, BoundInput> &bound, const std::string &name);

// checker + conversion to `opset` + shape inference (with `inputShapes` applied first).
void prepareModel(onnx::ModelProto &model, int opset,
                  const std::map<std::string, std::vector<int64_t>> &inputShapes,
                  const std::string &name, const std::map<std::string, std::vector<bool>> &dynamic = {});

// Before version conversion: infers shapes (best effort) and replaces the int64 shape
// ops (Shape, Gather, Unsqueeze, Squeeze, Concat, Cast) whose results are then known by
// initializers, in rounds until none is left (ShapeFolding.cpp). `modelOpset` is the
// model's own opset, which decides where Unsqueeze/Squeeze take their axes.
// `dynamic` (value -> a flag per dim, dynamicValueDims): a Shape over a dynamic dim stays
// a node, and a Gather of its fixed dims folds.
void foldShapeComputations(onnx::ModelProto &model, int64_t modelOpset,
                           const std::map<std::string, std::vector<bool>> &dynamic);

// Which dims of which values follow the dynamic dims named in `inputDimNames` (input ->
// a name per dim, "" fixed): ONNX shape inference on a weightless copy of the graph with
// those dims symbolic (DynamicDims.cpp). Values without a dynamic dim are absent.
std::map<std::string, std::vector<bool>> dynamicValueDims(
    const onnx::ModelProto &model, const std::map<std::string, std::vector<std::string>> &inputDimNames);

// A model with dynamic dims keeps its Shape ops over them, so ONNX's inference leaves the
// values sized from them (a Range's length, a ConstantOfShape's dims) unknown: this types
// them at the sizes of this compile, from a weightless copy whose shape computations are
// folded (the importer's result types; the run-time shapes come from the kernels' shape
// functions).
void typeFromCompileSizes(onnx::ModelProto &model, int64_t opset);
// Before opset 13, Hardmax coerces its input to 2-D around `axis` (default 1), and the
// version converter keeps the node as is; this rewrites each such node into Flatten,
// Hardmax over the rows, and Reshape back (ImportSelection.cpp).
void coerceLegacyHardmax(onnx::ModelProto &model);

// Ops whose result sizes depend on values: NonZero, Compress, Unique, NonMaxSuppression.
bool isDataDependentOp(const onnx::NodeProto &n);
bool hasDataDependentOps(const onnx::GraphProto &g);
// Types each such node's results at their capacity (`probe`: one less along the dims the
// values decide), and every Loop's carried results at their initial types, then what
// follows them by inference; an axis-less Compress gets a flatten first
// (DataDependentSizes.cpp).
void sizeDataDependentResults(onnx::ModelProto &model, bool probe, const std::string &name);

// ONNX shape inference with data propagation (again after constants were bound).
void inferShapes(onnx::ModelProto &model, const std::string &name);
// Symbolic dims that a run-time value decides (Range's length) and that a declared
// static shape fixes through shape-preserving ops become numbers (DeclaredDims.cpp).
void bindDeclaredDims(onnx::ModelProto &model);

// Whether `n` is an op the ONNX schema at `opset` defines as a function of other ops.
bool expandsAsFunction(const onnx::NodeProto &n, int opset);
// Replaces every node that `imported` rejects and whose schema has a function body by
// that body (FunctionExpansion.cpp), then infers shapes again; returns how many nodes
// were expanded.
int expandFunctions(onnx::ModelProto &model, int opset, const std::function<bool(const onnx::NodeProto &)> &imported,
                    const std::string &name);

// ONNX Runtime's operator domain. edgec imports a few of its ops (microsoftOpsImported:
// QLinearAdd, QLinearMul); registerMicrosoftSchemas (MicrosoftSchemas.cpp, called by
// prepareModel) makes the ONNX library's checker, version converter and shape inference
// know them.
inline constexpr const char *kMicrosoftDomain = "com.microsoft";
const std::vector<std::string> &microsoftOpsImported();
void registerMicrosoftSchemas();

// Replaces shape inference functions of ONNX 1.12 schemas that contradict their
// operator's specification (STFT-17) by correct ones (SchemaFixes.cpp, called by
// prepareModel before anything infers shapes).
void fixOnnxSchemas();

}  // namespace edgec::onnx_frontend
