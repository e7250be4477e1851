#!/usr/bin/python3
"""edgec on trained models, against llama.cpp: perplexity on held-out text per GGUF weight
type and KV cache, the KL divergence of each type's predictions from F32's, and greedy
continuations. Random weights (llm_generate.py) give flat distributions and no text to
score; a trained model has peaked attention and logits, and each weight type moves its
predictions by a measurable amount, as a user's model does.

The models: llm_trained_model.py's llama (byte-level SentencePiece vocabulary, RoPE normal
mode, untied head), qwen2 (byte-level BPE, NeoX RoPE, Q/K/V biases, tied head), qwen3 (as
qwen2 without biases, heads of 128, per-head q/k norms) and gemma3 (llama's vocabulary
without the space prefix, q/k norms, post-norms, GELU, local layers with a window of 32
positions), 1.4, 1.7, 2.1 and 1.9 M parameters,
trained here on the licence texts of Debian's base-files and cached in
BUILD/test/llm-models; written into a GGUF file per case with
gguf_models.write_model(weights=...) and compiled the user's way. Cases, for ARCH llama,
qwen2, qwen3 and gemma3:
  ARCH/tokens `edgec tokenize --text-file heldout.txt` equals llama.cpp's tokenization of the
              held-out text and the ids the model was trained and scored on in PyTorch
              (llm_trained_model.encode), so that the three perplexities below read the
              same tokens;
  ARCH/TYPE   (f32 f16 bf16 q8_0 q4_0 q4_1 q5_0 q5_1 q2_k q3_k q4_k q5_k q6_k iq4_nl iq4_xs,
              and the q4_k_m mix):
              `edgec perplexity PKG -f heldout.txt -c 128 --chunks 8` (its first 8 chunks of
              128 tokens, the second half of each scored, as llama-perplexity scores them)
              within PPL_TOL of the perplexity llama.cpp's logits give on the same chunks
              (its own tokens of the same text, one batch a chunk, F16 cache); F32 also
              within PPL_TOL of PyTorch's on the trained weights, and below the perplexity
              of the training split's token frequencies (the model learned more than a
              unigram); the other types scored with --kl-base F32's package: their KL
              divergence from F32 within KL_RTOL + KL_ATOL of the one llama.cpp's logits
              of both files give; and a greedy continuation (N_GEN tokens after
              PROMPT_TOKENS of held-out text) equal to llama.cpp's token for token up to a
              near-tie and its logits within TOL_CPP of llama.cpp's, as llm_generate.py
              judges them (judge_greedy);
  ARCH/TYPE/kv-int8 (f32, q8_0, q4_k): compiled with --kv-cache int8, which llama.cpp has
              no equal of: its perplexity within INT8_PPL_TOL of the same weights' with the
              default f16 cache.
Then a table per architecture: each type's bits a weight (the GGUF file), perplexity by
edgec and by llama.cpp, the increase over F32, the KL divergence from F32 and how often
the top token is F32's, by both. Prints one line per case and "N passed, N failed" last.

  test/e2e/llm_trained.py --build-dir build [--cases llama/f32,qwen2/q4_k] [--cache DIR] [--keep]
"""
import json
import math
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gguf_models  # noqa: E402
import harness  # noqa: E402
import llama_cpp  # noqa: E402
import llm_reference  # noqa: E402
import llm_trained_model as trained  # noqa: E402
from llm_generate import TOL_CPP, judge_greedy  # noqa: E402
from tokenizer_vs_llamacpp import run_llamacpp  # noqa: E402

TYPES = gguf_models.WEIGHT_TYPES + ["q4_k_m"]
INT8_CACHE_TYPES = ["f32", "q8_0", "q4_k"]
CASES = ["%s/%s" % (arch, c) for arch in trained.ARCHS
         for c in ["tokens"] + TYPES + [t + "/kv-int8" for t in INT8_CACHE_TYPES]]
ENABLED_CASES = CASES
CTX, CHUNKS = trained.EVAL_CTX, trained.EVAL_CHUNKS
PROMPT_TOKENS, N_GEN = 96, 48
# |log PPL edgec - log PPL llama.cpp| (and F32's against PyTorch): edgec's logits are within
# TOL_CPP of llama.cpp's on random weights; on this model's scored tokens the log
# perplexities measured (see docs/gguf.md) well under these.
PPL_TOL = dict({t: 0.01 for t in TYPES}, f32=0.002, f16=0.002, bf16=0.005)
# |KL divergence from F32 by edgec - by llama.cpp| (`edgec perplexity --kl-base F32.edgepkg`
# against the same from llama.cpp's logits of both files): at most KL_RTOL of llama.cpp's
# plus KL_ATOL. Each engine's own rounding adds to the divergence the weight type makes.
KL_RTOL, KL_ATOL = 0.2, 2e-4
# |log PPL with --kv-cache int8 - with the f16 cache|, same weights: 8-bit keys and values
# with one scale per position and head; 1% of perplexity.
INT8_PPL_TOL = 0.01


