#!/usr/bin/python3
"""LLM benchmark of edgec against llama.cpp (issue 12, part 7): `scripts/bench.sh llm`.
Not part of the test suite.

A model with Qwen2.5-1.5B's shapes (or --model qwen2.5-0.5b, qwen3-1.7b, gemma3-1b, gemma2-2b, phi3-mini, tinyllama-1.1b, llama3.2-1b,
llama3.1-8b, qwen3-30b-a3b, qwen3-30b-a3b-16l: Qwen2.5-0.5B's, Qwen3-1.7B's, Gemma-3-1B's, TinyLlama-1.1B's, Llama-3.2-1B's,
Llama-3.1-8B's, the mixture of experts Qwen3-30B-A3B's, and the same with 16 of its 48 layers) and random weights (test/bench/llm_model.py) in each weight type (default Q4_0, Q4_K, Q8_0;
q4_k_m, q5_k_m, q3_k_m, q2_k_m, iq4_xs_mix and iq4_nl_mix: llama.cpp's mixes, Q6_K in the head
and wider types in some attn_v, attn_output and ffn_down: gguf_models.MIXES);
edgec (`edgec compile --ctx 1024`, its default prefill chunks (256, 64 and 8) unless
--chunk C is given, its f16 KV cache unless --kv-cache int8 or f32 is, then `edgec bench -p 512 -n 128 -t T -r 1`) and llama.cpp (npm
node-llama-cpp 3.22.1, test/bench/llama_cpp_bench.mjs, the same GGUF file, a fresh context per run) at each thread
count, every process pinned with taskset to cores 0..T-1. Each round runs every (type,
threads) pair once per engine, the engine order alternating between pairs and rounds, so
that both see the same machine; medians over the rounds. Also measured in the same run:
the machine's read bandwidth (test/bench/read_bandwidth.cpp, built with g++ here: the best
pass of the best of its streaming loops, named in the output, before each round and at the
end, the best taken: on a shared machine other load only ever lowers it) and its int8 peak
(edgec_int8_gemm_bench's VNNI peak of one core, start and end, times T), when that binary
is beside edgec.

Printed per type and thread count: prefill and decode tokens/s of both and the median of
the per-round ratios edgec/llama.cpp; decode weight bandwidth = weight bytes (every tensor,
the tied embedding once, as the head; of a separate embedding table the one row a step
looks up) x tokens/s, and its share of the read bandwidth;
prefill GOP/s = 2 x the layers' matmul parameters x tokens/s (the head excluded: both
engines compute logits for the last prompt token only), and its share of the int8 peak.
Then decode like for like, from each decoded token's own time (`edgec bench`'s per-token
line, llama_cpp_bench.mjs's decode_token_ms): before every engine run a short read (the 4
loops with the highest median pass in the first read, 8 passes each); the run's weight
bytes over its median token against that read's highest median pass, and over its fastest
token against its best pass; the medians of these per-run shares over the rounds. The first
table sets a run's mean rate against the machine's luckiest pass in the whole benchmark,
which on a shared machine the neighbours push apart; these set a token against a pass
measured the same way, minutes apart at most.
Where the weights live, the same for both engines (--weights): `copied` (default) reads
them into each engine's own memory at load (`edgec bench --no-mmap`: anonymous memory with
huge pages where the kernel allows; llama.cpp's useMmap false); `locked` maps the file and
locks it (`edgec bench --mlock`, llama.cpp's useMlock); `mapped` maps it as is. On a machine
that reclaims file pages (the page cache's LRU under pressure, or a proactive reclaimer such
as DAMON's pageout) mapped weights left idle between runs are read back from disk during
the next one. Each run's major page faults
while timing are printed beside its tokens/s; a round with faults measured the disk.
Models and packages are cached under BUILD/bench-llm (keyed by type and chunk size; a
package is recompiled when edgec or the model is newer); results go to
BUILD/bench-llm/results.json.
"""
import argparse
import collections
import json
import os
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import llama_cpp  # noqa: E402
import llm_model  # noqa: E402

ENGINES = ("edgec", "llama.cpp")


def cores(threads):
    return ",".join(str(c) for c in range(threads))


def run(cmd, what):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        raise SystemExit("error: %s failed (exit %d): %s\n%s" % (what, proc.returncode, " ".join(cmd),
                                                                 proc.stdout.strip()[-3000:]))
    return proc.stdout


