"""gt.attractors: what trajectories approach, checked against independent facts.

Independent references used here:
- Jordan (1993) three-player matching pennies (reference case): corner sequence
  000->001->011->111->110->100->000 and dwell ratio -> golden ratio; switching times
  recomputed by a hand-written log-ratio system under scipy DOP853 at rtol 1e-12.
- An inspection game: analytic centre, linearised period 2*pi/omega, conserved quantity
  H, and a DOP853 (rtol 1e-12) period in share coordinates.
- The flagship and Wang et al. (2023): corner eigenvalues from the published payoff
  differences (written out by hand here), and scipy DOP853 trajectories in share coordinates.
- A degenerate game with an edge of rest points whose limit is known in closed form.
- A planar Hopf normal form (white-box: the limit-cycle test on a field that real games
  cannot produce, since their flow preserves volume in log-ratio coordinates).
"""

from __future__ import annotations

import dataclasses
import importlib
import itertools
import math

import numpy as np
import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from scipy.integrate import solve_ivp
from scipy.optimize import brentq

import gametheory as gt
from gametheory.analysis.attractors import AttractorKind, AttractorReport, attractors
from gametheory.errors import IntegrationError, ParameterError, StateError
from gametheory.models import crisis_governance
from gametheory.testing import payoff_tables

# the module itself (``import gametheory.analysis.attractors as attr`` would give the function of that name,
# which the package binds over the submodule)
attr = importlib.import_module("gametheory.analysis.attractors")

GOLDEN = (1 + math.sqrt(5)) / 2


# --------------------------------------------------------------------------- helpers
def _sigmoid(u):
    return 0.5 * (1 + np.tanh(0.5 * u))


def _reference_shares(dyn, x0, t_end, params=None):
    """Independent trajectory: the replicator equation in share coordinates, DOP853 at rtol 1e-10."""
    p = dyn.parameter_vector(params)
    rhs = dyn.compiled("rhs")
    sol = solve_ivp(
        lambda t, x: rhs(x[:, None], p[:, None])[:, 0],
        (0, t_end),
        np.asarray(x0, float),
        method="DOP853",
        rtol=1e-10,
        atol=1e-14,
    )
    assert sol.success
    return sol


def _table_advantages(game, profile_idx, params=None):
    """Payoff advantages f_ij - f_i,s_i at a vertex, straight from the payoff table (population order)."""
    values = dict(game.defaults)
    values.update(params or {})
    subs = {game.parameter(n).symbol: v for n, v in values.items()}
    out = []
    for i, pop in enumerate(game.populations):
        own = float(game.payoff(profile_idx, i).subs(subs))
        for j in range(pop.size):
            if j != profile_idx[i]:
                dev = list(profile_idx)
                dev[i] = j
                out.append(float(game.payoff(tuple(dev), i).subs(subs)) - own)
    return out


@pytest.fixture(scope="module")
def inspection():
    """Inspector (I)nspects or (N)ot; inspectee (V)iolates or (C)omplies.

    Delta_x = l*y - c, Delta_y = g - (g + f)*x: centre at (x*, y*) = (g/(g+f), c/l).
    """
    return gt.Game.from_table(
        {"inspector": ["I", "N"], "inspectee": ["V", "C"]},
        {("I", "V"): ("-c", "-f"), ("I", "C"): ("-c", "0"), ("N", "V"): ("-l", "g"), ("N", "C"): ("0", "0")},
        {"c": 1.0, "l": 4.0, "g": 2.0, "f": 2.0},
        name="inspection game",
    )


# --------------------------------------------------------------------------- Jordan (1993)
def _jordan_delta(doc):
    """Delta_i(x) = f_i(first) - f_i(second) from the JSON payoff table, as a numpy function."""
    table = {tuple(int(b) for b in k.strip("()").split(",")): v for k, v in doc["payoffs"].items()}
    a = float(doc["parameters"]["a"])
    value = {"a": a, "-a": -a}

    def delta(x):
        out = np.zeros(3)
        for i in range(3):
            others = [k for k in range(3) if k != i]
            for bits in itertools.product((0, 1), repeat=2):
                prob = np.prod([x[k] if b else 1 - x[k] for k, b in zip(others, bits)])
                hi = [0, 0, 0]
                lo = [0, 0, 0]
                for k, b in zip(others, bits):
                    hi[k] = lo[k] = b
                hi[i], lo[i] = 1, 0
                out[i] += prob * (value[table[tuple(hi)][i]] - value[table[tuple(lo)][i]])
        return out

    return delta


