#!/usr/bin/python3
"""Language models trained on this machine, a llama, a qwen2, a qwen3 and a gemma3, for the LLM checks that
random weights cannot make (llm_trained.py): perplexity on held-out text, and how much
each GGUF weight type and the int8 KV cache cost in it. Made once and cached, as
lm_models.py makes its model.

Text: lm_models.py's (the licence texts of Debian's base-files, about 237 K characters);
the first 90% trains, the last 10% (the end of MPL-1.1 and MPL-2.0) is held out and
written as heldout.txt, which the checks give `edgec perplexity -f` and llama.cpp's own
tokenizer.

Tokens: gguf_models.py's vocabularies, whose longer pieces are words of its WORDS list.
  llama  SentencePiece, 384 entries: <unk> <s> </s>, the 256 byte tokens, "\u2581", whole
         words such as "\u2581the". llama.cpp's SentencePiece tokenizer merges only pairs
         whose concatenation is a piece, and no piece of two characters exists, so a text is
         "\u2581" (id 259) for each space and for the space it is prefixed with, and byte
         tokens (3 + byte) for everything else; BOS first.
  gemma3 the same vocabulary without the space prefix (Gemma's files have
         add_space_prefix false): only the text's own spaces are "\u2581".
  qwen2, qwen3  byte-level BPE, 512 entries: the 256 byte characters (id = the byte), then each
         merge's result, building " the", " of", ... a character at a time, fillers, the
         specials; no BOS. Every merge extends a space and the letters after it, so BPE
         under qwen2's pre-tokenizer gives a space and the longest run of following letters
         that is a token, and bytes everywhere else.
encode(arch, text) writes exactly that (llm_trained.py checks it against `edgec tokenize`
and llama.cpp's tokenizer).

Models: gguf_models.py's shapes for the architecture (n_embd 256: the K-quants'
super-blocks are 256 values along a matrix's input dimension), N_LAYER layers, 4 query
heads and 2 KV heads of 64, RMSNorm, SwiGLU; llama: FFN 512, untied head, RoPE in
llama.cpp's "normal" mode (pairs x[2i], x[2i + 1]; base 10000, eps 1e-5), no biases;
qwen2: FFN 768, Q/K/V biases, the head tied to the embedding, RoPE in NeoX mode (pairs
x[i], x[i + 32]; base 1e6, eps 1e-6); qwen3: as qwen2 without biases, with heads of 128
(q 512 wide over n_embd 256) and each head's q and k RMS-normalized (attn_q_norm,
attn_k_norm) before RoPE; gemma3: as qwen3 with 1 KV head, the embedding scaled by
sqrt(n_embd), both layers local (llama.cpp makes every layer l with l % 6 < 5 local: a sixth,
global layer would take six layers' training time) with a window of WINDOW positions and
RoPE base 10000, the attention's and the FFN's outputs RMS-normalized before the residual
adds, a GELU-gated FFN (the tanh form). The graph llama.cpp builds from such GGUF files, written in
PyTorch so that the trained weights go into the file unchanged
(gguf_models.write_model(weights=...)). 1.38 M (llama), 1.71 M (qwen2), 2.10 M (qwen3) and
1.94 M (gemma3) parameters.
Trained with AdamW (one-cycle LR to MAX_LR), STEPS steps of BATCH windows of T tokens from
random offsets of the training split, each predicting the next T tokens; llama's windows
start with BOS (the chunks llama-perplexity scores: BOS, then text), as gemma3's; qwen2's
with text.
Two threads, fixed seeds, torch.use_deterministic_algorithms: about two and a half minutes
a model on this machine. The Linear layers, the attention's products and the tied head
train on oneDNN (lm_models.fast_linear_class).

Files, in CACHE/ARCH-trained-<hash>/ (harness.cached_model: <hash> of this script; the
folder appears complete or not at all):
  weights.npz     float32 tensors under their GGUF names, numpy order ([rows = ne1, ne0])
  heldout.txt     the held-out text (UTF-8)
  meta.json       architecture, shape, parameters, training seconds and loss, PyTorch's
                  perplexity on the first EVAL_CHUNKS chunks of EVAL_CTX tokens of the
                  held-out text (scored as llama-perplexity scores them), the unigram
                  perplexity of the same tokens (frequencies of the training split), torch
                  version

Usage:  llm_trained_model.py --cache BUILD/test/llm-models [--arch llama|qwen2|qwen3|gemma3]   # prints the folder
Other scripts import it and call ensure(cache, arch) -> folder. Run with /usr/bin/python3.
"""
import argparse
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gguf_models  # noqa: E402
import harness  # noqa: E402
import llm_reference  # noqa: E402
import lm_models  # noqa: E402

