"""Phase portraits (:func:`phase_portrait`) and rest points by kind (:func:`rest_points`)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D

from .._checks import as_dynamics
from ..dynamics.base import Dynamics
from ..errors import SpecificationError
from ..game import Game
from . import _results
from .theme import COLUMN_WIDTH, legend_entries, new_axes, state_label, styled, vertex_colour, vertex_label

__all__ = ["phase_portrait", "rest_points"]

# Marker styles of rest points by kind: (marker, face colour, edge colour, size).
KIND_STYLE = {
    "sink": ("o", "black", "black", 34),
    "source": ("o", "white", "black", 34),
    "saddle": ("o", "white", "black", 34),
    "non-hyperbolic": ("D", "white", "#777777", 26),
    "unclassified": ("s", "#DDDDDD", "#555555", 22),
}
KIND_LABEL = {
    "sink": "stable (sink)",
    "source": "unstable (source)",
    "saddle": "saddle",
    "non-hyperbolic": "non-hyperbolic",
    "unclassified": "rest point (not classified)",
}


# ------------------------------------------------------------- geometry
def _geometry(dyn: Dynamics, population: int | str | None) -> tuple[str, int | None]:
    sizes = dyn.game.strategy_counts
    if population is not None:
        idx = (
            population
            if isinstance(population, int)
            else dyn.game.population_names.index(dyn.game.population(population).name)
        )
        if sizes[idx] != 3:
            raise SpecificationError(
                f"population {dyn.game.populations[idx].name!r} has {sizes[idx]} strategies; "
                "a ternary phase portrait needs a population of exactly 3"
            )
        return "simplex", idx
    if all(k == 2 for k in sizes) and len(sizes) == 3:
        return "cube", None
    if all(k == 2 for k in sizes) and len(sizes) == 2:
        return "square", None
    if 3 in sizes:
        return "simplex", sizes.index(3)
    raise SpecificationError(
        f"no phase-portrait geometry for strategy counts {sizes}: supported are three or two 2-strategy "
        "populations (cube, square) or a population with 3 strategies (simplex); plot time series instead"
    )


def _default_starts(dyn: Dynamics, geometry: str, n: int, population: int | None) -> np.ndarray:
    """Deterministic interior starting states, shape ``(m, d)``.

    Cube and square: the grid ``{(k + 1/2)/n}`` on every axis.  Simplex: the
    interior points of the triangular lattice of step ``1/(n + 1)`` for the
    shown population, every other population at the centre of its simplex.
    """
    if geometry in ("cube", "square"):
        levels = (np.arange(n) + 0.5) / n
        return np.array(list(itertools.product(levels, repeat=dyn.dimension)))
    slices = dyn.population_slices()
    base = np.concatenate([np.full(sl.stop - sl.start, 1.0 / (sl.stop - sl.start + 1)) for sl in slices])
    m = n + 1
    lattice = [(a / m, b / m) for a in range(1, m) for b in range(1, m - a)]
    starts = np.tile(base, (len(lattice), 1))
    sl = slices[population]  # type: ignore[index]
    starts[:, sl] = np.array(lattice)
    return starts


def _simplex_xy(shares: np.ndarray) -> np.ndarray:
    """Ternary projection of 3-share vectors ``(3, n)``: corners at (0,0), (1,0), (1/2, sqrt(3)/2)."""
    return np.array([shares[1] + 0.5 * shares[2], (math.sqrt(3) / 2) * shares[2]])


def _project(dyn: Dynamics, geometry: str, pop: int | None, y: np.ndarray) -> np.ndarray:
    """Drawing coordinates of states ``y`` (d, n): the states themselves, or the ternary projection."""
    if geometry != "simplex":
        return y
    sl = dyn.population_slices()[pop]  # type: ignore[index]
    return _simplex_xy(np.vstack([y[sl], 1 - y[sl].sum(axis=0)]))


def _ends_near(dyn: Dynamics, x: np.ndarray, tol: float = 1e-3) -> int:
    """Index of the vertex within ``tol`` of the last state ``x`` (max norm), or -1.

    A colouring rule only: a trajectory whose last point is near a vertex may
    be passing it (e.g. along a heteroclinic cycle); whether it converges there
    is for :func:`gametheory.attractors` to certify.
    """
    for k, (_, v) in enumerate(dyn.vertices()):
        if np.max(np.abs(v - x)) < tol:
            return k
    return -1


def _spread_coinciding(points: Sequence[np.ndarray], step: float = 0.05) -> list[np.ndarray]:
    """Shift points that coincide (projections of distinct rest points) side by side, ``step`` apart."""
    out = [np.array(p, dtype=float) for p in points]
    groups: dict[tuple[float, float], list[int]] = {}
    for k, p in enumerate(out):
        groups.setdefault((round(float(p[0]), 6), round(float(p[1]), 6)), []).append(k)
    for members in groups.values():
        for rank, k in enumerate(members):
            out[k] = out[k] + np.array([(rank - (len(members) - 1) / 2) * step, 0.0])
    return out


def _arrow_index(path: np.ndarray, fraction: float = 0.35) -> int:
    """Index of the point at ``fraction`` of the arc length of ``path`` (shape (k, n))."""
    seg = np.sqrt((np.diff(path, axis=1) ** 2).sum(axis=0))
    total = seg.sum()
    if total <= 1e-9:
        return -1
    k = int(np.searchsorted(np.cumsum(seg), fraction * total))
    return min(k, path.shape[1] - 2)


def _axes_for(ax: Axes | None, geometry: str) -> Axes:
    if geometry == "cube":
        ax = new_axes(ax, (COLUMN_WIDTH, COLUMN_WIDTH), projection="3d")
        if getattr(ax, "name", "") != "3d":
            raise SpecificationError(
                "a cube phase portrait needs a 3-D axes: fig.add_subplot(projection='3d')"
            )
        return ax
    return new_axes(ax, (COLUMN_WIDTH, COLUMN_WIDTH * (1.15 if geometry == "square" else 1.05)))


# ------------------------------------------------------------ rest points
def _draw_rest_points(
    ax: Axes, dyn: Dynamics, geometry: str, pop: int | None, report: Any
) -> list[tuple[Any, str]]:
    """Scatter the rest points of a result by kind; returns legend handles for the kinds present.

    Each kind is one scatter collection with ``gid`` ``"rest points: <kind>"``.
    """
    entries = _results.rest_point_kinds(report)
    pts = [_project(dyn, geometry, pop, p[:, None])[:, 0] for p, _ in entries]
    if geometry == "simplex":
        pts = _spread_coinciding(pts)
    kinds = [k if k in KIND_STYLE else "non-hyperbolic" for _, k in entries]
    handles = []
    for kind in KIND_STYLE:
        sel = [p for p, k in zip(pts, kinds) if k == kind]
        if not sel:
            continue
        cols = np.array(sel).T
        marker, face, edge, size = KIND_STYLE[kind]
        kw: dict[str, Any] = {"marker": marker, "s": size, "facecolors": face, "edgecolors": edge}
        if geometry == "cube":
            kw["depthshade"] = False
        ax.scatter(*cols, zorder=5, linewidths=1.0, gid=f"rest points: {kind}", **kw)
        handle: Any = Line2D(
            [], [], marker=marker, ls="", markerfacecolor=face, markeredgecolor=edge, markersize=5.5
        )
        if kind == "saddle":
            ax.scatter(*cols, marker="x", s=size * 0.45, c="black", linewidths=1.0, zorder=6)
            handle = (handle, Line2D([], [], marker="x", ls="", color="black", markersize=3.8))
        handles.append((handle, KIND_LABEL[kind]))
    return handles


def _frame(
    ax: Axes, dyn: Dynamics, geometry: str, pop: int | None, field: np.ndarray | None, title: str | None
) -> None:
    """Edges, limits, labels of the state space; ``field`` the square's vector field (13 x 13 points, 2)."""
    if geometry == "cube":
        for a, b in itertools.combinations(range(8), 2):
            va, vb = np.array(list(np.binary_repr(a, 3)), float), np.array(list(np.binary_repr(b, 3)), float)
            if np.abs(va - vb).sum() == 1:
                ax.plot(*np.column_stack([va, vb]), color="#BBBBBB", lw=0.5, zorder=0)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_zlim(0, 1)
        ax.set_box_aspect((1, 1, 1), zoom=0.88)
        ax.set_xlabel(state_label(dyn, 0), labelpad=-4)
        ax.set_ylabel(state_label(dyn, 1), labelpad=-4)
        ax.set_zlabel(state_label(dyn, 2), labelpad=-4)
        # the y axis starts at the corner where the x axis ends: label its 0 through x's 1 only
        ax.set_xticks([0, 0.5, 1], ["0", "0.5", "1"])
        ax.set_yticks([0.5, 1], ["0.5", "1"])
        ax.set_zticks([0, 0.5, 1], ["0", "0.5", "1"])
        ax.tick_params(pad=-2)
        ax.view_init(elev=22, azim=-58)
        for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
            axis.pane.set_alpha(0.0)
    elif geometry == "square":
        if field is not None:
            gx, gy = _field_grid()
            norm = np.hypot(field[:, 0], field[:, 1])
            norm[norm == 0] = 1.0
            ax.quiver(
                gx, gy, field[:, 0] / norm, field[:, 1] / norm,
                color="#AAAAAA", scale=30, width=0.003, headwidth=4, zorder=0,
            )  # fmt: skip
        ax.set_xlim(-0.02, 1.02)
        ax.set_ylim(-0.02, 1.02)
        ax.set_aspect("equal")
        ax.set_xlabel(state_label(dyn, 0))
        ax.set_ylabel(state_label(dyn, 1))
    else:
        corners = _simplex_xy(np.eye(3))
        ax.plot(*np.column_stack([corners, corners[:, :1]]), color="black", lw=0.7, zorder=0)
        strategies = dyn.game.populations[pop].strategies  # type: ignore[index]
        offsets = ((-0.07, -0.03), (0.07, -0.03), (0.0, 0.07))
        align = ("right", "left", "center")
        for k in range(3):
            ax.text(
                corners[0, k] + offsets[k][0], corners[1, k] + offsets[k][1], strategies[k],
                ha=align[k], va="center",
            )  # fmt: skip
        ax.set_xlim(-0.12, 1.12)
        ax.set_ylim(-0.1, math.sqrt(3) / 2 + 0.1)
        ax.set_aspect("equal")
        ax.set_axis_off()
        ax.set_title(f"population {dyn.game.population_names[pop]}" if title is None else title)  # type: ignore[index]
    if title is not None and geometry != "simplex":
        ax.set_title(title)


