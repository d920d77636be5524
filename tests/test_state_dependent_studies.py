"""Studies and payoff-sign dynamics for games with state-dependent payoffs (issue 11, items 5, 6).

``gt.basins`` and ``gt.regime_map`` (replicator dynamics), the adjusted replicator and the
replicator-mutator, on the flagship's dynamic-accountability variant (penalty F_g (1 - x)) and
on textbook inspection games, checked against computations written here: brute-force
``solve_ivp`` from a grid of starts, hand-coded vector fields and vertex payoff differences.

Inspection game with conspicuous violation (firms x = share complying, inspectors y = share
inspecting; dynamic penalty P = F (1 - x); an unpunished violation gains g - h x^k, less the
more firms comply)::

                  inspect              skip
    comply        0 ; -c               0 ; 0
    violate       -P ; b - c           g - h x^k ; 0

    x' = x (1 - x) [y P - (1 - y)(g - h x^k)],     y' = y (1 - y) [b (1 - x) - c]

At (comply, skip) = (1, 0) the deviation gains are g - h (firms) and -c (inspectors): a
hyperbolic sink when h > g.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import sympy
from scipy.integrate import solve_ivp

import gametheory as gt
from gametheory.dynamics._bernstein import bernstein_coefficients, dense_coefficients
from gametheory.errors import ParameterError
from gametheory.figures import PENALTY_ONLY
from gametheory.models import crisis_governance as cg

FIRMS = {"firm": ["comply", "violate"], "inspector": ["inspect", "skip"]}
P0 = {"F": 2.0, "b": 2.0, "c": 1.0, "g": 1.0, "h": 2.0}
# the brute force integrates to t = 400 at rtol 1e-12: an end state within 1e-6 of a vertex has
# converged (the slowest rate at the sinks here is >= 0.1, so exp(-40) is far below it)
ODE = {"method": "DOP853", "rtol": 1e-12, "atol": 1e-14}


def conspicuous(k: int, shift: float = 0.0) -> gt.Game:
    s = f" + {shift}" if shift else ""
    table = {
        "comply,inspect": (f"0{s}", f"-c{s}"),
        "comply,skip": (f"0{s}", f"0{s}"),
        "violate,inspect": (f"-F*(1 - x){s}", f"b - c{s}"),
        "violate,skip": (f"g - h*x**{k}{s}", f"0{s}"),
    }
    return gt.Game.from_table(FIRMS, table, parameters=P0, state_dependent=True)


def hand_payoffs(x, y, k, F, b, c, g, h):
    """Expected payoffs (comply, violate ; inspect, skip) from the table above, by hand."""
    P = F * (1 - x)
    return (0.0, y * -P + (1 - y) * (g - h * x**k)), (x * -c + (1 - x) * (b - c), 0.0)


def hand_field(k, F, b, c, g, h):
    def field(_t, s):
        x, y = s
        (fc, fv), (fi, fs) = hand_payoffs(x, y, k, F, b, c, g, h)
        return [x * (1 - x) * (fc - fv), y * (1 - y) * (fi - fs)]

    return field


@pytest.mark.parametrize("k", [1, 2])
def test_basins_grid_matches_brute_force(k):
    res = gt.basins(conspicuous(k), resolution=6, t_span=(0.0, 200.0), backend="numpy")
    sink = res.outcomes.index("comply,skip")
    centres = (np.arange(6) + 0.5) / 6
    field = hand_field(k, **P0)
    for a, x in enumerate(centres):
        for b_, y in enumerate(centres):
            end = solve_ivp(field, (0.0, 400.0), [x, y], **ODE).y[:, -1]
            at_sink = abs(end[0] - 1) < 1e-6 and end[1] < 1e-6
            assert at_sink  # h > g: every grid start ends at (comply, skip) here
            assert res.grid.values[a, b_] == sink, (x, y, end)
    assert res.ess.values.tolist() == [o == "comply,skip" for o in res.outcomes[:-2]]
    assert "hyperbolic sinks" in res.data.attrs["vertex_theory"]


def test_vertex_payoff_differences_decide_ess():
    # at (comply, skip) the firms' deviation gain is g - h: an ESS (hyperbolic sink) iff h > g
    rm = gt.regime_map(conspicuous(2), {"h": [0.5, 2.0]}, n=0)
    assert rm.regime.values.tolist() == ["no ESS", "ESS comply,skip"]
    (threshold,) = [t for t in rm.thresholds["h"] if t.profile == ("comply", "skip")]
    assert threshold.value == pytest.approx(P0["g"])


def test_dynamic_accountability_basins_match_brute_force():
    """STATUS_QUO with F_g = 8 (bistable for the static penalty): the dynamic penalty keeps the
    bureaucratic corner and no cooperative corner; certified outcomes agree with solve_ivp."""
    game = cg.dynamic_accountability_game()
    res = gt.basins(game, PENALTY_ONLY, resolution=4, backend="numpy")
    dyn = game.replicator()
    centres = (np.arange(4) + 0.5) / 4
    bpi = res.outcomes.index("B,P,I")
    for idx in np.ndindex(4, 4, 4):
        x0 = centres[list(idx)]
        field = lambda _t, s: dyn.vector_field(np.clip(s, 0, 1), PENALTY_ONLY)  # noqa: E731 (overshoot past 0)
        end = solve_ivp(field, (0.0, 400.0), x0, **ODE).y[:, -1]
        at_origin = np.abs(end).max() < 1e-6
        assert (res.grid.values[idx] == bpi) == at_origin, (x0, end)
    assert res.share.sel(outcome="B,P,I") > 0.9
    # (1, 1, 1) is no longer a sink: at x = 1 the penalty is gone
    assert not bool(res.ess.sel(vertex="C,E,A"))


def test_dynamic_accountability_optimized_focus_is_not_certified():
    # the attractor is the stable focus (0.4, 0.082, 0), not a vertex: honestly "not certified"
    game = cg.dynamic_accountability_game()
    res = gt.basins(game, dict(cg.OPTIMIZED), n=64, backend="numpy")
    assert float(res.share.sel(outcome="not certified")) == 1.0
    dyn = game.replicator()
    end = solve_ivp(
        lambda _t, s: dyn.vector_field(np.clip(s, 0, 1), cg.OPTIMIZED), (0.0, 800.0), [0.5, 0.5, 0.5], **ODE
    )
    assert np.allclose(end.y[:, -1], [0.4, 0.082, 0.0], atol=2e-3)


def test_regime_map_on_dynamic_accountability():
    game = cg.dynamic_accountability_game()
    rm = gt.regime_map(game, {"F_g": [3.0, 8.0, 12.0]}, dict(cg.STATUS_QUO), n=8, backend="numpy")
    # by hand: at (0, 0, 0) the penalty F_g (1 - x) is F_g, so the government's deviation gain is
    # the static one, F_g theta - (C_g - R_g - L_g): (0, 0, 0) is a sink below F_g = (C_g - R_g - L_g) / theta
    p = cg.STATUS_QUO
    limit = (p["C_g"] - p["R_g"] - p["L_g"]) / p["theta"]
    assert [t.value for t in rm.thresholds["F_g"] if t.profile == ("B", "P", "I")] == [pytest.approx(limit)]
    assert rm.ess.sel(vertex="B,P,I").values.tolist() == [F < limit for F in (3.0, 8.0, 12.0)]
    assert rm.regime.values.tolist()[0] == "ESS B,P,I"
    assert not rm.ess.sel(vertex="C,E,A").values.any()


def test_other_dynamics_of_state_dependent_games_take_the_general_path():
    game = cg.dynamic_accountability_game()
    res = gt.basins(game.dynamics("logit", eta=0.5), dict(cg.OPTIMIZED), n=16, backend="numpy")
    # outcomes are the logit sinks found by analyze, certified by Lyapunov ellipsoids
    assert res.data.attrs["vertex_theory"].startswith("general dynamics")
    assert all(o.startswith("rest point") for o in res.outcomes[:-2])
    assert float(res.share.sum()) == pytest.approx(1.0)


# ------------------------------------------------------------- adjusted replicator, mutator
@pytest.mark.parametrize("k", [1, 2])
def test_adjusted_replicator_field_by_hand(k):
    game = conspicuous(k, shift=10.0)  # every payoff > 0 on the state box
    dyn = game.dynamics("adjusted_replicator")
    rng = np.random.default_rng(0)
    for x, y in rng.uniform(0, 1, (5, 2)):
        (fc, fv), (fi, fs) = hand_payoffs(x, y, k, **P0)
        fc, fv, fi, fs = fc + 10, fv + 10, fi + 10, fs + 10
        mx, my = x * fc + (1 - x) * fv, y * fi + (1 - y) * fs
        expected = [x * (fc - mx) / mx, y * (fi - my) / my]
        # payoffs O(10), double precision: 1e-12 is ~1e4 ulps of margin
        assert np.allclose(dyn.vector_field([x, y]), expected, rtol=0, atol=1e-12)


def test_replicator_mutator_field_by_hand():
    mu = 0.1
    game = conspicuous(2, shift=10.0)
    dyn = game.dynamics("replicator_mutator", mutation=mu)
    rng = np.random.default_rng(1)
    for x, y in rng.uniform(0, 1, (5, 2)):
        (fc, fv), (fi, fs) = hand_payoffs(x, y, 2, **P0)
        fc, fv, fi, fs = fc + 10, fv + 10, fi + 10, fs + 10
        mx, my = x * fc + (1 - x) * fv, y * fi + (1 - y) * fs
        expected = [
            x * fc * (1 - mu) + (1 - x) * fv * mu - mx * x,
            y * fi * (1 - mu) + (1 - y) * fs * mu - my * y,
        ]
        assert np.allclose(dyn.vector_field([x, y]), expected, rtol=0, atol=1e-12)


def test_adjusted_replicator_refuses_a_payoff_negative_at_a_state_corner():
    # shift 2, F = 1, h = 4: every payoff is >= 1 except violate,skip = 3 - 4 x^k, which is -1 at x = 1
    bad = {"F": 1.0, "h": 4.0}
    dyn = conspicuous(1, shift=2.0).dynamics("adjusted_replicator")
    with pytest.raises(
        ParameterError,
        match=r"'firm' at profile \('violate', 'skip'\) = .* is -1 at the state corner \(x = 1\)",
    ):
        dyn.vector_field([0.5, 0.5], bad)
    # degree 2: a Bernstein coefficient is named (exact corner value -1 again: the last coefficient)
    with pytest.raises(ParameterError, match=r"is -1 in its Bernstein coefficient \(2, 0\)"):
        conspicuous(2, shift=2.0).dynamics("adjusted_replicator").vector_field([0.5, 0.5], bad)
    conspicuous(2, shift=10.0).dynamics("adjusted_replicator").vector_field([0.5, 0.5], bad)


def test_replicator_mutator_warns_on_a_payoff_negative_somewhere():
    dyn = conspicuous(1).dynamics("replicator_mutator", mutation=0.1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        dyn.vector_field([0.5, 0.5])
    assert any("NegativePayoff" in type(w.message).__name__ for w in caught)


def test_bernstein_bounds_hold_on_random_polynomials():
    # the bound brackets the polynomial's values on the box (checked on a dense sample)
    rng = np.random.default_rng(2)
    x, y = sympy.symbols("x y")
    for _ in range(20):
        coeffs = rng.normal(size=(3, 2))
        expr = sum(coeffs[a, b] * x**a * y**b for a in range(3) for b in range(2))
        lo, hi = rng.uniform(-1, 0, 2), rng.uniform(0.1, 1, 2)
        dense = dense_coefficients({m: float(v) for m, v in sympy.Poly(expr, x, y).terms()}, (2, 1))
        b = bernstein_coefficients(dense, lo, hi)
        X, Y = np.meshgrid(np.linspace(lo[0], hi[0], 41), np.linspace(lo[1], hi[1], 41))
        vals = sum(coeffs[a, c] * X**a * Y**c for a in range(3) for c in range(2))
        assert b.min() <= vals.min() + 1e-12 and vals.max() <= b.max() + 1e-12
        # the corner coefficients are the corner values
        assert np.isclose(b[0, 0], vals[0, 0]) and np.isclose(b[-1, -1], vals[-1, -1])
