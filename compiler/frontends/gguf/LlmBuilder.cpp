// The edge module of a GGUF `llama`, `qwen2`, `qwen3`, `qwen3moe`, `gemma2`, `gemma3` or `phi3` model:
// prefill and decode over a KV cache (see edgec/GgufModel.h). The graph follows llama.cpp's
// build of these architectures (llm_build_llama, llm_build_qwen2, llm_build_qwen3,
// llm_build_gemma2_iswa, llm_build_gemma3_iswa, llama_model_phi3): token embedding (gemma:
// scaled), per block RMSNorm -> q/k/v projections (+ qwen2's biases; phi3: one fused matrix,
// its FFN's gate and up too) -> (qwen3, gemma3: each head's q and k
// RMSNorm) -> RoPE -> grouped-query attention over the cache (gemma's local layers: a
// sliding window; gemma2: soft-capped scores) -> output projection (gemma: RMSNorm) ->
// residual, RMSNorm -> SwiGLU FFN (gemma: GELU-gated, then RMSNorm; Mixtral, qwen3moe: the
// router's chosen experts' SwiGLU FFNs, weighted) -> residual; final
// RMSNorm and the output head (tied to the embedding when output.weight is absent; gemma2:
// soft-capped logits).
#include "edgec/GgufModel.h"

#include "edgec/GgufTokenizer.h"

#include <cmath>
#include <cstring>

#include "edge/ConstantData.h"
#include "edge/EdgeDialect.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/QuantOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/Support/Path.h"

using namespace mlir;

namespace edgec::gguf {
namespace {

// Tokens of the short prefill bucket (see build()).
constexpr int64_t kShortPrefill = 8;
// Tokens of the middle bucket of a chunk of S: S / 4 where that is more than twice the
// short bucket (0: none).
int64_t midPrefill(int64_t S) { return S / 4 > 2 * kShortPrefill ? S / 4 : 0; }

std::string prefixed(const GgufFile &file, const std::string &msg) { return file.path() + ": " + msg; }

// The types a GGUF weight may have for GgufMatMul / GatherDequantize.
const char *const kWeightTypes[] = {"f32",  "f16",  "bf16", "q4_0", "q4_1", "q5_0",   "q5_1",
                                    "q8_0", "q2_k", "q3_k", "q4_k", "q5_k", "q6_k", "iq4_nl", "iq4_xs"};
bool isReadableWeightType(const DTypeInfo &d) {
  for (const char *t : kWeightTypes)
    if (std::string_view(d.name) == t) return true;
  return false;
}
// "f32 f16 ... iq4_xs", for the error that refuses another type.
std::string readableWeightTypes() {
  std::string s;
  for (const char *t : kWeightTypes) s += (s.empty() ? "" : " ") + std::string(t);
  return s;
}

class HyperParamReader {
public:
  HyperParamReader(const GgufFile &file, std::string &error) : file_(file), error_(error) {}

  bool u64(const std::string &key, int64_t &out) {
    uint64_t v = 0;
    if (!file_.getU64(key, v, error_)) return false;
    if (v == 0 || v > (uint64_t(1) << 31)) return fail("key " + key + " = " + std::to_string(v) + " is out of range");
    out = int64_t(v);
    return true;
  }
  bool optionalU64(const std::string &key, int64_t &out) { return !file_.find(key) || u64(key, out); }
  bool optionalF32(const std::string &key, float &out) { return !file_.find(key) || file_.getF32(key, out, error_); }

  // A tensor that must exist with this outermost-first shape; `weight` allows the
  // matmul types, otherwise f32 only (norms and biases).
  const TensorInfo *tensor(const std::string &name, std::vector<int64_t> shape, bool weight, bool required = true) {
    const TensorInfo *t = file_.findTensor(name);
    if (!t) {
      if (required) fail("tensor " + name + " is missing");
      return nullptr;
    }
    if (t->shapeOuterFirst() != shape) {
      std::string want, got;
      for (int64_t d : shape) want += (want.empty() ? "" : "x") + std::to_string(d);
      for (int64_t d : t->shapeOuterFirst()) got += (got.empty() ? "" : "x") + std::to_string(d);
      fail("tensor " + name + " has shape " + got + " (outermost first), expected " + want);
      return nullptr;
    }
    if (weight ? !isReadableWeightType(*t->dtype) : std::string_view(t->dtype->name) != "f32") {
      fail("tensor " + name + " has type " + t->dtype->name + ", which edgec does not read here (" +
           (weight ? "supported: " + readableWeightTypes() : std::string("expected f32")) + ")");
      return nullptr;
    }
    return t;
  }

  // An f32 tensor of n divisors of RoPE's frequencies (rope_freqs.weight, LongRoPE's): each
  // must be finite and positive.
  bool ropeFactors(const std::string &name, int64_t n) {
    const TensorInfo *t = tensor(name, {n}, false);
    if (!t) return false;
    for (int64_t i = 0; i < n; ++i) {
      float factor;
      std::memcpy(&factor, t->data + i * sizeof(float), sizeof factor);
      if (!(std::isfinite(factor) && factor > 0))
        return fail("tensor " + name + "[" + std::to_string(i) + "] = " + std::to_string(factor) +
                    " must be finite and positive");
    }
    return true;
  }

  bool fail(const std::string &msg) {
    if (error_.empty()) error_ = prefixed(file_, msg);
    return false;
  }

private:
  const GgufFile &file_;
  std::string &error_;
};

// Builds the module; one instance per buildLlmModule call.
class LlmBuilder {
public:
  LlmBuilder(MLIRContext &ctx, std::shared_ptr<const GgufFile> file, const LlmHyperParams &hp,
             const TokenizerVocab &vocab, const LlmBuildOptions &opts, int64_t context, int64_t cacheRows)
      : ctx_(ctx), b_(&ctx), file_(std::move(file)), hp_(hp), vocab_(vocab), opts_(opts), context_(context),
        cacheRows_(cacheRows), ring_(ringRows(hp, opts, context)) {}

  OwningOpRef<ModuleOp> build(std::string &error);

private:
  Location loc(const std::string &name) { return NameLoc::get(b_.getStringAttr(name)); }
  RankedTensorType f32(ArrayRef<int64_t> shape) { return RankedTensorType::get(shape, b_.getF32Type()); }
  RankedTensorType i64(ArrayRef<int64_t> shape) { return RankedTensorType::get(shape, b_.getI64Type()); }

  mlir::Value weight(const std::string &name);  // a GGUF tensor as a constant (cached per function)
  // GGUF weights of one type and row length stacked row-wise into one constant `name`.
  mlir::Value stackedWeight(const std::string &name, ArrayRef<std::string> parts);
  Type elementType(const TensorInfo &t);
  mlir::Value optionalWeight(const std::string &name) { return file_->findTensor(name) ? weight(name) : mlir::Value(); }
  mlir::Value constantF32(const std::string &name, RankedTensorType type, const std::vector<float> &values);
  mlir::Value reshape(mlir::Value v, ArrayRef<int64_t> shape, const std::string &name);
  mlir::Value matmul(mlir::Value x, const std::string &w, const std::string &bias, const std::string &name);
  void projectQkv(mlir::Value h, const std::string &blk, mlir::Value &q, mlir::Value &k, mlir::Value &v);
  // x's last dimension cut into consecutive parts of these sizes (a Split).
  SmallVector<mlir::Value> splitRows(mlir::Value x, ArrayRef<int64_t> sizes, const std::string &name);
  mlir::Value rmsNorm(mlir::Value x, const std::string &scale, const std::string &name);
  // The FFN's gated activations: silu(gate) * up, and gemma3's gelu(gate) * up (GELU's tanh
  // form, as ggml_gelu), elementwise ops that edge-fuse-elementwise makes one pass.
  mlir::Value swiGlu(mlir::Value gate, mlir::Value up, const std::string &blk);
  mlir::Value geluGate(mlir::Value gate, mlir::Value up, const std::string &blk);
  // A mixture-of-experts FFN of h [S, E] (hp_.experts > 0).
  mlir::Value moeFfn(mlir::Value h, const std::string &blk, int64_t S);

