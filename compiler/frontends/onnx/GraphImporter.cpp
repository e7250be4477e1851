// The graph importer's core: values, types, constants, attributes with ONNX defaults,
// import-time constant folding, and the walk over the graph.
#include "GraphImporter.h"

#include "edge/QuantTypes.h"
#include "mlir/IR/TypeUtilities.h"

#include <cstring>

#include "edge/ConstantData.h"
#include "edgec/KernelBridge.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

namespace edgec::onnx_frontend {

Type elementType(MLIRContext &ctx, int32_t onnxType) {
  Builder b(&ctx);
  switch (onnxType) {
  case onnx::TensorProto::FLOAT: return b.getF32Type();
  case onnx::TensorProto::DOUBLE: return b.getF64Type();
  case onnx::TensorProto::FLOAT16: return b.getF16Type();
  case onnx::TensorProto::BFLOAT16: return b.getBF16Type();
  case onnx::TensorProto::INT8: return b.getIntegerType(8);
  case onnx::TensorProto::INT16: return b.getIntegerType(16);
  case onnx::TensorProto::INT32: return b.getIntegerType(32);
  case onnx::TensorProto::INT64: return b.getIntegerType(64);
  case onnx::TensorProto::UINT8: return b.getIntegerType(8, false);
  case onnx::TensorProto::UINT16: return b.getIntegerType(16, false);
  case onnx::TensorProto::UINT32: return b.getIntegerType(32, false);
  case onnx::TensorProto::UINT64: return b.getIntegerType(64, false);
  case onnx::TensorProto::BOOL: return b.getI1Type();
  default: return nullptr;
  }
}

namespace {

// Packed little-endian bytes of an ONNX tensor (bool: one byte per element).
std::vector<uint8_t> tensorBytes(const onnx::TensorProto &t, size_t elemBytes, int64_t count) {
  std::vector<uint8_t> out(size_t(count) * elemBytes);
  auto fill = [&](auto begin, auto end, auto cast) {
    size_t i = 0;
    for (auto it = begin; it != end && i < size_t(count); ++it, ++i) {
      auto v = cast(*it);
      std::memcpy(out.data() + i * elemBytes, &v, elemBytes);
    }
    if (i != size_t(count)) throw ImportError("tensor '" + t.name() + "' has fewer values than its shape needs");
  };
  if (t.has_raw_data()) {
    if (t.raw_data().size() != out.size())
      throw ImportError("tensor '" + t.name() + "' has " + std::to_string(t.raw_data().size()) +
                        " bytes of data, its shape needs " + std::to_string(out.size()));
    if (!out.empty()) std::memcpy(out.data(), t.raw_data().data(), out.size());  // empty: data() may be null
    return out;
  }
  switch (t.data_type()) {
  case onnx::TensorProto::FLOAT: fill(t.float_data().begin(), t.float_data().end(), [](float v) { return v; }); break;
  case onnx::TensorProto::DOUBLE: fill(t.double_data().begin(), t.double_data().end(), [](double v) { return v; }); break;
  case onnx::TensorProto::INT64: fill(t.int64_data().begin(), t.int64_data().end(), [](int64_t v) { return v; }); break;
  case onnx::TensorProto::UINT32:
  case onnx::TensorProto::UINT64: fill(t.uint64_data().begin(), t.uint64_data().end(), [](uint64_t v) { return v; }); break;
  case onnx::TensorProto::INT8: fill(t.int32_data().begin(), t.int32_data().end(), [](int32_t v) { return int8_t(v); }); break;
  case onnx::TensorProto::UINT8:
  case onnx::TensorProto::BOOL: fill(t.int32_data().begin(), t.int32_data().end(), [](int32_t v) { return uint8_t(v); }); break;
  case onnx::TensorProto::INT16: fill(t.int32_data().begin(), t.int32_data().end(), [](int32_t v) { return int16_t(v); }); break;
  case onnx::TensorProto::UINT16:
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16: fill(t.int32_data().begin(), t.int32_data().end(), [](int32_t v) { return uint16_t(v); }); break;
  case onnx::TensorProto::INT32: fill(t.int32_data().begin(), t.int32_data().end(), [](int32_t v) { return v; }); break;
  default: throw ImportError("tensor '" + t.name() + "' has an unsupported data type");
  }
  return out;
}

std::string sanitize(const std::string &name) {
  std::string s;
  for (char c : name) s += (std::isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
  return s.empty() ? "const" : s;
}

}  // namespace

// Nodes may have neither a name nor outputs.
std::string nodeDisplayName(const onnx::NodeProto &n) {
  if (!n.name().empty()) return n.name();
  if (n.output_size() > 0 && !n.output(0).empty()) return n.output(0);
  return "<unnamed " + n.op_type() + ">";
}

int64_t normalizeAxis(int64_t axis, int64_t rank, const std::string &where) {
  int64_t a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= std::max<int64_t>(rank, 1))
    throw ImportError(where + ": axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  return a;
}

const onnx::AttributeProto *GraphImporter::attr(const onnx::NodeProto &n, const char *key) {
  for (const auto &a : n.attribute())
    if (a.name() == key) return &a;
  return nullptr;
}
int64_t GraphImporter::attrInt(const onnx::NodeProto &n, const char *key, int64_t def) {
  auto *a = attr(n, key);
  return a ? a->i() : def;
}
float GraphImporter::attrFloat(const onnx::NodeProto &n, const char *key, float def) {
  auto *a = attr(n, key);
  return a ? a->f() : def;
}
std::string GraphImporter::attrString(const onnx::NodeProto &n, const char *key, const std::string &def) {
  auto *a = attr(n, key);
  return a ? a->s() : def;
}
std::vector<int64_t> GraphImporter::attrInts(const onnx::NodeProto &n, const char *key, std::vector<int64_t> def) {
  auto *a = attr(n, key);
  return a ? std::vector<int64_t>(a->ints().begin(), a->ints().end()) : def;
}

Location GraphImporter::loc(const onnx::NodeProto &n) {
  return NameLoc::get(StringAttr::get(&ctx_, nodeName(n)));
}

RankedTensorType GraphImporter::typeOf(const std::string &value, const std::string &where) {
  auto it = types_.find(value);
  if (it == types_.end() || !it->second->has_tensor_type())
    throw ImportError(where + ": the type of '" + value + "' is unknown after shape inference");
  const auto &tt = it->second->tensor_type();
  Type elem = elementType(ctx_, tt.elem_type());
  if (!elem) throw ImportError(where + ": '" + value + "' has an unsupported element type " +
                               onnx::TensorProto::DataType_Name(onnx::TensorProto::DataType(tt.elem_type())));
  // Only a graph input's shape can be fixed with --input-shape: graph inputs are typed
  // first, so a dynamic dim anywhere else is one that shape inference could not resolve
  // from static inputs (a run-time value), and suggesting the flag there misleads.
  bool isGraphInput = graphInputs_.count(value);
  bool pending = !isGraphInput && !folded_.empty() && (!tt.has_shape() || llvm::any_of(tt.shape().dim(), [](const auto &d) {
                   return !d.has_dim_value() || d.dim_value() < 0;
                 }));
  std::string hint = isGraphInput ? "; edgec compiles static shapes: fix it with --input-shape " + value + "="
                                  : "; shape inference could not resolve it: it depends on values known only at "
                                    "run time (e.g. a computed Reshape shape), and edgec compiles static shapes (a graph input it "
                                    "is computed from can be frozen with --bind NAME=FILE.npy)";
  if (!tt.has_shape() && pending)
    throw ShapesPending(where + ": '" + value + "' has no static shape (unknown rank)" + hint);
  if (!tt.has_shape())
    throw ImportError(where + ": '" + value + "' has no static shape (unknown rank)" +
                      (isGraphInput ? hint + "D0xD1x..." : hint));
  SmallVector<int64_t> dims;
  std::string shapeArg, dynamicDim;
  for (const auto &d : tt.shape().dim()) {
    bool known = d.has_dim_value() && d.dim_value() >= 0;
    std::string dimText = known ? std::to_string(d.dim_value()) : d.has_dim_param() ? d.dim_param() : "?";
    shapeArg += (shapeArg.empty() ? "" : "x") + dimText;
    if (!known && dynamicDim.empty()) dynamicDim = d.has_dim_param() ? " '" + d.dim_param() + "'" : " ?";
    dims.push_back(known ? d.dim_value() : ShapedType::kDynamic);
  }
  if (!dynamicDim.empty() && pending)
    throw ShapesPending(where + ": '" + value + "' has a dynamic dim" + dynamicDim + hint);
  if (!dynamicDim.empty())
    throw ImportError(where + ": '" + value + "' has a dynamic dim" + dynamicDim +
                      (isGraphInput ? hint + shapeArg + " (with a number for each symbolic dim), or keep it dynamic "
                                             "up to a bound with --dim-bound NAME=N"
                                    : hint));
  return RankedTensorType::get(dims, elem);
}

RankedTensorType GraphImporter::typeOfTensor(const onnx::TensorProto &t) {
  Type elem = elementType(ctx_, t.data_type());
  if (!elem) throw ImportError(name_ + ": tensor '" + t.name() + "' has an unsupported element type");
  SmallVector<int64_t> dims(t.dims().begin(), t.dims().end());
  return RankedTensorType::get(dims, elem);
}

Value GraphImporter::constantFrom(const onnx::TensorProto &t, const std::string &name) {
  RankedTensorType type = typeOfTensor(t);
  size_t elemBytes = type.getElementType().isInteger(1) ? 1 : type.getElementTypeBitWidth() / 8;
  std::vector<uint8_t> bytes = tensorBytes(t, elemBytes, type.getNumElements());
  return builder_.create<ConstantOp>(NameLoc::get(StringAttr::get(&ctx_, name)), type,
                                     makeConstantAttr(type, bytes, sanitize(name)));
}

Value GraphImporter::initializerConstant(onnx::TensorProto &t, const std::string &name) {
  RankedTensorType type = typeOfTensor(t);
  Location loc = NameLoc::get(StringAttr::get(&ctx_, name));
  auto cached = constants_.find(name);
  if (cached != constants_.end() && cached->second.getType() == type)
    return builder_.create<ConstantOp>(loc, type, cached->second);
  // Weights (large float tensors stored as raw bytes) move into their attribute: the proto
  // keeps their type and an empty payload, and the blob frees the bytes with the context.
  // Shape inference in later rounds reads types only; small and integer tensors (shapes,
  // indices) stay in the proto as they are.
  Type elem = type.getElementType();
  const size_t elemBytes = elem.isInteger(1) ? 1 : type.getElementTypeBitWidth() / 8;
  const size_t bytes = size_t(type.getNumElements()) * elemBytes;
  const bool movable = t.has_raw_data() && isa<FloatType>(elem) && bytes >= 4096 &&
                       type.getNumElements() > kInlineConstantLimit && t.raw_data().size() == bytes &&
                       reinterpret_cast<uintptr_t>(t.raw_data().data()) % alignof(uint64_t) == 0;
  ElementsAttr attr;
  if (movable) {
    auto *owned = new std::string();
    owned->swap(*t.mutable_raw_data());
    AsmResourceBlob blob(ArrayRef<char>(owned->data(), owned->size()), alignof(uint64_t),
                         [owned](void *, size_t, size_t) { delete owned; }, /*dataIsMutable=*/false);
    attr = DenseResourceElementsAttr::get(type, sanitize(name), std::move(blob));
  } else {
    attr = makeConstantAttr(type, tensorBytes(t, elemBytes, type.getNumElements()), sanitize(name));
  }
  constants_[name] = attr;
  return builder_.create<ConstantOp>(loc, type, attr);
}

Value GraphImporter::input(const onnx::NodeProto &n, int i) {
  if (i >= n.input_size() || n.input(i).empty()) return nullptr;
  const std::string &name = n.input(i);
  auto it = values_.find(name);
  if (it != values_.end()) return it->second;
  auto init = initializers_.find(name);
  if (init != initializers_.end()) {
    // Materialize initializers at first use, so unused ones cost nothing.
    Value v = initializerConstant(*init->second, name);
    values_[name] = v;
    return v;
  }
  throw ImportError(where(n) + ": input '" + name + "' is not defined");
}

std::string GraphImporter::bindHint(const std::string &value) const {
  return graphInputs_.count(value) ? "; freeze the graph input with --bind " + value + "=FILE.npy" : "";
}

std::vector<int64_t> GraphImporter::constantInts(const onnx::NodeProto &n, int i, const char *what) {
  Value v = input(n, i);
  ElementsAttr value;
  if (!v || !matchPattern(v, m_Constant(&value)))
    throw ImportError(where(n) + ": " + what + " must be a compile-time constant (edgec compiles static shapes)" +
                      bindHint(n.input(i)));
  return constantAsInts(value);
}

void GraphImporter::define(const onnx::NodeProto &n, int i, Value v) {
  if (i < n.output_size() && !n.output(i).empty()) values_[n.output(i)] = v;
}

// Shape computations (Shape -> Gather -> Concat -> Reshape, Slice ends from Div, ...)
// must be constants by the time a shape operand reads them: a small op whose operands
// are all constant is evaluated right away, on the runtime's reference kernels.
void GraphImporter::foldIfConstant(const onnx::NodeProto &n) {
  constexpr int64_t kFoldLimit = 4096;  // elements; larger constant math is left to passes
  if (n.output_size() == 0) return;
  auto it = values_.find(n.output(0));
  if (it == values_.end()) return;
  Operation *op = it->second.getDefiningOp();
  // Quantize/dequantize of a constant stay: edge-fold-qdq folds them into integer ops.
  // Ops with data-dependent sizes stay: their result types are capacities, which the
  // types after them were inferred from.
  if (!op || isa<ConstantOp, QuantizeLinearOp, DequantizeLinearOp>(op) || op->getNumOperands() == 0 ||
      isa<NonZeroOp, CompressOp, UniqueOp, NonMaxSuppressionOp>(op))
    return;
  for (Value r : op->getResults())
    if (cast<RankedTensorType>(r.getType()).getNumElements() > kFoldLimit) return;
  auto folded = evaluateOnKernels(op);
  if (failed(folded)) return;
  for (auto [i, r] : llvm::enumerate(op->getResults())) {
    Value c = builder_.create<ConstantOp>(op->getLoc(), r.getType(), (*folded)[i]);
    r.replaceAllUsesWith(c);
    if (int(i) < n.output_size() && !n.output(i).empty()) {
      values_[n.output(i)] = c;
      folded_[n.output(i)] = (*folded)[i];
    }
  }
  op->erase();
}

void GraphImporter::importNodes(const onnx::GraphProto &g) {
  for (const auto &n : g.node()) {
    if (n.output_size() == 0) continue;  // computes nothing anyone can read
    // Materialize inputs in order so constants appear in a stable, readable order.
    for (int i = 0; i < n.input_size(); ++i) input(n, i);
    auto importer = importers().find(importerKey(n));
    // Subgraph nodes were not part of the up-front check of the main graph's ops.
    if (importer == importers().end()) throw ImportError(where(n) + ": unsupported operator " + importerKey(n));
    (this->*importer->second)(n);
    foldIfConstant(n);
  }
}

OwningOpRef<ModuleOp> GraphImporter::run() {
  const onnx::GraphProto &g = model_.graph();
  Location fileLoc = FileLineColLoc::get(&ctx_, name_, 0, 0);
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  module_ = *module;
  std::string graphName = g.name().empty() ? "model" : g.name();
  (*module)->setAttr("edge.model_name", builder_.getStringAttr(graphName));

  SmallVector<Type> argTypes, resultTypes;
  SmallVector<std::string> argNames;
  for (const auto &vi : g.input()) {
    if (initializers_.count(vi.name())) continue;  // old-style initializer listed as input
    argTypes.push_back(typeOf(vi.name(), name_ + ": graph input"));
    argNames.push_back(vi.name());
  }

  // The result types are set once the nodes are imported: a dynamic graph output is
  // caused by some node (e.g. a Slice with run-time starts), whose error names the
  // node and the reason; checking the outputs first reported only the symptom.
  builder_.setInsertionPointToEnd(module->getBody());
  auto func = builder_.create<func::FuncOp>(fileLoc, "main", builder_.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  for (auto [i, name] : llvm::enumerate(argNames)) {
    values_[name] = entry->getArgument(i);
    func.setArgAttr(i, "edge.name", builder_.getStringAttr(name));
  }
  builder_.setInsertionPointToStart(entry);

  importNodes(g);

  SmallVector<Value> results;
  for (const auto &vi : g.output()) {
    resultTypes.push_back(typeOf(vi.name(), name_ + ": graph output"));
    onnx::NodeProto fake;
    fake.set_name("graph output");
    fake.set_op_type("output");
    fake.add_input(vi.name());
    Value v = input(fake, 0);
    // A quantized output (a QuantizeLinear's) keeps its parameters: the package's output
    // tensor is the ONNX integer tensor, with its scale and zero point.
    if (isUniformQuantized(getElementTypeOrSelf(v.getType())) &&
        cast<RankedTensorType>(v.getType()).clone(storageType(getElementTypeOrSelf(v.getType()))) ==
            resultTypes.back())
      resultTypes.back() = v.getType();
    if (v.getType() != resultTypes.back())
      throw ImportError(name_ + ": graph output '" + vi.name() + "' has an inconsistent type");
    results.push_back(v);
  }
  // Argument types as imported: a graph input read by a DequantizeLinear is quantized.
  func.setFunctionType(builder_.getFunctionType(entry->getArgumentTypes(), resultTypes));
  for (auto [i, vi] : llvm::enumerate(g.output())) func.setResultAttr(i, "edge.name", builder_.getStringAttr(vi.name()));
  builder_.create<func::ReturnOp>(fileLoc, results);
  // Values only read at import time are dead now: constants (Slice starts, Reshape
  // shapes) and shape arithmetic on them (a Concat of Shape results feeding a Reshape).
  // Every edge op is side-effect free, so erase all dead ones, users before operands.
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(*entry)))
    if (isOpTriviallyDead(&op)) op.erase();
  return module;
}


const GraphImporter::ImporterTable &GraphImporter::importers() {
  static const ImporterTable table = [] {
    ImporterTable t;
    addMathImporters(t);
    addNNImporters(t);
    addTensorImporters(t);
    addSpatialImporters(t);
    addQuantImporters(t);
    addSelectionImporters(t);
    addDataDependentImporters(t);
    addIntegerImporters(t);
    addIndexingImporters(t);
    addVisionImporters(t);
    addSignalImporters(t);
    addTextImporters(t);
    addRecurrentImporters(t);
    addControlFlowImporters(t);
    addTrainingImporters(t);
    return t;
  }();
  return table;
}

std::string GraphImporter::importerKey(const onnx::NodeProto &n) {
  return n.domain().empty() || n.domain() == "ai.onnx" ? n.op_type() : n.domain() + "." + n.op_type();
}

}  // namespace edgec::onnx_frontend
