#!/usr/bin/python3
"""The two outside references of LLM generation agree with each other: llama.cpp
(node-llama-cpp 3.22.1, llama_cpp.py) and the numpy implementation (llm_reference.py), on the
random-weight GGUF models of gguf_models.py, before edgec is compared with either.

One case per architecture (llama, qwen2) and weight type (F32 F16 BF16 Q8_0 Q4_0 Q4_1 Q5_0
Q5_1 Q2_K Q3_K Q4_K Q5_K Q6_K IQ4_NL IQ4_XS for every matrix, the embedding included), qwen3
(per-head q/k norms, heads wider than n_embd / n_head) and gemma3 (a scaled embedding,
post-attention and post-FFN norms, a GELU-gated FFN, five local layers of six with a sliding
window of 6 positions and their own RoPE base, so that the 8-token prompt already crosses
it) in F32 F16 Q8_0 Q4_K
gemma2 (gemma3 without q/k norms, every other layer local, its soft caps of the scores and
of the logits: 1.5 and 5.0 here, so that they bend these; GEMMA2_CASES) likewise, phi3
(q/k/v and the FFN's gate/up each one fused matrix; PHI3_CASES, also with LongRoPE's long
factors and attn_factor, with its short factors, and with Phi-3-mini's heads of 96),
Phi-4-mini's partial rotary embedding (RoPE on the first 48 values of each head; ROT_CASES:
phi3 in four types and with LongRoPE, and gemma3), granite (llama's graph with Granite 3.x's
embedding, residual, attention and logit multipliers; GRANITE_CASES), llama.cpp's Q3_K_M, Q2_K,
IQ4_XS and IQ4_NL mixes (gguf_models.MIXES: q3_k_m, q2_k_m, iq4_xs_mix, iq4_nl_mix) in llama,
qwen2 and phi3 (MIX_CASES), and the IQ4_XS mix where its rules and llama.cpp's fallback type
matrices otherwise (MIX_SHAPE_CASES: gemma3's attn_v in Q5_K, 4 query heads a KV head; phi3
at n_embd 384, its 384-wide matrices in IQ4_NL, ffn_down in IQ4_XS, the head in Q8_0)
(QWEN3_CASES, GEMMA3_CASES: the architectures' graphs, whose weight types are those of the
others), two with RoPE scaling
(llama/f32/rope-llama3: Llama 3.1's rope_freqs.weight; qwen2/f32/rope-linear), and mixtures
of experts (MOE_CASES: mixtral, llama's graph with 8 experts of which each position runs 2,
and qwen3moe, qwen3's with 6 experts, 3 run; in F32 F16 Q8_0 and Q4_1 or Q4_K and llama.cpp's
Q4_K_M mix): a prompt of BOS + 7 fixed ids,
a greedy continuation of N_GEN tokens; llama.cpp on 1 thread with its default F16 KV cache.
A case passes when all of these hold:
  1. emulated reference (llm_reference.Model(emulate_ggml=True): float64 sums, but
     llama.cpp's roundings: activations converted to each weight type's vec_dot_type, fp16
     KV cache, fp16 Q and softmax weights in attention) against llama.cpp: on F32, F16 and
     Q8_0 (EXACT_TOKENS) the same N_GEN tokens, up to a near-tie (llama.cpp's logit of its
     choice ahead of that of the reference's by less than the two's logits differ on that
     run: gemma3/f16's 0.0011 at its 16th token); on the other types the same tokens up to a
     tie (a step where llama.cpp's logit of its choice exceeds that of the reference's by
     at most 2 x TOL_EMULATED; the continuations are not compared past it); every logit of
     every prompt position and of the decode steps fed the same tokens within TOL_EMULATED.
     What is left is float32 arithmetic in another order (~1e-6 on logits of ~10; most rows
     of the quantized types agree within 1e-4, the detail counts them) and, now and then,
     an activation within float32 noise (~1e-6 relative) of a rounding boundary of the
     8-bit activation quantization that lands one code apart: that moves later logits by
     up to ~0.3 (measured 0.32 at most), which TOL_EMULATED of 0.5 admits; a wrong block
     layout or scale gives errors of the order of the logits themselves (~3-10).
  2. exact reference (emulate_ggml=False: the stored weights dequantized, everything else
     float64): on F32 and F16 the same N_GEN tokens, on the others the same up to a tie
     (2 x TOL_EXACT); the logits of the prompt's last position within TOL_EXACT of
     llama.cpp's. This difference is llama.cpp's own rounding, which grows with the type:
     for F32 weights only the fp16 KV cache (measured <= 0.009), fp16 activations for F16
     (<= 0.01), bf16 for BF16 (8 bits of mantissa: <= 0.07), 8-bit activations (Q8_0 blocks
     of 32, Q8_1 for Q4_1/Q5_1, Q8_K blocks of 256 for the K-quants) for every quantized type
     (<= 0.32). Q8_0 is held to the token-for-token rule through the emulated reference:
     against the exact one its first near tie (a gap of a few hundredths) comes within a few
     tokens.
  3. the continuation is not degenerate: at least MIN_DISTINCT different tokens.
  4. mixtures of experts: where the reference's router chose its last expert over the next
     by a margin (router logits) within what the roundings move them by (EXPERT_TIE), the
     other computation may choose the other expert, which moves that position's logits by
     1-4 (and, from a layer before the last, later positions' by ~0.5 through the KV cache):
     measured in 8 of 168 cases of random models (seeds 0-3, every weight type and mix)
     against the emulated reference (at margins of 0.0011-0.019), in 13 against the exact
     one (0.0017-0.022); none in MOE_CASES. Where 1. or 2. fails on such a model, the
     case still passes if the reference agrees with llama.cpp (every row of 1. within
     TOL_EMULATED and each of llama.cpp's tokens its argmax or a tie; the last prompt
     position and the tokens of 2.) once it takes the next expert at some of its near ties,
     fed llama.cpp's tokens (explain_by_expert_ties; the detail names them). A wrong
     routing, weighting or expert matrix differs at every position, which no such swap
     mends.
Prints one line per case (tokens, the max differences and their bounds) and "N passed, N
failed" last. About 35 s on 2 cores (4 s of it the MOE_CASES).

  test/e2e/llm_references_agree.py --build-dir build [--cases llama/q4_k,qwen2/f16] [--keep]
"""
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gguf_models  # noqa: E402
import harness  # noqa: E402
import llama_cpp  # noqa: E402
import llm_reference  # noqa: E402

