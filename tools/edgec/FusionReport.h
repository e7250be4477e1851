// `edgec compile --report-fusion`: the fused ops of the compiled module, each with the
// ONNX nodes it came from (the edge.fused records of the fusion passes,
// passes/include/edge/FusionRecord.h).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "mlir/IR/BuiltinOps.h"

namespace edgec::cli {

class FusionReport {
public:
  // Adds every op of `module` that carries edge.fused; an op recorded again (fused
  // further by a later pass) replaces its earlier entry. Call after each pipeline.
  void collect(mlir::ModuleOp module);
  // The report on stdout; `fusionOff`: --no-fuse was given.
  void print(bool fusionOff) const;

private:
  struct Group {
    std::string op;  // the fused op, e.g. "Conv (epilogue Silu)"
    std::vector<std::string> nodes;
  };
  std::map<std::string, Group> groups_;  // by the first ONNX node of the group
  std::vector<std::string> order_;       // first nodes, in the order first seen
};

}  // namespace edgec::cli
