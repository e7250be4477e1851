// Expands ONNX operators that edgec has no importer for but whose schema defines them as
// a function of other operators (NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss,
// CastLike, Celu, MeanVarianceNormalization, the window functions, ...): the node is
// replaced by the function's body, so the graph importer sees only the body's ops.
//
// Our own inliner rather than onnx::FunctionExpandHelper: ONNX 1.12's names the body's
// values after the node's address when the node has no name (a different package on
// every run), concatenates names without a separator (two nodes can collide), and turns
// an omitted optional input inside a body ("") into a named value.
#include "OnnxModelLoader.h"

#include <map>
#include <set>

#include "onnx/defs/schema.h"

namespace edgec::onnx_frontend {
namespace {

bool isDefaultDomain(const std::string &domain) { return domain.empty() || domain == "ai.onnx"; }

// The schema `n` resolves to in a model of default-domain opset `opset`; null if none.
const onnx::OpSchema *schemaOf(const onnx::NodeProto &n, int opset) {
  if (!isDefaultDomain(n.domain())) return nullptr;
  return onnx::OpSchemaRegistry::Schema(n.op_type(), opset, "");
}

// The type of every value the graph declares (inputs, value_info, outputs, initializers):
// what a context-dependent function body (CastLike, the losses) is built from.
std::map<std::string, onnx::TypeProto> declaredTypes(const onnx::GraphProto &g) {
  std::map<std::string, onnx::TypeProto> types;
  for (const auto &vi : g.input()) types[vi.name()] = vi.type();
  for (const auto &vi : g.value_info()) types[vi.name()] = vi.type();
  for (const auto &vi : g.output()) types[vi.name()] = vi.type();
  for (const auto &t : g.initializer()) {
    onnx::TypeProto type;
    auto *tensor = type.mutable_tensor_type();
    tensor->set_elem_type(t.data_type());
    auto *shape = tensor->mutable_shape();
    for (int64_t d : t.dims()) shape->add_dim()->set_dim_value(d);
    types[t.name()] = type;
  }
  return types;
}

// The body of `n` as a FunctionProto; false if its schema defines none.
bool functionBody(const onnx::NodeProto &n, const onnx::OpSchema &schema,
                  const std::map<std::string, onnx::TypeProto> &types, onnx::FunctionProto &body) {
  if (schema.HasFunction()) {
    body = *schema.GetFunction();
    return true;
  }
  if (!schema.HasContextDependentFunction()) return false;
  std::vector<onnx::TypeProto> inputTypes;
  for (const std::string &in : n.input()) {
    auto it = types.find(in);
    inputTypes.push_back(it == types.end() ? onnx::TypeProto() : it->second);
  }
  onnx::FunctionBodyBuildContextImpl ctx(n, inputTypes);
  return schema.BuildContextDependentFunction(ctx, body);
}

// Appends the body of `n` to `out`. Formal inputs and outputs become the node's values;
// every other value gets a name unique to this node ("<node>/<value>" plus a counter if
// the graph already has it); attribute references take the node's attribute or the
// schema's default, and are dropped when neither exists (ONNX: the attribute is absent).
void inlineBody(const onnx::NodeProto &n, const std::string &nodeName, const onnx::OpSchema &schema,
                const onnx::FunctionProto &body, std::set<std::string> &usedNames,
                google::protobuf::RepeatedPtrField<onnx::NodeProto> &out, const std::string &modelName) {
  if (n.input_size() > body.input_size() || n.output_size() > body.output_size())
    throw LoadError(modelName + ": node '" + nodeName + "' (" + n.op_type() +
                    ") has more inputs or outputs than its ONNX function body");
  std::map<std::string, std::string> rename;
  for (int i = 0; i < n.input_size(); ++i) rename[body.input(i)] = n.input(i);
  for (int i = 0; i < body.input_size(); ++i) rename.emplace(body.input(i), "");  // omitted optional input
  for (int i = 0; i < n.output_size(); ++i)
    if (!n.output(i).empty()) rename[body.output(i)] = n.output(i);
  auto valueName = [&](const std::string &inner) -> std::string {
    if (inner.empty()) return "";
    auto it = rename.find(inner);
    if (it != rename.end()) return it->second;
    std::string fresh = nodeName + "/" + inner;
    for (int k = 1; usedNames.count(fresh); ++k) fresh = nodeName + "/" + inner + "." + std::to_string(k);
    usedNames.insert(fresh);
    return rename[inner] = fresh;
  };
  std::map<std::string, const onnx::AttributeProto *> given;
  for (const auto &a : n.attribute()) given[a.name()] = &a;
  int index = 0;
  for (const auto &inner : body.node()) {
    onnx::NodeProto *node = out.Add();
    node->set_op_type(inner.op_type());
    node->set_domain(inner.domain());
    node->set_name(nodeName + "/" + inner.op_type() + "#" + std::to_string(index++));
    for (const std::string &in : inner.input()) node->add_input(valueName(in));
    for (const std::string &o : inner.output()) node->add_output(valueName(o));
    for (const auto &a : inner.attribute()) {
      if (a.ref_attr_name().empty()) {
        *node->add_attribute() = a;
        continue;
      }
      onnx::AttributeProto value;
      if (auto it = given.find(a.ref_attr_name()); it != given.end()) {
        value = *it->second;
      } else {
        auto def = schema.attributes().find(a.ref_attr_name());
        if (def == schema.attributes().end() || def->second.default_value.type() == onnx::AttributeProto::UNDEFINED)
          continue;
        value = def->second.default_value;
      }
      value.set_name(a.name());
      *node->add_attribute() = std::move(value);
    }
  }
}

}  // namespace

bool expandsAsFunction(const onnx::NodeProto &n, int opset) {
  const onnx::OpSchema *schema = schemaOf(n, opset);
  return schema && (schema->HasFunction() || schema->HasContextDependentFunction());
}

int expandFunctions(onnx::ModelProto &model, int opset, const std::function<bool(const onnx::NodeProto &)> &imported,
                    const std::string &name) {
  onnx::GraphProto &g = *model.mutable_graph();
  std::set<std::string> usedNames;
  for (const auto &vi : g.input()) usedNames.insert(vi.name());
  for (const auto &t : g.initializer()) usedNames.insert(t.name());
  for (const auto &n : g.node()) usedNames.insert(n.output().begin(), n.output().end());
  int expanded = 0;
  // A body may itself use function ops (SoftmaxCrossEntropyLoss's uses
  // NegativeLogLikelihoodLoss's), hence rounds; a body never contains its own op.
  for (int round = 0; round < 8; ++round) {
    const std::map<std::string, onnx::TypeProto> types = declaredTypes(g);
    google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
    bool changed = false;
    for (const auto &n : g.node()) {
      const onnx::OpSchema *schema = imported(n) ? nullptr : schemaOf(n, opset);
      onnx::FunctionProto body;
      if (!schema || !functionBody(n, *schema, types, body)) {
        *nodes.Add() = n;
        continue;
      }
      std::string nodeName = !n.name().empty() ? n.name() : !n.output().empty() ? n.output(0) : n.op_type();
      inlineBody(n, nodeName, *schema, body, usedNames, nodes, name);
      changed = true;
      ++expanded;
    }
    if (!changed) break;
    g.mutable_node()->Swap(&nodes);
    // Shape inference after each round: a nested context-dependent body needs the types
    // of the values the previous round introduced.
    inferShapes(model, name);
  }
  return expanded;
}

}  // namespace edgec::onnx_frontend
