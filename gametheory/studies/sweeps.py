"""Sensitivity sweeps: time paths from a few starts for every value of the swept parameters.

The study is cut into chunks of trajectories integrated by the ensemble kernels
(:func:`gametheory.numerics.ensemble.simulate_many`), run in this process or on
an executor (:mod:`gametheory.studies.execution`) and, with ``store=``, recorded in
a Zarr store a killed run resumes from (:mod:`gametheory.studies.store`).  Only
whole chunks are in memory at a time, plus the trajectories the sweep returns.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .._checks import as_dynamics, keywords_checked
from ..errors import SpecificationError
from . import grids
from .execution import Task, check_progress, external_threads, run_chunks, settings
from .results import StudyResult, freeze, provenance_attrs
from .store import STORE_FORMAT, ArrayLayout, digest, spec_hash, versions

if TYPE_CHECKING:
    from ..dynamics.base import Dynamics
    from ..game import Game

__all__ = ["SweepResult", "sweep"]


def check_coordinates(dyn: Dynamics, coordinates: str | None) -> str:
    """The integration chart: ``coordinates``, or the dynamics' preferred chart (``dyn.chart``) when None."""
    from .._checks import check_choice
    from ..dynamics.base import CHARTS

    return check_choice(dyn.chart if coordinates is None else coordinates, CHARTS, name="coordinates")


def common_spec(kind: str, dyn: Dynamics, options: Mapping[str, Any], fixed: Mapping[str, float]) -> dict:
    """The part of a study's specification every study has (model, fixed parameters, integration options)."""
    return {
        "format": STORE_FORMAT,
        "kind": kind,
        "fingerprint": dyn.game.fingerprint,
        "parameter_names": list(dyn.game.parameter_names),
        "fixed_parameters": dict(fixed),
        "t_span": [options["t0"], options["t1"]],
        "t_eval": None if options["t_eval"] is None else digest(options["t_eval"]),
        "rtol": options["rtol"],
        "atol": options["atol"],
        "coordinates": options["coordinates"],
        "backend": options["backend"],
        "max_steps": options["max_steps"],
        "method": options["method"],
    }


@dataclass(frozen=True, repr=False)
class SweepResult(StudyResult):
    """Trajectories for every combination of swept parameter values and start (immutable).

    Attributes
    ----------
    data : xarray.Dataset
        Variables ``y`` (dims ``(*swept, "start", "coordinate", "t")``, the
        states at the output times), ``final`` (``(*swept, "start",
        "coordinate")``, at ``t_span[1]``), ``status`` (``(*swept, "start")``,
        0 = success) and ``x0`` (``("start", "coordinate")``); coordinates the
        swept values, ``start``, ``coordinate`` (state names) and ``t``;
        ``attrs``: fingerprint, spec_sha256, versions, backend, params.
    chunks : ChunkLog

    ``y``, ``final``, ``status`` are the DataArrays, ``values`` the swept
    values, ``x0`` and ``t`` plain arrays, ``params`` the fixed parameters.

    Examples
    --------
    >>> import gametheory as gt
    >>> from gametheory.models import classic
    >>> res = gt.sweep(classic.matching_pennies_3(), {"a": [1.0, 2.0]}, [[0.2, 0.3, 0.4]],
    ...                t_span=(0, 1), n_times=3, backend="numpy")
    >>> res.y.dims
    ('a', 'start', 'coordinate', 't')
    >>> res.success
    True
    """

    _plot_function = "time_series"

    @property
    def y(self) -> Any:
        return self.data["y"]

    @property
    def final(self) -> Any:
        return self.data["final"]

    @property
    def status(self) -> Any:
        return self.data["status"]

    @property
    def values(self) -> dict[str, np.ndarray]:
        """Swept parameter -> its values."""
        return {name: self.data[name].values for name in self.data.attrs["swept"].split()}

    @property
    def x0(self) -> np.ndarray:
        return self.data["x0"].values

    @property
    def t(self) -> np.ndarray:
        return self.data["t"].values

    @property
    def success(self) -> bool:
        return bool(np.all(self.status.values == 0))

    def to_frame(self) -> Any:
        """Long format: one row per parameter value, start and time; one column per coordinate."""
        frame = self.y.to_series().unstack("coordinate")
        return frame.rename_axis(columns=None).reset_index()

    def summary(self) -> str:
        swept = ", ".join(f"{k}: {len(v)} values" for k, v in self.values.items())
        return f"SweepResult({swept}; {len(self.x0)} starts; {len(self.t)} times; success={self.success})"


