// edgec-conformance: runs the ONNX backend node test suite through the whole toolchain
// (ONNX frontend -> host target's pipeline, legality check and package writer ->
// runtime) and compares every output with the suite's expected values.
//
// Each case runs in a forked child, so a crash or hang fails that case only. The model is
// compiled as the case ships it, as `edgec compile case/model.onnx` would: no input is
// frozen into a constant, so an input that decides shapes (Reshape's shape, Slice's
// starts) or a compile-time parameter (Trilu's k) fails unless edgec handles it as a run-
// time input. Inputs are bound and outputs compared by name (the name in each
// input_N.pb / output_N.pb against the package's signature, through the runtime API as a
// user would); a name missing on either side, or another dtype or shape, is a failure.
//
// Every case runs. A case that fails is SKIPPED only if test/conformance/skips.txt lists
// it (with a reason group); a listed case that passes is a FAILURE ("remove it from
// skips.txt"), as is a listed name that is not a case, so the list cannot go stale.
#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "edgec/AtomicFile.h"
#include "edgec/OnnxImporter.h"
#include "edgec/Pipelines.h"
#include "edgec/Target.h"
#include "edgec/runtime.hpp"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "onnx/onnx_pb.h"

namespace {

constexpr double kRtol = 1e-3, kAtol = 1e-5;

struct Result {
  enum Kind { Pass, Fail } kind;
  std::string reason;
};

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool exists(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

std::vector<std::string> listDir(const std::string &dir) {
  std::vector<std::string> names;
  if (DIR *d = ::opendir(dir.c_str())) {
    while (dirent *e = ::readdir(d))
      if (e->d_name[0] != '.') names.push_back(e->d_name);
    ::closedir(d);
  }
  std::sort(names.begin(), names.end());
  return names;
}

onnx::TensorProto readTensor(const std::string &path) {
  onnx::TensorProto t;
  if (!t.ParseFromString(readFile(path))) throw std::runtime_error("cannot parse " + path);
  return t;
}

// The package dtype an ONNX element type is stored as; -1 for none.
int onnxToDType(int32_t t) {
  switch (t) {
  case onnx::TensorProto::FLOAT: return EDGEC_F32;
  case onnx::TensorProto::FLOAT16: return EDGEC_F16;
  case onnx::TensorProto::BFLOAT16: return EDGEC_BF16;
  case onnx::TensorProto::DOUBLE: return EDGEC_F64;
  case onnx::TensorProto::INT8: return EDGEC_I8;
  case onnx::TensorProto::UINT8: return EDGEC_U8;
  case onnx::TensorProto::INT16: return EDGEC_I16;
  case onnx::TensorProto::UINT16: return EDGEC_U16;
  case onnx::TensorProto::INT32: return EDGEC_I32;
  case onnx::TensorProto::UINT32: return EDGEC_U32;
  case onnx::TensorProto::INT64: return EDGEC_I64;
  case onnx::TensorProto::UINT64: return EDGEC_U64;
  case onnx::TensorProto::BOOL: return EDGEC_BOOL;
  default: return -1;
  }
}

std::string shapeStr(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "x" : "") + std::to_string(shape[i]);
  return s + "]";
}

std::string namesOf(const std::vector<edgec::TensorInfo> &infos) {
  std::string s;
  for (const auto &t : infos) s += (s.empty() ? "" : ", ") + t.name;
  return s.empty() ? "none" : s;
}

// Index of the signature entry named `name`, or -1.
int findByName(const std::vector<edgec::TensorInfo> &infos, const std::string &name) {
  for (size_t i = 0; i < infos.size(); ++i)
    if (infos[i].name == name) return int(i);
  return -1;
}

// "" if a data file's tensor has the signature entry's dtype and shape.
std::string signatureMismatch(const onnx::TensorProto &t, const edgec::TensorInfo &info, const char *kind) {
  std::vector<int64_t> dims(t.dims().begin(), t.dims().end());
  if (onnxToDType(t.data_type()) != int(info.dtype))
    return std::string(kind) + " '" + info.name + "': the package has dtype " + std::to_string(int(info.dtype)) +
           ", the test data " + onnx::TensorProto::DataType_Name(onnx::TensorProto::DataType(t.data_type()));
  if (dims != info.shape)
    return std::string(kind) + " '" + info.name + "': the package has shape " + shapeStr(info.shape) +
           ", the test data " + shapeStr(dims);
  return "";
}

// Files named PREFIX<N>.pb in a data set folder, in N order.
std::vector<std::string> dataFiles(const std::string &dir, const std::string &prefix) {
  std::vector<std::pair<int, std::string>> found;
  for (const std::string &name : listDir(dir))
    if (name.rfind(prefix, 0) == 0 && name.size() > prefix.size() + 3 && name.substr(name.size() - 3) == ".pb")
      found.push_back({std::atoi(name.c_str() + prefix.size()), dir + "/" + name});
  std::sort(found.begin(), found.end());
  std::vector<std::string> paths;
  for (auto &f : found) paths.push_back(f.second);
  return paths;
}

// Raw little-endian values of a TensorProto as numbers, for comparison.
std::vector<double> valuesOf(const onnx::TensorProto &t) {
  std::vector<double> out;
  auto fromRaw = [&](auto tag) {
    using T = decltype(tag);
    const std::string &raw = t.raw_data();
    for (size_t i = 0; i + sizeof(T) <= raw.size(); i += sizeof(T)) {
      T v;
      std::memcpy(&v, raw.data() + i, sizeof(T));
      out.push_back(double(v));
    }
  };
  switch (t.data_type()) {
  case onnx::TensorProto::FLOAT: fromRaw(float{}); break;
  case onnx::TensorProto::DOUBLE: fromRaw(double{}); break;
  case onnx::TensorProto::INT8: fromRaw(int8_t{}); break;
  case onnx::TensorProto::UINT8: case onnx::TensorProto::BOOL: fromRaw(uint8_t{}); break;
  case onnx::TensorProto::INT16: fromRaw(int16_t{}); break;
  case onnx::TensorProto::UINT16: fromRaw(uint16_t{}); break;
  case onnx::TensorProto::INT32: fromRaw(int32_t{}); break;
  case onnx::TensorProto::UINT32: fromRaw(uint32_t{}); break;
  case onnx::TensorProto::INT64: fromRaw(int64_t{}); break;
  case onnx::TensorProto::UINT64: fromRaw(uint64_t{}); break;
  case onnx::TensorProto::FLOAT16: {
    const std::string &raw = t.raw_data();
    for (size_t i = 0; i + 2 <= raw.size(); i += 2) {
      uint16_t h;
      std::memcpy(&h, raw.data() + i, 2);
      int exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
      double v = exp == 0 ? std::ldexp(mant, -24) : exp == 31 ? (mant ? NAN : INFINITY) : std::ldexp(mant + 1024, exp - 25);
      out.push_back((h & 0x8000) ? -v : v);
    }
    break;
  }
  default: break;
  }
  return out;
}

// Same values from runtime memory, interpreted with the same type.
onnx::TensorProto asTensor(const void *data, size_t bytes, int32_t type) {
  onnx::TensorProto t;
  t.set_data_type(type);
  t.set_raw_data(std::string(static_cast<const char *>(data), bytes));
  return t;
}

bool isFloat(int32_t t) {
  return t == onnx::TensorProto::FLOAT || t == onnx::TensorProto::DOUBLE || t == onnx::TensorProto::FLOAT16;
}

std::string compare(const onnx::TensorProto &expected, const void *data, size_t bytes, const std::string &name) {
  std::vector<double> want = valuesOf(expected);
  std::vector<double> got = valuesOf(asTensor(data, bytes, expected.data_type()));
  if (want.size() != got.size())
    return "output '" + name + "': " + std::to_string(got.size()) + " values, expected " + std::to_string(want.size());
  bool fp = isFloat(expected.data_type());
  size_t bad = 0, first = 0;
  double worst = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    double w = want[i], g = got[i];
    bool ok;
    if (!fp) ok = w == g;
    else if (std::isnan(w) || std::isnan(g)) ok = std::isnan(w) && std::isnan(g);
    else if (std::isinf(w) || std::isinf(g)) ok = w == g;
    else ok = std::fabs(w - g) <= kAtol + kRtol * std::fabs(w);
    if (!ok) {
      if (bad++ == 0) first = i;
      worst = std::max(worst, std::fabs(w - g));
    }
  }
  if (!bad) return "";
  std::ostringstream os;
  os << "output '" << name << "': " << bad << "/" << want.size() << " values differ (first at " << first
     << ": got " << got[first] << ", expected " << want[first] << "; max abs error " << worst << ")";
  return os.str();
}

