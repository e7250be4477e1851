#!/usr/bin/python3
"""Writes the bundled example: a tiny CNN (Conv-BN-ReLU-MaxPool-Conv-ReLU6-GAP-Gemm) with
fixed-seed random weights, and one input image. Run with Debian's python3 (python3-onnx,
python3-numpy); the outputs are committed so the quickstart needs no Python."""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(2026)
here = os.path.dirname(os.path.abspath(__file__))


def init(name, *shape, scale=0.3):
    return numpy_helper.from_array((rng.standard_normal(shape) * scale).astype(np.float32), name)


inits = [
    init("conv1_w", 8, 3, 3, 3), init("conv1_b", 8),
    numpy_helper.from_array((1 + 0.1 * rng.standard_normal(8)).astype(np.float32), "bn_scale"),
    init("bn_bias", 8, scale=0.1), init("bn_mean", 8, scale=0.1),
    numpy_helper.from_array((1 + 0.2 * rng.random(8)).astype(np.float32), "bn_var"),
    init("conv2_w", 16, 8, 3, 3, scale=0.15), init("conv2_b", 16, scale=0.1),
    numpy_helper.from_array(np.array(0.0, np.float32), "six_lo"),
    numpy_helper.from_array(np.array(6.0, np.float32), "six_hi"),
    init("fc_w", 10, 16), init("fc_b", 10, scale=0.1),
]
nodes = [
    helper.make_node("Conv", ["image", "conv1_w", "conv1_b"], ["c1"], name="conv1", pads=[1, 1, 1, 1]),
    helper.make_node("BatchNormalization", ["c1", "bn_scale", "bn_bias", "bn_mean", "bn_var"], ["bn1"], name="bn1"),
    helper.make_node("Relu", ["bn1"], ["r1"], name="relu1"),
    helper.make_node("MaxPool", ["r1"], ["p1"], name="pool1", kernel_shape=[2, 2], strides=[2, 2]),
    helper.make_node("Conv", ["p1", "conv2_w", "conv2_b"], ["c2"], name="conv2", pads=[1, 1, 1, 1], strides=[2, 2]),
    helper.make_node("Clip", ["c2", "six_lo", "six_hi"], ["r2"], name="relu6"),
    helper.make_node("GlobalAveragePool", ["r2"], ["gap"], name="gap"),
    helper.make_node("Flatten", ["gap"], ["flat"], name="flatten"),
    helper.make_node("Gemm", ["flat", "fc_w", "fc_b"], ["logits"], name="fc", transB=1),
    helper.make_node("Softmax", ["logits"], ["probs"], name="softmax", axis=1),
]
graph = helper.make_graph(
    nodes, "tiny_cnn",
    [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, 32, 32])],
    [helper.make_tensor_value_info("probs", TensorProto.FLOAT, [1, 10])],
    inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="edgec-example")
model.ir_version = 8
onnx.checker.check_model(model)
onnx.save(model, os.path.join(here, "tiny_cnn.onnx"))
np.save(os.path.join(here, "tiny_cnn_image.npy"), rng.random((1, 3, 32, 32), dtype=np.float32))
