// The sensitivity report writers (compiler/quant/SensitivityReport.h): sensitivity.json
// read back by Python's json module with every value and awkward name intact,
// sensitivity.svg parsed by Python's xml.etree with one marker per (group, candidate) and
// the plan's highlighted, the ranking, the markdown table's escaping, the terminal table.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "quant/SensitivityReport.h"

#ifndef EDGEC_NUMPY_PYTHON
#define EDGEC_NUMPY_PYTHON "/usr/bin/python3"
#endif

namespace {

using namespace edgec::quant;

#define EXPECT_CONTAINS(text, part) \
  EXPECT_NE(std::string(text).find(part), std::string::npos) << "in: " << (text) << "\nmissing: " << (part)

// ---- helpers --------------------------------------------------------------------

// Runs `script` with Python on `document` (written to a temporary file, passed as
// sys.argv[1]); returns the exit status and what it printed (stdout and stderr).
std::pair<int, std::string> runPython(const std::string &script, const std::string &document) {
  char tmpl[] = "/tmp/edgec-sensreport-XXXXXX";
  const char *dir = ::mkdtemp(tmpl);
  if (!dir) std::abort();
  const std::string doc = std::string(dir) + "/doc", py = std::string(dir) + "/check.py";
  std::ofstream(doc, std::ios::binary) << document;
  std::ofstream(py) << script;
  const std::string cmd = EDGEC_NUMPY_PYTHON " '" + py + "' '" + doc + "' 2>&1";
  std::string out;
  FILE *pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) std::abort();
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
  const int status = ::pclose(pipe);
  std::remove(doc.c_str());
  std::remove(py.c_str());
  ::rmdir(dir);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// A double as a Python literal that evaluates to exactly the same value.
std::string pyFloat(double v) {
  if (std::isnan(v)) return "float('nan')";
  if (std::isinf(v)) return v > 0 ? "float('inf')" : "float('-inf')";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return std::string("float('") + buf + "')";
}

CandidateMeasure candidate(const std::string &precision, double sqnr, uint64_t bytes,
                           double latency = 0.01) {
  CandidateMeasure c;
  c.precision = precision;
  c.error.sqnrDb = sqnr;
  c.error.mse = std::isinf(sqnr) ? 0 : std::pow(10.0, -sqnr / 10);
  c.error.cosine = 1 - c.error.mse / 2;
  c.error.maxAbs = std::sqrt(c.error.mse) * 4;
  c.bytes = bytes;
  c.latencyMs = latency;
  return c;
}

GroupSensitivity group(const std::string &name, const std::string &op, uint64_t params,
                       std::vector<CandidateMeasure> candidates) {
  GroupSensitivity g;
  g.name = name;
  g.op = op;
  g.nodes = {name};
  g.params = params;
  g.fp32Bytes = params * 4;
  g.fp32LatencyMs = 0.02;
  g.candidates = std::move(candidates);
  return g;
}

// Four groups: "conv2" is the most sensitive (int8 at 12 dB), then "fc" (int4 at 18 dB),
// "conv1" (25 dB), and "add" (no weights: only fp16, identical outputs).
SensitivityResult sampleResult() {
  SensitivityResult r;
  r.model = "models/net.onnx";
  r.samples = 16;
  r.threads = 2;
  r.precisions = {"fp16", "int8", "int4-g32"};
  r.fp32PackageBytes = 1'000'000;
  r.fp32LatencyMs = 2.5;
  r.seconds = 12.75;
  r.groups.push_back(group("conv1", "Conv", 864,
                           {candidate("fp16", 70.5, 1728), candidate("int8", 25, 864)}));
  r.groups.back().protectedBecause = "first weighted layer";
  r.groups.push_back(group("conv2", "Conv", 36864,
                           {candidate("fp16", 68, 73728), candidate("int8", 12, 36864),
                            candidate("int4-g32", 14, 20736)}));
  r.groups.push_back(group("add", "Add", 0, {candidate("fp16", INFINITY, 0)}));
  r.groups.push_back(group("fc", "MatMul", 128000,
                           {candidate("fp16", 66, 256000), candidate("int8", 35, 128000),
                            candidate("int4-g32", 18, 72000)}));
  r.groups.back().protectedBecause = "last weighted layer";
  return r;
}

ChosenPlan samplePlan() {
  ChosenPlan p;
  p.precisionOf = {"fp32", "fp16", "fp16", "int4-g32"};
  p.objective = "smallest with SQNR >= 30 dB";
  p.estimated = {31.25, 400000, 1.5, NAN};
  p.measured = {30.5, 400123, 1.625, 0.9921875};
  p.iterations = 2;
  return p;
}

std::string json(const SensitivityResult &r, const ChosenPlan *plan) {
  std::ostringstream os;
  writeSensitivityJson(r, plan, os);
  return os.str();
}
std::string markdown(const SensitivityResult &r, const ChosenPlan *plan) {
  std::ostringstream os;
  writeSensitivityMarkdown(r, plan, os);
  return os.str();
}
std::string svg(const SensitivityResult &r, const ChosenPlan *plan) {
  std::ostringstream os;
  writeSensitivitySvg(r, plan, os);
  return os.str();
}
std::string table(const SensitivityResult &r, const ChosenPlan *plan, size_t rows) {
  std::ostringstream os;
  printSensitivityTable(r, plan, rows, os);
  return os.str();
}

std::vector<std::string> lines(const std::string &text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// ---- ranking ----------------------------------------------------------------------

TEST(SensitivityRanking, MostSensitiveFirstByWorstIntegerSqnr) {
  const SensitivityResult r = sampleResult();
  // conv2 (12 dB) < fc (18) < conv1 (25) < add (fp16 only: inf).
  EXPECT_EQ(rankBySensitivity(r), (std::vector<size_t>{1, 3, 0, 2}));
  EXPECT_EQ(sensitivityScore(r.groups[1]), 12);
  EXPECT_EQ(sensitivityScore(r.groups[2]), INFINITY);
}

TEST(SensitivityRanking, FloatCandidatesCountOnlyWithoutIntegerOnes) {
  SensitivityResult r;
  // "a": fp16 is terrible but int8 fine: its score is int8's 40 dB. "b" has only fp16.
  r.groups.push_back(group("a", "Conv", 10, {candidate("fp16", 5, 20), candidate("int8", 40, 10)}));
  r.groups.push_back(group("b", "Softmax", 0, {candidate("fp16", 30, 0)}));
  r.groups.push_back(group("c", "Reshape", 0, {}));
  EXPECT_EQ(sensitivityScore(r.groups[0]), 40);
  EXPECT_EQ(sensitivityScore(r.groups[1]), 30);
  EXPECT_EQ(rankBySensitivity(r), (std::vector<size_t>{1, 0, 2}));
}

TEST(SensitivityRanking, NanSqnrRanksFirstAndTiesKeepProgramOrder) {
  SensitivityResult r;
  r.groups.push_back(group("x", "Conv", 10, {candidate("int8", 20, 10)}));
  r.groups.push_back(group("y", "Conv", 10, {candidate("int8", 20, 10)}));
  r.groups.push_back(group("z", "Conv", 10, {candidate("int8", 30, 10), candidate("int4-g32", NAN, 6)}));
  EXPECT_EQ(rankBySensitivity(r), (std::vector<size_t>{2, 0, 1}));
}

// ---- JSON -------------------------------------------------------------------------

TEST(SensitivityJson, NumbersRoundTripExactly) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int> exponent(-300, 300);
  std::uniform_real_distribution<double> mantissa(1, 10);
  for (int i = 0; i < 20000; ++i) {
    const double v = (i % 2 ? -1 : 1) * mantissa(rng) * std::pow(10.0, exponent(rng));
    const std::string text = jsonNumber(v);
    ASSERT_EQ(std::strtod(text.c_str(), nullptr), v) << text;
  }
  EXPECT_EQ(jsonNumber(0.1), "0.1");  // the shortest form that round-trips
  EXPECT_EQ(jsonNumber(30), "30");
  EXPECT_EQ(jsonNumber(1.0 / 3), "0.3333333333333333");
  EXPECT_EQ(jsonNumber(0.1 + 0.2), "0.30000000000000004");  // needs all 17 digits
  EXPECT_EQ(jsonNumber(INFINITY), "\"inf\"");
  EXPECT_EQ(jsonNumber(-INFINITY), "\"-inf\"");
  EXPECT_EQ(jsonNumber(NAN), "null");
}

TEST(SensitivityJson, StringsEscaped) {
  EXPECT_EQ(jsonQuote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(jsonQuote("l1\nl2\t\x01\x1f"), "\"l1\\nl2\\t\\u0001\\u001f\"");
  EXPECT_EQ(jsonQuote("caf\xc3\xa9"), "\"caf\xc3\xa9\"");          // valid UTF-8 kept
  EXPECT_EQ(jsonQuote("bad\xff\xc3"), "\"bad\\ufffd\\ufffd\"");    // invalid bytes replaced
  EXPECT_EQ(jsonQuote("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");  // a UTF-16 surrogate
}

// Python's json module reads the document back and compares every field.
TEST(SensitivityJson, ParsesAndRoundTripsEveryValue) {
  SensitivityResult r = sampleResult();
  const std::string odd = "odd \"name\"\\with\nnewline\ttab\x01 caf\xc3\xa9 </svg> a|b";
  r.model = odd;
  r.groups[1].name = odd;
  r.groups[1].nodes = {"/m/conv2/Conv", "/m/conv2/Relu", "bad\xff"};
  r.groups[1].candidates[1].error.top1 = 0.875;
  r.groups[1].candidates[1].error.sqnrDb = 1.0 / 3;
  r.groups[3].params = (uint64_t(1) << 53) + 1;  // exact as a JSON integer, not a double
  const ChosenPlan plan = samplePlan();
  const std::string doc = json(r, &plan);
  EXPECT_EQ(doc, json(r, &plan));  // deterministic

  const CandidateMeasure &c = r.groups[1].candidates[1];
  const std::string script = std::string(R"PY(
import json, sys
d = json.load(open(sys.argv[1], encoding='utf-8'))
odd = 'odd "name"\\with\nnewline\ttab\x01 caf\u00e9 </svg> a|b'
def check(what, got, want):
    if got != want or type(got) != type(want):
        print('MISMATCH', what, repr(got), repr(want)); sys.exit(1)
check('format', d['format'], 'edgec-sensitivity')
check('version', d['version'], 1)
check('model', d['model'], odd)
check('samples', d['samples'], 16)
check('threads', d['threads'], 2)
check('precisions', d['precisions'], ['fp16', 'int8', 'int4-g32'])
check('fp32', d['fp32'], {'package_bytes': 1000000, 'latency_ms': 2.5})
check('seconds', d['analysis_seconds'], 12.75)
g = d['groups']
check('names', [x['name'] for x in g], ['conv1', odd, 'add', 'fc'])
check('nodes', g[1]['nodes'], ['/m/conv2/Conv', '/m/conv2/Relu', 'bad\ufffd'])
check('ranks', [x['rank'] for x in g], [3, 1, 4, 2])  # the odd group's int8 is at 1/3 dB
check('protected', [x['protected'] for x in g], ['first weighted layer', None, None, 'last weighted layer'])
check('params', g[3]['params'], 2**53 + 1)
check('fp32_bytes', g[1]['fp32_bytes'], 36864 * 4)
check('keys', list(g[1].keys()), ['name', 'op', 'nodes', 'params', 'fp32_bytes', 'fp32_latency_ms', 'protected', 'rank', 'sensitivity_db', 'candidates'])
c = g[1]['candidates'][1]
check('cand keys', list(c.keys()), ['precision', 'sqnr_db', 'mse', 'cosine', 'max_abs', 'top1', 'bytes', 'latency_ms', 'chain_latency_ms', 'conversion_ms'])
check('precision', c['precision'], 'int8')
)PY") + "check('sqnr', c['sqnr_db'], " + pyFloat(c.error.sqnrDb) + ")\n" +
                             "check('mse', c['mse'], " + pyFloat(c.error.mse) + ")\n" +
                             "check('cosine', c['cosine'], " + pyFloat(c.error.cosine) + ")\n" +
                             "check('max_abs', c['max_abs'], " + pyFloat(c.error.maxAbs) + ")\n" +
                             R"PY(
check('top1', c['top1'], 0.875)
check('bytes', c['bytes'], 36864)
check('latency', c['latency_ms'], 0.01)
check('score', g[1]['sensitivity_db'], 1/3)
check('inf sqnr', g[2]['candidates'][0]['sqnr_db'], 'inf')
check('nan top1', g[2]['candidates'][0]['top1'], None)
p = d['plan']
check('objective', p['objective'], 'smallest with SQNR >= 30 dB')
check('iterations', p['iterations'], 2)
check('estimated', p['estimated'], {'sqnr_db': 31.25, 'package_bytes': 400000, 'latency_ms': 1.5, 'top1': None})
check('measured', p['measured'], {'sqnr_db': 30.5, 'package_bytes': 400123, 'latency_ms': 1.625, 'top1': 0.9921875})
check('assignments', p['assignments'], [{'group': 'conv1', 'precision': 'fp32'}, {'group': odd, 'precision': 'fp16'}, {'group': 'add', 'precision': 'fp16'}, {'group': 'fc', 'precision': 'int4-g32'}])
print('ok')
)PY";
  const auto [status, out] = runPython(script, doc);
  EXPECT_EQ(status, 0) << out << "\n" << doc;
  EXPECT_EQ(out, "ok\n");
}

TEST(SensitivityJson, NoPlanAndNoGroupsStillParse) {
  SensitivityResult r;
  r.model = "empty.onnx";
  const auto [status, out] = runPython(R"PY(
import json, sys
d = json.load(open(sys.argv[1]))
assert d['plan'] is None, d['plan']
assert d['groups'] == [] and d['precisions'] == [], d
print('ok')
)PY",
                                       json(r, nullptr));
  EXPECT_EQ(status, 0) << out;
  EXPECT_EQ(out, "ok\n");
}

// ---- SVG --------------------------------------------------------------------------

// Prints "points N", "chosen M", each chosen marker's tooltip, and "bad ..." for anything
// wrong: a coordinate outside the canvas, a network reference, a font other than generic.
const char *kSvgCheck = R"PY(
import sys, xml.etree.ElementTree as ET
text = open(sys.argv[1], encoding='utf-8').read()
root = ET.fromstring(text)
ns = '{http://www.w3.org/2000/svg}'
assert root.tag == ns + 'svg', root.tag
W, H = float(root.get('width')), float(root.get('height'))
if root.get('font-family') != 'sans-serif': print('bad font', root.get('font-family'))
if text.count('http') != 1 or 'url(' in text or '@import' in text: print('bad reference')
pts = [c for c in root.iter(ns + 'circle') if 'pt' in (c.get('class') or '').split()]
chosen = [c for c in pts if 'chosen' in c.get('class').split()]
print('points', len(pts))
print('chosen', len(chosen))
for c in pts:
    x, y = float(c.get('cx')), float(c.get('cy'))
    if not (0 <= x <= W and 0 <= y <= H): print('bad position', x, y)
    if c.find(ns + 'title') is None: print('bad: no title')
for c in chosen:
    print('tip', c.find(ns + 'title').text)
    if c.get('stroke') != '#000000': print('bad: chosen without outline')
for c in pts:
    t = c.find(ns + 'title').text
    if t.startswith('add: '): print('zero-bytes x', c.get('cx'))
    if ' inf dB' in t: print('inf y', c.get('cy'))
)PY";

