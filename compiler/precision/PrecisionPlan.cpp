// Plan ops, applying a precision per op, and plan.json (edgec/PrecisionPlan.h).
#include "edgec/PrecisionPlan.h"

#include <algorithm>
#include <set>

#include "edge/EdgeDialect.h"
#include "edge/KeepFloat.h"
#include "edgec/Pipelines.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

namespace edgec {

namespace {
constexpr const char *kPrecisionAttr = "edge.precision";
constexpr const char *kPlanKeptAttr = "edge.plan_kept";  // edge.keep_float set only for one precision's run
constexpr const char *kRangeAttr = "edge.calib_range";

mlir::func::FuncOp mainOf(mlir::ModuleOp module) {
  auto main = module.lookupSymbol<mlir::func::FuncOp>("main");
  if (!main && !module.getOps<mlir::func::FuncOp>().empty()) main = *module.getOps<mlir::func::FuncOp>().begin();
  return main;
}

// Ops that only move or select values: they add no error of their own, so automatic plans
// give them their producer's precision instead of measuring them.
bool movesData(mlir::Operation *op) {
  static const std::set<std::string> names = {"Reshape", "Flatten", "Squeeze",  "Unsqueeze",   "Transpose",
                                              "Identity", "Slice",  "Expand",   "Tile",        "Concat",
                                              "Split",    "Pad",    "Gather",   "DepthToSpace", "SpaceToDepth"};
  return names.count(op->getName().stripDialect().str()) > 0;
}

bool hasF32Result(mlir::Operation *op) {
  return llvm::any_of(op->getResultTypes(), [](mlir::Type t) {
    auto shaped = mlir::dyn_cast<mlir::ShapedType>(t);
    return shaped && shaped.getElementType().isF32();
  });
}

// The order precisions are applied in. Static INT8 first: it needs the calibration ranges,
// which its pass removes. FP16 last: it casts at the boundaries of everything else.
const std::vector<std::string> &applyOrder() {
  static const std::vector<std::string> order = {"int8",        "int8-dynamic", "int4-g32",    "int4-g64",
                                                 "int4-g128",   "int4-g32-a8",  "int4-g64-a8", "int4-g128-a8",
                                                 "fp16"};
  return order;
}

}  // namespace

const std::vector<std::string> &planPrecisions() {
  static const std::vector<std::string> all = [] {
    std::vector<std::string> v = {"fp32"};
    v.insert(v.end(), applyOrder().begin(), applyOrder().end());
    return v;
  }();
  return all;
}

bool isPlanPrecision(const std::string &precision) {
  return llvm::is_contained(planPrecisions(), precision);
}

std::vector<PlanOp> planOps(mlir::ModuleOp module) {
  std::vector<PlanOp> ops;
  mlir::func::FuncOp main = mainOf(module);
  if (!main) return ops;
  std::map<std::string, int> seen;
  for (mlir::Operation &op : main.getBody().front()) {
    if (mlir::isa<mlir::edge::ConstantOp>(op) || op.hasTrait<mlir::OpTrait::IsTerminator>()) continue;
    PlanOp p;
    p.operation = &op;
    p.op = op.getName().stripDialect().str();
    p.nodes = mlir::edge::locationNames(op.getLoc());
    std::string base = p.nodes.empty() ? p.op : p.nodes.front();
    const int n = ++seen[base];
    p.name = n == 1 ? base : base + "#" + std::to_string(n);
    for (mlir::Value v : op.getOperands())
      if (auto c = v.getDefiningOp<mlir::edge::ConstantOp>()) {
        auto t = mlir::cast<mlir::ShapedType>(c.getType());
        if (!t.getElementType().isF32()) continue;
        p.params += uint64_t(t.getNumElements());
        p.fp32Bytes += uint64_t(t.getNumElements()) * 4;
      }
    // A Gather from a float table (an embedding) is a weighted op, not a copy.
    p.group = hasF32Result(&op) && (!movesData(&op) || p.params > 0);
    ops.push_back(std::move(p));
  }
  return ops;
}

RangeMap readRanges(mlir::ModuleOp module) {
  RangeMap ranges;
  mlir::func::FuncOp main = mainOf(module);
  if (!main) return ranges;
  auto pair = [](mlir::DenseF32ArrayAttr a) { return std::make_pair(a[0], a[1]); };
  for (mlir::BlockArgument arg : main.getArguments()) {
    auto name = main.getArgAttrOfType<mlir::StringAttr>(arg.getArgNumber(), "edge.name");
    auto range = main.getArgAttrOfType<mlir::DenseF32ArrayAttr>(arg.getArgNumber(), kRangeAttr);
    if (name && range && range.size() == 2) ranges["input:" + name.str()] = pair(range);
  }
  for (const PlanOp &p : planOps(module))
    if (auto range = p.operation->getAttrOfType<mlir::DenseF32ArrayAttr>(kRangeAttr); range && range.size() == 2)
      ranges[p.name] = pair(range);
  return ranges;
}

void writeRanges(mlir::ModuleOp module, const RangeMap &ranges) {
  mlir::func::FuncOp main = mainOf(module);
  if (!main) return;
  mlir::Builder b(module.getContext());
  auto attr = [&](const std::pair<float, float> &r) { return b.getDenseF32ArrayAttr({r.first, r.second}); };
  for (mlir::BlockArgument arg : main.getArguments()) {
    main.removeArgAttr(arg.getArgNumber(), kRangeAttr);
    auto name = main.getArgAttrOfType<mlir::StringAttr>(arg.getArgNumber(), "edge.name");
    auto it = name ? ranges.find("input:" + name.str()) : ranges.end();
    if (it != ranges.end()) main.setArgAttr(arg.getArgNumber(), kRangeAttr, attr(it->second));
  }
  for (const PlanOp &p : planOps(module)) {
    p.operation->removeAttr(kRangeAttr);
    if (auto it = ranges.find(p.name); it != ranges.end()) p.operation->setAttr(kRangeAttr, attr(it->second));
  }
}

mlir::LogicalResult applyPrecisionPlan(mlir::ModuleOp module, const std::map<std::string, std::string> &precisionOf,
                                       std::string &error, bool *changed) {
  std::vector<PlanOp> ops = planOps(module);
  std::map<std::string, mlir::Operation *> byName;
  for (const PlanOp &p : ops) byName[p.name] = p.operation;
  mlir::Builder b(module.getContext());
  std::set<std::string> used;
  for (const auto &[name, precision] : precisionOf) {
    auto it = byName.find(name);
    if (it == byName.end()) {
      error = "no op named '" + name + "' in the model (edgec analyze lists them)";
      return mlir::failure();
    }
    if (!isPlanPrecision(precision)) {
      error = "op '" + name + "': unknown precision '" + precision + "'";
      return mlir::failure();
    }
    if (precision != "fp32") used.insert(precision);
  }
  if (used.count("int8") && readRanges(module).empty()) {
    error = "the plan has static int8 ops but there are no calibration ranges: give --calib DIR (or a plan with "
            "ranges, as edgec analyze writes it)";
    return mlir::failure();
  }
  mlir::func::FuncOp main = mainOf(module);
  if (!used.count("int8")) {
    // Only the int8 pass reads the ranges (and removes them); without it they would stay.
    main.walk([&](mlir::Operation *op) { op->removeAttr(kRangeAttr); });
    for (unsigned i = 0; i < main.getNumArguments(); ++i) main.removeArgAttr(i, kRangeAttr);
  }
  const mlir::OperationFingerPrint before(module);
  for (const auto &[name, precision] : precisionOf)
    if (precision != "fp32") byName[name]->setAttr(kPrecisionAttr, b.getStringAttr(precision));

  std::string diagnostics;
  mlir::ScopedDiagnosticHandler handler(module.getContext(), [&](mlir::Diagnostic &d) {
    if (d.getSeverity() == mlir::DiagnosticSeverity::Error) diagnostics += d.str() + "\n";
    return mlir::success();
  });
  for (const std::string &precision : applyOrder()) {
    if (!used.count(precision)) continue;
    // Everything of another precision (and what earlier precisions inserted) is kept
    // float for this run; ops the user kept float stay so.
    main.walk([&](mlir::Operation *op) {
      if (op == main || mlir::edge::isKeptFloat(op)) return;
      auto p = op->getAttrOfType<mlir::StringAttr>(kPrecisionAttr);
      if (p && p.getValue() == precision) return;
      op->setAttr(mlir::edge::kKeepFloatAttr, b.getUnitAttr());
      op->setAttr(kPlanKeptAttr, b.getUnitAttr());
    });
    mlir::PassManager pm(module.getContext());
    buildPrecisionPipeline(pm, precision);
    const bool ok = mlir::succeeded(pm.run(module));
    main.walk([&](mlir::Operation *op) {
      if (op->removeAttr(kPlanKeptAttr)) op->removeAttr(mlir::edge::kKeepFloatAttr);
    });
    if (!ok) {
      error = "precision " + precision + " failed:\n" + diagnostics;
      return mlir::failure();
    }
  }
  main.walk([&](mlir::Operation *op) { op->removeAttr(kPrecisionAttr); });
  if (changed) *changed = mlir::OperationFingerPrint(module) != before;
  return mlir::success();
}

namespace {
llvm::json::Array rangeJson(const std::pair<float, float> &r) {
  return llvm::json::Array{double(r.first), double(r.second)};
}
}  // namespace

std::string planJson(mlir::ModuleOp module, const PrecisionPlan &plan, const std::string &modelName) {
  RangeMap ranges = plan.ranges.empty() ? readRanges(module) : plan.ranges;
  llvm::json::Array opsJson;
  for (const PlanOp &p : planOps(module)) {
    llvm::json::Object o;
    o["name"] = p.name;
    o["op"] = p.op;
    llvm::json::Array nodes;
    for (const std::string &n : p.nodes) nodes.push_back(n);
    o["nodes"] = std::move(nodes);
    auto it = plan.precisionOf.find(p.name);
    o["precision"] = it == plan.precisionOf.end() ? "fp32" : it->second;
    if (auto r = ranges.find(p.name); r != ranges.end()) o["range"] = rangeJson(r->second);
    opsJson.push_back(std::move(o));
  }
  llvm::json::Object inputs;
  for (const auto &[key, r] : ranges)
    if (llvm::StringRef(key).starts_with("input:")) inputs[key.substr(6)] = rangeJson(r);
  llvm::json::Object root{{"format", "edgec-precision-plan"},
                          {"version", 1},
                          {"model", modelName},
                          {"calib_method", plan.calibMethod.empty() ? llvm::json::Value(nullptr)
                                                                    : llvm::json::Value(plan.calibMethod)},
                          {"input_ranges", std::move(inputs)},
                          {"ops", std::move(opsJson)}};
  return llvm::formatv("{0:2}", llvm::json::Value(std::move(root))).str() + "\n";
}

bool readPlanFile(const std::string &path, mlir::ModuleOp module, PrecisionPlan &plan, std::string &error) {
  plan = PrecisionPlan();
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer) {
    error = path + ": cannot read: " + buffer.getError().message();
    return false;
  }
  llvm::Expected<llvm::json::Value> parsed = llvm::json::parse((*buffer)->getBuffer());
  if (!parsed) {
    error = path + ": not valid JSON: " + llvm::toString(parsed.takeError());
    return false;
  }
  const llvm::json::Object *root = parsed->getAsObject();
  auto fail = [&](const std::string &what) {
    error = path + ": " + what;
    return false;
  };
  if (!root || root->getString("format") != "edgec-precision-plan")
    return fail("not an edgec precision plan (expected an object with \"format\": \"edgec-precision-plan\")");
  if (root->getInteger("version") != 1) return fail("unsupported plan version (this edgec reads version 1)");
  if (auto method = root->getString("calib_method")) plan.calibMethod = method->str();

