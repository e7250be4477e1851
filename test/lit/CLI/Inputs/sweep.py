#!/usr/bin/python3
"""Robustness sweeps for the CLI lit tests: runs edgec on many damaged files and checks
that every failure is a clean one.

  sweep.py EDGEC onnx-truncations MODEL.onnx WORKDIR
      every prefix of MODEL: `compile` must fail with exit 1 and one error line
  sweep.py EDGEC onnx-corruptions MODEL.onnx WORKDIR COUNT SEED
      COUNT copies with 1-4 random bytes changed: `compile` exits 0 or 1; on 1 the
      first stderr line is "edgec: error: ..." and nothing else came before it
  sweep.py EDGEC package-corruptions PKG INPUT_NAME INPUT.npy WORKDIR COUNT SEED
      COUNT copies with 1-4 random bytes changed and the checksums recomputed, so that
      the loader's deeper checks (section table, FlatBuffer plan, offsets, shapes) see
      them: `run` exits 0 or 1, with a clean error line on 1 that is not a checksum's
  sweep.py EDGEC llm-package-corruptions PKG WORKDIR COUNT SEED
      the same for an LLM package (compiled from a GGUF file), with the bytes changed in
      the header, the section table and the plan (its functions, state, KV cache
      attention parameters and llm.* metadata with the tokenizer) rather than in the
      weights, where package-corruptions' changes mostly land: `generate` and `inspect`

Every case must also leave no output and no temporary file behind on failure. Prints
"N cases ok" or each bad case (at most 10), and exits 1 if there was one.
"""
import os
import random
import struct
import subprocess
import sys

import xxhash  # Debian's python3-xxhash (scripts/setup.sh)

CHECKSUM_OFFSET = 24  # FileHeader.checksum, see runtime/include/edgec/package_format.h


def fix_checksums(data):
    """Recomputes every section's checksum and then the header's (XXH3-64), as
    pkg::updateChecksum does, so that the loader's deeper checks see the damage. Sections
    or a table that a mutation moved outside the file are left alone."""
    size = len(data)
    table_offset, count = struct.unpack_from("<QI", data, 32)
    count = min(count, 64)
    if table_offset > size or count * 32 > size - table_offset:
        return
    for i in range(count):
        at = table_offset + 32 * i
        offset, length = struct.unpack_from("<QQ", data, at + 8)
        if offset <= size and length <= size - offset:
            struct.pack_into("<Q", data, at + 24, xxhash.xxh3_64_intdigest(bytes(data[offset:offset + length])))
    header = bytearray(data[0:64])
    header[CHECKSUM_OFFSET:CHECKSUM_OFFSET + 8] = bytes(8)
    table = bytes(data[table_offset:table_offset + 32 * count])
    struct.pack_into("<Q", data, CHECKSUM_OFFSET, xxhash.xxh3_64_intdigest(bytes(header) + table))


def mutate(data, r, spans=None):
    """1-4 random bytes changed (set or a bit flipped), anywhere or within spans [(offset, length)]."""
    data = bytearray(data)
    for _ in range(r.choice([1, 1, 2, 4])):
        start, length = r.choice(spans) if spans else (0, len(data))
        i = start + r.randrange(length)
        data[i] = r.randrange(256) if r.random() < 0.5 else data[i] ^ (1 << r.randrange(8))
    return data


def spans_but_constants(data):
    """The header with the section table, and every section but the CONSTANTS one (kind 2)."""
    table_offset, count = struct.unpack_from("<QI", data, 32)
    spans = [(0, table_offset + 32 * count)]
    for i in range(count):
        kind, = struct.unpack_from("<I", data, table_offset + 32 * i)
        offset, length = struct.unpack_from("<QQ", data, table_offset + 32 * i + 8)
        if kind != 2 and length:
            spans.append((offset, length))
    return spans


