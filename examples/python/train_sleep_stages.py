"""Trains a tiny sleep-stage classifier on a lockstep dataset, is killed, resumes, and shows
that the resumed losses are the losses of a run that was never interrupted.

    lockstep make-dataset data --recordings 2 --minutes 10
    PYTHONPATH=build/python /usr/bin/python3 examples/python/train_sleep_stages.py data

It runs the training three times, each in a process of its own: once for STEPS steps
uninterrupted; once with a checkpoint after every step, killed (SIGKILL, by itself, so the
step is always the same) right after step KILL_AT; once resumed from that checkpoint to STEPS. Exit status 0 when the
losses of the steps after KILL_AT are equal, bit for bit.
"""
import argparse
import os
import signal
import subprocess
import sys

STEPS, KILL_AT = 12, 5


def train(dataset, steps, checkpoint=None, resume=False, kill_at=None):
    import torch
    import lockstep
    from lockstep.torch import Dataset

    torch.manual_seed(0)
    torch.set_num_threads(1)  # one thread: the same float sums in every run
    data = Dataset(lockstep.signals(dataset, batch_size=8, window_seconds=30), seed=7, workers=2)
    channels = None
    model = optimizer = None
    first = 1
    if resume:
        saved = torch.load(checkpoint)
        data.load_state_dict(saved["data"])
        first = saved["step"] + 1
    for step, batch in enumerate(data, start=first):
        x, y = batch["x"], batch["y"][:, 0].long()  # one 30 s epoch per window: its stage
        if model is None:
            channels = x.shape[1]
            model = torch.nn.Sequential(torch.nn.Conv1d(channels, 8, 16, stride=8), torch.nn.ReLU(),
                                        torch.nn.AdaptiveAvgPool1d(1), torch.nn.Flatten(),
                                        torch.nn.Linear(8, 6))
            optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
            if resume:
                model.load_state_dict(saved["model"])
                optimizer.load_state_dict(saved["optimizer"])
        # Per-window scaling: the demo signals are in microvolts.
        x = (x - x.mean(dim=2, keepdim=True)) / (x.std(dim=2, keepdim=True) + 1e-6)
        loss = torch.nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if checkpoint:
            tmp = checkpoint + ".tmp"
            torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                        "data": data.state_dict(), "step": step}, tmp)
            os.replace(tmp, checkpoint)  # whole or not at all
        print(f"step {step} loss {loss.item()!r}", flush=True)
        if step == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        if step >= steps:
            break


def losses(lines):
    return {int(w[1]): w[3] for w in (line.split() for line in lines) if w and w[0] == "step"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset")
    parser.add_argument("--work", default=".", help="where the checkpoint goes")
    parser.add_argument("--child", choices=["train", "resume"], help=argparse.SUPPRESS)
    parser.add_argument("--checkpoint", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        train(args.dataset, STEPS, args.checkpoint, resume=args.child == "resume",
              kill_at=KILL_AT if args.child == "train" and args.checkpoint else None)
        return 0

    me = [sys.executable, __file__, args.dataset]
    checkpoint = os.path.join(args.work, "train_checkpoint.pt")
    whole = losses(subprocess.run(me + ["--child", "train"], check=True, capture_output=True,
                                  text=True).stdout.splitlines())
    killed = subprocess.run(me + ["--child", "train", "--checkpoint", checkpoint],
                            capture_output=True, text=True)
    if killed.returncode != -signal.SIGKILL:
        sys.exit(f"the run to kill ended with status {killed.returncode}: {killed.stderr}")
    seen = killed.stdout.splitlines()
    print(f"killed (SIGKILL) after step {KILL_AT}")
    resumed = losses(subprocess.run(me + ["--child", "resume", "--checkpoint", checkpoint],
                                    check=True, capture_output=True, text=True).stdout.splitlines())
    same = True
    for step in range(1, STEPS + 1):
        got = resumed.get(step) if step > KILL_AT else losses(seen).get(step)
        mark = "" if step <= KILL_AT else ("  resumed, same" if got == whole[step] else
                                          f"  resumed, DIFFERS: {got}")
        same = same and (step <= KILL_AT or got == whole[step])
        print(f"step {step:2d} loss {whole[step]}{mark}")
    print("the resumed losses equal the uninterrupted run's" if same else
          "the resumed losses differ from the uninterrupted run's")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
