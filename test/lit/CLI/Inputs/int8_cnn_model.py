#!/usr/bin/python3
"""A small CNN for the int8 Conv's stored weight layout (weight-layouts-conv.test).

  int8_cnn_model.py DIR   writes DIR/cnn.onnx, DIR/x.npy and 32 calibration samples in
                          DIR/calib (fixed seeds)

x [1, 3, 12, 12] -> c0 3x3 3->16 (3 channels: stays row-major) -> Relu -> c1 3x3 16->32
pad 1 -> Relu -> c2 1x1 32->32 -> Relu -> c3 3x3 stride 2, 2 groups 32->32 -> Relu ->
c4 depthwise 3x3 (stays row-major) -> c5 1x1 32->24 (24 of 32 padded columns: stays
row-major) -> y [1, 24, 5, 5]."""
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save


def main():
    out = sys.argv[1]
    rng = np.random.default_rng(7)
    inits, nodes = [], []
    x, c = "x", 3

    def conv(name, cin, cout, k, group=1, stride=1, pad=0, relu=True):
        nonlocal x
        w = (rng.standard_normal((cout, cin // group, k, k)) * (1.0 / np.sqrt(cin // group * k * k))).astype(np.float32)
        b = (rng.standard_normal(cout) * 0.1).astype(np.float32)
        inits.append(numpy_helper.from_array(w, name + ".weight"))
        inits.append(numpy_helper.from_array(b, name + ".bias"))
        y = name if relu else "y"
        nodes.append(helper.make_node("Conv", [x, name + ".weight", name + ".bias"], [name + "_c" if relu else y],
                                      name=name, group=group, strides=[stride, stride], pads=[pad] * 4))
        if relu:
            nodes.append(helper.make_node("Relu", [name + "_c"], [y], name=name + "_relu"))
        x = y

    conv("c0", 3, 16, 3)             # 12 -> 10
    conv("c1", 16, 32, 3, pad=1)     # 10
    conv("c2", 32, 32, 1)            # 10
    conv("c3", 32, 32, 3, group=2, stride=2, pad=1)  # 5
    conv("c4", 32, 32, 3, group=32, pad=1)           # 5
    conv("c5", 32, 24, 1, relu=False)
    graph = helper.make_graph(nodes, "cnn", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 12, 12])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 24, 5, 5])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    save(model, os.path.join(out, "cnn.onnx"))
    os.makedirs(os.path.join(out, "calib"), exist_ok=True)
    for k in range(32):
        np.save(os.path.join(out, "calib", "%02d.npy" % k),
                np.random.default_rng(100 + k).standard_normal((1, 3, 12, 12)).astype(np.float32))
    np.save(os.path.join(out, "x.npy"), np.random.default_rng(99).standard_normal((1, 3, 12, 12)).astype(np.float32))


if __name__ == "__main__":
    main()
