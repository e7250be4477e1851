// edgec: compile ONNX models into deployable packages and run them.
#include <cstdio>
#include <string>

#include "Commands.h"
#include "edgec/Target.h"

int main(int argc, char **argv) {
  CLI::App app{"edgec: an ahead-of-time model compiler for edge devices.\n"
               "An ONNX model goes in; a self-contained .edgepkg comes out, which `edgec run`\n"
               "(or the C/C++ runtime API) executes.",
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
  edgec::cli::addTokenizeCommand(app);
  edgec::cli::addTargetsCommand(app);
  edgec::cli::addOpsCommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    return app.exit(e);
  } catch (const std::exception &e) {  // CommandError, or a library's exception
    std::string message = e.what();
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    std::fprintf(stderr, "edgec: error: %s\n", message.c_str());
    return 1;
  }
  return 0;
}
