"""Ensemble integration kernels: embedded Dormand-Prince methods with per-trajectory step control.

Many trajectories of one system are integrated together, each with its own
step size, accept/reject decisions and end time, by one of two embedded
Runge-Kutta pairs, with exactly the step-size control, initial-step selection
and dense output of scipy's implementations (Hairer, Norsett & Wanner,
*Solving ODEs I*, II.4-II.10):

``"DOP853"`` (default)
    Dormand & Prince's 8th-order method, 12 stages, with the error estimate
    of orders 5 and 3 and the 7th-order dense output of
    :class:`scipy.integrate.DOP853` (whose coefficients it uses).
``"DP5"``
    Dormand & Prince (1980) 5(4), 6 stages plus FSAL, with Shampine's (1986)
    quartic dense output, as :class:`scipy.integrate.RK45`.

Every trajectory follows exactly the algorithm scipy would run on it alone,
so one-at-a-time :func:`scipy.integrate.solve_ivp` with ``method="DOP853"``
or ``"RK45"`` on the same right-hand side is an independent reference for
each member of the ensemble.  For a step of size :math:`h` from :math:`(t, y)`
with stages :math:`k_s` and :math:`s_a = \\mathrm{atol} + \\mathrm{rtol}\\max(|y_a|, |y_{new,a}|)`,

.. math::
    y_{new} = y + h \\sum_s b_s k_s, \\qquad
    \\|\\mathrm{err}\\|_{DP5} = \\sqrt{\\tfrac1m \\sum_a \\Big(\\frac{h \\sum_s e_s k_{s,a}}{s_a}\\Big)^2},
    \\qquad
    \\|\\mathrm{err}\\|_{DOP853} = \\frac{|h|\\, \\|e_5\\|^2}{\\sqrt{m\\,(\\|e_5\\|^2 + 0.01\\,\\|e_3\\|^2)}},

with :math:`e_{q,a} = \\sum_s E_{q,s} k_{s,a} / s_a`.  A step is accepted when
:math:`\\|\\mathrm{err}\\| < 1`; the next step is :math:`h \\min(10,
0.9\\|\\mathrm{err}\\|^{-1/(p+1)})` (at most ``h`` right after a rejection;
:math:`\\max(0.2, \\ldots)` on rejection), :math:`p` = 4 (DP5) or 7 (DOP853).

Coordinates
-----------
``"logit"`` (default, as in :func:`gametheory.integrate.simulate`): on the face
of the state space that holds the initial state, population ``i`` with support
:math:`S_i` and reference strategy :math:`r_i` (the last one in the support)
has the coordinates :math:`u_{ij} = \\ln(x_{ij}/x_{ir_i})`, :math:`j \\in S_i
\\setminus \\{r_i\\}`, and

.. math::  \\dot u_{ij} = f_{ij}(x) - f_{ir_i}(x), \\qquad x = \\mathrm{softmax}(u)
           \\text{ on each support.}

``"shares"``: the replicator equation for the reduced shares itself.

Backends
--------
``integrate_numpy`` advances all unfinished trajectories in lockstep, one
attempted step each per iteration, as arrays of shape ``(m, n)`` (coordinates
by trajectories), dropping trajectories as they finish.  ``integrate_numba``
runs each trajectory to its end in a compiled loop, blocks of trajectories in
parallel threads.  Both run the same arithmetic; they agree to rounding.

The numba kernel is generated per model: the expected payoffs (the
``"scalar"`` source of :mod:`gametheory.codegen`) and the method's
coefficients are compiled into a solver for one trajectory, which threads
(the compiled code releases the GIL) run over blocks of trajectories.  The generated module is written to
:func:`kernel_cache_dir` so that numba's on-disk cache keeps the machine code:
the first compilation takes seconds, a later process loads it in well under
one.  Workers of a process pool or a Dask cluster receive an
:class:`EnsembleSystem` (generated source text, which pickles) and build or
load the kernel on first use, then keep it in memory.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import re
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..codegen import CompiledFunction

if TYPE_CHECKING:
    from ..dynamics.replicator import ReplicatorDynamics

__all__ = [
    "EnsembleSystem",
    "KernelResult",
    "STATUS_MESSAGES",
    "DP5_C",
    "DP5_A",
    "DP5_B",
    "DP5_E",
    "DP5_P",
    "Tableau",
    "TABLEAUS",
    "METHODS",
    "face_structure",
    "integrate_numpy",
    "integrate_numba",
    "numba_available",
    "kernel_cache_dir",
    "kernel_is_compiled",
]

# ------------------------------------------------------------ coefficients
#: Dormand-Prince 5(4) nodes, stage matrix, 5th-order weights, error weights
#: (5th minus 4th order, 7 stages with FSAL) and the dense-output matrix of
#: Shampine (1986), exactly as in :class:`scipy.integrate.RK45`.
DP5_C = np.array([0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1])
DP5_A = np.array(
    [
        [0, 0, 0, 0, 0],
        [1 / 5, 0, 0, 0, 0],
        [3 / 40, 9 / 40, 0, 0, 0],
        [44 / 45, -56 / 15, 32 / 9, 0, 0],
        [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729, 0],
        [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
    ]
)
DP5_B = np.array([35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84])
DP5_E = np.array([-71 / 57600, 0, 71 / 16695, -71 / 1920, 17253 / 339200, -22 / 525, 1 / 40])
DP5_P = np.array(
    [
        [1, -8048581381 / 2820520608, 8663915743 / 2820520608, -12715105075 / 11282082432],
        [0, 0, 0, 0],
        [0, 131558114200 / 32700410799, -68118460800 / 10900136933, 87487479700 / 32700410799],
        [0, -1754552775 / 470086768, 14199869525 / 1410260304, -10690763975 / 1880347072],
        [0, 127303824393 / 49829197408, -318862633887 / 49829197408, 701980252875 / 199316789632],
        [0, -282668133 / 205662961, 2019193451 / 616988883, -1453857185 / 822651844],
        [0, 40617522 / 29380423, -110615467 / 29380423, 69997945 / 29380423],
    ]
)
_SAFETY, _MIN_FACTOR, _MAX_FACTOR = 0.9, 0.2, 10.0


@dataclass(frozen=True)
class Tableau:
    r"""An embedded explicit Runge-Kutta pair with its error estimate and dense output.

    Attributes
    ----------
    name : str
        ``"DP5"`` or ``"DOP853"``.
    n_stages : int
        Stages ``S`` of a step (the FSAL stage ``f(t + h, y_new)`` is stage ``S``).
    error_order : int
        Order of the error estimator: the step factor is ``0.9 err^(-1/(error_order + 1))``.
    A, B : ndarray
        Stage matrix ``(S, S)`` and weights ``(S,)``.
    E5, E3 : ndarray, shape (S + 1,)
        Error weights.  DP5: :math:`\|h E_5^T K\|` is the error.  DOP853
        (Hairer, Norsett & Wanner II.10): with :math:`e_5 = E_5^T K/s`,
        :math:`e_3 = E_3^T K/s`, the error norm is
        :math:`|h|\,\|e_5\|^2 / \sqrt{m(\|e_5\|^2 + 0.01\|e_3\|^2)}`.
    P : ndarray or None
        DP5 dense output, ``(S + 1, 4)``.
    A_extra, D : ndarray or None
        DOP853 dense output: three extra stages ``(3, 16)`` and ``(4, 16)``.
    """

    name: str
    n_stages: int
    error_order: int
    A: np.ndarray
    B: np.ndarray
    E5: np.ndarray
    E3: np.ndarray
    P: np.ndarray | None = None
    A_extra: np.ndarray | None = None
    D: np.ndarray | None = None

    @property
    def exponent(self) -> float:
        return -1 / (self.error_order + 1)

    @property
    def stages_and_weights(self) -> np.ndarray:
        """``(S + 1, S)``: rows 1..S-1 are the stage matrix, row S the weights ``B``."""
        out = np.zeros((self.n_stages + 1, self.n_stages))
        out[: self.n_stages] = self.A
        out[self.n_stages] = self.B
        return out


def _dop853() -> Tableau:
    """DOP853 (Hairer, Norsett & Wanner; Dormand & Prince 1980) with scipy's coefficients."""
    from scipy.integrate import DOP853

    return Tableau("DOP853", int(DOP853.n_stages), int(DOP853.error_estimator_order),
                   np.array(DOP853.A, dtype=float), np.array(DOP853.B, dtype=float),
                   np.array(DOP853.E5, dtype=float), np.array(DOP853.E3, dtype=float),
                   A_extra=np.array(DOP853.A_EXTRA, dtype=float), D=np.array(DOP853.D, dtype=float))  # fmt: skip


