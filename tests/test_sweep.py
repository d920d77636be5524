"""Sweeps, regime maps and basins: exact answers, stores (resume, corruption, SIGKILL), executors."""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
import zarr
from scipy.integrate import quad
from scipy.optimize import brentq

import gametheory as gt
from gametheory import ParameterError, SpecificationError, StoreError
from gametheory.analysis import stability
from gametheory.models import crisis_governance
from gametheory.studies.grids import sample_states


# ------------------------------------------------------------------ helpers
def coordination_game() -> gt.Game:
    """Two populations coordinating: both get ``a`` at (s0, s0), ``b`` at (s1, s1), 0 otherwise."""
    return gt.Game.from_table(
        {"row": ["s0", "s1"], "col": ["s0", "s1"]},
        {
            ("s0", "s0"): ("a", "a"),
            ("s0", "s1"): ("0", "0"),
            ("s1", "s0"): ("0", "0"),
            ("s1", "s1"): ("b", "b"),
        },
        {"a": 1.0, "b": 1.0},
    )


def exact_basin_share(a: float, b: float) -> float:
    """Area of the basin of (s0, s0) = (1, 1) in the unit square, for a, b > 0.

    In logit coordinates u' = g(v), v' = g(u) with g = H', H(w) = (a+b) ln(1+e^w) - b w,
    so H(u) - H(v) is conserved; in shares, -a ln(1-x) - b ln x = -a ln(1-y) - b ln y.
    The saddle's stable manifold is the branch y = phi(x) != x of that level set;
    (1, 1) attracts the points above it.
    """
    star = b / (a + b)

    def h(z: float) -> float:
        return a * np.log1p(-z) + b * np.log(z)

    def phi(x: float) -> float:
        if x == star:
            return star
        lo, hi = (star, 1 - 1e-15) if x < star else (1e-300, star)
        target = h(x)
        if (h(lo) - target) * (h(hi) - target) > 0:  # h(x) below h's range on the other side: edge
            return 1.0 if x < star else 0.0
        return brentq(lambda y: h(y) - target, lo, hi, xtol=1e-15)

    area, _ = quad(lambda x: 1.0 - phi(x), 0.0, 1.0, points=[star], limit=200, epsabs=1e-10)
    return area


@pytest.fixture(scope="module")
def coordination():
    return coordination_game().replicator()


@pytest.fixture(scope="module")
def flagship():
    return crisis_governance.game().replicator()


def test_exact_basin_reference_is_right_for_the_symmetric_case():
    """For a = b the separatrix is the invariant line x + y = 1: the basin is half the square."""
    assert exact_basin_share(1.0, 1.0) == pytest.approx(0.5, abs=1e-9)
    assert exact_basin_share(2.0, 1.0) > 0.5 > exact_basin_share(1.0, 3.0)


# ----------------------------------------------------------------- samples
def test_samples_are_uniform_on_the_product_of_simplices():
    """Sorted-spacing map: each share of a 3-strategy population is Beta(1, 2): mean 1/3, variance 1/18."""
    x = sample_states((3, 2), "sobol", 5, replicates=range(4), replicate_size=4096)
    assert x.shape == (16384, 3) and np.all(x >= 0) and np.all(x[:, :2].sum(axis=1) <= 1)
    # standard errors of these moments at n = 16384 are below 0.002; 0.005 is 2.5 of them
    np.testing.assert_allclose(x[:, :2].mean(axis=0), [1 / 3, 1 / 3], atol=0.005)
    np.testing.assert_allclose(x[:, :2].var(axis=0), [1 / 18, 1 / 18], atol=0.005)
    np.testing.assert_allclose(x[:, 2].mean(), 0.5, atol=0.005)
    again = sample_states((3, 2), "sobol", 5, replicates=[2], replicate_size=4096)
    np.testing.assert_array_equal(again, x[8192:12288])  # replicate r depends on (seed, r) only


