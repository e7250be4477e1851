#!/usr/bin/python3
"""Sizes that values decide, the way a user meets them: PyTorch models whose exports hold
NonZero (boolean-mask selection, torch.nonzero), Unique (torch.unique), NonMaxSuppression
(torchvision.ops.nms in a detection post-process) and Loop (torch.jit.script loops: a
fixed trip count and a while loop on a condition). Each is compiled with a plain `edgec
compile`, run with `edgec run` on several inputs that select different numbers of
elements (none included), each in its own process and all in one session, and every
output compared with PyTorch's for that input (shapes equal, values within 1e-5 of the
output's scale; integer outputs equal), on the best kernels and on ref. Each input's
outputs (best kernels) are also compared with ONNX Runtime 1.30's on the same ONNX file
(cases <model>/ort/<input index>, the same rules; ort.py: onnxruntime-node from npm in
BUILD/peers or --peers, installed on first use, all runs in one Node process,
single-threaded, graph optimizations 'all'; if ORT cannot be had, those cases fail saying
why).
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import ort  # noqa: E402


def masked_select():
    """x[x > t] scaled, and the count: NonZero -> Transpose -> GatherND, then Mul/ReduceSum."""
    import torch

    class MaskedSelect(torch.nn.Module):
        def forward(self, x):
            picked = x[x > 0.5]
            return picked * 3.0, picked.sum().unsqueeze(0)

    rng = np.random.RandomState(3)
    inputs = [rng.randn(4, 6).astype(np.float32), np.zeros((4, 6), np.float32),
              np.full((4, 6), 2.0, np.float32), rng.randn(4, 6).astype(np.float32) * 0.3]
    return MaskedSelect(), [("x", x) for x in inputs], 11


def nonzero_coords():
    """torch.nonzero on a thresholded image: coordinates as [n, 4] int64, then their mean."""
    import torch

    class Coords(torch.nn.Module):
        def forward(self, x):
            idx = torch.nonzero(torch.relu(x - 1.0))
            return idx, idx.float().mean(0)

    rng = np.random.RandomState(4)
    inputs = [rng.randn(1, 2, 5, 5).astype(np.float32) * 2, rng.randn(1, 2, 5, 5).astype(np.float32),
              np.full((1, 2, 5, 5), 3.0, np.float32)]
    return Coords(), [("x", x) for x in inputs], 13


def unique_counts():
    """torch.unique (sorted) with inverse indices and counts over integer labels."""
    import torch

    class Histogram(torch.nn.Module):
        def forward(self, labels):
            values, inverse, counts = torch.unique(labels, sorted=True, return_inverse=True, return_counts=True)
            # Flat: ONNX's inverse_indices is 1-D, and PyTorch's exporter does not reshape
            # it back to the input's shape (ONNX Runtime's is flat too).
            return values, inverse.reshape(-1), counts

    rng = np.random.RandomState(5)
    inputs = [rng.randint(0, 5, (3, 8)).astype(np.int64), np.full((3, 8), 7, np.int64),
              np.arange(24, dtype=np.int64).reshape(3, 8)[::-1].copy()]
    return Histogram(), [("labels", x) for x in inputs], 11


def detection():
    """A detection post-process: boxes decoded from deltas, torchvision's NMS per image,
    the kept boxes and scores gathered (NonMaxSuppression -> Gather)."""
    import torch
    import torchvision

    class PostProcess(torch.nn.Module):
        def forward(self, boxes, scores):
            keep = torchvision.ops.nms(boxes, scores, 0.4)
            return boxes[keep], scores[keep]

    rng = np.random.RandomState(6)

    def sample(n, spread):
        centers = rng.rand(n, 2).astype(np.float32) * spread
        sizes = 1.0 + rng.rand(n, 2).astype(np.float32)
        return np.concatenate([centers, centers + sizes], 1), rng.rand(n).astype(np.float32)

    inputs = []
    for spread in (3.0, 40.0, 0.2):
        b, s = sample(20, spread)
        inputs.append([("boxes", b), ("scores", s)])
    return PostProcess(), inputs, 11


def refine_loops():
    """A module with two loops (unscripted): a refinement step per row of x (a Loop whose
    trip count the export computes from x's shape) and halving until the largest element
    is at most 1 (a Loop on a condition); returns both results. dynamic_shapes.py uses it
    too."""
    import torch

    class Refine(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = torch.nn.Linear(8, 8)

        def forward(self, x):
            h = x
            for _ in range(x.shape[0]):
                h = torch.tanh(self.lin(h)) + x
            y = x
            while bool(y.abs().max() > 1.0):
                y = y * 0.5
            return h, y

    return Refine()


def scripted_loops():
    """refine_loops through torch.jit.script: ONNX Loop nodes."""
    import torch
    rng = np.random.RandomState(7)
    inputs = [rng.randn(2, 8).astype(np.float32), rng.randn(2, 8).astype(np.float32) * 100,
              np.full((2, 8), 0.25, np.float32)]
    return torch.jit.script(refine_loops()), [("x", x) for x in inputs], 13


MODELS = [("masked_select", masked_select), ("nonzero_coords", nonzero_coords), ("unique_counts", unique_counts),
          ("detection", detection), ("scripted_loops", scripted_loops)]


def export(model, example, names, path, opset):
    import torch
    with open(os.devnull, "w") as devnull:  # the exporter's warnings are not ours
        stderr, sys.stderr = sys.stderr, devnull
        try:
            torch.onnx.export(model, tuple(torch.from_numpy(x) for x in example), path, input_names=names,
                              opset_version=opset)
        finally:
            sys.stderr = stderr


def compare(got, ref, reference="PyTorch"):
    if got.shape != ref.shape:
        return False, "shape %s, %s %s" % (list(got.shape), reference, list(ref.shape))
    if ref.dtype.kind in "iub":
        return bool((got == ref).all()), "shape %s, integers %s" % (list(got.shape), "equal" if (got == ref).all()
                                                                    else "differ")
    scale = max(float(np.abs(ref).max()) if ref.size else 0.0, 1e-6)
    err = float(np.abs(got.astype(np.float64) - ref).max()) if ref.size else 0.0
    return err <= 1e-5 * scale, "shape %s, max err %.2g (scale %.3g)" % (list(got.shape), err, scale)


def judge_all(got, names):
    """A judge (ort.check_cases) of edgec's outputs `got`, in the order of `names`."""
    def judge(ref):
        checks = [compare(g, ref[n], "ORT") for g, n in zip(got, names)]
        return all(ok for ok, _ in checks), "; ".join(d for _, d in checks)
    return judge


def check_model(name, factory, edgec, work, ort_cases):
    """Yields (case, ok, detail) against PyTorch; appends to ort_cases (case, ONNX Runtime
    job, a judge of edgec's outputs on the best kernels or why there are none) for
    ort.check_cases."""
    import onnx
    import torch
    torch.manual_seed(0)
    model, samples, opset = factory()
    samples = [s if isinstance(s[0], tuple) else [s] for s in samples]
    names = [n for n, _ in samples[0]]
    onnx_path = os.path.join(work, name + ".onnx")
    export(model, [x for _, x in samples[0]], names, onnx_path, opset)
    outputs = [o.name for o in onnx.load(onnx_path).graph.output]
    pkg = os.path.join(work, name + ".edgepkg")
    proc, _, _ = harness.compile_package(edgec, onnx_path, [], pkg)
    if proc.returncode != 0:
        yield name + "/compile", False, harness.edgec_message(proc.stdout)
        return
    files, refs = [], []
    for i, sample in enumerate(samples):
        files.append({})
        for n, x in sample:
            files[-1][n] = os.path.join(work, "%s_%d_%s.npy" % (name, i, n))
            np.save(files[-1][n], x)
        with torch.no_grad():
            out = model(*[torch.from_numpy(x) for _, x in sample])
        refs.append([o.numpy() for o in (out if isinstance(out, tuple) else (out,))])
    for kernels in ("best", "ref"):
        env = dict(os.environ, EDGEC_KERNELS=kernels)
        for i, (f, ref) in enumerate(zip(files, refs)):
            out = os.path.join(work, "out_%s_%s_%d" % (name, kernels, i))
            cmd = [edgec, "run", pkg, "--output-dir", out, "-q"] + sum((["--input", "%s=%s" % kv] for kv in f.items()),
                                                                        [])
            run = harness.run_captured(cmd, env=env)
            case = "%s/%s/%d" % (name, kernels, i)
            got = [np.load(os.path.join(out, o + ".npy")) for o in outputs] if run.returncode == 0 else None
            if kernels == "best":
                ort_cases.append(("%s/ort/%d" % (name, i), {"model": onnx_path, "inputs": f, "output_dir": out + "-ort"},
                                  judge_all(got, outputs) if got is not None else harness.edgec_message(run.stdout)))
            if run.returncode != 0:
                yield case, False, harness.edgec_message(run.stdout)
                continue
            results = [compare(g, r) for g, r in zip(got, ref)]
            yield case, all(ok for ok, _ in results), "; ".join(d for _, d in results)
        # One session, the inputs one after another: each run's sizes from its own data.
        out = os.path.join(work, "seq_%s_%s" % (name, kernels))
        cmd = [edgec, "run", pkg, "--output-dir", out, "-q"] + sum(
            (["--input", "%s=%s" % (n, ",".join(f[n] for f in files))] for n in names), [])
        run = harness.run_captured(cmd, env=env)
        case = "%s/%s/sequence" % (name, kernels)
        if run.returncode != 0:
            yield case, False, harness.edgec_message(run.stdout)
            continue
        results = [compare(np.load(os.path.join(out, "%s.%d.npy" % (o, i))), r)
                   for i, ref in enumerate(refs) for o, r in zip(outputs, ref)]
        yield case, all(ok for ok, _ in results), "; ".join(d for _, d in results)


def main():
    return ort.run_model_harness(__doc__, "data-dependent-", 34, MODELS, check_model)


if __name__ == "__main__":
    sys.exit(main())
