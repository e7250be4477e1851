#!/usr/bin/python3
"""The character-level language model the LM accuracy check (lm_accuracy.py) measures, with
its calibration windows and held-out test windows, all made on this machine and cached.

Text: the licence texts in /usr/share/common-licenses (Debian's base-files, so on every
Debian machine), files in sorted name order, symlinks followed but each real file read
once (GPL -> GPL-3 etc. would otherwise repeat whole licences), decoded as UTF-8 with
errors replaced, joined with newlines: about 237 K characters. The first 90% is the
training split, the last 10% the test split (the end of MPL-1.1 and MPL-2.0). Vocabulary:
id 0 is "unknown", then every character seen at least MIN_COUNT times in the training
split, in code-point order (77 ids); rarer characters map to 0.

Model ("charlm", ~0.8 M parameters), tokens int64 [1,T] -> logits float32 [1,T,V], T = 64:
  token embedding V x 128 + learned position embedding 64 x 128
  4 pre-LayerNorm blocks, each:
    x = x + Wo(attention(LN(x)))    4 heads of 32; q, k, v, out: Linear 128->128;
                                    scores = q @ k^T * 1/sqrt(32) + causal mask (a
                                    constant 64x64, 0 on and below the diagonal, -1e4
                                    above), Softmax, @ v
    x = x + W2(GELU(W1(LN(x))))     128 -> 512 -> 128 (GELU exports as Erf)
  final LayerNorm, output head Linear 128 -> V (untied from the embedding)
The attention is written out (Linear, Reshape, Transpose, MatMul, Mul, Add, Softmax) so the
export uses only ops edgec imports; 97% of the parameters are MatMul weights, so weight
quantization is what decides the package size. -1e4 rather than -inf keeps the masked
scores finite (exp(-1e4) is 0 in f32 and f16 alike, and f16 can hold it).
Trained with torch (AdamW, one-cycle LR to 5e-3, 800 steps of 16 random windows of the
training split, ~4 passes over it), one thread, fixed seeds,
torch.use_deterministic_algorithms: about 150 s on one core of this machine (the Linear
layers train on oneDNN, see fast_linear_class). Perplexity per character: ~3.5 on the
training split at the end, 4.66 on the test windows (top-1 59%), against 77 for a
uniform guess. Exported with torch.onnx (opset 17), input "tokens" int64 [1,64], output
"logits" float32 [1,64,V].

Files, in CACHE/charlm-<hash>/ where <hash> is the first 12 hex digits of the SHA-256 of
this script (editing the script retrains and removes the older folders; an unchanged
script reuses the cache; the folder appears complete or not at all -- it is written under
a temporary name and renamed):
  model.onnx               the fp32 model
  meta.json                input/output names and shapes, vocabulary, parameter count,
                           training seconds, PyTorch's perplexity and top-1 on the test
                           windows, hash
  test/x0000.npy ...       128 held-out windows, one int64 [1,64] file each (evenly
                           spaced over the test split, not overlapping)
  test/targets.npy         int64 [128,64]: the next character's id at each position
  test/torch_logits.npy    float32 [128,64,V]: PyTorch's logits for the same windows
  calib/c00.npy ...        64 calibration windows, int64 [1,64] each, at random
                           offsets of the training split (their own seed)

Usage:
  lm_models.py --cache BUILD/test/lm-models        # prints the model folder
Other scripts import it and call ensure(cache) -> folder. Run with /usr/bin/python3.
"""
import argparse
import math
import os
import sys
import time

import numpy as np

import harness

TEXT_DIR = "/usr/share/common-licenses"
MIN_COUNT = 20  # characters rarer than this in the training split become "unknown"
TEST_FRACTION = 0.1
T = 64  # context length
D_MODEL = 128
HEADS = 4
FFN = 512
BLOCKS = 4
INPUT_NAME = "tokens"
OUTPUT_NAME = "logits"
NUM_TEST = 128
NUM_CALIB = 64
STEPS = 800
BATCH = 16
MAX_LR = 5e-3
SEEDS = {"torch": 0, "calib": 3}


def read_text(folder=TEXT_DIR):
    """The corpus: every real file under folder once, in sorted name order."""
    if not os.path.isdir(folder):
        raise RuntimeError("no text folder %s (Debian's base-files provides it)" % folder)
    seen, parts = set(), []
    for name in sorted(os.listdir(folder)):
        path = os.path.realpath(os.path.join(folder, name))
        if path in seen or not os.path.isfile(path):
            continue
        seen.add(path)
        with open(path, "rb") as f:
            parts.append(f.read().decode("utf-8", errors="replace"))
    return "\n".join(parts)


def make_dataset():
    """(train ids, test ids, vocab): int64 arrays and the list of characters (vocab[0] unknown)."""
    text = read_text()
    cut = int(len(text) * (1 - TEST_FRACTION))
    counts = {}
    for ch in text[:cut]:
        counts[ch] = counts.get(ch, 0) + 1
    vocab = [""] + sorted(ch for ch, n in counts.items() if n >= MIN_COUNT)
    index = {ch: i for i, ch in enumerate(vocab) if i}
    ids = np.array([index.get(ch, 0) for ch in text], dtype=np.int64)
    return ids[:cut], ids[cut:], vocab


