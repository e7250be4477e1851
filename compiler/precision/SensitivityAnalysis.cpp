// SensitivityAnalyzer (edgec/SensitivityAnalysis.h): one trial per (group, precision),
// each a plan with only that group quantized, run on the runtime's kernels.
#include "edgec/SensitivityAnalysis.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <functional>

#include "edge/EdgeDialect.h"
#include "edge/KeepFloat.h"
#include "edgec/AutoPlan.h"
#include "edgec/ModelRunner.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "quant/CalibrationSamples.h"

namespace edgec {

namespace {

// One sample: every graph input's bytes by name.
using SampleInputs = std::map<std::string, std::vector<uint8_t>>;

// Sums of an output comparison; OutputError at the end.
struct ErrorSums {
  double ref2 = 0, err2 = 0, dot = 0, q2 = 0, maxAbs = 0;
  uint64_t count = 0, rows = 0, agree = 0;

  void add(const std::vector<float> &ref, const float *q, int64_t rowLength) {
    for (size_t i = 0; i < ref.size(); ++i) {
      const double r = ref[i], v = q[i], e = r - v;
      ref2 += r * r, err2 += e * e, dot += r * v, q2 += v * v;
      // NaN in a quantized output is the worst error there is, not one to skip.
      maxAbs = std::isnan(e) ? INFINITY : std::max(maxAbs, std::fabs(e));
    }
    count += ref.size();
    if (rowLength < 2) return;
    for (size_t row = 0; row + size_t(rowLength) <= ref.size(); row += size_t(rowLength)) {
      const float *r = ref.data() + row, *v = q + row;
      agree += std::max_element(r, r + rowLength) - r == std::max_element(v, v + rowLength) - v;
      ++rows;
    }
  }

  quant::OutputError result() const {
    quant::OutputError e;
    e.sqnrDb = err2 > 0 ? 10 * std::log10(ref2 / err2) : INFINITY;
    if (std::isnan(err2)) e.sqnrDb = -INFINITY;
    e.mse = count ? err2 / double(count) : 0;
    e.cosine = ref2 > 0 && q2 > 0 ? dot / std::sqrt(ref2 * q2) : (ref2 == q2 ? 1.0 : 0.0);
    e.maxAbs = maxAbs;
    e.top1 = rows ? double(agree) / double(rows) : NAN;
    return e;
  }
};

// The op `v` comes from, looking through ops that only move data.
mlir::Operation *sourceOf(mlir::Value v) {
  mlir::Operation *op = v.getDefiningOp();
  while (op && op->getNumOperands() > 0 &&
         mlir::isa<mlir::edge::ReshapeOp, mlir::edge::TransposeOp, mlir::edge::SliceOp, mlir::edge::ConcatOp>(op))
    op = op->getOperand(0).getDefiningOp();
  return op;
}

bool hasConstantOperand(mlir::Operation *op) {
  return llvm::any_of(op->getOperands(), [](mlir::Value v) { return v.getDefiningOp<mlir::edge::ConstantOp>(); });
}

// Why automatic plans keep a group float by default (docs/quantization.md "Mixed
// precision"): the layers every quantizer's users find most sensitive.
std::vector<std::string> protectionReasons(const std::vector<PlanOp> &ops) {
  std::vector<std::string> why(ops.size());
  std::vector<size_t> weighted;
  for (size_t i = 0; i < ops.size(); ++i) {
    mlir::Operation *op = ops[i].operation;
    if (!ops[i].group) continue;
    if (llvm::StringRef(ops[i].op).contains("Norm")) why[i] = "normalization";
    if (!mlir::isa<mlir::edge::ConvOp, mlir::edge::GemmOp, mlir::edge::MatMulOp>(op) || !hasConstantOperand(op))
      continue;
    weighted.push_back(i);
    // An attention output projection: its input is softmax(...) x V.
    mlir::Operation *src = sourceOf(op->getOperand(0));
    if (src && mlir::isa<mlir::edge::MatMulOp>(src) && !hasConstantOperand(src) &&
        llvm::any_of(src->getOperands(), [](mlir::Value v) {
          mlir::Operation *s = sourceOf(v);
          return s && mlir::isa<mlir::edge::SoftmaxOp>(s);
        }))
      why[i] = "attention output projection";
  }
  if (!weighted.empty()) {
    why[weighted.front()] = "first weighted layer";
    if (weighted.size() > 1) why[weighted.back()] = "last weighted layer";
  }
  return why;
}

double perRun(const ModelRunner::CallTime &c) { return c.runs ? c.totalMs / double(c.runs) : 0; }

// The kernel time of the calls that write the results of the op at `loc`.
double ownTime(const std::vector<ModelRunner::CallTime> &calls, mlir::Location loc) {
  double total = 0;
  for (const ModelRunner::CallTime &c : calls)
    if (c.operation && c.operation->getLoc() == loc) total += perRun(c);
  return total;
}

}  // namespace

struct SensitivityAnalyzer::Impl {
  mlir::OwningOpRef<mlir::ModuleOp> module;  // optimized and calibrated fp32
  std::vector<PlanOp> ops;
  std::vector<std::string> protectedBecause;
  std::vector<SampleInputs> samples;
  AnalysisOptions options;
  // The fp32 baseline.
  std::vector<std::vector<std::vector<float>>> reference;  // [sample][output]; empty for a non-f32 output
  std::vector<int64_t> rowLength;                          // per output: its last dim (top-1 rows)
  std::vector<ModelRunner::CallTime> baseCalls;
  std::vector<double> fp32LatencyMs;  // per plan op
  uint64_t basePackageBytes = 0;
  double baseLatencyMs = 0;
  int threads = 1;

