// `edgec run`: execute a package on .npy inputs, write .npy outputs, report timing.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <numeric>
#include <set>

#include <chrono>
#include <cstdio>
#include <string>
#include <tuple>

#include "RunCommand.h"
#include "edgec/npy.h"
#include "edgec/runtime.hpp"

namespace edgec::cli {

double nowSeconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

std::string mebibytes(uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MiB", double(bytes) / (1024.0 * 1024.0));
  return text;
}

int runApp(CLI::App &app, int argc, char **argv, const char *name) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    return app.exit(e);
  } catch (const std::exception &e) {
    std::string message = e.what();
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    std::fprintf(stderr, "%s: error: %s\n", name, message.c_str());
    return 1;
  }
  return 0;
}

namespace {
std::string shapeStr(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "x" : "") + std::to_string(shape[i]);
  return s + "]";
}

// A short preview of an output: first values and, for float32, min/max/mean.
// "[1x3xH<=512xW<=512]": an input's shape with its dynamic dims named and bounded.
std::string dimsText(const TensorInfo &info) {
  std::string s = "[";
  for (size_t d = 0; d < info.shape.size(); ++d) {
    s += d ? "x" : "";
    const std::string name = d < info.dim_names.size() ? info.dim_names[d] : "";
    s += name.empty() ? std::to_string(info.shape[d]) : name + "<=" + std::to_string(info.shape[d]);
  }
  return s + "]";
}

// Whether `shape` is one the input takes: its fixed dims, each dynamic dim in 1..bound.
bool fitsDynamicDims(const TensorInfo &info, const std::vector<int64_t> &shape) {
  if (!info.dynamic() || shape.size() != info.shape.size()) return false;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (info.dim_names[d].empty() ? shape[d] != info.shape[d] : shape[d] < 1 || shape[d] > info.shape[d]) return false;
  }
  return true;
}

void printSummary(const TensorInfo &info, const void *data) {
  std::printf("  %s %s %s", info.name.c_str(), dtypeName(info.dtype), shapeStr(info.shape).c_str());
  if (info.dtype == EDGEC_F32) {
    const float *f = static_cast<const float *>(data);
    size_t n = info.size_bytes / 4;
    double sum = 0, lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; ++i) {
      sum += f[i];
      lo = std::min<double>(lo, f[i]);
      hi = std::max<double>(hi, f[i]);
    }
    std::printf(" min %.6g max %.6g mean %.6g\n    [", lo, hi, n ? sum / n : 0.0);
    for (size_t i = 0; i < std::min<size_t>(n, 8); ++i) std::printf("%s%.6g", i ? ", " : "", f[i]);
    std::printf("%s]", n > 8 ? ", ..." : "");
  }
  std::printf("\n");
}

// Per-run kernel times from the session's running totals: call `take` after each timed
// run; row r of `perRun` is run r's time of every kernel call, in the session's order.
struct ProfileRuns {
  std::vector<edgec_kernel_profile> last;  // the totals after the previous run
  std::vector<std::vector<double>> perRun;

  void take(std::vector<edgec_kernel_profile> now) {
    std::vector<double> run(now.size());
    for (size_t k = 0; k < now.size(); ++k) run[k] = now[k].total_ms - (k < last.size() ? last[k].total_ms : 0.0);
    perRun.push_back(std::move(run));
    last = std::move(now);
  }
};