#: The integration methods of the ensemble kernels, by name.
TABLEAUS = {
    "DP5": Tableau("DP5", 6, 4, np.pad(DP5_A, ((0, 0), (0, 1))), DP5_B, DP5_E, np.zeros(7), P=DP5_P),
    "DOP853": _dop853(),
}  # fmt: skip
METHODS = tuple(TABLEAUS)

#: Per-trajectory status codes of the kernels.
STATUS_MESSAGES = {
    0: "reached the end of t_span",
    -1: "the step size fell below the floating-point resolution of t (stiff or singular)",
    -2: "more steps than max_steps (stiff problem?)",
    -3: "non-finite values during integration (overflow; parameters too extreme?)",
}


# ------------------------------------------------------------------ system
@dataclass(frozen=True)
class EnsembleSystem:
    """What the ensemble kernels need of a replicator system, as picklable source text.

    Attributes
    ----------
    strategy_counts : tuple of int
        ``k_i`` of each population; the state has ``d = sum(k_i - 1)`` coordinates.
    n_parameters : int
        Length ``p`` of the parameter vector.
    payoffs_array, payoffs_scalar, rhs_array, rhs_scalar : str
        Generated Python source (:mod:`gametheory.codegen`) of the expected
        payoffs :math:`f_{ij}` (all ``K = sum k_i`` of them, population by
        population) and of the replicator right-hand side, in the ``"array"``
        and ``"scalar"`` flavours; ``""`` where not needed (see :meth:`from_dynamics`).
    fingerprint : str
        :attr:`gametheory.game.Game.fingerprint` of the game.
    """

    strategy_counts: tuple[int, ...]
    n_parameters: int
    payoffs_array: str
    payoffs_scalar: str
    rhs_array: str
    rhs_scalar: str
    fingerprint: str

    @classmethod
    def from_dynamics(
        cls, dyn: ReplicatorDynamics, backend: str = "numba", coordinates: str = "logit"
    ) -> EnsembleSystem:
        """The system of ``dyn``, with the sources that ``backend`` and ``coordinates`` need.

        Sources not needed are left empty (generating each costs a common
        subexpression elimination; ``dyn`` caches what it generates).
        """
        need = {("payoffs", "array")}
        if coordinates == "shares":
            need.add(("rhs", "array"))
        if backend == "numba":
            need.add(("payoffs", "scalar") if coordinates == "logit" else ("rhs", "scalar"))

        def source(which: str, flavour: str) -> str:
            return dyn.compiled(which, flavour).source if (which, flavour) in need else ""

        return cls(
            strategy_counts=tuple(dyn.game.strategy_counts),
            n_parameters=len(dyn.parameters),
            payoffs_array=source("payoffs", "array"),
            payoffs_scalar=source("payoffs", "scalar"),
            rhs_array=source("rhs", "array"),
            rhs_scalar=source("rhs", "scalar"),
            fingerprint=dyn.game.fingerprint,
        )

    @property
    def dimension(self) -> int:
        return sum(k - 1 for k in self.strategy_counts)

    @property
    def n_strategies(self) -> int:
        return sum(self.strategy_counts)

    @property
    def population_starts(self) -> tuple[int, ...]:
        """Index of each population's first strategy among the ``K`` strategies."""
        return tuple(int(s) for s in np.cumsum((0, *self.strategy_counts[:-1])))

    @property
    def reduced_strategies(self) -> np.ndarray:
        """For each state coordinate, its strategy's index among the ``K`` strategies."""
        return np.array(
            [s + j for s, k in zip(self.population_starts, self.strategy_counts) for j in range(k - 1)],
            dtype=np.int64,
        )

    def kernel_key(self, coordinates: str, method: str) -> str:
        """SHA-256 identifying the numba kernel for ``coordinates`` and ``method`` (its generated source)."""
        source = self.payoffs_scalar if coordinates == "logit" else self.rhs_scalar
        if not source:
            raise ValueError(f"this EnsembleSystem was made without the scalar source for {coordinates!r}")
        text = f"{coordinates}\n{method}\n{self.strategy_counts}\n{source}"
        return hashlib.sha256(text.encode()).hexdigest()

    def function(self, which: str) -> CompiledFunction:
        """The compiled ``"array"`` flavour of ``"payoffs"`` or ``"rhs"`` (cached per source)."""
        source = self.payoffs_array if which == "payoffs" else self.rhs_array
        if not source:
            raise ValueError(f"this EnsembleSystem was made without the {which!r} array source")
        return CompiledFunction(which, source, (), "array")


