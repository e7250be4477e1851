#!/usr/bin/python3
"""Prints the weak symbols that ISA-specific objects (x86/) share with baseline objects.

Such a symbol (an inline function, a template instance, a vtable) is emitted by both,
and the linker keeps one copy for every caller: if it keeps the AVX-512 copy, a CPU
without AVX-512 crashes in baseline code. The list must stay empty of code.
"""
import glob
import os
import subprocess
import sys


def weak(paths):
    names = set()
    for path in paths:
        out = subprocess.run(["nm", "--defined-only", path], capture_output=True, text=True, check=True).stdout
        names.update(line.split()[2] for line in out.splitlines() if len(line.split()) == 3 and line.split()[1] in "WVuv")
    return names


objects = glob.glob(os.path.join(sys.argv[1], "**", "*.o"), recursive=True)
isa = [o for o in objects if os.sep + "x86" + os.sep in o]
baseline = [o for o in objects if o not in isa]
assert isa and baseline, "no objects found under " + sys.argv[1]
shared = sorted(weak(isa) & weak(baseline))
# The personality routine's GOT slot is data, not code.
shared = [s for s in shared if s != "DW.ref.__gxx_personality_v0"]
print("%d ISA objects, %d baseline objects, %d shared weak symbols" % (len(isa), len(baseline), len(shared)))
for s in shared:
    print("shared:", s)
