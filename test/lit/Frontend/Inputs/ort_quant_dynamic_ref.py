#!/usr/bin/python3
"""The dynamic_matmul model of ort_quant_models.py in numpy, with ONNX Runtime's rules
(DynamicQuantizeLinear in f32, round half to even; exact int32 MatMulInteger; f32 Mul and
Add), compared with edgec's output. Usage: ort_quant_dynamic_ref.py X.npy Y.npy"""
import sys

import numpy as np

x = np.load(sys.argv[1])
lo, hi = np.float32(min(x.min(), 0)), np.float32(max(x.max(), 0))
scale = np.float32(1) if hi == lo else np.float32((hi - lo) / np.float32(255))
zp = int(np.round(np.clip(np.float32(0) - lo / scale, 0, 255)))
xq = np.clip(np.round(x / scale) + zp, 0, 255).astype(np.int64)
w = np.array([[10, -20, 30], [-40, 50, -60], [70, -80, 90], [-100, 110, -120]], np.int64)
acc = ((xq - zp) @ w).astype(np.float32)
y = acc * (scale * np.float32(0.01)) + np.array([0.5, -0.5, 0.25], np.float32)
got = np.load(sys.argv[2])
print("exact", bool(got.dtype == np.float32 and np.array_equal(got, y)), np.abs(got - y).max())
