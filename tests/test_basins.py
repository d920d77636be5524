"""Basins of attraction: exact separatrix, standard errors, grids; initial-state samples."""

from __future__ import annotations

import numpy as np
import pytest
from studies_support import _basins, _same, coordination_game, exact_basin_share

import gametheory as gt
from gametheory.models import classic, crisis_governance
from gametheory.studies.grids import sample_states


def test_exact_basin_reference_is_right_for_the_symmetric_case():
    """For a = b the separatrix is the invariant line x + y = 1: the basin is half the square."""
    assert exact_basin_share(1.0, 1.0) == pytest.approx(0.5, abs=1e-9)
    assert exact_basin_share(2.0, 1.0) > 0.5 > exact_basin_share(1.0, 3.0)


@pytest.fixture(scope="module")
def coordination():
    return coordination_game().replicator()


@pytest.fixture(scope="module")
def flagship():
    return crisis_governance.game().replicator()


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


def test_basins_certify_outcomes_and_report_what_is_near():
    """Regression (issue 9): ends close to a saddle vertex of matching pennies' heteroclinic cycle
    counted as reaching that vertex (about 94 % of the starts); none is certified now."""
    res = gt.basins(classic.matching_pennies_3(), {"a": 1.0}, 512, t_span=(0, 200), backend="numpy")
    assert res.outcomes[-2:] == ("not certified", "failed") and len(res.outcomes) == 10
    assert res.counts.values[:8].sum() == 0 and float(res.share.sel(outcome="not certified")) == 1.0
    assert float(res.near.sum()) > 0.5 and res.near.dims == ("vertex",)
    np.testing.assert_array_equal(res.near.values * 512, res.data["near_count"].values)
    assert "not certified at t = 200 (near H,H,H: " in res.summary()
    grid = gt.basins(classic.matching_pennies_3(), {"a": 1.0}, resolution=4, t_span=(0, 200), backend="numpy")
    assert grid.grid.dims == ("x", "y", "z") and (grid.grid.values == 8).all()
    near = grid.grid_near.values
    assert (near >= 0).sum() == grid.data["near_count"].values.sum() > 32


def test_regime_maps_and_basins_are_the_same_on_a_process_pool(coordination):
    """The tasks carry the dynamics (to certify end states) and pickle for worker processes."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    kwargs = {"backend": "numpy", "t_span": (0, 60)}
    rm_args = (coordination, {"a": [0.5, 2.0]}, {"b": 1.0})
    here_rm = gt.regime_map(*rm_args, n=32, chunk_size=32, **kwargs)
    here = _basins(coordination)
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        pooled_rm = gt.regime_map(*rm_args, n=32, chunk_size=32, executor=pool, **kwargs)
        pooled = _basins(coordination, executor=pool)
    np.testing.assert_array_equal(pooled_rm.shares.values, here_rm.shares.values)
    np.testing.assert_array_equal(pooled_rm.near.values, here_rm.near.values)
    _same(pooled, here)


def test_progress_bar_reports_chunks(coordination, capsys):
    pytest.importorskip("tqdm")
    _basins(coordination, progress=True, n=256)
    assert "2 of 2 chunks" in capsys.readouterr().err  # two chunks of 128 states
