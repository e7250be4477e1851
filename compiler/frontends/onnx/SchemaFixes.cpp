// Corrections to shape inference functions of ONNX 1.12's own schemas, where they
// disagree with the operator's specification and its reference implementation. The
// importer types values from ONNX's inference, so a wrong inferred shape would make a
// correctly imported op disagree with the values after it ("inconsistent type").
//
// STFT-17: 1.12 reads `onesided` with default 0 (the spec's default is 1), counts the
// frames from the onesided bin count instead of the frame length, and infers nothing
// when neither window nor frame_length is given (frame_length is then the signal's
// length). Later ONNX releases fixed this; the function below follows the spec and ONNX's
// reference implementation (op_stft.py): frames = 1 + (N - L) / frame_step, bins =
// onesided ? L / 2 + 1 : L.
#include "OnnxModelLoader.h"

#include <mutex>
#include <optional>

#include "onnx/defs/schema.h"
#include "onnx/defs/shape_inference.h"
#include "onnx/defs/tensor_proto_util.h"

namespace edgec::onnx_frontend {
namespace {

// A constant int32/int64 scalar input's value, if the inference context knows it.
std::optional<int64_t> scalarInput(onnx::InferenceContext &ctx, size_t i) {
  if (ctx.getNumInputs() <= i) return std::nullopt;
  const onnx::TensorProto *t = ctx.getInputData(i);
  if (!t) return std::nullopt;
  std::vector<int64_t> v;
  if (t->data_type() == onnx::TensorProto::INT64) v = onnx::ParseData<int64_t>(t);
  else if (t->data_type() == onnx::TensorProto::INT32)
    for (int32_t x : onnx::ParseData<int32_t>(t)) v.push_back(x);
  if (v.size() != 1) return std::nullopt;
  return v[0];
}

void inferSTFT(onnx::InferenceContext &ctx) {
  onnx::propagateElemTypeFromInputToOutput(ctx, 0, 0);
  if (!onnx::hasInputShape(ctx, 0)) return;
  const onnx::TensorShapeProto &signal = onnx::getInputShape(ctx, 0);
  if (signal.dim_size() != 3) fail_shape_inference("STFT: signal must have rank 3 [batch, length, 1 or 2]");
  const bool hasLengthInput = ctx.getNumInputs() > 3 && ctx.getInputType(3) != nullptr;
  const onnx::TensorShapeProto *window = ctx.getNumInputs() > 2 ? onnx::getOptionalInputShape(ctx, 2) : nullptr;
  // L: frame_length, else the window's length, else the signal's.
  std::optional<int64_t> length;
  if (hasLengthInput) length = scalarInput(ctx, 3);
  else if (window && window->dim_size() == 1 && window->dim(0).has_dim_value()) length = window->dim(0).dim_value();
  else if (!window && signal.dim(1).has_dim_value()) length = signal.dim(1).dim_value();
  const std::optional<int64_t> step = scalarInput(ctx, 1);
  const bool onesided = onnx::getAttribute(ctx, "onesided", 1) != 0;
  onnx::TensorShapeProto result;
  *result.add_dim() = signal.dim(0);
  auto *frames = result.add_dim();
  auto *bins = result.add_dim();
  result.add_dim()->set_dim_value(2);
  if (length && *length >= 1) bins->set_dim_value(onesided ? *length / 2 + 1 : *length);
  if (length && step && *step >= 1 && signal.dim(1).has_dim_value() && *length <= signal.dim(1).dim_value())
    frames->set_dim_value(1 + (signal.dim(1).dim_value() - *length) / *step);
  onnx::updateOutputShape(ctx, 0, result);
}

}  // namespace

void fixOnnxSchemas() {
  static std::once_flag once;
  std::call_once(once, [] {
    // The registry hands out const schemas; the registered objects themselves are not
    // const, and nothing has run inference yet when this is called (prepareModel).
    if (const onnx::OpSchema *stft = onnx::OpSchemaRegistry::Schema("STFT", 17, ""); stft && stft->SinceVersion() == 17)
      const_cast<onnx::OpSchema *>(stft)->TypeAndShapeInferenceFunction(inferSTFT);
  });
}

}  // namespace edgec::onnx_frontend
