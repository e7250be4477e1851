// Which dims of which values follow a model's dynamic dims (edgec compile --dim-bound).
// The model is imported with every dynamic dim at a size (its bound, or the compiler's
// smaller second size), so its types alone cannot tell; ONNX's shape inference on a copy
// of the graph with those dims symbolic can: a dim it cannot give a number is one that
// follows them. The importer keeps the Shape ops over such dims as run-time ops instead
// of folding them into constants (ShapeFolding.cpp, GraphImporter::importShape).
#include <set>

#include "OnnxModelLoader.h"
#include "onnx/shape_inference/implementation.h"

namespace edgec::onnx_frontend {

namespace {
// The graph without its weights: large initializers become typed inputs (inference reads
// only their types); small ones (shapes, axes) stay for data propagation.
onnx::ModelProto weightlessCopy(const onnx::ModelProto &model,
                                const std::map<std::string, std::vector<std::string>> &inputDimNames) {
  constexpr int64_t kKeepElements = 64;
  onnx::ModelProto copy;
  copy.set_ir_version(model.ir_version());
  *copy.mutable_opset_import() = model.opset_import();
  *copy.mutable_functions() = model.functions();
  const onnx::GraphProto &g = model.graph();
  onnx::GraphProto *c = copy.mutable_graph();
  *c->mutable_node() = g.node();
  *c->mutable_output() = g.output();
  for (const onnx::ValueInfoProto &vi : g.input()) {
    onnx::ValueInfoProto *in = c->add_input();
    *in = vi;
    auto names = inputDimNames.find(vi.name());
    if (names == inputDimNames.end() || !in->type().has_tensor_type()) continue;
    auto *dims = in->mutable_type()->mutable_tensor_type()->mutable_shape();
    for (int d = 0; d < dims->dim_size() && size_t(d) < names->second.size(); ++d)
      if (!names->second[size_t(d)].empty()) dims->mutable_dim(d)->set_dim_param(names->second[size_t(d)]);
  }
  for (const onnx::TensorProto &t : g.initializer()) {
    int64_t n = 1;
    for (int64_t d : t.dims()) n *= d;
    if (n <= kKeepElements && !t.has_data_location()) {
      *c->add_initializer() = t;
      continue;
    }
    onnx::ValueInfoProto *in = c->add_input();
    in->set_name(t.name());
    auto *tt = in->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(t.data_type());
    for (int64_t d : t.dims()) tt->mutable_shape()->add_dim()->set_dim_value(d);
  }
  return copy;
}

void inferBestEffort(onnx::ModelProto &model) {
  try {
    onnx::ShapeInferenceOptions options(/*check_type=*/false, /*error_mode=*/0, /*data_prop=*/true);
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), options);
  } catch (const std::exception &) {
    // Best effort: values it could not type keep what they had.
  }
}
}  // namespace

std::map<std::string, std::vector<bool>> dynamicValueDims(
    const onnx::ModelProto &model, const std::map<std::string, std::vector<std::string>> &inputDimNames) {
  onnx::ModelProto copy = weightlessCopy(model, inputDimNames);
  onnx::GraphProto *c = copy.mutable_graph();
  inferBestEffort(copy);  // values it could not type are treated as before (folded at their size)
  std::map<std::string, std::vector<bool>> dynamic;
  auto add = [&](const onnx::ValueInfoProto &vi) {
    if (!vi.type().has_tensor_type() || !vi.type().tensor_type().has_shape()) return;
    std::vector<bool> dims;
    bool any = false;
    for (const auto &d : vi.type().tensor_type().shape().dim()) {
      dims.push_back(!d.has_dim_value());
      any |= dims.back();
    }
    if (any) dynamic[vi.name()] = dims;
  };
  for (const auto &vi : c->input()) add(vi);
  for (const auto &vi : c->value_info()) add(vi);
  for (const auto &vi : c->output()) add(vi);
  return dynamic;
}

void typeFromCompileSizes(onnx::ModelProto &model, int64_t opset) {
  onnx::ModelProto shadow = weightlessCopy(model, {});
  foldShapeComputations(shadow, opset, {});
  inferBestEffort(shadow);
  std::map<std::string, const onnx::ValueInfoProto *> known;
  auto isStatic = [](const onnx::ValueInfoProto &vi) {
    if (!vi.type().has_tensor_type() || !vi.type().tensor_type().has_shape()) return false;
    for (const auto &d : vi.type().tensor_type().shape().dim())
      if (!d.has_dim_value()) return false;
    return true;
  };
  for (const auto &vi : shadow.graph().value_info())
    if (isStatic(vi)) known[vi.name()] = &vi;
  for (const auto &vi : shadow.graph().output())
    if (isStatic(vi)) known[vi.name()] = &vi;
  onnx::GraphProto *g = model.mutable_graph();
  std::set<std::string> typed;
  auto fill = [&](onnx::ValueInfoProto &vi) {
    typed.insert(vi.name());
    auto it = known.find(vi.name());
    if (it != known.end() && !isStatic(vi) && vi.type().has_tensor_type() &&
        it->second->type().tensor_type().elem_type() == vi.type().tensor_type().elem_type())
      *vi.mutable_type() = it->second->type();
  };
  for (auto &vi : *g->mutable_value_info()) fill(vi);
  for (auto &vi : *g->mutable_output()) fill(vi);
  for (const auto &vi : g->input()) typed.insert(vi.name());
  for (const auto &t : g->initializer()) typed.insert(t.name());
  for (const auto &[name, vi] : known)
    if (!typed.count(name)) *g->add_value_info() = *vi;
}

}  // namespace edgec::onnx_frontend
