r"""One trajectory with numba: scipy's RK45 and DOP853, compiled per model.

:func:`~gametheory.numerics.integrate.simulate` spends most of a call in
:func:`scipy.integrate.solve_ivp`'s Python machinery (a few microseconds per
right-hand-side evaluation and per step).  This module generates, per model,
chart and method, a solver for one trajectory that runs **exactly scipy's
algorithm** with the same generated right-hand side as the ensemble kernels
(the ``"scalar"`` flavour of :mod:`gametheory.codegen`, composed with the
chart's map ``u -> x`` of :func:`~gametheory.numerics.charts.states_source`):

- the first step of ``scipy.integrate._ivp.common.select_initial_step``
  (Hairer, Norsett & Wanner II.4): with :math:`s = a + |y_0| r`,
  :math:`d_0 = \|y_0/s\|`, :math:`d_1 = \|f_0/s\|`,
  :math:`h_0 = 0.01 d_0/d_1` (or :math:`10^{-6}`),
  :math:`d_2 = \|(f(y_0 + h_0 f_0) - f_0)/s\|/h_0` and
  :math:`h = \min(100 h_0, (0.01/\max(d_1, d_2))^{1/(q+1)}, t_1 - t_0)`,
  :math:`\|\cdot\|` the root mean square;
- the steps of :class:`scipy.integrate.RK45` / :class:`scipy.integrate.DOP853`
  (coefficients from :mod:`gametheory.numerics.tableaus`), their error norms
  (RK45: :math:`\|h E^T K / s\|`; DOP853: :math:`|h|\,\|e_5\|^2/\sqrt{m(\|e_5\|^2 + 0.01\|e_3\|^2)}`
  with :math:`s = a + \max(|y|, |y_{new}|)\,r`) and step-size control
  (:math:`h \min(10, 0.9\|err\|^{-1/(q+1)})`, at most ``h`` after a rejection,
  :math:`h\max(0.2, \ldots)` on rejection, a floor of ten ulps of ``t``);
- the dense output at ``t_eval`` (RK45: Shampine's quartic
  :math:`y_0 + h\sum_{j=1}^4 Q_j \sigma^j`; DOP853: the 7th-order interpolant
  with three extra stages, evaluated by scipy's nested Horner scheme in
  :math:`\sigma` and :math:`1-\sigma`), counted in ``nfev`` as scipy counts them.

The results agree with solve_ivp to round-off (the order of a few sums differs
from BLAS's).  The generated module is written to
:func:`~gametheory.numerics.kernel_numba.kernel_cache_dir`, so numba's disk cache
keeps the machine code across processes.
"""

from __future__ import annotations

import hashlib
import math
import importlib.util
import os
import re
import sys
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from .charts import states_source
from .kernel_numba import kernel_cache_dir, numba_available
from .tableaus import MAX_FACTOR, MIN_FACTOR, SAFETY, tableau

__all__ = ["SingleKernel", "SingleSolution", "face_of", "single_kernel", "solve_single", "SUCCESS_MESSAGE"]

#: solve_ivp's message on success (kept identical, so a Trajectory does not tell the paths apart).
SUCCESS_MESSAGE = "The solver successfully reached the end of the integration interval."

_LINE_INPUT = re.compile(r"^    (_[xp]\d+) = ([xp])\[(\d+)\]$")
_LINE_OUTPUT = re.compile(r"^    out\[(\d+)\] = (.+)$")
_LINE_TEMP = re.compile(r"^    (_c\d+) = (.+)$")

_KERNELS: dict[tuple[str, str, str, tuple[int, ...]], Any] = {}


