// Mixed precision: a precision per op of the optimized edge IR (`edgec compile
// --precision-plan plan.json`, `--precision auto`, `edgec analyze`).
//
// Every op of the main function except constants and the return is a PLAN OP, named
// uniquely (edgec/PrecisionPlan.h planOps). Ops that compute on floats are GROUPS, the
// units sensitivity analysis measures; ops that only move data (Reshape, Transpose,
// Concat, Slice, ...) follow their producer's precision in automatic plans.
//
// A plan is applied by running each precision's own passes (the ones uniform --precision
// runs) once, in a fixed order (int8, int8-dynamic, int4-gN[-a8], fp16), with every op of
// another precision marked edge.keep_float for that run: the passes already put explicit
// quantize/dequantize or casts at the boundary of a kept op. So a plan that gives every
// op one precision compiles to the same package as that uniform --precision.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LogicalResult.h"

namespace edgec {

struct PlanOp {
  std::string name;                // unique: the first node name of its location, "#k" on repeats
  std::string op;                  // "Conv", "MatMul", ...
  std::vector<std::string> nodes;  // every node name in its location
  mlir::Operation *operation = nullptr;
  bool group = false;              // computes on floats (see above)
  uint64_t params = 0, fp32Bytes = 0;  // its f32 constant operands
};

// The plan ops of `module`'s main function, in program order.
std::vector<PlanOp> planOps(mlir::ModuleOp module);

// The precisions a plan may give an op, as --precision spells them.
const std::vector<std::string> &planPrecisions();
bool isPlanPrecision(const std::string &precision);

// The static-INT8 range of each value, as calibration records it (edge.calib_range):
// keyed "input:<name>" for a graph input, else by the plan op's name (its first result).
using RangeMap = std::map<std::string, std::pair<float, float>>;

struct PrecisionPlan {
  std::map<std::string, std::string> precisionOf;  // plan op name -> precision (missing: fp32)
  RangeMap ranges;                                  // empty: the module's own (from --calib)
  std::string calibMethod;                          // how the ranges were found (informational)
};

// The ranges calibration wrote on `module`, and writes them back (a plan's ranges
// replace the module's).
RangeMap readRanges(mlir::ModuleOp module);
void writeRanges(mlir::ModuleOp module, const RangeMap &ranges);

// Applies `precisionOf` (plan op name -> precision) to `module` (after the target's
// pipeline, with ranges for the static-INT8 ops), honouring ops already marked
// edge.keep_float. Fails with `error` on an unknown name or precision, or an int8 op
// without a range. `changed`, if given, says whether any op changed at all.
mlir::LogicalResult applyPrecisionPlan(mlir::ModuleOp module, const std::map<std::string, std::string> &precisionOf,
                                       std::string &error, bool *changed = nullptr);

// plan.json (docs/quantization.md "Precision plans"): read strictly (a malformed file, an
// unknown precision, a name that is not a plan op of `module` are errors naming the
// file and entry) and written deterministically.
bool readPlanFile(const std::string &path, mlir::ModuleOp module, PrecisionPlan &plan, std::string &error);
std::string planJson(mlir::ModuleOp module, const PrecisionPlan &plan, const std::string &modelName);

}  // namespace edgec
