#!/usr/bin/python3
"""Writes small ONNX models for the CLI lit tests.

  make_model.py mlp OUT.onnx
      a valid two-layer model: x float32[1,4] -> Gemm -> Relu -> y float32[1,3]
  make_model.py external OUT.onnx LOCATION [--offset N] [--length N] [--data-size N]
      the same model with its weight 'w' stored as external data at LOCATION (not
      checked); unless --data-size is negative, writes OUT's folder/data.bin (N bytes,
      default exactly the weight) for LOCATIONs that do not point there themselves
  make_model.py unsupported OUT.onnx
      two RandomUniformLike nodes and one RandomNormalLike (none of them supported by edgec)
  make_model.py opset18 OUT.onnx
      the valid model, but importing opset 18
  make_model.py outputless OUT.onnx
      malformed: the valid model plus a node with no name, no outputs and an unknown op
"""
import argparse
import os

import numpy as np
from onnx import TensorProto, helper, numpy_helper
import onnx

W = np.arange(12, dtype=np.float32).reshape(3, 4) / 10.0
B = np.array([0.5, -0.5, 1.0], np.float32)


def small_model(opset=17, w=None):
    w = w if w is not None else numpy_helper.from_array(W, "w")
    nodes = [
        helper.make_node("Gemm", ["x", "w", "b"], ["h"], name="fc", transB=1),
        helper.make_node("Relu", ["h"], ["y"], name="relu"),
    ]
    graph = helper.make_graph(
        nodes, "small",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3])],
        [w, numpy_helper.from_array(B, "b")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    return model


def unsupported_model():
    k = numpy_helper.from_array(np.array([2], np.int64), "k")
    nodes = [
        helper.make_node("Relu", ["x"], ["r"], name="relu"),
        helper.make_node("RandomUniformLike", ["r"], ["v1"], name="uniform_first"),
        helper.make_node("RandomUniformLike", ["x"], ["v2"], name="uniform_second"),
        helper.make_node("RandomNormalLike", ["r"], ["nz"], name="normal_1"),
    ]
    graph = helper.make_graph(
        nodes, "unsupported",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("v1", TensorProto.FLOAT, None),
         helper.make_tensor_value_info("v2", TensorProto.FLOAT, None),
         helper.make_tensor_value_info("nz", TensorProto.FLOAT, None)],
        [k])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


def external_model(out, location, offset, length, data_size):
    w = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[3, 4])
    w.data_location = TensorProto.EXTERNAL
    for key, value in (("location", location), ("offset", offset), ("length", length)):
        if value is not None:
            entry = w.external_data.add()
            entry.key, entry.value = key, str(value)
    if data_size >= 0:
        data = W.tobytes()
        data = (data * (data_size // len(data) + 1))[:data_size]
        with open(os.path.join(os.path.dirname(os.path.abspath(out)), "data.bin"), "wb") as f:
            f.write(data)
    return small_model(w=w)


def fusable_model():
    """conv1 -> bn -> relu -> conv2 -> (sigmoid, mul): SiLU -> conv3 -> Add(., SiLU's
    output) -> relu3, with ONNX node names, for --report-fusion (BatchNorm and Relu fold
    into conv1, SiLU into conv2, the residual Add and relu3 into conv3)."""
    rng = np.random.default_rng(7)
    def const(name, shape, lo=-1.0, hi=1.0):
        return numpy_helper.from_array(rng.uniform(lo, hi, shape).astype(np.float32), name)
    inits = [const("w1", (4, 3, 3, 3)), const("b1", (4,)), const("gamma", (4,), 0.5, 1.5), const("beta", (4,)),
             const("mean", (4,)), const("var", (4,), 0.5, 1.5), const("w2", (4, 4, 1, 1)),
             const("w3", (4, 4, 3, 3))]
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="conv1", pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["c1", "gamma", "beta", "mean", "var"], ["n1"], name="bn"),
        helper.make_node("Relu", ["n1"], ["r1"], name="relu"),
        helper.make_node("Conv", ["r1", "w2"], ["c2"], name="conv2"),
        helper.make_node("Sigmoid", ["c2"], ["s2"], name="gate"),
        helper.make_node("Mul", ["c2", "s2"], ["m2"], name="silu"),
        helper.make_node("Conv", ["m2", "w3"], ["c3"], name="conv3", pads=[1, 1, 1, 1]),
        helper.make_node("Add", ["c3", "m2"], ["a3"], name="residual"),
        helper.make_node("Relu", ["a3"], ["y"], name="relu3"),
    ]
    graph = helper.make_graph(nodes, "fusable", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 8, 8])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("kind", choices=["mlp", "external", "unsupported", "opset18", "outputless", "fusable"])
    p.add_argument("out")
    p.add_argument("location", nargs="?")
    p.add_argument("--offset", type=int)
    p.add_argument("--length", type=int)
    p.add_argument("--data-size", type=int, default=W.nbytes)
    a = p.parse_args()
    if a.kind == "mlp":
        model = small_model()
    elif a.kind == "opset18":
        model = small_model(opset=18)
    elif a.kind == "outputless":
        model = small_model()
        model.graph.node.append(helper.make_node("NoSuchOp", ["y"], []))
    elif a.kind == "unsupported":
        model = unsupported_model()
    elif a.kind == "fusable":
        model = fusable_model()
    else:
        model = external_model(a.out, a.location, a.offset, a.length, a.data_size)
    # Serialize directly: onnx.save would try to resolve external data itself.
    with open(a.out, "wb") as f:
        f.write(model.SerializeToString())


if __name__ == "__main__":
    main()