ARCHS = ["llama", "qwen2"]
TYPES = gguf_models.WEIGHT_TYPES
# ARCH/TYPE, and ARCH/TYPE/rope-SCALING: the model with gguf_models' RoPE scaling (llama3:
# rope_freqs.weight; linear: rope.scaling.* metadata), which changes the angles at every
# position the continuation runs (the last prompt position's logits move by 2.3 and 4.6).
ROPE_CASES = ["llama/f32/rope-llama3", "qwen2/f32/rope-linear"]
QWEN3_CASES = ["qwen3/%s" % t for t in ("f32", "f16", "q8_0", "q4_k")]
GEMMA3_CASES = ["gemma3/%s" % t for t in ("f32", "f16", "q8_0", "q4_k")]
# gemma2: its soft caps (of the scores and of the logits) and every other layer local.
GEMMA2_CASES = ["gemma2/%s" % t for t in ("f32", "f16", "q8_0", "q4_k")]
# phi3: its fused q/k/v and gate/up matrices; with LongRoPE's long factors (and attn_factor)
# and with its short ones.
PHI3_CASES = ["phi3/%s" % t for t in ("f32", "f16", "q8_0", "q4_k")] + [
    "phi3/f32/rope-longrope", "phi3/q8_0/rope-longrope", "phi3/f32/rope-longrope-short", "phi3/q8_0/heads96"]
# Phi-4-mini's: a partial rotary embedding (with LongRoPE, as its files have it) and a tied
# head; and gemma3 with a partial rotation (llama.cpp takes one in phi3, gemma2 and gemma3),
# its local layers' RoPE tables too.
ROT_CASES = ["phi3/%s/rot48" % t for t in ("f32", "f16", "q8_0", "q4_k")] + [
    "phi3/q8_0/rot48/rope-longrope", "gemma3/q8_0/rot48"]
