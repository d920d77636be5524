"""Regime maps: exact ESS conditions per cell, simulated shares, thresholds."""

from __future__ import annotations

import numpy as np
import pytest
from studies_support import coordination_game, exact_basin_share

import gametheory as gt
from gametheory.models import classic, crisis_governance


@pytest.fixture(scope="module")
def coordination():
    return coordination_game().replicator()


@pytest.fixture(scope="module")
def flagship():
    return crisis_governance.game().replicator()


# -------------------------------------------------------------- regime map
def test_regime_map_of_coordination(coordination):
    a_values = np.array([-1.0, -0.5, 0.0, 0.5, 1.0, 2.0])
    rm = gt.regime_map(coordination.game, {"a": a_values}, {"b": 1.0}, n=256, t_span=(0, 100),
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
    # the symbolic threshold a = 0: above it, (s0, s0)'s two eigenvalues -a are negative
    at_corner = [c for c in rm.thresholds["a"] if c.profile == ("s0", "s0")]
    assert [c.value for c in at_corner] == [0.0, 0.0]
    assert all(c.negative_when == "above" for c in at_corner)


def test_flagship_regime_map_agrees_with_cellwise_conditions(flagship):
    values = {"F_n": np.linspace(0, 8, 4), "lam": np.array([0.1, 0.5, 0.9])}
    base = dict(crisis_governance.OPTIMIZED)
    rm = gt.regime_map(flagship, values, base, n=16, backend="numpy")
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
    rm = gt.regime_map(flagship.game, {"W": [0.0, 2.0, 5.0]}, crisis_governance.STATUS_QUO, n=0)
    assert rm.shares is None and rm.prevailing is None and rm.chunks.n_chunks == 0
    assert rm.regime.values.tolist()[0] == "ESS B,P,I"


# ----------------------------------------------- certified outcomes (issue 9)
def test_passing_saddles_of_a_heteroclinic_cycle_is_not_an_outcome():
    """Regression (issue 9): Jordan's matching pennies has no ESS; its starts approach a heteroclinic
    cycle and are, at t = 200, close to one saddle vertex or another.  The end state at t_span[1]
    was labelled as the outcome ("most starts -> H,H,T"); no vertex is certified now."""
    rm = gt.regime_map(classic.matching_pennies_3(), {"a": [0.5, 1.0]}, n=64, t_span=(0, 200),
                       backend="numpy")  # fmt: skip
    assert not rm.ess.values.any()
    vertices = list(rm.ess.coords["vertex"].values)
    np.testing.assert_array_equal(rm.shares.sel(outcome=vertices).values, 0.0)
    np.testing.assert_array_equal(rm.shares.sel(outcome="not certified").values, 1.0)
    # most end states are close to a saddle vertex: that is what used to be counted as reaching it
    assert (rm.near.sum("vertex").values > 0.5).all()
    assert rm.near.dims == ("a", "vertex") and rm.data.attrs["t_end"] == 200.0
    assert rm.prevailing.values.tolist() == ["not certified at t = 200"] * 2
    frame = rm.to_frame()
    assert {"share not certified", "share near H,H,T, not certified"} <= set(frame)


def test_flagship_optimized_starts_are_all_certified(flagship):
    rm = gt.regime_map(flagship, {"F_g": [crisis_governance.OPTIMIZED["F_g"]]}, crisis_governance.OPTIMIZED,
                       n=64, backend="numpy")  # fmt: skip
    assert rm.shares.sel(outcome="C,E,A").values.tolist() == [1.0] and float(rm.near.sum()) == 0.0
    assert rm.prevailing.values.tolist() == ["C,E,A"]


def test_prevailing_spells_out_an_uncertified_majority():
    """An uncertified plurality reads "near X at t = ..., not certified" when most of it is near X."""
    from gametheory.studies.regimes import _prevailing

    labels = ("a", "b", "not certified", "failed")
    counts = np.array([[1, 0, 9, 0], [1, 0, 9, 0], [6, 0, 4, 0], [0, 0, 0, 5]])
    near = np.array([[5, 0], [4, 1], [0, 4], [0, 0]])
    assert _prevailing(counts, near, labels, 50.0).tolist() == [
        "near a at t = 50, not certified", "not certified at t = 50", "a", "failed",
    ]  # fmt: skip
