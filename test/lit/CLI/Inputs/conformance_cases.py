#!/usr/bin/python3
"""Writes a tiny ONNX node-test-style suite (OUT/<case>/model.onnx and
test_data_set_0/{input,output}_N.pb) and a skip list OUT/skips.txt, for
conformance-runner.test.

  test_by_name         out = a - b, sum = a + b; the data files list the inputs and outputs
                       in the other order than the graph (bound by name, it passes; by
                       position it would not)
  test_identity        y = Identity(x): the package must keep input 'x' and output 'y'
  test_two_outputs     y = Identity(x), y2 = Identity(x): both outputs must exist
  test_bad_name        the data names an output 'zz' the model does not have: a failure
  test_listed_fails    RandomUniformLike (not imported), listed in skips.txt: skipped
  test_unlisted_fails  RandomNormalLike (not imported), not listed: a failure
  test_listed_passes   Relu, listed: a failure (the list would be stale)
and skips.txt also lists test_gone, which is no case: a failure.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def model(nodes, inputs, outputs, inits=()):
    g = helper.make_graph(nodes, "g", [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in inputs],
                          [helper.make_tensor_value_info(n, t, s) for n, t, s in outputs], list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    return m


def write(root, name, m, inputs, outputs):
    d = os.path.join(root, name, "test_data_set_0")
    os.makedirs(d)
    onnx.save(m, os.path.join(root, name, "model.onnx"))
    for kind, values in (("input", inputs), ("output", outputs)):
        for i, (n, v) in enumerate(values):
            with open(os.path.join(d, "%s_%d.pb" % (kind, i)), "wb") as f:
                f.write(numpy_helper.from_array(v, n).SerializeToString())


def main():
    root = sys.argv[1]
    os.makedirs(root)
    a = np.array([[1.0, 2.0, 3.0]], np.float32)
    b = np.array([[0.5, -1.0, 4.0]], np.float32)
    f = TensorProto.FLOAT
    write(root, "test_by_name",
          model([helper.make_node("Sub", ["a", "b"], ["out"]), helper.make_node("Add", ["a", "b"], ["sum"])],
                [("a", [1, 3]), ("b", [1, 3])], [("out", f, [1, 3]), ("sum", f, [1, 3])]),
          [("b", b), ("a", a)], [("sum", a + b), ("out", a - b)])
    write(root, "test_identity", model([helper.make_node("Identity", ["x"], ["y"])], [("x", [1, 3])], [("y", f, [1, 3])]),
          [("x", a)], [("y", a)])
    write(root, "test_two_outputs",
          model([helper.make_node("Identity", ["x"], ["y"]), helper.make_node("Identity", ["x"], ["y2"])],
                [("x", [1, 3])], [("y", f, [1, 3]), ("y2", f, [1, 3])]),
          [("x", a)], [("y", a), ("y2", a)])
    write(root, "test_bad_name", model([helper.make_node("Relu", ["x"], ["y"])], [("x", [1, 3])], [("y", f, [1, 3])]),
          [("x", a)], [("zz", a)])
    write(root, "test_listed_fails",
          model([helper.make_node("RandomUniformLike", ["x"], ["v"])], [("x", [1, 3])], [("v", f, [1, 3])]),
          [("x", a)], [("v", a)])
    write(root, "test_unlisted_fails",
          model([helper.make_node("RandomNormalLike", ["x"], ["y"])], [("x", [1, 3])], [("y", f, [1, 3])]),
          [("x", a)], [("y", a)])
    write(root, "test_listed_passes", model([helper.make_node("Relu", ["x"], ["y"])], [("x", [1, 3])], [("y", f, [1, 3])]),
          [("x", b)], [("y", np.maximum(b, 0))])
    with open(os.path.join(root, "skips.txt"), "w") as f:
        f.write("group unsupported-op an operator edgec does not import\n"
                "test_listed_fails    unsupported-op  # RandomUniformLike\n"
                "test_listed_passes   unsupported-op\n"
                "test_gone            unsupported-op\n")


if __name__ == "__main__":
    main()
