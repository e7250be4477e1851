// The host target: lowers the optimized edge IR to a kernel plan (tensor table, static
// memory plan, constants segment) and serializes it as an .edgepkg.
#include "edgec/HostTarget.h"

#include <algorithm>
#include <numeric>
#include <cstring>
#include <memory>
#include <functional>
#include <limits>
#include <optional>
#include <map>
#include <unordered_map>

#include "edge/ConstantData.h"
#include "edge/EdgeDialect.h"
#include "edge/QuantTypes.h"
#include "edgec/AtomicFile.h"
#include "edgec/KernelBridge.h"
#include "edgec/dtype_table.h"
#include "edgec/package_builder.h"
#include "edgec/weight_layouts.h"
#include "edgepkg_generated.h"
#include "PackageMetadata.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/xxhash.h"

using namespace mlir;

namespace edgec {
namespace {

// A constant's bytes: a resource blob's in place, anything else serialized into `copy`.
ArrayRef<uint8_t> constantBytesView(ElementsAttr value, std::vector<uint8_t> &copy) {
  auto resource = dyn_cast<DenseResourceElementsAttr>(value);
  if (AsmResourceBlob *blob = resource ? resource.getRawHandle().getBlob() : nullptr) {
    ArrayRef<char> data = blob->getData();
    return ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(data.data()), data.size());
  }
  copy = edge::constantBytes(value);
  return copy;
}

struct TensorInfo {
  std::string name;
  RankedTensorType type;
  pkg::Storage storage = pkg::Storage::Arena;
  uint64_t offset = 0, size = 0;
  int64_t firstUse = 0, lastUse = 0;  // kernel indices within its function, for the memory plan
  int32_t aliasOf = -1;                // a reshape, or an in-place result, shares its input's bytes
  bool inPlace = false;                // aliasOf is an in-place result's (PlanBuilder::inPlaceElementwise)
  int32_t viewSource = -1;             // ... and its shape follows its input's (dynamic shapes)
  int function = -1;                   // the function whose arena holds an Arena tensor
  int32_t initializer = -1;            // a State tensor's initial value (a Constant tensor)
  // A group-wise weight (the packed codes of a DequantizeBlockwise of constants): its
  // QuantInfo is Blockwise with these scales and zero points (tensor ids; -1: none).
  int64_t blockAxis = -1, blockSize = 0;
  int32_t blockScales = -1, blockZeroPoints = -1;
  // A constant weight stored in a packed layout (PlanBuilder::chooseLayouts): the layout,
  // its k axis (I8W4), groups (I8ConvW4) and its column sums tensor (-1: none).
  layouts::Kind layout = layouts::Kind::None;
  int64_t layoutKAxis = -1, layoutGroups = 0;
  int32_t layoutSums = -1;
  int32_t bytesOf = -1;  // a second entry of a constant (a returned constant): the original
};

// The layout a kernel wants for a constant weight it reads, by kind, k axis and groups.
struct LayoutWish {
  layouts::Kind kind = layouts::Kind::None;
  int64_t kAxis = -1, groups = 0;
  bool operator==(const LayoutWish &o) const { return kind == o.kind && kAxis == o.kAxis && groups == o.groups; }
};

// The name messages and profiles give a kernel: the ONNX node's, else where the op is in
// an .mlir file ("model.mlir:7:8").
std::string nodeName(Operation *op) {
  if (auto name = dyn_cast<NameLoc>(op->getLoc())) return name.getName().str();
  if (auto file = dyn_cast<FileLineColLoc>(op->getLoc()))
    return llvm::sys::path::filename(file.getFilename().getValue()).str() + ":" + std::to_string(file.getLine()) +
           ":" + std::to_string(file.getColumn());
  return "";
}

// Bytes of a tensor of `t`, from the one dtype table (0 for an element type the package
// has no dtype for; those are refused with an error where the tensor is used).
uint64_t byteSize(RankedTensorType t) {
  std::optional<pkg::DType> dtype = packageDType(t.getElementType());
  const std::vector<int64_t> shape(t.getShape().begin(), t.getShape().end());
  uint64_t bytes = 0;
  if (!dtype || !tensorStorageBytes(*dtypeInfo(unsigned(*dtype)), shape.data(), shape.size(), &bytes)) return 0;
  return bytes;
}

// The DequantizeBlockwise defining `v` if its weight, scales and zero points are all
// constants: the host target then gives the packed weight tensor Blockwise QuantInfo.
edge::DequantizeBlockwiseOp constantBlockwise(Value v) {
  auto dq = v ? v.getDefiningOp<edge::DequantizeBlockwiseOp>() : nullptr;
  if (!dq) return nullptr;
  for (Value operand : dq->getOperands())
    if (!operand.getDefiningOp<edge::ConstantOp>()) return nullptr;
  return dq;
}

// Whether `user`'s kernel consumes operand `index`, a DequantizeBlockwise of constants,
// packed (the weight of MatMul, Gemm, Conv and BlockQuantizedMatMul:
// runtime/kernels/README.md), so no dequantize kernel runs and no f32 weight exists.
bool foldsBlockwise(Operation *user, unsigned index) {
  return index == 1 && isa<edge::MatMulOp, edge::GemmOp, edge::ConvOp, edge::BlockQuantizedMatMulOp>(user);
}

// Places `function`'s arena tensors one by one in `order`, each at the lowest offset that
// does not overlap a placed tensor whose lifetime overlaps. Returns the arena's size.
uint64_t placeInOrder(std::vector<TensorInfo> &tensors, const std::vector<size_t> &order) {
  std::vector<size_t> placed;
  uint64_t arena = 0;
  for (size_t i : order) {
    TensorInfo &t = tensors[i];
    std::vector<std::pair<uint64_t, uint64_t>> busy;
    for (size_t j : placed) {
      const TensorInfo &o = tensors[j];
      if (o.lastUse < t.firstUse || t.lastUse < o.firstUse) continue;
      busy.push_back({o.offset, o.offset + pkg::alignTo(o.size)});
    }
    std::sort(busy.begin(), busy.end());
    uint64_t offset = 0;
    for (auto [lo, hi] : busy) {
      if (offset + pkg::alignTo(t.size) <= lo) break;
      offset = std::max(offset, hi);
    }
    t.offset = offset;
    arena = std::max(arena, offset + pkg::alignTo(t.size));
    placed.push_back(i);
  }
  return arena;
}

// Greedy placements in three orders, the smallest arena kept (each function has an arena
// of its own, see Function in edgepkg.fbs); each order has graphs it loses on:
//   * by size, the biggest tensors first (TFLite's arena planner);
//   * by breadth, the kernels in decreasing order of the bytes live at them and at each
//     the tensors live there not yet placed, biggest first (TFLite's GPU planner);
//   * in the order the kernels write them (a linear-scan allocator).
// MobileNetV2 with its expansions fused (edge-fuse-pointwise-depthwise) had arenas of
// 1.21x and 1.32x its lower bound by size and by breadth, and is at the bound in the
// kernels' order.
uint64_t planArena(std::vector<TensorInfo> &tensors, int function) {
  std::vector<size_t> bySize;
  int64_t steps = 0;
  for (size_t i = 0; i < tensors.size(); ++i)
    if (tensors[i].storage == pkg::Storage::Arena && tensors[i].aliasOf < 0 && tensors[i].function == function) {
      bySize.push_back(i);
      steps = std::max(steps, tensors[i].lastUse + 1);
    }
  std::stable_sort(bySize.begin(), bySize.end(), [&](size_t a, size_t b) { return tensors[a].size > tensors[b].size; });

  std::vector<uint64_t> breadth(size_t(std::max<int64_t>(steps, 0)), 0);
  for (size_t i : bySize)
    for (int64_t k = std::max<int64_t>(tensors[i].firstUse, 0); k <= tensors[i].lastUse; ++k)
      breadth[size_t(k)] += pkg::alignTo(tensors[i].size);
  std::vector<int64_t> busiest(breadth.size());
  std::iota(busiest.begin(), busiest.end(), 0);
  std::stable_sort(busiest.begin(), busiest.end(), [&](int64_t a, int64_t b) { return breadth[a] > breadth[b]; });
  std::vector<size_t> byBreadth;
  std::vector<bool> taken(tensors.size(), false);
  for (int64_t k : busiest)
    for (size_t i : bySize)  // biggest first
      if (!taken[i] && tensors[i].firstUse <= k && k <= tensors[i].lastUse) {
        taken[i] = true;
        byBreadth.push_back(i);
      }
  for (size_t i : bySize)  // live at no kernel: last
    if (!taken[i]) byBreadth.push_back(i);

  std::vector<size_t> byFirstUse = bySize;  // ties: biggest first
  std::stable_sort(byFirstUse.begin(), byFirstUse.end(),
                   [&](size_t a, size_t b) { return tensors[a].firstUse < tensors[b].firstUse; });

  std::vector<size_t> byLifetime = bySize;  // longest-lived first; ties: biggest first
  std::stable_sort(byLifetime.begin(), byLifetime.end(), [&](size_t a, size_t b) {
    return tensors[a].lastUse - tensors[a].firstUse > tensors[b].lastUse - tensors[b].firstUse;
  });

  uint64_t best = std::numeric_limits<uint64_t>::max();
  std::vector<uint64_t> bestOffsets;
  for (const std::vector<size_t> *order : {&bySize, &byBreadth, &byFirstUse, &byLifetime}) {
    const uint64_t arena = placeInOrder(tensors, *order);
    if (arena >= best) continue;
    best = arena;
    bestOffsets.clear();
    for (size_t i : bySize) bestOffsets.push_back(tensors[i].offset);
  }
  for (size_t n = 0; n < bySize.size(); ++n) tensors[bySize[n]].offset = bestOffsets[n];
  return best;
}

// The most aligned bytes of `function`'s arena tensors live at one kernel (of `kernels`):
// a lower bound on any placement's arena for this kernel order.
uint64_t arenaLowerBound(const std::vector<TensorInfo> &tensors, int function, int64_t kernels) {
  std::vector<uint64_t> live(size_t(std::max<int64_t>(kernels, 1)) + 1, 0);  // a difference array over steps
  for (const TensorInfo &t : tensors) {
    if (t.storage != pkg::Storage::Arena || t.aliasOf >= 0 || t.function != function) continue;
    const int64_t first = std::max<int64_t>(t.firstUse, 0), last = std::min<int64_t>(t.lastUse, kernels - 1);
    if (last < first) continue;
    live[size_t(first)] += pkg::alignTo(t.size);
    live[size_t(last) + 1] -= pkg::alignTo(t.size);
  }
  uint64_t bound = 0, sum = 0;
  for (uint64_t d : live) bound = std::max(bound, sum += d);
  return bound;
}

// Builds one package from a module: its edge.state declarations become State tensors,
// each func.func a Function with its own kernel list and arena plan; constants (and
// identical constants) are shared by all functions.
class PlanBuilder {
public:
  explicit PlanBuilder(ModuleOp module) : module_(module) {}
  // The package image in memory.
  std::vector<uint8_t> build(PackageStats *stats);
  // After build: the IR value each package tensor holds (null for tensors made by the
  // lowering: copies, quantization parameters).
  std::vector<Value> tensorValues() const {
    std::vector<Value> values(tensors_.size());
    for (auto [v, id] : ids_) values[size_t(id)] = v;
    return values;
  }
  // The package streamed into `file` (and closed), weights straight from the IR.
  bool write(PackageStats *stats, AtomicFileWriter &file);

private:
  std::vector<uint8_t> buildPlan(PackageStats *stats);
  bool forEachConstant(const std::function<bool(uint64_t, const uint8_t *, uint64_t)> &emit);
  LogicalResult addStates();
  LogicalResult addFunction(func::FuncOp func);
  int32_t tensorFor(Value v);
  int32_t blockwiseTensor(edge::DequantizeBlockwiseOp op);
  int32_t constantTensor(ElementsAttr value, std::string name);
  LayoutWish wantedLayout(Operation *op, size_t index, const std::vector<int32_t> &inputs,
                          const std::vector<int32_t> &outputs) const;
  bool layoutDesc(const TensorInfo &t, layouts::Desc &d) const;
  void chooseLayouts();
  void placeConstants();
  flatbuffers::Offset<pkg::QuantInfo> quantInfo(TensorInfo t);
  void addAlias(edge::ReshapeOp op);
  LogicalResult addKernel(Operation *op, int64_t index, int32_t inPlaceOutput = -1);
  int32_t addCopy(int32_t source, StringRef node, int64_t index, int32_t into = -1);
  LogicalResult addStateWrite(edge::StateWriteOp op, int64_t &index);
  int32_t inPlaceStateUpdate(Operation *op);
  int32_t inPlaceElementwise(Operation *op);

