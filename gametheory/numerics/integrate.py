"""Numerical integration of replicator dynamics.

:func:`simulate` integrates one trajectory with :func:`scipy.integrate.solve_ivp`
on the compiled right-hand side and, for implicit methods, the compiled exact
Jacobian.  The result is a frozen :class:`Trajectory` with solve_ivp's field
names.  Bad *input* raises at once; a failed *integration* raises
:class:`~gametheory.errors.IntegrationError` (or, with ``raise_on_failure=False``,
is reported in ``Trajectory.success`` / ``status`` / ``message``).

Stiffness: the default ``method="auto"`` starts with the explicit DOP853 and,
when it needs more than ``stiff_budget`` right-hand-side evaluations (the mark
of a stiff problem) or fails, restarts with the implicit Radau method and the
exact Jacobian.  ``Trajectory.method`` records what was used.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.integrate import solve_ivp

from ..errors import IntegrationError, ParameterError, suggest

if TYPE_CHECKING:
    from ..dynamics.replicator import ReplicatorDynamics

__all__ = ["Trajectory", "simulate", "check_t_span", "EXCURSION_TOLERANCE", "Ensemble", "simulate_many"]

#: Largest tolerated departure of a numerical trajectory from the state space
#: (a share below zero or a population's shares summing above one).  Errors of
#: an integrator at ``atol = 1e-10`` are orders of magnitude smaller.
EXCURSION_TOLERANCE = 1e-6

_METHODS = ("auto", "RK45", "RK23", "DOP853", "Radau", "BDF", "LSODA")


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
    params : dict
        Parameter values used.
    method : str
        Integrator used (``"Radau (stiff fallback)"`` after an automatic switch).
    success, status, message, nfev, njev
        As in :func:`scipy.integrate.solve_ivp`.
    max_excursion : float
        Largest departure from the state space seen (see
        :meth:`~gametheory.dynamics.ReplicatorDynamics.simplex_excursion`).
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

    def __post_init__(self) -> None:
        for arr in (self.t, self.y):
            arr.setflags(write=False)

    @property
    def final(self) -> np.ndarray:
        """State at the last time, shape ``(d,)``."""
        return self.y[:, -1]

    def __getitem__(self, name: str) -> np.ndarray:
        """The time series of the coordinate called ``name`` (e.g. ``traj["x"]``)."""
        try:
            return self.y[self.state_names.index(name)]
        except ValueError:
            from ..errors import StateError, suggest

            raise StateError(
                f"no coordinate {name!r}{suggest(name, self.state_names)}; coordinates are {list(self.state_names)}"
            ) from None

    def __repr__(self) -> str:
        final = ", ".join(f"{n}={v:.4g}" for n, v in zip(self.state_names, self.final))
        return (
            f"Trajectory(t=[{self.t[0]:g}, {self.t[-1]:g}], {len(self.t)} points, final=({final}), "
            f"method={self.method!r}, success={self.success})"
        )


def check_t_span(t_span: Any, t_eval: Any = None) -> tuple[tuple[float, float], np.ndarray | None]:
    """Validate ``t_span = (t0, t1)`` with ``t1 > t0`` finite, and ``t_eval`` inside it."""
    try:
        t0, t1 = (float(v) for v in t_span)
    except (TypeError, ValueError):
        raise IntegrationError(f"t_span must be two numbers (t0, t1), got {t_span!r}") from None
    if not (np.isfinite(t0) and np.isfinite(t1)):
        raise IntegrationError(f"t_span ({t0}, {t1}) must be finite")
    if not t1 > t0:
        raise IntegrationError(
            f"t_span ({t0:g}, {t1:g}) is empty or reversed: the end time must be larger than the start"
        )
    if t_eval is None:
        return (t0, t1), None
    te = np.asarray(t_eval, dtype=float)
    if te.ndim != 1 or te.size == 0:
        raise IntegrationError(f"t_eval must be a non-empty 1-D array of times, got shape {te.shape}")
    if not np.isfinite(te).all() or te.min() < t0 or te.max() > t1:
        raise IntegrationError(f"t_eval must lie within t_span ({t0:g}, {t1:g})")
    if np.any(np.diff(te) <= 0):
        raise IntegrationError("t_eval must be strictly increasing")
    return (t0, t1), te


class _Budget(Exception):
    pass


class _LogitChart:
    """Log-ratio coordinates on the face of the state space that contains ``x0``.

    For population ``i`` with support ``S_i`` (strategies with positive share
    at ``x0``) and reference strategy ``r_i`` (the last one in ``S_i``), the
    coordinates are :math:`u_{ij} = \\ln(x_{ij} / x_{i r_i})`, ``j`` in
    ``S_i - {r_i}``.  The replicator dynamics become

    .. math::  \\dot u_{ij} = f_{ij}(x) - f_{i r_i}(x),

    with :math:`x` the softmax of :math:`u` on each support: the right-hand side
    is just payoff differences, bounded and free of the :math:`x(1-x)` factors
    that make corners numerically sticky.  Shares never leave the simplex, tiny
    shares keep full relative precision, and a trajectory that only passes a
    corner (a heteroclinic cycle) is not captured by it through rounding.
    Shares outside the support stay exactly zero (faces are invariant).
    """

    def __init__(self, dyn: ReplicatorDynamics, x0: np.ndarray) -> None:
        self.dyn = dyn
        self.blocks = []  # (reduced index of each support strategy or -1 for last, payoff offset)
        free = []
        offset = 0
        for pop, share in zip(dyn.game.populations, dyn.full_shares(np.clip(x0, 0.0, 1.0))):
            support = [j for j in range(pop.size) if share[j] > 0]
            ref = support[-1]
            others = support[:-1]
            self.blocks.append((pop.size, offset, support, ref))
            free.extend((share[j], share[ref]) for j in others)
            offset += pop.size
        self.u0 = np.array([np.log(a) - np.log(b) for a, b in free], dtype=float)

    def states(self, u: np.ndarray) -> np.ndarray:
        """Reduced states for internal coordinates ``u`` of shape ``(m, n)`` -> ``(d, n)``."""
        n = u.shape[1]
        out = []
        pos = 0
        for size, _, support, _ in self.blocks:
            m = len(support) - 1
            full = np.zeros((size, n))
            logits = np.vstack([u[pos : pos + m], np.zeros((1, n))])
            logits -= logits.max(axis=0)
            w = np.exp(logits)
            full[support] = w / w.sum(axis=0)
            out.append(full[:-1])
            pos += m
        return np.vstack(out)

    def rhs(self, payoffs: Any, p: np.ndarray) -> Any:
        """``u -> Delta(x(u))`` for one trajectory, in plain Python floats.

        ``payoffs`` is the ``"scalar"`` flavour of the compiled expected payoffs;
        scalar arithmetic avoids numpy's per-call overhead on these tiny vectors.
        """
        plist = p.tolist()
        blocks = [(size, tuple(support), tuple(offset + j for j in support[:-1]), offset + ref)
                  for size, offset, support, ref in self.blocks]  # fmt: skip
        n_payoffs = sum(size for size, *_ in blocks)
        exp = math.exp

        def f(t: float, u: np.ndarray) -> np.ndarray:
            values = u.tolist()
            x: list[float] = []
            pos = 0
            for size, support, _, _ in blocks:
                m = len(support) - 1
                logits = values[pos : pos + m]
                logits.append(0.0)
                top = max(logits)
                weights = [exp(v - top) for v in logits]
                total = sum(weights)
                full = [0.0] * size
                for index, weight in zip(support, weights):
                    full[index] = weight / total
                x.extend(full[:-1])
                pos += m
            pay = [0.0] * n_payoffs
            payoffs(x, plist, pay)
            return np.array([pay[j] - pay[ref] for _, _, free, ref in blocks for j in free], dtype=float)

        return f


def simulate(
    dyn: ReplicatorDynamics,
    x0: Sequence[float],
    t_span: tuple[float, float],
    params: Mapping[str, Any] | None = None,
    *,
    t_eval: Sequence[float] | None = None,
    method: str = "auto",
    rtol: float = 1e-8,
    atol: float = 1e-10,
    coordinates: str = "logit",
    raise_on_failure: bool = True,
    stiff_budget: int = 200_000,
) -> Trajectory:
    """Integrate :math:`\\dot x = F(x; p)` from ``x0`` over ``t_span``.

    Parameters
    ----------
    dyn
        The dynamics.
    x0
        Initial reduced state, shape ``(d,)``; must lie in the state space.
    t_span
        ``(t0, t1)`` with ``t1 > t0``.
    params
        Parameter values (defaults of the game fill the rest).
    t_eval
        Times at which to store the solution; default: the solver's own steps.
    method
        ``"auto"`` (DOP853, with a Radau fallback for stiff problems) or any
        :func:`~scipy.integrate.solve_ivp` method name.
    rtol, atol
        Tolerances of the step-size control (on the internal coordinates).
    coordinates
        ``"logit"`` (default): integrate :math:`\\dot u = \\Delta` in log-ratio
        coordinates on the face of ``x0`` (see :class:`_LogitChart`); exact
        invariance of the simplex and its faces, reliable near the boundary.
        ``"shares"``: integrate the replicator equation for the shares directly
        (with the exact Jacobian for implicit methods).
    raise_on_failure
        Raise :class:`IntegrationError` if the solver fails or the trajectory
        leaves the state space by more than :data:`EXCURSION_TOLERANCE`.
    stiff_budget
        For ``method="auto"``: right-hand-side evaluations allowed to DOP853
        before switching to Radau.

    Returns
    -------
    Trajectory
    """
    if method not in _METHODS:
        raise IntegrationError(
            f"unknown method {method!r}{suggest(str(method), _METHODS)}; choose one of {list(_METHODS)}"
        )
    if coordinates not in ("logit", "shares"):
        raise IntegrationError(f"unknown coordinates {coordinates!r}; use 'logit' or 'shares'")
    for name, tol in (("rtol", rtol), ("atol", atol)):
        if not (isinstance(tol, (int, float)) and np.isfinite(tol) and tol > 0):
            raise IntegrationError(f"{name} must be a positive finite number, got {tol!r}")
    x0 = dyn.check_state(x0, name="initial state x0")
    (t0, t1), te = check_t_span(t_span, t_eval)
    p = dyn.parameter_vector(params)
    if p.ndim != 1:
        raise ParameterError("simulate takes scalar parameter values; use simulate_many for arrays")
    pc = p[:, None]
    jac = None
    if coordinates == "logit":
        chart = _LogitChart(dyn, x0)
        y0, rhs, to_states = chart.u0, chart.rhs(dyn.compiled("payoffs", "scalar"), p), chart.states
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

    used = method
    if y0.size == 0:  # a vertex: a rest point of the dynamics
        times = te if te is not None else np.array([t0, t1])
        sol = _RestPoint(times, y0)
        used = "none (vertex start is a rest point)"
    elif method == "auto":
        try:
            sol = run("DOP853", stiff_budget)
            used = "DOP853"
            if sol.status < 0:
                raise _Budget
        except (_Budget, IntegrationError):
            sol = run("Radau", None)
            used = "Radau (stiff fallback)"
    else:
        sol = run(method, None)
    ys = to_states(np.asarray(sol.y, dtype=float)) if y0.size else np.repeat(x0[:, None], len(sol.t), axis=1)
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
        rtol=float(rtol),
        atol=float(atol),
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
                f"(> {EXCURSION_TOLERANCE:g}); tighten rtol/atol or use coordinates='logit'"
            )
    return traj


@dataclass
class _RestPoint:
    t: np.ndarray
    y: np.ndarray
    success: bool = True
    status: int = 0
    message: str = "the initial state is a vertex, a rest point"
    nfev: int = 0


# ====================================================================== ensembles
_BACKENDS = ("auto", "numba", "numpy")

#: With ``backend="auto"``, ensembles at least this large use numba (when it is
#: installed) even if its kernel for the system must first be compiled: that takes
#: about 5-10 seconds, once per system (afterwards the kernel cache on disk makes it
#: load in under a second), while numpy integrates roughly 10,000-30,000
#: trajectories per second.
AUTO_NUMBA_MIN_TRAJECTORIES = 100_000


@dataclass(frozen=True)
class Ensemble:
    """Many trajectories of one system, integrated together (immutable).

    Every trajectory is integrated by an embedded Dormand-Prince pair (DOP853 or
    DP5) with its own step-size control (:mod:`gametheory.ensemble_kernels`), on the face of the
    state space that holds its start, in the coordinates named by ``coordinates``.

    Attributes
    ----------
    t : ndarray, shape (n_t,)
        Times of ``y``: ``t_eval`` when given, else ``[t_span[1]]``.
    y : ndarray, shape (N, d, n_t)
        States at ``t`` (``y[k, :, j]`` is trajectory ``k`` at ``t[j]``); without
        ``t_eval`` a view of :attr:`final` with ``n_t = 1``.  NaN for failed trajectories
        after their failure.
    final : ndarray, shape (N, d)
        States at ``t_span[1]`` (NaN where the integration failed).
    x0 : ndarray, shape (N, d)
        Initial states.
    params : dict
        Parameter values: a float for shared ones, an array of shape ``(N,)`` for varying ones.
    state_names : tuple of str
    status : ndarray of int8, shape (N,)
        0: reached ``t_span[1]``; -1: step size below the resolution of ``t``;
        -2: more than ``max_steps`` steps; -3: overflow (see :attr:`messages`).
    nfev, n_steps, n_rejected : ndarray of int64, shape (N,)
        Right-hand-side evaluations, accepted and rejected steps per trajectory.
    t_span : tuple of float
    method : str
        ``"DOP853"`` or ``"DP5"`` (as scipy's ``DOP853`` and ``RK45``).
    backend : str
        ``"numba"`` or ``"numpy"``.
    coordinates : str
        ``"logit"`` or ``"shares"``.
    rtol, atol : float
    fingerprint : str
        :attr:`gametheory.game.Game.fingerprint` of the model.
    """

    t: np.ndarray
    y: np.ndarray
    final: np.ndarray
    x0: np.ndarray
    params: Mapping[str, Any]
    state_names: tuple[str, ...]
    status: np.ndarray
    nfev: np.ndarray
    n_steps: np.ndarray
    n_rejected: np.ndarray
    t_span: tuple[float, float]
    method: str
    backend: str
    coordinates: str
    rtol: float
    atol: float
    fingerprint: str

    def __post_init__(self) -> None:
        for name in ("t", "y", "final", "x0", "status", "nfev", "n_steps", "n_rejected"):
            getattr(self, name).setflags(write=False)
        for value in self.params.values():
            if isinstance(value, np.ndarray):
                value.setflags(write=False)

    def __len__(self) -> int:
        return int(self.final.shape[0])

    @property
    def success(self) -> bool:
        """Whether every trajectory reached the end of ``t_span``."""
        return bool(np.all(self.status == 0))

    @property
    def failed(self) -> np.ndarray:
        """Indices of the trajectories whose integration failed."""
        return np.flatnonzero(self.status != 0)

    @property
    def messages(self) -> dict[int, str]:
        """What each status code present in :attr:`status` means."""
        from ..numerics.kernels import STATUS_MESSAGES

        return {int(code): STATUS_MESSAGES[int(code)] for code in np.unique(self.status)}

    def __getitem__(self, name: str) -> np.ndarray:
        """Time series of coordinate ``name`` for every trajectory, shape ``(N, n_t)``."""
        try:
            return self.y[:, self.state_names.index(name), :]
        except ValueError:
            from ..errors import StateError, suggest

            raise StateError(
                f"no coordinate {name!r}{suggest(name, self.state_names)}; coordinates are {list(self.state_names)}"
            ) from None

    def to_frame(self) -> Any:
        """A :class:`pandas.DataFrame` in long format: one row per trajectory and time.

        Columns: ``trajectory``, ``t``, the state coordinates, ``status`` and
        the parameters that vary across the ensemble.
        """
        pd = _import_pandas()
        n, d, n_t = self.y.shape
        data: dict[str, Any] = {"trajectory": np.repeat(np.arange(n), n_t), "t": np.tile(self.t, n)}
        for c, name in enumerate(self.state_names):
            data[name] = self.y[:, c, :].reshape(-1)
        data["status"] = np.repeat(self.status, n_t)
        for name, value in self.params.items():
            if isinstance(value, np.ndarray):
                data[name] = np.repeat(value, n_t)
        return pd.DataFrame(data)

    def __repr__(self) -> str:
        ok = int(np.sum(self.status == 0))
        return (
            f"Ensemble({len(self)} trajectories, t_span={self.t_span}, {len(self.t)} output times, "
            f"{ok} succeeded, backend={self.backend!r}, coordinates={self.coordinates!r})"
        )


def _import_pandas() -> Any:
    try:
        import pandas as pd
    except ImportError as exc:
        raise ImportError('to_frame() needs pandas: pip install pandas (or "gametheory-egt[all]")') from exc
    return pd


def resolve_backend(backend: str, n_trajectories: int, compiled: bool = False) -> str:
    """The backend ``"auto"`` stands for (see :func:`simulate_many`); validates the name.

    ``compiled``: whether the numba kernel of the system is ready (compiled in this process or in
    the disk cache).
    """
    from . import kernels as ensemble_kernels

    if backend not in _BACKENDS:
        raise IntegrationError(f"unknown backend {backend!r}; choose one of {list(_BACKENDS)}")
    if backend == "numba" and not ensemble_kernels.numba_available():
        raise ImportError('backend="numba" needs numba: pip install "gametheory-egt[fast]"')
    if backend != "auto":
        return backend
    if not ensemble_kernels.numba_available():
        return "numpy"
    return "numba" if compiled or n_trajectories >= AUTO_NUMBA_MIN_TRAJECTORIES else "numpy"


def check_method(method: Any) -> str:
    """Validate an ensemble integration method name (``"DOP853"`` or ``"DP5"``)."""
    from ..numerics.kernels import METHODS

    if method not in METHODS:
        raise IntegrationError(f"unknown method {method!r} for ensembles; choose one of {list(METHODS)}")
    return str(method)


def check_tolerances(rtol: Any, atol: Any) -> tuple[float, float]:
    """Validate ``rtol`` and ``atol`` (positive, finite)."""
    for name, tol in (("rtol", rtol), ("atol", atol)):
        if isinstance(tol, bool) or not (isinstance(tol, (int, float)) and np.isfinite(tol) and tol > 0):
            raise IntegrationError(f"{name} must be a positive finite number, got {tol!r}")
    return float(rtol), float(atol)


def simulate_many(
    dyn: ReplicatorDynamics,
    states: Any,
    t_span: tuple[float, float],
    params: Mapping[str, Any] | None = None,
    *,
    t_eval: Sequence[float] | None = None,
    rtol: float = 1e-8,
    atol: float = 1e-10,
    backend: str = "auto",
    coordinates: str = "logit",
    method: str = "DOP853",
    max_steps: int = 50_000,
    threads: int | None = None,
    raise_on_failure: bool = False,
) -> Ensemble:
    """Integrate an ensemble of trajectories of :math:`\\dot x = F(x; p)` together.

    Each trajectory runs an embedded Dormand-Prince method (DOP853 by default,
    or DP5 = Dormand-Prince 5(4)) with its own adaptive step size, exactly as
    :func:`scipy.integrate.solve_ivp` with ``method="DOP853"`` (``"RK45"``)
    would run it alone (see :mod:`gametheory.ensemble_kernels`); by default in
    log-ratio coordinates :math:`u_{ij} = \\ln(x_{ij}/x_{ir_i})` on the face of
    its start, :math:`\\dot u_{ij} = f_{ij} - f_{ir_i}`.

    Parameters
    ----------
    dyn
        The dynamics.
    states
        Initial reduced states, shape ``(N, d)``, or one state ``(d,)`` shared by
        all parameter sets.
    t_span
        ``(t0, t1)`` with ``t1 > t0``.
    params
        Parameter values: scalars, or 1-D arrays of length ``N`` (one value per
        trajectory); the game's defaults fill the rest.  A single state is
        broadcast against arrays of length ``N``.
    t_eval
        Output times (increasing, within ``t_span``); dense output of the
        integrator (4th-order interpolant of Shampine 1986) mapped to the shares.
    rtol, atol
        Tolerances of each trajectory's step-size control (on the internal coordinates).
    backend
        ``"numba"`` (compiled, trajectories in parallel threads; the ``fast``
        extra), ``"numpy"`` (vectorised, lockstep over trajectories) or
        ``"auto"``: numba when installed and either its kernel for this system
        is ready (compiled in this process or in the disk cache, see
        :func:`gametheory.ensemble_kernels.kernel_cache_dir`) or
        ``N >= AUTO_NUMBA_MIN_TRAJECTORIES`` (compiling takes seconds, once per
        system), numpy otherwise.  Both backends run the same arithmetic and
        agree to rounding error.
    coordinates
        ``"logit"`` (default) or ``"shares"`` (the replicator equation itself).
    method
        ``"DOP853"`` (default: 8th order, errors of orders 5 and 3 estimated;
        as accurate as :func:`simulate` at the same tolerances) or ``"DP5"``
        (Dormand-Prince 5(4), scipy's ``RK45``: fewer evaluations per step,
        larger global errors on long transients).
    max_steps
        Step attempts allowed per trajectory (an explicit method on a stiff
        problem fails with status -2 rather than running for ever).
    threads
        Threads of the numba backend (default ``numba.get_num_threads()``).
    raise_on_failure
        Raise :class:`IntegrationError` if any trajectory fails; by default
        failures are reported in :attr:`Ensemble.status`.

    Returns
    -------
    Ensemble
    """
    from ..numerics.kernels import (
        EnsembleSystem,
        integrate_numba,
        integrate_numpy,
        kernel_is_compiled,
        numba_available,
    )

    if coordinates not in ("logit", "shares"):
        raise IntegrationError(f"unknown coordinates {coordinates!r}; use 'logit' or 'shares'")
    check_method(method)
    rtol, atol = check_tolerances(rtol, atol)
    if isinstance(max_steps, bool) or not isinstance(max_steps, (int, np.integer)) or max_steps < 1:
        raise IntegrationError(f"max_steps must be a positive integer, got {max_steps!r}")
    (t0, t1), te = check_t_span(t_span, t_eval)
    X0 = dyn.check_states(states, name="initial states")
    P = dyn.parameter_vector(params)
    if P.ndim == 2:
        n_sets = P.shape[1]
        if X0.shape[0] == 1 and n_sets != 1:
            X0 = np.repeat(X0, n_sets, axis=0)
        elif X0.shape[0] != n_sets:
            raise IntegrationError(
                f"{X0.shape[0]} initial states but parameter arrays of length {n_sets}: give one state, "
                f"or one parameter set per state"
            )
    compiled = False
    if backend == "auto" and numba_available() and X0.shape[0] < AUTO_NUMBA_MIN_TRAJECTORIES:
        system = EnsembleSystem.from_dynamics(dyn, "numba", coordinates)
        compiled = kernel_is_compiled(system, coordinates, method)
    used = resolve_backend(backend, X0.shape[0], compiled)
    system = EnsembleSystem.from_dynamics(dyn, used, coordinates)
    if used == "numba":
        raw = integrate_numba(
            system, X0, P, t0, t1, te, rtol, atol, coordinates, int(max_steps), method, threads
        )
    else:
        raw = integrate_numpy(system, X0, P, t0, t1, te, rtol, atol, coordinates, int(max_steps), method)
    names = dyn.game.parameter_names
    values: dict[str, Any] = {}
    for i, name in enumerate(names):
        row = P[i] if P.ndim == 2 else P[i : i + 1]
        values[name] = float(row[0]) if P.ndim == 1 or np.all(row == row[0]) else row.copy()
    y = raw.y if raw.y is not None else raw.final[:, :, None]
    if te is not None and te[0] == t0:  # the interpolant reproduces x0 only to rounding; store it exactly
        y[:, :, 0] = X0
    ens = Ensemble(
        t=te.copy() if te is not None else np.array([t1]),
        y=y,
        final=raw.final,
        x0=X0.copy(),
        params=values,
        state_names=dyn.state_names,
        status=raw.status,
        nfev=raw.nfev,
        n_steps=raw.n_steps,
        n_rejected=raw.n_rejected,
        t_span=(t0, t1),
        method=method,
        backend=used,
        coordinates=coordinates,
        rtol=rtol,
        atol=atol,
        fingerprint=dyn.game.fingerprint,
    )
    if raise_on_failure and not ens.success:
        k = int(ens.failed[0])
        raise IntegrationError(
            f"{len(ens.failed)} of {len(ens)} trajectories failed; the first, from x0 = {X0[k].tolist()}: "
            f"{ens.messages[int(ens.status[k])]}"
        )
    return ens