@pytest.fixture(scope="module")
def jordan_report(jordan):
    game, params, doc = jordan
    return attractors(game, params, starts=doc["initial_states"])


def test_jordan_is_a_heteroclinic_cycle_with_the_published_corner_order(jordan, jordan_report):
    game, _, doc = jordan
    dyn = game.replicator()
    expected = ["000", "001", "011", "111", "110", "100"]  # Jordan (1993); reference-case notes
    moving = jordan_report.outcomes[:3]  # the fourth start is the Nash equilibrium itself
    for outcome in moving:
        assert outcome.kind is AttractorKind.HETEROCLINIC_CYCLE, outcome.evidence
        bits = ["".join(str(int(v)) for v in dyn.vertex(c)) for c in outcome.corners]
        assert bits == expected
        assert outcome.label == "heteroclinic cycle 000 → 001 → 011 → 111 → 110 → 100 → 000"
        # The log-distances of successive visits follow l_{k+1} = l_k + l_{k-1} (the corners' eigenvalues
        # are all +-2a), so dwell ratios tend to the golden ratio; the transient shrinks by 1/phi^2 per
        # visit and is below 1e-6 after the >= 24 visits followed, integration errors ~1e-9.
        assert outcome.dwell_ratio == pytest.approx(GOLDEN, rel=1e-5)
        # never "converged": the final state is close to a corner, yet it is a visit
        assert min(np.abs(outcome.final - dyn.vertex(c)).max() for c in outcome.corners) < 1e-6
    assert jordan_report.share(AttractorKind.REST_POINT) == pytest.approx(0.25)
    assert jordan_report.share("heteroclinic cycle") == pytest.approx(0.75)


def test_jordan_dwell_times_match_an_independent_log_ratio_integration(jordan, jordan_report):
    """Switching times from a hand-written u' = Delta(sigmoid(u)) under DOP853 at rtol 1e-12, with events."""
    _, _, doc = jordan
    delta = _jordan_delta(doc)
    outcome = jordan_report.outcomes[1]
    x0 = np.array(doc["initial_states"][1], float)
    events = [lambda t, u, i=i: u[i] for i in range(3)]
    sol = solve_ivp(
        lambda t, u: delta(_sigmoid(u)),
        (0, outcome.t_end),
        np.log(x0 / (1 - x0)),
        method="DOP853",
        rtol=1e-12,
        atol=1e-12,
        events=events,
    )
    switches = np.sort(np.concatenate(sol.t_events))
    dwell = np.diff(switches)
    ours = np.array(outcome.dwell_times)
    # Same trajectory, same visit definition (a switch = some u_i crossing 0): the last completed visits
    # agree to the accuracy of the two integrations (relative 1e-10 and 1e-12 on u; visits are long).
    np.testing.assert_allclose(ours, dwell[-len(ours) :], rtol=1e-6)
    assert len(ours) == 24  # four rounds of six corners


def test_jordan_nash_equilibrium_start_is_an_unstable_rest_point(jordan_report):
    outcome = jordan_report.outcomes[3]
    assert outcome.kind is AttractorKind.REST_POINT
    np.testing.assert_allclose(outcome.point, [0.5, 0.5, 0.5], atol=1e-12)
    # reference case: eigenvalues -a and a(1/2 +- i sqrt(3)/2), a = 1
    expected = np.array([-1, 0.5 + 0.5j * math.sqrt(3), 0.5 - 0.5j * math.sqrt(3)])
    np.testing.assert_allclose(np.sort_complex(outcome.eigenvalues), np.sort_complex(expected), atol=1e-12)
    assert "unstable" in outcome.evidence and "start is a rest point" in outcome.evidence


