#!/usr/bin/python3
"""Writes a pre-norm transformer MLP block as torch.onnx (opset 17) exports it, with its
ONNX node names, for the fusion tests, and checks edgec's outputs against numpy.

  mlp_block_model.py model OUT.onnx X.npy
      y = x + fc2(gelu(fc1(rmsnorm(x))))  for x float32[2, 5, 16]: RMSNorm as
      Pow/ReduceMean/Add/Sqrt/Div(1, .)/Mul/Mul(weight), GELU as Div/Erf/Add/Mul/Mul,
      each Linear as MatMul + Add(bias); and a random input X.npy
  mlp_block_model.py check X.npy Y.npy
      prints the largest error of Y against numpy's float64 result, scaled by its size
"""
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

D, H, EPS = 16, 32, 1e-6
rng = np.random.default_rng(3)
WEIGHT = rng.uniform(0.5, 1.5, D).astype(np.float32)
W1 = rng.normal(0, 0.3, (D, H)).astype(np.float32)
B1 = rng.normal(0, 0.3, H).astype(np.float32)
W2 = rng.normal(0, 0.3, (H, D)).astype(np.float32)
B2 = rng.normal(0, 0.3, D).astype(np.float32)


def model():
    scalar = lambda name, v: numpy_helper.from_array(np.array(v, np.float32), name)
    inits = [numpy_helper.from_array(a, n) for a, n in ((WEIGHT, "n.weight"), (W1, "w1"), (B1, "fc1.bias"),
                                                         (W2, "w2"), (B2, "fc2.bias"))]
    inits += [scalar("two", 2.0), scalar("eps", EPS), scalar("one", 1.0), scalar("sqrt2", 1.4142135381698608),
              scalar("half", 0.5)]
    n = helper.make_node
    nodes = [
        n("Pow", ["x", "two"], ["sq"], name="/n/Pow"),
        n("ReduceMean", ["sq"], ["ms"], name="/n/ReduceMean", axes=[-1], keepdims=1),
        n("Add", ["ms", "eps"], ["mse"], name="/n/Add"),
        n("Sqrt", ["mse"], ["rms"], name="/n/Sqrt"),
        n("Div", ["one", "rms"], ["inv"], name="/n/Div"),
        n("Mul", ["x", "inv"], ["xn"], name="/n/Mul"),
        n("Mul", ["n.weight", "xn"], ["nx"], name="/n/Mul_1"),
        n("MatMul", ["nx", "w1"], ["h0"], name="/fc1/MatMul"),
        n("Add", ["fc1.bias", "h0"], ["h1"], name="/fc1/Add"),
        n("Div", ["h1", "sqrt2"], ["g0"], name="/act/Div"),
        n("Erf", ["g0"], ["g1"], name="/act/Erf"),
        n("Add", ["g1", "one"], ["g2"], name="/act/Add"),
        n("Mul", ["h1", "g2"], ["g3"], name="/act/Mul"),
        n("Mul", ["g3", "half"], ["g4"], name="/act/Mul_1"),
        n("MatMul", ["g4", "w2"], ["o0"], name="/fc2/MatMul"),
        n("Add", ["fc2.bias", "o0"], ["o1"], name="/fc2/Add"),
        n("Add", ["x", "o1"], ["y"], name="/Add"),
    ]
    graph = helper.make_graph(nodes, "mlp_block", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 5, D])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 5, D])], inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    return m


def reference(x):
    from math import erf
    x = x.astype(np.float64)
    xn = x / np.sqrt((x * x).mean(-1, keepdims=True) + EPS) * WEIGHT
    h = xn @ W1 + B1
    g = 0.5 * h * (1 + np.vectorize(erf)(h / np.sqrt(2)))
    return x + g @ W2 + B2


if __name__ == "__main__":
    if sys.argv[1] == "model":
        with open(sys.argv[2], "wb") as f:
            f.write(model().SerializeToString())
        np.save(sys.argv[3], np.random.default_rng(0).normal(0, 1, (2, 5, D)).astype(np.float32))
    else:
        want, got = reference(np.load(sys.argv[2])), np.load(sys.argv[3])
        print("max error %s" % ("below 1e-5" if np.abs(got - want).max() <= 1e-5 * np.abs(want).max() else
                                 "%.3g" % np.abs(got - want).max()))
