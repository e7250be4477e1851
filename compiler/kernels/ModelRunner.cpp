#include "edgec/ModelRunner.h"

#include <algorithm>
#include <cmath>

#include "edgec/HostTarget.h"
#include "mlir/IR/BuiltinTypes.h"
#include "model.h"

namespace edgec {

namespace {
std::string shapeStr(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "x" : "") + std::to_string(shape[i]);
  return s + "]";
}

std::string describe(const RunnerTensorInfo &t) {
  return "'" + t.name + "' (" + pkg::EnumNameDType(t.dtype) + " " + shapeStr(t.shape) + ", " +
         std::to_string(t.bytes) + " bytes)";
}

mlir::Type elementTypeOf(mlir::MLIRContext *ctx, pkg::DType d) {
  using namespace mlir;
  auto integer = [&](unsigned w, bool u) -> Type {
    return IntegerType::get(ctx, w, u ? IntegerType::Unsigned : IntegerType::Signless);
  };
  switch (d) {
  case pkg::DType::f32: return Float32Type::get(ctx);
  case pkg::DType::f16: return Float16Type::get(ctx);
  case pkg::DType::bf16: return BFloat16Type::get(ctx);
  case pkg::DType::f64: return Float64Type::get(ctx);
  case pkg::DType::i8: return integer(8, false);
  case pkg::DType::u8: return integer(8, true);
  case pkg::DType::i16: return integer(16, false);
  case pkg::DType::u16: return integer(16, true);
  case pkg::DType::i32: return integer(32, false);
  case pkg::DType::u32: return integer(32, true);
  case pkg::DType::i64: return integer(64, false);
  case pkg::DType::u64: return integer(64, true);
  case pkg::DType::bool_: return integer(1, false);
  case pkg::DType::i4: return integer(4, false);
  case pkg::DType::u4: return integer(4, true);
  default: return {};  // block-quantized storage: no plain element type
  }
}
}  // namespace

struct ModelRunner::Impl {
  std::unique_ptr<rt::LoadedModel> model;
  std::unique_ptr<rt::Session> session;
  std::vector<RunnerTensorInfo> inputs, outputs;
  std::vector<int32_t> inputTensors;
  std::vector<mlir::Type> elementTypes;  // per package tensor
  std::vector<mlir::Value> values;       // per package tensor: its IR value, or null
  Observer observer;
  uint64_t packageBytes = 0, constantBytes = 0;
};

