#!/usr/bin/python3
"""edgec generates what llama.cpp generates: GGUF models compiled and run the user's way
(`edgec compile model.gguf`, then `edgec generate --tokens ... --ids --dump-logits`), against
llama.cpp (node-llama-cpp 3.22.1, llama_cpp.py) and the numpy reference (llm_reference.py),
whose agreement with each other llm_references_agree.py checks.

One case per architecture (llama with its own output head, qwen2 with QKV biases and a tied
head) and weight type (every matrix and the embedding in F32 F16 BF16 Q8_0 Q4_0 Q4_1 Q5_0
Q5_1 Q2_K Q3_K Q4_K Q5_K Q6_K IQ4_NL IQ4_XS, or llama.cpp's Q4_K_M mix: Q6_K head, layer 1's
attn_v and ffn_down, Q4_K elsewhere), llm_references_agree's mix cases (llama.cpp's Q3_K_M,
Q2_K, IQ4_XS and IQ4_NL files in llama, qwen2 and phi3: MIX_CASES), its qwen3 cases
(per-head q/k norms, heads of 128 over n_embd 256), gemma3 cases (its sliding-window local
layers crossed by the prompt itself),
gemma2 cases (soft-capped scores and logits, every other layer local; and with an int8
KV cache), phi3 cases (fused q/k/v and gate/up; LongRoPE's long and short factors), three
mixtures of experts (MOE_CASES: mixtral/q8_0, qwen3moe/f32, qwen3moe/q4_k_m)
and its two with RoPE scaling (rope-llama3: Llama 3.1's
rope_freqs.weight; rope-linear): a prompt of BOS + 7 fixed ids, a greedy continuation of N_GEN tokens,
edgec on 2 threads with its default f16 KV cache, llama.cpp on 1 thread with its default F16
cache. A case passes when:
  1. the continuation equals llama.cpp's token for token on F32, F16 and Q8_0 (EXACT_TOKENS)
     up to a step where llama.cpp's logit of its own choice exceeds its logit of edgec's by
     less than the two engines' logits differ on that run (the max over the rows fed the same
     tokens, itself held to TOL_CPP below): a near-tie that only llama.cpp's own roundings
     decide (Q8_0's 8-bit activations turn a last-bit difference upstream into ~0.1 of a
     logit); on the other types up to a tie (that gap at most 2 x TOL_CPP); the runs are
     not compared past it;
  2. every logit edgec chose a token from (the prompt's last position and each decode step
     fed the same tokens) is within TOL_CPP of llama.cpp's and of the numpy reference with
     llama.cpp's roundings (llm_reference.Model(emulate_ggml=True));
  3. the prompt's last-position logits are within TOL_EXACT of the exact numpy reference
     (float64, the stored weights dequantized, no activation rounding).
edgec rounds as llama.cpp does where the formats define it (activations to each weight
type's vec_dot type, the f16 KV cache, queries to f16 before they meet an f16 cache) and
keeps f32 elsewhere (softmax weights, which llama.cpp rounds to f16 before the f16 values),
so the tolerances are those llm_references_agree.py measured between the two references,
which bound the same effects, except F16's (TOL_CPP).
Four more cases compile with --kv-cache int8 (llama/f32/kv-int8, qwen2/q8_0/kv-int8,
qwen3/q8_0/kv-int8, gemma3/q8_0/kv-int8), which llama.cpp has no equal of: their tokens must
equal the exact reference's up to a tie and their logits stay within TOL_EXACT +
INT8_CACHE_EXTRA of it. Four run `edgec perplexity` (llama/f32/perplexity,
qwen2/q4_k/perplexity, and qwen2/q8_0/perplexity and llama/q4_0/perplexity, whose calls of
64 and 16 rows take the AMX prefill GEMM on a CPU with AMX) on chunks of the model's own sampled continuation, on the default
package (the scored half decoded) and on one compiled with --score-chunk (every row's logits
a call): each log PPL within PPL_TOL of the one llama.cpp's logits of the same chunks give
(as llama-perplexity scores them) and of the exact reference's.
Mixtures of experts (MOE_CASES: mixtral/q8_0, qwen3moe/f32, qwen3moe/q4_k_m, of
llm_references_agree's MOE_CASES) are judged as above, except where an engine chose another
expert at a near tie of the router (a position whose last chosen expert's router logit
exceeds the next one's by less than the roundings move them: its logits then move by 1-4,
later ones by ~0.5): the case still passes if edgec's logits and tokens agree with the
emulated reference (within TOL_CPP) and llama.cpp's with it (within TOL_EMULATED), each once
the reference takes the next expert at some of its near ties, fed that engine's tokens
(llm_references_agree.explain_by_expert_ties, rule 4 there; the detail names the swaps), and
the last prompt position likewise against the exact reference.
Two more (gemma3/f32/ring, gemma3/q8_0/ring) compile with --prefill-chunk 8, which makes the
local layers' caches mirrored rings of window + 2 x 8 - 1 = 21 rows instead of the context's
256 (KVCacheRingWrite, KVCacheAttention's `ring`; `edgec inspect` must say so), and feed a
RING_PROMPT-token prompt (three prefill calls, the last padded) and RING_GEN greedy tokens,
past three times round the ring: tokens and logits judged against llama.cpp's as 1. above.
Prints one line per case and "N passed, N failed" last.

  test/e2e/llm_generate.py --build-dir build [--cases llama/q4_k,qwen2/f16] [--keep]
"""
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
from llm_references_agree import (EXACT_TOKENS, GEMMA2_CASES, GEMMA3_CASES, GRANITE_CASES, MIX_CASES, N_GEN, PHI3_CASES,  # noqa: E402
                                  QWEN3_CASES, ROPE_CASES, ROT_CASES, TOL_EMULATED, TOL_EXACT, compare_tokens,
                                  describe_swaps, explain_by_expert_ties, model_for, prompt_for)

