#!/usr/bin/python3
"""Writes docs/onnx_ops.md, the ONNX operator table, from the code and the conformance
report, so that it is never written by hand:

  * which operators edgec imports, and how, from `edgec ops --json` (the importer table
    and ONNX's schema registry of the build);
  * per operator, the ONNX node test cases whose model uses it (ONNX 1.12's generated
    suite, in BUILD/onnx-node-tests/node), how many of them pass the way a user runs them
    (BUILD/conformance-best-report.txt, written by the conformance suite of
    test/run_tests.py), the element types of the passing single-operator cases, and why
    the others fail (the skip groups of test/conformance/skips.txt).

  op_table.py --build-dir BUILD            rewrite docs/onnx_ops.md
  op_table.py --build-dir BUILD --check    exit 1 if docs/onnx_ops.md is not what the code
                                           and report give (the test suite's op-table check)

Run the conformance suite first (test/run_tests.py --only conformance-best).
"""
import argparse
import collections
import difflib
import json
import os
import subprocess
import sys

import onnx

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOC = os.path.join(ROOT, "docs", "onnx_ops.md")
SHORT = {"FLOAT": "f32", "DOUBLE": "f64", "FLOAT16": "f16", "BFLOAT16": "bf16", "INT8": "i8", "INT16": "i16",
         "INT32": "i32", "INT64": "i64", "UINT8": "u8", "UINT16": "u16", "UINT32": "u32", "UINT64": "u64",
         "BOOL": "bool", "STRING": "string", "COMPLEX64": "c64", "COMPLEX128": "c128"}


def read_report(path):
    """case name -> ("PASS", None) | ("FAIL", reason) | ("SKIP", group)."""
    status = {}
    with open(path) as f:
        for line in f:
            if line.startswith("PASS "):
                status[line.split()[1]] = ("PASS", None)
            elif line.startswith("FAIL "):
                name = line.split()[1].rstrip(":")
                status[name] = ("FAIL", None)
            elif line.startswith("SKIP "):
                parts = line.split()
                status[parts[1]] = ("SKIP", parts[2].strip("[]:"))
    return status


def graph_ops(graph, out):
    """Op keys ("Op" or "domain.Op") of a graph's nodes, subgraphs included."""
    for n in graph.node:
        out.add(n.op_type if n.domain in ("", "ai.onnx") else "%s.%s" % (n.domain, n.op_type))
        for a in n.attribute:
            for g in ([a.g] if a.type == onnx.AttributeProto.GRAPH else list(a.graphs)):
                graph_ops(g, out)
    return out


def value_types(graph):
    types = {}
    for vi in list(graph.input) + list(graph.output) + list(graph.value_info):
        if vi.type.HasField("tensor_type"):
            types[vi.name] = SHORT.get(onnx.TensorProto.DataType.Name(vi.type.tensor_type.elem_type), "?")
    for t in graph.initializer:
        types[t.name] = SHORT.get(onnx.TensorProto.DataType.Name(t.data_type), "?")
    return types


def cases(node_dir):
    """case name -> (op keys used, dtypes of the first input of a single-node model or None)."""
    out = {}
    for name in sorted(os.listdir(node_dir)):
        path = os.path.join(node_dir, name, "model.onnx")
        if not os.path.exists(path):
            continue
        model = onnx.load(path, load_external_data=False)
        ops = graph_ops(model.graph, set())
        dtype = None
        if len(model.graph.node) == 1 and model.graph.node[0].input:
            first = model.graph.node[0].input[0]
            dtype = value_types(model.graph).get(first) if first else None
        out[name] = (ops, dtype)
    return out


def versions_text(versions):
    return ", ".join(map(str, versions)) if versions else "-"


