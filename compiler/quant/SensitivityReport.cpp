#include "quant/SensitivityReport.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <numeric>

namespace edgec::quant {

namespace {

// ---- text in each format ------------------------------------------------------------

// Calls f(cp, bytes) for each UTF-8 code point of s; cp = -1 for a byte that does not
// start a valid sequence (overlong forms, surrogates and truncated sequences included),
// which is then skipped alone. Names come from ONNX files, which do not promise UTF-8.
template <class F> void forEachCodePoint(std::string_view s, F f) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = 0;
    uint32_t cp = 0, least = 0;
    if (c < 0x80) len = 1, cp = c;
    else if ((c & 0xE0) == 0xC0) len = 2, cp = c & 0x1F, least = 0x80;
    else if ((c & 0xF0) == 0xE0) len = 3, cp = c & 0x0F, least = 0x800;
    else if ((c & 0xF8) == 0xF0) len = 4, cp = c & 0x07, least = 0x10000;
    bool ok = len > 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) {
      const unsigned char d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) ok = false;
      else cp = (cp << 6) | (d & 0x3F);
    }
    if (ok && len > 1 && (cp < least || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)))
      ok = false;
    if (!ok) {
      f(int32_t(-1), s.substr(i, 1));
      ++i;
    } else {
      f(int32_t(cp), s.substr(i, len));
      i += len;
    }
  }
}

constexpr const char *kReplacement = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

// XML 1.0 text and attribute values: the five special characters as entities; characters
// XML forbids even as references (C0 controls but tab/newline/CR, U+FFFE/U+FFFF) and
// invalid UTF-8 as U+FFFD.
std::string xmlText(std::string_view s) {
  std::string out;
  forEachCodePoint(s, [&](int32_t cp, std::string_view bytes) {
    switch (cp) {
    case '&': out += "&amp;"; return;
    case '<': out += "&lt;"; return;
    case '>': out += "&gt;"; return;
    case '"': out += "&quot;"; return;
    case '\'': out += "&apos;"; return;
    default: break;
    }
    if (cp < 0 || (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0xFFFE ||
        cp == 0xFFFF)
      out += kReplacement;
    else
      out += bytes;
  });
  return out;
}

// A markdown table cell: '|' and '\' backslash-escaped, '<' and '&' as entities (no
// HTML from a model file), control characters (newlines would end the row) as spaces.
std::string mdText(std::string_view s) {
  std::string out;
  forEachCodePoint(s, [&](int32_t cp, std::string_view bytes) {
    if (cp == '|') out += "\\|";
    else if (cp == '\\') out += "\\\\";
    else if (cp == '<') out += "&lt;";
    else if (cp == '&') out += "&amp;";
    else if (cp < 0) out += kReplacement;
    else if (cp < 0x20 || cp == 0x7F) out += ' ';
    else out += bytes;
  });
  return out;
}

// Terminal text: no control characters (an ESC in a node name must not drive the
// terminal), invalid UTF-8 as '?'.
std::string plainText(std::string_view s) {
  std::string out;
  forEachCodePoint(s, [&](int32_t cp, std::string_view bytes) {
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) out += '?';
    else out += bytes;
  });
  return out;
}

size_t codePoints(std::string_view s) {
  size_t n = 0;
  forEachCodePoint(s, [&](int32_t, std::string_view) { ++n; });
  return n;
}

// s cut to at most `most` code points, keeping the END: ONNX node names are paths
// ("/model/layers.3/self_attn/o_proj/MatMul") whose tail says what the node is.
std::string keepTail(std::string_view s, size_t most) {
  const size_t n = codePoints(s);
  if (n <= most || most == 0) return std::string(s);
  std::string out = "\xE2\x80\xA6";  // U+2026 ...
  size_t index = 0;
  forEachCodePoint(s, [&](int32_t, std::string_view bytes) {
    if (index++ >= n - (most - 1)) out += bytes;
  });
  return out;
}

