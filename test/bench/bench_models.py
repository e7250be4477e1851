#!/usr/bin/python3
"""Side-by-side latency benchmark: edgec against ONNX Runtime (CPU) on the same models,
fp32 and static INT8, at one or more thread counts.

Run it through scripts/bench.sh, which installs the peer (onnxruntime-node, into
build/peers), builds edgec and then runs this script. This is a measurement for people
to read, not a test: nothing here is asserted, and the exit status is non-zero only if
something could not run at all (a model that fails is named, with the command and its
output, and the others still run).

Models: every model of the end-to-end check test/e2e/run_e2e.py (random fixed-seed
weights; its model and export code is imported from there, so both exercises use the same
ONNX files): the MLP, MobileNetV2, ResNet-18, ShuffleNetV2, EfficientNet-B0 (SiLU and
squeeze-excitation), MobileNetV3-small (HardSwish), a U-Net, the transformer encoder and a
GPT-style decoder with a causal mask (both at sequence 16/32 there, and here also at 128:
transformer_s128, gpt_decoder_s128), LSTM and GRU models and a scripted-If model, so that
the benchmark covers more kinds of models than the ones tuned on.

Four sides per model (--precision picks fp32, int8 or both):
  edgec fp32   `edgec compile --target host` of the ONNX file, run by `edgec-run` (the
               runtime-only runner: `edgec run` without the compiler, what a deployment
               links);
  ORT fp32     the same ONNX file in ONNX Runtime;
  edgec int8   `edgec compile --precision int8 --calib DIR [--calib-method M]`, DIR holding
               --calib-samples (32) fixed-seed .npy samples drawn like the benchmark input
               (standard normal of the input's shape; for the transformer that is its float
               activations input) but from other seeds;
  ORT int8     the same model quantized the same way, as a QDQ ONNX model
               (test/bench/qdq_model.py): every value edgec made int8 gets a
               QuantizeLinear/DequantizeLinear pair with the scale and zero point that
               edgec's package holds for it (read from `edgec inspect --tensors` and mapped
               back through the ONNX node names the package tensors carry), weights int8
               per output channel with edgec's formula (max|w|/127, zero point 0), biases
               int32 with scale input scale x weight scale; what edgec keeps float stays
               float. Activations are written as uint8 with zero point + 128 (--ort-act-type
               uint8, the default): the same grid and the same clamping as edgec's int8
               values, and what ONNX Runtime runs best on x86 (its own qdq_s8_to_u8 rewrite
               does the same, but not for a tensor that several ops read, which then stays
               float); --ort-act-type int8 writes them as int8. Reading the parameters from
               the package (rather than recomputing them from recorded ranges) makes both
               sides run exactly one quantization, whatever the calibration method.
ONNX Runtime fuses the QDQ groups into its integer kernels (QLinearConv, QGemm,
QLinearMatMul, QLinearAdd, ...); how many it fused, and any float Conv/MatMul/Gemm left,
is counted in the optimized graph it saves (printed per model).

Method, per model:
  * every side with the same thread count T, for each T in --threads (default 1,2):
    edgec run --threads T; ONNX Runtime gets intraOpNumThreads = T, interOpNumThreads =
    1, sequential execution, graph optimization level 'all' (test/bench/ort_runner.mjs);
  * every process pinned to the same cores with `taskset -c CORE,...` (T of them), and
    with --realtime run under `chrt -f 10` (SCHED_FIFO): on a machine that other jobs
    share, both engines then take the cores whenever they run, which kept the per-round
    ratios within a few percent where plain runs spread by 2x (docs/performance.md);
  * each round runs each side once per T as a fresh process: W untimed warmup runs, then
    R timed runs; the round's latency for that side is the median of its R runs (edgec:
    from `edgec run --warmup W --repeat R -q`; ONNX Runtime: hrtime around each `await
    session.run()`);
  * N rounds; within a round the thread counts take turns and the sides run in one order
    and then in the reverse order (alternating from round to round), so slow drift
    (thermal, other load on the machine) hits every side;
  * at T >= 2, each round is labelled by where the host placed the first two cores
    (test/bench/core_placement.cpp, run before and after the round): "near" cores,
    "far" ones (a cache line's round trip between them over 200 ns: on this benchmark's
    VM it is ~110 ns or ~300 ns, as the host moves the vCPUs, and MobileNetV2 at two
    threads took 2.7 or 4.4 ms accordingly), "shared" (hyperthread siblings of one core,
    or the second core taken by another job: a second thread of FMA work gains nothing),
    "contended" (the probe's two threads could not reach each other for seconds: both
    CPUs held by other spinning work) or "mixed" (it changed during the round); the report also gives each multi-thread
    row's median ratios per placement;
  * at T = 1, each round runs on --core or on --core + 1, whichever reads a 512 KiB buffer
    from L2 faster just before it (`core_placement --l2-only`; the other only when over 10%
    faster; --core-choice fixed keeps --core): a vCPU whose hyperthread sibling another
    guest keeps busy shares its L1 and L2 with that work, and on this benchmark's VM that
    cost int8 MobileNetV2 40% and fp32 9% (L2 reads 96-100 against 135-143 GB/s), which put
    int8/fp32 at 0.57 on one core and 0.44-0.46 on the other in the same minutes. Both
    engines run the round on the chosen core; each round's line names it;
  * reported: each side's median of its per-round medians, and the medians of the
    per-round ratios (edgec/ORT fp32, edgec int8/edgec fp32, edgec int8/ORT int8, ORT
    int8/ORT fp32; < 1 means the first is faster), with their min..max;
  * numeric agreement on the last run's output: fp32: max |edgec - ORT| (also relative to
    max|ORT|, and each side against PyTorch); int8: ORT int8 against ORT fp32 (is the QDQ
    model sane), edgec int8 against edgec fp32, and edgec int8 against ORT int8 (same
    quantization: they differ by requantization rounding only, plus float ops that
    ORT also runs as integer kernels), each max |a - b| / max|b|, and whether the
    classifiers' top-1 agrees;
    plus edgec int8 against ORT running the QDQ model unfused (graph optimizations
    disabled: QuantizeLinear/DequantizeLinear and float ops node by node, the reference
    meaning of the QDQ graph), which separates "same quantization" from ORT's kernels,
    and ORT fused against ORT unfused (how far requantization rounding alone moves the
    output: in the transformer, whose float LayerNorm output magnifies a one-code
    difference, as far as edgec against ORT);
  * package sizes (fp32 and int8 .edgepkg; the fp32 and QDQ .onnx files) and each
    package's arena against the lower bound for its kernel order (`edgec inspect`; issue 8
    asks for at most 1.15x);
  * each process's peak resident memory (its VmHWM: `edgec-run --memory`, ort_runner's
    peak_rss_bytes; ORT's includes node itself) and the
    size of edgec-run; `edgec compile` seconds per model (issue 9's goal: under 3 s).
Goals (not asserted): issue 8, edgec fp32 <= 0.9 x ORT fp32 with a lower peak RSS; issue 10,
edgec int8 <= 0.5 x edgec fp32 and <= 0.9 x ORT int8.

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
HERE = os.path.join(ROOT, "test", "bench")
RUNNER = os.path.join(HERE, "ort_runner.mjs")
E2E = os.path.join(ROOT, "test", "e2e", "run_e2e.py")
LATENCY_RE = re.compile(r"latency: median ([0-9.]+) ms over (\d+) runs? \(min ([0-9.]+) ms, max ([0-9.]+) ms\)")
CALIB_SEED = 20240  # sample k of the calibration set comes from default_rng(CALIB_SEED + k)
PRECISIONS = ("fp32", "int8")
# Ratios reported per round: name -> (numerator side, denominator side).
RATIOS = {"edgec/ORT fp32": ("edgec_fp32", "ort_fp32"),
          "int8/fp32 edgec": ("edgec_int8", "edgec_fp32"),
          "edgec/ORT int8": ("edgec_int8", "ort_int8"),
          "int8/fp32 ORT": ("ort_int8", "ort_fp32")}

sys.dont_write_bytecode = True  # leave no __pycache__ in the source tree
sys.path.insert(0, HERE)
import qdq_model  # noqa: E402  (test/bench/qdq_model.py)


class BenchError(Exception):
    pass


def load_e2e():
    """test/e2e/run_e2e.py as a module (its main() only runs as a script)."""
    sys.dont_write_bytecode = True  # leave no __pycache__ next to the e2e test
    # run_e2e.py imports its sibling harness.py, as it does when run as a script.
    if os.path.dirname(E2E) not in sys.path:
        sys.path.insert(0, os.path.dirname(E2E))
    spec = importlib.util.spec_from_file_location("edgec_e2e", E2E)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def models(e2e):
    """The e2e models (test/e2e/run_e2e.py's MODELS), and the two transformers again at
    sequence 128 (the same weights; the e2e check runs them short)."""
    def at_seq(make, seq):
        def factory():
            model, shape = make() if make is not e2e.make_gpt_decoder else make(seq)
            return model, (seq,) + tuple(shape[1:])
        return factory
    return list(e2e.MODELS) + [("transformer_s128", at_seq(e2e.make_transformer, 128)),
                               ("gpt_decoder_s128", at_seq(e2e.make_gpt_decoder, 128))]


def run(cmd, what):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise BenchError("%s failed (exit %d): %s\n%s%s" % (what, proc.returncode, shlex.join(cmd),
                                                           proc.stdout, proc.stderr))
    return proc.stdout


def prepare(args, e2e, name, factory, edgec, work):
    """Export the model to ONNX, write its input (.npy for edgec, raw .bin for ORT), compile
    it for every precision; for int8 also the calibration set and the QDQ model for ORT."""
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
    m = {"dir": mdir, "shape": list(shape), "ref": ref, "x_npy": os.path.join(mdir, "input.npy"),
         "x_bin": os.path.join(mdir, "input.bin"), "onnx": {"fp32": onnx_path}, "pkg": {}, "compile_s": {},
         "sizes": {"onnx_fp32": os.path.getsize(onnx_path)}}
    for precision in args.precision:
        pkg = os.path.join(mdir, "%s.%s.edgepkg" % (name, precision))
        cmd = [edgec, "compile", onnx_path, "--target", "host", "-q", "-o", pkg]
        if precision == "int8":
            calib = os.path.join(mdir, "calib")
            os.makedirs(calib)
            for k in range(args.calib_samples):
                sample = np.random.default_rng(CALIB_SEED + k).standard_normal(shape).astype(np.float32)
                np.save(os.path.join(calib, "%03d.npy" % k), sample)
            cmd += ["--precision", "int8", "--calib", calib, "--calib-method", args.calib_method]
        t0 = time.time()
        run(cmd, "edgec compile --precision %s (%s)" % (precision, name))
        m["compile_s"][precision] = time.time() - t0
        m["pkg"][precision] = pkg
        m["sizes"]["edgepkg_" + precision] = os.path.getsize(pkg)
        # The memory plan against its lower bound for the kernel order (edgec inspect).
        found = ARENA_RE.search(run([edgec, "inspect", pkg], "edgec inspect (%s)" % name))
        if found:
            m["sizes"]["arena_" + precision] = int(found.group(1))
            m["sizes"]["arena_bound_" + precision] = int(found.group(2))
    if "int8" in args.precision:
        tensors = run([edgec, "inspect", m["pkg"]["int8"], "--tensors"], "edgec inspect --tensors (%s)" % name)
        with open(os.path.join(mdir, "int8.tensors.txt"), "w") as f:
            f.write(tensors)
        qdq = os.path.join(mdir, name + ".qdq.onnx")
        try:
            m["qdq"] = qdq_model.build_qdq(onnx_path, tensors, qdq, act_type=args.ort_act_type)
        except qdq_model.QdqError as e:
            raise BenchError("building the QDQ model for ONNX Runtime from %s: %s" % (m["pkg"]["int8"], e))
        m["onnx"]["int8"] = qdq
        m["sizes"]["onnx_qdq"] = os.path.getsize(qdq)
        # One untimed ORT session that saves the graph it runs: what it fused.
        optimized = os.path.join(mdir, name + ".qdq.ort-optimized.onnx")
        run(ort_cmd(args, m, "int8", 1, warmup=0, repeat=1) + ["--save-optimized", optimized],
            "ONNX Runtime on the QDQ model (%s)" % name)
        m["ort_fusion"] = qdq_model.ort_fusion(optimized)
        # And once node by node (nothing fused): the QDQ graph's reference semantics, to
        # tell a difference in the quantization from one in ORT's integer kernels.
        cmd = ort_cmd(args, m, "int8", 1, warmup=0, repeat=1)
        cmd[cmd.index("--output-dir") + 1] = out_dir(m, "ort_int8_unfused")
        run(cmd + ["--graph-optimization-level", "disabled"], "ONNX Runtime on the QDQ model, unfused (%s)" % name)
    return m


def cores(args, threads):
    """The cores every side is pinned to: --core and the next threads - 1 (one thread: the
    round's core, see one_thread_core)."""
    if threads == 1 and getattr(args, "round_core", None) is not None:
        return str(args.round_core)
    return ",".join(str(args.core + i) for i in range(threads))


def one_thread_core(args):
    """The core a one-thread round runs on, and its label: --core, or with --core-choice
    quieter (the default where core_placement builds) whichever of --core and --core + 1
    reads a 512 KiB buffer from L2 over 10% faster right now (core_placement --l2-only). On
    a shared VM a vCPU whose hyperthread sibling another guest keeps busy shares its L1 and
    L2 with that work, which slowed int8 MobileNetV2 by 40% and fp32 by 9% (both engines
    run the round on the chosen core)."""
    if args.core_choice != "quieter" or not args.core_probe or args.core + 1 not in os.sched_getaffinity(0):
        return args.core, None
    cmd = (["chrt", "-f", "10"] if args.realtime else []) + \
        [args.core_probe, "--cpus", "%d,%d" % (args.core, args.core + 1), "--ms", "30", "--l2-only"]
    try:
        found = re.search(r"l2_gbs=([0-9.]+),([0-9.]+)", run(cmd, "core_placement --l2-only"))
    except BenchError as e:  # the round runs on --core
        print("  note: core_placement --l2-only failed, round on core %d: %s" % (args.core, str(e).splitlines()[0]),
              flush=True)
        return args.core, None
    if not found:
        return args.core, None
    a, b = float(found.group(1)), float(found.group(2))
    core = args.core + 1 if b > 1.1 * a else args.core
    return core, "core %d, L2 reads %.0f / %.0f GB/s on cores %d / %d" % (core, a, b, args.core, args.core + 1)


def out_dir(m, side):
    return os.path.join(m["dir"], side + "_out")


def pinned(args, threads):
    """The prefix every side runs under: its cores, and the real-time policy with --realtime."""
    return (["chrt", "-f", "10"] if args.realtime else []) + ["taskset", "-c", cores(args, threads)]


def core_state(args, threads):
    """Where the host placed the first two benchmark cores right now: "near", "far",
    "shared" (core_placement.cpp) or None (one thread, or no probe). Runs under the
    sides' real-time policy."""
    if threads < 2 or not args.core_probe:
        return None
    cmd = (["chrt", "-f", "10"] if args.realtime else []) + \
        [args.core_probe, "--cpus", "%d,%d" % (args.core, args.core + 1), "--ms", "60"]
    try:
        found = re.search(r"state=(\w+)", run(cmd, "core_placement"))
    except BenchError as e:  # a label lost, not the round
        print("  note: core_placement failed, round not labelled: %s" % str(e).splitlines()[0], flush=True)
        return None
    return found.group(1) if found else None


def build_core_probe(work):
    """test/bench/core_placement.cpp built with g++ into the bench folder, or None (with
    a note) where it cannot be built, e.g. a CPU without FMA."""
    probe = os.path.join(work, "core_placement")
    src = os.path.join(ROOT, "test", "bench", "core_placement.cpp")
    if os.path.exists(probe) and os.path.getmtime(probe) >= os.path.getmtime(src):
        return probe
    proc = subprocess.run([os.environ.get("CXX", "g++"), "-O2", "-march=native", "-pthread", src, "-o", probe],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        print("note: no core-placement probe (%s); multi-thread rounds are not labelled" %
              (proc.stderr.strip().splitlines() or ["g++ failed"])[-1])
        return None
    return probe


def edgec_cmd(args, edgec, m, precision, threads):
    return pinned(args, threads) + [args.edgec_run, m["pkg"][precision], "--input", "input=" + m["x_npy"],
            "--output-dir", out_dir(m, "edgec_" + precision), "--warmup", str(args.warmup),
            "--repeat", str(args.repeat), "--threads", str(threads), "-q", "--memory"]


def ort_cmd(args, m, precision, threads, warmup=None, repeat=None):
    return pinned(args, threads) + [args.node, RUNNER, "--peers", args.peers,
            "--model", m["onnx"][precision], "--input-name", "input", "--input", m["x_bin"],
            "--shape", ",".join(map(str, m["shape"])),
            "--warmup", str(args.warmup if warmup is None else warmup),
            "--repeat", str(args.repeat if repeat is None else repeat),
            "--output-dir", out_dir(m, "ort_" + precision), "--threads", str(threads)]


def side_cmd(args, edgec, m, side, threads):
    tool, precision = side.split("_")
    return edgec_cmd(args, edgec, m, precision, threads) if tool == "edgec" else ort_cmd(args, m, precision, threads)


ARENA_RE = re.compile(r"^arena: +([0-9]+) bytes \(lower bound ([0-9]+) in this kernel order", re.MULTILINE)
PEAK_RE = re.compile(r"^peak memory: RSS [0-9.]+ MiB \(([0-9]+) kB\)$", re.MULTILINE)


def time_edgec(cmd):
    out = run(cmd, "edgec-run")
    found = LATENCY_RE.search(out)
    if not found:
        raise BenchError("no latency line in the output of %s:\n%s" % (shlex.join(cmd), out))
    # edgec prints the median, min and max of its runs (not every run time).
    peak = PEAK_RE.search(out)
    if not peak:
        raise BenchError("no peak memory line in the output of %s:\n%s" % (shlex.join(cmd), out))
    return {"median_ms": float(found.group(1)), "min_ms": float(found.group(3)), "max_ms": float(found.group(4)),
            "rss_bytes": int(peak.group(1)) * 1024}


def time_ort(cmd):
    out = run(cmd, "ort_runner")
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if not lines:
        raise BenchError("no JSON line in the output of %s:\n%s" % (shlex.join(cmd), out))
    r = json.loads(lines[-1])
    t = {k: r[k] for k in ("median_ms", "min_ms", "max_ms", "times_ms", "js_hop_us", "outputs")}
    t["rss_bytes"] = r["peak_rss_bytes"]
    return t


def load_ort_output(m, precision):
    """The ORT side's output from its last run (one float32 output)."""
    d = out_dir(m, "ort_" + precision)
    files = sorted(f for f in os.listdir(d) if f.endswith(".bin")) if os.path.isdir(d) else []
    if len(files) != 1:
        raise BenchError("expected one output from ONNX Runtime in %s, found %s" % (d, files))
    return np.fromfile(os.path.join(d, files[0]), dtype="<f4"), files[0][:-4]


def load_edgec_output(m, precision, name, shape):
    path = os.path.join(out_dir(m, "edgec_" + precision), name.replace("/", "_") + ".npy")
    if not os.path.exists(path):
        raise BenchError("edgec wrote no %s" % path)
    got = np.load(path)
    if list(got.shape) != list(shape):
        raise BenchError("edgec %s output shape %s, ONNX Runtime %s" % (precision, list(got.shape), list(shape)))
    return got.astype(np.float64)


def diff(a, b):
    """max |a - b|, that relative to max|b|, and (for a [1, N] output) whether top-1 agrees."""
    scale = float(np.max(np.abs(b)))
    max_abs = float(np.max(np.abs(a - b)))
    r = {"max_abs_diff": max_abs, "rel": max_abs / scale if scale else None}
    if a.ndim == 2 and a.shape[0] == 1:
        r["top1_equal"] = int(np.argmax(a)) == int(np.argmax(b))
    return r


def agreement(m, last_ort):
    """Output agreement between the sides (from each side's last run)."""
    out = {}
    shape = last_ort["outputs"][0]["shape"] if last_ort else None
    o = last_ort["outputs"][0]
    if o["dtype"] != "float32":
        raise BenchError("ONNX Runtime output is %s, expected float32" % o["dtype"])
    outs = {}
    for precision in m["pkg"]:
        ort, name = load_ort_output(m, precision)
        outs["ort_" + precision] = ort.reshape(shape).astype(np.float64)
        outs["edgec_" + precision] = load_edgec_output(m, precision, o["name"], shape)
    if "fp32" in m["pkg"]:
        ref = m["ref"].astype(np.float64).reshape(shape)
        f = diff(outs["edgec_fp32"], outs["ort_fp32"])
        f["edgec_vs_torch_max_abs"] = float(np.max(np.abs(outs["edgec_fp32"] - ref)))
        f["ort_vs_torch_max_abs"] = float(np.max(np.abs(outs["ort_fp32"] - ref)))
        out["fp32 edgec vs ORT"] = f
        if "int8" in m["pkg"]:
            out["int8 vs fp32 ORT"] = diff(outs["ort_int8"], outs["ort_fp32"])
            out["int8 vs fp32 edgec"] = diff(outs["edgec_int8"], outs["edgec_fp32"])
    if "int8" in m["pkg"]:
        out["int8 edgec vs ORT"] = diff(outs["edgec_int8"], outs["ort_int8"])
        unfused, _ = load_ort_output(m, "int8_unfused")
        unfused = unfused.reshape(shape).astype(np.float64)
        out["int8 edgec vs ORT unfused"] = diff(outs["edgec_int8"], unfused)
        out["int8 ORT vs ORT unfused"] = diff(outs["ort_int8"], unfused)  # the scale of rounding differences
    return out


def bench_model(args, edgec, name, m):
    sides = [t + "_" + p for p in args.precision for t in ("edgec", "ort")]
    per_t = {t: [] for t in args.threads}
    last_ort = None
    for r in range(args.rounds):
        for ti, threads in enumerate(args.threads):
            order = sides if (r + ti) % 2 == 0 else sides[::-1]
            res = {}
            args.round_core, core_label = one_thread_core(args) if threads == 1 else (None, None)
            before = core_state(args, threads)
            for side in order:
                cmd = side_cmd(args, edgec, m, side, threads)
                res[side] = time_edgec(cmd) if side.startswith("edgec") else time_ort(cmd)
                if side.startswith("ort"):
                    last_ort = res[side]
            after = core_state(args, threads)
            state = None if before is None else before if before == after else "mixed"
            ratios = {k: res[a]["median_ms"] / res[b]["median_ms"] for k, (a, b) in RATIOS.items()
                      if a in res and b in res}
            per_t[threads].append({"order": order, "times": res, "ratios": ratios, "cores": state,
                                   "core": core_label})
            print("  %-15s round %d/%d, %d thread%s%s: %s | %s" %
                  (name, r + 1, args.rounds, threads, "" if threads == 1 else "s",
                   " (%s cores)" % state if state else " (%s)" % core_label if core_label else "",
                   ", ".join("%s %s" % (s.replace("_", " "), fmt_ms(res[s]["median_ms"])) for s in sides),
                   ", ".join("%s %.3f" % kv for kv in ratios.items())), flush=True)
            args.round_core = None  # the commands reported after the rounds pin to --core
    result = {
        "input_shape": m["shape"],
        "onnx": {p: os.path.relpath(f, ROOT) for p, f in m["onnx"].items()},
        "packages": {p: os.path.relpath(f, ROOT) for p, f in m["pkg"].items()},
        "compile_s": {p: round(s, 3) for p, s in m["compile_s"].items()},
        "sizes_bytes": m["sizes"],
        "threads": {},
        "agreement": agreement(m, last_ort),
    }
    if "qdq" in m:
        result["qdq"] = m["qdq"]
        result["ort_fusion"] = m["ort_fusion"]
    for threads, rounds in per_t.items():
        t = {"median_ms": {s: statistics.median(r["times"][s]["median_ms"] for r in rounds) for s in sides},
             "rss_bytes": {s: statistics.median(r["times"][s]["rss_bytes"] for r in rounds) for s in sides},
             "ratios": {}, "commands": {s: shlex.join(side_cmd(args, edgec, m, s, threads)) for s in sides},
             "rounds": [{"order": r["order"], "ratios": r["ratios"], "cores": r["cores"], "core": r["core"],
                         "times": {s: {k: v for k, v in r["times"][s].items() if k != "outputs"} for s in sides}}
                        for r in rounds]}
        for k in RATIOS:
            vals = [r["ratios"][k] for r in rounds if k in r["ratios"]]
            if vals:
                t["ratios"][k] = {"median": statistics.median(vals), "min": min(vals), "max": max(vals)}
        # Multi-thread rounds by where the host placed the two cores (core_state).
        states = [r["cores"] for r in rounds if r["cores"]]
        if states:
            t["cores"] = {st: states.count(st) for st in sorted(set(states))}
            t["ratios_by_cores"] = {st: {k: statistics.median(r["ratios"][k] for r in rounds
                                                              if r["cores"] == st and k in r["ratios"])
                                         for k in RATIOS if any(k in r["ratios"] for r in rounds)}
                                    for st in t["cores"]}
        t["ort_js_hop_us"] = statistics.median(r["times"][s]["js_hop_us"] for r in rounds for s in sides
                                               if s.startswith("ort"))
        result["threads"][str(threads)] = t
    return result


def fmt_ms(v):
    return "%.1f us" % (v * 1e3) if v < 1 else "%.3f ms" % v


def fmt_bytes(n):
    return "%.2f MiB" % (n / 2**20) if n >= 2**20 else "%.1f KiB" % (n / 2**10)


def print_table(header, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    for row in [header] + rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip())


def environment(args, edgec):
    env = {"host": platform.node(), "kernel": platform.release(), "nproc": os.cpu_count(),
           "core": args.core, "edgec": edgec, "EDGEC_KERNELS": os.environ.get("EDGEC_KERNELS")}
    try:
        with open("/proc/cpuinfo") as f:
            lines = f.read().splitlines()
        names = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
        flags = next((line.split(":", 1)[1].split() for line in lines if line.startswith("flags")), [])
        env["cpu"] = names[0] if names else None
        env["cpu_features"] = [f for f in ("avx2", "fma", "avx512f", "avx512bw", "avx512_vnni", "avx_vnni") if f in flags]
    except OSError:
        env["cpu"] = None
    try:
        env["loadavg_start"] = os.getloadavg()[0]
    except OSError:
        pass
    try:
        env["edgec_mtime"] = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(os.path.getmtime(edgec)))
        rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True)
        env["edgec_git"] = rev.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "") if rev.returncode == 0 else None
    except OSError:
        env["edgec_git"] = None
    env["node"] = run([args.node, "--version"], "node --version").strip()
    return env


