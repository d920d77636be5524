r"""Models typed in from their equations: replicator equations of two-strategy populations, or any system.

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

Equations of any other form are a general system with ``form="general"`` (or
``form="auto"``): a :class:`~gametheory.dynamics.given.GivenDynamics`, the field as
typed on the product of the populations' simplices, without payoffs, analysed by
the general (numerical) machinery; see :func:`from_equations` and
:func:`general_dynamics`.

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

from .dynamics.base import Dynamics
from .dynamics.given import GameShape, GivenDynamics
from .errors import ParseError, SpecificationError, keywords_checked, suggest
from .expressions import parse_expression
from .game import Game, Population, state_names

__all__ = ["from_equations", "general_dynamics", "parse_equations"]

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
    form: str = "replicator",
) -> Dynamics:
    """A dynamics from its equations: a game's replicator dynamics, or a general system.

    Parameters
    ----------
    equations
        ``{state: right-hand side}`` or ``["x' = ...", ...]`` (see :func:`parse_equations`).
        For ``form="replicator"``: one per population, each
        :math:`x (1 - x) \\Delta(\\text{other states})`.  For ``form="general"``: any
        right-hand sides :math:`F(x; p)`, one per state.
    populations
        ``{population name: [strategy, ...]}``.  Each population's states are the shares of
        its strategies but the last (whose share is one minus theirs).  When the strategies
        are named like the typed states, each typed state is the share of its namesake
        (an equation of any other name is an error); otherwise the states take the places
        in the equations' order.  By default each equation is one population named after its
        state, with strategies ``"1"``, ``"2"``.  ``form="replicator"`` needs two strategies
        per population.
    parameters
        As for :class:`~gametheory.game.Game` (defaults, bounds...); by default every other
        name in the equations is a parameter without a default.
    name
        The model's name.
    form
        ``"replicator"`` (default): the equations must be of two-strategy replicator form;
        otherwise a :class:`~gametheory.errors.SpecificationError` says why and points to
        ``form="general"`` (a typo in a replicator model is caught, never silently turned
        into a system without game theory).  ``"general"``: a
        :class:`~gametheory.dynamics.given.GivenDynamics`, the field as typed, no payoffs,
        analysed numerically (its state space checked, see that module).  ``"auto"``: the
        replicator dynamics when the form holds, else the general system; ``dyn.form``
        (``"replicator"`` or ``"general"``) says which.

    Returns
    -------
    Dynamics
        The replicator dynamics of the equivalent game (``.game``), or a
        :class:`~gametheory.dynamics.given.GivenDynamics`; its states are renamed to the
        package's names (``x, y, z, ...``, see :func:`~gametheory.game.state_names`).

    Examples
    --------
    >>> dyn = from_equations({"x": "x*(1 - x)*(F - C*y)", "y": "y*(1 - y)*(R*x - 1)"},
    ...                      parameters={"F": 2, "C": 3, "R": 2})
    >>> dyn.vector_field([0.5, 0.5]).tolist(), dyn.form
    ([0.125, 0.0], 'game')

    A predator-prey system in shares (not a game's replicator dynamics):

    >>> dyn = from_equations(["p' = p*(1 - p)*(a - q)", "q' = q*(1 - q)*(p - b) - m*q"],
    ...                      parameters={"a": 0.5, "b": 0.3, "m": 0.1}, form="auto")
    >>> type(dyn).__name__, dyn.form, dyn.equations[1]
    ('GivenDynamics', 'general', -m*y + y*(1 - y)*(-b + x))
    """
    if form not in ("replicator", "general", "auto"):
        hint = suggest(form, ("replicator", "general", "auto")) if isinstance(form, str) else ""
        raise SpecificationError(f"unknown form {form!r}{hint}; choose 'replicator', 'general' or 'auto'")
    given = parse_equations(equations)
    if form == "general":
        return general_dynamics(given, populations, parameters, name)
    if form == "auto" and not _replicator_shaped(populations, len(given)):
        return general_dynamics(given, populations, parameters, name)
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
        wide = [p for p, strategies in pops.items() if isinstance(strategies, str) or len(strategies) != 2]
        if wide:
            raise SpecificationError(
                f"population {wide[0]!r} does not have two strategies: the replicator form "
                "x*(1 - x)*Delta is for two-strategy populations; pass form='general' for others"
            )
    canonical = [sympy.Symbol(n) for n in state_names([Population(n, s) for n, s in pops.items()])]
    deltas = []
    for state, rhs in zip(user_states, given.values()):
        others = [s for s in user_states if s != state]
        try:
            deltas.append(advantage(rhs, state, others))
        except SpecificationError as exc:
            if form == "auto":
                return general_dynamics(given, populations, parameters, name)
            raise SpecificationError(
                f"{exc}; to analyse it as a general system (no payoffs), pass form='general'"
            ) from None
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


def _replicator_shaped(populations: Any, n_equations: int) -> bool:
    """Whether ``populations`` allows the replicator form: none given, or two strategies each."""
    if populations is None:
        return True
    return isinstance(populations, Mapping) and all(
        not isinstance(s, str) and isinstance(s, Sequence) and len(s) == 2 for s in populations.values()
    )


def general_dynamics(
    given: Mapping[str, sympy.Expr],
    populations: Mapping[str, Sequence[str]] | None = None,
    parameters: Mapping[str, Any] | Sequence[Any] | None = None,
    name: str = "",
) -> GivenDynamics:
    """The general system of parsed equations ``{typed state: right-hand side}`` (``form="general"``).

    Binds the typed states to the populations' states (by name when the strategies are
    named like the typed states, else in the equations' order), renames them to the
    package's names and builds the :class:`~gametheory.dynamics.given.GivenDynamics`.

    Examples
    --------
    >>> dyn = general_dynamics(parse_equations(["a' = 1/3 - a", "b' = 1/4 - b", "c' = c*(1 - c)"]),
    ...                        {"one": ["b", "a", "rest"], "two": ["c", "d"]})
    >>> dyn.given_names, dyn.equations.T
    (('b', 'a', 'c'), Matrix([[1/4 - x1, 1/3 - x2, y*(1 - y)]]))
    """
    typed = list(given)
    if populations is None:
        populations = {n: ("1", "2") for n in typed}
    if not isinstance(populations, Mapping):
        raise SpecificationError(
            f"populations must map each population name to its strategies, got {type(populations).__name__}"
        )
    pops = [Population(str(k), v) for k, v in populations.items()]
    slots = [s for pop in pops for s in pop.strategies[:-1]]
    for pop in pops:
        if pop.strategies[-1] in given:
            raise SpecificationError(
                f"the equation of {pop.strategies[-1]!r} names the last strategy of population {pop.name!r}, "
                "whose share is one minus the others' (not a state): list a state's strategy before the last"
            )
    by_name = [n for n in typed if n in slots]
    if by_name and len(by_name) < len(typed):
        stray = next(n for n in typed if n not in slots)
        raise SpecificationError(
            f"the equation of {stray!r}: {stray!r} is not a state of the populations (their states, the shares "
            f"of all strategies but each population's last, are {', '.join(map(repr, slots))}); the states are "
            "bound by name since some equations are named like strategies"
        )
    if len(slots) != len(typed):
        raise SpecificationError(
            f"the populations have {len(slots)} states ({', '.join(map(repr, slots))}: the shares of all "
            f"strategies but each population's last), but {len(typed)} equations are given ({', '.join(typed)})"
        )
    order = list(slots) if by_name else typed
    canonical = [sympy.Symbol(n) for n in state_names(pops)]
    typed_symbols = [sympy.Symbol(n) for n in order]
    used = sorted({s.name for e in given.values() for s in e.free_symbols} - set(typed))
    declared = None if parameters is None else _declared_names(parameters)
    for n in (*used, *(declared or ())):
        where = [t for t in order if sympy.Symbol(n) in given[t].free_symbols] or ["the parameters"]
        if n in given:
            raise SpecificationError(f"parameter {n!r} is named like a state of the equations; rename it")
        if n in {c.name for c in canonical}:
            raise SpecificationError(
                f"the equation of {where[0]!r} uses {n!r} as a parameter, but it is the name of a state of the "
                f"system ({', '.join(c.name for c in canonical)}); rename that parameter"
            )
        if declared is not None and n not in declared:
            raise SpecificationError(
                f"the equation of {where[0]!r} uses {n!r}, which is not a declared parameter"
            )
    rename = dict(zip(typed_symbols, canonical))
    rhs = [given[t].xreplace(rename) for t in order]
    shape = GameShape(pops, parameters if parameters is not None else {n: None for n in used}, name,
                      equations=[str(e) for e in rhs])  # fmt: skip
    return GivenDynamics(shape, rhs, order)


def _declared_names(parameters: Any) -> list[str]:
    if isinstance(parameters, Mapping):
        return [str(k) for k in parameters]
    if isinstance(parameters, Sequence) and not isinstance(parameters, str):
        return [getattr(p, "name", str(p)) for p in parameters]
    raise SpecificationError(
        f"parameters must be a mapping name -> default or a sequence of Parameter, got {parameters!r:.60}"
    )