TEST(SensitivitySvg, OneMarkerPerCandidateAndThePlanHighlighted) {
  SensitivityResult r = sampleResult();
  r.groups[3].name = "fc & <head> \"out\"";
  const ChosenPlan plan = samplePlan();
  const std::string doc = svg(r, &plan);
  EXPECT_EQ(doc, svg(r, &plan));
  const auto [status, out] = runPython(kSvgCheck, doc);
  ASSERT_EQ(status, 0) << out << "\n" << doc;
  EXPECT_EQ(out.find("bad"), std::string::npos) << out;
  // 2 + 3 + 1 + 3 candidates, plus conv1 kept at fp32 by the plan (not a candidate).
  EXPECT_CONTAINS(out, "points 10\n");
  EXPECT_CONTAINS(out, "chosen 4\n");
  EXPECT_CONTAINS(out, "tip conv1: fp32, SQNR inf dB, 3456 bytes (chosen by the plan)\n");
  EXPECT_CONTAINS(out, "tip conv2: fp16, SQNR 68.0 dB, 73728 bytes (chosen by the plan)\n");
  EXPECT_CONTAINS(out, "tip add: fp16, SQNR inf dB, 0 bytes (chosen by the plan)\n");
  EXPECT_CONTAINS(out, "tip fc & <head> \"out\": int4-g32, SQNR 18.0 dB, 72000 bytes");
  EXPECT_CONTAINS(out, "zero-bytes x 90.0\n");  // 0 bytes: on the y axis (x = L)
  // Every legend entry is drawn: the three precisions and the kept fp32.
  for (const char *p : {">fp16<", ">int8<", ">int4-g32<", ">fp32<", "chosen by the plan<"})
    EXPECT_CONTAINS(doc, p);
}

