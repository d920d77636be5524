"""Outcomes of many starts: :func:`basins` draws basin shares (bars) or basin slices of the cube."""

from __future__ import annotations

import itertools
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from .._checks import as_dynamics
from ..dynamics.base import Dynamics
from ..errors import SpecificationError
from ..game import Game
from . import _results
from .theme import (
    COLUMN_WIDTH,
    PAGE_WIDTH,
    UNCERTIFIED_FILL,
    UNCERTIFIED_HATCH,
    UNCERTIFIED_HATCH_COLOUR,
    is_uncertified,
    legend_entries,
    new_axes,
    styled,
    symbol_label,
    vertex_colour,
    vertex_label,
)

__all__ = ["attractors", "basins"]

#: Bar colour of each attractor kind (:class:`gametheory.analysis.outcomes.AttractorKind` values).
KIND_COLOURS = {
    "rest point": "#0072B2",
    "set of rest points": "#56B4E9",
    "neutral cycle": "#009E73",
    "limit cycle": "#E69F00",
    "heteroclinic cycle": "#555555",
    "unresolved": "#BBBBBB",
    "failed": "#D55E00",
}


def _outcome_style(dyn: Dynamics | None, outcome: Any) -> tuple[str, str]:
    """(display label, colour) of an outcome: vertex labels and colours for vertices, greys otherwise."""
    label = _short_outcome(str(getattr(outcome, "label", outcome)))
    if is_uncertified(label):
        return label, UNCERTIFIED_FILL
    example = getattr(outcome, "example", outcome)
    profile = getattr(example, "profile", None)
    if dyn is not None and profile is not None:
        k = dyn.game.profiles.index(tuple(profile))
        return vertex_label(dyn, k), vertex_colour(k, len(dyn.game.profiles))
    kind = str(getattr(getattr(outcome, "kind", None), "value", ""))
    return label, {"unresolved": "#BBBBBB", "heteroclinic cycle": "#555555"}.get(kind, "#888888")


def _hatch(label: str) -> dict[str, Any]:
    """Bar keywords of an uncertified outcome (grey, cross-hatched); none for the others."""
    if not is_uncertified(label):
        return {}
    return {"hatch": UNCERTIFIED_HATCH, "hatchcolor": UNCERTIFIED_HATCH_COLOUR}


def _short_outcome(label: str) -> str:
    """``"rest point (B, P, I) = (0, 0, 0)"`` -> ``"(0, 0, 0)"``; other labels unchanged."""
    if label.startswith("rest point") and " = " in label:
        return label.split(" = ", 1)[1]
    return label


@styled
def basins(
    result: Any,
    *,
    ax: Axes | None = None,
    dynamics: Game | Dynamics | None = None,
    kind: str = "bars",
    slice_coordinate: int = 2,
    levels: Sequence[float] = (0.1, 0.5, 0.9),
    title: str | None = None,
) -> Axes | Figure:
    """Basins of attraction: the share of starts approaching each attractor.

    Parameters
    ----------
    result
        An :class:`gametheory.AttractorReport` or a result of :func:`gametheory.basins`,
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

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import gametheory as gt
    >>> from gametheory import plot
    >>> from gametheory.models import crisis_governance as cg
    >>> game = cg.game()
    >>> result = gt.basins(game, {**cg.STATUS_QUO, "F_g": 8.0}, n=64, seed=0)
    >>> ax = plot.basins({"penalty only": result}, dynamics=game)
    >>> sorted(t.get_text() for t in ax.figure.legends[0].get_texts())
    ['(0, 0, 0)', '(1, 1, 1)']
    """
    dyn = as_dynamics(dynamics, name="dynamics") if dynamics is not None else None
    if kind == "slices":
        grid = _results.basin_grid(result)
        if grid is not None:
            result = _grid_basins_as_report(grid, slice_coordinate, levels)
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
        elif _results.is_basin_sample(rep):  # a gametheory.basins result
            table[scenario], errors[scenario] = {}, {}
            names, shares, ses, n_starts, vertices = _results.basin_shares(rep)
            for name, share, se in zip(names, shares, ses):
                if share <= 0:
                    continue
                if name in vertices:
                    k = vertices.index(name)
                    label = vertex_label(dyn, k) if dyn is not None else "(" + name.replace(",", ", ") + ")"
                    colour = vertex_colour(k, len(vertices))
                elif is_uncertified(name):
                    label, colour = name, UNCERTIFIED_FILL
                else:
                    label, colour = name, ("#888888" if name == "other" else "#CCCCCC")
                table[scenario][label] = float(share)
                errors[scenario][label] = float(se)
                colours.setdefault(label, colour)
            counts[scenario] = n_starts
        else:
            table[scenario] = {}
            entries, counts[scenario] = _results.attractor_shares(rep)
            for att, share in entries:
                label, colour = _outcome_style(dyn, att)
                table[scenario][label] = table[scenario].get(label, 0.0) + share
                colours.setdefault(label, colour)
    outcomes = list(colours)
    scenarios = list(table)
    own_figure = ax is None
    ax = new_axes(ax, (COLUMN_WIDTH, 0.9 + 0.38 * len(scenarios) + 0.16 * len(outcomes)))
    for g, scenario in enumerate(scenarios):
        left = 0.0
        for label in outcomes:
            share = table[scenario].get(label, 0.0)
            if share <= 0:
                continue
            ax.barh(
                g, share, left=left, height=0.6, color=colours[label], label=label, edgecolor="white", lw=0.5,
                **_hatch(label),
            )  # fmt: skip
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
    entries = legend_entries(zip(*ax.get_legend_handles_labels()))
    if own_figure:  # below the axes, inside the figure's layout
        ax.figure.legend(
            *entries, loc="outside lower left", title="trajectories approach", alignment="left", handlelength=1.2,
        )  # fmt: skip
    else:
        ax.legend(
            *entries, loc="upper left", bbox_to_anchor=(1.02, 1.0), title="trajectories approach",
            alignment="left", handlelength=1.2,
        )  # fmt: skip
    if title:
        ax.set_title(title)
    return ax


