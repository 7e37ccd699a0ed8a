"""The Python module: the same stream as C++, zero-copy arrays, checkpoints, ranks."""
import faulthandler
import pathlib
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import lockstep


def run(batcher, state, steps=None):
    return list(batcher.iterate(state, steps))


def test_a_finite_source_streams_in_order_for_any_worker_count():
    outs = {}
    for workers in (0, 1, 3):
        with lockstep.Batcher(lockstep.synthetic(length=20, item_bytes=32), workers=workers) as b:
            outs[workers] = run(b, b.seeded(3))
    assert [o["index"] for o in outs[1]] == list(range(20))
    for workers in (0, 3):
        assert all(np.array_equal(a["bytes"], b["bytes"]) for a, b in zip(outs[1], outs[workers]))
    assert outs[1][0]["bytes"].dtype == np.uint8 and outs[1][0]["bytes"].shape == (32,)


def test_arrays_view_the_outputs_memory_without_a_copy(dataset):
    b = lockstep.Batcher(lockstep.synthetic(length=3, item_bytes=4096))
    out, _ = b.take(b.seeded(1))
    assert out["bytes"].__array_interface__["data"][0] == b._b._last_output_address()
    assert not out["bytes"].flags["OWNDATA"]
    s = lockstep.Batcher(lockstep.signals(dataset, batch_size=4, window_seconds=30))
    batch, _ = s.take(s.seeded(2))
    assert batch["x"].__array_interface__["data"][0] == s._b._last_output_address()
    assert not batch["x"].flags["OWNDATA"]
    s.stop()
    del s
    # The array keeps its output alive after the batcher is gone.
    assert np.isfinite(batch["x"]).all()


def test_signals_batches_have_their_shapes(dataset):
    b = lockstep.Batcher(lockstep.signals(dataset, batch_size=4, window_seconds=60, n_channels=2),
                         workers=2)
    batch, state = b.take(b.seeded(5))
    assert batch["x"].dtype == np.float32 and batch["x"].shape == (4, 2, 60 * 32)
    assert batch["y"].dtype == np.uint8 and batch["y"].shape == (4, 2)
    assert len(batch["items"]) == 4 and len(batch["items"][0]["channels"]) == 2
    assert state.index == 1 and state.source == "signals"


def test_a_saved_state_resumes_exactly(tmp_path):
    src = lockstep.synthetic(length=30, item_bytes=16)
    b = lockstep.Batcher(src, workers=2)
    whole = run(b, b.seeded(9))
    first = run(b, b.seeded(9), steps=12)
    b.save(tmp_path / "state.json")
    assert b.state.index == 12
    again = lockstep.Batcher(src, workers=1)
    state = again.load(tmp_path / "state.json")
    assert state == b.state
    rest = run(again, state)
    assert [o["index"] for o in first + rest] == list(range(30))
    assert all(np.array_equal(a["bytes"], b["bytes"]) for a, b in zip(whole, first + rest))
    assert again.from_checkpoint(b.checkpoint()) == b.state


def test_ranks_share_one_stream_and_resume_at_another_world_size(tmp_path):
    src = lockstep.synthetic(length=10, item_bytes=8)
    whole = {o["index"]: o["bytes"] for o in run(lockstep.Batcher(src), lockstep.Batcher(src).seeded(1))}
    seen = {}
    for rank in range(3):
        b = lockstep.Batcher(src, rank=rank, world_size=3)
        outs = run(b, b.seeded(1))
        assert len(outs) == 4  # ceil(10 / 3) steps on every rank
        for out in outs:
            if out is None:  # past the end: rank 1 and 2 on the last step
                continue
            assert out["index"] not in seen
            seen[out["index"]] = out["bytes"]
    assert sorted(seen) == sorted(whole)
    assert all(np.array_equal(seen[i], whole[i]) for i in whole)
    # Two ranks' checkpoint, resumed by three.
    two = lockstep.Batcher(src, rank=0, world_size=2)
    run(two, two.seeded(1), steps=2)
    two.save(tmp_path / "ck.json")
    rest = set()
    for rank in range(3):
        b = lockstep.Batcher(src, rank=rank, world_size=3)
        rest |= {o["index"] for o in run(b, b.load(tmp_path / "ck.json")) if o is not None}
    assert rest == set(range(4, 10))


