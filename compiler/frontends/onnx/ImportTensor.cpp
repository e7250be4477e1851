// Importers of tensor ONNX ops: shape changes, data movement, reductions, constants.
// Shape parameters (Slice's starts, Split's sizes, ...) that are constants become
// attributes; others become operands read at run time when the result type is static
// anyway (runtimeShapeParams), and are an error otherwise.
#include "GraphImporter.h"

#include "edge/ConstantData.h"
#include "mlir/IR/Matchers.h"

namespace edgec::onnx_frontend {

// Reshape, Flatten, Squeeze, Unsqueeze: the inferred result type is the whole story.
void GraphImporter::importReshapeLike(const onnx::NodeProto &n) {
  define(n, 0, builder_.create<ReshapeOp>(loc(n), resultType(n), input(n, 0)));
}

// Expand's shape operand is already reflected in the inferred result type; one known
// only at run time stays an operand, which the kernel checks gives that type.
void GraphImporter::importReshapeLikeExpand(const onnx::NodeProto &n) {
  Value shapeInput = runtimeShape(n, 1);
  DenseI64ArrayAttr shape = shapeInput ? DenseI64ArrayAttr() : builder_.getDenseI64ArrayAttr(constantInts(n, 1, "shape"));
  define(n, 0, builder_.create<ExpandOp>(loc(n), resultType(n), input(n, 0), shapeInput, shape));
}

// ONNX's target-shape input `i` (Expand's shape, ConstantOfShape's input) when it is not
// a constant: the Expand's operand, read on every run. Null when it is a constant (the
// result type says it all). A run-time shape needs a static result type (ONNX shape
// inference or the model's declared type); without one, the import fails here, naming
// the input and suggesting --bind.
Value GraphImporter::runtimeShape(const onnx::NodeProto &n, int i) {
  Value v = input(n, i);
  if (!v || matchPattern(v, m_Constant())) return Value();
  try {
    resultType(n);
  } catch (const ShapesPending &) {
    throw;  // constants folded this round may still make the shape constant
  } catch (const ImportError &e) {
    throw ImportError(where(n) + ": shape '" + n.input(i) +
                      "' must be a compile-time constant when the result shape is not static (edgec compiles "
                      "static shapes)" + bindHint(n.input(i)));
  }
  auto type = cast<RankedTensorType>(v.getType());
  if (!type.getElementType().isInteger(64) || type.getRank() != 1)
    throw ImportError(where(n) + ": shape must be a 1-D int64 tensor");
  if (type.getDimSize(0) > resultType(n).getRank())
    throw ImportError(where(n) + ": shape has " + std::to_string(type.getDimSize(0)) +
                      " values, more than the result's rank " + std::to_string(resultType(n).getRank()));
  return v;
}

void GraphImporter::importCast(const onnx::NodeProto &n) {
  define(n, 0, builder_.create<CastOp>(loc(n), resultType(n), input(n, 0)));
}

// Identity and inference-mode Dropout forward their input.
void GraphImporter::importIdentity(const onnx::NodeProto &n) {
  if (n.op_type() == "Dropout") {
    if (n.output_size() > 1 && !n.output(1).empty())
      throw ImportError(where(n) + ": the mask output of Dropout is not supported");
    // training_mode must be absent or a constant false: edgec compiles for inference.
    if (Value training = input(n, 2)) {
      ElementsAttr value;
      if (!matchPattern(training, m_Constant(&value)) || constantAsInts(value).at(0) != 0)
        throw ImportError(where(n) + ": training-mode Dropout is not supported (export in eval mode)");
    }
  }
  define(n, 0, input(n, 0));
}

void GraphImporter::importTranspose(const onnx::NodeProto &n) {
  Value x = input(n, 0);
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  std::vector<int64_t> reversed;
  for (int64_t i = rank - 1; i >= 0; --i) reversed.push_back(i);
  define(n, 0, builder_.create<TransposeOp>(loc(n), resultType(n), x,
                                            builder_.getDenseI64ArrayAttr(attrInts(n, "perm", reversed))));
}

void GraphImporter::importConcat(const onnx::NodeProto &n) {
  SmallVector<Value> inputs;
  for (int i = 0; i < n.input_size(); ++i) inputs.push_back(input(n, i));
  RankedTensorType type = resultType(n);
  int64_t axis = normalizeAxis(attrInt(n, "axis", 0), type.getRank(), where(n));
  define(n, 0, builder_.create<ConcatOp>(loc(n), type, inputs, builder_.getI64IntegerAttr(axis)));
}

void GraphImporter::importSlice(const onnx::NodeProto &n) {
  Value x = input(n, 0);
  if (runtimeShapeParams(n, {1, 2, 3, 4})) {
    if (!input(n, 1) || !input(n, 2)) throw ImportError(where(n) + ": starts and ends are required");
    define(n, 0, builder_.create<SliceOp>(loc(n), resultType(n), x, shapeParamOperand(n, 1, "starts"),
                                          shapeParamOperand(n, 2, "ends"), shapeParamOperand(n, 3, "axes"),
                                          shapeParamOperand(n, 4, "steps"), nullptr, nullptr, nullptr));
    return;
  }
  ArrayRef<int64_t> shape = cast<RankedTensorType>(x.getType()).getShape();
  int64_t rank = shape.size();
  std::vector<int64_t> starts = constantInts(n, 1, "starts"), ends = constantInts(n, 2, "ends");
  std::vector<int64_t> axes, steps;
  if (input(n, 3)) axes = constantInts(n, 3, "axes");
  else for (size_t i = 0; i < starts.size(); ++i) axes.push_back(i);
  if (input(n, 4)) steps = constantInts(n, 4, "steps");
  else steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
    throw ImportError(where(n) + ": starts, ends, axes and steps must have the same length");
  std::vector<int64_t> fullStarts(rank, 0), fullEnds(shape.begin(), shape.end()), fullSteps(rank, 1);
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t a = normalizeAxis(axes[i], rank, where(n)), dim = shape[a], step = steps[i];
    if (step == 0) throw ImportError(where(n) + ": steps must be non-zero");
    int64_t s = starts[i] < 0 ? starts[i] + dim : starts[i];
    int64_t e = ends[i] < 0 ? ends[i] + dim : ends[i];
    if (dim == 0) {
      s = e = 0;  // nothing to select; and the clamps below would have lo > hi (UB)
    } else if (step > 0) {
      s = std::clamp<int64_t>(s, 0, dim);
      e = std::clamp<int64_t>(e, 0, dim);
    } else {
      s = std::clamp<int64_t>(s, 0, dim - 1);
      e = std::clamp<int64_t>(e, -1, dim - 1);
    }
    fullStarts[a] = s;
    fullEnds[a] = e;
    fullSteps[a] = step;
  }
  define(n, 0, builder_.create<SliceOp>(loc(n), resultType(n), x, Value(), Value(), Value(), Value(),
                                        builder_.getDenseI64ArrayAttr(fullStarts),
                                        builder_.getDenseI64ArrayAttr(fullEnds),
                                        builder_.getDenseI64ArrayAttr(fullSteps)));
}