std::string format(const char *fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

// SQNR as the tables show it: one decimal, "inf" when the outputs were identical.
std::string sqnrText(double db) {
  if (std::isnan(db)) return "nan";
  if (std::isinf(db)) return db > 0 ? "inf" : "-inf";
  return format("%.1f", db);
}

// Decimal units (1 kB = 1000 B), as the SVG's decade ticks.
std::string bytesText(uint64_t bytes) {
  if (bytes < 1000) return std::to_string(bytes) + " B";
  static const char *units[] = {"kB", "MB", "GB", "TB"};
  double v = double(bytes) / 1000;
  size_t u = 0;
  while (v >= 999.95 && u + 1 < 4) v /= 1000, ++u;
  return format(v < 9.995 ? "%.2f" : v < 99.95 ? "%.1f" : "%.0f", v) + " " + units[u];
}

std::string countText(uint64_t n) {
  if (n < 10000) return std::to_string(n);
  static const char *units[] = {"k", "M", "G"};
  double v = double(n) / 1000;
  size_t u = 0;
  while (v >= 999.95 && u + 1 < 3) v /= 1000, ++u;
  return format(v < 9.995 ? "%.2f" : v < 99.95 ? "%.1f" : "%.0f", v) + units[u];
}

std::string percentText(double fraction) {
  return std::isnan(fraction) ? "-" : format("%.2f%%", fraction * 100);
}

// ---- shared views of the data ------------------------------------------------------

const CandidateMeasure *findCandidate(const GroupSensitivity &g, const std::string &precision) {
  for (const CandidateMeasure &c : g.candidates)
    if (c.precision == precision) return &c;
  return nullptr;
}

// The plan's precision for group i ("" without a plan or an entry).
std::string chosenFor(const ChosenPlan *plan, size_t i) {
  if (!plan || i >= plan->precisionOf.size()) return "";
  return plan->precisionOf[i];
}

void checkPlan(const SensitivityResult &r, const ChosenPlan *plan) {
  // A plan is made for this result: one precision per group.
  assert(!plan || plan->precisionOf.size() == r.groups.size());
  (void)r, (void)plan;
}

// How many groups the plan puts at each precision: "int8 x 40, int4-g32 x 8, fp32 x 3",
// in r.precisions order, then others in order of first use.
std::string precisionMix(const SensitivityResult &r, const ChosenPlan &plan) {
  std::vector<std::string> order = r.precisions;
  for (const std::string &p : plan.precisionOf)
    if (std::find(order.begin(), order.end(), p) == order.end()) order.push_back(p);
  std::string out;
  for (const std::string &p : order) {
    const auto n = std::count(plan.precisionOf.begin(), plan.precisionOf.end(), p);
    if (n == 0) continue;
    if (!out.empty()) out += ", ";
    out += (p.empty() ? std::string("(none)") : p) + " x " + std::to_string(n);
  }
  return out.empty() ? "(no groups)" : out;
}

std::string ratioToFp32(uint64_t bytes, uint64_t fp32Bytes) {
  if (fp32Bytes == 0) return "-";
  return format("%.1f%%", 100.0 * double(bytes) / double(fp32Bytes));
}

}  // namespace

// ---- ranking ------------------------------------------------------------------------

double sensitivityScore(const GroupSensitivity &g) {
  auto worst = [&](bool integerOnly) {
    double w = INFINITY;
    bool any = false;
    for (const CandidateMeasure &c : g.candidates) {
      if (integerOnly && c.precision.rfind("int", 0) != 0) continue;
      any = true;
      w = std::min(w, std::isnan(c.error.sqnrDb) ? -INFINITY : c.error.sqnrDb);
    }
    return std::make_pair(any, w);
  };
  const auto integer = worst(true);
  return integer.first ? integer.second : worst(false).second;
}

