"""Numerical view of a game at fixed parameters, and trajectories in log-ratio charts on its faces.

:class:`_System` evaluates expected payoffs, the rate scale and the certified strict
equilibria (with their trapping boxes) of each face, and gives the right-hand side
:math:`\\dot u_{ij} = g_{ij}(x) - g_{ir_i}(x)` of a face's log-ratio chart
(:class:`gametheory.numerics.charts.LogRatioChart`) from the dynamics' growth rates;
:class:`_Path` is a trajectory in such a chart with dense output.  Private to
:mod:`gametheory.analysis`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.integrate import solve_ivp

from ..dynamics.base import Dynamics
from ..errors import GameError
from ..numerics.charts import LogRatioChart, logsumexp

Support = tuple[tuple[int, ...], ...]


def state_dependent_replicator(dyn: Dynamics) -> bool:
    r"""Whether ``dyn`` is the replicator dynamics of a game with state-dependent payoffs.

    Its theory facts are cleared (the theorems on payoffs constant per profile lapse), but two
    facts the studies need still hold: at a vertex :math:`v` the Jacobian is triangular in the
    deviating shares with eigenvalues :math:`f_{ij}(v) - f_{iv_i}(v)` (only :math:`x_{ij} = 0`
    at :math:`v` is used), and :math:`\frac{d}{dt}\ln(x_{ij}/x_{iv_i}) = f_{ij}(x) - f_{iv_i}(x)`
    everywhere (the trapping-box argument).  Only the maximum of an advantage over a box is no
    longer attained at its corners; :meth:`_System.sinks` bounds it by Bernstein coefficients.

    Examples
    --------
    >>> from gametheory.models import crisis_governance as cg
    >>> state_dependent_replicator(cg.dynamic_accountability_game().replicator())
    True
    >>> state_dependent_replicator(cg.game().replicator())
    False
    """
    from ..dynamics.replicator import ReplicatorDynamics

    return type(dyn) is ReplicatorDynamics and dyn.game.state_dependent


class _System:
    """Numerical view of the game at fixed parameters: payoffs, vertices, rate scale, chart fields."""

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
        self._pay_array = dyn.compiled("payoffs")
        #: the per-capita growth rates (scalar flavour), the input of the log-ratio charts' fields
        self.growth_scalar = dyn.compiled("growth", "scalar")
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

    def chart(self, x: np.ndarray) -> LogRatioChart:
        """The log-ratio chart of the face holding the reduced state ``x``, with ``u0`` at ``x``."""
        return LogRatioChart.on_face_of(self.dyn, x)

    def face_chart(self, support: Support) -> LogRatioChart:
        """The log-ratio chart of the face ``support``."""
        return LogRatioChart.on_face(self.sizes, support)

    def rhs(self, chart: LogRatioChart) -> Callable[[float, np.ndarray], np.ndarray]:
        """:math:`\\dot u_{ij} = g_{ij}(x) - g_{ir_i}(x)` on ``chart``, in plain Python floats."""
        return chart.rhs(self.growth_scalar, self.p)

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
        if self.game.state_dependent:
            return self._trapping_box_bernstein(profile, support)
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

    def _trapping_box_bernstein(self, profile: Sequence[int], support: Support) -> tuple[float, float] | None:
        """As :meth:`_trapping_box` for state-dependent payoffs (polynomials in the states, own shares too).

        The box :math:`x_{iv_i} \\ge 1 - \\delta` (on the face ``support``) lies in the coordinate box
        with :math:`x_{iv_i} \\in [1 - \\delta, 1]`, :math:`x_{ij} \\in [0, \\delta]` for the other
        strategies of the support and :math:`x_{ij} = 0` off it; each advantage is bounded above on
        that box by its largest Bernstein coefficient (:mod:`gametheory.dynamics._bernstein`).
        """
        import sympy

        from ..dynamics._bernstein import numeric_coefficients, polynomial_range_bound

        values = dict(zip(self.dyn.parameters, (sympy.Float(v) for v in self.p_list)))
        states = self.dyn.states
        pay = self.dyn.expected_payoffs
        advantages = [
            numeric_coefficients((pay[i][j] - pay[i][s]).xreplace(values), states)
            for i, s in enumerate(profile)
            for j in support[i]
            if j != s
        ]
        for k in range(1, 41):
            delta = 2.0**-k
            lo, hi = [], []
            for i, s in enumerate(profile):
                for j in range(self.sizes[i] - 1):
                    inside = (1.0 - delta, 1.0) if j == s else (0.0, delta) if j in support[i] else (0.0, 0.0)
                    lo.append(inside[0])
                    hi.append(inside[1])
            worst = max(polynomial_range_bound(a, lo, hi)[1] for a in advantages)
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


class _Path:
    """A trajectory in chart coordinates, integrated chunk by chunk, with dense output.

    ``rhs`` is the chart's right-hand side (:meth:`_System.rhs`).
    """

    def __init__(
        self,
        chart: LogRatioChart,
        rhs: Callable[[float, np.ndarray], np.ndarray],
        u0: np.ndarray,
        rtol: float,
        atol: float,
    ) -> None:
        self.chart = chart
        self.rhs = rhs
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
            self.rhs,
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
    return logsumexp(L[rows], axis=0)


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