  ModuleOp module_;
  flatbuffers::FlatBufferBuilder fbb_;
  std::vector<TensorInfo> tensors_;
  llvm::DenseMap<Value, int32_t> ids_;
  llvm::DenseMap<Attribute, int32_t> constantIds_;  // identical constants share storage
  // Constants by a hash of their bytes: equal bytes of the same type are one tensor too,
  // though they are different attributes (each quantized copy of a weight that the ONNX
  // file shares between layers is a resource blob of its own).
  std::unordered_multimap<uint64_t, std::pair<ElementsAttr, int32_t>> constantsByContent_;
  // Constant tensors' values, copied into the package only when it is built (one copy
  // of the weights besides the IR's, not two): (value, tensor), in creation order, which
  // is their order in the constants section (placeConstants).
  std::vector<std::pair<ElementsAttr, int32_t>> constants_;
  uint64_t constantsSize_ = 0;
  // Per constant tensor read by kernels: the layout every such kernel wants (kind None
  // once any kernel wants the tensor row-major, or two want different layouts).
  std::map<int32_t, LayoutWish> wishes_;
  // Constants read otherwise than as a kernel input (quantization parameters): row-major.
  llvm::DenseSet<int32_t> pinned_;
  llvm::StringMap<int32_t> states_;  // edge.state symbol -> its State tensor
  uint64_t stateSize_ = 0;
  std::vector<flatbuffers::Offset<pkg::Function>> functions_;
  uint64_t arenaSize_ = 0, naiveArena_ = 0, arenaBound_ = 0;
  size_t kernelCount_ = 0;
  // The function being built.
  func::FuncOp func_;
  int function_ = -1;
  std::vector<flatbuffers::Offset<pkg::Kernel>> kernels_;
};

int32_t PlanBuilder::constantTensor(ElementsAttr value, std::string name) {
  auto cit = constantIds_.find(value);
  if (cit != constantIds_.end()) return cit->second;
  std::vector<uint8_t> copy, otherCopy;
  const ArrayRef<uint8_t> bytes = constantBytesView(value, copy);
  const uint64_t hash = llvm::xxh3_64bits(bytes);
  for (auto [it, end] = constantsByContent_.equal_range(hash); it != end; ++it) {
    const auto &[other, id] = it->second;
    if (other.getType() == value.getType() && constantBytesView(other, otherCopy) == bytes) {
      constantIds_[value] = id;
      return id;
    }
  }
  TensorInfo t;
  t.type = cast<RankedTensorType>(value.getType());
  t.size = byteSize(t.type);
  t.storage = pkg::Storage::Constant;  // placed by placeConstants, once layouts are chosen
  t.name = std::move(name);
  int32_t id = int32_t(tensors_.size());
  constants_.emplace_back(value, id);
  tensors_.push_back(t);
  constantIds_[value] = id;
  constantsByContent_.emplace(hash, std::make_pair(value, id));
  return id;
}

LogicalResult PlanBuilder::addStates() {
  for (auto state : module_.getOps<edge::StateOp>()) {
    auto type = cast<RankedTensorType>(state.getType());
    if (!packageDType(type.getElementType()))
      return state.emitError() << "host target: element type " << type.getElementType() << " is not supported";
    TensorInfo t;
    t.name = state.getSymName().str();
    t.type = type;
    t.size = byteSize(type);
    t.storage = pkg::Storage::State;
    t.offset = stateSize_;
    stateSize_ += pkg::alignTo(t.size);
    if (auto init = state.getInitialValueAttr()) t.initializer = constantTensor(init, t.name + ".init");
    states_[state.getSymName()] = int32_t(tensors_.size());
    tensors_.push_back(t);
  }
  return success();
}

int32_t PlanBuilder::tensorFor(Value v) {
  auto it = ids_.find(v);
  if (it != ids_.end()) return it->second;
  if (auto c = v.getDefiningOp<edge::ConstantOp>()) {
    // Canonicalization hoists constants and fuses their locations: take the first name.
    std::string name;
    c.getLoc()->walk([&](Location l) {
      if (auto n = dyn_cast<NameLoc>(l)) name = n.getName().str();
      return name.empty() ? WalkResult::advance() : WalkResult::interrupt();
    });
    // Without one, a constant is named after its first user: "conv1.weight", "fc.bias".
    if (name.empty() && !v.use_empty()) {
      OpOperand &use = *v.getUses().begin();
      const std::string user = nodeName(use.getOwner());
      const unsigned i = use.getOperandNumber();
      const bool linear = isa<edge::ConvOp, edge::GemmOp, edge::MatMulOp>(use.getOwner());
      // A DequantizeBlockwise is named after its weight: "fc.weight", "fc.weight.scales".
      if (isa<edge::DequantizeBlockwiseOp>(use.getOwner()) && !user.empty())
        name = user + (i == 0 ? "" : i == 1 ? ".scales" : ".zero_points");
      else if (!user.empty())
        name = user + (linear && i == 1 ? ".weight" : linear && i == 2 ? ".bias" : ".input" + std::to_string(i));
    }
    return ids_[v] = constantTensor(c.getValue(), name);
  }
  if (auto read = v.getDefiningOp<edge::StateReadOp>()) return ids_[v] = states_.lookup(read.getState());
  TensorInfo t;
  t.type = cast<RankedTensorType>(v.getType());
  t.size = byteSize(t.type);
  t.function = function_;
  if (auto arg = dyn_cast<BlockArgument>(v)) {
    if (auto name = func_.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "edge.name")) t.name = name.str();
    t.firstUse = -1;
  } else {
    Operation *op = v.getDefiningOp();
    if (auto loc = dyn_cast<NameLoc>(op->getLoc())) t.name = loc.getName().str();
    if (op->getNumResults() > 1) t.name += ":" + std::to_string(cast<OpResult>(v).getResultNumber());
  }
  int32_t id = int32_t(tensors_.size());
  tensors_.push_back(t);
  ids_[v] = id;
  return id;
}