  void declareStates(ModuleOp module);
  // What a function returns: the logits of the row `last` (an input; prefill), of its one
  // row (decode), or of every row (score).
  enum class Rows { Last, One, All };
  void buildFunction(ModuleOp module, const std::string &name, int64_t S, Rows rows);
  static void ropeTable(int64_t rows, int64_t dims, float base, float scale, const float *factors, float mscale,
                        std::vector<float> &cos, std::vector<float> &sin);
  DictionaryAttr llmAttributes();

  MLIRContext &ctx_;
  OpBuilder b_;
  std::shared_ptr<const GgufFile> file_;
  const LlmHyperParams &hp_;
  const TokenizerVocab &vocab_;
  std::string chatTemplate_;  // tokenizer.chat_template, or ""
  const LlmBuildOptions &opts_;
  const int64_t context_, cacheRows_;
  // The local layers' caches as mirrored rings of ring_ rows (2 ring_ rows a cache; 0:
  // rows by position, as the global layers'). A ring of R needs R >= window + S - 1 for
  // every function's S (KVCacheAttention); 2 S - 1 past the window keeps the rows of the
  // last 2 S - 1 positions before the window too, so that a session can go back (truncate:
  // a chat's edited turn, a prompt cache's common prefix) by at least a chunk before it
  // must refill (LlmSession::truncate). Used only where the ring is smaller than the
  // context, and not with --swa-full.
  static int64_t ringRows(const LlmHyperParams &hp, const LlmBuildOptions &opts, int64_t context) {
    const int64_t ring = hp.slidingWindow + 2 * opts.prefillChunk - 1;
    return hp.slidingWindow > 0 && !opts.swaFull && 2 * ring < context ? ring : 0;
  }
  const int64_t ring_;
  // Layer l's cache rows: a ring's 2 ring_, or the positions' cacheRows_.
  int64_t cacheRowsOf(int64_t l) const { return ring_ > 0 && hp_.isLocalLayer(l) ? 2 * ring_ : cacheRows_; }
  Type cacheElement_;
  llvm::StringMap<ElementsAttr> weights_;  // attributes are shared by both functions
  llvm::StringMap<mlir::Value> values_;          // constants of the function being built
  std::vector<float> cos_, sin_;            // RoPE of the global layers (all layers but gemma's local ones)
  std::vector<float> localCos_, localSin_;  // gemma3's local layers (empty: the global tables)
};

Type LlmBuilder::elementType(const TensorInfo &t) {
  std::string_view type = t.dtype->name;
  if (type == "f32") return b_.getF32Type();
  if (type == "f16") return b_.getF16Type();
  if (type == "bf16") return b_.getBF16Type();
  return edge::BlockType::get(&ctx_, type);
}

mlir::Value LlmBuilder::weight(const std::string &name) {
  if (mlir::Value v = values_.lookup(name)) return v;
  ElementsAttr &attr = weights_[name];
  const TensorInfo *t = file_->findTensor(name);
  if (!attr) {
    auto tensorType = RankedTensorType::get(t->shapeOuterFirst(), elementType(*t));
    // The bytes stay in the mapped file: the blob's deleter keeps the file alive.
    std::shared_ptr<const GgufFile> keep = file_;
    AsmResourceBlob blob(ArrayRef<char>(reinterpret_cast<const char *>(t->data), t->bytes), /*align=*/1,
                         [keep](void *, size_t, size_t) {}, /*dataIsMutable=*/false);
    attr = DenseResourceElementsAttr::get(tensorType, name, std::move(blob));
  }
  mlir::Value v = b_.create<edge::ConstantOp>(loc(name), attr.getType(), attr);
  values_[name] = v;
  return v;
}

mlir::Value LlmBuilder::stackedWeight(const std::string &name, ArrayRef<std::string> parts) {
  if (mlir::Value v = values_.lookup(name)) return v;
  ElementsAttr &attr = weights_[name];
  if (!attr) {
    // A GGUF row is self-contained (its blocks and their scales), so stacking matrices
    // row-wise is concatenating their bytes.
    std::vector<char> bytes;
    std::vector<int64_t> shape;
    for (const std::string &part : parts) {
      const TensorInfo *t = file_->findTensor(part);
      bytes.insert(bytes.end(), reinterpret_cast<const char *>(t->data), reinterpret_cast<const char *>(t->data) + t->bytes);
      std::vector<int64_t> s = t->shapeOuterFirst();
      if (shape.empty()) shape = s;
      else shape[0] += s[0];
    }
    auto tensorType = RankedTensorType::get(shape, elementType(*file_->findTensor(parts.front())));
    attr = DenseResourceElementsAttr::get(tensorType, name,
                                          HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, alignof(uint64_t)));
  }
  mlir::Value v = b_.create<edge::ConstantOp>(loc(name), attr.getType(), attr);
  values_[name] = v;
  return v;
}

mlir::Value LlmBuilder::constantF32(const std::string &name, RankedTensorType type, const std::vector<float> &values) {
  if (mlir::Value v = values_.lookup(name)) return v;
  ElementsAttr &attr = weights_[name];
  if (!attr)
    attr = edge::makeConstantAttr(
        type, ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(values.data()), values.size() * sizeof(float)),
        name);
  mlir::Value v = b_.create<edge::ConstantOp>(loc(name), type, attr);
  values_[name] = v;
  return v;
}

mlir::Value LlmBuilder::reshape(mlir::Value v, ArrayRef<int64_t> shape, const std::string &name) {
  auto type = RankedTensorType::get(shape, cast<RankedTensorType>(v.getType()).getElementType());
  return b_.create<edge::ReshapeOp>(loc(name), type, v);
}

mlir::Value LlmBuilder::matmul(mlir::Value x, const std::string &w, const std::string &bias, const std::string &name) {
  mlir::Value weightValue = weight(w);
  auto shape = llvm::to_vector(cast<RankedTensorType>(x.getType()).getShape());
  shape.back() = cast<RankedTensorType>(weightValue.getType()).getDimSize(0);
  mlir::Value biasValue = bias.empty() ? mlir::Value() : optionalWeight(bias);
  return b_.create<edge::GgufMatMulOp>(loc(name), f32(shape), x, weightValue, biasValue);
}

// A block's q, k and v projections. Where the three weights share a type (not in files
// that keep v at a higher precision, such as Q4_K_M's q6_k), one GgufMatMul over their
// rows stacked (q, k, v) and a Split: every output is the same row dot product as with
// three matmuls, but a decode step then makes one pass and one parallel dispatch where it
// made three, and the k and v projections alone (Hkv x D rows: 256 in Qwen2.5-1.5B, a
// few microseconds of work) cost more to split over threads than they save
// (docs/gguf-performance-log.md, fourteenth session).
// phi3's files hold that stacked matrix already (attn_qkv.weight).
void LlmBuilder::projectQkv(mlir::Value h, const std::string &blk, mlir::Value &q, mlir::Value &k, mlir::Value &v) {
  const int64_t D = hp_.headDim;
  if (hp_.fusedQkv) {
    mlir::Value qkv = matmul(h, blk + "attn_qkv.weight", "", blk + "attn_qkv");
    SmallVector<mlir::Value> parts =
        splitRows(qkv, {hp_.heads * D, hp_.kvHeads * D, hp_.kvHeads * D}, blk + "attn_qkv.split");
    q = parts[0];
    k = parts[1];
    v = parts[2];
    return;
  }
  const std::string names[] = {blk + "attn_q", blk + "attn_k", blk + "attn_v"};
  const TensorInfo *t[3];
  for (int i = 0; i < 3; ++i) t[i] = file_->findTensor(names[i] + ".weight");
  auto type = [&](int i) { return std::string_view(t[i]->dtype->name); };
  if (type(0) != type(1) || type(0) != type(2)) {
    mlir::Value *out[] = {&q, &k, &v};
    for (int i = 0; i < 3; ++i)
      *out[i] = matmul(h, names[i] + ".weight", hp_.attentionBias ? names[i] + ".bias" : "", names[i]);
    return;
  }
  SmallVector<std::string> weights, biases;
  std::vector<float> bias;
  for (const std::string &n : names) {
    weights.push_back(n + ".weight");
    if (!hp_.attentionBias) continue;
    const TensorInfo *b = file_->findTensor(n + ".bias");
    const float *data = reinterpret_cast<const float *>(b->data);
    bias.insert(bias.end(), data, data + b->bytes / sizeof(float));
  }
  const std::string fused = blk + "attn_qkv";
  mlir::Value w = stackedWeight(fused + ".weight", weights);
  const int64_t rows = cast<RankedTensorType>(w.getType()).getDimSize(0);
  mlir::Value biasValue = hp_.attentionBias ? constantF32(fused + ".bias", f32({rows}), bias) : mlir::Value();
  auto shape = llvm::to_vector(cast<RankedTensorType>(h.getType()).getShape());
  shape.back() = rows;
  mlir::Value qkv = b_.create<edge::GgufMatMulOp>(loc(fused), f32(shape), h, w, biasValue);
  SmallVector<mlir::Value> parts = splitRows(
      qkv, {t[0]->shapeOuterFirst()[0], t[1]->shapeOuterFirst()[0], t[2]->shapeOuterFirst()[0]}, fused + ".split");
  q = parts[0];
  k = parts[1];
  v = parts[2];
}