Result runCase(const std::string &dir, const std::string &workDir) {
  onnx::ModelProto model;
  if (!model.ParseFromString(readFile(dir + "/model.onnx"))) return {Result::Fail, "cannot parse model.onnx"};
  const onnx::GraphProto &g = model.graph();

  std::vector<std::string> dataSets;
  for (const auto &name : listDir(dir))
    if (name.rfind("test_data_set_", 0) == 0) dataSets.push_back(dir + "/" + name);
  if (dataSets.empty()) return {Result::Fail, "no test data"};

  mlir::MLIRContext context;
  std::string diagnostics;
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
    diagnostics += d.str() + "\n";
    return mlir::success();
  });
  edgec::registerBuiltinTargets();
  const edgec::Target *target = edgec::lookupTarget("host");
  std::string error;
  auto module = edgec::importOnnxBytes(context, model.SerializeAsString(), "model.onnx", dir, {}, error);
  if (!module) return {Result::Fail, "import: " + error + (diagnostics.empty() ? "" : " " + diagnostics)};
  mlir::PassManager pm(&context);
  target->buildPipeline(pm, {});
  target->buildLatePipeline(pm, {});  // no precision passes in between: what compile runs for fp32
  if (mlir::failed(pm.run(*module))) return {Result::Fail, "optimize: " + diagnostics};
  if (mlir::failed(target->checkLegality(*module))) return {Result::Fail, "legality: " + diagnostics};
  std::vector<uint8_t> package;
  if ((*module)->getAttr("edge.data_dependent")) {
    // Sizes that values decide: the probe compile and the dynamic package, as edgec
    // compile builds them (CompileCommand.cpp).
    edgec::ImportOptions probeOptions;
    probeOptions.dataDependentProbe = true;
    auto probe = edgec::importOnnxBytes(context, model.SerializeAsString(), "model.onnx", dir, probeOptions, error);
    if (!probe) return {Result::Fail, "import (probe): " + error};
    mlir::PassManager ppm(&context);
    target->buildPipeline(ppm, {});
    target->buildLatePipeline(ppm, {});
    if (mlir::failed(ppm.run(*probe))) return {Result::Fail, "optimize (probe): " + diagnostics};
    package = target->buildDynamicPackage(*module, *probe, edgec::DynamicDims{}, nullptr, error);
    if (package.empty()) return {Result::Fail, "lower: " + error + " " + diagnostics};
  } else {
    package = target->buildPackage(*module, nullptr);
    if (package.empty()) return {Result::Fail, "lower: " + diagnostics};
  }
  std::string pkgPath = workDir + "/case.edgepkg";
  if (!edgec::writeFileAtomically(pkgPath, package, error)) return {Result::Fail, error};

  try {
    edgec::Model m(pkgPath);
    std::vector<edgec::TensorInfo> inputs = m.inputs(), outputs = m.outputs();
    edgec::Session session(m);
    for (const std::string &ds : dataSets) {
      std::set<std::string> given;
      for (const std::string &file : dataFiles(ds, "input_")) {
        onnx::TensorProto t = readTensor(file);
        int k = findByName(inputs, t.name());
        if (k < 0)
          return {Result::Fail, "the test data has input '" + t.name() + "', the package does not (inputs: " +
                                    namesOf(inputs) + ")"};
        if (!given.insert(t.name()).second) return {Result::Fail, "input '" + t.name() + "' is given twice"};
        std::string bad = signatureMismatch(t, inputs[size_t(k)], "input");
        if (!bad.empty()) return {Result::Fail, bad};
        if (!t.has_raw_data()) return {Result::Fail, "input " + t.name() + " has no raw data"};
        session.setInput(int32_t(k), t.raw_data().data(), t.raw_data().size());
      }
      for (const auto &info : inputs)
        if (!given.count(info.name))
          return {Result::Fail, "the package has input '" + info.name + "', the test data does not"};
      session.run();
      std::set<std::string> expected;
      for (const std::string &file : dataFiles(ds, "output_")) {
        onnx::TensorProto want = readTensor(file);
        int k = findByName(outputs, want.name());
        if (k < 0)
          return {Result::Fail, "the test data has output '" + want.name() + "', the package does not (outputs: " +
                                    namesOf(outputs) + ")"};
        expected.insert(want.name());
        edgec::TensorInfo info = outputs[size_t(k)];
        info.shape = session.outputShape(k);  // the run's (data-dependent sizes)
        std::string bad = signatureMismatch(want, info, "output");
        if (!bad.empty()) return {Result::Fail, bad};
        auto [data, bytes] = session.output(k);
        std::string diff = compare(want, data, bytes, want.name());
        if (!diff.empty()) return {Result::Fail, diff};
      }
      for (const auto &info : outputs)
        if (!expected.count(info.name))
          return {Result::Fail, "the package has output '" + info.name + "', the test data does not"};
    }
  } catch (const std::exception &e) {
    return {Result::Fail, std::string("runtime: ") + e.what()};
  }
  return {Result::Pass, ""};
}

