#ifndef EDGE_SIGNAL_OPS_TD
#define EDGE_SIGNAL_OPS_TD

// ONNX's signal-processing ops: DFT. Its dft_length is resolved at import (a constant
// becomes the attribute), so the result shape is static. Included by EdgeOps.td;
// verifier in SignalOps.cpp, ref kernel in runtime/kernels/ref/dft.cpp.

def Edge_DFTOp : Edge_Op<"DFT", [Pure]> {
  let summary = "ONNX DFT (opset 17): discrete Fourier transform along one axis";
  let description = [{
    Input [B, S..., 1 or 2] (a real signal, or complex as (re, im) in the last dim);
    result [B, S'..., 2] (complex). Along `axis` (in [1, rank - 2]) the signal is cut or
    zero-padded to `dft_length` samples L and transformed:
    `y[f] = Σ_k x[k]·exp(∓2πi·f·k / L)` (minus forward; plus and divided by L when
    `inverse` = 1). `onesided` = 1 keeps the first floor(L / 2) + 1 frequencies (forward
    only), so the result's axis dim is that or L; every other dim is the input's.
  }];
  let arguments = (ins Edge_FloatTensor:$input, I64Attr:$axis, I64Attr:$inverse, I64Attr:$onesided,
                   I64Attr:$dft_length);
  let results = (outs Edge_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

#endif // EDGE_SIGNAL_OPS_TD
