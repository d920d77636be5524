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


# --------------------------------------------------------------------------- log-shares (the attractor analysis)
@pytest.mark.parametrize("x0", [[0.2, 0.3, 0.5], [0.0, 0.4, 0.3], [0.6, 0.4, 1.0], [0.0, 0.0, 0.0]])
def test_chart_of_a_support_is_the_chart_of_a_state_on_that_face(x0):
    dyn = _three_by_two().replicator()
    of_state = LogRatioChart.on_face_of(dyn, x0)
    support = tuple(tuple(int(j) for j in np.flatnonzero(f > 0)) for f in dyn.full_shares(x0))
    of_face = LogRatioChart.on_face(dyn.game.strategy_counts, support)
    assert of_state.support == of_face.support == support
    np.testing.assert_array_equal(of_state.src, of_face.src)
    assert of_state.blocks == of_face.blocks
    assert [(b.offset, b.reference, b.m) for b in of_face.blocks] == [
        (0, support[0][-1], len(support[0]) - 1),
        (3, support[1][-1], len(support[1]) - 1),
    ]


def test_log_shares_in_and_out():
    """log_shares, states_from_log, u_of_log_shares and difference are one chart with states and u0."""
    dyn = _three_by_two().replicator()
    chart = LogRatioChart.on_face_of(dyn, [0.2, 0.3, 0.4])
    u = np.random.default_rng(2).normal(scale=3.0, size=(chart.m, 6))
    L = chart.log_shares(u)
    assert L.shape == (5, 6)
    np.testing.assert_allclose(np.exp(L[:3]).sum(axis=0), 1.0, rtol=1e-15)
    np.testing.assert_allclose(chart.states_from_log(L), chart.states(u), rtol=1e-14, atol=1e-16)
    np.testing.assert_allclose(chart.u_of_log_shares(L), u, rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(chart.u_of_log_shares(L[:, 0]), u[:, 0], rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(chart.difference(u, 0, 1), L[0] - L[1], rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(chart.difference(u[:, 0], 3, 4), L[3, 0] - L[4, 0], rtol=1e-13, atol=1e-13)
    # far below the smallest double, log-shares keep their precision; states underflow to 0
    deep = chart.log_shares(np.array([[-5000.0], [0.0], [2.0]]))
    assert (
        deep[0, 0] == pytest.approx(-5000.0 - np.log(2.0))
        and chart.states(np.array([[-5000.0], [0.0], [2.0]]))[0, 0] == 0.0
    )


def test_chart_faces_are_checked():
    with pytest.raises(gt.StateError, match="population 1"):
        LogRatioChart.on_face((3, 2), [(0, 2), ()])
    with pytest.raises(gt.StateError, match="not on the chart's face"):
        LogRatioChart.on_face((3, 2), [(0, 2), (1,)]).difference(np.zeros(1), 1, 2)


def test_attractor_analysis_integrates_the_one_chart_with_the_growth_rates():
    from gametheory.analysis.faces import _System

    dyn = crisis_governance.game().replicator()
    p = dyn.parameter_vector(crisis_governance.STATUS_QUO)
    system = _System(dyn, p)
    chart = system.chart(np.array([0.2, 0.5, 0.7]))
    assert isinstance(chart, LogRatioChart)
    u = np.array([0.3, -1.0, 2.0])
    expected = chart.rhs(dyn.compiled("growth", "scalar"), p)(0.0, u)
    np.testing.assert_array_equal(system.rhs(chart)(0.0, u), expected)
