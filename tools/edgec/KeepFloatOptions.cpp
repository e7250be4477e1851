#include "KeepFloatOptions.h"

#include <cstdio>

#include "Commands.h"
#include "edge/KeepFloat.h"

namespace edgec::cli {

void KeepFloatOptions::addOptions(CLI::App &cmd) {
  cmd.add_option("--keep-float", patterns,
                 "Keep the ops whose ONNX node name matches REGEX (ECMAScript, searched anywhere in the name) in "
                 "fp32 under --precision int8, int8-dynamic, int4-* or fp16, with quantize/dequantize at their "
                 "boundaries; repeatable")
      ->type_name("REGEX")
      ->allow_extra_args(false);
  cmd.add_flag("--keep-float-ends", ends,
               "Keep the first and the last weighted layer (Conv/Gemm/MatMul, in graph order) in fp32");
}

void KeepFloatOptions::check(const std::string &precision) const {
  if (!any()) return;
  if (precision == "fp32")
    throw CommandError("--keep-float and --keep-float-ends are only used with a --precision that quantizes "
                       "(int8, int8-dynamic, int4-*, fp16)");
  std::string error;
  if (mlir::failed(mlir::edge::checkKeepFloatPatterns(patterns, error))) throw CommandError(error);
}

void KeepFloatOptions::apply(mlir::ModuleOp module, bool quiet) {
  if (!any()) return;
  mlir::edge::KeepFloatResult result;
  if (mlir::failed(mlir::edge::markKeepFloat(module, patterns, ends, result))) throw CommandError(result.error);
  for (const std::string &p : result.unmatched)
    std::fprintf(stderr, "%swarning: --keep-float '%s' matches no node name\n", quiet ? "" : "\n", p.c_str());
  marked = result.marked;
}

void KeepFloatOptions::report() const {
  if (any()) std::fprintf(stderr, "kept %u op%s float (--keep-float%s)\n", marked, marked == 1 ? "" : "s",
                          ends ? ", --keep-float-ends" : "");
}

}  // namespace edgec::cli
