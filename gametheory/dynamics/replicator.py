"""Replicator dynamics of multi-population games, derived exactly with sympy.

State convention
----------------
For each population ``i`` with strategies ``1..k_i``, the state holds the shares
of all strategies but the last, in declaration order; the last share is
``1 - sum`` of the others.  For three 2-strategy populations the state is
``(x, y, z)``, the shares playing each population's first strategy.

Equations
---------
With expected payoffs :math:`f_{ij}(x)` (see :mod:`gametheory.game`) and the
population's mean payoff :math:`\\bar f_i = \\sum_j x_{ij} f_{ij}`, the
(Taylor-Jonker) replicator dynamics are

.. math::  \\dot x_{ij} = x_{ij}\\,(f_{ij}(x) - \\bar f_i(x)), \\qquad j < k_i .

For a 2-strategy population this is :math:`\\dot x = x(1-x)\\,\\Delta(x)` with the
payoff difference :math:`\\Delta = f_{i1} - f_{i2}`, which does not depend on
the population's own state unless the payoffs do (a game with
``state_dependent=True``: the payoffs :math:`\\pi_i(s; x)` are polynomials in the
states and :math:`f_{ij}(x) = \\sum_{s_{-i}} \\pi_i(j, s_{-i}; x) \\prod_{l \\ne i} x_{l, s_l}`
is derived exactly all the same).  In general we report the payoff advantages
:math:`\\Delta_{ij} = f_{ij} - f_{ik_i}` of each coordinate's strategy over the
last one; at a vertex where population ``i`` plays its last strategy they are
exactly the eigenvalues of the Jacobian in that population's directions.
"""

from __future__ import annotations

import functools
import itertools
from typing import Any, ClassVar

import sympy
from sympy.polys.constructor import construct_domain
from sympy.polys.rings import PolyRing

from ..errors import SpecificationError
from ..game import Game
from ..latex import latex_name as _latex_name
from ..limits import MAX_SYSTEM_TERMS
from .base import STATE_TOLERANCE, Dynamics, TheoryFacts

__all__ = ["ReplicatorDynamics", "STATE_TOLERANCE"]


