r"""Ensemble integration with numpy: trajectories in lockstep, each with its own step-size control.

Many trajectories of one system are integrated together, each with its own
step size, accept/reject decisions and end time, by one of the embedded
Runge-Kutta pairs of :mod:`gametheory.numerics.tableaus`, with exactly the
step-size control, initial-step selection and dense output of scipy's
implementations (Hairer, Norsett & Wanner, *Solving ODEs I*, II.4-II.10).
Every trajectory follows the algorithm scipy would run on it alone, so
one-at-a-time :func:`scipy.integrate.solve_ivp` with ``method="RK45"`` or
``"DOP853"`` on the same right-hand side is an independent reference for each
member.  For a step of size :math:`h` from :math:`(t, y)` with stages
:math:`k_s` and :math:`s_a = \mathrm{atol} + \mathrm{rtol}\max(|y_a|, |y_{new,a}|)`,

.. math::
    y_{new} = y + h \sum_s b_s k_s, \qquad
    \|\mathrm{err}\|_{RK45} = \sqrt{\tfrac1m \sum_a \Big(\frac{h \sum_s e_s k_{s,a}}{s_a}\Big)^2},
    \qquad
    \|\mathrm{err}\|_{DOP853} = \frac{|h|\, \|e_5\|^2}{\sqrt{m\,(\|e_5\|^2 + 0.01\,\|e_3\|^2)}},

with :math:`e_{q,a} = \sum_s E_{q,s} k_{s,a} / s_a`.  Dense output at ``t_eval``:
RK45's quartic interpolant (Shampine 1986, 4th order) or DOP853's 7th-order
interpolant (three extra stages per step with output, counted in ``nfev`` as scipy does).

:func:`integrate_numpy` advances all unfinished trajectories in lockstep, one
attempted step each per iteration, as arrays of shape ``(m, n)`` (coordinates
by trajectories), dropping trajectories as they finish.  In the log-ratio chart
(:mod:`gametheory.numerics.charts`) the starts are grouped by face (support
pattern), each face integrated in its own chart.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .charts import LogRatioChart, face_charts
from .system import EnsembleSystem, KernelResult, kernel_chart
from .tableaus import MAX_FACTOR, MIN_FACTOR, SAFETY, Tableau, tableau

__all__ = ["integrate_numpy"]


def _rms(err: np.ndarray, scale: np.ndarray) -> np.ndarray:
    q = err / scale
    return np.sqrt(np.einsum("ij,ij->j", q, q) / q.shape[0])


def _combine(weights: np.ndarray, ks: list[np.ndarray]) -> np.ndarray | float:
    """``sum_s weights[s] * ks[s]`` over the non-zero weights (in stage order)."""
    total: np.ndarray | float = 0.0
    for w, k in zip(weights, ks):
        if w != 0:
            total = total + w * k
    return total


def _rk_lockstep(
    tab: Tableau,
    fun: Callable[[np.ndarray, np.ndarray], np.ndarray],
    states: Callable[[np.ndarray], np.ndarray],
    y0: np.ndarray,
    P: np.ndarray,
    t0: float,
    t1: float,
    t_eval: np.ndarray | None,
    rtol: float,
    atol: float,
    max_steps: int,
    out_final: np.ndarray,
    out_y: np.ndarray | None,
    out_rows: np.ndarray,
    counters: dict[str, np.ndarray],
) -> None:
    """Integrate the columns of ``y0`` (m, n) from ``t0`` to ``t1`` in lockstep (see module docstring).

    Every column runs the algorithm of scipy's ``RK45``/``DOP853`` on its own:
    its own step size, acceptance and end.  Writes reduced states into
    ``out_final[out_rows]`` and ``out_y[out_rows]`` and the counters ``status``,
    ``nfev``, ``n_steps``, ``n_rejected`` at ``out_rows``.  ``P`` is ``(p, n)`` or ``(p, 1)``.
    """
    m, n = y0.shape
    S = tab.n_stages
    AB = tab.stages_and_weights
    per_column = P.shape[1] != 1
    y = y0.copy()
    idx = np.arange(n)  # column -> position in out_rows
    f = fun(y, P)
    # initial step (Hairer, Norsett & Wanner II.4, as scipy's select_initial_step)
    length = t1 - t0
    scale = atol + np.abs(y) * rtol
    d0, d1 = _rms(y, scale), _rms(f, scale)
    h0 = np.where((d0 < 1e-5) | (d1 < 1e-5), 1e-6, 0.01 * d0 / np.where(d1 > 0, d1, 1.0))
    h0 = np.minimum(h0, length)
    f1 = fun(y + h0 * f, P)
    d2 = _rms(f1 - f, scale) / h0
    small = (d1 <= 1e-15) & (d2 <= 1e-15)
    h1 = np.where(
        small,
        np.maximum(1e-6, h0 * 1e-3),
        (0.01 / np.maximum(np.maximum(d1, d2), 1e-300)) ** (1 / (tab.error_order + 1)),
    )
    h_abs = np.minimum(np.minimum(100 * h0, h1), length)
    t = np.full(n, float(t0))
    rejected = np.zeros(n, dtype=bool)
    nfev = np.full(n, 2, dtype=np.int64)
    n_steps = np.zeros(n, dtype=np.int64)
    n_rej = np.zeros(n, dtype=np.int64)
    n_eval = 0 if t_eval is None else len(t_eval)
    k_next = np.zeros(n, dtype=np.int64)

    def finish(mask: np.ndarray, code: int) -> None:
        rows = out_rows[idx[mask]]
        counters["status"][rows] = code
        counters["nfev"][rows] = nfev[mask]
        counters["n_steps"][rows] = n_steps[mask]
        counters["n_rejected"][rows] = n_rej[mask]
        out_final[rows] = states(y[:, mask]).T if code == 0 else np.nan

    while idx.size:
        min_step = 10 * np.abs(np.nextafter(t, np.inf) - t)
        h_abs = np.where(rejected, h_abs, np.maximum(h_abs, min_step))
        t_new = t + h_abs
        t_new = np.where(t_new > t1, t1, t_new)
        h = t_new - t
        h_abs = np.abs(h)
        ks = [f]
        for s in range(1, S):
            ks.append(fun(y + h * _combine(AB[s, :s], ks), P))
        y_new = y + h * _combine(AB[S], ks)
        f_new = fun(y_new, P)
        ks.append(f_new)
        nfev += S
        scale = atol + np.maximum(np.abs(y), np.abs(y_new)) * rtol
        if tab.name == "RK45":
            en = _rms(h * _combine(tab.E5, ks), scale)
        else:
            e5 = _combine(tab.E5, ks) / scale
            e3 = _combine(tab.E3, ks) / scale
            n5 = np.einsum("ij,ij->j", e5, e5)
            n3 = np.einsum("ij,ij->j", e3, e3)
            en = np.where((n5 == 0) & (n3 == 0), 0.0, np.abs(h) * n5 / np.sqrt((n5 + 0.01 * n3) * m))
        bad = ~np.isfinite(en) | ~np.isfinite(y_new).all(axis=0)
        accept = (en < 1) & ~bad
        grow = np.where(en == 0, MAX_FACTOR, np.minimum(MAX_FACTOR, SAFETY * en**tab.exponent))
        grow = np.where(rejected, np.minimum(1.0, grow), grow)
        shrink = np.maximum(MIN_FACTOR, SAFETY * en**tab.exponent)
        h_abs = h_abs * np.where(accept, grow, shrink)
        if n_eval and accept.any():
            pending = accept & (k_next < n_eval)
            pending[pending] = t_eval[k_next[pending]] <= t_new[pending]
            if pending.any():
                cols = np.flatnonzero(pending)
                interpolate = _interpolant(tab, fun, [k[:, cols] for k in ks], y[:, cols], y_new[:, cols],
                                           h[cols], P[:, cols] if per_column else P)  # fmt: skip
                if tab.name == "DOP853":
                    nfev[cols] += 3
                to, ho = t[cols], h[cols]
                sub = np.arange(cols.size)
                while sub.size:
                    kk = k_next[cols[sub]]
                    values = interpolate((t_eval[kk] - to[sub]) / ho[sub], sub)
                    out_y[out_rows[idx[cols[sub]]], :, kk] = states(values).T
                    k_next[cols[sub]] += 1
                    kk = k_next[cols[sub]]
                    keep = kk < n_eval
                    keep[keep] = t_eval[kk[keep]] <= t_new[cols[sub[keep]]]
                    sub = sub[keep]
        y = np.where(accept, y_new, y)
        f = np.where(accept, f_new, f)
        t = np.where(accept, t_new, t)
        n_steps += accept
        n_rej += ~accept
        rejected = ~accept
        done = accept & (t >= t1)
        too_small = rejected & (h_abs < 10 * np.abs(np.nextafter(t, np.inf) - t))
        over = (n_steps + n_rej >= max_steps) & ~done
        failed = bad | too_small | over
        if done.any():
            finish(done, 0)
        if failed.any():
            for mask, code in ((bad, -3), (too_small & ~bad, -1), (over & ~bad & ~too_small, -2)):
                if mask.any():
                    finish(mask, code)
        leave = done | failed
        if leave.any():
            keep = ~leave
            y, f, t, h_abs, rejected = y[:, keep], f[:, keep], t[keep], h_abs[keep], rejected[keep]
            nfev, n_steps, n_rej = nfev[keep], n_steps[keep], n_rej[keep]
            k_next, idx = k_next[keep], idx[keep]
            if per_column:
                P = P[:, keep]


def _interpolant(
    tab: Tableau,
    fun: Callable[[np.ndarray, np.ndarray], np.ndarray],
    ks: list[np.ndarray],
    y_old: np.ndarray,
    y_new: np.ndarray,
    h: np.ndarray,
    P: np.ndarray,
) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """Dense output of the last step, ``sigma, columns -> y(t_old + sigma h)`` (as scipy's)."""
    if tab.name == "RK45":
        Q = [_combine(tab.P[:, j], ks) for j in range(4)]

        def dp5(sigma: np.ndarray, sub: np.ndarray) -> np.ndarray:
            poly = 0.0
            power = np.ones_like(sigma)
            for j in range(4):
                power = power * sigma
                poly = poly + Q[j][:, sub] * power
            return y_old[:, sub] + h[sub] * poly

        return dp5
    extended = list(ks)
    for a in tab.A_extra:  # three more stages (the time is not needed: autonomous system)
        extended.append(fun(y_old + h * _combine(a[: len(extended)], extended), P))
    delta = y_new - y_old
    F = [delta, h * ks[0] - delta, 2 * delta - h * (ks[-1] + ks[0])]
    F += [h * _combine(row, extended) for row in tab.D]

    def dop853(sigma: np.ndarray, sub: np.ndarray) -> np.ndarray:
        value = np.zeros((y_old.shape[0], sub.size))
        for i, term in enumerate(reversed(F)):
            value = value + term[:, sub]
            value = value * (sigma if i % 2 == 0 else 1 - sigma)
        return value + y_old[:, sub]

    return dop853


def integrate_numpy(
    system: EnsembleSystem,
    X0: np.ndarray,
    P: np.ndarray,
    t0: float,
    t1: float,
    t_eval: np.ndarray | None = None,
    rtol: float = 1e-8,
    atol: float = 1e-10,
    coordinates: str = "log-ratio",
    max_steps: int = 50_000,
    method: str = "DOP853",
) -> KernelResult:
    """Integrate ``N`` trajectories with the vectorised numpy kernel.

    Parameters
    ----------
    system
        The system (:meth:`EnsembleSystem.from_dynamics`).
    X0 : ndarray, shape (N, d)
        Valid reduced initial states.
    P : ndarray, shape (p,) or (p, N)
        Parameter vector, shared or one column per trajectory.
    t0, t1, t_eval, rtol, atol
        Time span, output times (increasing, within ``[t0, t1]``) and tolerances.
    coordinates
        ``"log-ratio"`` (:mod:`gametheory.numerics.charts`) or ``"shares"`` (the
        right-hand side :math:`\\dot x = F(x; p)` itself).
    max_steps
        Step attempts allowed per trajectory.
    method
        ``"DOP853"`` (8th order, error estimate of orders 5 and 3) or ``"RK45"``
        (Dormand-Prince 5(4)): the algorithms of scipy's ``DOP853`` and ``RK45``.

    Examples
    --------
    >>> from gametheory.models import classic
    >>> dyn = classic.matching_pennies_3().replicator()
    >>> system = EnsembleSystem.from_dynamics(dyn, "numpy")
    >>> raw = integrate_numpy(system, np.array([[0.5, 0.5, 0.5], [1.0, 0.0, 1.0]]), dyn.parameter_vector(), 0.0, 1.0)
    >>> raw.status.tolist(), raw.final[1].tolist()
    ([0, 0], [1.0, 0.0, 1.0])
    """
    tab = tableau(method)
    chart = kernel_chart(coordinates)
    X0 = np.asarray(X0, dtype=float)
    N, d = X0.shape
    P = np.asarray(P, dtype=float)
    P = P[:, None] if P.ndim == 1 else P
    n_eval = 0 if t_eval is None else len(t_eval)
    final = np.empty((N, d))
    y = np.full((N, d, n_eval), np.nan) if n_eval else None
    counters = {
        "status": np.zeros(N, dtype=np.int8),
        "nfev": np.zeros(N, dtype=np.int64),
        "n_steps": np.zeros(N, dtype=np.int64),
        "n_rejected": np.zeros(N, dtype=np.int64),
    }
    with np.errstate(all="ignore"):
        if chart == "shares":
            rhs = system.function("rhs")
            _rk_lockstep(
                tab, rhs, _identity, X0.T.copy(), P, t0, t1, t_eval, rtol, atol, max_steps, final, y,
                np.arange(N), counters,
            )  # fmt: skip
        else:
            faces = face_charts(system.strategy_counts, X0)
            growth = system.function("growth")
            patterns, group = np.unique(faces["support"], axis=0, return_inverse=True)
            group = np.asarray(group).reshape(-1)
            for g in range(len(patterns)):
                rows = np.flatnonzero(group == g)
                first = rows[0]
                mg = int(faces["m"][first])
                if mg == 0:  # a vertex: a rest point
                    final[rows] = X0[rows]
                    if y is not None:
                        y[rows] = X0[rows][:, :, None]
                    continue
                face = LogRatioChart(system.strategy_counts, faces["src"][first])
                rhs, states = face.vector_field(growth), face.states
                Pg = P if P.shape[1] == 1 else P[:, rows]
                u0 = faces["u0"][rows, :mg].T.copy()
                _rk_lockstep(
                    tab, rhs, states, u0, Pg, t0, t1, t_eval, rtol, atol, max_steps, final, y, rows, counters
                )
    return KernelResult(
        final, y, counters["status"], counters["nfev"], counters["n_steps"], counters["n_rejected"]
    )


def _identity(x: np.ndarray) -> np.ndarray:
    return x
