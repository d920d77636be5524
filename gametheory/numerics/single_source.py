r"""Generated source of the compiled single-trajectory solver (:mod:`gametheory.numerics.single_numba`).

Two generated modules, each written to the kernel cache directory so that numba's
disk cache keeps the machine code:

- :func:`integrator_source`: ``solve``, scipy's RK45 or DOP853 for one trajectory of
  *any* model (step-size control, first step, error norm and dense output as
  :class:`scipy.integrate.RK45` / :class:`scipy.integrate.DOP853`), calling the model
  through a C function pointer: compiled once per method;
- :func:`model_source`: ``model``, a numba ``cfunc`` evaluating the chart's derivative
  (or the reduced state) from the ``"scalar"`` flavour of :mod:`gametheory.codegen`
  and the chart's map ``u -> x`` (:func:`~gametheory.numerics.charts.states_source`):
  compiled per model (a fraction of a second).
"""

from __future__ import annotations

import numpy as np

from .charts import states_source
from .kernel_lanes import split_scalar_source
from .tableaus import MAX_FACTOR, MIN_FACTOR, SAFETY, tableau

__all__ = ["integrator_source", "model_source"]


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


def _indent(lines: list[str], depth: int) -> str:
    return "\n".join(" " * (4 * depth) + line for line in lines)


def model_source(scalar_source: str, strategy_counts: tuple[int, ...], chart: str, n_parameters: int) -> str:
    """The generated module defining the model's C callback ``model`` (a numba ``cfunc``).

    ``scalar_source`` is the ``"scalar"`` flavour of the growth rates (``chart =
    "log-ratio"``) or of the right-hand side (``"shares"``).  ``model(u, p, face,
    work, out, m, mode)`` writes the chart's derivative (``mode`` 0) or the
    reduced state (``mode`` 1) of chart coordinates ``u`` to ``out``; ``face``
    holds the chart's ``src`` (``K``), ``free`` and ``ref`` (``D`` each).

    Examples
    --------
    >>> from gametheory.models import classic
    >>> dyn = classic.matching_pennies_3().replicator()
    >>> source = model_source(dyn.compiled("growth", "scalar").source, (2, 2, 2), "log-ratio", 1)
    >>> "def model(up, pp, facep, workp, outp, m, mode):" in source
    True
    """
    d = sum(k - 1 for k in strategy_counts)
    loads, body = split_scalar_source(scalar_source)
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
    """The generated module defining ``solve``, scipy's ``method`` for any model (compiled once).

    Examples
    --------
    >>> "ERROR_ORDER = 7" in integrator_source("DOP853"), "ERROR_ORDER = 4" in integrator_source("RK45")
    (True, True)
    """
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
