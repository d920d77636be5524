r"""Models typed in from their equations: replicator equations of two-strategy populations.

Most published tripartite models print the replicator equations, not the payoff
table.  :func:`from_equations` accepts them, one equation per population,

.. math::  \dot x_i = x_i\,(1 - x_i)\,\Delta_i(x_{-i}),

recovers each payoff advantage :math:`\Delta_i` exactly (sympy), checks that
the equation has this form (a clear error otherwise), and builds an equivalent
:class:`~gametheory.game.Game`: population ``i`` earns :math:`\Delta_i` at each
opponents' pure profile with its first strategy and ``0`` with its second.  Its
replicator dynamics are exactly the given equations, so the whole analysis
applies.  That works because in a multi-population game :math:`\Delta_i` is
*multilinear* in the other populations' shares and independent of the own share
(:math:`\Delta_i` is the expected payoff difference over the opponents' mixed
profile); an equation that breaks this is not the replicator dynamics of any
game and is refused, naming the state and the offending variable.

Equations are given as a mapping ``{state: right-hand side}`` or as a list of
strings ``"x' = ..."`` / ``"dx/dt = ..."``, in population order.  The state
names may be anything; the game's states are renamed to the package's
convention (``x``, ``y``, ``z``, ... in the given order, see
:func:`~gametheory.game.state_names`).

Examples
--------
>>> dyn = from_equations(["p' = p*(1 - p)*(b*q - c)", "q' = q*(1 - q)*(a - d*p)"])
>>> dyn.equations[0], dyn.equations[1]
(x*(1 - x)*(b*y - c), y*(1 - y)*(a - d*x))
>>> dyn.game.payoff(("1", "1"), "p"), dyn.game.payoff(("1", "2"), "p")
(b - c, -c)
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from typing import Any

import sympy

from .dynamics.replicator import ReplicatorDynamics
from .errors import ParseError, SpecificationError, keywords_checked
from .expressions import parse_expression
from .game import Game, Population, state_names

__all__ = ["from_equations", "parse_equations"]

_LHS = re.compile(r"^\s*(?:d\s*(?P<d>\w+)\s*/\s*dt|(?P<p>\w+)\s*'|(?P<dot>\w+)\s*_dot)\s*=(?!=)")


@keywords_checked
def parse_equations(equations: Any) -> dict[str, sympy.Expr]:
    """Equations as ``{state name: right-hand side}`` (sympy), in the order given.

    Accepts a mapping ``{name: text or sympy}`` or a sequence of ``"x' = ..."``,
    ``"dx/dt = ..."`` or ``"x_dot = ..."`` strings.  Right-hand sides go through the
    safe parser (:func:`~gametheory.expressions.parse_expression`).

    Examples
    --------
    >>> parse_equations(["dx/dt = x*(1 - x)*(a - y)", "y' = y*(1 - y)*x"])
    {'x': x*(1 - x)*(a - y), 'y': x*y*(1 - y)}
    >>> parse_equations(["x = 1"])
    Traceback (most recent call last):
    ...
    gametheory.errors.ParseError: equation 1 'x = 1' does not start with "x' =", "dx/dt =" or "x_dot ="
    """
    if isinstance(equations, Mapping):
        items = [(str(k), v) for k, v in equations.items()]
    elif isinstance(equations, Sequence) and not isinstance(equations, (str, bytes)):
        items = []
        for k, text in enumerate(equations, 1):
            m = _LHS.match(text) if isinstance(text, str) else None
            if m is None:
                raise ParseError(
                    f'equation {k} {text!r:.60} does not start with "x\' =", "dx/dt =" or "x_dot ="'
                )
            items.append((m.group("d") or m.group("p") or m.group("dot"), text[m.end() :]))
    else:
        raise SpecificationError(
            f'equations must be a mapping {{state: right-hand side}} or a list of "x\' = ..." strings, '
            f"got {type(equations).__name__}"
        )
    if not items:
        raise SpecificationError("no equations given")
    out: dict[str, sympy.Expr] = {}
    for name, rhs in items:
        if name in out:
            raise SpecificationError(f"state {name!r} has two equations")
        out[name] = parse_expression(rhs, where=f"the equation of {name!r}")
    return out


def advantage(rhs: sympy.Expr, state: sympy.Symbol, others: Sequence[sympy.Symbol]) -> sympy.Expr:
    r"""The payoff advantage :math:`\Delta` of ``rhs = s (1 - s) \Delta``, checked to be a game's.

    Raises
    ------
    SpecificationError
        If ``rhs`` is not ``s (1 - s)`` times an expression, if that expression depends on ``s``,
        or if it is not multilinear in the other states (naming the state and the variable).

    Examples
    --------
    >>> x, y = sympy.symbols("x y")
    >>> advantage(x * (1 - x) * (2 * y - 1), x, [y])
    2*y - 1
    >>> advantage(x * (1 - x) * (x - y), x, [y])
    Traceback (most recent call last):
    ...
    gametheory.errors.SpecificationError: the equation of 'x' is x*(1 - x)*Delta with Delta = x - y, which depends on x itself: in a multi-population game a strategy's advantage depends only on the other populations' shares
    """
    quotient, remainder = sympy.div(sympy.expand(rhs), sympy.expand(state * (1 - state)), state)
    if sympy.expand(remainder) != 0:
        raise SpecificationError(
            f"the equation of {state.name!r}, {rhs}, is not of the replicator form "
            f"{state.name}*(1 - {state.name})*Delta (it is not zero at {state.name} = 0 and {state.name} = 1)"
        )
    delta = sympy.factor_terms(sympy.expand(quotient))
    if delta.has(state):
        raise SpecificationError(
            f"the equation of {state.name!r} is {state.name}*(1 - {state.name})*Delta with Delta = {delta}, "
            f"which depends on {state.name} itself: in a multi-population game a strategy's advantage "
            "depends only on the other populations' shares"
        )
    for other in others:
        if sympy.degree(delta, other) > 1:
            raise SpecificationError(
                f"the advantage Delta = {delta} in the equation of {state.name!r} is not linear in "
                f"{other.name!r}: an expected payoff is linear in each other population's shares"
            )
    return delta


@keywords_checked
def from_equations(
    equations: Any,
    *,
    populations: Mapping[str, Sequence[str]] | None = None,
    parameters: Mapping[str, Any] | Sequence[Any] | None = None,
    name: str = "",
) -> ReplicatorDynamics:
    """A game's replicator dynamics from its equations, one two-strategy population per equation.

    Parameters
    ----------
    equations
        ``{state: right-hand side}`` or ``["x' = ...", ...]`` (see :func:`parse_equations`),
        one per population, each :math:`x (1 - x) \\Delta(\\text{other states})`.
    populations
        ``{population name: [first strategy, second strategy]}`` in the equations' order;
        by default each population is named after its state, with strategies ``"1"``, ``"2"``.
    parameters
        As for :class:`~gametheory.game.Game` (defaults, bounds...); by default every other
        name in the equations is a parameter without a default.
    name
        The model's name.

    Returns
    -------
    ReplicatorDynamics
        The replicator dynamics of the equivalent game (``.game``); its states are
        renamed to ``x, y, z, ...`` in the given order.

    Examples
    --------
    >>> dyn = from_equations({"x": "x*(1 - x)*(F - C*y)", "y": "y*(1 - y)*(R*x - 1)"},
    ...                      parameters={"F": 2, "C": 3, "R": 2})
    >>> dyn.vector_field([0.5, 0.5]).tolist()
    [0.125, 0.0]
    """
    given = parse_equations(equations)
    user_states = [sympy.Symbol(n) for n in given]
    if populations is None:
        pops: dict[str, Sequence[str]] = {s: ("1", "2") for s in given}
    elif not isinstance(populations, Mapping) or len(populations) != len(given):
        raise SpecificationError(
            f"populations must map one population name to its two strategies per equation "
            f"({len(given)}), got {populations!r:.80}"
        )
    else:
        pops = dict(populations)
    canonical = [sympy.Symbol(n) for n in state_names([Population(n, s) for n, s in pops.items()])]
    deltas = []
    for state, rhs in zip(user_states, given.values()):
        others = [s for s in user_states if s != state]
        deltas.append(advantage(rhs, state, others))
    rename = dict(zip(user_states, canonical))
    clash = sorted(
        {s.name for d in deltas for s in d.free_symbols} & {c.name for c in canonical} - set(given)
    )
    if clash:
        raise SpecificationError(
            f"the equations use {clash[0]!r} as a parameter, but it is the name of a state of the game "
            f"({', '.join(c.name for c in canonical)}); rename that parameter"
        )
    table: dict[tuple[str, ...], list[Any]] = {}
    strategies = [tuple(s) for s in pops.values()]
    for i, delta in enumerate(deltas):
        others = [l for l in range(len(deltas)) if l != i]
        for profile in itertools.product(*strategies):
            at = {user_states[l]: 1 if profile[l] == strategies[l][0] else 0 for l in others}
            own_first = profile[i] == strategies[i][0]
            table.setdefault(profile, [0] * len(deltas))[i] = (
                sympy.expand(delta.xreplace(at)).xreplace(rename) if own_first else 0
            )
    game = Game.from_table(pops, {p: tuple(v) for p, v in table.items()}, parameters=parameters, name=name)
    return game.replicator()