TEST(SensitivitySvg, EdgeCasesStillValid) {
  // No groups at all.
  {
    SensitivityResult r;
    const auto [status, out] = runPython(kSvgCheck, svg(r, nullptr));
    EXPECT_EQ(status, 0) << out;
    EXPECT_EQ(out, "points 0\nchosen 0\n");
  }
  // Every SQNR +inf (and one NaN), all bytes 0, awkward names: all points on the canvas.
  {
    SensitivityResult r;
    r.model = "a&b<c>\x01\xff";
    r.precisions = {"fp16", "int8"};
    r.groups.push_back(group("g\"1'", "Conv", 0, {candidate("fp16", INFINITY, 0), candidate("int8", INFINITY, 0)}));
    r.groups.push_back(group("g2", "Conv", 0, {candidate("int8", NAN, 0)}));
    const auto [status, out] = runPython(kSvgCheck, svg(r, nullptr));
    EXPECT_EQ(status, 0) << out;
    EXPECT_EQ(out.find("bad"), std::string::npos) << out;
    EXPECT_CONTAINS(out, "points 3\n");
  }
  // One point, one size: the axes still span a decade and a range of dB.
  {
    SensitivityResult r;
    r.precisions = {"int8"};
    r.groups.push_back(group("only", "MatMul", 1000, {candidate("int8", 33, 1000)}));
    const std::string doc = svg(r, nullptr);
    const auto [status, out] = runPython(kSvgCheck, doc);
    EXPECT_EQ(status, 0) << out;
    EXPECT_EQ(out.find("bad"), std::string::npos) << out;
    EXPECT_EQ(doc.find("nan"), std::string::npos) << doc;
    EXPECT_EQ(doc.find("inf\""), std::string::npos) << doc;
  }
}

