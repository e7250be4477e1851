#!/usr/bin/python3
"""The trained model the quantization accuracy check (quant_accuracy.py) measures, with its
calibration samples and held-out test set, all made on this machine and cached.

Task: classify procedurally rendered 32x32 RGB images of ten shapes -- 0 circle, 1 ring,
2 square, 3 square frame, 4 triangle, 5 cross, 6 bar, 7 half disc, 8 two dots, 9 star --
at a random position, size (radius 5-11 px) and rotation, in random foreground and
background colours (with a minimum contrast), over a random linear colour gradient, with
Gaussian pixel noise (sigma 0.1 of the [0, 1] range); pixels are then mapped to [-1, 1].

Model ("shapes_cnn", ~70 K parameters, ~6 M MACs), 1x3x32x32 -> 1x10 logits:
  conv3x3 3->16  + BN + ReLU                  32x32
  conv3x3 16->32 stride 2 + BN + ReLU          16x16
  depthwise conv3x3 32 + BN + ReLU             16x16
  pointwise conv1x1 32->48 + BN + ReLU         16x16
  conv3x3 48->48 stride 2 + BN + ReLU          8x8
  residual block: conv3x3+BN+ReLU, conv3x3+BN, Add, ReLU
  global average pool, Linear 48->10
Trained with torch (AdamW, one-cycle LR, 4 epochs over 12000 images, batch 64), one
thread, fixed seeds, torch.use_deterministic_algorithms: about 45 s on one core of this
machine, ~96% top-1 on the held-out set. Exported with torch.onnx (opset 17, eval mode so
BatchNorm folds into the Convs), input "image" float32 [1,3,32,32], output "logits" [1,10].

Files, in CACHE/shapes-<hash>/ where <hash> is the first 12 hex digits of the SHA-256 of
this script (so editing the script retrains and removes the older folders; an unchanged
script reuses the cache; the folder appears complete or not at all -- it is written under a
temporary name and renamed):
  model.onnx               the fp32 model
  meta.json                input/output names and shapes, class names, parameter count,
                           training seconds, PyTorch's own top-1 on the test set, hash
  test/x0000.npy ...       the held-out test images, one float32 [1,3,32,32] file each
  test/labels.npy          int64 [N] true classes
  test/torch_logits.npy    float32 [N,10] PyTorch's logits for the same images
  calib_npy/c00.npy ...    64 calibration samples, one float32 [1,3,32,32] per file
                           (drawn from their own seed: neither training nor test images)
  calib_npz/b0.npz ...     the same 64 samples as 4 .npz files, each keyed "image" with
                           a batch of 16 along axis 0: float32 [16,3,32,32]
Deliberately broken calibration folders, for the bad-input tests (each would be a clear
error for `edgec compile model.onnx --precision int8 --calib DIR`):
  calib_bad_shape/         .npy files of float32 [1,3,28,28] (the model takes [1,3,32,32])
  calib_bad_dtype/         .npy files of float64 [1,3,32,32] (the model takes float32)
  calib_bad_name/          .npz files keyed "input" instead of "image" (npz missing the input)
  calib_bad_file/          one good .npy, then c01.npy which is not a .npy file (truncated header)
  calib_empty/             an empty folder
  calib_few/               2 good samples (valid, but few enough for the small-sample warning)
`--bad-calib-only DIR` writes just these six folders into DIR (no training, instant), for
tests that need no model; they match the model's input "image" float32 [1,3,32,32].

Usage:
  quant_models.py --cache BUILD/test/quant-models        # prints the model folder
  quant_models.py --bad-calib-only DIR
Other scripts import it and call ensure(cache) -> folder. Run with /usr/bin/python3.
"""
import argparse
import os
import sys
import time

import numpy as np

import harness

SIZE = 32
CLASSES = ["circle", "ring", "square", "frame", "triangle", "cross", "bar", "half_disc", "two_dots", "star"]
INPUT_NAME = "image"
OUTPUT_NAME = "logits"
INPUT_SHAPE = (1, 3, SIZE, SIZE)
NUM_TRAIN = 12000
NUM_TEST = 1000
NUM_CALIB = 64
CALIB_NPZ_BATCH = 16
EPOCHS = 4
BATCH = 64
MAX_LR = 6e-3
SEEDS = {"train": 1, "test": 2, "calib": 3, "torch": 0, "bad": 4}
BAD_CALIB_FOLDERS = ["calib_bad_shape", "calib_bad_dtype", "calib_bad_name", "calib_bad_file", "calib_empty",
                     "calib_few"]