double medianOf(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// Time per op family (with the ISA chosen), then the slowest individual calls; each the
// median over the runs, not the mean: on a shared machine one run in a few hundred stalls
// for tens of milliseconds, and a mean puts that stall on whichever kernel it hit.
void printProfile(const ProfileRuns &profile, int top) {
  const std::vector<edgec_kernel_profile> &calls = profile.last;
  const size_t runs = profile.perRun.size();
  if (!runs) return;
  std::map<std::string, std::vector<size_t>> byOp;  // op family -> its calls
  for (size_t k = 0; k < calls.size(); ++k) byOp[std::string(calls[k].op) + " (" + calls[k].isa + ")"].push_back(k);
  std::vector<double> totals(runs, 0.0);
  for (size_t r = 0; r < runs; ++r)
    for (double t : profile.perRun[r]) totals[r] += t;
  const double mean = std::accumulate(totals.begin(), totals.end(), 0.0) / double(runs);
  std::vector<std::tuple<std::string, size_t, double>> ops;  // family, calls, median ms a run
  double opsSum = 0;
  for (const auto &[op, members] : byOp) {
    std::vector<double> sums(runs, 0.0);
    for (size_t r = 0; r < runs; ++r)
      for (size_t k : members) sums[r] += profile.perRun[r][k];
    ops.emplace_back(op, members.size(), medianOf(std::move(sums)));
    opsSum += std::get<2>(ops.back());
  }
  std::sort(ops.begin(), ops.end(), [](const auto &a, const auto &b) { return std::get<2>(a) > std::get<2>(b); });
  std::printf("profile (per run, median of %zu; summed kernel time %.3f ms, mean %.3f ms):\n", runs,
              medianOf(totals), mean);
  for (const auto &[op, n, ms] : ops)
    std::printf("  %-28s %4zu calls %9.3f ms %5.1f%%\n", op.c_str(), n, ms, opsSum > 0 ? 100 * ms / opsSum : 0.0);
  std::vector<std::pair<double, size_t>> slowest;  // median ms a run, call
  for (size_t k = 0; k < calls.size(); ++k) {
    std::vector<double> times(runs);
    for (size_t r = 0; r < runs; ++r) times[r] = profile.perRun[r][k];
    slowest.emplace_back(medianOf(std::move(times)), k);
  }
  std::sort(slowest.begin(), slowest.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
  // Calls to 0.1 us: a transformer's kernels take 0.3-20 us each, which whole microseconds
  // (three decimals of a millisecond) cannot compare between one and two threads.
  std::printf("slowest calls:\n");
  for (size_t i = 0; i < std::min<size_t>(slowest.size(), size_t(top)); ++i)
    std::printf("  %-12s %-36s %9.4f ms\n", calls[slowest[i].second].op, calls[slowest[i].second].node,
                slowest[i].first);
}

// "RSS 101.2 MiB" from VmHWM in /proc/self/status: the peak resident set of this process's
// own image (getrusage's ru_maxrss would also count a forking parent's pages from before
// exec, e.g. a Python benchmark's).
std::string peakRssText() {
  FILE *f = std::fopen("/proc/self/status", "r");
  if (!f) return "unknown (no /proc/self/status)";
  char line[256];
  long kb = -1;
  while (std::fgets(line, sizeof line, f))
    if (std::sscanf(line, "VmHWM: %ld kB", &kb) == 1) break;
  std::fclose(f);
  if (kb < 0) return "unknown (no VmHWM in /proc/self/status)";
  char text[64];
  std::snprintf(text, sizeof text, "RSS %.1f MiB (%ld kB)", kb / 1024.0, kb);
  return text;
}

void ensureWritableDir(const std::string &dir) {
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) {
    if (::mkdir(dir.c_str(), 0755) != 0)
      throw CommandError(dir + ": cannot create the output directory: " + std::strerror(errno));
  } else if (!S_ISDIR(st.st_mode)) {
    throw CommandError(dir + ": not a directory");
  }
  if (::access(dir.c_str(), W_OK) != 0) throw CommandError(dir + ": the output directory is not writable");
}
}  // namespace

void addRunCommand(CLI::App &app) {
  configureRunCommand(*app.add_subcommand("run", "Run a compiled package on .npy inputs"));
}

void addResidencyFlags(CLI::App &cmd, ResidencyFlags &flags) {
  auto byDefault = [&](edgec_residency r) {
    return std::string(flags.fallback == r ? " (the default)" : "");
  };
  CLI::Option *map = cmd.add_flag(
      "--mmap", flags.map,
      "Map the package's file: the quickest load, pages shared with the page cache, which may drop them and read "
      "them back from disk mid-run" + byDefault(EDGEC_RESIDENCY_MAPPED));
  CLI::Option *lock = cmd.add_flag(
      "--mlock", flags.lock,
      "Map the file and lock its pages in memory: read once at load, never dropped (needs the locked-memory limit, "
      "ulimit -l, to cover the file)" + byDefault(EDGEC_RESIDENCY_LOCKED));
  CLI::Option *copy = cmd.add_flag(
      "--no-mmap", flags.copy,
      "Read the package into this process's own memory at load (huge pages where the kernel allows: the fastest "
      "LLM decode; loading reads the whole file first)" + byDefault(EDGEC_RESIDENCY_COPIED));
  map->excludes(lock)->excludes(copy);
  lock->excludes(copy);
}

