r"""One-population (symmetric) games: a matrix game or a ``d``-player group game within one population.

A *one-population game* has one population whose members play a symmetric game
against each other: a role-free game in which a player's payoff depends only on
its own strategy and on the strategies of its co-players, not on who is who.

**Two players** (``players=2``): a :math:`k \times k` matrix :math:`A`, with
:math:`a_{ij}` the payoff of strategy :math:`i` against a co-player using
:math:`j`.  Against a co-player drawn at random from the population, strategy
:math:`i` earns

.. math::  f_i(x) = (A x)_i = \sum_j a_{ij} x_j .

**d players** (``players=d``): groups of ``d`` are drawn at random from an
infinite population; the payoff :math:`a_i(n)` of a focal player using
strategy :math:`i` depends on the counts :math:`n = (n_1, \dots, n_k)`,
:math:`\sum_j n_j = d - 1`, of its ``d - 1`` co-players using each strategy.
The counts are multinomially distributed, so

.. math::  f_i(x) = \sum_{|n| = d - 1} \binom{d - 1}{n_1, \dots, n_k}
           \prod_j x_j^{n_j}\, a_i(n).

Payoffs :math:`a_i(n)` are written in terms of count names: ``n1``, ``n2``, ...
(the number of co-players using the 1st, 2nd, ... strategy) or, for a strategy
whose name is a Python identifier, ``n_<name>`` (``n_C`` for strategy ``C``).
A public goods game with cooperators ``C`` (who pay ``c``) and defectors ``D``,
group size ``d`` and multiplication factor ``r``: ``a_C = r*c*(n_C + 1)/d - c``,
``a_D = r*c*n_C/d``.  Any parsed expression of the counts is allowed (a threshold
``Heaviside(n_C - 2)`` too): it is evaluated exactly at every integer count
vector, never as code.  With ``players=2`` the counts form is the matrix form with
:math:`a_{ij} = a_i(e_j)`.

Conventions.  The population is infinite and players are matched uniformly at
random (no self-interaction: the co-players are other members, drawn with
replacement from the shares).  The state holds the shares of all strategies but
the last (``x`` for two strategies, ``x1, x2, ...`` for three or more, see
:func:`~gametheory.game.state_names`).  Internally the game is stored as a
one-population game with state-dependent payoffs :math:`f_i(x)` (the payoff of
the pure "profile" :math:`(i,)`), so every dynamics of the package applies.

The two-population embedding (population 2 plays :math:`B = A^T`) has the same
trajectories when both populations start in the same state, but it is another
model: its stability theory is that of two populations (see
:func:`is_symmetric_embedding`).

Examples
--------
>>> from gametheory.game import Game
>>> rps = Game.symmetric(["R", "P", "S"], [[0, -1, 2], [2, 0, -1], [-1, 2, 0]], name="good RPS")
>>> rps.n_populations, rps.state_dependent
(1, True)
>>> rps.replicator().expected_payoffs[0]
(-2*x1 - 3*x2 + 2, 3*x1 + x2 - 1, -x1 + 2*x2)
"""

from __future__ import annotations

import itertools
import keyword
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy

from ._state_names import state_names
from .errors import SpecificationError, suggest
from .expressions import parse_expression
from .limits import MAX_PROFILES

if TYPE_CHECKING:
    from .game import Game, Population

__all__ = ["SymmetricPayoffs", "count_names", "is_symmetric_embedding"]


