// Einsum, imported as a decomposition into existing edge ops, so that it needs no kernel
// of its own and runs for every element type Mul and ReduceSum take (f32, f64, i32,
// i64):
//
//   1. each operand: a label repeated within it takes the diagonal (Mul by an identity
//      mask over the two dims, ReduceSum over the second);
//   2. labels found in only one operand and not in the output are summed out there;
//   3. each operand is transposed to one common label order (output labels first, then
//      the contracted ones) and reshaped with 1s for the labels it lacks;
//   4. the operands are multiplied (numpy broadcasting), and the contracted labels are
//      summed out (ReduceSum), leaving the output labels in output order.
//
// One or two operands, explicit (`->`) or implicit output, and ellipsis (`...`, its dims
// aligned from the right and broadcast as numpy does) are supported. The product in step
// 4 holds every label at once: right for the small contractions Einsum usually
// expresses; a large matrix product written as Einsum would be better mapped to MatMul
// (not done yet).
#include "GraphImporter.h"

#include <algorithm>

#include "edge/ConstantData.h"

namespace edgec::onnx_frontend {
namespace {

// Labels: letters are their character; the k-th ellipsis dim (from the left of the
// widest ellipsis) is kEllipsis + k.
constexpr int kEllipsis = 1000;

struct Term {
  std::vector<int> labels;
  bool ellipsis = false;
  size_t ellipsisAt = 0;  // position of "..." among the letters
};

Term parseTerm(const std::string &s, const std::string &where) {
  Term t;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '.') {
      if (t.ellipsis || s.compare(i, 3, "...") != 0)
        throw ImportError(where + ": malformed ellipsis in Einsum term '" + s + "'");
      t.ellipsis = true;
      t.ellipsisAt = t.labels.size();
      i += 2;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      t.labels.push_back(c);
    } else {
      throw ImportError(where + ": unexpected character '" + std::string(1, c) + "' in Einsum equation");
    }
  }
  return t;
}

// A term with its ellipsis replaced by `count` labels, right-aligned in `width`.
std::vector<int> expand(const Term &t, int64_t count, int64_t width) {
  std::vector<int> out(t.labels.begin(), t.labels.begin() + t.ellipsisAt);
  for (int64_t k = 0; k < count; ++k) out.push_back(kEllipsis + int(width - count + k));
  out.insert(out.end(), t.labels.begin() + t.ellipsisAt, t.labels.end());
  return out;
}

}  // namespace