std::vector<size_t> rankBySensitivity(const SensitivityResult &r) {
  std::vector<double> score(r.groups.size());
  for (size_t i = 0; i < r.groups.size(); ++i) score[i] = sensitivityScore(r.groups[i]);
  std::vector<size_t> order(r.groups.size());
  std::iota(order.begin(), order.end(), size_t(0));
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return score[a] < score[b]; });
  return order;
}

// ---- JSON ---------------------------------------------------------------------------

std::string jsonQuote(std::string_view s) {
  std::string out = "\"";
  forEachCodePoint(s, [&](int32_t cp, std::string_view bytes) {
    switch (cp) {
    case '"': out += "\\\""; return;
    case '\\': out += "\\\\"; return;
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    case '\b': out += "\\b"; return;
    case '\f': out += "\\f"; return;
    default: break;
    }
    if (cp < 0) {
      out += "\\ufffd";
    } else if (cp < 0x20) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "\\u%04x", unsigned(cp));
      out += buf;
    } else {
      out += bytes;
    }
  });
  return out + "\"";
}

std::string jsonNumber(double v) {
  if (std::isnan(v)) return "null";
  if (std::isinf(v)) return v > 0 ? "\"inf\"" : "\"-inf\"";
  char buf[40];
  for (int digits = 15; digits <= 17; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    if (std::strtod(buf, nullptr) == v) break;  // %.17g always round-trips
  }
  // snprintf and strtod follow the C locale's decimal point; JSON's is '.'.
  for (char *p = buf; *p; ++p)
    if (*p == ',') *p = '.';
  return buf;
}

namespace {

std::string jsonFigures(const PlanFigures &f) {
  return "{\"sqnr_db\": " + jsonNumber(f.sqnrDb) +
         ", \"package_bytes\": " + std::to_string(f.packageBytes) +
         ", \"latency_ms\": " + jsonNumber(f.latencyMs) + ", \"top1\": " + jsonNumber(f.top1) +
         "}";
}

}  // namespace