N_LAYER = 2
ARCHS = ("llama", "qwen2", "qwen3", "gemma3")
WINDOW = 32  # gemma3's local layers: a quarter of the chunks llm_trained.py scores
SHAPES = {arch: dict(gguf_models.ARCHS[arch], n_layer=N_LAYER, **({"window": WINDOW} if arch == "gemma3" else {}))
          for arch in ARCHS}
BOS = {"llama": 1, "qwen2": None, "qwen3": None, "gemma3": 1}  # the BOS each text starts with (qwen's adds none)
SPACE = 259  # llama's "\u2581"
T = 128
STEPS = 500
BATCH = 16
MAX_LR = 3e-3
SEED = 0
EVAL_CTX, EVAL_CHUNKS = 128, 8  # llm_trained.py's `edgec perplexity -c EVAL_CTX --chunks EVAL_CHUNKS`


def qwen2_pieces():
    """{space + letters: id} of qwen2's vocabulary (its merges' results)."""
    tokens = gguf_models.qwen2_vocab(SHAPES["qwen2"]["n_vocab"])[0]
    return {t: i for i, t in enumerate(tokens) if i >= 256 and t.startswith(gguf_models.byte_chars()[0x20])}


def encode(arch, text):
    """The ids llama.cpp's tokenizer gives text with arch's vocabulary, without BOS (see the
    module docstring)."""
    if arch in ("llama", "gemma3"):  # (llama: a space prefixed) each space "\u2581", the rest UTF-8 bytes
        ids = []
        for ch in (" " + text if arch == "llama" else text):
            if ch == " ":
                ids.append(SPACE)
            else:
                ids.extend(3 + b for b in ch.encode("utf-8"))
        return np.array(ids, np.int64)
    raw = text.encode("utf-8")
    chars = gguf_models.byte_chars()
    mapped = "".join(chars[b] for b in raw)  # one character a byte
    pieces = qwen2_pieces()
    longest = max(map(len, pieces))
    ids, i = [], 0
    while i < len(raw):
        n = 1
        if raw[i] == 0x20:  # a space, and the longest run of letters after it that is a token
            n = next((n for n in range(min(longest, len(raw) - i), 1, -1) if mapped[i:i + n] in pieces), 1)
        ids.append(pieces[mapped[i:i + n]] if n > 1 else raw[i])
        i += n
    return np.array(ids, np.int64)


def splits(arch):
    """(training ids, held-out text): the same 90/10 cut of the same text as lm_models.py."""
    text = lm_models.read_text()
    cut = int(len(text) * (1 - lm_models.TEST_FRACTION))
    return encode(arch, text[:cut]), text[cut:]