# ------------------------------------------------------------------ basins
@pytest.mark.parametrize("a, b", [(1.0, 1.0), (2.0, 1.0), (1.0, 2.5)])
def test_basins_match_the_exact_separatrix(coordination, a, b):
    exact = exact_basin_share(a, b)
    res = gt.basins(coordination, {"a": a, "b": b}, 4096, t_span=(0, 100), backend="numpy", progress=False)
    share, error = float(res.share.sel(outcome="s0,s0")), float(res.standard_error.sel(outcome="s0,s0"))
    assert res.n == 4096 and res.replicates == 16 and res.sample == "sobol"
    assert 0 < error < 0.01  # randomised QMC: far below the i.i.d. binomial error sqrt(1/4/4096) = 0.0078
    assert abs(share - exact) < 4 * error + 1e-12
    assert float(res.share.sel(outcome="s0,s0") + res.share.sel(outcome="s1,s1")) == pytest.approx(1.0)
    assert res.ess.values.tolist() == [True, False, False, True]


def test_random_sample_standard_error_is_honest(coordination):
    """i.i.d. sample: the replicate standard error is close to the binomial sqrt(p (1-p) / n)."""
    exact = exact_basin_share(2.0, 1.0)
    res = gt.basins(coordination, {"a": 2.0}, 8192, sample="random", seed=3, t_span=(0, 100), backend="numpy")
    error = float(res.standard_error.sel(outcome="s0,s0"))
    binomial = np.sqrt(exact * (1 - exact) / 8192)
    assert 0.5 * binomial < error < 1.5 * binomial  # sd of a 16-replicate estimate of sd is about 18 %
    assert abs(res.share.sel(outcome="s0,s0") - exact) < 4 * binomial


def test_grid_basins_follow_the_invariant_separatrix(coordination):
    """a = b: the cell centres above the line x + y = 1 reach (1, 1), those below reach (0, 0)."""
    r = 24
    res = gt.basins(coordination, {"a": 1.0, "b": 1.0}, resolution=r, t_span=(0, 100), backend="numpy")
    assert (
        res.grid.dims == ("x", "y") and res.grid.shape == (r, r) and np.isnan(res.standard_error.values).all()
    )
    centres = (np.arange(r) + 0.5) / r
    total = centres[:, None] + centres[None, :]
    labels = np.array(res.outcomes)[res.grid.values]
    off_line = np.abs(total - 1) > 1e-9
    np.testing.assert_array_equal(labels[off_line], np.where(total > 1, "s0,s0", "s1,s1")[off_line])
    assert res.n == r * r and res.counts.values.sum() == r * r


def test_flagship_basins_are_all_one_corner(flagship):
    """Both calibrations have a unique, globally attracting ESS (model docstring)."""
    for params, corner in ((crisis_governance.STATUS_QUO, "B,P,I"), (crisis_governance.OPTIMIZED, "C,E,A")):
        res = gt.basins(flagship, params, 1024, backend="numpy", chunk_size=512)
        assert float(res.share.sel(outcome=corner)) == 1.0 and res.chunks.computed == (0, 1)
        assert res.ess.sel(vertex=corner) and res.ess.values.sum() == 1


# ------------------------------------------------------------------- sweep
def test_sweep_matches_simulate(flagship):
    values = [1.0, 4.0, 8.0]
    x0s = [[0.3, 0.6, 0.2], [0.7, 0.4, 0.5]]
    res = gt.sweep(flagship, {"F_n": values}, x0s, (0, 30), crisis_governance.STATUS_QUO, n_times=31,
                   rtol=1e-10, atol=1e-12, backend="numpy", chunk_size=4)  # fmt: skip
    assert res.y.dims == ("F_n", "start", "coordinate", "t") and res.y.shape == (3, 2, 3, 31)
    assert res.chunks.n_chunks == 2 and res.success
    for i, f_n in enumerate(values):
        for j, x0 in enumerate(x0s):
            ref = flagship.simulate(x0, (0, 30), dict(crisis_governance.STATUS_QUO) | {"F_n": f_n},
                                    t_eval=res.t, rtol=1e-12, atol=1e-14)  # fmt: skip
            # DP5 at rtol 1e-10 plus its interpolant vs DOP853 at 1e-12: agreement ~1e-9
            np.testing.assert_allclose(res.y.values[i, j], ref.y, rtol=0, atol=1e-7)
            np.testing.assert_allclose(res.final.sel(F_n=f_n, start=j).values, ref.final, atol=1e-7)
    assert res.params["F_n"] == crisis_governance.STATUS_QUO["F_n"]  # the base value, swept over
    frame = res.to_frame()
    assert list(frame.columns) == ["F_n", "start", "t", "x", "y", "z"] and len(frame) == 3 * 2 * 31
    assert res.fingerprint == flagship.game.fingerprint


