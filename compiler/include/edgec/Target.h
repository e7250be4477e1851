// Compiler targets. A target is one class behind this interface (as IREE's
// TargetBackend): the graph pipeline it wants, the legality check that says up front
// what it cannot run, and the package writer that lowers the optimized IR into an
// .edgepkg. The CLI and the conformance runner only use this interface; nothing outside
// a target's folder branches on its name.
//
// Targets are registered explicitly: a tool calls registerBuiltinTargets() (or
// registerTarget for its own) before it looks one up. No static initializers.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "edgec/Pipelines.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringRef.h"

namespace edgec {

struct PackageStats {
  size_t kernels = 0, tensors = 0;
  uint64_t arenaBytes = 0, constantBytes = 0, naiveArenaBytes = 0;
  // The largest function's lower bound on its arena for its kernel order (Function's
  // arena_lower_bound in edgepkg.fbs); arenaBytes / this is the plan's overhead.
  uint64_t arenaLowerBoundBytes = 0;
};

// A model with dynamic dims, compiled twice: once with every named dim at its bound and
// once smaller (each at `smaller`), to tell which dims of which tensors follow them.
struct DynamicDims {
  std::map<std::string, std::vector<std::string>> inputDims;  // input -> a name per dim, "" fixed
  std::map<std::string, int64_t> bounds, smaller;
};

class Target {
public:
  virtual ~Target();

  // The name `edgec compile --target` takes ("host") and the package records.
  virtual llvm::StringRef name() const = 0;
  // One line for `edgec targets` and `edgec compile --help`.
  virtual llvm::StringRef description() const = 0;

  // The graph optimizations for this target, on the imported edge module.
  virtual void buildPipeline(mlir::OpPassManager &pm, const PipelineOptions &options) const = 0;
  // Passes after the precision passes (calibration and quantization see the module of
  // buildPipeline; these change only how what ships runs, e.g. fused epilogues). None
  // by default.
  virtual void buildLatePipeline(mlir::OpPassManager &pm, const PipelineOptions &options) const;

  // Fails, with one error on the module that lists every op and element type the
  // target cannot run (not just the first), if the optimized module holds any.
  virtual mlir::LogicalResult checkLegality(mlir::ModuleOp module) const = 0;

  // Lowers the optimized (legal) module and serializes it; an empty vector, with an
  // error emitted, on failure.
  virtual std::vector<uint8_t> buildPackage(mlir::ModuleOp module, PackageStats *stats) const = 0;

  // Lowers the module and writes the package to `path`, all or nothing (false, with an
  // error emitted, on failure; nothing is left at `path`). The default builds the image
  // with buildPackage and writes it; a target whose packages hold large weights streams
  // them instead, so compiling holds no second copy of them.
  virtual bool writePackage(mlir::ModuleOp module, const std::string &path, PackageStats *stats) const;

  // Dynamic shapes: one package from the two compiles of a model (`atBounds`, `smaller`;
  // see DynamicDims), recording which dims vary and checking that the runtime computes
  // the smaller compile's shapes. An empty vector and `error` set on failure; by default
  // the target has no dynamic shapes.
  virtual std::vector<uint8_t> buildDynamicPackage(mlir::ModuleOp atBounds, mlir::ModuleOp smaller,
                                                   const DynamicDims &dims, PackageStats *stats,
                                                   std::string &error) const;
};

// Adds a target; a second target of the same name replaces the first.
void registerTarget(std::unique_ptr<Target> target);
// The registered target of that name, or nullptr.
const Target *lookupTarget(llvm::StringRef name);
// Every registered target, sorted by name.
std::vector<const Target *> registeredTargets();
// "host, ..." for messages and help text.
std::string registeredTargetNames();

// Registers the targets built into edgec (today: host). Safe to call more than once.
void registerBuiltinTargets();

}  // namespace edgec