// The packed weight of a DequantizeBlockwise of constants, with its Blockwise parameters
// (scales and zero points become tensors of their own); -1 (with an error) if the same
// codes are already used with other parameters.
int32_t PlanBuilder::blockwiseTensor(edge::DequantizeBlockwiseOp op) {
  const int32_t id = tensorFor(op.getWeight());
  const int32_t scales = tensorFor(op.getScales());
  const int32_t zeroPoints = op.getZeroPoints() ? tensorFor(op.getZeroPoints()) : -1;
  TensorInfo &t = tensors_[id];
  if (t.blockAxis < 0) {
    t.blockAxis = op.getAxis();
    t.blockSize = op.getBlockSize();
    t.blockScales = scales;
    t.blockZeroPoints = zeroPoints;
  } else if (t.blockAxis != int64_t(op.getAxis()) || t.blockSize != int64_t(op.getBlockSize()) ||
             t.blockScales != scales || t.blockZeroPoints != zeroPoints) {
    op.emitError() << "host target: the same packed weight is dequantized with different parameters";
    return -1;
  }
  return id;
}

// A reshape needs no kernel: its result is a second view of the input's bytes (row-major
// data is unchanged), planned as one buffer whose lifetime covers both.
void PlanBuilder::addAlias(edge::ReshapeOp op) {
  int32_t input = tensorFor(op.getInput());
  int32_t root = tensors_[input].aliasOf >= 0 ? tensors_[input].aliasOf : input;
  int32_t id = tensorFor(op.getResult());
  tensors_[id].storage = tensors_[root].storage;
  tensors_[id].aliasOf = root;
  tensors_[id].viewSource = input;
  tensors_[id].firstUse = tensors_[id].lastUse = tensors_[root].firstUse;
}