ARCHS = ["llama", "qwen2"]
# Mixtures of experts, three of llm_references_agree's MOE_CASES: Mixtral's llama with 8
# experts (2 run) in Q8_0 (8-bit activations, token for token); qwen3moe (6 experts, 3 run)
# in F32 (every logit within 0.01) and in llama.cpp's Q4_K_M mix (Q4_K experts, Q6_K
# ffn_down_exps in layer 1, Q8_K activations).
MOE_CASES = ["mixtral/q8_0", "qwen3moe/f32", "qwen3moe/q4_k_m"]
# ARCH/TYPE, ARCH/TYPE/rope-*, and ARCH/TYPE/kv-int8: compiled with --kv-cache int8 (llama.cpp
# has no cache of that form: checked against the exact numpy reference only, see
# check_int8_cache); ARCH/TYPE/perplexity: `edgec perplexity` (check_perplexity).
CASES = ["%s/%s" % (a, t) for a in ARCHS for t in gguf_models.WEIGHT_TYPES + ["q4_k_m"]] + MIX_CASES + ROPE_CASES + [
    "llama/f32/kv-int8", "qwen2/q8_0/kv-int8", "llama/f32/perplexity", "qwen2/q4_k/perplexity",
    "qwen2/q8_0/perplexity", "llama/q4_0/perplexity"] + QWEN3_CASES + [
    "qwen3/q8_0/kv-int8"] + GEMMA3_CASES + ["gemma3/q8_0/kv-int8", "gemma3/f32/ring", "gemma3/q8_0/ring"] + GEMMA2_CASES + [
    "gemma2/q8_0/kv-int8"] + PHI3_CASES + ROT_CASES + GRANITE_CASES + MOE_CASES
# Max |edgec with an int8 cache - exact reference| over the rows fed the same tokens: the
# weight type's own difference (TOL_EXACT) plus that of the symmetric 8-bit keys and values
# (one scale per position and head, error <= scale / 2) and of the query, quantized so
# against them, which move the logits by about 1% of their size (measured 0.13 on F32
# weights, 0.24 on Q8_0 with its 8-bit activations; 0.11 and 0.25 before the query was).
INT8_CACHE_EXTRA = 0.15
ENABLED_CASES = CASES
# edgec against llama.cpp (and the emulated reference): the effects that separate the two
# references, plus one of edgec's own: it keeps attention's softmax weights in f32 where
# llama.cpp rounds them to f16 before multiplying the f16 values (measured up to 0.013 on
# F16, where nothing else differs), so F16 is allowed 0.02, and F32 0.01 (measured 0.0043;
# the references' 0.005 leaves no room for a vectorized exp's last-ulp differences).
TOL_CPP = dict(TOL_EMULATED, f32=0.01, f16=0.02)


