#!/usr/bin/python3
"""Damaged GGUF files through the user's commands: `edgec inspect`, `edgec compile` and, on
what compiles, `edgec generate` must each end normally or with one error line, never crash
or hang, and a compile that fails must leave no output file behind (docs/gguf.md, "Bad
input"). test/lit/CLI/gguf-*-bad.test checks each validation's own message on a crafted
file; this harness checks the property over many random damages of the kind a truncated
download, a buggy converter or a hostile file gives.

Seed files: gguf_models.py's test models (a llama with its own head, a qwen2 with biases and
a tied head; their tokenizers), written fresh. Cases (MUTANTS damaged files each, seeded,
so a run is reproducible):
  bytes/llama-q4_0, bytes/qwen2-q4_k  one to eight byte-level damages in the header (the
        metadata and tensor infos, before the tensor data): bit flips, bytes set to 0x00,
        0x7f, 0x80 or 0xff, 4- or 8-byte fields overwritten with boundary integers (0, 1,
        2^31 - 1, 2^32 - 1, 2^63 - 1, 2^64 - 1, ...), bytes deleted or inserted, and the
        file cut short anywhere;
  data/llama-f16  f16 tensor data overwritten with NaN, inf or huge values (the header
        intact): compiles, and generate must either run or stop with an error;
  metadata/llama, metadata/qwen2, metadata/granite (its multipliers)  valid files whose
        metadata is wrong: one to three keys
        removed or given another type, a boundary value (0, 1, 2^32 - 1, NaN, inf, an
        empty or another architecture's string), or, for arrays (the vocabulary, scores,
        token types, merges), emptied, cut, doubled or with entries replaced.
A mutant passes when each command exits 0, or 1 with an `edgec: error:` line (inspect's and
compile's naming the file), within TIMEOUT_S seconds, with nothing on stderr that a crash
or an abort prints, and a failed compile left neither the package nor a temporary file.
The detail counts the mutants each command refused and ran; a failed case names its first
mutants and keeps them in the work directory (rerun with --keep to see them all).

  test/e2e/gguf_fuzz.py --build-dir build [--cases metadata/qwen2] [--mutants 2000] [--seed 7] [--keep]
"""
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gguf_models  # noqa: E402
import harness  # noqa: E402
import llm_reference  # noqa: E402

CASES = ["bytes/llama-q4_0", "bytes/qwen2-q4_k", "data/llama-f16", "metadata/llama", "metadata/qwen2",
         "metadata/granite"]
MUTANTS = 60      # damaged files a case (about 0.1 s each, compile and generate)
TIMEOUT_S = 60    # a command that runs longer has hung (each takes well under a second)
PROMPT = "Hello world, <|im_start|> 123 ü"
CRASH_MARKS = ("terminate called", "Assertion", "Segmentation", "Aborted", "core dumped", "AddressSanitizer",
               "runtime error:", "Traceback", "std::bad_alloc", "stack smashing")
BOUNDARY_INTS = [0, 1, 2, 3, 16, 31, 32, 33, 255, 256, 65535, 65536, 2**31 - 1, 2**31, 2**32 - 1, 2**32,
                 2**40, 2**63 - 1, 2**64 - 1]


def seed_model(work, arch, wtype):
    path = os.path.join(work, "seed-%s-%s.gguf" % (arch, wtype))
    gguf_models.write_model(path, arch, wtype, seed=0)
    return path


def damage_bytes(data, header_end, rng):
    """One to eight damages within the first header_end bytes (the header); returns the
    damaged bytes and a description."""
    d, what = bytearray(data), []
    for _ in range(rng.choice([1, 1, 1, 2, 3, 8])):
        end = max(1, min(header_end, len(d)))
        p, kind = rng.randrange(end), rng.randrange(6)
        if kind == 0:
            bit = rng.randrange(8)
            d[p] ^= 1 << bit
            what.append("flip bit %d of byte %d" % (bit, p))
        elif kind == 1:
            d[p] = rng.choice([0x00, 0x7F, 0x80, 0xFF])
            what.append("byte %d = 0x%02x" % (p, d[p]))
        elif kind == 2:
            width = rng.choice([4, 8])
            value = rng.choice(BOUNDARY_INTS) % (1 << (8 * width))
            d[p:p + width] = value.to_bytes(width, "little")
            what.append("u%d at %d = %d" % (8 * width, p, value))
        elif kind == 3:
            n = rng.randrange(1, 16)
            del d[p:p + n]
            what.append("delete %d bytes at %d" % (n, p))
        elif kind == 4:
            n = rng.randrange(1, 16)
            d[p:p] = bytes(rng.randrange(256) for _ in range(n))
            what.append("insert %d bytes at %d" % (n, p))
        else:
            cut = rng.randrange(len(d))
            del d[cut:]
            what.append("cut at %d" % cut)
    return bytes(d), "; ".join(what)