def test_take_releases_the_gil_while_it_waits():
    b = lockstep.Batcher(lockstep.synthetic(length=5))
    b.pause()  # take() waits for resume(), which only another thread can call
    result = {}
    taker = threading.Thread(target=lambda: result.update(step=b.take(b.seeded(1))))
    # With the GIL held inside take() this thread could never run again:
    # end the process (a failure) rather than hang the suite.
    faulthandler.dump_traceback_later(120, exit=True)
    try:
        taker.start()
        while b._b._waiting_in_take() == 0:
            time.sleep(0.001)
        b.resume()  # runs while the taker waits inside take()
        taker.join()
    finally:
        faulthandler.cancel_dump_traceback_later()
    assert result["step"][0]["index"] == 0


def test_bad_input_raises_lockstep_error_naming_it(dataset, tmp_path):
    with pytest.raises(lockstep.Error) as e:
        lockstep.synthetic(item_bytes="many")
    assert e.value.code == "invalid_config" and "item_bytes" in str(e.value)
    with pytest.raises(lockstep.Error) as e:
        lockstep.Batcher(lockstep.synthetic(), world_size=2, rank=2)
    assert "rank 2 is not below world_size 2" in str(e.value)
    b = lockstep.Batcher(lockstep.synthetic(length=3))
    other = lockstep.Batcher(lockstep.signals(dataset, batch_size=2))
    with pytest.raises(lockstep.Error) as e:
        b.take(other.seeded(1))
    assert e.value.code == "invalid_state"
    with pytest.raises(lockstep.Error):
        b.load(tmp_path / "missing.json")
    with pytest.raises(lockstep.Error) as e:
        lockstep.Batcher(lockstep.synthetic(), workers="four")
    assert "workers" in str(e.value)


def squares(length, fail_first=None):
    """A Python source of `length` batches; fail_first: a set of batches whose first try fails."""
    tried = set()

    def iterate(state):
        return None if state >= length else (state, state + 1)

    def materialize(batch):
        if fail_first is not None and batch in fail_first and batch not in tried:
            tried.add(batch)
            raise ValueError(f"first attempt of {batch}")
        return {"batch": batch, "square": batch * batch}

    return lockstep.python_source(iterate, materialize)


def test_a_python_source_streams_in_order_and_resumes(tmp_path):
    b = lockstep.Batcher(squares(20), workers=3)
    outs = run(b, b.make_state(0))
    assert [o["square"] for o in outs] == [i * i for i in range(20)]
    run(b, b.make_state(0), steps=7)
    b.save(tmp_path / "py.json")
    again = lockstep.Batcher(squares(20), workers=2)
    rest = run(again, again.load(tmp_path / "py.json"))
    assert [o["batch"] for o in rest] == list(range(7, 20))
    shares = [run(lockstep.Batcher(squares(20), rank=r, world_size=3), b.make_state(0)) for r in range(3)]
    got = sorted(o["batch"] for share in shares for o in share if o is not None)
    assert got == list(range(20))


def test_a_python_exception_is_a_failed_attempt_retried_or_reported():
    # No hedging: a second attempt started beside a slow first one (on a
    # loaded machine) would change how many retries the failures take.
    b = lockstep.Batcher(squares(10, fail_first={3, 7}), workers=2, hedge=False,
                         retry={"first_delay_ms": 1})
    assert [o["batch"] for o in run(b, b.make_state(0))] == list(range(10))
    assert b.stats()["retries"] == 2
    broken = lockstep.Batcher(squares(5, fail_first={2}), workers=1, retry={"max_retries": 0})
    outs = []
    with pytest.raises(lockstep.Error) as e:
        for o in broken.iterate(broken.make_state(0)):
            outs.append(o["batch"])
    assert outs == [0, 1]  # everything before the failed batch, in order
    assert "first attempt of 2" in str(e.value)


def test_exiting_with_a_python_source_still_running_ends_cleanly():
    script = """
import lockstep
def iterate(s): return (s, s + 1)
def materialize(b): return b
b = lockstep.Batcher(lockstep.python_source(iterate, materialize), workers=3)
print(b.take(b.make_state(0))[0])
"""  # the batcher keeps materializing ahead when the interpreter exits
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0"
    assert "terminate" not in done.stderr


