#!/usr/bin/python3
"""Checks of analyze.test on keep_float_model.py's model (fc1 -> relu1 -> fc2 -> relu2 -> fc3).

  check_sensitivity.py report REPORT_DIR
      sensitivity.json has the groups, candidates and protection analyze.test expects.
  check_sensitivity.py measured REPORT_DIR MODEL_DIR EDGEC
      "Measured, not simulated": for fc2 at int8, int4-g32 and fp16, a plan with only fc2 at
      that precision is compiled (edgec compile --precision-plan) and run on the analysis
      samples with edgec run; the SQNR of its outputs against the fp32 package's must equal
      the SQNR the analysis reported for that group and precision.
  check_sensitivity.py plan REPORT_DIR OUT_JSON PRECISION [NAME=PRECISION ...]
      Writes REPORT_DIR/plan.json with every op at PRECISION, then the NAME=PRECISION
      overrides, to OUT_JSON.
"""
import glob
import json
import os
import subprocess
import sys

import numpy as np


def load(rep):
    with open(os.path.join(rep, "sensitivity.json")) as f:
        return json.load(f)


def check_report(rep):
    r = load(rep)
    assert r["format"] == "edgec-sensitivity" and r["version"] == 1, r["format"]
    groups = {g["name"]: g for g in r["groups"]}
    assert sorted(groups) == ["fc1", "fc2", "fc3", "relu1", "relu2"], sorted(groups)
    assert groups["fc1"]["protected"] == "first weighted layer", groups["fc1"]["protected"]
    assert groups["fc3"]["protected"] == "last weighted layer", groups["fc3"]["protected"]
    assert groups["fc2"]["protected"] is None
    cands = {g: {c["precision"]: c for c in groups[g]["candidates"]} for g in groups}
    # int8-dynamic and int4 change only the weighted Gemms; fp16 and int8 change everything.
    assert sorted(cands["fc2"]) == ["fp16", "int4-g128", "int4-g32", "int8", "int8-dynamic"], sorted(cands["fc2"])
    assert sorted(cands["relu1"]) == ["fp16", "int8"], sorted(cands["relu1"])
    fc2 = cands["fc2"]
    assert groups["fc2"]["params"] == 64 * 64 + 64 and groups["fc2"]["fp32_bytes"] == 4 * (64 * 64 + 64)
    # Fewer bits, fewer bytes; more error.
    assert fc2["int4-g32"]["bytes"] < fc2["int8"]["bytes"] < fc2["fp16"]["bytes"] < groups["fc2"]["fp32_bytes"], fc2
    assert fc2["int4-g32"]["sqnr_db"] < fc2["int8"]["sqnr_db"] < fc2["fp16"]["sqnr_db"], fc2
    assert r["plan"] is not None and len(r["plan"]["assignments"]) == 5
    print("report OK")


def run_outputs(edgec, pkg, samples, out):
    subprocess.run([edgec, "run", pkg, "-q", "--input", "x=" + ",".join(samples), "--output-dir", out], check=True)
    files = sorted(glob.glob(os.path.join(out, "y*.npy")), key=lambda p: (len(p), p))
    return np.concatenate([np.load(p).astype(np.float64).ravel() for p in files])


def write_plan(rep, out, default, overrides):
    with open(os.path.join(rep, "plan.json")) as f:
        plan = json.load(f)
    for op in plan["ops"]:
        op["precision"] = overrides.get(op["name"], default)
    with open(out, "w") as f:
        json.dump(plan, f, indent=1)


def check_measured(rep, model_dir, edgec):
    r = load(rep)
    samples = sorted(glob.glob(os.path.join(model_dir, "calib", "*.npy")))[: r["samples"]]
    assert len(samples) == r["samples"], (len(samples), r["samples"])
    work = os.path.join(rep, "measured")
    os.makedirs(work, exist_ok=True)
    fp32 = os.path.join(work, "fp32.edgepkg")
    subprocess.run([edgec, "compile", os.path.join(model_dir, "m.onnx"), "-q", "-o", fp32], check=True)
    ref = run_outputs(edgec, fp32, samples, os.path.join(work, "out-fp32"))
    fc2 = {c["precision"]: c for g in r["groups"] if g["name"] == "fc2" for c in g["candidates"]}
    for precision in ("int8", "int4-g32", "fp16"):
        plan = os.path.join(work, precision + ".json")
        write_plan(rep, plan, "fp32", {"fc2": precision})
        pkg = os.path.join(work, precision + ".edgepkg")
        subprocess.run([edgec, "compile", os.path.join(model_dir, "m.onnx"), "-q", "--precision-plan", plan, "-o", pkg],
                       check=True)
        got = run_outputs(edgec, pkg, samples, os.path.join(work, "out-" + precision))
        sqnr = 10 * np.log10(np.sum(ref * ref) / np.sum((ref - got) ** 2))
        reported = fc2[precision]["sqnr_db"]
        print("fc2 %s: edgec run %.9f dB, analysis %.9f dB" % (precision, sqnr, reported))
        assert abs(sqnr - reported) < 1e-6, (precision, sqnr, reported)
        # The reported bytes are the group's constants; the package also grows by the
        # metadata of the tensors the precision adds (quantization parameters, names).
        grown = os.path.getsize(pkg) - os.path.getsize(fp32)
        assert grown == fc2[precision]["bytes"] - 4 * (64 * 64 + 64), (grown, fc2[precision]["bytes"])
    print("measured OK")


def main():
    cmd = sys.argv[1]
    if cmd == "report":
        check_report(sys.argv[2])
    elif cmd == "measured":
        check_measured(sys.argv[2], sys.argv[3], sys.argv[4])
    elif cmd == "plan":
        write_plan(sys.argv[2], sys.argv[3], sys.argv[4], dict(a.split("=", 1) for a in sys.argv[5:]))
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
