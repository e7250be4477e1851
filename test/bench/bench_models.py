#!/usr/bin/python3
"""Side-by-side latency benchmark: edgec against ONNX Runtime (CPU) on the same models.

Run it through scripts/bench.sh, which installs the peer (onnxruntime-node, into
build/peers), builds edgec and then runs this script. This is a measurement for people
to read, not a test: nothing here is asserted, and the exit status is non-zero only if
something could not run at all.

Models: the MLP (1x784), MobileNetV2 and ResNet-18 (1x3x224x224) and the transformer
encoder that the end-to-end check
test/e2e/run_e2e.py builds (random fixed-seed weights); its model and export code is
imported from there, so both exercises use the same ONNX files. Each model is exported
once, compiled once with `edgec compile --target host`, and the same .onnx file and the
same input go to both sides.

Method, per model:
  * both sides with the same thread count (--threads, default 1): edgec run --threads T;
    ONNX Runtime gets intraOpNumThreads = T, interOpNumThreads = 1, sequential
    execution, graph optimization level 'all' (test/bench/ort_runner.mjs);
  * both processes pinned to the same cores with `taskset -c CORE,...` (T of them);
  * each round runs each side once as a fresh process: W untimed warmup runs, then R
    timed runs; the round's latency for that side is the median of its R runs
    (edgec: from `edgec run --warmup W --repeat R -q`; ONNX Runtime: hrtime around each
    `await session.run()`);
  * N rounds, alternating which side goes first, so slow drift (thermal, other load on
    the machine) hits both;
  * reported: each side's median of its per-round medians, and the median of the
    per-round ratios edgec/ORT (< 1 means edgec is faster), with their min..max;
  * numeric agreement: max |edgec - ORT| over the output (also relative to max|ORT|,
    and each side against PyTorch's own output).

Results go to BUILD/bench/results.json (and the work files under BUILD/bench/<model>/).
"""
import argparse
import importlib.util
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUNNER = os.path.join(ROOT, "test", "bench", "ort_runner.mjs")
E2E = os.path.join(ROOT, "test", "e2e", "run_e2e.py")
LATENCY_RE = re.compile(r"latency: median ([0-9.]+) ms over (\d+) runs? \(min ([0-9.]+) ms, max ([0-9.]+) ms\)")


class BenchError(Exception):
    pass


def load_e2e():
    """test/e2e/run_e2e.py as a module (its main() only runs as a script)."""
    sys.dont_write_bytecode = True  # leave no __pycache__ next to the e2e test
    spec = importlib.util.spec_from_file_location("edgec_e2e", E2E)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def run(cmd, what):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise BenchError("%s failed (exit %d): %s\n%s%s" % (what, proc.returncode, shlex.join(cmd),
                                                           proc.stdout, proc.stderr))
    return proc.stdout


def prepare(e2e, name, factory, edgec, work):
    """Export the model to ONNX, write its input (.npy for edgec, raw .bin for ORT), compile."""
    mdir = os.path.join(work, name)
    if os.path.isdir(mdir):
        shutil.rmtree(mdir)
    os.makedirs(mdir)
    onnx_path = os.path.join(mdir, name + ".onnx")
    model, shape = factory()
    x, ref = e2e.export(model, shape, onnx_path)
    x = np.ascontiguousarray(x, dtype="<f4")
    np.save(os.path.join(mdir, "input.npy"), x)
    x.tofile(os.path.join(mdir, "input.bin"))
    pkg = os.path.join(mdir, name + ".edgepkg")
    t0 = time.time()
    run([edgec, "compile", onnx_path, "--target", "host", "-q", "-o", pkg], "edgec compile " + name)
    return {
        "dir": mdir, "onnx": onnx_path, "pkg": pkg, "shape": list(shape), "ref": ref,
        "x_npy": os.path.join(mdir, "input.npy"), "x_bin": os.path.join(mdir, "input.bin"),
        "edgec_out": os.path.join(mdir, "edgec_out"), "ort_out": os.path.join(mdir, "ort_out"),
        "compile_s": time.time() - t0,
    }


def cores(args):
    """The cores both sides are pinned to: --core and the next --threads - 1."""
    return ",".join(str(args.core + i) for i in range(args.threads))


