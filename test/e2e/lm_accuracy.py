#!/usr/bin/python3
"""Quantization accuracy on a trained character-level language model, driven as a user
drives edgec: perplexity and next-character top-1 of each precision on held-out text,
against the fp32 package and PyTorch.

The model, its calibration windows and its test windows come from lm_models.py (a small
decoder-only transformer trained at test time on Debian's licence texts, cached in the
build tree under BUILD/test/lm-models). For each case the script compiles

  edgec compile model.onnx [FLAGS] [--calib calib/] -o CASE.edgepkg

and runs every test window through the package in one process per chunk:

  edgec run CASE.edgepkg -q --input tokens=x0000.npy,x0001.npy,... --output-dir D

(run from the test folder so the list stays short; call k writes D/logits.<k>.npy).
Perplexity = exp(mean cross-entropy of the logits against the next character) over every
position of every window; top-1 = how often the argmax is the next character.

Cases (the names --precisions takes), their flags, and when they pass ("within N%": the
perplexity differs from the reference's by at most N% of it; the reference is this
run's fp32 package when the fp32 case ran, else PyTorch):
  fp32          no --precision                       within 0.5% of PyTorch
  fp16          --precision fp16                     within 1% of fp32
  int8          --precision int8 --calib calib/      within 5% of fp32
  int8-dynamic  --precision int8-dynamic             within 5% of fp32
  int4-g32      --precision int4-g32                 within 15% of fp32
  int4-g128     --precision int4-g128                within 15% of fp32
  auto-R        --precision auto --calib calib/      within 5% of fp32, and the package
                --max-size-mb (R x fp32 package)     at most R x the fp32 package
                (R = 0.35, 0.25, 0.20, 0.18; not enabled by default: ~1 min each)
A case whose compile fails is FAILED with edgec's message; nothing is skipped silently. Which cases
run by default is the explicit list ENABLED_PRECISIONS below; `--precisions all` runs
every case, `--precisions fp32,int8` some.

Prints one line per case (PASS/FAIL, perplexity, delta, top-1, size, times), a table, and
"N passed, N failed" last; exit status 1 on any failure. Run with Debian's /usr/bin/python3:

  test/e2e/lm_accuracy.py --build-dir build                       # the enabled cases
  test/e2e/lm_accuracy.py --build-dir build --precisions all --keep
  test/e2e/lm_accuracy.py --build-dir build --precisions int8 --limit 32
"""
import collections
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import lm_models  # noqa: E402

# flags: edgec compile flags; calib: the model folder's calibration folder to pass with
# --calib, or None; tol: allowed |perplexity - reference| in % of the reference's;
# ref: "torch" (PyTorch's perplexity) or "fp32" (the fp32 case's; PyTorch's if it did not
# run); max_size: the largest package allowed, as a fraction of the fp32 package (None: no
# bound; needs the fp32 case). A flag "{budget_mib}" becomes max_size x the fp32 package's
# size in MiB, so a size budget follows the model if lm_models.py changes it.
Case = collections.namedtuple("Case", "flags calib tol ref max_size", defaults=(None,))
BUDGET = "{budget_mib}"

# The tolerances are the ones issue 11 states; measured today (docs/quantization.md): fp16
# and int8-dynamic 0.00%, int8 +0.28%, int4-g32 +0.55%, int4-g128 +2.52%.
CASES = {
    "fp32": Case([], None, 0.5, "torch"),
    "fp16": Case(["--precision", "fp16"], None, 1.0, "fp32"),
    "int8": Case(["--precision", "int8"], "calib", 5.0, "fp32"),
    "int8-dynamic": Case(["--precision", "int8-dynamic"], None, 5.0, "fp32"),
    "int4-g32": Case(["--precision", "int4-g32"], None, 15.0, "fp32"),
    "int4-g128": Case(["--precision", "int4-g128"], None, 15.0, "fp32"),
    # Mixed precision under a size budget (issue 11's goal: within 5% of fp32 at <= 0.35x),
    # each also checked against the uniform cases that fit its budget (against_uniform).
    # Each compile measures every group on 32 of the calibration windows (~40 s here).
    "auto-0.35": Case(["--precision", "auto", "--max-size-mb", BUDGET], "calib", 5.0, "fp32", 0.35),
    "auto-0.25": Case(["--precision", "auto", "--max-size-mb", BUDGET], "calib", 5.0, "fp32", 0.25),
    "auto-0.20": Case(["--precision", "auto", "--max-size-mb", BUDGET], "calib", 5.0, "fp32", 0.20),
    "auto-0.18": Case(["--precision", "auto", "--max-size-mb", BUDGET], "calib", 5.0, "fp32", 0.18),
}
# The cases today's edgec is expected to pass (run by default and by the test suite).
ENABLED_PRECISIONS = ["fp32", "fp16", "int8", "int8-dynamic", "int4-g32", "int4-g128", "auto-0.35", "auto-0.20"]
# The uniform precisions an automatic plan must be at least as accurate as, when they fit
# its budget (against_uniform).
UNIFORM_CASES = ["fp16", "int8", "int8-dynamic", "int4-g32", "int4-g128"]
CHUNK = 256  # test files per `edgec run` call (one argument of ~3 KB)