def damage_data(data, model, rng):
    """Overwrites one to three spans of tensor data (f16 matrices, f32 norms) with one
    non-finite or huge value."""
    d, what = bytearray(data), []
    for _ in range(rng.randrange(1, 4)):
        name = rng.choice(sorted(model.tensors))
        tname, _, t = model.tensors[name]
        size, value = (2, rng.choice([0x7E00, 0x7C00, 0xFC00, 0x7BFF])) if tname == "f16" else (
            4, rng.choice([0x7FC00000, 0x7F800000, 0xFF800000, 0x7F7FFFFF]))  # NaN, inf, -inf, the largest
        count = len(t) // size
        first = rng.randrange(count)
        n = rng.choice([1, 16, count - first])
        start = model.data_start + model.offsets[name]
        for i in range(first, min(count, first + n)):
            d[start + i * size:start + (i + 1) * size] = value.to_bytes(size, "little")
        what.append("%s[%d:%d] = 0x%x" % (name, first, first + n, value))
    return bytes(d), "; ".join(what)


def metadata_of(arch):
    """The (key, value type, value) list gguf_models writes for arch."""
    shape = gguf_models.model_shape(arch)
    _, _, file_type = gguf_models.typing("q4_0", shape)
    kvs = []
    gguf_models.add_metadata(lambda k, t, v: kvs.append((k, t, v)), arch, "fuzz", file_type, shape)
    return kvs


def wrong_value(vtype, value, rng):
    """A replacement for a metadata value: another type, a boundary value, or a damaged array."""
    if rng.random() < 0.15:
        return rng.choice([("str", "garbage"), ("u32", 7), ("f32", 1.5), ("bool", True), ("i8", -3),
                           ("array", ("u32", [1, 2])), ("array", ("str", []))])
    if vtype == "str":
        return "str", rng.choice(["", "gpt2", "llama", "bert", "qwen2", "x" * 1000, "\u00fc\u2581", "a\x00b"])
    if vtype in ("u8", "u16", "u32", "u64", "i32", "i64"):
        bits = int(vtype[1:])
        lo, hi = (0, 2**bits - 1) if vtype[0] == "u" else (-2**(bits - 1), 2**(bits - 1) - 1)
        choices = [0, 1, 2, value + 1, value - 1, value * 2, value * 1000, 2**31 - 1, 2**32 - 1, -1, -2**31]
        return vtype, rng.choice([c for c in choices if lo <= c <= hi])
    if vtype in ("f32", "f64"):
        return vtype, rng.choice([0.0, -1.0, math.nan, math.inf, -math.inf, 1e30, 1e-30, value * 2])
    if vtype == "bool":
        return vtype, not value
    etype, items = value
    items = list(items)
    kind = rng.randrange(6)
    if kind == 0:
        items = []
    elif kind == 1:
        items = items[:rng.randrange(len(items) + 1)]
    elif kind == 2:
        items = items * 2
    elif kind == 3:
        return "array", ("u32" if etype == "str" else "str", [0 if etype == "str" else "x"] * len(items))
    else:
        for _ in range(rng.randrange(1, 6)):
            i = rng.randrange(len(items))
            if etype == "str":
                items[i] = rng.choice(["", " ", "a", "a b", "a b c", "\x00", "<0xZZ>", "<0x100>", "<|im_start|>",
                                       items[0], "\u2581", "\ud7ff"])
            elif etype.startswith("f"):
                items[i] = rng.choice([math.nan, math.inf, -1e30, 0.0])
            else:
                items[i] = rng.choice([0, 1, 2, 3, 4, 5, 6, 7, 99, 255])
    return "array", (etype, items)


def damage_metadata(arch, kvs, rng, path):
    meta = {}
    for _ in range(rng.choice([1, 1, 2, 3])):
        key, vtype, value = rng.choice(kvs)
        meta[key] = None if rng.random() < 0.1 else wrong_value(vtype, value, rng)
    gguf_models.write_model(path, arch, rng.choice(["q4_0", "q8_0", "f16", "q4_k"]), seed=0, meta=meta)
    return "; ".join("%s = %s" % (k, "removed" if v is None else "%s %s" % (v[0], repr(v[1])[:60]))
                     for k, v in meta.items())


def run(cmd):
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace",
                           timeout=TIMEOUT_S)
        return p.returncode, p.stderr
    except subprocess.TimeoutExpired:
        return "timeout", ""
    except OSError as e:  # edgec replaced or unreadable mid-run: a failure, not a crash of the harness
        return 127, "edgec: error: cannot run %s: %s" % (cmd[0], e)


