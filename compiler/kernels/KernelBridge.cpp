#include "edgec/KernelBridge.h"

#include <cstring>

#include "edge/ConstantData.h"
#include "edge/EdgeDialect.h"
#include "edge/QuantTypes.h"
#include "kernel.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace edgec {

std::string kernelName(Operation *op) {
  StringRef name = op->getName().stripDialect();
  if (name == "Reshape") return "Copy";
  // The packed weight carries its blockwise parameters (QuantInfo), as ONNX
  // DequantizeLinear-21 with block_size.
  if (isa<edge::DequantizeBlockwiseOp>(op)) return "DequantizeLinear";
  return name.str();
}

std::vector<Value> kernelInputs(Operation *op) {
  if (auto clip = dyn_cast<edge::ClipOp>(op)) return {clip.getInput(), clip.getMin(), clip.getMax()};
  // Scales and zero points travel as the weight tensor's QuantInfo.
  if (auto dq = dyn_cast<edge::DequantizeBlockwiseOp>(op)) return {dq.getWeight()};
  // X, W, B (null when absent), then a fused residual Add's operand when there is one.
  if (auto conv = dyn_cast<edge::ConvOp>(op)) {
    std::vector<Value> inputs{conv.getInput(), conv.getWeight(), conv.getBias()};
    if (conv.getResidual()) inputs.push_back(conv.getResidual());
    return inputs;
  }
  std::vector<Value> inputs(op->operand_begin(), op->operand_end());
  // Trailing optional operands: kernels expect them positionally.
  if (isa<edge::GemmOp, edge::LayerNormalizationOp, edge::BlockQuantizedMatMulOp>(op)) inputs.resize(3);
  if (auto pad = dyn_cast<edge::PadOp>(op); pad && pad.getPadsInput())  // run-time pads (and axes?)
    return {pad.getInput(), pad.getConstantValue(), pad.getPadsInput(), pad.getAxesInput()};
  if (isa<edge::PadOp>(op)) inputs.resize(2);
  // Resize's run-time parameters at ONNX's positions (X, roi, scales, sizes), null where
  // absent; the attribute form stays X alone, as in packages made before them.
  if (auto resize = dyn_cast<edge::ResizeOp>(op)) {
    inputs = {resize.getInput(), resize.getRoiInput(), resize.getScalesInput(), resize.getSizesInput()};
    while (!inputs.back()) inputs.pop_back();
  }
  // Run-time slice parameters at ONNX's positions (starts, ends, axes?, steps?).
  if (auto slice = dyn_cast<edge::SliceOp>(op); slice && slice.getStartsInput())
    return {slice.getInput(), slice.getStartsInput(), slice.getEndsInput(), slice.getAxesInput(),
            slice.getStepsInput()};
  // STFT's run-time parameters at ONNX's positions (signal, frame_step, window,
  // frame_length), null where absent.
  if (auto stft = dyn_cast<edge::STFTOp>(op)) {
    inputs = {stft.getSignal(), stft.getFrameStepInput(), stft.getWindow(), stft.getFrameLengthInput()};
    while (!inputs.back()) inputs.pop_back();
    return inputs;
  }
  // Recurrent layers: optional operands anywhere, null where absent (ONNX's positions).
  if (auto rnn = dyn_cast<edge::RNNOp>(op))
    return {rnn.getX(), rnn.getW(), rnn.getR(), rnn.getB(), rnn.getSequenceLens(), rnn.getInitialH()};
  if (auto gru = dyn_cast<edge::GRUOp>(op))
    return {gru.getX(), gru.getW(), gru.getR(), gru.getB(), gru.getSequenceLens(), gru.getInitialH()};
  if (auto lstm = dyn_cast<edge::LSTMOp>(op))
    return {lstm.getX(),         lstm.getW(),        lstm.getR(),        lstm.getB(),
            lstm.getSequenceLens(), lstm.getInitialH(), lstm.getInitialC(), lstm.getP()};
  return inputs;
}