// Runs one case in a child process with a time limit.
Result runIsolated(const std::string &dir, const std::string &workDir, int timeoutSec) {
  int fds[2];
  if (::pipe(fds) != 0) return {Result::Fail, "pipe failed"};
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    ::alarm(timeoutSec);
    Result r;
    try {
      r = runCase(dir, workDir);
    } catch (const std::exception &e) {
      r = {Result::Fail, std::string("exception: ") + e.what()};
    }
    std::string msg = std::to_string(int(r.kind)) + r.reason;
    (void)!::write(fds[1], msg.data(), msg.size());
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string msg;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0) msg.append(buf, size_t(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFSIGNALED(status))
    return {Result::Fail, WTERMSIG(status) == SIGALRM ? "timed out after " + std::to_string(timeoutSec) + " s"
                                                      : "crashed with signal " + std::to_string(WTERMSIG(status))};
  if (msg.empty()) return {Result::Fail, "no result from the child process"};
  return {Result::Kind(msg[0] - '0'), msg.substr(1)};
}

// The skip list: "group NAME DESCRIPTION" lines declare reason groups, "CASE GROUP"
// lines skip a case for one of them; '#' starts a comment. Any error makes the runner
// stop (exit 2) before running a case.
struct SkipList {
  std::map<std::string, std::string> groups;  // name -> description
  std::map<std::string, std::string> cases;   // case -> group
};

