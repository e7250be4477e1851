// Importers of the ops whose result sizes depend on values (EdgeDataDependentOps.td):
// NonZero, Compress, Unique, NonMaxSuppression. Their result types come from
// DataDependentSizes.cpp, which sized them at their capacity (or, in the compiler's probe
// compile, one less) before ONNX inference typed what follows them; the importer checks
// the operands and passes those types on, and the verifiers check them.
#include "GraphImporter.h"

namespace edgec::onnx_frontend {

void GraphImporter::importNonZero(const onnx::NodeProto &n) {
  Value x = requiredInput(n, 0, "X");
  if (cast<RankedTensorType>(x.getType()).getRank() == 0)
    throw ImportError(where(n) + ": the input is a scalar, whose NonZero ONNX leaves undefined; reshape it to [1]");
  define(n, 0, builder_.create<NonZeroOp>(loc(n), resultType(n), x));
}

void GraphImporter::importCompress(const onnx::NodeProto &n) {
  Value x = requiredInput(n, 0, "input"), condition = requiredInput(n, 1, "condition");
  auto xt = cast<RankedTensorType>(x.getType());
  auto ct = cast<RankedTensorType>(condition.getType());
  if (!ct.getElementType().isInteger(1) || ct.getRank() != 1)
    throw ImportError(where(n) + ": condition must be a 1-D bool tensor");
  // DataDependentSizes.cpp gave the axis-less form its flatten.
  if (!attr(n, "axis")) throw ImportError(where(n) + ": Compress without an axis was not flattened first");
  const int64_t axis = normalizeAxis(attrInt(n, "axis", 0), xt.getRank(), where(n));
  define(n, 0, builder_.create<CompressOp>(loc(n), resultType(n), x, condition, builder_.getI64IntegerAttr(axis)));
}

void GraphImporter::importUnique(const onnx::NodeProto &n) {
  Value x = requiredInput(n, 0, "X");
  auto xt = cast<RankedTensorType>(x.getType());
  IntegerAttr axis;
  if (attr(n, "axis")) axis = builder_.getI64IntegerAttr(normalizeAxis(attrInt(n, "axis", 0), xt.getRank(), where(n)));
  // Every result exists in the IR, whether or not the node names it (the kernel fills all
  // four): one it does not name gets the size the output has (the capacity, or in the
  // probe compile one less), inverse_indices one per element or slice.
  const int64_t capacity = axis ? xt.getDimSize(axis.getInt()) : xt.getNumElements();
  SmallVector<int64_t> yShape{capacity};
  if (axis) yShape.assign(xt.getShape().begin(), xt.getShape().end());
  const bool named0 = n.output_size() > 0 && !n.output(0).empty();
  const RankedTensorType y = named0 ? resultType(n, 0) : RankedTensorType::get(yShape, xt.getElementType());
  const int64_t distinct = y.getRank() > (axis ? axis.getInt() : 0) ? y.getDimSize(axis ? axis.getInt() : 0) : 0;
  SmallVector<Type> types{y};
  for (int i = 1; i < 4; ++i)
    types.push_back(i < n.output_size() && !n.output(i).empty()
                        ? Type(resultType(n, i))
                        : Type(RankedTensorType::get({i == 2 ? capacity : distinct}, builder_.getI64Type())));
  auto op = builder_.create<UniqueOp>(loc(n), types, x, builder_.getI64IntegerAttr(attrInt(n, "sorted", 1) != 0),
                                      axis);
  for (int i = 0; i < 4 && i < n.output_size(); ++i)
    if (!n.output(i).empty()) define(n, i, op->getResult(unsigned(i)));
}

void GraphImporter::importNonMaxSuppression(const onnx::NodeProto &n) {
  Value boxes = requiredInput(n, 0, "boxes"), scores = requiredInput(n, 1, "scores");
  Value maxOutput = input(n, 2), iou = input(n, 3), scoreThreshold = input(n, 4);
  auto one = [&](Value v, const char *what) {
    if (v && cast<RankedTensorType>(v.getType()).getNumElements() != 1)
      throw ImportError(where(n) + ": " + what + " must hold one value");
  };
  one(maxOutput, "max_output_boxes_per_class");
  one(iou, "iou_threshold");
  one(scoreThreshold, "score_threshold");
  const int64_t center = attrInt(n, "center_point_box", 0);
  if (center != 0 && center != 1)
    throw ImportError(where(n) + ": center_point_box must be 0 or 1, got " + std::to_string(center));
  define(n, 0, builder_.create<NonMaxSuppressionOp>(loc(n), resultType(n), boxes, scores, maxOutput, iou,
                                                    scoreThreshold, builder_.getI64IntegerAttr(center)));
}

void GraphImporter::addDataDependentImporters(ImporterTable &table) {
  table["NonZero"] = &GraphImporter::importNonZero;
  table["Compress"] = &GraphImporter::importCompress;
  table["Unique"] = &GraphImporter::importUnique;
  table["NonMaxSuppression"] = &GraphImporter::importNonMaxSuppression;
}

}  // namespace edgec::onnx_frontend