def compile_case(edgec, model_dir, name, work, fp32_size):
    case = CASES[name]
    pkg = os.path.join(work, name + ".edgepkg")
    flags = list(case.flags)
    if BUDGET in flags:
        if not (case.max_size and fp32_size):
            proc = subprocess.CompletedProcess([], 1, stdout="a size budget relative to fp32 needs the fp32 case "
                                               "(and max_size in the case)")
            return proc, pkg, 0.0, ["(not run)"]
        flags = [("%.4f" % (case.max_size * fp32_size / 2 ** 20)) if f == BUDGET else f for f in flags]
    proc, seconds, cmd = harness.compile_package(edgec, os.path.join(model_dir, "model.onnx"), flags, pkg,
                                                 case.calib and os.path.join(model_dir, case.calib))
    return proc, pkg, seconds, cmd


def run_test_set(edgec, pkg, model_dir, meta, count, out_dir):
    """logits float32 [count,T,V], or raises RuntimeError with edgec's message."""
    files = ["x%04d.npy" % i for i in range(count)]
    logits = []
    for path in harness.run_files(edgec, pkg, os.path.join(model_dir, "test"), files, meta["input"], meta["output"],
                                  CHUNK, out_dir):
        out = np.load(path)
        if list(out.shape) != meta["output_shape"]:
            raise RuntimeError("%s has shape %s, the model's output is %s" % (os.path.basename(path), list(out.shape),
                                                                              meta["output_shape"]))
        logits.append(out[0])
    return np.stack(logits).astype(np.float32)


def against_uniform(res, results, budget_bytes):
    """An automatic plan must be at least as accurate as every uniform case of this run whose
    package fits its budget: its logits' SQNR against fp32 at least theirs, and its
    perplexity not significantly higher -- the mean per-position cross-entropy difference
    (paired, same positions) at most two standard errors above zero. A plain "perplexity
    <= theirs" would fail on differences of 0.01% that are noise."""
    problems, seen = [], []
    for u in UNIFORM_CASES:
        r = results.get(u)
        if not r or r.get("nll") is None or r["size"] > budget_bytes:
            continue
        seen.append("%s %.4f/%.1f dB" % (u, r["ppl"], r["sqnr"]))
        d = res["nll"] - r["nll"]
        if d.mean() > 2 * d.std() / np.sqrt(len(d)):
            problems.append("perplexity significantly above %s's (%.4f vs %.4f)" % (u, res["ppl"], r["ppl"]))
        if res["sqnr"] < r["sqnr"]:
            problems.append("SQNR %.1f dB below %s's %.1f dB" % (res["sqnr"], u, r["sqnr"]))
    text = "uniform cases within the budget: %s" % (", ".join(seen) or "none")
    return not problems, text + ("; " + "; ".join(problems) if problems else "")