// An elementwise op's result may take the bytes of an operand that nothing reads after
// it: the kernels of these ops compute each output element from the operands' elements
// at the same index (or broadcast ones) and write it after reading them, so the result
// can overwrite such an operand (the variadic Min/Max/Sum/Mean cannot: they write the
// first operand into the output before reading the others). The operand must have the
// result's type (float, unquantized), be this op's last reader, and be computed by a
// kernel of this function: not an input (set once, run many times), a constant or a
// state. A reshape operand stands for the kernel result it views, whose readers and
// other views must all come before the op. Returns the arena tensor whose bytes the
// result takes (the root of an earlier in-place chain), or -1.
int32_t PlanBuilder::inPlaceElementwise(Operation *op) {
  static const llvm::StringSet<> ops = {
      "Add",     "Sub",      "Mul",         "Div",       "Pow",       "Relu",      "Sigmoid", "Tanh",
      "Sqrt",    "Erf",      "Exp",         "Log",       "Neg",       "Abs",       "Reciprocal", "Clip",
      "LeakyRelu", "Elu",    "Selu",        "HardSigmoid", "ThresholdedRelu", "Shrink", "HardSwish",
      "Softplus", "Softsign", "Sin",        "Cos",       "Tan",       "Asin",      "Acos",    "Atan",
      "Sinh",    "Cosh",     "Asinh",       "Acosh",     "Atanh",     "Floor",     "Ceil",    "Round", "Sign",
      // Its kernels read every input at a block of indices before the last step writes
      // them (ref/fused_elementwise.cpp).
      "FusedElementwise"};
  if (op->getNumResults() != 1 || !ops.contains(op->getName().stripDialect())) return -1;
  const Value result = op->getResult(0);
  const auto resultType = cast<RankedTensorType>(result.getType());
  if (!isa<FloatType>(resultType.getElementType())) return -1;
  // Every reader of v, and of each view of it, is op or comes before it.
  std::function<bool(Value)> readBefore = [&](Value v) {
    return llvm::all_of(v.getUsers(), [&](Operation *user) {
      if (user == op) return true;
      if (auto view = dyn_cast<edge::ReshapeOp>(user)) return readBefore(view.getResult());
      return user->getBlock() == op->getBlock() && user->isBeforeInBlock(op);
    });
  };
  for (Value in : op->getOperands()) {
    if (in.getType() != result.getType()) continue;
    // A view (static shapes: the result's shape is then known without its source's) is
    // taken through to the kernel result it views (a bias-fused Gemm's, reshaped back).
    Value source = in;
    while (auto view = source.getDefiningOp<edge::ReshapeOp>()) {
      if (!resultType.hasStaticShape()) break;
      source = view.getInput();
    }
    Operation *def = source.getDefiningOp();
    if (!def || def->getBlock() != op->getBlock() || isa<edge::ConstantOp, edge::StateReadOp, edge::ReshapeOp>(def))
      continue;
    if (!readBefore(source)) continue;
    in = source;
    const int32_t id = tensorFor(in);
    const int32_t root = tensors_[size_t(id)].aliasOf >= 0 ? tensors_[size_t(id)].aliasOf : id;
    if (tensors_[size_t(root)].storage != pkg::Storage::Arena || tensors_[size_t(root)].function != function_) continue;
    return root;
  }
  return -1;
}

// A "Copy" kernel call from tensor `source` into `into` (a state), or into a new arena
// tensor of the same type; returns the destination, or -1 (with an error) if its element
// type has no package dtype.
int32_t PlanBuilder::addCopy(int32_t source, StringRef node, int64_t index, int32_t into) {
  int32_t id = into;
  if (id < 0) {
    TensorInfo t;
    t.type = tensors_[source].type;
    t.size = tensors_[source].size;
    t.function = function_;
    if (!packageDType(t.type.getElementType())) {
      func_.emitError() << "host target: element type " << t.type.getElementType() << " is not supported";
      return -1;
    }
    t.firstUse = t.lastUse = index;
    id = int32_t(tensors_.size());
    tensors_.push_back(t);
  }
  tensors_[source].lastUse = std::max(tensors_[source].lastUse, index);
  std::vector<int32_t> inputs{source}, outputs{id};
  std::vector<flatbuffers::Offset<pkg::Attr>> attrs;
  kernels_.push_back(pkg::CreateKernel(fbb_, fbb_.CreateString("Copy"), fbb_.CreateString(node.str()),
                                       fbb_.CreateVector(inputs), fbb_.CreateVector(outputs),
                                       fbb_.CreateVector(attrs)));
  return id;
}

LogicalResult PlanBuilder::addKernel(Operation *op, int64_t index, int32_t inPlaceOutput) {
  std::vector<int32_t> inputs, outputs;
  for (auto [i, v] : llvm::enumerate(kernelInputs(op))) {
    if (auto dq = dyn_cast<edge::DequantizeBlockwiseOp>(op)) {
      if (!constantBlockwise(dq.getResult()))
        return op->emitError() << "host target: DequantizeBlockwise needs constant weight, scales and zero points";
      inputs.push_back(blockwiseTensor(dq));
    } else if (auto dq = constantBlockwise(v); dq && foldsBlockwise(op, unsigned(i))) {
      inputs.push_back(blockwiseTensor(dq));
    } else {
      inputs.push_back(v ? tensorFor(v) : -1);
    }
    if (inputs.back() < 0 && v) return failure();
  }
  for (Value v : op->getResults()) {
    Type elem = cast<RankedTensorType>(v.getType()).getElementType();
    if (!packageDType(elem)) return op->emitError() << "host target: element type " << elem << " is not supported";
    if (inPlaceOutput >= 0) ids_[v] = inPlaceOutput;
    int32_t id = tensorFor(v);
    if (tensors_[id].storage == pkg::Storage::Arena) {
      tensors_[id].firstUse = index;
      tensors_[id].lastUse = std::max(tensors_[id].lastUse, index);
    }
    outputs.push_back(id);
  }
  for (int32_t id : inputs)
    if (id >= 0) tensors_[id].lastUse = std::max(tensors_[id].lastUse, index);
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i] < 0 || tensors_[size_t(inputs[i])].storage != pkg::Storage::Constant) continue;
    // GatherDequantize reads a GgufRows16 table in place (its ref kernel puts each looked-up
    // row's blocks back together) and any other layout through the session's unpacked
    // copy: it has no say in its table's layout, so a tied token embedding is stored as
    // the head's GgufMatMul wants it (and an untied one, which only it reads, as GGUF).
    if (isa<edge::GatherDequantizeOp>(op) && i == 0) continue;
    const LayoutWish wish = wantedLayout(op, i, inputs, outputs);
    auto [it, first] = wishes_.emplace(inputs[i], wish);
    if (!first && !(it->second == wish)) it->second = LayoutWish{};
  }

  flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<pkg::Attr>>> attrs;
  if (failed(encodeKernelAttrs(op, fbb_, attrs))) return failure();
  kernels_.push_back(pkg::CreateKernel(fbb_, fbb_.CreateString(kernelName(op)), fbb_.CreateString(nodeName(op)),
                                       fbb_.CreateVector(inputs), fbb_.CreateVector(outputs), attrs));
  return success();
}

