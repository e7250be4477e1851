// Declared shapes flowing back to symbolic dims (bindDeclaredDims, OnnxModelLoader.h).
//
// ONNX shape inference cannot size a dim that depends on a run-time value (Range's
// length from a graph input: `unk__0`), but it gives every value with that dim the same
// symbol, and the model often declares the size downstream (a graph output float[10]
// after a chain of elementwise ops). A shape-preserving node whose input dim is a symbol
// and whose output dim at the same place is a number fixes the symbol exactly; every
// value carrying it then gets the number, and the importer sees static types.
//
// Only symbols that come from ops whose kernels read the run-time value and check it
// implies the compiled shape (or whose importers refuse it) are bound: a wrong size then
// fails the run with a clear error instead of computing on the wrong shape.
#include <algorithm>
#include <map>
#include <set>

#include "OnnxModelLoader.h"

namespace edgec::onnx_frontend {
namespace {

// Ops whose output dims are their inputs' dims: one input, or broadcasting inputs.
bool preservesShape(const onnx::NodeProto &n) {
  static const std::set<std::string> ops = {
      "Cast",     "CastLike", "Identity", "Neg",     "Abs",   "Ceil",      "Floor",       "Round",     "Sign",
      "Reciprocal", "Sqrt",   "Exp",      "Log",     "Sin",   "Cos",       "Tan",         "Asin",      "Acos",
      "Atan",     "Sinh",     "Cosh",     "Tanh",    "Asinh", "Acosh",     "Atanh",       "Erf",       "Sigmoid",
      "Relu",     "LeakyRelu", "Elu",     "Selu",    "Softplus", "Softsign", "HardSigmoid", "HardSwish", "Not",
      "IsNaN",    "IsInf",    "Add",      "Sub",     "Mul",   "Div",       "Pow",         "Mod",       "Max",
      "Min",      "Sum",      "Mean",     "And",     "Or",    "Xor",       "Equal",       "Less",      "Greater",
      "LessOrEqual", "GreaterOrEqual", "Where", "PRelu", "BitShift"};
  return n.domain().empty() && ops.count(n.op_type());
}

// Ops whose run-time parameters may size a dim, and whose kernels check on every run
// that the values give the compiled shape (or whose importers refuse such a value).
bool checksRuntimeShape(const onnx::NodeProto &n) {
  static const std::set<std::string> ops = {
      "Range",      "Resize",     "Upsample",  "Expand",    "ConstantOfShape", "Slice",      "ReduceSum",
      "ReduceMean", "ReduceMax",  "ReduceMin", "ReduceProd", "ReduceL1",       "ReduceL2",   "ReduceLogSum",
      "ReduceLogSumExp", "ReduceSumSquare"};
  return n.domain().empty() && ops.count(n.op_type());
}

using Shape = onnx::TensorShapeProto;

const Shape *shapeOf(const std::map<std::string, const onnx::TypeProto *> &types, const std::string &name) {
  auto it = types.find(name);
  if (it == types.end() || !it->second->has_tensor_type() || !it->second->tensor_type().has_shape()) return nullptr;
  return &it->second->tensor_type().shape();
}

// Dim `k` of `out` (right-aligned) for input shape `s`: null when `s` has no such dim.
const onnx::TensorShapeProto::Dimension *alignedDim(const Shape &s, int outRank, int k) {
  const int i = k - (outRank - s.dim_size());
  return i >= 0 ? &s.dim(i) : nullptr;
}

bool isOne(const onnx::TensorShapeProto::Dimension *d) { return !d || (d->has_dim_value() && d->dim_value() == 1); }

void bindDeclaredDimsIn(onnx::GraphProto *g);

// Subgraphs (Loop, If and Scan bodies) first: each has its own values and declared
// outputs (a Loop body's Slice sized by the iteration number, its output declared).
void bindInSubgraphs(onnx::GraphProto *g) {
  for (auto &n : *g->mutable_node())
    for (auto &a : *n.mutable_attribute()) {
      if (a.has_g()) bindDeclaredDimsIn(a.mutable_g());
      for (auto &sub : *a.mutable_graphs()) bindDeclaredDimsIn(&sub);
    }
}

// A Slice with run-time starts whose result ONNX leaves without a rank (its inference
// gives up) has its data's rank: each dim a fresh symbol, which the binding below may fix.
void rankRuntimeSlices(onnx::GraphProto *g) {
  std::map<std::string, const onnx::TypeProto *> types;
  for (const auto &vi : g->input()) types[vi.name()] = &vi.type();
  for (const auto &vi : g->value_info()) types[vi.name()] = &vi.type();
  std::vector<onnx::ValueInfoProto> added;
  for (const auto &n : g->node()) {
    if (n.op_type() != "Slice" || !n.domain().empty() || n.input_size() < 1 || n.output_size() != 1) continue;
    auto out = types.find(n.output(0));
    if (out != types.end() && out->second->has_tensor_type() && out->second->tensor_type().has_shape()) continue;
    const Shape *data = shapeOf(types, n.input(0));
    if (!data) continue;
    onnx::ValueInfoProto vi;
    vi.set_name(n.output(0));
    vi.mutable_type()->mutable_tensor_type()->set_elem_type(types.at(n.input(0))->tensor_type().elem_type());
    auto *shape = vi.mutable_type()->mutable_tensor_type()->mutable_shape();
    for (int d = 0; d < data->dim_size(); ++d) shape->add_dim()->set_dim_param(n.output(0) + "__dim" + std::to_string(d));
    added.push_back(vi);
  }
  for (auto &vi : added) {
    bool replaced = false;
    for (auto &existing : *g->mutable_value_info())
      if (existing.name() == vi.name()) existing = vi, replaced = true;
    if (!replaced) *g->add_value_info() = vi;
  }
}

void bindDeclaredDimsIn(onnx::GraphProto *g) {
  bindInSubgraphs(g);
  rankRuntimeSlices(g);
  std::map<std::string, const onnx::TypeProto *> types;
  for (const auto &vi : g->input()) types[vi.name()] = &vi.type();
  for (const auto &vi : g->value_info()) types[vi.name()] = &vi.type();
  for (const auto &vi : g->output()) types[vi.name()] = &vi.type();
  // The symbols a checking op introduces (in an output, in none of its inputs).
  std::set<std::string> checked;
  for (const auto &n : g->node()) {
    if (!checksRuntimeShape(n)) continue;
    std::set<std::string> in;
    for (const auto &name : n.input())
      if (const Shape *s = shapeOf(types, name))
        for (const auto &d : s->dim())
          if (d.has_dim_param()) in.insert(d.dim_param());
    for (const auto &name : n.output())
      if (const Shape *s = shapeOf(types, name))
        for (const auto &d : s->dim())
          if (d.has_dim_param() && !in.count(d.dim_param())) checked.insert(d.dim_param());
  }
  if (checked.empty()) return;
  // Graph inputs keep their declared dims (--input-shape fixes those).
  auto bind = [](onnx::ValueInfoProto &vi, const std::map<std::string, int64_t> &bound) {
    if (!vi.type().has_tensor_type() || !vi.type().tensor_type().has_shape()) return;
    for (auto &d : *vi.mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim()) {
      auto it = d.has_dim_param() ? bound.find(d.dim_param()) : bound.end();
      if (it != bound.end()) d.set_dim_value(it->second);  // clears dim_param (a oneof)
    }
  };
  // Until no symbol is left to bind: a bound one disappears everywhere, so each round
  // binds new ones (a chain of symbols takes a round per link) and this ends.
  for (;;) {
    // A symbol at input dim k is the output's number there when every other input is 1
    // (or has no dim) at k: broadcasting then leaves that input's size as it is.
    std::map<std::string, int64_t> bound;
    for (const auto &n : g->node()) {
      if (!preservesShape(n) || n.output_size() < 1) continue;
      const Shape *out = shapeOf(types, n.output(0));
      if (!out) continue;
      std::vector<const Shape *> ins;
      for (const auto &name : n.input()) ins.push_back(name.empty() ? nullptr : shapeOf(types, name));
      if (std::find(ins.begin(), ins.end(), nullptr) != ins.end()) continue;  // an unknown rank
      const int rank = out->dim_size();
      for (int k = 0; k < rank; ++k) {
        const auto &o = out->dim(k);
        if (!o.has_dim_value()) continue;
        for (size_t j = 0; j < ins.size(); ++j) {
          const auto *d = alignedDim(*ins[j], rank, k);
          if (!d || !d->has_dim_param() || !checked.count(d->dim_param())) continue;
          bool othersOne = true;
          for (size_t m = 0; m < ins.size(); ++m)
            if (m != j) othersOne = othersOne && isOne(alignedDim(*ins[m], rank, k));
          if (othersOne) bound.emplace(d->dim_param(), o.dim_value());  // the first binding wins
        }
      }
    }
    if (bound.empty()) return;
    for (auto &vi : *g->mutable_value_info()) bind(vi, bound);
    for (auto &vi : *g->mutable_output()) bind(vi, bound);
  }
}
}  // namespace

void bindDeclaredDims(onnx::ModelProto &model) { bindDeclaredDimsIn(model.mutable_graph()); }

}  // namespace edgec::onnx_frontend