def main():
    t0 = time.time()
    args, names, edgec, model_dir, meta = harness.accuracy_setup(__doc__, CASES, ENABLED_PRECISIONS, lm_models, "lm-models",
                                                                 "windows")
    count = min(args.limit or meta["num_test"], meta["num_test"])
    targets = np.load(os.path.join(model_dir, "test", "targets.npy"))[:count]
    torch_logits = np.load(os.path.join(model_dir, "test", "torch_logits.npy"))[:count]
    torch_ppl, torch_top1 = lm_models.perplexity(torch_logits, targets)
    print("model %s: %d parameters (%d in MatMul weights), vocabulary %d, trained in %.1f s; %d test windows of %d "
          "characters; PyTorch perplexity %.4f, top-1 %.1f%% (model ready in %.1f s)"
          % (model_dir, meta["params"], meta["matmul_weight_params"], len(meta["vocab"]), meta["train_seconds"],
             count, meta["input_shape"][1], torch_ppl, torch_top1, time.time() - t0), flush=True)

    order = sorted(names, key=lambda n: list(CASES).index(n))  # fp32 first, so the others compare with it
    work = tempfile.mkdtemp(prefix="lm-acc-", dir=args.build_dir)
    results = {}  # name -> dict(ppl, top1, size, compile_s, run_s, ok)
    tally = harness.Tally(13)
    try:
        for name in order:
            case = CASES[name]
            proc, pkg, compile_s, cmd = compile_case(edgec, model_dir, name, work, results.get("fp32", {}).get("size"))
            res = {"ppl": None, "top1": None, "size": None, "compile_s": compile_s, "run_s": None}
            if proc.returncode != 0 or not os.path.exists(pkg):
                ok = False
                detail = "compile failed (exit %d): %s\n    command: %s" % (
                    proc.returncode, harness.edgec_message(proc.stdout), " ".join(cmd))
            else:
                res["size"] = os.path.getsize(pkg)
                t1 = time.time()
                try:
                    logits = run_test_set(edgec, pkg, model_dir, meta, count, os.path.join(work, "out-" + name))
                except RuntimeError as e:
                    ok, detail = False, str(e)
                else:
                    res["run_s"] = time.time() - t1
                    res["ppl"], res["top1"] = lm_models.perplexity(logits, targets)
                    res["nll"] = lm_models.token_nll(logits, targets)
                    fp32 = results.get("fp32", {})
                    if name == "fp32":
                        res["logits"] = logits
                    if fp32.get("logits") is not None:
                        res["sqnr"] = harness.sqnr_db(fp32["logits"], logits)
                    if case.ref == "torch" or fp32.get("ppl") is None:
                        ref_name, ref_ppl = "PyTorch", torch_ppl
                    else:
                        ref_name, ref_ppl = "fp32", fp32["ppl"]
                    res["delta"] = (res["ppl"] - ref_ppl) / ref_ppl * 100
                    ok = abs(res["delta"]) <= case.tol + 1e-9
                    agree = float((logits.argmax(-1) == torch_logits.argmax(-1)).mean() * 100)
                    detail = ("perplexity %.4f (%s %.4f, %+.2f%%, allowed +-%g%%); top-1 %.1f%%; same argmax as "
                              "PyTorch at %.1f%% of positions" % (res["ppl"], ref_name, ref_ppl, res["delta"],
                                                                  case.tol, res["top1"], agree))
                    if name == "fp32":
                        detail += "; max |logit - PyTorch| %.3g" % float(np.abs(logits - torch_logits).max())
                    fp32_size = fp32.get("size")
                    if case.max_size is not None:
                        if not fp32_size:
                            ok, detail = False, detail + "; size bound %.2fx fp32 needs the fp32 case" % case.max_size
                        else:
                            fits = res["size"] <= case.max_size * fp32_size
                            ok = ok and fits
                            detail += "; size %.3fx fp32 (allowed %.2fx)" % (res["size"] / fp32_size, case.max_size)
                            if name.startswith("auto-") and res.get("sqnr") is not None:
                                ok_vs, vs = against_uniform(res, results, case.max_size * fp32_size)
                                ok = ok and ok_vs
                                detail += "; SQNR vs fp32 %.1f dB; %s" % (res["sqnr"], vs)
                    detail += "; %.1f KiB; compile %.2f s, %d windows in %.2f s" % (
                        res["size"] / 1024, compile_s, count, res["run_s"])
            res["ok"] = ok
            results[name] = res
            tally.add(name, ok, detail)
    finally:
        harness.release_work(work, args.keep or tally.failed)

    fp32_size = results.get("fp32", {}).get("size")
    print("\n%-13s %10s %8s %7s %10s %7s %9s %7s  %s" % ("case", "perplexity", "delta", "top-1", "size KiB", "x fp32",
                                                         "compile s", "run s", "result"))
    for name in order:
        r = results[name]
        print("%-13s %10s %8s %7s %10s %7s %9.2f %7s  %s" % (
            name, "%.4f" % r["ppl"] if r["ppl"] is not None else "-",
            "%+.2f%%" % r["delta"] if r.get("delta") is not None else "-",
            "%.1f%%" % r["top1"] if r["top1"] is not None else "-",
            "%.1f" % (r["size"] / 1024) if r["size"] else "-",
            "%.3f" % (r["size"] / fp32_size) if r["size"] and fp32_size else "-",
            r["compile_s"], "%.2f" % r["run_s"] if r["run_s"] is not None else "-",
            "PASS" if r["ok"] else "FAIL"))
    print("(PyTorch perplexity %.4f, top-1 %.1f%% on the same %d windows; total %.1f s)\n" % (
        torch_ppl, torch_top1, count, time.time() - t0))
    return tally.finish(args.results_json)


if __name__ == "__main__":
    sys.exit(main())
