"""Strict Nash equilibria (the ESS of multi-population games): the one vectorised test."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .._checks import as_dynamics, keywords_checked
from ..dynamics.base import Dynamics
from ..errors import AnalysisError
from ..game import Game
from .faces import state_dependent_replicator

__all__ = ["strict_equilibria", "vertex_deviation_gains", "is_strict"]


def vertex_deviation_gains(
    game: Game, exact_payoffs: Sequence[np.ndarray], profile: Sequence[str]
) -> tuple[tuple[tuple[str, str], ...], tuple[Any, ...]]:
    """Exact gains :math:`f_{ij}(s) - f_{i s_i}(s)` of every unilateral deviation from a pure profile.

    ``exact_payoffs`` are the payoff arrays with exact parameter values
    (object arrays of sympy Rationals, as built for the exact solver).  Returns
    the deviations ``(population, strategy)`` and their gains, population by
    population, strategies in order.

    Examples
    --------
    >>> from gametheory.models import crisis_governance
    >>> from gametheory.analysis.equilibria import _exact_payoffs, exact_parameter_values
    >>> game = crisis_governance.game()
    >>> exact = exact_parameter_values(game.replicator(), crisis_governance.STATUS_QUO)
    >>> deviations, gains = vertex_deviation_gains(game, _exact_payoffs(game, exact)[0], ("B", "P", "I"))
    >>> deviations[0], is_strict(gains)
    (('government', 'C'), True)
    """
    idx = game.profile_indices(tuple(profile))
    own_key = tuple(idx)
    deviations, gains = [], []
    for i, pop in enumerate(game.populations):
        for j in range(pop.size):
            if j == idx[i]:
                continue
            alt = list(idx)
            alt[i] = j
            gains.append(exact_payoffs[i][tuple(alt)] - exact_payoffs[i][own_key])
            deviations.append((pop.name, pop.strategies[j]))
    return tuple(deviations), tuple(gains)


def is_strict(gains: Sequence[Any]) -> bool:
    """Whether every deviation loses strictly (exact numbers): the pure profile is a strict Nash equilibrium.

    Examples
    --------
    >>> import sympy
    >>> is_strict([sympy.Rational(-1, 3), sympy.Integer(-2)]), is_strict([sympy.Integer(0)])
    (True, False)
    """
    return all(g < 0 for g in gains)


def _vertex_payoffs(dyn: Dynamics, p: np.ndarray) -> np.ndarray:
    """Expected payoffs at every vertex: ``(K, V)`` for ``p`` of shape ``(q,)``, ``(K, V, n)`` for ``(q, n)``."""
    X = np.stack([v for _, v in dyn.vertices()], axis=1)  # (d, V)
    f = dyn.compiled("payoffs")
    if p.ndim == 1:
        return np.asarray(f(X, p[:, None]), dtype=float)
    return np.asarray(f(X[:, :, None], p[:, None, :]), dtype=float)


def _best_deviation_gain(dyn: Dynamics, F: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Largest gain of a unilateral deviation at every vertex, and the payoff scale there.

    ``F`` holds the payoffs at the vertices, shape ``(K, V, ...)``.  Returns
    ``(gain, scale)`` of shape ``(V, ...)``: :math:`\\max_i \\max_{j \\ne s_i} (f_{ij} - f_{i s_i})`
    and :math:`\\max(1, \\max_{ij} |f_{ij}|)`.
    """
    game = dyn.game
    indices = np.array([game.profile_indices(p) for p in game.profiles])  # (V, N)
    gain = np.full(F.shape[1:], -np.inf)
    offset = 0
    extra = (1,) * (F.ndim - 2)
    for i, pop in enumerate(game.populations):
        block = F[offset : offset + pop.size]  # (k, V, ...)
        own_idx = indices[:, i].reshape((1, -1) + extra)
        own = np.take_along_axis(block, np.broadcast_to(own_idx, (1,) + block.shape[1:]), axis=0)
        rows = np.arange(pop.size).reshape((-1, 1) + extra)
        adv = np.where(rows == own_idx, -np.inf, block - own)
        gain = np.maximum(gain, adv.max(axis=0))
        offset += pop.size
    scale = np.maximum(1.0, np.abs(F).max(axis=0))
    return gain, scale


@keywords_checked
def strict_equilibria(
    model: Game | Dynamics, params: Mapping[str, Any] | None = None, *, tol: float = 1e-9
) -> np.ndarray:
    """Which vertices (pure profiles) are strict Nash equilibria, vectorised over parameter sets.

    A pure profile :math:`s` is a strict Nash equilibrium when every unilateral
    deviation loses strictly:

    .. math::  f_{ij}(s) - f_{i s_i}(s) < -\\mathrm{tol}\\cdot\\max(1, \\max_{kl} |f_{kl}(s)|)
               \\quad\\text{for every population } i \\text{ and strategy } j \\ne s_i .

    In multi-population replicator dynamics these are exactly the
    asymptotically stable rest points and the (necessarily pure) ESS
    (Selten 1980; Ritzberger & Weibull 1995).  The payoff differences on the
    left are also the eigenvalues of the Jacobian at the vertex.

    State-dependent payoffs (the replicator dynamics of ``Game(..., state_dependent=True)``):
    the payoffs are taken at the vertex's own state, :math:`f_{ij}(s; x = s)`.  Those
    differences are still the eigenvalues of the Jacobian at the vertex, so the result is
    the vertices that are *hyperbolic sinks*; the ESS theorems for payoffs constant per
    profile do not apply (a vertex with a zero difference may be stable through
    higher-order terms, and is not reported).

    Parameters
    ----------
    model
        A :class:`~gametheory.game.Game` (coerced to its replicator dynamics)
        or any :class:`~gametheory.dynamics.base.Dynamics` whose sinks are the
        strict Nash equilibria.
    params
        Parameter values as accepted by
        :meth:`~gametheory.dynamics.base.Dynamics.parameter_vector`: scalars,
        or 1-D arrays of one common length ``n`` (defaults fill the rest).
    tol
        Relative margin: a deviation that loses less than ``tol`` times the
        vertex's payoff scale counts as a tie (not strict).

    Returns
    -------
    ndarray of bool
        Shape ``(V,)`` for scalar parameters, ``(V, n)`` for arrays, in the
        vertex order of :meth:`~gametheory.dynamics.base.Dynamics.vertices`
        (``game.profiles``).

    Raises
    ------
    AnalysisError
        For a dynamics whose sinks are not known to be the strict Nash
        equilibria (``facts.sinks_are_strict_nash``).

    Examples
    --------
    >>> import numpy as np
    >>> from gametheory.models import crisis_governance
    >>> game = crisis_governance.game()
    >>> strict = strict_equilibria(game, crisis_governance.STATUS_QUO)
    >>> [p for p, s in zip(game.profiles, strict) if s]
    [('B', 'P', 'I')]
    >>> strict_equilibria(game, {"F_g": np.array([0.0, 10.0])}).shape
    (8, 2)
    """
    dyn = as_dynamics(model)
    if not state_dependent_replicator(dyn):  # there: the vertices' linearisation (docstring)
        dyn.facts.require("sinks_are_strict_nash", dyn, "strict_equilibria")
    if not (isinstance(tol, (int, float)) and np.isfinite(tol) and tol >= 0):
        raise AnalysisError(f"tol must be a non-negative finite number, got {tol!r}")
    p = dyn.parameter_vector(params)
    F = _vertex_payoffs(dyn, p)
    gain, scale = _best_deviation_gain(dyn, F)
    return gain < -tol * scale
