#!/usr/bin/python3
"""Whole-model execution inside the compiler, checked against PyTorch: the per-tensor
min/max that `edgec-observe` records on the runtime's best kernels (ModelRunner with a
TensorRangeRecorder) over a few inputs must match the min/max of the same activations
seen by PyTorch forward hooks.

Model: torchvision MobileNetV2, random weights and BatchNorm statistics (run_e2e.py's
make_mobilenet_v2, fixed seeds), eval mode, exported as run_e2e.py does (opset 13, name
"input"). Inputs: 3 standard-normal 1x3x224x224 tensors (numpy seed 2024).

Which tensors correspond. torch.onnx names every node after the module scope it ran in,
e.g. "/features/features.1/conv/conv.0/conv.0.0/Conv" ran in module
"features.1.conv.0.0"; edgec names each kernel call (and its output tensor) after the
ONNX node it comes from. But neither graph keeps every module output:
  * the exporter folds each BatchNorm into the Conv before it (eval mode), so a Conv
    node's value is BN(conv(x)): the output of the BatchNorm2d module, not of the
    Conv2d module. Conv2d modules are therefore never compared, and BatchNorm2d
    modules have no node of their own;
  * edgec fuses a Relu/Clip (ReLU6) into the Conv it follows: the fused kernel keeps the
    Conv's name and writes the activation's value;
  * Flatten/Reshape are views in edgec (no kernel), Dropout disappears.
So for each hooked module M (other than Conv2d and the root) the script takes the ONNX
nodes in M's scope, finds the one whose value leaves the scope (M's output), maps it to
the edgec kernel that writes that value (a fused ReLU6 -> its Conv; a Flatten -> what
it views) and compares M's hook range with that kernel's recorded range. In
MobileNetV2 this compares:
  Conv2dNormActivation / its ReLU6   (conv+BN+ReLU6)  <-> fused ".../Conv"
  InvertedResidual without residual, its `conv` Sequential (.., Conv2d, BN)
                                                      <-> the projection ".../conv.2/Conv"
  InvertedResidual with residual     (x + conv(x))    <-> "/features/features.N/Add"
  `features`                                          <-> features.18's fused Conv
  classifier.1 (Linear)                               <-> "/classifier/classifier.1/Gemm"
and, through a forward pre-hook on `classifier` (its input is the pooled, flattened
features; the pooling is a function call, not a module), "/GlobalAveragePool".
Modules that land on the same edgec tensor (a block and its ReLU6) are compared once.

Tolerance: |edgec - torch| <= RTOL * (torch max - torch min) + ATOL for both the min and
the max, with RTOL = 1e-4 and ATOL = 1e-5: ranges are compared relative to the tensor's
own range, as run_e2e.py compares outputs to the output's scale.

Prints one line per compared tensor and, last, "N passed, N failed" (one case per
tensor); exits non-zero on any failure. run_e2e.py runs it as one of its checks.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_e2e  # noqa: E402  (the model and the export are shared with the output checks)

RTOL = 1e-4  # relative to the torch range (max - min) of the tensor
ATOL = 1e-5
NUM_INPUTS = 3


def module_of(node_name):
    """The module a torch.onnx node ran in: "/features/features.1/conv/conv.0/conv.0.0/Conv"
    -> "features.1.conv.0.0" (each scope component repeats its parent's when the parent is
    a container: "features" / "features.1"); "" for nodes outside any module."""
    full, last = "", None
    for comp in node_name.split("/")[1:-1]:
        if last is not None and comp.startswith(last + "."):
            full += comp[len(last):]
        else:
            full = full + "." + comp if full else comp
        last = comp
    return full


class OnnxGraph:
    def __init__(self, path):
        import onnx
        self.graph = onnx.load(path).graph
        self.nodes = [n for n in self.graph.node if n.op_type != "Constant"]
        self.producer = {o: n for n in self.nodes for o in n.output}
        self.consumers = {}
        for n in self.nodes:
            for i in n.input:
                self.consumers.setdefault(i, []).append(n)
        self.graph_outputs = {o.name for o in self.graph.output}

    def in_scope(self, node, module):
        m = module_of(node.name)
        return m == module or m.startswith(module + ".")

    def output_node(self, module):
        """The node whose value leaves `module`'s scope; None if no node ran in it (a folded
        BatchNorm, a Dropout) or several values leave it."""
        inside = [n for n in self.nodes if self.in_scope(n, module)]
        leaving = [n for n in inside
                   if any(o in self.graph_outputs or any(not self.in_scope(c, module) for c in self.consumers.get(o, []))
                          for o in n.output)]
        return leaving[0] if len(leaving) == 1 else None

    def input_producer(self, module):
        """The node producing the first input of `module`'s first node."""
        first = next(n for n in self.nodes if self.in_scope(n, module))
        return self.producer.get(first.input[0])

    def edgec_node(self, node):
        """The edgec kernel call (named after its ONNX node) that writes `node`'s value."""
        while node is not None and node.op_type in ("Flatten", "Reshape"):  # views, no kernel
            node = self.producer.get(node.input[0])
        if node is not None and node.op_type in ("Relu", "Clip"):
            src = self.producer.get(node.input[0])
            if src is not None and src.op_type == "Conv" and len(self.consumers.get(src.output[0], [])) == 1:
                return src.name  # edge-fuse-activation: the Conv writes the activation's value
        return node.name if node is not None else None


