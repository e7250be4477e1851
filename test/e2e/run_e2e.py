#!/usr/bin/python3
"""End-to-end model checks: PyTorch model -> ONNX -> `edgec compile` -> `edgec run`,
compared with PyTorch's own output on the same fixed-seed input.

Models (fp32, static shapes, random weights from torch.manual_seed(0), eval mode):
  mlp          784-256-128-10 with ReLU, input 1x784
  mobilenet_v2 torchvision MobileNetV2 (random weights), input 1x3x224x224

Tolerance (fp32 everywhere, so the only differences are summation order, fused
conv+batchnorm folding and the kernels' own rounding):
  max |edgec - torch| <= ATOL + RTOL * max|torch|
i.e. the error is judged against the scale of the output tensor, not per element,
because outputs near zero (logits) make per-element relative error meaningless. With
RTOL = 1e-4 and ATOL = 1e-5 this allows about 1000x fp32 epsilon of the output scale,
which a 50+ layer network accumulating in fp32 stays well inside, while any real
kernel bug (a wrong pad, stride, bias or layout) gives errors of the order of the
output scale itself. The max per-element relative error is printed for information.

Run with Debian's /usr/bin/python3 (python3-torch, python3-torchvision, python3-onnx,
python3-numpy). Prints one line per model and, last, "N passed, N failed".
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

RTOL = 1e-4  # relative to max|reference output|
ATOL = 1e-5


def make_mlp():
    import torch
    from torch import nn
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(784, 256), nn.ReLU(),
        nn.Linear(256, 128), nn.ReLU(),
        nn.Linear(128, 10))
    return model.eval(), (1, 784)


def make_mobilenet_v2():
    import torch
    import torchvision
    torch.manual_seed(0)
    model = torchvision.models.mobilenet_v2(weights=None)
    model.eval()
    # torchvision initialises BatchNorm with mean 0 / var 1, which makes it nearly an
    # identity; give every BatchNorm non-trivial fixed-seed statistics so the
    # conv+batchnorm folding is really exercised.
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                n = m.num_features
                m.running_mean.copy_(0.1 * torch.randn(n, generator=g))
                m.running_var.copy_(0.5 + torch.rand(n, generator=g))
                m.weight.copy_(1.0 + 0.1 * torch.randn(n, generator=g))
                m.bias.copy_(0.1 * torch.randn(n, generator=g))
    return model, (1, 3, 224, 224)


MODELS = [
    ("mlp", make_mlp),
    ("mobilenet_v2", make_mobilenet_v2),
]


def export(model, shape, path):
    import torch
    x = torch.from_numpy(np.random.default_rng(1234).standard_normal(shape).astype(np.float32))
    with torch.no_grad():
        ref = model(x).numpy()
        torch.onnx.export(model, (x,), path, opset_version=13, do_constant_folding=True,
                          input_names=["input"], output_names=["output"])
    return x.numpy(), ref


def check(name, factory, edgec, work):
    mdir = os.path.join(work, name)
    os.makedirs(mdir, exist_ok=True)
    onnx_path = os.path.join(mdir, name + ".onnx")
    pkg = os.path.join(mdir, name + ".edgepkg")
    x_path = os.path.join(mdir, "input.npy")
    out_dir = os.path.join(mdir, "out")

    model, shape = factory()
    x, ref = export(model, shape, onnx_path)
    np.save(x_path, x)

    t0 = time.time()
    proc = subprocess.run([edgec, "compile", onnx_path, "--target", "host", "-q", "-o", pkg],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    compile_s = time.time() - t0
    if proc.returncode != 0:
        return False, "compile failed (exit %d):\n%s" % (proc.returncode, proc.stdout.strip()), compile_s

    proc = subprocess.run([edgec, "run", pkg, "--input", "input=" + x_path, "--output-dir", out_dir, "-q"],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        return False, "run failed (exit %d):\n%s" % (proc.returncode, proc.stdout.strip()), compile_s
    latency = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""

    out_path = os.path.join(out_dir, "output.npy")
    if not os.path.exists(out_path):
        return False, "run wrote no %s (found: %s)" % (out_path, os.listdir(out_dir)), compile_s
    got = np.load(out_path)
    if got.shape != ref.shape or got.dtype != ref.dtype:
        return False, "output is %s %s, PyTorch gives %s %s" % (got.dtype, got.shape, ref.dtype, ref.shape), compile_s
    if not np.all(np.isfinite(got)):
        return False, "output has non-finite values", compile_s

    diff = np.abs(got.astype(np.float64) - ref.astype(np.float64))
    scale = float(np.max(np.abs(ref)))
    max_abs = float(diff.max())
    max_rel = float(np.max(diff / np.maximum(np.abs(ref.astype(np.float64)), 1e-30)))
    bound = ATOL + RTOL * scale
    ok = max_abs <= bound and int(np.argmax(got)) == int(np.argmax(ref))
    detail = ("max abs err %.3g (bound %.3g = %g + %g * max|ref| %.4g), max rel err %.3g, "
              "argmax %d/%d, compile %.2f s, %s" %
              (max_abs, bound, ATOL, RTOL, scale, max_rel, int(np.argmax(got)), int(np.argmax(ref)),
               compile_s, latency))
    return ok, detail, compile_s


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", default="/work/main/build")
    parser.add_argument("--only", action="append", help="check only this model (repeatable)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    build = os.path.abspath(args.build_dir)
    edgec = os.path.join(build, "bin", "edgec")
    if not os.access(edgec, os.X_OK):
        print("FAIL: no edgec binary at %s" % edgec)
        print("0 passed, 1 failed")
        return 1

    import torch
    torch.set_num_threads(1)  # deterministic reference, and the build machine has 2 shared cores

    work = tempfile.mkdtemp(prefix="e2e-", dir=build)
    passed = failed = 0
    try:
        for name, factory in MODELS:
            if args.only and name not in args.only:
                continue
            try:
                ok, detail, _ = check(name, factory, edgec, work)
            except Exception as e:  # a broken export or harness problem is a failure, not a crash
                ok, detail = False, "%s: %s" % (type(e).__name__, e)
            print("%-14s %s  %s" % (name, "PASS" if ok else "FAIL", detail), flush=True)
            passed += ok
            failed += not ok
    finally:
        if args.keep or failed:
            print("work directory kept: %s" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