class Sweep:
    def __init__(self, edgec, work):
        self.edgec, self.work, self.cases, self.bad = edgec, work, 0, []
        os.makedirs(work, exist_ok=True)

    def run(self, label, args, outputs, may_succeed, past_checksums=False):
        self.cases += 1
        p = subprocess.run([self.edgec] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           errors="replace", timeout=120)
        lines = p.stderr.splitlines()
        problem = None
        if p.returncode < 0 or p.returncode not in (0, 1):
            problem = "exit status %d (crash?)" % p.returncode
        elif p.returncode == 0 and not may_succeed:
            problem = "exit 0"
        elif p.returncode == 1:
            if not lines or not lines[0].startswith("edgec: error: "):
                problem = "stderr does not start with 'edgec: error:'"
            elif len(lines) != 1 and not may_succeed:
                problem = "%d stderr lines" % len(lines)
            elif any(os.path.exists(o) for o in outputs):
                problem = "failed but left an output behind"
            elif past_checksums and "checksum" in lines[0]:
                problem = "stopped at a checksum that fix_checksums should have recomputed"
        leftovers = [f for f in os.listdir(self.work) if ".tmp." in f]
        if leftovers:
            problem = "temporary files left: %s" % leftovers
        if problem:
            keep = os.path.join(self.work, "bad-%d-%s" % (self.cases, os.path.basename(args[1])))
            os.replace(args[1], keep)
            self.bad.append("%s: %s (kept as %s); stderr: %s" % (label, problem, keep, p.stderr.strip()[:300]))
        for o in outputs:
            if os.path.isdir(o):
                for f in os.listdir(o):
                    os.remove(os.path.join(o, f))
                os.rmdir(o)
            elif os.path.exists(o):
                os.remove(o)

    def report(self):
        for b in self.bad[:10]:
            print("BAD " + b)
        if self.bad:
            print("%d of %d cases bad" % (len(self.bad), self.cases))
            return 1
        print("%d cases ok" % self.cases)
        return 0


def main(argv):
    edgec, mode = argv[1], argv[2]
    if mode == "onnx-truncations":
        data = open(argv[3], "rb").read()
        s = Sweep(edgec, argv[4])
        for n in range(len(data)):
            path, out = os.path.join(s.work, "t.onnx"), os.path.join(s.work, "t.edgepkg")
            open(path, "wb").write(data[:n])
            s.run("first %d bytes" % n, ["compile", path, "-q", "-o", out], [out], may_succeed=False)
    elif mode == "onnx-corruptions":
        data = open(argv[3], "rb").read()
        s = Sweep(edgec, argv[4])
        r = random.Random(int(argv[6]))
        for i in range(int(argv[5])):
            path, out = os.path.join(s.work, "c.onnx"), os.path.join(s.work, "c.edgepkg")
            open(path, "wb").write(mutate(data, r))
            s.run("corruption %d" % i, ["compile", path, "-q", "-o", out], [out], may_succeed=True)
    elif mode == "package-corruptions":
        data = open(argv[3], "rb").read()
        name, npy = argv[4], argv[5]
        s = Sweep(edgec, argv[6])
        r = random.Random(int(argv[8]))
        for i in range(int(argv[7])):
            path, out = os.path.join(s.work, "c.edgepkg"), os.path.join(s.work, "out")
            b = mutate(data, r)
            fix_checksums(b)
            open(path, "wb").write(b)
            s.run("corruption %d" % i, ["run", path, "-q", "--input", name + "=" + npy, "--output-dir", out], [out],
                  may_succeed=True, past_checksums=True)
    elif mode == "llm-package-corruptions":
        data = open(argv[3], "rb").read()
        spans = spans_but_constants(data)
        s = Sweep(edgec, argv[4])
        r = random.Random(int(argv[6]))
        for i in range(int(argv[5])):
            path = os.path.join(s.work, "c.edgepkg")
            b = mutate(data, r, spans)
            fix_checksums(b)
            open(path, "wb").write(b)
            s.run("corruption %d: generate" % i, ["generate", path, "--tokens", "1,2,3", "-n", "3", "--ids", "-q"], [],
                  may_succeed=True, past_checksums=True)
            if os.path.exists(path):  # not kept as a bad case
                s.run("corruption %d: inspect" % i, ["inspect", path], [], may_succeed=True, past_checksums=True)
    else:
        sys.exit("unknown mode " + mode)
    return s.report()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