ModelRunner::ModelRunner(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ModelRunner::~ModelRunner() = default;

std::unique_ptr<ModelRunner> ModelRunner::create(mlir::ModuleOp module, const ModelRunnerOptions &options,
                                                 std::string &error) {
  auto impl = std::make_unique<Impl>();
  PackageStats stats;
  std::vector<uint8_t> bytes = buildHostPackage(module, &stats, &impl->values);
  if (bytes.empty()) {
    error = "the module cannot be lowered to a host package (see the errors above)";
    return nullptr;
  }
  impl->packageBytes = bytes.size();
  impl->constantBytes = stats.constantBytes;
  try {
    // The compiler wrote these bytes a moment ago: hashing the constants would only slow
    // down sensitivity analysis, which builds one package per trial.
    rt::LoadOptions load;
    load.verifyConstants = false;
    load.constantsTrusted = true;
    impl->model = std::make_unique<rt::LoadedModel>(std::move(bytes), "<in-memory package>", load);
    rt::SessionOptions so;
    so.threads = options.threads;
    impl->session = std::make_unique<rt::Session>(*impl->model, so);
  } catch (const std::exception &e) {
    error = e.what();
    return nullptr;
  }
  const auto &tensors = *impl->model->plan().tensors();
  for (uint32_t i = 0; i < tensors.size(); ++i)
    impl->elementTypes.push_back(elementTypeOf(module.getContext(), tensors[i]->dtype()));
  const pkg::Function &main = impl->model->main();
  auto info = [&](int32_t t) {
    const pkg::Tensor *tensor = tensors[t];
    return RunnerTensorInfo{tensor->name() ? tensor->name()->str() : "", tensor->dtype(), impl->model->shape(t),
                            size_t(tensor->size())};
  };
  if (main.inputs())
    for (int32_t t : *main.inputs()) {
      impl->inputs.push_back(info(t));
      impl->inputTensors.push_back(t);
    }
  if (main.outputs())
    for (int32_t t : *main.outputs()) impl->outputs.push_back(info(t));
  return std::unique_ptr<ModelRunner>(new ModelRunner(std::move(impl)));
}

const std::vector<RunnerTensorInfo> &ModelRunner::inputs() const { return impl_->inputs; }
const std::vector<RunnerTensorInfo> &ModelRunner::outputs() const { return impl_->outputs; }
uint64_t ModelRunner::packageBytes() const { return impl_->packageBytes; }
uint64_t ModelRunner::constantBytes() const { return impl_->constantBytes; }
int ModelRunner::threads() const { return impl_->session->threads(); }
size_t ModelRunner::numKernelCalls() const { return impl_->session->calls().size(); }

void ModelRunner::setObserver(Observer observer) {
  impl_->observer = std::move(observer);
  if (!impl_->observer) {
    impl_->session->setObserver(nullptr);
    return;
  }
  Impl *impl = impl_.get();
  impl_->session->setObserver([impl](const rt::Call &call, size_t index) {
    const auto &tensors = *impl->model->plan().tensors();
    for (size_t i = 0; i < call.outputs.size(); ++i) {
      const rt::TensorView &v = *call.outputs[i];
      int32_t t = call.outputTensors[i];
      const pkg::Tensor *tensor = tensors[t];
      ObservedTensor o{tensor->name() ? llvm::StringRef(tensor->name()->c_str(), tensor->name()->size()) : llvm::StringRef(),
                       call.node,
                       call.op,
                       v.dtype,
                       impl->elementTypes[size_t(t)],
                       v.shape,
                       v.data,
                       v.nbytes(),
                       index,
                       size_t(t) < impl->values.size() ? impl->values[size_t(t)] : mlir::Value()};
      impl->observer(o);
    }
  });
}

bool ModelRunner::run(const std::map<std::string, llvm::ArrayRef<uint8_t>> &inputs, std::string &error) {
  const std::vector<RunnerTensorInfo> &expected = impl_->inputs;
  std::string names;
  for (const RunnerTensorInfo &t : expected) names += (names.empty() ? "" : ", ") + t.name;
  // Check everything before binding anything, so a bad call leaves no partial state.
  for (const auto &[name, data] : inputs) {
    bool known = false;
    for (const RunnerTensorInfo &t : expected) known |= t.name == name;
    if (!known) {
      error = "input '" + name + "': the model has no such input (inputs: " + names + ")";
      return false;
    }
  }
  for (const RunnerTensorInfo &t : expected) {
    auto it = inputs.find(t.name);
    if (it == inputs.end()) {
      error = "missing input " + describe(t);
      return false;
    }
    if (it->second.size() != t.bytes) {
      error = "input " + describe(t) + " got " + std::to_string(it->second.size()) + " bytes";
      return false;
    }
  }
  try {
    for (size_t i = 0; i < expected.size(); ++i) {
      llvm::ArrayRef<uint8_t> data = inputs.find(expected[i].name)->second;
      impl_->session->setInput(int32_t(i), data.data(), data.size());
    }
    impl_->session->run();
  } catch (const std::exception &e) {
    error = e.what();
    return false;
  }
  return true;
}

llvm::ArrayRef<uint8_t> ModelRunner::output(size_t index) const {
  const rt::TensorView &v = impl_->session->output(int32_t(index));
  return {static_cast<const uint8_t *>(v.data), v.nbytes()};
}

void ModelRunner::setProfiling(bool enabled) { impl_->session->setProfiling(enabled); }

std::vector<ModelRunner::CallTime> ModelRunner::callTimes() const {
  std::vector<CallTime> times;
  for (const rt::Call &c : impl_->session->calls()) {
    mlir::Operation *op = nullptr;
    if (!c.outputTensors.empty() && size_t(c.outputTensors[0]) < impl_->values.size())
      if (mlir::Value v = impl_->values[size_t(c.outputTensors[0])]) op = v.getDefiningOp();
    times.push_back({c.node, c.op, c.totalMs, c.runs, op});
  }
  return times;
}

void TensorRangeRecorder::record(const ObservedTensor &t) {
  if (t.dtype != pkg::DType::f32 && t.dtype != pkg::DType::f64) return;
  auto [it, added] = index_.try_emplace(t.tensor.str(), ranges_.size());
  if (added) {
    Range r;
    r.tensor = t.tensor.str();
    r.node = t.node.str();
    r.op = t.op.str();
    ranges_.push_back(std::move(r));
  }
  Range &r = ranges_[it->second];
  auto scan = [&](const auto *values, size_t n) {
    double lo = INFINITY, hi = -INFINITY;
    uint64_t finite = 0;
    for (size_t i = 0; i < n; ++i) {
      double v = double(values[i]);
      if (!std::isfinite(v)) continue;
      ++finite;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    if (finite) {
      r.min = r.finite ? std::min(r.min, lo) : lo;
      r.max = r.finite ? std::max(r.max, hi) : hi;
    }
    r.finite += finite;
    r.nonFinite += n - finite;
  };
  if (t.dtype == pkg::DType::f32) scan(static_cast<const float *>(t.data), t.bytes / sizeof(float));
  else scan(static_cast<const double *>(t.data), t.bytes / sizeof(double));
}

const TensorRangeRecorder::Range *TensorRangeRecorder::find(llvm::StringRef tensor) const {
  auto it = index_.find(tensor.str());
  return it == index_.end() ? nullptr : &ranges_[it->second];
}

}  // namespace edgec
