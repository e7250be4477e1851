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
    fpm.addPass(mlir::edge::createFoldBatchNorm({options.recordFusion}));
    fpm.addPass(mlir::edge::createFuseActivation({options.recordFusion}));
    fpm.addPass(mlir::edge::createFuseLayerNorm({options.recordFusion}));
    fpm.addPass(mlir::edge::createFuseRMSNorm({options.recordFusion}));
  }
  // A pre-quantized (QDQ) model's quantize/dequantize pairs become integer ops.
  fpm.addPass(mlir::edge::createFoldQDQ());
  fpm.addPass(mlir::createCanonicalizerPass());
  fpm.addPass(mlir::createCSEPass());
}

namespace {

// The late pipeline's fusions, in their order.
void buildHostLateFusions(mlir::OpPassManager &pm, const PipelineOptions &options) {
  pm.nest<mlir::func::FuncOp>().addPass(mlir::edge::createFuseEpilogue({options.recordFusion}));
  // A squeeze-excitation gate that a 1x1 Conv reads scales that Conv's weights instead of
  // the map; the blocks whose gate is left (small maps) then fuse.
  pm.nest<mlir::func::FuncOp>().addPass(mlir::edge::createFoldGateIntoConv({options.recordFusion}));
  // After the epilogues: the block's Convs then carry their activations.
  pm.nest<mlir::func::FuncOp>().addPass(mlir::edge::createFuseSqueezeExcitation({options.recordFusion}));
  pm.nest<mlir::func::FuncOp>().addPass(mlir::edge::createFuseConvResidual({options.recordFusion}));
  // After the residual fusion: a depthwise Conv that took a residual stays apart.
  pm.nest<mlir::func::FuncOp>().addPass(mlir::edge::createFusePointwiseDepthwise({options.recordFusion}));
  pm.nest<mlir::func::FuncOp>().addPass(mlir::edge::createFuseAttention({options.recordFusion}));
  pm.nest<mlir::func::FuncOp>().addPass(mlir::edge::createFoldMatMulTranspose({options.recordFusion}));
  pm.nest<mlir::func::FuncOp>().addPass(mlir::edge::createFuseMatMulBias({options.recordFusion}));
  // Last, so that the Conv epilogues and attention take their elementwise ops first.
  pm.nest<mlir::func::FuncOp>().addPass(mlir::edge::createFuseElementwise({options.recordFusion}));
  // The quantized tables it made of static INT8's activations, into the int8 Convs they read.
  pm.nest<mlir::func::FuncOp>().addPass(mlir::edge::createFuseConvTable({options.recordFusion}));
}

}  // namespace

void buildHostLatePipeline(mlir::OpPassManager &pm, const PipelineOptions &options) {
  if (options.fuse) buildHostLateFusions(pm, options);
  // Last: the fused ops decide which Convs read a 1x1 Conv's result.
  pm.nest<mlir::func::FuncOp>().addPass(mlir::edge::createPlanThreadSplit());
}

void buildQuantizePipeline(mlir::OpPassManager &pm) {
  mlir::OpPassManager &fpm = pm.nest<mlir::func::FuncOp>();
  // A Linear's MatMul and bias Add become one Gemm before quantization (the late pipeline
  // would fuse them only when both stay float): the bias becomes the int8 Gemm's int32
  // bias instead of a float Add between a DequantizeLinear and a QuantizeLinear. The
  // Gemm takes the Add's calibration range; ops kept float (--keep-float, a precision
  // plan's other precisions) keep their marks and are fused late.
  fpm.addPass(mlir::edge::createFuseMatMulBias({/*recordFusion=*/false, /*skipKeptFloat=*/true}));
  fpm.addPass(mlir::edge::createQuantize());
  fpm.addPass(mlir::edge::createFoldQDQ());
  fpm.addPass(mlir::createCanonicalizerPass());
  fpm.addPass(mlir::createCSEPass());
}

void buildWeightQuantizePipeline(mlir::OpPassManager &pm, const WeightQuantizeOptions &options) {
  mlir::OpPassManager &fpm = pm.nest<mlir::func::FuncOp>();
  mlir::edge::QuantizeWeightsOptions q;
  q.groupSize = options.groupSize;
  q.asymmetric = options.asymmetric;
  q.int8Activations = options.int8Activations;
  fpm.addPass(mlir::edge::createQuantizeWeights(q));
  fpm.addPass(mlir::createCanonicalizerPass());
  fpm.addPass(mlir::createCSEPass());
}

void buildDynamicQuantizePipeline(mlir::OpPassManager &pm) {
  mlir::OpPassManager &fpm = pm.nest<mlir::func::FuncOp>();
  // MatMul + bias Add as one Gemm first, so that the bias is the DynamicQuantizedMatMul's
  // (added in its f32 epilogue) rather than another pass over the result.
  fpm.addPass(mlir::edge::createFuseMatMulBias({/*recordFusion=*/false, /*skipKeptFloat=*/true}));
  fpm.addPass(mlir::edge::createQuantizeDynamic());
  fpm.addPass(mlir::createCanonicalizerPass());
  fpm.addPass(mlir::createCSEPass());
}

void buildF16Pipeline(mlir::OpPassManager &pm) {
  mlir::OpPassManager &fpm = pm.nest<mlir::func::FuncOp>();
  fpm.addPass(mlir::edge::createConvertToF16());
  fpm.addPass(mlir::createCanonicalizerPass());
  fpm.addPass(mlir::createCSEPass());
}

bool int4Activations8(llvm::StringRef precision) {
  return precision.starts_with("int4-") && precision.ends_with("-a8");
}

int64_t int4GroupSize(llvm::StringRef precision) {
  if (int4Activations8(precision)) precision = precision.drop_back(3);
  if (precision == "int4-g32") return 32;
  if (precision == "int4-g64") return 64;
  if (precision == "int4-g128") return 128;
  return 0;
}

bool buildPrecisionPipeline(mlir::OpPassManager &pm, llvm::StringRef precision, bool asymmetric) {
  if (precision == "int8") buildQuantizePipeline(pm);
  else if (precision == "int8-dynamic") buildDynamicQuantizePipeline(pm);
  else if (precision == "fp16") buildF16Pipeline(pm);
  else if (int64_t group = int4GroupSize(precision))
    buildWeightQuantizePipeline(pm, WeightQuantizeOptions{group, asymmetric, int4Activations8(precision)});
  else return false;
  return true;
}

void registerPipelines() {
  mlir::PassPipelineRegistration<>(
      "edge-host-pipeline", "The graph optimizations `edgec compile --target host` runs",
      [](mlir::OpPassManager &pm) { buildHostPipeline(pm, PipelineOptions{}); });
  mlir::PassPipelineRegistration<>(
      "edge-host-late-pipeline", "What `edgec compile --target host` runs after the precision passes",
      [](mlir::OpPassManager &pm) { buildHostLatePipeline(pm, PipelineOptions{}); });
  mlir::PassPipelineRegistration<>(
      "edge-quantize-pipeline", "Static INT8 from the calibration ranges in the IR, as `edgec compile --precision int8` runs it after calibrating",
      [](mlir::OpPassManager &pm) { buildQuantizePipeline(pm); });
}

}  // namespace edgec
