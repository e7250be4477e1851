#!/usr/bin/python3
"""Writes the model and calibration samples of keep-float.test.

  keep_float_model.py OUT_DIR
      OUT_DIR/m.onnx: x float32[1,64] -> Gemm fc1 (64x64) -> Relu relu1 -> Gemm fc2 (64x64)
      -> Relu relu2 -> Gemm fc3 (16x64) -> y float32[1,16], fixed-seed weights (every
      weight has >= 1024 elements, so int4 quantizes them all);
      OUT_DIR/calib/s<i>.npy: 8 samples; OUT_DIR/x.npy: one input.
"""
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper


def main():
    out = sys.argv[1]
    rng = np.random.default_rng(3)
    inits, nodes = [], []
    prev = "x"
    for i, (n, k) in enumerate([(64, 64), (64, 64), (16, 64)], start=1):
        inits.append(numpy_helper.from_array((rng.standard_normal((n, k)) / 8).astype(np.float32), f"w{i}"))
        inits.append(numpy_helper.from_array((rng.standard_normal(n) / 10).astype(np.float32), f"b{i}"))
        h = f"h{i}" if i < 3 else "y"
        nodes.append(helper.make_node("Gemm", [prev, f"w{i}", f"b{i}"], [h], name=f"fc{i}", transB=1))
        if i < 3:
            nodes.append(helper.make_node("Relu", [h], [f"r{i}"], name=f"relu{i}"))
            prev = f"r{i}"
    graph = helper.make_graph(nodes, "keep_float",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 64])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 16])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    with open(os.path.join(out, "m.onnx"), "wb") as f:
        f.write(model.SerializeToString())
    os.makedirs(os.path.join(out, "calib"), exist_ok=True)
    for i in range(8):
        np.save(os.path.join(out, "calib", f"s{i}.npy"), rng.standard_normal((1, 64)).astype(np.float32))
    np.save(os.path.join(out, "x.npy"), rng.standard_normal((1, 64)).astype(np.float32))


if __name__ == "__main__":
    main()
