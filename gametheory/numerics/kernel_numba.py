"""Ensemble integration with numba: one compiled solver per model, trajectories in parallel threads.

The kernel is generated per model: the growth rates (log-ratio chart) or the
right-hand side (shares chart), as the ``"scalar"`` source of
:mod:`gametheory.codegen`, the chart's map ``u -> x``
(:func:`gametheory.numerics.charts.states_source`) and the method's coefficients
(:mod:`gametheory.numerics.tableaus`) are compiled into a solver for one
trajectory that runs exactly the algorithm of
:mod:`gametheory.numerics.kernel_numpy` (and of scipy's ``RK45``/``DOP853``);
threads (the compiled code releases the GIL) run it over blocks of trajectories.

The generated module is written to :func:`kernel_cache_dir` so that numba's
on-disk cache keeps the machine code: the first compilation takes seconds, a
later process loads it in well under one.  Workers of a process pool or a Dask
cluster receive an :class:`~gametheory.numerics.system.EnsembleSystem`
(generated source text, which pickles) and build or load the kernel on first
use, then keep it in memory.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from .._checks import check_count
from . import kernel_lanes
from .charts import face_charts, states_source
from .kernel_lanes import load_generated
from .kernel_lanes import split_scalar_source as _split_scalar_source
from .system import EnsembleSystem, KernelResult, kernel_chart
from .tableaus import MAX_FACTOR, MIN_FACTOR, SAFETY, tableau

__all__ = ["integrate_numba", "numba_available", "kernel_cache_dir", "kernel_is_compiled"]


@functools.lru_cache(maxsize=1)
def numba_available() -> bool:
    """Whether numba (the ``fast`` extra) can be imported.

    Examples
    --------
    >>> numba_available() in (True, False)
    True
    """
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


def _indent(lines: list[str], depth: int) -> str:
    return "\n".join(" " * (4 * depth) + line for line in lines)


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
    if kernel_chart(coordinates) == "log-ratio":
        loads, body = _split_scalar_source(system.growth_scalar)
        states = states_source(system.strategy_counts)
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

    Examples
    --------
    >>> from gametheory.models import classic
    >>> system = EnsembleSystem.from_dynamics(classic.matching_pennies_3().replicator(), "numba")
    >>> kernel_is_compiled(system, "log-ratio", "DOP853") in (True, False)
    True
    """
    key = system.kernel_key(coordinates, method)
    if key in _NUMBA_KERNELS and "lanes:" + key in _NUMBA_KERNELS:
        return True
    directory = kernel_cache_dir()
    if directory is None:
        return False
    modules = {
        f"gametheory_kernel_{key[:24]}.run_block": _kernel_module_source(system, coordinates, method),
        f"gametheory_lanes_{key[:24]}.run_lanes": kernel_lanes.lanes_module_source(
            system, coordinates, method
        ),
    }
    try:
        for name, source in modules.items():
            if (directory / f"{name.split('.')[0]}.py").read_text() != source:
                return False
    except OSError:
        return False
    return all(any((directory / "__pycache__").glob(f"{name}-*.nbi")) for name in modules)


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

    Examples
    --------
    >>> import os
    >>> before = os.environ.get("GAMETHEORY_KERNEL_CACHE")
    >>> os.environ["GAMETHEORY_KERNEL_CACHE"] = "off"
    >>> kernel_cache_dir() is None
    True
    >>> if before is None:
    ...     del os.environ["GAMETHEORY_KERNEL_CACHE"]
    ... else:
    ...     os.environ["GAMETHEORY_KERNEL_CACHE"] = before
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