void writeSensitivityJson(const SensitivityResult &r, const ChosenPlan *plan, std::ostream &os) {
  checkPlan(r, plan);
  const std::vector<size_t> order = rankBySensitivity(r);
  std::vector<size_t> rank(r.groups.size());
  for (size_t k = 0; k < order.size(); ++k) rank[order[k]] = k + 1;

  os << "{\n";
  os << "  \"format\": " << jsonQuote(kSensitivityFormat) << ",\n";
  os << "  \"version\": " << kSensitivityVersion << ",\n";
  os << "  \"model\": " << jsonQuote(r.model) << ",\n";
  os << "  \"samples\": " << r.samples << ",\n";
  os << "  \"threads\": " << r.threads << ",\n";
  os << "  \"precisions\": [";
  for (size_t i = 0; i < r.precisions.size(); ++i)
    os << (i ? ", " : "") << jsonQuote(r.precisions[i]);
  os << "],\n";
  os << "  \"fp32\": {\"package_bytes\": " << r.fp32PackageBytes
     << ", \"latency_ms\": " << jsonNumber(r.fp32LatencyMs) << "},\n";
  os << "  \"analysis_seconds\": " << jsonNumber(r.seconds) << ",\n";
  os << "  \"groups\": [";
  for (size_t i = 0; i < r.groups.size(); ++i) {
    const GroupSensitivity &g = r.groups[i];
    os << (i ? ",\n" : "\n") << "    {\n";
    os << "      \"name\": " << jsonQuote(g.name) << ",\n";
    os << "      \"op\": " << jsonQuote(g.op) << ",\n";
    os << "      \"nodes\": [";
    for (size_t k = 0; k < g.nodes.size(); ++k) os << (k ? ", " : "") << jsonQuote(g.nodes[k]);
    os << "],\n";
    os << "      \"params\": " << g.params << ",\n";
    os << "      \"fp32_bytes\": " << g.fp32Bytes << ",\n";
    os << "      \"fp32_latency_ms\": " << jsonNumber(g.fp32LatencyMs) << ",\n";
    os << "      \"protected\": "
       << (g.protectedBecause.empty() ? std::string("null") : jsonQuote(g.protectedBecause))
       << ",\n";
    os << "      \"rank\": " << rank[i] << ",\n";
    os << "      \"sensitivity_db\": " << jsonNumber(sensitivityScore(g)) << ",\n";
    os << "      \"candidates\": [";
    for (size_t k = 0; k < g.candidates.size(); ++k) {
      const CandidateMeasure &c = g.candidates[k];
      os << (k ? ",\n" : "\n") << "        {\"precision\": " << jsonQuote(c.precision)
         << ", \"sqnr_db\": " << jsonNumber(c.error.sqnrDb)
         << ", \"mse\": " << jsonNumber(c.error.mse)
         << ", \"cosine\": " << jsonNumber(c.error.cosine)
         << ", \"max_abs\": " << jsonNumber(c.error.maxAbs)
         << ", \"top1\": " << jsonNumber(c.error.top1) << ", \"bytes\": " << c.bytes
         << ", \"latency_ms\": " << jsonNumber(c.latencyMs)
         << ", \"chain_latency_ms\": " << jsonNumber(c.chainLatencyMs)
         << ", \"conversion_ms\": " << jsonNumber(c.conversionMs) << "}";
    }
    os << (g.candidates.empty() ? "]\n" : "\n      ]\n") << "    }";
  }
  os << (r.groups.empty() ? "],\n" : "\n  ],\n");
  if (!plan) {
    os << "  \"plan\": null\n";
  } else {
    os << "  \"plan\": {\n";
    os << "    \"objective\": " << jsonQuote(plan->objective) << ",\n";
    os << "    \"iterations\": " << plan->iterations << ",\n";
    os << "    \"estimated\": " << jsonFigures(plan->estimated) << ",\n";
    os << "    \"measured\": " << jsonFigures(plan->measured) << ",\n";
    os << "    \"assignments\": [";
    for (size_t i = 0; i < r.groups.size(); ++i) {
      os << (i ? ",\n" : "\n") << "      {\"group\": " << jsonQuote(r.groups[i].name)
         << ", \"precision\": "
         << (i < plan->precisionOf.size() ? jsonQuote(plan->precisionOf[i]) : "null") << "}";
    }
    os << (r.groups.empty() ? "]\n" : "\n    ]\n");
    os << "  }\n";
  }
  os << "}\n";
}

// ---- Markdown -----------------------------------------------------------------------

namespace {

// The ONNX nodes cell: at most three names, each cut to 40 code points (keeping the end),
// then "+N more".
std::string nodesCell(const std::vector<std::string> &nodes) {
  std::string out;
  const size_t shown = std::min<size_t>(nodes.size(), 3);
  for (size_t k = 0; k < shown; ++k) out += (k ? ", " : "") + mdText(keepTail(nodes[k], 40));
  if (nodes.size() > shown) out += " +" + std::to_string(nodes.size() - shown) + " more";
  return out;
}

}  // namespace