def newer(path, *sources):
    return os.path.exists(path) and all(os.path.getmtime(path) >= os.path.getmtime(s) for s in sources)


def model_file(cache, model, wtype, log):
    """The cached GGUF of one model and type and its description (a .json beside it)."""
    path = os.path.join(cache, "%s-%s.gguf" % (model, wtype))
    desc_path = path + ".json"
    if newer(desc_path, os.path.join(HERE, "llm_model.py")) and os.path.exists(path):
        with open(desc_path) as f:
            return path, json.load(f)
    t = time.time()
    desc = llm_model.write_model(path, wtype, model=model)
    with open(desc_path, "w") as f:
        json.dump(desc, f)
    log("wrote %s (%.1f GB) in %.1f s" % (path, os.path.getsize(path) / 1e9, time.time() - t))
    return path, desc


def package(edgec, gguf, wtype, args, log):
    chunk = "c%d" % args.chunk if args.chunk else "cdefault"
    kv = "" if args.kv_cache == "f16" else "-kv" + args.kv_cache
    pkg = os.path.join(os.path.dirname(gguf), "%s-%s-ctx%d-%s%s.edgepkg" % (args.model, wtype, args.ctx, chunk, kv))
    if not newer(pkg, edgec, gguf):
        t = time.time()
        run([edgec, "compile", gguf, "-o", pkg, "--ctx", str(args.ctx), "--kv-cache", args.kv_cache] +
            (["--prefill-chunk", str(args.chunk)] if args.chunk else []), "edgec compile")
        log("compiled %s in %.1f s" % (pkg, time.time() - t))
    return pkg


# One read_bandwidth run: the best pass in GB/s and its loop, the summing loop's best on 4
# KB pages (0 when not run), the highest median pass of any loop and that loop, and every
# loop's (median GB/s, name).
Read = collections.namedtuple("Read", "best best_loop sum64 median median_loop medians")


def read_bandwidth(binary, threads, variants=None, repeats=12):
    """A Read of the machine's streaming loops at `threads` threads.

    read_bandwidth.cpp runs several streaming loops (vector widths, accumulators, software
    prefetch distances, interleaved streams; 4 KB and 2 MB pages) and reports the best, so
    that the yardstick is what the machine can stream, not what one loop does (the summing
    loop alone read less than edgec's GEMVs on Zen 5). 256 MiB (8x the test machine's L3),
    the variants' passes interleaved, 12 each: short passes, so that the best one is likely
    to see a quiet moment on a shared machine. `variants`: only those loops (the reads beside
    each decode run)."""
    out = run(["taskset", "-c", cores(threads), binary, "--threads", str(threads), "--mib", "256", "--repeats",
               str(repeats)] + (["--variants", ",".join(variants)] if variants else []), "read_bandwidth")
    m = re.search(r"best_gbs=([\d.]+) best_variant=(\S+) .*sum64_best_gbs=([\d.]+)", out)
    medians = [(float(g), v) for v, g in re.findall(r"variant=(\S+) best_gbs=[\d.]+ median_gbs=([\d.]+)", out)]
    typical = max(medians)
    return Read(float(m.group(1)), m.group(2), float(m.group(3)), typical[0], typical[1], medians)