  // Runs every sample through `runner` with profiling, calling `each(sample)` after each
  // run (the outputs are then the runner's).
  bool runSamples(ModelRunner &runner, const std::function<void(size_t)> &each,
                  std::vector<ModelRunner::CallTime> &calls, std::string &error) {
    runner.setProfiling(true);
    for (size_t s = 0; s < samples.size(); ++s) {
      std::map<std::string, llvm::ArrayRef<uint8_t>> bound;
      for (const auto &[name, bytes] : samples[s]) bound[name] = llvm::ArrayRef<uint8_t>(bytes);
      if (!runner.run(bound, error)) {
        error = "sample " + std::to_string(s) + ": " + error;
        return false;
      }
      each(s);
    }
    calls = runner.callTimes();
    runner.setProfiling(false);
    return true;
  }

  // runSamples, adding every f32 output's error against the baseline to `sums`.
  bool compareSamples(ModelRunner &runner, ErrorSums &sums, std::vector<ModelRunner::CallTime> &calls,
                      std::string &error) {
    return runSamples(
        runner,
        [&](size_t s) {
          for (size_t o = 0; o < reference[s].size(); ++o)
            if (!reference[s][o].empty())
              sums.add(reference[s][o], reinterpret_cast<const float *>(runner.output(o).data()), rowLength[o]);
        },
        calls, error);
  }

  std::unique_ptr<ModelRunner> runnerFor(const std::map<std::string, std::string> &precisionOf, bool *changed,
                                         mlir::OwningOpRef<mlir::ModuleOp> &copy, std::string &error) {
    copy = mlir::cast<mlir::ModuleOp>((*module)->clone());
    if (mlir::failed(applyPrecisionPlan(*copy, precisionOf, error, changed))) return nullptr;
    if (changed && !*changed) return nullptr;
    ModelRunnerOptions ro;
    ro.threads = options.threads;
    return ModelRunner::create(*copy, ro, error);
  }