@keywords_checked
def sweep(
    model: Dynamics | Game,
    values: Mapping[str, Any],
    starts: Any,
    t_span: tuple[float, float] = (0.0, 50.0),
    params: Mapping[str, Any] | None = None,
    *,
    t_eval: Sequence[float] | None = None,
    n_times: int = 201,
    rtol: float = 1e-8,
    atol: float = 1e-10,
    backend: str = "auto",
    coordinates: str | None = None,
    method: str = "DOP853",
    max_steps: int = 50_000,
    chunk_size: int = 4096,
    store: str | os.PathLike[str] | None = None,
    executor: Any = None,
    progress: bool = False,
    threads: int | None = None,
) -> SweepResult:
    """Time paths from each start for each value of the swept parameter(s).

    The sensitivity-analysis figure: :math:`x(t)` for ``F_n`` in ``values["F_n"]``,
    all other parameters fixed.  With several swept parameters, every
    combination (their Cartesian product) is integrated.

    Parameters
    ----------
    model
        A game or any dynamics.
    values
        ``{name: values}`` of the swept parameter(s); they need no default.
    starts
        Initial states, shape ``(n_starts, d)`` or ``(d,)``.
    t_span, params
        Time span and the other parameters (scalars; defaults fill the rest).
    t_eval, n_times
        Output times; default ``n_times`` evenly spaced times over ``t_span``.
    rtol, atol, backend, coordinates, method, max_steps, threads
        As in :func:`gametheory.numerics.ensemble.simulate_many` (``coordinates=None``:
        its default chart); ``backend="auto"`` is resolved once for the whole sweep.
    chunk_size
        Trajectories per chunk (the unit of work, storage and resumption).
    store, executor
        A Zarr store directory (:mod:`gametheory.studies.store`); an executor
        (:mod:`gametheory.studies.execution`).
    progress
        Show a progress bar (tqdm, when installed) on stderr.

    Returns
    -------
    SweepResult

    Examples
    --------
    >>> import gametheory as gt
    >>> from gametheory.models import classic
    >>> res = gt.sweep(classic.matching_pennies_3(), {"a": [0.5, 1.0]}, [0.2, 0.3, 0.4], t_span=(0, 2),
    ...                n_times=5, backend="numpy")
    >>> res.final.sel(a=1.0, start=0).shape
    (3,)
    """
    from .._checks import check_t_span
    from ..numerics.ensemble import resolve_backend
    from ..numerics.system import EnsembleSystem

    dyn = as_dynamics(model)
    grid = grids.swept_grid(dyn, values, None)
    base = grids.fixed_params(params, grid)
    resolved = grids.resolved_params(dyn, params, grid)
    X0 = dyn.check_states(starts, name="initial states (starts)")
    coordinates = check_coordinates(dyn, coordinates)
    progress = check_progress(progress)
    if t_eval is None:
        if isinstance(n_times, bool) or not isinstance(n_times, (int, np.integer)) or n_times < 2:
            raise SpecificationError(f"n_times must be an integer >= 2, got {n_times!r}")
        (t0, t1), _ = check_t_span(t_span)
        t_eval = np.linspace(t0, t1, int(n_times))
    cells = grids.cells(grid)
    n_cells, n_starts = len(next(iter(cells.values()))), X0.shape[0]
    P = dyn.parameter_vector(base | cells)
    P = P if P.ndim == 2 else np.repeat(P[:, None], n_cells, axis=1)
    total = n_cells * n_starts
    used = resolve_backend(backend, total)
    system = EnsembleSystem.from_dynamics(dyn, used, coordinates)
    options = settings(
        t_span, t_eval, rtol, atol, coordinates, used, max_steps, external_threads(executor, threads), method
    )
    size = grids.positive_int(chunk_size, "chunk_size")
    n_chunks = -(-total // size)
    fixed = {k: v for k, v in resolved.items() if k not in grid}
    spec = common_spec("sweep", dyn, options, fixed)
    spec |= {"values": {k: digest(v) for k, v in grid.items()}, "x0s": digest(X0), "chunk_size": size}
    found = versions(used)
    d, n_t = X0.shape[1], len(options["t_eval"])
    rows = ("trajectory",)
    layout = {
        "final": ArrayLayout((*rows, "coordinate"), (total, d), "float64", size),
        "y": ArrayLayout((*rows, "coordinate", "t"), (total, d, n_t), "float64", size),
        "status": ArrayLayout(rows, (total,), "int8", size),
    }

    def task(i: int) -> Task:
        rows = np.arange(i * size, min(total, (i + 1) * size))
        return Task("sweep", system, options, {"x0": X0[rows % n_starts], "p": P[:, rows // n_starts]})

    results, log = run_chunks(spec, task, n_chunks, layout, store, executor, progress, found)
    final = np.concatenate([results[i]["final"] for i in range(n_chunks)])
    ys = np.concatenate([results[i]["y"] for i in range(n_chunks)])
    status = np.concatenate([results[i]["status"] for i in range(n_chunks)])
    shape = tuple(len(v) for v in grid.values()) + (n_starts,)
    dims = (*grid, "start")
    import xarray as xr

    data = xr.Dataset(
        {
            "y": ((*dims, "coordinate", "t"), ys.reshape(shape + ys.shape[1:])),
            "final": ((*dims, "coordinate"), final.reshape(shape + final.shape[1:])),
            "status": (dims, status.reshape(shape)),
            "x0": (("start", "coordinate"), X0.copy()),
        },
        coords=dict(grid)
        | {"start": np.arange(n_starts), "coordinate": list(dyn.state_names), "t": options["t_eval"].copy()},
        attrs=provenance_attrs(
            dyn.game.fingerprint, spec_hash(spec), found, used, params=resolved, swept=" ".join(grid)
        ),
    )
    return SweepResult(freeze(data), log)