void GraphImporter::importGather(const onnx::NodeProto &n) {
  if (Value fixed = gatherFixedShapeDims(n)) return define(n, 0, fixed);
  Value data = input(n, 0);
  int64_t axis = normalizeAxis(attrInt(n, "axis", 0), cast<RankedTensorType>(data.getType()).getRank(), where(n));
  define(n, 0, builder_.create<GatherOp>(loc(n), resultType(n), data, input(n, 1),
                                         builder_.getI64IntegerAttr(axis)));
}

template <typename ReduceOp> void GraphImporter::importReduce(const onnx::NodeProto &n) {
  Value x = input(n, 0);
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  std::vector<int64_t> axes = attrInts(n, "axes", {});
  bool noopWithEmptyAxes = attrInt(n, "noop_with_empty_axes", 0) != 0;
  // ReduceSum-13 takes axes as an input; one known only at run time is the operand.
  if (runtimeShapeParams(n, {1})) {
    define(n, 0, builder_.create<ReduceOp>(loc(n), resultType(n), x, shapeParamOperand(n, 1, "axes"), nullptr,
                                           builder_.getI64IntegerAttr(attrInt(n, "keepdims", 1)),
                                           builder_.getI64IntegerAttr(noopWithEmptyAxes)));
    return;
  }
  if (input(n, 1)) axes = constantInts(n, 1, "axes");
  if (axes.empty() && noopWithEmptyAxes) {
    define(n, 0, x);
    return;
  }
  for (int64_t &a : axes) a = normalizeAxis(a, rank, where(n));
  std::sort(axes.begin(), axes.end());
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  define(n, 0, builder_.create<ReduceOp>(loc(n), resultType(n), x, Value(), builder_.getDenseI64ArrayAttr(axes),
                                         builder_.getI64IntegerAttr(attrInt(n, "keepdims", 1)), IntegerAttr()));
}