std::optional<pkg::DType> packageDType(Type t) {
  t = edge::storageType(t);  // a quantized tensor is stored as its integers
  if (auto block = dyn_cast<edge::BlockType>(t))  // GGUF blocks: the one dtype table's row
    if (const DTypeInfo *info = dtypeInfoByName(block.getFormat().str())) return pkg::DType(info->code);
  if (t.isF32()) return pkg::DType::f32;
  if (t.isF16()) return pkg::DType::f16;
  if (t.isBF16()) return pkg::DType::bf16;
  if (t.isF64()) return pkg::DType::f64;
  if (t.isInteger(1)) return pkg::DType::bool_;
  if (auto i = dyn_cast<IntegerType>(t)) {
    bool u = i.isUnsigned();
    switch (i.getWidth()) {
    case 4: return u ? pkg::DType::u4 : pkg::DType::i4;
    case 8: return u ? pkg::DType::u8 : pkg::DType::i8;
    case 16: return u ? pkg::DType::u16 : pkg::DType::i16;
    case 32: return u ? pkg::DType::u32 : pkg::DType::i32;
    case 64: return u ? pkg::DType::u64 : pkg::DType::i64;
    }
  }
  return std::nullopt;
}

LogicalResult encodeKernelAttrs(Operation *op, flatbuffers::FlatBufferBuilder &fbb,
                                flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<pkg::Attr>>> &out) {
  std::vector<flatbuffers::Offset<pkg::Attr>> attrs;
  if (auto props = dyn_cast_or_null<DictionaryAttr>(op->getPropertiesAsAttribute())) {
    for (NamedAttribute na : props) {
      std::string name = na.getName().str();
      if (name == "operandSegmentSizes") continue;  // expressed by absent (-1) inputs
      auto key = fbb.CreateString(name);
      Attribute a = na.getValue();
      if (auto i = dyn_cast<IntegerAttr>(a)) {
        attrs.push_back(pkg::CreateAttr(fbb, key, pkg::AttrKind::Int, i.getInt()));
      } else if (auto f = dyn_cast<FloatAttr>(a)) {
        attrs.push_back(pkg::CreateAttr(fbb, key, pkg::AttrKind::Float, 0, float(f.getValueAsDouble())));
      } else if (auto ints = dyn_cast<DenseI64ArrayAttr>(a)) {
        std::vector<int64_t> v(ints.asArrayRef().begin(), ints.asArrayRef().end());
        attrs.push_back(pkg::CreateAttr(fbb, key, pkg::AttrKind::Ints, 0, 0, fbb.CreateVector(v)));
      } else if (auto floats = dyn_cast<DenseF32ArrayAttr>(a)) {
        std::vector<float> v(floats.asArrayRef().begin(), floats.asArrayRef().end());
        attrs.push_back(pkg::CreateAttr(fbb, key, pkg::AttrKind::Floats, 0, 0, 0, fbb.CreateVector(v)));
      } else if (auto s = dyn_cast<StringAttr>(a)) {
        attrs.push_back(pkg::CreateAttr(fbb, key, pkg::AttrKind::String, 0, 0, 0, 0, fbb.CreateString(s.str())));
      } else if (auto symbol = dyn_cast<FlatSymbolRefAttr>(a)) {
        // A called function (If's branches, Scan's body): the package function's name.
        attrs.push_back(pkg::CreateAttr(fbb, key, pkg::AttrKind::String, 0, 0, 0, 0,
                                        fbb.CreateString(symbol.getValue().str())));
      } else if (auto list = dyn_cast<ArrayAttr>(a); list && llvm::all_of(list, llvm::IsaPred<StringAttr>)) {
        // A list of names (a recurrent layer's activations) travels as one string, the
        // names joined by ',' (the recurrent kernel splits it): names never contain commas, and
        // the package schema stays as it is.
        std::string joined;
        for (auto [i, name] : llvm::enumerate(list)) joined += (i ? "," : "") + cast<StringAttr>(name).str();
        attrs.push_back(pkg::CreateAttr(fbb, key, pkg::AttrKind::String, 0, 0, 0, 0, fbb.CreateString(joined)));
      } else {
        return op->emitError() << "cannot encode attribute '" << name << "' for the runtime";
      }
    }
  }
  out = fbb.CreateVectorOfSortedTables(&attrs);
  return success();
}

