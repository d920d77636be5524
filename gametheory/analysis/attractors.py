"""What trajectories really do: rest points, continua, neutral cycles, heteroclinic cycles.

Linearisation at rest points (:mod:`gametheory.stability`) says what happens
*near* a hyperbolic rest point.  It does not say where a trajectory from a
given start ends up, and it is silent exactly where multi-population games are
interesting: non-hyperbolic rest points, continua of rest points, closed
orbits, and heteroclinic cycles between corners.  :func:`attractors`
integrates from a sample of starts and decides, for each start, what the
trajectory approaches, with evidence that does not depend on "the final state
looks close to something".

Coordinates
-----------
Every trajectory is integrated in log-ratio coordinates on the face of its
start (the strategies with positive share at the start).  For population
:math:`i` with support :math:`S_i` and reference strategy :math:`r_i` (the last
strategy of :math:`S_i`)

.. math::  u_{ij} = \\ln(x_{ij}/x_{i r_i}), \\qquad \\dot u_{ij} = f_{ij}(x) - f_{i r_i}(x),

where :math:`f_{ij}` is the expected payoff of strategy :math:`j` of population
:math:`i`.  Log-shares :math:`L_{ij} = \\ln x_{ij}` (a log-softmax of
:math:`u`) keep full relative precision for shares far below the smallest
double (a trajectory at :math:`x = e^{-5000}` from a corner is still resolved),
and a trajectory that merely passes a corner is never captured by rounding.
Because :math:`f_{ij}` does not depend on population :math:`i`'s own state,
:math:`\\partial \\dot u_{ij} / \\partial u_{il} = 0`: the flow is
volume-preserving in these coordinates (Liouville), so no interior rest point
and no interior periodic orbit attracts an open set.  Attractors of these
games are vertices (strict Nash equilibria; Ritzberger and Weibull 1995) or
sets reaching the boundary, such as heteroclinic cycles (Jordan 1993).

Decisions
---------
Each start is followed in chunks of doubling length up to ``t_max``; after
each chunk the tests below run in this order, and the first that succeeds
decides.

*Rest point, certified* (vertices).  For a vertex :math:`v` with all payoff
advantages :math:`\\lambda_{ij} = f_{ij}(v) - f_{i v_i}(v) < 0` (a strict
Nash equilibrium of the start's face; these advantages are the eigenvalues of
the Jacobian at :math:`v`) we compute a *trapping box*
:math:`B_\\delta = \\{x : x_{i v_i} \\ge 1 - \\delta \\ \\forall i\\}` on which
every advantage is at most :math:`-m < 0`.  Each advantage is affine in every
other population's shares, so its maximum over the box (a product of
simplices) is attained at a product of the box's vertices: the certificate is
an exact finite check.  Inside the box every log-ratio
:math:`\\ln(x_{ij}/x_{i v_i})` decreases at rate at least :math:`m`, hence the
box is forward invariant and the trajectory converges to :math:`v`.  A corner
with a positive eigenvalue has no such box, so a corner a trajectory only
visits (a saddle on a heteroclinic cycle) is never reported as a limit.  After
entering the box the trajectory is followed until every non-played share is
below ``1e-12``; the reported ``rates`` (the final slopes
:math:`\\dot u`) then equal the eigenvalues.

*Heteroclinic cycle*.  The dominant profile (each population's largest share)
changes at switching times, found to solver accuracy on the dense output.
Between switches the trajectory *visits* a corner; the *dwell time* of a visit
is the time between its two switches.  A heteroclinic cycle is recognised when
the last two rounds of visits repeat the same corner sequence of period
:math:`m \\ge 2`, every corner's dwell time grew from one round to the next,
every corner was approached more closely than one round before, and every
step of the sequence leaves a corner along a direction with positive payoff
advantage (an unstable direction of that saddle).  It is then confirmed by
following the trajectory for two more rounds, beyond ``t_max`` if need be:
cheap in log-ratio coordinates, where a visit costs a fixed number of steps
however long it lasts.  All four rounds must pass the tests, and in the last
one the trajectory must come within ``1e-4`` of every corner (a growing spiral
that merely passes through the quadrants of a face is not a heteroclinic
cycle); a trajectory that enters a trapping box instead is reported as
converging.  A trajectory still unresolved at ``t_max`` whose corner sequence
repeats with growing dwell times is followed further, by doublings of the time
and within a budget of solver steps.  The dwell ratio is
the per-visit geometric mean :math:`(T_k / T_{k-m})^{1/m}` over the last round
(the golden ratio 1.618... for Jordan's three-player matching pennies).

*Cycles*.  A Poincare section is placed in the bounded log-ratio coordinates
(strategies going extinct are left out); the section points of successive
returns are compared.  When the last returns close up to ``cycle_tol`` (relative
to the orbit's size) the trajectory lies on, or has converged onto, a closed
orbit of its limit face.  A second orbit, started from the section point moved
by 1 % of the orbit's size towards its centre in the limit face, decides the
kind: if it closes too, the orbit belongs to a family of closed orbits (a
*neutral cycle*, e.g. around the centre of an inspection game); if its returns
contract towards the first orbit, it is an attracting *limit cycle* (the
contraction per period is reported as ``multiplier``).  The period, the
amplitude (half the peak-to-peak range of each coordinate) and the centre (the
time average over one period) are reported.  When at most two populations
oscillate, the centre is a rest point of the face: integrating
:math:`\\dot u_{ij} = f_{ij} - f_{ir_i}`, linear in the other oscillating
population's shares, over one period gives equal payoffs at the average state.
Because the flow preserves volume in log-ratio coordinates, the replicator
dynamics of these games has no attracting limit cycle (inside a face, neither);
the limit-cycle branch exists for completeness and is tested on a field that
is not a game's.

*Rest point, by the trajectory* (non-vertex and non-strict limits).  The final
state with the extinct strategies removed is polished by Gauss-Newton to a rest
point :math:`x^*` of the limit face.  Convergence is reported when the
trajectory stays within ``1e-6`` of :math:`x^*` with non-increasing distance,
no extinct strategy has a positive payoff advantage at :math:`x^*` (it would be
re-invaded: a visit, not a limit), and no eigenvalue of the Jacobian on the
start's face has positive real part beyond ``1e-6`` of the game's rate scale.
The limit belongs to a *set of rest points* (a continuum on an edge or face of
a degenerate game) when :func:`gametheory.equilibria.rest_points`, which
enumerates all rest points and continua, has a continuum through :math:`x^*`,
or when the Jacobian is singular and a rest point distinct from :math:`x^*` is
found next to it along a null direction.  Isolated limits are matched against
that enumeration too (the evidence says so).

Everything else is *unresolved* at ``t_max``, with the reason.
"""

from __future__ import annotations

import enum
import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.integrate import solve_ivp
from scipy.optimize import brentq, minimize_scalar

from ..dynamics.replicator import ReplicatorDynamics
from ..errors import AnalysisError, GameError, IntegrationError, ParameterError, StateError
from ..game import Game

__all__ = ["AttractorKind", "Outcome", "Attractor", "AttractorReport", "attractors"]

#: Log-share below which a strategy counts as (numerically) extinct in the rest-point test.
_EXTINCT_LOG_SHARE = math.log(1e-10)
#: After entering a trapping box, follow the trajectory until every non-played share is below this.
_FINAL_SHARE = 1e-12
#: Largest distance (max-norm, in shares) between the final state and a rest point called its limit.
_REST_DISTANCE = 1e-6
#: Eigenvalue real parts up to this fraction of the game's rate scale count as zero.
_ZERO_EIGENVALUE = 1e-6
#: Log distance within which the last confirmed round must approach every corner of a heteroclinic cycle.
_HETEROCLINIC_DEPTH = math.log(1e-4)
#: Minimal growth of every dwell time over one round of a heteroclinic cycle.
_MIN_ROUND_GROWTH = 1.01
#: Relative displacement (towards the centre) of the second orbit of the neutral/limit-cycle test.
_PERTURBATION = 0.01
#: Time doublings allowed to confirm a heteroclinic cycle over two more rounds, or beyond ``t_max``
#: to follow a corner sequence that repeats with growing dwell times.
_CONFIRM_DOUBLINGS = 40
#: Solver steps after which a trajectory is no longer followed beyond ``t_max``.
_EXTRA_STEPS = 50_000


