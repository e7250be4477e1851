// Import of a prepared ONNX graph into the edge dialect. Every shape parameter is
// resolved here (see EdgeBase.td): shapes come from ONNX shape inference, and operands
// like Slice's starts must be compile-time constants.
#include "edgec/OnnxImporter.h"

#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "OnnxModelLoader.h"
#include "edge/ConstantData.h"
#include "edge/EdgeDialect.h"
#include "edgec/KernelBridge.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/StringMap.h"

#include <cerrno>
#include <cstring>

using namespace mlir;
using namespace mlir::edge;

namespace edgec {
namespace {

using onnx_frontend::LoadError;

struct ImportError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A value's shape is unknown, but constants folded so far may let ONNX shape inference
// resolve it: the caller binds them into the model and imports again.
struct ShapesPending : ImportError {
  using ImportError::ImportError;
};

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
    std::memcpy(out.data(), t.raw_data().data(), out.size());
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

// How messages name a node: its name, else its first output (nodes may have neither).
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

class GraphImporter {
public:
  GraphImporter(MLIRContext &ctx, const onnx::ModelProto &model, const std::string &name)
      : ctx_(ctx), builder_(&ctx), model_(model), name_(name) {
    for (const auto &vi : model.graph().input()) types_[vi.name()] = &vi.type(), graphInputs_.insert(vi.name());
    for (const auto &vi : model.graph().value_info()) types_[vi.name()] = &vi.type();
    for (const auto &vi : model.graph().output()) types_[vi.name()] = &vi.type();
    for (const auto &t : model.graph().initializer()) initializers_[t.name()] = &t;
  }

  OwningOpRef<ModuleOp> run();

  // ONNX op type -> the member that imports it.
  using Importer = void (GraphImporter::*)(const onnx::NodeProto &);
  static const std::map<std::string, Importer> &importers();

private:

