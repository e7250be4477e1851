// The ONNX frontend's entry points: pre-checks on the raw model (unsupported ops,
// --input-shape ranks), loading (OnnxModelLoader), the import itself (GraphImporter)
// with rounds of shape inference when folded shape subgraphs unlock static shapes.
#include "edgec/OnnxImporter.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>

#include "GraphImporter.h"
#include "OnnxModelLoader.h"
#include "edge/ConstantData.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/QuantOps.h"
#include "mlir/IR/Verifier.h"
#include "onnx/defs/schema.h"

namespace edgec {
namespace {

using namespace mlir;
using namespace mlir::edge;
using onnx_frontend::GraphImporter;
using onnx_frontend::ImportError;
using onnx_frontend::LoadError;
using onnx_frontend::ShapesPending;
using onnx_frontend::elementType;
using onnx_frontend::nodeDisplayName;

bool hasImporter(const onnx::NodeProto &n) { return GraphImporter::importers().count(GraphImporter::importerKey(n)); }

// Every unsupported op type at once, with its count and first node, before anything else.
// Before function expansion, an op whose ONNX schema defines it as a function counts as
// supported; its body's ops are checked after expansion (`functionsExpanded`).
void checkSupportedOps(const onnx::GraphProto &graph, const std::string &name, bool functionsExpanded) {
  std::map<std::string, std::pair<int, std::string>> unsupported;
  bool microsoft = false;
  // The main graph's nodes and those of every subgraph (If branches, Scan bodies; only
  // the main graph's function ops are expanded).
  std::function<void(const onnx::GraphProto &, bool)> visit = [&](const onnx::GraphProto &g, bool top) {
    for (const auto &n : g.node()) {
      for (const auto &a : n.attribute()) {
        if (a.has_g()) visit(a.g(), false);
        for (const auto &sub : a.graphs()) visit(sub, false);
      }
      std::string key = GraphImporter::importerKey(n);
      if (hasImporter(n) || (top && !functionsExpanded && onnx_frontend::expandsAsFunction(n, kCanonicalOpset)))
        continue;
      microsoft |= n.domain() == onnx_frontend::kMicrosoftDomain;
      auto &entry = unsupported[key];
      if (entry.first++ == 0) entry.second = nodeDisplayName(n);
    }
  };
  visit(graph, true);
  if (unsupported.empty()) return;
  std::string msg = name + (functionsExpanded ? ": unsupported operators in the ONNX function bodies of its nodes: "
                                              : ": unsupported operators: ");
  bool first = true;
  for (const auto &[op, info] : unsupported) {
    msg += (first ? "" : ", ") + op + " (x" + std::to_string(info.first) + ", first node '" + info.second + "')";
    first = false;
  }
  // ONNX Runtime's own domain: say which of its ops edgec does take.
  if (microsoft) {
    msg += "; of ONNX Runtime's com.microsoft operators edgec imports only";
    for (const std::string &op : onnx_frontend::microsoftOpsImported()) msg += " " + op;
  }
  throw ImportError(msg);
}

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw LoadError(path + ": cannot open: " + std::strerror(errno));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// ONNX 1.12 shape inference propagates the data of a Constant node only from its `value`
// attribute: Reshape(x, Constant<value_ints = [...]>) got a dynamic result type and could
// not be imported. Rewrite value_float(s)/value_int(s) into the `value` tensor the ONNX
// spec defines them as, before the checker and shape inference run.
void normalizeConstantNodes(onnx::GraphProto &graph) {
  for (onnx::NodeProto &n : *graph.mutable_node()) {
    if (n.op_type() != "Constant" || !(n.domain().empty() || n.domain() == "ai.onnx") || n.attribute_size() != 1)
      continue;
    const onnx::AttributeProto &a = n.attribute(0);
    onnx::TensorProto t;
    if (a.name() == "value_float" && a.type() == onnx::AttributeProto::FLOAT) {
      t.set_data_type(onnx::TensorProto::FLOAT);
      t.add_float_data(a.f());
    } else if (a.name() == "value_floats" && a.type() == onnx::AttributeProto::FLOATS) {
      t.set_data_type(onnx::TensorProto::FLOAT);
      t.add_dims(a.floats_size());
      for (float f : a.floats()) t.add_float_data(f);
    } else if (a.name() == "value_int" && a.type() == onnx::AttributeProto::INT) {
      t.set_data_type(onnx::TensorProto::INT64);
      t.add_int64_data(a.i());
    } else if (a.name() == "value_ints" && a.type() == onnx::AttributeProto::INTS) {
      t.set_data_type(onnx::TensorProto::INT64);
      t.add_dims(a.ints_size());
      for (int64_t i : a.ints()) t.add_int64_data(i);
    } else {
      continue;
    }
    onnx::AttributeProto value;
    value.set_name("value");
    value.set_type(onnx::AttributeProto::TENSOR);
    *value.mutable_t() = std::move(t);
    n.clear_attribute();
    *n.add_attribute() = std::move(value);
  }
}

// --input-shape replaces a graph input's dims, so it must give the input's rank; a wrong
// one otherwise surfaces as a shape-inference failure in some later node.
void checkInputShapeRanks(const onnx::GraphProto &graph, const ImportOptions &options, const std::string &name) {
  for (const auto &[input, shape] : options.inputShapes) {
    for (const auto &vi : graph.input()) {
      if (vi.name() != input || !vi.type().has_tensor_type() || !vi.type().tensor_type().has_shape()) continue;
      int rank = vi.type().tensor_type().shape().dim_size();
      if (int(shape.size()) == rank) continue;
      std::string arg;
      for (int64_t d : shape) arg += (arg.empty() ? "" : "x") + (d < 0 ? std::string("?") : std::to_string(d));
      throw ImportError(name + ": --input-shape " + input + "=" + arg + " has " + std::to_string(shape.size()) +
                        " dims, but graph input '" + input + "' has rank " + std::to_string(rank));
    }
  }
}

int32_t onnxElementType(Type t) {
  for (int32_t onnxType = onnx::TensorProto::FLOAT; onnxType <= onnx::TensorProto::BFLOAT16; ++onnxType)
    if (elementType(*t.getContext(), onnxType) == t) return onnxType;
  return onnx::TensorProto::UNDEFINED;
}

// Turns folded node outputs into initializers (dropping the nodes that computed them).
// Returns false when there is nothing new to bind.
bool bindFoldedValues(onnx::ModelProto &model, const std::map<std::string, ElementsAttr> &folded) {
  onnx::GraphProto *g = model.mutable_graph();
  std::set<std::string> existing;
  for (const auto &t : g->initializer()) existing.insert(t.name());
  // ONNX 1.12's data propagation reads an empty 1-D initializer as a rank-0 shape, and
  // a Concat of it then fails inference: empty values stay computed by their nodes
  // (inference gets their [0] shape right by itself).
  auto binds = [&](const std::string &name) {
    auto it = folded.find(name);
    return it != folded.end() && cast<ShapedType>(it->second.getType()).getNumElements() > 0;
  };
  bool added = false;
  for (const auto &[name, value] : folded) {
    if (existing.count(name) || !binds(name)) continue;
    auto type = cast<ShapedType>(value.getType());
    onnx::TensorProto *t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(onnxElementType(type.getElementType()));
    for (int64_t d : type.getShape()) t->add_dims(d);
    std::vector<uint8_t> bytes = constantBytes(value);
    t->set_raw_data(std::string(bytes.begin(), bytes.end()));
    added = true;
  }
  // A bound value's old value_info (e.g. ConstantOfShape's [unk]) would shadow its
  // initializer's exact shape in the next inference round.
  auto *infos = g->mutable_value_info();
  for (int i = infos->size() - 1; i >= 0; --i)
    if (binds(infos->Get(i).name())) infos->DeleteSubrange(i, 1);
  auto *nodes = g->mutable_node();
  for (int i = nodes->size() - 1; i >= 0; --i) {
    const auto &outs = nodes->Get(i).output();
    if (std::all_of(outs.begin(), outs.end(), [&](const std::string &o) { return o.empty() || binds(o); }))
      nodes->DeleteSubrange(i, 1);
  }
  return added;
}

// Gives each named dynamic dim its size (ImportOptions::dimValues): the dims --input-shape
// names and the model's own dim_params. Returns the concrete --input-shape shapes and
// fills `names` (input -> one name per dim, "" fixed) for the dims it sized.
std::map<std::string, std::vector<int64_t>> sizeDynamicDims(onnx::GraphProto &graph, const ImportOptions &options,
                                                            std::map<std::string, std::vector<std::string>> &names,
                                                            const std::string &name) {
  std::map<std::string, std::vector<int64_t>> shapes = options.inputShapes;
  for (auto &[input, shape] : shapes) {
    auto given = options.inputDimNames.find(input);
    for (size_t d = 0; d < shape.size(); ++d) {
      if (shape[d] >= 0) continue;
      const std::string dim = given == options.inputDimNames.end() ? "" : given->second[d];
      auto value = options.dimValues.find(dim);
      if (value == options.dimValues.end())
        throw ImportError(name + ": --input-shape " + input + " has the dynamic dim '" + dim +
                          "' without a bound: give its largest size with --dim-bound " + dim + "=<max>");
      shape[d] = value->second;
      names[input].resize(shape.size());
      names[input][d] = dim;
    }
  }
  for (auto &vi : *graph.mutable_input()) {
    if (shapes.count(vi.name()) || !vi.type().has_tensor_type() || !vi.type().tensor_type().has_shape()) continue;
    auto *dims = vi.mutable_type()->mutable_tensor_type()->mutable_shape();
    for (int d = 0; d < dims->dim_size(); ++d) {
      auto *dim = dims->mutable_dim(d);
      if (dim->has_dim_value() || !dim->has_dim_param()) continue;
      auto value = options.dimValues.find(dim->dim_param());
      if (value == options.dimValues.end()) continue;
      names[vi.name()].resize(size_t(dims->dim_size()));
      names[vi.name()][size_t(d)] = dim->dim_param();
      dim->set_dim_value(value->second);
    }
  }
  return shapes;
}

OwningOpRef<ModuleOp> importModel(MLIRContext &context, onnx::ModelProto &model, const std::string &name,
                                  const std::string &baseDir, const ImportOptions &options) {
  onnx_frontend::bindInputs(model, options.boundInputs, name);
  checkSupportedOps(model.graph(), name, /*functionsExpanded=*/false);
  checkInputShapeRanks(model.graph(), options, name);
  std::map<std::string, std::vector<std::string>> dimNames;
  const std::map<std::string, std::vector<int64_t>> inputShapes =
      sizeDynamicDims(*model.mutable_graph(), options, dimNames, name);
  normalizeConstantNodes(*model.mutable_graph());
  onnx_frontend::loadExternalData(model, baseDir, name);
  // A model with dynamic dims, or with sizes that values decide (NonZero, ...), keeps
  // the Shape ops over them (DynamicDims.cpp).
  const bool dataDependent = onnx_frontend::hasDataDependentOps(model.graph());
  const std::map<std::string, std::vector<bool>> dynamic =
      dimNames.empty() && !dataDependent ? std::map<std::string, std::vector<bool>>{}
                                         : onnx_frontend::dynamicValueDims(model, dimNames);
  onnx_frontend::prepareModel(model, kCanonicalOpset, inputShapes, name, dynamic);
  if (!dynamic.empty()) onnx_frontend::typeFromCompileSizes(model, kCanonicalOpset);
  onnx_frontend::sizeDataDependentResults(model, options.dataDependentProbe, name);
  if (onnx_frontend::expandFunctions(model, kCanonicalOpset, hasImporter, name) > 0)
    checkSupportedOps(model.graph(), name, /*functionsExpanded=*/true);
  context.loadDialect<EdgeDialect, func::FuncDialect, quant::QuantizationDialect>();
  OwningOpRef<ModuleOp> module;
  // Shape subgraphs ONNX inference cannot see through (Shape -> Gather -> Div -> Slice)
  // resolve in rounds: bind what was folded, infer again, import again. A chain of such
  // subgraphs (ShuffleNetV2's 16 channel splits, each sized from the one before) takes
  // a round per link, so the rounds go on while each binds a value not bound before:
  // there are finitely many, so this ends.
  onnx_frontend::ConstantCache constants;  // initializers imported in earlier rounds
  while (!module) {
    onnx_frontend::bindDeclaredDims(model);
    GraphImporter importer(context, model, name, constants);
    if (!dynamic.empty()) importer.setDynamicDims(&dynamic);
    try {
      module = importer.run();
    } catch (const ShapesPending &e) {
      if (!bindFoldedValues(model, importer.folded())) throw ImportError(e.what());
      onnx_frontend::inferShapes(model, name);
    }
  }
  // The verifier's diagnostics go to the context's handler (the caller's); a failure
  // here is a frontend bug or an inconsistent model.
  if (failed(verify(*module))) throw ImportError(name + ": the imported IR does not verify (details follow)");
  if (dataDependent) (*module)->setAttr("edge.data_dependent", UnitAttr::get(&context));
  if (!dimNames.empty()) {
    Builder b(&context);
    SmallVector<NamedAttribute> inputs;
    for (auto &[input, dims] : dimNames) {
      SmallVector<Attribute> names;
      for (const std::string &dim : dims) names.push_back(b.getStringAttr(dim));
      inputs.push_back(b.getNamedAttr(input, b.getArrayAttr(names)));
    }
    (*module)->setAttr("edge.input_dims", b.getDictionaryAttr(inputs));
  }
  return module;
}

}  // namespace

OwningOpRef<ModuleOp> importOnnxBytes(MLIRContext &context, const std::string &bytes, const std::string &name,
                                      const std::string &baseDir, const ImportOptions &options,
                                      std::string &error) {
  try {
    onnx::ModelProto model = onnx_frontend::parseModel(bytes, false, name);
    return importModel(context, model, name, baseDir, options);
  } catch (const std::exception &e) {
    error = e.what();
    return nullptr;
  }
}

OwningOpRef<ModuleOp> importOnnxFile(MLIRContext &context, const std::string &path, const ImportOptions &options,
                                     std::string &error) {
  try {
    onnx::ModelProto model = endsWith(path, ".onnxtxt")
                                 ? onnx_frontend::parseModel(readFile(path), true, path)
                                 : onnx_frontend::parseModelFile(path);
    size_t slash = path.find_last_of('/');
    std::string baseDir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    return importModel(context, model, path, baseDir, options);
  } catch (const std::exception &e) {
    error = e.what();
    return nullptr;
  }
}

std::vector<OnnxOpSupport> onnxOpSupport() {
  const auto &importers = GraphImporter::importers();
  std::map<std::pair<std::string, std::string>, OnnxOpSupport> ops;
  // The registry holds every version of every schema; keep the default domain's.
  for (const onnx::OpSchema &schema : onnx::OpSchemaRegistry::get_all_schemas_with_history()) {
    if (!schema.domain().empty() || schema.SinceVersion() > kCanonicalOpset) continue;
    OnnxOpSupport &s = ops[{"", schema.Name()}];
    s.op = schema.Name();
    s.versions.push_back(schema.SinceVersion());
  }
  for (auto &[key, s] : ops) {
    std::sort(s.versions.begin(), s.versions.end());
    const onnx::OpSchema *latest = onnx::OpSchemaRegistry::Schema(s.op, kCanonicalOpset, "");
    s.deprecated = latest && latest->Deprecated();
    if (importers.count(s.op)) s.how = "import";
    else if (latest && (latest->HasFunction() || latest->HasContextDependentFunction())) s.how = "function";
    else s.how = "none";
  }
  // Other domains' importers are keyed "domain.Op" (GraphImporter::importerKey).
  for (const auto &[key, fn] : importers) {
    size_t dot = key.rfind('.');
    if (dot == std::string::npos) continue;
    OnnxOpSupport &s = ops[{key.substr(0, dot), key.substr(dot + 1)}];
    s.domain = key.substr(0, dot);
    s.op = key.substr(dot + 1);
    s.how = "import";
    for (const onnx::OpSchema &schema : onnx::OpSchemaRegistry::get_all_schemas_with_history())
      if (schema.domain() == s.domain && schema.Name() == s.op) s.versions.push_back(schema.SinceVersion());
    std::sort(s.versions.begin(), s.versions.end());
  }
  std::vector<OnnxOpSupport> out;
  for (auto &[key, s] : ops) out.push_back(std::move(s));
  return out;
}

}  // namespace edgec

