r"""Exact interior rest points of the replicator dynamics, with exact Jacobian eigenvalues.

In the interior of the state space every share is positive, so a rest point of the
replicator dynamics :math:`\dot x_{ij} = x_{ij}(f_{ij} - \bar f_i)` is a zero of all
payoff advantages

.. math::  \Delta_{ij}(x) = f_{ij}(x) - f_{ik_i}(x) = 0 \qquad \text{for every coordinate } (i, j)

(the factors :math:`x_{ij}`, and :math:`1 - x` of a 2-strategy population, are divided
out).  With payoffs constant per profile these equations are multilinear; with
state-dependent payoffs (``Game(..., state_dependent=True)``) they are polynomials of
higher degree and the rest-point theory of :func:`~gametheory.analysis.equilibria.rest_points`
does not apply.  :func:`interior_rest_points_exact` solves them exactly with
``sympy.solve`` at exact (rational) parameter values when their Bezout bound (the product
of the equations' total degrees) is at most ``max_bezout``, keeps the real solutions
strictly inside the state space (decided at 50 digits) and computes the exact eigenvalues
of the exact Jacobian there.  Larger systems are refused.

Where the degree does not allow exact algebra, :func:`certify_interior_rest_point` proves
that a numerically found interior rest point (e.g. from
:func:`~gametheory.analysis.stability.analyze`) exists: the Krawczyk operator

.. math::  K(X) = \tilde x - Y \Delta(\tilde x) + (I - Y D\Delta(X))\,(X - \tilde x),
           \qquad Y \approx D\Delta(\tilde x)^{-1},

evaluated in outward-rounded interval arithmetic (``mpmath.iv``) on a box :math:`X` around
the approximation :math:`\tilde x`, lying in the interior of :math:`X` proves that
:math:`\Delta` has exactly one zero in :math:`X` (Krawczyk 1969; Moore 1977).  When
:math:`X` also lies strictly inside the state space, that zero is an interior rest point.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import sympy
from mpmath import iv

from .._checks import as_dynamics
from ..errors import AnalysisError
from .equilibria import exact_parameter_values

__all__ = ["InteriorRestPoint", "certify_interior_rest_point", "interior_rest_points_exact"]

#: Digits at which the sign conditions of a solution (real, inside the simplex) are decided.
DIGITS = 50


@dataclasses.dataclass(frozen=True)
class InteriorRestPoint:
    """An interior rest point known exactly, with the exact eigenvalues of the Jacobian there.

    Attributes
    ----------
    point : tuple of sympy.Expr
        The state, in state order (exact algebraic numbers).
    eigenvalues : tuple of sympy.Expr
        Exact eigenvalues, repeated by multiplicity, sorted by (real part, imaginary part).

    Examples
    --------
    >>> from gametheory.models import classic
    >>> rp, = interior_rest_points_exact(classic.matching_pennies_3(), {"a": 1})
    >>> rp.point, rp.kind
    ((1/2, 1/2, 1/2), 'saddle')
    """

    point: tuple[sympy.Expr, ...]
    eigenvalues: tuple[sympy.Expr, ...]

    @property
    def kind(self) -> str:
        """``"stable focus"``, ``"sink"``, ``"centre"`` (linear: purely imaginary), ``"source"``,
        ``"unstable focus"``, ``"saddle"`` or ``"non-hyperbolic"``, from the exact eigenvalues."""
        parts = [sympy.N(v, DIGITS).as_real_imag() for v in self.eigenvalues]
        re = [sympy.sign(sympy.nsimplify(r, tolerance=10 ** (5 - DIGITS))) for r, _ in parts]
        rotating = any(abs(i) > 10 ** (5 - DIGITS) for _, i in parts)
        if all(r < 0 for r in re):
            return "stable focus" if rotating else "sink"
        if all(r > 0 for r in re):
            return "unstable focus" if rotating else "source"
        if any(r < 0 for r in re) and any(r > 0 for r in re):
            return "saddle"
        if all(r == 0 for r in re) and rotating and all(abs(i) > 10 ** (5 - DIGITS) for _, i in parts):
            return "centre"
        return "non-hyperbolic"


def interior_rest_points_exact(
    model: Any, params: Mapping[str, Any] | None = None, *, max_bezout: int = 16
) -> tuple[InteriorRestPoint, ...]:
    """Interior rest points of the replicator dynamics, exactly, with exact Jacobian eigenvalues.

    See the module docstring for the method.  Works for payoffs constant per profile and
    for state-dependent payoffs alike.

    Parameters
    ----------
    model
        A :class:`~gametheory.game.Game` (its replicator dynamics) or a
        :class:`~gametheory.dynamics.replicator.ReplicatorDynamics`.
    params
        Parameter values (the game's defaults fill the rest); floats are taken as the
        exact rationals of their shortest decimal representation.
    max_bezout
        Refuse systems whose Bezout bound (product of total degrees) exceeds this.

    Returns
    -------
    tuple of InteriorRestPoint
        Isolated interior rest points, sorted by their state.

    Raises
    ------
    AnalysisError
        For a dynamics without payoff differences (not the replicator), a system above
        ``max_bezout``, or a continuum of interior rest points.

    Examples
    --------
    >>> from gametheory import Game
    >>> g = Game.from_table(
    ...     {"firm": ["comply", "violate"], "inspector": ["inspect", "skip"]},
    ...     {"comply,inspect": (0, "-c"), "comply,skip": (0, 0),
    ...      "violate,inspect": ("-F*(1 - x)", "b - c"), "violate,skip": ("g", 0)},
    ...     parameters={"F": 2, "b": 2, "c": 1, "g": 1}, state_dependent=True,
    ... )
    >>> rp, = interior_rest_points_exact(g)
    >>> rp.point, rp.eigenvalues, rp.kind
    ((1/2, 1/2), (-1/8 - sqrt(15)*I/8, -1/8 + sqrt(15)*I/8), 'stable focus')
    """
    dyn, equations, subs = _interior_equations(model, params, "interior_rest_points_exact")
    degrees = [sympy.Poly(e, *dyn.states).total_degree() if e != 0 else 0 for e in equations]
    bound = math.prod(max(1, d) for d in degrees)
    if bound > max_bezout:
        raise AnalysisError(
            f"interior_rest_points_exact: the interior equations have degrees {degrees} (Bezout bound "
            f"{bound} > max_bezout={max_bezout}); use gametheory.analyze for a numerical analysis"
        )
    nonzero = [e for e in equations if e != 0]
    solutions = sympy.solve(nonzero, dyn.states, dict=True) if nonzero else [{}]
    jac = dyn.jacobian().xreplace(subs)
    out = []
    for sol in solutions:
        point = tuple(sympy.simplify(sol[s]) if s in sol else None for s in dyn.states)
        if any(v is None or v.free_symbols for v in point):
            raise AnalysisError(
                "interior_rest_points_exact: the interior rest points form a continuum "
                f"({sol}); use gametheory.analyze"
            )
        if _inside(dyn, point):
            J = jac.xreplace(dict(zip(dyn.states, point)))
            eig = [sympy.simplify(v) for v, m in J.eigenvals().items() for _ in range(m)]
            eig.sort(key=lambda v: tuple(float(c) for c in sympy.N(v, DIGITS).as_real_imag()))
            out.append(InteriorRestPoint(point, tuple(eig)))
    out.sort(key=lambda rp: tuple(float(sympy.N(v, DIGITS)) for v in rp.point))
    return tuple(out)


def _inside(dyn: Any, point: tuple[sympy.Expr, ...]) -> bool:
    """Real, every share positive, every population's shares summing below 1 (at 50 digits)."""
    values = [sympy.N(v, DIGITS) for v in point]
    tiny = sympy.Float(10) ** (5 - DIGITS)
    if any(abs(sympy.im(v)) > tiny for v in values):
        return False
    reals = [sympy.re(v) for v in values]
    for sl in dyn.population_slices():
        shares = reals[sl]
        if any(v <= tiny for v in shares) or sum(shares) >= 1 - tiny:
            return False
    return True


def _interior_equations(model: Any, params: Any, caller: str) -> tuple[Any, list[sympy.Expr], dict[Any, Any]]:
    """The dynamics, its payoff differences at exact parameter values, and those values."""
    dyn = as_dynamics(model)
    differences = getattr(dyn, "payoff_differences", None)
    if differences is None:
        raise AnalysisError(
            f"{caller} needs the replicator dynamics (its payoff differences); got {type(dyn).__name__}"
        )
    exact = exact_parameter_values(dyn, params)
    subs = {sympy.Symbol(name): value for name, value in exact.items()}
    equations = [sympy.expand(d.xreplace(subs)) for d in differences]
    if any(e.free_symbols - set(dyn.states) for e in equations):
        raise AnalysisError(f"{caller}: the equations still hold non-state symbols")
    return dyn, equations, subs


def certify_interior_rest_point(
    model: Any, x: Any, params: Mapping[str, Any] | None = None
) -> tuple[tuple[float, float], ...] | None:
    r"""Prove that an interior rest point of the replicator dynamics lies near ``x`` (Krawczyk test).

    See the module docstring for the method.  Boxes of radius :math:`10^{-12}, 10^{-10}, \ldots,
    10^{-4}` (times :math:`\max(1, \|x\|_\infty)`) around ``x`` are tried in turn.

    Parameters
    ----------
    model
        A :class:`~gametheory.game.Game` or its :class:`~gametheory.dynamics.replicator.ReplicatorDynamics`.
    x
        Approximate interior rest point, shape ``(d,)``.
    params
        Parameter values (the game's defaults fill the rest), taken exactly as in
        :func:`interior_rest_points_exact`.

    Returns
    -------
    tuple of (float, float) or None
        A box ``((lo, hi), ...)`` strictly inside the state space that holds exactly one
        zero of the payoff differences, that is one interior rest point; None when no box
        could be certified (which proves nothing).

    Examples
    --------
    >>> from gametheory.models import classic
    >>> box = certify_interior_rest_point(classic.matching_pennies_3(), [0.5 + 1e-9, 0.5, 0.5], {"a": 1})
    >>> all(lo < 0.5 < hi and hi - lo < 1e-7 for lo, hi in box)
    True
    >>> certify_interior_rest_point(classic.matching_pennies_3(), [0.3, 0.5, 0.5], {"a": 1}) is None
    True
    """
    dyn, equations, _ = _interior_equations(model, params, "certify_interior_rest_point")
    d = dyn.dimension
    center = np.asarray(x, dtype=float).reshape(-1)
    if center.shape != (d,) or not np.all(np.isfinite(center)):
        raise AnalysisError(f"x must be {d} finite numbers (a reduced state), got {x!r:.80}")
    polys = [_interval_poly(e, dyn.states) for e in equations]
    jac = [[_interval_poly(sympy.diff(e, s), dyn.states) for s in dyn.states] for e in equations]
    with np.errstate(all="ignore"):
        J0 = np.array(
            [[_evaluate(p, [iv.mpf(v) for v in center]).mid for p in row] for row in jac], dtype=float
        )
    if not np.all(np.isfinite(J0)) or abs(np.linalg.det(J0)) < 1e-300:
        return None
    Y = np.linalg.inv(J0)
    point = [iv.mpf(v) for v in center]
    g0 = [_evaluate(p, point) for p in polys]
    for exponent in range(-12, -3, 2):
        r = 10.0**exponent * max(1.0, float(np.max(np.abs(center))))
        box = [iv.mpf([v - r, v + r]) for v in center]
        J = [[_evaluate(p, box) for p in row] for row in jac]
        K = []
        for i in range(d):
            k = point[i] - sum((iv.mpf(Y[i, j]) * g0[j] for j in range(d)), iv.mpf(0))
            for c in range(d):
                m = (1 if i == c else 0) - sum((iv.mpf(Y[i, j]) * J[j][c] for j in range(d)), iv.mpf(0))
                k += m * (box[c] - point[c])
            K.append(k)
        if all(float(K[i].a) > float(box[i].a) and float(K[i].b) < float(box[i].b) for i in range(d)):
            if _strictly_inside(dyn, box):
                return tuple((float(b.a), float(b.b)) for b in box)
            return None
    return None


def _interval_poly(expr: sympy.Expr, states: tuple[sympy.Symbol, ...]) -> list[tuple[tuple[int, ...], Any]]:
    """Terms (monomial, coefficient enclosure) of a polynomial in the states."""
    out = []
    for monomial, c in sympy.Poly(expr, *states).terms():
        if c.is_Rational:
            coefficient = iv.mpf(int(c.p)) / iv.mpf(int(c.q))
        else:  # an algebraic or transcendental constant: a 30-digit value, widened
            value = float(sympy.N(c, 30))
            coefficient = iv.mpf([value - 1e-14 * max(1.0, abs(value)), value + 1e-14 * max(1.0, abs(value))])
        out.append((monomial, coefficient))
    return out


def _evaluate(poly: list[tuple[tuple[int, ...], Any]], box: list[Any]) -> Any:
    total = iv.mpf(0)
    for monomial, c in poly:
        term = c
        for v, e in zip(box, monomial):
            if e:
                term = term * v**e
        total += term
    return total


def _strictly_inside(dyn: Any, box: list[Any]) -> bool:
    for sl in dyn.population_slices():
        shares = box[sl]
        if any(float(v.a) <= 0 for v in shares) or float(sum(shares, iv.mpf(0)).b) >= 1:
            return False
    return True
