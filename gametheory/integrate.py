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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.integrate import solve_ivp

from .errors import IntegrationError, ParameterError, suggest

if TYPE_CHECKING:
    from .dynamics import ReplicatorDynamics

__all__ = ["Trajectory", "simulate", "check_t_span", "EXCURSION_TOLERANCE"]

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
            from .errors import StateError, suggest

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
        def f(t: float, u: np.ndarray) -> np.ndarray:
            x = self.states(u[:, None])
            pay = payoffs(x, p)[:, 0]
            out = []
            for _, offset, support, ref in self.blocks:
                out.extend(pay[offset + j] - pay[offset + ref] for j in support[:-1])
            return np.array(out, dtype=float)

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
        y0, rhs, to_states = chart.u0, chart.rhs(dyn.compiled("payoffs"), pc), chart.states
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
            except FloatingPointError as exc:
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
