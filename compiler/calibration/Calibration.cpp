// Calibration: ModelRunner on each sample, RangeEstimator over every f32 tensor a kernel
// writes (and every f32 graph input), ranges written back onto the IR values.
#include "edgec/Calibration.h"

#include "edgec/ModelRunner.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "quant/CalibrationSamples.h"
#include "llvm/ADT/DenseMap.h"

namespace edgec {

namespace {
constexpr const char *kRangeAttr = "edge.calib_range";
}  // namespace

bool calibrate(mlir::ModuleOp module, const CalibrationOptions &options, CalibrationResult &result,
               std::string &error) {
  auto main = module.lookupSymbol<mlir::func::FuncOp>("main");
  if (!main) main = *module.getOps<mlir::func::FuncOp>().begin();
  ModelRunnerOptions runnerOptions;
  runnerOptions.threads = options.threads;
  std::unique_ptr<ModelRunner> runner = ModelRunner::create(module, runnerOptions, error);
  if (!runner) return false;

  std::vector<quant::ModelInputSpec> specs;
  for (const RunnerTensorInfo &in : runner->inputs())
    specs.push_back({in.name, static_cast<edgec_dtype>(in.dtype), in.shape});
  try {
    quant::CalibrationSamples samples = quant::CalibrationSamples::open(options.samplesDir, specs, options.maxSamples);
    quant::RangeEstimator estimator(options.method);
    // Tensors are keyed by the IR value they hold: "v<k>" in the order first seen.
    llvm::DenseMap<mlir::Value, std::string> keys;
    std::vector<mlir::Value> values;
    auto keyOf = [&](mlir::Value v) -> const std::string & {
      auto it = keys.find(v);
      if (it != keys.end()) return it->second;
      values.push_back(v);
      return keys[v] = "v" + std::to_string(values.size() - 1);
    };
    std::map<std::string, mlir::Value> inputs;  // f32 graph inputs by name
    for (mlir::BlockArgument arg : main.getArguments())
      if (auto name = main.getArgAttrOfType<mlir::StringAttr>(arg.getArgNumber(), "edge.name"))
        if (mlir::cast<mlir::ShapedType>(arg.getType()).getElementType().isF32()) inputs[name.str()] = arg;
    runner->setObserver([&](const ObservedTensor &t) {
      if (t.value && t.dtype == pkg::DType::f32)
        estimator.observe(keyOf(t.value), static_cast<const float *>(t.data), t.bytes / sizeof(float));
    });
    if (options.progress) options.progress(0, samples.size());
    std::string runError;
    samples.forEach([&](size_t i, const quant::CalibrationSample &sample) {
      std::map<std::string, llvm::ArrayRef<uint8_t>> bound;
      for (const auto &[name, bytes] : sample.inputs) {
        bound[name] = llvm::ArrayRef<uint8_t>(bytes);
        auto in = inputs.find(name);
        if (in != inputs.end())
          estimator.observe(keyOf(in->second), reinterpret_cast<const float *>(bytes.data()),
                            bytes.size() / sizeof(float));
      }
      if (!runner->run(bound, runError)) throw quant::CalibrationError(sample.source + ": " + runError);
      ++result.samples;
      if (options.progress) options.progress(i + 1, samples.size());
    });
    runner->setObserver(nullptr);
    mlir::Builder b(module.getContext());
    for (const auto &[key, range] : estimator.ranges()) {
      mlir::Value v = values[size_t(std::stoul(key.substr(1)))];
      result.nonFinite += range.nonFinite;
      auto attr = b.getDenseF32ArrayAttr({range.lo, range.hi});
      if (auto arg = mlir::dyn_cast<mlir::BlockArgument>(v)) {
        main.setArgAttr(arg.getArgNumber(), kRangeAttr, attr);
      } else if (mlir::cast<mlir::OpResult>(v).getResultNumber() == 0) {
        v.getDefiningOp()->setAttr(kRangeAttr, attr);
      } else {
        continue;
      }
      ++result.rangedValues;
    }
  } catch (const std::exception &e) {
    error = e.what();
    return false;
  }
  return true;
}

}  // namespace edgec