def test_windows(test_ids):
    """NUM_TEST non-overlapping (input, target) windows spread evenly over the test split."""
    stride = (len(test_ids) - T - 1) // (NUM_TEST - 1)
    if stride < T + 1:
        raise RuntimeError("test split too short for %d windows of %d" % (NUM_TEST, T))
    starts = np.arange(NUM_TEST) * stride
    x = np.stack([test_ids[s:s + T] for s in starts])
    y = np.stack([test_ids[s + 1:s + T + 1] for s in starts])
    return x, y


def fast_linear_class():
    """nn.Linear whose training forward and backward run on oneDNN.

    Debian's torch does its matmuls in the netlib reference BLAS (~5 GFLOP/s on one core
    here), while its bundled oneDNN does the same products ~10x faster; training time is
    what bounds this model's size. In eval mode (the export, the reference logits) it is
    the plain nn.Linear, so the ONNX graph and PyTorch's reference numbers are unchanged."""
    import torch
    from torch import nn
    onednn = torch._C._nn.mkldnn_linear

    class OneDnnLinear(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, w, b):  # x [M,K], w [N,K], b [N] or None -> x @ w^T + b
            ctx.save_for_backward(x, w)
            ctx.has_bias = b is not None
            return onednn(x.to_mkldnn(), w.to_mkldnn(), b.to_mkldnn() if b is not None else None).to_dense()

        @staticmethod
        def backward(ctx, g):
            x, w = ctx.saved_tensors
            g = g.contiguous()
            gx = onednn(g.to_mkldnn(), w.t().contiguous().to_mkldnn()).to_dense()  # g @ w
            gw = onednn(g.t().contiguous().to_mkldnn(), x.t().contiguous().to_mkldnn()).to_dense()  # g^T @ x
            return gx, gw, g.sum(0) if ctx.has_bias else None

    class Linear(nn.Linear):
        @staticmethod
        def product(x, w):
            """x @ w^T (x [M,K], w [N,K]) with both gradients, on oneDNN."""
            return OneDnnLinear.apply(x.contiguous(), w.contiguous(), None)

        def forward(self, x):
            if not (self.training and torch.is_grad_enabled() and torch.backends.mkldnn.is_available()):
                return super().forward(x)
            y = OneDnnLinear.apply(x.reshape(-1, self.in_features), self.weight, self.bias)
            return y.reshape(*x.shape[:-1], self.out_features)

    return Linear