SmallVector<mlir::Value> LlmBuilder::splitRows(mlir::Value x, ArrayRef<int64_t> sizes, const std::string &name) {
  auto shape = llvm::to_vector(cast<RankedTensorType>(x.getType()).getShape());
  SmallVector<Type> types;
  for (int64_t size : sizes) {
    shape.back() = size;
    types.push_back(f32(shape));
  }
  auto split = b_.create<edge::SplitOp>(loc(name), types, x, mlir::Value(),
                                        b_.getI64IntegerAttr(int64_t(shape.size()) - 1));
  return SmallVector<mlir::Value>(split.getResults());
}

mlir::Value LlmBuilder::rmsNorm(mlir::Value x, const std::string &scale, const std::string &name) {
  auto type = cast<RankedTensorType>(x.getType());
  return b_.create<edge::RMSNormalizationOp>(loc(name), type, x, weight(scale),
                                             b_.getI64IntegerAttr(type.getRank() - 1),
                                             b_.getF32FloatAttr(hp_.rmsEpsilon));
}

mlir::Value LlmBuilder::swiGlu(mlir::Value gate, mlir::Value up, const std::string &blk) {
  mlir::Value sig = b_.create<edge::SigmoidOp>(loc(blk + "ffn_silu.sigmoid"), gate.getType(), gate);
  mlir::Value silu = b_.create<edge::MulOp>(loc(blk + "ffn_silu"), gate.getType(), gate, sig);
  return b_.create<edge::MulOp>(loc(blk + "ffn_swiglu"), gate.getType(), silu, up);
}

// 0.5 x (1 + tanh(sqrt(2 / pi) x (1 + 0.044715 x^2))) * up. ggml computes GELU through a
// table of f16 inputs and results (GGML_GELU_FP16): within ~1e-3 relative of this, which
// the LLM references' tolerances cover (test/e2e/llm_reference.py emulates the table).
mlir::Value LlmBuilder::geluGate(mlir::Value gate, mlir::Value up, const std::string &blk) {
  const Type t = gate.getType();
  auto scalar = [&](const char *name, float value) { return constantF32(name, f32({1}), {value}); };
  auto mul = [&](const std::string &n, mlir::Value a, mlir::Value b) -> mlir::Value {
    return b_.create<edge::MulOp>(loc(blk + n), t, a, b);
  };
  auto add = [&](const std::string &n, mlir::Value a, mlir::Value b) -> mlir::Value {
    return b_.create<edge::AddOp>(loc(blk + n), t, a, b);
  };
  mlir::Value one = scalar("gelu.one", 1.0f);
  mlir::Value inner = add("ffn_gelu.poly", mul("ffn_gelu.cube", mul("ffn_gelu.square", gate, gate),
                                               scalar("gelu.coef", 0.044715f)), one);
  inner = mul("ffn_gelu.inner", mul("ffn_gelu.arg", gate, inner), scalar("gelu.sqrt_2_over_pi", 0.7978845608f));
  mlir::Value tanh = b_.create<edge::TanhOp>(loc(blk + "ffn_gelu.tanh"), t, inner);
  mlir::Value half = mul("ffn_gelu.half", gate, scalar("gelu.half", 0.5f));
  mlir::Value gelu = mul("ffn_gelu", half, add("ffn_gelu.1p", tanh, one));
  return mul("ffn_geglu", gelu, up);
}

// llama.cpp's build_moe_ffn with softmax gating and the chosen weights renormalized (both
// architectures' norm_w): the router's logits (ffn_gate_inp, kept f32 in quantized files:
// f32 activations), their softmax, the top expertsUsed (TopK: best first, the lower index
// of equal ones), weights = their probabilities / max(sum, 2^-14) (ggml's clamp of the
// sum); each slot's expert's SwiGLU FFN by GgufMatMulId (ggml_mul_mat_id: its rows quantized
// to the weights' vec_dot type as a dense matmul's), its output times the slot's weight,
// the slots summed in order.
mlir::Value LlmBuilder::moeFfn(mlir::Value h, const std::string &blk, int64_t S) {
  const int64_t E = hp_.embedding, X = hp_.experts, U = hp_.expertsUsed, F = hp_.expertFfn;
  mlir::Value logits = matmul(h, blk + "ffn_gate_inp.weight", "", blk + "ffn_moe_logits");
  mlir::Value probs =
      b_.create<edge::SoftmaxOp>(loc(blk + "ffn_moe_probs"), f32({S, X}), logits, b_.getI64IntegerAttr(1));
  auto topk = b_.create<edge::TopKOp>(loc(blk + "ffn_moe_topk"), TypeRange{f32({S, U}), i64({S, U})}, probs,
                                      mlir::Value(), b_.getI64IntegerAttr(1), b_.getI64IntegerAttr(1));
  mlir::Value ids = topk.getIndices();
  mlir::Value sum = b_.create<edge::ReduceSumOp>(loc(blk + "ffn_moe_weights_sum"), f32({S, 1}), topk.getValues(),
                                                 mlir::Value(), b_.getDenseI64ArrayAttr({1}),
                                                 b_.getI64IntegerAttr(1), IntegerAttr());
  sum = b_.create<edge::MaxOp>(loc(blk + "ffn_moe_weights_sum_clamped"), f32({S, 1}),
                               ValueRange{sum, constantF32("moe_weights_sum_min", f32({1}), {6.103515625e-5f})});
  mlir::Value weights =
      b_.create<edge::DivOp>(loc(blk + "ffn_moe_weights_norm"), f32({S, U}), topk.getValues(), sum);
  auto expertMatmul = [&](mlir::Value x, const std::string &w, int64_t rows) {
    return b_.create<edge::GgufMatMulIdOp>(loc(blk + w), f32({S, U, rows}), x, weight(blk + w + ".weight"), ids)
        .getResult();
  };
  mlir::Value gate = expertMatmul(h, "ffn_gate_exps", F), up = expertMatmul(h, "ffn_up_exps", F);
  mlir::Value experts = expertMatmul(swiGlu(gate, up, blk), "ffn_down_exps", E);
  experts = b_.create<edge::MulOp>(loc(blk + "ffn_moe_weighted"), f32({S, U, E}), experts,
                                   reshape(weights, {S, U, 1}, blk + "ffn_moe_weights.col"));
  return b_.create<edge::ReduceSumOp>(loc(blk + "ffn_moe_out"), f32({S, E}), experts, mlir::Value(),
                                      b_.getDenseI64ArrayAttr({1}), b_.getI64IntegerAttr(0), IntegerAttr());
}

// cos/sin of every position and frequency (rows x dims / 2, dims the rotated values of a head),
// computed as ggml's rope cache does (f32: theta starts at the position and is multiplied by
// base^(-2/dims) per pair; divided by
// the per-frequency factors of rope_freqs.weight or phi3's LongRoPE if present; scaled by
// 1/ropeScale; cos and sin times mscale, ggml's attn_factor), so the angles agree with
// llama.cpp's to the last bit where libm's cosf/sinf agree.
void LlmBuilder::ropeTable(int64_t rows, int64_t dims, float base, float scale, const float *factors, float mscale,
                           std::vector<float> &cos, std::vector<float> &sin) {
  const int64_t half = dims / 2;
  const float thetaScale = std::pow(base, -2.0f / float(dims));
  const float freqScale = 1.0f / scale;
  cos.resize(size_t(rows * half));
  sin.resize(cos.size());
  for (int64_t p = 0; p < rows; ++p) {
    float theta = float(p);
    for (int64_t i = 0; i < half; ++i) {
      const float angle = freqScale * (factors ? theta / factors[i] : theta);
      cos[size_t(p * half + i)] = std::cos(angle) * mscale;
      sin[size_t(p * half + i)] = std::sin(angle) * mscale;
      theta *= thetaScale;
    }
  }
}

