"""Regime maps: :func:`regime_map` draws a two-parameter :func:`gametheory.regime_map` result.

The cells (which vertices are ESS) come from :func:`gametheory.regime_map`
(:func:`gametheory.analysis.stability.strict_equilibria`), the threshold lines
from :func:`gametheory.analysis.thresholds.threshold_curves` (the critical
values the result carries, solved symbolically, and the parts of them that
bound an ESS region); this module only draws them.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes

from .._checks import as_dynamics
from ..analysis.thresholds import ThresholdCurves, threshold_curves
from ..dynamics.base import Dynamics
from ..errors import ParameterError, SpecificationError
from ..game import Game
from . import _results
from .theme import (
    COLUMN_WIDTH,
    UNCERTIFIED_FILL,
    UNCERTIFIED_HATCH,
    UNCERTIFIED_HATCH_COLOUR,
    check_parameter,
    is_uncertified,
    light,
    new_axes,
    parameter_label,
    styled,
    vertex_colour,
    vertex_label,
)

__all__ = ["regime_map"]


def _axis_values(game: Game, name: str, spec: Any, resolution: int) -> np.ndarray:
    """Grid values of one axis: ``(low, high)`` -> ``resolution`` points, or an increasing array."""
    check_parameter(game, name)
    arr = np.asarray(spec, dtype=float).ravel()
    if arr.size == 2:
        arr = np.linspace(arr[0], arr[1], resolution)
    if arr.size < 2 or not np.isfinite(arr).all() or np.any(np.diff(arr) <= 0):
        raise ParameterError(
            f"regime map axis {name!r}: give (low, high) or an increasing array of at least 2 finite values"
        )
    bounds = game.parameter(name).bounds
    if bounds is not None and (arr[0] < bounds[0] or arr[-1] > bounds[1]):
        raise ParameterError(
            f"regime map axis {name!r} = [{arr[0]:g}, {arr[-1]:g}] leaves its bounds {bounds}"
        )
    return arr


def _categories(ess: np.ndarray) -> tuple[np.ndarray, tuple[tuple[int, ...], ...]]:
    """Integer code per cell ``(n2, n1)`` and, per code, the tuple of ESS vertices (``ess`` is (V, n2, n1))."""
    keys: dict[tuple[int, ...], int] = {}
    codes = np.empty(ess.shape[1:], dtype=int)
    for b in range(codes.shape[0]):
        for a in range(codes.shape[1]):
            key = tuple(int(v) for v in np.flatnonzero(ess[:, b, a]))
            codes[b, a] = keys.setdefault(key, len(keys))
    return codes, tuple(keys)


def _category_style(key: tuple[int, ...], n_vertices: int) -> tuple[tuple[float, ...], str | None]:
    """Fill colour and hatch colour of a regime.

    One ESS: the light colour of that vertex, no hatch.  Several: the light
    colour of the last, hatched in the colour of the first.  None: light grey.
    """
    if not key:
        return (0.87, 0.87, 0.87), None
    fill = light(vertex_colour(key[-1], n_vertices))
    return fill, (vertex_colour(key[0], n_vertices) if len(key) > 1 else None)


def _category_label(labels: Sequence[str], key: tuple[int, ...]) -> str:
    if not key:
        return "no ESS"
    if len(key) == 1:
        return f"ESS {labels[key[0]]}"
    return "bistable: " + " and ".join(labels[v] for v in key)


def _decorate(
    ax: Axes,
    cells: _results.RegimeCells,
    labels: Sequence[str],
    dyn: Dynamics | None,
    base: Mapping[str, float] | None,
    thresholds: bool | ThresholdCurves,
    points: Mapping[str, Mapping[str, float]] | None,
    legend: bool,
    title: str | None,
) -> None:
    """Threshold lines, marked points, axis labels and legend of a regime map."""
    V = cells.ess.shape[0]
    n1, n2 = cells.parameters
    ess_vertices = sorted(set(np.flatnonzero(cells.ess.any(axis=(1, 2))).tolist()))
    curves = thresholds if isinstance(thresholds, ThresholdCurves) else None
    if curves is None and thresholds and dyn is not None and base is not None and cells.thresholds:
        x, y = cells.values
        curves = threshold_curves(
            dyn, (n1, n2), base, bounds=((x[0], x[-1]), (y[0], y[-1])), vertices=ess_vertices,
            critical=cells.thresholds,
        )  # fmt: skip
    if curves is not None:
        for v in ess_vertices:
            label = f"boundary of ESS {labels[v]}"
            for xs, ys in curves.segments(v):
                ax.plot(xs, ys, color=vertex_colour(v, V), lw=1.2, label=label)
                label = None
    if points:
        markers = iter(["*", "P", "s", "^", "v"])
        for name, values in points.items():
            px, py = float(values[n1]), float(values[n2])
            m = next(markers, "o")
            ax.plot(
                px, py, marker=m, ms=8 if m == "*" else 6, mfc="white", mec="black", mew=0.9, ls="", zorder=6,
                label=name,
            )  # fmt: skip
    x, y = cells.values
    ax.set_xlim(x[0], x[-1])
    ax.set_ylim(y[0], y[-1])
    ax.set_xlabel(parameter_label(n1))
    ax.set_ylabel(parameter_label(n2))
    if title:
        ax.set_title(title)
    if legend:
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), handlelength=1.4)


def _draw_ess(ax: Axes, cells: _results.RegimeCells, labels: Sequence[str]) -> None:
    """Cells coloured by their set of ESS: QuadMesh ``gid="regimes"`` of codes, legend proxies ``gid="regime k"``."""
    codes, keys = _categories(cells.ess)
    V = cells.ess.shape[0]
    styles = [_category_style(key, V) for key in keys]
    x, y = cells.values
    ax.pcolormesh(
        x, y, codes, cmap=mpl.colors.ListedColormap([fill for fill, _ in styles]), vmin=-0.5,
        vmax=len(keys) - 0.5, shading="nearest", rasterized=True, gid="regimes",
    )  # fmt: skip
    for code, (_fill, hatch_colour) in enumerate(styles):
        if hatch_colour is not None:
            with mpl.rc_context({"hatch.color": hatch_colour, "hatch.linewidth": 0.6}):
                ax.contourf(
                    x, y, (codes == code).astype(float), levels=[0.5, 1.5], colors="none", hatches=["////"]
                )
    # Proxy artists carry the legend labels (so a figure can gather them from several panels).
    order = sorted(range(len(keys)), key=lambda c: (len(keys[c]) == 0, len(keys[c]), keys[c]))
    for code in order:
        fill, hatch_colour = styles[code]
        ax.fill_between(
            [], [], facecolor=fill, edgecolor=hatch_colour or "none", hatch="////" if hatch_colour else None,
            linewidth=0.0, label=_category_label(labels, keys[code]), gid=f"regime {code}",
        )  # fmt: skip


def _draw_attractors(
    ax: Axes, cells: _results.RegimeCells, labels: Sequence[str], dyn: Dynamics | None
) -> None:
    """Cells coloured by the outcome most simulated starts reach (``cells.prevailing``).

    A vertex outcome has the light colour of the vertex; an outcome whose label
    says it is not certified is grey and cross-hatched (its legend text keeps
    the label); ``"other"``/``"failed"`` are grey.
    """
    V = cells.ess.shape[0]
    prevailing = cells.prevailing
    outcomes = sorted({str(o) for o in prevailing.ravel()})  # type: ignore[union-attr]
    index = {name: k for k, name in enumerate(cells.vertices)}

    def fill(o: str) -> Any:
        if o in index:
            return light(vertex_colour(index[o], V))
        return UNCERTIFIED_FILL if is_uncertified(o) else light("#999999")

    styles = [fill(o) for o in outcomes]
    codes = np.vectorize(lambda o: outcomes.index(str(o)))(prevailing)
    x, y = cells.values
    ax.pcolormesh(
        x, y, codes, cmap=mpl.colors.ListedColormap(styles), vmin=-0.5, vmax=len(outcomes) - 0.5,
        shading="nearest", rasterized=True, gid="regimes",
    )  # fmt: skip
    for code, o in enumerate(outcomes):
        if is_uncertified(o) and o not in index:
            with mpl.rc_context({"hatch.color": UNCERTIFIED_HATCH_COLOUR, "hatch.linewidth": 0.6}):
                ax.contourf(
                    x, y, (codes == code).astype(float), levels=[0.5, 1.5], colors="none",
                    hatches=[UNCERTIFIED_HATCH],
                )  # fmt: skip
    for o, colour in zip(outcomes, styles):
        hatch: dict[str, Any] = {}
        if is_uncertified(o) and o not in index:
            hatch = {"hatch": UNCERTIFIED_HATCH, "hatchcolor": UNCERTIFIED_HATCH_COLOUR, "linewidth": 0.0}
        text = "most starts → " + (labels[index[o]] if o in index else o)
        ax.fill_between([], [], facecolor=colour, label=_wrap_legend(text), **hatch)


def _wrap_legend(text: str, width: int = 34) -> str:
    """A long legend text (e.g. an uncertified outcome) on several lines of at most ``width`` characters."""
    return text if len(text) <= width else "\n".join(textwrap.wrap(text, width))


@styled
def regime_map(
    source: Any,
    axes: Mapping[str, Any] | None = None,
    params: Mapping[str, Any] | None = None,
    *,
    ax: Axes | None = None,
    resolution: int = 201,
    thresholds: bool | ThresholdCurves = True,
    points: Mapping[str, Mapping[str, float]] | None = None,
    dynamics: Game | Dynamics | None = None,
    colour_by: str = "ess",
    legend: bool = True,
    title: str | None = None,
) -> Axes:
    """Draw a two-parameter regime map: cells coloured by the set of ESS, with exact threshold lines.

    Each cell is coloured by which vertices are evolutionarily stable (strict
    Nash equilibria; in multi-population replicator dynamics exactly the
    asymptotically stable rest points), as :func:`gametheory.regime_map`
    computed them: one ESS (colour of that vertex, as in
    :func:`phase_portrait`), several (bistable, hatched), or none.  On top,
    the boundaries of every ESS region: the zero sets of the vertex's
    eigenvalues :math:`\\pi_i(j, s_{-i}) - \\pi_i(s) = 0`, solved symbolically
    by :func:`gametheory.analysis.stability.critical_values`.

    Parameters
    ----------
    source
        A two-parameter result of :func:`gametheory.regime_map`; or, as a
        convenience, a game or its dynamics (with ``axes`` and ``params``:
        :func:`gametheory.regime_map` is called once, without simulation).
    axes
        For a game: ``{p1: (low, high), p2: (low, high)}`` (horizontal,
        vertical; ``resolution`` points each) or increasing arrays.
    params
        The other parameters.  For a result, pass the ``params`` it was
        computed with (and ``dynamics``) to get the threshold lines.
    dynamics
        For a result: the game, for threshold lines and vertex labels.
    colour_by
        ``"ess"``: the set of ESS (exact).  ``"attractor"`` (a result with
        simulated starts only): the outcome most of the simulated starts reach.
    ax
        Axes to draw into (default: a new one-column figure).
    resolution
        Grid points per axis for a game's ``(low, high)`` axes.
    thresholds
        Draw the exact ESS-region boundaries: a
        :class:`~gametheory.analysis.thresholds.ThresholdCurves` result to
        draw, or ``True`` to compute it once with
        :func:`gametheory.analysis.thresholds.threshold_curves` from the
        critical values the result carries (needs ``dynamics`` and ``params``).
    points
        ``{label: parameter dict}``: marked at that dict's values of the two
        parameters (e.g. the calibrated sets).
    legend, title
        Drawing options.

    Returns
    -------
    Axes
        The cells are the QuadMesh with ``gid="regimes"`` (one code per cell);
        the legend proxy of code ``k`` has ``gid="regime k"``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> import gametheory as gt
    >>> from gametheory import plot
    >>> from gametheory.models import crisis_governance as cg
    >>> result = gt.regime_map(cg.game(), {"theta": np.linspace(0.05, 1, 21), "F_g": np.linspace(0, 16, 21)},
    ...                        cg.STATUS_QUO, n=0)
    >>> ax = plot.regime_map(result, params=cg.STATUS_QUO, dynamics=cg.game())
    >>> "boundary of ESS (0, 0, 0)" in [t.get_text() for t in ax.get_legend().get_texts()]
    True
    """
    if colour_by not in ("ess", "attractor"):
        raise SpecificationError(f"colour_by must be 'ess' or 'attractor', got {colour_by!r}")
    dyn = as_dynamics(dynamics, name="dynamics") if dynamics is not None else None
    if _results.is_regime_map(source):
        result = source
    else:
        from ..studies.regimes import regime_map as compute_regime_map

        dyn = as_dynamics(source, name="source")
        if axes is None:
            raise ParameterError("regime_map of a game needs axes={p1: (low, high), p2: (low, high)}")
        if len(axes) != 2:
            raise ParameterError(f"a regime map needs exactly two parameters, got {list(axes)}")
        grid = {name: _axis_values(dyn.game, name, spec, resolution) for name, spec in axes.items()}
        params = {k: v for k, v in (params or {}).items() if k not in grid}
        result = compute_regime_map(dyn, grid, params, n=0)
    cells = _results.grid_values(result)
    base = None
    if dyn is not None and params is not None:
        filled = {**dict(params), **{n: float(v[0]) for n, v in zip(cells.parameters, cells.values)}}
        base = dict(zip(dyn.game.parameter_names, map(float, dyn.parameter_vector(filled))))
    if dyn is not None:
        labels = tuple(vertex_label(dyn, k) for k in range(len(cells.vertices)))
    else:
        labels = tuple("(" + v.replace(",", ", ") + ")" for v in cells.vertices)
    if colour_by == "attractor" and cells.prevailing is None:
        raise SpecificationError(
            "colour_by='attractor' needs a RegimeMap computed with simulated starts (n_starts > 0)"
        )
    ax = new_axes(ax, (COLUMN_WIDTH, 2.8))
    if colour_by == "attractor":
        _draw_attractors(ax, cells, labels, dyn)
    else:
        _draw_ess(ax, cells, labels)
    _decorate(ax, cells, labels, dyn, base, thresholds, points, legend, title)
    return ax
