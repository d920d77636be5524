"""Sweeps at scale: sensitivity sweeps, regime maps and basins of attraction.

Three studies, each cut into chunks of trajectories integrated by the ensemble
kernels (:func:`gametheory.integrate.simulate_many`):

:func:`sweep`
    Time paths from a few initial states for each value of one or more
    parameters (the sensitivity-analysis figure of every paper).
:func:`regime_map`
    Over a 1-D or 2-D parameter grid: which vertices are ESS (strict Nash
    equilibria, the exact corner conditions of
    :func:`gametheory.stability.strict_equilibria`), the symbolic threshold
    lines (:func:`gametheory.stability.critical_values`), and, by simulation,
    the share of sampled starts that reach each vertex.
:func:`basins`
    The share of initial states reaching each attractor, with a standard
    error, from a seeded randomised Sobol sample (or a grid).

Execution
---------
``executor=None`` runs the chunks in this process; any
:class:`concurrent.futures.Executor` (e.g. a ``ProcessPoolExecutor``) or a
Dask ``distributed.Client`` (the ``distributed`` extra) runs them elsewhere.
Workers receive the generated source of the system (which pickles; compiled
functions do not) and compile it once per process.  A chunk's result depends
only on its inputs, so every executor gives bit-identical results.

Stores
------
``store="path/to/dir"`` keeps one directory per study: a chunk file
(``chunk-000012.npz``) for every finished chunk and ``manifest.json`` with the
study's full specification (model fingerprint, parameters, grids, starts,
seeds, tolerances, backend), its SHA-256, the package versions and the
SHA-256 of every chunk file.  The manifest is replaced atomically after each
chunk, so a run killed at any moment (even by SIGKILL) leaves a consistent
store; running the same study again loads the recorded chunks, recomputes a
chunk whose file is missing or fails its checksum, and computes only what is
missing.  A store made for a different study is refused
(:class:`~gametheory.errors.StoreError`).  Chunk files are written once;
the manifest is rewritten after every chunk, so keep studies to thousands of
chunks rather than millions (choose ``chunk_size`` accordingly).

Memory
------
Only whole chunks are in memory at a time, plus what a study returns: the
trajectories for :func:`sweep`, counts per cell or replicate for
:func:`regime_map` and :func:`basins` (so a million-state basin estimate
needs no more memory than one chunk).  With an executor, at most twice as
many chunks as it has workers are in flight, and each task runs the numba
kernel on one thread (the executor provides the parallelism).
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import io
import itertools
import json
import logging
import os
import platform
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ParameterError, StoreError
from ..game import Game

if TYPE_CHECKING:
    from ..dynamics.replicator import ReplicatorDynamics
    from ..numerics.kernels import EnsembleSystem

__all__ = [
    "sweep",
    "regime_map",
    "basins",
    "SweepResult",
    "RegimeMap",
    "Basins",
    "LabelledArray",
    "Provenance",
    "ChunkLog",
    "classify_final_states",
    "sample_states",
]

logger = logging.getLogger(__name__)

STORE_FORMAT = "gametheory-store/1"
#: Largest grid :func:`basins` accepts (its outcome labels are kept in memory).
MAX_GRID_POINTS = 10**8
MANIFEST = "manifest.json"


# ================================================================ labelled arrays
@dataclass(frozen=True)
class LabelledArray:
    """An array whose dimensions have names and whose indices have labels (immutable).

    Attributes
    ----------
    name : str
        What the values are (the value column of :meth:`to_frame`).
    values : ndarray
        The data, one axis per entry of ``dims``.
    dims : tuple of str
        Names of the axes.
    coords : dict
        For every dimension, an array of labels of length ``values.shape[axis]``.
    """

    name: str
    values: np.ndarray
    dims: tuple[str, ...]
    coords: Mapping[str, np.ndarray]

    def __post_init__(self) -> None:
        if self.values.ndim != len(self.dims):
            raise ValueError(f"{self.name}: {self.values.ndim}-D values but dims {self.dims}")
        for axis, dim in enumerate(self.dims):
            if len(self.coords[dim]) != self.values.shape[axis]:
                raise ValueError(f"{self.name}: {len(self.coords[dim])} labels for axis {dim!r} of length "
                                 f"{self.values.shape[axis]}")  # fmt: skip
        self.values.setflags(write=False)
        for labels in self.coords.values():
            labels.setflags(write=False)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.values.shape)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return np.asarray(self.values, dtype=dtype)

    def sel(self, **labels: Any) -> Any:
        """Index by label: ``arr.sel(F_n=2.0, coordinate="x")``; a scalar when every dimension is given."""
        index: list[Any] = [slice(None)] * len(self.dims)
        for dim, label in labels.items():
            if dim not in self.dims:
                from ..errors import suggest

                raise KeyError(
                    f"{self.name} has no dimension {dim!r}{suggest(dim, self.dims)}; dims are {self.dims}"
                )
            coords = self.coords[dim]
            hits = np.flatnonzero(coords == label)
            if hits.size == 0:
                raise KeyError(f"{self.name}: no label {label!r} along {dim!r}; labels are {coords.tolist()}")
            index[self.dims.index(dim)] = int(hits[0])
        kept = [d for d, i in zip(self.dims, index) if isinstance(i, slice)]
        values = self.values[tuple(index)]
        if not kept:
            return values.item() if hasattr(values, "item") else values
        return LabelledArray(self.name, np.array(values), tuple(kept), {d: self.coords[d] for d in kept})

    def to_frame(self, columns: str | None = None) -> Any:
        """A :class:`pandas.DataFrame` in long format: one column per dimension and one for the values.

        With ``columns="coordinate"`` (a dimension name) that dimension is spread
        into one value column per label instead (e.g. ``x``, ``y``, ``z``).
        """
        from ..numerics.integrate import _import_pandas

        pd = _import_pandas()
        dims = list(self.dims)
        values = self.values
        if columns is not None:
            if columns not in dims:
                raise KeyError(f"{self.name} has no dimension {columns!r}; dims are {self.dims}")
            values = np.moveaxis(values, dims.index(columns), -1)
            dims.remove(columns)
        grids = np.meshgrid(*[self.coords[d] for d in dims], indexing="ij") if dims else []
        data = {d: g.reshape(-1) for d, g in zip(dims, grids)}
        if columns is None:
            data[self.name] = values.reshape(-1)
        else:
            for j, label in enumerate(self.coords[columns]):
                data[str(label)] = values[..., j].reshape(-1)
        return pd.DataFrame(data)

    def __repr__(self) -> str:
        shape = ", ".join(f"{d}: {n}" for d, n in zip(self.dims, self.values.shape))
        return f"LabelledArray({self.name!r}, {{{shape}}}, dtype={self.values.dtype})"


def _labelled(name: str, values: np.ndarray, dims: Sequence[str], coords: Mapping[str, Any]) -> LabelledArray:
    # copies: the arrays are frozen, and the labels may be the caller's own arrays
    return LabelledArray(name, np.array(values), tuple(dims), {d: np.array(coords[d]) for d in dims})


# ====================================================================== provenance
@dataclass(frozen=True)
class Provenance:
    """Where a result comes from.

    Attributes
    ----------
    fingerprint : str
        SHA-256 of the model (:attr:`gametheory.game.Game.fingerprint`).
    spec_sha256 : str
        SHA-256 of the full specification of the study (model, parameters,
        grids, starts, seeds, time span, tolerances, backend, chunking): two
        results with the same value were computed from the same inputs.
    versions : dict
        Versions of gametheory, numpy, scipy, sympy (and numba) and Python.
    backend : str
        Ensemble backend used (``"numba"`` or ``"numpy"``).
    """

    fingerprint: str
    spec_sha256: str
    versions: Mapping[str, str]
    backend: str


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
        Chunks recorded in the store whose file was missing or failed its
        checksum; they were recomputed (and are also in ``computed``).
    store : str or None
        The store directory.
    """

    n_chunks: int
    computed: tuple[int, ...]
    loaded: tuple[int, ...]
    repaired: tuple[int, ...] = ()
    store: str | None = None