  RankedTensorType typeOf(const std::string &value, const std::string &where);
  RankedTensorType typeOfTensor(const onnx::TensorProto &t);
  Value constantFrom(const onnx::TensorProto &t, const std::string &name);
  Value input(const onnx::NodeProto &n, int i);  // null if absent
  std::vector<int64_t> constantInts(const onnx::NodeProto &n, int i, const char *what);
  void define(const onnx::NodeProto &n, int i, Value v);
  void foldIfConstant(const onnx::NodeProto &n);

public:
  // Node outputs folded to constants during this import (see ShapesPending).
  const std::map<std::string, ElementsAttr> &folded() const { return folded_; }

private:
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
  template <typename ReduceOp> void importReduce(const onnx::NodeProto &n);
  void importConstant(const onnx::NodeProto &n);
  void importShape(const onnx::NodeProto &n);
  template <typename OpTy> void importActivation(const onnx::NodeProto &n);
  void importIsInf(const onnx::NodeProto &n);
  void importMod(const onnx::NodeProto &n);
  template <typename OpTy> void importArgReduce(const onnx::NodeProto &n);
  void importSplit(const onnx::NodeProto &n);
  void importTile(const onnx::NodeProto &n);
  void importPad(const onnx::NodeProto &n);
  void importTrilu(const onnx::NodeProto &n);
  void importCumSum(const onnx::NodeProto &n);
  void importConstantOfShape(const onnx::NodeProto &n);
  void importSize(const onnx::NodeProto &n);
  Value scalarConstant(const onnx::NodeProto &n, onnx::TensorProto t);

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
  std::map<std::string, const onnx::TensorProto *> initializers_;
  llvm::StringMap<Value> values_;
  std::map<std::string, ElementsAttr> folded_;
  std::set<std::string> constantNames_;
  std::set<std::string> graphInputs_;
};

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
                                    "run time (e.g. a computed Reshape shape), and edgec compiles static shapes";
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
                      (isGraphInput ? hint + shapeArg + " (with a number for each symbolic dim)" : hint));
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

Value GraphImporter::input(const onnx::NodeProto &n, int i) {
  if (i >= n.input_size() || n.input(i).empty()) return nullptr;
  const std::string &name = n.input(i);
  auto it = values_.find(name);
  if (it != values_.end()) return it->second;
  auto init = initializers_.find(name);
  if (init != initializers_.end()) {
    // Materialize initializers at first use, so unused ones cost nothing.
    Value v = constantFrom(*init->second, name);
    values_[name] = v;
    return v;
  }
  throw ImportError(where(n) + ": input '" + name + "' is not defined");
}

std::vector<int64_t> GraphImporter::constantInts(const onnx::NodeProto &n, int i, const char *what) {
  Value v = input(n, i);
  ElementsAttr value;
  if (!v || !matchPattern(v, m_Constant(&value)))
    throw ImportError(where(n) + ": " + what + " must be a compile-time constant (edgec compiles static shapes)");
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
  if (!op || isa<ConstantOp>(op) || op->getNumOperands() == 0) return;
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

template <typename OpTy> void GraphImporter::importSimple(const onnx::NodeProto &n) {
  SmallVector<Value> operands;
  for (int i = 0; i < n.input_size(); ++i) operands.push_back(input(n, i));
  define(n, 0, builder_.create<OpTy>(loc(n), resultType(n), operands));
}

void GraphImporter::importClip(const onnx::NodeProto &n) {
  define(n, 0, builder_.create<ClipOp>(loc(n), resultType(n), input(n, 0), input(n, 1), input(n, 2)));
}

template <typename OpTy> void GraphImporter::importSoftmax(const onnx::NodeProto &n) {
  Value x = input(n, 0);
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  int64_t axis = normalizeAxis(attrInt(n, "axis", -1), rank, where(n));
  define(n, 0, builder_.create<OpTy>(loc(n), resultType(n), x, builder_.getI64IntegerAttr(axis)));
}

void GraphImporter::importLayerNorm(const onnx::NodeProto &n) {
  Value x = input(n, 0);
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  int64_t axis = normalizeAxis(attrInt(n, "axis", -1), rank, where(n));
  if (attrInt(n, "stash_type", 1) != 1) throw ImportError(where(n) + ": only stash_type=1 (float32) is supported");
  // Results: Y, then Mean and InvStdDev up to the last one the graph uses.
  int numResults = 1;
  for (int i = 1; i < n.output_size(); ++i)
    if (!n.output(i).empty()) numResults = i + 1;
  SmallVector<Type> types;
  for (int i = 0; i < numResults; ++i) {
    if (i < n.output_size() && !n.output(i).empty()) {
      types.push_back(resultType(n, i));
    } else {  // unused Mean: its shape is fixed by X and axis
      auto xt = cast<RankedTensorType>(x.getType());
      SmallVector<int64_t> s(xt.getShape().take_front(axis));
      s.append(rank - axis, 1);
      types.push_back(RankedTensorType::get(s, xt.getElementType()));
    }
  }
  auto op = builder_.create<LayerNormalizationOp>(loc(n), types, x, input(n, 1), input(n, 2),
                                                  builder_.getI64IntegerAttr(axis),
                                                  builder_.getF32FloatAttr(attrFloat(n, "epsilon", 1e-5f)));
  for (int i = 0; i < numResults; ++i) define(n, i, op.getResult(i));
}

void GraphImporter::importBatchNorm(const onnx::NodeProto &n) {
  if (attrInt(n, "training_mode", 0) != 0 || n.output_size() > 1)
    throw ImportError(where(n) + ": training-mode BatchNormalization is not supported (export in eval mode)");
  define(n, 0, builder_.create<BatchNormalizationOp>(
                   loc(n), resultType(n), input(n, 0), input(n, 1), input(n, 2), input(n, 3), input(n, 4),
                   builder_.getF32FloatAttr(attrFloat(n, "epsilon", 1e-5f))));
}

void GraphImporter::importGemm(const onnx::NodeProto &n) {
  define(n, 0, builder_.create<GemmOp>(loc(n), resultType(n), input(n, 0), input(n, 1), input(n, 2),
                                       builder_.getF32FloatAttr(attrFloat(n, "alpha", 1.0f)),
                                       builder_.getF32FloatAttr(attrFloat(n, "beta", 1.0f)),
                                       builder_.getI64IntegerAttr(attrInt(n, "transA", 0)),
                                       builder_.getI64IntegerAttr(attrInt(n, "transB", 0))));
}

GraphImporter::Window GraphImporter::window(const onnx::NodeProto &n, ArrayRef<int64_t> in,
                                            std::vector<int64_t> kernel) {
  size_t spatial = in.size() - 2;
  Window w;
  w.kernel = attrInts(n, "kernel_shape", kernel);
  if (w.kernel.size() != spatial) throw ImportError(where(n) + ": kernel_shape must have one entry per spatial dim");
  w.strides = attrInts(n, "strides", std::vector<int64_t>(spatial, 1));
  w.dilations = attrInts(n, "dilations", std::vector<int64_t>(spatial, 1));
  w.pads = attrInts(n, "pads", std::vector<int64_t>(2 * spatial, 0));
  if (w.strides.size() != spatial || w.dilations.size() != spatial || w.pads.size() != 2 * spatial)
    throw ImportError(where(n) + ": strides, dilations and pads must match the spatial rank");
  std::string autoPad = attrString(n, "auto_pad", "NOTSET");
  if (autoPad == "VALID") {
    std::fill(w.pads.begin(), w.pads.end(), 0);
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (size_t i = 0; i < spatial; ++i) {
      int64_t out = (in[2 + i] + w.strides[i] - 1) / w.strides[i];
      int64_t span = (w.kernel[i] - 1) * w.dilations[i] + 1;
      int64_t total = std::max<int64_t>(0, (out - 1) * w.strides[i] + span - in[2 + i]);
      int64_t small = total / 2, large = total - small;
      w.pads[i] = autoPad == "SAME_UPPER" ? small : large;
      w.pads[spatial + i] = autoPad == "SAME_UPPER" ? large : small;
    }
  } else if (autoPad != "NOTSET") {
    throw ImportError(where(n) + ": unknown auto_pad '" + autoPad + "'");
  }
  return w;
}

void GraphImporter::importConv(const onnx::NodeProto &n) {
  Value x = input(n, 0), w = input(n, 1);
  auto xt = cast<RankedTensorType>(x.getType());
  auto wt = cast<RankedTensorType>(w.getType());
  if (xt.getRank() < 3) throw ImportError(where(n) + ": input must have rank >= 3");
  Window win = window(n, xt.getShape(), std::vector<int64_t>(wt.getShape().begin() + 2, wt.getShape().end()));
  define(n, 0, builder_.create<ConvOp>(loc(n), resultType(n), x, w, input(n, 2),
                                       builder_.getDenseI64ArrayAttr(win.strides),
                                       builder_.getDenseI64ArrayAttr(win.pads),
                                       builder_.getDenseI64ArrayAttr(win.dilations),
                                       builder_.getI64IntegerAttr(attrInt(n, "group", 1)),
                                       builder_.getStringAttr(""), builder_.getF32FloatAttr(0.0f),
                                       builder_.getF32FloatAttr(0.0f)));
}

template <typename PoolOp> void GraphImporter::importPool(const onnx::NodeProto &n) {
  if (n.output_size() > 1 && !n.output(1).empty())
    throw ImportError(where(n) + ": the Indices output of MaxPool is not supported");
  if (attrInt(n, "storage_order", 0) != 0) throw ImportError(where(n) + ": storage_order=1 is not supported");
  Value x = input(n, 0);
  auto xt = cast<RankedTensorType>(x.getType());
  if (xt.getRank() < 3) throw ImportError(where(n) + ": input must have rank >= 3");
  Window win = window(n, xt.getShape(), {});
  auto op = builder_.create<PoolOp>(loc(n), resultType(n), x, builder_.getDenseI64ArrayAttr(win.kernel),
                                    builder_.getDenseI64ArrayAttr(win.strides),
                                    builder_.getDenseI64ArrayAttr(win.pads),
                                    builder_.getDenseI64ArrayAttr(win.dilations));
  if constexpr (std::is_same_v<PoolOp, AveragePoolOp>)
    op.setCountIncludePad(attrInt(n, "count_include_pad", 0));
  define(n, 0, op);
}

// Reshape, Flatten, Squeeze, Unsqueeze: the inferred result type is the whole story.
void GraphImporter::importReshapeLike(const onnx::NodeProto &n) {
  define(n, 0, builder_.create<ReshapeOp>(loc(n), resultType(n), input(n, 0)));
}

// Expand's shape operand is already reflected in the inferred result type.
void GraphImporter::importReshapeLikeExpand(const onnx::NodeProto &n) {
  define(n, 0, builder_.create<ExpandOp>(loc(n), resultType(n), input(n, 0)));
}

void GraphImporter::importCast(const onnx::NodeProto &n) {
  define(n, 0, builder_.create<CastOp>(loc(n), resultType(n), input(n, 0)));
}

// Identity and inference-mode Dropout forward their input.
void GraphImporter::importIdentity(const onnx::NodeProto &n) {
  if (n.op_type() == "Dropout") {
    if (n.output_size() > 1 && !n.output(1).empty())
      throw ImportError(where(n) + ": the mask output of Dropout is not supported");
    // training_mode must be absent or a constant false: edgec compiles for inference.
    if (Value training = input(n, 2)) {
      ElementsAttr value;
      if (!matchPattern(training, m_Constant(&value)) || constantAsInts(value).at(0) != 0)
        throw ImportError(where(n) + ": training-mode Dropout is not supported (export in eval mode)");
    }
  }
  define(n, 0, input(n, 0));
}

void GraphImporter::importTranspose(const onnx::NodeProto &n) {
  Value x = input(n, 0);
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  std::vector<int64_t> reversed;
  for (int64_t i = rank - 1; i >= 0; --i) reversed.push_back(i);
  define(n, 0, builder_.create<TransposeOp>(loc(n), resultType(n), x,
                                            builder_.getDenseI64ArrayAttr(attrInts(n, "perm", reversed))));
}

void GraphImporter::importConcat(const onnx::NodeProto &n) {
  SmallVector<Value> inputs;
  for (int i = 0; i < n.input_size(); ++i) inputs.push_back(input(n, i));
  RankedTensorType type = resultType(n);
  int64_t axis = normalizeAxis(attrInt(n, "axis", 0), type.getRank(), where(n));
  define(n, 0, builder_.create<ConcatOp>(loc(n), type, inputs, builder_.getI64IntegerAttr(axis)));
}

void GraphImporter::importSlice(const onnx::NodeProto &n) {
  Value x = input(n, 0);
  ArrayRef<int64_t> shape = cast<RankedTensorType>(x.getType()).getShape();
  int64_t rank = shape.size();
  std::vector<int64_t> starts = constantInts(n, 1, "starts"), ends = constantInts(n, 2, "ends");
  std::vector<int64_t> axes, steps;
  if (input(n, 3)) axes = constantInts(n, 3, "axes");
  else for (size_t i = 0; i < starts.size(); ++i) axes.push_back(i);
  if (input(n, 4)) steps = constantInts(n, 4, "steps");
  else steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
    throw ImportError(where(n) + ": starts, ends, axes and steps must have the same length");
  std::vector<int64_t> fullStarts(rank, 0), fullEnds(shape.begin(), shape.end()), fullSteps(rank, 1);
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t a = normalizeAxis(axes[i], rank, where(n)), dim = shape[a], step = steps[i];
    if (step == 0) throw ImportError(where(n) + ": steps must be non-zero");
    int64_t s = starts[i] < 0 ? starts[i] + dim : starts[i];
    int64_t e = ends[i] < 0 ? ends[i] + dim : ends[i];
    if (dim == 0) {
      s = e = 0;  // nothing to select; and the clamps below would have lo > hi (UB)
    } else if (step > 0) {
      s = std::clamp<int64_t>(s, 0, dim);
      e = std::clamp<int64_t>(e, 0, dim);
    } else {
      s = std::clamp<int64_t>(s, 0, dim - 1);
      e = std::clamp<int64_t>(e, -1, dim - 1);
    }
    fullStarts[a] = s;
    fullEnds[a] = e;
    fullSteps[a] = step;
  }
  define(n, 0, builder_.create<SliceOp>(loc(n), resultType(n), x, builder_.getDenseI64ArrayAttr(fullStarts),
                                        builder_.getDenseI64ArrayAttr(fullEnds),
                                        builder_.getDenseI64ArrayAttr(fullSteps)));
}

void GraphImporter::importGather(const onnx::NodeProto &n) {
  Value data = input(n, 0);
  int64_t axis = normalizeAxis(attrInt(n, "axis", 0), cast<RankedTensorType>(data.getType()).getRank(), where(n));
  define(n, 0, builder_.create<GatherOp>(loc(n), resultType(n), data, input(n, 1),
                                         builder_.getI64IntegerAttr(axis)));
}

template <typename ReduceOp> void GraphImporter::importReduce(const onnx::NodeProto &n) {
  Value x = input(n, 0);
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  std::vector<int64_t> axes = attrInts(n, "axes", {});
  if (input(n, 1)) axes = constantInts(n, 1, "axes");  // ReduceSum-13 takes axes as an input
  bool noopWithEmptyAxes = attrInt(n, "noop_with_empty_axes", 0) != 0;
  if (axes.empty() && noopWithEmptyAxes) {
    define(n, 0, x);
    return;
  }
  for (int64_t &a : axes) a = normalizeAxis(a, rank, where(n));
  std::sort(axes.begin(), axes.end());
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  define(n, 0, builder_.create<ReduceOp>(loc(n), resultType(n), x, builder_.getDenseI64ArrayAttr(axes),
                                         builder_.getI64IntegerAttr(attrInt(n, "keepdims", 1))));
}

void GraphImporter::importConstant(const onnx::NodeProto &n) {
  if (n.attribute_size() != 1) throw ImportError(where(n) + ": Constant needs exactly one value attribute");
  const onnx::AttributeProto &a = n.attribute(0);
  onnx::TensorProto t;
  if (a.name() == "value") {
    t = a.t();
  } else if (a.name() == "value_float" || a.name() == "value_floats") {
    t.set_data_type(onnx::TensorProto::FLOAT);
    if (a.name() == "value_float") t.add_float_data(a.f());
    else {
      for (float f : a.floats()) t.add_float_data(f);
      t.add_dims(a.floats_size());
    }
  } else if (a.name() == "value_int" || a.name() == "value_ints") {
    t.set_data_type(onnx::TensorProto::INT64);
    if (a.name() == "value_int") t.add_int64_data(a.i());
    else {
      for (int64_t i : a.ints()) t.add_int64_data(i);
      t.add_dims(a.ints_size());
    }
  } else {
    throw ImportError(where(n) + ": Constant attribute '" + a.name() + "' is not supported");
  }
  t.set_name(n.output(0));
  define(n, 0, constantFrom(t, n.output(0)));
}

// Shape of a static tensor is a constant.
void GraphImporter::importShape(const onnx::NodeProto &n) {
  ArrayRef<int64_t> shape = cast<RankedTensorType>(input(n, 0).getType()).getShape();
  int64_t rank = shape.size();
  int64_t start = attrInt(n, "start", 0), end = attrInt(n, "end", rank);
  start = std::clamp<int64_t>(start < 0 ? start + rank : start, 0, rank);
  end = std::clamp<int64_t>(end < 0 ? end + rank : end, 0, rank);
  onnx::TensorProto t;
  t.set_data_type(onnx::TensorProto::INT64);
  t.add_dims(std::max<int64_t>(0, end - start));
  for (int64_t i = start; i < end; ++i) t.add_int64_data(shape[i]);
  t.set_name(n.output(0));
  define(n, 0, constantFrom(t, n.output(0)));
}

// A rank-0 constant for node n (its value tensor's dims are dropped).
Value GraphImporter::scalarConstant(const onnx::NodeProto &n, onnx::TensorProto t) {
  t.clear_dims();
  t.set_name(n.output(0) + "_value");
  return constantFrom(t, t.name());
}

// ONNX defaults of the f32 attributes of the parametrized activations; the IR always
// carries every attribute, so the kernels never apply defaults.
const std::map<std::string, std::vector<std::pair<std::string, float>>> &activationAttrs() {
  static const std::map<std::string, std::vector<std::pair<std::string, float>>> attrs = {
      {"LeakyRelu", {{"alpha", 0.01f}}},
      {"Elu", {{"alpha", 1.0f}}},
      {"Selu", {{"alpha", 1.67326319217681884765625f}, {"gamma", 1.05070102214813232421875f}}},
      {"HardSigmoid", {{"alpha", 0.2f}, {"beta", 0.5f}}},
  };
  return attrs;
}

template <typename OpTy> void GraphImporter::importActivation(const onnx::NodeProto &n) {
  SmallVector<NamedAttribute> attrs;
  for (const auto &[key, def] : activationAttrs().at(n.op_type()))
    attrs.push_back(builder_.getNamedAttr(key, builder_.getF32FloatAttr(attrFloat(n, key.c_str(), def))));
  define(n, 0, builder_.create<OpTy>(loc(n), TypeRange{resultType(n)}, ValueRange{input(n, 0)}, attrs));
}

void GraphImporter::importIsInf(const onnx::NodeProto &n) {
  define(n, 0, builder_.create<IsInfOp>(loc(n), resultType(n), input(n, 0),
                                        builder_.getI64IntegerAttr(attrInt(n, "detect_negative", 1) != 0),
                                        builder_.getI64IntegerAttr(attrInt(n, "detect_positive", 1) != 0)));
}

void GraphImporter::importMod(const onnx::NodeProto &n) {
  Value a = input(n, 0), b = input(n, 1);
  int64_t fmod = attrInt(n, "fmod", 0) != 0;
  // ONNX defines fmod = 0 (the divisor's sign) for integers only.
  if (isa<FloatType>(cast<RankedTensorType>(a.getType()).getElementType()) && !fmod)
    throw ImportError(where(n) + ": Mod of floating-point values needs fmod=1 (ONNX spec)");
  define(n, 0, builder_.create<ModOp>(loc(n), resultType(n), a, b, builder_.getI64IntegerAttr(fmod)));
}

template <typename OpTy> void GraphImporter::importArgReduce(const onnx::NodeProto &n) {
  Value x = input(n, 0);
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  if (rank == 0) throw ImportError(where(n) + ": input must have rank >= 1");
  int64_t axis = normalizeAxis(attrInt(n, "axis", 0), rank, where(n));
  define(n, 0, builder_.create<OpTy>(loc(n), resultType(n), x, builder_.getI64IntegerAttr(axis),
                                     builder_.getI64IntegerAttr(attrInt(n, "keepdims", 1) != 0),
                                     builder_.getI64IntegerAttr(attrInt(n, "select_last_index", 0) != 0)));
}

// The split sizes (a constant input, the opset < 13 attribute, or equal parts) become
// the result types, so every result is typed even where the graph leaves it unused.
void GraphImporter::importSplit(const onnx::NodeProto &n) {
  Value x = input(n, 0);
  auto xt = cast<RankedTensorType>(x.getType());
  if (xt.getRank() == 0) throw ImportError(where(n) + ": cannot split a rank-0 tensor");
  int64_t axis = normalizeAxis(attrInt(n, "axis", 0), xt.getRank(), where(n));
  int64_t dim = xt.getDimSize(axis), count = n.output_size();
  std::vector<int64_t> sizes = attrInts(n, "split", {});
  if (input(n, 1)) sizes = constantInts(n, 1, "split");
  if (sizes.empty()) {
    if (count == 0 || dim % count != 0)
      throw ImportError(where(n) + ": dim " + std::to_string(dim) + " does not split into " +
                        std::to_string(count) + " equal parts");
    sizes.assign(count, dim / count);
  }
  if (int64_t(sizes.size()) != count)
    throw ImportError(where(n) + ": " + std::to_string(sizes.size()) + " split sizes for " +
                      std::to_string(count) + " outputs");
  SmallVector<Type> types;
  for (int64_t size : sizes) {
    if (size < 0) throw ImportError(where(n) + ": split sizes must be >= 0");
    SmallVector<int64_t> shape(xt.getShape());
    shape[axis] = size;
    types.push_back(RankedTensorType::get(shape, xt.getElementType()));
  }
  auto op = builder_.create<SplitOp>(loc(n), types, x, builder_.getI64IntegerAttr(axis));
  for (int i = 0; i < count; ++i) define(n, i, op.getResult(i));
}

void GraphImporter::importTile(const onnx::NodeProto &n) {
  Value x = input(n, 0);
  std::vector<int64_t> repeats = constantInts(n, 1, "repeats");
  if (int64_t(repeats.size()) != cast<RankedTensorType>(x.getType()).getRank())
    throw ImportError(where(n) + ": repeats must have one entry per input dim");
  define(n, 0, builder_.create<TileOp>(loc(n), resultType(n), x, builder_.getDenseI64ArrayAttr(repeats)));
}

// Pad-13 (pads, constant_value inputs) and Pad-18's axes: pads become one begin and one
// end per dim; constant_value is kept (as an operand) only in constant mode.
void GraphImporter::importPad(const onnx::NodeProto &n) {
  Value x = input(n, 0);
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  std::string mode = attrString(n, "mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge")
    throw ImportError(where(n) + ": Pad mode '" + mode + "' is not supported (constant, reflect, edge)");
  std::vector<int64_t> given = constantInts(n, 1, "pads");
  std::vector<int64_t> axes;
  if (input(n, 3)) axes = constantInts(n, 3, "axes");
  else for (int64_t d = 0; d < rank; ++d) axes.push_back(d);
  if (given.size() != 2 * axes.size())
    throw ImportError(where(n) + ": pads must have two entries per padded axis");
  std::vector<int64_t> pads(2 * rank, 0);
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t a = normalizeAxis(axes[i], rank, where(n));
    pads[a] = given[i];
    pads[rank + a] = given[axes.size() + i];
  }
  Value value = mode == "constant" ? input(n, 2) : Value();
  define(n, 0, builder_.create<PadOp>(loc(n), resultType(n), x, value, builder_.getStringAttr(mode),
                                      builder_.getDenseI64ArrayAttr(pads)));
}

