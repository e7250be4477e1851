# Einsum equations compiled with edgec and run, compared with numpy.einsum (rtol 1e-4):
# implicit and explicit outputs, ellipsis, diagonals, outer products, full sums.
# usage: einsum_numpy.py EDGEC WORKDIR
import numpy as np, onnx, subprocess, sys, os
from onnx import helper, TensorProto
edgec, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(0)
cases = [("ij,jk", [(3, 4), (4, 5)]), ("...ij,...jk->...ik", [(2, 3, 4), (2, 4, 5)]), ("...ij,...jk", [(6, 2, 3), (6, 3, 2)]),
         ("ii->i", [(4, 4)]), ("ii", [(3, 3)]), ("bij,bkj->bik", [(2, 3, 4), (2, 5, 4)]),
         ("i,j->ij", [(3,), (4,)]), ("iij,jk->ik", [(3, 3, 2), (2, 4)]), ("abc->", [(2, 3, 4)]),
         ("ij,ij->i", [(3, 4), (3, 4)])]
ok = True
for k, (eq, shapes) in enumerate(cases):
    arrays = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    want = np.einsum(eq, *arrays)
    names = [f"x{i}" for i in range(len(arrays))]
    node = helper.make_node("Einsum", names, ["y"], equation=eq)
    g = helper.make_graph([node], "e", [helper.make_tensor_value_info(n, TensorProto.FLOAT, a.shape) for n, a in zip(names, arrays)],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, want.shape)])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    p = f"{out}/e{k}"
    onnx.save(m, p + ".onnx")
    args = []
    for n, a in zip(names, arrays):
        np.save(f"{p}_{n}.npy", a); args += ["--input", f"{n}={p}_{n}.npy"]
    subprocess.run([edgec, "compile", "-q", p + ".onnx", "-o", p + ".edgepkg"], check=True)
    subprocess.run([edgec, "run", "-q", p + ".edgepkg"] + args + ["--output-dir", p + "_out"], check=True, capture_output=True)
    got = np.load(p + "_out/y.npy")
    good = got.shape == want.shape and np.allclose(got, want, rtol=1e-4, atol=1e-5)
    ok &= good
    print(eq, "match" if good else f"DIFFER {got.shape} {want.shape}")
print("all match" if ok else "some differ")
