#!/usr/bin/python3
"""End-to-end model checks: PyTorch model -> ONNX -> `edgec compile` -> `edgec run`,
compared with PyTorch's own output on the same fixed-seed input, and with ONNX Runtime
1.30's on the same ONNX file and input.

Models (fp32, static shapes, random weights from torch.manual_seed(0), eval mode):
  mlp          784-256-128-10 with ReLU, input 1x784
  mobilenet_v2 torchvision MobileNetV2 (random weights), input 1x3x224x224
  resnet18     torchvision ResNet-18 (random weights), input 1x3x224x224
  transformer  2-layer nn.TransformerEncoder (d_model 64, 4 heads, GELU), input 16x1x64;
               its attention reshapes come from Shape -> Gather -> Div chains that the
               frontend must fold to static shapes
  shufflenet_v2 torchvision ShuffleNetV2 x0.5 (random weights), input 1x3x224x224; each
               block's channel split (`chunk`) is sized by Shape -> Gather -> Add -> Div ->
               Mul, a chain of 16 that the frontend resolves one link per inference round
  lstm_tagger  2-layer bidirectional batch-first nn.LSTM (16 -> 32) and a Linear head per
               step, input 2x12x16: ONNX LSTM with layout 0 between Transposes, zero
               initial states, the directions' outputs concatenated
  unet         a U-Net-style encoder-decoder (conv blocks with BatchNorm, MaxPool down,
               ConvTranspose2d and bilinear Upsample up, skip Concats), input 1x3x32x32
  scripted_if  a torch.jit.script model with two data-dependent `if`s (one takes its then
               branch on the fixed input, the other its else branch) choosing between
               conv branches: ONNX If nodes whose branches capture the input
  gru_rnn      nn.GRU (16 -> 24, PyTorch's linear_before_reset form) feeding a ReLU nn.RNN
               whose final state goes through a Linear head, input 12x2x16
  rmsnorm_mlp  three pre-norm blocks of a hand-written LlamaRMSNorm and an MLP (erf GELU,
               SwiGLU, tanh GELU) with residuals, a final RMSNorm and a Linear head, input
               1x16x64: the decomposed RMSNorms and the elementwise chains that edgec fuses

Tolerance (fp32 everywhere, so the only differences are summation order, fused
conv+batchnorm folding and the kernels' own rounding):
  max |edgec - torch| <= ATOL + RTOL * max|torch|
i.e. the error is judged against the scale of the output tensor, not per element,
because outputs near zero (logits) make per-element relative error meaningless. With
RTOL = 1e-4 and ATOL = 1e-5 this allows about 1000x fp32 epsilon of the output scale,
which a 50+ layer network accumulating in fp32 stays well inside, while any real
kernel bug (a wrong pad, stride, bias or layout) gives errors of the order of the
output scale itself. The max per-element relative error is printed for information.

Each package runs twice, with the CPU's best kernels and with the portable reference
ones (EDGEC_KERNELS=ref); each run is one case. Each fp32 model is also run by ONNX
Runtime 1.30 on the same exported ONNX file and input (onnxruntime-node from npm, through
ort.py and ort_run.mjs: all models in one Node process after the last model,
single-threaded, graph optimizations 'all', ORT's default), and edgec's output on the best
kernels is judged against ORT's with the same rule as against PyTorch (the bound from
max|ORT|): one case per model, "<model>/vs-ort", whose detail also gives edgec's and ORT's
max abs errors against PyTorch. ORT lives in the npm prefix BUILD/peers (or --peers, which
is passed on to the harnesses below too), installed there on first use as qdq_vs_ort.py
does; if it cannot be had, every vs-ort case fails saying why.

MobileNetV2, ResNet-18 and the transformer are also compiled with --precision fp16 (and
the transformer with int8-dynamic) and checked against the same PyTorch output within a bound that the
precision explains (PRECISION_CASES); MobileNetV2 and ResNet-18 also with static INT8
on 8 random calibration samples (STATIC_INT8_CASES), on both kernel sets, which must give
the same bytes. One more case, observer_ranges
(observer_ranges.py), compares the per-tensor min/max that `edgec-observe` records
inside the compiler on MobileNetV2 with PyTorch forward hooks. Three quantization harnesses
run as their own processes, each of their cases one case here ("harness/case"), with the
cases their ENABLED_* list names: quant_accuracy (quant_accuracy.py: top-1 per precision
on a small CNN trained at test time, cached in BUILD/test/quant-models), lm_accuracy
(lm_accuracy.py: perplexity per precision on a character-level transformer language model
trained at test time, cached in BUILD/test/lm-models) and qdq_vs_ort
(qdq_vs_ort.py: QDQ models against ONNX Runtime from npm). One more harness,
llm_references_agree (llm_references_agree.py), checks that the two outside references of
LLM generation (llama.cpp from npm and a numpy implementation) agree on random-weight GGUF
models, per architecture and weight type, and llm_generate (llm_generate.py) compiles those
models with `edgec compile model.gguf` and compares `edgec generate` with both. Run with Debian's /usr/bin/python3
(python3-torch, python3-torchvision, python3-onnx, python3-numpy). Prints one line per
case (PASS/FAIL, errors, compile time, latency) and, last, "N passed, N failed".

tokenizer_vs_llamacpp (tokenizer_vs_llamacpp.py) compares `edgec tokenize` with llama.cpp's
tokenizer (node-llama-cpp) on seven real vocabularies (SentencePiece: Llama 2, Gemma 3, and
Llama 2's pieces named as Phi-3 and ModernBERT, whose tokens llama.cpp gives strip attributes;
byte-level BPE: Qwen2.5, Qwen3, Llama 3).

chat_template_vs_jinja (chat_template_vs_jinja.py) compares the prompt text of `edgec generate
--messages` (its hand-written chat formats) with the models' chat templates (Qwen2.5, Llama 3,
3.1, 3.2, Llama 2, Mistral v0.2 (both), ChatML, Zephyr) rendered by @huggingface/jinja
(node-llama-cpp's dependency) on twelve conversations, one case per template, and checks
that templates edgec cannot write are refused.

llm_trained (llm_trained.py) trains a small llama and a small qwen2 here
(llm_trained_model.py, cached in BUILD/test/llm-models) and compares `edgec perplexity` on
held-out text (with --kl-base: the KL divergence from F32) and greedy continuations with
llama.cpp's per GGUF weight type, and the int8 KV cache with the f16 one.

gguf_fuzz (gguf_fuzz.py) damages GGUF test models at random (header bytes, tensor data,
metadata values) and requires `edgec inspect`, `compile` and `generate` to end normally or
with one error line, never crash or hang, and a failed compile to leave no file behind.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

import harness
import ort

RTOL = 1e-4  # relative to max|reference output|
ATOL = 1e-5


def make_mlp():
    import torch
    from torch import nn
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(784, 256), nn.ReLU(),
        nn.Linear(256, 128), nn.ReLU(),
        nn.Linear(128, 10))
    return model.eval(), (1, 784)


def randomize_batchnorm(model, seed):
    """torchvision initialises BatchNorm with mean 0 / var 1, which makes it nearly an
    identity; give every BatchNorm non-trivial fixed-seed statistics so the
    conv+batchnorm folding is really exercised."""
    import torch
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                n = m.num_features
                m.running_mean.copy_(0.1 * torch.randn(n, generator=g))
                m.running_var.copy_(0.5 + torch.rand(n, generator=g))
                m.weight.copy_(1.0 + 0.1 * torch.randn(n, generator=g))
                m.bias.copy_(0.1 * torch.randn(n, generator=g))


def make_torchvision(arch, bn_seed):
    """torchvision's `arch` with random weights (seed 0) and BatchNorm statistics (bn_seed),
    in eval mode, for a 1x3x224x224 input."""
    import torch
    import torchvision
    torch.manual_seed(0)
    model = getattr(torchvision.models, arch)(weights=None)
    randomize_batchnorm(model, seed=bn_seed)
    return model.eval(), (1, 3, 224, 224)


def make_mobilenet_v2():
    return make_torchvision("mobilenet_v2", 1)


def make_resnet18():
    return make_torchvision("resnet18", 2)


def make_transformer():
    import torch
    torch.manual_seed(0)
    # Sequence-first layout: with batch_first, eval-mode inference takes PyTorch's fused
    # fast path, which torch.onnx cannot export.
    layer = torch.nn.TransformerEncoderLayer(d_model=64, nhead=4, dim_feedforward=128, dropout=0.0,
                                             activation="gelu")
    return torch.nn.TransformerEncoder(layer, num_layers=2).eval(), (16, 1, 64)


def make_gpt_decoder(seq=32):
    """A GPT-style decoder stack: token embeddings in, 4 pre-norm blocks of causal
    self-attention (the mask a constant of the model) and a GELU MLP, final LayerNorm and
    a vocabulary head. Sequence-first [seq, 1, d] like the encoder above."""
    import torch
    from torch import nn

    class Gpt(nn.Module):
        def __init__(self):
            super().__init__()
            layer = nn.TransformerEncoderLayer(d_model=64, nhead=4, dim_feedforward=256, dropout=0.0,
                                               activation="gelu", norm_first=True)
            self.blocks = nn.TransformerEncoder(layer, num_layers=4, enable_nested_tensor=False)
            self.pos = nn.Parameter(0.1 * torch.randn(seq, 1, 64))
            self.norm = nn.LayerNorm(64)
            self.head = nn.Linear(64, 96)
            self.register_buffer("mask", torch.triu(torch.full((seq, seq), float("-inf")), diagonal=1))

        def forward(self, x):
            return self.head(self.norm(self.blocks(x + self.pos, mask=self.mask)))

    torch.manual_seed(0)
    return Gpt().eval(), (seq, 1, 64)


def make_shufflenet_v2():
    return make_torchvision("shufflenet_v2_x0_5", 3)


def make_efficientnet_b0():
    # SiLU after nearly every Conv and squeeze-excitation blocks: edge-fuse-epilogue's Silu.
    return make_torchvision("efficientnet_b0", 3)


def make_mobilenet_v3_small():
    # HardSwish, exported at opset 13 as x * HardSigmoid(x), and HardSigmoid-gated SE blocks.
    return make_torchvision("mobilenet_v3_small", 4)


def make_unet():
    import torch
    from torch import nn

    def block(i, o):
        return nn.Sequential(nn.Conv2d(i, o, 3, padding=1), nn.BatchNorm2d(o), nn.ReLU())

    class UNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.e1, self.e2, self.mid = block(3, 8), block(8, 16), block(16, 32)
            self.pool = nn.MaxPool2d(2)
            self.up2, self.d2 = nn.ConvTranspose2d(32, 16, 2, stride=2), block(32, 16)
            self.up1 = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)
            self.d1, self.head = block(16 + 8, 8), nn.Conv2d(8, 2, 1)

        def forward(self, x):
            a = self.e1(x)
            b = self.e2(self.pool(a))
            m = self.mid(self.pool(b))
            y = self.d2(torch.cat([self.up2(m), b], 1))
            return self.head(self.d1(torch.cat([self.up1(y), a], 1)))

    torch.manual_seed(0)
    model = UNet()
    randomize_batchnorm(model, seed=4)
    return model.eval(), (1, 3, 32, 32)


def make_scripted_if():
    import torch
    from torch import nn

    class Gated(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Conv2d(3, 8, 3, padding=1)
            self.b = nn.Conv2d(3, 8, 3, padding=1)
            self.head = nn.Linear(8, 4)

        def forward(self, x):
            if bool(x.mean() > 0):
                y = torch.relu(self.a(x))
            else:
                y = torch.sigmoid(self.b(x))
            if bool(x.mean() <= 0):
                y = y * 2.0
            else:
                y = y + 1.0
            return self.head(y.mean(dim=(2, 3)))

    torch.manual_seed(0)
    return torch.jit.script(Gated().eval()), (1, 3, 16, 16)


def make_lstm_tagger():
    import torch
    from torch import nn

    class LstmTagger(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(16, 32, num_layers=2, bidirectional=True, batch_first=True)
            self.head = nn.Linear(64, 8)

        def forward(self, x):
            y, _ = self.lstm(x)
            return self.head(y)

    torch.manual_seed(0)
    return LstmTagger().eval(), (2, 12, 16)


def make_gru_rnn():
    import torch
    from torch import nn

    class GruRnn(nn.Module):
        def __init__(self):
            super().__init__()
            self.gru = nn.GRU(16, 24)
            self.rnn = nn.RNN(24, 24, nonlinearity="relu")
            self.head = nn.Linear(24, 5)

        def forward(self, x):
            y, _ = self.gru(x)
            _, h = self.rnn(y)
            return self.head(h[-1])

    torch.manual_seed(0)
    return GruRnn().eval(), (12, 2, 16)


def make_rmsnorm_mlp():
    """A Llama-style stack without attention: three pre-norm blocks, each a hand-written
    LlamaRMSNorm (x * rsqrt(mean(x^2) + eps) * weight) and an MLP with a residual: erf GELU,
    SwiGLU (silu(a) * b), tanh GELU (its Pow(x, 3)); a final RMSNorm and a Linear head.
    edge-fuse-rmsnorm and edge-fuse-elementwise at work on what torch.onnx writes."""
    import torch
    from torch import nn

    class RMSNorm(nn.Module):
        def __init__(self, d, eps=1e-6):
            super().__init__()
            self.weight = nn.Parameter(1.0 + 0.1 * torch.randn(d))
            self.eps = eps

        def forward(self, x):
            v = x.pow(2).mean(-1, keepdim=True)
            return self.weight * (x * torch.rsqrt(v + self.eps))

    class Block(nn.Module):
        def __init__(self, kind):
            super().__init__()
            self.kind, self.norm = kind, RMSNorm(64)
            self.up, self.gate, self.down = nn.Linear(64, 128), nn.Linear(64, 128), nn.Linear(128, 64)

        def forward(self, x):
            h = self.norm(x)
            if self.kind == "swiglu":
                h = nn.functional.silu(self.gate(h)) * self.up(h)
            else:
                h = nn.functional.gelu(self.up(h), approximate="tanh" if self.kind == "tanh" else "none")
            return x + self.down(h)

    class Stack(nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = nn.Sequential(Block("erf"), Block("swiglu"), Block("tanh"))
            self.norm, self.head = RMSNorm(64), nn.Linear(64, 32)

        def forward(self, x):
            return self.head(self.norm(self.blocks(x)))

    torch.manual_seed(0)
    return Stack().eval(), (1, 16, 64)


MODELS = [
    ("mlp", make_mlp),
    ("mobilenet_v2", make_mobilenet_v2),
    ("resnet18", make_resnet18),
    ("transformer", make_transformer),
    ("gpt_decoder", make_gpt_decoder),
    ("shufflenet_v2", make_shufflenet_v2),
    ("efficientnet_b0", make_efficientnet_b0),
    ("mobilenet_v3_small", make_mobilenet_v3_small),
    ("unet", make_unet),
    ("scripted_if", make_scripted_if),
    ("lstm_tagger", make_lstm_tagger),
    ("gru_rnn", make_gru_rnn),
    ("rmsnorm_mlp", make_rmsnorm_mlp),
]


def export(model, shape, path):
    import torch
    x = torch.from_numpy(np.random.default_rng(1234).standard_normal(shape).astype(np.float32))
    with torch.no_grad():
        ref = model(x).numpy()
        torch.onnx.export(model, (x,), path, opset_version=13, do_constant_folding=True,
                          input_names=["input"], output_names=["output"])
    return x.numpy(), ref


KERNEL_SETS = ["best", "ref"]  # EDGEC_KERNELS: the CPU's best kernels, and the portable oracle ones

# Reduced-precision packages of the same models, against the same PyTorch fp32 output:
# model -> [(--precision, relative bound)]. The bound is on max |edgec - torch| over
# max |torch| (as RTOL above): fp16 rounds every activation to 11 bits (~5e-4 each), the
# dynamic int8 GEMMs every activation row and weight column to 8 bits (~1% each).
PRECISION_CASES = {
    "mobilenet_v2": [("fp16", 0.02)],
    "resnet18": [("fp16", 0.02)],
    # int4-gN-a8: int4 weights (symmetric, step max|w| / 7 per group of N: the int4 weight
    # error alone is ~0.05 x max|ref| here, as weight-only int4-gN measures) and int8
    # activations per group (step max|x| / 127, ~4e-3 per row as int8-dynamic shows);
    # measured 0.048 (g32) and 0.046 (g128): twice that is the bound.
    "transformer": [("fp16", 0.02), ("int8-dynamic", 0.05), ("int4-g32-a8", 0.1), ("int4-g128-a8", 0.1)],
}

# Static INT8 (`--precision int8 --calib`, 8 fixed-seed standard-normal samples of the
# input's shape) of the CNNs: model -> relative bound on max |edgec - torch| / max |torch|
# (measured ~0.013 for MobileNetV2 and ~0.02 for ResNet-18 on these random weights; five
# times that is the bound). The package runs on the best kernels and on ref, which must
# give the same bytes: the x86 integer kernels are bit-exact against ref on a whole model,
# not only on the gtests' shapes. EfficientNet-B0 and MobileNetV3-Small keep their SiLU and
# HardSwish as 256-entry tables folded into the int8 Convs before them (edge-fuse-conv-table).
STATIC_INT8_CASES = {"mobilenet_v2": 0.1, "resnet18": 0.1, "efficientnet_b0": 0.1, "mobilenet_v3_small": 0.1}


def compare(got, ref, reference="PyTorch"):
    """(ok, detail) for one output against the reference's (PyTorch's, or ONNX Runtime's)."""
    if got.shape != ref.shape or got.dtype != ref.dtype:
        return False, "output is %s %s, %s gives %s %s" % (got.dtype, got.shape, reference, ref.dtype, ref.shape)
    if not np.all(np.isfinite(got)):
        return False, "output has non-finite values"
    g, r = got.astype(np.float64), ref.astype(np.float64)
    diff = np.abs(g - r)
    scale = float(np.max(np.abs(r)))
    max_abs = float(diff.max())
    max_rel = float(np.max(diff / np.maximum(np.abs(r), 1e-30)))
    bound = ATOL + RTOL * scale
    ok = max_abs <= bound
    # The predicted class must agree too, unless PyTorch's top two are within the bound
    # of each other (then either answer is within tolerance).
    top2 = np.sort(r.reshape(r.shape[0], -1), axis=1)[:, -2:]
    clear = bool(np.all(top2[:, 1] - top2[:, 0] > 2 * bound))
    same_class = bool(np.array_equal(np.argmax(g.reshape(g.shape[0], -1), 1), np.argmax(r.reshape(r.shape[0], -1), 1)))
    if clear and not same_class:
        ok = False
    detail = "max abs err %.3g (bound %.3g = %g + %g * max|ref| %.4g), max rel err %.3g, argmax %s" % (
        max_abs, bound, ATOL, RTOL, scale, max_rel, "same" if same_class else "DIFFERS")
    return ok, detail


