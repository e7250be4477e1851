// Importers of elementwise ONNX ops: arithmetic, activations, math functions,
// comparisons and logic.
#include "GraphImporter.h"

#include "edge/ConstantData.h"
#include "mlir/IR/Matchers.h"

namespace edgec::onnx_frontend {

void GraphImporter::importClip(const onnx::NodeProto &n) {
  define(n, 0, builder_.create<ClipOp>(loc(n), resultType(n), input(n, 0), input(n, 1), input(n, 2)));
}


// ONNX defaults of the f32 attributes of the parametrized activations; the IR always
// carries every attribute, so the kernels never apply defaults.
const std::map<std::string, std::vector<std::pair<std::string, float>>> &activationAttrs() {
  static const std::map<std::string, std::vector<std::pair<std::string, float>>> attrs = {
      {"LeakyRelu", {{"alpha", 0.01f}}},
      {"Elu", {{"alpha", 1.0f}}},
      {"Selu", {{"alpha", 1.67326319217681884765625f}, {"gamma", 1.05070102214813232421875f}}},
      {"HardSigmoid", {{"alpha", 0.2f}, {"beta", 0.5f}}},
      {"ThresholdedRelu", {{"alpha", 1.0f}}},
      {"Shrink", {{"lambd", 0.5f}, {"bias", 0.0f}}},
  };
  return attrs;
}

template <typename OpTy> void GraphImporter::importActivation(const onnx::NodeProto &n) {
  SmallVector<NamedAttribute> attrs;
  for (const auto &[key, def] : activationAttrs().at(n.op_type()))
    attrs.push_back(builder_.getNamedAttr(key, builder_.getF32FloatAttr(attrFloat(n, key.c_str(), def))));
  define(n, 0, builder_.create<OpTy>(loc(n), TypeRange{resultType(n)}, ValueRange{input(n, 0)}, attrs));
}

void GraphImporter::importIsInf(const onnx::NodeProto &n) {
  define(n, 0, builder_.create<IsInfOp>(loc(n), resultType(n), input(n, 0),
                                        builder_.getI64IntegerAttr(attrInt(n, "detect_negative", 1) != 0),
                                        builder_.getI64IntegerAttr(attrInt(n, "detect_positive", 1) != 0)));
}

void GraphImporter::importMod(const onnx::NodeProto &n) {
  Value a = input(n, 0), b = input(n, 1);
  int64_t fmod = attrInt(n, "fmod", 0) != 0;
  // ONNX defines fmod = 0 (the divisor's sign) for integers only.
  if (isa<FloatType>(cast<RankedTensorType>(a.getType()).getElementType()) && !fmod)
    throw ImportError(where(n) + ": Mod of floating-point values needs fmod=1 (ONNX spec)");
  define(n, 0, builder_.create<ModOp>(loc(n), resultType(n), a, b, builder_.getI64IntegerAttr(fmod)));
}

void GraphImporter::importBitShift(const onnx::NodeProto &n) {
  std::string direction = attrString(n, "direction", "");
  if (direction != "LEFT" && direction != "RIGHT")
    throw ImportError(where(n) + ": direction must be LEFT or RIGHT, got '" + direction + "'");
  define(n, 0, builder_.create<BitShiftOp>(loc(n), resultType(n), input(n, 0), input(n, 1),
                                           builder_.getStringAttr(direction)));
}

void GraphImporter::addMathImporters(ImporterTable &table) {
  table["Add"] = &GraphImporter::importSimple<AddOp>;
  table["Sub"] = &GraphImporter::importSimple<SubOp>;
  table["Mul"] = &GraphImporter::importSimple<MulOp>;
  table["Div"] = &GraphImporter::importSimple<DivOp>;
  table["Pow"] = &GraphImporter::importSimple<PowOp>;
  table["Where"] = &GraphImporter::importSimple<WhereOp>;
  table["Relu"] = &GraphImporter::importSimple<ReluOp>;
  table["Sigmoid"] = &GraphImporter::importSimple<SigmoidOp>;
  table["Tanh"] = &GraphImporter::importSimple<TanhOp>;
  table["Sqrt"] = &GraphImporter::importSimple<SqrtOp>;
  table["Erf"] = &GraphImporter::importSimple<ErfOp>;
  table["Exp"] = &GraphImporter::importSimple<ExpOp>;
  table["Log"] = &GraphImporter::importSimple<LogOp>;
  table["Neg"] = &GraphImporter::importSimple<NegOp>;
  table["Abs"] = &GraphImporter::importSimple<AbsOp>;
  table["Reciprocal"] = &GraphImporter::importSimple<ReciprocalOp>;
  table["Clip"] = &GraphImporter::importClip;
  table["LeakyRelu"] = &GraphImporter::importActivation<LeakyReluOp>;
  table["Elu"] = &GraphImporter::importActivation<EluOp>;
  table["Selu"] = &GraphImporter::importActivation<SeluOp>;
  table["HardSigmoid"] = &GraphImporter::importActivation<HardSigmoidOp>;
  table["ThresholdedRelu"] = &GraphImporter::importActivation<ThresholdedReluOp>;
  table["Shrink"] = &GraphImporter::importActivation<ShrinkOp>;
  table["HardSwish"] = &GraphImporter::importSimple<HardSwishOp>;
  table["Softplus"] = &GraphImporter::importSimple<SoftplusOp>;
  table["Softsign"] = &GraphImporter::importSimple<SoftsignOp>;
  table["Sin"] = &GraphImporter::importSimple<SinOp>;
  table["Cos"] = &GraphImporter::importSimple<CosOp>;
  table["Tan"] = &GraphImporter::importSimple<TanOp>;
  table["Asin"] = &GraphImporter::importSimple<AsinOp>;
  table["Acos"] = &GraphImporter::importSimple<AcosOp>;
  table["Atan"] = &GraphImporter::importSimple<AtanOp>;
  table["Sinh"] = &GraphImporter::importSimple<SinhOp>;
  table["Cosh"] = &GraphImporter::importSimple<CoshOp>;
  table["Asinh"] = &GraphImporter::importSimple<AsinhOp>;
  table["Acosh"] = &GraphImporter::importSimple<AcoshOp>;
  table["Atanh"] = &GraphImporter::importSimple<AtanhOp>;
  table["Floor"] = &GraphImporter::importSimple<FloorOp>;
  table["Ceil"] = &GraphImporter::importSimple<CeilOp>;
  table["Round"] = &GraphImporter::importSimple<RoundOp>;
  table["Sign"] = &GraphImporter::importSimple<SignOp>;
  table["Not"] = &GraphImporter::importSimple<NotOp>;
  table["IsNaN"] = &GraphImporter::importSimple<IsNaNOp>;
  table["IsInf"] = &GraphImporter::importIsInf;
  table["Equal"] = &GraphImporter::importSimple<EqualOp>;
  table["Less"] = &GraphImporter::importSimple<LessOp>;
  table["Greater"] = &GraphImporter::importSimple<GreaterOp>;
  table["LessOrEqual"] = &GraphImporter::importSimple<LessOrEqualOp>;
  table["GreaterOrEqual"] = &GraphImporter::importSimple<GreaterOrEqualOp>;
  table["And"] = &GraphImporter::importSimple<AndOp>;
  table["Or"] = &GraphImporter::importSimple<OrOp>;
  table["Xor"] = &GraphImporter::importSimple<XorOp>;
  table["Min"] = &GraphImporter::importSimple<MinOp>;
  table["Max"] = &GraphImporter::importSimple<MaxOp>;
  table["Sum"] = &GraphImporter::importSimple<SumOp>;
  table["Mean"] = &GraphImporter::importSimple<MeanOp>;
  table["PRelu"] = &GraphImporter::importSimple<PReluOp>;
  table["Mod"] = &GraphImporter::importMod;
  table["BitShift"] = &GraphImporter::importBitShift;
}

}  // namespace edgec::onnx_frontend