void GraphImporter::importConstant(const onnx::NodeProto &n) {
  if (n.attribute_size() != 1) throw ImportError(where(n) + ": Constant needs exactly one value attribute");
  const onnx::AttributeProto &a = n.attribute(0);
  onnx::TensorProto t;
  if (a.name() == "value") {
    t = a.t();
  } else if (a.name() == "value_float" || a.name() == "value_floats") {
    t.set_data_type(onnx::TensorProto::FLOAT);
    if (a.name() == "value_float") t.add_float_data(a.f());
    else {
      for (float f : a.floats()) t.add_float_data(f);
      t.add_dims(a.floats_size());
    }
  } else if (a.name() == "value_int" || a.name() == "value_ints") {
    t.set_data_type(onnx::TensorProto::INT64);
    if (a.name() == "value_int") t.add_int64_data(a.i());
    else {
      for (int64_t i : a.ints()) t.add_int64_data(i);
      t.add_dims(a.ints_size());
    }
  } else {
    throw ImportError(where(n) + ": Constant attribute '" + a.name() + "' is not supported");
  }
  t.set_name(n.output(0));
  define(n, 0, constantFrom(t, n.output(0)));
}

// Shape of a static tensor is a constant.
void GraphImporter::importShape(const onnx::NodeProto &n) {
  ArrayRef<int64_t> shape = cast<RankedTensorType>(input(n, 0).getType()).getShape();
  int64_t rank = shape.size();
  int64_t start = attrInt(n, "start", 0), end = attrInt(n, "end", rank);
  start = std::clamp<int64_t>(start < 0 ? start + rank : start, 0, rank);
  end = std::clamp<int64_t>(end < 0 ? end + rank : end, 0, rank);
  // Dims that follow a dynamic dim are read on every run (their size here is the bound's
  // or the smaller compile's, not the run's).
  auto flags = dynamic_ ? dynamic_->find(n.input(0)) : std::map<std::string, std::vector<bool>>::const_iterator();
  if (dynamic_ && flags != dynamic_->end() && int64_t(flags->second.size()) == rank &&
      std::any_of(flags->second.begin() + start, flags->second.begin() + std::max(start, end), [](bool d) { return d; })) {
    auto type = RankedTensorType::get({std::max<int64_t>(0, end - start)}, builder_.getI64Type());
    define(n, 0, builder_.create<ShapeOp>(loc(n), type, input(n, 0), builder_.getI64IntegerAttr(start),
                                          builder_.getI64IntegerAttr(std::max(start, end))));
    runtimeShapes_[n.output(0)] = {n.input(0), start};
    return;
  }
  onnx::TensorProto t;
  t.set_data_type(onnx::TensorProto::INT64);
  t.add_dims(std::max<int64_t>(0, end - start));
  for (int64_t i = start; i < end; ++i) t.add_int64_data(shape[i]);
  t.set_name(n.output(0));
  define(n, 0, constantFrom(t, n.output(0)));
}