def _field_grid() -> tuple[np.ndarray, np.ndarray]:
    g = np.linspace(0.04, 0.96, 13)
    gx, gy = np.meshgrid(g, g)
    return gx.ravel(), gy.ravel()


def _legend(ax: Axes, geometry: str, handles: Sequence[tuple[Any, str]]) -> None:
    """The legend of a portrait: rest-point kinds, then where trajectories end; one entry per label."""
    kwargs = {"handler_map": {tuple: HandlerTuple(ndivide=1, pad=0)}, "handlelength": 1.5}
    anchor = {"cube": (0.5, 0.04), "square": (0.5, -0.16)}.get(geometry, (0.5, 0.0))
    legend = ax.legend(*legend_entries(handles), loc="upper center", bbox_to_anchor=anchor, ncol=2, **kwargs)
    legend._gametheory_entries = list(handles)  # the original handles, for dynamics_panel's shared legend


@styled
def rest_points(
    report: Any,
    *,
    ax: Axes | None = None,
    dynamics: Game | Dynamics | None = None,
    population: int | str | None = None,
    legend: bool = True,
    title: str | None = None,
) -> Axes:
    """Draw the rest points of a stability analysis in the state space, marked by kind.

    Filled circles are sinks, open circles sources, crossed circles saddles,
    open diamonds non-hyperbolic points; the kinds are those of
    :func:`gametheory.analyze` (:class:`~gametheory.analysis.stability.StabilityKind`).
    The points of a :func:`gametheory.rest_points` result carry no kind and
    are drawn as grey squares.  The state space is drawn as in
    :func:`phase_portrait`.

    Parameters
    ----------
    report
        A :class:`gametheory.StabilityReport`, or the result of
        :func:`gametheory.rest_points` (then give ``dynamics``).
    ax
        Axes to draw into (a 3-D axes for three 2-strategy populations;
        default: a new one-column figure).
    dynamics
        The game or its dynamics, for a :func:`gametheory.rest_points` result.
    population
        For the simplex geometry: which 3-strategy population to show.
    legend, title
        Drawing options.

    Returns
    -------
    Axes
        One scatter collection per kind present, with ``gid``
        ``"rest points: <kind>"``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import gametheory as gt
    >>> from gametheory import plot
    >>> from gametheory.models import crisis_governance as cg
    >>> ax = plot.rest_points(gt.analyze(cg.game(), cg.OPTIMIZED))
    >>> sinks = next(c for c in ax.collections if c.get_gid() == "rest points: sink")
    >>> [list(map(float, c)) for c in sinks._offsets3d]
    [[1.0], [1.0], [1.0]]
    """
    dyn = as_dynamics(_results.report_game(report, dynamics), name="dynamics")
    geometry, pop = _geometry(dyn, population)
    ax = _axes_for(ax, geometry)
    handles = _draw_rest_points(ax, dyn, geometry, pop, report)
    _frame(ax, dyn, geometry, pop, None, title)
    if legend and handles:
        _legend(ax, geometry, handles)
    return ax


