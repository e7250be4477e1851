// Result sizes that depend on values (NonZero, Compress, Unique, NonMaxSuppression, and
// a Loop's scan outputs, one slice per iteration): ONNX shape inference leaves them
// unknown, and with them everything that follows. Each such result is typed at its
// capacity, the most its operands' shapes allow (NonZero: the element count;
// NonMaxSuppression: batch * classes * boxes rows; Loop: the constant trip count, or the
// size the model declares), and inference runs again to type what follows; the arena is
// then planned for the capacities and the kernels report the actual sizes at run time. The compiler's probe compile (which tells
// the dims that follow these sizes from the fixed ones, as for dynamic input dims) types
// them one less, so that every dim that follows them differs between the two compiles.
#include <limits>
#include <map>
#include <optional>
#include <set>

#include "OnnxModelLoader.h"
#include "onnx/defs/tensor_proto_util.h"

namespace edgec::onnx_frontend {

namespace {
const onnx::TypeProto_Tensor *tensorTypeOf(const onnx::GraphProto &g, const std::string &value) {
  for (const auto *list : {&g.input(), &g.value_info(), &g.output()})
    for (const onnx::ValueInfoProto &vi : *list)
      if (vi.name() == value && vi.type().has_tensor_type()) return &vi.type().tensor_type();
  return nullptr;
}

// The static shape of `value` (an initializer's dims, or a fully known inferred type).
std::optional<std::vector<int64_t>> staticShape(const onnx::GraphProto &g, const std::string &value) {
  for (const onnx::TensorProto &t : g.initializer())
    if (t.name() == value) return std::vector<int64_t>(t.dims().begin(), t.dims().end());
  const onnx::TypeProto_Tensor *t = tensorTypeOf(g, value);
  if (!t || !t->has_shape()) return std::nullopt;
  std::vector<int64_t> shape;
  for (const auto &d : t->shape().dim()) {
    if (!d.has_dim_value()) return std::nullopt;
    shape.push_back(d.dim_value());
  }
  return shape;
}

int32_t elemTypeOf(const onnx::GraphProto &g, const std::string &value) {
  for (const onnx::TensorProto &t : g.initializer())
    if (t.name() == value) return t.data_type();
  const onnx::TypeProto_Tensor *t = tensorTypeOf(g, value);
  return t ? t->elem_type() : 0;
}

int64_t product(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

// The value of a constant int64 scalar (an initializer or a Constant node's), if it is one.
std::optional<int64_t> constantInt(const onnx::GraphProto &g, const std::string &value) {
  const onnx::TensorProto *t = nullptr;
  for (const onnx::TensorProto &i : g.initializer())
    if (i.name() == value) t = &i;
  for (const onnx::NodeProto &n : g.node())
    if (n.op_type() == "Constant" && n.output_size() == 1 && n.output(0) == value)
      for (const auto &a : n.attribute())
        if (a.name() == "value" && a.has_t()) t = &a.t();
  if (!t || t->data_type() != onnx::TensorProto::INT64 || t->has_data_location()) return std::nullopt;
  const std::vector<int64_t> values = onnx::ParseData<int64_t>(t);
  if (values.size() != 1) return std::nullopt;
  return values[0];
}

// Declared leading dims (a Loop's scan output sized by the model), read before the
// shapes after the data-dependent ops are forgotten.
using Declared = std::map<std::string, int64_t>;

Declared declaredLeadingDims(const onnx::GraphProto &g) {
  Declared declared;
  for (const onnx::NodeProto &n : g.node()) {
    if (n.op_type() != "Loop" || !isDataDependentOp(n)) continue;
    for (int i = n.input_size() - 2; i < n.output_size(); ++i) {
      const onnx::TypeProto_Tensor *t = tensorTypeOf(g, n.output(i));
      if (t && t->has_shape() && t->shape().dim_size() > 0 && t->shape().dim(0).has_dim_value())
        declared[n.output(i)] = t->shape().dim(0).dim_value();
    }
  }
  return declared;
}

struct Sized {
  std::string value;
  int32_t elemType;
  std::vector<int64_t> shape;
};

// The capacities of `n`'s results (empty while an operand's shape is unknown); `probe`
// makes each value-dependent dim one less.
std::vector<Sized> capacities(const onnx::GraphProto &g, const onnx::NodeProto &n, bool probe,
                              const Declared &declared) {
  const int64_t less = probe ? 1 : 0;
  auto shrink = [&](int64_t capacity) { return std::max<int64_t>(0, capacity - less); };
  if (n.op_type() == "Loop") {
    // Carried values keep their initial types (ONNX's inference leaves them unshaped,
    // since ONNX lets them change shape). Scan outputs: as many slices as iterations, at
    // most the constant trip count, else the size the model declares; the slices' shape
    // comes from the body (inferred). One without a bound stays untyped, and the
    // importer says what it needs.
    const int carried = n.input_size() - 2;
    std::vector<Sized> results;
    for (int i = 0; i < carried && i < n.output_size(); ++i) {
      auto shape = staticShape(g, n.input(2 + i));
      if (!shape) return {};
      if (!n.output(i).empty()) results.push_back({n.output(i), elemTypeOf(g, n.input(2 + i)), *shape});
    }
    std::optional<int64_t> trips = n.input_size() > 0 && !n.input(0).empty() ? constantInt(g, n.input(0)) : std::nullopt;
    // Exporters write INT64_MAX (or INT32_MAX) for "no limit" (a while loop): no bound.
    if (trips && *trips >= std::numeric_limits<int32_t>::max()) trips.reset();
    for (int i = std::max(0, carried); i < n.output_size(); ++i) {
      if (n.output(i).empty()) continue;
      auto it = declared.find(n.output(i));
      const std::optional<int64_t> capacity = trips ? trips : it != declared.end() ? std::optional<int64_t>(it->second)
                                                                                   : std::nullopt;
      const onnx::TypeProto_Tensor *t = tensorTypeOf(g, n.output(i));
      if (!capacity || !t || !t->has_shape() || t->shape().dim_size() == 0) continue;
      std::vector<int64_t> shape{shrink(std::max<int64_t>(0, *capacity))};
      bool known = true;
      for (int d = 1; d < t->shape().dim_size(); ++d) {
        known &= t->shape().dim(d).has_dim_value();
        shape.push_back(t->shape().dim(d).dim_value());
      }
      if (known) results.push_back({n.output(i), t->elem_type(), shape});
    }
    return results;
  }
  auto in = staticShape(g, n.input(0));
  if (!in) return {};
  const auto output = [&](int i) { return i < n.output_size() ? n.output(i) : std::string(); };
  const int32_t i64 = onnx::TensorProto::INT64;
  auto axisOf = [&](int64_t rank) -> std::optional<int64_t> {
    for (const auto &a : n.attribute())
      if (a.name() == "axis") return a.i() < 0 ? a.i() + rank : a.i();
    return std::nullopt;
  };
  const std::string &op = n.op_type();
  if (op == "NonZero") {
    if (in->empty()) return {};  // the importer names the problem
    return {{output(0), i64, {int64_t(in->size()), shrink(product(*in))}}};
  }
  if (op == "Compress") {
    auto axis = axisOf(int64_t(in->size()));
    if (!axis || *axis < 0 || *axis >= int64_t(in->size())) return {};
    std::vector<int64_t> shape = *in;
    shape[size_t(*axis)] = shrink(shape[size_t(*axis)]);
    return {{output(0), elemTypeOf(g, n.input(0)), shape}};
  }
  if (op == "Unique") {
    auto axis = axisOf(int64_t(in->size()));
    if (axis && (*axis < 0 || *axis >= int64_t(in->size()))) return {};
    const int64_t capacity = axis ? (*in)[size_t(*axis)] : product(*in);
    std::vector<int64_t> y{shrink(capacity)};
    if (axis) {
      y = *in;
      y[size_t(*axis)] = shrink(capacity);
    }
    return {{output(0), elemTypeOf(g, n.input(0)), y},
            {output(1), i64, {shrink(capacity)}},
            {output(2), i64, {capacity}},
            {output(3), i64, {shrink(capacity)}}};
  }
  if (op == "NonMaxSuppression") {
    auto scores = n.input_size() > 1 ? staticShape(g, n.input(1)) : std::nullopt;
    if (!scores || in->size() != 3 || scores->size() != 3) return {};
    return {{output(0), i64, {shrink((*in)[0] * (*scores)[1] * (*in)[1]), 3}}};
  }
  return {};
}

// Writes `s`'s type where the graph keeps `s.value`'s (an output, value_info, or for a
// body, its inputs); returns whether anything changed.
bool setType(onnx::GraphProto &g, const Sized &s, bool inputs = false) {
  onnx::ValueInfoProto *target = nullptr;
  for (auto *list : {g.mutable_output(), g.mutable_value_info()})
    for (onnx::ValueInfoProto &vi : *list)
      if (vi.name() == s.value) target = &vi;
  if (inputs)
    for (onnx::ValueInfoProto &vi : *g.mutable_input())
      if (vi.name() == s.value) target = &vi;
  if (!target) {
    target = g.add_value_info();
    target->set_name(s.value);
  }
  onnx::TypeProto type;
  auto *t = type.mutable_tensor_type();
  t->set_elem_type(s.elemType);
  auto *shape = t->mutable_shape();
  for (int64_t d : s.shape) shape->add_dim()->set_dim_value(d);
  if (target->type().SerializeAsString() == type.SerializeAsString()) return false;
  *target->mutable_type() = type;
  return true;
}

// A Loop body's inputs that the body leaves untyped or symbolic (ONNX's expanded Range
// declares its carried value without a type; PyTorch's exporter gives a dynamic batch a
// name there): the iteration number and condition are scalars, the carried values have
// their initial types at this compile's sizes. Returns whether one was typed.
bool typeLoopBody(onnx::GraphProto &g, onnx::NodeProto &n) {
  onnx::GraphProto *body = nullptr;
  for (auto &a : *n.mutable_attribute())
    if (a.name() == "body" && a.has_g()) body = a.mutable_g();
  if (!body || body->input_size() != n.input_size()) return false;
  bool changed = false;
  for (int i = 0; i < body->input_size(); ++i) {
    const onnx::ValueInfoProto &in = body->input(i);
    bool known = in.type().has_tensor_type() && in.type().tensor_type().has_shape();
    if (known)
      for (const auto &d : in.type().tensor_type().shape().dim()) known &= d.has_dim_value();
    if (known) continue;
    if (i < 2) {
      changed |= setType(*body, {in.name(), i == 0 ? onnx::TensorProto::INT64 : onnx::TensorProto::BOOL, {}}, true);
      continue;
    }
    auto shape = staticShape(g, n.input(i));
    if (shape) changed |= setType(*body, {in.name(), elemTypeOf(g, n.input(i)), *shape}, true);
  }
  return changed;
}

// Compress without an axis works on the flattened input: a Reshape to [-1] first, so
// the kernel has one form.
void flattenAxislessCompress(onnx::GraphProto &g) {
  google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
  for (onnx::NodeProto &n : *g.mutable_node()) {
    bool hasAxis = false;
    for (const auto &a : n.attribute()) hasAxis |= a.name() == "axis";
    if (n.op_type() != "Compress" || !n.domain().empty() || hasAxis || n.input_size() < 1) {
      *nodes.Add() = std::move(n);
      continue;
    }
    const std::string base = n.output(0) + "__flat";
    onnx::TensorProto shape = onnx::ToTensor<int64_t>(std::vector<int64_t>{-1});
    shape.add_dims(1);
    shape.set_name(base + "_shape");
    *g.add_initializer() = shape;
    onnx::NodeProto *reshape = nodes.Add();
    reshape->set_op_type("Reshape");
    reshape->set_name(base);
    reshape->add_input(n.input(0));
    reshape->add_input(shape.name());
    reshape->add_output(base);
    n.set_input(0, base);
    onnx::AttributeProto *axis = n.add_attribute();
    axis->set_name("axis");
    axis->set_type(onnx::AttributeProto::INT);
    axis->set_i(0);
    *nodes.Add() = std::move(n);
  }
  g.mutable_node()->Swap(&nodes);
}

// Every value computed from a data-dependent result: its inferred (or declared) shape
// was made without the capacities, so it goes, and inference types it again.
void forgetShapesAfter(onnx::GraphProto &g) {
  std::set<std::string> after;
  for (const onnx::NodeProto &n : g.node()) {
    bool reached = isDataDependentOp(n);
    for (const std::string &i : n.input()) reached |= after.count(i) > 0;
    if (reached)
      for (const std::string &o : n.output()) after.insert(o);
  }
  google::protobuf::RepeatedPtrField<onnx::ValueInfoProto> kept;
  for (onnx::ValueInfoProto &vi : *g.mutable_value_info())
    if (!after.count(vi.name())) *kept.Add() = std::move(vi);
  g.mutable_value_info()->Swap(&kept);
  for (onnx::ValueInfoProto &vi : *g.mutable_output())
    if (after.count(vi.name()) && vi.type().has_tensor_type()) vi.mutable_type()->mutable_tensor_type()->clear_shape();
}
}  // namespace

bool isDataDependentOp(const onnx::NodeProto &n) {
  const std::string &op = n.op_type();
  if (!n.domain().empty() && n.domain() != "ai.onnx") return false;
  // A Loop's scan outputs have a slice per iteration.
  if (op == "Loop") return n.output_size() > n.input_size() - 2;
  return op == "NonZero" || op == "Compress" || op == "Unique" || op == "NonMaxSuppression";
}

bool hasDataDependentOps(const onnx::GraphProto &g) {
  for (const onnx::NodeProto &n : g.node())
    if (isDataDependentOp(n)) return true;
  return false;
}

void sizeDataDependentResults(onnx::ModelProto &model, bool probe, const std::string &name) {
  onnx::GraphProto &g = *model.mutable_graph();
  bool loops = false;
  for (const onnx::NodeProto &n : g.node()) loops |= n.op_type() == "Loop";
  if (!hasDataDependentOps(g) && !loops) return;
  flattenAxislessCompress(g);
  const Declared declared = declaredLeadingDims(g);
  forgetShapesAfter(g);
  inferShapes(model, name);
  // A round sizes the nodes whose operands are typed; one whose operands follow another
  // data-dependent node's results waits for the inference after that node is sized.
  std::set<const onnx::NodeProto *> sized;
  for (bool progress = true; progress;) {
    progress = false;
    for (onnx::NodeProto &n : *g.mutable_node()) {
      if ((!isDataDependentOp(n) && n.op_type() != "Loop") || sized.count(&n)) continue;
      // A Loop is sized again in later rounds (its body typed first, its scan outputs once
      // inference has typed the body); the others once.
      if (n.op_type() == "Loop") progress |= typeLoopBody(g, n);
      const std::vector<Sized> results = capacities(g, n, probe, declared);
      if (results.empty()) continue;
      for (const Sized &s : results)
        if (!s.value.empty()) progress |= setType(g, s);
      if (n.op_type() != "Loop") {
        sized.insert(&n);
        progress = true;
      }
    }
    if (progress) inferShapes(model, name);
  }
}

}  // namespace edgec::onnx_frontend
