#!/usr/bin/python3
"""Dynamic shapes, the way a user compiles and runs them: PyTorch models exported with
dynamic axes (a CNN, an MLP, a transformer encoder, a GPT-style decoder whose positions
and causal mask come from the sequence length, a 4-layer BERT-style encoder, an LSTM tagger,
a scripted model whose `if`s become If nodes, scripted loops (Loop nodes), a conv between paddings
and a repeat), compiled once with `edgec compile --dim-bound NAME=N`, run with `edgec run`
on inputs of several sizes within the bounds (each its own process, and a sequence of
sizes in one session), every output compared with PyTorch's for that input (max abs
error <= 1e-4 of the output's scale), on the best kernels and on ref. Each size's output
(best kernels) is also compared with ONNX Runtime 1.30's on the same ONNX file and input
(cases <model>/ort/<size>, same bound against ORT's scale; ort.py: onnxruntime-node from
npm in BUILD/peers or --peers, installed on first use, all runs in one Node process,
single-threaded, graph optimizations 'all'; if ORT cannot be had, those cases fail saying
why). A model that divides by the sequence length read with Shape gets each run's length.
A dynamic axis split into halves splits each run's length. Also the errors a user meets:
an input larger than its bound, a --dim-bound naming no dim, and a length the halves
cannot share equally.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import ort  # noqa: E402


def cnn():
    import torch

    class Cnn(torch.nn.Module):
        """Conv, MaxPool, a SiLU Conv with stride 2 (a fused epilogue), global pooling,
        Flatten (a reshape the runtime recomputes) and Linear: batch, H and W dynamic."""

        def __init__(self):
            super().__init__()
            self.c1 = torch.nn.Conv2d(3, 8, 3, padding=1)
            self.c2 = torch.nn.Conv2d(8, 16, 3, stride=2, padding=1)
            self.fc = torch.nn.Linear(16, 10)

        def forward(self, x):
            y = torch.nn.functional.max_pool2d(torch.relu(self.c1(x)), 2)
            y = torch.nn.functional.silu(self.c2(y))
            return self.fc(torch.nn.functional.adaptive_avg_pool2d(y, 1).flatten(1))

    return Cnn(), (1, 3, 32, 32), {0: "batch", 2: "H", 3: "W"}, {"batch": 4, "H": 32, "W": 32}, \
        [(1, 3, 32, 32), (2, 3, 20, 28), (3, 3, 9, 17), (4, 3, 4, 32)]


def mlp():
    import torch
    model = torch.nn.Sequential(torch.nn.Linear(24, 48), torch.nn.GELU(), torch.nn.LayerNorm(48),
                                torch.nn.Linear(48, 5), torch.nn.Softmax(dim=-1))
    return model, (2, 24), {0: "batch"}, {"batch": 64}, [(1, 24), (7, 24), (64, 24)]


def transformer():
    """run_e2e.py's encoder (2 layers, GELU, sequence-first [S, 1, 64]) with the sequence
    dynamic: its attention reshapes by sizes the export takes from Shape ops and slices
    the fused QKV projection, which the two compiles must agree on."""
    import torch
    layer = torch.nn.TransformerEncoderLayer(d_model=64, nhead=4, dim_feedforward=128, dropout=0.0,
                                             activation="gelu")
    return torch.nn.TransformerEncoder(layer, num_layers=2).eval(), (16, 1, 64), {0: "seq"}, {"seq": 32}, \
        [(32, 1, 64), (16, 1, 64), (5, 1, 64), (1, 1, 64)]


def gpt():
    """A GPT-style decoder whose positions (arange) and causal mask (triu of a full
    matrix) are computed from the sequence length in forward: the export's Shape ops stay
    run-time ops, and Range and the mask's ConstantOfShape take their sizes from them."""
    import torch
    from torch import nn

    class TinyGpt(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb, self.pos = nn.Embedding(50, 32), nn.Embedding(64, 32)
            layer = nn.TransformerEncoderLayer(32, 4, 64, dropout=0.0, activation="gelu", norm_first=True)
            self.blocks = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
            self.head = nn.Linear(32, 50)

        def forward(self, ids):
            s = ids.shape[0]
            x = self.emb(ids) + self.pos(torch.arange(s).unsqueeze(1))
            mask = torch.triu(torch.full((s, s), float("-inf")), diagonal=1)
            return self.head(self.blocks(x, mask=mask))

    return TinyGpt().eval(), (16, 1), {0: "seq"}, {"seq": 32}, [(32, 1), (16, 1), (7, 1), (1, 1)]


def bert():
    """A BERT-style encoder: token, position (arange of the sequence length) and segment
    embeddings, LayerNorm, 4 post-norm encoder layers (GELU) and a tanh pooler on the
    first token, batch-first [1, seq] token ids with the sequence dynamic."""
    import torch
    from torch import nn

    class TinyBert(nn.Module):
        def __init__(self):
            super().__init__()
            self.tok, self.pos, self.seg = nn.Embedding(60, 48), nn.Embedding(64, 48), nn.Embedding(2, 48)
            self.norm = nn.LayerNorm(48)
            layer = nn.TransformerEncoderLayer(48, 4, 96, dropout=0.0, activation="gelu", batch_first=True)
            self.layers = nn.TransformerEncoder(layer, 4, enable_nested_tensor=False)
            self.pool = nn.Linear(48, 48)

        def forward(self, ids):
            positions = torch.arange(ids.shape[1]).unsqueeze(0)
            x = self.norm(self.tok(ids) + self.pos(positions) + self.seg(torch.zeros_like(ids)))
            h = self.layers(x)
            return torch.cat([h, torch.tanh(self.pool(h[:, :1]))], 1)

    return TinyBert().eval(), (1, 16), {1: "seq"}, {"seq": 48}, [(1, 48), (1, 16), (1, 5), (1, 1)]


def lstm():
    """run_e2e.py's tagger (2-layer bidirectional batch-first LSTM and a Linear head)
    with the batch and the sentence length dynamic."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import run_e2e
    model, _ = run_e2e.make_lstm_tagger()
    return model, (2, 12, 16), {0: "batch", 1: "seq"}, {"batch": 4, "seq": 16}, [(2, 12, 16), (1, 5, 16), (4, 16, 16)]


def scripted_if():
    """run_e2e.py's scripted model with two data-dependent `if`s (ONNX If nodes whose
    branches capture the input) with the batch and the image size dynamic: each branch
    runs at the size its caller passes, and the inputs (one positive, one negative mean)
    take both branches."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import run_e2e
    model, _ = run_e2e.make_scripted_if()
    return model, (1, 3, 16, 16), {0: "batch", 2: "H", 3: "W"}, {"batch": 4, "H": 16, "W": 16}, \
        [(1, 3, 16, 16), (3, 3, 7, 12), (2, 3, 5, 5)]


