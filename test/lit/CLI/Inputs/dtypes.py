"""Every dtype numpy can hold, through a package and `edgec run` and back.

  dtypes.py make DIR    writes DIR/model.mlir (one input and one output per dtype, each
                        output a copy of its input, plus a Neg per signed/float type so
                        a kernel computes on it) and DIR/<dtype>.npy inputs
  dtypes.py check DIR   compares DIR/out/*.npy with numpy (same dtype, shape and values)
"""
import os
import sys

import numpy as np

# numpy dtype -> MLIR element type
TYPES = [("float32", "f32"), ("float16", "f16"), ("float64", "f64"), ("int8", "i8"), ("uint8", "ui8"),
         ("int16", "i16"), ("uint16", "ui16"), ("int32", "i32"), ("uint32", "ui32"), ("int64", "i64"),
         ("uint64", "ui64"), ("bool", "i1")]
NEG = {"float32", "int8", "int32", "int64"}  # the types ref Neg takes
SHAPE = (2, 3)


def values(dtype):
    rng = np.random.default_rng(7)
    if dtype == "bool":
        return rng.integers(0, 2, SHAPE).astype(bool)
    if dtype.startswith("float"):
        return rng.standard_normal(SHAPE).astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(max(info.min, -100), min(info.max, 100), SHAPE, endpoint=True).astype(dtype)


def make(d):
    args, results, body, rets = [], [], [], []
    for name, t in TYPES:
        ty = "tensor<2x3x%s>" % t
        args.append('%%%s: %s {edge.name = "%s"}' % (name, ty, name))
        results.append('%s {edge.name = "%s_out"}' % (ty, name))
        rets.append(("%" + name, ty))
        if name in NEG:
            body.append('  %%neg_%s = edge.Neg %%%s : %s' % (name, name, ty))
            results.append('%s {edge.name = "%s_neg"}' % (ty, name))
            rets.append(("%neg_" + name, ty))
        np.save(os.path.join(d, name + ".npy"), values(name))
    with open(os.path.join(d, "model.mlir"), "w") as f:
        f.write("func.func @main(%s)\n    -> (%s) {\n" % (", ".join(args), ", ".join(results)))
        f.write("\n".join(body) + "\n")
        f.write("  return %s : %s\n}\n" % (", ".join(v for v, _ in rets), ", ".join(t for _, t in rets)))


def check(d):
    failed = 0
    for name, _ in TYPES:
        want = values(name)
        outs = [("_out", want)] + ([("_neg", -want)] if name in NEG else [])
        for suffix, expect in outs:
            got = np.load(os.path.join(d, "out", name + suffix + ".npy"))
            if got.dtype != expect.dtype or got.shape != expect.shape or not np.array_equal(got, expect):
                print("FAIL %s%s: %s %s %s" % (name, suffix, got.dtype, got.shape, got.ravel()[:4]))
                failed += 1
    print("%d dtypes round-tripped, %d failed" % (len(TYPES), failed))
    sys.exit(1 if failed else 0)


{"make": make, "check": check}[sys.argv[1]](sys.argv[2])
