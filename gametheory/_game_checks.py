"""Validation of a game's specification: populations, payoff table, declared parameters.

The checks :class:`~gametheory.game.Game` runs on what it is given; each raises a
:class:`~gametheory.errors.SpecificationError` naming the culprit.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy

from .errors import SpecificationError, suggest
from .expressions import parse_expression
from .parameters import Parameter

if TYPE_CHECKING:
    from .game import Population


def _payoff_table(pops: tuple[Population, ...], payoffs: Any) -> tuple[tuple[sympy.Expr, ...], ...]:
    if not isinstance(payoffs, Mapping):
        raise SpecificationError(
            f"payoffs must be a mapping profile -> tuple of payoffs, got {type(payoffs).__name__}"
        )
    expected = list(itertools.product(*(p.strategies for p in pops)))
    given: dict[tuple[str, ...], Any] = {}
    for key, value in payoffs.items():
        profile = tuple(key) if isinstance(key, (tuple, list)) else key
        if not isinstance(profile, tuple) or len(profile) != len(pops):
            raise SpecificationError(
                f"profile {key!r} must name one strategy for each of the {len(pops)} populations "
                f"{[p.name for p in pops]}"
            )
        for pop, s in zip(pops, profile):
            pop.index(s)  # raises a clear error for unknown strategies
        given[profile] = value
    missing = [p for p in expected if p not in given]
    if missing:
        shown = ", ".join(str(m) for m in missing[:8]) + (" ..." if len(missing) > 8 else "")
        raise SpecificationError(
            f"the payoff table misses {len(missing)} of {len(expected)} strategy profiles: {shown}"
        )
    table = []
    for profile in expected:
        row = given[profile]
        if isinstance(row, np.ndarray) and row.ndim == 1:
            row = list(row)  # a row of a numpy payoff array: its entries are numpy scalars
        if isinstance(row, (str, bytes)) or not isinstance(row, Sequence):
            raise SpecificationError(
                f"payoffs at {profile} must be a sequence of {len(pops)} values, one per population "
                f"{[p.name for p in pops]}; got {row!r}"
            )
        if len(row) != len(pops):
            raise SpecificationError(
                f"payoffs at {profile} have {len(row)} entries, expected {len(pops)} "
                f"(one per population {[p.name for p in pops]})"
            )
        table.append(
            tuple(
                parse_expression(v, where=f"the payoff of {pop.name!r} at {profile}")
                for pop, v in zip(pops, row)
            )
        )
    return tuple(table)


def _parameters(
    table: tuple[tuple[sympy.Expr, ...], ...], parameters: Any, states: Sequence[str] = ()
) -> tuple[Parameter, ...]:
    """Declared parameters (or the sorted names the payoffs use, when none are declared).

    Every name the payoffs use must be declared.  Declared names that no payoff
    uses are kept (a paper's full parameter set may be declared for every table);
    they are listed as likely typos only when a used name is undeclared.
    """
    used = sorted({s.name for row in table for e in row for s in e.free_symbols} - set(states))
    if parameters is None:
        return tuple(Parameter(n) for n in used)
    if isinstance(parameters, Mapping):
        declared = []
        for key, value in parameters.items():
            if isinstance(value, Parameter):
                if value.name != key:
                    raise SpecificationError(f"parameter declared under {key!r} is named {value.name!r}")
                declared.append(value)
            else:
                declared.append(Parameter(str(key), value))
    elif isinstance(parameters, Iterable) and not isinstance(parameters, str):
        declared = []
        for p in parameters:
            if not isinstance(p, Parameter):
                raise SpecificationError(f"parameters must be Parameter objects, got {p!r}")
            declared.append(p)
    else:
        raise SpecificationError(
            f"parameters must be a mapping name -> default or a sequence of Parameter, got {parameters!r}"
        )
    names = [p.name for p in declared]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise SpecificationError(f"parameter(s) {dupes} are declared more than once")
    problems = [
        f"payoffs use {n!r}, which is not declared{suggest(n, names)}" for n in used if n not in names
    ]
    if problems:
        problems += [
            f"parameter {n!r} is declared but no payoff uses it{suggest(n, used)}"
            for n in names
            if n not in used
        ]
        raise SpecificationError("inconsistent parameters:\n  - " + "\n  - ".join(problems))
    return tuple(declared)