// Ops that write part of their operand 0 (a state's old value) and return the rest as is:
// planned in place by inPlaceStateUpdate.
bool updatesPartOfOperand(Operation *op) { return isa<edge::DynamicUpdateSliceOp, edge::KVCacheRingWriteOp>(op); }

// The state a DynamicUpdateSlice (or KVCacheRingWrite) can update in place: its operand is
// a read of state S, its result is written back to S, and nothing reads the old value
// after it. Then the kernel writes into S's own bytes (the runtime kernel moves only the
// update), and the write costs nothing: how a KV cache takes a decode step's keys and
// values.
int32_t PlanBuilder::inPlaceStateUpdate(Operation *op) {
  auto read = op->getOperand(0).getDefiningOp<edge::StateReadOp>();
  if (!read) return -1;
  bool writtenBack = llvm::any_of(op->getUsers(), [&](Operation *user) {
    auto write = dyn_cast<edge::StateWriteOp>(user);
    return write && write.getState() == read.getState();
  });
  bool oldValueDead = llvm::all_of(read->getUsers(), [&](Operation *user) {
    return user == op || (user->getBlock() == op->getBlock() && user->isBeforeInBlock(op));
  });
  return writtenBack && oldValueDead ? states_.lookup(read.getState()) : -1;
}

// The state holds the written value from here on. A read of the old value after this
// point would see the new one (the state is one buffer), so that is refused.
LogicalResult PlanBuilder::addStateWrite(edge::StateWriteOp op, int64_t &index) {
  const int32_t state = states_.lookup(op.getState());
  for (auto read : func_.getOps<edge::StateReadOp>()) {
    if (read.getState() != op.getState()) continue;
    for (Operation *user : read->getUsers())
      if (user != op.getOperation() && user->getBlock() == op->getBlock() && op->isBeforeInBlock(user) &&
          !(updatesPartOfOperand(user) && tensorFor(user->getResult(0)) == state))
        return user->emitError() << "host target: reads " << op.getStateAttr()
                                 << " after an edge.state_write of it in the same function; read the state "
                                    "again after the write, or use the value before it";
  }
  const int32_t value = tensorFor(op.getValue());
  if (value == state) return success();  // updated in place
  std::string node = isa<NameLoc>(op->getLoc()) ? nodeName(op) : "store " + op.getState().str();
  return success(addCopy(value, node, index++, state) >= 0);
}

LogicalResult PlanBuilder::addFunction(func::FuncOp func) {
  func_ = func;
  function_ = int(functions_.size());
  kernels_.clear();
  Block &body = func.getBody().front();
  std::vector<int32_t> inputs, outputs;
  for (BlockArgument arg : body.getArguments()) inputs.push_back(tensorFor(arg));

  int64_t index = 0;
  for (Operation &op : body.without_terminator()) {
    if (isa<edge::ConstantOp, edge::StateReadOp>(op)) continue;
    if (op.getDialect() == nullptr || op.getDialect()->getNamespace() != "edge")
      return op.emitError() << "host target: op is not in the edge dialect";
    if (auto reshape = dyn_cast<edge::ReshapeOp>(op)) {
      addAlias(reshape);
      continue;
    }
    if (auto write = dyn_cast<edge::StateWriteOp>(op)) {
      if (failed(addStateWrite(write, index))) return failure();
      continue;
    }
    if (auto dq = constantBlockwise(op.getNumResults() == 1 ? op.getResult(0) : Value());
        dq && !dq->use_empty() && llvm::all_of(dq->getUses(), [](OpOperand &use) {
          return foldsBlockwise(use.getOwner(), use.getOperandNumber());
        }))
      continue;  // every consumer reads the packed weight
    int32_t inPlace = -1;
    if (updatesPartOfOperand(&op)) inPlace = inPlaceStateUpdate(&op);
    const int32_t over = inPlaceElementwise(&op);
    if (failed(addKernel(&op, index++, inPlace))) return failure();
    if (over >= 0) {
      TensorInfo &result = tensors_[size_t(tensorFor(op.getResult(0)))];
      result.aliasOf = over;
      result.inPlace = true;
    }
  }
  // Every output is a tensor of its own, named after the output. An op result returned
  // once is renamed in place; an input returned as an output (Identity, Dropout or a no-op
  // Transpose of it, folded away), a state, or a value returned a second time, is copied
  // into a new tensor, so the input keeps its name and no output is lost; a constant gets a
  // second tensor entry over the same bytes (constants never change).
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  llvm::DenseSet<int32_t> claimed;
  for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
    auto name = func.getResultAttrOfType<StringAttr>(i, "edge.name");
    int32_t id = tensorFor(v);
    if (v.getDefiningOp<edge::ConstantOp>()) {
      TensorInfo t = tensors_[id];
      t.bytesOf = id;
      id = int32_t(tensors_.size());
      tensors_.push_back(t);
    } else if (isa<BlockArgument>(v) || tensors_[id].storage == pkg::Storage::State ||
               !claimed.insert(id).second) {
      int32_t copy = addCopy(id, name ? name.getValue() : StringRef(), index++);
      if (copy < 0) return failure();
      id = copy;
    }
    if (name) tensors_[id].name = name.str();
    outputs.push_back(id);
  }
  // Inputs are set once and may be run many times, so nothing may reuse their bytes;
  // outputs stay live until the caller reads them.
  for (int32_t id : inputs) tensors_[id].lastUse = index;
  for (int32_t id : outputs) tensors_[id].lastUse = index;
  for (const TensorInfo &t : tensors_)
    if (t.storage == pkg::Storage::Arena && t.function == function_) naiveArena_ += pkg::alignTo(t.size);
  // Fold alias lifetimes into their roots, plan the roots, then place aliases on them.
  // Planned with the in-place results on their operands' bytes and without: a merged
  // lifetime can lead greedy placement to a larger arena, and the smaller plan is kept.
  auto plan = [&](bool inPlace) {
    if (!inPlace) {
      for (TensorInfo &t : tensors_)
        if (t.inPlace && t.function == function_) t.aliasOf = -1, t.inPlace = false;
      // A reshape of an in-place result is then a view of that result's own bytes.
      for (TensorInfo &t : tensors_) {
        if (t.aliasOf < 0 || t.viewSource < 0 || t.function != function_) continue;
        int32_t root = t.viewSource;
        while (tensors_[size_t(root)].aliasOf >= 0) root = tensors_[size_t(root)].aliasOf;
        t.aliasOf = root;
      }
    }
    for (TensorInfo &t : tensors_) {
      if (t.aliasOf < 0 || t.function != function_) continue;
      TensorInfo &root = tensors_[t.aliasOf];
      root.firstUse = std::min(root.firstUse, t.firstUse);
      root.lastUse = std::max(root.lastUse, t.lastUse);
    }
    const uint64_t bytes = planArena(tensors_, function_);
    for (TensorInfo &t : tensors_)
      if (t.aliasOf >= 0 && t.function == function_) t.offset = tensors_[t.aliasOf].offset;
    return bytes;
  };
  const std::vector<TensorInfo> unplanned = tensors_;
  const uint64_t withInPlace = plan(true);
  std::vector<TensorInfo> inPlacePlan;
  inPlacePlan.swap(tensors_);
  tensors_ = unplanned;
  uint64_t arena = plan(false);
  if (withInPlace <= arena) {
    tensors_.swap(inPlacePlan);
    arena = withInPlace;
  }
  arenaSize_ = std::max(arenaSize_, arena);
  const uint64_t bound = arenaLowerBound(tensors_, function_, int64_t(kernels_.size()));
  arenaBound_ = std::max(arenaBound_, bound);
  kernelCount_ += kernels_.size();
  functions_.push_back(pkg::CreateFunction(fbb_, fbb_.CreateString(func.getSymName().str()),
                                           fbb_.CreateVector(inputs), fbb_.CreateVector(outputs),
                                           fbb_.CreateVector(kernels_), arena, bound));
  return success();
}

