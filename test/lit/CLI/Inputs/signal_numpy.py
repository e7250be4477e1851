# STFT and MelWeightMatrix with constant parameters, compiled with edgec and run,
# compared with ONNX's reference implementation written in numpy (op_stft.py: frames of
# the window's length from t * frame_step, times the window, np.fft.fft over
# frame_length, onesided keeping L // 2 + 1 bins; op_mel_weight_matrix.py as is). The
# results are not declared, so they are typed by ONNX's shape inference (with edgec's
# STFT correction) and a Mul after each STFT checks the type it propagates.
# usage: signal_numpy.py EDGEC WORKDIR
import numpy as np, onnx, subprocess, sys, os
from onnx import helper, TensorProto
edgec, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(0)


def stft(x, step, window, length, onesided):
    frames = 1 + (x.shape[1] - length) // step
    res = []
    for b in range(x.shape[0]):
        rows = []
        for f in range(frames):
            seg = x[b, f * step:f * step + window.shape[0]]
            seg = np.concatenate([seg, np.zeros((window.shape[0] - seg.shape[0], x.shape[2]), np.float32)])
            seg = seg * window.reshape(-1, 1)
            c = seg[:, 0] + (1j * seg[:, 1] if x.shape[2] == 2 else 0)
            r = np.fft.fft(c, n=length)
            rows.append(r[:length // 2 + 1] if onesided else r)
        res.append(rows)
    res = np.array(res)
    return np.stack([res.real, res.imag], -1).astype(np.float32)


def mel(num_mel_bins, dft_length, sample_rate, lower_edge_hertz, upper_edge_hertz):
    num_spectrogram_bins = dft_length // 2 + 1
    frequency_bins = np.arange(0, num_mel_bins + 2)
    low_frequency_mel = 2595 * np.log10(1 + lower_edge_hertz / 700)
    high_frequency_mel = 2595 * np.log10(1 + upper_edge_hertz / 700)
    mel_step = (high_frequency_mel - low_frequency_mel) / frequency_bins.shape[0]
    frequency_bins = frequency_bins * mel_step + low_frequency_mel
    frequency_bins = 700 * (np.power(10, (frequency_bins / 2595)) - 1)
    frequency_bins = ((dft_length + 1) * frequency_bins) // sample_rate
    frequency_bins = frequency_bins.astype(int)
    output = np.zeros((num_spectrogram_bins, num_mel_bins))
    for i in range(num_mel_bins):
        lower, center, higher = frequency_bins[i], frequency_bins[i + 1], frequency_bins[i + 2]
        if center == lower:
            output[center, i] = 1
        else:
            for j in range(lower, center + 1):
                output[j, i] = float(j - lower) / float(center - lower)
        if higher > center:
            for j in range(center, higher):
                output[j, i] = float(higher - j) / float(higher - center)
    return output.astype(np.float32)


def run(name, nodes, inits, inputs, want):
    g = helper.make_graph(nodes, name, [helper.make_tensor_value_info(n, TensorProto.FLOAT, a.shape) for n, a in inputs],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["d%d" % i for i in range(want.ndim)])],
                          inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    p = f"{out}/{name}"
    onnx.save(m, p + ".onnx")
    args = []
    for n, a in inputs:
        np.save(f"{p}_{n}.npy", a)
        args += ["--input", f"{n}={p}_{n}.npy"]
    subprocess.run([edgec, "compile", "-q", p + ".onnx", "-o", p + ".edgepkg"], check=True)
    subprocess.run([edgec, "run", "-q", p + ".edgepkg"] + args + ["--output-dir", p + "_out"], check=True,
                   capture_output=True)
    got = np.load(p + "_out/y.npy")
    good = got.shape == want.shape and np.allclose(got, want, rtol=1e-4, atol=1e-4)
    print(name, "match" if good else f"DIFFER {got.shape} {want.shape}")
    return good


ints = lambda name, v: helper.make_tensor(name, TensorProto.INT64, [], [v])
two = helper.make_tensor("two", TensorProto.FLOAT, [], [2.0])
ok = True
# (name, signal shape, frame_step, window length or None, frame_length or None, onesided attribute or None)
for name, shape, step, wlen, length, onesided in [("stft_default_onesided", (2, 40, 1), 5, None, 12, None),
                                                   ("stft_twosided_window", (1, 33, 1), 4, 8, None, 0),
                                                   ("stft_complex_window_length", (2, 30, 2), 3, 10, 10, 0),
                                                   ("stft_whole_signal", (1, 16, 1), 4, None, None, 1)]:
    x = rng.standard_normal(shape).astype(np.float32)
    inputs, inits = [("x", x)], [ints("step", step), two]
    stft_inputs = ["x", "step", "", ""]
    window = np.ones(length or shape[1], np.float32)
    if wlen:
        window = rng.uniform(0.1, 1.0, wlen).astype(np.float32)
        inputs.append(("w", window))
        stft_inputs[2] = "w"
    if length:
        inits.append(ints("len", length))
        stft_inputs[3] = "len"
    while not stft_inputs[-1]:
        stft_inputs.pop()
    attrs = {} if onesided is None else {"onesided": onesided}
    nodes = [helper.make_node("STFT", stft_inputs, ["s"], **attrs), helper.make_node("Mul", ["s", "two"], ["y"])]
    L = length or (wlen if wlen else shape[1])
    ok &= run(name, nodes, inits, inputs, 2 * stft(x, step, window, L, onesided is None or onesided == 1))

# MelWeightMatrix of a usual speech front end (257 x 40, not folded at import) times a
# spectrogram input.
spec = rng.uniform(0, 1, (3, 257)).astype(np.float32)
inits = [ints("n", 40), ints("dft", 512), ints("rate", 16000), helper.make_tensor("lo", TensorProto.FLOAT, [], [20.0]),
         helper.make_tensor("hi", TensorProto.FLOAT, [], [8000.0])]
nodes = [helper.make_node("MelWeightMatrix", ["n", "dft", "rate", "lo", "hi"], ["m"]),
         helper.make_node("MatMul", ["spec", "m"], ["y"])]
ok &= run("mel_speech", nodes, inits, [("spec", spec)],
          spec @ mel(np.int64(40), np.int64(512), np.int64(16000), np.float32(20.0), np.float32(8000.0)))
print("all match" if ok else "some differ")
