"""The log-ratio chart (gametheory.numerics.charts) and the choice of chart by the dynamics."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pytest

import gametheory as gt
from gametheory import IntegrationError
from gametheory.dynamics.base import TheoryFacts
from gametheory.dynamics.replicator import ReplicatorDynamics
from gametheory.models import classic, crisis_governance
from gametheory.numerics.charts import LogRatioChart, chart_of, face_charts


def _three_by_two():
    return gt.Game.from_table(
        {"r": ["a", "b", "c"], "c": ["a", "b"]},
        {(s, t): (f"{i} - {j}", f"{j} - {i}") for i, s in enumerate("abc") for j, t in enumerate("ab")},
    )


@pytest.mark.parametrize(
    "x0",
    [[0.2, 0.3, 0.5], [0.0, 0.4, 0.3], [0.6, 0.4, 1.0], [0.0, 0.0, 0.0], [0.0, 1.0, 0.5], [0.3, 0.0, 0.2]],
)
def test_chart_round_trip(x0):
    """states(u0) gives back x0 (to rounding), on every face, for 3- and 2-strategy populations."""
    dyn = _three_by_two().replicator()
    chart = LogRatioChart.on_face_of(dyn, x0)
    np.testing.assert_allclose(chart.states(chart.u0[:, None])[:, 0], x0, rtol=0, atol=1e-15)
    full = dyn.full_shares(x0)
    assert chart.m == sum(int(np.sum(f > 0)) - 1 for f in full)


def test_face_charts_row_equals_the_single_chart():
    dyn = crisis_governance.game().replicator()
    X0 = np.array([[0.2, 0.0, 0.7], [1.0, 0.3, 0.0], [0.5, 0.5, 0.5]])
    faces = face_charts(dyn.game.strategy_counts, X0)
    for k, x0 in enumerate(X0):
        chart = LogRatioChart.on_face_of(dyn, x0)
        m = int(faces["m"][k])
        np.testing.assert_array_equal(chart.u0, faces["u0"][k, :m])
        np.testing.assert_array_equal(chart.free, faces["free"][k, :m])
        np.testing.assert_array_equal(chart.ref, faces["ref"][k, :m])


def test_rhs_flavours_agree():
    """The scalar (simulate) and numpy (ensembles) right-hand sides are one chart."""
    dyn = _three_by_two().replicator()
    p = dyn.parameter_vector()
    chart = LogRatioChart.on_face_of(dyn, [0.2, 0.3, 0.4])
    u = np.random.default_rng(1).normal(size=(chart.m, 5))
    scalar = chart.rhs(dyn.compiled("growth", "scalar"), p)
    vector = chart.vector_field(dyn.compiled("growth"))
    expected = np.stack([scalar(0.0, u[:, j]) for j in range(5)], axis=1)
    np.testing.assert_allclose(vector(u, p[:, None]), expected, rtol=1e-14, atol=1e-14)
    # u' = g_j - g_ref is the replicator field divided by x_j, minus the reference's
    x = chart.states(u[:, :1])[:, 0]
    full = dyn.full_shares(x)[0]
    xdot = dyn.vector_field(x)
    np.testing.assert_allclose(expected[:2, 0], xdot[:2] / full[:2] - (-xdot[:2].sum()) / full[2], rtol=1e-9)


class _SharesReplicator(ReplicatorDynamics):
    """The replicator dynamics, preferring to be integrated in shares."""

    chart: ClassVar[str] = "shares"


class _NoInvariantFaces(ReplicatorDynamics):
    """Pretends not to keep faces invariant: the log-ratio chart must be refused."""

    facts: ClassVar[TheoryFacts] = TheoryFacts()
    chart: ClassVar[str] = "shares"


def test_integration_asks_the_dynamics_for_its_chart():
    game = classic.matching_pennies_3()
    default = gt.simulate(game, [0.5, 0.2, 0.3], (0, 5))
    assert default.coordinates == "log-ratio"
    shares = gt.simulate(_SharesReplicator(game), [0.5, 0.2, 0.3], (0, 5))
    assert shares.coordinates == "shares"
    explicit = gt.simulate(game, [0.5, 0.2, 0.3], (0, 5), coordinates="shares")
    np.testing.assert_array_equal(shares.y, explicit.y)
    ens = gt.simulate_many(_SharesReplicator(game), [0.5, 0.2, 0.3], (0, 5), backend="numpy")
    assert ens.coordinates == "shares"
    np.testing.assert_allclose(ens.final[0], shares.final, atol=1e-6)


def test_log_ratio_chart_needs_invariant_faces():
    dyn = _NoInvariantFaces(classic.matching_pennies_3())
    assert chart_of(dyn) == "shares"
    with pytest.raises(IntegrationError, match="needs invariant faces"):
        gt.simulate(dyn, [0.5, 0.2, 0.3], (0, 5), coordinates="log-ratio")
    with pytest.raises(IntegrationError, match="needs invariant faces"):
        gt.simulate_many(dyn, [0.5, 0.2, 0.3], (0, 5), coordinates="log-ratio")


def test_growth_target_equals_payoffs_for_the_replicator():
    dyn = crisis_governance.game().replicator()
    assert (
        dyn.compiled("growth", "scalar").source.replace("growth", "payoffs")
        == dyn.compiled("payoffs", "scalar").source
    )
