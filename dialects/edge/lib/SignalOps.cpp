// Verifiers of the signal-processing ops (EdgeSignalOps.td): DFT, STFT, MelWeightMatrix.
// They check the shapes and attributes the ref kernels (runtime/kernels/ref/dft.cpp) rely
// on.
#include "edge/EdgeDialect.h"

#include "VerifyUtils.h"

using namespace mlir;
using namespace mlir::edge;
using namespace mlir::edge::detail;

LogicalResult DFTOp::verify() {
  ArrayRef<int64_t> x = shapeOf(getInput()), y = shapeOf(getOutput());
  if (x.size() < 3 || y.size() != x.size())
    return emitOpError("input and result must have the same rank >= 3 (batch, signal..., 1 or 2)");
  if (x.back() != 1 && x.back() != 2)
    return emitOpError() << "the input's last dim must be 1 (real) or 2 (complex), got " << x.back();
  if (elementOf(getInput()) != elementOf(getOutput())) return emitOpError("result element type must match the input's");
  // I64Attr getters return uint64_t: read the signed values.
  const int64_t axis = getAxisAttr().getInt(), rank = x.size(), length = getDftLengthAttr().getInt();
  if (axis < 1 || axis > rank - 2)
    return emitOpError() << "axis " << axis << " must be a signal dim, in [1, " << rank - 2 << "]";
  if (getInverse() != 0 && getInverse() != 1) return emitOpError("inverse must be 0 or 1");
  if (getOnesided() != 0 && getOnesided() != 1) return emitOpError("onesided must be 0 or 1");
  if (getOnesided() && getInverse()) return emitOpError("onesided is for the forward transform only");
  if (length < 1) return emitOpError() << "dft_length must be >= 1, got " << length;
  SmallVector<int64_t> expect(x);
  expect[axis] = getOnesided() ? length / 2 + 1 : length;
  expect.back() = 2;
  if (y != ArrayRef<int64_t>(expect))
    return emitOpError() << "result shape " << shapeStr(y) << " should be " << shapeStr(expect);
  return success();
}

namespace {
// A scalar parameter given at run time: one int32/int64 element (ODS checks the type).
bool isOneElement(Value v) { return tensorType(v).getNumElements() == 1; }
}  // namespace

LogicalResult STFTOp::verify() {
  ArrayRef<int64_t> x = shapeOf(getSignal()), y = shapeOf(getOutput());
  if (x.size() != 3 || (x[2] != 1 && x[2] != 2))
    return emitOpError() << "signal must be [batch, length, 1 or 2], got " << shapeStr(x);
  if (elementOf(getSignal()) != elementOf(getOutput())) return emitOpError("result element type must match the signal's");
  if (y.size() != 4 || y[0] != x[0] || y[3] != 2)
    return emitOpError() << "result must be [" << x[0] << ", frames, bins, 2], got " << shapeStr(y);
  if (bool(getFrameStepInput()) == bool(getFrameStepAttr()))
    return emitOpError("frame_step must be given either as an attribute or as an operand");
  if (bool(getFrameLengthInput()) == bool(getFrameLengthAttr()))
    return emitOpError("frame_length must be given either as an attribute or as an operand");
  for (Value v : {getFrameStepInput(), getFrameLengthInput()})
    if (v && !isOneElement(v)) return emitOpError() << "frame_step and frame_length operands must have one element, got "
                                                    << shapeStr(shapeOf(v));
  if (Value w = getWindow()) {
    if (shapeOf(w).size() != 1 || shapeOf(w)[0] < 1)
      return emitOpError() << "window must be [window_length >= 1], got " << shapeStr(shapeOf(w));
    if (elementOf(w) != elementOf(getSignal())) return emitOpError("window element type must match the signal's");
  }
  if (getOnesided() != 0 && getOnesided() != 1) return emitOpError("onesided must be 0 or 1");
  if (y[1] < 1 || y[2] < 1) return emitOpError() << "result must have at least one frame and one bin, got " << shapeStr(y);
  // I64Attr getters return uint64_t: read the signed values.
  std::optional<int64_t> step, length;
  if (auto a = getFrameStepAttr()) step = a.getInt();
  if (auto a = getFrameLengthAttr()) length = a.getInt();
  if (step && *step < 1) return emitOpError() << "frame_step must be >= 1, got " << *step;
  if (length && (*length < 1 || *length > x[1]))
    return emitOpError() << "frame_length must be in [1, " << x[1] << "] (the signal length), got " << *length;
  if (length) {
    const int64_t bins = getOnesided() ? *length / 2 + 1 : *length;
    if (y[2] != bins) return emitOpError() << "result has " << y[2] << " bins, frame_length " << *length << " gives " << bins;
  }
  if (step && length) {
    const int64_t frames = 1 + (x[1] - *length) / *step;
    if (y[1] != frames)
      return emitOpError() << "result has " << y[1] << " frames, frame_step " << *step << " and frame_length " << *length
                           << " give " << frames;
  }
  return success();
}

LogicalResult MelWeightMatrixOp::verify() {
  for (Value v : getOperands())
    if (!isOneElement(v)) return emitOpError() << "every operand must be a scalar (one element), got " << shapeStr(shapeOf(v));
  if (elementOf(getLowerEdgeHertz()) != elementOf(getUpperEdgeHertz()))
    return emitOpError("lower_edge_hertz and upper_edge_hertz must have the same element type");
  ArrayRef<int64_t> y = shapeOf(getOutput());
  if (y.size() != 2 || y[0] < 1 || y[1] < 1)
    return emitOpError() << "result must be [dft_length / 2 + 1, num_mel_bins], got " << shapeStr(y);
  return success();
}
