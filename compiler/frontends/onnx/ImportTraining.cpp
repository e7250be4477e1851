// Importers of ONNX's optimizer update rules (domain ai.onnx.preview.training): Adagrad,
// Adam and Momentum, each one step over n tensors at once (inputs R, T, then n X, n G
// and per rule n V and/or n H; outputs n new X, then the new V and/or H). They are
// elementwise formulas of their inputs, so they import as the spec's arithmetic on
// existing edge ops, per tensor, with no kernel of their own: an on-device training step
// (an update graph next to the model) compiles like any other graph. R (learning rate,
// f32) and T (step count, int64) are run-time scalars; T > 0 selects the bias-corrected
// or beta-scaled form with a Where.
#include "GraphImporter.h"

#include "mlir/IR/TypeUtilities.h"

namespace edgec::onnx_frontend {

namespace {
// Small builder of the update formulas: float scalars as constants, numpy broadcasting.
struct Formula {
  OpBuilder &b;
  Location loc;

  static RankedTensorType broadcast(Value x, Value y) {
    auto a = cast<RankedTensorType>(x.getType()), c = cast<RankedTensorType>(y.getType());
    return a.getRank() >= c.getRank() ? a : c;  // operands here are scalars or one shape
  }
  Value scalar(float v) const {
    auto t = RankedTensorType::get({}, b.getF32Type());
    return b.create<ConstantOp>(loc, t, DenseElementsAttr::get(t, ArrayRef<float>{v}));
  }
  Value add(Value x, Value y) const { return b.create<AddOp>(loc, broadcast(x, y), x, y); }
  Value sub(Value x, Value y) const { return b.create<SubOp>(loc, broadcast(x, y), x, y); }
  Value mul(Value x, Value y) const { return b.create<MulOp>(loc, broadcast(x, y), x, y); }
  Value div(Value x, Value y) const { return b.create<DivOp>(loc, broadcast(x, y), x, y); }
  Value sqrt(Value x) const { return b.create<SqrtOp>(loc, x.getType(), x); }
  Value pow(Value x, Value y) const { return b.create<PowOp>(loc, broadcast(x, y), x, y); }
  Value where(Value c, Value x, Value y) const { return b.create<WhereOp>(loc, broadcast(x, y), c, x, y); }
};
}  // namespace

void GraphImporter::importOptimizer(const onnx::NodeProto &n) {
  const std::string &op = n.op_type();
  const int perTensor = op == "Adagrad" ? 3 : op == "Momentum" ? 3 : 4;  // X, G, then H / V / V and H
  const int tensors = (n.input_size() - 2) / perTensor;
  if (n.input_size() < 2 + perTensor || (n.input_size() - 2) % perTensor != 0 ||
      n.output_size() != tensors * (perTensor - 1))
    throw ImportError(where(n) + ": expects R, T and " + std::to_string(perTensor) + " inputs per optimized tensor, and " +
                      std::to_string(perTensor - 1) + " outputs per tensor");
  Value r = requiredInput(n, 0, "R"), t = requiredInput(n, 1, "T");
  auto rt = cast<RankedTensorType>(r.getType()), tt = cast<RankedTensorType>(t.getType());
  if (rt.getNumElements() != 1 || !rt.getElementType().isF32() || tt.getNumElements() != 1 ||
      !tt.getElementType().isInteger(64))
    throw ImportError(where(n) + ": R must be one float32 value and T one int64 value");
  Formula f{builder_, loc(n)};
  auto scalarType = RankedTensorType::get({}, builder_.getF32Type());
  auto toScalar = [&](Value v) {  // R and T may be [] or [1]
    auto type = cast<RankedTensorType>(v.getType()).clone(ArrayRef<int64_t>{});
    return v.getType() == type ? v : builder_.create<ReshapeOp>(loc(n), type, v).getResult();
  };
  r = toScalar(r);
  Value tf = builder_.create<CastOp>(loc(n), scalarType, toScalar(t));
  auto zero = RankedTensorType::get({}, builder_.getI1Type());
  Value positive = builder_.create<GreaterOp>(loc(n), zero, tf, f.scalar(0));

  const float norm = attrFloat(n, "norm_coefficient", 0.0f);
  for (int i = 0; i < tensors; ++i) {
    Value x = requiredInput(n, 2 + i, "X"), g = requiredInput(n, 2 + tensors + i, "G");
    if (!getElementTypeOrSelf(x.getType()).isF32() || x.getType() != g.getType())
      throw ImportError(where(n) + ": X and G must be float32 tensors of one shape");
    Value gReg = f.add(f.mul(f.scalar(norm), x), g);
    if (op == "Adagrad") {
      Value h = requiredInput(n, 2 + 2 * tensors + i, "H");
      const float decay = attrFloat(n, "decay_factor", 0.0f), eps = attrFloat(n, "epsilon", 1e-6f);
      Value rate = f.div(r, f.add(f.scalar(1), f.mul(tf, f.scalar(decay))));
      Value hNew = f.add(h, f.mul(gReg, gReg));
      Value xNew = f.sub(x, f.div(f.mul(rate, gReg), f.add(f.sqrt(hNew), f.scalar(eps))));
      define(n, i, xNew);
      define(n, tensors + i, hNew);
    } else if (op == "Momentum") {
      Value v = requiredInput(n, 2 + 2 * tensors + i, "V");
      const float alpha = attrFloat(n, "alpha", 0.0f), beta = attrFloat(n, "beta", 0.0f);
      const std::string mode = attrString(n, "mode", "");
      if (!attr(n, "alpha") || !attr(n, "beta") || !attr(n, "norm_coefficient") || (mode != "standard" && mode != "nesterov"))
        throw ImportError(where(n) + ": needs alpha, beta, norm_coefficient and mode \"standard\" or \"nesterov\"");
      Value betaAdjusted = f.where(positive, f.scalar(beta), f.scalar(1));
      Value vNew = f.add(f.mul(f.scalar(alpha), v), f.mul(betaAdjusted, gReg));
      Value step = mode == "standard" ? vNew : f.add(gReg, f.mul(f.scalar(alpha), vNew));
      define(n, i, f.sub(x, f.mul(r, step)));
      define(n, tensors + i, vNew);
    } else {  // Adam
      Value v = requiredInput(n, 2 + 2 * tensors + i, "V"), h = requiredInput(n, 2 + 3 * tensors + i, "H");
      const float alpha = attrFloat(n, "alpha", 0.9f), beta = attrFloat(n, "beta", 0.999f);
      const float eps = attrFloat(n, "epsilon", 1e-6f), post = attrFloat(n, "norm_coefficient_post", 0.0f);
      Value vNew = f.add(f.mul(f.scalar(alpha), v), f.mul(f.scalar(1 - alpha), gReg));
      Value hNew = f.add(f.mul(f.scalar(beta), h), f.mul(f.scalar(1 - beta), f.mul(gReg, gReg)));
      // Bias correction from step 1 on: R * sqrt(1 - beta^T) / (1 - alpha^T).
      Value corrected = f.div(f.mul(r, f.sqrt(f.sub(f.scalar(1), f.pow(f.scalar(beta), tf)))),
                              f.sub(f.scalar(1), f.pow(f.scalar(alpha), tf)));
      Value rate = f.where(positive, corrected, r);
      Value xNew = f.sub(x, f.mul(rate, f.div(vNew, f.add(f.sqrt(hNew), f.scalar(eps)))));
      define(n, i, f.mul(f.scalar(1 - post), xNew));
      define(n, tensors + i, vNew);
      define(n, 2 * tensors + i, hNew);
    }
  }
}

void GraphImporter::addTrainingImporters(ImporterTable &table) {
  for (const char *op : {"Adagrad", "Adam", "Momentum"})
    table[std::string("ai.onnx.preview.training.") + op] = &GraphImporter::importOptimizer;
}

}  // namespace edgec::onnx_frontend
