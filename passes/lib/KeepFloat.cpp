// edge-mark-keep-float and markKeepFloat (edge/KeepFloat.h): which ops stay fp32 under a
// quantizing precision, by node name or as the first and last weighted layer.
#include "edge/KeepFloat.h"

#include <regex>

#include "edge/Passes.h"
#include "mlir/IR/Diagnostics.h"

namespace mlir::edge {
#define GEN_PASS_DEF_MARKKEEPFLOAT
#include "edge/Passes.h.inc"

std::vector<std::string> locationNames(Location loc) {
  std::vector<std::string> names;
  loc->walk([&](Location l) {
    if (auto name = dyn_cast<NameLoc>(l)) names.push_back(name.getName().str());
    return WalkResult::advance();
  });
  return names;
}

namespace {
LogicalResult compile(const std::vector<std::string> &patterns, std::vector<std::regex> &regexes, std::string &error) {
  for (const std::string &p : patterns) {
    try {
      regexes.emplace_back(p, std::regex::ECMAScript);
    } catch (const std::regex_error &e) {
      error = "--keep-float '" + p + "' is not a valid regular expression (ECMAScript): " + e.what();
      return failure();
    }
  }
  return success();
}
}  // namespace

LogicalResult checkKeepFloatPatterns(const std::vector<std::string> &patterns, std::string &error) {
  std::vector<std::regex> regexes;
  return compile(patterns, regexes, error);
}

LogicalResult markKeepFloat(Operation *root, const std::vector<std::string> &patterns, bool ends,
                            KeepFloatResult &result) {
  result = KeepFloatResult();
  std::vector<std::regex> regexes;
  if (failed(compile(patterns, regexes, result.error))) return failure();
  std::vector<bool> used(regexes.size(), false);
  SmallVector<Operation *> keep, weighted;
  root->walk([&](Operation *op) {
    if (op == root || isa<ConstantOp>(op) || op->hasTrait<OpTrait::IsTerminator>() || op->getNumResults() == 0)
      return;
    if (isa<ConvOp, GemmOp, MatMulOp>(op)) weighted.push_back(op);
    bool match = false;
    for (const std::string &name : locationNames(op->getLoc()))
      for (size_t i = 0; i < regexes.size(); ++i)
        if (std::regex_search(name, regexes[i])) used[i] = true, match = true;
    if (match) keep.push_back(op);
  });
  if (ends && !weighted.empty()) {
    keep.push_back(weighted.front());
    keep.push_back(weighted.back());
  }
  for (size_t i = 0; i < patterns.size(); ++i)
    if (!used[i]) result.unmatched.push_back(patterns[i]);
  Builder b(root->getContext());
  for (Operation *op : keep)
    if (!isKeptFloat(op)) {
      op->setAttr(kKeepFloatAttr, b.getUnitAttr());
      ++result.marked;
    }
  return success();
}

namespace {

struct MarkKeepFloatPass : impl::MarkKeepFloatBase<MarkKeepFloatPass> {
  using MarkKeepFloatBase::MarkKeepFloatBase;

  void runOnOperation() override {
    KeepFloatResult result;
    std::vector<std::string> list(patterns.begin(), patterns.end());
    // On the location rather than the op: the diagnostics then do not print the function.
    Location loc = getOperation().getLoc();
    if (failed(markKeepFloat(getOperation(), list, ends, result))) {
      emitError(loc, result.error);
      return signalPassFailure();
    }
    for (const std::string &p : result.unmatched) emitWarning(loc, "--keep-float '" + p + "' matches no node name");
    emitRemark(loc) << result.marked << " op(s) kept float";
  }
};

}  // namespace
}  // namespace mlir::edge
