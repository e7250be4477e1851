#!/usr/bin/python3
"""Writes the small ONNX models of ort_quant_ops.test into OUTDIR: ONNX Runtime's
com.microsoft QLinearAdd / QLinearMul (QOperator format), MatMulInteger, ConvInteger,
DynamicQuantizeLinear, ORT's dynamic-quantization pattern, and bad inputs."""
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save

OUT = sys.argv[1]
MS = helper.make_opsetid("com.microsoft", 1)
U8, I8, F32, I32 = TensorProto.UINT8, TensorProto.INT8, TensorProto.FLOAT, TensorProto.INT32


def init(name, value):
    return numpy_helper.from_array(np.asarray(value), name)


def model(name, nodes, inputs, outputs, inits, ms=False):
    graph = helper.make_graph(nodes, name, inputs, outputs, inits)
    opsets = [helper.make_opsetid("", 13)] + ([MS] if ms else [])
    save(helper.make_model(graph, opset_imports=opsets, ir_version=8), "%s/%s.onnx" % (OUT, name))


def qlinear(op, a_shape, b_shape, y_shape, name, zp_type=np.uint8, b_zp=None):
    """QuantizeLinear(x) -> QLinear<op>(xq, B constant) -> DequantizeLinear."""
    nodes = [
        helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"], name="q"),
        helper.make_node(op, ["xq", "xs", "xz", "b", "bs", "bz", "ys", "yz"], ["yq"], name="qop", domain="com.microsoft"),
        helper.make_node("DequantizeLinear", ["yq", "ys", "yz"], ["y"], name="dq"),
    ]
    b = (np.arange(np.prod(b_shape)) % 7 * 20 + (0 if zp_type == np.uint8 else -60)).astype(zp_type).reshape(b_shape)
    inits = [init("xs", np.float32(0.0625)), init("xz", zp_type(10)), init("b", b), init("bs", np.float32(0.03125)),
             init("bz", b_zp if b_zp is not None else zp_type(3)), init("ys", np.float32(0.125)),
             init("yz", zp_type(7))]
    model(name, nodes, [helper.make_tensor_value_info("x", F32, a_shape)],
          [helper.make_tensor_value_info("y", F32, y_shape)], inits, ms=True)


qlinear("QLinearAdd", [1, 4, 2, 2], [4, 1, 1], [1, 4, 2, 2], "qlinear_add")
qlinear("QLinearMul", [2, 3], [3], [2, 3], "qlinear_mul", zp_type=np.int8)
# A QLinearAdd whose zero point has another type than its operand (ONNX shape inference).
qlinear("QLinearAdd", [2, 3], [3], [2, 3], "qlinear_add_zp_type", b_zp=np.int8(3))

# An ORT com.microsoft op edgec does not import.
model("ms_unsupported", [helper.make_node("QGemm", ["a"], ["y"], name="gemm1", domain="com.microsoft")],
      [helper.make_tensor_value_info("a", U8, [2, 2])], [helper.make_tensor_value_info("y", U8, [2, 2])], [], ms=True)

# MatMulInteger with a per-row A zero point (graph input) and a per-column B zero point.
model("matmul_integer",
      [helper.make_node("MatMulInteger", ["a", "b", "az", "bz"], ["y"], name="mmi")],
      [helper.make_tensor_value_info("a", U8, [2, 3]), helper.make_tensor_value_info("az", U8, [2])],
      [helper.make_tensor_value_info("y", I32, [2, 4])],
      [init("b", np.arange(12, dtype=np.int8).reshape(3, 4) - 5), init("bz", np.array([1, -2, 0, 3], np.int8))])
# The same with a B zero point of the wrong shape, and with int32 operands.
model("matmul_integer_zp_shape",
      [helper.make_node("MatMulInteger", ["a", "b", "az", "bz"], ["y"], name="mmi")],
      [helper.make_tensor_value_info("a", U8, [2, 3]), helper.make_tensor_value_info("az", U8, [2])],
      [helper.make_tensor_value_info("y", I32, [2, 4])],
      [init("b", np.zeros((3, 4), np.int8)), init("bz", np.zeros(3, np.int8))])
model("matmul_integer_int32",
      [helper.make_node("Cast", ["a"], ["a32"], name="cast", to=I32),
       helper.make_node("MatMulInteger", ["a32", "b"], ["y"], name="mmi32")],
      [helper.make_tensor_value_info("a", U8, [2, 3])], [helper.make_tensor_value_info("y", I32, [2, 4])],
      [init("b", np.zeros((3, 4), np.int32))])

# ConvInteger with padding and a per-channel weight zero point.
model("conv_integer",
      [helper.make_node("ConvInteger", ["x", "w", "xz", "wz"], ["y"], name="convi", pads=[1, 1, 1, 1])],
      [helper.make_tensor_value_info("x", U8, [1, 1, 3, 3])], [helper.make_tensor_value_info("y", I32, [1, 2, 4, 4])],
      [init("w", np.array([1, 2, 3, 4, -1, -2, -3, -4], np.int8).reshape(2, 1, 2, 2)), init("xz", np.uint8(1)),
       init("wz", np.array([0, 1], np.int8))])

# ORT's dynamic quantization of a MatMul: DynamicQuantizeLinear -> MatMulInteger -> Cast ->
# Mul(x scale * w scale) -> Add(bias).
w = np.array([[10, -20, 30], [-40, 50, -60], [70, -80, 90], [-100, 110, -120]], np.int8)
model("dynamic_matmul",
      [helper.make_node("DynamicQuantizeLinear", ["x"], ["xq", "xs", "xz"], name="dql"),
       helper.make_node("MatMulInteger", ["xq", "w", "xz"], ["acc"], name="mmi"),
       helper.make_node("Cast", ["acc"], ["accf"], name="cast", to=F32),
       helper.make_node("Mul", ["xs", "ws"], ["s"], name="scale"),
       helper.make_node("Mul", ["accf", "s"], ["m"], name="rescale"),
       helper.make_node("Add", ["m", "bias"], ["y"], name="bias")],
      [helper.make_tensor_value_info("x", F32, [2, 4])], [helper.make_tensor_value_info("y", F32, [2, 3])],
      [init("w", w), init("ws", np.float32(0.01)), init("bias", np.array([0.5, -0.5, 0.25], np.float32))])
# DynamicQuantizeLinear of float64 (the ONNX checker allows only float32).
model("dynamic_quantize_f64",
      [helper.make_node("DynamicQuantizeLinear", ["x"], ["y", "s", "z"], name="dql64")],
      [helper.make_tensor_value_info("x", TensorProto.DOUBLE, [4])],
      [helper.make_tensor_value_info("y", U8, [4]), helper.make_tensor_value_info("s", F32, []),
       helper.make_tensor_value_info("z", U8, [])], [])
