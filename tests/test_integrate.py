"""Single-trajectory integration: accuracy against tight references, errors, reference cases."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp

import gametheory as gt
from gametheory import IntegrationError, StateError
from gametheory.models import crisis_governance


@pytest.fixture(scope="module")
def flagship():
    return crisis_governance.game().replicator()


def test_matches_independent_tight_reference(flagship):
    """Our compiled RHS + DOP853 at rtol 1e-8 vs a hand-written RHS under Radau at rtol 1e-12."""
    p = dict(crisis_governance.OPTIMIZED)

    def rhs(t, s):
        x, y, z = s
        dx = (
            p["R_g"]
            - p["C_g"]
            + (1 - p["lam"]) * (p["V_n"] * y + p["V_c"] * z)
            - p["S"] * y
            - p["W"] * z
            + p["s_g"] * y * z
            + p["F_g"] * (p["theta"] + (1 - p["theta"]) * z)
            + p["L_g"] * (1 - y) * (1 - z)
        )
        dy = (
            p["R_n"] * (p["mu"] + (1 - p["mu"]) * z)
            - p["C_n"] * (1 - p["tau"] * x)
            + p["S"] * x
            + p["s_n"] * x * z
            + p["F_n"] * x
            + p["K_n"] * z
        )
        dz = (
            p["R_c"] * (1 + p["b_g"] * x + p["b_n"] * y)
            - p["C_c"]
            + p["W"] * x
            + p["s_c"] * x * y
            + p["D_c"] * (1 - x) * (1 - y)
        )
        return [x * (1 - x) * dx, y * (1 - y) * dy, z * (1 - z) * dz]

    t_eval = np.linspace(0, 20, 41)
    for x0 in ([0.2, 0.3, 0.4], [0.8, 0.1, 0.3], [0.05, 0.9, 0.05]):
        ref = solve_ivp(rhs, (0, 20), x0, method="Radau", rtol=1e-12, atol=1e-14, t_eval=t_eval)
        ours = flagship.simulate(x0, (0, 20), p, t_eval=t_eval)
        # rtol 1e-8 local control; global error stays below ~1e-7 on this contracting flow
        np.testing.assert_allclose(ours.y, ref.y, atol=1e-7)


def test_trajectory_is_frozen_and_named(flagship):
    tr = flagship.simulate([0.5, 0.5, 0.5], (0, 5), crisis_governance.STATUS_QUO, t_eval=[0, 1, 5])
    assert tr.y.shape == (3, 3) and tr.t.tolist() == [0, 1, 5]
    np.testing.assert_array_equal(tr["y"], tr.y[1])
    with pytest.raises(AttributeError):
        tr.method = "x"
    with pytest.raises(ValueError):
        tr.y[0, 0] = 1.0
    with pytest.raises(StateError, match="did you mean 'x'"):
        tr["X"]
    assert tr.success and tr.status == 0 and tr.max_excursion <= 1e-9


def test_reference_case_wang_converges_to_000(wang):
    game, params, doc = wang
    dyn = game.replicator()
    for x0 in doc["initial_states"]:
        tr = dyn.simulate(x0, (0, doc["t_end"]), params)
        np.testing.assert_allclose(tr.final, [0, 0, 0], atol=1e-6)


def test_reference_case_jordan_does_not_converge(jordan):
    """Jordan (1993): trajectories shadow the heteroclinic cycle; they keep moving between corners."""
    game, params, doc = jordan
    dyn = game.replicator()
    tr = dyn.simulate([0.55, 0.5, 0.5], (0, doc["t_end"]), params, t_eval=np.linspace(0, doc["t_end"], 4001))
    late = tr.y[:, tr.t > 100]
    # every coordinate still visits both ends of [0, 1] late in the run: no convergence
    assert np.all(late.max(axis=1) > 0.99) and np.all(late.min(axis=1) < 0.01)


@pytest.mark.parametrize(
    "kwargs, error, fragment",
    [
        ({"t_span": (5, 0)}, IntegrationError, "empty or reversed"),
        ({"t_span": (0, 0)}, IntegrationError, "empty or reversed"),
        ({"t_span": (0, float("inf"))}, IntegrationError, "finite"),
        ({"t_span": "abc"}, IntegrationError, "two numbers"),
        ({"t_eval": [0, 20]}, IntegrationError, "within t_span"),
        ({"t_eval": [2, 1]}, IntegrationError, "strictly increasing"),
        ({"method": "Euler"}, IntegrationError, "unknown method"),
        ({"rtol": -1}, IntegrationError, "rtol must be"),
        ({"x0": [0.5, 0.5]}, StateError, "shape"),
        ({"x0": [1.5, 0.5, 0.5]}, StateError, "sum to"),
    ],
)
def test_simulate_errors(flagship, kwargs, error, fragment):
    args = {"x0": [0.5, 0.5, 0.5], "t_span": (0, 10)} | kwargs
    with pytest.raises(error, match=fragment):
        flagship.simulate(args.pop("x0"), args.pop("t_span"), crisis_governance.STATUS_QUO, **args)


def test_overflow_is_reported_clearly():
    """Payoffs of 1e300 overflow double precision; the error names the parameters and the start."""
    g = gt.Game.from_table(
        {"r": ["a", "b"], "c": ["a", "b"]},
        {(s, t): ("k" if s == "a" else "0", "0") for s in "ab" for t in "ab"},
    )
    dyn = g.replicator()
    for coordinates in ("log-ratio", "shares"):
        with pytest.raises(IntegrationError, match=r"overflow.*x0 = \[0.5, 0.5\].*'k': 1e\+300"):
            gt.simulate(dyn, [0.5, 0.5], (0, 10), {"k": 1e300}, coordinates=coordinates)
    tr = gt.simulate(dyn, [0.5, 0.5], (0, 10), {"k": 1.0})
    assert tr.success and tr.final[0] > 0.99


def test_vertex_start_is_a_rest_point():
    dyn = crisis_governance.game().replicator()
    tr = dyn.simulate([1, 0, 1], (0, 10), crisis_governance.STATUS_QUO, t_eval=[0, 5, 10])
    np.testing.assert_array_equal(tr.y, np.array([[1, 1, 1], [0, 0, 0], [1, 1, 1]]))


def test_boundary_start_stays_on_its_face():
    dyn = crisis_governance.game().replicator()
    tr = dyn.simulate([0.5, 0.0, 0.3], (0, 50), crisis_governance.OPTIMIZED)
    assert np.all(tr.y[1] == 0)
    shares = dyn.simulate([0.5, 0.0, 0.3], (0, 50), crisis_governance.OPTIMIZED, coordinates="shares")
    np.testing.assert_allclose(tr.final, shares.final, atol=1e-7)


def test_stiff_problem_falls_back_to_radau():
    """Near the sink (0, 0) the shares decay at rates 1e6 and 1: stiff for an explicit method.

    In share coordinates DOP853 exceeds its evaluation budget and Radau takes over; in
    log-ratio coordinates the same flow is u' = (-1e6, -1), a constant drift, and DOP853
    needs a handful of steps.  Both must end at the sink.
    """
    g = gt.Game.from_table(
        {"r": ["a", "b"], "c": ["a", "b"]},
        {(s, t): ("0" if s == "a" else "k", "0" if t == "a" else "1") for s in "ab" for t in "ab"},
    )
    dyn = g.replicator()
    shares = gt.simulate(dyn, [0.5, 0.5], (0, 1e3), {"k": 1e6}, coordinates="shares", stiff_budget=20_000)
    assert shares.method == "Radau (stiff fallback)"
    assert shares.success and shares.max_excursion < 1e-6
    np.testing.assert_allclose(shares.final, [0, 0], atol=1e-9)
    logit = gt.simulate(dyn, [0.5, 0.5], (0, 1e3), {"k": 1e6}, stiff_budget=20_000)
    assert logit.method == "DOP853" and logit.nfev < 1_000
    np.testing.assert_allclose(logit.final, [0, 0], atol=1e-300)


def test_long_horizon(flagship):
    tr = flagship.simulate([0.3, 0.6, 0.2], (0, 1e4), crisis_governance.OPTIMIZED)
    np.testing.assert_allclose(tr.final, [1, 1, 1], atol=1e-9)
    assert tr.max_excursion < 1e-6


def test_trajectory_result_protocol(flagship):
    pd = pytest.importorskip("pandas")
    tr = flagship.simulate([0.5, 0.5, 0.5], (0, 5), crisis_governance.STATUS_QUO, t_eval=[0, 2, 5])
    text = tr.summary()
    assert "Trajectory of x, y, z over t in [0, 5]" in text and "final state" in text
    assert tr._repr_markdown_().startswith("**Trajectory") and tr._repr_html_().startswith("<div>")
    frame = tr.to_frame()
    assert isinstance(frame, pd.DataFrame) and list(frame.columns) == ["t", "coordinate", "value"]
    assert len(frame) == 9 and frame["coordinate"].tolist()[:3] == ["x", "x", "x"]
    np.testing.assert_array_equal(frame["value"].to_numpy()[3:6], tr["y"])
    with pytest.raises(TypeError):
        tr.params["C_g"] = 0.0
    assert tr.params["C_g"] == crisis_governance.STATUS_QUO["C_g"]
    ax = tr.plot()
    assert len(ax.get_lines()) == 3
