"""The ONNX Runtime side of the INT8 benchmark: the float ONNX model, quantized the way
edgec quantized it, written as a QDQ ONNX model in ONNX Runtime's quantizer conventions.

Used by test/bench/bench_models.py (run through scripts/bench.sh); no ORT quantizer and no
onnxruntime Python package is involved (there is none here): the model is rewritten with
the onnx library.

Where the parameters come from. `edgec compile --precision int8 --calib DIR` chooses the
quantization (which values are int8, their scale and zero point); `edgec inspect --tensors`
on the int8 package lists every package tensor with its storage, dtype and quantization.
Package tensors are named after the ONNX node that produces them ("<node>" for an integer
op's int8 result, "<node>.quantized" for the int8 copy of a float op's result, "<input>.quantized"
for a graph input, "<node>.weight" / "<node>.bias" for an integer op's constants), so each
int8 activation maps back to one ONNX value:
  * activations: the int8 package tensor's per-tensor scale and zero point (as inspect
    prints them: 6 significant digits, a relative difference of at most 5e-7 from the
    package's float32 scale; the zero point is exact) become a QuantizeLinear ->
    DequantizeLinear pair (int8) on that ONNX value; every consumer reads the
    DequantizeLinear. A Relu or Clip that edgec fused into the op before it (it has no
    package tensor of its own) is where the value is: the pair goes after it and, as
    ORT's quantizer does (QDQRemovableActivation), the activation is dropped when the
    quantization range already clamps the same way (Relu with zero point -128; Clip
    whose bounds cover the representable range);
  * weights of integer Conv / Gemm / MatMul (the ones with an int8 "<node>.weight"):
    int8 initializer + DequantizeLinear per output channel on the axis edgec used (Conv:
    0; Gemm: 0 with transB, else 1; MatMul: the last, N) with scale = max|w| / 127 and
    zero point 0, the same formula as passes/lib/Quantize.cpp (checked against the
    per-channel scale range inspect prints);
  * biases of integer Conv / Gemm (an int32 "<node>.bias"): int32 initializer +
    DequantizeLinear with scale = input scale x weight scale (per channel), zero point 0;
  * everything edgec keeps float (Softmax, the norms, an Add of a float constant, ...)
    stays float, exactly as in edgec's package.
ONNX Runtime (graph optimization 'all') then fuses DQ -> op -> Q groups into its integer
kernels (QLinearConv, QLinearMatMul, QGemm, QLinearAdd, ...), as it does for a model from
its own quantizer; ort_fusion() counts what it fused in the optimized model ORT saves.
"""
import collections
import re

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

INSPECT_LINE = re.compile(r"^\s*(\d+) (\S+)\s+(\S+)\s+(\w+)\s+\[([0-9x]*)\]\s*(.*?)\s*$")
PER_TENSOR = re.compile(r"^per-tensor scale (\S+)(?: zero point (-?\d+))?$")
PER_AXIS = re.compile(r"^per-axis (\d+): (\d+) scales (\S+)\.\.(\S+)")
RESIDUAL_CONV = re.compile(r"residual Add of the Conv's per-tensor scale (\S+) zero point (-?\d+)")
TABLE_CONV = re.compile(r"table \((\S+)\) of the Conv's per-tensor scale (\S+) zero point (-?\d+)")
FUSABLE_ACTIVATIONS = ("Relu", "Clip")
# The ops edge-fuse-elementwise takes into a program (its table, after an int8 Conv).
ELEMENTWISE_OPS = ("Add", "Sub", "Mul", "Div", "Pow", "Relu", "Sigmoid", "Tanh", "Erf", "Exp", "Log", "Neg",
                   "Abs", "Sqrt", "Reciprocal", "HardSwish", "Softplus", "LeakyRelu", "Elu", "HardSigmoid", "Clip")
WEIGHT_OPS = ("Conv", "Gemm", "MatMul")


def _node_inputs(node):
    """The names `node` reads: its inputs, and those its subgraphs (If branches, Loop and
    Scan bodies) read from outside themselves, recursively."""
    names = list(node.input)
    for a in node.attribute:
        for g in ([a.g] if a.type == onnx.AttributeProto.GRAPH else list(a.graphs)):
            for n in g.node:
                names.extend(_node_inputs(n))
    return names


class QdqError(Exception):
    pass


