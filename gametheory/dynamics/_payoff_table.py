"""Checks of payoff values at parameter values: signs (the payoff table) and finiteness.

Dynamics whose meaning depends on the sign of payoffs (the adjusted replicator
divides by the mean payoff; the replicator-mutator is not invariant under payoff
shifts) evaluate every entry of the table at the parameter values in use.  A
state-dependent payoff (a polynomial in the states) enters through its exact
Bernstein coefficients on the state box :math:`[0, 1]^d`
(:mod:`gametheory.dynamics._bernstein`): all of them > 0 prove the payoff > 0 for
every state; for payoffs of degree at most 1 in each state they are its values at
the box's corners, so the test is exact, otherwise sufficient.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import sympy

from ..codegen import CompiledFunction, compile_expressions
from ..errors import ParameterError
from ..game import Game
from ._bernstein import bernstein_coefficients, dense_coefficients


class PayoffTable:
    """Every payoff of a game, compiled, with the population and profile it belongs to.

    Examples
    --------
    >>> from gametheory.models import classic
    >>> table = PayoffTable(classic.matching_pennies_3())
    >>> print(table.first(np.array([2.0]), lambda v: v < 0))
    the payoff of 'player3' at profile ('H', 'H', 'H') = -a is -2 at {'a': 2.0}
    """

    def __init__(self, game: Game, states: tuple[sympy.Symbol, ...] = ()) -> None:
        self.game = game
        entries: list[tuple[int, tuple[str, ...], sympy.Expr, str]] = []
        for profile, row in game.payoffs.items():
            for i, expr in enumerate(row):
                if not game.state_dependent:
                    entries.append((i, profile, expr, ""))
                    continue
                # a payoff polynomial in the states: its exact Bernstein coefficients on the state box
                # [0, 1]^d bound it from both sides (its values at the box's corners when of degree <= 1
                # in each state); the reduced states of every population lie in that box
                poly = sympy.Poly(expr, *states)
                degrees = [max(poly.degree(s), 0) for s in states]
                dense = dense_coefficients(dict(poly.terms()), degrees, dtype=object)
                coeffs = bernstein_coefficients(dense, [0] * len(states), [1] * len(states))
                for index in itertools.product(*(range(n + 1) for n in degrees)):
                    if max(degrees, default=0) <= 1:
                        corner = ", ".join(f"{s} = {k}" for s, k, n in zip(states, index, degrees) if n)
                        where = f" at the state corner ({corner})" if corner else ""
                    else:
                        where = (
                            f" in its Bernstein coefficient {index} on the state box [0, 1]^{len(states)} "
                            "(all coefficients > 0 prove the payoff > 0 there)"
                        )
                    entries.append((i, profile, sympy.expand(coeffs[index]), where))
        self.entries = tuple((i, profile, expr) for i, profile, expr, _ in entries)
        self._where = tuple(w for *_, w in entries)
        self._payoffs = {(i, prof): e for prof, row in game.payoffs.items() for i, e in enumerate(row)}
        self._compiled = compile_expressions(
            "payoff_table", [e for _, _, e in self.entries], [], game.symbols
        )

    def values(self, p: np.ndarray) -> np.ndarray:
        """All payoffs at the parameter vector ``p`` (shape ``(p,)`` or ``(p, n)``) -> ``(m,)`` or ``(m, n)``."""
        with np.errstate(all="ignore"):
            return np.asarray(self._compiled(np.zeros((0,) + p.shape[1:]), p), dtype=float)

    def first(self, p: np.ndarray, bad: Callable[[np.ndarray], np.ndarray]) -> Offence | None:
        """The first payoff whose value satisfies ``bad`` (a vectorised predicate), or None.

        With arrays of parameter values the first offending set is reported.
        """
        vals = self.values(p).reshape(len(self.entries), -1)
        flags = np.asarray(bad(vals), dtype=bool)
        if not flags.any():
            return None
        r, k = (int(v) for v in np.argwhere(flags)[0])
        i, profile, expr = self.entries[r]
        payoff = self._payoffs[(i, profile)]
        at = {
            n: float(np.ravel(p[c])[k] if p.ndim > 1 else p[c])
            for c, n in enumerate(self.game.parameter_names)
        }
        return Offence(self.game.populations[i].name, profile, payoff, float(vals[r, k]), at, self._where[r])


class Offence(NamedTuple):
    """A payoff found with a bad value: its population, profile, expression, value and parameter values."""

    population: str
    profile: tuple[str, ...]
    payoff: sympy.Expr
    value: float
    at: dict[str, float]
    where: str = ""

    def __str__(self) -> str:
        return (
            f"the payoff of {self.population!r} at profile {self.profile} = {self.payoff} is "
            f"{self.value:.6g}{self.where} at {self.at}"
        )


def fragile_payoffs(
    game: Game, states: tuple[sympy.Symbol, ...], parameters: tuple[sympy.Symbol, ...]
) -> tuple[tuple[str, sympy.Expr, CompiledFunction], ...]:
    """Payoffs that may not be finite reals at finite parameters, each with a compiled form.

    A polynomial in the parameters with rational coefficients is finite wherever they are; a
    division, root, log, exp or irrational constant may not be (``1/(a - 1)`` at ``a = 1``,
    ``exp(exp(exp(5)))``).  State-dependent payoffs are checked coefficient by coefficient.

    Examples
    --------
    >>> from gametheory.models import classic
    >>> dyn = classic.matching_pennies_3().replicator()
    >>> fragile_payoffs(dyn.game, dyn.states, dyn.parameters)
    ()
    """
    out = []
    for profile, row in game.payoffs.items():
        for pop, payoff in zip(game.populations, row):
            for expr in sympy.Poly(payoff, *states).coeffs() if game.state_dependent else [payoff]:
                fragile = expr.atoms(sympy.Function, sympy.NumberSymbol) or any(
                    not (q.exp.is_Integer and q.exp >= 0) for q in expr.atoms(sympy.Pow)
                )
                if fragile:
                    where = f"payoff of {pop.name!r} at {profile} = {payoff}"
                    out.append((where, expr, compile_expressions("payoff", [expr], [], parameters)))
    return tuple(out)


def check_payoffs_finite(
    fragile: tuple[tuple[str, sympy.Expr, CompiledFunction], ...], names: tuple[str, ...], p: np.ndarray
) -> None:
    """Refuse parameter values ``p`` at which a payoff of ``fragile`` is not a finite real, naming both.

    Examples
    --------
    >>> import gametheory as gt
    >>> g = gt.Game.from_table({"r": ["A", "B"], "c": ["A", "B"]},
    ...     {("A", "A"): ("1/(a - 1)", 1), ("A", "B"): (0, 0), ("B", "A"): (0, 0), ("B", "B"): (1, 1)})
    >>> dyn = g.replicator()
    >>> check_payoffs_finite(fragile_payoffs(g, dyn.states, dyn.parameters), ("a",), np.array([1.0]))
    Traceback (most recent call last):
    ...
    gametheory.errors.ParameterError: payoff of 'r' at ('A', 'A') = 1/(a - 1) is inf, not a finite real number, at {'a': 1.0}
    """
    for where, expr, f in fragile:
        with np.errstate(all="ignore"):
            value = np.asarray(f(np.zeros((0,) + p.shape[1:]), p), dtype=complex)[0]
        bad = ~np.isfinite(value) | (value.imag != 0)
        if bad.any():
            k = int(np.flatnonzero(np.ravel(bad))[0])
            v = complex(np.broadcast_to(value, bad.shape).ravel()[k])
            at = {n: float(np.ravel(p[i])[k] if p.ndim > 1 else p[i]) for i, n in enumerate(names)}
            # NaN from a real evaluation: show the exact value (sqrt(-1) is I, not NaN)
            shown = sympy.N(expr.subs(at), 6) if np.isnan(v) else v.real
            raise ParameterError(f"{where} is {shown}, not a finite real number, at {at}")