SkipList readSkipList(const std::string &path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open the skip list");
  SkipList list;
  std::string line;
  for (int lineNo = 1; std::getline(in, line); ++lineNo) {
    if (size_t hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    std::istringstream words(line);
    std::string first, second;
    if (!(words >> first)) continue;
    std::string where = path + ":" + std::to_string(lineNo) + ": ";
    if (!(words >> second)) throw std::runtime_error(where + "expected 'CASE GROUP' or 'group NAME DESCRIPTION'");
    if (first == "group") {
      std::string description;
      std::getline(words >> std::ws, description);
      if (description.empty()) throw std::runtime_error(where + "group '" + second + "' has no description");
      if (!list.groups.emplace(second, description).second)
        throw std::runtime_error(where + "group '" + second + "' is declared twice");
      continue;
    }
    std::string rest;
    if (words >> rest) throw std::runtime_error(where + "expected 'CASE GROUP', found more words");
    if (!list.groups.count(second))
      throw std::runtime_error(where + "unknown group '" + second + "' (declare it with 'group NAME DESCRIPTION')");
    if (!list.cases.emplace(first, second).second)
      throw std::runtime_error(where + "case '" + first + "' is listed twice");
  }
  return list;
}

// The list next to this source file, unless --skips names another.
std::string defaultSkipList() {
  std::string self = __FILE__;
  return self.substr(0, self.find_last_of('/') + 1) + "skips.txt";
}

}  // namespace

