// edgec-run: `edgec run` built with the runtime alone (no compiler, no MLIR, no LLVM), the
// footprint of a deployment: a package, its inputs as .npy, outputs as .npy, latency.
// Same options and messages as `edgec run` (tools/edgec/RunCommand.cpp).
#include "../edgec/RunCommand.h"

int main(int argc, char **argv) {
  CLI::App app{"edgec-run: run a compiled .edgepkg package on .npy inputs with the edgec runtime alone\n"
               "(the same as `edgec run`, without the compiler).",
               "edgec-run"};
  edgec::cli::configureRunCommand(app);
  return edgec::cli::runApp(app, argc, argv, "edgec-run");
}