FailureOr<std::vector<ElementsAttr>> evaluateOnKernels(Operation *op) {
  using namespace edgec::rt;
  // Operand data, kept alive in `buffers` while the kernel runs.
  std::vector<std::vector<uint64_t>> buffers;
  std::vector<TensorView> views;
  std::vector<Value> inputs = kernelInputs(op);
  views.reserve(inputs.size() + op->getNumResults());
  auto makeView = [&](RankedTensorType type, const std::vector<uint8_t> *bytes) -> bool {
    auto dtype = packageDType(type.getElementType());
    if (!dtype) return false;
    TensorView v;
    v.dtype = *dtype;
    v.shape.assign(type.getShape().begin(), type.getShape().end());
    buffers.emplace_back((v.nbytes() + 7) / 8 + 1, 0);
    v.data = buffers.back().data();
    if (bytes) {
      if (bytes->size() != v.nbytes()) return false;
      if (!bytes->empty()) std::memcpy(v.data, bytes->data(), bytes->size());  // empty: data() may be null
    }
    views.push_back(v);
    return true;
  };
  buffers.reserve(inputs.size() + op->getNumResults());
  std::vector<int> inputIndex;  // -1 for an absent optional input
  for (Value v : inputs) {
    if (!v) {
      inputIndex.push_back(-1);
      continue;
    }
    ElementsAttr value;
    if (!matchPattern(v, m_Constant(&value))) return failure();
    std::vector<uint8_t> bytes = edge::constantBytes(value);
    if (!makeView(cast<RankedTensorType>(v.getType()), &bytes)) return failure();
    inputIndex.push_back(int(views.size()) - 1);
  }
  size_t firstOutput = views.size();
  for (Value r : op->getResults())
    if (!makeView(cast<RankedTensorType>(r.getType()), nullptr)) return failure();

  flatbuffers::FlatBufferBuilder fbb;
  flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<pkg::Attr>>> attrs;
  if (failed(encodeKernelAttrs(op, fbb, attrs))) return failure();
  fbb.Finish(pkg::CreateKernel(fbb, fbb.CreateString(kernelName(op)), 0, 0, 0, attrs));
  const auto *kernelTable = flatbuffers::GetRoot<pkg::Kernel>(fbb.GetBufferPointer());

  KernelSignature sig;
  sig.op = kernelName(op);
  sig.node = "constant folding";
  sig.attrs = Attrs(kernelTable->attrs());
  for (int i : inputIndex) {
    sig.inputs.push_back(i < 0 ? nullptr : &views[size_t(i)]);
    sig.input_is_constant.push_back(true);
  }
  std::vector<TensorView *> outputs;
  for (size_t i = firstOutput; i < views.size(); ++i) {
    sig.outputs.push_back(&views[i]);
    outputs.push_back(&views[i]);
  }
  static TensorView absent;
  std::vector<const TensorView *> runInputs;
  for (const TensorView *v : sig.inputs) runInputs.push_back(v ? v : &absent);

  try {
    std::unique_ptr<Kernel> kernel = KernelRegistry::instance().create(sig, {Isa::Ref});
    kernel->prepare(sig);
    std::vector<uint64_t> scratch((kernel->scratchBytes() + 7) / 8 + 1);
    RunContext ctx;  // one thread: folding runs tiny shape computations
    ctx.scratch = reinterpret_cast<uint8_t *>(scratch.data());
    ctx.scratchStride = scratch.size() * sizeof(uint64_t);
    kernel->run(ctx, runInputs, outputs);
  } catch (const std::exception &) {
    return failure();  // e.g. an out-of-range Gather index: leave it to run time
  }
  std::vector<ElementsAttr> results;
  for (auto [i, r] : llvm::enumerate(op->getResults())) {
    const TensorView &v = views[firstOutput + i];
    const uint8_t *data = static_cast<const uint8_t *>(v.data);
    results.push_back(edge::makeConstantAttr(cast<RankedTensorType>(r.getType()),
                                             ArrayRef<uint8_t>(data, v.nbytes()), "folded"));
  }
  return results;
}

}  // namespace edgec
