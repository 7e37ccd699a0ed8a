"""Peer pytorch_mne of the python_signals_mb_s row: the same windows as lockstep's, read by MNE
(mne.io.read_raw_edf, preload=False, then get_data for each window) in a PyTorch DataLoader
with the same worker count, one DataLoader item per lockstep batch (batch_size=None). Prints
one JSON line: {"mb_s": ...}; exits 77 when torch or mne cannot be imported.

Usage: mne_loader.py PLAN.json WORKERS
PLAN.json: {"files": [psg paths], "window_samples": S,
            "batches": [[[recording, start_sample, [channel, ...], [label, ...]], ...], ...]}
"""
import json
import sys
import time

try:
    import mne
    import numpy as np
    import torch
except ImportError as e:
    print(f"mne_loader: {e}", file=sys.stderr)
    sys.exit(77)


class Windows(torch.utils.data.Dataset):
    """Item i: batch i of the plan, as (x float32 [batch][channel][sample], y uint8)."""

    def __init__(self, plan):
        self.plan = plan
        self.raws = {}  # per worker process: each file opened once

    def __len__(self):
        return len(self.plan["batches"])

    def raw(self, recording):
        if recording not in self.raws:
            self.raws[recording] = mne.io.read_raw_edf(self.plan["files"][recording],
                                                       preload=False, verbose="error")
        return self.raws[recording]

    def __getitem__(self, i):
        batch, samples = self.plan["batches"][i], self.plan["window_samples"]
        x = np.empty((len(batch), len(batch[0][2]), samples), np.float32)
        y = np.empty((len(batch), len(batch[0][3])), np.uint8)
        for k, (recording, start, channels, labels) in enumerate(batch):
            x[k] = self.raw(recording).get_data(picks=channels, start=start, stop=start + samples)
            y[k] = labels
        return torch.from_numpy(x), torch.from_numpy(y)


def main():
    plan = json.load(open(sys.argv[1]))
    workers = int(sys.argv[2])
    loader = torch.utils.data.DataLoader(Windows(plan), batch_size=None, num_workers=workers)
    batches = iter(loader)
    x, y = next(batches)  # warm up: workers started, files opened, first batch out
    delivered = x.numpy().nbytes + y.numpy().nbytes
    start = time.perf_counter()
    n = sum(1 for _ in batches)
    seconds = time.perf_counter() - start
    print(json.dumps({"mb_s": delivered * n / 1e6 / seconds}))


if __name__ == "__main__":
    main()
