r"""SIMD lanes for the numba ensemble kernel: ``LANES`` trajectories advanced in lockstep.

:func:`gametheory.numerics.kernel_numba.integrate_numba` hands the trajectories
that need no dense output and start in the interior of the state space (every
trajectory in the shares chart) to the lane kernel generated here; the others
keep the per-trajectory solver of :mod:`~gametheory.numerics.kernel_numba`.

Layout (structure of arrays): the chart coordinates of the trajectories in the
lanes are ``U[a, l]``, the stage derivatives ``K[s, a, l]``; every loop over the
lanes has the fixed trip count ``LANES``, so LLVM vectorises it (AVX2/AVX-512).
Each lane keeps its own step size and accepts or rejects its step on its own,
with exactly the step-size control of :mod:`~gametheory.numerics.kernel_numpy`
and scipy (``RK45`` or ``DOP853``); a lane whose trajectory ends (reached
``t1`` or failed) takes the next trajectory of its block.  The initial steps
(scipy's ``select_initial_step``) of a block are computed first, ``LANES`` at a
time.  Each thread runs one lane group on one block of trajectories, dealt
like cards (:func:`interleaved`), so that the threads get equal shares of slow
and fast trajectories and each lane group drains (lanes idle while the last
trajectories finish) only once.

In the interior the log-ratio chart is fixed: per population with ``k``
strategies, :math:`u_j = \log(x_j / x_k)`, :math:`x_j = e^{u_j} / (1 + \sum_i e^{u_i})`,
for ``k = 2`` the logistic function :math:`x = 1 / (1 + e^{-u})`.  The exponential
is :func:`vexp` (range reduction to :math:`|r| \le \ln 2 / 2`, degree-13 Taylor
polynomial, :math:`2^n` by building the exponent bits), within 1 ulp of the
C library's ``exp``, which vectorises where ``numpy.exp`` would be a scalar call
per lane (numba's SVML path needs an SVML-patched llvmlite, which pip's wheels
are not).  Results therefore agree with the per-trajectory solver to rounding
error; the arithmetic of the method is the same, term by term (products with a
zero coefficient of the tableau are left out, which changes nothing for finite
values).
"""

from __future__ import annotations

import importlib.util
import math
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .system import EnsembleSystem, kernel_chart
from .tableaus import MAX_FACTOR, MIN_FACTOR, SAFETY, tableau

__all__ = ["LANES", "vexp", "lanes_module_source", "lane_trajectories"]

#: Trajectories per lane group (two AVX-512 or four AVX2 registers of doubles).
LANES = 16

#: Bumped whenever the generated code changes meaning (it is part of the generated source).
_VERSION = 2

_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_INV_LN2 = 1.44269504088896338700e00


def _make_vexp():
    import numba
    from llvmlite import ir
    from numba import types
    from numba.extending import intrinsic

    @intrinsic
    def pow2(typingctx, n):  # noqa: ARG001 - numba's intrinsic signature
        """``2.0**n`` for integer ``-1022 <= n <= 1023``, from the exponent bits."""

        def codegen(context, builder, signature, args):  # noqa: ARG001
            i64 = ir.IntType(64)
            bits = builder.shl(builder.add(args[0], ir.Constant(i64, 1023)), ir.Constant(i64, 52))
            return builder.bitcast(bits, ir.DoubleType())

        return types.float64(types.int64), codegen

    @numba.njit(inline="always", error_model="numpy", fastmath={"contract"}, cache=True)
    def vexp(x):
        x = min(max(x, -745.2), 709.8)
        k = math.floor(x * _INV_LN2 + 0.5)
        r = (x - k * _LN2_HI) - k * _LN2_LO
        p = 1.0 + r * (1.0 + r * (1 / 2 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720 + r * (
            1 / 5040 + r * (1 / 40320 + r * (1 / 362880 + r * (1 / 3628800 + r * (1 / 39916800 + r * (
                1 / 479001600 + r * (1 / 6227020800)))))))))))))  # fmt: skip
        n = np.int64(k)
        half = n >> 1  # two factors: 2**n may be subnormal
        return p * pow2(half) * pow2(n - half)

    return vexp


