"""Shares against time: :func:`time_series` draws trajectories (one or many runs)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.legend import Legend
from matplotlib.lines import Line2D

from .._checks import as_dynamics
from ..dynamics.base import Dynamics
from ..errors import SpecificationError, suggest
from ..game import Game
from . import _results
from .theme import COLUMN_WIDTH, CYCLE, light, new_axes, parameter_label, state_label, styled, symbol_label

__all__ = ["time_series"]

#: Dash patterns telling runs apart (run k gets RUN_STYLES[k % 4]).
RUN_STYLES: tuple[str, ...] = ("-", "--", ":", "-.")
#: Runs listed one by one in the legend up to this many.
MAX_RUNS_IN_LEGEND = 8


def _run_look(m: int, n_runs: int, colour: str) -> tuple[Any, Any]:
    """Colour and dash pattern of run ``m`` of ``n_runs`` for a coordinate drawn in ``colour``.

    Runs cycle through :data:`RUN_STYLES`; each further cycle is drawn lighter,
    so no two runs of a coordinate look alike.
    """
    if n_runs == 1:
        return colour, "-"
    cycle = m // len(RUN_STYLES)
    n_cycles = -(-n_runs // len(RUN_STYLES))
    shade = 0.6 * cycle / max(n_cycles - 1, 1)
    return (colour if cycle == 0 else light(colour, shade)), RUN_STYLES[m % len(RUN_STYLES)]


def _start_text(y0: np.ndarray) -> str:
    return "(" + ", ".join(f"{v:.2g}" for v in y0) + ")"


@styled
def time_series(
    result: Any,
    *,
    ax: Axes | None = None,
    dynamics: Game | Dynamics | None = None,
    coordinates: Sequence[int | str] | None = None,
    colors: Sequence[str] | None = None,
    legend: bool = True,
    title: str | None = None,
) -> Axes:
    """Shares against time: :math:`x_r(t)` for each coordinate ``r``, for one or many runs.

    Each coordinate has its colour; with several runs each run has its own
    dash pattern (later runs, beyond four, also lighter shades), and a second
    legend names every run by its start (up to :data:`MAX_RUNS_IN_LEGEND` runs).

    Parameters
    ----------
    result
        A :class:`~gametheory.Trajectory`, a sequence of them, an
        :class:`~gametheory.Ensemble` (``t`` of shape ``(n_t,)``,
        ``y`` of shape ``(n_runs, d, n_t)``), or a sweep result (every run of
        the sweep).
    ax
        Axes to draw into (default: a new one-column figure).
    dynamics
        The game or its dynamics, for long labels (``"x: government C"``).
    coordinates
        Which coordinates to draw (indices or names); default all.
    colors
        One colour per drawn coordinate (default: Okabe-Ito order).
    legend, title
        Draw the legends; axes title.

    Returns
    -------
    Axes
        With one line per (coordinate, run), coordinates outer; ``ylim`` is
        ``[-0.02, 1.02]``.  ``ax.get_legend()`` is the legend of the
        coordinates.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from gametheory import plot
    >>> from gametheory.models import crisis_governance as cg
    >>> dyn = cg.game().replicator()
    >>> runs = [dyn.simulate(x0, (0, 10), cg.OPTIMIZED) for x0 in ([0.2] * 3, [0.7] * 3)]
    >>> ax = plot.time_series(runs, dynamics=dyn)
    >>> len(ax.lines), ax.lines[0].get_linestyle() != ax.lines[1].get_linestyle()
    (6, True)
    """
    runs = _results.runs(result)
    if not runs:
        raise SpecificationError("time_series needs at least one trajectory")
    d = runs[0].y.shape[0]
    names = list(runs[0].state_names) or [f"x{r}" for r in range(d)]
    dyn = as_dynamics(dynamics, name="dynamics") if dynamics is not None else None
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
    colors = list(colors) if colors is not None else [CYCLE[k % len(CYCLE)] for k in range(len(rows))]
    ax = new_axes(ax, (COLUMN_WIDTH, 2.3))
    n_runs = len(runs)
    many = n_runs > 1
    for k, r in enumerate(rows):
        label = state_label(dyn, r) if dyn is not None else symbol_label(names[r])
        for m, run in enumerate(runs):
            colour, dashes = _run_look(m, n_runs, colors[k])
            ax.plot(
                run.t,
                run.y[r],
                color=colour,
                ls=dashes,
                lw=0.9 if many else 1.3,
                alpha=0.85 if many else 1.0,
                marker="o" if len(run.t) == 1 else None,  # a run stored at its final time only
                ms=3,
                label=label if m == 0 else None,
            )
    ax.set_xlabel("time $t$")
    ax.set_ylabel("share")
    ax.set_ylim(-0.02, 1.02)
    lo, hi = min(run.t[0] for run in runs), max(run.t[-1] for run in runs)
    ax.set_xlim(*((lo, hi) if hi > lo else (lo - 0.5, hi + 0.5)))
    if title:
        ax.set_title(title)
    if legend:
        if many and n_runs <= MAX_RUNS_IN_LEGEND:
            handles = [
                Line2D(
                    [], [], color=_run_look(m, n_runs, "#555555")[0], ls=_run_look(m, n_runs, "#555555")[1]
                )
                for m in range(n_runs)
            ]
            texts = [
                ", ".join(
                    [parameter_label(n, v) for n, v in run.values] + [f"start {_start_text(run.y[:, 0])}"]
                )
                for run in runs
            ]
            runs_legend = Legend(
                ax, handles, texts, loc="upper left", bbox_to_anchor=(1.02, 1.0), handlelength=2.4,
                title="runs", alignment="left",
            )  # fmt: skip
            ax.add_artist(runs_legend)
            runs_legend.set_clip_on(False)  # add_artist clips to the axes; this legend sits beside them
        # coordinates: solid lines in their colours (ax.get_legend() returns this one)
        coord_handles = [Line2D([], [], color=colors[k], lw=1.3) for k in range(len(rows))]
        coord_texts = [line.get_label() for line in ax.lines[::n_runs]]
        ax.legend(coord_handles, coord_texts, loc="best", handlelength=1.6)
    return ax