int main(int argc, char **argv) {
  std::vector<std::string> args;
  std::string skipsPath = defaultSkipList();
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--skips" && i + 1 < argc) skipsPath = argv[++i];
    else args.push_back(a);
  }
  if (args.size() < 2 || args.size() > 3) {
    std::cerr << "usage: edgec-conformance NODE_TEST_DIR REPORT_FILE [FILTER] [--skips FILE]\n"
                 "  NODE_TEST_DIR  the generated ONNX node tests (<dir>/<case>/model.onnx)\n"
                 "  REPORT_FILE    where to write every case's status and reason\n"
                 "  FILTER         only cases whose name contains this string\n"
                 "  --skips FILE   the cases that may fail, by reason group (default: "
              << defaultSkipList() << ")\n";
    return 2;
  }
  std::string root = args[0], reportPath = args[1], filter = args.size() > 2 ? args[2] : "";
  SkipList skips;
  try {
    skips = readSkipList(skipsPath);
  } catch (const std::exception &e) {
    std::cerr << "edgec-conformance: " << e.what() << "\n";
    return 2;
  }
  std::string workDir = reportPath + ".work";
  ::mkdir(workDir.c_str(), 0755);

  std::vector<std::string> cases = listDir(root);
  if (cases.empty()) {
    std::cerr << "edgec-conformance: no test cases in " << root << "\n";
    return 2;
  }
  int passed = 0, failed = 0, skipped = 0;
  std::map<std::string, std::vector<std::string>> skippedByGroup;  // group -> "case: reason"
  std::ofstream report(reportPath);
  report << "# ONNX node conformance (rtol " << kRtol << ", atol " << kAtol << " for floats, exact otherwise)\n"
         << "# skip list: " << skipsPath << "\n";
  auto fail = [&](const std::string &name, const std::string &reason) {
    ++failed;
    report << "FAIL " << name << ": " << reason << "\n";
    std::cout << "FAIL " << name << ": " << reason << "\n";
  };
  std::set<std::string> seen;
  for (const std::string &name : cases) {
    if (!filter.empty() && name.find(filter) == std::string::npos) continue;
    if (!exists(root + "/" + name + "/model.onnx")) continue;
    seen.insert(name);
    std::string caseWork = workDir + "/" + name;
    ::mkdir(caseWork.c_str(), 0755);
    Result r = runIsolated(root + "/" + name, caseWork, 60);
    auto listed = skips.cases.find(name);
    if (listed == skips.cases.end()) {
      if (r.kind == Result::Pass) {
        ++passed;
        report << "PASS " << name << "\n";
      } else {
        fail(name, r.reason);
      }
    } else if (r.kind == Result::Pass) {
      fail(name, "listed as skipped (" + listed->second + ") but passes: remove it from skips.txt");
    } else {
      ++skipped;
      report << "SKIP " << name << " [" << listed->second << "]: " << r.reason << "\n";
      skippedByGroup[listed->second].push_back(name + ": " + r.reason);
    }
  }
  // A listed name that is no case (renamed, removed): the list must match the suite.
  if (filter.empty())
    for (const auto &[name, group] : skips.cases)
      if (!seen.count(name)) fail(name, "listed in skips.txt (" + group + ") but the suite has no such case");

  report << "\n# skipped, by group\n";
  for (const auto &[group, entries] : skippedByGroup) {
    report << "## " << group << " (" << entries.size() << "): " << skips.groups[group] << "\n";
    for (const auto &e : entries) report << "   " << e << "\n";
  }
  // The figure: every case of the suite in the denominator, a skip counted as
  // not passing.
  std::ostringstream share;
  share << passed << " of " << seen.size() << " cases pass ("
        << (seen.empty() ? 0.0 : std::round(1000.0 * passed / double(seen.size())) / 10.0) << "%)";
  report << "\n# " << share.str() << "\n";
  std::cout << "node suite: " << share.str() << "\n";
  std::cout << "report: " << reportPath << "\n";
  std::cout << passed << " passed, " << failed << " failed, " << skipped << " skipped\n";
  return failed ? 1 : 0;
}
