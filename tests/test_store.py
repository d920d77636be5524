"""The Zarr store: resume, repair of lost or corrupted chunks, refusal of another study, SIGKILL, xarray view."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
import zarr
from studies_support import _basins, _same, coordination_game

import gametheory as gt
from gametheory import StoreError
from gametheory.models import crisis_governance


@pytest.fixture(scope="module")
def coordination():
    return coordination_game().replicator()


@pytest.fixture(scope="module")
def flagship():
    return crisis_governance.game().replicator()


# ------------------------------------------------------------------- store
def test_store_records_resumes_and_repairs(coordination, tmp_path):
    store = tmp_path / "basins"
    plain = _basins(coordination)
    assert 0.2 < plain.share.sel(outcome="s1,s1") < 0.5  # both outcomes occur: counts are informative
    first = _basins(coordination, store)
    _same(first, plain)
    assert first.chunks.computed == tuple(range(8)) and first.chunks.loaded == ()
    attrs = zarr.open_group(store, mode="r").attrs
    assert attrs["spec"]["fingerprint"] == coordination.game.fingerprint
    assert attrs["versions"]["gametheory"] == gt.__version__ and "numpy" in attrs["versions"]
    assert attrs["spec"]["seed"] == 0 and attrs["spec_sha256"] == first.provenance.spec_sha256
    counts = zarr.open_array(store / "counts", mode="r")  # every chunk carries a checksum
    assert any(type(codec).__name__ == "Crc32cCodec" for codec in counts.metadata.codecs)
    assert counts.chunks == (1, 6)  # one Zarr chunk per unit of work (a replicate of 128 states; 6 outcomes)
    again = _basins(coordination, store)
    _same(again, plain)
    assert again.chunks.computed == () and again.chunks.loaded == tuple(range(8))
    # a lost chunk and a corrupted chunk are recomputed; nothing else is
    (store / "counts" / "c" / "2" / "0").unlink()
    damaged = store / "counts" / "c" / "5" / "0"
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    repaired = _basins(coordination, store)
    _same(repaired, plain)
    assert repaired.chunks.computed == (2, 5) and repaired.chunks.repaired == (2, 5)
    assert repaired.chunks.loaded == (0, 1, 3, 4, 6, 7)


def test_half_finished_store_opens_with_xarray_and_shows_what_is_done(coordination, tmp_path, monkeypatch):
    """An interrupted study: open_zarr shows `done` per row and NaN results where not done; resume completes."""
    from gametheory.studies import execution

    store = tmp_path / "basins"
    run_task = execution.run_task
    calls = []

    def failing_after_three(task):
        if len(calls) == 3:
            raise KeyboardInterrupt("interrupted")
        calls.append(task)
        return run_task(task)

    monkeypatch.setattr(execution, "run_task", failing_after_three)
    with pytest.raises(KeyboardInterrupt):
        _basins(coordination, store)
    monkeypatch.setattr(execution, "run_task", run_task)
    partial = xr.open_zarr(store)
    done = partial["done"].values  # one flag per replicate (here one replicate per chunk)
    assert done.tolist() == [True] * 3 + [False] * 5
    counts = partial["counts"].values
    assert np.isnan(counts[3:]).all() and (counts[:3].sum(axis=1) == 128).all()
    assert partial.attrs["spec"]["kind"] == "basins"
    resumed = _basins(coordination, store)
    assert resumed.chunks.loaded == (0, 1, 2) and resumed.chunks.computed == (3, 4, 5, 6, 7)
    _same(resumed, _basins(coordination))
    assert xr.open_zarr(store)["done"].values.all()


def test_store_refuses_another_study(coordination, flagship, tmp_path):
    store = tmp_path / "basins"
    _basins(coordination, store, n=256)
    with pytest.raises(StoreError, match=r"different study.*'n'"):
        _basins(coordination, store, n=512)
    with pytest.raises(StoreError, match=r"differs in \['rtol'\]"):
        _basins(coordination, store, n=256, rtol=1e-6)
    with pytest.raises(StoreError, match="different study"):
        gt.basins(flagship, n=256, store=store, backend="numpy")
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "notes.txt").write_text("mine")
    with pytest.raises(StoreError, match="non-empty directory"):
        _basins(coordination, tmp_path / "junk")
    (tmp_path / "afile").write_text("x")
    with pytest.raises(StoreError, match="not a directory"):
        _basins(coordination, tmp_path / "afile")


# The study that both the killed child and the test run: one source, so that both specify it identically.
_STUDY = """
import gametheory as gt
from gametheory.models import crisis_governance
from gametheory.studies.grids import sample_states


def run(store, executor):
    dyn = crisis_governance.game().replicator()
    x0s = sample_states((2, 2, 2), "sobol", 1, replicates=[0], replicate_size=64)
    return gt.sweep(dyn, {"F_n": [1.0, 4.0, 8.0]}, x0s, (0, 30), crisis_governance.STATUS_QUO, n_times=31,
                    backend="numpy", chunk_size=16, progress=False, store=store, executor=executor)
"""

_CHILD = """
import concurrent.futures, sys, time


class Throttled(concurrent.futures.Executor):
    # runs each chunk in this process after a pause, so that the parent can kill us midway
    _max_workers = 1

    def submit(self, fn, /, *args, **kwargs):
        future = concurrent.futures.Future()
        time.sleep(0.25)
        future.set_result(fn(*args, **kwargs))
        return future


run(sys.argv[1], Throttled())
print("finished")
"""


def _done_chunks(store: Path) -> set[int]:
    """Chunks whose `done` flags are recorded (one Zarr chunk file each; written after the chunk's data)."""
    folder = store / "done" / "c"
    return {int(p.name) for p in folder.iterdir() if p.name.isdigit()} if folder.is_dir() else set()


def test_sigkill_halfway_then_resume_gives_identical_results(tmp_path):
    """Kill a running sweep with SIGKILL and run it again.

    Only the chunks not marked done are computed, and the result is
    bit-identical to an uninterrupted run.
    """
    store = tmp_path / "killed"
    script = tmp_path / "child.py"
    script.write_text(_STUDY + _CHILD)
    env = os.environ | {"PYTHONPATH": str(Path(gt.__file__).parents[1])}
    child = subprocess.Popen([sys.executable, str(script), str(store)], env=env, stdout=subprocess.PIPE)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and child.poll() is None:
            if len(_done_chunks(store)) >= 4:
                break
            time.sleep(0.02)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=60)
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    done = _done_chunks(store)
    assert 4 <= len(done) < 12  # killed halfway, after the store recorded some chunks
    namespace: dict = {}
    exec(_STUDY, namespace)  # noqa: S102 - the test's own source
    resumed = namespace["run"](store, None)
    assert set(resumed.chunks.loaded) == done
    assert set(resumed.chunks.computed) == set(range(12)) - done and resumed.chunks.repaired == ()
    uninterrupted = namespace["run"](None, None)
    np.testing.assert_array_equal(resumed.y.values, uninterrupted.y.values)
    np.testing.assert_array_equal(resumed.status.values, uninterrupted.status.values)
    assert resumed.provenance.spec_sha256 == uninterrupted.provenance.spec_sha256