def test_two_parameter_sweep_is_a_cartesian_product(coordination):
    res = gt.sweep(coordination, {"a": [1.0, 2.0], "b": [0.5, 1.0, 3.0]}, [0.4, 0.6], (0, 10), n_times=5,
                   backend="numpy")  # fmt: skip
    assert res.final.dims == ("a", "b", "start", "coordinate") and res.final.shape == (2, 3, 1, 2)
    for a in (1.0, 2.0):
        for b in (0.5, 1.0, 3.0):
            ens = coordination.simulate_many([0.4, 0.6], (0, 10), {"a": a, "b": b}, backend="numpy")
            np.testing.assert_array_equal(res.final.sel(a=a, b=b, start=0).values, ens.final[0])


# -------------------------------------------------------------- regime map
def test_regime_map_of_coordination(coordination):
    a_values = np.array([-1.0, -0.5, 0.0, 0.5, 1.0, 2.0])
    rm = gt.regime_map(coordination.game, {"a": a_values}, {"b": 1.0}, n_starts=256, t_span=(0, 100),
                       backend="numpy")  # fmt: skip
    np.testing.assert_array_equal(rm.ess.values[:, 0], a_values > 0)  # (s0,s0) strict iff a > 0
    assert rm.ess.values[:, 3].all() and not rm.ess.values[:, 1:3].any()
    assert rm.regime.values.tolist() == ["ESS s1,s1"] * 3 + ["bistable s0,s0 | s1,s1"] * 3
    shares = rm.shares.values[:, 0]
    np.testing.assert_array_equal(shares[:3], 0.0)  # a <= 0: x' < 0 everywhere off the edges
    for a, share in zip(a_values[3:], shares[3:]):
        # 256 scrambled Sobol' points, region with a smooth boundary: error ~ 256^-0.75 ~ 0.016
        assert abs(share - exact_basin_share(a, 1.0)) < 0.05
    assert rm.prevailing.values.tolist()[-1] == "s0,s0" and rm.prevailing.values.tolist()[0] == "s1,s1"
    if getattr(stability, "critical_values", None) is not None:
        # the symbolic threshold a = 0: above it, (s0, s0)'s two eigenvalues -a are negative
        at_corner = [c for c in rm.thresholds["a"] if c.profile == ("s0", "s0")]
        assert [c.value for c in at_corner] == [0.0, 0.0]
        assert all(c.negative_when == "above" for c in at_corner)
    else:  # the hook stays empty until gametheory.analysis.stability provides critical_values
        assert rm.thresholds is None


def test_flagship_regime_map_agrees_with_cellwise_conditions(flagship):
    values = {"F_n": np.linspace(0, 8, 4), "lam": np.array([0.1, 0.5, 0.9])}
    base = dict(crisis_governance.OPTIMIZED)
    rm = gt.regime_map(flagship, values, base, n_starts=16, backend="numpy")
    assert rm.ess.dims == ("F_n", "lam", "vertex") and rm.regime.shape == (4, 3)
    labels = rm.ess.coords["vertex"].values
    for i, f_n in enumerate(values["F_n"]):
        for j, lam in enumerate(values["lam"]):
            cell = base | {"F_n": f_n, "lam": lam}
            np.testing.assert_array_equal(rm.ess.values[i, j], gt.strict_equilibria(flagship, cell))
            if rm.ess.values[i, j].sum() == 1:
                # the unique ESS prevails; no start ends at a vertex that is not an ESS (those are
                # saddles or sources).  Some starts may still be travelling at t = 200 ("other"):
                # near-heteroclinic wandering close to the z = 0 face, e.g. at F_n = 16/3, lam = 0.1.
                assert rm.prevailing.values[i, j] == labels[rm.ess.values[i, j]][0]
                at_vertices = rm.shares.values[i, j, : len(labels)]
                assert np.all(at_vertices[~rm.ess.values[i, j]] == 0)
    frame = rm.to_frame()
    assert len(frame) == 12 and {"F_n", "lam", "regime", "n_ess", "prevailing", "share C,E,A"} <= set(frame)