def run_package(edgec, pkg, x_path, out_dir, kernels=None):
    """Runs a package on the input (EDGEC_KERNELS=kernels when given); returns (the run's
    process, its output array or None, why there is none)."""
    env = dict(os.environ, EDGEC_KERNELS=kernels) if kernels else None
    run = subprocess.run([edgec, "run", pkg, "--input", "input=" + x_path, "--output-dir", out_dir, "-q"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    if run.returncode != 0:
        return run, None, "run failed (exit %d):\n%s" % (run.returncode, run.stdout.strip())
    out_path = os.path.join(out_dir, "output.npy")
    if not os.path.exists(out_path):
        return run, None, "run wrote no %s (found: %s)" % (out_path, os.listdir(out_dir))
    return run, np.load(out_path), None


def check(name, factory, edgec, work, exported):
    """Yields (case name, ok, detail) for each kernel set, and records in exported[name]
    what the ONNX Runtime comparison needs (check_vs_ort): the ONNX file, the input,
    PyTorch's output and edgec's on the best kernels (None if it has none)."""
    mdir = os.path.join(work, name)
    os.makedirs(mdir, exist_ok=True)
    onnx_path = os.path.join(mdir, name + ".onnx")
    pkg = os.path.join(mdir, name + ".edgepkg")
    x_path = os.path.join(mdir, "input.npy")

    model, shape = factory()
    x, ref = export(model, shape, onnx_path)
    np.save(x_path, x)
    exported[name] = {"onnx": onnx_path, "input": x_path, "torch": ref, "edgec": None}

    t0 = time.time()
    proc = subprocess.run([edgec, "compile", onnx_path, "--target", "host", "-q", "-o", pkg],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    compile_s = time.time() - t0
    for kernels in KERNEL_SETS:
        case = "%s [%s]" % (name, kernels)
        if proc.returncode != 0:
            yield case, False, "compile failed (exit %d, %.2f s):\n%s" % (proc.returncode, compile_s, proc.stdout.strip())
            continue
        run, got, why = run_package(edgec, pkg, x_path, os.path.join(mdir, "out-" + kernels), kernels)
        if got is None:
            yield case, False, why
            continue
        if kernels == KERNEL_SETS[0]:
            exported[name]["edgec"] = got
        ok, detail = compare(got, ref)
        latency = run.stdout.strip().splitlines()[-1].replace("latency: ", "") if run.stdout.strip() else "?"
        yield case, ok, "%s; compile %.2f s; run %s" % (detail, compile_s, latency)

    for precision, rtol in PRECISION_CASES.get(name, []):
        case = "%s [%s]" % (name, precision)
        ppkg = os.path.join(mdir, "%s-%s.edgepkg" % (name, precision))
        comp = subprocess.run([edgec, "compile", onnx_path, "--precision", precision, "-q", "-o", ppkg],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if comp.returncode != 0:
            yield case, False, "compile failed (exit %d):\n%s" % (comp.returncode, comp.stdout.strip())
            continue
        _, got, why = run_package(edgec, ppkg, x_path, os.path.join(mdir, "out-" + precision))
        if got is None:
            yield case, False, why
            continue
        scale = float(np.max(np.abs(ref)))
        err = float(np.max(np.abs(got.astype(np.float64) - ref))) if got.shape == ref.shape else float("inf")
        ok = got.shape == ref.shape and got.dtype == ref.dtype and np.all(np.isfinite(got)) and err <= rtol * scale
        yield case, ok, "max abs err %.3g = %.2g x max|ref| %.4g (bound %g x); package %d bytes (fp32 %d)" % (
            err, err / scale, scale, rtol, os.path.getsize(ppkg), os.path.getsize(pkg) if os.path.exists(pkg) else 0)

    if name in STATIC_INT8_CASES:
        yield from check_static_int8(name, STATIC_INT8_CASES[name], edgec, mdir, onnx_path, x_path, ref)


def check_static_int8(name, rtol, edgec, mdir, onnx_path, x_path, ref):
    """Yields (case, ok, detail) for the int8 package on the best kernels and on ref."""
    calib = os.path.join(mdir, "calib")
    os.makedirs(calib, exist_ok=True)
    rng = np.random.default_rng(1234)
    x = np.load(x_path)
    for i in range(8):
        np.save(os.path.join(calib, "%03d.npy" % i), rng.standard_normal(x.shape).astype(np.float32))
    ppkg = os.path.join(mdir, name + "-int8.edgepkg")
    comp = subprocess.run([edgec, "compile", onnx_path, "--precision", "int8", "--calib", calib, "-q", "-o", ppkg],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    outputs = {}
    for kernels in KERNEL_SETS:
        case = "%s [int8, %s]" % (name, kernels)
        if comp.returncode != 0:
            yield case, False, "compile failed (exit %d):\n%s" % (comp.returncode, comp.stdout.strip())
            continue
        _, got, why = run_package(edgec, ppkg, x_path, os.path.join(mdir, "out-int8-" + kernels), kernels)
        if got is None:
            yield case, False, why
            continue
        outputs[kernels] = got
        scale = float(np.max(np.abs(ref)))
        err = float(np.max(np.abs(got.astype(np.float64) - ref))) if got.shape == ref.shape else float("inf")
        ok = got.shape == ref.shape and np.all(np.isfinite(got)) and err <= rtol * scale
        detail = "max abs err %.3g = %.2g x max|ref| %.4g (bound %g x)" % (err, err / scale, scale, rtol)
        if kernels != "ref" and "ref" in KERNEL_SETS:
            detail += "; bytes compared with ref below"
        yield case, ok, detail
    if len(outputs) == len(KERNEL_SETS) and "ref" in outputs:
        best = outputs[KERNEL_SETS[0]]
        same = best.tobytes() == outputs["ref"].tobytes()
        diff = int(np.count_nonzero(best != outputs["ref"])) if best.shape == outputs["ref"].shape else -1
        yield "%s [int8, best == ref]" % name, same, (
            "best and ref kernels give the same bytes" if same else "%d of %d outputs differ" % (diff, best.size))


def max_err(a, b):
    return float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64)))) if a.shape == b.shape else float("inf")


def check_vs_ort(names, exported, work, peers):
    """Yields ("<model>/vs-ort", ok, detail) for each model name: edgec's output (best
    kernels) against ONNX Runtime's on the same ONNX file and input, judged as against
    PyTorch (compare); all models in one ort_run.mjs process, single-threaded, graph
    optimizations 'all' (ORT's default). The detail also gives edgec's and ORT's errors
    against PyTorch, to tell which side a disagreement is on."""
    problem = ort.ensure(peers)
    results = {}
    if not problem:
        jobs = [{"model": exported[n]["onnx"], "inputs": {"input": exported[n]["input"]},
                 "output_dir": os.path.join(work, n, "out-ort")} for n in names if n in exported]
        try:
            results = dict(zip([n for n in names if n in exported], ort.run_jobs(jobs, work, peers)))
        except RuntimeError as e:
            problem = str(e)
    for n in names:
        case = n + "/vs-ort"
        if problem:
            yield case, False, "ONNX Runtime %s unavailable: %s" % (ort.VERSION, problem)
            continue
        if n not in exported:
            yield case, False, "no ONNX model (the export failed, see above)"
            continue
        e = exported[n]
        try:
            ref = ort.outputs(results[n])["output"]
        except (RuntimeError, KeyError) as err:
            yield case, False, "ONNX Runtime gave no output: %s" % err
            continue
        if e["edgec"] is None:
            yield case, False, "no edgec output on the %s kernels (see above); ORT vs PyTorch max abs err %.3g" % (
                KERNEL_SETS[0], max_err(ref, e["torch"]))
            continue
        ok, detail = compare(e["edgec"], ref, "ONNX Runtime")
        yield case, ok, "vs ORT %s: %s; vs PyTorch max abs err %.3g; ORT vs PyTorch %.3g" % (
            ort.VERSION, detail, max_err(e["edgec"], e["torch"]), max_err(ref, e["torch"]))


HARNESSES = {  # name -> script in this folder, run with --build-dir and --results-json
    "quant_accuracy": "quant_accuracy.py",
    "lm_accuracy": "lm_accuracy.py",
    "qdq_vs_ort": "qdq_vs_ort.py",
    "llm_references_agree": "llm_references_agree.py",
    "llm_generate": "llm_generate.py",
    "tokenizer_vs_llamacpp": "tokenizer_vs_llamacpp.py",
    "chat_template_vs_jinja": "chat_template_vs_jinja.py",
    "dynamic_shapes": "dynamic_shapes.py",
    "data_dependent": "data_dependent.py",
    "gguf_fuzz": "gguf_fuzz.py",
    "llm_trained": "llm_trained.py",
}
NO_PEERS = {"quant_accuracy", "lm_accuracy", "gguf_fuzz"}  # the harnesses without --peers (no npm reference)


def run_harness(name, build, work, peers=None):
    """Runs a harness script that reports its cases as JSON; yields (case, ok, detail)."""
    os.makedirs(work, exist_ok=True)
    results = os.path.join(work, "results.json")
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), HARNESSES[name])
    cmd = [sys.executable, script, "--build-dir", build, "--results-json", results]
    if peers and name not in NO_PEERS:
        cmd += ["--peers", peers]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    cases = []
    if os.path.exists(results):
        with open(results) as f:
            cases = json.load(f)
    for c in cases:
        yield "%s/%s" % (name, c["case"]), c["ok"], c["detail"]
    if proc.returncode != 0 and all(c["ok"] for c in cases):
        tail = "\n".join(proc.stdout.strip().splitlines()[-15:])
        yield name, False, "%s exited %d:\n%s" % (HARNESSES[name], proc.returncode, tail)