class SingleSolution(NamedTuple):
    """Raw result of :func:`solve_single`.

    Attributes
    ----------
    t : ndarray, shape (n,)
        ``t_eval``, or ``t0`` and the end of every accepted step.
    y : ndarray, shape (d, n)
        Reduced states (shares) at ``t``.
    status : int
        0: reached ``t1``; -1: step size below ten ulps of ``t``; -2: more than
        ``budget`` right-hand-side evaluations; -3: non-finite values.
    nfev : int
        Right-hand-side evaluations, counted as solve_ivp counts them.

    Examples
    --------
    >>> SingleSolution(np.zeros(1), np.zeros((2, 1)), 0, 0).status
    0
    """

    t: np.ndarray
    y: np.ndarray
    status: int
    nfev: int


class SingleKernel(NamedTuple):
    """A compiled integrator with a model's callback (see :func:`single_kernel`).

    Examples
    --------
    >>> SingleKernel(None, None, 1, 2, 4).face(np.array([0, -2]), np.array([0]), np.array([1])).tolist()
    [0, -2, 0, 1]
    """

    #: the integrator (numba dispatcher), compiled once per method
    solver: Callable[..., Any]
    #: the model's C callback (numba ``cfunc``)
    model: Any
    #: dimension of the reduced state
    d: int
    #: ``K``: length of the chart's ``src`` (at least ``d``)
    n_strategies: int
    #: length of the callback's scratch space
    n_work: int

    def face(self, src: np.ndarray, free: np.ndarray, ref: np.ndarray) -> np.ndarray:
        """``src`` (``K``), ``free`` and ``ref`` (padded to ``max(d, 1)`` each) in one int64 array."""
        K, D = self.n_strategies, max(self.d, 1)
        out = np.zeros(K + 2 * D, dtype=np.int64)
        out[: len(src)] = src
        out[K : K + len(free)] = free
        out[K + D : K + D + len(ref)] = ref
        return out


