#!/usr/bin/python3
"""Robustness sweeps of `edgec inspect` over damaged GGUF files (the checks of sweep.py:
every failure is exit 1 with one "edgec: error:" line, never a crash).

  gguf_sweep.py EDGEC truncations FILE.gguf WORKDIR
      the file cut after every byte of its header (and its padding), then at every 97th
      byte of the tensor data: each must be refused
  gguf_sweep.py EDGEC corruptions FILE.gguf WORKDIR COUNT SEED
      COUNT copies with 1-4 random bytes of the header changed: exit 0 or a clean error
  gguf_sweep.py EDGEC bad-cases WORKDIR
      each damaged file of gguf_writer.py (BAD_CASES): prints "CASE: <the error line>",
      or "CASE: BAD ..." unless `inspect` exits 1 with exactly one stderr line

Prints "N cases ok" or the bad cases, and exits 1 if there was one.
"""
import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sweep import Sweep, mutate  # noqa: E402


def data_offset(data):
    """Where the tensor data starts: a reader just for the lengths (strings, arrays, tensor
    infos), for a valid file."""
    pos = 24
    n_tensors, n_kv = struct.unpack_from("<QQ", data, 8)
    alignment = 32

    def skip_value(vtype):
        nonlocal pos
        sizes = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
        if vtype == 8:
            (n,) = struct.unpack_from("<Q", data, pos)
            pos += 8 + n
        elif vtype == 9:
            etype, count = struct.unpack_from("<IQ", data, pos)
            pos += 12
            for _ in range(count):
                skip_value(etype)
        else:
            pos += sizes[vtype]

    for _ in range(n_kv):
        (n,) = struct.unpack_from("<Q", data, pos)
        key = data[pos + 8:pos + 8 + n]
        pos += 8 + n
        (vtype,) = struct.unpack_from("<I", data, pos)
        pos += 4
        if key == b"general.alignment":
            (alignment,) = struct.unpack_from("<I", data, pos)
        skip_value(vtype)
    for _ in range(n_tensors):
        (n,) = struct.unpack_from("<Q", data, pos)
        pos += 8 + n
        (n_dims,) = struct.unpack_from("<I", data, pos)
        pos += 4 + 8 * n_dims + 12
    return (pos + alignment - 1) // alignment * alignment


def bad_cases(edgec, work):
    import subprocess
    import gguf_writer
    os.makedirs(work, exist_ok=True)
    for case in gguf_writer.BAD_CASES:
        path = os.path.join(work, case + ".gguf")
        gguf_writer.bad(case).write(path)
        p = subprocess.run([edgec, "inspect", path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           errors="replace", timeout=60)
        lines = p.stderr.splitlines()
        if p.returncode != 1 or len(lines) != 1 or p.stdout:
            print("%s: BAD exit %d, %d stderr lines, stdout %r: %s" % (case, p.returncode, len(lines), p.stdout[:100],
                                                                      p.stderr[:300]))
        else:
            print("%s: %s" % (case, lines[0].replace(path, "FILE")))
    return 0


def main(argv):
    if argv[2] == "bad-cases":
        return bad_cases(argv[1], argv[3])
    edgec, mode, path, work = argv[1], argv[2], argv[3], argv[4]
    data = open(path, "rb").read()
    s = Sweep(edgec, work)
    case = os.path.join(s.work, "t.gguf")
    if mode == "truncations":
        start = data_offset(data)
        for n in list(range(start + 1)) + list(range(start + 1, len(data), 97)):
            open(case, "wb").write(data[:n])
            s.run("first %d bytes" % n, ["inspect", case], [], may_succeed=False)
    elif mode == "corruptions":
        header = data[:data_offset(data)]
        r = random.Random(int(argv[6]))
        for i in range(int(argv[5])):
            open(case, "wb").write(bytes(mutate(header, r)) + data[len(header):])
            s.run("corruption %d" % i, ["inspect", case], [], may_succeed=True)
    else:
        sys.exit("unknown mode " + mode)
    return s.report()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
