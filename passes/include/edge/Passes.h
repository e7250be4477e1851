// Passes over the edge dialect, declared in Passes.td.
#pragma once

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

#include "edge/EdgeDialect.h"
#include "mlir/Dialect/Quant/QuantOps.h"

namespace mlir::edge {

#define GEN_PASS_DECL
#include "edge/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "edge/Passes.h.inc"

}  // namespace mlir::edge