_INTEGRATOR = """
@intrinsic
def _ptr(typingctx, arr):
    # the data pointer of a contiguous array, for the model's C callback; it holds no reference,
    # so take it at each call (an array whose last use is a pointer taken earlier may be freed)
    def codegen(context, builder, signature, args):
        return context.make_array(signature.args[0])(context, builder, args[0]).data

    return types.CPointer(arr.dtype)(arr), codegen


def solve(f, u0, p, face, d, n_work, t0, t1, t_eval, use_eval, rtol, atol, budget):
    method = METHOD
    AB = TABLEAU_AB
    E5 = TABLEAU_E5
    E3 = TABLEAU_E3
    PD = TABLEAU_P
    AEX = TABLEAU_A_EXTRA
    DD = TABLEAU_D
    m = u0.shape[0]
    S = AB.shape[1]
    exponent = -1.0 / (ERROR_ORDER + 1)
    u = numpy.empty(m)
    stage = numpy.empty(m)
    ks = numpy.empty((16, m))
    fd = numpy.empty((7, m))
    scale = numpy.empty(m)
    work = numpy.empty(m)
    xs = numpy.empty(max(d, m))
    scratch = numpy.empty(n_work)
    n_eval = t_eval.shape[0]
    capacity = n_eval if use_eval else 64
    T = numpy.empty(capacity)
    Y = numpy.empty((d, capacity))
    n_out = 0
    for a in range(m):
        u[a] = u0[a]
    if not use_eval:
        f(_ptr(u), _ptr(p), _ptr(face), _ptr(scratch), _ptr(xs), m, 1)
        T[0] = t0
        for c in range(d):
            Y[c, 0] = xs[c]
        n_out = 1
    # initial step: scipy.integrate._ivp.common.select_initial_step (norm = RMS)
    f(_ptr(u), _ptr(p), _ptr(face), _ptr(scratch), _ptr(ks[0]), m, 0)
    length = t1 - t0
    d0 = 0.0
    d1 = 0.0
    for a in range(m):
        scale[a] = atol + abs(u[a]) * rtol
        d0 += (u[a] / scale[a]) ** 2
        d1 += (ks[0, a] / scale[a]) ** 2
    root_m = numpy.sqrt(m)
    d0 = numpy.sqrt(d0) / root_m
    d1 = numpy.sqrt(d1) / root_m
    h0 = 1e-6 if (d0 < 1e-5 or d1 < 1e-5) else 0.01 * d0 / d1
    h0 = min(h0, length)
    for a in range(m):
        stage[a] = u[a] + h0 * ks[0, a]
    f(_ptr(stage), _ptr(p), _ptr(face), _ptr(scratch), _ptr(ks[1]), m, 0)
    d2 = 0.0
    for a in range(m):
        d2 += ((ks[1, a] - ks[0, a]) / scale[a]) ** 2
    d2 = numpy.sqrt(d2) / root_m / h0
    if d1 <= 1e-15 and d2 <= 1e-15:
        h1 = max(1e-6, h0 * 1e-3)
    else:
        h1 = (0.01 / max(d1, d2)) ** (1.0 / (ERROR_ORDER + 1))
    h_abs = min(min(100 * h0, h1), length)
    nfev = 2
    t = t0
    t_new = t0
    h = 0.0
    k_next = 0
    status = 1
    if nfev > budget:
        status = -2
    while status == 1:
        # one call of scipy's RungeKutta._step_impl
        min_step = 10 * abs(numpy.nextafter(t, numpy.inf) - t)
        if h_abs < min_step:
            h_abs = min_step
        rejected = False
        accepted = False
        while not accepted:
            if h_abs < min_step:
                status = -1
                break
            t_new = t + h_abs
            if t_new > t1:
                t_new = t1
            h = t_new - t
            h_abs = abs(h)
            for s in range(1, S + 1):
                for a in range(m):
                    acc = 0.0
                    for r in range(s):
                        acc += AB[s, r] * ks[r, a]
                    if s < S:
                        stage[a] = u[a] + acc * h
                    else:
                        stage[a] = u[a] + h * acc
                f(_ptr(stage), _ptr(p), _ptr(face), _ptr(scratch), _ptr(ks[s]), m, 0)
            nfev += S
            finite = True
            e5 = 0.0
            e3 = 0.0
            for a in range(m):
                sc = atol + max(abs(u[a]), abs(stage[a])) * rtol
                acc5 = 0.0
                acc3 = 0.0
                for r in range(S + 1):
                    acc5 += ks[r, a] * E5[r]
                    acc3 += ks[r, a] * E3[r]
                if method == 0:
                    e5 += (acc5 * h / sc) ** 2
                else:
                    e5 += (acc5 / sc) ** 2
                    e3 += (acc3 / sc) ** 2
                if not numpy.isfinite(stage[a]):
                    finite = False
            if method == 0:
                en = numpy.sqrt(e5) / root_m
            else:
                e5 = numpy.sqrt(e5) ** 2
                e3 = numpy.sqrt(e3) ** 2
                if e5 == 0 and e3 == 0:
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
                accepted = True
            else:
                h_abs *= max(MIN_FACTOR, SAFETY * en**exponent)
                rejected = True
            if nfev > budget:
                status = -2
                break
        if status != 1:
            break
        if use_eval and k_next < n_eval and t_eval[k_next] <= t_new:
            # dense output of this step, as scipy's RkDenseOutput / Dop853DenseOutput
            if method == 0:
                for j in range(4):
                    for a in range(m):
                        q = 0.0
                        for r in range(S + 1):
                            q += ks[r, a] * PD[r, j]
                        fd[j, a] = q
            else:
                for e in range(3):
                    row = S + 1 + e
                    for a in range(m):
                        acc = 0.0
                        for r in range(row):
                            acc += AEX[e, r] * ks[r, a]
                        work[a] = u[a] + acc * h
                    f(_ptr(work), _ptr(p), _ptr(face), _ptr(scratch), _ptr(ks[row]), m, 0)
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
                        work[a] = h * poly + u[a]
                    else:
                        value = 0.0
                        for i in range(7):
                            value += fd[6 - i, a]
                            if i % 2 == 0:
                                value *= sigma
                            else:
                                value *= 1.0 - sigma
                        work[a] = value + u[a]
                f(_ptr(work), _ptr(p), _ptr(face), _ptr(scratch), _ptr(xs), m, 1)
                T[k_next] = t_eval[k_next]
                for c in range(d):
                    Y[c, k_next] = xs[c]
                k_next += 1
            n_out = k_next
        for a in range(m):
            u[a] = stage[a]
            ks[0, a] = ks[S, a]
        t = t_new
        if not use_eval:
            if n_out == capacity:
                capacity *= 2
                T2 = numpy.empty(capacity)
                Y2 = numpy.empty((d, capacity))
                T2[:n_out] = T[:n_out]
                Y2[:, :n_out] = Y[:, :n_out]
                T = T2
                Y = Y2
            f(_ptr(u), _ptr(p), _ptr(face), _ptr(scratch), _ptr(xs), m, 1)
            T[n_out] = t
            for c in range(d):
                Y[c, n_out] = xs[c]
            n_out += 1
        if t >= t1:
            status = 0
    # keep every array whose pointer went to the callback alive to the end (see _ptr)
    nfev += 0 * (u.size + stage.size + ks.size + work.size + xs.size + scratch.size)
    return T[:n_out], Y[:, :n_out], status, nfev
"""