_MODULE_HEADER = '''"""Generated by gametheory.numerics.kernel_numba ({method}, {coordinates} coordinates, strategies {counts}); do not edit."""

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
    tab = tableau(method)
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
        method_code=0 if method == "RK45" else 1,
        error_order=tab.error_order,
        coordinates=kernel_chart(coordinates),
        counts=system.strategy_counts,
        D=max(d, 1),
        K=max(system.n_strategies, d),
        KMAX=max(system.strategy_counts),
        safety=SAFETY,
        min_factor=MIN_FACTOR,
        max_factor=MAX_FACTOR,
        **{name: np.asarray(a, dtype=float).tolist() for name, a in arrays.items()},
    )
    return header + _kernel_source(system, coordinates) + _MODULE_FOOTER


def _build_numba_kernel(system: EnsembleSystem, coordinates: str, method: str) -> Callable[..., None]:
    _import_numba()
    name = f"gametheory_kernel_{system.kernel_key(coordinates, method)[:24]}"
    return load_generated(
        kernel_cache_dir(), name, _kernel_module_source(system, coordinates, method), "run_block"
    )


def _lanes_kernel(system: EnsembleSystem, coordinates: str, method: str) -> Callable[..., None]:
    """The compiled lane kernel (:mod:`~gametheory.numerics.kernel_lanes`) of ``system``: once per process."""
    key = "lanes:" + system.kernel_key(coordinates, method)
    kernel = _NUMBA_KERNELS.get(key)
    if kernel is None:
        _import_numba()
        source = kernel_lanes.lanes_module_source(system, coordinates, method)
        kernel = load_generated(kernel_cache_dir(), f"gametheory_lanes_{key[6:30]}", source, "run_lanes")
        _NUMBA_KERNELS[key] = kernel
    return kernel


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
    coordinates: str = "log-ratio",
    max_steps: int = 50_000,
    method: str = "DOP853",
    threads: int | None = None,
    lanes: bool = True,
) -> KernelResult:
    """Integrate ``N`` trajectories with the compiled numba kernel (arguments as :func:`integrate_numpy`).

    The compiled solver releases the GIL; ``threads`` Python threads (default:
    :func:`numba.get_num_threads`, i.e. ``NUMBA_NUM_THREADS``) each integrate
    blocks of consecutive trajectories.  Every trajectory is integrated on its
    own, so the result does not depend on the number of threads.  Without ``t_eval``, interior
    trajectories (all in shares) run in SIMD lanes (:mod:`~gametheory.numerics.kernel_lanes`;
    ``lanes=False``: never), the same algorithm, equal to rounding error.

    Examples
    --------
    The first call per model and method compiles the kernel (seconds; later
    processes load it from :func:`kernel_cache_dir`):

    >>> from gametheory.models import classic
    >>> dyn = classic.matching_pennies_3().replicator()
    >>> system = EnsembleSystem.from_dynamics(dyn, "numba")
    >>> raw = integrate_numba(system, np.full((2, 3), 0.5), dyn.parameter_vector(), 0.0, 1.0)  # doctest: +SKIP
    >>> raw.status.tolist()  # doctest: +SKIP
    [0, 0]
    """
    tableau(method)
    threads = _default_threads() if threads is None else check_count(threads, name="threads")
    X0 = np.ascontiguousarray(X0, dtype=float)
    N, d = X0.shape
    P = np.asarray(P, dtype=float)
    P_rows = np.ascontiguousarray(P[None, :] if P.ndim == 1 else P.T)
    interior = kernel_lanes.interior_chart(system.strategy_counts, X0) if t_eval is None and lanes else None
    if (
        kernel_chart(coordinates) == "log-ratio" and interior is not None
    ):  # all in the lanes, faces not needed
        U0, M, SRC, FREE, REF = interior, np.full(N, d, dtype=np.int64), None, None, None
    elif kernel_chart(coordinates) == "log-ratio":
        faces = face_charts(system.strategy_counts, X0)
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
    nfev, n_steps, n_rej = (np.zeros(N, dtype=np.int64) for _ in range(3))
    tail = (P_rows, float(t0), float(t1))
    controls = (float(rtol), float(atol), int(max_steps))
    outputs = (final, status, nfev, n_steps, n_rej)
    jobs = []
    rest = np.arange(N)
    if te.size == 0 and lanes:
        # SIMD lanes for the trajectories without dense output in the interior (all of them in shares)
        idx = kernel_lanes.lane_trajectories(M, d, coordinates)
        if idx.size:
            lane_kernel = _lanes_kernel(system, coordinates, method)
            idx, bounds = kernel_lanes.interleaved(idx, threads)
            args = (idx, U0, *tail, *controls, *outputs)
            jobs += [(lane_kernel, lo, hi, args) for lo, hi in bounds]
            rest = np.setdiff1d(rest, idx) if idx.size < N else rest[:0]
    if rest.size:
        kernel = _numba_kernel(system, coordinates, method)
        args = (U0, M, SRC, FREE, REF, *tail, te, *controls, final, y, *outputs[1:])
        if rest.size < N:  # the per-trajectory solver on the others, one index at a time
            kernel = functools.partial(kernel_lanes.run_indices, kernel, rest)
        jobs += [(kernel, lo, hi, args) for lo, hi in kernel_lanes.blocks(rest.size, threads, 8)]
    if len(jobs) == 1 or threads == 1:
        for fn, lo, hi, args in jobs:
            fn(lo, hi, *args)
    elif jobs:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            for future in [pool.submit(fn, lo, hi, *args) for fn, lo, hi, args in jobs]:
                future.result()
    return KernelResult(final, y if te.size else None, status, nfev, n_steps, n_rej)