def test_the_pytorch_example_resumes_with_the_uninterrupted_losses(dataset, tmp_path):
    pytest.importorskip("torch")
    example = pathlib.Path(__file__).parents[2] / "examples" / "python" / "train_sleep_stages.py"
    done = subprocess.run([sys.executable, str(example), str(dataset), "--work", str(tmp_path)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "resumed, same" in done.stdout and "DIFFERS" not in done.stdout


def test_the_torch_dataset_yields_tensors_over_lockstep_memory(dataset):
    torch = pytest.importorskip("torch")
    from lockstep.torch import Dataset
    data = Dataset(lockstep.signals(dataset, batch_size=4), seed=3, steps=3, workers=2)
    batches = list(torch.utils.data.DataLoader(data, batch_size=None))
    assert len(batches) == 3 and batches[0]["x"].dtype == torch.float32
    saved = data.state_dict()
    again = Dataset(lockstep.signals(dataset, batch_size=4), seed=3, steps=2, workers=1)
    first = next(iter(again))
    assert torch.equal(first["x"], batches[0]["x"])
    again.load_state_dict(saved)
    assert lockstep.Batcher(lockstep.signals(dataset, batch_size=4)).from_checkpoint(
        saved["lockstep_checkpoint"]).index == 3


def test_a_checkpointer_keeps_the_last_state_offered(tmp_path):
    b = lockstep.Batcher(lockstep.synthetic(length=50, item_bytes=8))
    path = tmp_path / "ck.json"
    with b.checkpointer(path, every_seconds=3600) as ck:
        for _ in b.iterate(b.seeded(4), steps=20):
            ck.offer(b.state)
    assert ck.writes >= 1  # stop() wrote what the interval had not yet
    assert b.load(path) == b.state and b.state.index == 20
    with pytest.raises(lockstep.Error):
        b.checkpointer(tmp_path / "x.json", every_seconds=-1)


def test_signals_take_the_datasets_epoch_length(dataset):
    with pytest.raises(lockstep.Error) as e:
        lockstep.Batcher(lockstep.signals(dataset, window_seconds=30, epoch_seconds=20))
    assert "window" in str(e.value) or "epoch" in str(e.value)


def _pass(dataset, **prep):
    """Every window of the dataset once, in order: x of each, concatenated per recording."""
    with lockstep.Batcher(lockstep.signals(dataset, batch_size=7, order="sequential", **prep),
                          workers=2) as b:
        outs = run(b, b.seeded(0))
    x = np.concatenate([o["x"] for o in outs])
    rec = np.array([i["recording"] for o in outs for i in o["items"]])
    return x, rec


@pytest.mark.parametrize("scaling", ["robust", "zscore"])
def test_scaling_matches_numpys_statistics_per_recording_and_channel(dataset, scaling):
    raw, rec = _pass(dataset)
    scaled, rec2 = _pass(dataset, scaling=scaling, clip=3.0)
    assert np.array_equal(rec, rec2) and raw.shape == scaled.shape
    for r in np.unique(rec):
        for c in range(raw.shape[1]):
            # The recording's labeled span: its windows, one after another.
            span = raw[rec == r, c, :].reshape(-1).astype(np.float64)
            if scaling == "robust":
                q1, median, q3 = np.percentile(span, [25, 50, 75])
                want = np.clip((span - median) / (q3 - q1), -3.0, 3.0)
            else:
                want = (span - span.mean()) / span.std()
            got = scaled[rec == r, c, :].reshape(-1)
            np.testing.assert_allclose(got, want.astype(np.float32), rtol=1e-6, atol=1e-6)


def test_the_sequential_order_is_finite_and_sequences_have_their_layout(dataset):
    x, rec = _pass(dataset, sequence_epochs=2, window_seconds=30)
    # 2 recordings of 10 minutes: 20 epochs each, 10 sequences of 2.
    assert x.shape == (20, 2, 3, 30 * 32)
    flat, _ = _pass(dataset, window_seconds=60)
    assert np.array_equal(x[:, 1, :, :], flat[:, :, 30 * 32:])


def test_channels_by_name_and_a_common_rate(dataset):
    with lockstep.Batcher(lockstep.signals(dataset, batch_size=2, channels=["Pz-Oz"],
                                           sample_rate=64)) as b:
        out, _ = b.take(b.seeded(1))
    assert out["x"].shape == (2, 1, 30 * 64)
    with pytest.raises(lockstep.Error, match="has no channel \"O1-M2\""):
        lockstep.Batcher(lockstep.signals(dataset, channels=["O1-M2"]))
    with pytest.raises(lockstep.Error, match="scaling must be"):
        lockstep.signals(dataset, scaling="minmax")
