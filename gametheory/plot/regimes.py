"""Regime maps: :func:`regime_map` draws a two-parameter :func:`gametheory.regime_map` result.

The cells (which vertices are ESS) come from :func:`gametheory.regime_map`
(:func:`gametheory.analysis.stability.strict_equilibria`), the threshold lines
from the critical values it carries
(:func:`gametheory.analysis.stability.critical_values`, solved symbolically);
this module only draws them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib as mpl
import numpy as np
import sympy
from matplotlib.axes import Axes

from .._checks import as_dynamics
from ..codegen import compile_expressions
from ..dynamics.base import Dynamics
from ..errors import ParameterError, SpecificationError
from ..game import Game
from . import _results
from .theme import (
    COLUMN_WIDTH,
    check_parameter,
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


def _evaluate(
    expr: sympy.Expr, s1: sympy.Symbol, s2: sympy.Symbol, a: np.ndarray, b: np.ndarray
) -> np.ndarray:
    """Values of a result's expression in the two plane parameters on arrays (through :mod:`gametheory.codegen`)."""
    f = compile_expressions("_plot_plane", [sympy.sympify(expr)], (), (s1, s2))
    P = np.stack([np.asarray(a, dtype=float), np.asarray(b, dtype=float)])
    with np.errstate(all="ignore"):
        out = np.asarray(f(np.empty((0, *P.shape[1:])), P))
    if np.iscomplexobj(out):
        out = np.where(np.abs(out.imag) <= 1e-12 * np.maximum(1.0, np.abs(out.real)), out.real, np.nan)
    return np.asarray(out, dtype=float)[0]


def _threshold_lines(
    dyn: Dynamics, cells: _results.RegimeCells, base: Mapping[str, float], vertex: int, n_samples: int = 600
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The boundary of ``vertex``'s ESS region in the plane, from the critical values of the result.

    Each eigenvalue :math:`\\lambda(p_1, p_2)` of the vertex that depends on the
    plane has critical values (:func:`gametheory.analysis.stability.critical_values`):
    the solutions of :math:`\\lambda = 0` for :math:`p_2` (drawn as curves
    :math:`p_2 = h(p_1)`) or, if there are none, for :math:`p_1`.  A zero set
    bounds the ESS region where every other such eigenvalue is :math:`\\le 0`
    (to :math:`10^{-9}` relative); only those parts are kept.  The pieces are
    joined into one ``(xs, ys)`` with NaN between them; empty if there are none.
    """
    game = dyn.game
    n1, n2 = cells.parameters
    s1, s2 = game.parameter(n1).symbol, game.parameter(n2).symbol
    subs = {
        p.symbol: sympy.nsimplify(base[p.name], rational=True)
        for p in game.parameters
        if p.name not in (n1, n2)
    }
    thresholds = cells.thresholds or {}
    by_deviation: dict[Any, dict[str, Any]] = {}
    for name in (n1, n2):
        for cv in thresholds.get(name, ()):
            if game.profiles.index(tuple(cv.profile)) != vertex:
                continue
            entry = by_deviation.setdefault(
                tuple(cv.deviation), {"eigenvalue": cv.eigenvalue, n1: [], n2: []}
            )
            entry[name].append(sympy.sympify(cv.expression).xreplace(subs))
    (x_lo, x_hi), (y_lo, y_hi) = (cells.values[0][[0, -1]], cells.values[1][[0, -1]])
    x = np.linspace(x_lo, x_hi, n_samples)
    y = np.linspace(y_lo, y_hi, n_samples)
    eigenvalues = {dev: sympy.sympify(e["eigenvalue"]).xreplace(subs) for dev, e in by_deviation.items()}
    pieces: list[tuple[np.ndarray, np.ndarray]] = []
    for dev, entry in by_deviation.items():
        if entry[n2]:  # p2 = h(p1)
            branches = [(x, _evaluate(h, s1, s2, x, 0 * x)) for h in entry[n2]]
        else:  # p1 = h(p2) (a constant when the eigenvalue does not involve p2)
            branches = [(np.broadcast_to(_evaluate(h, s1, s2, 0 * y, y), y.shape), y) for h in entry[n1]]
        for xs, ys in branches:
            xs, ys = np.array(xs, dtype=float), np.array(ys, dtype=float)
            inside = (
                np.isfinite(xs) & np.isfinite(ys)
                & (ys >= y_lo) & (ys <= y_hi) & (xs >= x_lo) & (xs <= x_hi)
            )  # fmt: skip
            if not inside.any():
                continue
            binding = inside.copy()
            for other, h in eigenvalues.items():
                if other == dev:
                    continue
                hv = _evaluate(h, s1, s2, np.where(inside, xs, 0.0), np.where(inside, ys, 0.0))
                with np.errstate(invalid="ignore"):
                    binding &= hv <= 1e-9 * np.maximum(1.0, np.abs(hv))
            if binding.any():
                pieces.append((np.where(binding, xs, np.nan), np.where(binding, ys, np.nan)))
    if not pieces:
        return []
    gap = np.array([np.nan])
    xs = np.concatenate([np.concatenate([p[0], gap]) for p in pieces])[:-1]
    ys = np.concatenate([np.concatenate([p[1], gap]) for p in pieces])[:-1]
    return [(xs, ys)]


def _decorate(
    ax: Axes,
    cells: _results.RegimeCells,
    labels: Sequence[str],
    dyn: Dynamics | None,
    base: Mapping[str, float] | None,
    thresholds: bool,
    points: Mapping[str, Mapping[str, float]] | None,
    legend: bool,
    title: str | None,
) -> None:
    """Threshold lines, marked points, axis labels and legend of a regime map."""
    V = cells.ess.shape[0]
    if thresholds and dyn is not None and base is not None and cells.thresholds:
        for v in sorted(set(np.flatnonzero(cells.ess.any(axis=(1, 2))).tolist())):
            label = f"boundary of ESS {labels[v]}"
            for xs, ys in _threshold_lines(dyn, cells, base, v):
                ax.plot(xs, ys, color=vertex_colour(v, V), lw=1.2, label=label)
                label = None
    n1, n2 = cells.parameters
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
    """Cells coloured by the outcome most simulated starts reach (``cells.prevailing``)."""
    V = cells.ess.shape[0]
    prevailing = cells.prevailing
    outcomes = sorted({str(o) for o in prevailing.ravel()})  # type: ignore[union-attr]
    index = {name: k for k, name in enumerate(cells.vertices)}
    styles = [light(vertex_colour(index[o], V) if o in index else "#999999") for o in outcomes]
    codes = np.vectorize(lambda o: outcomes.index(str(o)))(prevailing)
    x, y = cells.values
    ax.pcolormesh(
        x, y, codes, cmap=mpl.colors.ListedColormap(styles), vmin=-0.5, vmax=len(outcomes) - 0.5,
        shading="nearest", rasterized=True, gid="regimes",
    )  # fmt: skip
    for o, fill in zip(outcomes, styles):
        ax.fill_between(
            [], [], facecolor=fill, label="most starts → " + (labels[index[o]] if o in index else o)
        )


@styled
def regime_map(
    source: Any,
    axes: Mapping[str, Any] | None = None,
    params: Mapping[str, Any] | None = None,
    *,
    ax: Axes | None = None,
    resolution: int = 201,
    thresholds: bool = True,
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
        Draw the exact ESS-region boundaries.
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
    ...                        cg.STATUS_QUO, n_starts=0)
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
        result = compute_regime_map(dyn, grid, params, n_starts=0)
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
