// Importers of the selection ops (EdgeSelectionOps.td): Hardmax, TopK, OneHot and
// ReverseSequence, and EyeLike, which becomes a constant. TopK's K and OneHot's depth decide result shapes,
// so they must be compile-time constants (an initializer, a Constant, or a graph input
// frozen with `edgec compile --bind`); the error for a graph input suggests --bind.
#include "GraphImporter.h"
#include "OnnxModelLoader.h"

#include "edge/ConstantData.h"
#include "llvm/ADT/APFloat.h"

namespace edgec::onnx_frontend {

// Opset 13 semantics (axis default -1, one axis); the ONNX version converter turns an
// older model's Hardmax, which coerces its input to 2-D, into that form before import.
void GraphImporter::importHardmax(const onnx::NodeProto &n) {
  Value x = requiredInput(n, 0, "input");
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  if (rank == 0) throw ImportError(where(n) + ": input must have rank >= 1");
  int64_t axis = normalizeAxis(attrInt(n, "axis", -1), rank, where(n));
  define(n, 0, builder_.create<HardmaxOp>(loc(n), x.getType(), x, builder_.getI64IntegerAttr(axis)));
}

// One integer from a constant operand (TopK's K, OneHot's depth), with its range checked.
int64_t GraphImporter::constantCount(const onnx::NodeProto &n, int i, const char *what, int64_t lo, int64_t hi) {
  std::vector<int64_t> v = constantInts(n, i, what);
  if (v.size() != 1) throw ImportError(where(n) + ": " + what + " must hold one value, got " + std::to_string(v.size()));
  if (v[0] < lo || v[0] > hi)
    throw ImportError(where(n) + ": " + what + " " + std::to_string(v[0]) + " is out of range [" +
                      std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return v[0];
}

void GraphImporter::importTopK(const onnx::NodeProto &n) {
  Value x = requiredInput(n, 0, "X");
  auto xt = cast<RankedTensorType>(x.getType());
  if (xt.getRank() == 0) throw ImportError(where(n) + ": input must have rank >= 1");
  int64_t axis = normalizeAxis(attrInt(n, "axis", -1), xt.getRank(), where(n));
  // A K known only at run time: the declared results' size along the axis is k, which
  // the kernel checks the value against.
  Value kInput;
  SmallVector<int64_t> shape(xt.getShape());
  if (runtimeShapeParams(n, {1})) {
    kInput = input(n, 1);
    auto kt = cast<RankedTensorType>(kInput.getType());
    if (!kt.getElementType().isInteger(64) && !kt.getElementType().isInteger(32))
      throw ImportError(where(n) + ": K must be an int64 value");
    if (kt.getNumElements() != 1) throw ImportError(where(n) + ": K must hold one value");
    RankedTensorType values = resultType(n, 0);
    if (values.getRank() != xt.getRank()) throw ImportError(where(n) + ": the values' rank differs from the input's");
    shape[axis] = values.getDimSize(axis);
  } else {
    shape[axis] = constantCount(n, 1, "K", 0, xt.getDimSize(axis));
  }
  // `sorted = 0` leaves the order to the implementation: the op always sorts.
  auto op = builder_.create<TopKOp>(loc(n), RankedTensorType::get(shape, xt.getElementType()),
                                    RankedTensorType::get(shape, builder_.getI64Type()), x, kInput,
                                    builder_.getI64IntegerAttr(axis),
                                    builder_.getI64IntegerAttr(attrInt(n, "largest", 1) != 0));
  define(n, 0, op.getValues());
  define(n, 1, op.getIndices());
}

void GraphImporter::importOneHot(const onnx::NodeProto &n) {
  Value indices = requiredInput(n, 0, "indices"), values = requiredInput(n, 2, "values");
  auto it = cast<RankedTensorType>(indices.getType());
  auto vt = cast<RankedTensorType>(values.getType());
  if (vt.getNumElements() != 2)
    throw ImportError(where(n) + ": values must hold two elements [off, on]");
  int64_t axis = normalizeAxis(attrInt(n, "axis", -1), it.getRank() + 1, where(n));
  // A float depth is truncated, as ONNX's reference casts it. One known only at run time
  // is the declared result's size along the axis, which the kernel checks it against.
  Value depthInput;
  int64_t depth = 0;
  if (runtimeShapeParams(n, {1})) {
    depthInput = input(n, 1);
    if (cast<RankedTensorType>(depthInput.getType()).getNumElements() != 1)
      throw ImportError(where(n) + ": depth must hold one value");
    RankedTensorType result = resultType(n);
    if (result.getRank() != it.getRank() + 1) throw ImportError(where(n) + ": the result's rank is not the indices' + 1");
    depth = result.getDimSize(axis);
  } else {
    depth = constantCount(n, 1, "depth", 1, std::numeric_limits<int32_t>::max());
  }
  SmallVector<int64_t> shape(it.getShape());
  shape.insert(shape.begin() + axis, depth);
  define(n, 0, builder_.create<OneHotOp>(loc(n), RankedTensorType::get(shape, vt.getElementType()), indices,
                                         values, depthInput, builder_.getI64IntegerAttr(axis)));
}

std::vector<uint8_t> identityBytes(Type elem, int64_t rows, int64_t cols, int64_t k) {
  // 1 in the element type, as little-endian bytes (bool: one byte).
  const unsigned bits = elem.getIntOrFloatBitWidth();
  const size_t size = elem.isInteger(1) ? 1 : bits / 8;
  APInt one = isa<FloatType>(elem)
                  ? llvm::APFloat(cast<FloatType>(elem).getFloatSemantics(), 1).bitcastToAPInt()
                  : APInt(bits, 1);
  std::vector<uint8_t> bytes(size_t(rows * cols) * size, 0);
  // Row r has its 1 in column r + k, if that column exists (k > 0: above the diagonal).
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t c = r + k;
    if (c < 0 || c >= cols) continue;
    for (size_t b = 0; b < size; ++b)
      bytes[size_t(r * cols + c) * size + b] =
          uint8_t(one.extractBitsAsZExtValue(std::min(8u, bits - 8 * unsigned(b)), 8 * unsigned(b)));
  }
  return bytes;
}

// sequence_lens stays a run-time operand: it does not change the result's shape.
void GraphImporter::importReverseSequence(const onnx::NodeProto &n) {
  Value x = requiredInput(n, 0, "input"), lens = requiredInput(n, 1, "sequence_lens");
  const int64_t batch = attrInt(n, "batch_axis", 1), time = attrInt(n, "time_axis", 0);
  if (!((batch == 0 && time == 1) || (batch == 1 && time == 0)))
    throw ImportError(where(n) + ": batch_axis and time_axis must be 0 and 1 in some order, got " +
                      std::to_string(batch) + " and " + std::to_string(time));
  define(n, 0, builder_.create<ReverseSequenceOp>(loc(n), x.getType(), x, lens, builder_.getI64IntegerAttr(batch),
                                                  builder_.getI64IntegerAttr(time)));
}

// EyeLike's result depends only on its input's (static) shape and the attributes, so it
// is imported as a constant: no kernel, nothing computed at run time, and a consumer can
// fold it further. The input stays a graph input (it is only read for its shape).
void GraphImporter::importEyeLike(const onnx::NodeProto &n) {
  Value x = requiredInput(n, 0, "input");
  auto xt = cast<RankedTensorType>(x.getType());
  if (xt.getRank() != 2)
    throw ImportError(where(n) + ": input must be 2-D, got rank " + std::to_string(xt.getRank()));
  Type elem = xt.getElementType();
  if (const onnx::AttributeProto *dtype = attr(n, "dtype")) {
    elem = elementType(ctx_, int32_t(dtype->i()));
    if (!elem) throw ImportError(where(n) + ": unsupported dtype " + std::to_string(dtype->i()));
  }
  const int64_t rows = xt.getDimSize(0), cols = xt.getDimSize(1), k = attrInt(n, "k", 0);
  auto type = RankedTensorType::get({rows, cols}, elem);
  define(n, 0, builder_.create<ConstantOp>(loc(n), type,
                                           makeConstantAttr(type, identityBytes(elem, rows, cols, k), n.output(0))));
}

void coerceLegacyHardmax(onnx::ModelProto &model) {
  auto *nodes = model.mutable_graph()->mutable_node();
  google::protobuf::RepeatedPtrField<onnx::NodeProto> rewritten;
  for (onnx::NodeProto &node : *nodes) {
    if (node.op_type() != "Hardmax" || !(node.domain().empty() || node.domain() == "ai.onnx") ||
        node.input_size() < 1 || node.output_size() < 1) {
      *rewritten.Add() = std::move(node);
      continue;
    }
    int64_t axis = 1;
    for (const auto &a : node.attribute())
      if (a.name() == "axis") axis = a.i();
    const std::string x = node.input(0), y = node.output(0), base = y + "_legacy_hardmax";
    auto add = [&](const char *type, std::vector<std::string> in, std::string out) {
      onnx::NodeProto *n = rewritten.Add();
      n->set_op_type(type);
      n->set_name(node.name().empty() ? out : node.name() + "_" + type);
      for (auto &i : in) n->add_input(i);
      n->add_output(out);
      return n;
    };
    add("Shape", {x}, base + "_shape");
    onnx::AttributeProto *flatAxis = add("Flatten", {x}, base + "_2d")->add_attribute();
    flatAxis->set_name("axis");
    flatAxis->set_type(onnx::AttributeProto::INT);
    flatAxis->set_i(axis);
    // Opset < 13 Hardmax over axis 1 of a 2-D input is one row at a time, as opset 13's.
    onnx::AttributeProto *rowAxis = add("Hardmax", {base + "_2d"}, base + "_rows")->add_attribute();
    rowAxis->set_name("axis");
    rowAxis->set_type(onnx::AttributeProto::INT);
    rowAxis->set_i(1);
    add("Reshape", {base + "_rows", base + "_shape"}, y);
  }
  nodes->Swap(&rewritten);
}

void GraphImporter::addSelectionImporters(ImporterTable &table) {
  table["Hardmax"] = &GraphImporter::importHardmax;
  table["TopK"] = &GraphImporter::importTopK;
  table["OneHot"] = &GraphImporter::importOneHot;
  table["EyeLike"] = &GraphImporter::importEyeLike;
  table["ReverseSequence"] = &GraphImporter::importReverseSequence;
  // A decomposition into edge ops rather than a selection op; registered here to keep
  // the importer tables few.
  table["Einsum"] = &GraphImporter::importEinsum;
}

}  // namespace edgec::onnx_frontend
