// Reference GatherDequantize (issue 12): the token embedding lookup of a GGUF model whose
// embedding table stays in its stored type. data [V, E] (f32, f16, bf16 or a GGUF block
// type that ref::dequantizeRow decodes), indices i32/i64 [...] -> f32 [..., E]: each
// looked-up row is decoded on its own, so a step costs its tokens' rows, not the table.
// A q4_0, q8_0 or k-quant table stored in the GgufRows16 layout (a tied embedding that the
// head's GgufMatMul reads so: docs/architecture.md, "Weight layouts") is read in place:
// each looked-up row's blocks are put back as GGUF holds them (layouts::ggufRows16Block,
// the same bytes), then decoded as above, so the layout changes no output bit and costs
// no unpacked copy of the table.
#include <cstring>
#include <vector>

#include "ref/gguf_blocks.h"
#include "ref/util.h"
#include "register_kernels.h"

namespace edgec::rt::ref {
namespace {

class RefGatherDequantize final : public Kernel {
public:
  bool takesLayout(const KernelSignature &sig, size_t index) const override {
    return index == 0 && !sig.inputs.empty() && sig.inputs[0] &&
           sig.inputs[0]->layout.kind == layouts::Kind::GgufRows16;
  }

  void prepare(const KernelSignature &sig) override {
    requireInputCount(sig, 2, 2);
    const TensorView &data = requireInput(sig, 0, "data");
    const TensorView &indices = requireInput(sig, 1, "indices");
    const TensorView &y = requireOutput(sig, 0);
    if (data.dtype != DType::f32 && !canDequantizeRow(data.dtype))
      kernelFail(sig, std::string("unsupported dtype ") + dtypeName(data.dtype) +
                          " for data (f32, f16, bf16, q4_0, q4_1, q5_0, q5_1, q8_0, q2_k, q3_k, q4_k, q5_k, q6_k, "
                          "iq4_nl, iq4_xs)");
    requireDType(sig, indices, Types<int32_t, int64_t>{}, "indices");
    requireDType(sig, y, Types<float>{}, "the output");
    if (data.rank() != 2) kernelFail(sig, "data must be [V, E], got " + shapeStr(data.shape));
    V_ = data.shape[0];
    E_ = data.shape[1];
    const DTypeInfo &info = dtypeInfo(data.dtype);
    if (E_ % info.blockSize != 0)
      kernelFail(sig, std::string(info.name) + " rows hold whole blocks of " + std::to_string(info.blockSize) +
                          " elements, but E is " + std::to_string(E_));
    rowBytes_ = info.isBlock() ? size_t(E_ / info.blockSize) * info.blockBytes : size_t(E_) * (info.bits / 8);
    std::vector<int64_t> expected = indices.shape;
    expected.push_back(E_);
    requireShape(sig, y, expected, "output");
    dtype_ = data.dtype;
    layout_ = data.layout;
    if (layout_.kind != layouts::Kind::None &&
        (layout_.kind != layouts::Kind::GgufRows16 || layout_.N != V_ || layout_.rowBytes != int64_t(rowBytes_)))
      kernelFail(sig, std::string("the table's layout ") + layouts::kindName(layout_.kind) + " does not hold it");
    wideIndices_ = indices.dtype == DType::i64;
    node_ = sig.op + " node '" + sig.node + "'";
  }

  void run(const RunContext &ctx, const std::vector<const TensorView *> &in,
           const std::vector<TensorView *> &out) override {
    const uint8_t *data = in[0]->as<uint8_t>();
    const int64_t n = in[1]->numel();
    auto row = [&](int64_t i) -> int64_t {
      return wideIndices_ ? in[1]->as<int64_t>()[i] : in[1]->as<int32_t>()[i];
    };
    // Every index first, so a bad one fails before anything is written. Negative indices
    // are refused, not wrapped: a token id is never negative.
    for (int64_t i = 0; i < n; ++i)
      if (row(i) < 0 || row(i) >= V_)
        throw Error(node_ + ": index " + std::to_string(row(i)) + " (element " + std::to_string(i) +
                    " of indices) is outside the table's " + std::to_string(V_) + " rows");
    float *y = out[0]->as<float>();
    const int64_t grain = std::max<int64_t>(1, kMinElementsPerThread / std::max<int64_t>(1, E_));
    const bool rows16 = layout_.kind == layouts::Kind::GgufRows16;
    ctx.parallelFor(n, grain, [&](int64_t i0, int64_t i1, int) {
      std::vector<uint8_t> gguf(rows16 ? rowBytes_ : 0);  // a GgufRows16 row put back
      for (int64_t i = i0; i < i1; ++i) {
        const uint8_t *src = data + size_t(row(i)) * rowBytes_;
        if (rows16) {
          for (int64_t b = 0; b < layout_.K / layout_.block; ++b)
            layouts::ggufRows16Block(layout_, data, row(i), b, gguf.data() + b * layout_.blockBytes);
          src = gguf.data();
        }
        if (dtype_ == DType::f32) std::memcpy(y + i * E_, src, rowBytes_);
        else dequantizeRow(dtype_, src, y + i * E_, E_);
      }
    });
  }

private:
  DType dtype_ = DType::f32;
  int64_t V_ = 0, E_ = 0;
  size_t rowBytes_ = 0;
  layouts::Desc layout_;  // kind None: GGUF rows; GgufRows16: read in place
  bool wideIndices_ = false;
  std::string node_;
};

}  // namespace
}  // namespace edgec::rt::ref

namespace edgec::rt {
void registerRefGatherDequantize(KernelRegistry &r) {
  r.add<ref::RefGatherDequantize>("GatherDequantize", Isa::Ref);
}
}  // namespace edgec::rt
