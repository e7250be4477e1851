// Importers of neural-network ONNX ops: matrix products, convolution, pooling,
// normalization and softmax. Window attributes (auto_pad) are resolved here.
#include "GraphImporter.h"

#include "edge/ConstantData.h"
#include "mlir/IR/Matchers.h"

namespace edgec::onnx_frontend {

template <typename OpTy> void GraphImporter::importSoftmax(const onnx::NodeProto &n) {
  Value x = input(n, 0);
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  int64_t axis = normalizeAxis(attrInt(n, "axis", -1), rank, where(n));
  define(n, 0, builder_.create<OpTy>(loc(n), resultType(n), x, builder_.getI64IntegerAttr(axis)));
}

void GraphImporter::importLayerNorm(const onnx::NodeProto &n) {
  Value x = input(n, 0);
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  int64_t axis = normalizeAxis(attrInt(n, "axis", -1), rank, where(n));
  if (attrInt(n, "stash_type", 1) != 1) throw ImportError(where(n) + ": only stash_type=1 (float32) is supported");
  // Results: Y, then Mean and InvStdDev up to the last one the graph uses.
  int numResults = 1;
  for (int i = 1; i < n.output_size(); ++i)
    if (!n.output(i).empty()) numResults = i + 1;
  SmallVector<Type> types;
  for (int i = 0; i < numResults; ++i) {
    if (i < n.output_size() && !n.output(i).empty()) {
      types.push_back(resultType(n, i));
    } else {  // unused Mean: its shape is fixed by X and axis
      auto xt = cast<RankedTensorType>(x.getType());
      SmallVector<int64_t> s(xt.getShape().take_front(axis));
      s.append(rank - axis, 1);
      types.push_back(RankedTensorType::get(s, xt.getElementType()));
    }
  }
  auto op = builder_.create<LayerNormalizationOp>(loc(n), types, x, input(n, 1), input(n, 2),
                                                  builder_.getI64IntegerAttr(axis),
                                                  builder_.getF32FloatAttr(attrFloat(n, "epsilon", 1e-5f)));
  for (int i = 0; i < numResults; ++i) define(n, i, op.getResult(i));
}

void GraphImporter::importBatchNorm(const onnx::NodeProto &n) {
  if (attrInt(n, "training_mode", 0) != 0 || n.output_size() > 1)
    throw ImportError(where(n) + ": training-mode BatchNormalization is not supported (export in eval mode)");
  define(n, 0, builder_.create<BatchNormalizationOp>(
                   loc(n), resultType(n), input(n, 0), input(n, 1), input(n, 2), input(n, 3), input(n, 4),
                   builder_.getF32FloatAttr(attrFloat(n, "epsilon", 1e-5f))));
}

void GraphImporter::importGemm(const onnx::NodeProto &n) {
  define(n, 0, builder_.create<GemmOp>(loc(n), resultType(n), input(n, 0), input(n, 1), input(n, 2),
                                       builder_.getF32FloatAttr(attrFloat(n, "alpha", 1.0f)),
                                       builder_.getF32FloatAttr(attrFloat(n, "beta", 1.0f)),
                                       builder_.getI64IntegerAttr(attrInt(n, "transA", 0)),
                                       builder_.getI64IntegerAttr(attrInt(n, "transB", 0))));
}

GraphImporter::Window GraphImporter::window(const onnx::NodeProto &n, ArrayRef<int64_t> in,
                                            std::vector<int64_t> kernel) {
  size_t spatial = in.size() - 2;
  Window w;
  w.kernel = attrInts(n, "kernel_shape", kernel);
  if (w.kernel.size() != spatial) throw ImportError(where(n) + ": kernel_shape must have one entry per spatial dim");
  w.strides = attrInts(n, "strides", std::vector<int64_t>(spatial, 1));
  w.dilations = attrInts(n, "dilations", std::vector<int64_t>(spatial, 1));
  w.pads = attrInts(n, "pads", std::vector<int64_t>(2 * spatial, 0));
  if (w.strides.size() != spatial || w.dilations.size() != spatial || w.pads.size() != 2 * spatial)
    throw ImportError(where(n) + ": strides, dilations and pads must match the spatial rank");
  std::string autoPad = attrString(n, "auto_pad", "NOTSET");
  if (autoPad == "VALID") {
    std::fill(w.pads.begin(), w.pads.end(), 0);
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (size_t i = 0; i < spatial; ++i) {
      int64_t out = (in[2 + i] + w.strides[i] - 1) / w.strides[i];
      int64_t span = (w.kernel[i] - 1) * w.dilations[i] + 1;
      int64_t total = std::max<int64_t>(0, (out - 1) * w.strides[i] + span - in[2 + i]);
      int64_t small = total / 2, large = total - small;
      w.pads[i] = autoPad == "SAME_UPPER" ? small : large;
      w.pads[spatial + i] = autoPad == "SAME_UPPER" ? large : small;
    }
  } else if (autoPad != "NOTSET") {
    throw ImportError(where(n) + ": unknown auto_pad '" + autoPad + "'");
  }
  return w;
}

void GraphImporter::importConv(const onnx::NodeProto &n) {
  Value x = input(n, 0), w = input(n, 1);
  auto xt = cast<RankedTensorType>(x.getType());
  auto wt = cast<RankedTensorType>(w.getType());
  if (xt.getRank() < 3) throw ImportError(where(n) + ": input must have rank >= 3");
  Window win = window(n, xt.getShape(), std::vector<int64_t>(wt.getShape().begin() + 2, wt.getShape().end()));
  define(n, 0, builder_.create<ConvOp>(loc(n), resultType(n), x, w, input(n, 2), /*residual=*/Value(),
                                       builder_.getDenseI64ArrayAttr(win.strides),
                                       builder_.getDenseI64ArrayAttr(win.pads),
                                       builder_.getDenseI64ArrayAttr(win.dilations),
                                       builder_.getI64IntegerAttr(attrInt(n, "group", 1)),
                                       builder_.getStringAttr(""), builder_.getF32FloatAttr(0.0f),
                                       builder_.getF32FloatAttr(0.0f), /*conv_scale=*/nullptr,
                                       /*conv_zero_point=*/nullptr, /*table_ops=*/nullptr,
                                       /*table_args=*/nullptr, /*table_params=*/nullptr,
                                       /*thread_split=*/nullptr));
}

template <typename PoolOp> void GraphImporter::importPool(const onnx::NodeProto &n) {
  if (n.output_size() > 1 && !n.output(1).empty())
    throw ImportError(where(n) + ": the Indices output of MaxPool is not supported");
  if (attrInt(n, "storage_order", 0) != 0) throw ImportError(where(n) + ": storage_order=1 is not supported");
  Value x = input(n, 0);
  auto xt = cast<RankedTensorType>(x.getType());
  if (xt.getRank() < 3) throw ImportError(where(n) + ": input must have rank >= 3");
  Window win = window(n, xt.getShape(), {});
  auto op = builder_.create<PoolOp>(loc(n), resultType(n), x, builder_.getDenseI64ArrayAttr(win.kernel),
                                    builder_.getDenseI64ArrayAttr(win.strides),
                                    builder_.getDenseI64ArrayAttr(win.pads),
                                    builder_.getDenseI64ArrayAttr(win.dilations));
  if constexpr (std::is_same_v<PoolOp, AveragePoolOp>)
    op.setCountIncludePad(attrInt(n, "count_include_pad", 0));
  define(n, 0, op);
}

void GraphImporter::addNNImporters(ImporterTable &table) {
  table["Softmax"] = &GraphImporter::importSoftmax<SoftmaxOp>;
  table["LogSoftmax"] = &GraphImporter::importSoftmax<LogSoftmaxOp>;
  table["LayerNormalization"] = &GraphImporter::importLayerNorm;
  table["BatchNormalization"] = &GraphImporter::importBatchNorm;
  table["MatMul"] = &GraphImporter::importSimple<MatMulOp>;
  table["Det"] = &GraphImporter::importSimple<DetOp>;
  table["Gemm"] = &GraphImporter::importGemm;
  table["Conv"] = &GraphImporter::importConv;
  table["MaxPool"] = &GraphImporter::importPool<MaxPoolOp>;
  table["AveragePool"] = &GraphImporter::importPool<AveragePoolOp>;
  table["GlobalAveragePool"] = &GraphImporter::importSimple<GlobalAveragePoolOp>;
  table["GlobalMaxPool"] = &GraphImporter::importSimple<GlobalMaxPoolOp>;
}

}  // namespace edgec::onnx_frontend
