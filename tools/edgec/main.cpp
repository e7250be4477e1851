// edgec: compile ONNX and GGUF models into deployable packages and run them.
#include "Commands.h"
#include "edgec/Target.h"

int main(int argc, char **argv) {
  CLI::App app{"edgec: an ahead-of-time model compiler for edge devices.\n"
               "An ONNX model goes in; a self-contained .edgepkg comes out, which `edgec run`\n"
               "(or the C/C++ runtime API) executes. A GGUF language model goes in the same way;\n"
               "`edgec generate` and `edgec bench` run its package.",
               "edgec"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "edgec 0.1 (package format 1)");
  edgec::registerBuiltinTargets();  // before the commands: compile's --help lists them
  edgec::cli::addImportCommand(app);
  edgec::cli::addCompileCommand(app);
  edgec::cli::addAnalyzeCommand(app);
  edgec::cli::addRunCommand(app);
  edgec::cli::addInspectCommand(app);
  edgec::cli::addGenerateCommand(app);
  edgec::cli::addBenchCommand(app);
  edgec::cli::addPerplexityCommand(app);
  edgec::cli::addTokenizeCommand(app);
  edgec::cli::addTargetsCommand(app);
  edgec::cli::addOpsCommand(app);
  return edgec::cli::runApp(app, argc, argv, "edgec");
}