def generate(build):
    edgec = os.path.join(build, "bin", "edgec")
    ops = json.loads(subprocess.run([edgec, "ops", "--json"], check=True, stdout=subprocess.PIPE, text=True).stdout)
    report_path = os.path.join(build, "conformance-best-report.txt")
    if not os.path.exists(report_path):
        raise SystemExit("no %s: run test/run_tests.py --only conformance-best first" % report_path)
    status = read_report(report_path)
    suite = cases(os.path.join(build, "onnx-node-tests", "node"))

    using = collections.defaultdict(list)  # op key -> case names
    for name, (keys, _) in suite.items():
        for k in keys:
            using[k].append(name)
    passed_total = sum(1 for s, _ in status.values() if s == "PASS")

    def key(o):
        return o["op"] if o["domain"] == "ai.onnx" else "%s.%s" % (o["domain"], o["op"])

    def row(o):
        k = key(o)
        names = using.get(k, [])
        passed = [n for n in names if status.get(n, ("?",))[0] == "PASS"]
        dtypes = sorted({suite[n][1] for n in passed if suite[n][1] and k in suite[n][0] and len(suite[n][0]) == 1})
        reasons = collections.Counter(status[n][1] or "fails" if status[n][0] != "PASS" else None
                                      for n in names if n in status and status[n][0] != "PASS")
        how = {"import": "imported", "function": "function body", "none": "not supported"}[o["how"]]
        if o["deprecated"]:
            how += " (deprecated)"
        return ["`%s`" % o["op"], versions_text(o["versions"]), how, " ".join(dtypes) or "-",
                "%d / %d" % (len(passed), len(names)) if names else "-",
                ", ".join("%s %d" % kv for kv in sorted(reasons.items())) or "-"]

    def table(rows):
        lines = ["| op | ONNX versions | how | dtypes (passing cases) | cases passed | the other cases |",
                 "|---|---|---|---|---|---|"]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return lines

    default = [o for o in ops if o["domain"] == "ai.onnx"]
    counts = collections.Counter(o["how"] for o in default)
    lines = [
        "# ONNX operators",
        "",
        "<!-- Generated by test/conformance/op_table.py from `edgec ops --json` and the conformance",
        "     report; do not edit. The test suite's op-table check fails when this file is stale:",
        "     /usr/bin/python3 test/conformance/op_table.py --build-dir BUILD rewrites it. -->",
        "",
        "Every operator of ONNX's default domain up to opset 17 (ONNX 1.12). A model of opset 7 to",
        "16 is converted to opset 17 by ONNX's version converter before import, so every version",
        "listed is accepted; `edgec ops` prints the same list. **how**: *imported* by edgec's own",
        "importer; *function body*: ONNX defines the operator as a function of other operators and",
        "edgec imports that body (it compiles when the body's operators do); *not supported*.",
        "",
        "**cases passed**: of ONNX 1.12's generated node test cases whose model uses the operator,",
        "how many pass the way a user runs them (`edgec compile`, then `edgec run` with the inputs by",
        "name; see \"ONNX conformance\" in docs/architecture.md). **dtypes**: the first input's element",
        "type in the passing cases that use this operator alone. **the other cases**: why the rest",
        "fail, by the skip groups of test/conformance/skips.txt.",
        "",
        "Default domain: %d imported, %d through their function body, %d not supported. Node suite: "
        "%d of %d cases pass." % (counts["import"], counts["function"], counts["none"], passed_total, len(status)),
        "",
    ]
    lines += table([row(o) for o in default])
    other = [o for o in ops if o["domain"] != "ai.onnx"]
    if other:
        lines += ["", "## Other domains", "",
                  "Operators outside the default domain that edgec imports: ONNX's training operators",
                  "(`ai.onnx.preview.training`, versions of that domain) and the ONNX Runtime contrib operators",
                  "that its quantizer writes (`com.microsoft`, no schema in ONNX itself).", ""]
        lines += table([[("`%s.%s`" % (o["domain"], o["op"]))] + row(o)[1:] for o in other])
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    parser.add_argument("--check", action="store_true", help="compare with docs/onnx_ops.md instead of writing it")
    parser.add_argument("--output", default=DOC)
    args = parser.parse_args()
    text = generate(os.path.abspath(args.build_dir))
    if not args.check:
        with open(args.output + ".tmp", "w") as f:
            f.write(text)
        os.replace(args.output + ".tmp", args.output)
        print("wrote %s" % args.output)
        return 0
    old = open(args.output).read() if os.path.exists(args.output) else ""
    if old == text:
        print("PASS op-table: %s matches the code and the conformance report" % os.path.relpath(args.output, ROOT))
        print("1 passed, 0 failed")
        return 0
    diff = list(difflib.unified_diff(old.splitlines(), text.splitlines(), "committed", "generated", lineterm="", n=0))
    print("FAIL op-table: %s is stale (%d changed lines; first ones below). Regenerate it:\n"
          "  /usr/bin/python3 test/conformance/op_table.py --build-dir %s" %
          (os.path.relpath(args.output, ROOT), len(diff), args.build_dir))
    print("\n".join(diff[:40]))
    print("0 passed, 1 failed")
    return 1


if __name__ == "__main__":
    sys.exit(main())