// Gather of a run-time Shape's dims that do not follow a dynamic dim: those are known
// here, so the result is a constant (a head count, an embedding width).
Value GraphImporter::gatherFixedShapeDims(const onnx::NodeProto &n) {
  auto source = runtimeShapes_.find(n.input(0));
  ElementsAttr indices;
  if (source == runtimeShapes_.end() || attrInt(n, "axis", 0) != 0 || !matchPattern(input(n, 1), m_Constant(&indices)))
    return Value();
  const std::vector<bool> &flags = dynamic_->at(source->second.first);
  Value shaped = values_.lookup(source->second.first);
  if (!shaped) return Value();
  ArrayRef<int64_t> dims = cast<RankedTensorType>(shaped.getType()).getShape();
  const int64_t count = cast<RankedTensorType>(input(n, 0).getType()).getDimSize(0);
  onnx::TensorProto t;
  t.set_data_type(onnx::TensorProto::INT64);
  for (int64_t d : cast<RankedTensorType>(indices.getType()).getShape()) t.add_dims(d);
  for (int64_t i : constantAsInts(indices)) {
    if (i < 0) i += count;
    if (i < 0 || i >= count) return Value();
    const int64_t dim = source->second.second + i;
    if (flags[size_t(dim)]) return Value();
    t.add_int64_data(dims[size_t(dim)]);
  }
  t.set_name(n.output(0));
  return constantFrom(t, n.output(0));
}

// A rank-0 constant for node n (its value tensor's dims are dropped).
Value GraphImporter::scalarConstant(const onnx::NodeProto &n, onnx::TensorProto t) {
  t.clear_dims();
  t.set_name(n.output(0) + "_value");
  return constantFrom(t, t.name());
}

template <typename OpTy> void GraphImporter::importArgReduce(const onnx::NodeProto &n) {
  Value x = input(n, 0);
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  if (rank == 0) throw ImportError(where(n) + ": input must have rank >= 1");
  int64_t axis = normalizeAxis(attrInt(n, "axis", 0), rank, where(n));
  define(n, 0, builder_.create<OpTy>(loc(n), resultType(n), x, builder_.getI64IntegerAttr(axis),
                                     builder_.getI64IntegerAttr(attrInt(n, "keepdims", 1) != 0),
                                     builder_.getI64IntegerAttr(attrInt(n, "select_last_index", 0) != 0)));
}

// The split sizes (a constant input, the opset < 13 attribute, or equal parts) become
// the result types, so every result is typed even where the graph leaves it unused.
void GraphImporter::importSplit(const onnx::NodeProto &n) {
  Value x = input(n, 0);
  auto xt = cast<RankedTensorType>(x.getType());
  if (xt.getRank() == 0) throw ImportError(where(n) + ": cannot split a rank-0 tensor");
  int64_t axis = normalizeAxis(attrInt(n, "axis", 0), xt.getRank(), where(n));
  int64_t dim = xt.getDimSize(axis), count = n.output_size();
  std::vector<int64_t> sizes = attrInts(n, "split", {});
  // Sizes known only at run time: the results' declared types are the split, which the
  // kernel checks the values against.
  if (runtimeShapeParams(n, {1})) {
    Value split = shapeParamOperand(n, 1, "split");
    if (cast<RankedTensorType>(split.getType()).getNumElements() != count)
      throw ImportError(where(n) + ": " + std::to_string(cast<RankedTensorType>(split.getType()).getNumElements()) +
                        " split sizes for " + std::to_string(count) + " outputs");
    SmallVector<Type> types;
    for (int i = 0; i < count; ++i) types.push_back(resultType(n, i));
    auto op = builder_.create<SplitOp>(loc(n), types, x, split, builder_.getI64IntegerAttr(axis));
    for (int i = 0; i < count; ++i) define(n, i, op.getResult(i));
    return;
  }
  if (input(n, 1)) sizes = constantInts(n, 1, "split");
  if (sizes.empty()) {
    if (count == 0 || dim % count != 0)
      throw ImportError(where(n) + ": dim " + std::to_string(dim) + " does not split into " +
                        std::to_string(count) + " equal parts");
    sizes.assign(count, dim / count);
  }
  if (int64_t(sizes.size()) != count)
    throw ImportError(where(n) + ": " + std::to_string(sizes.size()) + " split sizes for " +
                      std::to_string(count) + " outputs");
  SmallVector<Type> types;
  for (int64_t size : sizes) {
    if (size < 0) throw ImportError(where(n) + ": split sizes must be >= 0");
    SmallVector<int64_t> shape(xt.getShape());
    shape[axis] = size;
    types.push_back(RankedTensorType::get(shape, xt.getElementType()));
  }
  auto op = builder_.create<SplitOp>(loc(n), types, x, Value(), builder_.getI64IntegerAttr(axis));
  for (int i = 0; i < count; ++i) define(n, i, op.getResult(i));
}