def torch_ranges(model, inputs):
    """{module name: [min, max]} of every module's output over `inputs`, and of the
    classifier's input under the key "classifier:input"."""
    import torch
    ranges = {}

    def note(key, t):
        lo, hi = float(t.min()), float(t.max())
        r = ranges.setdefault(key, [lo, hi])
        r[0], r[1] = min(r[0], lo), max(r[1], hi)

    handles = []
    for name, m in model.named_modules():
        if name:
            handles.append(m.register_forward_hook(lambda mod, inp, out, name=name: note(name, out)))
    handles.append(model.classifier.register_forward_pre_hook(lambda mod, inp: note("classifier:input", inp[0])))
    with torch.no_grad():
        for x in inputs:
            model(torch.from_numpy(x))
    for h in handles:
        h.remove()
    return ranges


def compare(edgec_range, torch_range):
    lo, hi = torch_range
    bound = ATOL + RTOL * (hi - lo)
    if edgec_range.get("min") is None or edgec_range.get("max") is None:
        return False, "edgec recorded no finite value", float("inf")
    d = max(abs(edgec_range["min"] - lo), abs(edgec_range["max"] - hi))
    ok = d <= bound and not edgec_range.get("nonfinite")
    detail = "edgec [%.6g, %.6g] torch [%.6g, %.6g] diff %.3g (bound %.3g)%s" % (
        edgec_range["min"], edgec_range["max"], lo, hi, d, bound,
        ", %d non-finite values" % edgec_range["nonfinite"] if edgec_range.get("nonfinite") else "")
    return ok, detail, d