void LlmBuilder::declareStates(ModuleOp module) {
  b_.setInsertionPointToEnd(module.getBody());
  auto declare = [&](const std::string &name, RankedTensorType t) {
    b_.create<edge::StateOp>(loc(name), b_.getStringAttr(name), TypeAttr::get(t), ElementsAttr());
  };
  for (int64_t l = 0; l < hp_.layers; ++l) {
    const int64_t rows = cacheRowsOf(l);
    auto type = RankedTensorType::get({hp_.kvHeads, rows, hp_.headDim}, cacheElement_);
    auto scales = RankedTensorType::get({hp_.kvHeads, rows}, b_.getF32Type());
    for (const char *kind : {"k_cache", "v_cache"}) {
      declare("blk." + std::to_string(l) + "." + kind, type);
      if (cacheElement_.isInteger(8)) declare("blk." + std::to_string(l) + "." + kind + ".scales", scales);
    }
  }
}

void LlmBuilder::buildFunction(ModuleOp module, const std::string &name, int64_t S, Rows rows) {
  values_.clear();
  b_.setInsertionPointToEnd(module.getBody());
  SmallVector<Type> inputs{RankedTensorType::get({S}, b_.getI32Type()), i64({1})};
  if (rows == Rows::Last) inputs.push_back(i64({1}));
  const int64_t outRows = rows == Rows::All ? S : 1;
  auto func = b_.create<func::FuncOp>(loc(name), name, b_.getFunctionType(inputs, {f32({outRows, hp_.vocab})}));
  const char *argNames[] = {rows == Rows::One ? "token" : "tokens", "pos", "last"};
  for (unsigned i = 0; i < inputs.size(); ++i) func.setArgAttr(i, "edge.name", b_.getStringAttr(argNames[i]));
  func.setResultAttr(0, "edge.name", b_.getStringAttr("logits"));
  Block *body = func.addEntryBlock();
  b_.setInsertionPointToStart(body);
  mlir::Value tokens = body->getArgument(0), pos = body->getArgument(1);

  const int64_t E = hp_.embedding, D = hp_.headDim, Hq = hp_.heads, Hkv = hp_.kvHeads;
  mlir::Value x = b_.create<edge::GatherDequantizeOp>(loc("token_embd"), f32({S, E}), weight("token_embd.weight"), tokens);
  if (hp_.gemma)  // ggml_scale by sqrtf(n_embd), as llama.cpp's gemma3 graph
    x = b_.create<edge::MulOp>(loc("token_embd.scale"), f32({S, E}), x,
                               constantF32("embedding_scale", f32({1}), {std::sqrt(float(E))}));
  if (hp_.embeddingScale != 0.f)  // granite's ggml_scale
    x = b_.create<edge::MulOp>(loc("token_embd.scale"), f32({S, E}), x,
                               constantF32("embedding_scale", f32({1}), {hp_.embeddingScale}));
  // granite: a branch's output times residual_scale before its residual add.
  auto residualScaled = [&](mlir::Value branch, const std::string &name) -> mlir::Value {
    if (hp_.residualScale == 0.f) return branch;
    return b_.create<edge::MulOp>(loc(name), branch.getType(), branch,
                                  constantF32("residual_scale", f32({1}), {hp_.residualScale}));
  };

  // Positions pos .. pos+S-1 for RoPE, and the cache rows' start [0, pos, 0].
  std::vector<int64_t> iota(static_cast<size_t>(S)), zero{0};
  for (int64_t i = 0; i < S; ++i) iota[size_t(i)] = i;
  auto i64Const = [&](const std::string &n, const std::vector<int64_t> &v) -> mlir::Value {
    auto type = i64({int64_t(v.size())});
    return b_.create<edge::ConstantOp>(loc(n), type, DenseElementsAttr::get(type, ArrayRef<int64_t>(v)));
  };
  mlir::Value positions = b_.create<edge::AddOp>(loc("positions"), i64({S}), pos, i64Const("offsets", iota));
  positions = reshape(positions, {1, S}, "position_ids");
  mlir::Value zeroIndex = i64Const("zero", zero);
  mlir::Value starts = b_.create<edge::ConcatOp>(loc("cache_start"), i64({3}), ValueRange{zeroIndex, pos, zeroIndex},
                                                 b_.getI64IntegerAttr(0));
  mlir::Value scaleStarts;  // [0, pos]: where an int8 cache's scales of this step go
  if (cacheElement_.isInteger(8))
    scaleStarts = b_.create<edge::ConcatOp>(loc("cache_scale_start"), i64({2}), ValueRange{zeroIndex, pos},
                                            b_.getI64IntegerAttr(0));
  const int64_t half = hp_.ropeDims / 2;
  mlir::Value cosTable = constantF32("rope_cos", f32({cacheRows_, half}), cos_);
  mlir::Value sinTable = constantF32("rope_sin", f32({cacheRows_, half}), sin_);
  mlir::Value localCos = cosTable, localSin = sinTable;
  if (!localCos_.empty()) {
    localCos = constantF32("rope_cos_local", f32({cacheRows_, half}), localCos_);
    localSin = constantF32("rope_sin_local", f32({cacheRows_, half}), localSin_);
  }
  for (int64_t l = 0; l < hp_.layers; ++l) {
    const std::string blk = "blk." + std::to_string(l) + ".";
    const bool local = hp_.isLocalLayer(l), ring = local && ring_ > 0;
    const int64_t layerRows = cacheRowsOf(l);
    auto cacheType = RankedTensorType::get({Hkv, layerRows, D}, cacheElement_);
    auto rope = [&](mlir::Value v, int64_t heads, const std::string &n) -> mlir::Value {
      mlir::Value v3 = reshape(v, {1, S, heads * D}, n + ".3d");
      return b_.create<edge::RotaryEmbeddingOp>(loc(n), f32({1, S, heads * D}), v3, local ? localCos : cosTable,
                                                local ? localSin : sinTable, positions,
                                                b_.getI64IntegerAttr(heads),
                                                b_.getI64IntegerAttr(hp_.neoxRope ? 0 : 1),
                                                b_.getI64IntegerAttr(hp_.ropeDims == D ? 0 : hp_.ropeDims));
    };
    // A step's rows into the cache state (in place), and for an int8 cache their scales
    // into the scale state; returns the updated cache (and `scales`).
    // A ring takes the rows at their positions mod ring_ (KVCacheRingWrite, `at` unused).
    auto update = [&](const std::string &state, RankedTensorType type, mlir::Value rows, mlir::Value at) {
      mlir::Value old = b_.create<edge::StateReadOp>(loc(state + ".read"), type, state);
      mlir::Value updated =
          ring ? b_.create<edge::KVCacheRingWriteOp>(loc(state + ".update"), type, old, rows, pos,
                                                     b_.getI64IntegerAttr(ring_))
                     .getResult()
               : b_.create<edge::DynamicUpdateSliceOp>(loc(state + ".update"), type, old, rows, at).getResult();
      b_.create<edge::StateWriteOp>(loc(state + ".write"), state, updated);
      return updated;
    };
    // The step's [S, Hkv * D] as the cache's [Hkv, S, D] (a decode step's one row: a
    // reshape; a prefill chunk's: a transpose).
    auto toCache = [&](mlir::Value v, const char *kind, mlir::Value &scales) -> mlir::Value {
      mlir::Value rows;
      if (S == 1) {
        rows = reshape(v, {Hkv, 1, D}, blk + kind + ".rows");
      } else {
        rows = b_.create<edge::TransposeOp>(loc(blk + kind + ".rows"), f32({Hkv, S, D}),
                                            reshape(v, {S, Hkv, D}, blk + kind + ".heads"),
                                            b_.getDenseI64ArrayAttr({1, 0, 2}));
      }
      auto stepType = RankedTensorType::get({Hkv, S, D}, cacheElement_);
      if (cacheElement_.isInteger(8)) {
        auto quant = b_.create<edge::DynamicQuantizeRowsOp>(loc(blk + kind + ".quantize"), stepType,
                                                            f32({Hkv, S}), rows);
        scales = update(blk + kind + ".scales", f32({Hkv, layerRows}), quant.getScales(), scaleStarts);
        rows = quant.getOutput();
      } else if (!cacheElement_.isF32()) {
        rows = b_.create<edge::CastOp>(loc(blk + kind + ".cast"), stepType, rows);
      }
      return update(blk + kind, cacheType, rows, starts);
    };

    mlir::Value h = rmsNorm(x, blk + "attn_norm.weight", blk + "attn_norm");
    mlir::Value q, k, v;
    projectQkv(h, blk, q, k, v);
    if (hp_.qkNorm) {  // over each head's D elements, one weight for every head
      auto headNorm = [&](mlir::Value x, int64_t heads, const std::string &kind) {
        mlir::Value perHead = reshape(x, {S, heads, D}, blk + kind + ".heads_norm");
        mlir::Value normed = rmsNorm(perHead, blk + "attn_" + kind + "_norm.weight", blk + "attn_" + kind + "_norm");
        return reshape(normed, {S, heads * D}, blk + kind + ".normed");
      };
      q = headNorm(q, Hq, "q");
      k = headNorm(k, Hkv, "k");
    }
    q = rope(q, Hq, blk + "rope_q");
    k = rope(k, Hkv, blk + "rope_k");
    // llama.cpp scales gemma3's queries (then rounds them to f16 below), the others' scores:
    // the same order keeps the same roundings.
    float scoreScale = hp_.attentionScale;
    if (hp_.gemma) {
      q = b_.create<edge::MulOp>(loc(blk + "q.scale"), q.getType(), q,
                                 constantF32("attention_scale", f32({1}), {hp_.attentionScale}));
      scoreScale = 1.0f;
    }
    mlir::Value keyScales, valueScales;
    mlir::Value keys = toCache(k, "k_cache", keyScales), vals = toCache(v, "v_cache", valueScales);
    // Against an f16 cache the queries are rounded to f16 first, as ggml's matmul of an f16
    // K with f32 queries does (its vec_dot_f16 rounds the f32 operand): the same rule as
    // GgufMatMul's for f16 weights, which keeps greedy decoding on llama.cpp's path.
    mlir::Value qHeads = reshape(q, {S, Hq, D}, blk + "q.heads");
    if (cacheElement_.isF16()) {
      qHeads = b_.create<edge::CastOp>(loc(blk + "q.round"), RankedTensorType::get({S, Hq, D}, cacheElement_), qHeads);
      qHeads = b_.create<edge::CastOp>(loc(blk + "q.widen"), f32({S, Hq, D}), qHeads);
    }
    mlir::Value attn = b_.create<edge::KVCacheAttentionOp>(
        loc(blk + "attention"), f32({S, Hq, D}), qHeads, keys, vals, pos, keyScales, valueScales,
        b_.getF32FloatAttr(scoreScale), b_.getI64IntegerAttr(local ? hp_.slidingWindow : 0),
        b_.getI64IntegerAttr(ring ? ring_ : 0), b_.getF32FloatAttr(hp_.attentionSoftcap));
    mlir::Value o = matmul(reshape(attn, {S, Hq * D}, blk + "attention.flat"), blk + "attn_output.weight", "",
                     blk + "attn_output");
    if (hp_.gemma) o = rmsNorm(o, blk + "post_attention_norm.weight", blk + "post_attention_norm");
    o = residualScaled(o, blk + "attn_output.scale");
    x = b_.create<edge::AddOp>(loc(blk + "attn_residual"), f32({S, E}), x, o);

    h = rmsNorm(x, blk + "ffn_norm.weight", blk + "ffn_norm");
    if (hp_.experts > 0) {
      x = b_.create<edge::AddOp>(loc(blk + "ffn_residual"), f32({S, E}), x, moeFfn(h, blk, S));
      continue;
    }
    mlir::Value gate, up;
    if (hp_.fusedGateUp) {  // phi3: one matrix, the gate's rows first (ggml_swiglu's halves)
      mlir::Value gateUp = matmul(h, blk + "ffn_up.weight", "", blk + "ffn_gate_up");
      SmallVector<mlir::Value> halves = splitRows(gateUp, {hp_.ffn, hp_.ffn}, blk + "ffn_up.split");
      gate = halves[0];
      up = halves[1];
    } else {
      gate = matmul(h, blk + "ffn_gate.weight", "", blk + "ffn_gate");
      up = matmul(h, blk + "ffn_up.weight", "", blk + "ffn_up");
    }
    mlir::Value act = hp_.gemma ? geluGate(gate, up, blk) : swiGlu(gate, up, blk);
    mlir::Value down = matmul(act, blk + "ffn_down.weight", "", blk + "ffn_down");
    if (hp_.gemma) down = rmsNorm(down, blk + "post_ffw_norm.weight", blk + "post_ffw_norm");
    down = residualScaled(down, blk + "ffn_down.scale");
    x = b_.create<edge::AddOp>(loc(blk + "ffn_residual"), f32({S, E}), x, down);
  }
  if (rows == Rows::Last)
    x = b_.create<edge::GatherOp>(loc("last_row"), f32({1, E}), x, body->getArgument(2), b_.getI64IntegerAttr(0));
  x = rmsNorm(x, "output_norm.weight", "output_norm");
  mlir::Value logits = matmul(x, hp_.tiedOutput ? "token_embd.weight" : "output.weight", "", "output");
  if (hp_.logitScale != 0.f)  // granite: ggml_scale by 1 / logit_scale
    logits = b_.create<edge::MulOp>(loc("output.scale"), logits.getType(), logits,
                                    constantF32("logit_scale_inverse", f32({1}), {1.0f / hp_.logitScale}));
  if (hp_.finalSoftcap > 0) {  // gemma2: ggml_scale by 1 / c, ggml_tanh, ggml_scale by c
    auto type = cast<RankedTensorType>(logits.getType());
    logits = b_.create<edge::MulOp>(loc("output.softcap_in"), type, logits,
                                    constantF32("final_softcap_inverse", f32({1}), {1.0f / hp_.finalSoftcap}));
    logits = b_.create<edge::TanhOp>(loc("output.softcap_tanh"), type, logits);
    logits = b_.create<edge::MulOp>(loc("output.softcap"), type, logits,
                                    constantF32("final_softcap", f32({1}), {hp_.finalSoftcap}));
  }
  b_.create<func::ReturnOp>(loc("return"), logits);
}