void GraphImporter::importTile(const onnx::NodeProto &n) {
  Value x = input(n, 0);
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  if (runtimeShapeParams(n, {1})) {
    Value repeats = shapeParamOperand(n, 1, "repeats");
    if (cast<RankedTensorType>(repeats.getType()).getNumElements() != rank)
      throw ImportError(where(n) + ": repeats must have one entry per input dim");
    define(n, 0, builder_.create<TileOp>(loc(n), resultType(n), x, repeats, nullptr));
    return;
  }
  std::vector<int64_t> repeats = constantInts(n, 1, "repeats");
  if (int64_t(repeats.size()) != rank)
    throw ImportError(where(n) + ": repeats must have one entry per input dim");
  define(n, 0, builder_.create<TileOp>(loc(n), resultType(n), x, Value(), builder_.getDenseI64ArrayAttr(repeats)));
}

// Pad-13 (pads, constant_value inputs) and Pad-18's axes: pads become one begin and one
// end per dim; constant_value is kept (as an operand) only in constant mode.
void GraphImporter::importPad(const onnx::NodeProto &n) {
  Value x = input(n, 0);
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  std::string mode = attrString(n, "mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge")
    throw ImportError(where(n) + ": Pad mode '" + mode + "' is not supported (constant, reflect, edge)");
  if (runtimeShapeParams(n, {1, 3})) {
    Value pads = shapeParamOperand(n, 1, "pads"), axes = shapeParamOperand(n, 3, "axes");
    if (!pads) throw ImportError(where(n) + ": pads is required");
    int64_t count = axes ? cast<RankedTensorType>(axes.getType()).getNumElements() : rank;
    if (cast<RankedTensorType>(pads.getType()).getNumElements() != 2 * count)
      throw ImportError(where(n) + ": pads must have two entries per padded axis");
    Value value = mode == "constant" ? input(n, 2) : Value();
    define(n, 0, builder_.create<PadOp>(loc(n), resultType(n), x, value, pads, axes, builder_.getStringAttr(mode),
                                        nullptr));
    return;
  }
  std::vector<int64_t> given = constantInts(n, 1, "pads");
  std::vector<int64_t> axes;
  if (input(n, 3)) axes = constantInts(n, 3, "axes");
  else for (int64_t d = 0; d < rank; ++d) axes.push_back(d);
  if (given.size() != 2 * axes.size())
    throw ImportError(where(n) + ": pads must have two entries per padded axis");
  std::vector<int64_t> pads(2 * rank, 0);
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t a = normalizeAxis(axes[i], rank, where(n));
    pads[a] = given[i];
    pads[rank + a] = given[axes.size() + i];
  }
  Value value = mode == "constant" ? input(n, 2) : Value();
  define(n, 0, builder_.create<PadOp>(loc(n), resultType(n), x, value, Value(), Value(),
                                      builder_.getStringAttr(mode), builder_.getDenseI64ArrayAttr(pads)));
}

