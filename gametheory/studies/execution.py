"""Running a study: chunks of trajectories, executors (in-process, ``concurrent.futures``, Dask), progress.

A chunk's result depends only on its inputs, so every executor gives
bit-identical results.  Workers receive the generated source of the system
(which pickles; compiled functions do not) and compile it once per process.
With an executor, at most twice as many chunks as it has workers are in flight,
and each task runs the numba kernel on one thread (the executor provides the
parallelism).
"""

from __future__ import annotations

import concurrent.futures
import itertools
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .._checks import check_flag
from ..errors import IntegrationError, SpecificationError
from ..progress import progress_reporter
from .general import classify_general
from .grids import certified_outcomes, sample_states
from .store import ArrayLayout, Store

if TYPE_CHECKING:
    from ..dynamics.base import Dynamics
    from ..numerics.system import EnsembleSystem

__all__ = ["ChunkLog"]


@dataclass(frozen=True)
class ChunkLog:
    """What a run did with its chunks.

    Attributes
    ----------
    n_chunks : int
    computed : tuple of int
        Chunks computed by this run.
    loaded : tuple of int
        Chunks read back from the store.
    repaired : tuple of int
        Chunks recorded in the store whose data was missing or failed its
        checksum; they were recomputed (and are also in ``computed``).
    store : str or None
        The store directory.

    Examples
    --------
    >>> ChunkLog(n_chunks=2, computed=(1,), loaded=(0,)).computed
    (1,)
    """

    n_chunks: int
    computed: tuple[int, ...]
    loaded: tuple[int, ...]
    repaired: tuple[int, ...] = ()
    store: str | None = None


@dataclass(frozen=True)
class Task:
    """One chunk of work; pickles (source text and arrays only) for process pools and Dask."""

    kind: str
    system: EnsembleSystem
    settings: Mapping[str, Any]
    inputs: Mapping[str, Any] = field(default_factory=dict)
    #: The dynamics (certifies the end states of regime maps and basins; pickles as sympy expressions).
    model: Dynamics | None = None


def settings(
    t_span: Any, t_eval: Any, rtol: float, atol: float, coordinates: str, backend: str, max_steps: int,
    threads: int | None, method: str,
) -> dict[str, Any]:  # fmt: skip
    """The checked integration options of a study (one dict, sent with every task)."""
    from .._checks import check_t_span, check_tolerances
    from ..numerics.ensemble import check_method

    (t0, t1), te = check_t_span(t_span, t_eval)
    rtol, atol = check_tolerances(rtol, atol)
    if isinstance(max_steps, bool) or not isinstance(max_steps, (int, np.integer)) or max_steps < 1:
        raise IntegrationError(f"max_steps must be a positive integer, got {max_steps!r}")
    return {"t0": t0, "t1": t1, "t_eval": te, "rtol": rtol, "atol": atol, "coordinates": coordinates,
            "backend": backend, "max_steps": int(max_steps), "threads": threads,
            "method": check_method(method)}  # fmt: skip


def external_threads(executor: Any, threads: int | None) -> int | None:
    """Numba threads per task: one when an executor provides the parallelism."""
    return threads if executor is None else (threads or 1)


def _integrate(task: Task, X0: np.ndarray, P: np.ndarray) -> Any:
    from ..numerics.kernel_numba import integrate_numba
    from ..numerics.kernel_numpy import integrate_numpy

    s = task.settings
    args = (task.system, X0, P, s["t0"], s["t1"], s.get("t_eval"), s["rtol"], s["atol"], s["coordinates"],
            s["max_steps"], s["method"])  # fmt: skip
    if s["backend"] == "numba":
        return integrate_numba(*args, threads=s.get("threads"))
    return integrate_numpy(*args)


def run_task(task: Task) -> dict[str, np.ndarray]:
    """Compute one chunk (runs in the worker; compiled kernels are cached per process)."""
    s = task.settings
    if task.kind == "call":  # a study that brings its own chunk function (gametheory.studies.sensitivity)
        return task.inputs["function"](task.inputs)
    if task.kind == "sweep":
        raw = _integrate(task, task.inputs["x0"], task.inputs["p"])
        return {"final": raw.final, "y": raw.y, "status": raw.status}
    if task.kind not in ("regime", "basins") or task.model is None:
        raise SpecificationError(f"unknown task kind {task.kind!r} (or a task without its dynamics)")
    dyn, t1, tol = task.model, s["t1"], s["tol"]
    V = len(dyn.vertices())
    general = task.inputs.get("general")
    if general is not None:
        V = general["n_labels"] - 2
    if task.kind == "regime":
        starts, P = task.inputs["starts"], task.inputs["p"]
        n_cells, n_starts = P.shape[1], starts.shape[0]
        raw = _integrate(task, np.tile(starts, (n_cells, 1)), np.repeat(P, n_starts, axis=1))
        if general is not None:  # per cell: that cell's certified sinks
            counts = np.zeros((n_cells, V + 2), dtype=np.int64)
            near = np.zeros((n_cells, V), dtype=np.int64)
            for c in range(n_cells):
                rows = slice(c * n_starts, (c + 1) * n_starts)
                sinks, index = general["cells"][c]
                outcome, close = classify_general(raw.final[rows], raw.status[rows], sinks, index, V + 2, tol)
                counts[c] = np.bincount(outcome, minlength=V + 2)
                near[c] = np.bincount(close[close >= 0], minlength=V)
            return {"counts": counts, "near": near}
        counts = np.zeros((n_cells, V + 2), dtype=np.int64)
        near = np.zeros((n_cells, V), dtype=np.int64)
        names = dyn.game.parameter_names
        for c in range(n_cells):  # the certificate takes scalar parameters: one call per cell
            rows = slice(c * n_starts, (c + 1) * n_starts)
            outcome, close = certified_outcomes(
                dyn, raw.final[rows], raw.status[rows], dict(zip(names, P[:, c].tolist())), starts=starts,
                t=t1, tol=tol,
            )  # fmt: skip
            counts[c] = np.bincount(outcome, minlength=V + 2)
            near[c] = np.bincount(close[close >= 0], minlength=V)
        return {"counts": counts, "near": near}
    inputs = {k: v for k, v in task.inputs.items() if k != "general"}
    X0 = sample_states(task.system.strategy_counts, s["sample"], s["seed"], **inputs)
    raw = _integrate(task, X0, s["p"])
    general = task.inputs.get("general")
    if general is not None:  # no vertex theory: certified sinks (gametheory.studies.general)
        V = general["n_labels"] - 2
        outcome, close = classify_general(
            raw.final, raw.status, general["sinks"], general["index"], V + 2, tol
        )
    else:
        params = dict(zip(dyn.game.parameter_names, np.asarray(s["p"], dtype=float).tolist()))
        outcome, close = certified_outcomes(dyn, raw.final, raw.status, params, starts=X0, t=t1, tol=tol)
    if s["sample"] == "grid":
        return {"outcome": outcome.astype(np.int16), "near": close.astype(np.int16)}
    n_reps, size = len(task.inputs["replicates"]), s["replicate_size"]
    groups = np.repeat(np.arange(n_reps), size)
    counts = np.zeros((n_reps, V + 2), dtype=np.int64)
    np.add.at(counts, (groups, outcome), 1)
    near = np.zeros((n_reps, V), dtype=np.int64)
    np.add.at(near, (groups[close >= 0], close[close >= 0]), 1)
    return {"counts": counts, "near": near}


