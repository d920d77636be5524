"""Stochastic paths: :func:`stochastic_paths` draws an :class:`~gametheory.numerics.sde.SDEEnsemble`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes

from ..errors import SpecificationError
from .theme import COLUMN_WIDTH, CYCLE, light, new_axes, styled, symbol_label

__all__ = ["stochastic_paths"]


@styled
def stochastic_paths(
    ensemble: Any,
    *,
    ax: Axes | None = None,
    n_paths: int = 5,
    bands: Sequence[tuple[float, float]] = ((0.05, 0.95), (0.25, 0.75)),
    legend: bool = True,
) -> Axes:
    """Sample paths with quantile bands over the ensemble, next to the deterministic trajectory.

    For each coordinate (its own colour): shaded bands between the quantiles
    of ``bands`` over all paths at each output time (outer bands lighter), the
    first ``n_paths`` sample paths as thin lines, the median dashed and the
    replicator trajectory (``sigma = 0``, stored in the ensemble) as a thick line.

    Parameters
    ----------
    ensemble
        An :class:`~gametheory.numerics.sde.SDEEnsemble`.
    ax
        Axes to draw into (default: a new one-column figure).
    n_paths
        Sample paths drawn per coordinate.
    bands
        Pairs of quantiles, outermost first.
    legend
        Draw a legend of the coordinates.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import gametheory as gt
    >>> from gametheory import plot
    >>> from gametheory.models import classic
    >>> ens = gt.stochastic_replicator(classic.hawk_dove(), 0.3).simulate_many([[0.2]] * 40, (0, 5), seed=2)
    >>> ax = plot.stochastic_paths(ens, n_paths=3)
    >>> len(ax.lines), len(ax.collections)
    (5, 2)
    """
    paths = getattr(ensemble, "paths", None)
    if paths is None or not hasattr(ensemble, "deterministic"):
        raise SpecificationError(f"stochastic_paths draws an SDEEnsemble, got {type(ensemble).__name__}")
    t = ensemble.t
    ax = new_axes(ax, (COLUMN_WIDTH, 2.3))
    for r, name in enumerate(ensemble.state_names):
        colour = CYCLE[r % len(CYCLE)]
        for b, (lo, hi) in enumerate(bands):
            q = np.quantile(paths[:, r, :], [lo, hi], axis=0)
            ax.fill_between(t, q[0], q[1], color=light(colour, 0.75 - 0.25 * b), lw=0, zorder=1)
        for k in range(min(n_paths, paths.shape[0])):
            ax.plot(t, paths[k, r], color=colour, lw=0.5, alpha=0.6, zorder=2)
        ax.plot(t, ensemble.deterministic[r], color=colour, lw=1.6, zorder=3, label=symbol_label(name))
        ax.plot(t, np.median(paths[:, r, :], axis=0), color=colour, lw=0.9, ls="--", zorder=3)
    ax.set_xlabel("time $t$")
    ax.set_ylabel("share")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(f"{ensemble.noise} noise, {len(ensemble)} paths", fontsize="medium")
    if legend:
        ax.legend(loc="best", frameon=False)
    return ax
