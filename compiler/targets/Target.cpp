// The target registry.
#include "edgec/Target.h"

#include <algorithm>
#include <map>

#include "edgec/AtomicFile.h"
#include "edgec/HostTarget.h"

namespace edgec {

Target::~Target() = default;

void Target::buildLatePipeline(mlir::OpPassManager &, const PipelineOptions &) const {}

bool Target::writePackage(mlir::ModuleOp module, const std::string &path, PackageStats *stats) const {
  std::vector<uint8_t> package = buildPackage(module, stats);
  if (package.empty()) return false;
  std::string error;
  if (!writeFileAtomically(path, package, error)) {
    module.emitError() << error;
    return false;
  }
  return true;
}

std::vector<uint8_t> Target::buildDynamicPackage(mlir::ModuleOp, mlir::ModuleOp, const DynamicDims &, PackageStats *,
                                                 std::string &error) const {
  error = "target '" + name().str() + "' does not support dynamic dims yet: fix every dim with --input-shape";
  return {};
}

namespace {
std::map<std::string, std::unique_ptr<Target>, std::less<>> &registry() {
  static std::map<std::string, std::unique_ptr<Target>, std::less<>> targets;
  return targets;
}
}  // namespace

void registerTarget(std::unique_ptr<Target> target) {
  std::string name = target->name().str();
  registry()[name] = std::move(target);
}

const Target *lookupTarget(llvm::StringRef name) {
  auto it = registry().find(name);
  return it == registry().end() ? nullptr : it->second.get();
}

std::vector<const Target *> registeredTargets() {
  std::vector<const Target *> out;
  for (const auto &[name, target] : registry()) out.push_back(target.get());
  return out;
}

std::string registeredTargetNames() {
  std::string names;
  for (const Target *t : registeredTargets()) names += (names.empty() ? "" : ", ") + t->name().str();
  return names.empty() ? "(none)" : names;
}

void registerBuiltinTargets() {
  if (!lookupTarget("host")) registerTarget(createHostTarget());
}

}  // namespace edgec