# --------------------------------------------------------------------------- inspection game: neutral cycles
def test_inspection_small_orbit_period_is_the_linearised_period(inspection):
    c, l, g, f = 1.0, 4.0, 2.0, 2.0
    xs, ys = g / (g + f), c / l
    omega = math.sqrt(xs * (1 - xs) * l * ys * (1 - ys) * (g + f))  # J = [[0, x(1-x)l], [-y(1-y)(g+f), 0]]
    eps = 1e-3
    rep = attractors(inspection, starts=[[xs + eps, ys]])
    outcome = rep.outcomes[0]
    assert outcome.kind is AttractorKind.NEUTRAL_CYCLE, outcome.evidence
    # the period of a centre's orbits differs from 2*pi/omega by O(amplitude^2) ~ 1e-6 here
    assert outcome.period == pytest.approx(2 * math.pi / omega, rel=1e-4)
    # time averages over a closed orbit equal the interior rest point (u' = Delta affine in the
    # other population's share, integrated over one period); the 512-sample mean is spectrally exact
    np.testing.assert_allclose(outcome.point, [xs, ys], atol=1e-9)
    # the orbit's extreme x lie on y = y* and solve H(x, y*) = H(x*+eps, y*) (H conserved, see below)
    h0 = _inspection_H(xs + eps, ys)
    x_lo = brentq(lambda x: _inspection_H(x, ys) - h0, xs - 2 * eps, xs)
    assert outcome.amplitude[0] == pytest.approx((xs + eps - x_lo) / 2, rel=1e-6)
    assert outcome.label == "neutral cycles around (0.5, 0.25)"


def _inspection_H(x, y, c=1.0, l=4.0, g=2.0, f=2.0):
    """Conserved: d/dt[x* ln x + (1-x*) ln(1-x)] = (x* - x) Delta_x = -l (x - x*)(y - y*), and
    d/dt[y* ln y + (1-y*) ln(1-y)] = (y* - y) Delta_y = (g+f)(x - x*)(y - y*)."""
    xs, ys = g / (g + f), c / l
    return (g + f) * (xs * np.log(x) + (1 - xs) * np.log(1 - x)) + l * (
        ys * np.log(y) + (1 - ys) * np.log(1 - y)
    )


def test_inspection_large_orbit_against_dop853_and_the_conserved_quantity(inspection):
    x0 = np.array([0.95, 0.25])
    rep = attractors(inspection, starts=[x0])
    outcome = rep.outcomes[0]
    assert outcome.kind is AttractorKind.NEUTRAL_CYCLE
    assert "closes too" in outcome.evidence and outcome.drift < 1e-6
    # independent period: upward crossings of y = y* in share coordinates, DOP853 at rtol 1e-12
    dyn = inspection.replicator()
    p = dyn.parameter_vector(None)
    rhs = dyn.compiled("rhs")
    event = lambda t, x: x[1] - 0.25  # noqa: E731
    event.direction = 1
    sol = solve_ivp(
        lambda t, x: rhs(x[:, None], p[:, None])[:, 0], (0, 3 * outcome.period), x0, method="DOP853",
        rtol=1e-12, atol=1e-14, events=event,
    )  # fmt: skip
    crossings = sol.t_events[0]
    assert outcome.period == pytest.approx(np.diff(crossings).mean(), rel=1e-7)
    # amplitude in x: the orbit's extreme x lie on y = y* and solve H(x, y*) = H(x0, y0)
    h0 = _inspection_H(*x0)
    x_hi = brentq(lambda x: _inspection_H(x, 0.25) - h0, 0.5, 1 - 1e-15)
    x_lo = brentq(lambda x: _inspection_H(x, 0.25) - h0, 1e-15, 0.5)
    assert x_hi == pytest.approx(0.95, abs=1e-12)  # the start is where x is largest
    assert outcome.amplitude[0] == pytest.approx((x_hi - x_lo) / 2, rel=1e-7)


def test_flagship_face_without_citizens_has_neutral_cycles():
    """OPTIMIZED restricted to the face z = 0 (inactive citizens) is a 2x2 game with a centre.

    On z = 0: Dx = R_g - C_g + F_g theta + L_g + ((1-lam) V_n - S - L_g) y and
    Dy = R_n mu - C_n + (C_n tau + S + F_n) x, so the face rest point is
    x* = (C_n - R_n mu) / (C_n tau + S + F_n), y* = (R_g - C_g + F_g theta + L_g) / (L_g + S - (1-lam) V_n).
    """
    q = crisis_governance.OPTIMIZED
    xs = (q["C_n"] - q["R_n"] * q["mu"]) / (q["C_n"] * q["tau"] + q["S"] + q["F_n"])
    ys = (q["R_g"] - q["C_g"] + q["F_g"] * q["theta"] + q["L_g"]) / (
        q["L_g"] + q["S"] - (1 - q["lam"]) * q["V_n"]
    )
    rep = attractors(crisis_governance.game(), q, starts=[[0.3, 0.3, 0.0]])
    outcome = rep.outcomes[0]
    assert outcome.kind is AttractorKind.NEUTRAL_CYCLE
    np.testing.assert_allclose(outcome.point, [xs, ys, 0.0], atol=1e-9)
    assert outcome.final[2] == 0.0  # faces are invariant: citizens stay inactive


