"""What the e2e harness scripts (quant_accuracy.py, lm_accuracy.py, qdq_vs_ort.py,
run_e2e.py) and the model scripts of the accuracy checks (quant_models.py, lm_models.py) share:
the common command-line options, case selection, running edgec as a user does, the
per-case PASS/FAIL lines with the "N passed, N failed" ending and --results-json, and the
build-tree model cache. A library, not a script.
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time


def parser(doc):
    """The argument parser of a harness script: its docstring as the help, and --build-dir."""
    p = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build-dir", default="/work/main/build")
    return p


def add_cases_argument(p, flag, enabled):
    p.add_argument(flag, help="comma-separated cases, or 'all' (default: %s)" % ",".join(enabled))


def add_results_arguments(p, kept):
    """--results-json and --keep; kept: what the work directory holds, for --keep's help."""
    p.add_argument("--results-json", metavar="FILE",
                   help="also write [{case, ok, detail}] to FILE (how run_e2e.py collects the cases)")
    p.add_argument("--keep", action="store_true", help="keep the work directory (%s)" % kept)


def select_cases(p, spec, cases, enabled):
    """The case names a --precisions/--cases value asks for: 'all', a comma-separated list, or
    (no value) the enabled list; an unknown name is a usage error."""
    if spec == "all":
        names = list(cases)
    elif spec:
        names = [c.strip() for c in spec.split(",") if c.strip()]
    else:
        names = list(enabled)
    unknown = [n for n in names if n not in cases]
    if unknown:
        p.error("unknown case(s) %s; known: %s" % (", ".join(unknown), ", ".join(cases)))
    return names


def accuracy_setup(doc, cases, enabled, models, cache, unit):
    """What quant_accuracy.py and lm_accuracy.py do first: their shared command line (cache:
    the model cache's default folder under BUILD/test; unit: what --limit counts), the edgec
    binary (none: one failed case, exit status 1) and the model of models (quant_models or
    lm_models), trained if not cached. -> (args with an absolute build_dir, case names,
    edgec, model folder, its meta.json)."""
    p = parser(doc)
    p.add_argument("--cache", help="model cache (default BUILD/test/%s)" % cache)
    add_cases_argument(p, "--precisions", enabled)
    p.add_argument("--limit", type=int, help="use only the first N test %s" % unit)
    add_results_arguments(p, "packages, outputs")
    args = p.parse_args()
    names = select_cases(p, args.precisions, cases, enabled)
    if args.limit is not None and args.limit < 1:
        p.error("--limit must be at least 1")
    args.build_dir = os.path.abspath(args.build_dir)
    edgec = os.path.join(args.build_dir, "bin", "edgec")
    if not os.access(edgec, os.X_OK):
        sys.exit(setup_failed("no edgec binary at %s" % edgec))
    model_dir = models.ensure(args.cache or os.path.join(args.build_dir, "test", cache))
    with open(os.path.join(model_dir, "meta.json")) as f:
        return args, names, edgec, model_dir, json.load(f)


def setup_failed(problem, count=1):
    """Reports a harness that cannot start as failed cases (exit status 1), not a crash."""
    print("FAIL: %s" % problem)
    print("0 passed, %d failed" % count)
    return 1


def sqnr_db(ref, got):
    """10 log10(sum ref^2 / sum (ref - got)^2) in float64; inf when identical."""
    import numpy as np
    ref, got = np.asarray(ref, np.float64), np.asarray(got, np.float64)
    noise = np.sum((got - ref) ** 2)
    return 10 * np.log10(np.sum(ref ** 2) / noise) if noise > 0 else float("inf")


def edgec_message(text):
    """edgec's error on one line: its 'edgec: error:' lines, else everything it printed."""
    lines = [l.strip() for l in text.strip().splitlines() if l.strip()]
    errors = [l for l in lines if "error" in l.lower()]
    return " | ".join(errors or lines) or "(no output)"


def run_captured(cmd, **kwargs):
    """subprocess.run with stdout and stderr together as text. A program that cannot start
    (edgec replaced or unreadable mid-run) gives a failed process (exit 127) that says why,
    so the case fails instead of the harness crashing."""
    try:
        return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)
    except OSError as e:
        return subprocess.CompletedProcess(cmd, 127, stdout="edgec: error: cannot run %s: %s" % (cmd[0], e))


