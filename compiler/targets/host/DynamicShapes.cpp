// Dynamic shapes for the host target: one package from two compiles of a model, with
// every named dynamic dim at its bound and at a smaller size. Tensors whose dims differ
// between the two vary at run time; everything else (kernels, attributes, constants)
// must be the same, or the model computes something from a dynamic dim's size at
// compile time that the runtime cannot recompute, which is an error naming the node.
// The package is the bound compile's (its arena planned for the bounds) with the dims
// marked and each reshape's rule, and the runtime must compute the smaller compile's
// shapes from the smaller inputs before the package is accepted. Sizes that values decide
// (NonZero, ...) are one less than their capacity in the smaller compile (the importer's
// probe), so the dims that follow them are found the same way.
#include <algorithm>
#include <cstring>
#include <set>

#include "edgec/HostTarget.h"
#include "edgec/package_builder.h"
#include "edgepkg_generated.h"
#include "model.h"
#include "shape_inference.h"

namespace edgec {

namespace {

struct Image {
  const pkg::Package *plan = nullptr;
  const uint8_t *constants = nullptr;
  uint64_t constantsSize = 0;
};

Image parse(const std::vector<uint8_t> &bytes) {
  Image image;
  pkg::FileHeader header;
  std::memcpy(&header, bytes.data(), sizeof header);
  for (uint32_t i = 0; i < header.section_count; ++i) {
    pkg::SectionEntry e;
    std::memcpy(&e, bytes.data() + header.section_table_offset + i * sizeof e, sizeof e);
    if (e.kind == uint32_t(pkg::SectionKind::Plan)) image.plan = pkg::GetPackage(bytes.data() + e.offset);
    if (e.kind == uint32_t(pkg::SectionKind::Constants)) {
      image.constants = bytes.data() + e.offset;
      image.constantsSize = e.size;
    }
  }
  return image;
}

std::string nameOf(const pkg::Tensor *t) { return t->name() ? t->name()->str() : "?"; }

std::vector<int64_t> shapeOf(const pkg::Tensor *t) {
  return t->shape() ? std::vector<int64_t>(t->shape()->begin(), t->shape()->end()) : std::vector<int64_t>{};
}

std::string attrText(const pkg::Attr *a) {
  switch (a->kind()) {
  case pkg::AttrKind::Int: return std::to_string(a->i());
  case pkg::AttrKind::Float: return std::to_string(a->f());
  case pkg::AttrKind::Ints: return rt::shapeText(a->ints() ? std::vector<int64_t>(a->ints()->begin(), a->ints()->end())
                                                           : std::vector<int64_t>{});
  case pkg::AttrKind::Floats: {
    std::string s = "[";
    if (a->floats())
      for (uint32_t i = 0; i < a->floats()->size(); ++i) s += (i ? "," : "") + std::to_string(a->floats()->Get(i));
    return s + "]";
  }
  case pkg::AttrKind::String: return a->s() ? "'" + a->s()->str() + "'" : "''";
  }
  return "?";
}

bool sameAttr(const pkg::Attr *a, const pkg::Attr *b) { return a->kind() == b->kind() && attrText(a) == attrText(b); }

// A Slice's `ends` that reach the end of their axis in both compiles ("to the end": ONNX
// clamps an end to the dim, so the bound's value clamps to any smaller dim the same way;
// the runtime's Slice shape function does that clamp). Other differences stay errors.
bool endsReachTheEnd(const Image &big, const Image &small, const pkg::Kernel *kernel, const pkg::Attr *a,
                     const pkg::Attr *b) {
  if (kernel->op()->str() != "Slice" || a->name()->str() != "ends" || !a->ints() || !b->ints() || !kernel->inputs() ||
      kernel->inputs()->size() != 1)
    return false;
  const int32_t x = kernel->inputs()->Get(0);
  const auto *bigShape = big.plan->tensors()->Get(uint32_t(x))->shape();
  const auto *smallShape = small.plan->tensors()->Get(uint32_t(x))->shape();
  if (!bigShape || !smallShape || a->ints()->size() != bigShape->size() || b->ints()->size() != smallShape->size())
    return false;
  for (uint32_t d = 0; d < a->ints()->size(); ++d) {
    const int64_t eb = a->ints()->Get(d), es = b->ints()->Get(d);
    if (eb != es && !(eb == bigShape->Get(d) && es == smallShape->Get(d))) return false;
  }
  return true;
}

// The kernels, attributes and constants of the two compiles must agree; returns the
// first difference as a message, or "".
std::string compareStructure(const Image &big, const Image &small) {
  const auto &tb = *big.plan->tensors(), &ts = *small.plan->tensors();
  if (tb.size() != ts.size() || big.plan->functions()->size() != small.plan->functions()->size())
    return "the model compiles to a different graph at another size of its dynamic dims";
  for (uint32_t f = 0; f < big.plan->functions()->size(); ++f) {
    const auto &kb = *big.plan->functions()->Get(f)->kernels(), &ks = *small.plan->functions()->Get(f)->kernels();
    if (kb.size() != ks.size()) return "the model compiles to a different graph at another size of its dynamic dims";
    for (uint32_t k = 0; k < kb.size(); ++k) {
      const pkg::Kernel *a = kb[k], *b = ks[k];
      const std::string node = a->op()->str() + " node '" + (a->name() ? a->name()->str() : "") + "'";
      if (a->op()->str() != b->op()->str() || !a->inputs() != !b->inputs() ||
          (a->inputs() && !std::equal(a->inputs()->begin(), a->inputs()->end(), b->inputs()->begin(), b->inputs()->end())) ||
          !std::equal(a->outputs()->begin(), a->outputs()->end(), b->outputs()->begin(), b->outputs()->end()))
        return node + ": the model compiles to a different graph at another size of its dynamic dims";
      const uint32_t na = a->attrs() ? a->attrs()->size() : 0, nb = b->attrs() ? b->attrs()->size() : 0;
      if (na != nb) return node + ": its attributes depend on the size of a dynamic dim";
      for (uint32_t i = 0; i < na; ++i) {
        const pkg::Attr *x = a->attrs()->Get(i), *y = b->attrs()->Get(i);
        if (x->name()->str() != y->name()->str() || (!sameAttr(x, y) && !endsReachTheEnd(big, small, a, x, y)))
          return node + ": its attribute '" + x->name()->str() + "' depends on the size of a dynamic dim (" +
                 attrText(x) + " at the bounds, " + attrText(y) + " smaller); edgec cannot recompute it at run time yet";
      }
    }
  }
  for (uint32_t i = 0; i < tb.size(); ++i) {
    const pkg::Tensor *a = tb[i], *b = ts[i];
    if (a->dtype() != b->dtype() || a->storage() != b->storage() || shapeOf(a).size() != shapeOf(b).size())
      return "tensor '" + nameOf(a) + "' differs in type at another size of the dynamic dims";
    if (a->storage() != pkg::Storage::Arena &&
        (shapeOf(a) != shapeOf(b) || a->size() != b->size() ||
         (a->storage() == pkg::Storage::Constant &&
          std::memcmp(big.constants + a->offset(), small.constants + b->offset(), a->size()) != 0)))
      return "constant '" + nameOf(a) +
             "' is computed from the size of a dynamic dim (e.g. a Shape of a dynamic input folded into a Reshape "
             "or an arithmetic value); edgec cannot compute shapes at run time yet";
  }
  return "";
}

// A reshape's rule: each dim fixed, the source's dim j (-2 - j) or the rest (-1), from
// the view's and the source's shapes at both sizes.
bool viewRule(const std::vector<int64_t> &viewBig, const std::vector<int64_t> &viewSmall,
              const std::vector<int64_t> &srcBig, const std::vector<int64_t> &srcSmall, std::vector<int64_t> &rule) {
  rule.clear();
  std::vector<bool> used(srcBig.size(), false);
  bool inferred = false;
  for (size_t d = 0; d < viewBig.size(); ++d) {
    if (viewBig[d] == viewSmall[d]) {
      rule.push_back(viewBig[d]);
      continue;
    }
    int64_t match = -1;
    for (size_t j = 0; j < srcBig.size() && match < 0; ++j)
      if (!used[j] && srcBig[j] == viewBig[d] && srcSmall[j] == viewSmall[d]) match = int64_t(j);
    if (match >= 0) {
      used[size_t(match)] = true;
      rule.push_back(-2 - match);
    } else if (!inferred) {
      inferred = true;
      rule.push_back(-1);
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

std::vector<uint8_t> buildHostDynamicPackage(mlir::ModuleOp atBounds, mlir::ModuleOp smaller, const DynamicDims &dims,
                                             PackageStats *stats, std::string &error) {
  const std::vector<uint8_t> bigBytes = buildHostPackage(atBounds, stats), smallBytes = buildHostPackage(smaller);
  if (bigBytes.empty() || smallBytes.empty()) {
    error = "lowering failed";
    return {};
  }
  const Image big = parse(bigBytes), small = parse(smallBytes);
  error = compareStructure(big, small);
  if (!error.empty()) {
    error = "dynamic dims: " + error;
    return {};
  }
  pkg::PackageT plan;
  big.plan->UnPackTo(&plan);
  // Symbols in name order (deterministic), each with its bound.
  std::map<std::string, int32_t> symbolIndex;
  for (const auto &[name, bound] : dims.bounds) {
    auto symbol = std::make_unique<pkg::DimSymbolT>();
    symbol->name = name;
    symbol->bound = bound;
    symbolIndex[name] = int32_t(plan.dim_symbols.size());
    plan.dim_symbols.push_back(std::move(symbol));
  }
  const auto &ts = *small.plan->tensors();
  // The inputs a user sets: those of the functions no If, Scan or Loop calls (a body's
  // inputs take the sizes of the values its caller passes, which follow the user's).
  std::set<std::string> callees;
  for (const auto &f : plan.functions)
    for (const auto &k : f->kernels)
      for (const auto &a : k->attrs)
        if (a->kind == pkg::AttrKind::String && (a->name == "then_branch" || a->name == "else_branch" || a->name == "body"))
          callees.insert(a->s);
  std::vector<bool> isInput(plan.tensors.size(), false);
  for (const auto &f : plan.functions)
    if (!callees.count(f->name))
      for (int32_t t : f->inputs) isInput[size_t(t)] = true;
  for (size_t i = 0; i < plan.tensors.size(); ++i) {
    pkg::TensorT &t = *plan.tensors[i];
    const std::vector<int64_t> smallShape = shapeOf(ts[uint32_t(i)]);
    std::vector<int32_t> symbols(t.shape.size(), -1);
    bool any = false;
    auto named = dims.inputDims.find(t.name);
    for (size_t d = 0; d < t.shape.size(); ++d) {
      if (isInput[i] && named != dims.inputDims.end() && d < named->second.size() && !named->second[d].empty()) {
        symbols[d] = symbolIndex.at(named->second[d]);
        any = true;
      } else if (t.shape[d] != smallShape[d]) {
        if (isInput[i]) {
          error = "dynamic dims: input '" + t.name + "' dim " + std::to_string(d) + " changes with another input's dim";
          return {};
        }
        symbols[d] = -2;
        any = true;
      }
    }
    if (any) t.dim_symbols = symbols;
    if (t.view_of >= 0) {
      const std::vector<int64_t> srcBig = plan.tensors[size_t(t.view_of)]->shape;
      const std::vector<int64_t> srcSmall = shapeOf(ts[uint32_t(t.view_of)]);
      if (!viewRule(t.shape, smallShape, srcBig, srcSmall, t.view_shape)) {
        error = "dynamic dims: '" + t.name + "' reshapes '" + plan.tensors[size_t(t.view_of)]->name + "' " +
                rt::shapeText(srcBig) + " with more than one dim that follows a dynamic dim in a way edgec cannot "
                "recompute at run time yet";
        return {};
      }
    }
  }
  flatbuffers::FlatBufferBuilder fbb;
  pkg::FinishPackageBuffer(fbb, pkg::Package::Pack(fbb, &plan));
  std::vector<uint8_t> image;
  pkg::writePackage(fbb.GetBufferPointer(), fbb.GetSize(), big.constants, big.constantsSize,
                    [&](const void *data, size_t size) {
                      image.insert(image.end(), static_cast<const uint8_t *>(data),
                                   static_cast<const uint8_t *>(data) + size);
                      return true;
                    });
  // The runtime must compute the smaller compile's shapes from its inputs: every function
  // runs once on zeros of those shapes (values computed from sizes, such as a Range's
  // limit, are then what they will be), and every tensor it owns must have the shape the
  // compiler gave it.
  try {
    rt::LoadedModel model(image.data(), image.size(), "the package");
    rt::SessionOptions options;
    options.threads = 1;
    options.isas = {rt::Isa::Ref};
    rt::Session session(model, options);
    for (int f = 0; f < model.numFunctions(); ++f) {
      session.selectFunction(f);
      const pkg::Function &fn = model.function(f);
      if (!fn.inputs()) continue;
      for (uint32_t i = 0; i < fn.inputs()->size(); ++i) {
        session.setInputShape(int32_t(i), shapeOf(ts[uint32_t(fn.inputs()->Get(i))]));
        const std::vector<uint8_t> zeros(session.tensor(fn.inputs()->Get(i)).nbytes());
        session.setInput(int32_t(i), zeros.data(), zeros.size());
      }
      // Past a kernel whose sizes come from values (NonZero, ...), the zeros decide them
      // and not the compile: the check covers the tensors before the first such kernel.
      struct Stop {};
      std::vector<bool> written(ts.size(), false);
      for (uint32_t i = 0; i < fn.inputs()->size(); ++i) written[size_t(fn.inputs()->Get(i))] = true;
      bool stopped = false;
      session.setObserver([&](const rt::Call &call, size_t) {
        if (call.dataDependent) throw Stop{};
        for (int32_t t : call.outputTensors) written[size_t(t)] = true;
      });
      try {
        session.run();
      } catch (const Stop &) {
        stopped = true;
      }
      session.setObserver(nullptr);
      for (uint32_t t = 0; t < ts.size(); ++t) {
        if (model.arenaOwner(int32_t(t)) != f || (stopped && !written[t])) continue;
        const std::vector<int64_t> want = shapeOf(ts[t]);
        const std::vector<int64_t> &got = session.tensor(int32_t(t)).shape;
        if (got != want) {
          error = "dynamic dims: at the smaller size the runtime computes " + rt::shapeText(got) + " for '" +
                  nameOf(ts[t]) + "', the compiler " + rt::shapeText(want);
          return {};
        }
      }
    }
  } catch (const std::exception &e) {
    error = std::string("dynamic dims: ") + e.what();
    return {};
  }
  return image;
}

}  // namespace edgec