# `edgec perplexity` (ARCH/TYPE/perplexity): PPL_CHUNKS chunks of PPL_CTX tokens scored as
# llama-perplexity scores them, against the same score computed from llama.cpp's logits of
# each whole chunk (one batch, as llama-perplexity runs it) and from the exact numpy
# reference's; compared as the mean negative log-likelihood of a scored token (log PPL).
# The tokens are the model's own continuation, sampled (BOS, then PPL_TOKENS at
# temperature 1), so that the model predicts them: a random text leaves every token about
# as unlikely as any other, and a token scored at the wrong position or a chunk without
# its BOS then hardly shows (0.015 and 0.03 on llama/f32). On these tokens (exact
# reference, llama/f32 and qwen2/q4_k) scoring the token at the position itself moves log
# PPL by 6.5 and 1.4, a cache kept from the chunk before by 1.1 and 4.3, a chunk without
# its BOS (llama) by 0.076; edgec's differences from llama.cpp measured 1e-4 and 0.0056.
PPL_CTX, PPL_CHUNKS, PPL_TOKENS, PPL_SCORE_CHUNK = 64, 3, 200, 16
PPL_TOL = dict(f32=0.005, q4_k=0.05, q8_0=0.05, q4_0=0.05)


class EdgecFailed(Exception):
    pass


# ARCH/TYPE/ring (gemma3): its prefill chunk, prompt length and tokens generated (above).
RING_PREFILL_CHUNK, RING_PROMPT, RING_GEN = 8, 19, 48


def ring_prompt(desc):
    """prompt_for's 8 tokens and more ordinary ones, RING_PROMPT in all."""
    rng = np.random.default_rng(4321)
    more = RING_PROMPT - len(prompt_for(desc))
    return prompt_for(desc) + [int(t) for t in rng.integers(259, 379, more)]