def compile_package(edgec, model, flags, pkg, calib=None):
    """`edgec compile MODEL FLAGS [--calib CALIB] -q -o PKG` -> (process, seconds, command)."""
    cmd = [edgec, "compile", model] + list(flags)
    if calib:
        cmd += ["--calib", calib]
    cmd += ["-q", "-o", pkg]
    t0 = time.time()
    proc = run_captured(cmd)
    return proc, time.time() - t0, cmd


class Tally:
    """The per-case lines ("NAME PASS|FAIL  detail", NAME padded to width), the counts and
    the cases for --results-json."""

    def __init__(self, width):
        self.width, self.passed, self.failed, self.cases = width, 0, 0, []

    def add(self, case, ok, detail):
        print("%-*s %s  %s" % (self.width, case, "PASS" if ok else "FAIL", detail), flush=True)
        self.cases.append({"case": case, "ok": bool(ok), "detail": detail})
        self.passed += bool(ok)
        self.failed += not ok

    def finish(self, results_json=None):
        """Prints "N passed, N failed" (the last line, which test/run_tests.py reads), writes
        the cases to results_json when given, and returns the exit status."""
        print("%d passed, %d failed" % (self.passed, self.failed))
        if results_json:
            with open(results_json, "w") as f:
                json.dump(self.cases, f, indent=1)
        return 1 if self.failed else 0


def release_work(work, keep):
    """Keeps the work directory when asked (--keep, or a case failed) and says where; else removes it."""
    if keep:
        print("work directory kept: %s" % work)
    else:
        shutil.rmtree(work, ignore_errors=True)


def cached_model(cache, prefix, script, generate, how_long, log=None):
    """CACHE/<prefix>-<hash>/, <hash> the first 12 hex digits of the SHA-256 of the model
    script's own source, so editing the script makes a new model. If missing it is made by
    generate(folder, log), which writes the files and returns the fields of meta.json (written
    here, with the hash first); how_long: the training time, for the log line. The folder
    appears complete or not at all (written under a temporary name and renamed); once a new
    one exists, the folders of earlier versions of the script (other hashes) are removed."""
    log = log or (lambda s: print(s, file=sys.stderr, flush=True))
    with open(script, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:12]
    folder = os.path.join(os.path.abspath(cache), prefix + "-" + digest)
    if os.path.exists(os.path.join(folder, "meta.json")):
        return folder
    os.makedirs(cache, exist_ok=True)
    tmp = folder + ".tmp-%d" % os.getpid()
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    log("%s: generating %s (training takes about %s)" % (os.path.basename(script)[:-3], folder, how_long))
    try:
        meta = dict(hash=digest, **generate(tmp, log))
        with open(os.path.join(tmp, "meta.json"), "w") as f:
            json.dump(meta, f, indent=1)
        os.rename(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    for old in os.listdir(cache):
        if old.startswith(prefix + "-") and ".tmp-" not in old and old != os.path.basename(folder):
            shutil.rmtree(os.path.join(cache, old), ignore_errors=True)
    return folder


def run_files(edgec, pkg, folder, files, input_name, output_name, chunk, out_dir, env=None):
    """Runs the package on each file of folder as its input input_name, chunk files per
    `edgec run` call (run from folder so the argument list stays short; call k writes
    OUTPUT.<k>.npy, a single-file call OUTPUT.npy); yields each file's output path in order.
    Raises RuntimeError with edgec's message."""
    for start in range(0, len(files), chunk):
        part = files[start:start + chunk]
        d = os.path.join(out_dir, "c%d" % (start // chunk))
        os.makedirs(d)
        proc = run_captured([edgec, "run", pkg, "-q", "--input", "%s=%s" % (input_name, ",".join(part)),
                             "--output-dir", d], cwd=folder, env=env)
        if proc.returncode != 0:
            raise RuntimeError("edgec run failed (exit %d) on %s..%s:\n%s" %
                               (proc.returncode, part[0], part[-1], proc.stdout.strip()))
        names = [output_name + ".npy"] if len(part) == 1 else ["%s.%d.npy" % (output_name, k) for k in range(len(part))]
        for n in names:
            yield os.path.join(d, n)
