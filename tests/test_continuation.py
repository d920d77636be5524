"""Continuation of rest points: bifurcations located against values computed independently here.

Tolerances: each bifurcation is located by Brent's method in arclength to 1e-13 on a
well-conditioned corrector, so 1e-8 (the brief's standard) leaves four orders of margin;
the exact values computed by the package are compared with those written here exactly.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import mpmath
import numpy as np
import pytest
import sympy

import gametheory as gt
from gametheory.analysis.branches import Bifurcation, Branch, ContinuationResult
from gametheory.models import classic


def _only(result: ContinuationResult, kind: str) -> Bifurcation:
    found = [b for b in result.bifurcations if b.kind == kind]
    assert len(found) == 1, result.summary()
    return found[0]


# ------------------------------------------------------------------ transcritical at a corner
def test_hawk_dove_mixed_point_hits_the_corner_at_v_equals_c() -> None:
    # x' = x (1 - x) (V - C x) / 2: the mixed point x = V/C reaches the corner x = 1 at V = C,
    # where the vertex eigenvalue (C - V)/2 (a payoff difference) changes sign
    C = 3.0
    res = gt.continuation(classic.hawk_dove(), "V", {"C": C}, span=(1.0, 5.0))
    bif = _only(res, "transcritical")
    assert abs(bif.parameter - C) < 1e-8
    assert bif.exact == 3 and bif.error < 1e-12
    assert np.allclose(bif.state, [1.0], atol=1e-9)
    # the corner branch x = 1: unstable for V < C (eigenvalue (C - V)/2 > 0), stable after
    corner = next(b for b in res.branches if np.allclose(b.states, 1.0))
    for v, stab, eig in zip(corner.parameter, corner.stability, corner.eigenvalues[:, 0]):
        assert abs(eig.real - (C - v) / 2) < 1e-12
        if abs(v - C) > 1e-6:
            assert stab == ("unstable" if v < C else "stable")
    # the mixed branch is x = V / C exactly, a sink
    mixed = next(b for b in res.branches if not np.allclose(b.states, 1.0) and not np.allclose(b.states, 0.0))
    assert np.allclose(mixed.states[:, 0], mixed.parameter / C, atol=1e-11)
    # (its last point inside is the corner itself, at the bifurcation: neutral there)
    assert mixed.parameter[mixed.inside].max() == pytest.approx(C, abs=1e-12)
    assert mixed.stability[int(np.argmax(mixed.parameter * mixed.inside))] == "neutral"
    assert all(
        s == "stable" for s, i, v in zip(mixed.stability, mixed.inside, mixed.parameter) if i and v < C - 1e-6
    )


def test_two_population_corner_eigenvalue_b_minus_c() -> None:
    # at the vertex (A, A) the eigenvalues are the payoff differences c - b (population 1
    # deviating to B) and 0 - 1 = -1 (population 2): the corner bifurcates at c = b exactly
    table = {("A", "A"): ("b", "1"), ("A", "B"): ("0", "0"), ("B", "A"): ("c", "0"), ("B", "B"): ("1", "2")}
    game = gt.Game.from_table({"p1": ["A", "B"], "p2": ["A", "B"]}, table, {"b": 1.5, "c": 1.0})
    res = gt.continuation(game, "c", {"b": 1.5}, span=(0.5, 2.5))
    at_corner = [f for f in res.bifurcations if np.allclose(f.state, [1.0, 1.0], atol=1e-9)]
    assert at_corner, res.summary()
    assert abs(at_corner[0].parameter - 1.5) < 1e-8
    assert at_corner[0].exact == sympy.Rational(3, 2)


# ------------------------------------------------------------------------- fold of logit QRE
def test_logit_qre_fold_in_a_coordination_game() -> None:
    # one population, payoffs [[a, 0], [0, b]], x = share of A; logit QRE: x = 1/(1 + exp(u)),
    # u = (b (1 - x) - a x)/eta.  At the fold also d/dx of the map is 1: (a + b) x (1 - x) = eta,
    # hence ln((1 - x)/x) = (b - (a + b) x) / ((a + b) x (1 - x)), solved here at 40 digits
    a, b = 2.0, 1.0
    game = gt.Game.symmetric(["A", "B"], [["a", 0], [0, "b"]], parameters={"a": a, "b": b, "eta": 0.5})
    res = gt.continuation(game.dynamics("logit", eta="eta"), "eta", span=(0.05, 1.0))
    fold = _only(res, "fold")
    mpmath.mp.dps = 40
    x = mpmath.findroot(lambda x: mpmath.log((1 - x) / x) - (b - (a + b) * x) / ((a + b) * x * (1 - x)), 0.12)
    eta_fold = (a + b) * x * (1 - x)
    assert abs(fold.parameter - float(eta_fold)) < 1e-8
    assert abs(fold.state[0] - float(x)) < 1e-7  # the state is as sharp as sqrt of the tangency
    assert fold.exact is None  # exp: no algebraic value

    # below the fold three QRE, above it one: count the branches' points at two values
    def count(eta: float) -> int:
        n = 0
        for br in res.branches:
            p = br.parameter
            n += int(np.sum((p[:-1] - eta) * (p[1:] - eta) < 0))
        return n

    assert count(0.2) == 3 and count(0.5) == 1


# ------------------------------------------------------------------------------- Hopf point
def test_hopf_in_an_inspection_game_with_dilution_of_the_penalty() -> None:
    # inspector: x' = x (1 - x) (b y - c - a x); taxpayer (share y evading, penalty F (1 - k y)
    # diluted as evasion spreads): y' = y (1 - y) (g - F x (1 - k y)).  At the interior point the
    # trace of the Jacobian is -a x (1 - x) + F k x y (1 - y): the focus turns unstable when it
    # crosses zero.  With a, b, c, g, F = 1/2, 2, 1, 1, 4: solved here exactly.
    table = {
        ("I", "E"): ("b - c - a*x", "g - F*(1 - k*y)"),
        ("I", "C"): ("-c - a*x", "0"),
        ("N", "E"): ("0", "g"),
        ("N", "C"): ("0", "0"),
    }
    values = {"a": 0.5, "b": 2.0, "c": 1.0, "g": 1.0, "F": 4.0, "k": 0.0}
    game = gt.Game.from_table(
        {"inspector": ["I", "N"], "taxpayer": ["E", "C"]}, table, values, state_dependent=True
    )
    res = gt.continuation(game, "k", values, span=(-1.0, 0.9))
    hopf = _only(res, "hopf")
    x, y, k = sympy.symbols("x y k")
    a, b, c, g, F = sympy.Rational(1, 2), 2, 1, 1, 4
    eqs = [b * y - c - a * x, g - F * x * (1 - k * y), -a * x * (1 - x) + F * k * x * y * (1 - y)]
    sols = [s for s in sympy.solve(eqs, [x, y, k], dict=True) if all(v.is_real for v in s.values())]
    sols = [s for s in sols if 0 < s[x] < 1 and 0 < s[y] < 1 and -1 < s[k] < 0.9]
    assert len(sols) == 1
    exact = sols[0][k]
    assert abs(hopf.parameter - float(exact)) < 1e-8
    assert sympy.simplify(hopf.exact - exact) == 0
    assert np.allclose(hopf.state, [float(sols[0][x]), float(sols[0][y])], atol=1e-8)
    # a complex pair on the imaginary axis there; the interior branch is stable before, unstable after
    assert np.all(np.abs(hopf.eigenvalues.real) < 1e-7) and np.all(np.abs(hopf.eigenvalues.imag) > 0.1)
    interior = next(br for br in res.branches if np.all((br.states > 0.01) & (br.states < 0.99)))
    before = [s for p, s in zip(interior.parameter, interior.stability) if p < float(exact) - 1e-3]
    after = [s for p, s in zip(interior.parameter, interior.stability) if p > float(exact) + 1e-3]
    assert set(before) == {"stable"} and set(after) == {"unstable"}


# ----------------------------------------------------------------------- no branch jumping
def test_two_nearby_branches_are_not_confused() -> None:
    # x' = -x (1 - x)(x - q)(x - q - 1/100), q = 1/5 + p^2/2: two parallel curved branches 0.01 apart,
    # followed with steps up to 0.25 (25 times their distance); a second state y' = 1/2 - y,
    # decoupled (general systems have two populations at least)
    dyn = gt.from_equations(
        ["x' = -x*(1 - x)*(x - 1/5 - p^2/2)*(x - 21/100 - p^2/2)", "y' = 1/2 - y"], form="general"
    )
    res = gt.continuation(dyn, "p", span=(0.0, 1.0), h=0.1, h_max=0.25)
    curved = [br for br in res.branches if np.ptp(br.states[:, 0]) > 0.1]
    assert len(curved) == 2 and len(res.branches) == 4  # and the edges x = 0, x = 1
    offsets = []
    for br in curved:
        r = br.states[:, 0] - 0.2 - br.parameter**2 / 2
        assert np.ptp(r) < 1e-9, "a branch jumped"  # the same curve at every point
        offsets.append(round(float(r.mean()), 6))
        assert br.parameter.min() == 0.0 and br.parameter.max() == 1.0
    assert sorted(offsets) == [0.0, 0.01]
    assert res.bifurcations == ()


def test_pitchfork_is_told_from_transcritical() -> None:
    # u' = u (p - u^2), u = x - 1/2, on the line u = 0: a pitchfork at p = 0 (u = +-sqrt(p), both at p > 0)
    dyn = gt.from_equations(["x' = (x - 1/2)*(p - (x - 1/2)^2)", "y' = 1/2 - y"], form="general")
    res = gt.continuation(dyn, "p", span=(-0.1, 0.2), start=[0.5, 0.5])
    bif = _only(res, "pitchfork")
    assert abs(bif.parameter) < 1e-8 and bif.exact == 0
    # the switched branches are x = 1/2 +- sqrt(p)
    others = [br for br in res.branches if not np.allclose(br.states, 0.5)]
    assert len(others) == 2
    for br in others:
        assert np.allclose((br.states[:, 0] - 0.5) ** 2, br.parameter, atol=1e-10)


# --------------------------------------------------------------------------- result, plot
def test_result_is_immutable_and_tabulates() -> None:
    res = gt.continuation(classic.hawk_dove(), "V", {"C": 3.0}, span=(1.0, 5.0))
    br = res.branches[0]
    assert isinstance(br, Branch)
    with pytest.raises(ValueError):
        br.parameter[0] = 9.0
    with pytest.raises(AttributeError):
        res.parameter = "C"  # type: ignore[misc]
    frame = res.to_frame()
    assert {"branch", "V", "x", "stability", "inside"} <= set(frame.columns)
    assert len(frame) == sum(len(b) for b in res.branches)
    assert "transcritical at V = 3" in res.summary()


def test_diagram_draws_branches_and_marks() -> None:
    res = gt.continuation(classic.hawk_dove(), "V", {"C": 3.0}, span=(1.0, 5.0))
    ax = res.plot()
    styles = {line.get_linestyle() for line in ax.lines}
    assert {"-", "--"} <= styles
    assert [t.get_text() for t in ax.texts] == ["$3$"]  # the exact value, once
    ax2 = gt.plot.bifurcation_diagram(res, coordinate=lambda s: 1 - s[0], ylabel="doves")
    assert ax2.get_ylabel() == "doves"
    with pytest.raises(gt.SpecificationError, match="coordinate"):
        gt.plot.bifurcation_diagram(res, coordinate="q")


# ------------------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        ({"parameter": "V", "h": 0.0}, gt.SpecificationError, "h must be a positive"),
        ({"parameter": "V", "h": -0.1}, gt.SpecificationError, "h must be a positive"),
        ({"parameter": "Q"}, gt.SpecificationError, "unknown parameter 'Q'"),
        ({"parameter": "V", "span": (2.0, 1.0)}, gt.SpecificationError, "span must be increasing"),
        ({"parameter": "V", "span": (1.0, 1.0)}, gt.SpecificationError, "span must be increasing"),
        ({"parameter": "V", "span": "ab"}, gt.SpecificationError, "span"),
        ({"parameter": "V", "start": [0.5]}, gt.StateError, "not a rest point"),
        ({"parameter": "V", "start": [0.5, 0.5]}, gt.StateError, "1 coordinates"),
        ({"parameter": "V", "start": 9.0}, gt.SpecificationError, "outside the span"),
        ({"parameter": "V", "max_steps": 0}, gt.SpecificationError, "max_steps"),
        ({"parameter": "V", "step": 0.1}, gt.SpecificationError, "step"),
    ],
)
def test_bad_input(kwargs: dict, error: type, fragment: str) -> None:
    kwargs = {"span": (1.0, 5.0), **kwargs}
    parameter = kwargs.pop("parameter")
    with pytest.raises(error, match=fragment):
        gt.continuation(classic.hawk_dove(), parameter, {"C": 3.0}, **kwargs)


def test_start_at_a_given_rest_point_follows_that_branch_only() -> None:
    res = gt.continuation(classic.hawk_dove(), "V", {"C": 3.0}, span=(1.0, 2.0), start=[1.0 / 3.0])
    assert len(res.branches) == 1
    assert np.allclose(res.branches[0].states[:, 0], res.branches[0].parameter / 3.0)


# ------------------------------------------------------------------ flagship lever diagrams
def test_flagship_lever_f_g_corner_of_full_cooperation() -> None:
    # at (C, E, A) = (1, 1, 1) the government's eigenvalue is -Dx(1, 1, 1) with
    # Dx(1, 1, 1) = R_g - C_g + F_g + (1 - lam)(V_n + V_c) - S - W + s_g (the model docstring's Dx):
    # under OPTIMIZED, 4 - 10 + F_g + 0.7 * 6 - 3 - 2 + 2 = F_g - 24/5
    from gametheory.figures_continuation import lever_continuation, lever_diagram
    from gametheory.models import crisis_governance as cg

    o = {k: sympy.nsimplify(v) for k, v in cg.OPTIMIZED.items()}
    F_g = sympy.Symbol("F_g")
    dx = o["R_g"] - o["C_g"] + F_g + (1 - o["lam"]) * (o["V_n"] + o["V_c"]) - o["S"] - o["W"] + o["s_g"]
    (critical,) = sympy.solve(dx, F_g)
    assert critical == sympy.Rational(24, 5)
    res = lever_continuation("F_g")
    (bif,) = [b for b in res.bifurcations if np.allclose(b.state, 1.0)]
    assert abs(bif.parameter - float(critical)) < 1e-8 and bif.exact == critical
    corner = next(b for b in res.branches if np.allclose(b.states, 1.0))
    assert all(s == "stable" for p, s in zip(corner.parameter, corner.stability) if p > critical + 1e-6)
    assert all(b.exact is not None and b.error < 1e-12 for b in res.bifurcations)
    fig = lever_diagram("F_g")
    assert len(fig.axes) == 3 and len(fig.legends) == 1
    with pytest.raises(gt.SpecificationError, match="unknown lever 'R_g'"):
        lever_continuation("R_g")


def test_flagship_interior_fold_in_k_n_against_the_hand_coded_payoff_differences() -> None:
    # interior rest points solve Dx = Dy = Dz = 0 (the model docstring's payoff differences, typed
    # here); there J = diag(x(1-x), y(1-y), z(1-z)) dD/d(x, y, z), so a fold is where also
    # det dD/d(x, y, z) = 0: solved at 40 digits from the continuation's point
    from gametheory.figures_continuation import lever_continuation
    from gametheory.models import crisis_governance as cg

    o = {k: mpmath.mpf(sympy.nsimplify(v).p) / sympy.nsimplify(v).q for k, v in cg.OPTIMIZED.items()}

    def D(x, y, z, K_n):  # noqa: N803 - the paper's name
        dx = (o["R_g"] - o["C_g"] + o["F_g"] * o["theta"] + o["L_g"] + (1 - o["lam"]) * (o["V_n"] * y + o["V_c"] * z)
              - o["S"] * y - o["W"] * z + (1 - o["theta"]) * o["F_g"] * z - o["L_g"] * (y + z - y * z)
              + o["s_g"] * y * z)  # fmt: skip
        dy = (o["R_n"] * o["mu"] - o["C_n"] + (o["C_n"] * o["tau"] + o["S"] + o["F_n"]) * x
              + ((1 - o["mu"]) * o["R_n"] + K_n) * z + o["s_n"] * x * z)  # fmt: skip
        dz = (o["R_c"] - o["C_c"] + o["D_c"] + (o["R_c"] * o["b_g"] + o["W"] - o["D_c"]) * x
              + (o["R_c"] * o["b_n"] - o["D_c"]) * y + (o["s_c"] + o["D_c"]) * x * y)  # fmt: skip
        return [dx, dy, dz]

    def system(x, y, z, K_n):  # noqa: N803
        h = mpmath.mpf(10) ** -20
        v = [x, y, z]
        cols = []
        for i in range(3):
            up, dn = list(v), list(v)
            up[i] += h
            dn[i] -= h
            cols.append([(a - b) / (2 * h) for a, b in zip(D(*up, K_n), D(*dn, K_n))])
        return [*D(x, y, z, K_n), mpmath.det(mpmath.matrix(cols))]

    res = lever_continuation("K_n")
    (fold,) = [b for b in res.bifurcations if b.kind == "fold"]
    mpmath.mp.dps = 40
    root = mpmath.findroot(system, [*map(mpmath.mpf, fold.state), mpmath.mpf(fold.parameter)])
    assert abs(fold.parameter - float(root[3])) < 1e-8
    assert np.allclose(fold.state, [float(r) for r in root[:3]], atol=1e-6)
    assert abs(float(fold.exact) - float(root[3])) < 1e-12