def vexp(x: float) -> float:
    """:math:`e^x` in a form LLVM vectorises (numba-compiled; within 1 ulp of ``numpy.exp``).

    Examples
    --------
    >>> bool(abs(vexp(1.0) - np.e) <= np.spacing(np.e))
    True
    >>> vexp(-800.0), vexp(-740.0) > 0
    (0.0, True)
    """
    return _vexp()(float(x))


_VEXP = None


def _vexp():
    global _VEXP
    if _VEXP is None:
        _VEXP = _make_vexp()
    return _VEXP


def lane_trajectories(M: np.ndarray, d: int, coordinates: str) -> np.ndarray:
    """Indices of the trajectories the lane kernel integrates: all in shares, the interior ones in log-ratio.

    ``M``: the number of chart coordinates of each trajectory's face (``d`` in the interior).

    Examples
    --------
    >>> lane_trajectories(np.array([3, 2, 3]), 3, "log-ratio").tolist()
    [0, 2]
    """
    if kernel_chart(coordinates) == "shares":
        return np.arange(M.shape[0], dtype=np.int64)
    return np.flatnonzero(M == d).astype(np.int64)


_LINE_INPUT = re.compile(r"^    (_[xp]\d+) = ([xp])\[(\d+)\]$")
_LINE_OUTPUT = re.compile(r"^    out\[(\d+)\] = (.+)$")
_LINE_TEMP = re.compile(r"^    (_c\d+) = (.+)$")


def split_scalar_source(source: str) -> tuple[list[str], list[str]]:
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


def interior_chart(strategy_counts: tuple[int, ...], X0: np.ndarray) -> np.ndarray | None:
    """Log-ratio coordinates of the starts when all are interior, else None (a shortcut of ``face_charts``).

    :math:`u_{ij} = \\log x_{ij} - \\log x_{ik_i}`, computed as
    :func:`~gametheory.numerics.charts.face_charts` computes it, hence equal to its ``"u0"``.

    Examples
    --------
    >>> interior_chart((2,), np.array([[0.5], [0.25]])).round(12).ravel().tolist()
    [0.0, -1.098612288668]
    >>> interior_chart((2,), np.array([[0.5], [1.0]])) is None
    True
    """
    columns, col = [], 0
    for k in strategy_counts:
        block = X0[:, col : col + k - 1]
        last = 1.0 - block.sum(axis=1)
        if not (np.all(block > 0) and np.all(last > 0)):
            return None
        columns.append(np.log(block) - np.log(last)[:, None])
        col += k - 1
    return np.ascontiguousarray(np.concatenate(columns, axis=1)) if columns else None


def _states_lines(counts: tuple[int, ...], chart: str, U: str) -> list[str]:
    """Lines setting ``_x{c}`` from ``U[:, l]`` on the interior chart (or in shares)."""
    d = sum(k - 1 for k in counts)
    if chart == "shares":
        return [f"_x{c} = {U}[{c}, l]" for c in range(d)]
    out, row = [], 0
    for k in counts:
        if k == 1:
            continue
        if k == 2:
            out += [
                f"_v = {U}[{row}, l]",
                "_e = vexp(-abs(_v))",
                f"_x{row} = (1.0 if _v >= 0 else _e) / (1.0 + _e)",
            ]
        else:
            us = [f"{U}[{row + j}, l]" for j in range(k - 1)]
            out.append(f"_top = max(0.0, {', '.join(us)})")
            out += [f"_w{j} = vexp({u} - _top)" for j, u in enumerate(us)]
            out.append(f"_total = {' + '.join(f'_w{j}' for j in range(k - 1))} + vexp(-_top)")
            out += [f"_x{row + j} = _w{j} / _total" for j in range(k - 1)]
        row += k - 1
    return out


def _combo(coeffs: np.ndarray, term: str) -> str:
    """``c0 * K[0, a, l] + c1 * K[1, a, l] + ...`` over the nonzero coefficients (``"0.0"`` if none)."""
    parts = [f"{float(c)!r} * {term.format(r=r)}" for r, c in enumerate(coeffs) if c != 0]
    return " + ".join(parts) if parts else "0.0"


