// Importers of ONNX's element-indexing ops (EdgeIndexingOps.td): GatherElements,
// ScatterElements (and the deprecated Scatter of opsets 9/10, which is ScatterElements
// without reduction), GatherND and ScatterND. Axes are normalized here; the indices stay
// run-time tensors (the kernels check their values).
#include "GraphImporter.h"

namespace edgec::onnx_frontend {

// ScatterElements-16 / ScatterND-16's `reduction` ("none" by default). Opset 18's max and
// min are not implemented: a clear error rather than a silent overwrite.
StringAttr GraphImporter::scatterReduction(const onnx::NodeProto &n) {
  std::string r = attrString(n, "reduction", "none");
  if (r != "none" && r != "add" && r != "mul")
    throw ImportError(where(n) + ": reduction '" + r + "' is not supported (none, add or mul)");
  return builder_.getStringAttr(r);
}

Value GraphImporter::requiredInput(const onnx::NodeProto &n, int i, const char *what) {
  Value v = input(n, i);
  if (!v) throw ImportError(where(n) + ": the input " + what + " is missing");
  return v;
}

void GraphImporter::importGatherElements(const onnx::NodeProto &n) {
  Value data = requiredInput(n, 0, "data"), indices = requiredInput(n, 1, "indices");
  int64_t axis = normalizeAxis(attrInt(n, "axis", 0), cast<RankedTensorType>(data.getType()).getRank(), where(n));
  define(n, 0, builder_.create<GatherElementsOp>(loc(n), resultType(n), data, indices,
                                                 builder_.getI64IntegerAttr(axis)));
}

// ScatterElements, and Scatter-9/11 (the same op under its old name, no reduction).
void GraphImporter::importScatterElements(const onnx::NodeProto &n) {
  Value data = requiredInput(n, 0, "data"), indices = requiredInput(n, 1, "indices");
  Value updates = requiredInput(n, 2, "updates");
  int64_t axis = normalizeAxis(attrInt(n, "axis", 0), cast<RankedTensorType>(data.getType()).getRank(), where(n));
  define(n, 0, builder_.create<ScatterElementsOp>(loc(n), resultType(n), data, indices, updates,
                                                  builder_.getI64IntegerAttr(axis), scatterReduction(n)));
}

void GraphImporter::importGatherND(const onnx::NodeProto &n) {
  Value data = requiredInput(n, 0, "data"), indices = requiredInput(n, 1, "indices");
  define(n, 0, builder_.create<GatherNDOp>(loc(n), resultType(n), data, indices,
                                           builder_.getI64IntegerAttr(attrInt(n, "batch_dims", 0))));
}

void GraphImporter::importScatterND(const onnx::NodeProto &n) {
  Value data = requiredInput(n, 0, "data"), indices = requiredInput(n, 1, "indices");
  Value updates = requiredInput(n, 2, "updates");
  define(n, 0, builder_.create<ScatterNDOp>(loc(n), resultType(n), data, indices, updates, scatterReduction(n)));
}

void GraphImporter::addIndexingImporters(ImporterTable &table) {
  table["GatherElements"] = &GraphImporter::importGatherElements;
  table["ScatterElements"] = &GraphImporter::importScatterElements;
  table["Scatter"] = &GraphImporter::importScatterElements;
  table["GatherND"] = &GraphImporter::importGatherND;
  table["ScatterND"] = &GraphImporter::importScatterND;
}

}  // namespace edgec::onnx_frontend
