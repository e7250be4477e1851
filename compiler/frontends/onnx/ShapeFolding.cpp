// Folds an old-opset model's shape computations into initializers before ONNX's version
// converter runs. Some of its adapters need a value's shape (Softmax-12 -> 13 needs its
// input's rank), and in PyTorch exports at opsets below 13 that shape is often behind a
// Reshape whose target is computed: `x.view(x.size(0), -1)` is Shape -> Gather ->
// Unsqueeze -> Concat -> Reshape. ONNX's data propagation covers only the opset-13+
// versions of those ops, so nothing infers the Reshape's result. With the input shapes
// fixed (--input-shape), every such value is a constant: this evaluates the few int64
// shape ops that build them, for as many rounds as each folds something new.
//
// After conversion, shape subgraphs of any op are folded at import (GraphImporter's
// rounds, on the runtime's kernels); this covers only what conversion itself needs.
#include <optional>
#include <set>

#include "OnnxModelLoader.h"
#include "onnx/defs/tensor_proto_util.h"
#include "onnx/shape_inference/implementation.h"

namespace edgec::onnx_frontend {

namespace {
// An int64 value known at compile time: its dims and elements (row-major).
struct IntValue {
  std::vector<int64_t> dims, values;
};

class ShapeFolder {
public:
  ShapeFolder(onnx::ModelProto &model, int64_t opset, const std::map<std::string, std::vector<bool>> &dynamic)
      : model_(model), opset_(opset), dynamic_(dynamic) {}

  // One round: infer (best effort), then fold every node whose result is computable.
  // Returns whether anything was folded.
  bool round() {
    try {
      onnx::ShapeInferenceOptions options(/*check_type=*/false, /*error_mode=*/0, /*data_prop=*/true);
      onnx::shape_inference::InferShapes(model_, onnx::OpSchemaRegistry::Instance(), options);
    } catch (const std::exception &) {
      // Best effort: the strict inference after conversion reports real problems.
    }
    collect();
    onnx::GraphProto *g = model_.mutable_graph();
    std::set<std::string> outputs;
    for (const onnx::ValueInfoProto &vi : g->output()) outputs.insert(vi.name());
    std::set<int> folded;
    for (int i = 0; i < g->node_size(); ++i) {
      const onnx::NodeProto &n = g->node(i);
      if (n.output_size() != 1 || n.output(0).empty() || outputs.count(n.output(0))) continue;
      std::optional<IntValue> v = evaluate(n);
      if (!v) continue;
      onnx::TensorProto t = onnx::ToTensor<int64_t>(v->values);
      t.set_name(n.output(0));
      for (int64_t d : v->dims) t.add_dims(d);
      *g->add_initializer() = t;
      known_[n.output(0)] = *v;
      folded.insert(i);
    }
    for (auto it = folded.rbegin(); it != folded.rend(); ++it) g->mutable_node()->DeleteSubrange(*it, 1);
    // A folded value's value_info would shadow its initializer in the next round.
    auto *infos = g->mutable_value_info();
    for (int i = infos->size() - 1; i >= 0; --i)
      if (known_.count(infos->Get(i).name())) infos->DeleteSubrange(i, 1);
    return !folded.empty();
  }

private:
  // int64 initializers and Constant nodes; static shapes of every typed value.
  void collect() {
    const onnx::GraphProto &g = model_.graph();
    for (const onnx::TensorProto &t : g.initializer())
      if (t.data_type() == onnx::TensorProto::INT64 && !t.has_data_location())
        known_[t.name()] = {std::vector<int64_t>(t.dims().begin(), t.dims().end()), onnx::ParseData<int64_t>(&t)};
    for (const onnx::NodeProto &n : g.node())
      if (n.op_type() == "Constant" && n.output_size() == 1)
        for (const onnx::AttributeProto &a : n.attribute())
          if (a.name() == "value" && a.t().data_type() == onnx::TensorProto::INT64)
            known_[n.output(0)] = {std::vector<int64_t>(a.t().dims().begin(), a.t().dims().end()),
                                   onnx::ParseData<int64_t>(&a.t())};
    auto addShapes = [&](const google::protobuf::RepeatedPtrField<onnx::ValueInfoProto> &infos) {
      for (const onnx::ValueInfoProto &vi : infos) {
        if (!vi.type().has_tensor_type() || !vi.type().tensor_type().has_shape()) continue;
        std::vector<int64_t> dims;
        for (const auto &d : vi.type().tensor_type().shape().dim()) {
          if (!d.has_dim_value()) break;
          dims.push_back(d.dim_value());
        }
        if (int(dims.size()) == vi.type().tensor_type().shape().dim_size()) shapes_[vi.name()] = dims;
      }
    };
    addShapes(g.input());
    addShapes(g.value_info());
    for (const onnx::TensorProto &t : g.initializer())
      shapes_[t.name()] = std::vector<int64_t>(t.dims().begin(), t.dims().end());
  }

  const IntValue *value(const onnx::NodeProto &n, int i) const {
    if (i >= n.input_size()) return nullptr;
    auto it = known_.find(n.input(i));
    return it == known_.end() ? nullptr : &it->second;
  }