void writeSensitivityMarkdown(const SensitivityResult &r, const ChosenPlan *plan,
                              std::ostream &os) {
  checkPlan(r, plan);
  os << "# Sensitivity report: " << mdText(r.model) << "\n\n";
  os << "* Samples: " << r.samples << " per trial, " << r.threads << " thread"
     << (r.threads == 1 ? "" : "s") << "; the analysis took " << format("%.1f", r.seconds)
     << " s.\n";
  os << "* FP32 model: package " << bytesText(r.fp32PackageBytes) << " (" << r.fp32PackageBytes
     << " bytes), " << format("%.3f", r.fp32LatencyMs) << " ms per run (sum of kernel times).\n";
  os << "* " << r.groups.size() << " groups; candidate precisions: ";
  for (size_t i = 0; i < r.precisions.size(); ++i) os << (i ? ", " : "") << mdText(r.precisions[i]);
  os << (r.precisions.empty() ? "none.\n\n" : ".\n\n");

  os << "## Chosen plan\n\n";
  if (!plan) {
    os << "No plan was chosen (analysis only).\n\n";
  } else {
    os << "Objective: " << mdText(plan->objective) << " (" << plan->iterations
       << " estimate/verify round" << (plan->iterations == 1 ? "" : "s") << ").\n\n";
    os << "| | SQNR (dB) | package | of fp32 | latency (ms) | top-1 agreement |\n";
    os << "|---|---:|---:|---:|---:|---:|\n";
    auto row = [&](const char *what, const PlanFigures &f) {
      os << "| " << what << " | " << sqnrText(f.sqnrDb) << " | " << bytesText(f.packageBytes)
         << " | " << ratioToFp32(f.packageBytes, r.fp32PackageBytes) << " | "
         << format("%.3f", f.latencyMs) << " | " << percentText(f.top1) << " |\n";
    };
    row("estimated", plan->estimated);
    row("measured", plan->measured);
    os << "\nPrecisions: " << mdText(precisionMix(r, *plan)) << ".\n\n";
  }

  os << "## Groups by sensitivity\n\n";
  os << "Most sensitive first: ranked by each group's worst SQNR over its integer "
        "(int8/int4) candidates, or over all its candidates when it has no integer one; ties "
        "in program order. Each SQNR (dB) is of the whole model's outputs against fp32 with "
        "only that group at that precision: \"inf\" means identical outputs, \"-\" that the "
        "precision does not apply to the group.\n\n";
  if (r.groups.empty()) {
    os << "The model has no groups.\n";
    return;
  }
  os << "| rank | group | op | ONNX nodes | params | fp32 bytes |";
  for (const std::string &p : r.precisions) os << " " << mdText(p) << " |";
  if (plan) os << " plan |";
  os << " protected |\n|---:|---|---|---|---:|---:|";
  for (size_t i = 0; i < r.precisions.size(); ++i) os << "---:|";
  if (plan) os << "---|";
  os << "---|\n";
  const std::vector<size_t> order = rankBySensitivity(r);
  for (size_t k = 0; k < order.size(); ++k) {
    const GroupSensitivity &g = r.groups[order[k]];
    os << "| " << k + 1 << " | " << mdText(g.name) << " | " << mdText(g.op) << " | "
       << nodesCell(g.nodes) << " | " << countText(g.params) << " | " << bytesText(g.fp32Bytes)
       << " |";
    for (const std::string &p : r.precisions) {
      const CandidateMeasure *c = findCandidate(g, p);
      os << " " << (c ? sqnrText(c->error.sqnrDb) : "-") << " |";
    }
    if (plan) os << " " << mdText(chosenFor(plan, order[k])) << " |";
    os << " " << mdText(g.protectedBecause) << " |\n";
  }
}

// ---- SVG ----------------------------------------------------------------------------

namespace {

struct Point {
  size_t group;
  std::string precision;
  double sqnrDb;
  uint64_t bytes;
  bool chosen;
};

// Colours by the precision's place in the legend (Tableau 10, readable on white).
const char *colourAt(size_t i) {
  static const char *palette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                  "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
  return palette[i % 10];
}

std::string num(double v) { return format("%.1f", v); }

// A "nice" tick step (1, 2 or 5 times a power of ten) giving about `ticks` intervals.
double niceStep(double span, int ticks) {
  const double raw = span / ticks;
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0})
    if (raw <= m * p * 1.0000001) return m * p;
  return 10 * p;
}

std::string decadeLabel(int k) {
  static const char *units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
  if (k < 0) return format("%g B", std::pow(10.0, k));
  const int u = std::min(k / 3, 6);
  return format("%g", std::pow(10.0, k - 3 * u)) + " " + units[u];
}

}  // namespace

