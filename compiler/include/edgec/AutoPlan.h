// `--precision auto`: a precision per group from the measured sensitivities, under the
// budgets the user states, estimated and then verified by running the final model
// (docs/quantization.md "Mixed precision").
#pragma once

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "edgec/PrecisionPlan.h"
#include "edgec/SensitivityAnalysis.h"
#include "quant/Sensitivity.h"

namespace edgec {

struct PlanBudget {
  double maxSizeMb = 0;     // the whole package, MiB (0: no limit)
  double minSqnrDb = NAN;   // of the model's outputs against fp32 (NaN: no limit)
  double maxLatencyMs = 0;  // kernel time per run (0: no limit)
  bool any() const { return maxSizeMb > 0 || !std::isnan(minSqnrDb) || maxLatencyMs > 0; }
  std::string describe() const;  // "size <= 4 MiB, SQNR >= 30 dB"
};

struct AutoPlanOptions {
  PlanBudget budget;
  // --force PRECISION:REGEX, in order (a later match wins): groups with a node name the
  // regex finds get that precision, protected or not.
  std::vector<std::pair<std::string, std::string>> force;
  int maxIterations = 6;  // estimate/verify rounds before giving up
};

// Parses "--force PRECISION:REGEX"; false with `error` on a bad precision or regex.
bool parseForce(const std::string &text, std::pair<std::string, std::string> &force, std::string &error);

// Every plan op's precision from one precision per analyzed group (`choice`, parallel to
// result.groups): groups as chosen, other computing ops fp32, and ops that only move data
// their producer's precision when it is int8 or fp16 (so int8 chains stay integer).
std::map<std::string, std::string> expandGroupChoice(const std::vector<PlanOp> &ops,
                                                     const quant::SensitivityResult &result,
                                                     const std::vector<std::string> &choice);

// Chooses, verifies with analyzer.measure() and iterates when the estimate missed. On
// success fills `plan` and `precisionOf` (every plan op). When no plan meets the budget,
// returns false with `error` saying so and describing the closest plan and its figures
// (`plan` then holds that plan).
bool chooseAutoPlan(SensitivityAnalyzer &analyzer, const quant::SensitivityResult &result,
                    const AutoPlanOptions &options, quant::ChosenPlan &plan,
                    std::map<std::string, std::string> &precisionOf, std::string &error);

}  // namespace edgec
