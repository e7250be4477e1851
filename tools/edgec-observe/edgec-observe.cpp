// edgec-observe: compiles an ONNX model with the host pipeline (as `edgec compile` does),
// runs it in-process on the runtime's best kernels (ModelRunner) over one or more input
// sets, and writes every float tensor's min/max over all runs as JSON:
//
//   {"<tensor>": {"min": ..., "max": ..., "node": "<ONNX node>", "op": "<kernel>"}, ...}
//
// in kernel order. A test tool for the observer (test/e2e/observer_ranges.py) and a
// way to look at activation ranges before calibration exists.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "edgec/AtomicFile.h"
#include "edgec/ModelRunner.h"
#include "edgec/OnnxImporter.h"
#include "edgec/Pipelines.h"
#include "edgec/npy.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

namespace {

struct Failure {
  std::string message;
};

std::string shapeStr(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "x" : "") + std::to_string(shape[i]);
  return s + "]";
}

std::vector<std::string> split(const std::string &s, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t end = s.find(sep, start);
    parts.push_back(s.substr(start, end - start));
    if (end == std::string::npos) return parts;
    start = end + 1;
  }
}

std::vector<int64_t> parseDims(const std::string &text, const std::string &spec) {
  std::vector<int64_t> dims;
  for (const std::string &d : split(text, 'x')) {
    char *end = nullptr;
    long long v = d.empty() ? -1 : std::strtoll(d.c_str(), &end, 10);
    if (d.empty() || *end || v < 0) throw Failure{"--input-shape '" + spec + "': expected NAME=D0xD1x..."};
    dims.push_back(v);
  }
  return dims;
}

struct Options {
  std::string model, output;
  std::vector<std::string> inputs, inputShapes;
  int threads = 0;
  bool noFuse = false, quiet = false;
};

