#!/usr/bin/python3
"""Generates the ONNX backend node test suite (model.onnx + input/output .pb per case)
from Debian's python3-onnx 1.12 into OUTPUT/node/<case>/.

numpy 1.24 removed the np.float/np.int/... aliases that onnx 1.12's case generators
still use; they are restored here before the generators are imported.
"""
import argparse
import os
import sys

import numpy as np

for alias, real in (("float", float), ("int", int), ("bool", bool), ("object", object), ("str", str), ("complex", complex)):
    if not hasattr(np, alias):
        setattr(np, alias, real)

import onnx.backend.test.case.node as node_test  # noqa: E402
from onnx import numpy_helper  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("output")
    args = parser.parse_args()
    root = os.path.join(args.output, "node")
    os.makedirs(root, exist_ok=True)
    cases = node_test.collect_testcases(None)
    for case in cases:
        case_dir = os.path.join(root, case.name)
        os.makedirs(case_dir, exist_ok=True)
        with open(os.path.join(case_dir, "model.onnx"), "wb") as f:
            f.write(case.model.SerializeToString())
        for i, (inputs, outputs) in enumerate(case.data_sets):
            data_dir = os.path.join(case_dir, "test_data_set_%d" % i)
            os.makedirs(data_dir, exist_ok=True)
            for kind, values, infos in (("input", inputs, case.model.graph.input), ("output", outputs, case.model.graph.output)):
                for j, value in enumerate(values):
                    if not infos[j].type.HasField("tensor_type"):
                        continue  # sequences/maps/optionals: no edgec support, the runner skips them
                    with open(os.path.join(data_dir, "%s_%d.pb" % (kind, j)), "wb") as f:
                        f.write(numpy_helper.from_array(np.asarray(value), infos[j].name).SerializeToString())
    with open(os.path.join(args.output, "generated.stamp"), "w") as f:
        f.write("%d\n" % len(cases))
    print("generated %d node test cases in %s" % (len(cases), root))


if __name__ == "__main__":
    sys.exit(main())
