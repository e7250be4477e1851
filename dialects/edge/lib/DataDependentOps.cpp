// Verifiers of the ops with data-dependent result sizes (EdgeDataDependentOps.td):
// NonZero, Compress, Unique, NonMaxSuppression. They check that each result type is the
// op's capacity for its operands' shapes (at most, along the dim the values decide),
// which the arena is planned for and the kernels rely on (the runtime's shape functions
// compute the same capacities).
#include "edge/EdgeDialect.h"

#include "VerifyUtils.h"

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::detail;

namespace {
// `v` must have shape `capacity`, except that dim `varying` may be smaller: the
// compiler's probe compile plans a smaller space (DataDependentSizes.cpp), and a kernel
// fails a run whose result does not fit.
LogicalResult expectCapacity(Operation *op, StringRef what, Value v, ArrayRef<int64_t> capacity, int64_t varying,
                             StringRef why) {
  ArrayRef<int64_t> got = shapeOf(v);
  bool ok = got.size() == capacity.size();
  for (size_t d = 0; ok && d < got.size(); ++d)
    ok = int64_t(d) == varying ? got[d] <= capacity[d] : got[d] == capacity[d];
  if (ok) return success();
  return op->emitOpError() << what << " must have shape " << shapeStr(capacity) << " (" << why << ")"
                           << (varying >= 0 ? ", or less along dim " + std::to_string(varying) : std::string())
                           << ", got " << shapeStr(got);
}

LogicalResult expectOneElement(Operation *op, StringRef what, Value v) {
  if (!v || tensorType(v).getNumElements() == 1) return success();
  return op->emitOpError() << what << " must hold one value, got shape " << shapeStr(shapeOf(v));
}
}  // namespace

LogicalResult NonZeroOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  if (in.empty()) return emitOpError() << "input must have rank >= 1 (ONNX leaves a scalar's NonZero undefined)";
  const int64_t rank = int64_t(in.size());
  return expectCapacity(*this, "indices", getIndices(), {rank, tensorType(getInput()).getNumElements()}, 1,
                        "the input's rank by its element count, the capacity");
}

LogicalResult CompressOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  if (failed(verifyAxis(*this, getAxis(), int64_t(in.size())))) return failure();
  if (shapeOf(getCondition()).size() != 1)
    return emitOpError() << "condition must be 1-D, got shape " << shapeStr(shapeOf(getCondition()));
  if (elementOf(getOutput()) != elementOf(getInput()))
    return emitOpError() << "output must have the input's element type " << elementOf(getInput());
  return expectCapacity(*this, "output", getOutput(), in, getAxis(), "the input's, whose axis size is the capacity");
}

LogicalResult UniqueOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  if (getSorted() != 0 && getSorted() != 1) return emitOpError() << "sorted must be 0 or 1, got " << getSorted();
  if (elementOf(getOutput()) != elementOf(getInput()))
    return emitOpError() << "output must have the input's element type " << elementOf(getInput());
  int64_t capacity = tensorType(getInput()).getNumElements(), varying = 0;
  SmallVector<int64_t> output{capacity};
  if (std::optional<int64_t> axis = getAxis()) {
    if (failed(verifyAxis(*this, *axis, int64_t(in.size())))) return failure();
    capacity = in[size_t(*axis)];
    varying = *axis;
    output.assign(in.begin(), in.end());
  }
  if (failed(expectCapacity(*this, "output", getOutput(), output, varying, "the capacity: the input's size")) ||
      failed(expectCapacity(*this, "inverse_indices", getInverseIndices(), {capacity}, -1,
                            "one per input element or slice")))
    return failure();
  // indices and counts: one per distinct value, as many as the output plans.
  const int64_t distinct = shapeOf(getOutput())[size_t(varying)];
  if (failed(expectCapacity(*this, "indices", getIndices(), {distinct}, -1, "the output's distinct values")) ||
      failed(expectCapacity(*this, "counts", getCounts(), {distinct}, -1, "the output's distinct values")))
    return failure();
  return success();
}

LogicalResult NonMaxSuppressionOp::verify() {
  ArrayRef<int64_t> boxes = shapeOf(getBoxes()), scores = shapeOf(getScores());
  if (boxes.size() != 3 || boxes[2] != 4)
    return emitOpError() << "boxes must have shape [batch, boxes, 4], got " << shapeStr(boxes);
  if (scores.size() != 3 || scores[0] != boxes[0] || scores[2] != boxes[1])
    return emitOpError() << "scores must have shape [" << boxes[0] << ", classes, " << boxes[1] << "], got "
                         << shapeStr(scores);
  if (getCenterPointBox() != 0 && getCenterPointBox() != 1)
    return emitOpError() << "center_point_box must be 0 or 1, got " << getCenterPointBox();
  if (failed(expectOneElement(*this, "max_output_boxes_per_class", getMaxOutputBoxesPerClass())) ||
      failed(expectOneElement(*this, "iou_threshold", getIouThreshold())) ||
      failed(expectOneElement(*this, "score_threshold", getScoreThreshold())))
    return failure();
  return expectCapacity(*this, "selected_indices", getSelectedIndices(), {boxes[0] * scores[1] * boxes[1], 3}, 0,
                        "batch * classes * boxes rows, the capacity");
}
