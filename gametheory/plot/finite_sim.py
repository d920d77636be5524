"""Simulated finite populations: draw a :class:`~gametheory.finite.sim_results.FiniteSimulation`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes

from ..errors import SpecificationError
from .theme import COLUMN_WIDTH, CYCLE, light, new_axes, styled

__all__ = ["simulation_paths", "absorption_times", "absorbing_states"]


def _require(result: Any, *names: str) -> None:
    if not all(hasattr(result, n) for n in names):
        raise SpecificationError(f"expected a FiniteSimulation, got {type(result).__name__}")


@styled
def simulation_paths(
    result: Any,
    ax: Axes | None = None,
    *,
    n_paths: int = 5,
    bands: Sequence[tuple[float, float]] = ((0.05, 0.95), (0.25, 0.75)),
    coordinates: Sequence[int] | None = None,
    legend: bool = True,
) -> Axes:
    """Sample paths of the shares with quantile bands, next to the deterministic mean-field trajectory.

    For each coordinate drawn (its own colour): bands between the quantiles of
    ``bands`` over the runs at each recorded time (outer bands lighter), the first
    ``n_paths`` runs as thin lines, the mean over the runs dashed, and the mean-field
    limit stored in the result as a thick line.  ``coordinates`` (indices into
    ``result.coordinates``) defaults to all but the last strategy of each population.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import gametheory as gt
    >>> from gametheory.models import classic
    >>> sim = gt.pairwise_comparison(classic.hawk_dove(), 50).simulate([10, 40], 5, n_runs=30, seed=1)
    >>> ax = simulation_paths(sim, n_paths=2)
    >>> len(ax.lines), len(ax.collections)
    (4, 2)
    """
    _require(result, "paths", "t", "mean_field", "coordinates")
    ax = new_axes(ax, (COLUMN_WIDTH, 2.3))
    x, t = result.shares, result.t
    if coordinates is None:
        pops = [p for p, _ in result.coordinates]
        coordinates = [j for j in range(len(pops)) if j + 1 < len(pops) and pops[j + 1] == pops[j]]
    for n, j in enumerate(coordinates):
        colour = CYCLE[n % len(CYCLE)]
        pop, strategy = result.coordinates[j]
        for b, (lo, hi) in enumerate(bands):
            q = np.quantile(x[:, :, j], [lo, hi], axis=0)
            ax.fill_between(t, q[0], q[1], color=light(colour, 0.75 - 0.25 * b), lw=0, zorder=1)
        for k in range(min(n_paths, x.shape[0])):
            ax.plot(t, x[k, :, j], color=colour, lw=0.5, alpha=0.6, zorder=2)
        label = strategy if len(result.sizes) == 1 else f"{pop}: {strategy}"
        if result.mean_field is not None:
            ax.plot(t, result.mean_field[:, j], color=colour, lw=1.6, zorder=3, label=label)
        ax.plot(t, x[:, :, j].mean(axis=0), color=colour, lw=0.9, ls="--", zorder=3)
    ax.set_xlabel("time $t$")
    ax.set_ylabel("share")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(f"{result.n_runs} runs, Z = {', '.join(map(str, result.sizes))}", fontsize="medium")
    if legend and result.mean_field is not None:
        ax.legend(loc="best", frameon=False)
    return ax


@styled
def absorption_times(result: Any, ax: Axes | None = None, *, bins: int = 30) -> Axes:
    """Histogram of the absorption times of the absorbed runs, the mean marked by a vertical line.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import gametheory as gt
    >>> from gametheory.models import classic
    >>> sim = gt.moran(classic.hawk_dove(), 10, w=0.0).simulate([5, 5], 500, n_runs=100, seed=3)
    >>> absorption_times(sim).get_xlabel()
    'absorption time'
    """
    _require(result, "absorption_time", "absorbed")
    ax = new_axes(ax, (COLUMN_WIDTH, 0.7 * COLUMN_WIDTH))
    times = np.asarray(result.absorption_time)[np.asarray(result.absorbed)]
    if len(times):
        ax.hist(times, bins=bins, color=CYCLE[0], alpha=0.8)
        ax.axvline(float(times.mean()), color=CYCLE[1], lw=1.2, label=f"mean {times.mean():.3g}")
        ax.legend(frameon=False, fontsize="small")
    ax.set_xlabel("absorption time")
    ax.set_ylabel("runs")
    ax.set_title(f"{len(times)} of {result.n_runs} runs absorbed", fontsize="medium")
    return ax


@styled
def absorbing_states(result: Any, ax: Axes | None = None) -> Axes:
    """Bars: the share of runs ending at each absorbing state, with 2-standard-error bars.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import gametheory as gt
    >>> from gametheory.models import classic
    >>> sim = gt.moran(classic.hawk_dove(), 10, w=0.0).simulate([5, 5], 500, n_runs=100, seed=3)
    >>> absorbing_states(sim).get_ylabel()
    'share of runs'
    """
    _require(result, "absorbing_distribution")
    ax = new_axes(ax, (COLUMN_WIDTH, 0.7 * COLUMN_WIDTH))
    dist = result.absorbing_distribution()
    labels = list(dist)
    p = np.array([dist[k][0] for k in labels])
    se = np.array([dist[k][1] for k in labels])
    ax.bar(range(len(labels)), p, yerr=2 * se, color=CYCLE[0], capsize=2)
    ax.set_xticks(
        range(len(labels)),
        labels,
        rotation=60 if len(labels) > 4 else 0,
        ha="right" if len(labels) > 4 else "center",
    )
    ax.set_ylabel("share of runs")
    return ax