def _rhs_lines(system: EnsembleSystem, chart: str) -> list[str]:
    counts = system.strategy_counts
    source = system.growth_scalar if chart == "log-ratio" else system.rhs_scalar
    loads, body = split_scalar_source(source)
    loads = [re.sub(r"= p\[(\d+)\]$", r"= PL[\1, l]", line) for line in loads]
    body = [re.sub(r"^F\[(\d+)\] = ", r"_F\1 = ", line).replace("numpy.exp(", "vexp(") for line in body]
    d = system.dimension
    if chart == "log-ratio":
        derivative, row, start = [], 0, 0
        for k in counts:
            derivative += [f"K[s, {row + j}, l] = _F{start + j} - _F{start + k - 1}" for j in range(k - 1)]
            row, start = row + k - 1, start + k
    else:
        derivative = [f"K[s, {c}, l] = _F{c}" for c in range(d)]
    return loads + _states_lines(counts, chart, "X") + body + derivative


_TEMPLATE = '''"""Generated by gametheory.numerics.kernel_lanes (version {version}; {method}, {chart} coordinates,
strategies {counts}); do not edit."""

import numba
import numpy

from gametheory.numerics.kernel_lanes import _vexp

vexp = _vexp()
L = {lanes}
D = {D}
S = {S}
NPAR = {npar}


def run_lanes(lo, hi, IDX, U0, P, t0, t1, rtol, atol, max_steps, FINAL, STATUS, NFEV, NSTEP, NREJ):
    exponent = -1.0 / ({error_order} + 1)
    U = numpy.zeros((D, L))
    ST = numpy.zeros((D, L))
    K = numpy.zeros((S + 1, D, L))
    PL = numpy.zeros((max(NPAR, 1), L))
    T = numpy.zeros(L)
    TN = numpy.zeros(L)
    H = numpy.zeros(L)
    HABS = numpy.zeros(L)
    EN = numpy.zeros(L)
    FIN = numpy.zeros(L, dtype=numpy.bool_)
    WHO = numpy.full(L, -1, dtype=numpy.int64)
    REJ = numpy.zeros(L, dtype=numpy.bool_)
    NST = numpy.zeros(L, dtype=numpy.int64)
    NRJ = numpy.zeros(L, dtype=numpy.int64)
    count = hi - lo
    H0 = numpy.empty(count)
    K0 = numpy.empty((count, D))
    shared = P.shape[0] == 1
    length = t1 - t0

    def rhs(X, s):
        for l in range(L):
{rhs}

    def load(j, l):
        n = IDX[j]
        for a in range(D):
            U[a, l] = U0[n, a]
        row = 0 if shared else n
        for i in range(NPAR):
            PL[i, l] = P[row, i]

    # initial steps, L trajectories at a time: scipy's select_initial_step, as the per-trajectory solver
    for base in range(lo, hi, L):
        for l in range(L):
            load(min(base + l, hi - 1), l)
        rhs(U, 0)
        for l in range(L):
            d0 = 0.0
            d1 = 0.0
            for a in range(D):
                scale = atol + abs(U[a, l]) * rtol
                d0 += (U[a, l] / scale) ** 2
                d1 += (K[0, a, l] / scale) ** 2
            d0 = numpy.sqrt(d0 / D)
            d1 = numpy.sqrt(d1 / D)
            h0 = 1e-6 if (d0 < 1e-5 or d1 < 1e-5) else 0.01 * d0 / d1
            h0 = min(h0, length)
            H[l] = h0
            EN[l] = d1
            for a in range(D):
                ST[a, l] = U[a, l] + h0 * K[0, a, l]
        rhs(ST, 1)
        for l in range(min(L, hi - base)):
            h0 = H[l]
            d1 = EN[l]
            d2 = 0.0
            for a in range(D):
                scale = atol + abs(U[a, l]) * rtol
                d2 += ((K[1, a, l] - K[0, a, l]) / scale) ** 2
            d2 = numpy.sqrt(d2 / D) / h0
            if d1 <= 1e-15 and d2 <= 1e-15:
                h1 = max(1e-6, h0 * 1e-3)
            else:
                h1 = (0.01 / max(d1, d2)) ** (1.0 / ({error_order} + 1))
            H0[base + l - lo] = min(min(100 * h0, h1), length)
            for a in range(D):
                K0[base + l - lo, a] = K[0, a, l]

    nxt = lo
    active = 0
    for l in range(L):
        H[l] = 0.0
        if nxt < hi:
            load(nxt, l)
            for a in range(D):
                K[0, a, l] = K0[nxt - lo, a]
            WHO[l] = nxt
            HABS[l] = H0[nxt - lo]
            T[l] = t0
            REJ[l] = False
            NST[l] = 0
            NRJ[l] = 0
            nxt += 1
            active += 1
    while active > 0:
        for l in range(L):
            if WHO[l] < 0:
                H[l] = 0.0
                continue
            t = T[l]
            h_abs = HABS[l]
            min_step = 10 * abs(numpy.nextafter(t, numpy.inf) - t)
            if not REJ[l] and h_abs < min_step:
                h_abs = min_step
            t_new = t + h_abs
            if t_new > t1:
                t_new = t1
            H[l] = t_new - t
            HABS[l] = abs(t_new - t)
            TN[l] = t_new
{stages}
        for l in range(L):
            h = H[l]
            e5 = 0.0
            e3 = 0.0
            finite = True
            for a in range(D):
                sc = atol + max(abs(U[a, l]), abs(ST[a, l])) * rtol
{error}
                finite = finite and numpy.isfinite(ST[a, l])
{norm}
            FIN[l] = finite
        for l in range(L):
            j = WHO[l]
            if j < 0:
                continue
            en = EN[l]
            status = 1
            if not (FIN[l] and numpy.isfinite(en)):
                status = -3
            elif en < 1:
                if en == 0:
                    factor = {max_factor!r}
                else:
                    factor = min({max_factor!r}, {safety!r} * en**exponent)
                if REJ[l]:
                    factor = min(1.0, factor)
                HABS[l] *= factor
                for a in range(D):
                    U[a, l] = ST[a, l]
                    K[0, a, l] = K[S, a, l]
                T[l] = TN[l]
                NST[l] += 1
                REJ[l] = False
                if T[l] >= t1:
                    status = 0
            else:
                HABS[l] *= max({min_factor!r}, {safety!r} * en**exponent)
                NRJ[l] += 1
                REJ[l] = True
                if HABS[l] < 10 * abs(numpy.nextafter(T[l], numpy.inf) - T[l]):
                    status = -1
            if status == 1 and NST[l] + NRJ[l] >= max_steps:
                status = -2
            if status != 1:
                n = IDX[j]
                STATUS[n] = status
                NFEV[n] = 2 + S * (NST[l] + NRJ[l])
                NSTEP[n] = NST[l]
                NREJ[n] = NRJ[l]
                if status == 0:
{final}
                else:
                    for c in range(D):
                        FINAL[n, c] = numpy.nan
                if nxt < hi:
                    load(nxt, l)
                    for a in range(D):
                        K[0, a, l] = K0[nxt - lo, a]
                    WHO[l] = nxt
                    HABS[l] = H0[nxt - lo]
                    T[l] = t0
                    REJ[l] = False
                    NST[l] = 0
                    NRJ[l] = 0
                    nxt += 1
                else:
                    WHO[l] = -1
                    active -= 1


run_lanes = numba.njit(nogil=True, error_model="numpy", fastmath={{"contract"}}, cache=CACHE)(run_lanes)
'''


