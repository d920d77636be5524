"""Recurrent limits: heteroclinic cycles between corners, and closed orbits (neutral or limit cycles).

:class:`_CycleTests` holds the tests :class:`gametheory.analysis.limit_sets._Follow` runs on a
trajectory after each chunk: the corner-visit analysis for heteroclinic cycles and the
Poincare-section analysis for closed orbits (see :mod:`gametheory.analysis.attractors`
for the criteria).  It is a mixin: it uses the follower's ``system``, ``chart``, ``path``,
``opts``, ``outcome()`` and ``sink()``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import brentq, minimize_scalar

from ..numerics.charts import LogRatioChart
from .faces import Support, _face_name, _log_mass_off, _Path
from .outcomes import AttractorKind, Outcome, _fmt, _short

#: Log distance within which the last confirmed round must approach every corner of a heteroclinic cycle.
_HETEROCLINIC_DEPTH = math.log(1e-4)
#: Minimal growth of every dwell time over one round of a heteroclinic cycle.
_MIN_ROUND_GROWTH = 1.01
#: Relative displacement (towards the centre) of the second orbit of the neutral/limit-cycle test.
_PERTURBATION = 0.01
#: Time doublings allowed to confirm a heteroclinic cycle over two more rounds, or beyond ``t_span[1]``
#: to follow a corner sequence that repeats with growing dwell times.
_CONFIRM_DOUBLINGS = 40


class _CycleTests:
    """Heteroclinic-cycle and closed-orbit tests, mixed into the follower of one start."""

    system: Any
    chart: LogRatioChart
    path: _Path
    opts: Any
    note: str
    candidate: int
    _switch_times: dict[tuple[int, int], float]
    _depths: dict[tuple[float, float], float]

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
        if min(T) <= 0.0:
            # two populations switched at the same time (e.g. uncoupled copies of one game): a visit of
            # zero duration has no dwell-time growth to measure
            return "a visit of zero duration (two switches at the same time)"
        if any(T[q + m] <= _MIN_ROUND_GROWTH * T[q] for q in range(len(T) - m)):
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
        chart = system.face_chart(support)
        rhs = system.rhs(chart)
        u_on = chart.u_of_log_shares(L)
        # centre of the orbit in the face's chart coordinates
        full_c = system.full(np.clip(centre, 0, 1))
        Lc = np.full(system.n_payoffs, -np.inf)
        for i, off, S, _ref, _pos, _m in chart.blocks:
            for j in S:
                Lc[off + j] = math.log(max(full_c[i][j], 1e-300))
        u_c = chart.u_of_log_shares(Lc)
        normal = np.asarray(rhs(0.0, u_on), dtype=float)
        normal = normal / max(float(np.linalg.norm(normal)), 1e-300)
        towards = u_c - u_on
        towards = towards - (towards @ normal) * normal  # stay on the section through u_on
        u_off = u_on + _PERTURBATION * towards
        results = []
        for u0 in (u_on, u_off):
            path = _Path(chart, rhs, u0, self.opts.rtol, self.opts.atol)
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


def _same_cycle(a: Sequence[Any], b: Sequence[Any]) -> bool:
    """Whether ``a`` is a rotation of ``b``."""
    return len(a) == len(b) and any(list(a[k:]) + list(a[:k]) == list(b) for k in range(len(a)))


def _candidate_period(seq: Sequence[tuple[int, ...]], dwell: Sequence[float]) -> int:
    """Period ``m >= 2`` of a corner sequence that repeats, with growing dwell times, over its last visits.

    A weak test (at least ``m + 2`` visits, the overlap periodic and growing): it only decides whether a
    trajectory still unresolved at ``t_span[1]`` is followed further, at a few steps per visit.  0 if none.
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