// A quantized tensor's QuantInfo: its scales (f32) and, unless all zero, its zero points
// (the tensor's own dtype) as constant tensors named after it. Null for other tensors.
flatbuffers::Offset<pkg::QuantInfo> PlanBuilder::quantInfo(TensorInfo t) {  // a copy: tensors_ grows here
  if (t.blockAxis >= 0)
    return pkg::CreateQuantInfo(fbb_, pkg::QuantScheme::Blockwise, int32_t(t.blockAxis), int32_t(t.blockSize),
                                *packageDType(tensors_[size_t(t.blockScales)].type.getElementType()),
                                t.blockScales, t.blockZeroPoints);
  std::optional<edge::UniformParams> params = edge::uniformParams(t.type.getElementType());
  if (!params) return 0;
  MLIRContext *ctx = t.type.getContext();
  const int64_t n = int64_t(params->scales.size());
  SmallVector<float> scales(params->scales.begin(), params->scales.end());
  auto scaleType = RankedTensorType::get({n}, Float32Type::get(ctx));
  const int32_t scalesTensor =
      constantTensor(DenseElementsAttr::get(scaleType, ArrayRef<float>(scales)), t.name + ".scale");
  pinned_.insert(scalesTensor);
  int32_t zeroPointsTensor = -1;
  if (llvm::any_of(params->zeroPoints, [](int64_t z) { return z != 0; })) {
    Type storage = edge::storageType(t.type.getElementType());
    const unsigned width = storage.getIntOrFloatBitWidth();
    SmallVector<APInt> zeroPoints;
    for (int64_t z : params->zeroPoints) zeroPoints.push_back(APInt(width, uint64_t(z), /*isSigned=*/true));
    zeroPointsTensor = constantTensor(DenseElementsAttr::get(RankedTensorType::get({n}, storage), zeroPoints),
                                      t.name + ".zero_point");
    pinned_.insert(zeroPointsTensor);
  }
  Type expressed = edge::expressedType(t.type.getElementType());
  return pkg::CreateQuantInfo(fbb_, params->axis ? pkg::QuantScheme::PerAxis : pkg::QuantScheme::PerTensor,
                              params->axis ? int32_t(*params->axis) : -1, 0, *packageDType(expressed),
                              scalesTensor, zeroPointsTensor);
}

// The layout the x86 kernel that will run `op` reads its constant input `index` in
// (runtime/kernels/x86: the int8 MatMul/Gemm and DynamicQuantizedMatMul read B in the
// I8W4 layout, the int8 Conv its weight in I8ConvW4, BlockQuantizedMatMul its int4
// weight in Int4Q8Tiles, GgufMatMul and GgufMatMulId a GGUF block weight in GgufRows16); None: row-major. The
// same calls the registry gives those kernels (an int8 MatMul, Gemm or Conv of quantized
// i8/u8 operands, an i8 DynamicQuantizedMatMul weight, an int4 weight blocked along K in
// multiples of 32 with K even); a call that reaches ref anyway gets the weight unpacked
// at load, so a wish that is too broad costs a copy, never a wrong result. The Conv's
// depthwise path (2-D, one input channel per group) reads its weights per tap, not as a
// GEMM operand: row-major.
LayoutWish PlanBuilder::wantedLayout(Operation *op, size_t index, const std::vector<int32_t> &inputs,
                                     const std::vector<int32_t> &outputs) const {
  if (index != 1 || inputs.size() < 2 || outputs.size() != 1) return {};
  auto dtype = [&](int32_t id) { return id < 0 ? std::nullopt : packageDType(tensors_[size_t(id)].type.getElementType()); };
  auto int8 = [&](int32_t id) {
    return id >= 0 && (dtype(id) == pkg::DType::i8 || dtype(id) == pkg::DType::u8) &&
           edge::uniformParams(tensors_[size_t(id)].type.getElementType());
  };
  const TensorInfo &w = tensors_[size_t(inputs[1])];
  const int64_t rank = w.type.getRank();
  if (isa<edge::MatMulOp>(op) && int8(inputs[0]) && int8(inputs[1]) && int8(outputs[0]) && rank >= 2)
    return {layouts::Kind::I8W4, rank - 2};
  if (auto gemm = dyn_cast<edge::GemmOp>(op); gemm && int8(inputs[0]) && int8(inputs[1]) && int8(outputs[0]) && rank == 2)
    return {layouts::Kind::I8W4, gemm.getTransB() ? 1 : 0};
  if (auto conv = dyn_cast<edge::ConvOp>(op); conv && int8(inputs[0]) && int8(inputs[1]) && int8(outputs[0]) &&
                                              rank >= 3 && conv.getGroup() >= 1 && !(rank == 4 && w.type.getDimSize(1) == 1))
    return {layouts::Kind::I8ConvW4, -1, int64_t(conv.getGroup())};
  if (isa<edge::DynamicQuantizedMatMulOp>(op) && dtype(inputs[1]) == pkg::DType::i8 && rank == 2)
    return {layouts::Kind::I8W4, 0};
  if (isa<edge::BlockQuantizedMatMulOp>(op) && (dtype(inputs[1]) == pkg::DType::i4 || dtype(inputs[1]) == pkg::DType::u4) &&
      rank == 2 && w.blockAxis == 1 && w.blockSize > 0 && w.blockSize % 32 == 0 && w.type.getDimSize(1) % 2 == 0)
    return {layouts::Kind::Int4Q8Tiles, -1};
  // A GGUF block weight the layout holds (layouts::describe says which): the x86 AVX-512
  // GEMV's 16-row groups, the same bytes (AVX2 gets the GGUF rows back at load, a copy).
  // GgufMatMulId's experts [E, N, K] too, where N is whole groups (each expert's slab is
  // then its [N, K] in the layout, which the kernel hands its GgufMatMul calls).
  if (auto t = dtype(inputs[1]); isa<edge::GgufMatMulOp, edge::GgufMatMulIdOp>(op) && t) {
    layouts::Desc d;
    std::string why;
    const std::vector<int64_t> shape(w.type.getShape().begin(), w.type.getShape().end());
    if (layouts::describe(layouts::Kind::GgufRows16, unsigned(*t), shape, -1, -1, 0, 0, d, why))
      return {layouts::Kind::GgufRows16, -1};
  }
  return {};
}

