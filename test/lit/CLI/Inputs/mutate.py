#!/usr/bin/python3
"""Writes damaged or hand-made files for the CLI lit tests.

  mutate.py truncate IN OUT N      the first N bytes of IN (N < 0: all but the last -N)
  mutate.py flip IN OUT OFFSET     IN with the byte at OFFSET (< 0: from the end; "mid":
                                   the middle one) inverted
  mutate.py random OUT SIZE SEED   SIZE random bytes
  mutate.py npy OUT DTYPE SHAPE    an array of ones, e.g. `npy x.npy float32 1x4`
                                   (SHAPE "scalar" for a 0-d array)
"""
import random
import sys


def main(argv):
    cmd = argv[1]
    if cmd == "truncate":
        data = open(argv[2], "rb").read()
        n = int(argv[4])
        open(argv[3], "wb").write(data[:n])
    elif cmd == "flip":
        data = bytearray(open(argv[2], "rb").read())
        data[len(data) // 2 if argv[4] == "mid" else int(argv[4])] ^= 0xFF
        open(argv[3], "wb").write(bytes(data))
    elif cmd == "random":
        r = random.Random(int(argv[4]))
        open(argv[2], "wb").write(bytes(r.randrange(256) for _ in range(int(argv[3]))))
    elif cmd == "npy":
        import numpy as np
        shape = () if argv[4] == "scalar" else tuple(int(d) for d in argv[4].split("x"))
        np.save(argv[2], np.ones(shape, dtype=argv[3]))
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main(sys.argv)