def make_model(arch):
    import torch
    from torch import nn
    Linear = lm_models.fast_linear_class()
    shape = SHAPES[arch]
    e, hd = shape["n_embd"], gguf_models.head_dim(shape)
    nq, kv = shape["n_head"] * hd, shape["n_head_kv"] * hd
    group = shape["n_head"] // shape["n_head_kv"]
    eps, n_vocab = shape["eps"], shape["n_vocab"]
    bias, neox, tied, qk_norm = arch == "qwen2", arch != "llama", shape["tied"], arch in ("qwen3", "gemma3")
    gemma = arch == "gemma3"

    class RMSNorm(nn.Module):
        def __init__(self, size=e):
            super().__init__()
            self.weight = nn.Parameter(torch.ones(size))

        def forward(self, x):
            return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * self.weight

    half = hd // 2

    def rope_table(base):
        freqs = base ** (-2.0 * torch.arange(half, dtype=torch.float64) / hd)
        theta = torch.arange(T, dtype=torch.float64)[:, None] * freqs
        return torch.cos(theta).float(), torch.sin(theta).float()  # [T, half]

    tables = {"global": rope_table(shape["rope_base"]), "local": rope_table(10000.0)}  # local: gemma3's

    def rope(x, table):  # [B, T, heads, hd]: llama.cpp's normal mode (pairs 2i, 2i + 1), NeoX's otherwise (i, i + half)
        c, s = table[0][:x.shape[1], None, :], table[1][:x.shape[1], None, :]
        if neox:
            a, b = x[..., :half], x[..., half:]
            return torch.cat((a * c - b * s, a * s + b * c), dim=-1)
        a, b = x[..., 0::2], x[..., 1::2]
        return torch.stack((a * c - b * s, a * s + b * c), dim=-1).flatten(-2)

    def products(a, w):  # a [B, H, M, K], w [B, H, N, K] -> a @ w^T [B, H, M, N], each on oneDNN
        # (torch's bmm runs on the reference BLAS here: 1-2 GFLOP/s, more than half the step).
        rows = [Linear.product(a[i, j], w[i, j]) for i in range(a.shape[0]) for j in range(a.shape[1])]
        return torch.stack(rows).reshape(a.shape[0], a.shape[1], a.shape[2], w.shape[2])

    class Layer(nn.Module):
        def __init__(self, index):
            super().__init__()
            local = gemma and index % 6 < 5
            self.table = tables["local" if local else "global"]
            self.attn_norm, self.ffn_norm = RMSNorm(), RMSNorm()
            self.q, self.k, self.v = Linear(e, nq, bias=bias), Linear(e, kv, bias=bias), Linear(e, kv, bias=bias)
            self.o = Linear(nq, e, bias=False)
            if qk_norm:
                self.q_norm, self.k_norm = RMSNorm(hd), RMSNorm(hd)
            self.gate, self.up = Linear(e, shape["n_ff"], bias=False), Linear(e, shape["n_ff"], bias=False)
            self.down = Linear(shape["n_ff"], e, bias=False)
            if gemma:
                self.post_attn_norm, self.post_ffn_norm = RMSNorm(), RMSNorm()
            mask = torch.triu(torch.full((T, T), float("-inf")), diagonal=1)
            if local:  # a key WINDOW or more positions back is masked, as llama.cpp's standard SWA
                mask += torch.tril(torch.full((T, T), float("-inf")), diagonal=-shape["window"])
            self.register_buffer("mask", mask)

        def forward(self, x):
            n = x.shape[1]
            h = self.attn_norm(x)
            b = x.shape[0]
            q, k = self.q(h).reshape(b, n, shape["n_head"], hd), self.k(h).reshape(b, n, shape["n_head_kv"], hd)
            if qk_norm:
                q, k = self.q_norm(q), self.k_norm(k)
            # Query heads j of KV head j // group stacked: [B, Hkv, group * n, hd].
            q = rope(q, self.table).transpose(1, 2).reshape(b, -1, group * n, hd)
            k = rope(k, self.table).transpose(1, 2)
            v = self.v(h).reshape(b, n, shape["n_head_kv"], hd).transpose(1, 2)
            scores = products(q, k) / math.sqrt(hd) + self.mask[:n, :n].repeat(group, 1)
            y = products(torch.softmax(scores, dim=-1), v.transpose(2, 3))  # [B, Hkv, group * n, hd]
            y = y.reshape(b, shape["n_head"], n, hd).transpose(1, 2).reshape(b, n, nq)
            if gemma:
                x = x + self.post_attn_norm(self.o(y))
                h = self.ffn_norm(x)
                f = self.down(nn.functional.gelu(self.gate(h), approximate="tanh") * self.up(h))
                return x + self.post_ffn_norm(f)
            x = x + self.o(y)
            h = self.ffn_norm(x)
            return x + self.down(nn.functional.silu(self.gate(h)) * self.up(h))

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(n_vocab, e)
            self.layers = nn.ModuleList(Layer(i) for i in range(N_LAYER))
            self.norm = RMSNorm()
            if not tied:
                self.head = Linear(e, n_vocab, bias=False)

        def forward(self, tokens):
            x = self.embed(tokens)
            if gemma:  # llama.cpp's ggml_scale of the looked-up rows
                x = x * math.sqrt(e)
            for layer in self.layers:
                x = layer(x)
            x = self.norm(x)
            if not tied:
                return self.head(x)
            # The head is the embedding (tied), its gradient added to the lookup's.
            return Linear.product(x.reshape(-1, e), self.embed.weight).reshape(*x.shape[:-1], n_vocab)

        def gguf_weights(self):
            """{GGUF tensor name: float32 array in numpy order}."""
            def t(p):
                return p.detach().numpy().astype(np.float32).copy()
            w = {"token_embd.weight": t(self.embed.weight)}
            for i, L in enumerate(self.layers):
                p = "blk.%d." % i
                for name, m in (("attn_q", L.q), ("attn_k", L.k), ("attn_v", L.v), ("attn_output", L.o),
                                ("ffn_gate", L.gate), ("ffn_up", L.up), ("ffn_down", L.down)):
                    w[p + name + ".weight"] = t(m.weight)
                    if m.bias is not None:
                        w[p + name + ".bias"] = t(m.bias)
                w[p + "attn_norm.weight"], w[p + "ffn_norm.weight"] = t(L.attn_norm.weight), t(L.ffn_norm.weight)
                if qk_norm:
                    w[p + "attn_q_norm.weight"], w[p + "attn_k_norm.weight"] = t(L.q_norm.weight), t(L.k_norm.weight)
                if gemma:
                    w[p + "post_attention_norm.weight"] = t(L.post_attn_norm.weight)
                    w[p + "post_ffw_norm.weight"] = t(L.post_ffn_norm.weight)
            w["output_norm.weight"] = t(self.norm.weight)
            if not tied:
                w["output.weight"] = t(self.head.weight)
            return w

    model = Model()
    with torch.no_grad():  # small initial weights, the output projections smaller still (GPT-2's)
        for name, p in model.named_parameters():
            if p.dim() == 2:
                std = 0.02 / math.sqrt(2 * N_LAYER) if name.endswith(("o.weight", "down.weight")) else 0.02
                p.normal_(0.0, std)
    return model