def test_regime_map_without_simulation_is_exact_only(flagship):
    rm = gt.regime_map(flagship.game, {"W": [0.0, 2.0, 5.0]}, crisis_governance.STATUS_QUO, n_starts=0)
    assert rm.shares is None and rm.prevailing is None and rm.chunks.n_chunks == 0
    assert rm.regime.values.tolist()[0] == "ESS B,P,I"


# ------------------------------------------------------------------ labels
def test_results_are_labelled_read_only_xarray_datasets(coordination):
    """The facts LabelledArray guaranteed, on the xarray results; provenance in attrs."""
    res = gt.sweep(coordination, {"a": [0.5, 1.5], "b": [1.0, 2.0, 3.0]}, [0.4, 0.6], (0, 2), n_times=3,
                   backend="numpy")  # fmt: skip
    assert isinstance(res.data, xr.Dataset) and res.data["a"].values.tolist() == [0.5, 1.5]
    arr = res.status  # dims (a, b, start)
    assert arr.sel(a=1.5, b=2.0, start=0).item() == 0 and arr.sel(b=3.0).values.shape == (2, 1)
    with pytest.raises(KeyError, match="'P'.*dimensions"):  # an unknown dimension is named, with the dims
        arr.sel(P=1)
    with pytest.raises(KeyError, match="not all values found in index 'a'"):  # the dimension is named
        arr.sel(a=9)
    with pytest.raises(ValueError):  # read-only
        arr.values[0, 0, 0] = 1
    with pytest.raises(ValueError):
        res.y.values[0, 0, 0, 0] = 1.0
    frame = res.final.to_series().reset_index()
    assert frame.shape == (2 * 3 * 2, 5) and frame.columns.tolist() == [
        "a",
        "b",
        "start",
        "coordinate",
        "final",
    ]
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.data = None
    attrs = res.data.attrs
    assert attrs["fingerprint"] == coordination.game.fingerprint and attrs["backend"] == "numpy"
    assert res.provenance.spec_sha256 == attrs["spec_sha256"] and "numpy" in res.provenance.versions
    assert "SweepResult(a: 2 values, b: 3 values" in res.summary() and "<pre>" in res._repr_html_()
    assert res._repr_markdown_().startswith("```")


def test_swept_parameter_needs_no_default():
    """Regression: a swept parameter without a default raised 'no value given ... (they have no default)'."""
    pennies = gt.Game.from_table(
        {"row": ["H", "T"], "col": ["H", "T"]},
        {("H", "H"): ("a", "-a"), ("H", "T"): ("-a", "a"), ("T", "H"): ("-a", "a"), ("T", "T"): ("a", "-a")},
    )
    assert pennies.parameter("a").default is None
    res = gt.sweep(pennies, {"a": [1.0, 2.0]}, [0.3, 0.6], (0, 1), n_times=3, backend="numpy")
    assert res.success and res.y.shape == (2, 1, 2, 3) and np.isnan(res.params["a"])
    rm = gt.regime_map(pennies, {"a": [1.0, 2.0]}, n_starts=4, t_span=(0, 1), backend="numpy")
    assert rm.regime.values.tolist() == ["no ESS", "no ESS"] and rm.shares.shape == (2, 6)