def scripted_loops():
    """data_dependent.py's scripted loops (a refinement step per row: a Loop whose trip
    count is the run's batch, read with Shape; halving while the largest element is above
    1: a Loop on a condition), their results concatenated, with the batch dynamic."""
    import torch
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import data_dependent

    class Loops(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.loops = data_dependent.refine_loops()

        def forward(self, x):
            h, y = self.loops(x)
            return torch.cat([h, y], 1)

    return torch.jit.script(Loops().eval()), (2, 8), {0: "batch"}, {"batch": 6}, [(2, 8), (6, 8), (1, 8)]


def pad_tile():
    """Reflection and constant padding and a repeat (Pad, Tile) around a conv, with the
    batch and the image size dynamic."""
    import torch

    class PadTile(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv2d(3, 4, 3)

        def forward(self, x):
            y = self.conv(torch.nn.functional.pad(x, (1, 2, 0, 1), mode="reflect"))
            return torch.nn.functional.pad(y, (2, 0, 1, 1), value=0.5).repeat(1, 2, 1, 3)

    return PadTile(), (1, 3, 16, 16), {0: "batch", 2: "H", 3: "W"}, {"batch": 3, "H": 16, "W": 16}, \
        [(1, 3, 16, 16), (2, 3, 5, 9), (3, 3, 8, 4)]


MODELS = [("cnn", cnn), ("mlp", mlp), ("transformer", transformer), ("gpt", gpt), ("bert", bert), ("lstm", lstm),
          ("scripted_if", scripted_if), ("scripted_loops", scripted_loops), ("pad_tile", pad_tile)]
OUTPUT_AXES = {"lstm": {0: "batch", 1: "seq"}, "bert": {1: "seq"}}  # else the output's dim 0 follows the input's
TOKEN_MODELS = {"gpt": 50, "bert": 60}  # models whose input is token ids below this
INPUT_SHIFTS = {"scripted_if": [0.5, -0.5, 0.5], "scripted_loops": [0.0, 30.0, 0.0]}  # added to each size's input (takes both branches)


def export(name, model, shape, axes, path):
    import torch
    with open(os.devnull, "w") as devnull:  # the exporter's warnings are not ours
        stderr, sys.stderr = sys.stderr, devnull
        try:
            example = torch.randint(0, 8, shape) if name in TOKEN_MODELS else torch.randn(*shape)
            torch.onnx.export(model, example, path, input_names=["x"], output_names=["y"],
                              dynamic_axes={"x": axes, "y": OUTPUT_AXES[name] if name in OUTPUT_AXES else {0: axes[0]}},
                              opset_version=14)
        finally:
            sys.stderr = stderr


def compare(got, ref):
    ref = ref.astype(np.float64)
    scale = max(float(np.abs(ref).max()), 1e-6)
    err = float(np.abs(got.astype(np.float64) - ref).max()) if got.shape == ref.shape else float("inf")
    return got.shape == ref.shape and err <= 1e-4 * scale, "shape %s, max err %.2g (scale %.3g)" % (
        list(got.shape), err, scale)


def check_model(name, factory, edgec, work, ort_cases):
    """Yields (case, ok, detail) against PyTorch; appends to ort_cases (case, ONNX Runtime
    job, a judge of edgec's output on the best kernels or why there is none) for
    ort.check_cases."""
    import torch
    torch.manual_seed(0)
    model, shape, axes, bounds, sizes = factory()
    model.eval()
    onnx_path = os.path.join(work, name + ".onnx")
    export(name, model, shape, axes, onnx_path)
    pkg = os.path.join(work, name + ".edgepkg")
    flags = sum((["--dim-bound", "%s=%d" % b] for b in sorted(bounds.items())), [])
    proc, _, cmd = harness.compile_package(edgec, onnx_path, flags, pkg)
    if proc.returncode != 0:
        yield name + "/compile", False, harness.edgec_message(proc.stdout)
        return
    rng = np.random.RandomState(1)
    files, refs = [], []
    for i, s in enumerate(sizes):
        x = rng.randint(0, TOKEN_MODELS[name], s).astype(np.int64) if name in TOKEN_MODELS else \
            rng.randn(*s).astype(np.float32) + INPUT_SHIFTS.get(name, [0.0] * len(sizes))[i]
        files.append(os.path.join(work, "%s_%s.npy" % (name, "x".join(map(str, s)))))
        np.save(files[-1], x)
        with torch.no_grad():
            refs.append(model(torch.from_numpy(x)).numpy().astype(np.float64))
    for kernels in ("best", "ref"):
        env = dict(os.environ, EDGEC_KERNELS=kernels)
        for s, f, ref in zip(sizes, files, refs):
            out = os.path.join(work, "out_%s_%s_%s" % (name, kernels, os.path.basename(f)[:-4]))
            run = harness.run_captured([edgec, "run", pkg, "--input", "x=" + f, "--output-dir", out, "-q"], env=env)
            size = "x".join(map(str, s))
            case = "%s/%s/%s" % (name, kernels, size)
            got = np.load(os.path.join(out, "y.npy")) if run.returncode == 0 else None
            if kernels == "best":
                judge = (lambda g: lambda ref: compare(g, ref["y"]))(got)
                ort_cases.append(("%s/ort/%s" % (name, size),
                                  {"model": onnx_path, "inputs": {"x": f}, "output_dir": out + "-ort"},
                                  judge if got is not None else harness.edgec_message(run.stdout)))
            if run.returncode != 0:
                yield case, False, harness.edgec_message(run.stdout)
                continue
            yield (case,) + compare(got, ref)
        # One session, the sizes one after another (shapes resolved and kernels re-prepared
        # between calls): each call's output against its own reference.
        out = os.path.join(work, "seq_%s_%s" % (name, kernels))
        run = harness.run_captured([edgec, "run", pkg, "--input", "x=" + ",".join(files), "--output-dir", out, "-q"],
                                   env=env)
        case = "%s/%s/sequence" % (name, kernels)
        if run.returncode != 0:
            yield case, False, harness.edgec_message(run.stdout)
            continue
        results = [compare(np.load(os.path.join(out, "y.%d.npy" % i)), ref) for i, ref in enumerate(refs)]
        yield case, all(ok for ok, _ in results), "; ".join(d for _, d in results)


def expect_error(case, proc, *needles):
    text = harness.edgec_message(proc.stdout)
    ok = proc.returncode == 1 and all(n in text for n in needles) and "Traceback" not in proc.stdout
    return case, ok, text


def check_errors(edgec, work):
    import torch
    pkg = os.path.join(work, "cnn.edgepkg")
    big = os.path.join(work, "too_big.npy")
    np.save(big, np.zeros((1, 3, 40, 32), np.float32))
    yield expect_error("errors/above-bound", harness.run_captured([edgec, "run", pkg, "--input", "x=" + big]),
                       "expects shape [batch<=4x3xH<=32xW<=32]", "[1x3x40x32]")
    onnx_path = os.path.join(work, "cnn.onnx")
    proc, _, _ = harness.compile_package(edgec, onnx_path, ["--dim-bound", "batch=4", "--dim-bound", "H=32",
                                                            "--dim-bound", "W=32", "--dim-bound", "seq=8"],
                                         os.path.join(work, "never.edgepkg"))
    yield expect_error("errors/unknown-dim", proc, "--dim-bound seq=8: no graph input has a dim named 'seq'",
                       "dynamic dims: H, W, batch")

    # A value computed from the sequence length (the mean as a sum divided by it): the
    # Shape stays a run-time op, so each length gets its own divisor.
    class MeanByLength(torch.nn.Module):
        def forward(self, x):
            return x.sum(1) / x.shape[1]

    path = os.path.join(work, "mean_by_length.onnx")
    with open(os.devnull, "w") as devnull:
        stderr, sys.stderr = sys.stderr, devnull
        try:
            torch.onnx.export(MeanByLength(), torch.randn(2, 8), path, input_names=["x"], output_names=["y"],
                              dynamic_axes={"x": {1: "seq"}}, opset_version=14)
        finally:
            sys.stderr = stderr
    pkg = os.path.join(work, "mean_by_length.edgepkg")
    proc, _, _ = harness.compile_package(edgec, path, ["--dim-bound", "seq=16"], pkg)
    if proc.returncode != 0:
        yield "mean_by_length", False, harness.edgec_message(proc.stdout)
    else:
        x = np.arange(10, dtype=np.float32).reshape(2, 5)
        np.save(os.path.join(work, "mbl.npy"), x)
        run = harness.run_captured([edgec, "run", pkg, "--input", "x=" + os.path.join(work, "mbl.npy"),
                                    "--output-dir", os.path.join(work, "mbl"), "-q"])
        if run.returncode != 0:
            yield "mean_by_length", False, harness.edgec_message(run.stdout)
        else:
            yield ("mean_by_length",) + compare(np.load(os.path.join(work, "mbl", "y.npy")), x.mean(1))

    # Splitting a dynamic axis into halves (ONNX's Split without sizes): each run splits
    # its own length, and a length the parts cannot share equally is an error naming the
    # node.
    import onnx
    from onnx import helper, TensorProto
    graph = helper.make_graph(
        [helper.make_node("Split", ["x"], ["a", "b"], name="halves", axis=1),
         helper.make_node("Add", ["a", "b"], ["y"], name="sum")], "split_halves",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, "n"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, "h"])])
    path = os.path.join(work, "split_halves.onnx")
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)
    pkg = os.path.join(work, "split_halves.edgepkg")
    proc, _, _ = harness.compile_package(edgec, path, ["--dim-bound", "n=16"], pkg)
    if proc.returncode != 0:
        yield "split_halves", False, harness.edgec_message(proc.stdout)
        return
    for n in (16, 6, 2):
        x = np.random.RandomState(n).randn(2, n).astype(np.float32)
        f = os.path.join(work, "split_%d.npy" % n)
        np.save(f, x)
        out = os.path.join(work, "split_out_%d" % n)
        run = harness.run_captured([edgec, "run", pkg, "--input", "x=" + f, "--output-dir", out, "-q"])
        if run.returncode != 0:
            yield "split_halves/%d" % n, False, harness.edgec_message(run.stdout)
            continue
        yield ("split_halves/%d" % n,) + compare(np.load(os.path.join(out, "y.npy")), x[:, :n // 2] + x[:, n // 2:])
    odd = os.path.join(work, "split_7.npy")
    np.save(odd, np.zeros((2, 7), np.float32))
    yield expect_error("errors/split-odd-length", harness.run_captured([edgec, "run", pkg, "--input", "x=" + odd]),
                       "Split node 'halves'", "the split axis has size 7",
                       "a dynamic axis splits into equal parts only")


def main():
    return ort.run_model_harness(__doc__, "dynamic-", 28, MODELS, check_model, extra=check_errors)


if __name__ == "__main__":
    sys.exit(main())