_INTEGRATOR_HEADER = '''"""Generated by gametheory.numerics.single_numba: scipy's {method} for one trajectory; do not edit."""

import numba
import numpy
from numba import types
from numba.extending import intrinsic

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

_INTEGRATOR_FOOTER = """

solve = numba.njit(error_model="numpy", cache=CACHE)(solve)
"""

_MODEL = '''"""Generated by gametheory.numerics.single_numba ({chart} coordinates, strategies {counts}); do not edit."""

import numba
import numpy
from numba import carray, types

D = {D}
K = {K}
KMAX = {KMAX}
NP = {NP}
F8P = types.CPointer(types.float64)
SIGNATURE = types.void(F8P, F8P, types.CPointer(types.int64), F8P, F8P, types.int64, types.int64)


def model(up, pp, facep, workp, outp, m, mode):
    # mode 0: out = the chart's derivative (m values); mode 1: out = the reduced state (D values)
    u = carray(up, (m,))
    p = carray(pp, (NP,))
    face = carray(facep, (K + 2 * D,))
    work = carray(workp, (K + KMAX,))
    src = face[:K]
    free = face[K : K + D]
    ref = face[K + D :]
    F = work[:K]
    xf = work[K:]
{states}
    if mode == 1:
        x = carray(outp, (D,))
{store_states}
        return
    out = carray(outp, (m,))
{param_loads}
{body}
{derivative}