# granite: llama's graph with Granite 3.x's multipliers of the embedding, the residual
# branches, the scores and the logits.
GRANITE_CASES = ["granite/%s" % t for t in ("f32", "f16", "q8_0", "q4_k")]
# Mixtures of experts (gguf_models.MOE_ARCHS): mixtral (llama's graph, 8 experts of which a
# token runs 2) and qwen3moe (qwen3's, 6 experts, 3 run): the router, the top experts, their
# renormalized weights, the experts' 3-D matrices; in llama.cpp's Q4_K_M mix (8 experts:
# attn_v and attn_k Q8_0, attn_output Q5_K; ffn_down_exps Q6_K in layer 1) and q4_1 (Q8_1's
# block sums, per expert).
MOE_CASES = ["mixtral/%s" % t for t in ("f32", "f16", "q8_0", "q4_1", "q4_k_m")] + [
    "qwen3moe/%s" % t for t in ("f32", "f16", "q8_0", "q4_k", "q4_k_m")]
# ARCH/TYPE/NAME: the model in another shape. heads96: Phi-3-mini's heads of 96, as many KV
# heads as query heads (n_embd 384: the 32-element types only, or a mix, whose 256-element
# matrices take llama.cpp's fallback types). rot48: RoPE on the first 48 values of each head
# (of phi3's 64: Phi-4-mini's 3/4, 96 of 128; of gemma3's 128), the others passed through;
# the output head tied to the embedding.
SHAPES = {"heads96": dict(n_embd=384, n_head=4, n_head_kv=4), "rot48": dict(rope_dims=48, tied=True)}
# llama.cpp's commonest low-bit files are mixes (gguf_models.MIXES): Q3_K_M, Q2_K (q2_k_m),
# IQ4_XS and IQ4_NL (iq4_xs_mix, iq4_nl_mix), in the two base architectures and phi3 (its
# fused attn_qkv typed as attn_v).
MIX_CASES = ["%s/%s" % (a, m) for a in ARCHS + ["phi3"] for m in ("q3_k_m", "q2_k_m", "iq4_xs_mix", "iq4_nl_mix")]
# The IQ4_XS mix in shapes that change its types: gemma3's 4 query heads a KV head (attn_v in
# Q5_K, the tied head Q6_K) and phi3's heads96 (n_embd 384: attn_qkv, attn_output, ffn_up and
# the embedding fall back to IQ4_NL, the head to Q8_0; ffn_down's 512-wide rows stay IQ4_XS).
MIX_SHAPE_CASES = ["gemma3/iq4_xs_mix", "phi3/iq4_xs_mix/heads96"]
CASES = (["%s/%s" % (a, t) for a in ARCHS for t in TYPES] + MIX_CASES + MIX_SHAPE_CASES + QWEN3_CASES + GEMMA3_CASES +
         GEMMA2_CASES + PHI3_CASES + ROT_CASES + GRANITE_CASES + ROPE_CASES + MOE_CASES)