class ReplicatorDynamics(Dynamics):
    """Exact replicator dynamics of a :class:`~gametheory.game.Game`.

    Attributes
    ----------
    game : Game
    states : tuple of sympy.Symbol
        State symbols, in state order (see module docstring).
    coordinates : tuple of (int, int)
        For each state coordinate, ``(population index, strategy index)``.
    expected_payoffs : tuple of tuple of sympy.Expr
        ``expected_payoffs[i][j]`` is :math:`f_{ij}(x)`.
    payoff_differences : tuple of sympy.Expr
        For each coordinate :math:`\\Delta_{ij} = f_{ij} - f_{ik_i}`, collected
        in monomials of the states with factored coefficients.
    equations : sympy.ImmutableMatrix
        Column ``(d, 1)`` of right-hand sides; for a 2-strategy population
        ``x*(1 - x)*Delta``.

    Examples
    --------
    >>> from gametheory.models import classic
    >>> dyn = ReplicatorDynamics(classic.matching_pennies_3())  # or game.replicator()
    >>> dyn.payoff_differences
    (4*a*y - 2*a, 4*a*z - 2*a, -4*a*x + 2*a)
    >>> dyn.jacobian()[0, :]
    Matrix([[(1 - 2*x)*(4*a*y - 2*a), 4*a*x*(1 - x), 0]])
    >>> print(dyn.to_latex().splitlines()[1])
    \\frac{\\mathrm{d}x}{\\mathrm{d}t} &= x\\left(1 - x\\right)\\left[4 a y - 2 a\\right] \\\\
    """

    #: The multi-population replicator dynamics keep faces invariant, its rest points
    #: equalize payoffs on their support, its vertex eigenvalues are payoff differences
    #: and its asymptotically stable rest points are the strict Nash equilibria
    #: (Ritzberger and Weibull 1995).
    facts: ClassVar[TheoryFacts] = TheoryFacts(
        faces_invariant=True,
        rest_points_equalize_payoffs=True,
        vertex_eigenvalues_are_payoff_differences=True,
        sinks_are_strict_nash=True,
    )
    chart: ClassVar[str] = "log-ratio"

    def __init__(self, game: Game) -> None:
        super().__init__(game)
        # The derivation runs on sparse polynomials in the states (sympy's PolyRing, with
        # coefficients in the domain of the payoffs, e.g. ZZ[a, b]): far faster than expanding
        # Expr trees, and than dense Poly objects when there are many states.
        flat = [[row[i] for row in game.payoffs.values()] for i in range(len(game.populations))]
        if game.state_dependent:  # payoffs are polynomials in the states (checked by the Game)
            coefficients = [c for table in flat for e in table for c in sympy.Poly(e, *self.states).coeffs()]
            domain, _ = construct_domain([sympy.Integer(0), *coefficients])
            self._ring = ring = PolyRing(self.states, domain)
            tables = [[ring.from_expr(e) for e in table] for table in flat]
        else:
            domain, elements = construct_domain([e for table in flat for e in table])
            self._ring = ring = PolyRing(self.states, domain)
            tables, start = [], 0
            for table in flat:  # each population's payoffs as constants of the ring, in row-major order
                tables.append([ring.ground_new(e) for e in elements[start : start + len(table)]])
                start += len(table)
        share_polys = self._share_polys()
        # every polynomial is counted as it is made, so an oversized system stops early
        size = _SystemSize(game, domain)
        payoff_polys = tuple(
            tuple(size.add(self._expected_payoff_poly(i, j, tables[i], share_polys)) for j in range(pop.size))
            for i, pop in enumerate(game.populations)
        )
        self._difference_polys = tuple(
            size.add(payoff_polys[i][j] - payoff_polys[i][-1]) for i, j in self.coordinates
        )
        # For populations of 3+ strategies, the right-hand side x_ij (f_ij - mean_i) as a polynomial.
        means = [
            sum((sh * f for sh, f in zip(share_polys[i], payoff_polys[i])), ring.zero)
            if pop.size > 2
            else None
            for i, pop in enumerate(game.populations)
        ]
        self._equation_polys: list[Any] = []
        for c, (i, j) in enumerate(self.coordinates):
            if game.populations[i].size == 2:
                self._equation_polys.append(None)
                size.add(self._difference_polys[c], jacobian=True)
            else:
                self._equation_polys.append(
                    size.add(ring.gens[c] * (payoff_polys[i][j] - means[i]), jacobian=True)
                )
        self.expected_payoffs = tuple(tuple(_expr(f) for f in row) for row in payoff_polys)
        self.payoff_differences = tuple(_expr(d) for d in self._difference_polys)
        shares_expr = self.shares_symbolic()
        rows = []
        for c, (i, j) in enumerate(self.coordinates):
            s = self.states[c]
            if game.populations[i].size == 2:
                rows.append(s * (1 - s) * self.payoff_differences[c])
            else:
                # f_ij - mean_i = sum_l x_il (f_ij - f_il): vertices are exact zeros of this form
                terms = [
                    share * _expr(payoff_polys[i][j] - payoff_polys[i][l])
                    for l, share in enumerate(shares_expr[i])
                    if l != j
                ]
                rows.append(s * sympy.Add(*terms))
        self.equations = sympy.ImmutableMatrix(rows)

    @property
    def growth_rates(self) -> tuple[tuple[sympy.Expr, ...], ...]:
        """Per-capita growth up to the population's mean: the expected payoffs :math:`f_{ij}`."""
        return self.expected_payoffs

    def _share_polys(self) -> tuple[tuple[Any, ...], ...]:
        gens = self._ring.gens
        out = []
        for sl in self.population_slices():
            own = list(gens[sl])
            out.append((*own, self._ring.one - sum(own, self._ring.zero)))
        return tuple(out)

    def _expected_payoff_poly(
        self, i: int, j: int, table: list[Any], shares: tuple[tuple[Any, ...], ...]
    ) -> Any:
        """:math:`f_{ij} = \\sum_{s_{-i}} \\pi_i(j, s_{-i}) \\prod_{l \\ne i} x_{l s_l}`.

        The sum is contracted one opponent population at a time (the last first), so each
        step multiplies polynomials by one population's shares.
        """
        counts = self.game.strategy_counts
        # the payoffs of (i, j) over the opponents' profiles, in row-major order of the table
        strides = [1] * len(counts)
        for l in range(len(counts) - 2, -1, -1):
            strides[l] = strides[l + 1] * counts[l + 1]
        opponents = [l for l in range(len(counts)) if l != i]
        level = [
            table[j * strides[i] + sum(s * strides[l] for s, l in zip(profile, opponents))]
            for profile in itertools.product(*(range(counts[l]) for l in opponents))
        ]
        for l in reversed(opponents):
            k = counts[l]
            level = [
                sum((share * level[block + s] for s, share in enumerate(shares[l])), self._ring.zero)
                for block in range(0, len(level), k)
            ]
        return level[0]

    # -------------------------------------------------------------- symbolic
    @functools.cached_property
    def _jacobian(self) -> sympy.ImmutableMatrix:
        d = self.dimension
        entries = [[sympy.Integer(0)] * d for _ in range(d)]
        for r, (i, _) in enumerate(self.coordinates):
            s = self.states[r]
            for c in range(d):
                if self.game.populations[i].size == 2:
                    if c == r:
                        entries[r][c] = (1 - 2 * s) * self.payoff_differences[r]
                        own = self._difference_polys[r].diff(self._ring.gens[c])
                        if own:  # state-dependent payoffs: Delta may depend on x itself
                            entries[r][c] += s * (1 - s) * _expr(own)
                    else:
                        entries[r][c] = (
                            s * (1 - s) * _expr(self._difference_polys[r].diff(self._ring.gens[c]))
                        )
                else:
                    entries[r][c] = _expr(self._equation_polys[r].diff(self._ring.gens[c]))
        return sympy.ImmutableMatrix(entries)

    def __getstate__(self) -> dict[str, Any]:
        """Pickle with the Jacobian derived and without the polynomials (sympy's rings do not pickle)."""
        self.jacobian()
        return {k: v for k, v in self.__dict__.items() if k not in _POLYNOMIALS}

    def jacobian(self) -> sympy.ImmutableMatrix:
        """Symbolic Jacobian :math:`\\partial \\dot x_r / \\partial x_c`, shape ``(d, d)``.

        For 2-strategy populations the entries keep the structure
        :math:`J_{rr} = (1 - 2x_r)\\Delta_r` and :math:`J_{rc} = x_r(1-x_r)\\,\\partial\\Delta_r/\\partial x_c` (with state-dependent
        payoffs :math:`J_{rr}` gains :math:`x_r(1-x_r)\\,\\partial\\Delta_r/\\partial x_r`).
        """
        return self._jacobian

    def to_latex(self) -> str:
        """The system as a paper prints it (a LaTeX ``align`` environment)."""
        names = {p.symbol: _latex_name(p.name) for p in self.game.parameters}
        lines = []
        for r, (i, _j) in enumerate(self.coordinates):
            s = self.states[r]
            lhs = rf"\frac{{\mathrm{{d}}{sympy.latex(s)}}}{{\mathrm{{d}}t}}"
            if self.game.populations[i].size == 2:
                delta = sympy.latex(self.payoff_differences[r], symbol_names=names)
                rhs = rf"{sympy.latex(s)}\left(1 - {sympy.latex(s)}\right)\left[{delta}\right]"
            else:
                rhs = sympy.latex(self.equations[r], symbol_names=names)
            lines.append(f"{lhs} &= {rhs}")
        return "\\begin{align}\n" + " \\\\\n".join(lines) + "\n\\end{align}"