def parse_inspect(text):
    """`edgec inspect --tensors` -> {name: {storage, dtype, shape, scale, zp, axis, scale_range}}."""
    tensors = {}
    section = False
    for line in text.splitlines():
        if line.startswith("tensors:"):
            section = True
            continue
        if section and line and not line.startswith(" "):
            break
        if not section:
            continue
        m = INSPECT_LINE.match(line)
        if not m:
            raise QdqError("cannot parse this `edgec inspect --tensors` line: %r" % line)
        _, name, storage, dtype, shape, quant = m.groups()
        t = {"storage": storage, "dtype": dtype, "shape": [int(d) for d in shape.split("x")] if shape else []}
        rc = RESIDUAL_CONV.search(quant)  # an int8 Conv with a fused residual Add: its own codes'
        if rc:
            t["conv_scale"], t["conv_zp"] = float(rc.group(1)), int(rc.group(2))
        tc = TABLE_CONV.search(quant)  # an int8 Conv with a fused activation table (SiLU, HardSwish)
        if tc:
            t["table"], t["conv_scale"], t["conv_zp"] = tc.group(1), float(tc.group(2)), int(tc.group(3))
        quant = quant.split(";")[0].strip()  # "; layout ...": how a weight's bytes are stored, not its values
        if quant:
            pt, pa = PER_TENSOR.match(quant), PER_AXIS.match(quant)
            if pt:
                t["scale"], t["zp"] = float(pt.group(1)), int(pt.group(2) or 0)
            elif pa:
                t["axis"], t["scale_range"] = int(pa.group(1)), (float(pa.group(3)), float(pa.group(4)))
            else:
                raise QdqError("unknown quantization in `edgec inspect --tensors`: %r" % line)
        # A DequantizeLinear copy (or a float Reshape) may share a name: the int8 one wins.
        if name not in tensors or (t["dtype"] == "int8" and tensors[name]["dtype"] != "int8"):
            tensors[name] = t
    if not tensors:
        raise QdqError("`edgec inspect --tensors` listed no tensors")
    return tensors


def _int8_act(tensors, name):
    """The package's int8 activation tensor `name` (per tensor), or None."""
    t = tensors.get(name)
    if not t or t["storage"] != "arena" or t["dtype"] != "int8":
        return None
    if "scale" not in t:
        raise QdqError("package tensor %s is int8 without per-tensor parameters (not supported here)" % name)
    return t


def _activation_end(value, consumers, consts, graph_outputs, key):
    """The value an elementwise activation of `value` ends in: the elementwise nodes that
    read only `value`, constants and each other's results (Sigmoid and Mul of SiLU,
    HardSigmoid and Mul of HardSwish, one HardSwish), and of their results the one read
    outside them."""
    group = {value}
    nodes = []
    changed = True
    while changed:
        changed = False
        for v in list(group):
            for c in consumers[v]:
                if (c in nodes or c.op_type not in ELEMENTWISE_OPS or
                        not all(i in group or i in consts for i in c.input if i)):
                    continue
                nodes.append(c)
                group.update(c.output)
                changed = True
    ends = [v for v in group - {value}
            if v in graph_outputs or any(c not in nodes for c in consumers[v]) or not consumers[v]]
    if not nodes or len(ends) != 1:
        raise QdqError("package tensor %s has a fused activation table, but the ONNX nodes after it do not end "
                       "in one value" % key)
    return ends[0]