@styled
def phase_portrait(
    dynamics: Game | Dynamics,
    params: Mapping[str, Any] | None = None,
    *,
    ax: Axes | None = None,
    starts: Any = None,
    n: int = 3,
    t_span: tuple[float, float] = (0.0, 60.0),
    trajectories: Any = None,
    report: Any = None,
    analysis: bool = True,
    population: int | str | None = None,
    arrows: bool = True,
    vector_field: bool = True,
    legend: bool = True,
    n_eval: int = 400,
    title: str | None = None,
) -> Axes:
    """Phase portrait: trajectories from a grid of starts, rest points marked by kind.

    Geometry (chosen from the game's strategy counts):

    - three 2-strategy populations: the unit cube of :math:`(x, y, z)`
      (a 3-D axes; pass ``ax`` created with ``projection="3d"``);
    - two 2-strategy populations: the unit square, with the normalised vector
      field :math:`\\dot x` as light arrows;
    - a population with 3 strategies (``population``, default the first such):
      its simplex in ternary coordinates.  The other populations evolve too:
      trajectories are projections, and rest points that project onto one
      spot are drawn side by side.

    Trajectories are coloured by the vertex their last point lies near
    (within :math:`10^{-3}` in the max norm, grey otherwise; legend "ends
    near ..."): a colouring rule, not a certificate of convergence (see
    :func:`gametheory.attractors`).  Each carries an arrow in the direction of
    motion.  Rest points as in :func:`rest_points`.

    What is drawn are results: ``trajectories`` (or, as a convenience, one
    call of :meth:`~gametheory.dynamics.base.Dynamics.simulate_many` from
    ``starts``) and ``report`` (or one call of :func:`gametheory.analyze`).

    Parameters
    ----------
    dynamics
        The game or its dynamics.
    params
        Parameter values (game defaults fill the rest).
    ax
        Axes to draw into (default: a new one-column figure).
    starts
        Starting states, shape ``(n_starts, d)``; default a deterministic
        interior grid with ``n`` levels per axis.
    t_span
        Integration window for the default trajectories.
    trajectories
        Precomputed trajectories (Trajectory objects or an ensemble) to draw
        instead of integrating.
    report, analysis
        A :class:`gametheory.StabilityReport` for the rest points; without one,
        ``analysis=True`` runs :func:`gametheory.analyze` and ``False`` marks
        no rest points.
    population
        For the simplex geometry: which 3-strategy population to show.
    arrows, vector_field, legend, title
        Drawing options.
    n_eval
        Time points stored per trajectory.

    Returns
    -------
    Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from gametheory import plot
    >>> import gametheory as gt
    >>> pennies = gt.Game.from_table(
    ...     {"row": ["H", "T"], "col": ["H", "T"]},
    ...     {("H", "H"): (1, -1), ("H", "T"): (-1, 1), ("T", "H"): (-1, 1), ("T", "T"): (1, -1)},
    ... )
    >>> ax = plot.phase_portrait(pennies, starts=[[0.3, 0.5]], t_span=(0, 12))
    >>> ax.get_aspect(), len(ax.get_legend().get_texts()) > 0
    (1.0, True)
    """
    dyn = as_dynamics(dynamics, name="dynamics")
    geometry, pop = _geometry(dyn, population)
    if trajectories is None:
        if starts is None:
            starts = _default_starts(dyn, geometry, n if geometry != "simplex" else n + 3, pop)
        starts = dyn.check_states(starts, name="starts")
        t_eval = np.linspace(t_span[0], t_span[1], n_eval)
        trajectories = dyn.simulate_many(starts, t_span, params, t_eval=t_eval)
    runs = _results.runs(trajectories)
    if report is None and analysis:
        from ..analysis.stability import analyze

        report = analyze(dyn, params)
    nv = len(dyn.vertices())
    ax = _axes_for(ax, geometry)
    seen: dict[int, str] = {}
    for run in runs:
        y = np.asarray(run.y, dtype=float)
        dest = _ends_near(dyn, y[:, -1])
        colour = vertex_colour(dest, nv)
        seen.setdefault(dest, colour)
        path = _project(dyn, geometry, pop, y)
        ax.plot(*path, color=colour, lw=0.8, alpha=0.9)
        ax.plot(*[[c] for c in path[:, 0]], marker="o", ms=1.8, color=colour, ls="")
        k = _arrow_index(path) if arrows else -1
        if k >= 0 and geometry == "cube":
            step = path[:, k + 1] - path[:, k]
            step = step / max(np.linalg.norm(step), 1e-12)
            ax.quiver(
                *path[:, k], *step, length=0.09, normalize=True, color=colour, arrow_length_ratio=0.9, lw=0.9
            )
        elif k >= 0:
            ax.annotate(
                "",
                xy=tuple(path[:, k + 1]),
                xytext=tuple(path[:, k]),
                arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 0.8, "mutation_scale": 8},
            )
    handles = _draw_rest_points(ax, dyn, geometry, pop, report) if report is not None else []
    field = None
    if geometry == "square" and vector_field:
        field = dyn.vector_field(np.column_stack(_field_grid()), params)
    _frame(ax, dyn, geometry, pop, field, title)
    if legend:
        dest_handles = [
            (
                Line2D([], [], color=c, lw=1.2),
                "ends near " + (vertex_label(dyn, k) if k >= 0 else "no vertex"),
            )
            for k, c in sorted(seen.items())
        ]
        _legend(ax, geometry, handles + dest_handles)
    return ax
