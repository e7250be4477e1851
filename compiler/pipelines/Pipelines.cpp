#include "edgec/Pipelines.h"

#include "edge/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

namespace edgec {

void buildHostPipeline(mlir::OpPassManager &pm, const PipelineOptions &options) {
  mlir::OpPassManager &fpm = pm.nest<mlir::func::FuncOp>();
  fpm.addPass(mlir::createCanonicalizerPass());
  if (options.fuse) {
    fpm.addPass(mlir::edge::createFoldBatchNorm());
    fpm.addPass(mlir::edge::createFuseActivation());
    fpm.addPass(mlir::edge::createFuseLayerNorm());
  }
  fpm.addPass(mlir::createCanonicalizerPass());
  fpm.addPass(mlir::createCSEPass());
}

void registerPipelines() {
  mlir::PassPipelineRegistration<>(
      "edge-host-pipeline", "The graph optimizations `edgec compile --target host` runs",
      [](mlir::OpPassManager &pm) { buildHostPipeline(pm, PipelineOptions{}); });
}

}  // namespace edgec
