// `edgec compile --keep-float REGEX` (repeatable) and `--keep-float-ends`: ops that stay
// fp32 under a quantizing --precision (edge/KeepFloat.h marks them edge.keep_float, and
// every quantization pass leaves them float). Kept apart from the compile command so
// that other per-op precision options (issue 11's --force, plans) can sit beside it.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "mlir/IR/BuiltinOps.h"

namespace edgec::cli {

struct KeepFloatOptions {
  std::vector<std::string> patterns;
  bool ends = false;

  void addOptions(CLI::App &cmd);
  bool any() const { return ends || !patterns.empty(); }
  // Throws CommandError, before any work, when a pattern does not parse or the precision
  // quantizes nothing (fp32).
  void check(const std::string &precision) const;
  // Marks the ops and warns (stderr) for each pattern that matches no node name; the
  // progress line is open, so a warning starts a line of its own unless `quiet`.
  void apply(mlir::ModuleOp module, bool quiet);
  // "kept N ops float", after the compile's last progress line.
  void report() const;

  unsigned marked = 0;
};

}  // namespace edgec::cli
