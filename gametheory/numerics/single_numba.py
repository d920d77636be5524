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
import importlib.util
import math
import os
import sys
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from .kernel_numba import kernel_cache_dir, numba_available
from .single_source import integrator_source, model_source

__all__ = ["SingleKernel", "SingleSolution", "face_of", "single_kernel", "solve_single", "SUCCESS_MESSAGE"]

#: solve_ivp's message on success (kept identical, so a Trajectory does not tell the paths apart).
SUCCESS_MESSAGE = "The solver successfully reached the end of the integration interval."

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
        kernel = _KERNELS[key] = SingleKernel(
            solver, model, d, n_strategies, n_strategies + max(strategy_counts)
        )
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


def face_of(
    strategy_counts: tuple[int, ...], x0: np.ndarray
) -> tuple[list[float], list[int], list[int], list[int]]:
    r"""The log-ratio chart of the face holding one reduced state: ``u0``, ``src``, ``free``, ``ref``.

    The same chart as :func:`~gametheory.numerics.charts.face_charts` (one row), in
    plain Python for one state (a fraction of its cost): per population the support
    (positive shares, after clipping to ``[0, 1]``), its last strategy the reference
    :math:`r_i`, :math:`u_{ij} = \ln x_{ij} - \ln x_{ir_i}`.

    Examples
    --------
    >>> u0, src, free, ref = face_of((2, 3), np.array([0.25, 0.5, 0.0]))
    >>> [round(u, 12) for u in u0], src, free, ref  # ln(0.25/0.75), ln(0.5/0.5)
    ([-1.098612288668, 0.0], [0, -2, 1, -1, -2], [0, 2], [1, 4])
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
