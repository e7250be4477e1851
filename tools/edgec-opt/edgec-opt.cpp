// edgec-opt: the MLIR driver for edgec's dialects and passes (used by the lit tests).
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/QuantOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

#include "edge/EdgeDialect.h"
#include "edge/Passes.h"
#include "edgec/Pipelines.h"

int main(int argc, char **argv) {
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  mlir::edge::registerEdgePasses();
  edgec::registerPipelines();

  mlir::DialectRegistry registry;
  registry.insert<mlir::edge::EdgeDialect, mlir::func::FuncDialect,
                  mlir::quant::QuantizationDialect>();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "edgec optimizer driver\n", registry));
}
