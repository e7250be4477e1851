// `edgec inspect`: what a package holds and needs.
#include "Commands.h"
#include "edgec/npy.h"
#include "edgec/runtime.hpp"

namespace edgec::cli {

void addInspectCommand(CLI::App &app) {
  auto *cmd = app.add_subcommand("inspect", "Show a package's inputs, outputs, target, features and sizes");
  auto path = std::make_shared<std::string>();
  cmd->add_option("package", *path, "Compiled package (.edgepkg)")->required();
  auto verify = std::make_shared<bool>(false);
  cmd->add_flag("--verify", *verify,
                "Also verify the constants section checksum (reads every weight page; `edgec run` always does)");
  cmd->callback([path, verify] {
    // Loading validates the header, section table and plan (checksums included); the
    // constants' checksum only with --verify, so inspecting a multi-GiB package does not
    // read its weights.
    Model model(*path, *verify);
    const edgec_model *m = model.get();
    std::printf("package:   %s\n", path->c_str());
    std::printf("producer:  %s\n", edgec_model_producer(m));
    std::printf("target:    %s\n", edgec_model_target(m));
    std::string features;
    for (int32_t i = 0; i < edgec_model_num_required_features(m); ++i)
      features += (i ? ", " : "") + std::string(edgec_model_required_feature(m, i));
    std::printf("requires:  %s\n", features.empty() ? "(no CPU features beyond the target baseline)" : features.c_str());
    std::printf("kernels:   %d\n", edgec_model_num_kernels(m));
    std::printf("constants: %zu bytes\n", edgec_model_constant_bytes(m));
    std::printf("arena:     %zu bytes\n", edgec_model_arena_bytes(m));
    if (edgec_model_state_bytes(m)) std::printf("state:     %zu bytes\n", edgec_model_state_bytes(m));
    auto print = [](const std::string &indent, const char *title, const std::vector<TensorInfo> &infos) {
      std::printf("%s%s:\n", indent.c_str(), title);
      for (const TensorInfo &t : infos) {
        std::string shape;
        for (size_t i = 0; i < t.shape.size(); ++i) shape += (i ? "x" : "") + std::to_string(t.shape[i]);
        std::printf("%s  %-24s %-8s [%s]\n", indent.c_str(), t.name.c_str(), dtypeName(t.dtype), shape.c_str());
      }
    };
    const std::vector<std::string> functions = model.functions();
    if (functions.size() == 1) {
      print("", "inputs", model.inputs());
      print("", "outputs", model.outputs());
      return;
    }
    for (size_t f = 0; f < functions.size(); ++f) {
      std::printf("function %s:\n", functions[f].c_str());
      print("  ", "inputs", model.inputs(int32_t(f)));
      print("  ", "outputs", model.outputs(int32_t(f)));
    }
  });
}

}  // namespace edgec::cli
