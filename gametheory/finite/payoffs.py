r"""Payoffs of the members of finite populations at a composition (counts of each strategy).

A composition is a vector of counts, population by population: for populations
of sizes :math:`Z_i` with :math:`k_i` strategies it has :math:`\sum_i k_i`
entries (the *coordinates*), block ``i`` summing to :math:`Z_i`.

**One population** (a game built with :meth:`~gametheory.game.Game.symmetric`),
size :math:`Z`, counts :math:`n`.  An individual never interacts with itself:

* matrix game (``players=2``): :math:`\pi_i(n) = (\sum_j a_{ij} n_j - a_{ii}) / (Z - 1)`;
* ``d``-player group game: the ``d - 1`` co-players are drawn *without replacement*
  from the other :math:`Z - 1` individuals, so the payoff is the multivariate
  hypergeometric expectation

  .. math::  \pi_i(n) = \sum_{|m| = d - 1} a_i(m)\,
             \frac{\prod_j \binom{n_j - \delta_{ij}}{m_j}}{\binom{Z - 1}{d - 1}}

  (``d > Z`` is an error: a group needs ``d`` distinct individuals).

**N populations** (any other game) of sizes :math:`Z_l`: a member of population
:math:`i` using :math:`j` meets one random member of each other population,

.. math::  \pi_{ij}(n) = \sum_{s_{-i}} \pi_i(j, s_{-i}) \prod_{l \ne i} n_{l s_l} / Z_l .

State-dependent payoffs (``game.state_dependent``) are evaluated at the shares
:math:`x = n / Z` (each population's counts over its size).  The same formula
covers a one-population game built with :class:`~gametheory.game.Game` (not
``symmetric``): its payoff per strategy is then evaluated at :math:`x = n/Z`.

These conventions were chosen to make one-population results comparable with
EGTtools (self-interaction excluded, groups drawn without replacement); no test
here runs EGTtools itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import sympy
from scipy.special import gammaln

from .._state_names import state_names
from ..errors import SpecificationError
from ..game import Game
from ..symmetric import compositions

__all__ = ["PayoffModel"]


class PayoffModel:
    """Numeric payoffs :math:`\\pi_{ij}(n)` of a game at compositions (see module docstring).

    Parameters
    ----------
    game : Game
    sizes : tuple of int
        Population sizes :math:`Z_i`, one per population.
    params : mapping, optional
        Parameter values (defaults from the game), validated by
        :meth:`~gametheory.dynamics.base.Dynamics.parameter_vector`.

    Examples
    --------
    >>> from gametheory.models import classic
    >>> model = PayoffModel(classic.hawk_dove(), (4,))
    >>> model((2, 2))  # a hawk meets 1 hawk and 2 doves among the other 3
    array([1.16666667, 0.33333333])
    """

    def __init__(self, game: Game, sizes: tuple[int, ...], params: Mapping[str, Any] | None = None) -> None:
        self.game = game
        self.sizes = tuple(int(z) for z in sizes)
        self.counts_per_population = game.strategy_counts
        self.offsets = tuple(int(o) for o in np.cumsum((0, *self.counts_per_population)))
        exact = game.replicator().exact_parameter_values(params)
        self.values = {sympy.Symbol(name): value for name, value in exact.items()}
        spec = game.symmetric_payoffs
        if spec is not None:
            self._kind = "matrix" if spec.players == 2 else "group"
            self.players = spec.players
            z = self.sizes[0]
            if spec.players > z:
                raise SpecificationError(
                    f"group size players = {spec.players} exceeds the population size Z = {z}: a group "
                    "needs that many distinct individuals"
                )
            if spec.players == 2:
                self._matrix = _floats(spec.matrix().xreplace(self.values).tolist())
            else:
                k = len(spec.strategies)
                symbols = [sympy.Symbol(f"n{j + 1}") for j in range(k)]
                self._groups = np.array(compositions(spec.players - 1, k), dtype=float)
                self._group_payoffs = np.array(
                    [
                        [float(e.xreplace(self.values).xreplace(dict(zip(symbols, m)))) for m in self._groups]
                        for e in spec.table
                    ]
                )  # (k, n_groups)
        else:
            self._kind = "populations"
            self.players = 2
            self._states = [sympy.Symbol(s) for s in state_names(game.populations)]
            self._arrays = []
            for i in range(game.n_populations):
                entries = [e.xreplace(self.values) for e in _flat(game.payoff_array(i))]
                if game.state_dependent:
                    funcs = [sympy.lambdify(self._states, e, "numpy") for e in entries]
                    self._arrays.append(funcs)
                else:
                    self._arrays.append(np.array([float(e) for e in entries]).reshape(game.strategy_counts))

    @property
    def n_coordinates(self) -> int:
        """Number of entries of a composition, :math:`\\sum_i k_i`."""
        return self.offsets[-1]

    def __call__(self, counts: Any) -> np.ndarray:
        """Payoffs at compositions ``counts`` of shape ``(..., sum k_i)``; same shape out."""
        n = np.asarray(counts, dtype=float)
        if self._kind == "matrix":
            a = self._matrix
            return (n @ a.T - np.diag(a)) / (self.sizes[0] - 1)
        if self._kind == "group":
            return self._group(n)
        return self._populations(n)

    def _group(self, n: np.ndarray) -> np.ndarray:
        z, d = self.sizes[0], self.players
        k = n.shape[-1]
        log_total = _log_binom(np.float64(z - 1), np.float64(d - 1))
        out = np.zeros(n.shape)
        for i in range(k):
            others = n - np.eye(k)[i]  # the focal's co-players are drawn from the others
            # (..., n_groups): log of prod_j C(n_j - delta_ij, m_j)
            logw = _log_binom(others[..., None, :], self._groups).sum(axis=-1) - log_total
            out[..., i] = np.exp(logw) @ self._group_payoffs[i]
        return out

    def _populations(self, n: np.ndarray) -> np.ndarray:
        game = self.game
        shares = [
            n[..., self.offsets[i] : self.offsets[i + 1]] / self.sizes[i] for i in range(game.n_populations)
        ]
        batch = n.shape[:-1]
        out = np.zeros(n.shape)
        for i in range(game.n_populations):
            if game.state_dependent:
                reduced = [s[..., j] for s in shares for j in range(s.shape[-1] - 1)]
                entries = [
                    np.broadcast_to(np.asarray(f(*reduced), dtype=float), batch) for f in self._arrays[i]
                ]
                array = np.stack(entries, axis=-1).reshape((*batch, *game.strategy_counts))
            else:
                array = np.broadcast_to(self._arrays[i], (*batch, *game.strategy_counts))
            for l in reversed(range(game.n_populations)):  # contract the other populations, last first
                if l == i:
                    continue
                array = _contract(array, shares[l], len(batch) + l)
            out[..., self.offsets[i] : self.offsets[i + 1]] = array
        return out


def _contract(array: np.ndarray, shares: np.ndarray, axis: int) -> np.ndarray:
    """Sum ``array`` over ``axis`` weighted by ``shares`` (batch axes first, matching)."""
    moved = np.moveaxis(array, axis, -1)
    weights = shares.reshape(shares.shape[:-1] + (1,) * (moved.ndim - shares.ndim) + shares.shape[-1:])
    return (moved * weights).sum(axis=-1)


def _flat(array: Any) -> list[sympy.Expr]:
    return list(sympy.flatten(array.tolist())) if array.rank() > 1 else list(array.tolist())


def _floats(rows: Sequence[Sequence[Any]]) -> np.ndarray:
    return np.array([[float(e) for e in row] for row in rows], dtype=float)


def _log_binom(n: Any, m: Any) -> np.ndarray:
    """:math:`\\log \\binom{n}{m}` elementwise; ``-inf`` where ``m > n`` or ``n < 0`` (and 0 for ``m = 0``)."""
    n, m = np.broadcast_arrays(np.asarray(n, dtype=float), np.asarray(m, dtype=float))
    out = np.full(n.shape, -np.inf)
    ok = (m <= n) & (n >= 0)
    out[ok] = gammaln(n[ok] + 1) - gammaln(m[ok] + 1) - gammaln(n[ok] - m[ok] + 1)
    out[m == 0] = 0.0
    return out