bool PlanBuilder::layoutDesc(const TensorInfo &t, layouts::Desc &d) const {
  std::string why;
  const std::vector<int64_t> shape(t.type.getShape().begin(), t.type.getShape().end());
  return layouts::describe(t.layout, unsigned(*packageDType(t.type.getElementType())), shape, t.layoutKAxis, t.blockAxis,
                           t.blockSize, layouts::kInt4Tile, d, why, t.layoutGroups);
}

// Weights packed at compile time (docs/architecture.md, "Weight layouts"): a constant
// whose every kernel use wants the same layout, and that nothing else reads as stored (a
// state's initial value, a returned constant, quantization parameters), is stored in it,
// with its I8W4 / I8ConvW4 column sums as an i32 constant beside it, unless the layout's padding
// would make it more than 1/8 larger. Tensor order: deterministic.
void PlanBuilder::chooseLayouts() {
  llvm::DenseSet<int32_t> pinned = pinned_;
  for (const TensorInfo &t : tensors_) {
    for (int32_t id : {t.initializer, t.blockScales, t.blockZeroPoints, t.bytesOf})
      if (id >= 0) pinned.insert(id);
  }
  for (const auto &[id, wish] : wishes_) {
    if (wish.kind == layouts::Kind::None || pinned.contains(id) || tensors_[size_t(id)].storage != pkg::Storage::Constant)
      continue;
    tensors_[size_t(id)].layout = wish.kind;
    tensors_[size_t(id)].layoutKAxis = wish.kAxis;
    tensors_[size_t(id)].layoutGroups = wish.groups;
    layouts::Desc d;
    // A layout whose padding would grow the weight by more than 1/8 (N far below a multiple
    // of 16: a 10-class head) keeps it row-major: the package stays small, and the kernel
    // packs such a (small) weight at load as before.
    if (!layoutDesc(tensors_[size_t(id)], d) || layouts::packedBytes(d) * 8 > layouts::logicalBytes(d) * 9) {
      tensors_[size_t(id)].layout = layouts::Kind::None;
      continue;
    }
    if (layouts::columnSumCount(d) == 0) continue;
    // The column sums, from the weight's bytes (packed once here and dropped).
    ElementsAttr value;
    for (const auto &[v, t] : constants_)
      if (t == id) value = v;
    std::vector<uint8_t> copy;
    const ArrayRef<uint8_t> bytes = constantBytesView(value, copy);
    if (bytes.size() != layouts::logicalBytes(d)) {  // forEachConstant reports it
      tensors_[size_t(id)].layout = layouts::Kind::None;
      continue;
    }
    std::vector<uint8_t> packed(size_t(layouts::packedBytes(d)));
    std::vector<int32_t> sums(size_t(layouts::columnSumCount(d)));
    layouts::pack(d, bytes.data(), packed.data(), sums.data());
    auto type = RankedTensorType::get({d.matrices, d.N}, IntegerType::get(module_.getContext(), 32));
    const std::string name = tensors_[size_t(id)].name + ".column_sums";
    const int32_t sumsId = constantTensor(DenseElementsAttr::get(type, ArrayRef<int32_t>(sums)), name);
    tensors_[size_t(id)].layoutSums = sumsId;
  }
}

// Offsets in the constants section, in creation order, each 64-byte aligned, at the
// size of its layout; a constant's second entry shares the original's bytes.
void PlanBuilder::placeConstants() {
  constantsSize_ = 0;
  for (const auto &[value, id] : constants_) {
    TensorInfo &t = tensors_[size_t(id)];
    layouts::Desc d;
    t.size = t.layout != layouts::Kind::None && layoutDesc(t, d) ? layouts::packedBytes(d) : byteSize(t.type);
    t.offset = pkg::alignTo(constantsSize_);
    constantsSize_ = t.offset + t.size;
  }
  for (TensorInfo &t : tensors_)
    if (t.bytesOf >= 0) {
      t.offset = tensors_[size_t(t.bytesOf)].offset;
      t.size = tensors_[size_t(t.bytesOf)].size;
    }
}

