// Verifiers of the selection ops (EdgeSelectionOps.td): Hardmax, TopK, OneHot,
// ReverseSequence. They
// check what the ref kernels rely on: a normalized axis, result shapes that carry k and
// depth consistently with the operands, and the element types of the results.
#include "edge/EdgeDialect.h"

#include "VerifyUtils.h"

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::detail;

LogicalResult HardmaxOp::verify() {
  return verifyAxis(*this, getAxis(), shapeOf(getInput()).size());
}

LogicalResult TopKOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput()), values = shapeOf(getValues());
  const int64_t axis = getAxis();
  if (failed(verifyAxis(*this, axis, in.size()))) return failure();
  if (Value k = getKInput(); k && tensorType(k).getNumElements() != 1)
    return emitOpError() << "k_input must have one element, got " << k.getType();
  if (getLargest() != 0 && getLargest() != 1)
    return emitOpError() << "largest must be 0 or 1, got " << getLargest();
  if (elementOf(getValues()) != elementOf(getInput()))
    return emitOpError() << "values must have the input's element type " << elementOf(getInput())
                         << ", got " << elementOf(getValues());
  if (shapeOf(getIndices()) != values)
    return emitOpError() << "indices " << shapeStr(shapeOf(getIndices())) << " and values "
                         << shapeStr(values) << " must have one shape";
  // k is the results' size along the axis: at most the axis' size.
  SmallVector<int64_t> expected(in);
  expected[axis] = values.size() == in.size() ? values[axis] : 0;
  if (values != ArrayRef<int64_t>(expected) || expected[axis] > in[axis])
    return emitOpError() << "results " << shapeStr(values) << " must be the input's shape "
                         << shapeStr(in) << " with at most " << in[axis] << " elements along axis "
                         << axis;
  return success();
}

LogicalResult OneHotOp::verify() {
  ArrayRef<int64_t> idx = shapeOf(getIndices()), out = shapeOf(getOutput());
  const int64_t axis = getAxis();
  // The new axis may also follow the last dim of indices.
  if (failed(verifyAxis(*this, axis, idx.size() + 1))) return failure();
  if (tensorType(getValues()).getNumElements() != 2)
    return emitOpError() << "values must hold two elements [off, on], got shape "
                         << shapeStr(shapeOf(getValues()));
  if (Value depth = getDepthInput(); depth && tensorType(depth).getNumElements() != 1)
    return emitOpError() << "depth_input must have one element, got " << depth.getType();
  if (elementOf(getValues()) != elementOf(getOutput()))
    return emitOpError() << "the result must have the element type of values " << elementOf(getValues())
                         << ", got " << elementOf(getOutput());
  SmallVector<int64_t> expected(idx);
  expected.insert(expected.begin() + axis, out.size() == idx.size() + 1 ? out[axis] : 0);
  if (out != ArrayRef<int64_t>(expected))
    return emitOpError() << "result shape " << shapeStr(out) << " must be the indices' shape "
                         << shapeStr(idx) << " with the depth inserted at axis " << axis;
  return success();
}

LogicalResult ReverseSequenceOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  if (in.size() < 2) return emitOpError() << "input must have rank >= 2, got " << in.size();
  const int64_t batch = getBatchAxis(), time = getTimeAxis();
  if (!((batch == 0 && time == 1) || (batch == 1 && time == 0)))
    return emitOpError() << "batch_axis and time_axis must be 0 and 1 in some order, got " << batch << " and "
                         << time;
  if (shapeOf(getSequenceLens()) != ArrayRef<int64_t>{in[batch]})
    return emitOpError() << "sequence_lens must have shape [" << in[batch] << "] (one per batch entry), got "
                         << shapeStr(shapeOf(getSequenceLens()));
  return success();
}
