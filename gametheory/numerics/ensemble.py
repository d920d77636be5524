"""Ensembles: many trajectories of one dynamics integrated together.

:func:`simulate_many` integrates ``N`` trajectories (one start each, shared or
per-trajectory parameters) with the ensemble kernels
(:mod:`~gametheory.numerics.kernel_numpy`, :mod:`~gametheory.numerics.kernel_numba`):
each trajectory runs scipy's ``DOP853`` or ``RK45`` algorithm with its own
step-size control, on the face of the state space that holds its start, in the
chart the dynamics prefers.  The result is a frozen :class:`Ensemble`;
failures are reported per trajectory in :attr:`Ensemble.status`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .._checks import (
    as_dynamics,
    check_choice,
    check_count,
    check_flag,
    check_t_span,
    check_tolerances,
    keywords_checked,
)
from ..errors import IntegrationError, StateError, calls_checked, suggest
from ..progress import progress_reporter
from . import kernel_numba
from .charts import chart_of
from .kernel_numpy import integrate_numpy
from .results import FrozenParams, html_block, import_pandas, markdown
from .system import STATUS_MESSAGES, EnsembleSystem, KernelResult
from .tableaus import METHODS, tableau

if TYPE_CHECKING:
    from ..dynamics.base import Dynamics
    from ..game import Game

__all__ = ["Ensemble", "simulate_many", "resolve_backend", "BACKENDS", "AUTO_NUMBA_MIN_TRAJECTORIES"]

#: Backends of :func:`simulate_many`.
BACKENDS = ("auto", "numba", "numpy")

#: With ``backend="auto"``, ensembles at least this large use numba (when it is
#: installed) even if its kernel for the system must first be compiled: that takes
#: about 5-15 seconds, once per system and method (afterwards the kernel cache on disk
#: makes it load in under a second), while numpy integrates roughly 10,000-100,000
#: trajectories per second.
AUTO_NUMBA_MIN_TRAJECTORIES = 100_000


@calls_checked
@dataclass(frozen=True)
class Ensemble:
    """Many trajectories of one system, integrated together (immutable).

    Every trajectory is integrated by an embedded Dormand-Prince pair (``"DOP853"``
    or ``"RK45"``, scipy's algorithms) with its own step-size control, on the face
    of the state space that holds its start, in the chart named by ``coordinates``.

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
    params : Mapping
        Parameter values (read-only): a float for shared ones, an array of shape ``(N,)`` for varying ones.
    state_names : tuple of str
    status : ndarray of int8, shape (N,)
        0: reached ``t_span[1]``; -1: step size below the resolution of ``t``;
        -2: more than ``max_steps`` steps; -3: overflow (see :attr:`messages`).
    nfev, n_steps, n_rejected : ndarray of int64, shape (N,)
        Right-hand-side evaluations, accepted and rejected steps per trajectory.
    t_span : tuple of float
    method : str
        ``"DOP853"`` or ``"RK45"``.
    backend : str
        ``"numba"`` or ``"numpy"``.
    coordinates : str
        ``"log-ratio"`` or ``"shares"``.
    rtol, atol : float
    fingerprint : str
        :attr:`gametheory.game.Game.fingerprint` of the model.

    Examples
    --------
    >>> from gametheory.models import classic
    >>> dyn = classic.matching_pennies_3().replicator()
    >>> ens = simulate_many(dyn, [[0.5, 0.5, 0.5], [0.2, 0.9, 0.4]], (0, 5), t_eval=[0, 5], backend="numpy")
    >>> ens.y.shape, len(ens), ens.success
    ((2, 3, 2), 2, True)
    >>> print(ens.summary().split(chr(10))[0])
    Ensemble of 2 trajectories of x, y, z over t in [0, 5], DOP853 in log-ratio coordinates (numpy backend)
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
        if not isinstance(self.params, FrozenParams):
            object.__setattr__(self, "params", FrozenParams(self.params))

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
        return {int(code): STATUS_MESSAGES[int(code)] for code in np.unique(self.status)}

    def __getitem__(self, name: str) -> np.ndarray:
        """Time series of coordinate ``name`` for every trajectory, shape ``(N, n_t)``."""
        try:
            return self.y[:, self.state_names.index(name), :]
        except ValueError:
            raise StateError(
                f"no coordinate {name!r}{suggest(name, self.state_names)}; coordinates are {list(self.state_names)}"
            ) from None

    def summary(self) -> str:
        """A few lines of text: size, span, method, failures, spread of the final states."""
        ok = self.status == 0
        lines = [
            f"Ensemble of {len(self)} trajectories of {', '.join(self.state_names)} over t in "
            f"[{self.t_span[0]:g}, {self.t_span[1]:g}], {self.method} in {self.coordinates} coordinates "
            f"({self.backend} backend)",
            f"rtol {self.rtol:g}, atol {self.atol:g}; {len(self.t)} output time(s); "
            f"steps per trajectory: mean {self.n_steps.mean() if len(self) else 0:.0f}, "
            f"max {self.n_steps.max() if len(self) else 0}",
            f"{int(ok.sum())} of {len(self)} reached the end of t_span",
        ]
        lines += [
            f"status {code}: {int(np.sum(self.status == code))} ({text})"
            for code, text in self.messages.items()
            if code != 0
        ]
        if ok.any():
            lo, hi = self.final[ok].min(axis=0), self.final[ok].max(axis=0)
            lines.append(
                "final states: "
                + ", ".join(f"{n} in [{a:.4g}, {b:.4g}]" for n, a, b in zip(self.state_names, lo, hi))
            )
        varying = [name for name, value in self.params.items() if isinstance(value, np.ndarray)]
        if varying:
            lines.append(f"parameters varying across trajectories: {', '.join(varying)}")
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        return markdown(self.summary())

    def _repr_html_(self) -> str:
        return html_block(self.summary())

    def to_frame(self) -> Any:
        """A :class:`pandas.DataFrame` in long format: one row per trajectory and time.

        Columns: ``trajectory``, ``t``, the state coordinates, ``status`` and
        the parameters that vary across the ensemble.

        Examples
        --------
        >>> from gametheory.models import classic
        >>> ens = simulate_many(classic.matching_pennies_3(), [0.5, 0.5, 0.5], (0, 1), backend="numpy")
        >>> list(ens.to_frame().columns)
        ['trajectory', 't', 'x', 'y', 'z', 'status']
        """
        pd = import_pandas()
        n, d, n_t = self.y.shape
        data: dict[str, Any] = {"trajectory": np.repeat(np.arange(n), n_t), "t": np.tile(self.t, n)}
        for c, name in enumerate(self.state_names):
            data[name] = self.y[:, c, :].reshape(-1)
        data["status"] = np.repeat(self.status, n_t)
        for name, value in self.params.items():
            if isinstance(value, np.ndarray):
                data[name] = np.repeat(value, n_t)
        return pd.DataFrame(data)

    def plot(self, ax: Any = None) -> Any:
        """Draw every trajectory against time (:func:`gametheory.plot.time_series`); returns the axes."""
        from ..plot import time_series

        return time_series(self, ax=ax)

    def __repr__(self) -> str:
        ok = int(np.sum(self.status == 0))
        return (
            f"Ensemble({len(self)} trajectories, t_span={self.t_span}, {len(self.t)} output times, "
            f"{ok} succeeded, backend={self.backend!r}, coordinates={self.coordinates!r})"
        )


def resolve_backend(backend: str, n_trajectories: int, compiled: bool = False) -> str:
    """The backend ``"auto"`` stands for (see :func:`simulate_many`); validates the name.

    ``compiled``: whether the numba kernel of the system is ready (compiled in this process or in
    the disk cache).

    Examples
    --------
    >>> resolve_backend("numpy", 10)
    'numpy'
    >>> resolve_backend("auto", 10) in ("numpy", "numba")
    True
    """
    check_choice(backend, BACKENDS, name="backend")
    if backend == "numba" and not kernel_numba.numba_available():
        raise ImportError('backend="numba" needs numba: pip install "gametheory-egt[fast]"')
    if backend != "auto":
        return backend
    if not kernel_numba.numba_available():
        return "numpy"
    return "numba" if compiled or n_trajectories >= AUTO_NUMBA_MIN_TRAJECTORIES else "numpy"


def check_method(method: Any) -> str:
    """Validate an ensemble method name (``"DOP853"`` or ``"RK45"``); returns it.

    Examples
    --------
    >>> check_method("RK45")
    'RK45'
    """
    return tableau(method).name


@keywords_checked
def simulate_many(
    model: Game | Dynamics,
    starts: Any,
    t_span: tuple[float, float],
    params: Mapping[str, Any] | None = None,
    *,
    t_eval: Sequence[float] | None = None,
    method: str = "DOP853",
    rtol: float = 1e-8,
    atol: float = 1e-10,
    coordinates: str | None = None,
    backend: str = "auto",
    max_steps: int = 50_000,
    threads: int | None = None,
    raise_on_failure: bool = False,
    progress: bool = False,
) -> Ensemble:
    """Integrate an ensemble of trajectories of :math:`\\dot x = F(x; p)` together.

    Each trajectory runs an embedded Dormand-Prince method (``"DOP853"`` by
    default, or ``"RK45"`` = Dormand-Prince 5(4)) with its own adaptive step
    size, exactly as :func:`scipy.integrate.solve_ivp` with the same ``method``
    would run it alone (see :mod:`gametheory.numerics.kernel_numpy`); in the
    log-ratio chart (:mod:`gametheory.numerics.charts`) on the face of its
    start, :math:`\\dot u_{ij} = g_{ij} - g_{ir_i}`, or in shares.

    Parameters
    ----------
    model
        A :class:`~gametheory.game.Game` (its replicator dynamics) or any
        :class:`~gametheory.dynamics.base.Dynamics`.
    starts
        Initial reduced states, shape ``(N, d)``, or one state ``(d,)`` shared by
        all parameter sets.
    t_span
        ``(t0, t1)`` with ``t1 > t0``.
    params
        Parameter values: scalars, or 1-D arrays of length ``N`` (one value per
        trajectory); the game's defaults fill the rest.  A single state is
        broadcast against arrays of length ``N``.
    t_eval
        Output times, shape ``(n_t,)`` (increasing, within ``t_span``): dense
        output of the integrator (DOP853: its 7th-order interpolant; RK45:
        Shampine's 4th-order one), mapped to the shares.
    method
        ``"DOP853"`` (default: 8th order, errors of orders 5 and 3 estimated;
        as accurate as :func:`~gametheory.numerics.integrate.simulate` at the
        same tolerances) or ``"RK45"`` (Dormand-Prince 5(4): fewer evaluations
        per step, larger global errors on long transients).
    rtol, atol
        Tolerances of each trajectory's step-size control (on the chart's coordinates); real numbers > 0.
    coordinates
        ``None`` (default): the dynamics' own chart (:attr:`~gametheory.dynamics.base.Dynamics.chart`);
        ``"log-ratio"`` or ``"shares"``.
    backend
        ``"numba"`` (compiled, trajectories in SIMD lanes and parallel threads,
        :mod:`gametheory.numerics.kernel_lanes`; the ``fast`` extra), ``"numpy"`` (vectorised, lockstep over trajectories) or
        ``"auto"``: numba when installed and either its kernel for this system
        is ready (compiled in this process or in the disk cache, see
        :func:`gametheory.numerics.kernel_numba.kernel_cache_dir`) or
        ``N >= AUTO_NUMBA_MIN_TRAJECTORIES`` (compiling takes seconds, once per
        system), numpy otherwise.  Both backends run the same arithmetic and
        agree to rounding error.
    max_steps
        Step attempts allowed per trajectory (an explicit method on a stiff
        problem fails with status -2 rather than running for ever).
    threads
        Threads of the numba backend (default ``numba.get_num_threads()``).
    raise_on_failure
        Raise :class:`IntegrationError` if any trajectory fails; by default
        failures are reported per trajectory in :attr:`Ensemble.status`.
    progress
        Integrate in about 20 chunks and report each on stderr (a tqdm bar when tqdm is
        installed, else a plain line; :mod:`gametheory.progress`).

    Returns
    -------
    Ensemble
        ``y`` of shape ``(N, d, n_t)``, ``final`` of shape ``(N, d)``.

    Examples
    --------
    >>> from gametheory.models import crisis_governance
    >>> game = crisis_governance.game()
    >>> ens = simulate_many(game, [[0.3, 0.6, 0.2], [0.8, 0.1, 0.5]], (0, 200), crisis_governance.OPTIMIZED,
    ...                     backend="numpy")
    >>> ens.final.round(6).tolist()
    [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]
    """
    check_choice(method, METHODS, name="method", what="for ensembles")
    rtol, atol = check_tolerances(rtol, atol)
    max_steps = check_count(max_steps, name="max_steps")
    if threads is not None:
        threads = check_count(threads, name="threads")
    raise_on_failure = check_flag(raise_on_failure, name="raise_on_failure")
    progress = check_flag(progress, name="progress")
    check_choice(backend, BACKENDS, name="backend")
    dyn = as_dynamics(model)
    chart = chart_of(dyn, coordinates)
    (t0, t1), te = check_t_span(t_span, t_eval)
    X0 = dyn.check_states(starts, name="initial states (starts)")
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
    if backend == "auto" and kernel_numba.numba_available() and X0.shape[0] < AUTO_NUMBA_MIN_TRAJECTORIES:
        system = EnsembleSystem.from_dynamics(dyn, "numba", chart)
        compiled = kernel_numba.kernel_is_compiled(system, chart, method)
    used = resolve_backend(backend, X0.shape[0], compiled)
    system = EnsembleSystem.from_dynamics(dyn, used, chart)

    def integrate(X: np.ndarray, Pc: np.ndarray) -> KernelResult:
        if used == "numba":
            return kernel_numba.integrate_numba(
                system, X, Pc, t0, t1, te, rtol, atol, chart, max_steps, method, threads
            )
        return integrate_numpy(system, X, Pc, t0, t1, te, rtol, atol, chart, max_steps, method)

    raw = _in_chunks(integrate, X0, P) if progress else integrate(X0, P)
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
        coordinates=chart,
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


def _in_chunks(integrate: Any, X0: np.ndarray, P: np.ndarray, n_chunks: int = 20) -> KernelResult:
    """Run ``integrate`` on about ``n_chunks`` blocks of trajectories, reporting each on stderr
    (:func:`gametheory.progress.progress_reporter`)."""
    N = X0.shape[0]
    bounds = np.unique(np.linspace(0, N, min(N, n_chunks) + 1).astype(int))
    parts = []
    with progress_reporter(N, "simulate_many", True, unit="trajectories") as bar:
        for lo, hi in zip(bounds[:-1], bounds[1:]):
            parts.append(integrate(X0[lo:hi], P[:, lo:hi] if P.ndim == 2 else P))
            bar.update(int(hi - lo))
    ys = [part.y for part in parts]
    return KernelResult(
        np.concatenate([part.final for part in parts]),
        None if ys[0] is None else np.concatenate(ys),
        *(
            np.concatenate([getattr(part, f) for part in parts])
            for f in ("status", "nfev", "n_steps", "n_rejected")
        ),
    )
