"""Numerical robustness: scale invariance of the analysis, boundary rest points, long horizons."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

import gametheory as gt
from gametheory.analysis.stability import analyze
from gametheory.analysis.stability_report import StabilityKind
from gametheory.models import crisis_governance
from gametheory.testing import games


def _scaled(game: gt.Game, factor: str) -> gt.Game:
    """The same game with every payoff multiplied by ``factor`` (exactly, as a rational)."""
    payoffs = {p: tuple(f"({e})*{factor}" for e in row) for p, row in game.payoffs.items()}
    return gt.Game(game.populations, payoffs, game.parameters)


def _signature(report):
    return sorted((tuple(np.round(e.point, 9)), e.kind, e.is_ess) for e in report.equilibria)


@settings(max_examples=25)
@given(games(max_populations=3, max_profiles=12))
def test_classification_is_invariant_under_payoff_scaling(game):
    """Multiplying all payoffs by c > 0 rescales time only: same rest points, kinds and ESS.

    Scales 1e6 and 1e-6 test that zero-eigenvalue tolerances are relative, not absolute.
    """
    base = _signature(analyze(game))
    for factor in ("1000000", "0.000001"):
        assert _signature(analyze(_scaled(game, factor))) == base, factor


@pytest.mark.parametrize("factor", ["1000000", "0.000001"])
def test_flagship_scaled(factor):
    for params, ess in (
        (crisis_governance.STATUS_QUO, [(0, 0, 0)]),
        (crisis_governance.OPTIMIZED, [(1, 1, 1)]),
    ):
        report = analyze(_scaled(crisis_governance.game(), factor), params)
        assert [tuple(e.point) for e in report.ess] == ess


def test_boundary_rest_point_with_zero_eigenvalue_is_not_called_stable():
    """A corner whose payoff difference is exactly 0 is non-hyperbolic, never an ESS."""
    g = gt.Game.from_table(
        {"r": ["a", "b"], "c": ["a", "b"]},
        {("a", "a"): (1, 1), ("a", "b"): (0, 0), ("b", "a"): (1, 0), ("b", "b"): (0, 1)},
    )
    report = analyze(g)
    corner = next(e for e in report.equilibria if tuple(e.point) == (1.0, 1.0))
    assert not corner.is_ess
    # eigenvalues: 0 (row indifferent between a and b when col plays a) and -1
    np.testing.assert_allclose(sorted(corner.eigenvalues.real), [-1, 0], atol=1e-12)
    assert corner.kind is StabilityKind.NON_HYPERBOLIC


def test_long_horizon_near_corner_keeps_relative_precision():
    """t = 1e4 towards a sink: shares of 1e-300 and below are represented (log-ratio chart), no drift."""
    dyn = crisis_governance.game().replicator()
    tr = dyn.simulate([0.5, 0.5, 0.5], (0, 1e4), crisis_governance.STATUS_QUO, t_eval=[1e4])
    assert tr.success and np.all(tr.final >= 0) and np.all(tr.final < 1e-300)
