#!/usr/bin/python3
"""Runs every edgec test suite and prints one summary line: "N passed, N failed".

Each suite is a real harness with its own counts (gtest, lit, the ONNX conformance
runner, the end-to-end model checks); this script only runs them and adds up.
"""
import argparse
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(cmd, log_path, env=None):
    start = time.time()
    with open(log_path, "w") as log:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        log.write(proc.stdout)
    return proc.returncode, proc.stdout, time.time() - start


def count(pattern, text):
    m = re.search(pattern, text, re.MULTILINE)
    return int(m.group(1)) if m else 0


def gtest_suite(binary, log_name):
    """A gtest binary of the build (a missing one counts as a failure)."""
    def suite(build, logs):
        path = os.path.join(build, "bin", binary)
        if not os.path.exists(path):
            with open(os.path.join(logs, log_name + ".log"), "w") as log:
                log.write("%s: not built\n" % path)
            return 0, 1, 0.0
        rc, out, secs = run([path], os.path.join(logs, log_name + ".log"))
        passed = count(r"^\[  PASSED  \] (\d+) test", out)
        failed = count(r"^\[  FAILED  \] (\d+) test", out)
        if rc != 0 and failed == 0:
            failed = 1  # crashed or did not start
        return passed, failed, secs
    return suite


def lit_suite(build, logs):
    lit = "/usr/lib/llvm-19/build/utils/lit/lit.py"
    rc, out, secs = run([sys.executable, lit, "-sv", os.path.join(build, "test", "lit")], os.path.join(logs, "lit.log"))
    passed = count(r"^\s*Passed\s*:\s*(\d+)", out)
    failed = sum(count(r"^\s*%s\s*:\s*(\d+)" % k, out) for k in ("Failed", "Unresolved", "Timed Out", "Unexpectedly Passed"))
    if rc != 0 and failed == 0:
        failed = 1
    return passed, failed, secs


def script_suite(name, cmd):
    """A harness that prints its own 'N passed, N failed' line last."""
    def suite(build, logs):
        rc, out, secs = run(cmd(build), os.path.join(logs, name + ".log"))
        m = re.findall(r"(\d+) passed, (\d+) failed", out)
        if not m:
            return 0, 1, secs
        passed, failed = int(m[-1][0]), int(m[-1][1])
        if rc != 0 and failed == 0:
            failed = 1
        return passed, failed, secs
    return suite


