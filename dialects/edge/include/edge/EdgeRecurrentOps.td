#ifndef EDGE_RECURRENT_OPS_TD
#define EDGE_RECURRENT_OPS_TD

// ONNX's recurrent layers: RNN, GRU and LSTM (opset 14 semantics, which opsets 7-13
// share apart from `layout`). The ops keep ONNX's operands and gate orders, so an
// exported model's weights are used as stored; the importer resolves every default:
// `activations` has one entry per function slot and direction, and `activation_alpha`
// / `activation_beta` one value per entry (the ONNX default of that function where the
// model gives none, 0 where the function takes none). Included by EdgeOps.td;
// verifiers in RecurrentOps.cpp.
//
// Shapes, with D = 2 for "bidirectional" and 1 otherwise, G gates (RNN 1, GRU 3, LSTM
// 4), H = `hidden_size`, and `layout` 0 (sequence first) or 1 (batch first):
//   X          [S, B, I] (layout 1: [B, S, I])
//   W          [D, G·H, I]        R [D, G·H, H]        B (bias) [D, 2·G·H]: Wb then Rb
//   sequence_lens i32 [B]: the valid steps of each batch row (absent: all S); outputs
//              past a row's length are 0 and its final state is the one at its length
//   initial_h, initial_c [D, B, H] (layout 1: [B, D, H]); absent: zeros
//   P (LSTM peepholes) [D, 3·H] in the order input, output, forget
//   Y          [S, D, B, H] (layout 1: [B, S, D, H]); Y_h, Y_c like initial_h

// The activation functions ONNX allows in a recurrent layer's `activations`.
def Edge_RecurrentActivationsAttr : TypedArrayAttrBase<StrAttr, "activation function names">;

class Edge_RecurrentOp<string mnemonic, string doc> :
    Edge_Op<mnemonic, [Pure, AttrSizedOperandSegments]> {
  let summary = doc;
  let hasVerifier = 1;
}

def Edge_RNNOp : Edge_RecurrentOp<"RNN", "ONNX RNN: a simple recurrent layer, H_t = f(X_t·Wᵀ + H_(t-1)·Rᵀ + Wb + Rb)"> {
  let description = [{
    `activations` is one function per direction (ONNX default Tanh). Gate
    pre-activations are clamped to [-clip, clip] when `clip` is present.
  }];
  let arguments = (ins Edge_FloatTensor:$X, Edge_FloatTensor:$W, Edge_FloatTensor:$R,
                   Optional<Edge_FloatTensor>:$B, Optional<TensorOf<[I32]>>:$sequence_lens,
                   Optional<Edge_FloatTensor>:$initial_h,
                   StrAttr:$direction, I64Attr:$hidden_size, I64Attr:$layout,
                   Edge_RecurrentActivationsAttr:$activations, DenseF32ArrayAttr:$activation_alpha,
                   DenseF32ArrayAttr:$activation_beta, OptionalAttr<F32Attr>:$clip);
  let results = (outs Edge_FloatTensor:$Y, Edge_FloatTensor:$Y_h);
  let assemblyFormat = [{
    $X `,` $W `,` $R (`bias` $B^)? (`lens` $sequence_lens^)? (`init` $initial_h^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

def Edge_GRUOp : Edge_RecurrentOp<"GRU", "ONNX GRU: gated recurrent unit, gates z, r, h"> {
  let description = [{
    Gates in ONNX's order z (update), r (reset), h (candidate); `activations` is f, g
    per direction (defaults Sigmoid, Tanh). With `linear_before_reset` = 0 the reset gate
    multiplies H_(t-1) before the recurrent product, otherwise after it (cuDNN's and
    PyTorch's form): h_t = g(X_t·Whᵀ + r_t ⊙ (H_(t-1)·Rhᵀ + Rbh) + Wbh).
  }];
  let arguments = (ins Edge_FloatTensor:$X, Edge_FloatTensor:$W, Edge_FloatTensor:$R,
                   Optional<Edge_FloatTensor>:$B, Optional<TensorOf<[I32]>>:$sequence_lens,
                   Optional<Edge_FloatTensor>:$initial_h,
                   StrAttr:$direction, I64Attr:$hidden_size, I64Attr:$layout,
                   Edge_RecurrentActivationsAttr:$activations, DenseF32ArrayAttr:$activation_alpha,
                   DenseF32ArrayAttr:$activation_beta, OptionalAttr<F32Attr>:$clip,
                   I64Attr:$linear_before_reset);
  let results = (outs Edge_FloatTensor:$Y, Edge_FloatTensor:$Y_h);
  let assemblyFormat = [{
    $X `,` $W `,` $R (`bias` $B^)? (`lens` $sequence_lens^)? (`init` $initial_h^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

def Edge_LSTMOp : Edge_RecurrentOp<"LSTM", "ONNX LSTM: long short-term memory, gates i, o, f, c"> {
  let description = [{
    Gates in ONNX's order i (input), o (output), f (forget), c (cell); `activations` is
    f, g, h per direction (defaults Sigmoid, Tanh, Tanh). Peepholes `P` add Pi ⊙ C_(t-1)
    and Pf ⊙ C_(t-1) to the i and f gates and Po ⊙ C_t to the o gate. With
    `input_forget` = 1 the forget gate is 1 - i_t (coupled, as ONNX Runtime computes it).
  }];
  let arguments = (ins Edge_FloatTensor:$X, Edge_FloatTensor:$W, Edge_FloatTensor:$R,
                   Optional<Edge_FloatTensor>:$B, Optional<TensorOf<[I32]>>:$sequence_lens,
                   Optional<Edge_FloatTensor>:$initial_h, Optional<Edge_FloatTensor>:$initial_c,
                   Optional<Edge_FloatTensor>:$P,
                   StrAttr:$direction, I64Attr:$hidden_size, I64Attr:$layout,
                   Edge_RecurrentActivationsAttr:$activations, DenseF32ArrayAttr:$activation_alpha,
                   DenseF32ArrayAttr:$activation_beta, OptionalAttr<F32Attr>:$clip,
                   I64Attr:$input_forget);
  let results = (outs Edge_FloatTensor:$Y, Edge_FloatTensor:$Y_h, Edge_FloatTensor:$Y_c);
  let assemblyFormat = [{
    $X `,` $W `,` $R (`bias` $B^)? (`lens` $sequence_lens^)? (`init` $initial_h^)? (`init_c` $initial_c^)?
    (`peepholes` $P^)? attr-dict `:` functional-type(operands, results)
  }];
}

#endif // EDGE_RECURRENT_OPS_TD