// ---- Markdown ---------------------------------------------------------------------

// The '|' separating cells (not the escaped "\|" inside one).
size_t cellSeparators(const std::string &line) {
  size_t n = 0;
  for (size_t i = 0; i < line.size(); ++i)
    if (line[i] == '|' && (i == 0 || line[i - 1] != '\\')) ++n;
  return n;
}

TEST(SensitivityMarkdown, RankedTableWithEscapedNames) {
  SensitivityResult r = sampleResult();
  r.groups[1].name = "conv|2\nnext";
  r.groups[1].nodes = {"a", "b", "c", "d", "/very/long/path/of/an/onnx/node/that/goes/on/and/on/Conv"};
  const ChosenPlan plan = samplePlan();
  const std::string md = markdown(r, &plan);
  EXPECT_CONTAINS(md, "# Sensitivity report: models/net.onnx\n");
  EXPECT_CONTAINS(md, "Objective: smallest with SQNR >= 30 dB (2 estimate/verify rounds)");
  EXPECT_CONTAINS(md, "| estimated | 31.2 | 400 kB | 40.0% | 1.500 | - |");
  EXPECT_CONTAINS(md, "| measured | 30.5 | 400 kB | 40.0% | 1.625 | 99.22% |");
  EXPECT_CONTAINS(md, "Precisions: fp16 x 2, int4-g32 x 1, fp32 x 1.");

  std::vector<std::string> rows;
  for (const std::string &line : lines(md))
    if (line.rfind("| rank", 0) == 0 || line.rfind("|---:|---|", 0) == 0 ||
        (line.size() > 2 && line[0] == '|' && std::isdigit(static_cast<unsigned char>(line[2]))))
      rows.push_back(line);
  ASSERT_EQ(rows.size(), 2u + 4u) << md;
  EXPECT_EQ(rows[0], "| rank | group | op | ONNX nodes | params | fp32 bytes | fp16 | int8 | "
                     "int4-g32 | plan | protected |");
  for (const std::string &row : rows) EXPECT_EQ(cellSeparators(row), 12u) << row;
  // Most sensitive first, the name's '|' escaped and its newline a space, nodes shortened.
  EXPECT_EQ(rows[2], "| 1 | conv\\|2 next | Conv | a, b, c +2 more | 36.9k | 147 kB | 68.0 | "
                     "12.0 | 14.0 | fp16 |  |");
  EXPECT_EQ(rows[3], "| 2 | fc | MatMul | fc | 128k | 512 kB | 66.0 | 35.0 | 18.0 | int4-g32 | "
                     "last weighted layer |");
  EXPECT_EQ(rows[5], "| 4 | add | Add | add | 0 | 0 B | inf | - | - | fp16 |  |");
}