std::vector<uint8_t> PlanBuilder::buildPlan(PackageStats *stats) {
  if (module_.getOps<func::FuncOp>().empty()) {
    module_.emitError("host target: the module has no function");
    return {};
  }
  StringRef modelName = "model";
  if (auto name = module_->getAttrOfType<StringAttr>("edge.model_name")) modelName = name.getValue();
  if (failed(addStates())) return {};
  for (auto func : module_.getOps<func::FuncOp>())
    if (!func.isExternal() && failed(addFunction(func))) return {};

  // Quantization parameters become constant tensors of their own (shared between
  // tensors with the same values), referenced by index from each quantized tensor.
  std::vector<flatbuffers::Offset<pkg::QuantInfo>> quant(tensors_.size());
  for (size_t i = 0, n = tensors_.size(); i < n; ++i) quant[i] = quantInfo(tensors_[i]);
  chooseLayouts();
  placeConstants();
  std::vector<flatbuffers::Offset<pkg::Tensor>> tensorOffsets;
  // A model with dynamic dims (edge.input_dims from the importer) or sizes that values
  // decide (edge.data_dependent) records its views, whose
  // shapes the runtime recomputes (DynamicShapes.cpp fills in the rest).
  const bool dynamic = module_->getAttr("edge.input_dims") || module_->getAttr("edge.data_dependent");
  for (auto [i, t] : llvm::enumerate(tensors_)) {
    std::vector<int64_t> shape(t.type.getShape().begin(), t.type.getShape().end());
    const bool view = dynamic && t.viewSource >= 0;
    flatbuffers::Offset<pkg::WeightLayout> layout = 0;
    if (t.layout != layouts::Kind::None)
      layout = pkg::CreateWeightLayout(fbb_, pkg::LayoutKind(t.layout), int32_t(t.layoutKAxis),
                                       t.layout == layouts::Kind::Int4Q8Tiles ? int32_t(layouts::kInt4Tile) : 0,
                                       t.layoutSums, int32_t(t.layoutGroups));
    tensorOffsets.push_back(pkg::CreateTensor(fbb_, fbb_.CreateString(t.name), *packageDType(t.type.getElementType()),
                                              fbb_.CreateVector(shape), t.storage, t.offset, t.size,
                                              i < quant.size() ? quant[i] : 0, t.initializer, 0,
                                              view ? t.viewSource : -1, view ? fbb_.CreateVector(shape) : 0, layout));
  }
  std::vector<flatbuffers::Offset<flatbuffers::String>> features;  // host: none, unless dynamic or packed
  if (dynamic) features.push_back(fbb_.CreateString("dynamic-shapes"));
  if (llvm::any_of(tensors_, [](const TensorInfo &t) { return t.layout != layouts::Kind::None; }))
    features.push_back(fbb_.CreateString("weight-layouts"));
  // A sliding window changes what an attention op computes: a runtime that would ignore
  // the attribute (one from before it) must refuse the package, not run it unwindowed.
  // A soft cap (Gemma 2) likewise.
  bool windowed = false, capped = false;
  module_.walk([&](edge::KVCacheAttentionOp op) {
    windowed |= op.getWindow() > 0;
    capped |= !op.getSoftcap().isZero();
  });
  if (windowed) features.push_back(fbb_.CreateString("attention-window"));
  if (capped) features.push_back(fbb_.CreateString("attention-softcap"));
  flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<pkg::Metadata>>> metadata;
  if (failed(buildPackageMetadata(module_, fbb_, metadata))) return {};
  auto package = pkg::CreatePackage(fbb_, fbb_.CreateString("edgec 0.1"), fbb_.CreateString(modelName.str()),
                                    fbb_.CreateString("host"), fbb_.CreateVector(features),
                                    fbb_.CreateVector(tensorOffsets), fbb_.CreateVector(functions_), arenaSize_,
                                    stateSize_, metadata);
  pkg::FinishPackageBuffer(fbb_, package);
  std::vector<uint8_t> plan(fbb_.GetBufferPointer(), fbb_.GetBufferPointer() + fbb_.GetSize());
  if (stats) {
    stats->kernels = kernelCount_;
    stats->tensors = tensors_.size();
    stats->arenaBytes = arenaSize_;
    stats->naiveArenaBytes = naiveArena_;
    stats->arenaLowerBoundBytes = arenaBound_;
    stats->constantBytes = constantsSize_;
  }
  return plan;
}

// Calls emit(offset, data, size) for every constant in offset order. A `dense_resource`
// weight is passed straight from its blob (no copy); a small `dense` one through a
// temporary. False (with an error) if a constant's data does not fit its type.
bool PlanBuilder::forEachConstant(const std::function<bool(uint64_t, const uint8_t *, uint64_t)> &emit) {
  // One buffer for every packed weight, grown to the largest: a fresh vector each (an LLM's
  // 197 weights of 0.2-131 MB) came from fresh pages each time, each page cleared by the
  // kernel on first touch (`edgec compile` of Qwen2.5-1.5B Q4_0: median 0.92x the time,
  // docs/gguf-performance-log.md, twenty-ninth session). Cleared before each use: padding bytes stay zero.
  std::unique_ptr<uint8_t[]> packed;
  size_t packedCapacity = 0;
  for (const auto &[value, id] : constants_) {
    const TensorInfo &t = tensors_[size_t(id)];
    const uint64_t offset = t.offset;
    const uint64_t size = byteSize(cast<RankedTensorType>(value.getType()));
    std::vector<uint8_t> copy;
    const ArrayRef<uint8_t> bytes = constantBytesView(value, copy);
    if (bytes.size() != size) {
      module_.emitError() << "host target: a constant of " << value.getType() << " holds " << bytes.size()
                          << " bytes, not " << size;
      return false;
    }
    if (t.layout != layouts::Kind::None) {  // packed here, one weight at a time
      layouts::Desc d;
      layoutDesc(t, d);
      const size_t packedSize = size_t(layouts::packedBytes(d));
      if (packedSize > packedCapacity) {
        packed.reset(new uint8_t[packedSize]);
        packedCapacity = packedSize;
      }
      std::memset(packed.get(), 0, packedSize);
      layouts::pack(d, bytes.data(), packed.get(), nullptr);
      if (packedSize && !emit(offset, packed.get(), packedSize)) return false;
      continue;
    }
    if (size && !emit(offset, bytes.data(), size)) return false;
  }
  return true;
}

std::vector<uint8_t> PlanBuilder::build(PackageStats *stats) {
  std::vector<uint8_t> plan = buildPlan(stats);
  if (plan.empty()) return {};
  bool ok = true;
  std::vector<uint8_t> image =
      pkg::buildPackageInPlace(plan.data(), plan.size(), constantsSize_, [&](uint8_t *constants) {
        ok = forEachConstant([&](uint64_t offset, const uint8_t *data, uint64_t size) {
          std::memcpy(constants + offset, data, size);
          return true;
        });
      });
  if (!ok) return {};
  return image;
}

bool PlanBuilder::write(PackageStats *stats, AtomicFileWriter &file) {
  std::vector<uint8_t> plan = buildPlan(stats);
  if (plan.empty()) return false;
  bool constantsOk = true;
  const bool written = pkg::writePackagePieces(
      plan.data(), plan.size(), constantsSize_,
      [&](const auto &emit) { constantsOk = constantsOk && forEachConstant(emit); },
      [&](const void *data, size_t size) { return file.write(data, size); });
  if (!constantsOk) return false;
  if (!written || !file.close()) {
    module_.emitError() << file.error();
    return false;
  }
  return true;
}

}  // namespace

bool writeHostPackage(ModuleOp module, const std::string &path, PackageStats *stats) {
  AtomicFileWriter file(path);
  if (!file.ok()) {
    module.emitError() << file.error();
    return false;
  }
  if (!PlanBuilder(module).write(stats, file)) return false;
  // The runtime checks the written file (mapped, as `edgec run` will) before it is renamed
  // into place: a package the runtime refuses is never written.
  if (failed(checkRuntimeAcceptsFile(module, file.tempPath()))) return false;
  if (!file.commit()) {
    module.emitError() << file.error();
    return false;
  }
  return true;
}

std::vector<uint8_t> buildHostPackage(ModuleOp module, PackageStats *stats, std::vector<Value> *tensorValues) {
  PlanBuilder builder(module);
  std::vector<uint8_t> package = builder.build(stats);
  if (package.empty() || failed(checkRuntimeAccepts(module, package))) return {};
  if (tensorValues) *tensorValues = builder.tensorValues();
  return package;
}

}  // namespace edgec
