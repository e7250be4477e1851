#!/usr/bin/python3
"""Pre-quantized ONNX models (QDQ, QOperator and integer ops) through edgec, checked
against ONNX Runtime 1.30 on the same model and the same inputs.

Each case is a small model built with onnx.helper the way ONNX Runtime's quantizer writes
them (opset 17):
  * activations: a float graph input goes through QuantizeLinear -> DequantizeLinear;
    per-tensor, uint8 asymmetric (or int8 asymmetric in the *_s8 cases), scale and zero
    point from the tensor's float range as ORT's calibrator computes them
    (scale = (max - min) / (qmax - qmin) over a range widened to include 0,
    zero point = round(qmin - min / scale));
  * weights: int8 initializers + DequantizeLinear, symmetric in [-127, 127] with zero
    point 0, per output channel (axis 0) for Conv and Gemm(transB=1), per tensor for
    MatMul (matmul_perchannel: axis 1);
  * biases: int32 initializers + DequantizeLinear with scale = input scale x weight
    scale (per channel) and zero point 0;
  * every op sits between DequantizeLinear inputs and a QuantizeLinear output; MaxPool's
    output keeps its input's scale and zero point (ORT's convention); the graph output
    is the final QuantizeLinear's output (uint8/int8), so integer outputs are compared
    exactly; the *_float_out cases end in DequantizeLinear instead.
The output quantization ranges come from a first "probe" run of the same graph in ORT
with the float values of those tensors as outputs. Inputs are drawn on the input's
quantization grid plus up to 0.3 of a step, so quantizing the input is never a tie.
Separate cases use the integer operators directly: QLinearConv, QLinearMatMul,
QLinearAdd and QLinearMul (ORT's com.microsoft ops of its QOperator format),
MatMulInteger, ConvInteger, DynamicQuantizeLinear, and ORT's dynamic-quantization MatMul
pattern (DynamicQuantizeLinear -> MatMulInteger -> Cast -> Mul -> Add). One float-only
case (control_float) checks the harness itself.

Pass criteria per output:
  quantized (uint8/int8)  every element equal, or max |edgec - ORT| <= 1. ONNX Runtime
                          requantizes with a float multiplier and rounds half to even;
                          edgec follows TFLite's fixed-point rule (31-bit multiplier,
                          rounding half away from zero), so a value on or near a tie may
                          land one code apart: that is the documented, bounded difference.
                          Both counts (equal, within +-1) are printed, and how many of
                          the differing codes are NOT at a tie ("off-tie": the value
                          QuantizeLinear rounds, x / scale + zero point computed by ORT in
                          a third build of the graph, is farther than 0.01 from k + 0.5):
                          those are differences the rounding rule does not explain (double
                          rounding, an inexact rescale) and fail the case too (--lenient
                          accepts them). QLinearAdd / QLinearMul cases compute that value
                          exactly in numpy from their inputs instead.
  int32 (MatMulInteger, ConvInteger)  exactly equal.
  float after DequantizeLinear  |diff| <= one output quantization step (its scale).
  DynamicQuantizeLinear's y_scale  relative 1e-6; y_zero_point  equal.
  dynamic_matmul (float)  |diff| <= 1e-5 * max|ORT| + x_scale * w_scale * 127 (one input
                          code off in a row).
  control_float           |diff| <= 1e-4 * max|ORT| + 1e-6.
A case edgec cannot compile (an op it does not import yet) FAILS with edgec's message;
nothing is skipped silently. Which cases run by default is the one explicit list
ENABLED_CASES below (those today's edgec is expected to pass; extend it as the QDQ
import lands); `--cases all` runs every case, `--cases conv,matmul` some.

ONNX Runtime comes from npm (onnxruntime-node 1.30.0 in BUILD/peers, installed there on
first use as scripts/bench.sh does) and runs through test/e2e/ort_run.mjs (ort.py), single-threaded,
graph optimizations 'all' (QDQ groups fused into ORT's integer kernels, as ORT users get
them; --ort-opt-level disabled runs the graph node by node instead).
Prints one line per case, a summary table (case, output, elements, equal, max diff,
within +-1) and "N passed, N failed" last; exit status 1 on any failure.

  test/e2e/qdq_vs_ort.py --build-dir build                   # the enabled cases
  test/e2e/qdq_vs_ort.py --build-dir build --cases all --keep
"""
import os
import sys
import tempfile
import zlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import ort  # noqa: E402

TIE_TOL = 0.01  # a differing code counts as a tie when the unrounded value is within this of k + 0.5
ORT_VERSION = ort.VERSION
OPSET = 17

# The cases today's edgec is expected to pass (run by default and by the test suite).
# Extend this list as the QDQ / integer-op import lands in the compiler.
ENABLED_CASES = ["control_float",
                 "conv", "conv_relu", "conv_s2_pads", "conv_depthwise", "conv_group2", "conv_s8", "conv_float_out",
                 "matmul", "matmul_perchannel", "matmul_s8", "matmul_2act", "gemm",
                 "add", "add_broadcast", "mul", "maxpool", "maxpool_k3_pads", "averagepool", "globalaveragepool",
                 "concat", "sigmoid", "chain", "chain_float_out", "qlinearconv", "qlinearmatmul",
                 "qlinearadd", "qlinearadd_s8", "qlinearadd_broadcast", "qlinearmul", "qlinearmul_broadcast",
                 "matmulinteger", "matmulinteger_percol", "convinteger", "dynamicquantizelinear", "dynamic_matmul"]