// Trilu's k and CumSum's axis are parameters that do not change the output shape: a
// constant becomes the attribute (the kernel reads it once, at prepare), anything
// else (a graph input, a computed value) the op's one-element operand, read on every
// run. Returns that operand, or null with `value` set from the constant.
Value GraphImporter::parameterOperand(const onnx::NodeProto &n, int i, const char *what, int64_t &value) {
  Value v = input(n, i);
  if (!v) throw ImportError(where(n) + ": " + what + " is required");
  ElementsAttr constant;
  if (matchPattern(v, m_Constant(&constant))) {
    std::vector<int64_t> ints = constantAsInts(constant);
    if (ints.size() != 1) throw ImportError(where(n) + ": " + what + " must be a single value");
    value = ints[0];
    return Value();
  }
  auto type = dyn_cast<RankedTensorType>(v.getType());
  auto elem = type ? dyn_cast<IntegerType>(type.getElementType()) : IntegerType();
  if (!elem || !elem.isSignless() || (elem.getWidth() != 32 && elem.getWidth() != 64) ||
      !type.hasStaticShape() || type.getNumElements() != 1)
    throw ImportError(where(n) + ": " + what + " must be a single int32 or int64 value");
  return v;
}

bool GraphImporter::runtimeShapeParams(const onnx::NodeProto &n, std::initializer_list<int> inputs) {
  bool runtime = false;
  for (int i : inputs)
    if (Value v = input(n, i); v && !matchPattern(v, m_Constant()))
      runtime = true;
  if (!runtime) return false;
  try {
    for (int i = 0; i < n.output_size(); ++i)
      if (!n.output(i).empty()) resultType(n, i);
  } catch (const ShapesPending &) {
    throw;  // constants folded this round may still make the parameters constant
  } catch (const ImportError &) {
    return false;  // a truly dynamic shape: not supported yet
  }
  return true;
}

Value GraphImporter::shapeParamOperand(const onnx::NodeProto &n, int i, const char *what) {
  Value v = input(n, i);
  if (!v) return v;
  auto type = cast<RankedTensorType>(v.getType());
  auto elem = dyn_cast<IntegerType>(type.getElementType());
  if (!elem || !elem.isSignless() || (elem.getWidth() != 32 && elem.getWidth() != 64) || type.getRank() > 1) {
    std::string got;
    llvm::raw_string_ostream os(got);
    os << type;
    throw ImportError(where(n) + ": " + what + " must be a list of int32 or int64 values, got " + got);
  }
  return v;
}

void GraphImporter::importTrilu(const onnx::NodeProto &n) {
  int64_t k = 0;
  Value kInput = input(n, 1) ? parameterOperand(n, 1, "k", k) : Value();
  IntegerAttr kAttr = kInput ? IntegerAttr() : builder_.getI64IntegerAttr(k);
  define(n, 0, builder_.create<TriluOp>(loc(n), resultType(n), input(n, 0), kInput, kAttr,
                                        builder_.getI64IntegerAttr(attrInt(n, "upper", 1) != 0)));
}

void GraphImporter::importCumSum(const onnx::NodeProto &n) {
  Value x = input(n, 0);
  int64_t a = 0;
  Value axisInput = parameterOperand(n, 1, "axis", a);
  IntegerAttr axisAttr;
  if (!axisInput)
    axisAttr = builder_.getI64IntegerAttr(normalizeAxis(a, cast<RankedTensorType>(x.getType()).getRank(), where(n)));
  define(n, 0, builder_.create<CumSumOp>(loc(n), resultType(n), x, axisInput, axisAttr,
                                         builder_.getI64IntegerAttr(attrInt(n, "exclusive", 0) != 0),
                                         builder_.getI64IntegerAttr(attrInt(n, "reverse", 0) != 0)));
}