void GraphImporter::importTrilu(const onnx::NodeProto &n) {
  int64_t k = 0;
  if (input(n, 1)) {
    std::vector<int64_t> v = constantInts(n, 1, "k");
    if (v.size() != 1) throw ImportError(where(n) + ": k must be a single value");
    k = v[0];
  }
  define(n, 0, builder_.create<TriluOp>(loc(n), resultType(n), input(n, 0), builder_.getI64IntegerAttr(k),
                                        builder_.getI64IntegerAttr(attrInt(n, "upper", 1) != 0)));
}

void GraphImporter::importCumSum(const onnx::NodeProto &n) {
  Value x = input(n, 0);
  std::vector<int64_t> axis = constantInts(n, 1, "axis");
  if (axis.size() != 1) throw ImportError(where(n) + ": axis must be a single value");
  int64_t a = normalizeAxis(axis[0], cast<RankedTensorType>(x.getType()).getRank(), where(n));
  define(n, 0, builder_.create<CumSumOp>(loc(n), resultType(n), x, builder_.getI64IntegerAttr(a),
                                         builder_.getI64IntegerAttr(attrInt(n, "exclusive", 0) != 0),
                                         builder_.getI64IntegerAttr(attrInt(n, "reverse", 0) != 0)));
}

// ConstantOfShape is an Expand of its scalar value to the (constant) shape: no kernel
// of its own, and small results fold to constants right away.
void GraphImporter::importConstantOfShape(const onnx::NodeProto &n) {
  std::vector<int64_t> shape = constantInts(n, 0, "shape");
  onnx::TensorProto value;
  if (auto *a = attr(n, "value")) {
    value = a->t();
  } else {  // ONNX default: a float 0
    value.set_data_type(onnx::TensorProto::FLOAT);
    value.add_float_data(0.0f);
  }
  Value scalar = scalarConstant(n, value);
  for (int64_t d : shape)
    if (d < 0) throw ImportError(where(n) + ": shape dims must be >= 0");
  auto type = RankedTensorType::get(shape, cast<RankedTensorType>(scalar.getType()).getElementType());
  define(n, 0, builder_.create<ExpandOp>(loc(n), type, scalar));
}

