// `edgec ops`: which ONNX operators the frontend imports, and how (its own importer, or
// ONNX's function body for the operator). Answers "does edgec support my model's op?"
// before a compile, and feeds the generated operator table (docs/onnx_ops.md).
#include <cstdio>
#include <string>

#include "Commands.h"
#include "edgec/OnnxImporter.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

namespace edgec::cli {
namespace {

std::string versionList(const std::vector<int> &versions) {
  std::string s;
  for (int v : versions) s += (s.empty() ? "" : ",") + std::to_string(v);
  return s;
}

}  // namespace

void addOpsCommand(CLI::App &app) {
  auto *cmd = app.add_subcommand(
      "ops", "List the ONNX operators edgec imports (models of opset 7 to 17 are converted to opset 17 first)");
  auto json = std::make_shared<bool>(false), all = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "One JSON array: domain, op, versions (ONNX since-versions <= 17), how, deprecated");
  cmd->add_flag("--all", *all, "Also list the default-domain operators edgec does not import");
  cmd->footer("how: 'import' = edgec's own importer; 'function' = ONNX defines the operator as a function of\n"
              "other operators and edgec imports its body (the body's operators must be supported);\n"
              "'none' = not supported (listed with --all).");
  cmd->callback([json, all] {
    std::vector<OnnxOpSupport> ops = onnxOpSupport();
    if (*json) {
      llvm::json::Array out;
      for (const OnnxOpSupport &s : ops) {
        llvm::json::Array versions;
        for (int v : s.versions) versions.push_back(v);
        out.push_back(llvm::json::Object{{"domain", s.domain.empty() ? "ai.onnx" : s.domain},
                                         {"op", s.op},
                                         {"versions", std::move(versions)},
                                         {"how", s.how},
                                         {"deprecated", s.deprecated}});
      }
      llvm::outs() << llvm::formatv("{0:2}", llvm::json::Value(std::move(out))) << "\n";
      return;
    }
    int imported = 0, functions = 0, none = 0;
    for (const OnnxOpSupport &s : ops) {
      (s.how == "import" ? imported : s.how == "function" ? functions : none)++;
      if (s.how == "none" && !*all) continue;
      std::string name = s.domain.empty() ? s.op : s.domain + "." + s.op;
      std::printf("%-36s %-9s %s%s\n", name.c_str(), s.how.c_str(),
                  s.versions.empty() ? "" : ("versions " + versionList(s.versions)).c_str(),
                  s.deprecated ? " (deprecated)" : "");
    }
    std::printf("%d imported, %d through their ONNX function body, %d not supported%s\n", imported, functions, none,
                *all ? "" : " (--all lists them)");
  });
}

}  // namespace edgec::cli
