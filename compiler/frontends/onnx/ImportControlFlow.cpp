// Importers of ONNX's control flow (EdgeControlFlowOps.td): If, Scan and Loop. Each subgraph
// becomes a private function of the module, named after the function and node it came
// from (`main.my_if.then_branch`); the values it reads from enclosing scopes (ONNX
// subgraphs capture them by name) become its trailing arguments and the op's operands,
// except constants, which are cloned into the body so that a weight stays a constant
// there (and the package shares its bytes). Scan-8 (batch axis, sequence_lens) is
// converted to Scan-9+ semantics by ONNX's version converter before import.
#include "GraphImporter.h"

#include <set>

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/ScopeExit.h"

namespace edgec::onnx_frontend {

namespace {
void freeNames(const onnx::GraphProto &g, std::vector<std::string> &order, std::set<std::string> &seen);

// The names `n` reads, its subgraphs' free names included.
void nodeUses(const onnx::NodeProto &n, std::vector<std::string> &order, std::set<std::string> &seen) {
  for (const std::string &in : n.input())
    if (!in.empty() && seen.insert(in).second) order.push_back(in);
  for (const onnx::AttributeProto &a : n.attribute()) {
    if (a.has_g()) freeNames(a.g(), order, seen);
    for (const onnx::GraphProto &g : a.graphs()) freeNames(g, order, seen);
  }
}

// Names `g` reads but does not define (its inputs, initializers and node outputs), in
// first-use order: the values it captures from enclosing scopes.
void freeNames(const onnx::GraphProto &g, std::vector<std::string> &order, std::set<std::string> &seen) {
  std::set<std::string> defined;
  for (const auto &vi : g.input()) defined.insert(vi.name());
  for (const auto &t : g.initializer()) defined.insert(t.name());
  for (const auto &n : g.node())
    for (const std::string &o : n.output()) defined.insert(o);
  std::vector<std::string> uses;
  std::set<std::string> useSeen;
  for (const auto &n : g.node()) nodeUses(n, uses, useSeen);
  for (const auto &vi : g.output())
    if (useSeen.insert(vi.name()).second) uses.push_back(vi.name());
  for (const std::string &u : uses)
    if (!defined.count(u) && seen.insert(u).second) order.push_back(u);
}

const onnx::GraphProto &graphAttr(const onnx::NodeProto &n, const char *name, const std::string &where) {
  for (const onnx::AttributeProto &a : n.attribute())
    if (a.name() == name && a.has_g()) return a.g();
  throw ImportError(where + ": the subgraph attribute '" + name + "' is missing");
}
}  // namespace

GraphImporter::Captures GraphImporter::captureValues(ArrayRef<const onnx::GraphProto *> graphs) {
  std::vector<std::string> names;
  std::set<std::string> seen;
  for (const onnx::GraphProto *g : graphs) {
    std::vector<std::string> order;
    std::set<std::string> local;
    freeNames(*g, order, local);
    for (const std::string &name : order)
      if (seen.insert(name).second) names.push_back(name);
  }
  Captures caps;
  for (const std::string &name : names) {
    auto it = values_.find(name);
    // Initializers not yet used here materialize inside the body (input()).
    if (it == values_.end()) continue;
    if (it->second.getDefiningOp<ConstantOp>()) {
      caps.constants.push_back({name, it->second});
    } else {
      caps.names.push_back(name);
      caps.values.push_back(it->second);
    }
  }
  return caps;
}

func::FuncOp GraphImporter::importSubgraph(const onnx::NodeProto &n, const onnx::GraphProto &g, StringRef what,
                                           ArrayRef<std::pair<std::string, Type>> formal, const Captures &caps) {
  OpBuilder::InsertionGuard guard(builder_);
  auto parent = dyn_cast<func::FuncOp>(builder_.getInsertionBlock()->getParentOp());
  std::string base = (parent ? parent.getSymName().str() : std::string("main")) + "." + nodeDisplayName(n) + "." +
                     what.str();
  std::string symbol = base;
  for (int i = 1; module_.lookupSymbol(symbol); ++i) symbol = base + "." + std::to_string(i);

  SmallVector<Type> argTypes;
  for (const auto &[name, type] : formal) argTypes.push_back(type);
  for (Value v : caps.values) argTypes.push_back(v.getType());
  builder_.setInsertionPointToEnd(module_.getBody());
  auto func = builder_.create<func::FuncOp>(loc(n), symbol, builder_.getFunctionType(argTypes, {}));
  func.setPrivate();
  Block *entry = func.addEntryBlock();
  builder_.setInsertionPointToStart(entry);

  // The body sees its own arguments, the captures and the constants it reads; nothing
  // else of the enclosing scope (its values live in another function).
  llvm::StringMap<Value> outer = std::move(values_);
  values_.clear();
  // Body values folded to constants are not the main graph's: the import rounds bind
  // folded_ as its initializers, so it is restored however the body's import ends.
  auto restoreFolded = llvm::make_scope_exit([this, saved = folded_]() mutable { folded_ = std::move(saved); });
  size_t arg = 0;
  for (const auto &[name, type] : formal) values_[name] = entry->getArgument(unsigned(arg++));
  for (const std::string &name : caps.names) values_[name] = entry->getArgument(unsigned(arg++));
  for (const auto &[name, value] : caps.constants) values_[name] = builder_.clone(*value.getDefiningOp())->getResult(0);
  // The body's own initializers and value types join the tables: ONNX names are unique
  // across a model and its subgraphs. The protos belong to the model being imported.
  for (const auto &t : g.initializer()) initializers_[t.name()] = const_cast<onnx::TensorProto *>(&t);
  for (const auto &vi : g.value_info()) types_[vi.name()] = &vi.type();
  for (const auto &vi : g.output()) types_[vi.name()] = &vi.type();

  importNodes(g);
  SmallVector<Value> results;
  for (const auto &vi : g.output()) {
    onnx::NodeProto use;
    use.set_name(nodeDisplayName(n) + " " + what.str() + " output");
    use.set_op_type(n.op_type());
    use.add_input(vi.name());
    results.push_back(input(use, 0));
  }
  builder_.create<func::ReturnOp>(loc(n), results);
  func.setFunctionType(builder_.getFunctionType(argTypes, ValueRange(results).getTypes()));
  // Names for the package's tensors of the body's inputs and outputs.
  unsigned argIndex = 0;
  for (const auto &[name, type] : formal) func.setArgAttr(argIndex++, "edge.name", builder_.getStringAttr(name));
  for (const std::string &name : caps.names) func.setArgAttr(argIndex++, "edge.name", builder_.getStringAttr(name));
  for (auto [i, vi] : llvm::enumerate(g.output())) func.setResultAttr(unsigned(i), "edge.name", builder_.getStringAttr(vi.name()));
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(*entry)))
    if (isOpTriviallyDead(&op)) op.erase();

  values_ = std::move(outer);
  return func;
}

