#!/usr/bin/python3
"""Quantization accuracy on a trained model, driven as a user drives edgec: top-1 of each
precision on a held-out test set, against the fp32 package and PyTorch.

The model, its calibration samples and its 1000 test images come from quant_models.py
(a small CNN trained at test time on procedurally rendered shapes, cached in the build
tree under BUILD/test/quant-models). For each case the script compiles

  edgec compile model.onnx [--precision P [--calib DIR --calib-method M]] -o CASE.edgepkg

and runs every test image through the package with as few processes as possible:

  edgec run CASE.edgepkg -q --input image=x0000.npy,x0001.npy,... --output-dir D

(one call per chunk of CHUNK files, run from the test folder so the list stays short;
call k writes D/logits.<k>.npy). Top-1 is the argmax of each output against the label.

Cases (the names --precisions takes), what they compile with, and when they pass:
  fp32              no --precision            |top-1 - PyTorch top-1| <= 0.2 points
  int8-minmax       int8, calib_npy/ (.npy)   within 1 point of fp32
  int8-percentile   int8, calib_npz/ (.npz)   within 1 point of fp32
  int8-entropy      int8, calib_npy/          within 1 point of fp32
  int8-mse          int8, calib_npz/          within 1 point of fp32
  int8-calib-forms  int8 minmax from calib_npz/ must give a package byte-identical to
                    int8-minmax's from calib_npy/ (same 64 samples, two file forms)
  int8-ref-bitexact the int8-minmax package's logits on the first 200 images must be
                    bit-identical with EDGEC_KERNELS=ref and with the CPU's best kernels
                    (integer kernels are bit-exact against their ref twins)
  int8-keep-ends    int8 minmax, calib_npy/, --keep-float-ends (first and last
                    weighted layer fp32)      within 1 point of fp32
  int8-dynamic      int8-dynamic, no calib    within 1 point of fp32
  int4-g32          int4-g32                  within 3 points of fp32
  int4-g64          int4-g64                  within 3 points of fp32
  int4-g128         int4-g128                 within 3 points of fp32
  int4-g32-a8       int4-g32-a8 (MatMul/Gemm activations int8 per group; this CNN's
  int4-g64-a8       int4-g64-a8    only Gemm, the 48x10 head, is below min-elements and
  int4-g128-a8      int4-g128-a8   stays f32, so here they equal int4-gN: the transformer
                                   in run_e2e.py exercises a8)  within 3 points of fp32
  fp16              fp16                      within 0.1 points of fp32
  auto-30           --precision auto --calib calib_npy/ --max-size-mb (30% of the fp32
                    package): within 0.5 points of fp32 (issue 11's goal), and at least as
                    accurate as every uniform case of this run whose package fits the same
                    budget
  auto-25, auto-20  the same at 25% and 20% of fp32: within 3 points of fp32, and at least
                    as accurate as every uniform case that fits the budget
"within N points of fp32" compares with this run's fp32 package when the fp32 case ran,
else with PyTorch's top-1. A case whose compile fails (a precision the CLI does not offer
yet: "unknown --precision ...") is reported "not available" with edgec's message and
counts as FAILED; nothing is skipped silently. Which cases run by default is the one
explicit list ENABLED_PRECISIONS below (what today's edgec is expected to pass; extend it
as features land); `--precisions all` runs every case, `--precisions fp32,int8-mse` some.

Prints one line per case (PASS/FAIL, top-1, delta, package size, times), a table, and
"N passed, N failed" last; exit status 1 on any failure. Run with Debian's /usr/bin/python3:

  test/e2e/quant_accuracy.py --build-dir build                       # the enabled cases
  test/e2e/quant_accuracy.py --build-dir build --precisions all      # everything
  test/e2e/quant_accuracy.py --build-dir build --precisions int8-mse --limit 200 --keep
"""
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import quant_models  # noqa: E402

# The cases today's edgec is expected to pass (run by default and by the test suite).
# Extend this list as --precision / --calib land in the compiler.
ENABLED_PRECISIONS = ["fp32", "int8-minmax", "int8-percentile", "int8-entropy", "int8-mse", "int8-calib-forms", "int8-ref-bitexact",
                      "int8-keep-ends", "int4-g32", "int4-g64", "int4-g128", "int4-g32-a8", "int4-g64-a8", "int4-g128-a8",
                      "int8-dynamic", "fp16", "auto-30", "auto-25", "auto-20"]