def _versions(backend: str) -> dict[str, str]:
    import scipy
    import sympy

    from .. import __version__

    out = {
        "gametheory": __version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "sympy": sympy.__version__,
        "python": platform.python_version(),
    }
    if backend == "numba":
        import numba

        out["numba"] = numba.__version__
    return out


def _digest(arr: Any) -> dict[str, Any]:
    """A JSON-able identity of an array: shape, dtype and SHA-256 of its bytes (values too, when small)."""
    a = np.ascontiguousarray(arr)
    out: dict[str, Any] = {
        "shape": list(a.shape),
        "dtype": str(a.dtype),
        "sha256": hashlib.sha256(a.tobytes()).hexdigest(),
    }
    if a.size <= 256 and a.dtype.kind in "fiub":
        out["values"] = a.tolist()
    return out


def _spec_hash(spec: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()


# =========================================================================== store
class _Store:
    """One directory: ``manifest.json`` and one ``.npz`` file per finished chunk (see module docstring)."""

    def __init__(self, path: str | os.PathLike[str], spec: dict[str, Any], versions: dict[str, str]) -> None:
        self.path = Path(path)
        self.spec_sha256 = _spec_hash(spec)
        self.repaired: set[int] = set()
        manifest_path = self.path / MANIFEST
        if self.path.exists() and not self.path.is_dir():
            raise StoreError(f"store {str(self.path)!r} exists and is not a directory")
        if manifest_path.exists():
            try:
                manifest = json.loads(manifest_path.read_text())
                stored_spec = manifest["spec"]
                stored_sha = manifest["spec_sha256"]
                chunks = manifest["chunks"]
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise StoreError(f"store {str(self.path)!r}: unreadable manifest ({exc})") from None
            if manifest.get("format") != STORE_FORMAT:
                raise StoreError(
                    f"store {str(self.path)!r} has format {manifest.get('format')!r}, expected {STORE_FORMAT!r}"
                )
            if stored_sha != self.spec_sha256:
                differ = sorted(k for k in set(spec) | set(stored_spec) if spec.get(k) != stored_spec.get(k))
                raise StoreError(
                    f"store {str(self.path)!r} holds a different study ({stored_spec.get('kind')!r} of model "
                    f"{str(stored_spec.get('fingerprint'))[:12]}...); it differs in {differ}. "
                    "Use another directory, or delete this one to start afresh"
                )
            self.manifest = manifest
            self.chunks: dict[str, dict[str, Any]] = dict(chunks)
            if manifest.get("versions") != versions:
                logger.warning(
                    "store %s was started with %s; resuming with %s",
                    self.path,
                    manifest.get("versions"),
                    versions,
                )
                history = manifest.setdefault("resumed_with", [])
                if versions not in history:
                    history.append(versions)
        else:
            if self.path.exists() and any(self.path.iterdir()):
                raise StoreError(
                    f"store {str(self.path)!r} is a non-empty directory without {MANIFEST}; "
                    "give an empty or new directory"
                )
            self.path.mkdir(parents=True, exist_ok=True)
            self.manifest = {
                "format": STORE_FORMAT,
                "kind": spec["kind"],
                "spec_sha256": self.spec_sha256,
                "spec": spec,
                "versions": versions,
                "chunks": {},
            }
            self.chunks = {}
            self._write_manifest()

    def _write_manifest(self) -> None:
        self.manifest["chunks"] = dict(sorted(self.chunks.items(), key=lambda kv: int(kv[0])))
        tmp = self.path / (MANIFEST + ".tmp")
        tmp.write_text(json.dumps(self.manifest, indent=1, sort_keys=True))
        os.replace(tmp, self.path / MANIFEST)

    def load(self, index: int) -> dict[str, np.ndarray] | None:
        """The arrays of chunk ``index``, or ``None`` if it is not recorded or its file is damaged."""
        entry = self.chunks.get(str(index))
        if entry is None:
            return None
        try:
            data = (self.path / entry["file"]).read_bytes()
        except OSError:
            data = None
        if data is None or hashlib.sha256(data).hexdigest() != entry["sha256"]:
            logger.warning(
                "store %s: chunk %d is missing or fails its checksum; recomputing it", self.path, index
            )
            self.repaired.add(index)
            return None
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            return {k: npz[k] for k in npz.files}

    def save(self, index: int, arrays: Mapping[str, np.ndarray]) -> None:
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        data = buffer.getvalue()
        name = f"chunk-{index:06d}.npz"
        tmp = self.path / (name + ".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, self.path / name)
        self.chunks[str(index)] = {
            "file": name,
            "sha256": hashlib.sha256(data).hexdigest(),
            "bytes": len(data),
        }
        self._write_manifest()


# ======================================================================== tasks
@dataclass(frozen=True)
class _Task:
    """One chunk of work; pickles (source text and arrays only) for process pools and Dask."""

    kind: str
    system: EnsembleSystem
    settings: Mapping[str, Any]
    inputs: Mapping[str, Any] = field(default_factory=dict)


def _integrate(task: _Task, X0: np.ndarray, P: np.ndarray) -> Any:
    from ..numerics.kernels import integrate_numba, integrate_numpy

    s = task.settings
    args = (task.system, X0, P, s["t0"], s["t1"], s.get("t_eval"), s["rtol"], s["atol"], s["coordinates"],
            s["max_steps"], s["method"])  # fmt: skip
    if s["backend"] == "numba":
        return integrate_numba(*args, threads=s.get("threads"))
    return integrate_numpy(*args)


def _run_task(task: _Task) -> dict[str, np.ndarray]:
    """Compute one chunk (runs in the worker; compiled kernels are cached per process)."""
    s = task.settings
    if task.kind == "sweep":
        raw = _integrate(task, task.inputs["x0"], task.inputs["p"])
        return {"final": raw.final, "y": raw.y, "status": raw.status}
    if task.kind == "regime":
        starts, P = task.inputs["starts"], task.inputs["p"]
        n_cells, n_starts = P.shape[1], starts.shape[0]
        X0 = np.tile(starts, (n_cells, 1))
        raw = _integrate(task, X0, np.repeat(P, n_starts, axis=1))
        outcome = classify_final_states(task.system, raw.final, raw.status, s["tol"], s["vertex_order"])
        n_outcomes = len(s["vertex_order"]) + 2
        counts = np.zeros((n_cells, n_outcomes), dtype=np.int64)
        np.add.at(counts, (np.repeat(np.arange(n_cells), n_starts), outcome), 1)
        return {"counts": counts}
    if task.kind == "basins":
        X0 = sample_states(task.system.strategy_counts, s["sample"], s["seed"], **task.inputs)
        raw = _integrate(task, X0, s["p"])
        outcome = classify_final_states(task.system, raw.final, raw.status, s["tol"], s["vertex_order"])
        n_outcomes = len(s["vertex_order"]) + 2
        if s["sample"] == "grid":
            return {"outcome": outcome.astype(np.int16)}
        size = s["replicate_size"]
        groups = np.repeat(np.arange(len(task.inputs["replicates"])), size)
        counts = np.zeros((len(task.inputs["replicates"]), n_outcomes), dtype=np.int64)
        np.add.at(counts, (groups, outcome), 1)
        return {"counts": counts}
    raise ValueError(f"unknown task kind {task.kind!r}")


# ================================================================ classification
def classify_final_states(
    system: EnsembleSystem,
    final: np.ndarray,
    status: np.ndarray,
    tol: float,
    vertex_order: Sequence[int],
) -> np.ndarray:
    """Which vertex each final state lies at.

    A final state is at the pure profile :math:`s` when every reduced coordinate
    is within ``tol`` of the vertex's (max-norm distance); the candidate is the
    profile of each population's largest share.

    Parameters
    ----------
    system
        The system (for the populations' sizes).
    final : ndarray, shape (n, d)
    status : ndarray, shape (n,)
        Integration status (non-zero: failed).
    tol : float
    vertex_order : sequence of int
        ``vertex_order[flat]`` is the position, in ``dyn.vertices()``, of the
        profile with flat index ``flat`` (row-major over the strategy counts).

    Returns
    -------
    ndarray of int, shape (n,)
        The vertex's position in ``dyn.vertices()``; ``V`` (the number of
        vertices) when the state is at no vertex (``"other"``), ``V + 1`` for a
        failed integration (``"failed"``).
    """
    final = np.asarray(final, dtype=float)
    n = final.shape[0]
    V = len(vertex_order)
    picks = []
    distance = np.zeros(n)
    col = 0
    with np.errstate(invalid="ignore"):
        for k in system.strategy_counts:
            block = final[:, col : col + k - 1]
            full = np.concatenate([block, 1.0 - block.sum(axis=1, keepdims=True)], axis=1)
            j = np.argmax(np.nan_to_num(full, nan=-1.0), axis=1)
            vertex = np.zeros_like(block)
            inside = j < k - 1
            vertex[np.flatnonzero(inside), j[inside]] = 1.0
            distance = np.maximum(distance, np.abs(block - vertex).max(axis=1, initial=0.0))
            picks.append(j)
            col += k - 1
    flat = np.ravel_multi_index(tuple(picks), system.strategy_counts) if picks else np.zeros(n, dtype=int)
    out = np.asarray(vertex_order, dtype=np.int64)[flat]
    out = np.where(distance <= tol, out, V)
    out = np.where(np.isfinite(final).all(axis=1), out, V)
    return np.where(np.asarray(status) == 0, out, V + 1)


def _vertex_order(dyn: ReplicatorDynamics) -> tuple[int, ...]:
    """``order[flat index of a profile] = its position in dyn.vertices()``."""
    counts = dyn.game.strategy_counts
    order = [0] * int(np.prod(counts))
    for position, (profile, _) in enumerate(dyn.vertices()):
        flat = int(np.ravel_multi_index(dyn.game.profile_indices(profile), counts))
        order[flat] = position
    return tuple(order)


def _outcome_labels(dyn: ReplicatorDynamics) -> tuple[str, ...]:
    return tuple(",".join(profile) for profile, _ in dyn.vertices()) + ("other", "failed")


# ======================================================================= samples
def sample_states(
    strategy_counts: Sequence[int],
    sample: str,
    seed: int,
    *,
    replicates: Sequence[int] = (),
    replicate_size: int = 0,
    resolution: int = 0,
    start: int = 0,
    stop: int = 0,
) -> np.ndarray:
    """Initial states, uniform over the product of simplices.

    A point :math:`v \\in [0, 1)^d` maps to the states population by population:
    a 2-strategy population's share is :math:`v`; for ``k`` strategies the
    ``k`` spacings of the sorted ``k - 1`` coordinates are uniform on the
    simplex (Dirichlet(1, ..., 1)).

    ``sample="sobol"``: replicate ``r`` is a scrambled Sobol' sequence of
    ``replicate_size`` (a power of two) points with seed ``(seed, r)`` (Owen
    scrambling; independent replicates give an honest standard error).
    ``"random"``: i.i.d. uniform points, seed ``(seed, r)``.  ``"grid"``: the
    cell centres ``(i + 1/2) / resolution`` of a regular grid, flat indices
    ``start:stop`` in row-major order.

    Returns
    -------
    ndarray, shape (n, d)
    """
    from scipy.stats import qmc

    d = sum(k - 1 for k in strategy_counts)
    if sample == "grid":
        flat = np.arange(start, stop)
        idx = np.unravel_index(flat, (resolution,) * d) if d else ()
        V = np.stack([(i + 0.5) / resolution for i in idx], axis=1) if d else np.zeros((len(flat), 0))
    else:
        parts = []
        for r in replicates:
            rng = np.random.default_rng([int(seed), int(r)])
            if sample == "sobol":
                parts.append(qmc.Sobol(d, scramble=True, rng=rng).random(replicate_size))
            else:
                parts.append(rng.random((replicate_size, d)))
        V = np.concatenate(parts) if parts else np.zeros((0, d))
    out = np.empty_like(V)
    col = 0
    for k in strategy_counts:
        block = V[:, col : col + k - 1]
        if k == 2:
            out[:, col] = block[:, 0]
        else:
            ordered = np.sort(block, axis=1)
            out[:, col : col + k - 1] = np.diff(ordered, axis=1, prepend=0.0)
        col += k - 1
    return out


# ====================================================================== running
def _is_dask_client(executor: Any) -> bool:
    return type(executor).__module__.split(".")[0] == "distributed" and hasattr(executor, "submit")


def _window(executor: Any) -> int:
    if _is_dask_client(executor):
        return max(2, 2 * sum(executor.nthreads().values()))
    return max(2, 2 * int(getattr(executor, "_max_workers", 2) or 2))


def _progress_bar(enabled: bool | None, total: int, initial: int, desc: str) -> Any:
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        if enabled is True:
            raise ImportError('progress bars need tqdm: pip install "gametheory-egt[progress]"') from None
        return None
    return tqdm(total=total, initial=initial, desc=desc, unit="chunk")


def _run_chunks(
    spec: dict[str, Any],
    tasks: Callable[[int], _Task],
    n_chunks: int,
    store: str | os.PathLike[str] | None,
    executor: Any,
    progress: bool | None,
    versions: dict[str, str],
) -> tuple[dict[int, dict[str, np.ndarray]], ChunkLog]:
    """Load recorded chunks, compute the missing ones on ``executor``, record each as it finishes."""
    opened = _Store(store, spec, versions) if store is not None else None
    results: dict[int, dict[str, np.ndarray]] = {}
    if opened is not None:
        for i in range(n_chunks):
            arrays = opened.load(i)
            if arrays is not None:
                results[i] = arrays
    loaded = tuple(sorted(results))
    missing = [i for i in range(n_chunks) if i not in results]
    bar = _progress_bar(progress, n_chunks, len(loaded), spec["kind"])

    def finished(i: int, arrays: dict[str, np.ndarray]) -> None:
        results[i] = arrays
        if opened is not None:
            opened.save(i, arrays)
        if bar is not None:
            bar.update(1)

    try:
        _execute(missing, tasks, executor, finished)
    finally:
        if bar is not None:
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
    tasks: Callable[[int], _Task],
    executor: Any,
    finished: Callable[[int, dict[str, np.ndarray]], None],
) -> None:
    if executor is None:
        for i in indices:
            finished(i, _run_task(tasks(i)))
        return
    if _is_dask_client(executor):
        try:
            from distributed import wait
        except ImportError as exc:  # pragma: no cover - a Client implies distributed
            raise ImportError(
                'Dask execution needs distributed: pip install "gametheory-egt[distributed]"'
            ) from exc

        def submit(i: int) -> Any:
            return executor.submit(_run_task, tasks(i), pure=False)

        def wait_any(pending: Iterable[Any]) -> Iterable[Any]:
            return wait(list(pending), return_when="FIRST_COMPLETED").done

    elif isinstance(executor, concurrent.futures.Executor):

        def submit(i: int) -> Any:
            return executor.submit(_run_task, tasks(i))

        def wait_any(pending: Iterable[Any]) -> Iterable[Any]:
            return concurrent.futures.wait(list(pending), return_when=concurrent.futures.FIRST_COMPLETED).done

    else:
        raise TypeError(
            "executor must be None (in-process), a concurrent.futures.Executor or a dask.distributed.Client, "
            f"got {type(executor).__name__}"
        )
    queue = iter(indices)
    pending: dict[Any, int] = {}
    window = _window(executor)
    for i in itertools.islice(queue, window):
        pending[submit(i)] = i
    while pending:
        for future in wait_any(pending):
            i = pending.pop(future)
            finished(i, future.result())
            for j in itertools.islice(queue, 1):
                pending[submit(j)] = j


# ================================================================ shared checks
def _dynamics(dyn_or_game: Any) -> ReplicatorDynamics:
    from ..dynamics.replicator import ReplicatorDynamics

    if isinstance(dyn_or_game, Game):
        return dyn_or_game.replicator()
    if isinstance(dyn_or_game, ReplicatorDynamics):
        return dyn_or_game
    raise TypeError(f"expected a Game or ReplicatorDynamics, got {type(dyn_or_game).__name__}")


def _grid(dyn: ReplicatorDynamics, grid: Mapping[str, Any], max_dims: int | None) -> dict[str, np.ndarray]:
    from ..errors import suggest

    if not isinstance(grid, Mapping) or not grid:
        raise ParameterError("give the swept parameters as a mapping {name: values}, e.g. {'F_n': [1, 2, 4]}")
    if max_dims is not None and len(grid) > max_dims:
        raise ParameterError(f"at most {max_dims} swept parameters, got {list(grid)}")
    names = dyn.game.parameter_names
    out = {}
    for name, values in grid.items():
        if name not in names:
            raise ParameterError(
                f"unknown parameter {name!r}{suggest(str(name), names)}; the game's parameters are {list(names)}"
            )
        try:
            arr = np.asarray(values, dtype=float)
        except (TypeError, ValueError):
            raise ParameterError(f"values of swept parameter {name!r} are not numbers: {values!r}") from None
        arr = arr.reshape(-1) if arr.ndim == 0 else arr
        if arr.ndim != 1 or arr.size == 0:
            raise ParameterError(f"values of swept parameter {name!r} must be a non-empty 1-D sequence")
        out[str(name)] = arr
    return out


def _base_params(
    dyn: ReplicatorDynamics, params: Mapping[str, Any] | None, swept: Iterable[str]
) -> dict[str, Any]:
    params = dict(params or {})
    swept = set(swept)
    for name, value in params.items():
        if np.ndim(value) != 0:
            raise ParameterError(
                f"parameter {name!r}: give scalar values in params; sweep a parameter through the grid instead"
            )
    return {k: v for k, v in params.items() if k not in swept}


def _cells(grid: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    mesh = np.meshgrid(*grid.values(), indexing="ij")
    return {name: m.reshape(-1) for name, m in zip(grid, mesh)}


def _settings(
    t_span: Any, t_eval: Any, rtol: float, atol: float, coordinates: str, backend: str, max_steps: int,
    threads: int | None, method: str,
) -> dict[str, Any]:  # fmt: skip
    from ..errors import IntegrationError
    from ..numerics.integrate import check_method, check_t_span, check_tolerances

    (t0, t1), te = check_t_span(t_span, t_eval)
    rtol, atol = check_tolerances(rtol, atol)
    if coordinates not in ("logit", "shares"):
        raise IntegrationError(f"unknown coordinates {coordinates!r}; use 'logit' or 'shares'")
    if isinstance(max_steps, bool) or not isinstance(max_steps, (int, np.integer)) or max_steps < 1:
        raise IntegrationError(f"max_steps must be a positive integer, got {max_steps!r}")
    return {"t0": t0, "t1": t1, "t_eval": te, "rtol": rtol, "atol": atol, "coordinates": coordinates,
            "backend": backend, "max_steps": int(max_steps), "threads": threads,
            "method": check_method(method)}  # fmt: skip


def _common_spec(kind: str, dyn: ReplicatorDynamics, settings: Mapping[str, Any], p_base: np.ndarray) -> dict:
    return {
        "format": STORE_FORMAT,
        "kind": kind,
        "fingerprint": dyn.game.fingerprint,
        "parameter_names": list(dyn.game.parameter_names),
        "base_parameters": [float(v) for v in p_base],
        "t_span": [settings["t0"], settings["t1"]],
        "t_eval": None if settings["t_eval"] is None else _digest(settings["t_eval"]),
        "rtol": settings["rtol"],
        "atol": settings["atol"],
        "coordinates": settings["coordinates"],
        "backend": settings["backend"],
        "max_steps": settings["max_steps"],
        "method": settings["method"],
    }


def _chunk_size(value: Any, name: str = "chunk_size") -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _external_threads(executor: Any, threads: int | None) -> int | None:
    """Numba threads per task: one when an executor provides the parallelism."""
    return threads if executor is None else (threads or 1)


# ========================================================================= sweep
@dataclass(frozen=True)
class SweepResult:
    """Trajectories for every combination of swept parameter values and initial state (immutable).

    Attributes
    ----------
    y : LabelledArray
        States at the output times, dims ``(*swept, "start", "coordinate", "t")``.
    final : LabelledArray
        States at ``t_span[1]``, dims ``(*swept, "start", "coordinate")``.
    status : LabelledArray
        Integration status per trajectory (0 = success), dims ``(*swept, "start")``.
    values : dict
        Swept parameter -> its values.
    params : dict
        The other parameters' values (defaults filled in).
    x0 : ndarray, shape (n_starts, d)
    t : ndarray
    provenance : Provenance
    chunks : ChunkLog
    """

    y: LabelledArray
    final: LabelledArray
    status: LabelledArray
    values: Mapping[str, np.ndarray]
    params: Mapping[str, float]
    x0: np.ndarray
    t: np.ndarray
    provenance: Provenance
    chunks: ChunkLog

    @property
    def fingerprint(self) -> str:
        return self.provenance.fingerprint

    @property
    def success(self) -> bool:
        return bool(np.all(self.status.values == 0))

    def to_frame(self) -> Any:
        """Long format: one row per parameter value, start and time; one column per coordinate."""
        return self.y.to_frame(columns="coordinate")

    def __repr__(self) -> str:
        swept = ", ".join(f"{k}: {len(v)} values" for k, v in self.values.items())
        return f"SweepResult({swept}; {len(self.x0)} starts; {len(self.t)} times; success={self.success})"


def sweep(
    dyn: ReplicatorDynamics | Game,
    values: Mapping[str, Any],
    x0s: Any,
    t_span: tuple[float, float] = (0.0, 50.0),
    params: Mapping[str, Any] | None = None,
    *,
    t_eval: Sequence[float] | None = None,
    n_times: int = 201,
    rtol: float = 1e-8,
    atol: float = 1e-10,
    backend: str = "auto",
    coordinates: str = "logit",
    method: str = "DOP853",
    max_steps: int = 50_000,
    chunk_size: int = 4096,
    store: str | os.PathLike[str] | None = None,
    executor: Any = None,
    progress: bool | None = None,
    threads: int | None = None,
) -> SweepResult:
    """Time paths from each initial state for each value of the swept parameter(s).

    The sensitivity-analysis figure: :math:`x(t)` for ``F_n`` in ``values["F_n"]``,
    all other parameters fixed.  With several swept parameters, every
    combination (their Cartesian product) is integrated.

    Parameters
    ----------
    dyn
        The dynamics (or a game).
    values
        ``{name: values}`` of the swept parameter(s).
    x0s
        Initial states, shape ``(n_starts, d)`` or ``(d,)``.
    t_span, params
        Time span and the other parameters (scalars; defaults fill the rest).
    t_eval, n_times
        Output times; default ``n_times`` evenly spaced times over ``t_span``.
    rtol, atol, backend, coordinates, method, max_steps, threads
        As in :func:`gametheory.integrate.simulate_many`; ``backend="auto"`` is
        resolved once for the whole sweep.
    chunk_size
        Trajectories per chunk (the unit of work, storage and resumption).
    store, executor, progress
        See the module docstring; ``progress=None`` shows a bar when stderr is a terminal.

    Returns
    -------
    SweepResult
    """
    from ..numerics.integrate import check_t_span, resolve_backend
    from ..numerics.kernels import EnsembleSystem

    dyn = _dynamics(dyn)
    grid = _grid(dyn, values, None)
    base = _base_params(dyn, params, grid)
    X0 = dyn.check_states(x0s, name="initial states x0s")
    if t_eval is None:
        if isinstance(n_times, bool) or not isinstance(n_times, (int, np.integer)) or n_times < 2:
            raise ValueError(f"n_times must be an integer >= 2, got {n_times!r}")
        (t0, t1), _ = check_t_span(t_span)
        t_eval = np.linspace(t0, t1, int(n_times))
    cells = _cells(grid)
    n_cells, n_starts = len(next(iter(cells.values()))), X0.shape[0]
    P = dyn.parameter_vector(base | cells)
    P = P if P.ndim == 2 else np.repeat(P[:, None], n_cells, axis=1)
    total = n_cells * n_starts
    used = resolve_backend(backend, total)
    system = EnsembleSystem.from_dynamics(dyn, used, coordinates)
    settings = _settings(
        t_span, t_eval, rtol, atol, coordinates, used, max_steps, _external_threads(executor, threads), method
    )
    size = _chunk_size(chunk_size)
    n_chunks = -(-total // size)
    spec = _common_spec("sweep", dyn, settings, dyn.parameter_vector(base))
    spec |= {"values": {k: _digest(v) for k, v in grid.items()}, "x0s": _digest(X0), "chunk_size": size}
    versions = _versions(used)

    def task(i: int) -> _Task:
        rows = np.arange(i * size, min(total, (i + 1) * size))
        return _Task("sweep", system, settings, {"x0": X0[rows % n_starts], "p": P[:, rows // n_starts]})

    results, log = _run_chunks(spec, task, n_chunks, store, executor, progress, versions)
    final = np.concatenate([results[i]["final"] for i in range(n_chunks)])
    ys = np.concatenate([results[i]["y"] for i in range(n_chunks)])
    status = np.concatenate([results[i]["status"] for i in range(n_chunks)])
    shape = tuple(len(v) for v in grid.values()) + (n_starts,)
    coords: dict[str, Any] = dict(grid) | {
        "start": np.arange(n_starts),
        "coordinate": np.array(dyn.state_names),
        "t": settings["t_eval"],
    }
    dims = (*grid, "start")
    return SweepResult(
        y=_labelled("share", ys.reshape(shape + ys.shape[1:]), (*dims, "coordinate", "t"), coords),
        final=_labelled("share", final.reshape(shape + final.shape[1:]), (*dims, "coordinate"), coords),
        status=_labelled("status", status.reshape(shape), dims, coords),
        values={k: v.copy() for k, v in grid.items()},
        params=dict(zip(dyn.game.parameter_names, map(float, dyn.parameter_vector(base)))),
        x0=X0.copy(),
        t=settings["t_eval"].copy(),
        provenance=Provenance(dyn.game.fingerprint, _spec_hash(spec), versions, used),
        chunks=log,
    )


# ==================================================================== regime map
@dataclass(frozen=True)
class RegimeMap:
    """Which equilibrium prevails in each cell of a parameter grid (immutable).

    Attributes
    ----------
    ess : LabelledArray of bool
        Dims ``(*swept, "vertex")``: whether each vertex is a strict Nash
        equilibrium (= ESS = asymptotically stable rest point) in each cell;
        exact corner conditions, no simulation.
    regime : LabelledArray of str
        Dims ``swept``: ``"ESS C,E,A"`` (unique), ``"bistable C,E,A | B,P,I"``
        (several ESS) or ``"no ESS"``.
    shares : LabelledArray of float or None
        Dims ``(*swept, "outcome")``: share of the ``n_starts`` sampled initial
        states whose trajectory is at each vertex at ``t_span[1]`` (outcomes:
        the vertices, ``"other"`` and ``"failed"``); ``None`` without simulation.
    prevailing : LabelledArray of str or None
        Dims ``swept``: the outcome with the largest share.
    thresholds : dict or None
        For each swept parameter, the critical values of
        :func:`gametheory.stability.critical_values` (symbolic thresholds at
        which a corner condition changes sign, to draw as lines); ``None`` where
        that function is not available.
    values : dict
        Swept parameter -> values.
    n_starts : int
    provenance : Provenance
    chunks : ChunkLog
    """

    ess: LabelledArray
    regime: LabelledArray
    shares: LabelledArray | None
    prevailing: LabelledArray | None
    thresholds: Mapping[str, Any] | None
    values: Mapping[str, np.ndarray]
    n_starts: int
    provenance: Provenance
    chunks: ChunkLog

    @property
    def fingerprint(self) -> str:
        return self.provenance.fingerprint

    def to_frame(self) -> Any:
        """One row per cell: swept values, regime, number of ESS, and the share of each outcome."""
        frame = self.regime.to_frame()
        frame["n_ess"] = self.ess.values.sum(axis=-1).reshape(-1)
        if self.shares is not None:
            wide = self.shares.to_frame(columns="outcome")
            for label in self.shares.coords["outcome"]:
                frame[f"share {label}"] = wide[str(label)].to_numpy()
            frame["prevailing"] = self.prevailing.values.reshape(-1)
        return frame

    def __repr__(self) -> str:
        swept = " x ".join(f"{k} ({len(v)})" for k, v in self.values.items())
        kinds = sorted(set(self.regime.values.reshape(-1).tolist()))
        return f"RegimeMap({swept}; regimes {kinds}; {self.n_starts} simulated starts per cell)"


def _regime_labels(ess: np.ndarray, labels: Sequence[str]) -> np.ndarray:
    out = []
    for row in ess.reshape(-1, ess.shape[-1]):
        which = [labels[v] for v in np.flatnonzero(row)]
        if not which:
            out.append("no ESS")
        elif len(which) == 1:
            out.append(f"ESS {which[0]}")
        else:
            out.append(
                "bistable " + " | ".join(which) if len(which) == 2 else "multistable " + " | ".join(which)
            )
    return np.array(out, dtype=object).reshape(ess.shape[:-1])


def _thresholds(game: Game, names: Iterable[str], params: Mapping[str, Any]) -> dict[str, Any] | None:
    """Critical values of each swept parameter, from :func:`gametheory.stability.critical_values`.

    Returns ``None`` while that function is not available.
    """
    from ..analysis import stability

    critical_values = getattr(stability, "critical_values", None)
    if critical_values is None:
        return None
    return {name: tuple(critical_values(game, name, params)) for name in names}


def regime_map(
    game: Game | ReplicatorDynamics,
    values: Mapping[str, Any],
    params: Mapping[str, Any] | None = None,
    *,
    n_starts: int = 32,
    t_span: tuple[float, float] = (0.0, 200.0),
    tol: float = 1e-3,
    seed: int = 0,
    rtol: float = 1e-8,
    atol: float = 1e-10,
    backend: str = "auto",
    coordinates: str = "logit",
    method: str = "DOP853",
    max_steps: int = 50_000,
    chunk_size: int = 65536,
    store: str | os.PathLike[str] | None = None,
    executor: Any = None,
    progress: bool | None = None,
    threads: int | None = None,
) -> RegimeMap:
    """Which ESS / attractor prevails in each cell of a 1-D or 2-D parameter grid.

    Two views of every cell :math:`(p_1, p_2)`:

    1. exact: the vertices that are strict Nash equilibria,
       :math:`f_{ij}(s) < f_{is_i}(s)` for every deviation (the ESS, which are the
       asymptotically stable rest points; Selten 1980, Ritzberger & Weibull
       1995), from :func:`gametheory.stability.strict_equilibria`, vectorised
       over the cells; the symbolic thresholds where a condition changes sign
       come from :func:`gametheory.stability.critical_values`;
    2. simulated: ``n_starts`` initial states (a scrambled Sobol' sample, seed
       ``seed``, the same in every cell) are integrated to ``t_span[1]`` and
       classified by the vertex they are within ``tol`` of.

    Parameters
    ----------
    game
        The game (or its dynamics).
    values
        ``{name: values}`` for one or two swept parameters.
    params
        Other parameters (scalars; defaults fill the rest).
    n_starts
        Simulated starts per cell (0: exact conditions only).
    t_span, tol, seed
        Integration span, classification tolerance (max-norm distance to the
        vertex) and sample seed.
    rtol, atol, backend, coordinates, method, max_steps, threads
        As in :func:`gametheory.integrate.simulate_many`.
    chunk_size
        Trajectories per chunk (whole cells per chunk).
    store, executor, progress
        See the module docstring.

    Returns
    -------
    RegimeMap
    """
    from ..analysis.stability import strict_equilibria
    from ..numerics.integrate import resolve_backend
    from ..numerics.kernels import EnsembleSystem

    dyn = _dynamics(game)
    grid = _grid(dyn, values, 2)
    base = _base_params(dyn, params, grid)
    if isinstance(n_starts, bool) or not isinstance(n_starts, (int, np.integer)) or n_starts < 0:
        raise ValueError(f"n_starts must be a non-negative integer, got {n_starts!r}")
    tol = _tolerance(tol)
    cells = _cells(grid)
    n_cells = len(next(iter(cells.values())))
    shape = tuple(len(v) for v in grid.values())
    merged = base | cells
    ess = np.asarray(strict_equilibria(dyn, merged))
    ess = ess.reshape(-1, 1) if ess.ndim == 1 else ess
    ess = np.broadcast_to(ess, (ess.shape[0], n_cells)).T.reshape(shape + (ess.shape[0],))
    labels = _outcome_labels(dyn)
    vertex_labels = labels[:-2]
    coords: dict[str, Any] = dict(grid) | {"vertex": np.array(vertex_labels), "outcome": np.array(labels)}
    used = resolve_backend(backend, n_cells * n_starts)
    system = EnsembleSystem.from_dynamics(dyn, used, coordinates)
    settings = _settings(
        t_span, None, rtol, atol, coordinates, used, max_steps, _external_threads(executor, threads), method
    )
    settings |= {"tol": tol, "vertex_order": _vertex_order(dyn)}
    spec = _common_spec("regime_map", dyn, settings, dyn.parameter_vector(base))
    spec |= {"values": {k: _digest(v) for k, v in grid.items()}, "n_starts": int(n_starts), "seed": int(seed),
             "tol": tol}  # fmt: skip
    versions = _versions(used)
    thresholds = _thresholds(dyn.game, grid, base)  # before the simulation: cheap, and fails early
    shares = prevailing = None
    log = ChunkLog(0, (), ())
    if n_starts:
        size = _chunk_size(chunk_size)
        cells_per_chunk = max(1, size // n_starts)
        n_chunks = -(-n_cells // cells_per_chunk)
        spec["cells_per_chunk"] = cells_per_chunk
        replicate = 1 << int(np.ceil(np.log2(n_starts)))
        starts = sample_states(
            system.strategy_counts, "sobol", seed, replicates=(0,), replicate_size=replicate
        )
        starts = starts[:n_starts]
        P = dyn.parameter_vector(merged)
        P = P if P.ndim == 2 else np.repeat(P[:, None], n_cells, axis=1)

        def task(i: int) -> _Task:
            cols = slice(i * cells_per_chunk, min(n_cells, (i + 1) * cells_per_chunk))
            return _Task("regime", system, settings, {"starts": starts, "p": P[:, cols]})

        results, log = _run_chunks(spec, task, n_chunks, store, executor, progress, versions)
        counts = np.concatenate([results[i]["counts"] for i in range(n_chunks)])
        share_values = (counts / n_starts).reshape(shape + (len(labels),))
        shares = _labelled("share", share_values, (*grid, "outcome"), coords)
        best = np.array(labels, dtype=object)[np.argmax(share_values, axis=-1)]
        prevailing = _labelled("prevailing", best, tuple(grid), coords)
    return RegimeMap(
        ess=_labelled("ess", ess, (*grid, "vertex"), coords),
        regime=_labelled("regime", _regime_labels(ess, vertex_labels), tuple(grid), coords),
        shares=shares,
        prevailing=prevailing,
        thresholds=thresholds,
        values={k: v.copy() for k, v in grid.items()},
        n_starts=int(n_starts),
        provenance=Provenance(dyn.game.fingerprint, _spec_hash(spec), versions, used),
        chunks=log,
    )


def _tolerance(tol: Any) -> float:
    if isinstance(tol, bool) or not (isinstance(tol, (int, float)) and np.isfinite(tol) and 0 < tol < 1):
        raise ValueError(f"tol must be a number in (0, 1), got {tol!r}")
    return float(tol)


# ======================================================================== basins
@dataclass(frozen=True)
class Basins:
    """Shares of initial states reaching each attractor (immutable).

    Attributes
    ----------
    share : LabelledArray
        Dim ``"outcome"``: the share of sampled states whose trajectory is, at
        ``t_span[1]``, within ``tol`` of each vertex; ``"other"`` (at no vertex:
        still moving, a cycle, an interior or edge rest point) and ``"failed"``.
    standard_error : LabelledArray
        Dim ``"outcome"``: standard error of ``share``,
        :math:`\\mathrm{sd}(\\hat p_r)/\\sqrt{R}` over the ``R`` independent
        replicates (scrambled Sobol' sequences or random samples);
        NaN for a grid (not a random sample) or a single replicate.
    counts : LabelledArray
        Dim ``"outcome"``: number of states per outcome.
    ess : LabelledArray
        Dim ``"vertex"``: which vertices are strict Nash equilibria (ESS).
    grid : LabelledArray or None
        For ``sample="grid"``: the outcome index of every grid point, dims the
        state coordinates when every population has 2 strategies (the grid is
        then the state space), else ``("point",)`` in the order of :func:`sample_states`.
    n : int
        Number of initial states.
    sample : str
        ``"sobol"``, ``"random"`` or ``"grid"``.
    replicates : int
        Number of independent replicates (1 for a grid).
    seed : int
    params : dict
    provenance : Provenance
    chunks : ChunkLog
    """

    share: LabelledArray
    standard_error: LabelledArray
    counts: LabelledArray
    ess: LabelledArray
    grid: LabelledArray | None
    n: int
    sample: str
    replicates: int
    seed: int
    params: Mapping[str, float]
    provenance: Provenance
    chunks: ChunkLog

    @property
    def fingerprint(self) -> str:
        return self.provenance.fingerprint

    @property
    def outcomes(self) -> tuple[str, ...]:
        return tuple(self.share.coords["outcome"].tolist())

    def to_frame(self) -> Any:
        """One row per outcome: share, standard error, count."""
        frame = self.share.to_frame()
        frame["standard_error"] = self.standard_error.values
        frame["count"] = self.counts.values
        return frame

    def __repr__(self) -> str:
        parts = [
            f"{label}: {s:.4f} ± {e:.1e}"
            for label, s, e in zip(self.outcomes, self.share.values, self.standard_error.values)
            if s > 0
        ]
        return f"Basins(n={self.n}, {self.sample}; " + "; ".join(parts) + ")"


def basins(
    dyn: ReplicatorDynamics | Game,
    params: Mapping[str, Any] | None = None,
    n: int | None = None,
    *,
    resolution: int | None = None,
    sample: str = "sobol",
    seed: int = 0,
    t_span: tuple[float, float] = (0.0, 200.0),
    tol: float = 1e-3,
    replicate_size: int | None = None,
    rtol: float = 1e-8,
    atol: float = 1e-10,
    backend: str = "auto",
    coordinates: str = "logit",
    method: str = "DOP853",
    max_steps: int = 50_000,
    chunk_size: int = 65536,
    store: str | os.PathLike[str] | None = None,
    executor: Any = None,
    progress: bool | None = None,
    threads: int | None = None,
) -> Basins:
    """Share of initial states reaching each attractor, with a standard error.

    Initial states are drawn uniformly over the product of simplices (see
    :func:`sample_states`), integrated to ``t_span[1]`` and classified by the
    vertex they are within ``tol`` of (max-norm).  In multi-population replicator
    dynamics the asymptotically stable states are the strict equilibria, which
    are vertices (Ritzberger & Weibull 1995); states at no vertex count as
    ``"other"``.

    With ``sample="sobol"`` (default) or ``"random"`` the ``n`` points form
    ``R = n / replicate_size`` independent replicates (scrambled Sobol'
    sequences of ``replicate_size`` points, a power of two, each with its own
    seed ``(seed, r)``); ``n`` is rounded up to a multiple of
    ``replicate_size``.  The estimate is :math:`\\hat p = \\frac1R\\sum_r \\hat p_r`
    with standard error :math:`\\mathrm{sd}(\\hat p_r)/\\sqrt R` (randomised
    quasi-Monte Carlo; Owen 1997).  ``resolution=r`` instead integrates the
    :math:`r^d` cell centres of a grid.

    Parameters
    ----------
    dyn
        The dynamics (or a game).
    params
        Parameter values (scalars; defaults fill the rest).
    n
        Number of sampled states (default 4096); or give ``resolution``.
    resolution
        Grid points per coordinate (``sample="grid"``).
    sample, seed
        ``"sobol"``, ``"random"`` or ``"grid"``; the seed of the sample.
    t_span, tol
        Integration span and classification tolerance.
    replicate_size
        Points per replicate (a power of two; default: the largest power of two
        up to ``n / 16``, at most 16384, so that there are about 16 or more replicates).
    rtol, atol, backend, coordinates, method, max_steps, threads
        As in :func:`gametheory.integrate.simulate_many`.
    chunk_size
        Trajectories per chunk (whole replicates per chunk); results are
        streamed: memory does not grow with ``n``.
    store, executor, progress
        See the module docstring.

    Returns
    -------
    Basins
    """
    from ..numerics.integrate import resolve_backend
    from ..numerics.kernels import EnsembleSystem

    dyn = _dynamics(dyn)
    base = _base_params(dyn, params, ())
    p_base = dyn.parameter_vector(base)
    tol = _tolerance(tol)
    size = _chunk_size(chunk_size)
    d = dyn.dimension
    if resolution is not None:
        if n is not None:
            raise ValueError("give either n (a random or Sobol' sample) or resolution (a grid), not both")
        resolution = _chunk_size(resolution, "resolution")
        sample = "grid"
    elif sample == "grid":
        raise ValueError("sample='grid' needs resolution=")
    if sample not in ("sobol", "random", "grid"):
        raise ValueError(f"unknown sample {sample!r}; use 'sobol', 'random' or 'grid' (with resolution=)")
    if sample == "grid":
        total = int(resolution) ** d
        if total > MAX_GRID_POINTS:
            raise ValueError(
                f"a grid of resolution {resolution} in {d} dimensions has {total:.3g} points (more than "
                f"{MAX_GRID_POINTS:.0e}); use sample='sobol' with n states instead"
            )
        n_replicates, rep = 1, 0
        n_chunks = -(-total // size)
    else:
        n = 4096 if n is None else _chunk_size(n, "n")
        if replicate_size is None:
            rep = 1 << max(0, min(14, int(np.floor(np.log2(max(n / 16, 1))))))
        else:
            rep = _chunk_size(replicate_size, "replicate_size")
            if rep & (rep - 1):
                raise ValueError(f"replicate_size must be a power of two (Sobol' balance), got {rep}")
        n_replicates = -(-n // rep)
        total = n_replicates * rep
        per_chunk = max(1, size // rep)
        n_chunks = -(-n_replicates // per_chunk)
    used = resolve_backend(backend, total)
    system = EnsembleSystem.from_dynamics(dyn, used, coordinates)
    settings = _settings(
        t_span, None, rtol, atol, coordinates, used, max_steps, _external_threads(executor, threads), method
    )
    vertex_order = _vertex_order(dyn)
    settings |= {"tol": tol, "vertex_order": vertex_order, "sample": sample, "seed": int(seed), "p": p_base,
                 "replicate_size": rep}  # fmt: skip
    spec = _common_spec("basins", dyn, settings, p_base)
    spec |= {"sample": sample, "seed": int(seed), "n": total, "resolution": resolution, "replicate_size": rep,
             "chunk_size": size, "tol": tol}  # fmt: skip
    versions = _versions(used)

    def task(i: int) -> _Task:
        if sample == "grid":
            inputs = {"resolution": resolution, "start": i * size, "stop": min(total, (i + 1) * size)}
        else:
            reps = tuple(range(i * per_chunk, min(n_replicates, (i + 1) * per_chunk)))
            inputs = {"replicates": reps, "replicate_size": rep}
        return _Task("basins", system, settings, inputs)

    results, log = _run_chunks(spec, task, n_chunks, store, executor, progress, versions)
    labels = _outcome_labels(dyn)
    coords: dict[str, Any] = {"outcome": np.array(labels), "vertex": np.array(labels[:-2])}
    grid_result = None
    if sample == "grid":
        outcome = np.concatenate([results[i]["outcome"] for i in range(n_chunks)]).astype(np.int64)
        counts = np.bincount(outcome, minlength=len(labels))
        share = counts / total
        error = np.full(len(labels), np.nan)
        if all(k == 2 for k in dyn.game.strategy_counts):
            centres = (np.arange(resolution) + 0.5) / resolution
            grid_coords = {name: centres for name in dyn.state_names}
            grid_result = _labelled(
                "outcome", outcome.reshape((resolution,) * d), dyn.state_names, grid_coords
            )
        else:
            grid_result = _labelled("outcome", outcome, ("point",), {"point": np.arange(total)})
    else:
        per_rep = np.concatenate([results[i]["counts"] for i in range(n_chunks)])
        counts = per_rep.sum(axis=0)
        p_r = per_rep / rep
        share = p_r.mean(axis=0)
        error = (
            p_r.std(axis=0, ddof=1) / np.sqrt(n_replicates)
            if n_replicates > 1
            else np.full(len(labels), np.nan)
        )
    try:
        from ..analysis.stability import strict_equilibria

        ess = np.asarray(strict_equilibria(dyn, base), dtype=bool)
    except ImportError:  # pragma: no cover - stability ships with the package
        ess = np.zeros(len(labels) - 2, dtype=bool)
    return Basins(
        share=_labelled("share", share, ("outcome",), coords),
        standard_error=_labelled("standard_error", error, ("outcome",), coords),
        counts=_labelled("count", counts, ("outcome",), coords),
        ess=_labelled("ess", ess, ("vertex",), coords),
        grid=grid_result,
        n=int(total),
        sample=sample,
        replicates=int(n_replicates),
        seed=int(seed),
        params=dict(zip(dyn.game.parameter_names, map(float, p_base))),
        provenance=Provenance(dyn.game.fingerprint, _spec_hash(spec), versions, used),
        chunks=log,
    )
