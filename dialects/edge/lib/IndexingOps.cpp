// Verifiers of ONNX's element-indexing ops (EdgeIndexingOps.td): GatherElements,
// ScatterElements, GatherND, ScatterND. The index values are run-time data (the kernels
// check them); these check the static shapes, axes and element types.
#include "edge/EdgeDialect.h"

#include "VerifyUtils.h"

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::detail;

namespace {
// GatherElements/ScatterElements: `indices` has data's rank and, off `axis`, no dim
// larger than data's (an index position beyond data's dim would address nothing).
LogicalResult verifyElementsIndices(Operation *op, Value data, Value indices, int64_t axis) {
  ArrayRef<int64_t> d = shapeOf(data), idx = shapeOf(indices);
  if (d.empty()) return op->emitOpError("data must have rank >= 1");
  if (idx.size() != d.size())
    return op->emitOpError() << "indices must have data's rank " << d.size() << ", got shape " << shapeStr(idx);
  if (failed(verifyAxis(op, axis, d.size()))) return failure();
  for (size_t i = 0; i < d.size(); ++i)
    if (int64_t(i) != axis && idx[i] > d[i])
      return op->emitOpError() << "indices " << shapeStr(idx) << " exceed data " << shapeStr(d) << " in dim " << i;
  return success();
}

// Scatters: the result is data's type, updates hold data's elements, and add/mul need
// numbers (bool has neither).
LogicalResult verifyScatterTypes(Operation *op, Value data, Value updates, Value output, StringRef reduction) {
  if (output.getType() != data.getType())
    return op->emitOpError() << "result type " << output.getType() << " must be data's " << data.getType();
  if (elementOf(updates) != elementOf(data))
    return op->emitOpError() << "updates must have data's element type " << elementOf(data) << ", got "
                             << elementOf(updates);
  if (reduction != "none" && elementOf(data).isInteger(1))
    return op->emitOpError() << "reduction '" << reduction << "' is not defined for bool elements";
  return success();
}

LogicalResult verifyResultElement(Operation *op, Value data, Value output) {
  if (elementOf(output) != elementOf(data))
    return op->emitOpError() << "result element type " << elementOf(output) << " must be data's " << elementOf(data);
  return success();
}

// GatherND/ScatterND: data and indices have rank >= 1.
LogicalResult verifyNDRanks(Operation *op, Value data, Value indices) {
  if (shapeOf(data).empty() || shapeOf(indices).empty())
    return op->emitOpError("data and indices must have rank >= 1");
  return success();
}

// GatherND/ScatterND: the k-tuples in the last dim of `indices` address data dims
// [batch, batch + k). Returns k, or -1 after an error.
int64_t verifyTupleSize(Operation *op, Value data, Value indices, int64_t batch) {
  ArrayRef<int64_t> idx = shapeOf(indices);
  const int64_t r = shapeOf(data).size(), k = idx.back();
  if (k >= 1 && k <= r - batch) return k;
  op->emitOpError() << "the last dim of indices " << shapeStr(idx) << " must be in [1, " << r - batch
                    << "] (data rank " << r << (batch ? " less batch_dims" : "") << ")";
  return -1;
}
}  // namespace

LogicalResult GatherElementsOp::verify() {
  if (failed(verifyElementsIndices(*this, getData(), getIndices(), getAxis()))) return failure();
  if (shapeOf(getOutput()) != shapeOf(getIndices()))
    return emitOpError() << "result shape " << shapeStr(shapeOf(getOutput())) << " must be the indices' "
                         << shapeStr(shapeOf(getIndices()));
  return verifyResultElement(*this, getData(), getOutput());
}

LogicalResult ScatterElementsOp::verify() {
  if (failed(verifyElementsIndices(*this, getData(), getIndices(), getAxis()))) return failure();
  if (shapeOf(getUpdates()) != shapeOf(getIndices()))
    return emitOpError() << "updates " << shapeStr(shapeOf(getUpdates())) << " must have the indices' shape "
                         << shapeStr(shapeOf(getIndices()));
  return verifyScatterTypes(*this, getData(), getUpdates(), getOutput(), getReduction());
}

LogicalResult GatherNDOp::verify() {
  ArrayRef<int64_t> d = shapeOf(getData()), idx = shapeOf(getIndices());
  const int64_t batch = getBatchDims();
  if (failed(verifyNDRanks(*this, getData(), getIndices()))) return failure();
  if (batch < 0 || batch >= int64_t(std::min(d.size(), idx.size())))
    return emitOpError() << "batch_dims " << batch << " must be in [0, min(rank(data), rank(indices)))";
  for (int64_t i = 0; i < batch; ++i)
    if (d[i] != idx[i])
      return emitOpError() << "batch dim " << i << " differs: data " << shapeStr(d) << ", indices " << shapeStr(idx);
  int64_t k = verifyTupleSize(*this, getData(), getIndices(), batch);
  if (k < 0) return failure();
  SmallVector<int64_t> expected(idx.drop_back());
  expected.append(d.begin() + batch + k, d.end());
  if (shapeOf(getOutput()) != ArrayRef<int64_t>(expected))
    return emitOpError() << "result shape " << shapeStr(shapeOf(getOutput())) << " should be " << shapeStr(expected);
  return verifyResultElement(*this, getData(), getOutput());
}

LogicalResult ScatterNDOp::verify() {
  ArrayRef<int64_t> d = shapeOf(getData()), idx = shapeOf(getIndices());
  if (failed(verifyNDRanks(*this, getData(), getIndices()))) return failure();
  int64_t k = verifyTupleSize(*this, getData(), getIndices(), 0);
  if (k < 0) return failure();
  SmallVector<int64_t> expected(idx.drop_back());
  expected.append(d.begin() + k, d.end());
  if (shapeOf(getUpdates()) != ArrayRef<int64_t>(expected))
    return emitOpError() << "updates shape " << shapeStr(shapeOf(getUpdates())) << " should be "
                         << shapeStr(expected);
  return verifyScatterTypes(*this, getData(), getUpdates(), getOutput(), getReduction());
}
