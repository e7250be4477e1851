// `edgec run`, also built alone as `edgec-run` (tools/edgec-run): this header and
// RunCommand.cpp use only CLI11 and the runtime's API, no MLIR or LLVM, so the runtime-only
// runner shows what a deployment links.
#pragma once

#include <stdexcept>

#include <CLI/CLI.hpp>

#include "edgec/runtime.h"

namespace edgec::cli {

// A failed command: one clear line; main() prints it and exits 1.
struct CommandError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Adds `run` to the edgec app.
void addRunCommand(CLI::App &app);
// The options and callback of `run` on `cmd` (the subcommand, or edgec-run's whole app).
void configureRunCommand(CLI::App &cmd);

// --mlock and --no-mmap: where a command keeps the package's bytes (edgec_residency).
struct ResidencyFlags {
  bool lock = false, copy = false;
  edgec_residency residency() const {
    return lock ? EDGEC_RESIDENCY_LOCKED : copy ? EDGEC_RESIDENCY_COPIED : EDGEC_RESIDENCY_MAPPED;
  }
};
// Adds both flags to `cmd`; `flags` must outlive the parse (keep it in the options).
void addResidencyFlags(CLI::App &cmd, ResidencyFlags &flags);

// Seconds on a monotonic clock.
double nowSeconds();

// Parses argv into `app` and runs its callbacks; the exit status of a main(): CLI11's own
// output and status for a parse error (or --help), else for a failure (CommandError, a
// runtime or library exception) one line "NAME: error: ..." on stderr and 1.
int runApp(CLI::App &app, int argc, char **argv, const char *name);

}  // namespace edgec::cli