// What `edgec generate` needs besides the functions, as the package's metadata: the
// context, the prefill chunk and the tokenizer. The tokenizer is written as the vocabulary
// the compiler read and checked (vocabFromGguf: llama.cpp's defaults applied, every id and
// flag explicit), under the GGUF key names, so the runtime reads it back without
// re-deriving anything (llm_session.cpp).
DictionaryAttr LlmBuilder::llmAttributes() {
  SmallVector<NamedAttribute> entries;
  auto add = [&](const char *key, Attribute value) { entries.push_back(b_.getNamedAttr(key, value)); };
  auto strings = [&](const std::vector<std::string> &items) {
    SmallVector<Attribute> attrs;
    attrs.reserve(items.size());
    for (const std::string &item : items) attrs.push_back(b_.getStringAttr(item));
    return b_.getArrayAttr(attrs);
  };
  const TokenizerVocab &v = vocab_;
  add("tokenizer.ggml.model", b_.getStringAttr(v.model));
  add("tokenizer.ggml.pre", b_.getStringAttr(v.pre));
  add("tokenizer.ggml.tokens", strings(v.tokens));
  add("tokenizer.ggml.scores", DenseF32ArrayAttr::get(&ctx_, v.scores));
  add("tokenizer.ggml.token_type", DenseI64ArrayAttr::get(&ctx_, SmallVector<int64_t>(v.types.begin(), v.types.end())));
  add("tokenizer.ggml.merges", strings(v.merges));
  const std::pair<const char *, int32_t> ids[] = {
      {"tokenizer.ggml.bos_token_id", v.bos},     {"tokenizer.ggml.eos_token_id", v.eos},
      {"tokenizer.ggml.unknown_token_id", v.unk}, {"tokenizer.ggml.padding_token_id", v.pad},
      {"tokenizer.ggml.eot_token_id", v.eot},     {"tokenizer.ggml.eom_token_id", v.eom}};
  for (const auto &[key, id] : ids) add(key, b_.getI64IntegerAttr(id));
  add("tokenizer.ggml.add_bos_token", b_.getBoolAttr(v.addBos));
  add("tokenizer.ggml.add_eos_token", b_.getBoolAttr(v.addEos));
  add("tokenizer.ggml.add_space_prefix", b_.getBoolAttr(v.addSpacePrefix));
  // llama.cpp's per-token strip attributes, which vocabFromGguf derived from the model's
  // name (GGUF has no key for them): Phi-3's special tokens drop the whitespace after them.
  auto idList = [&](const std::vector<int32_t> &list) {
    return DenseI64ArrayAttr::get(&ctx_, SmallVector<int64_t>(list.begin(), list.end()));
  };
  if (!v.lstrip.empty()) add("tokenizer.edgec.lstrip", idList(v.lstrip));
  if (!v.rstrip.empty()) add("tokenizer.edgec.rstrip", idList(v.rstrip));
  // The model's Jinja chat template, as the file has it: `edgec generate --chat` picks
  // its format from it (runtime/src/chat_template.cpp).
  if (!chatTemplate_.empty()) add("tokenizer.chat_template", b_.getStringAttr(chatTemplate_));
  add("llm.architecture", b_.getStringAttr(hp_.arch));
  add("llm.context_length", b_.getI64IntegerAttr(context_));
  add("llm.prefill_chunk", b_.getI64IntegerAttr(opts_.prefillChunk));
  if (opts_.prefillChunk > kShortPrefill) add("llm.prefill_short", b_.getI64IntegerAttr(kShortPrefill));
  if (const int64_t mid = midPrefill(opts_.prefillChunk)) add("llm.prefill_mid", b_.getI64IntegerAttr(mid));
  if (opts_.scoreChunk > 0) add("llm.score_chunk", b_.getI64IntegerAttr(opts_.scoreChunk));
  add("llm.vocab_size", b_.getI64IntegerAttr(hp_.vocab));
  add("llm.kv_cache", b_.getStringAttr(opts_.kvCache));
  if (hp_.experts > 0) {  // what `edgec inspect` says of a mixture of experts
    add("llm.expert_count", b_.getI64IntegerAttr(hp_.experts));
    add("llm.expert_used_count", b_.getI64IntegerAttr(hp_.expertsUsed));
  }
  // The local layers' rings (LlmSession::truncate needs how far back they reach).
  if (ring_ > 0) {
    add("llm.sliding_window", b_.getI64IntegerAttr(hp_.slidingWindow));
    add("llm.kv_ring", b_.getI64IntegerAttr(ring_));
  }
  return b_.getDictionaryAttr(entries);
}

