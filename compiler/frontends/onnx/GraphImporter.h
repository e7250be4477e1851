// Internal to the ONNX frontend: the graph importer shared by the op family files
// (ImportMath.cpp, ImportNN.cpp, ImportTensor.cpp) and its driver (GraphImporter.cpp).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "edge/EdgeDialect.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringMap.h"
#include "onnx/onnx_pb.h"

namespace edgec::onnx_frontend {

using namespace mlir;
using namespace mlir::edge;

struct ImportError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A value's shape is unknown, but constants folded so far may let ONNX shape inference
// resolve it: the caller binds them into the model and imports again.
struct ShapesPending : ImportError {
  using ImportError::ImportError;
};

// The MLIR element type of an ONNX tensor type; null if unsupported.
Type elementType(MLIRContext &ctx, int32_t onnxType);
// `axis` in [-rank, rank) as [0, rank); throws ImportError naming `where` otherwise.
int64_t normalizeAxis(int64_t axis, int64_t rank, const std::string &where);
// How messages name a node: its name, else its first output.
std::string nodeDisplayName(const onnx::NodeProto &n);
// An attribute value among `allowed`, else an ImportError naming `where` that lists them
// (ImportSpatial.cpp).
void requireOneOf(const std::string &where, const char *key, const std::string &v,
                  std::initializer_list<const char *> allowed);
// The bytes (constant layout) of a rows x cols matrix of `elem` with ones on diagonal k
// (EyeLike; Einsum's diagonal masks). ImportSelection.cpp.
std::vector<uint8_t> identityBytes(Type elem, int64_t rows, int64_t cols, int64_t k);

// Initializers already turned into attributes, by name. It outlives one import round:
// a large float initializer's bytes move from the proto into its attribute (one copy of
// the weights, not two), so a later round must reuse the attribute.
using ConstantCache = std::map<std::string, ElementsAttr>;

class GraphImporter {
public:
  GraphImporter(MLIRContext &ctx, onnx::ModelProto &model, const std::string &name, ConstantCache &constants)
      : ctx_(ctx), builder_(&ctx), model_(model), name_(name), constants_(constants) {
    for (const auto &vi : model.graph().input()) types_[vi.name()] = &vi.type(), graphInputs_.insert(vi.name());
    for (const auto &vi : model.graph().value_info()) types_[vi.name()] = &vi.type();
    for (const auto &vi : model.graph().output()) types_[vi.name()] = &vi.type();
    for (auto &t : *model.mutable_graph()->mutable_initializer()) initializers_[t.name()] = &t;
  }

  OwningOpRef<ModuleOp> run();

  // ONNX op type -> the member that imports it. Ops of the default domain are keyed by
  // their type, others by "domain.type" (com.microsoft.QLinearAdd): importerKey.
  static std::string importerKey(const onnx::NodeProto &n);
  using Importer = void (GraphImporter::*)(const onnx::NodeProto &);
  using ImporterTable = std::map<std::string, Importer>;
  static const ImporterTable &importers();

  // Node outputs folded to constants during this import (see ShapesPending).
  const std::map<std::string, ElementsAttr> &folded() const { return folded_; }

  // A model with dynamic dims: which dims of which values follow them (dynamicValueDims).
  // A Shape over such a dim is a run-time op, and a Gather of its other dims a constant.
  void setDynamicDims(const std::map<std::string, std::vector<bool>> *dynamic) { dynamic_ = dynamic; }

private:
  // Each op family file registers its importers (ImportMath/NN/Tensor.cpp).
  static void addMathImporters(ImporterTable &table);
  static void addNNImporters(ImporterTable &table);
  static void addTensorImporters(ImporterTable &table);
  static void addSpatialImporters(ImporterTable &table);
  static void addQuantImporters(ImporterTable &table);
  static void addSelectionImporters(ImporterTable &table);
  static void addDataDependentImporters(ImporterTable &table);
  static void addIntegerImporters(ImporterTable &table);
  static void addIndexingImporters(ImporterTable &table);
  static void addVisionImporters(ImporterTable &table);
  static void addSignalImporters(ImporterTable &table);
  static void addTextImporters(ImporterTable &table);
  static void addRecurrentImporters(ImporterTable &table);
  static void addControlFlowImporters(ImporterTable &table);
  static void addTrainingImporters(ImporterTable &table);