  // The kernel time a trial adds to the baseline's: over the calls the trial changed
  // (calls are compared from both ends by node and kernel; what differs in the middle is
  // what the trial inserted or replaced) and the group's own calls (at `loc`), which keep
  // their node and kernel name when only their types change.
  double latencyChange(const std::vector<ModelRunner::CallTime> &trial, mlir::Location loc) const {
    const auto &base = baseCalls;
    size_t head = 0, tail = 0;
    auto same = [](const ModelRunner::CallTime &a, const ModelRunner::CallTime &b) {
      return a.node == b.node && a.op == b.op;
    };
    while (head < trial.size() && head < base.size() && same(trial[head], base[head])) ++head;
    while (tail < trial.size() - head && tail < base.size() - head &&
           same(trial[trial.size() - 1 - tail], base[base.size() - 1 - tail]))
      ++tail;
    auto sum = [&](const std::vector<ModelRunner::CallTime> &calls) {
      double total = 0;
      for (size_t i = 0; i < calls.size(); ++i)
        if ((i >= head && i < calls.size() - tail) || (calls[i].operation && calls[i].operation->getLoc() == loc))
          total += perRun(calls[i]);
      return total;
    };
    return sum(trial) - sum(base);
  }
};

SensitivityAnalyzer::SensitivityAnalyzer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SensitivityAnalyzer::~SensitivityAnalyzer() = default;
const std::vector<PlanOp> &SensitivityAnalyzer::ops() const { return impl_->ops; }

std::unique_ptr<SensitivityAnalyzer> SensitivityAnalyzer::create(mlir::ModuleOp module, const AnalysisOptions &options,
                                                                 std::string &error) {
  auto impl = std::make_unique<Impl>();
  impl->module = mlir::cast<mlir::ModuleOp>(module->clone());
  impl->ops = planOps(*impl->module);
  impl->protectedBecause = protectionReasons(impl->ops);
  impl->options = options;
  if (llvm::none_of(impl->ops, [](const PlanOp &p) { return p.group && !mlir::edge::isKeptFloat(p.operation); })) {
    error = "the model has no float ops to analyze (an already-quantized model keeps its own precision)";
    return nullptr;
  }
  ModelRunnerOptions ro;
  ro.threads = options.threads;
  std::unique_ptr<ModelRunner> runner = ModelRunner::create(*impl->module, ro, error);
  if (!runner) return nullptr;
  impl->threads = runner->threads();
  // The samples, checked against the model's inputs as calibration checks them.
  std::vector<quant::ModelInputSpec> specs;
  for (const RunnerTensorInfo &in : runner->inputs())
    specs.push_back({in.name, static_cast<edgec_dtype>(in.dtype), in.shape});
  try {
    for (quant::CalibrationSample &sample :
         quant::CalibrationSamples::open(options.samplesDir, specs, options.maxSamples).loadAll())
      impl->samples.push_back(std::move(sample.inputs));
  } catch (const quant::CalibrationError &e) {
    error = std::string("analysis samples: ") + e.what();
    return nullptr;
  }
  if (impl->samples.empty()) {
    error = "no analysis samples";
    return nullptr;
  }
  for (const RunnerTensorInfo &out : runner->outputs())
    impl->rowLength.push_back(out.shape.empty() ? 1 : out.shape.back());
  // The reference outputs (every f32 one), then the baseline's timing from a second pass
  // (the first warmed the caches).
  impl->reference.resize(impl->samples.size());
  std::vector<ModelRunner::CallTime> firstPass;
  auto keepOutputs = [&](size_t s) {
    for (size_t o = 0; o < runner->outputs().size(); ++o) {
      std::vector<float> values;
      if (runner->outputs()[o].dtype == pkg::DType::f32) {
        llvm::ArrayRef<uint8_t> bytes = runner->output(o);
        values.resize(bytes.size() / sizeof(float));
        std::memcpy(values.data(), bytes.data(), values.size() * sizeof(float));
      }
      impl->reference[s].push_back(std::move(values));
    }
  };
  if (!impl->runSamples(*runner, keepOutputs, firstPass, error) ||
      !impl->runSamples(*runner, [](size_t) {}, impl->baseCalls, error))
    return nullptr;
  impl->fp32LatencyMs.assign(impl->ops.size(), 0);
  std::map<mlir::Operation *, size_t> index;
  for (size_t i = 0; i < impl->ops.size(); ++i) index[impl->ops[i].operation] = i;
  for (const ModelRunner::CallTime &c : impl->baseCalls) {
    impl->baseLatencyMs += perRun(c);
    if (auto it = index.find(c.operation); it != index.end()) impl->fp32LatencyMs[it->second] += perRun(c);
  }
  impl->basePackageBytes = runner->packageBytes();
  return std::unique_ptr<SensitivityAnalyzer>(new SensitivityAnalyzer(std::move(impl)));
}

bool SensitivityAnalyzer::analyze(quant::SensitivityResult &result, std::string &error) {
  Impl &m = *impl_;
  const auto start = std::chrono::steady_clock::now();
  result.samples = m.samples.size();
  result.threads = m.threads;
  result.precisions = m.options.precisions;
  result.fp32PackageBytes = m.basePackageBytes;
  result.fp32LatencyMs = m.baseLatencyMs;
  result.groups.clear();
  std::vector<size_t> analyzed;
  for (size_t i = 0; i < m.ops.size(); ++i)
    if (m.ops[i].group && !mlir::edge::isKeptFloat(m.ops[i].operation)) analyzed.push_back(i);
  const size_t total = analyzed.size() * m.options.precisions.size();  // (+ one chain run per precision)
  size_t done = 0;
  if (m.options.progress) m.options.progress(0, total);
  for (size_t i : analyzed) {
    const PlanOp &op = m.ops[i];
    quant::GroupSensitivity g;
    g.name = op.name;
    g.op = op.op;
    g.nodes = op.nodes;
    g.params = op.params;
    g.fp32Bytes = op.fp32Bytes;
    g.fp32LatencyMs = m.fp32LatencyMs[i];
    g.protectedBecause = m.protectedBecause[i];
    for (const std::string &precision : m.options.precisions) {
      bool changed = false;
      mlir::OwningOpRef<mlir::ModuleOp> copy;
      std::string trialError;
      std::unique_ptr<ModelRunner> runner = m.runnerFor({{op.name, precision}}, &changed, copy, trialError);
      if (!runner && changed) {
        error = "group '" + op.name + "' at " + precision + ": " + trialError;
        return false;
      }
      if (runner) {
        ErrorSums sums;
        std::vector<ModelRunner::CallTime> calls;
        if (!m.compareSamples(*runner, sums, calls, trialError)) {
          error = "group '" + op.name + "' at " + precision + ": " + trialError;
          return false;
        }
        quant::CandidateMeasure c;
        c.precision = precision;
        c.error = sums.result();
        // What the package grows or shrinks by, so that plans add up to package sizes:
        // the weights and the records (tensors, quantization parameters) the precision adds.
        c.bytes = uint64_t(std::max<int64_t>(0, int64_t(op.fp32Bytes) + int64_t(runner->packageBytes()) -
                                                    int64_t(m.basePackageBytes)));
        c.latencyMs = std::max(0.0, g.fp32LatencyMs + m.latencyChange(calls, op.operation->getLoc()));
        c.conversionMs = std::max(0.0, c.latencyMs - ownTime(calls, op.operation->getLoc()));
        g.candidates.push_back(std::move(c));
      }
      if (m.options.progress) m.options.progress(++done, total);
    }
    result.groups.push_back(std::move(g));
  }
  // Each precision once over every group it changes: what a group costs inside a chain of
  // its own precision.
  for (const std::string &precision : m.options.precisions) {
    std::vector<std::string> choice;
    bool any = false;
    for (const quant::GroupSensitivity &g : result.groups) {
      const bool takes =
          llvm::any_of(g.candidates, [&](const quant::CandidateMeasure &c) { return c.precision == precision; });
      choice.push_back(takes ? precision : "fp32");
      any |= takes;
    }
    if (!any) continue;
    mlir::OwningOpRef<mlir::ModuleOp> copy;
    std::string trialError;
    std::unique_ptr<ModelRunner> runner =
        m.runnerFor(expandGroupChoice(m.ops, result, choice), nullptr, copy, trialError);
    std::vector<ModelRunner::CallTime> calls;
    if (!runner || !m.runSamples(*runner, [](size_t) {}, calls, trialError)) {
      error = "every group at " + precision + ": " + trialError;
      return false;
    }
    for (size_t k = 0; k < result.groups.size(); ++k)
      for (quant::CandidateMeasure &c : result.groups[k].candidates)
        if (c.precision == precision) c.chainLatencyMs = ownTime(calls, m.ops[analyzed[k]].operation->getLoc());
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return true;
}

bool SensitivityAnalyzer::measure(const std::map<std::string, std::string> &precisionOf, quant::OutputError &outError,
                                  quant::PlanFigures &figures, std::string &message) {
  mlir::OwningOpRef<mlir::ModuleOp> copy;
  std::unique_ptr<ModelRunner> runner = impl_->runnerFor(precisionOf, nullptr, copy, message);
  if (!runner) return false;
  ErrorSums sums;
  std::vector<ModelRunner::CallTime> calls;
  if (!impl_->compareSamples(*runner, sums, calls, message)) return false;
  outError = sums.result();
  figures.sqnrDb = outError.sqnrDb;
  figures.top1 = outError.top1;
  figures.packageBytes = runner->packageBytes();
  figures.latencyMs = 0;
  for (const ModelRunner::CallTime &c : calls) figures.latencyMs += perRun(c);
  return true;
}

}  // namespace edgec
