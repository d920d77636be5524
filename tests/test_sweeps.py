"""Sweeps: agreement with simulate, labelled xarray results, input errors, executors."""

from __future__ import annotations

import dataclasses
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest
import xarray as xr
from studies_support import coordination_game

import gametheory as gt
from gametheory import ParameterError, SpecificationError
from gametheory.models import crisis_governance
from gametheory.studies.grids import sample_states


@pytest.fixture(scope="module")
def coordination():
    return coordination_game().replicator()


@pytest.fixture(scope="module")
def flagship():
    return crisis_governance.game().replicator()


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


# ------------------------------------------------------------------ labels
def test_results_are_labelled_read_only_xarray_datasets(coordination, tmp_path):
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
    res.data.to_netcdf(tmp_path / "sweep.nc")  # attrs are plain strings and numbers
    with xr.open_dataset(tmp_path / "sweep.nc") as back:
        xr.testing.assert_identical(back.load(), res.data)


def test_swept_parameter_needs_no_default():
    """Regression: a swept parameter without a default raised 'no value given ... (they have no default)'."""
    pennies = gt.Game.from_table(
        {"row": ["H", "T"], "col": ["H", "T"]},
        {("H", "H"): ("a", "-a"), ("H", "T"): ("-a", "a"), ("T", "H"): ("-a", "a"), ("T", "T"): ("a", "-a")},
    )
    assert pennies.parameter("a").default is None
    res = gt.sweep(pennies, {"a": [1.0, 2.0]}, [0.3, 0.6], (0, 1), n_times=3, backend="numpy")
    assert res.success and res.y.shape == (2, 1, 2, 3) and np.isnan(res.params["a"])
    rm = gt.regime_map(pennies, {"a": [1.0, 2.0]}, n=4, t_span=(0, 1), backend="numpy")
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
        (
            lambda d: gt.regime_map(d, {"F_n": [1]}, n=-1),
            SpecificationError,
            "n \\(the number of simulated starts",
        ),
        (lambda d: gt.sweep("game", {"F_n": [1]}, [0.5] * 3), SpecificationError, "Game or a Dynamics"),
    ],
)
def test_bad_input_raises(flagship, call, error, fragment):
    with pytest.raises(error, match=fragment) as caught:
        call(flagship)
    assert isinstance(caught.value, gt.GameError)  # never a plain ValueError / TypeError


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
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        dasked = gt.sweep(*args, executor=client, **kwargs)
    for other in (pooled, dasked):
        np.testing.assert_array_equal(other.y.values, here.y.values)
        np.testing.assert_array_equal(other.status.values, here.status.values)
        assert other.provenance.spec_sha256 == here.provenance.spec_sha256
