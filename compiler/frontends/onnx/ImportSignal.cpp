// Importers of ONNX's signal-processing ops (EdgeSignalOps.td): DFT. Its dft_length
// input decides the result shape, so it must be a compile-time constant; it becomes an
// attribute.
#include "GraphImporter.h"

namespace edgec::onnx_frontend {

// DFT (opset 17): X [B, S..., 1 or 2], optional dft_length, axis (default 1, the first
// signal dim), inverse and onesided (default 0).
void GraphImporter::importDFT(const onnx::NodeProto &n) {
  Value x = input(n, 0);
  auto xt = cast<RankedTensorType>(x.getType());
  const int64_t rank = xt.getRank();
  if (rank < 3 || (xt.getShape().back() != 1 && xt.getShape().back() != 2))
    throw ImportError(where(n) + ": X must be [batch, signal..., 1 or 2] (real, or complex as re, im)");
  const int64_t axis = normalizeAxis(attrInt(n, "axis", 1), rank, where(n));
  if (axis < 1 || axis > rank - 2)
    throw ImportError(where(n) + ": axis " + std::to_string(attrInt(n, "axis", 1)) +
                      " is not a signal dim (the batch dim and the last, complex dim are not)");
  const int64_t inverse = attrInt(n, "inverse", 0), onesided = attrInt(n, "onesided", 0);
  if ((inverse != 0 && inverse != 1) || (onesided != 0 && onesided != 1))
    throw ImportError(where(n) + ": inverse and onesided must be 0 or 1");
  if (inverse && onesided) throw ImportError(where(n) + ": a onesided inverse DFT is not supported");
  int64_t length = xt.getShape()[axis];
  if (n.input_size() > 1 && !n.input(1).empty()) {
    std::vector<int64_t> given = constantInts(n, 1, "dft_length");
    if (given.size() != 1 || given[0] < 1)
      throw ImportError(where(n) + ": dft_length must be one value >= 1");
    length = given[0];
  }
  SmallVector<int64_t> shape(xt.getShape());
  shape[axis] = onesided ? length / 2 + 1 : length;
  shape.back() = 2;
  define(n, 0, builder_.create<DFTOp>(loc(n), RankedTensorType::get(shape, xt.getElementType()), x,
                                      builder_.getI64IntegerAttr(axis), builder_.getI64IntegerAttr(inverse),
                                      builder_.getI64IntegerAttr(onesided), builder_.getI64IntegerAttr(length)));
}

void GraphImporter::addSignalImporters(ImporterTable &table) { table["DFT"] = &GraphImporter::importDFT; }

}  // namespace edgec::onnx_frontend
