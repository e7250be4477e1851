// The sensitivity report (`edgec analyze --report DIR`, `--format table`): writers of
// sensitivity.json, sensitivity.md, sensitivity.svg and the terminal table, from the
// structs of Sensitivity.h. Plain C++17 (no MLIR). The JSON schema, its inf/NaN
// conventions and the ranking rule are documented in docs/quantization.md ("Sensitivity
// report"); change them there too.
//
// Every writer is deterministic (same input, same bytes) and accepts any names: group
// and node names come from ONNX files and are escaped for each format (invalid UTF-8
// becomes U+FFFD). `plan` may be null (analysis only); when given, its precisionOf is
// parallel to r.groups (entries past its end count as "no choice").
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "quant/Sensitivity.h"

namespace edgec::quant {

// The value written in sensitivity.json's "format" and "version"; version changes when
// a field changes meaning or goes away (new fields may be added without a change).
inline constexpr const char *kSensitivityFormat = "edgec-sensitivity";
inline constexpr int kSensitivityVersion = 1;

// A group's sensitivity score: its worst (lowest) SQNR over its integer candidates
// (precisions spelled "int..."), or over all its candidates when it has no integer one;
// +inf with no candidates. A NaN SQNR counts as -inf (that precision broke the model).
double sensitivityScore(const GroupSensitivity &g);

// Indices into r.groups, most sensitive first: ascending sensitivityScore, ties in
// program order. The order of the markdown, terminal table and json "rank".
std::vector<size_t> rankBySensitivity(const SensitivityResult &r);

void writeSensitivityJson(const SensitivityResult &r, const ChosenPlan *plan, std::ostream &os);
void writeSensitivityMarkdown(const SensitivityResult &r, const ChosenPlan *plan, std::ostream &os);
void writeSensitivitySvg(const SensitivityResult &r, const ChosenPlan *plan, std::ostream &os);

// The `rows` most sensitive groups as an aligned plain-text table, then one line with the
// plan's figures (when a plan is given). rows >= the group count prints every group.
void printSensitivityTable(const SensitivityResult &r, const ChosenPlan *plan, size_t rows,
                           std::ostream &os);

// JSON building blocks, shared with other JSON writers (plan.json):
// a quoted, escaped JSON string ("\"" "\\" and control characters escaped, invalid UTF-8
// as \ufffd) ...
std::string jsonQuote(std::string_view s);
// ... and a JSON number that parses back to exactly `v` (the shortest of %.15g, %.16g,
// %.17g that does); +inf is the string "inf", -inf "-inf", NaN null.
std::string jsonNumber(double v);

}  // namespace edgec::quant
