// edgec-run: `edgec run` built with the runtime alone (no compiler, no MLIR, no LLVM), the
// footprint of a deployment: a package, its inputs as .npy, outputs as .npy, latency.
// Same options and messages as `edgec run` (tools/edgec/RunCommand.cpp).
#include <cstdio>
#include <string>

#include "../edgec/RunCommand.h"

int main(int argc, char **argv) {
  CLI::App app{"edgec-run: run a compiled .edgepkg package on .npy inputs with the edgec runtime alone\n"
               "(the same as `edgec run`, without the compiler).",
               "edgec-run"};
  edgec::cli::configureRunCommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    return app.exit(e);
  } catch (const std::exception &e) {  // CommandError, or the runtime's RuntimeError
    std::string message = e.what();
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    std::fprintf(stderr, "edgec-run: error: %s\n", message.c_str());
    return 1;
  }
  return 0;
}
