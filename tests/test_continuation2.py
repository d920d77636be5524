"""Two-parameter continuation (gametheory.analysis.continuation2) against exact answers computed here."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy

import gametheory as gt
from gametheory.errors import GameError, SpecificationError
from gametheory.models import classic


def _coordination_logit():
    game = gt.Game.from_table(
        {"row": ["A", "B"], "col": ["A", "B"]},
        {("A", "A"): ("a", "a"), ("A", "B"): ("0", "0"), ("B", "A"): ("0", "0"), ("B", "B"): ("1", "1")},
        {"a": 2.0, "eta": 0.3},
    )
    return game.dynamics("logit", eta="eta")


def _inspection():
    # the firm's penalty F (1 + k x - x^2) depends on the share x of complying firms; the inspector keeps the fine
    return gt.Game.from_table(
        {"firm": ["comply", "violate"], "inspector": ["inspect", "skip"]},
        {"comply,inspect": (0, "-c"), "comply,skip": (0, 0),
         "violate,inspect": ("-F*(1 + k*x - x**2)", "b + F - c"), "violate,skip": ("g", 0)},
        {"F": 1.2, "k": 1.5, "b": 1.0, "c": 0.5, "g": 1.0},
        state_dependent=True,
    )  # fmt: skip


def _three_lines():
    return gt.Game.from_table(
        {"row": ["A", "B"], "col": ["A", "B"]},
        {("A", "A"): ("a + b - 1", "a - b"), ("A", "B"): ("0", "0"), ("B", "A"): ("0", "0"),
         ("B", "B"): ("2 - a", "1")},
        {"a": 1.0, "b": 0.3},
    )  # fmt: skip


def test_logit_fold_curve_matches_closed_form():
    # Logit QRE of the coordination game: x = L(((a+1) y - 1)/eta), y = L(((a+1) x - 1)/eta), L logistic;
    # every QRE is symmetric (L o g increasing).  det F_x = 1 - s^2 with s = x(1-x)(a+1)/eta, so the
    # fold is x(1-x)(a+1) = eta; with the rest-point equation, c = a + 1 = 1 / (x - x(1-x) logit(x)).
    dyn = _coordination_logit()
    res = gt.bifurcation_curves(dyn, ("eta", "a"), {"a": 2.0}, span1=(0.05, 1.0), span2=(1.0, 4.0))
    (curve,) = res.curves
    assert curve.kind == "fold" and curve.exact is None and len(curve) > 20
    with mpmath.workdps(30):
        for (x, y), eta, a in zip(curve.states, curve.p1, curve.p2):
            xm = mpmath.mpf(float(x))
            c = 1 / (xm - xm * (1 - xm) * mpmath.log(xm / (1 - xm)))
            # Newton converges to 1e-12 relative; the closed form is evaluated at the computed x
            assert abs(float(c - 1) - a) < 1e-8
            assert abs(float(xm * (1 - xm) * c) - eta) < 1e-8
            assert abs(x - y) < 1e-8
    assert np.isclose(curve.p2.max(), 4.0, atol=1e-10)  # reaches the top edge of the box


def test_inspection_hopf_curve_is_trace_zero():
    # D1 = y F (1 + k x - x^2) - g (1 - y), D2 = (1 - x)(b + F) - c; interior rest point x* = 1 - c/(b + F),
    # y* = g / (g + F(1 + k x* - x*^2)); trace = x*(1-x*) y* F (k - 2 x*) = 0 <=> k = 2 - 2c/(b + F).
    b, c, g = 1.0, 0.5, 1.0
    res = gt.bifurcation_curves(_inspection(), ("F", "k"), {"k": 1.5, "b": b, "c": c, "g": g},
                                span1=(0.5, 3.0), span2=(0.5, 2.0))  # fmt: skip
    (curve,) = res.curves
    assert curve.kind == "hopf"
    F_, k_ = sympy.symbols("F k")  # the eliminated relation: (k - 2)(b + F) + 2c = 0 with b = 1, c = 1/2
    assert sympy.expand(curve.exact - ((k_ - 2) * (1 + F_) + 1)) == 0
    F, k = curve.p1, curve.p2
    assert np.max(np.abs(k - (2 - 2 * c / (b + F)))) < 1e-8
    xs = 1 - c / (b + F)
    ys = g / (g + F * (1 + k * xs - xs**2))
    assert np.max(np.abs(curve.states - np.column_stack([xs, ys]))) < 1e-8
    for x, y, Fv, kv in zip(xs, ys, F, k):  # hand-coded Jacobian: zero trace, positive determinant
        j11 = x * (1 - x) * y * Fv * (kv - 2 * x)
        j12 = x * (1 - x) * (Fv * (1 + kv * x - x**2) + g)
        j21 = -y * (1 - y) * (b + Fv)
        assert abs(j11) < 1e-8 and -j12 * j21 > 0
    assert np.isclose(F.min(), 0.5) and np.isclose(F.max(), 3.0)  # box edge to box edge


def test_corner_threshold_lines_are_exact():
    res = gt.bifurcation_curves(classic.hawk_dove(), ("V", "C"), {"C": 3.0}, span1=(1, 5), span2=(1, 5))
    (curve,) = res.curves
    V, C = sympy.symbols("V C")
    assert curve.exact in (C - V, V - C)
    assert np.max(np.abs(curve.p2 - curve.p1)) == 0.0
    res = gt.bifurcation_curves(_three_lines(), ("a", "b"), {"b": 0.3}, span1=(0, 3), span2=(0, 1))
    a, b = sympy.symbols("a b")
    relations = {sympy.sstr(c.exact) for c in res.curves if c.exact is not None}
    assert relations == {"a - b", "a + b - 1", "a - 2"}
    for c in res.curves:
        if c.exact is not None:
            f = sympy.lambdify((a, b), c.exact)
            ok = np.isfinite(c.p1)
            assert np.max(np.abs(f(c.p1[ok], c.p2[ok]))) < 1e-12


def _crosses(p, q, xs, ys) -> bool:
    """Whether the polyline (xs, ys) meets the segment p-q (orientation test)."""

    def orient(a, b, c):
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    for i in range(len(xs) - 1):
        r, s = (xs[i], ys[i]), (xs[i + 1], ys[i + 1])
        if not np.all(np.isfinite([*r, *s])):
            continue
        if orient(p, q, r) * orient(p, q, s) <= 0 and orient(r, s, p) * orient(r, s, q) <= 0:
            return True
    return False


def _agreement(res, rm, A, B):
    """Neighbouring cells of different regime have a curve between them; cells on the same side of
    every exact curve share their regime."""
    regime = rm.regime.values
    for i in range(len(A)):
        for j in range(len(B)):
            for di, dj in ((1, 0), (0, 1)):
                if i + di < len(A) and j + dj < len(B) and regime[i, j] != regime[i + di, j + dj]:
                    p, q = (A[i], B[j]), (A[i + di], B[j + dj])
                    assert any(_crosses(p, q, c.p1, c.p2) for c in res.curves), (p, q)
    syms = sympy.symbols(res.parameters)
    grid = np.meshgrid(A, B, indexing="ij")
    sides = np.stack(
        [
            np.sign(sympy.lambdify(syms, c.exact)(*grid) + 0 * grid[0])
            for c in res.curves
            if c.exact is not None
        ],
        axis=-1,
    )
    assert (sides != 0).all()  # no cell centre on a curve
    by_side: dict = {}
    for i in range(len(A)):
        for j in range(len(B)):
            by_side.setdefault(tuple(sides[i, j]), set()).add(regime[i, j])
    assert all(len(v) == 1 for v in by_side.values())


def test_regime_map_agrees_with_curves():
    game = _three_lines()
    res = gt.bifurcation_curves(game, ("a", "b"), {"b": 0.3}, span1=(0, 3), span2=(0, 1))
    A, B = np.linspace(0.05, 2.95, 13), np.linspace(0.03, 0.97, 9)
    rm = gt.regime_map(game, {"a": A, "b": B}, n=1, t_span=(0.0, 1.0))
    assert rm.regime.dims == ("a", "b") and len(np.unique(rm.regime.values)) >= 3
    _agreement(res, rm, A, B)


def test_flagship_regime_map_agrees_with_curves():
    from gametheory.models import crisis_governance as cg

    res = gt.bifurcation_curves(cg.game(), ("F_g", "lam"), cg.STATUS_QUO, span1=(0, 16), span2=(0, 1))
    relations = {sympy.sstr(c.exact) for c in res.curves if c.exact is not None}
    assert "2*F_g - 12*lam + 1" in relations  # through (F_g, lam) = (24/5, 5/6)
    A, B = np.linspace(0.1, 15.9, 14), np.linspace(0.03, 0.97, 10)
    rm = gt.regime_map(cg.game(), {"F_g": A, "lam": B}, cg.STATUS_QUO, n=1, t_span=(0.0, 1.0))
    assert len(np.unique(rm.regime.values)) == 3
    _agreement(res, rm, A, B)


def test_result_protocol_and_plot():
    res = gt.bifurcation_curves(_inspection(), ("F", "k"), {"k": 1.5}, span1=(0.5, 3.0), span2=(0.5, 2.0))
    frame = res.to_frame()
    assert list(frame.columns) == ["curve", "kind", "F", "k", "exact"] and len(frame) == len(res.curves[0])
    assert "hopf" in res.summary() and "hopf" in repr(res)
    with pytest.raises(ValueError):
        res.curves[0].p1[0] = 1.0
    with pytest.raises(AttributeError):
        res.curves = ()
    ax = res.plot()
    assert ax.get_xlabel() == "$F$" and len(ax.lines) == 1


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"parameters": ("V", "Q")}, "'Q'"),
        ({"parameters": ("V", "V")}, "'V' twice"),
        ({"parameters": "V"}, "pair"),
        ({"span1": (5, 1)}, "increasing"),
        ({"span2": (4, 5)}, "outside span2"),
        ({"max_steps": 0}, "max_steps"),
        ({"h": -1.0}, "h must be"),
    ],
)
def test_bad_input(kwargs, fragment):
    call = {"parameters": ("V", "C"), "span1": (1, 5), "span2": (1, 5)} | kwargs
    with pytest.raises(SpecificationError, match=fragment):
        gt.bifurcation_curves(classic.hawk_dove(), call.pop("parameters"), {"C": 3.0}, **call)
    assert issubclass(SpecificationError, GameError)


def test_bialternate_test_function_is_product_of_eigenvalue_sums():
    # the Hopf test function det(2 J (.) I) restricted to antisymmetric matrices = prod_{i<j} (l_i + l_j)
    from gametheory.analysis.continuation2 import _bialternate_basis

    rng = np.random.default_rng(3)
    for d in (2, 3, 4):
        J = rng.normal(size=(d, d))
        lam = np.linalg.eigvals(J)
        want = np.prod([lam[i] + lam[j] for i in range(d) for j in range(i + 1, d)]).real
        B = _bialternate_basis(d)
        M = np.kron(J, np.eye(d)) + np.kron(np.eye(d), J)
        assert np.isclose(np.linalg.det(B.T @ M @ B), want, rtol=1e-10, atol=1e-12)