def main():
    parser = harness.parser(__doc__)
    parser.add_argument("--only", action="append", help="check only this model (repeatable)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--peers", help="npm prefix holding onnxruntime-node and node-llama-cpp (default BUILD/peers, "
                                        "installed there on first use); passed on to the harnesses")
    args = parser.parse_args()
    build = os.path.abspath(args.build_dir)
    peers = os.path.abspath(args.peers or os.path.join(build, "peers"))
    edgec = os.path.join(build, "bin", "edgec")
    if not os.access(edgec, os.X_OK):
        return harness.setup_failed("no edgec binary at %s" % edgec)

    import torch
    torch.set_num_threads(1)  # deterministic reference, and the build machine has 2 shared cores

    work = tempfile.mkdtemp(prefix="e2e-", dir=build)
    tally = harness.Tally(20)
    exported = {}  # model -> what check_vs_ort compares
    models = [name for name, _ in MODELS if not args.only or name in args.only]
    try:
        for name, factory in MODELS + [("vs-ort", None), ("observer_ranges", None)] + [(h, None) for h in HARNESSES]:
            if name == "vs-ort":  # after the models: ONNX Runtime on all of them in one process
                if models:
                    try:
                        results = list(check_vs_ort(models, exported, work, peers))
                    except Exception as e:  # a harness problem is a failure, not a crash
                        results = [("vs-ort", False, "%s: %s" % (type(e).__name__, e))]
                    for case, ok, detail in results:
                        tally.add(case, ok, detail)
                continue
            if args.only and name not in args.only:
                continue
            try:
                if name in HARNESSES:
                    results = list(run_harness(name, build, os.path.join(work, name), args.peers and peers))
                elif factory is None:  # per-tensor ranges recorded inside the compiler vs PyTorch hooks
                    import observer_ranges
                    results = list(observer_ranges.check(build, os.path.join(work, name)))
                else:
                    results = list(check(name, factory, edgec, work, exported))
            except Exception as e:  # a broken export or harness problem is a failure, not a crash
                results = [(name, False, "%s: %s" % (type(e).__name__, e))]
            for case, ok, detail in results:
                tally.add(case, ok, detail)
    finally:
        harness.release_work(work, args.keep or tally.failed)
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