// Size of a static tensor is a constant.
void GraphImporter::importSize(const onnx::NodeProto &n) {
  onnx::TensorProto t;
  t.set_data_type(onnx::TensorProto::INT64);
  t.add_int64_data(cast<RankedTensorType>(input(n, 0).getType()).getNumElements());
  t.set_name(n.output(0));
  define(n, 0, constantFrom(t, n.output(0)));
}

const std::map<std::string, GraphImporter::Importer> &GraphImporter::importers() {
  static const std::map<std::string, Importer> table = {
      {"Add", &GraphImporter::importSimple<AddOp>},
      {"Sub", &GraphImporter::importSimple<SubOp>},
      {"Mul", &GraphImporter::importSimple<MulOp>},
      {"Div", &GraphImporter::importSimple<DivOp>},
      {"Pow", &GraphImporter::importSimple<PowOp>},
      {"Where", &GraphImporter::importSimple<WhereOp>},
      {"Relu", &GraphImporter::importSimple<ReluOp>},
      {"Sigmoid", &GraphImporter::importSimple<SigmoidOp>},
      {"Tanh", &GraphImporter::importSimple<TanhOp>},
      {"Sqrt", &GraphImporter::importSimple<SqrtOp>},
      {"Erf", &GraphImporter::importSimple<ErfOp>},
      {"Exp", &GraphImporter::importSimple<ExpOp>},
      {"Log", &GraphImporter::importSimple<LogOp>},
      {"Neg", &GraphImporter::importSimple<NegOp>},
      {"Abs", &GraphImporter::importSimple<AbsOp>},
      {"Reciprocal", &GraphImporter::importSimple<ReciprocalOp>},
      {"Clip", &GraphImporter::importClip},
      {"Softmax", &GraphImporter::importSoftmax<SoftmaxOp>},
      {"LogSoftmax", &GraphImporter::importSoftmax<LogSoftmaxOp>},
      {"LayerNormalization", &GraphImporter::importLayerNorm},
      {"BatchNormalization", &GraphImporter::importBatchNorm},
      {"MatMul", &GraphImporter::importSimple<MatMulOp>},
      {"Gemm", &GraphImporter::importGemm},
      {"Conv", &GraphImporter::importConv},
      {"MaxPool", &GraphImporter::importPool<MaxPoolOp>},
      {"AveragePool", &GraphImporter::importPool<AveragePoolOp>},
      {"GlobalAveragePool", &GraphImporter::importSimple<GlobalAveragePoolOp>},
      {"Reshape", &GraphImporter::importReshapeLike},
      {"Flatten", &GraphImporter::importReshapeLike},
      {"Squeeze", &GraphImporter::importReshapeLike},
      {"Unsqueeze", &GraphImporter::importReshapeLike},
      {"Identity", &GraphImporter::importIdentity},
      {"Dropout", &GraphImporter::importIdentity},
      {"Transpose", &GraphImporter::importTranspose},
      {"Concat", &GraphImporter::importConcat},
      {"Slice", &GraphImporter::importSlice},
      {"Gather", &GraphImporter::importGather},
      {"Expand", &GraphImporter::importReshapeLikeExpand},
      {"Cast", &GraphImporter::importCast},
      {"ReduceMean", &GraphImporter::importReduce<ReduceMeanOp>},
      {"ReduceSum", &GraphImporter::importReduce<ReduceSumOp>},
      {"ReduceMax", &GraphImporter::importReduce<ReduceMaxOp>},
      {"ReduceMin", &GraphImporter::importReduce<ReduceMinOp>},
      {"Constant", &GraphImporter::importConstant},
      {"Shape", &GraphImporter::importShape},
      {"Size", &GraphImporter::importSize},
      {"ConstantOfShape", &GraphImporter::importConstantOfShape},
      // Unary math family
      {"LeakyRelu", &GraphImporter::importActivation<LeakyReluOp>},
      {"Elu", &GraphImporter::importActivation<EluOp>},
      {"Selu", &GraphImporter::importActivation<SeluOp>},
      {"HardSigmoid", &GraphImporter::importActivation<HardSigmoidOp>},
      {"HardSwish", &GraphImporter::importSimple<HardSwishOp>},
      {"Softplus", &GraphImporter::importSimple<SoftplusOp>},
      {"Softsign", &GraphImporter::importSimple<SoftsignOp>},
      {"Sin", &GraphImporter::importSimple<SinOp>},
      {"Cos", &GraphImporter::importSimple<CosOp>},
      {"Tan", &GraphImporter::importSimple<TanOp>},
      {"Asin", &GraphImporter::importSimple<AsinOp>},
      {"Acos", &GraphImporter::importSimple<AcosOp>},
      {"Atan", &GraphImporter::importSimple<AtanOp>},
      {"Sinh", &GraphImporter::importSimple<SinhOp>},
      {"Cosh", &GraphImporter::importSimple<CoshOp>},
      {"Asinh", &GraphImporter::importSimple<AsinhOp>},
      {"Acosh", &GraphImporter::importSimple<AcoshOp>},
      {"Atanh", &GraphImporter::importSimple<AtanhOp>},
      {"Floor", &GraphImporter::importSimple<FloorOp>},
      {"Ceil", &GraphImporter::importSimple<CeilOp>},
      {"Round", &GraphImporter::importSimple<RoundOp>},
      {"Sign", &GraphImporter::importSimple<SignOp>},
      {"Not", &GraphImporter::importSimple<NotOp>},
      {"IsNaN", &GraphImporter::importSimple<IsNaNOp>},
      {"IsInf", &GraphImporter::importIsInf},
      // Comparisons, logic, variadic and other broadcasting ops
      {"Equal", &GraphImporter::importSimple<EqualOp>},
      {"Less", &GraphImporter::importSimple<LessOp>},
      {"Greater", &GraphImporter::importSimple<GreaterOp>},
      {"LessOrEqual", &GraphImporter::importSimple<LessOrEqualOp>},
      {"GreaterOrEqual", &GraphImporter::importSimple<GreaterOrEqualOp>},
      {"And", &GraphImporter::importSimple<AndOp>},
      {"Or", &GraphImporter::importSimple<OrOp>},
      {"Xor", &GraphImporter::importSimple<XorOp>},
      {"Min", &GraphImporter::importSimple<MinOp>},
      {"Max", &GraphImporter::importSimple<MaxOp>},
      {"Sum", &GraphImporter::importSimple<SumOp>},
      {"Mean", &GraphImporter::importSimple<MeanOp>},
      {"PRelu", &GraphImporter::importSimple<PReluOp>},
      {"Mod", &GraphImporter::importMod},
      {"Range", &GraphImporter::importSimple<RangeOp>},
      // Pooling, reductions, data movement
      {"GlobalMaxPool", &GraphImporter::importSimple<GlobalMaxPoolOp>},
      {"ReduceProd", &GraphImporter::importReduce<ReduceProdOp>},
      {"ReduceL1", &GraphImporter::importReduce<ReduceL1Op>},
      {"ReduceL2", &GraphImporter::importReduce<ReduceL2Op>},
      {"ReduceLogSum", &GraphImporter::importReduce<ReduceLogSumOp>},
      {"ReduceLogSumExp", &GraphImporter::importReduce<ReduceLogSumExpOp>},
      {"ReduceSumSquare", &GraphImporter::importReduce<ReduceSumSquareOp>},
      {"ArgMax", &GraphImporter::importArgReduce<ArgMaxOp>},
      {"ArgMin", &GraphImporter::importArgReduce<ArgMinOp>},
      {"CumSum", &GraphImporter::importCumSum},
      {"Split", &GraphImporter::importSplit},
      {"Tile", &GraphImporter::importTile},
      {"Pad", &GraphImporter::importPad},
      {"Trilu", &GraphImporter::importTrilu},
  };
  return table;
}