@dataclass(frozen=True)
class KernelResult:
    """Raw output of a kernel (see :class:`gametheory.integrate.Ensemble` for the public result).

    Attributes
    ----------
    final : ndarray, shape (N, d)
        Reduced states at ``t1``.
    y : ndarray, shape (N, d, n_eval) or None
        Reduced states at ``t_eval`` (dense output), when ``t_eval`` was given.
    status : ndarray of int8, shape (N,)
        0 on success; see :data:`STATUS_MESSAGES`.
    nfev, n_steps, n_rejected : ndarray of int64, shape (N,)
        Right-hand-side evaluations, accepted and rejected steps per trajectory.
    """

    final: np.ndarray
    y: np.ndarray | None
    status: np.ndarray
    nfev: np.ndarray
    n_steps: np.ndarray
    n_rejected: np.ndarray


# ------------------------------------------------------------------- faces
def face_structure(system: EnsembleSystem, X0: np.ndarray) -> dict[str, np.ndarray]:
    """Logit charts of the faces holding each initial state (vectorised over ``N``).

    Parameters
    ----------
    X0 : ndarray, shape (N, d)
        Valid reduced initial states.

    Returns
    -------
    dict with
        ``"support"`` (N, K) bool: strategies with positive share;
        ``"u0"`` (N, d): initial logit coordinates, first ``m`` entries used;
        ``"m"`` (N,): number of logit coordinates (0 at a vertex);
        ``"src"`` (N, K): per strategy, its logit coordinate (``>= 0``),
        ``-2`` for its population's reference strategy, ``-1`` outside the support;
        ``"free"``, ``"ref"`` (N, d): for each logit coordinate, the strategy
        and its reference strategy (indices among the ``K`` strategies).
    """
    X0 = np.clip(np.asarray(X0, dtype=float), 0.0, 1.0)
    N, d = X0.shape
    K = system.n_strategies
    support = np.zeros((N, K), dtype=bool)
    shares = np.zeros((N, K))
    src = np.full((N, K), -1, dtype=np.int64)
    free = np.zeros((N, d), dtype=np.int64)
    ref = np.zeros((N, d), dtype=np.int64)
    u0 = np.zeros((N, d))
    m = np.zeros(N, dtype=np.int64)
    col = 0
    rows = np.arange(N)
    for start, k in zip(system.population_starts, system.strategy_counts):
        block = X0[:, col : col + k - 1]
        full = np.concatenate([block, (1.0 - block.sum(axis=1))[:, None]], axis=1)
        supp = full > 0
        shares[:, start : start + k] = full
        support[:, start : start + k] = supp
        # reference: the last strategy in the support (every population has one)
        last = k - 1 - np.argmax(supp[:, ::-1], axis=1)
        src[rows, start + last] = -2
        with np.errstate(divide="ignore"):
            log_ref = np.log(full[rows, last])
            for j in range(k - 1):
                is_free = supp[:, j] & (j < last)
                a = m[is_free]
                src[is_free, start + j] = a
                free[is_free, a] = start + j
                ref[is_free, a] = start + last[is_free]
                u0[is_free, a] = np.log(full[is_free, j]) - log_ref[is_free]
                m[is_free] += 1
        col += k - 1
    return {"support": support, "u0": u0, "m": m, "src": src, "free": free, "ref": ref}


