// The host Target: the host pipeline, the legality check (every op needs a runtime
// kernel, every value a statically shaped tensor of a package dtype) and the package
// writer of HostTarget.cpp behind the Target interface.
#include <map>
#include <string>

#include "edge/EdgeDialect.h"
#include "edgec/HostTarget.h"
#include "edgec/KernelBridge.h"
#include "edgec/Pipelines.h"
#include "kernel.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace edgec {

namespace {
// "node 'conv_3'" for an ONNX node, "file.mlir:7:10" for IR text.
std::string describe(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc)) return "node '" + name.getName().str() + "'";
  std::string text;
  llvm::raw_string_ostream os(text);
  if (auto file = dyn_cast<FileLineColLoc>(loc))
    os << file.getFilename().getValue() << ":" << file.getLine() << ":" << file.getColumn();
  else
    os << loc;
  return text;
}
}  // namespace

LogicalResult checkHostLegality(ModuleOp module) {
  if (module.getOps<func::FuncOp>().empty()) return module.emitError("host target: the module has no function");

  // Each distinct problem once (sorted, so the message is deterministic), with how
  // often it occurs and where first.
  struct Problem {
    int count = 0;
    std::string firstAt;
  };
  std::map<std::string, Problem> problems;
  auto add = [&](const std::string &what, Location loc) {
    Problem &p = problems[what];
    if (p.count++ == 0) p.firstAt = describe(loc);
  };
  auto checkType = [&](Type type, Location loc) {
    std::string text;
    llvm::raw_string_ostream os(text);
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor || !tensor.hasStaticShape()) {
      os << "type " << type << " (not a statically shaped tensor)";
      add(text, loc);
    } else if (!packageDType(tensor.getElementType())) {
      os << "element type " << tensor.getElementType();
      add(text, loc);
    }
  };

  for (auto state : module.getOps<edge::StateOp>()) checkType(state.getType(), state.getLoc());
  for (auto func : module.getOps<func::FuncOp>()) {
    for (BlockArgument arg : func.getArguments()) checkType(arg.getType(), func.getLoc());
    func.walk([&](Operation *op) {
      if (op == func.getOperation() || isa<func::ReturnOp>(op)) return;
      std::string name = op->getName().getStringRef().str();
      // Constants, reshapes (views) and state reads/writes (the state's own bytes, or a
      // Copy) need no kernel of their own.
      const bool needsKernel = !isa<edge::ConstantOp, edge::ReshapeOp, edge::StateReadOp, edge::StateWriteOp>(op);
      if (!op->getDialect() || op->getDialect()->getNamespace() != "edge")
        add("op '" + name + "' (not in the edge dialect)", op->getLoc());
      else if (needsKernel && !rt::KernelRegistry::instance().has(kernelName(op)))
        add("op '" + name + "' (the runtime has no '" + kernelName(op) + "' kernel)", op->getLoc());
      for (Type t : op->getResultTypes()) checkType(t, op->getLoc());
    });
  }
  if (problems.empty()) return success();

  std::string list;
  for (const auto &[what, p] : problems)
    list += "\n  " + what + ": " + std::to_string(p.count) + (p.count == 1 ? " use" : " uses") + ", first at " +
            p.firstAt;
  return module.emitError() << "the host target cannot run " << problems.size()
                            << (problems.size() == 1 ? " thing" : " things") << " in this model:" << list;
}

namespace {

class HostTarget final : public Target {
public:
  llvm::StringRef name() const override { return "host"; }
  llvm::StringRef description() const override {
    return "the CPU the runtime runs on (x86-64: portable kernels, AVX2 or AVX-512 chosen when the package is loaded)";
  }
  void buildPipeline(OpPassManager &pm, const PipelineOptions &options) const override {
    buildHostPipeline(pm, options);
  }
  void buildLatePipeline(OpPassManager &pm, const PipelineOptions &options) const override {
    buildHostLatePipeline(pm, options);
  }
  LogicalResult checkLegality(ModuleOp module) const override { return checkHostLegality(module); }
  std::vector<uint8_t> buildPackage(ModuleOp module, PackageStats *stats) const override {
    return buildHostPackage(module, stats);
  }
  bool writePackage(ModuleOp module, const std::string &path, PackageStats *stats) const override {
    return writeHostPackage(module, path, stats);
  }
  std::vector<uint8_t> buildDynamicPackage(ModuleOp atBounds, ModuleOp smaller, const DynamicDims &dims,
                                           PackageStats *stats, std::string &error) const override {
    return buildHostDynamicPackage(atBounds, smaller, dims, stats, error);
  }
};

}  // namespace

std::unique_ptr<Target> createHostTarget() { return std::make_unique<HostTarget>(); }

}  // namespace edgec