// Every unsupported op type at once, with its count and first node, before anything else.
void checkSupportedOps(const onnx::GraphProto &graph, const std::string &name) {
  std::map<std::string, std::pair<int, std::string>> unsupported;
  for (const auto &n : graph.node()) {
    bool known = (n.domain().empty() || n.domain() == "ai.onnx") && GraphImporter::importers().count(n.op_type());
    if (known) continue;
    std::string key = n.domain().empty() ? n.op_type() : n.domain() + "." + n.op_type();
    auto &entry = unsupported[key];
    if (entry.first++ == 0) entry.second = nodeDisplayName(n);
  }
  if (unsupported.empty()) return;
  std::string msg = name + ": unsupported operators: ";
  bool first = true;
  for (const auto &[op, info] : unsupported) {
    msg += (first ? "" : ", ") + op + " (x" + std::to_string(info.first) + ", first node '" + info.second + "')";
    first = false;
  }
  throw ImportError(msg);
}

OwningOpRef<ModuleOp> GraphImporter::run() {
  const onnx::GraphProto &g = model_.graph();
  Location fileLoc = FileLineColLoc::get(&ctx_, name_, 0, 0);
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
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

  for (const auto &n : g.node()) {
    if (n.output_size() == 0) continue;  // computes nothing anyone can read
    // Materialize inputs in order so constants appear in a stable, readable order.
    for (int i = 0; i < n.input_size(); ++i) input(n, i);
    (this->*importers().at(n.op_type()))(n);
    foldIfConstant(n);
  }

  SmallVector<Value> results;
  for (const auto &vi : g.output()) {
    resultTypes.push_back(typeOf(vi.name(), name_ + ": graph output"));
    onnx::NodeProto fake;
    fake.set_name("graph output");
    fake.set_op_type("output");
    fake.add_input(vi.name());
    Value v = input(fake, 0);
    if (v.getType() != resultTypes.back())
      throw ImportError(name_ + ": graph output '" + vi.name() + "' has an inconsistent type");
    results.push_back(v);
  }
  func.setFunctionType(builder_.getFunctionType(argTypes, resultTypes));
  for (auto [i, vi] : llvm::enumerate(g.output())) func.setResultAttr(i, "edge.name", builder_.getStringAttr(vi.name()));
  builder_.create<func::ReturnOp>(fileLoc, results);
  // Values only read at import time are dead now: constants (Slice starts, Reshape
  // shapes) and shape arithmetic on them (a Concat of Shape results feeding a Reshape).
  // Every edge op is side-effect free, so erase all dead ones, users before operands.
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(*entry)))
    if (isOpTriviallyDead(&op)) op.erase();
  return module;
}

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw LoadError(path + ": cannot open: " + std::strerror(errno));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// ONNX 1.12 shape inference propagates the data of a Constant node only from its `value`
// attribute: Reshape(x, Constant<value_ints = [...]>) got a dynamic result type and could
// not be imported. Rewrite value_float(s)/value_int(s) into the `value` tensor the ONNX
// spec defines them as, before the checker and shape inference run.
void normalizeConstantNodes(onnx::GraphProto &graph) {
  for (onnx::NodeProto &n : *graph.mutable_node()) {
    if (n.op_type() != "Constant" || !(n.domain().empty() || n.domain() == "ai.onnx") || n.attribute_size() != 1)
      continue;
    const onnx::AttributeProto &a = n.attribute(0);
    onnx::TensorProto t;
    if (a.name() == "value_float" && a.type() == onnx::AttributeProto::FLOAT) {
      t.set_data_type(onnx::TensorProto::FLOAT);
      t.add_float_data(a.f());
    } else if (a.name() == "value_floats" && a.type() == onnx::AttributeProto::FLOATS) {
      t.set_data_type(onnx::TensorProto::FLOAT);
      t.add_dims(a.floats_size());
      for (float f : a.floats()) t.add_float_data(f);
    } else if (a.name() == "value_int" && a.type() == onnx::AttributeProto::INT) {
      t.set_data_type(onnx::TensorProto::INT64);
      t.add_int64_data(a.i());
    } else if (a.name() == "value_ints" && a.type() == onnx::AttributeProto::INTS) {
      t.set_data_type(onnx::TensorProto::INT64);
      t.add_dims(a.ints_size());
      for (int64_t i : a.ints()) t.add_int64_data(i);
    } else {
      continue;
    }
    onnx::AttributeProto value;
    value.set_name("value");
    value.set_type(onnx::AttributeProto::TENSOR);
    *value.mutable_t() = std::move(t);
    n.clear_attribute();
    *n.add_attribute() = std::move(value);
  }
}

