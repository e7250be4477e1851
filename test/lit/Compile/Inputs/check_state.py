"""Writes the inputs of state.test, or checks its outputs against numpy.

  check_state.py inputs DIR    x.npy (ones), item0..3.npy, pos0..3.npy (rows 0, 1, 2, 0)
  check_state.py sums DIR N    DIR/sum.K.npy == [1,2,3,4] + K + 1 for each of N calls
  check_state.py ring DIR      DIR/ring_out.K.npy after each write into the 3x2 ring
"""
import os
import sys

import numpy as np

cmd, d = sys.argv[1], sys.argv[2]
if cmd == "inputs":
    np.save(os.path.join(d, "x.npy"), np.ones(4, np.float32))
    for k, row in enumerate([0, 1, 2, 0]):
        np.save(os.path.join(d, "item%d.npy" % k), (np.full((1, 2), 10 * (k + 1)) + [0, 1]).astype(np.float32))
        np.save(os.path.join(d, "pos%d.npy" % k), np.array([row, 0], np.int64))
elif cmd == "sums":
    for k in range(int(sys.argv[3])):
        got = np.load(os.path.join(d, "sum.%d.npy" % k))
        want = np.array([1, 2, 3, 4], np.float32) + k + 1
        assert np.array_equal(got, want), (k, got, want)
    print("sums ok")
elif cmd == "ring":
    ring = np.zeros((3, 2), np.float32)
    for k, row in enumerate([0, 1, 2, 0]):
        ring[row] = np.full(2, 10 * (k + 1), np.float32) + [0, 1]
        got = np.load(os.path.join(d, "ring_out.%d.npy" % k))
        assert np.array_equal(got, ring), (k, got, ring)
    print("ring ok")