def int8_peak(edgec):
    """edgec_int8_gemm_bench's VNNI peak of one core in GOP/s, or None."""
    binary = os.path.join(os.path.dirname(edgec), "edgec_int8_gemm_bench")
    if not os.access(binary, os.X_OK):
        return None
    proc = subprocess.run(["taskset", "-c", "0", binary, "--repeats", "3"], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    out = proc.stdout if proc.returncode == 0 else ""  # e.g. a CPU without VNNI: no peak to show
    m = re.search(r"VNNI peak.*?([\d.]+) GOP/s", out)
    return float(m.group(1)) if m else None


def edgec_run(edgec, pkg, threads, args):
    cmd = ["taskset", "-c", cores(threads), edgec, "bench", pkg, "-p", str(args.prompt), "-n", str(args.gen),
           "-t", str(threads), "-r", "1", "--json"]
    cmd += {"locked": ["--mlock"], "copied": ["--no-mmap"], "mapped": ["--mmap"]}[args.weights]
    out = run(cmd, "edgec bench")
    try:  # the object, with any note edgec printed on stderr before or after it
        r = json.loads(out[out.index("{"):out.rindex("}") + 1])
        ms = r["decode"]["token_ms"]
        return (r["prefill"]["tokens_per_s"], r["decode"]["tokens_per_s"], r["major_faults_while_timing"],
                statistics.median(ms), min(ms))
    except (ValueError, KeyError) as e:
        raise SystemExit("error: cannot read edgec bench --json's output (%s):\n%s" % (e, out))


def llama_run(gguf, threads, args):
    out = run(["taskset", "-c", cores(threads), "node", os.path.join(HERE, "llama_cpp_bench.mjs"), "--peers",
               args.peers, "--model", gguf, "--prompt", str(args.prompt), "--gen", str(args.gen), "--threads",
               str(threads), "--reps", "1", "--ctx", str(args.ctx), "--mlock",
               "1" if args.weights == "locked" else "0", "--mmap", "0" if args.weights == "copied" else "1"],
              "llama_cpp_bench.mjs")
    r = json.loads([line for line in out.splitlines() if line.startswith("{")][-1])
    ms = r["decode_token_ms"]
    return r["prefill_tps"][0], r["decode_tps"][0], r["major_faults"], statistics.median(ms), min(ms)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build-dir", required=True, help="caches go to BUILD/bench-llm")
    p.add_argument("--peers", required=True, help="npm prefix for node-llama-cpp (installed if missing)")
    p.add_argument("--edgec", required=True, help="the edgec binary")
    p.add_argument("--model", default="qwen2.5-1.5b", choices=sorted(llm_model.MODELS),
                   help="the shapes (default qwen2.5-1.5b)")
    p.add_argument("--types", default="q4_0,q4_k,q8_0",
                   help="weight types (default q4_0,q4_k,q8_0; any of %s)" % ",".join(llm_model.TYPES))
    p.add_argument("--threads", default="1,2", help="thread counts (default 1,2)")
    p.add_argument("--rounds", type=int, default=3, help="runs of each engine per type and thread count (3)")
    p.add_argument("--prompt", type=int, default=512, help="prefill tokens (512)")
    p.add_argument("--gen", type=int, default=128, help="decode tokens (128)")
    p.add_argument("--ctx", type=int, default=1024, help="context of both engines (1024)")
    p.add_argument("--chunk", type=int, default=0, help="edgec's --prefill-chunk (default: edgec's own)")
    p.add_argument("--kv-cache", choices=("f16", "f32", "int8"), default="f16",
                   help="edgec's KV cache (default f16; llama.cpp keeps its default, f16)")
    p.add_argument("--weights", choices=("copied", "locked", "mapped"), default="copied",
                   help="copied (default): both engines read the weights into their own memory; locked: both mlock "
                        "the file mapping; mapped: both use the mapping as is")
    args = p.parse_args(argv)
    types = args.types.split(",")
    bad = [t for t in types if t not in llm_model.TYPES]
    if bad:
        p.error("unknown weight type(s) %s (known: %s)" % (",".join(bad), ",".join(llm_model.TYPES)))
    threads = [int(t) for t in args.threads.split(",")]
    cache = os.path.join(args.build_dir, "bench-llm")
    med = statistics.median
    os.makedirs(cache, exist_ok=True)

    def log(msg):
        print(msg, flush=True)

    err = llama_cpp.ensure(args.peers)
    if err:
        raise SystemExit("error: " + err)
    rb = os.path.join(cache, "read_bandwidth")
    src = os.path.join(HERE, "read_bandwidth.cpp")
    if not newer(rb, src):
        run([os.environ.get("CXX", "g++"), "-O3", "-march=native", "-pthread", src, "-o", rb], "building read_bandwidth")
    models = {t: model_file(cache, args.model, t, log) for t in types}
    pkgs = {t: package(args.edgec, models[t][0], t, args, log) for t in types}

    log("load average (1, 5, 15 min): %.2f %.2f %.2f on %d CPUs" % (os.getloadavg() + (os.cpu_count(),)))
    log("KV caches: edgec %s, llama.cpp f16; prompt %d, decode %d, context %d" % (
        args.kv_cache, args.prompt, args.gen, args.ctx))
    rbs = {n: [read_bandwidth(rb, n)] for n in threads}
    peaks = [int8_peak(args.edgec)]
    peak1 = peaks[0]
    log("read bandwidth (GB/s, best pass of the best loop): %s; int8 peak per core: %s GOP/s" % (
        ", ".join("%d thread(s) %.1f (%s; summing loop %.1f; highest median pass %.1f, %s)" % (
                      n, r.best, r.best_loop, r.sum64, r.median, r.median_loop) for n, (r,) in rbs.items()),
        "n/a" if peak1 is None else "%.0f" % peak1))
    # The loops beside each run: the 4 with the highest median pass in the first read.
    near = {n: [v for _, v in sorted(rbs[n][0].medians, reverse=True)[:4]] for n in threads}
    res = {(t, n): {e: {k: [] for k in ("prefill", "decode", "faults", "token_ms", "fastest_ms", "near_median",
                                        "near_best")} for e in ENGINES} for t in types for n in threads}
    pairs = [(t, n) for t in types for n in threads]
    for r in range(args.rounds):
        if r:
            for n in threads:
                rbs[n].append(read_bandwidth(rb, n))
        for i, (t, n) in enumerate(pairs):
            order = ENGINES if (r + i) % 2 == 0 else ENGINES[::-1]
            for e in order:
                nb = read_bandwidth(rb, n, near[n], repeats=8)
                pf, dc, mf, tm, fm = (edgec_run(args.edgec, pkgs[t], n, args) if e == "edgec" else
                                      llama_run(models[t][0], n, args))
                for k, v in (("prefill", pf), ("decode", dc), ("faults", mf), ("token_ms", tm), ("fastest_ms", fm),
                             ("near_median", nb.median), ("near_best", nb.best)):
                    res[(t, n)][e][k].append(v)
                log("round %d %-6s %d thread(s) %-9s prefill %7.2f tok/s  decode %6.2f tok/s (token median %.1f ms, "
                    "fastest %.1f; read just before: median pass %.1f GB/s, best %.1f)  major faults %d" % (
                        r + 1, t, n, e, pf, dc, tm, fm, nb.median, nb.best, mf))
    for n in threads:
        rbs[n].append(read_bandwidth(rb, n))
    bw = {n: [r.best for r in rbs[n]] for n in threads}  # each read's best GB/s
    peaks.append(int8_peak(args.edgec))
    peak1 = None if peak1 is None else max(peaks)  # other load only ever lowers a peak

    print()
    print("load average at the end (1, 5, 15 min): %.2f %.2f %.2f on %d CPUs" % (os.getloadavg() + (os.cpu_count(),)))
    print("%s shapes, random weights; prefill %d tokens, decode %d; median of %d alternated rounds; "
          "weights %s" % (args.model, args.prompt, args.gen, args.rounds,
                          {"copied": "read into each engine's own memory (edgec --no-mmap, llama.cpp useMmap false)",
                           "locked": "mapped and locked by both engines (edgec --mlock, llama.cpp useMlock)",
                           "mapped": "mapped"}[args.weights]))
    print("read bandwidth (best of each round's start and the end): %s GB/s; int8 peak (best of start/end) %s" % (
        ", ".join("%dT %.1f (%s; summing loop %.1f)" % (n, max(bw[n]), max(rbs[n]).best_loop, max(r.sum64 for r in rbs[n]))
                  for n in threads),
        "n/a" if peak1 is None else "%.0f GOP/s per core (edgec_int8_gemm_bench VNNI)" % peak1))
    head = ("type   T | prefill tok/s edgec  llama  ratio | decode tok/s edgec  llama  ratio | "
            "decode GB/s edgec (%BW)  llama (%BW) | prefill GOP/s edgec (%peak)  llama (%peak)")
    print(head)
    print("-" * len(head))
    rows = []

    def pct(v, ref):
        return "  n/a" if ref is None else "%4.0f%%" % (100 * v / ref)

    for t, n in pairs:
        d = models[t][1]
        x = res[(t, n)]
        row = {"type": t, "threads": n, "weight_bytes": d["weight_bytes"], "matmul_params": d["matmul_params"],
               "read_gbs": max(bw[n]), "int8_peak_gops": None if peak1 is None else peak1 * n}
        for k in ("prefill", "decode"):
            for e in ENGINES:
                row["%s_%s" % (k, e)] = med(x[e][k])
                row["%s_%s_runs" % (k, e)] = x[e][k]
            row[k + "_ratio"] = med([a / b for a, b in zip(x["edgec"][k], x["llama.cpp"][k])])
        for e in ENGINES:
            row["major_faults_%s_runs" % e] = x[e]["faults"]
        for e in ENGINES:
            # Per run: the weight bytes over its median (fastest) token against the median
            # (best) pass of the read just before it; the medians of those ratios.
            row["decode_token_ms_" + e] = med(x[e]["token_ms"])
            row["decode_fastest_ms_" + e] = med(x[e]["fastest_ms"])
            row["decode_typical_share_" + e] = med([d["weight_bytes"] / ms / 1e6 / g
                                                    for ms, g in zip(x[e]["token_ms"], x[e]["near_median"])])
            row["decode_fastest_share_" + e] = med([d["weight_bytes"] / ms / 1e6 / g
                                                    for ms, g in zip(x[e]["fastest_ms"], x[e]["near_best"])])
            for k in ("token_ms", "fastest_ms", "near_median", "near_best"):
                row["decode_%s_%s_runs" % (k, e)] = x[e][k]
        for e in ENGINES:
            row["decode_gbs_" + e] = d["weight_bytes"] * row["decode_" + e] / 1e9
            row["prefill_gops_" + e] = 2 * d["matmul_params"] * row["prefill_" + e] / 1e9
        rows.append(row)

        print("%-6s %d | %19.1f %6.1f %5.2fx | %18.2f %6.2f %5.2fx | %17.1f (%s) %6.1f (%s) | %19.0f (%s) %6.0f (%s)" % (
            t, n, row["prefill_edgec"], row["prefill_llama.cpp"], row["prefill_ratio"],
            row["decode_edgec"], row["decode_llama.cpp"], row["decode_ratio"],
            row["decode_gbs_edgec"], pct(row["decode_gbs_edgec"], row["read_gbs"]),
            row["decode_gbs_llama.cpp"], pct(row["decode_gbs_llama.cpp"], row["read_gbs"]),
            row["prefill_gops_edgec"], pct(row["prefill_gops_edgec"], row["int8_peak_gops"]),
            row["prefill_gops_llama.cpp"], pct(row["prefill_gops_llama.cpp"], row["int8_peak_gops"])))
    # The table sets each run's mean rate (tokens/s, as llama-bench) against the best pass of
    # the best loop over the whole benchmark: a steady figure against the machine's luckiest
    # moment, which a shared machine's neighbours push apart. Like for like: each run's
    # median token against the median pass of the read just before it (the loop with the
    # highest median), its fastest token against that read's best pass; medians of the
    # per-run shares.
    print()
    print("decode like for like: each run's median token against the median pass of a read just before it, its "
          "fastest token against that read's best pass (loops %s); medians over the rounds" %
          "; ".join("%dT %s" % (n, ",".join(near[n])) for n in threads))
    head2 = ("type   T | median token ms edgec  llama | % of median pass edgec  llama | "
             "fastest token ms edgec  llama | % of best pass edgec  llama")
    print(head2)
    print("-" * len(head2))
    for row in rows:
        print("%-6s %d | %21.1f %6.1f | %22s %6s | %22.1f %6.1f | %20s %6s" % (
            row["type"], row["threads"], row["decode_token_ms_edgec"], row["decode_token_ms_llama.cpp"],
            pct(row["decode_typical_share_edgec"], 1), pct(row["decode_typical_share_llama.cpp"], 1),
            row["decode_fastest_ms_edgec"], row["decode_fastest_ms_llama.cpp"],
            pct(row["decode_fastest_share_edgec"], 1), pct(row["decode_fastest_share_llama.cpp"], 1)))
    faulted = ["%s %s %dT %s" % (e, t, n, x[e]["faults"]) for (t, n), x in res.items() for e in ENGINES
               if any(x[e]["faults"])]
    print("major page faults while timing: %s" % ("none" if not faulted else
          "; ".join(faulted) + " (a few are code or library pages; thousands mean the run read its weights "
          "from disk and measured the disk)"))
    out = os.path.join(cache, "results.json")
    with open(out, "w") as f:
        json.dump({"rows": rows, "read_gbs": bw, "read_bandwidth_runs": rbs, "int8_peak_per_core": peak1, "args": vars(args)}, f, indent=1)
    print("ratio: median of the per-round ratios edgec/llama.cpp; results: %s" % out)


if __name__ == "__main__":
    main()