void writeSensitivitySvg(const SensitivityResult &r, const ChosenPlan *plan, std::ostream &os) {
  checkPlan(r, plan);
  // Layout: the plot area [L, R] x [T, B]; +inf SQNR (identical outputs) on a band at
  // infY above the finite range, whose top is at T + 34; the legend right of the plot.
  const double W = 960, H = 600, L = 90, R = 750, T = 50, B = 530;
  const double infY = T + 12, finiteTop = T + 34;

  // The points: every candidate of every group, plus a kept-fp32 choice of the plan
  // (not a candidate: identical outputs at the group's fp32 bytes).
  std::vector<std::string> legend = r.precisions;
  auto colourOf = [&](const std::string &p) {
    auto it = std::find(legend.begin(), legend.end(), p);
    if (it == legend.end()) it = legend.insert(legend.end(), p);
    return colourAt(size_t(it - legend.begin()));
  };
  std::vector<Point> points;
  for (size_t i = 0; i < r.groups.size(); ++i) {
    const GroupSensitivity &g = r.groups[i];
    const std::string chosen = chosenFor(plan, i);
    for (const CandidateMeasure &c : g.candidates) {
      points.push_back({i, c.precision, c.error.sqnrDb, c.bytes, c.precision == chosen});
      colourOf(c.precision);
    }
    if (chosen == "fp32" && !findCandidate(g, chosen)) {
      points.push_back({i, chosen, INFINITY, g.fp32Bytes, true});
      colourOf(chosen);
    }
  }

  // x: log10(bytes) over whole decades; 0 bytes sits on the axis (x = L).
  double xlo = 0, xhi = 1;
  {
    bool any = false;
    uint64_t mn = 0, mx = 0;
    for (const Point &p : points) {
      if (p.bytes == 0) continue;
      mn = any ? std::min(mn, p.bytes) : p.bytes;
      mx = any ? std::max(mx, p.bytes) : p.bytes;
      any = true;
    }
    if (any) {
      xlo = std::floor(std::log10(double(mn)));
      xhi = std::ceil(std::log10(double(mx)));
      if (xhi <= xlo) xhi = xlo + 1;
    }
  }
  auto xOf = [&](uint64_t bytes) {
    if (bytes == 0) return L;
    return L + 10 + (std::log10(double(bytes)) - xlo) / (xhi - xlo) * (R - L - 20);
  };
  // y: the finite SQNRs on nice ticks; NaN and -inf on the bottom axis.
  double ylo = 0, yhi = 60;
  {
    bool any = false;
    double mn = 0, mx = 0;
    for (const Point &p : points) {
      if (!std::isfinite(p.sqnrDb)) continue;
      mn = any ? std::min(mn, p.sqnrDb) : p.sqnrDb;
      mx = any ? std::max(mx, p.sqnrDb) : p.sqnrDb;
      any = true;
    }
    if (any) {
      if (mx - mn < 1e-9) mn -= 5, mx += 5;
      const double step = niceStep(mx - mn, 6);
      ylo = std::floor(mn / step) * step;
      yhi = std::ceil(mx / step) * step;
    }
  }
  const double ystep = niceStep(yhi - ylo, 6);
  auto yOf = [&](double db) {
    if (std::isnan(db) || db == -INFINITY) return B;
    if (db == INFINITY) return infY;
    return B - (db - ylo) / (yhi - ylo) * (B - finiteTop);
  };

  os << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  os << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W << "\" height=\"" << H
     << "\" viewBox=\"0 0 " << W << " " << H
     << "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  os << "<title>" << xmlText("Sensitivity of " + r.model) << "</title>\n";
  if (plan) os << "<desc>" << xmlText("Plan: " + plan->objective) << "</desc>\n";
  os << "<rect width=\"" << W << "\" height=\"" << H << "\" fill=\"#ffffff\"/>\n";
  os << "<text x=\"" << L << "\" y=\"28\" font-size=\"15\" font-weight=\"bold\">"
     << xmlText("Error against size per group: " + r.model) << "</text>\n";

  // Grid, ticks and labels.
  os << "<g class=\"axes\" stroke=\"#dddddd\">\n";
  const int xstride = int(std::ceil((xhi - xlo) / 8));
  for (int k = int(xlo); k <= int(xhi); k += xstride) {
    const double x = L + 10 + (k - xlo) / (xhi - xlo) * (R - L - 20);
    os << "<line x1=\"" << num(x) << "\" y1=\"" << T << "\" x2=\"" << num(x) << "\" y2=\"" << B
       << "\"/>\n";
    os << "<text x=\"" << num(x) << "\" y=\"" << B + 18
       << "\" text-anchor=\"middle\" stroke=\"none\" fill=\"#333333\">" << xmlText(decadeLabel(k))
       << "</text>\n";
  }
  for (double v = ylo; v <= yhi + ystep * 1e-6; v += ystep) {
    const double y = yOf(v);
    os << "<line x1=\"" << L << "\" y1=\"" << num(y) << "\" x2=\"" << R << "\" y2=\"" << num(y)
       << "\"/>\n";
    os << "<text x=\"" << L - 8 << "\" y=\"" << num(y + 4)
       << "\" text-anchor=\"end\" stroke=\"none\" fill=\"#333333\">"
       << format("%g", std::fabs(v) < ystep * 1e-6 ? 0.0 : v) << "</text>\n";
  }
  os << "<line x1=\"" << L << "\" y1=\"" << num(infY) << "\" x2=\"" << R << "\" y2=\""
     << num(infY) << "\" stroke-dasharray=\"4 3\"/>\n";
  os << "<text x=\"" << L - 12 << "\" y=\"" << num(infY + 4)
     << "\" text-anchor=\"end\" stroke=\"none\" fill=\"#333333\">exact</text>\n";
  os << "</g>\n";
  os << "<g class=\"frame\" stroke=\"#333333\">\n";
  os << "<line x1=\"" << L << "\" y1=\"" << B << "\" x2=\"" << R << "\" y2=\"" << B << "\"/>\n";
  os << "<line x1=\"" << L << "\" y1=\"" << T << "\" x2=\"" << L << "\" y2=\"" << B << "\"/>\n";
  os << "</g>\n";
  os << "<text x=\"" << (L + R) / 2 << "\" y=\"" << H - 22
     << "\" text-anchor=\"middle\">group weight bytes at that precision (log scale, 1 kB = 1000 "
        "B)</text>\n";
  os << "<text transform=\"rotate(-90)\" x=\"" << -(T + B) / 2
     << "\" y=\"28\" text-anchor=\"middle\">model output SQNR (dB), only this group at that "
        "precision</text>\n";
  if (points.empty())
    os << "<text x=\"" << (L + R) / 2 << "\" y=\"" << (T + B) / 2
       << "\" text-anchor=\"middle\" fill=\"#888888\">no groups to plot</text>\n";

  // The points, the plan's on top.
  os << "<g class=\"points\">\n";
  for (bool chosenPass : {false, true}) {
    for (const Point &p : points) {
      if (p.chosen != chosenPass) continue;
      const std::string tip = r.groups[p.group].name + ": " + p.precision + ", SQNR " +
                              sqnrText(p.sqnrDb) + " dB, " + std::to_string(p.bytes) + " bytes" +
                              (p.chosen ? " (chosen by the plan)" : "");
      os << "<circle class=\"" << (p.chosen ? "pt chosen" : "pt") << "\" cx=\"" << num(xOf(p.bytes))
         << "\" cy=\"" << num(yOf(p.sqnrDb)) << "\" r=\"" << (p.chosen ? "6.5" : "4")
         << "\" fill=\"" << colourOf(p.precision) << "\""
         << (p.chosen ? " stroke=\"#000000\" stroke-width=\"2\"" : " fill-opacity=\"0.75\"")
         << "><title>" << xmlText(tip) << "</title></circle>\n";
    }
  }
  os << "</g>\n";

  // The legend: one colour per precision, and the plan's marker.
  os << "<g class=\"legend\">\n";
  double ly = T + 10;
  os << "<text x=\"" << R + 24 << "\" y=\"" << ly << "\" font-weight=\"bold\">precision</text>\n";
  for (const std::string &p : legend) {
    ly += 20;
    os << "<circle cx=\"" << R + 30 << "\" cy=\"" << num(ly - 4) << "\" r=\"5\" fill=\""
       << colourOf(p) << "\"/>\n";
    os << "<text x=\"" << R + 42 << "\" y=\"" << num(ly) << "\">" << xmlText(p) << "</text>\n";
  }
  if (plan) {
    ly += 28;
    os << "<circle cx=\"" << R + 30 << "\" cy=\"" << num(ly - 4)
       << "\" r=\"6.5\" fill=\"#ffffff\" stroke=\"#000000\" stroke-width=\"2\"/>\n";
    os << "<text x=\"" << R + 42 << "\" y=\"" << num(ly) << "\">chosen by the plan</text>\n";
  }
  os << "</g>\n";
  os << "</svg>\n";
}