  RankedTensorType typeOf(const std::string &value, const std::string &where);
  RankedTensorType typeOfTensor(const onnx::TensorProto &t);
  Value constantFrom(const onnx::TensorProto &t, const std::string &name);
  // An initializer's constant: cached across rounds; large float weights take the
  // proto's bytes instead of copying them.
  Value initializerConstant(onnx::TensorProto &t, const std::string &name);
  Value input(const onnx::NodeProto &n, int i);  // null if absent
  // "; freeze the graph input with --bind ..." when `value` is a graph input, else "".
  std::string bindHint(const std::string &value) const;
  std::vector<int64_t> constantInts(const onnx::NodeProto &n, int i, const char *what);
  // A one-integer parameter: null with `value` set if constant, else the operand itself.
  Value parameterOperand(const onnx::NodeProto &n, int i, const char *what, int64_t &value);
  // Shape parameters known only at run time (ImportTensor.cpp): true when one of the
  // `inputs` present is not a constant and yet every result has a static type, so the
  // op takes them as operands; false when they are all constants (the attribute form)
  // or a result is not static (the caller's constantInts then says why).
  bool runtimeShapeParams(const onnx::NodeProto &n, std::initializer_list<int> inputs);
  // Input i as such an operand (null if absent): an int32/int64 list, else ImportError.
  Value shapeParamOperand(const onnx::NodeProto &n, int i, const char *what);
  void define(const onnx::NodeProto &n, int i, Value v);
  void foldIfConstant(const onnx::NodeProto &n);

  Location loc(const onnx::NodeProto &n);
  std::string where(const onnx::NodeProto &n) { return name_ + ": node '" + nodeName(n) + "' (" + n.op_type() + ")"; }
  static std::string nodeName(const onnx::NodeProto &n) { return nodeDisplayName(n); }
  RankedTensorType resultType(const onnx::NodeProto &n, int i = 0) { return typeOf(n.output(i), where(n)); }

  // Attributes with ONNX defaults.
  const onnx::AttributeProto *attr(const onnx::NodeProto &n, const char *key);
  int64_t attrInt(const onnx::NodeProto &n, const char *key, int64_t def);
  float attrFloat(const onnx::NodeProto &n, const char *key, float def);
  std::string attrString(const onnx::NodeProto &n, const char *key, const std::string &def);
  std::vector<int64_t> attrInts(const onnx::NodeProto &n, const char *key, std::vector<int64_t> def);