def make_model(vocab_size):
    import torch
    from torch import nn
    Linear = fast_linear_class()

    class Attention(nn.Module):
        def __init__(self):
            super().__init__()
            self.q, self.k, self.v, self.out = (Linear(D_MODEL, D_MODEL) for _ in range(4))
            # 0 where a position may look (itself and earlier), -1e4 where it may not.
            self.register_buffer("mask", torch.triu(torch.full((T, T), -1e4), diagonal=1))

        def heads(self, x):  # [B,T,D] -> [B,H,T,D/H]; -1 keeps the reshape constant in the export
            return x.reshape(-1, T, HEADS, D_MODEL // HEADS).transpose(1, 2)

        def forward(self, x):
            q, k, v = self.heads(self.q(x)), self.heads(self.k(x)), self.heads(self.v(x))
            scores = torch.matmul(q, k.transpose(2, 3)) * (1.0 / math.sqrt(D_MODEL // HEADS)) + self.mask
            y = torch.matmul(torch.softmax(scores, dim=-1), v)
            return self.out(y.transpose(1, 2).reshape(-1, T, D_MODEL))

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1, self.ln2 = nn.LayerNorm(D_MODEL), nn.LayerNorm(D_MODEL)
            self.attn = Attention()
            self.ffn = nn.Sequential(Linear(D_MODEL, FFN), nn.GELU(), Linear(FFN, D_MODEL))

        def forward(self, x):
            x = x + self.attn(self.ln1(x))
            return x + self.ffn(self.ln2(x))

    class CharLM(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(vocab_size, D_MODEL)
            self.pos = nn.Parameter(torch.randn(T, D_MODEL) * 0.02)
            self.blocks = nn.Sequential(*(Block() for _ in range(BLOCKS)))
            self.ln = nn.LayerNorm(D_MODEL)
            self.head = Linear(D_MODEL, vocab_size)

        def forward(self, tokens):
            return self.head(self.ln(self.blocks(self.embed(tokens) + self.pos)))

    return CharLM()


def token_nll(logits, targets):
    """The cross-entropy of every position (float64 [N*T]): logits [N,T,V], targets [N,T]."""
    z = logits.astype(np.float64).reshape(-1, logits.shape[-1])
    t = targets.reshape(-1)
    z = z - z.max(1, keepdims=True)
    return np.log(np.exp(z).sum(1)) - z[np.arange(len(t)), t]


def perplexity(logits, targets):
    """(exp(mean cross-entropy), top-1 %) over every position: logits [N,T,V], targets [N,T]."""
    top1 = logits.reshape(-1, logits.shape[-1]).argmax(1) == targets.reshape(-1)
    return float(np.exp(token_nll(logits, targets).mean())), float(top1.mean() * 100)


def fit(model, batch, steps, max_lr, log, no_decay):
    """Trains model in place: AdamW (weight decay 0.05 on the matrices whose names contain
    none of no_decay), a one-cycle learning rate to max_lr, gradients clipped to norm 1;
    batch() -> (inputs, targets) tensors, the loss the cross-entropy of model(inputs)
    against targets; the mean loss logged every 100 steps. -> (seconds, last mean loss)."""
    import torch
    from torch import nn

    def decays(n, p):
        return p.dim() >= 2 and not any(k in n for k in no_decay)

    decay = [p for n, p in model.named_parameters() if decays(n, p)]
    other = [p for n, p in model.named_parameters() if not decays(n, p)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": other, "weight_decay": 0.0}],
                            lr=max_lr / 10)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr, total_steps=steps, pct_start=0.15)
    t0, total, last = time.time(), 0.0, None
    model.train()
    for step in range(steps):
        x, y = batch()
        logits = model(x)
        loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        total += float(loss)
        if (step + 1) % 100 == 0:
            last = total / 100
            log("step %d: mean loss %.4f (train perplexity %.2f), %.1f s" % (step + 1, last, math.exp(last),
                                                                               time.time() - t0))
            total = 0.0
    model.eval()
    return time.time() - t0, last


def train(train_ids, vocab_size, log):
    import torch
    torch.set_num_threads(1)
    torch.manual_seed(SEEDS["torch"])
    torch.use_deterministic_algorithms(True)
    model = make_model(vocab_size)
    data = torch.from_numpy(train_ids)
    gen = torch.Generator().manual_seed(SEEDS["torch"])
    offsets = torch.arange(T + 1)

    def batch():
        starts = torch.randint(0, len(train_ids) - T - 1, (BATCH,), generator=gen)
        win = data[starts[:, None] + offsets]
        return win[:, :T], win[:, 1:]

    seconds, _ = fit(model, batch, STEPS, MAX_LR, log, no_decay=("pos", "embed"))
    return model, seconds


def generate(folder, log):
    """Writes the model's files into folder; returns meta.json's fields (cached_model adds the
    hash and writes the file)."""
    import torch
    train_ids, test_ids, vocab = make_dataset()
    log("text: %d training, %d test characters; vocabulary %d" % (len(train_ids), len(test_ids), len(vocab)))
    model, train_s = train(train_ids, len(vocab), log)
    params = sum(p.numel() for p in model.parameters())
    matmul_params = sum(m.weight.numel() for m in model.modules() if isinstance(m, torch.nn.Linear))
    x_test, y_test = test_windows(test_ids)
    with torch.no_grad():
        logits = model(torch.from_numpy(x_test)).numpy().astype(np.float32)
        torch.onnx.export(model, (torch.from_numpy(x_test[:1]),), os.path.join(folder, "model.onnx"),
                          opset_version=17, do_constant_folding=True,
                          input_names=[INPUT_NAME], output_names=[OUTPUT_NAME])
    ppl, top1 = perplexity(logits, y_test)
    log("trained %d parameters in %.1f s; PyTorch on %d held-out windows: perplexity %.3f, top-1 %.1f%%" %
        (params, train_s, NUM_TEST, ppl, top1))

    test_dir = os.path.join(folder, "test")
    os.makedirs(test_dir)
    for i in range(NUM_TEST):
        np.save(os.path.join(test_dir, "x%04d.npy" % i), x_test[i:i + 1])
    np.save(os.path.join(test_dir, "targets.npy"), y_test)
    np.save(os.path.join(test_dir, "torch_logits.npy"), logits)

    rng = np.random.default_rng(SEEDS["calib"])
    os.makedirs(os.path.join(folder, "calib"))
    for i, s in enumerate(rng.integers(0, len(train_ids) - T, NUM_CALIB)):
        np.save(os.path.join(folder, "calib", "c%02d.npy" % i), train_ids[None, s:s + T])

    meta = {
        "input": INPUT_NAME, "input_shape": [1, T], "output": OUTPUT_NAME,
        "output_shape": [1, T, len(vocab)], "vocab": vocab, "params": params, "matmul_weight_params": matmul_params,
        "train_seconds": round(train_s, 1), "steps": STEPS, "batch": BATCH, "num_test": NUM_TEST,
        "num_calib": NUM_CALIB, "torch_perplexity": ppl, "torch_top1": top1, "torch_version": torch.__version__,
    }
    return meta


def ensure(cache, log=None):
    """The model folder for this script's hash under cache, generated if missing."""
    return harness.cached_model(cache, "charlm", os.path.abspath(__file__), generate, "two and a half minutes", log)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", required=True,
                        help="cache folder (e.g. build/test/lm-models); prints the model folder")
    args = parser.parse_args()
    print(ensure(args.cache))
    return 0


if __name__ == "__main__":
    sys.exit(main())
