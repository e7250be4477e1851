// Importer of ONNX's recurrent layers (EdgeRecurrentOps.td): RNN, GRU and LSTM. The
// operands are kept as ONNX lays them out; every default is resolved here so that the
// op (and the kernel) never guesses: the activation list per direction, one alpha and
// one beta per activation, hidden_size from R when the attribute is absent. Result
// types are computed from the operands because ONNX lets a model leave any output
// unnamed (PyTorch's export of nn.LSTM names Y only when it is used).
#include "GraphImporter.h"

#include "llvm/ADT/StringExtras.h"

namespace edgec::onnx_frontend {

namespace {
struct ActivationDefaults {
  const char *name;
  bool takesAlpha, takesBeta;
  float alpha, beta;  // ONNX's defaults for the function as a standalone op
};

// The functions ONNX allows in `activations`, spelled as ONNX spells them.
const ActivationDefaults kActivations[] = {
    {"Relu", false, false, 0, 0},           {"Tanh", false, false, 0, 0},
    {"Sigmoid", false, false, 0, 0},        {"Affine", true, true, 1.0f, 0.0f},
    {"LeakyRelu", true, false, 0.01f, 0},   {"ThresholdedRelu", true, false, 1.0f, 0},
    {"ScaledTanh", true, true, 1.0f, 1.0f}, {"HardSigmoid", true, true, 0.2f, 0.5f},
    {"Elu", true, false, 1.0f, 0},          {"Softsign", false, false, 0, 0},
    {"Softplus", false, false, 0, 0},
};

const ActivationDefaults *findActivation(const std::string &name) {
  for (const ActivationDefaults &a : kActivations)
    if (llvm::StringRef(name).equals_insensitive(a.name)) return &a;  // exporters differ in case
  return nullptr;
}
}  // namespace

void GraphImporter::importRecurrent(const onnx::NodeProto &n) {
  const std::string &kind = n.op_type();
  const int64_t gates = kind == "LSTM" ? 4 : kind == "GRU" ? 3 : 1;
  const std::vector<std::string> defaultFunctions =
      kind == "LSTM"  ? std::vector<std::string>{"Sigmoid", "Tanh", "Tanh"}
      : kind == "GRU" ? std::vector<std::string>{"Sigmoid", "Tanh"}
                      : std::vector<std::string>{"Tanh"};

  Value x = requiredInput(n, 0, "X"), w = requiredInput(n, 1, "W"), r = requiredInput(n, 2, "R");
  Value b = input(n, 3), lens = input(n, 4), initialH = input(n, 5);
  Value initialC = kind == "LSTM" ? input(n, 6) : Value(), peepholes = kind == "LSTM" ? input(n, 7) : Value();

  std::string direction = attrString(n, "direction", "forward");
  const int64_t dirs = direction == "bidirectional" ? 2 : 1;
  if (direction != "forward" && direction != "reverse" && direction != "bidirectional")
    throw ImportError(where(n) + ": direction '" + direction + "' is not forward, reverse or bidirectional");
  const int64_t layout = attrInt(n, "layout", 0);
  if (layout != 0 && layout != 1) throw ImportError(where(n) + ": layout must be 0 or 1, got " + std::to_string(layout));
  auto rType = cast<RankedTensorType>(r.getType());
  if (rType.getRank() != 3) throw ImportError(where(n) + ": R must have rank 3");
  const int64_t hidden = attrInt(n, "hidden_size", rType.getDimSize(2));
  if (hidden != rType.getDimSize(2))
    throw ImportError(where(n) + ": hidden_size " + std::to_string(hidden) + " does not match R's last dim " +
                      std::to_string(rType.getDimSize(2)));

  // Activations: given for every direction, or ONNX's defaults.
  std::vector<std::string> functions;
  if (const onnx::AttributeProto *a = attr(n, "activations")) {
    for (const std::string &s : a->strings()) functions.push_back(s);
    if (int64_t(functions.size()) != dirs * int64_t(defaultFunctions.size()))
      throw ImportError(where(n) + ": activations names " + std::to_string(functions.size()) + " functions, expected " +
                        std::to_string(dirs * defaultFunctions.size()) + " (" +
                        std::to_string(defaultFunctions.size()) + " per direction)");
  } else {
    for (int64_t d = 0; d < dirs; ++d) functions.insert(functions.end(), defaultFunctions.begin(), defaultFunctions.end());
  }
  // activation_alpha / activation_beta are consumed in order by the functions that take
  // them (as ONNX Runtime reads them); a function past the end of a list gets its default.
  std::vector<float> alphaList, betaList;
  if (const onnx::AttributeProto *a = attr(n, "activation_alpha")) alphaList.assign(a->floats().begin(), a->floats().end());
  if (const onnx::AttributeProto *a = attr(n, "activation_beta")) betaList.assign(a->floats().begin(), a->floats().end());
  size_t nextAlpha = 0, nextBeta = 0;
  SmallVector<Attribute> names;
  SmallVector<float> alpha, beta;
  for (const std::string &f : functions) {
    const ActivationDefaults *def = findActivation(f);
    if (!def) throw ImportError(where(n) + ": activation '" + f + "' is not one ONNX allows in " + kind);
    names.push_back(builder_.getStringAttr(def->name));
    alpha.push_back(def->takesAlpha && nextAlpha < alphaList.size() ? alphaList[nextAlpha++] : def->alpha);
    beta.push_back(def->takesBeta && nextBeta < betaList.size() ? betaList[nextBeta++] : def->beta);
  }

  auto xType = cast<RankedTensorType>(x.getType());
  if (xType.getRank() != 3) throw ImportError(where(n) + ": X must have rank 3");
  const int64_t seq = xType.getDimSize(layout ? 1 : 0), batch = xType.getDimSize(layout ? 0 : 1);
  Type elem = xType.getElementType();
  auto yType = RankedTensorType::get(layout ? ArrayRef<int64_t>{batch, seq, dirs, hidden}
                                            : ArrayRef<int64_t>{seq, dirs, batch, hidden},
                                     elem);
  auto stateType = RankedTensorType::get(layout ? ArrayRef<int64_t>{batch, dirs, hidden}
                                                : ArrayRef<int64_t>{dirs, batch, hidden},
                                         elem);
  std::optional<FloatAttr> clip;
  if (attr(n, "clip")) clip = builder_.getF32FloatAttr(attrFloat(n, "clip", 0));

  OperationState state(loc(n), "edge." + kind);
  SmallVector<Value> operands = {x, w, r};
  SmallVector<Value> optional = {b, lens, initialH};
  if (kind == "LSTM") optional.append({initialC, peepholes});
  SmallVector<int32_t> segments = {1, 1, 1};
  for (Value v : optional) {
    segments.push_back(v ? 1 : 0);
    if (v) operands.push_back(v);
  }
  state.addOperands(operands);
  state.addAttribute("operandSegmentSizes", builder_.getDenseI32ArrayAttr(segments));
  state.addAttribute("direction", builder_.getStringAttr(direction));
  state.addAttribute("hidden_size", builder_.getI64IntegerAttr(hidden));
  state.addAttribute("layout", builder_.getI64IntegerAttr(layout));
  state.addAttribute("activations", builder_.getArrayAttr(names));
  state.addAttribute("activation_alpha", builder_.getDenseF32ArrayAttr(alpha));
  state.addAttribute("activation_beta", builder_.getDenseF32ArrayAttr(beta));
  if (clip) state.addAttribute("clip", *clip);
  if (kind == "GRU") state.addAttribute("linear_before_reset", builder_.getI64IntegerAttr(attrInt(n, "linear_before_reset", 0)));
  if (kind == "LSTM") state.addAttribute("input_forget", builder_.getI64IntegerAttr(attrInt(n, "input_forget", 0)));
  state.addTypes({yType, stateType});
  if (kind == "LSTM") state.addTypes(stateType);
  Operation *op = builder_.create(state);
  for (unsigned i = 0; i < op->getNumResults(); ++i) define(n, int(i), op->getResult(i));
}

void GraphImporter::addRecurrentImporters(ImporterTable &table) {
  table["RNN"] = &GraphImporter::importRecurrent;
  table["GRU"] = &GraphImporter::importRecurrent;
  table["LSTM"] = &GraphImporter::importRecurrent;
}

}  // namespace edgec::onnx_frontend