def blocks(n: int, threads: int, per_thread: int) -> list[tuple[int, int]]:
    """About ``per_thread * threads`` blocks of ``range(n)``: trajectories differ in cost, blocks balance the load."""
    n_blocks = min(n, per_thread * threads) if threads > 1 else min(n, 1)
    bounds = [(n * b) // n_blocks for b in range(n_blocks + 1)] if n_blocks else []
    return list(zip(bounds[:-1], bounds[1:]))


def interleaved(idx: np.ndarray, threads: int) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """``idx`` dealt to ``threads`` blocks like cards (block ``b``: ``idx[b::threads]``), and the blocks' bounds.

    One block per thread: a lane group drains once (its lanes idle while the last
    trajectories finish), and dealing gives the threads equal shares of slow and fast
    trajectories.

    Examples
    --------
    >>> order, bounds = interleaved(np.arange(5), 2)
    >>> order.tolist(), bounds
    ([0, 2, 4, 1, 3], [(0, 3), (3, 5)])
    """
    n_blocks = max(1, min(threads, idx.size))
    parts = [idx[b::n_blocks] for b in range(n_blocks)]
    ends = np.cumsum([0] + [part.size for part in parts])
    return np.concatenate(parts), [(int(a), int(b)) for a, b in zip(ends[:-1], ends[1:])]


def run_indices(kernel: Callable[..., None], indices: np.ndarray, lo: int, hi: int, *args: Any) -> None:
    """``kernel`` on the trajectories ``indices[lo:hi]`` (not a contiguous range)."""
    for n in indices[lo:hi]:
        kernel(int(n), int(n) + 1, *args)


def load_generated(directory: Path | None, name: str, source: str, entry: str) -> Callable[..., None]:
    """Function ``entry`` of the generated module ``source``, written to
    ``directory`` (:func:`~gametheory.numerics.kernel_numba.kernel_cache_dir`) as ``name``, where numba caches
    its machine code; compiled in memory when ``directory`` is None or not writable."""
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
            return getattr(module, entry)
        except OSError:
            pass  # fall back to compiling in memory
    namespace: dict[str, Any] = {"CACHE": False, "__name__": name}
    code = compile(source, f"<{name}>", "exec")
    exec(code, namespace)  # noqa: S102 - generated from checked sympy expressions only
    return namespace[entry]


def _ind(lines: list[str], depth: int) -> str:
    return "\n".join(" " * (4 * depth) + line for line in lines if line)


def lanes_module_source(system: EnsembleSystem, coordinates: str, method: str) -> str:
    """Source of the generated module defining ``run_lanes`` (the lane kernel of ``system``).

    Examples
    --------
    >>> from gametheory.models import classic
    >>> system = EnsembleSystem.from_dynamics(classic.matching_pennies_3().replicator(), "numba")
    >>> "def run_lanes(" in lanes_module_source(system, "log-ratio", "RK45")
    True
    """
    chart = kernel_chart(coordinates)
    tab = tableau(method)
    S = tab.n_stages
    AB = np.asarray(tab.stages_and_weights, dtype=float)
    stages = []
    for s in range(1, S + 1):
        term = _combo(AB[s, :s], "K[{r}, a, l]")
        stages += [
            "for a in range(D):",
            "    for l in range(L):",
            f"        ST[a, l] = U[a, l] + H[l] * ({term})",
        ]
        stages.append(f"rhs(ST, {s})")
    e5 = _combo(np.asarray(tab.E5, dtype=float), "K[{r}, a, l]")
    if method == "RK45":
        error = [f"acc5 = {e5}", "e5 += (h * acc5 / sc) ** 2"]
        norm = ["EN[l] = numpy.sqrt(e5 / D)"]
    else:
        e3 = _combo(np.asarray(tab.E3, dtype=float), "K[{r}, a, l]")
        error = [f"acc5 = {e5}", f"acc3 = {e3}", "e5 += (acc5 / sc) ** 2", "e3 += (acc3 / sc) ** 2"]
        norm = [
            "if e5 == 0 and e3 == 0:",
            "    EN[l] = 0.0",
            "else:",
            "    EN[l] = abs(h) * e5 / numpy.sqrt((e5 + 0.01 * e3) * D)",
        ]
    d = system.dimension
    final = _states_lines(system.strategy_counts, chart, "U") + [f"FINAL[n, {c}] = _x{c}" for c in range(d)]
    return _TEMPLATE.format(
        version=_VERSION,
        method=method,
        chart=chart,
        counts=system.strategy_counts,
        lanes=LANES,
        D=d,
        S=S,
        npar=system.n_parameters,
        error_order=tab.error_order,
        rhs=_ind(_rhs_lines(system, chart), 3),
        stages=_ind(stages, 2),
        error=_ind(error, 4),
        norm=_ind(norm, 3),
        final=_ind(final, 5),
        safety=SAFETY,
        min_factor=MIN_FACTOR,
        max_factor=MAX_FACTOR,
    )