void configureRunCommand(CLI::App &app) {
  CLI::App *cmd = &app;
  cmd->footer("Environment: EDGEC_KERNELS=ref runs the portable reference kernels only (for debugging numerics).");
  struct Options {
    std::string package;
    std::vector<std::string> inputs;
    std::string outputDir;
    int repeat = 1, warmup = 0, threads = 0, profileTop = 10;
    std::string function;
    bool quiet = false, profile = false, memory = false;
    ResidencyFlags residency;
  };
  auto opts = std::make_shared<Options>();
  cmd->add_option("package", opts->package, "Compiled package (.edgepkg)")->required();
  cmd->add_option("-i,--input", opts->inputs,
                  "Input as NAME=FILE.npy (repeatable; FILE.npy alone when the model has one input); "
                  "NAME=A.npy,B.npy,... makes one call per file, in order, over the package's state");
  cmd->add_option("--output-dir", opts->outputDir, "Write each output to DIR/<output name>.npy (DIR/<output name>.<k>.npy after call k of a sequence)");
  cmd->add_option("--repeat", opts->repeat, "Run N times and report the median latency")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--warmup", opts->warmup, "Untimed runs before timing")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--threads", opts->threads, "Threads the kernels split their work over (default: one per core)")
      ->check(CLI::Range(1, 256));
  cmd->add_option("--function", opts->function,
                  "The function (entry point) to run, for packages with several (default: main, else the first)");
  cmd->add_flag("-q,--quiet", opts->quiet, "Print only the timing line");
  cmd->add_flag("--profile", opts->profile,
                "Time every kernel call over the timed runs; print each op's and the slowest calls' median time a run");
  cmd->add_option("--profile-top", opts->profileTop, "How many of the slowest calls --profile lists")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_flag("--memory", opts->memory,
                "After the runs, print this process's peak resident memory (the package's weights, arena and "
                "the runtime: what a deployment needs)");
  addResidencyFlags(*cmd, opts->residency);
  cmd->callback([opts] {
    Model model(opts->package, /*verifyConstants=*/true, opts->residency.residency());
    int32_t function = model.defaultFunction();
    if (!opts->function.empty()) {
      try {
        function = model.findFunction(opts->function);
      } catch (const RuntimeError &e) {
        throw CommandError("--function: " + std::string(e.what()));
      }
    }
    std::vector<TensorInfo> inputs = model.inputs(function), outputs = model.outputs(function);
    const std::string fnNote =
        model.functions().size() > 1 ? " of function '" + model.functions()[size_t(function)] + "'" : "";

    // Match every given input to a model input; report all problems before running. An
    // input may list several files (a,b,c): one call each, in order, over the session's
    // state (a stateful package's steps); a single file is used by every call.
    std::vector<std::vector<NpyArray>> arrays(inputs.size());
    for (const std::string &spec : opts->inputs) {
      size_t eq = spec.find('=');
      std::string name = eq == std::string::npos ? "" : spec.substr(0, eq);
      std::string files = eq == std::string::npos ? spec : spec.substr(eq + 1);
      size_t index = inputs.size();
      if (name.empty()) {
        if (inputs.size() != 1)
          throw CommandError("--input '" + spec + "': the model has " + std::to_string(inputs.size()) +
                             " inputs, so name it: --input NAME=FILE.npy");
        index = 0;
      } else {
        for (size_t i = 0; i < inputs.size(); ++i)
          if (inputs[i].name == name) index = i;
        if (index == inputs.size()) {
          std::string known;
          for (const auto &in : inputs) known += (known.empty() ? "" : ", ") + in.name;
          throw CommandError("--input '" + name + "': the model has no such input" + fnNote + " (inputs: " + known + ")");
        }
      }
      if (!arrays[index].empty()) throw CommandError("input '" + inputs[index].name + "' is given twice");
      for (size_t start = 0; start <= files.size();) {
        size_t comma = files.find(',', start);
        if (comma == std::string::npos) comma = files.size();
        const std::string file = files.substr(start, comma - start);
        start = comma + 1;
        NpyArray a = readNpy(file);
        const TensorInfo &want = inputs[index];
        if (a.dtype != want.dtype)
          throw CommandError(file + ": input '" + want.name + "' expects " + dtypeName(want.dtype) +
                             ", the file holds " + dtypeName(a.dtype));
        if (a.shape != want.shape && !fitsDynamicDims(want, a.shape))
          throw CommandError(file + ": input '" + want.name + "' expects shape " + dimsText(want) +
                             ", the file holds " + shapeStr(a.shape));
        arrays[index].push_back(std::move(a));
      }
    }
    size_t calls = 1;
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (arrays[i].empty())
        throw CommandError("missing input '" + inputs[i].name + "' (" + dtypeName(inputs[i].dtype) + " " +
                           dimsText(inputs[i]) + "): pass --input " + inputs[i].name + "=FILE.npy");
      if (arrays[i].size() > 1) {
        if (calls > 1 && arrays[i].size() != calls)
          throw CommandError("input '" + inputs[i].name + "' lists " + std::to_string(arrays[i].size()) +
                             " files, another input " + std::to_string(calls) + ": give each input one file or the same number");
        calls = arrays[i].size();
      }
    }
    if (calls > 1 && (opts->repeat != 1 || opts->warmup != 0))
      throw CommandError("a sequence of " + std::to_string(calls) + " calls runs each call once: drop --repeat/--warmup");
    // Creating the session prepares every kernel, which checks the plan's parameters: a
    // package that fails there must fail before the output folder is made.
    Session session = [&] {
      try {
        return Session(model, opts->threads);
      } catch (const RuntimeError &e) {
        throw CommandError(opts->package + ": cannot prepare the kernels: " + e.what());
      }
    }();
    if (!opts->outputDir.empty()) ensureWritableDir(opts->outputDir);
    session.selectFunction(function);
    auto setInputs = [&](size_t call) {
      for (size_t i = 0; i < inputs.size(); ++i) {
        const NpyArray &a = arrays[i][std::min(call, arrays[i].size() - 1)];
        if (inputs[i].dynamic()) session.setInputShape(int32_t(i), a.shape);
        session.setInput(int32_t(i), a.data.data(), a.data.size());
      }
    };
    // Outputs after a call: DIR/<name>.npy, or DIR/<name>.<call>.npy in a sequence.
    auto writeOutputs = [&](size_t call) {
      for (size_t i = 0; i < outputs.size(); ++i) {
        auto [data, bytes] = session.output(int32_t(i));
        TensorInfo actual = outputs[i];  // a dynamic package's outputs follow the inputs' shapes
        actual.shape = session.outputShape(int32_t(i));
        actual.size_bytes = bytes;
        if (!opts->quiet && call + 1 == calls) {
          // After the run, so that a run that fails prints its error alone.
          if (i == 0) std::printf("outputs%s:\n", calls > 1 ? " (after the last call)" : "");
          printSummary(actual, data);
        }
        if (opts->outputDir.empty()) continue;
        NpyArray a;
        a.dtype = outputs[i].dtype;
        a.shape = actual.shape;
        a.data.assign(static_cast<const uint8_t *>(data), static_cast<const uint8_t *>(data) + bytes);
        std::string safe = outputs[i].name;
        std::replace(safe.begin(), safe.end(), '/', '_');
        writeNpy(opts->outputDir + "/" + safe + (calls > 1 ? "." + std::to_string(call) : "") + ".npy", a);
      }
    };
    setInputs(0);
    for (int i = 0; i < opts->warmup; ++i) session.run();
    if (opts->profile) session.setProfiling(true);
    ProfileRuns profile;
    std::vector<double> times;
    const size_t runs = calls > 1 ? calls : size_t(opts->repeat);
    for (size_t i = 0; i < runs; ++i) {
      if (calls > 1) setInputs(i);
      double t0 = nowSeconds();
      session.run();
      times.push_back(nowSeconds() - t0);
      if (opts->profile) profile.take(session.profile());
      if (calls > 1) writeOutputs(i);
    }
    if (calls == 1) writeOutputs(0);
    std::sort(times.begin(), times.end());
    double median = times[times.size() / 2];
    if (times.size() % 2 == 0) median = (times[times.size() / 2 - 1] + times[times.size() / 2]) / 2;

    if (opts->profile) printProfile(profile, opts->profileTop);
    std::printf("latency: median %.3f ms over %zu run%s (min %.3f ms, max %.3f ms), %d thread%s\n", median * 1e3,
                times.size(), times.size() == 1 ? "" : "s", times.front() * 1e3, times.back() * 1e3, session.threads(),
                session.threads() == 1 ? "" : "s");
    if (opts->memory) std::printf("peak memory: %s\n", peakRssText().c_str());
  });
}

}  // namespace edgec::cli
