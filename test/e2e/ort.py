"""ONNX Runtime as an outside reference: onnxruntime-node VERSION (npm, CPU) driven by
ort_run.mjs. A library, shared by qdq_vs_ort.py, run_e2e.py, dynamic_shapes.py and
data_dependent.py.

  err = ensure(peers)        # None, or why ORT cannot be had (npm install on first use)
  results = run_jobs([{"model": M.onnx, "inputs": {NAME: FILE.npy}, "output_dir": DIR}, ...],
                     work, peers)           # one Node process, in order: ok, error, outputs
  arrays = outputs(result)   # {output name: array}

ORT runs single-threaded with graph optimizations 'all' (ONNX Runtime's default; opt_level
"disabled" runs the graph node by node). peers: an npm prefix, by convention BUILD/peers
(shared with node-llama-cpp, see llama_cpp.py).
"""
import json
import os
import shutil
import subprocess
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
VERSION = "1.30.0"


def ensure(peers):
    """onnxruntime-node VERSION under peers, installed with npm on first use. -> None, or
    an error message (for harness.setup_failed or the cases that need ORT)."""
    pkg = os.path.join(peers, "node_modules", "onnxruntime-node", "package.json")
    try:
        with open(pkg) as f:
            if json.load(f)["version"] == VERSION:
                return None
    except (OSError, ValueError, KeyError):
        pass
    if not shutil.which("npm") or not shutil.which("node"):
        return "node/npm not found: cannot install onnxruntime-node %s into %s" % (VERSION, peers)
    os.makedirs(peers, exist_ok=True)
    print("installing onnxruntime-node@%s into %s ..." % (VERSION, peers), flush=True)
    # --ignore-scripts: the package carries the CPU libonnxruntime.so; its install script only fetches GPU parts.
    # --omit=optional: the prefix also holds node-llama-cpp, whose optional GPU builds are ~600 MB.
    proc = subprocess.run(["npm", "install", "--prefix", peers, "--ignore-scripts", "--omit=optional", "--no-audit", "--no-fund",
                           "--save-exact", "--loglevel=error", "onnxruntime-node@" + VERSION],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        return "npm install onnxruntime-node@%s failed:\n%s" % (VERSION, proc.stdout.strip())
    return None


def run_jobs(jobs, work, peers, opt_level="all"):
    """Runs the jobs (dicts: model, inputs {name: .npy}, output_dir) in one Node process,
    single-threaded; returns ort_run.mjs's result dicts in the jobs' order (a model ORT
    rejects is a result with ok false and its error). Raises RuntimeError when the script
    itself fails."""
    os.makedirs(work, exist_ok=True)
    jobs_file = os.path.join(work, "ort-jobs-%d.json" % len(os.listdir(work)))
    with open(jobs_file, "w") as f:
        json.dump(jobs, f)
    proc = subprocess.run(["node", os.path.join(HERE, "ort_run.mjs"), "--peers", peers, "--jobs", jobs_file,
                           "--opt-level", opt_level, "--threads", "1"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    results = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or len(results) != len(jobs):
        raise RuntimeError("ort_run.mjs failed (exit %d, %d of %d results): %s" %
                           (proc.returncode, len(results), len(jobs), proc.stderr.strip()[-2000:]))
    return results


def check_cases(cases, work, peers):
    """Runs every case's job in one Node process and yields (case, ok, detail). A case is
    (name, job, judge): judge(ORT's outputs, {name: array}) -> (ok, detail) compares
    edgec's outputs with them, or is a string saying why edgec gave none."""
    problem = ensure(peers)
    results = []
    if not problem:
        try:
            results = run_jobs([job for _, job, _ in cases], work, peers)
        except RuntimeError as e:
            problem = str(e)
    for i, (case, _, judge) in enumerate(cases):
        if problem:
            yield case, False, "ONNX Runtime %s unavailable: %s" % (VERSION, problem)
        elif isinstance(judge, str):
            yield case, False, "no edgec output (best kernels): %s" % judge
        else:
            try:
                ok, detail = judge(outputs(results[i]))
            except (RuntimeError, KeyError) as e:
                yield case, False, "ONNX Runtime gave no output: %s" % e
                continue
            yield case, ok, "vs ORT %s: %s" % (VERSION, detail)


def run_model_harness(doc, prefix, width, models, check_model, extra=None):
    """The main of a harness that checks PyTorch models through edgec against PyTorch and
    ORT (dynamic_shapes.py, data_dependent.py): each (name, factory) of `models` through
    check_model(name, factory, edgec, work, ort_cases), which yields PyTorch cases and
    records ORT ones (check_cases), then extra(edgec, work)'s cases. -> exit status."""
    import harness
    p = harness.parser(doc)
    p.add_argument("--peers", help="npm prefix holding onnxruntime-node (default BUILD/peers, installed on first use)")
    harness.add_results_arguments(p, "the exported models, packages, inputs and outputs")
    args = p.parse_args()
    edgec = os.path.join(os.path.abspath(args.build_dir), "bin", "edgec")
    peers = os.path.abspath(args.peers or os.path.join(args.build_dir, "peers"))
    if not os.access(edgec, os.X_OK):
        return harness.setup_failed("no edgec binary at %s" % edgec)
    import torch
    torch.set_num_threads(1)
    work = tempfile.mkdtemp(prefix=prefix, dir=os.path.abspath(args.build_dir))
    tally = harness.Tally(width)
    ort_cases = []
    try:
        for name, factory in models:
            try:
                for case, ok, detail in check_model(name, factory, edgec, work, ort_cases):
                    tally.add(case, ok, detail)
            except Exception as e:  # a broken export is a failure of its model, not a crash
                tally.add(name, False, "%s: %s" % (type(e).__name__, e))
        for case, ok, detail in check_cases(ort_cases, work, peers):
            tally.add(case, ok, detail)
        for case, ok, detail in (extra(edgec, work) if extra else []):
            tally.add(case, ok, detail)
    finally:
        harness.release_work(work, args.keep or tally.failed)
    return tally.finish(args.results_json)


def outputs(result):
    """{output name: array} of one job's result; raises RuntimeError with ORT's error."""
    if not result["ok"]:
        raise RuntimeError("ONNX Runtime failed on %s: %s" % (result["model"], result["error"]))
    return {o["name"]: np.load(o["file"]) for o in result["outputs"]}
