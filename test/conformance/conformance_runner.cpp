// edgec-conformance: runs the ONNX backend node test suite through the whole toolchain
// (ONNX frontend -> host pipeline -> package -> runtime) and compares every output with
// the suite's expected values.
//
// Each case runs in a forked child, so a crash or hang fails that case only. A case is
// SKIPPED only for a stated reason: an operator edgec does not import, a non-tensor or
// unsupported element type in its signature, or the compiler rejecting the model with an
// explicit "not supported" error. Everything else that does not match is a FAILURE.
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

#include "edgec/HostTarget.h"
#include "edgec/OnnxImporter.h"
#include "edgec/AtomicFile.h"
#include "edgec/Pipelines.h"
#include "edgec/runtime.hpp"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "onnx/onnx_pb.h"

namespace {

constexpr double kRtol = 1e-3, kAtol = 1e-5;

struct Result {
  enum Kind { Pass, Fail, Skip } kind;
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

// Element types the host runtime computes with.
bool supportedElemType(int32_t t) {
  switch (t) {
  case onnx::TensorProto::FLOAT: case onnx::TensorProto::DOUBLE: case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::INT8: case onnx::TensorProto::UINT8: case onnx::TensorProto::INT16:
  case onnx::TensorProto::UINT16: case onnx::TensorProto::INT32: case onnx::TensorProto::UINT32:
  case onnx::TensorProto::INT64: case onnx::TensorProto::UINT64: case onnx::TensorProto::BOOL:
    return true;
  default:
    return false;
  }
}

// Inputs that fix shapes or compile-time parameters (Trilu's k, CumSum's axis): edgec
// compiles static shapes, so the runner binds these test inputs as constants
// (initializers) before compiling, as a deployment would.
bool isShapeOperand(const std::string &op, int index) {
  static const std::map<std::string, std::set<int>> operands = {
      {"Reshape", {1}}, {"Expand", {1}}, {"Squeeze", {1}}, {"Unsqueeze", {1}},
      {"Slice", {1, 2, 3, 4}}, {"ReduceSum", {1}}, {"ReduceMean", {1}}, {"ReduceMax", {1}},
      {"ReduceMin", {1}}, {"ReduceProd", {1}}, {"ReduceL1", {1}}, {"ReduceL2", {1}},
      {"ReduceLogSum", {1}}, {"ReduceLogSumExp", {1}}, {"ReduceSumSquare", {1}},
      {"Tile", {1}}, {"Pad", {1, 3}}, {"Split", {1}}, {"ConstantOfShape", {0}},
      {"Range", {0, 1, 2}}, {"Trilu", {1}}, {"CumSum", {1}}};
  auto it = operands.find(op);
  return it != operands.end() && it->second.count(index);
}

// Values a shape operand is computed from, back to the graph inputs: a window function
// feeds its size input through Cast/Sub/Div into Range's limit, and that input must be
// bound as well. Shape and Size read only their input's (static) shape, not its data,
// so the search stops there.
std::set<std::string> shapeOperandSources(const onnx::GraphProto &g) {
  std::map<std::string, const onnx::NodeProto *> producer;
  for (const auto &n : g.node())
    for (const auto &out : n.output()) producer[out] = &n;
  std::vector<std::string> work;
  for (const auto &n : g.node())
    for (int i = 0; i < n.input_size(); ++i)
      if (isShapeOperand(n.op_type(), i) && !n.input(i).empty()) work.push_back(n.input(i));
  std::set<std::string> seen;
  while (!work.empty()) {
    std::string v = work.back();
    work.pop_back();
    if (!seen.insert(v).second) continue;
    auto it = producer.find(v);
    if (it == producer.end() || it->second->op_type() == "Shape" || it->second->op_type() == "Size") continue;
    for (const auto &in : it->second->input())
      if (!in.empty()) work.push_back(in);
  }
  return seen;
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

  // Reasons to skip, decided from the model alone.
  std::vector<std::string> supported = edgec::supportedOnnxOps();
  std::set<std::string> unsupported;
  for (const auto &n : g.node())
    if (!n.domain().empty() || !std::binary_search(supported.begin(), supported.end(), n.op_type()))
      unsupported.insert(n.op_type());
  if (!unsupported.empty()) {
    std::string ops;
    for (const auto &op : unsupported) ops += (ops.empty() ? "" : ", ") + op;
    return {Result::Skip, "unsupported op: " + ops};
  }
  for (const auto *list : {&g.input(), &g.output()})
    for (const auto &vi : *list) {
      if (!vi.type().has_tensor_type()) return {Result::Skip, "non-tensor graph input/output (sequence/optional)"};
      if (!supportedElemType(vi.type().tensor_type().elem_type()))
        return {Result::Skip, "element type " +
                                  onnx::TensorProto::DataType_Name(
                                      onnx::TensorProto::DataType(vi.type().tensor_type().elem_type())) +
                                  " is not supported"};
    }

  std::vector<std::string> dataSets;
  for (const auto &name : listDir(dir))
    if (name.rfind("test_data_set_", 0) == 0) dataSets.push_back(dir + "/" + name);
  if (dataSets.empty()) return {Result::Fail, "no test data"};

  // Bind shape operands that are graph inputs to the first data set's values.
  std::set<std::string> bound = shapeOperandSources(g);
  std::vector<int> runtimeInputs;  // indices into g.input()
  onnx::ModelProto compiled = model;
  auto *cg = compiled.mutable_graph();
  cg->clear_input();
  for (int j = 0; j < g.input_size(); ++j) {
    if (bound.count(g.input(j).name())) {
      onnx::TensorProto t = readTensor(dataSets[0] + "/input_" + std::to_string(j) + ".pb");
      t.set_name(g.input(j).name());
      *cg->add_initializer() = t;
    } else {
      *cg->add_input() = g.input(j);
      runtimeInputs.push_back(j);
    }
  }

  mlir::MLIRContext context;
  std::string diagnostics;
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
    diagnostics += d.str() + "\n";
    return mlir::success();
  });
  std::string error;
  auto module = edgec::importOnnxBytes(context, compiled.SerializeAsString(), "model.onnx", dir, {}, error);
  if (!module) {
    if (error.find("not supported") != std::string::npos) return {Result::Skip, error.substr(error.find(": ") + 2)};
    return {Result::Fail, "import: " + error + " " + diagnostics};
  }
  mlir::PassManager pm(&context);
  edgec::buildHostPipeline(pm, {});
  if (mlir::failed(pm.run(*module))) return {Result::Fail, "optimize: " + diagnostics};
  std::vector<uint8_t> package = edgec::buildHostPackage(*module);
  if (package.empty()) {
    if (diagnostics.find("not supported") != std::string::npos) return {Result::Skip, diagnostics};
    return {Result::Fail, "lower: " + diagnostics};
  }
  std::string pkgPath = workDir + "/case.edgepkg";
  if (!edgec::writeFileAtomically(pkgPath, package, error)) return {Result::Fail, error};