def test_cycle_on_a_face_approached_from_the_interior():
    """A third population with a dominated strategy leaves an inspection game on the face z = 0.

    The inspector's cost depends on z (Delta_x = l y - c + k z), so the (x, y) orbit drifts while z
    decays, then settles on one closed orbit of the face: neutral, around the face's centre (1/2, 1/4, 0).
    """
    rows = {}
    for s3, extra, own in (("E", " + k", "-1"), ("F", "", "0")):
        rows[("I", "V", s3)] = (f"-c{extra}", "-f", own)
        rows[("I", "C", s3)] = (f"-c{extra}", "0", own)
        rows[("N", "V", s3)] = ("-l", "g", own)
        rows[("N", "C", s3)] = ("0", "0", own)
    game = gt.Game.from_table(
        {"inspector": ["I", "N"], "inspectee": ["V", "C"], "third": ["E", "F"]},
        rows,
        {"c": 1.0, "l": 4.0, "g": 2.0, "f": 2.0, "k": 0.5},
    )
    rep = attractors(game, starts=[[0.7, 0.3, 0.6]])
    outcome = rep.outcomes[0]
    assert outcome.kind is AttractorKind.NEUTRAL_CYCLE, outcome.evidence
    assert "face (I|N, V|C, F)" in outcome.evidence
    np.testing.assert_allclose(outcome.point, [0.5, 0.25, 0.0], atol=1e-9)

    # the limiting orbit is a closed orbit of the face's own dynamics (the inspection game, z = 0):
    # u1' = l y - c, u2' = g - (g + f) x; its period from upward crossings of y = y* (DOP853, rtol 1e-12)
    def face(t, u):
        x, y = _sigmoid(u)
        return [4.0 * y - 1.0, 2.0 - 4.0 * x]

    event = lambda t, u: u[1] - math.log(0.25 / 0.75)  # noqa: E731
    event.direction = 1
    u0 = np.log(outcome.final[:2] / (1 - outcome.final[:2]))
    sol = solve_ivp(face, (0, 4 * outcome.period), u0, method="DOP853", rtol=1e-12, atol=1e-12, events=event)
    assert outcome.period == pytest.approx(np.diff(sol.t_events[0]).mean(), rel=1e-8)


# --------------------------------------------------------------------------- convergence, certified
def test_flagship_status_quo_all_starts_go_to_BPI():
    game = crisis_governance.game()
    q = crisis_governance.STATUS_QUO
    rep = attractors(game, q, n=16, seed=3)
    assert rep.labels == ("rest point (B, P, I) = (0, 0, 0)",) * 16
    assert all(o.certified for o in rep.outcomes)
    # eigenvalues at (0,0,0) from the model's published payoff differences, written out by hand:
    # Dx(0,0) = R_g - C_g + F_g theta + L_g, Dy(0,0) = R_n mu - C_n, Dz(0,0) = R_c - C_c + D_c
    expected = [
        q["R_g"] - q["C_g"] + q["F_g"] * q["theta"] + q["L_g"],
        q["R_n"] * q["mu"] - q["C_n"],
        q["R_c"] - q["C_c"] + q["D_c"],
    ]
    for o in rep.outcomes:
        np.testing.assert_allclose(o.eigenvalues.real, expected, atol=1e-12)
        # followed until every non-played share < 1e-12: slopes equal eigenvalues up to O(1e-12 * payoffs)
        np.testing.assert_allclose(o.rates, expected, atol=1e-9)
    dyn = game.replicator()
    for o in rep.outcomes[:3]:
        sol = _reference_shares(dyn, o.start, 60.0, q)
        assert np.abs(sol.y[:, -1]).max() < 1e-6