def check_perplexity(desc, path, edgec, peers):
    """edgec perplexity's log PPL against llama.cpp's and the exact reference's on the same tokens."""
    pkg = path[:-len(".gguf")] + ".edgepkg"
    proc, _, _ = harness.compile_package(edgec, path, [], pkg)
    if proc.returncode != 0:
        raise EdgecFailed("compile: " + harness.edgec_message(proc.stdout))
    proc = subprocess.run([edgec, "generate", pkg, "--tokens", str(desc["bos"]), "-n", str(PPL_TOKENS), "--temp", "1",
                           "--seed", "1", "--ignore-eos", "--ids", "-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)
    if proc.returncode != 0:
        raise EdgecFailed("generate: " + harness.edgec_message(proc.stderr))
    ids = [desc["bos"]] + [int(t) for t in proc.stdout.strip().split(",")]
    # Both ways edgec scores: decoding the scored half a token at a time, and a package
    # with a score function (--score-chunk) returning every row's logits a call.
    scored = path[:-len(".gguf")] + ".score.edgepkg"
    proc, _, _ = harness.compile_package(edgec, path, ["--score-chunk", str(PPL_SCORE_CHUNK)], scored)
    if proc.returncode != 0:
        raise EdgecFailed("compile --score-chunk: " + harness.edgec_message(proc.stdout))
    edgec_nlls = []
    for package in (pkg, scored):
        proc = harness.run_captured([edgec, "perplexity", package, "--tokens", ",".join(map(str, ids)), "-c",
                                     str(PPL_CTX), "--chunks", str(PPL_CHUNKS), "--threads", "2"])
        found = re.search(r"Final estimate: PPL = ([0-9.]+)", proc.stdout)
        if proc.returncode != 0 or not found:
            raise EdgecFailed("perplexity: " + harness.edgec_message(proc.stdout))
        edgec_nlls.append(math.log(float(found.group(1))))
    # Each chunk's first token is BOS when the vocabulary adds one (llama), as llama-perplexity does.
    chunks = [ids[c * PPL_CTX:(c + 1) * PPL_CTX] for c in range(PPL_CHUNKS)]
    if desc["arch"] == "llama":
        chunks = [[desc["bos"]] + c[1:] for c in chunks]
    results = llama_cpp.run_jobs([dict(model=path, prompt=c, n=1, threads=1, kv_type="F16", prompt_logits=True)
                                  for c in chunks], peers)
    cpp, ref = np.zeros(2), np.zeros(2)
    exact = llm_reference.Model(path)
    for chunk, got in zip(chunks, results):
        if not got["ok"]:
            return False, "llama.cpp failed: %s" % got["error"].splitlines()[0]
        cpp += llm_reference.perplexity_nll([got["prompt_logits"]], [chunk])
        exact.reset()
        ref += llm_reference.perplexity_nll([exact.prefill(chunk)], [chunk])
    cpp_nll, ref_nll = cpp[0] / cpp[1], ref[0] / ref[1]
    tol = PPL_TOL[desc["wtype"]]
    problems = ["%s log PPL differs from %s's by %.3g > %g" % (how, who, abs(edgec_nll - nll), tol)
                for how, edgec_nll in zip(("decoded", "scored"), edgec_nlls)
                for who, nll in (("llama.cpp", cpp_nll), ("the exact reference", ref_nll)) if not abs(edgec_nll - nll) <= tol]
    detail = ("perplexity over %d chunks of %d (%d tokens scored): edgec decoded %.4f, with score calls of %d %.4f; "
              "llama.cpp %.4f, exact reference %.4f; |log PPL diff| decoded %.2g, %.2g, scored %.2g, %.2g (tol %g)" % (
                  PPL_CHUNKS, PPL_CTX, int(cpp[1]), math.exp(edgec_nlls[0]), PPL_SCORE_CHUNK, math.exp(edgec_nlls[1]),
                  math.exp(cpp_nll), math.exp(ref_nll), abs(edgec_nlls[0] - cpp_nll), abs(edgec_nlls[0] - ref_nll),
                  abs(edgec_nlls[1] - cpp_nll), abs(edgec_nlls[1] - ref_nll), tol))
    return not problems, ("; ".join(problems) + " | " if problems else "") + detail


def run_edgec(edgec, path, prompt, flags=(), tag="", n=N_GEN):
    """compile + generate -> (tokens, logits [n, vocab], compile seconds, generate's statistics)."""
    pkg = path[:-len(".gguf")] + tag + ".edgepkg"
    logits = path[:-len(".gguf")] + tag + ".logits.npy"
    proc, compile_s, _ = harness.compile_package(edgec, path, list(flags), pkg)
    if proc.returncode != 0:
        raise EdgecFailed("compile: " + harness.edgec_message(proc.stdout))
    proc = subprocess.run([edgec, "generate", pkg, "--tokens", ",".join(map(str, prompt)), "-n", str(n), "--ids",
                           "--ignore-eos", "--threads", "2", "--dump-logits", logits], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)
    if proc.returncode != 0:
        raise EdgecFailed("generate: " + harness.edgec_message(proc.stderr))
    tokens = [int(t) for t in proc.stdout.strip().split(",")]
    return tokens, np.load(logits).astype(np.float64), compile_s, proc.stderr.strip().splitlines()[0]


def check_int8_cache(desc, path, edgec):
    """--kv-cache int8: greedy tokens equal to the exact reference's up to a tie, logits
    within TOL_EXACT + INT8_CACHE_EXTRA of it on every row fed the same tokens."""
    prompt = prompt_for(desc)
    tol = TOL_EXACT[desc["wtype"]] + INT8_CACHE_EXTRA
    tokens, rows, compile_s, stats = run_edgec(edgec, path, prompt, ["--kv-cache", "int8"], ".kv-int8")
    ref_tokens, ref_rows = llm_reference.Model(path).generate(prompt, N_GEN)
    same, why = compare_tokens(tokens, ref_tokens, ref_rows, tol)
    n = min(same + 1, N_GEN)
    diff = np.abs(rows[:n] - ref_rows[:n]).max()
    problems = []
    if why == "mismatch":
        problems.append("token %d differs from the exact reference's (%d vs %d)" % (same, tokens[same], ref_tokens[same]))
    if not diff <= tol:
        problems.append("logits differ from the exact reference by %.3g > %g" % (diff, tol))
    detail = "int8 KV cache: tokens equal to the exact reference's: %d/%d%s; max|logit diff| %.2g (tol %g); %s" % (
        same, N_GEN, " (then a tie)" if why == "tie" else "", diff, tol, stats)
    return not problems, ("; ".join(problems) + " | " if problems else "") + detail


def check_ring(desc, path, got, edgec):
    """gemma3's local layers in rings (see the module docstring) against llama.cpp."""
    if not got["ok"]:
        return False, "llama.cpp failed: %s" % got["error"].splitlines()[0]
    tokens, rows, _, stats = run_edgec(edgec, path, ring_prompt(desc), ["--prefill-chunk", str(RING_PREFILL_CHUNK)],
                                       ".ring", RING_GEN)
    pkg = path[:-len(".gguf")] + ".ring.edgepkg"
    inspect = subprocess.run([edgec, "inspect", pkg], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
    ring = re.search(r"local layers' caches: rings of (\d+) rows", inspect)
    if not ring:
        return False, "the package's local layers are not in rings (edgec inspect says no ring)"
    cpp_tokens, cpp_rows = got["tokens"], np.array(got["logits"], np.float64)
    if len(tokens) != RING_GEN or rows.shape != cpp_rows.shape:
        return False, "edgec gave %d tokens and logits %s, llama.cpp %d and %s" % (
            len(tokens), rows.shape, len(cpp_tokens), cpp_rows.shape)
    problems, same, diff, tie = judge_greedy(desc["wtype"], tokens, rows, cpp_tokens, cpp_rows)
    detail = ("rings of %s rows (window %d), %d prompt tokens + %d: tokens equal to llama.cpp's: %d/%d%s; "
              "max|logit diff| %.2g (tol %g); %s" % (ring.group(1), desc["window"], RING_PROMPT, RING_GEN, same,
                                                     RING_GEN, tie, diff, TOL_CPP[desc["wtype"]], stats))
    return not problems, ("; ".join(problems) + " | " if problems else "") + detail


def judge_greedy(wtype, tokens, rows, cpp_tokens, cpp_rows):
    """edgec's greedy tokens and the logits they came from against llama.cpp's, as 1. and 2.
    of the module docstring judge them -> (problems, length of the equal prefix, max |logit
    difference| over the rows fed the same tokens, a note on the tie that ended it)."""
    problems = []
    same, why = compare_tokens(tokens, cpp_tokens, cpp_rows, TOL_CPP[wtype])
    n = min(same + 1, len(tokens))  # rows fed the same tokens
    diff = np.abs(rows[:n] - cpp_rows[:n]).max()
    tie = ""
    if why:
        gap = cpp_rows[same][cpp_tokens[same]] - cpp_rows[same][tokens[same]]
        tie = " (then a tie: llama.cpp's choice ahead by %.2g)" % gap
        if why == "mismatch" or (wtype in EXACT_TOKENS and not gap < diff):
            problems.append("token %d differs from llama.cpp's (%d vs %d, llama.cpp's ahead by %.3g)" %
                            (same, tokens[same], cpp_tokens[same], gap))
    if not diff <= TOL_CPP[wtype]:
        problems.append("logits differ from llama.cpp's by %.3g > %g" % (diff, TOL_CPP[wtype]))
    return problems, same, diff, tie


def check(desc, path, got, edgec):
    if not got["ok"]:
        return False, "llama.cpp failed: %s" % got["error"].splitlines()[0]
    wtype = desc["wtype"]
    prompt = prompt_for(desc)
    tokens, rows, compile_s, stats = run_edgec(edgec, path, prompt)
    cpp_tokens, cpp_rows = got["tokens"], np.array(got["logits"], np.float64)
    if len(tokens) != N_GEN or rows.shape != cpp_rows.shape:
        return False, "edgec gave %d tokens and logits %s, llama.cpp %d and %s" % (
            len(tokens), rows.shape, len(cpp_tokens), cpp_rows.shape)
    problems, same, cpp_diff, tie = judge_greedy(wtype, tokens, rows, cpp_tokens, cpp_rows)

    emu = llm_reference.Model(path, emulate_ggml=True)
    emu_tokens, emu_rows = emu.generate(prompt, N_GEN)
    same_emu, _ = compare_tokens(tokens, emu_tokens, emu_rows, TOL_EMULATED[wtype])
    m = min(same_emu + 1, N_GEN)
    emu_diff = np.abs(rows[:m] - emu_rows[:m]).max()
    if not emu_diff <= TOL_CPP[wtype]:
        problems.append("logits differ from the emulated reference by %.3g > %g" % (emu_diff, TOL_CPP[wtype]))
    notes = []
    if problems and emu.n_expert:  # experts chosen otherwise at near ties? (see the module docstring)
        token_tol = TOL_CPP[wtype] if wtype in EXACT_TOKENS else None
        mine = explain_by_expert_ties(path, True, prompt, tokens, rows, TOL_CPP[wtype], token_tol=token_tol)
        theirs = explain_by_expert_ties(path, True, prompt, cpp_tokens, cpp_rows, TOL_EMULATED[wtype],
                                        token_tol=TOL_EMULATED[wtype] if wtype in EXACT_TOKENS else None)
        if mine and theirs:
            problems = []
            notes.append("edgec and llama.cpp chose experts otherwise at near ties of the emulated reference's router: "
                         "edgec agrees with it (every row within %.2g) taking %s, llama.cpp (within %.2g) taking %s" % (
                             mine[1], describe_swaps(mine[0]) or "none", theirs[1],
                             describe_swaps(theirs[0]) or "none"))
    exact = llm_reference.Model(path).prefill(prompt)[-1]
    exact_diff = np.abs(rows[0] - exact).max()
    if not exact_diff <= TOL_EXACT[wtype]:
        explained = emu.n_expert and explain_by_expert_ties(path, False, prompt, tokens[:1], rows[:1], TOL_EXACT[wtype])
        if explained:
            notes.append("edgec chose experts otherwise at near ties of the exact reference's router (%s): "
                         "last position within %.2g" % (describe_swaps(explained[0]), explained[1]))
        else:
            problems.append("last-position logits differ from the exact reference by %.3g > %g" %
                            (exact_diff, TOL_EXACT[wtype]))
    detail = ("tokens equal to llama.cpp's: %d/%d%s; max|logit diff| llama.cpp %.2g (tol %g), emulated %.2g "
              "(tol %g), exact last position %.2g (tol %g); compile %.2f s; %s" % (
                  same, N_GEN, tie, cpp_diff, TOL_CPP[wtype], emu_diff,
                  TOL_CPP[wtype], exact_diff, TOL_EXACT[wtype], compile_s, stats))
    detail += "".join("; " + note for note in notes)
    return not problems, ("; ".join(problems) + " | " if problems else "") + detail


def main():
    args, names, build, peers = llama_cpp.harness_setup(__doc__, CASES, ENABLED_CASES, "the GGUF models and packages")
    edgec = os.path.join(build, "bin", "edgec")
    work = tempfile.mkdtemp(prefix="llm-generate-", dir=build)
    tally = harness.Tally(12)
    try:
        models, jobs = [], []
        for case in names:
            path = os.path.join(work, case.replace("/", "-") + ".gguf")
            desc = model_for(case, path)
            models.append((case, desc, path))
            if case.endswith("/ring"):
                jobs.append(dict(model=path, prompt=ring_prompt(desc), n=RING_GEN, threads=1, kv_type="F16"))
            elif not case.endswith(("/kv-int8", "/perplexity")):
                jobs.append(dict(model=path, prompt=prompt_for(desc), n=N_GEN, threads=1, kv_type="F16"))
        results = iter(llama_cpp.run_jobs_or_fail(jobs, peers))
        for case, desc, path in models:
            try:
                if case.endswith("/kv-int8"):
                    ok, detail = check_int8_cache(desc, path, edgec)
                elif case.endswith("/perplexity"):
                    ok, detail = check_perplexity(desc, path, edgec, peers)
                elif case.endswith("/ring"):
                    ok, detail = check_ring(desc, path, next(results), edgec)
                else:
                    ok, detail = check(desc, path, next(results), edgec)
            except (EdgecFailed, OSError, ValueError) as e:
                ok, detail = False, "%s: %s" % (type(e).__name__, str(e).strip()[-500:])
            tally.add(case, ok, detail)
    finally:
        harness.release_work(work, args.keep or tally.failed)
    return tally.finish(args.results_json)


if __name__ == "__main__":
    sys.exit(main())
