#!/usr/bin/python3
"""Writes attention models for the fusion lit test, their inputs and numpy's outputs.

  attention_model.py OUTDIR
      OUTDIR/attention.onnx: q [2, 6, 8] / sqrt(8) (Div), k [2, 6, 8] transposed to
      [2, 8, 6], MatMul, Add of a constant causal mask (0 / -inf), Softmax(-1), MatMul
      with v [2, 6, 5]; OUTDIR/q.npy, k.npy, v.npy; OUTDIR/want.npy (numpy, float64
      arithmetic rounded to f32 at the end)
      OUTDIR/sdpa.onnx: what torch's F.scaled_dot_product_attention symbolic writes for a
      boolean mask: q [1, 2, 8, 20] and k^T (Transpose of k [1, 2, 12, 20]) each times
      sqrt(1 / sqrt(20)), MatMul, Add of Where(m, 0, -inf) with m a bool input [8, 12],
      Softmax(-1), MatMul with v [1, 2, 12, 24]; OUTDIR/sq.npy, sk.npy, sv.npy, sm.npy,
      OUTDIR/want_sdpa.npy
"""
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper
import onnx


def main():
    out = sys.argv[1]
    rng = np.random.RandomState(0)
    q, k, v = (rng.randn(2, 6, n).astype(np.float32) for n in (8, 8, 5))
    mask = np.where(np.tril(np.ones((6, 6))) == 0, -np.inf, 0).astype(np.float32)
    scale = np.array(np.sqrt(8.0), np.float32)
    nodes = [
        helper.make_node("Div", ["q", "c"], ["qs"], name="/attn/Div"),
        helper.make_node("Transpose", ["k"], ["kt"], name="/attn/Transpose", perm=[0, 2, 1]),
        helper.make_node("MatMul", ["qs", "kt"], ["s"], name="/attn/MatMul"),
        helper.make_node("Add", ["s", "mask"], ["sm"], name="/attn/Add"),
        helper.make_node("Softmax", ["sm"], ["p"], name="/attn/Softmax", axis=-1),
        helper.make_node("MatMul", ["p", "v"], ["y"], name="/attn/MatMul_1"),
    ]
    inputs = [helper.make_tensor_value_info(n, TensorProto.FLOAT, a.shape) for n, a in (("q", q), ("k", k), ("v", v))]
    graph = helper.make_graph(nodes, "attention", inputs, [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 6, 5])],
                              [numpy_helper.from_array(scale, "c"), numpy_helper.from_array(mask, "mask")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, "attention.onnx"))
    for n, a in (("q", q), ("k", k), ("v", v)):
        np.save(os.path.join(out, n + ".npy"), a)
    s = (q.astype(np.float64) / np.float64(scale)) @ k.astype(np.float64).transpose(0, 2, 1) + mask
    p = np.exp(s - s.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    np.save(os.path.join(out, "want.npy"), (p @ v.astype(np.float64)).astype(np.float32))

    q, k, v = rng.randn(1, 2, 8, 20).astype(np.float32), rng.randn(1, 2, 12, 20).astype(np.float32), rng.randn(1, 2, 12, 24).astype(np.float32)
    m = rng.rand(8, 12) > 0.4
    m[:, 0] = True  # no row masked entirely
    c = np.array(np.sqrt(1.0 / np.sqrt(20.0)), np.float32)
    nodes = [
        helper.make_node("Transpose", ["k"], ["kt"], name="/sdpa/Transpose", perm=[0, 1, 3, 2]),
        helper.make_node("Mul", ["q", "c"], ["qs"], name="/sdpa/Mul"),
        helper.make_node("Mul", ["kt", "c"], ["ks"], name="/sdpa/Mul_1"),
        helper.make_node("MatMul", ["qs", "ks"], ["s"], name="/sdpa/MatMul"),
        helper.make_node("Where", ["m", "zero", "ninf"], ["mask"], name="/sdpa/Where"),
        helper.make_node("Add", ["s", "mask"], ["sm"], name="/sdpa/Add"),
        helper.make_node("Softmax", ["sm"], ["p"], name="/sdpa/Softmax", axis=-1),
        helper.make_node("MatMul", ["p", "v"], ["y"], name="/sdpa/MatMul_1"),
    ]
    inputs = [helper.make_tensor_value_info(n, TensorProto.FLOAT, a.shape) for n, a in (("q", q), ("k", k), ("v", v))]
    inputs.append(helper.make_tensor_value_info("m", TensorProto.BOOL, m.shape))
    graph = helper.make_graph(nodes, "sdpa", inputs, [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2, 8, 24])],
                              [numpy_helper.from_array(c, "c"), numpy_helper.from_array(np.array(0, np.float32), "zero"),
                               numpy_helper.from_array(np.array(-np.inf, np.float32), "ninf")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, "sdpa.onnx"))
    for n, a in (("sq", q), ("sk", k), ("sv", v), ("sm", m)):
        np.save(os.path.join(out, n + ".npy"), a)
    s = (q.astype(np.float64) * c) @ (k.astype(np.float64).transpose(0, 1, 3, 2) * c) + np.where(m, 0.0, -np.inf)
    p = np.exp(s - s.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    np.save(os.path.join(out, "want_sdpa.npy"), (p @ v.astype(np.float64)).astype(np.float32))


if __name__ == "__main__":
    main()