class EdgecFailed(Exception):
    pass


def edgec_perplexity(edgec, pkg, text, base=None):
    """`edgec perplexity PKG -f TEXT -c CTX --chunks CHUNKS [--kl-base BASE]` -> its final PPL,
    or with base (PPL, mean KL divergence from the base, % same top token)."""
    proc = harness.run_captured([edgec, "perplexity", pkg, "-f", text, "-c", str(CTX), "--chunks", str(CHUNKS),
                                 "--threads", "2"] + (["--kl-base", base] if base else []))
    found = re.search(r"Final estimate: PPL = ([0-9.]+)", proc.stdout)
    kl = re.search(r"KL divergence from the base: mean ([0-9.]+)", proc.stdout)
    top = re.search(r"Same top token as the base: ([0-9.]+)%", proc.stdout)
    if proc.returncode != 0 or not found or (base and not (kl and top)):
        raise EdgecFailed("perplexity: " + harness.edgec_message(proc.stdout))
    return (float(found.group(1)), float(kl.group(1)), float(top.group(1))) if base else float(found.group(1))


def divergence(base_rows, rows):
    """(mean KL(base || other), % same top token) over the scored positions of chunks' logits
    [n, CTX, V], as edgec perplexity --kl-base computes them."""
    lb, lq = llm_reference.scored_log_probs(base_rows), llm_reference.scored_log_probs(rows)
    kl = (np.exp(lb) * (lb - lq)).sum(-1)
    return float(kl.mean()), float(100 * (lb.argmax(-1) == lq.argmax(-1)).mean())


