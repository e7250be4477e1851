#!/usr/bin/python3
"""Package load cost and compile memory, the figures of docs/architecture.md
("Package load cost", "Compile memory"). A measurement for people to read, not a test.

  test/bench/load_cost.py [--build-dir build] [--work DIR]

1. Builds test/bench/load_cost/{make_big_package,load_time}.cpp against the runtime in
   BUILD, writes a package with 1 GiB of constants, and times with /usr/bin/time
   (seconds, peak RSS): `edgec inspect` (constants not verified), `edgec inspect --verify`,
   and the C API load + first session with the constants verified at load and lazily.
2. Peak RSS of `edgec compile` on an MLP with 256 MiB of f32 weights
   (load_cost/make_big_mlp.py) and on ResNet-18 (torchvision, random weights).
3. With --compare OLD_BUILD (a build of another commit: OLD_BUILD/bin/edgec and
   OLD_BUILD/runtime/libedgec_runtime.a): that MLP compiled by each build at int8-dynamic,
   int4-g128-a8 and int4-g128, and each package loaded by its own build's runtime (C API
   load + first session, constants verified at load and lazily), old and new alternated
   over --rounds rounds on CPU 0: median times, peak RSS and package sizes (the "Weight
   layouts" figures of docs/architecture.md). --only-compare skips 1 and 2.

Each figure is the median of 3 runs; the page cache is warm. Format 1 ("before") numbers
come from the same programs built at commit b573b42 (the last format-1 commit) with
-DLEGACY.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.join(ROOT, "test", "bench", "load_cost")


def timed(cmd):
    """(seconds, peak RSS MiB, stdout) of one run under /usr/bin/time."""
    proc = subprocess.run(["/usr/bin/time", "-f", "TIME %e %M"] + cmd, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        sys.exit("failed: %s\n%s%s" % (" ".join(cmd), proc.stdout, proc.stderr))
    m = re.search(r"TIME ([0-9.]+) (\d+)", proc.stderr)
    return float(m.group(1)), int(m.group(2)) / 1024.0, proc.stdout


def median3(cmd):
    runs = [timed(cmd) for _ in range(3)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs), runs[-1][2]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    parser.add_argument("--work", default=None, help="scratch folder (default BUILD/load_cost)")
    parser.add_argument("--compare", default=None, help="another build to compare quantized package loads with")
    parser.add_argument("--only-compare", action="store_true", help="only the --compare figures")
    parser.add_argument("--rounds", type=int, default=5, help="alternated rounds for --compare")
    args = parser.parse_args()
    build = os.path.abspath(args.build_dir)
    work = os.path.abspath(args.work or os.path.join(build, "load_cost"))
    os.makedirs(work, exist_ok=True)
    edgec = os.path.join(build, "bin", "edgec")

    flags = ["-O2", "-std=c++17", "-I", os.path.join(ROOT, "runtime", "include"),
             "-I", os.path.join(build, "runtime", "generated")]
    libs = [os.path.join(build, "runtime", "libedgec_runtime.a"), "-lcpuinfo", "-pthread"]
    tools = {}
    for name in ("make_big_package", "load_time"):
        tools[name] = os.path.join(work, name)
        subprocess.run(["g++"] + flags + [os.path.join(HERE, name + ".cpp"), "-o", tools[name]] + libs, check=True)

    if args.compare:
        compare_builds(os.path.abspath(args.compare), build, work, args.rounds)
        if args.only_compare:
            return

    pkg = os.path.join(work, "big.edgepkg")
    subprocess.run([tools["make_big_package"], pkg], check=True)
    print("package with 1 GiB of constants: %s (%.0f MiB)" % (pkg, os.path.getsize(pkg) / 2**20))
    for label, cmd in [("edgec inspect", [edgec, "inspect", pkg]),
                       ("edgec inspect --verify", [edgec, "inspect", "--verify", pkg]),
                       ("C API load (verify at load) + session", [tools["load_time"], pkg, "1", "1"]),
                       ("C API load (lazy) + session", [tools["load_time"], pkg, "0", "1"]),
                       ("C API load (lazy), no session", [tools["load_time"], pkg, "0", "0"])]:
        secs, rss, out = median3(cmd)
        detail = out.strip().splitlines()[-1] if "load" in label else ""
        print("  %-40s %6.2f s  peak RSS %7.0f MiB  %s" % (label, secs, rss, detail))

    mlp = os.path.join(work, "big_mlp.onnx")
    subprocess.run(["/usr/bin/python3", os.path.join(HERE, "make_big_mlp.py"), mlp], check=True)
    r18 = os.path.join(work, "resnet18.onnx")
    subprocess.run(["/usr/bin/python3", "-c",
                    "import sys, torch, torchvision; torch.manual_seed(0); "
                    "m = torchvision.models.resnet18(weights=None).eval(); "
                    "torch.onnx.export(m, torch.zeros(1, 3, 224, 224), sys.argv[1], opset_version=17, "
                    "input_names=['input'], output_names=['output'])", r18], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print("edgec compile peak RSS:")
    for label, model, weights in [("MLP 4 x Gemm 4096x4096", mlp, 256.0), ("ResNet-18", r18, 44.6)]:
        secs, rss, _ = median3([edgec, "compile", "-q", model, "-o", os.path.join(work, "out.edgepkg")])
        print("  %-24s weights %6.1f MiB  peak RSS %6.0f MiB (%.2fx)  %.2f s" % (label, weights, rss, rss / weights, secs))


def compare_builds(old, new, work, rounds):
    """Section 3: quantized MLP packages of two builds, each loaded by its own runtime."""
    mlp = os.path.join(work, "big_mlp.onnx")
    if not os.path.exists(mlp):
        subprocess.run(["/usr/bin/python3", os.path.join(HERE, "make_big_mlp.py"), mlp], check=True)
    tools, pkgs = {}, {}
    for side, build in (("old", old), ("new", new)):
        tools[side] = os.path.join(work, "load_time_" + side)
        subprocess.run(["g++", "-O2", "-std=c++17", "-I", os.path.join(ROOT, "runtime", "include"),
                        os.path.join(HERE, "load_time.cpp"), "-o", tools[side],
                        os.path.join(build, "runtime", "libedgec_runtime.a"), "-lcpuinfo", "-pthread"], check=True)
        for precision in ("int8-dynamic", "int4-g128-a8", "int4-g128"):
            pkgs[side, precision] = os.path.join(work, "mlp_%s_%s.edgepkg" % (precision, side))
            subprocess.run([os.path.join(build, "bin", "edgec"), "compile", "-q", mlp, "--precision", precision,
                            "-o", pkgs[side, precision]], check=True)
    fp32 = os.path.join(work, "mlp_fp32.edgepkg")
    subprocess.run([os.path.join(new, "bin", "edgec"), "compile", "-q", mlp, "-o", fp32], check=True)
    runs = {}
    for _ in range(rounds):
        for (side, precision), pkg in sorted(pkgs.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            for verify in ("1", "0"):
                secs, rss, out = timed(["taskset", "-c", "0", tools[side], pkg, verify, "1"])
                m = re.search(r"load ([0-9.]+) ms, session ([0-9.]+) ms", out)
                runs.setdefault((precision, verify, side), []).append((float(m.group(1)) + float(m.group(2)), rss))
    print("MLP 4 x Gemm 4096x4096, load + first session (median of %d alternated rounds, CPU 0; load average %s):"
          % (rounds, " ".join(open("/proc/loadavg").read().split()[:3])))
    for (precision, verify, side), r in sorted(runs.items(), key=lambda kv: (kv[0][0], kv[0][1] == "0", kv[0][2] != "old")):
        size = os.path.getsize(pkgs[side, precision])
        print("  %-13s %-4s constants %-8s %8.1f ms  peak RSS %6.1f MiB  size %.4fx fp32" %
              (precision, side, "verified" if verify == "1" else "lazily", statistics.median(x[0] for x in r),
               statistics.median(x[1] for x in r), size / os.path.getsize(fp32)))


if __name__ == "__main__":
    main()
