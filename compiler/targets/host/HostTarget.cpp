// The host target: lowers the optimized edge IR to a kernel plan (tensor table, static
// memory plan, constants segment) and serializes it as an .edgepkg.
#include "edgec/HostTarget.h"

#include <algorithm>
#include <map>

#include "edge/ConstantData.h"
#include "edge/EdgeDialect.h"
#include "edgec/KernelBridge.h"
#include "edgec/package_builder.h"
#include "edgepkg_generated.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"

using namespace mlir;

namespace edgec {
namespace {

struct TensorInfo {
  std::string name;
  RankedTensorType type;
  pkg::Storage storage = pkg::Storage::Arena;
  uint64_t offset = 0, size = 0;
  int64_t firstUse = 0, lastUse = 0;  // kernel indices for the memory plan
  int32_t aliasOf = -1;                // a reshape shares its input's bytes
};

uint64_t byteSize(RankedTensorType t) {
  Type e = t.getElementType();
  uint64_t elem = e.isInteger(1) ? 1 : e.getIntOrFloatBitWidth() / 8;
  return uint64_t(t.getNumElements()) * elem;
}

// Greedy-by-size placement (as TFLite's arena planner): biggest tensors first, each
// at the lowest offset that does not overlap a placed tensor whose lifetime overlaps.
uint64_t planArena(std::vector<TensorInfo> &tensors) {
  std::vector<size_t> order;
  for (size_t i = 0; i < tensors.size(); ++i)
    if (tensors[i].storage == pkg::Storage::Arena && tensors[i].aliasOf < 0) order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return tensors[a].size > tensors[b].size; });
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

class PlanBuilder {
public:
  explicit PlanBuilder(func::FuncOp func) : func_(func) {}
  std::vector<uint8_t> build(StringRef modelName, PackageStats *stats);

private:
  int32_t tensorFor(Value v);
  void addAlias(edge::ReshapeOp op);
  LogicalResult addKernel(Operation *op, int64_t index);