def build_qdq(float_path, inspect_text, out_path, act_type="uint8"):
    """Writes the QDQ model; returns a summary (counts) for the report. act_type "uint8"
    writes edgec's int8 activation grids as uint8 with zero point + 128 (the same values
    and clamping), "int8" as they are."""
    if act_type not in ("uint8", "int8"):
        raise QdqError("activation type must be uint8 or int8, not %r" % act_type)
    zp_type, zp_shift = (np.uint8, 128) if act_type == "uint8" else (np.int8, 0)
    model = onnx.load(float_path)
    g = model.graph
    tensors = parse_inspect(inspect_text)

    consts = {i.name: numpy_helper.to_array(i) for i in g.initializer}
    for n in g.node:
        if n.op_type == "Constant":
            for a in n.attribute:
                if a.name == "value":
                    consts[n.output[0]] = numpy_helper.to_array(a.t)
        elif n.op_type == "Identity" and n.input[0] in consts:  # torch's shared initializers
            consts[n.output[0]] = consts[n.input[0]]
    consumers = collections.defaultdict(list)
    for n in g.node:
        for i in n.input:
            consumers[i].append(n)
    graph_outputs = {o.name for o in g.output}

    def has_tensor(node_name):
        return node_name in tensors or node_name + ".quantized" in tensors

    # Activation parameters per ONNX value, and the fused activations to drop.
    params = {}       # ONNX value -> (scale, zp)
    mapped = set()    # package tensor names used
    drop = {}         # dropped activation node name -> its input value (it becomes that value)
    # edgec fuses a Linear (MatMul by a constant weight, then the Add of a constant bias)
    # into one int8 Gemm named after the MatMul, with an int32 "<MatMul>.bias": its int8
    # result is the Add's, and the Add's bias becomes int32 as a Gemm's would.
    linear_bias = {}  # Add node name -> (MatMul node, bias input index)
    for n in g.node:
        bt = tensors.get(n.name + ".bias")
        if n.op_type != "MatMul" or not bt or bt["dtype"] != "int32" or len(consumers[n.output[0]]) != 1:
            continue
        add = consumers[n.output[0]][0]
        if add.op_type != "Add" or n.output[0] in graph_outputs:
            continue
        other = 1 if add.input[0] == n.output[0] else 0
        if add.input[other] in consts:
            linear_bias[add.name] = (n, other)
    linear_value = {mm.output[0]: consumers[mm.output[0]][0].output[0] for mm, _ in linear_bias.values()}
    for inp in g.input:
        t = _int8_act(tensors, inp.name + ".quantized")
        if t:
            params[inp.name] = (t["scale"], t["zp"])
            mapped.add(inp.name + ".quantized")
    for n in g.node:
        key = n.name if _int8_act(tensors, n.name) else n.name + ".quantized"
        t = _int8_act(tensors, key)
        if not t or not n.name:
            continue
        mapped.add(key)
        value = linear_value.get(n.output[0], n.output[0])
        if "table" in t:
            # A Conv with the activation after it fused in as a table (edge-fuse-conv-table):
            # the tensor holds the activation's codes; the Conv's own have the parameters
            # inspect adds.
            params[value] = (t["conv_scale"], t["conv_zp"])
            value = _activation_end(value, consumers, consts, graph_outputs, key)
        elif "conv_scale" in t:
            # A Conv with the residual Add after it fused in (edge-fuse-conv-residual): the
            # tensor holds the Add's codes; the Conv's own have the parameters inspect adds.
            add = consumers[value][0] if len(consumers[value]) == 1 else None
            if add is None or add.op_type != "Add":
                raise QdqError("package tensor %s has a fused residual Add, but ONNX node %s is not followed by one Add"
                               % (key, n.name))
            params[value] = (t["conv_scale"], t["conv_zp"])
            value = add.output[0]
        chain = []
        while (len(consumers[value]) == 1 and consumers[value][0].op_type in FUSABLE_ACTIVATIONS
               and value not in graph_outputs and not has_tensor(consumers[value][0].name)):
            chain.append(consumers[value][0])
            value = consumers[value][0].output[0]
        params[value] = (t["scale"], t["zp"])
        lo = t["scale"] * (-128 - t["zp"])
        hi = t["scale"] * (127 - t["zp"])
        for act in chain:  # ORT's QDQRemovableActivation: drop it when the quantization clamps the same
            if act.op_type == "Relu":
                removable = t["zp"] == -128
            else:
                cmin = consts.get(act.input[1]) if len(act.input) > 1 and act.input[1] else None
                cmax = consts.get(act.input[2]) if len(act.input) > 2 and act.input[2] else None
                removable = ((cmin is None or float(cmin) <= lo + 1e-6 * t["scale"]) and
                             (cmax is None or float(cmax) >= hi - 1e-6 * t["scale"]))
            if removable:
                drop[act.name] = act.input[0]
    # The int8 copy of a fused Linear's input, when edgec quantized it after flattening
    # its rows (a Reshape named after the MatMul): "<MatMul>.quantized".
    for mm, _ in linear_bias.values():
        t = _int8_act(tensors, mm.name + ".quantized")
        if t and _int8_act(tensors, mm.name) and mm.input[0] not in params:
            params[mm.input[0]] = (t["scale"], t["zp"])
            mapped.add(mm.name + ".quantized")
    unmapped = sorted(name for name, t in tensors.items()
                      if _int8_act(tensors, name) and name not in mapped)
    if unmapped:
        raise QdqError("%d int8 tensor(s) of edgec's package match no ONNX node or input: %s"
                       % (len(unmapped), ", ".join(unmapped[:8])))

    new_inits = []
    new_nodes = []
    counter = [0]

    def uniq(base):
        counter[0] += 1
        return "%s_qdq%d" % (base, counter[0])

    def add_init(arr, base):
        name = uniq(base)
        new_inits.append(numpy_helper.from_array(np.asarray(arr), name))
        return name

    # The value a consumer reads in place of each quantized one: its DequantizeLinear output.
    rename = {}
    qdq_after = {}  # producing node output -> nodes to insert after the producer
    for value, (scale, zp) in params.items():
        q_out = value + "_quantized"
        dq_out = value + "_dequantized"
        src = value
        if value in graph_outputs:  # the graph output stays the (float) DequantizeLinear output
            src, dq_out = value + "_float", value
        nodes = [helper.make_node("QuantizeLinear", [src, add_init(np.float32(scale), value + "_scale"),
                                                     add_init(zp_type(zp + zp_shift), value + "_zero_point")],
                                  [q_out], name=value + "_QuantizeLinear"),
                 helper.make_node("DequantizeLinear", [q_out, new_inits[-2].name, new_inits[-1].name],
                                  [dq_out], name=value + "_DequantizeLinear")]
        qdq_after[value] = (src, nodes)
        rename[value] = dq_out

    # The package keeps one tensor for constants of the same type and bytes (the host target
    # shares them), listed under its first user's name: a node whose weight has no entry of
    # its own takes that of another node whose ONNX weight has the same values.
    def weight_entry(node):
        t = tensors.get(node.name + ".weight")
        w = consts.get(node.input[1]) if len(node.input) > 1 else None
        if t or w is None:
            return t
        for o in g.node:
            ot = tensors.get(o.name + ".weight")
            ow = consts.get(o.input[1]) if ot and len(o.input) > 1 else None
            if ow is not None and ow.dtype == w.dtype and np.array_equal(ow, w):
                return ot
        return None

    weights_q = biases_q = 0
    for n in g.node:
        if n.name in drop:
            continue
        inputs = list(n.input)
        wt = weight_entry(n)
        if n.op_type in WEIGHT_OPS and wt and wt["dtype"] == "int8" and "axis" in wt:
            w = consts.get(inputs[1])
            if w is None:
                raise QdqError("node %s: edgec quantized its weight %s, which is not a constant here"
                               % (n.name, inputs[1]))
            axis = wt["axis"]
            w = w.astype(np.float32)
            red = tuple(i for i in range(w.ndim) if i != axis)
            max_abs = np.abs(w).max(axis=red).astype(np.float64)
            ws = np.where(max_abs > 0, max_abs / 127.0, 1.0).astype(np.float32)
            lo, hi = wt["scale_range"]
            if not (np.isclose(ws.min(), lo, rtol=2e-3) and np.isclose(ws.max(), hi, rtol=2e-3)):
                raise QdqError("node %s: weight scales %.4g..%.4g, edgec's package has %.4g..%.4g"
                               % (n.name, ws.min(), ws.max(), lo, hi))
            shape = [1] * w.ndim
            shape[axis] = -1
            wq = np.clip(np.round(w / ws.reshape(shape).astype(np.float64)), -127, 127).astype(np.int8)
            wname = n.name + ".weight"
            dq = helper.make_node("DequantizeLinear", [add_init(wq, wname), add_init(ws, wname + "_scale"),
                                                       add_init(np.zeros(len(ws), np.int8), wname + "_zero_point")],
                                  [uniq(wname + "_dequantized")], name=uniq(wname + "_DequantizeLinear"), axis=axis)
            new_nodes.append(dq)
            inputs[1] = dq.output[0]
            weights_q += 1
            bt = tensors.get(n.name + ".bias")
            if len(inputs) > 2 and inputs[2] and bt and bt["dtype"] == "int32":
                b = consts.get(inputs[2])
                xs = params.get(inputs[0])
                if b is None or xs is None:
                    raise QdqError("node %s: int32 bias in edgec's package, but %s" %
                                   (n.name, "its bias is not a constant" if b is None else "its input is not quantized"))
                bs = (np.float64(np.float32(xs[0])) * ws.astype(np.float64)).astype(np.float32)
                bq = np.round(b.astype(np.float64) / bs.astype(np.float64)).astype(np.int32)
                bname = n.name + ".bias"
                dqb = helper.make_node("DequantizeLinear", [add_init(bq, bname), add_init(bs, bname + "_scale"),
                                                            add_init(np.zeros(len(bs), np.int32), bname + "_zero_point")],
                                       [uniq(bname + "_dequantized")], name=uniq(bname + "_DequantizeLinear"), axis=0)
                new_nodes.append(dqb)
                inputs[2] = dqb.output[0]
                biases_q += 1
        if n.name in linear_bias:
            mm, other = linear_bias[n.name]
            b = consts[inputs[other]]
            xs = params.get(mm.input[0])
            wt = weight_entry(mm)
            w = consts.get(mm.input[1])
            if xs is None or w is None or not wt or "axis" not in wt:
                raise QdqError("node %s: edgec fused it with %s into an int8 Gemm, but %s"
                               % (n.name, mm.name, "its input is not quantized" if xs is None else "its weight is not"))
            w = w.astype(np.float32)
            red = tuple(i for i in range(w.ndim) if i != wt["axis"])
            max_abs = np.abs(w).max(axis=red).astype(np.float64)
            ws = np.where(max_abs > 0, max_abs / 127.0, 1.0).astype(np.float32)
            bs = (np.float64(np.float32(xs[0])) * ws.astype(np.float64)).astype(np.float32)
            bq = np.round(b.astype(np.float64) / bs.astype(np.float64)).astype(np.int32)
            bname = mm.name + ".bias"
            dqb = helper.make_node("DequantizeLinear", [add_init(bq, bname), add_init(bs, bname + "_scale"),
                                                        add_init(np.zeros(len(bs), np.int32), bname + "_zero_point")],
                                   [uniq(bname + "_dequantized")], name=uniq(bname + "_DequantizeLinear"), axis=0)
            new_nodes.append(dqb)
            inputs[other] = dqb.output[0]
            biases_q += 1
        # A dropped activation's input now stands for its output.
        inputs = [rename.get(i, i) for i in inputs]
        outputs = list(n.output)
        # The producer of a dropped chain writes the chain's final value.
        for k, o in enumerate(outputs):
            end = o
            while _dropped_next(consumers, drop, end):
                end = consumers[end][0].output[0]
            outputs[k] = end
        outputs = [qdq_after[o][0] if o in qdq_after else o for o in outputs]
        node = helper.make_node(n.op_type, inputs, outputs, name=n.name, domain=n.domain or None)
        node.attribute.extend(n.attribute)
        new_nodes.append(node)
        for o in n.output:
            end = o
            while _dropped_next(consumers, drop, end):
                end = consumers[end][0].output[0]
            if end in qdq_after:
                new_nodes.extend(qdq_after.pop(end)[1])
    # Graph inputs' pairs go first.
    head = []
    for inp in g.input:
        if inp.name in qdq_after:
            head.extend(qdq_after.pop(inp.name)[1])
    if qdq_after:
        raise QdqError("internal: quantization points not placed: %s" % ", ".join(sorted(qdq_after)[:5]))
    # Nodes nothing reads any more go: Clip's bound Constants, and the Identity copies of
    # float weights (torch writes a repeated initializer once and Identity for the others).
    nodes = head + new_nodes
    while True:
        # What If/Loop/Scan bodies read by name from the outer graph counts as used too.
        used = {i for node in nodes for i in _node_inputs(node)} | graph_outputs
        kept = [n for n in nodes if any(o in used for o in n.output)]
        if len(kept) == len(nodes):
            break
        nodes = kept
    inits = [i for i in g.initializer if i.name in used] + new_inits
    graph = helper.make_graph(nodes, g.name, list(g.input), list(g.output), inits)
    out = helper.make_model(graph, opset_imports=list(model.opset_import), producer_name="edgec-bench-qdq")
    out.ir_version = model.ir_version
    try:
        onnx.checker.check_model(out)
    except onnx.checker.ValidationError as e:
        raise QdqError("the QDQ model does not check: %s" % str(e).strip().splitlines()[0])
    onnx.save(out, out_path)
    ops = collections.Counter(n.op_type for n in g.node if n.name not in drop)
    return {"activations": len(params), "weights": weights_q, "biases": biases_q,
            "dropped_activations": len(drop), "float_ops": dict(ops)}


def _dropped_next(consumers, drop, value):
    """Whether `value` feeds (as its data input) a dropped activation only."""
    c = consumers[value]
    return len(c) == 1 and c[0].name in drop and c[0].input[0] == value


QLINEAR_PREFIXES = ("QLinear", "QGemm", "MatMulInteger", "ConvInteger", "DynamicQuantize")


def ort_fusion(optimized_path):
    """What ONNX Runtime made of the QDQ model: integer ops vs float compute ops left."""
    m = onnx.load(optimized_path)
    ops = collections.Counter(n.op_type for n in m.graph.node)
    integer = {k: v for k, v in ops.items() if k.startswith(QLINEAR_PREFIXES)}
    float_compute = {k: v for k, v in ops.items()
                     if k in ("Conv", "FusedConv", "NchwcConv", "MatMul", "FusedMatMul", "Gemm", "FusedGemm")}
    return {"integer_ops": integer, "float_compute_ops": float_compute,
            "quantize_linear": ops.get("QuantizeLinear", 0), "dequantize_linear": ops.get("DequantizeLinear", 0)}