void GraphImporter::importEinsum(const onnx::NodeProto &n) {
  const std::string w = where(n);
  std::string eq;
  for (char c : attrString(n, "equation", "")) if (c != ' ') eq += c;
  if (eq.empty()) throw ImportError(w + ": the equation attribute is required");
  if (n.input_size() < 1 || n.input_size() > 2)
    throw ImportError(w + ": Einsum of " + std::to_string(n.input_size()) +
                      " operands is not supported (one or two)");

  // Parse "in0,in1->out" (or implicit "in0,in1").
  const size_t arrow = eq.find("->");
  const std::string lhs = eq.substr(0, arrow);
  std::vector<Term> terms;
  for (size_t start = 0;;) {
    const size_t comma = lhs.find(',', start);
    terms.push_back(parseTerm(lhs.substr(start, comma == std::string::npos ? comma : comma - start), w));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (int(terms.size()) != n.input_size())
    throw ImportError(w + ": the equation has " + std::to_string(terms.size()) + " terms for " +
                      std::to_string(n.input_size()) + " inputs");

  // Operands, their labels (ellipsis expanded) and each label's size.
  std::vector<Value> values;
  std::vector<std::vector<int>> labels;
  int64_t width = 0;
  for (int i = 0; i < n.input_size(); ++i) {
    Value v = requiredInput(n, i, "Inputs");
    int64_t rank = cast<RankedTensorType>(v.getType()).getRank(), letters = int64_t(terms[i].labels.size());
    if (rank < letters || (!terms[i].ellipsis && rank != letters))
      throw ImportError(w + ": input " + std::to_string(i) + " has rank " + std::to_string(rank) + ", its term " +
                        std::to_string(letters) + " labels");
    width = std::max(width, rank - letters);
    values.push_back(v);
  }
  std::map<int, int64_t> size;
  for (int i = 0; i < n.input_size(); ++i) {
    ArrayRef<int64_t> shape = cast<RankedTensorType>(values[i].getType()).getShape();
    labels.push_back(expand(terms[i], int64_t(shape.size()) - int64_t(terms[i].labels.size()), width));
    for (auto [d, l] : llvm::enumerate(labels[i])) {
      auto [it, fresh] = size.emplace(l, shape[d]);
      if (fresh || it->second == shape[d]) continue;
      // Ellipsis dims broadcast (1 against n); letters must agree.
      if (l >= kEllipsis && (it->second == 1 || shape[d] == 1)) it->second = std::max(it->second, shape[d]);
      else throw ImportError(w + ": label sizes disagree (" + std::to_string(it->second) + " vs " +
                             std::to_string(shape[d]) + ")");
    }
  }

  // The output labels: explicit, or numpy's implicit rule (ellipsis dims, then the
  // letters used once, in alphabetical order).
  std::vector<int> out;
  if (arrow != std::string::npos) {
    Term t = parseTerm(eq.substr(arrow + 2), w);
    out = t.ellipsis ? expand(t, width, width) : t.labels;
    for (int l : out)
      if (!size.count(l)) throw ImportError(w + ": output label '" + std::string(1, char(l)) + "' is in no input");
  } else {
    for (int64_t k = 0; k < width; ++k) out.push_back(kEllipsis + int(k));
    std::map<int, int> uses;
    for (const auto &ls : labels)
      for (int l : ls) ++uses[l];
    for (auto [l, count] : uses)
      if (l < kEllipsis && count == 1) out.push_back(l);
  }
  if (std::set<int>(out.begin(), out.end()).size() != out.size())
    throw ImportError(w + ": an output label is repeated");

  Type elem = cast<RankedTensorType>(values[0].getType()).getElementType();
  Location l = loc(n);
  auto typed = [&](ArrayRef<int64_t> shape) { return RankedTensorType::get(shape, elem); };
  auto shapeOf = [](Value v) { return cast<RankedTensorType>(v.getType()).getShape(); };
  auto reduceSum = [&](Value v, std::vector<int64_t> axes) {
    SmallVector<int64_t> shape;
    for (auto [d, s] : llvm::enumerate(shapeOf(v)))
      if (!llvm::is_contained(axes, int64_t(d))) shape.push_back(s);
    return builder_.create<ReduceSumOp>(l, typed(shape), v, Value(), builder_.getDenseI64ArrayAttr(axes),
                                        builder_.getI64IntegerAttr(0), IntegerAttr())
        .getResult();
  };

  for (size_t i = 0; i < values.size(); ++i) {
    std::vector<int> &ls = labels[i];
    // 1. Diagonals: while a label repeats, mask dims (p, q) with the identity and sum q.
    for (bool again = true; again;) {
      again = false;
      for (size_t p = 0; p < ls.size() && !again; ++p)
        for (size_t q = p + 1; q < ls.size() && !again; ++q) {
          if (ls[p] != ls[q]) continue;
          const int64_t dim = shapeOf(values[i])[p];
          SmallVector<int64_t> maskShape(ls.size(), 1);
          maskShape[p] = maskShape[q] = dim;
          auto maskType = typed(maskShape);
          Value mask = builder_.create<ConstantOp>(
              l, maskType, makeConstantAttr(maskType, identityBytes(elem, dim, dim, 0), n.output(0) + "_diagonal"));
          Value masked = builder_.create<MulOp>(l, values[i].getType(), values[i], mask);
          values[i] = reduceSum(masked, {int64_t(q)});
          ls.erase(ls.begin() + q);
          again = true;
        }
    }
    // 2. Labels only this operand has, and the output lacks.
    std::vector<int64_t> own;
    for (auto [d, lab] : llvm::enumerate(ls)) {
      bool elsewhere = llvm::is_contained(out, lab);
      for (size_t j = 0; j < labels.size(); ++j)
        if (j != i && llvm::is_contained(labels[j], lab)) elsewhere = true;
      if (!elsewhere) own.push_back(int64_t(d));
    }
    if (!own.empty()) {
      values[i] = reduceSum(values[i], own);
      for (auto it = own.rbegin(); it != own.rend(); ++it) ls.erase(ls.begin() + *it);
    }
  }

  // 3. One label order for all: the output's, then the contracted ones.
  std::vector<int> order = out;
  for (const auto &ls : labels)
    for (int lab : ls)
      if (!llvm::is_contained(order, lab)) order.push_back(lab);
  Value acc;
  for (size_t i = 0; i < values.size(); ++i) {
    SmallVector<int64_t> perm, full;
    for (int lab : order) {
      auto it = llvm::find(labels[i], lab);
      if (it != labels[i].end()) perm.push_back(it - labels[i].begin());
    }
    Value v = values[i];
    bool identity = true;
    for (auto [k, p] : llvm::enumerate(perm)) identity &= int64_t(k) == p;
    if (!identity) {
      SmallVector<int64_t> shape;
      for (int64_t p : perm) shape.push_back(shapeOf(v)[p]);
      v = builder_.create<TransposeOp>(l, typed(shape), v, builder_.getDenseI64ArrayAttr(perm));
    }
    for (int lab : order) {
      auto it = llvm::find(labels[i], lab);
      full.push_back(it == labels[i].end() ? 1 : shapeOf(values[i])[it - labels[i].begin()]);
    }
    if (ArrayRef<int64_t>(full) != shapeOf(v)) v = builder_.create<ReshapeOp>(l, typed(full), v);
    // 4. The product, broadcast over the labels an operand lacks.
    if (!acc) {
      acc = v;
    } else {
      SmallVector<int64_t> shape;
      for (auto [a, b] : llvm::zip(shapeOf(acc), shapeOf(v))) shape.push_back(std::max(a, b));
      acc = builder_.create<MulOp>(l, typed(shape), acc, v);
    }
  }
  std::vector<int64_t> contracted;
  for (size_t d = out.size(); d < order.size(); ++d) contracted.push_back(int64_t(d));
  if (!contracted.empty()) acc = reduceSum(acc, contracted);
  // An output ellipsis dim that every operand had as 1 stays 1; one no operand had at all
  // (an operand with a narrower ellipsis) is broadcast by the Mul above.
  define(n, 0, acc);
}

}  // namespace edgec::onnx_frontend