# ====================================================================== running
def _is_dask_client(executor: Any) -> bool:
    return type(executor).__module__.split(".")[0] == "distributed" and hasattr(executor, "submit")


def _window(executor: Any) -> int:
    if _is_dask_client(executor):
        return max(2, 2 * sum(executor.nthreads().values()))
    return max(2, 2 * int(getattr(executor, "_max_workers", 2) or 2))


def check_executor(executor: Any) -> None:
    """Refuse anything but None, a ``concurrent.futures.Executor`` or a Dask client (before any work)."""
    if executor is None or _is_dask_client(executor) or isinstance(executor, concurrent.futures.Executor):
        return
    raise SpecificationError(
        "executor must be None (in-process), a concurrent.futures.Executor or a dask.distributed.Client, "
        f"got {type(executor).__name__}"
    )


def check_progress(progress: Any) -> bool:
    """``progress`` is a bool: True reports chunks on stderr (:func:`gametheory.progress.progress_reporter`)."""
    return check_flag(progress, name="progress", error=SpecificationError)


def run_chunks(
    spec: dict[str, Any],
    tasks: Callable[[int], Task],
    n_chunks: int,
    layout: Mapping[str, ArrayLayout],
    store: str | os.PathLike[str] | None,
    executor: Any,
    progress: bool,
    versions: dict[str, str],
) -> tuple[dict[int, dict[str, np.ndarray]], ChunkLog]:
    """Load recorded chunks, compute the missing ones on ``executor``, record each as it finishes."""
    check_executor(executor)
    opened = Store(store, spec, versions, layout, n_chunks) if store is not None else None
    results: dict[int, dict[str, np.ndarray]] = {}
    if opened is not None:
        for i in range(n_chunks):
            arrays = opened.load(i)
            if arrays is not None:
                results[i] = arrays
    loaded = tuple(sorted(results))
    missing = [i for i in range(n_chunks) if i not in results]
    bar = progress_reporter(len(missing), spec["kind"], progress, unit="chunks")

    def finished(i: int, arrays: dict[str, np.ndarray]) -> None:
        results[i] = arrays
        if opened is not None:
            opened.save(i, arrays)
        bar.update(1)

    try:
        _execute(missing, tasks, executor, finished)
    finally:
        bar.close()
    log = ChunkLog(
        n_chunks=n_chunks,
        computed=tuple(missing),
        loaded=loaded,
        repaired=tuple(sorted(opened.repaired)) if opened is not None else (),
        store=str(opened.path) if opened is not None else None,
    )
    return results, log


def _execute(
    indices: Iterable[int],
    tasks: Callable[[int], Task],
    executor: Any,
    finished: Callable[[int, dict[str, np.ndarray]], None],
) -> None:
    if executor is None:
        for i in indices:
            finished(i, run_task(tasks(i)))
        return
    if _is_dask_client(executor):
        from distributed import wait

        def submit(i: int) -> Any:
            return executor.submit(run_task, tasks(i), pure=False)

        def wait_any(pending: Iterable[Any]) -> Iterable[Any]:
            return wait(list(pending), return_when="FIRST_COMPLETED").done

    else:

        def submit(i: int) -> Any:
            return executor.submit(run_task, tasks(i))

        def wait_any(pending: Iterable[Any]) -> Iterable[Any]:
            return concurrent.futures.wait(list(pending), return_when=concurrent.futures.FIRST_COMPLETED).done

    queue = iter(indices)
    pending: dict[Any, int] = {}
    for i in itertools.islice(queue, _window(executor)):
        pending[submit(i)] = i
    while pending:
        for future in wait_any(pending):
            i = pending.pop(future)
            finished(i, future.result())
            for j in itertools.islice(queue, 1):
                pending[submit(j)] = j