def test_flagship_optimized_all_starts_go_to_CEA():
    game = crisis_governance.game()
    q = crisis_governance.OPTIMIZED
    rep = attractors(game, q, n=16, seed=3)
    assert set(rep.labels) == {"rest point (C, E, A) = (1, 1, 1)"}
    assert all(o.certified for o in rep.outcomes)
    assert rep.shares == {"rest point (C, E, A) = (1, 1, 1)": 1.0}
    # at (1,1,1) the eigenvalues are minus the payoff differences Dx(1,1), Dy(1,1), Dz(1,1)
    # Dx(1,1): the L_g terms cancel (L_g - L_g (y + z - y z) = 0 at y = z = 1)
    dx11 = q["R_g"] - q["C_g"] + q["F_g"] * q["theta"] + (1 - q["lam"]) * (q["V_n"] + q["V_c"])
    dx11 += -q["S"] - q["W"] + (1 - q["theta"]) * q["F_g"] + q["s_g"]
    dy11 = q["R_n"] * q["mu"] - q["C_n"] + q["C_n"] * q["tau"] + q["S"] + q["F_n"]
    dy11 += (1 - q["mu"]) * q["R_n"] + q["K_n"] + q["s_n"]
    # Dz(1,1) = R_c - C_c + D_c + (R_c b_g + W - D_c) + (R_c b_n - D_c) + (s_c + D_c)
    dz11 = q["R_c"] * (1 + q["b_g"] + q["b_n"]) - q["C_c"] + q["W"] + q["s_c"]
    np.testing.assert_allclose(rep.outcomes[0].eigenvalues.real, [-dx11, -dy11, -dz11], atol=1e-12)
    dyn = game.replicator()
    for o in rep.outcomes[:3]:
        sol = _reference_shares(dyn, o.start, 60.0, q)
        assert np.abs(sol.y[:, -1] - 1).max() < 1e-6


def test_wang_scenario_1_goes_to_000(wang):
    game, params, doc = wang
    rep = attractors(game, params, n=8)
    assert set(rep.labels) == {"rest point (s2, s2, s2) = (0, 0, 0)"}
    assert all(o.certified for o in rep.outcomes)
    # reference case: corner eigenvalues (-3.15, -6.5, -10)
    np.testing.assert_allclose(rep.outcomes[0].eigenvalues.real, [-3.15, -6.5, -10], atol=1e-9)


# --------------------------------------------------------------------------- continua of rest points
def test_edge_of_rest_points_and_the_exact_limit():
    """Delta_x = 1 - y, Delta_y = 1: y -> 1 and every point of the edge y = 1 is a rest point.

    In log-ratio coordinates u2 = u2(0) + t and u1' = 1/(1 + e^{u2}), so
    u1(inf) = u1(0) + ln(1 + e^{-u2(0)}) = u1(0) - ln y0: the limit satisfies x/(1-x) = x0/((1-x0) y0).
    """
    game = gt.Game.from_table(
        {"P1": ["A", "B"], "P2": ["C", "D"]},
        {("A", "C"): (0, 1), ("A", "D"): (1, 0), ("B", "C"): (0, 1), ("B", "D"): (0, 0)},
    )
    rep = attractors(game, n=4)
    assert len(rep.attractors) == 1  # one continuum, whatever point of it each start reaches
    for o in rep.outcomes:
        assert o.kind is AttractorKind.REST_POINT_SET, o.evidence
        x0, y0 = o.start
        odds = x0 / (1 - x0) / y0
        # reported once within 1e-6 of the edge; what x still moves afterwards is below 1e-6 / 4
        assert o.point[0] == pytest.approx(odds / (1 + odds), abs=1e-6)
        assert o.point[1] == 1.0
        np.testing.assert_allclose(np.sort(o.eigenvalues.real), [-1.0, 0.0], atol=1e-9)
    assert len({o.point[0] for o in rep.outcomes}) == 4  # different limits on the same edge


# --------------------------------------------------------------------------- limit cycles (white-box)
def test_limit_cycle_detector_on_a_hopf_normal_form():
    """Replace the growth rates of a 2x2 game by a field with a known limit cycle (in u coordinates):

    u1' = -u2 + a u1 (1 - r^2), u2' = u1 + a u2 (1 - r^2): the unit circle, period 2 pi (angular
    speed exactly 1), Floquet multiplier exp(-4 pi a).  Real games cannot do this (their flow
    preserves volume in log-ratio coordinates), so this checks the classifier itself.
    """
    game = gt.Game.from_table(
        {"P1": ["A", "B"], "P2": ["C", "D"]},
        {("A", "C"): (1, 0), ("A", "D"): (0, 1), ("B", "C"): (0, 1), ("B", "D"): (1, 0)},
    )
    dyn = game.replicator()
    system = attr._System(dyn, dyn.parameter_vector(None))
    a = 0.05

    def hopf(x):
        u1, u2 = math.log(x[0] / (1 - x[0])), math.log(x[1] / (1 - x[1]))
        r2 = u1 * u1 + u2 * u2
        return [-u2 + a * u1 * (1 - r2), 0.0, u1 + a * u2 * (1 - r2), 0.0]

    def hopf_growth(x, p, out):  # the scalar flavour of compiled growth rates fills ``out``
        out[:] = hopf(x)

    system.growth_scalar = hopf_growth
    opts = attr._Options(t_end=400.0, first_chunk=20.0, rtol=1e-10, atol=1e-12, cycle_tol=1e-6)
    outcome = attr._Follow(system, 0, np.array([0.9, 0.5]), opts).run()
    assert outcome.kind is AttractorKind.LIMIT_CYCLE, outcome.evidence
    assert outcome.period == pytest.approx(2 * math.pi, rel=1e-9)
    half_range = (_sigmoid(1.0) - _sigmoid(-1.0)) / 2
    # the trajectory is within ~1e-7 of the cycle (it contracts by 0.53 per period)
    np.testing.assert_allclose(outcome.amplitude, [half_range, half_range], rtol=1e-5)
    # estimated from a 1 % perturbation: the radial dynamics is nonlinear at that scale (error ~1 %)
    assert outcome.multiplier == pytest.approx(math.exp(-4 * math.pi * a), rel=0.03)


