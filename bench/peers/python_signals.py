"""Peer of the python_signals_mb_s row: the signals source through lockstep's Python module,
each batch reaching Python as NumPy arrays. Prints one JSON line: {"mb_s": ...}.

Usage: python_signals.py DATASET BATCHES WORKERS (PYTHONPATH: the build directory)
"""
import json
import sys
import time

import lockstep

dataset, batches, workers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
b = lockstep.Batcher(lockstep.signals(dataset, batch_size=64, window_seconds=30), workers=workers)
state = b.seeded(1)
first, state = b.take(state)  # warm up: threads started, first batch out
delivered = first["x"].nbytes + first["y"].nbytes
start = time.perf_counter()
for _ in range(batches - 1):
    out, state = b.take(state)
seconds = time.perf_counter() - start
b.stop()
print(json.dumps({"mb_s": delivered * (batches - 1) / 1e6 / seconds}))