def reproduce_command(args):
    parts = ["scripts/bench.sh", "--precision", ",".join(args.precision), "--threads", ",".join(map(str, args.threads)),
             "--rounds", str(args.rounds), "--repeat", str(args.repeat), "--warmup", str(args.warmup),
             "--core", str(args.core), "--core-choice", args.core_choice]
    if args.realtime:
        parts.append("--realtime")
    if "int8" in args.precision:
        parts += ["--calib-method", args.calib_method, "--calib-samples", str(args.calib_samples),
                  "--ort-act-type", args.ort_act_type]
    for name in args.only or []:
        parts += ["--only", name]
    return shlex.join(parts)


def int_list(text):
    try:
        vals = [int(v) for v in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError("expected N[,N...], got %r" % text)
    if not vals or any(v < 1 for v in vals):
        raise argparse.ArgumentTypeError("thread counts must be >= 1")
    return vals


def precision_list(text):
    vals = [v for v in text.split(",") if v]
    bad = [v for v in vals if v not in PRECISIONS]
    if not vals or bad:
        raise argparse.ArgumentTypeError("precisions are %s, got %r" % (",".join(PRECISIONS), text))
    return [p for p in PRECISIONS if p in vals]


def report(args, results, env, ort_version):
    sides = [t + "_" + p for p in args.precision for t in ("edgec", "ort")]
    print()
    print("edgec %s vs ONNX Runtime %s, cores from %d, %d rounds x %d runs per side (median of per-round medians; "
          "ratios: median of per-round ratios, min-max)" % (env.get("edgec_git") or "", ort_version, args.core,
                                                          args.rounds, args.repeat))
    ratio_names = [k for k, (a, b) in RATIOS.items() if a in sides and b in sides]
    header = ["model", "T"] + [s.replace("_", " ") for s in sides] + ratio_names
    rows = []
    for name, r in results.items():
        for threads, t in r["threads"].items():
            row = [name, threads] + [fmt_ms(t["median_ms"][s]) for s in sides]
            for k in ratio_names:
                q = t["ratios"][k]
                row.append("%.3f (%.2f-%.2f)" % (q["median"], q["min"], q["max"]))
            rows.append(row)
    print_table(header, rows)
    print("T: threads (every side pinned to cores %d..%d+T-1%s). Ratios < 1: the first named is faster." %
          (args.core, args.core, "; one thread: core %d, or %d where core_placement --l2-only found its L2 reads over "
           "10%% faster before the round" % (args.core, args.core + 1) if args.core_choice == "quieter" else ""))
    chosen = [(name, rd["core"]) for name, r in results.items() for threads, t in r["threads"].items()
              if int(threads) == 1 for rd in t["rounds"] if rd.get("core")]
    if chosen:
        moved = sum(1 for _, label in chosen if not label.startswith("core %d," % args.core))
        print("one-thread rounds moved to core %d (its L2 reads over 10%% faster than core %d's): %d of %d" %
              (args.core + 1, args.core, moved, len(chosen)))
    labelled = [(name, tn, t) for name, r in results.items() for tn, t in r["threads"].items() if "cores" in t]
    if labelled:
        print()
        print("multi-thread rounds by core placement (test/bench/core_placement.cpp before and after each round: "
              "'near' / 'far' = a cache line's round trip between the cores under / over 200 ns, 'shared' = "
              "hyperthread siblings of one core or the second core taken by another job, 'contended' = the probe's "
              "threads could not reach each other, 'mixed' = it changed during the round); median ratio per placement")
        rows = []
        for name, tn, t in labelled:
            for st, n in t["cores"].items():
                rows.append([name, tn, st, str(n)] + ["%.3f" % t["ratios_by_cores"][st][k]
                                                      if k in t["ratios_by_cores"][st] else "-" for k in ratio_names])
        print_table(["model", "T", "cores", "rounds"] + ratio_names, rows)
    goals = [(k, v) for k, v in (("int8/fp32 edgec", 0.5), ("edgec/ORT int8", 0.9)) if k in ratio_names]
    if goals:
        parts = []
        for k, bound in goals:
            rows_met = ["%s@%s" % (name, tn) for name, r in results.items() for tn, t in r["threads"].items()
                        if t["ratios"][k]["median"] <= bound]
            total = sum(len(r["threads"]) for r in results.values())
            parts.append("%s <= %g: met in %d of %d rows%s" % (k, bound, len(rows_met), total,
                                                               " (%s)" % ", ".join(rows_met) if rows_met else ""))
        print("Goals (issue 10; reported, not asserted): " + "; ".join(parts) + ".")
    if "edgec/ORT fp32" in ratio_names:
        rows_met = ["%s@%s" % (name, tn) for name, r in results.items() for tn, t in r["threads"].items()
                    if t["ratios"]["edgec/ORT fp32"]["median"] <= 0.9]
        total = sum(len(r["threads"]) for r in results.values())
        print("Goal (issue 8; reported, not asserted): edgec/ORT fp32 <= 0.9 in %d of %d rows; lower peak RSS "
              "in %d of %d rows." % (len(rows_met), total,
                                     sum(1 for r in results.values() for t in r["threads"].values()
                                         if t["rss_bytes"]["edgec_fp32"] < t["rss_bytes"]["ort_fp32"]), total))
        near = [(name, tn, t["ratios_by_cores"]["near"]["edgec/ORT fp32"]) for name, r in results.items()
                for tn, t in r["threads"].items() if "near" in t.get("ratios_by_cores", {})]
        if near:
            print("  multi-thread rows over their near-core rounds only: <= 0.9 in %d of %d (%s)." %
                  (sum(1 for _, _, v in near if v <= 0.9), len(near),
                   ", ".join("%s@%s %.2f" % row for row in near)))

    print()
    print("peak resident memory per process (median over rounds; edgec: the runtime-only edgec-run, %s; "
          "ORT: the node process, node itself included) and edgec compile seconds" %
          fmt_bytes(os.path.getsize(args.edgec_run)))
    header = ["model", "T"] + ["RSS " + s.replace("_", " ") for s in sides] + \
             ["edgec/ORT RSS " + p for p in args.precision] + ["compile s " + p for p in args.precision]
    rows = []
    for name, r in results.items():
        for threads, t in r["threads"].items():
            rss = t["rss_bytes"]
            rows.append([name, threads] + [fmt_bytes(rss[s]) for s in sides] +
                        ["%.2f" % (rss["edgec_" + p] / rss["ort_" + p]) for p in args.precision] +
                        ["%.2f" % r["compile_s"][p] for p in args.precision])
    print_table(header, rows)

    print()
    print("output agreement (max |a - b| / max|b| over the output; top-1 for classifiers)")
    keys = []
    for r in results.values():
        keys += [k for k in r["agreement"] if k not in keys]
    rows = []
    for name, r in results.items():
        row = [name]
        for k in keys:
            a = r["agreement"].get(k)
            if a is None:
                row.append("-")
                continue
            cell = "%.3g" % a["rel"] if a["rel"] is not None else "%.3g abs" % a["max_abs_diff"]
            if "top1_equal" in a:
                cell += ", top-1 " + ("same" if a["top1_equal"] else "DIFFERS")
            row.append(cell)
        rows.append(row)
    print_table(["model"] + keys, rows)

    print()
    print("sizes" + (" and what ONNX Runtime fused from the QDQ model" if "int8" in args.precision else ""))
    rows = []
    for name, r in results.items():
        sz = r["sizes_bytes"]
        row = [name, fmt_bytes(sz["onnx_fp32"])]
        row += [fmt_bytes(sz["edgepkg_" + p]) for p in args.precision]
        row += ["%s (%.2fx bound)" % (fmt_bytes(sz["arena_" + p]), sz["arena_" + p] / max(1, sz["arena_bound_" + p]))
                if "arena_" + p in sz else "-" for p in args.precision]
        if "int8" in args.precision:
            pkg_ratio = "%.3f" % (sz["edgepkg_int8"] / sz["edgepkg_fp32"]) if "fp32" in args.precision else "-"
            f = r["ort_fusion"]
            fused = ", ".join("%s %d" % kv for kv in sorted(f["integer_ops"].items()))
            left = ", ".join("%s %d" % kv for kv in sorted(f["float_compute_ops"].items())) or "none"
            row += [pkg_ratio, fmt_bytes(sz["onnx_qdq"]), "%d/%d/%d" % (r["qdq"]["activations"], r["qdq"]["weights"],
                                                                         r["qdq"]["biases"]), fused, left]
        rows.append(row)
    header = ["model", "onnx fp32"] + ["edgepkg " + p for p in args.precision] + ["arena " + p for p in args.precision]
    if "int8" in args.precision:
        header += ["int8/fp32 pkg", "onnx qdq", "act/w/b quantized", "ORT integer ops", "ORT float conv/matmul left"]
    print_table(header, rows)

    hops = ", ".join("%s %.1f" % (n, t["ort_js_hop_us"]) for n, r in results.items()
                     for tn, t in r["threads"].items() if tn == str(args.threads[0]))
    print()
    print("edgec reports its latency to 1 us; ORT's times include the node binding's per-call cost (its "
          "setImmediate hop alone, median us: %s)." % hops)
    print("reproduce (from %s):" % ROOT)
    print("  " + reproduce_command(args))
    print("one round, by hand (T = %d):" % args.threads[0])
    for name, r in results.items():
        for s, cmd in r["threads"][str(args.threads[0])]["commands"].items():
            print("  " + cmd)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    parser.add_argument("--peers", help="npm prefix holding node_modules/onnxruntime-node (default BUILD/peers)")
    parser.add_argument("--node", default="node", help="node executable (default: node on PATH)")
    parser.add_argument("--precision", type=precision_list, default=list(PRECISIONS),
                        help="fp32, int8 or fp32,int8 (default): which sides run (edgec and ORT each)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per model, alternating the order of the sides (5)")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per side per round (20)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed runs per side per round before timing (5)")
    parser.add_argument("--core", type=int, default=0, help="first CPU core the sides are pinned to with taskset (0)")
    parser.add_argument("--core-choice", choices=("quieter", "fixed"), default="quieter",
                        help="one-thread rounds: on --core, or (quieter, the default) on --core + 1 when its L2 "
                             "reads over 10%% faster just before the round (a vCPU sharing its core's L1 and L2 with "
                             "another guest's hyperthread); both engines run the round on that core")
    parser.add_argument("--threads", type=int_list, default=[1, 2],
                        help="thread counts, e.g. 1 or 1,2 (default 1,2): each side runs with each (edgec --threads, "
                             "ORT intraOpNumThreads), pinned to cores CORE..CORE+T-1")
    parser.add_argument("--calib-method", default="minmax",
                        help="edgec compile --calib-method for the int8 packages (default minmax); ORT's QDQ model "
                             "takes whatever parameters it gives")
    parser.add_argument("--calib-samples", type=int, default=32, help="calibration samples per model (32)")
    parser.add_argument("--ort-act-type", choices=("uint8", "int8"), default="uint8",
                        help="how the QDQ model for ORT stores edgec's int8 activation grids (default uint8 with "
                             "zero point + 128: the same values; see the description)")
    parser.add_argument("--only", action="append", help="benchmark only this model (repeatable)")
    parser.add_argument("--realtime", action="store_true",
                        help="run both engines' processes under chrt -f 10 (SCHED_FIFO), for a machine other jobs share "
                             "(not for `bench.sh llm`: llama.cpp's spin-waiting threads starve under it)")
    args = parser.parse_args()
    if args.rounds < 1 or args.repeat < 1 or args.warmup < 0 or args.calib_samples < 1:
        parser.error("--rounds, --repeat and --calib-samples must be >= 1, --warmup >= 0")

    build = os.path.abspath(args.build_dir)
    args.peers = os.path.abspath(args.peers or os.path.join(build, "peers"))
    edgec = os.path.join(build, "bin", "edgec")
    args.edgec_run = os.path.join(build, "bin", "edgec-run")
    problems = []
    for tool in (edgec, args.edgec_run):
        if not os.access(tool, os.X_OK):
            problems.append("no %s binary at %s (build it: scripts/build.sh)" % (os.path.basename(tool), tool))
    if shutil.which("taskset") is None:
        problems.append("taskset not found (Debian package util-linux)")
    if shutil.which(args.node) is None:
        problems.append("node not found (%s)" % args.node)
    if args.realtime and subprocess.run(["chrt", "-f", "10", "true"], capture_output=True).returncode != 0:
        problems.append("--realtime: `chrt -f 10` is not permitted here (needs CAP_SYS_NICE or an rtprio limit)")
    if not os.path.isdir(os.path.join(args.peers, "node_modules", "onnxruntime-node")):
        problems.append("onnxruntime-node is not installed under %s (scripts/bench.sh installs it)" % args.peers)
    for core in range(args.core, args.core + max(args.threads)):
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

    known = models(e2e)
    unknown = set(args.only or []) - {n for n, _ in known}
    if unknown:
        print("error: unknown model(s) %s (known: %s)" % (", ".join(sorted(unknown)),
                                                        ", ".join(n for n, _ in known)), file=sys.stderr)
        return 2
    chosen = [(n, f) for n, f in known if not args.only or n in args.only]

    work = os.path.join(build, "bench")
    os.makedirs(work, exist_ok=True)
    args.core_probe = build_core_probe(work) if max(args.threads) > 1 or args.core_choice == "quieter" else None
    env = environment(args, edgec)
    print("edgec %s (built %s) vs ONNX Runtime (onnxruntime-node, CPU): %s, %s thread(s), pinned from core %d; "
          "%d rounds x (%d warmup + %d timed runs) per side" %
          (env.get("edgec_git") or "", env.get("edgec_mtime"), ", ".join(args.precision),
           ",".join(map(str, args.threads)), args.core, args.rounds, args.warmup, args.repeat), flush=True)

    results = {}
    failed = {}
    for name, factory in chosen:
        try:
            print("%s: export + compile (%s) ..." % (name, ", ".join(args.precision)), flush=True)
            m = prepare(args, e2e, name, factory, edgec, work)
            if "ort_fusion" in m:
                f = m["ort_fusion"]
                print("  %s: QDQ model: %d activations, %d weights, %d biases quantized; ORT fused: %s; float "
                      "Conv/MatMul/Gemm left: %s" %
                      (name, m["qdq"]["activations"], m["qdq"]["weights"], m["qdq"]["biases"],
                       ", ".join("%s %d" % kv for kv in sorted(f["integer_ops"].items())) or "nothing",
                       ", ".join("%s %d" % kv for kv in sorted(f["float_compute_ops"].items())) or "none"), flush=True)
            results[name] = bench_model(args, edgec, name, m)
        except BenchError as e:
            print("%s: FAILED: %s" % (name, e), flush=True)
            failed[name] = str(e)
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

    if results:
        report(args, results, env, ort_version)
    if failed:
        print()
        print("FAILED: %s (see above)" % ", ".join(failed))

    out = {"method": {"precision": args.precision, "threads": args.threads, "rounds": args.rounds,
                      "repeat": args.repeat, "warmup": args.warmup, "core": args.core,
                      "calib": {"method": args.calib_method, "samples": args.calib_samples,
                                "data": "standard normal of the input shape, default_rng(%d + k)" % CALIB_SEED},
                      "ort_act_type": args.ort_act_type,
                      "ort_session_options": {"intraOpNumThreads": "T", "interOpNumThreads": 1,
                                              "executionMode": "sequential", "graphOptimizationLevel": "all"},
                      "summary": "per side: median of per-round medians; ratios: median of per-round ratios "
                                 "(< 1: the first named is faster)"},
           "environment": env, "reproduce": reproduce_command(args), "models": results, "failed": failed}
    path = os.path.join(work, "results.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("results: %s" % path)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