# --------------------------------------------------------------------------- property tests
@given(tables=payoff_tables((2, 2, 2)), data=st.data())
def test_random_2x2x2_games_outcomes_check_out_independently(tables, data):
    """For random integer 2x2x2 games, whatever is reported is checked against the payoff table and an
    independent integration (a hand-written u' = Delta(sigmoid(u)) from the raw table, DOP853 at
    rtol 1e-12; log-ratios keep their precision near the boundary, share coordinates do not):

    - certified convergence only to strict equilibria, eigenvalues = the table's payoff differences,
      and the independent trajectory ends at that vertex;
    - other rest points (continua included) are zeros of the vector field, with no eigenvalue of
      positive real part, and the independent trajectory ends there;
    - a neutral cycle's final state returns to itself after one reported period;
    - heteroclinic corners are saddles, left along a positive payoff advantage;
    - never a limit cycle: the flow preserves volume in log-ratio coordinates (Liouville).
    """
    pops, payoffs = tables
    game = gt.Game.from_table(pops, payoffs)
    dyn = game.replicator()
    x0 = np.array([data.draw(st.floats(0.02, 0.98)) for _ in range(3)])
    rep = attractors(game, starts=[x0])
    o = rep.outcomes[0]
    event(o.kind.value + (" (certified)" if o.certified else ""))
    assert o.kind is not AttractorKind.LIMIT_CYCLE
    if o.kind is AttractorKind.REST_POINT and o.certified:
        idx = game.profile_indices(o.profile)
        adv = _raw_advantages(pops, payoffs, idx)
        assert max(adv) < 0  # a strict Nash equilibrium
        np.testing.assert_allclose(o.eigenvalues.real, adv, atol=1e-12)
        np.testing.assert_allclose(o.rates, adv, atol=1e-9)
        assert np.abs(_raw_final(pops, payoffs, x0, o.t_end) - dyn.vertex(o.profile)).max() < 1e-6
    elif o.kind in (AttractorKind.REST_POINT, AttractorKind.REST_POINT_SET):
        assert np.abs(dyn.vector_field(o.point)).max() < 1e-10
        rate = max(
            abs(a)
            for prof in itertools.product((0, 1), repeat=3)
            for a in _raw_advantages(pops, payoffs, prof)
        )
        assert o.eigenvalues.real.max() <= 1e-6 * rate
        # the reported limit is within 1e-6 of the final state; the two integrations differ by far less
        assert np.abs(_raw_final(pops, payoffs, x0, o.t_end) - o.point).max() < 1e-5
    elif o.kind is AttractorKind.NEUTRAL_CYCLE:
        # one reported period of the hand-written log-ratio system from the final state returns to it, in
        # the coordinates not within e^-20 of the boundary (those may be going extinct: their population
        # leaves the cycle's face); log-ratios keep the relative precision share coordinates lose there
        with np.errstate(divide="ignore"):
            u0 = np.log(o.final) - np.log1p(-o.final)
        u0 = np.clip(u0, -40, 40)  # a share rounded to 0 or 1: far outside the checked coordinates
        delta = _raw_delta(pops, payoffs)
        sol = solve_ivp(
            lambda t, u: delta(_sigmoid(u)), (0, o.period), u0, method="DOP853", rtol=1e-12, atol=1e-12
        )
        inner = np.abs(u0) < 20
        np.testing.assert_allclose(sol.y[inner, -1], u0[inner], atol=1e-6)
    elif o.kind is AttractorKind.HETEROCLINIC_CYCLE:
        assert o.dwell_ratio > 1
        # dwell times = intervals between sign changes of some u_i = ln(x_i/(1-x_i)), recomputed with a
        # hand-written u' = Delta(sigmoid(u)) from the raw table (DOP853, rtol 1e-12, events)
        delta = _raw_delta(pops, payoffs)
        sol = solve_ivp(
            lambda t, u: delta(_sigmoid(u)),
            (0, o.t_end),
            np.log(x0 / (1 - x0)),
            method="DOP853",
            rtol=1e-12,
            atol=1e-12,
            events=[lambda t, u, i=i: u[i] for i in range(3)],
        )
        dwell = np.diff(np.sort(np.concatenate(sol.t_events)))
        np.testing.assert_allclose(o.dwell_times, dwell[-len(o.dwell_times) :], rtol=1e-5)
        m = len(o.corners)
        for k in range(m):
            here, nxt = game.profile_indices(o.corners[k]), game.profile_indices(o.corners[(k + 1) % m])
            assert max(_raw_advantages(pops, payoffs, here)) > 0  # a saddle, never a limit
            (i,) = [i for i in range(3) if here[i] != nxt[i]]
            assert (
                _raw_advantages(pops, payoffs, here)[i] > 0
            )  # two strategies each: one advantage per population