class AttractorKind(enum.Enum):
    """What a trajectory approaches."""

    REST_POINT = "rest point"
    REST_POINT_SET = "set of rest points"
    NEUTRAL_CYCLE = "neutral cycle"
    LIMIT_CYCLE = "limit cycle"
    HETEROCLINIC_CYCLE = "heteroclinic cycle"
    UNRESOLVED = "unresolved"

    def __str__(self) -> str:
        return self.value


def _logsumexp(Z: np.ndarray, axis: int = 0) -> np.ndarray:
    """:math:`\\ln \\sum \\exp` along ``axis`` for arrays whose entries are finite (faster than scipy's)."""
    top = Z.max(axis=axis, keepdims=True)
    return np.log(np.exp(Z - top).sum(axis=axis)) + np.squeeze(top, axis=axis)


def _frozen(arr: Any, dtype: Any = float) -> np.ndarray | None:
    if arr is None:
        return None
    out = np.array(arr, dtype=dtype)
    out.setflags(write=False)
    return out


@dataclass(frozen=True)
class Outcome:
    """What the trajectory from one start approaches (immutable).

    Attributes
    ----------
    index : int
        Position of the start in :attr:`AttractorReport.starts`.
    start : ndarray, shape (d,)
        The start (reduced state).
    kind : AttractorKind
    label : str
        Readable name of what is approached; starts with equal labels approach
        the same attractor (e.g. ``"rest point (B, P, I)"``).
    final : ndarray, shape (d,)
        State at ``t_end``.
    t_end : float
        Time up to which the trajectory was integrated.
    point : ndarray, shape (d,), or None
        The rest point approached (``REST_POINT``, ``REST_POINT_SET``), or the
        centre of a cycle (time average over one period).
    profile : tuple of str or None
        The pure profile when ``point`` is a vertex.
    eigenvalues : ndarray (complex) or None
        For a vertex :math:`v`: all payoff advantages
        :math:`f_{ij}(v) - f_{iv_i}(v)`, population by population and strategy
        by strategy (skipping :math:`v_i`), which are the eigenvalues of the
        Jacobian at :math:`v`.  For another rest point: the eigenvalues of the
        Jacobian restricted to the start's face.
    rates : ndarray or None
        For a vertex: the final slopes :math:`\\frac{d}{dt}\\ln(x_{ij}/x_{i v_i})`,
        aligned with ``eigenvalues`` (``nan`` for strategies absent from the
        start's face).  Inside a trapping box they equal the eigenvalues.
    certified : bool
        True when convergence is proved by a trapping box (see module docstring).
    period : float or None
        Period of a cycle.
    amplitude : ndarray, shape (d,), or None
        Half the peak-to-peak range of each coordinate over one period.
    drift : float or None
        Largest displacement between returns to the Poincare section, relative
        to the orbit's size (cycles).
    multiplier : float or None
        Contraction of a perturbation per period (limit cycles; below 1).
    corners : tuple of profiles or None
        Corner sequence of a heteroclinic cycle (one round, in visiting order,
        starting at the corner with the smallest state).
    dwell_times : tuple of float or None
        Durations of the completed corner visits of the periodic tail, in order.
    dwell_ratio : float or None
        :math:`(T_k / T_{k-m})^{1/m}` over the last round of ``m`` visits.
    evidence : str
        Why this outcome was decided.
    """

    index: int
    start: np.ndarray
    kind: AttractorKind
    label: str
    final: np.ndarray
    t_end: float
    evidence: str
    point: np.ndarray | None = None
    profile: tuple[str, ...] | None = None
    eigenvalues: np.ndarray | None = None
    rates: np.ndarray | None = None
    certified: bool = False
    period: float | None = None
    amplitude: np.ndarray | None = None
    drift: float | None = None
    multiplier: float | None = None
    corners: tuple[tuple[str, ...], ...] | None = None
    dwell_times: tuple[float, ...] | None = None
    dwell_ratio: float | None = None

    def __post_init__(self) -> None:
        for name in ("start", "final", "point", "rates", "amplitude"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        object.__setattr__(self, "eigenvalues", _frozen(self.eigenvalues, complex))

    def __repr__(self) -> str:
        return f"Outcome(index={self.index}, kind={self.kind.value!r}, label={self.label!r})"


@dataclass(frozen=True)
class Attractor:
    """One distinct outcome and the starts that approach it (immutable).

    Attributes
    ----------
    kind : AttractorKind
    label : str
    count : int
        Number of starts.
    share : float
        ``count / n``.
    members : tuple of int
        Indices of those starts.
    detail : str
        Key numbers (vertex eigenvalues, period range, dwell ratio...).
    example : Outcome
        The outcome of the first member.
    """

    kind: AttractorKind
    label: str
    count: int
    share: float
    members: tuple[int, ...]
    detail: str
    example: Outcome


@dataclass(frozen=True)
class AttractorReport:
    """What the trajectories from a sample of starts approach (immutable).

    Attributes
    ----------
    game_name : str
    state_names : tuple of str
    params : mapping
        Parameter values used.
    starts : ndarray, shape (n, d)
    outcomes : tuple of Outcome
        One per start, in the order of ``starts``.
    attractors : tuple of Attractor
        Distinct outcomes, most frequent first.
    t_max, rtol, atol : float
        Integration horizon and tolerances (on the log-ratio coordinates).
    seed : int or None
        Seed of the Sobol sample (None when ``starts`` were given).
    """

    game_name: str
    state_names: tuple[str, ...]
    params: Mapping[str, float]
    starts: np.ndarray
    outcomes: tuple[Outcome, ...]
    attractors: tuple[Attractor, ...]
    t_max: float
    rtol: float
    atol: float
    seed: int | None

    def __post_init__(self) -> None:
        object.__setattr__(self, "starts", _frozen(self.starts))

    @property
    def labels(self) -> tuple[str, ...]:
        """Per-start labels."""
        return tuple(o.label for o in self.outcomes)

    @property
    def kinds(self) -> tuple[AttractorKind, ...]:
        """Per-start kinds."""
        return tuple(o.kind for o in self.outcomes)

    @property
    def shares(self) -> dict[str, float]:
        """Share of starts per label, most frequent first."""
        return {a.label: a.share for a in self.attractors}

    def share(self, kind: AttractorKind | str) -> float:
        """Share of starts whose outcome has this kind (an :class:`AttractorKind` or its value)."""
        if isinstance(kind, str):
            try:
                kind = AttractorKind(kind)
            except ValueError:
                raise AnalysisError(
                    f"unknown attractor kind {kind!r}; kinds are {[k.value for k in AttractorKind]}"
                ) from None
        return sum(o.kind is kind for o in self.outcomes) / max(1, len(self.outcomes))

    def summary(self) -> str:
        """A few lines of plain text."""
        n = len(self.outcomes)
        head = (
            f"Attractors of {self.game_name or 'the game'}: {n} start(s), t_max = {self.t_max:g}, "
            f"rtol = {self.rtol:g}, atol = {self.atol:g} (log-ratio coordinates)"
        )
        lines = [head]
        for a in self.attractors:
            lines.append(
                f"  {a.share:7.1%}  ({a.count:>4})  {a.label}" + (f"  [{a.detail}]" if a.detail else "")
            )
        return "\n".join(lines)

    def to_markdown(self) -> str:
        """A Markdown table: outcome, kind, share, starts, key numbers."""
        rows = [
            "| outcome | kind | share | starts | details |",
            "|---|---|---:|---:|---|",
        ]
        for a in self.attractors:
            label = a.label.replace("|", "\\|")
            detail = a.detail.replace("|", "\\|")
            rows.append(f"| {label} | {a.kind.value} | {a.share:.1%} | {a.count} | {detail} |")
        note = (
            f"\n\n{len(self.outcomes)} starts, integrated in log-ratio coordinates up to t = {self.t_max:g} "
            f"(rtol {self.rtol:g}, atol {self.atol:g})."
        )
        return "\n".join(rows) + note

    def __repr__(self) -> str:
        parts = ", ".join(f"{a.label}: {a.share:.0%}" for a in self.attractors[:4])
        more = ", ..." if len(self.attractors) > 4 else ""
        return f"AttractorReport({len(self.outcomes)} starts; {parts}{more})"


# --------------------------------------------------------------------------- the system
Support = tuple[tuple[int, ...], ...]


class _System:
    """Numerical view of the game at fixed parameters: payoffs, vertices, rate scale."""

    def __init__(self, dyn: ReplicatorDynamics, p: np.ndarray) -> None:
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
                from ..analysis.equilibria import rest_points

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


# --------------------------------------------------------------------------- analyses
def _log_mass_off(L: np.ndarray, off: int, S: Sequence[int], s: int) -> np.ndarray:
    """:math:`\\ln(1 - x_{is}) = \\ln \\sum_{j \\ne s} x_{ij}` over the support, shape ``(n,)``."""
    rows = [off + j for j in S if j != s]
    if not rows:
        return np.full(L.shape[1], -np.inf)
    return _logsumexp(L[rows], axis=0)


class _Follow:
    """Follow one start and decide its outcome."""

    def __init__(self, system: _System, index: int, x0: np.ndarray, opts: _Options) -> None:
        self.system = system
        self.index = index
        self.x0 = x0
        self.opts = opts
        self.chart = _Chart.for_state(system, x0)
        self.path = _Path(self.chart, self.chart.u_of(x0), opts.rtol, opts.atol)
        self.note = ""
        self.candidate = 0
        self._switch_times: dict[tuple[int, int], float] = {}
        self._depths: dict[tuple[float, float], float] = {}

    # ------------------------------------------------------------- helpers
    def outcome(self, kind: AttractorKind, label: str, evidence: str, **kw: Any) -> Outcome:
        t, U = self.path.arrays()
        final = self.chart.states(U[:, -1:])[:, 0]
        return Outcome(self.index, self.x0, kind, label, final, float(t[-1]), evidence, **kw)

    def corner_name(self, profile: Sequence[int]) -> str:
        return _corner_name(self.system, profile)

    # ------------------------------------------------------------- driver
    def run(self) -> Outcome:
        system, opts = self.system, self.opts
        if self.chart.m == 0:
            profile = tuple(S[0] for S in self.chart.support)
            return self.outcome(
                AttractorKind.REST_POINT,
                f"rest point {_names(system, profile)}",
                "the start is a vertex, a rest point of the dynamics",
                point=system.vertex_state(profile),
                profile=system.profile_names(profile),
                eigenvalues=[a for _, _, a in system.advantages(profile, system.all_strategies)],
            )
        if system.rate == 0.0:
            return self.outcome(
                AttractorKind.REST_POINT_SET,
                "set of rest points: every state",
                "all payoff advantages vanish identically: every state is a rest point",
                point=self.x0,
                eigenvalues=np.zeros(self.chart.m),
            )
        target = opts.first_chunk
        extra_doublings = 0
        while True:
            if not self.path.extend(target):
                return self.outcome(AttractorKind.UNRESOLVED, "unresolved", self.path.failure)
            for test in (self.sink, self.heteroclinic, self.cycle, self.rest):
                found = test()
                if found is not None:
                    return found
            t_end = self.path.t_end
            if t_end < opts.t_max:
                target = min(opts.t_max, 2.0 * t_end)  # chunks of doubling length
                continue
            if self.candidate and extra_doublings < _CONFIRM_DOUBLINGS and self.path.steps <= _EXTRA_STEPS:
                # A corner sequence repeats with growing dwell times: possibly a heteroclinic cycle that
                # needs more rounds.  Corner visits cost a few steps each: follow on, within a step budget.
                extra_doublings += 1
                target = 2.0 * t_end
                continue
            reason = self.note or "no rest point, cycle or heteroclinic cycle recognised"
            beyond = f" (followed to t = {t_end:.6g})" if t_end > opts.t_max else ""
            return self.outcome(
                AttractorKind.UNRESOLVED,
                "unresolved",
                f"{reason} by t_max = {opts.t_max:g}{beyond}; raise t_max",
            )

    # ------------------------------------------------------------- certified sinks
    def sink(self) -> Outcome | None:
        t, U = self.path.arrays()
        L = self.chart.log_shares(U)
        system = self.system
        for sink in system.sinks(self.chart.support):
            inside = np.ones(t.size, dtype=bool)
            for i, off, S, _ref, _pos, m in self.chart.blocks:
                if m:
                    inside &= _log_mass_off(L, off, S, sink.profile[i]) <= math.log(sink.delta)
            if not inside.any():
                continue
            k = int(np.argmax(inside))
            # Follow on until every non-played share is below _FINAL_SHARE: by the certificate the
            # non-played mass shrinks at least like exp(bound * t) from delta.
            extra = (math.log(sink.delta) - math.log(_FINAL_SHARE)) / -sink.bound
            if not self.path.extend(max(self.path.t_end, float(t[k]) + extra)):
                return self.outcome(AttractorKind.UNRESOLVED, "unresolved", self.path.failure)
            t, U = self.path.arrays()
            L = self.chart.log_shares(U)
            ratios = []
            for i, j, _ in sink.advantages:
                off = system.offsets[i]
                ratios.append(L[off + j] - L[off + sink.profile[i]])
            R = np.array(ratios)[:, k:]
            if not (np.diff(R, axis=1) < 0).all():  # pragma: no cover - would contradict the certificate
                raise AnalysisError(
                    f"start {self.index}: a log-ratio increased inside the certified trapping box of "
                    f"{sink.names}; the integration is not accurate enough (tighten rtol/atol)"
                )
            L_end = L[:, -1]
            eig, rates = self._vertex_rates(sink.profile)
            face_eig = [a for _, _, a in sink.advantages]
            face_rates = [r for r in rates if np.isfinite(r)]
            worst = float(np.max(np.exp(L_end[[system.offsets[i] + j for i, j, _ in sink.advantages]])))
            evidence = (
                f"entered at t = {t[k]:.6g} the trapping box x_{{i,v_i}} >= 1 - {sink.delta:g} of the strict "
                f"equilibrium {_names(system, sink.profile)}, on which every payoff advantage is <= "
                f"{sink.bound:.4g} (checked at all corners of the box), so every log-ratio decreases "
                f"monotonically from then on; at t = {t[-1]:.6g} the largest non-played share is {worst:.3g} "
                f"and the log-ratio slopes {_fmt(face_rates)} equal the eigenvalues {_fmt(face_eig)}"
            )
            return self.outcome(
                AttractorKind.REST_POINT,
                f"rest point {_names(system, sink.profile)}",
                evidence,
                point=system.vertex_state(sink.profile),
                profile=sink.names,
                eigenvalues=eig,
                rates=rates,
                certified=True,
            )
        return None

    def _slope(self, du: np.ndarray, i: int, j: int) -> float:
        """Slope of :math:`\\ln(x_{ij}/x_{ir_i})` from the chart's right-hand side (0 for the reference)."""
        _i, _off, S, ref, pos, _m = self.chart.blocks[i]
        return 0.0 if j == ref else float(du[pos + S.index(j)])

    # ------------------------------------------------------------- heteroclinic cycles
    def visits(self) -> tuple[list[tuple[int, ...]], list[float], list[float], list[float]]:
        """Completed corner visits: profiles, dwell times, depths (log distance), switch times."""
        t, U = self.path.arrays()
        L = self.chart.log_shares(U)
        blocks = self.chart.blocks
        dom = np.array(
            [[S[q] for q in np.argmax(L[[off + j for j in S]], axis=0)] for _i, off, S, _r, _p, _m in blocks]
        )
        switches: list[tuple[float, int, int]] = []  # (time, population, new strategy)
        changed = np.flatnonzero((dom[:, 1:] != dom[:, :-1]).any(axis=0))
        for k in changed:
            for i in np.flatnonzero(dom[:, k + 1] != dom[:, k]):
                off = blocks[i][1]
                a, b = int(dom[i, k]), int(dom[i, k + 1])

                def g(tt: float, a: int = off + a, b: int = off + b) -> float:
                    return self.path.difference_at(tt, a, b)

                key = (int(k), int(i))
                if key not in self._switch_times:  # steps only get appended: refined times stay valid
                    lo, hi = float(t[k]), float(t[k + 1])
                    try:
                        self._switch_times[key] = brentq(g, lo, hi, xtol=1e-12 * max(1.0, hi), rtol=1e-14)
                    except ValueError:  # the dominant strategy changed twice within one step
                        self._switch_times[key] = 0.5 * (lo + hi)
                switches.append((self._switch_times[key], int(i), b))
        switches.sort()
        profile = list(dom[:, 0])
        seq, times = [], []
        for ts, i, b in switches:
            profile[i] = b
            seq.append(tuple(int(v) for v in profile))
            times.append(ts)
        # visit q is seq[q] between times[q] and times[q+1] (the last one is not completed)
        dwell = [times[q + 1] - times[q] for q in range(len(times) - 1)]
        depths = []
        for q in range(len(times) - 1):
            key = (times[q], times[q + 1])
            if key not in self._depths:  # completed visits do not change: refine each once
                self._depths[key] = self._depth(seq[q], times[q], times[q + 1], t, L)
            depths.append(self._depths[key])
        return seq[:-1] if seq else [], dwell, depths, times

    def _depth(self, profile: tuple[int, ...], t0: float, t1: float, t: np.ndarray, L: np.ndarray) -> float:
        """Closest approach to the corner during a visit: min over [t0, t1] of the log distance

        :math:`D(t) = \\max_i \\ln(1 - x_{i v_i})`, V-shaped over a visit (down along the incoming
        directions, up along the outgoing one): the best step point, refined on the dense output.
        """
        blocks = self.chart.blocks

        def distance(Ls: np.ndarray) -> np.ndarray:
            D = np.full(Ls.shape[1], -np.inf)
            for i, off, S, _ref, _pos, m in blocks:
                if m:
                    D = np.maximum(D, _log_mass_off(Ls, off, S, profile[i]))
            return D

        inside = np.flatnonzero((t > t0) & (t < t1))
        if inside.size == 0:
            k = int(np.clip(np.searchsorted(t, t0), 0, t.size - 1))
            lo, hi = t0, t1
        else:
            D = distance(L[:, inside])
            k = int(inside[np.argmin(D)])
            lo, hi = max(t0, float(t[k - 1])), min(t1, float(t[min(k + 1, t.size - 1)]))

        def f(tt: float) -> float:
            return float(distance(self.chart.log_shares(self.path.at([tt])))[0])

        if hi <= lo:
            return f(lo)
        res = minimize_scalar(f, bounds=(lo, hi), method="bounded", options={"xatol": 1e-10 * max(1.0, hi)})
        return min(float(res.fun), f(float(t[k])) if t0 < t[k] < t1 else float(res.fun))

    def _periodic_tail(
        self, seq: list[tuple[int, ...]], dwell: list[float], depths: list[float], rounds: int, m: int
    ) -> str:
        """Why the last ``rounds`` rounds of period ``m`` fail the heteroclinic tests ("" if they pass)."""
        if len(seq) < rounds * m:
            return f"fewer than {rounds} rounds of visits"
        tail = seq[-rounds * m :]
        if len(set(tail[:m])) != m or any(tail[q] != tail[q + m] for q in range(len(tail) - m)):
            return "the corner sequence is not periodic"
        T = dwell[-rounds * m :]
        D = depths[-rounds * m :]
        if min(T[q + m] / T[q] for q in range(len(T) - m)) <= _MIN_ROUND_GROWTH:
            return f"dwell times do not grow by more than a factor {_MIN_ROUND_GROWTH} per round"
        if any(D[q + m] >= D[q] for q in range(len(D) - m)):
            return "the corners are not approached more closely each round"
        if rounds > 2 and max(D[-m:]) > _HETEROCLINIC_DEPTH:
            return (
                f"the last round came no closer than {math.exp(max(D[-m:])):.2g} to some corner "
                f"(needs {math.exp(_HETEROCLINIC_DEPTH):.0e})"
            )
        return ""

    def heteroclinic(self) -> Outcome | None:
        seq, dwell, depths, _ = self.visits()
        system = self.system
        self.candidate = _candidate_period(seq, dwell)
        for m in range(2, len(seq) // 2 + 1):
            if self._periodic_tail(seq, dwell, depths, 2, m):
                continue
            cycle = seq[-m:]
            # every step must leave a corner along an unstable direction (positive payoff advantage)
            for q in range(m):
                here, nxt = cycle[q], cycle[(q + 1) % m]
                adv = {(i, j): a for i, j, a in system.advantages(here, self.chart.support)}
                moved = [(i, nxt[i]) for i in range(len(here)) if nxt[i] != here[i]]
                if not moved or any(adv[key] <= 0 for key in moved):
                    return None
            # Recognised over two rounds.  Confirm over two more rounds, which also measures the dwell
            # ratio past the transient: cheap in log-ratio coordinates (a fixed number of steps per visit,
            # however long the visits get).  A trajectory that stops cycling (e.g. falls into a trapping
            # box) ends the confirmation.
            target = len(seq) + 2 * m
            for _ in range(_CONFIRM_DOUBLINGS):
                if not self.path.extend(2.0 * self.path.t_end):
                    return None
                found = self.sink()
                if found is not None:
                    return found
                seq, dwell, depths, _ = self.visits()
                if len(seq) >= target:
                    break
            why = self._periodic_tail(seq, dwell, depths, 4, m)
            if not why and not _same_cycle(seq[-m:], cycle):
                why = "the trajectory left the corner sequence"
            if why:
                self.note = f"a corner sequence of period {m} seemed to repeat but was not confirmed ({why})"
                return None
            cycle = seq[-m:]
            T, D = dwell[-2 * m :], depths[-2 * m :]
            growth = [T[q + m] / T[q] for q in range(m)]
            ratio = (T[-1] / T[-1 - m]) ** (1.0 / m)
            # canonical rotation: start at the corner with the smallest reduced state
            states = [tuple(system.vertex_state(c)) for c in cycle]
            r0 = min(range(m), key=lambda q: states[q])
            order = cycle[r0:] + cycle[:r0]
            names = " → ".join(self.corner_name(c) for c in (*order, order[0]))
            steps = [T[q + 1] / T[q] for q in range(len(T) - 1)]
            evidence = (
                f"the dominant corner repeats the sequence {names} for four rounds ({4 * m} visits); every "
                f"corner's dwell time grew each round (last round: x{_fmt(growth, 4)}) and every corner was "
                f"approached more closely each round (last two rounds' log distances {_fmt(D[:m], 4)}, "
                f"{_fmt(D[m:], 4)}); each corner is a saddle left along a direction with positive payoff "
                f"advantage; successive dwell ratios over the last two rounds {_fmt(steps, 6)}"
            )
            return self.outcome(
                AttractorKind.HETEROCLINIC_CYCLE,
                f"heteroclinic cycle {names}",
                evidence,
                corners=tuple(system.profile_names(c) for c in order),
                dwell_times=tuple(float(v) for v in dwell[-4 * m :]),
                dwell_ratio=float(ratio),
            )
        return None

    # ------------------------------------------------------------- cycles
    def _rebased(self, L: np.ndarray, t: np.ndarray) -> tuple[list[int], list[int], np.ndarray, list[int]]:
        """Rebase log-shares on each population's dominant strategy over the last half.

        Returns the payoff rows of the coordinates, their references, the rebased values ``(c, n)``,
        and the indices (into those rows) of the coordinates escaping to -inf.
        """
        half = t >= 0.5 * t[-1]
        rows, refs = [], []
        for _i, off, S, _ref, _pos, m in self.chart.blocks:
            if not m:
                continue
            ref = off + S[int(np.argmax(L[[off + j for j in S]][:, half].mean(axis=1)))]
            for j in S:
                if off + j != ref:
                    rows.append(off + j)
                    refs.append(ref)
        W = L[rows] - L[refs] if rows else np.zeros((0, t.size))
        first = (t >= 0.5 * t[-1]) & (t < 0.75 * t[-1])
        last = t >= 0.75 * t[-1]
        escaping = []
        if first.sum() >= 2 and last.sum() >= 2:
            for c in range(len(rows)):
                # rare throughout the last quarter (share ratio < e^-20) and rarer on time average than in
                # the quarter before: a strategy on its way out, whatever it oscillates on the way
                if W[c, last].max() < -20 and _time_mean(t[last], W[c, last]) < _time_mean(
                    t[first], W[c, first]
                ):
                    escaping.append(c)
        return rows, refs, W, escaping

    def cycle(self) -> Outcome | None:
        t, U = self.path.arrays()
        L = self.chart.log_shares(U)
        rows, refs, W, escaping = self._rebased(L, t)
        bounded = [c for c in range(len(rows)) if c not in escaping]
        if len(bounded) < 2:
            return None
        half = t >= 0.5 * t[-1]
        ranges = np.ptp(W[bounded][:, half], axis=1)
        if ranges.max() <= 1e-9:
            return None
        kc = bounded[int(np.argmax(ranges))]
        level = 0.5 * (W[kc, half].max() + W[kc, half].min())
        others = [c for c in bounded if c != kc]
        scale = float(ranges.max())
        crossings = self._crossings(t, W[kc], rows[kc], refs[kc], level)
        if len(crossings) < 4:
            return None
        P = np.array([self._section_point(tc, rows, refs, others) for tc in crossings])
        tc = np.array(crossings)
        for m in (1, 2, 3):
            need = 3 * m + 1
            if len(tc) < need:
                break
            Pt, tt = P[-need:], tc[-need:]
            disp = max(float(np.abs(Pt[q + m] - Pt[q]).max()) for q in range(need - m))
            periods = np.array([tt[q + m] - tt[q] for q in range(need - m)])
            if (
                disp > self.opts.cycle_tol * scale
                or np.ptp(periods) > 10 * self.opts.cycle_tol * periods.mean()
            ):
                continue
            return self._classify_cycle(m, tt, Pt, periods, rows, escaping, scale, P)
        if not escaping:
            self.note = (
                f"bounded recurrent motion: {len(crossings)} returns to a Poincare section that do not "
                "close up (quasi-periodic motion on an invariant torus, chaos, or a cycle longer than "
                "the horizon)"
            )
        return None

    def _crossings(self, t: np.ndarray, w: np.ndarray, row: int, ref: int, level: float) -> list[float]:
        idx = np.flatnonzero((w[:-1] < level) & (w[1:] >= level))
        out = []
        for k in idx:

            def g(tt: float) -> float:
                return self.path.difference_at(tt, row, ref) - level

            lo, hi = float(t[k]), float(t[k + 1])
            try:
                out.append(brentq(g, lo, hi, xtol=1e-13 * max(1.0, hi), rtol=1e-15))
            except ValueError:
                continue
        return out

    def _section_point(self, tc: float, rows: list[int], refs: list[int], others: list[int]) -> np.ndarray:
        u = self.path.at([tc])[:, 0]
        return np.array([self.chart.difference(u, rows[c], refs[c]) for c in others], dtype=float)

    def _classify_cycle(
        self,
        m: int,
        tt: np.ndarray,
        Pt: np.ndarray,
        periods: np.ndarray,
        rows: list[int],
        escaping: list[int],
        scale: float,
        P: np.ndarray,
    ) -> Outcome | None:
        """Period, amplitude, centre, and the neutral/limit-cycle decision for a closed orbit.

        ``tt`` and ``Pt`` are the last section crossings and section points, ``P`` all of them.
        """
        system = self.system
        period = float(periods.mean())
        t_last = float(tt[-1])
        samples = np.linspace(t_last - period, t_last, 64, endpoint=False)
        rough_centre = self.chart.states(self.path.at(samples)).mean(axis=1)
        closed_from_start = bool(
            all(
                float(np.abs(P[q + m] - P[q]).max()) <= self.opts.cycle_tol * scale for q in range(len(P) - m)
            )
        )
        drift = max(float(np.abs(Pt[q + m] - Pt[q]).max()) for q in range(len(Pt) - m)) / scale
        # The limit face: drop the strategies going extinct.
        L_last = self.path.log_shares_at(t_last)
        extinct = {rows[c] for c in escaping}
        support = []
        for _i, off, S, _ref, _pos, _m in self.chart.blocks:
            support.append(tuple(j for j in S if off + j not in extinct))
        support_t = tuple(support)
        test = self._perturbation_test(support_t, L_last, rough_centre, m, period, scale)
        kind, multiplier, how = test.kind, test.multiplier, test.how
        if kind is None or test.path is None:
            self.note = how
            return None
        # Period, centre and amplitude from the closed orbit of the limit face, followed from the last
        # section point: one period sampled uniformly (the mean is spectrally accurate for a periodic
        # function), the extremes refined on the dense output.
        period = test.period
        face_path = test.path
        samples = period * (np.arange(512) + 1.0) / 512.0
        X = face_path.chart.states(face_path.at(samples))
        centre = X.mean(axis=1)
        amplitude = 0.5 * np.array(
            [
                _extreme(face_path, samples, X[c], c, +1) - _extreme(face_path, samples, X[c], c, -1)
                for c in range(X.shape[0])
            ]
        )
        face = _face_name(system, support_t)
        if escaping:
            where = (
                f"the trajectory converges onto a closed orbit of the face {face} (the strategies going "
                "extinct are left out of the section)"
            )
        elif closed_from_start:
            where = "the start lies on a closed orbit"
        else:
            where = "the trajectory converges onto a closed orbit"
        evidence = (
            f"{where}: returns to a Poincare section close up to {drift:.2g} of the orbit's size over "
            f"{len(Pt)} returns ({m} crossing(s) per period; mean return time {float(periods.mean()):.8g}, "
            f"period of the limiting orbit {period:.8g}); {how}"
        )
        cpoint = "(" + ", ".join(_short(v) for v in centre) + ")"
        if kind is AttractorKind.NEUTRAL_CYCLE:
            label = f"neutral cycles around {cpoint}"
        else:
            label = f"limit cycle around {cpoint}, period {period:.4g}"
        return self.outcome(
            kind,
            label,
            evidence,
            point=centre,
            period=period,
            amplitude=amplitude,
            drift=drift,
            multiplier=multiplier,
        )

    def _perturbation_test(
        self,
        support: Support,
        L: np.ndarray,
        centre: np.ndarray,
        m: int,
        period: float,
        scale: float,
    ) -> _CycleTest:
        """Neutral family or isolated limit cycle: follow the orbit and a radially moved copy in the face."""
        system = self.system
        chart = _Chart(system, support)
        u_on = chart.u_of_log_shares(L)
        # centre of the orbit in the face's chart coordinates
        full_c = system.full(np.clip(centre, 0, 1))
        Lc = np.full(system.n_payoffs, -np.inf)
        for i, off, S, _ref, _pos, _m in chart.blocks:
            for j in S:
                Lc[off + j] = math.log(max(full_c[i][j], 1e-300))
        u_c = chart.u_of_log_shares(Lc)
        normal = np.asarray(chart.rhs(0.0, u_on), dtype=float)
        normal = normal / max(float(np.linalg.norm(normal)), 1e-300)
        towards = u_c - u_on
        towards = towards - (towards @ normal) * normal  # stay on the section through u_on
        u_off = u_on + _PERTURBATION * towards
        results = []
        for u0 in (u_on, u_off):
            path = _Path(chart, u0, self.opts.rtol, self.opts.atol)
            if not path.extend(3.2 * period):
                return _CycleTest(None, None, f"the orbit could not be followed in its face: {path.failure}")
            results.append(path)
        # returns of both orbits to the section through the first one's start, in the flow direction
        ret = [_returns(path, u_on, normal, m, 1e-3 * period) for path in results]
        if any(len(r) < 3 for r in ret):
            return _CycleTest(None, None, "the orbit in its face did not return to the section")
        base = [p for _, p in ret[0]]
        face_period = float(ret[0][1][0])
        d_base = float(np.abs(base[1] - base[0]).max()) / scale
        if d_base > self.opts.cycle_tol:
            return _CycleTest(
                None, None, f"the orbit projected on its face does not close (gap {d_base:.2g})"
            )
        pert = [p for _, p in ret[1]]
        d1 = float(np.abs(pert[1] - pert[0]).max())
        d2 = float(np.abs(pert[2] - pert[1]).max())
        if d1 <= self.opts.cycle_tol * scale:
            how = (
                f"an orbit started {_PERTURBATION:.0%} of the way towards the centre closes too "
                f"(gap {d1 / scale:.2g}): a family of neutral closed orbits"
            )
            return _CycleTest(AttractorKind.NEUTRAL_CYCLE, None, how, results[0], face_period)
        if d2 < d1:
            mult = d2 / d1
            how = f"a perturbed orbit returns closer each period (multiplier {mult:.4g}): an isolated limit cycle"
            return _CycleTest(AttractorKind.LIMIT_CYCLE, mult, how, results[0], face_period)
        return _CycleTest(
            None, None, "a perturbed orbit moves away from the closed orbit (a repelling cycle)"
        )

    # ------------------------------------------------------------- rest points by the trajectory
    def rest(self) -> Outcome | None:
        system, chart = self.system, self.chart
        t, U = self.path.arrays()
        L = chart.log_shares(U)
        L_end = L[:, -1]
        # surviving strategies: not below the extinction threshold, or not decreasing over the last quarter
        last = t >= 0.75 * t[-1]
        support = []
        for _i, off, S, _ref, _pos, _m in chart.blocks:
            keep = []
            for j in S:
                r = off + j
                decreasing = bool(last.sum() >= 2 and L[r, last][-1] < L[r, last][0])
                if not (L_end[r] < _EXTINCT_LOG_SHARE and decreasing):
                    keep.append(j)
            if not keep:
                return None
            support.append(tuple(keep))
        face = tuple(support)
        x_end = chart.states(U[:, -1:])[:, 0]
        x_star = _polish(system, face, _project(system, x_end, face))
        if x_star is None:
            return None
        dist_end = float(np.abs(x_end - x_star).max())
        moved = float(np.abs(U - U[:, :1]).max())
        at_start = moved <= 1e-12 * (1.0 + float(np.abs(U[:, 0]).max()))
        eig = _face_eigenvalues(system, chart.support, x_star)
        worst = float(eig.real.max()) if eig.size else -np.inf
        tol = _ZERO_EIGENVALUE * system.rate
        if not at_start:
            if dist_end > _REST_DISTANCE:
                return None
            probes = [0.5, 0.75, 0.9]
            d = [float(np.abs(chart.states(self.path.at([f * t[-1]]))[:, 0] - x_star).max()) for f in probes]
            d.append(dist_end)
            if any(d[q + 1] > d[q] * (1 + 1e-9) + 1e-15 for q in range(len(d) - 1)):
                return None
            if worst > tol:
                self.note = (
                    f"the trajectory is near the rest point {_point_name(system, x_star)}, whose Jacobian "
                    f"has an eigenvalue with real part {worst:.3g} > 0: a visit, not a limit"
                )
                return None
        profile = _vertex_profile(system, x_star)
        name = _names(system, profile) if profile is not None else _point_name(system, x_star)
        continuum = _continuum(system, chart.support, x_star)
        eig_vertex, rates = self._vertex_rates(profile) if profile is not None else (None, None)
        if at_start:
            stability = "unstable" if worst > tol else "not linearly unstable"
            evidence = f"the start is a rest point ({stability}; eigenvalues {_fmt(eig)})"
        else:
            evidence = (
                f"the trajectory stays within {dist_end:.2g} of the rest point {name} with decreasing "
                "distance; no extinct strategy has a positive payoff advantage there and no eigenvalue "
                f"on the start's face has positive real part (eigenvalues {_fmt(eig)}); not certified "
                "by a trapping box"
            )
        # Cross-check with the enumeration of all rest points (gametheory.equilibria), when available.
        catalogue, why_not = system.catalogue()
        on_set = None
        if catalogue is not None:
            on_set = next((c for c in catalogue.continua if c.contains(x_star, tol=1e-7)), None)
            if profile is None and on_set is None:
                near = [
                    rp for rp in catalogue.points if float(np.abs(rp.point - x_star).max()) <= _REST_DISTANCE
                ]
                if near:
                    x_star = np.array(near[0].point, dtype=float)
                    evidence += "; it is the rest point found by gametheory.equilibria.rest_points"
                elif catalogue.complete:
                    evidence += (
                        "; note: not among the rest points enumerated by gametheory.equilibria.rest_points"
                    )
        else:
            evidence += f"; no cross-check with gametheory.equilibria ({why_not})"
        common = {
            "point": x_star,
            "profile": system.profile_names(profile) if profile is not None else None,
            "eigenvalues": eig_vertex if profile is not None else eig,
            "rates": rates,
        }
        if on_set is not None:
            return self.outcome(
                AttractorKind.REST_POINT_SET,
                f"set of rest points: {on_set.describe()}",
                evidence + f"; {name} lies on the continuum of rest points {on_set.describe()} "
                "(gametheory.equilibria.rest_points)",
                **common,
            )
        if continuum is not None:
            face_name = _face_name(system, continuum)
            return self.outcome(
                AttractorKind.REST_POINT_SET,
                f"set of rest points in {face_name}",
                evidence
                + f"; {name} lies on a continuum of rest points in {face_name} (a rest point distinct "
                "from it was found next to it along a null direction of the Jacobian)",
                **common,
            )
        return self.outcome(AttractorKind.REST_POINT, f"rest point {name}", evidence, **common)

    def _vertex_rates(self, profile: Sequence[int]) -> tuple[list[float], list[float]]:
        """All payoff advantages at a vertex, and the final log-ratio slopes aligned with them.

        The slope of :math:`\\ln(x_{ij}/x_{iv_i})` is ``nan`` for strategies outside the start's support.
        """
        system = self.system
        du = np.array(self.chart.rhs(0.0, self.path.u_end))
        eig, rates = [], []
        for i, j, a in system.advantages(profile, system.all_strategies):
            eig.append(a)
            if j in self.chart.support[i] and profile[i] in self.chart.support[i]:
                rates.append(self._slope(du, i, j) - self._slope(du, i, profile[i]))
            else:
                rates.append(float("nan"))
        return eig, rates


def _same_cycle(a: Sequence[Any], b: Sequence[Any]) -> bool:
    """Whether ``a`` is a rotation of ``b``."""
    return len(a) == len(b) and any(list(a[k:]) + list(a[:k]) == list(b) for k in range(len(a)))


def _candidate_period(seq: Sequence[tuple[int, ...]], dwell: Sequence[float]) -> int:
    """Period ``m >= 2`` of a corner sequence that repeats, with growing dwell times, over its last visits.

    A weak test (at least ``m + 2`` visits, the overlap periodic and growing): it only decides whether a
    trajectory still unresolved at ``t_max`` is followed further, at a few steps per visit.  0 if none.
    """
    n = len(seq)
    for m in range(2, n - 1):
        overlap = min(m, n - m)
        if overlap < 2 or len(set(seq[-m:])) != m:
            continue
        if all(seq[-j] == seq[-j - m] and dwell[-j] > dwell[-j - m] for j in range(1, overlap + 1)):
            return m
    return 0


def _extreme(path: _Path, samples: np.ndarray, values: np.ndarray, c: int, sign: int) -> float:
    """Maximum (``sign=+1``) or minimum of coordinate ``c`` near the samples' best, refined on dense output."""
    k = int(np.argmax(sign * values))
    h = samples[1] - samples[0]
    lo, hi = max(samples[k] - h, 0.0), min(samples[k] + h, path.t_end)

    def f(tt: float) -> float:
        return -sign * float(path.chart.states(path.at([tt]))[c, 0])

    res = minimize_scalar(f, bounds=(lo, hi), method="bounded", options={"xatol": 1e-12})
    return max(sign * values[k], -float(res.fun)) * sign


@dataclass
class _CycleTest:
    """Result of the neutral/limit-cycle test: kind (None: undecided), multiplier, reason, orbit, period."""

    kind: AttractorKind | None
    multiplier: float | None
    how: str
    path: _Path | None = None
    period: float = 0.0


def _time_mean(t: np.ndarray, w: np.ndarray) -> float:
    """Trapezoid time average of ``w`` over the sample times ``t``."""
    return float(np.sum(0.5 * (w[1:] + w[:-1]) * np.diff(t)) / (t[-1] - t[0]))


def _returns(
    path: _Path, u_ref: np.ndarray, n: np.ndarray, m: int, t_min: float
) -> list[tuple[float, np.ndarray]]:
    """``(time, point)`` of the start and of every m-th later crossing of the hyperplane through ``u_ref``
    with unit normal ``n``.  Only crossings in the direction of ``n`` after ``t_min`` count.
    """
    t, U = path.arrays()
    g = n @ (U - u_ref[:, None])
    idx = np.flatnonzero((g[:-1] < 0) & (g[1:] >= 0))
    points = []
    for k in idx:

        def h(tt: float) -> float:
            return float(n @ (path.at([tt])[:, 0] - u_ref))

        try:
            tc = brentq(h, float(t[k]), float(t[k + 1]), xtol=1e-13 * max(1.0, float(t[k + 1])), rtol=1e-15)
        except ValueError:
            continue
        if tc > t_min:
            points.append((tc, path.at([tc])[:, 0]))
    # the start lies on the section: it is the first "return"
    pts = [(0.0, path.us[0][:, 0]), *points]
    return pts[::m]


# --------------------------------------------------------------------------- rest-point helpers
def _face_basis(system: _System, support: Support) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Affine chart of a face: reduced ``x = A y + b``; ``rows`` are the rows of the field along ``y``."""
    cols, rows = [], []
    b = np.zeros(system.d)
    for i, S in enumerate(support):
        sl = system.slices[i]
        k = system.sizes[i]
        ref = S[-1]
        if ref < k - 1:
            b[sl.start + ref] = 1.0
        for j in S[:-1]:
            col = np.zeros(system.d)
            col[sl.start + j] = 1.0
            if ref < k - 1:
                col[sl.start + ref] = -1.0
            cols.append(col)
            rows.append(sl.start + j)
    A = np.stack(cols, axis=1) if cols else np.zeros((system.d, 0))
    return A, b, rows


def _project(system: _System, x: np.ndarray, support: Support) -> np.ndarray:
    """Drop the shares outside ``support`` and renormalise each population."""
    full = system.full(np.clip(x, 0.0, 1.0))
    out = []
    for f, S in zip(full, support):
        g = np.zeros_like(f)
        g[list(S)] = np.clip(f[list(S)], 0.0, None)
        total = g.sum()
        g = g / total if total > 0 else np.eye(len(f))[S[-1]]
        out.append(g)
    return system.reduced(out)


def _field(system: _System, x: np.ndarray) -> np.ndarray:
    return np.asarray(system.dyn.compiled("rhs")(x[:, None], system.p[:, None]))[:, 0]


def _jac(system: _System, x: np.ndarray) -> np.ndarray:
    return np.asarray(system.dyn.compiled("jac")(x[:, None], system.p[:, None]))[:, :, 0]


def _polish(system: _System, support: Support, x: np.ndarray, iterations: int = 60) -> np.ndarray | None:
    """Gauss-Newton (minimal-norm steps) for a rest point in the face ``support`` near ``x``."""
    A, b, rows = _face_basis(system, support)
    if A.shape[1] == 0:
        return x
    y = np.linalg.lstsq(A, x - b, rcond=None)[0]
    tol = 1e-13 * max(1.0, system.rate)
    for _ in range(iterations):
        xs = A @ y + b
        F = _field(system, xs)[rows]
        if float(np.abs(F).max()) <= tol:
            break
        J = _jac(system, xs)[rows] @ A
        step = np.linalg.lstsq(J, -F, rcond=None)[0]
        y = y + step
        if not np.isfinite(y).all() or float(np.abs(y).max()) > 10:
            return None
    xs = A @ y + b
    if system.dyn.simplex_excursion(xs[:, None]) > 1e-9:
        return None
    xs = _project(system, xs, support)  # remove rounding excursions (a share of -1e-16)
    return xs if float(np.abs(_field(system, xs)[rows]).max()) <= 1e3 * tol else None


def _face_eigenvalues(system: _System, support: Support, x: np.ndarray) -> np.ndarray:
    """Eigenvalues of the Jacobian restricted to the tangent space of the face ``support`` at ``x``."""
    A, _, _ = _face_basis(system, support)
    if A.shape[1] == 0:
        return np.zeros(0, dtype=complex)
    Q, _ = np.linalg.qr(A)
    M = Q.T @ _jac(system, x) @ Q
    return np.linalg.eigvals(M)


def _continuum(system: _System, support: Support, x: np.ndarray, h: float = 1e-3) -> Support | None:
    """The face of a continuum of rest points through ``x`` in the face ``support``, if there is one."""
    A, b, rows = _face_basis(system, support)
    if A.shape[1] == 0:
        return None
    J = _jac(system, x)[rows] @ A
    _, sv, Vt = np.linalg.svd(J)
    norm = max(float(sv.max()) if sv.size else 0.0, system.rate)
    null = [Vt[q] for q in range(Vt.shape[0]) if q >= sv.size or sv[q] <= 1e-7 * norm]
    for v in null:
        for sign in (1.0, -1.0):
            step = A @ (sign * h * v)
            x1 = x + step
            if system.dyn.simplex_excursion(x1[:, None]) > 0:
                continue
            x2 = _polish(system, support, x1)
            if x2 is None:
                continue
            if float(np.abs(x2 - x).max()) >= 0.5 * float(np.abs(step).max()):
                both = []
                for fa, fb, S in zip(system.full(np.clip(x, 0, 1)), system.full(np.clip(x2, 0, 1)), support):
                    both.append(tuple(j for j in S if fa[j] > 1e-12 or fb[j] > 1e-12))
                return tuple(both)
    return None


def _vertex_profile(system: _System, x: np.ndarray) -> tuple[int, ...] | None:
    profile = []
    for f in system.full(x):
        j = int(np.argmax(f))
        if f[j] < 1 - 1e-12:
            return None
        profile.append(j)
    return tuple(profile)


# --------------------------------------------------------------------------- formatting
def _fmt(values: Any, digits: int = 4) -> str:
    vals = list(values)
    parts = []
    for v in vals:
        if isinstance(v, complex) or np.iscomplexobj(v):
            v = complex(v)
            if abs(v.imag) <= 1e-12 * max(1.0, abs(v.real)):
                parts.append(f"{v.real:.{digits}g}")
            else:
                parts.append(f"{v.real:.{digits}g}{v.imag:+.{digits}g}i")
        else:
            parts.append(f"{float(v):.{digits}g}")
    return "(" + ", ".join(parts) + ")"


def _short(v: float) -> str:
    """Four significant digits, with values below 1e-9 shown as 0 (a share on a face)."""
    v = float(v)
    return "0" if abs(v) < 1e-9 else f"{v:.4g}"


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


# --------------------------------------------------------------------------- public entry point
@dataclass(frozen=True)
class _Options:
    t_max: float
    first_chunk: float
    rtol: float
    atol: float
    cycle_tol: float


def _sobol_starts(dyn: ReplicatorDynamics, n: int, seed: int | None) -> np.ndarray:
    """``n`` scrambled-Sobol points mapped to the product of simplices (uniform spacings per population)."""
    from scipy.stats import qmc  # scipy.stats is slow to import: only when sampling

    d = dyn.dimension
    m = max(0, math.ceil(math.log2(max(n, 1))))
    raw = qmc.Sobol(d, scramble=True, seed=seed).random_base2(m)[:n]
    out = np.empty((n, d))
    for sl in dyn.population_slices():
        block = np.sort(raw[:, sl], axis=1)
        edges = np.hstack([np.zeros((n, 1)), block])
        out[:, sl] = np.diff(np.hstack([edges, np.ones((n, 1))]), axis=1)[:, : sl.stop - sl.start]
    return out


def attractors(
    game: Game | ReplicatorDynamics,
    params: Mapping[str, Any] | None = None,
    n: int = 200,
    *,
    seed: int | None = 0,
    starts: Any = None,
    t_max: float | None = None,
    rtol: float = 1e-10,
    atol: float = 1e-12,
    cycle_tol: float = 1e-6,
    progress: Callable[[int, Outcome], None] | None = None,
) -> AttractorReport:
    """Decide what the trajectory from each of a sample of starts approaches.

    Each start is integrated in log-ratio coordinates :math:`u_{ij} = \\ln(x_{ij}/x_{ir_i})`,
    :math:`\\dot u_{ij} = f_{ij}(x) - f_{ir_i}(x)` (DOP853 with dense output), in chunks of
    doubling length, and classified as a rest point (certified by a trapping box for strict
    equilibria), a set of rest points, a neutral cycle, a limit cycle, a heteroclinic cycle,
    or unresolved; see the module docstring for the tests and their evidence.

    Parameters
    ----------
    game
        A :class:`~gametheory.game.Game` or its :class:`~gametheory.dynamics.ReplicatorDynamics`.
    params
        Parameter values (scalars); the game's defaults fill the rest.
    n
        Number of starts drawn from a scrambled Sobol sequence, mapped to the product of
        simplices (uniformly spaced shares per population).  Ignored when ``starts`` is given.
    seed
        Seed of the Sobol scrambling.
    starts
        Explicit starts, shape ``(n, d)`` (reduced states; starts on faces stay on their face).
    t_max
        Integration horizon; default ``2000 / r`` with ``r`` the largest payoff advantage at any
        vertex (the game's rate scale).  Heteroclinic cycles need long horizons: the number of
        corner visits grows only logarithmically with time.
    rtol, atol
        Tolerances of the integrator on the log-ratio coordinates.
    cycle_tol
        Largest gap between returns to a Poincare section, relative to the orbit's size, for a
        closed orbit.  Drift slower than this per period (a very weakly attracting or repelling
        focus) is not distinguished from a neutral cycle.
    progress
        Called as ``progress(index, outcome)`` after each start.

    Returns
    -------
    AttractorReport

    Raises
    ------
    ParameterError
        For missing, unknown or array-valued parameters.
    StateError
        For starts outside the state space, or ``n`` not a positive integer.
    IntegrationError
        For a non-positive or non-finite ``t_max``, ``rtol``, ``atol`` or ``cycle_tol``.
    """
    if isinstance(game, ReplicatorDynamics):
        dyn = game
    elif isinstance(game, Game):
        dyn = game.replicator()
    else:
        raise TypeError(f"attractors needs a Game or ReplicatorDynamics, got {type(game).__name__}")
    p = dyn.parameter_vector(params)
    if p.ndim != 1:
        raise ParameterError("attractors takes scalar parameter values; run it once per parameter set")
    for name, value in (("rtol", rtol), ("atol", atol), ("cycle_tol", cycle_tol)):
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not (np.isfinite(value) and value > 0)
        ):
            raise IntegrationError(f"{name} must be a positive finite number, got {value!r}")
    if starts is None:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise StateError(f"n (the number of starts) must be a positive integer, got {n!r}")
        xs = _sobol_starts(dyn, int(n), seed)
    else:
        xs = dyn.check_states(starts, name="starts")
        if xs.shape[0] == 0:
            raise StateError("starts is empty: give at least one start of shape (d,)")
        seed = None
    system = _System(dyn, p)
    rate = system.rate if system.rate > 0 else 1.0
    if t_max is None:
        t_max = 2000.0 / rate
    if (
        isinstance(t_max, bool)
        or not isinstance(t_max, (int, float))
        or not (np.isfinite(t_max) and t_max > 0)
    ):
        raise IntegrationError(f"t_max must be a positive finite number, got {t_max!r}")
    opts = _Options(float(t_max), min(float(t_max), 20.0 / rate), float(rtol), float(atol), float(cycle_tol))
    outcomes = []
    for index, x0 in enumerate(xs):
        x0 = np.clip(x0, 0.0, 1.0)
        outcome = _Follow(system, index, x0, opts).run()
        outcomes.append(outcome)
        if progress is not None:
            progress(index, outcome)
    return AttractorReport(
        game_name=dyn.game.name,
        state_names=dyn.state_names,
        params=dict(zip(dyn.game.parameter_names, map(float, p))),
        starts=xs,
        outcomes=tuple(outcomes),
        attractors=_group(outcomes, len(xs)),
        t_max=float(t_max),
        rtol=float(rtol),
        atol=float(atol),
        seed=seed,
    )


def _group(outcomes: Sequence[Outcome], n: int) -> tuple[Attractor, ...]:
    by_label: dict[str, list[Outcome]] = {}
    for o in outcomes:
        by_label.setdefault(o.label, []).append(o)
    groups = []
    for label, members in by_label.items():
        ex = members[0]
        groups.append(
            Attractor(
                kind=ex.kind,
                label=label,
                count=len(members),
                share=len(members) / n,
                members=tuple(o.index for o in members),
                detail=_detail(members),
                example=ex,
            )
        )
    groups.sort(key=lambda a: (-a.count, a.label))
    return tuple(groups)


def _detail(members: Sequence[Outcome]) -> str:
    ex = members[0]
    kind = ex.kind
    if kind is AttractorKind.REST_POINT:
        text = f"eigenvalues {_fmt(ex.eigenvalues)}" if ex.eigenvalues is not None else ""
        certified = sum(o.certified for o in members)
        if certified:
            text += f"; {certified} certified by a trapping box"
        return text.strip("; ")
    if kind in (AttractorKind.NEUTRAL_CYCLE, AttractorKind.LIMIT_CYCLE):
        periods = [o.period for o in members if o.period is not None]
        lo, hi = min(periods), max(periods)
        text = f"period {lo:.4g}" + (f"–{hi:.4g}" if hi > lo else "")
        if kind is AttractorKind.LIMIT_CYCLE and ex.multiplier is not None:
            text += f"; multiplier {ex.multiplier:.3g}"
        return text
    if kind is AttractorKind.HETEROCLINIC_CYCLE:
        ratios = [o.dwell_ratio for o in members if o.dwell_ratio is not None]
        return f"dwell-time ratio {min(ratios):.4g}" + (
            f"–{max(ratios):.4g}" if max(ratios) > min(ratios) else ""
        )
    if kind is AttractorKind.UNRESOLVED:
        return ex.evidence[:120]
    if kind is AttractorKind.REST_POINT_SET:
        points = np.array([o.point for o in members])
        lo, hi = points.min(axis=0), points.max(axis=0)
        return "limits " + ", ".join(f"{a:.4g}" if a == b else f"{a:.4g}..{b:.4g}" for a, b in zip(lo, hi))
    return ""
