// chooseAutoPlan (edgec/AutoPlan.h).
//
// ESTIMATE. Quantization noise of different groups adds up at the output about as
// independent noise does, so a plan's output noise is estimated as the sum of each
// group's measured mean squared output error at its precision (0 at fp32), and its SQNR
// as 10 log10(signal power / that sum). Bytes add up exactly. Kernel time is each
// group's own kernels as measured in a chain of its precision, plus the conversions its
// one-group trial needed at its boundary, in proportion to how many of its neighbours
// run at another precision (an int8 conv between int8 neighbours needs no
// quantize/dequantize; between fp32 ones it needs both).
//
// CHOICE, a greedy walk over the measured options (each group: fp32 and every candidate
// that changes it):
//  * with a size or latency budget: from all-fp32, repeatedly take the change that
//    removes the most excess over the budgets per unit of noise added (never one that
//    adds excess), until the budgets hold; then spend what is left of them on the
//    changes that remove the most noise (least error within the budgets);
//  * with only --min-sqnr-db: from all-fp32, repeatedly take the change with the most
//    bytes saved per unit of noise added that keeps the noise within the target
//    (smallest plan within the error budget).
// VERIFY. The plan is compiled and run on the analysis samples; when a measured figure
// misses its budget, that budget is tightened by the factor the estimate was off and the
// choice is made again.
#include "edgec/AutoPlan.h"

#include <algorithm>
#include <regex>
#include <functional>
#include <set>

#include "edge/KeepFloat.h"
#include "llvm/Support/FormatVariadic.h"