# name -> (edgec compile flags; calib folder or None; tolerance in top-1 points; reference)
# reference "torch": PyTorch's top-1; "fp32": the fp32 case's top-1 (PyTorch's if not run).
CASES = {
    "fp32": ([], None, 0.2, "torch"),
    "int8-minmax": (["--precision", "int8", "--calib-method", "minmax"], "calib_npy", 1.0, "fp32"),
    "int8-percentile": (["--precision", "int8", "--calib-method", "percentile"], "calib_npz", 1.0, "fp32"),
    "int8-entropy": (["--precision", "int8", "--calib-method", "entropy"], "calib_npy", 1.0, "fp32"),
    "int8-mse": (["--precision", "int8", "--calib-method", "mse"], "calib_npz", 1.0, "fp32"),
    "int8-calib-forms": (["--precision", "int8", "--calib-method", "minmax"], "calib_npz", None, None),
    "int8-ref-bitexact": (["--precision", "int8", "--calib-method", "minmax"], "calib_npy", None, None),
    "int8-keep-ends": (["--precision", "int8", "--calib-method", "minmax", "--keep-float-ends"], "calib_npy", 1.0,
                       "fp32"),
    "int8-dynamic": (["--precision", "int8-dynamic"], None, 1.0, "fp32"),
    "int4-g32": (["--precision", "int4-g32"], None, 3.0, "fp32"),
    "int4-g64": (["--precision", "int4-g64"], None, 3.0, "fp32"),
    "int4-g128": (["--precision", "int4-g128"], None, 3.0, "fp32"),
    "int4-g32-a8": (["--precision", "int4-g32-a8"], None, 3.0, "fp32"),
    "int4-g64-a8": (["--precision", "int4-g64-a8"], None, 3.0, "fp32"),
    "int4-g128-a8": (["--precision", "int4-g128-a8"], None, 3.0, "fp32"),
    "fp16": (["--precision", "fp16"], None, 0.1, "fp32"),
    # "FP32*F": F times the fp32 package's size, in MiB (compile_case fills it in).
    "auto-30": (["--precision", "auto", "--max-size-mb", "FP32*0.30"], "calib_npy", 0.5, "fp32"),
    "auto-25": (["--precision", "auto", "--max-size-mb", "FP32*0.25"], "calib_npy", 3.0, "fp32"),
    "auto-20": (["--precision", "auto", "--max-size-mb", "FP32*0.20"], "calib_npy", 3.0, "fp32"),
}
# The uniform precisions an automatic plan must be at least as accurate as, when they fit
# its budget.
UNIFORM_CASES = ["int8-minmax", "int8-percentile", "int8-entropy", "int8-mse", "int8-dynamic", "int4-g32",
                 "int4-g64", "int4-g128", "int4-g32-a8", "int4-g64-a8", "int4-g128-a8", "fp16"]
CHUNK = 250  # test files per `edgec run` call (one argument of ~2.5 KB)
REF_IMAGES = 200  # images int8-ref-bitexact runs twice


def fp32_package_size(edgec, model_dir, work):
    pkg = os.path.join(work, "fp32.edgepkg")
    if not os.path.exists(pkg):
        subprocess.run([edgec, "compile", os.path.join(model_dir, "model.onnx"), "-q", "-o", pkg], check=True)
    return os.path.getsize(pkg)


def budget_flag(flag, edgec, model_dir, work):
    """'FP32*0.30' -> 30% of the fp32 package in MiB; any other flag as it is."""
    if not flag.startswith("FP32*"):
        return flag
    return "%.6f" % (fp32_package_size(edgec, model_dir, work) * float(flag[5:]) / (1024 * 1024))


def compile_case(edgec, model_dir, name, work):
    flags, calib, _, _ = CASES[name]
    flags = [budget_flag(f, edgec, model_dir, work) for f in flags]
    pkg = os.path.join(work, name + ".edgepkg")
    proc, seconds, cmd = harness.compile_package(edgec, os.path.join(model_dir, "model.onnx"), flags, pkg,
                                                 calib and os.path.join(model_dir, calib))
    return proc, pkg, seconds, cmd


