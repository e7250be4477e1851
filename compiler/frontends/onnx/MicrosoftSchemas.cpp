// Schemas of the ONNX Runtime `com.microsoft` operators that edgec imports (QLinearAdd,
// QLinearMul: what ORT's quantizer writes in its QOperator format), registered with the
// ONNX library so that its checker validates their inputs and its shape inference gives
// their results a type and a broadcast shape, exactly as for a standard op. Without a
// schema, shape inference leaves the outputs untyped and the version converter throws
// on the unknown op name. The definitions follow ORT's contrib schemas
// (onnxruntime/core/graph/contrib_ops/quantization_defs.cc, since version 1).
// Operators of the domain that edgec does not import are rejected before loading
// (OnnxImporter.cpp), so they never reach the checker.
#include "OnnxModelLoader.h"

#include <mutex>

#include "onnx/defs/schema.h"
#include "onnx/defs/shape_inference.h"

namespace edgec::onnx_frontend {
namespace {

// C = quantize(dequantize(A) op dequantize(B)) with numpy broadcasting.
onnx::OpSchema qlinearBinarySchema(const char *name, const char *op) {
  onnx::OpSchema s;
  s.SetName(name)
      .SetDomain(kMicrosoftDomain)
      .SinceVersion(1)
      .SetDoc(std::string("ONNX Runtime's quantized ") + op + " (QOperator format)")
      .Input(0, "A", "first operand", "T")
      .Input(1, "A_scale", "A's scale (per tensor)", "tensor(float)")
      .Input(2, "A_zero_point", "A's zero point (per tensor)", "T", onnx::OpSchema::Optional)
      .Input(3, "B", "second operand", "T")
      .Input(4, "B_scale", "B's scale (per tensor)", "tensor(float)")
      .Input(5, "B_zero_point", "B's zero point (per tensor)", "T", onnx::OpSchema::Optional)
      .Input(6, "C_scale", "the result's scale (per tensor)", "tensor(float)")
      .Input(7, "C_zero_point", "the result's zero point (per tensor)", "T", onnx::OpSchema::Optional)
      .Output(0, "C", "the quantized result", "T")
      .TypeConstraint("T", {"tensor(uint8)", "tensor(int8)"}, "8-bit integer tensors")
      .TypeAndShapeInferenceFunction([](onnx::InferenceContext &ctx) {
        onnx::propagateElemTypeFromInputToOutput(ctx, 0, 0);
        if (onnx::hasInputShape(ctx, 0) && onnx::hasInputShape(ctx, 3))
          onnx::bidirectionalBroadcastShapeInference(ctx.getInputType(0)->tensor_type().shape(),
                                                     ctx.getInputType(3)->tensor_type().shape(),
                                                     *onnx::getOutputShape(ctx, 0));
      });
  return s;
}

}  // namespace

const std::vector<std::string> &microsoftOpsImported() {
  static const std::vector<std::string> ops = {"QLinearAdd", "QLinearMul"};
  return ops;
}

void registerMicrosoftSchemas() {
  static std::once_flag once;
  std::call_once(once, [] {
    auto &ranges = onnx::OpSchemaRegistry::DomainToVersionRange::Instance();
    if (!ranges.Map().count(kMicrosoftDomain)) ranges.AddDomainToVersion(kMicrosoftDomain, 1, 1);
    onnx::RegisterSchema(qlinearBinarySchema("QLinearAdd", "Add"));
    onnx::RegisterSchema(qlinearBinarySchema("QLinearMul", "Mul"));
  });
}

}  // namespace edgec::onnx_frontend
