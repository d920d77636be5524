r"""Replicator-mutator dynamics of multi-population games (selection followed by mutation).

Equations
---------
With expected payoffs :math:`f_{ij}(x)`, the population's mean payoff
:math:`\phi_i = \sum_l x_{il} f_{il}` and a row-stochastic mutation matrix
:math:`Q^i` per population (:math:`Q^i_{lj}` is the probability that an offspring
of an ``l``-strategist plays ``j``),

.. math::  \dot x_{ij} = \sum_l x_{il} f_{il} Q^i_{lj} - \phi_i x_{ij}, \qquad j < k_i

(Nowak 2006, *Evolutionary Dynamics*, ch. 4; the convention of nashpy's
``replicator_mutator``).  Rows of :math:`Q^i` summing to one keep each simplex
invariant; :math:`Q^i = I` gives the replicator dynamics.  Time is measured as
for the replicator dynamics (payoff = birth rate); there is no per-population
normalisation.

Mutation matrices
-----------------
``mutation`` is one of

- a number :math:`\mu \in [0, 1]` (or an expression in the game's parameters,
  checked at the values used): uniform mutation
  :math:`Q = (1-\mu) I + \frac{\mu}{k-1}(J - I)` in every population of ``k`` strategies;
- a ``k x k`` matrix (nested lists, numpy array or sympy matrix; entries may be
  numbers, expressions or strings in the game's parameters) used for every
  population of ``k`` strategies;
- a mapping ``{population name: number or matrix}`` with an entry for every population.

Rows must sum to one exactly (symbolically), numeric entries must be >= 0, and
symbolic entries are checked to be >= 0 at the parameter values used
(:meth:`ReplicatorMutatorDynamics.parameter_vector`).

Payoff shifts
-------------
Unlike the replicator dynamics, this dynamics is **not** invariant under adding a
constant to a population's payoffs (mutation acts on the births
:math:`x_{il} f_{il}`, whose proportions change with the shift), and negative
payoffs make the births meaningless.  :meth:`ReplicatorMutatorDynamics.parameter_vector`
warns with :class:`NegativePayoffWarning` when a payoff is negative at the
parameter values used.  The faces of the simplex are not invariant.

State-dependent payoffs
-----------------------
The formula needs only the expected payoffs :math:`f_{ij}(x)`, so it holds unchanged
for a game with state-dependent payoffs (``Game(..., state_dependent=True)``).  The
sign check then reads each payoff polynomial's exact Bernstein coefficients on the
state box: the warning names a coefficient < 0, which is a negative value at a
corner of the box for payoffs of degree at most 1 in each state (and may be
conservative for higher degrees).
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Mapping
from fractions import Fraction
from typing import Any, ClassVar

import numpy as np
import sympy

from ..codegen import compile_expressions
from ..errors import GameError, ParameterError, SpecificationError, suggest
from ..expressions import parse_expression
from ..game import Game
from ._payoff_table import PayoffTable
from .base import Dynamics, TheoryFacts

__all__ = ["NegativePayoffWarning", "ReplicatorMutatorDynamics"]


class NegativePayoffWarning(UserWarning):
    """A payoff is negative where a dynamics reads payoffs as birth rates (the replicator-mutator).

    Examples
    --------
    >>> import warnings
    >>> from gametheory.models import classic
    >>> dyn = classic.matching_pennies_3().dynamics("replicator_mutator", mutation=0.1)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = dyn.vector_field([0.5, 0.5, 0.5])
    >>> caught[0].category.__name__
    'NegativePayoffWarning'
    """


class ReplicatorMutatorDynamics(Dynamics):
    r"""Replicator-mutator :math:`\dot x_{ij} = \sum_l x_{il} f_{il} Q^i_{lj} - \phi_i x_{ij}`.

    Parameters
    ----------
    game : Game
    mutation : number, matrix or mapping
        See the module docstring: a uniform rate :math:`\mu`, one matrix per
        population size, or ``{population name: rate or matrix}``.

    Attributes
    ----------
    mutation_matrices : tuple of sympy.ImmutableMatrix
        :math:`Q^i` of each population, ``(k_i, k_i)``.
    mean_payoffs : tuple of sympy.Expr
        :math:`\phi_i(x)`.

    Raises
    ------
    SpecificationError
        A matrix of the wrong shape, a row not summing to one, a negative entry,
        a rate outside ``[0, 1]``, a symbol that is not a parameter of the game,
        or a mapping missing a population or naming an unknown one (each naming
        the population and row).

    Examples
    --------
    >>> import gametheory as gt
    >>> game = gt.Game.from_table(
    ...     {"row": ["A", "B"], "col": ["A", "B"]},
    ...     {("A", "A"): (3, 1), ("A", "B"): (1, 2), ("B", "A"): (2, 3), ("B", "B"): (4, 1)},
    ... )
    >>> dyn = game.dynamics("replicator_mutator", mutation=0.1)
    >>> dyn.mutation_matrices[0]
    Matrix([
    [9/10, 1/10],
    [1/10, 9/10]])
    >>> dyn.vector_field([1.0, 1.0])  # the vertex is not a rest point
    array([-0.3, -0.1])
    >>> game.dynamics("replicator_mutator", mutation={"row": [[1, 0], [0.5, 0.4]], "col": 0})
    Traceback (most recent call last):
    ...
    gametheory.errors.SpecificationError: mutation matrix of population 'row': row 1 (strategy 'B') sums to 9/10, not 1
    """

    #: Mutation moves mass onto unused strategies: no face is invariant, vertices are
    #: not rest points, and none of the replicator's theorems hold.
    facts: ClassVar[TheoryFacts] = TheoryFacts()
    chart: ClassVar[str] = "shares"

    def __init__(self, game: Game, mutation: Any) -> None:
        super().__init__(game)
        self.mutation_matrices = _mutation_matrices(game, mutation)
        self.expected_payoffs = game.replicator().expected_payoffs
        shares = self.shares_symbolic()
        self.mean_payoffs: tuple[sympy.Expr, ...] = tuple(
            sympy.Add(*(s * f for s, f in zip(shares[i], self.expected_payoffs[i])))
            for i in range(len(game.populations))
        )
        rows = []
        for r, (i, j) in enumerate(self.coordinates):
            Q = self.mutation_matrices[i]
            births = sympy.Add(
                *(s * f * Q[l, j] for l, (s, f) in enumerate(zip(shares[i], self.expected_payoffs[i])))
            )
            rows.append(births - self.mean_payoffs[i] * self.states[r])
        self.equations = sympy.ImmutableMatrix(rows)
        self._payoff_table = PayoffTable(game, self.states)
        # symbolic entries: checked >= 0 at the parameter values used
        self._symbolic_entries = tuple(
            (game.populations[i].name, l, j, Q[l, j])
            for i, Q in enumerate(self.mutation_matrices)
            for l in range(Q.rows)
            for j in range(Q.cols)
            if not Q[l, j].is_number
        )
        self._entries = (
            compile_expressions("mutation", [e for *_, e in self._symbolic_entries], [], self.parameters)
            if self._symbolic_entries
            else None
        )

    def parameter_vector(self, params: Mapping[str, Any] | None = None) -> np.ndarray:
        """As :meth:`Dynamics.parameter_vector`; also checks mutation entries and payoff signs.

        Raises
        ------
        ParameterError
            When a symbolic mutation probability is negative at the values.

        Warns
        -----
        NegativePayoffWarning
            When a payoff is negative at the values (see the module docstring).
        """
        p = super().parameter_vector(params)
        if self._entries is not None:
            with np.errstate(all="ignore"):
                values = np.asarray(self._entries(np.zeros((0,) + p.shape[1:]), p), dtype=float)
            bad = ~(values.reshape(len(self._symbolic_entries), -1) >= 0)
            if bad.any():
                r, k = (int(v) for v in np.argwhere(bad)[0])
                pop, l, j, expr = self._symbolic_entries[r]
                strategies = self.game.population(pop).strategies
                raise ParameterError(
                    f"mutation matrix of population {pop!r}: entry (row {l} '{strategies[l]}', column {j} "
                    f"'{strategies[j]}') = {expr} is {values.reshape(len(bad), -1)[r, k]:.6g} < 0 at the "
                    "given parameter values"
                )
        offence = self._payoff_table.first(p, lambda v: v < 0)
        if offence is not None:
            warnings.warn(
                f"replicator-mutator dynamics reads payoffs as birth rates and is not invariant under "
                f"payoff shifts, but {offence}",
                NegativePayoffWarning,
                stacklevel=2,
            )
        return p


# ------------------------------------------------------------------ mutation matrices
def _mutation_matrices(game: Game, mutation: Any) -> tuple[sympy.ImmutableMatrix, ...]:
    """One checked :math:`Q^i` per population, from a rate, a matrix or a mapping."""
    pops = game.populations
    if isinstance(mutation, Mapping):
        names = [p.name for p in pops]
        unknown = [k for k in mutation if k not in names]
        if unknown:
            raise SpecificationError(
                f"mutation: unknown population {unknown[0]!r}{suggest(str(unknown[0]), names)}; "
                f"the populations are {names}"
            )
        missing = [n for n in names if n not in mutation]
        if missing:
            raise SpecificationError(
                f"mutation: no mutation matrix or rate given for population(s) {missing}"
            )
        return tuple(_one_matrix(game, i, mutation[p.name]) for i, p in enumerate(pops))
    return tuple(_one_matrix(game, i, mutation) for i in range(len(pops)))


def _is_rate(value: Any) -> bool:
    if isinstance(value, np.ndarray):
        return value.ndim == 0
    if isinstance(value, sympy.MatrixBase):
        return False
    return not isinstance(value, (list, tuple))


def _one_matrix(game: Game, i: int, value: Any) -> sympy.ImmutableMatrix:
    pop = game.populations[i]
    k = pop.size
    where = f"mutation matrix of population {pop.name!r}"
    if _is_rate(value):
        mu = _entry(game, value, f"mutation rate of population {pop.name!r}")
        if mu.is_number and not 0 <= mu <= 1:
            raise SpecificationError(f"mutation rate of population {pop.name!r} must lie in [0, 1], got {mu}")
        off = mu / (k - 1)
        return sympy.ImmutableMatrix(k, k, lambda r, c: 1 - mu if r == c else off)
    try:
        rows = [list(r) for r in (value.tolist() if hasattr(value, "tolist") else value)]
    except TypeError:
        raise SpecificationError(f"{where} must be a k x k matrix (k = {k}), got {value!r:.60}") from None
    if len(rows) != k or any(len(r) != k for r in rows):
        shape = f"{len(rows)} rows of lengths {[len(r) for r in rows]}"
        raise SpecificationError(
            f"{where} must be {k} x {k} (its strategies {list(pop.strategies)}), got {shape}"
        )
    Q = sympy.ImmutableMatrix(
        [
            [_entry(game, e, f"{where}, row {r} column {c}") for c, e in enumerate(row)]
            for r, row in enumerate(rows)
        ]
    )
    for r in range(k):
        total = sympy.simplify(sum(Q.row(r)))
        if total != 1:
            hint = (
                " (floats are taken exactly as their shortest decimals: give fractions such as "
                "'1/3' or fractions.Fraction(1, 3) for entries like 1/3)"
                if total.is_number and abs(total - 1) < 1e-9
                else ""
            )
            raise SpecificationError(
                f"{where}: row {r} (strategy {pop.strategies[r]!r}) sums to {total}, not 1{hint}"
            )
        for c in range(k):
            e = Q[r, c]
            if e.is_number and e < 0:
                raise SpecificationError(
                    f"{where}: row {r} (strategy {pop.strategies[r]!r}) has the negative entry {e} in column {c}"
                )
    return Q


def _entry(game: Game, value: Any, where: str) -> sympy.Expr:
    """A mutation entry or rate parsed safely; its symbols must be parameters of the game."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, (bool, np.bool_)) or value is None:
        raise SpecificationError(f"{where}: {value!r} is not a number or an expression")
    if isinstance(value, Fraction):
        value = sympy.Rational(value.numerator, value.denominator)
    if not isinstance(value, (str, numbers.Real, sympy.Expr)):
        raise SpecificationError(f"{where}: {value!r:.60} is not a number, an expression or a string of one")
    try:
        expr = parse_expression(value, where=where)
    except GameError as exc:
        raise SpecificationError(f"{where}: {exc}") from None
    if expr.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo) or (expr.is_number and not expr.is_real):
        raise SpecificationError(f"{where}: {value!r} is not a finite real number")
    unknown = sorted(str(s) for s in expr.free_symbols - set(game.symbols))
    if unknown:
        raise SpecificationError(
            f"{where}: {unknown} are not parameters of the game (its parameters are {list(game.parameter_names)})"
        )
    return expr
