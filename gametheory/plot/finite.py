"""Finite-population results: stationary distributions, fixation matrices, stochastic stability."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes

from ..errors import SpecificationError
from .theme import COLUMN_WIDTH, CYCLE, new_axes, styled

__all__ = ["stationary_distribution", "fixation_matrix", "stochastic_stability"]

#: Most states drawn as bars; longer distributions show their most likely states.
MAX_BARS = 30


def _require(result: Any, *names: str) -> None:
    missing = [n for n in names if not hasattr(result, n)]
    if missing:
        raise SpecificationError(f"expected a result with {', '.join(names)}, got {type(result).__name__}")


@styled
def stationary_distribution(result: Any, ax: Axes | None = None) -> Axes:
    """Draw a :class:`~gametheory.finite.results.StationaryDistribution`.

    One population of two strategies: the probability against the count of the
    first strategy (a line); otherwise bars for the states (the ``MAX_BARS`` most
    likely when there are more).

    Examples
    --------
    >>> import gametheory as gt
    >>> from gametheory.models import classic
    >>> sd = gt.pairwise_comparison(classic.hawk_dove(), 10).stationary_distribution()
    >>> stationary_distribution(sd).get_ylabel()
    'stationary probability'
    """
    _require(result, "labels", "counts", "probabilities", "coordinates")
    ax = new_axes(ax, (COLUMN_WIDTH, 0.7 * COLUMN_WIDTH))
    p = np.asarray(result.probabilities)
    if len(result.coordinates) == 2 and len(p) > MAX_BARS:
        ax.plot(np.asarray(result.counts)[:, 0], p, color=CYCLE[0])
        ax.set_xlabel(f"number of {result.coordinates[0][1]}")
    else:
        order = np.arange(len(p)) if len(p) <= MAX_BARS else np.argsort(-p, kind="stable")[:MAX_BARS]
        ax.bar(range(len(order)), p[order], color=CYCLE[0])
        ax.set_xticks(range(len(order)), [result.labels[k] for k in order], rotation=60, ha="right")
    ax.set_ylabel("stationary probability")
    return ax


@styled
def fixation_matrix(result: Any, ax: Axes | None = None) -> Axes:
    """Draw a :class:`~gametheory.finite.results.FixationMatrix`: rho relative to neutral, log colour scale.

    Rows are residents, columns mutants; cells of non-neighbouring states are blank.

    Examples
    --------
    >>> import gametheory as gt
    >>> from gametheory.models import classic
    >>> fm = gt.pairwise_comparison(classic.hawk_dove(), 10).fixation_matrix()
    >>> fixation_matrix(fm).get_xlabel()
    'mutant'
    """
    _require(result, "states", "matrix", "neutral")
    ax = new_axes(ax, (COLUMN_WIDTH, COLUMN_WIDTH))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.log10(np.asarray(result.matrix) / np.asarray(result.neutral))
    bound = float(np.nanmax(np.abs(ratio))) if np.isfinite(ratio).any() else 1.0
    image = ax.imshow(ratio, cmap="RdBu_r", vmin=-max(bound, 1e-9), vmax=max(bound, 1e-9))
    ticks = range(len(result.states))
    ax.set_xticks(ticks, result.states, rotation=60, ha="right")
    ax.set_yticks(ticks, result.states)
    ax.set_xlabel("mutant")
    ax.set_ylabel("resident")
    ax.figure.colorbar(image, ax=ax, label=r"$\log_{10}(\rho / \rho_{\mathrm{neutral}})$")
    return ax


@styled
def stochastic_stability(result: Any, ax: Axes | None = None) -> Axes:
    """Draw a :class:`~gametheory.finite.results.StochasticStability`: each state's probability against intensity.

    Examples
    --------
    >>> import gametheory as gt
    >>> from gametheory.models import classic
    >>> st = gt.pairwise_comparison(classic.hawk_dove(), 10).stochastic_stability([0.1, 1, 10])
    >>> len(stochastic_stability(st).get_lines())
    2
    """
    _require(result, "intensities", "states", "probabilities", "intensity_name")
    ax = new_axes(ax, (COLUMN_WIDTH, 0.7 * COLUMN_WIDTH))
    x = np.asarray(result.intensities)
    order = np.argsort(x)
    for k, state in enumerate(result.states):
        ax.plot(
            x[order],
            np.asarray(result.probabilities)[order, k],
            label=state,
            color=CYCLE[k % len(CYCLE)],
        )
    if x.min() > 0 and x.max() / x.min() > 50:
        ax.set_xscale("log")
    ax.set_xlabel(r"$\beta$" if result.intensity_name == "beta" else "$w$")
    ax.set_ylabel("stationary probability")
    ax.legend(fontsize="small")
    return ax