# ------------------------------------------------------------ numpy backend
def _logit_functions(
    system: EnsembleSystem, src: np.ndarray, free: np.ndarray, ref: np.ndarray
) -> tuple[Callable[[np.ndarray, np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]:
    """Right-hand side ``u' = f_free - f_ref`` and the map ``u -> x`` on one face (numpy)."""
    payoffs = system.function("payoffs")
    d = system.dimension
    # per population: (first state row, k, first logit coordinate, strategies of the
    # logit coordinates, reference strategy); a population's logit coordinates are contiguous
    blocks = []
    row = 0
    for start, k in zip(system.population_starts, system.strategy_counts):
        codes = [int(c) for c in src[start : start + k]]
        js = [j for j, c in enumerate(codes) if c >= 0]
        ref_j = codes.index(-2)
        blocks.append((row, k, codes[js[0]] if js else 0, js, ref_j))
        row += k - 1

    def states(u: np.ndarray) -> np.ndarray:
        n = u.shape[1]
        x = np.zeros((d, n))
        for row, k, a0, js, ref_j in blocks:
            if not js:  # the population sits at its reference strategy
                if ref_j < k - 1:
                    x[row + ref_j] = 1.0
            elif k == 2:  # sigmoid of the one logit, without overflow: e = exp(-|u|)
                v = u[a0]
                e = np.exp(-np.abs(v))
                x[row] = np.where(v >= 0, 1.0, e) / (1.0 + e)
            else:  # softmax over the support, the reference's logit being 0
                sub = u[a0 : a0 + len(js)]
                top = np.maximum(sub.max(axis=0), 0.0)
                w = np.exp(sub - top)
                w_ref = np.exp(-top)
                total = w.sum(axis=0) + w_ref
                x[[row + j for j in js]] = w / total
                if ref_j < k - 1:
                    x[row + ref_j] = w_ref / total
        return x

    def rhs(u: np.ndarray, P: np.ndarray) -> np.ndarray:
        F = payoffs(states(u), P)
        return F[free] - F[ref]

    return rhs, states


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
        if tab.name == "DP5":
            en = _rms(h * _combine(tab.E5, ks), scale)
        else:
            e5 = _combine(tab.E5, ks) / scale
            e3 = _combine(tab.E3, ks) / scale
            n5 = np.einsum("ij,ij->j", e5, e5)
            n3 = np.einsum("ij,ij->j", e3, e3)
            en = np.where((n5 == 0) & (n3 == 0), 0.0, np.abs(h) * n5 / np.sqrt((n5 + 0.01 * n3) * m))
        bad = ~np.isfinite(en) | ~np.isfinite(y_new).all(axis=0)
        accept = (en < 1) & ~bad
        grow = np.where(en == 0, _MAX_FACTOR, np.minimum(_MAX_FACTOR, _SAFETY * en**tab.exponent))
        grow = np.where(rejected, np.minimum(1.0, grow), grow)
        shrink = np.maximum(_MIN_FACTOR, _SAFETY * en**tab.exponent)
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
    if tab.name == "DP5":
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
    coordinates: str = "logit",
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
        ``"logit"`` or ``"shares"`` (see module docstring).
    max_steps
        Step attempts allowed per trajectory.
    method
        ``"DOP853"`` (8th order, error estimate of orders 5 and 3) or ``"DP5"``
        (Dormand-Prince 5(4)): the algorithms of scipy's ``DOP853`` and ``RK45``.
    """
    tab = _tableau(method)
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
        if coordinates == "shares":
            rhs = system.function("rhs")
            _rk_lockstep(
                tab, rhs, _identity, X0.T.copy(), P, t0, t1, t_eval, rtol, atol, max_steps, final, y,
                np.arange(N), counters,
            )  # fmt: skip
        else:
            faces = face_structure(system, X0)
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
                rhs, states = _logit_functions(
                    system, faces["src"][first], faces["free"][first, :mg], faces["ref"][first, :mg]
                )
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


def _tableau(method: str) -> Tableau:
    try:
        return TABLEAUS[method]
    except KeyError:
        raise ValueError(f"unknown method {method!r}; choose one of {list(TABLEAUS)}") from None


# ------------------------------------------------------------ numba backend
@functools.lru_cache(maxsize=1)
def numba_available() -> bool:
    """Whether numba (the ``fast`` extra) can be imported."""
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def _import_numba() -> Any:
    try:
        import numba
    except ImportError as exc:
        raise ImportError(
            'the numba backend needs numba: pip install "gametheory-egt[fast]" (or use backend="numpy")'
        ) from exc
    return numba


_NUMBA_KERNELS: dict[str, Callable[..., None]] = {}

_LINE_INPUT = re.compile(r"^    (_[xp]\d+) = ([xp])\[(\d+)\]$")
_LINE_OUTPUT = re.compile(r"^    out\[(\d+)\] = (.+)$")
_LINE_TEMP = re.compile(r"^    (_c\d+) = (.+)$")


def _split_scalar_source(source: str) -> tuple[list[str], list[str]]:
    """Parameter loads and body (temporaries, ``out[k] = ...``) of a ``"scalar"`` generated function.

    The state loads ``_x{i} = x[i]`` are dropped (the kernel defines ``_x{i}``)
    and ``out[k]`` becomes ``F[k]``.  Raises ``ValueError`` on any unexpected
    line, so a change of the generator's format cannot go unnoticed.
    """
    lines = source.rstrip("\n").split("\n")
    if not lines[0].startswith("def ") or lines[-1] != "    return None":
        raise ValueError("unexpected generated source: no 'def' header or 'return None'")
    loads, body = [], []
    for line in lines[1:-1]:
        if match := _LINE_INPUT.match(line):
            if match.group(2) == "p":
                loads.append(f"{match.group(1)} = p[{match.group(3)}]")
        elif match := _LINE_OUTPUT.match(line):
            body.append(f"F[{match.group(1)}] = {match.group(2)}")
        elif match := _LINE_TEMP.match(line):
            body.append(f"{match.group(1)} = {match.group(2)}")
        else:
            raise ValueError(f"unexpected line in generated source: {line!r}")
    return loads, body


def _indent(lines: list[str], depth: int) -> str:
    return "\n".join(" " * (4 * depth) + line for line in lines)


def _states_code(system: EnsembleSystem) -> list[str]:
    """Source setting ``_x{c}`` (reduced shares) from the logit coordinates ``u`` and the face ``src``."""
    out: list[str] = []
    row = 0
    for start, k in zip(system.population_starts, system.strategy_counts):
        if k == 2:
            out += [
                f"code = src[{start}]",
                "if code >= 0:",
                "    v = u[code]",
                "    e = numpy.exp(-abs(v))",
                f"    _x{row} = (1.0 if v >= 0 else e) / (1.0 + e)",
                "elif code == -2:",
                f"    _x{row} = 1.0",
                "else:",
                f"    _x{row} = 0.0",
            ]
        else:
            out += [
                "top = -numpy.inf",
                f"for j in range({k}):",
                f"    code = src[{start} + j]",
                "    if code >= 0:",
                "        top = max(top, u[code])",
                "    elif code == -2:",
                "        top = max(top, 0.0)",
                "total = 0.0",
                f"for j in range({k}):",
                f"    code = src[{start} + j]",
                "    w = 0.0",
                "    if code >= 0:",
                "        w = numpy.exp(u[code] - top)",
                "    elif code == -2:",
                "        w = numpy.exp(-top)",
                "    xf[j] = w",
                "    total += w",
            ]
            out += [f"_x{row + j} = xf[{j}] / total" for j in range(k - 1)]
        row += k - 1
    return out


_KERNEL_TEMPLATE = """
def solve_one(n, U0, M, SRC, FREE, REF, P, t0, t1, t_eval, rtol, atol, max_steps, FINAL, Y, STATUS, NFEV, NSTEP, NREJ):
    # the method's coefficients are module constants: numba folds them into the code
    method = METHOD
    error_order = ERROR_ORDER
    AB = TABLEAU_AB
    E5 = TABLEAU_E5
    E3 = TABLEAU_E3
    PD = TABLEAU_P
    AEX = TABLEAU_A_EXTRA
    DD = TABLEAU_D
    m = M[n]
    src = SRC[n]
    free = FREE[n]
    ref = REF[n]
    p = P[0] if P.shape[0] == 1 else P[n]
{param_loads}
    n_eval = t_eval.shape[0]
    S = AB.shape[1]
    exponent = -1.0 / (error_order + 1)
    u = numpy.empty(D)
    stage = numpy.empty(D)
    ks = numpy.empty((16, D))
    fd = numpy.empty((7, D))
    scale = numpy.empty(D)
    err = numpy.empty(D)
    xf = numpy.empty(KMAX)
    F = numpy.empty(K)

    def states(u, x):
{states}
{store_states}

    def rhs(u, out):
{states}
{body}
{derivative}

    for a in range(m):
        u[a] = U0[n, a]
    if m == 0:
        states(u, err)
        for c in range(D):
            FINAL[n, c] = err[c]
            for k in range(n_eval):
                Y[n, c, k] = err[c]
        STATUS[n] = 0
        return
    # initial step: scipy.integrate._ivp.common.select_initial_step
    rhs(u, ks[0])
    length = t1 - t0
    d0 = 0.0
    d1 = 0.0
    for a in range(m):
        scale[a] = atol + abs(u[a]) * rtol
        d0 += (u[a] / scale[a]) ** 2
        d1 += (ks[0, a] / scale[a]) ** 2
    d0 = numpy.sqrt(d0 / m)
    d1 = numpy.sqrt(d1 / m)
    h0 = 1e-6 if (d0 < 1e-5 or d1 < 1e-5) else 0.01 * d0 / d1
    h0 = min(h0, length)
    for a in range(m):
        stage[a] = u[a] + h0 * ks[0, a]
    rhs(stage, ks[1])
    d2 = 0.0
    for a in range(m):
        d2 += ((ks[1, a] - ks[0, a]) / scale[a]) ** 2
    d2 = numpy.sqrt(d2 / m) / h0
    if d1 <= 1e-15 and d2 <= 1e-15:
        h1 = max(1e-6, h0 * 1e-3)
    else:
        h1 = (0.01 / max(d1, d2)) ** (1.0 / (error_order + 1))
    h_abs = min(min(100 * h0, h1), length)
    nfev = 2
    steps = 0
    rejections = 0
    t = t0
    k_next = 0
    rejected = False
    status = 1
    while status == 1:
        min_step = 10 * abs(numpy.nextafter(t, numpy.inf) - t)
        if not rejected and h_abs < min_step:
            h_abs = min_step
        t_new = t + h_abs
        if t_new > t1:
            t_new = t1
        h = t_new - t
        h_abs = abs(h)
        # stages 1..S-1, then (row S: the weights) the new state and its derivative (FSAL)
        for s in range(1, S + 1):
            for a in range(m):
                acc = 0.0
                for r in range(s):
                    acc += AB[s, r] * ks[r, a]
                stage[a] = u[a] + h * acc
            rhs(stage, ks[s])
        nfev += S
        finite = True
        e5 = 0.0
        e3 = 0.0
        for a in range(m):
            sc = atol + max(abs(u[a]), abs(stage[a])) * rtol
            acc5 = 0.0
            acc3 = 0.0
            for r in range(S + 1):
                acc5 += E5[r] * ks[r, a]
                acc3 += E3[r] * ks[r, a]
            if method == 0:
                e5 += (h * acc5 / sc) ** 2
            else:
                e5 += (acc5 / sc) ** 2
                e3 += (acc3 / sc) ** 2
            if not numpy.isfinite(stage[a]):
                finite = False
        if method == 0:
            en = numpy.sqrt(e5 / m)
        elif e5 == 0 and e3 == 0:
            en = 0.0
        else:
            en = abs(h) * e5 / numpy.sqrt((e5 + 0.01 * e3) * m)
        if not (finite and numpy.isfinite(en)):
            status = -3
            break
        if en < 1:
            if en == 0:
                factor = MAX_FACTOR
            else:
                factor = min(MAX_FACTOR, SAFETY * en**exponent)
            if rejected:
                factor = min(1.0, factor)
            h_abs *= factor
            if k_next < n_eval and t_eval[k_next] <= t_new:
                # dense output of this step, as scipy's RkDenseOutput / Dop853DenseOutput
                if method == 0:
                    for j in range(4):
                        for a in range(m):
                            q = 0.0
                            for r in range(S + 1):
                                q += PD[r, j] * ks[r, a]
                            fd[j, a] = q
                else:
                    for e in range(3):
                        row = S + 1 + e
                        for a in range(m):
                            acc = 0.0
                            for r in range(row):
                                acc += AEX[e, r] * ks[r, a]
                            err[a] = u[a] + h * acc
                        rhs(err, ks[row])
                    nfev += 3
                    for a in range(m):
                        delta = stage[a] - u[a]
                        fd[0, a] = delta
                        fd[1, a] = h * ks[0, a] - delta
                        fd[2, a] = 2 * delta - h * (ks[S, a] + ks[0, a])
                        for j in range(4):
                            acc = 0.0
                            for r in range(S + 4):
                                acc += DD[j, r] * ks[r, a]
                            fd[3 + j, a] = h * acc
            while k_next < n_eval and t_eval[k_next] <= t_new:
                sigma = (t_eval[k_next] - t) / h
                for a in range(m):
                    if method == 0:
                        poly = 0.0
                        power = 1.0
                        for j in range(4):
                            power *= sigma
                            poly += fd[j, a] * power
                        err[a] = u[a] + h * poly
                    else:
                        value = 0.0
                        for i in range(7):
                            value += fd[6 - i, a]
                            if i % 2 == 0:
                                value *= sigma
                            else:
                                value *= 1.0 - sigma
                        err[a] = value + u[a]
                states(err, scale)
                for c in range(D):
                    Y[n, c, k_next] = scale[c]
                k_next += 1
            for a in range(m):
                u[a] = stage[a]
                ks[0, a] = ks[S, a]
            t = t_new
            steps += 1
            rejected = False
            if t >= t1:
                status = 0
        else:
            h_abs *= max(MIN_FACTOR, SAFETY * en**exponent)
            rejections += 1
            rejected = True
            if h_abs < 10 * abs(numpy.nextafter(t, numpy.inf) - t):
                status = -1
        if status == 1 and steps + rejections >= max_steps:
            status = -2
    STATUS[n] = status
    NFEV[n] = nfev
    NSTEP[n] = steps
    NREJ[n] = rejections
    if status == 0:
        states(u, err)
        for c in range(D):
            FINAL[n, c] = err[c]
    else:
        for c in range(D):
            FINAL[n, c] = numpy.nan
"""


def _kernel_source(system: EnsembleSystem, coordinates: str) -> str:
    """Python source of the per-trajectory solver ``solve_one`` (compiled by numba)."""
    d = system.dimension
    if coordinates == "logit":
        loads, body = _split_scalar_source(system.payoffs_scalar)
        states = _states_code(system)
        derivative = ["for a in range(m):", "    out[a] = F[free[a]] - F[ref[a]]"]
    else:
        loads, body = _split_scalar_source(system.rhs_scalar)
        states = [f"_x{c} = u[{c}]" for c in range(d)]
        derivative = [f"out[{c}] = F[{c}]" for c in range(d)]
    return _KERNEL_TEMPLATE.format(
        param_loads=_indent(loads, 1),
        states=_indent(states, 2),
        store_states=_indent([f"x[{c}] = _x{c}" for c in range(d)], 2),
        body=_indent(body, 2),
        derivative=_indent(derivative, 2),
    )


def kernel_is_compiled(system: EnsembleSystem, coordinates: str, method: str) -> bool:
    """Whether the numba kernel of ``system`` is ready without compiling.

    True when this process holds it, or when the disk cache holds its module and
    numba's machine code for it (loading takes a fraction of a second).
    """
    key = system.kernel_key(coordinates, method)
    if key in _NUMBA_KERNELS:
        return True
    directory = kernel_cache_dir()
    if directory is None:
        return False
    name = f"gametheory_kernel_{key[:24]}"
    try:
        if (directory / f"{name}.py").read_text() != _kernel_module_source(system, coordinates, method):
            return False
    except OSError:
        return False
    return any((directory / "__pycache__").glob(f"{name}.run_block-*.nbi"))


def _numba_kernel(system: EnsembleSystem, coordinates: str, method: str) -> Callable[..., None]:
    """The compiled kernel of ``system`` for ``coordinates``: built once per process (in-memory cache).

    The generated solver is written as a module to the kernel cache directory
    (:func:`kernel_cache_dir`), so that numba's on-disk cache can keep its
    machine code: compiling takes seconds, loading it in a later process (a
    test run, a process pool, a Dask worker) a fraction of that.  Without a
    writable cache directory the source is ``exec``'d and compiled in memory.
    """
    key = system.kernel_key(coordinates, method)
    kernel = _NUMBA_KERNELS.get(key)
    if kernel is None:
        kernel = _build_numba_kernel(system, coordinates, method)
        _NUMBA_KERNELS[key] = kernel
    return kernel


def kernel_cache_dir() -> Path | None:
    """Directory of generated kernel modules and numba's cache of their machine code.

    ``$GAMETHEORY_KERNEL_CACHE`` if set (``"off"`` disables the disk cache),
    else ``$XDG_CACHE_HOME/gametheory/kernels`` or ``~/.cache/gametheory/kernels``;
    ``None`` when it cannot be created or written.
    """
    setting = os.environ.get("GAMETHEORY_KERNEL_CACHE", "")
    if setting.lower() in ("off", "0", "no", "false"):
        return None
    if setting:
        path = Path(setting)
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        path = Path(base) / "gametheory" / "kernels"
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None
    return path if os.access(path, os.W_OK) else None


_MODULE_HEADER = '''"""Generated by gametheory.numerics.kernels ({method}, {coordinates} coordinates, strategies {counts}); do not edit."""

import numba
import numpy

D = {D}
K = {K}
KMAX = {KMAX}
SAFETY = {safety!r}
MIN_FACTOR = {min_factor!r}
MAX_FACTOR = {max_factor!r}
METHOD = {method_code}  # {method}
ERROR_ORDER = {error_order}
TABLEAU_AB = numpy.array({AB!r})
TABLEAU_E5 = numpy.array({E5!r})
TABLEAU_E3 = numpy.array({E3!r})
TABLEAU_P = numpy.array({P!r})
TABLEAU_A_EXTRA = numpy.array({A_extra!r})
TABLEAU_D = numpy.array({D_dense!r})

'''

_MODULE_FOOTER = """

solve_one = numba.njit(nogil=True, error_model="numpy", cache=CACHE)(solve_one)


@numba.njit(nogil=True, cache=CACHE)
def run_block(lo, hi, U0, M, SRC, FREE, REF, P, t0, t1, t_eval, rtol, atol, max_steps, FINAL, Y, STATUS, NFEV, NSTEP, NREJ):
    for n in range(lo, hi):
        solve_one(n, U0, M, SRC, FREE, REF, P, t0, t1, t_eval, rtol, atol, max_steps, FINAL, Y, STATUS, NFEV, NSTEP, NREJ)
"""


def _kernel_module_source(system: EnsembleSystem, coordinates: str, method: str) -> str:
    """A complete Python module defining the compiled ``run_block`` kernel (see :func:`_kernel_source`)."""
    d = system.dimension
    tab = _tableau(method)
    S = tab.n_stages
    arrays = {
        "AB": tab.stages_and_weights,
        "E5": tab.E5,
        "E3": tab.E3,
        "P": tab.P if tab.P is not None else np.zeros((S + 1, 4)),
        "A_extra": tab.A_extra if tab.A_extra is not None else np.zeros((3, 16)),
        "D_dense": tab.D if tab.D is not None else np.zeros((4, 16)),
    }
    header = _MODULE_HEADER.format(
        method=method,
        method_code=0 if method == "DP5" else 1,
        error_order=tab.error_order,
        coordinates=coordinates,
        counts=system.strategy_counts,
        D=max(d, 1),
        K=max(system.n_strategies, d),
        KMAX=max(system.strategy_counts),
        safety=_SAFETY,
        min_factor=_MIN_FACTOR,
        max_factor=_MAX_FACTOR,
        **{name: np.asarray(a, dtype=float).tolist() for name, a in arrays.items()},
    )
    return header + _kernel_source(system, coordinates) + _MODULE_FOOTER


def _build_numba_kernel(system: EnsembleSystem, coordinates: str, method: str) -> Callable[..., None]:
    _import_numba()
    source = _kernel_module_source(system, coordinates, method)
    name = f"gametheory_kernel_{system.kernel_key(coordinates, method)[:24]}"
    directory = kernel_cache_dir()
    if directory is not None:
        path = directory / f"{name}.py"
        try:
            current = path.read_text() if path.exists() else None
            if current != source:  # rewrite only on a change: numba's cache is keyed by the file's stamp
                tmp = directory / f"{name}.{os.getpid()}.tmp"
                tmp.write_text(source)
                os.replace(tmp, path)
            spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(spec)
            module.__dict__["CACHE"] = True
            # numba finds a cached function's module by name (inspect.getmodule): register it
            sys.modules[name] = module
            spec.loader.exec_module(module)
            return module.run_block
        except OSError:
            pass  # fall back to compiling in memory
    namespace: dict[str, Any] = {"CACHE": False, "__name__": name}
    code = compile(source, f"<{name}>", "exec")
    exec(code, namespace)  # noqa: S102 - generated from checked sympy expressions only
    return namespace["run_block"]


def _default_threads() -> int:
    numba = _import_numba()
    return int(numba.get_num_threads())


def integrate_numba(
    system: EnsembleSystem,
    X0: np.ndarray,
    P: np.ndarray,
    t0: float,
    t1: float,
    t_eval: np.ndarray | None = None,
    rtol: float = 1e-8,
    atol: float = 1e-10,
    coordinates: str = "logit",
    max_steps: int = 50_000,
    method: str = "DOP853",
    threads: int | None = None,
) -> KernelResult:
    """Integrate ``N`` trajectories with the compiled numba kernel (arguments as :func:`integrate_numpy`).

    The compiled solver releases the GIL; ``threads`` Python threads (default:
    :func:`numba.get_num_threads`, i.e. ``NUMBA_NUM_THREADS``) each integrate
    blocks of consecutive trajectories.  Every trajectory is integrated on its
    own, so the result does not depend on the number of threads.
    """
    _tableau(method)
    kernel = _numba_kernel(system, coordinates, method)
    threads = _default_threads() if threads is None else int(threads)
    if threads < 1:
        raise ValueError(f"threads must be at least 1, got {threads}")
    X0 = np.ascontiguousarray(X0, dtype=float)
    N, d = X0.shape
    P = np.asarray(P, dtype=float)
    P_rows = np.ascontiguousarray(P[None, :] if P.ndim == 1 else P.T)
    logit = coordinates == "logit"
    if logit:
        faces = face_structure(system, X0)
        U0, M = faces["u0"], faces["m"]
        SRC, FREE, REF = faces["src"], faces["free"], faces["ref"]
    else:
        U0, M = X0, np.full(N, d, dtype=np.int64)
        SRC = np.zeros((N, system.n_strategies), dtype=np.int64)
        FREE = REF = np.zeros((N, d), dtype=np.int64)
    te = np.zeros(0) if t_eval is None else np.ascontiguousarray(t_eval, dtype=float)
    final = np.empty((N, d))
    y = np.full((N, d, te.size), np.nan)
    status = np.zeros(N, dtype=np.int8)
    nfev = np.zeros(N, dtype=np.int64)
    n_steps = np.zeros(N, dtype=np.int64)
    n_rej = np.zeros(N, dtype=np.int64)
    args = (
        np.ascontiguousarray(U0), M, SRC, FREE, REF, P_rows, float(t0), float(t1), te, float(rtol),
        float(atol), int(max_steps), final, y, status, nfev, n_steps, n_rej,
    )  # fmt: skip
    # blocks of about N / (8 threads): trajectories differ in cost, small blocks balance the load
    n_blocks = min(N, 8 * threads) if threads > 1 else min(N, 1)
    bounds = [(N * b) // n_blocks for b in range(n_blocks + 1)] if n_blocks else []
    if n_blocks == 1:
        kernel(0, N, *args)
    elif n_blocks > 1:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            for future in [pool.submit(kernel, lo, hi, *args) for lo, hi in zip(bounds[:-1], bounds[1:])]:
                future.result()
    return KernelResult(final, y if te.size else None, status, nfev, n_steps, n_rej)