OwningOpRef<ModuleOp> LlmBuilder::build(std::string &error) {
  llvm::StringRef chatTemplate;
  if (file_->find("tokenizer.chat_template") && !file_->getString("tokenizer.chat_template", chatTemplate, error))
    return nullptr;
  chatTemplate_ = chatTemplate.str();
  cacheElement_ = opts_.kvCache == "f32"    ? Type(b_.getF32Type())
                  : opts_.kvCache == "int8" ? Type(b_.getIntegerType(8))
                                            : Type(b_.getF16Type());
  const float *factors = nullptr;
  if (const TensorInfo *t = file_->findTensor("rope_freqs.weight")) factors = reinterpret_cast<const float *>(t->data);
  else if (hp_.longRope)
    factors = reinterpret_cast<const float *>(
        file_->findTensor(context_ > hp_.ropeOriginalContext ? "rope_factors_long.weight" : "rope_factors_short.weight")
            ->data);
  ropeTable(cacheRows_, hp_.ropeDims, hp_.ropeBase, hp_.ropeScale, factors, hp_.ropeAttnFactor, cos_, sin_);
  // The local layers' (llama.cpp's rope_freq_base_train_swa and rope_freq_scale_train_swa):
  // gemma3's base 10000 and no scaling, gemma2's the global ones (then the global tables
  // serve them); their files have no rope_freqs.
  if (hp_.slidingWindow > 0 &&
      (hp_.localRopeBase != hp_.ropeBase || hp_.localRopeScale != hp_.ropeScale || factors))
    ropeTable(cacheRows_, hp_.ropeDims, hp_.localRopeBase, hp_.localRopeScale, nullptr, hp_.ropeAttnFactor, localCos_,
              localSin_);
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc(file_->path()));
  (*module)->setAttr("edge.model_name", b_.getStringAttr(llvm::sys::path::stem(file_->path())));
  (*module)->setAttr("edge.metadata", llmAttributes());
  declareStates(*module);
  buildFunction(*module, "prefill", opts_.prefillChunk, Rows::Last);
  // A short prompt (or a chunk's tail) runs in the smaller buckets instead of a mostly
  // padded chunk: the first token comes sooner (LlmSession picks the calls).
  if (const int64_t mid = midPrefill(opts_.prefillChunk)) buildFunction(*module, "prefill_mid", mid, Rows::Last);
  if (opts_.prefillChunk > kShortPrefill) buildFunction(*module, "prefill_short", kShortPrefill, Rows::Last);
  buildFunction(*module, "decode", 1, Rows::One);
  if (opts_.scoreChunk > 0) buildFunction(*module, "score", opts_.scoreChunk, Rows::All);
  return module;
}

}  // namespace