U8, S8 = np.uint8, np.int8
QRANGE = {U8: (0, 255), S8: (-128, 127)}
ONNX_TYPE = {np.float32: TensorProto.FLOAT, U8: TensorProto.UINT8, S8: TensorProto.INT8,
             np.int32: TensorProto.INT32, np.int64: TensorProto.INT64}


def qparams(lo, hi, dtype):
    """ORT's asymmetric activation parameters for a float range: (scale float32, zero point)."""
    qmin, qmax = QRANGE[dtype]
    lo, hi = min(float(lo), 0.0), max(float(hi), 0.0)
    scale = np.float32((hi - lo) / (qmax - qmin)) if hi > lo else np.float32(1.0)
    zp = int(np.clip(np.round(qmin - lo / float(scale)), qmin, qmax))
    return scale, zp


class Builder:
    """Builds one case's graph. mode "probe": no quantization at the marked points, their
    float values become extra outputs (to measure ranges); mode "final": Q/DQ from those
    ranges; mode "preround": as final, but each quantized graph output is the value
    QuantizeLinear would round (x / scale + zero point, float), to tell ties from other
    differences. Random draws do not depend on the mode, so all builds hold the same
    weights and inputs."""

    def __init__(self, seed, mode, ranges=None):
        self.rng = np.random.default_rng(seed)
        self.mode = mode
        self.ranges = ranges or {}
        self.nodes, self.inits, self.inputs, self.outputs = [], [], [], []
        self.feeds = {}        # graph input name -> array
        self.checks = {}       # graph output name -> (kind, tolerance)
        self.params = {}       # tensor name -> (scale, zero point, dtype) of its quantization
        self.domains = set()
        self.out_types = {}    # graph output name -> (ONNX element type, shape) (output_raw)
        self.unrounded = {}    # graph output name -> its exact value before rounding (numpy, float64)
        self.preround = set()  # outputs that mode "preround" gives unrounded
        self.n = 0

    def uniq(self, base):
        self.n += 1
        return "%s_%d" % (base, self.n)

    def const(self, arr, base="c"):
        name = self.uniq(base)
        self.inits.append(numpy_helper.from_array(np.asarray(arr), name))
        return name

    def node(self, op, ins, nout=1, outs=None, domain=None, **attrs):
        outs = outs or [self.uniq(op.lower()) for _ in range(nout)]
        self.nodes.append(helper.make_node(op, ins, outs, name=self.uniq(op), domain=domain, **attrs))
        if domain:
            self.domains.add(domain)
        return outs[0] if len(outs) == 1 else outs

    def quantize(self, x, scale, zp, dtype, out=None):
        return self.node("QuantizeLinear", [x, self.const(np.float32(scale), "s"), self.const(dtype(zp), "zp")],
                         outs=[out] if out else None)

    def dequantize(self, xq, scale, zp, axis=None, out=None):
        attrs = {} if axis is None else {"axis": axis}
        return self.node("DequantizeLinear", [xq, self.const(scale, "s"), self.const(zp, "zp")],
                         outs=[out] if out else None, **attrs)

    # graph inputs
    def float_input(self, name, shape, lo, hi, dtype=U8):
        """A float input quantized at the graph's start (ORT's QDQ convention); the data lie on
        the quantization grid plus up to 0.3 of a step. Returns the DequantizeLinear output."""
        scale, zp = qparams(lo, hi, dtype)
        qmin, qmax = QRANGE[dtype]
        q = self.rng.integers(qmin, qmax + 1, shape)
        x = ((q - zp) * np.float64(scale) + self.rng.uniform(-0.3, 0.3, shape) * np.float64(scale)).astype(np.float32)
        self.inputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, list(shape)))
        self.feeds[name] = x
        d = self.dequantize(self.quantize(name, scale, zp, dtype), np.float32(scale), dtype(zp))
        self.params[d] = (scale, zp, dtype)
        return d

    def raw_input(self, name, arr):
        self.inputs.append(helper.make_tensor_value_info(name, ONNX_TYPE[arr.dtype.type], list(arr.shape)))
        self.feeds[name] = arr
        return name

    # quantization points
    def _point_params(self, x, label, dtype, same_as, widen_lo):
        if same_as is not None:
            return self.params[same_as][:2]
        lo, hi = self.ranges[label]
        if widen_lo:
            lo = min(lo, -widen_lo * hi)
        return qparams(lo, hi, dtype)

    def act(self, x, label, dtype=U8, same_as=None):
        """Q -> DQ in the middle of the graph (an activation ORT's quantizer quantizes)."""
        if self.mode == "probe":
            self._probe(x, label)
            return x
        scale, zp = self._point_params(x, label, dtype, same_as, 0)
        d = self.dequantize(self.quantize(x, scale, zp, dtype), np.float32(scale), dtype(zp))
        self.params[d] = (scale, zp, dtype)
        return d

    def output_q(self, x, name, dtype=U8, same_as=None, widen_lo=0.0):
        """The graph output is QuantizeLinear's (integer) output."""
        if self.mode == "probe":
            return self._probe(x, name)
        scale, zp = self._point_params(x, name, dtype, same_as, widen_lo)
        self.outputs.append(helper.make_empty_tensor_value_info(name))
        self.checks[name] = ("quant", None)
        if self.mode == "preround":  # x / scale + zero point, before rounding: where the ties are
            self.node("Add", [self.node("Div", [x, self.const(np.float32(scale), "s")]),
                              self.const(np.float32(zp), "zp")], outs=[name])
            self.preround.add(name)
        else:
            self.quantize(x, scale, zp, dtype, out=name)

    def output_dq(self, x, name, dtype=U8):
        """Q -> DQ at the end: a float output, compared within one quantization step."""
        if self.mode == "probe":
            return self._probe(x, name)
        scale, zp = self._point_params(x, name, dtype, None, 0)
        self.dequantize(self.quantize(x, scale, zp, dtype), np.float32(scale), dtype(zp), out=name)
        self.outputs.append(helper.make_empty_tensor_value_info(name))
        self.checks[name] = ("float", float(scale))

    def output_raw(self, x, name, elem_type, kind, tol=None, shape=None):
        """An output taken as it is (int32 accumulators, DynamicQuantizeLinear's outputs);
        shape: its shape, needed after a com.microsoft op (Python's ONNX cannot infer it)."""
        self.node("Identity", [x], outs=[name])
        self.outputs.append(helper.make_empty_tensor_value_info(name))
        self.checks[name] = (kind, tol)
        self.out_types[name] = (elem_type, shape)

    def _probe(self, x, label):
        name = "probe." + label
        self.node("Identity", [x], outs=[name])
        self.outputs.append(helper.make_empty_tensor_value_info(name))

    # weights and biases
    def weight(self, w, axis=None):
        """Symmetric int8 weights in [-127, 127], zero point 0, per channel along axis or per
        tensor. Returns (DequantizeLinear output, scale: array [C] or scalar)."""
        w = w.astype(np.float32)
        if axis is None:
            scale = np.float32(max(np.abs(w).max(), 1e-8) / 127)
            q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
            return self.dequantize(self.const(q, "w"), scale, np.int8(0)), scale
        red = tuple(i for i in range(w.ndim) if i != axis)
        scale = (np.maximum(np.abs(w).max(axis=red), 1e-8) / 127).astype(np.float32)
        shape = [1] * w.ndim
        shape[axis] = -1
        q = np.clip(np.round(w / scale.reshape(shape)), -127, 127).astype(np.int8)
        return self.dequantize(self.const(q, "w"), scale, np.zeros(len(scale), np.int8), axis=axis), scale

    def bias(self, b, x, w_scale):
        """int32 bias with scale = input scale x weight scale, zero point 0 (float while probing,
        when the input's scale is not known yet)."""
        if x not in self.params:
            return self.const(b.astype(np.float32), "b")
        bscale = (np.float32(self.params[x][0]) * w_scale).astype(np.float32)
        bq = np.round(b / bscale).astype(np.int32)
        if np.ndim(bscale) == 0:
            return self.dequantize(self.const(bq, "bq"), bscale, np.int32(0))
        return self.dequantize(self.const(bq, "bq"), bscale, np.zeros(len(bscale), np.int32), axis=0)

    def model(self, name):
        graph = helper.make_graph(self.nodes, name, self.inputs, self.outputs, self.inits)
        opsets = [helper.make_opsetid("", OPSET)] + [helper.make_opsetid(d, 1) for d in sorted(self.domains)]
        m = helper.make_model(graph, opset_imports=opsets, producer_name="qdq_vs_ort")
        m.ir_version = 8
        # Output types and shapes as ONNX's shape inference gives them.
        inferred = onnx.shape_inference.infer_shapes(m, strict_mode=True)
        known = {v.name: v for v in list(inferred.graph.value_info) + list(inferred.graph.output)}
        for o in m.graph.output:
            if o.name in known and known[o.name].type.HasField("tensor_type"):
                o.type.CopyFrom(known[o.name].type)
            elif o.name in self.out_types:  # after a com.microsoft op, which Python's ONNX cannot infer
                elem_type, shape = self.out_types[o.name]
                o.type.CopyFrom(helper.make_tensor_type_proto(elem_type, shape))
        if not self.domains:
            onnx.checker.check_model(m)
        return m


