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
from ._text import _html, _pandas
from .corners import _float_subs, _simplify, corner_conditions

__all__ = ["CriticalValue", "CriticalValues", "critical_values"]


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

    Examples
    --------
    >>> from gametheory.models import crisis_governance
    >>> values = critical_values(crisis_governance.game(), "F_g", crisis_governance.STATUS_QUO)
    >>> c = values[0]
    >>> c.parameter, c.negative_when in ("above", "below")
    ('F_g', True)
    """

    vertex: tuple[Any, ...]
    profile: tuple[str, ...]
    deviation: tuple[str, str]
    parameter: str
    eigenvalue: sympy.Expr
    expression: sympy.Expr
    value: float | None
    negative_when: str | None

    def summary(self) -> str:
        """One line: the vertex, the deviation, the threshold and on which side the vertex's condition holds."""
        v = "not real" if self.value is None else f"{self.value:.6g}"
        side = f"; the eigenvalue is negative {self.negative_when} it" if self.negative_when else ""
        return (
            f"{self.vertex} {self.profile}, deviation {self.deviation}: "
            f"{self.parameter} = {sympy.sstr(self.expression)} = {v}{side}"
        )

    def _repr_markdown_(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return _html(self.summary())

    def __repr__(self) -> str:
        v = "complex" if self.value is None else f"{self.value:.6g}"
        return (
            f"CriticalValue({self.vertex}, {self.deviation}: {self.parameter} = {sympy.sstr(self.expression)} "
            f"= {v}; eigenvalue negative {self.negative_when})"
        )


class CriticalValues(tuple):
    """The critical values of one parameter (an immutable tuple of :class:`CriticalValue`).

    A tuple, so indexing, iteration and ``len`` work as before; it adds the
    result protocol (``summary``, ``to_markdown``, ``to_frame``, notebook reprs).

    Examples
    --------
    >>> from gametheory.models import crisis_governance
    >>> values = critical_values(crisis_governance.game(), "F_g", crisis_governance.STATUS_QUO)
    >>> isinstance(values, tuple), len(values) == len(values.to_frame())
    (True, True)
    """

    __slots__ = ()

    def summary(self) -> str:
        """Plain text: one line per critical value, sorted by value."""
        if not self:
            return "No critical values (no vertex eigenvalue depends on the parameter)."
        return "\n".join(c.summary() for c in self)

    def to_markdown(self) -> str:
        """A Markdown table: vertex, profile, deviation, threshold, value, side."""
        lines = [
            "| Vertex | Profile | Deviation | Threshold | Value | Eigenvalue negative |",
            "|---|---|---|---|---|---|",
        ]
        for c in self:
            v = "not real" if c.value is None else f"{c.value:.6g}"
            lines.append(
                f"| {c.vertex} | {', '.join(c.profile)} | {', '.join(c.deviation)} | "
                f"{c.parameter} = {sympy.sstr(c.expression)} | {v} | {c.negative_when or ''} |"
            )
        return "\n".join(lines) + "\n"

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def _repr_html_(self) -> str:
        return _html(self.to_markdown())

    def to_frame(self) -> Any:
        """One row per critical value as a :class:`pandas.DataFrame`; needs pandas.

        Columns: ``vertex``, ``profile``, ``deviation``, ``parameter``,
        ``expression`` (text), ``value``, ``negative_when``.
        """
        pd = _pandas()
        columns = ["vertex", "profile", "deviation", "parameter", "expression", "value", "negative_when"]
        records = [
            {
                "vertex": c.vertex,
                "profile": c.profile,
                "deviation": c.deviation,
                "parameter": c.parameter,
                "expression": sympy.sstr(c.expression),
                "value": c.value,
                "negative_when": c.negative_when,
            }
            for c in self
        ]
        return pd.DataFrame.from_records(records, columns=columns)


def critical_values(
    model: Game | Dynamics, parameter: str, params: Mapping[str, Any] | None = None
) -> CriticalValues:
    """Thresholds of one parameter at which a vertex changes stability.

    For every vertex and every eigenvalue :math:`\\lambda(p)` that depends on
    ``parameter``, solves :math:`\\lambda = 0` for it (symbolic) and evaluates the
    solution at ``params`` (the game's defaults fill the rest).

    Parameters
    ----------
    model
        A :class:`~gametheory.game.Game` or any :class:`~gametheory.dynamics.base.Dynamics`
        whose vertex eigenvalues are the payoff differences.
    parameter
        The parameter whose thresholds are wanted.
    params
        Values of the other parameters (the game's defaults fill the rest).

    Returns
    -------
    CriticalValues
        A tuple of :class:`CriticalValue`, sorted by value (non-real ones last).

    Examples
    --------
    >>> from gametheory.models import crisis_governance
    >>> values = critical_values(crisis_governance.game(), "lam", crisis_governance.STATUS_QUO)
    >>> sorted({c.parameter for c in values})
    ['lam']
    """
    dyn = as_dynamics(model)
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
    return CriticalValues(out)
