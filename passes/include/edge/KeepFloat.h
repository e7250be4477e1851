// Ops that stay fp32 under a quantizing precision (`edgec compile --keep-float REGEX`,
// `--keep-float-ends`). They carry the unit attribute `edge.keep_float`, which every
// quantization pass (edge-quantize, edge-fold-qdq, edge-quantize-dynamic,
// edge-quantize-weights, edge-convert-to-f16) respects: a kept op keeps its f32 weights
// and computes in f32, and the values it exchanges with quantized neighbours get
// explicit quantize/dequantize (or f16 <-> f32 casts) at the boundary. Anything that
// chooses precision per op (issue 11's --force and plans) can mark ops the same way.
#pragma once

#include <string>
#include <vector>

#include "mlir/IR/Operation.h"
#include "mlir/Support/LogicalResult.h"

namespace mlir::edge {

inline constexpr const char *kKeepFloatAttr = "edge.keep_float";

inline bool isKeptFloat(Operation *op) { return op && op->hasAttr(kKeepFloatAttr); }

// The node names in `loc`: a NameLoc's name (an ONNX node's name, or one derived from
// it), every NameLoc inside a FusedLoc (an op fused from several nodes).
std::vector<std::string> locationNames(Location loc);

struct KeepFloatResult {
  unsigned marked = 0;                 // ops newly marked edge.keep_float
  std::vector<std::string> unmatched;  // patterns that matched no op's name
  std::string error;                   // set when a pattern is not an ECMAScript regex
};

// Fails when one of `patterns` is not an ECMAScript regex; `error` names it.
LogicalResult checkKeepFloatPatterns(const std::vector<std::string> &patterns, std::string &error);

// Marks with edge.keep_float every op in `root` (constants and terminators aside) one of
// whose location names matches one of `patterns` (ECMAScript, std::regex_search), and
// with `ends` the first and the last Conv/Gemm/MatMul in program order. Fails, marking
// nothing, when a pattern does not parse (`error` names it).
LogicalResult markKeepFloat(Operation *root, const std::vector<std::string> &patterns, bool ends,
                            KeepFloatResult &result);

}  // namespace mlir::edge