def randn(b, *shape, scale=1.0):
    return (b.rng.standard_normal(shape) * scale).astype(np.float32)


# ---------------------------------------------------------------------------- cases
def conv_case(b, cin=8, cout=16, hw=12, k=3, stride=1, pads=(1, 1, 1, 1), group=1, relu=False, dtype=U8,
              float_out=False):
    x = b.float_input("x", (1, cin, hw, hw), -1.0, 1.5, dtype)
    w, ws = b.weight(randn(b, cout, cin // group, k, k, scale=0.3), axis=0)
    bias = b.bias(randn(b, cout, scale=0.2), x, ws)
    y = b.node("Conv", [x, w, bias], kernel_shape=[k, k], strides=[stride, stride], pads=list(pads), group=group)
    if relu:
        y = b.node("Relu", [y])
    if float_out:
        b.output_dq(y, "y", dtype)
    else:
        # With Relu, widen the output range below 0 so the zero point is above qmin and the
        # Relu really clamps (with zero point = qmin, ORT drops a Relu before Q as a no-op).
        b.output_q(y, "y", dtype, widen_lo=0.1 if relu else 0.0)


def matmul_case(b, per_channel=False, dtype=U8):
    x = b.float_input("x", (1, 6, 32), -2.0, 2.0, dtype)
    w, _ = b.weight(randn(b, 32, 24, scale=0.2), axis=1 if per_channel else None)
    b.output_q(b.node("MatMul", [x, w]), "y", dtype)


def matmul_2act(b):
    x = b.float_input("a", (2, 8, 16), -1.0, 1.0)
    y = b.float_input("b", (2, 16, 12), -0.5, 2.0)
    b.output_q(b.node("MatMul", [x, y]), "y")


def gemm_case(b):
    a = b.float_input("a", (2, 64), -1.5, 1.0)
    w, ws = b.weight(randn(b, 32, 64, scale=0.15), axis=0)
    c = b.bias(randn(b, 32, scale=0.3), a, ws)
    b.output_q(b.node("Gemm", [a, w, c], transB=1), "y")


def binary_case(b, op, shape2=(1, 8, 6, 6)):
    x = b.float_input("x1", (1, 8, 6, 6), -1.0, 1.0)
    y = b.float_input("x2", shape2, -3.0, 2.0)
    b.output_q(b.node(op, [x, y]), "y")


def maxpool_case(b, k=2, stride=2, pads=(0, 0, 0, 0)):
    x = b.float_input("x", (1, 8, 11, 11), -1.0, 3.0)
    y = b.node("MaxPool", [x], kernel_shape=[k, k], strides=[stride, stride], pads=list(pads))
    b.output_q(y, "y", same_as=x)


def avgpool_case(b):
    x = b.float_input("x", (1, 8, 11, 11), -1.0, 3.0)
    y = b.node("AveragePool", [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    b.output_q(y, "y")


def gap_case(b):
    x = b.float_input("x", (1, 16, 7, 7), -2.0, 3.0)
    b.output_q(b.node("GlobalAveragePool", [x]), "y")


def concat_case(b):
    xs = [b.float_input("x1", (1, 4, 5, 5), -1.0, 1.0), b.float_input("x2", (1, 6, 5, 5), -3.0, 2.0),
          b.float_input("x3", (1, 2, 5, 5), 0.0, 0.5)]
    b.output_q(b.node("Concat", xs, axis=1), "y")


def sigmoid_case(b):
    x = b.float_input("x", (1, 256), -6.0, 6.0)
    b.output_q(b.node("Sigmoid", [x]), "y")


def chain_case(b, float_out=False):
    """conv -> relu -> maxpool -> reshape -> matmul (+ bias add), every tensor Q/DQ'd."""
    x = b.float_input("x", (1, 3, 16, 16), -1.0, 1.0)
    w, ws = b.weight(randn(b, 8, 3, 3, 3, scale=0.4), axis=0)
    y = b.node("Relu", [b.node("Conv", [x, w, b.bias(randn(b, 8, scale=0.2), x, ws)], kernel_shape=[3, 3],
                                pads=[1, 1, 1, 1])])
    y = b.act(y, "relu")
    y = b.act(b.node("MaxPool", [y], kernel_shape=[2, 2], strides=[2, 2]), "pool", same_as=y)
    y = b.act(b.node("Reshape", [y, b.const(np.array([1, 512], np.int64), "shape")]), "flat", same_as=y)
    w2, _ = b.weight(randn(b, 512, 10, scale=0.05))
    y = b.act(b.node("MatMul", [y, w2]), "mm")
    y = b.node("Add", [y, b.dequantize(b.const(b.rng.integers(-100, 100, 10).astype(np.int8), "bq"),
                                       np.float32(0.01), np.int8(0))])
    if float_out:
        b.output_dq(y, "y")
    else:
        b.output_q(y, "y")


def qlinearconv_case(b):
    x = b.raw_input("x", b.rng.integers(0, 256, (1, 8, 10, 10)).astype(np.uint8))
    w = b.rng.integers(-127, 128, (12, 8, 3, 3)).astype(np.int8)
    ws = (b.rng.uniform(0.5, 1.5, 12) * 0.004).astype(np.float32)
    bias = b.rng.integers(-2000, 2000, 12).astype(np.int32)
    ins = [x, b.const(np.float32(0.021), "xs"), b.const(np.uint8(119), "xzp"), b.const(w, "w"), b.const(ws, "ws"),
           b.const(np.zeros(12, np.int8), "wzp"), b.const(np.float32(0.09), "ys"), b.const(np.uint8(131), "yzp"),
           b.const(bias, "b")]
    y = b.node("QLinearConv", ins, kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1])
    b.output_raw(y, "y", TensorProto.UINT8, "quant")


def qlinearmatmul_case(b):
    a = b.raw_input("a", b.rng.integers(0, 256, (1, 6, 32)).astype(np.uint8))
    w = b.rng.integers(-127, 128, (32, 16)).astype(np.int8)
    ins = [a, b.const(np.float32(0.017), "as"), b.const(np.uint8(124), "azp"), b.const(w, "w"),
           b.const(np.float32(0.0061), "ws"), b.const(np.int8(0), "wzp"), b.const(np.float32(0.15), "ys"),
           b.const(np.uint8(128), "yzp")]
    b.output_raw(b.node("QLinearMatMul", ins), "y", TensorProto.UINT8, "quant")


def qlinear_binary_case(b, op, shape2=(1, 8, 6, 6), dtype=U8):
    """ORT's QOperator-format QLinearAdd / QLinearMul (domain com.microsoft); shape2: B's
    shape (numpy broadcasting against A's [1, 8, 6, 6]); dtype: uint8 or int8 throughout."""
    lo, hi = QRANGE[dtype]
    shift = 0 if dtype == U8 else 128
    x = b.raw_input("a", b.rng.integers(lo, hi + 1, (1, 8, 6, 6)).astype(dtype))
    y = b.raw_input("b", b.rng.integers(lo, hi + 1, shape2).astype(dtype))
    cs = 0.031 if op == "QLinearAdd" else 0.011
    ins = [x, b.const(np.float32(0.0123), "as"), b.const(dtype(120 - shift), "azp"), y,
           b.const(np.float32(0.0071), "bs"), b.const(dtype(133 - shift), "bzp"), b.const(np.float32(cs), "ys"),
           b.const(dtype(125 - shift), "yzp")]
    # The exact real value each output code rounds, to tell ties from other differences.
    da = (b.feeds["a"].astype(np.float64) - (120 - shift)) * float(np.float32(0.0123))
    db = (b.feeds["b"].astype(np.float64) - (133 - shift)) * float(np.float32(0.0071))
    b.unrounded["y"] = (da + db if op == "QLinearAdd" else da * db) / float(np.float32(cs)) + (125 - shift)
    b.output_raw(b.node(op, ins, domain="com.microsoft"), "y", TensorProto.UINT8 if dtype == U8 else TensorProto.INT8,
                 "quant", shape=list(np.broadcast_shapes((1, 8, 6, 6), shape2)))


def matmulinteger_case(b):
    a = b.raw_input("a", b.rng.integers(0, 256, (4, 32)).astype(np.uint8))
    w = b.rng.integers(-127, 128, (32, 16)).astype(np.int8)
    y = b.node("MatMulInteger", [a, b.const(w, "w"), b.const(np.uint8(131), "azp"), b.const(np.int8(-2), "wzp")])
    b.output_raw(y, "y", TensorProto.INT32, "int")


def matmulinteger_percol_case(b):
    """b_zero_point per column of B (ORT's per-channel weights), batched A."""
    a = b.raw_input("a", b.rng.integers(0, 256, (2, 3, 24)).astype(np.uint8))
    w = b.rng.integers(-127, 128, (24, 10)).astype(np.int8)
    y = b.node("MatMulInteger", [a, b.const(w, "w"), b.const(np.uint8(97), "azp"),
                                 b.const(b.rng.integers(-5, 6, 10).astype(np.int8), "wzp")])
    b.output_raw(y, "y", TensorProto.INT32, "int")


def convinteger_case(b):
    x = b.raw_input("x", b.rng.integers(0, 256, (1, 4, 9, 9)).astype(np.uint8))
    w = b.rng.integers(0, 256, (8, 4, 3, 3)).astype(np.uint8)
    y = b.node("ConvInteger", [x, b.const(w, "w"), b.const(np.uint8(120), "xzp"), b.const(np.uint8(128), "wzp")],
               kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    b.output_raw(y, "y", TensorProto.INT32, "int")


def dynamicquantizelinear_case(b):
    x = b.raw_input("x", b.rng.uniform(-2.3, 3.1, (1, 3, 8, 8)).astype(np.float32))
    y, s, zp = b.node("DynamicQuantizeLinear", [x], nout=3)
    b.output_raw(y, "y", TensorProto.UINT8, "quant")
    b.output_raw(s, "y_scale", TensorProto.FLOAT, "scale", 1e-6)
    b.output_raw(zp, "y_zero_point", TensorProto.UINT8, "int")


def dynamic_matmul_case(b):
    """ORT's quantize_dynamic pattern for MatMul with int8 per-tensor weights."""
    x = b.raw_input("x", b.rng.uniform(-1.7, 2.2, (1, 8, 32)).astype(np.float32))
    w = randn(b, 32, 24, scale=0.2)
    w_scale = np.float32(np.abs(w).max() / 127)
    wq = np.clip(np.round(w / w_scale), -127, 127).astype(np.int8)
    xq, xs, xzp = b.node("DynamicQuantizeLinear", [x], nout=3)
    acc = b.node("MatMulInteger", [xq, b.const(wq, "w"), xzp, b.const(np.int8(0), "wzp")])
    scale = b.node("Mul", [xs, b.const(w_scale, "ws")])
    y = b.node("Add", [b.node("Mul", [b.node("Cast", [acc], to=TensorProto.FLOAT), scale]),
                       b.const(randn(b, 24, scale=0.1), "bias")])
    xv = b.feeds["x"]
    x_scale = (max(float(xv.max()), 0.0) - min(float(xv.min()), 0.0)) / 255
    b.output_raw(y, "y", TensorProto.FLOAT, "float_rel", ("dyn", x_scale * float(w_scale) * 127))


def control_float_case(b):
    """No quantization: checks the harness (ORT runner, .npy I/O, comparison) itself."""
    x = b.raw_input("x", randn(b, 1, 3, 12, 12))
    y = b.node("Relu", [b.node("Conv", [x, b.const(randn(b, 8, 3, 3, 3, scale=0.3)), b.const(randn(b, 8))],
                                kernel_shape=[3, 3], pads=[1, 1, 1, 1])])
    y = b.node("Flatten", [b.node("GlobalAveragePool", [y])])
    y = b.node("Gemm", [y, b.const(randn(b, 5, 8)), b.const(randn(b, 5))], transB=1)
    b.output_raw(y, "y", TensorProto.FLOAT, "float_rel", ("rel", 1e-4))


CASES = {
    "control_float": control_float_case,
    "conv": lambda b: conv_case(b),
    "conv_relu": lambda b: conv_case(b, relu=True),
    "conv_s2_pads": lambda b: conv_case(b, hw=13, stride=2, pads=(0, 1, 2, 1)),
    "conv_depthwise": lambda b: conv_case(b, cin=16, cout=16, group=16),
    "conv_group2": lambda b: conv_case(b, cin=8, cout=12, group=2, k=1, pads=(0, 0, 0, 0)),
    "conv_s8": lambda b: conv_case(b, dtype=S8),
    "conv_float_out": lambda b: conv_case(b, float_out=True),
    "matmul": lambda b: matmul_case(b),
    "matmul_perchannel": lambda b: matmul_case(b, per_channel=True),
    "matmul_s8": lambda b: matmul_case(b, dtype=S8),
    "matmul_2act": matmul_2act,
    "gemm": gemm_case,
    "add": lambda b: binary_case(b, "Add"),
    "add_broadcast": lambda b: binary_case(b, "Add", shape2=(1, 8, 1, 1)),
    "mul": lambda b: binary_case(b, "Mul"),
    "maxpool": lambda b: maxpool_case(b),
    "maxpool_k3_pads": lambda b: maxpool_case(b, k=3, stride=2, pads=(1, 1, 1, 1)),
    "averagepool": avgpool_case,
    "globalaveragepool": gap_case,
    "concat": concat_case,
    "sigmoid": sigmoid_case,
    "chain": lambda b: chain_case(b),
    "chain_float_out": lambda b: chain_case(b, float_out=True),
    "qlinearconv": qlinearconv_case,
    "qlinearmatmul": qlinearmatmul_case,
    "qlinearadd": lambda b: qlinear_binary_case(b, "QLinearAdd"),
    "qlinearadd_s8": lambda b: qlinear_binary_case(b, "QLinearAdd", dtype=S8),
    "qlinearadd_broadcast": lambda b: qlinear_binary_case(b, "QLinearAdd", shape2=(8, 1, 1)),
    "qlinearmul": lambda b: qlinear_binary_case(b, "QLinearMul"),
    "qlinearmul_broadcast": lambda b: qlinear_binary_case(b, "QLinearMul", shape2=(1, 8, 1, 1)),
    "matmulinteger": matmulinteger_case,
    "matmulinteger_percol": matmulinteger_percol_case,
    "convinteger": convinteger_case,
    "dynamicquantizelinear": dynamicquantizelinear_case,
    "dynamic_matmul": dynamic_matmul_case,
}


def build_case(name, mode, ranges=None):
    b = Builder(zlib.crc32(name.encode()), mode, ranges)
    CASES[name](b)
    return b


# ---------------------------------------------------------------------------- running
def write_case(b, folder, tag):
    os.makedirs(folder, exist_ok=True)
    model = os.path.join(folder, tag + ".onnx")
    onnx.save(b.model(tag), model)
    inputs = {}
    for n, arr in b.feeds.items():
        inputs[n] = os.path.join(folder, "%s.npy" % n)
        np.save(inputs[n], arr)
    return {"model": model, "inputs": inputs, "output_dir": os.path.join(folder, tag + "-ort")}


def run_ort(jobs, work, peers, opt_level):
    """Runs the jobs in one Node process; returns {model path: result dict}."""
    return {r["model"]: r for r in ort.run_jobs(jobs, work, peers, opt_level)}


def run_edgec(edgec, job, folder):
    """{output name: array} or raises RuntimeError with edgec's message."""
    pkg = os.path.join(folder, "final.edgepkg")
    proc, _, _ = harness.compile_package(edgec, job["model"], [], pkg)
    if proc.returncode != 0:
        raise RuntimeError("edgec compile failed (exit %d): %s" % (proc.returncode, harness.edgec_message(proc.stdout)))
    out = os.path.join(folder, "edgec-out")
    cmd = [edgec, "run", pkg, "-q", "--output-dir", out]
    for n, f in job["inputs"].items():
        cmd += ["--input", "%s=%s" % (n, f)]
    proc = harness.run_captured(cmd)
    if proc.returncode != 0:
        raise RuntimeError("edgec run failed (exit %d): %s" % (proc.returncode, harness.edgec_message(proc.stdout)))
    return {f[:-4]: np.load(os.path.join(out, f)) for f in os.listdir(out) if f.endswith(".npy")}


def compare(kind, tol, got, ref, unrounded=None, strict=False):
    """(ok, stats dict) for one output. unrounded: for a quantized output, the float value its
    QuantizeLinear rounds (from ORT), to count the differences that are not at a tie."""
    st = {"elements": int(ref.size), "equal": None, "max_diff": None, "within1": None, "off_tie": None, "note": ""}
    if got.shape != ref.shape or got.dtype != ref.dtype:
        st["note"] = "edgec gives %s %s, ORT %s %s" % (got.dtype, list(got.shape), ref.dtype, list(ref.shape))
        return False, st
    g, r = got.astype(np.float64), ref.astype(np.float64)
    diff = np.abs(g - r)
    st["equal"] = int(np.sum(g == r))
    st["max_diff"] = float(diff.max()) if diff.size else 0.0
    if kind == "quant":
        st["within1"] = int(np.sum(diff <= 1))
        if unrounded is not None and unrounded.shape == ref.shape:
            frac = np.abs(np.mod(unrounded.astype(np.float64), 1.0) - 0.5)
            st["off_tie"] = int(np.sum((diff != 0) & (frac > TIE_TOL)))
        return st["max_diff"] <= 1 and not (strict and st["off_tie"]), st
    if kind == "int":
        st["within1"] = int(np.sum(diff <= 1))
        return st["max_diff"] == 0, st
    if not np.all(np.isfinite(g)):
        st["note"] = "non-finite values"
        return False, st
    if kind == "float":  # tol: one output quantization step
        bound = tol * 1.0001
        st["note"] = "bound %.3g (one output step)" % bound
    elif kind == "scale":
        bound = tol * float(np.abs(r).max())
        st["note"] = "bound %.3g (relative %g)" % (bound, tol)
    else:  # float_rel: ("rel", r) -> r * max|ref| + 1e-6; ("dyn", step) -> 1e-5 * max|ref| + step
        what, v = tol
        scale = float(np.abs(r).max()) if r.size else 0.0
        bound = v * scale + 1e-6 if what == "rel" else 1e-5 * scale + v
        st["note"] = "bound %.3g" % bound
    st["within1"] = int(np.sum(diff <= bound))
    return st["max_diff"] <= bound, st


def main():
    parser = harness.parser(__doc__)
    parser.add_argument("--peers", help="npm prefix holding onnxruntime-node (default BUILD/peers)")
    harness.add_cases_argument(parser, "--cases", ENABLED_CASES)
    parser.add_argument("--ort-opt-level", default="all", choices=["all", "extended", "basic", "disabled"])
    harness.add_results_arguments(parser, "models, inputs, outputs")
    parser.add_argument("--lenient", dest="strict", action="store_false",
                        help="accept a one-code difference that is not at a rounding tie (by default it fails)")
    parser.add_argument("--self-test", action="store_true",
                        help="compare ORT with ORT at graph optimization level 'disabled' (node by node, float "
                             "reference semantics) instead of edgec: checks the models and bounds, no edgec involved")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    args = parser.parse_args()
    if args.list:
        for n in CASES:
            print("%-22s %s" % (n, "enabled" if n in ENABLED_CASES else ""))
        return 0
    build = os.path.abspath(args.build_dir)
    edgec = os.path.join(build, "bin", "edgec")
    peers = os.path.abspath(args.peers or os.path.join(build, "peers"))
    names = harness.select_cases(parser, args.cases, CASES, ENABLED_CASES)
    problem = None if args.self_test or os.access(edgec, os.X_OK) else "no edgec binary at %s" % edgec
    problem = problem or ort.ensure(peers)
    if problem:
        return harness.setup_failed(problem, max(len(names), 1))

    work = tempfile.mkdtemp(prefix="qdq-ort-", dir=build)
    tally = harness.Tally(22)
    rows = []
    try:
        # 1. probe runs (float values at every quantization point) for the output ranges
        probe_jobs, finals, prerounds, errors = {}, {}, {}, {}
        for n in names:
            try:
                pb = build_case(n, "probe")
                if any(o.name.startswith("probe.") for o in pb.outputs):
                    probe_jobs[n] = write_case(pb, os.path.join(work, n), "probe")
            except Exception as e:  # a harness bug is a failed case, not a crash
                errors[n] = "building the probe model: %s: %s" % (type(e).__name__, e)
        probe_res = run_ort(list(probe_jobs.values()), work, peers, args.ort_opt_level) if probe_jobs else {}
        # 2. final models from the measured ranges
        for n in names:
            if n in errors:
                continue
            ranges = {}
            if n in probe_jobs:
                r = probe_res[probe_jobs[n]["model"]]
                if not r["ok"]:
                    errors[n] = "ORT rejected the probe model: %s" % r["error"]
                    continue
                for o in r["outputs"]:
                    if o["name"].startswith("probe."):
                        v = np.load(o["file"])
                        ranges[o["name"][len("probe."):]] = (float(v.min()), float(v.max()))
            try:
                b = build_case(n, "final", ranges)
                finals[n] = (b, write_case(b, os.path.join(work, n), "final"))
                pr = build_case(n, "preround", ranges)
                if pr.preround:
                    prerounds[n] = (pr, write_case(pr, os.path.join(work, n), "preround"))
            except Exception as e:
                errors[n] = "building the model: %s: %s" % (type(e).__name__, e)
        jobs = [j for _, j in finals.values()] + [j for _, j in prerounds.values()]
        ort_res = run_ort(jobs, work, peers, args.ort_opt_level) if jobs else {}
        if args.self_test and finals:
            other = [dict(j, output_dir=j["output_dir"] + "-disabled") for _, j in finals.values()]
            self_res = run_ort(other, work, peers, "disabled")
        # 3. edgec on the same models and inputs, compared
        for n in names:
            lines = []
            if n in errors:
                ok, detail = False, errors[n]
                rows.append((n, "-", None, False))
            else:
                b, job = finals[n]
                r = ort_res[job["model"]]
                try:
                    if not r["ok"]:
                        raise RuntimeError("ORT rejected the model (a harness bug): %s" % r["error"])
                    ort_out = {o["name"]: np.load(o["file"]) for o in r["outputs"]}
                    unrounded = dict(b.unrounded)
                    if n in prerounds and ort_res[prerounds[n][1]["model"]]["ok"]:
                        unrounded = {o["name"]: np.load(o["file"])
                                     for o in ort_res[prerounds[n][1]["model"]]["outputs"]}
                    if args.self_test:
                        r2 = self_res[job["model"]]
                        if not r2["ok"]:
                            raise RuntimeError("ORT (disabled) rejected the model: %s" % r2["error"])
                        got = {o["name"]: np.load(o["file"]) for o in r2["outputs"]}
                    else:
                        got = run_edgec(edgec, job, os.path.join(work, n))
                except RuntimeError as e:
                    ok, detail = False, str(e)
                    rows.append((n, "-", None, False))
                else:
                    ok = True
                    for out, (kind, tol) in b.checks.items():
                        if out not in got:
                            o_ok, st = False, {"note": "edgec wrote no output %s (got %s)" % (out, sorted(got))}
                        else:
                            o_ok, st = compare(kind, tol, got[out], ort_out[out], unrounded.get(out), args.strict)
                        ok &= o_ok
                        rows.append((n, out, st, o_ok))
                        if st.get("equal") is None:
                            lines.append("%s: %s" % (out, st["note"]))
                        else:
                            lines.append("%s %s: %d/%d equal, max |diff| %.4g, %d within %s%s%s" % (
                                out, got[out].dtype, st["equal"], st["elements"], st["max_diff"], st["within1"],
                                "+-1" if kind in ("quant", "int") else "the bound",
                                "" if st["off_tie"] is None else ", %d of the differences not at a rounding tie%s" % (
                                    st["off_tie"], " (not at a tie)" if args.strict and st["off_tie"] else ""),
                                "; " + st["note"] if st["note"] else ""))
                    detail = "; ".join(lines)
            tally.add(n, ok, detail)
    finally:
        harness.release_work(work, args.keep or tally.failed)

    print("\n%-22s %-13s %8s %8s %10s %10s %8s  %s" % ("case", "output", "elements", "equal", "max diff", "within",
                                                      "off-tie", "result"))
    for n, out, st, ok in rows:
        if st is None or st.get("equal") is None:
            print("%-22s %-13s %8s %8s %10s %10s %8s  %s" % (n, out, "-", "-", "-", "-", "-", "PASS" if ok else "FAIL"))
        else:
            print("%-22s %-13s %8d %8d %10.4g %10d %8s  %s" % (
                n, out, st["elements"], st["equal"], st["max_diff"], st["within1"],
                "-" if st["off_tie"] is None else st["off_tie"], "PASS" if ok else "FAIL"))
    print("(%s vs ONNX Runtime %s, graph optimizations '%s'; 'within': +-1 code for integer outputs, the stated "
          "bound for float ones; 'off-tie': differing codes whose unrounded value (ORT, float) is not within %g of "
          "a tie)\n" % ("ORT with optimizations 'disabled'" if args.self_test else "edgec", ORT_VERSION,
                        args.ort_opt_level, TIE_TOL))
    return tally.finish(args.results_json)


if __name__ == "__main__":
    sys.exit(main())