void GraphImporter::importIf(const onnx::NodeProto &n) {
  Value cond = requiredInput(n, 0, "cond");
  const onnx::GraphProto &thenG = graphAttr(n, "then_branch", where(n));
  const onnx::GraphProto &elseG = graphAttr(n, "else_branch", where(n));
  // Both branches take the same arguments: every value either captures.
  Captures caps = captureValues({&thenG, &elseG});
  func::FuncOp thenF = importSubgraph(n, thenG, "then_branch", {}, caps);
  func::FuncOp elseF = importSubgraph(n, elseG, "else_branch", {}, caps);
  if (thenF.getResultTypes() != elseF.getResultTypes())
    throw ImportError(where(n) + ": the branches return different types (then: " + typesString(thenF.getResultTypes()) +
                      ", else: " + typesString(elseF.getResultTypes()) +
                      "); edgec compiles static shapes, so both must return the same");
  auto op = builder_.create<IfOp>(loc(n), thenF.getResultTypes(), cond, caps.values,
                                  SymbolRefAttr::get(thenF), SymbolRefAttr::get(elseF));
  for (unsigned i = 0; i < op->getNumResults(); ++i) define(n, int(i), op->getResult(i));
}

void GraphImporter::importScan(const onnx::NodeProto &n) {
  const onnx::GraphProto &body = graphAttr(n, "body", where(n));
  const int64_t m = attrInt(n, "num_scan_inputs", 0);
  const int64_t total = n.input_size(), nStates = total - m;
  if (m < 1 || nStates < 0) throw ImportError(where(n) + ": num_scan_inputs must be in [1, inputs]");
  if (body.input_size() != total)
    throw ImportError(where(n) + ": the body takes " + std::to_string(body.input_size()) + " inputs, expected " +
                      std::to_string(total));
  const int64_t k = int64_t(n.output_size()) - nStates;
  if (k < 0 || body.output_size() != n.output_size())
    throw ImportError(where(n) + ": the body's outputs do not match the node's");
  auto axesOf = [&](const char *key, int64_t count, const std::vector<Value> &ranksFrom, int64_t rankExtra) {
    std::vector<int64_t> axes = attrInts(n, key, std::vector<int64_t>(size_t(count), 0));
    if (int64_t(axes.size()) != count)
      throw ImportError(where(n) + ": " + key + " has " + std::to_string(axes.size()) + " values, expected " +
                        std::to_string(count));
    for (size_t i = 0; i < axes.size() && i < ranksFrom.size(); ++i)
      axes[i] = normalizeAxis(axes[i], cast<RankedTensorType>(ranksFrom[i].getType()).getRank() + rankExtra, where(n));
    return axes;
  };
  SmallVector<Value> operands;
  std::vector<Value> scanInputs;
  for (int64_t i = 0; i < total; ++i) {
    Value v = requiredInput(n, int(i), "state or scan input");
    operands.push_back(v);
    if (i >= nStates) scanInputs.push_back(v);
  }
  std::vector<int64_t> inAxes = axesOf("scan_input_axes", m, scanInputs, 0);
  std::vector<int64_t> inDirs = attrInts(n, "scan_input_directions", std::vector<int64_t>(size_t(m), 0));
  std::vector<int64_t> outDirs = attrInts(n, "scan_output_directions", std::vector<int64_t>(size_t(k), 0));
  if (int64_t(inDirs.size()) != m || int64_t(outDirs.size()) != k)
    throw ImportError(where(n) + ": scan_input_directions / scan_output_directions have the wrong length");

  // Body arguments: the states as they are, one slice of each scan input.
  std::vector<std::pair<std::string, Type>> formal;
  int64_t length = -1;
  for (int64_t i = 0; i < total; ++i) {
    auto t = cast<RankedTensorType>(operands[size_t(i)].getType());
    if (i < nStates) {
      formal.push_back({body.input(int(i)).name(), t});
      continue;
    }
    SmallVector<int64_t> shape(t.getShape());
    const int64_t axis = inAxes[size_t(i - nStates)];
    length = shape[size_t(axis)];
    shape.erase(shape.begin() + axis);
    formal.push_back({body.input(int(i)).name(), t.clone(shape)});
  }
  Captures caps = captureValues({&body});
  func::FuncOp bodyF = importSubgraph(n, body, "body", formal, caps);
  operands.append(caps.values.begin(), caps.values.end());

  // Results: the final states, then each scan output's slices stacked along its axis.
  SmallVector<Type> results(bodyF.getResultTypes().take_front(nStates));
  std::vector<Value> outSlices;
  std::vector<int64_t> outAxes = attrInts(n, "scan_output_axes", std::vector<int64_t>(size_t(k), 0));
  if (int64_t(outAxes.size()) != k) throw ImportError(where(n) + ": scan_output_axes has the wrong length");
  for (int64_t j = 0; j < k; ++j) {
    auto t = cast<RankedTensorType>(bodyF.getResultTypes()[size_t(nStates + j)]);
    outAxes[size_t(j)] = normalizeAxis(outAxes[size_t(j)], t.getRank() + 1, where(n));
    SmallVector<int64_t> shape(t.getShape());
    shape.insert(shape.begin() + outAxes[size_t(j)], length);
    results.push_back(t.clone(shape));
  }
  auto op = builder_.create<ScanOp>(loc(n), results, operands, SymbolRefAttr::get(bodyF),
                                    builder_.getI64IntegerAttr(nStates), builder_.getI64IntegerAttr(m),
                                    builder_.getDenseI64ArrayAttr(inAxes), builder_.getDenseI64ArrayAttr(inDirs),
                                    builder_.getDenseI64ArrayAttr(outAxes), builder_.getDenseI64ArrayAttr(outDirs));
  for (unsigned i = 0; i < op->getNumResults(); ++i) define(n, int(i), op->getResult(i));
}