def edgec_cmd(args, edgec, m):
    return ["taskset", "-c", cores(args), edgec, "run", m["pkg"], "--input", "input=" + m["x_npy"],
            "--output-dir", m["edgec_out"], "--warmup", str(args.warmup), "--repeat", str(args.repeat),
            "--threads", str(args.threads), "-q"]


def ort_cmd(args, m):
    return ["taskset", "-c", cores(args), args.node, RUNNER, "--peers", args.peers, "--model", m["onnx"],
            "--input-name", "input", "--input", m["x_bin"], "--shape", ",".join(map(str, m["shape"])),
            "--warmup", str(args.warmup), "--repeat", str(args.repeat), "--output-dir", m["ort_out"],
            "--threads", str(args.threads)]


def time_edgec(cmd):
    out = run(cmd, "edgec run")
    found = LATENCY_RE.search(out)
    if not found:
        raise BenchError("no latency line in the output of %s:\n%s" % (shlex.join(cmd), out))
    # edgec prints the median, min and max of its runs (not every run time).
    return {"median_ms": float(found.group(1)), "min_ms": float(found.group(3)), "max_ms": float(found.group(4))}


def time_ort(cmd):
    out = run(cmd, "ort_runner")
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if not lines:
        raise BenchError("no JSON line in the output of %s:\n%s" % (shlex.join(cmd), out))
    return json.loads(lines[-1])


def agreement(m, ort_outputs):
    """Max abs difference edgec vs ORT (and each vs PyTorch) on the model's output."""
    if len(ort_outputs) != 1:
        raise BenchError("expected one output, ONNX Runtime gives %d" % len(ort_outputs))
    o = ort_outputs[0]
    if o["dtype"] != "float32":
        raise BenchError("ONNX Runtime output is %s, expected float32" % o["dtype"])
    ort = np.fromfile(o["file"], dtype="<f4").reshape(o["shape"]).astype(np.float64)
    edgec_file = os.path.join(m["edgec_out"], o["name"].replace("/", "_") + ".npy")
    if not os.path.exists(edgec_file):
        raise BenchError("edgec wrote no %s" % edgec_file)
    got = np.load(edgec_file)
    if list(got.shape) != list(ort.shape):
        raise BenchError("edgec output shape %s, ONNX Runtime %s" % (list(got.shape), list(ort.shape)))
    got = got.astype(np.float64)
    ref = m["ref"].astype(np.float64).reshape(ort.shape)
    scale = float(np.max(np.abs(ort)))
    max_abs = float(np.max(np.abs(got - ort)))
    return {
        "output": o["name"],
        "max_abs_diff": max_abs,
        "max_abs_diff_rel_to_max_ort": max_abs / scale if scale else None,
        "max_abs_ort": scale,
        "argmax_equal": int(np.argmax(got)) == int(np.argmax(ort)),
        "edgec_vs_torch_max_abs": float(np.max(np.abs(got - ref))),
        "ort_vs_torch_max_abs": float(np.max(np.abs(ort - ref))),
    }


def bench_model(args, edgec, name, m):
    rounds = []
    for r in range(args.rounds):
        order = ["edgec", "ort"] if r % 2 == 0 else ["ort", "edgec"]
        res = {}
        for side in order:
            if side == "edgec":
                res["edgec"] = time_edgec(edgec_cmd(args, edgec, m))
            else:
                res["ort"] = time_ort(ort_cmd(args, m))
        ratio = res["edgec"]["median_ms"] / res["ort"]["median_ms"]
        rounds.append({"order": order, "edgec": res["edgec"], "ort": res["ort"], "ratio": ratio})
        print("  %-14s round %d/%d (%s first): edgec %s, ORT %s, edgec/ORT %.3f" %
              (name, r + 1, args.rounds, order[0], fmt_ms(res["edgec"]["median_ms"]),
               fmt_ms(res["ort"]["median_ms"]), ratio), flush=True)
    ratios = [r["ratio"] for r in rounds]
    last_ort = rounds[-1]["ort"]
    return {
        "input_shape": m["shape"],
        "onnx": os.path.relpath(m["onnx"], ROOT),
        "package": os.path.relpath(m["pkg"], ROOT),
        "compile_s": round(m["compile_s"], 3),
        "edgec_median_ms": statistics.median(r["edgec"]["median_ms"] for r in rounds),
        "ort_median_ms": statistics.median(r["ort"]["median_ms"] for r in rounds),
        "ratio_median": statistics.median(ratios),
        "ratio_min": min(ratios),
        "ratio_max": max(ratios),
        "ort_js_hop_us": statistics.median(r["ort"]["js_hop_us"] for r in rounds),
        "agreement": agreement(m, last_ort["outputs"]),
        "commands": {"edgec": shlex.join(edgec_cmd(args, edgec, m)), "ort": shlex.join(ort_cmd(args, m))},
        "rounds": [{"order": r["order"], "ratio": r["ratio"], "edgec": r["edgec"],
                    "ort": {k: r["ort"][k] for k in ("median_ms", "min_ms", "max_ms", "times_ms", "js_hop_us")}}
                   for r in rounds],
    }