def run_test_set(edgec, pkg, model_dir, meta, count, out_dir, env=None):
    """(predictions [count], logits [count,10]) or raises RuntimeError with edgec's message."""
    files = ["x%04d.npy" % i for i in range(count)]
    outputs = harness.run_files(edgec, pkg, os.path.join(model_dir, "test"), files, meta["input"], meta["output"],
                                CHUNK, out_dir, env)
    logits = np.stack([np.load(p).reshape(-1) for p in outputs]).astype(np.float32)
    return logits.argmax(1), logits


def against_uniform(name, res, results, labels, edgec, model_dir, work):
    """An automatic plan must be at least as accurate as every uniform case of this run whose
    package fits its budget: its logits' SQNR against fp32 on the test set at least theirs,
    and its top-1 not significantly lower -- a paired (McNemar) comparison over the same
    images: fewer than 2 sqrt(b + c) more images only the uniform case gets right (c) than
    only the plan gets right (b). With 1000 images one standard error of top-1 is ~0.5
    points, so a plain "top-1 >= theirs" would fail on a few images' luck."""
    budget = float(CASES[name][0][CASES[name][0].index("--max-size-mb") + 1].split("*")[1]) * fp32_package_size(
        edgec, model_dir, work)
    problems, seen = [], []
    for u in UNIFORM_CASES:
        r = results.get(u)
        if not r or r.get("pred") is None or r["size"] > budget:
            continue
        right, theirs = res["pred"] == labels, r["pred"] == labels
        b, c = int(np.sum(right & ~theirs)), int(np.sum(~right & theirs))
        seen.append("%s %.1f%%/%.1f dB" % (u, r["top1"], r.get("sqnr", float("nan"))))
        if c - b > 2 * np.sqrt(b + c):
            problems.append("top-1 significantly below %s (%d vs %d images only one gets right)" % (u, b, c))
        if res.get("sqnr") is not None and r.get("sqnr") is not None and res["sqnr"] < r["sqnr"]:
            problems.append("SQNR %.1f dB below %s's %.1f dB" % (res["sqnr"], u, r["sqnr"]))
    text = "uniform cases within the budget: %s" % (", ".join(seen) or "none")
    if problems:
        text += "; " + "; ".join(problems)
    return not problems, text