# ------------------------------------------------------------------ errors
@pytest.mark.parametrize(
    "call, error, fragment",
    [
        (lambda d: gt.sweep(d, {"F_m": [1]}, [0.5] * 3), ParameterError, "did you mean 'F_n'"),
        (lambda d: gt.sweep(d, {"F_n": []}, [0.5] * 3), ParameterError, "non-empty"),
        (lambda d: gt.sweep(d, {}, [0.5] * 3), ParameterError, "mapping"),
        (
            lambda d: gt.sweep(d, {"F_n": [1]}, [0.5] * 3, params={"S": [1, 2]}),
            ParameterError,
            "scalar values",
        ),
        (lambda d: gt.sweep(d, {"F_n": [1]}, [0.5] * 3, t_span=(5, 1)), gt.IntegrationError, "reversed"),
        (lambda d: gt.sweep(d, {"lam": [0.5, 2.0]}, [0.5] * 3), ParameterError, "outside its bounds"),
        (lambda d: gt.regime_map(d, {"F_n": [1], "S": [1], "W": [1]}), ParameterError, "at most 2"),
        (lambda d: gt.basins(d, n=8, resolution=4), SpecificationError, "not both"),
        (lambda d: gt.basins(d, n=64, replicate_size=12), SpecificationError, "power of two"),
        (lambda d: gt.basins(d, n=64, sample="halton"), SpecificationError, "unknown sample"),
        (lambda d: gt.basins(d, n=64, tol=2), SpecificationError, "tol must be"),
        (lambda d: gt.basins(d, n=64, executor="pool"), SpecificationError, "concurrent.futures.Executor"),
        (lambda d: gt.basins(d, n=64, chunk_size=0), SpecificationError, "chunk_size must be"),
        (lambda d: gt.basins(d, n=64, progress="yes"), SpecificationError, "progress must be"),
        (lambda d: gt.sweep(d, {"F_n": [1]}, [0.5] * 3, n_times=1), SpecificationError, "n_times"),
        (lambda d: gt.regime_map(d, {"F_n": [1]}, n_starts=-1), SpecificationError, "n_starts"),
        (lambda d: gt.sweep("game", {"F_n": [1]}, [0.5] * 3), SpecificationError, "Game or a Dynamics"),
    ],
)
def test_bad_input_raises(flagship, call, error, fragment):
    with pytest.raises(error, match=fragment) as caught:
        call(flagship)
    assert isinstance(caught.value, gt.GameError)  # never a plain ValueError / TypeError


# ------------------------------------------------------------------- store
def _basins(dyn, store=None, executor=None, **kwargs):
    """Basins of the coordination game with a = 2, b = 1: about 0.74 / 0.26, varying per replicate."""
    options = {"n": 1024, "replicate_size": 128, "chunk_size": 128, "backend": "numpy", "progress": False,
               "t_span": (0, 60)}  # fmt: skip
    return gt.basins(dyn, {"a": 2.0, "b": 1.0}, store=store, executor=executor, **(options | kwargs))


def _same(a, b) -> None:
    for name in ("share", "standard_error", "counts"):
        np.testing.assert_array_equal(getattr(a, name).values, getattr(b, name).values)
    assert a.provenance.spec_sha256 == b.provenance.spec_sha256


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


# --------------------------------------------------------------- executors
def test_same_results_in_process_with_a_process_pool_and_with_dask(flagship):
    distributed = pytest.importorskip("distributed")
    kwargs = {"backend": "numpy", "chunk_size": 16, "progress": False, "n_times": 11}
    x0s = sample_states((2, 2, 2), "sobol", 1, replicates=[0], replicate_size=32)
    args = (flagship, {"F_n": [1.0, 6.0]}, x0s, (0, 20), crisis_governance.STATUS_QUO)
    here = gt.sweep(*args, **kwargs)
    assert here.chunks.n_chunks == 4
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        pooled = gt.sweep(*args, executor=pool, **kwargs)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        dasked = gt.sweep(*args, executor=client, **kwargs)
    for other in (pooled, dasked):
        np.testing.assert_array_equal(other.y.values, here.y.values)
        np.testing.assert_array_equal(other.status.values, here.status.values)
        assert other.provenance.spec_sha256 == here.provenance.spec_sha256


def test_progress_bar_reports_chunks(coordination, capsys):
    pytest.importorskip("tqdm")
    _basins(coordination, progress=True, n=256)
    assert "2/2" in capsys.readouterr().err  # two chunks of 128 states