  func::FuncOp func_;
  flatbuffers::FlatBufferBuilder fbb_;
  std::vector<TensorInfo> tensors_;
  llvm::DenseMap<Value, int32_t> ids_;
  llvm::DenseMap<Attribute, int32_t> constantIds_;  // identical constants share storage
  std::vector<uint8_t> constants_;
  std::vector<flatbuffers::Offset<pkg::Kernel>> kernels_;
};

int32_t PlanBuilder::tensorFor(Value v) {
  auto it = ids_.find(v);
  if (it != ids_.end()) return it->second;
  TensorInfo t;
  t.type = cast<RankedTensorType>(v.getType());
  t.size = byteSize(t.type);
  if (auto c = v.getDefiningOp<edge::ConstantOp>()) {
    auto cit = constantIds_.find(c.getValue());
    if (cit != constantIds_.end()) return ids_[v] = cit->second;
    t.storage = pkg::Storage::Constant;
    std::vector<uint8_t> bytes = edge::constantBytes(c.getValue());
    constants_.resize(pkg::alignTo(constants_.size()));
    t.offset = constants_.size();
    constants_.insert(constants_.end(), bytes.begin(), bytes.end());
    if (auto loc = dyn_cast<NameLoc>(c.getLoc())) t.name = loc.getName().str();
  } else if (auto arg = dyn_cast<BlockArgument>(v)) {
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
  if (auto c = v.getDefiningOp<edge::ConstantOp>()) constantIds_[c.getValue()] = id;
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
  tensors_[id].firstUse = tensors_[id].lastUse = tensors_[root].firstUse;
}

LogicalResult PlanBuilder::addKernel(Operation *op, int64_t index) {
  std::vector<int32_t> inputs, outputs;
  for (Value v : kernelInputs(op)) inputs.push_back(v ? tensorFor(v) : -1);
  for (Value v : op->getResults()) {
    Type elem = cast<RankedTensorType>(v.getType()).getElementType();
    if (!packageDType(elem)) return op->emitError() << "host target: element type " << elem << " is not supported";
    int32_t id = tensorFor(v);
    tensors_[id].firstUse = index;
    tensors_[id].lastUse = std::max(tensors_[id].lastUse, index);
    outputs.push_back(id);
  }
  for (int32_t id : inputs)
    if (id >= 0) tensors_[id].lastUse = std::max(tensors_[id].lastUse, index);

  flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<pkg::Attr>>> attrs;
  if (failed(encodeKernelAttrs(op, fbb_, attrs))) return failure();
  std::string node = isa<NameLoc>(op->getLoc()) ? cast<NameLoc>(op->getLoc()).getName().str() : "";
  kernels_.push_back(pkg::CreateKernel(fbb_, fbb_.CreateString(kernelName(op)), fbb_.CreateString(node),
                                       fbb_.CreateVector(inputs), fbb_.CreateVector(outputs), attrs));
  return success();
}

std::vector<uint8_t> PlanBuilder::build(StringRef modelName, PackageStats *stats) {
  Block &body = func_.getBody().front();
  std::vector<int32_t> inputs, outputs;
  for (BlockArgument arg : body.getArguments()) inputs.push_back(tensorFor(arg));

  int64_t index = 0;
  for (Operation &op : body.without_terminator()) {
    if (isa<edge::ConstantOp>(op)) continue;
    if (op.getDialect() == nullptr || op.getDialect()->getNamespace() != "edge") {
      op.emitError() << "host target: op is not in the edge dialect";
      return {};
    }
    if (auto reshape = dyn_cast<edge::ReshapeOp>(op)) {
      addAlias(reshape);
      continue;
    }
    if (failed(addKernel(&op, index++))) return {};
  }
  // Inputs are set once and may be run many times, so nothing may reuse their bytes.
  for (int32_t id : inputs) tensors_[id].lastUse = index;
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
    int32_t id = tensorFor(v);
    tensors_[id].lastUse = index;  // outputs stay live until the caller reads them
    if (auto name = func_.getResultAttrOfType<StringAttr>(i, "edge.name")) tensors_[id].name = name.str();
    outputs.push_back(id);
  }
  // Fold alias lifetimes into their roots, plan the roots, then place aliases on them.
  for (TensorInfo &t : tensors_) {
    if (t.aliasOf < 0) continue;
    TensorInfo &root = tensors_[t.aliasOf];
    root.firstUse = std::min(root.firstUse, t.firstUse);
    root.lastUse = std::max(root.lastUse, t.lastUse);
  }
  uint64_t naive = 0;
  for (const TensorInfo &t : tensors_)
    if (t.storage == pkg::Storage::Arena) naive += pkg::alignTo(t.size);
  uint64_t arena = planArena(tensors_);
  for (TensorInfo &t : tensors_)
    if (t.aliasOf >= 0) t.offset = tensors_[t.aliasOf].offset;

  std::vector<flatbuffers::Offset<pkg::Tensor>> tensorOffsets;
  for (const TensorInfo &t : tensors_) {
    std::vector<int64_t> shape(t.type.getShape().begin(), t.type.getShape().end());
    tensorOffsets.push_back(pkg::CreateTensor(fbb_, fbb_.CreateString(t.name), *packageDType(t.type.getElementType()),
                                              fbb_.CreateVector(shape), t.storage, t.offset, t.size));
  }
  auto mainFn = pkg::CreateFunction(fbb_, fbb_.CreateString("main"), fbb_.CreateVector(inputs),
                                    fbb_.CreateVector(outputs), fbb_.CreateVector(kernels_));
  std::vector<flatbuffers::Offset<flatbuffers::String>> features;  // host: none required
  auto package = pkg::CreatePackage(fbb_, fbb_.CreateString("edgec 0.1"), fbb_.CreateString(modelName.str()),
                                    fbb_.CreateString("host"), fbb_.CreateVector(features),
                                    fbb_.CreateVector(tensorOffsets), fbb_.CreateVector(std::vector{mainFn}),
                                    arena, 0);
  pkg::FinishPackageBuffer(fbb_, package);
  std::vector<uint8_t> plan(fbb_.GetBufferPointer(), fbb_.GetBufferPointer() + fbb_.GetSize());
  if (stats) {
    stats->kernels = kernels_.size();
    stats->tensors = tensors_.size();
    stats->arenaBytes = arena;
    stats->naiveArenaBytes = naive;
    stats->constantBytes = constants_.size();
  }
  return pkg::assemblePackage(plan, constants_);
}

}  // namespace

std::vector<uint8_t> buildHostPackage(ModuleOp module, PackageStats *stats) {
  auto func = module.lookupSymbol<func::FuncOp>("main");
  if (!func) {
    module.emitError("host target: the module has no func.func @main");
    return {};
  }
  StringRef modelName = "model";
  if (auto name = module->getAttrOfType<StringAttr>("edge.model_name")) modelName = name.getValue();
  return PlanBuilder(func).build(modelName, stats);
}

}  // namespace edgec