// --input-shape replaces a graph input's dims, so it must give the input's rank; a wrong
// one otherwise surfaces as a shape-inference failure in some later node.
void checkInputShapeRanks(const onnx::GraphProto &graph, const ImportOptions &options, const std::string &name) {
  for (const auto &[input, shape] : options.inputShapes) {
    for (const auto &vi : graph.input()) {
      if (vi.name() != input || !vi.type().has_tensor_type() || !vi.type().tensor_type().has_shape()) continue;
      int rank = vi.type().tensor_type().shape().dim_size();
      if (int(shape.size()) == rank) continue;
      std::string arg;
      for (int64_t d : shape) arg += (arg.empty() ? "" : "x") + std::to_string(d);
      throw ImportError(name + ": --input-shape " + input + "=" + arg + " has " + std::to_string(shape.size()) +
                        " dims, but graph input '" + input + "' has rank " + std::to_string(rank));
    }
  }
}

int32_t onnxElementType(Type t) {
  for (int32_t onnxType = onnx::TensorProto::FLOAT; onnxType <= onnx::TensorProto::BFLOAT16; ++onnxType)
    if (elementType(*t.getContext(), onnxType) == t) return onnxType;
  return onnx::TensorProto::UNDEFINED;
}

// Turns folded node outputs into initializers (dropping the nodes that computed them).
// Returns false when there is nothing new to bind.
bool bindFoldedValues(onnx::ModelProto &model, const std::map<std::string, ElementsAttr> &folded) {
  onnx::GraphProto *g = model.mutable_graph();
  std::set<std::string> existing;
  for (const auto &t : g->initializer()) existing.insert(t.name());
  // ONNX 1.12's data propagation reads an empty 1-D initializer as a rank-0 shape, and
  // a Concat of it then fails inference: empty values stay computed by their nodes
  // (inference gets their [0] shape right by itself).
  auto binds = [&](const std::string &name) {
    auto it = folded.find(name);
    return it != folded.end() && cast<ShapedType>(it->second.getType()).getNumElements() > 0;
  };
  bool added = false;
  for (const auto &[name, value] : folded) {
    if (existing.count(name) || !binds(name)) continue;
    auto type = cast<ShapedType>(value.getType());
    onnx::TensorProto *t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(onnxElementType(type.getElementType()));
    for (int64_t d : type.getShape()) t->add_dims(d);
    std::vector<uint8_t> bytes = constantBytes(value);
    t->set_raw_data(std::string(bytes.begin(), bytes.end()));
    added = true;
  }
  // A bound value's old value_info (e.g. ConstantOfShape's [unk]) would shadow its
  // initializer's exact shape in the next inference round.
  auto *infos = g->mutable_value_info();
  for (int i = infos->size() - 1; i >= 0; --i)
    if (binds(infos->Get(i).name())) infos->DeleteSubrange(i, 1);
  auto *nodes = g->mutable_node();
  for (int i = nodes->size() - 1; i >= 0; --i) {
    const auto &outs = nodes->Get(i).output();
    if (std::all_of(outs.begin(), outs.end(), [&](const std::string &o) { return o.empty() || binds(o); }))
      nodes->DeleteSubrange(i, 1);
  }
  return added;
}