// ---- terminal table ------------------------------------------------------------------

void printSensitivityTable(const SensitivityResult &r, const ChosenPlan *plan, size_t rows,
                           std::ostream &os) {
  checkPlan(r, plan);
  const std::vector<size_t> order = rankBySensitivity(r);
  const size_t shown = std::min(rows, order.size());

  // Cells first, then widths: columns are right-aligned except group, op and plan.
  std::vector<std::string> header = {"#", "group", "op", "params", "fp32"};
  for (const std::string &p : r.precisions) header.push_back(plainText(p));
  if (plan) header.push_back("plan");
  std::vector<bool> left(header.size(), false);
  left[1] = left[2] = true;
  if (plan) left.back() = true;
  std::vector<std::vector<std::string>> cells = {header};
  for (size_t k = 0; k < shown; ++k) {
    const GroupSensitivity &g = r.groups[order[k]];
    std::vector<std::string> row = {std::to_string(k + 1), plainText(keepTail(g.name, 36)),
                                    plainText(g.op), countText(g.params), bytesText(g.fp32Bytes)};
    for (const std::string &p : r.precisions) {
      const CandidateMeasure *c = findCandidate(g, p);
      row.push_back(c ? sqnrText(c->error.sqnrDb) : "-");
    }
    if (plan) row.push_back(plainText(chosenFor(plan, order[k])) +
                            (g.protectedBecause.empty() ? "" : " (protected)"));
    cells.push_back(std::move(row));
  }
  std::vector<size_t> width(header.size(), 0);
  for (const auto &row : cells)
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], codePoints(row[c]));

  os << "SQNR (dB) of the model output with only that group at each precision, most "
        "sensitive first:\n";
  for (size_t k = 0; k < cells.size(); ++k) {
    std::string line;
    for (size_t c = 0; c < cells[k].size(); ++c) {
      const std::string pad(width[c] - codePoints(cells[k][c]), ' ');
      line += (c ? "  " : "") + (left[c] ? cells[k][c] + pad : pad + cells[k][c]);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    os << line << "\n";
  }
  if (shown < order.size())
    os << "(" << order.size() - shown << " more group" << (order.size() - shown == 1 ? "" : "s")
       << "; sensitivity.md lists them all)\n";
  if (plan) {
    auto figures = [&](const PlanFigures &f) {
      return "SQNR " + sqnrText(f.sqnrDb) + " dB, " + bytesText(f.packageBytes) + " (" +
             ratioToFp32(f.packageBytes, r.fp32PackageBytes) + " of fp32), " +
             format("%.3f", f.latencyMs) + " ms";
    };
    os << "plan (" << plainText(plan->objective) << "): estimated " << figures(plan->estimated)
       << "; measured " << figures(plan->measured)
       << (std::isnan(plan->measured.top1) ? "" : ", top-1 " + percentText(plan->measured.top1))
       << "; " << plan->iterations << " round" << (plan->iterations == 1 ? "" : "s") << "\n";
  }
}

}  // namespace edgec::quant
