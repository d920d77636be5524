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
of the exact Jacobian there.  Larger systems are refused: use
:func:`~gametheory.analysis.stability.analyze` (numerical, not certified complete).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

import sympy

from .._checks import as_dynamics
from ..errors import AnalysisError
from .equilibria import exact_parameter_values

__all__ = ["InteriorRestPoint", "interior_rest_points_exact"]

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
    dyn = as_dynamics(model)
    differences = getattr(dyn, "payoff_differences", None)
    if differences is None:
        raise AnalysisError(
            f"interior_rest_points_exact needs the replicator dynamics (its payoff differences); "
            f"got {type(dyn).__name__}"
        )
    exact = exact_parameter_values(dyn, params)
    subs = {sympy.Symbol(name): value for name, value in exact.items()}
    equations = [sympy.expand(d.xreplace(subs)) for d in differences]
    if any(e.free_symbols - set(dyn.states) for e in equations):
        raise AnalysisError("interior_rest_points_exact: the equations still hold non-state symbols")
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