void observe(const Options &opts) {
  const std::vector<std::string> &inputs = opts.inputs, &inputShapes = opts.inputShapes;
  const std::string &model = opts.model, &output = opts.output;
  // Input files per name; the number of runs is the longest list.
  std::map<std::string, std::vector<std::string>> files;
  size_t runs = 0;
  for (const std::string &spec : inputs) {
    size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
      throw Failure{"--input '" + spec + "': expected NAME=A.npy[,B.npy...]"};
    std::string name = spec.substr(0, eq);
    if (files.count(name)) throw Failure{"input '" + name + "' is given twice"};
    std::vector<std::string> list = split(spec.substr(eq + 1), ',');
    for (const std::string &f : list)
      if (f.empty()) throw Failure{"--input '" + spec + "': empty file name"};
    runs = std::max(runs, list.size());
    files[name] = std::move(list);
  }
  for (const auto &[name, list] : files)
    if (list.size() != 1 && list.size() != runs)
      throw Failure{"input '" + name + "' has " + std::to_string(list.size()) + " files, another input has " +
                    std::to_string(runs) + " (give each input one file or one per run)"};
  if (runs == 0) runs = 1;  // a model without inputs still runs once

  edgec::ImportOptions importOptions;
  for (const std::string &spec : inputShapes) {
    size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0) throw Failure{"--input-shape '" + spec + "': expected NAME=D0xD1x..."};
    importOptions.inputShapes[spec.substr(0, eq)] = parseDims(spec.substr(eq + 1), spec);
  }

  mlir::MLIRContext context;
  std::string diag;
  llvm::raw_string_ostream os(diag);
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
    os << d.getLocation() << ": " << d << "\n";
    return mlir::success();
  });
  std::string error;
  auto module = edgec::importOnnxFile(context, model, importOptions, error);
  if (!module) throw Failure{error + (diag.empty() ? "" : "\n" + os.str())};

  // The host pipeline, exactly as `edgec compile --target host` runs it.
  mlir::PassManager pm(&context);
  edgec::buildHostPipeline(pm, edgec::PipelineOptions{!opts.noFuse});
  if (mlir::failed(pm.run(*module))) throw Failure{"optimization failed:\n" + os.str()};

  edgec::ModelRunnerOptions options;
  options.threads = opts.threads;
  auto runner = edgec::ModelRunner::create(*module, options, error);
  if (!runner) throw Failure{error + (diag.empty() ? "" : "\n" + os.str())};

  edgec::TensorRangeRecorder recorder;
  runner->setObserver(recorder.observer());
  for (size_t r = 0; r < runs; ++r) {
    std::map<std::string, edgec::NpyArray> arrays;
    std::map<std::string, llvm::ArrayRef<uint8_t>> bytes;
    for (const auto &[name, list] : files) {
      const std::string &path = list.size() == 1 ? list[0] : list[r];
      edgec::NpyArray a;
      try {
        a = edgec::readNpy(path);
      } catch (const std::exception &e) {
        throw Failure{e.what()};
      }
      // A dtype or a shape the bytes cannot tell: checked here. Names and byte sizes:
      // ModelRunner::run.
      for (const edgec::RunnerTensorInfo &t : runner->inputs()) {
        if (t.name != name) continue;
        const char *want = edgec::dtypeName(edgec_dtype(t.dtype));
        if (uint8_t(a.dtype) != uint8_t(t.dtype))
          throw Failure{path + ": input '" + name + "' expects " + want + ", the file holds " +
                        edgec::dtypeName(a.dtype)};
        if (a.data.size() == t.bytes && a.shape != t.shape)
          throw Failure{path + ": input '" + name + "' expects shape " + shapeStr(t.shape) + ", the file holds " +
                        shapeStr(a.shape)};
      }
      arrays[name] = std::move(a);
      bytes[name] = arrays[name].data;
    }
    if (!runner->run(bytes, error))
      throw Failure{runs > 1 ? "run " + std::to_string(r + 1) + " of " + std::to_string(runs) + ": " + error
                             : error};
  }

  std::string text;
  llvm::raw_string_ostream js(text);
  {
    llvm::json::OStream json(js, 1);
    json.object([&] {
      for (const edgec::TensorRangeRecorder::Range &range : recorder.ranges())
        json.attributeObject(range.tensor, [&] {
          if (range.finite) {
            json.attribute("min", range.min);
            json.attribute("max", range.max);
          } else {
            json.attribute("min", nullptr);
            json.attribute("max", nullptr);
          }
          json.attribute("node", range.node);
          json.attribute("op", range.op);
          if (range.nonFinite) json.attribute("nonfinite", int64_t(range.nonFinite));
        });
    });
  }
  js << "\n";
  if (!edgec::writeFileAtomically(output, std::vector<uint8_t>(text.begin(), text.end()), error))
    throw Failure{error};
  if (!opts.quiet)
    std::fprintf(stderr, "edgec-observe: %zu run%s of %zu kernel calls on %d thread%s; %zu float tensors -> %s\n", runs,
                 runs == 1 ? "" : "s", runner->numKernelCalls(), runner->threads(), runner->threads() == 1 ? "" : "s",
                 recorder.ranges().size(), output.c_str());
}

}  // namespace

int main(int argc, char **argv) {
  CLI::App app{"edgec-observe: run a model inside the compiler and record every float tensor's min/max.\n"
               "Compiles MODEL with the host pipeline (as `edgec compile`), runs it on the runtime's best\n"
               "kernels (EDGEC_KERNELS caps the ISA) once per input set, and writes\n"
               "{tensor: {min, max, node, op}} as JSON, in kernel order.",
               "edgec-observe"};
  Options opts;
  app.add_option("model", opts.model, "ONNX model (.onnx or .onnxtxt)")->required();
  app.add_option("--input", opts.inputs,
                 "NAME=A.npy[,B.npy...]: an input's .npy files, one per run (repeatable; an input given "
                 "one file uses it in every run)");
  app.add_option("--input-shape", opts.inputShapes, "NAME=D0xD1x...: fix a graph input's shape (as `edgec compile`)");
  app.add_option("-o,--output", opts.output, "Where to write the ranges (.json)")->required();
  app.add_option("--threads", opts.threads, "Threads the kernels split their work over (default: one per core)")
      ->check(CLI::Range(0, 256));
  app.add_flag("--no-fuse", opts.noFuse, "Skip the fusion passes (as `edgec compile --no-fuse`)");
  app.add_flag("-q,--quiet", opts.quiet, "No summary on stderr");
  try {
    app.parse(argc, argv);
    observe(opts);
  } catch (const CLI::ParseError &e) {
    return app.exit(e);
  } catch (const Failure &f) {
    std::fprintf(stderr, "edgec-observe: error: %s\n", f.message.c_str());
    return 1;
  }
  return 0;
}
