// Verifiers of ONNX's recurrent layers (EdgeRecurrentOps.td): RNN, GRU and LSTM share
// one check of the operand and result shapes that their kernel indexes with, and of the
// resolved activation lists.
#include "edge/EdgeDialect.h"

#include "VerifyUtils.h"

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::detail;

namespace {
struct RecurrentParts {
  int64_t gates;          // weight blocks per direction: RNN 1, GRU 3, LSTM 4
  int64_t functionSlots;  // activation functions per direction: RNN 1, GRU 2, LSTM 3
  Value x, w, r, b, lens, initialH, initialC, peepholes;
  ValueRange results;  // Y, Y_h (, Y_c)
  StringRef direction;
  int64_t hiddenSize, layout;
  ArrayAttr activations;
  ArrayRef<float> alpha, beta;
};

bool isKnownActivation(StringRef name) {
  return llvm::is_contained({"Relu", "Tanh", "Sigmoid", "Affine", "LeakyRelu", "ThresholdedRelu", "ScaledTanh",
                             "HardSigmoid", "Elu", "Softsign", "Softplus"},
                            name);
}

LogicalResult expectShape(Operation *op, Value v, StringRef what, ArrayRef<int64_t> want) {
  if (shapeOf(v) != want)
    return op->emitOpError() << what << " must have shape " << shapeStr(want) << ", got " << shapeStr(shapeOf(v));
  return success();
}

LogicalResult verifyRecurrent(Operation *op, const RecurrentParts &p) {
  int64_t dirs;
  if (p.direction == "forward" || p.direction == "reverse")
    dirs = 1;
  else if (p.direction == "bidirectional")
    dirs = 2;
  else
    return op->emitOpError() << "direction must be forward, reverse or bidirectional, got '" << p.direction << "'";
  if (p.layout != 0 && p.layout != 1) return op->emitOpError() << "layout must be 0 or 1, got " << p.layout;
  const int64_t h = p.hiddenSize;
  if (h <= 0) return op->emitOpError() << "hidden_size must be positive, got " << h;

  ArrayRef<int64_t> x = shapeOf(p.x);
  if (x.size() != 3) return op->emitOpError() << "X must have rank 3, got shape " << shapeStr(x);
  const int64_t seq = p.layout ? x[1] : x[0], batch = p.layout ? x[0] : x[1], in = x[2];
  Type elem = elementOf(p.x);
  for (Value v : {p.w, p.r, p.b, p.initialH, p.initialC, p.peepholes})
    if (v && elementOf(v) != elem)
      return op->emitOpError() << "weights, bias, initial states and peepholes must have X's element type " << elem;
  for (Value v : p.results)
    if (elementOf(v) != elem) return op->emitOpError() << "results must have X's element type " << elem;

  const int64_t gh = p.gates * h;
  if (failed(expectShape(op, p.w, "W", {dirs, gh, in})) || failed(expectShape(op, p.r, "R", {dirs, gh, h})))
    return failure();
  if (p.b && failed(expectShape(op, p.b, "B", {dirs, 2 * gh}))) return failure();
  if (p.lens && failed(expectShape(op, p.lens, "sequence_lens", {batch}))) return failure();
  SmallVector<int64_t> state = p.layout ? SmallVector<int64_t>{batch, dirs, h} : SmallVector<int64_t>{dirs, batch, h};
  if (p.initialH && failed(expectShape(op, p.initialH, "initial_h", state))) return failure();
  if (p.initialC && failed(expectShape(op, p.initialC, "initial_c", state))) return failure();
  if (p.peepholes && failed(expectShape(op, p.peepholes, "P", {dirs, 3 * h}))) return failure();

  SmallVector<int64_t> y = p.layout ? SmallVector<int64_t>{batch, seq, dirs, h} : SmallVector<int64_t>{seq, dirs, batch, h};
  if (failed(expectShape(op, p.results[0], "Y", y))) return failure();
  for (Value v : p.results.drop_front())
    if (failed(expectShape(op, v, "the final state", state))) return failure();

  const int64_t slots = dirs * p.functionSlots;
  if (int64_t(p.activations.size()) != slots)
    return op->emitOpError() << "activations must name " << slots << " functions (" << p.functionSlots
                             << " per direction), got " << p.activations.size();
  for (Attribute a : p.activations)
    if (!isKnownActivation(cast<StringAttr>(a).getValue()))
      return op->emitOpError() << "unknown activation '" << cast<StringAttr>(a).getValue() << "'";
  if (int64_t(p.alpha.size()) != slots || int64_t(p.beta.size()) != slots)
    return op->emitOpError() << "activation_alpha and activation_beta must have one value per activation (" << slots
                             << ")";
  return success();
}
}  // namespace

LogicalResult RNNOp::verify() {
  return verifyRecurrent(*this, {1, 1, getX(), getW(), getR(), getB(), getSequenceLens(), getInitialH(), {}, {},
                                 getResults(), getDirection(), getHiddenSize(), getLayout(), getActivations(),
                                 getActivationAlpha(), getActivationBeta()});
}

LogicalResult GRUOp::verify() {
  return verifyRecurrent(*this, {3, 2, getX(), getW(), getR(), getB(), getSequenceLens(), getInitialH(), {}, {},
                                 getResults(), getDirection(), getHiddenSize(), getLayout(), getActivations(),
                                 getActivationAlpha(), getActivationBeta()});
}

LogicalResult LSTMOp::verify() {
  return verifyRecurrent(*this, {4, 3, getX(), getW(), getR(), getB(), getSequenceLens(), getInitialH(),
                                 getInitialC(), getP(), getResults(), getDirection(), getHiddenSize(), getLayout(),
                                 getActivations(), getActivationAlpha(), getActivationBeta()});
}