def render(n, seed):
    """n images float32 [n,3,32,32] in [-1,1]-ish and their int64 labels."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, len(CLASSES), n)
    cx = rng.uniform(10, 22, n)
    cy = rng.uniform(10, 22, n)
    size = rng.uniform(5, 11, n)
    theta = rng.uniform(0, 2 * np.pi, n)
    yy, xx = np.mgrid[0:SIZE, 0:SIZE].astype(np.float64) + 0.5
    dx = xx[None] - cx[:, None, None]
    dy = yy[None] - cy[:, None, None]
    c, s = np.cos(theta)[:, None, None], np.sin(theta)[:, None, None]
    a = (dx * c + dy * s) / size[:, None, None]  # shape coordinates: unit size, unrotated
    b = (-dx * s + dy * c) / size[:, None, None]
    r = np.sqrt(a * a + b * b)
    phi = np.arctan2(b, a)
    square = (np.abs(a) <= 0.85) & (np.abs(b) <= 0.85)
    triangle = np.ones_like(a, bool)
    for ang in (1.5 * np.pi, np.pi / 6, 5 * np.pi / 6):  # edge normals of an equilateral triangle
        triangle &= (a * np.cos(ang) + b * np.sin(ang)) <= 0.5
    masks = [
        r <= 1,
        (r <= 1) & (r >= 0.55),
        square,
        square & ~((np.abs(a) <= 0.45) & (np.abs(b) <= 0.45)),
        triangle,
        ((np.abs(a) <= 0.3) & (np.abs(b) <= 1)) | ((np.abs(b) <= 0.3) & (np.abs(a) <= 1)),
        (np.abs(a) <= 1) & (np.abs(b) <= 0.22),
        (r <= 1) & (b >= 0),
        ((a - 0.55) ** 2 + b ** 2 <= 0.16) | ((a + 0.55) ** 2 + b ** 2 <= 0.16),
        r <= 0.4 + 0.6 * ((np.cos(5 * phi) + 1) / 2) ** 2,
    ]
    mask = np.zeros((n, SIZE, SIZE), bool)
    for k, m in enumerate(masks):
        sel = labels == k
        mask[sel] = m[sel]
    fg = rng.uniform(0, 1, (n, 3))
    bg = rng.uniform(0, 1, (n, 3))
    low = np.abs(fg - bg).sum(1) < 0.6  # too little contrast: take the complement colour
    fg[low] = 1 - bg[low]
    img = np.where(mask[:, None], fg[:, :, None, None], bg[:, :, None, None])
    gx = rng.uniform(-0.3, 0.3, (n, 3, 1, 1))
    gy = rng.uniform(-0.3, 0.3, (n, 3, 1, 1))
    img = img + gx * (xx / SIZE - 0.5) + gy * (yy / SIZE - 0.5)
    img = img + rng.normal(0, 0.1, img.shape)
    return ((img - 0.5) / 0.5).astype(np.float32), labels.astype(np.int64)


def make_model():
    import torch
    from torch import nn

    def cbr(cin, cout, k=3, stride=1, groups=1):
        return [nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]

    class Residual(nn.Module):
        def __init__(self, ch):
            super().__init__()
            self.a = nn.Sequential(*cbr(ch, ch))
            self.b = nn.Sequential(nn.Conv2d(ch, ch, 3, 1, 1, bias=False), nn.BatchNorm2d(ch))
            self.relu = nn.ReLU()

        def forward(self, x):
            return self.relu(x + self.b(self.a(x)))

    ch = 48
    return nn.Sequential(*cbr(3, 16), *cbr(16, 32, stride=2), *cbr(32, 32, groups=32), *cbr(32, ch, k=1),
                         *cbr(ch, ch, stride=2), Residual(ch), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(ch, len(CLASSES)))


def train(log):
    import torch
    from torch import nn
    torch.set_num_threads(1)
    torch.manual_seed(SEEDS["torch"])
    torch.use_deterministic_algorithms(True)
    t0 = time.time()
    x_train, y_train = render(NUM_TRAIN, SEEDS["train"])
    log("rendered %d training images in %.1f s" % (NUM_TRAIN, time.time() - t0))
    model = make_model()
    opt = torch.optim.AdamW(model.parameters(), lr=MAX_LR / 2, weight_decay=1e-4)
    steps_per_epoch = NUM_TRAIN // BATCH
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, MAX_LR, total_steps=EPOCHS * steps_per_epoch)
    x, y = torch.from_numpy(x_train), torch.from_numpy(y_train)
    gen = torch.Generator().manual_seed(SEEDS["torch"])
    t1 = time.time()
    model.train()
    for epoch in range(EPOCHS):
        perm = torch.randperm(NUM_TRAIN, generator=gen)
        total = 0.0
        for i in range(steps_per_epoch):
            idx = perm[i * BATCH:(i + 1) * BATCH]
            loss = nn.functional.cross_entropy(model(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss)
        log("epoch %d: mean loss %.4f (%.1f s)" % (epoch + 1, total / steps_per_epoch, time.time() - t1))
    model.eval()
    return model, time.time() - t0


def write_npz_batches(folder, samples, batch, key=INPUT_NAME):
    os.makedirs(folder, exist_ok=True)
    for i in range(0, len(samples), batch):
        np.savez(os.path.join(folder, "b%d.npz" % (i // batch)), **{key: np.concatenate(samples[i:i + batch])})


def write_bad_calib(root):
    """The six broken (or borderline) calibration folders described in the docstring."""
    rng = np.random.default_rng(SEEDS["bad"])

    def sample(shape=INPUT_SHAPE, dtype=np.float32):
        return rng.standard_normal(shape).astype(dtype)

    for name in BAD_CALIB_FOLDERS:
        os.makedirs(os.path.join(root, name), exist_ok=True)
    for i in range(4):
        np.save(os.path.join(root, "calib_bad_shape", "c%02d.npy" % i), sample((1, 3, 28, 28)))
        np.save(os.path.join(root, "calib_bad_dtype", "c%02d.npy" % i), sample(dtype=np.float64))
    write_npz_batches(os.path.join(root, "calib_bad_name"), [sample() for _ in range(8)], 4, key="input")
    np.save(os.path.join(root, "calib_bad_file", "c00.npy"), sample())
    with open(os.path.join(root, "calib_bad_file", "c01.npy"), "wb") as f:
        f.write(b"\x93NUMPY\x01\x00\x76\x00{'descr': '<f4', 'fortran_")  # cut off inside the header
    for i in range(2):
        np.save(os.path.join(root, "calib_few", "c%02d.npy" % i), sample())


def generate(folder, log):
    """Writes the model's files into folder; returns meta.json's fields (cached_model adds the
    hash and writes the file)."""
    import torch
    model, train_s = train(log)
    params = sum(p.numel() for p in model.parameters())
    x_test, y_test = render(NUM_TEST, SEEDS["test"])
    with torch.no_grad():
        logits = model(torch.from_numpy(x_test)).numpy()
        torch.onnx.export(model, (torch.from_numpy(x_test[:1]),), os.path.join(folder, "model.onnx"),
                          opset_version=17, do_constant_folding=True,
                          input_names=[INPUT_NAME], output_names=[OUTPUT_NAME])
    top1 = float((logits.argmax(1) == y_test).mean() * 100)
    log("trained %d parameters in %.1f s; PyTorch top-1 on %d held-out images: %.1f%%" %
        (params, train_s, NUM_TEST, top1))

    test_dir = os.path.join(folder, "test")
    os.makedirs(test_dir)
    for i in range(NUM_TEST):
        np.save(os.path.join(test_dir, "x%04d.npy" % i), x_test[i:i + 1])
    np.save(os.path.join(test_dir, "labels.npy"), y_test)
    np.save(os.path.join(test_dir, "torch_logits.npy"), logits.astype(np.float32))

    x_calib, _ = render(NUM_CALIB, SEEDS["calib"])
    samples = [x_calib[i:i + 1] for i in range(NUM_CALIB)]
    os.makedirs(os.path.join(folder, "calib_npy"))
    for i, s in enumerate(samples):
        np.save(os.path.join(folder, "calib_npy", "c%02d.npy" % i), s)
    write_npz_batches(os.path.join(folder, "calib_npz"), samples, CALIB_NPZ_BATCH)
    write_bad_calib(folder)

    meta = {
        "input": INPUT_NAME, "input_shape": list(INPUT_SHAPE), "output": OUTPUT_NAME,
        "classes": CLASSES, "params": params, "train_seconds": round(train_s, 1), "num_test": NUM_TEST,
        "num_calib": NUM_CALIB, "torch_top1": top1, "torch_version": torch.__version__,
    }
    return meta


def ensure(cache, log=None):
    """The model folder for this script's hash under cache, generated if missing."""
    return harness.cached_model(cache, "shapes", os.path.abspath(__file__), generate, "a minute", log)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--cache", help="cache folder (e.g. build/test/quant-models); prints the model folder")
    group.add_argument("--bad-calib-only", metavar="DIR", help="write only the broken calibration folders into DIR")
    args = parser.parse_args()
    if args.bad_calib_only:
        write_bad_calib(args.bad_calib_only)
        return 0
    print(ensure(args.cache))
    return 0


if __name__ == "__main__":
    sys.exit(main())