namespace edgec {

namespace {

constexpr double kMiB = 1024.0 * 1024.0;

struct Option {
  std::string precision;
  double noise = 0;  // mean squared output error
  double bytes = 0;
  double chainMs = 0;       // own kernels among neighbours of the same precision
  double conversionMs = 0;  // conversions at its boundary when no neighbour shares it
};

struct Candidates {
  std::vector<std::vector<Option>> options;  // per group; [0] is fp32
  std::vector<std::vector<size_t>> allowed;  // per group: indices into options
  // Per group: the groups it exchanges values with (through ops that only move data);
  // -1 for a graph input or output, which is always fp32.
  std::vector<std::vector<int>> neighbours;
  double signal = 1;                      // mean square of the fp32 outputs
  double baseBytes = 0, baseLatency = 0;  // the fp32 package
};

struct Estimate {
  double noise = 0, bytes = 0, latencyMs = 0;
  double sqnrDb(double signal) const { return noise > 0 ? 10 * std::log10(signal / noise) : INFINITY; }
};

// Latency: each group's own kernels as in a chain of its precision, plus its boundary
// conversions in proportion to how many of its neighbours run at another precision.
Estimate estimate(const Candidates &c, const std::vector<size_t> &state) {
  Estimate e{0, c.baseBytes, c.baseLatency};
  for (size_t g = 0; g < state.size(); ++g) {
    const Option &o = c.options[g][state[g]], &fp32 = c.options[g][0];
    e.noise += o.noise;
    e.bytes += o.bytes - fp32.bytes;
    e.latencyMs += o.chainMs - fp32.chainMs;
    if (o.conversionMs > 0 && !c.neighbours[g].empty()) {
      size_t differ = 0;
      for (int n : c.neighbours[g])
        differ += n < 0 ? state[g] != 0 : c.options[size_t(n)][state[size_t(n)]].precision != o.precision;
      e.latencyMs += o.conversionMs * double(differ) / double(c.neighbours[g].size());
    }
  }
  return e;
}

struct Limits {
  double bytes = INFINITY, latencyMs = INFINITY, noise = INFINITY;
};

// The greedy walk (see the top of the file), each change judged by the estimate of the
// whole plan after it (a group's latency depends on its neighbours'). False when the
// budgets cannot be met; the state is then the closest the walk got.
bool greedy(const Candidates &c, const Limits &limits, std::vector<size_t> &state) {
  state.assign(c.options.size(), 0);
  for (size_t g = 0; g < state.size(); ++g) state[g] = c.allowed[g].front();  // forced or fp32
  const double eps = c.signal * 1e-12;
  const bool resourceBudget = std::isfinite(limits.bytes) || std::isfinite(limits.latencyMs);
  auto excess = [&](const Estimate &e) {
    return std::max(0.0, e.bytes - limits.bytes) / limits.bytes +
           std::max(0.0, e.latencyMs - limits.latencyMs) / limits.latencyMs;
  };
  while (true) {
    const Estimate e = estimate(c, state);
    if (resourceBudget && excess(e) <= 0) break;
    size_t bestGroup = SIZE_MAX, bestOption = 0;
    double bestScore = -INFINITY;
    for (size_t g = 0; g < state.size(); ++g)
      for (size_t o : c.allowed[g]) {
        if (o == state[g]) continue;
        const size_t from = state[g];
        state[g] = o;
        const Estimate after = estimate(c, state);
        state[g] = from;
        // With a size or latency budget: the excess over the budgets removed (so every
        // step lowers it, and the walk ends); with only an error budget: bytes saved.
        const double gain = resourceBudget ? excess(e) - excess(after) : e.bytes - after.bytes;
        if (gain <= 0 || after.noise > limits.noise) continue;
        const double added = after.noise - e.noise;
        const double score = added <= 0 ? gain / eps : gain / std::max(added, eps);
        if (score > bestScore) bestScore = score, bestGroup = g, bestOption = o;
      }
    if (bestGroup == SIZE_MAX) return !resourceBudget;  // error budget only: nothing smaller fits
    state[bestGroup] = bestOption;
  }
  // Within the budgets: spend what is left on less noise.
  while (true) {
    const Estimate e = estimate(c, state);
    size_t bestGroup = SIZE_MAX, bestOption = 0;
    double bestRemoved = 0;
    for (size_t g = 0; g < state.size(); ++g)
      for (size_t o : c.allowed[g]) {
        const size_t from = state[g];
        state[g] = o;
        const Estimate after = estimate(c, state);
        state[g] = from;
        const double removed = e.noise - after.noise;
        if (removed <= bestRemoved || after.bytes > limits.bytes || after.latencyMs > limits.latencyMs) continue;
        bestRemoved = removed, bestGroup = g, bestOption = o;
      }
    if (bestGroup == SIZE_MAX) return true;
    state[bestGroup] = bestOption;
  }
}

std::string summarize(const Candidates &c, const std::vector<size_t> &state) {
  std::map<std::string, int> count;
  for (size_t g = 0; g < state.size(); ++g) ++count[c.options[g][state[g]].precision];
  std::string s;
  for (const auto &[p, n] : count) s += (s.empty() ? "" : ", ") + std::to_string(n) + " " + p;
  return s;
}

std::string figures(const quant::PlanFigures &f) {
  return llvm::formatv("{0:f3} MiB, SQNR {1:f1} dB, {2:f3} ms", double(f.packageBytes) / kMiB, f.sqnrDb, f.latencyMs)
      .str();
}

// For each group of `result`, the groups it reads from and writes to, looking through
// the plan ops that are not analyzed groups (ops that only move data; -1: a graph input
// or output, or an op left fp32).
std::vector<std::vector<int>> groupNeighbours(const std::vector<PlanOp> &ops, const quant::SensitivityResult &result) {
  std::map<mlir::Operation *, int> groupOf;
  std::map<std::string, int> byName;
  for (size_t g = 0; g < result.groups.size(); ++g) byName[result.groups[g].name] = int(g);
  std::set<mlir::Operation *> planned;
  for (const PlanOp &p : ops) {
    planned.insert(p.operation);
    if (auto it = byName.find(p.name); it != byName.end()) groupOf[p.operation] = it->second;
  }
  std::vector<std::vector<int>> neighbours(result.groups.size());
  // The groups (or -1) a value reaches, forwards or backwards through non-group plan ops.
  std::function<void(mlir::Value, std::set<int> &)> producers = [&](mlir::Value v, std::set<int> &out) {
    mlir::Operation *def = v.getDefiningOp();
    if (!def) return void(out.insert(-1));  // a graph input
    if (!planned.count(def)) return;        // a constant
    if (auto it = groupOf.find(def); it != groupOf.end()) return void(out.insert(it->second));
    if (mlir::edge::isKeptFloat(def) || def->getNumOperands() == 0) return void(out.insert(-1));
    for (mlir::Value in : def->getOperands()) producers(in, out);
  };
  std::function<void(mlir::Operation *, std::set<int> &)> consumers = [&](mlir::Operation *op, std::set<int> &out) {
    for (mlir::Operation *user : op->getUsers()) {
      if (auto it = groupOf.find(user); it != groupOf.end()) out.insert(it->second);
      else if (!planned.count(user) || mlir::edge::isKeptFloat(user)) out.insert(-1);  // the return, or fp32
      else consumers(user, out);
    }
  };
  for (const auto &[op, g] : groupOf) {
    std::set<int> around;
    for (mlir::Value in : op->getOperands()) producers(in, around);
    consumers(op, around);
    neighbours[size_t(g)].assign(around.begin(), around.end());
  }
  return neighbours;
}

}  // namespace

std::string PlanBudget::describe() const {
  std::string s;
  auto add = [&](const std::string &part) { s += (s.empty() ? "" : ", ") + part; };
  char buf[64];
  if (maxSizeMb > 0) add((std::snprintf(buf, sizeof buf, "size <= %g MiB", maxSizeMb), buf));
  if (!std::isnan(minSqnrDb)) add((std::snprintf(buf, sizeof buf, "SQNR >= %g dB", minSqnrDb), buf));
  if (maxLatencyMs > 0) add((std::snprintf(buf, sizeof buf, "latency <= %g ms", maxLatencyMs), buf));
  return s;
}

bool parseForce(const std::string &text, std::pair<std::string, std::string> &force, std::string &error) {
  const size_t colon = text.find(':');
  if (colon == std::string::npos) {
    error = "--force '" + text + "': expected PRECISION:REGEX (e.g. int8:^/layer1/)";
    return false;
  }
  force = {text.substr(0, colon), text.substr(colon + 1)};
  if (!isPlanPrecision(force.first)) {
    error = "--force '" + text + "': unknown precision '" + force.first + "'";
    return false;
  }
  try {
    std::regex(force.second, std::regex::ECMAScript);
  } catch (const std::regex_error &e) {
    error = "--force '" + text + "': '" + force.second + "' is not a valid regular expression (ECMAScript): " +
            e.what();
    return false;
  }
  return true;
}

std::map<std::string, std::string> expandGroupChoice(const std::vector<PlanOp> &ops,
                                                     const quant::SensitivityResult &result,
                                                     const std::vector<std::string> &choice) {
  std::map<std::string, std::string> byGroup;
  for (size_t g = 0; g < result.groups.size(); ++g) byGroup[result.groups[g].name] = choice[g];
  std::map<std::string, std::string> precisionOf;
  std::map<mlir::Operation *, std::string> ofOp;
  for (const PlanOp &p : ops) {
    std::string precision = "fp32";
    if (auto it = byGroup.find(p.name); it != byGroup.end()) {
      precision = it->second;
    } else if (!p.group && p.operation->getNumOperands() > 0 && !mlir::edge::isKeptFloat(p.operation)) {
      auto producer = ofOp.find(p.operation->getOperand(0).getDefiningOp());
      if (producer != ofOp.end() && (producer->second == "int8" || producer->second == "fp16"))
        precision = producer->second;
    }
    ofOp[p.operation] = precision;
    precisionOf[p.name] = precision;
  }
  return precisionOf;
}

bool chooseAutoPlan(SensitivityAnalyzer &analyzer, const quant::SensitivityResult &result,
                    const AutoPlanOptions &options, quant::ChosenPlan &plan,
                    std::map<std::string, std::string> &precisionOf, std::string &error) {
  const PlanBudget &budget = options.budget;
  Candidates c;
  c.baseBytes = double(result.fp32PackageBytes);
  c.baseLatency = result.fp32LatencyMs;
  // Every trial compares against the same fp32 outputs: signal power = mse * 10^(SQNR/10).
  for (const quant::GroupSensitivity &g : result.groups)
    for (const quant::CandidateMeasure &m : g.candidates)
      if (std::isfinite(m.error.sqnrDb) && m.error.mse > 0) c.signal = m.error.mse * std::pow(10, m.error.sqnrDb / 10);
  std::vector<bool> guarded;  // protected and not forced
  std::vector<std::regex> forceRegex;
  for (const auto &f : options.force) forceRegex.emplace_back(f.second, std::regex::ECMAScript);
  for (const quant::GroupSensitivity &g : result.groups) {
    std::vector<Option> opts = {{"fp32", 0, double(g.fp32Bytes), g.fp32LatencyMs, 0}};
    for (const quant::CandidateMeasure &m : g.candidates) {
      // A NaN or -inf SQNR (non-finite outputs) is an option never worth taking.
      const double noise = std::isfinite(m.error.sqnrDb) || m.error.sqnrDb > 0 ? m.error.mse : INFINITY;
      opts.push_back({m.precision, noise, double(m.bytes), m.chainLatencyMs, m.conversionMs});
    }
    std::string forced;
    for (size_t f = 0; f < options.force.size(); ++f)
      for (const std::string &node : g.nodes)
        if (std::regex_search(node, forceRegex[f])) forced = options.force[f].first;
    std::vector<size_t> allowed;
    for (size_t o = 0; o < opts.size(); ++o)
      if (forced.empty() || opts[o].precision == forced) allowed.push_back(o);
    if (allowed.empty()) {
      error = "--force " + forced + ": precision " + forced + " does not apply to group '" + g.name + "' (" + g.op +
              "); it can take: fp32";
      for (size_t o = 1; o < opts.size(); ++o) error += ", " + opts[o].precision;
      return false;
    }
    c.options.push_back(std::move(opts));
    c.allowed.push_back(std::move(allowed));
    guarded.push_back(forced.empty() && !g.protectedBecause.empty());
  }
  // Protection is a preference: protected groups stay fp32/fp16, and only when no plan
  // meets the budget that way may they go to 8 bits, and then lower.
  const std::vector<std::vector<size_t>> unguarded = c.allowed;
  auto protect = [&](int level) {
    for (size_t g = 0; g < c.allowed.size(); ++g) {
      c.allowed[g].clear();
      for (size_t o : unguarded[g]) {
        const std::string &p = c.options[g][o].precision;
        const bool wide = p == "fp32" || p == "fp16", eightBit = p == "int8" || p == "int8-dynamic";
        if (!guarded[g] || level >= 2 || wide || (level == 1 && eightBit)) c.allowed[g].push_back(o);
      }
    }
  };

  c.neighbours = groupNeighbours(analyzer.ops(), result);

  Limits limits;
  if (budget.maxSizeMb > 0) limits.bytes = budget.maxSizeMb * kMiB;
  if (budget.maxLatencyMs > 0) limits.latencyMs = budget.maxLatencyMs;
  if (!std::isnan(budget.minSqnrDb)) limits.noise = c.signal / std::pow(10, budget.minSqnrDb / 10);
  plan.objective = (budget.maxSizeMb > 0 || budget.maxLatencyMs > 0 ? "least error with " : "smallest with ") +
                   budget.describe();
  std::vector<size_t> state;
  auto fill = [&](const std::vector<size_t> &s) {
    plan.precisionOf.clear();
    for (size_t g = 0; g < s.size(); ++g) plan.precisionOf.push_back(c.options[g][s[g]].precision);
    const Estimate e = estimate(c, s);
    plan.estimated.sqnrDb = e.sqnrDb(c.signal);
    plan.estimated.packageBytes = uint64_t(std::max(0.0, e.bytes));
    plan.estimated.latencyMs = e.latencyMs;
    precisionOf = expandGroupChoice(analyzer.ops(), result, plan.precisionOf);
  };
  const std::string objective = plan.objective;
  for (plan.iterations = 1; plan.iterations <= options.maxIterations; ++plan.iterations) {
    bool met = false;
    for (int level = 0; level <= 2 && !met; ++level) {
      protect(level);
      met = greedy(c, limits, state);
      plan.objective = objective + (level == 0 || !met ? ""
                                    : level == 1 ? " (protected groups down to 8 bits to fit)"
                                                 : " (protected groups down to 4 bits to fit)");
    }
    fill(state);
    if (!met) {
      error = "no plan meets " + budget.describe() + "; the closest (" + summarize(c, state) + ") is estimated at " +
              figures(plan.estimated);
      return false;
    }
    quant::OutputError measured;
    if (!analyzer.measure(precisionOf, measured, plan.measured, error)) return false;
    const quant::PlanFigures &m = plan.measured;
    const bool sizeOk = budget.maxSizeMb <= 0 || double(m.packageBytes) <= budget.maxSizeMb * kMiB;
    const bool sqnrOk = std::isnan(budget.minSqnrDb) || m.sqnrDb >= budget.minSqnrDb;
    const bool latencyOk = budget.maxLatencyMs <= 0 || m.latencyMs <= budget.maxLatencyMs;
    if (sizeOk && sqnrOk && latencyOk) return true;
    // The estimate missed: tighten what was missed by how much it missed, and choose again.
    if (!sizeOk) limits.bytes -= std::max(double(m.packageBytes) - budget.maxSizeMb * kMiB, 0.005 * limits.bytes);
    if (!sqnrOk) {
      const double estimatedNoise = estimate(c, state).noise;
      const double measuredNoise = c.signal / std::pow(10, m.sqnrDb / 10);
      limits.noise *= std::min(0.9, estimatedNoise / measuredNoise);
    }
    if (!latencyOk) limits.latencyMs *= std::min(0.95, budget.maxLatencyMs / m.latencyMs);
  }
  --plan.iterations;
  error = "no plan was verified to meet " + budget.describe() + " in " + std::to_string(options.maxIterations) +
          " rounds; the last (" + summarize(c, state) + ") measured " + figures(plan.measured);
  return false;
}

}  // namespace edgec
