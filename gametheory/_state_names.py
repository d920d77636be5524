"""State-variable names of a game, and the rules for payoffs that name them.

Payoffs are given per pure strategy profile.  By default they may not use the
names of the state variables (a state name in a payoff would silently become a
parameter).  A game built with ``state_dependent=True`` opts in to
*state-dependent payoffs*: its payoffs may use the state names, each meaning the
current share it names (``x`` is the share of population 1's first strategy,
``y`` that of population 2's first strategy, ``y2`` the share of population 2's
second strategy when it has 3 or more...; see :func:`state_names`).  They are
parsed like every payoff (never evaluated) and must be polynomials in the states
(coefficients may be any expressions in the parameters), so the dynamics are
derived exactly.  Parameters may never be named like states.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING

import sympy

from .errors import SpecificationError

if TYPE_CHECKING:
    from .game import Population
    from .parameters import Parameter

__all__ = ["state_names"]


def state_names(populations: Sequence[Population]) -> tuple[str, ...]:
    """Names of the state variables of any dynamics of a game with these populations.

    The state holds, for each population, the shares of all its strategies but
    the last.  A 2-strategy population's share gets one letter (``x``, ``y``,
    ``z``, ``w``, ``v``, ``u`` for the 1st to 6th population), a population with
    ``k >= 3`` strategies gets ``k - 1`` numbered names (``x1``, ``x2``, ...).
    Games with more than 6 populations use ``x1_``, ``x2_``, ... as letters.
    Payoffs may use these names only in a game built with ``state_dependent=True``
    (see :class:`~gametheory.game.Game`).

    Examples
    --------
    >>> from gametheory.game import Population
    >>> state_names([Population("a", ["H", "T"]), Population("b", ["r", "p", "s"])])
    ('x', 'y1', 'y2')
    """
    letters = "xyzwvu"
    names: list[str] = []
    for i, pop in enumerate(populations):
        letter = letters[i] if len(populations) <= len(letters) else f"x{i + 1}_"
        if pop.size == 2:
            names.append(letter)
        else:
            names.extend(f"{letter}{j + 1}" for j in range(pop.size - 1))
    return tuple(names)


def check_state_names(
    pops: tuple[Population, ...],
    table: tuple[tuple[sympy.Expr, ...], ...],
    params: tuple[Parameter, ...],
    state_dependent: bool,
) -> None:
    """Refuse state names in payoffs (unless ``state_dependent``) and in parameters.

    With ``state_dependent`` a payoff must be a polynomial in the states.
    """
    states = state_names(pops)
    symbols = [sympy.Symbol(s) for s in states]
    profiles = itertools.product(*(p.strategies for p in pops))
    for profile, row in zip(profiles, table):
        for pop, expr in zip(pops, row):
            clash = sorted(s.name for s in expr.free_symbols if s.name in states)
            if clash and not state_dependent:
                raise SpecificationError(
                    f"the payoff of {pop.name!r} at {profile} uses {clash[0]!r}, which is the name of a state "
                    f"variable: payoffs are given per pure strategy profile, and the dynamics' state variables "
                    f"{', '.join(states)} are the shares of the populations' strategies. For a payoff that "
                    f"depends on the state, build the game with state_dependent=True (model files: "
                    f"state_dependent = true). If {clash[0]!r} is a parameter, rename it "
                    f"(e.g. {clash[0].upper() + '_0'!r})"
                )
            if clash and expr.is_polynomial(*symbols) is not True:
                raise SpecificationError(
                    f"the payoff of {pop.name!r} at {profile} = {expr} is not a polynomial in the state "
                    f"variables {', '.join(clash)}: state-dependent payoffs must be polynomials in the "
                    "states (any expression in the parameters may multiply each monomial)"
                )
    clash = [p.name for p in params if p.name in states]
    if clash:
        raise SpecificationError(
            f"parameter {clash[0]!r} has the name of a state variable of the game's dynamics "
            f"({', '.join(states)}); rename it"
        )