ENABLED_CASES = CASES
N_GEN = 20
SEED = 0
# Architectures whose models use another seed: mixtral's seed-0 model routes BOS (every
# prompt's first position) within 0.001-0.005 of a tie between its second and third expert
# in its first layer (see 4. above), on most types; seed 10's margin there is 0.10 or more
# on every type and in both references.
SEEDS = {"mixtral": 10}
MIN_DISTINCT = 4
EXACT_TOKENS = ["f32", "f16", "q8_0"]
# Max |llama.cpp - emulated reference| over all logits (see 1. above). F16: the emulation
# does not follow llama.cpp's fp16 dot products exactly, and how far it lands depends on the
# CPU variant ggml loads: measured 0.0065 on an AMD Zen 5 (ggml's zen4 build), 0.0095 and
# 0.013 on an Intel Xeon with AVX512-FP16 and AMX (its sapphirerapids build), with logits
# up to 12.9; a wrong layout or scale is off by whole units. F32: the prompt's rows agree
# within 1e-4 to 5e-4 and the decode steps' within 0.001-0.004 (llama.cpp's decode attention
# rounds otherwise than the emulation does): llama 0.0021, qwen3 0.0043 (seed 0; 0.0015-
# 0.0029 with seeds 1-4), on the Zen 4 VM; 0.01 leaves room for another CPU's roundings, as
# F16 needed.
TOL_EMULATED = dict({t: 0.5 for t in TYPES + list(gguf_models.MIXES)}, f32=0.01, f16=0.02, bf16=0.1)
# Max |llama.cpp - exact reference| at the prompt's last position (see 2. above).
TOL_EXACT = dict({t: 0.5 for t in TYPES + list(gguf_models.MIXES)}, f32=0.02, f16=0.03, bf16=0.15)
# Mixtures of experts (see 4. above): router margins (in router logits, of about unit size)
# below which the reference's choice of experts is a near tie that another computation may
# decide otherwise. What moves the router logits: float32 noise and, after an 8-bit (or bf16)
# activation's rounding boundary landed otherwise upstream, up to ~0.02 (llama.cpp chose
# otherwise than the emulated reference at margins of 0.0011-0.019); each type's activation
# rounding, against the exact reference (between the two references: 0.01 rms, 0.05 at most
# on 8-bit and bf16 activations; experts chosen otherwise at 0.0017-0.022).
# A swap is only kept where it makes the rows agree, so the bound only limits the search.
EXPERT_TIE = 0.05
MAX_EXPERT_SWAPS = 4


def model_for(case, path):
    """Writes the GGUF file of a case (ARCH/TYPE[/rope-SCALING][/...]) to path; its description."""
    arch, wtype, *variants = case.split("/")
    rope = next((v[len("rope-"):] for v in variants if v.startswith("rope-")), None)
    shape = next((SHAPES[v] for v in variants if v in SHAPES), {})
    return gguf_models.write_model(path, arch, wtype, SEEDS.get(arch, SEED), rope=rope, **shape)


def prompt_for(desc):
    """BOS and 7 fixed ids among the ordinary tokens (past the specials and byte tokens of the
    SentencePiece vocabularies, llama's and gemma's)."""
    first = 259 if desc["arch"] in ("llama", "mixtral", "gemma2", "gemma3", "phi3") else 0
    rng = np.random.default_rng(1234)
    return [desc["bos"]] + [int(t) for t in rng.integers(first, first + 120, 7)]


def explain_by_expert_ties(path, emulate, prompt, tokens, rows, tol, prompt_rows=None, judged=None, token_tol=None):
    """Mixtures of experts: whether an engine's logits, which differ from the reference's,
    differ only by its choice of experts at near ties of the reference's router (see 4. in
    the module docstring). The reference (llm_reference.Model(path, emulate)) is fed the
    engine's tokens (prompt, then tokens[:-1]) and, one at a time (at most
    MAX_EXPERT_SWAPS), at the first position where it disagrees it takes the next expert in
    place of its last one (Model.expert_swaps) at a near tie (a router margin below
    EXPERT_TIE) at that position, or at an earlier one in a layer before the last (whose
    choice reaches later positions through the KV cache), trying the narrowest margins
    first, and keeps the swap if the disagreement moves on. It agrees when every row of the
    positions judged is within tol of the engine's and each of the engine's tokens is its
    reference row's argmax or, by the engine's logits, within token_tol (default 2 tol) of
    it. rows: the engine's logits from the prompt's last position on (row k at position
    len(prompt) - 1 + k, one per token); prompt_rows: those of every prompt position, if it
    gave them; judged: the positions whose logits are compared (default: all the engine
    gave). -> (the swaps [(position, layer, margin)], the max |logit difference| over the
    rows judged) or None."""
    n_prompt = len(prompt)
    engine = {n_prompt - 1 + k: np.asarray(r, np.float64) for k, r in enumerate(rows)}
    if prompt_rows is not None:
        engine.update((q, np.asarray(r, np.float64)) for q, r in enumerate(prompt_rows))
    judged = sorted(engine) if judged is None else sorted(judged)
    chosen = {n_prompt - 1 + k: t for k, t in enumerate(tokens[:len(rows)])}
    token_tol = 2 * tol if token_tol is None else token_tol
    ids = list(prompt) + list(tokens[:len(rows) - 1])
    model = llm_reference.Model(path, emulate_ggml=emulate)

    def first_disagreement(swaps):  # -> (position or None, max difference before it, margins)
        model.expert_swaps = {(q, layer) for q, layer, _ in swaps}
        model.reset()
        ref = model.prefill(ids)
        worst = 0.0
        for q in sorted(set(judged) | set(chosen)):
            d = np.abs(ref[q] - engine[q]).max() if q in judged else 0.0
            if d > tol or (q in chosen and engine[q][chosen[q]] - engine[q][int(np.argmax(ref[q]))] > token_tol):
                return q, worst, model.expert_margins
            worst = max(worst, d)
        return None, worst, model.expert_margins

    swaps = []
    bad, worst, margins = first_disagreement(swaps)
    while bad is not None and len(swaps) < MAX_EXPERT_SWAPS:
        last = len(margins[0]) - 1
        taken = {(q, layer) for q, layer, _ in swaps}
        ties = sorted((margins[q][layer], q, layer) for q in range(bad + 1) for layer in range(last + 1)
                      if margins[q][layer] < EXPERT_TIE and (q, layer) not in taken and (layer < last or q == bad))
        for margin, q, layer in ties:
            b, w, m = first_disagreement(swaps + [(q, layer, float(margin))])
            if b is None or b > bad:
                swaps.append((q, layer, float(margin)))
                bad, worst, margins = b, w, m
                break
        else:
            return None
    return (swaps, worst) if bad is None else None


