"""The result of :func:`gametheory.finite.simulate.simulate` (immutable; ``summary``, ``to_frame``, ``plot``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import SpecificationError

__all__ = ["FiniteSimulation"]


@dataclass(frozen=True)
class FiniteSimulation:
    """Runs of a finite-population process: end states, absorption times, recorded paths.

    Attributes
    ----------
    process : str
        A one-line description of the process.
    kind : str
        ``"moran"`` or ``"pairwise comparison"``.
    sizes : tuple of int
    coordinates : tuple of (population, strategy)
    monomorphic : tuple of str
        Labels of the pure profiles (the absorbing states without mutation), in
        :func:`itertools.product` order of the strategies.
    x0 : ndarray (sum k_i,)
        The start.
    t : ndarray (n_times,)
        Recorded times (time units of :mod:`gametheory.finite.process`).
    paths : ndarray (n_runs, n_times, sum k_i)
        Counts at ``t``.
    final : ndarray (n_runs, sum k_i)
        Counts at the end of each run.
    absorbed : ndarray (n_runs,) of bool
        The run reached an absorbing state (never with mutation).
    absorption_time : ndarray (n_runs,)
        Time of absorption; NaN for runs not absorbed.
    events : ndarray (n_runs,)
        Events simulated (self-transitions included).
    mean_field : ndarray (n_times, sum k_i) or None
        Shares of the deterministic mean-field limit at ``t``
        (:func:`gametheory.finite.simulate.mean_field`).
    seed : int
        Entropy of the root :class:`numpy.random.SeedSequence` (reproduces the runs).
    backend : str
    t_max : float
        The horizon.

    Examples
    --------
    >>> import gametheory as gt
    >>> from gametheory.models import classic
    >>> sim = gt.moran(classic.hawk_dove(), 10, w=0.0).simulate([9, 1], 500, n_runs=2000, seed=3)
    >>> p, se = sim.absorbing_distribution()["H"]  # neutral drift: 9/10 end all hawks
    >>> abs(p - 0.9) < 4 * se
    True
    """

    process: str
    kind: str
    sizes: tuple[int, ...]
    coordinates: tuple[tuple[str, str], ...]
    monomorphic: tuple[str, ...]
    x0: np.ndarray
    t: np.ndarray
    paths: np.ndarray
    final: np.ndarray
    absorbed: np.ndarray
    absorption_time: np.ndarray
    events: np.ndarray
    mean_field: np.ndarray | None
    seed: Any
    backend: str
    t_max: float

    def __post_init__(self) -> None:
        for name in ("x0", "t", "paths", "final", "absorbed", "absorption_time", "events", "mean_field"):
            value = getattr(self, name)
            if value is not None:
                arr = np.array(value)
                arr.setflags(write=False)
                object.__setattr__(self, name, arr)

    @property
    def n_runs(self) -> int:
        """Number of runs."""
        return int(self.final.shape[0])

    @property
    def _size_per_coordinate(self) -> np.ndarray:
        counts = [
            sum(1 for p, _ in self.coordinates if p == name)
            for name in dict.fromkeys(p for p, _ in self.coordinates)
        ]
        return np.repeat(np.array(self.sizes, dtype=float), counts)

    @property
    def shares(self) -> np.ndarray:
        """Recorded paths as shares, ``paths / Z`` (n_runs, n_times, sum k_i)."""
        return self.paths / self._size_per_coordinate

    def mean_path(self) -> tuple[np.ndarray, np.ndarray]:
        """Mean share over the runs at each recorded time, and its standard error (each (n_times, sum k_i)).

        Examples
        --------
        >>> import gametheory as gt
        >>> from gametheory.models import classic
        >>> sim = gt.pairwise_comparison(classic.hawk_dove(), 50).simulate([10, 40], 5, n_runs=50, seed=1)
        >>> mean, se = sim.mean_path()
        >>> mean.shape, round(float(mean[0, 0]), 12)
        ((101, 2), 0.2)
        """
        x = self.shares
        se = x.std(axis=0, ddof=1) / np.sqrt(self.n_runs) if self.n_runs > 1 else np.full(x.shape[1:], np.nan)
        return x.mean(axis=0), se

    def quantiles(self, q: Any) -> np.ndarray:
        """Quantiles ``q`` of the shares over the runs at each recorded time: (len(q), n_times, sum k_i).

        Examples
        --------
        >>> import gametheory as gt
        >>> from gametheory.models import classic
        >>> sim = gt.pairwise_comparison(classic.hawk_dove(), 50).simulate([10, 40], 5, n_runs=50, seed=1)
        >>> sim.quantiles([0.05, 0.95]).shape
        (2, 101, 2)
        """
        return np.quantile(self.shares, np.asarray(q, dtype=float), axis=0)

    def end_labels(self) -> list[str]:
        """The pure profile each run ended at, or ``"not absorbed"``."""
        z = self._size_per_coordinate
        names = list(dict.fromkeys(p for p, _ in self.coordinates))
        out = []
        for row, absorbed in zip(self.final, self.absorbed):
            if not absorbed:
                out.append("not absorbed")
                continue
            chosen = [s for (p, s), c, zz in zip(self.coordinates, row, z) if c == zz]
            out.append(chosen[0] if len(names) == 1 else f"({', '.join(chosen)})")
        return out

    def absorbing_distribution(self) -> dict[str, tuple[float, float]]:
        """Share of runs ending at each absorbing state, with its binomial standard error.

        ``{label: (p, se)}`` over :attr:`monomorphic` (and ``"not absorbed"`` when
        some runs were not), :math:`se = \\sqrt{p(1-p)/n}`.

        Examples
        --------
        >>> import gametheory as gt
        >>> from gametheory.models import classic
        >>> sim = gt.moran(classic.hawk_dove(), 10, w=0.0).simulate([5, 5], 500, n_runs=100, seed=3)
        >>> sorted(sim.absorbing_distribution())
        ['D', 'H']
        """
        labels = self.end_labels()
        n = self.n_runs
        keys = list(self.monomorphic) + (["not absorbed"] if "not absorbed" in labels else [])
        out = {}
        for key in keys:
            p = labels.count(key) / n
            out[key] = (p, float(np.sqrt(p * (1 - p) / n)))
        return out

    def mean_absorption_time(self) -> tuple[float, float]:
        """Mean absorption time over the absorbed runs and its standard error (NaN if none absorbed).

        Examples
        --------
        >>> import gametheory as gt
        >>> from gametheory.models import classic
        >>> sim = gt.moran(classic.hawk_dove(), 10, w=0.0).simulate([5, 5], 500, n_runs=100, seed=3)
        >>> mean, se = sim.mean_absorption_time()
        >>> mean > 0 and se > 0
        True
        """
        times = self.absorption_time[self.absorbed]
        if not len(times):
            return float("nan"), float("nan")
        se = float(times.std(ddof=1) / np.sqrt(len(times))) if len(times) > 1 else float("nan")
        return float(times.mean()), se

    def summary(self) -> str:
        """The process, the runs, the absorbing states reached and the mean absorption time."""
        lines = [
            f"Simulation of {self.process}: {self.n_runs:,} runs to t = {self.t_max:g} ({self.backend})",
            f"  start {dict(zip([f'{p}:{s}' for p, s in self.coordinates], self.x0.tolist()))}; seed {self.seed}",
        ]
        if self.absorbed.any():
            for label, (p, se) in self.absorbing_distribution().items():
                lines.append(f"  {p:8.4f} +- {se:.4f}  {label}")
            mean, se = self.mean_absorption_time()
            lines.append(f"  mean absorption time {mean:.4g} +- {se:.2g}")
        return "\n".join(lines)

    def to_frame(self) -> Any:
        """One row per run: final counts, whether absorbed, where, when, events (pandas)."""
        import pandas as pd

        frame = pd.DataFrame(self.final.astype(int), columns=[f"{p}:{s}" for p, s in self.coordinates])
        frame.insert(0, "run", np.arange(self.n_runs))
        frame["absorbed"] = self.absorbed
        frame["end"] = self.end_labels()
        frame["absorption_time"] = self.absorption_time
        frame["events"] = self.events
        return frame

    def plot(self, ax: Any = None, *, kind: str = "paths") -> Any:
        """Draw with :func:`gametheory.plot.simulation_paths` (``kind="paths"``), or
        :func:`~gametheory.plot.absorption_times` (``"times"``) or
        :func:`~gametheory.plot.absorbing_states` (``"states"``)."""
        from ..plot import finite_sim

        drawers = {"paths": finite_sim.simulation_paths, "times": finite_sim.absorption_times,
                   "states": finite_sim.absorbing_states}  # fmt: skip
        if kind not in drawers:
            raise SpecificationError(f"kind must be one of {sorted(drawers)}, got {kind!r}")
        return drawers[kind](self, ax=ax)

    def __repr__(self) -> str:
        return f"FiniteSimulation({self.n_runs} runs, t_max={self.t_max:g}, {self.process})"
