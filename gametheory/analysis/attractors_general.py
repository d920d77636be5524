r"""Attractors of any dynamics: the general path of :func:`gametheory.analysis.attractors.attractors`.

The replicator path rests on theorems (invariant faces, payoff differences as growth
differences, trapping boxes at strict equilibria).  Dynamics without them (``dyn.facts``:
logit, BNN, Smith, replicator-mutator, the replicator dynamics of one-population or
state-dependent games, systems typed in from their equations) take this path, which uses none.

Method
------
1. Rest points and their classification come from :func:`gametheory.analyze` (exact where the
   package can, numerical otherwise).  Every sink gets a trapping ellipsoid from
   :func:`gametheory.analysis.lyapunov.certify_sink` (a quadratic Lyapunov function and an
   interval bound of the exact second derivative; a proof) or the reason why none exists (a
   kink of BNN or Smith, where the Jacobian is not defined).
2. Each start is integrated in shares (DOP853 with dense output, ``rtol``/``atol``) in chunks
   of doubling length up to ``t_span[1]``.  After each chunk, in this order:

   * *rest point, certified*: the state lies in a sink's certified ellipsoid (``V <= c/4``);
   * *rest point, by the trajectory*: the state is within ``1e-6`` (max-norm, relative to 1) of
     a rest point of the analysis and the distance did not grow over the chunk's second half
     (not certified; the evidence says why there is no certificate);
   * *limit cycle / neutral cycle*: upward crossings of a Poincare section (the coordinate with
     the largest range, at the middle of its range) over the chunk return to within
     ``cycle_tol`` of the orbit's size; a second orbit, started 1 % of the orbit's size towards
     its centre, decides: its returns contract towards the orbit (a limit cycle, ``multiplier``
     per period) or not (neutral cycles);
   * at ``t_span[1]`` only: *rest point, slow approach*: within ``1e-3`` of a sink or non-hyperbolic
     rest point with a strictly decreasing distance over the last half-chunk (kinked dynamics
     approach some rest points algebraically, e.g. BNN at a strict equilibrium; not certified);
   * otherwise *unresolved* at ``t_span[1]``.

Only the first kind is ``certified``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.integrate import solve_ivp
from scipy.optimize import brentq

from .lyapunov import SinkCertificate, certify_sink
from .outcomes import AttractorKind, Outcome, _fmt

if TYPE_CHECKING:
    from ..dynamics.base import Dynamics

__all__ = ["GeneralSystem", "uses_general_path"]

#: Distance (max-norm) within which a trajectory is at a rest point without a certificate.
REST_TOL = 1e-6
#: Distance within which a strictly decreasing approach at ``t_span[1]`` counts as a (slow) limit.
SLOW_TOL = 1e-3


def uses_general_path(dyn: Dynamics) -> bool:
    """Whether :func:`~gametheory.analysis.attractors.attractors` takes the general path (by ``dyn.facts``).

    Examples
    --------
    >>> from gametheory.models import classic
    >>> uses_general_path(classic.matching_pennies_3().replicator())
    False
    >>> uses_general_path(classic.rock_paper_scissors().replicator())
    True
    """
    return not (dyn.facts.faces_invariant and dyn.facts.vertex_eigenvalues_are_payoff_differences)


def _short(v: float) -> str:
    return f"{v:.4g}" if abs(v) > 1e-12 else "0"


def point_label(point: np.ndarray) -> str:
    """``"(0.3333, 0.3333)"``: a state rounded to 4 significant digits."""
    return "(" + ", ".join(_short(float(v)) for v in point) + ")"


@dataclass(frozen=True)
class _RestPoint:
    point: np.ndarray
    kind: str
    eigenvalues: np.ndarray
    certificate: SinkCertificate | None
    label: str


class GeneralSystem:
    """Rest points, sink certificates and the compiled field of a dynamics at fixed parameters.

    Examples
    --------
    >>> from gametheory.models import classic
    >>> dyn = classic.hawk_dove().replicator()
    >>> system = GeneralSystem(dyn, dyn.parameter_vector())
    >>> [s.label for s in system.sinks], [s.certificate.certified for s in system.sinks]
    (['rest point (x) = (0.6667)'], [True])
    """

    def __init__(self, dyn: Dynamics, p: np.ndarray, report: Any = None) -> None:
        from .stability import analyze

        self.dyn, self.p = dyn, np.asarray(p, dtype=float)
        params = dict(zip(dyn.game.parameter_names, map(float, self.p)))
        report = analyze(dyn, params) if report is None else report
        names = ", ".join(dyn.state_names)
        points = []
        for e in report.equilibria:
            sink = e.kind.value == "sink"
            cert = certify_sink(dyn, e.point, self.p) if sink else None
            if sink and e.disagreement:
                cert = SinkCertificate(np.asarray(e.point, float), False, None, 0.0, 0.0, float("nan"),
                                       e.disagreement)  # fmt: skip
            label = f"rest point ({names}) = {point_label(np.asarray(e.point, float))}"
            points.append(
                _RestPoint(np.asarray(e.point, float), e.kind.value, np.asarray(e.eigenvalues), cert, label)
            )
        self.rest_points = tuple(points)
        self.sinks = tuple(r for r in points if r.kind == "sink")
        eig = [abs(v) for r in points for v in r.eigenvalues if np.isfinite(v)]
        self.rate = float(max(eig)) if eig and max(eig) > 0 else 1.0
        self._rhs = dyn.compiled("rhs")
        self.d = dyn.dimension

    def field(self, t: float, x: np.ndarray) -> np.ndarray:
        """:math:`F(x)` for ``solve_ivp``."""
        return np.asarray(self._rhs(x[:, None], self.p[:, None]), dtype=float).reshape(self.d)

    def certified_sink(self, X: np.ndarray) -> np.ndarray:
        """Index into :attr:`sinks` of the sink whose certified ellipsoid holds each row of ``X`` (-1: none)."""
        X = np.atleast_2d(X)
        out = np.full(X.shape[0], -1, dtype=int)
        for k, s in enumerate(self.sinks):
            if s.certificate is not None and s.certificate.certified:
                out[(out < 0) & s.certificate.contains(X)] = k
        return out

    def nearest(
        self, X: np.ndarray, among: tuple[_RestPoint, ...] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Index of the nearest rest point (of ``among``, default all) and the max-norm distance, per row."""
        among = self.rest_points if among is None else among
        X = np.atleast_2d(X)
        if not among:
            return np.full(X.shape[0], -1), np.full(X.shape[0], np.inf)
        D = np.stack([np.max(np.abs(X - r.point), axis=1) for r in among], axis=1)
        return np.argmin(D, axis=1), np.min(D, axis=1)

    # ------------------------------------------------------------ one start
    def follow(self, index: int, x0: np.ndarray, t_end: float, first: float, rtol: float, atol: float,
               cycle_tol: float) -> Outcome:  # fmt: skip
        """What the trajectory from ``x0`` approaches (see the module docstring)."""
        x, t, chunk = np.array(x0, dtype=float), 0.0, first
        while True:
            t1 = min(t_end, t + chunk)
            sol = solve_ivp(self.field, (t, t1), x, method="DOP853", rtol=rtol, atol=atol, dense_output=True)
            if sol.status < 0:
                raise RuntimeError(sol.message)
            x = sol.y[:, -1]
            found = self._decide(index, x0, sol, t, t1, rtol, atol, cycle_tol)
            if found is not None:
                return found
            if t1 >= t_end:
                slow = self._slow_approach(index, x0, sol, t, t1)
                if slow is not None:
                    return slow
                return Outcome(index, x0, AttractorKind.UNRESOLVED, f"unresolved at t = {t_end:g}", x, t_end,
                               f"no certified sink, rest point or closed orbit reached by t = {t_end:g}")  # fmt: skip
            t, chunk = t1, 2 * chunk

    def _decide(self, index: int, x0: np.ndarray, sol: Any, t0: float, t1: float, rtol: float, atol: float,
                cycle_tol: float) -> Outcome | None:  # fmt: skip
        x = sol.y[:, -1]
        k = int(self.certified_sink(x)[0])
        if k >= 0:
            s = self.sinks[k]
            return Outcome(index, x0, AttractorKind.REST_POINT, s.label, x, t1,
                           f"the trajectory enters the certified {s.certificate.reason} (eigenvalues {_fmt(s.eigenvalues)})",
                           point=s.point, eigenvalues=s.eigenvalues, certified=True)  # fmt: skip
        j, dist = self.nearest(x)
        if dist[0] <= REST_TOL:
            mid = sol.sol(0.5 * (t0 + t1))
            r = self.rest_points[int(j[0])]
            if np.max(np.abs(mid - r.point)) >= dist[0]:
                why = r.certificate.reason if r.certificate is not None else f"the rest point is a {r.kind}"
                return Outcome(index, x0, AttractorKind.REST_POINT, r.label, x, t1,
                               f"the trajectory stays within {dist[0]:.2g} of the rest point with non-increasing "
                               f"distance ({r.kind}, eigenvalues {_fmt(r.eigenvalues)}); not certified: {why}",
                               point=r.point, eigenvalues=r.eigenvalues)  # fmt: skip
        return self._cycle(index, x0, sol, t0, t1, rtol, atol, cycle_tol)

    def _slow_approach(self, index: int, x0: np.ndarray, sol: Any, t0: float, t1: float) -> Outcome | None:
        """At ``t_span[1]``: a strictly decreasing distance, below ``SLOW_TOL``, to a sink or non-hyperbolic point.

        Kinked dynamics approach some rest points only algebraically (BNN at a strict equilibrium:
        :math:`\\dot x \approx -c x^2`), too slowly for ``REST_TOL``; reported, never certified.
        """
        candidates = tuple(r for r in self.rest_points if r.kind in ("sink", "non-hyperbolic"))
        j, dist = self.nearest(sol.y[:, -1], candidates)
        if not candidates or dist[0] > SLOW_TOL:
            return None
        r = candidates[int(j[0])]
        ds = np.max(np.abs(sol.sol(np.linspace(0.5 * (t0 + t1), t1, 16)).T - r.point), axis=1)
        if not (np.diff(ds) < 0).all():
            return None
        return Outcome(index, x0, AttractorKind.REST_POINT, r.label, sol.y[:, -1], t1,
                       f"at t = {t1:g} the distance to the rest point ({r.kind}, eigenvalues {_fmt(r.eigenvalues)}) is "
                       f"{dist[0]:.2g} and strictly decreasing (slower than exponential); not certified",
                       point=r.point, eigenvalues=r.eigenvalues)  # fmt: skip

    def _crossings(self, sol: Any, t0: float, t1: float, i: int, level: float) -> list[float]:
        ts = np.linspace(t0, t1, 4000)
        v = sol.sol(ts)[i] - level
        out = []
        for a in np.flatnonzero((v[:-1] < 0) & (v[1:] >= 0)):
            out.append(brentq(lambda s: sol.sol(s)[i] - level, ts[a], ts[a + 1], xtol=1e-14))
        return out

    def _cycle(self, index: int, x0: np.ndarray, sol: Any, t0: float, t1: float, rtol: float, atol: float,
               cycle_tol: float) -> Outcome | None:  # fmt: skip
        tm = 0.5 * (t0 + t1)
        Y = sol.sol(np.linspace(tm, t1, 2000))
        span = Y.max(axis=1) - Y.min(axis=1)
        size = float(span.max())
        if size < 1e-4:
            return None
        i = int(np.argmax(span))
        level = float(0.5 * (Y[i].max() + Y[i].min()))
        ts = [s for s in self._crossings(sol, t0, t1, i, level) if s >= tm]
        if len(ts) < 3:
            return None
        pts = np.array([sol.sol(s) for s in ts])
        gaps = np.max(np.abs(np.diff(pts, axis=0)), axis=1) / size
        if gaps[-1] > cycle_tol:
            return None
        period = float(ts[-1] - ts[-2])
        grid = np.linspace(ts[-2], ts[-1], 1024, endpoint=False)  # periodic: the mean is spectrally accurate
        orbit = sol.sol(grid)
        centre = orbit.mean(axis=1)
        amplitude = 0.5 * (orbit.max(axis=1) - orbit.min(axis=1))
        anchor = pts[-1]
        # a second orbit 1 % of the orbit's size towards its centre: contracting returns = limit cycle
        y0 = anchor + 0.01 * size * (centre - anchor) / max(np.linalg.norm(centre - anchor), 1e-300)
        other = solve_ivp(
            self.field, (0.0, 6 * period), y0, method="DOP853", rtol=rtol, atol=atol, dense_output=True
        )
        back = [s for s in self._crossings(other, 0.0, 6 * period, i, level)]
        dists = [float(np.max(np.abs(other.sol(s) - anchor))) for s in back]
        multiplier = None
        if len(dists) >= 3 and dists[0] > 0:
            multiplier = float((dists[-1] / dists[0]) ** (1.0 / (len(dists) - 1)))
        cpoint = point_label(centre)
        evidence = (f"returns to the Poincare section {self.dyn.state_names[i]} = {level:.6g} close up to "
                    f"{gaps[-1]:.2g} of the orbit's size ({len(ts)} returns, period {period:.8g}); a second orbit "
                    f"started 1% of the orbit's size inside returns with distances "
                    f"{', '.join(f'{v:.3g}' for v in dists[:6])}")  # fmt: skip
        common = dict(point=centre, period=period, amplitude=amplitude, drift=float(gaps[-1]))
        if multiplier is not None and multiplier < 0.99:
            return Outcome(index, x0, AttractorKind.LIMIT_CYCLE, f"limit cycle around {cpoint}, period {period:.4g}",
                           sol.y[:, -1], t1, evidence + f" (contraction {multiplier:.4g} per period)",
                           multiplier=multiplier, **common)  # fmt: skip
        return Outcome(index, x0, AttractorKind.NEUTRAL_CYCLE, f"neutral cycles around {cpoint}", sol.y[:, -1], t1,
                       evidence + " (no contraction)", **common)  # fmt: skip