def describe_swaps(swaps):
    return ", ".join("position %d layer %d (margin %.2g)" % s for s in swaps)


def compare_tokens(ref, cpp, cpp_rows, tol):
    """(equal prefix length, None | "tie" | "mismatch"): where the references first choose
    different tokens, "tie" when llama.cpp's logit of its token exceeds its logit of the
    reference's by at most 2 tol (within the references' difference: either is right)."""
    for i, (r, c) in enumerate(zip(ref, cpp)):
        if r != c:
            return i, "tie" if cpp_rows[i][c] - cpp_rows[i][r] <= 2 * tol else "mismatch"
    return len(ref), None


def check(case, desc, path, got):
    """(ok, detail) of one case from llama.cpp's result got."""
    if not got["ok"]:
        return False, "llama.cpp failed: %s" % got["error"].splitlines()[0]
    wtype = desc["wtype"]
    prompt = prompt_for(desc)
    cpp_tokens = got["tokens"]
    cpp_rows = np.array(got["logits"], np.float64)
    cpp_prompt = np.array(got["prompt_logits"], np.float64)
    problems = []
    notes = []

    emu = llm_reference.Model(path, emulate_ggml=True)
    emu_prompt = emu.prefill(prompt)
    emu_tokens, emu_rows = emu.generate(prompt, N_GEN)
    same_emu, why = compare_tokens(emu_tokens, cpp_tokens, cpp_rows, TOL_EMULATED[wtype])
    n = min(same_emu + 1, N_GEN)  # the rows fed the same tokens
    emu_diff = max(np.abs(emu_prompt - cpp_prompt).max(), np.abs(emu_rows[:n] - cpp_rows[:n]).max())
    # On EXACT_TOKENS types a tie ends the comparison only where llama.cpp's logit of its
    # choice exceeds that of the reference's by less than the two differ on this run (a
    # near-tie their roundings decide, as llm_generate.judge_greedy allows edgec).
    gap = cpp_rows[same_emu][cpp_tokens[same_emu]] - cpp_rows[same_emu][emu_tokens[same_emu]] if why else 0.0
    emu_problems = []
    if why == "mismatch" or (why and wtype in EXACT_TOKENS and not gap < emu_diff):
        emu_problems.append("emulated reference chooses token %d differently (llama.cpp's ahead by %.3g)" %
                            (same_emu, gap))
    exact_rows = int((np.abs(emu_prompt - cpp_prompt).max(axis=1) <= 1e-4).sum() +
                     (np.abs(emu_rows[:n] - cpp_rows[:n]).max(axis=1) <= 1e-4).sum())
    if not emu_diff <= TOL_EMULATED[wtype]:
        emu_problems.append("emulated logits differ by %.3g > %g" % (emu_diff, TOL_EMULATED[wtype]))
    if emu_problems and emu.n_expert:  # llama.cpp's experts otherwise at near ties? (4. above)
        explained = explain_by_expert_ties(path, True, prompt, cpp_tokens, cpp_rows, TOL_EMULATED[wtype], cpp_prompt,
                                           token_tol=TOL_EMULATED[wtype] if wtype in EXACT_TOKENS else None)
        if explained:
            emu_problems = []
            emu_diff = explained[1]
            notes.append("llama.cpp chose other experts at near ties of the emulated reference's router (%s): "
                         "with those, every row within %.2g" % (describe_swaps(explained[0]), explained[1]))
    problems += emu_problems

    exact = llm_reference.Model(path)
    exact_tokens, exact_logits = exact.generate(prompt, N_GEN)
    same_exact, why_exact = compare_tokens(exact_tokens, cpp_tokens, cpp_rows, TOL_EXACT[wtype])
    exact_problems = []
    if why_exact == "mismatch" or (why_exact and wtype in ("f32", "f16")):
        exact_problems.append("exact reference chooses token %d differently" % same_exact)
    exact_diff = np.abs(exact_logits[0] - cpp_rows[0]).max()
    if not exact_diff <= TOL_EXACT[wtype]:
        exact_problems.append("exact last-position logits differ by %.3g > %g" % (exact_diff, TOL_EXACT[wtype]))
    if exact_problems and exact.n_expert:
        explained = explain_by_expert_ties(path, False, prompt, cpp_tokens, cpp_rows, TOL_EXACT[wtype],
                                           judged=[len(prompt) - 1],
                                           token_tol=0.0 if wtype in ("f32", "f16") else None)
        if explained:
            exact_problems = []
            exact_diff = explained[1]
            notes.append("llama.cpp chose other experts at near ties of the exact reference's router (%s)" %
                         describe_swaps(explained[0]))
    problems += exact_problems

    distinct = len(set(cpp_tokens))
    if distinct < MIN_DISTINCT:
        problems.append("degenerate continuation: %d distinct tokens" % distinct)
    detail = ("tokens equal: emulated %d/%d%s, exact %d/%d%s; %d distinct; max|logit diff| emulated %.2g "
              "(tol %g; %d of %d rows within 1e-4), exact last position %.2g (tol %g); logits up to %.1f" % (
                  same_emu, N_GEN, " (then a tie)" if why == "tie" else "", same_exact, N_GEN,
                  " (then a tie)" if why_exact == "tie" else "", distinct, emu_diff, TOL_EMULATED[wtype],
                  exact_rows, len(prompt) + n, exact_diff, TOL_EXACT[wtype], np.abs(cpp_rows).max()))
    detail += "".join("; " + note for note in notes)
    return not problems, ("; ".join(problems) + " | " if problems else "") + detail


def main():
    args, names, build, peers = llama_cpp.harness_setup(__doc__, CASES, ENABLED_CASES, "the GGUF models")
    work = tempfile.mkdtemp(prefix="llm-refs-", dir=build)
    tally = harness.Tally(12)
    try:
        models, jobs = [], []
        for case in names:
            path = os.path.join(work, case.replace("/", "-") + ".gguf")
            desc = model_for(case, path)
            models.append((case, desc, path))
            jobs.append(dict(model=path, prompt=prompt_for(desc), n=N_GEN, threads=1, kv_type="F16",
                             prompt_logits=True))
        for (case, desc, path), got in zip(models, llama_cpp.run_jobs_or_fail(jobs, peers)):
            try:
                ok, detail = check(case, desc, path, got)
            except Exception as e:  # a reference that cannot read the file fails the case
                ok, detail = False, "%s: %s" % (type(e).__name__, e)
            tally.add(case, ok, detail)
    finally:
        harness.release_work(work, args.keep or tally.failed)
    return tally.finish(args.results_json)


if __name__ == "__main__":
    sys.exit(main())