def _raw_delta(pops, payoffs):
    """Delta_i(x) = f_i(first) - f_i(second) for three 2-strategy populations, from the raw table."""
    names = list(pops.values())
    P = np.zeros((3, 2, 2, 2))
    for prof in itertools.product((0, 1), repeat=3):
        P[(slice(None), *prof)] = [float(v) for v in payoffs[tuple(names[k][j] for k, j in enumerate(prof))]]
    D0 = P[0, 0] - P[0, 1]  # indexed by (s1, s2)
    D1 = P[1, :, 0, :] - P[1, :, 1, :]  # (s0, s2)
    D2 = P[2, :, :, 0] - P[2, :, :, 1]  # (s0, s1)

    def delta(x):
        w = [np.array([x[k], 1 - x[k]]) for k in range(3)]
        return np.array([w[1] @ D0 @ w[2], w[0] @ D1 @ w[2], w[0] @ D2 @ w[1]])

    return delta


def _raw_final(pops, payoffs, x0, t_end):
    """State at ``t_end`` of the hand-written log-ratio system (DOP853, rtol 1e-12)."""
    delta = _raw_delta(pops, payoffs)
    sol = solve_ivp(
        lambda t, u: delta(_sigmoid(u)),
        (0, t_end),
        np.log(x0 / (1 - x0)),
        method="DOP853",
        rtol=1e-12,
        atol=1e-12,
    )
    assert sol.success
    return _sigmoid(sol.y[:, -1])


def _raw_advantages(pops, payoffs, profile_idx):
    """Payoff advantages at a vertex from the raw integer table (no package code involved)."""
    names = list(pops.values())

    def pay(prof, i):
        return float(payoffs[tuple(names[k][j] for k, j in enumerate(prof))][i])

    out = []
    for i in range(len(names)):
        for j in range(len(names[i])):
            if j != profile_idx[i]:
                dev = list(profile_idx)
                dev[i] = j
                out.append(pay(dev, i) - pay(profile_idx, i))
    return out


# --------------------------------------------------------------------------- starts, faces, vertices
def test_sobol_starts_are_reproducible_and_inside_the_state_space(monkeypatch, capsys):
    game = gt.Game.from_table(
        {"P1": ["a", "b", "c"], "P2": ["d", "e"]},
        {
            p: ("1" if p[0] == "a" else "0", "1" if p[1] == "d" else "0")
            for p in itertools.product("abc", "de")
        },
    )
    seen = []
    real_reporter = attr.progress_reporter

    def recording_reporter(total, desc, enabled, **kwargs):  # the shared reporter, recording each update
        bar = real_reporter(total, desc, enabled, **kwargs)
        update = bar.update

        def record(k=1):
            update(k)
            seen.append((bar.n - 1, k))

        bar.update = record
        return bar

    monkeypatch.setattr(attr, "progress_reporter", recording_reporter)
    r1 = attractors(game, n=5, seed=7, progress=True)
    assert [i for i, _ in seen] == [0, 1, 2, 3, 4]  # reported once per start, in order
    assert "attractors: 5 of 5 starts" in capsys.readouterr().err
    r2 = attractors(game.replicator(), n=5, seed=7)
    r3 = attractors(game, n=5, seed=8)
    np.testing.assert_array_equal(r1.starts, r2.starts)
    assert not np.allclose(r1.starts, r3.starts)
    assert r1.labels == r2.labels
    assert (r1.starts > 0).all() and (r1.starts[:, :2].sum(axis=1) < 1).all()
    # a: strictly dominant for P1, d for P2 -> the certified limit (a, d)
    assert set(r1.labels) == {"rest point (a, d)"}