# ------------------------------------------------------------------ helpers
_POLYNOMIALS = ("_ring", "_difference_polys", "_equation_polys")


class _SystemSize:
    """The running size of a derivation; refuses more than :data:`~gametheory.limits.MAX_SYSTEM_TERMS` terms.

    A polynomial counts the terms of its coefficients (``a + 2*b`` counts 2); a right-hand
    side counts again once per state each of its monomials holds (its Jacobian entries).
    """

    def __init__(self, game: Game, domain: Any) -> None:
        self.game, self.domain, self.total = game, domain, 0

    def weight(self, c: Any) -> int:
        if hasattr(c, "terms"):  # a polynomial coefficient (domain ZZ[a, b], ...)
            return len(c)
        return len(sympy.Add.make_args(self.domain.to_sympy(c))) if self.domain.is_EX else 1

    def add(self, poly: Any, *, jacobian: bool = False) -> Any:
        for monomial, c in poly.items():
            self.total += self.weight(c) * (sum(1 for e in monomial if e) if jacobian else 1)
        if self.total > MAX_SYSTEM_TERMS:
            shape = " x ".join(str(k) for k in self.game.strategy_counts)
            raise SpecificationError(
                f"the replicator dynamics of {self.game.name or 'the game'!r} ({shape} strategies) "
                f"would have more than {MAX_SYSTEM_TERMS:,} terms (expected payoffs, equations and "
                "Jacobian; gametheory.limits.MAX_SYSTEM_TERMS); use fewer populations or strategies, "
                "or simpler payoffs"
            )
        return poly


@functools.lru_cache(maxsize=4096)
def _factor(coefficient: sympy.Expr) -> sympy.Expr:
    """Factor a coefficient: cheaply (common content only) when it is linear in the parameters."""
    if coefficient.is_number:
        return coefficient
    poly = coefficient.as_poly()
    if poly is None or poly.total_degree() <= 1 or len(coefficient.free_symbols) > 12:
        return sympy.factor_terms(coefficient)
    return sympy.factor(coefficient)


def _expr(poly: Any) -> sympy.Expr:
    """A sparse polynomial in the states as a sum of monomials with factored coefficients."""
    ring = poly.ring
    terms = [
        _factor(ring.domain.to_sympy(c)) * sympy.Mul(*(g**e for g, e in zip(ring.symbols, m)))
        for m, c in poly.terms()
    ]
    return sympy.Add(*terms)
