#!/usr/bin/python3
"""Models whose outputs are graph inputs or constants passed through, for
passthrough-outputs.test (issue 7: the package's input took the output's name, and a
second output of the same value was lost).

  passthrough.py make KIND OUT.onnx     write the model
  passthrough.py input OUT.npy          write x, float32 [2,3]
  passthrough.py check KIND X.npy DIR   DIR must hold exactly KIND's outputs, each
                                        <name>.npy with the values numpy computes

KINDs (x is float32 [2,3]):
  identity   y = Identity(x)
  transpose  y = Transpose(x, perm=[0,1])
  dropout    y = Dropout(x)                    (inference: the identity)
  two        y = Identity(x), y2 = Identity(x)
  dup        y = Relu(x), y2 = Identity(y)     (one value returned twice)
  const      y = Relu(x); c = Constant [1,2,3]; c2 = Identity(c); w, an initializer
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

C = np.array([1.0, 2.0, 3.0], np.float32)
W = np.arange(4, dtype=np.float32).reshape(2, 2) - 1.5


def x_info():
    return helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])


def out(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def make(kind):
    inits = []
    if kind == "identity":
        nodes = [helper.make_node("Identity", ["x"], ["y"], name="id")]
        outs = [out("y", [2, 3])]
    elif kind == "transpose":
        nodes = [helper.make_node("Transpose", ["x"], ["y"], name="tr", perm=[0, 1])]
        outs = [out("y", [2, 3])]
    elif kind == "dropout":
        nodes = [helper.make_node("Dropout", ["x"], ["y"], name="drop")]
        outs = [out("y", [2, 3])]
    elif kind == "two":
        nodes = [helper.make_node("Identity", ["x"], ["y"], name="id1"),
                 helper.make_node("Identity", ["x"], ["y2"], name="id2")]
        outs = [out("y", [2, 3]), out("y2", [2, 3])]
    elif kind == "dup":
        nodes = [helper.make_node("Relu", ["x"], ["y"], name="relu"),
                 helper.make_node("Identity", ["y"], ["y2"], name="id")]
        outs = [out("y", [2, 3]), out("y2", [2, 3])]
    elif kind == "const":
        nodes = [helper.make_node("Relu", ["x"], ["y"], name="relu"),
                 helper.make_node("Constant", [], ["c"], name="c", value=numpy_helper.from_array(C)),
                 helper.make_node("Identity", ["c"], ["c2"], name="id")]
        outs = [out("y", [2, 3]), out("c", [3]), out("c2", [3]), out("w", [2, 2])]
        inits = [numpy_helper.from_array(W, "w")]
    else:
        raise SystemExit("unknown kind " + kind)
    graph = helper.make_graph(nodes, kind, [x_info()], outs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def expected(kind, x):
    relu = np.maximum(x, 0)
    return {
        "identity": {"y": x}, "transpose": {"y": x}, "dropout": {"y": x},
        "two": {"y": x, "y2": x},
        "dup": {"y": relu, "y2": relu},
        "const": {"y": relu, "c": C, "c2": C, "w": W},
    }[kind]


def main():
    cmd = sys.argv[1]
    if cmd == "make":
        onnx.save(make(sys.argv[2]), sys.argv[3])
    elif cmd == "input":
        np.save(sys.argv[2], (np.arange(6, dtype=np.float32).reshape(2, 3) - 2.5) * 1.25)
    elif cmd == "check":
        kind, x, folder = sys.argv[2], np.load(sys.argv[3]), sys.argv[4]
        want = expected(kind, x)
        import os
        got = sorted(f[:-4] for f in os.listdir(folder) if f.endswith(".npy"))
        if got != sorted(want):
            raise SystemExit("outputs %s, expected %s" % (got, sorted(want)))
        for name, value in want.items():
            y = np.load(os.path.join(folder, name + ".npy"))
            if y.dtype != value.dtype or y.shape != value.shape or not np.array_equal(y, value):
                raise SystemExit("%s: got %s %s %s, expected %s %s %s" % (
                    name, y.dtype, y.shape, y.tolist(), value.dtype, value.shape, value.tolist()))
        print("ok: " + ", ".join(sorted(want)))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