def fmt_ms(v):
    return "%.1f us" % (v * 1e3) if v < 1 else "%.3f ms" % v


def environment(args, edgec):
    env = {"host": platform.node(), "kernel": platform.release(), "nproc": os.cpu_count(),
           "core": args.core, "edgec": edgec, "EDGEC_KERNELS": os.environ.get("EDGEC_KERNELS")}
    try:
        with open("/proc/cpuinfo") as f:
            names = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
        env["cpu"] = names[0] if names else None
    except OSError:
        env["cpu"] = None
    try:
        env["loadavg_start"] = os.getloadavg()[0]
    except OSError:
        pass
    try:
        rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True)
        env["edgec_git"] = rev.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "") if rev.returncode == 0 else None
    except OSError:
        env["edgec_git"] = None
    env["node"] = run([args.node, "--version"], "node --version").strip()
    return env


def reproduce_command(args):
    parts = ["scripts/bench.sh", "--rounds", str(args.rounds), "--repeat", str(args.repeat),
             "--warmup", str(args.warmup), "--core", str(args.core)]
    for name in args.only or []:
        parts += ["--only", name]
    return shlex.join(parts)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    parser.add_argument("--peers", help="npm prefix holding node_modules/onnxruntime-node (default BUILD/peers)")
    parser.add_argument("--node", default="node", help="node executable (default: node on PATH)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per model, alternating who goes first (5)")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per side per round (20)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed runs per side per round before timing (5)")
    parser.add_argument("--core", type=int, default=0, help="CPU core both sides are pinned to with taskset (0)")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads for both sides (edgec --threads, ORT intraOpNumThreads), pinned to cores "
                             "CORE..CORE+THREADS-1 (1)")
    parser.add_argument("--only", action="append", help="benchmark only this model (repeatable)")
    args = parser.parse_args()
    if args.rounds < 1 or args.repeat < 1 or args.warmup < 0:
        parser.error("--rounds and --repeat must be >= 1, --warmup >= 0")

    build = os.path.abspath(args.build_dir)
    args.peers = os.path.abspath(args.peers or os.path.join(build, "peers"))
    edgec = os.path.join(build, "bin", "edgec")
    problems = []
    if not os.access(edgec, os.X_OK):
        problems.append("no edgec binary at %s (build it: scripts/build.sh)" % edgec)
    if shutil.which("taskset") is None:
        problems.append("taskset not found (Debian package util-linux)")
    if shutil.which(args.node) is None:
        problems.append("node not found (%s)" % args.node)
    if not os.path.isdir(os.path.join(args.peers, "node_modules", "onnxruntime-node")):
        problems.append("onnxruntime-node is not installed under %s (scripts/bench.sh installs it)" % args.peers)
    for core in range(args.core, args.core + max(args.threads, 1)):
        if core not in os.sched_getaffinity(0):
            problems.append("core %d is not one this process may run on (allowed: %s)" %
                            (core, sorted(os.sched_getaffinity(0))))
    if problems:
        for p in problems:
            print("error: " + p, file=sys.stderr)
        return 2
    if os.environ.get("EDGEC_KERNELS"):
        print("note: EDGEC_KERNELS=%s is set; edgec runs with those kernels" % os.environ["EDGEC_KERNELS"])

    e2e = load_e2e()
    import torch
    torch.set_num_threads(1)  # the export only; keep off the other (shared) cores

    models = [(n, f) for n, f in e2e.MODELS if not args.only or n in args.only]
    unknown = set(args.only or []) - {n for n, _ in e2e.MODELS}
    if unknown:
        print("error: unknown model(s) %s (known: %s)" % (", ".join(sorted(unknown)),
                                                        ", ".join(n for n, _ in e2e.MODELS)), file=sys.stderr)
        return 2

    work = os.path.join(build, "bench")
    os.makedirs(work, exist_ok=True)
    env = environment(args, edgec)
    print("edgec %s vs ONNX Runtime (onnxruntime-node, CPU), both with %d thread%s, pinned to core(s) %s; "
          "%d rounds x (%d warmup + %d timed runs) per side" %
          (env.get("edgec_git") or "", args.threads, "" if args.threads == 1 else "s", cores(args), args.rounds,
           args.warmup, args.repeat), flush=True)

    results = {}
    failed = []
    for name, factory in models:
        try:
            print("%s: export + compile ..." % name, flush=True)
            m = prepare(e2e, name, factory, edgec, work)
            results[name] = bench_model(args, edgec, name, m)
        except BenchError as e:
            print("%s: FAILED: %s" % (name, e), flush=True)
            failed.append(name)
    ort_version = None
    try:
        with open(os.path.join(args.peers, "node_modules", "onnxruntime-node", "package.json")) as f:
            ort_version = json.load(f)["version"]
    except (OSError, ValueError, KeyError):
        pass
    env["onnxruntime_node"] = ort_version
    try:
        env["loadavg_end"] = os.getloadavg()[0]
    except OSError:
        pass

    # The table.
    print()
    print("edgec vs ONNX Runtime %s, %d thread%s, core(s) %s, %d rounds x %d runs (median of per-round medians)"
          % (ort_version, args.threads, "" if args.threads == 1 else "s", cores(args), args.rounds, args.repeat))
    header = ("model", "input", "edgec", "ORT", "edgec/ORT", "range", "max|edgec-ORT|", "rel", "argmax")
    rows = []
    for name, r in results.items():
        a = r["agreement"]
        rows.append((name, "x".join(map(str, r["input_shape"])), fmt_ms(r["edgec_median_ms"]),
                     fmt_ms(r["ort_median_ms"]), "%.3f" % r["ratio_median"],
                     "%.3f-%.3f" % (r["ratio_min"], r["ratio_max"]), "%.3g" % a["max_abs_diff"],
                     "%.3g" % a["max_abs_diff_rel_to_max_ort"] if a["max_abs_diff_rel_to_max_ort"] is not None else "-",
                     "same" if a["argmax_equal"] else "DIFFERS"))
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    for row in [header] + rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip())
    print("edgec/ORT is the median of the per-round ratios (< 1: edgec faster); range is its min-max over rounds;")
    print("rel is max|edgec-ORT| / max|ORT output|. edgec reports its latency to 1 us; ORT's times include the")
    print("node binding's per-call cost (its setImmediate hop alone: median %s us)."
          % ", ".join("%s %.1f" % (n, r["ort_js_hop_us"]) for n, r in results.items()))
    print()
    print("reproduce (from %s):" % ROOT)
    print("  " + reproduce_command(args))
    print("one round, by hand:")
    for name, r in results.items():
        print("  " + r["commands"]["edgec"])
        print("  " + r["commands"]["ort"])

    out = {"method": {"rounds": args.rounds, "repeat": args.repeat, "warmup": args.warmup, "core": args.core,
                      "threads": args.threads, "ort_session_options": {"intraOpNumThreads": args.threads, "interOpNumThreads": 1,
                                                            "executionMode": "sequential",
                                                            "graphOptimizationLevel": "all"},
                      "summary": "per side: median of per-round medians; ratio: median of per-round "
                                 "edgec/ORT medians (< 1: edgec faster)"},
           "environment": env, "reproduce": reproduce_command(args), "models": results, "failed": failed}
    path = os.path.join(work, "results.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("results: %s" % path)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