def greedy(edgec, pkg, prompt, work):
    """edgec generate --tokens PROMPT -n N_GEN --ids --dump-logits -> (ids, logits [N_GEN, V])."""
    logits = os.path.join(work, os.path.basename(pkg) + ".logits.npy")
    proc = subprocess.run([edgec, "generate", pkg, "--tokens", ",".join(map(str, prompt)), "-n", str(N_GEN), "--ids",
                           "--ignore-eos", "--threads", "2", "--dump-logits", logits], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise EdgecFailed("generate: " + harness.edgec_message(proc.stderr))
    return [int(t) for t in proc.stdout.strip().split(",")], np.load(logits).astype(np.float64)


class Run:
    """One architecture's model, its held-out text and llama.cpp's tokens of it, shared by its cases."""

    def __init__(self, arch, edgec, peers, model_dir, work):
        self.arch, self.edgec, self.peers, self.work = arch, edgec, peers, os.path.join(work, arch)
        os.makedirs(self.work)
        with open(os.path.join(model_dir, "meta.json")) as f:
            self.meta = json.load(f)
        self.weights = trained.weights(model_dir)
        self.text = os.path.join(model_dir, "heldout.txt")
        with open(self.text, encoding="utf-8") as f:
            heldout = f.read()
        got = run_llamacpp(peers, [dict(name="heldout", model=self.gguf("f32"), texts=[heldout])],
                           self.work)["heldout"][0]
        self.cpp_ids = got["plain"]
        self.ours = [int(t) for t in trained.encode(arch, heldout)]
        self.chunks = trained.eval_chunks(arch, self.cpp_ids).tolist()
        bos = [trained.BOS[arch]] if trained.BOS[arch] is not None else []
        self.prompt = bos + self.cpp_ids[CTX * CHUNKS:CTX * CHUNKS + PROMPT_TOKENS]
        self.table = {}  # type -> (bits a weight, PPL, llama.cpp's, KL divergence from F32, llama.cpp's, same top, llama.cpp's)

    def gguf(self, wtype):
        path = os.path.join(self.work, wtype + ".gguf")
        if not os.path.exists(path):
            gguf_models.write_model(path, self.arch, wtype, weights=self.weights, **trained.SHAPES[self.arch])
        return path

    def package(self, wtype, flags=(), tag=""):
        pkg = os.path.join(self.work, wtype + tag + ".edgepkg")
        if not os.path.exists(pkg):  # F32's serves every other type's --kl-base
            proc, _, _ = harness.compile_package(self.edgec, self.gguf(wtype), list(flags), pkg)
            if proc.returncode != 0:
                raise EdgecFailed("compile: " + harness.edgec_message(proc.stdout))
        return pkg

    def check_tokens(self):
        proc = harness.run_captured([self.edgec, "tokenize", self.gguf("f32"), "--ids", "--no-bos", "--text-file",
                                     self.text])
        if proc.returncode != 0:
            raise EdgecFailed("tokenize: " + harness.edgec_message(proc.stdout))
        edgec_ids = [int(t) for t in proc.stdout.strip().split(",")]
        problems = ["%s's differ from llama.cpp's at token %d" % (who, next(
            (i for i, (a, b) in enumerate(zip(ids, self.cpp_ids)) if a != b), min(len(ids), len(self.cpp_ids))))
                    for who, ids in (("edgec tokenize", edgec_ids), ("the training ids", self.ours))
                    if ids != self.cpp_ids]
        detail = "held-out text (%d bytes): %d tokens by llama.cpp, edgec tokenize and the training script" % (
            os.path.getsize(self.text), len(self.cpp_ids))
        return not problems, ("; ".join(problems) + " | " if problems else "") + detail

    def check_type(self, wtype, got_ppl, got_greedy, got_base):
        bad = [r for r in got_ppl + [got_greedy] + got_base if not r["ok"]]
        if bad:
            return False, "llama.cpp failed: %s" % bad[0]["error"].splitlines()[0]
        pkg = self.package(wtype)
        cpp_rows = np.array([r["prompt_logits"] for r in got_ppl])
        total, count = llm_reference.perplexity_nll(cpp_rows, self.chunks)
        cpp_nll = total / count
        if wtype == "f32":
            ppl = edgec_perplexity(self.edgec, pkg, self.text)
        else:  # against the F32 file's package, as a user measures a quantized type
            ppl, kl, top = edgec_perplexity(self.edgec, pkg, self.text, self.package("f32"))
            cpp_kl, cpp_top = divergence(np.array([r["prompt_logits"] for r in got_base]), cpp_rows)
        nll = math.log(ppl)
        bits = 8.0 * os.path.getsize(self.gguf(wtype)) / self.meta["params"]
        tol = PPL_TOL[wtype]
        problems = []
        if not abs(nll - cpp_nll) <= tol:
            problems.append("log PPL differs from llama.cpp's by %.3g > %g" % (abs(nll - cpp_nll), tol))
        extra = ""
        if wtype == "f32":
            self.table[wtype] = (bits, ppl, math.exp(cpp_nll), 0.0, 0.0, 100.0, 100.0)
        else:
            self.table[wtype] = (bits, ppl, math.exp(cpp_nll), kl, cpp_kl, top, cpp_top)
            kl_tol = KL_RTOL * cpp_kl + KL_ATOL
            if not abs(kl - cpp_kl) <= kl_tol:
                problems.append("KL divergence from F32 %.3g, llama.cpp's %.3g: apart by more than %.2g" % (
                    kl, cpp_kl, kl_tol))
            extra = "; KL divergence from F32 %.5f, llama.cpp %.5f (tol %.2g); same top token %.1f%%, llama.cpp %.1f%%" % (
                kl, cpp_kl, kl_tol, top, cpp_top)
        if wtype == "f32":
            torch_nll = math.log(self.meta["torch_perplexity"])
            if not abs(nll - torch_nll) <= tol:
                problems.append("log PPL differs from PyTorch's by %.3g > %g" % (abs(nll - torch_nll), tol))
            if not ppl < self.meta["unigram_perplexity"]:
                problems.append("PPL %.3f not below the unigram model's %.3f" % (ppl, self.meta["unigram_perplexity"]))
            extra += "; PyTorch %.4f, unigram %.2f" % (self.meta["torch_perplexity"], self.meta["unigram_perplexity"])

        tokens, rows = greedy(self.edgec, pkg, self.prompt, self.work)
        greedy_problems, same, diff, tie = judge_greedy(wtype, tokens, rows, got_greedy["tokens"],
                                                        np.array(got_greedy["logits"], np.float64))
        problems += ["greedy: " + p for p in greedy_problems]
        detail = ("PPL %.4f, llama.cpp %.4f (|log diff| %.2g, tol %g)%s; greedy: %d/%d tokens equal to llama.cpp's%s, "
                  "max|logit diff| %.2g (tol %g)" % (ppl, math.exp(cpp_nll), abs(nll - cpp_nll), tol, extra, same, N_GEN,
                                                     tie, diff, TOL_CPP[wtype]))
        return not problems, ("; ".join(problems) + " | " if problems else "") + detail

    def check_int8_cache(self, wtype):
        f16 = edgec_perplexity(self.edgec, self.package(wtype), self.text)
        int8 = edgec_perplexity(self.edgec, self.package(wtype, ["--kv-cache", "int8"], ".kv-int8"), self.text)
        d = abs(math.log(int8) - math.log(f16))
        ok = d <= INT8_PPL_TOL
        detail = "PPL with the int8 cache %.4f, with f16 %.4f (%+.2f%%; |log diff| %.2g, tol %g)" % (
            int8, f16, 100 * (int8 / f16 - 1), d, INT8_PPL_TOL)
        return ok, ("int8 cache moves log PPL by more than %g | " % INT8_PPL_TOL if not ok else "") + detail

    def print_table(self):
        if "f32" not in self.table:
            return
        base_e, base_c = self.table["f32"][1], self.table["f32"][2]
        print("\n%s:" % self.arch)
        print("| type | bits/weight | PPL edgec / llama.cpp | vs F32 edgec / llama.cpp | KL divergence from F32 "
              "edgec / llama.cpp | same top token edgec / llama.cpp |")
        print("|---|---|---|---|---|---|")
        for t in TYPES:
            if t in self.table:
                bits, e, c, kl, cpp_kl, top, cpp_top = self.table[t]
                print("| %s | %.2f | %.4f / %.4f | %+.2f%% / %+.2f%% | %.5f / %.5f | %.1f%% / %.1f%% |" % (
                    t.upper(), bits, e, c, 100 * (e / base_e - 1), 100 * (c / base_c - 1), kl, cpp_kl, top, cpp_top))
        print()


def main():
    args, names, build, peers = llama_cpp.harness_setup(
        __doc__, CASES, ENABLED_CASES, "the GGUF files and packages",
        lambda p: p.add_argument("--cache", help="model cache (default BUILD/test/llm-models)"))
    edgec = os.path.join(build, "bin", "edgec")
    archs = [a for a in trained.ARCHS if any(n.startswith(a + "/") for n in names)]
    model_dirs = {}
    for arch in archs:
        model_dirs[arch] = trained.ensure(args.cache or os.path.join(build, "test", "llm-models"), arch)
        with open(os.path.join(model_dirs[arch], "meta.json")) as f:
            meta = json.load(f)
        print("%s model %s: trained %d parameters in %.1f s (PyTorch %s); held-out PPL by PyTorch %.4f, unigram %.2f" % (
            arch, model_dirs[arch], meta["params"], meta["train_seconds"], meta["torch_version"],
            meta["torch_perplexity"], meta["unigram_perplexity"]), flush=True)

    work = tempfile.mkdtemp(prefix="llm-trained-", dir=build)
    tally = harness.Tally(18)
    try:
        runs, jobs, slots = {}, [], {}
        for arch in archs:
            run = runs[arch] = Run(arch, edgec, peers, model_dirs[arch], work)
            # One Node process for every type: CHUNKS perplexity chunks and a greedy run
            # each; F32's chunks are the other types' base.
            types = [n.split("/")[1] for n in names if n.startswith(arch + "/") and n.split("/")[1] in TYPES
                     and n.count("/") == 1]
            for t in (["f32"] if types and "f32" not in types else []) + types:
                slots[arch, t] = len(jobs)
                jobs += [dict(model=run.gguf(t), prompt=c, n=1, threads=1, kv_type="F16", prompt_logits=True)
                         for c in run.chunks]
                jobs.append(dict(model=run.gguf(t), prompt=run.prompt, n=N_GEN, threads=1, kv_type="F16"))
        results = llama_cpp.run_jobs_or_fail(jobs, peers)

        def llama_cpp_of(arch, t):  # (the chunks' results, the greedy run's)
            i = slots[arch, t]
            return results[i:i + CHUNKS], results[i + CHUNKS]

        for case in names:
            arch, what = case.split("/", 1)
            run = runs[arch]
            try:
                if what == "tokens":
                    ok, detail = run.check_tokens()
                elif what.endswith("/kv-int8"):
                    ok, detail = run.check_int8_cache(what.split("/")[0])
                else:
                    ok, detail = run.check_type(what, *llama_cpp_of(arch, what), llama_cpp_of(arch, "f32")[0])
            except (EdgecFailed, OSError, ValueError) as e:
                ok, detail = False, "%s: %s" % (type(e).__name__, str(e).strip()[-500:])
            tally.add(case, ok, detail)
        for run in runs.values():
            run.print_table()
    finally:
        harness.release_work(work, args.keep or tally.failed)
    return tally.finish(args.results_json)


if __name__ == "__main__":
    sys.exit(main())
