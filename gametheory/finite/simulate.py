r"""Exact stochastic simulation of a finite-population process, and its mean-field limit.

**What is simulated.** The embedded jump chain of
:class:`~gametheory.finite.process.FiniteProcess` itself: at each *event* one move
:math:`(i, a \to b)` happens with the exact probability
:math:`T_{a\to b}(n)` of :meth:`~gametheory.finite.process.FiniteProcess.rates`
(the :math:`1/N` choice of population included), and the composition stays put with
probability :math:`1 - \sum T` (self-transitions are part of the chain).  The runs
of self-transitions are skipped exactly by drawing their geometric length
(:mod:`._sim_kernels`), so every run is a sample of the chain, not an approximation.

**Time.** Deterministic: each event lasts :math:`1/S` time units,
:math:`S = \sum_i Z_i` (the unit of :mod:`~gametheory.finite.process`: one unit is
:math:`S` events).  Time :math:`t` is the composition after :math:`\lfloor tS \rfloor`
events.  (A continuous-time version with exponential waiting times of mean
:math:`1/S` has the same embedded chain and the same mean-field limit; it is not
offered.)  A run stops at ``t_max`` (or after ``steps`` events) or earlier when it
reaches a composition where no move is possible: without mutation, exactly the
compositions monomorphic in every population (the *absorbing* states).

**Mean field** (:func:`mean_field`).  As :math:`Z_i \to \infty` the shares follow,
in the same time unit, :math:`\dot x_{ib} = (\bar Z / Z_i)\,D_{ib}(x)` with, for
the Fermi process,

.. math::  D_{ib} = (1-\mu)\,x_{ib}\sum_a x_{ia}\tanh\big(\beta(f_{ib}-f_{ia})/2\big)
           + \mu\,\frac{1 - k_i x_{ib}}{k_i - 1}

(the :class:`~gametheory.dynamics.imitation.ImitationDynamics` field when
:math:`\mu = 0`), and for the Moran process, with :math:`s_{ib} = x_{ib}\phi_{ib}/\bar\phi_i`,
:math:`\phi = 1 - w + wf`,

.. math::  D_{ib} = (1-\mu)(s_{ib} - x_{ib}) + \mu\,\frac{1 - s_{ib} - (k_i - 1)x_{ib}}{k_i - 1},

the replicator field times :math:`w/\bar\phi_i` when :math:`\mu = 0`; :math:`f` are
the infinite-population payoffs (the replicator's).

**Reproducibility.** Runs are cut into chunks of ``chunk_size``; chunk ``c`` is
seeded by the ``c``-th :meth:`numpy.random.SeedSequence.spawn` child of ``seed``
and each of its runs by one 64-bit word of that child.  The result depends on
``seed`` and ``chunk_size`` only: not on the executor, nor on the backend.
"""

from __future__ import annotations

import concurrent.futures
import math
import numbers
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.integrate import solve_ivp

from ..errors import ParameterError, SpecificationError, StateError
from ..limits import MAX_RATE_TABLE_ENTRIES
from ..progress import progress_reporter
from . import _sim_kernels
from .chain import compositions, monomorphic_labels
from .sim_results import FiniteSimulation

if TYPE_CHECKING:
    from .process import FiniteProcess

__all__ = ["simulate", "rate_table", "mean_field", "FiniteSimulation"]

#: Runs per chunk (the unit of seeding and of parallel work).
CHUNK_SIZE = 256
#: Record points when ``record`` is not given (the start and the end included).
DEFAULT_RECORD = 101


