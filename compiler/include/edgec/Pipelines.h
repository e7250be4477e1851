// Pass pipelines per target. Each is also registered for edgec-opt
// (`--edge-host-pipeline`) so lit tests can run exactly what `edgec compile` runs.
#pragma once

#include "mlir/Pass/PassManager.h"

namespace edgec {

struct PipelineOptions {
  bool fuse = true;  // conv+batchnorm folding and activation fusion
  // Fused ops carry edge.fused, the ONNX nodes they came from (edgec compile
  // --report-fusion; edge/FusionRecord.h).
  bool recordFusion = false;
};

// Graph optimizations for the host target, on func.func @main.
void buildHostPipeline(mlir::OpPassManager &pm, const PipelineOptions &options);
// The host target's passes after the precision passes, on the IR that ships: the late
// fusions (edge-fuse-epilogue and the rest, when fusing), then edge-plan-thread-split.
void buildHostLatePipeline(mlir::OpPassManager &pm, const PipelineOptions &options);

// Static INT8 after calibration (ranges recorded as edge.calib_range): edge-quantize,
// edge-fold-qdq, canonicalize, CSE.
void buildQuantizePipeline(mlir::OpPassManager &pm);

// Weight-only group-wise INT4 (`--precision int4-gN [--asym]`, no calibration):
// edge-quantize-weights, canonicalize, CSE.
struct WeightQuantizeOptions {
  int64_t groupSize = 32;
  bool asymmetric = false;
  bool int8Activations = false;  // int4-gN-a8: MatMul/Gemm as BlockQuantizedMatMul
};
void buildWeightQuantizePipeline(mlir::OpPassManager &pm, const WeightQuantizeOptions &options);
// INT8 dynamic (--precision int8-dynamic): edge-quantize-dynamic, canonicalize, CSE.
void buildDynamicQuantizePipeline(mlir::OpPassManager &pm);
// FP16 (--precision fp16): edge-convert-to-f16, canonicalize, CSE.
void buildF16Pipeline(mlir::OpPassManager &pm);

// The group size of an int4 precision ("int4-g128" or "int4-g128-a8" -> 128), or 0 for
// any other spelling; and whether it quantizes activations to int8 per group ("-a8").
int64_t int4GroupSize(llvm::StringRef precision);
bool int4Activations8(llvm::StringRef precision);

// The passes of one --precision (int8, int8-dynamic, int4-gN[-a8], fp16), as uniform
// `edgec compile --precision P` and each precision of a mixed plan run them; `asymmetric`
// only matters for int4. False, adding nothing, for fp32 or an unknown spelling.
bool buildPrecisionPipeline(mlir::OpPassManager &pm, llvm::StringRef precision, bool asymmetric = false);
void registerPipelines();

}  // namespace edgec
