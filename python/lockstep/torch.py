"""lockstep for PyTorch: an IterableDataset whose iterator threads lockstep's state.

    from lockstep.torch import Dataset
    data = Dataset(lockstep.signals("data", batch_size=32), seed=7, workers=4)
    loader = torch.utils.data.DataLoader(data, batch_size=None)   # lockstep batches already
    for batch in loader:
        ...
    torch.save({"model": model.state_dict(), "data": data.state_dict()}, path)
    data.load_state_dict(torch.load(path)["data"])                # resumes after that batch

lockstep runs its own workers: give the DataLoader batch_size=None and no worker processes
(num_workers=0, the default), which would each run a copy of the stream.
"""
import torch
from torch.utils.data import IterableDataset

import lockstep


def _to_torch(output):
    """NumPy arrays become tensors over the same memory (torch.from_numpy: no copy)."""
    if output is None:
        return None
    if isinstance(output, dict):
        return {k: torch.from_numpy(v) if hasattr(v, "__array_interface__") else v
                for k, v in output.items()}
    return output


class Dataset(IterableDataset):
    """The batches of `source` from `seed` (or `start`, a Python source's first state value),
    at most `steps` of them per pass; keyword arguments go to lockstep.Batcher.

    state_dict() is the state after the last batch the iterator yielded, so a training loop that
    saves it with its model resumes exactly after the last batch it trained on.
    """

    def __init__(self, source, seed=0, start=None, steps=None, **batcher):
        super().__init__()
        self._batcher = lockstep.Batcher(source, **batcher)
        self._state = (self._batcher.make_state(start) if start is not None
                       else self._batcher.seeded(seed))
        self._steps = steps

    def __iter__(self):
        for output in self._batcher.iterate(self._state, self._steps):
            self._state = self._batcher.state
            yield _to_torch(output)

    def state_dict(self):
        return {"lockstep_checkpoint": self._batcher.checkpoint(self._state)}

    def load_state_dict(self, state_dict):
        self._state = self._batcher.from_checkpoint(state_dict["lockstep_checkpoint"])