  template <typename OpTy> void importSimple(const onnx::NodeProto &n);
  void importClip(const onnx::NodeProto &n);
  template <typename OpTy> void importSoftmax(const onnx::NodeProto &n);
  void importLayerNorm(const onnx::NodeProto &n);
  void importBatchNorm(const onnx::NodeProto &n);
  void importGemm(const onnx::NodeProto &n);
  void importConv(const onnx::NodeProto &n);
  template <typename PoolOp> void importPool(const onnx::NodeProto &n);
  void importReshapeLike(const onnx::NodeProto &n);
  void importReshapeLikeExpand(const onnx::NodeProto &n);
  void importCast(const onnx::NodeProto &n);
  void importIdentity(const onnx::NodeProto &n);
  void importTranspose(const onnx::NodeProto &n);
  void importConcat(const onnx::NodeProto &n);
  void importSlice(const onnx::NodeProto &n);
  void importGather(const onnx::NodeProto &n);
  Value gatherFixedShapeDims(const onnx::NodeProto &n);
  template <typename ReduceOp> void importReduce(const onnx::NodeProto &n);
  void importConstant(const onnx::NodeProto &n);
  void importShape(const onnx::NodeProto &n);
  template <typename OpTy> void importActivation(const onnx::NodeProto &n);
  void importIsInf(const onnx::NodeProto &n);
  void importMod(const onnx::NodeProto &n);
  void importBitShift(const onnx::NodeProto &n);
  template <typename OpTy> void importArgReduce(const onnx::NodeProto &n);
  void importSplit(const onnx::NodeProto &n);
  void importTile(const onnx::NodeProto &n);
  void importPad(const onnx::NodeProto &n);
  void importTrilu(const onnx::NodeProto &n);
  void importCumSum(const onnx::NodeProto &n);
  void importConstantOfShape(const onnx::NodeProto &n);
  void importSize(const onnx::NodeProto &n);
  // Selection ops (ImportSelection.cpp).
  int64_t constantCount(const onnx::NodeProto &n, int i, const char *what, int64_t lo, int64_t hi);
  void importHardmax(const onnx::NodeProto &n);
  void importTopK(const onnx::NodeProto &n);
  void importOneHot(const onnx::NodeProto &n);
  void importEyeLike(const onnx::NodeProto &n);
  void importReverseSequence(const onnx::NodeProto &n);
  void importEinsum(const onnx::NodeProto &n);  // ImportEinsum.cpp
  // Data-dependent result sizes (ImportDataDependent.cpp).
  void importNonZero(const onnx::NodeProto &n);
  void importCompress(const onnx::NodeProto &n);
  void importUnique(const onnx::NodeProto &n);
  void importNonMaxSuppression(const onnx::NodeProto &n);
  // Spatial resampling (ImportSpatial.cpp).
  void importDepthToSpace(const onnx::NodeProto &n);
  void importSpaceToDepth(const onnx::NodeProto &n);
  std::optional<std::vector<double>> constantFloats(const onnx::NodeProto &n, int i, const char *what);
  void importResize(const onnx::NodeProto &n);
  void importUpsample(const onnx::NodeProto &n);
  void createResize(const onnx::NodeProto &n, const std::string &mode, const std::string &coordinates,
                    const std::string &nearestMode, DenseF32ArrayAttr scales, DenseF32ArrayAttr roi, Value roiInput,
                    Value scalesInput, Value sizesInput);
  Value scalarConstant(const onnx::NodeProto &n, onnx::TensorProto t);
  // Expand's or ConstantOfShape's non-constant shape input as an operand (ImportTensor.cpp).
  Value runtimeShape(const onnx::NodeProto &n, int i);
  // Quantization (ImportQuant.cpp).
  Type quantizedType(const onnx::NodeProto &n, int scaleInput, int zeroPointInput, Type storage, int64_t rank,
                     std::optional<int64_t> axis);
  Value dequantized(const onnx::NodeProto &n, int valueInput, int scaleInput, int zeroPointInput,
                    std::optional<int64_t> axis);
  Value quantized(const onnx::NodeProto &n, Value y, int scaleInput, int zeroPointInput);
  void importQuantizeLinear(const onnx::NodeProto &n);
  void importDequantizeLinear(const onnx::NodeProto &n);
  void importQLinearConv(const onnx::NodeProto &n);
  void importQLinearMatMul(const onnx::NodeProto &n);
  template <typename OpTy> void importQLinearBinary(const onnx::NodeProto &n);
  // Integer-output ops (ImportInteger.cpp).
  Value integerOperand(const onnx::NodeProto &n, int i, const char *what);
  Value zeroPointOperand(const onnx::NodeProto &n, int i, Value operand, int64_t count, const char *what,
                         const char *perWhat);
  void importMatMulInteger(const onnx::NodeProto &n);
  void importConvInteger(const onnx::NodeProto &n);
  void importDynamicQuantizeLinear(const onnx::NodeProto &n);
  // ImportRuntimeQuant.cpp: scales and zero points computed at run time, as f32 math.
  bool runtimeParams(const onnx::NodeProto &n, std::initializer_list<int> inputs);
  Value runtimeParam(const onnx::NodeProto &n, int i, int64_t rank, std::optional<int64_t> axis);
  Value runtimeQuantize(const onnx::NodeProto &n, Value x, int scaleInput, int zeroPointInput,
                        std::optional<int64_t> axis);
  Value runtimeDequantize(const onnx::NodeProto &n, int valueInput, int scaleInput, int zeroPointInput,
                          std::optional<int64_t> axis);
  // Element-indexing ops (ImportIndexing.cpp).
  Value requiredInput(const onnx::NodeProto &n, int i, const char *what);
  StringAttr scatterReduction(const onnx::NodeProto &n);
  void importGatherElements(const onnx::NodeProto &n);
  void importScatterElements(const onnx::NodeProto &n);
  void importGatherND(const onnx::NodeProto &n);
  void importScatterND(const onnx::NodeProto &n);
  // Vision ops (ImportVision.cpp).
  void importConvTranspose(const onnx::NodeProto &n);
  void importGridSample(const onnx::NodeProto &n);
  void importInstanceNorm(const onnx::NodeProto &n);
  void importLRN(const onnx::NodeProto &n);
  void importRoiAlign(const onnx::NodeProto &n);
  void importMaxUnpool(const onnx::NodeProto &n);
  // Signal processing (ImportSignal.cpp).
  void importDFT(const onnx::NodeProto &n);
  void importSTFT(const onnx::NodeProto &n);
  void importMelWeightMatrix(const onnx::NodeProto &n);
  // Text features (ImportText.cpp).
  void importTfIdfVectorizer(const onnx::NodeProto &n);
  // ImportRecurrent.cpp
  void importRecurrent(const onnx::NodeProto &n);
  // ImportControlFlow.cpp: subgraphs become private functions of the module.
  struct Captures {
    std::vector<std::string> names;  // outer values passed as arguments, in order
    SmallVector<Value> values;
    std::vector<std::pair<std::string, Value>> constants;  // cloned into the body instead
  };
  Captures captureValues(ArrayRef<const onnx::GraphProto *> graphs);
  func::FuncOp importSubgraph(const onnx::NodeProto &n, const onnx::GraphProto &g, StringRef what,
                              ArrayRef<std::pair<std::string, Type>> formal, const Captures &caps);
  void importIf(const onnx::NodeProto &n);
  void importLoop(const onnx::NodeProto &n);
  void importOptimizer(const onnx::NodeProto &n);  // ImportTraining.cpp
  void importScan(const onnx::NodeProto &n);
  static std::string typesString(TypeRange types);
  // Imports g's nodes at the builder's insertion point (the main graph and subgraphs).
  void importNodes(const onnx::GraphProto &g);