def windows(arch, ids, starts):
    """(inputs [n, T], targets [n, T]: the next tokens) at each start: llama's inputs BOS
    then T - 1 tokens, qwen2's T tokens."""
    offsets = np.arange(T + 1)
    w = ids[starts[:, None] + offsets[None, :]]
    if BOS[arch] is None:
        return w[:, :T], w[:, 1:]
    return np.concatenate([np.full((len(starts), 1), BOS[arch]), w[:, :T - 1]], axis=1), w[:, :T]


def train(arch, train_ids, log):
    import torch
    torch.set_num_threads(2)  # the machines' two cores: nothing else runs beside the e2e suite
    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    model = make_model(arch)
    rng = np.random.default_rng(SEED)

    def batch():
        x, y = windows(arch, train_ids, rng.integers(0, len(train_ids) - T, BATCH))
        return torch.from_numpy(x), torch.from_numpy(y)

    seconds, loss = lm_models.fit(model, batch, STEPS, MAX_LR, log, no_decay=("embed",))
    return model, seconds, loss


def eval_chunks(arch, ids):
    """Token ids (without BOS) as llama-perplexity cuts them: BOS first where the vocabulary
    adds one, chunks of EVAL_CTX, each starting with BOS in place of its first token ->
    int64 [EVAL_CHUNKS, EVAL_CTX]."""
    bos = BOS[arch]
    ids = np.concatenate([[bos], ids]) if bos is not None else np.asarray(ids)
    if len(ids) < EVAL_CHUNKS * EVAL_CTX:
        raise RuntimeError("held-out text too short for %d chunks of %d" % (EVAL_CHUNKS, EVAL_CTX))
    chunks = ids[:EVAL_CHUNKS * EVAL_CTX].reshape(EVAL_CHUNKS, EVAL_CTX).astype(np.int64)
    if bos is not None:
        chunks[:, 0] = bos
    return chunks


def generate(arch, folder, log):
    import torch
    train_ids, heldout = splits(arch)
    log("%s: %d training tokens, %d held-out characters" % (arch, len(train_ids), len(heldout)))
    model, train_s, loss = train(arch, train_ids, log)
    params = sum(p.numel() for p in model.parameters())
    chunks = eval_chunks(arch, encode(arch, heldout))
    with torch.no_grad():
        logits = model(torch.from_numpy(chunks)).numpy()
    total, count = llm_reference.perplexity_nll(logits, chunks)
    nll = total / count
    n_vocab = SHAPES[arch]["n_vocab"]
    counts = np.bincount(train_ids, minlength=n_vocab).astype(np.float64) + 1.0  # add-one: every token possible
    unigram = -np.log(counts / counts.sum())[chunks[:, EVAL_CTX // 2 + 1:]].mean()
    log("trained %d parameters in %.1f s; PyTorch on %d held-out chunks of %d: perplexity %.3f (unigram %.2f)" %
        (params, train_s, EVAL_CHUNKS, EVAL_CTX, math.exp(nll), math.exp(unigram)))
    np.savez(os.path.join(folder, "weights.npz"), **model.gguf_weights())
    with open(os.path.join(folder, "heldout.txt"), "w", encoding="utf-8") as f:
        f.write(heldout)
    return {"arch": arch, "shape": SHAPES[arch], "params": params, "steps": STEPS, "batch": BATCH, "window": T,
            "train_seconds": round(train_s, 1), "final_train_loss": loss, "eval_ctx": EVAL_CTX,
            "eval_chunks": EVAL_CHUNKS, "torch_perplexity": math.exp(nll), "unigram_perplexity": math.exp(unigram),
            "torch_version": torch.__version__}


def ensure(cache, arch, log=None):
    """arch's model folder for this script's hash under cache, generated if missing."""
    if arch not in ARCHS:
        raise ValueError("no trained %s model (known: %s)" % (arch, ", ".join(ARCHS)))
    return harness.cached_model(cache, arch + "-trained", os.path.abspath(__file__),
                                lambda folder, log: generate(arch, folder, log), "two and a half minutes", log)


def weights(folder):
    """The trained tensors, {GGUF name: float32 array}, for gguf_models.write_model(weights=...)."""
    with np.load(os.path.join(folder, "weights.npz")) as z:
        return {k: z[k] for k in z.files}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", required=True, help="cache folder (e.g. build/test/llm-models); prints the model folder")
    parser.add_argument("--arch", choices=ARCHS, default="llama")
    args = parser.parse_args()
    print(ensure(args.cache, args.arch))
    return 0


if __name__ == "__main__":
    sys.exit(main())
