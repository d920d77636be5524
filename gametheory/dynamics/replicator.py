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
the population's own state.  In general we report the payoff advantages
:math:`\\Delta_{ij} = f_{ij} - f_{ik_i}` of each coordinate's strategy over the
last one; at a vertex where population ``i`` plays its last strategy they are
exactly the eigenvalues of the Jacobian in that population's directions.
"""

from __future__ import annotations

import functools
import itertools
from typing import Any, ClassVar

import sympy

from ..game import Game
from ..latex import latex_name as _latex_name
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
        # The derivation runs on sympy Poly objects in the states (coefficients in
        # the parameters): far faster than expanding Expr trees.
        share_polys = self._share_polys()
        payoff_polys = tuple(
            tuple(self._expected_payoff_poly(i, j, share_polys) for j in range(pop.size))
            for i, pop in enumerate(game.populations)
        )
        self._difference_polys = tuple(payoff_polys[i][j] - payoff_polys[i][-1] for i, j in self.coordinates)
        # For populations of 3+ strategies, the right-hand side x_ij (f_ij - mean_i) as a polynomial.
        self._equation_polys: list[sympy.Poly | None] = []
        for c, (i, j) in enumerate(self.coordinates):
            if game.populations[i].size == 2:
                self._equation_polys.append(None)
            else:
                mean = sum((sh * f for sh, f in zip(share_polys[i], payoff_polys[i])), self._poly(0))
                self._equation_polys.append(self._poly(self.states[c]) * (payoff_polys[i][j] - mean))
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

    def _poly(self, expr: Any) -> sympy.Poly:
        return sympy.Poly(expr, *self.states)

    def _share_polys(self) -> tuple[tuple[sympy.Poly, ...], ...]:
        out = []
        for sl in self.population_slices():
            own = [self._poly(s) for s in self.states[sl]]
            out.append((*own, self._poly(1 - sum(self.states[sl]))))
        return tuple(out)

    def _expected_payoff_poly(self, i: int, j: int, shares: tuple[tuple[sympy.Poly, ...], ...]) -> sympy.Poly:
        """:math:`f_{ij} = \\sum_{s_{-i}} \\pi_i(j, s_{-i}) \\prod_{l \\ne i} x_{l s_l}`."""
        game = self.game
        arr = game.payoff_array(i)
        others = [range(pop.size) if l != i else [j] for l, pop in enumerate(game.populations)]
        total = self._poly(0)
        for profile in itertools.product(*others):
            term = self._poly(arr[profile])
            for l, s in enumerate(profile):
                if l != i:
                    term = term * shares[l][s]
            total = total + term
        return total

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
                    else:
                        entries[r][c] = s * (1 - s) * _expr(self._difference_polys[r].diff(self.states[c]))
                else:
                    entries[r][c] = _expr(self._equation_polys[r].diff(self.states[c]))
        return sympy.ImmutableMatrix(entries)

    def jacobian(self) -> sympy.ImmutableMatrix:
        """Symbolic Jacobian :math:`\\partial \\dot x_r / \\partial x_c`, shape ``(d, d)``.

        For 2-strategy populations the entries keep the structure
        :math:`J_{rr} = (1 - 2x_r)\\Delta_r` and :math:`J_{rc} = x_r(1-x_r)\\,\\partial\\Delta_r/\\partial x_c`.
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
@functools.lru_cache(maxsize=4096)
def _factor(coefficient: sympy.Expr) -> sympy.Expr:
    """Factor a coefficient: cheaply (common content only) when it is linear in the parameters."""
    if coefficient.is_number:
        return coefficient
    poly = coefficient.as_poly()
    if poly is None or poly.total_degree() <= 1 or len(coefficient.free_symbols) > 12:
        return sympy.factor_terms(coefficient)
    return sympy.factor(coefficient)


def _expr(poly: sympy.Poly) -> sympy.Expr:
    """A polynomial in the states as a sum of monomials with factored coefficients."""
    gens = poly.gens
    terms = [_factor(c) * sympy.Mul(*(g**e for g, e in zip(gens, m))) for m, c in poly.terms()]
    return sympy.Add(*terms)