TEST(SensitivityMarkdown, NoPlanNoPlanColumn) {
  const std::string md = markdown(sampleResult(), nullptr);
  EXPECT_CONTAINS(md, "No plan was chosen (analysis only).");
  EXPECT_CONTAINS(md, "| rank | group | op | ONNX nodes | params | fp32 bytes | fp16 | int8 | int4-g32 | protected |\n");
}

// ---- terminal table ---------------------------------------------------------------

TEST(SensitivityTable, TopRowsAlignedWithPlanLine) {
  SensitivityResult r = sampleResult();
  r.groups[3].name = "fc\x1b[31m";  // an escape sequence must not reach the terminal
  const ChosenPlan plan = samplePlan();
  const std::vector<std::string> out = lines(table(r, nullptr, 2));
  ASSERT_EQ(out.size(), 5u) << table(r, nullptr, 2);  // intro, header, 2 rows, "more"
  EXPECT_EQ(out[1], "#  group    op      params    fp32  fp16  int8  int4-g32");
  EXPECT_EQ(out[2], "1  conv2    Conv     36.9k  147 kB  68.0  12.0      14.0");
  EXPECT_EQ(out[3], "2  fc?[31m  MatMul    128k  512 kB  66.0  35.0      18.0");
  EXPECT_EQ(out[4], "(2 more groups; sensitivity.md lists them all)");

  const std::string withPlan = table(r, &plan, 100);
  EXPECT_CONTAINS(withPlan, "int4-g32 (protected)\n");
  EXPECT_CONTAINS(withPlan, "plan (smallest with SQNR >= 30 dB): estimated SQNR 31.2 dB, 400 kB "
                            "(40.0% of fp32), 1.500 ms; measured SQNR 30.5 dB, 400 kB (40.0% of "
                            "fp32), 1.625 ms, top-1 99.22%; 2 rounds\n");
  EXPECT_EQ(withPlan.find("more group"), std::string::npos);
}

}  // namespace
