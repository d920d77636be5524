"""Publication figures for multi-population replicator dynamics (matplotlib).

Every function takes an optional ``ax`` (or a sequence of axes for multi-panel
figures), draws into it, and returns the :class:`~matplotlib.axes.Axes` (or the
:class:`~matplotlib.figure.Figure` of a multi-panel plot).  Nothing here calls
``plt.show()``; save with ``fig.savefig(...)``.

Functions
---------
:func:`time_series`
    Shares :math:`x_r(t)` against time for one or many runs.
:func:`phase_portrait`
    Trajectories in the state space with rest points marked by kind: the unit
    cube (three 2-strategy populations), the unit square (two), or the simplex
    of one 3-strategy population (ternary projection).
:func:`sensitivity`
    One panel per coordinate; evolution curves for several values of one
    parameter.
:func:`regime_map`
    A two-parameter plane coloured by the set of evolutionarily stable corners,
    with the exact threshold lines :math:`\\lambda = 0` of the corner
    eigenvalues drawn on top.
:func:`basins`
    Shares of starting states that end at each attractor (bars).
:func:`model_diagram`
    The populations as boxes and who influences whose payoff through which
    parameter as labelled arrows.

Helpers: :func:`rest_points` (rest points and kinds as plotted),
:func:`ess_regimes` (the exact ESS grid behind a regime map),
:func:`coupling_parameters` (the arrows of a model diagram),
:func:`shared_legend` (one legend for several panels), :func:`style`.

Inputs are the package's result objects: :class:`~gametheory.integrate.Trajectory`,
:class:`~gametheory.integrate.Ensemble`, :class:`gametheory.sweep.SweepResult`,
:class:`gametheory.sweep.RegimeMap`, :class:`gametheory.sweep.Basins`,
:class:`gametheory.AttractorReport` and :class:`gametheory.StabilityReport`.

Style
-----
Colours come from the Okabe-Ito palette (safe for the common forms of colour
blindness); sequential colour scales use ``cividis``.  Sizes fit a journal
column (:data:`COLUMN_WIDTH` = 3.5 in) or a full page width
(:data:`PAGE_WIDTH` = 7.2 in), at 8 pt type.  Labels use the LaTeX symbols of
the parameters (``lam`` -> :math:`\\lambda`, ``F_g`` -> :math:`F_g`).
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import sympy
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch

from ..dynamics.replicator import ReplicatorDynamics
from ..errors import ParameterError, SpecificationError, suggest
from ..game import Game
from ..latex import latex_name as _latex_name

if TYPE_CHECKING:
    pass

__all__ = [
    "OKABE_ITO",
    "COLUMN_WIDTH",
    "PAGE_WIDTH",
    "RC_PARAMS",
    "style",
    "shared_legend",
    "parameter_label",
    "state_label",
    "RestPoint",
    "rest_points",
    "time_series",
    "phase_portrait",
    "sensitivity",
    "regime_map",
    "ess_regimes",
    "RegimeGrid",
    "basins",
    "model_diagram",
    "coupling_parameters",
]

#: The Okabe-Ito colour-blind-safe palette: orange, sky blue, bluish green,
#: yellow, blue, vermillion, reddish purple, black.
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
#: Palette order used for coordinates and categories (yellow last: weak on white).
_CYCLE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
#: Width of one journal column, inches (89 mm).
COLUMN_WIDTH = 3.5
#: Width of a full journal page, inches (183 mm).
PAGE_WIDTH = 7.2
#: Matplotlib settings of every figure of this module.
RC_PARAMS: dict[str, Any] = {
    "font.size": 8,
    "axes.titlesize": 8,
    "figure.titlesize": 9,
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "legend.frameon": False,
    "lines.linewidth": 1.1,
    "axes.linewidth": 0.6,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": mpl.cycler(color=list(_CYCLE)),
    "mathtext.fontset": "dejavusans",
    "savefig.dpi": 300,
    "savefig.bbox": "tight",
    "pdf.fonttype": 42,
    "figure.dpi": 100,
}

# Marker styles of rest points by kind: (marker, face colour, edge colour, size).
_KIND_STYLE = {
    "sink": ("o", "black", "black", 34),
    "source": ("o", "white", "black", 34),
    "saddle": ("o", "white", "black", 34),
    "non-hyperbolic": ("D", "white", "#777777", 26),
}
_KIND_LABEL = {
    "sink": "stable (sink)",
    "source": "unstable (source)",
    "saddle": "saddle",
    "non-hyperbolic": "non-hyperbolic",
}


@contextlib.contextmanager
def style() -> Iterator[None]:
    """Context manager applying :data:`RC_PARAMS` (every plot function uses it).

    Only the keys of :data:`RC_PARAMS` are restored on exit (unlike
    :func:`matplotlib.rc_context`, which would also undo settings a backend
    makes when it is first activated inside the context, such as the
    interactive mode of Jupyter's inline backend).
    """
    saved = {key: mpl.rcParams[key] for key in RC_PARAMS}
    mpl.rcParams.update(RC_PARAMS)
    try:
        yield
    finally:
        mpl.rcParams.update(saved)


def _styled(func: Callable[..., Any]) -> Callable[..., Any]:
    """Run a plot function under :func:`style`, and fix the tick-label size on the axes it returns.

    Tick labels are created when the figure is drawn, which may happen after the
    style context has closed (Jupyter's inline backend draws at the end of the
    cell), so their size is stored on the axes themselves.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with style():
            result = func(*args, **kwargs)
        axes = result.axes if isinstance(result, Figure) else [result]
        for a in axes:
            a.tick_params(axis="both", labelsize=RC_PARAMS["xtick.labelsize"])
            if getattr(a, "name", "") == "3d":
                a.tick_params(axis="z", labelsize=RC_PARAMS["xtick.labelsize"])
        return result

    return wrapper


def shared_legend(fig: Figure, axes: Sequence[Axes] | None = None, **kwargs: Any) -> Any:
    """One legend for a multi-panel figure: every distinct label of ``axes`` (default: all), in order.

    Regime maps of several panels have different categories; this gathers
    them all.  Keyword arguments go to :meth:`Figure.legend` (default
    ``loc="outside right upper"``, which needs a constrained layout).
    """
    handles: dict[str, Any] = {}
    for a in fig.axes if axes is None else axes:
        for h, label in zip(*a.get_legend_handles_labels()):
            if not label.startswith("_"):
                handles.setdefault(label, h)
    for a in fig.axes if axes is None else axes:
        if a.get_legend() is not None:
            a.get_legend().remove()
    with style():
        return fig.legend(list(handles.values()), list(handles), **({"loc": "outside right upper"} | kwargs))


# ----------------------------------------------------------------- labels
def parameter_label(name: str, value: float | None = None) -> str:
    """Mathtext label of a parameter: ``"F_g"`` -> ``"$F_{g}$"``; with a value ``"$F_{g} = 3$"``."""
    tex = _latex_name(name)
    return f"${tex}$" if value is None else f"${tex} = {value:.3g}$"


def state_label(dynamics: ReplicatorDynamics, r: int, *, long: bool = True) -> str:
    """Label of state coordinate ``r``: ``"$x$"`` or, with ``long``, ``"$x$: government C"``."""
    sym = f"${sympy.latex(dynamics.states[r])}$"
    if not long:
        return sym
    i, j = dynamics.coordinates[r]
    pop = dynamics.game.populations[i]
    return f"{sym}: {pop.name} {pop.strategies[j]}"


def _dynamics(obj: Game | ReplicatorDynamics) -> ReplicatorDynamics:
    if isinstance(obj, ReplicatorDynamics):
        return obj
    if isinstance(obj, Game):
        return obj.replicator()
    raise TypeError(f"expected a Game or ReplicatorDynamics, got {type(obj).__name__}")


def _new_axes(ax: Axes | None, size: tuple[float, float], projection: str | None = None) -> Axes:
    if ax is not None:
        return ax
    fig = plt.figure(figsize=size, layout="constrained" if projection is None else None)
    return fig.add_subplot(projection=projection)


# ------------------------------------------------------------- rest points
@dataclass(frozen=True)
class RestPoint:
    """A rest point as plotted.

    Attributes
    ----------
    point : ndarray, shape (d,)
        Reduced state.
    kind : str
        ``"sink"``, ``"source"``, ``"saddle"`` or ``"non-hyperbolic"`` (any
        other kind reported by the stability analysis is drawn as
        non-hyperbolic).
    eigenvalues : ndarray, shape (d,)
        Jacobian eigenvalues at the point.
    """

    point: np.ndarray
    kind: str
    eigenvalues: np.ndarray


def _classify(eigenvalues: np.ndarray, scale: float) -> str:
    """Hyperbolic classification from eigenvalue real parts; near-zero parts make it non-hyperbolic."""
    re = np.real(eigenvalues)
    tol = 1e-9 * max(1.0, scale)
    if np.any(np.abs(re) <= tol):
        return "non-hyperbolic"
    if np.all(re < 0):
        return "sink"
    if np.all(re > 0):
        return "source"
    return "saddle"


def rest_points(
    dynamics: Game | ReplicatorDynamics,
    params: Mapping[str, Any] | None = None,
    *,
    report: Any = None,
    analysis: bool = True,
) -> tuple[RestPoint, ...]:
    """Rest points to mark on a phase portrait, with their kinds.

    Uses ``report`` (a :class:`gametheory.StabilityReport`) when given, else
    (with ``analysis``) :func:`gametheory.analyze` (all rest points: vertices,
    edges, faces, interior) when the stability module provides it, else the
    vertices of the state space classified by the eigenvalues of
    :meth:`~gametheory.dynamics.ReplicatorDynamics.jacobian_at` (real parts
    all negative: sink; all positive: source; both signs: saddle; any within
    :math:`10^{-9}` of zero: non-hyperbolic).
    """
    dyn = _dynamics(dynamics)
    if report is None and analysis:
        try:
            from ..analysis.stability import analyze
        except ImportError:
            analyze = None
        if analyze is not None:
            report = analyze(dyn.game, params)
    if report is not None:
        out = []
        for eq in report.equilibria:
            kind = str(getattr(eq.kind, "value", eq.kind)).lower()
            kind = kind if kind in _KIND_STYLE else "non-hyperbolic"
            out.append(
                RestPoint(np.asarray(eq.point, dtype=float), kind, np.asarray(eq.eigenvalues, dtype=complex))
            )
        return tuple(out)
    out = []
    for _profile, v in dyn.vertices():
        jac = dyn.jacobian_at(v, params)
        ev = np.linalg.eigvals(jac)
        out.append(RestPoint(v, _classify(ev, float(np.abs(jac).max(initial=0.0))), ev))
    return tuple(out)


def _draw_rest_points(ax: Axes, pts: Sequence[np.ndarray], kinds: Sequence[str], three_d: bool) -> list[Any]:
    """Scatter rest points by kind; returns legend handles for the kinds present."""
    handles = []
    for kind in _KIND_STYLE:
        sel = [p for p, k in zip(pts, kinds) if k == kind]
        if not sel:
            continue
        arr = np.array(sel)
        marker, face, edge, size = _KIND_STYLE[kind]
        kw = {"marker": marker, "s": size, "facecolors": face, "edgecolors": edge, "linewidths": 1.0}
        cols = arr.T
        if three_d:
            kw["depthshade"] = False
        ax.scatter(*cols, zorder=5, **kw)
        handle: Any = Line2D(
            [], [], marker=marker, ls="", markerfacecolor=face, markeredgecolor=edge, markersize=5.5
        )
        if kind == "saddle":
            ax.scatter(*cols, marker="x", s=size * 0.45, c="black", linewidths=1.0, zorder=6)
            handle = (handle, Line2D([], [], marker="x", ls="", color="black", markersize=3.8))
        handles.append((handle, _KIND_LABEL[kind]))
    return handles


# ---------------------------------------------------------- trajectories
def _trajectories(result: Any) -> list[Any]:
    """Trajectory objects from a Trajectory, a sequence of them, or an ensemble-like result."""
    if hasattr(result, "t") and hasattr(result, "y") and np.ndim(result.y) == 2:
        return [result]
    if hasattr(result, "trajectories"):
        return list(result.trajectories() if callable(result.trajectories) else result.trajectories)
    if hasattr(result, "t") and hasattr(result, "y") and hasattr(result.y, "dims"):  # a sweep result
        ys = np.asarray(result.y.values, dtype=float)
        names = tuple(str(n) for n in result.y.coords["coordinate"])
        t = np.asarray(result.t, dtype=float)
        flat = ys.reshape(-1, ys.shape[-2], ys.shape[-1])
        return [_Run(t, flat[k], names) for k in range(flat.shape[0])]
    if hasattr(result, "t") and hasattr(result, "y") and np.ndim(result.y) == 3:  # an Ensemble
        t = np.asarray(result.t)
        ys = np.asarray(result.y)
        names = tuple(getattr(result, "state_names", ()))
        return [_Run(t, ys[k], names) for k in range(ys.shape[0])]
    if isinstance(result, Sequence) and not isinstance(result, str):
        out = []
        for r in result:
            out.extend(_trajectories(r))
        return out
    raise TypeError(
        f"expected a Trajectory, an Ensemble or a sequence of Trajectory objects, got {type(result).__name__}"
    )


@dataclass(frozen=True)
class _Run:
    t: np.ndarray
    y: np.ndarray
    state_names: tuple[str, ...] = ()

    @property
    def final(self) -> np.ndarray:
        return self.y[:, -1]


def _sweep_runs(result: Any, parameter: str, start: int) -> dict[float, _Run]:
    """``{value: run}`` from a one-parameter sweep result (``y`` dims (parameter, start, coordinate, t))."""
    swept = list(result.values)
    if swept != [parameter]:
        raise SpecificationError(
            f"the sweep varies {swept}; sensitivity of {parameter!r} needs a sweep of it alone"
        )
    ys = np.asarray(result.y.values, dtype=float)
    if not 0 <= start < ys.shape[1]:
        raise SpecificationError(f"the sweep has {ys.shape[1]} initial states; start {start} does not exist")
    t = np.asarray(result.t, dtype=float)
    return {float(v): _Run(t, ys[k, start]) for k, v in enumerate(np.asarray(result.values[parameter]))}


def _simulate_all(
    dyn: ReplicatorDynamics,
    starts: np.ndarray,
    t_span: tuple[float, float],
    params: Mapping[str, Any] | None,
    n_eval: int,
) -> list[Any]:
    t_eval = np.linspace(t_span[0], t_span[1], n_eval)
    return [dyn.simulate(x0, t_span, params, t_eval=t_eval) for x0 in starts]


@_styled
def time_series(
    result: Any,
    *,
    ax: Axes | None = None,
    dynamics: Game | ReplicatorDynamics | None = None,
    coordinates: Sequence[int | str] | None = None,
    colors: Sequence[str] | None = None,
    legend: bool = True,
    title: str | None = None,
) -> Axes:
    """Shares against time: :math:`x_r(t)` for each coordinate ``r``, for one or many runs.

    Parameters
    ----------
    result
        A :class:`~gametheory.integrate.Trajectory`, a sequence of them, an
        :class:`~gametheory.integrate.Ensemble` (``t`` of shape ``(n_t,)``,
        ``y`` of shape ``(n_runs, d, n_t)``), or a
        :class:`gametheory.sweep.SweepResult` (every run of the sweep).
    ax
        Axes to draw into (default: a new one-column figure).
    dynamics
        The game or its dynamics, for long labels (``"x: government C"``).
    coordinates
        Which coordinates to draw (indices or names); default all.
    colors
        One colour per drawn coordinate (default: Okabe-Ito order).
    legend, title
        Draw a legend; axes title.

    Returns
    -------
    Axes
        With one line per (run, coordinate); ``ylim`` is ``[-0.02, 1.02]``.
    """
    runs = _trajectories(result)
    if not runs:
        raise SpecificationError("time_series needs at least one trajectory")
    d = runs[0].y.shape[0]
    names = list(getattr(runs[0], "state_names", ())) or [f"x{r}" for r in range(d)]
    dyn = _dynamics(dynamics) if dynamics is not None else None
    if coordinates is None:
        rows = list(range(d))
    else:
        rows = []
        for c in coordinates:
            if isinstance(c, str):
                if c not in names:
                    raise SpecificationError(
                        f"no coordinate {c!r}{suggest(c, names)}; coordinates are {names}"
                    )
                rows.append(names.index(c))
            elif 0 <= int(c) < d:
                rows.append(int(c))
            else:
                raise SpecificationError(f"coordinate index {c} is out of range for {d} coordinates")
    colors = list(colors) if colors is not None else [_CYCLE[k % len(_CYCLE)] for k in range(len(rows))]
    ax = _new_axes(ax, (COLUMN_WIDTH, 2.3))
    many = len(runs) > 1
    for k, r in enumerate(rows):
        if dyn is not None:
            label = state_label(dyn, r)
        else:
            label = f"${sympy.latex(sympy.Symbol(names[r]))}$"
        for m, run in enumerate(runs):
            ax.plot(
                run.t,
                run.y[r],
                color=colors[k],
                lw=0.8 if many else 1.3,
                alpha=0.55 if many else 1.0,
                label=label if m == 0 else None,
            )
    ax.set_xlabel("time $t$")
    ax.set_ylabel("share")
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlim(min(run.t[0] for run in runs), max(run.t[-1] for run in runs))
    if title:
        ax.set_title(title)
    if legend:
        ax.legend(loc="best", handlelength=1.6)
    return ax


# ---------------------------------------------------------- phase portrait
def _geometry(dyn: ReplicatorDynamics, population: int | str | None) -> tuple[str, int | None]:
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


def _default_starts(dyn: ReplicatorDynamics, geometry: str, n: int, population: int | None) -> np.ndarray:
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


def _destination(dyn: ReplicatorDynamics, x: np.ndarray, tol: float = 1e-3) -> int:
    """Index of the vertex within ``tol`` of ``x`` (max norm), or -1."""
    for k, (_, v) in enumerate(dyn.vertices()):
        if np.max(np.abs(v - x)) < tol:
            return k
    return -1


def _vertex_colour(k: int, n: int) -> str:
    """Fixed colour per vertex index: first profile blue, last vermillion, others in palette order."""
    if k < 0:
        return "#999999"
    if k == 0:
        return _CYCLE[0]
    if k == n - 1:
        return _CYCLE[1]
    return _CYCLE[2 + (k - 1) % (len(_CYCLE) - 2)]


def _vertex_label(dyn: ReplicatorDynamics, k: int) -> str:
    """``(0, 1, 1)`` for games of 2-strategy populations, else the profile's strategy names."""
    profile, v = dyn.vertices()[k]
    if all(s == 2 for s in dyn.game.strategy_counts):
        return "(" + ", ".join(f"{c:g}" for c in v) + ")"
    return "(" + ", ".join(profile) + ")"


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


@_styled
def phase_portrait(
    dynamics: Game | ReplicatorDynamics,
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

    Trajectories are coloured by the vertex they end at (within
    :math:`10^{-3}`, grey otherwise) and carry an arrow in the direction of
    motion.  Rest points: filled circles are sinks, open circles sources,
    crossed circles saddles, open diamonds non-hyperbolic points (see
    :func:`rest_points`).

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
        only the vertices (see :func:`rest_points`).
    population
        For the simplex geometry: which 3-strategy population to show.
    arrows, vector_field, legend, title
        Drawing options.
    n_eval
        Time points stored per trajectory.

    Returns
    -------
    Axes
    """
    dyn = _dynamics(dynamics)
    geometry, pop = _geometry(dyn, population)
    if trajectories is None:
        if starts is None:
            starts = _default_starts(dyn, geometry, n if geometry != "simplex" else n + 3, pop)
        starts = dyn.check_states(starts, name="starts")
        runs = _simulate_all(dyn, starts, t_span, params, n_eval)
    else:
        runs = _trajectories(trajectories)
    vertices = dyn.vertices()
    nv = len(vertices)
    points = rest_points(dyn, params, report=report, analysis=analysis)
    if geometry == "cube":
        ax = _new_axes(ax, (COLUMN_WIDTH, COLUMN_WIDTH), projection="3d")
        if getattr(ax, "name", "") != "3d":
            raise SpecificationError(
                "a cube phase portrait needs a 3-D axes: fig.add_subplot(projection='3d')"
            )
    else:
        ax = _new_axes(ax, (COLUMN_WIDTH, COLUMN_WIDTH * (1.15 if geometry == "square" else 1.05)))
    seen: dict[int, str] = {}
    for run in runs:
        y = np.asarray(run.y, dtype=float)
        dest = _destination(dyn, y[:, -1])
        colour = _vertex_colour(dest, nv)
        seen.setdefault(dest, colour)
        if geometry == "simplex":
            sl = dyn.population_slices()[pop]  # type: ignore[index]
            shares = np.vstack([y[sl], 1 - y[sl].sum(axis=0)])
            path = _simplex_xy(shares)
        else:
            path = y
        ax.plot(*path, color=colour, lw=0.8, alpha=0.9)
        ax.plot(*[[c] for c in path[:, 0]], marker="o", ms=1.8, color=colour, ls="")
        if arrows:
            k = _arrow_index(path)
            if k >= 0:
                if geometry == "cube":
                    step = path[:, k + 1] - path[:, k]
                    step = step / max(np.linalg.norm(step), 1e-12)
                    ax.quiver(
                        *path[:, k],
                        *step,
                        length=0.09,
                        normalize=True,
                        color=colour,
                        arrow_length_ratio=0.9,
                        lw=0.9,
                    )
                else:
                    ax.annotate(
                        "",
                        xy=tuple(path[:, k + 1]),
                        xytext=tuple(path[:, k]),
                        arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 0.8, "mutation_scale": 8},
                    )
    # rest points
    if geometry == "simplex":
        sl = dyn.population_slices()[pop]  # type: ignore[index]
        pts = [_simplex_xy(np.append(p.point[sl], 1 - p.point[sl].sum())[:, None])[:, 0] for p in points]
        pts = _spread_coinciding(pts)
    else:
        pts = [p.point for p in points]
    handles = _draw_rest_points(ax, pts, [p.kind for p in points], geometry == "cube")
    # frame
    names = dyn.game.population_names
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
        if vector_field:
            g = np.linspace(0.04, 0.96, 13)
            gx, gy = np.meshgrid(g, g)
            field = dyn.vector_field(np.column_stack([gx.ravel(), gy.ravel()]), params)
            norm = np.hypot(field[:, 0], field[:, 1])
            norm[norm == 0] = 1.0
            ax.quiver(
                gx.ravel(), gy.ravel(), field[:, 0] / norm, field[:, 1] / norm,
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
        ax.set_title(f"population {names[pop]}" if title is None else title)  # type: ignore[index]
    if title is not None and geometry != "simplex":
        ax.set_title(title)
    if legend:
        dest_handles = [
            (Line2D([], [], color=c, lw=1.2), "→ " + (_vertex_label(dyn, k) if k >= 0 else "no vertex"))
            for k, c in sorted(seen.items())
        ]
        hs = handles + dest_handles
        from matplotlib.legend_handler import HandlerTuple

        kwargs = {"handler_map": {tuple: HandlerTuple(ndivide=1, pad=0)}, "handlelength": 1.5}
        if geometry == "cube":
            where = {"loc": "upper center", "bbox_to_anchor": (0.5, 0.04), "ncol": 2}
        elif geometry == "square":
            where = {"loc": "upper center", "bbox_to_anchor": (0.5, -0.16), "ncol": 2}
        else:
            where = {"loc": "upper center", "bbox_to_anchor": (0.5, 0.0), "ncol": 2}
        ax.legend([h for h, _ in hs], [t for _, t in hs], **where, **kwargs)
    return ax


# ------------------------------------------------------------- sensitivity
def _check_parameter(game: Game, name: str) -> None:
    if name not in game.parameter_names:
        raise ParameterError(
            f"unknown parameter {name!r}{suggest(name, game.parameter_names)}; the game's parameters are "
            f"{list(game.parameter_names)}"
        )


def _value_colours(n: int) -> list[Any]:
    """``n`` colours from the colour-blind-safe sequential map viridis (its pale-yellow end left out)."""
    cmap = mpl.colormaps["viridis"]
    return [cmap(v) for v in (np.linspace(0.0, 0.88, n) if n > 1 else [0.0])]


def _panel_letter(k: int) -> str:
    return f"({chr(ord('a') + k)})"


@_styled
def sensitivity(
    dynamics: Game | ReplicatorDynamics,
    parameter: str,
    values: Sequence[float] | None = None,
    params: Mapping[str, Any] | None = None,
    *,
    x0: Sequence[float] | None = None,
    t_span: tuple[float, float] = (0.0, 50.0),
    ax: Sequence[Axes] | None = None,
    trajectories: Any = None,
    start: int = 0,
    baseline: float | None = None,
    n_eval: int = 300,
    title: str | None = None,
    first_panel: int = 0,
) -> Figure:
    """Evolution curves for several values of one parameter, one panel per coordinate.

    For each value :math:`v` the trajectory of
    :math:`\\dot x = F(x; p[\\mathrm{parameter} = v])` from ``x0`` is drawn;
    panel ``r`` shows :math:`x_r(t)` of every run, coloured from dark to light
    by increasing :math:`v` (viridis).

    Parameters
    ----------
    dynamics
        The game or its dynamics.
    parameter
        The parameter varied.
    values
        Its values (at least one, finite); with a sweep result, default all
        its values.
    params
        The other parameters (game defaults fill the rest).
    x0
        Start (default: the centre of every simplex, e.g. ``(0.5, 0.5, 0.5)``).
    t_span
        Integration window.
    ax
        ``d`` axes, one per coordinate (default: a new page-width figure).
    trajectories
        Precomputed runs to draw instead of integrating: one trajectory per
        value, or a :class:`gametheory.sweep.SweepResult` of ``parameter``
        (its paths from initial state number ``start``).
    start
        With a sweep result: which of its initial states to show.
    baseline
        A value to emphasise (drawn thicker, black, dashed), e.g. the
        calibrated value; when integrating it is added to ``values`` if missing.
    n_eval, title
        Time points per trajectory; figure title.
    first_panel
        Letter of the first panel: 0 gives (a), 3 gives (d) (for stacked rows).

    Returns
    -------
    Figure
    """
    dyn = _dynamics(dynamics)
    _check_parameter(dyn.game, parameter)
    sweep_runs = None
    if trajectories is not None and isinstance(getattr(trajectories, "values", None), Mapping):
        sweep_runs = _sweep_runs(trajectories, parameter, start)
        if values is None:
            values = list(sweep_runs)
    if values is None:
        raise ParameterError(f"sensitivity of {parameter!r}: give the values (or a sweep result)")
    vals = np.asarray(values, dtype=float).ravel()
    if vals.size == 0 or not np.isfinite(vals).all():
        raise ParameterError(
            f"sensitivity of {parameter!r}: values must be a non-empty list of finite numbers"
        )
    if trajectories is None and baseline is not None and not np.isclose(vals, baseline).any():
        vals = np.sort(np.append(vals, baseline))
    d = dyn.dimension
    if x0 is None:
        x0 = np.concatenate(
            [np.full(sl.stop - sl.start, 1.0 / (sl.stop - sl.start + 1)) for sl in dyn.population_slices()]
        )
    base = dict(params or {})
    if sweep_runs is not None:
        runs = []
        for v in vals:
            match = [k for k in sweep_runs if np.isclose(k, v)]
            if not match:
                raise ParameterError(
                    f"the sweep has no run at {parameter} = {v:g}; its values are {sorted(sweep_runs)}"
                )
            runs.append(sweep_runs[match[0]])
    elif trajectories is None:
        t_eval = np.linspace(t_span[0], t_span[1], n_eval)
        runs = [dyn.simulate(x0, t_span, {**base, parameter: float(v)}, t_eval=t_eval) for v in vals]
    else:
        runs = _trajectories(trajectories)
        if len(runs) != vals.size:
            raise SpecificationError(f"got {len(runs)} trajectories for {vals.size} values of {parameter!r}")
    if ax is None:
        fig, axes = plt.subplots(1, d, figsize=(PAGE_WIDTH, 2.1), sharey=True, layout="constrained")
        axes = np.atleast_1d(axes)
    else:
        axes = np.atleast_1d(np.asarray(ax, dtype=object))
        if axes.size != d:
            raise SpecificationError(f"sensitivity needs {d} axes (one per coordinate), got {axes.size}")
        fig = axes[0].figure
    colours = _value_colours(vals.size)
    for r, a in enumerate(axes):
        for v, run, c in zip(vals, runs, colours):
            emph = baseline is not None and np.isclose(v, baseline)
            a.plot(
                run.t,
                run.y[r],
                color="black" if emph else c,
                lw=1.6 if emph else 1.1,
                ls="--" if emph else "-",
                label=parameter_label(parameter, float(v)) + (" (baseline)" if emph else ""),
                zorder=3 if emph else 2,
            )
        a.set_title(f"{_panel_letter(first_panel + r)} {state_label(dyn, r)}", loc="left")
        a.set_xlabel("time $t$")
        a.set_ylim(-0.02, 1.02)
        a.set_xlim(run.t[0], run.t[-1])
    axes[0].set_ylabel("share")
    axes[-1].legend(loc="center left", bbox_to_anchor=(1.02, 0.5), handlelength=1.8)
    if title:
        fig.suptitle(title)
    return fig


# ------------------------------------------------------------ model diagram
def _incentive_coefficients(game: Game, i: int, p: sympy.Symbol) -> dict[tuple[int, ...], sympy.Expr]:
    """:math:`\\partial(\\pi_i(a, s_{-i}) - \\pi_i(k_i, s_{-i}))/\\partial p` for every own strategy a and s_{-i}."""
    arr = game.payoff_array(i)
    out = {}
    for idx in itertools.product(*(range(k) for k in game.strategy_counts)):
        last = list(idx)
        last[i] = game.strategy_counts[i] - 1
        out[idx] = sympy.expand(sympy.diff(arr[idx] - arr[tuple(last)], p))
    return out


def coupling_parameters(game: Game) -> dict[tuple[str, str], tuple[str, ...]]:
    """Which parameters carry the influence of one population on another's incentives.

    Parameter :math:`p` couples population ``j`` to population ``i`` when the
    sensitivity of ``i``'s payoff advantages to :math:`p`,

    .. math::  \\frac{\\partial}{\\partial p}\\bigl(\\pi_i(a, s_{-i}) - \\pi_i(k_i, s_{-i})\\bigr),

    changes with the strategy of ``j`` (for some own strategy ``a`` and some
    profile ``s_{-i}`` of the others): then how strongly :math:`p` pushes
    ``i`` depends on what ``j`` does.  Derived symbolically from the payoff
    table.

    Returns
    -------
    dict
        ``{(j_name, i_name): (parameter names in game order)}`` for every
        ordered pair with at least one coupling parameter.
    """
    out: dict[tuple[str, str], list[str]] = {}
    names = game.population_names
    for i in range(game.n_populations):
        for p in game.parameters:
            coef = _incentive_coefficients(game, i, p.symbol)
            for j in range(game.n_populations):
                if j == i:
                    continue
                varies = False
                for idx, c in coef.items():
                    for t in range(game.strategy_counts[j]):
                        alt = list(idx)
                        alt[j] = t
                        if sympy.expand(c - coef[tuple(alt)]) != 0:
                            varies = True
                            break
                    if varies:
                        break
                if varies:
                    out.setdefault((names[j], names[i]), []).append(p.name)
    return {k: tuple(v) for k, v in out.items()}


def _own_parameters(game: Game, couplings: Mapping[tuple[str, str], Sequence[str]]) -> dict[str, list[str]]:
    """Parameters in a population's payoff advantages that couple to nobody (own costs, gains)."""
    out = {}
    for i, pop in enumerate(game.populations):
        coupled = {p for (_, target), ps in couplings.items() if target == pop.name for p in ps}
        own = []
        for p in game.parameters:
            if p.name in coupled:
                continue
            coef = _incentive_coefficients(game, i, p.symbol)
            if any(c != 0 for c in coef.values()):
                own.append(p.name)
        out[pop.name] = own
    return out


def _param_list(names: Sequence[str]) -> str:
    return ", ".join(parameter_label(n) for n in names)


@_styled
def model_diagram(
    game: Game,
    *,
    ax: Axes | None = None,
    relations: Sequence[tuple[str, str, str, Sequence[str]]] | None = None,
    titles: Mapping[str, str] | None = None,
    descriptions: Mapping[str, str] | None = None,
    centre: tuple[str, Sequence[str]] | None = None,
    show_own: bool = True,
) -> Axes:
    """The populations as boxes, with arrows labelled by the parameters that carry their interactions.

    Parameters
    ----------
    game
        A game with 2 or 3 populations (boxes on a line or a triangle).
    ax
        Axes to draw into (default: a new figure 7 x 4.2 in).
    relations
        ``(from_population, to_population, verb, parameter names)`` for each
        arrow, e.g. ``("government", "ngo", "supports", ["S", "tau"])``;
        several entries for one pair are stacked on one arrow.  Every
        parameter must couple the two populations in that direction
        (:func:`coupling_parameters`), else :class:`SpecificationError`.
        Default: one arrow per coupled pair, labelled with all its coupling
        parameters.
    titles
        Box title of each population (default: its name).
    descriptions
        Text under each population's title (default: its strategies).
    centre
        ``(caption, parameter names)`` written in the middle (e.g. the synergy
        of full cooperation).
    show_own
        List under each box the parameters that act on that population alone.

    Returns
    -------
    Axes
        Axis off, aspect equal; one :class:`~matplotlib.patches.FancyArrowPatch`
        per arrow, one :class:`~matplotlib.patches.FancyBboxPatch` per population.
    """
    n = game.n_populations
    if n not in (2, 3):
        raise SpecificationError(f"model_diagram draws games of 2 or 3 populations, this one has {n}")
    names = game.population_names
    couplings = coupling_parameters(game)
    if relations is None:
        rel = [(a, b, "", list(ps)) for (a, b), ps in couplings.items()]
    else:
        rel = []
        for entry in relations:
            try:
                a, b, verb, ps = entry
            except (TypeError, ValueError):
                raise SpecificationError(
                    f"relation {entry!r} must be (from_population, to_population, verb, [parameters])"
                ) from None
            for pop in (a, b):
                game.population(pop)
            for p in ps:
                _check_parameter(game, p)
                if p not in couplings.get((a, b), ()):
                    raise SpecificationError(
                        f"parameter {p!r} does not carry an influence of {a!r} on {b!r} in the payoffs; "
                        f"the parameters that do are {list(couplings.get((a, b), ()))}"
                    )
            rel.append((a, b, verb, list(ps)))
    ax = _new_axes(ax, (7.0, 4.2))
    fig = ax.figure
    width = 1.7  # data units across; the figure is 7 x 4.2 in, so the aspect is about equal
    if n == 3:
        centres = {names[0]: (width / 2, 0.88), names[1]: (0.2, 0.12), names[2]: (width - 0.2, 0.12)}
    else:
        centres = {names[0]: (0.2, 0.5), names[1]: (width - 0.2, 0.5)}
    box_w, box_h = 0.40, 0.17
    for pop in game.populations:
        cx, cy = centres[pop.name]
        ax.add_patch(
            FancyBboxPatch(
                (cx - box_w / 2, cy - box_h / 2), box_w, box_h,
                boxstyle="round,pad=0.012,rounding_size=0.02", fc="#F2F2F2", ec="black", lw=0.9, zorder=3,
            )
        )  # fmt: skip
        sub = (descriptions or {}).get(pop.name, " / ".join(pop.strategies))
        title = (titles or {}).get(pop.name, pop.name)
        ax.text(cx, cy + 0.045, title, ha="center", va="center", weight="bold", zorder=4)
        ax.text(cx, cy - 0.025, sub, ha="center", va="center", fontsize=6.5, zorder=4, linespacing=1.3)
    if show_own:
        own = _own_parameters(game, couplings)
        for pop in names:
            if own[pop]:
                cx, cy = centres[pop]
                up = n == 3 and cy > 0.5
                ax.text(
                    cx, cy + (box_h / 2 + 0.05 if up else -box_h / 2 - 0.05),
                    "own: " + _param_list(own[pop]), ha="center", va="center", fontsize=6.5, color="#444444",
                )  # fmt: skip
    grouped: dict[tuple[str, str], list[tuple[str, list[str]]]] = {}
    for a, b, verb, ps in rel:
        grouped.setdefault((a, b), []).append((verb, ps))
    mid = np.mean(np.array(list(centres.values())), axis=0)
    rad = 0.16
    for (a, b), items in grouped.items():
        pa, pb = np.array(centres[a]), np.array(centres[b])
        direction = (pb - pa) / np.linalg.norm(pb - pa)
        normal = np.array([-direction[1], direction[0]])  # left of the direction of travel
        # the two directions of a pair bulge to opposite sides, so their arrows and labels never overlap
        # leave each box where the line between the centres crosses its border, plus a margin
        reach = min(
            (box_w / 2 + 0.012) / max(abs(direction[0]), 1e-9),
            (box_h / 2 + 0.012) / max(abs(direction[1]), 1e-9),
        )
        start = pa + direction * (reach + 0.04) + normal * 0.035
        end = pb - direction * (reach + 0.04) + normal * 0.035
        ax.add_patch(
            FancyArrowPatch(
                tuple(start), tuple(end), arrowstyle="-|>", mutation_scale=11, lw=1.0, color="#0072B2",
                connectionstyle=f"arc3,rad={-rad}", zorder=2,
            )
        )  # fmt: skip
        # midpoint of the quadratic Bezier curve of arc3: chord midpoint + rad/2 * |chord| * normal
        apex = (start + end) / 2 + normal * (rad / 2) * np.linalg.norm(end - start)
        lines = [(f"{verb}: " if verb else "") + _param_list(ps) for verb, ps in items]
        ha = "left" if normal[0] > 0.35 else "right" if normal[0] < -0.35 else "center"
        va = "bottom" if normal[1] > 0.7 else "top" if normal[1] < -0.7 else "center"
        ax.text(
            *(apex + normal * 0.022), "\n".join(lines), ha=ha, va=va, fontsize=6.5, zorder=4,
            linespacing=1.25, bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85},
        )  # fmt: skip
    if centre is not None:
        caption, ps = centre
        for p in ps:
            _check_parameter(game, p)
        ax.text(
            mid[0], mid[1] - 0.04, f"{caption}\n{_param_list(ps)}", ha="center", va="center", fontsize=6.5,
            style="italic", color="#444444",
        )  # fmt: skip
    ax.set_xlim(-0.02, width + 0.02)
    ax.set_ylim(-0.07, 1.03)
    ax.set_aspect("equal")
    ax.set_axis_off()
    del fig
    return ax


# --------------------------------------------------------------- regime map
def _deviation_gains(game: Game) -> list[tuple[int, int, int, sympy.Expr]]:
    """Every unilateral deviation at every vertex: ``(vertex index, population, strategy, gain)``.

    The gain :math:`\\pi_i(j, s_{-i}) - \\pi_i(s)` is, for 2-strategy
    populations, the Jacobian eigenvalue at vertex :math:`s` in direction
    :math:`i`; vertex :math:`s` is an ESS (strict Nash equilibrium) iff all
    its gains are negative.
    """
    out = []
    for v, profile in enumerate(game.profiles):
        idx = game.profile_indices(profile)
        for i in range(game.n_populations):
            arr = game.payoff_array(i)
            for j in range(game.strategy_counts[i]):
                if j == idx[i]:
                    continue
                dev = list(idx)
                dev[i] = j
                out.append((v, i, j, sympy.expand(arr[tuple(dev)] - arr[idx])))
    return out


def _evaluate(exprs: Sequence[sympy.Expr], game: Game, values: Mapping[str, np.ndarray]) -> np.ndarray:
    """Evaluate parameter expressions on broadcast parameter arrays -> ``(len(exprs), *shape)``."""
    from ..codegen import compile_expressions

    f = compile_expressions("_plot_gains", list(exprs), (), game.symbols)
    arrays = [np.asarray(values[p.name], dtype=float) for p in game.parameters]
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    P = np.stack([np.broadcast_to(a, shape) for a in arrays])
    return np.asarray(f(np.empty((0, *shape)), P), dtype=float)


def _axis_values(game: Game, name: str, spec: Any, resolution: int) -> np.ndarray:
    _check_parameter(game, name)
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


@dataclass(frozen=True)
class RegimeGrid:
    """Which vertices are ESS on a two-parameter grid (exact, from the payoff table).

    Attributes
    ----------
    parameters : (str, str)
        The horizontal and vertical parameter.
    values : (ndarray (n1,), ndarray (n2,))
        Their grid values.
    ess : ndarray of bool, shape (V, n2, n1)
        ``ess[v, b, a]``: vertex ``v`` (order of ``game.profiles``) is a strict
        Nash equilibrium, i.e. all its deviation gains are below
        :math:`-10^{-9}\\max(1, |\\text{gain}|)`, at ``(values[0][a], values[1][b])``.
    labels : tuple of str
        Vertex labels, ``"(1, 1, 1)"`` or strategy names.
    base : dict
        The other parameters' values.
    """

    parameters: tuple[str, str]
    values: tuple[np.ndarray, np.ndarray]
    ess: np.ndarray
    labels: tuple[str, ...]
    base: Mapping[str, float]

    def categories(self) -> tuple[np.ndarray, tuple[tuple[int, ...], ...]]:
        """Integer code per cell ``(n2, n1)`` and, per code, the tuple of ESS vertices."""
        keys: dict[tuple[int, ...], int] = {}
        codes = np.empty(self.ess.shape[1:], dtype=int)
        for b in range(codes.shape[0]):
            for a in range(codes.shape[1]):
                key = tuple(int(v) for v in np.flatnonzero(self.ess[:, b, a]))
                codes[b, a] = keys.setdefault(key, len(keys))
        return codes, tuple(keys)


def ess_regimes(
    dynamics: Game | ReplicatorDynamics,
    axes: Mapping[str, Any],
    params: Mapping[str, Any] | None = None,
    *,
    resolution: int = 201,
) -> RegimeGrid:
    """Exact ESS classification of the vertices on a grid of two parameters.

    Parameters
    ----------
    dynamics
        The game or its dynamics.
    axes
        ``{p1: spec1, p2: spec2}``: each spec is ``(low, high)`` (then
        ``resolution`` points) or an increasing array.
    params
        The other parameters (game defaults fill the rest).
    """
    dyn = _dynamics(dynamics)
    game = dyn.game
    if len(axes) != 2:
        raise ParameterError(f"a regime map needs exactly two parameters, got {list(axes)}")
    (n1, s1), (n2, s2) = axes.items()
    v1, v2 = _axis_values(game, n1, s1, resolution), _axis_values(game, n2, s2, resolution)
    base = dict(zip(game.parameter_names, map(float, dyn.parameter_vector(params))))
    A, B = np.meshgrid(v1, v2)
    gains = _deviation_gains(game)
    values = {**base, n1: A, n2: B}
    G = _evaluate([g for *_, g in gains], game, values)
    V = len(game.profiles)
    worst = np.full((V, *A.shape), -np.inf)
    scale = np.ones((V, *A.shape))
    for (v, *_), g in zip(gains, G):
        worst[v] = np.maximum(worst[v], g)
        scale[v] = np.maximum(scale[v], np.abs(g))
    ess = worst < -1e-9 * scale
    labels = tuple(_vertex_label(dyn, k) for k in range(V))
    return RegimeGrid((n1, n2), (v1, v2), ess, labels, base)


def _threshold_segments(
    game: Game, grid: RegimeGrid, vertex: int, n_samples: int = 600
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Exact pieces of the boundary of ``vertex``'s ESS region in the plane of ``grid``.

    Each deviation gain :math:`g_k(p_1, p_2)` of the vertex (other parameters
    substituted) is solved exactly for its zero set: :math:`p_2 = h(p_1)` when
    :math:`g_k` is linear in :math:`p_2`, :math:`p_1 = \\text{const}` when it
    does not involve :math:`p_2` and is linear in :math:`p_1`; zero sets of
    other shapes are traced as the 0-contour of the exact expression on an
    ``n_samples`` x ``n_samples`` grid (piecewise linear between grid points).  A zero set bounds the region where all other
    gains of the vertex are :math:`\\le 0` there; only those parts are kept.
    """
    n1, n2 = grid.parameters
    s1, s2 = game.parameter(n1).symbol, game.parameter(n2).symbol
    subs = {
        p.symbol: sympy.nsimplify(grid.base[p.name], rational=True)
        for p in game.parameters
        if p.name not in (n1, n2)
    }
    gains = [sympy.expand(g.xreplace(subs)) for v, _, _, g in _deviation_gains(game) if v == vertex]
    x = np.linspace(grid.values[0][0], grid.values[0][-1], n_samples)
    y = np.linspace(grid.values[1][0], grid.values[1][-1], n_samples)
    out = []
    for k, g in enumerate(gains):
        if not g.free_symbols & {s1, s2}:
            continue
        poly2 = sympy.Poly(g, s2)
        if poly2.degree() == 1:
            c1, c0 = poly2.all_coeffs()
            xs = x
            with np.errstate(divide="ignore", invalid="ignore"):
                num = _eval_plane(-c0, s1, s2, xs, 0 * xs)
                den = _eval_plane(c1, s1, s2, xs, 0 * xs)
                ys = np.where(den != 0, num / np.where(den == 0, 1, den), np.nan)
        elif poly2.degree() == 0 and sympy.Poly(g, s1).degree() == 1:
            c1, c0 = sympy.Poly(g, s1).all_coeffs()
            root = float(-c0 / c1)
            xs, ys = np.full_like(y, root), y
        else:  # not linear in either parameter: the 0-contour of the exact expression on a fine grid
            import contourpy

            X, Y = np.meshgrid(x, y)
            lines = contourpy.contour_generator(x, y, _eval_plane(g, s1, s2, X, Y)).lines(0.0)
            if not lines:
                continue
            joined = np.concatenate([np.vstack([line, [np.nan, np.nan]]) for line in lines])
            xs, ys = joined[:, 0], joined[:, 1]
        inside = (
            np.isfinite(ys)
            & (ys >= grid.values[1][0]) & (ys <= grid.values[1][-1])
            & (xs >= grid.values[0][0]) & (xs <= grid.values[0][-1])
        )  # fmt: skip
        if not inside.any():
            continue
        others = [h for m, h in enumerate(gains) if m != k]
        binding = inside.copy()
        for h in others:
            with np.errstate(invalid="ignore"):
                hv = _eval_plane(h, s1, s2, xs, np.where(inside, ys, 0.0))
            binding &= hv <= 1e-9 * np.maximum(1.0, np.abs(hv))
        if binding.any():
            out.append((np.where(binding, xs, np.nan), np.where(binding, ys, np.nan)))
    return out


def _eval_plane(
    expr: sympy.Expr, s1: sympy.Symbol, s2: sympy.Symbol, a: np.ndarray, b: np.ndarray
) -> np.ndarray:
    """Evaluate an expression in two parameter symbols (numbers otherwise) on arrays."""
    from ..codegen import compile_expressions

    f = compile_expressions("_plot_plane", [sympy.sympify(expr)], (), (s1, s2))
    P = np.stack([np.asarray(a, dtype=float), np.asarray(b, dtype=float)])
    return np.asarray(f(np.empty((0, *P.shape[1:])), P), dtype=float)[0]


def _decorate_regimes(
    ax: Axes,
    grid: RegimeGrid,
    thresholds: bool,
    game: Game | None,
    points: Mapping[str, Mapping[str, float]] | None,
    legend: bool,
    title: str | None,
) -> None:
    """Threshold lines, marked points, axis labels and legend of a regime map."""
    V = grid.ess.shape[0]
    if thresholds and game is not None:
        for v in sorted(set(np.flatnonzero(grid.ess.any(axis=(1, 2))).tolist())):
            colour = _vertex_colour(v, V)
            label = f"boundary of ESS {grid.labels[v]}"
            for xs, ys in _threshold_segments(game, grid, v):
                ax.plot(xs, ys, color=colour, lw=1.2, label=label)
                label = None
    n1, n2 = grid.parameters
    if points:
        markers = iter(["*", "P", "s", "^", "v"])
        for name, values in points.items():
            px, py = float(values[n1]), float(values[n2])
            m = next(markers, "o")
            ax.plot(
                px, py, marker=m, ms=8 if m == "*" else 6, mfc="white", mec="black", mew=0.9, ls="", zorder=6,
                label=name,
            )  # fmt: skip
    x, y = grid.values
    ax.set_xlim(x[0], x[-1])
    ax.set_ylim(y[0], y[-1])
    ax.set_xlabel(parameter_label(n1))
    ax.set_ylabel(parameter_label(n2))
    if title:
        ax.set_title(title)
    if legend:
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), handlelength=1.4)


def _grid_from_regime_map(
    result: Any, dyn: ReplicatorDynamics | None, params: Mapping[str, Any] | None
) -> RegimeGrid:
    """A :class:`RegimeGrid` from a two-parameter :class:`gametheory.sweep.RegimeMap`."""
    names = list(result.values)
    if len(names) != 2:
        raise SpecificationError(f"a regime map plot needs two swept parameters, the result has {names}")
    ess = np.asarray(result.ess.values, dtype=bool)  # (n1, n2, V)
    vertex_names = [str(v) for v in result.ess.coords["vertex"]]
    if dyn is not None:
        labels = tuple(_vertex_label(dyn, k) for k in range(len(vertex_names)))
    else:
        labels = tuple("(" + v.replace(",", ", ") + ")" for v in vertex_names)
    base: dict[str, float] = {}
    if dyn is not None and params is not None:
        filled = {**dict(params), **{n: float(np.asarray(result.values[n])[0]) for n in names}}
        base = dict(zip(dyn.game.parameter_names, map(float, dyn.parameter_vector(filled))))
    values = (
        np.asarray(result.values[names[0]], dtype=float),
        np.asarray(result.values[names[1]], dtype=float),
    )
    return RegimeGrid((names[0], names[1]), values, np.transpose(ess, (2, 1, 0)), labels, base)


def _attractor_regimes(
    ax: Axes | None,
    grid: RegimeGrid,
    prevailing: np.ndarray,
    dyn: ReplicatorDynamics | None,
    thresholds: bool,
    game: Game | None,
    points: Mapping[str, Mapping[str, float]] | None,
    legend: bool,
    title: str | None,
) -> Axes:
    """Regime map coloured by the outcome most simulated starts reach (``prevailing``, shape (n2, n1))."""
    V = grid.ess.shape[0]
    outcomes = sorted({str(o) for o in prevailing.ravel()})
    vertex_names = {}
    if dyn is not None:
        vertex_names = {",".join(p): k for k, (p, _) in enumerate(dyn.vertices())}
    styles = []
    for o in outcomes:
        k = vertex_names.get(o)
        colour = _vertex_colour(k, V) if k is not None else "#999999"
        rgb = np.array(mpl.colors.to_rgb(colour))
        styles.append(tuple(rgb + (1.0 - rgb) * 0.6))
    codes = np.vectorize(lambda o: outcomes.index(str(o)))(prevailing)
    ax = _new_axes(ax, (COLUMN_WIDTH, 2.8))
    x, y = grid.values
    ax.pcolormesh(
        x, y, codes, cmap=mpl.colors.ListedColormap(styles), vmin=-0.5, vmax=len(outcomes) - 0.5,
        shading="nearest", rasterized=True,
    )  # fmt: skip
    for o, fill in zip(outcomes, styles):
        k = vertex_names.get(o)
        ax.fill_between(
            [], [], facecolor=fill, label="most starts → " + (grid.labels[k] if k is not None else o)
        )
    _decorate_regimes(ax, grid, thresholds, game, points, legend, title)
    return ax


def _category_style(key: tuple[int, ...], n_vertices: int) -> tuple[tuple[float, float, float], str | None]:
    """Fill colour and hatch colour of a regime.

    One ESS: the light colour of that vertex, no hatch.  Several: the light
    colour of the last, hatched in the colour of the first.  None: light grey.
    """
    if not key:
        return (0.87, 0.87, 0.87), None
    rgb = np.array(mpl.colors.to_rgb(_vertex_colour(key[-1], n_vertices)))
    fill = tuple(rgb + (1.0 - rgb) * 0.6)
    return fill, (_vertex_colour(key[0], n_vertices) if len(key) > 1 else None)  # type: ignore[return-value]


def _category_label(labels: Sequence[str], key: tuple[int, ...]) -> str:
    if not key:
        return "no ESS"
    if len(key) == 1:
        return f"ESS {labels[key[0]]}"
    return "bistable: " + " and ".join(labels[v] for v in key)


@_styled
def regime_map(
    source: Any,
    axes: Mapping[str, Any] | None = None,
    params: Mapping[str, Any] | None = None,
    *,
    ax: Axes | None = None,
    resolution: int = 201,
    thresholds: bool = True,
    points: Mapping[str, Mapping[str, float]] | None = None,
    dynamics: Game | ReplicatorDynamics | None = None,
    colour_by: str = "ess",
    legend: bool = True,
    title: str | None = None,
) -> Axes:
    """A two-parameter plane coloured by the set of ESS, with exact threshold lines.

    Each cell is coloured by which vertices are evolutionarily stable (strict
    Nash equilibria; in multi-population replicator dynamics exactly the
    asymptotically stable rest points): one ESS (colour of that vertex, as in
    :func:`phase_portrait`), several (bistable), or none.  On top, the exact
    boundaries of every ESS region (see :func:`_threshold_segments`): the
    zero sets of the vertex's deviation gains (= corner eigenvalues)
    :math:`\\pi_i(j, s_{-i}) - \\pi_i(s) = 0`, solved symbolically.

    Parameters
    ----------
    source
        A game or its dynamics (with ``axes`` and ``params``: the exact grid is
        computed by :func:`ess_regimes`), a :class:`RegimeGrid`, or a
        two-parameter :class:`gametheory.sweep.RegimeMap`.
    axes
        ``{p1: (low, high), p2: (low, high)}`` (horizontal, vertical).
    params
        The other parameters.  For a ``RegimeMap``, pass the ``params`` it was
        computed with (and ``dynamics``) to get the threshold lines.
    dynamics
        For a ``RegimeGrid`` or ``RegimeMap``: the game, for threshold lines
        and vertex labels.
    colour_by
        ``"ess"``: the set of ESS (exact).  ``"attractor"`` (``RegimeMap``
        with simulated starts only): the outcome most of the simulated starts
        reach (a vertex, or ``"other"``).
    ax
        Axes to draw into (default: a new one-column figure).
    resolution
        Grid points per axis when computing the grid.
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
    """
    dyn = _dynamics(dynamics) if dynamics is not None else None
    prevailing = None
    if isinstance(source, RegimeGrid):
        grid = source
    elif hasattr(source, "ess") and hasattr(source, "regime"):  # a sweep.RegimeMap
        grid = _grid_from_regime_map(source, dyn, params)
        if getattr(source, "prevailing", None) is not None:
            prevailing = np.asarray(source.prevailing.values, dtype=object).T  # (n2, n1)
    else:
        dyn = _dynamics(source)
        if axes is None:
            raise ParameterError("regime_map of a game needs axes={p1: (low, high), p2: (low, high)}")
        grid = ess_regimes(dyn, axes, params, resolution=resolution)
    game = dyn.game if dyn is not None and grid.base else None
    if colour_by not in ("ess", "attractor"):
        raise SpecificationError(f"colour_by must be 'ess' or 'attractor', got {colour_by!r}")
    if colour_by == "attractor":
        if prevailing is None:
            raise SpecificationError(
                "colour_by='attractor' needs a RegimeMap computed with simulated starts (n_starts > 0)"
            )
        return _attractor_regimes(ax, grid, prevailing, dyn, thresholds, game, points, legend, title)
    codes, keys = grid.categories()
    V = grid.ess.shape[0]
    styles = [_category_style(key, V) for key in keys]
    ax = _new_axes(ax, (COLUMN_WIDTH, 2.8))
    x, y = grid.values
    ax.pcolormesh(
        x, y, codes, cmap=mpl.colors.ListedColormap([fill for fill, _ in styles]), vmin=-0.5,
        vmax=len(keys) - 0.5, shading="nearest", rasterized=True,
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
            linewidth=0.0, label=_category_label(grid.labels, keys[code]),
        )  # fmt: skip
    _decorate_regimes(ax, grid, thresholds, game, points, legend, title)
    return ax


# ------------------------------------------------------------------ basins
def _outcome_style(dyn: ReplicatorDynamics | None, outcome: Any) -> tuple[str, str]:
    """(display label, colour) of an outcome: vertex labels and colours for vertices, greys otherwise."""
    label = _short_outcome(str(getattr(outcome, "label", outcome)))
    example = getattr(outcome, "example", outcome)
    profile = getattr(example, "profile", None)
    if dyn is not None and profile is not None:
        k = dyn.game.profiles.index(tuple(profile))
        return _vertex_label(dyn, k), _vertex_colour(k, len(dyn.game.profiles))
    kind = str(getattr(getattr(outcome, "kind", None), "value", ""))
    return label, {"unresolved": "#BBBBBB", "heteroclinic cycle": "#555555"}.get(kind, "#888888")


def _short_outcome(label: str) -> str:
    """``"rest point (B, P, I) = (0, 0, 0)"`` -> ``"(0, 0, 0)"``; other labels unchanged."""
    if label.startswith("rest point") and " = " in label:
        return label.split(" = ", 1)[1]
    return label


@_styled
def basins(
    result: Any,
    *,
    ax: Axes | None = None,
    dynamics: Game | ReplicatorDynamics | None = None,
    kind: str = "bars",
    slice_coordinate: int = 2,
    levels: Sequence[float] = (0.1, 0.5, 0.9),
    title: str | None = None,
) -> Axes | Figure:
    """Basins of attraction: the share of starts approaching each attractor.

    Parameters
    ----------
    result
        An :class:`gametheory.AttractorReport` or a :class:`gametheory.sweep.Basins`,
        or a mapping ``{scenario: either of them}`` (one bar per scenario), or a
        mapping ``{scenario: {outcome label: share}}``.  Shares of a
        ``Basins`` are printed with their standard error (``94% ± 1.2%``).
    ax
        Axes (bars) or a sequence of axes, one per slice (slices).
    dynamics
        The game or its dynamics: vertex outcomes then get the vertex colours
        of :func:`phase_portrait` and :func:`regime_map`.
    kind
        ``"bars"``: share of starts per outcome, with the share printed on
        each bar.  ``"slices"`` (one AttractorReport of a game with three
        coordinates): every start drawn at its position in the slice
        :math:`x_r = c` it lies on (``r = slice_coordinate``), coloured by its
        outcome; one panel per distinct value :math:`c`.
    slice_coordinate, title
        See above.

    Returns
    -------
    Axes (bars) or Figure (slices)
    """
    dyn = _dynamics(dynamics) if dynamics is not None else None
    if kind == "slices":
        if getattr(result, "grid", None) is not None and hasattr(result, "outcomes"):
            result = _grid_basins_as_report(result, slice_coordinate, levels)
        return _basin_slices(result, dyn, ax, slice_coordinate, title)
    if kind != "bars":
        raise SpecificationError(f"unknown basin plot kind {kind!r}; use 'bars' or 'slices'")
    if isinstance(result, Mapping):
        groups = dict(result)
    else:
        groups = {"": result}
    table: dict[str, dict[str, float]] = {}
    colours: dict[str, str] = {}
    counts: dict[str, int] = {}
    errors: dict[str, dict[str, float]] = {}
    for scenario, rep in groups.items():
        if isinstance(rep, Mapping):
            table[scenario] = {str(k): float(v) for k, v in rep.items()}
            for k in rep:
                colours.setdefault(str(k), _outcome_style(dyn, k)[1])
        elif hasattr(rep, "standard_error") and hasattr(rep, "outcomes"):  # a sweep.Basins
            table[scenario], errors[scenario] = {}, {}
            shares = np.asarray(rep.share.values, dtype=float)
            ses = np.asarray(rep.standard_error.values, dtype=float)
            n_vertices = len(rep.outcomes) - 2
            for k, (name, share, se) in enumerate(zip(rep.outcomes, shares, ses)):
                if share <= 0:
                    continue
                if k < n_vertices:
                    label = _vertex_label(dyn, k) if dyn is not None else "(" + name.replace(",", ", ") + ")"
                    colour = _vertex_colour(k, n_vertices)
                else:
                    label, colour = name, ("#888888" if name == "other" else "#CCCCCC")
                table[scenario][label] = float(share)
                errors[scenario][label] = float(se)
                colours.setdefault(label, colour)
            counts[scenario] = int(rep.n)
        else:
            table[scenario] = {}
            for att in rep.attractors:
                label, colour = _outcome_style(dyn, att)
                table[scenario][label] = table[scenario].get(label, 0.0) + float(att.share)
                colours.setdefault(label, colour)
            counts[scenario] = len(rep.outcomes)
    outcomes = list(colours)
    scenarios = list(table)
    own_figure = ax is None
    ax = _new_axes(ax, (COLUMN_WIDTH, 0.9 + 0.38 * len(scenarios) + 0.16 * len(outcomes)))
    for g, scenario in enumerate(scenarios):
        left = 0.0
        for label in outcomes:
            share = table[scenario].get(label, 0.0)
            if share <= 0:
                continue
            ax.barh(
                g, share, left=left, height=0.6, color=colours[label], label=label, edgecolor="white", lw=0.5
            )
            if share >= 0.07:
                dark = np.mean(mpl.colors.to_rgb(colours[label])) < 0.55
                se = errors.get(scenario, {}).get(label, float("nan"))
                text = f"{share:.0%}" + (f" ± {se:.1%}" if np.isfinite(se) and share >= 0.2 else "")
                ax.text(
                    left + share / 2, g, text, ha="center", va="center", fontsize=6.5,
                    color="white" if dark else "black",
                )  # fmt: skip
            left += share
    ax.set_yticks(range(len(scenarios)))
    ax.set_yticklabels([f"{s}\n(n = {counts[s]})" if s in counts else s for s in scenarios])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_ylim(len(scenarios) - 0.5, -0.5)
    ax.set_xlabel("share of starts")
    ax.xaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
    handles: dict[str, Any] = {}
    for h, lab in zip(*ax.get_legend_handles_labels()):
        handles.setdefault(lab, h)
    if own_figure:  # below the axes, inside the figure's layout
        ax.figure.legend(
            list(handles.values()), list(handles), loc="outside lower left", title="trajectories approach",
            alignment="left", handlelength=1.2,
        )  # fmt: skip
    else:
        ax.legend(
            list(handles.values()), list(handles), loc="upper left", bbox_to_anchor=(1.02, 1.0),
            title="trajectories approach", alignment="left", handlelength=1.2,
        )  # fmt: skip
    if title:
        ax.set_title(title)
    return ax


@dataclass(frozen=True)
class _GridOutcome:
    label: str
    profile: tuple[str, ...] | None


@dataclass(frozen=True)
class _GridReport:
    """The layers of a grid :class:`gametheory.sweep.Basins` in the form :func:`_basin_slices` reads."""

    starts: np.ndarray
    outcomes: tuple[_GridOutcome, ...]
    state_names: tuple[str, ...]


def _grid_basins_as_report(result: Any, r: int, levels: Sequence[float]) -> _GridReport:
    grid = result.grid
    if len(grid.dims) != 3:
        raise SpecificationError("basin slices need a grid over three state coordinates (a cube)")
    centres = [np.asarray(grid.coords[d], dtype=float) for d in grid.dims]
    picks = sorted({int(np.argmin(np.abs(centres[r] - level))) for level in levels})
    outcome_names = list(result.outcomes)
    n_vertices = len(outcome_names) - 2
    codes = np.asarray(grid.values)
    starts, outcomes = [], []
    for index in itertools.product(*(range(len(c)) for c in centres)):
        if index[r] not in picks:
            continue
        starts.append([centres[a][i] for a, i in enumerate(index)])
        k = int(codes[index])
        name = outcome_names[k]
        profile = tuple(name.split(",")) if k < n_vertices else None
        outcomes.append(
            _GridOutcome(name if k >= n_vertices else "(" + name.replace(",", ", ") + ")", profile)
        )
    return _GridReport(np.array(starts), tuple(outcomes), tuple(str(d) for d in grid.dims))


def _basin_slices(result: Any, dyn: ReplicatorDynamics | None, ax: Any, r: int, title: str | None) -> Figure:
    starts = np.asarray(result.starts, dtype=float)
    if starts.ndim != 2 or starts.shape[1] != 3:
        raise SpecificationError("basin slices need starts with 3 coordinates (a cube)")
    levels = np.unique(np.round(starts[:, r], 9))
    if levels.size > 6:
        raise SpecificationError(
            f"basin slices: the starts take {levels.size} values of coordinate {r}; "
            "give starts on at most 6 slices (e.g. a grid)"
        )
    if ax is None:
        fig, axes = plt.subplots(
            1, levels.size, figsize=(PAGE_WIDTH, 0.8 * PAGE_WIDTH / max(levels.size, 3) + 1.0),
            layout="constrained",
        )  # fmt: skip
        axes = np.atleast_1d(axes)
    else:
        axes = np.atleast_1d(np.asarray(ax, dtype=object))
        if axes.size != levels.size:
            raise SpecificationError(f"basin slices need {levels.size} axes, got {axes.size}")
        fig = axes[0].figure
    others = [c for c in range(3) if c != r]
    names = list(result.state_names)
    styles = {}
    for o in result.outcomes:
        styles.setdefault(o.label, _outcome_style(dyn, o))
    codes_of = {label: k for k, label in enumerate(styles)}
    cmap = mpl.colors.ListedColormap([colour for _, colour in styles.values()])
    for a, level in zip(axes, levels):
        idx = np.flatnonzero(np.isclose(starts[:, r], level))
        u, v = starts[idx, others[0]], starts[idx, others[1]]
        ux, vy = np.unique(np.round(u, 9)), np.unique(np.round(v, 9))
        codes = np.array([codes_of[result.outcomes[i].label] for i in idx])
        if ux.size * vy.size == idx.size:  # a full grid: draw cells
            image = np.full((vy.size, ux.size), -1)
            image[np.searchsorted(vy, np.round(v, 9)), np.searchsorted(ux, np.round(u, 9))] = codes
            a.pcolormesh(
                ux,
                vy,
                image,
                cmap=cmap,
                vmin=-0.5,
                vmax=len(styles) - 0.5,
                shading="nearest",
                rasterized=True,
            )
        else:
            a.scatter(
                u, v, c=codes, cmap=cmap, vmin=-0.5, vmax=len(styles) - 0.5, marker="s", s=12, linewidths=0
            )
        a.set_xlim(0, 1)
        a.set_ylim(0, 1)
        a.set_aspect("equal")
        a.set_xlabel(f"${sympy.latex(sympy.Symbol(names[others[0]]))}$")
        a.set_ylabel(f"${sympy.latex(sympy.Symbol(names[others[1]]))}$")
        a.set_title(f"${sympy.latex(sympy.Symbol(names[r]))} = {level:.3g}$")
    handles = {shown: Patch(color=colour) for shown, colour in styles.values()}
    fig.legend(
        list(handles.values()), list(handles), loc="outside lower center", ncol=min(3, len(handles)),
        title="trajectories approach",
    )  # fmt: skip
    if title:
        fig.suptitle(title)
    return fig