bool readLlmHyperParams(const GgufFile &file, LlmHyperParams &hp, std::string &error) {
  HyperParamReader r(file, error);
  hp.arch = file.arch().str();
  if (hp.arch != "llama" && hp.arch != "qwen2" && hp.arch != "qwen3" && hp.arch != "qwen3moe" && hp.arch != "gemma2" &&
      hp.arch != "gemma3" && hp.arch != "phi3" && hp.arch != "granite")
    return r.fail("architecture '" + hp.arch +
                  "' is not supported (supported: llama, qwen2, qwen3, qwen3moe, gemma2, gemma3, phi3, granite)");
  const std::string a = hp.arch + ".";
  if (!r.u64(a + "block_count", hp.layers) || !r.u64(a + "embedding_length", hp.embedding) ||
      !r.u64(a + "feed_forward_length", hp.ffn) || !r.u64(a + "attention.head_count", hp.heads) ||
      !r.u64(a + "context_length", hp.contextLength))
    return false;
  hp.kvHeads = hp.heads;
  if (!r.optionalU64(a + "attention.head_count_kv", hp.kvHeads)) return false;
  // Experts: llama (Mixtral) and qwen3moe, as llama.cpp builds them; qwen3moe's experts are
  // expert_feed_forward_length wide (llama.cpp's default where it is absent:
  // feed_forward_length / expert_used_count), Mixtral's feed_forward_length.
  if (file.find(a + "expert_count") && !r.u64(a + "expert_count", hp.experts)) return false;
  if (hp.arch == "qwen3moe" && hp.experts == 0) return r.fail("key " + a + "expert_count is missing");
  if (hp.experts > 0) {
    if (hp.arch != "llama" && hp.arch != "qwen3moe")
      return r.fail("key " + a + "expert_count = " + std::to_string(hp.experts) +
                    ": mixture-of-experts " + hp.arch + " models are not supported (llama and qwen3moe are)");
    if (!r.u64(a + "expert_used_count", hp.expertsUsed)) return false;
    if (hp.expertsUsed > hp.experts)
      return r.fail("key " + a + "expert_used_count = " + std::to_string(hp.expertsUsed) + " exceeds expert_count " +
                    std::to_string(hp.experts));
    hp.expertFfn = hp.arch == "qwen3moe" ? hp.ffn / hp.expertsUsed : hp.ffn;
    if (hp.arch == "qwen3moe" && !r.optionalU64(a + "expert_feed_forward_length", hp.expertFfn)) return false;
    if (hp.expertFfn <= 0) return r.fail("the experts' feed-forward length is 0");
  }
  // The head size: attention.key_length where given (Qwen3's heads are not embedding /
  // heads wide), else embedding_length / head_count.
  if (file.find(a + "attention.key_length")) {
    if (!r.u64(a + "attention.key_length", hp.headDim)) return false;
  } else if (hp.embedding % hp.heads) {
    return r.fail("embedding_length is not a multiple of attention.head_count (and no attention.key_length)");
  } else {
    hp.headDim = hp.embedding / hp.heads;
  }
  int64_t valueLength = hp.headDim;
  hp.ropeDims = hp.headDim;
  if (!r.optionalU64(a + "attention.value_length", valueLength) ||
      !r.optionalU64(a + "rope.dimension_count", hp.ropeDims))
    return false;
  if (valueLength != hp.headDim) return r.fail("attention.value_length differs from key_length (not supported)");
  if (hp.headDim % 2) return r.fail("the head size " + std::to_string(hp.headDim) + " is odd");
  // A partial rotary embedding (Phi-4-mini rotates 96 of its 128) where llama.cpp's graph
  // takes one: phi3, gemma2, gemma3. It refuses one in llama ("invalid n_rot"), qwen2, qwen3
  // and granite (GGML_ASSERT(n_embd_head == n_rot)).
  const bool partialRope = hp.arch == "phi3" || hp.arch == "gemma2" || hp.arch == "gemma3";
  if (hp.ropeDims != hp.headDim && !partialRope)
    return r.fail("rope.dimension_count " + std::to_string(hp.ropeDims) + " differs from the head size " +
                  std::to_string(hp.headDim) + " (a " + hp.arch + " model rotates whole heads)");
  if (hp.ropeDims <= 0 || hp.ropeDims > hp.headDim || hp.ropeDims % 2)
    return r.fail("rope.dimension_count " + std::to_string(hp.ropeDims) + " must be even and at most the head size " +
                  std::to_string(hp.headDim));
  if (hp.heads % hp.kvHeads)
    return r.fail("attention.head_count " + std::to_string(hp.heads) + " is not a multiple of head_count_kv " +
                  std::to_string(hp.kvHeads));
  // Float hyper-parameters that would turn every activation into NaN or inf: refused here,
  // by key, rather than by the runtime's check of the node they end up in.
  if (!file.getF32(a + "attention.layer_norm_rms_epsilon", hp.rmsEpsilon, error)) return false;
  if (!(std::isfinite(hp.rmsEpsilon) && hp.rmsEpsilon >= 0))
    return r.fail("key " + a + "attention.layer_norm_rms_epsilon = " + std::to_string(hp.rmsEpsilon) +
                  " must be finite and >= 0");
  if (!r.optionalF32(a + "rope.freq_base", hp.ropeBase)) return false;
  if (!(std::isfinite(hp.ropeBase) && hp.ropeBase > 0))
    return r.fail("key " + a + "rope.freq_base = " + std::to_string(hp.ropeBase) + " must be finite and positive");
  llvm::StringRef scaling = "none";
  if (file.find(a + "rope.scaling.type") && !file.getString(a + "rope.scaling.type", scaling, error)) return false;
  if (scaling == "linear") {
    if (!file.getF32(a + "rope.scaling.factor", hp.ropeScale, error)) return false;
    if (!(std::isfinite(hp.ropeScale) && hp.ropeScale > 0))
      return r.fail("key " + a + "rope.scaling.factor = " + std::to_string(hp.ropeScale) +
                    " must be finite and positive");
  } else if (scaling != "none") {
    return r.fail("rope.scaling.type '" + scaling.str() + "' is not supported (supported: none, linear)");
  }
  if (!r.optionalF32(a + "rope.scaling.attn_factor", hp.ropeAttnFactor)) return false;
  if (!(std::isfinite(hp.ropeAttnFactor) && hp.ropeAttnFactor > 0))
    return r.fail("key " + a + "rope.scaling.attn_factor = " + std::to_string(hp.ropeAttnFactor) +
                  " must be finite and positive");
  hp.neoxRope = hp.arch != "llama" && hp.arch != "granite";
  hp.attentionBias = hp.arch == "qwen2";
  hp.qkNorm = hp.arch == "qwen3" || hp.arch == "qwen3moe" || hp.arch == "gemma3";
  hp.gemma = hp.arch == "gemma2" || hp.arch == "gemma3";
  hp.attentionScale = 1.0f / std::sqrt(float(hp.headDim));
  if (hp.arch == "gemma2") {
    // llama.cpp's defaults where a key is absent: a window of 4096 on layers 0, 2, 4, ...
    // (set_swa_pattern(2)), every layer's RoPE alike, caps of 50 and 30; 27B (46 layers)
    // scales by embedding / heads.
    hp.slidingWindow = 4096;
    hp.attentionSoftcap = 50.0f;
    hp.finalSoftcap = 30.0f;
    if (!r.optionalU64(a + "attention.sliding_window", hp.slidingWindow) ||
        !r.optionalF32(a + "attn_logit_softcapping", hp.attentionSoftcap) ||
        !r.optionalF32(a + "final_logit_softcapping", hp.finalSoftcap))
      return false;
    for (const auto &[key, cap] : {std::pair{"attn_logit_softcapping", hp.attentionSoftcap},
                                   std::pair{"final_logit_softcapping", hp.finalSoftcap}})
      if (!(std::isfinite(cap) && cap > 0))
        return r.fail("key " + a + key + " = " + std::to_string(cap) + " must be finite and positive");
    if (hp.slidingWindow <= 0) return r.fail("key " + a + "attention.sliding_window must be positive");
    hp.swaPattern = 2;
    hp.localRopeBase = hp.ropeBase;
    hp.localRopeScale = hp.ropeScale;
    if (hp.layers == 46) hp.attentionScale = 1.0f / std::sqrt(float(hp.embedding / hp.heads));
  } else if (hp.arch == "phi3") {
    // llama.cpp runs Phi-3 without its sliding window (attention.sliding_window is read and
    // then dropped: "Phi SWA is currently disabled"), every layer over the whole context;
    // so does edgec, to give the same tokens.
    hp.fusedGateUp = true;
    hp.fusedQkv = file.findTensor("blk.0.attn_qkv.weight") != nullptr;
    hp.ropeOriginalContext = hp.contextLength;
    if (!r.optionalU64(a + "rope.scaling.original_context_length", hp.ropeOriginalContext)) return false;
    hp.longRope = file.findTensor("rope_factors_long.weight") || file.findTensor("rope_factors_short.weight");
  } else if (hp.arch == "granite") {
    // Granite 3.x (llama.cpp's llm_build_granite): llama's graph with four multipliers, read
    // as llama.cpp reads them: logit_scale required; embedding_scale, residual_scale and
    // attention.scale (the scores' scale, else 1 / sqrt(head size)) optional, 0 for none.
    float attentionScale = 0.f;
    if (!file.getF32(a + "logit_scale", hp.logitScale, error) ||
        !r.optionalF32(a + "embedding_scale", hp.embeddingScale) ||
        !r.optionalF32(a + "residual_scale", hp.residualScale) || !r.optionalF32(a + "attention.scale", attentionScale))
      return false;
    if (!(std::isfinite(hp.logitScale) && hp.logitScale > 0))
      return r.fail("key " + a + "logit_scale = " + std::to_string(hp.logitScale) + " must be finite and positive");
    for (const auto &[key, value] : {std::pair{"embedding_scale", hp.embeddingScale},
                                     std::pair{"residual_scale", hp.residualScale},
                                     std::pair{"attention.scale", attentionScale}})
      if (!(std::isfinite(value) && value >= 0))
        return r.fail("key " + a + key + " = " + std::to_string(value) + " must be finite and >= 0");
    if (attentionScale != 0.f) hp.attentionScale = attentionScale;
    // rope.scaling.finetuned false turns RoPE off on every layer in llama.cpp.
    bool finetuned = true;
    if (file.find(a + "rope.scaling.finetuned") && !file.getBool(a + "rope.scaling.finetuned", finetuned, error))
      return false;
    if (!finetuned)
      return r.fail("key " + a + "rope.scaling.finetuned is false (layers without RoPE are not supported)");
  } else if (hp.gemma) {
    // Every gemma3 file has its window (llama.cpp requires the key); its layers l with
    // l % 6 < 5 use it (llama.cpp's set_swa_pattern(6)).
    if (!r.u64(a + "attention.sliding_window", hp.slidingWindow)) return false;
    // Gemma 3 27B (62 layers) scales by its query_pre_attn_scalar, embedding / heads, the
    // others by 1 / sqrt(head size): the rule of llama.cpp, whose files do not carry it.
    if (hp.layers == 62) hp.attentionScale = 1.0f / std::sqrt(float(hp.embedding / hp.heads));
    float softcap = 0.f;
    if (!r.optionalF32(a + "final_logit_softcapping", softcap)) return false;
    if (softcap != 0.f) return r.fail("key " + a + "final_logit_softcapping is not supported");
  }

  const TensorInfo *embd = file.findTensor("token_embd.weight");
  if (!embd) return r.fail("tensor token_embd.weight is missing");
  if (embd->nDims != 2 || int64_t(embd->ne[0]) != hp.embedding)
    return r.fail("tensor token_embd.weight must be [vocab, " + std::to_string(hp.embedding) + "]");
  hp.vocab = int64_t(embd->ne[1]);
  const int64_t E = hp.embedding, D = hp.headDim;
  if (!r.tensor("token_embd.weight", {hp.vocab, E}, true) || !r.tensor("output_norm.weight", {E}, false)) return false;
  hp.tiedOutput = !file.findTensor("output.weight");
  if (!hp.tiedOutput && !r.tensor("output.weight", {hp.vocab, E}, true)) return false;
  const int64_t pairs = hp.ropeDims / 2;  // one factor a rotated pair
  if (file.findTensor("rope_freqs.weight") && !r.ropeFactors("rope_freqs.weight", pairs)) return false;
  if (hp.longRope && (!r.ropeFactors("rope_factors_long.weight", pairs) ||  // both, as rope_freqs.weight
                      !r.ropeFactors("rope_factors_short.weight", pairs)))
    return false;
  for (int64_t l = 0; l < hp.layers; ++l) {
    const std::string blk = "blk." + std::to_string(l) + ".";
    const int64_t qRows = hp.heads * D, kvRows = hp.kvHeads * D;
    if (!r.tensor(blk + "attn_norm.weight", {E}, false) || !r.tensor(blk + "attn_output.weight", {E, qRows}, true) ||
        !r.tensor(blk + "ffn_norm.weight", {E}, false))
      return false;
    const int64_t X = hp.experts, F = hp.expertFfn;
    if (X > 0 ? !r.tensor(blk + "ffn_gate_inp.weight", {X, E}, true) ||
                    !r.tensor(blk + "ffn_gate_exps.weight", {X, F, E}, true) ||
                    !r.tensor(blk + "ffn_up_exps.weight", {X, F, E}, true) ||
                    !r.tensor(blk + "ffn_down_exps.weight", {X, E, F}, true)
              : !r.tensor(blk + "ffn_down.weight", {E, hp.ffn}, true) ||
                    (hp.fusedGateUp ? !r.tensor(blk + "ffn_up.weight", {2 * hp.ffn, E}, true)
                                    : (!r.tensor(blk + "ffn_gate.weight", {hp.ffn, E}, true) ||
                                       !r.tensor(blk + "ffn_up.weight", {hp.ffn, E}, true))))
      return false;
    // Each layer's q/k/v as the first one has them (one matrix or three), as every file
    // converted by llama.cpp writes them.
    if (hp.fusedQkv ? !r.tensor(blk + "attn_qkv.weight", {qRows + 2 * kvRows, E}, true)
                    : (!r.tensor(blk + "attn_q.weight", {qRows, E}, true) ||
                       !r.tensor(blk + "attn_k.weight", {kvRows, E}, true) ||
                       !r.tensor(blk + "attn_v.weight", {kvRows, E}, true)))
      return false;
    if (!hp.attentionBias)
      for (const char *bias : {"attn_qkv.bias", "attn_q.bias", "attn_k.bias", "attn_v.bias"})
        if (file.findTensor(blk + bias))
          return r.fail("tensor " + blk + bias + ": attention biases are not supported in a " + hp.arch + " model");
    // Biases llama.cpp's graphs add where a file has them (attn_output's, the FFN's; no file
    // of these models has them): refused rather than dropped.
    for (const char *bias : {"attn_output.bias", "ffn_gate.bias", "ffn_up.bias", "ffn_down.bias", "ffn_gate_inp.bias",
                             "ffn_gate_exps.bias", "ffn_up_exps.bias", "ffn_down_exps.bias"})
      if (file.findTensor(blk + bias))
        return r.fail("tensor " + blk + bias + ": output and FFN biases are not supported in a " + hp.arch + " model");
    // Shared experts (qwen2moe's, llama4's) and an expert-choice bias (deepseek's): other
    // architectures' parts, refused rather than dropped.
    for (const char *part : {"ffn_gate_shexp.weight", "ffn_gate_inp_shexp.weight", "exp_probs_b.bias"})
      if (file.findTensor(blk + part))
        return r.fail("tensor " + blk + part + ": shared experts and expert biases are not supported in a " + hp.arch +
                      " model");
    if (hp.qkNorm &&
        (!r.tensor(blk + "attn_q_norm.weight", {D}, false) || !r.tensor(blk + "attn_k_norm.weight", {D}, false)))
      return false;
    if (hp.gemma &&
        (!r.tensor(blk + "post_attention_norm.weight", {E}, false) ||
         !r.tensor(blk + "post_ffw_norm.weight", {E}, false)))
      return false;
    if (hp.attentionBias &&
        (!r.tensor(blk + "attn_q.bias", {hp.heads * D}, false) || !r.tensor(blk + "attn_k.bias", {hp.kvHeads * D}, false) ||
         !r.tensor(blk + "attn_v.bias", {hp.kvHeads * D}, false)))
      return false;
  }
  return true;
}