  try {
    edgec::Model m(pkgPath);
    edgec::Session session(m);
    for (const std::string &ds : dataSets) {
      for (size_t k = 0; k < runtimeInputs.size(); ++k) {
        onnx::TensorProto t = readTensor(ds + "/input_" + std::to_string(runtimeInputs[k]) + ".pb");
        if (!t.has_raw_data()) return {Result::Fail, "input " + t.name() + " has no raw data"};
        session.setInput(int32_t(k), t.raw_data().data(), t.raw_data().size());
      }
      session.run();
      for (int j = 0; j < g.output_size(); ++j) {
        onnx::TensorProto want = readTensor(ds + "/output_" + std::to_string(j) + ".pb");
        auto [data, bytes] = session.output(j);
        std::string diff = compare(want, data, bytes, g.output(j).name());
        if (!diff.empty()) return {Result::Fail, diff};
      }
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

}  // namespace

int main(int argc, char **argv) {
  if (argc < 3) {
    std::cerr << "usage: edgec-conformance NODE_TEST_DIR REPORT_FILE [FILTER]\n"
                 "  NODE_TEST_DIR  the generated ONNX node tests (<dir>/<case>/model.onnx)\n"
                 "  REPORT_FILE    where to write every case's status and reason\n"
                 "  FILTER         only cases whose name contains this string\n";
    return 2;
  }
  std::string root = argv[1], reportPath = argv[2], filter = argc > 3 ? argv[3] : "";
  std::string workDir = reportPath + ".work";
  ::mkdir(workDir.c_str(), 0755);

  std::vector<std::string> cases = listDir(root);
  if (cases.empty()) {
    std::cerr << "edgec-conformance: no test cases in " << root << "\n";
    return 2;
  }
  int passed = 0, failed = 0, skipped = 0;
  std::map<std::string, std::vector<std::string>> skipReasons;
  std::ofstream report(reportPath);
  report << "# ONNX node conformance (rtol " << kRtol << ", atol " << kAtol << " for floats, exact otherwise)\n";
  for (const std::string &name : cases) {
    if (!filter.empty() && name.find(filter) == std::string::npos) continue;
    if (!exists(root + "/" + name + "/model.onnx")) continue;
    std::string caseWork = workDir + "/" + name;
    ::mkdir(caseWork.c_str(), 0755);
    Result r = runIsolated(root + "/" + name, caseWork, 60);
    const char *tag = r.kind == Result::Pass ? "PASS" : r.kind == Result::Fail ? "FAIL" : "SKIP";
    report << tag << " " << name << (r.reason.empty() ? "" : ": " + r.reason) << "\n";
    if (r.kind == Result::Pass) ++passed;
    if (r.kind == Result::Fail) {
      ++failed;
      std::cout << "FAIL " << name << ": " << r.reason << "\n";
    }
    if (r.kind == Result::Skip) {
      ++skipped;
      skipReasons[r.reason].push_back(name);
    }
  }
  report << "\n# skipped, by reason\n";
  for (const auto &[reason, names] : skipReasons) {
    report << "## " << reason << " (" << names.size() << ")\n";
    for (const auto &n : names) report << "   " << n << "\n";
  }
  std::cout << "report: " << reportPath << "\n";
  std::cout << passed << " passed, " << failed << " failed, " << skipped << " skipped\n";
  return failed ? 1 : 0;
}