def test_vertex_and_face_starts():
    game = crisis_governance.game()
    rep = attractors(game, crisis_governance.STATUS_QUO, starts=[[1, 1, 1], [0.5, 0.5, 0.0]])
    vertex, face = rep.outcomes
    assert vertex.kind is AttractorKind.REST_POINT and "start is a vertex" in vertex.evidence
    np.testing.assert_allclose(
        vertex.eigenvalues.real, _table_advantages(game, (0, 0, 0), crisis_governance.STATUS_QUO)
    )
    assert face.label == "rest point (B, P, I) = (0, 0, 0)" and face.certified
    assert face.final[2] == 0.0
    # the citizens' strategy is absent from the face: its log-ratio slope is not defined there
    assert np.isnan(face.rates[2]) and np.isfinite(face.rates[:2]).all()


# --------------------------------------------------------------------------- results and errors
def test_report_is_immutable_and_renders(jordan_report):
    rep = jordan_report
    assert isinstance(rep, AttractorReport)
    with pytest.raises(dataclasses.FrozenInstanceError):
        rep.t_span = (0.0, 1.0)
    with pytest.raises(ValueError):
        rep.starts[0, 0] = 0.3
    with pytest.raises(ValueError):
        rep.outcomes[0].final[0] = 0.3
    assert sum(a.share for a in rep.attractors) == pytest.approx(1.0)
    assert sorted(i for a in rep.attractors for i in a.members) == list(range(len(rep.outcomes)))
    text = rep.summary()
    assert "75.0%" in text and "heteroclinic cycle 000 → 001" in text and "dwell-time ratio 1.618" in text
    md = rep.to_markdown()
    assert md.splitlines()[0] == "| outcome | kind | share | starts | details |"
    assert (
        "| heteroclinic cycle 000 → 001 → 011 → 111 → 110 → 100 → 000 "
        "| heteroclinic cycle | 75.0% | 3 |" in md
    )
    assert "AttractorReport(4 starts" in repr(rep)


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"n": 0}, StateError, "n (the number of starts)"),
        ({"n": 2.5}, StateError, "n (the number of starts)"),
        ({"starts": [[0.5, 0.5]]}, StateError, "shape (n, 3)"),
        ({"starts": [[0.5, 1.2, 0.5]]}, StateError, "population 'ngo'"),
        ({"starts": np.zeros((0, 3))}, StateError, "starts is empty"),
        ({"t_span": (0, -1.0)}, IntegrationError, "t_span"),
        ({"t_span": (0, float("inf"))}, IntegrationError, "t_span"),
        ({"rtol": 0.0}, IntegrationError, "rtol"),
        ({"cycle_tol": "tight"}, IntegrationError, "cycle_tol"),
        ({"progress": print}, IntegrationError, "progress must be True or False"),
        ({"raise_on_failure": "yes"}, IntegrationError, "raise_on_failure must be True or False"),
        ({"params": {"F_gg": 1.0}}, ParameterError, "did you mean 'F_g'"),
        ({"params": {"F_g": [1.0, 2.0]}}, ParameterError, "scalar parameter values"),
    ],
)
def test_bad_input_raises_our_errors_naming_the_item(kwargs, error, words):
    game = crisis_governance.game()
    kwargs = dict(kwargs)
    params = kwargs.pop("params", crisis_governance.STATUS_QUO)
    with pytest.raises(error, match=words.replace("(", r"\(").replace(")", r"\)")):
        attractors(game, params, **kwargs)


def test_public_name_is_the_function_even_after_importing_the_submodule():
    # importing gametheory.analysis.attractors binds the submodule on the package; __init__ binds the function
    assert gt.attractors is attr.attractors and callable(gt.attractors)
    assert gt.AttractorReport is AttractorReport


def test_not_a_game():
    with pytest.raises(gt.SpecificationError, match="Game or a Dynamics"):
        attractors("matching pennies")


def test_unknown_kind_in_share(jordan_report):
    with pytest.raises(gt.AnalysisError, match="unknown attractor kind 'cycle'"):
        jordan_report.share("cycle")