void GraphImporter::importLoop(const onnx::NodeProto &n) {
  const onnx::GraphProto &body = graphAttr(n, "body", where(n));
  Value maxTrips = input(n, 0), cond = input(n, 1);
  if (maxTrips && (!cast<RankedTensorType>(maxTrips.getType()).getElementType().isInteger(64) ||
                   cast<RankedTensorType>(maxTrips.getType()).getNumElements() != 1))
    throw ImportError(where(n) + ": M (the trip count) must be one int64");
  if (cond && (!cast<RankedTensorType>(cond.getType()).getElementType().isInteger(1) ||
               cast<RankedTensorType>(cond.getType()).getNumElements() != 1))
    throw ImportError(where(n) + ": cond must be one bool");
  const int64_t carried = int64_t(n.input_size()) - 2, scans = int64_t(n.output_size()) - carried;
  if (carried < 0 || scans < 0)
    throw ImportError(where(n) + ": a Loop takes M, cond and the loop-carried values, and returns at least those");
  if (body.input_size() != 2 + carried || body.output_size() != 1 + carried + scans)
    throw ImportError(where(n) + ": the body takes " + std::to_string(body.input_size()) + " inputs and returns " +
                      std::to_string(body.output_size()) + ", expected " + std::to_string(2 + carried) + " and " +
                      std::to_string(1 + carried + scans));
  // Body arguments: the iteration number and condition (scalars, whatever the body
  // declares), then the carried values with their initial types.
  std::vector<std::pair<std::string, Type>> formal{
      {body.input(0).name(), RankedTensorType::get({}, builder_.getI64Type())},
      {body.input(1).name(), RankedTensorType::get({}, builder_.getI1Type())}};
  SmallVector<Value> operands;
  for (int64_t i = 0; i < carried; ++i) {
    Value v = requiredInput(n, int(2 + i), "loop-carried value");
    operands.push_back(v);
    formal.push_back({body.input(int(2 + i)).name(), v.getType()});
  }
  Captures caps = captureValues({&body});
  func::FuncOp bodyF = importSubgraph(n, body, "body", formal, caps);
  operands.append(caps.values.begin(), caps.values.end());
  SmallVector<Type> results;
  for (int64_t i = 0; i < carried; ++i) results.push_back(operands[size_t(i)].getType());
  for (int64_t j = 0; j < scans; ++j) {
    // The capacity (DataDependentSizes.cpp) and the body's slice.
    const std::string &name = n.output(int(carried + j));
    auto slice = cast<RankedTensorType>(bodyF.getResultTypes()[size_t(1 + carried + j)]);
    RankedTensorType type;
    try {
      type = resultType(n, int(carried + j));
    } catch (const ImportError &) {
      throw ImportError(where(n) + ": scan output '" + name +
                        "' stacks a slice per iteration, and edgec needs a bound for their number: a constant trip "
                        "count M, or a size for the output's first dim declared in the model");
    }
    if (type.getRank() != slice.getRank() + 1 || type.getShape().drop_front() != slice.getShape()) {
      const Type types[] = {type, slice};
      throw ImportError(where(n) + ": scan output '" + name + "' has type " + typesString(TypeRange(types).take_front()) +
                        ", which does not stack the body's " + typesString(TypeRange(types).drop_front()));
    }
    results.push_back(type);
  }
  auto op = builder_.create<LoopOp>(loc(n), results, maxTrips, cond, operands, SymbolRefAttr::get(bodyF),
                                    builder_.getI64IntegerAttr(carried));
  for (unsigned i = 0; i < op->getNumResults(); ++i) define(n, int(i), op->getResult(i));
}

std::string GraphImporter::typesString(TypeRange types) {
  std::string s;
  llvm::raw_string_ostream os(s);
  llvm::interleaveComma(types, os);
  return s;
}

void GraphImporter::addControlFlowImporters(ImporterTable &table) {
  table["If"] = &GraphImporter::importIf;
  table["Scan"] = &GraphImporter::importScan;
  table["Loop"] = &GraphImporter::importLoop;
}

}  // namespace edgec::onnx_frontend