OwningOpRef<ModuleOp> importModel(MLIRContext &context, onnx::ModelProto &model, const std::string &name,
                                  const std::string &baseDir, const ImportOptions &options) {
  checkSupportedOps(model.graph(), name);
  checkInputShapeRanks(model.graph(), options, name);
  normalizeConstantNodes(*model.mutable_graph());
  onnx_frontend::loadExternalData(model, baseDir, name);
  onnx_frontend::prepareModel(model, kCanonicalOpset, options.inputShapes, name);
  context.loadDialect<EdgeDialect, func::FuncDialect>();
  OwningOpRef<ModuleOp> module;
  // Shape subgraphs ONNX inference cannot see through (Shape -> Gather -> Div -> Slice)
  // resolve in rounds: bind what was folded, infer again, import again.
  for (int round = 0; !module; ++round) {
    GraphImporter importer(context, model, name);
    try {
      module = importer.run();
    } catch (const ShapesPending &e) {
      if (round == 8 || !bindFoldedValues(model, importer.folded())) throw ImportError(e.what());
      onnx_frontend::inferShapes(model, name);
    }
  }
  // The verifier's diagnostics go to the context's handler (the caller's); a failure
  // here is a frontend bug or an inconsistent model.
  if (failed(verify(*module))) throw ImportError(name + ": the imported IR does not verify (details follow)");
  return module;
}

}  // namespace

OwningOpRef<ModuleOp> importOnnxBytes(MLIRContext &context, const std::string &bytes, const std::string &name,
                                      const std::string &baseDir, const ImportOptions &options,
                                      std::string &error) {
  try {
    onnx::ModelProto model = onnx_frontend::parseModel(bytes, false, name);
    return importModel(context, model, name, baseDir, options);
  } catch (const std::exception &e) {
    error = e.what();
    return nullptr;
  }
}

OwningOpRef<ModuleOp> importOnnxFile(MLIRContext &context, const std::string &path, const ImportOptions &options,
                                     std::string &error) {
  try {
    std::string bytes = readFile(path);
    bool textual = endsWith(path, ".onnxtxt");
    onnx::ModelProto model = onnx_frontend::parseModel(bytes, textual, path);
    size_t slash = path.find_last_of('/');
    std::string baseDir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    return importModel(context, model, path, baseDir, options);
  } catch (const std::exception &e) {
    error = e.what();
    return nullptr;
  }
}

std::vector<std::string> supportedOnnxOps() {
  std::vector<std::string> ops;
  for (const auto &[op, fn] : GraphImporter::importers()) ops.push_back(op);
  return ops;
}

}  // namespace edgec
