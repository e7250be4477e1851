# An MLP with ~256 MiB of f32 weights: 4 Gemm layers 4096x4096 (64 MiB each).
import sys, numpy as np, onnx
from onnx import helper, TensorProto, numpy_helper
n, layers = 4096, 4
rng = np.random.default_rng(0)
nodes, inits, prev = [], [], "x"
for i in range(layers):
    w = rng.standard_normal((n, n), dtype=np.float32) * 0.01
    b = np.zeros(n, np.float32)
    inits += [numpy_helper.from_array(w, f"w{i}"), numpy_helper.from_array(b, f"b{i}")]
    out = "y" if i == layers - 1 else f"h{i}"
    nodes.append(helper.make_node("Gemm", [prev, f"w{i}", f"b{i}"], [out], transB=1, name=f"fc{i}"))
    prev = out
g = helper.make_graph(nodes, "big", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, n])],
                      [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, n])], inits)
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
onnx.save(m, sys.argv[1])
