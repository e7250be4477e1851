// `edgec compile --report-fusion` (FusionReport.h).
#include "FusionReport.h"

#include <cstdio>
#include <set>

#include "edge/EdgeDialect.h"
#include "edge/FusionRecord.h"

namespace edgec::cli {

void FusionReport::collect(mlir::ModuleOp module) {
  module.walk([&](mlir::Operation *op) {
    std::vector<std::string> nodes = mlir::edge::fusedNames(op);
    if (nodes.empty()) return;
    Group g{op->getName().stripDialect().str(), nodes};
    if (auto conv = llvm::dyn_cast<mlir::edge::ConvOp>(op)) {
      std::string epilogue = conv.getResidual() ? "residual Add" : "";
      if (!conv.getActivation().empty()) epilogue += (epilogue.empty() ? "" : " + ") + conv.getActivation().str();
      if (conv.getTableOps()) epilogue += std::string(epilogue.empty() ? "" : " + ") + "int8 table of " +
                                          std::to_string(conv.getTableOps()->size()) + " steps";
      if (!epilogue.empty()) g.op += " (epilogue " + epilogue + ")";
    }
    if (auto fused = llvm::dyn_cast<mlir::edge::FusedElementwiseOp>(op))
      g.op += " (" + std::to_string(fused.getOps().size()) + " steps)";
    if (!groups_.count(nodes.front())) order_.push_back(nodes.front());
    groups_[nodes.front()] = std::move(g);
  });
}

void FusionReport::print(bool fusionOff) const {
  if (fusionOff) {
    std::printf("fusion: off (--no-fuse): every ONNX node runs as its own kernel\n");
    return;
  }
  if (order_.empty()) {
    std::printf("fusion: nothing to fuse in this model (edgec fuses BatchNormalization into the Conv before it, "
                "Relu, Clip, Sigmoid, SiLU and HardSwish into the Conv before them, a residual Add into the Conv before it, the decomposed "
                "LayerNorm and RMSNorm of exporters, a MatMul's Transpose and constant bias Add into a Gemm, chains of f32 "
                "elementwise ops into one loop, and f32 attention (MatMul, scale, mask, Softmax, MatMul) into one "
                "kernel)\n");
    return;
  }
  size_t nodes = 0;
  for (const auto &[first, g] : groups_) nodes += g.nodes.size();
  std::printf("fusion: %zu fused op%s from %zu ONNX nodes\n", order_.size(), order_.size() == 1 ? "" : "s", nodes);
  for (const std::string &first : order_) {
    const Group &g = groups_.at(first);
    std::string list;
    for (const std::string &n : g.nodes) list += (list.empty() ? "" : " + ") + n;
    std::printf("  %-32s %s\n", g.op.c_str(), list.c_str());
  }
}

}  // namespace edgec::cli
