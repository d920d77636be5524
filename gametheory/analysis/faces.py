"""Numerical view of a game at fixed parameters, and log-ratio charts on the faces of its state space.

:class:`_System` evaluates expected payoffs (vectorised and scalar), the rate scale
and the certified strict equilibria (with their trapping boxes) of each face;
:class:`_Chart` maps a face to its log-ratio coordinates
:math:`u_{ij} = \\ln(x_{ij}/x_{ir_i})`, :math:`\\dot u_{ij} = f_{ij}(x) - f_{ir_i}(x)`;
:class:`_Path` is a trajectory in those coordinates with dense output.  Private to
:mod:`gametheory.analysis`; the log-ratio chart itself is to be shared with
:mod:`gametheory.numerics` later.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.integrate import solve_ivp

from ..dynamics.base import Dynamics
from ..errors import GameError

Support = tuple[tuple[int, ...], ...]


def _logsumexp(Z: np.ndarray, axis: int = 0) -> np.ndarray:
    """:math:`\\ln \\sum \\exp` along ``axis`` for arrays whose entries are finite (faster than scipy's)."""
    top = Z.max(axis=axis, keepdims=True)
    return np.log(np.exp(Z - top).sum(axis=axis)) + np.squeeze(top, axis=axis)


class _System:
    """Numerical view of the game at fixed parameters: payoffs, vertices, rate scale."""

    def __init__(self, dyn: Dynamics, p: np.ndarray) -> None:
        self.dyn = dyn
        self.game = dyn.game
        self.p = p
        self.p_list = p.tolist()
        self.sizes = self.game.strategy_counts
        self.offsets = tuple(int(v) for v in np.cumsum((0,) + self.sizes[:-1]))
        self.n_payoffs = int(sum(self.sizes))
        self.d = dyn.dimension
        self.slices = dyn.population_slices()
        self._pay_scalar = dyn.compiled("payoffs", "scalar")
        self._pay_array = dyn.compiled("payoffs")
        self._out = [0.0] * self.n_payoffs
        # Rate scale: the largest payoff advantage at any vertex (1/time).
        X = np.stack([v for _, v in dyn.vertices()], axis=1)
        F = self.payoffs(X)
        scale = 0.0
        for off, k in zip(self.offsets, self.sizes):
            block = F[off : off + k]
            scale = max(scale, float((block.max(axis=0) - block.min(axis=0)).max()))
        self.rate = scale
        self.all_strategies: Support = tuple(tuple(range(k)) for k in self.sizes)
        self._sinks: dict[Support, list[_Sink]] = {}
        self._catalogue: tuple[Any, str] | None = None

    def catalogue(self) -> tuple[Any, str]:
        """All rest points from :func:`gametheory.equilibria.rest_points` (once), or ``None`` and why."""
        if self._catalogue is None:
            try:
                from .equilibria import rest_points

                params = dict(zip(self.game.parameter_names, self.p_list))
                self._catalogue = (rest_points(self.dyn, params), "")
            except (ImportError, GameError) as exc:
                self._catalogue = (None, f"{type(exc).__name__}: {exc}")
        return self._catalogue

    def payoffs(self, X: np.ndarray) -> np.ndarray:
        """Expected payoffs ``(K, n)`` at reduced states ``X`` of shape ``(d, n)``."""
        return np.asarray(self._pay_array(X, self.p[:, None]), dtype=float)

    def payoffs_scalar(self, x: list[float]) -> list[float]:
        self._pay_scalar(x, self.p_list, self._out)
        return self._out

    def reduced(self, full: Sequence[np.ndarray]) -> np.ndarray:
        """Reduced state(s) from per-population full share arrays (``(k_i,)`` or ``(k_i, n)``)."""
        return np.concatenate([np.asarray(f)[:-1] for f in full], axis=0)

    def full(self, x: np.ndarray) -> list[np.ndarray]:
        """Per-population full share vectors of a reduced state ``(d,)``."""
        return [np.append(x[sl], 1.0 - x[sl].sum()) for sl in self.slices]

    def profile_names(self, profile: Sequence[int]) -> tuple[str, ...]:
        return tuple(pop.strategies[j] for pop, j in zip(self.game.populations, profile))

    def vertex_state(self, profile: Sequence[int]) -> np.ndarray:
        full = []
        for k, j in zip(self.sizes, profile):
            e = np.zeros(k)
            e[j] = 1.0
            full.append(e)
        return self.reduced(full)

    def advantages(self, profile: Sequence[int], support: Support) -> list[tuple[int, int, float]]:
        """Payoff advantages ``(i, j, f_ij - f_i,v_i)`` at a vertex, for ``j`` in the support."""
        F = self.payoffs(self.vertex_state(profile)[:, None])[:, 0]
        out = []
        for i, (off, s) in enumerate(zip(self.offsets, profile)):
            for j in support[i]:
                if j != s:
                    out.append((i, j, float(F[off + j] - F[off + s])))
        return out

    def sinks(self, support: Support) -> list[_Sink]:
        """Certified strict equilibria (vertices with a trapping box) of the face ``support``."""
        if support not in self._sinks:
            found = []
            for profile in itertools.product(*support):
                adv = self.advantages(profile, support)
                if adv and all(a < 0 for _, _, a in adv):
                    box = self._trapping_box(profile, support)
                    if box is not None:
                        found.append(_Sink(profile, self.profile_names(profile), adv, *box))
            self._sinks[support] = found
        return self._sinks[support]

    def _trapping_box(self, profile: Sequence[int], support: Support) -> tuple[float, float] | None:
        """Largest ``delta = 2**-k`` whose box has all advantages negative; ``(delta, max advantage)``."""
        for k in range(1, 41):
            delta = 2.0**-k
            corners_per_pop = []
            for i, s in enumerate(profile):
                pts = []
                for j in support[i]:
                    e = np.zeros(self.sizes[i])
                    e[s] = 1.0
                    if j != s:
                        e[s] -= delta
                        e[j] += delta
                    pts.append(e)
                corners_per_pop.append(pts)
            combos = list(itertools.product(*corners_per_pop))
            X = np.stack([self.reduced(list(c)) for c in combos], axis=1)
            F = self.payoffs(X)
            worst = -np.inf
            for i, (off, s) in enumerate(zip(self.offsets, profile)):
                for j in support[i]:
                    if j != s:
                        worst = max(worst, float((F[off + j] - F[off + s]).max()))
            if worst < 0:
                return delta, worst
        return None


@dataclass
class _Sink:
    profile: tuple[int, ...]
    names: tuple[str, ...]
    advantages: list[tuple[int, int, float]]
    delta: float
    bound: float  # largest advantage on the box (< 0)


class _Chart:
    """Log-ratio coordinates on a face (see module docstring)."""

    def __init__(self, system: _System, support: Support) -> None:
        self.system = system
        self.support = support
        self.blocks = []  # (population, payoff offset, support list, reference, position in u, free count)
        template = [0.0] * system.d
        pos = 0
        self.reduced_index = []
        for i, (S, off, sl) in enumerate(zip(support, system.offsets, system.slices)):
            k = system.sizes[i]
            red = [sl.start + j if j < k - 1 else -1 for j in S]
            self.reduced_index.append(red)
            if len(S) == 1 and red[0] >= 0:
                template[red[0]] = 1.0
            self.blocks.append((i, off, list(S), S[-1], pos, len(S) - 1))
            pos += len(S) - 1
        self.m = pos
        self.template = template
        #: for each payoff row (population i, strategy j): its position in u, -1 for the reference,
        #: None outside the support
        self.position: list[int | None] = [None] * system.n_payoffs
        for _i, off, S, ref, pos0, m in self.blocks:
            for q in range(m):
                self.position[off + S[q]] = pos0 + q
            self.position[off + ref] = -1
        self._pairs = [(off + S[q], off + ref) for _i, off, S, ref, _pos, m in self.blocks for q in range(m)]

    def difference(self, U: np.ndarray, a: int, b: int) -> np.ndarray:
        """:math:`L_a - L_b = \\ln(x_a / x_b)` for payoff rows ``a``, ``b`` of one population."""
        pa, pb = self.position[a], self.position[b]
        ua = U[pa] if pa >= 0 else 0.0
        ub = U[pb] if pb >= 0 else 0.0
        return ua - ub

    @classmethod
    def for_state(cls, system: _System, x: np.ndarray) -> _Chart:
        support = tuple(tuple(int(j) for j in np.flatnonzero(f > 0)) for f in system.full(x))
        return cls(system, support)

    def u_of(self, x: np.ndarray) -> np.ndarray:
        full = self.system.full(x)
        out = []
        for i, _off, S, ref, _pos, _m in self.blocks:
            out.extend(math.log(full[i][j]) - math.log(full[i][ref]) for j in S[:-1])
        return np.array(out, dtype=float)

    def u_of_log_shares(self, L: np.ndarray) -> np.ndarray:
        """Chart coordinates from full log-shares ``(K,)``."""
        out = []
        for _i, off, S, ref, _pos, _m in self.blocks:
            out.extend(L[off + j] - L[off + ref] for j in S[:-1])
        return np.array(out, dtype=float)

    def rhs(self, t: float, u: np.ndarray) -> list[float]:
        """:math:`\\dot u_{ij} = f_{ij}(x) - f_{ir_i}(x)` in plain Python (fast for small systems)."""
        ul = u.tolist()
        x = self.template[:]
        exp = math.exp
        for (_i, _off, _S, _ref, pos, m), red in zip(self.blocks, self.reduced_index):
            if m == 1:  # two strategies in the support: a logistic function, without overflow
                v = ul[pos]
                if v >= 0:
                    e = exp(-v)
                    first, second = 1.0 / (1.0 + e), e / (1.0 + e)
                else:
                    e = exp(v)
                    first, second = e / (1.0 + e), 1.0 / (1.0 + e)
                if red[0] >= 0:
                    x[red[0]] = first
                if red[1] >= 0:
                    x[red[1]] = second
            elif m > 1:
                z = ul[pos : pos + m]
                top = max(max(z), 0.0)
                e = [exp(v - top) for v in z]
                e.append(exp(-top))
                total = sum(e)
                for q in range(m + 1):
                    if red[q] >= 0:
                        x[red[q]] = e[q] / total
        pay = self.system.payoffs_scalar(x)
        return [pay[a] - pay[b] for a, b in self._pairs]

    def log_shares(self, U: np.ndarray) -> np.ndarray:
        """Full log-shares ``(K, n)`` (``-inf`` outside the support) from chart coordinates ``(m, n)``."""
        n = U.shape[1]
        L = np.full((self.system.n_payoffs, n), -np.inf)
        for _i, off, S, _ref, pos, m in self.blocks:
            Z = np.vstack([U[pos : pos + m], np.zeros((1, n))])
            L[[off + j for j in S]] = Z - _logsumexp(Z, axis=0)
        return L

    def states(self, U: np.ndarray) -> np.ndarray:
        """Reduced states ``(d, n)``."""
        L = self.log_shares(U)
        return self.states_from_log(L)

    def states_from_log(self, L: np.ndarray) -> np.ndarray:
        X = np.exp(L)
        return np.concatenate(
            [X[off : off + k - 1] for off, k in zip(self.system.offsets, self.system.sizes)]
        )


class _Path:
    """A trajectory in chart coordinates, integrated chunk by chunk, with dense output."""

    def __init__(self, chart: _Chart, u0: np.ndarray, rtol: float, atol: float) -> None:
        self.chart = chart
        self.rtol, self.atol = rtol, atol
        self.ts = [np.array([0.0])]
        self.us = [u0[:, None].copy()]
        self.segments: list[tuple[float, float, Any]] = []
        self._cache: tuple[np.ndarray, np.ndarray] | None = None
        self.failure = ""

    @property
    def t_end(self) -> float:
        return float(self.ts[-1][-1])

    @property
    def steps(self) -> int:
        """Number of stored solver steps."""
        return sum(a.size for a in self.ts)

    @property
    def u_end(self) -> np.ndarray:
        return self.us[-1][:, -1]

    def extend(self, t1: float) -> bool:
        t0 = self.t_end
        if t1 <= t0:
            return True
        sol = solve_ivp(
            self.chart.rhs,
            (t0, t1),
            self.u_end,
            method="DOP853",
            rtol=self.rtol,
            atol=self.atol,
            dense_output=True,
        )
        if sol.status < 0 or not np.isfinite(sol.y).all():
            self.failure = f"DOP853 failed at t = {sol.t[-1]:g}: {sol.message}"
            return False
        self.ts.append(sol.t[1:])
        self.us.append(sol.y[:, 1:])
        self.segments.append((t0, float(sol.t[-1]), sol.sol))
        self._cache = None
        return True

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        if self._cache is None:
            self._cache = (np.concatenate(self.ts), np.concatenate(self.us, axis=1))
        return self._cache

    def at(self, times: Any) -> np.ndarray:
        """Chart coordinates at arbitrary times (dense output), shape ``(m, len(times))``."""
        times = np.atleast_1d(np.asarray(times, dtype=float))
        out = np.empty((self.chart.m, times.size))
        ends = np.array([s[1] for s in self.segments])
        which = np.minimum(np.searchsorted(ends, times), len(ends) - 1)
        for w in np.unique(which):
            sel = which == w
            out[:, sel] = np.asarray(self.segments[w][2](times[sel])).reshape(self.chart.m, -1)
        return out

    def log_shares_at(self, t: float) -> np.ndarray:
        return self.chart.log_shares(self.at([t]))[:, 0]

    def difference_at(self, t: float, a: int, b: int) -> float:
        """:math:`\\ln(x_a/x_b)` at time ``t`` (payoff rows of one population)."""
        return float(self.chart.difference(self.at([t])[:, 0], a, b))


def _log_mass_off(L: np.ndarray, off: int, S: Sequence[int], s: int) -> np.ndarray:
    """:math:`\\ln(1 - x_{is}) = \\ln \\sum_{j \\ne s} x_{ij}` over the support, shape ``(n,)``."""
    rows = [off + j for j in S if j != s]
    if not rows:
        return np.full(L.shape[1], -np.inf)
    return _logsumexp(L[rows], axis=0)


def _names(system: _System, profile: Sequence[int]) -> str:
    names = system.profile_names(profile)
    text = "(" + ", ".join(names) + ")"
    if all(k == 2 for k in system.sizes):
        text += " = (" + ", ".join(str(int(v)) for v in system.vertex_state(profile)) + ")"
    return text


def _corner_name(system: _System, profile: Sequence[int]) -> str:
    """``"011"`` (state bits) when every population has two strategies, else ``"(C, E, A)"``."""
    if all(k == 2 for k in system.sizes):
        return "".join(str(int(v)) for v in system.vertex_state(profile))
    return "(" + ", ".join(system.profile_names(profile)) + ")"


def _point_name(system: _System, x: np.ndarray) -> str:
    return "(" + ", ".join(f"{v:.6g}" for v in x) + ")"


def _face_name(system: _System, support: Support) -> str:
    parts = []
    for pop, S in zip(system.game.populations, support):
        parts.append("|".join(pop.strategies[j] for j in S))
    return "(" + ", ".join(parts) + ")"