def _wrap(label: str, width: int = 30) -> str:
    """``label`` broken for a tick label: before ``" = "`` when long, then at spaces into ``width`` characters."""
    if len(label) <= width:
        return label
    head, sep, tail = label.partition(" = ")
    parts = [head, "= " + tail] if sep else [label]
    return "\n".join(line for part in parts for line in (textwrap.wrap(part, width) or [part]))


@styled
def attractors(
    report: Any,
    *,
    ax: Axes | None = None,
    dynamics: Game | Dynamics | None = None,
    title: str | None = None,
) -> Axes:
    """What the starts of an attractor analysis approach: one bar per attractor, its share of the starts.

    Bars are ordered as ``report.attractors`` (most frequent first), coloured
    by the attractor's kind (rest point, cycle, heteroclinic cycle, ...; with
    ``dynamics``, a vertex rest point gets the vertex colour of
    :func:`phase_portrait`), labelled with the attractor's label and annotated
    with the share and the number of starts.  Attractors some of whose starts
    were not certified are drawn cross-hatched.  Nothing is computed here: the
    bars are the ``share`` of each :class:`gametheory.analysis.outcomes.Attractor`.

    Parameters
    ----------
    report
        An :class:`gametheory.AttractorReport` (:func:`gametheory.attractors`).
    ax
        Axes to draw into (default: a new one-column figure, its height
        growing with the number of attractors).
    dynamics
        The game or its dynamics, for vertex colours.
    title
        Axes title.

    Returns
    -------
    Axes
        One bar (:class:`~matplotlib.patches.Rectangle`) per attractor, width
        its share; the y tick labels are the attractor labels; the legend names the kinds.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import gametheory as gt
    >>> from gametheory import plot
    >>> pd_game = gt.Game.from_table(
    ...     {"row": ["C", "D"], "col": ["C", "D"]},
    ...     {("C", "C"): (3, 3), ("C", "D"): (0, 4), ("D", "C"): (4, 0), ("D", "D"): (1, 1)},
    ... )
    >>> ax = plot.attractors(gt.attractors(pd_game, starts=[[0.9, 0.8], [0.2, 0.5]]))
    >>> [t.get_text() for t in ax.get_yticklabels()], [float(p.get_width()) for p in ax.patches]
    (['rest point (D, D) = (0, 0)'], [1.0])
    """
    entries, n = _results.attractor_shares(report)
    dyn = as_dynamics(dynamics, name="dynamics") if dynamics is not None else None
    own_figure = ax is None
    ax = new_axes(ax, (COLUMN_WIDTH, 1.2 + 0.36 * max(len(entries), 1)))
    kinds: dict[str, tuple[str, bool]] = {}
    for g, (att, share) in enumerate(entries):
        kind = str(getattr(att.kind, "value", att.kind))
        colour = KIND_COLOURS.get(kind, "#888888")
        profile = getattr(att.example, "profile", None)
        if dyn is not None and kind == "rest point" and profile is not None:
            k = dyn.game.profiles.index(tuple(profile))
            colour = vertex_colour(k, len(dyn.game.profiles))
        certified = _results.attractor_certified(report, att)
        hatch = {} if certified else {"hatch": UNCERTIFIED_HATCH, "hatchcolor": "white"}
        ax.barh(g, share, height=0.6, color=colour, edgecolor="white", lw=0.5, **hatch)
        ax.text(share + 0.01, g, f"{share:.0%} ({att.count})", ha="left", va="center", fontsize=6.5)
        kinds.setdefault(kind, (KIND_COLOURS.get(kind, "#888888"), False))
        if not certified:
            kinds["not certified"] = ("#AAAAAA", True)
    ax.set_yticks(range(len(entries)))
    ax.set_yticklabels([_wrap(str(att.label)) for att, _ in entries])
    ax.set_ylim(len(entries) - 0.5, -0.5)
    ax.set_xlim(0, 1.18)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
    ax.xaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
    ax.set_xlabel(f"share of starts (n = {n})")
    handles, labels = legend_entries(
        (Patch(facecolor=c, edgecolor="white", hatch=UNCERTIFIED_HATCH if h else None, hatchcolor="white"), k)
        for k, (c, h) in kinds.items()
    )
    if handles and own_figure:  # below the axes, inside the figure's layout
        ax.figure.legend(
            handles, labels, loc="outside lower left", ncol=min(3, len(handles)), handlelength=1.2,
            title="kind", alignment="left",
        )  # fmt: skip
    elif handles:
        ax.legend(
            handles, labels, loc="upper left", bbox_to_anchor=(1.02, 1.0), handlelength=1.2, title="kind",
            alignment="left",
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


def _grid_basins_as_report(grid: Any, r: int, levels: Sequence[float]) -> _GridReport:
    dims, centres, codes, outcome_names, vertices = grid
    if len(dims) != 3:
        raise SpecificationError("basin slices need a grid over three state coordinates (a cube)")
    picks = sorted({int(np.argmin(np.abs(centres[r] - level))) for level in levels})
    starts, outcomes = [], []
    for index in itertools.product(*(range(len(c)) for c in centres)):
        if index[r] not in picks:
            continue
        starts.append([centres[a][i] for a, i in enumerate(index)])
        k = int(codes[index])
        name = outcome_names[k]
        vertex = name in vertices
        profile = tuple(name.split(",")) if vertex else None
        outcomes.append(_GridOutcome("(" + name.replace(",", ", ") + ")" if vertex else name, profile))
    return _GridReport(np.array(starts), tuple(outcomes), dims)


def _basin_slices(result: Any, dyn: Dynamics | None, ax: Any, r: int, title: str | None) -> Figure:
    starts, outcomes, names = _results.start_outcomes(result)
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
    styles = {}
    for o in outcomes:
        styles.setdefault(o.label, _outcome_style(dyn, o))
    codes_of = {label: k for k, label in enumerate(styles)}
    cmap = mpl.colors.ListedColormap([colour for _, colour in styles.values()])
    for a, level in zip(axes, levels):
        idx = np.flatnonzero(np.isclose(starts[:, r], level))
        u, v = starts[idx, others[0]], starts[idx, others[1]]
        ux, vy = np.unique(np.round(u, 9)), np.unique(np.round(v, 9))
        codes = np.array([codes_of[outcomes[i].label] for i in idx])
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
        a.set_xlabel(symbol_label(names[others[0]]))
        a.set_ylabel(symbol_label(names[others[1]]))
        a.set_title(symbol_label(names[r])[:-1] + f" = {level:.3g}$")
    handles, labels = legend_entries(
        (Patch(facecolor=colour, **_hatch(shown)) if is_uncertified(shown) else Patch(color=colour), shown)
        for shown, colour in styles.values()
    )
    fig.legend(
        handles, labels, loc="outside lower center", ncol=min(3, len(handles)), title="trajectories approach"
    )
    if title:
        fig.suptitle(title)
    return fig
