// What per-layer sensitivity analysis measures (`edgec analyze`, `edgec compile
// --precision auto`) and the mixed-precision plan chosen from it. Plain C++17 (no MLIR):
// the compiler fills these structs by running the model on the runtime's kernels, and the
// report writers (SensitivityReport.h) and the plan chooser read them.
//
// A GROUP is one op of the optimized edge IR, the unit the kernels run: a Conv with its
// fused bias and activation, a MatMul, an Add, ... Its NAME is unique in the model (the
// first ONNX node name in its location, with "#2", "#3", ... appended to repeats).
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace edgec::quant {

// The error of a model's outputs against the fp32 model's, accumulated over every f32
// output element of every analysis sample.
struct OutputError {
  double sqnrDb = INFINITY;  // 10 log10(sum ref^2 / sum (ref - q)^2); +inf when identical
  double mse = 0;            // sum (ref - q)^2 / count
  double cosine = 1;         // cosine similarity of all outputs, concatenated
  double maxAbs = 0;         // max |ref - q|
  // Fraction of output rows (the last axis; outputs whose last dim is >= 2) whose argmax
  // agrees with fp32's: top-1 agreement for a classifier or a language model. NaN when
  // no output has rows.
  double top1 = NAN;
};

// One group at one precision.
struct CandidateMeasure {
  std::string precision;  // as --precision spells it: "fp16", "int8", "int8-dynamic", "int4-g32", ...
  OutputError error;      // the whole model's outputs with only this group at this precision
  // The group's bytes in the package at this precision: its fp32 weight bytes plus what
  // the package grew or shrank by (weights, scales, and the tensor records it adds).
  uint64_t bytes = 0;
  // The group's kernel time per run, milliseconds, with only this group at this
  // precision: its own calls plus the conversions (quantize/dequantize, casts) it adds at
  // its boundaries.
  double latencyMs = 0;
  // Its own calls when its neighbours run at the same precision (measured with every
  // group that takes this precision at it): what it costs inside a chain, where the
  // conversions between neighbours disappear.
  double chainLatencyMs = 0;
  // The conversions at its boundaries in the one-group trial (latencyMs minus its own calls).
  double conversionMs = 0;
};

struct GroupSensitivity {
  std::string name;                // unique group name (see above)
  std::string op;                  // the edge op: "Conv", "MatMul", ...
  std::vector<std::string> nodes;  // every ONNX node name fused into it
  uint64_t params = 0;             // weight elements (its constant operands)
  uint64_t fp32Bytes = 0;          // weight bytes at fp32
  double fp32LatencyMs = 0;        // kernel time per run at fp32
  // Protected groups (first and last weighted layer, norms, attention output
  // projections) stay fp32 or fp16 in automatic plans unless --force names them.
  std::string protectedBecause;    // empty: not protected
  // One entry per precision that changes this group, in SensitivityResult::precisions
  // order (int8-dynamic changes only MatMul/Gemm, int4 only weighted ops, ...).
  std::vector<CandidateMeasure> candidates;
};

// A precision for every group, with its estimated and measured figures.
struct PlanFigures {
  double sqnrDb = INFINITY;
  uint64_t packageBytes = 0;
  double latencyMs = 0;
  double top1 = NAN;  // measured only
};

struct ChosenPlan {
  std::vector<std::string> precisionOf;  // parallel to SensitivityResult::groups
  std::string objective;                 // e.g. "smallest with SQNR >= 30 dB", "least error within 4 MB"
  PlanFigures estimated, measured;       // measured: the final model run on the analysis samples
  int iterations = 0;                    // estimate/verify rounds it took
};

struct SensitivityResult {
  std::string model;                    // the model file analyzed
  size_t samples = 0;                   // analysis samples run per trial
  int threads = 1;
  std::vector<std::string> precisions;  // the candidate precisions tried
  uint64_t fp32PackageBytes = 0;        // the whole fp32 package
  double fp32LatencyMs = 0;             // the whole fp32 model per run (sum of kernel times)
  double seconds = 0;                   // wall time of the analysis
  std::vector<GroupSensitivity> groups; // in program order
};

}  // namespace edgec::quant
