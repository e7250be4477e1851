"""llama.cpp as an outside reference for LLM generation: node-llama-cpp 3.22.1 (npm, with its
prebuilt CPU binaries @node-llama-cpp/linux-x64) driven by llama_cpp_run.mjs. A library.

  err = ensure(peers)                  # None, or why llama.cpp cannot be had (npm install on first use)
  tokens, logits = generate("m.gguf", [bos, 5, 9], 16, peers)     # greedy, from token ids
  results = run_jobs([{"model": ..., "prompt": [...], "n": 16}, ...], peers)   # one Node process

generate -> (16 ids, float64 [16, n_vocab] logits: row 0 the prompt's last position, row k
the decode step that consumed ids[k - 1]); prompt_logits=True also returns the logits of
every prompt position. llama.cpp runs on the CPU with `threads` threads, its default F16 KV
cache (kv_type="F32" for an F32 one), no flash attention. peers: an npm prefix, by
convention BUILD/peers (shared with onnxruntime-node, see qdq_vs_ort.py).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
VERSION = "3.22.1"
PACKAGES = ["node-llama-cpp@" + VERSION, "@node-llama-cpp/linux-x64@" + VERSION]


def ensure(peers):
    """node-llama-cpp VERSION and its linux-x64 binaries under peers, installed with npm on
    first use (--ignore-scripts: the prebuilt binaries need no install script; --omit=optional:
    not the CUDA/Vulkan/ARM binary packages). -> None, or an error message."""
    have = True
    for pkg in ("node-llama-cpp", os.path.join("@node-llama-cpp", "linux-x64")):
        try:
            with open(os.path.join(peers, "node_modules", pkg, "package.json")) as f:
                have = have and json.load(f)["version"] == VERSION
        except (OSError, ValueError, KeyError):
            have = False
    if have:
        return None
    if not shutil.which("npm") or not shutil.which("node"):
        return "node/npm not found: cannot install node-llama-cpp %s into %s" % (VERSION, peers)
    os.makedirs(peers, exist_ok=True)
    print("installing node-llama-cpp@%s into %s ..." % (VERSION, peers), flush=True)
    proc = subprocess.run(["npm", "install", "--prefix", peers, "--ignore-scripts", "--omit=optional", "--no-audit",
                           "--no-fund", "--save-exact", "--loglevel=error"] + PACKAGES,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        return "npm install node-llama-cpp@%s failed:\n%s" % (VERSION, proc.stdout.strip())
    return None


def run_jobs(jobs, peers):
    """Runs llama_cpp_run.mjs on jobs (dicts: model, prompt, n, and optional threads, kv_type,
    prompt_logits) in one Node process; returns its result dicts in order (ok, error, tokens,
    logits, prompt_logits). Raises RuntimeError when the script itself fails."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(jobs, f)
        jobs_file = f.name
    try:
        proc = subprocess.run(["node", os.path.join(HERE, "llama_cpp_run.mjs"), "--peers", peers, "--jobs", jobs_file],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    finally:
        os.unlink(jobs_file)
    results = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or len(results) != len(jobs):
        raise RuntimeError("llama_cpp_run.mjs failed (exit %d, %d of %d results): %s" %
                           (proc.returncode, len(results), len(jobs), proc.stderr.strip()[-2000:]))
    return results


def run_jobs_or_fail(jobs, peers):
    """run_jobs, where a failure of the script itself fails every job (ok False, its error)
    instead of raising: each case then reports it."""
    try:
        return run_jobs(jobs, peers)
    except RuntimeError as e:
        return [dict(ok=False, error=str(e))] * len(jobs)


def harness_setup(doc, cases, enabled, kept, add_arguments=None):
    """The command line every harness checking edgec against llama.cpp shares (doc: its
    help; --build-dir, --cases from cases (default: enabled), --results-json, --keep (kept:
    what the work directory holds), --peers; add_arguments(parser) adds its own), with
    llama.cpp installed. -> (args, case names, absolute build folder, peers); when llama.cpp
    cannot be had, exits reporting every case failed."""
    import harness
    p = harness.parser(doc)
    harness.add_cases_argument(p, "--cases", enabled)
    harness.add_results_arguments(p, kept)
    p.add_argument("--peers", help="npm prefix holding node-llama-cpp (default BUILD/peers)")
    if add_arguments:
        add_arguments(p)
    args = p.parse_args()
    names = harness.select_cases(p, args.cases, cases, enabled)
    build = os.path.abspath(args.build_dir)
    peers = os.path.abspath(args.peers or os.path.join(build, "peers"))
    problem = ensure(peers)
    if problem:
        sys.exit(harness.setup_failed(problem, len(names)))
    os.makedirs(build, exist_ok=True)
    return args, names, build, peers


def generate(model, prompt, n, peers, threads=1, kv_type="F16", prompt_logits=False):
    """Greedy continuation of n tokens -> (ids, logits [n, n_vocab]) (and the prompt's logits
    [len(prompt), n_vocab] third when prompt_logits). Raises RuntimeError with llama.cpp's error."""
    r = run_jobs([dict(model=os.path.abspath(model), prompt=[int(t) for t in prompt], n=int(n), threads=threads,
                       kv_type=kv_type, prompt_logits=prompt_logits)], peers)[0]
    if not r["ok"]:
        raise RuntimeError("llama.cpp on %s: %s" % (model, r["error"]))
    out = (r["tokens"], np.array(r["logits"], np.float64))
    return out + (np.array(r["prompt_logits"], np.float64),) if prompt_logits else out
