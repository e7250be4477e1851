// `edgec compile`: model -> optimized edge IR -> target package (.edgepkg), through the
// Target interface; and `edgec targets`, which lists the registered targets.
#include "Commands.h"
#include "FusionReport.h"
#include "KeepFloatOptions.h"
#include "MixedPrecision.h"
#include "edgec/AtomicFile.h"
#include "edgec/Calibration.h"
#include "edgec/Pipelines.h"
#include "edgec/Target.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

namespace edgec::cli {

namespace {
std::string humanBytes(uint64_t bytes) {
  char buf[32];
  if (bytes < 1024 * 1024) std::snprintf(buf, sizeof buf, "%.1f KiB", bytes / 1024.0);
  else std::snprintf(buf, sizeof buf, "%.1f MiB", bytes / (1024.0 * 1024.0));
  return buf;
}

// What --precision accepts.
const char *const kPrecisions =
    "fp32, fp16, int8, int8-dynamic, int4-g32, int4-g64, int4-g128, int4-g32-a8, int4-g64-a8, int4-g128-a8, auto";

// Checks the quantization options together, before any work.
void checkPrecisionOptions(const std::string &precision, const std::string &calib, const std::string &method,
                           bool asym) {
  const bool int4 = int4GroupSize(precision) > 0;
  if (precision == "auto" && calib.empty())
    throw CommandError("--precision auto needs calibration samples: --calib DIR (the analysis runs the model on them; "
                       "see docs/quantization.md \"Mixed precision\")");
  if (precision != "fp32" && precision != "fp16" && precision != "int8" && precision != "int8-dynamic" && !int4 &&
      precision != "auto")
    throw CommandError("unknown --precision '" + precision + "' (choose one of: " + kPrecisions + ")");
  if (asym && !int4)
    throw CommandError("--asym is only used with --precision int4-gN or int4-gN-a8 (N = 32, 64, 128)");
  if ((int4 || precision == "int8-dynamic" || precision == "fp16") && !calib.empty())
    throw CommandError("--precision " + precision + " needs no calibration: --calib is only used with --precision int8");
  if (precision == "int8" && calib.empty())
    throw CommandError("--precision int8 needs calibration samples: --calib DIR (a folder of .npy or .npz files, "
                       "see docs/cli.md)");
  if (precision == "fp32" && !calib.empty())
    throw CommandError("--calib is only used with --precision int8 or auto, or --precision-plan");
  try {
    quant::parseCalibMethod(method);
  } catch (const quant::CalibrationError &e) {
    throw CommandError(e.what());
  }
}
// The module's dynamic dims (edge.input_dims, from the importer) with their bounds and
// the smaller sizes of the second compile (half the bound, rounded up). Every --dim-bound
// must name one of them.
DynamicDims dynamicDimsOf(mlir::ModuleOp module, const ModelInput &input) {
  DynamicDims dims;
  const std::map<std::string, int64_t> bounds = input.bounds();
  if (auto inputs = module->getAttrOfType<mlir::DictionaryAttr>("edge.input_dims"))
    for (mlir::NamedAttribute entry : inputs)
      for (mlir::Attribute name : llvm::cast<mlir::ArrayAttr>(entry.getValue())) {
        const std::string dim = llvm::cast<mlir::StringAttr>(name).str();
        dims.inputDims[entry.getName().str()].push_back(dim);
        if (dim.empty()) continue;
        dims.bounds[dim] = bounds.at(dim);
        dims.smaller[dim] = (bounds.at(dim) + 1) / 2;
      }
  for (const auto &[name, bound] : bounds)
    if (!dims.bounds.count(name)) {
      std::string known;
      for (const auto &[dim, b] : dims.bounds) known += (known.empty() ? "" : ", ") + dim;
      throw CommandError("--dim-bound " + name + "=" + std::to_string(bound) + ": no graph input has a dim named '" +
                         name + "'" + (known.empty() ? "" : " (dynamic dims: " + known + ")"));
    }
  return dims;
}
}  // namespace

void addCompileCommand(CLI::App &app) {
  auto *cmd = app.add_subcommand("compile", "Compile a model into a deployable .edgepkg package");
  struct Options {
    ModelInput input;
    std::string target = "host";
    std::string output;
    std::string dumpIr;
    bool noFuse = false, quiet = false, asym = false, reportFusion = false;
    std::string precision = "fp32", calib, calibMethod = "minmax";
    size_t calibSamples = 0;
    int threads = 0;
    KeepFloatOptions keepFloat;
    MixedPrecisionOptions mixed;
    std::string planFile;
    GgufCompileOptions gguf;
  };
  auto opts = std::make_shared<Options>();
  opts->input.addOptions(*cmd);
  std::string targetHelp = "Target to compile for; registered:";
  for (const Target *t : registeredTargets()) targetHelp += "\n  " + t->name().str() + ": " + t->description().str();
  // Checked in the callback rather than by CLI11, so an unknown name gets one line that
  // lists the registered targets.
  cmd->add_option("--target", opts->target, targetHelp)->capture_default_str();
  cmd->add_option("-o,--output", opts->output, "Output package (.edgepkg)")->required();
  cmd->add_flag("--no-fuse", opts->noFuse,
                "Skip the fusion passes (conv+batchnorm, conv epilogues: Relu/Clip/Sigmoid/SiLU/HardSwish and residual Adds, layernorm, "
                "rmsnorm, attention, MatMul transpose and bias into Gemm, chains of elementwise ops)");
  cmd->add_flag("--report-fusion", opts->reportFusion,
                "Print each fused op with the ONNX nodes it came from (on stdout, after the package is written)");
  cmd->add_option("--dump-ir", opts->dumpIr, "Also write the optimized edge IR (constants elided) to this file");
  cmd->add_flag("-q,--quiet", opts->quiet, "No progress output");
  cmd->add_option("--precision", opts->precision,
                  "Numeric precision of the package: fp32 (as the model is; a model that is already quantized with "
                  "QuantizeLinear/DequantizeLinear keeps its own quantization); fp16 (weights and activations f16, "
                  "f32 inputs and outputs); int8 (static: weights int8 per output channel, activations int8 per "
                  "tensor from calibration ranges; needs --calib); int8-dynamic (MatMul/Gemm weights int8 per "
                  "column, activations quantized per row at run time; for transformers; no calibration); "
                  "int4-g32, int4-g64, int4-g128 (weight-only INT4: MatMul/Gemm/Conv weights in groups of 32, 64 "
                  "or 128 along the reduction dim, symmetric unless --asym; activations stay fp32; no calibration); "
                  "int4-g32-a8, int4-g64-a8, int4-g128-a8 (the same int4 weights, and MatMul/Gemm activations "
                  "quantized to int8 per group at run time: int4 x int8 dot products, as GGUF's Q4_0 x Q8_0); "
                  "auto (a precision per layer, chosen from each layer's error measured on --calib samples to meet "
                  "--max-size-mb, --min-sqnr-db and/or --max-latency-ms)")
      ->capture_default_str();
  cmd->add_flag("--asym", opts->asym,
                "With --precision int4-gN[-a8]: asymmetric groups (uint4 codes with a zero point per group)");
  cmd->add_option("--calib", opts->calib,
                  "Folder of calibration samples for --precision int8: .npy files (models with one input) or .npz "
                  "files keyed by input name; one sample per file, or a batch along axis 0");
  CLI::Option *calibMethod = cmd->add_option("--calib-method", opts->calibMethod,
                  "How ranges are chosen from the observed activations: minmax, percentile[:P] (default P 99.99), "
                  "entropy (KL divergence, as TensorRT) or mse")
      ->capture_default_str();
  CLI::Option *calibSamples =
      cmd->add_option("--calib-samples", opts->calibSamples, "Use at most N calibration samples (default: all)");
  CLI::Option *threads =
      cmd->add_option("--threads", opts->threads, "Threads for running the model during calibration (default: one per core)")
          ->check(CLI::Range(1, 256));
  opts->keepFloat.addOptions(*cmd);
  auto *planFile = cmd->add_option("--precision-plan", opts->planFile,
                                   "Compile with the precision per op in this plan.json (as edgec analyze or "
                                   "--precision auto --report writes it, or edited); same plan, same package")
                       ->type_name("FILE");
  auto *mixedGroup = cmd->add_option_group("--precision auto", "Mixed precision chosen from measured sensitivity");
  opts->mixed.addPlanOptions(*mixedGroup);
  opts->mixed.addReportOption(*mixedGroup, "With --precision auto: also write the sensitivity report and plan.json "
                                           "into DIR (as edgec analyze --report)");
  auto *ggufGroup = cmd->add_option_group("GGUF models", "Language models from .gguf files (docs/gguf.md)");
  opts->gguf.addOptions(*ggufGroup);
  cmd->callback([cmd, opts, calibMethod, calibSamples, threads, planFile, mixedGroup, ggufGroup] {
    if (isGgufFile(opts->input.path)) {
      // Weights are kept as the file stores them: no precision, calibration or shape options.
      for (CLI::Option *o : cmd->get_options())
        if (o->count() && o->get_group() != ggufGroup->get_name() &&
            !(o->check_lname("output") || o->check_lname("target") || o->check_lname("quiet") ||
              o->check_lname("dump-ir") || o->get_positional()))
          throw CommandError(o->get_name() + " does not apply to a GGUF model (its weights are compiled as stored)");
      if (!lookupTarget(opts->target))
        throw CommandError("unknown target '" + opts->target + "' (registered targets: " + registeredTargetNames() +
                           ")");
      compileGguf(opts->input.path, opts->gguf, *lookupTarget(opts->target), opts->output, opts->dumpIr,
                  opts->quiet);
      return;
    }
    for (CLI::Option *o : ggufGroup->get_options())
      if (o->count()) throw CommandError(o->get_name() + " is only used with a .gguf model");
    const bool automatic = opts->precision == "auto";
    // Calibration options without calibration would be silently ignored.
    for (CLI::Option *o : {calibMethod, calibSamples, threads})
      if (o->count() && opts->precision != "int8" && !automatic && !planFile->count())
        throw CommandError(o->get_name() + " is only used with --precision int8 or auto, or --precision-plan (it "
                           "sets up calibration)");
    for (CLI::Option *o : mixedGroup->get_options())
      if (o->count() && !automatic) throw CommandError(o->get_name() + " is only used with --precision auto");
    const bool planned = planFile->count() > 0;
    if (planned && opts->precision != "fp32")
      throw CommandError("--precision-plan gives every op its precision: leave out --precision");
    AutoPlanOptions autoOptions = opts->mixed.check();
    if (automatic && !autoOptions.budget.any())
      throw CommandError("--precision auto needs a budget: --max-size-mb MB, --min-sqnr-db DB and/or --max-latency-ms "
                         "MS (see docs/quantization.md \"Mixed precision\")");
    // Fail before a long compile, and before --dump-ir writes anything.
    const Target *target = lookupTarget(opts->target);
    if (!target)
      throw CommandError("unknown target '" + opts->target + "' (registered targets: " + registeredTargetNames() + ")");
    checkOutputFile(opts->output);
    if (!opts->dumpIr.empty()) checkOutputFile(opts->dumpIr);
    if (!planned) checkPrecisionOptions(opts->precision, opts->calib, opts->calibMethod, opts->asym);
    opts->keepFloat.check(planned ? "plan" : opts->precision);
    const bool int8 = opts->precision == "int8";
    const int64_t int4Group = int4GroupSize(opts->precision);
    const bool transforms = int4Group || opts->precision == "int8-dynamic" || opts->precision == "fp16";
    Progress progress(automatic ? 7 : planned ? (opts->calib.empty() ? 5 : 6) : int8 ? 6 : transforms ? 5 : 4,
                      opts->quiet);
    mlir::MLIRContext context;
    DiagnosticText diagnostics(context);

    CalibrationSettings calibration{opts->calib, opts->calibMethod, opts->calibSamples, opts->threads};
    progress.step("importing " + opts->input.path);
    auto module = loadModel(context, opts->input);
    const DynamicDims dynamicDims = dynamicDimsOf(*module, opts->input);
    // Sizes that values decide (NonZero, ...) vary at run time like dynamic dims.
    const bool dataDependent = bool((*module)->getAttr("edge.data_dependent"));
    const bool dynamic = !dynamicDims.inputDims.empty() || dataDependent;
    if (dynamic && (int8 || automatic || planned || opts->keepFloat.any()))
      throw CommandError(dynamicDims.inputDims.empty()
                             ? "the model has sizes that values decide (NonZero, Compress, Unique, NonMaxSuppression), "
                               "which work with --precision fp32, fp16, int8-dynamic and int4 so far, without "
                               "calibration or --keep-float"
                             : "dynamic dims (--dim-bound) work with --precision fp32, fp16, int8-dynamic and int4 so "
                               "far, without calibration or --keep-float: fix the dims with --input-shape for this "
                               "precision");

    progress.step("optimizing for " + opts->target);
    mlir::PassManager pm(&context);
    const PipelineOptions pipeline{!opts->noFuse, opts->reportFusion};
    target->buildPipeline(pm, pipeline);
    if (mlir::failed(pm.run(*module))) throw CommandError("optimization failed:\n" + diagnostics.str());
    // Fused groups now; the precision passes may rebuild ops without their edge.fused,
    // so the late pipeline's records are added to these afterwards.
    FusionReport fusion;
    if (opts->reportFusion) fusion.collect(*module);
    opts->keepFloat.apply(*module, opts->quiet);  // names after fusion: what the passes see

    std::string planSummary;  // printed after the progress lines
    if (automatic) {
      const MixedPlan mixed = planMixedPrecision(*module, calibration, opts->mixed, autoOptions, opts->input.path,
                                                 progress, opts->quiet);
      const quant::ChosenPlan &chosen = mixed.chosen;
      std::string error;
      if (mlir::failed(applyPrecisionPlan(*module, mixed.plan.precisionOf, error))) throw CommandError(error);
      char line[256];
      std::snprintf(line, sizeof line, "plan (%s, %d round%s): measured %.3f MiB, SQNR %.1f dB, %.3f ms per run\n",
                    chosen.objective.c_str(), chosen.iterations, chosen.iterations == 1 ? "" : "s",
                    double(chosen.measured.packageBytes) / (1024.0 * 1024.0), chosen.measured.sqnrDb,
                    chosen.measured.latencyMs);
      planSummary = line;
    }
    if (planned) {
      PrecisionPlan plan;
      std::string error;
      if (!readPlanFile(opts->planFile, *module, plan, error)) throw CommandError(error);
      if (!opts->calib.empty()) {
        progress.step("calibrating (" + opts->calibMethod + ")");
        calibrateModule(*module, calibration, progress, opts->quiet);
      } else {
        writeRanges(*module, plan.ranges);
      }
      progress.step("applying the precision plan " + opts->planFile);
      if (mlir::failed(applyPrecisionPlan(*module, plan.precisionOf, error)))
        throw CommandError(opts->planFile + ": " + error);
    }
    if (int8) {
      progress.step("calibrating (" + opts->calibMethod + ")");
      calibrateModule(*module, calibration, progress, opts->quiet);
      progress.step("quantizing to int8");
    }
    if (opts->precision == "int8-dynamic")
      progress.step("quantizing MatMul/Gemm weights to int8 (activations per row at run time)");
    if (opts->precision == "fp16") progress.step("converting to fp16");
    if (int4Group)
      progress.step("quantizing weights to int4 (groups of " + std::to_string(int4Group) +
                    (opts->asym ? ", asymmetric" : ", symmetric") +
                    (int4Activations8(opts->precision) ? "; MatMul/Gemm activations int8 per group)" : ")"));
    if (int8 || transforms) {
      // The precision's own passes, after the target's pipeline (calibration needs the
      // fused model that ships).
      mlir::PassManager qpm(&context);
      buildPrecisionPipeline(qpm, opts->precision, opts->asym);
      if (mlir::failed(qpm.run(*module)))
        throw CommandError("--precision " + opts->precision + " failed:\n" + diagnostics.str());
    }
    {
      mlir::PassManager lpm(&context);
      target->buildLatePipeline(lpm, pipeline);
      if (mlir::failed(lpm.run(*module))) throw CommandError("optimization failed:\n" + diagnostics.str());
      if (opts->reportFusion) fusion.collect(*module);
    }
    if (!opts->dumpIr.empty()) {
      std::string text;
      llvm::raw_string_ostream ir(text);
      module->print(ir, mlir::OpPrintingFlags().elideLargeElementsAttrs(16).elideLargeResourceString(64));
      std::string error;
      if (!writeFileAtomically(opts->dumpIr, std::vector<uint8_t>(text.begin(), text.end()), error))
        throw CommandError(error);
    }

    progress.step("lowering to kernels and planning memory");
    if (mlir::failed(target->checkLegality(*module))) throw CommandError(diagnostics.str());

    // Lowering and writing are one step for a target that streams its weights.
    progress.step("writing " + opts->output);
    PackageStats stats;
    if (dynamic) {
      // The same compile with every dynamic dim (and data-dependent size) smaller tells
      // which dims follow them.
      ModelInput smallerInput = opts->input;
      smallerInput.dimSizes = dynamicDims.smaller;
      smallerInput.dataDependentProbe = dataDependent;
      auto smaller = loadModel(context, smallerInput);
      mlir::PassManager spm(&context);
      target->buildPipeline(spm, PipelineOptions{!opts->noFuse, false});
      if (transforms) buildPrecisionPipeline(spm, opts->precision, opts->asym);
      target->buildLatePipeline(spm, PipelineOptions{!opts->noFuse, false});
      if (mlir::failed(spm.run(*smaller))) throw CommandError("optimization failed:\n" + diagnostics.str());
      std::string error;
      std::vector<uint8_t> package = target->buildDynamicPackage(*module, *smaller, dynamicDims, &stats, error);
      if (package.empty()) throw CommandError(error + (diagnostics.str().empty() ? "" : "\n" + diagnostics.str()));
      if (!writeFileAtomically(opts->output, package, error)) throw CommandError(error);
    } else if (!target->writePackage(*module, opts->output, &stats)) {
      throw CommandError("lowering failed:\n" + diagnostics.str());
    }
    progress.done();
    if (!opts->quiet) std::fputs(planSummary.c_str(), stderr);
    if (opts->reportFusion) fusion.print(opts->noFuse);
    opts->keepFloat.report();
    if (!opts->quiet)
      std::fprintf(stderr, "wrote %s: %zu kernels, %s constants, %s arena (lower bound %s in this kernel order; %s without reuse)\n",
                   opts->output.c_str(), stats.kernels, humanBytes(stats.constantBytes).c_str(),
                   humanBytes(stats.arenaBytes).c_str(), humanBytes(stats.arenaLowerBoundBytes).c_str(),
                   humanBytes(stats.naiveArenaBytes).c_str());
  });
}

void addTargetsCommand(CLI::App &app) {
  auto *cmd = app.add_subcommand("targets", "List the targets `edgec compile --target` accepts");
  cmd->callback([] {
    for (const Target *t : registeredTargets())
      std::printf("%-10s %s\n", t->name().str().c_str(), t->description().str().c_str());
  });
}

}  // namespace edgec::cli
