"""Checks edgec's fp16 and int8-dynamic outputs of make_model.py's mlp (y = relu(x W^T + b))
against numpy implementations of the two definitions (docs/quantization.md):

  fp16          W and b rounded to float16, x cast to float16; the Gemm (bias included)
                computed in f32 on those values and rounded to f16 once, Relu, cast back to
                f32. Tolerance: two f16 ulps of the result (edgec's f32 Gemm may sum in
                another order than numpy, which can move the rounding).
  int8-dynamic  W int8 per output column, scale max|w|/127 (codes rint, clamp +-127); each
                row of x: s = max|x| / 127 in f32, q = rint(x / s); y = f32(acc) * (s * sw) + b,
                Relu. Bit-exact.

usage: check_precisions.py MODEL.onnx X.npy FP16_OUT.npy DYN_OUT.npy
"""
import sys

import numpy as np
import onnx
from onnx import numpy_helper

model, x, y16, ydyn = sys.argv[1:5]
inits = {t.name: numpy_helper.to_array(t) for t in onnx.load(model).graph.initializer}
gemm = [n for n in onnx.load(model).graph.node if n.op_type == "Gemm"][0]
W, b = inits[gemm.input[1]].astype(np.float32), inits[gemm.input[2]].astype(np.float32)  # W [N, K] (transB)
x = np.load(x)

# fp16
xh, Wh, bh = x.astype(np.float16), W.astype(np.float16), b.astype(np.float16)
g = (xh.astype(np.float32) @ Wh.astype(np.float32).T + bh.astype(np.float32)).astype(np.float16)  # one rounding
ref16 = np.maximum(g, 0).astype(np.float32)
got16 = np.load(y16)
ulp = np.spacing(np.abs(ref16).astype(np.float16)).astype(np.float32)
assert got16.dtype == np.float32, got16.dtype
assert np.all(np.abs(got16 - ref16) <= 2 * ulp), ("fp16", got16, ref16)

# int8-dynamic
sw = (np.abs(W).max(axis=1) / 127.0).astype(np.float64)
sw[sw == 0] = 1.0
Wq = np.clip(np.rint(W.astype(np.float64) / sw[:, None]), -127, 127).astype(np.int32)  # [N, K]
sw = sw.astype(np.float32)
out = np.zeros((x.shape[0], W.shape[0]), np.float32)
for r in range(x.shape[0]):
    s = np.float32(np.abs(x[r]).max()) / np.float32(127)
    q = np.clip(np.rint(x[r] / s), -127, 127).astype(np.int32) if s > 0 else np.zeros(x.shape[1], np.int32)
    acc = (Wq @ q).astype(np.float32)
    out[r] = acc * (s * sw) + b
refdyn = np.maximum(out, 0)
gotdyn = np.load(ydyn)
assert np.array_equal(gotdyn, refdyn), ("int8-dynamic", gotdyn, refdyn)
print("fp16 within 2 ulp, int8-dynamic bit-exact:", got16.tolist(), gotdyn.tolist())
