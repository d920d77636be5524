"""Following one start to its limit: the driver, certified sinks, and rest points reached by the trajectory.

:class:`_Follow` integrates one start chunk by chunk in log-ratio coordinates on the
start's face and runs the tests of :mod:`gametheory.analysis.attractors` in order:
certified sink (trapping box), heteroclinic cycle and closed orbit
(:mod:`gametheory.analysis.cycles`), rest point by the trajectory (Gauss-Newton
polishing on the limit face, face eigenvalues, continua).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import AnalysisError
from .cycles import _CONFIRM_DOUBLINGS, _CycleTests
from .faces import (
    Support,
    _corner_name,
    _face_name,
    _log_mass_off,
    _names,
    _Path,
    _point_name,
    _System,
)
from .outcomes import AttractorKind, Outcome, _fmt

#: Log-share below which a strategy counts as (numerically) extinct in the rest-point test.
_EXTINCT_LOG_SHARE = math.log(1e-10)
#: After entering a trapping box, follow the trajectory until every non-played share is below this.
_FINAL_SHARE = 1e-12
#: Largest distance (max-norm, in shares) between the final state and a rest point called its limit.
_REST_DISTANCE = 1e-6
#: Eigenvalue real parts up to this fraction of the game's rate scale count as zero.
_ZERO_EIGENVALUE = 1e-6
#: Solver steps after which a trajectory is no longer followed beyond ``t_span[1]``.
_EXTRA_STEPS = 50_000


@dataclass(frozen=True)
class _Options:
    t_end: float
    first_chunk: float
    rtol: float
    atol: float
    cycle_tol: float


class _Follow(_CycleTests):
    """Follow one start and decide its outcome."""

    def __init__(self, system: _System, index: int, x0: np.ndarray, opts: _Options) -> None:
        self.system = system
        self.index = index
        self.x0 = x0
        self.opts = opts
        self.chart = system.chart(x0)
        self.path = _Path(self.chart, system.rhs(self.chart), self.chart.u0, opts.rtol, opts.atol)
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
            if t_end < opts.t_end:
                target = min(opts.t_end, 2.0 * t_end)  # chunks of doubling length
                continue
            if self.candidate and extra_doublings < _CONFIRM_DOUBLINGS and self.path.steps <= _EXTRA_STEPS:
                # A corner sequence repeats with growing dwell times: possibly a heteroclinic cycle that
                # needs more rounds.  Corner visits cost a few steps each: follow on, within a step budget.
                extra_doublings += 1
                target = 2.0 * t_end
                continue
            reason = self.note or "no rest point, cycle or heteroclinic cycle recognised"
            beyond = f" (followed to t = {t_end:.6g})" if t_end > opts.t_end else ""
            return self.outcome(
                AttractorKind.UNRESOLVED,
                "unresolved",
                f"{reason} by t = {opts.t_end:g}{beyond}; extend t_span",
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
        du = np.asarray(self.path.rhs(0.0, self.path.u_end), dtype=float)
        eig, rates = [], []
        for i, j, a in system.advantages(profile, system.all_strategies):
            eig.append(a)
            if j in self.chart.support[i] and profile[i] in self.chart.support[i]:
                rates.append(self._slope(du, i, j) - self._slope(du, i, profile[i]))
            else:
                rates.append(float("nan"))
        return eig, rates


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
