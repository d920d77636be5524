"""Finite-population results: stationary distributions (bars, or in the cube), fixation matrices and curves, stochastic stability."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes

from ..errors import SpecificationError
from .theme import COLUMN_WIDTH, CYCLE, new_axes, styled, vertex_colour

__all__ = [
    "stationary_distribution",
    "stationary_cube",
    "fixation_matrix",
    "fixation_curve",
    "stochastic_stability",
]

#: Most states drawn as bars; longer distributions show their most likely states.
MAX_BARS = 30


def _require(result: Any, *names: str) -> None:
    missing = [n for n in names if not hasattr(result, n)]
    if missing:
        raise SpecificationError(f"expected a result with {', '.join(names)}, got {type(result).__name__}")


@styled
def stationary_distribution(result: Any, ax: Axes | None = None, *, log: bool = False) -> Axes:
    """Draw a :class:`~gametheory.finite.results.StationaryDistribution`.

    One population of two strategies: the probability against the count of the
    first strategy (a line); otherwise bars for the states (the ``MAX_BARS`` most
    likely when there are more), each labelled with its probability when there are
    at most 8.  ``log=True``: a logarithmic probability axis (states below 1e-300 are
    left out), for distributions that put almost all their mass on one state.

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
        colours = [vertex_colour(int(k), len(p)) for k in order] if len(p) <= 8 else CYCLE[0]
        bars = ax.bar(range(len(order)), np.where(p[order] > 1e-300, p[order], np.nan) if log else p[order],
                      color=colours)  # fmt: skip
        ax.set_xticks(range(len(order)), [result.labels[k] for k in order], rotation=60, ha="right")
        if len(p) <= 8:
            ax.bar_label(bars, [_short(v) for v in p[order]], fontsize=6, padding=1)
        if log:
            ax.set_yscale("log")
            shown = p[p > 1e-300]
            decades = -np.log10(shown.min()) if shown.size else 1.0
            # round decades: 1 at the top, at most 7 ticks, room above the bars for their labels
            step = next(d for d in (1, 2, 5, 10, 20, 25, 50, 100) if decades / d <= 6)
            n_ticks = int(np.ceil(decades / step)) + 1
            ax.set_yticks(10.0 ** (-step * np.arange(n_ticks)))
            ax.set_ylim(10.0 ** (-step * (n_ticks - 1)), 10 ** (0.08 * max(decades, 1.0)))
        else:
            ax.set_ylim(0, 1.12 * max(float(p.max()), 1e-12))
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
    >>> len(stochastic_stability(st).get_lines())  # two states and the neutral 1/M
    3
    """
    _require(result, "intensities", "states", "probabilities", "intensity_name")
    ax = new_axes(ax, (COLUMN_WIDTH, 0.7 * COLUMN_WIDTH))
    x = np.asarray(result.intensities)
    order = np.argsort(x)
    m = len(result.states)
    for k, state in enumerate(result.states):
        ax.plot(
            x[order],
            np.asarray(result.probabilities)[order, k],
            label=state,
            color=vertex_colour(k, m) if m <= 8 else CYCLE[k % len(CYCLE)],
            lw=1.2,
        )
    ax.axhline(1.0 / m, color="#888888", lw=0.6, ls=":", zorder=0)
    ax.annotate("neutral 1/M", (0.02, 1.0 / m), xycoords=("axes fraction", "data"), va="bottom",
                fontsize=6, color="#666666")  # fmt: skip
    if x.min() > 0 and x.max() / x.min() > 50:
        ax.set_xscale("log")
    label = {"beta": r"intensity of selection $\beta$", "w": "intensity of selection $w$"}
    ax.set_xlabel(label.get(result.intensity_name, "population size $Z$"))
    ax.set_ylabel("stationary probability")
    ax.set_ylim(-0.02, 1.02)
    ax.legend(fontsize="x-small", ncol=2 if m > 4 else 1)
    return ax


@styled
def stationary_cube(result: Any, ax: Axes | None = None, *, floor: float = 1e-12) -> Axes:
    """Draw a small-mutation :class:`~gametheory.finite.results.StationaryDistribution` at the corners of its cube.

    Three populations of two strategies: each pure profile sits at its corner of the
    cube of shares of the first strategies; the marker's area grows with the
    probability, its colour is :math:`\\log_{10}` of the probability (clipped at
    ``floor``), and each corner carries its label and probability.  Two populations
    draw the square the same way.

    Examples
    --------
    >>> import gametheory as gt
    >>> from gametheory.models import crisis_governance as cg
    >>> sd = gt.pairwise_comparison(cg.game(), [10] * 3, beta=0.1, params=cg.OPTIMIZED).stationary_distribution()
    >>> stationary_cube(sd).name
    '3d'
    """
    _require(result, "labels", "counts", "probabilities", "coordinates")
    pops = list(dict.fromkeys(pop for pop, _ in result.coordinates))
    counts = np.asarray(result.counts, float)
    if (
        len(result.coordinates) != 2 * len(pops)
        or len(pops) not in (2, 3)
        or len(result.labels) != 2 ** len(pops)
    ):
        raise SpecificationError(
            "stationary_cube draws the small-mutation distribution of 2 or 3 populations of 2 strategies, "
            f"got coordinates {list(result.coordinates)} and {len(result.labels)} states"
        )
    xyz = counts[:, 0::2] / (counts[:, 0::2] + counts[:, 1::2])
    p = np.asarray(result.probabilities, float)
    cube = len(pops) == 3
    ax = new_axes(ax, (COLUMN_WIDTH, COLUMN_WIDTH), projection="3d" if cube else None)
    if cube and getattr(ax, "name", "") != "3d":
        raise SpecificationError("stationary_cube of three populations needs a 3-D axes (projection='3d')")
    n = len(pops)
    for a in range(2**n):
        for b in range(a + 1, 2**n):
            va, vb = [np.array([(c >> j) & 1 for j in range(n)], float) for c in (a, b)]
            if np.abs(va - vb).sum() == 1:
                ax.plot(*np.column_stack([va, vb]), color="#BBBBBB", lw=0.6, zorder=0)
    logp = np.log10(np.clip(p, floor, 1.0))
    sizes = 12 + 420 * np.clip(p, 0, 1)
    image = ax.scatter(*xyz.T, s=sizes, c=logp, cmap="viridis", vmin=np.log10(floor), vmax=0,
                       edgecolors="black", linewidths=0.4, depthshade=False) if cube else ax.scatter(
        *xyz.T, s=sizes, c=logp, cmap="viridis", vmin=np.log10(floor), vmax=0, edgecolors="black", linewidths=0.4
    )  # fmt: skip
    for k, label in enumerate(result.labels):
        offset = (0.13 + 0.12 * p[k]) * (2 * xyz[k] - 1)
        pos = xyz[k] + offset
        text = f"{label}\n{_short(p[k])}"
        weight = "bold" if p[k] == p.max() else "normal"
        if cube:
            ax.text(*pos, text, ha="center", va="center", fontsize=5.5, fontweight=weight)
        else:
            ax.text(*pos, text, ha="center", va="center", fontsize=6, fontweight=weight)
    names = [f"{result.coordinates[2 * j][1]} ({pops[j]}) →" for j in range(n)]
    ax.set_xlabel(names[0], labelpad=-12 if cube else 4)
    ax.set_ylabel(names[1], labelpad=-12 if cube else 4)
    if cube:
        ax.set_zlabel(names[2], labelpad=-12)
        for setter in (ax.set_xlim, ax.set_ylim, ax.set_zlim):
            setter(-0.15, 1.15)
        for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
            axis.pane.set_alpha(0.0)
            axis.set_ticks([0, 1], ["", ""])  # the corner labels say which end is which
        ax.set_box_aspect((1, 1, 1), zoom=0.85)
        ax.view_init(elev=22, azim=-58)
    else:
        ax.set_xlim(-0.25, 1.25)
        ax.set_ylim(-0.25, 1.25)
        ax.set_aspect("equal")
    bar = ax.figure.colorbar(image, ax=ax, shrink=0.6, pad=0.08 if cube else 0.04)
    bar.set_label(r"$\log_{10}$ probability", fontsize=7)
    return ax


@styled
def fixation_curve(result: Any, ax: Axes | None = None) -> Axes:
    """Draw a :class:`~gametheory.finite.results.FixationCurve`: rho against Z or the intensity, with 1/Z.

    A logarithmic probability axis when the curves span more than two decades
    (values below 1e-300 are left out); the neutral reference :math:`1/Z` is dotted.

    Examples
    --------
    >>> import gametheory as gt
    >>> from gametheory.models import classic
    >>> fc = gt.fixation_curve(gt.moran(classic.hawk_dove(), 10, w=0.5), ("H", "D"), sizes=[5, 10, 20])
    >>> [line.get_label() for line in fixation_curve(fc).get_lines()]
    ['H -> D', 'neutral 1/Z']
    """
    _require(result, "variable", "values", "transitions", "log_probabilities", "neutral")
    ax = new_axes(ax, (COLUMN_WIDTH, 0.7 * COLUMN_WIDTH))
    x = np.asarray(result.values, float)
    order = np.argsort(x)
    log10 = np.asarray(result.log_probabilities, float) / np.log(10)
    for k, label in enumerate(result.transitions):
        y = np.where(log10[k] > -300, 10.0 ** np.maximum(log10[k], -300), np.nan)
        ax.plot(x[order], y[order], marker="o" if len(x) <= 12 else None, ms=2.5, lw=1.2,
                color=CYCLE[k % len(CYCLE)], label=label)  # fmt: skip
    neutral = np.asarray(result.neutral, float)
    if np.allclose(neutral, neutral[:1]):
        ax.plot(x[order], neutral[0][order], color="#777777", ls=":", lw=1.0, label="neutral 1/Z")
    finite = log10[np.isfinite(log10) & (log10 > -300)]
    if finite.size and finite.min() < -2:
        ax.set_yscale("log")
        ax.set_ylim(top=3.0)
    if x.min() > 0 and x.max() / x.min() > 50:
        ax.set_xscale("log")
    label = {"beta": r"intensity of selection $\beta$", "w": "intensity of selection $w$"}
    ax.set_xlabel(label.get(result.variable, "population size $Z$"))
    ax.set_ylabel(r"fixation probability $\rho$")
    ax.legend(fontsize="x-small")
    return ax


def _short(p: float) -> str:
    """A probability in at most 7 characters: 0.523, 1, 3e-43, 0."""
    if p <= 0:
        return "0"
    if p >= 0.9995:
        return "1" if p == 1.0 else f"{p:.3f}"
    if p >= 0.001:
        return f"{p:.3f}"
    return f"{p:.0e}".replace("e-0", "e-")