@dataclass(frozen=True)
class SymmetricPayoffs:
    """The payoffs of a one-population game as the user gave them (immutable).

    Attributes
    ----------
    players : int
        Group size ``d`` (2 for a matrix game).
    strategies : tuple of str
    form : str
        ``"matrix"`` (``table[i][j]`` = :math:`a_{ij}`) or ``"counts"`` (``table[i]`` =
        :math:`a_i(n)` in the count symbols ``n1, n2, ...``).
    table : tuple
        The parsed payoffs, as described by ``form``.

    Examples
    --------
    >>> from gametheory.game import Game
    >>> g = Game.symmetric(["H", "D"], [["(V - C)/2", "V"], [0, "V/2"]])
    >>> g.symmetric_payoffs.form, g.symmetric_payoffs.table[0]
    ('matrix', (-C/2 + V/2, V))
    """

    players: int
    strategies: tuple[str, ...]
    form: str
    table: tuple[Any, ...]

    def matrix(self) -> sympy.ImmutableMatrix:
        """The :math:`k \\times k` payoff matrix of a two-player game (``players == 2``).

        Examples
        --------
        >>> from gametheory.game import Game
        >>> Game.symmetric(["H", "D"], [[-1, 2], [0, 1]]).symmetric_payoffs.matrix()
        Matrix([
        [-1, 2],
        [ 0, 1]])
        """
        if self.players != 2:
            raise SpecificationError(f"a {self.players}-player group game has no payoff matrix")
        if self.form == "matrix":
            return sympy.ImmutableMatrix(self.table)
        k = len(self.strategies)
        counts = _count_symbols(k)
        return sympy.ImmutableMatrix(
            [
                [self.table[i].xreplace({n: int(j == m) for m, n in enumerate(counts)}) for j in range(k)]
                for i in range(k)
            ]
        )

    def fitness(self, shares: Sequence[sympy.Expr]) -> tuple[sympy.Expr, ...]:
        """Expected payoffs :math:`f_i(x)` at the full share vector ``shares`` (see module docstring).

        Examples
        --------
        >>> import sympy
        >>> from gametheory.game import Game
        >>> pgg = Game.symmetric(["C", "D"], {"C": "r*(n_C + 1)/3 - 1", "D": "r*n_C/3"}, players=3)
        >>> p = sympy.Symbol("p")
        >>> [sympy.factor(f) for f in pgg.symmetric_payoffs.fitness([p, 1 - p])]
        [(2*p*r + r - 3)/3, 2*p*r/3]
        """
        if self.form == "matrix":
            return tuple(sympy.Add(*(a * s for a, s in zip(row, shares))) for row in self.table)
        k = len(self.strategies)
        counts = _count_symbols(k)
        out = []
        for payoff in self.table:
            terms = []
            for n in compositions(self.players - 1, k):
                value = payoff.xreplace(dict(zip(counts, n)))
                if value == 0:
                    continue
                weight = math.factorial(self.players - 1) // math.prod(math.factorial(m) for m in n)
                terms.append(weight * value * sympy.Mul(*(s**m for s, m in zip(shares, n))))
            out.append(sympy.Add(*terms))
        return tuple(out)

    def lines(self) -> list[str]:
        """The payoffs as text lines (matrix rows, or one payoff function per strategy)."""
        if self.form == "matrix":
            return [
                f"{s}: [{', '.join(sympy.sstr(e) for e in row)}]"
                for s, row in zip(self.strategies, self.table)
            ]
        return [f"{s}: {sympy.sstr(e)}" for s, e in zip(self.strategies, self.table)]


def count_names(strategies: Sequence[str]) -> dict[str, int]:
    """The names a group-game payoff may use for the co-player counts, with the strategy index each counts.

    Examples
    --------
    >>> count_names(["C", "D", "tit-for-tat"])
    {'n1': 0, 'n2': 1, 'n3': 2, 'n_C': 0, 'n_D': 1}
    """
    out = {f"n{j + 1}": j for j in range(len(strategies))}
    for j, s in enumerate(strategies):
        if s.isidentifier() and not keyword.iskeyword(s):
            out.setdefault(f"n_{s}", j)
    return out


def compositions(total: int, parts: int) -> list[tuple[int, ...]]:
    """All ``parts``-tuples of non-negative integers summing to ``total``, in lexicographic order."""
    out = []
    for cuts in itertools.combinations(range(total + parts - 1), parts - 1):
        bounds = (-1, *cuts, total + parts - 1)
        out.append(tuple(bounds[i + 1] - bounds[i] - 1 for i in range(parts)))
    return out


def _count_symbols(k: int) -> tuple[sympy.Symbol, ...]:
    return tuple(sympy.Symbol(f"n{j + 1}") for j in range(k))