OwningOpRef<ModuleOp> buildLlmModule(MLIRContext &context, std::shared_ptr<const GgufFile> file,
                                     const LlmBuildOptions &options, std::string &error) {
  context.loadDialect<edge::EdgeDialect, func::FuncDialect, quant::QuantizationDialect>();
  LlmHyperParams hp;
  if (!readLlmHyperParams(*file, hp, error)) return nullptr;
  // The package's tokenizer is the file's: check it now (as the runtime will build it),
  // so that no package is written that `edgec generate` cannot open.
  std::unique_ptr<Tokenizer> tokenizer = tokenizerFromGguf(*file, error);
  if (!tokenizer) return nullptr;
  if (int64_t(tokenizer->size()) != hp.vocab) {
    error = file->path() + ": the tokenizer has " + std::to_string(tokenizer->size()) +
            " tokens, token_embd.weight " + std::to_string(hp.vocab) + " rows";
    return nullptr;
  }
  if (options.kvCache != "f16" && options.kvCache != "f32" && options.kvCache != "int8") {
    error = "--kv-cache " + options.kvCache + " is not supported (supported: f16, f32, int8)";
    return nullptr;
  }
  if (options.prefillChunk < 1 || options.prefillChunk > 4096) {
    error = "--prefill-chunk must be in [1, 4096], got " + std::to_string(options.prefillChunk);
    return nullptr;
  }
  if (options.scoreChunk < 0 || options.scoreChunk > options.prefillChunk) {
    error = "--score-chunk must be in [0, --prefill-chunk " + std::to_string(options.prefillChunk) + "], got " +
            std::to_string(options.scoreChunk);
    return nullptr;
  }
  const int64_t positions =
      options.contextLength ? options.contextLength : std::min<int64_t>(hp.contextLength, 4096);
  if (positions < 1 || positions > (int64_t(1) << 20)) {
    error = "--ctx must be in [1, 1048576], got " + std::to_string(positions);
    return nullptr;
  }
  // A padded last prefill chunk writes up to S - 1 rows past the context; they are never
  // read, but must not be clamped onto real rows.
  const int64_t cacheRows = positions + options.prefillChunk - 1;
  LlmBuilder builder(context, file, hp, tokenizer->vocab(), options, positions, cacheRows);
  return builder.build(error);
}

}  // namespace edgec::gguf