  auto readRange = [&](const llvm::json::Value *v, const std::string &where, std::pair<float, float> &out) {
    const llvm::json::Array *a = v ? v->getAsArray() : nullptr;
    if (!a || a->size() != 2 || !(*a)[0].getAsNumber() || !(*a)[1].getAsNumber() ||
        *(*a)[0].getAsNumber() > *(*a)[1].getAsNumber())
      return fail(where + ": \"range\" must be [lo, hi] with lo <= hi");
    out = {float(*(*a)[0].getAsNumber()), float(*(*a)[1].getAsNumber())};
    return true;
  };
  if (const llvm::json::Object *inputs = root->getObject("input_ranges"))
    for (const auto &[name, value] : *inputs) {
      std::pair<float, float> r;
      if (!readRange(&value, "input '" + name.str() + "'", r)) return false;
      plan.ranges["input:" + name.str()] = r;
    }
  const llvm::json::Array *ops = root->getArray("ops");
  if (!ops) return fail("missing \"ops\" (a list of {\"name\", \"precision\"})");
  std::set<std::string> known;
  for (const PlanOp &p : planOps(module)) known.insert(p.name);
  for (size_t i = 0; i < ops->size(); ++i) {
    const llvm::json::Object *o = (*ops)[i].getAsObject();
    const std::string where = "ops[" + std::to_string(i) + "]";
    if (!o) return fail(where + " is not an object");
    auto name = o->getString("name");
    auto precision = o->getString("precision");
    if (!name || !precision) return fail(where + " needs \"name\" and \"precision\" strings");
    const std::string n = name->str(), p = precision->str();
    if (!known.count(n)) return fail(where + ": no op named '" + n + "' in the model (edgec analyze lists them)");
    if (!isPlanPrecision(p)) {
      std::string all;
      for (const std::string &q : planPrecisions()) all += (all.empty() ? "" : ", ") + q;
      return fail(where + " ('" + n + "'): unknown precision '" + p + "' (one of: " + all + ")");
    }
    if (!plan.precisionOf.emplace(n, p).second) return fail(where + ": op '" + n + "' is listed twice");
    if (const llvm::json::Value *r = o->get("range")) {
      std::pair<float, float> range;
      if (!readRange(r, where + " ('" + n + "')", range)) return false;
      plan.ranges[n] = range;
    }
  }
  return true;
}

}  // namespace edgec