def run_cases(build, work, threads=1):
    """Yields (case, ok, detail, |difference|) per compared tensor."""
    import torch
    observe = os.path.join(build, "bin", "edgec-observe")
    if not os.access(observe, os.X_OK):
        yield "observer", False, "no edgec-observe binary at %s" % observe, None
        return
    os.makedirs(work, exist_ok=True)
    onnx_path = os.path.join(work, "mobilenet_v2.onnx")
    model, shape = run_e2e.make_mobilenet_v2()
    run_e2e.export(model, shape, onnx_path)
    rng = np.random.default_rng(2024)
    inputs = [rng.standard_normal(shape).astype(np.float32) for _ in range(NUM_INPUTS)]
    paths = []
    for i, x in enumerate(inputs):
        paths.append(os.path.join(work, "input%d.npy" % i))
        np.save(paths[-1], x)

    out_json = os.path.join(work, "ranges.json")
    proc = subprocess.run([observe, onnx_path, "--input", "input=" + ",".join(paths), "-o", out_json,
                           "--threads", str(threads)],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        yield "observer", False, "edgec-observe failed (exit %d):\n%s" % (proc.returncode, proc.stdout.strip()), None
        return
    with open(out_json) as f:
        recorded = json.load(f)
    by_node = {}
    for tensor, r in recorded.items():
        by_node[r["node"]] = dict(r, tensor=tensor)

    ref = torch_ranges(model, inputs)
    graph = OnnxGraph(onnx_path)
    modules = dict(model.named_modules())
    for n in graph.nodes:  # the scope naming this script relies on
        if module_of(n.name) not in modules:
            yield "observer", False, "ONNX node %s: no module %r (torch.onnx scope naming changed?)" % (
                n.name, module_of(n.name)), None
            return

    # edgec kernel (ONNX node name) -> the torch range key compared with it.
    points = {}
    for name, m in modules.items():
        if not name or isinstance(m, torch.nn.Conv2d):
            continue  # root = classifier.1; a Conv2d's ONNX value has its BatchNorm folded in
        out = graph.output_node(name)
        if out is None:
            continue
        points[graph.edgec_node(out)] = name  # the innermost module (a ReLU6 rather than its block)
    points.setdefault(graph.edgec_node(graph.input_producer("classifier")), "classifier:input")

    compared = set()
    order = {node: i for i, node in enumerate(by_node)}  # kernel order, as recorded
    for node, key in sorted(points.items(), key=lambda p: order.get(p[0], len(order))):
        r = by_node.get(node)
        case = "%s (%s)" % (node, key)
        if r is None:
            yield case, False, "edgec recorded no tensor written by node %s" % node, None
            continue
        compared.add(node)
        ok, detail, diff = compare(r, ref[key])
        yield case, ok, detail, diff
    left = [n for n in by_node if n not in compared]
    if left:
        print("edgec tensors without a PyTorch counterpart (not compared): %s" % ", ".join(left))


def check(build, work, threads=1):
    """One case for run_e2e.py: every range compared, summarized."""
    try:
        results = list(run_cases(build, work, threads))
    except Exception as e:  # a broken export or harness problem is a failure, not a crash
        results = [("observer", False, "%s: %s" % (type(e).__name__, e), None)]
    failed = [r for r in results if not r[1]]
    diffs = [r[3] for r in results if r[3] is not None]
    detail = "%d tensor ranges (%d inputs) vs PyTorch hooks, max |edgec - torch| %.3g" % (
        len(results), NUM_INPUTS, max(diffs) if diffs else float("nan"))
    if failed:
        detail += "; %d outside the bound, first: %s: %s" % (len(failed), failed[0][0], failed[0][2])
    yield "mobilenet_v2 ranges", not failed, detail


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", default="/work/main/build")
    parser.add_argument("--threads", type=int, default=1, help="session threads for edgec-observe")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    build = os.path.abspath(args.build_dir)
    import torch
    torch.set_num_threads(1)  # deterministic reference, and the build machine has 2 shared cores
    work = tempfile.mkdtemp(prefix="observer-", dir=build if os.path.isdir(build) else None)
    passed = failed = 0
    diffs = []
    try:
        try:
            results = list(run_cases(build, work, args.threads))
        except Exception as e:  # a broken export or harness problem is a failure, not a crash
            results = [("observer", False, "%s: %s" % (type(e).__name__, e), None)]
        for case, ok, detail, diff in results:
            print("%-60s %s  %s" % (case, "PASS" if ok else "FAIL", detail), flush=True)
            passed += ok
            failed += not ok
            if diff is not None:
                diffs.append(diff)
    finally:
        if args.keep or failed:
            print("work directory kept: %s" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    if diffs:
        print("%d ranges compared, max |edgec - torch| %.3g" % (len(diffs), max(diffs)))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