def rate_table(process: FiniteProcess) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cumulative per-event move probabilities of every composition, indexed by a mixed radix.

    Row ``sum_i stride_i sum_{j < k_i - 1} n_ij (Z_i + 1)^j`` holds the cumulative
    sum of :meth:`~gametheory.finite.process.FiniteProcess.rates` at composition ``n``
    (rows of non-compositions stay 0; a composition the process refuses, a Moran
    fitness <= 0, holds NaN).  Returns the table, the change of the row index made by
    each move and each move's (losing, gaining) coordinate.  At most
    :data:`~gametheory.limits.MAX_RATE_TABLE_ENTRIES` entries.

    Examples
    --------
    >>> import gametheory as gt
    >>> from gametheory.models import classic
    >>> table, delta, moves = rate_table(gt.pairwise_comparison(classic.hawk_dove(), 4))
    >>> table.shape, delta.tolist(), moves.tolist()
    ((5, 2), [-1, 1], [[0, 1], [1, 0]])
    """
    sizes, ks = process.sizes, process.game.strategy_counts
    radix = [np.array([(z + 1) ** j for j in range(k - 1)] + [0], dtype=np.int64) for z, k in zip(sizes, ks)]
    spans = [(z + 1) ** (k - 1) for z, k in zip(sizes, ks)]
    strides = [math.prod(spans[i + 1 :]) for i in range(len(spans))]
    n_rows, n_moves = math.prod(spans), len(process.moves)
    if n_rows * n_moves > MAX_RATE_TABLE_ENTRIES:
        raise SpecificationError(
            f"simulating needs a table of {n_rows:,} x {n_moves} move probabilities (sizes {sizes}, "
            f"strategies {ks}), more than MAX_RATE_TABLE_ENTRIES = {MAX_RATE_TABLE_ENTRIES:,}: use smaller "
            "populations or fewer strategies"
        )
    per_pop = [compositions(z, k) for z, k in zip(sizes, ks)]
    keys = [c @ rad for c, rad in zip(per_pop, radix)]
    lengths = tuple(len(c) for c in per_pop)
    table = np.zeros((n_rows, n_moves))
    n_states, block = math.prod(lengths), 1 << 15
    for lo in range(0, n_states, block):  # block by block: the peak memory is the table's
        ranks = np.unravel_index(np.arange(lo, min(lo + block, n_states)), lengths)
        counts = np.concatenate([c[r] for c, r in zip(per_pop, ranks)], axis=1)
        rows = sum(st * k[r] for st, k, r in zip(strides, keys, ranks))
        table[rows] = np.cumsum(_rates_or_nan(process, counts), axis=1)
    offsets = process.payoff_model.offsets
    delta = np.array([strides[i] * (radix[i][b] - radix[i][a]) for i, a, b in process.moves], dtype=np.int64)
    moves = np.array([(offsets[i] + a, offsets[i] + b) for i, a, b in process.moves], dtype=np.int64)
    return table, delta, moves


def _rates_or_nan(process: FiniteProcess, counts: np.ndarray, block: int = 4096) -> np.ndarray:
    out = np.empty((len(counts), len(process.moves)))
    for lo in range(0, len(counts), block):
        part = counts[lo : lo + block]
        try:
            out[lo : lo + block] = process.rates(part)
        except StateError:  # a Moran fitness <= 0 somewhere: refuse only those compositions
            for j, row in enumerate(part):
                try:
                    out[lo + j] = process.rates(row)
                except StateError:
                    out[lo + j] = np.nan
    return out


def _index(process: FiniteProcess, x0: np.ndarray) -> int:
    sizes, ks = process.sizes, process.game.strategy_counts
    spans = [(z + 1) ** (k - 1) for z, k in zip(sizes, ks)]
    offsets = process.payoff_model.offsets
    total = 0
    for i, (z, k) in enumerate(zip(sizes, ks)):
        stride = math.prod(spans[i + 1 :])
        total += stride * sum(int(x0[offsets[i] + j]) * (z + 1) ** j for j in range(k - 1))
    return total


def _check_start(process: FiniteProcess, x0_counts: Any) -> np.ndarray:
    try:
        x0 = np.asarray(x0_counts, dtype=float)
    except (TypeError, ValueError):
        raise StateError(f"x0_counts must be an array of counts, got {x0_counts!r:.80}") from None
    width = process.payoff_model.n_coordinates
    if x0.shape != (width,):
        raise StateError(
            f"x0_counts must hold {width} counts {list(process.coordinates)}, got shape {x0.shape}"
        )
    offsets = process.payoff_model.offsets
    for i, (pop, z) in enumerate(zip(process.game.populations, process.sizes)):
        block = x0[offsets[i] : offsets[i + 1]]
        if (block < 0).any() or (block != np.round(block)).any():
            raise StateError(
                f"x0_counts of population {pop.name!r} must be non-negative integers, got {block.tolist()}"
            )
        if block.sum() != z:
            raise StateError(
                f"x0_counts of population {pop.name!r} sum to {block.sum():g}, not to its size Z = {z}"
            )
    return x0.astype(np.int64)


def _check_horizon(process: FiniteProcess, t_max: Any, steps: Any) -> int:
    events_per_unit = sum(process.sizes)
    if (t_max is None) == (steps is None):
        raise SpecificationError("give exactly one of t_max (time units) and steps (events)")
    if steps is not None:
        if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 1:
            raise ParameterError(f"steps (the number of events) must be an integer >= 1, got {steps!r:.40}")
        return int(steps)
    if isinstance(t_max, bool) or not isinstance(t_max, numbers.Real) or not math.isfinite(float(t_max)):
        raise ParameterError(f"t_max must be a finite real number, got {t_max!r:.40}")
    if t_max <= 0:
        raise ParameterError(f"t_max = {t_max} must be > 0")
    return int(math.floor(float(t_max) * events_per_unit + 1e-9))


def _check_count(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ParameterError(f"{name} must be an integer >= 1, got {value!r:.40}")
    return int(value)


def _grid(record: Any, e_max: int, events_per_unit: int) -> tuple[np.ndarray, np.ndarray]:
    """Event counts to record at and their times: ``record`` points evenly over the horizon, or given times."""
    if record is None:
        record = DEFAULT_RECORD
    if record is False:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    if isinstance(record, numbers.Integral) and not isinstance(record, bool):
        if record < 2:
            raise ParameterError(f"record must be an integer >= 2 (points), times, or False, got {record}")
        grid = np.unique(np.floor(np.linspace(0, e_max, int(record))).astype(np.int64))
        return grid, grid / events_per_unit
    times = np.asarray(record, dtype=float)
    if times.ndim != 1 or not len(times) or not np.isfinite(times).all() or (times < 0).any():
        raise ParameterError("record times must be a non-empty 1-d array of finite times >= 0")
    if np.any(np.diff(times) <= 0):
        raise ParameterError("record times must be strictly increasing")
    grid = np.floor(times * events_per_unit + 1e-9).astype(np.int64)
    if grid[-1] > e_max:
        raise ParameterError(f"record time {times[-1]:g} lies beyond the horizon {e_max / events_per_unit:g}")
    return grid, times


def _check_seed(seed: Any) -> np.random.SeedSequence:
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0):
        raise ParameterError(f"seed must be None, an integer >= 0 or a SeedSequence, got {seed!r:.40}")
    return np.random.SeedSequence(None if seed is None else int(seed))


def _resolve_backend(backend: str) -> str:
    if backend not in ("auto", "numba", "numpy"):
        raise SpecificationError(f"backend must be 'auto', 'numba' or 'numpy', got {backend!r}")
    if backend == "numpy":
        return backend
    try:
        import numba  # noqa: F401
    except ImportError:
        if backend == "numba":
            raise SpecificationError("backend='numba' needs numba, which is not installed") from None
        return "numpy"
    return "numba"


def run_chunk(arrays: dict[str, Any], seeds: np.ndarray, backend: str) -> dict[str, np.ndarray]:
    """One chunk of runs (a picklable task for process pools and Dask)."""
    run = _sim_kernels.run_numba if backend == "numba" else _sim_kernels.run_numpy
    return run(arrays["table"], arrays["delta"], arrays["moves"], arrays["x0"], arrays["index0"], seeds,
               arrays["grid"], arrays["e_max"])  # fmt: skip


def _check_executor(executor: Any) -> bool:
    """True for a Dask client; None and ``concurrent.futures`` executors are accepted as well."""
    dask = type(executor).__module__.split(".")[0] == "distributed" and hasattr(executor, "submit")
    if executor is None or dask or isinstance(executor, concurrent.futures.Executor):
        return dask
    raise SpecificationError(
        "executor must be None (in-process), a concurrent.futures.Executor or a dask.distributed.Client, "
        f"got {type(executor).__name__}"
    )


def simulate(
    process: FiniteProcess,
    x0_counts: Any,
    t_max: float | None = None,
    *,
    steps: int | None = None,
    n_runs: int = 1,
    seed: Any = None,
    record: Any = None,
    backend: str = "auto",
    executor: Any = None,
    progress: bool = False,
    chunk_size: int = CHUNK_SIZE,
) -> FiniteSimulation:
    """Simulate ``n_runs`` independent runs of ``process`` from ``x0_counts`` (see the module docstring).

    Parameters
    ----------
    process : FiniteProcess
    x0_counts : array of int
        The start, one count per coordinate (:attr:`~FiniteProcess.coordinates`), each
        population summing to its size.
    t_max : float, optional
        Horizon in time units (:math:`\\sum_i Z_i` events each); or give ``steps``.
    steps : int, optional
        Horizon in events.
    n_runs : int
    seed : int, SeedSequence or None
        ``None`` draws fresh entropy (stored in the result's ``seed``).
    record : int, array of times or False
        Record the composition at this many evenly spaced times (default 101), at the
        given times, or not at all (``False``).
    backend : {"auto", "numba", "numpy"}
        The same runs either way; ``"auto"`` is numba when it is installed.
    executor : None, concurrent.futures.Executor or dask.distributed.Client
        Runs the chunks in parallel (results unchanged).
    progress : bool
        Report finished chunks on stderr.
    chunk_size : int
        Runs per chunk (the results depend on it through the seeding).

    Examples
    --------
    >>> import gametheory as gt
    >>> from gametheory.models import classic
    >>> p = gt.moran(classic.hawk_dove(), 10, w=0.0)
    >>> sim = simulate(p, [5, 5], t_max=1000, n_runs=400, seed=1)
    >>> sim.absorbed.all(), sim.paths.shape
    (np.True_, (400, 101, 2))
    """
    x0 = _check_start(process, x0_counts)
    e_max = _check_horizon(process, t_max, steps)
    n_runs = _check_count(n_runs, "n_runs")
    chunk_size = _check_count(chunk_size, "chunk_size")
    if not isinstance(progress, bool):
        raise SpecificationError(f"progress must be True or False, got {progress!r:.40}")
    per_unit = sum(process.sizes)
    grid, t = _grid(record, e_max, per_unit)
    used = _resolve_backend(backend)
    dask = _check_executor(executor)
    root = _check_seed(seed)
    table, delta, moves = rate_table(process)
    arrays = {"table": table, "delta": delta, "moves": moves, "x0": x0, "index0": _index(process, x0),
              "grid": grid, "e_max": e_max}  # fmt: skip
    if np.isnan(table[arrays["index0"], -1]):
        process.rates(x0)  # raises the process's own StateError naming the composition
    n_chunks = -(-n_runs // chunk_size)
    children = root.spawn(n_chunks)
    seeds = [
        children[c].generate_state(min(chunk_size, n_runs - c * chunk_size), np.uint64)
        for c in range(n_chunks)
    ]
    parts = _run_all(arrays, seeds, used, executor, dask, progress)
    out = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    if out["bad"].any():
        r = int(np.argmax(out["bad"]))
        process.rates(out["counts"][r])  # raises the StateError naming the composition
    return FiniteSimulation(
        process=repr(process),
        kind=process.kind,
        sizes=process.sizes,
        coordinates=process.coordinates,
        monomorphic=monomorphic_labels(process),
        x0=x0,
        t=t,
        paths=out["paths"],
        final=out["counts"],
        absorbed=out["stuck"] & (process.mu == 0),
        absorption_time=np.where(out["stuck"] & (process.mu == 0), out["events"] / per_unit, np.nan),
        events=out["events"],
        mean_field=mean_field(process, x0, t) if len(t) else None,
        seed=root.entropy,
        backend=used,
        t_max=e_max / per_unit,
    )


def _run_all(
    arrays: dict[str, Any], seeds: list[np.ndarray], backend: str, executor: Any, dask: bool, progress: bool
) -> list[dict[str, np.ndarray]]:
    bar = progress_reporter(len(seeds), "simulate", progress, unit="chunks")
    try:
        if executor is None:
            parts = []
            for s in seeds:
                parts.append(run_chunk(arrays, s, backend))
                bar.update(1)
            return parts
        shared = executor.scatter(arrays, broadcast=True) if dask else arrays
        if dask:
            futures = [executor.submit(run_chunk, shared, s, backend, pure=False) for s in seeds]
        else:
            futures = [executor.submit(run_chunk, shared, s, backend) for s in seeds]
        index = {f: k for k, f in enumerate(futures)}
        parts_by = {}
        waiter = _dask_as_completed(futures) if dask else concurrent.futures.as_completed(futures)
        for f in waiter:
            parts_by[index[f]] = f.result()
            bar.update(1)
        return [parts_by[k] for k in range(len(seeds))]
    finally:
        bar.close()


def _dask_as_completed(futures: list[Any]) -> Any:
    from distributed import as_completed

    return as_completed(futures)


def mean_field(process: FiniteProcess, x0_counts: Any, t: Any) -> np.ndarray:
    """Shares of the deterministic mean-field limit from ``x0_counts / Z`` at times ``t`` (module docstring).

    Returns an array ``(len(t), sum k_i)`` of full shares, population by population
    (integrated by :func:`scipy.integrate.solve_ivp`, DOP853, rtol 1e-10).

    Examples
    --------
    >>> import gametheory as gt
    >>> from gametheory.models import classic
    >>> p = gt.pairwise_comparison(classic.hawk_dove(), 100, beta=1.0)
    >>> mean_field(p, [20, 80], [0.0, 200.0]).round(4)  # to the mixed equilibrium V/C = 2/3
    array([[0.2   , 0.8   ],
           [0.6667, 0.3333]])
    """
    dyn = process.game.replicator()
    payoffs = dyn.compiled("payoffs")
    params = dyn.parameter_vector(dict(process.params))
    offsets = process.payoff_model.offsets
    sizes = np.array(process.sizes, dtype=float)
    scale = sizes.mean() / sizes
    ks = process.game.strategy_counts
    w, mu, fermi = process.intensity, process.mu, process.kind != "moran"
    reduced = np.concatenate([np.arange(offsets[i], offsets[i + 1] - 1) for i in range(len(ks))])

    def rhs(_t: float, x: np.ndarray) -> np.ndarray:
        f = np.asarray(payoffs(x[reduced], params), dtype=float)
        out = np.empty_like(x)
        for i, k in enumerate(ks):
            sl = slice(offsets[i], offsets[i + 1])
            xi, fi = x[sl], f[sl]
            if fermi:
                core = xi * (np.tanh(w * (fi[:, None] - fi[None, :]) / 2) @ xi)
                drift = (1 - mu) * core + mu * (1 - k * xi) / (k - 1)
            else:
                phi = 1 - w + w * fi
                s = xi * phi / (xi @ phi)
                drift = (1 - mu) * (s - xi) + mu * (1 - s - (k - 1) * xi) / (k - 1)
            out[sl] = scale[i] * drift
        return out

    x0 = np.asarray(x0_counts, dtype=float) / np.repeat(sizes, ks)
    t = np.asarray(t, dtype=float)
    if t[-1] == 0:
        return np.tile(x0, (len(t), 1))
    sol = solve_ivp(rhs, (0.0, float(t[-1])), x0, method="DOP853", t_eval=t, rtol=1e-10, atol=1e-12)
    if not sol.success:  # pragma: no cover - the field is smooth and bounded
        raise SpecificationError(f"the mean-field integration failed: {sol.message}")
    return sol.y.T
