"""lockstep: ordered, reproducible, resumable batches, from Python.

    import lockstep
    source = lockstep.signals("data", batch_size=64, window_seconds=30)
    batches = lockstep.Batcher(source, workers=4)
    state = batches.seeded(7)
    for batch in batches.iterate(state, steps=1000):
        train(batch["x"], batch["y"])       # NumPy arrays over lockstep's memory
    batches.save("state.json")              # the state after the last batch taken

Every output's arrays view the C++ output's memory (no copy) and keep it
alive; the GIL is released while take() waits. docs/python.md has the rest.
"""
import atexit as _atexit
import json as _json
import weakref as _weakref

from ._lockstep import Error, State, __version__  # noqa: F401
from . import _lockstep


def _params(kwargs):
    return _json.dumps({k: v for k, v in kwargs.items() if v is not None})


def synthetic(**params):
    """The synthetic source (item_bytes, latency_ms, length, ...: docs/configuration.md)."""
    return _lockstep._synthetic(_params(params))


def grid(axes, runs=1, shuffle=None):
    """Every combination of lists of the given lengths, in order or shuffled."""
    return _lockstep._grid(_params({"axes": list(axes), "runs": runs, "shuffle": shuffle}))


def signals(dataset, batch_size=64, window_seconds=30.0, n_channels=None,
            signal_weights=None, label_weights=None, epoch_seconds=30.0, channels=None,
            sample_rate=None, scaling="none", clip=20.0, crop_wake_minutes=None,
            sequence_epochs=None, order="random", validation=None):
    """Labeled windows of EDF recordings (docs/signals.md): every parameter of
    random_batches and of the dataset's preparation (channels by name, a common
    sample_rate, scaling "none" | "robust" | "zscore", crop_wake_minutes);
    order="sequential" is one ordered pass over every window; validation names a
    dataset that must share no subject with this one."""
    return _lockstep._signals(
        str(dataset), float(epoch_seconds), batch_size, float(window_seconds), n_channels,
        signal_weights, label_weights, list(channels or []),
        None if sample_rate is None else float(sample_rate), scaling, float(clip),
        None if crop_wake_minutes is None else float(crop_wake_minutes), sequence_epochs,
        order, "" if validation is None else str(validation))


def python_source(iterate, materialize):
    """A source written in Python.

    iterate(state) -> (batch, next_state), or None at the end: cheap and pure.
    materialize(batch) -> output: deterministic; an exception is a failed attempt, retried.
    A state is any value json.dumps writes and json.loads reads back equal. lockstep's workers
    call the two with the GIL held only inside them (docs/python.md: when it is worth it).
    """
    return _lockstep._python_source(iterate, materialize)


_live = _weakref.WeakSet()


@_atexit.register
def _stop_all():
    # Before the interpreter finalizes: the C++ batchers end their threads
    # now, while a worker inside a Python source's callable can still take
    # the GIL to finish it (stop() alone abandons it, running).
    for b in list(_live):
        b._close()


class _lockstep_checkpointer:
    """What Batcher.checkpointer returns; a context manager that stops (writes) on exit."""

    def __init__(self, ck):
        self._ck = ck

    def offer(self, state):
        self._ck.offer(state)

    def stop(self):
        self._ck.stop()

    @property
    def writes(self):
        return self._ck.writes

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class Batcher:
    """Batches of `source`, in order, from any state; a rank's share with world_size > 1.

    Keyword arguments are lockstep's config (workers, buffer, buffer_bytes, retry, ...),
    as in a JSON config file.
    """

    def __init__(self, source, rank=0, world_size=1, shard="interleave", **config):
        self._b = _lockstep._Batcher(source, _json.dumps(config), rank, world_size, shard)
        self.state = None  # the state after the last batch taken
        _live.add(self)

    def seeded(self, seed):
        """A fresh state seeded with `seed` (built-in sources)."""
        return self._b.seeded(seed)

    def make_state(self, value):
        """The state holding `value`, for a Python source (its first state, say)."""
        return self._b.state(value)

    def take(self, state):
        """(output, state after it), or None at the end of a finite source.

        With ranks, output is None for a rank past the end (the same step count everywhere).
        """
        step = self._b.take(state)
        if step is not None:
            self.state = step[1]
        return step

    def iterate(self, state, steps=None):
        """The outputs from `state` on (at most `steps`); self.state follows them."""
        taken = 0
        while steps is None or taken < steps:
            step = self.take(state)
            if step is None:
                return
            output, state = step
            taken += 1
            yield output

    def checkpoint(self, state=None):
        """The checkpoint's JSON text of `state` (default: self.state)."""
        return self._b.checkpoint(self._state(state))

    def from_checkpoint(self, text, accept_changes=False):
        return self._b.from_checkpoint(text, accept_changes)

    def save(self, path, state=None):
        """Writes the checkpoint of `state` (default: self.state) to `path`, atomically."""
        self._b.save(str(path), self._state(state))

    def load(self, path, accept_changes=False):
        """The state a checkpoint file holds, checked against this batcher's source."""
        return self._b.load(str(path), accept_changes)

    def stats(self):
        """delivered, bytes_delivered, retries, restarts, hedges, rate, ahead, in_flight, workers..."""
        return self._b.stats()

    def checkpointer(self, path, every_seconds=5.0):
        """A lockstep.checkpointer: offer(state) every step costs nanoseconds; the file is
        written atomically at most once every `every_seconds`, and on stop()."""
        return _lockstep_checkpointer(self._b.checkpointer(str(path), float(every_seconds)))

    def pause(self):
        """No new jobs; take() delivers what is buffered, then waits for resume()."""
        self._b.pause()

    def resume(self):
        self._b.resume()

    def stop(self):
        self._b.stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def _close(self):
        if self._b is not None:
            self._b.stop()
            self._b = None  # the last reference: the C++ batcher ends its threads here

    def _state(self, state):
        if state is None:
            if self.state is None:
                raise ValueError("no state yet: take a batch first, or pass one")
            return self.state
        return state