model = numba.cfunc(SIGNATURE, error_model="numpy", cache=CACHE)(model)
'''


def _split_scalar_source(source: str) -> tuple[list[str], list[str]]:
    """Parameter loads and body of a ``"scalar"`` generated function (``out[k]`` becomes ``F[k]``).

    The state loads ``_x{i} = x[i]`` are dropped (the solver defines ``_x{i}``).
    Raises ``ValueError`` on any unexpected line, so a change of the generator's
    format cannot go unnoticed.
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


def model_source(scalar_source: str, strategy_counts: tuple[int, ...], chart: str, n_parameters: int) -> str:
    """The generated module defining the model's C callback ``model`` (a numba ``cfunc``).

    ``scalar_source`` is the ``"scalar"`` flavour of the growth rates (``chart =
    "log-ratio"``) or of the right-hand side (``"shares"``).  ``model(u, p, face,
    work, out, m, mode)`` writes the chart's derivative (``mode`` 0) or the
    reduced state (``mode`` 1) of chart coordinates ``u`` to ``out``; ``face``
    holds the chart's ``src`` (``K``), ``free`` and ``ref`` (``D`` each).
    """
    d = sum(k - 1 for k in strategy_counts)
    loads, body = _split_scalar_source(scalar_source)
    if chart == "log-ratio":
        states = states_source(strategy_counts)
        derivative = ["for a in range(m):", "    out[a] = F[free[a]] - F[ref[a]]"]
    else:
        states = [f"_x{c} = u[{c}]" for c in range(d)]
        derivative = [f"out[{c}] = F[{c}]" for c in range(d)]
    return _MODEL.format(
        chart=chart,
        counts=tuple(strategy_counts),
        D=max(d, 1),
        K=max(sum(strategy_counts), d),
        KMAX=max(strategy_counts),
        NP=n_parameters,
        states=_indent(states, 1),
        store_states=_indent([f"x[{c}] = _x{c}" for c in range(d)], 2),
        param_loads=_indent(loads, 1),
        body=_indent(body, 1),
        derivative=_indent(derivative, 1),
    )


def integrator_source(method: str) -> str:
    """The generated module defining ``solve``, scipy's ``method`` for any model (compiled once)."""
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
    header = _INTEGRATOR_HEADER.format(
        method=method,
        method_code=0 if method == "RK45" else 1,
        error_order=tab.error_order,
        safety=SAFETY,
        min_factor=MIN_FACTOR,
        max_factor=MAX_FACTOR,
        **{name: np.asarray(a, dtype=float).tolist() for name, a in arrays.items()},
    )
    return header + _INTEGRATOR + _INTEGRATOR_FOOTER


def _load(source: str, prefix: str, attribute: str) -> Any:
    """Run the generated module ``source`` and return its ``attribute``.

    Through a file in :func:`~gametheory.numerics.kernel_numba.kernel_cache_dir`
    when writable, so that numba's disk cache keeps the machine code.
    """
    name = f"gametheory_{prefix}_{hashlib.sha256(source.encode()).hexdigest()[:24]}"
    directory = kernel_cache_dir()
    if directory is not None:
        path = directory / f"{name}.py"
        try:
            if not path.exists() or path.read_text() != source:
                tmp = directory / f"{name}.{os.getpid()}.tmp"
                tmp.write_text(source)
                os.replace(tmp, path)
            spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(spec)
            module.__dict__["CACHE"] = True
            sys.modules[name] = module  # numba finds a cached function's module by name
            spec.loader.exec_module(module)
            return getattr(module, attribute)
        except OSError:
            pass
    namespace: dict[str, Any] = {"CACHE": False, "__name__": name}
    exec(compile(source, f"<{name}>", "exec"), namespace)  # noqa: S102 - generated from checked sympy only
    return namespace[attribute]


def single_kernel(
    scalar_source: str, strategy_counts: tuple[int, ...], chart: str, method: str, n_parameters: int
) -> SingleKernel:
    """The compiled solver of ``method`` and the model's callback (each built once per process).

    The integrator is compiled once per method for every model (and kept in
    numba's disk cache); a new model costs only its small callback.

    Examples
    --------
    >>> from gametheory.models import classic
    >>> dyn = classic.matching_pennies_3().replicator()
    >>> src = dyn.compiled("growth", "scalar").source
    >>> kernel = single_kernel(src, (2, 2, 2), "log-ratio", "DOP853", 1)
    >>> type(kernel.model).__name__, kernel.d
    ('CFunc', 3)
    """
    key = (scalar_source, chart, method, strategy_counts)
    kernel = _KERNELS.get(key)
    if isinstance(kernel, Exception):  # compiling failed before: fail at once, not after seconds
        raise kernel
    if kernel is None:
        if not numba_available():
            raise ImportError('the compiled simulate path needs numba: pip install "gametheory-egt[fast]"')
        solver = _SOLVERS.get(method)
        if solver is None:
            solver = _SOLVERS[method] = _load(integrator_source(method), "single", "solve")
        try:
            model = _load(model_source(scalar_source, strategy_counts, chart, n_parameters), "model", "model")
        except Exception as exc:
            _KERNELS[key] = exc
            raise
        d = sum(k - 1 for k in strategy_counts)
        n_strategies = max(sum(strategy_counts), d)
        kernel = _KERNELS[key] = SingleKernel(solver, model, d, n_strategies, n_strategies + max(strategy_counts))
    return kernel


def solve_single(
    kernel: SingleKernel,
    u0: np.ndarray,
    face: np.ndarray,
    p: np.ndarray,
    t0: float,
    t1: float,
    t_eval: np.ndarray | None,
    rtol: float,
    atol: float,
    budget: int | None,
) -> SingleSolution:
    """Run ``kernel`` (from :func:`single_kernel`) from chart coordinates ``u0`` (``m >= 1``).

    ``face`` is the int64 array of the log-ratio chart's ``src``, ``free`` and
    ``ref`` (:meth:`SingleKernel.face`; any such array in shares).

    Examples
    --------
    >>> from gametheory.models import crisis_governance as cg
    >>> from gametheory.numerics.charts import LogRatioChart
    >>> dyn = cg.game().replicator()
    >>> src = dyn.compiled("growth", "scalar").source
    >>> kernel = single_kernel(src, (2, 2, 2), "log-ratio", "DOP853", len(dyn.parameters))
    >>> chart = LogRatioChart.on_face_of(dyn, [0.3, 0.6, 0.2])
    >>> face = kernel.face(chart.src, chart.free, chart.ref)
    >>> sol = solve_single(kernel, chart.u0, face, dyn.parameter_vector(cg.OPTIMIZED),
    ...                    0.0, 200.0, None, 1e-8, 1e-10, None)
    >>> sol.status, sol.y[:, -1].round(6).tolist()
    (0, [1.0, 1.0, 1.0])
    """
    te = _NO_TIMES if t_eval is None else t_eval
    T, Y, status, nfev = kernel.solver(
        kernel.model, u0, p, face, kernel.d, kernel.n_work, t0, t1, te, t_eval is not None, rtol, atol,
        _NO_BUDGET if budget is None else budget,
    )  # fmt: skip
    return SingleSolution(T, Y, int(status), int(nfev))


def face_of(strategy_counts: tuple[int, ...], x0: np.ndarray) -> tuple[list[float], list[int], list[int], list[int]]:
    r"""The log-ratio chart of the face holding one reduced state: ``u0``, ``src``, ``free``, ``ref``.

    The same chart as :func:`~gametheory.numerics.charts.face_charts` (one row), in
    plain Python for one state (a fraction of its cost): per population the support
    (positive shares, after clipping to ``[0, 1]``), its last strategy the reference
    :math:`r_i`, :math:`u_{ij} = \ln x_{ij} - \ln x_{ir_i}`.

    Examples
    --------
    >>> face_of((2, 3), np.array([0.25, 0.5, 0.0]))
    ([-1.0986122886681098, 0.0], [0, -2, 1, -1, -2], [0, 2], [1, 4])
    """
    u0: list[float] = []
    src: list[int] = []
    free: list[int] = []
    ref: list[int] = []
    values = x0.tolist()
    row = start = 0
    for k in strategy_counts:
        block = [min(max(v, 0.0), 1.0) for v in values[row : row + k - 1]]
        full = [*block, 1.0 - sum(block)]
        last = max(j for j in range(k) if full[j] > 0)
        log_ref = math.log(full[last])
        for j in range(k):
            if j < last and full[j] > 0:
                src.append(len(u0))
                free.append(start + j)
                ref.append(start + last)
                u0.append(math.log(full[j]) - log_ref)
            else:
                src.append(-2 if j == last else -1)
        row += k - 1
        start += k
    return u0, src, free, ref


_NO_TIMES = np.zeros(0)
_NO_BUDGET = 2**62
_SOLVERS: dict[str, Callable[..., Any]] = {}