def build_symmetric(
    pop: Population, payoffs: Any, players: Any
) -> tuple[SymmetricPayoffs, tuple[tuple[sympy.Expr, ...], ...]]:
    """Validate a one-population game; return its spec and its payoff table :math:`f_i(x)`."""

    if not isinstance(players, (int, np.integer)) or isinstance(players, bool):
        raise SpecificationError(f"players (the group size) must be an integer >= 2, got {players!r:.60}")
    players = int(players)
    if players < 2:
        raise SpecificationError(
            f"players = {players}: a group game needs a group size of at least 2 (a focal player and "
            "at least one co-player)"
        )
    k = pop.size
    n_groups = math.comb(players - 1 + k - 1, k - 1)
    if n_groups > MAX_PROFILES:
        raise SpecificationError(
            f"a {players}-player group game with {k} strategies has {n_groups:,} co-player count vectors, "
            f"more than the limit of {MAX_PROFILES:,}"
        )
    form, table = _parse_payoffs(pop, payoffs, players)
    states = [sympy.Symbol(s) for s in state_names((pop,))]
    used = {s.name for e in (table if form == "counts" else itertools.chain(*table)) for s in e.free_symbols}
    clash = sorted(used & {s.name for s in states})
    if clash:
        raise SpecificationError(
            f"the payoffs of a one-population game use {clash[0]!r}, the name of a state variable: "
            "give the payoffs per co-player strategy (a matrix) or per count of co-players "
            f"({', '.join(count_names(pop.strategies))}); the shares enter through the matching"
        )
    spec = SymmetricPayoffs(players, pop.strategies, form, table)
    shares = [*states, 1 - sum(states)]
    fitness = spec.fitness(shares)
    return spec, tuple((f,) for f in fitness)


def _parse_payoffs(pop: Population, payoffs: Any, players: int) -> tuple[str, tuple[Any, ...]]:
    k = pop.size
    if isinstance(payoffs, sympy.MatrixBase):
        payoffs = payoffs.tolist()
    elif isinstance(payoffs, np.ndarray):
        if payoffs.ndim not in (1, 2):
            raise SpecificationError(
                f"the payoffs must be a {k}x{k} table, got an array of shape {payoffs.shape}"
            )
        payoffs = payoffs.tolist()
    if isinstance(payoffs, Mapping):
        unknown = [key for key in payoffs if key not in pop.strategies]
        if unknown:
            pop.index(unknown[0])  # raises, naming the strategy
        missing = [s for s in pop.strategies if s not in payoffs]
        if missing:
            raise SpecificationError(f"the payoffs give no entry for strategy {missing[0]!r}")
        rows = [payoffs[s] for s in pop.strategies]
    elif isinstance(payoffs, Sequence) and not isinstance(payoffs, (str, bytes)):
        rows = list(payoffs)
        if len(rows) != k:
            raise SpecificationError(
                f"the payoffs have {len(rows)} rows, expected {k} (one per strategy {list(pop.strategies)})"
            )
    else:
        raise SpecificationError(
            f"payoffs must be a {k}x{k} table (players=2) or one payoff per strategy in terms of the "
            f"co-player counts; got {type(payoffs).__name__}"
        )
    is_row = [isinstance(r, (Sequence, np.ndarray)) and not isinstance(r, (str, bytes)) for r in rows]
    if all(is_row):
        if players != 2:
            raise SpecificationError(
                f"a {k}x{k} payoff matrix describes a 2-player game, but players = {players}: for a "
                "group game give each strategy's payoff in terms of the co-player counts "
                f"({', '.join(count_names(pop.strategies))})"
            )
        table = []
        for s, row in zip(pop.strategies, rows):
            row = list(row)
            if len(row) != k:
                raise SpecificationError(
                    f"the payoff row of strategy {s!r} has {len(row)} entries, expected {k} "
                    f"(one per co-player strategy {list(pop.strategies)})"
                )
            table.append(
                tuple(
                    _parse(
                        v,
                        f"the payoff of {s!r} against {t!r}",
                        count_names(pop.strategies),
                        allow_counts=False,
                    )
                    for t, v in zip(pop.strategies, row)
                )
            )
        return "matrix", tuple(table)
    if any(is_row):
        bad = pop.strategies[is_row.index(not is_row[0]) if is_row[0] else is_row.index(True)]
        raise SpecificationError(
            f"the payoffs mix matrix rows and single payoffs (strategy {bad!r}): give a {k}x{k} matrix or one "
            "payoff per strategy in terms of the co-player counts"
        )
    names = count_names(pop.strategies)
    table = tuple(
        _parse(v, f"the payoff of {s!r}", names, allow_counts=True) for s, v in zip(pop.strategies, rows)
    )
    return "counts", table


