#!/usr/bin/python3
"""Builds small .edgepkg packages from scratch, without the compiler, for the CLI lit
tests of the loader's checks (the plan as JSON, turned into a FlatBuffer by flatc with
runtime/schema/edgepkg.fbs; the container, padding and XXH3-64 checksums of
runtime/include/edgec/package_format.h, format version 5).

  make_package.py SCHEMA CASE OUT

The package computes y = x + c (x: f32[2,3] input, c: f32[3] constant) and also holds a
constant `w` that no kernel reads, with its quantization parameters:
  good         w: i8[4,6] per-axis (axis 0) with f32 scales [4] and i8 zero points [4]
  bad-axis     per-axis with axis 2 (w has rank 2)
  bad-count    per-axis with 6 scales for dim 0 of size 4
  bad-group    blockwise, block size 4 along axis 1 (6 -> 2 groups) with scales [4,3]
  bad-dtype    scales of dtype i32
  bad-zp-dtype zero points of dtype u8 for an i8 tensor
  bad-q4       w: q4_0[2,64] (72 bytes) declared as 64 bytes
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

import xxhash  # Debian's python3-xxhash (scripts/setup.sh)

ALIGN = 64


def align(v):
    return (v + ALIGN - 1) // ALIGN * ALIGN


def checksum64(data):
    return xxhash.xxh3_64_intdigest(bytes(data))


def numel(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def nbytes(dtype, shape):
    bits = {"f32": 32, "f16": 16, "i32": 32, "i8": 8, "u8": 8, "i4": 4}
    if dtype == "q4_0":
        return numel(shape[:-1]) * (shape[-1] // 32) * 18
    return (numel(shape) * bits[dtype] + 7) // 8


def case(name):
    w = {"dtype": "i8", "shape": [4, 6]}
    quant = {"scheme": "PerAxis", "axis": 0, "block_size": 0}
    scales = {"dtype": "f32", "shape": [4]}
    zero = {"dtype": "i8", "shape": [4]}
    if name == "bad-axis":
        quant["axis"] = 2
    elif name == "bad-count":
        scales["shape"] = [6]
    elif name == "bad-group":
        quant = {"scheme": "Blockwise", "axis": 1, "block_size": 4}
        scales["shape"] = zero["shape"] = [4, 3]
    elif name == "bad-dtype":
        scales["dtype"] = "i32"
    elif name == "bad-zp-dtype":
        zero["dtype"] = "u8"
    elif name == "bad-q4":
        return {"dtype": "q4_0", "shape": [2, 64], "size": 64}, None, None, None
    elif name != "good":
        sys.exit("unknown case " + name)
    return w, quant, scales, zero


def main(argv):
    schema, name, out = argv[1], argv[2], argv[3]
    w, quant, scales, zero = case(name)
    tensors = [
        {"name": "x", "dtype": "f32", "shape": [2, 3], "storage": "Arena", "offset": 0, "size": 24},
        {"name": "c", "dtype": "f32", "shape": [3], "storage": "Constant", "offset": 0, "size": 12},
        {"name": "y", "dtype": "f32", "shape": [2, 3], "storage": "Arena", "offset": 64, "size": 24},
    ]
    const_size = 64
    extra = [("w", w)] + ([("w_scale", scales), ("w_zero", zero)] if quant else [])
    for tname, t in extra:
        size = t.get("size", nbytes(t["dtype"], t["shape"]))
        tensors.append({"name": tname, "dtype": t["dtype"], "shape": t["shape"], "storage": "Constant",
                        "offset": const_size, "size": size})
        const_size = align(const_size + max(size, nbytes(t["dtype"], t["shape"])))
    if quant:
        tensors[3]["quant"] = dict(quant, scales_tensor=4, zero_points_tensor=5, expressed_type="f32")
    plan = {
        "producer": "make_package.py", "model_name": name, "target": "host", "required_features": [],
        "tensors": tensors,
        "functions": [{"name": "main", "inputs": [0], "outputs": [2], "arena_size": 128,
                       "kernels": [{"op": "Add", "name": "add0", "inputs": [0, 1], "outputs": [2], "attrs": []}]}],
        "arena_size": 128, "state_size": 0,
    }
    constants = bytearray(const_size)
    constants[0:12] = struct.pack("<3f", 10, 20, 30)
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "plan.json"), "w") as f:
            json.dump(plan, f)
        subprocess.run(["flatc", "-b", "-o", tmp, schema, os.path.join(tmp, "plan.json")], check=True)
        plan_bytes = open(os.path.join(tmp, "plan.bin"), "rb").read()

    table_offset, sections = 64, 2
    plan_offset = align(table_offset + 32 * sections)
    const_offset = align(plan_offset + len(plan_bytes))
    file_size = const_offset + len(constants)
    table = struct.pack("<IIQQQ", 1, 0, plan_offset, len(plan_bytes), checksum64(plan_bytes))
    table += struct.pack("<IIQQQ", 2, 0, const_offset, len(constants), checksum64(constants))

    def header(checksum):
        return b"EDGEPKG\0" + struct.pack("<IIQQQII", 5, 64, file_size, checksum, table_offset, sections, 32) + bytes(16)

    image = bytearray(file_size)
    image[0:64] = header(checksum64(header(0) + table))
    image[64:64 + len(table)] = table
    image[plan_offset:plan_offset + len(plan_bytes)] = plan_bytes
    image[const_offset:] = constants
    open(out, "wb").write(bytes(image))


if __name__ == "__main__":
    main(sys.argv)