def misbehaved(what, rc, err, names=None):
    """Why a command's ending is not an acceptable one, or None."""
    if rc == "timeout":
        return "%s ran over %d s" % (what, TIMEOUT_S)
    crash = [m for m in CRASH_MARKS if m in err]
    if rc not in (0, 1) or crash:
        return "%s exited %s%s: %s" % (what, rc, " (%s)" % crash[0] if crash else "", harness.edgec_message(err)[-300:])
    if rc == 1:
        errors = [l for l in err.splitlines() if l.startswith("edgec: error: ")]
        if len(errors) != 1:
            return "%s failed with %d error lines: %s" % (what, len(errors), err.strip()[-300:])
        if names and names not in errors[0]:
            return "%s's error does not name %s: %s" % (what, names, errors[0])
    return None


def check_mutant(edgec, path, work, counts):
    """Runs the commands on one damaged file; returns the problem or None."""
    pkg = os.path.join(work, "m.edgepkg")
    rc, err = run([edgec, "inspect", path])
    problem = misbehaved("inspect", rc, err, path)
    if problem:
        return problem
    counts["inspect refused" if rc else "inspect ran"] += 1
    rc, err = run([edgec, "compile", path, "-q", "-o", pkg])
    problem = misbehaved("compile", rc, err, path)
    if problem:
        return problem
    left = sorted(f for f in os.listdir(work) if f.startswith("m.edgepkg"))
    if rc:
        counts["compile refused"] += 1
        return "a failed compile left %s" % ", ".join(left) if left else None
    if left != ["m.edgepkg"]:
        return "compile left %s" % ", ".join(left)
    counts["compiled"] += 1
    rc, err = run([edgec, "generate", pkg, "--prompt", PROMPT, "-n", "4", "--temp", "0.8", "--seed", "1"])
    os.remove(pkg)
    problem = misbehaved("generate", rc, err)
    if not problem:
        counts["generate refused" if rc else "generated"] += 1
    return problem


def check_case(case, edgec, work, mutants, seed):
    kind, what = case.split("/")
    rng = random.Random("%s/%d" % (case, seed))
    folder = os.path.join(work, case.replace("/", "-"))
    os.makedirs(folder)
    counts = {k: 0 for k in ("inspect refused", "inspect ran", "compile refused", "compiled", "generate refused",
                             "generated")}
    if kind == "metadata":
        kvs = metadata_of(what)
    else:
        arch, wtype = what.split("-")
        seed_path = seed_model(folder, arch, wtype)
        with open(seed_path, "rb") as f:
            data = f.read()
        model = llm_reference.GGUF(seed_path)
    failures = []
    for i in range(mutants):
        path = os.path.join(folder, "mutant-%d.gguf" % i)
        if kind == "metadata":
            how = damage_metadata(what, kvs, rng, path)
        else:
            damaged, how = damage_bytes(data, model.data_start, rng) if kind == "bytes" else damage_data(data, model, rng)
            with open(path, "wb") as f:
                f.write(damaged)
        problem = check_mutant(edgec, path, folder, counts)
        if problem:
            failures.append("mutant %d (%s): %s" % (i, how, problem))
        else:
            os.remove(path)
    summary = "%d mutants: inspect refused %d; compile refused %d, compiled %d; generate refused %d, ran %d" % (
        mutants, counts["inspect refused"], counts["compile refused"], counts["compiled"],
        counts["generate refused"], counts["generated"])
    if failures:
        return False, "%d misbehaved; %s | %s" % (len(failures), " | ".join(failures[:3]), summary)
    return True, summary


def main():
    p = harness.parser(__doc__)
    harness.add_cases_argument(p, "--cases", CASES)
    harness.add_results_arguments(p, "the seed files and the mutants that misbehaved")
    p.add_argument("--mutants", type=int, default=MUTANTS, help="damaged files a case (default %d)" % MUTANTS)
    p.add_argument("--seed", type=int, default=1, help="seed of the damages (default 1)")
    args = p.parse_args()
    names = harness.select_cases(p, args.cases, CASES, CASES)
    if args.mutants < 1:
        p.error("--mutants must be at least 1")
    build = os.path.abspath(args.build_dir)
    edgec = os.path.join(build, "bin", "edgec")
    if not os.access(edgec, os.X_OK):
        return harness.setup_failed("no edgec binary at %s" % edgec, len(names))
    work = tempfile.mkdtemp(prefix="gguf-fuzz-", dir=build)
    tally = harness.Tally(18)
    try:
        for case in names:
            try:
                ok, detail = check_case(case, edgec, work, args.mutants, args.seed)
            except (OSError, ValueError) as e:
                ok, detail = False, "%s: %s" % (type(e).__name__, e)
            tally.add(case, ok, detail)
    finally:
        harness.release_work(work, args.keep or tally.failed)
    return tally.finish(args.results_json)


if __name__ == "__main__":
    sys.exit(main())
