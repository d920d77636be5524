"""Critical parameter values at which a vertex changes stability."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sympy

from .._checks import as_dynamics
from ..dynamics.base import Dynamics
from ..errors import ParameterError, suggest
from ..game import Game
from .corners import _float_subs, _simplify, corner_conditions

__all__ = ["CriticalValue", "critical_values"]


@dataclass(frozen=True)
class CriticalValue:
    """A value of one parameter at which an eigenvalue of a vertex changes sign.

    Attributes
    ----------
    vertex : tuple
        The vertex key (reduced state for 2-strategy games, profile otherwise).
    profile : tuple of str
    deviation : (str, str)
        Population and strategy of the eigenvalue's deviation.
    parameter : str
    eigenvalue : sympy.Expr
        The eigenvalue, an expression in the parameters.
    expression : sympy.Expr
        The threshold: the solution of ``eigenvalue = 0`` for the parameter.
    value : float or None
        The threshold with the other parameters at the given values (``None`` if not real).
    negative_when : str or None
        ``"above"`` / ``"below"``: on which side of the threshold the eigenvalue
        is negative (the vertex's condition holds), from the sign of its
        derivative there; ``None`` if that is zero.
    """

    vertex: tuple[Any, ...]
    profile: tuple[str, ...]
    deviation: tuple[str, str]
    parameter: str
    eigenvalue: sympy.Expr
    expression: sympy.Expr
    value: float | None
    negative_when: str | None

    def __repr__(self) -> str:
        v = "complex" if self.value is None else f"{self.value:.6g}"
        return (
            f"CriticalValue({self.vertex}, {self.deviation}: {self.parameter} = {sympy.sstr(self.expression)} "
            f"= {v}; eigenvalue negative {self.negative_when})"
        )


def critical_values(
    game: Game | Dynamics, parameter: str, params: Mapping[str, Any] | None = None
) -> tuple[CriticalValue, ...]:
    """Thresholds of one parameter at which a vertex changes stability.

    For every vertex and every eigenvalue :math:`\\lambda(p)` that depends on
    ``parameter``, solves :math:`\\lambda = 0` for it (symbolic) and evaluates the
    solution at ``params`` (the game's defaults fill the rest).

    Returns
    -------
    tuple of CriticalValue
        Sorted by value (non-real ones last).
    """
    dyn = as_dynamics(game)
    g = dyn.game
    if parameter not in g.parameter_names:
        raise ParameterError(
            f"game has no parameter {parameter!r}{suggest(parameter, g.parameter_names)}; "
            f"its parameters are {list(g.parameter_names)}"
        )
    symbol = g.parameter(parameter).symbol
    subs = _float_subs(g, params)
    table = corner_conditions(dyn)
    out = []
    for key in table:
        entry = table[key]
        for dev, eig in zip(entry.deviations, entry.eigenvalues):
            if symbol not in eig.free_symbols:
                continue
            for sol in sympy.solve(sympy.Eq(eig, 0), symbol):
                sol = _simplify(sol)
                num = sympy.N(sol.xreplace(subs), 30)
                value = float(num) if num.is_real else None
                side = None
                deriv = sympy.diff(eig, symbol).xreplace({**subs, symbol: sol.xreplace(subs)})
                dval = sympy.N(deriv, 30)
                if dval.is_real and dval != 0:
                    side = "above" if dval < 0 else "below"
                out.append(CriticalValue(key, entry.profile, dev, parameter, eig, sol, value, side))
    out.sort(key=lambda c: (c.value is None, c.value if c.value is not None else 0.0))
    return tuple(out)