def _parse(value: Any, where: str, counts: Mapping[str, int], *, allow_counts: bool) -> sympy.Expr:
    expr = parse_expression(value, where=where)
    symbols = _count_symbols(max(counts.values()) + 1)
    subs = {}
    for s in expr.free_symbols:
        if s.name in counts:
            if not allow_counts:
                raise SpecificationError(
                    f"{where} uses {s.name!r}, a co-player count: a matrix entry is the payoff against one "
                    "co-player's strategy (counts are for group games given per strategy)"
                )
            subs[s] = symbols[counts[s.name]]
        elif s.name.startswith("n_") or (s.name[:1] == "n" and s.name[1:].isdigit()):
            raise SpecificationError(
                f"{where} uses {s.name!r}, which looks like a co-player count but names no strategy; "
                f"the counts are {', '.join(counts)}"
            )
    return expr.xreplace(subs)


def check_count_parameters(game_parameters: Sequence[str], strategies: Sequence[str]) -> None:
    """Refuse a parameter named like a co-player count (it would be ambiguous)."""
    names = count_names(strategies)
    clash = [p for p in game_parameters if p in names]
    if clash:
        raise SpecificationError(
            f"parameter {clash[0]!r} has the name of a co-player count of the group game "
            f"({', '.join(names)}); rename it"
        )


def symmetric_arguments(doc: Mapping[str, Any], source: str) -> dict[str, Any]:
    """The arguments of :meth:`~gametheory.game.Game.symmetric` in a model file's ``[symmetric]`` table."""

    clash = [k for k in ("populations", "payoffs", "state_dependent") if k in doc]
    if clash:
        raise SpecificationError(
            f"model file {source!r}: a [symmetric] game has no {clash[0]!r}: its population, strategies "
            "and payoffs are all in the [symmetric] table"
        )
    table = doc["symmetric"]
    if not isinstance(table, Mapping):
        raise SpecificationError(f"model file {source!r}: [symmetric] must be a table")
    allowed = {"population", "players", "strategies", "payoffs"}
    bad = [k for k in table if k not in allowed]
    if bad:
        raise SpecificationError(
            f"model file {source!r}: [symmetric] has unknown key(s) {bad}{suggest(bad[0], allowed)}; "
            f"allowed: {sorted(allowed)}"
        )
    for key in ("strategies", "payoffs"):
        if key not in table:
            raise SpecificationError(f"model file {source!r}: [symmetric] has no {key!r}")
    if not isinstance(table["strategies"], list):
        raise SpecificationError(f"model file {source!r}: [symmetric] strategies must be a list of names")
    if not isinstance(table["payoffs"], Mapping):
        raise SpecificationError(f"model file {source!r}: [symmetric.payoffs] must be a table")
    name = doc.get("name", "")
    if not isinstance(name, str):
        raise SpecificationError(f"model file {source!r}: name must be a string")
    return {
        "strategies": table["strategies"],
        "payoffs": dict(table["payoffs"]),
        "players": table.get("players", 2),
        "name": name,
        "population": table.get("population", "population"),
    }


def is_symmetric_embedding(game: Game) -> bool:
    """Whether a two-population game is the embedding of a symmetric matrix game, :math:`B = A^T`.

    True when both populations have the same strategies (in the same order) and
    population 2's payoff at :math:`(i, j)` is population 1's at :math:`(j, i)`.
    Such a game is *another model* than the one-population game with matrix
    :math:`A` (:meth:`~gametheory.game.Game.symmetric`): the two populations evolve
    separately, so (Selten 1980) only strict Nash equilibria are ESS and no mixed rest
    point is asymptotically stable, whereas in one population an interior ESS is.

    Examples
    --------
    >>> from gametheory.game import Game
    >>> A = [[0, -1, 2], [2, 0, -1], [-1, 2, 0]]
    >>> pops = {"row": ["R", "P", "S"], "col": ["R", "P", "S"]}
    >>> two = Game(pops, {(r, c): (A[i][j], A[j][i]) for i, r in enumerate("RPS") for j, c in enumerate("RPS")})
    >>> is_symmetric_embedding(two)
    True
    """
    if game.n_populations != 2 or game.populations[0].strategies != game.populations[1].strategies:
        return False
    a, b = game.payoff_array(0), game.payoff_array(1)
    k = game.populations[0].size
    return all(sympy.expand(a[i, j] - b[j, i]) == 0 for i in range(k) for j in range(k))
