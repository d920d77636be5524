"""The payoff table of a game, compiled once, for checks of payoff signs at parameter values.

Dynamics whose meaning depends on the sign of payoffs (the adjusted replicator
divides by the mean payoff; the replicator-mutator is not invariant under payoff
shifts) evaluate every entry of the table at the parameter values in use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import sympy

from ..codegen import compile_expressions
from ..errors import SpecificationError
from ..game import Game


class PayoffTable:
    """Every payoff of a game, compiled, with the population and profile it belongs to.

    Examples
    --------
    >>> from gametheory.models import classic
    >>> table = PayoffTable(classic.matching_pennies_3())
    >>> print(table.first(np.array([2.0]), lambda v: v < 0))
    the payoff of 'player3' at profile ('H', 'H', 'H') = -a is -2 at {'a': 2.0}
    """

    def __init__(self, game: Game) -> None:
        if game.state_dependent:
            raise SpecificationError(
                "this dynamics checks the sign of every payoff per strategy profile, which needs payoffs "
                "constant per profile: a game with state-dependent payoffs is not supported (the replicator, "
                "imitation, logit, best-response, BNN and Smith dynamics are)"
            )
        self.game = game
        self.entries = tuple(
            (i, profile, expr) for profile, row in game.payoffs.items() for i, expr in enumerate(row)
        )
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
        at = {
            n: float(np.ravel(p[c])[k] if p.ndim > 1 else p[c])
            for c, n in enumerate(self.game.parameter_names)
        }
        return Offence(self.game.populations[i].name, profile, expr, float(vals[r, k]), at)


class Offence(NamedTuple):
    """A payoff found with a bad value: its population, profile, expression, value and parameter values."""

    population: str
    profile: tuple[str, ...]
    payoff: sympy.Expr
    value: float
    at: dict[str, float]

    def __str__(self) -> str:
        return (
            f"the payoff of {self.population!r} at profile {self.profile} = {self.payoff} is "
            f"{self.value:.6g} at {self.at}"
        )