def main():
    t0 = time.time()
    args, names, edgec, model_dir, meta = harness.accuracy_setup(__doc__, CASES, ENABLED_PRECISIONS, quant_models, "quant-models",
                                                                 "images")
    labels = np.load(os.path.join(model_dir, "test", "labels.npy"))
    torch_logits = np.load(os.path.join(model_dir, "test", "torch_logits.npy"))
    count = min(args.limit or meta["num_test"], meta["num_test"])
    labels, torch_logits = labels[:count], torch_logits[:count]
    torch_pred = torch_logits.argmax(1)
    torch_top1 = float((torch_pred == labels).mean() * 100)
    print("model %s: %d parameters, trained in %.1f s; %d test images; PyTorch top-1 %.1f%% (model ready in %.1f s)"
          % (model_dir, meta["params"], meta["train_seconds"], count, torch_top1, time.time() - t0), flush=True)

    # fp32 first, so the others compare with it; int8-calib-forms after int8-minmax.
    order = sorted(names, key=lambda n: list(CASES).index(n))
    work = tempfile.mkdtemp(prefix="quant-acc-", dir=args.build_dir)
    results = {}  # name -> dict(top1, size, ok, detail)
    tally = harness.Tally(17)
    try:
        for name in order:
            flags, calib, tol, ref = CASES[name]
            proc, pkg, compile_s, cmd = compile_case(edgec, model_dir, name, work)
            res = {"top1": None, "size": None}
            if proc.returncode != 0 or not os.path.exists(pkg):
                ok = False
                detail = "not available: compile failed (exit %d): %s\n    command: %s" % (
                    proc.returncode, harness.edgec_message(proc.stdout), " ".join(cmd))
            elif name == "int8-calib-forms":
                res["size"] = os.path.getsize(pkg)
                other = os.path.join(work, "int8-minmax.edgepkg")
                if not os.path.exists(other):
                    compile_case(edgec, model_dir, "int8-minmax", work)
                if not os.path.exists(other):
                    ok, detail = False, "int8-minmax (from calib_npy/) did not compile, nothing to compare with"
                else:
                    with open(pkg, "rb") as a, open(other, "rb") as b:
                        same = a.read() == b.read()
                    ok = same
                    detail = ("package from calib_npz/ is %s the one from calib_npy/ (same 64 samples); compile %.2f s"
                              % ("byte-identical to" if same else "DIFFERENT from", compile_s))
            elif name == "int8-ref-bitexact":
                res["size"] = os.path.getsize(pkg)
                n = min(count, REF_IMAGES)
                try:
                    _, best = run_test_set(edgec, pkg, model_dir, meta, n, os.path.join(work, "out-bitexact-best"))
                    _, ref_logits = run_test_set(edgec, pkg, model_dir, meta, n, os.path.join(work, "out-bitexact-ref"),
                                                 env=dict(os.environ, EDGEC_KERNELS="ref"))
                except RuntimeError as e:
                    ok, detail = False, str(e)
                else:
                    same = int(np.sum(np.all(best.view(np.uint32) == ref_logits.view(np.uint32), axis=1)))
                    ok = same == n
                    detail = ("int8-minmax logits bit-identical with EDGEC_KERNELS=ref and the best kernels on %d/%d "
                              "images (max |diff| %.3g)" % (same, n, float(np.abs(best - ref_logits).max())))
            else:
                res["size"] = os.path.getsize(pkg)
                t1 = time.time()
                try:
                    pred, logits = run_test_set(edgec, pkg, model_dir, meta, count, os.path.join(work, "out-" + name))
                except RuntimeError as e:
                    ok, detail = False, str(e)
                else:
                    run_s = time.time() - t1
                    top1 = float((pred == labels).mean() * 100)
                    res["top1"] = top1
                    if ref == "torch" or "fp32" not in results or results["fp32"]["top1"] is None:
                        ref_name, ref_top1 = "PyTorch", torch_top1
                    else:
                        ref_name, ref_top1 = "fp32", results["fp32"]["top1"]
                    delta = top1 - ref_top1
                    ok = abs(delta) <= tol + 1e-9
                    agree = float((pred == torch_pred).mean() * 100)
                    detail = "top-1 %.1f%% (%s %.1f%%, delta %+.1f, allowed +-%g); same class as PyTorch on %.1f%%" % (
                        top1, ref_name, ref_top1, delta, tol, agree)
                    if name == "fp32":
                        err = float(np.abs(logits - torch_logits).max())
                        detail += "; max |logit - PyTorch| %.3g" % err
                    res["pred"], res["logits"] = pred, logits
                    if "fp32" in results and results["fp32"].get("logits") is not None:
                        res["sqnr"] = harness.sqnr_db(results["fp32"]["logits"], logits)
                        detail += "; SQNR vs fp32 %.1f dB" % res["sqnr"]
                    if name.startswith("auto-"):
                        ok_vs, vs = against_uniform(name, res, results, labels, edgec, model_dir, work)
                        ok = ok and ok_vs
                        detail += "; " + vs
                    detail += "; %.1f KiB; compile %.2f s, %d images in %.2f s" % (
                        res["size"] / 1024, compile_s, count, run_s)
            res["ok"] = ok
            results[name] = res
            tally.add(name, ok, detail)
    finally:
        harness.release_work(work, args.keep or tally.failed)

    fp32_size = results.get("fp32", {}).get("size")
    print("\n%-17s %8s %10s %8s  %s" % ("case", "top-1", "size KiB", "x fp32", "result"))
    for name in order:
        r = results[name]
        print("%-17s %8s %10s %8s  %s" % (
            name, "%.1f%%" % r["top1"] if r["top1"] is not None else "-",
            "%.1f" % (r["size"] / 1024) if r["size"] else "-",
            "%.2f" % (r["size"] / fp32_size) if r["size"] and fp32_size else "-",
            "PASS" if r["ok"] else "FAIL"))
    print("(PyTorch top-1 %.1f%% on the same %d images; total %.1f s)\n" % (torch_top1, count, time.time() - t0))
    return tally.finish(args.results_json)


if __name__ == "__main__":
    sys.exit(main())