// ConstantOfShape is an Expand of its scalar value to the (constant) shape: no kernel
// of its own, and small results fold to constants right away. A shape known only at
// run time stays the Expand's operand (runtimeShape) when the result type is static.
void GraphImporter::importConstantOfShape(const onnx::NodeProto &n) {
  Value shapeInput = runtimeShape(n, 0);
  std::vector<int64_t> shape;
  if (shapeInput) {
    RankedTensorType result = resultType(n);
    shape.assign(result.getShape().begin(), result.getShape().end());
  } else {
    shape = constantInts(n, 0, "shape");
  }
  onnx::TensorProto value;
  if (auto *a = attr(n, "value")) {
    value = a->t();
  } else {  // ONNX default: a float 0
    value.set_data_type(onnx::TensorProto::FLOAT);
    value.add_float_data(0.0f);
  }
  Value scalar = scalarConstant(n, value);
  for (int64_t d : shape)
    if (d < 0) throw ImportError(where(n) + ": shape dims must be >= 0");
  auto type = RankedTensorType::get(shape, cast<RankedTensorType>(scalar.getType()).getElementType());
  if (shapeInput && type != resultType(n))
    throw ImportError(where(n) + ": the value's element type differs from the declared result type");
  define(n, 0, builder_.create<ExpandOp>(loc(n), type, scalar, shapeInput,
                                         shapeInput ? DenseI64ArrayAttr() : builder_.getDenseI64ArrayAttr(shape)));
}

// Size of a static tensor is a constant.
void GraphImporter::importSize(const onnx::NodeProto &n) {
  onnx::TensorProto t;
  t.set_data_type(onnx::TensorProto::INT64);
  t.add_int64_data(cast<RankedTensorType>(input(n, 0).getType()).getNumElements());
  t.set_name(n.output(0));
  define(n, 0, constantFrom(t, n.output(0)));
}

void GraphImporter::addTensorImporters(ImporterTable &table) {
  table["Reshape"] = &GraphImporter::importReshapeLike;
  table["Flatten"] = &GraphImporter::importReshapeLike;
  table["Squeeze"] = &GraphImporter::importReshapeLike;
  table["Unsqueeze"] = &GraphImporter::importReshapeLike;
  table["Identity"] = &GraphImporter::importIdentity;
  table["Dropout"] = &GraphImporter::importIdentity;
  table["Transpose"] = &GraphImporter::importTranspose;
  table["Concat"] = &GraphImporter::importConcat;
  table["Slice"] = &GraphImporter::importSlice;
  table["Gather"] = &GraphImporter::importGather;
  table["Expand"] = &GraphImporter::importReshapeLikeExpand;
  table["Cast"] = &GraphImporter::importCast;
  table["ReduceMean"] = &GraphImporter::importReduce<ReduceMeanOp>;
  table["ReduceSum"] = &GraphImporter::importReduce<ReduceSumOp>;
  table["ReduceMax"] = &GraphImporter::importReduce<ReduceMaxOp>;
  table["ReduceMin"] = &GraphImporter::importReduce<ReduceMinOp>;
  table["Constant"] = &GraphImporter::importConstant;
  table["Shape"] = &GraphImporter::importShape;
  table["Size"] = &GraphImporter::importSize;
  table["ConstantOfShape"] = &GraphImporter::importConstantOfShape;
  table["Range"] = &GraphImporter::importSimple<RangeOp>;
  table["ReduceProd"] = &GraphImporter::importReduce<ReduceProdOp>;
  table["ReduceL1"] = &GraphImporter::importReduce<ReduceL1Op>;
  table["ReduceL2"] = &GraphImporter::importReduce<ReduceL2Op>;
  table["ReduceLogSum"] = &GraphImporter::importReduce<ReduceLogSumOp>;
  table["ReduceLogSumExp"] = &GraphImporter::importReduce<ReduceLogSumExpOp>;
  table["ReduceSumSquare"] = &GraphImporter::importReduce<ReduceSumSquareOp>;
  table["ArgMax"] = &GraphImporter::importArgReduce<ArgMaxOp>;
  table["ArgMin"] = &GraphImporter::importArgReduce<ArgMinOp>;
  table["CumSum"] = &GraphImporter::importCumSum;
  table["Split"] = &GraphImporter::importSplit;
  table["Tile"] = &GraphImporter::importTile;
  table["Pad"] = &GraphImporter::importPad;
  table["Trilu"] = &GraphImporter::importTrilu;
}

}  // namespace edgec::onnx_frontend
