#!/usr/bin/python3
"""Checks edgec's output for the bundled tiny CNN against PyTorch (fp32, atol 1e-5)."""
import sys

import numpy as np
import onnx
import torch
from onnx import numpy_helper

model, image, output = sys.argv[1:4]
W = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in onnx.load(model).graph.initializer}
F = torch.nn.functional
x = torch.from_numpy(np.load(image))
h = F.conv2d(x, W["conv1_w"], W["conv1_b"], padding=1)
h = F.relu(F.batch_norm(h, W["bn_mean"], W["bn_var"], W["bn_scale"], W["bn_bias"], False, 0.0, 1e-5))
h = F.max_pool2d(h, 2, 2)
h = F.conv2d(h, W["conv2_w"], W["conv2_b"], padding=1, stride=2).clamp(0, 6)
expected = torch.softmax(h.mean((2, 3)) @ W["fc_w"].T + W["fc_b"], 1).numpy()
got = np.load(output)
err = float(np.abs(got - expected).max())
print("max abs error %.3g" % err)
sys.exit(0 if got.shape == expected.shape and err <= 1e-5 else 1)