  // Spatial window attributes shared by Conv and the pools, with auto_pad resolved.
  struct Window {
    std::vector<int64_t> kernel, strides, pads, dilations;
  };
  Window window(const onnx::NodeProto &n, ArrayRef<int64_t> inShape, std::vector<int64_t> kernel);

  MLIRContext &ctx_;
  OpBuilder builder_;
  const onnx::ModelProto &model_;
  std::string name_;
  std::map<std::string, const onnx::TypeProto *> types_;
  std::map<std::string, onnx::TensorProto *> initializers_;
  ConstantCache &constants_;
  ModuleOp module_;  // the module being built (run)
  llvm::StringMap<Value> values_;
  std::map<std::string, ElementsAttr> folded_;
  const std::map<std::string, std::vector<bool>> *dynamic_ = nullptr;
  // Run-time Shape ops: their output -> (the input's ONNX name, start).
  std::map<std::string, std::pair<std::string, int64_t>> runtimeShapes_;
  std::set<std::string> graphInputs_;
};


template <typename OpTy> void GraphImporter::importSimple(const onnx::NodeProto &n) {
  SmallVector<Value> operands;
  for (int i = 0; i < n.input_size(); ++i) operands.push_back(input(n, i));
  define(n, 0, builder_.create<OpTy>(loc(n), resultType(n), operands));
}


}  // namespace edgec::onnx_frontend
