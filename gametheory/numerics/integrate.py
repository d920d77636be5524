"""Numerical integration of one trajectory of any dynamics.

:func:`simulate` integrates one trajectory in the chart the dynamics prefers
(:attr:`~gametheory.dynamics.base.Dynamics.chart`) or the one asked for.  The
result is a frozen :class:`Trajectory` with solve_ivp's field names.  Bad *input*
raises at once; a failed *integration* raises
:class:`~gametheory.errors.IntegrationError` (or, with ``raise_on_failure=False``,
is reported in ``Trajectory.success`` / ``status`` / ``message``).

Two backends run the integration: where numba is installed and the method is
``"auto"``, ``"DOP853"`` or ``"RK45"``, a compiled solver
(:mod:`gametheory.numerics.single_numba`) that runs exactly scipy's algorithm
(first step, step-size control, error norm, dense output at ``t_eval``), tens of
times faster per call; otherwise (or with ``backend="scipy"``, the reference)
:func:`scipy.integrate.solve_ivp`.  Both agree to round-off
(``tests/test_simulate_compiled.py``); ``Trajectory.backend`` says which ran.

Stiffness: the default ``method="auto"`` starts with the explicit DOP853 and,
when it needs more than ``stiff_budget`` right-hand-side evaluations (the mark
of a stiff problem) or fails, restarts with the implicit Radau method.  The
Jacobian Radau gets depends on the chart: in ``"shares"`` coordinates the exact
symbolic Jacobian :math:`\\partial F/\\partial x` of the dynamics, compiled
(``dyn.compiled("jac")``); in ``"log-ratio"`` coordinates none, so scipy
approximates :math:`\\partial \\dot u/\\partial u` by finite differences.
``Trajectory.method`` records what was used.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.integrate import solve_ivp

from .._checks import (
    as_dynamics,
    check_choice,
    check_count,
    check_flag,
    check_t_span,
    check_tolerances,
    keywords_checked,
)
from ..errors import IntegrationError, ParameterError, StateError, calls_checked, suggest
from .charts import LogRatioChart, chart_of
from .results import FrozenParams, html_block, import_pandas, markdown

if TYPE_CHECKING:
    from ..dynamics.base import Dynamics
    from ..game import Game

__all__ = ["Trajectory", "simulate", "EXCURSION_TOLERANCE", "METHODS", "BACKENDS"]

#: Largest tolerated departure of a numerical trajectory from the state space
#: (a share below zero or a population's shares summing above one).  Errors of
#: an integrator at ``atol = 1e-10`` are orders of magnitude smaller.
EXCURSION_TOLERANCE = 1e-6

#: Methods of :func:`simulate`: ``"auto"`` and :func:`scipy.integrate.solve_ivp`'s.
METHODS = ("auto", "RK45", "RK23", "DOP853", "Radau", "BDF", "LSODA")
#: Backends of :func:`simulate`: ``"auto"`` (compiled when possible), ``"numba"``, ``"scipy"``.
BACKENDS = ("auto", "numba", "scipy")
#: Methods the compiled (numba) path of :func:`simulate` runs (``"auto"`` runs DOP853 there).
COMPILED_METHODS = ("auto", "RK45", "DOP853")


@calls_checked
@dataclass(frozen=True)
class Trajectory:
    """One integrated trajectory (immutable).

    Attributes
    ----------
    t : ndarray, shape (n_times,)
        Times.
    y : ndarray, shape (d, n_times)
        States at ``t`` (``y[:, k]`` is the state at ``t[k]``), as in solve_ivp.
    state_names : tuple of str
        Names of the ``d`` coordinates.
    params : Mapping
        Parameter values used (read-only).
    method : str
        Integrator used (``"Radau (stiff fallback)"`` after an automatic switch).
    success, status, message, nfev, njev
        As in :func:`scipy.integrate.solve_ivp`.
    max_excursion : float
        Largest departure from the state space seen (see
        :meth:`~gametheory.dynamics.base.Dynamics.simplex_excursion`).
    rtol, atol : float
    coordinates : str
        The chart integrated in, ``"log-ratio"`` or ``"shares"``.
    backend : str
        ``"numba"`` (the compiled solver of :mod:`gametheory.numerics.single_numba`)
        or ``"scipy"`` (:func:`scipy.integrate.solve_ivp`).

    Examples
    --------
    >>> from gametheory.models import classic
    >>> dyn = classic.matching_pennies_3().replicator()
    >>> tr = simulate(dyn, [0.5, 0.5, 0.5], (0, 2), t_eval=[0, 1, 2])
    >>> tr.y.shape, tr["x"].shape, tr.success
    ((3, 3), (3,), True)
    >>> print(tr.summary().split(chr(10))[0])
    Trajectory of x, y, z over t in [0, 2] (3 points), 'DOP853' in log-ratio coordinates
    """

    t: np.ndarray
    y: np.ndarray
    state_names: tuple[str, ...]
    params: Mapping[str, float]
    method: str
    success: bool
    status: int
    message: str
    nfev: int
    njev: int
    max_excursion: float
    rtol: float = field(default=1e-8)
    atol: float = field(default=1e-10)
    coordinates: str = field(default="log-ratio")
    backend: str = field(default="scipy")

    def __post_init__(self) -> None:
        for arr in (self.t, self.y):
            arr.setflags(write=False)
        if not isinstance(self.params, FrozenParams):
            object.__setattr__(self, "params", FrozenParams(self.params))

    @property
    def final(self) -> np.ndarray:
        """State at the last time, shape ``(d,)``."""
        return self.y[:, -1]

    def __getitem__(self, name: str) -> np.ndarray:
        """The time series of the coordinate called ``name`` (e.g. ``traj["x"]``)."""
        try:
            return self.y[self.state_names.index(name)]
        except ValueError:
            raise StateError(
                f"no coordinate {name!r}{suggest(name, self.state_names)}; coordinates are {list(self.state_names)}"
            ) from None

    def summary(self) -> str:
        """A few lines of text: span, method, outcome, final state."""
        final = ", ".join(f"{n} = {v:.6g}" for n, v in zip(self.state_names, self.final))
        return "\n".join(
            [
                f"Trajectory of {', '.join(self.state_names)} over t in [{self.t[0]:g}, {self.t[-1]:g}] "
                f"({len(self.t)} points), {self.method!r} in {self.coordinates} coordinates",
                f"rtol {self.rtol:g}, atol {self.atol:g}; {self.nfev} right-hand-side evaluations",
                f"success: {self.success} ({self.message})",
                f"final state: {final}",
                f"largest departure from the state space: {self.max_excursion:.3g}",
            ]
        )

    def _repr_markdown_(self) -> str:
        return markdown(self.summary())

    def _repr_html_(self) -> str:
        return html_block(self.summary())

    def to_frame(self) -> Any:
        """A :class:`pandas.DataFrame` in long format: columns ``t``, ``coordinate``, ``value``.

        One row per coordinate and time, coordinate by coordinate.

        Examples
        --------
        >>> from gametheory.models import classic
        >>> tr = simulate(classic.matching_pennies_3(), [0.5, 0.5, 0.5], (0, 1), t_eval=[0, 1])
        >>> tr.to_frame().shape
        (6, 3)
        """
        pd = import_pandas()
        n_t = len(self.t)
        return pd.DataFrame(
            {
                "t": np.tile(self.t, len(self.state_names)),
                "coordinate": np.repeat(np.array(self.state_names, dtype=object), n_t),
                "value": self.y.reshape(-1),
            }
        )

    def plot(self, ax: Any = None) -> Any:
        """Draw the shares against time (:func:`gametheory.plot.time_series`); returns the axes."""
        from ..plot import time_series

        return time_series(self, ax=ax)

    def __repr__(self) -> str:
        final = ", ".join(f"{n}={v:.4g}" for n, v in zip(self.state_names, self.final))
        return (
            f"Trajectory(t=[{self.t[0]:g}, {self.t[-1]:g}], {len(self.t)} points, final=({final}), "
            f"method={self.method!r}, success={self.success})"
        )


class _Budget(Exception):
    pass


@keywords_checked
def simulate(
    model: Game | Dynamics,
    x0: Sequence[float],
    t_span: tuple[float, float],
    params: Mapping[str, Any] | None = None,
    *,
    t_eval: Sequence[float] | None = None,
    method: str = "auto",
    rtol: float = 1e-8,
    atol: float = 1e-10,
    coordinates: str | None = None,
    raise_on_failure: bool = True,
    stiff_budget: int = 200_000,
    backend: str = "auto",
) -> Trajectory:
    """Integrate :math:`\\dot x = F(x; p)` from ``x0`` over ``t_span``.

    Parameters
    ----------
    model
        A :class:`~gametheory.game.Game` (integrated under its replicator
        dynamics) or any :class:`~gametheory.dynamics.base.Dynamics`.
    x0
        Initial reduced state, shape ``(d,)``; must lie in the state space.
    t_span
        ``(t0, t1)`` with ``t1 > t0``.
    params
        Parameter values (defaults of the game fill the rest).
    t_eval
        Times at which to store the solution, shape ``(n_t,)``; default: the solver's own steps.
    method
        ``"auto"`` (DOP853, with a Radau fallback for stiff problems) or any
        :func:`~scipy.integrate.solve_ivp` method name.
    rtol, atol
        Tolerances of the step-size control (on the chart's coordinates); real numbers > 0.
    coordinates
        The chart: ``None`` (default) for the dynamics' own :attr:`~gametheory.dynamics.base.Dynamics.chart`;
        ``"log-ratio"``: integrate :math:`\\dot u_{ij} = g_{ij} - g_{ir_i}` in
        :math:`u_{ij} = \\ln(x_{ij}/x_{ir_i})` on the face of ``x0``
        (:mod:`gametheory.numerics.charts`): exact invariance of the simplex and
        its faces, reliable near the boundary; ``"shares"``: integrate the
        reduced state itself (with the exact Jacobian for implicit methods).
    raise_on_failure
        Raise :class:`IntegrationError` if the solver fails or the trajectory
        leaves the state space by more than :data:`EXCURSION_TOLERANCE`.
    stiff_budget
        For ``method="auto"``: right-hand-side evaluations allowed to DOP853
        before switching to Radau.  Radau gets the compiled exact Jacobian
        :math:`\\partial F/\\partial x` in ``"shares"`` coordinates; in
        ``"log-ratio"`` coordinates it gets none and uses scipy's finite-difference estimate.
    backend
        ``"auto"`` (default): the compiled solver of
        :mod:`gametheory.numerics.single_numba` when numba is installed and
        ``method`` is ``"auto"``, ``"DOP853"`` or ``"RK45"``, else
        :func:`scipy.integrate.solve_ivp`; ``"numba"``: the compiled solver (an
        error if it cannot run the call); ``"scipy"``: always solve_ivp, the
        reference.  The compiled solver runs scipy's algorithm (same first step,
        step-size control, error norm and dense output), so both agree to
        round-off; a compiled integration that fails is redone by solve_ivp
        (``method="auto"``: by Radau), so failures read as before.  The first
        call per method compiles the integrator (seconds, once: numba's disk cache
        keeps it) and per model a small callback (a fraction of a second).

    Returns
    -------
    Trajectory
        ``t`` of shape ``(n_t,)``, ``y`` of shape ``(d, n_t)``.

    Examples
    --------
    >>> from gametheory.models import crisis_governance
    >>> tr = simulate(crisis_governance.game(), [0.3, 0.6, 0.2], (0, 200), crisis_governance.OPTIMIZED)
    >>> tr.final.round(6).tolist(), tr.method
    ([1.0, 1.0, 1.0], 'DOP853')
    """
    check_choice(method, METHODS, name="method")
    rtol, atol = check_tolerances(rtol, atol)
    raise_on_failure = check_flag(raise_on_failure, name="raise_on_failure")
    stiff_budget = check_count(stiff_budget, name="stiff_budget")
    backend = check_choice(backend, BACKENDS, name="backend")
    compiled = _compiled_backend(backend, method)
    dyn = as_dynamics(model)
    chart_name = chart_of(dyn, coordinates)
    x0 = dyn.check_state(x0, name="initial state x0")
    (t0, t1), te = check_t_span(t_span, t_eval)
    p = _parameter_vector(dyn, params)
    if p.ndim != 1:
        raise ParameterError("simulate takes scalar parameter values; use simulate_many for arrays")
    fast = None
    if compiled:
        fast = _solve_compiled(dyn, chart_name, method, x0, p, t0, t1, te, rtol, atol, stiff_budget, backend)
    if fast is not None and fast.status == 0:
        sol, used = fast, ("DOP853" if method == "auto" else method)
    else:
        sol, used, to_states = _solve_scipy(dyn, chart_name, method, x0, p, t0, t1, te, rtol, atol, stiff_budget,
                                            after_compiled=fast is not None)  # fmt: skip
    on_numba = sol is fast
    if on_numba:
        ys = sol.y  # the compiled solver returns shares
    elif to_states is not None:
        ys = to_states(np.asarray(sol.y, dtype=float))
    else:
        ys = np.repeat(x0[:, None], len(sol.t), axis=1)
    excursion = dyn.simplex_excursion(ys) if ys.size else 0.0
    traj = Trajectory(
        t=np.asarray(sol.t, dtype=float),
        y=ys,
        state_names=dyn.state_names,
        params=dict(zip(dyn.game.parameter_names, map(float, p))),
        method=used,
        success=bool(sol.success),
        status=int(sol.status),
        message=str(sol.message),
        nfev=int(sol.nfev),
        njev=int(getattr(sol, "njev", 0)),
        max_excursion=excursion,
        rtol=rtol,
        atol=atol,
        coordinates=chart_name,
        backend="numba" if on_numba else "scipy",
    )
    if raise_on_failure:
        if not traj.success:
            reached = traj.t[-1] if traj.t.size else t0
            raise IntegrationError(
                f"{used} failed at t = {reached:g} of ({t0:g}, {t1:g}) from x0 = {x0.tolist()}: {sol.message}"
            )
        if excursion > EXCURSION_TOLERANCE:
            raise IntegrationError(
                f"the trajectory from x0 = {x0.tolist()} left the state space by {excursion:.3g} "
                f"(> {EXCURSION_TOLERANCE:g}); tighten rtol/atol or use coordinates='log-ratio'"
            )
    return traj


_SCALARS = (float, int, np.float64)
_PLAIN_MAPPINGS = (dict, type(type.__dict__))  # dict and mappingproxy (the models' presets)


def _parameter_vector(dyn: Dynamics, params: Any) -> np.ndarray:
    """``dyn.parameter_vector(params)``, remembered per dynamics for plain scalar parameter dicts.

    Validation costs far more than a compiled integration; repeated calls with the same
    values (sweeps, bootstraps) skip it.  Only ``None`` and dicts (or mapping proxies) of
    ``str`` names to ``float``/``int`` values are remembered: anything else (arrays, symbols
    as keys, booleans: ``True == 1`` must not find ``1``'s entry) is validated afresh.  A
    zero's sign is part of the key (``-0.0 == 0.0``, but ``1 / -0.0`` is ``-inf``).
    """
    key: tuple[Any, ...] | None = ()
    if params is not None:
        key = None
        if type(params) in _PLAIN_MAPPINGS and all(
            type(k) is str and type(v) in _SCALARS for k, v in params.items()
        ):
            key = tuple((k, v, math.copysign(1.0, v)) for k, v in params.items())
    if key is None:
        return dyn.parameter_vector(params)
    cache = vars(dyn).setdefault("_simulate_parameters", {})
    p = cache.get(key)
    if p is None:
        p = dyn.parameter_vector(params)
        if len(cache) >= 256:
            cache.clear()
        cache[key] = p
    return p.copy()


def _solve_scipy(
    dyn: Dynamics, chart_name: str, method: str, x0: np.ndarray, p: np.ndarray, t0: float, t1: float,
    te: np.ndarray | None, rtol: float, atol: float, stiff_budget: int, after_compiled: bool,
) -> tuple[Any, str, Any]:  # fmt: skip
    """One trajectory with :func:`scipy.integrate.solve_ivp`: ``(solution, method used, u -> x map)``.

    ``after_compiled``: the compiled DOP853 of ``method="auto"`` failed, so go straight to Radau.
    """
    pc = p[:, None]
    jac = None
    if chart_name == "log-ratio":
        chart = LogRatioChart.on_face_of(dyn, x0)
        y0, rhs, to_states = chart.u0, chart.rhs(dyn.compiled("growth", "scalar"), p), chart.states
    else:
        rhs_c, jac_c = dyn.compiled("rhs"), dyn.compiled("jac")
        y0 = x0

        def rhs(t: float, x: np.ndarray) -> np.ndarray:
            return rhs_c(x[:, None], pc)[:, 0]

        def jac(t: float, x: np.ndarray) -> np.ndarray:
            return jac_c(x[:, None], pc)[:, :, 0]

        def to_states(y: np.ndarray) -> np.ndarray:
            return y

    def run(m: str, budget: int | None) -> Any:
        calls = [0]

        def counted(t: float, x: np.ndarray) -> np.ndarray:
            calls[0] += 1
            if budget is not None and calls[0] > budget:
                raise _Budget
            return rhs(t, x)

        kwargs: dict[str, Any] = {"rtol": rtol, "atol": atol, "t_eval": te}
        if m in ("Radau", "BDF", "LSODA") and jac is not None:
            kwargs["jac"] = jac
        with np.errstate(over="raise", invalid="raise"):
            try:
                return solve_ivp(counted, (t0, t1), y0, method=m, **kwargs)
            except (FloatingPointError, OverflowError) as exc:
                raise IntegrationError(
                    f"{m}: arithmetic overflow during integration ({exc}) from x0 = {x0.tolist()}; "
                    f"parameters {dict(zip(dyn.game.parameter_names, p.tolist()))} may be too extreme"
                ) from None

    if y0.size == 0:  # a vertex: a rest point of the dynamics
        times = te if te is not None else np.array([t0, t1])
        return _RestPoint(times, y0), "none (vertex start is a rest point)", None
    if method == "auto":
        try:
            if after_compiled:
                raise _Budget
            sol = run("DOP853", stiff_budget)
            if sol.status < 0:
                raise _Budget
            return sol, "DOP853", to_states
        except (_Budget, IntegrationError):
            return run("Radau", None), "Radau (stiff fallback)", to_states
    return run(method, None), method, to_states


def _compiled_backend(backend: str, method: str) -> bool:
    """Whether ``simulate`` takes the compiled path (raising for ``backend="numba"`` where it cannot)."""
    if backend == "scipy":
        return False
    from .kernel_numba import numba_available

    if backend == "auto":
        return method in COMPILED_METHODS and numba_available()
    if method not in COMPILED_METHODS:
        raise IntegrationError(
            f'backend="numba" runs method {list(COMPILED_METHODS)}, not {method!r}; use backend="scipy" or "auto"'
        )
    if not numba_available():
        raise ImportError(
            'backend="numba" needs numba: pip install "gametheory-egt[fast]" (or use backend="scipy")'
        )
    return True


def _solve_compiled(
    dyn: Dynamics, chart_name: str, method: str, x0: np.ndarray, p: np.ndarray, t0: float, t1: float, te: np.ndarray | None, rtol: float, atol: float, stiff_budget: int,
    backend: str,
) -> _Compiled | None:  # fmt: skip
    """One trajectory with :mod:`gametheory.numerics.single_numba`.

    ``None`` where there is nothing to integrate (a vertex) or numba cannot compile the model.
    """
    from .single_numba import SUCCESS_MESSAGE, face_of, single_kernel, solve_single

    counts = tuple(dyn.game.strategy_counts)
    if chart_name == "log-ratio":
        u0, src, free, ref = face_of(counts, x0)
    else:
        u0, src, free, ref = x0, [], [], []
    if len(u0) == 0:
        return None

    which = "growth" if chart_name == "log-ratio" else "rhs"
    try:
        kernel = single_kernel(
            dyn.compiled(which, "scalar").source, counts, chart_name,
            "DOP853" if method == "auto" else method, len(p),
        )  # fmt: skip
    except Exception as exc:  # numba's typing or lowering errors: solve_ivp runs what numba cannot
        if backend == "numba":
            raise IntegrationError(f'backend="numba" cannot compile this model: {exc}') from exc
        return None
    sol = solve_single(
        kernel, np.array(u0, dtype=float), kernel.face(src, free, ref), np.ascontiguousarray(p, dtype=float), t0, t1,
        None if te is None else np.ascontiguousarray(te, dtype=float), rtol, atol,
        stiff_budget if method == "auto" else None,
    )  # fmt: skip
    return _Compiled(sol.t, sol.y, sol.status == 0, sol.status, SUCCESS_MESSAGE, sol.nfev)


@dataclass
class _Compiled:
    t: np.ndarray
    y: np.ndarray
    success: bool
    status: int
    message: str
    nfev: int


@dataclass
class _RestPoint:
    t: np.ndarray
    y: np.ndarray
    success: bool = True
    status: int = 0
    message: str = "the initial state is a vertex, a rest point"
    nfev: int = 0
