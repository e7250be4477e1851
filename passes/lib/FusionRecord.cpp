// edge.fused, for `edgec compile --report-fusion` (see edge/FusionRecord.h).
#include "edge/FusionRecord.h"

#include "llvm/ADT/StringSet.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"

namespace mlir::edge {

std::vector<std::string> fusedNames(Operation *op) {
  std::vector<std::string> names;
  if (auto list = op->getAttrOfType<ArrayAttr>(kFusedAttr))
    for (Attribute a : list)
      if (auto s = dyn_cast<StringAttr>(a)) names.push_back(s.str());
  return names;
}

void recordFusion(Operation *survivor, ArrayRef<Operation *> parts) {
  std::vector<std::string> names;
  llvm::StringSet<> seen;
  auto add = [&](const std::string &name) {
    if (seen.insert(name).second) names.push_back(name);
  };
  for (Operation *op : parts) {
    std::vector<std::string> inner = fusedNames(op);
    if (!inner.empty()) {
      for (const std::string &n : inner) add(n);
    } else if (auto loc = dyn_cast<NameLoc>(op->getLoc())) {
      add(loc.getName().str());
    } else {
      add("(unnamed " + op->getName().stripDialect().str() + ")");
    }
  }
  Builder b(survivor->getContext());
  SmallVector<Attribute> attrs;
  for (const std::string &n : names) attrs.push_back(b.getStringAttr(n));
  survivor->setAttr(kFusedAttr, b.getArrayAttr(attrs));
}

}  // namespace mlir::edge