def conformance_suite(kernels):
    """The ONNX node test suite, generated once into the build tree from python3-onnx."""
    def suite(build, logs):
        data = os.path.join(build, "onnx-node-tests")
        if not os.path.exists(os.path.join(data, "generated.stamp")):
            subprocess.run([sys.executable, os.path.join(ROOT, "test", "conformance", "generate_node_tests.py"), data],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        env = dict(os.environ, EDGEC_KERNELS=kernels)
        name = "conformance-" + kernels
        report = os.path.join(build, name + "-report.txt")
        rc, out, secs = run([os.path.join(build, "bin", "edgec-conformance"), os.path.join(data, "node"), report],
                            os.path.join(logs, name + ".log"), env=env)
        m = re.findall(r"(\d+) passed, (\d+) failed, (\d+) skipped", out)
        if not m:
            return 0, 1, secs
        passed, failed, skipped = map(int, m[-1])
        print("  (%s: %d ONNX node cases skipped, by reason in %s)" % (name, skipped, report))
        return passed, failed + (1 if rc != 0 and failed == 0 else 0), secs
    return suite


def runtime_standalone_suite(build, logs):
    """The runtime must configure and build on its own, with the compiler (MLIR) off."""
    out_dir = os.path.join(build, "runtime-standalone")
    log = os.path.join(logs, "runtime-standalone.log")
    start = time.time()
    with open(log, "w") as f:
        ok = subprocess.run(["cmake", "-G", "Ninja", "-S", ROOT, "-B", out_dir, "-DEDGEC_BUILD_COMPILER=OFF",
                             "-DEDGEC_BUILD_TESTS=OFF", "-DCMAKE_BUILD_TYPE=Release"],
                            stdout=f, stderr=subprocess.STDOUT).returncode == 0
        ok = ok and subprocess.run(["ninja", "-C", out_dir, "-j2", "edgec_runtime"],
                                   stdout=f, stderr=subprocess.STDOUT).returncode == 0
    return (1, 0, time.time() - start) if ok else (0, 1, time.time() - start)


def runtime_aarch64_suite(build, logs):
    """The runtime and its gtests cross-built for aarch64 (runtime/cmake/aarch64-linux-gnu.cmake,
    compiler off; x86 kernels and their tests are not built) and run under qemu-aarch64."""
    out_dir = os.path.join(build, "runtime-aarch64")
    log = os.path.join(logs, "runtime-aarch64.log")
    binary = os.path.join(out_dir, "bin", "edgec_runtime_tests")
    start = time.time()
    with open(log, "w") as f:
        def step(cmd, timeout=None):
            f.write("$ %s\n" % " ".join(cmd))
            f.flush()
            try:
                proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                      timeout=timeout)
            except subprocess.TimeoutExpired as e:
                out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
                f.write(out + "\nruntime-aarch64: killed after %d s\n" % timeout)
                return 1, out
            f.write(proc.stdout)
            f.flush()
            return proc.returncode, proc.stdout

        toolchain = os.path.join(ROOT, "runtime", "cmake", "aarch64-linux-gnu.cmake")
        rc, _ = step(["cmake", "-G", "Ninja", "-S", ROOT, "-B", out_dir, "-DCMAKE_TOOLCHAIN_FILE=" + toolchain,
                      "-DEDGEC_BUILD_COMPILER=OFF", "-DEDGEC_BUILD_TESTS=ON", "-DCMAKE_BUILD_TYPE=Release"])
        if rc == 0:
            rc, _ = step(["ninja", "-C", out_dir, "-j2", "edgec_runtime_tests"])
        if rc != 0:
            return 0, 1, time.time() - start
        # The toolchain file must have taken effect: a host compiler would have built an x86-64
        # binary (which qemu-aarch64 rejects with a less clear error), so check the ELF header.
        rc, kind = step(["file", "-b", binary])
        if rc != 0 or "ARM aarch64" not in kind:
            f.write("runtime-aarch64: %s is not an aarch64 executable\n" % binary)
            return 0, 1, time.time() - start
        # No -L /usr/aarch64-linux-gnu: the binary runs with the arm64 multiarch glibc (libc6:arm64)
        # whole; -L would pair the cross package's ld.so with that libc.so.6, which hangs in
        # pthread_create (see runtime/cmake/aarch64-linux-gnu.cmake).
        rc, out = step(["qemu-aarch64", binary], timeout=300)
    passed = count(r"^\[  PASSED  \] (\d+) test", out)
    failed = count(r"^\[  FAILED  \] (\d+) test", out)
    if rc != 0 and failed == 0:
        failed = 1  # crashed or did not start
    return passed, failed, time.time() - start


SUITES = [
    ("runtime-alone", runtime_standalone_suite),
    ("runtime-unit", gtest_suite("edgec_runtime_tests", "runtime-unit")),
    ("calibration-unit", gtest_suite("edgec_calibration_tests", "calibration-unit")),
    ("gguf-unit", gtest_suite("edgec_gguf_tests", "gguf-unit")),
    ("runtime-aarch64", runtime_aarch64_suite),
    ("lit", lit_suite),
    ("conformance-best", conformance_suite("best")),
    ("conformance-ref", conformance_suite("ref")),
    # docs/onnx_ops.md must be what `edgec ops` and conformance-best's report give.
    ("op-table", script_suite("op-table", lambda build: ["/usr/bin/python3",
                                                          os.path.join(ROOT, "test", "conformance", "op_table.py"),
                                                          "--build-dir", build, "--check"])),
    ("e2e", script_suite("e2e", lambda build: ["/usr/bin/python3", os.path.join(ROOT, "test", "e2e", "run_e2e.py"),
                                                "--build-dir", build])),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    parser.add_argument("--only", action="append", help="run only this suite (repeatable)")
    args = parser.parse_args()
    build = os.path.abspath(args.build_dir)
    logs = os.path.join(build, "test-logs")
    os.makedirs(logs, exist_ok=True)
    total_passed = total_failed = 0
    for name, suite in SUITES:
        if args.only and name not in args.only:
            continue
        passed, failed, secs = suite(build, logs)
        status = "ok" if failed == 0 else "FAILED (log: %s)" % os.path.join(logs, name + ".log")
        print("%-16s %5d passed, %3d failed  %6.1f s  %s" % (name, passed, failed, secs, status), flush=True)
        total_passed += passed
        total_failed += failed
    print("%d passed, %d failed" % (total_passed, total_failed))
    return 1 if total_failed else 0


if __name__ == "__main__":
    sys.exit(main())
