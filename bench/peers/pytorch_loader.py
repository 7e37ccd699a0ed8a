#!/usr/bin/python3
"""Peer: PyTorch's DataLoader over the synthetic source's work.

A map-style Dataset whose item i is batch i of lockstep's synthetic source:
it sleeps the same latency (same seed, same log-normal draw, timer slack
1 ns as lockstep's precise_sleep_until), spins the same spin_ms of the
thread's CPU time (as synthetic::spin_for) and returns the same item_bytes of
content (splitmix64 words, vectorized with numpy), byte for byte. The loader
is DataLoader(num_workers=W, default prefetch_factor, in order); an item is a
whole batch (batch_size=None), as one lockstep batch is one take().

Run alone:  pytorch_loader.py --workers 2 --batches 2000 --latency-ms 0
Serve:      pytorch_loader.py --serve   (one JSON request per stdin line, one
            JSON answer per stdout line; the benchmark program drives this)
"""

import argparse
import ctypes
import json
import math
import os
import sys
import time
import warnings

MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
PR_SET_TIMERSLACK = 29


def splitmix64(x):
    """One splitmix64 step: (new x, output word), as lockstep's splitmix64."""
    x = (x + GOLDEN) & MASK
    z = x
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return x, z ^ (z >> 31)


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK


def batch_seeds(seed, n):
    """The seeds iterate() draws for batches 0..n-1: xoshiro256** seeded
    through splitmix64, as synthetic_state::seeded(seed)."""
    s = []
    x = seed
    for _ in range(4):
        x, w = splitmix64(x)
        s.append(w)
    out = []
    for _ in range(n):
        out.append((rotl((s[1] * 5) & MASK, 7) * 9) & MASK)
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
    return out


def latency_ns(seed, latency_ms, sigma):
    """synthetic::latency_of: Box-Muller from the batch seed, same libm."""
    ms = latency_ms
    if sigma > 0:
        x, a = splitmix64(seed ^ 0x5DEECE66D)
        x, b = splitmix64(x)
        u1 = (a >> 11) * 2.0**-53
        u2 = (b >> 11) * 2.0**-53
        z = math.sqrt(-2.0 * math.log1p(-u1)) * math.cos(2.0 * math.pi * u2)
        ms *= math.exp(sigma * z)
    return int(ms * 1e6)


def fill(np, seed, n):
    """synthetic::fill: n bytes of little-endian splitmix64 words."""
    words = (n + 7) // 8
    x = np.uint64(seed) + np.uint64(GOLDEN) * np.arange(1, words + 1, dtype=np.uint64)
    z = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z ^= z >> np.uint64(31)
    return z.astype("<u8").view(np.uint8)[:n]


def spin(ns):
    """synthetic::spin_for: busy until this thread has used ns more CPU time."""
    until = time.thread_time_ns() + ns
    while time.thread_time_ns() < until:
        pass


def set_timer_slack(_worker_id=None):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_TIMERSLACK, ctypes.c_ulong(1), ctypes.c_ulong(0), ctypes.c_ulong(0),
               ctypes.c_ulong(0))


def make_dataset(torch, np):
    class SyntheticDataset(torch.utils.data.Dataset):
        def __init__(self, seeds, item_bytes, latency_ms, sigma, spin_ms=0.0):
            self.seeds = seeds
            self.item_bytes = item_bytes
            self.latency_ms = latency_ms
            self.sigma = sigma
            self.spin_ns = int(spin_ms * 1e6)

        def __len__(self):
            return len(self.seeds)

        def __getitem__(self, i):
            seed = self.seeds[i]
            wait = latency_ns(seed, self.latency_ms, self.sigma)
            if wait > 0:
                time.sleep(wait / 1e9)
            if self.spin_ns > 0:
                spin(self.spin_ns)
            return i, torch.from_numpy(fill(np, seed, self.item_bytes))

    return SyntheticDataset


class Peer:
    def __init__(self):
        import numpy
        import torch

        self.np = numpy
        self.torch = torch
        self.dataset = make_dataset(torch, numpy)
        self.seeds = {}

    def seeds_for(self, seed, n):
        cached = self.seeds.get(seed)
        if cached is None or len(cached) < n:
            cached = batch_seeds(seed, n)
            self.seeds[seed] = cached
        return cached[:n]

    def rate(self, req):
        warmup, batches = req["warmup"], req["batches"]
        ds = self.dataset(self.seeds_for(req["seed"], warmup + batches), req["item_bytes"],
                          req["latency_ms"], req["latency_sigma"], req.get("spin_ms", 0.0))
        loader = self.torch.utils.data.DataLoader(
            ds, batch_size=None, shuffle=False, num_workers=req["workers"],
            worker_init_fn=set_timer_slack)
        start = time.perf_counter()
        expected = 0
        for index, data in loader:
            if index != expected or data.numel() != req["item_bytes"]:
                raise RuntimeError(f"DataLoader delivered item {index} where {expected} was due")
            expected += 1
            if expected == warmup:
                start = time.perf_counter()
        return {"rate": batches / (time.perf_counter() - start)}

    def probe(self, req):
        out = []
        for seed in self.seeds_for(req["seed"], req["batches"]):
            out.append({"latency_ns": latency_ns(seed, req["latency_ms"], req["latency_sigma"]),
                        "bytes": bytes(fill(self.np, seed, req["item_bytes"])).hex()})
        return {"batches": out}


def serve():
    # W may exceed the cores on purpose (sleeping workers), as for every system.
    warnings.filterwarnings("ignore", message="This DataLoader will create")
    # Answers go to the original stdout; anything a library prints goes to stderr.
    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)

    def answer(obj):
        answers.write(json.dumps(obj) + "\n")
        answers.flush()

    try:
        peer = Peer()
    except ImportError as e:
        answer({"error": f"{e} (Debian's python3-torch installs torch for /usr/bin/python3)"})
        return
    answer({"ready": True, "torch": peer.torch.__version__})
    for line in sys.stdin:
        req = json.loads(line)
        try:
            answer(getattr(peer, req["op"])(req))
        except Exception as e:  # reported to the driver, which decides
            answer({"error": f"{type(e).__name__}: {e}"})


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--serve", action="store_true")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--batches", type=int, default=2000)
    p.add_argument("--warmup", type=int, default=50)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--item-bytes", type=int, default=64)
    p.add_argument("--latency-ms", type=float, default=0.0)
    p.add_argument("--latency-sigma", type=float, default=0.0)
    a = p.parse_args()
    if a.serve:
        serve()
        return
    r = Peer().rate({"warmup": a.warmup, "batches": a.batches, "seed": a.seed,
                     "item_bytes": a.item_bytes, "latency_ms": a.latency_ms,
                     "latency_sigma": a.latency_sigma, "workers": a.workers})
    print(f"{r['rate']:.0f} batches/s")


if __name__ == "__main__":
    main()
