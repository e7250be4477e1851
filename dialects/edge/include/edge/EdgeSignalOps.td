#ifndef EDGE_SIGNAL_OPS_TD
#define EDGE_SIGNAL_OPS_TD

// ONNX's signal-processing ops: DFT, STFT, MelWeightMatrix. DFT's dft_length is resolved
// at import (a constant becomes the attribute), so the result shape is static. STFT's
// frame_step and frame_length are attributes when constant, else run-time operands whose
// values the kernel checks against the result shape; MelWeightMatrix keeps its five
// scalars as operands (all constant: the importer folds it). Included by EdgeOps.td;
// verifiers in SignalOps.cpp, ref kernels in runtime/kernels/ref/dft.cpp.

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

def Edge_STFTOp : Edge_Op<"STFT", [Pure, AttrSizedOperandSegments]> {
  let summary = "ONNX STFT (opset 17): short-time Fourier transform";
  let description = [{
    Signal [B, N, 1 or 2] (real, or complex as (re, im)); result [B, frames, bins, 2]
    with frames = 1 + (N - frame_length) / frame_step and bins = floor(frame_length / 2)
    + 1 when `onesided` = 1, else frame_length. Frame t takes the `window`'s W samples
    from t·frame_step (zero past the signal's end; no window: W = frame_length and all
    ones), multiplies them by the window and takes their frame_length-point DFT (cut or
    zero-padded), as ONNX's reference implementation. `frame_step` and `frame_length`
    are each the attribute when known at compile time, or else the one-element integer
    operand `frame_step_input` / `frame_length_input` read on every run (the kernel
    fails a run whose values give another shape); never both.
  }];
  let arguments = (ins Edge_FloatTensor:$signal, Optional<StaticShapeTensorOf<[I32, I64]>>:$frame_step_input,
                   Optional<Edge_FloatTensor>:$window, Optional<StaticShapeTensorOf<[I32, I64]>>:$frame_length_input,
                   OptionalAttr<I64Attr>:$frame_step, OptionalAttr<I64Attr>:$frame_length, I64Attr:$onesided);
  let results = (outs Edge_FloatTensor:$output);
  let assemblyFormat = [{
    $signal (`step` $frame_step_input^ `:` type($frame_step_input))? (`window` $window^ `:` type($window))?
    (`length` $frame_length_input^ `:` type($frame_length_input))? attr-dict `:` type($signal) `->` type($output)
  }];
  let hasVerifier = 1;
}

def Edge_MelWeightMatrixOp : Edge_Op<"MelWeightMatrix", [Pure]> {
  let summary = "ONNX MelWeightMatrix (opset 17): triangular mel filter bank";
  let description = [{
    Result [floor(dft_length / 2) + 1, num_mel_bins]: column i is the triangle over the
    spectrogram bins between mel edges i and i + 2, the num_mel_bins + 2 edges spaced
    evenly in mel (2595·log10(1 + hz / 700)) from lower_edge_hertz to upper_edge_hertz
    and turned into bins as floor((dft_length + 1)·hz / sample_rate), in double, as ONNX's
    reference implementation. The five scalars stay operands, read on every run (the
    kernel fails a run whose num_mel_bins or dft_length give another shape); when all
    are constants the importer folds the op into a constant.
  }];
  let arguments = (ins StaticShapeTensorOf<[I32, I64]>:$num_mel_bins, StaticShapeTensorOf<[I32, I64]>:$dft_length,
                   StaticShapeTensorOf<[I32, I64]>:$sample_rate, Edge_FloatTensor:$lower_edge_hertz,
                   Edge_FloatTensor:$upper_edge_hertz);
  let results = (outs Edge_FloatTensor:$output);
  let assemblyFormat = [{
    $num_mel_bins `,` $dft_length `,` $sample_rate `,` $lower_edge_hertz `,` $upper_edge_hertz attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // EDGE_SIGNAL_OPS_TD