  static int64_t intAttr(const onnx::NodeProto &n, const char *name, int64_t def) {
    for (const onnx::AttributeProto &a : n.attribute())
      if (a.name() == name) return a.i();
    return def;
  }
  static std::optional<std::vector<int64_t>> intsAttr(const onnx::NodeProto &n, const char *name) {
    for (const onnx::AttributeProto &a : n.attribute())
      if (a.name() == name) return std::vector<int64_t>(a.ints().begin(), a.ints().end());
    return std::nullopt;
  }

  // Unsqueeze/Squeeze axes: an attribute before opset 13, the second input from 13.
  std::optional<std::vector<int64_t>> axes(const onnx::NodeProto &n) const {
    if (opset_ < 13) return intsAttr(n, "axes");
    const IntValue *a = value(n, 1);
    return a ? std::optional(a->values) : std::nullopt;
  }

  std::optional<IntValue> evaluate(const onnx::NodeProto &n) const {
    if (!n.domain().empty() && n.domain() != "ai.onnx") return std::nullopt;
    const std::string &op = n.op_type();
    if (op == "Shape") {
      auto it = n.input_size() == 1 ? shapes_.find(n.input(0)) : shapes_.end();
      if (it == shapes_.end() || intsAttr(n, "start") || intsAttr(n, "end")) return std::nullopt;
      if (dynamic_.count(n.input(0))) return std::nullopt;  // it follows a dynamic dim: a run-time Shape
      return IntValue{{int64_t(it->second.size())}, it->second};
    }
    if (op == "Gather") {  // the fixed dims of a dynamic value's Shape are still constants
      if (auto folded = gatherFixedDims(n)) return folded;
    }
    const IntValue *x = value(n, 0);
    if (!x) return std::nullopt;
    if (op == "Gather") {
      const IntValue *idx = value(n, 1);
      if (!idx || x->dims.size() != 1 || intAttr(n, "axis", 0) != 0) return std::nullopt;
      IntValue out{idx->dims, {}};
      for (int64_t i : idx->values) {
        if (i < 0) i += x->dims[0];
        if (i < 0 || i >= x->dims[0]) return std::nullopt;  // the checker's problem, not ours
        out.values.push_back(x->values[size_t(i)]);
      }
      return out;
    }
    if (op == "Unsqueeze" || op == "Squeeze") {
      std::optional<std::vector<int64_t>> ax = axes(n);
      if (!ax) return std::nullopt;
      const int64_t rank = int64_t(x->dims.size()) + (op == "Unsqueeze" ? int64_t(ax->size()) : 0);
      std::set<int64_t> set;
      for (int64_t a : *ax) set.insert(a < 0 ? a + rank : a);
      IntValue out{{}, x->values};
      if (op == "Unsqueeze") {
        for (int64_t d = 0, src = 0; d < rank; ++d) out.dims.push_back(set.count(d) ? 1 : x->dims[size_t(src++)]);
      } else {
        for (int64_t d = 0; d < int64_t(x->dims.size()); ++d)
          if (!set.count(d)) out.dims.push_back(x->dims[size_t(d)]);
      }
      return out;
    }
    if (op == "Concat") {
      IntValue out{{0}, {}};
      for (int i = 0; i < n.input_size(); ++i) {
        const IntValue *v = value(n, i);
        if (!v || v->dims.size() != 1) return std::nullopt;
        out.values.insert(out.values.end(), v->values.begin(), v->values.end());
      }
      out.dims[0] = int64_t(out.values.size());
      return out;
    }
    if (op == "Cast" && intAttr(n, "to", 0) == onnx::TensorProto::INT64) return *x;
    return std::nullopt;
  }

  // Gather(Shape(x), indices) of dims of x that do not follow a dynamic dim.
  std::optional<IntValue> gatherFixedDims(const onnx::NodeProto &n) const {
    const IntValue *idx = value(n, 1);
    if (!idx || n.input_size() != 2 || intAttr(n, "axis", 0) != 0) return std::nullopt;
    const onnx::NodeProto *shape = nullptr;
    for (const onnx::NodeProto &m : model_.graph().node())
      if (m.op_type() == "Shape" && m.output_size() == 1 && m.output(0) == n.input(0) && m.input_size() == 1) shape = &m;
    if (!shape || intsAttr(*shape, "start") || intsAttr(*shape, "end")) return std::nullopt;
    auto dims = shapes_.find(shape->input(0));
    auto flags = dynamic_.find(shape->input(0));
    if (dims == shapes_.end() || flags == dynamic_.end() || flags->second.size() != dims->second.size())
      return std::nullopt;
    IntValue out{idx->dims, {}};
    const int64_t rank = int64_t(dims->second.size());
    for (int64_t i : idx->values) {
      if (i < 0) i += rank;
      if (i < 0 || i >= rank || flags->second[size_t(i)]) return std::nullopt;
      out.values.push_back(dims->second[size_t(i)]);
    }
    return out;
  }

  onnx::ModelProto &model_;
  int64_t opset_;
  const std::map<std::string, std::vector<bool>> &dynamic_;
  std::map<std::string, IntValue> known_;
  std::map<std::string, std::vector<int64_t>> shapes_;
};
}  // namespace

void foldShapeComputations(onnx::ModelProto &model, int64_t modelOpset,
                           const std::map<std::string, std::vector<bool>> &dynamic) {
  ShapeFolder folder(model, modelOpset, dynamic);
  while (folder.round()) {
  }
}

}  // namespace edgec::onnx_frontend
