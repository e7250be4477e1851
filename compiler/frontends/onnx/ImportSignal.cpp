// Importers of ONNX's signal-processing ops (EdgeSignalOps.td): DFT, STFT,
// MelWeightMatrix. DFT's dft_length input decides the result shape, so it must be a
// compile-time constant; it becomes an attribute. STFT's frame_step and frame_length
// become attributes when constant and stay run-time operands when the result type is
// static anyway (runtimeShapeParams); MelWeightMatrix keeps its scalars as operands.
#include "GraphImporter.h"

#include "edge/ConstantData.h"
#include "mlir/IR/Matchers.h"

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

// STFT (opset 17): signal [B, N, 1 or 2], frame_step, optional window [W] and
// frame_length (absent: W, else N), onesided (default 1).
void GraphImporter::importSTFT(const onnx::NodeProto &n) {
  Value x = input(n, 0), window = input(n, 2);
  auto xt = cast<RankedTensorType>(x.getType());
  if (xt.getRank() != 3 || (xt.getShape()[2] != 1 && xt.getShape()[2] != 2))
    throw ImportError(where(n) + ": signal must be [batch, length, 1 or 2] (real, or complex as re, im)");
  const int64_t length = xt.getShape()[1];
  if (!input(n, 1)) throw ImportError(where(n) + ": frame_step is required");
  if (window) {
    auto wt = cast<RankedTensorType>(window.getType());
    if (wt.getRank() != 1 || wt.getElementType() != xt.getElementType())
      throw ImportError(where(n) + ": window must be a 1-D tensor of the signal's element type");
  }
  const int64_t onesided = attrInt(n, "onesided", 1);
  if (onesided != 0 && onesided != 1) throw ImportError(where(n) + ": onesided must be 0 or 1");
  const int64_t defaultLength = window ? cast<RankedTensorType>(window.getType()).getDimSize(0) : length;
  Value stepInput, lengthInput;
  int64_t step = 0, frameLength = defaultLength;
  RankedTensorType type;
  if (runtimeShapeParams(n, {1, 3})) {
    // The declared (or inferred) result type; the kernel checks the values give it.
    stepInput = parameterOperand(n, 1, "frame_step", step);
    if (input(n, 3)) lengthInput = parameterOperand(n, 3, "frame_length", frameLength);
    type = resultType(n);
  } else {
    std::vector<int64_t> given = constantInts(n, 1, "frame_step");
    if (given.size() != 1) throw ImportError(where(n) + ": frame_step must be one value");
    step = given[0];
    if (input(n, 3)) {
      given = constantInts(n, 3, "frame_length");
      if (given.size() != 1) throw ImportError(where(n) + ": frame_length must be one value");
      frameLength = given[0];
    }
  }
  if (!stepInput && step < 1) throw ImportError(where(n) + ": frame_step must be >= 1, got " + std::to_string(step));
  if (!lengthInput && (frameLength < 1 || frameLength > length))
    throw ImportError(where(n) + ": frame_length " + std::to_string(frameLength) + " must be in [1, " +
                      std::to_string(length) + "] (the signal length)");
  if (!type) {
    const int64_t frames = 1 + (length - frameLength) / step, bins = onesided ? frameLength / 2 + 1 : frameLength;
    type = RankedTensorType::get({xt.getDimSize(0), frames, bins, 2}, xt.getElementType());
  }
  define(n, 0, builder_.create<STFTOp>(loc(n), type, x, stepInput, window, lengthInput,
                                       stepInput ? IntegerAttr() : builder_.getI64IntegerAttr(step),
                                       lengthInput ? IntegerAttr() : builder_.getI64IntegerAttr(frameLength),
                                       builder_.getI64IntegerAttr(onesided)));
}

// MelWeightMatrix (opset 17): five scalars and output_datatype (default float). The result
// type comes from num_mel_bins and dft_length when they are constants, else from the
// model's declaration; the scalars stay operands, so constant ones fold the op
// (foldIfConstant) and others are read and checked by the kernel on every run.
void GraphImporter::importMelWeightMatrix(const onnx::NodeProto &n) {
  SmallVector<Value, 5> operands;
  const char *names[] = {"num_mel_bins", "dft_length", "sample_rate", "lower_edge_hertz", "upper_edge_hertz"};
  for (int i = 0; i < 5; ++i) {
    Value v = input(n, i);
    if (!v) throw ImportError(where(n) + ": " + names[i] + " is required");
    auto t = cast<RankedTensorType>(v.getType());
    if (t.getNumElements() != 1) throw ImportError(where(n) + ": " + names[i] + " must be a scalar");
    const bool isInt = isa<IntegerType>(t.getElementType()) && t.getElementType().isSignlessInteger() &&
                       (t.getElementTypeBitWidth() == 32 || t.getElementTypeBitWidth() == 64);
    if (i < 3 ? !isInt : !t.getElementType().isF32() && !t.getElementType().isF64())
      throw ImportError(where(n) + ": " + names[i] + (i < 3 ? " must be int32 or int64" : " must be float or double"));
    operands.push_back(v);
  }
  RankedTensorType type;
  ElementsAttr mels, dft;
  if (matchPattern(operands[0], m_Constant(&mels)) && matchPattern(operands[1], m_Constant(&dft))) {
    const int64_t m = constantAsInts(mels)[0], d = constantAsInts(dft)[0];
    if (m < 1 || d < 1) throw ImportError(where(n) + ": num_mel_bins and dft_length must be >= 1");
    Type elem = elementType(ctx_, int32_t(attrInt(n, "output_datatype", onnx::TensorProto::FLOAT)));
    if (!elem) throw ImportError(where(n) + ": unsupported output_datatype");
    type = RankedTensorType::get({d / 2 + 1, m}, elem);
  } else {
    try {
      type = resultType(n);
    } catch (const ShapesPending &) {
      throw;
    } catch (const ImportError &) {
      // Not static: num_mel_bins or dft_length is a run-time value and the output is not declared.
      const int dynamic = matchPattern(operands[0], m_Constant()) ? 1 : 0;
      throw ImportError(where(n) + ": the result shape [dft_length / 2 + 1, num_mel_bins] is not known at compile "
                        "time (edgec compiles static shapes): declare the output's shape, or make " + names[dynamic] +
                        " a constant" + bindHint(n.input(dynamic)));
    }
  }
  if (!type.getElementType().isF32() && !type.getElementType().isF64())
    throw ImportError(where(n) + ": output_datatype must be float or double");
  define(n, 0, builder_.create<MelWeightMatrixOp>(loc(n), type, operands[0], operands[1], operands[2], operands[3],
                                                  operands[4]));
}

void GraphImporter::addSignalImporters(ImporterTable &table) {
  table["DFT"] = &GraphImporter::importDFT;
  table["STFT"] = &GraphImporter::importSTFT;
  table["MelWeightMatrix"] = &GraphImporter::importMelWeightMatrix;
}

}  // namespace edgec::onnx_frontend
