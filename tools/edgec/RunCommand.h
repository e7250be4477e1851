// `edgec run`, also built alone as `edgec-run` (tools/edgec-run): this header and
// RunCommand.cpp use only CLI11 and the runtime's API, no MLIR or LLVM, so the runtime-only
// runner shows what a deployment links.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

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

// --mmap, --mlock and --no-mmap: where a command keeps the package's bytes
// (edgec_residency). `fallback` is the command's default: a plain mapping for `run` (a
// CNN's weights are read once a run and stay in the page cache), an anonymous copy for the
// LLM commands (decode streams every weight byte a token, and the copy's huge pages
// decode up to 2x faster than the file's 4 KB pages: docs/gguf.md).
struct ResidencyFlags {
  edgec_residency fallback = EDGEC_RESIDENCY_MAPPED;
  bool map = false, lock = false, copy = false;
  bool chosen() const { return map || lock || copy; }
  edgec_residency residency() const {
    return map    ? EDGEC_RESIDENCY_MAPPED
           : lock ? EDGEC_RESIDENCY_LOCKED
           : copy ? EDGEC_RESIDENCY_COPIED
                  : fallback;
  }
};
// Adds the three flags (each excluding the others) to `cmd`, their help naming
// `flags.fallback` as the default; `flags` must outlive the parse (keep it in the options).
void addResidencyFlags(CLI::App &cmd, ResidencyFlags &flags);

// Seconds on a monotonic clock.
double nowSeconds();

// "12.3 MiB".
std::string mebibytes(uint64_t bytes);

// Parses argv into `app` and runs its callbacks; the exit status of a main(): CLI11's own
// output and status for a parse error (or --help), else for a failure (CommandError, a
// runtime or library exception) one line "NAME: error: ..." on stderr and 1.
int runApp(CLI::App &app, int argc, char **argv, const char *name);

}  // namespace edgec::cli
